/* SPDX-License-Identifier: MIT */
/*
 * Lead model: point tables, rescoring after a change of points or
 * thresholds, the dry run and the apply of a point table with thresholds
 * rescaled to target band shares, the points history (table lead_points)
 * and band changes with their reason (issue 18). docs/lead-model.md,
 * "Points learned from outcomes" and "Rescoring".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "listing.h"
#include "lead_points.h"

/* ---- point tables ------------------------------------------------------- */

static const char *const prefixes[] = {"kind", "segment", "channel",
                                       "region", "product_line"};

/* Parse entry i into (what, index): what 0 kind, 1 segment, 2 attribute. */
static int entry_find(const b2b2c_lead_model *m, const char *e, size_t i,
                      int *what, uint32_t *ix)
{
    b2b2c_ctx *ctx = m->ctx;
    const char *c = e ? strchr(e, ':') : NULL;
    size_t pl;
    int p;
    if (!e)
        return b2b2c__err(ctx, B2B2C_EINVAL, "entries[%zu]: NULL", i);
    pl = c ? (size_t)(c - e) : 0;
    for (p = 0; p < 5; p++)
        if (c && strlen(prefixes[p]) == pl && memcmp(e, prefixes[p], pl) == 0)
            break;
    if (p == 5 || !c[1])
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "entries[%zu]: not kind:, segment:, channel:, "
                          "region: or product_line: and a name",
                          i);
    c++;
    if (p == 0) {
        for (uint32_t k = 0; k < m->nkinds; k++)
            if (strcmp(m->kinds[k].name, c) == 0) {
                *what = 0;
                *ix = k;
                return 0;
            }
        return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                          "entries[%zu]: no event kind '%s'", i, c);
    }
    if (p == 1) {
        int32_t s = b2b2c_segment_from_name(c);
        if (s < 0 || s >= LEAD_NSEG)
            return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                              "entries[%zu]: no segment '%s'", i, c);
        *what = 1;
        *ix = (uint32_t)s;
        return 0;
    }
    {
        char key[B2B2C__ID_MAX + 2];
        size_t n = strlen(c);
        lead_attr *a = NULL;
        if (n <= B2B2C__ID_MAX) {
            key[0] = (char)(p - 1);
            memcpy(key + 1, c, n);
            a = b2b2c__map_get(&m->attrmap, key, n + 1);
        }
        if (!a)
            return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                              "entries[%zu]: no %s '%s' in the model", i,
                              prefixes[p], c);
        *what = 2;
        *ix = a->idx;
        return 0;
    }
}

/* The model's table with the proposed entries in t (t->attr allocated:
 * free with b2b2c__free). Refused whole on any bad entry. */
