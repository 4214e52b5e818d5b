/* SPDX-License-Identifier: MIT */
/* A/B experiments: the statistics against scipy (tests/data/experiment,
 * made by gen_experiment_ref.py), the handle's bad input, undo and
 * re-entrancy, the report's consistency, and (argument "aa") 2,000 A/A
 * experiments peeked daily: the sequential test's false-positive rate stays
 * at or below its alpha while the one-look z-test's does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "experiment/exp_int.h"

#define D INT64_C(86400)
#define T0 (INT64_C(20000) * D)

static const char *ref_path;

/* ---- the scipy references --------------------------------------------------- */

#define MAXV 40

/* Read the next line of kind `kind` (skipping others) into v; returns the
 * number of values, 0 at the end. */
static int next_ref(FILE *f, const char *kind, double *v)
{
    char line[4096];
    while (fgets(line, sizeof(line), f)) {
        char *p = line, *end;
        int n = 0;
        size_t kl = strlen(kind);
        if (strncmp(line, kind, kl) != 0 || line[kl] != ' ')
            continue;
        p += kl;
        for (;;) {
            double x = strtod(p, &end);
            if (end == p || n == MAXV)
                break;
            v[n++] = x;
            p = end;
        }
        return n;
    }
    return 0;
}

static FILE *open_ref(void)
{
    FILE *f = fopen(ref_path, "r");
    assert_non_null(f);
    return f;
}

/* |got - want| <= tol * max(1, |want|) */
static void near(double got, double want, double tol, const char *what,
                 int line)
{
    double s = fabs(want) > 1.0 ? fabs(want) : 1.0;
    if (!(fabs(got - want) <= tol * s)) {
        print_error("%s (ref line %d): got %.17g want %.17g\n", what, line,
                    got, want);
        fail();
    }
}

static void t_specfun(void **state)
{
    double v[MAXV];
    int n, cnt = 0;
    FILE *f = open_ref();
    (void)state;
    while ((n = next_ref(f, "gammaq", v)) != 0) {
        assert_int_equal(n, 3);
        near(b2b2c__gammaq(v[0], v[1]), v[2], 1e-12, "gammaq", ++cnt);
    }
    rewind(f);
    while ((n = next_ref(f, "ppf", v)) != 0) {
        assert_int_equal(n, 2);
        near(b2b2c__norm_ppf(v[0]), v[1], 1e-13, "ppf", ++cnt);
    }
    rewind(f);
    while ((n = next_ref(f, "trigamma", v)) != 0) {
        assert_int_equal(n, 2);
        /* relative: trigamma(1e6) is 1e-6 */
        near(b2b2c__trigamma(v[0]) / v[1], 1.0, 1e-13, "trigamma", ++cnt);
    }
    fclose(f);
    assert_true(cnt >= 20);
}

static void t_bayes_two(void **state)
{
    double v[MAXV], pb[2], loss[2], ab[2], bb[2], lo, hi;
    b2b2c__alloc mem;
    int n, cnt = 0;
    FILE *f = open_ref();
    (void)state;
    assert_int_equal(b2b2c__alloc_init(&mem, NULL), 0);
    while ((n = next_ref(f, "pbest2", v)) != 0) {
        assert_int_equal(n, 5);
        /* exact (Evan Miller's sum): to 1e-9 of the quadrature reference */
        near(b2b2c__exp_prob_b_beats_a(v[0], v[1], v[2], v[3]), v[4], 1e-9,
             "P(B > A)", ++cnt);
        ab[0] = v[0], bb[0] = v[1], ab[1] = v[2], bb[1] = v[3];
        assert_int_equal(b2b2c__exp_pbest(pb, loss, &mem, ab, bb, 2), 0);
        near(pb[1], v[4], 1e-9, "pbest[1]", cnt);
        near(pb[0] + pb[1], 1.0, 1e-15, "sum", cnt);
    }
    rewind(f);
    while ((n = next_ref(f, "loss2", v)) != 0) {
        assert_int_equal(n, 6);
        ab[0] = v[0], bb[0] = v[1], ab[1] = v[2], bb[1] = v[3];
        assert_int_equal(b2b2c__exp_pbest(pb, loss, &mem, ab, bb, 2), 0);
        near(loss[0], v[4], 1e-7, "loss A", ++cnt);
        near(loss[1], v[5], 1e-7, "loss B", cnt);
    }
    rewind(f);
    while ((n = next_ref(f, "uplift", v)) != 0) {
        assert_int_equal(n, 7);
        b2b2c__exp_uplift_ci(&lo, &hi, v[0], v[1], v[2], v[3], v[4]);
        near(lo, v[5], 1e-10, "uplift lo", ++cnt);
        near(hi, v[6], 1e-10, "uplift hi", cnt);
    }
    fclose(f);
    assert_true(cnt >= 24);
}

