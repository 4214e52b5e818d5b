/* SPDX-License-Identifier: MIT */
/* Channel analytics: attribution models, the Markov removal effect, metrics
 * and the media-mix report. All read-only over the handle's memory. */
#include <math.h>
#include <stdlib.h>

#include "channel_int.h"

/* Neumaier-compensated sum (Neumaier 1974, "Rundungsfehleranalyse einiger
 * Verfahren zur Summation endlicher Summen", ZAMM 54, eq. 2.3) so that the
 * per-channel totals add back to the converted value to ~1e-15 relative
 * whatever the number of conversions. */
typedef struct ksum {
    double s, c;
} ksum;

static inline void ks_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}
static inline double ks_get(const ksum *k) { return k->s + k->c; }

/* Per-channel attributed totals; slot nch is the direct bucket. */
typedef struct attr_acc {
    ksum conv, rev, ltv;
} attr_acc;

typedef struct attr_run {
    b2b2c_channels *h;
    int32_t model;
    int64_t from, to;
    attr_acc *acc;    /* nch + 1 */
    double *w;        /* per-touch weights, max path length */
    uint32_t *stamp;  /* per channel, for distinct channels on a path */
    double *re;       /* Markov removal effect per channel */
    double p_conv;    /* Markov P(conversion) */
} attr_run;

/* The lead's touches in the lookback window of a conversion at `ct`:
 * [*lo, n). Touches after the conversion cannot exist (rejected). */
static uint32_t window_lo(const ch_lead *l, int64_t end, int64_t lookback_s)
{
    size_t lo;
    B2B2C__LOWER_BOUND(lo, l->tv, l->n, t, end - lookback_s);
    return (uint32_t)lo;
}

static int64_t lookback_s(const b2b2c_channels *h)
{
    return (int64_t)llround(h->p.lookback * (double)CH_DAY);
}

/* ---- Markov chain ---------------------------------------------------------- */

/* The chain's arithmetic, its papers and its equations are in markov.c
 * (shared with the stateless b2b2c_channel_markov_effects); here the
 * paths of the handle's leads are counted. */

/* Does a lead's path end in [from, to)? Converting paths end at the
 * conversion, others at the last touch. Sets *end and *lo. */
static int path_of(const attr_run *ar, const ch_lead *l, int64_t lb,
                   int64_t *end, uint32_t *lo)
{
    if (l->st.converted)
        *end = l->st.conv_t;
    else if (l->n)
        *end = l->tv[l->n - 1].t;
    else
        return 0;
    if (*end < ar->from || *end >= ar->to)
        return 0;
    *lo = window_lo(l, *end, lb);
    return 1;
}

/* Up to this many channels the transition counts are gathered in one pass
 * into a dense (channels + 1) x (channels + 3) matrix (2 MB at 512). */
#define CH_MARKOV_DENSE 512

/* Count the transitions of every path ending in [from, to) into cnt (rows
 * of width w): state of channel ch is map[ch], or ch + 1 without a map;
 * START is 0, CONVERSION conv_col and NULL conv_col + 1. Conversions
 * without touches in the window are direct, not on the chain. */
static void count_paths(const attr_run *ar, int64_t lb, const uint32_t *map,
                        size_t w, size_t conv_col, double *cnt)
{
    const b2b2c_channels *h = ar->h;
    for (size_t i = 0; i < h->nlead; i++) {
        const ch_lead *l = h->leads[i];
        int64_t end;
        uint32_t lo, prev = 0;
        if (!path_of(ar, l, lb, &end, &lo) || lo == l->n)
            continue;
        for (uint32_t j = lo; j < l->n; j++) {
            uint32_t s = map ? map[l->tv[j].ch] : l->tv[j].ch + 1;
            cnt[prev * w + s] += 1;
            prev = s;
        }
        cnt[prev * w + (l->st.converted ? conv_col : conv_col + 1)] += 1;
    }
}

