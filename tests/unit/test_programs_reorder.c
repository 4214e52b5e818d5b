/* SPDX-License-Identifier: MIT */
/* The reorder due list (issue 17, dealers' reorders), worked by hand: a
 * dealer's orders over two points and two product lines (same-day lines
 * one order, a return day no order, a line after now left out), by point
 * and by product line, the due window and the order of the list, a median
 * of an even number of intervals rounded half up, the parameters
 * (persisted, a version 1 record still read, gaps refused), a host's
 * order history (professional B2B customers) in any order and in the
 * context's UTC offset, bad input with the argument named and nothing
 * written, and the callback rules. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "program/prog_int.h"

#define D INT64_C(86400)
#define NF B2B2C_PROGRAMS_R_NFIELDS
#define IN B2B2C_PROGRAMS_KIND_SELL_IN
#define NEAR(x, y) assert_true(fabs((double)(x) - (double)(y)) < 1e-9)

typedef struct fx {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    if (!f || b2b2c_ctx_new(&f->ctx, NULL, NULL) ||
        b2b2c_programs_new(&f->h, f->ctx))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_programs_free(f->h);
    b2b2c_ctx_free(f->ctx);
    free(f);
    return 0;
}

static int64_t midnight(int64_t y, unsigned m, unsigned d)
{
    return b2b2c__pg_days_from_civil(y, m, d) * D;
}
static int64_t at(int64_t y, unsigned m, unsigned d)
{
    return midnight(y, m, d) + D / 2;
}

static void rec(b2b2c_programs *h, int32_t kind, const char *p,
                const char *line, int64_t t, int64_t u, int64_t m)
{
    assert_int_equal(b2b2c_programs_record(h, kind, p, line, t, u, m), 0);
}

/* The listing's rows, in the order given. */
#define MAXROWS 8
typedef struct rows {
    size_t n;
    char id[MAXROWS][16];
    double f[MAXROWS][NF];
} rows;

static int on_row(const char *id, const double *fields, size_t nfields,
                  void *ud)
{
    rows *r = ud;
    assert_int_equal(nfields, NF);
    assert_true(r->n < MAXROWS);
    snprintf(r->id[r->n], sizeof(r->id[0]), "%s", id);
    memcpy(r->f[r->n++], fields, sizeof(r->f[0]));
    return 0;
}

static void list(rows *r, const b2b2c_programs *h, int32_t scope,
                 const char *line, int64_t now, int32_t window)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(b2b2c_programs_reorders(h, scope, line, now, window,
                                             on_row, r),
                     0);
}

/*
 * d1 (points p1, p2), d2 (q1), d3 (r1). Now: 10 February 2026.
 * d1's orders, any line: 5 Jan (p1 A 10 u, 1,000), 12 Jan (p2 A 6 u, 600
 * and p1 B 4 u, 400: one order of 10 u, 1,000), 19 Jan (p1 A 12 u,
 * 1,200), 29 Jan (p1 A 8 u, 800). Not orders: 2 Feb (p1 A returns 3 u),
 * 3 Feb (sell-out only), 20 Feb (after now).
 *   intervals 7, 7, 10: median 7; last 29 Jan, due 5 Feb; since 12, late
 *   5; overdue (12 > 7 x 1.5 = 10.5); exceeded 3/3; units 8 10 10 12:
 *   median 10; amounts 800 1000 1000 1200: 1,000.
 * d2's orders every 30 days: 1 Dec, 31 Dec, 30 Jan (three: below the
 * default MIN_ORDERS 4).
 * d3's orders on 1, 4, 8, 13, 19 January (2 u, 20 each): intervals
 * 3 4 5 6, median 4.5, due 19 + 5 = 24 January; since 22, late 17;
 * overdue; exceeded 1.
 */
