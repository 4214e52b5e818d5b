/* SPDX-License-Identifier: MIT */
/* Exact order statistics of a list of durations, for the funnel's
 * percentiles (lead_funnel.c includes it once per element type: LS_T the
 * type, LS_SFX the name suffix). Not installed, no include guard. */
#ifndef LS_T
#error "define LS_T and LS_SFX"
#endif
#ifndef LS_HBITS
#define LS_HBITS 16
#endif
#define LS_CAT2(a, b) a##_##b
#define LS_CAT(a, b) LS_CAT2(a, b)
#define LS_NAME(f) LS_CAT(f, LS_SFX)

/* Put the k-th smallest of v[lo..hi] at v[k], no larger ones before it
 * and no smaller ones after (Hoare 1961, FIND; in the form of Wirth 1976,
 * "Algorithms + Data Structures = Programs", 2.3.4). */
static void LS_NAME(select_k)(LS_T *v, size_t lo, size_t hi, size_t k)
{
    ptrdiff_t l = (ptrdiff_t)lo, r = (ptrdiff_t)hi, kk = (ptrdiff_t)k;
    while (l < r) {
        LS_T x = v[kk];
        ptrdiff_t i = l, j = r;
        do {
            while (v[i] < x)
                i++;
            while (x < v[j])
                j--;
            if (i <= j) {
                LS_T t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk)
            l = i;
        if (kk < i)
            r = j;
    }
}

/* Order statistics x(k) (the k-th smallest from 0) of v[0..n) for the
 * nk ranks k[] (ascending), into x[]. Small lists: FIND on v itself.
 * Large ones, in three passes that do not move v: the range; a histogram
 * of 2^16 buckets of equal width; then the values of the buckets that
 * hold the ranks wanted, gathered and put in order with FIND. Exact
 * either way. 0 or B2B2C_ENOMEM. */
static int LS_NAME(order_stats)(b2b2c_ctx *ctx, LS_T *v, size_t n,
                                const size_t *k, int nk, int64_t *x)
{
    uint32_t *cnt;
    LS_T lo = v[0], hi = v[0];
    uint64_t span;
    unsigned shift = 0;
    size_t tb[4], tbase[4], toff[4], ntot = 0;
    int nt = 0;
    LS_T *g;

    if (n < 4096) {
        size_t from = 0;
        for (int i = 0; i < nk; i++) {
            LS_NAME(select_k)(v, from, n - 1, k[i]);
            x[i] = (int64_t)v[k[i]];
            from = k[i]; /* values after it are no smaller */
        }
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    span = (uint64_t)hi - (uint64_t)lo;
    while ((span >> shift) >= (UINT64_C(1) << LS_HBITS))
        shift++;
    if (!(cnt = b2b2c__malloc(ctx, sizeof(*cnt) << LS_HBITS)))
        return B2B2C_ENOMEM;
    memset(cnt, 0, sizeof(*cnt) << LS_HBITS);
    for (size_t i = 0; i < n; i++)
        cnt[((uint64_t)v[i] - (uint64_t)lo) >> shift]++;
    /* the bucket of each rank and the rank's place in it */
    {
        size_t b = 0, below = 0;
        for (int i = 0; i < nk; i++) {
            while (below + cnt[b] <= k[i])
                below += cnt[b++];
            if (nt == 0 || tb[nt - 1] != b) {
                tb[nt] = b;
                tbase[nt] = below;
                toff[nt] = ntot;
                ntot += cnt[b];
                nt++;
            }
        }
    }
    if (!(g = b2b2c__malloc(ctx, ntot * sizeof(*g)))) {
        b2b2c__free(ctx, cnt);
        return B2B2C_ENOMEM;
    }
    {
        size_t fill[4] = {0, 0, 0, 0};
        for (size_t i = 0; i < n; i++) {
            size_t b = ((uint64_t)v[i] - (uint64_t)lo) >> shift;
            for (int t = 0; t < nt; t++)
                if (b == tb[t]) {
                    g[toff[t] + fill[t]++] = v[i];
                    break;
                }
        }
    }
    for (int i = 0, t = 0; i < nk; i++) {
        size_t r;
        while (k[i] >= tbase[t] + cnt[tb[t]])
            t++;
        r = toff[t] + (k[i] - tbase[t]);
        LS_NAME(select_k)(g, toff[t], toff[t] + cnt[tb[t]] - 1, r);
        x[i] = (int64_t)g[r];
    }
    b2b2c__free(ctx, g);
    b2b2c__free(ctx, cnt);
    return 0;
}

#undef LS_NAME
#undef LS_CAT
#undef LS_CAT2
#undef LS_T
#undef LS_SFX
