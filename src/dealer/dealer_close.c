/* SPDX-License-Identifier: MIT */
/*
 * Closing resolved leads (issue 20, docs/dealer-allocation.md "Closing
 * resolved leads"): b2b2c_dealer_close_due moves a lead whose offer is
 * resolved (won, lost, or sent to direct sales: states no call changes
 * any more) out of memory once B2B2C_DEALER_PARAM_CLOSE_DAYS have passed
 * since it was resolved and its audit entries were all pruned
 * (b2b2c_dealer_prune): an audit entry points at its lead in memory, and
 * the scorecards and funnels read the lead through it. What the lead
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
 * no audit entry left, resolved before the cutoff. */
static int due(const lead *l, int64_t cutoff)
{
    return (l->m.state == B2B2C_DEALER_LEAD_WON ||
            l->m.state == B2B2C_DEALER_LEAD_LOST ||
            l->m.state == B2B2C_DEALER_LEAD_DIRECT) &&
           l->afirst == NONE32 && resolved_at(l) < cutoff;
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

static int close_one(b2b2c_dealer_engine *e, lead *l)
{
    int rc;
    if ((rc = b2b2c__dealer_write_lead_to(e, l, T_CLOSED, 0)) != 0 ||
        (rc = del_lead_rec(e, l)) != 0)
        return rc;
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
        if (due(s->val, cutoff)) {
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

int b2b2c__dealer_lead_drop(b2b2c_dealer_engine *e, const void *k, size_t kl)
{
    lead *l = b2b2c__map_get(&e->leads, k, kl);
    if (!l)
        return 0;
    if (l->afirst != NONE32 || l->m.state == B2B2C_DEALER_LEAD_OFFERED)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_LEADS, k, kl,
                                  "closed by another context while in the "
                                  "audit trail or offered");
    return forget(e, l);
}
