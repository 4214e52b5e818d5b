/* SPDX-License-Identifier: MIT */
/*
 * Routing decisions: the candidates of a lead (its region and the region's
 * ancestors, and the grid cell of its location), the eligibility pass, the
 * maximum share, and the policy's choice (dealer_policy_*.c). decide() runs
 * these phases in order; a lead that a region bucket's plan covers is
 * decided from the plan (dealer_plan.c) without the pass.
 */
#include "dealer_int.h"

/* The engine-wide inputs of the cached weights: a new epoch whenever one
 * of them differs from the last decision's. */
static void wc_refresh(b2b2c_dealer_engine *e)
{
    if (e->wc_epoch == 0 || e->wc_net_won != e->m.net_won ||
        e->wc_net_res != e->m.net_resolved ||
        e->wc_prior != e->param[P_PRIOR] || e->wc_expo != e->param[P_EXPO]) {
        e->wc_epoch++;
        e->wc_net_won = e->m.net_won;
        e->wc_net_res = e->m.net_resolved;
        e->wc_prior = e->param[P_PRIOR];
        e->wc_expo = e->param[P_EXPO];
    }
}

/* The candidates of the first (or only) region bucket of a lead. */
static void cand_first(const bucket *b, uint32_t *cand, hot **hp)
{
    memcpy(cand, b->d, (size_t)b->n * sizeof(*cand));
    for (uint32_t i = 0; i < b->n; i++)
        hp[i] = &b->h[i];
}

/* Phase 1: the dealers of the lead's region and its ancestors; a dealer in
 * several of these buckets is a candidate once (marks are set only once a
 * second bucket turns up). The first bucket's candidates are left to
 * copy (cand_first) while it is the only one. */
static void gather_regions(b2b2c_dealer_engine *e, pass *ps)
{
    const lead *l = ps->l;
    uint32_t *cand = e->cand, nc = 0, nb = 0;
    uint64_t *mark = e->mark, stamp = ps->stamp;
    hot **hp = e->hp;
    bucket *b1 = NULL;
    char buf[64];
    size_t rlen = strlen(l->region);

    memcpy(buf, l->region, rlen + 1);
    for (;;) {
        uint64_t h = b2b2c__map_keyhash(buf, rlen);
        bucket *b = (e->bloom[(h >> 6) & 63] >> (h & 63)) & 1
                        ? b2b2c__map_get_h(&e->buckets, h, buf, rlen)
                        : NULL;
        if (b && b->n) {
            if (nb++ == 0) {
                b1 = b; /* its candidates are copied later (cand_first) */
                nc = b->n;
            } else {
                if (nb == 2) {
                    cand_first(b1, cand, hp);
                    for (uint32_t i = 0; i < nc; i++)
                        mark[cand[i]] = stamp;
                }
                for (uint32_t i = 0; i < b->n; i++) {
                    if (mark[b->d[i]] != stamp) {
                        mark[b->d[i]] = stamp;
                        hp[nc] = &b->h[i];
                        cand[nc++] = b->d[i];
                    }
                }
            }
        }
        while (rlen > 0 && buf[rlen - 1] != '-')
            rlen--;
        if (rlen == 0)
            break;
        buf[--rlen] = '\0';
    }
    ps->nc = nc;
    ps->nb = nb;
    ps->b1 = b1;
}

/* Phase 2: the lead's interned product line (have_prod 1), an unknown one
 * that no restricted dealer sells (0), or none: any dealer (2). */
static void lead_product(const b2b2c_dealer_engine *e, pass *ps)
{
    const lead *l = ps->l;
    if (l->product[0]) {
        prod *p = b2b2c__map_get(&e->prods, l->product, strlen(l->product));
        if (p) {
            ps->have_prod = 1;
            ps->pid = p->id;
        }
    } else {
        ps->have_prod = 2;
    }
}

/* Phase 3: one region bucket, no location, no declined dealers: the
 * bucket's plan decides when it holds (returns 1); the pass renews it when
 * it does not (ps->save). */
