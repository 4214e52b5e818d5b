/* SPDX-License-Identifier: MIT */
/* Reorder due list benchmark (issue 17, dealers' reorders): the due list
 * of 10,000 dealers (20,000 points, 2 product lines) with sell-in every
 * 7th day of a year on each point and line (40,000 series, about
 * 2,090,000 day aggregates), by dealer over any line, and by point for one
 * line. Registration and lines untimed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "b2b2c.h"

#define D INT64_C(86400)
#define T0 (INT64_C(20454) * D) /* 2026-01-01 */
#define NPOINTS 20000
#define NDAYS 365
#define EVERY 7
#define BATCH 10000

typedef struct bench_arg {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    int32_t scope;
    const char *line;
    double sink;
} bench_arg;

static void die(bench_arg *a, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, b2b2c_ctx_errmsg(a->ctx));
    exit(1);
}

static int sum_cb(const char *id, const double *f, size_t n, void *p)
{
    bench_arg *a = p;
    (void)id;
    (void)n;
    a->sink += f[B2B2C_PROGRAMS_R_DAYS_LATE];
    return 0;
}

static void run_due(void *p)
{
    bench_arg *a = p;
    if (b2b2c_programs_reorders(a->h, a->scope, a->line, T0 + 370 * D, 30,
                                sum_cb, a))
        die(a, "reorders");
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
    free(k), free(pts), free(lines), free(ts), free(us), free(ms);
}

int main(void)
{
    static bench_arg a;
    build(&a);
    a.scope = B2B2C_PROGRAMS_BY_DEALER;
    a.line = NULL;
    bench_run("programs reorders of 10,000 dealers (20,000 points, 2 lines, "
              "2,090,000 day aggregates of a year), by dealer, any line",
              run_due, &a, 10000, 1, 7);
    a.scope = B2B2C_PROGRAMS_BY_POINT;
    a.line = "pumps";
    bench_run("programs reorders of 20,000 points, one of 2 lines",
              run_due, &a, 20000, 1, 7);
    printf("(sink %g)\n", a.sink);
    b2b2c_programs_free(a.h);
    b2b2c_ctx_free(a.ctx);
    return 0;
}
