/* SPDX-License-Identifier: MIT */
/* Dealer network programs: validation (a specific code naming the
 * argument, nothing changed), persistence, the calendar and Theil-Sen
 * helpers, and the report on a network worked by hand (turnover with
 * returns and corrections, growth against the same days a year earlier,
 * trend, share, rank within tier and region, days of stock and
 * sell-through), per dealer, per point and per product line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "program/prog_int.h"

#define D INT64_C(86400)

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

/* The UTC second of noon of a civil date. */
static int64_t at(int64_t y, unsigned m, unsigned d)
{
    return b2b2c__pg_days_from_civil(y, m, d) * D + D / 2;
}
static int64_t midnight(int64_t y, unsigned m, unsigned d)
{
    return b2b2c__pg_days_from_civil(y, m, d) * D;
}

/* ---- report capture ---------------------------------------------------------- */

#define MAXROWS 16
typedef struct rows {
    size_t n;
    char id[MAXROWS][16];
    double f[MAXROWS][B2B2C_PROGRAMS_F_NFIELDS];
} rows;

static int grab(const char *id, const double *f, size_t nf, void *u)
{
    rows *r = u;
    assert_int_equal(nf, B2B2C_PROGRAMS_F_NFIELDS);
    assert_true(r->n < MAXROWS);
    snprintf(r->id[r->n], sizeof(r->id[0]), "%s", id);
    memcpy(r->f[r->n++], f, nf * sizeof(*f));
    return 0;
}

static const double *row(const rows *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->id[i], id) == 0)
            return r->f[i];
    fail_msg("no row %s", id);
    return NULL;
}

static void report(rows *r, b2b2c_programs *h, int32_t scope,
                   const char *line, int64_t from, int64_t to)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(b2b2c_programs_report(h, scope, line, from, to, grab, r),
                     0);
}

#define NEAR(a, b)                                                          \
    assert_true(fabs((a) - (double)(b)) <= 1e-9 * (1 + fabs((double)(b))))

/* ---- the network worked by hand ---------------------------------------------- */

/*
 * d1 (tier 1, north): p1, p2; d2 (tier 1, north): p3; d3 (tier 2, south):
 * p4. The report is March 2026 (31 days), TREND_PERIODS 3 (periods of 31
 * days ending 2026-04-01: from 2025-12-29, from 2026-01-29, March).
 *   p1 A: stock 62 on 02-28; sell-in 100/10000 on 03-02; sell-out 40/6000
 *         on 03-05, a return of 5/750 on 03-12, a correction of -1/-150 on
 *         03-20 (net 34/5100); stock 128/12800 on 03-31. Last year:
 *         sell-out 50/5000 on 2025-03-10, 7/999 on 2025-04-01 (outside).
 *   p1 B: sell-out 20/3000 on 03-10.
 *   p2 A: sell-out 10/1000 on 03-15.
 *   p3 A: sell-out 100/12000 on 03-03.
 *   p4 A: sell-out 300 on 2026-01-01, 200 on 02-10, 1/100 on 03-04.
 */
static void build(b2b2c_programs *h)
{
    assert_int_equal(b2b2c_programs_set_dealer(h, "d1", 1, "north"), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d2", 1, "north"), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d3", 2, "south"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p1", "d1"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p2", "d1"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p3", "d2"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p4", "d3"), 0);
    assert_int_equal(b2b2c_programs_set_param(h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS,
                                              3), 0);
