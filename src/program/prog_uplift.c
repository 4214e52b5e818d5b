/* SPDX-License-Identifier: MIT */
/* Dealer network programs: a promotion's uplift (issue 17, step 3): each
 * promoted dealer's net sell-out in the budget's days against its own
 * baseline, the same number of days just before (the pre-period baseline
 * of trade-promotion "baseline and lift", Blattberg & Neslin 1990)
 * and, with a control group of dealers the host names, the
 * difference-in-differences against the control dealers' mean (Angrist &
 * Pischke 2009, section 5.2); incremental units and money and the
 * ROI on the budget's spend. Rules: docs/programs.md, "Joint promotion
 * budgets". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "listing.h"
#include "prog_int.h"

/* A window [d0 - L, d1) with its line, and the control group's sums in it
 * (units, amount; baseline then promotion). */
typedef struct win {
    int64_t d0, d1;
    const char *line;
    size_t linelen;
    int64_t s[4];
} win;

/* A budget's uplift work: the budget, its window and its dealer's sums. */
typedef struct ub {
    const pg_promo *p;
    size_t w;
    int64_t s[4];
    double f[B2B2C_PROMO_U_NFIELDS];
} ub;

enum { S_BU = 0, S_BM = 1, S_PU = 2, S_PM = 3 };

#define SLOT_NONE ((size_t)0)
#define SLOT_CONTROL SIZE_MAX /* else 1 + the budget's index */

/* Add series x's net sell-out over [d0 - (d1 - d0), d1) to s, split at
 * d0; B2B2C_ERANGE past 2^63. */
static int win_sum(const pg_series *x, int64_t d0, int64_t d1, int64_t *s)
{
    int64_t b0 = d0 - (d1 - d0);
    size_t at;
    if (!x->n || x->dv[x->n - 1].day < b0 || x->dv[0].day >= d1)
        return 0;
    if (x->dv[0].day >= b0)
        at = 0;
    else
        B2B2C__LOWER_BOUND(at, x->dv, x->n, day, b0);
    for (; at < x->n && x->dv[at].day < d1; at++) {
        int64_t *o = x->dv[at].day < d0 ? s : s + 2;
        int64_t u = x->dv[at].v[PG_OUT_U], m = x->dv[at].v[PG_OUT_M];
        if ((u > 0 && o[0] > INT64_MAX - u) ||
            (u < 0 && o[0] < INT64_MIN - u) ||
            (m > 0 && o[1] > INT64_MAX - m) ||
            (m < 0 && o[1] < INT64_MIN - m))
            return B2B2C_ERANGE;
        o[0] += u;
        o[1] += m;
    }
    return 0;
}

static int line_match(const pg_series *x, const char *line, size_t ll)
{
    return !ll || (x->keylen - x->plen - 1 == ll &&
                   memcmp(x->key + x->plen + 1, line, ll) == 0);
}

static int by_window(const void *a, const void *b)
{
    const ub *x = a, *y = b;
    const pg_promo *p = x->p, *q = y->p;
    size_t n;
    int c;
    if (p->start != q->start)
        return p->start < q->start ? -1 : 1;
    if (p->end != q->end)
        return p->end < q->end ? -1 : 1;
    n = p->linelen < q->linelen ? p->linelen : q->linelen;
    c = memcmp(p->line, q->line, n);
    return c ? c : (p->linelen > q->linelen) - (p->linelen < q->linelen);
}

