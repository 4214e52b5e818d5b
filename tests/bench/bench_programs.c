/* SPDX-License-Identifier: MIT */
/* Dealer network programs benchmark (issue 17). Target: 1M sell-out lines
 * per second into the in-memory store.
 *   1. 1M sell-out lines of 1,000 points x 4 product lines x 30 days (about
 *      8 lines per day's aggregate, as till receipts come), in batches of
 *      10,000 (b2b2c_programs_record_batch) into a fresh context on the
 *      built-in memstore: in file order (by point, then time, as a
 *      point-of-sale export comes), then shuffled;
 *   2. the shuffled lines one call each (b2b2c_programs_record);
 *   3. the worst case for the aggregates: 1M lines each on its own day of
 *      its own point and line (every line a new stored record);
 *   4. the report per dealer over one month of 10,000 dealers (20,000
 *      points, 2 product lines, 25 weeks of weekly sell-out: 1M day
 *      aggregates), the trend over 8 months. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "b2b2c.h"

#define NLINES 1000000
#define BATCH 10000
#define D INT64_C(86400)
#define T0 (INT64_C(20454) * D)

typedef struct bench_arg {
    b2b2c_ctx *ctx;
    b2b2c_programs *h;
    int32_t *kinds;
    const char **pts, **lines;
    int64_t *ts, *us, *ms;
    char (*pid)[12];
    int npoints;
    double sink;
} bench_arg;

static const char *const LINES[] = {"boilers", "pumps", "heaters", "parts"};

static uint64_t rnd(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

static void die(bench_arg *a, const char *what)
{
    fprintf(stderr, "%s: %s\n", what, b2b2c_ctx_errmsg(a->ctx));
    exit(1);
}

/* A fresh context with the dealers and points registered. */
static void fresh(void *p)
{
    bench_arg *a = p;
    char did[12];
    b2b2c_programs_free(a->h);
    b2b2c_ctx_free(a->ctx);
    a->h = NULL;
    if (b2b2c_ctx_new(&a->ctx, NULL, NULL) ||
        b2b2c_programs_new(&a->h, a->ctx))
        exit(1);
    for (int p = 0; p < a->npoints; p++) {
        snprintf(did, sizeof(did), "d%05d", p / 2 * 2);
        if (p % 2 == 0 &&
            b2b2c_programs_set_dealer(a->h, did, p % 3, p % 5 ? "n" : "s"))
            die(a, "set_dealer");
        if (b2b2c_programs_add_point(a->h, a->pid[p], did))
            die(a, "add_point");
    }
}

/* worst: 0 shuffled, 1 each line its own aggregate, 2 in file order (by
 * point, then day: how a point-of-sale export comes) */
static bench_arg *sort_arg;
static int cmp_line(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    int c = strcmp(sort_arg->pts[i], sort_arg->pts[j]);
    if (c)
        return c;
    return (sort_arg->ts[i] > sort_arg->ts[j]) -
           (sort_arg->ts[i] < sort_arg->ts[j]);
}

static void qsort_lines(bench_arg *a)
{
    size_t *ix = malloc(NLINES * sizeof(*ix));
    const char **p = malloc(NLINES * sizeof(*p)), **l = malloc(NLINES *
                                                               sizeof(*l));
    int64_t *t = malloc(NLINES * sizeof(*t)), *u = malloc(NLINES *
                                                          sizeof(*u));
    if (!ix || !p || !l || !t || !u)
        exit(1);
    for (size_t i = 0; i < NLINES; i++)
        ix[i] = i;
    sort_arg = a;
    qsort(ix, NLINES, sizeof(*ix), cmp_line);
    for (size_t i = 0; i < NLINES; i++) {
        p[i] = a->pts[ix[i]];
        l[i] = a->lines[ix[i]];
        t[i] = a->ts[ix[i]];
        u[i] = a->us[ix[i]];
    }
    for (size_t i = 0; i < NLINES; i++) {
        a->pts[i] = p[i];
        a->lines[i] = l[i];
        a->ts[i] = t[i];
        a->us[i] = u[i];
        a->ms[i] = u[i] * 1999;
    }
    free(ix), free(p), free(l), free(t), free(u);
}

