/* SPDX-License-Identifier: MIT */
/*
 * Closing resolved leads (issue 20, docs/dealer-allocation.md "Closing
 * resolved leads"): b2b2c_dealer_close_due moves a lead whose offer is
 * resolved (won, lost, or sent to direct sales: states no call changes
 * any more) out of memory once B2B2C_DEALER_PARAM_CLOSE_DAYS have passed
 * since it was resolved. Its audit entries not pruned yet
 * (b2b2c_dealer_prune) stay: they point at a closed stub of the lead
 * (struct stub, dealer_int.h: what the audit listings, scorecards,
 * funnels and off-boarding read of it), in e->stubs by ID, freed with its
 * last entry; each entry's record is rewritten with the final state
 * (audit record version 5), so a load makes the stub from the records
 * without reading dealer_closed, and another context moves its entries
 * to the stub when it reads the rewritten records. What the lead
 * counted stays where it is counted: the dealers' statistics records
 * (counters, posteriors) and the owners; a closed lead changes none.
 *
 * Its record moves from dealer_leads to dealer_closed (key: the lead ID),
 * which the open does not read: the open's time and memory follow the
 * working set. The record there is the lead's dealer_leads record,
 * version 1, without the customer key (a closed lead is never re-routed,
 * which is all the key is kept for; erasing a customer then has nothing
 * to find there). b2b2c_dealer_lead_state answers for a closed lead from
 * it; b2b2c_dealer_erase_lead and b2b2c_dealer_merge_lead find it.
 *
 * Bounded work: a call examines at most `max` leads of the map from a
 * cursor (a slot number, in memory) and wraps. A removal may move a later
 * entry into a slot already passed: it is then examined one round later.
 */
#include "dealer_int.h"

/* The time lead l was resolved: its last dated step. */
static int64_t resolved_at(const lead *l)
{
    int64_t t = l->created;
    if (l->m.offered_at > t)
        t = l->m.offered_at;
    if (l->m.accepted_at > t)
        t = l->m.accepted_at;
    if (l->m.closed_at > t)
        t = l->m.closed_at;
    return t;
}

/* Resolved (no call changes these states; never in the deadline heap),
 * resolved before the cutoff, and, when it has audit entries left, no
 * stub of an earlier lead of its ID in memory (one stub per ID: it waits
 * until that one's entries are pruned). */
static int due(const b2b2c_dealer_engine *e, const lead *l, int64_t cutoff)
{
    return (l->m.state == B2B2C_DEALER_LEAD_WON ||
            l->m.state == B2B2C_DEALER_LEAD_LOST ||
            l->m.state == B2B2C_DEALER_LEAD_DIRECT) &&
           resolved_at(l) < cutoff &&
           (l->afirst == NONE32 ||
            !b2b2c__map_get(&e->stubs, l->id, l->idlen));
}

/* ---- stubs ------------------------------------------------------------- */

stub *b2b2c__dealer_stub_alloc(b2b2c_dealer_engine *e, const char *id,
                               size_t n, uint32_t nt)
{
    stub *s = b2b2c__malloc(e->ctx, sizeof(*s) + nt * sizeof(uint32_t) +
                                        n + 1);
    if (!s) {
        oom(e->ctx);
        return NULL;
    }
    memset(s, 0, sizeof(*s));
    s->ntried = nt;
    s->idlen = (uint32_t)n;
    s->afirst = s->alast = NONE32;
    memcpy(stub_id(s), id, n);
    stub_id(s)[n] = '\0';
    return s;
}

stub *b2b2c__dealer_stub_copy(b2b2c_dealer_engine *e, const stub *s,
                              const char *id, size_t n)
{
    stub *t = b2b2c__dealer_stub_alloc(e, id, n, s->ntried);
    if (t) {
        t->m = s->m;
        t->service = s->service;
        memcpy(t->tried, s->tried, s->ntried * sizeof(uint32_t));
    }
    return t;
}

/* Lead l's audit entries move to stub s (undoably), joined with those s
 * has in index order. */
