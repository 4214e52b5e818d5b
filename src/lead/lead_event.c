/* SPDX-License-Identifier: MIT */
/* Lead model: scoring primitives, the lead record writer, adding leads and
 * the event path (the hot path: kept in one file so that the scoring
 * primitives and the record writer inline into b2b2c_lead_event). */
#include <math.h>

#include "lead_internal.h"

static int with_dealer(int stage)
{
    return stage == B2B2C_LEAD_STAGE_PASSED_TO_DEALER ||
           stage == B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER;
}

/* ---- scoring primitives ----------------------------------------------------- */

double b2b2c__lead_decay(const b2b2c_lead_model *m, int64_t t0, int64_t t)
{
    double hl = lead_param(m, B2B2C_LEAD_HALF_LIFE_DAYS) * LEAD_DAY;
    if (t <= t0)
        return 1.0;
    /* exponential decay with half-life h: 2^(-dt/h); the difference in
     * doubles is exact for times in range (below 2^38, internal.h) and
     * cannot overflow for a record stored before the range existed */
    return exp2(-((double)t - (double)t0) / hl);
}

double b2b2c__lead_fit(const b2b2c_lead_model *m, const lead_rec *r)
{
    double f = m->seg_points[r->segment];
    if (r->chan)
        f += m->attrs[r->chan - 1]->points;
    if (r->region)
        f += m->attrs[r->region - 1]->points;
    if (r->prod)
        f += m->attrs[r->prod - 1]->points;
    return f;
}

int32_t b2b2c__lead_band_of(const b2b2c_lead_model *m, double score,
                            int64_t now, int64_t hot_until)
{
    if (now < hot_until || score >= lead_param(m, B2B2C_LEAD_HOT_THRESHOLD))
        return B2B2C_BAND_HOT;
    if (score >= lead_param(m, B2B2C_LEAD_WARM_THRESHOLD))
        return B2B2C_BAND_WARM;
    return B2B2C_BAND_COLD;
}

double b2b2c__lead_score_at(const b2b2c_lead_model *m, const lead_rec *r,
                            int64_t now, int32_t *band)
{
    double s;
    if (now < r->t0)
        now = r->t0;
    s = b2b2c__lead_fit(m, r) + r->eng * b2b2c__lead_decay(m, r->t0, now);
    if (band)
        *band = b2b2c__lead_band_of(m, s, now, r->hot_until);
    return s;
}

void b2b2c__lead_band_entry(const b2b2c_lead_model *m, const lead_rec *r,
                            int64_t now, int32_t *band, int32_t *old,
                            int64_t *at)
{
    int32_t b, o;
    int64_t t;
    double fit, thr, hl;

    if (now < r->t0)
        now = r->t0;
    b2b2c__lead_score_at(m, r, now, &b);
    *band = b;
    if (b == r->band || b == B2B2C_BAND_HOT) {
        *old = r->band_prev & 0x7f; /* bit 7: entered by a rescoring */
        *at = r->band_at;
        return;
    }
    /* The score only falls between events, so the band was entered when the
     * score crossed the next band's threshold or the hot hold ended,
     * whichever came later. */
    fit = b2b2c__lead_fit(m, r);
    thr = lead_param(m, b == B2B2C_BAND_COLD ? B2B2C_LEAD_WARM_THRESHOLD
                                             : B2B2C_LEAD_HOT_THRESHOLD);
    hl = lead_param(m, B2B2C_LEAD_HALF_LIFE_DAYS) * LEAD_DAY;
    t = r->t0;
    if (r->eng > 0 && thr - fit > 0 && fit + r->eng >= thr) {
        /* fit + eng * 2^(-dt/h) = thr  =>  dt = h * log2(eng / (thr - fit)) */
        double dt = ceil(hl * log2(r->eng / (thr - fit)));
        if (dt > (double)now - (double)r->t0)
            dt = (double)now - (double)r->t0;
        if (dt > 0)
            t = r->t0 + (int64_t)dt;
    }
    if (r->hot_until > t && r->hot_until <= now)
        t = r->hot_until;
    if (t > r->t0) {
        b2b2c__lead_score_at(m, r, t - 1, &o);
        if (o == b)
            o = r->band;
    } else {
        o = r->band;
    }
    *old = o;
    *at = t;
}