static int decide_by_plan(b2b2c_dealer_engine *e, pass *ps, decision *dc)
{
    bucket *b1 = ps->b1;
    if (ps->nb != 1 || ps->l->has_loc)
        return 0;
    dc->bk = b1;
    if (ps->l->ntried != 0 || e->noplan || ps->l->service)
        return 0;
    if (!b2b2c__dealer_plan_ok(e, b1, ps->now, ps->day, ps->pidx,
                               ps->pol)) {
        if (b1->pl.nosave)
            b1->pl.nosave--;
        else
            ps->save = 1;
    } else if ((ps->have_prod == 2 || b1->pl.nrestr == 0) &&
               b2b2c__dealer_plan_decide(e, b1, ps->pol, dc)) {
        b1->pl.served++;
        e->plan_hits++;
        return 1;
    }
    return 0;
}

/* Phase 4: the dealers whose service circle covers the lead's location
 * (its grid cell's bucket), with their distances, and the distances of the
 * territory matches that also have a location. */
static void gather_location(b2b2c_dealer_engine *e, pass *ps)
{
    const lead *l = ps->l;
    uint32_t *cand = e->cand, nc = ps->nc;
    uint64_t *mark = e->mark, stamp = ps->stamp;
    double *dist = e->dist;
    hot **hp = e->hp;
    int a, o, kl;
    char ck[32];
    bucket *b;

    for (uint32_t i = 0; i < nc; i++)
        dist[i] = 0;
    cell_of(l->lat, l->lon, &a, &o);
    kl = cell_key(ck, sizeof ck, a, o);
    b = b2b2c__map_get(&e->buckets, ck, (size_t)kl);
    if (ps->nb == 1)
        for (uint32_t i = 0; i < nc; i++)
            mark[cand[i]] = stamp;
    for (uint32_t i = 0; b && i < b->n; i++) {
        dealer *d;
        double km;
        if (mark[b->d[i]] == stamp)
            continue;
        d = e->dealers[b->d[i]];
        if (!d->cfg.has_loc)
            continue;
        km = b2b2c__haversine_km(l->lat, l->lon, d->cfg.lat, d->cfg.lon);
        if (km > d->cfg.radius)
            continue;
        mark[b->d[i]] = stamp;
        dist[nc] = km;
        mirror_of(d, &e->ghot[nc]); /* empty cache: computed fresh */
        hp[nc] = &e->ghot[nc];
        cand[nc++] = b->d[i];
    }
    for (uint32_t i = 0; i < nc; i++) {
        dealer *d = e->dealers[cand[i]];
        if (dist[i] == 0 && d->cfg.has_loc)
            dist[i] = b2b2c__haversine_km(l->lat, l->lon, d->cfg.lat,
                                          d->cfg.lon);
    }
    ps->nc = nc;
}

/* Phase 5 (only when the pass renews the plan): what a plan needs beyond
 * the pass: dealers with product lines, and the times around `now` at
 * which a dealer's status changes. */
static void plan_window(b2b2c_dealer_engine *e, pass *ps)
{
    uint32_t nrestr = 0;
    hot **hp = e->hp;
    for (uint32_t i = 0; i < ps->nc; i++) {
        const hot *h = hp[i];
        nrestr += h->nprod != 0;
        if (h->active_from > ps->now) {
            if (h->active_from < ps->t_hi)
                ps->t_hi = h->active_from;
        } else if (h->active_from > ps->t_lo) {
            ps->t_lo = h->active_from;
        }
    }
    ps->b1->pl.nrestr = nrestr;
    if (ps->have_prod != 2 && nrestr) {
        ps->save = 0;
        ps->b1->pl.ver = 0;
    }
}

/* Phase 6: eligibility, first skip reason wins; the eligible dealer's
 * number, mirror entry, offers this period and distance (0 without a
 * location) go to the scratch arrays elig, hp, po and w. */
