/* SPDX-License-Identifier: MIT */
/*
 * Merging two leads found to be one person (issue 20): the decayed
 * aggregates of `from` are added into `into` as if its events had hit
 * `into`, the further-along stage wins, and `from` is removed.
 */
#include "lead_internal.h"

/* How far along the funnel a stage is: lost and disqualified below every
 * live stage (a live lead is not dropped by its dropped duplicate). */
static int stage_rank(int stage)
{
    static const int8_t rank[LEAD_NSTAGES] = {
        /* new */ 1, /* nurturing */ 2, /* qualified */ 3,
        /* passed_to_dealer */ 4, /* accepted_by_dealer */ 5, /* won */ 6,
        /* lost */ 0, /* disqualified */ 0, /* customer */ 7,
        /* repeat_due */ 8};
    return rank[stage];
}

/* The stage change into `stage` at `now`, appended to r's history (as
 * b2b2c_lead_set_stage stores it, version 2 with the band). */
static int append_stage(b2b2c_lead_model *m, lead_rec *r, int32_t stage,
                        int64_t now)
{
    char key[B2B2C__ID_MAX + 5];
    b2b2c__wbuf w;
    int32_t band;
    int rc;
    b2b2c__lead_score_at(m, r, now, &band);
    b2b2c__lead_hist_key(key, r, r->nhist);
    b2b2c__enc_begin(&w, &m->ctx->mem, 2);
    b2b2c__enc_u8(&w, r->stage);
    b2b2c__enc_u8(&w, (uint8_t)stage);
    b2b2c__enc_i64(&w, now);
    b2b2c__enc_u8(&w, (uint8_t)band);
    if ((rc = b2b2c__st_put_rec(m->ctx, T_STAGES, key, r->idlen + 5u,
                                &w)) != 0 ||
        (rc = b2b2c__lead_hist_append(m, r,
                                      LEAD_HIST_PACK(now, band, stage))) != 0)
        return rc;
    r->stage = (uint8_t)stage;
    r->stage_at = now;
    r->nhist++;
    return 0;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/*
 * The aggregates: both brought to T = the later of the two last events,
 * E(T) = E_into(t0i) 2^(-(T - t0i)/h) + E_from(t0f) 2^(-(T - t0f)/h), and
 * so every per-kind decayed count and value sum; the counters of caps
 * added (a day's when both are of one day, else the later day's); the
 * later hot hold. The band at T follows, as after an event.
 */
static int merge_aggregates(b2b2c_lead_model *m, lead_rec *r,
                            const lead_rec *f)
{
    b2b2c_ctx *ctx = m->ctx;
    int64_t t = max64(r->t0, f->t0);
    double di = b2b2c__lead_decay(m, r->t0, t);
    double df = b2b2c__lead_decay(m, f->t0, t);
    double fit = b2b2c__lead_fit(m, r);
    uint32_t cap = (uint32_t)r->nk + f->nk, nk = r->nk;
    int32_t before, after, dband = r->band, dold = 0;
    int64_t dat = 0;
    lead_ks *ks;
    int rc;

    if (cap > B2B2C_LEAD_EV_MAX)
        cap = B2B2C_LEAD_EV_MAX;
    if (cap < 2)
        cap = 2;
    ks = b2b2c__malloc(ctx, cap * sizeof(lead_ks));
    if (!ks)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_free_on_fail(ctx, ks)) != 0) {
        b2b2c__free(ctx, ks);
        return rc;
    }
    if ((r->ks && (rc = b2b2c__undo_free_on_commit(ctx, r->ks)) != 0) ||
        (r->late && (rc = b2b2c__undo_free_on_commit(ctx, r->late)) != 0))
        return rc;
    /* a band change by decay since into's last event, as an event keeps */
    before = b2b2c__lead_band_of(m, fit + r->eng * di, t, r->hot_until);
    if (before != r->band)
        b2b2c__lead_band_entry(m, r, t, &dband, &dold, &dat);
    if (dband != r->band) {
        r->band = (uint8_t)dband;
        r->band_prev = (uint8_t)dold;
        r->band_at = dat;
    }
    if (r->nk)
        memcpy(ks, r->ks, r->nk * sizeof(lead_ks));
    for (uint32_t i = 0; i < nk; i++) {
        ks[i].cnt *= di;
        ks[i].val *= di;
    }
    for (uint32_t j = 0; j < f->nk; j++) {
        const lead_ks *s = &f->ks[j];
        lead_ks *d = NULL;
        for (uint32_t i = 0; i < nk; i++)
            if (ks[i].kind == s->kind) {
                d = &ks[i];
                break;
            }
        if (!d) {
            d = &ks[nk++];
            *d = *s;
            d->cnt = s->cnt * df;
            d->val = s->val * df;
            continue;
        }
        d->cnt += s->cnt * df;
        d->val += s->val * df;
        d->total_n += s->total_n;
        if (s->day == d->day)
            d->day_n += s->day_n;
        else if (s->day > d->day) {
            d->day = s->day;
            d->day_n = s->day_n;
        }
    }
    r->ks = ks;
    r->nk = (uint16_t)nk;
    r->capk = (uint16_t)cap;
    r->late = NULL;
    r->eng = r->eng * di + f->eng * df;
    r->t0 = t;
    if (f->hot_until > r->hot_until)
        r->hot_until = f->hot_until;
    after = b2b2c__lead_band_of(m, fit + r->eng, t, r->hot_until);
    if (after != r->band) {
        r->band_prev = r->band;
        r->band_at = t;
    }
    r->band = (uint8_t)after;
    return 0;
}