static void t_bayes_many(void **state)
{
    double v[MAXV], a[8], b[8], pb[8], loss[8];
    b2b2c__alloc mem;
    int n, cnt = 0;
    FILE *f = open_ref();
    (void)state;
    assert_int_equal(b2b2c__alloc_init(&mem, NULL), 0);
    while ((n = next_ref(f, "pbestk", v)) != 0) {
        size_t k = (size_t)v[0];
        double sum = 0;
        assert_int_equal(n, 1 + 4 * (int)k);
        for (size_t i = 0; i < k; i++)
            a[i] = v[1 + 2 * i], b[i] = v[2 + 2 * i];
        assert_int_equal(b2b2c__exp_pbest(pb, loss, &mem, a, b, k), 0);
        cnt++;
        for (size_t i = 0; i < k; i++) {
            near(pb[i], v[1 + 2 * k + i], 1e-7, "P(best)", cnt);
            near(loss[i], v[1 + 3 * k + i], 1e-7, "loss", cnt);
            sum += pb[i];
        }
        /* each within 1e-7, so their sum within k x 1e-7 */
        near(sum, 1.0, 1e-7 * (double)k, "sum of P(best)", cnt);
    }
    fclose(f);
    assert_true(cnt >= 3);
}

static void t_frequentist(void **state)
{
    double v[MAXV], z, p, lo, hi, chi, cn[8], sh[8];
    int n, cnt = 0;
    FILE *f = open_ref();
    (void)state;
    while ((n = next_ref(f, "ztest", v)) != 0) {
        assert_int_equal(n, 9);
        b2b2c__exp_ztest(&z, &p, &lo, &hi, (int64_t)v[0], (int64_t)v[1],
                         (int64_t)v[2], (int64_t)v[3], v[4]);
        near(z, v[5], 1e-10, "z", ++cnt);
        near(p, v[6], 1e-10, "p", cnt);
        near(lo, v[7], 1e-12, "lo", cnt);
        near(hi, v[8], 1e-12, "hi", cnt);
    }
    rewind(f);
    while ((n = next_ref(f, "srm", v)) != 0) {
        size_t k = (size_t)v[0];
        assert_int_equal(n, 3 + 2 * (int)k);
        for (size_t i = 0; i < k; i++)
            cn[i] = v[1 + i], sh[i] = v[1 + k + i];
        b2b2c__exp_srm(&chi, &p, cn, sh, k);
        near(chi, v[1 + 2 * k], 1e-10, "chi2", ++cnt);
        near(p, v[2 + 2 * k], 1e-10, "srm p", cnt);
    }
    rewind(f);
    while ((n = next_ref(f, "plan", v)) != 0) {
        int64_t np = -1, days = -1;
        assert_int_equal(n, 5);
        assert_int_equal(b2b2c_experiment_plan(&np, &days, v[0], v[1], v[2],
                                               v[3], 2, 1000.0), 0);
        assert_int_equal(np, (int64_t)v[4]);
        assert_int_equal(days, (int64_t)ceil(2.0 * v[4] / 1000.0));
        cnt++;
    }
    rewind(f);
    while ((n = next_ref(f, "msprt", v)) != 0) {
        assert_int_equal(n, 6);
        near(b2b2c__exp_msprt_llr((int64_t)v[0], (int64_t)v[1],
                                  (int64_t)v[2], (int64_t)v[3], v[4]),
             v[5], 1e-10, "msprt llr", ++cnt);
    }
    fclose(f);
    assert_true(cnt >= 17);
}

