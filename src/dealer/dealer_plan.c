/* SPDX-License-Identifier: MIT */
/*
 * Routing plans: a region bucket's plan keeps what the eligibility pass
 * found over the bucket's dealers (see plan in dealer_int.h), so that the
 * next leads of that region are decided without the pass while nothing it
 * was derived from changes.
 */
#include "dealer_int.h"

/* Heapsort's sift (a max-heap of a[0..n) in the order `less`). */
static void plan_sift(const bucket *b, const plan *p, plan_less less,
                      uint32_t *a, uint32_t n, uint32_t i)
{
    uint32_t x = a[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && less(b, p, a[c], a[c + 1]))
            c++;
        if (!less(b, p, x, a[c]))
            break;
        a[i] = a[c];
        i = c;
    }
    a[i] = x;
}

/* p->ring: the eligible numbers sorted by `less` (heapsort). */
void b2b2c__dealer_plan_order(const bucket *b, plan *p, plan_less less)
{
    uint32_t *a = p->ring, ne = p->ne;
    for (uint32_t k = 0; k < ne; k++)
        a[k] = k;
    for (uint32_t i = ne / 2; i-- > 0;)
        plan_sift(b, p, less, a, ne, i);
    for (uint32_t m = ne - 1; m > 0; m--) {
        uint32_t t = a[0];
        a[0] = a[m];
        a[m] = t;
        plan_sift(b, p, less, a, m, 0);
    }
    p->head = 0;
}

/* Whether bucket b's plan holds for a decision at `now` under the current
 * parameters (and weights' epoch, e->wc_epoch refreshed by the caller). */
int b2b2c__dealer_plan_ok(const b2b2c_dealer_engine *e, const bucket *b,
                          int64_t now, int64_t day, int64_t pidx,
                          const b2b2c__dealer_policy *pol)
{
    const plan *p = &b->pl;
    return p->ver == b->ver && p->n == b->n && p->day == day &&
           p->pidx == pidx && p->t_lo <= now && now < p->t_hi &&
           (!pol->weighted || p->epoch == e->wc_epoch) &&
           memcmp(p->param, e->param, sizeof(p->param)) == 0;
}

/* Keep the pass's findings over the lead's one region bucket as its plan:
 * the eligible dealers (hp, po, w and key as the pass and the policy's
 * weights left them, before the maximum share), the skip counts, and the
 * interval of `now` over which no dealer's status changes; the policy
 * prepares its part (order, prefix sums, draw constants). */
void b2b2c__dealer_plan_save(b2b2c_dealer_engine *e, const pass *ps,
                             const decision *dc)
{
    bucket *b = ps->b1;
    plan *p = &b->pl;
    uint32_t ne = ps->ne;
    if (p->saved && p->served == 0)
        p->backoff = p->backoff < 3 ? 2 * p->backoff + 1 : 7;
    else
        p->backoff = 0;
    p->nosave = p->backoff;
    p->saved = 1;
    p->served = 0;
    /* the key b2b2c__dealer_plan_ok compares: the bucket's version and
     * size, the engine's parameters and prior epoch, the pass's day,
     * period and status interval */
    p->ver = b->ver;
    p->n = b->n;
    memcpy(p->param, e->param, sizeof(p->param));
    p->epoch = e->wc_epoch;
    p->day = ps->day;
    p->pidx = ps->pidx;
    p->t_lo = ps->t_lo;
    p->t_hi = ps->t_hi;
    /* what the pass found */
    memcpy(p->skip, dc->skip, sizeof(p->skip));
    p->ne = ne;
    p->sumper = ps->sumper;
    p->maxpo = ps->maxpo;
    for (uint32_t k = 0; k < ne; k++) {
        p->pos[k] = (uint32_t)(e->hp[k] - b->h);
        p->po[k] = e->po[k];
        p->rank[k] = 0;
    }
    if (ne == 0)
        return;
    ps->pol->plan_prepare(e, b, ps);
}

/* A weighted plan's prefix sums of p->w (added in eligible order, as the
 * pass adds them) and their total. */
