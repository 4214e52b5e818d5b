/* SPDX-License-Identifier: MIT */
/*
 * Lead model: points learned from outcomes (issue 18). Suggested points
 * per event kind and attribute value from the stored training rows, the
 * rule score of a training row, and the cross-validated AUC and
 * calibration of a rule score. Method and sources: docs/lead-model.md,
 * "Points learned from outcomes".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lead_points.h"

/* Attribute values fitted at most (those with the most outcomes): the
 * Newton step solves a dense system of the fitted weights. */
#define PTS_MAX_ATTRS 256
#define PTS_MAX_PASSES 100

void b2b2c__lead_table_now(const b2b2c_lead_model *m, lead_table *t)
{
    for (uint32_t k = 0; k < m->nkinds; k++)
        t->kind[k] = m->kinds[k].points;
    memcpy(t->seg, m->seg_points, sizeof(t->seg));
    t->attr = NULL;
    t->warm = lead_param(m, B2B2C_LEAD_WARM_THRESHOLD);
    t->hot = lead_param(m, B2B2C_LEAD_HOT_THRESHOLD);
}

static double attr_pts(const b2b2c_lead_model *m, const lead_table *t,
                       uint32_t ix1)
{
    if (!ix1)
        return 0;
    return t->attr ? t->attr[ix1 - 1] : m->attrs[ix1 - 1]->points;
}

double b2b2c__lead_table_fit(const b2b2c_lead_model *m, const lead_table *t,
                             const lead_rec *r)
{
    return t->seg[r->segment] + attr_pts(m, t, r->chan) +
           attr_pts(m, t, r->region) + attr_pts(m, t, r->prod);
}

double b2b2c__lead_row_x(const b2b2c_lead_model *m, uint32_t kind,
                         double cnt)
{
    double cap = m->kinds[kind].cap_total;
    return cap > 0 && cnt > cap ? cap : cnt;
}

double b2b2c__lead_row_score(const b2b2c_lead_model *m, const lead_table *t,
                             const lead_row *w)
{
    double s = t->seg[w->segment] + attr_pts(m, t, w->chan) +
               attr_pts(m, t, w->region) + attr_pts(m, t, w->prod);
    for (uint32_t i = 0; i < w->nk; i++)
        s += t->kind[w->f[i].kind] *
             b2b2c__lead_row_x(m, w->f[i].kind, w->f[i].cnt);
    return s;
}

/* ---- the penalised logistic fit on the rule score's features ----------- */

typedef struct pfit {
    const b2b2c_lead_model *m;
    size_t dim;
    int32_t kpos[B2B2C_LEAD_EV_MAX]; /* weight index, -1: not fitted */
    int32_t spos[LEAD_NSEG];
    int32_t *apos;                   /* per attribute */
    double lam;
    double *g, *h;                   /* gradient, Hessian (dim x dim) */
} pfit;

/* The fitted features of row w: index and value pairs, bias first. */
static size_t row_feats(const pfit *p, const lead_row *w, int32_t *ix,
                        double *x)
{
    size_t n = 0;
    ix[n] = 0;
    x[n++] = 1;
    if (p->spos[w->segment] >= 0) {
        ix[n] = p->spos[w->segment];
        x[n++] = 1;
    }
    if (w->chan && p->apos[w->chan - 1] >= 0) {
        ix[n] = p->apos[w->chan - 1];
        x[n++] = 1;
    }
    if (w->region && p->apos[w->region - 1] >= 0) {
        ix[n] = p->apos[w->region - 1];
        x[n++] = 1;
    }
    if (w->prod && p->apos[w->prod - 1] >= 0) {
        ix[n] = p->apos[w->prod - 1];
        x[n++] = 1;
    }
    for (uint32_t i = 0; i < w->nk; i++) {
        uint32_t k = w->f[i].kind;
        double v;
        if (p->kpos[k] < 0)
            continue;
        v = b2b2c__lead_row_x(p->m, k, w->f[i].cnt);
        if (v != 0) {
            ix[n] = p->kpos[k];
            x[n++] = v;
        }
    }
    return n;
}

