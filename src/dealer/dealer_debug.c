/* SPDX-License-Identifier: MIT */
/*
 * Test hooks (dealer_internal.h): the state digest, the routing mirror
 * check, plans on or off.
 */
#include "dealer_int.h"

/* ---- digest for tests --------------------------------------------------- */

/* A cached weight is what a fresh computation gives from the engine-wide
 * inputs of its epoch. */
static int cache_ok(const b2b2c_dealer_engine *e, const hot *c)
{
    double m = e->wc_prior, a, b, wi = c->tier, p0;
    if (c->epoch == 0 || c->epoch != e->wc_epoch)
        return 1;
    p0 = ((double)e->wc_net_won + 1.0) / ((double)e->wc_net_res + 2.0);
    a = m * p0 + (double)c->won;
    b = m * (1.0 - p0) + ((double)c->res - (double)c->won);
    wi *= a / (a + b);
    return b2b2c__dbits(c->mean) == b2b2c__dbits(wi) &&
           b2b2c__dbits(c->perf) == b2b2c__dbits(ipow(wi, e->wc_expo));
}

size_t b2b2c__dealer_mirror_check(const b2b2c_dealer_engine *e)
{
    size_t it = 0;
    void *v;
    /* the deadline heap: keys are the leads', order, positions */
    for (size_t i = 0; i < e->nheap; i++) {
        const hent *x = &e->heap[i];
        if (x->l->heap_pos != i || x->deadline != x->l->m.deadline ||
            x->seq != x->l->m.offer_seq ||
            (i > 0 && b2b2c__dealer_heap_less(x, &e->heap[(i - 1) / 2])))
            return SIZE_MAX - 1;
    }
    while (b2b2c__map_next(&e->buckets, &it, NULL, NULL, &v)) {
        const bucket *b = v;
        if (b->key[0] == '@' ? b->h != NULL : (b->n && !b->h))
            return SIZE_MAX;
        for (uint32_t j = 0; b->h && j < b->n; j++) {
            hot h;
            mirror_of(e->dealers[b->d[j]], &h);
            if (memcmp(&b->h[j], &h, HOT_CMP) != 0 || !cache_ok(e, &b->h[j]))
                return (size_t)b->d[j] + 1;
        }
    }
    return 0;
}

void b2b2c__dealer_set_plans(b2b2c_dealer_engine *e, int on)
{
    e->noplan = !on;
}

uint64_t b2b2c__dealer_plan_hits(const b2b2c_dealer_engine *e)
{
    return e->plan_hits;
}

/* An index into the audit trail, counted from its oldest live entry (the
 * pruned prefix is not in a load). */
static uint64_t rel(const b2b2c_dealer_engine *e, uint32_t i)
{
    return i == NONE32 ? NONE32 : i - e->abase;
}

