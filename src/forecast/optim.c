/* SPDX-License-Identifier: MIT */
/*
 * BFGS quasi-Newton minimiser with a strong-Wolfe line search, for the
 * small (<= 8 parameters) smooth problems of the forecast models, fitted on
 * log-parameters. Nocedal & Wright, Numerical Optimization, 2nd ed. 2006:
 * BFGS update eq. 6.17, initial scaling eq. 6.20, line search alg. 3.5 with
 * zoom alg. 3.6 and cubic interpolation eq. 3.59; the polish of a converged
 * fit: quasi-Newton steps eq. 6.18, Newton's eq. 3.30 with the
 * forward-difference Hessian eq. 8.7. No allocation.
 */
#include <math.h>
#include <string.h>

#include "b2b2c/forecast.h"
#include "fc_internal.h"

#define MAXD B2B2C__OPT_MAXDIM

typedef struct ls_ctx {
    b2b2c__objfn fn;
    void *ud;
    int dim;
    const double *x0, *p;
    double xt[MAXD], gt[MAXD];
    int evals;
    int stop; /* the objective's negative code: end the search at once */
} ls_ctx;

/* phi(alpha) = f(x0 + alpha p); returns 0 when finite. */
static int phi(ls_ctx *c, double alpha, double *f, double *dphi)
{
    double d = 0;
    int rc;
    for (int i = 0; i < c->dim; i++)
        c->xt[i] = c->x0[i] + alpha * c->p[i];
    c->evals++;
    rc = c->fn(c->ud, c->xt, f, c->gt);
    if (rc < 0)
        c->stop = rc;
    if (rc || !isfinite(*f))
        return -1;
    for (int i = 0; i < c->dim; i++) {
        if (!isfinite(c->gt[i]))
            return -1;
        d += c->gt[i] * c->p[i];
    }
    *dphi = d;
    return 0;
}

/* Minimiser of the cubic through (a, fa, da), (b, fb, db) (N&W eq. 3.59),
 * safeguarded into the middle of [a, b]. */
static double cubic(double a, double fa, double da, double b, double fb,
                    double db)
{
    double d1 = da + db - 3 * (fa - fb) / (a - b);
    double disc = d1 * d1 - da * db, lo, hi, x;
    lo = a < b ? a : b;
    hi = a < b ? b : a;
    if (disc < 0)
        return 0.5 * (a + b);
    {
        double d2 = (b > a ? 1 : -1) * sqrt(disc);
        x = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
    }
    if (!isfinite(x) || x < lo + 0.1 * (hi - lo) || x > hi - 0.1 * (hi - lo))
        x = 0.5 * (a + b);
    return x;
}

/* Strong Wolfe line search; on success xt/gt hold the accepted point. */
static int wolfe(ls_ctx *c, double f0, double d0, double *alpha_io,
                 double *fout)
{
    const double c1 = 1e-4, c2 = 0.9;
    double a_prev = 0, f_prev = f0, d_prev = d0;
    double a = *alpha_io, f, d;
    double lo, hi, flo, fhi, dlo, dhi;
    int i;

    for (i = 0; i < 40; i++) {
        if (phi(c, a, &f, &d)) { /* not finite: step back */
            if (c->stop)
                return -1;
            a = a_prev + 0.5 * (a - a_prev);
            if (a - a_prev < 1e-20)
                return -1;
            continue;
        }
        if (f > f0 + c1 * a * d0 || (i > 0 && f >= f_prev)) {
            lo = a_prev; flo = f_prev; dlo = d_prev;
            hi = a; fhi = f; dhi = d;
            goto zoom;
        }
        if (fabs(d) <= -c2 * d0) {
            *alpha_io = a;
            *fout = f;
            return 0;
        }
        if (d >= 0) {
            lo = a; flo = f; dlo = d;
            hi = a_prev; fhi = f_prev; dhi = d_prev;
            goto zoom;
        }
        a_prev = a; f_prev = f; d_prev = d;
        a *= 2.0;
    }
    return -1;
zoom:
    for (i = 0; i < 60; i++) {
        double aj = cubic(lo, flo, dlo, hi, fhi, dhi), fj, dj;
        if (phi(c, aj, &fj, &dj)) {
            if (c->stop)
                return -1;
            hi = aj; fhi = INFINITY; dhi = 0;
            /* cubic() falls back to bisection when fhi is not finite */
            continue;
        }
        if (fj > f0 + c1 * aj * d0 || fj >= flo) {
            hi = aj; fhi = fj; dhi = dj;
        } else {
            if (fabs(dj) <= -c2 * d0) {
                *alpha_io = aj;
                *fout = fj;
                return 0;
            }
            if (dj * (hi - lo) >= 0) {
                hi = lo; fhi = flo; dhi = dlo;
            }
            lo = aj; flo = fj; dlo = dj;
        }
        if (fabs(hi - lo) < 1e-16 * (1 + fabs(lo)))
            break;
    }
    /* accept the best sufficient-decrease point found, if any */
    if (lo > 0 && flo < f0) {
        if (phi(c, lo, &flo, &dlo) == 0) {
            *alpha_io = lo;
            *fout = flo;
            return 0;
        }
    }
    return -1;
}