static void eligibility_pass(b2b2c_dealer_engine *e, pass *ps, decision *dc)
{
    const lead *l = ps->l;
    uint32_t nc = ps->nc, ne = 0, pid = ps->pid, have_prod = ps->have_prod;
    int64_t now = ps->now, day = ps->day, pidx = ps->pidx;
    uint32_t *cand = e->cand, *elig = e->elig;
    double *w = e->w, *dist = e->dist;
    uint64_t *po = e->po, sumper = 0, maxpo = 0;
    hot **hp = e->hp;

    for (uint32_t i = 0; i < nc; i++) {
        uint32_t di = cand[i];
        hot *h = hp[i];
        if (i + 6 < nc)
            PREFETCH(hp[i + 6]);
        if (h->active_from > now)
            dc->skip[0]++;
        else if (have_prod != 2 && h->nprod &&
                 !sells(e->dealers[di], have_prod, pid))
            dc->skip[1]++;
        else if (l->ntried && tried(l, di))
            dc->skip[2]++;
        else if (h->room == 0)
            dc->skip[3]++;
        else if (h->quota && (h->day_idx >= day ? h->day_offers : 0) >=
                                 (uint32_t)h->quota)
            dc->skip[4]++;
        else {
            uint64_t pof = h->period_idx >= pidx ? h->period_offers : 0;
            elig[ne] = di;
            hp[ne] = h; /* ne <= i: already read */
            po[ne] = pof;
            if (pof > maxpo)
                maxpo = pof;
            sumper += pof;
            w[ne] = l->has_loc ? dist[i] : 0; /* dist set with a location */
            ne++;
        }
    }
    ps->ne = ne;
    ps->sumper = sumper;
    ps->maxpo = maxpo;
}

/* Phase 8: maximum share: of the offers this period to the dealers
 * eligible for this lead, none takes more than max_share, unless all would
 * be over (when even the most offered dealer is under, nobody is: (double)
 * and + 1.0 are monotonic). */
static void max_share(b2b2c_dealer_engine *e, pass *ps, decision *dc)
{
    uint32_t ne = ps->ne, k = ne, *elig = e->elig;
    double cap, *w = e->w;
    uint64_t *po = e->po, *key = e->key;
    hot **hp = e->hp;
    if (!(ne > 1 && e->param[P_MAXSHARE] < 1.0 &&
          (double)ps->sumper >= e->param[P_SHAREMIN]))
        return;
    cap = e->param[P_MAXSHARE] * ((double)ps->sumper + 1.0);
    if (!((double)ps->maxpo + 1.0 <= cap)) {
        k = 0;
        for (uint32_t i = 0; i < ne; i++)
            k += (double)po[i] + 1.0 <= cap;
    }
    if (k > 0 && k < ne) {
        uint32_t j = 0;
        for (uint32_t i = 0; i < ne; i++)
            if ((double)po[i] + 1.0 <= cap) {
                elig[j] = elig[i];
                hp[j] = hp[i];
                w[j] = w[i];
                key[j] = key[i];
                j++;
            }
        ps->filtered = 1;
    }
    if (k > 0) {
        dc->skip[5] = ne - k;
        ps->ne = k;
    }
}

/* Phase 9: why nobody is eligible (first skip reason that took them all). */
static int32_t unrouted_reason(const pass *ps, const decision *dc)
{
    uint32_t nc = ps->nc, rest = nc - dc->skip[0] - dc->skip[1];
    if (nc == 0)
        return ps->nuncert ? B2B2C_DEALER_REASON_NO_SERVICE
                           : B2B2C_DEALER_REASON_NO_TERRITORY;
    if (dc->skip[0] == nc)
        return B2B2C_DEALER_REASON_ALL_PAUSED;
    if (rest == 0)
        return B2B2C_DEALER_REASON_NO_PRODUCT;
    if (dc->skip[2] == rest)
        return B2B2C_DEALER_REASON_ALL_DECLINED;
    return B2B2C_DEALER_REASON_ALL_AT_CAPACITY;
}

/* Choose a dealer for lead l at `now`. Fills dc; dc->elig == 0 when nobody
 * is eligible (dc->reason says why). Draws from e->m.rng. No allocation.
 * Each candidate dealer is read once (the eligibility pass copies what the
 * policies need into the scratch arrays); a lead that a region bucket's
 * plan covers is decided from the plan, without the pass. */
