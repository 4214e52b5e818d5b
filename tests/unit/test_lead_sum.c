/* SPDX-License-Identifier: MIT */
/* The lead model's refit over a host's sums (lead_sum.c): the engine's
 * training rows summed by b2b2c_lead_loss in one batch give
 * b2b2c_lead_refit's weights bit for bit, in 7 uneven partitions to 1e-8;
 * the sums add over partitions; bad rows and a bad host are named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "lead/lead_internal.h"

#include "lead_fixture.h"

#define NLEAD 3000
#define NPART_MAX 8

/* The engine's training rows as the arrays of b2b2c_lead_loss. */
typedef struct batch {
    size_t nrows, nfeat, nattrs, nkinds, dim;
    uint32_t *label, *attrs, *nk, *kind;
    int32_t *segment;
    double *count, *value;
    size_t *off; /* first feature of row i */
} batch;

/* The host: partitions [cut[p], cut[p + 1]) of the rows, summed with
 * b2b2c_lead_loss on its own context and added in partition order; fails
 * at call `fail_at` (0: never) with `fail_code`, or returns a NaN sum
 * when fail_code is 0. */
typedef struct host {
    const batch *b;
    b2b2c_ctx *ctx;
    size_t cut[NPART_MAX + 1];
    int nparts, calls, fail_at, fail_code;
} host;

static int host_sum(double *loss, double *grad, double *hdiag,
                    const double *w, size_t dim, void *ud)
{
    host *h = ud;
    const batch *b = h->b;
    double l, *g = calloc(dim, sizeof(double)), *hd = calloc(dim,
                                                             sizeof(double));
    assert_non_null(g);
    assert_non_null(hd);
    h->calls++;
    *loss = 0;
    for (size_t j = 0; j < dim; j++) {
        grad[j] = 0;
        if (hdiag)
            hdiag[j] = 0;
    }
    for (int p = 0; p < h->nparts; p++) {
        size_t lo = h->cut[p], hi = h->cut[p + 1];
        assert_int_equal(b2b2c_lead_loss(&l, g, hdiag ? hd : NULL, dim,
                                         h->ctx, w, b->nattrs, b->nkinds,
                                         b->label + lo, b->segment + lo,
                                         b->attrs + 3 * lo, b->nk + lo,
                                         b->kind + b->off[lo],
                                         b->count + b->off[lo],
                                         b->value + b->off[lo],
                                         b->off[hi] - b->off[lo], hi - lo),
                         0);
        *loss += l;
        for (size_t j = 0; j < dim; j++) {
            grad[j] += g[j];
            if (hdiag)
                hdiag[j] += hd[j];
        }
    }
    free(g);
    free(hd);
    if (h->calls == h->fail_at) {
        if (h->fail_code)
            return h->fail_code;
        grad[1] = NAN; /* a partition lost */
    }
    return 0;
}

/* Leads with events at several times before their outcomes (decayed,
 * fractional counts and values), every segment, 5 channels, 3 regions,
 * some without a product line; labels from a logistic truth. */
static void draw(fx *f, b2b2c__rng *rng)
{
    static const char *const ch[] = {"search", "display", "fair", "dealer",
                                     "email"};
    static const char *const rg[] = {"north", "south", "west"};
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    for (int i = 0; i < NLEAD; i++) {
        char id[32], prod[16];
        int seg = (int)b2b2c__rng_below(rng, 6);
        int c = (int)b2b2c__rng_below(rng, 5);
        int nev = (int)b2b2c__rng_below(rng, 8);
        double z = -0.7 + 0.3 * (c == 2) - 0.4 * (seg == 5);
        int64_t t = T0;
        snprintf(id, sizeof(id), "l%d", i);
        snprintf(prod, sizeof(prod), "p%d", (int)b2b2c__rng_below(rng, 4));
        assert_int_equal(b2b2c_lead_add(f->m, id, T0, seg, ch[c],
                                        rg[b2b2c__rng_below(rng, 3)],
                                        i % 5 ? prod : NULL),
                         0);
        for (int k = 0; k < nev; k++) {
            int kind = (int)b2b2c__rng_below(rng, 4);
            t += (int64_t)b2b2c__rng_below(rng, 5 * 86400);
            assert_int_equal(b2b2c_lead_event(f->m, id, kind, t,
                                              kind == 1 ? 3.5 * k : 0),
                             0);
            z += kind == 0 ? 0.5 : kind == 3 ? 0.3 : 0.05;
        }
        assert_int_equal(b2b2c_lead_outcome(
                             f->m, id,
                             b2b2c__rng_uniform(rng) < 1 / (1 + exp(-z)),
                             t + 86400 * (int64_t)b2b2c__rng_below(rng, 20)),
                         0);
    }
    assert_int_equal(b2b2c_ctx_commit(f->ctx), 0);
}