static int markov_fit(attr_run *ar)
{
    b2b2c_channels *h = ar->h;
    b2b2c_ctx *ctx = h->ctx;
    size_t nch = h->nch, m = 0;
    int64_t lb = lookback_s(h);
    uint32_t *state = NULL; /* channel index -> state (1..m), 0 = absent */
    uint32_t *chan_of = NULL;
    double *cnt = NULL, *rs = NULL;
    size_t w;
    int rc = 0;

    ar->p_conv = NAN;
    for (size_t c = 0; c < nch; c++)
        ar->re[c] = 0;
    if (nch <= CH_MARKOV_DENSE) {
        /* one pass over the paths into a dense count matrix over every
         * channel; markov.c keeps the channels that have transitions */
        size_t wf = nch + 3;
        double *full = b2b2c__malloc(ctx, (nch + 1) * wf * sizeof(double));
        if (!full)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        memset(full, 0, (nch + 1) * wf * sizeof(double));
        count_paths(ar, lb, NULL, wf, nch + 1, full);
        rc = b2b2c__ch_markov_dense(ctx, full, nch, ar->re, &ar->p_conv);
        b2b2c__free(ctx, full);
        return rc;
    }
    /* many channels: first mark the channels on a path (those with a
     * transition out: the same set as the dense count's) */
    state = b2b2c__malloc(ctx, (nch + 1) * sizeof(uint32_t));
    chan_of = b2b2c__malloc(ctx, (nch + 1) * sizeof(uint32_t));
    if (!state || !chan_of) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    memset(state, 0, (nch + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < h->nlead; i++) {
        const ch_lead *l = h->leads[i];
        int64_t end;
        uint32_t lo;
        if (path_of(ar, l, lb, &end, &lo))
            for (uint32_t j = lo; j < l->n; j++)
                state[l->tv[j].ch] = 1;
    }
    for (size_t c = 0; c < nch; c++)
        if (state[c]) {
            state[c] = (uint32_t)++m;
            chan_of[m] = (uint32_t)c;
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
    count_paths(ar, lb, state, w, m + 1, cnt);
    if ((rc = b2b2c__ch_markov_solve(ctx, cnt, m, &ar->p_conv, rs)) == 0)
        for (size_t c = 1; c <= m; c++)
            ar->re[chan_of[c]] = rs[c];
done:
    b2b2c__free(ctx, state);
    b2b2c__free(ctx, chan_of);
    b2b2c__free(ctx, cnt);
    b2b2c__free(ctx, rs);
    return rc;
}

/* ---- attribution ---------------------------------------------------------------- */

/* Equal weights: the fallback when a model's weights all vanish. */
static double even_split(double *w, uint32_t k)
{
    for (uint32_t i = 0; i < k; i++)
        w[i] = 1;
    return k;
}

/* Weights of the k touches tv[0..k) of a conversion at `ct`; returns their
 * sum (> 0). */
static double weights(attr_run *ar, const ch_touch *tv, uint32_t k, int64_t ct,
                      uint32_t conv_no)
{
    const ch_params *p = &ar->h->p;
    double *w = ar->w, W = 0;

    for (uint32_t i = 0; i < k; i++)
        w[i] = 0;
    switch (ar->model) {
    case B2B2C_CHANNEL_ATTRIBUTION_FIRST:
        w[0] = 1;
        return 1;
    case B2B2C_CHANNEL_ATTRIBUTION_LAST:
        w[k - 1] = 1;
        return 1;
    case B2B2C_CHANNEL_ATTRIBUTION_LINEAR:
        return even_split(w, k);
    case B2B2C_CHANNEL_ATTRIBUTION_DECAY:
        /* rule-based exponential time decay with half-life H, weight
         * 2^(-d/H) for a touch d days before the conversion (the "time
         * decay" rule of web-analytics tools, 7-day default there too);
         * a rule, not an estimated model, so there is no paper to cite */
        for (uint32_t i = 0; i < k; i++) {
            double d = (double)(ct - tv[i].t) / (double)CH_DAY;
            w[i] = exp2(-d / p->half_life);
            W += w[i];
        }
        /* with a lookback of up to 3650 days and a half-life down to 0.01
         * day every weight can underflow to 0: split evenly then */
        return W > 0 ? W : even_split(w, k);
    case B2B2C_CHANNEL_ATTRIBUTION_POSITION:
        if (k == 1) {
            w[0] = 1;
            return 1;
        }
        if (k == 2) {
            double f = p->pos_first, l = p->pos_last;
            if (f + l <= 0)
                f = l = 0.5;
            w[0] = f;
            w[1] = l;
            return f + l;
        }
        w[0] = p->pos_first;
        w[k - 1] = p->pos_last;
        {
            /* FIRST + LAST may exceed 1 by the setter's 1e-12 tolerance */
            double mid = 1.0 - p->pos_first - p->pos_last;
            mid = mid > 0 ? mid / (double)(k - 2) : 0;
            for (uint32_t i = 1; i + 1 < k; i++)
                w[i] = mid;
        }
        for (uint32_t i = 0; i < k; i++)
            W += w[i];
        /* first = last = 0 and rounding */
        return W > 0 ? W : even_split(w, k);
    default: /* MARKOV: the removal effect, once per distinct channel */
        for (uint32_t i = 0; i < k; i++) {
            uint32_t c = tv[i].ch;
            if (ar->stamp[c] != conv_no) {
                ar->stamp[c] = conv_no;
                w[i] = ar->re[c];
                W += w[i];
            }
        }
        return W > 0 ? W : even_split(w, k);
    }
}

/* Run the model over the conversions in [from, to), filling ar->acc. */
static int attr_compute(attr_run *ar)
{
    b2b2c_channels *h = ar->h;
    b2b2c_ctx *ctx = h->ctx;
    size_t nch = h->nch;
    uint32_t maxn = 1, conv_no = 0;
    int64_t lb = lookback_s(h);
    int rc = 0;

    for (size_t i = 0; i < h->nlead; i++)
        if (h->leads[i]->n > maxn)
            maxn = h->leads[i]->n;
    ar->acc = b2b2c__malloc(ctx, (nch + 1) * sizeof(attr_acc));
    ar->w = b2b2c__malloc(ctx, maxn * sizeof(double));
    ar->stamp = b2b2c__malloc(ctx, (nch + 1) * sizeof(uint32_t));
    ar->re = b2b2c__malloc(ctx, (nch + 1) * sizeof(double));
    if (!ar->acc || !ar->w || !ar->stamp || !ar->re)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(ar->acc, 0, (nch + 1) * sizeof(attr_acc));
    memset(ar->stamp, 0, (nch + 1) * sizeof(uint32_t));
    if (ar->model == B2B2C_CHANNEL_ATTRIBUTION_MARKOV &&
        (rc = markov_fit(ar)) != 0)
        return rc;
    for (size_t i = 0; i < h->nlead; i++) {
        const ch_lead *l = h->leads[i];
        int64_t ct = l->st.conv_t;
        double rev, ltv, W, sc = 0, sr = 0, sl = 0;
        uint32_t lo, k;

        if (!l->st.converted || ct < ar->from || ct >= ar->to)
            continue;
        rev = l->st.revenue;
        ltv = l->st.has_ltv ? l->st.ltv : rev;
        lo = window_lo(l, ct, lb);
        k = l->n - lo;
        if (k == 0) {
            ks_add(&ar->acc[nch].conv, 1);
            ks_add(&ar->acc[nch].rev, rev);
            ks_add(&ar->acc[nch].ltv, ltv);
            continue;
        }
        if (++conv_no == 0) { /* stamp wrap: reset */
            memset(ar->stamp, 0, (nch + 1) * sizeof(uint32_t));
            conv_no = 1;
        }
        W = weights(ar, l->tv + lo, k, ct, conv_no);
        /* every touch but the last gets value * w / W; the last gets the
         * remainder so that each conversion's shares add up to its value */
        for (uint32_t j = 0; j + 1 < k; j++) {
            double f = ar->w[j] / W, x;
            attr_acc *a;
            if (f == 0)
                continue;
            a = &ar->acc[l->tv[lo + j].ch];
            ks_add(&a->conv, x = f);
            sc += x;
            ks_add(&a->rev, x = rev * f);
            sr += x;
            ks_add(&a->ltv, x = ltv * f);
            sl += x;
        }
        {
            attr_acc *a = &ar->acc[l->tv[l->n - 1].ch];
            ks_add(&a->conv, 1 - sc);
            ks_add(&a->rev, rev - sr);
            ks_add(&a->ltv, ltv - sl);
        }
    }
    return 0;
}

static void attr_fini(attr_run *ar)
{
    b2b2c_ctx *ctx = ar->h->ctx;
    b2b2c__free(ctx, ar->acc);
    b2b2c__free(ctx, ar->w);
    b2b2c__free(ctx, ar->stamp);
    b2b2c__free(ctx, ar->re);
}

static int query_check(b2b2c_channels *h, int32_t model, int64_t from,
                       int64_t to, int need_model)
{
    b2b2c__err_clear(h->ctx);
    if (need_model && !b2b2c_channel_attribution_name(model))
        return b2b2c__err(h->ctx, B2B2C_EINVAL, "model: unknown model %d",
                          (int)model);
    if (from > to)
        return b2b2c__err(h->ctx, B2B2C_ERANGE, "from: after to");
    return b2b2c__sync_read(h->ctx); /* the query answers from memory */
}

/* Validate a query and prepare a run (nothing allocated yet). have_cb: the
 * caller's callback is not NULL (without a handle or a callback there is no
 * context to name the argument in, hence the bare B2B2C_EINVAL). */
static int attr_start(attr_run *ar, b2b2c_channels *h, int have_cb,
                      int32_t model, int64_t from, int64_t to)
{
    if (!h || !have_cb)
        return B2B2C_EINVAL;
    memset(ar, 0, sizeof(*ar));
    ar->h = h;
    ar->model = model;
    ar->from = from;
    ar->to = to;
    return query_check(h, model, from, to, 1);
}

/* Host callbacks run between b2b2c__cb_enter/leave, so that a mutating
 * call from inside gets B2B2C_ESTATE (the iteration reads the handle's
 * arrays). */

int b2b2c_channels_attribute(b2b2c_channels *h, int32_t model, int64_t from,
                             int64_t to, b2b2c_channels_attribution_cb cb,
                             void *payload)
{
    attr_run ar;
    int rc;

    if ((rc = attr_start(&ar, h, cb != NULL, model, from, to)) != 0)
        return rc;
    rc = attr_compute(&ar);
    if (rc == 0) {
        b2b2c__cb_enter(h->ctx);
        for (size_t c = 0; c <= h->nch && rc == 0; c++)
            rc = cb(c < h->nch ? h->chans[c]->id : "", ks_get(&ar.acc[c].conv),
                    ks_get(&ar.acc[c].rev), ks_get(&ar.acc[c].ltv), payload);
        b2b2c__cb_leave(h->ctx);
    }
    attr_fini(&ar);
    return rc;
}

int b2b2c_channels_markov_effects(double *p_conv, b2b2c_channels *h,
                                  int64_t from, int64_t to,
                                  b2b2c_channels_markov_cb cb, void *payload)
{
    attr_run ar;
    size_t nch;
    int rc;

    if ((rc = attr_start(&ar, h, cb != NULL, B2B2C_CHANNEL_ATTRIBUTION_MARKOV,
                         from, to)) != 0)
        return rc;
    nch = h->nch;
    ar.re = b2b2c__malloc(h->ctx, (nch + 1) * sizeof(double));
    if (!ar.re)
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    rc = markov_fit(&ar);
    if (rc == 0) {
        double tot = 0;
        for (size_t c = 0; c < nch; c++)
            tot += ar.re[c];
        b2b2c__cb_enter(h->ctx);
        for (size_t c = 0; c < nch && rc == 0; c++)
            rc = cb(h->chans[c]->id, ar.re[c], tot > 0 ? ar.re[c] / tot : 0,
                    payload);
        b2b2c__cb_leave(h->ctx);
        if (rc == 0 && p_conv) /* outputs only on success */
            *p_conv = ar.p_conv;
    }
    b2b2c__free(h->ctx, ar.re);
    return rc;
}

int b2b2c_channels_attribute_lead(b2b2c_channels *h, const char *lead_id,
                                  int32_t model, int64_t from, int64_t to,
                                  b2b2c_channels_share_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    const ch_lead *l;
    attr_run ar;
    size_t n;
    uint32_t lo, k;
    int rc;

    if ((rc = attr_start(&ar, h, cb != NULL, model, from, to)) != 0)
        return rc;
    ctx = h->ctx;
    if ((rc = b2b2c__id_check(lead_id, &n)) != 0)
        return b2b2c__err(ctx, rc, "lead_id: %s",
                          rc == B2B2C_EINVAL ? "NULL" : "not a valid ID");
    l = b2b2c__map_get(&h->leadmap, lead_id, n);
    if (!l)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "lead_id: unknown lead '%s'",
                          lead_id);
    if (!l->st.converted)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "lead_id: lead '%s' has not converted", lead_id);
    lo = window_lo(l, l->st.conv_t, lookback_s(h));
    k = l->n - lo;
    if (k == 0) {
        b2b2c__cb_enter(ctx);
        rc = cb("", l->st.conv_t, 1.0, payload);
        b2b2c__cb_leave(ctx);
        return rc;
    }
    ar.w = b2b2c__malloc(ctx, k * sizeof(double));
    ar.stamp = b2b2c__malloc(ctx, (h->nch + 1) * sizeof(uint32_t));
    ar.re = b2b2c__malloc(ctx, (h->nch + 1) * sizeof(double));
    if (!ar.w || !ar.stamp || !ar.re)
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    else if (model == B2B2C_CHANNEL_ATTRIBUTION_MARKOV)
        rc = markov_fit(&ar);
    if (rc == 0) {
        double W, sum = 0;
        memset(ar.stamp, 0, (h->nch + 1) * sizeof(uint32_t));
        W = weights(&ar, l->tv + lo, k, l->st.conv_t, 1);
        b2b2c__cb_enter(ctx);
        for (uint32_t j = 0; j < k && rc == 0; j++) {
            /* the last touch takes the remainder, as in the totals */
            double f = j + 1 < k ? ar.w[j] / W : 1 - sum;
            sum += f;
            rc = cb(h->chans[l->tv[lo + j].ch]->id, l->tv[lo + j].t, f,
                    payload);
        }
        b2b2c__cb_leave(ctx);
    }
    attr_fini(&ar);
    return rc;
}