#define REC(k, p, l, t, u, m)                                               \
    assert_int_equal(b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_##k, p, l, t,  \
                                           u, m), 0)
    REC(STOCK, "p1", "A", at(2026, 2, 28), 62, 6200);
    REC(SELL_IN, "p1", "A", at(2026, 3, 2), 100, 10000);
    REC(SELL_OUT, "p1", "A", at(2026, 3, 5), 40, 6000);
    REC(RETURN_OUT, "p1", "A", at(2026, 3, 12), 5, 750);
    REC(CORRECTION_OUT, "p1", "A", at(2026, 3, 20), -1, -150);
    REC(STOCK, "p1", "A", at(2026, 3, 31), 128, 12800);
    REC(SELL_OUT, "p1", "A", at(2025, 3, 10), 50, 5000);
    REC(SELL_OUT, "p1", "A", at(2025, 4, 1), 7, 999);
    REC(SELL_OUT, "p1", "B", at(2026, 3, 10), 20, 3000);
    REC(SELL_OUT, "p2", "A", at(2026, 3, 15), 10, 1000);
    REC(SELL_OUT, "p3", "A", at(2026, 3, 3), 100, 12000);
    REC(SELL_OUT, "p4", "A", at(2026, 1, 1), 3, 300);
    REC(SELL_OUT, "p4", "A", at(2026, 2, 10), 2, 200);
    REC(SELL_OUT, "p4", "A", at(2026, 3, 4), 1, 100);
#undef REC
}

static void t_dealers(void **state)
{
    fx *f = *state;
    rows r;
    const double *d1, *d2, *d3;

    build(f->h);
    report(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, midnight(2026, 3, 1),
           midnight(2026, 4, 1));
    assert_int_equal(r.n, 3);
    assert_string_equal(r.id[0], "d1"); /* ID order */
    assert_string_equal(r.id[2], "d3");
    d1 = row(&r, "d1");
    d2 = row(&r, "d2");
    d3 = row(&r, "d3");
    NEAR(d1[B2B2C_PROGRAMS_F_SELL_IN_UNITS], 100);
    NEAR(d1[B2B2C_PROGRAMS_F_SELL_IN_AMOUNT], 10000);
    NEAR(d1[B2B2C_PROGRAMS_F_SELL_OUT_UNITS], 34 + 20 + 10);
    NEAR(d1[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT], 5100 + 3000 + 1000);
    NEAR(d1[B2B2C_PROGRAMS_F_LY_SELL_OUT_AMOUNT], 5000);
    NEAR(d1[B2B2C_PROGRAMS_F_GROWTH], 9100.0 / 5000 - 1);
    assert_true(isnan(d2[B2B2C_PROGRAMS_F_GROWTH])); /* no last year */
    /* trend: d1 [0, 0, 9100]: slopes 0, 4550, 9100 -> 4550; median 0 */
    NEAR(d1[B2B2C_PROGRAMS_F_TREND_SLOPE], 4550);
    assert_true(isnan(d1[B2B2C_PROGRAMS_F_TREND_RELATIVE]));
    /* d3 [300, 200, 100]: every slope -100; median 200 */
    NEAR(d3[B2B2C_PROGRAMS_F_TREND_SLOPE], -100);
    NEAR(d3[B2B2C_PROGRAMS_F_TREND_RELATIVE], -0.5);
    NEAR(d1[B2B2C_PROGRAMS_F_SHARE], 9100.0 / 21200);
    NEAR(d2[B2B2C_PROGRAMS_F_SHARE], 12000.0 / 21200);
    NEAR(d3[B2B2C_PROGRAMS_F_SHARE], 100.0 / 21200);
    NEAR(d2[B2B2C_PROGRAMS_F_RANK], 1);
    NEAR(d1[B2B2C_PROGRAMS_F_RANK], 2);
    NEAR(d1[B2B2C_PROGRAMS_F_RANK_OF], 2);
    NEAR(d3[B2B2C_PROGRAMS_F_RANK], 1);
    NEAR(d3[B2B2C_PROGRAMS_F_RANK_OF], 1);
    /* stock: p1 A only (128 at the end, 62 before March) */
    NEAR(d1[B2B2C_PROGRAMS_F_STOCK_UNITS], 128);
    NEAR(d1[B2B2C_PROGRAMS_F_STOCK_AMOUNT], 12800);
    NEAR(d1[B2B2C_PROGRAMS_F_DAYS_OF_STOCK], 128.0 / (34.0 / 31.0));
    NEAR(d1[B2B2C_PROGRAMS_F_SELL_THROUGH], 34.0 / (62.0 + 100.0));
    assert_true(isnan(d2[B2B2C_PROGRAMS_F_STOCK_UNITS]));
    assert_true(isnan(d2[B2B2C_PROGRAMS_F_DAYS_OF_STOCK]));
    assert_true(isnan(d2[B2B2C_PROGRAMS_F_SELL_THROUGH]));
    /* April: the stock of 03-31 is 31 days old at the end, 1 at the start */
    report(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, midnight(2026, 4, 1),
           midnight(2026, 5, 1));
    NEAR(row(&r, "d1")[B2B2C_PROGRAMS_F_STOCK_UNITS], 128);
    assert_true(isnan(row(&r, "d1")[B2B2C_PROGRAMS_F_DAYS_OF_STOCK]));
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_STOCK_MAX_AGE_DAYS, 30),
                     0);
    report(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, midnight(2026, 4, 1),
           midnight(2026, 5, 1));
    assert_true(isnan(row(&r, "d1")[B2B2C_PROGRAMS_F_STOCK_UNITS]));
    /* March with 1 day: 03-31 is the period's last day, 02-28 the day
     * before its first: both still count */
    assert_int_equal(b2b2c_programs_set_param(
                         f->h, B2B2C_PROGRAMS_PARAM_STOCK_MAX_AGE_DAYS, 1),
                     0);
    report(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, NULL, midnight(2026, 3, 1),
           midnight(2026, 4, 1));
    NEAR(row(&r, "d1")[B2B2C_PROGRAMS_F_SELL_THROUGH], 34.0 / (62.0 + 100.0));
}