static void batch_of(const b2b2c_lead_model *m, batch *b)
{
    size_t k = 0;
    memset(b, 0, sizeof(*b));
    b->nrows = m->nrows;
    b->nattrs = m->nattrs;
    b->nkinds = m->nkinds;
    b->dim = 1 + 6 + b->nattrs + 2 * b->nkinds;
    for (size_t i = 0; i < m->nrows; i++)
        b->nfeat += m->rows[i]->nk;
    b->label = calloc(b->nrows, sizeof(uint32_t));
    b->segment = calloc(b->nrows, sizeof(int32_t));
    b->attrs = calloc(3 * b->nrows, sizeof(uint32_t));
    b->nk = calloc(b->nrows, sizeof(uint32_t));
    b->off = calloc(b->nrows + 1, sizeof(size_t));
    b->kind = calloc(b->nfeat + 1, sizeof(uint32_t));
    b->count = calloc(b->nfeat + 1, sizeof(double));
    b->value = calloc(b->nfeat + 1, sizeof(double));
    assert_true(b->label && b->segment && b->attrs && b->nk && b->off &&
                b->kind && b->count && b->value);
    for (size_t i = 0; i < m->nrows; i++) {
        const lead_row *r = m->rows[i];
        b->label[i] = r->label;
        b->segment[i] = r->segment;
        b->attrs[3 * i] = r->chan;
        b->attrs[3 * i + 1] = r->region;
        b->attrs[3 * i + 2] = r->prod;
        b->nk[i] = r->nk;
        b->off[i] = k;
        for (uint32_t j = 0; j < r->nk; j++, k++) {
            b->kind[k] = r->f[j].kind;
            b->count[k] = r->f[j].cnt;
            b->value[k] = r->f[j].val;
        }
    }
    b->off[m->nrows] = k;
}

static void batch_free(batch *b)
{
    free(b->label);
    free(b->segment);
    free(b->attrs);
    free(b->nk);
    free(b->off);
    free(b->kind);
    free(b->count);
    free(b->value);
}

/* The engine's weights in the layout of b2b2c_lead_fit_sum. */
static void engine_w(const b2b2c_lead_model *m, double *w)
{
    size_t j = 0;
    w[j++] = m->bias;
    for (int s = 0; s < 6; s++)
        w[j++] = m->seg_w[s];
    for (size_t i = 0; i < m->nattrs; i++)
        w[j++] = m->attrs[i]->w;
    for (uint32_t k = 0; k < m->nkinds; k++) {
        w[j++] = m->kinds[k].w_cnt;
        w[j++] = m->kinds[k].w_val;
    }
}

static int fit(host *h, double *w, int32_t *st, int32_t *np)
{
    const batch *b = h->b;
    size_t nwon = 0;
    for (size_t i = 0; i < b->nrows; i++)
        nwon += b->label[i];
    return b2b2c_lead_fit_sum(w, b->dim, st, np, h->ctx, b->nattrs,
                              b->nkinds, b->nrows, nwon, 0.001, 1000,
                              host_sum, h);
}