lead_rec *b2b2c__lead_find(const b2b2c_lead_model *m, const char *id, int *rc)
{
    size_t n;
    lead_rec *r;
    if (b2b2c__id_check(id, &n)) {
        *rc = b2b2c__err(m->ctx, id ? B2B2C_EBADID : B2B2C_EINVAL,
                         "id: not a valid lead ID");
        return NULL;
    }
    r = b2b2c__map_get(&m->leads, id, n);
    if (!r) /* B2B2C_ESTATE when closed (lead_close.c) */
        *rc = b2b2c__lead_missing((b2b2c_lead_model *)m, id, n);
    return r;
}

int b2b2c__lead_begin(const b2b2c_lead_model *m, const char *null_arg,
                      const int64_t *now)
{
    if (!m)
        return B2B2C_EINVAL;
    b2b2c__err_clear(m->ctx);
    if (null_arg)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "%s: NULL", null_arg);
    return now ? b2b2c__check_time(m->ctx, *now, "now") : 0;
}

int b2b2c__lead_read_begin(const b2b2c_lead_model *m, const char *null_arg,
                           const int64_t *now)
{
    int rc = b2b2c__lead_begin(m, null_arg, now);
    return rc ? rc : b2b2c__sync_read(m->ctx);
}

lead_rec *b2b2c__lead_enter(const b2b2c_lead_model *m, const char *null_arg,
                            const int64_t *now, const char *id, int *rc)
{
    lead_rec *r;
    if ((*rc = b2b2c__lead_read_begin(m, null_arg, now)) != 0)
        return NULL;
    r = b2b2c__lead_find(m, id, rc);
    if (!r && *rc == B2B2C_ESTATE) /* closed: read from storage */
        r = b2b2c__lead_closed_get((b2b2c_lead_model *)m, id, rc);
    return r;
}

/* ---- records ----------------------------------------------------------------- */

int b2b2c__lead_write_model(b2b2c_lead_model *m)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    b2b2c__enc_f64(&w, m->bias);
    for (int i = 0; i < LEAD_NSEG; i++)
        b2b2c__enc_f64(&w, m->seg_w[i]);
    for (int i = 0; i < 4; i++)
        b2b2c__enc_u64(&w, m->rng.s[i]);
    b2b2c__enc_u32(&w, m->nkinds);
    for (uint32_t k = 0; k < m->nkinds; k++) {
        b2b2c__enc_f64(&w, m->kinds[k].w_cnt);
        b2b2c__enc_f64(&w, m->kinds[k].w_val);
    }
    return b2b2c__st_put_rec(m->ctx, T_MODEL, "weights", 7, &w);
}

int b2b2c__lead_write_attr(b2b2c_lead_model *m, const lead_attr *a)
{
    b2b2c__wbuf w;
    char key[4];
    lead_key_u32(key, a->idx);
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    b2b2c__enc_u8(&w, a->attr);
    b2b2c__enc_bytes(&w, a->key + 1, a->klen - 1);
    b2b2c__enc_f64(&w, a->points);
    b2b2c__enc_f64(&w, a->w);
    return b2b2c__st_put_rec(m->ctx, T_ATTRS, key, 4, &w);
}

/*
 * The lead record is written on every event, so it is packed by hand into
 * one byte string (one codec call, fewer bytes to checksum): unsigned
 * LEB128 varints, zigzag varints for times (relative to `created` where
 * that makes them short), IEEE doubles little-endian.
 *
 *   created zz, segment u8, chan uv, region uv, prod uv, stage u8,
 *   stage_at-created zz, nhist uv, band u8, band_prev u8,
 *   band_at-created zz, eng f64, t0-created zz, hot_until zz, nk uv,
 *   nk x { kind u8, flags u8 (1 value sum, 2 cap counters), cnt f64,
 *          [val f64], [day zz, day_n uv, total_n uv] }
 * (read back by load_lead in lead.c)
 */

/* The loop for the long forms; put_uv writes the 1-3 byte ones (every
 * count, index and day number in practice) without it. */