static int table_parse(const b2b2c_lead_model *m, lead_table *t,
                       const char *const *entries, const double *points,
                       size_t n)
{
    b2b2c_ctx *ctx = m->ctx;
    uint8_t *seen;
    size_t na = m->nattrs;
    int rc = 0;
    b2b2c__lead_table_now(m, t);
    t->attr = b2b2c__malloc(ctx, (na ? na : 1) * sizeof(double));
    seen = b2b2c__malloc(ctx, B2B2C_LEAD_EV_MAX + LEAD_NSEG + na + 1);
    if (!t->attr || !seen) {
        b2b2c__free(ctx, t->attr);
        b2b2c__free(ctx, seen);
        t->attr = NULL;
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    memset(seen, 0, B2B2C_LEAD_EV_MAX + LEAD_NSEG + na + 1);
    for (size_t a = 0; a < na; a++)
        t->attr[a] = m->attrs[a]->points;
    for (size_t i = 0; i < n && rc == 0; i++) {
        int what;
        uint32_t ix;
        size_t slot;
        if ((rc = entry_find(m, entries[i], i, &what, &ix)) != 0)
            break;
        if (!isfinite(points[i])) {
            rc = b2b2c__err(ctx, B2B2C_EINVAL,
                            "points[%zu] (%s): must be finite", i,
                            entries[i]);
            break;
        }
        if (points[i] < -1e6 || points[i] > 1e6) {
            rc = b2b2c__err(ctx, B2B2C_ERANGE,
                            "points[%zu] (%s): outside [-1e6, 1e6]", i,
                            entries[i]);
            break;
        }
        slot = what == 0   ? ix
               : what == 1 ? B2B2C_LEAD_EV_MAX + ix
                           : B2B2C_LEAD_EV_MAX + LEAD_NSEG + ix;
        if (seen[slot]) {
            rc = b2b2c__err(ctx, B2B2C_EINVAL,
                            "entries[%zu]: '%s' given twice", i, entries[i]);
            break;
        }
        seen[slot] = 1;
        if (what == 0)
            t->kind[ix] = points[i];
        else if (what == 1)
            t->seg[ix] = points[i];
        else
            t->attr[ix] = points[i];
    }
    b2b2c__free(ctx, seen);
    if (rc) {
        b2b2c__free(ctx, t->attr);
        t->attr = NULL;
    }
    return rc;
}

/* ---- scores under a table ------------------------------------------------ */

static int32_t band_t(double s, int64_t at, int64_t hot_until, double warm,
                      double hot)
{
    if (at < hot_until || s >= hot)
        return B2B2C_BAND_HOT;
    return s >= warm ? B2B2C_BAND_WARM : B2B2C_BAND_COLD;
}

/* Engagement of lead r (at its t0) when the kind points change from
 * `old` to `nw`: E' = max(0, E + sum_k (p'_k - p_k) c_k), c_k the decayed
 * count of the kind's events that earned points (lead_earned). */
static double eng_under(const lead_rec *r, const double *old,
                        const double *nw)
{
    double e = r->eng;
    int any = 0;
    for (uint32_t i = 0; i < r->nk; i++) {
        uint16_t k = r->ks[i].kind;
        if (old[k] != nw[k]) {
            e += (nw[k] - old[k]) * lead_earned(&r->ks[i]);
            any = 1;
        }
    }
    if (!any)
        return r->eng;
    return e > 0 ? e : 0;
}

/* Score of every lead at `now` under table t (kinds rescored from the
 * model's current points), and the hot holds running then. */
static void scores_under(const b2b2c_lead_model *m, const lead_table *t,
                         int64_t now, double *s)
{
    const double *cur = NULL;
    double curk[B2B2C_LEAD_EV_MAX];
    for (uint32_t k = 0; k < m->nkinds; k++)
        curk[k] = m->kinds[k].points;
    cur = curk;
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        int64_t at = now < r->t0 ? r->t0 : now;
        s[i] = b2b2c__lead_table_fit(m, t, r) +
               eng_under(r, cur, t->kind) * b2b2c__lead_decay(m, r->t0, at);
    }
}

static int dbl_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

/* The threshold that puts `want` of the n scores v (sorted descending) at
 * or above it: between v[want-1] and v[want], or at the nearest boundary
 * between distinct scores when a tie straddles it. */
static double cut_at(const double *v, size_t n, size_t want)
{
    size_t lo, hi;
    if (n == 0)
        return 0;
    if (want == 0)
        return v[0] + fmax(1, fabs(v[0]) * 1e-9);
    if (want >= n)
        return v[n - 1];
    if (v[want - 1] > v[want])
        return v[want - 1] - (v[want - 1] - v[want]) / 2;
    /* a tie: the boundary above (fewer) or below (more), the nearer */
    lo = want - 1;
    while (lo > 0 && v[lo - 1] == v[want])
        lo--;
    hi = want;
    while (hi < n && v[hi] == v[want])
        hi++;
    if (lo > 0 && (want - lo <= hi - want || hi == n))
        return v[lo - 1] - (v[lo - 1] - v[lo]) / 2;
    if (hi < n)
        return v[hi - 1] - (v[hi - 1] - v[hi]) / 2;
    return v[n - 1];
}

static double clamp_thr(double x)
{
    return x < -1e6 ? -1e6 : x > 1e6 ? 1e6 : x;
}

/* Thresholds for target shares, from the scores s at `now` (hot holds
 * count as hot whatever the threshold). */