static void build(b2b2c_programs *h)
{
    assert_int_equal(b2b2c_programs_set_dealer(h, "d1", 1, "north"), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d2", 1, "north"), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d3", 2, "south"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p1", "d1"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p2", "d1"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "q1", "d2"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "r1", "d3"), 0);
    rec(h, IN, "p1", "A", at(2026, 1, 5), 10, 1000);
    rec(h, IN, "p2", "A", at(2026, 1, 12), 6, 600);
    rec(h, IN, "p1", "B", midnight(2026, 1, 12) + 3600, 4, 400);
    rec(h, IN, "p1", "A", at(2026, 1, 19), 12, 1200);
    rec(h, IN, "p1", "A", at(2026, 1, 29), 8, 800);
    rec(h, B2B2C_PROGRAMS_KIND_RETURN_IN, "p1", "A", at(2026, 2, 2), 3, 300);
    rec(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A", at(2026, 2, 3), 9, 1500);
    rec(h, IN, "p1", "A", at(2026, 2, 20), 50, 5000);
    rec(h, IN, "q1", "A", at(2025, 12, 1), 1, 10);
    rec(h, IN, "q1", "A", at(2025, 12, 31), 1, 10);
    rec(h, IN, "q1", "A", at(2026, 1, 30), 1, 10);
    rec(h, IN, "r1", "A", at(2026, 1, 1), 2, 20);
    rec(h, IN, "r1", "A", at(2026, 1, 4), 2, 20);
    rec(h, IN, "r1", "A", at(2026, 1, 8), 2, 20);
    rec(h, IN, "r1", "A", at(2026, 1, 13), 2, 20);
    rec(h, IN, "r1", "A", at(2026, 1, 19), 2, 20);
}

static void t_dealers(void **state)
{
    fx *f = *state;
    rows r;
    const double *x;

    build(f->h);
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 2, 10), 0);
    assert_int_equal(r.n, 2); /* d2 below MIN_ORDERS */
    assert_string_equal(r.id[0], "d3"); /* 17 days late before 5 */
    assert_string_equal(r.id[1], "d1");
    x = r.f[1];
    NEAR(x[B2B2C_PROGRAMS_R_ORDERS], 4);
    NEAR(x[B2B2C_PROGRAMS_R_LAST_ORDER], midnight(2026, 1, 29));
    NEAR(x[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL], 7);
    NEAR(x[B2B2C_PROGRAMS_R_DUE], midnight(2026, 2, 5));
    NEAR(x[B2B2C_PROGRAMS_R_DAYS_SINCE], 12);
    NEAR(x[B2B2C_PROGRAMS_R_DAYS_LATE], 5);
    NEAR(x[B2B2C_PROGRAMS_R_OVERDUE], 1);
    NEAR(x[B2B2C_PROGRAMS_R_EXCEEDED], 1);
    NEAR(x[B2B2C_PROGRAMS_R_EXPECTED_UNITS], 10);
    NEAR(x[B2B2C_PROGRAMS_R_EXPECTED_AMOUNT], 1000);
    x = r.f[0];
    NEAR(x[B2B2C_PROGRAMS_R_ORDERS], 5);
    NEAR(x[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL], 4.5);
    NEAR(x[B2B2C_PROGRAMS_R_DUE], midnight(2026, 1, 24));
    NEAR(x[B2B2C_PROGRAMS_R_DAYS_SINCE], 22);
    NEAR(x[B2B2C_PROGRAMS_R_DAYS_LATE], 17);
    NEAR(x[B2B2C_PROGRAMS_R_OVERDUE], 1);
    NEAR(x[B2B2C_PROGRAMS_R_EXPECTED_UNITS], 2);

    /* on 6 February d1 is a day late but not overdue (5 < 10.5), and only
     * the intervals of 7 days are shorter than its 8 days: 2/3 */
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 2, 6), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[1], "d1");
    NEAR(r.f[1][B2B2C_PROGRAMS_R_DAYS_LATE], 1);
    NEAR(r.f[1][B2B2C_PROGRAMS_R_OVERDUE], 0);
    NEAR(r.f[1][B2B2C_PROGRAMS_R_EXCEEDED], 2.0 / 3.0);

    /* as of 29 January the 29th's order counts (three intervals 7 7 10);
     * as of the 28th it does not (7 7: below MIN_ORDERS) */
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 1, 29), 10);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[1], "d1");
    NEAR(r.f[1][B2B2C_PROGRAMS_R_DAYS_LATE], -7);
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 1, 28), 3660);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.id[0], "d3");
}

