/* SPDX-License-Identifier: MIT */
/*
 * Offers: the deadline heap of open offers, making an offer, re-routing,
 * and the declined/expired dealers of a lead.
 */
#include "dealer_int.h"

/* ---- heap of open offers by (deadline, offer number) ----------------- */

int b2b2c__dealer_heap_less(const hent *a, const hent *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->seq < b->seq;
}

static void heap_set(b2b2c_dealer_engine *e, size_t i, hent x)
{
    e->heap[i] = x;
    x.l->heap_pos = i;
}

static void heap_up(b2b2c_dealer_engine *e, size_t i)
{
    hent x = e->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!b2b2c__dealer_heap_less(&x, &e->heap[p]))
            break;
        heap_set(e, i, e->heap[p]);
        i = p;
    }
    heap_set(e, i, x);
}

static void heap_down(b2b2c_dealer_engine *e, size_t i)
{
    hent x = e->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= e->nheap)
            break;
        if (c + 1 < e->nheap &&
            b2b2c__dealer_heap_less(&e->heap[c + 1], &e->heap[c]))
            c++;
        if (!b2b2c__dealer_heap_less(&e->heap[c], &x))
            break;
        heap_set(e, i, e->heap[c]);
        i = c;
    }
    heap_set(e, i, x);
}

static void heap_push_ent(b2b2c_dealer_engine *e, hent x)
{
    e->heap[e->nheap++] = x;
    heap_up(e, e->nheap - 1);
}

/* Push lead l with its current deadline and offer number. */
void b2b2c__dealer_heap_push_raw(b2b2c_dealer_engine *e, lead *l)
{
    hent x;
    x.deadline = l->m.deadline;
    x.seq = l->m.offer_seq;
    x.l = l;
    heap_push_ent(e, x);
}

static void heap_remove_raw(b2b2c_dealer_engine *e, lead *l)
{
    size_t i = l->heap_pos;
    hent last = e->heap[--e->nheap];
    l->heap_pos = NOPOS;
    if (i == e->nheap)
        return;
    heap_set(e, i, last);
    heap_up(e, i);
    heap_down(e, last.l->heap_pos);
}

static void undo_heap_push(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)n;
    heap_remove_raw(a, b);
}

/* Put a removed lead back with the keys it had when it was removed (its
 * lmut may not be restored yet: the undo log runs newest first); they are
 * on the snapshot stack (see heap_remove). */
static void undo_heap_remove(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    b2b2c_dealer_engine *e = a;
    hent x;
    (void)b;
    memcpy(&x, b2b2c__undo_arena_pop(ctx, n), sizeof x);
    heap_push_ent(e, x); /* the slot it left is still allocated */
}

static inline int heap_push(b2b2c_dealer_engine *e, lead *l)
{
    int rc;
    if (e->nheap == e->capheap &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->heap, &e->capheap,
                    e->nheap + 1, sizeof(*e->heap)))
        return oom(e->ctx);
    if ((rc = b2b2c__undo_push(e->ctx, undo_heap_push, NULL, e, l, 0)))
        return rc;
    b2b2c__dealer_heap_push_raw(e, l);
    return 0;
}

/* Push lead l with its current keys, undoably (refresh; offer has its own
 * copy inlined). */
int b2b2c__dealer_heap_push(b2b2c_dealer_engine *e, lead *l)
{
    return heap_push(e, l);
}

int b2b2c__dealer_heap_remove(b2b2c_dealer_engine *e, lead *l)
{
    void *s;
    if (l->heap_pos == NOPOS)
        return 0;
    if (!(s = b2b2c__undo_arena(e->ctx, undo_heap_remove, e, l, sizeof(hent))))
        return e->ctx->errcode;
    memcpy(s, &e->heap[l->heap_pos], sizeof(hent));
    heap_remove_raw(e, l);
    return 0;
}


/* What an offer numbered seq on day `day` in period `pidx` changes in the
 * dealer's statistics (offer and replay_offer). */
static void count_offer(dealer *d, int64_t day, int64_t pidx, uint64_t seq)
{
    d->st.offered++;
    d->st.open++;
    /* A late offer (timed before the dealer's latest offer day, as calls
     * from several workers can be) counts towards that latest day: the
     * count never starts again for a day already past. */
    if (d->st.day_offers == 0 || day > d->st.day_idx) {
        d->st.day_idx = day;
        d->st.day_offers = 0;
    }
    d->st.day_offers++;
    if (d->st.period_offers == 0 || pidx > d->st.period_idx) {
        d->st.period_idx = pidx;
        d->st.period_offers = 0;
    }
    d->st.period_offers++;
    d->st.last_offer_seq = seq;
}

/* Loading: an offer (an audit entry with a dealer) made after the dealer's
 * stats record was written is counted again. */
void b2b2c__dealer_replay_offer(b2b2c_dealer_engine *e, const aent *a)
{
    dealer *d;
    if (a->dealer == NONE32)
        return;
    d = e->dealers[a->dealer];
    if (a->seq > d->asof)
        count_offer(d, b2b2c__day(e->ctx, a->time), period_of(e, a->time),
                    a->seq);
}

