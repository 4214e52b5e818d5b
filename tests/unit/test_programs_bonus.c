/* SPDX-License-Identifier: MIT */
/* Volume bonus programs (issue 17, step 2), worked by hand: retroactive
 * and incremental tiers on net sell-in money (basis points), a product-line
 * program on units (an amount per unit) that ignores the other lines,
 * rounding floored once per dealer, quarter and year boundaries in the
 * context's UTC offset (leap year included); validation (a specific code,
 * the message naming the tier, nothing changed), replacement,
 * persistence, the listing's callback rules, and two contexts on one
 * store kept in step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "program/prog_int.h"
#include "sync_util.h"

#define D INT64_C(86400)
#define NF B2B2C_PROGRAM_F_NFIELDS

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

/* Three tiers on money: 1,000.00 / 5,000.00 / 10,000.00 at 1%, 2%, 3%. */
static const int64_t TH[] = {100000, 500000, 1000000};
static const int64_t BP[] = {100, 200, 300};

/*
 * Dealer d1 (points p1, p2), d2 (no lines). Net sell-in of d1 in Q1 2026
 * up to 14 February (day 45 of 90): 300,000 (p1 L1) + 350,000 (p2 L2)
 * - 50,000 returned (p1 L1) + 1 corrected (p2 L2) = 600,001 minor units;
 * in units, L1: 10 - 2 + 5 (p2, late on the 14th) = 13, L2: 30. Not
 * counted: sell-out, the last day of 2025 and 20 March.
 */
static void build(b2b2c_programs *h)
{
    assert_int_equal(b2b2c_programs_set_dealer(h, "d1", 1, "north"), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d2", 1, "north"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p1", "d1"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p2", "d1"), 0);
    rec(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p1", "L1", at(2026, 1, 10), 10,
        300000);
    rec(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p2", "L2", at(2026, 2, 1), 30,
        350000);
    rec(h, B2B2C_PROGRAMS_KIND_RETURN_IN, "p1", "L1", at(2026, 2, 5), 2,
        50000);
    rec(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "L1", at(2026, 2, 6), 99,
        999999);
    rec(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p1", "L1", at(2025, 12, 31), 70,
        700000);
    rec(h, B2B2C_PROGRAMS_KIND_CORRECTION_IN, "p2", "L2", at(2026, 2, 10), 0,
        1);
    rec(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p1", "L1", at(2026, 3, 20), 40,
        400000);
    rec(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p2", "L1",
        midnight(2026, 2, 14) + 23 * 3600, 5, 0);
}

static void status(int64_t *f, b2b2c_programs *h, const char *prog,
                   const char *dealer, int64_t now)
{
    assert_int_equal(b2b2c_program_status(f, NF, h, prog, dealer, now), 0);
}

static void t_retroactive(void **state)
{
    fx *x = *state;
    int64_t f[NF];

    build(x->h);
    assert_int_equal(b2b2c_program_set(x->h, "R", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_RETROACTIVE,
                                       B2B2C_PROGRAM_PERIOD_QUARTER, NULL, TH,
                                       BP, 3),
                     0);
    status(f, x->h, "R", "d1", at(2026, 2, 14));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 600001);
    assert_int_equal(f[B2B2C_PROGRAM_F_TIER], 2);
    assert_int_equal(f[B2B2C_PROGRAM_F_NEXT_THRESHOLD], 1000000);
    assert_int_equal(f[B2B2C_PROGRAM_F_GAP], 399999);
    /* 600,001 x 2% = 12,000.02 */
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 12000);
    assert_int_equal(f[B2B2C_PROGRAM_F_ELAPSED_DAYS], 45);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_DAYS], 90);
    /* 600,001 x 90 / 45 = 1,200,002: tier 3, x 3% = 36,000.06 */
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_VOLUME], 1200002);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_TIER], 3);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_BONUS], 36000);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_START], midnight(2026, 1, 1));
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_END], midnight(2026, 4, 1));

    /* d2 bought nothing: below the first tier, the gap is all of it */
    status(f, x->h, "R", "d2", at(2026, 2, 14));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 0);
    assert_int_equal(f[B2B2C_PROGRAM_F_TIER], 0);
    assert_int_equal(f[B2B2C_PROGRAM_F_NEXT_THRESHOLD], 100000);
    assert_int_equal(f[B2B2C_PROGRAM_F_GAP], 100000);
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 0);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_TIER], 0);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_BONUS], 0);

    /* 31 March: 20 March counts, 1,000,001 at the top tier, the
     * projection is the volume */
    status(f, x->h, "R", "d1", at(2026, 3, 31));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 1000001);
    assert_int_equal(f[B2B2C_PROGRAM_F_TIER], 3);
    assert_int_equal(f[B2B2C_PROGRAM_F_NEXT_THRESHOLD], -1);
    assert_int_equal(f[B2B2C_PROGRAM_F_GAP], 0);
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 30000); /* 30,000.03 */
    assert_int_equal(f[B2B2C_PROGRAM_F_ELAPSED_DAYS], 90);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_VOLUME], 1000001);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_BONUS], 30000);

    /* a shorter out-array gets the first fields only */
    memset(f, 0x55, sizeof(f));
    assert_int_equal(b2b2c_program_status(f, 2, x->h, "R", "d1",
                                          at(2026, 2, 14)),
                     0);
    assert_int_equal(f[0], 600001);
    assert_int_equal(f[1], 2);
    assert_true(f[2] == INT64_C(0x5555555555555555));
}