static int adopt(b2b2c_dealer_engine *e, lead *l, stub *s)
{
    uint32_t i, prev = NONE32, j;
    int rc;
    if ((rc = b2b2c__undo_save(e->ctx, &s->afirst,
                               sizeof s->afirst + sizeof s->alast)) != 0)
        return rc;
    for (i = l->afirst; i != NONE32; i = e->aud[i].next_lead)
        if ((rc = b2b2c__dealer_save_links(e, i)) != 0)
            return rc;
    for (j = s->afirst; j != NONE32; j = e->aud[j].next_lead)
        if ((rc = b2b2c__dealer_save_links(e, j)) != 0)
            return rc;
    /* merge the two chains by index */
    i = l->afirst;
    j = s->afirst;
    s->afirst = NONE32;
    while (i != NONE32 || j != NONE32) {
        uint32_t k;
        if (j == NONE32 || (i != NONE32 && i < j)) {
            k = i;
            i = e->aud[i].next_lead;
        } else {
            k = j;
            j = e->aud[j].next_lead;
        }
        e->aud[k].lp = stub_ref(s);
        e->aud[k].prev_lead = prev;
        e->aud[k].next_lead = NONE32;
        if (prev != NONE32)
            e->aud[prev].next_lead = k;
        else
            s->afirst = k;
        prev = k;
    }
    s->alast = prev;
    return 0;
}

/* Lead l's stub (undoably in e->stubs; its entries still l's), or the one
 * of its ID there already. */
static int stub_for(b2b2c_dealer_engine *e, const lead *l, stub **out)
{
    stub *s = b2b2c__map_get(&e->stubs, l->id, l->idlen);
    int rc;
    if (s) {
        *out = s;
        return 0;
    }
    if (!(s = b2b2c__dealer_stub_alloc(e, l->id, l->idlen, l->ntried)))
        return e->ctx->errcode;
    s->m = l->m;
    s->service = l->service;
    if (l->ntried)
        memcpy(s->tried, l->tried, l->ntried * sizeof(uint32_t));
    if ((rc = b2b2c__undo_free_on_fail(e->ctx, s)) != 0) {
        b2b2c__free(e->ctx, s);
        return rc;
    }
    *out = s;
    return b2b2c__map_insert_undoable(e->ctx, &e->stubs, stub_id(s),
                                      s->idlen, s);
}

/* Lead l, with audit entries, becomes a stub in memory (its records are
 * the caller's). */
static int to_stub(b2b2c_dealer_engine *e, lead *l)
{
    stub *s = NULL;
    int rc = stub_for(e, l, &s);
    return rc ? rc : adopt(e, l, s);
}

/* Lead l out of memory (undoably); its storage is the caller's. */
static int forget(b2b2c_dealer_engine *e, lead *l)
{
    b2b2c_ctx *ctx = e->ctx;
    int rc;
    if ((rc = b2b2c__map_remove_undoable(ctx, &e->leads, l->id,
                                         l->idlen)) != 0 ||
        (l->tried && (rc = b2b2c__undo_free_on_commit(ctx, l->tried))) ||
        (rc = b2b2c__undo_free_on_commit(ctx, l)) != 0)
        return rc;
    return 0;
}

static int del_lead_rec(b2b2c_dealer_engine *e, const lead *l)
{
    int rc = b2b2c__st_del(e->ctx, T_LEADS, l->id, l->idlen);
    return rc == B2B2C_ENOTFOUND ? 0 : rc;
}

/* Lead l closes: its record to dealer_closed; with audit entries left,
 * its stub made and each entry's record rewritten with the final state
 * (version 5, without the lead as routed), so that a load makes the stub
 * from them. */
static int close_one(b2b2c_dealer_engine *e, lead *l)
{
    int rc;
    if ((rc = b2b2c__dealer_write_lead_to(e, l, T_CLOSED, 0)) != 0 ||
        (rc = del_lead_rec(e, l)) != 0)
        return rc;
    if (l->afirst != NONE32) {
        stub *s;
        if ((rc = to_stub(e, l)) != 0)
            return rc;
        s = b2b2c__map_get(&e->stubs, l->id, l->idlen);
        for (uint32_t i = s->afirst; i != NONE32; i = e->aud[i].next_lead)
            if ((rc = b2b2c__dealer_rewrite_audit(e, &e->aud[i], stub_id(s),
                                                  s->idlen, 0)) != 0)
                return rc;
    }
    return forget(e, l);
}

static int close_body(b2b2c_dealer_engine *e, int64_t now, size_t max,
                      size_t *done)
{
    int64_t cutoff = now - (int64_t)e->param[P_CLOSEDAYS] * 86400;
    /* seen: leads examined (a closed one's slot is examined again: a
     * later entry may have moved into it); slots: slots passed, one round
     * at most, so that a call with max >= the leads examines each of them
     * (a removal moves entries back into slots not passed yet, or, near
     * the round's end, into one passed at its start: seen by both) */
    size_t seen = 0, slots = 0;
    int rc;
    *done = 0;
    /* the cursor too: a failed call leaves everything as it was */
    if ((rc = b2b2c__undo_save(e->ctx, &e->ccur, sizeof e->ccur)) != 0)
        return rc;
    while (seen < max && e->leads.count && slots < e->leads.cap) {
        b2b2c__map_slot *s;
        if (e->ccur >= e->leads.cap)
            e->ccur = 0;
        s = &e->leads.slots[e->ccur];
        if (!s->hash) {
            e->ccur++;
            slots++;
            continue;
        }
        seen++;
        if (due(e, s->val, cutoff)) {
            /* the slot may take a later entry: look at it again */
            if ((rc = close_one(e, s->val)) != 0)
                return rc;
            (*done)++;
        } else {
            e->ccur++;
            slots++;
        }
    }
    return 0;
}

