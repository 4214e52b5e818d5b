/* SPDX-License-Identifier: MIT */
/*
 * Special functions for the forecast models and the dealer's Beta
 * quantiles, written here so the library needs nothing beyond libm's
 * elementary functions and stays thread-safe (glibc's lgamma writes the
 * global signgam; lgamma_r is not POSIX). tests/abi/check-reentrant.sh
 * keeps libm's lgamma out of the library.
 *
 * log-Gamma and digamma: shift the argument up to >= 10 with the
 * recurrences Gamma(x+1) = x Gamma(x), psi(x+1) = psi(x) + 1/x, then the
 * Stirling / de Moivre asymptotic series (Abramowitz & Stegun 1964, 6.1.41
 * and 6.3.18). Accuracy against mpmath is tested in test_forecast.c.
 */
#include <math.h>

#include "internal.h"

static const double LN_SQRT_2PI = 0.91893853320467274178032973640562;

double b2b2c__lgamma(double x)
{
    double shift = 0.0, prod = 1.0, z2, s;
    int nprod = 0;

    if (!(x > 0.0) || isinf(x))
        return isinf(x) && x > 0 ? INFINITY : NAN;
    if (x < 1e-8) /* Gamma(x) = 1/x - euler + O(x) */
        return -log(x) - 0.57721566490153286061 * x;
    /* Shift up: log Gamma(x) = log Gamma(x+n) - log(x (x+1) ... (x+n-1)),
     * the product flushed into a log every 8 factors. Near the zeros at 1
     * and 2 this keeps absolute (not relative) accuracy, which is what a
     * log-likelihood needs. */
    while (x < 10.0) {
        prod *= x;
        x += 1.0;
        if (++nprod == 8 || prod > 1e250) {
            shift += log(prod);
            prod = 1.0;
            nprod = 0;
        }
    }
    shift += log(prod);
    /* A&S 6.1.41: log Gamma(x) = (x-1/2) log x - x + log sqrt(2 pi)
     * + 1/(12x) - 1/(360x^3) + 1/(1260x^5) - 1/(1680x^7) + ... */
    z2 = 1.0 / (x * x);
    s = (1.0 / 12.0 -
         z2 * (1.0 / 360.0 -
               z2 * (1.0 / 1260.0 -
                     z2 * (1.0 / 1680.0 -
                           z2 * (1.0 / 1188.0 -
                                 z2 * (691.0 / 360360.0 -
                                       z2 * (1.0 / 156.0)))))) ) / x;
    return (x - 0.5) * log(x) - x + LN_SQRT_2PI + s - shift;
}

double b2b2c__digamma(double x)
{
    double acc = 0.0, z2;

    if (!(x > 0.0) || isinf(x))
        return isinf(x) && x > 0 ? INFINITY : NAN;
    if (x < 1e-8) /* psi(x) = -1/x - euler + O(x) */
        return -1.0 / x - 0.57721566490153286061;
    while (x < 10.0) {
        acc -= 1.0 / x;
        x += 1.0;
    }
    /* A&S 6.3.18: psi(x) = log x - 1/(2x) - sum B_2n / (2n x^2n) */
    z2 = 1.0 / (x * x);
    return acc + log(x) - 0.5 / x -
           z2 * (1.0 / 12.0 -
                 z2 * (1.0 / 120.0 -
                       z2 * (1.0 / 252.0 -
                             z2 * (1.0 / 240.0 -
                                   z2 * (1.0 / 132.0 -
                                         z2 * (691.0 / 32760.0 -
                                               z2 / 12.0))))));
}

double b2b2c__lbeta(double a, double b)
{
    return b2b2c__lgamma(a) + b2b2c__lgamma(b) - b2b2c__lgamma(a + b);
}