void b2b2c__dealer_decide(b2b2c_dealer_engine *e, const lead *l, int64_t now,
                          decision *dc)
{
    pass ps;

    memset(dc, 0, sizeof(*dc));
    dc->chosen = NONE32;
    dc->pk = NONE32;
    dc->odealer = NONE32;
    memset(&ps, 0, sizeof(ps));
    ps.l = l;
    ps.now = now;
    ps.pidx = period_of(e, now);
    ps.day = b2b2c__day(e->ctx, now);
    ps.t_lo = INT64_MIN;
    ps.t_hi = INT64_MAX;
    ps.stamp = ++e->stamp;
    ps.pol = b2b2c__dealer_policy_of(e->param[P_POLICY]);

    gather_regions(e, &ps);
    lead_product(e, &ps);
    /* engine-wide inputs of the weights, before the eligibility pass, so
     * that the policy's weights and their sum follow from the same
     * operations in the same order on every path */
    ps.p0 = net_p0(e);
    if (ps.pol->weighted)
        wc_refresh(e);
    if (decide_by_plan(e, &ps, dc))
        return;
    if (ps.nb == 1)
        cand_first(ps.b1, e->cand, e->hp);
    if (l->has_loc)
        gather_location(e, &ps);
    if (l->service) /* a service request: certified dealers only */
        b2b2c__dealer_service_filter(e, &ps);
    dc->cand = ps.nc;
    if (ps.save)
        plan_window(e, &ps);
    eligibility_pass(e, &ps, dc);
    /* Phase 7: the policy's weights (and round robin's choice) over the
     * eligible, in eligible order; the plan keeps them as they are before
     * the maximum share */
    if (ps.ne)
        ps.pol->weigh(e, &ps);
    if (ps.save)
        b2b2c__dealer_plan_save(e, &ps, dc);
    max_share(e, &ps, dc);
    dc->elig = ps.ne;
    if (ps.ne == 0) {
        dc->reason = unrouted_reason(&ps, dc);
        return;
    }
    dc->reason = B2B2C_DEALER_REASON_ROUTED;
    /* Phase 10: the policy's choice among the eligible */
    ps.pol->choose(e, &ps, dc);
}

/* The weights of the performance (perf != 0) and Thompson policies: tier x
 * posterior mean (and that to the perf_exponent), with their sum in
 * eligible order, and each dealer's resolved offers in key (the new-dealer
 * floor reads them). */
void b2b2c__dealer_weigh_posterior(b2b2c_dealer_engine *e, pass *ps,
                                   int perf)
{
    double *w = e->w, wsum = 0, p0 = ps->p0;
    uint64_t *key = e->key;
    hot **hp = e->hp;
    for (uint32_t k = 0; k < ps->ne; k++) {
        const hot *c = weights(e, hp[k], p0);
        w[k] = perf ? c->perf : c->mean;
        key[k] = c->res;
        wsum += w[k];
    }
    ps->wsum = wsum;
}

/* The sum of the weights of the eligible left after the maximum share:
 * the pass's sum, unless max share removed some (then the same loop over
 * what is left). */
double b2b2c__dealer_weight_sum(const b2b2c_dealer_engine *e, const pass *ps)
{
    double s = 0;
    if (!ps->filtered)
        return ps->wsum;
    for (uint32_t i = 0; i < ps->ne; i++)
        s += e->w[i];
    return s;
}

/* Choose eligible dealer `pick` (its weight w[pick], its rank 1 + those
 * weighing more). */
void b2b2c__dealer_choose_at(const b2b2c_dealer_engine *e, const pass *ps,
                             uint32_t pick, double weight, decision *dc)
{
    uint32_t rank = 1;
    double chosen_w = e->w[pick];
    for (uint32_t i = 0; i < ps->ne; i++)
        rank += e->w[i] > chosen_w;
    dc->chosen = e->elig[pick];
    dc->entry = e->hp[pick];
    dc->weight = weight;
    dc->rank = rank;
}

/* The weighted draw of the tier and performance policies: the first
 * eligible dealer whose prefix sum of the weights exceeds u = uniform x
 * total (as pick_cum on a plan), else the last. */
void b2b2c__dealer_choose_weighted(b2b2c_dealer_engine *e, const pass *ps,
                                   double total, decision *dc)
{
    double u = b2b2c__rng_uniform(&e->m.rng) * total, c = 0;
    uint32_t pick = ps->ne - 1;
    for (uint32_t i = 0; i < ps->ne; i++) {
        c += e->w[i];
        if (u < c) {
            pick = i;
            break;
        }
    }
    b2b2c__dealer_choose_at(e, ps, pick, e->w[pick], dc);
}