/*
 * One pass: the penalised mean log-loss
 *   J(b) = (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + (lam/2) |b|^2
 * (bias not penalised), its gradient (1/n) X'(p - y) + lam b and Hessian
 * (1/n) X'WX + lam I, W = diag(p_i (1 - p_i)) (Hosmer, Lemeshow &
 * Sturdivant, Applied Logistic Regression, 3rd ed. 2013, eqs. 1.3-1.4 and
 * sec. 2.2 (the information matrix X'VX); the penalty as le Cessie & van
 * Houwelingen 1992, "Ridge estimators in logistic regression", Appl.
 * Statist. 41:191, eq. 4).
 */
static double pass(pfit *p, const double *b, int want_h)
{
    const b2b2c_lead_model *m = p->m;
    size_t d = p->dim;
    double n = (double)m->nrows, f = 0;
    int32_t ix[B2B2C_LEAD_EV_MAX + 5];
    double x[B2B2C_LEAD_EV_MAX + 5];
    memset(p->g, 0, d * sizeof(double));
    if (want_h)
        memset(p->h, 0, d * d * sizeof(double));
    for (size_t i = 0; i < m->nrows; i++) {
        const lead_row *w = m->rows[i];
        size_t nf = row_feats(p, w, ix, x);
        double z = 0, e, pr, wt;
        for (size_t j = 0; j < nf; j++)
            z += b[ix[j]] * x[j];
        e = exp(-fabs(z));
        f += (z > 0 ? z : 0) + log1p(e) - (w->label ? z : 0);
        pr = z >= 0 ? 1 / (1 + e) : e / (1 + e);
        for (size_t j = 0; j < nf; j++)
            p->g[ix[j]] += (pr - w->label) * x[j];
        if (!want_h)
            continue;
        wt = pr * (1 - pr);
        for (size_t j = 0; j < nf; j++) {
            double *row = p->h + (size_t)ix[j] * d;
            double c = wt * x[j];
            for (size_t l = 0; l < nf; l++)
                row[ix[l]] += c * x[l];
        }
    }
    f /= n;
    for (size_t j = 0; j < d; j++) {
        p->g[j] = p->g[j] / n + (j ? p->lam * b[j] : 0);
        if (j)
            f += 0.5 * p->lam * b[j] * b[j];
    }
    if (want_h)
        for (size_t j = 0; j < d * d; j++)
            p->h[j] /= n;
    if (want_h)
        for (size_t j = 1; j < d; j++)
            p->h[j * d + j] += p->lam;
    return f;
}

/* Cholesky factor of the symmetric positive definite a (d x d, lower
 * triangle in place; Golub & Van Loan, Matrix Computations, 4th ed.,
 * alg. 4.2.1). Returns 0, or -1 when a is not positive definite. */
static int cholesky(double *a, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        double s = a[j * d + j];
        for (size_t k = 0; k < j; k++)
            s -= a[j * d + k] * a[j * d + k];
        if (!(s > 0))
            return -1;
        s = sqrt(s);
        a[j * d + j] = s;
        for (size_t i = j + 1; i < d; i++) {
            double t = a[i * d + j];
            for (size_t k = 0; k < j; k++)
                t -= a[i * d + k] * a[j * d + k];
            a[i * d + j] = t / s;
        }
    }
    return 0;
}

/* Solve L L' x = b in place (L from cholesky). */
static void chol_solve(const double *l, size_t d, double *b)
{
    for (size_t i = 0; i < d; i++) {
        for (size_t k = 0; k < i; k++)
            b[i] -= l[i * d + k] * b[k];
        b[i] /= l[i * d + i];
    }
    for (size_t i = d; i-- > 0;) {
        for (size_t k = i + 1; k < d; k++)
            b[i] -= l[k * d + i] * b[k];
        b[i] /= l[i * d + i];
    }
}

