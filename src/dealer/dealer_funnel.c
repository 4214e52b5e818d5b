/* SPDX-License-Identifier: MIT */
/*
 * The dealer-side funnel (b2b2c_dealer_funnel): what became of the offers
 * made in a period, per dealer and for the network, and how long dealers
 * took to answer and to close. Read from the audit trail (one entry per
 * offer, linked per dealer and per lead) and the leads' current state.
 */
#include <math.h>

#include "dealer_int.h"

/* per row: counts, and the times collected for the percentiles */
typedef struct frow {
    double f[B2B2C_DEALER_FUNNEL_NFIELDS];
    size_t resp0, nresp, close0, nclose; /* spans in the time arrays */
} frow;

typedef struct tvec {
    double *v;
    size_t n, cap;
} tvec;

static int push(b2b2c_dealer_engine *e, tvec *t, double x)
{
    if (t->n == t->cap &&
        b2b2c__grow(&e->ctx->mem, (void **)&t->v, &t->cap, t->n + 1,
                    sizeof(double)))
        return oom(e->ctx);
    t->v[t->n++] = x;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Quantile p of v[0..n), sorted: Hyndman & Fan 1996, definition 7,
 * h = (n - 1) p, v[floor h] + (h - floor h)(v[floor h + 1] - v[floor h]). */
static double quantile(const double *v, size_t n, double p)
{
    double h, lo;
    size_t k;
    if (n == 0)
        return NAN;
    h = (double)(n - 1) * p;
    lo = floor(h);
    k = (size_t)lo;
    return k + 1 < n ? v[k] + (h - lo) * (v[k + 1] - v[k]) : v[k];
}

/* Count the offers of dealer d made in [from, to) into r, and append
 * their response and close times to resp and close. */
static int tally(b2b2c_dealer_engine *e, const dealer *d, int64_t from,
                 int64_t to, frow *r, tvec *resp, tvec *close)
{
    double *f = r->f;
    r->resp0 = resp->n;
    r->close0 = close->n;
    for (uint32_t i = d->afirst; i != NONE32; i = e->aud[i].next_dealer) {
        const aent *a = &e->aud[i];
        const lmut *lm = aent_m(a);
        int o, mine;
        if (a->time < from || a->time >= to)
            continue;
        o = b2b2c__dealer_offer_outcome(a);
        /* the lead's times are of its current (or last) offer */
        mine = lm->dealer == a->dealer;
        f[B2B2C_DEALER_FUNNEL_OFFERED]++;
        f[B2B2C_DEALER_FUNNEL_OPEN] += o == O_OPEN;
        f[B2B2C_DEALER_FUNNEL_DECLINED] += o == O_DECLINED;
        f[B2B2C_DEALER_FUNNEL_EXPIRED] += o == O_EXPIRED;
        f[B2B2C_DEALER_FUNNEL_RECALLED] += o == O_RECALLED;
        f[B2B2C_DEALER_FUNNEL_WON] += o == O_WON;
        f[B2B2C_DEALER_FUNNEL_LOST] += o == O_LOST;
        if (o == O_ACCEPTED || o == O_WON || o == O_LOST ||
            (o == O_RECALLED && mine && lm->accepted_at)) {
            int rc;
            f[B2B2C_DEALER_FUNNEL_ACCEPTED]++;
            if ((rc = push(e, resp,
                           (double)(lm->accepted_at - a->time) / 3600.0)))
                return rc;
            if ((o == O_WON || o == O_LOST) &&
                (rc = push(e, close,
                           (double)(lm->closed_at - lm->accepted_at) /
                               86400.0)))
                return rc;
        } else if (o == O_DECLINED && a->next_lead != NONE32 &&
                   e->aud[a->next_lead].kind == B2B2C_DEALER_KIND_DECLINE) {
            /* routed on at the decline: that decision's time */
            int rc = push(e, resp,
                          (double)(e->aud[a->next_lead].time - a->time) /
                              3600.0);
            if (rc)
                return rc;
        }
    }
    r->nresp = resp->n - r->resp0;
    r->nclose = close->n - r->close0;
    return 0;
}

/* the rates and percentiles of a row whose counts are in */
static void finish(frow *r, double *resp, double *close)
{
    double *f = r->f;
    double res = f[B2B2C_DEALER_FUNNEL_WON] + f[B2B2C_DEALER_FUNNEL_LOST];
    f[B2B2C_DEALER_FUNNEL_ACCEPT_RATE] =
        f[B2B2C_DEALER_FUNNEL_OFFERED] > 0
            ? f[B2B2C_DEALER_FUNNEL_ACCEPTED] / f[B2B2C_DEALER_FUNNEL_OFFERED]
            : NAN;
    f[B2B2C_DEALER_FUNNEL_WIN_RATE] =
        res > 0 ? f[B2B2C_DEALER_FUNNEL_WON] / res : NAN;
    sort(resp, r->nresp, sizeof(double), cmp_double);
    sort(close, r->nclose, sizeof(double), cmp_double);
    f[B2B2C_DEALER_FUNNEL_RESPONSES] = (double)r->nresp;
    f[B2B2C_DEALER_FUNNEL_RESPONSE_P50_HOURS] = quantile(resp, r->nresp, 0.5);
    f[B2B2C_DEALER_FUNNEL_RESPONSE_P90_HOURS] = quantile(resp, r->nresp, 0.9);
    f[B2B2C_DEALER_FUNNEL_CLOSE_P50_DAYS] = quantile(close, r->nclose, 0.5);
    f[B2B2C_DEALER_FUNNEL_CLOSE_P90_DAYS] = quantile(close, r->nclose, 0.9);
}

typedef struct rowref {
    const dealer *d;
    size_t row;
} rowref;

static int cmp_id(const void *a, const void *b)
{
    const dealer *x = ((const rowref *)a)->d, *y = ((const rowref *)b)->d;
    size_t n = x->idlen < y->idlen ? x->idlen : y->idlen;
    int c = memcmp(x->id, y->id, n);
    return c ? c : (x->idlen > y->idlen) - (x->idlen < y->idlen);
}

int b2b2c_dealer_funnel(b2b2c_dealer_engine *e, int64_t from, int64_t to,
                        b2b2c_dealer_funnel_cb cb, void *userdata)
{
    b2b2c_ctx *ctx;
    frow *rows = NULL, net;
    rowref *order = NULL;
    tvec resp = {NULL, 0, 0}, close = {NULL, 0, 0};
    size_t nr = 0;
    int rc = 0;
    CHECK_E(e);
    ctx = e->ctx;
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if (from > to)
        return b2b2c__err(ctx, B2B2C_EINVAL, "from: after to");
    if ((rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    rows = b2b2c__malloc(ctx, (e->nd ? e->nd : 1) * sizeof(*rows));
    order = b2b2c__malloc(ctx, (e->nd ? e->nd : 1) * sizeof(*order));
    if (!rows || !order) {
        rc = oom(ctx);
        goto out;
    }
    for (size_t i = 0; i < e->nd; i++) {
        frow *r = &rows[nr];
        memset(r, 0, sizeof(*r));
        if ((rc = tally(e, e->dealers[i], from, to, r, &resp, &close)) != 0)
            goto out;
        if (r->f[B2B2C_DEALER_FUNNEL_OFFERED] == 0) {
            resp.n = r->resp0; /* nothing was added, but keep it exact */
            close.n = r->close0;
            continue;
        }
        order[nr].d = e->dealers[i];
        order[nr].row = nr;
        nr++;
    }
    /* the network's row: the sums, and percentiles over every time (the
     * arrays are whole until each dealer's span is sorted in place) */
    memset(&net, 0, sizeof(net));
    for (size_t i = 0; i < nr; i++)
        for (int k = 0; k <= B2B2C_DEALER_FUNNEL_LOST; k++)
            net.f[k] += rows[i].f[k];
    {
        /* sort copies for the network: the per-dealer spans are sorted
         * in place afterwards */
        double *ar = NULL, *ac = NULL;
        if (resp.n)
            ar = b2b2c__malloc(ctx, resp.n * sizeof(double));
        if (close.n)
            ac = b2b2c__malloc(ctx, close.n * sizeof(double));
        if ((resp.n && !ar) || (close.n && !ac)) {
            b2b2c__free(ctx, ar);
            b2b2c__free(ctx, ac);
            rc = oom(ctx);
            goto out;
        }
        if (resp.n)
            memcpy(ar, resp.v, resp.n * sizeof(double));
        if (close.n)
            memcpy(ac, close.v, close.n * sizeof(double));
        net.nresp = resp.n;
        net.nclose = close.n;
        finish(&net, ar, ac);
        b2b2c__free(ctx, ar);
        b2b2c__free(ctx, ac);
    }
    for (size_t i = 0; i < nr; i++)
        finish(&rows[i], resp.v ? resp.v + rows[i].resp0 : NULL,
               close.v ? close.v + rows[i].close0 : NULL);
    sort(order, nr, sizeof(*order), cmp_id);
    b2b2c__cb_enter(ctx);
    for (size_t i = 0; i < nr && rc == 0; i++)
        rc = cb(order[i].d->id, rows[order[i].row].f,
                B2B2C_DEALER_FUNNEL_NFIELDS, userdata);
    if (rc == 0)
        rc = cb(NULL, net.f, B2B2C_DEALER_FUNNEL_NFIELDS, userdata);
    b2b2c__cb_leave(ctx);
out:
    b2b2c__free(ctx, rows);
    b2b2c__free(ctx, order);
    b2b2c__free(ctx, resp.v);
    b2b2c__free(ctx, close.v);
    return rc;
}