static int thresholds_for(const b2b2c_lead_model *m, const double *s,
                          int64_t now, double warm_share, double hot_share,
                          double *warm, double *hot)
{
    size_t n = m->nleads, nv = 0, held = 0, want_hot, want_warm, above = 0;
    double *v;
    if (n == 0) {
        *warm = lead_param(m, B2B2C_LEAD_WARM_THRESHOLD);
        *hot = lead_param(m, B2B2C_LEAD_HOT_THRESHOLD);
        return 0;
    }
    if (!(v = b2b2c__malloc(m->ctx, n * sizeof(*v))))
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const lead_rec *r = lead_at(m, i);
        if ((now < r->t0 ? r->t0 : now) < r->hot_until)
            held++;
        else
            v[nv++] = s[i];
    }
    qsort(v, nv, sizeof(*v), dbl_desc);
    want_hot = (size_t)llround(hot_share * (double)n);
    want_hot = want_hot > held ? want_hot - held : 0;
    *hot = clamp_thr(cut_at(v, nv, want_hot));
    for (size_t i = 0; i < nv && v[i] >= *hot; i++)
        above++;
    want_warm = above + (size_t)llround(warm_share * (double)n);
    *warm = clamp_thr(cut_at(v, nv, want_warm));
    if (*warm >= *hot)
        *warm = nextafter(*hot, -INFINITY);
    b2b2c__free(m->ctx, v);
    return 0;
}

/* Today's shares of warm and hot leads at `now`. */
static void shares_now(const b2b2c_lead_model *m, int64_t now, double *warm,
                       double *hot)
{
    size_t c[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < m->nleads; i++) {
        int32_t b;
        b2b2c__lead_score_at(m, lead_at(m, i), now, &b);
        c[b]++;
    }
    *warm = m->nleads ? (double)c[B2B2C_BAND_WARM] / (double)m->nleads : 0;
    *hot = m->nleads ? (double)c[B2B2C_BAND_HOT] / (double)m->nleads : 0;
}

static int check_shares(b2b2c_ctx *ctx, double warm, double hot)
{
    if (isnan(warm) != isnan(hot))
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "warm_share, hot_share: both NaN or neither");
    if (isnan(warm))
        return 0;
    if (!(warm >= 0 && warm <= 1))
        return b2b2c__err(ctx, B2B2C_ERANGE, "warm_share: outside [0, 1]");
    if (!(hot >= 0 && hot <= 1))
        return b2b2c__err(ctx, B2B2C_ERANGE, "hot_share: outside [0, 1]");
    if (warm + hot > 1 + 1e-12)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "warm_share, hot_share: sum over 1");
    return 0;
}

/* ---- rescoring ------------------------------------------------------------- */

typedef struct lead_resc {
    size_t lead;
    int32_t from, to;
    int64_t at;
} lead_resc;

/* Undo of one lead's rescoring: engagement and band fields. */
typedef struct resc_save {
    double eng;
    int64_t band_at;
    uint8_t band, band_prev;
} resc_save;

static void resc_restore(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    lead_rec *r = a;
    resc_save s;
    (void)b;
    memcpy(&s, b2b2c__undo_arena_pop(ctx, n), sizeof(s));
    r->eng = s.eng;
    r->band_at = s.band_at;
    r->band = s.band;
    r->band_prev = s.band_prev;
}

static int keep_alert(b2b2c_lead_model *m, size_t i, int32_t from,
                      int32_t to, int64_t at)
{
    if (!m->rescore_alert)
        return 0;
    if (m->nresc == m->capresc &&
        b2b2c__grow(&m->ctx->mem, (void **)&m->resc, &m->capresc,
                    m->nresc + 1, sizeof(*m->resc)))
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    m->resc[m->nresc++] = (lead_resc){i, from, to, at};
    return 0;
}

