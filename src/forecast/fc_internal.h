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
 * 0 <= z < 1 and a, b, c > 0 (the region every model here needs; see
 * specfun.c). `d` (optional) receives the derivatives with respect to
 * a, b, c and z. Returns 0, or -1 when the series did not converge within
 * its term budget or the arguments are outside the region. */
int b2b2c__hyp2f1(double a, double b, double c, double z, double *val,
                  double d[4]);

/* ---- optimizer (optim.c) ---------------------------------------------- */

#define B2B2C__OPT_MAXDIM 8

/* Objective: f and its gradient at theta; returns 0, a positive value when
 * f is not finite there (the line search then steps back), or a negative
 * code to stop the optimizer at once (b2b2c__bfgs returns that code). */
typedef int (*b2b2c__objfn)(void *ud, const double *theta, double *f,
                            double *g);

/* BFGS with a strong-Wolfe line search (Nocedal & Wright 2006, alg. 6.1,
 * 3.5, 3.6). theta (dim <= 8) is the start on entry and the best point on
 * return. Returns 0 when an answer was produced (*status is then
 * B2B2C_FIT_CONVERGED, _MAX_ITER or _STALLED; the boundary test is the
 * caller's, who knows the parameters' scales), 1 when f is not finite at
 * the start, or the objective's negative code. */
int b2b2c__bfgs(double *theta, int dim, b2b2c__objfn fn, void *ud,
                int maxit, double gtol, double *fmin, int32_t *iterations,
                int32_t *status);

#endif
