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

int main(void)
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
        if (k == 2)
            bench_run("BG/NBD predict E[Y(39)] + P(alive) 1M customers",
                      run_predict, &j, (double)sizes[k], 1, 5);
        job_fini(&j);
    }
    job_init(&j, 2357, B2B2C_FORECAST_PNBD, 9);
    bench_run("Pareto/NBD fit 2357 customers", run_fit, &j, 2357.0, 1, 7);
    printf("  fitted r=%.4f alpha=%.4f s=%.4f beta=%.4f\n", j.p[0], j.p[1],
           j.p[2], j.p[3]);
    job_fini(&j);
    return 0;
}
