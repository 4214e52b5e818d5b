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
 * Region: the Pareto/NBD likelihood (Fader & Hardie 2005, "A note on
 * implementing the Pareto/NBD model", eq. for A_0) evaluates it with
 * a = r+s+x, b = s+1 or r+x, c = r+s+x+1 and z = |alpha-beta|/(max+t) in
 * [0, 1); the BG/NBD expectations (Fader, Hardie & Lee 2005, eq. 7 and 10)
 * with z = t/(alpha+t) in [0, 1). Both choose the branch that keeps z in
 * [0, 1) and every term positive, so the plain series is used: it
 * converges like z^k k^(a+b-c-1) and needs about 36/(-log z) terms for
 * full precision, which the term budget allows up to z ~ 0.99998. The
 * parameter derivatives come from d/da (a)_k = (a)_k sum_{j<k} 1/(a+j)
 * and d/dz z^k = k z^(k-1), summed in the same loop.
 */
int b2b2c__hyp2f1(double a, double b, double c, double z, double *val,
                  double d[4])
{
    double t = 1.0, sum = 1.0, sa = 0.0, sb = 0.0, sc = 0.0;
    double da = 0.0, db = 0.0, dc = 0.0, dz = 0.0;
    long k;
    const long budget = 2000000;

    if (!(a > 0) || !(b > 0) || !(c > 0) || !(z >= 0) || !(z < 1))
        return -1;
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
        return -1;
    *val = sum;
    if (d) {
        d[0] = da;
        d[1] = db;
        d[2] = dc;
        d[3] = z > 0 ? dz / z : a * b / c;
    }
    return 0;
}
