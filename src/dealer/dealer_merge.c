/* SPDX-License-Identifier: MIT */
/*
 * Merging two lead IDs found to be one person (issue 20,
 * docs/dealer-allocation.md "Merging leads"): b2b2c_dealer_merge_lead.
 *
 * The rule. `from` must be known to the engine. The merged lead is `into`
 * (a new struct under into's ID replaces both):
 *   - only `from` known: it is renamed to `into`, its offer, tried dealers,
 *     customer key and audit chain with it;
 *   - both known: the one further along (won, lost > accepted > offered >
 *     direct > unrouted > recalled; `into` on a tie) keeps its state and
 *     current offer; the other's open offer (offered or accepted) is
 *     recalled at `now` (its dealer's open count drops, its recalled count
 *     grows, as b2b2c_dealer_recall does). Both closed with an outcome (won
 *     or lost) is B2B2C_ESTATE: one of two outcomes would stop being
 *     counted by the scorecards while the dealers' counters keep it.
 *     Attributes (region, product line, location, segment, band, creation
 *     time) are into's; the tried (declined or expired) dealers of both are
 *     kept; the customer key is into's, else from's (when into's differs,
 *     from's audit records lose theirs: an erase of that key must still
 *     find every byte of it).
 * The audit chains are joined under `into` in decision order (from's
 * records rewritten under into's ID) and a record of kind
 * B2B2C_DEALER_KIND_MERGE (no dealer; CANDIDATES = the number of from's
 * decisions joined) is appended. It does not name `from_id`: no stored
 * link between the two IDs of one person is kept (docs/privacy.md).
 *
 * Counters: the dealers' lifetime counters (and so the posteriors) move
 * only by the recall (open - 1, recalled + 1). Scorecards and the funnel
 * derive each offer's outcome from the merged lead: an offer of the lead
 * that did not keep its state counts as recalled from then on (or declined
 * or expired when it was); in particular an accepted offer that is
 * recalled no longer counts as accepted.
 *
 * Other contexts reload the engine (the change log forgets, as an erase
 * does): from's ID leaves the change log too.
 */
#include "dealer_int.h"

/* How far along a lead's state is (the merge's rule). */
static int state_rank(int32_t s)
{
    switch (s) {
    case B2B2C_DEALER_LEAD_WON:
    case B2B2C_DEALER_LEAD_LOST: return 6;
    case B2B2C_DEALER_LEAD_ACCEPTED: return 5;
    case B2B2C_DEALER_LEAD_OFFERED: return 4;
    case B2B2C_DEALER_LEAD_DIRECT: return 3;
    case B2B2C_DEALER_LEAD_UNROUTED: return 2;
    default: return 1; /* recalled */
    }
}

static int open_offer(const lead *l)
{
    return l->m.state == B2B2C_DEALER_LEAD_OFFERED ||
           l->m.state == B2B2C_DEALER_LEAD_ACCEPTED;
}

/* The latest time of anything known about lead l. */
static int64_t last_time(const b2b2c_dealer_engine *e, const lead *l)
{
    int64_t t = l->m.offered_at;
    if (l->m.accepted_at > t)
        t = l->m.accepted_at;
    if (l->m.closed_at > t)
        t = l->m.closed_at;
    if (l->alast != NONE32 && e->aud[l->alast].time > t)
        t = e->aud[l->alast].time;
    return t;
}

/* An audit entry's lead and lead links, saved by index (a later call of
 * the same group may move e->aud). */
typedef struct linksave {
    size_t i;
    void *lp;
    uint32_t prev, next;
} linksave;

static void undo_links(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    b2b2c_dealer_engine *e = a;
    linksave s;
    (void)b;
    memcpy(&s, b2b2c__undo_arena_pop(ctx, n), sizeof s);
    e->aud[s.i].lp = s.lp;
    e->aud[s.i].prev_lead = s.prev;
    e->aud[s.i].next_lead = s.next;
}

int b2b2c__dealer_save_links(b2b2c_dealer_engine *e, uint32_t i)
{
    if (i == NONE32)
        return 0;
    linksave s;
    void *p = b2b2c__undo_arena(e->ctx, undo_links, e, NULL, sizeof s);
    if (!p)
        return e->ctx->errcode;
    s.i = i;
    s.lp = e->aud[i].lp;
    s.prev = e->aud[i].prev_lead;
    s.next = e->aud[i].next_lead;
    memcpy(p, &s, sizeof s);
    return 0;
}

/* Join the chains of f and t (t may be NULL) under n in index order. */
static int join_chains(b2b2c_dealer_engine *e, const lead *f, const lead *t,
                       lead *n)
{
    uint32_t i = f->afirst, j = t ? t->afirst : NONE32, prev = NONE32;
    int rc;
    n->afirst = n->alast = NONE32;
    while (i != NONE32 || j != NONE32) {
        uint32_t k;
        if (j == NONE32 || (i != NONE32 && i < j)) {
            k = i;
            i = e->aud[i].next_lead;
        } else {
            k = j;
            j = e->aud[j].next_lead;
        }
        if ((rc = b2b2c__dealer_save_links(e, k)) != 0)
            return rc;
        e->aud[k].lp = n;
        e->aud[k].prev_lead = prev;
        e->aud[k].next_lead = NONE32;
        if (prev != NONE32)
            e->aud[prev].next_lead = k; /* saved on its own turn */
        else
            n->afirst = k;
        prev = k;
    }
    n->alast = prev;
    return 0;
}