/* Newton-Raphson with step halving (Hosmer et al. 2013, sec. 1.3; the
 * penalised form converges from 0 for any data). On return b is the
 * minimum and var[j] the diagonal of the inverse of the unnormalised
 * information matrix n H (the estimates' variances). Returns 0, -1 when
 * the Hessian is not positive definite. */
static int newton(pfit *p, double *b, double *var, double *work)
{
    size_t d = p->dim;
    double *step = work, *bt = step + d, f;
    int passes = 0;
    f = pass(p, b, 1);
    passes++;
    for (;;) {
        double t = 1, ft, big = 0;
        if (cholesky(p->h, d))
            return -1;
        memcpy(step, p->g, d * sizeof(double));
        chol_solve(p->h, d, step);
        for (size_t j = 0; j < d; j++)
            big = fmax(big, fabs(step[j]));
        if (big < 1e-10 || passes >= PTS_MAX_PASSES)
            break;
        for (;;) {
            for (size_t j = 0; j < d; j++)
                bt[j] = b[j] - t * step[j];
            ft = pass(p, bt, 0);
            passes++;
            if (ft <= f + 1e-15 * fabs(f) || t < 1e-10 ||
                passes >= PTS_MAX_PASSES)
                break;
            t *= 0.5;
        }
        memcpy(b, bt, d * sizeof(double));
        f = pass(p, b, 1);
        passes++;
    }
    /* var = diag((n H)^-1) from the factor: solve for each unit vector */
    for (size_t j = 0; j < d; j++) {
        memset(step, 0, d * sizeof(double));
        step[j] = 1;
        chol_solve(p->h, d, step);
        var[j] = step[j] / (double)p->m->nrows;
    }
    return 0;
}

/* ---- the suggestion --------------------------------------------------- */

typedef struct sugg {
    char name[B2B2C__ID_MAX + 16];
    double cur, sug, se;
    int64_t n;
} sugg;

static int sugg_cmp(const void *a, const void *b)
{
    return strcmp(((const sugg *)a)->name, ((const sugg *)b)->name);
}

typedef struct cnt_ix {
    int64_t n;
    uint32_t ix;
} cnt_ix;

static int cnt_ix_cmp(const void *a, const void *b)
{
    const cnt_ix *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->ix < y->ix ? -1 : x->ix > y->ix;
}

static const char *const attr_prefix[] = {"segment", "channel", "region",
                                          "product_line"};

