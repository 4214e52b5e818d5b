/* SPDX-License-Identifier: MIT */
/* A/B experiments: the statistics. Every formula cites its source here and
 * in docs/experiments.md. */
#include <math.h>

#include "exp_int.h"

/* ---- frequentist ------------------------------------------------------------ */

void b2b2c__exp_ztest(double *z, double *p, double *lo, double *hi,
                      int64_t na, int64_t xa, int64_t nb, int64_t xb,
                      double alpha)
{
    double pa = (double)xa / (double)na, pb = (double)xb / (double)nb;
    double d = pb - pa, pool = (double)(xa + xb) / (double)(na + nb);
    /* The test: pooled standard error under H0 pA = pB,
     *     z = (pB - pA) / sqrt(pbar qbar (1/nA + 1/nB)),
     * whose square is Pearson's X^2 of the 2x2 table (Fleiss, Levin & Paik
     * 2003, Statistical Methods for Rates and Proportions, 3rd ed., ch. 2,
     * "the comparison of two proportions"). */
    double se0 = sqrt(pool * (1.0 - pool) * (1.0 / (double)na +
                                             1.0 / (double)nb));
    /* The interval: unpooled (Wald) standard error, Newcombe 1998,
     * "Interval estimation for the difference between independent
     * proportions", Stat. Med. 17:873-890, method 1. */
    double se1 = sqrt(pa * (1.0 - pa) / (double)na +
                      pb * (1.0 - pb) / (double)nb);
    double zc = -b2b2c__norm_ppf(0.5 * alpha);

    *z = se0 > 0.0 ? d / se0 : 0.0;
    *p = se0 > 0.0 ? 2.0 * b2b2c__norm_sf(fabs(*z)) : 1.0;
    *lo = d - zc * se1;
    *hi = d + zc * se1;
}

/* ---- sequential ------------------------------------------------------------ */

/*
 * Johari, Pekelis & Walsh, "Always valid inference: continuous monitoring
 * of A/B tests", Operations Research 70(3), 2022 (arXiv:1512.04922), sec.
 * 3 and 4: the mixture SPRT of H0: theta = 0 for a normal estimate
 * theta_hat ~ N(theta, v) with mixing distribution theta ~ N(0, tau2) has
 * the likelihood ratio
 *     Lambda = sqrt(v / (v + tau2)) exp(tau2 theta_hat^2 / (2 v (v + tau2)))
 * (their two-stream formula with v = 2 sigma^2 / n, written for unequal
 * arms); the always-valid p-value is p_n = min(p_{n-1}, 1 / Lambda_n).
 * Here theta = pB - pA and v is its variance under H0, with the pooled
 * rate (the variance of the null being tested; it stays positive when one
 * arm has no conversion yet).
 */
double b2b2c__exp_msprt_llr(int64_t na, int64_t xa, int64_t nb, int64_t xb,
                            double tau2)
{
    double pa, pb, d, pool, v;
    if (na <= 0 || nb <= 0)
        return 0.0;
    pa = (double)xa / (double)na;
    pb = (double)xb / (double)nb;
    d = pb - pa;
    pool = (double)(xa + xb) / (double)(na + nb);
    v = pool * (1.0 - pool) * (1.0 / (double)na + 1.0 / (double)nb);
    if (!(v > 0.0))
        return 0.0;
    return 0.5 * log(v / (v + tau2)) + tau2 * d * d / (2.0 * v * (v + tau2));
}

/* ---- Bayesian ----------------------------------------------------------------- */

/*
 * Evan Miller, "Formulas for Bayesian A/B testing" (2015), first formula:
 *     P(pB > pA) = sum_{i=0}^{aB-1} B(aA + i, bA + bB) /
 *                  ((bB + i) B(1 + i, bB) B(aA, bA))
 * for whole aB. Term i+1 over term i is
 *     (aA + i)(bB + i) / ((aA + bA + bB + i)(1 + i))
 * (B(x + 1, y) = B(x, y) x / (x + y)), so the sum costs one multiply a
 * term; it is kept scaled to stay in range.
 */
static double miller_sum(double aa, double ba, double ab, double bb)
{
    double lt0 = b2b2c__lbeta(aa, ba + bb) - b2b2c__lbeta(aa, ba);
    double t = 1.0, s = 0.0, off = lt0;
    long n = (long)ab;
    for (long i = 0; i < n; i++) {
        double di = (double)i;
        s += t;
        t *= (aa + di) * (bb + di) / ((aa + ba + bb + di) * (1.0 + di));
        if (t > 1e250) {
            t *= 1e-250;
            s *= 1e-250;
            off += 250.0 * 2.30258509299404568402;
        }
    }
    return s > 0.0 ? exp(off + log(s)) : 0.0;
}

double b2b2c__exp_prob_b_beats_a(double aa, double ba, double ab, double bb)
{
    double p;
    /* the shorter sum: P(B > A) = 1 - P(A > B) (ties have probability 0) */
    if (ab <= aa)
        p = miller_sum(aa, ba, ab, bb);
    else
        p = 1.0 - miller_sum(ab, bb, aa, ba);
    return p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
}

