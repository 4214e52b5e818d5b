/* SPDX-License-Identifier: MIT */
/*
 * Folding (issue 20, first slice): a customer's product purchases before
 * a local midnight reduced to one prefix summary (fc_fold), and the
 * summary at a later time computed from that prefix plus the purchases
 * kept, with exactly the bits b2b2c__fc_summarise gives on the whole log.
 *
 * Why the bits stay the same: b2b2c__fc_summarise merges a log into
 * distinct local days (x the number of repeat purchase days, t_x the time
 * of the last one, T the time since the first: all the BG/NBD likelihood,
 * Fader, Hardie & Lee 2005 eq. 6, sees of a log; m the mean repeat spend,
 * all Gamma-Gamma, Fader & Hardie 2013 eq. 3, sees) and adds the day
 * totals in day order from 0. The fold point is a
 * local midnight of the offset that cut the days, so no day is split
 * between the prefix and the purchases kept; each folded day's total is
 * the same sum of the same amounts in log order; and the running sums of
 * all days and of the repeat days are continued from the prefix's, the
 * same additions in the same order. The record forecast_fold is encoded
 * and checked here; fc_fold_call.c has the public call and what the
 * other consumers read of a fold (docs/forecaster.md, "Folding old
 * purchases").
 */
#include <math.h>

#include "forecast/fc_state.h"

void b2b2c__fc_fold_init(fc_fold *fo, const b2b2c_ctx *ctx)
{
    memset(fo, 0, sizeof(*fo));
    fo->before = INT64_MIN; /* nothing folded */
    fo->utc_offset = ctx->utc_offset;
    fo->first_time = INT64_MAX;
}

int b2b2c__fc_fold_usable(const fc_fold *fo, const b2b2c_ctx *ctx)
{
    return fo->before == INT64_MIN || fo->utc_offset == ctx->utc_offset;
}

/* Continue the prefix (k days, running sums *total and
 * *rep) with u more days' totals, in day order. */
static void run_sums(double *total, double *rep, size_t k, const double *tot,
                     size_t u)
{
    for (size_t j = 0; j < u; j++) {
        *total += tot[j];
        if (k + j > 0)
            *rep += tot[j];
    }
}

int b2b2c__fc_fold_extend(fc_fold *fo, const b2b2c_ctx *ctx,
                          const fc_cust *c, int64_t before, fc_scratch *sc)
{
    int64_t cut, from = fo->before;
    size_t u;
    if (!b2b2c__fc_fold_usable(fo, ctx))
        return B2B2C_ESTATE;
    if (!b2b2c__time_ok(before))
        return B2B2C_ERANGE;
    cut = b2b2c__day_start(ctx, b2b2c__day(ctx, before));
    if (cut <= from)
        return 0; /* folded that far already */
    for (size_t i = 0; i < c->n; i++) {
        const fc_purchase *p = &c->p[i];
        if (p->time < from || p->time >= cut)
            continue;
        if (p->time < fo->first_time)
            fo->first_time = p->time;
        if (fo->count == 0 || p->time > fo->last_time)
            fo->last_time = p->time;
        fo->count++;
        if (p->kind == B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION) {
            if (fo->nsub == 0 || p->time < fo->sub_first)
                fo->sub_first = p->time;
            if (fo->nsub == 0 || p->time > fo->sub_last)
                fo->sub_last = p->time;
            fo->sub_rev += p->amount;
            fo->nsub++;
        }
    }
    u = b2b2c__fc_product_days(ctx, c, from, cut, 0, sc->days, sc->tot);
    if (u > 0) {
        if (fo->ndays == 0)
            fo->first_day = sc->days[0];
        fo->last_day = sc->days[u - 1];
        run_sums(&fo->total, &fo->rep, fo->ndays, sc->tot, u);
        fo->ndays += u;
    }
    fo->before = cut;
    fo->utc_offset = ctx->utc_offset;
    return 0;
}