static uint8_t *put_uv_long(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint8_t *put_uv(uint8_t *p, uint64_t v)
{
    if (v < 0x80) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (v < 0x4000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7);
        return p + 2;
    }
    if (v < 0x200000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7 | 0x80);
        p[2] = (uint8_t)(v >> 14);
        return p + 3;
    }
    return put_uv_long(p, v);
}

static inline uint8_t *put_zz(uint8_t *p, int64_t v)
{
    return put_uv(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* One little-endian store (the byte loop was ~8 instructions a byte). */
static inline uint8_t *put_f64(uint8_t *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    b2b2c__put_le64(p, v);
    return p + 8;
}

/* The per-kind entries: of the lead, and of its late checkpoint. */
static uint8_t *put_ks(uint8_t *p, const lead_ks *ks, uint32_t nk)
{
    for (uint32_t i = 0; i < nk; i++) {
        const lead_ks *k = &ks[i];
        uint8_t fl = (uint8_t)((k->val != 0 ? 1 : 0) |
                               (k->day_n || k->total_n ? 2 : 0));
        *p++ = (uint8_t)k->kind;
        *p++ = fl;
        p = put_f64(p, k->cnt);
        if (fl & 1)
            p = put_f64(p, k->val);
        if (fl & 2) {
            p = put_zz(p, k->day);
            p = put_uv(p, k->day_n);
            p = put_uv(p, k->total_n);
        }
    }
    return p;
}

/*
 * Version 2 (a lead with late-event bookkeeping, lead_late.c) appends:
 *   ck eng f64, ck t0-created zz, ck hot_until zz, ck band u8,
 *   ck band_prev u8, ck band_at-created zz, ck nk uv, nk x ks (as above),
 *   n uv, n x { at-created zz, kind u8, flags u8 (1 value, 2 dealer),
 *   [value f64] }
 */
static uint8_t *put_late(uint8_t *p, const lead_rec *r)
{
    const lead_late *l = r->late;
    const lead_lev *ev = lead_late_ev(l);
    p = put_f64(p, l->eng);
    p = put_zz(p, (int64_t)((uint64_t)l->t0 - (uint64_t)r->created));
    p = put_zz(p, l->hot_until);
    *p++ = l->band;
    *p++ = l->band_prev;
    p = put_zz(p, (int64_t)((uint64_t)l->band_at - (uint64_t)r->created));
    p = put_uv(p, l->nk);
    p = put_ks(p, l->ks, l->nk);
    p = put_uv(p, l->n);
    for (uint32_t i = 0; i < l->n; i++) {
        uint8_t fl = (uint8_t)((ev[i].value != 0 ? 1 : 0) |
                               (ev[i].dealer ? 2 : 0));
        p = put_zz(p, ev[i].at - r->created);
        *p++ = (uint8_t)ev[i].kind;
        *p++ = fl;
        if (fl & 1)
            p = put_f64(p, ev[i].value);
    }
    return p;
}

#define LEAD_PACK_MAX (80 + 6 + B2B2C_LEAD_EV_MAX * 40)
#define LEAD_LATE_PACK_MAX \
    (60 + B2B2C_LEAD_EV_MAX * 40 + LEAD_LATE_MAX * 22)

/* The record's bytes into buf (LEAD_PACK_MAX, plus LEAD_LATE_PACK_MAX
 * with late-event bookkeeping); the end. */
static inline uint8_t *pack_lead(uint8_t *p, const lead_rec *r)
{
    p = put_zz(p, r->created);
    *p++ = r->segment;
    p = put_uv(p, r->chan);
    p = put_uv(p, r->region);
    p = put_uv(p, r->prod);
    *p++ = r->stage;
    /* wrapping (zz_add undoes it): every time is in range since 1.0, but a
     * lead loaded from an older build's record may not be */
    p = put_zz(p, (int64_t)((uint64_t)r->stage_at - (uint64_t)r->created));
    p = put_uv(p, r->nhist);
    *p++ = r->band;
    *p++ = r->band_prev;
    p = put_zz(p, (int64_t)((uint64_t)r->band_at - (uint64_t)r->created));
    p = put_f64(p, r->eng);
    p = put_zz(p, (int64_t)((uint64_t)r->t0 - (uint64_t)r->created));
    p = put_zz(p, r->hot_until);
    p = put_uv(p, r->nk);
    return put_ks(p, r->ks, r->nk);
}

/*
 * Version 3 (1.1, lazy rescoring: lead_gen.c) is version 1's fields, then
 *   gen uv (the rescoring generation the engagement and band are at),
 *   late u8 (0 or 1), [version 2's late-event fields when 1]
 * Versions 1 and 2 are still read (at generation 0).
 */

/* A lead with late-event bookkeeping: a larger buffer, off the hot path
 * of leads without it. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int write_late(b2b2c_lead_model *m, const lead_rec *r)
{
    b2b2c__wbuf w;
    uint8_t buf[LEAD_PACK_MAX + LEAD_LATE_PACK_MAX], *p;
    p = put_uv(pack_lead(buf, r), m->ngen);
    *p++ = 1;
    p = put_late(p, r);
    b2b2c__enc_begin(&w, &m->ctx->mem, 3);
    b2b2c__enc_bytes(&w, buf, (size_t)(p - buf));
    return b2b2c__st_put_rec(m->ctx, T_LEADS, r->id, r->idlen, &w);
}

static inline int write_rec(b2b2c_lead_model *m, const lead_rec *r)
{
    b2b2c__wbuf w;
    uint8_t buf[LEAD_PACK_MAX], *p;
    if (r->late)
        return write_late(m, r);
    p = put_uv(pack_lead(buf, r), m->ngen);
    *p++ = 0;
    b2b2c__enc_begin(&w, &m->ctx->mem, 3);
    b2b2c__enc_bytes(&w, buf, (size_t)(p - buf));
    return b2b2c__st_put_rec(m->ctx, T_LEADS, r->id, r->idlen, &w);
}

int b2b2c__lead_write(b2b2c_lead_model *m, const lead_rec *r)
{
    return write_rec(m, r);
}

/* ---- leads --------------------------------------------------------------------- */

static const char *const attr_arg[] = {"segment", "channel", "region",
                                       "product_line"};

static int check_attr_id(b2b2c_ctx *ctx, int attr, const char *v)
{
    if (v && *v && b2b2c__id_check(v, NULL))
        return b2b2c__err(ctx, B2B2C_EBADID, "%s: not a valid ID",
                          attr_arg[attr]);
    return 0;
}

int b2b2c__lead_place(b2b2c_lead_model *m, const char *id, size_t n,
                      lead_rec **out)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_rec *r;
    char *idc;
    int rc;

    if ((rc = b2b2c__lead_slot(m, &r, 1)) != 0)
        return rc;
    if (n < sizeof(r->sid)) {
        idc = r->sid;
    } else {
        idc = b2b2c__malloc(ctx, n + 1);
        if (!idc)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_free_on_fail(ctx, idc)) != 0) {
            b2b2c__free(ctx, idc);
            return rc;
        }
    }
    memcpy(idc, id, n);
    idc[n] = '\0';
    if ((rc = b2b2c__undo_save(ctx, &m->nleads, sizeof(m->nleads))) ||
        (rc = b2b2c__map_insert_undoable(ctx, &m->leads, idc, n, r)))
        return rc;
    r->id = idc;
    r->idlen = (uint16_t)n;
    m->nleads++;
    *out = r;
    return 0;
}

