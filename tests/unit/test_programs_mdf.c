/* SPDX-License-Identifier: MIT */
/* Joint promotion budgets / market development funds (issue 17, step 3),
 * worked by hand: claims through every status with their dates, spend vs
 * plan per budget, promotion and dealer, the budget check (pending claims
 * reserve their amount), the uplift against the dealer's own pre-period
 * baseline and the difference-in-differences against a control group
 * (two windows: one product line, all lines), ROI on the spend; days in
 * the context's UTC offset (+3 h); bad input (a specific code, the message
 * naming the argument, nothing changed); persistence; two contexts on one
 * store kept in step. */
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
#include "sync_util.h"

#define D INT64_C(86400)
#define H INT64_C(3600)
#define OFF (3 * 3600) /* UTC+3 */
#define NU B2B2C_PROMO_U_NFIELDS
#define NS B2B2C_PROMO_S_NFIELDS

typedef struct fx {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    if (!f || b2b2c_ctx_new(&f->ctx, NULL, NULL) ||
        b2b2c_ctx_set_utc_offset(f->ctx, OFF) ||
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

/* Local time (UTC+3) hour `hr` of a date. */
static int64_t lt(int64_t y, unsigned m, unsigned d, int64_t hr)
{
    return b2b2c__pg_days_from_civil(y, m, d) * D - OFF + hr * H;
}

static void out(b2b2c_programs *h, int32_t kind, const char *p,
                const char *line, int64_t t, int64_t u, int64_t m)
{
    assert_int_equal(b2b2c_programs_record(h, kind, p, line, t, u, m), 0);
}

/*
 * Dealers d1 (points p1, p2), d2 (p3), controls c1 (p4), c2 (p5), d3
 * (nothing). Promotion "spring": d1 on line A, d2 on every line, both the
 * days 1..10 March 2026 (UTC+3), so the baseline is 19..28 February.
 *   d1, line A, baseline: p1 20 Feb 10 u / 5,000; p2 28 Feb 23:30 10 u /
 *     5,000 -> 20 u, 10,000.
 *   d1, line A, promotion: p1 1 Mar 00:30 30 u / 15,000; p2 10 Mar 23:30
 *     20 u / 10,000; p1 5 Mar a return of 2 u / 1,000 -> 48 u, 24,000.
 *   Not counted for d1: 18 Feb (before the baseline), 11 Mar 00:30 (after
 *     the promotion), line B on 2 Mar, sell-in.
 *   d2, all lines: promotion A 5 u / 1,000 and B 5 u / 2,000 (10 u, 3,000),
 *     baseline nothing.
 *   c1, line A: baseline 10 u / 4,000, promotion 14 u / 5,600.
 *   c2, line A: baseline 20 u / 8,000, promotion 22 u / 8,800; line B
 *     baseline 1 u / 500.
 */
static void build(b2b2c_programs *h)
{
    const char *ds[] = {"d1", "d2", "c1", "c2", "d3"};
    for (int i = 0; i < 5; i++)
        assert_int_equal(b2b2c_programs_set_dealer(h, ds[i], 1, "north"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p1", "d1"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p2", "d1"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p3", "d2"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p4", "c1"), 0);
    assert_int_equal(b2b2c_programs_add_point(h, "p5", "c2"), 0);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A", lt(2026, 2, 20, 12), 10,
        5000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p2", "A", lt(2026, 2, 28, 23) + 1800,
        10, 5000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A", lt(2026, 3, 1, 0) + 1800,
        30, 15000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p2", "A",
        lt(2026, 3, 10, 23) + 1800, 20, 10000);
    out(h, B2B2C_PROGRAMS_KIND_RETURN_OUT, "p1", "A", lt(2026, 3, 5, 9), 2,
        1000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A", lt(2026, 2, 18, 12), 100,
        99999);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "A", lt(2026, 3, 11, 0) + 1800,
        5, 2500);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p1", "B", lt(2026, 3, 2, 12), 50,
        50000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_IN, "p1", "A", lt(2026, 3, 2, 12), 500,
        250000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p3", "A", lt(2026, 3, 3, 12), 5,
        1000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p3", "B", lt(2026, 3, 4, 12), 5,
        2000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p4", "A", lt(2026, 2, 25, 12), 10,
        4000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p4", "A", lt(2026, 3, 6, 12), 14,
        5600);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p5", "A", lt(2026, 2, 19, 1), 20,
        8000);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p5", "A", lt(2026, 3, 9, 12), 22,
        8800);
    out(h, B2B2C_PROGRAMS_KIND_SELL_OUT, "p5", "B", lt(2026, 2, 21, 12), 1,
        500);
    assert_int_equal(b2b2c_promo_set(h, "spring", "d1", lt(2026, 3, 1, 12),
                                     lt(2026, 3, 11, 0), 100000, "A"),
                     0);
    assert_int_equal(b2b2c_promo_set(h, "spring", "d2", lt(2026, 3, 1, 0),
                                     lt(2026, 3, 11, 23), 50000, NULL),
                     0);
    assert_int_equal(b2b2c_promo_set(h, "summer", "d1", lt(2026, 6, 1, 0),
                                     lt(2026, 7, 1, 0), 20000, "A"),
                     0);
}

