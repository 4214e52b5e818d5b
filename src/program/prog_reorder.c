/* SPDX-License-Identifier: MIT */
/* Dealer network programs: the reorder due list (who is expected to order
 * again, from its own intervals between orders) for dealers and points from
 * their sell-in, and for any order history the host passes (professional
 * B2B customers). Formulas and sources: docs/programs.md, "Reorder due
 * list". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "prog_int.h"

/* One order: a day with positive net sell-in units, its sums. Before the
 * days are merged, `row` says whose it is. */
typedef struct pg_ord {
    size_t row;
    int64_t day, u, m;
} pg_ord;

static int cmp_ord(const void *pa, const void *pb)
{
    const pg_ord *a = pa, *b = pb;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return (a->day > b->day) - (a->day < b->day);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The sample median of v[0..n), n >= 1 (sorts v). */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Merge the lines of each day of o[0..n) (sorted by row, then day) into
 * one, keep only the days with positive units; returns how many are left.
 * B2B2C_ERANGE through *rc when a day's sum passes 2^63. */
static size_t merge_days(b2b2c_ctx *ctx, pg_ord *o, size_t n,
                         const char *arg, int *rc)
{
    size_t k = 0;
    *rc = 0;
    for (size_t i = 0; i < n;) {
        pg_ord d = o[i++];
        while (i < n && o[i].row == d.row && o[i].day == d.day) {
            if (__builtin_add_overflow(d.u, o[i].u, &d.u) ||
                __builtin_add_overflow(d.m, o[i].m, &d.m)) {
                *rc = b2b2c__err(ctx, B2B2C_ERANGE,
                                 "%s: a day's sum passes 2^63", arg);
                return 0;
            }
            i++;
        }
        if (d.u > 0)
            o[k++] = d;
    }
    return k;
}

/* The fields of one buyer's orders o[0..k) (one row, sorted by day,
 * merged), at now's day; scratch holds k doubles.
 *
 * The intervals between consecutive order days are a renewal process (Cox
 * 1962, "Renewal Theory", Methuen, ch. 1: independent, identically
 * distributed intervals); the sample median of the buyer's own intervals
 * estimates their median, so the next order is as likely before as after
 * the last order's day + that median, the due day (the forecaster's due
 * list uses the same own-interval median, docs/forecaster.md). EXCEEDED is
 * the intervals' empirical distribution function at the days waited. */
static void fields_of(double *f, const b2b2c_programs *h, const pg_ord *o,
                      size_t k, int64_t nowday, double *scratch)
{
    b2b2c_ctx *ctx = h->ctx;
    size_t minord = (size_t)h->p[B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS -
                                 PG_PARAM_BASE];
    double margin =
        h->p[B2B2C_PROGRAMS_PARAM_REORDER_MARGIN - PG_PARAM_BASE];
    double med;
    int64_t last, since, due;
    size_t shorter = 0;

    for (size_t i = 0; i < B2B2C_PROGRAMS_R_NFIELDS; i++)
        f[i] = NAN;
    f[B2B2C_PROGRAMS_R_ORDERS] = (double)k;
    if (k == 0)
        return;
    last = o[k - 1].day;
    since = nowday - last;
    f[B2B2C_PROGRAMS_R_LAST_ORDER] = (double)b2b2c__day_start(ctx, last);
    f[B2B2C_PROGRAMS_R_DAYS_SINCE] = (double)since;
    if (k < minord)
        return;
    for (size_t i = 1; i < k; i++) {
        int64_t g = o[i].day - o[i - 1].day;
        scratch[i - 1] = (double)g;
        shorter += g < since;
    }
    med = median(scratch, k - 1);
    due = last + (int64_t)floor(med + 0.5);
    f[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL] = med;
    f[B2B2C_PROGRAMS_R_DUE] = (double)b2b2c__day_start(ctx, due);
    f[B2B2C_PROGRAMS_R_DAYS_LATE] = (double)(nowday - due);
    f[B2B2C_PROGRAMS_R_OVERDUE] = (double)since > med * (1.0 + margin);
    f[B2B2C_PROGRAMS_R_EXCEEDED] = (double)shorter / (double)(k - 1);
    for (size_t i = 0; i < k; i++)
        scratch[i] = (double)o[i].u;
    f[B2B2C_PROGRAMS_R_EXPECTED_UNITS] = median(scratch, k);
    for (size_t i = 0; i < k; i++)
        scratch[i] = (double)o[i].m;
    f[B2B2C_PROGRAMS_R_EXPECTED_AMOUNT] = median(scratch, k);
}

/* ---- the due list --------------------------------------------------------------- */

typedef struct pg_due {
    const char *id;
    size_t idlen;
    double f[B2B2C_PROGRAMS_R_NFIELDS];
} pg_due;

/* Most late first, then ID bytewise (shorter first on a common prefix). */
static int cmp_due(const void *pa, const void *pb)
{
    const pg_due *a = pa, *b = pb;
    double x = a->f[B2B2C_PROGRAMS_R_DAYS_LATE];
    double y = b->f[B2B2C_PROGRAMS_R_DAYS_LATE];
    size_t n = a->idlen < b->idlen ? a->idlen : b->idlen;
    int c;
    if (x != y)
        return x > y ? -1 : 1;
    if ((c = memcmp(a->id, b->id, n)) != 0)
        return c;
    return (a->idlen > b->idlen) - (a->idlen < b->idlen);
}

/* Whether a series counts for the listing's product line. */
static int line_ok(const pg_series *s, const char *line, size_t linelen)
{
    return !line || (s->keylen - s->plen - 1 == linelen &&
                     memcmp(s->key + s->plen + 1, line, linelen) == 0);
}

/* The rows' IDs (slots numbered as the report does) and every day of the
 * lines chosen up to nowday, grouped by row (a counting sort: each row's
 * days are a run of *out, each row's run sorted by day; one series' days
 * are sorted already, so only rows of several series are sorted); *nd
 * how many. start: nrows + 1 scratch. */
static int gather(const b2b2c_programs *h, int32_t scope, const char *line,
                  size_t linelen, int64_t nowday, pg_due *rows, size_t *start,
                  size_t nrows, pg_ord **out, size_t *nd)
{
    b2b2c_ctx *ctx = h->ctx;
    size_t i = 0, n = 0, total = 0;
    pg_ord *o;
    void *v;

    if (scope == B2B2C_PROGRAMS_BY_DEALER) {
        while (b2b2c__map_next(&h->dealers, &i, NULL, NULL, &v)) {
            pg_dealer *d = v;
            d->slot = n;
            rows[n].id = d->id;
            rows[n++].idlen = d->idlen;
        }
    } else {
        while (b2b2c__map_next(&h->points, &i, NULL, NULL, &v)) {
            pg_point *p = v;
            p->slot = n;
            rows[n].id = p->id;
            rows[n++].idlen = p->idlen;
        }
    }
    memset(start, 0, (nrows + 1) * sizeof(*start));
    i = 0;
    while (b2b2c__map_next(&h->series, &i, NULL, NULL, &v)) {
        const pg_series *s = v;
        size_t ub;
        if (!line_ok(s, line, linelen))
            continue;
        B2B2C__LOWER_BOUND(ub, s->dv, s->n, day, nowday + 1);
        start[(scope == B2B2C_PROGRAMS_BY_DEALER ? s->point->dealer->slot
                                                 : s->point->slot) +
              1] += ub;
        total += ub;
    }
    for (size_t r = 0; r < nrows; r++)
        start[r + 1] += start[r];
    if (total > SIZE_MAX / sizeof(*o) - 1)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    o = b2b2c__malloc(ctx, (total + 1) * sizeof(*o));
    if (!o)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    i = 0;
    while (b2b2c__map_next(&h->series, &i, NULL, NULL, &v)) {
        const pg_series *s = v;
        size_t row, at;
        if (!line_ok(s, line, linelen))
            continue;
        row = scope == B2B2C_PROGRAMS_BY_DEALER ? s->point->dealer->slot
                                                : s->point->slot;
        at = start[row];
        /* days without sell-in come along with no units: merge_days drops
         * a day whose units are not positive */
        for (size_t j = 0; j < s->n && s->dv[j].day <= nowday; j++) {
            o[at].row = row;
            o[at].day = s->dv[j].day;
            o[at].u = s->dv[j].v[PG_IN_U];
            o[at++].m = s->dv[j].v[PG_IN_M];
        }
        start[row] = at;
    }
    /* start[r] is now the end of row r's run, which began at start[r-1] */
    for (size_t r = 0, b = 0; r < nrows; b = start[r++]) {
        size_t e = start[r], k = b + 1;
        while (k < e && o[k - 1].day <= o[k].day)
            k++;
        if (k < e)
            qsort(o + b, e - b, sizeof(*o), cmp_ord);
    }
    *out = o;
    *nd = total;
    return 0;
}

int b2b2c_programs_reorders(const b2b2c_programs *h, int32_t scope,
                            const char *product_line, int64_t now,
                            int32_t window_days,
                            b2b2c_programs_reorder_cb cb, void *userdata)
{
    b2b2c_ctx *ctx;
    pg_due *rows = NULL;
    pg_ord *o = NULL;
    double *scratch = NULL;
    size_t *start = NULL;
    size_t nrows, nd = 0, nlist = 0, linelen = 0;
    int64_t nowday;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: NULL");
    if (scope != B2B2C_PROGRAMS_BY_DEALER && scope != B2B2C_PROGRAMS_BY_POINT)
        return b2b2c__err(ctx, B2B2C_EINVAL, "scope: %d is not a scope",
                          (int)scope);
    if (product_line && b2b2c__id_check(product_line, &linelen))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "product_line: not a valid ID (1..255 bytes of "
                          "UTF-8)");
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    if (window_days < 0 || window_days > B2B2C_PROGRAMS_REORDER_WINDOW_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "window_days: %d is outside [0, %d]",
                          (int)window_days,
                          B2B2C_PROGRAMS_REORDER_WINDOW_MAX);
    if ((rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    nowday = b2b2c__day(ctx, now);
    nrows = scope == B2B2C_PROGRAMS_BY_DEALER ? h->dealers.count
                                              : h->points.count;
    rows = b2b2c__malloc(ctx, (nrows ? nrows : 1) * sizeof(*rows));
    start = b2b2c__malloc(ctx, (nrows + 1) * sizeof(*start));
    if (!rows || !start) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = gather(h, scope, product_line, linelen, nowday, rows, start,
                     nrows, &o, &nd)) != 0)
        goto out;
    scratch = b2b2c__malloc(ctx, (nd + 1) * sizeof(*scratch));
    if (!scratch) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    nd = merge_days(ctx, o, nd, "now", &rc);
    if (rc)
        goto out;
    /* each row's orders are a run of o; rows without orders have none */
    for (size_t i = 0, r = 0; r < nrows; r++) {
        size_t j = i;
        double *f = rows[r].f;
        while (j < nd && o[j].row == r)
            j++;
        fields_of(f, h, o + i, j - i, nowday, scratch);
        i = j;
        if (isnan(f[B2B2C_PROGRAMS_R_DAYS_LATE]) ||
            f[B2B2C_PROGRAMS_R_DAYS_LATE] < -(double)window_days)
            continue;
        rows[nlist++] = rows[r]; /* nlist <= r: never overwrites ahead */
    }
    if (nlist > 1)
        qsort(rows, nlist, sizeof(*rows), cmp_due);
    b2b2c__cb_enter(ctx);
    for (size_t i = 0; i < nlist && rc == 0; i++)
        rc = cb(rows[i].id, rows[i].f, B2B2C_PROGRAMS_R_NFIELDS, userdata);
    b2b2c__cb_leave(ctx);
out:
    b2b2c__free(ctx, scratch);
    b2b2c__free(ctx, o);
    b2b2c__free(ctx, start);
    b2b2c__free(ctx, rows);
    return rc;
}