static void t_equal_refit(void **state)
{
    fx *f = *state;
    b2b2c__rng rng;
    batch b;
    host h;
    int32_t st = -1, np = -1, st1 = -1, np1 = -1, stp = -1, npp = -1;
    double *want, *one, *part;

    b2b2c__rng_seed(&rng, 1919);
    draw(f, &rng);
    assert_int_equal(b2b2c_lead_refit(&st, &np, f->m), 0);
    batch_of(f->m, &b);
    assert_true(b.nattrs >= 12 && b.nkinds >= 4);
    want = calloc(b.dim, sizeof(double));
    one = calloc(b.dim, sizeof(double));
    part = calloc(b.dim, sizeof(double));
    assert_true(want && one && part);
    engine_w(f->m, want);

    memset(&h, 0, sizeof(h));
    h.b = &b;
    assert_int_equal(b2b2c_ctx_new(&h.ctx, NULL, NULL), 0);
    /* one partition: the engine's sums, bit for bit */
    h.nparts = 1;
    h.cut[1] = b.nrows;
    assert_int_equal(fit(&h, one, &st1, &np1), 0);
    assert_memory_equal(one, want, b.dim * sizeof(double));
    assert_int_equal(st1, st);
    assert_int_equal(np1, np);
    assert_int_equal(h.calls, np);
    /* 7 uneven partitions: another order of addition, the same optimum
     * to 1e-8 (the refit's gradient tolerance 1e-6 is on the mean loss,
     * whose curvature is O(1): the paths differ by rounding only) */
    h.nparts = 7;
    for (int p = 1; p < 7; p++)
        h.cut[p] = b.nrows * (size_t)(p * p) / 49;
    h.cut[7] = b.nrows;
    assert_int_equal(fit(&h, part, &stp, &npp), 0);
    assert_int_equal(stp, B2B2C_FIT_CONVERGED);
    {
        double worst = 0;
        for (size_t j = 0; j < b.dim; j++)
            worst = fmax(worst, fabs(part[j] - want[j]) /
                                    fmax(1, fabs(want[j])));
        print_message("7 partitions: %d passes (engine %d), largest "
                      "difference %.3g\n", npp, np, worst);
        assert_true(worst <= 1e-8);
    }
    b2b2c_ctx_free(h.ctx);
    batch_free(&b);
    free(want);
    free(one);
    free(part);
}

/* A host that fails, returns a NaN sum, or is interrupted: the fit fails
 * with its code and writes nothing. */
static void t_host_fails(void **state)
{
    fx *f = *state;
    b2b2c__rng rng;
    batch b;
    host h;
    int32_t st = -7, np = -7;
    double *w;

    b2b2c__rng_seed(&rng, 7);
    draw(f, &rng);
    batch_of(f->m, &b);
    w = calloc(b.dim, sizeof(double));
    assert_non_null(w);
    memset(&h, 0, sizeof(h));
    h.b = &b;
    assert_int_equal(b2b2c_ctx_new(&h.ctx, NULL, NULL), 0);
    h.nparts = 2;
    h.cut[1] = b.nrows / 2;
    h.cut[2] = b.nrows;
    h.fail_at = 3;
    h.fail_code = -4242;
    w[0] = 99;
    assert_int_equal(fit(&h, w, &st, &np), -4242);
    assert_non_null(strstr(b2b2c_ctx_errmsg(h.ctx), "evaluation 3"));
    h.calls = 0;
    h.fail_code = 0; /* a NaN in the sum at the 3rd call */
    assert_int_equal(fit(&h, w, &st, &np), B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(h.ctx), "non-finite"));
    assert_true(w[0] == 99 && st == -7 && np == -7);
    /* one class only, bad arguments */
    assert_int_equal(b2b2c_lead_fit_sum(w, b.dim, &st, &np, h.ctx, b.nattrs,
                                        b.nkinds, 10, 0, 0.001, 1000,
                                        host_sum, &h),
                     B2B2C_ENODATA);
    assert_int_equal(b2b2c_lead_fit_sum(w, b.dim + 1, &st, &np, h.ctx,
                                        b.nattrs, b.nkinds, 10, 5, 0.001,
                                        1000, host_sum, &h),
                     B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(h.ctx), "dim"));
    assert_int_equal(b2b2c_lead_fit_sum(w, b.dim, &st, &np, h.ctx, b.nattrs,
                                        b.nkinds, 10, 5, -1, 1000, host_sum,
                                        &h),
                     B2B2C_ERANGE);
    assert_true(w[0] == 99 && st == -7 && np == -7);
    b2b2c_ctx_free(h.ctx);
    batch_free(&b);
    free(w);
}