/* d1's claims in spring: k1 6,000 paid, k2 3,000 rejected, k3 4,000
 * approved, k4 2,000 pending. */
static void claims(b2b2c_programs *h)
{
    int64_t t = lt(2026, 3, 15, 10);
    assert_int_equal(b2b2c_promo_claim(h, "k1", "spring", "d1", 6000, t), 0);
    assert_int_equal(b2b2c_promo_claim(h, "k2", "spring", "d1", 3000, t), 0);
    assert_int_equal(b2b2c_promo_claim(h, "k3", "spring", "d1", 4000, t + 1),
                     0);
    assert_int_equal(b2b2c_promo_claim(h, "k4", "spring", "d1", 2000, t + 2),
                     0);
    assert_int_equal(
        b2b2c_promo_claim_status(h, "k1", B2B2C_PROMO_APPROVED, t + D), 0);
    assert_int_equal(
        b2b2c_promo_claim_status(h, "k1", B2B2C_PROMO_PAID, t + 2 * D), 0);
    assert_int_equal(
        b2b2c_promo_claim_status(h, "k2", B2B2C_PROMO_REJECTED, t + D), 0);
    assert_int_equal(
        b2b2c_promo_claim_status(h, "k3", B2B2C_PROMO_APPROVED, t + D), 0);
}

/* ---- spend vs plan -------------------------------------------------------------- */

typedef struct srows {
    int n;
    char pid[8][16], did[8][16];
    int64_t f[8][NS];
} srows;

static int grab_spend(const char *pid, const char *did, const int64_t *f,
                      size_t nf, void *u)
{
    srows *r = u;
    assert_int_equal(nf, NS);
    assert_true(r->n < 8);
    snprintf(r->pid[r->n], 16, "%s", pid ? pid : "-");
    snprintf(r->did[r->n], 16, "%s", did ? did : "-");
    memcpy(r->f[r->n++], f, sizeof(r->f[0]));
    return 0;
}