static int add_body(b2b2c_lead_model *m, const char *id, size_t n,
                    int64_t created, int32_t segment, const char *channel,
                    const char *region, const char *product_line)
{
    uint32_t ch, rg, pl;
    int32_t band;
    lead_rec *r;
    int rc;

    if (b2b2c__map_get(&m->leads, id, n))
        return b2b2c__err(m->ctx, B2B2C_EEXISTS, "id: lead '%s' exists", id);
    if ((rc = b2b2c__lead_is_closed(m, id, n)) != 0)
        return rc < 0 ? rc
                      : b2b2c__err(m->ctx, B2B2C_EEXISTS,
                                   "id: lead '%s' exists (closed)", id);
    if ((rc = b2b2c__lead_intern(m, 1, channel, &ch, NULL)) ||
        (rc = b2b2c__lead_intern(m, 2, region, &rg, NULL)) ||
        (rc = b2b2c__lead_intern(m, 3, product_line, &pl, NULL)) ||
        (rc = b2b2c__lead_place(m, id, n, &r)))
        return rc;
    r->created = created;
    r->t0 = created;
    r->stage_at = created;
    r->band_at = created;
    r->segment = (uint8_t)segment;
    r->chan = ch;
    r->region = rg;
    r->prod = pl;
    r->stage = B2B2C_LEAD_STAGE_NEW;
    b2b2c__lead_score_at(m, r, created, &band);
    r->band = (uint8_t)band;
    r->band_prev = B2B2C_BAND_UNKNOWN;
    return b2b2c__lead_write(m, r);
}