/* BFGS's update (N&W eq. 6.17) of the inverse Hessian H with the step s
 * and the gradient change y; H unchanged when the curvature s'y is not
 * positive: H+ = (I - rho s y')H(I - rho y s') + rho s s', rho = 1/s'y. */
static void bfgs_update(double H[MAXD][MAXD], const double *s,
                        const double *y, int dim)
{
    double Hy[MAXD], sy = 0, yHy = 0, rho;
    for (int i = 0; i < dim; i++)
        sy += s[i] * y[i];
    if (!(sy > 1e-300))
        return;
    rho = 1.0 / sy;
    for (int i = 0; i < dim; i++) {
        Hy[i] = 0;
        for (int j = 0; j < dim; j++)
            Hy[i] += H[i][j] * y[j];
        yHy += y[i] * Hy[i];
    }
    for (int i = 0; i < dim; i++)
        for (int j = 0; j < dim; j++)
            H[i][j] += -rho * (Hy[i] * s[j] + s[i] * Hy[j]) +
                       (rho * rho * yHy + rho) * s[i] * s[j];
}

/* The edge rule (fc_internal.h): f_hist holds f at the start of the last
 * window + 1 iterations, f_hist[it % (window + 1)] the current one. */
static int at_edge(const b2b2c__bfgs_edge *edge, void *ud,
                   const double *theta, const double *f_hist, int it)
{
    int k = edge->window;
    double f;
    if (it < k)
        return 0;
    f = f_hist[it % (k + 1)];
    return f_hist[(it - k) % (k + 1)] - f <= edge->rtol * fabs(f) &&
           edge->beyond(ud, theta);
}