/* ---- the handle ---------------------------------------------------------------- */

typedef struct fx {
    b2b2c_ctx *ctx;
    b2b2c_experiment *e;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    if (!f || b2b2c_ctx_new(&f->ctx, NULL, NULL) ||
        b2b2c_experiment_new(&f->e, f->ctx))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    b2b2c_experiment_free(f->e);
    b2b2c_ctx_free(f->ctx);
    free(f);
    return 0;
}

#define MAXR 16
typedef struct rep {
    size_t n;
    char name[MAXR][32];
    double f[MAXR][B2B2C_EXPERIMENT_F_NFIELDS];
    b2b2c_experiment *e; /* to try a mutating call from the callback */
    int inner_rc;
} rep;

static int collect(const char *variant, const double *fields, size_t nf,
                   void *u)
{
    rep *r = u;
    assert_int_equal(nf, B2B2C_EXPERIMENT_F_NFIELDS);
    if (r->n >= MAXR)
        return -1;
    snprintf(r->name[r->n], 32, "%s", variant);
    memcpy(r->f[r->n], fields, nf * sizeof(double));
    if (r->e)
        r->inner_rc = b2b2c_experiment_add_day(r->e, variant, T0, 1, 0, 0, 0);
    r->n++;
    return 0;
}

static const char *errmsg(fx *f)
{
    return b2b2c_ctx_errmsg(f->ctx);
}

static int stop_cb(int64_t day, const double *fields, size_t nf, void *u)
{
    (void)day, (void)fields, (void)nf, (void)u;
    return -4242;
}

static void t_bad_input(void **state)
{
    fx *f = *state;
    b2b2c_experiment *e = f->e;
    rep r = {0};
    double v;

    assert_int_equal(b2b2c_experiment_add_variant(NULL, "a", 1),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_experiment_add_variant(e, "", 1), B2B2C_EBADID);
    assert_int_equal(b2b2c_experiment_add_variant(e, NULL, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_experiment_add_variant(e, "a", NAN), B2B2C_EINVAL);
    assert_int_equal(b2b2c_experiment_add_variant(e, "a", 0), B2B2C_ERANGE);
    assert_int_equal(b2b2c_experiment_add_variant(e, "a", -1), B2B2C_ERANGE);
    assert_non_null(strstr(errmsg(f), "planned_share"));
    assert_int_equal(b2b2c_experiment_report(e, collect, &r),
                     B2B2C_ENOTREADY);
    assert_int_equal(b2b2c_experiment_add_variant(e, "a", 1), 0);
    assert_int_equal(b2b2c_experiment_add_variant(e, "a", 1), B2B2C_EEXISTS);
    assert_int_equal(b2b2c_experiment_add_variant(e, "b", 1), 0);

    assert_int_equal(b2b2c_experiment_add_day(e, "zz", T0, 10, 1, 0, 0),
                     B2B2C_ENOTFOUND);
    assert_non_null(strstr(errmsg(f), "'zz'"));
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0, -1, 0, 0, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(errmsg(f), "exposures"));
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0, 10, -1, 0, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(errmsg(f), "conversions"));
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0, 10, 11, 0, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(errmsg(f), "conversions"));
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0, 10, 1, NAN, 0),
                     B2B2C_EINVAL);
    assert_non_null(strstr(errmsg(f), "revenue"));
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0, 10, 1, -5, 25),
                     B2B2C_ERANGE);
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0, 10, 1, 5, NAN),
                     B2B2C_EINVAL);
    assert_non_null(strstr(errmsg(f), "revenue_sumsq"));
    /* sum of squares below sum^2 / n: impossible */
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0, 10, 2, 50, 200),
                     B2B2C_ERANGE);
    assert_non_null(strstr(errmsg(f), "revenue_sumsq"));
    assert_int_equal(b2b2c_experiment_add_day(e, "a", INT64_MAX, 10, 1, 0, 0),
                     B2B2C_ERANGE);
    assert_non_null(strstr(errmsg(f), "t:"));
    /* day order per variant: the same day adds up, an earlier one is
     * refused, another variant has its own order */
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0 + D, 10, 1, 5, 25),
                     0);
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0 + D + 3600, 10, 1, 5,
                                              25), 0);
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0 + 100, 10, 1, 5, 25),
                     B2B2C_ERANGE);
    assert_non_null(strstr(errmsg(f), "'a'"));
    assert_int_equal(b2b2c_experiment_add_day(e, "b", T0, 10, 1, 5, 25), 0);

    assert_int_equal(b2b2c_experiment_set_param(e, B2B2C_EXPERIMENT_ALPHA,
                                                0.7), B2B2C_ERANGE);
    assert_int_equal(b2b2c_experiment_set_param(e, B2B2C_EXPERIMENT_PRIOR_A,
                                                1.5), B2B2C_ERANGE);
    assert_int_equal(b2b2c_experiment_set_param(e, 500, 1), B2B2C_EINVAL);
    assert_int_equal(b2b2c_experiment_set_param(e, B2B2C_EXPERIMENT_ALPHA,
                                                NAN), B2B2C_EINVAL);
    assert_int_equal(b2b2c_experiment_get_param(&v, e,
                                                B2B2C_EXPERIMENT_ALPHA), 0);
    assert_true(v == 0.05);
    assert_int_equal(b2b2c_experiment_list_days(e, "a", stop_cb, &r),
                     B2B2C_EINVAL); /* the control */
    assert_int_equal(b2b2c_experiment_list_days(e, "c", stop_cb, &r),
                     B2B2C_ENOTFOUND);
    assert_int_equal(b2b2c_experiment_list_days(e, "b", NULL, &r),
                     B2B2C_EINVAL);
    assert_int_equal(b2b2c_experiment_report(e, NULL, &r), B2B2C_EINVAL);

    /* the rows were merged by day: one day each */
    assert_int_equal(b2b2c_experiment_report(e, collect, &r), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.name[0], "a");
    assert_true(r.f[0][B2B2C_EXPERIMENT_F_DAYS] == 1);
    assert_true(r.f[0][B2B2C_EXPERIMENT_F_EXPOSURES] == 20);
    assert_true(r.f[0][B2B2C_EXPERIMENT_F_IS_CONTROL] == 1);
    assert_true(isnan(r.f[0][B2B2C_EXPERIMENT_F_Z]));
    assert_true(r.f[1][B2B2C_EXPERIMENT_F_DAYS] == 1);
}