static int suggest_run(const b2b2c_lead_model *m, double min_n,
                       b2b2c_lead_points_cb cb, void *payload)
{
    b2b2c_ctx *ctx = m->ctx;
    int64_t kn[B2B2C_LEAD_EV_MAX] = {0}, sn[LEAD_NSEG] = {0}, *an = NULL;
    cnt_ix *order = NULL;
    pfit p;
    double *b = NULL, *var = NULL, *work = NULL, scale, num = 0, den = 0,
           rms_p = 0, rms_b = 0;
    sugg *out = NULL;
    size_t nout = 0, nfit_a = 0;
    int32_t ref = -1;
    int rc = 0;

    memset(&p, 0, sizeof(p));
    p.m = m;
    an = b2b2c__malloc(ctx, (m->nattrs + 1) * sizeof(*an));
    p.apos = b2b2c__malloc(ctx, (m->nattrs + 1) * sizeof(*p.apos));
    order = b2b2c__malloc(ctx, (m->nattrs + 1) * sizeof(*order));
    out = b2b2c__malloc(ctx, (m->nkinds + LEAD_NSEG + m->nattrs) *
                                 sizeof(*out));
    if (!an || !p.apos || !order || !out) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    memset(an, 0, (m->nattrs + 1) * sizeof(*an));
    /* outcomes behind each feature: rows in which it is not 0 */
    for (size_t i = 0; i < m->nrows; i++) {
        const lead_row *w = m->rows[i];
        sn[w->segment]++;
        if (w->chan)
            an[w->chan - 1]++;
        if (w->region)
            an[w->region - 1]++;
        if (w->prod)
            an[w->prod - 1]++;
        for (uint32_t k = 0; k < w->nk; k++)
            if (w->f[k].cnt > 0)
                kn[w->f[k].kind]++;
    }
    p.dim = 1;
    for (uint32_t k = 0; k < m->nkinds; k++)
        p.kpos[k] = (double)kn[k] >= min_n ? (int32_t)p.dim++ : -1;
    /* the segment with the most outcomes is the reference (weight 0): the
     * one-hot segments and the bias would be collinear otherwise */
    for (int s = 0; s < LEAD_NSEG; s++)
        if (ref < 0 || sn[s] > sn[ref])
            ref = s;
    for (int s = 0; s < LEAD_NSEG; s++)
        p.spos[s] = s != ref && (double)sn[s] >= min_n ? (int32_t)p.dim++
                                                       : -1;
    for (size_t a = 0; a < m->nattrs; a++) {
        order[a].n = an[a];
        order[a].ix = (uint32_t)a;
        p.apos[a] = -1;
    }
    qsort(order, m->nattrs, sizeof(*order), cnt_ix_cmp);
    for (size_t a = 0; a < m->nattrs && nfit_a < PTS_MAX_ATTRS; a++)
        if ((double)order[a].n >= min_n) {
            p.apos[order[a].ix] = (int32_t)p.dim++;
            nfit_a++;
        }
    /* the lead model's L2 penalty; a floor keeps the information matrix
     * positive definite when one-hot attributes cover every row */
    p.lam = fmax(lead_param(m, B2B2C_LEAD_L2), 1e-6);
    if (p.dim > SIZE_MAX / sizeof(double) / (p.dim + 8)) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    b = b2b2c__malloc(ctx, p.dim * 4 * sizeof(double));
    p.h = b2b2c__malloc(ctx, p.dim * p.dim * sizeof(double));
    if (!b || !p.h) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    var = b + p.dim;
    p.g = var + p.dim;
    work = b2b2c__malloc(ctx, 2 * p.dim * sizeof(double));
    if (!work) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto done;
    }
    memset(b, 0, p.dim * sizeof(double));
    b[0] = log((double)m->nwon / (double)(m->nrows - m->nwon));
    if (newton(&p, b, var, work)) {
        rc = b2b2c__err(ctx, B2B2C_ENOTREADY,
                        "model: the outcomes do not determine the points "
                        "(the information matrix is singular)");
        goto done;
    }
    /* Points per unit of log-odds (Sullivan, Massaro & D'Agostino 2004,
     * "Presentation of multivariate data for clinical use: the Framingham
     * Study risk score functions", Stat Med 23:1631, step 4, "the constant
     * B": points = beta / B). Here 1/B is the least-squares fit of the
     * current points of the fitted kinds that have points, s = sum p b /
     * sum b^2; when that is not positive (the data reverse the current
     * points on balance) the ratio of their root mean squares; when no
     * fitted kind has points, 10 points per unit of log-odds. */
    for (uint32_t k = 0; k < m->nkinds; k++) {
        double pk = m->kinds[k].points, bk;
        if (p.kpos[k] < 0 || pk == 0)
            continue;
        bk = b[p.kpos[k]];
        num += pk * bk;
        den += bk * bk;
        rms_p += pk * pk;
        rms_b += bk * bk;
    }
    if (den > 0 && num > 0)
        scale = num / den;
    else if (rms_b > 0)
        scale = sqrt(rms_p / rms_b);
    else
        scale = 10;
    for (uint32_t k = 0; k < m->nkinds; k++) {
        sugg *o = &out[nout++];
        snprintf(o->name, sizeof(o->name), "kind:%s", m->kinds[k].name);
        o->cur = m->kinds[k].points;
        o->n = kn[k];
        o->sug = p.kpos[k] >= 0 ? scale * b[p.kpos[k]] : o->cur;
        o->se = p.kpos[k] >= 0 ? scale * sqrt(var[p.kpos[k]]) : NAN;
    }
    for (int s = 0; s < LEAD_NSEG; s++) {
        sugg *o = &out[nout++];
        snprintf(o->name, sizeof(o->name), "segment:%s",
                 b2b2c_segment_name(s));
        o->cur = m->seg_points[s];
        o->n = sn[s];
        /* relative to the reference segment, which keeps its points */
        o->sug = p.spos[s] >= 0 ? m->seg_points[ref] + scale * b[p.spos[s]]
                                : o->cur;
        o->se = p.spos[s] >= 0 ? scale * sqrt(var[p.spos[s]]) : NAN;
    }
    for (size_t a = 0; a < m->nattrs; a++) {
        const lead_attr *at = m->attrs[a];
        sugg *o = &out[nout++];
        snprintf(o->name, sizeof(o->name), "%s:%.*s",
                 attr_prefix[at->attr], (int)(at->klen - 1), at->key + 1);
        o->cur = at->points;
        o->n = an[a];
        o->sug = p.apos[a] >= 0 ? scale * b[p.apos[a]] : o->cur;
        o->se = p.apos[a] >= 0 ? scale * sqrt(var[p.apos[a]]) : NAN;
    }
    qsort(out, nout, sizeof(*out), sugg_cmp);
    b2b2c__cb_enter(ctx);
    for (size_t i = 0; i < nout && rc == 0; i++)
        rc = cb(out[i].name, out[i].cur, out[i].sug, out[i].se, out[i].n,
                payload);
    b2b2c__cb_leave(ctx);
