/* SPDX-License-Identifier: MIT */
/* Lead model, learned P(won): the batch refit reaches the optimum of the
 * penalised log-loss (calibrated in the large, gradient zero), recovers a
 * known logistic truth, says when it stopped at its pass bound, and is
 * deterministic. */
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

#define TE (T0 + 100) /* every event and outcome: features undecayed */

/* The known truth, on the model's own features (log1p of undecayed
 * counts, one-hot segment and channel): pricing views carry no signal. */
#define TRUE_BIAS (-1.0)
#define TRUE_ATT 1.2      /* kind:webinar_attend:count */
#define TRUE_CLICK 0.6    /* kind:email_click:count */
#define TRUE_LARGE 0.8    /* segment b2b_large against any other */
#define TRUE_DISPLAY -0.5 /* channel display against search */

typedef struct lead_x {
    int att, clicks, price, seg, display, y;
} lead_x;

/* Draw `n` leads "<prefix><i>" from the truth; record their outcomes when
 * `train`. Returns the drawn features and labels (caller frees). */
static lead_x *draw(fx *f, b2b2c__rng *rng, const char *prefix, int n,
                    int train)
{
    lead_x *x = calloc((size_t)n, sizeof(*x));
    assert_non_null(x);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    for (int i = 0; i < n; i++) {
        char id[32];
        lead_x *l = &x[i];
        double z;
        l->att = (int)b2b2c__rng_below(rng, 4);
        l->clicks = (int)b2b2c__rng_below(rng, 7);
        l->price = (int)b2b2c__rng_below(rng, 3);
        l->seg = (int)b2b2c__rng_below(rng, 6);
        l->display = b2b2c__rng_uniform(rng) < 0.5;
        z = TRUE_BIAS + TRUE_ATT * log1p(l->att) +
            TRUE_CLICK * log1p(l->clicks) +
            (l->seg == B2B2C_SEGMENT_B2B_LARGE ? TRUE_LARGE : 0) +
            (l->display ? TRUE_DISPLAY : 0);
        l->y = b2b2c__rng_uniform(rng) < 1.0 / (1.0 + exp(-z));
        snprintf(id, sizeof(id), "%s%d", prefix, i);
        assert_int_equal(b2b2c_lead_add(f->m, id, T0, l->seg,
                                        l->display ? "display" : "search",
                                        NULL, NULL),
                         0);
        for (int k = 0; k < l->att; k++)
            assert_int_equal(b2b2c_lead_event(f->m, id,
                                              B2B2C_LEAD_EV_WEBINAR_ATTEND,
                                              TE, 0),
                             0);
        for (int k = 0; k < l->clicks; k++)
            assert_int_equal(b2b2c_lead_event(f->m, id,
                                              B2B2C_LEAD_EV_EMAIL_CLICK, TE,
                                              0),
                             0);
        for (int k = 0; k < l->price; k++)
            assert_int_equal(b2b2c_lead_event(f->m, id,
                                              B2B2C_LEAD_EV_PRICING_VIEW, TE,
                                              0),
                             0);
        if (train)
            assert_int_equal(b2b2c_lead_outcome(f->m, id, l->y, TE), 0);
    }
    assert_int_equal(b2b2c_ctx_commit(f->ctx), 0);
    return x;
}

static double prob(fx *f, const char *prefix, int i)
{
    char id[32];
    double p;
    snprintf(id, sizeof(id), "%s%d", prefix, i);
    assert_int_equal(b2b2c_lead_probability(&p, f->m, id, TE), 0);
    return p;
}

static const lead_attr *attr_named(const b2b2c_lead_model *m,
                                   const char *name)
{
    for (size_t i = 0; i < m->nattrs; i++)
        if (m->attrs[i]->attr == B2B2C_LEAD_ATTR_CHANNEL &&
            strcmp(m->attrs[i]->key + 1, name) == 0)
            return m->attrs[i];
    fail_msg("no channel %s", name);
    return NULL;
}

enum { NTRAIN = 4000, NTEST = 4000 };

/* After a refit with the default parameters: the first-order optimality
 * conditions of the penalised log-loss J(w) = mean(log-loss) + L2/2 |w|^2
 * hold (Bishop 2006, PRML eq. 4.91 plus eq. 3.27), so the mean predicted
 * probability on the training rows equals the observed rate; the weights
 * are near the truth; held-out leads are calibrated in the large. */