int b2b2c__bfgs(double *theta, int dim, b2b2c__objfn fn, void *ud,
                int maxit, double gtol, const b2b2c__bfgs_edge *edge,
                double *fmin, int32_t *iterations, int32_t *status,
                b2b2c__bfgs_end *end)
{
    double H[MAXD][MAXD], g[MAXD], p[MAXD], s[MAXD], y[MAXD], f;
    double f_hist[B2B2C__OPT_MAXWIN + 1];
    ls_ctx c;
    int it, conv = 0, stalled = 0, edged = 0, first = 1, rc;

    if (dim < 1 || dim > MAXD)
        return 1;
    if (edge && (!edge->beyond || edge->window < 1 ||
                 edge->window > B2B2C__OPT_MAXWIN || !(edge->rtol >= 0)))
        return 1;
    rc = fn(ud, theta, &f, g);
    if (rc < 0)
        return rc;
    if (rc || !isfinite(f))
        return 1;
    memset(H, 0, sizeof(H));
    for (int i = 0; i < dim; i++)
        H[i][i] = 1.0;
    c.fn = fn;
    c.ud = ud;
    c.dim = dim;
    c.evals = 0;
    c.stop = 0;
    for (it = 0; it < maxit; it++) {
        double gmax = 0, d0 = 0, alpha, fnew, sy;
        for (int i = 0; i < dim; i++)
            if (fabs(g[i]) > gmax)
                gmax = fabs(g[i]);
        if (gmax <= gtol) {
            conv = 1;
            break;
        }
        if (edge) {
            f_hist[it % (edge->window + 1)] = f;
            if (at_edge(edge, ud, theta, f_hist, it)) {
                edged = 1;
                break;
            }
        }
        for (int i = 0; i < dim; i++) {
            p[i] = 0;
            for (int j = 0; j < dim; j++)
                p[i] -= H[i][j] * g[j];
            d0 += p[i] * g[i];
        }
        if (!(d0 < 0)) { /* lost descent: restart from steepest descent */
            memset(H, 0, sizeof(H));
            d0 = 0;
            for (int i = 0; i < dim; i++) {
                H[i][i] = 1.0;
                p[i] = -g[i];
                d0 -= g[i] * g[i];
            }
            first = 1;
        }
        alpha = 1.0;
        if (first) { /* keep the first trial step moderate */
            double pn = 0;
            for (int i = 0; i < dim; i++)
                pn += p[i] * p[i];
            pn = sqrt(pn);
            if (pn > 1.0)
                alpha = 1.0 / pn;
        }
        c.x0 = theta;
        c.p = p;
        if (wolfe(&c, f, d0, &alpha, &fnew)) {
            if (c.stop)
                return c.stop;
            if (!first) { /* retry once from steepest descent */
                memset(H, 0, sizeof(H));
                for (int i = 0; i < dim; i++)
                    H[i][i] = 1.0;
                first = 1;
                continue;
            }
            /* no further decrease is measurable: converged when the
             * gradient is already small relative to rounding in f */
            conv = gmax <= 1e3 * gtol;
            stalled = !conv;
            break;
        }
        sy = 0;
        for (int i = 0; i < dim; i++) {
            s[i] = c.xt[i] - theta[i];
            y[i] = c.gt[i] - g[i];
            sy += s[i] * y[i];
        }
        {
            double df = f - fnew;
            memcpy(theta, c.xt, sizeof(double) * (size_t)dim);
            memcpy(g, c.gt, sizeof(double) * (size_t)dim);
            f = fnew;
            if (df >= 0 && df <= 1e-15 * (fabs(f) + 1e-300)) {
                double gm = 0;
                for (int i = 0; i < dim; i++)
                    if (fabs(g[i]) > gm)
                        gm = fabs(g[i]);
                if (gm <= gtol * 1e3) { /* flat at rounding level */
                    conv = 1;
                    it++;
                    break;
                }
            }
        }
        if (sy <= 1e-300)
            continue; /* curvature condition failed: skip the update */
        if (first) { /* N&W eq. 6.20 */
            double yy = 0;
            for (int i = 0; i < dim; i++)
                yy += y[i] * y[i];
            for (int i = 0; i < dim; i++)
                for (int j = 0; j < dim; j++)
                    H[i][j] = i == j ? sy / yy : 0.0;
            first = 0;
        }
        bfgs_update(H, s, y, dim);
    }
    *fmin = f;
    *iterations = it;
    if (end) { /* g is the gradient at theta on every way out */
        memcpy(end->g, g, sizeof(double) * (size_t)dim);
        memcpy(end->H, H, sizeof(H));
        end->h_valid = !first;
    }
    *status = conv      ? B2B2C_FIT_CONVERGED
              : edged   ? B2B2C_FIT_BOUNDARY
              : stalled ? B2B2C_FIT_STALLED
                        : B2B2C_FIT_MAX_ITER;
    return 0;
}

/* Cholesky factor of the symmetric A (dim x dim) into L (lower); 0, or -1
 * when A is not positive definite. */
static int cholesky(double L[MAXD][MAXD], double A[MAXD][MAXD], int dim)
{
    for (int j = 0; j < dim; j++) {
        double s = A[j][j];
        for (int k = 0; k < j; k++)
            s -= L[j][k] * L[j][k];
        if (!(s > 0) || !isfinite(s))
            return -1;
        L[j][j] = sqrt(s);
        for (int i = j + 1; i < dim; i++) {
            double t = A[i][j];
            for (int k = 0; k < j; k++)
                t -= L[i][k] * L[j][k];
            L[i][j] = t / L[j][j];
        }
    }
    return 0;
}

/* d = -(L L')^-1 g */
static void newton_dir(double *d, double L[MAXD][MAXD], const double *g,
                       int dim)
{
    double z[MAXD];
    for (int i = 0; i < dim; i++) {
        double t = -g[i];
        for (int k = 0; k < i; k++)
            t -= L[i][k] * z[k];
        z[i] = t / L[i][i];
    }
    for (int i = dim - 1; i >= 0; i--) {
        double t = z[i];
        for (int k = i + 1; k < dim; k++)
            t -= L[k][i] * d[k];
        d[i] = t / L[i][i];
    }
}

/* The largest |v[i]|, NaN when one is NaN (so that a NaN gradient entry
 * never passes for a fall of the gradient). */
static double max_abs(const double *v, int dim)
{
    double m = 0;
    for (int i = 0; i < dim; i++) {
        double a = fabs(v[i]);
        if (a > m || a != a)
            m = a;
        if (m != m)
            break;
    }
    return m;
}