int b2b2c__lead_step_all(b2b2c_lead_model *m, const lead_step *s,
                         int alerts, uint32_t skip)
{
    b2b2c_ctx *ctx = m->ctx;
    int rc;
    for (size_t i = 0; i < m->nleads; i++) {
        lead_rec *r = lead_at(m, i);
        double e;
        int32_t bo, bn;
        int64_t at;
        resc_save *sv;
        int late = 0;
        if (r->gsync > skip) /* a sync handed it over past this step */
            continue;
        lead_step_one(s, r, &e, &bo, &bn, &at);
        if (s->kinds && r->late &&
            (rc = b2b2c__lead_late_rescore(m, r, s->old.kind, s->nw.kind,
                                           &late)) != 0)
            return rc;
        if (e == r->eng && bo == bn)
            continue;
        sv = b2b2c__undo_arena(ctx, resc_restore, r, NULL, sizeof(*sv));
        if (!sv)
            return ctx->errcode;
        sv->eng = r->eng;
        sv->band_at = r->band_at;
        sv->band = r->band;
        sv->band_prev = r->band_prev;
        r->eng = e;
        if (bo != bn) {
            r->band = (uint8_t)bn;
            r->band_prev = (uint8_t)(bo | LEAD_BAND_RESCORED);
            r->band_at = at;
            if (alerts && (rc = keep_alert(m, i, bo, bn, at)) != 0)
                return rc;
        }
    }
    return 0;
}

/* The records are not written (lazy rescoring, lead_gen.c): the step is,
 * and each record follows it when next read or written. */
int b2b2c__lead_rescore(b2b2c_lead_model *m, const lead_table *old,
                        int64_t now)
{
    lead_step *s;
    int same, rc;
    m->nresc = 0; /* a body run again after a conflict starts over */
    if (!(s = b2b2c__lead_step_make(m, old, now, &same)))
        return m->ctx->errcode;
    if (same) {
        b2b2c__free(m->ctx, s);
        return 0;
    }
    if ((rc = b2b2c__lead_step_push(m, s)) != 0 ||
        (rc = b2b2c__lead_step_all(m, s, 1, 0)) != 0)
        return rc;
    /* a slice of the records rewritten: the steps stay bounded */
    return b2b2c__lead_sweep(m, m->sw_slice);
}

void b2b2c__lead_rescore_notify(b2b2c_lead_model *m, int rc)
{
    if (rc == 0 && m->rescore_alert && m->nresc) {
        b2b2c__cb_enter(m->ctx);
        for (size_t i = 0; i < m->nresc; i++) {
            const lead_resc *a = &m->resc[i];
            if (a->lead < m->nleads)
                (void)m->rescore_alert(lead_at(m, a->lead)->id, a->from,
                                       a->to, a->at, m->rescore_payload);
        }
        b2b2c__cb_leave(m->ctx);
    }
    b2b2c__free(m->ctx, m->resc);
    m->resc = NULL;
    m->nresc = m->capresc = 0;
}

int b2b2c_lead_set_rescore_alert(b2b2c_lead_model *m, b2b2c_lead_band_cb cb,
                                 void *payload)
{
    if (!m)
        return B2B2C_EINVAL;
    m->rescore_alert = cb;
    m->rescore_payload = cb ? payload : NULL;
    return 0;
}

/* ---- dry run ----------------------------------------------------------------- */

static int check_table_args(const b2b2c_lead_model *m,
                            const char *const *entries, const double *points,
                            size_t n, double warm_share, double hot_share)
{
    if (n && (!entries || !points))
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "entries, points: NULL");
    return check_shares(m->ctx, warm_share, hot_share);
}

/* Proposed table, scores at now under it, thresholds for the targets. */
static int plan(const b2b2c_lead_model *m, const char *const *entries,
                const double *points, size_t n, double warm_share,
                double hot_share, int64_t now, lead_table *t, double **s)
{
    int rc;
    *s = NULL;
    if ((rc = table_parse(m, t, entries, points, n)) != 0)
        return rc;
    if (isnan(warm_share))
        shares_now(m, now, &warm_share, &hot_share);
    if (!(*s = b2b2c__malloc(m->ctx, (m->nleads + 1) * sizeof(double)))) {
        b2b2c__free(m->ctx, t->attr);
        t->attr = NULL;
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    }
    scores_under(m, t, now, *s);
    if ((rc = thresholds_for(m, *s, now, warm_share, hot_share, &t->warm,
                             &t->hot)) != 0) {
        b2b2c__free(m->ctx, t->attr);
        b2b2c__free(m->ctx, *s);
        t->attr = NULL;
        *s = NULL;
    }
    return rc;
}