/* By point: p1 alone orders on the same days (units 10 4 12 8: median
 * 9, amounts 900); p2 ordered once. By line B: one order, nobody. By
 * line A: d1's units 10 6 12 8, median 9. */
static void t_points_and_lines(void **state)
{
    fx *f = *state;
    rows r;

    build(f->h);
    list(&r, f->h, B2B2C_PROGRAMS_BY_POINT, NULL, at(2026, 2, 10), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[0], "r1");
    assert_string_equal(r.id[1], "p1");
    NEAR(r.f[1][B2B2C_PROGRAMS_R_ORDERS], 4);
    NEAR(r.f[1][B2B2C_PROGRAMS_R_EXPECTED_UNITS], 9);
    NEAR(r.f[1][B2B2C_PROGRAMS_R_EXPECTED_AMOUNT], 900);
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, "B", at(2026, 2, 10), 0);
    assert_int_equal(r.n, 0);
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, "A", at(2026, 2, 10), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[1], "d1");
    NEAR(r.f[1][B2B2C_PROGRAMS_R_EXPECTED_UNITS], 9);
    NEAR(r.f[1][B2B2C_PROGRAMS_R_MEDIAN_INTERVAL], 7);
}

/* The window and MIN_ORDERS: with 3 orders enough, d2 (median 30, last
 * 30 January) is due on 1 March, 19 days after 10 February: listed with
 * a window of 19 days, not 18. Ties in lateness go by ID. */
static void t_window_and_params(void **state)
{
    fx *f = *state;
    double v = 0;
    rows r;

    build(f->h);
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS, 3),
                     0);
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 2, 10), 18);
    assert_int_equal(r.n, 2);
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 2, 10), 19);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.id[2], "d2");
    NEAR(r.f[2][B2B2C_PROGRAMS_R_DUE], midnight(2026, 3, 1));
    NEAR(r.f[2][B2B2C_PROGRAMS_R_DAYS_LATE], -19);
    NEAR(r.f[2][B2B2C_PROGRAMS_R_OVERDUE], 0);
    NEAR(r.f[2][B2B2C_PROGRAMS_R_EXCEEDED], 0);

    /* a margin of 0.8: d1's 12 days are not above 7 x 1.8 = 12.6 */
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_REORDER_MARGIN, 0.8),
                     0);
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 2, 10), 0);
    assert_string_equal(r.id[1], "d1");
    NEAR(r.f[1][B2B2C_PROGRAMS_R_OVERDUE], 0);

    /* two rows equally late: by ID */
    assert_int_equal(b2b2c_programs_set_dealer(f->h, "c0", 0, NULL), 0);
    assert_int_equal(b2b2c_programs_add_point(f->h, "s1", "c0"), 0);
    rec(f->h, IN, "s1", "Z", at(2026, 1, 1), 2, 20);
    rec(f->h, IN, "s1", "Z", at(2026, 1, 4), 2, 20);
    rec(f->h, IN, "s1", "Z", at(2026, 1, 10), 2, 20);
    rec(f->h, IN, "s1", "Z", at(2026, 1, 18), 2, 20); /* 3 6 8: due 24th */
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 2, 11), 0);
    assert_string_equal(r.id[0], "c0");
    assert_string_equal(r.id[1], "d3");
    NEAR(r.f[0][B2B2C_PROGRAMS_R_DAYS_LATE], 18);
    NEAR(r.f[1][B2B2C_PROGRAMS_R_DAYS_LATE], 18);
    (void)v;
}

/* Parameters: bounds, gaps refused, persisted in a version 2 record; a
 * version 1 record (700-701 only) still reads, the rest at defaults. */