/* log of the Beta(a, b) density at x given log x and log(1 - x). */
static double beta_logpdf(double a, double b, double lbab, double lx,
                          double l1x)
{
    double r = -lbab;
    if (a != 1.0)
        r += (a - 1.0) * lx;
    if (b != 1.0)
        r += (b - 1.0) * l1x;
    return r;
}

/* Posteriors farther than this many standard deviations from their mean
 * count as zero (the integrand is below 1e-30 there for any posterior
 * with a few conversions; Beta tails with a or b near 1 are heavier, see
 * docs/experiments.md). */
#define EXP_K_SD 40.0
/* Grid step: the narrowest posterior's sd over this. */
#define EXP_STEPS_PER_SD 4.0
/* Most grid cells x relevant variants (the grid is coarsened beyond). */
#define EXP_GRID_WORK ((size_t)1 << 22)

/* 4-point Gauss-Legendre nodes and weights on [0, 1] (Abramowitz & Stegun
 * table 25.4, mapped from [-1, 1]). */
static const double GL_X[4] = {0.06943184420297371, 0.33000947820757187,
                               0.66999052179242813, 0.93056815579702629};
static const double GL_W[4] = {0.17392742256872693, 0.32607257743127307,
                               0.32607257743127307, 0.17392742256872693};

/*
 * P(best) and expected loss of k independent Beta posteriors:
 *     P(i best) = int f_i(x) prod_{j != i} F_j(x) dx
 *     E[max]    = int_0^1 (1 - prod_j F_j(x)) dx,  loss_i = E[max] - E[p_i]
 * (the order statistics of independent variables: David & Nagaraja 2003,
 * Order Statistics, 3rd ed., eq. 2.1.1 for the CDF of the maximum; the
 * expectation of a [0, 1] variable as the integral of its survival
 * function). One sweep over a uniform grid on [L, U], where L is the
 * second largest "mean - 40 sd" (below it two posteriors are both ~0, so
 * no variant can be best) and U the largest "mean + 40 sd": the outer
 * integrals by the trapezoidal rule, exponentially accurate for smooth
 * integrands that vanish at both ends (Trefethen & Weideman 2014, "The
 * exponentially convergent trapezoidal rule", SIAM Review 56(3), sec. 5),
 * and each F_j carried from one node to the next by 4-point
 * Gauss-Legendre on f_j, from F_j(L) = I_L(a_j, b_j).
 */
static int pbest_grid(double *pbest, double *loss, const b2b2c__alloc *mem,
                      const double *a, const double *b, size_t k)
{
    double L = -1.0, L2 = -1.0, U = 0.0, smin = INFINITY, h, emax;
    size_t nr = 0, G;
    size_t *rel;
    double *F, *lb, *pre, *fx;

    for (size_t i = 0; i < k; i++) {
        double m = a[i] / (a[i] + b[i]);
        double s = sqrt(a[i] * b[i] / ((a[i] + b[i]) * (a[i] + b[i]) *
                                       (a[i] + b[i] + 1.0)));
        double lo = fmax(0.0, m - EXP_K_SD * s), hi = fmin(1.0, m + EXP_K_SD * s);
        if (lo > L) {
            L2 = L;
            L = lo;
        } else if (lo > L2) {
            L2 = lo;
        }
        if (hi > U)
            U = hi;
    }
    L = L2 < 0.0 ? 0.0 : L2;

    rel = b2b2c__amalloc(mem, k * sizeof(*rel));
    F = b2b2c__amalloc(mem, 4 * k * sizeof(*F));
    if (!rel || !F) {
        b2b2c__afree(mem, rel);
        b2b2c__afree(mem, F);
        return B2B2C_ENOMEM;
    }
    lb = F + k;
    pre = lb + k;
    fx = pre + k;
    for (size_t i = 0; i < k; i++) {
        double m = a[i] / (a[i] + b[i]);
        double s = sqrt(a[i] * b[i] / ((a[i] + b[i]) * (a[i] + b[i]) *
                                       (a[i] + b[i] + 1.0)));
        pbest[i] = 0.0;
        if (fmin(1.0, m + EXP_K_SD * s) <= L)
            continue; /* F = 1 on [L, U]: never best */
        rel[nr++] = i;
        if (s < smin)
            smin = s;
    }
    G = (size_t)ceil((U - L) / (smin / EXP_STEPS_PER_SD));
    if (G < 16)
        G = 16;
    if (G > EXP_GRID_WORK / nr)
        G = EXP_GRID_WORK / nr;
    h = (U - L) / (double)G;
    for (size_t r = 0; r < nr; r++) {
        size_t i = rel[r];
        lb[r] = b2b2c__lbeta(a[i], b[i]);
        F[r] = b2b2c__betainc(a[i], b[i], L);
    }

    emax = L;
    for (size_t g = 0; g <= G; g++) {
        double x = g == G ? U : L + (double)g * h;
        double w = (g == 0 || g == G) ? 0.5 * h : h;
        double lx = log(x), l1x = log1p(-x), suf = 1.0, all;
        for (size_t r = 0; r < nr; r++) {
            size_t i = rel[r];
            fx[r] = exp(beta_logpdf(a[i], b[i], lb[r], lx, l1x));
            pre[r] = r ? pre[r - 1] * F[r - 1] : 1.0;
        }
        all = nr ? pre[nr - 1] * F[nr - 1] : 1.0;
        /* prod_{j != r} F_j = pre[r] (before r) x suf (after r) */
        for (size_t r = nr; r-- > 0;) {
            pbest[rel[r]] += w * fx[r] * pre[r] * suf;
            suf *= F[r];
        }
        emax += w * (1.0 - all);
        if (g == G)
            break;
        for (int q = 0; q < 4; q++) {
            double xq = x + GL_X[q] * h, lq = log(xq), l1q = log1p(-xq);
            for (size_t r = 0; r < nr; r++) {
                size_t i = rel[r];
                F[r] += h * GL_W[q] *
                        exp(beta_logpdf(a[i], b[i], lb[r], lq, l1q));
            }
        }
        for (size_t r = 0; r < nr; r++)
            if (F[r] > 1.0)
                F[r] = 1.0;
    }
    for (size_t i = 0; i < k; i++) {
        loss[i] = emax - a[i] / (a[i] + b[i]);
        if (loss[i] < 0.0)
            loss[i] = 0.0;
        if (pbest[i] > 1.0)
            pbest[i] = 1.0;
    }
    b2b2c__afree(mem, rel);
    b2b2c__afree(mem, F);
    return 0;
}