/* Quasi-Newton steps from theta, where the gradient is g (largest
 * component *gmax), with BFGS's inverse Hessian H: the full step
 * d = -H g (N&W eq. 6.18 with alpha = 1; near the minimum, where BFGS
 * converges superlinearly, N&W thm. 6.6, the unit step is accepted,
 * thm. 3.6), kept only when the largest gradient component falls, then
 * H updated by eq. 6.17 with that step. Done (returns 1) once the next
 * step -H g, the estimate of theta's distance to the optimum, is at most
 * QN_DONE in every log-parameter (1e-10 relative in every parameter: two
 * orders of magnitude inside the 1e-8 that one-process and summed fits
 * must agree to; on the test data they end 1e-10 apart at most). At
 * most `steps` evaluations of fn. Returns 0 when not done (theta, g,
 * *gmax the last accepted point), or the objective's negative code. */
#define QN_DONE 1e-10
static int quasi_newton(double *theta, double *g, double *gmax,
                        double H[MAXD][MAXD], int steps, int dim,
                        b2b2c__objfn fn, void *ud)
{
    double x[MAXD], gx[MAXD], d[MAXD], f, gn;
    int rc;
    for (int step = 0;; step++) {
        for (int i = 0; i < dim; i++) {
            d[i] = 0;
            for (int j = 0; j < dim; j++)
                d[i] -= H[i][j] * g[j];
        }
        if (max_abs(d, dim) <= QN_DONE)
            return 1;
        if (step == steps || !(max_abs(d, dim) <= 1e-2))
            return 0;
        for (int i = 0; i < dim; i++)
            x[i] = theta[i] + d[i];
        rc = fn(ud, x, &f, gx);
        if (rc < 0)
            return rc;
        if (rc || !isfinite(f) || !((gn = max_abs(gx, dim)) < *gmax))
            return 0;
        for (int i = 0; i < dim; i++)
            g[i] = gx[i] - g[i]; /* y, for the update */
        bfgs_update(H, d, g, dim);
        memcpy(theta, x, sizeof(double) * (size_t)dim);
        memcpy(g, gx, sizeof(double) * (size_t)dim);
        *gmax = gn;
    }
}

int b2b2c__newton_polish(double *theta, int dim, b2b2c__objfn fn, void *ud,
                         const b2b2c__bfgs_end *end)
{
    const double h = 1e-5;
    double H[MAXD][MAXD], L[MAXD][MAXD], g[MAXD], gj[MAXD], x[MAXD];
    double d[MAXD], f, gmax;
    int rc;

    if (dim < 1 || dim > MAXD)
        return 0;
    if (end) { /* BFGS's own gradient at theta: no evaluation */
        memcpy(g, end->g, sizeof(double) * (size_t)dim);
        if (!isfinite(gmax = max_abs(g, dim)))
            return 0;
        if (end->h_valid) {
            /* first BFGS's own inverse Hessian: no evaluation for it */
            memcpy(H, end->H, sizeof(H));
            rc = quasi_newton(theta, g, &gmax, H, 3, dim, fn, ud);
            if (rc)
                return rc < 0 ? rc : 0;
        }
    } else {
        rc = fn(ud, theta, &f, g);
        if (rc < 0)
            return rc;
        if (rc || !isfinite(f) || !isfinite(gmax = max_abs(g, dim)))
            return 0;
    }
    /* N&W eq. 8.7: column j from the gradient at theta + h e_j */
    for (int j = 0; j < dim; j++) {
        memcpy(x, theta, sizeof(double) * (size_t)dim);
        x[j] += h;
        rc = fn(ud, x, &f, gj);
        if (rc < 0)
            return rc;
        if (rc || !isfinite(f))
            return 0;
        for (int i = 0; i < dim; i++)
            H[i][j] = (gj[i] - g[i]) / h;
    }
    for (int i = 0; i < dim; i++)
        for (int j = 0; j < i; j++)
            H[i][j] = H[j][i] = 0.5 * (H[i][j] + H[j][i]);
    if (cholesky(L, H, dim))
        return 0;
    /* N&W eq. 3.30, the Hessian kept for a second step */
    for (int step = 0; step < 2; step++) {
        double gn;
        newton_dir(d, L, g, dim);
        if (!(max_abs(d, dim) <= 1e-2))
            return 0;
        for (int i = 0; i < dim; i++)
            x[i] = theta[i] + d[i];
        rc = fn(ud, x, &f, gj);
        if (rc < 0)
            return rc;
        if (rc || !isfinite(f) || !((gn = max_abs(gj, dim)) < gmax))
            return 0;
        memcpy(theta, x, sizeof(double) * (size_t)dim);
        memcpy(g, gj, sizeof(double) * (size_t)dim);
        if (!(gn < 0.1 * gmax))
            return 0;
        gmax = gn;
    }
    return 0;
}
