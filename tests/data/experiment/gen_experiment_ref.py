#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reference values for tests/unit/test_experiment.c, computed with scipy
(Debian's python3-scipy; only needed to regenerate, never by the build).

    /usr/bin/python3 tests/data/experiment/gen_experiment_ref.py \
        > tests/data/experiment/experiment_ref.txt

Each line: a kind, its inputs, then the expected values (space separated).
Every value is computed independently of the library's formulas where
scipy has the function (chi-square tests, incomplete gamma, normal
quantiles, Beta CDFs integrated by adaptive quadrature); where the method
is the formula itself (the uplift interval's log-normal approximation, the
sample size, the mixture SPRT) scipy supplies the special functions.
"""
import math
import sys

import numpy as np
from scipy import integrate, special, stats

out = sys.stdout


def w(kind, *vals):
    out.write(kind + " " + " ".join(repr(float(v)) if not isinstance(v, int)
                                    else str(v) for v in vals) + "\n")


def window(ab):
    """An interval holding every posterior's mass (40 sd, as the library)."""
    lo, hi = 1.0, 0.0
    for a, b in ab:
        m = a / (a + b)
        s = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        lo, hi = min(lo, max(0.0, m - 40 * s)), max(hi, min(1.0, m + 40 * s))
    return lo, hi


def quad(f, lo, hi):
    pts = np.linspace(lo, hi, 50)[1:-1]
    v, err = integrate.quad(f, lo, hi, points=pts, limit=2000,
                            epsabs=1e-14, epsrel=1e-12)
    return v


def pbest(ab):
    lo, hi = window(ab)
    res = []
    for i, (a, b) in enumerate(ab):
        def f(x, i=i, a=a, b=b):
            r = stats.beta.pdf(x, a, b)
            for j, (c, d) in enumerate(ab):
                if j != i:
                    r *= stats.beta.cdf(x, c, d)
            return r
        res.append(quad(f, lo, hi))
    return res


def emax(ab):
    lo, hi = window(ab)

    def g(x):
        r = 1.0
        for a, b in ab:
            r *= stats.beta.cdf(x, a, b)
        return 1.0 - r
    # below lo the product is 0 (integrand 1), above hi it is 1
    return lo + quad(g, lo, hi)


# special functions
for a, x in [(0.5, 0.1), (0.5, 3.0), (1.0, 1.0), (2.5, 10.0), (4.5, 2.0),
             (49.5, 60.0), (99.5, 80.0), (3.0, 0.0)]:
    w("gammaq", a, x, special.gammaincc(a, x))
for p in [1e-10, 0.001, 0.025, 0.05, 0.2, 0.5, 0.8, 0.975, 0.999]:
    w("ppf", p, stats.norm.ppf(p))
for x in [0.3, 1.0, 7.5, 12.0, 1234.5, 1e6]:
    w("trigamma", x, special.polygamma(1, x))

# P(B > A), the expected losses and the uplift interval of two posteriors
# (prior Beta(1, 1) + conversions x of n)
two = [(1 + 50, 1 + 950, 1 + 62, 1 + 938), (1 + 3, 1 + 97, 1 + 1, 1 + 99),
       (1 + 1200, 1 + 38800, 1 + 1290, 1 + 38710),
       (1 + 0, 1 + 10, 1 + 2, 1 + 8), (1 + 40, 1 + 60, 1 + 40, 1 + 60),
       (1 + 15000, 1 + 285000, 1 + 14800, 1 + 285200)]
for aa, ba, ab, bb in two:
    p = pbest([(aa, ba), (ab, bb)])
    # the reference of P(B > A) from the CDF form, also by quadrature
    w("pbest2", aa, ba, ab, bb, p[1])
    em = emax([(aa, ba), (ab, bb)])
    w("loss2", aa, ba, ab, bb, em - aa / (aa + ba), em - ab / (ab + bb))
    for alpha in (0.05, 0.1):
        mu = (special.digamma(ab) - special.digamma(ab + bb)) - \
             (special.digamma(aa) - special.digamma(aa + ba))
        var = special.polygamma(1, ab) - special.polygamma(1, ab + bb) + \
            special.polygamma(1, aa) - special.polygamma(1, aa + ba)
        z = stats.norm.ppf(1 - alpha / 2)
        w("uplift", aa, ba, ab, bb, alpha, math.expm1(mu - z * math.sqrt(var)),
          math.expm1(mu + z * math.sqrt(var)))

# P(best) and losses of three and four posteriors
for ab in [[(1 + 50, 1 + 950), (1 + 62, 1 + 938), (1 + 55, 1 + 945)],
           [(1 + 500, 1 + 9500), (1 + 520, 1 + 9480), (1 + 480, 1 + 9520),
            (1 + 510, 1 + 9490)],
           [(1 + 120, 1 + 880), (1 + 300, 1 + 2700), (1 + 11, 1 + 89)],
           # few visitors, one variant with no conversion (mass at 0)
           [(1 + 0, 1 + 10), (1 + 2, 1 + 8), (1 + 1, 1 + 11)]]:
    p = pbest(ab)
    em = emax(ab)
    flat = [v for pair in ab for v in pair]
    w("pbestk", len(ab), *flat, *p, *[em - a / (a + b) for a, b in ab])

# two-proportion z-test: the p-value from scipy's chi-square test of the
# 2x2 table (z^2 = X^2), the interval from the Wald formula
for na, xa, nb, xb, alpha in [(1000, 50, 1000, 62, 0.05),
                              (5000, 400, 4800, 350, 0.05),
                              (200, 10, 180, 20, 0.1),
                              (40000, 1200, 40000, 1290, 0.01)]:
    tab = np.array([[xa, na - xa], [xb, nb - xb]])
    chi2, pv, _, _ = stats.chi2_contingency(tab, correction=False)
    pa, pb = xa / na, xb / nb
    z = math.copysign(math.sqrt(chi2), pb - pa)
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    zc = stats.norm.ppf(1 - alpha / 2)
    w("ztest", na, xa, nb, xb, alpha, z, pv, pb - pa - zc * se,
      pb - pa + zc * se)

# sample-ratio mismatch: scipy's chi-square goodness of fit
for counts, shares in [([5000, 5100], [1, 1]), ([5000, 5400], [1, 1]),
                       ([3300, 3350, 3280], [1, 1, 1]),
                       ([9000, 1100], [0.9, 0.1]),
                       ([100, 120, 90, 130], [1, 1, 1, 1])]:
    exp = np.array(shares, float) / sum(shares) * sum(counts)
    chi2, pv = stats.chisquare(counts, exp)
    w("srm", len(counts), *counts, *shares, chi2, pv)

# sample size per variant (Fleiss, Levin & Paik 2003, eq. 4.14)
for base, mde, alpha, power in [(0.05, 0.1, 0.05, 0.8), (0.1, 0.2, 0.05, 0.9),
                                (0.02, -0.15, 0.01, 0.8),
                                (0.3, 0.05, 0.1, 0.95)]:
    p1, p2 = base, base * (1 + mde)
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    pbar = (p1 + p2) / 2
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) +
         zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    w("plan", base, mde, alpha, power, math.ceil(n))

# the mixture SPRT's log likelihood ratio (Johari, Pekelis & Walsh)
for na, xa, nb, xb, tau2 in [(1000, 50, 1000, 62, 1e-4),
                             (20000, 1000, 20000, 1150, 1e-4),
                             (500, 0, 520, 3, 1e-3),
                             (3000, 150, 2900, 140, 1e-5)]:
    pa, pb = xa / na, xb / nb
    pool = (xa + xb) / (na + nb)
    v = pool * (1 - pool) * (1 / na + 1 / nb)
    # the normal mixture's marginal over the null's density, by scipy
    d = pb - pa
    llr = stats.norm.logpdf(d, 0, math.sqrt(v + tau2)) - \
        stats.norm.logpdf(d, 0, math.sqrt(v))
    w("msprt", na, xa, nb, xb, tau2, llr)
