/* SPDX-License-Identifier: MIT */
/*
 * Audit retention (issue 20, docs/dealer-allocation.md "Audit retention"):
 * b2b2c_dealer_prune deletes the oldest audit entries, those older than
 * AUDIT_DAYS before `now`, at most max_items per call, so a host spreads
 * the work over calls instead of a sweep.
 *
 * The trail is an array in decision order with per-lead and per-dealer
 * links by index; the oldest live entry is e->aud[e->abase]. A pruned
 * entry is unlinked from its lead's and its dealer's lists (it is the
 * first of both: they are in decision order too) and marked dead (lead
 * NULL); the dead prefix is moved out (indices renumbered) at the start of
 * a later prune when it is at least a quarter of the live part and no
 * undo entry can name an index (nothing pending on the context), so each
 * entry is moved at most 4 times on average and the array's touched part
 * stays under 1.25 times the live part (in steady state, with a window of
 * AUDIT_DAYS, the dead prefix would otherwise grow for AUDIT_DAYS more
 * days: 255 MB of touched memory for 2.65M live entries); the array's
 * room then shrinks to twice the live part when it was over four times
 * it.
 *
 * What the load needs of a pruned record is written first: the lead's own
 * record (the pruned one may have carried the lead as routed), the
 * dealer's stats record (as of now, so no offer needs replaying from it)
 * and the engine's state record (the decision number and generator, which
 * the load otherwise takes from the newest audit record). Other contexts
 * apply the deletions through refresh (dealer_sync.c,
 * b2b2c__dealer_aud_drop).
 */
#include "dealer_int.h"

/* The smallest trail (entries of room) whose memory a compaction gives
 * back. */
#define AUD_SHRINK_MIN 1024

/* Undo: the entry at index b (as saved on the arena). */
static void undo_aent(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    b2b2c_dealer_engine *e = a;
    memcpy(&e->aud[(uintptr_t)b], b2b2c__undo_arena_pop(ctx, n), n);
}

static int save_aent(b2b2c_dealer_engine *e, uint32_t i)
{
    void *p;
    if (i == NONE32)
        return 0;
    if (!(p = b2b2c__undo_arena(e->ctx, undo_aent, e, (void *)(uintptr_t)i,
                                sizeof(aent))))
        return e->ctx->errcode;
    memcpy(p, &e->aud[i], sizeof(aent));
    return 0;
}

/* Unlink live entry i from its lists and mark it dead, undoably; the dead
 * prefix grows over it when it is the oldest live entry. */
static int unlink_entry(b2b2c_dealer_engine *e, uint32_t i)
{
    aent *a = &e->aud[i];
    uint32_t *ends = aent_ends(a); /* its lead's or stub's afirst, alast */
    stub *s = aent_stub(a);
    dealer *d = a->dealer == NONE32 ? NULL : e->dealers[a->dealer];
    int rc;
    if ((rc = save_aent(e, i)) != 0 || (rc = save_aent(e, a->prev_lead)) ||
        (rc = save_aent(e, a->next_lead)) != 0 ||
        (rc = b2b2c__undo_save(e->ctx, ends, 2 * sizeof *ends)) != 0 ||
        (rc = b2b2c__undo_save(e->ctx, &e->abase, sizeof e->abase)) != 0)
        return rc;
    if (d && ((rc = save_aent(e, a->prev_dealer)) != 0 ||
              (rc = save_aent(e, a->next_dealer)) != 0 ||
              (rc = b2b2c__undo_save(e->ctx, &d->afirst,
                                     sizeof d->afirst + sizeof d->alast))))
        return rc;
    a = &e->aud[i]; /* the saves do not move e->aud; for clarity */
    if (a->prev_lead != NONE32)
        e->aud[a->prev_lead].next_lead = a->next_lead;
    else
        ends[0] = a->next_lead;
    if (a->next_lead != NONE32)
        e->aud[a->next_lead].prev_lead = a->prev_lead;
    else
        ends[1] = a->prev_lead;
    if (d) {
        if (a->prev_dealer != NONE32)
            e->aud[a->prev_dealer].next_dealer = a->next_dealer;
        else
            d->afirst = a->next_dealer;
        if (a->next_dealer != NONE32)
            e->aud[a->next_dealer].prev_dealer = a->prev_dealer;
        else
            d->alast = a->prev_dealer;
    }
    a->lp = NULL;
    a->prev_lead = a->next_lead = a->prev_dealer = a->next_dealer = NONE32;
    while (e->abase < e->naud && !e->aud[e->abase].lp)
        e->abase++;
    /* a closed lead's last entry: its stub goes (dealer_close.c) */
    if (s && s->afirst == NONE32 &&
        ((rc = b2b2c__map_remove_undoable(e->ctx, &e->stubs, stub_id(s),
                                          s->idlen)) != 0 ||
         (rc = b2b2c__undo_free_on_commit(e->ctx, s)) != 0))
        return rc;
    return 0;
}