static void t_refit_optimum(void **state)
{
    fx *f = *state;
    b2b2c__rng rng;
    lead_x *tr, *te;
    double lam, sp = 0, sy = 0, g_bias = 0, g_att = 0, g_click = 0;
    double w_large, w_other = 0;
    const lead_kind *att, *click;
    int32_t conv = -1, passes = -1;

    b2b2c__rng_seed(&rng, 2026);
    tr = draw(f, &rng, "t", NTRAIN, 1);
    te = draw(f, &rng, "h", NTEST, 0);
    assert_int_equal(b2b2c_lead_refit(&conv, &passes, f->m), 0);
    assert_int_equal(conv, B2B2C_FIT_CONVERGED);
    assert_true(passes >= 2 && passes <= 100);
    assert_int_equal(b2b2c_lead_model_get_param(&lam, f->m, B2B2C_LEAD_L2),
                     0);
    att = &f->m->kinds[B2B2C_LEAD_EV_WEBINAR_ATTEND];
    click = &f->m->kinds[B2B2C_LEAD_EV_EMAIL_CLICK];
    for (int i = 0; i < NTRAIN; i++) {
        double r = prob(f, "t", i) - tr[i].y;
        sp += r + tr[i].y;
        sy += tr[i].y;
        g_bias += r;
        g_att += r * log1p(tr[i].att);
        g_click += r * log1p(tr[i].clicks);
    }
    /* calibration in the large on the training rows (dJ/dbias = 0) */
    assert_double_equal(sp / NTRAIN, sy / NTRAIN, 1e-4);
    assert_double_equal(g_bias / NTRAIN, 0, 1e-5);
    assert_double_equal(g_att / NTRAIN + lam * att->w_cnt, 0, 1e-5);
    assert_double_equal(g_click / NTRAIN + lam * click->w_cnt, 0, 1e-5);

    /* the truth, within about 3 standard errors */
    assert_double_equal(att->w_cnt, TRUE_ATT, 0.25);
    assert_double_equal(click->w_cnt, TRUE_CLICK, 0.25);
    assert_double_equal(f->m->kinds[B2B2C_LEAD_EV_PRICING_VIEW].w_cnt, 0,
                        0.25);
    w_large = f->m->seg_w[B2B2C_SEGMENT_B2B_LARGE];
    for (int s = 0; s < 6; s++)
        if (s != B2B2C_SEGMENT_B2B_LARGE)
            w_other += f->m->seg_w[s] / 5;
    assert_double_equal(w_large - w_other, TRUE_LARGE, 0.3);
    assert_double_equal(attr_named(f->m, "display")->w -
                            attr_named(f->m, "search")->w,
                        TRUE_DISPLAY, 0.25);

    /* held out: mean predicted within ~2.5 binomial standard errors */
    sp = sy = 0;
    for (int i = 0; i < NTEST; i++) {
        sp += prob(f, "h", i);
        sy += te[i].y;
    }
    assert_double_equal(sp / NTEST, sy / NTEST, 0.02);
    free(tr);
    free(te);
}

/* A refit that runs out of passes says so, still stores the weights it
 * reached, and writes its outputs only on success. */
static void t_refit_bound(void **state)
{
    fx *f = *state;
    b2b2c__rng rng;
    lead_x *tr;
    int32_t conv = -1, passes = -1;
    double p1, p2;

    assert_int_equal(b2b2c_lead_refit(&conv, &passes, NULL), B2B2C_EINVAL);
    assert_int_equal(b2b2c_lead_refit(&conv, &passes, f->m),
                     B2B2C_ENOTREADY);
    assert_int_equal(conv, -1);
    assert_int_equal(passes, -1);
    b2b2c__rng_seed(&rng, 7);
    tr = draw(f, &rng, "t", 500, 1);
    assert_int_equal(b2b2c_lead_model_set_param(f->m,
                                                B2B2C_LEAD_REFIT_EPOCHS, 2),
                     0);
    assert_int_equal(b2b2c_lead_refit(&conv, &passes, f->m), 0);
    assert_int_equal(conv, B2B2C_FIT_MAX_ITER);
    assert_int_equal(passes, 2);
    p1 = prob(f, "t", 0);
    assert_int_equal(b2b2c_lead_model_set_param(f->m,
                                                B2B2C_LEAD_REFIT_EPOCHS, 100),
                     0);
    assert_int_equal(b2b2c_lead_refit(&conv, &passes, f->m), 0);
    assert_int_equal(conv, B2B2C_FIT_CONVERGED);
    assert_true(passes > 2 && passes <= 100);
    p2 = prob(f, "t", 0);
    assert_true(p1 != p2);
    /* NULL outputs are fine */
    assert_int_equal(b2b2c_lead_refit(NULL, NULL, f->m), 0);
    assert_true(prob(f, "t", 0) == p2);
    free(tr);
}

