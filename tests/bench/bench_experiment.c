/* SPDX-License-Identifier: MIT */
/* Experiments benchmark (issue 16): the report of 100 variants x 365 days
 * (1,000 visitors a variant a day, 5% conversion), target under 10 ms;
 * rates close together (every posterior overlaps: the widest quadrature
 * band) and spread apart (most variants out of the running), plus loading
 * the 36,500 rows through the public API (setup of the report runs, timed
 * on its own). Binomial counts from the library's seeded generator. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "b2b2c.h"
#include "internal.h"

#define NVAR 100
#define NDAYS 365
#define PER_DAY 1000
#define D INT64_C(86400)
#define T0 (INT64_C(20000) * D)

typedef struct bench_arg {
    b2b2c_ctx *ctx;
    b2b2c_experiment *e;
    int64_t x[NVAR][NDAYS];
    double sink;
} bench_arg;

static void gen(bench_arg *a, double spread, uint64_t seed)
{
    b2b2c__rng rng;
    b2b2c__rng_seed(&rng, seed);
    for (int v = 0; v < NVAR; v++) {
        double p = 0.05 * (1.0 + spread * v / NVAR);
        for (int d = 0; d < NDAYS; d++) {
            /* binomial(PER_DAY, p) by its normal approximation, enough
             * for a benchmark's data */
            double z = b2b2c__rng_normal(&rng);
            double x = PER_DAY * p + z * sqrt(PER_DAY * p * (1 - p));
            a->x[v][d] = x < 0 ? 0 : x > PER_DAY ? PER_DAY : (int64_t)x;
        }
    }
}

static void load(void *p)
{
    bench_arg *a = p;
    char name[16];
    b2b2c_experiment_free(a->e);
    if (b2b2c_experiment_new(&a->e, a->ctx) != 0)
        exit(1);
    for (int v = 0; v < NVAR; v++) {
        snprintf(name, sizeof(name), "v%03d", v);
        if (b2b2c_experiment_add_variant(a->e, name, 1.0) != 0)
            exit(1);
    }
    for (int d = 0; d < NDAYS; d++)
        for (int v = 0; v < NVAR; v++) {
            double rev = 40.0 * (double)a->x[v][d];
            snprintf(name, sizeof(name), "v%03d", v);
            if (b2b2c_experiment_add_day(a->e, name, T0 + d * D, PER_DAY,
                                         a->x[v][d], rev,
                                         rev * 40.0 * 1.25) != 0) {
                fprintf(stderr, "add_day: %s\n", b2b2c_ctx_errmsg(a->ctx));
                exit(1);
            }
        }
}

static int sum_cb(const char *v, const double *f, size_t n, void *p)
{
    bench_arg *a = p;
    (void)v;
    for (size_t i = 0; i < n; i++)
        if (f[i] == f[i])
            a->sink += f[i];
    return 0;
}

static void run_report(void *p)
{
    bench_arg *a = p;
    if (b2b2c_experiment_report(a->e, sum_cb, a) != 0) {
        fprintf(stderr, "report: %s\n", b2b2c_ctx_errmsg(a->ctx));
        exit(1);
    }
}

int main(void)
{
    static bench_arg a;
    if (b2b2c_ctx_new(&a.ctx, NULL, NULL) != 0)
        return 1;
    gen(&a, 0.02, 16);
    bench_run("experiment load 100 variants x 365 days (36,500 add_day)",
              load, &a, NVAR * NDAYS, 1, 9);
    bench_run("experiment report 100 variants x 365 days, rates within 2%",
              run_report, &a, NVAR, 2, 21);
    gen(&a, 0.5, 17);
    load(&a);
    bench_run("experiment report 100 variants x 365 days, rates 5%..7.5%",
              run_report, &a, NVAR, 2, 21);
    printf("(sink %g)\n", a.sink);
    b2b2c_experiment_free(a.e);
    b2b2c_ctx_free(a.ctx);
    return 0;
}