/* The sums add over partitions (to rounding); bad rows are named. */
static void t_loss_rows(void **state)
{
    b2b2c_ctx *ctx;
    enum { NA = 2, NK = 2, DIM = 1 + 6 + NA + 2 * NK };
    const uint32_t label[] = {1, 0, 1}, attrs[] = {1, 0, 2, 0, 0, 0, 2, 1, 0};
    const uint32_t nk[] = {2, 0, 1}, kind[] = {0, 1, 1};
    const int32_t seg[] = {5, 0, 3};
    double count[] = {2.5, 1, 0.25}, value[] = {0, 10, 4};
    double w[DIM], l, g[DIM], hd[DIM], l1, g1[DIM], h1[DIM], l2, g2[DIM],
        h2[DIM];
    uint32_t bad_label[] = {1, 2, 1};
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    for (int j = 0; j < DIM; j++)
        w[j] = 0.1 * (j % 5) - 0.2;
    assert_int_equal(b2b2c_lead_loss(&l, g, hd, DIM, ctx, w, NA, NK, label,
                                     seg, attrs, nk, kind, count, value, 3,
                                     3), 0);
    assert_int_equal(b2b2c_lead_loss(&l1, g1, h1, DIM, ctx, w, NA, NK, label,
                                     seg, attrs, nk, kind, count, value, 2,
                                     2), 0);
    assert_int_equal(b2b2c_lead_loss(&l2, g2, h2, DIM, ctx, w, NA, NK,
                                     label + 2, seg + 2, attrs + 6, nk + 2,
                                     kind + 2, count + 2, value + 2, 1, 1),
                     0);
    assert_double_equal(l, l1 + l2, 1e-15);
    for (int j = 0; j < DIM; j++) {
        assert_double_equal(g[j], g1[j] + g2[j], 1e-15);
        assert_double_equal(hd[j], h1[j] + h2[j], 1e-15);
    }
    /* the bias's gradient is the sum of p - y */
    assert_true(g[0] > -3 && g[0] < 1);
    l = 7;
    assert_int_equal(b2b2c_lead_loss(&l, g, NULL, DIM, ctx, w, NA, NK,
                                     bad_label, seg, attrs, nk, kind, count,
                                     value, 3, 3), B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "label[1]"));
    count[2] = -1;
    assert_int_equal(b2b2c_lead_loss(&l, g, NULL, DIM, ctx, w, NA, NK, label,
                                     seg, attrs, nk, kind, count, value, 3,
                                     3), B2B2C_ERANGE);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "count[2]"));
    count[2] = 0.25;
    assert_int_equal(b2b2c_lead_loss(&l, g, NULL, DIM, ctx, w, NA, NK, label,
                                     seg, attrs, nk, kind, count, value, 2,
                                     3), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "nk"));
    assert_int_equal(b2b2c_lead_loss(&l, g, NULL, DIM, ctx, w, NA - 1, NK,
                                     label, seg, attrs, nk, kind, count,
                                     value, 3, 3), B2B2C_EINVAL);
    assert_non_null(strstr(b2b2c_ctx_errmsg(ctx), "dim"));
    assert_true(l == 7);
    b2b2c_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_equal_refit, setup, teardown),
        cmocka_unit_test_setup_teardown(t_host_fails, setup, teardown),
        cmocka_unit_test(t_loss_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