int b2b2c__fc_summarise_fold(const b2b2c_ctx *ctx, const fc_fold *fo,
                             const fc_cust *c, int64_t end, int incl,
                             double unit_days, fc_scratch *sc, fc_summ *s)
{
    size_t k = fo->ndays, u, n;
    int64_t first_day, last_day;
    double total, rep;
    if (fo->before == INT64_MIN)
        return b2b2c__fc_summarise(ctx, c, end, incl, unit_days, sc, s);
    u = b2b2c__fc_product_days(ctx, c, fo->before, end, incl, sc->days,
                               sc->tot);
    n = k + u;
    if (n == 0)
        return 0;
    first_day = k ? fo->first_day : sc->days[0];
    last_day = u ? sc->days[u - 1] : fo->last_day;
    total = k ? fo->total : 0;
    rep = k ? fo->rep : 0;
    run_sums(&total, &rep, k, sc->tot, u);
    s->ndays = n;
    s->first_day = first_day;
    s->last_day = last_day;
    s->x = (double)(n - 1);
    s->tx = (double)(last_day - first_day) / unit_days;
    /* the same expression as b2b2c__fc_summarise's, term for term */
    s->T = ((double)end / FC_DAY + (double)ctx->utc_offset / FC_DAY -
            (double)first_day) /
           unit_days;
    s->total = total;
    s->m = n > 1 ? rep / (double)(n - 1) : 0;
    return 1;
}

size_t b2b2c__fc_fold_point(const b2b2c_ctx *ctx, const fc_cust *c,
                            int64_t before, int64_t *sufmin, int64_t *cut)
{
    int64_t pmax = INT64_MIN;
    size_t k = 0;
    /* sufmin[i]: the earliest time of p[i..n), INT64_MAX for i == n */
    if (c->n > 0) {
        sufmin[c->n - 1] = c->p[c->n - 1].time;
        for (size_t i = c->n - 1; i-- > 0;)
            sufmin[i] = c->p[i].time < sufmin[i + 1] ? c->p[i].time
                                                      : sufmin[i + 1];
    }
    *cut = b2b2c__day_start(
        ctx, b2b2c__day(ctx, c->n > 0 && sufmin[0] < before ? sufmin[0]
                                                            : before));
    /* p[0..j) folds at the latest midnight at or before both `before` and
     * p[j..n)'s earliest time when all of p[0..j) lie before it; that
     * midnight grows with j, so the largest such j folds the most */
    for (size_t j = 1; j <= c->n; j++) {
        int64_t lim = j < c->n && sufmin[j] < before ? sufmin[j] : before;
        int64_t m = b2b2c__day_start(ctx, b2b2c__day(ctx, lim));
        if (c->p[j - 1].time > pmax)
            pmax = c->p[j - 1].time;
        if (pmax < m) {
            k = j;
            *cut = m;
        }
    }
    return k;
}

/* ---- the forecast_fold record -------------------------------------------- */

size_t b2b2c__fc_folded_size(uint32_t nsvc, uint32_t ngap)
{
    return sizeof(fc_folded) + (size_t)nsvc * sizeof(fc_pair) +
           (size_t)ngap * sizeof(fc_gap);
}

void b2b2c__fc_fold_enc(b2b2c__wbuf *w, b2b2c_ctx *ctx, const fc_folded *fd)
{
    const fc_fold *fo = &fd->fo;
    b2b2c__enc_begin(w, &ctx->mem, 1);
    b2b2c__enc_i64(w, fo->before);
    b2b2c__enc_u32(w, (uint32_t)fo->utc_offset);
    b2b2c__enc_u64(w, fo->count);
    b2b2c__enc_i64(w, fo->first_time);
    b2b2c__enc_i64(w, fo->last_time);
    b2b2c__enc_u64(w, (uint64_t)fo->ndays);
    b2b2c__enc_i64(w, fo->first_day);
    b2b2c__enc_i64(w, fo->last_day);
    b2b2c__enc_f64(w, fo->total);
    b2b2c__enc_f64(w, fo->rep);
    b2b2c__enc_u64(w, fo->nsub);
    b2b2c__enc_i64(w, fo->sub_first);
    b2b2c__enc_i64(w, fo->sub_last);
    b2b2c__enc_f64(w, fo->sub_rev);
    b2b2c__enc_u32(w, (uint32_t)fd->segment);
    b2b2c__enc_u32(w, fd->nsvc);
    for (uint32_t i = 0; i < fd->nsvc; i++) {
        b2b2c__enc_u32(w, (uint32_t)fd->pair[i].key);
        b2b2c__enc_u64(w, fd->pair[i].count);
        b2b2c__enc_f64(w, fd->pair[i].sum);
    }
    b2b2c__enc_u32(w, fd->ngap);
    for (uint32_t i = 0; i < fd->ngap; i++) {
        b2b2c__enc_u32(w, fc_gaps(fd)[i].days);
        b2b2c__enc_u64(w, fc_gaps(fd)[i].count);
    }
}

