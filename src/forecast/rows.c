/* SPDX-License-Identifier: MIT */
/* Input validation and merging of identical rows into weights. */
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "forecast/fc_rows.h"

static int is_whole(double v) { return v == floor(v); }

int b2b2c__fc_validate(b2b2c_ctx *ctx, int32_t model, const double *x,
                       const double *tx, const double *T,
                       const double *weight, size_t n)
{
    if (!x || !tx || (model != B2B2C_FORECAST_GG && !T))
        return b2b2c__err(ctx, B2B2C_EINVAL, "x, tx, T: must not be NULL");
    for (size_t i = 0; i < n; i++) {
        double xi = x[i], ti = tx[i], Ti = T ? T[i] : 0.0;
        if (!isfinite(xi))
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "frequency[%zu]: must be finite", i);
        if (xi < 0)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "frequency[%zu]: must be >= 0", i);
        if (!is_whole(xi) || xi > 1e9)
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "frequency[%zu]: must be a whole number", i);
        if (weight) {
            if (!isfinite(weight[i]))
                return b2b2c__err(ctx, B2B2C_EINVAL,
                                  "weight[%zu]: must be finite", i);
            if (weight[i] < 0)
                return b2b2c__err(ctx, B2B2C_ERANGE,
                                  "weight[%zu]: must be >= 0", i);
        }
        if (model == B2B2C_FORECAST_GG) {
            /* Gamma-Gamma's likelihood needs m > 0 (Fader & Hardie 2013,
             * eq. 3, a gamma density of the spend): repeat buyers whose
             * mean repeat spend is 0 are left out of the fit */
            if (xi == 0 || tx[i] == 0)
                continue;
            if (!isfinite(ti))
                return b2b2c__err(ctx, B2B2C_EINVAL,
                                  "monetary_value[%zu]: must be finite", i);
            /* 0 is allowed (free or fully discounted repeat purchases):
             * such rows are left out of the fit, see rows_build */
            if (ti < 0)
                return b2b2c__err(ctx, B2B2C_ERANGE,
                                  "monetary_value[%zu]: must be >= 0", i);
            continue;
        }
        if (!isfinite(ti))
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "recency[%zu]: must be finite", i);
        if (!isfinite(Ti))
            return b2b2c__err(ctx, B2B2C_EINVAL, "T[%zu]: must be finite", i);
        if (!(Ti > 0))
            return b2b2c__err(ctx, B2B2C_ERANGE, "T[%zu]: must be > 0", i);
        if (ti < 0)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "recency[%zu]: must be >= 0", i);
        if (ti > Ti)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "recency[%zu]: must be <= T", i);
        if (xi == 0 && ti != 0)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "recency[%zu]: must be 0 when frequency is 0",
                              i);
        if (model == B2B2C_FORECAST_BGBB) {
            if (!is_whole(Ti) || !is_whole(ti) || Ti > 1e6)
                return b2b2c__err(ctx, B2B2C_EINVAL,
                                  "row %zu: BG/BB recency and periods must "
                                  "be whole numbers (periods <= 1e6)", i);
            if (xi > ti)
                return b2b2c__err(ctx, B2B2C_ERANGE,
                                  "frequency[%zu]: must be <= recency for "
                                  "BG/BB", i);
        } else if (xi > 0 && ti == 0) {
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "recency[%zu]: must be > 0 when frequency > 0",
                              i);
        }
    }
    return 0;
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t dbits(double v)
{
    uint64_t u;
    if (v == 0)
        v = 0; /* -0 and +0 merge */
    memcpy(&u, &v, sizeof(u));
    return u;
}

void b2b2c__fc_rows_free(b2b2c_ctx *ctx, b2b2c__fc_rows *r)
{
    b2b2c__free(ctx, r->x);
    b2b2c__free(ctx, r->xi);
    b2b2c__free(ctx, r->xval);
    b2b2c__free(ctx, r->tix);
    b2b2c__free(ctx, r->tval);
    memset(r, 0, sizeof(*r));
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return u < v ? -1 : u > v;
}

/* Distinct values of tx and T over the merged rows, so per-evaluation
 * logarithms of (alpha + t) are computed once per value. */