/* A failed call and a rolled-back group leave the handle as it was; a
 * mutating call from a callback gets B2B2C_ESTATE. */
static void t_undo_and_reentry(void **state)
{
    fx *f = *state;
    b2b2c_experiment *e = f->e;
    rep r1 = {0}, r2 = {0};

    assert_int_equal(b2b2c_experiment_add_variant(e, "a", 1), 0);
    assert_int_equal(b2b2c_experiment_add_variant(e, "b", 1), 0);
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0, 100, 5, 10, 30), 0);
    assert_int_equal(b2b2c_experiment_add_day(e, "b", T0, 100, 7, 14, 40), 0);
    assert_int_equal(b2b2c_experiment_report(e, collect, &r1), 0);

    assert_int_equal(b2b2c_ctx_begin(f->ctx), 0);
    assert_int_equal(b2b2c_experiment_add_variant(e, "c", 1), 0);
    for (int d = 0; d < 40; d++) { /* grows the rows arrays */
        assert_int_equal(b2b2c_experiment_add_day(e, "a", T0 + d * D, 100, 5,
                                                  10, 30), 0);
        assert_int_equal(b2b2c_experiment_add_day(e, "c", T0 + d * D, 100, 5,
                                                  10, 30), 0);
    }
    assert_int_equal(b2b2c_experiment_set_param(e, B2B2C_EXPERIMENT_ALPHA,
                                                0.1), 0);
    assert_int_equal(b2b2c_ctx_rollback(f->ctx), 0);

    r2.e = e;
    assert_int_equal(b2b2c_experiment_report(e, collect, &r2), 0);
    assert_int_equal(r2.inner_rc, B2B2C_ESTATE);
    assert_int_equal(r1.n, r2.n);
    assert_memory_equal(r1.f, r2.f, sizeof(r1.f[0]) * r1.n);
}