static void t_claims_and_spend(void **state)
{
    fx *x = *state;
    b2b2c_programs *h = x->h;
    srows r;
    int64_t t = lt(2026, 3, 15, 10);

    build(h);
    claims(h);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_spend_list(h, B2B2C_PROMO_BY_BUDGET, NULL,
                                            NULL, grab_spend, &r),
                     0);
    assert_int_equal(r.n, 3); /* spring/d1, spring/d2, summer/d1 */
    assert_string_equal(r.pid[0], "spring");
    assert_string_equal(r.did[0], "d1");
    assert_string_equal(r.did[1], "d2");
    assert_string_equal(r.pid[2], "summer");
    assert_int_equal(r.f[0][B2B2C_PROMO_S_PLANNED], 100000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_SUBMITTED], 2000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_APPROVED], 4000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_PAID], 6000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_REJECTED], 3000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_SPENT], 10000);
    /* 100,000 - 2,000 pending - 10,000 spent */
    assert_int_equal(r.f[0][B2B2C_PROMO_S_REMAINING], 88000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_CLAIMS], 4);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_BUDGETS], 1);
    /* the period's first day and the day after its last, local midnight */
    assert_int_equal(r.f[0][B2B2C_PROMO_S_START], lt(2026, 3, 1, 0));
    assert_int_equal(r.f[0][B2B2C_PROMO_S_END], lt(2026, 3, 11, 0));
    assert_int_equal(r.f[1][B2B2C_PROMO_S_END], lt(2026, 3, 11, 0));
    assert_int_equal(r.f[1][B2B2C_PROMO_S_REMAINING], 50000);

    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_spend_list(h, B2B2C_PROMO_BY_PROMO, NULL,
                                            NULL, grab_spend, &r),
                     0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.pid[0], "spring");
    assert_string_equal(r.did[0], "-");
    assert_int_equal(r.f[0][B2B2C_PROMO_S_PLANNED], 150000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_REMAINING], 138000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_BUDGETS], 2);
    assert_int_equal(r.f[1][B2B2C_PROMO_S_PLANNED], 20000);

    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_spend_list(h, B2B2C_PROMO_BY_DEALER, NULL,
                                            NULL, grab_spend, &r),
                     0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.pid[0], "-");
    assert_string_equal(r.did[0], "d1");
    assert_int_equal(r.f[0][B2B2C_PROMO_S_PLANNED], 120000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_SPENT], 10000);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_START], lt(2026, 3, 1, 0));
    assert_int_equal(r.f[0][B2B2C_PROMO_S_END], lt(2026, 7, 1, 0));

    /* filters */
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_spend_list(h, B2B2C_PROMO_BY_BUDGET, NULL,
                                            "d1", grab_spend, &r),
                     0);
    assert_int_equal(r.n, 2);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_spend_list(h, B2B2C_PROMO_BY_DEALER,
                                            "summer", NULL, grab_spend, &r),
                     0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.f[0][B2B2C_PROMO_S_PLANNED], 20000);

    /* the remaining 88,000 can be claimed, not a minor unit more; a
     * rejection frees its amount */
    assert_int_equal(b2b2c_promo_claim(h, "k5", "spring", "d1", 88001, t),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_promo_claim(h, "k5", "spring", "d1", 88000, t),
                     0);
    assert_int_equal(b2b2c_promo_claim(h, "k6", "spring", "d1", 1, t),
                     B2B2C_ERANGE);
    assert_int_equal(
        b2b2c_promo_claim_status(h, "k4", B2B2C_PROMO_REJECTED, t + D), 0);
    assert_int_equal(b2b2c_promo_claim(h, "k6", "spring", "d1", 2000, t), 0);
    /* the plan may shrink to what is held, not below */
    assert_int_equal(b2b2c_promo_set(h, "spring", "d1", lt(2026, 3, 1, 12),
                                     lt(2026, 3, 11, 0), 99999, "A"),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_promo_set(h, "spring", "d1", lt(2026, 3, 1, 12),
                                     lt(2026, 3, 11, 0), 100000, "A"),
                     0);
}

typedef struct crows {
    int n;
    char id[8][8];
    int64_t f[8][B2B2C_PROMO_C_NFIELDS];
} crows;

static int grab_claim(const char *cid, const char *pid, const char *did,
                      const int64_t *f, size_t nf, void *u)
{
    crows *r = u;
    assert_int_equal(nf, B2B2C_PROMO_C_NFIELDS);
    assert_string_equal(pid, "spring");
    assert_string_equal(did, "d1");
    snprintf(r->id[r->n], 8, "%s", cid);
    memcpy(r->f[r->n++], f, sizeof(r->f[0]));
    return 0;
}