/* ---- spend over a period -------------------------------------------------------- */

/* Days whose (local) start is in [from, to): [first_day(from),
 * first_day(to)), the first day starting at or after t. */
static int64_t first_day(const b2b2c_ctx *ctx, int64_t t)
{
    int64_t d = b2b2c__day(ctx, t);
    return t == INT64_MIN || b2b2c__day(ctx, t - 1) != d ? d : d + 1;
}

static void chan_spend(const b2b2c_ctx *ctx, const ch_chan *c, int64_t from,
                       int64_t to, double *spend, double *impr)
{
    int64_t dlo = first_day(ctx, from), dhi = first_day(ctx, to);
    size_t lo;
    ksum s = {0, 0}, m = {0, 0};
    B2B2C__LOWER_BOUND(lo, c->sv, c->n, day, dlo);
    for (size_t i = lo; i < c->n && c->sv[i].day < dhi; i++) {
        ks_add(&s, c->sv[i].spend);
        ks_add(&m, c->sv[i].impr);
    }
    *spend = ks_get(&s);
    *impr = ks_get(&m);
}

/* ---- metrics ---------------------------------------------------------------------- */

static double ratio(double a, double b) { return b != 0 ? a / b : NAN; }

int b2b2c_channels_metrics(b2b2c_channels *h, int32_t by, int32_t model,
                           int64_t from, int64_t to, b2b2c_channels_row_cb cb,
                           void *payload)
{
    static const char *const kinds[] = {"reach", "lead_generation"};
    b2b2c_ctx *ctx;
    attr_run ar;
    size_t nch, nrows, *rowof = NULL;
    double *rows = NULL; /* nrows + 1 (direct) rows of B2B2C_CHM_COUNT */
    uint32_t *seen = NULL;
    int rc;

    if ((rc = attr_start(&ar, h, cb != NULL, model, from, to)) != 0)
        return rc;
    ctx = h->ctx;
    if (by < B2B2C_CHANNELS_BY_CHANNEL || by > B2B2C_CHANNELS_BY_TOTAL)
        return b2b2c__err(ctx, B2B2C_EINVAL, "by: unknown grouping %d",
                          (int)by);
    nch = h->nch;
    nrows = by == B2B2C_CHANNELS_BY_CHANNEL ? nch
            : by == B2B2C_CHANNELS_BY_KIND  ? 2
            : by == B2B2C_CHANNELS_BY_GROUP ? 4
                                            : 1;
    if ((rc = attr_compute(&ar)) != 0)
        goto done;
    rowof = b2b2c__malloc(ctx, (nch + 1) * sizeof(size_t));
    rows = b2b2c__malloc(ctx, (nrows + 1) * B2B2C_CHM_COUNT * sizeof(double));
    seen = b2b2c__malloc(ctx, (nrows + 1) * sizeof(uint32_t));
    if (!rowof || !rows || !seen) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    memset(rows, 0, (nrows + 1) * B2B2C_CHM_COUNT * sizeof(double));
    memset(seen, 0, (nrows + 1) * sizeof(uint32_t));
    for (size_t c = 0; c < nch; c++) {
        const ch_chan *ch = h->chans[c];
        double s, im, *r;
        rowof[c] = by == B2B2C_CHANNELS_BY_CHANNEL ? c
                   : by == B2B2C_CHANNELS_BY_KIND  ? (size_t)(ch->kind - 1)
                   : by == B2B2C_CHANNELS_BY_GROUP ? (size_t)ch->group
                                                   : 0;
        r = rows + rowof[c] * B2B2C_CHM_COUNT;
        chan_spend(h->ctx, ch, from, to, &s, &im);
        r[B2B2C_CHM_SPEND] += s;
        r[B2B2C_CHM_IMPRESSIONS] += im;
    }
    /* the direct bucket goes to its own row, or into the total */
    rowof[nch] = by == B2B2C_CHANNELS_BY_TOTAL ? 0 : nrows;
    for (size_t c = 0; c <= nch; c++) {
        double *r = rows + rowof[c] * B2B2C_CHM_COUNT;
        r[B2B2C_CHM_CONVERSIONS] += ks_get(&ar.acc[c].conv);
        r[B2B2C_CHM_REVENUE] += ks_get(&ar.acc[c].rev);
        r[B2B2C_CHM_LTV] += ks_get(&ar.acc[c].ltv);
    }
    /* distinct leads touched in [from, to) per row, and the converted ones */
    for (size_t i = 0; i < h->nlead; i++) {
        const ch_lead *l = h->leads[i];
        uint32_t stamp = (uint32_t)(i % UINT32_MAX) + 1;
        int conv = l->st.converted && l->st.conv_t < to;
        if (stamp == 1) /* first lead, or the stamps wrapped */
            memset(seen, 0, (nrows + 1) * sizeof(uint32_t));
        for (uint32_t j = 0; j < l->n; j++) {
            size_t r;
            if (l->tv[j].t < from || l->tv[j].t >= to)
                continue;
            r = rowof[l->tv[j].ch];
            if (seen[r] != stamp) {
                seen[r] = stamp;
                rows[r * B2B2C_CHM_COUNT + B2B2C_CHM_LEADS] += 1;
                if (conv)
                    rows[r * B2B2C_CHM_COUNT + B2B2C_CHM_CONVERTED_LEADS] += 1;
            }
        }
    }
    for (size_t r = 0; r <= nrows; r++) {
        double *m = rows + r * B2B2C_CHM_COUNT;
        double S = m[B2B2C_CHM_SPEND], R = m[B2B2C_CHM_REVENUE],
               V = m[B2B2C_CHM_LTV];
        m[B2B2C_CHM_CONV_RATE] =
            ratio(m[B2B2C_CHM_CONVERTED_LEADS], m[B2B2C_CHM_LEADS]);
        m[B2B2C_CHM_CPL] = ratio(S, m[B2B2C_CHM_LEADS]);
        m[B2B2C_CHM_CPA] = ratio(S, m[B2B2C_CHM_CONVERSIONS]);
        m[B2B2C_CHM_ROI] = ratio(R - S, S);
        m[B2B2C_CHM_ROMI] = ratio(R, S);
        m[B2B2C_CHM_ROI_LTV] = ratio(V - S, S);
        m[B2B2C_CHM_ROMI_LTV] = ratio(V, S);
    }
    {
        b2b2c__cb_enter(ctx);
        for (size_t r = 0; r < nrows && rc == 0; r++) {
            const char *key =
                by == B2B2C_CHANNELS_BY_CHANNEL ? h->chans[r]->id
                : by == B2B2C_CHANNELS_BY_KIND  ? kinds[r]
                : by == B2B2C_CHANNELS_BY_GROUP ? b2b2c_group_name((int32_t)r)
                                                : "total";
            rc = cb(key, rows + r * B2B2C_CHM_COUNT, B2B2C_CHM_COUNT, payload);
        }
        if (rc == 0 && by != B2B2C_CHANNELS_BY_TOTAL)
            rc = cb("", rows + nrows * B2B2C_CHM_COUNT, B2B2C_CHM_COUNT,
                    payload);
        b2b2c__cb_leave(ctx);
    }
done:
    attr_fini(&ar);
    b2b2c__free(ctx, rowof);
    b2b2c__free(ctx, rows);
    b2b2c__free(ctx, seen);
    return rc;
}

