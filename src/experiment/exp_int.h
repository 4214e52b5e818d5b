/* SPDX-License-Identifier: MIT */
/* A/B experiments: internal layout and the statistics (exp_stats.c),
 * shared with the tests. Not installed. */
#ifndef B2B2C_EXP_INT_H
#define B2B2C_EXP_INT_H

#include "b2b2c/experiment.h"
#include "internal.h"

#define EXP_PARAM_BASE 600
#define EXP_NPARAMS 4

/* One day's row of a variant (rows of one day are merged on entry). */
typedef struct exp_row {
    int64_t day;
    int64_t n, x;
    double rev, rev2;
} exp_row;

/* A variant's counters, saved as one block by the undo log: the variant
 * never moves, its rows array may (so no undo entry points into it). The
 * last day's row lives here, open to more rows of that day; rows[] holds
 * the ndays - 1 days before it, written only past the saved count. */
typedef struct exp_sums {
    size_t ndays;
    int64_t n, x;
    double rev, rev2;
    exp_row last;
} exp_sums;

typedef struct exp_var {
    double share;
    exp_row *rows;
    size_t caprows;
    exp_sums s;
    size_t namelen;
    char name[]; /* NUL-terminated */
} exp_var;

/* Row i of v (i < v->s.ndays). */
static inline const exp_row *exp_day(const exp_var *v, size_t i)
{
    return i + 1 == v->s.ndays ? &v->s.last : &v->rows[i];
}

struct b2b2c_experiment {
    b2b2c_ctx *ctx;
    exp_var **vars; /* in the order added; vars[0] is the control */
    size_t nvars, capvars;
    double p[EXP_NPARAMS]; /* by number - EXP_PARAM_BASE */
};

/* The variant called `name` (checked: B2B2C_EBADID, B2B2C_ENOTFOUND with
 * the message set). */
int b2b2c__exp_lookup(const b2b2c_experiment *e, const char *name,
                      exp_var **out);

/* ---- statistics (exp_stats.c); every formula cited there ---------------- */

/* Two-proportion z-test, B against A: z with the pooled standard error,
 * its two-sided p-value, and the (1 - alpha) Wald interval of pB - pA with
 * the unpooled one. n > 0 on both sides. */
void b2b2c__exp_ztest(double *z, double *p, double *lo, double *hi,
                      int64_t na, int64_t xa, int64_t nb, int64_t xb,
                      double alpha);
/* log of the mixture likelihood ratio of the mSPRT for pB - pA = 0 with a
 * N(0, tau2) mixing distribution, normal approximation; 0 when undefined
 * (no exposures on a side, zero variance). */
double b2b2c__exp_msprt_llr(int64_t na, int64_t xa, int64_t nb, int64_t xb,
                            double tau2);
/* P(pB > pA) for pA ~ Beta(aa, ba), pB ~ Beta(ab, bb), with aa and ab
 * whole: Evan Miller's closed form. */
double b2b2c__exp_prob_b_beats_a(double aa, double ba, double ab, double bb);
/* P(best) and expected loss of k Beta(a[i], b[i]) rates, into pbest[k] and
 * loss[k]: the closed form for k = 2, a quadrature otherwise (the losses
 * always by quadrature). 0 or B2B2C_ENOMEM (the scratch grid). */
int b2b2c__exp_pbest(double *pbest, double *loss, const b2b2c__alloc *mem,
                     const double *a, const double *b, size_t k);
/* Credible interval (1 - alpha) of pB / pA - 1 from the log-normal
 * approximation of the ratio of two Beta posteriors. */
void b2b2c__exp_uplift_ci(double *lo, double *hi, double aa, double ba,
                          double ab, double bb, double alpha);
/* Pearson's chi-square of counts against shares (normalised here), and
 * its p-value with k - 1 degrees of freedom. */
void b2b2c__exp_srm(double *chi2, double *p, const double *counts,
                    const double *shares, size_t k);
/* Visitors per variant of the two-proportion sample-size formula (not
 * rounded). */
double b2b2c__exp_sample_size(double p1, double p2, double alpha,
                              double power);

#endif