static int build_times(b2b2c_ctx *ctx, b2b2c__fc_rows *r)
{
    size_t cap = 16, nt = 0, *tab;
    const size_t u = r->n;
    while (cap < 4 * u)
        cap <<= 1;
    r->tix = b2b2c__malloc(ctx, sizeof(uint32_t) * 2 * u);
    r->tval = b2b2c__malloc(ctx, sizeof(double) * 2 * u);
    tab = b2b2c__malloc(ctx, sizeof(size_t) * cap);
    if (!r->tix || !r->tval || !tab) {
        b2b2c__free(ctx, tab);
        return -1;
    }
    r->Tix = r->tix + u;
    for (size_t i = 0; i < cap; i++)
        tab[i] = (size_t)-1;
    for (size_t i = 0; i < 2 * u; i++) {
        double v = i < u ? r->tx[i] : r->T[i - u];
        size_t s = (size_t)mix(dbits(v)) & (cap - 1);
        for (;;) {
            size_t k = tab[s];
            if (k == (size_t)-1) {
                tab[s] = nt;
                r->tval[nt] = v;
                r->tix[i] = (uint32_t)nt++;
                break;
            }
            if (r->tval[k] == v) {
                r->tix[i] = (uint32_t)k;
                break;
            }
            s = (s + 1) & (cap - 1);
        }
    }
    r->nt = nt;
    b2b2c__free(ctx, tab);
    return 0;
}

int b2b2c__fc_rows_build(b2b2c_ctx *ctx, b2b2c__fc_rows *r, int32_t model,
                         const double *x, const double *tx, const double *T,
                         const double *weight, size_t n)
{
    size_t cap = 16, u = 0, *tab;
    double *blk;

    memset(r, 0, sizeof(*r));
    while (cap < 2 * n)
        cap <<= 1;
    if (n > ((size_t)-1) / 64)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "n: too many rows");
    blk = b2b2c__malloc(ctx, sizeof(double) * 4 * (n ? n : 1));
    tab = b2b2c__malloc(ctx, sizeof(size_t) * cap);
    if (!blk || !tab) {
        b2b2c__free(ctx, blk);
        b2b2c__free(ctx, tab);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "rows: out of memory");
    }
    r->x = blk;
    r->tx = blk + n;
    r->T = blk + 2 * n;
    r->w = blk + 3 * n;
    for (size_t i = 0; i < cap; i++)
        tab[i] = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        double w = weight ? weight[i] : 1.0, xi = x[i], ti, Ti;
        uint64_t h;
        size_t s;
        if (w == 0)
            continue;
        if (model == B2B2C_FORECAST_GG) {
            /* Gamma-Gamma's likelihood needs m > 0 (Fader & Hardie 2013,
             * eq. 3, a gamma density of the spend): repeat buyers whose
             * mean repeat spend is 0 are left out of the fit */
            if (xi == 0 || tx[i] == 0)
                continue;
            ti = tx[i];
            Ti = 0;
        } else {
            ti = tx[i];
            Ti = T[i];
        }
        h = mix(dbits(xi) * 0x9e3779b97f4a7c15ULL ^ mix(dbits(ti)) ^
                mix(dbits(Ti) + 0x632be59bd9b4e019ULL));
        s = (size_t)h & (cap - 1);
        for (;;) {
            size_t k = tab[s];
            if (k == (size_t)-1) {
                tab[s] = u;
                r->x[u] = xi;
                r->tx[u] = ti;
                r->T[u] = Ti;
                r->w[u] = w;
                u++;
                break;
            }
            if (r->x[k] == xi && r->tx[k] == ti && r->T[k] == Ti) {
                r->w[k] += w;
                break;
            }
            s = (s + 1) & (cap - 1);
        }
        r->W += w;
        r->sumx += w * xi;
        r->sumT += w * Ti;
        r->summ += xi > 0 ? w * ti : 0;
        r->wpos += xi > 0 ? w : 0;
    }
    b2b2c__free(ctx, tab);
    r->n = u;
    if (u == 0 || !(r->W > 0)) {
        b2b2c__fc_rows_free(ctx, r);
        return b2b2c__err(ctx, B2B2C_ENODATA,
                          model == B2B2C_FORECAST_GG
                              ? "data: no row with frequency > 0, "
                                "monetary_value > 0 and positive weight"
                              : "data: no row with positive weight");
    }
    /* distinct frequencies, so x-only terms are computed once each */
    r->xi = b2b2c__malloc(ctx, sizeof(uint32_t) * u);
    r->xval = b2b2c__malloc(ctx, sizeof(double) * u);
    if (!r->xi || !r->xval) {
        b2b2c__fc_rows_free(ctx, r);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "rows: out of memory");
    }
    memcpy(r->xval, r->x, sizeof(double) * u);
    qsort(r->xval, u, sizeof(double), cmp_double);
    {
        size_t k = 0;
        for (size_t i = 0; i < u; i++)
            if (i == 0 || r->xval[i] != r->xval[k - 1])
                r->xval[k++] = r->xval[i];
        r->nx = k;
    }
    if (build_times(ctx, r)) {
        b2b2c__fc_rows_free(ctx, r);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "rows: out of memory");
    }
    for (size_t i = 0; i < u; i++) {
        size_t lo = 0, hi = r->nx;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (r->xval[mid] <= r->x[i])
                lo = mid;
            else
                hi = mid;
        }
        r->xi[i] = (uint32_t)lo;
    }
    return 0;
}
