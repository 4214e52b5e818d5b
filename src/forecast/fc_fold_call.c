/* SPDX-License-Identifier: MIT */
/*
 * Folding old purchases (issue 20): b2b2c_forecaster_fold, which reduces
 * each customer's purchases older than B2B2C_FORECASTER_FOLD_DAYS to the
 * prefix summary of fc_fold.c plus what the other consumers need (service
 * counts and sums per kind for the fit's attach rates, the histogram of
 * gaps between purchase days for the due list's median), stores it in
 * forecast_fold and deletes the folded purchases; and the helpers through
 * which the consumers read a fold and the purchases kept.
 */
#include <stdlib.h>

#include "forecast/fc_state.h"

int b2b2c__fc_fold_check(b2b2c_ctx *ctx, const fc_cust *c, int64_t end,
                         const char *arg)
{
    const fc_fold *fo;
    char d[64];
    if (!c->fold)
        return 0;
    fo = &c->fold->fo;
    if (!b2b2c__fc_fold_usable(fo, ctx))
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "customer_id: '%s' was folded in UTC offset %d s, "
                          "the context's is %d s; open it in the fold's "
                          "offset",
                          c->id, (int)fo->utc_offset, (int)ctx->utc_offset);
    if (end >= fo->before)
        return 0;
    b2b2c__fc_fmt_date(ctx, d, sizeof d, fo->before);
    return b2b2c__err(ctx, B2B2C_ESTATE,
                      "%s: customer '%s' is folded up to %s (t=%lld); a "
                      "time before the fold point cannot be answered",
                      arg, c->id, d, (long long)fo->before);
}

int b2b2c__fc_summ(const b2b2c_ctx *ctx, const fc_cust *c, int64_t end,
                   int incl, double unit_days, fc_scratch *sc, fc_summ *s)
{
    if (c->fold)
        return b2b2c__fc_summarise_fold(ctx, &c->fold->fo, c, end, incl,
                                        unit_days, sc, s);
    return b2b2c__fc_summarise(ctx, c, end, incl, unit_days, sc, s);
}

int64_t b2b2c__fc_first_time(const fc_cust *c)
{
    int64_t first = c->fold ? c->fold->fo.first_time : INT64_MAX;
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i].time < first)
            first = c->p[i].time;
    return first;
}

int64_t b2b2c__fc_median_gap(const fc_cust *c, const fc_summ *s,
                             fc_scratch *sc)
{
    const fc_folded *fd = c->fold;
    const fc_gap *gp = fd ? fc_gaps(fd) : NULL;
    size_t ng = fd ? fd->ngap : 0, k = fd ? fd->fo.ndays : 0;
    size_t u = s->ndays - k, g = s->ndays - 1, kept = 0, want, gi = 0, ki = 0;
    int64_t *days = sc->days, v[2] = {0, 0};
    uint64_t used = 0;
    /* the kept days' gaps (and the one from the last folded day), sorted */
    if (u > 0) {
        int64_t prev = k ? fd->fo.last_day : days[0];
        for (size_t j = k ? 0 : 1; j < u; j++) {
            int64_t d = days[j];
            days[kept++] = d - prev;
            prev = d;
        }
        qsort(days, kept, sizeof(int64_t), b2b2c__fc_cmp_i64);
    }
    /* ranks g/2 - 1 (even g) and g/2 of the merged sorted gaps: the same
     * values b2b2c_forecaster_due picks from the whole log's gaps */
    want = g % 2 ? g / 2 : g / 2 - 1;
    for (size_t r = 0; r <= g / 2; r++) {
        int64_t x;
        if (gi < ng && (ki >= kept || gp[gi].days <= days[ki])) {
            x = gp[gi].days;
            if (++used == gp[gi].count) {
                gi++;
                used = 0;
            }
        } else {
            x = days[ki++];
        }
        if (r == want)
            v[0] = x;
        if (r == g / 2)
            v[1] = x;
    }
    return g % 2 ? v[1] : (v[0] + v[1]) / 2;
}

/* ---- replacing a customer's fold and purchases, undoably ---------------- */

int b2b2c__fc_set_fold(b2b2c_ctx *ctx, fc_cust *c, fc_folded *fd)
{
    int rc;
    if (fd && (rc = b2b2c__undo_free_on_fail(ctx, fd)) != 0) {
        b2b2c__free(ctx, fd);
        return rc;
    }
    if ((rc = b2b2c__undo_save(ctx, &c->fold, sizeof(c->fold))) != 0 ||
        (c->fold && (rc = b2b2c__undo_free_on_commit(ctx, c->fold)) != 0))
        return rc;
    c->fold = fd;
    return 0;
}