int b2b2c_lead_add(b2b2c_lead_model *m, const char *id, int64_t created,
                   int32_t segment, const char *channel, const char *region,
                   const char *product_line)
{
    b2b2c_ctx *ctx;
    size_t n;
    int rc;
    if ((rc = b2b2c__lead_begin(m, id ? NULL : "id", NULL)) != 0)
        return rc;
    ctx = m->ctx;
    if (b2b2c__id_check(id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "id: not a valid lead ID");
    if ((rc = b2b2c__check_time(ctx, created, "created")) != 0)
        return rc;
    if (segment < 0 || segment >= LEAD_NSEG)
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if ((rc = check_attr_id(ctx, 1, channel)) ||
        (rc = check_attr_id(ctx, 2, region)) ||
        (rc = check_attr_id(ctx, 3, product_line)))
        return rc;
    B2B2C__CALL(rc, ctx, m,
                add_body(m, id, n, created, segment, channel, region,
                         product_line));
    return rc;
}

int b2b2c_lead_count(size_t *out, const b2b2c_lead_model *m)
{
    int rc;
    if (!m || !out)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__sync_read(m->ctx)) != 0)
        return rc;
    *out = m->nleads;
    return 0;
}

int b2b2c_lead_score(double *score, int32_t *band, const b2b2c_lead_model *m,
                     const char *id, int64_t now)
{
    lead_rec *r;
    int rc;
    if (!(r = b2b2c__lead_enter(m, score ? NULL : "score", &now, id, &rc)))
        return rc;
    *score = b2b2c__lead_score_at(m, r, now, band);
    return 0;
}

int b2b2c_lead_stage(int32_t *stage, const b2b2c_lead_model *m,
                     const char *id)
{
    lead_rec *r;
    int rc;
    if (!(r = b2b2c__lead_enter(m, stage ? NULL : "stage", NULL, id, &rc)))
        return rc;
    *stage = r->stage;
    return 0;
}

/* ---- events -------------------------------------------------------------------- */

/* One undo entry saves a lead's record and its per-kind array together,
 * on the context's undo arena (a = lead, n = bytes): a group of 1,000
 * events allocates nothing for undo once the arena has grown. */
static void lead_restore(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    lead_rec *r = a;
    const unsigned char *s = b2b2c__undo_arena_pop(ctx, n);
    (void)b;
    memcpy(r, s, sizeof(*r));
    if (r->nk)
        memcpy(r->ks, s + sizeof(*r), r->nk * sizeof(lead_ks));
}

static inline int lead_save(b2b2c_lead_model *m, lead_rec *r)
{
    size_t n = sizeof(*r) + r->nk * sizeof(lead_ks);
    unsigned char *s = b2b2c__undo_arena(m->ctx, lead_restore, r, NULL, n);
    if (!s)
        return m->ctx->errcode;
    memcpy(s, r, sizeof(*r));
    if (r->nk)
        memcpy(s + sizeof(*r), r->ks, r->nk * sizeof(lead_ks));
    return 0;
}

int b2b2c__lead_save(b2b2c_lead_model *m, lead_rec *r)
{
    return lead_save(m, r);
}

/* b2b2c__lead_find for events: a run of events for one lead skips the
 * index. The ID (n bytes) was checked by the caller. */
