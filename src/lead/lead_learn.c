/* SPDX-License-Identifier: MIT */
/* Lead model: learned conversion probability (regularised logistic
 * regression, online SGD per outcome, batch refit) and its factors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lead_internal.h"

/* Features of one lead or stored row: log1p of the decayed count and of the
 * decayed value sum per kind seen, plus one-hot segment, channel, region
 * and product line. log1p keeps heavy users from dominating the log-odds. */
typedef struct feat {
    uint8_t seg;
    uint32_t chan, region, prod;
    uint32_t nk;
    uint32_t kind[B2B2C_LEAD_EV_MAX];
    double xc[B2B2C_LEAD_EV_MAX], xv[B2B2C_LEAD_EV_MAX];
} feat;

static void feat_lead(const b2b2c_lead_model *m, const lead_rec *r,
                      int64_t now, feat *f)
{
    double d = b2b2c__lead_decay(m, r->t0, now);
    f->seg = r->segment;
    f->chan = r->chan;
    f->region = r->region;
    f->prod = r->prod;
    f->nk = r->nk;
    for (uint32_t i = 0; i < r->nk; i++) {
        f->kind[i] = r->ks[i].kind;
        f->xc[i] = log1p(r->ks[i].cnt * d);
        f->xv[i] = log1p(r->ks[i].val * d);
    }
}

static void feat_row(const lead_row *w, feat *f)
{
    f->seg = w->segment;
    f->chan = w->chan;
    f->region = w->region;
    f->prod = w->prod;
    f->nk = w->nk;
    for (uint32_t i = 0; i < w->nk; i++) {
        f->kind[i] = w->f[i].kind;
        f->xc[i] = log1p(w->f[i].cnt);
        f->xv[i] = log1p(w->f[i].val);
    }
}

static double feat_logit(const b2b2c_lead_model *m, const feat *f)
{
    double z = m->bias + m->seg_w[f->seg];
    if (f->chan)
        z += m->attrs[f->chan - 1]->w;
    if (f->region)
        z += m->attrs[f->region - 1]->w;
    if (f->prod)
        z += m->attrs[f->prod - 1]->w;
    for (uint32_t i = 0; i < f->nk; i++) {
        const lead_kind *k = &m->kinds[f->kind[i]];
        z += k->w_cnt * f->xc[i] + k->w_val * f->xv[i];
    }
    return z;
}

static double sigmoid(double z)
{
    /* logistic function, Bishop 2006 (PRML) eq. 4.59 */
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    {
        double e = exp(z);
        return e / (1.0 + e);
    }
}

double b2b2c__lead_logit(const b2b2c_lead_model *m, const lead_rec *r,
                         int64_t now)
{
    double d, z;
    if (now < r->t0)
        now = r->t0;
    d = b2b2c__lead_decay(m, r->t0, now);
    z = m->bias + m->seg_w[r->segment];
    if (r->chan)
        z += m->attrs[r->chan - 1]->w;
    if (r->region)
        z += m->attrs[r->region - 1]->w;
    if (r->prod)
        z += m->attrs[r->prod - 1]->w;
    for (uint32_t i = 0; i < r->nk; i++) {
        const lead_kind *k = &m->kinds[r->ks[i].kind];
        z += k->w_cnt * log1p(r->ks[i].cnt * d) +
             k->w_val * log1p(r->ks[i].val * d);
    }
    return z;
}

int b2b2c__lead_ready(const b2b2c_lead_model *m)
{
    return (double)m->nrows >= lead_param(m, B2B2C_LEAD_MIN_OUTCOMES) &&
           m->nwon > 0 && m->nwon < m->nrows;
}

static int not_ready(const b2b2c_lead_model *m)
{
    return b2b2c__err(m->ctx, B2B2C_ENOTREADY,
                      "model: %zu outcomes (%zu won), needs %g with both "
                      "won and lost",
                      m->nrows, m->nwon,
                      lead_param(m, B2B2C_LEAD_MIN_OUTCOMES));
}