/* ---- media mix --------------------------------------------------------------------- */

int b2b2c_channels_mix_shares(b2b2c_channels *h, int32_t model, int64_t from,
                              int64_t to, b2b2c_channels_row_cb cb,
                              void *payload)
{
    double rows[5][B2B2C_MIX_COUNT];
    attr_run ar;
    int rc;

    if ((rc = attr_start(&ar, h, cb != NULL, model, from, to)) != 0)
        return rc;
    if ((rc = attr_compute(&ar)) != 0)
        goto done;
    memset(rows, 0, sizeof(rows));
    for (size_t c = 0; c < h->nch; c++) {
        const ch_chan *ch = h->chans[c];
        int reach = ch->kind == B2B2C_CHANNEL_KIND_REACH;
        double s, im;
        chan_spend(h->ctx, ch, from, to, &s, &im);
        for (int g = 0; g < 2; g++) {
            double *r = rows[g ? 4 : ch->group];
            r[reach ? B2B2C_MIX_REACH_SPEND : B2B2C_MIX_LEADGEN_SPEND] += s;
            r[reach ? B2B2C_MIX_REACH_VALUE : B2B2C_MIX_LEADGEN_VALUE] +=
                ks_get(&ar.acc[c].rev);
            r[reach ? B2B2C_MIX_REACH_LTV : B2B2C_MIX_LEADGEN_LTV] +=
                ks_get(&ar.acc[c].ltv);
        }
    }
    for (int g = 0; g < 5; g++) {
        double *r = rows[g];
        r[B2B2C_MIX_REACH_SPEND_SHARE] =
            ratio(r[B2B2C_MIX_REACH_SPEND],
                  r[B2B2C_MIX_REACH_SPEND] + r[B2B2C_MIX_LEADGEN_SPEND]);
        r[B2B2C_MIX_REACH_VALUE_SHARE] =
            ratio(r[B2B2C_MIX_REACH_VALUE],
                  r[B2B2C_MIX_REACH_VALUE] + r[B2B2C_MIX_LEADGEN_VALUE]);
    }
    {
        b2b2c__cb_enter(h->ctx);
        for (int g = 0; g < 5 && rc == 0; g++)
            rc = cb(g < 4 ? b2b2c_group_name(g) : "total", rows[g],
                    B2B2C_MIX_COUNT, payload);
        b2b2c__cb_leave(h->ctx);
    }
done:
    attr_fini(&ar);
    return rc;
}