static lead_rec *event_lead(b2b2c_lead_model *m, const char *id, size_t n,
                            int *rc)
{
    uint64_t h;
    lead_rec *r;
    if (m->last && m->last <= m->nleads) {
        r = lead_at(m, m->last - 1);
        if (r->idlen == n && memcmp(r->id, id, n) == 0)
            return r;
    }
    h = b2b2c__map_keyhash(id, n);
    /* The store's slot for this lead's record loads while the index is
     * searched, and the row in it while the event is worked out (the
     * built-in store only; a hint, see b2b2c__st_prefetch). */
    b2b2c__st_prefetch(m->ctx, T_LEADS, h, 0);
    r = b2b2c__map_get_h(&m->leads, h, id, n);
    b2b2c__st_prefetch(m->ctx, T_LEADS, h, 1);
    if (!r) {
        *rc = b2b2c__lead_missing(m, id, n);
        return NULL;
    }
    m->last = r->idx1;
    return r;
}

/* What the alert after the commit needs. */
typedef struct event_out {
    lead_rec *r;
    int32_t before, after;
} event_out;

/* The effect of one event on a lead (kind's per-kind entry ks in r->ks,
 * `dealer`: the lead was with a dealer then, so it earns no points): the
 * band change by decay since the last event, the aggregates brought to
 * `now`, the counts, caps, points and hot hold, and the band. The one
 * place this is done, for events in order and for the replay of a late
 * one (lead_late.c), so both take the same steps in the same order. */
static inline void lead_apply(const b2b2c_lead_model *m, lead_rec *r,
                              lead_ks *ks, int32_t kind, int64_t now,
                              double value, int dealer, double fit,
                              int32_t *before_out, int32_t *after_out)
{
    const lead_kind *kd = &m->kinds[kind];
    double f = b2b2c__lead_decay(m, r->t0, now);
    int32_t before, after, dband = r->band, dold = 0;
    int64_t dat = 0;

    before = b2b2c__lead_band_of(m, fit + r->eng * f, now, r->hot_until);
    if (before != r->band) /* decay (or a config change) moved the band */
        b2b2c__lead_band_entry(m, r, now, &dband, &dold, &dat);
    /* A band change by decay since the last event is kept as the latest
     * change before this event is applied. */
    if (dband != r->band) {
        r->band = (uint8_t)dband;
        r->band_prev = (uint8_t)dold;
        r->band_at = dat;
    }
    /* Bring every aggregate to `now`: E(now) = E(t0) * 2^(-(now-t0)/h). */
    r->eng *= f;
    for (uint32_t i = 0; i < r->nk; i++) {
        r->ks[i].cnt *= f;
        r->ks[i].val *= f;
    }
    r->t0 = now;
    ks->cnt += 1.0;
    ks->val += value;
    if (!dealer) {
        /* |now| < 2^38 (checked by the callers): the local day fits in 22
         * bits */
        int32_t day = (int32_t)b2b2c__day(m->ctx, now);
        if (ks->day != day) {
            ks->day = day;
            ks->day_n = 0;
        }
        if ((kd->cap_day == 0 || ks->day_n < kd->cap_day) &&
            (kd->cap_total == 0 || ks->total_n < kd->cap_total)) {
            ks->day_n++;
            ks->total_n++;
            r->eng += kd->points;
            if (r->eng < 0)
                r->eng = 0;
            if (kd->hot_days > 0) {
                int64_t until = now + (int64_t)(kd->hot_days * LEAD_DAY);
                if (until > r->hot_until)
                    r->hot_until = until;
            }
        }
    }
    after = b2b2c__lead_band_of(m, fit + r->eng, now, r->hot_until);
    if (after != before) {
        r->band_prev = (uint8_t)before;
        r->band_at = now;
    }
    r->band = (uint8_t)after;
    *before_out = before;
    *after_out = after;
}

/* lead_apply for lead_late.c (the event path inlines it). */
void b2b2c__lead_apply(const b2b2c_lead_model *m, lead_rec *r, lead_ks *ks,
                       int32_t kind, int64_t now, double value, int dealer,
                       double fit, int32_t *before_out, int32_t *after_out)
{
    lead_apply(m, r, ks, kind, now, value, dealer, fit, before_out,
               after_out);
}

static int event_body(b2b2c_lead_model *m, const char *id, size_t n,
                      int32_t kind, int64_t now, double value, event_out *o)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_rec *r;
    lead_ks *ks = NULL, *nks = NULL;
    int rc = 0; /* set by event_lead on every failure; GCC cannot tell */

    if (!(r = event_lead(m, id, n, &rc)))
        return rc;