/*
 * One SGD step on the L2-regularised cross-entropy: the gradient of the
 * cross-entropy for logistic regression is (p - y) x (Bishop 2006, PRML
 * eq. 4.91), the penalty (lambda/2)|w|^2 adds lambda w (PRML eq. 3.27);
 * the step w <- w - eta * grad follows Bottou 2010, eq. 2. The penalty is
 * applied to the weights of features present in the row (sparse update);
 * the bias is not penalised.
 */
static void sgd_step(b2b2c_lead_model *m, const feat *f, int y, double eta)
{
    double lam = lead_param(m, B2B2C_LEAD_L2);
    double g = (double)y - sigmoid(feat_logit(m, f));
    lead_attr *a;
    m->bias += eta * g;
    m->seg_w[f->seg] += eta * (g - lam * m->seg_w[f->seg]);
    if (f->chan) {
        a = m->attrs[f->chan - 1];
        a->w += eta * (g - lam * a->w);
    }
    if (f->region) {
        a = m->attrs[f->region - 1];
        a->w += eta * (g - lam * a->w);
    }
    if (f->prod) {
        a = m->attrs[f->prod - 1];
        a->w += eta * (g - lam * a->w);
    }
    for (uint32_t i = 0; i < f->nk; i++) {
        lead_kind *k = &m->kinds[f->kind[i]];
        k->w_cnt += eta * (g * f->xc[i] - lam * k->w_cnt);
        k->w_val += eta * (g * f->xv[i] - lam * k->w_val);
    }
}

static int write_row(b2b2c_lead_model *m, const lead_row *w, uint32_t seq)
{
    b2b2c__wbuf b;
    char key[4];
    key[0] = (char)(seq >> 24);
    key[1] = (char)(seq >> 16);
    key[2] = (char)(seq >> 8);
    key[3] = (char)seq;
    b2b2c__enc_begin(&b, &m->ctx->mem, 1);
    b2b2c__enc_u8(&b, w->label);
    b2b2c__enc_u8(&b, w->segment);
    b2b2c__enc_u32(&b, w->chan);
    b2b2c__enc_u32(&b, w->region);
    b2b2c__enc_u32(&b, w->prod);
    b2b2c__enc_u32(&b, w->nk);
    for (uint32_t i = 0; i < w->nk; i++) {
        b2b2c__enc_u32(&b, w->f[i].kind);
        b2b2c__enc_f64(&b, w->f[i].cnt);
        b2b2c__enc_f64(&b, w->f[i].val);
    }
    return b2b2c__st_put_rec(m->ctx, T_TRAIN, key, 4, &b);
}

static int save_attr_w(b2b2c_lead_model *m, uint32_t ix)
{
    if (!ix)
        return 0;
    return b2b2c__undo_save(m->ctx, &m->attrs[ix - 1]->w, sizeof(double));
}

static int put_attr(b2b2c_lead_model *m, uint32_t ix)
{
    return ix ? b2b2c__lead_write_attr(m, m->attrs[ix - 1]) : 0;
}

