/* SPDX-License-Identifier: MIT */
/*
 * Round robin: the least recently offered eligible dealer; ties: the
 * nearer (leads with a location), then the older dealer number. A plan
 * keeps the eligible as a ring in the order (last offer number, position),
 * so that a decision from it is O(1).
 */
#include "dealer_int.h"

/* The least (last offer, distance, dealer number) over the eligible: a
 * strict total order, so the order of the scan does not matter. */
static uint32_t rr_least(const b2b2c_dealer_engine *e, uint32_t ne)
{
    const uint64_t *key = e->key;
    const double *w = e->w;
    const uint32_t *elig = e->elig;
    uint32_t best = 0;
    for (uint32_t i = 1; i < ne; i++)
        if (key[i] < key[best] ||
            (key[i] == key[best] &&
             (w[i] < w[best] || (w[i] == w[best] && elig[i] < elig[best]))))
            best = i;
    return best;
}

/* key: the last offer number; w keeps the distance the pass put there. */
static void rr_weigh(b2b2c_dealer_engine *e, pass *ps)
{
    for (uint32_t k = 0; k < ps->ne; k++)
        e->key[k] = e->hp[k]->last_offer_seq;
    ps->best = rr_least(e, ps->ne);
}

static void rr_choose(b2b2c_dealer_engine *e, pass *ps, decision *dc)
{
    /* the pass's choice, again when the maximum share removed some */
    uint32_t best = ps->filtered ? rr_least(e, ps->ne) : ps->best;
    dc->chosen = e->elig[best];
    dc->entry = e->hp[best];
    dc->weight = 1.0;
    dc->rank = 1;
}

/* The plan's order: (last offer number, position in the bucket). */
static int rr_less(const bucket *b, const plan *p, uint32_t x, uint32_t y)
{
    uint64_t kx = b->h[p->pos[x]].last_offer_seq;
    uint64_t ky = b->h[p->pos[y]].last_offer_seq;
    return kx < ky || (kx == ky && p->pos[x] < p->pos[y]);
}

static void rr_plan_prepare(b2b2c_dealer_engine *e, bucket *b,
                            const pass *ps)
{
    (void)e;
    (void)ps;
    b2b2c__dealer_plan_order(b, &b->pl, rr_less);
}

static uint32_t rr_plan_pick(b2b2c_dealer_engine *e, plan *p, decision *dc)
{
    (void)e;
    dc->weight = 1.0;
    dc->rank = 1;
    return p->ring[p->head];
}

/* The dealer offered is now the newest: from the front of the ring to the
 * back (O(1)); one offered from elsewhere in the ring (the maximum share
 * made the pass choose another, or the lead went to the customer's owner)
 * moves to the back too, the ones after it one step forward (O(ne), still
 * less than the pass that dropping the plan would cost the next lead). */
static int rr_plan_offered(plan *p, uint32_t k)
{
    /* the ring is a permutation of the eligible numbers: k is found by a
     * plain scan, and the ones from after it to just before the head
     * move one place forward by at most two memmoves (the ring's wrap) */
    uint32_t n = p->ne, h = p->head, at, end, *ring = p->ring;
    if (ring[h] == k) {
        p->head = h + 1 == n ? 0 : h + 1;
        return 1;
    }
    for (at = 0; at < n && ring[at] != k; at++)
        ;
    if (at == n)
        return 0;
    /* k last: just before the head */
    end = h == 0 ? n - 1 : h - 1;
    if (at <= end) {
        memmove(ring + at, ring + at + 1, (size_t)(end - at) * sizeof(*ring));
    } else { /* past the end of the array, then from its start */
        memmove(ring + at, ring + at + 1,
                (size_t)(n - 1 - at) * sizeof(*ring));
        ring[n - 1] = ring[0];
        memmove(ring, ring + 1, (size_t)end * sizeof(*ring));
    }
    ring[end] = k;
    return 1;
}

const b2b2c__dealer_policy b2b2c__dealer_policy_rr = {
    "round_robin", 0, rr_weigh, rr_choose, rr_plan_prepare, rr_plan_pick,
    rr_plan_offered,
};
