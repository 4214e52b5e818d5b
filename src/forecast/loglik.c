/* SPDX-License-Identifier: MIT */
/*
 * Log-likelihoods and their analytic gradients (natural parameters) of the
 * four models over merged rows. Terms that depend on the frequency only are
 * computed once per distinct frequency.
 */
#include <math.h>

#include "forecast/fc_internal.h"
#include "forecast/fc_rows.h"

#define LG b2b2c__lgamma
#define DG b2b2c__digamma

/* BG/NBD: Fader, Hardie & Lee 2005, eq. 6, computed as in Fader, Hardie &
 * Lee, "Implementing the BG/NBD model for customer base analysis in Excel"
 * (2005): log L = A1 + A2 + log(exp(A3) + [x > 0] exp(A4)) with
 *   A1 = lnG(r+x) - lnG(r) + r ln(alpha)
 *   A2 = lnG(a+b) + lnG(b+x) - lnG(b) - lnG(a+b+x)
 *   A3 = -(r+x) ln(alpha+T)
 *   A4 = ln(a) - ln(b+x-1) - (r+x) ln(alpha+t_x). */
static int ll_bgnbd(const double *p, const b2b2c__fc_rows *d, double *sc,
                    double *ll, double *g)
{
    const double r = p[0], al = p[1], a = p[2], b = p[3];
    const size_t nx = d->nx;
    double *A12 = sc, *cr = sc + nx, *ca = sc + 2 * nx, *cb = sc + 3 * nx,
           *l4 = sc + 4 * nx, *ib = sc + 5 * nx, *lt = sc + 8 * nx,
           *it = lt + d->nt;
    double L = 0, gr = 0, gal = 0, ga = 0, gb = 0;
    const double lgr = LG(r), lgab = LG(a + b), lgb = LG(b), lal = log(al);
    const double dgr = DG(r), dgab = DG(a + b), dgb = DG(b), la = log(a);

    for (size_t k = 0; k < nx; k++) {
        double x = d->xval[k];
        A12[k] = LG(r + x) - lgr + r * lal + lgab + LG(b + x) - lgb -
                 LG(a + b + x);
        /* x-only part of A4 - (r+x) ln(alpha+tx) */
        l4[k] = x > 0 ? la - log(b + x - 1) : 0;
        ib[k] = x > 0 ? 1 / (b + x - 1) : 0;
        if (g) {
            double dgabx = DG(a + b + x);
            cr[k] = DG(r + x) - dgr + lal;
            ca[k] = dgab - dgabx;
            cb[k] = dgab + DG(b + x) - dgb - dgabx;
        }
    }
    for (size_t k = 0; k < d->nt; k++) {
        lt[k] = log(al + d->tval[k]);
        it[k] = 1 / (al + d->tval[k]);
    }
    for (size_t i = 0; i < d->n; i++) {
        const double x = d->x[i], w = d->w[i], rx = r + x;
        const size_t k = d->xi[i], jT = d->Tix[i], jt = d->tix[i];
        const double A3 = -rx * lt[jT];
        double li, e4 = 0;
        if (x > 0) {
            /* log(e^A3 + e^A4) = A3 + log1p(e^(A4 - A3)) */
            double q = exp(l4[k] - rx * (lt[jt] - lt[jT]));
            li = A3 + log1p(q);
            e4 = q / (1 + q);
        } else {
            li = A3;
        }
        L += w * (A12[k] + li);
        if (g) {
            const double e3 = 1 - e4;
            gr += w * (cr[k] - e3 * lt[jT] - e4 * lt[jt]);
            gal += w * (r / al - rx * (e3 * it[jT] + e4 * it[jt]));
            ga += w * (ca[k] + e4 / a);
            gb += w * (cb[k] - e4 * ib[k]);
        }
    }
    *ll = L;
    if (g) {
        g[0] = gr;
        g[1] = gal;
        g[2] = ga;
        g[3] = gb;
    }
    return 0;
}