static void t_points_and_lines(void **state)
{
    fx *f = *state;
    rows r;

    build(f->h);
    report(&r, f->h, B2B2C_PROGRAMS_BY_POINT, NULL, midnight(2026, 3, 1),
           midnight(2026, 4, 1));
    assert_int_equal(r.n, 4);
    NEAR(row(&r, "p1")[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT], 8100);
    NEAR(row(&r, "p2")[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT], 1000);
    /* rank among the points of tier 1 north: p3, p1, p2 */
    NEAR(row(&r, "p3")[B2B2C_PROGRAMS_F_RANK], 1);
    NEAR(row(&r, "p1")[B2B2C_PROGRAMS_F_RANK], 2);
    NEAR(row(&r, "p2")[B2B2C_PROGRAMS_F_RANK], 3);
    NEAR(row(&r, "p2")[B2B2C_PROGRAMS_F_RANK_OF], 3);
    NEAR(row(&r, "p4")[B2B2C_PROGRAMS_F_RANK_OF], 1);
    /* product line B alone: p1's 3000 is the whole network's */
    report(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, "B", midnight(2026, 3, 1),
           midnight(2026, 4, 1));
    NEAR(row(&r, "d1")[B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT], 3000);
    NEAR(row(&r, "d1")[B2B2C_PROGRAMS_F_SHARE], 1);
    NEAR(row(&r, "d2")[B2B2C_PROGRAMS_F_SHARE], 0);
    assert_true(isnan(row(&r, "d1")[B2B2C_PROGRAMS_F_STOCK_UNITS]));
    /* ties share the best rank: d1 and d2 both 0 in line C */
    report(&r, f->h, B2B2C_PROGRAMS_BY_DEALER, "C", midnight(2026, 3, 1),
           midnight(2026, 4, 1));
    NEAR(row(&r, "d1")[B2B2C_PROGRAMS_F_RANK], 1);
    NEAR(row(&r, "d2")[B2B2C_PROGRAMS_F_RANK], 1);
    assert_true(isnan(row(&r, "d1")[B2B2C_PROGRAMS_F_SHARE]));
}

/* The same lines through the batch give the same state; a stock report
 * of the same day replaces the earlier one; two lines of one day add. */