double b2b2c__logaddexp(double a, double b)
{
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/*
 * 2F1(a, b; c; z) = sum_k (a)_k (b)_k / ((c)_k k!) z^k  (A&S 15.1.1).
 *
 * Region: 0 <= z < 1 with a, b, c > 0, every term positive, as the BG/NBD
 * expectations need (Fader, Hardie & Lee 2005, eq. 7 and 10, with
 * z = t/(alpha+t)). The series converges like z^k k^(a+b-c-1) and needs
 * about 36/(-log z) terms for full precision; the work is capped at
 * B2B2C__HYP2F1_MAX_TERMS terms (z up to about 0.9996), beyond which the
 * call fails with B2B2C_ENOCONVERGE instead of spinning. (The Pareto/NBD
 * likelihood uses b2b2c__hyp2f1_a1 below, which has no such limit.) The
 * parameter derivatives come from d/da (a)_k = (a)_k sum_{j<k} 1/(a+j)
 * and d/dz z^k = k z^(k-1), summed in the same loop.
 */
int b2b2c__hyp2f1(double a, double b, double c, double z, double *val,
                  double d[4])
{
    double t = 1.0, sum = 1.0, sa = 0.0, sb = 0.0, sc = 0.0;
    double da = 0.0, db = 0.0, dc = 0.0, dz = 0.0;
    long k;
    const long budget = B2B2C__HYP2F1_MAX_TERMS;

    if (!(a > 0) || !(b > 0) || !(c > 0) || !(z >= 0) || !(z < 1))
        return B2B2C_ERANGE;
    for (k = 0; k < budget; k++) {
        double ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sa += 1.0 / (a + k);
        sb += 1.0 / (b + k);
        sc += 1.0 / (c + k);
        t *= ratio;
        sum += t;
        if (d) {
            da += t * sa;
            db += t * sb;
            dc -= t * sc;
            dz += t * (double)(k + 1);
        }
        /* terms are decreasing once ratio < 1; stop when the rest of the
         * geometric tail is below rounding */
        double rb = ratio > z ? ratio : z;
        if (rb < 1.0 && t * (1.0 + sa + sb + sc) * (double)(k + 2) <=
                            1e-17 * sum * (1.0 - rb))
            break;
        if (t == 0.0)
            break;
    }
    if (k >= budget || !isfinite(sum))
        return B2B2C_ENOCONVERGE;
    *val = sum;
    if (d) {
        d[0] = da;
        d[1] = db;
        d[2] = dc;
        d[3] = z > 0 ? dz / z : a * b / c;
    }
    return 0;
}

/* ---- 2F1(a, b; a+1; z), the Pareto/NBD case ---------------------------- */

/* Euler's transformation (A&S 15.3.3) with c = a + 1:
 *   2F1(a, b; a+1; z) = (1-z)^(1-b) 2F1(1, a+1-b; a+1; z),
 * whose series has ratio z (a+1-b+k)/(a+1+k) < z and positive terms (for
 * b < a + 1) whatever a is, so it needs at most about 37/(-log z) terms and
 * never the 2,000,000 the untransformed series needed at a = 5,600,
 * z = 0.99997. Returns B2B2C_ENOCONVERGE when `cap` terms are not enough. */
static int a1_series(double a, double b, double z, long cap, double *lf,
                     double dl[3])
{
    const double ap = a + 1 - b, c = a + 1;
    double t = 1, G = 1, Ga = 0, Gb = 0, Gz = 0, sa = 0, sb = 0;
    long k;

    for (k = 0; k < cap; k++) {
        /* term k+1 = term k * z (ap+k)/(c+k); d log(term)/d(a, b, z) */
        sb += 1 / (ap + k);
        sa += 1 / (ap + k) - 1 / (c + k);
        t *= z * (ap + k) / (c + k);
        G += t;
        Ga += t * sa;
        Gb -= t * sb;
        Gz += t * (double)(k + 1);
        /* the ratio rises towards z: the tail is below t z/(1-z), times
         * the slowly growing derivative weights */
        if (t * (1 + sb + (double)(k + 2)) <= 1e-17 * G * (1 - z) ||
            t == 0)
            break;
    }
    if (k >= cap)
        return B2B2C_ENOCONVERGE;
    *lf = (1 - b) * log1p(-z) + log(G);
    dl[0] = Ga / G;
    dl[1] = -log1p(-z) + Gb / G;
    dl[2] = (b - 1) / (1 - z) + (z > 0 ? Gz / z : (a + 1 - b) / (a + 1)) / G;
    return 0;
}

/* 16-point Gauss-Legendre rule on [-1, 1], positive nodes (A&S 25.4.30,
 * recomputed with mpmath to 21 digits). */
static const double GL_X[8] = {
    0.0950125098376374401853, 0.28160355077925891323,
    0.458016777657227386342,  0.617876244402643748447,
    0.755404408355003033895,  0.86563120238783174388,
    0.944575023073232576078,  0.989400934991649932596};
static const double GL_W[8] = {
    0.189450610455068496285,  0.182603415044923588867,
    0.169156519395002538189,  0.149595988816576732082,
    0.124628971255533872052,  0.0951585116824927848099,
    0.0622535239386478928628, 0.0271524594117540948518};

/* The integral below at node t: log of the integrand, its t-derivative,
 * and the derivatives of the log-integrand w.r.t. (a, b, z). */
typedef struct a1_q {
    double a, b, z, delta, ldelta;
} a1_q;

static double a1_psi(const a1_q *q, double t, double *dpsi, double g[3])
{
    /* one expm1 for e^t and v; 1 - D directly unless D is near 1 */
    const double em = expm1(t), Q = q->delta * (1 + em), v = q->delta * em;
    const double D = -expm1(-Q / q->a), lD = log(D);
    const double omD = D < 0.5 ? 1 - D : exp(-Q / q->a);
    if (dpsi)
        *dpsi = 1 - Q - q->b * Q * omD / (q->a * D);
    if (g) {
        g[0] = q->b * omD * v / (q->a * q->a * D);
        g[1] = -lD;
        g[2] = q->b * omD / (q->z * D);
    }
    return -v - q->b * lD + q->ldelta + t;
}

/* psi''(t) = -q - b y g'(y), y = q/a, g(y) = y/(e^y - 1) (for the Newton
 * steps below only). */
static double a1_psi2(const a1_q *q, double t)
{
    const double Q = q->delta * exp(t), y = Q / q->a;
    double gp;
    if (y < 1e-4) {
        gp = -0.5 + y / 6;
    } else {
        const double em = expm1(y);
        gp = isinf(em) ? 0 : (em - y * (1 + em)) / (em * em);
    }
    return -Q - q->b * y * gp;
}

/* f(t) = psi'(t) when level is NaN, else psi(t) - level. */
static double a1_f(const a1_q *q, double level, double t, double *fp)
{
    double d1, v = a1_psi(q, t, &d1, NULL);
    if (isnan(level)) {
        *fp = a1_psi2(q, t);
        return d1;
    }
    *fp = d1;
    return v - level;
}

/* A root of f between tp (f > 0) and tn (f < 0), either order: Newton
 * steps, bisection when a step leaves the bracket or shrinks it too slowly
 * (Numerical Recipes' rtsafe). For psi' it stops at |f| <= 1e-9 or a
 * bracket of 1e-6; for a level (the ends of the interval) at f in
 * [-4, 0], a drop a little past the level being as good. At most 100
 * steps, else B2B2C_ENOCONVERGE. */
static int a1_solve(const a1_q *q, double level, double tp, double tn,
                    double *out)
{
    const int deriv = isnan(level);
    double t = 0.5 * (tp + tn), dxold = fabs(tn - tp);
    for (int i = 0; i < 100; i++) {
        double fp, f = a1_f(q, level, t, &fp), nt;
        if (deriv ? fabs(f) <= 1e-9 || fabs(tn - tp) <= 1e-6 * (1 + fabs(t))
                  : f <= 0 && f >= -4) {
            *out = t;
            return 0;
        }
        if (f > 0)
            tp = t;
        else
            tn = t;
        nt = t - f / fp;
        if (!((nt - tp) * (nt - tn) < 0) || fabs(2 * f) > fabs(dxold * fp)) {
            nt = 0.5 * (tp + tn);
            dxold = fabs(tn - tp);
        } else {
            dxold = fabs(nt - t);
        }
        t = nt;
    }
    return B2B2C_ENOCONVERGE;
}

/* Step right from t0 by 1, 2, 4, ... until f < 0; B2B2C_ENOCONVERGE after
 * 64 doublings. */
static int a1_bracket(const a1_q *q, double level, double t0, double *tp,
                      double *tn)
{
    double step = 1, fp;
    *tp = t0;
    for (int i = 0; i < 64; i++, step *= 2) {
        if (a1_f(q, level, t0 + step, &fp) < 0) {
            *tn = t0 + step;
            return 0;
        }
        *tp = t0 + step;
    }
    return B2B2C_ENOCONVERGE;
}

/* Near z = 1 the integral representation (A&S 15.3.1 with c = a + 1,
 * u = exp(-v/a)):
 *   2F1(a, b; a+1; z) = a int_0^1 u^(a-1) (1 - z u)^-b du
 *                     = int_0^inf e^-v (1 - z e^(-v/a))^-b dv.
 * With q = v + delta, delta = -a log z, the factor is (1 - e^(-q/a))^-b,
 * singular only at q = 0 (outside the range) and q = 2 pi i k a, so in
 * t = log(q/delta) the integrand psi(t) = -v - b log(1 - e^(-q/a)) + log q
 * is analytic within pi/2 of the real axis and falls off like exp(-q).
 * Find its mode and the interval where psi is within 40 to 44 of the mode
 * (the rest weighs below 1e-17) by safeguarded Newton steps, and
 * integrate each side of the mode with panels of 16-point Gauss-Legendre,
 * one per 2.5 in t, at least 2 and at most 12 (a long side is a slow
 * linear fall ending in a cliff near q ~ 1, or for a < 1, b > 2a a dip and
 * a second rise before it, which 4 wide panels got only to 2e-10): at
 * most 384 nodes plus a few dozen evaluations whatever a, b and 1 - z.
 * psi''(t) <= -q (1 - b/(2a)), so psi is concave when b < 2a; otherwise
 * (a < 1) the mode search may stop at t = 0 before a dip and a second rise,
 * but the dip is shallower than the 40 that ends the interval, since
 * b - 1 < a < 1 and the fall before q ~ 1 spans t < log(1/delta) < 37.
 * Derivatives w.r.t. a, b, z are integrals of the same weights
 * (differentiation under the integral at fixed v). */
#define A1_DROP 40.0
#define A1_PANEL_WIDTH 2.5
#define A1_MAX_PANELS 12

/* Panels on a side of width w: one per 2.5 in t, at least 2, at most 12. */
static int a1_npanels(double w)
{
    const double n = ceil(w / A1_PANEL_WIDTH);
    return n < 2 ? 2 : n > A1_MAX_PANELS ? A1_MAX_PANELS : (int)n;
}

static int a1_quad(double a, double b, double z, double *lf, double dl[3])
{
    a1_q q = {a, b, z, -a * log(z), 0};
    double tm = 0, pm, tl = 0, th, dp, tp, tn, s0 = 0, s[3] = {0, 0, 0};
    int rc;

    if (!(q.delta > 0) || !isfinite(q.delta))
        return B2B2C_ERANGE;
    q.ldelta = log(q.delta);
    /* mode: psi' decreases through zero (see above when it is not) */
    (void)a1_psi(&q, 0, &dp, NULL);
    if (dp > 0 && ((rc = a1_bracket(&q, NAN, 0, &tp, &tn)) != 0 ||
                   (rc = a1_solve(&q, NAN, tp, tn, &tm)) != 0))
        return rc;
    pm = a1_psi(&q, tm, NULL, NULL);
    /* ends where psi has dropped by 40 (left: only when the mode is inside
     * and psi(0) is lower than that) */
    if (tm > 0 && a1_psi(&q, 0, NULL, NULL) < pm - A1_DROP &&
        (rc = a1_solve(&q, pm - A1_DROP, tm, 0, &tl)) != 0)
        return rc;
    if ((rc = a1_bracket(&q, pm - A1_DROP, tm, &tp, &tn)) != 0 ||
        (rc = a1_solve(&q, pm - A1_DROP, tp, tn, &th)) != 0)
        return rc;
    for (int side = 0; side < 2; side++) {
        const double u0 = side ? tm : tl, u1 = side ? th : tm;
        const int np = a1_npanels(u1 - u0);
        const double h = (u1 - u0) / np;
        if (!(u1 > u0))
            continue;
        for (int pnl = 0; pnl < np; pnl++) {
            const double mid = u0 + (pnl + 0.5) * h;
            for (int j = 0; j < 16; j++) {
                const double x = j < 8 ? -GL_X[j] : GL_X[j - 8];
                double g[3], e;
                e = GL_W[j & 7] * 0.5 * h *
                    exp(a1_psi(&q, mid + 0.5 * h * x, NULL, g) - pm);
                s0 += e;
                for (int m = 0; m < 3; m++)
                    s[m] += e * g[m];
            }
        }
    }
    if (!(s0 > 0) || !isfinite(s0))
        return B2B2C_ERANGE;
    *lf = pm + log(s0);
    for (int m = 0; m < 3; m++)
        dl[m] = s[m] / s0;
    return 0;
}

/* log 2F1(a, b; a+1; z) for a > 0, 0 < b < a + 1, 0 <= z < 1, and its
 * derivatives w.r.t. a (with c = a + 1 following it), b and z. */
int b2b2c__lhyp2f1_a1(double a, double b, double z, double *lf, double dl[3])
{
    double l, d[3];
    int rc;

    if (!(a > 0) || !(b > 0) || !(b < a + 1) || !(z >= 0) || !(z < 1) ||
        !isfinite(a))
        return B2B2C_ERANGE;
    /* z < 0.9: at most about 400 terms; above, try 200 (they suffice when
     * a + 1 - b is small against a + 1), then the quadrature */
    if (z < 0.9) {
        rc = a1_series(a, b, z, B2B2C__HYP2F1_A1_MAX_TERMS, &l, d);
    } else {
        /* the series ratio rises towards z: when even its 200th ratio
         * raised to the 200th power is above 1e-17 the series is not worth
         * trying */
        const double rho = z * (a + 201 - b) / (a + 201);
        rc = 200 * log(rho) < -39 ? a1_series(a, b, z, 200, &l, d)
                                  : B2B2C_ENOCONVERGE;
        if (rc == B2B2C_ENOCONVERGE)
            rc = a1_quad(a, b, z, &l, d);
    }
    if (rc)
        return rc;
    if (!isfinite(l) || !isfinite(d[0]) || !isfinite(d[1]) ||
        !isfinite(d[2]))
        return B2B2C_ERANGE;
    *lf = l;
    if (dl)
        for (int m = 0; m < 3; m++)
            dl[m] = d[m];
    return 0;
}

/* ---- trigamma, incomplete gamma, the normal distribution ---------------- */

double b2b2c__trigamma(double x)
{
    double r = 0.0, y, y2;
    if (!(x > 0.0))
        return NAN;
    /* psi'(x) = psi'(x + 1) + 1 / x^2: A&S 6.4.6 */
    while (x < 10.0) {
        r += 1.0 / (x * x);
        x += 1.0;
    }
    /* A&S 6.4.12: 1/x + 1/(2x^2) + sum B_2k / x^(2k+1) */
    y = 1.0 / x;
    y2 = y * y;
    return r + y + 0.5 * y2 +
           y * y2 *
               (1.0 / 6 -
                y2 * (1.0 / 30 - y2 * (1.0 / 42 - y2 * (1.0 / 30 -
                                                          y2 * 5.0 / 66))));
}

/* P(a, x) by its series, for x < a + 1: NR 3rd ed. eq. 6.2.5
 * (DLMF 8.7.1): e^-x x^a / Gamma(a + 1) sum_n x^n / ((a + 1)...(a + n)). */
static double gammap_series(double a, double x)
{
    double ap = a, del = 1.0 / a, sum = del;
    for (int n = 0; n < 100000; n++) {
        ap += 1.0;
        del *= x / ap;
        sum += del;
        if (fabs(del) < fabs(sum) * 1e-16)
            break;
    }
    return sum * exp(-x + a * log(x) - b2b2c__lgamma(a));
}

/* Q(a, x) by its continued fraction, for x >= a + 1: NR 3rd ed. eq. 6.2.7
 * (DLMF 8.9.2), modified Lentz (NR sec. 5.2). */
static double gammaq_cf(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a), del;
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        del = d * c;
        h *= del;
        if (fabs(del - 1.0) < 1e-16)
            break;
    }
    return exp(-x + a * log(x) - b2b2c__lgamma(a)) * h;
}