/* The same rows give the same weights bit for bit: whatever the seed, the
 * online steps before, a second refit, or a reopen. */
static void t_refit_deterministic(void **state)
{
    fx *f = *state, g;
    b2b2c__rng rng;
    lead_x *a, *b;
    int32_t pa, pb;
    double *p = malloc(300 * sizeof(*p));

    assert_non_null(p);
    assert_int_equal(b2b2c_ctx_new(&g.ctx, NULL, NULL), 0);
    assert_int_equal(b2b2c_lead_model_new(&g.m, g.ctx), 0);
    b2b2c__rng_seed(&rng, 11);
    a = draw(f, &rng, "t", 300, 1);
    b2b2c__rng_seed(&rng, 11);
    b = draw(&g, &rng, "t", 300, 1);
    assert_int_equal(b2b2c_lead_refit(NULL, &pa, f->m), 0);
    for (int i = 0; i < 300; i++)
        p[i] = prob(f, "t", i);
    /* other seed, other online weights before the refit */
    assert_int_equal(b2b2c_lead_outcome(g.m, "t0", 1, TE), 0);
    assert_int_equal(b2b2c_lead_outcome(g.m, "t0", 0, TE), 0);
    assert_int_equal(b2b2c_lead_refit(NULL, &pb, g.m), 0);
    assert_int_equal(b2b2c_lead_outcome(f->m, "t0", 1, TE), 0);
    assert_int_equal(b2b2c_lead_outcome(f->m, "t0", 0, TE), 0);
    assert_int_equal(b2b2c_lead_refit(NULL, &pa, f->m), 0);
    assert_int_equal(pa, pb);
    for (int i = 0; i < 300; i++)
        assert_true(prob(f, "t", i) == prob(&g, "t", i));
    /* a second refit and a reopen change nothing */
    assert_int_equal(b2b2c_lead_refit(NULL, &pb, f->m), 0);
    assert_int_equal(pa, pb);
    b2b2c_lead_model_free(f->m);
    f->m = NULL;
    assert_int_equal(b2b2c_lead_model_new(&f->m, f->ctx), 0);
    for (int i = 0; i < 300; i++)
        assert_true(prob(f, "t", i) == prob(&g, "t", i));
    /* and the two extra rows did move the fit */
    assert_true(p[0] != prob(f, "t", 0));
    b2b2c_lead_model_free(g.m);
    b2b2c_ctx_free(g.ctx);
    free(a);
    free(b);
    free(p);
}

/* Without a penalty, rows that one weight separates perfectly have no
 * optimum: the weights grow until the gradient (e^-|z|) is below the
 * tolerance or the passes run out; either way the refit ends within its
 * bound and the probabilities stay numbers in [0, 1]. */
static void t_refit_separable(void **state)
{
    fx *f = *state;
    int32_t conv = -1, passes = -1;
    assert_int_equal(b2b2c_lead_model_set_param(f->m, B2B2C_LEAD_L2, 0), 0);
    assert_int_equal(b2b2c_lead_model_set_param(f->m,
                                                B2B2C_LEAD_MIN_OUTCOMES, 2),
                     0);
    for (int i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof(id), "t%d", i);
        assert_int_equal(b2b2c_lead_add(f->m, id, T0, 0, NULL, NULL, NULL),
                         0);
        if (i % 2)
            assert_int_equal(b2b2c_lead_event(f->m, id,
                                              B2B2C_LEAD_EV_WEBINAR_ATTEND,
                                              TE, 0),
                             0);
        assert_int_equal(b2b2c_lead_outcome(f->m, id, i % 2, TE), 0);
    }
    assert_int_equal(b2b2c_lead_refit(&conv, &passes, f->m), 0);
    assert_true(conv == B2B2C_FIT_CONVERGED || conv == B2B2C_FIT_STALLED);
    assert_true(passes >= 1 && passes <= 100);
    for (int i = 0; i < 40; i++) {
        double p = prob(f, "t", i);
        assert_true(p >= 0 && p <= 1);
        assert_true(i % 2 ? p > 0.99 : p < 0.01);
    }
}

/* On rows like a real log (13 kinds with values, decayed over weeks, 200
 * channels, 20 regions, correlated count and value features) the refit
 * converges within the default bound, and every component of the gradient
 * of J, recomputed here from the stored rows, is zero at its weights. */