static int dry_body(const b2b2c_lead_model *m, const lead_table *t,
                    const double *s, int64_t now, int32_t folds,
                    uint64_t seed, double *f)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_table cur;
    size_t nr = m->nrows;
    double *rs = NULL;
    uint32_t *fold = NULL;
    int rc = 0;
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        int64_t at = now < r->t0 ? r->t0 : now;
        int32_t b0, b1;
        b2b2c__lead_score_at(m, r, now, &b0);
        b1 = band_t(s[i], at, r->hot_until, t->warm, t->hot);
        f[B2B2C_LEAD_DRY_MOVES + 3 * (b0 - 1) + (b1 - 1)] += 1;
    }
    f[B2B2C_LEAD_DRY_WARM] = t->warm;
    f[B2B2C_LEAD_DRY_HOT] = t->hot;
    rs = b2b2c__malloc(ctx, (nr + 1) * sizeof(*rs));
    fold = b2b2c__malloc(ctx, (nr + 1) * sizeof(*fold));
    if (!rs || !fold) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    {
        /* folds: a seeded permutation of the rows dealt round-robin
         * (Fisher-Yates, Knuth TAOCP vol. 2, 3.4.2 algorithm P) */
        b2b2c__rng g;
        b2b2c__rng_seed(&g, seed);
        for (size_t i = 0; i < nr; i++)
            fold[i] = (uint32_t)i;
        for (size_t i = nr; i > 1; i--) {
            size_t j = (size_t)b2b2c__rng_below(&g, i);
            uint32_t x = fold[i - 1];
            fold[i - 1] = fold[j];
            fold[j] = x;
        }
        for (size_t i = 0; i < nr; i++)
            fold[i] %= (uint32_t)folds;
    }
    b2b2c__lead_table_now(m, &cur);
    for (size_t i = 0; i < nr; i++)
        rs[i] = b2b2c__lead_row_score(m, &cur, m->rows[i]);
    if ((rc = b2b2c__lead_cv(m, rs, fold, folds, f + B2B2C_LEAD_DRY_AUC)))
        goto out;
    for (size_t i = 0; i < nr; i++)
        rs[i] = b2b2c__lead_row_score(m, t, m->rows[i]);
    rc = b2b2c__lead_cv(m, rs, fold, folds, f + B2B2C_LEAD_DRY_NEW_AUC);
out:
    b2b2c__free(ctx, rs);
    b2b2c__free(ctx, fold);
    return rc;
}

int b2b2c_lead_points_dry_run(double *out, size_t nout,
                              const b2b2c_lead_model *m,
                              const char *const *entries,
                              const double *points, size_t n,
                              double warm_share, double hot_share,
                              int64_t now, int32_t folds, uint64_t seed)
{
    double f[B2B2C_LEAD_DRY_NFIELDS];
    lead_table t;
    double *s;
    int rc;
    if ((rc = b2b2c__lead_read_begin(m, out ? NULL : "out", &now)) != 0)
        return rc;
    if (nout == 0)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "nout: 0");
    if (folds < 2 || folds > 100)
        return b2b2c__err(m->ctx, B2B2C_ERANGE, "folds: outside [2, 100]");
    if ((rc = check_table_args(m, entries, points, n, warm_share,
                               hot_share)) != 0 ||
        (rc = plan(m, entries, points, n, warm_share, hot_share, now, &t,
                   &s)) != 0)
        return rc;
    memset(f, 0, sizeof(f));
    rc = dry_body(m, &t, s, now, folds, seed, f);
    b2b2c__free(m->ctx, t.attr);
    b2b2c__free(m->ctx, s);
    if (rc == 0)
        memcpy(out, f, (nout < B2B2C_LEAD_DRY_NFIELDS ? nout
                                                      : B2B2C_LEAD_DRY_NFIELDS) *
                           sizeof(double));
    return rc;
}