#if defined(__GNUC__)
    /* The index compare brought in the record's first line: start the
     * loads of its second line and of the per-kind array now, in
     * parallel, instead of one after the other below. */
    __builtin_prefetch((const char *)r + 64);
    __builtin_prefetch(r->ks);
#endif
    if (kind < 0 || (uint32_t)kind >= m->nkinds)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "kind: no event kind %d",
                          (int)kind);
    if ((rc = b2b2c__check_not_before(ctx, now, "now", r->created,
                                      "the creation of lead", id)) != 0)
        return rc;
    if (now < r->t0) { /* late: lead_late.c */
        o->r = r;
        if ((rc = b2b2c__lead_late_event(m, r, kind, now, value, &o->before,
                                         &o->after)) != 0)
            return rc;
        return b2b2c__lead_write(m, r);
    }

    for (uint32_t i = 0; i < r->nk; i++)
        if (r->ks[i].kind == (uint16_t)kind) {
            ks = &r->ks[i];
            break;
        }
    if ((rc = lead_save(m, r)) != 0)
        return rc;
    if ((r->late || lead_param(m, B2B2C_LEAD_LATENESS_DAYS) > 0) &&
        (rc = b2b2c__lead_late_keep(m, r, kind, now, value,
                                    with_dealer(r->stage))) != 0)
        return rc;
    if (!ks && r->nk == r->capk) {
        size_t cap = r->capk ? (size_t)r->capk * 2 : 2;
        if (cap > B2B2C_LEAD_EV_MAX)
            cap = B2B2C_LEAD_EV_MAX;
        nks = b2b2c__malloc(ctx, cap * sizeof(lead_ks));
        if (!nks)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_free_on_fail(ctx, nks)) != 0) {
            b2b2c__free(ctx, nks);
            return rc;
        }
        if (r->ks && (rc = b2b2c__undo_free_on_commit(ctx, r->ks)) != 0)
            return rc;
        if (r->nk)
            memcpy(nks, r->ks, r->nk * sizeof(lead_ks));
        r->ks = nks;
        r->capk = (uint16_t)cap;
    }
    if (!ks) {
        ks = &r->ks[r->nk++];
        memset(ks, 0, sizeof(*ks));
        ks->kind = (uint16_t)kind;
        ks->day = INT32_MIN;
    }
    lead_apply(m, r, ks, kind, now, value, with_dealer(r->stage),
               b2b2c__lead_fit(m, r), &o->before, &o->after);
    o->r = r;
    return write_rec(m, r);
}

int b2b2c_lead_event(b2b2c_lead_model *m, const char *id, int32_t kind,
                     int64_t now, double value)
{
    b2b2c_ctx *ctx;
    event_out o = {NULL, 0, 0};
    size_t n;
    int rc;

    if ((rc = b2b2c__lead_begin(m, NULL, NULL)) != 0)
        return rc;
    ctx = m->ctx;
    if ((rc = b2b2c__check_amount(ctx, value, "value")) != 0 ||
        (rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    /* (b2b2c__id_check scans an all-ASCII ID once, so checking first costs
     * no second pass.) */
    if (b2b2c__id_check(id, &n))
        return b2b2c__err(ctx, id ? B2B2C_EBADID : B2B2C_EINVAL,
                          "id: not a valid lead ID");
    B2B2C__CALL(rc, ctx, m, event_body(m, id, n, kind, now, value, &o));
    if (rc == 0 && o.after != o.before && m->alert) {
        /* A notification: the event is committed whatever it returns, so
         * its value is not the call's status (which is 0 or negative). */
        b2b2c__cb_enter(ctx);
        (void)m->alert(o.r->id, o.before, o.after, now, m->alert_payload);
        b2b2c__cb_leave(ctx);
    }
    return rc;
}

int b2b2c_lead_set_alert(b2b2c_lead_model *m, b2b2c_lead_band_cb cb,
                         void *payload)
{
    if (!m)
        return B2B2C_EINVAL;
    m->alert = cb;
    m->alert_payload = cb ? payload : NULL;
    return 0;
}
