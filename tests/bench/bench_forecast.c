/* SPDX-License-Identifier: MIT */
/* Forecast engine: fit and predict times on simulated CDNOW-like data
 * (BG/NBD with r=0.243, alpha=4.414, a=0.793, b=2.426; T 27..39 weeks at
 * day resolution, as the CDNOW calibration period). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bench.h"
#include "harness.h"
#include "internal.h"

typedef struct job {
    b2b2c_ctx *ctx;
    int32_t model;
    size_t n;
    double *x, *tx, *T, *out1, *out2;
    double p[4];
    int32_t iters; /* of the last fit */
} job;

static void sim(job *j, int pnbd, uint64_t seed)
{
    b2b2c__rng g;
    const double r = 0.243, al = 4.414, a = 0.793, b = 2.426;
    const double s = 0.61, be = 11.67;
    b2b2c__rng_seed(&g, seed);
    for (size_t i = 0; i < j->n; i++) {
        double lam = b2b2c__rng_gamma(&g, r) / (pnbd ? 10.58 : al);
        double pd = b2b2c__rng_beta(&g, a, b);
        double tau = pnbd ? -log(1 - b2b2c__rng_uniform(&g)) /
                                (b2b2c__rng_gamma(&g, s) / be)
                          : INFINITY;
        double Td = 189.0 + (double)b2b2c__rng_below(&g, 85), t = 0;
        double end = tau < Td / 7 ? tau : Td / 7, x = 0, tx = 0;
        for (;;) {
            t += -log(1 - b2b2c__rng_uniform(&g)) / lam;
            if (t > end)
                break;
            x++;
            tx = t;
            if (!pnbd && b2b2c__rng_uniform(&g) < pd)
                break;
        }
        tx = x > 0 ? ceil(tx * 7) / 7 : 0; /* whole days, as a log gives */
        j->x[i] = x;
        j->tx[i] = tx;
        j->T[i] = Td / 7;
    }
}

static void run_fit(void *arg)
{
    job *j = arg;
    double ll;
    int32_t it, conv;
    if (b2b2c_forecast_fit(j->p, 4, &ll, &it, &conv, j->ctx, j->model, j->x,
                           j->tx, j->T, NULL, j->n, 0.0, 0) ||
        conv != B2B2C_FIT_CONVERGED)
        abort();
    j->iters = it;
}

static void run_predict(void *arg)
{
    job *j = arg;
    if (b2b2c_forecast_predict(j->out1, j->out2, NULL, j->ctx, j->model,
                               j->p, 4, j->x, j->tx, j->T, j->n, 39.0))
        abort();
}

static void job_init(job *j, size_t n, int32_t model, uint64_t seed)
{
    j->n = n;
    j->model = model;
    j->x = malloc(n * sizeof(double));
    j->tx = malloc(n * sizeof(double));
    j->T = malloc(n * sizeof(double));
    j->out1 = malloc(n * sizeof(double));
    j->out2 = malloc(n * sizeof(double));
    if (!j->x || !j->tx || !j->T || !j->out1 || !j->out2 ||
        b2b2c_ctx_new(&j->ctx, NULL, NULL))
        abort();
    sim(j, model == B2B2C_FORECAST_PNBD, seed);
}

static void job_fini(job *j)
{
    free(j->x);
    free(j->tx);
    free(j->T);
    free(j->out1);
    free(j->out2);
    b2b2c_ctx_free(j->ctx);
}

/* Issue 11: Pareto/NBD fits on the 200 random subsets (20 to 600
 * customers) of the sample data that test_forecast_pnbd.c uses, one fit
 * each; prints the worst and the median wall time. */