static void t_batch(void **state)
{
    fx *f = *state;
    b2b2c_ctx *c2;
    b2b2c_programs *h2;
    const int32_t kinds[] = {B2B2C_PROGRAMS_KIND_SELL_OUT, B2B2C_PROGRAMS_KIND_STOCK,
                             B2B2C_PROGRAMS_KIND_SELL_OUT, B2B2C_PROGRAMS_KIND_STOCK,
                             B2B2C_PROGRAMS_KIND_SELL_IN};
    const char *pts[] = {"p1", "p1", "p1", "p1", "p2"};
    const char *lines[] = {"A", "A", "A", "A", "A"};
    const int64_t ts[] = {at(2026, 3, 5), at(2026, 3, 5), at(2026, 3, 5) + 1,
                          at(2026, 3, 5) + 2, at(2026, 1, 1)};
    const int64_t us[] = {4, 50, 6, 40, 9}, ms[] = {400, 5000, 600, 4000, 90};
    rows r;

    assert_int_equal(b2b2c_ctx_new(&c2, NULL, NULL), 0);
    assert_int_equal(b2b2c_programs_new(&h2, c2), 0);
    assert_int_equal(b2b2c_programs_set_dealer(f->h, "d1", 0, NULL), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h2, "d1", 0, ""), 0);
    for (int i = 1; i <= 2; i++) {
        const char *p = i == 1 ? "p1" : "p2";
        assert_int_equal(b2b2c_programs_add_point(f->h, p, "d1"), 0);
        assert_int_equal(b2b2c_programs_add_point(h2, p, "d1"), 0);
    }
    assert_int_equal(b2b2c_programs_record_batch(f->h, kinds, pts, lines, ts,
                                                 us, ms, 5), 0);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(b2b2c_programs_record(h2, kinds[i], pts[i],
                                               lines[i], ts[i], us[i], ms[i]),
                         0);
    assert_int_equal(b2b2c__programs_digest(f->h), b2b2c__programs_digest(h2));
    report(&r, f->h, B2B2C_PROGRAMS_BY_POINT, NULL, midnight(2026, 3, 1),
           midnight(2026, 4, 1));
    NEAR(row(&r, "p1")[B2B2C_PROGRAMS_F_SELL_OUT_UNITS], 10);
    NEAR(row(&r, "p1")[B2B2C_PROGRAMS_F_STOCK_UNITS], 40);
    assert_int_equal(b2b2c_programs_record_batch(f->h, NULL, NULL, NULL, NULL,
                                                 NULL, NULL, 0), 0);
    b2b2c_programs_free(h2);
    b2b2c_ctx_free(c2);
}

/* ---- listings -------------------------------------------------------------------- */

typedef struct seen {
    char buf[512];
    size_t len;
} seen;

static int dealer_cb(const char *id, int32_t tier, const char *region,
                     int64_t points, void *u)
{
    seen *s = u;
    s->len += (size_t)snprintf(s->buf + s->len, sizeof(s->buf) - s->len,
                               "%s/%d/%s/%lld;", id, (int)tier, region,
                               (long long)points);
    return 0;
}

static int point_cb(const char *id, const char *dealer, int64_t lines,
                    void *u)
{
    seen *s = u;
    s->len += (size_t)snprintf(s->buf + s->len, sizeof(s->buf) - s->len,
                               "%s/%s/%lld;", id, dealer, (long long)lines);
    return 0;
}

static void t_listings(void **state)
{
    fx *f = *state;
    seen s;

    build(f->h);
    assert_int_equal(b2b2c_programs_set_dealer(f->h, "d0", 2, NULL), 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_programs_list_dealers(f->h, -1, dealer_cb, &s), 0);
    assert_string_equal(s.buf, "d0/2//0;d1/1/north/2;d2/1/north/1;"
                               "d3/2/south/1;");
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_programs_list_dealers(f->h, 2, dealer_cb, &s), 0);
    assert_string_equal(s.buf, "d0/2//0;d3/2/south/1;");
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_programs_list_points(f->h, NULL, point_cb, &s), 0);
    assert_string_equal(s.buf, "p1/d1/2;p2/d1/1;p3/d2/1;p4/d3/1;");
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_programs_list_points(f->h, "d1", point_cb, &s), 0);
    assert_string_equal(s.buf, "p1/d1/2;p2/d1/1;");
    memset(&s, 0, sizeof(s));
    assert_int_equal(b2b2c_programs_list_points(f->h, "zz", point_cb, &s), 0);
    assert_int_equal(s.len, 0);
    assert_int_equal(b2b2c_programs_list_dealers(f->h, 1001, dealer_cb, &s),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_programs_list_points(f->h, "", point_cb, &s),
                     B2B2C_EBADID);
    assert_int_equal(b2b2c_programs_list_points(f->h, NULL, NULL, NULL),
                     B2B2C_EINVAL);
}