/* The tried dealers of both (keeper's first), without the kept dealer,
 * into a new array of n->... (undo frees it on failure). */
static int join_tried(b2b2c_dealer_engine *e, const lead *k, const lead *o,
                      lead *n)
{
    uint32_t cap = k->ntried + (o ? o->ntried : 0), cnt = 0;
    uint32_t *a;
    int rc;
    n->tried = NULL;
    n->ntried = n->captried = 0;
    if (!cap)
        return 0;
    if (!(a = b2b2c__malloc(e->ctx, cap * sizeof(*a))))
        return oom(e->ctx);
    if ((rc = b2b2c__undo_free_on_fail(e->ctx, a)) != 0) {
        b2b2c__free(e->ctx, a);
        return rc;
    }
    for (uint32_t i = 0; i < k->ntried; i++)
        a[cnt++] = k->tried[i];
    for (uint32_t i = 0; o && i < o->ntried; i++) {
        uint32_t di = o->tried[i] & ~TRIED_EXPIRED, dup = 0;
        if (n->m.dealer == di)
            continue;
        for (uint32_t x = 0; x < cnt && !dup; x++)
            dup = (a[x] & ~TRIED_EXPIRED) == di;
        if (!dup)
            a[cnt++] = o->tried[i];
    }
    n->tried = a;
    n->ntried = cnt;
    n->captried = cap;
    return 0;
}

/* A lead's attributes as lead_make takes them, with customer key
 * (ck, cklen). */
static void attrs_of(const lead *l, const unsigned char *ck, uint8_t cklen,
                     lead_attrs *at)
{
    memset(at, 0, sizeof *at);
    at->created = l->created;
    snprintf(at->region, sizeof at->region, "%s", l->region);
    snprintf(at->product, sizeof at->product, "%s", l->product);
    at->has_loc = l->has_loc;
    at->lat = l->lat;
    at->lon = l->lon;
    at->segment = l->segment;
    at->band = l->band;
    at->state = l->m.state;
    at->deadline = l->m.deadline;
    at->cklen = cklen;
    if (cklen)
        memcpy(at->ck, ck, cklen);
}

