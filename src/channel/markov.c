/* SPDX-License-Identifier: MIT */
/*
 * Channel analytics: the Markov chain's arithmetic, from transition counts
 * to removal effects, shared by the engine (attr.c: the paths of its
 * leads) and the stateless calls b2b2c_channel_markov_counts /
 * b2b2c_channel_markov_effects (paths a host holds, counted per partition
 * and merged, docs/scaling.md). One code path from counts to effects, so
 * that equal counts give equal effects, bit for bit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "channel_int.h"

/*
 * First-order Markov attribution, Anderl, Becker, von Wangenheim & Schumann
 * 2016 ("Mapping the customer journey: Lessons learned from graph-based
 * online attribution modeling", IJRM 33(3)), sec. 3.2: transition
 * probabilities are maximum-likelihood counts over all paths; the removal
 * effect of channel c is RE(c) = 1 - P(conv | c removed) / P(conv), where
 * removing c sends every transition into c to NULL.
 *
 * With Q the transient-to-transient probabilities (START and the channels)
 * and r the transient-to-CONVERSION ones, the fundamental matrix is
 * N = (I - Q)^-1 and the absorption probabilities are x = N r (Kemeny &
 * Snell 1976, "Finite Markov Chains", ch. III: N = (I - Q)^-1, B = N R).
 * The probability of ever reaching c from START is h_c = N[S][c] / N[c][c]
 * (ibid., ch. III, hitting probabilities H = (N - I) N_dg^-1 off the
 * diagonal). By the strong Markov property P(conv) splits into paths that
 * never reach c and paths that reach c and then convert with x_c, so
 *     P(conv | c removed) = x_S - h_c x_c,   RE(c) = h_c x_c / x_S.
 * One inversion (Gauss-Jordan with partial pivoting) thus gives every
 * removal effect, O(m^3) for m channels on a path, instead of m solves of
 * the chain with c removed (O(m^4)). The unit tests check the result
 * against hand-worked chains and, on random paths, against value iteration
 * of the chain with each channel removed.
 */

/* Invert the m*m matrix a (row-major) into inv by Gauss-Jordan elimination
 * with partial pivoting; a is destroyed. I - Q of an absorbing chain is a
 * non-singular M-matrix (every state with a row reaches absorption), so a
 * zero pivot cannot occur; if it did, the column is left as is. */
static void gauss_jordan_inverse(double *a, double *inv, size_t m)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++)
            inv[i * m + j] = i == j ? 1.0 : 0.0;
    for (size_t k = 0; k < m; k++) {
        size_t p = k;
        double best = fabs(a[k * m + k]), piv;
        for (size_t i = k + 1; i < m; i++)
            if (fabs(a[i * m + k]) > best) {
                best = fabs(a[i * m + k]);
                p = i;
            }
        if (best == 0)
            continue;
        if (p != k)
            for (size_t j = 0; j < m; j++) {
                double t = a[k * m + j];
                a[k * m + j] = a[p * m + j];
                a[p * m + j] = t;
                t = inv[k * m + j];
                inv[k * m + j] = inv[p * m + j];
                inv[p * m + j] = t;
            }
        piv = a[k * m + k];
        for (size_t j = 0; j < m; j++) {
            a[k * m + j] /= piv;
            inv[k * m + j] /= piv;
        }
        for (size_t i = 0; i < m; i++) {
            double f = a[i * m + k];
            if (i == k || f == 0)
                continue;
            for (size_t j = 0; j < m; j++) {
                a[i * m + j] -= f * a[k * m + j];
                inv[i * m + j] -= f * inv[k * m + j];
            }
        }
    }
}