done:
    b2b2c__free(ctx, an);
    b2b2c__free(ctx, p.apos);
    b2b2c__free(ctx, order);
    b2b2c__free(ctx, out);
    b2b2c__free(ctx, b);
    b2b2c__free(ctx, p.h);
    b2b2c__free(ctx, work);
    return rc;
}

int b2b2c_lead_suggest_points(const b2b2c_lead_model *m, double min_outcomes,
                              b2b2c_lead_points_cb cb, void *payload)
{
    int rc;
    if ((rc = b2b2c__lead_read_begin(m, cb ? NULL : "cb", NULL)) != 0)
        return rc;
    if (isnan(min_outcomes))
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "min_outcomes: NaN");
    if (min_outcomes == 0)
        min_outcomes = B2B2C_LEAD_POINTS_MIN_OUTCOMES;
    if (min_outcomes < 1 || min_outcomes > 1e9)
        return b2b2c__err(m->ctx, B2B2C_ERANGE,
                          "min_outcomes: outside [1, 1e9] (0: the default "
                          "%d)",
                          B2B2C_LEAD_POINTS_MIN_OUTCOMES);
    if (!b2b2c__lead_ready(m)) {
        double need = lead_param(m, B2B2C_LEAD_MIN_OUTCOMES);
        return b2b2c__err(m->ctx, B2B2C_ENOTREADY,
                          "model: %zu outcomes (%zu won), needs %.0f with "
                          "both won and lost",
                          m->nrows, m->nwon, need);
    }
    return suggest_run(m, min_outcomes, cb, payload);
}

/* ---- cross-validated AUC and calibration ------------------------------ */

typedef struct sy {
    double s;
    uint8_t y;
} sy;

static int sy_cmp(const void *a, const void *b)
{
    double x = ((const sy *)a)->s, y = ((const sy *)b)->s;
    return x < y ? -1 : x > y;
}

/* AUC as the Mann-Whitney statistic with mid-ranks for ties (Hanley &
 * McNeil 1982, "The meaning and use of the area under a receiver
 * operating characteristic (ROC) curve", Radiology 143:29, eq. 2). v is
 * sorted here. NaN without both classes. */
static double auc_of(sy *v, size_t n)
{
    double rpos = 0, npos = 0;
    qsort(v, n, sizeof(*v), sy_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double pos = 0, rank;
        while (j < n && v[j].s == v[i].s)
            pos += v[j++].y;
        rank = ((double)i + 1 + (double)j) / 2; /* mid-rank, 1-based */
        rpos += pos * rank;
        npos += pos;
        i = j;
    }
    if (npos == 0 || npos == (double)n)
        return NAN;
    return (rpos - npos * (npos + 1) / 2) / (npos * ((double)n - npos));
}