static void t_incremental(void **state)
{
    fx *x = *state;
    int64_t f[NF];
    const int64_t th2[] = {0, 15}, half[] = {5000, 5000};

    build(x->h);
    assert_int_equal(b2b2c_program_set(x->h, "I", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_INCREMENTAL,
                                       B2B2C_PROGRAM_PERIOD_QUARTER, NULL, TH,
                                       BP, 3),
                     0);
    status(f, x->h, "I", "d1", at(2026, 2, 14));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 600001);
    assert_int_equal(f[B2B2C_PROGRAM_F_TIER], 2);
    /* below 1,000.00 nothing; 400,000 x 1% = 4,000; 100,001 x 2% =
     * 2,000.02; 6,000.02 floored */
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 6000);
    /* 1,200,002: 4,000 + 500,000 x 2% + 200,002 x 3% = 20,000.06 */
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_VOLUME], 1200002);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_BONUS], 20000);

    /* floored once per dealer, not per tier: 15 x 50% + 15 x 50% = 15
     * (7 + 7 = 14 if each tier were floored) */
    assert_int_equal(b2b2c_programs_set_dealer(x->h, "d3", 0, NULL), 0);
    assert_int_equal(b2b2c_programs_add_point(x->h, "p3", "d3"), 0);
    rec(x->h, B2B2C_PROGRAMS_KIND_SELL_IN, "p3", "L9", at(2026, 3, 31), 1,
        30);
    assert_int_equal(b2b2c_program_set(x->h, "H", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_INCREMENTAL,
                                       B2B2C_PROGRAM_PERIOD_QUARTER, NULL, th2,
                                       half, 2),
                     0);
    status(f, x->h, "H", "d3", at(2026, 3, 31));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 30);
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 15);
}

/* A program on units of line L1 counts L1 only (13 units, not the 30 of
 * L2), pays an amount per unit, over the calendar year. */
static void t_product_line(void **state)
{
    fx *x = *state;
    int64_t f[NF];
    const int64_t th[] = {10, 50}, per[] = {100, 250};

    build(x->h);
    assert_int_equal(b2b2c_program_set(x->h, "U", B2B2C_PROGRAM_BASIS_UNITS,
                                       B2B2C_PROGRAM_RETROACTIVE,
                                       B2B2C_PROGRAM_PERIOD_YEAR, "L1", th,
                                       per, 2),
                     0);
    status(f, x->h, "U", "d1", at(2026, 2, 14));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 13);
    assert_int_equal(f[B2B2C_PROGRAM_F_TIER], 1);
    assert_int_equal(f[B2B2C_PROGRAM_F_GAP], 37);
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 1300);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_DAYS], 365);
    /* floor(13 x 365 / 45) = floor(105.4) */
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_VOLUME], 105);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_TIER], 2);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_BONUS], 105 * 250);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_START], midnight(2026, 1, 1));
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_END], midnight(2027, 1, 1));

    /* the same tiers on every line: 13 + 30 */
    assert_int_equal(b2b2c_program_set(x->h, "U", B2B2C_PROGRAM_BASIS_UNITS,
                                       B2B2C_PROGRAM_RETROACTIVE,
                                       B2B2C_PROGRAM_PERIOD_YEAR, NULL, th,
                                       per, 2),
                     0);
    status(f, x->h, "U", "d1", at(2026, 2, 14));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 43);
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 4300);

    /* 2025: only the last day's 70 units */
    status(f, x->h, "U", "d1", at(2025, 12, 31));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 70);
    assert_int_equal(f[B2B2C_PROGRAM_F_TIER], 2);
    assert_int_equal(f[B2B2C_PROGRAM_F_ELAPSED_DAYS], 365);
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 70 * 250);
}