/* The fields of budget u from its sums and the control's (nc dealers). */
static void uplift_fields(ub *u, const win *w, size_t nc)
{
    double *f = u->f, nan = NAN, incr;
    const pg_promo *p = u->p;
    double spend = (double)(p->sum[B2B2C_PROMO_APPROVED] +
                            p->sum[B2B2C_PROMO_PAID]);

    f[B2B2C_PROMO_U_DAYS] = (double)(p->end - p->start);
    f[B2B2C_PROMO_U_PROMO_UNITS] = (double)u->s[S_PU];
    f[B2B2C_PROMO_U_PROMO_AMOUNT] = (double)u->s[S_PM];
    f[B2B2C_PROMO_U_BASE_UNITS] = (double)u->s[S_BU];
    f[B2B2C_PROMO_U_BASE_AMOUNT] = (double)u->s[S_BM];
    /* lift over the dealer's own baseline (Blattberg & Neslin 1990) */
    f[B2B2C_PROMO_U_LIFT] =
        u->s[S_BM] > 0 ? (double)u->s[S_PM] / (double)u->s[S_BM] - 1.0 : nan;
    f[B2B2C_PROMO_U_INCR_UNITS] = (double)u->s[S_PU] - (double)u->s[S_BU];
    f[B2B2C_PROMO_U_INCR_AMOUNT] = (double)u->s[S_PM] - (double)u->s[S_BM];
    f[B2B2C_PROMO_U_CONTROL_DEALERS] = (double)nc;
    if (nc) {
        /* difference in differences with the control group's mean
         * (Angrist & Pischke 2009, section 5.2): (Y1 - Y0) - (C1 - C0) */
        double n = (double)nc;
        f[B2B2C_PROMO_U_CONTROL_PROMO_UNITS] = (double)w->s[S_PU] / n;
        f[B2B2C_PROMO_U_CONTROL_PROMO_AMOUNT] = (double)w->s[S_PM] / n;
        f[B2B2C_PROMO_U_CONTROL_BASE_UNITS] = (double)w->s[S_BU] / n;
        f[B2B2C_PROMO_U_CONTROL_BASE_AMOUNT] = (double)w->s[S_BM] / n;
        f[B2B2C_PROMO_U_DID_UNITS] =
            f[B2B2C_PROMO_U_INCR_UNITS] -
            ((double)w->s[S_PU] - (double)w->s[S_BU]) / n;
        f[B2B2C_PROMO_U_DID_AMOUNT] =
            f[B2B2C_PROMO_U_INCR_AMOUNT] -
            ((double)w->s[S_PM] - (double)w->s[S_BM]) / n;
    } else {
        for (int k = B2B2C_PROMO_U_CONTROL_PROMO_UNITS;
             k <= B2B2C_PROMO_U_DID_AMOUNT; k++)
            f[k] = nan;
    }
    incr = nc ? f[B2B2C_PROMO_U_DID_AMOUNT] : f[B2B2C_PROMO_U_INCR_AMOUNT];
    f[B2B2C_PROMO_U_SPEND] = spend;
    f[B2B2C_PROMO_U_ROI] = spend > 0 ? (incr - spend) / spend : nan;
}

/* The uplift of the budgets in bv[0..nb) (all of one promotion) against
 * the control group: marks the dealers' slots, sums every series once,
 * fills bv[k].f. Allocates only for more than one budget, so that a
 * single uplift that brought the handle up to date does not fail after. */