double b2b2c__gammaq(double a, double x)
{
    if (!(a > 0.0) || !(x >= 0.0))
        return NAN;
    if (x == 0.0)
        return 1.0;
    if (isinf(x))
        return 0.0;
    return x < a + 1.0 ? 1.0 - gammap_series(a, x) : gammaq_cf(a, x);
}

double b2b2c__norm_cdf(double x)
{
    return 0.5 * erfc(-x * 0.70710678118654752440);
}

double b2b2c__norm_sf(double x)
{
    return 0.5 * erfc(x * 0.70710678118654752440);
}

double b2b2c__norm_ppf(double p)
{
    double q, t, x;
    if (!(p > 0.0 && p < 1.0))
        return p == 0.0 ? -INFINITY : p == 1.0 ? INFINITY : NAN;
    /* the lower tail: x < 0 there, where Phi(x) = erfc(...) / 2 keeps
     * its relative accuracy */
    if (p > 0.5)
        return -b2b2c__norm_ppf(1.0 - p);
    q = p;
    /* A&S 26.2.23: |error| < 4.5e-4 */
    t = sqrt(-2.0 * log(q));
    x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                  (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
    /* Newton on Phi(x) = p; the start is close enough for quadratic
     * convergence: three steps reach the double's precision. */
    for (int i = 0; i < 4; i++) {
        double phi = exp(-0.5 * x * x) * 0.39894228040143267794;
        double step = (b2b2c__norm_cdf(x) - q) / phi;
        x -= step;
        if (fabs(step) <= 1e-16 * fabs(x))
            break;
    }
    return x;
}