static int outcome_body(b2b2c_lead_model *m, const char *id, int32_t won,
                        int64_t now)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_rec *r;
    lead_row *row;
    feat *f;
    double d;
    int rc;

    if (!(r = b2b2c__lead_find(m, id, &rc)))
        return rc;
    if (won != 0 && won != 1)
        return b2b2c__err(ctx, B2B2C_EINVAL, "won: must be 0 or 1");
    if (m->nrows >= 100000000u)
        return b2b2c__err(ctx, B2B2C_ERANGE, "model: too many outcomes");
    if (m->nrows == m->caprows &&
        b2b2c__grow(&ctx->mem, (void **)&m->rows, &m->caprows, m->nrows + 1,
                    sizeof(*m->rows)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    row = b2b2c__malloc(ctx, sizeof(*row) + r->nk * sizeof(row->f[0]));
    if (!row)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_free_on_fail(ctx, row)) != 0) {
        b2b2c__free(ctx, row);
        return rc;
    }
    d = b2b2c__lead_decay(m, r->t0, now);
    row->label = (uint8_t)won;
    row->segment = r->segment;
    row->chan = r->chan;
    row->region = r->region;
    row->prod = r->prod;
    row->nk = r->nk;
    for (uint32_t i = 0; i < r->nk; i++) {
        row->f[i].kind = r->ks[i].kind;
        row->f[i].cnt = r->ks[i].cnt * d;
        row->f[i].val = r->ks[i].val * d;
    }
    if ((rc = b2b2c__undo_save(ctx, &m->nrows, sizeof(m->nrows))) ||
        (rc = b2b2c__undo_save(ctx, &m->nwon, sizeof(m->nwon))) ||
        (rc = b2b2c__undo_save(ctx, &m->bias, sizeof(m->bias))) ||
        (rc = b2b2c__undo_save(ctx, m->seg_w, sizeof(m->seg_w))) ||
        (rc = save_attr_w(m, row->chan)) ||
        (rc = save_attr_w(m, row->region)) ||
        (rc = save_attr_w(m, row->prod)))
        return rc;
    for (uint32_t i = 0; i < row->nk; i++)
        if ((rc = b2b2c__undo_save(ctx, &m->kinds[row->f[i].kind],
                                   sizeof(lead_kind))) != 0)
            return rc;
    m->rows[m->nrows] = row;
    if ((rc = write_row(m, row, (uint32_t)m->nrows)) != 0)
        return rc;
    m->nrows++;
    m->nwon += (size_t)won;
    if (!(f = b2b2c__malloc(ctx, sizeof(*f))))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    feat_row(row, f);
    sgd_step(m, f, won, lead_param(m, B2B2C_LEAD_LEARNING_RATE));
    b2b2c__free(ctx, f);
    if ((rc = b2b2c__lead_write_model(m)) || (rc = put_attr(m, row->chan)) ||
        (rc = put_attr(m, row->region)) || (rc = put_attr(m, row->prod)))
        return rc;
    return 0;
}

int b2b2c_lead_outcome(b2b2c_lead_model *m, const char *id, int32_t won,
                       int64_t now)
{
    int rc;
    if ((rc = b2b2c__lead_begin(m, NULL, &now)) != 0)
        return rc;
    B2B2C__CALL(rc, m->ctx, m, outcome_body(m, id, won, now));
    return rc;
}

/*
 * Batch refit: minimise the penalised mean log-loss
 *   J(w) = (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + (lambda/2) |w|^2
 * (cross-entropy, Bishop 2006, PRML eq. 4.90; penalty eq. 3.27; the bias is
 * not in |w|) by L-BFGS: Nocedal & Wright, Numerical Optimization, 2nd ed.
 * 2006, alg. 7.4 (two-loop recursion) and 7.5, initial scaling eq. 7.20,
 * backtracking line search alg. 3.1 with the sufficient-decrease condition
 * eq. 3.4 (J is convex, so no curvature condition is needed for y's > 0,
 * and a pair with y's <= 0 is skipped). Each evaluation of J and its
 * gradient is one pass over the rows. It stops when the largest gradient
 * component is below REFIT_GTOL (converged: in particular the bias's,
 * mean(p - y), so the mean predicted probability on the rows equals their
 * won rate), or after B2B2C_LEAD_REFIT_EPOCHS passes, or when no step
 * along the search direction lowers J any more (not converged).
 *
 * Weight vector layout: bias, the segment weights, the attribute weights,
 * then per kind its count and value weights.
 */
#define REFIT_GTOL 1e-6
#define REFIT_MEM B2B2C__LEAD_REFIT_MEM

typedef struct refit {
    b2b2c_lead_model *m;
    const double *x; /* log1p features of the rows, 2 per kind seen */
    double lam;
    size_t dim, kind0; /* kind0: index of the first kind weight */
    int passes;
    /* The diagonal of the Hessian of J at the start, which the first pass
     * fills in: the optimizer's scaling (preconditioner). */
    double *h;
} refit;

/* out += c * phi(x) for a row's features phi: x itself (the row's term of
 * the gradient, c = p - y, PRML eq. 4.91) or, when `sq`, x^2 (of the
 * Hessian's diagonal, c = p (1 - p), PRML eq. 4.97). One-hot features are
 * 1 either way. Attribute ix + 1 is at out[1 + NSEG + ix]. */