int b2b2c_dealer_close_due(size_t *closed, b2b2c_dealer_engine *e,
                           int64_t now, size_t max)
{
    size_t n = 0;
    int rc;
    CHECK_E(e);
    if ((rc = check_now(e->ctx, now)) != 0)
        return rc;
    if (max == 0)
        return b2b2c__err(e->ctx, B2B2C_ERANGE, "max: 0 (at least 1)");
    B2B2C__CALL(rc, e->ctx, e, close_body(e, now, max, &n));
    if (rc == 0 && closed)
        *closed = n;
    return rc;
}

/* ---- reading and moving closed records ---------------------------------- */

/* A closed record failed to decode (rc): the message names its table
 * (the lead record's decoder names dealer_leads). */
int b2b2c__dealer_closed_fail(b2b2c_dealer_engine *e, const void *k,
                              size_t kl, int rc)
{
    return rc == B2B2C_ECORRUPT
               ? b2b2c__err_corrupt(e->ctx, rc, T_CLOSED, k, kl,
                                    "closed lead")
               : rc;
}

typedef struct got {
    b2b2c_dealer_engine *e;
    const char *id;
    size_t n;
    int found, rc;
    int32_t state;
    uint32_t dealer;
    unsigned char *copy; /* closed_move: the value's bytes */
    size_t vl;
} got;

static int got_closed(const void *v, size_t vl, void *payload)
{
    got *g = payload;
    lead_attrs at;
    lmut m;
    uint32_t *tried, nt;
    int rc;
    g->found = 1;
    if (g->copy == (unsigned char *)g) { /* closed_move: copy it */
        if (!(g->copy = b2b2c__malloc(g->e->ctx, vl ? vl : 1)))
            return oom(g->e->ctx);
        memcpy(g->copy, v, vl);
        g->vl = vl;
        return 0;
    }
    rc = b2b2c__dealer_dec_lead(g->e, g->id, g->n, v, vl, &at, &m, &tried,
                                &nt);
    if (rc)
        return b2b2c__dealer_closed_fail(g->e, g->id, g->n, rc);
    b2b2c__free(g->e->ctx, tried);
    g->state = m.state;
    g->dealer = m.dealer;
    return 0;
}

int b2b2c__dealer_closed_get(b2b2c_dealer_engine *e, const char *id,
                             size_t n, int32_t *state, uint32_t *dealer)
{
    got g = {e, id, n, 0, 0, 0, NONE32, NULL, 0};
    int rc = b2b2c__st_get(e->ctx, T_CLOSED, id, n, got_closed, &g);
    if (rc == B2B2C_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (g.found) {
        *state = g.state;
        *dealer = g.dealer;
    }
    return g.found;
}

int b2b2c__dealer_closed_move(b2b2c_dealer_engine *e, const char *id,
                              size_t n, const char *to, size_t tn)
{
    got g = {e, id, n, 0, 0, 0, NONE32, NULL, 0};
    int rc;
    g.copy = (unsigned char *)&g; /* ask got_closed for the bytes */
    rc = b2b2c__st_get(e->ctx, T_CLOSED, id, n, got_closed, &g);
    if (g.copy == (unsigned char *)&g)
        g.copy = NULL;
    if (rc == B2B2C_ENOTFOUND)
        rc = 0;
    if (rc == 0 && g.found) {
        if (to)
            rc = b2b2c__st_put(e->ctx, T_CLOSED, to, tn, g.copy, g.vl);
        if (rc == 0)
            rc = b2b2c__st_del(e->ctx, T_CLOSED, id, n);
    }
    b2b2c__free(e->ctx, g.copy);
    return rc ? rc : g.found;
}

int b2b2c__dealer_lead_retire(b2b2c_dealer_engine *e, const void *k,
                              size_t kl, lead **out)
{
    lead *l = b2b2c__map_get(&e->leads, k, kl);
    int rc;
    *out = NULL;
    if (!l)
        return 0;
    /* the offer this context knew of ended there */
    if ((rc = b2b2c__dealer_heap_remove(e, l)) != 0 ||
        (rc = b2b2c__map_remove_undoable(e->ctx, &e->leads, l->id,
                                         l->idlen)) != 0)
        return rc;
    *out = l;
    return 0;
}

int b2b2c__dealer_lead_retired(b2b2c_dealer_engine *e, lead *l)
{
    int rc;
    /* its entries, their records rewritten there, went to its stub
     * (b2b2c__dealer_aud_close) or were pruned */
    if (l->afirst != NONE32)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_LEADS, l->id,
                                  l->idlen,
                                  "closed by another context with audit "
                                  "entries left");
    if ((l->tried && (rc = b2b2c__undo_free_on_commit(e->ctx, l->tried))) ||
        (rc = b2b2c__undo_free_on_commit(e->ctx, l)) != 0)
        return rc;
    return 0;
}