/* The report's figures hang together on a three-variant experiment. */
static void t_report(void **state)
{
    fx *f = *state;
    b2b2c_experiment *e = f->e;
    rep r = {0};
    double sum = 0, chi, p;
    const char *names[3] = {"ctl", "b", "c"};
    const int conv[3] = {50, 62, 55};

    for (int i = 0; i < 3; i++)
        assert_int_equal(b2b2c_experiment_add_variant(e, names[i], 1), 0);
    for (int d = 0; d < 10; d++)
        for (int i = 0; i < 3; i++)
            assert_int_equal(b2b2c_experiment_add_day(e, names[i], T0 + d * D,
                                                      100, conv[i] / 10,
                                                      conv[i] / 10 * 20.0,
                                                      conv[i] / 10 * 500.0),
                             0);
    assert_int_equal(b2b2c_experiment_report(e, collect, &r), 0);
    assert_int_equal(r.n, 3);
    /* name order: b, c, ctl */
    assert_string_equal(r.name[0], "b");
    assert_string_equal(r.name[2], "ctl");
    for (size_t i = 0; i < 3; i++) {
        const double *x = r.f[i];
        sum += x[B2B2C_EXPERIMENT_F_P_BEST];
        assert_true(x[B2B2C_EXPERIMENT_F_EXPECTED_LOSS] >= 0);
        assert_true(fabs(x[B2B2C_EXPERIMENT_F_PLANNED_SHARE] - 1.0 / 3) <
                    1e-15);
        if (i == 2)
            continue;
        assert_true(x[B2B2C_EXPERIMENT_F_DIFF_LO] <
                    x[B2B2C_EXPERIMENT_F_DIFF]);
        assert_true(x[B2B2C_EXPERIMENT_F_DIFF] <
                    x[B2B2C_EXPERIMENT_F_DIFF_HI]);
        assert_true(x[B2B2C_EXPERIMENT_F_UPLIFT_LO] <
                    x[B2B2C_EXPERIMENT_F_UPLIFT_HI]);
        /* always valid costs power: never below the one-look p */
        assert_true(x[B2B2C_EXPERIMENT_F_SEQ_P_VALUE] >=
                    x[B2B2C_EXPERIMENT_F_P_VALUE]);
        assert_true(x[B2B2C_EXPERIMENT_F_RPV_DIFF_LO] <
                    x[B2B2C_EXPERIMENT_F_RPV_DIFF_HI]);
    }
    assert_true(fabs(sum - 1.0) < 1e-7);
    /* the best has the highest rate and the smallest loss */
    assert_true(r.f[0][B2B2C_EXPERIMENT_F_P_BEST] >
                r.f[1][B2B2C_EXPERIMENT_F_P_BEST]);
    assert_true(r.f[0][B2B2C_EXPERIMENT_F_EXPECTED_LOSS] <
                r.f[1][B2B2C_EXPERIMENT_F_EXPECTED_LOSS]);
    /* equal exposures on an equal split: no mismatch */
    assert_int_equal(b2b2c_experiment_srm(&chi, &p, e), 0);
    assert_true(chi == 0.0 && p == 1.0);
}

typedef struct days {
    int n;
    double last_seq;
    int monotone;
    int64_t first;
} days;

static int day_cb(int64_t day, const double *fields, size_t nf, void *u)
{
    days *d = u;
    assert_int_equal(nf, B2B2C_EXPERIMENT_D_NFIELDS);
    if (d->n == 0)
        d->first = day;
    if (fields[B2B2C_EXPERIMENT_D_SEQ_P_VALUE] > d->last_seq)
        d->monotone = 0;
    d->last_seq = fields[B2B2C_EXPERIMENT_D_SEQ_P_VALUE];
    d->n++;
    return 0;
}