static int sum_ok(double v)
{
    return v >= 0 && isfinite(v);
}

/* A decoded fold that could have been written: every field in range and
 * consistent with the others (one purchase at least). */
static int fold_ok(const fc_fold *fo, uint64_t ndays)
{
    int64_t bday;
    if (!b2b2c__time_ok(fo->before) || fo->utc_offset < B2B2C_UTC_OFFSET_MIN ||
        fo->utc_offset > B2B2C_UTC_OFFSET_MAX)
        return 0;
    bday = b2b2c__period_off(fo->before, FC_DAY, fo->utc_offset);
    if (bday * FC_DAY - fo->utc_offset != fo->before) /* not a midnight */
        return 0;
    if (fo->count == 0 || !b2b2c__time_ok(fo->first_time) ||
        fo->first_time > fo->last_time || fo->last_time >= fo->before)
        return 0;
    if (ndays > fo->count || fo->nsub > fo->count - ndays)
        return 0;
    if (ndays == 0) {
        if (fo->first_day || fo->last_day || fo->total != 0 || fo->rep != 0)
            return 0;
    } else if (fo->first_day <
                   b2b2c__period_off(fo->first_time, FC_DAY, fo->utc_offset) ||
               fo->first_day > fo->last_day || fo->last_day >= bday ||
               fo->last_day >
                   b2b2c__period_off(fo->last_time, FC_DAY, fo->utc_offset) ||
               (uint64_t)(fo->last_day - fo->first_day) < ndays - 1 ||
               !sum_ok(fo->total) || !sum_ok(fo->rep) || fo->rep > fo->total)
        return 0;
    if (fo->nsub == 0)
        return !fo->sub_first && !fo->sub_last && fo->sub_rev == 0;
    return fo->sub_first >= fo->first_time && fo->sub_first <= fo->sub_last &&
           fo->sub_last <= fo->last_time && sum_ok(fo->sub_rev);
}

/* The pairs of fd consistent with its prefix summary: service kinds
 * ascending and services only, counting at most the purchases that are
 * neither product days nor subscriptions; gaps ascending, counting the
 * product days - 1 and spanning first_day..last_day. */
static int pairs_ok(const fc_folded *fd)
{
    const fc_fold *fo = &fd->fo;
    uint64_t n = 0, span = 0;
    int64_t prev = 0;
    for (uint32_t i = 0; i < fd->nsvc; i++) {
        const fc_pair *q = &fd->pair[i];
        if (q->key <= prev || q->key > B2B2C_FORECAST_KIND_MAX ||
            q->key == B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION ||
            q->count == 0 || q->count > fo->count || !sum_ok(q->sum))
            return 0;
        prev = q->key;
        n += q->count;
    }
    if (n > fo->count - fo->ndays - fo->nsub)
        return 0;
    n = 0;
    prev = 0;
    for (uint32_t i = 0; i < fd->ngap; i++) {
        const fc_gap *q = &fc_gaps(fd)[i];
        if (q->days <= prev || q->count == 0 || q->count > fo->ndays)
            return 0;
        prev = q->days;
        n += q->count;
        span += (uint64_t)q->days * q->count;
    }
    return n == (fo->ndays ? fo->ndays - 1 : 0) &&
           span == (uint64_t)(fo->last_day - fo->first_day) &&
           b2b2c_segment_name(fd->segment) != NULL;
}