/* ---- apply and its history ------------------------------------------------- */

typedef struct hist_count {
    uint32_t n;
} hist_count;

static int count_row(const void *k, size_t kl, const void *v, size_t vl,
                     void *u)
{
    (void)k;
    (void)kl;
    (void)v;
    (void)vl;
    ((hist_count *)u)->n++;
    return 0;
}

static void enc_entry(b2b2c__wbuf *w, const char *name, double o, double n)
{
    b2b2c__enc_str(w, name);
    b2b2c__enc_f64(w, o);
    b2b2c__enc_f64(w, n);
}

/* Record the change (entries whose points change, and the thresholds)
 * as T_POINTS record seq = the records so far (version 1: at i64, n u32,
 * n x {entry str, old f64, new f64}). */
static int write_history(b2b2c_lead_model *m, const lead_table *old,
                         const lead_table *t, int64_t now)
{
    b2b2c_ctx *ctx = m->ctx;
    static const char *const an[] = {"segment", "channel", "region",
                                     "product_line"};
    hist_count c = {0};
    b2b2c__wbuf w;
    char key[4], name[B2B2C__ID_MAX + 16];
    uint32_t n = 2;
    int rc;
    if ((rc = b2b2c__st_scan(ctx, T_POINTS, count_row, &c)) != 0)
        return rc;
    for (uint32_t k = 0; k < m->nkinds; k++)
        n += old->kind[k] != t->kind[k];
    for (int s = 0; s < LEAD_NSEG; s++)
        n += old->seg[s] != t->seg[s];
    for (size_t a = 0; a < m->nattrs; a++)
        n += m->attrs[a]->points != t->attr[a];
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_i64(&w, now);
    b2b2c__enc_u32(&w, n);
    for (uint32_t k = 0; k < m->nkinds; k++)
        if (old->kind[k] != t->kind[k]) {
            snprintf(name, sizeof(name), "kind:%s", m->kinds[k].name);
            enc_entry(&w, name, old->kind[k], t->kind[k]);
        }
    for (int s = 0; s < LEAD_NSEG; s++)
        if (old->seg[s] != t->seg[s]) {
            snprintf(name, sizeof(name), "segment:%s", b2b2c_segment_name(s));
            enc_entry(&w, name, old->seg[s], t->seg[s]);
        }
    for (size_t a = 0; a < m->nattrs; a++) {
        const lead_attr *at = m->attrs[a];
        if (at->points == t->attr[a])
            continue;
        snprintf(name, sizeof(name), "%s:%.*s", an[at->attr],
                 (int)(at->klen - 1), at->key + 1);
        enc_entry(&w, name, at->points, t->attr[a]);
    }
    enc_entry(&w, "threshold:warm", old->warm, t->warm);
    enc_entry(&w, "threshold:hot", old->hot, t->hot);
    lead_key_u32(key, c.n);
    return b2b2c__st_put_rec(ctx, T_POINTS, key, 4, &w);
}

