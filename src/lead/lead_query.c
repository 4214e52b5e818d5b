/* SPDX-License-Identifier: MIT */
/* Lead model queries: top N, counts per band x segment x channel, band
 * changes. One pass over the leads, which sit in chunks in creation order. */
#include <math.h>

#include "lead_internal.h"
#include "listing.h"

typedef struct top_ent {
    double key;
    lead_rec *r;
} top_ent;

/* a ranks before b: higher key, then smaller ID */
static int better(const top_ent *a, const top_ent *b)
{
    if (a->key != b->key)
        return a->key > b->key;
    return strcmp(a->r->id, b->r->id) < 0;
}

/* min-heap on `better`: the root is the worst entry kept */
static void sift_down(top_ent *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, w = i;
        if (l < n && better(&h[w], &h[l]))
            w = l;
        if (l + 1 < n && better(&h[w], &h[l + 1]))
            w = l + 1;
        if (w == i)
            return;
        top_ent t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(top_ent *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(&h[p], &h[i]))
            return;
        top_ent t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

int b2b2c_lead_top(const b2b2c_lead_model *m, int64_t now, int32_t n,
                   int32_t by, int32_t band, int32_t segment, int32_t stage,
                   const char *region, b2b2c_lead_row_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    top_ent *h;
    size_t hn = 0, cap;
    uint32_t reg = 0;
    int ready, rc = 0;
    double hl;

    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: NULL");
    if (n < 1 || n > 1000000)
        return b2b2c__err(ctx, B2B2C_ERANGE, "n: outside [1, 1000000]");
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    if (by != B2B2C_LEAD_BY_SCORE && by != B2B2C_LEAD_BY_PROBABILITY)
        return b2b2c__err(ctx, B2B2C_EINVAL, "by: unknown order %d", (int)by);
    if (band != -1 && (band < B2B2C_BAND_COLD || band > B2B2C_BAND_HOT))
        return b2b2c__err(ctx, B2B2C_EINVAL, "band: unknown band %d",
                          (int)band);
    if (segment != -1 && (segment < 0 || segment >= LEAD_NSEG))
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if (stage != -1 && !b2b2c_lead_stage_name(stage))
        return b2b2c__err(ctx, B2B2C_EINVAL, "stage: unknown stage %d",
                          (int)stage);
    if ((rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    ready = b2b2c__lead_ready(m);
    if (by == B2B2C_LEAD_BY_PROBABILITY && !ready)
        return b2b2c__err(ctx, B2B2C_ENOTREADY,
                          "by: the learned model is not ready");
    if (region) {
        char key[B2B2C__ID_MAX + 2];
        size_t rl;
        const lead_attr *a;
        if (b2b2c__id_check(region, &rl))
            return b2b2c__err(ctx, B2B2C_EBADID, "region: not a valid ID");
        key[0] = (char)B2B2C_LEAD_ATTR_REGION;
        memcpy(key + 1, region, rl);
        a = b2b2c__map_get(&m->attrmap, key, rl + 1);
        if (!a)
            return 0; /* no lead has this region */
        reg = a->idx + 1;
    }
    cap = (size_t)n < m->nleads ? (size_t)n : m->nleads;
    h = b2b2c__malloc(ctx, (cap ? cap : 1) * sizeof(*h));
    if (!h)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    hl = lead_param(m, B2B2C_LEAD_HALF_LIFE_DAYS) * LEAD_DAY;
    for (size_t i = 0; i < m->nleads; i++) {
        lead_rec *r = lead_at(m, i);
        top_ent e;
        double fit;
        if ((segment != -1 && r->segment != segment) ||
            (stage != -1 && r->stage != stage) ||
            (reg && r->region != reg))
            continue;
        if (by == B2B2C_LEAD_BY_SCORE) {
            int32_t b;
            fit = b2b2c__lead_fit(m, r);
            /* the decay factor is <= 1: skip the exp2 when even the
             * undecayed score cannot enter a full heap */
            if (hn == cap && fit + r->eng < h[0].key)
                continue;
            e.key = fit + (now > r->t0
                               ? r->eng * exp2(-(double)(now - r->t0) / hl)
                               : r->eng);
            if (band != -1) {
                b = b2b2c__lead_band_of(m, e.key, now, r->hot_until);
                if (b != band)
                    continue;
            }
        } else {
            if (band != -1) {
                int32_t b;
                b2b2c__lead_score_at(m, r, now, &b);
                if (b != band)
                    continue;
            }
            e.key = b2b2c__lead_logit(m, r, now);
        }
        e.r = r;
        if (hn < cap) {
            h[hn] = e;
            sift_up(h, hn++);
        } else if (better(&e, &h[0])) {
            h[0] = e;
            sift_down(h, hn, 0);
        }
    }
    /* heap sort: pop the worst to the end, leaving best first */
    for (size_t k = hn; k > 1; k--) {
        top_ent t = h[0];
        h[0] = h[k - 1];
        h[k - 1] = t;
        sift_down(h, k - 1, 0);
    }
    b2b2c__cb_enter(ctx);
    for (size_t i = 0; i < hn && rc == 0; i++) {
        int32_t b;
        double s = b2b2c__lead_score_at(m, h[i].r, now, &b);
        double p = ready ? b2b2c__lead_prob(m, h[i].r, now) : NAN;
        rc = cb(h[i].r->id, s, b, p, payload);
    }
    b2b2c__cb_leave(ctx);
    b2b2c__free(ctx, h);
    return rc;
}

int b2b2c_lead_counts(const b2b2c_lead_model *m, int64_t now,
                      b2b2c_lead_count_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    uint64_t *c;
    size_t nc;
    int rc = 0;

    if ((rc = b2b2c__lead_read_begin(m, cb ? NULL : "cb", &now)) != 0)
        return rc;
    ctx = m->ctx;
    nc = m->nattrs + 1;
    c = b2b2c__malloc(ctx, 4 * LEAD_NSEG * nc * sizeof(*c));
    if (!c)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(c, 0, 4 * LEAD_NSEG * nc * sizeof(*c));
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        int32_t b;
        b2b2c__lead_score_at(m, r, now, &b);
        c[((size_t)b * LEAD_NSEG + r->segment) * nc + r->chan]++;
    }
    b2b2c__cb_enter(ctx);
    for (int32_t b = 1; b <= 3 && rc == 0; b++)
        for (int32_t s = 0; s < LEAD_NSEG && rc == 0; s++)
            for (size_t ch = 0; ch < nc && rc == 0; ch++) {
                uint64_t v = c[((size_t)b * LEAD_NSEG + (size_t)s) * nc + ch];
                if (v)
                    rc = cb(b, s, ch ? m->attrs[ch - 1]->key + 1 : "", v,
                            payload);
            }
    b2b2c__cb_leave(ctx);
    b2b2c__free(ctx, c);
    return rc;
}

/* A lead in b2b2c_lead_band_changes: its band at the listing's `now`,
 * when it was entered and which band it left. */
static int band_row(const b2b2c__list *l, const void *rec)
{
    const lead_rec *r = rec;
    int32_t b, o;
    int64_t at;
    b2b2c__lead_band_entry(l->h, r, l->now, &b, &o, &at);
    return ((b2b2c_lead_band_cb)l->cb)(r->id, o, b, at, l->userdata);
}

int b2b2c_lead_band_changes(const b2b2c_lead_model *m, int64_t since,
                            int64_t now, b2b2c_lead_band_cb cb, void *payload)
{
    b2b2c__list l;
    int rc;
    if ((rc = b2b2c__lead_read_begin(m, cb ? NULL : "cb", &now)) != 0)
        return rc;
    if (since > now)
        return b2b2c__err(m->ctx, B2B2C_ERANGE, "since: after now");
    /* in ID order, as listings are: the leads' places in memory differ
     * between contexts that applied the same changes in another order */
    if ((rc = b2b2c__list_open(&l, m->ctx, (b2b2c__list_fn)cb, payload)) ||
        (rc = b2b2c__list_reserve(&l, m->nleads)))
        return rc;
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        int32_t b, o;
        int64_t at;
        b2b2c__lead_band_entry(m, r, now, &b, &o, &at);
        if (at >= since && at <= now)
            b2b2c__list_add(&l, r->id, r->idlen, r);
    }
    l.h = m;
    l.now = now;
    return b2b2c__list_emit(&l, band_row);
}