int b2b2c__fc_dec_fold(b2b2c_ctx *ctx, const void *k, size_t kl,
                       const void *val, size_t vl, fc_folded **out)
{
    b2b2c__rbuf r;
    fc_fold d;
    fc_folded *fd = NULL;
    uint64_t ndays = 0;
    uint32_t nsvc = 0, ngap = 0;
    int32_t seg = 0;
    int rc = b2b2c__dec_begin(&r, val, vl, 1);
    memset(&d, 0, sizeof(d));
    if (rc == 0) {
        d.before = b2b2c__dec_i64(&r);
        d.utc_offset = (int32_t)b2b2c__dec_u32(&r);
        d.count = b2b2c__dec_u64(&r);
        d.first_time = b2b2c__dec_i64(&r);
        d.last_time = b2b2c__dec_i64(&r);
        ndays = b2b2c__dec_u64(&r);
        d.first_day = b2b2c__dec_i64(&r);
        d.last_day = b2b2c__dec_i64(&r);
        d.total = b2b2c__dec_f64(&r);
        d.rep = b2b2c__dec_f64(&r);
        d.nsub = b2b2c__dec_u64(&r);
        d.sub_first = b2b2c__dec_i64(&r);
        d.sub_last = b2b2c__dec_i64(&r);
        d.sub_rev = b2b2c__dec_f64(&r);
        seg = (int32_t)b2b2c__dec_u32(&r);
        nsvc = b2b2c__dec_u32(&r);
        if (r.err || !fold_ok(&d, ndays) || nsvc >= FC_NKIND)
            rc = B2B2C_ECORRUPT;
    }
    if (rc == 0) {
        /* room for the gaps the bytes left can hold (20 per service pair,
         * then 4 + 12 per gap): no allocation beyond the record's size */
        size_t left = b2b2c__dec_left(&r), sz;
        uint32_t cap = (uint32_t)(left > 4 + 20 * (size_t)nsvc
                                      ? (left - 4 - 20 * (size_t)nsvc) / 12
                                      : 0);
        d.ndays = (size_t)ndays;
        sz = b2b2c__fc_folded_size(nsvc, cap);
        if (!(fd = b2b2c__malloc(ctx, sz)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        memset(fd, 0, sz); /* hashed */
        memcpy(&fd->fo, &d, sizeof d);
        fd->segment = seg;
        fd->nsvc = nsvc;
        for (uint32_t i = 0; i < nsvc; i++) {
            fd->pair[i].key = b2b2c__dec_u32(&r);
            fd->pair[i].count = b2b2c__dec_u64(&r);
            fd->pair[i].sum = b2b2c__dec_f64(&r);
        }
        ngap = b2b2c__dec_u32(&r);
        if (r.err || ngap > cap)
            rc = B2B2C_ECORRUPT;
        for (uint32_t i = 0; rc == 0 && i < ngap; i++) {
            uint64_t k = b2b2c__dec_u32(&r), n = b2b2c__dec_u64(&r);
            if (n > UINT32_MAX)
                rc = B2B2C_ECORRUPT;
            fc_gaps(fd)[i].days = (uint32_t)k;
            fc_gaps(fd)[i].count = (uint32_t)n;
        }
        fd->ngap = ngap;
        if (rc == 0)
            rc = b2b2c__dec_finish(&r);
        if (rc == 0 && !pairs_ok(fd))
            rc = B2B2C_ECORRUPT;
    }
    if (rc == 0 && (kl == 0 || kl > B2B2C__ID_MAX))
        rc = B2B2C_ECORRUPT;
    if (rc) {
        b2b2c__free(ctx, fd);
        return b2b2c__fc_rec_err(ctx, rc, FC_T_FOLD, k, kl);
    }
    *out = fd;
    return 0;
}
