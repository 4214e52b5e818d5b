/* SPDX-License-Identifier: MIT */
/* Promotion budgets benchmark (issue 17, step 3): what a spend-vs-plan
 * listing and an uplift listing cost for 10,000 dealers.
 * 10,200 dealers (10,000 promoted, 200 controls), one point each, 2
 * product lines, sell-out on every 2nd day of 28 days before and 14 days
 * of the promotion on each point and line (20,400 series, 428,400 day
 * aggregates); promotion "spring" with a budget per promoted dealer (14
 * days, one line) and 4 claims per budget in every status (40,000
 * claims). Timed: b2b2c_promo_spend_list by budget and by dealer over
 * every budget, and b2b2c_promo_uplift_list of the promotion with and
 * without a control group of 200 dealers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "b2b2c.h"

#define D INT64_C(86400)
#define T0 (INT64_C(20454) * D) /* 2026-01-01 */
#define NDEALERS 10000
#define NCONTROL 200
#define PROMO_DAY 28 /* the promotion's first day after T0 */
#define PROMO_DAYS 14
#define BATCH 10000

typedef struct bench_arg {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    int32_t scope;
    const char *const *control;
    size_t ncontrol;
    double sink;
} bench_arg;

static void die(bench_arg *a, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, b2b2c_ctx_errmsg(a->ctx));
    exit(1);
}

static int spend_cb(const char *p, const char *d, const int64_t *f, size_t n,
                    void *u)
{
    bench_arg *a = u;
    (void)p, (void)d, (void)n;
    a->sink += (double)f[B2B2C_PROMO_S_REMAINING];
    return 0;
}

static int uplift_cb(const char *d, const double *f, size_t n, void *u)
{
    bench_arg *a = u;
    (void)d, (void)n;
    a->sink += f[B2B2C_PROMO_U_INCR_AMOUNT] +
               (f[B2B2C_PROMO_U_DID_UNITS] == f[B2B2C_PROMO_U_DID_UNITS]
                    ? f[B2B2C_PROMO_U_DID_UNITS]
                    : 0); /* NaN without control */
    return 0;
}

static void run_spend(void *p)
{
    bench_arg *a = p;
    if (b2b2c_promo_spend_list(a->h, a->scope, NULL, NULL, spend_cb, a))
        die(a, "spend_list");
}

static void run_uplift(void *p)
{
    bench_arg *a = p;
    if (b2b2c_promo_uplift_list(a->h, "spring", a->control, a->ncontrol,
                                uplift_cb, a))
        die(a, "uplift_list");
}

static char did[NDEALERS + NCONTROL][12], pid[NDEALERS + NCONTROL][12];

static void build(bench_arg *a)
{
    static const char *const LINES[] = {"boilers", "pumps"};
    size_t cap = BATCH, n = 0;
    int32_t *k = malloc(cap * sizeof(*k));
    const char **pts = malloc(cap * sizeof(*pts)),
               **lines = malloc(cap * sizeof(*lines));
    int64_t *ts = malloc(cap * sizeof(*ts)), *us = malloc(cap * sizeof(*us)),
            *ms = malloc(cap * sizeof(*ms));
    int64_t start = T0 + PROMO_DAY * D, end = start + PROMO_DAYS * D;
    uint64_t s = 42;

    if (!k || !pts || !lines || !ts || !us || !ms ||
        b2b2c_ctx_new(&a->ctx, NULL, NULL) ||
        b2b2c_programs_new(&a->h, a->ctx))
        exit(1);
    for (int i = 0; i < NDEALERS + NCONTROL; i++) {
        snprintf(did[i], sizeof(did[i]), "%c%05d", i < NDEALERS ? 'd' : 'c',
                 i);
        snprintf(pid[i], sizeof(pid[i]), "p%05d", i);
        if (b2b2c_programs_set_dealer(a->h, did[i], i % 3, "n") ||
            b2b2c_programs_add_point(a->h, pid[i], did[i]))
            die(a, "dealer");
    }
    for (int i = 0; i < NDEALERS + NCONTROL; i++)
        for (int l = 0; l < 2; l++)
            for (int d = i % 2; d < PROMO_DAY + PROMO_DAYS; d += 2) {
                s = s * UINT64_C(6364136223846793005) +
                    UINT64_C(1442695040888963407);
                k[n] = B2B2C_PROGRAMS_KIND_SELL_OUT;
                pts[n] = pid[i];
                lines[n] = LINES[l];
                ts[n] = T0 + d * D + D / 2;
                us[n] = 1 + (int64_t)((s >> 33) % 5);
                ms[n] = us[n] * 19990;
                if (++n == cap) {
                    if (b2b2c_programs_record_batch(a->h, k, pts, lines, ts,
                                                    us, ms, n))
                        die(a, "record_batch");
                    n = 0;
                }
            }
    if (n && b2b2c_programs_record_batch(a->h, k, pts, lines, ts, us, ms, n))
        die(a, "record_batch");
    if (b2b2c_ctx_begin(a->ctx))
        die(a, "begin");
    for (int i = 0; i < NDEALERS; i++) {
        char cid[24];
        if (b2b2c_promo_set(a->h, "spring", did[i], start, end, 1000000,
                            "boilers"))
            die(a, "promo_set");
        for (int c = 0; c < 4; c++) {
            snprintf(cid, sizeof(cid), "k%05d-%d", i, c);
            if (b2b2c_promo_claim(a->h, cid, "spring", did[i], 10000 + c,
                                  end + D) ||
                (c >= 1 && b2b2c_promo_claim_status(
                               a->h, cid,
                               c == 1 ? B2B2C_PROMO_REJECTED
                                      : B2B2C_PROMO_APPROVED,
                               end + 2 * D)) ||
                (c == 3 && b2b2c_promo_claim_status(a->h, cid,
                                                    B2B2C_PROMO_PAID,
                                                    end + 3 * D)))
                die(a, "claim");
        }
    }
    if (b2b2c_ctx_commit(a->ctx))
        die(a, "commit");
    free(k), free(pts), free(lines), free(ts), free(us), free(ms);
}

int main(void)
{
    static bench_arg a;
    static const char *control[NCONTROL];
    for (int i = 0; i < NCONTROL; i++)
        control[i] = did[NDEALERS + i];
    build(&a);
    a.scope = B2B2C_PROMO_BY_BUDGET;
    bench_run("promo spend vs plan of 10,000 budgets (40,000 claims), by "
              "budget",
              run_spend, &a, 10000, 2, 11);
    a.scope = B2B2C_PROMO_BY_DEALER;
    bench_run("promo spend vs plan of 10,000 budgets, by dealer (sorted and "
              "summed)",
              run_spend, &a, 10000, 2, 11);
    bench_run("promo uplift of 10,000 dealers (20,400 series, 428,400 day "
              "aggregates), no control",
              run_uplift, &a, 10000, 2, 11);
    a.control = control;
    a.ncontrol = NCONTROL;
    bench_run("promo uplift of 10,000 dealers against 200 control dealers",
              run_uplift, &a, 10000, 2, 11);
    printf("(sink %g)\n", a.sink);
    b2b2c_programs_free(a.h);
    b2b2c_ctx_free(a.ctx);
    return 0;
}