static void row_add(const refit *r, const lead_row *row, const double *x,
                    double c, int sq, double *out)
{
    out[0] += c;
    out[1 + row->segment] += c;
    if (row->chan)
        out[LEAD_NSEG + row->chan] += c;
    if (row->region)
        out[LEAD_NSEG + row->region] += c;
    if (row->prod)
        out[LEAD_NSEG + row->prod] += c;
    for (uint32_t k = 0; k < row->nk; k++) {
        size_t j = r->kind0 + 2 * (size_t)row->f[k].kind;
        double xc = x[2 * k], xv = x[2 * k + 1];
        out[j] += c * (sq ? xc * xc : xc);
        out[j + 1] += c * (sq ? xv * xv : xv);
    }
}

static double refit_eval(refit *r, const double *w, double *g)
{
    const b2b2c_lead_model *m = r->m;
    const double *x = r->x;
    double n = (double)m->nrows, f = 0;
    memset(g, 0, r->dim * sizeof(*g));
    r->passes++;
    for (size_t i = 0; i < m->nrows; i++) {
        const lead_row *row = m->rows[i];
        double z = w[0] + w[1 + row->segment], d, e;
        size_t a0 = LEAD_NSEG; /* attribute ix + 1 is at w[1 + NSEG + ix] */
        if (row->chan)
            z += w[a0 + row->chan];
        if (row->region)
            z += w[a0 + row->region];
        if (row->prod)
            z += w[a0 + row->prod];
        for (uint32_t k = 0; k < row->nk; k++) {
            size_t j = r->kind0 + 2 * (size_t)row->f[k].kind;
            z += w[j] * x[2 * k] + w[j + 1] * x[2 * k + 1];
        }
        /* log(1 + e^z) - y z, and dJ/dz_i = p_i - y_i (PRML eq. 4.91),
         * from one exp(-|z|) without overflow (PRML eq. 4.59) */
        e = exp(-fabs(z));
        f += (z > 0 ? z : 0) + log1p(e) - (row->label ? z : 0);
        d = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - row->label;
        row_add(r, row, x, d, 0, g);
        if (r->passes == 1)
            row_add(r, row, x, e / ((1 + e) * (1 + e)), 1, r->h);
        x += 2 * (size_t)row->nk;
    }
    f /= n;
    g[0] /= n;
    if (r->passes == 1)
        for (size_t j = 0; j < r->dim; j++) /* > 0 for features no row has */
            r->h[j] = fmax(r->h[j] / n + (j ? r->lam : 0), 1e-12);
    for (size_t j = 1; j < r->dim; j++) {
        g[j] = g[j] / n + r->lam * w[j];
        f += 0.5 * r->lam * w[j] * w[j];
    }
    return f;
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static double max_abs(const double *a, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s = fabs(a[i]) > s ? fabs(a[i]) : s;
    return s;
}

static int refit_eval_cb(void *r, const double *w, double *f, double *g)
{
    *f = refit_eval(r, w, g);
    return 0;
}

/* Minimise from w (in place) the J that eval gives (0, or an error code
 * that stops the minimisation and is returned); *passes counts eval's
 * passes (eval keeps it), h is the Hessian's diagonal that eval's first
 * call fills. `work` holds (2 REFIT_MEM + 4) dim + 2 REFIT_MEM doubles.
 * The initial inverse Hessian of the
 * two-loop recursion is gamma diag(1/h), h the Hessian's diagonal at the
 * start, gamma as N&W eq. 7.20 in that metric: the same as L-BFGS on the
 * variables sqrt(h) w (diagonal scaling, N&W sec. 2.2 "Scaling"), so that
 * features on different scales (the one-hot of a rare channel, the log of
 * a value sum) converge alike. Returns the B2B2C_FIT_* status: CONVERGED
 * when the gradient test was met, MAX_ITER when the passes ran out first,
 * STALLED when no step lowered J any more, into *status. */
int b2b2c__lead_lbfgs(int32_t *status, b2b2c__lead_eval_fn eval, void *ud,
                      const int *passes, size_t n, const double *h, double *w,
                      double *work, int max_passes)
{
    double *g = work, *d = g + n, *wt = d + n, *gt = wt + n;
    double *s = gt + n, *y = s + REFIT_MEM * n;
    double *rho = y + REFIT_MEM * n, *al = rho + REFIT_MEM;
    double f = 0, gamma = 1;
    int used = 0, head = 0, rc;

    if ((rc = eval(ud, w, &f, g)) != 0)
        return rc;

    while (max_abs(g, n) > REFIT_GTOL) {
        double dg, step = 1, ft = 0;
        int ok = 0;
        /* d = -H g by the two-loop recursion (N&W alg. 7.4) */
        for (size_t i = 0; i < n; i++)
            d[i] = -g[i];
        for (int k = 0; k < used; k++) {
            int ix = (head - 1 - k + REFIT_MEM) % REFIT_MEM;
            al[ix] = rho[ix] * dot(s + ix * n, d, n);
            for (size_t i = 0; i < n; i++)
                d[i] -= al[ix] * y[ix * n + i];
        }
        for (size_t i = 0; i < n; i++)
            d[i] *= gamma / h[i];
        for (int k = used - 1; k >= 0; k--) {
            int ix = (head - 1 - k + REFIT_MEM) % REFIT_MEM;
            double b = rho[ix] * dot(y + ix * n, d, n);
            for (size_t i = 0; i < n; i++)
                d[i] += (al[ix] - b) * s[ix * n + i];
        }
        dg = dot(d, g, n);
        if (!(dg < 0)) { /* not a descent direction: restart */
            for (size_t i = 0; i < n; i++)
                d[i] = -g[i] / h[i];
            dg = dot(d, g, n);
            used = 0;
        }
        /* backtracking to sufficient decrease (N&W eq. 3.4, c1 = 1e-4) */
        while (*passes < max_passes) {
            for (size_t i = 0; i < n; i++)
                wt[i] = w[i] + step * d[i];
            if ((rc = eval(ud, wt, &ft, gt)) != 0)
                return rc;
            if (isfinite(ft) && ft <= f + 1e-4 * step * dg) {
                ok = 1;
                break;
            }
            step *= 0.5;
            if (step < 1e-20)
                break;
        }
        if (!ok) {
            *status = B2B2C_FIT_STALLED;
            return 0;
        }
        {
            double *sk = s + head * n, *yk = y + head * n, sy, yy = 0;
            for (size_t i = 0; i < n; i++) {
                sk[i] = wt[i] - w[i];
                yk[i] = gt[i] - g[i];
            }
            sy = dot(sk, yk, n);
            for (size_t i = 0; i < n; i++)
                yy += yk[i] * yk[i] / h[i];
            if (sy > 1e-12 * yy && yy > 0) {
                rho[head] = 1 / sy;
                gamma = sy / yy; /* N&W eq. 7.20, in the scaled metric */
                head = (head + 1) % REFIT_MEM;
                used += used < REFIT_MEM;
            }
        }
        memcpy(w, wt, n * sizeof(*w));
        memcpy(g, gt, n * sizeof(*g));
        f = ft;
        if (*passes >= max_passes) {
            *status = max_abs(g, n) <= REFIT_GTOL ? B2B2C_FIT_CONVERGED
                                                  : B2B2C_FIT_MAX_ITER;
            return 0;
        }
    }
    *status = B2B2C_FIT_CONVERGED;
    return 0;
}

/* Weights from the vector layout of refit_eval. */
static void weights_set(b2b2c_lead_model *m, const double *w)
{
    size_t j = 0;
    m->bias = w[j++];
    for (int s = 0; s < LEAD_NSEG; s++)
        m->seg_w[s] = w[j++];
    for (size_t i = 0; i < m->nattrs; i++)
        m->attrs[i]->w = w[j++];
    for (uint32_t k = 0; k < m->nkinds; k++) {
        m->kinds[k].w_cnt = w[j++];
        m->kinds[k].w_val = w[j++];
    }
}

static int refit_body(b2b2c_lead_model *m, int32_t *status, int32_t *passes)
{
    b2b2c_ctx *ctx = m->ctx;
    refit r;
    double *x = NULL, *w = NULL;
    size_t nx = 0, k = 0;
    int rc;

    if (!b2b2c__lead_ready(m))
        return not_ready(m);
    memset(&r, 0, sizeof(r));
    r.m = m;
    r.lam = lead_param(m, B2B2C_LEAD_L2);
    r.kind0 = 1 + LEAD_NSEG + m->nattrs;
    r.dim = r.kind0 + 2 * (size_t)m->nkinds;
    for (size_t i = 0; i < m->nrows; i++)
        nx += 2 * (size_t)m->rows[i]->nk;
    if (nx > SIZE_MAX / sizeof(double) ||
        r.dim > SIZE_MAX / sizeof(double) / (3 * REFIT_MEM + 7))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    /* w, then the optimizer's work space */
    x = b2b2c__malloc(ctx, (nx ? nx : 1) * sizeof(*x));
    w = b2b2c__malloc(ctx, ((2 * REFIT_MEM + 6) * r.dim + 2 * REFIT_MEM) *
                               sizeof(*w));
    if (!x || !w) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < m->nrows; i++)
        for (uint32_t j = 0; j < m->rows[i]->nk; j++) {
            x[k++] = log1p(m->rows[i]->f[j].cnt);
            x[k++] = log1p(m->rows[i]->f[j].val);
        }
    r.x = x;
    if ((rc = b2b2c__undo_save(ctx, &m->bias, sizeof(m->bias))) ||
        (rc = b2b2c__undo_save(ctx, m->seg_w, sizeof(m->seg_w))) ||
        (rc = b2b2c__undo_save(ctx, m->kinds,
                               m->nkinds * sizeof(lead_kind))))
        goto out;
    for (size_t i = 0; i < m->nattrs; i++)
        if ((rc = save_attr_w(m, (uint32_t)i + 1)) != 0)
            goto out;
    /* Start from zero weights and the bias at the log-odds of the won
     * rate (the minimum of J over the bias alone), so the result depends
     * on the rows only, not on earlier weights. */
    memset(w, 0, r.dim * sizeof(*w));
    r.h = w + (2 * REFIT_MEM + 5) * r.dim + 2 * REFIT_MEM;
    memset(r.h, 0, r.dim * sizeof(*r.h));
    w[0] = log((double)m->nwon / (double)(m->nrows - m->nwon));
    b2b2c__lead_lbfgs(status, refit_eval_cb, &r, &r.passes, r.dim, r.h, w,
                      w + r.dim, (int)lead_param(m, B2B2C_LEAD_REFIT_EPOCHS));
    *passes = r.passes;
    weights_set(m, w);
    if ((rc = b2b2c__lead_write_model(m)) != 0)
        goto out;
    for (size_t i = 0; i < m->nattrs; i++)
        if ((rc = b2b2c__lead_write_attr(m, m->attrs[i])) != 0)
            goto out;
out:
    b2b2c__free(ctx, x);
    b2b2c__free(ctx, w);
    return rc;
}