static void gen(bench_arg *a, int npoints, int ndays, int worst)
{
    uint64_t s = 42;
    a->npoints = npoints;
    for (int p = 0; p < npoints; p++)
        snprintf(a->pid[p], sizeof(a->pid[p]), "p%05d", p);
    for (size_t i = 0; i < NLINES; i++) {
        size_t k = worst == 1 ? i : (size_t)rnd(&s);
        a->kinds[i] = B2B2C_PROGRAMS_KIND_SELL_OUT;
        a->pts[i] = a->pid[k % (size_t)npoints];
        a->lines[i] = LINES[(k / (size_t)npoints) % 4];
        a->ts[i] = T0 + (int64_t)((k / (size_t)npoints / 4) %
                                  (size_t)ndays) * D +
                   (int64_t)(rnd(&s) % D);
        a->us[i] = 1 + (int64_t)(rnd(&s) % 5);
        a->ms[i] = a->us[i] * 1999;
    }
    if (worst == 2) /* the same lines sorted by point, then time */
        qsort_lines(a);
}

static void run_batch(void *p)
{
    bench_arg *a = p;
    for (size_t i = 0; i < NLINES; i += BATCH)
        if (b2b2c_programs_record_batch(a->h, a->kinds + i, a->pts + i,
                                        a->lines + i, a->ts + i, a->us + i,
                                        a->ms + i, BATCH))
            die(a, "record_batch");
}

static void run_single(void *p)
{
    bench_arg *a = p;
    for (size_t i = 0; i < NLINES; i++)
        if (b2b2c_programs_record(a->h, a->kinds[i], a->pts[i], a->lines[i],
                                  a->ts[i], a->us[i], a->ms[i]))
            die(a, "record");
}

static int sum_cb(const char *id, const double *f, size_t n, void *p)
{
    bench_arg *a = p;
    (void)id;
    (void)n;
    a->sink += f[B2B2C_PROGRAMS_F_SHARE] + f[B2B2C_PROGRAMS_F_RANK];
    return 0;
}

static void run_report(void *p)
{
    bench_arg *a = p;
    if (b2b2c_programs_report(a->h, B2B2C_PROGRAMS_BY_DEALER, NULL,
                              T0 + 140 * D, T0 + 171 * D, sum_cb, a))
        die(a, "report");
}

int main(void)
{
    static bench_arg a;
    a.kinds = malloc(NLINES * sizeof(*a.kinds));
    a.pts = malloc(NLINES * sizeof(*a.pts));
    a.lines = malloc(NLINES * sizeof(*a.lines));
    a.ts = malloc(NLINES * sizeof(*a.ts));
    a.us = malloc(NLINES * sizeof(*a.us));
    a.ms = malloc(NLINES * sizeof(*a.ms));
    a.pid = malloc(20000 * sizeof(*a.pid));
    if (!a.kinds || !a.pts || !a.lines || !a.ts || !a.us || !a.ms || !a.pid)
        return 1;

    gen(&a, 1000, 30, 2);
    bench_run_setup("programs 1M sell-out lines in file order (by point, "
                    "then time), batches of 10,000 (1,000 points x 4 lines "
                    "x 30 days)",
                    fresh, run_batch, &a, NLINES, 1, 5);
    gen(&a, 1000, 30, 0);
    bench_run_setup("programs 1M sell-out lines shuffled, batches of 10,000 "
                    "(1,000 points x 4 lines x 30 days)",
                    fresh, run_batch, &a, NLINES, 1, 5);
    bench_run_setup("programs 1M sell-out lines, one record call each",
                    fresh, run_single, &a, NLINES, 1, 5);
    gen(&a, 20000, 1, 1);
    bench_run_setup("programs 1M sell-out lines, batches of 10,000, every "
                    "line a new day aggregate",
                    fresh, run_batch, &a, NLINES, 1, 5);

    /* 10,000 dealers (20,000 points, two a dealer), 2 lines, 25 weeks:
     * the report's month is weeks 20..24, its trend 8 months back */
    gen(&a, 20000, 365, 1);
    for (size_t i = 0; i < NLINES; i++) {
        size_t k = i;
        a.lines[i] = LINES[(k / 20000) % 2];
        a.ts[i] = T0 + (int64_t)((k / 40000) % 53) * 7 * D;
    }
    fresh(&a);
    run_batch(&a);
    bench_run("programs report of 10,000 dealers (20,000 points, 1M day "
              "aggregates), one month, trend over 8 months",
              run_report, &a, 10000, 2, 11);
    printf("(sink %g)\n", a.sink);
    b2b2c_programs_free(a.h);
    b2b2c_ctx_free(a.ctx);
    free(a.kinds), free(a.pts), free(a.lines), free(a.ts), free(a.us);
    free(a.ms), free(a.pid);
    return 0;
}
