/* SPDX-License-Identifier: MIT */
/*
 * Per-customer summaries: a purchase log reduced to (x, t_x, T, m) at a
 * time, the calibration-window checks, and the public listing of them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "forecast/fc_state.h"

int b2b2c__fc_cmp_i64(const void *a, const void *b)
{
    int64_t u = *(const int64_t *)a, v = *(const int64_t *)b;
    return u < v ? -1 : u > v;
}

/* Product purchases before `end`: distinct days (same-day purchases merge,
 * as FHL 2005 and FHS 2010 summarise a log), into `days` (cap c->n) with
 * their totals in `tot`. Returns 0 when the customer has none. */
size_t b2b2c__fc_product_days(const b2b2c_ctx *ctx, const fc_cust *c,
                              int64_t from, int64_t end, int incl,
                              int64_t *days, double *tot)
{
    size_t k = 0, u = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i].kind == B2B2C_FORECAST_KIND_PRODUCT &&
            c->p[i].time >= from &&
            (c->p[i].time < end || (incl && c->p[i].time == end)))
            days[k++] = c->p[i].time;
    if (k == 0)
        return 0;
    qsort(days, k, sizeof(int64_t), b2b2c__fc_cmp_i64);
    for (size_t i = 0; i < k; i++) {
        int64_t d = b2b2c__day(ctx, days[i]);
        if (u > 0 && days[u - 1] == d)
            continue;
        days[u++] = d;
    }
    if (tot) {
        for (size_t j = 0; j < u; j++)
            tot[j] = 0;
        for (size_t i = 0; i < c->n; i++) {
            const fc_purchase *p = &c->p[i];
            size_t lo = 0, hi = u;
            int64_t d;
            if (p->kind != B2B2C_FORECAST_KIND_PRODUCT || p->time < from ||
                p->time > end || (!incl && p->time == end))
                continue;
            d = b2b2c__day(ctx, p->time);
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (days[mid] <= d)
                    lo = mid;
                else
                    hi = mid;
            }
            tot[lo] += p->amount;
        }
    }
    return u;
}

/* Summary at `end` (purchases at `end` itself count when incl). */
int b2b2c__fc_summarise(const b2b2c_ctx *ctx, const fc_cust *c, int64_t end,
                        int incl, double unit_days, fc_scratch *sc,
                        fc_summ *s)
{
    int64_t *days = sc->days;
    double *tot = sc->tot;
    size_t u = b2b2c__fc_product_days(ctx, c, INT64_MIN, end, incl, days,
                                       tot);
    double rep = 0;
    if (u == 0)
        return 0;
    s->ndays = u;
    s->first_day = days[0];
    s->last_day = days[u - 1];
    s->x = (double)(u - 1);
    s->tx = (double)(days[u - 1] - days[0]) / unit_days;
    /* from the start of the first purchase's local day to end (the
     * offset term is exactly 0 in UTC: the same bits as before offsets) */
    s->T = ((double)end / FC_DAY + (double)ctx->utc_offset / FC_DAY -
            (double)days[0]) /
           unit_days;
    s->total = 0;
    for (size_t j = 0; j < u; j++) {
        s->total += tot[j];
        if (j > 0)
            rep += tot[j];
    }
    s->m = u > 1 ? rep / (double)(u - 1) : 0;
    return 1;
}

/* YYYY-MM-DD (in the context's UTC offset) of Unix seconds t, into buf
 * (>= 64 bytes). Days to the proleptic Gregorian calendar: Hinnant's
 * civil_from_days. */
void b2b2c__fc_fmt_date(const b2b2c_ctx *ctx, char *buf, size_t n,
                        int64_t t)
{
    int64_t z = b2b2c__day(ctx, t) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, n, "%04lld-%02lld-%02lld", (long long)(y + (m <= 2)),
             (long long)m, (long long)d);
}

/* A purchase stored by a build before the time range (any int64): a fit or
 * answer would measure T over billions of years and the due date overflow;
 * B2B2C_ERANGE says whom to repair, and how. */