static int merge_body(b2b2c_lead_model *m, const char *from_id,
                      const char *into_id, int64_t now)
{
    b2b2c_ctx *ctx = m->ctx;
    char key[B2B2C__ID_MAX + 5];
    lead_rec *f, *r;
    int64_t last;
    int rc = 0;

    if (!(f = b2b2c__lead_find(m, from_id, &rc)))
        return rc == B2B2C_ENOTFOUND
                   ? b2b2c__err(ctx, rc, "from_id: no lead '%s'", from_id)
                   : b2b2c__err(ctx, rc, "from_id: not a valid lead ID");
    if (!(r = b2b2c__lead_find(m, into_id, &rc)))
        return rc == B2B2C_ENOTFOUND
                   ? b2b2c__err(ctx, rc, "into_id: no lead '%s'", into_id)
                   : b2b2c__err(ctx, rc, "into_id: not a valid lead ID");
    if (f == r)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "from_id: the same lead as into_id ('%s')",
                          into_id);
    last = max64(max64(r->t0, f->t0), max64(r->stage_at, f->stage_at));
    if (now < last)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "now: %lld is before the last event or stage "
                          "change of lead '%s' or '%s' at %lld",
                          (long long)now, from_id, into_id, (long long)last);
    if ((rc = b2b2c__undo_save(ctx, r, sizeof(*r))) != 0)
        return rc;
    /* into's attributes win; from's fill the ones into lacks */
    if (r->segment == B2B2C_SEGMENT_UNKNOWN)
        r->segment = f->segment;
    if (!r->chan)
        r->chan = f->chan;
    if (!r->region)
        r->region = f->region;
    if (!r->prod)
        r->prod = f->prod;
    if ((rc = merge_aggregates(m, r, f)) != 0)
        return rc;
    if (stage_rank(f->stage) > stage_rank(r->stage) &&
        (rc = append_stage(m, r, f->stage, now)) != 0)
        return rc;
    if ((rc = b2b2c__lead_write(m, r)) != 0)
        return rc;
    /* from goes as b2b2c_lead_remove takes it (its history with it) */
    for (uint32_t i = 0; i < f->nhist && rc == 0; i++) {
        b2b2c__lead_hist_key(key, f, i);
        rc = b2b2c__st_del(ctx, T_STAGES, key, f->idlen + 5u);
    }
    if (rc || (rc = b2b2c__st_del(ctx, T_LEADS, f->id, f->idlen)) != 0)
        return rc;
    return b2b2c__lead_unlink(m, f); /* r may move: not used after */
}

int b2b2c_lead_merge(b2b2c_lead_model *m, const char *from_id,
                     const char *into_id, int64_t now)
{
    int rc;
    if ((rc = b2b2c__lead_begin(m, !from_id   ? "from_id"
                                   : !into_id ? "into_id"
                                              : NULL,
                                &now)) != 0)
        return rc;
    B2B2C__CALL(rc, m->ctx, m, merge_body(m, from_id, into_id, now));
    return rc;
}