static void t_claim_dates(void **state)
{
    fx *x = *state;
    b2b2c_programs *h = x->h;
    int64_t t = lt(2026, 3, 15, 10);
    crows r;

    build(h);
    claims(h);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_list_claims(h, "spring", NULL, grab_claim,
                                             &r),
                     0);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.id[0], "k1");
    assert_int_equal(r.f[0][B2B2C_PROMO_C_STATUS], B2B2C_PROMO_PAID);
    assert_int_equal(r.f[0][B2B2C_PROMO_C_AMOUNT], 6000);
    assert_int_equal(r.f[0][B2B2C_PROMO_C_SUBMITTED_AT], t);
    assert_int_equal(r.f[0][B2B2C_PROMO_C_DECIDED_AT], t + D);
    assert_int_equal(r.f[0][B2B2C_PROMO_C_PAID_AT], t + 2 * D);
    assert_int_equal(r.f[1][B2B2C_PROMO_C_STATUS], B2B2C_PROMO_REJECTED);
    assert_int_equal(r.f[1][B2B2C_PROMO_C_DECIDED_AT], t + D);
    assert_true(r.f[1][B2B2C_PROMO_C_PAID_AT] == B2B2C_PROMO_NO_TIME);
    assert_int_equal(r.f[2][B2B2C_PROMO_C_STATUS], B2B2C_PROMO_APPROVED);
    assert_int_equal(r.f[3][B2B2C_PROMO_C_STATUS], B2B2C_PROMO_SUBMITTED);
    assert_true(r.f[3][B2B2C_PROMO_C_DECIDED_AT] == B2B2C_PROMO_NO_TIME);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_list_claims(h, "summer", NULL, grab_claim,
                                             &r),
                     0);
    assert_int_equal(r.n, 0);
    assert_int_equal(b2b2c_promo_list_claims(h, NULL, "d2", grab_claim, &r),
                     0);
    assert_int_equal(r.n, 0);
    assert_string_equal(b2b2c_promo_status_name(B2B2C_PROMO_PAID), "paid");
    assert_int_equal(b2b2c_promo_status_from_name("rejected"),
                     B2B2C_PROMO_REJECTED);
    assert_int_equal(b2b2c_promo_status_from_name("lost"), B2B2C_EINVAL);
    assert_null(b2b2c_promo_status_name(4));
}

/* ---- uplift ------------------------------------------------------------------- */