/* log of F(t)/base(t)^m, one of the two terms of A_0 in the Pareto/NBD
 * likelihood, with its gradient w.r.t. (r, alpha, s, beta). F is
 * 2F1(m, b; m+1; z) with m = r+s+x (Fader & Hardie 2005, "A note on
 * implementing the Pareto/NBD model", A_0), taken on the branch that keeps
 * z in [0, 1): alpha >= beta, b = s+1, z = (alpha-beta)/(alpha+t); else
 * b = r+x, z = (beta-alpha)/(beta+t). b2b2c__lhyp2f1_a1 gives log F and
 * d log F/d(m, b, z) in bounded work however close z is to 1 (as when a
 * fit drives r and alpha up together). */
static int pnbd_term(const double *p, double x, double t, double *lt,
                     double dl[4])
{
    const double r = p[0], al = p[1], s = p[2], be = p[3];
    const double m = r + s + x;
    double lF, dF[3], base, z;
    int rc;

    if (al >= be) {
        base = al + t;
        z = (al - be) / base;
        rc = b2b2c__lhyp2f1_a1(m, s + 1, z, &lF, dF);
        if (rc)
            return rc;
        /* d/dr: dm = 1; d/ds: dm = db = 1 */
        dl[0] = dF[0] - log(base);
        dl[2] = dF[0] + dF[1] - log(base);
        dl[1] = dF[2] * (be + t) / (base * base) - m / base;
        dl[3] = -dF[2] / base;
    } else {
        base = be + t;
        z = (be - al) / base;
        rc = b2b2c__lhyp2f1_a1(m, r + x, z, &lF, dF);
        if (rc)
            return rc;
        dl[0] = dF[0] + dF[1] - log(base);
        dl[2] = dF[0] - log(base);
        dl[1] = -dF[2] / base;
        dl[3] = dF[2] * (al + t) / (base * base) - m / base;
    }
    *lt = lF - m * log(base);
    return 0;
}

/* Pareto/NBD individual log-likelihood (Fader & Hardie 2005, "A note on
 * implementing the Pareto/NBD model", eq. 3-5; Schmittlein, Morrison &
 * Colombo 1987):
 *   L = G(r+x) a^r b^s / G(r) * [ (a+T)^-(r+x) (b+T)^-s
 *                                 + s/(r+s+x) A_0 ],
 *   A_0 = F(tx)/(max+tx)^(r+s+x) - F(T)/(max+T)^(r+s+x),
 * F the 2F1 of the branch alpha >= beta or alpha < beta (see pnbd_term).
 * The returned log excludes the x-only part A1 (added by the caller).
 * lb receives log of the first bracket term minus log of the bracket,
 * i.e. log P(alive) once A1 cancels. */
int b2b2c__pnbd_row(const double *p, double x, double tx, double T,
                    double *lbr, double *lb1, double dl[4])
{
    const double r = p[0], al = p[1], s = p[2], be = p[3];
    const double m = r + s + x;
    double B1, C, l1, l2, d1[4], d2[4], q, lA0, br, wB, wC;
    int rc;

    B1 = -(r + x) * log(al + T) - s * log(be + T);
    if ((rc = pnbd_term(p, x, tx, &l1, d1)) != 0)
        return rc;
    if ((rc = pnbd_term(p, x, T, &l2, d2)) != 0)
        return rc;
    q = exp(l2 - l1);
    if (!(q < 1)) {
        /* tx == T: A_0 = 0 */
        lA0 = -INFINITY;
    } else {
        lA0 = l1 + log1p(-q);
    }
    C = log(s / m) + lA0;
    br = b2b2c__logaddexp(B1, C);
    *lbr = br;
    *lb1 = B1;
    if (dl) {
        wB = exp(B1 - br);
        wC = 1 - wB;
        if (lA0 == -INFINITY)
            wC = 0, wB = 1;
        dl[0] = wB * -log(al + T);
        dl[1] = wB * -(r + x) / (al + T);
        dl[2] = wB * -log(be + T);
        dl[3] = wB * -s / (be + T);
        if (wC > 0) {
            double dA[4];
            for (int j = 0; j < 4; j++)
                dA[j] = (d1[j] - q * d2[j]) / (1 - q);
            dl[0] += wC * (-1 / m + dA[0]);
            dl[1] += wC * dA[1];
            dl[2] += wC * (1 / s - 1 / m + dA[2]);
            dl[3] += wC * dA[3];
        }
    }
    return 0;
}