uint64_t b2b2c__dealer_digest(const b2b2c_dealer_engine *e)
{
    uint64_t d = b2b2c__mix64(e->nd, e->leads.count);
    size_t it = 0;
    void *v;
    d = b2b2c__mix64(d, e->m.seq);
    for (int i = 0; i < 4; i++)
        d = b2b2c__mix64(d, e->m.rng.s[i]);
    d = b2b2c__mix64(d, e->m.net_won);
    d = b2b2c__mix64(d, e->m.net_resolved);
    d = b2b2c__mix64(d, e->nheap);
    d = b2b2c__mix64(d, e->naud - e->abase); /* live, as a load has them */
    d = b2b2c__mix64(d, e->prods.count);
    /* the routing mirror agrees with the dealers (0), or the first that
     * does not */
    d = b2b2c__mix64(d, b2b2c__dealer_mirror_check(e));
    for (int i = 0; i < NPARAM; i++)
        d = b2b2c__mix64(d, b2b2c__dbits(e->param[i]));
    for (size_t i = 0; i < e->nd; i++) {
        const dealer *x = e->dealers[i];
        const uint64_t *s = (const uint64_t *)&x->st;
        d = b2b2c__mix64(d, b2b2c__hash(x->id, x->idlen));
        d = b2b2c__mix64(d, b2b2c__hash(x->cfg.terr, strlen(x->cfg.terr)));
        d = b2b2c__mix64(d, b2b2c__hash(x->cfg.prods, strlen(x->cfg.prods)));
        d = b2b2c__mix64(d, b2b2c__dbits(x->cfg.tier) ^
                                (uint64_t)x->cfg.capacity ^
                                ((uint64_t)x->cfg.quota << 32));
        d = b2b2c__mix64(d, (uint64_t)x->cfg.status ^
                                (uint64_t)x->cfg.paused_until);
        /* each field on its own: a XOR of the four could cancel */
        d = b2b2c__mix64(d, b2b2c__dbits(x->cfg.lat));
        d = b2b2c__mix64(d, b2b2c__dbits(x->cfg.lon));
        d = b2b2c__mix64(d, b2b2c__dbits(x->cfg.radius));
        d = b2b2c__mix64(d, b2b2c__dbits(x->cfg.deadline_h));
        for (size_t k = 0; k < sizeof(x->st) / 8; k++)
            d = b2b2c__mix64(d, s[k]);
        d = b2b2c__mix64(d, rel(e, x->afirst) ^
                                ((uint64_t)rel(e, x->alast) << 32));
    }
    {
        uint64_t sum = 0;
        while (b2b2c__map_next(&e->leads, &it, NULL, NULL, &v)) {
            const lead *l = v;
            uint64_t h = b2b2c__hash(l->id, l->idlen);
            h = b2b2c__mix64(h, (uint64_t)l->m.state);
            h = b2b2c__mix64(h, l->m.dealer);
            h = b2b2c__mix64(h, (uint64_t)l->m.deadline);
            h = b2b2c__mix64(h, (uint64_t)l->m.accepted_at);
            h = b2b2c__mix64(h, (uint64_t)l->m.closed_at);
            h = b2b2c__mix64(h, l->m.offer_seq);
            h = b2b2c__mix64(h, l->service);
            h = b2b2c__mix64(h, b2b2c__hash(lead_ck(l), l->cklen));
            h = b2b2c__mix64(h, l->ntried);
            for (uint32_t i = 0; i < l->ntried; i++)
                h = b2b2c__mix64(h, l->tried[i]);
            h = b2b2c__mix64(h, l->heap_pos == NOPOS);
            h = b2b2c__mix64(h, rel(e, l->afirst) ^
                                    ((uint64_t)rel(e, l->alast) << 32));
            sum += h;
        }
        d = b2b2c__mix64(d, sum);
    }
    {
        /* closed leads' stubs (dealer_close.c) */
        uint64_t sum = 0;
        it = 0;
        while (b2b2c__map_next(&e->stubs, &it, NULL, NULL, &v)) {
            const stub *s = v;
            uint64_t h = b2b2c__hash(stub_id(s), s->idlen);
            h = b2b2c__mix64(h, (uint64_t)s->m.state);
            h = b2b2c__mix64(h, s->m.dealer);
            h = b2b2c__mix64(h, (uint64_t)s->m.offered_at);
            h = b2b2c__mix64(h, (uint64_t)s->m.deadline);
            h = b2b2c__mix64(h, (uint64_t)s->m.accepted_at);
            h = b2b2c__mix64(h, (uint64_t)s->m.closed_at);
            h = b2b2c__mix64(h, b2b2c__dbits(s->m.revenue));
            h = b2b2c__mix64(h, s->m.offer_seq);
            h = b2b2c__mix64(h, s->service);
            h = b2b2c__mix64(h, s->ntried);
            for (uint32_t i = 0; i < s->ntried; i++)
                h = b2b2c__mix64(h, s->tried[i]);
            h = b2b2c__mix64(h, rel(e, s->afirst) ^
                                    ((uint64_t)rel(e, s->alast) << 32));
            sum += h;
        }
        d = b2b2c__mix64(d, sum);
        d = b2b2c__mix64(d, e->stubs.count);
    }
    {
        uint64_t sum = 0;
        it = 0;
        size_t nonempty = 0;
        /* an emptied bucket stays in memory but is not rebuilt by a
         * reopen; it routes like no bucket */
        while (b2b2c__map_next(&e->buckets, &it, NULL, NULL, &v)) {
            const bucket *b = v;
            uint64_t h = b2b2c__hash(b->key, b->klen);
            if (!b->n)
                continue;
            for (uint32_t i = 0; i < b->n; i++)
                h = b2b2c__mix64(h, b->d[i]);
            sum += h;
            nonempty++;
        }
        d = b2b2c__mix64(d, sum);
        d = b2b2c__mix64(d, nonempty);
    }
    for (size_t i = e->abase; i < e->naud; i++) {
        const aent *a = &e->aud[i];
        if (!a->lp)
            continue; /* pruned */
        d = b2b2c__mix64(d, a->seq ^ ((uint64_t)a->dealer << 32));
        d = b2b2c__mix64(d, rel(e, a->next_lead) ^
                                ((uint64_t)rel(e, a->next_dealer) << 32));
        d = b2b2c__mix64(d, a->owner);
        d = b2b2c__mix64(d, a->odealer);
    }
    {
        /* the customers' owners (dealer_owner.c) */
        uint64_t sum = 0;
        it = 0;
        while (b2b2c__map_next(&e->owners, &it, NULL, NULL, &v)) {
            const owner *o = v;
            uint64_t h = b2b2c__hash(o->key, o->klen);
            h = b2b2c__mix64(h, o->dealer);
            h = b2b2c__mix64(h, (uint64_t)o->since);
            h = b2b2c__mix64(h, (uint64_t)o->until);
            sum += h;
        }
        d = b2b2c__mix64(d, sum);
        d = b2b2c__mix64(d, e->owners.count);
    }
    d = b2b2c__mix64(d, b2b2c__dealer_regs_digest(e));
    d = b2b2c__mix64(d, b2b2c__dealer_certs_digest(e)); /* dealer_service.c */
    return d;
}