/* ---- bad input ------------------------------------------------------------------ */

static void expect(fx *f, int rc, int code, const char *prefix)
{
    assert_int_equal(rc, code);
    if (strncmp(b2b2c_ctx_errmsg(f->ctx), prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'",
                 b2b2c_ctx_errmsg(f->ctx), prefix);
}

static void t_bad_input(void **state)
{
    fx *f = *state;
    b2b2c_programs *h = f->h;
    uint64_t dig;
    const int32_t kinds[] = {B2B2C_PROGRAMS_KIND_SELL_OUT, B2B2C_PROGRAMS_KIND_SELL_IN,
                             B2B2C_PROGRAMS_KIND_SELL_OUT};
    const char *pts[] = {"p1", "p1", "nowhere"};
    const char *lines[] = {"A", "A", "A"};
    const int64_t ts[] = {at(2026, 3, 5), at(2026, 3, 6), at(2026, 3, 7)};
    const int64_t us[] = {1, 2, 3}, ms[] = {10, -5, 30}, ms_ok[] = {10, 5, 30};
    rows r;

    build(h);
    dig = b2b2c__programs_digest(h);
    expect(f, b2b2c_programs_set_dealer(h, "", 1, NULL), B2B2C_EBADID,
           "dealer_id:");
    expect(f, b2b2c_programs_set_dealer(h, "dx", 1001, NULL), B2B2C_ERANGE,
           "tier:");
    expect(f, b2b2c_programs_set_dealer(h, "dx", -1, NULL), B2B2C_ERANGE,
           "tier:");
    expect(f, b2b2c_programs_set_dealer(h, "dx", 1, "\xff"), B2B2C_EBADID,
           "region:");
    expect(f, b2b2c_programs_add_point(h, "px", "nobody"), B2B2C_ENOTFOUND,
           "dealer_id: no dealer 'nobody'");
    expect(f, b2b2c_programs_add_point(h, "p1", "d2"), B2B2C_EEXISTS,
           "point_id: 'p1' belongs to dealer 'd1'");
    assert_int_equal(b2b2c_programs_add_point(h, "p1", "d1"), 0); /* same */
    expect(f, b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A",
                                    at(2026, 3, 1), -3, 100),
           B2B2C_ERANGE, "units: -3 is negative for kind sell_out");
    expect(f, b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_RETURN_OUT, "p1", "A",
                                    at(2026, 3, 1), 3, -100),
           B2B2C_ERANGE, "amount: -100 is negative for kind return_out");
    expect(f, b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_STOCK, "p1", "A",
                                    at(2026, 3, 1), -1, 0),
           B2B2C_ERANGE, "units:");
    expect(f, b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_CORRECTION_IN, "p1",
                                    "A", at(2026, 3, 1),
                                    -B2B2C_PROGRAMS_LINE_MAX - 1, 0),
           B2B2C_ERANGE, "units:");
    expect(f, b2b2c_programs_record(h, 7, "p1", "A", at(2026, 3, 1), 1, 1),
           B2B2C_EINVAL, "kind:");
    expect(f, b2b2c_programs_record(h, -1, "p1", "A", at(2026, 3, 1), 1, 1),
           B2B2C_EINVAL, "kind:");
    expect(f, b2b2c_programs_record(h, 0, "nowhere", "A", at(2026, 3, 1), 1,
                                    1),
           B2B2C_ENOTFOUND, "point_id: no point of sale 'nowhere'");
    expect(f, b2b2c_programs_record(h, 0, "p1", NULL, at(2026, 3, 1), 1, 1),
           B2B2C_EBADID, "product_line:");
    expect(f, b2b2c_programs_record(h, 0, "p1", "A", INT64_MAX, 1, 1),
           B2B2C_ERANGE, "t:");
    /* the batch: line 1's amount, then line 2's point; nothing recorded */
    expect(f, b2b2c_programs_record_batch(h, kinds, pts, lines, ts, us, ms,
                                          3),
           B2B2C_ERANGE, "amount[1]: -5 is negative for kind sell_in");
    expect(f, b2b2c_programs_record_batch(h, kinds, pts, lines, ts, us, ms_ok,
                                          3),
           B2B2C_ENOTFOUND, "point_id[2]: no point of sale 'nowhere'");
    expect(f, b2b2c_programs_record_batch(h, kinds, pts, NULL, ts, us, ms_ok,
                                          3),
           B2B2C_EINVAL, "product_lines: NULL");
    assert_int_equal(b2b2c__programs_digest(h), dig);
    /* the day's total stays within 2^62 */
    for (int i = 0; i < 4611; i++)
        assert_int_equal(b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_IN,
                                               "p2", "Z", at(2026, 5, 1),
                                               B2B2C_PROGRAMS_LINE_MAX, 0),
                         0);
    dig = b2b2c__programs_digest(h);
    expect(f, b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p2", "Z",
                                    at(2026, 5, 1), B2B2C_PROGRAMS_LINE_MAX,
                                    0),
           B2B2C_ERANGE, "units: the day's total would pass 2^62");
    assert_int_equal(b2b2c__programs_digest(h), dig);
    /* report arguments */
    expect(f, b2b2c_programs_report(h, 2, NULL, 0, D, grab, &r), B2B2C_EINVAL,
           "scope:");
    expect(f, b2b2c_programs_report(h, 0, NULL, D, D + 5, grab, &r),
           B2B2C_ERANGE, "to:");
    expect(f, b2b2c_programs_report(h, 0, "", 0, D, grab, &r), B2B2C_EBADID,
           "product_line:");
    expect(f, b2b2c_programs_report(h, 0, NULL, INT64_MIN, D, grab, &r),
           B2B2C_ERANGE, "from:");
    assert_int_equal(b2b2c_programs_report(h, 0, NULL, 0, D, NULL, NULL),
                     B2B2C_EINVAL);
    /* parameters */
    expect(f, b2b2c_programs_set_param(h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, 2),
           B2B2C_ERANGE, "value:");
    expect(f, b2b2c_programs_set_param(h, B2B2C_PROGRAMS_PARAM_TREND_PERIODS, 3.5),
           B2B2C_ERANGE, "value:");
    expect(f, b2b2c_programs_set_param(h, 600, 3), B2B2C_EINVAL, "param:");
    assert_int_equal(b2b2c_programs_kind_from_name("return_out"),
                     B2B2C_PROGRAMS_KIND_RETURN_OUT);
    assert_string_equal(b2b2c_programs_kind_name(B2B2C_PROGRAMS_KIND_STOCK),
                        "stock");
    assert_null(b2b2c_programs_kind_name(7));
    assert_int_equal(b2b2c_programs_kind_from_name("x"), B2B2C_EINVAL);
}