int b2b2c__fc_check_times(b2b2c_ctx *ctx, const fc_cust *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (!b2b2c__time_ok(c->p[i].time))
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "customer_id: '%s' has a purchase stored at "
                              "%lld, outside the time range; remove the "
                              "customer and record the purchases again",
                              c->id, (long long)c->p[i].time);
    return 0;
}

/* The calibration-window rule: x, t_x and T are measured from each
 * customer's first purchase, so a window [start, end) must hold the whole
 * history of the customers it summarises. A purchase (any kind) of `c`
 * dated before `start` is bad input: B2B2C_ERANGE naming the customer and
 * the date of their earliest purchase. */
static int check_window(b2b2c_ctx *ctx, const fc_cust *c, int64_t start)
{
    int64_t first;
    char d1[64], d2[64];
    int rc;
    if ((rc = b2b2c__fc_check_times(ctx, c)) != 0)
        return rc;
    first = b2b2c__fc_first_time(c); /* a fold keeps its earliest */
    if (start == INT64_MIN || first >= start)
        return 0;
    b2b2c__fc_fmt_date(ctx, d1, sizeof d1, first);
    b2b2c__fc_fmt_date(ctx, d2, sizeof d2, start);
    return b2b2c__err(ctx, B2B2C_ERANGE,
                      "calibration_start: customer '%s' has a purchase on %s "
                      "(t=%lld), before the calibration start %s; x, t_x and "
                      "T are measured from the first purchase, so the window "
                      "must hold each customer's whole history",
                      c->id, d1, (long long)first, d2);
}

int b2b2c__fc_check_range(b2b2c_ctx *ctx, int64_t start, int64_t end)
{
    if (start >= end)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "calibration_start: must be before calibration_end");
    return 0;
}
size_t b2b2c__fc_max_purchases(const b2b2c_forecaster *f)
{
    size_t it = 0, mx = 1;
    void *v;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        if (c->n > mx)
            mx = c->n;
    }
    return mx;
}

int b2b2c__fc_check_start(const b2b2c_forecaster *f, int64_t start)
{
    if (f && start == INT64_MIN)
        return b2b2c__err(f->ctx, B2B2C_ERANGE,
                          "calibration_start: must be > INT64_MIN");
    return 0;
}

int b2b2c__fc_scratch_new(fc_scratch *sc, b2b2c_ctx *ctx, size_t ndays,
                          size_t ntot)
{
    sc->days = b2b2c__malloc(ctx, sizeof(int64_t) * ndays);
    sc->tot = b2b2c__malloc(ctx, sizeof(double) * ntot);
    return sc->days && sc->tot ? 0 : B2B2C_ENOMEM;
}

int b2b2c__fc_list_start(const b2b2c_forecaster *f, int has_cb)
{
    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if (!has_cb)
        return b2b2c__err(f->ctx, B2B2C_EINVAL, "cb: must not be NULL");
    /* up to date with other contexts' commits before answering */
    return b2b2c__sync_read(f->ctx);
}

void *b2b2c__fc_list_new(fc_scratch *sc, const b2b2c_forecaster *f,
                         size_t size)
{
    size_t mx = b2b2c__fc_max_purchases(f);
    void *items = b2b2c__malloc(f->ctx, size * (f->cust.count + 1));
    if (b2b2c__fc_scratch_new(sc, f->ctx, mx, mx) == 0 && items)
        return items;
    b2b2c__free(f->ctx, items);
    b2b2c__fc_scratch_free(f->ctx, sc);
    b2b2c__err(f->ctx, B2B2C_ENOMEM, "out of memory");
    return NULL;
}

int b2b2c__fc_list_emit(const b2b2c_forecaster *f, fc_scratch *sc,
                        void *items, size_t n, size_t size,
                        int (*cmp)(const void *, const void *),
                        b2b2c__fc_row_fn row, b2b2c__list_fn cb,
                        void *payload)
{
    int rc = 0;
    qsort(items, n, size, cmp);
    b2b2c__cb_enter(f->ctx); /* a mutating call from cb gets B2B2C_ESTATE */
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = row((const char *)items + i * size, cb, payload);
    b2b2c__cb_leave(f->ctx);
    b2b2c__free(f->ctx, items);
    b2b2c__fc_scratch_free(f->ctx, sc);
    return rc;
}