int b2b2c_lead_refit(int32_t *status, int32_t *passes,
                     b2b2c_lead_model *m)
{
    int32_t conv = B2B2C_FIT_STALLED, np = 0;
    int rc;

    if ((rc = b2b2c__lead_begin(m, NULL, NULL)) != 0)
        return rc;
    B2B2C__CALL(rc, m->ctx, m, refit_body(m, &conv, &np));
    if (rc == 0) {
        if (status)
            *status = conv;
        if (passes)
            *passes = np;
    }
    return rc;
}

int b2b2c_lead_probability(double *p, const b2b2c_lead_model *m,
                           const char *id, int64_t now)
{
    lead_rec *r;
    int rc;
    if (!(r = b2b2c__lead_enter(m, p ? NULL : "p", &now, id, &rc)))
        return rc;
    if (!b2b2c__lead_ready(m))
        return not_ready(m);
    *p = sigmoid(b2b2c__lead_logit(m, r, now));
    return 0;
}

typedef struct factor {
    double c;
    int what; /* 0 bias, 1 segment, 2 attr, 3 kind count, 4 kind value */
    uint32_t ix;
} factor;

static int factor_cmp(const void *a, const void *b)
{
    double x = ((const factor *)a)->c, y = ((const factor *)b)->c;
    return x > y ? -1 : x < y;
}