/* Another context pruned decision `seq` (its record's 8-byte key k):
 * unlink it too; nothing when it is not in memory (never loaded, or
 * already pruned). */
int b2b2c__dealer_aud_drop(b2b2c_dealer_engine *e, const void *k, size_t kl)
{
    const unsigned char *kb = k;
    uint64_t seq = 0;
    size_t lo;
    if (kl != 8)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_AUDIT, k, kl,
                                  "bad key");
    for (int i = 0; i < 8; i++)
        seq = seq << 8 | kb[i];
    B2B2C__LOWER_BOUND(lo, e->aud, e->naud, seq, seq);
    if (lo >= e->naud || e->aud[lo].seq != seq || !e->aud[lo].lp)
        return 0;
    return unlink_entry(e, (uint32_t)lo);
}

static uint32_t rel(uint32_t i, size_t base)
{
    return i == NONE32 ? NONE32 : i - (uint32_t)base;
}

/* Move the dead prefix out: the live entries to the front, every index
 * into the trail renumbered. Only with no undo entry pending (one may name
 * an index); changes nothing a query can see. */
static void compact(b2b2c_dealer_engine *e)
{
    size_t base = e->abase, n = e->naud - base;
    if (base == 0 || base < n / 4 || e->ctx->nundo != 0)
        return;
    memmove(e->aud, e->aud + base, n * sizeof(*e->aud));
    e->naud = n;
    e->abase = 0;
    /* give the memory back when the trail shrank to under a quarter of
     * its room (a large one only: a realloc that fails keeps the array,
     * and no call depends on it) */
    if (e->capaud >= AUD_SHRINK_MIN && e->capaud / 4 > n) {
        size_t cap = 2 * n > AUD_SHRINK_MIN / 4 ? 2 * n : AUD_SHRINK_MIN / 4;
        aent *p = b2b2c__arealloc(&e->ctx->mem, e->aud, cap * sizeof(*p));
        if (p) {
            e->aud = p;
            e->capaud = cap;
        }
    }
    for (size_t i = 0; i < n; i++) {
        aent *a = &e->aud[i];
        uint32_t *ends;
        if (!a->lp)
            continue; /* dead out of order (refresh): unlinked already */
        ends = aent_ends(a);
        a->prev_lead = rel(a->prev_lead, base);
        a->next_lead = rel(a->next_lead, base);
        a->prev_dealer = rel(a->prev_dealer, base);
        a->next_dealer = rel(a->next_dealer, base);
        if (a->prev_lead == NONE32)
            ends[0] = (uint32_t)i;
        if (a->next_lead == NONE32)
            ends[1] = (uint32_t)i;
        if (a->dealer != NONE32) {
            dealer *d = e->dealers[a->dealer];
            if (a->prev_dealer == NONE32)
                d->afirst = (uint32_t)i;
            if (a->next_dealer == NONE32)
                d->alast = (uint32_t)i;
        }
    }
}

static int prune_body(b2b2c_dealer_engine *e, int64_t now, size_t max,
                      size_t *done)
{
    double days = e->param[P_AUDITDAYS];
    int64_t cutoff;
    uint8_t key[8];
    int rc;
    *done = 0;
    compact(e);
    if (days <= 0)
        return 0; /* keep every entry */
    cutoff = now - (int64_t)days * 86400;
    while (*done < max && e->abase < e->naud &&
           e->aud[e->abase].time < cutoff) {
        uint32_t i = (uint32_t)e->abase;
        const aent *a = &e->aud[i];
        for (int j = 0; j < 8; j++)
            key[j] = (uint8_t)(a->seq >> (56 - 8 * j));
        /* a closed lead's record is in dealer_closed already */
        if ((rc = b2b2c__st_del(e->ctx, T_AUDIT, key, 8)) != 0 ||
            (aent_lead(a) &&
             (rc = b2b2c__dealer_write_lead(e, aent_lead(a))) != 0) ||
            (a->dealer != NONE32 &&
             (rc = b2b2c__dealer_write_stats(e, e->dealers[a->dealer]))) ||
            (rc = unlink_entry(e, i)) != 0)
            return rc;
        (*done)++;
    }
    return *done ? b2b2c__dealer_write_state(e) : 0;
}

int b2b2c_dealer_prune(size_t *count_out, b2b2c_dealer_engine *e,
                       int64_t now, size_t max_items)
{
    size_t done = 0;
    int rc;
    CHECK_E(e);
    if ((rc = check_now(e->ctx, now)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e, prune_body(e, now, max_items, &done));
    if (rc == 0 && count_out)
        *count_out = done;
    return rc;
}