/* Platt scaling, P = 1 / (1 + exp(-(a + b z))) fitted by Newton on the
 * rows outside fold f (Platt 1999, "Probabilistic outputs for support
 * vector machines", sec. 2.1; a 1e-9 ridge keeps it finite on separable
 * rows), from (*a, *b) (the previous fold's fit: the folds' fits are
 * close, so few steps are left). z is the standardised score. */
static void platt(const b2b2c_lead_model *m, const double *z,
                  const uint32_t *fold, uint32_t f, double *a, double *b)
{
    double pa = *a, pb = *b;
    for (int it = 0; it < 50; it++) {
        double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9, det, da, db;
        for (size_t i = 0; i < m->nrows; i++) {
            double p, w;
            if (fold[i] == f)
                continue;
            p = 1 / (1 + exp(-(pa + pb * z[i])));
            w = p * (1 - p);
            ga += p - m->rows[i]->label;
            gb += (p - m->rows[i]->label) * z[i];
            haa += w;
            hab += w * z[i];
            hbb += w * z[i] * z[i];
        }
        ga += 1e-9 * pa;
        gb += 1e-9 * pb;
        det = haa * hbb - hab * hab;
        if (!(det > 0))
            break;
        da = (hbb * ga - hab * gb) / det;
        db = (haa * gb - hab * ga) / det;
        pa -= da;
        pb -= db;
        if (fabs(da) + fabs(db) < 1e-10)
            break;
    }
    *a = pa;
    *b = pb;
}

int b2b2c__lead_cv(const b2b2c_lead_model *m, const double *s,
                   const uint32_t *fold, int32_t k, double *out)
{
    size_t n = m->nrows, nv = 0;
    double mean = 0, sd = 0, brier = 0, ll = 0, asum = 0, asq = 0, a = 0,
           b = 0;
    int na = 0;
    double *z;
    sy *v;
    for (int i = 0; i < 4; i++)
        out[i] = NAN;
    if (n < 2 || m->nwon == 0 || m->nwon == n)
        return 0;
    z = b2b2c__malloc(m->ctx, n * sizeof(*z));
    v = b2b2c__malloc(m->ctx, n * sizeof(*v));
    if (!z || !v) {
        b2b2c__free(m->ctx, z);
        b2b2c__free(m->ctx, v);
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        mean += s[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        sd += (s[i] - mean) * (s[i] - mean);
    sd = sqrt(sd / (double)n);
    for (size_t i = 0; i < n; i++)
        z[i] = sd > 0 ? (s[i] - mean) / sd : 0;
    for (int32_t f = 0; f < k; f++) {
        double auc;
        size_t c = 0;
        platt(m, z, fold, (uint32_t)f, &a, &b);
        for (size_t i = 0; i < n; i++) {
            double p, y;
            if (fold[i] != (uint32_t)f)
                continue;
            y = m->rows[i]->label;
            p = 1 / (1 + exp(-(a + b * z[i])));
            p = fmin(fmax(p, 1e-15), 1 - 1e-15);
            /* Brier 1950, Monthly Weather Review 78:1, eq. 1; log loss,
             * the mean negative log-likelihood */
            brier += (p - y) * (p - y);
            ll -= y ? log(p) : log1p(-p);
            v[c].s = s[i];
            v[c++].y = (uint8_t)y;
            nv++;
        }
        auc = auc_of(v, c);
        if (!isnan(auc)) {
            asum += auc;
            asq += auc * auc;
            na++;
        }
    }
    if (na > 0) {
        double mu = asum / na;
        out[0] = mu;
        /* standard error of the mean of the folds' AUCs */
        out[1] = na > 1 ? sqrt(fmax(asq / na - mu * mu, 0) * na / (na - 1) /
                               na)
                        : NAN;
    }
    if (nv > 0) {
        out[2] = brier / (double)nv;
        out[3] = ll / (double)nv;
    }
    b2b2c__free(m->ctx, z);
    b2b2c__free(m->ctx, v);
    return 0;
}