static void t_refit_rich_rows(void **state)
{
    fx *f = *state;
    b2b2c_lead_model *m = f->m;
    b2b2c__rng rng;
    enum { N = 3000 };
    size_t dim;
    double *g, lam, bound;
    int32_t conv = -1, passes = -1;

    b2b2c__rng_seed(&rng, 3);
    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    for (int i = 0; i < N; i++) {
        char id[32], ch[16], rg[16];
        int c = (int)b2b2c__rng_below(&rng, 200);
        double z = -1 + 0.5 * sin(c);
        int64_t t = T0;
        snprintf(id, sizeof(id), "t%d", i);
        snprintf(ch, sizeof(ch), "c%d", c);
        snprintf(rg, sizeof(rg), "r%d", (int)b2b2c__rng_below(&rng, 20));
        assert_int_equal(b2b2c_lead_add(m, id, T0,
                                        (int)b2b2c__rng_below(&rng, 6), ch,
                                        rg, NULL),
                         0);
        for (int k = 0; k < 8; k++) {
            int kind = (int)b2b2c__rng_below(&rng, 13);
            t += (int64_t)b2b2c__rng_below(&rng, 5 * 86400);
            assert_int_equal(b2b2c_lead_event(m, id, kind, t,
                                              10 * b2b2c__rng_uniform(&rng)),
                             0);
            z += 0.1 * (kind % 5) - 0.2;
        }
        assert_int_equal(b2b2c_lead_outcome(m, id,
                                            b2b2c__rng_uniform(&rng) <
                                                1 / (1 + exp(-z)),
                                            t + 86400),
                         0);
    }
    assert_int_equal(b2b2c_ctx_commit(f->ctx), 0);
    assert_int_equal(b2b2c_lead_refit(&conv, &passes, m), 0);
    assert_int_equal(b2b2c_lead_model_get_param(&bound, m,
                                                B2B2C_LEAD_REFIT_EPOCHS),
                     0);
    assert_int_equal(conv, B2B2C_FIT_CONVERGED);
    assert_true(passes > 2 && passes <= bound);

    /* the gradient, same layout as the refit: bias, segments, attributes,
     * kinds (count, value) */
    assert_int_equal(b2b2c_lead_model_get_param(&lam, m, B2B2C_LEAD_L2), 0);
    dim = 1 + 6 + m->nattrs + 2 * (size_t)m->nkinds;
    g = calloc(dim, sizeof(*g));
    assert_non_null(g);
    for (size_t i = 0; i < m->nrows; i++) {
        const lead_row *w = m->rows[i];
        double z = m->bias + m->seg_w[w->segment], r;
        size_t a0 = 7, k0 = 7 + m->nattrs;
        uint32_t ix[3] = {w->chan, w->region, w->prod};
        for (int a = 0; a < 3; a++)
            if (ix[a])
                z += m->attrs[ix[a] - 1]->w;
        for (uint32_t k = 0; k < w->nk; k++)
            z += m->kinds[w->f[k].kind].w_cnt * log1p(w->f[k].cnt) +
                 m->kinds[w->f[k].kind].w_val * log1p(w->f[k].val);
        r = 1 / (1 + exp(-z)) - w->label;
        g[0] += r;
        g[1 + w->segment] += r;
        for (int a = 0; a < 3; a++)
            if (ix[a])
                g[a0 + ix[a] - 1] += r;
        for (uint32_t k = 0; k < w->nk; k++) {
            g[k0 + 2 * w->f[k].kind] += r * log1p(w->f[k].cnt);
            g[k0 + 2 * w->f[k].kind + 1] += r * log1p(w->f[k].val);
        }
    }
    assert_double_equal(g[0] / N, 0, 2e-6);
    for (int s = 0; s < 6; s++)
        assert_double_equal(g[1 + s] / N + lam * m->seg_w[s], 0, 2e-6);
    for (size_t a = 0; a < m->nattrs; a++)
        assert_double_equal(g[7 + a] / N + lam * m->attrs[a]->w, 0, 2e-6);
    for (uint32_t k = 0; k < m->nkinds; k++) {
        size_t j = 7 + m->nattrs + 2 * (size_t)k;
        assert_double_equal(g[j] / N + lam * m->kinds[k].w_cnt, 0, 2e-6);
        assert_double_equal(g[j + 1] / N + lam * m->kinds[k].w_val, 0, 2e-6);
    }
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(t_refit_optimum, setup, teardown),
        cmocka_unit_test_setup_teardown(t_refit_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(t_refit_deterministic, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(t_refit_separable, setup, teardown),
        cmocka_unit_test_setup_teardown(t_refit_rich_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