static void t_uplift(void **state)
{
    fx *x = *state;
    b2b2c_programs *h = x->h;
    const char *ctl[] = {"c1", "c2"};
    double f[NU];

    build(h);
    claims(h);
    /* against d1's own baseline */
    assert_int_equal(b2b2c_promo_uplift(f, NU, h, "spring", "d1", NULL, 0),
                     0);
    assert_true(f[B2B2C_PROMO_U_DAYS] == 10);
    assert_true(f[B2B2C_PROMO_U_PROMO_UNITS] == 48);
    assert_true(f[B2B2C_PROMO_U_PROMO_AMOUNT] == 24000);
    assert_true(f[B2B2C_PROMO_U_BASE_UNITS] == 20);
    assert_true(f[B2B2C_PROMO_U_BASE_AMOUNT] == 10000);
    assert_true(f[B2B2C_PROMO_U_LIFT] == 24000.0 / 10000.0 - 1.0); /* 1.4 */
    assert_true(f[B2B2C_PROMO_U_INCR_UNITS] == 28);
    assert_true(f[B2B2C_PROMO_U_INCR_AMOUNT] == 14000);
    assert_true(f[B2B2C_PROMO_U_CONTROL_DEALERS] == 0);
    assert_true(isnan(f[B2B2C_PROMO_U_CONTROL_PROMO_AMOUNT]));
    assert_true(isnan(f[B2B2C_PROMO_U_DID_AMOUNT]));
    assert_true(f[B2B2C_PROMO_U_SPEND] == 10000);          /* 6,000 + 4,000 */
    assert_true(f[B2B2C_PROMO_U_ROI] == (14000.0 - 10000.0) / 10000.0);

    /* with the control group c1, c2 (line A): means per dealer base 15 u /
     * 6,000, promotion 18 u / 7,200; DiD 28 - 3 = 25 u, 14,000 - 1,200 =
     * 12,800; ROI (12,800 - 10,000) / 10,000 */
    assert_int_equal(b2b2c_promo_uplift(f, NU, h, "spring", "d1", ctl, 2), 0);
    assert_true(f[B2B2C_PROMO_U_CONTROL_DEALERS] == 2);
    assert_true(f[B2B2C_PROMO_U_CONTROL_BASE_UNITS] == 15);
    assert_true(f[B2B2C_PROMO_U_CONTROL_BASE_AMOUNT] == 6000);
    assert_true(f[B2B2C_PROMO_U_CONTROL_PROMO_UNITS] == 18);
    assert_true(f[B2B2C_PROMO_U_CONTROL_PROMO_AMOUNT] == 7200);
    assert_true(f[B2B2C_PROMO_U_DID_UNITS] == 25);
    assert_true(f[B2B2C_PROMO_U_DID_AMOUNT] == 12800);
    assert_true(f[B2B2C_PROMO_U_ROI] == (12800.0 - 10000.0) / 10000.0);
    assert_true(f[B2B2C_PROMO_U_INCR_AMOUNT] == 14000); /* unchanged */

    /* d2, every line: promotion 10 u / 3,000, no baseline (lift NaN);
     * control, every line: base 31 u / 12,500, promotion 36 u / 14,400,
     * means 15.5 / 6,250 and 18 / 7,200; DiD 10 - 2.5 = 7.5 u, 3,000 - 950
     * = 2,050; no spend, ROI NaN */
    assert_int_equal(b2b2c_promo_uplift(f, NU, h, "spring", "d2", ctl, 2), 0);
    assert_true(f[B2B2C_PROMO_U_PROMO_UNITS] == 10);
    assert_true(f[B2B2C_PROMO_U_PROMO_AMOUNT] == 3000);
    assert_true(isnan(f[B2B2C_PROMO_U_LIFT]));
    assert_true(f[B2B2C_PROMO_U_CONTROL_BASE_UNITS] == 15.5);
    assert_true(f[B2B2C_PROMO_U_CONTROL_BASE_AMOUNT] == 6250);
    assert_true(f[B2B2C_PROMO_U_DID_UNITS] == 7.5);
    assert_true(f[B2B2C_PROMO_U_DID_AMOUNT] == 2050);
    assert_true(f[B2B2C_PROMO_U_SPEND] == 0);
    assert_true(isnan(f[B2B2C_PROMO_U_ROI]));

    /* a short read writes only what is asked */
    f[1] = -7;
    assert_int_equal(b2b2c_promo_uplift(f, 1, h, "spring", "d1", NULL, 0), 0);
    assert_true(f[0] == 10 && f[1] == -7);
}

typedef struct urows {
    int n;
    char id[4][8];
    double f[4][NU];
} urows;

static int grab_uplift(const char *id, const double *f, size_t nf, void *u)
{
    urows *r = u;
    assert_int_equal(nf, NU);
    assert_true(r->n < 4);
    snprintf(r->id[r->n], 8, "%s", id);
    memcpy(r->f[r->n++], f, sizeof(r->f[0]));
    return 0;
}

static int stop_uplift(const char *id, const double *f, size_t nf, void *u)
{
    (void)id, (void)f, (void)nf;
    ++*(int *)u;
    return 42;
}

