/* SPDX-License-Identifier: MIT */
/* Segment classifier: batch classification with the default rules (the
 * compiled path), with one host rule (the rule table), and single
 * classify calls with explanations. Data: 1,000,000 attribute rows drawn
 * from a realistic mix (every kind, party types, 0-9 attributes present,
 * values around every threshold). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "bench.h"
#include "harness.h"
#include "segment/segment_internal.h"

enum { N = 1000000, NSINGLE = 200000 };

static double *vals;
static uint32_t *pres;
static int32_t *segs;
static double *confs;
static b2b2c_segmenter *S;
static b2b2c_segment_attrs *ATTRS;
static volatile int32_t sink;

static void fill(void)
{
    static const double nums[] = {0, 1, 3, 9, 10, 12, 24, 60, 250, 400,
                                  1e4, 2.5e5, 1e6, 5e7, 3e8};
    b2b2c__rng r;
    b2b2c__rng_seed(&r, 2026);
    for (size_t i = 0; i < N; i++) {
        double *v = vals + i * SEG_NATTR;
        /* most rows carry party type and kind, some carry little */
        uint32_t p = (uint32_t)b2b2c__rng_below(&r, 1u << SEG_NATTR);
        if (b2b2c__rng_below(&r, 4))
            p |= SEG_BIT(1) | SEG_BIT(3);
        pres[i] = p;
        v[0] = 1 + (double)b2b2c__rng_below(&r, 2);
        v[1] = (double)b2b2c__rng_below(&r, 2);
        v[2] = 1 + (double)b2b2c__rng_below(&r, 12);
        for (int a = 3; a < SEG_NATTR; a++)
            v[a] = nums[b2b2c__rng_below(&r, sizeof(nums) / sizeof(nums[0]))];
    }
}

static void batch(void *arg)
{
    (void)arg;
    if (b2b2c_segmenter_classify_batch(segs, confs, S, N, vals, pres) != 0)
        abort();
    sink = segs[N - 1];
}

static void single(void *arg)
{
    (void)arg;
    for (size_t i = 0; i < NSINGLE; i++) {
        int32_t seg;
        double c;
        ATTRS->present = pres[i];
        memcpy(ATTRS->v, vals + i * SEG_NATTR, sizeof(ATTRS->v));
        if (b2b2c_segmenter_classify(&seg, &c, S, ATTRS) != 0)
            abort();
        sink = seg;
    }
}

int main(void)
{
    b2b2c_ctx *ctx;
    vals = malloc(sizeof(double) * N * SEG_NATTR);
    pres = malloc(sizeof(uint32_t) * N);
    segs = malloc(sizeof(int32_t) * N);
    confs = malloc(sizeof(double) * N);
    if (!vals || !pres || !segs || !confs ||
        b2b2c_ctx_new(&ctx, NULL, NULL) != 0 ||
        b2b2c_segmenter_new(&S, ctx) != 0 ||
        b2b2c_segment_attrs_new(&ATTRS, ctx))
        return 1;
    fill();
    bench_run("segment batch, default rules (compiled), 1M rows", batch, NULL,
              N, 1, 7);
    bench_run("segment classify + explanation, default rules, 200k calls",
              single, NULL, NSINGLE, 1, 5);
    if (b2b2c_segmenter_rule_add(S, "host", 950, B2B2C_SEGMENT_B2B_SMALL_PRO,
                                 "all(org_kind == retail_chain, "
                                 "outlets < 3)") != 0)
        return 1;
    bench_run("segment batch, default + 1 host rule (rule table), 1M rows",
              batch, NULL, N, 1, 5);
    b2b2c_segment_attrs_free(ATTRS);
    b2b2c_segmenter_free(S);
    b2b2c_ctx_free(ctx);
    free(vals);
    free(pres);
    free(segs);
    free(confs);
    return 0;
}