static int apply_body(b2b2c_lead_model *m, const char *const *entries,
                      const double *points, size_t n, double warm_share,
                      double hot_share, int64_t now, double *warm,
                      double *hot)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_table t, old;
    double *s = NULL;
    int rc;
    m->nresc = 0;
    if ((rc = plan(m, entries, points, n, warm_share, hot_share, now, &t,
                   &s)) != 0)
        return rc;
    b2b2c__lead_table_now(m, &old);
    if ((rc = write_history(m, &old, &t, now)) != 0)
        goto out;
    /* old->attr NULL reads the model's points: the rescoring needs them
     * as they were, so keep a copy before they change */
    if (!(old.attr = b2b2c__malloc(ctx, (m->nattrs + 1) * sizeof(double)))) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t a = 0; a < m->nattrs; a++)
        old.attr[a] = m->attrs[a]->points;
    if ((rc = b2b2c__undo_save(ctx, m->kinds,
                               m->nkinds * sizeof(lead_kind))) ||
        (rc = b2b2c__undo_save(ctx, m->seg_points, sizeof(m->seg_points))) ||
        (rc = b2b2c__undo_save(ctx, m->params, sizeof(m->params))))
        goto out;
    for (uint32_t k = 0; k < m->nkinds; k++)
        m->kinds[k].points = t.kind[k];
    memcpy(m->seg_points, t.seg, sizeof(t.seg));
    m->params[B2B2C_LEAD_WARM_THRESHOLD - 100] = t.warm;
    m->params[B2B2C_LEAD_HOT_THRESHOLD - 100] = t.hot;
    for (size_t a = 0; a < m->nattrs; a++) {
        lead_attr *at = m->attrs[a];
        if (at->points == t.attr[a])
            continue;
        if ((rc = b2b2c__undo_save(ctx, &at->points, sizeof(double))) != 0)
            goto out;
        at->points = t.attr[a];
        if ((rc = b2b2c__lead_write_attr(m, at)) != 0)
            goto out;
    }
    if ((rc = b2b2c__lead_write_config(m)) != 0 ||
        (rc = b2b2c__lead_rescore(m, &old, now)) != 0)
        goto out;
    *warm = t.warm;
    *hot = t.hot;
out:
    b2b2c__free(ctx, t.attr);
    b2b2c__free(ctx, old.attr);
    b2b2c__free(ctx, s);
    return rc;
}

int b2b2c_lead_points_apply(double *warm, double *hot, b2b2c_lead_model *m,
                            const char *const *entries, const double *points,
                            size_t n, double warm_share, double hot_share,
                            int64_t now)
{
    double w = 0, h = 0;
    int rc;
    if ((rc = b2b2c__lead_begin(m, NULL, &now)) != 0)
        return rc;
    if ((rc = check_table_args(m, entries, points, n, warm_share,
                               hot_share)) != 0)
        return rc;
    B2B2C__CALL(rc, m->ctx, m,
                apply_body(m, entries, points, n, warm_share, hot_share, now,
                           &w, &h));
    b2b2c__lead_rescore_notify(m, rc);
    if (rc == 0) {
        if (warm)
            *warm = w;
        if (hot)
            *hot = h;
    }
    return rc;
}

/* One history record read back. */
typedef struct hrec {
    uint32_t seq;
    size_t vl;
    uint8_t *v;
} hrec;

typedef struct hscan {
    b2b2c_ctx *ctx;
    hrec *r;
    size_t n, cap;
    int rc;
} hscan;

static int hist_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *u)
{
    hscan *h = u;
    const uint8_t *kb = k;
    hrec *e;
    if (kl != 4)
        return h->rc = b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, T_POINTS,
                                          k, kl, "key is not 4 bytes");
    if (h->n == h->cap &&
        b2b2c__grow(&h->ctx->mem, (void **)&h->r, &h->cap, h->n + 1,
                    sizeof(*h->r)))
        return h->rc = b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    e = &h->r[h->n];
    e->seq = (uint32_t)kb[0] << 24 | (uint32_t)kb[1] << 16 |
             (uint32_t)kb[2] << 8 | kb[3];
    e->vl = vl;
    if (!(e->v = b2b2c__malloc(h->ctx, vl ? vl : 1)))
        return h->rc = b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    memcpy(e->v, v, vl);
    h->n++;
    return 0;
}

static int hrec_cmp(const void *a, const void *b)
{
    uint32_t x = ((const hrec *)a)->seq, y = ((const hrec *)b)->seq;
    return x < y ? -1 : x > y;
}

