/* SPDX-License-Identifier: MIT */
/* Dealer network programs: the report (turnover, growth, Theil-Sen trend,
 * share, rank within tier and region, days of stock, sell-through) and its
 * calendar helpers. Every formula's source: docs/programs.md. */
#include <math.h>
#include <stdlib.h>

#include "listing.h"
#include "prog_int.h"

/* ---- calendar ------------------------------------------------------------------ */

/* Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms" (2013),
 * days_from_civil and civil_from_days: exact for every proleptic
 * Gregorian date, day 0 = 1970-01-01. */
int64_t b2b2c__pg_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = b2b2c__floordiv(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void b2b2c__pg_civil_from_days(int64_t z, int64_t *y, unsigned *m,
                               unsigned *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = b2b2c__floordiv(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t b2b2c__pg_year_before(int64_t day)
{
    int64_t y;
    unsigned m, d;
    b2b2c__pg_civil_from_days(day, &y, &m, &d);
    if (m == 2 && d == 29)
        d = 28;
    return b2b2c__pg_days_from_civil(y - 1, m, d);
}

/* ---- Theil-Sen ------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_sorted(const double *v, size_t n)
{
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Sen (1968), "Estimates of the regression coefficient based on Kendall's
 * tau", JASA 63(324):1379-1389 (doi:10.2307/2285891), section 2: the point
 * estimator is the median of the slopes (y_j - y_i) / (t_j - t_i) over
 * the pairs with t_i != t_j (Theil 1950); here t_i = i (equally spaced
 * periods), so every pair counts. docs/programs.md. */
double b2b2c__pg_theil_sen(const double *y, size_t n, double *pairs)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            pairs[k++] = (y[j] - y[i]) / (double)(j - i);
    qsort(pairs, k, sizeof(*pairs), cmp_double);
    return median_sorted(pairs, k);
}

/* ---- the report ------------------------------------------------------------------ */

#if defined(__GNUC__) || defined(__clang__)
#define PG_PREFETCH(p) __builtin_prefetch(p)
#else
#define PG_PREFETCH(p) ((void)(p))
#endif

/* One row's sums. trend[] follows it (TREND_PERIODS of them). */
typedef struct pg_acc {
    const char *id;
    size_t idlen;
    const pg_dealer *dealer; /* for the rank group */
    int64_t in_u, in_m, out_u, out_m, ly_m;
    int64_t stock_u, stock_m, open_u, st_in_u, st_out_u;
    int has_stock;
    double f[B2B2C_PROGRAMS_F_NFIELDS];
} pg_acc;

typedef struct rep {
    const b2b2c_programs *h;
    b2b2c_ctx *ctx;
    int32_t scope;
    const char *line;
    size_t linelen;
    int64_t d0, d1, ly0, ly1, t0, plen; /* days; trend from t0, plen long */
    int64_t maxage;                     /* STOCK_MAX_AGE_DAYS, whole days */
    size_t nper;
    pg_acc *acc;
    int64_t *trend; /* nrows x nper */
    size_t nrows;
} rep;

static int sum_err(b2b2c_ctx *ctx)
{
    return b2b2c__err(ctx, B2B2C_ERANGE,
                      "from: a sum over the period passes 2^63");
}

#define ADD(ctx, x, y)                                                      \
    do {                                                                    \
        if (__builtin_add_overflow((x), (y), &(x)))                         \
            return sum_err(ctx);                                            \
    } while (0)

/* The series' contribution to its row. */
static int add_series(rep *r, const pg_series *s, pg_acc *a, int64_t *tr)
{
    b2b2c_ctx *ctx = r->ctx;
    const pg_day *dv = s->dv;
    size_t n = s->n, i, last = SIZE_MAX, open = SIZE_MAX, k = 0;
    int64_t next = r->t0 + r->plen; /* where trend period k + 1 starts */

    /* the trend's span covers the period itself; days are sorted, so the
     * period of each is found by stepping, not dividing */
    B2B2C__LOWER_BOUND(i, dv, n, day, r->t0);
    for (; i < n && dv[i].day < r->d1; i++) {
        while (dv[i].day >= next) {
            k++;
            next += r->plen;
        }
        ADD(ctx, tr[k], dv[i].v[PG_OUT_M]);
        if (dv[i].day >= r->d0) {
            ADD(ctx, a->in_u, dv[i].v[PG_IN_U]);
            ADD(ctx, a->in_m, dv[i].v[PG_IN_M]);
            ADD(ctx, a->out_u, dv[i].v[PG_OUT_U]);
            ADD(ctx, a->out_m, dv[i].v[PG_OUT_M]);
        }
    }
    B2B2C__LOWER_BOUND(i, dv, n, day, r->ly0);
    for (; i < n && dv[i].day < r->ly1; i++)
        ADD(ctx, a->ly_m, dv[i].v[PG_OUT_M]);
    /* stock: the last report before d1, and the last before d0 */
    B2B2C__LOWER_BOUND(i, dv, n, day, r->d1);
    while (i > 0) {
        i--;
        if (dv[i].day < r->d0 - r->maxage)
            break; /* too old for either */
        if (!dv[i].has_stock)
            continue;
        if (last == SIZE_MAX && dv[i].day >= r->d1 - r->maxage)
            last = i;
        if (dv[i].day < r->d0) {
            open = i;
            break;
        }
    }
    if (last != SIZE_MAX) {
        int64_t in_u = 0, out_u = 0;
        B2B2C__LOWER_BOUND(i, dv, n, day, r->d0);
        for (; i < n && dv[i].day < r->d1; i++) {
            ADD(ctx, in_u, dv[i].v[PG_IN_U]);
            ADD(ctx, out_u, dv[i].v[PG_OUT_U]);
        }
        a->has_stock = 1;
        ADD(ctx, a->stock_u, dv[last].v[PG_STOCK_U]);
        ADD(ctx, a->stock_m, dv[last].v[PG_STOCK_M]);
        if (open != SIZE_MAX)
            ADD(ctx, a->open_u, dv[open].v[PG_STOCK_U]);
        ADD(ctx, a->st_in_u, in_u);
        ADD(ctx, a->st_out_u, out_u);
    }
    return 0;
}

/* Rank groups: dealers of equal tier and region, highest sell-out first. */
static int cmp_rank(const void *pa, const void *pb)
{
    const pg_acc *a = *(pg_acc *const *)pa, *b = *(pg_acc *const *)pb;
    const pg_dealer *x = a->dealer, *y = b->dealer;
    int c;
    if (x->tier != y->tier)
        return x->tier < y->tier ? -1 : 1;
    if (x->regionlen != y->regionlen)
        return x->regionlen < y->regionlen ? -1 : 1;
    if ((c = memcmp(x->region, y->region, x->regionlen)) != 0)
        return c;
    return (a->out_m < b->out_m) - (a->out_m > b->out_m);
}

static int same_group(const pg_acc *a, const pg_acc *b)
{
    return a->dealer->tier == b->dealer->tier &&
           a->dealer->regionlen == b->dealer->regionlen &&
           memcmp(a->dealer->region, b->dealer->region,
                  a->dealer->regionlen) == 0;
}

static int fields(rep *r, double *pairs)
{
    b2b2c_ctx *ctx = r->ctx;
    double total = 0.0, days = (double)(r->d1 - r->d0);
    double *y = pairs + r->nper * (r->nper - 1) / 2;
    pg_acc **ord;
    size_t g = 0;

    for (size_t i = 0; i < r->nrows; i++)
        total += (double)r->acc[i].out_m;
    for (size_t i = 0; i < r->nrows; i++) {
        pg_acc *a = &r->acc[i];
        double *f = a->f, med;
        const int64_t *tr = r->trend + i * r->nper;
        for (size_t k = 0; k < r->nper; k++)
            y[k] = (double)tr[k];
        f[B2B2C_PROGRAMS_F_SELL_IN_UNITS] = (double)a->in_u;
        f[B2B2C_PROGRAMS_F_SELL_IN_AMOUNT] = (double)a->in_m;
        f[B2B2C_PROGRAMS_F_SELL_OUT_UNITS] = (double)a->out_u;
        f[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT] = (double)a->out_m;
        f[B2B2C_PROGRAMS_F_LY_SELL_OUT_AMOUNT] = (double)a->ly_m;
        f[B2B2C_PROGRAMS_F_GROWTH] =
            a->ly_m > 0 ? (double)a->out_m / (double)a->ly_m - 1.0 : NAN;
        f[B2B2C_PROGRAMS_F_TREND_SLOPE] =
            b2b2c__pg_theil_sen(y, r->nper, pairs);
        qsort(y, r->nper, sizeof(*y), cmp_double);
        med = median_sorted(y, r->nper);
        f[B2B2C_PROGRAMS_F_TREND_RELATIVE] =
            med > 0 ? f[B2B2C_PROGRAMS_F_TREND_SLOPE] / med : NAN;
        f[B2B2C_PROGRAMS_F_SHARE] =
            total > 0 ? (double)a->out_m / total : NAN;
        f[B2B2C_PROGRAMS_F_STOCK_UNITS] = a->has_stock ? (double)a->stock_u
                                                       : NAN;
        f[B2B2C_PROGRAMS_F_STOCK_AMOUNT] = a->has_stock ? (double)a->stock_m
                                                        : NAN;
        f[B2B2C_PROGRAMS_F_DAYS_OF_STOCK] =
            a->has_stock && a->st_out_u > 0
                ? (double)a->stock_u / ((double)a->st_out_u / days)
                : NAN;
        f[B2B2C_PROGRAMS_F_SELL_THROUGH] =
            a->has_stock && (double)a->open_u + (double)a->st_in_u > 0
                ? (double)a->st_out_u /
                      ((double)a->open_u + (double)a->st_in_u)
                : NAN;
    }
    /* competition ranking ("1224") within each tier and region */
    ord = b2b2c__malloc(ctx, (r->nrows ? r->nrows : 1) * sizeof(*ord));
    if (!ord)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->nrows; i++)
        ord[i] = &r->acc[i];
    qsort(ord, r->nrows, sizeof(*ord), cmp_rank);
    while (g < r->nrows) {
        size_t e = g + 1, rank = 1;
        while (e < r->nrows && same_group(ord[g], ord[e]))
            e++;
        for (size_t i = g; i < e; i++) {
            if (i > g && ord[i]->out_m != ord[i - 1]->out_m)
                rank = i - g + 1;
            ord[i]->f[B2B2C_PROGRAMS_F_RANK] = (double)rank;
            ord[i]->f[B2B2C_PROGRAMS_F_RANK_OF] = (double)(e - g);
        }
        g = e;
    }
    b2b2c__free(ctx, ord);
    return 0;
}

static int emit_row(const b2b2c__list *l, const void *rec)
{
    const pg_acc *a = rec;
    b2b2c_programs_row_cb cb = (b2b2c_programs_row_cb)l->cb;
    return cb(a->id, a->f, B2B2C_PROGRAMS_F_NFIELDS, l->userdata);
}

static int collect(rep *r)
{
    const b2b2c_programs *h = r->h;
    size_t i = 0, n = 0;
    void *v;
    int rc;

    /* rows: their slots first */
    if (r->scope == B2B2C_PROGRAMS_BY_DEALER) {
        while (b2b2c__map_next(&h->dealers, &i, NULL, NULL, &v)) {
            pg_dealer *d = v;
            d->slot = n;
            r->acc[n].id = d->id;
            r->acc[n].idlen = d->idlen;
            r->acc[n++].dealer = d;
        }
    } else {
        while (b2b2c__map_next(&h->points, &i, NULL, NULL, &v)) {
            pg_point *p = v;
            p->slot = n;
            r->acc[n].id = p->id;
            r->acc[n].idlen = p->idlen;
            r->acc[n++].dealer = p->dealer;
        }
    }
    /* one series ahead: its point, dealer and days start loading while
     * this one is summed (a hint: pointer chasing is what this costs) */
    i = 0;
    v = NULL;
    if (!b2b2c__map_next(&h->series, &i, NULL, NULL, &v))
        return 0;
    while (v) {
        const pg_series *s = v;
        size_t row;
        v = NULL;
        if (b2b2c__map_next(&h->series, &i, NULL, NULL, &v)) {
            const pg_series *nx = v;
            PG_PREFETCH(nx->point);
            PG_PREFETCH(nx->point->dealer);
            if (nx->n)
                PG_PREFETCH(&nx->dv[nx->n - 1]);
        }
        if (r->line && (s->keylen - s->plen - 1 != r->linelen ||
                        memcmp(s->key + s->plen + 1, r->line, r->linelen)))
            continue;
        row = r->scope == B2B2C_PROGRAMS_BY_DEALER ? s->point->dealer->slot
                                                 : s->point->slot;
        if ((rc = add_series(r, s, &r->acc[row],
                             r->trend + row * r->nper)) != 0)
            return rc;
    }
    return 0;
}

int b2b2c_programs_report(const b2b2c_programs *h, int32_t scope,
                          const char *product_line, int64_t from, int64_t to,
                          b2b2c_programs_row_cb cb, void *userdata)
{
    b2b2c__list l;
    b2b2c_ctx *ctx;
    double *pairs = NULL;
    rep r;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    if ((rc = b2b2c__list_open(&l, ctx, (b2b2c__list_fn)cb, userdata)) != 0)
        return rc;
    if (scope != B2B2C_PROGRAMS_BY_DEALER && scope != B2B2C_PROGRAMS_BY_POINT)
        return b2b2c__err(ctx, B2B2C_EINVAL, "scope: %d is not a scope",
                          (int)scope);
    memset(&r, 0, sizeof(r));
    if (product_line && b2b2c__id_check(product_line, &r.linelen))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "product_line: not a valid ID (1..255 bytes of "
                          "UTF-8)");
    if ((rc = b2b2c__check_time(ctx, from, "from")) != 0 ||
        (rc = b2b2c__check_time(ctx, to, "to")) != 0)
        return rc;
    r.d0 = b2b2c__day(ctx, from);
    r.d1 = b2b2c__day(ctx, to);
    if (r.d1 <= r.d0)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "to: %lld is not on a day after from's (%lld)",
                          (long long)to, (long long)from);
    if ((rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    r.h = h;
    r.ctx = ctx;
    r.scope = scope;
    r.line = product_line;
    r.nper = (size_t)h->p[B2B2C_PROGRAMS_PARAM_TREND_PERIODS - PG_PARAM_BASE];
    r.maxage = (int64_t)h->p[B2B2C_PROGRAMS_PARAM_STOCK_MAX_AGE_DAYS -
                             PG_PARAM_BASE];
    r.plen = r.d1 - r.d0;
    r.t0 = r.d1 - (int64_t)r.nper * r.plen;
    r.ly0 = b2b2c__pg_year_before(r.d0);
    r.ly1 = b2b2c__pg_year_before(r.d1);
    r.nrows = scope == B2B2C_PROGRAMS_BY_DEALER ? h->dealers.count
                                             : h->points.count;
    r.acc = b2b2c__malloc(ctx, (r.nrows ? r.nrows : 1) * sizeof(pg_acc));
    r.trend = b2b2c__malloc(ctx, (r.nrows ? r.nrows : 1) * r.nper *
                                     sizeof(int64_t));
    pairs = b2b2c__malloc(ctx, (r.nper * (r.nper - 1) / 2 + r.nper) *
                                   sizeof(double));
    if (!r.acc || !r.trend || !pairs) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    memset(r.acc, 0, r.nrows * sizeof(pg_acc));
    memset(r.trend, 0, r.nrows * r.nper * sizeof(int64_t));
    if ((rc = collect(&r)) != 0 || (rc = fields(&r, pairs)) != 0 ||
        (rc = b2b2c__list_reserve(&l, r.nrows)) != 0)
        goto out;
    for (size_t i = 0; i < r.nrows; i++)
        b2b2c__list_add(&l, r.acc[i].id, r.acc[i].idlen, &r.acc[i]);
    rc = b2b2c__list_emit(&l, emit_row);
out:
    b2b2c__free(ctx, pairs);
    b2b2c__free(ctx, r.trend);
    b2b2c__free(ctx, r.acc);
    return rc;
}