/* The k purchases taken off the front of a log, for the undo. */
typedef struct shift_save {
    size_t k;
    fc_purchase p[];
} shift_save;

static void undo_shift(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    fc_cust *c = a;
    const shift_save *s = b2b2c__undo_arena_pop(ctx, n);
    (void)b;
    /* the array is the one the shift left (later changes are undone
     * already, and growing never shrinks it): room for n + k */
    memmove(c->p + s->k, c->p, c->n * sizeof(fc_purchase));
    memcpy(c->p, s->p, s->k * sizeof(fc_purchase));
    c->n += s->k;
}

int b2b2c__fc_drop_front(b2b2c_ctx *ctx, fc_cust *c, size_t k)
{
    shift_save *s;
    if (k > c->n)
        k = c->n;
    if (k == 0)
        return 0;
    s = b2b2c__undo_arena(ctx, undo_shift, c, NULL,
                          sizeof(*s) + k * sizeof(fc_purchase));
    if (!s)
        return B2B2C_ENOMEM;
    s->k = k;
    memcpy(s->p, c->p, k * sizeof(fc_purchase));
    memmove(c->p, c->p + k, (c->n - k) * sizeof(fc_purchase));
    c->n -= k;
    return 0;
}

/* ---- folding one customer ------------------------------------------------ */

/* c's fold extended over its first k purchases, all before the midnight
 * cut, into a new *out. sc: scratch of c->n days and totals. */
