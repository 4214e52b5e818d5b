/* SPDX-License-Identifier: MIT */
/* Forecast engine internals: optimizer, model kernels (the special
 * functions are in core). Not installed; tests reach these through the
 * static library. */
#ifndef B2B2C_FC_INTERNAL_H
#define B2B2C_FC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* The special functions (b2b2c__lgamma, b2b2c__hyp2f1,
 * b2b2c__lhyp2f1_a1, ...) are in core: internal.h. */

/* ---- argument checks of the stateless API (forecast.c) ------------------- */

/* B2B2C_EINVAL naming `model` unless it is a known model (Gamma-Gamma only
 * when allow_gg). */
int b2b2c__fc_check_model(b2b2c_ctx *ctx, int32_t model, int allow_gg);
/* B2B2C_EINVAL / ERANGE naming the parameter unless p holds the model's
 * parameters, each finite and in (0, 1e12]. */
int b2b2c__fc_check_params(b2b2c_ctx *ctx, int32_t model, const double *p,
                           size_t np);

/* ---- optimizer (optim.c) ---------------------------------------------- */

#define B2B2C__OPT_MAXDIM 8

/* Objective: f and its gradient at theta; returns 0, a positive value when
 * f is not finite there (the line search then steps back), or a negative
 * code to stop the optimizer at once (b2b2c__bfgs returns that code). */
typedef int (*b2b2c__objfn)(void *ud, const double *theta, double *f,
                            double *g);

/* Early stop for a fit whose optimum lies at a parameter's 0 or infinity
 * (B2B2C_FIT_BOUNDARY): there the objective creeps towards its limit
 * while the parameter runs off, each step costs more (the Pareto/NBD
 * likelihood needs the quadrature branch of b2b2c__lhyp2f1_a1 for every
 * row) and the last steps are lost in rounding. The optimizer stops when
 * beyond(ud, theta) is true (theta already past the caller's boundary
 * thresholds) and f has fallen by at most rtol |f| over the last `window`
 * iterations (1 <= window <= B2B2C__OPT_MAXWIN). A fit that stays inside
 * the thresholds never meets the rule and runs exactly as without it. */
#define B2B2C__OPT_MAXWIN 8

typedef struct b2b2c__bfgs_edge {
    int (*beyond)(void *ud, const double *theta);
    int window;
    double rtol;
} b2b2c__bfgs_edge;

/* BFGS with a strong-Wolfe line search (Nocedal & Wright 2006, alg. 6.1,
 * 3.5, 3.6). theta (dim <= 8) is the start on entry and the best point on
 * return. edge (may be NULL: no early stop) is the boundary rule above.
 * Returns 0 when an answer was produced (*status is then
 * B2B2C_FIT_CONVERGED, _MAX_ITER, _STALLED, or _BOUNDARY when the edge
 * rule stopped it; otherwise the boundary test on the final point is the
 * caller's, who knows the parameters' scales), 1 when f is not finite at
 * the start or edge is invalid, or the objective's negative code. end (may
 * be NULL) receives, on an answer, the gradient at the returned theta and
 * the inverse Hessian approximation, for b2b2c__newton_polish. */
typedef struct b2b2c__bfgs_end {
    double g[B2B2C__OPT_MAXDIM];                    /* gradient at theta */
    double H[B2B2C__OPT_MAXDIM][B2B2C__OPT_MAXDIM]; /* inverse Hessian */
    int h_valid; /* H holds curvature (not the identity of a restart) */
} b2b2c__bfgs_end;

int b2b2c__bfgs(double *theta, int dim, b2b2c__objfn fn, void *ud,
                int maxit, double gtol, const b2b2c__bfgs_edge *edge,
                double *fmin, int32_t *iterations, int32_t *status,
                b2b2c__bfgs_end *end);

/* Newton polish of a converged minimum (optim.c): BFGS stops anywhere its
 * gradient test holds, so two sums of the same data that round apart
 * (one process, or partitions added on a host) end up to 3e-7 apart on
 * a flat objective. From that point theta, quasi-Newton steps take either
 * to the optimum itself, known to the rounding of the gradient: with
 * end (b2b2c__bfgs's, at theta; may be NULL), from its gradient (no
 * evaluation) and, when it holds curvature, its inverse Hessian: full
 * steps -H g (Nocedal & Wright 2006, eq. 6.18, H updated by eq. 6.17
 * after each), each kept only when the largest gradient component falls,
 * until the next step is at most 1e-10 in every log-parameter: 1 to 3
 * evaluations of fn on the forecast fits, none when BFGS's last point is
 * already there. Otherwise (no end, no curvature, or 3 steps not enough)
 * Newton's step (N&W eq. 3.30) with a forward-difference Hessian of the
 * gradient (N&W eq. 8.7, step 1e-5 in the log-parameters): dim + 1
 * evaluations (dim + 2 without end), one more for a second step (taken
 * while the largest gradient component keeps falling below a tenth of
 * the previous one). Stops, keeping the last accepted point, when the
 * Hessian is not positive definite, a step is not small (over 0.01 in a
 * log-parameter: not the quadratic neighbourhood) or the gradient does
 * not fall. Returns 0, or the objective's negative code. */
int b2b2c__newton_polish(double *theta, int dim, b2b2c__objfn fn, void *ud,
                         const b2b2c__bfgs_end *end);

#endif