/* Quarter and year boundaries in the context's offset (UTC+3): 22:00 UTC
 * on 31 March is 1 April there; 2028 has 366 days, its Q1 91. */
static void t_boundaries(void **state)
{
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    int64_t f[NF];
    const int64_t th[] = {1}, bp[] = {100};
    (void)state;

    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(ctx, 3 * 3600), 0);
    assert_int_equal(b2b2c_programs_new(&h, ctx), 0);
    assert_int_equal(b2b2c_programs_set_dealer(h, "d", 0, NULL), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p", "d"), 0);
    rec(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p", "A",
        midnight(2026, 3, 31) + 20 * 3600, 1, 7); /* 23:00 local */
    rec(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p", "A",
        midnight(2026, 3, 31) + 22 * 3600, 1, 1000); /* 01:00 1 April */
    assert_int_equal(b2b2c_program_set(h, "Q", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_RETROACTIVE,
                                       B2B2C_PROGRAM_PERIOD_QUARTER, NULL, th,
                                       bp, 1),
                     0);
    /* 23:30 local on 31 March: Q1, its last day */
    status(f, h, "Q", "d", midnight(2026, 3, 31) + 20 * 3600 + 1800);
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 7);
    assert_int_equal(f[B2B2C_PROGRAM_F_ELAPSED_DAYS], 90);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_DAYS], 90);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_VOLUME], 7);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_END],
                     midnight(2026, 4, 1) - 3 * 3600);
    /* 21:00 UTC: 00:00 local on 1 April, Q2's first day; days are the
     * finest grain, so the whole of now's day counts (01:00 local too) */
    status(f, h, "Q", "d", midnight(2026, 3, 31) + 21 * 3600);
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 1000);
    assert_int_equal(f[B2B2C_PROGRAM_F_ELAPSED_DAYS], 1);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_DAYS], 91);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_START],
                     midnight(2026, 4, 1) - 3 * 3600);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_END],
                     midnight(2026, 7, 1) - 3 * 3600);
    status(f, h, "Q", "d", midnight(2026, 4, 1));
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 1000);
    /* one day of 91: 91,000 projected, 1% = 910 */
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_VOLUME], 91000);
    assert_int_equal(f[B2B2C_PROGRAM_F_PROJECTED_BONUS], 910);
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 10);
    /* Q4 ends with the year */
    status(f, h, "Q", "d", at(2026, 12, 31));
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_START],
                     midnight(2026, 10, 1) - 3 * 3600);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_END],
                     midnight(2027, 1, 1) - 3 * 3600);
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_DAYS], 92);
    /* leap years */
    status(f, h, "Q", "d", at(2028, 2, 29));
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_DAYS], 91);
    assert_int_equal(f[B2B2C_PROGRAM_F_ELAPSED_DAYS], 60);
    assert_int_equal(b2b2c_program_set(h, "Y", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_RETROACTIVE,
                                       B2B2C_PROGRAM_PERIOD_YEAR, NULL, th,
                                       bp, 1),
                     0);
    status(f, h, "Y", "d", at(2028, 12, 31));
    assert_int_equal(f[B2B2C_PROGRAM_F_PERIOD_DAYS], 366);
    assert_int_equal(f[B2B2C_PROGRAM_F_ELAPSED_DAYS], 366);
    status(f, h, "Y", "d", midnight(2026, 12, 31) + 20 * 3600);
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 1007);
    status(f, h, "Y", "d", midnight(2026, 12, 31) + 21 * 3600);
    assert_int_equal(f[B2B2C_PROGRAM_F_VOLUME], 0);
    b2b2c_programs_free(h);
    b2b2c_ctx_free(ctx);
}

/* ---- bad input ------------------------------------------------------------------ */