/* Stub s renamed `to` (tn bytes; no stub of that ID in memory): its
 * entries' records rewritten under it, a new stub in its place
 * (undoably). Erase and merge. */
int b2b2c__dealer_stub_rename(b2b2c_dealer_engine *e, stub *s,
                              const char *to, size_t tn)
{
    b2b2c_ctx *ctx = e->ctx;
    stub *t;
    int rc;
    for (uint32_t i = s->afirst; i != NONE32; i = e->aud[i].next_lead)
        if ((rc = b2b2c__dealer_rewrite_audit(e, &e->aud[i], to, tn, 0)))
            return rc;
    if (!(t = b2b2c__dealer_stub_copy(e, s, to, tn)))
        return ctx->errcode;
    if ((rc = b2b2c__undo_free_on_fail(ctx, t)) != 0) {
        b2b2c__free(ctx, t);
        return rc;
    }
    t->afirst = s->afirst;
    t->alast = s->alast;
    if ((rc = b2b2c__map_remove_undoable(ctx, &e->stubs, stub_id(s),
                                         s->idlen)) != 0 ||
        (rc = b2b2c__map_insert_undoable(ctx, &e->stubs, stub_id(t),
                                         t->idlen, t)) != 0 ||
        (rc = b2b2c__undo_free_on_commit(ctx, s)) != 0)
        return rc;
    for (uint32_t i = t->afirst; i != NONE32; i = e->aud[i].next_lead) {
        if ((rc = b2b2c__dealer_save_links(e, i)) != 0)
            return rc;
        e->aud[i].lp = stub_ref(t);
    }
    return 0;
}

int b2b2c__dealer_aud_close(b2b2c_dealer_engine *e, uint32_t i,
                            const audrec *ar)
{
    b2b2c_ctx *ctx = e->ctx;
    aent *a = &e->aud[i];
    lead *l = aent_lead(a);
    stub *s;
    uint32_t prev, next;
    int rc;
    if (!a->lp || !l)
        return 0; /* pruned, or a stub's already */
    if (!(s = b2b2c__map_get(&e->stubs, ar->lid, ar->lidlen))) {
        if (!(s = b2b2c__dealer_stub_of_rec(e, ar)))
            return oom(ctx);
        if ((rc = b2b2c__undo_free_on_fail(ctx, s)) != 0) {
            b2b2c__free(ctx, s);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &e->stubs, stub_id(s),
                                             s->idlen, s)) != 0)
            return rc;
    }
    /* out of l's chain */
    if ((rc = b2b2c__dealer_save_links(e, i)) != 0 ||
        (rc = b2b2c__dealer_save_links(e, a->prev_lead)) != 0 ||
        (rc = b2b2c__dealer_save_links(e, a->next_lead)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &l->afirst,
                               sizeof l->afirst + sizeof l->alast)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &s->afirst,
                               sizeof s->afirst + sizeof s->alast)) != 0)
        return rc;
    a = &e->aud[i];
    if (a->prev_lead != NONE32)
        e->aud[a->prev_lead].next_lead = a->next_lead;
    else
        l->afirst = a->next_lead;
    if (a->next_lead != NONE32)
        e->aud[a->next_lead].prev_lead = a->prev_lead;
    else
        l->alast = a->prev_lead;
    /* into s's, in index order (usually at its end) */
    for (prev = s->alast; prev != NONE32 && prev > i;
         prev = e->aud[prev].prev_lead)
        ;
    next = prev == NONE32 ? s->afirst : e->aud[prev].next_lead;
    if ((rc = b2b2c__dealer_save_links(e, prev)) != 0 ||
        (rc = b2b2c__dealer_save_links(e, next)) != 0)
        return rc;
    a->lp = stub_ref(s);
    a->prev_lead = prev;
    a->next_lead = next;
    if (prev != NONE32)
        e->aud[prev].next_lead = i;
    else
        s->afirst = i;
    if (next != NONE32)
        e->aud[next].prev_lead = i;
    else
        s->alast = i;
    return 0;
}