/* Week w's pair for mix_lag: *x the reach spend of weeks [w - lag - win +
 * 1, w - lag] (reach[] starts lag + win weeks before week 0), *y the
 * week's cost per lead. 0, and nothing written, for a week without leads. */
static int lag_pair(double *x, double *y, const double *reach,
                    const double *lg, const double *leads, int64_t lag,
                    int64_t win, int64_t w)
{
    double sum = 0;
    if (leads[w] <= 0)
        return 0;
    for (int64_t k = w - lag - win + 1; k <= w - lag; k++)
        sum += reach[k + lag + win];
    *x = sum;
    *y = lg[w] / leads[w];
    return 1;
}

int b2b2c_channels_mix_lag(double *slope, double *corr, size_t *pairs,
                           b2b2c_channels *h, int32_t group, int64_t from,
                           int64_t to, b2b2c_channels_lag_cb cb,
                           void *payload)
{
    b2b2c_ctx *ctx;
    int64_t nw, lag, win, pre;
    double *reach = NULL, *lg = NULL, *leads = NULL;
    uint32_t *seen = NULL;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    size_t np = 0;
    double out_slope = NAN, out_corr = NAN;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    if ((rc = query_check(h, 0, from, to, 0)) != 0)
        return rc;
    if (group != -1 && !b2b2c_group_name(group))
        return b2b2c__err(ctx, B2B2C_EINVAL, "group: unknown group %d",
                          (int)group);
    if ((rc = b2b2c__check_time(ctx, from, "from")) != 0 ||
        (rc = b2b2c__check_time(ctx, to, "to")) != 0)
        return rc;
    nw = (to - from + CH_WEEK - 1) / CH_WEEK;
    if (nw > 520)
        return b2b2c__err(ctx, B2B2C_ERANGE, "to: at most 520 weeks");
    lag = (int64_t)h->p.lag;
    win = (int64_t)h->p.window;
    pre = lag + win; /* weeks of reach history before `from` */
    reach = b2b2c__malloc(ctx, (size_t)(pre + nw + 1) * sizeof(double));
    lg = b2b2c__malloc(ctx, (size_t)(nw + 1) * sizeof(double));
    leads = b2b2c__malloc(ctx, (size_t)(nw + 1) * sizeof(double));
    seen = b2b2c__malloc(ctx, (size_t)(nw + 1) * sizeof(uint32_t));
    if (!reach || !lg || !leads || !seen) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    memset(reach, 0, (size_t)(pre + nw + 1) * sizeof(double));
    memset(lg, 0, (size_t)(nw + 1) * sizeof(double));
    memset(leads, 0, (size_t)(nw + 1) * sizeof(double));
    memset(seen, 0, (size_t)(nw + 1) * sizeof(uint32_t));
    for (size_t c = 0; c < h->nch; c++) {
        const ch_chan *ch = h->chans[c];
        if (group != -1 && ch->group != group)
            continue;
        for (size_t i = 0; i < ch->n; i++) {
            int64_t t = b2b2c__day_start(h->ctx, ch->sv[i].day), w;
            if (t >= to)
                break;
            w = b2b2c__floordiv(t - from, CH_WEEK);
            if (ch->kind == B2B2C_CHANNEL_KIND_REACH) {
                if (w >= -pre && w < nw)
                    reach[w + pre] += ch->sv[i].spend;
            } else if (w >= 0 && w < nw) {
                lg[w] += ch->sv[i].spend;
            }
        }
    }
    for (size_t i = 0; i < h->nlead; i++) {
        const ch_lead *l = h->leads[i];
        uint32_t stamp = (uint32_t)(i % UINT32_MAX) + 1;
        if (stamp == 1 && i > 0) /* the stamps wrapped */
            memset(seen, 0, (size_t)(nw + 1) * sizeof(uint32_t));
        for (uint32_t j = 0; j < l->n; j++) {
            const ch_chan *ch = h->chans[l->tv[j].ch];
            int64_t w;
            if (l->tv[j].t < from || l->tv[j].t >= to ||
                ch->kind != B2B2C_CHANNEL_KIND_LEADGEN ||
                (group != -1 && ch->group != group))
                continue;
            w = (l->tv[j].t - from) / CH_WEEK;
            if (seen[w] != stamp) {
                seen[w] = stamp;
                leads[w] += 1;
            }
        }
    }
    {
        b2b2c__cb_enter(ctx);
        for (int64_t w = 0; w < nw && rc == 0; w++) {
            double x, y;
            if (!lag_pair(&x, &y, reach, lg, leads, lag, win, w))
                continue;
            sx += x;
            sy += y;
            np++;
            if (cb)
                rc = cb(from + w * CH_WEEK, x, lg[w], leads[w], y, payload);
        }
        b2b2c__cb_leave(ctx);
    }
    if (rc == 0 && np >= 2) {
        double mx = sx / (double)np, my = sy / (double)np;
        /* second pass over the pairs for numerically stable moments */
        for (int64_t w = 0; w < nw; w++) {
            double x, y;
            if (!lag_pair(&x, &y, reach, lg, leads, lag, win, w))
                continue;
            sxx += (x - mx) * (x - mx);
            syy += (y - my) * (y - my);
            sxy += (x - mx) * (y - my);
        }
        /* OLS slope, Wooldridge 2016 "Introductory Econometrics" eq. 2.19;
         * Pearson 1895 product-moment correlation */
        if (sxx > 0)
            out_slope = sxy / sxx;
        if (sxx > 0 && syy > 0)
            out_corr = sxy / sqrt(sxx * syy);
    }
    if (rc == 0) { /* outputs only on success */
        if (slope)
            *slope = out_slope;
        if (corr)
            *corr = out_corr;
        if (pairs)
            *pairs = np;
    }
done:
    b2b2c__free(ctx, reach);
    b2b2c__free(ctx, lg);
    b2b2c__free(ctx, leads);
    b2b2c__free(ctx, seen);
    return rc;
}