static int uplift_run(const b2b2c_programs *h, ub *bv, size_t nb,
                      const char *const *control, size_t nc)
{
    b2b2c_ctx *ctx = h->ctx;
    win one, *wv = &one; /* one budget: no allocation */
    size_t nw = 0, i = 0;
    void *v;
    int rc = 0;

    /* budgets of one promotion mostly share their window: sort (and
     * allocate the windows) only when they do not */
    for (i = 1; i < nb && by_window(&bv[0], &bv[i]) == 0; i++)
        ;
    if (i < nb) {
        qsort(bv, nb, sizeof(*bv), by_window);
        if (!(wv = b2b2c__malloc(ctx, nb * sizeof(*wv))))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    i = 0;
    for (size_t k = 0; k < nb; k++) {
        if (k == 0 || by_window(&bv[k - 1], &bv[k]) != 0) {
            memset(&wv[nw], 0, sizeof(wv[nw]));
            wv[nw].d0 = bv[k].p->start;
            wv[nw].d1 = bv[k].p->end;
            wv[nw].line = bv[k].p->line;
            wv[nw].linelen = bv[k].p->linelen;
            nw++;
        }
        bv[k].w = nw - 1;
    }
    while (b2b2c__map_next(&h->dealers, &i, NULL, NULL, &v))
        ((pg_dealer *)v)->slot = SLOT_NONE;
    for (size_t k = 0; k < nc; k++)
        ((pg_dealer *)b2b2c__map_get(&h->dealers, control[k],
                                     strlen(control[k])))
            ->slot = SLOT_CONTROL;
    for (size_t k = 0; k < nb; k++) {
        const pg_promo *p = bv[k].p;
        ((pg_dealer *)b2b2c__map_get(&h->dealers, p->key + p->plen + 1,
                                     p->keylen - p->plen - 1))
            ->slot = k + 1;
    }
    i = 0;
    while (rc == 0 && b2b2c__map_next(&h->series, &i, NULL, NULL, &v)) {
        const pg_series *x = v;
        size_t slot = x->point->dealer->slot;
        if (slot == SLOT_NONE)
            continue;
        if (slot == SLOT_CONTROL) {
            for (size_t w = 0; w < nw && rc == 0; w++)
                if (line_match(x, wv[w].line, wv[w].linelen))
                    rc = win_sum(x, wv[w].d0, wv[w].d1, wv[w].s);
        } else {
            ub *u = &bv[slot - 1];
            if (line_match(x, u->p->line, u->p->linelen))
                rc = win_sum(x, u->p->start, u->p->end, u->s);
        }
    }
    if (rc)
        rc = b2b2c__err(ctx, B2B2C_ERANGE,
                        "promo_id: a sell-out sum passes 2^63");
    for (size_t k = 0; k < nb && rc == 0; k++)
        uplift_fields(&bv[k], &wv[bv[k].w], nc);
    if (wv != &one)
        b2b2c__free(ctx, wv);
    return rc;
}

/* Check the control group against promotion pid (see the header). */
static int control_check(const b2b2c_programs *h, const char *pid,
                         size_t plen, const char *const *control, size_t nc)
{
    b2b2c_ctx *ctx = h->ctx;
    char key[2 * B2B2C__ID_MAX + 2], arg[48], esc[4 * B2B2C__KEY_SHOWN + 8];
    size_t i = 0, len;
    void *v;

    if (nc && !control)
        return b2b2c__err(ctx, B2B2C_EINVAL, "control: NULL");
    if (!nc)
        return 0;
    while (b2b2c__map_next(&h->dealers, &i, NULL, NULL, &v))
        ((pg_dealer *)v)->slot = SLOT_NONE;
    for (size_t k = 0; k < nc; k++) {
        pg_dealer *d;
        snprintf(arg, sizeof(arg), "control[%zu]", k);
        if (b2b2c__id_check(control[k], &len))
            return b2b2c__err(ctx, B2B2C_EBADID, "%s: %s", arg,
                              control[k]
                                  ? "not a valid ID (1..255 bytes of UTF-8)"
                                  : "NULL");
        if (!(d = b2b2c__map_get(&h->dealers, control[k], len)))
            return b2b2c__pg_no_dealer(ctx, arg, control[k], len);
        b2b2c__key_escape(esc, sizeof(esc), control[k], len);
        if (d->slot == SLOT_CONTROL)
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "%s: dealer '%s' is named twice", arg, esc);
        d->slot = SLOT_CONTROL;
        if (b2b2c__map_get(&h->promos, key,
                           b2b2c__pg_budget_key(key, pid, plen, control[k], len)))
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "%s: dealer '%s' has a budget in this "
                              "promotion: a promoted dealer is no control",
                              arg, esc);
    }
    return 0;
}