static void t_params(void **state)
{
    fx *f = *state;
    b2b2c_programs *h2;
    double v = 0, lo, hi, def;
    b2b2c__wbuf w;

    assert_int_equal(b2b2c_param_bounds(&lo, &hi, &def,
                                        B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS),
                     0);
    assert_true(lo == 2 && hi == 1000 && def == 4);
    assert_int_equal(b2b2c_param_bounds(&lo, &hi, &def,
                                        B2B2C_PROGRAMS_PARAM_REORDER_MARGIN),
                     0);
    assert_true(lo == 0 && hi == 10 && def == 0.5);
    assert_string_equal(b2b2c_param_name(721),
                        "B2B2C_PROGRAMS_PARAM_REORDER_MARGIN");
    assert_null(b2b2c_param_name(705));
    assert_null(b2b2c_param_name(722));
    assert_int_equal(b2b2c_param_bounds(NULL, NULL, NULL, 705), B2B2C_EINVAL);
    v = 42;
    assert_int_equal(b2b2c_programs_get_param(&v, f->h, 705), B2B2C_EINVAL);
    assert_true(v == 42);
    assert_int_equal(b2b2c_programs_set_param(f->h, 715, 0), B2B2C_EINVAL);
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS, 1),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "REORDER_MIN_ORDERS"));
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS, 2.5),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_REORDER_MARGIN, 10.5),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_REORDER_MARGIN, 2.25),
                     0);
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, 5),
                     0);
    assert_int_equal(b2b2c_programs_new(&h2, f->ctx), 0);
    assert_int_equal(b2b2c_programs_get_param(
                         &v, h2, B2B2C_PROGRAMS_PARAM_REORDER_MARGIN),
                     0);
    assert_true(v == 2.25);
    assert_int_equal(b2b2c__programs_digest(h2), b2b2c__programs_digest(f->h));
    b2b2c_programs_free(h2);

    /* a record as 1.1's first programs engine wrote it */
    b2b2c__enc_begin(&w, &f->ctx->mem, 1);
    b2b2c__enc_f64(&w, 6);
    b2b2c__enc_f64(&w, 30);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c__st_put_rec(f->ctx, PG_T_PARAMS, "params", 6, &w),
                     0);
    assert_int_equal(b2b2c_ctx_commit(f->ctx), 0);
    assert_int_equal(b2b2c_programs_new(&h2, f->ctx), 0);
    assert_int_equal(b2b2c_programs_get_param(
                         &v, h2, B2B2C_PROGRAMS_PARAM_TREND_PERIODS),
                     0);
    assert_true(v == 6);
    assert_int_equal(b2b2c_programs_get_param(
                         &v, h2, B2B2C_PROGRAMS_PARAM_STOCK_MAX_AGE_DAYS),
                     0);
    assert_true(v == 30);
    assert_int_equal(b2b2c_programs_get_param(
                         &v, h2, B2B2C_PROGRAMS_PARAM_REORDER_MARGIN),
                     0);
    assert_true(v == 0.5);
    b2b2c_programs_free(h2);
}

/*
 * A professional customer's orders, passed by the host out of order (day
 * 0 = 1 March 2026): days 0 (5 u, 50), 10 (2 u, 20 and 3 u, 30: one
 * order), 30 (5 u, 60), 55 (7 u, 70), 80 (1 u, 10).
 * Now day 60: orders 0 10 30 55, intervals 10 20 25: median 20, due day
 * 75, late -15; since 5: not overdue, no interval shorter; units 5 5 5 7:
 * 5; amounts 50 50 60 70: 55.
 * Now day 100: intervals 10 20 25 25: median 22.5, due 80 + 23 = 103,
 * late -3; since 20, exceeded 1/4.
 */
