/* SPDX-License-Identifier: MIT */
/* Segment routing: where a lead of a segment and band goes, and through
 * which kind of channel; defaults from the source, host overrides. */
#include "segment_internal.h"

/* ---- routing -------------------------------------------------------------- */

static int routes_write(b2b2c_segmenter *s)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &s->ctx->mem, 1);
    for (int i = 0; i < NSEG; i++)
        for (int j = 0; j < NBAND; j++) {
            b2b2c__enc_u8(&w, s->routes.over[i][j]);
            b2b2c__enc_u8(&w, s->routes.dest[i][j]);
            b2b2c__enc_u8(&w, s->routes.kind[i][j]);
        }
    return b2b2c__st_put_rec(s->ctx, T_ROUTES, "table", 5, &w);
}

/* The source's rules as a table (docs/segments.md): cold leads are nurtured;
 * warm and hot consumers and (under the dealer policy) small professionals
 * go to dealers; large B2B to direct sales; dealer prospects to partner
 * onboarding. Reach for broad consumer and cold B2B audiences, lead
 * generation for warm consumers, dealers and target B2B. */
static int default_route(int seg, int band, int policy, int *kind)
{
    int cold = band == B2B2C_BAND_UNKNOWN || band == B2B2C_BAND_COLD;
    int dealer_seg = seg == B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE ||
                     seg == B2B2C_SEGMENT_DEALER_SMALL_RETAIL;
    if (cold) {
        *kind = dealer_seg ? B2B2C_SEG_CHANNEL_LEAD_GENERATION
                           : B2B2C_SEG_CHANNEL_REACH;
        return B2B2C_SEG_DEST_NURTURE;
    }
    *kind = B2B2C_SEG_CHANNEL_LEAD_GENERATION;
    switch (seg) {
    case B2B2C_SEGMENT_B2C_CONSUMER:
    case B2B2C_SEGMENT_B2B_SMALL_PRO:
        return policy ? B2B2C_SEG_DEST_DEALER : B2B2C_SEG_DEST_DIRECT_SALES;
    case B2B2C_SEGMENT_B2B_LARGE:
        return B2B2C_SEG_DEST_DIRECT_SALES;
    case B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE:
    case B2B2C_SEGMENT_DEALER_SMALL_RETAIL:
        return B2B2C_SEG_DEST_PARTNER_ONBOARDING;
    default:
        return B2B2C_SEG_DEST_NURTURE;
    }
}

int b2b2c_segmenter_route(int32_t *dest, int32_t *channel_kind,
                          const b2b2c_segmenter *s, int32_t segment,
                          int32_t band)
{
    int kind, d, rc;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!dest || !channel_kind)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "%s: NULL",
                          !dest ? "dest" : "channel_kind");
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if (!b2b2c_band_name(band))
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "band: unknown band %d",
                          (int)band);
    if ((rc = b2b2c__sync_read(s->ctx)) != 0)
        return rc;
    if (s->routes.over[segment][band]) {
        d = s->routes.dest[segment][band];
        kind = s->routes.kind[segment][band];
    } else {
        d = default_route(segment, band,
                          s->params[B2B2C_SEG_DEALER_POLICY - SEG_PARAM_BASE] !=
                              0,
                          &kind);
    }
    *dest = d;
    *channel_kind = kind;
    return 0;
}

/* The checks of state and the change, on the latest state. */
static int route_body(b2b2c_segmenter *s, int32_t segment, int32_t band,
                      int over, int32_t dest, int32_t kind)
{
    b2b2c_ctx *ctx = s->ctx;
    int rc;
    if (over && segment == B2B2C_SEGMENT_B2C_CONSUMER &&
        dest == B2B2C_SEG_DEST_DIRECT_SALES &&
        s->params[B2B2C_SEG_DEALER_POLICY - SEG_PARAM_BASE] != 0)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "dest: consumer leads never go to direct_sales "
                          "while the dealer policy is on");
    if (!over && !s->routes.over[segment][band])
        return 0;
    if (over && s->routes.over[segment][band] &&
        s->routes.dest[segment][band] == dest &&
        s->routes.kind[segment][band] == kind)
        return 0;
    if ((rc = b2b2c__undo_save(ctx, &s->routes, sizeof(s->routes))) != 0)
        return b2b2c__err(ctx, rc, "out of memory");
    s->routes.over[segment][band] = (uint8_t)over;
    s->routes.dest[segment][band] = (uint8_t)(over ? dest : 0);
    s->routes.kind[segment][band] = (uint8_t)(over ? kind : 0);
    return routes_write(s);
}

static int route_change(b2b2c_segmenter *s, int32_t segment, int32_t band,
                        int over, int32_t dest, int32_t kind)
{
    b2b2c_ctx *ctx = s->ctx;
    int rc;
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if (!b2b2c_band_name(band))
        return b2b2c__err(ctx, B2B2C_EINVAL, "band: unknown band %d",
                          (int)band);
    if (over && (dest < 1 || dest > 4))
        return b2b2c__err(ctx, B2B2C_EINVAL, "dest: unknown destination %d",
                          (int)dest);
    if (over && (kind < 1 || kind > 2))
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "channel_kind: unknown channel kind %d", (int)kind);
    B2B2C__CALL(rc, ctx, s, route_body(s, segment, band, over, dest, kind));
    return rc;
}

int b2b2c_segmenter_route_set(b2b2c_segmenter *s, int32_t segment,
                              int32_t band, int32_t dest,
                              int32_t channel_kind)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    return route_change(s, segment, band, 1, dest, channel_kind);
}

int b2b2c_segmenter_route_reset(b2b2c_segmenter *s, int32_t segment,
                                int32_t band)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    return route_change(s, segment, band, 0, 0, 0);
}