/* The listing gives every budget's dealer what the single call gives. */
static void t_uplift_list(void **state)
{
    fx *x = *state;
    b2b2c_programs *h = x->h;
    const char *ctl[] = {"c2", "c1"};
    double f[NU];
    urows r;
    int calls = 0;

    build(h);
    claims(h);
    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_uplift_list(h, "spring", ctl, 2,
                                             grab_uplift, &r),
                     0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.id[0], "d1");
    assert_string_equal(r.id[1], "d2");
    for (int k = 0; k < 2; k++) {
        assert_int_equal(b2b2c_promo_uplift(f, NU, h, "spring", r.id[k], ctl,
                                            2),
                         0);
        for (int j = 0; j < NU; j++)
            assert_true((isnan(f[j]) && isnan(r.f[k][j])) ||
                        f[j] == r.f[k][j]);
    }
    assert_true(r.f[0][B2B2C_PROMO_U_DID_AMOUNT] == 12800);
    assert_true(r.f[1][B2B2C_PROMO_U_DID_AMOUNT] == 2050);
    assert_int_equal(b2b2c_promo_uplift_list(h, "spring", NULL, 0,
                                             stop_uplift, &calls),
                     42);
    assert_int_equal(calls, 1);
}

/* ---- bad input ------------------------------------------------------------------ */