static uint64_t xs64(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static double sum200(const double *d)
{
    double s = 0;
    for (int i = 0; i < 200; i++)
        s += d[i];
    return s;
}

static void bench_pnbd_subsets(const char *path)
{
    double x[600], tx[600], T[600], sx[600], stx[600], sT[600], dt[200];
    double dc[200], its[200];
    size_t n = 0, idx[600];
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    char line[256];
    b2b2c_ctx *ctx;
    int fails = 0, nstatus[4] = {0, 0, 0, 0};
    FILE *fp = fopen(path, "r");

    if (!fp || !fgets(line, sizeof line, fp) ||
        b2b2c_ctx_new(&ctx, NULL, NULL)) {
        printf("Pareto/NBD subsets: cannot read %s\n", path);
        if (fp)
            fclose(fp);
        return;
    }
    while (n < 600 && fgets(line, sizeof line, fp)) {
        char id[32];
        double mv;
        if (sscanf(line, "%31[^,],%lf,%lf,%lf,%lf", id, &x[n], &tx[n], &T[n],
                   &mv) == 5)
            n++;
    }
    fclose(fp);
    for (int rep = 0; rep < 200; rep++) {
        size_t m = 20 + (size_t)(xs64(&seed) % 581);
        double p[4], ll, t0, c0;
        int32_t it = 0, conv;
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        for (size_t i = 0; i < m && i < n; i++) {
            size_t j = i + (size_t)(xs64(&seed) % (n - i)), t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            sx[i] = x[idx[i]];
            stx[i] = tx[idx[i]];
            sT[i] = T[idx[i]];
        }
        c0 = bench_cpu_now();
        t0 = bench_now();
        if (b2b2c_forecast_fit(p, 4, &ll, &it, &conv, ctx,
                               B2B2C_FORECAST_PNBD, sx, stx, sT, NULL,
                               m < n ? m : n, 0.0, 0))
            fails++;
        else if (conv >= 0 && conv < 4)
            nstatus[conv]++;
        its[rep] = it;
        dt[rep] = bench_now() - t0;
        dc[rep] = bench_cpu_now() - c0;
    }
    qsort(dt, 200, sizeof(double), bench_cmp);
    qsort(dc, 200, sizeof(double), bench_cmp);
    qsort(its, 200, sizeof(double), bench_cmp);
    printf("  fit status: %d converged, %d iteration budget, %d stalled, "
           "%d boundary\n",
           nstatus[0], nstatus[1], nstatus[2], nstatus[3]);
    printf("Pareto/NBD fit, 200 random subsets of 20-600 customers of %s:\n"
           "  worst %.2f ms, median %.2f ms, %d failed\n"
           "  [cpu time] worst %.2f ms, median %.2f ms, total %.1f ms\n"
           "  iterations: median %.0f, 90th percentile %.0f, most %.0f\n",
           path, dt[199] * 1e3, 0.5 * (dt[99] + dt[100]) * 1e3, fails,
           dc[199] * 1e3, 0.5 * (dc[99] + dc[100]) * 1e3, sum200(dc) * 1e3,
           0.5 * (its[99] + its[100]), its[179], its[199]);
    b2b2c_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    job j;
    char name[128];
    const size_t sizes[3] = {2357, 100000, 1000000};

    for (int k = 0; k < 3; k++) {
        job_init(&j, sizes[k], B2B2C_FORECAST_BGNBD, 1 + (uint64_t)k);
        snprintf(name, sizeof(name), "BG/NBD fit %zu customers", sizes[k]);
        bench_run(name, run_fit, &j, (double)sizes[k], 1, k == 2 ? 5 : 7);
        if (k == 0)
            printf("  fitted r=%.4f alpha=%.4f a=%.4f b=%.4f\n", j.p[0],
                   j.p[1], j.p[2], j.p[3]);
        printf("  %d iterations\n", (int)j.iters);
        if (k == 2)
            bench_run("BG/NBD predict E[Y(39)] + P(alive) 1M customers",
                      run_predict, &j, (double)sizes[k], 1, 5);
        job_fini(&j);
    }
    job_init(&j, 2357, B2B2C_FORECAST_PNBD, 9);
    bench_run("Pareto/NBD fit 2357 customers", run_fit, &j, 2357.0, 1, 7);
    printf("  fitted r=%.4f alpha=%.4f s=%.4f beta=%.4f, %d iterations\n",
           j.p[0], j.p[1], j.p[2], j.p[3], (int)j.iters);
    job_fini(&j);
    bench_pnbd_subsets(argc > 1 ? argv[1]
                                : "examples/data/forecast/summary.csv");
    return 0;
}
