/* SPDX-License-Identifier: MIT */
/* Channel analytics benchmark: attribution of 1M conversions with on
 * average 5 touches each (1..9, uniform) over 20 channels, for every model;
 * plus 250k non-converting leads that the Markov chain also counts.
 * Target (issue 7): under 1 s per model. Data is loaded through the public
 * API in transaction groups of 10,000 calls (setup, untimed). */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "b2b2c.h"
#include "internal.h"

#define NCONV 1000000
#define NOCONV 250000
#define NCH 20
#define D INT64_C(86400)
#define T0 (INT64_C(19000) * D)

typedef struct bench_arg {
    b2b2c_channels *h;
    int32_t model;
    double sink;
} bench_arg;

static int sum_cb(const char *id, double c, double r, double l, void *p)
{
    bench_arg *a = p;
    (void)id;
    a->sink += c + r + l;
    return 0;
}

static void run_attr(void *p)
{
    bench_arg *a = p;
    if (b2b2c_channels_attribute(a->h, a->model, INT64_MIN, INT64_MAX, sum_cb,
                                 a) != 0) {
        fprintf(stderr, "attribution failed\n");
        exit(1);
    }
}

static int re_cb(const char *id, double re, double share, void *p)
{
    bench_arg *a = p;
    (void)id;
    a->sink += re + share;
    return 0;
}

static void run_effects(void *p)
{
    bench_arg *a = p;
    double pc;
    if (b2b2c_channels_markov_effects(&pc, a->h, INT64_MIN, INT64_MAX, re_cb,
                                      a) != 0) {
        fprintf(stderr, "markov effects failed\n");
        exit(1);
    }
}

typedef struct reopen_arg {
    b2b2c_ctx *ctx;
} reopen_arg;

static void run_reopen(void *p)
{
    reopen_arg *r = p;
    b2b2c_channels *h2;
    if (b2b2c_channels_new(&h2, r->ctx) != 0) {
        fprintf(stderr, "reopen failed\n");
        exit(1);
    }
    b2b2c_channels_free(h2);
}

static int row_cb(const char *k, const double *m, size_t n, void *p)
{
    bench_arg *a = p;
    (void)k;
    (void)n;
    a->sink += m[B2B2C_CHM_LEADS];
    return 0;
}

static void run_metrics(void *p)
{
    bench_arg *a = p;
    if (b2b2c_channels_metrics(a->h, B2B2C_CHANNELS_BY_CHANNEL, a->model,
                               INT64_MIN, INT64_MAX, row_cb, a) != 0) {
        fprintf(stderr, "metrics failed\n");
        exit(1);
    }
}

static void check(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "%s: %s\n", what, b2b2c_strerror(rc));
        exit(1);
    }
}

int main(void)
{
    b2b2c_ctx *ctx;
    bench_arg a;
    b2b2c__rng rng;
    char id[32], lid[32];
    size_t calls = 0, touches = 0;
    double t0;

    check(b2b2c_ctx_new(&ctx, NULL, NULL), "ctx");
    check(b2b2c_channels_new(&a.h, ctx), "new");
    for (int c = 0; c < NCH; c++) {
        snprintf(id, sizeof(id), "channel-%d", c);
        check(b2b2c_channels_add(a.h, id, 1 + c % 2, 0, c % 4), "add");
    }
    b2b2c__rng_seed(&rng, 7);
    t0 = bench_now();
    check(b2b2c_ctx_begin(ctx), "begin");
    for (int l = 0; l < NCONV + NOCONV; l++) {
        int nt = 1 + (int)b2b2c__rng_below(&rng, 9);
        int64_t t = T0 + (int64_t)b2b2c__rng_below(&rng, 365 * D);
        snprintf(lid, sizeof(lid), "lead-%d", l);
        for (int k = 0; k < nt; k++) {
            snprintf(id, sizeof(id), "channel-%d",
                     (int)b2b2c__rng_below(&rng, NCH));
            t += (int64_t)b2b2c__rng_below(&rng, 5 * D);
            check(b2b2c_channels_touch(a.h, lid, id, t), "touch");
            touches++;
            calls++;
        }
        if (l < NCONV) {
            check(b2b2c_channels_convert(a.h, lid, t + 3600,
                                         100 + b2b2c__rng_uniform(&rng) * 900),
                  "convert");
            calls++;
        }
        if (calls >= 10000) {
            check(b2b2c_ctx_commit(ctx), "commit");
            check(b2b2c_ctx_begin(ctx), "begin");
            calls = 0;
        }
    }
    check(b2b2c_ctx_commit(ctx), "commit");
    printf("setup: %d conversions, %d other leads, %zu touches, %d channels "
           "loaded through the API in %.1f s\n",
           NCONV, NOCONV, touches, NCH, bench_now() - t0);
    fflush(stdout);
    for (int32_t m = B2B2C_CHANNEL_ATTRIBUTION_FIRST;
         m <= B2B2C_CHANNEL_ATTRIBUTION_MARKOV; m++) {
        char name[64];
        a.model = m;
        snprintf(name, sizeof(name), "attribute %s, 1M conversions",
                 b2b2c_channel_attribution_name(m));
        bench_run(name, run_attr, &a, NCONV, 1, 5);
    }
    a.model = B2B2C_CHANNEL_ATTRIBUTION_MARKOV;
    bench_run("metrics by channel (markov), 1M conversions", run_metrics, &a,
              NCONV, 1, 5);
    {
        reopen_arg r = {ctx};
        bench_run("reopen (load 1.25M leads, 6.25M touches from the memstore)",
                  run_reopen, &r, NCONV + NOCONV, 1, 5);
    }
    b2b2c_channels_free(a.h);
    b2b2c_ctx_free(ctx);

    /* the chain solve alone, with many channels: 300 channels, 100,000
     * paths of 1..9 touches */
    check(b2b2c_ctx_new(&ctx, NULL, NULL), "ctx");
    check(b2b2c_channels_new(&a.h, ctx), "new");
    for (int c = 0; c < 300; c++) {
        snprintf(id, sizeof(id), "channel-%d", c);
        check(b2b2c_channels_add(a.h, id, 1 + c % 2, 0, c % 4), "add");
    }
    check(b2b2c_ctx_begin(ctx), "begin");
    for (int l = 0; l < 100000; l++) {
        int nt = 1 + (int)b2b2c__rng_below(&rng, 9);
        snprintf(lid, sizeof(lid), "lead-%d", l);
        for (int k = 0; k < nt; k++) {
            snprintf(id, sizeof(id), "channel-%d",
                     (int)b2b2c__rng_below(&rng, 300));
            check(b2b2c_channels_touch(a.h, lid, id, T0 + k * 3600), "touch");
        }
        if (b2b2c__rng_uniform(&rng) < 0.5)
            check(b2b2c_channels_convert(a.h, lid, T0 + nt * 3600, 1), "conv");
    }
    check(b2b2c_ctx_commit(ctx), "commit");
    bench_run("markov removal effects, 300 channels, 100k paths",
              run_effects, &a, 100000, 1, 5);
    b2b2c_channels_free(a.h);
    b2b2c_ctx_free(ctx);
    return a.sink == 12345.678 ? 1 : 0;
}