static void expect(fx *x, int rc, int code, const char *prefix)
{
    assert_int_equal(rc, code);
    if (strncmp(b2b2c_ctx_errmsg(x->ctx), prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'",
                 b2b2c_ctx_errmsg(x->ctx), prefix);
}

static void t_bad_input(void **state)
{
    fx *x = *state;
    b2b2c_programs *h = x->h;
    int64_t t = lt(2026, 3, 15, 10), s = lt(2026, 3, 1, 0);
    const char *treated[] = {"c1", "d2"}, *twice[] = {"c1", "c1"},
               *unknown[] = {"c1", "zz"}, *bad[] = {""};
    double f[NU], z[NU] = {0};
    uint64_t dig;

    build(h);
    claims(h);
    dig = b2b2c__programs_digest(h);
    expect(x, b2b2c_promo_set(h, "P", "nobody", s, s + D, 1, NULL),
           B2B2C_ENOTFOUND, "dealer_id: no dealer 'nobody'");
    expect(x, b2b2c_promo_set(h, "P", "d1", s + D, s, 1, NULL), B2B2C_ERANGE,
           "end: ");
    expect(x, b2b2c_promo_set(h, "P", "d1", s, s + H, 1, NULL), B2B2C_ERANGE,
           "end: "); /* the same day: no day in the period */
    expect(x, b2b2c_promo_set(h, "P", "d1", s, s + D, -1, NULL), B2B2C_ERANGE,
           "planned: -1 is outside");
    expect(x, b2b2c_promo_set(h, "P", "d1", s, s + D,
                              B2B2C_PROGRAMS_LINE_MAX + 1, NULL),
           B2B2C_ERANGE, "planned: ");
    expect(x, b2b2c_promo_set(h, "", "d1", s, s + D, 1, NULL), B2B2C_EBADID,
           "promo_id: ");
    expect(x, b2b2c_promo_set(h, "P", "d1", s, s + D, 1, ""), B2B2C_EBADID,
           "product_line: ");
    expect(x, b2b2c_promo_set(h, "P", "d1", INT64_MAX, s + D, 1, NULL),
           B2B2C_ERANGE, "start");
    expect(x, b2b2c_promo_claim(h, "k9", "autumn", "d1", 1, t),
           B2B2C_ENOTFOUND,
           "promo_id: no budget of promotion 'autumn' for dealer 'd1'");
    expect(x, b2b2c_promo_claim(h, "k9", "spring", "nobody", 1, t),
           B2B2C_ENOTFOUND, "dealer_id: no dealer 'nobody'");
    expect(x, b2b2c_promo_claim(h, "k9", "spring", "d1", 88001, t),
           B2B2C_ERANGE,
           "amount: 88001 is over the remaining budget (88000 of 100000 "
           "planned) of promotion 'spring' for dealer 'd1'");
    expect(x, b2b2c_promo_claim(h, "k9", "spring", "d1", 0, t), B2B2C_ERANGE,
           "amount: 0 is outside");
    expect(x, b2b2c_promo_claim(h, "k9", "spring", "d1", -5, t),
           B2B2C_ERANGE, "amount: -5 is outside");
    expect(x, b2b2c_promo_claim(h, "k1", "spring", "d1", 1, t),
           B2B2C_EEXISTS, "claim_id: 'k1' exists");
    expect(x, b2b2c_promo_claim(h, NULL, "spring", "d1", 1, t), B2B2C_EBADID,
           "claim_id: NULL");
    expect(x,
           b2b2c_promo_claim_status(h, "k1", B2B2C_PROMO_REJECTED, t + 9 * D),
           B2B2C_ESTATE, "status: claim 'k1' cannot go from paid to rejected");
    expect(x, b2b2c_promo_claim_status(h, "k4", B2B2C_PROMO_PAID, t + 9 * D),
           B2B2C_ESTATE,
           "status: claim 'k4' cannot go from submitted to paid");
    expect(x,
           b2b2c_promo_claim_status(h, "k2", B2B2C_PROMO_APPROVED, t + 9 * D),
           B2B2C_ESTATE,
           "status: claim 'k2' cannot go from rejected to approved");
    expect(x, b2b2c_promo_claim_status(h, "k3", B2B2C_PROMO_PAID, t),
           B2B2C_ERANGE, "t: ");
    expect(x, b2b2c_promo_claim_status(h, "k4", 4, t + D), B2B2C_EINVAL,
           "status: 4 is not");
    expect(x, b2b2c_promo_claim_status(h, "k99", B2B2C_PROMO_PAID, t + D),
           B2B2C_ENOTFOUND, "claim_id: no claim 'k99'");
    expect(x, b2b2c_promo_set(h, "spring", "d1", s, s + D, 11999, "A"),
           B2B2C_ERANGE, "planned: 11999 is below");
    assert_int_equal(b2b2c__programs_digest(h), dig);

    /* reads: nothing written on failure */
    memcpy(f, z, sizeof(f));
    expect(x, b2b2c_promo_uplift(f, NU, h, "spring", "d3", NULL, 0),
           B2B2C_ENOTFOUND,
           "promo_id: no budget of promotion 'spring' for dealer 'd3'");
    expect(x, b2b2c_promo_uplift(f, NU, h, "spring", "nobody", NULL, 0),
           B2B2C_ENOTFOUND, "dealer_id: no dealer");
    expect(x, b2b2c_promo_uplift(f, NU, h, "spring", "d1", treated, 2),
           B2B2C_EINVAL, "control[1]: dealer 'd2' has a budget");
    expect(x, b2b2c_promo_uplift(f, NU, h, "spring", "d1", twice, 2),
           B2B2C_EINVAL, "control[1]: dealer 'c1' is named twice");
    expect(x, b2b2c_promo_uplift(f, NU, h, "spring", "d1", unknown, 2),
           B2B2C_ENOTFOUND, "control[1]: no dealer 'zz'");
    expect(x, b2b2c_promo_uplift(f, NU, h, "spring", "d1", bad, 1),
           B2B2C_EBADID, "control[0]: ");
    expect(x, b2b2c_promo_uplift(f, NU, h, "spring", "d1", NULL, 1),
           B2B2C_EINVAL, "control: NULL");
    expect(x, b2b2c_promo_uplift(f, 0, h, "spring", "d1", NULL, 0),
           B2B2C_EINVAL, "nfields: 0");
    expect(x, b2b2c_promo_uplift_list(h, "autumn", NULL, 0, stop_uplift, NULL),
           B2B2C_ENOTFOUND, "promo_id: no budget of promotion 'autumn'");
    expect(x, b2b2c_promo_spend_list(h, 3, NULL, NULL, grab_spend, NULL),
           B2B2C_EINVAL, "scope: 3");
    expect(x, b2b2c_promo_spend_list(h, 0, "", NULL, grab_spend, NULL),
           B2B2C_EBADID, "promo_id: ");
    assert_int_equal(b2b2c_promo_spend_list(h, 0, NULL, NULL, NULL, NULL),
                     B2B2C_EINVAL);
    assert_memory_equal(f, z, sizeof(f));
    assert_int_equal(b2b2c__programs_digest(h), dig);
}

/* A mutating call from a listing's callback is refused. */
static int reenter(const char *pid, const char *did, const int64_t *f,
                   size_t nf, void *u)
{
    b2b2c_programs *h = u;
    (void)pid, (void)did, (void)f, (void)nf;
    assert_int_equal(b2b2c_promo_claim(h, "kx", "spring", "d1", 1, 0),
                     B2B2C_ESTATE);
    return 0;
}

/* Budgets and claims are stored: a new handle on the context reads them
 * back exactly (sums rebuilt from the claims). */
static void t_persist(void **state)
{
    fx *x = *state;
    b2b2c_programs *h2;

    build(x->h);
    claims(x->h);
    assert_int_equal(b2b2c_promo_spend_list(x->h, 0, NULL, NULL, reenter,
                                            x->h),
                     0);
    assert_int_equal(b2b2c_programs_new(&h2, x->ctx), 0);
    assert_int_equal(b2b2c__programs_digest(h2), b2b2c__programs_digest(x->h));
    b2b2c_programs_free(h2);
}

/* ---- two contexts ------------------------------------------------------------------ */

static uint64_t digest(b2b2c_programs *h)
{
    srows r;
    uint64_t d = SYNC_FNV_SEED;
    const char *ctl[] = {"c1", "c2"};
    double f[NU];

    memset(&r, 0, sizeof(r));
    assert_int_equal(b2b2c_promo_spend_list(h, B2B2C_PROMO_BY_BUDGET, NULL,
                                            NULL, grab_spend, &r),
                     0);
    d = sync_fnv(d, &r, sizeof(r));
    assert_int_equal(b2b2c_promo_uplift(f, NU, h, "spring", "d1", ctl, 2), 0);
    return sync_fnv(d, f, sizeof(f));
}

/* Budgets set by one context, claims by the other, steps by both: each
 * sees what the other did (sums redone after every sync); a failed call
 * leaves nothing to see; a third context opened at the end agrees. */
static void t_sync(void **state)
{
    sync_pair p;
    b2b2c_programs *a, *b, *c;
    b2b2c_ctx *c3;
    int64_t t = lt(2026, 3, 15, 10);
    (void)state;

    sync_pair_open(&p);
    assert_int_equal(b2b2c_ctx_set_utc_offset(p.ca, OFF), 0);
    assert_int_equal(b2b2c_ctx_set_utc_offset(p.cb, OFF), 0);
    assert_int_equal(b2b2c_programs_new(&a, p.ca), 0);
    assert_int_equal(b2b2c_programs_new(&b, p.cb), 0);
    build(a);
    assert_int_equal(b2b2c_promo_claim(b, "k1", "spring", "d1", 6000, t), 0);
    assert_int_equal(
        b2b2c_promo_claim_status(a, "k1", B2B2C_PROMO_APPROVED, t + D), 0);
    assert_true(digest(a) == digest(b));
    assert_int_equal(b2b2c_promo_claim(b, "k2", "spring", "d1", 94000, t), 0);
    /* a sees k2 before it checks: nothing left */
    assert_int_equal(b2b2c_promo_claim(a, "k3", "spring", "d1", 1, t),
                     B2B2C_ERANGE);
    assert_int_equal(
        b2b2c_promo_claim_status(b, "k1", B2B2C_PROMO_PAID, t + 2 * D), 0);
    assert_int_equal(
        b2b2c_promo_claim_status(a, "k2", B2B2C_PROMO_REJECTED, t + D), 0);
    assert_int_equal(b2b2c_promo_set(b, "spring", "d1", lt(2026, 3, 2, 0),
                                     lt(2026, 3, 11, 0), 7000, "A"),
                     0);
    assert_true(digest(a) == digest(b));
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
        cmocka_unit_test_setup_teardown(t_claims_and_spend, setup, teardown),
        cmocka_unit_test_setup_teardown(t_claim_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(t_uplift, setup, teardown),
        cmocka_unit_test_setup_teardown(t_uplift_list, setup, teardown),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_persist, setup, teardown),
        cmocka_unit_test(t_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