static int fold_build(b2b2c_ctx *ctx, const fc_cust *c, size_t k, int64_t cut,
                      fc_scratch *sc, fc_folded **out)
{
    const fc_folded *old = c->fold;
    fc_cust v = *c; /* the first k purchases */
    fc_fold fo;
    fc_folded *fd;
    uint64_t cnt[FC_NKIND];
    double sum[FC_NKIND];
    size_t u, ngap = 0, nsvc = 0, nold = old ? old->ngap : 0, np;
    int64_t *gaps;
    int rc;

    v.n = k;
    memset(cnt, 0, sizeof cnt);
    memset(sum, 0, sizeof sum);
    if (old) {
        memcpy(&fo, &old->fo, sizeof fo);
        for (uint32_t i = 0; i < old->nsvc; i++) {
            cnt[old->pair[i].key] = old->pair[i].count;
            sum[old->pair[i].key] = old->pair[i].sum;
        }
    } else {
        b2b2c__fc_fold_init(&fo, ctx);
    }
    /* the new product days and their gaps (fold_extend overwrites sc) */
    u = b2b2c__fc_product_days(ctx, &v, fo.before, cut, 0, sc->days, NULL);
    if (!(gaps = b2b2c__malloc(ctx, sizeof(int64_t) * (u + 1))))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    for (size_t j = 0; j < u; j++)
        if (j > 0 || fo.ndays > 0)
            gaps[ngap++] = sc->days[j] - (j ? sc->days[j - 1] : fo.last_day);
    qsort(gaps, ngap, sizeof(int64_t), b2b2c__fc_cmp_i64);
    if ((rc = b2b2c__fc_fold_extend(&fo, ctx, &v, cut, sc)) != 0) {
        b2b2c__free(ctx, gaps);
        return b2b2c__err(ctx, rc, "fold: customer '%s' cannot be folded "
                                   "at t=%lld",
                          c->id, (long long)cut);
    }
    for (size_t i = 0; i < k; i++) { /* services, in log order */
        const fc_purchase *p = &c->p[i];
        if (p->kind == B2B2C_FORECAST_KIND_PRODUCT ||
            p->kind == B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION)
            continue;
        cnt[p->kind]++;
        sum[p->kind] += p->amount;
    }
    for (int j = 1; j < FC_NKIND; j++)
        nsvc += cnt[j] > 0;
    np = b2b2c__fc_folded_size((uint32_t)nsvc, (uint32_t)(nold + ngap));
    if (!(fd = b2b2c__malloc(ctx, np))) {
        b2b2c__free(ctx, gaps);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    memset(fd, 0, np); /* hashed */
    memcpy(&fd->fo, &fo, sizeof fo);
    fd->segment = k ? c->p[k - 1].segment : old->segment;
    for (int j = 1; j < FC_NKIND; j++)
        if (cnt[j] > 0) {
            fc_pair *q = &fd->pair[fd->nsvc++];
            q->key = j;
            q->count = cnt[j];
            q->sum = sum[j];
        }
    /* gaps: the old histogram merged with the new gaps (both ascending) */
    {
        fc_gap *q = fc_gaps(fd);
        const fc_gap *og = old ? fc_gaps(old) : NULL;
        size_t i = 0, j = 0, m = 0;
        while (i < nold || j < ngap) {
            uint32_t key, n;
            if (j >= ngap || (i < nold && og[i].days <= gaps[j])) {
                key = og[i].days;
                n = og[i].count;
                i++;
            } else {
                key = (uint32_t)gaps[j++];
                n = 1;
            }
            if (m > 0 && q[m - 1].days == key) {
                q[m - 1].count += n;
            } else {
                q[m].days = key;
                q[m].count = n;
                m++;
            }
        }
        fd->ngap = (uint32_t)m;
    }
    b2b2c__free(ctx, gaps);
    *out = fd;
    return 0;
}

/* Fold c before `before` (a time; the local midnight at or before it, or
 * earlier when the log was recorded out of order: b2b2c__fc_fold_point).
 * *did 1 when something was folded. */
static int fold_cust(b2b2c_forecaster *f, fc_cust *c, int64_t before,
                     fc_scratch *sc, int *did)
{
    b2b2c_ctx *ctx = f->ctx;
    fc_folded *fd;
    int64_t cut;
    size_t k;
    int rc;

    *did = 0;
    if (c->fold && !b2b2c__fc_fold_usable(&c->fold->fo, ctx))
        return b2b2c__fc_fold_check(ctx, c, before, "now");
    if ((rc = b2b2c__fc_check_times(ctx, c)) != 0)
        return rc;
    if (c->n == 0 ||
        (k = b2b2c__fc_fold_point(ctx, c, before, sc->days, &cut)) == 0)
        return 0;
    if ((rc = fold_build(ctx, c, k, cut, sc, &fd)) != 0)
        return rc;
    /* fd is c's from here (freed by an undo); the purchases' records go
     * before their slots (their keys are the sequence numbers the log
     * still holds) */
    if ((rc = b2b2c__fc_set_fold(ctx, c, fd)) != 0 ||
        (rc = b2b2c__fc_del_purchases(ctx, c, k)) != 0 ||
        (rc = b2b2c__fc_put_fold(ctx, c)) != 0 ||
        (rc = b2b2c__fc_drop_front(ctx, c, k)) != 0)
        return rc;
    *did = 1;
    return 0;
}

static int fold_body(b2b2c_forecaster *f, int64_t now, size_t max,
                     size_t *folded)
{
    b2b2c_ctx *ctx = f->ctx;
    int64_t keep = (int64_t)f->fold_days * FC_DAY;
    int64_t before = now - keep;
    size_t seen = 0, done = 0, n0 = f->cust.count, it, cap = 0;
    int wrapped = 0, rc = 0;
    fc_scratch sc = {NULL, NULL};
    void *v;

    if (!b2b2c__time_ok(before)) {
        *folded = 0; /* nothing is that old */
        return 0;
    }
    if ((rc = b2b2c__undo_save(ctx, &f->fold_at, sizeof(f->fold_at))) != 0)
        goto out;
    it = f->fold_at;
    while (seen < max && seen < n0) {
        const fc_cust *c;
        int did;
        if (!b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
            if (wrapped++)
                break;
            it = 0;
            continue;
        }
        seen++;
        c = v;
        if (c->n > cap) { /* scratch for this log (bounded work: not a
                             scan for the longest) */
            cap = c->n > 2 * cap ? c->n : 2 * cap;
            b2b2c__fc_scratch_free(ctx, &sc);
            if (b2b2c__fc_scratch_new(&sc, ctx, cap, cap)) {
                rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
                goto out;
            }
        }
        if ((rc = fold_cust(f, v, before, &sc, &did)) != 0)
            goto out;
        done += (size_t)did;
    }
    f->fold_at = it;
    *folded = done;
out:
    b2b2c__fc_scratch_free(ctx, &sc);
    return rc;
}

int b2b2c_forecaster_fold(size_t *folded, b2b2c_forecaster *f, int64_t now,
                          size_t max)
{
    size_t n = 0;
    int rc;
    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if (!folded)
        return b2b2c__err(f->ctx, B2B2C_EINVAL, "folded: must not be NULL");
    if ((rc = b2b2c__check_time(f->ctx, now, "now")) != 0)
        return rc;
    if (max == 0)
        return b2b2c__err(f->ctx, B2B2C_ERANGE, "max: 0 (at least 1)");
    B2B2C__CALL(rc, f->ctx, f, fold_body(f, now, max, &n));
    if (rc == 0)
        *folded = n;
    return rc;
}