int b2b2c__exp_pbest(double *pbest, double *loss, const b2b2c__alloc *mem,
                     const double *a, const double *b, size_t k)
{
    int rc = pbest_grid(pbest, loss, mem, a, b, k);
    if (rc == 0 && k == 2) {
        pbest[1] = b2b2c__exp_prob_b_beats_a(a[0], b[0], a[1], b[1]);
        pbest[0] = 1.0 - pbest[1];
    }
    return rc;
}

/*
 * The ratio of two Beta posteriors by its log, taken as normal with the
 * exact mean and variance of the log of a Beta(a, b) variable,
 *     E[log p] = psi(a) - psi(a + b),  Var[log p] = psi'(a) - psi'(a + b)
 * (Johnson, Kotz & Balakrishnan 1995, Continuous Univariate Distributions
 * vol. 2, 2nd ed., ch. 25, eq. 25.17 and its variance), the log-normal
 * approximation of a ratio of proportions of Katz, Baptista, Azen & Pike
 * 1978, "Obtaining confidence intervals for the risk ratio in cohort
 * studies", Biometrics 34:469-474.
 */
void b2b2c__exp_uplift_ci(double *lo, double *hi, double aa, double ba,
                          double ab, double bb, double alpha)
{
    double mu = (b2b2c__digamma(ab) - b2b2c__digamma(ab + bb)) -
                (b2b2c__digamma(aa) - b2b2c__digamma(aa + ba));
    double var = b2b2c__trigamma(ab) - b2b2c__trigamma(ab + bb) +
                 b2b2c__trigamma(aa) - b2b2c__trigamma(aa + ba);
    double z = -b2b2c__norm_ppf(0.5 * alpha), sd = sqrt(var > 0 ? var : 0);
    *lo = expm1(mu - z * sd);
    *hi = expm1(mu + z * sd);
}

/* ---- sample ratio and sample size ----------------------------------------- */

/*
 * Pearson 1900, "On the criterion that a given system of deviations...",
 * Phil. Mag. 50:157-175: X^2 = sum (O_i - E_i)^2 / E_i, chi-square with
 * k - 1 degrees of freedom; its survival function at X^2 is
 * Q((k - 1) / 2, X^2 / 2) (DLMF 8.2.4 and 8.11, the chi-square CDF as a
 * regularized incomplete gamma).
 */
void b2b2c__exp_srm(double *chi2, double *p, const double *counts,
                    const double *shares, size_t k)
{
    double n = 0.0, w = 0.0, x2 = 0.0;
    for (size_t i = 0; i < k; i++) {
        n += counts[i];
        w += shares[i];
    }
    for (size_t i = 0; i < k; i++) {
        double e = n * shares[i] / w, d = counts[i] - e;
        x2 += d * d / e;
    }
    *chi2 = x2;
    *p = b2b2c__gammaq(0.5 * (double)(k - 1), 0.5 * x2);
}

/*
 * Fleiss, Levin & Paik 2003, Statistical Methods for Rates and
 * Proportions, 3rd ed., eq. 4.14 (without the continuity correction of
 * eq. 4.15):
 *     n = (z_{a/2} sqrt(2 pbar qbar) + z_b sqrt(p1 q1 + p2 q2))^2
 *         / (p2 - p1)^2,   pbar = (p1 + p2) / 2
 */
double b2b2c__exp_sample_size(double p1, double p2, double alpha,
                              double power)
{
    double za = -b2b2c__norm_ppf(0.5 * alpha), zb = b2b2c__norm_ppf(power);
    double pbar = 0.5 * (p1 + p2), d = p2 - p1;
    double t = za * sqrt(2.0 * pbar * (1.0 - pbar)) +
               zb * sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
    return t * t / (d * d);
}