static int ll_pnbd(const double *p, const b2b2c__fc_rows *d, double *sc,
                   double *ll, double *g)
{
    const double r = p[0], al = p[1], s = p[2], be = p[3];
    double *A1 = sc, *cr = sc + d->nx;
    double L = 0, G[4] = {0, 0, 0, 0};
    const double lgr = LG(r), dgr = DG(r);

    for (size_t k = 0; k < d->nx; k++) {
        double x = d->xval[k];
        /* A1 = lnG(r+x) - lnG(r) + r ln alpha + s ln beta */
        A1[k] = LG(r + x) - lgr + r * log(al) + s * log(be);
        cr[k] = g ? DG(r + x) - dgr + log(al) : 0;
    }
    for (size_t i = 0; i < d->n; i++) {
        double br, b1, dl[4];
        const double w = d->w[i];
        int rc = b2b2c__pnbd_row(p, d->x[i], d->tx[i], d->T[i], &br, &b1,
                                 g ? dl : NULL);
        if (rc)
            return B2B2C_ENOCONVERGE;
        L += w * (A1[d->xi[i]] + br);
        if (g) {
            G[0] += w * (cr[d->xi[i]] + dl[0]);
            G[1] += w * (r / al + dl[1]);
            G[2] += w * (log(be) + dl[2]);
            G[3] += w * (s / be + dl[3]);
        }
    }
    *ll = L;
    if (g)
        for (int j = 0; j < 4; j++)
            g[j] = G[j];
    return 0;
}

/* d/da and d/db of lbeta(a, b) */
static void dlbeta(double a, double b, double *da, double *db)
{
    double dab = DG(a + b);
    *da = DG(a) - dab;
    *db = DG(b) - dab;
}

/* BG/BB individual likelihood, Fader, Hardie & Shang 2010, eq. 5:
 *   L = B(al+x, be+n-x)/B(al,be) * B(ga, de+n)/B(ga,de)
 *     + sum_{i=0}^{n-tx-1} B(al+x, be+tx-x+i)/B(al,be)
 *                          * B(ga+1, de+tx+i)/B(ga,de). */