void b2b2c__fc_scratch_free(b2b2c_ctx *ctx, fc_scratch *sc)
{
    b2b2c__free(ctx, sc->days);
    b2b2c__free(ctx, sc->tot);
    sc->days = NULL;
    sc->tot = NULL;
}

int b2b2c__fc_next_summary(const b2b2c_forecaster *f, size_t *it,
                           int32_t segment, int64_t start, int64_t end,
                           double unit_days, fc_scratch *sc,
                           const fc_cust **c, fc_summ *s)
{
    void *v;
    int rc;
    while (b2b2c__map_next(&f->cust, it, NULL, NULL, &v)) {
        *c = v;
        if (segment >= 0 && (*c)->segment != segment)
            continue;
        if ((rc = check_window(f->ctx, *c, start)) != 0 ||
            (rc = b2b2c__fc_fold_check(f->ctx, *c, end, "calibration_end")))
            return rc;
        if (b2b2c__fc_summ(f->ctx, *c, end, 0, unit_days, sc, s))
            return 1;
    }
    return 0;
}

typedef struct summ_item {
    const fc_cust *c;
    double x, tx, T, m;
} summ_item;

static int summ_cmp(const void *a, const void *b)
{
    const summ_item *u = a, *v = b;
    return strcmp(u->c->id, v->c->id);
}

static int summ_row(const void *item, b2b2c__list_fn cb, void *payload)
{
    const summ_item *u = item;
    return ((b2b2c_forecaster_summary_cb)cb)(u->c->id, u->x, u->tx, u->T,
                                             u->m, payload);
}

static int summaries_impl(b2b2c_forecaster *f, int32_t segment,
                          int64_t calibration_start, int64_t calibration_end,
                          b2b2c_forecaster_summary_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    summ_item *items;
    fc_scratch sc;
    const fc_cust *c;
    fc_summ s;
    size_t ni = 0, it = 0;
    int rc = 0;

    if ((rc = b2b2c__fc_list_start(f, cb != NULL)) != 0)
        return rc;
    ctx = f->ctx;
    if ((rc = b2b2c__fc_fit_slot(ctx, segment)) < 0 ||
        (rc = b2b2c__fc_check_range(ctx, calibration_start,
                                    calibration_end)) != 0)
        return rc;
    if (!(items = b2b2c__fc_list_new(&sc, f, sizeof(summ_item))))
        return B2B2C_ENOMEM;
    while ((rc = b2b2c__fc_next_summary(f, &it, segment, calibration_start,
                                        calibration_end, f->unit_days, &sc,
                                        &c, &s)) == 1) {
        items[ni].c = c;
        items[ni].x = s.x;
        items[ni].tx = s.tx;
        items[ni].T = s.T;
        items[ni].m = s.m;
        ni++;
    }
    if (rc == 0)
        return b2b2c__fc_list_emit(f, &sc, items, ni, sizeof(summ_item),
                                   summ_cmp, summ_row, (b2b2c__list_fn)cb,
                                   payload);
    b2b2c__free(ctx, items);
    b2b2c__fc_scratch_free(ctx, &sc);
    return rc;
}

int b2b2c_forecaster_summaries(b2b2c_forecaster *f, int32_t segment,
                               int64_t calibration_end,
                               b2b2c_forecaster_summary_cb cb, void *payload)
{
    return summaries_impl(f, segment, INT64_MIN, calibration_end, cb,
                          payload);
}

int b2b2c_forecaster_summaries_window(b2b2c_forecaster *f, int32_t segment,
                                      int64_t calibration_start,
                                      int64_t calibration_end,
                                      b2b2c_forecaster_summary_cb cb,
                                      void *payload)
{
    int rc = b2b2c__fc_check_start(f, calibration_start);
    return rc ? rc
              : summaries_impl(f, segment, calibration_start,
                               calibration_end, cb, payload);
}