static void t_customer_history(void **state)
{
    fx *f = *state;
    int64_t d0 = midnight(2026, 3, 1);
    const int64_t t[] = {d0 + 55 * D, d0 + 10 * D + 5, d0 + 80 * D, d0,
                         d0 + 30 * D + 7, d0 + 10 * D + 86399};
    const int64_t u[] = {7, 2, 1, 5, 5, 3};
    const int64_t m[] = {70, 20, 10, 50, 60, 30};
    double x[NF];

    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, t, u, m, 6,
                                               d0 + 60 * D + 100),
                     0);
    NEAR(x[B2B2C_PROGRAMS_R_ORDERS], 4);
    NEAR(x[B2B2C_PROGRAMS_R_LAST_ORDER], d0 + 55 * D);
    NEAR(x[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL], 20);
    NEAR(x[B2B2C_PROGRAMS_R_DUE], d0 + 75 * D);
    NEAR(x[B2B2C_PROGRAMS_R_DAYS_SINCE], 5);
    NEAR(x[B2B2C_PROGRAMS_R_DAYS_LATE], -15);
    NEAR(x[B2B2C_PROGRAMS_R_OVERDUE], 0);
    NEAR(x[B2B2C_PROGRAMS_R_EXCEEDED], 0);
    NEAR(x[B2B2C_PROGRAMS_R_EXPECTED_UNITS], 5);
    NEAR(x[B2B2C_PROGRAMS_R_EXPECTED_AMOUNT], 55);

    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, t, u, m, 6,
                                               d0 + 100 * D),
                     0);
    NEAR(x[B2B2C_PROGRAMS_R_ORDERS], 5);
    NEAR(x[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL], 22.5);
    NEAR(x[B2B2C_PROGRAMS_R_DUE], d0 + 103 * D);
    NEAR(x[B2B2C_PROGRAMS_R_DAYS_LATE], -3);
    NEAR(x[B2B2C_PROGRAMS_R_OVERDUE], 0);
    NEAR(x[B2B2C_PROGRAMS_R_EXCEEDED], 0.25);

    /* two orders: only the count, the last order and the days since */
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, t, u, m, 6,
                                               d0 + 20 * D),
                     0);
    NEAR(x[B2B2C_PROGRAMS_R_ORDERS], 2);
    NEAR(x[B2B2C_PROGRAMS_R_DAYS_SINCE], 10);
    assert_true(isnan(x[B2B2C_PROGRAMS_R_MEDIAN_INTERVAL]));
    assert_true(isnan(x[B2B2C_PROGRAMS_R_DUE]));
    assert_true(isnan(x[B2B2C_PROGRAMS_R_EXPECTED_AMOUNT]));
    /* none */
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, NULL, NULL, NULL,
                                               0, d0),
                     0);
    NEAR(x[B2B2C_PROGRAMS_R_ORDERS], 0);
    assert_true(isnan(x[B2B2C_PROGRAMS_R_LAST_ORDER]));
    assert_true(isnan(x[B2B2C_PROGRAMS_R_DAYS_SINCE]));
    /* a day whose units are 0 is no order; nfields 2 writes two */
    {
        const int64_t t2[] = {d0, d0 + D};
        const int64_t u2[] = {0, 4};
        const int64_t m2[] = {99, 40};
        x[2] = 77;
        assert_int_equal(b2b2c_programs_reorder_of(x, 2, f->h, t2, u2, m2, 2,
                                                   d0 + 3 * D),
                         0);
        NEAR(x[B2B2C_PROGRAMS_R_ORDERS], 1);
        NEAR(x[B2B2C_PROGRAMS_R_LAST_ORDER], d0 + D);
        assert_true(x[2] == 77);
    }
}

/* At UTC+3, 22:00 UTC on 1 March and 10:00 UTC on 2 March are one day,
 * 2 March local, which starts at 21:00 UTC on 1 March. */
static void t_utc_offset(void **state)
{
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    int64_t d0 = midnight(2026, 3, 1);
    const int64_t t[] = {d0 + 22 * 3600, d0 + D + 10 * 3600, d0 + 20 * 3600};
    const int64_t u[] = {1, 1, 1};
    const int64_t m[] = {1, 1, 1};
    double x[NF];
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, 3 * 3600), 0);
    assert_int_equal(b2b2c_programs_new(&h, ctx), 0);
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, h, t, u, m, 3,
                                               d0 + 5 * D),
                     0);
    NEAR(x[B2B2C_PROGRAMS_R_ORDERS], 2);
    NEAR(x[B2B2C_PROGRAMS_R_LAST_ORDER], d0 + 21 * 3600);
    b2b2c_programs_free(h);
    b2b2c_ctx_free(ctx);
}