/* ---- a host's order history ----------------------------------------------------- */

static int line_err(b2b2c_ctx *ctx, const char *arg, size_t i, int64_t v)
{
    return b2b2c__err(ctx, B2B2C_ERANGE,
                      "%s[%zu]: %lld is %s", arg, i, (long long)v,
                      v < 0 ? "negative" : "above B2B2C_PROGRAMS_LINE_MAX");
}

int b2b2c_programs_reorder_of(double *fields, size_t nfields,
                              const b2b2c_programs *h, const int64_t *times,
                              const int64_t *units, const int64_t *amounts,
                              size_t n, int64_t now)
{
    double f[B2B2C_PROGRAMS_R_NFIELDS], *scratch;
    b2b2c_ctx *ctx;
    pg_ord *o;
    int64_t nowday;
    size_t k = 0;
    int rc;

    if (!fields || !h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if (nfields == 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nfields: 0");
    if (n > 0 && (!times || !units || !amounts))
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: NULL",
                          !times ? "times" : !units ? "units" : "amounts");
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        char arg[32];
        if (!b2b2c__time_ok(times[i])) {
            snprintf(arg, sizeof(arg), "times[%zu]", i);
            return b2b2c__check_time(ctx, times[i], arg);
        }
        if (units[i] < 0 || units[i] > B2B2C_PROGRAMS_LINE_MAX)
            return line_err(ctx, "units", i, units[i]);
        if (amounts[i] < 0 || amounts[i] > B2B2C_PROGRAMS_LINE_MAX)
            return line_err(ctx, "amounts", i, amounts[i]);
    }
    if ((rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    if (n > SIZE_MAX / sizeof(*o) - 1)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    o = b2b2c__malloc(ctx, (n + 1) * sizeof(*o));
    scratch = b2b2c__malloc(ctx, (n + 1) * sizeof(*scratch));
    if (!o || !scratch) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    nowday = b2b2c__day(ctx, now);
    for (size_t i = 0; i < n; i++) {
        int64_t d = b2b2c__day(ctx, times[i]);
        if (d > nowday)
            continue;
        o[k].row = 0;
        o[k].day = d;
        o[k].u = units[i];
        o[k++].m = amounts[i];
    }
    qsort(o, k, sizeof(*o), cmp_ord);
    /* n lines of at most 10^15 each: a day's sum passes 2^63 only past
     * 9,223 lines of the maximum on one day */
    k = merge_days(ctx, o, k, "units", &rc);
    if (rc)
        goto out;
    fields_of(f, h, o, k, nowday, scratch);
    memcpy(fields, f,
           (nfields < B2B2C_PROGRAMS_R_NFIELDS ? nfields
                                               : B2B2C_PROGRAMS_R_NFIELDS) *
               sizeof(*f));
out:
    b2b2c__free(ctx, scratch);
    b2b2c__free(ctx, o);
    return rc;
}