/* A mutating call from the report's callback is refused. */
static int mutate_cb(const char *id, const double *f, size_t n, void *u)
{
    fx *x = u;
    (void)id, (void)f, (void)n;
    return b2b2c_programs_set_dealer(x->h, "cb", 1, NULL);
}
static int stop_cb(const char *id, const double *f, size_t n, void *u)
{
    (void)id, (void)f, (void)n, (void)u;
    return 42;
}

static void t_callbacks(void **state)
{
    fx *f = *state;
    build(f->h);
    assert_int_equal(b2b2c_programs_report(f->h, 0, NULL, 0, D * 30000,
                                           mutate_cb, f),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_programs_report(f->h, 0, NULL, 0, D * 30000,
                                           stop_cb, f),
                     42);
}

/* ---- persistence, parameters, days -------------------------------------------- */

static void t_reopen(void **state)
{
    fx *f = *state;
    b2b2c_programs *h2;
    double v = 0;
    rows a, b;

    build(f->h);
    assert_int_equal(b2b2c_programs_set_dealer(f->h, "d3", 5, "east"), 0);
    assert_int_equal(b2b2c_programs_new(&h2, f->ctx), 0);
    assert_int_equal(b2b2c__programs_digest(h2), b2b2c__programs_digest(f->h));
    assert_int_equal(b2b2c_programs_get_param(&v, h2,
                                              B2B2C_PROGRAMS_PARAM_TREND_PERIODS),
                     0);
    assert_true(v == 3);
    report(&a, f->h, 0, NULL, midnight(2026, 3, 1), midnight(2026, 4, 1));
    report(&b, h2, 0, NULL, midnight(2026, 3, 1), midnight(2026, 4, 1));
    assert_memory_equal(&a, &b, sizeof(a));
    b2b2c_programs_free(h2);
}

