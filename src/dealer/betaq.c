/* SPDX-License-Identifier: MIT */
/* Incomplete beta function, its inverse, and the haversine distance. */
#include <math.h>

#include "dealer_internal.h"
#include "internal.h"

/* Continued fraction of I_x(a, b): DLMF 8.17.22, evaluated with the modified
 * Lentz method (Press et al. 2007, Numerical Recipes 3rd ed., sec. 5.2 and
 * 6.4, eq. 6.4.5). Converges fast for x < (a + 1) / (a + b + 2). */
/* One modified-Lentz update with coefficient aa (Numerical Recipes 3rd ed.,
 * eq. 5.2.8): advances c and d, returns the factor d * c. */
static double lentz_step(double aa, double *c, double *d)
{
    const double tiny = 1e-300;
    *d = 1.0 + aa * *d;
    if (fabs(*d) < tiny)
        *d = tiny;
    *c = 1.0 + aa / *c;
    if (fabs(*c) < tiny)
        *c = tiny;
    *d = 1.0 / *d;
    return *d * *c;
}

static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap, h;

    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    h = d;
    for (int m = 1; m <= 10000; m++) {
        double m2 = 2.0 * m, aa, del;
        aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        h *= lentz_step(aa, &c, &d);
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        del = lentz_step(aa, &c, &d);
        h *= del;
        if (fabs(del - 1.0) < eps)
            break;
    }
    return h;
}

double b2b2c__betainc(double a, double b, double x)
{
    double lbt;
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    /* Prefactor x^a (1-x)^b / (a B(a, b)): DLMF 8.17.22. The library's own
     * log B: libm's lgamma writes the global signgam (a race between
     * contexts on two threads). */
    lbt = a * log(x) + b * log1p(-x) - b2b2c__lbeta(a, b);
    /* Symmetry I_x(a, b) = 1 - I_{1-x}(b, a): DLMF 8.17.4. */
    if (x < (a + 1.0) / (a + b + 2.0))
        return exp(lbt) * betacf(a, b, x) / a;
    return 1.0 - exp(lbt) * betacf(b, a, 1.0 - x) / b;
}

/* Inverse by bisection on the monotone I_x (60 halvings reach 1e-18 in x),
 * so the quantile is as accurate as I_x itself (about 1e-13 absolute). */
double b2b2c__betaq(double p, double a, double b)
{
    double lo = 0.0, hi = 1.0;
    if (p <= 0.0)
        return 0.0;
    if (p >= 1.0)
        return 1.0;
    for (int i = 0; i < 64; i++) {
        double mid = 0.5 * (lo + hi);
        if (b2b2c__betainc(a, b, mid) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Sinnott 1984, "Virtues of the haversine", Sky & Telescope 68(2):159. */
double b2b2c__haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0088, k = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
    double s1 = sin(dlat * 0.5), s2 = sin(dlon * 0.5);
    double h = s1 * s1 + cos(lat1 * k) * cos(lat2 * k) * s2 * s2;
    if (h > 1.0)
        h = 1.0;
    return 2.0 * r * asin(sqrt(h));
}