static void t_bad_input(void **state)
{
    fx *f = *state;
    int64_t d0 = midnight(2026, 3, 1);
    const int64_t t[] = {d0, d0 + D, INT64_MAX};
    const int64_t u[] = {1, -2, 1};
    const int64_t m[] = {1, 1, B2B2C_PROGRAMS_LINE_MAX + 1};
    const int64_t ok[] = {1, 1, 1};
    double x[NF];
    rows r;

    for (size_t i = 0; i < NF; i++)
        x[i] = 7;
    assert_int_equal(b2b2c_programs_reorder_of(NULL, NF, f->h, t, ok, ok, 2,
                                               d0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, NULL, t, ok, ok, 2, d0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_programs_reorder_of(x, 0, f->h, t, ok, ok, 2, d0),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, t, NULL, ok, 2,
                                               d0),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "units"));
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, t, u, ok, 2, d0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "units[1]"));
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, t, ok, m, 3, d0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "times[2]"));
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, t, ok, m + 1, 2,
                                               d0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "amounts[1]"));
    assert_int_equal(b2b2c_programs_reorder_of(x, NF, f->h, t, ok, ok, 2,
                                               INT64_MIN),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    for (size_t i = 0; i < NF; i++)
        assert_true(x[i] == 7);

    assert_int_equal(b2b2c_programs_reorders(NULL, 0, NULL, d0, 0, on_row, &r),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_programs_reorders(f->h, 0, NULL, d0, 0, NULL, &r),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_programs_reorders(f->h, 2, NULL, d0, 0, on_row, &r),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "scope"));
    assert_int_equal(b2b2c_programs_reorders(f->h, 0, "", d0, 0, on_row, &r),
                     B2B2C_EBADID);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "product_line"));
    assert_int_equal(b2b2c_programs_reorders(f->h, 0, NULL, INT64_MAX, 0,
                                             on_row, &r),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "now"));
    assert_int_equal(b2b2c_programs_reorders(f->h, 0, NULL, d0, -1, on_row,
                                             &r),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(f->ctx), "window_days"));
    assert_int_equal(b2b2c_programs_reorders(
                         f->h, 0, NULL, d0,
                         B2B2C_PROGRAMS_REORDER_WINDOW_MAX + 1, on_row, &r),
                     B2B2C_ERANGE);
}

/* The callback: a non-zero return stops the list and is returned; a
 * mutating call from it gets B2B2C_ESTATE, a read works. */
typedef struct cbst {
    b2b2c_programs *h;
    int calls, mut_rc, read_rc;
} cbst;

static int on_stop(const char *id, const double *fields, size_t nfields,
                   void *ud)
{
    cbst *c = ud;
    double x[NF];
    int64_t t = (int64_t)fields[B2B2C_PROGRAMS_R_LAST_ORDER], u = 1;
    (void)id;
    (void)nfields;
    c->calls++;
    c->mut_rc = b2b2c_programs_set_dealer(c->h, "zz", 0, NULL);
    c->read_rc = b2b2c_programs_reorder_of(x, NF, c->h, &t, &u, &u, 1, t);
    return 9;
}

static void t_callbacks(void **state)
{
    fx *f = *state;
    cbst c = {f->h, 0, 0, -1};
    rows r;

    build(f->h);
    assert_int_equal(b2b2c_programs_reorders(f->h, 0, NULL, at(2026, 2, 10),
                                             0, on_stop, &c),
                     9);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.mut_rc, B2B2C_ESTATE);
    assert_int_equal(c.read_rc, 0);
    /* nothing was added */
    list(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, at(2026, 2, 10), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(b2b2c_programs_set_dealer(f->h, "zz", 0, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_dealers, setup, teardown),
        cmocka_unit_test_setup_teardown(t_points_and_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(t_window_and_params, setup, teardown),
        cmocka_unit_test_setup_teardown(t_params, setup, teardown),
        cmocka_unit_test_setup_teardown(t_customer_history, setup, teardown),
        cmocka_unit_test(t_utc_offset),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_callbacks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
