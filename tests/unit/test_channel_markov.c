/* SPDX-License-Identifier: MIT */
/* The stateless Markov calls (b2b2c_channel_markov_counts / _effects,
 * markov.c): paths counted in partitions and merged give the engine's
 * removal effects and P(conversion) bit for bit (channels numbered in the
 * engine's order, the dense and the sparse engine paths), whatever the
 * partitioning; the counts' layout on a hand-worked path; bad counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "b2b2c/channel.h"
#include "internal.h"

#define D INT64_C(86400)
#define T0 (INT64_C(19000) * D)
#define NPATH 700
#define MAXT 8

typedef struct eff {
    size_t n;
    double re[1200];
} eff;

static int collect(const char *id, double re, double share, void *p)
{
    eff *e = p;
    (void)id;
    (void)share;
    if (e->n >= 1200)
        return -1;
    e->re[e->n++] = re;
    return 0;
}

/* nch channels added to an engine in the order 0..nch-1 (named so that
 * the order added is not the IDs' order), of which only every `step`-th
 * is touched; random paths (repeated channels, some converting, some
 * leads converting without a touch: the direct bucket); the same paths
 * counted by the stateless call in `nparts` partitions and added. */
static void equal_to_engine(size_t nch, size_t step, int nparts)
{
    b2b2c_ctx *ctx;
    b2b2c_channels *h;
    b2b2c__rng rng;
    size_t ncnt = (nch + 1) * (nch + 3);
    uint64_t *sum = calloc(ncnt, sizeof(uint64_t));
    uint64_t *part = calloc(ncnt, sizeof(uint64_t));
    uint64_t *whole = calloc(ncnt, sizeof(uint64_t));
    uint32_t *chs = calloc(NPATH * MAXT, sizeof(uint32_t));
    uint32_t len[NPATH], conv[NPATH];
    size_t off[NPATH + 1];
    double *re = calloc(nch, sizeof(double)), p_engine = 0, p_conv = 0;
    eff *e = calloc(1, sizeof(eff));
    char id[32], lid[32];

    assert_non_null(sum);
    assert_non_null(part);
    assert_non_null(whole);
    assert_non_null(chs);
    assert_non_null(re);
    assert_non_null(e);
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_channels_new(&h, ctx), 0);
    for (size_t c = 0; c < nch; c++) {
        snprintf(id, sizeof(id), "%c%zu", (int)('z' - c % 26), c);
        assert_int_equal(b2b2c_channels_add(h, id, 1 + (int)(c % 2), 0, 0),
                         0);
    }
    b2b2c__rng_seed(&rng, 1919);
    off[0] = 0;
    for (int l = 0; l < NPATH; l++) {
        uint32_t nt = (uint32_t)b2b2c__rng_below(&rng, MAXT);
        double pc = 0.15;
        snprintf(lid, sizeof(lid), "lead%d", l);
        for (uint32_t k = 0; k < nt; k++) {
            size_t c = step * (size_t)b2b2c__rng_below(
                                  &rng, (uint64_t)((nch + step - 1) / step));
            snprintf(id, sizeof(id), "%c%zu", (int)('z' - c % 26), c);
            assert_int_equal(b2b2c_channels_touch(h, lid, id,
                                                  T0 + (int64_t)k * 3600), 0);
            chs[off[l] + k] = (uint32_t)c;
            pc += 0.1 * (double)(c % 5);
        }
        len[l] = nt;
        conv[l] = b2b2c__rng_uniform(&rng) < pc / 2;
        if (conv[l])
            assert_int_equal(b2b2c_channels_convert(h, lid,
                                                    T0 + (int64_t)nt * 3600,
                                                    1), 0);
        off[l + 1] = off[l] + nt;
    }
    assert_int_equal(b2b2c_channels_markov_effects(&p_engine, h, INT64_MIN,
                                                   INT64_MAX, collect, e),
                     0);
    assert_int_equal(e->n, nch);
    /* the partitions: [lo, hi) of the paths, added in reverse order */
    for (int k = nparts - 1; k >= 0; k--) {
        size_t lo = (size_t)NPATH * (size_t)k / (size_t)nparts;
        size_t hi = (size_t)NPATH * (size_t)(k + 1) / (size_t)nparts;
        assert_int_equal(b2b2c_channel_markov_counts(
                             part, ncnt, ctx, nch, chs + off[lo],
                             off[hi] - off[lo], len + lo, conv + lo, hi - lo),
                         0);
        for (size_t i = 0; i < ncnt; i++)
            sum[i] += part[i];
    }
    assert_int_equal(b2b2c_channel_markov_counts(whole, ncnt, ctx, nch, chs,
                                                 off[NPATH], len, conv,
                                                 NPATH), 0);
    assert_memory_equal(sum, whole, ncnt * sizeof(uint64_t));
    assert_int_equal(b2b2c_channel_markov_effects(re, &p_conv, ctx, sum, ncnt,
                                                  nch), 0);
    /* bit for bit */
    assert_memory_equal(&p_conv, &p_engine, sizeof(double));
    assert_memory_equal(re, e->re, nch * sizeof(double));
    assert_true(p_conv > 0 && p_conv < 1);
    for (size_t c = 0; c < nch; c++)
        assert_true(c % step == 0 ? re[c] > 0 : re[c] == 0);
    b2b2c_channels_free(h);
    b2b2c_ctx_free(ctx);
    free(sum);
    free(part);
    free(whole);
    free(chs);
    free(re);
    free(e);
}