int b2b2c__ch_markov_solve(b2b2c_ctx *ctx, double *cnt, size_t m,
                           double *p_conv, double *re)
{
    size_t w = m + 3;
    double *a = b2b2c__malloc(ctx, (m + 1) * (m + 1) * sizeof(double));
    double *inv = b2b2c__malloc(ctx, (m + 1) * (m + 1) * sizeof(double));
    double *x = b2b2c__malloc(ctx, (m + 1) * sizeof(double));
    int rc = 0;

    if (!a || !inv || !x) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    /* a = I - Q; r (kept in the last column of cnt's row) as probability */
    for (size_t i = 0; i <= m; i++) {
        double tot = 0;
        for (size_t j = 0; j < w; j++)
            tot += cnt[i * w + j];
        for (size_t j = 0; j <= m; j++)
            a[i * (m + 1) + j] =
                (i == j ? 1.0 : 0.0) - (tot > 0 ? cnt[i * w + j] / tot : 0);
        cnt[i * w + m + 1] = tot > 0 ? cnt[i * w + m + 1] / tot : 0;
    }
    gauss_jordan_inverse(a, inv, m + 1);
    for (size_t i = 0; i <= m; i++) { /* x = N r */
        double v = 0;
        for (size_t j = 0; j <= m; j++)
            v += inv[i * (m + 1) + j] * cnt[j * w + m + 1];
        x[i] = v;
    }
    *p_conv = x[0];
    for (size_t c = 1; c <= m; c++) {
        double nsc = inv[c], ncc = inv[c * (m + 1) + c], r = 0;
        if (x[0] > 0 && ncc > 0)
            r = (nsc / ncc) * x[c] / x[0];
        re[c] = r < 0 ? 0 : (r > 1 ? 1 : r);
    }
done:
    b2b2c__free(ctx, a);
    b2b2c__free(ctx, inv);
    b2b2c__free(ctx, x);
    return rc;
}

int b2b2c__ch_markov_dense(b2b2c_ctx *ctx, const double *full, size_t nch,
                           double *re, double *p_conv)
{
    size_t wf = nch + 3, m = 0, w;
    uint32_t *state = NULL; /* channel index -> state (1..m), 0 = absent */
    uint32_t *chan_of = NULL;
    double *cnt = NULL, *rs = NULL, pc = NAN;
    int rc = 0;

    state = b2b2c__malloc(ctx, (nch + 1) * sizeof(uint32_t));
    chan_of = b2b2c__malloc(ctx, (nch + 1) * sizeof(uint32_t));
    if (!state || !chan_of) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    memset(state, 0, (nch + 1) * sizeof(uint32_t));
    /* keep the channels that have transitions */
    for (size_t c = 0; c < nch; c++) {
        double tot = 0;
        for (size_t j = 0; j < wf; j++)
            tot += full[(c + 1) * wf + j];
        if (tot > 0) {
            state[c] = (uint32_t)++m;
            chan_of[m] = (uint32_t)c;
        }
    }
    if (m == 0)
        goto done;
    /* counts: rows 0..m (START + channels), columns 0..m, m+1 = CONV,
     * m+2 = NULL */
    w = m + 3;
    cnt = b2b2c__malloc(ctx, (m + 1) * w * sizeof(double));
    rs = b2b2c__malloc(ctx, (m + 1) * sizeof(double));
    if (!cnt || !rs) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    memset(cnt, 0, (m + 1) * w * sizeof(double));
    for (size_t ri = 0; ri <= nch; ri++) {
        size_t ci = ri ? state[ri - 1] : 0;
        if (ri && !ci)
            continue;
        for (size_t cj = 1; cj <= nch; cj++)
            if (full[ri * wf + cj] > 0) /* a target always has a row */
                cnt[ci * w + state[cj - 1]] += full[ri * wf + cj];
        cnt[ci * w + m + 1] = full[ri * wf + nch + 1];
        cnt[ci * w + m + 2] = full[ri * wf + nch + 2];
    }
    rc = b2b2c__ch_markov_solve(ctx, cnt, m, &pc, rs);
done:
    if (rc == 0) {
        for (size_t c = 0; c < nch; c++)
            re[c] = 0;
        for (size_t s = 1; s <= m; s++)
            re[chan_of[s]] = rs[s];
        *p_conv = pc;
    }
    b2b2c__free(ctx, state);
    b2b2c__free(ctx, chan_of);
    b2b2c__free(ctx, cnt);
    b2b2c__free(ctx, rs);
    return rc;
}

/* ---- stateless: counts over a batch of paths, effects from counts -------- */

/* (nchannels + 1) * (nchannels + 3) into *n, 0 on overflow. */
static int counts_size(size_t nch, size_t *n)
{
    if (nch > SIZE_MAX / 8 - 3 || (nch + 1) > SIZE_MAX / 8 / (nch + 3))
        return 0;
    *n = (nch + 1) * (nch + 3);
    return 1;
}

static int check_counts_arg(b2b2c_ctx *ctx, const void *counts,
                            size_t ncounts, size_t nchannels)
{
    size_t need;
    if (!counts)
        return b2b2c__err(ctx, B2B2C_EINVAL, "counts: must not be NULL");
    if (nchannels == 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nchannels: must be > 0");
    if (!counts_size(nchannels, &need))
        return b2b2c__err(ctx, B2B2C_ERANGE, "nchannels: too large");
    if (ncounts < need)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "ncounts: %zu, must be >= (nchannels + 1) * "
                          "(nchannels + 3) = %zu",
                          ncounts, need);
    return 0;
}