static void t_days(void **state)
{
    fx *f = *state;
    b2b2c_experiment *e = f->e;
    days d = {0, 1.0, 1, 0};
    assert_int_equal(b2b2c_experiment_add_variant(e, "a", 1), 0);
    assert_int_equal(b2b2c_experiment_add_variant(e, "b", 1), 0);
    /* days of the control only, of both, of the variant only */
    assert_int_equal(b2b2c_experiment_add_day(e, "a", T0 + 5, 1000, 50, 0, 0),
                     0);
    for (int i = 1; i < 30; i++)
        assert_int_equal(b2b2c_experiment_add_day(e, "a", T0 + i * D, 1000, 50,
                                                  0, 0), 0);
    for (int i = 1; i < 31; i++)
        assert_int_equal(b2b2c_experiment_add_day(e, "b", T0 + i * D, 1000, 65,
                                                  0, 0), 0);
    assert_int_equal(b2b2c_experiment_list_days(e, "b", day_cb, &d), 0);
    assert_int_equal(d.n, 31);
    assert_int_equal(d.first, T0);
    assert_true(d.monotone);
    assert_true(d.last_seq < 0.05); /* a 30% lift over 30,000 visitors */
    assert_int_equal(b2b2c_experiment_list_days(e, "b", stop_cb, NULL),
                     -4242);
}

/* ---- A/A experiments peeked daily --------------------------------------------- */

static int aa_day(int64_t day, const double *fields, size_t nf, void *u)
{
    int *hits = u;
    (void)day, (void)nf;
    if (fields[B2B2C_EXPERIMENT_D_P_VALUE] < 0.05)
        hits[0] = 1;
    if (fields[B2B2C_EXPERIMENT_D_SEQ_P_VALUE] < 0.05)
        hits[1] = 1;
    return 0;
}

static void t_aa(void **state)
{
    enum { NEXP = 2000, NDAYS = 20, PER_DAY = 500 };
    const double p = 0.05;
    b2b2c_ctx *ctx;
    b2b2c__rng rng;
    int naive = 0, seq = 0;
    (void)state;
    assert_int_equal(b2b2c_ctx_new(&ctx, NULL, NULL), 0);
    b2b2c__rng_seed(&rng, 20261207);
    for (int k = 0; k < NEXP; k++) {
        b2b2c_experiment *e;
        int hits[2] = {0, 0};
        assert_int_equal(b2b2c_experiment_new(&e, ctx), 0);
        assert_int_equal(b2b2c_experiment_add_variant(e, "a", 1), 0);
        assert_int_equal(b2b2c_experiment_add_variant(e, "b", 1), 0);
        for (int d = 0; d < NDAYS; d++)
            for (int v = 0; v < 2; v++) {
                int64_t x = 0;
                for (int i = 0; i < PER_DAY; i++)
                    x += b2b2c__rng_uniform(&rng) < p;
                assert_int_equal(b2b2c_experiment_add_day(
                                     e, v ? "b" : "a", T0 + d * D, PER_DAY,
                                     x, 0, 0), 0);
            }
        assert_int_equal(b2b2c_experiment_list_days(e, "b", aa_day, hits), 0);
        naive += hits[0];
        seq += hits[1];
        b2b2c_experiment_free(e);
    }
    b2b2c_ctx_free(ctx);
    print_message("A/A: %d experiments x %d daily looks: one-look z-test "
                  "rejected %d (%.1f%%), mixture SPRT %d (%.1f%%)\n",
                  NEXP, NDAYS, naive, 100.0 * naive / NEXP, seq,
                  100.0 * seq / NEXP);
    assert_true(seq <= 0.05 * NEXP);
    /* peeking at the one-look test inflates its rate well past alpha */
    assert_true(naive > 0.1 * NEXP);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_specfun),
        cmocka_unit_test(t_bayes_two),
        cmocka_unit_test(t_bayes_many),
        cmocka_unit_test(t_frequentist),
        cmocka_unit_test_setup_teardown(t_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(t_undo_and_reentry, setup, teardown),
        cmocka_unit_test_setup_teardown(t_report, setup, teardown),
        cmocka_unit_test_setup_teardown(t_days, setup, teardown),
    };
    const struct CMUnitTest aa[] = {cmocka_unit_test(t_aa)};
    if (argc > 1 && strcmp(argv[1], "aa") == 0)
        return cmocka_run_group_tests(aa, NULL, NULL);
    if (argc < 2) {
        fprintf(stderr, "usage: test_experiment REF.txt | aa\n");
        return 2;
    }
    ref_path = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