/* Offer lead l (its lmut already saved or new) to dc->chosen. The dealer's
 * stats record is not rewritten: what an offer changes in it (offered,
 * open, daily and period counts, last offer number) follows from the
 * offer's audit record, which load_audit's caller replays on top of the
 * stats record when the offer's number is after the record's (see
 * replay_offer). Every other change of a dealer's stats writes the whole
 * record, as of the current decision number. */
int b2b2c__dealer_offer(b2b2c_dealer_engine *e, lead *l, const decision *dc,
                        int64_t now, int kind, int creates)
{
    dealer *d = e->dealers[dc->chosen];
    int64_t pidx = period_of(e, now), day = b2b2c__day(e->ctx, now);
    int rc;
    if ((rc = b2b2c__dealer_mirror_guard(e, d)) != 0 ||
        (rc = b2b2c__dealer_snap(e, (char *)&d->st + OFFER_FIELDS,
                                 sizeof(d->st) - OFFER_FIELDS)) != 0)
        return rc;
    e->m.seq++;
    count_offer(d, day, pidx, e->m.seq);
    if (dc->bk) {
        /* the candidates came from one region bucket: its plan, if valid,
         * follows the offer; the entry decide read is the dealer's only
         * one when it has one territory */
        bucket *b = dc->bk;
        uint32_t k = b2b2c__dealer_plan_find(b, dc);
        if (d->cfg.one_terr) {
            mirror_offer(dc->entry, d);
            b->ver++;
        } else {
            b2b2c__dealer_mirror_sync(e, d);
        }
        if (k != NONE32)
            b2b2c__dealer_plan_offer(b, k);
    } else if (dc->owner == B2B2C_DEALER_OWNER_CHOSEN) {
        b2b2c__dealer_mirror_sync_offer(e, d);
    } else {
        b2b2c__dealer_mirror_sync(e, d);
    }
    l->m.state = B2B2C_DEALER_LEAD_OFFERED;
    l->m.dealer = dc->chosen;
    l->m.offered_at = now;
    l->m.deadline = now + (int64_t)llround(d->cfg.deadline_h * 3600.0);
    l->m.accepted_at = 0;
    l->m.offer_seq = e->m.seq;
    if ((rc = heap_push(e, l)) != 0)
        return rc;
    return b2b2c__dealer_aud_append(e, l, dc, now, kind, creates);
}

/* Re-route an existing lead (lmut saved by the caller): a lead routed
 * with a customer key goes back to the customer's owner of its product
 * line when the owner is eligible (dealer_owner.c), else to the policy. */
int b2b2c__dealer_reroute(b2b2c_dealer_engine *e, lead *l, int64_t now,
                          int kind, decision *dc)
{
    if (l->cklen)
        b2b2c__dealer_decide_customer(e, l, lead_ck(l), l->cklen, now, dc);
    else
        b2b2c__dealer_decide(e, l, now, dc);
    if (dc->elig) {
        offer_prefetch(e, dc->chosen);
        return b2b2c__dealer_offer(e, l, dc, now, kind, 0);
    }
    if (e->param[P_DIRECT] > 0) {
        dc->reason = B2B2C_DEALER_REASON_DIRECT;
        l->m.state = B2B2C_DEALER_LEAD_DIRECT;
    } else {
        l->m.state = B2B2C_DEALER_LEAD_UNROUTED;
    }
    l->m.dealer = NONE32;
    e->m.seq++;
    return b2b2c__dealer_aud_append(e, l, dc, now, kind, 0);
}


static void undo_tried(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    lead *l = a;
    (void)ctx;
    (void)b;
    (void)n;
    l->ntried--;
}

/* Undo of a lead's first tried array: a lead created in the same call or
 * transaction group is freed by the undo log after this runs, and a lead
 * that had no array before gets none back. */
static void undo_tried_alloc(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    lead *l = a;
    (void)b;
    (void)n;
    b2b2c__free(ctx, l->tried);
    l->tried = NULL;
    l->captried = 0;
}

int b2b2c__dealer_add_tried(b2b2c_dealer_engine *e, lead *l, uint32_t v)
{
    int rc;
    if (l->ntried == l->captried) {
        size_t cap = l->captried;
        if (!l->tried && (rc = b2b2c__undo_push(e->ctx, undo_tried_alloc,
                                                NULL, l, NULL, 0)) != 0)
            return rc;
        if (b2b2c__grow(&e->ctx->mem, (void **)&l->tried, &cap,
                        (size_t)l->ntried + 1, sizeof(*l->tried)))
            return oom(e->ctx);
        l->captried = (uint32_t)cap;
    }
    if ((rc = b2b2c__undo_push(e->ctx, undo_tried, NULL, l, NULL, 0)))
        return rc;
    l->tried[l->ntried++] = v;
    return 0;
}