static int merge_body(b2b2c_dealer_engine *e, const char *from_id,
                      size_t fn, const char *into_id, size_t in, int64_t now)
{
    b2b2c_ctx *ctx = e->ctx;
    lead *f, *t, *k, *o, *n;
    const lead *ckl;
    lead_attrs at;
    uint32_t joined = 0;
    int64_t last;
    aent x;
    stub *sf;
    int rc;
    t = b2b2c__map_get(&e->leads, into_id, in);
    /* a closed from_id's audit entries kept (its stub, dealer_close.c)
     * are renamed into_id and stay closed; not when into_id has such
     * entries too (one stub per ID) */
    sf = b2b2c__map_get(&e->stubs, from_id, fn);
    if (sf && b2b2c__map_get(&e->stubs, into_id, in))
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "from_id: leads '%s' and '%s' are both closed "
                          "with audit entries kept; not merged (merge "
                          "once either's entries are pruned)",
                          from_id, into_id);
    if (!(f = b2b2c__map_get(&e->leads, from_id, fn))) {
        /* a closed from_id (dealer_close.c): no offer, its outcome
         * already counted; its record goes when into_id is known (in
         * memory or closed), else it is renamed into_id */
        int32_t st;
        uint32_t di;
        int known = t != NULL;
        if (!known &&
            (known = b2b2c__dealer_closed_get(e, into_id, in, &st, &di)) < 0)
            return known;
        if ((rc = b2b2c__dealer_closed_move(e, from_id, fn,
                                            known ? NULL : into_id, in)) < 0)
            return rc;
        if (rc == 0 && !sf)
            return b2b2c__err(ctx, B2B2C_ENOTFOUND, "from_id: no lead '%s'",
                              from_id);
        if (sf && (rc = b2b2c__dealer_stub_rename(e, sf, into_id, in)) != 0)
            return rc;
        b2b2c__sync_forget(ctx);
        return 0;
    }
    if (b2b2c__dealer_lead_erased(f))
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "from_id: no lead '%s'",
                          from_id);
    last = last_time(e, f);
    if (t && last_time(e, t) > last)
        last = last_time(e, t);
    if (now < last)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "now: %lld is before the last decision or outcome "
                          "of lead '%s' or '%s' at %lld",
                          (long long)now, from_id, into_id, (long long)last);
    /* the keeper k and the other o (NULL: into unknown) */
    k = f;
    o = t;
    if (t) {
        int rf = state_rank(f->m.state), rt = state_rank(t->m.state);
        if (rf == 6 && rt == 6)
            return b2b2c__err(ctx, B2B2C_ESTATE,
                              "from_id: leads '%s' and '%s' both have an "
                              "outcome (won or lost); not merged",
                              from_id, into_id);
        if (rt >= rf) {
            k = t;
            o = f;
        }
    }
    if (o && open_offer(o) &&
        (rc = b2b2c__dealer_recall_offer(e, o, now)) != 0)
        return rc;
    /* the merged lead: into's attributes, into's key else from's */
    ckl = t && t->cklen ? t : f;
    attrs_of(t ? t : f, lead_ck(ckl), ckl->cklen, &at);
    if (!(n = b2b2c__dealer_lead_make(e, into_id, in, &at)))
        return oom(ctx);
    if ((rc = b2b2c__undo_free_on_fail(ctx, n)) != 0) {
        b2b2c__free(ctx, n);
        return rc;
    }
    n->m = k->m;
    n->service = k->service;
    for (uint32_t i = f->afirst; i != NONE32; i = e->aud[i].next_lead)
        joined++;
    /* from's records under into's ID (read while from is still mapped);
     * from's key dropped when the merged lead does not keep it */
    for (uint32_t i = f->afirst; i != NONE32; i = e->aud[i].next_lead) {
        int drop = ckl != f && f->cklen &&
                           (ckl->cklen != f->cklen ||
                            memcmp(lead_ck(ckl), lead_ck(f), f->cklen))
                       ? REWRITE_CK
                       : 0;
        if ((rc = b2b2c__dealer_rewrite_audit(e, &e->aud[i], into_id, in,
                                              drop)) != 0)
            return rc;
    }
    if ((rc = join_tried(e, k, o, n)) != 0)
        return rc;
    /* the keeper's offer moves to the new struct in the deadline heap */
    if (k->heap_pos != NOPOS && (rc = b2b2c__dealer_heap_remove(e, k)) != 0)
        return rc;
    if ((rc = b2b2c__map_remove_undoable(ctx, &e->leads, f->id, f->idlen)) ||
        (rc = b2b2c__undo_free_on_commit(ctx, f)) != 0 ||
        (f->tried && (rc = b2b2c__undo_free_on_commit(ctx, f->tried))))
        return rc;
    if (t && ((rc = b2b2c__map_remove_undoable(ctx, &e->leads, t->id,
                                               t->idlen)) ||
              (rc = b2b2c__undo_free_on_commit(ctx, t)) != 0 ||
              (t->tried && (rc = b2b2c__undo_free_on_commit(ctx, t->tried)))))
        return rc;
    if ((rc = b2b2c__map_insert_undoable(ctx, &e->leads, n->id, in, n)) ||
        (rc = join_chains(e, f, t, n)) != 0)
        return rc;
    if (n->m.state == B2B2C_DEALER_LEAD_OFFERED &&
        (rc = b2b2c__dealer_heap_push(e, n)) != 0)
        return rc;
    /* the MERGE record */
    if ((rc = b2b2c__dealer_save_emut(e)) != 0)
        return rc;
    e->m.seq++;
    memset(&x, 0, sizeof x);
    x.seq = e->m.seq;
    x.time = now;
    x.lp = n;
    x.dealer = NONE32;
    x.odealer = NONE32;
    x.kind = B2B2C_DEALER_KIND_MERGE;
    x.policy = (uint8_t)e->param[P_POLICY];
    x.cand = joined;
    if ((rc = b2b2c__dealer_aud_push(e, &x)) != 0 ||
        (rc = b2b2c__dealer_write_audit(e, &e->aud[e->naud - 1], 0)) != 0 ||
        (rc = b2b2c__st_del(ctx, T_LEADS, from_id, fn)) != 0 ||
        (rc = b2b2c__dealer_write_lead(e, n)) != 0 ||
        (sf && (rc = b2b2c__dealer_stub_rename(e, sf, into_id, in)) != 0))
        return rc;
    b2b2c__sync_forget(ctx);
    return 0;
}

int b2b2c_dealer_merge_lead(b2b2c_dealer_engine *e, const char *from_id,
                            const char *into_id, int64_t now)
{
    size_t fn, in;
    int rc;
    CHECK_E(e);
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "from_id", from_id, &fn)) != 0 ||
        (rc = b2b2c__dealer_id_arg(e->ctx, "into_id", into_id, &in)) != 0 ||
        (rc = check_now(e->ctx, now)) != 0)
        return rc;
    if (fn == in && memcmp(from_id, into_id, fn) == 0)
        return b2b2c__err(e->ctx, B2B2C_EINVAL,
                          "from_id: the same lead as into_id ('%s')",
                          into_id);
    B2B2C__CALL(rc, e->ctx, e,
                merge_body(e, from_id, fn, into_id, in, now));
    return rc;
}