static void factor_name(const b2b2c_lead_model *m, const factor *f,
                        char *buf, size_t n)
{
    static const char *const an[] = {"segment", "channel", "region",
                                     "product_line"};
    switch (f->what) {
    case 0:
        snprintf(buf, n, "bias");
        break;
    case 1:
        snprintf(buf, n, "segment:%s", b2b2c_segment_name((int32_t)f->ix));
        break;
    case 2: {
        const lead_attr *a = m->attrs[f->ix];
        snprintf(buf, n, "%s:%s", an[a->attr], a->key + 1);
        break;
    }
    default:
        snprintf(buf, n, "kind:%s:%s", m->kinds[f->ix].name,
                 f->what == 3 ? "count" : "value");
    }
}

int b2b2c_lead_factors(const b2b2c_lead_model *m, const char *id, int64_t now,
                       int32_t k, b2b2c_lead_factor_cb cb, void *payload)
{
    factor *fs;
    lead_rec *r;
    feat *f;
    size_t n = 0;
    char name[B2B2C__ID_MAX + 80];
    int rc = 0;

    if (!(r = b2b2c__lead_enter(m, cb ? NULL : "cb", &now, id, &rc)))
        return rc;
    if (k < 1 || k > 64)
        return b2b2c__err(m->ctx, B2B2C_ERANGE, "k: outside [1, 64]");
    if (!b2b2c__lead_ready(m))
        return not_ready(m);
    f = b2b2c__malloc(m->ctx, sizeof(*f));
    fs = b2b2c__malloc(m->ctx, (5 + 2 * (size_t)r->nk) * sizeof(*fs));
    if (!f || !fs) {
        b2b2c__free(m->ctx, f);
        b2b2c__free(m->ctx, fs);
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    }
    feat_lead(m, r, now < r->t0 ? r->t0 : now, f);
    fs[n++] = (factor){m->bias, 0, 0};
    fs[n++] = (factor){m->seg_w[f->seg], 1, f->seg};
    if (f->chan)
        fs[n++] = (factor){m->attrs[f->chan - 1]->w, 2, f->chan - 1};
    if (f->region)
        fs[n++] = (factor){m->attrs[f->region - 1]->w, 2, f->region - 1};
    if (f->prod)
        fs[n++] = (factor){m->attrs[f->prod - 1]->w, 2, f->prod - 1};
    for (uint32_t i = 0; i < f->nk; i++) {
        const lead_kind *kd = &m->kinds[f->kind[i]];
        if (f->xc[i] != 0)
            fs[n++] = (factor){kd->w_cnt * f->xc[i], 3, f->kind[i]};
        if (f->xv[i] != 0)
            fs[n++] = (factor){kd->w_val * f->xv[i], 4, f->kind[i]};
    }
    qsort(fs, n, sizeof(*fs), factor_cmp);
    b2b2c__cb_enter(m->ctx);
    for (size_t i = 0; i < n && (int32_t)i < k && rc == 0 && fs[i].c > 0;
         i++) {
        factor_name(m, &fs[i], name, sizeof(name));
        rc = cb(name, fs[i].c, payload);
    }
    for (size_t i = 0; i < n && (int32_t)i < k && rc == 0 &&
                       fs[n - 1 - i].c < 0;
         i++) {
        factor_name(m, &fs[n - 1 - i], name, sizeof(name));
        rc = cb(name, fs[n - 1 - i].c, payload);
    }
    b2b2c__cb_leave(m->ctx);
    b2b2c__free(m->ctx, f);
    b2b2c__free(m->ctx, fs);
    return rc;
}

double b2b2c__lead_prob(const b2b2c_lead_model *m, const lead_rec *r,
                        int64_t now)
{
    return sigmoid(b2b2c__lead_logit(m, r, now));
}