void b2b2c__dealer_plan_sums(plan *p)
{
    double c = 0;
    for (uint32_t k = 0; k < p->ne; k++) {
        c += p->w[k];
        p->cum[k] = c;
    }
    p->total = c;
}

/* The rank of eligible dealer k by weight (1 + those weighing more),
 * computed once per plan. */
uint32_t b2b2c__dealer_plan_rank(plan *p, uint32_t k)
{
    if (!p->rank[k]) {
        uint32_t r = 1;
        for (uint32_t i = 0; i < p->ne; i++)
            r += p->w[i] > p->w[k];
        p->rank[k] = r;
    }
    return p->rank[k];
}

/* Decide from bucket b's plan (valid). Returns 0 when the maximum share
 * would remove dealers or nobody is eligible: the pass decides those. */
int b2b2c__dealer_plan_decide(b2b2c_dealer_engine *e, bucket *b,
                              const b2b2c__dealer_policy *pol, decision *dc)
{
    plan *p = &b->pl;
    uint32_t ne = p->ne, k;
    if (ne == 0)
        return 0;
    if (ne > 1 && e->param[P_MAXSHARE] < 1.0 &&
        (double)p->sumper >= e->param[P_SHAREMIN] &&
        !((double)p->maxpo + 1.0 <=
          e->param[P_MAXSHARE] * ((double)p->sumper + 1.0)))
        return 0;
    dc->cand = b->n;
    memcpy(dc->skip, p->skip, sizeof(dc->skip));
    dc->elig = ne;
    dc->reason = B2B2C_DEALER_REASON_ROUTED;
    k = pol->plan_pick(e, p, dc);
    dc->chosen = b->d[p->pos[k]];
    dc->entry = &b->h[p->pos[k]];
    dc->bk = b;
    dc->pk = k;
    return 1;
}

/* The chosen dealer's eligible number in bucket b's plan, if the plan is
 * valid (NONE32 if not). */
uint32_t b2b2c__dealer_plan_find(const bucket *b, const decision *dc)
{
    const plan *p = &b->pl;
    uint32_t pos, k;
    if (p->ver != b->ver)
        return NONE32;
    if (dc->pk != NONE32)
        return dc->pk;
    pos = (uint32_t)(dc->entry - b->h);
    k = lower_bound_u32(p->pos, p->ne, pos);
    return k < p->ne && p->pos[k] == pos ? k : NONE32;
}

/* After an offer to plan entry k of bucket b (its mirror entry already
 * updated, the bucket's version moved on): keep the plan if the dealer is
 * still eligible, with its offers this period and, for round robin, its
 * place in the order (its last offer is now the newest). */
void b2b2c__dealer_plan_offer(bucket *b, uint32_t k)
{
    plan *p = &b->pl;
    const hot *h = &b->h[p->pos[k]];
    uint64_t npo;
    if (h->room == 0 ||
        (h->quota &&
         (h->day_idx == p->day ? h->day_offers : 0) >= (uint32_t)h->quota)) {
        p->ver = 0;
        return;
    }
    npo = h->period_idx == p->pidx ? h->period_offers : 0;
    p->sumper += npo - p->po[k];
    p->po[k] = npo;
    if (npo > p->maxpo)
        p->maxpo = npo;
    {
        const b2b2c__dealer_policy *pol =
            b2b2c__dealer_policy_of(p->param[P_POLICY]);
        if (pol->plan_offered && !pol->plan_offered(p, k)) {
            p->ver = 0;
            return;
        }
    }
    p->ver = b->ver;
}

/* The weighted plans' pick (tier, performance): the first eligible dealer
 * whose prefix sum exceeds uniform x total, as the pass picks. */
uint32_t b2b2c__dealer_plan_pick_cum(b2b2c_dealer_engine *e, plan *p,
                                     decision *dc)
{
    uint32_t k =
        pick_cum(p->cum, p->ne, b2b2c__rng_uniform(&e->m.rng) * p->total);
    dc->weight = p->w[k];
    dc->rank = b2b2c__dealer_plan_rank(p, k);
    return k;
}