static int ll_bgbb(const double *p, const b2b2c__fc_rows *d, double *sc,
                   double *ll, double *g)
{
    const double al = p[0], be = p[1], ga = p[2], de = p[3];
    const double lB0 = b2b2c__lbeta(al, be), lB1 = b2b2c__lbeta(ga, de);
    double L = 0, G[4] = {0, 0, 0, 0}, d0a, d0b, d1g, d1d;
    (void)sc;

    dlbeta(al, be, &d0a, &d0b);
    dlbeta(ga, de, &d1g, &d1d);
    for (size_t i = 0; i < d->n; i++) {
        const double x = d->x[i], tx = d->tx[i], n = d->T[i], w = d->w[i];
        const long nt = (long)(n - tx);
        double lmax, li, acc = 0, ga_[4] = {0, 0, 0, 0};
        double lt0 = b2b2c__lbeta(al + x, be + n - x) - lB0 +
                     b2b2c__lbeta(ga, de + n) - lB1;
        lmax = lt0;
        /* terms are at most lt0's scale; sum in exp(l - lmax) */
        for (int pass = 0; pass < 2; pass++) {
            acc = 0;
            for (int j = 0; j < 4; j++)
                ga_[j] = 0;
            for (long k = -1; k < nt; k++) {
                double lt, e, da1, db1, dg1, dd1;
                if (k < 0) {
                    lt = lt0;
                } else {
                    lt = b2b2c__lbeta(al + x, be + tx - x + (double)k) -
                         lB0 + b2b2c__lbeta(ga + 1, de + tx + (double)k) -
                         lB1;
                }
                if (pass == 0) {
                    if (lt > lmax)
                        lmax = lt;
                    continue;
                }
                e = exp(lt - lmax);
                acc += e;
                if (g) {
                    if (k < 0) {
                        dlbeta(al + x, be + n - x, &da1, &db1);
                        dlbeta(ga, de + n, &dg1, &dd1);
                    } else {
                        dlbeta(al + x, be + tx - x + (double)k, &da1, &db1);
                        dlbeta(ga + 1, de + tx + (double)k, &dg1, &dd1);
                    }
                    ga_[0] += e * (da1 - d0a);
                    ga_[1] += e * (db1 - d0b);
                    ga_[2] += e * (dg1 - d1g);
                    ga_[3] += e * (dd1 - d1d);
                }
            }
        }
        li = lmax + log(acc);
        L += w * li;
        if (g)
            for (int j = 0; j < 4; j++)
                G[j] += w * ga_[j] / acc;
    }
    *ll = L;
    if (g)
        for (int j = 0; j < 4; j++)
            g[j] = G[j];
    return 0;
}

/* Gamma-Gamma, Fader & Hardie 2013, eq. 3 (Colombo & Jiang 1999): the
 * density of the mean m of x purchases,
 *   f(m | p, q, v, x) = G(px+q)/(G(px) G(q)) v^q m^(px-1) x^(px)
 *                       / (v + m x)^(px+q). */
static int ll_gg(const double *p, const b2b2c__fc_rows *d, double *sc,
                 double *ll, double *g)
{
    const double pp = p[0], q = p[1], v = p[2];
    double L = 0, G[3] = {0, 0, 0};
    const double lgq = LG(q), lv = log(v), dgq = DG(q);
    (void)sc;

    for (size_t i = 0; i < d->n; i++) {
        const double x = d->x[i], m = d->tx[i], w = d->w[i];
        const double px = pp * x, lvm = log(v + m * x), lm = log(m),
                     lx = log(x);
        L += w * (LG(px + q) - LG(px) - lgq + q * lv + (px - 1) * lm +
                  px * lx - (px + q) * lvm);
        if (g) {
            double dpq = DG(px + q);
            G[0] += w * x * (dpq - DG(px) + lm + lx - lvm);
            G[1] += w * (dpq - dgq + lv - lvm);
            G[2] += w * (q / v - (px + q) / (v + m * x));
        }
    }
    *ll = L;
    if (g)
        for (int j = 0; j < 3; j++)
            g[j] = G[j];
    return 0;
}

int b2b2c__fc_ll(int32_t model, const double *p, const b2b2c__fc_rows *r,
                 double *scratch, double *ll, double *grad)
{
    int rc;
    switch (model) {
    case B2B2C_FORECAST_BGNBD: rc = ll_bgnbd(p, r, scratch, ll, grad); break;
    case B2B2C_FORECAST_PNBD: rc = ll_pnbd(p, r, scratch, ll, grad); break;
    case B2B2C_FORECAST_BGBB: rc = ll_bgbb(p, r, scratch, ll, grad); break;
    case B2B2C_FORECAST_GG: rc = ll_gg(p, r, scratch, ll, grad); break;
    default: return B2B2C_EINVAL;
    }
    if (rc)
        return rc;
    if (!isfinite(*ll))
        return B2B2C_ERANGE;
    if (grad)
        for (int j = 0; j < (model == B2B2C_FORECAST_GG ? 3 : 4); j++)
            if (!isfinite(grad[j]))
                return B2B2C_ERANGE;
    return 0;
}