int b2b2c_channel_markov_counts(uint64_t *counts, size_t ncounts,
                                b2b2c_ctx *ctx, size_t nchannels,
                                const uint32_t *channels, size_t ntouches,
                                const uint32_t *lengths,
                                const uint32_t *converted, size_t npaths)
{
    size_t need = 0, w = nchannels + 3, k = 0;
    int rc;

    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if ((rc = check_counts_arg(ctx, counts, ncounts, nchannels)) != 0)
        return rc;
    if (npaths && (!lengths || !converted))
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must not be NULL",
                          lengths ? "converted" : "lengths");
    if (ntouches && !channels)
        return b2b2c__err(ctx, B2B2C_EINVAL, "channels: must not be NULL");
    /* check everything before the first write */
    for (size_t i = 0; i < npaths; i++) {
        if (lengths[i] > ntouches - k)
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "lengths: the paths up to lengths[%zu] have "
                              "more than ntouches = %zu touches",
                              i, ntouches);
        k += lengths[i];
    }
    if (k != ntouches)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "lengths: add up to %zu, ntouches is %zu", k,
                          ntouches);
    for (size_t j = 0; j < ntouches; j++)
        if (channels[j] >= nchannels)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "channels[%zu]: %u, must be < nchannels = %zu",
                              j, (unsigned)channels[j], nchannels);
    counts_size(nchannels, &need);
    memset(counts, 0, need * sizeof(uint64_t));
    /* the engine's count_paths: START is row 0, channel c row c + 1;
     * a path's touches in order, then CONVERSION or NULL */
    k = 0;
    for (size_t i = 0; i < npaths; i++) {
        size_t prev = 0;
        if (lengths[i] == 0) /* a conversion without touches: direct */
            continue;
        for (uint32_t j = 0; j < lengths[i]; j++) {
            size_t s = (size_t)channels[k++] + 1;
            counts[prev * w + s] += 1;
            prev = s;
        }
        counts[prev * w + (converted[i] ? nchannels + 1 : nchannels + 2)] +=
            1;
    }
    return 0;
}

/* The largest count a double holds exactly. */
#define MARKOV_COUNT_MAX (UINT64_C(1) << 53)

int b2b2c_channel_markov_effects(double *effects, double *p_conv,
                                 b2b2c_ctx *ctx, const uint64_t *counts,
                                 size_t ncounts, size_t nchannels)
{
    size_t need = 0, w = nchannels + 3;
    double *full = NULL, *re = NULL, pc = NAN;
    int rc;

    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!effects)
        return b2b2c__err(ctx, B2B2C_EINVAL, "effects: must not be NULL");
    if ((rc = check_counts_arg(ctx, counts, ncounts, nchannels)) != 0)
        return rc;
    counts_size(nchannels, &need);
    for (size_t i = 0; i < need; i++)
        if (counts[i] > MARKOV_COUNT_MAX)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "counts[%zu]: above 2^53 (not exact as a "
                              "double)",
                              i);
    /* a chain: nothing enters START, and every channel entered has a row */
    for (size_t r = 0; r <= nchannels; r++)
        if (counts[r * w] != 0)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "counts[%zu]: a transition into START (column "
                              "0 must be 0)",
                              r * w);
    for (size_t c = 1; c <= nchannels; c++) {
        int in = 0, out = 0;
        for (size_t r = 0; r <= nchannels && !in; r++)
            in = counts[r * w + c] != 0;
        for (size_t j = 0; j < w && !out; j++)
            out = counts[c * w + j] != 0;
        if (in && !out)
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "counts: channel %zu is entered but never "
                              "left (its row is all 0)",
                              c - 1);
    }
    full = b2b2c__malloc(ctx, need * sizeof(double));
    re = b2b2c__malloc(ctx, nchannels * sizeof(double));
    if (!full || !re) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < need; i++)
        full[i] = (double)counts[i];
    if ((rc = b2b2c__ch_markov_dense(ctx, full, nchannels, re, &pc)) != 0)
        goto done;
    memcpy(effects, re, nchannels * sizeof(double));
    if (p_conv)
        *p_conv = pc;
done:
    b2b2c__free(ctx, full);
    b2b2c__free(ctx, re);
    return rc;
}