static void expect(fx *x, int rc, int code, const char *prefix)
{
    assert_int_equal(rc, code);
    if (strncmp(b2b2c_ctx_errmsg(x->ctx), prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'",
                 b2b2c_ctx_errmsg(x->ctx), prefix);
}

static int grab0(const char *id, const int64_t *f, size_t nf, void *u)
{
    (void)id, (void)f, (void)nf, (void)u;
    fail_msg("a row before the error");
    return 0;
}

static int set(b2b2c_programs *h, int32_t basis, const int64_t *th,
               const int64_t *rate, size_t n)
{
    return b2b2c_program_set(h, "P", basis, B2B2C_PROGRAM_RETROACTIVE,
                             B2B2C_PROGRAM_PERIOD_QUARTER, NULL, th, rate, n);
}

static void t_bad_input(void **state)
{
    fx *x = *state;
    b2b2c_programs *h = x->h;
    const int64_t up[] = {10, 20, 30}, down[] = {10, 30, 20},
                  same[] = {10, 10}, neg[] = {-1, 5}, r3[] = {1, 2, 3},
                  rneg[] = {1, -2, 3}, rbig[] = {1, 10001, 3};
    int64_t f[NF], big[B2B2C_PROGRAM_TIERS_MAX + 1], z[NF] = {0};
    uint64_t dig;

    build(h);
    assert_int_equal(set(h, B2B2C_PROGRAM_BASIS_AMOUNT, up, r3, 3), 0);
    dig = b2b2c__programs_digest(h);
    expect(x, set(h, B2B2C_PROGRAM_BASIS_AMOUNT, down, r3, 3), B2B2C_ERANGE,
           "tiers[2].threshold: 20 is not above tiers[1].threshold (30)");
    expect(x, set(h, B2B2C_PROGRAM_BASIS_AMOUNT, same, r3, 2), B2B2C_ERANGE,
           "tiers[1].threshold: 10 is not above");
    expect(x, set(h, B2B2C_PROGRAM_BASIS_AMOUNT, neg, r3, 2), B2B2C_ERANGE,
           "tiers[0].threshold: -1");
    expect(x, set(h, B2B2C_PROGRAM_BASIS_AMOUNT, up, rneg, 3), B2B2C_ERANGE,
           "tiers[1].rate: -2");
    expect(x, set(h, B2B2C_PROGRAM_BASIS_AMOUNT, up, rbig, 3), B2B2C_ERANGE,
           "tiers[1].rate: 10001 is outside [0, 10000] (basis points)");
    assert_int_equal(set(h, B2B2C_PROGRAM_BASIS_UNITS, up, rbig, 3), 0);
    assert_int_equal(set(h, B2B2C_PROGRAM_BASIS_AMOUNT, up, r3, 3), 0);
    for (size_t i = 0; i <= B2B2C_PROGRAM_TIERS_MAX; i++)
        big[i] = (int64_t)i;
    expect(x, set(h, B2B2C_PROGRAM_BASIS_UNITS, big, big,
                  B2B2C_PROGRAM_TIERS_MAX + 1),
           B2B2C_ERANGE, "ntiers: 33");
    expect(x, set(h, B2B2C_PROGRAM_BASIS_UNITS, up, r3, 0), B2B2C_ERANGE,
           "ntiers: 0");
    expect(x, set(h, 2, up, r3, 3), B2B2C_EINVAL, "basis: 2");
    expect(x, set(h, B2B2C_PROGRAM_BASIS_UNITS, NULL, r3, 3), B2B2C_EINVAL,
           "thresholds: NULL");
    expect(x, set(h, B2B2C_PROGRAM_BASIS_UNITS, up, NULL, 3), B2B2C_EINVAL,
           "rates: NULL");
    expect(x,
           b2b2c_program_set(h, "P", 0, 2, 0, NULL, up, r3, 3),
           B2B2C_EINVAL, "mode: 2");
    expect(x,
           b2b2c_program_set(h, "P", 0, 0, -1, NULL, up, r3, 3),
           B2B2C_EINVAL, "period: -1");
    expect(x, b2b2c_program_set(h, "", 0, 0, 0, NULL, up, r3, 3),
           B2B2C_EBADID, "program_id:");
    expect(x, b2b2c_program_set(h, "P", 0, 0, 0, "", up, r3, 3),
           B2B2C_EBADID, "product_line:");
    assert_int_equal(b2b2c_program_set(NULL, "P", 0, 0, 0, NULL, up, r3, 3),
                     B2B2C_EINVAL);
    assert_true(b2b2c__programs_digest(h) == dig);

    /* status: out-array untouched on failure */
    memcpy(f, z, sizeof(f));
    expect(x, b2b2c_program_status(f, NF, h, "nope", "d1", at(2026, 2, 1)),
           B2B2C_ENOTFOUND, "program_id: no program 'nope'");
    expect(x, b2b2c_program_status(f, NF, h, "P", "d9", at(2026, 2, 1)),
           B2B2C_ENOTFOUND, "dealer_id: no dealer 'd9'");
    expect(x, b2b2c_program_status(f, NF, h, "P", NULL, at(2026, 2, 1)),
           B2B2C_EBADID, "dealer_id:");
    expect(x, b2b2c_program_status(f, 0, h, "P", "d1", at(2026, 2, 1)),
           B2B2C_EINVAL, "nfields:");
    expect(x, b2b2c_program_status(f, NF, h, "P", "d1", INT64_MAX),
           B2B2C_ERANGE, "now:");
    assert_int_equal(b2b2c_program_status(NULL, NF, h, "P", "d1", 0),
                     B2B2C_EINVAL);
    assert_memory_equal(f, z, sizeof(f));
    expect(x, b2b2c_program_status_list(h, "nope", 0, NULL, NULL),
           B2B2C_EINVAL, "");

    /* 100,000 units at 10^15 minor units each: past 2^63, never wrapped */
    {
        const int64_t th0[] = {0}, huge[] = {B2B2C_PROGRAMS_LINE_MAX};
        assert_int_equal(b2b2c_programs_set_dealer(h, "d4", 0, NULL), 0);
        assert_int_equal(b2b2c_programs_add_point(h, "p4", "d4"), 0);
        rec(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p4", "L1", at(2026, 2, 1),
            100000, 1);
        assert_int_equal(b2b2c_program_set(h, "O", B2B2C_PROGRAM_BASIS_UNITS,
                                           B2B2C_PROGRAM_RETROACTIVE,
                                           B2B2C_PROGRAM_PERIOD_QUARTER, NULL,
                                           th0, huge, 1),
                         0);
        expect(x, b2b2c_program_status(f, NF, h, "O", "d4", at(2026, 2, 1)),
               B2B2C_ERANGE,
               "now: the volume, projection or bonus of dealer 'd4'");
        expect(x, b2b2c_program_status_list(h, "O", at(2026, 2, 1), grab0,
                                            NULL),
               B2B2C_ERANGE,
               "now: the volume, projection or bonus of dealer 'd4'");
        assert_memory_equal(f, z, sizeof(f));
        /* d1's 13 units earn 1.3e16: fits */
        status(f, h, "O", "d1", at(2026, 2, 14));
        assert_true(f[B2B2C_PROGRAM_F_ACCRUED] ==
                    43 * B2B2C_PROGRAMS_LINE_MAX);
    }
}

/* ---- listing, replacement, persistence ---------------------------------------- */

typedef struct grabbed {
    size_t n;
    char id[8][8];
    int64_t f[8][NF];
} grabbed;

static int grab(const char *id, const int64_t *f, size_t nf, void *u)
{
    grabbed *g = u;
    assert_int_equal(nf, NF);
    assert_true(g->n < 8);
    snprintf(g->id[g->n], sizeof(g->id[0]), "%s", id);
    memcpy(g->f[g->n++], f, nf * sizeof(*f));
    return 0;
}

static int mutate_cb(const char *id, const int64_t *f, size_t nf, void *u)
{
    fx *x = u;
    (void)id, (void)f, (void)nf;
    return b2b2c_program_set(x->h, "X", 0, 0, 0, NULL, TH, BP, 3);
}

static int stop_cb(const char *id, const int64_t *f, size_t nf, void *u)
{
    (void)id, (void)f, (void)nf, (void)u;
    return 42;
}

static void t_listing(void **state)
{
    fx *x = *state;
    b2b2c_programs *h2;
    grabbed g, g2;
    int64_t f[NF];

    build(x->h);
    assert_int_equal(b2b2c_programs_set_dealer(x->h, "a0", 0, NULL), 0);
    assert_int_equal(b2b2c_program_set(x->h, "R", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_RETROACTIVE,
                                       B2B2C_PROGRAM_PERIOD_QUARTER, NULL, TH,
                                       BP, 3),
                     0);
    memset(&g, 0, sizeof(g));
    assert_int_equal(b2b2c_program_status_list(x->h, "R", at(2026, 2, 14),
                                               grab, &g),
                     0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "a0");
    assert_string_equal(g.id[1], "d1");
    assert_string_equal(g.id[2], "d2");
    for (size_t i = 0; i < g.n; i++) {
        status(f, x->h, "R", g.id[i], at(2026, 2, 14));
        assert_memory_equal(f, g.f[i], sizeof(f));
    }
    assert_int_equal(g.f[1][B2B2C_PROGRAM_F_ACCRUED], 12000);
    assert_int_equal(b2b2c_program_status_list(x->h, "R", at(2026, 2, 14),
                                               mutate_cb, x),
                     B2B2C_ESTATE);
    assert_int_equal(b2b2c_program_status_list(x->h, "R", at(2026, 2, 14),
                                               stop_cb, x),
                     42);

    /* replaced: incremental now; and kept across a reopen */
    assert_int_equal(b2b2c_program_set(x->h, "R", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_INCREMENTAL,
                                       B2B2C_PROGRAM_PERIOD_QUARTER, NULL, TH,
                                       BP, 3),
                     0);
    status(f, x->h, "R", "d1", at(2026, 2, 14));
    assert_int_equal(f[B2B2C_PROGRAM_F_ACCRUED], 6000);
    assert_int_equal(b2b2c_programs_new(&h2, x->ctx), 0);
    assert_int_equal(b2b2c__programs_digest(h2),
                     b2b2c__programs_digest(x->h));
    memset(&g, 0, sizeof(g));
    memset(&g2, 0, sizeof(g2));
    assert_int_equal(b2b2c_program_status_list(x->h, "R", at(2026, 3, 1),
                                               grab, &g),
                     0);
    assert_int_equal(b2b2c_program_status_list(h2, "R", at(2026, 3, 1),
                                               grab, &g2),
                     0);
    assert_memory_equal(&g, &g2, sizeof(g));
    b2b2c_programs_free(h2);
}

/* ---- two contexts on one store -------------------------------------------------- */

static uint64_t digest(const b2b2c_programs *h, const char *prog)
{
    grabbed g;
    memset(&g, 0, sizeof(g));
    assert_int_equal(b2b2c_program_status_list(h, prog, at(2026, 2, 14), grab,
                                               &g),
                     0);
    return sync_fnv(SYNC_FNV_SEED, &g, sizeof(g));
}

/* Programs defined and replaced by either context, lines recorded by the
 * other: both see the same statuses as a context doing every call; a
 * failed definition leaves nothing for the other to see. */
static void t_sync(void **state)
{
    sync_pair p;
    b2b2c_programs *a, *b, *c;
    b2b2c_ctx *c3;
    const int64_t down[] = {10, 5};
    (void)state;

    sync_pair_open(&p);
    assert_int_equal(b2b2c_programs_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_programs_new(&b, p.cb), 0);
    build(a);
    assert_int_equal(b2b2c_program_set(b, "R", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_RETROACTIVE,
                                       B2B2C_PROGRAM_PERIOD_QUARTER, NULL, TH,
                                       BP, 3),
                     0);
    assert_true(digest(a, "R") == digest(b, "R"));
    rec(b, B2B2C_PROGRAMS_KIND_SELL_IN, "p2", "L2", at(2026, 2, 2), 1,
        500000);
    assert_true(digest(a, "R") == digest(b, "R"));
    assert_int_equal(b2b2c_program_set(a, "R", B2B2C_PROGRAM_BASIS_AMOUNT,
                                       B2B2C_PROGRAM_INCREMENTAL,
                                       B2B2C_PROGRAM_PERIOD_YEAR, "L2", TH,
                                       BP, 3),
                     0);
    assert_true(digest(a, "R") == digest(b, "R"));
    assert_int_equal(b2b2c_program_set(b, "R", 0, 0, 0, NULL, down, BP, 2),
                     B2B2C_ERANGE);
    assert_true(digest(a, "R") == digest(b, "R"));
    assert_int_equal(b2b2c__programs_digest(a), b2b2c__programs_digest(b));
    assert_int_equal(b2b2c_ctx_new(&c3, NULL, &p.st), 0);
    assert_int_equal(b2b2c_programs_new(&c, c3), 0);
    assert_int_equal(b2b2c__programs_digest(c), b2b2c__programs_digest(a));
    b2b2c_programs_free(c);
    b2b2c_ctx_free(c3);
    b2b2c_programs_free(a);
    b2b2c_programs_free(b);
    sync_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_retroactive, setup, teardown),
        cmocka_unit_test_setup_teardown(t_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(t_product_line, setup, teardown),
        cmocka_unit_test(t_boundaries),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_listing, setup, teardown),
        cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
