/* SPDX-License-Identifier: MIT */
/* Volume bonus programs benchmark (issue 17, step 2). Target: the status
 * of 10,000 dealers in a program under 50 ms.
 * 10,000 dealers, 20,000 points (two a dealer), 2 product lines, sell-in
 * every 4th day of Q1 2026 on each point and line (40,000 series, 920,000
 * day aggregates); b2b2c_program_status_list at the quarter's 85th day
 * (every aggregate of the quarter summed): a retroactive program on money
 * over every line, and an incremental one on units of one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "b2b2c.h"

#define D INT64_C(86400)
#define T0 (INT64_C(20454) * D) /* 2026-01-01 */
#define NPOINTS 20000
#define NDAYS 90
#define EVERY 4
#define BATCH 10000

typedef struct bench_arg {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    const char *prog;
    int64_t sink;
} bench_arg;

static void die(bench_arg *a, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, b2b2c_ctx_errmsg(a->ctx));
    exit(1);
}

static int sum_cb(const char *id, const int64_t *f, size_t n, void *p)
{
    bench_arg *a = p;
    (void)id;
    (void)n;
    a->sink += f[B2B2C_PROGRAM_F_ACCRUED] + f[B2B2C_PROGRAM_F_PROJECTED_TIER];
    return 0;
}

static void run_status(void *p)
{
    bench_arg *a = p;
    if (b2b2c_program_status_list(a->h, a->prog, T0 + 84 * D + D / 2, sum_cb,
                                  a))
        die(a, "status_list");
}

static void build(bench_arg *a)
{
    static char pid[NPOINTS][12];
    static const char *const LINES[] = {"boilers", "pumps"};
    size_t cap = BATCH, n = 0;
    int32_t *k = malloc(cap * sizeof(*k));
    const char **pts = malloc(cap * sizeof(*pts)),
               **lines = malloc(cap * sizeof(*lines));
    int64_t *ts = malloc(cap * sizeof(*ts)), *us = malloc(cap * sizeof(*us)),
            *ms = malloc(cap * sizeof(*ms));
    const int64_t th_m[] = {500000, 2000000, 5000000}, bp[] = {100, 200, 300};
    const int64_t th_u[] = {10, 50, 100}, per[] = {500, 800, 1000};
    uint64_t s = 42;
    char did[12];

    if (!k || !pts || !lines || !ts || !us || !ms ||
        b2b2c_ctx_new(&a->ctx, NULL, NULL) ||
        b2b2c_programs_new(&a->h, a->ctx))
        exit(1);
    for (int p = 0; p < NPOINTS; p++) {
        snprintf(pid[p], sizeof(pid[p]), "p%05d", p);
        snprintf(did, sizeof(did), "d%05d", p / 2);
        if (p % 2 == 0 && b2b2c_programs_set_dealer(a->h, did, p % 3, "n"))
            die(a, "set_dealer");
        if (b2b2c_programs_add_point(a->h, pid[p], did))
            die(a, "add_point");
    }
    for (int p = 0; p < NPOINTS; p++)
        for (int l = 0; l < 2; l++)
            for (int d = p % EVERY; d < NDAYS; d += EVERY) {
                s = s * UINT64_C(6364136223846793005) +
                    UINT64_C(1442695040888963407);
                k[n] = B2B2C_PROGRAMS_KIND_SELL_IN;
                pts[n] = pid[p];
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
    if (b2b2c_program_set(a->h, "retro", B2B2C_PROGRAM_BASIS_AMOUNT,
                          B2B2C_PROGRAM_RETROACTIVE,
                          B2B2C_PROGRAM_PERIOD_QUARTER, NULL, th_m, bp, 3) ||
        b2b2c_program_set(a->h, "incr", B2B2C_PROGRAM_BASIS_UNITS,
                          B2B2C_PROGRAM_INCREMENTAL,
                          B2B2C_PROGRAM_PERIOD_QUARTER, "pumps", th_u, per,
                          3))
        die(a, "program_set");
    free(k), free(pts), free(lines), free(ts), free(us), free(ms);
}

int main(void)
{
    static bench_arg a;
    build(&a);
    a.prog = "retro";
    bench_run("programs bonus status of 10,000 dealers (20,000 points, "
              "920,000 day aggregates of a quarter), retroactive on money, "
              "every line",
              run_status, &a, 10000, 2, 11);
    a.prog = "incr";
    bench_run("programs bonus status of 10,000 dealers, incremental on "
              "units, one of 2 lines",
              run_status, &a, 10000, 2, 11);
    printf("(sink %lld)\n", (long long)a.sink);
    b2b2c_programs_free(a.h);
    b2b2c_ctx_free(a.ctx);
    return 0;
}