static void t_equal_dense(void **state)
{
    (void)state;
    equal_to_engine(12, 1, 5);
    equal_to_engine(40, 3, 16); /* untouched channels in between */
}

static void t_equal_sparse(void **state)
{
    (void)state;
    /* over CH_MARKOV_DENSE channels the engine counts only the channels
     * on a path (attr.c): the same effects */
    equal_to_engine(600, 50, 7);
}

/* One path A -> B -> A -> CONVERSION and one B -> NULL, hand-counted. */
static void t_layout(void **state)
{
    b2b2c_ctx *ctx;
    enum { NCH = 2, W = NCH + 3, NC = (NCH + 1) * W };
    uint64_t cnt[NC], want[NC] = {0};
    const uint32_t ch[] = {0, 1, 0, 1}, len[] = {3, 0, 1}, conv[] = {1, 1, 0};
    double re[NCH], p;
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_channel_markov_counts(cnt, NC, ctx, NCH, ch, 4,
                                                 len, conv, 3), 0);
    want[0 * W + 1] = 1;         /* START -> A */
    want[0 * W + 2] = 1;         /* START -> B */
    want[1 * W + 2] = 1;         /* A -> B */
    want[2 * W + 1] = 1;         /* B -> A */
    want[1 * W + NCH + 1] = 1;   /* A -> CONVERSION */
    want[2 * W + NCH + 2] = 1;   /* B -> NULL */
    assert_memory_equal(cnt, want, sizeof(cnt));
    /* P(conv) from START: 1/2 (A converts after B -> A; B: 1/2 back to A)
     * worked by hand: x_A = 1/2 + 1/2 x_B, x_B = 1/2 x_A: x_A = 2/3,
     * x_B = 1/3, x_S = (x_A + x_B) / 2 = 1/2; removing A: 0, so RE(A) =
     * 1; removing B: x_A = 1/2, x_S = 1/4, RE(B) = 1/2 */
    assert_int_equal(b2b2c_channel_markov_effects(re, &p, ctx, cnt, NC, NCH),
                     0);
    assert_true(fabs(p - 0.5) < 1e-15);
    assert_true(fabs(re[0] - 1.0) < 1e-15);
    assert_true(fabs(re[1] - 0.5) < 1e-15);
    /* no path at all: P(conv) NaN, every effect 0 */
    assert_int_equal(b2b2c_channel_markov_counts(cnt, NC, ctx, NCH, NULL, 0,
                                                 NULL, NULL, 0), 0);
    assert_int_equal(b2b2c_channel_markov_effects(re, &p, ctx, cnt, NC, NCH),
                     0);
    assert_true(isnan(p) && re[0] == 0 && re[1] == 0);
    b2b2c_ctx_free(ctx);
}

static void t_bad_counts(void **state)
{
    b2b2c_ctx *ctx;
    enum { NCH = 2, W = NCH + 3, NC = (NCH + 1) * W };
    uint64_t cnt[NC] = {0};
    double re[NCH] = {7, 7}, p = 7;
    uint32_t ch[] = {0, 1}, len[] = {3}, conv[] = {1};
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    cnt[0 * W + 1] = 1; /* START -> A, and A never left */
    assert_int_equal(b2b2c_channel_markov_effects(re, &p, ctx, cnt, NC, NCH),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "channel 0"));
    cnt[1 * W + NCH + 1] = UINT64_C(1) << 54;
    assert_int_equal(b2b2c_channel_markov_effects(re, &p, ctx, cnt, NC, NCH),
                     B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "2^53"));
    assert_true(re[0] == 7 && re[1] == 7 && p == 7);
    assert_int_equal(b2b2c_channel_markov_effects(re, &p, ctx, cnt, NC, 0),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "nchannels"));
    /* lengths adding to more than ntouches, a channel out of range */
    assert_int_equal(b2b2c_channel_markov_counts(cnt, NC, ctx, NCH, ch, 2,
                                                 len, conv, 1), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "lengths"));
    len[0] = 2;
    ch[1] = 2;
    assert_int_equal(b2b2c_channel_markov_counts(cnt, NC, ctx, NCH, ch, 2,
                                                 len, conv, 1), B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "channels[1]"));
    assert_true(cnt[1 * W + NCH + 1] == UINT64_C(1) << 54); /* untouched */
    assert_int_equal(b2b2c_channel_markov_counts(cnt, NC, NULL, NCH, ch, 2,
                                                 len, conv, 1), B2B2C_EINVAL);
    b2b2c_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_equal_dense), cmocka_unit_test(t_equal_sparse),
        cmocka_unit_test(t_layout), cmocka_unit_test(t_bad_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