int b2b2c_promo_uplift(double *fields, size_t nfields,
                       const b2b2c_programs *h, const char *promo_id,
                       const char *dealer_id, const char *const *control,
                       size_t ncontrol)
{
    char key[2 * B2B2C__ID_MAX + 2];
    b2b2c_ctx *ctx;
    size_t plen, dlen;
    ub u;
    int rc;

    if (!fields || !h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if (nfields == 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nfields: 0");
    if ((rc = b2b2c__pg_id_arg(ctx, promo_id, &plen, "promo_id")) != 0 ||
        (rc = b2b2c__pg_id_arg(ctx, dealer_id, &dlen, "dealer_id")) != 0 ||
        (rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    memset(&u, 0, sizeof(u));
    u.p = b2b2c__map_get(&h->promos, key,
                         b2b2c__pg_budget_key(key, promo_id, plen, dealer_id, dlen));
    if (!u.p)
        return b2b2c__map_get(&h->dealers, dealer_id, dlen)
                   ? b2b2c__pg_no_budget(ctx, promo_id, plen, dealer_id, dlen)
                   : b2b2c__pg_no_dealer(ctx, "dealer_id", dealer_id, dlen);
    if ((rc = control_check(h, promo_id, plen, control, ncontrol)) != 0 ||
        (rc = uplift_run(h, &u, 1, control, ncontrol)) != 0)
        return rc;
    memcpy(fields, u.f,
           (nfields < B2B2C_PROMO_U_NFIELDS ? nfields : B2B2C_PROMO_U_NFIELDS) *
               sizeof(double));
    return 0;
}

static int emit_uplift(const b2b2c__list *l, const void *rec)
{
    const ub *u = rec;
    return ((b2b2c_promo_uplift_cb)l->cb)(u->p->key + u->p->plen + 1, u->f,
                                          B2B2C_PROMO_U_NFIELDS, l->userdata);
}

int b2b2c_promo_uplift_list(const b2b2c_programs *h, const char *promo_id,
                            const char *const *control, size_t ncontrol,
                            b2b2c_promo_uplift_cb cb, void *userdata)
{
    b2b2c__list l;
    b2b2c_ctx *ctx;
    ub *bv = NULL;
    size_t plen, nb = 0, i = 0;
    void *v;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    if ((rc = b2b2c__list_open(&l, ctx, (b2b2c__list_fn)cb, userdata)) ||
        (rc = b2b2c__pg_id_arg(ctx, promo_id, &plen, "promo_id")) != 0 ||
        (rc = b2b2c__sync_read(ctx)) != 0 ||
        (rc = control_check(h, promo_id, plen, control, ncontrol)) != 0)
        return rc;
    bv = b2b2c__malloc(ctx, (h->promos.count + 1) * sizeof(*bv));
    if (!bv)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    while (b2b2c__map_next(&h->promos, &i, NULL, NULL, &v)) {
        const pg_promo *p = v;
        if (p->plen == plen && memcmp(p->key, promo_id, plen) == 0) {
            memset(&bv[nb], 0, sizeof(bv[nb]));
            bv[nb++].p = p;
        }
    }
    if (nb == 0) {
        char esc[4 * B2B2C__KEY_SHOWN + 8];
        b2b2c__key_escape(esc, sizeof(esc), promo_id, plen);
        rc = b2b2c__err(ctx, B2B2C_ENOTFOUND,
                        "promo_id: no budget of promotion '%s'", esc);
        goto out;
    }
    if ((rc = uplift_run(h, bv, nb, control, ncontrol)) != 0 ||
        (rc = b2b2c__list_reserve(&l, nb)) != 0)
        goto out;
    for (size_t k = 0; k < nb; k++)
        b2b2c__list_add(&l, bv[k].p->key + bv[k].p->plen + 1,
                        bv[k].p->keylen - bv[k].p->plen - 1, &bv[k]);
    rc = b2b2c__list_emit(&l, emit_uplift);
out:
    b2b2c__free(ctx, bv);
    return rc;
}