/* Decode and emit one record. */
static int hist_emit(const b2b2c_lead_model *m, const hrec *e,
                     b2b2c_lead_points_history_cb cb, void *payload)
{
    b2b2c__rbuf r;
    char key[4], name[B2B2C__ID_MAX + 16];
    int64_t at;
    uint32_t n;
    int rc;
    lead_key_u32(key, e->seq);
    if ((rc = b2b2c__dec_begin(&r, e->v, e->vl, 1)) != 0)
        return b2b2c__err_corrupt(m->ctx, rc, T_POINTS, key, 4,
                                  "does not decode");
    at = b2b2c__dec_i64(&r);
    n = b2b2c__dec_u32(&r);
    if (r.err || n > 100000 || at < B2B2C_TIME_MIN || at > B2B2C_TIME_MAX)
        return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, T_POINTS, key, 4,
                                  "bad header");
    for (uint32_t i = 0; i < n; i++) {
        size_t nl;
        const void *s = b2b2c__dec_bytes(&r, &nl);
        double o = b2b2c__dec_f64(&r), v = b2b2c__dec_f64(&r);
        if (r.err || nl >= sizeof(name) || (nl && memchr(s, 0, nl)))
            return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, T_POINTS, key,
                                      4, "entry %u does not decode",
                                      (unsigned)i);
        memcpy(name, s, nl);
        name[nl] = '\0';
        b2b2c__cb_enter(m->ctx);
        rc = cb(at, name, o, v, payload);
        b2b2c__cb_leave(m->ctx);
        if (rc)
            return rc;
    }
    if (b2b2c__dec_finish(&r))
        return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, T_POINTS, key, 4,
                                  "trailing bytes");
    return 0;
}

int b2b2c_lead_points_history(const b2b2c_lead_model *m,
                              b2b2c_lead_points_history_cb cb, void *payload)
{
    hscan h;
    int rc;
    if ((rc = b2b2c__lead_read_begin(m, cb ? NULL : "cb", NULL)) != 0)
        return rc;
    memset(&h, 0, sizeof(h));
    h.ctx = m->ctx;
    rc = b2b2c__st_scan(m->ctx, T_POINTS, hist_row, &h);
    if (h.rc)
        rc = h.rc;
    if (rc == 0 && h.n > 1) /* h.r is NULL with no record */
        qsort(h.r, h.n, sizeof(*h.r), hrec_cmp);
    if (rc == 0) {
        for (size_t i = 0; i < h.n && rc == 0; i++)
            rc = hist_emit(m, &h.r[i], cb, payload);
    }
    for (size_t i = 0; i < h.n; i++)
        b2b2c__free(m->ctx, h.r[i].v);
    b2b2c__free(m->ctx, h.r);
    return rc;
}

/* ---- band changes with their reason ---------------------------------------- */

static int why_row(const b2b2c__list *l, const void *rec)
{
    const b2b2c_lead_model *m = l->h;
    const lead_rec *r = rec;
    int32_t b, o, why;
    int64_t at;
    b2b2c__lead_band_entry(m, r, l->now, &b, &o, &at);
    if (b == r->band || b == B2B2C_BAND_HOT)
        why = r->band_prev & LEAD_BAND_RESCORED ? B2B2C_LEAD_BAND_BY_RESCORE
                                                : B2B2C_LEAD_BAND_BY_EVENT;
    else
        why = B2B2C_LEAD_BAND_BY_DECAY;
    return ((b2b2c_lead_band_why_cb)l->cb)(r->id, o, b, at, why,
                                           l->userdata);
}

int b2b2c_lead_band_changes_why(const b2b2c_lead_model *m, int64_t since,
                                int64_t now, b2b2c_lead_band_why_cb cb,
                                void *payload)
{
    b2b2c__list l;
    int rc;
    if ((rc = b2b2c__lead_read_begin(m, cb ? NULL : "cb", &now)) != 0)
        return rc;
    if (since > now)
        return b2b2c__err(m->ctx, B2B2C_ERANGE, "since: after now");
    if ((rc = b2b2c__list_open(&l, m->ctx, (b2b2c__list_fn)cb, payload)) ||
        (rc = b2b2c__list_reserve(&l, m->nleads)))
        return rc;
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        int32_t b, o;
        int64_t at;
        b2b2c__lead_band_entry(m, r, now, &b, &o, &at);
        if (at >= since && at <= now)
            b2b2c__list_add(&l, r->id, r->idlen, r);
    }
    l.h = m;
    l.now = now;
    return b2b2c__list_emit(&l, why_row);
}
