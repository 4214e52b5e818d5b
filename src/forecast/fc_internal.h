/* Forecast engine internals: special functions, optimizer, model kernels.
 * Not installed; tests reach these through the static library. */
#ifndef B2B2C_FC_INTERNAL_H
#define B2B2C_FC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* ---- special functions (specfun.c) ------------------------------------ */

/* log Gamma(x) for x > 0 (NaN otherwise). Thread-safe: no signgam.
 * Absolute error about 1e-15 near the zeros at 1 and 2, relative error
 * about 1e-15 elsewhere. */
double b2b2c__lgamma(double x);
/* digamma psi(x) = d/dx log Gamma(x), x > 0. */
double b2b2c__digamma(double x);
/* log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), a, b > 0. */
double b2b2c__lbeta(double a, double b);
/* log(exp(a) + exp(b)) without overflow. */
double b2b2c__logaddexp(double a, double b);

/* Gauss hypergeometric 2F1(a, b; c; z) by its power series, for
 * 0 <= z < 1 and a, b, c > 0 (the region the BG/NBD expectations need;
 * see specfun.c). `d` (optional) receives the derivatives with respect to
 * a, b, c and z. Returns 0, B2B2C_ERANGE when the arguments are outside
 * the region, or B2B2C_ENOCONVERGE when the series needs more than
 * B2B2C__HYP2F1_MAX_TERMS terms (z above about 0.9996). */
#define B2B2C__HYP2F1_MAX_TERMS 100000
int b2b2c__hyp2f1(double a, double b, double c, double z, double *val,
                  double d[4]);

/* log 2F1(a, b; a+1; z), the function of the Pareto/NBD likelihood, for
 * a > 0, 0 < b < a + 1, 0 <= z < 1, in bounded work for every such
 * argument: Euler's transformation and a series of at most
 * B2B2C__HYP2F1_A1_MAX_TERMS terms for z < 0.9, above that 200 terms of
 * it or an integral by Gauss-Legendre quadrature of at most 384 nodes
 * (specfun.c). `dl` (optional) receives d log 2F1 / d(a, b, z), where
 * d/da moves c = a + 1 with a. Relative accuracy 1e-12 in the value (1e-11
 * at a ~ 0.01 with 1 - z ~ 1e-12)
 * (tested against mpmath in test_forecast_pnbd.c). Returns 0,
 * B2B2C_ERANGE (arguments outside the region, or a result that is not
 * finite) or B2B2C_ENOCONVERGE (a cap reached; not seen in tests). */
#define B2B2C__HYP2F1_A1_MAX_TERMS 600
int b2b2c__lhyp2f1_a1(double a, double b, double z, double *lf,
                      double dl[3]);

/* ---- optimizer (optim.c) ---------------------------------------------- */

#define B2B2C__OPT_MAXDIM 8

/* Objective: f and its gradient at theta; returns 0, or non-zero when f is
 * not finite there (the line search then steps back). */
typedef int (*b2b2c__objfn)(void *ud, const double *theta, double *f,
                            double *g);

/* BFGS with a strong-Wolfe line search (Nocedal & Wright 2006, alg. 6.1,
 * 3.5, 3.6). theta (dim <= 8) is the start on entry and the best point on
 * return. Returns 0 when an answer was produced (converged or not: see
 * *converged), -1 when f is not finite at the start. */
int b2b2c__bfgs(double *theta, int dim, b2b2c__objfn fn, void *ud,
                int maxit, double gtol, double *fmin, int32_t *iterations,
                int32_t *converged);

#endif