/* Days in the context's UTC offset: at UTC+3, 22:00 UTC on 31 March is
 * 1 April, outside March. */
static void t_utc_offset(void **state)
{
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    rows r;
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, 3 * 3600), 0);
    assert_int_equal(b2b2c_programs_new(&h, ctx), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d", 0, NULL), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p", "d"), 0);
    assert_int_equal(b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p",
                                           "A", midnight(2026, 3, 31) +
                                                    22 * 3600, 1, 7), 0);
    assert_int_equal(b2b2c_programs_record(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p",
                                           "A", midnight(2026, 3, 31) +
                                                    20 * 3600, 1, 5), 0);
    report(&r, h, 0, NULL, midnight(2026, 3, 1) - 3 * 3600,
           midnight(2026, 4, 1) - 3 * 3600);
    NEAR(r.f[0][B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT], 5);
    b2b2c_programs_free(h);
    b2b2c_ctx_free(ctx);
}

/* ---- helpers ---------------------------------------------------------------------- */

static void t_calendar(void **state)
{
    (void)state;
    assert_int_equal(b2b2c__pg_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(b2b2c__pg_days_from_civil(2026, 1, 1), 20454);
    assert_int_equal(b2b2c__pg_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(b2b2c__pg_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(b2b2c__pg_year_before(b2b2c__pg_days_from_civil(2024, 2,
                                                                     29)),
                     b2b2c__pg_days_from_civil(2023, 2, 28));
    assert_int_equal(b2b2c__pg_year_before(b2b2c__pg_days_from_civil(2025, 3,
                                                                     1)),
                     b2b2c__pg_days_from_civil(2024, 3, 1));
    /* round trip over every day of years 1..9999 (every 7th) */
    for (int64_t z = -719162; z <= 2932896; z += 7) {
        int64_t y;
        unsigned m, d;
        b2b2c__pg_civil_from_days(z, &y, &m, &d);
        assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        assert_int_equal(b2b2c__pg_days_from_civil(y, m, d), z);
    }
}

static void t_theil_sen(void **state)
{
    double pairs[64];
    /* slopes 1, 1.5, 2/3, 2, 0.5, -1: median (2/3 + 1) / 2 */
    const double a[] = {1, 2, 4, 3};
    /* one outlier of five does not move it: nine slopes of ten are 1 */
    const double b[] = {1, 2, 3, 100, 5};
    const double c[] = {7, 7, 7};
    (void)state;
    NEAR(b2b2c__pg_theil_sen(a, 4, pairs), (2.0 / 3.0 + 1.0) / 2.0);
    NEAR(b2b2c__pg_theil_sen(b, 5, pairs), 1.0);
    NEAR(b2b2c__pg_theil_sen(c, 3, pairs), 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_dealers, setup, teardown),
        cmocka_unit_test_setup_teardown(t_points_and_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(t_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(t_listings, setup, teardown),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_callbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(t_reopen, setup, teardown),
        cmocka_unit_test(t_utc_offset),
        cmocka_unit_test(t_calendar),
        cmocka_unit_test(t_theil_sen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
