/* SPDX-License-Identifier: MIT */
/*
 * Erasure (issue 20, docs/privacy.md): a lead ID or a customer key leaves
 * the dealer engine's memory and tables.
 *
 * A lead: an open offer is closed as recalled (the dealer's open count
 * drops, its recalled count grows), then the lead is renamed to an
 * anonymous ID, "\xff" and the 16 hex digits of its first decision's
 * number: not valid UTF-8, so never a host's ID, and unique. Its lead
 * record moves to the new key, each of its audit records is rewritten
 * under it (the lead's location dropped), and the change log forgets.
 * What stays: the decisions and outcomes as numbers, so the dealers'
 * counters, posteriors and scorecards count them as before; nothing in
 * them names the lead. Audit queries report such an entry's lead as ""
 * (never a valid ID).
 *
 * A customer key: its owner records and its deal registrations are
 * deleted (scorecards then no longer count those registrations), and the
 * leads routed with it keep their IDs but lose the key: in memory, in
 * their lead records and in their audit records.
 */
#include "dealer_int.h"

/* The anonymous ID of lead l into buf (ANON_LEN + 1 bytes). */
#define ANON_LEN 17
static void anon_id(char *buf, uint64_t seq)
{
    static const char hex[] = "0123456789abcdef";
    buf[0] = '\xff';
    for (int i = 0; i < 16; i++)
        buf[1 + i] = hex[(seq >> (60 - 4 * i)) & 15];
    buf[ANON_LEN] = '\0';
}

/* Close l's open offer as recalled: undoable, its dealer's stats
 * written. The recall is dated at the offer's last known time (an erase
 * takes no time). */
static int close_offer(b2b2c_dealer_engine *e, lead *l)
{
    return b2b2c__dealer_recall_offer(e, l,
                                      l->m.accepted_at > l->m.offered_at
                                          ? l->m.accepted_at
                                          : l->m.offered_at);
}

/* An audit entry's lead back, by index: a later call of the same group
 * may move e->aud (a saved pointer into it would dangle). */
static void undo_aud_lead(b2b2c_ctx *ctx, void *a, void *b, size_t i)
{
    b2b2c_dealer_engine *e = a;
    (void)ctx;
    e->aud[i].lp = b;
}

static int erase_lead_body(b2b2c_dealer_engine *e, const char *id, size_t n)
{
    b2b2c_ctx *ctx = e->ctx;
    char anon[ANON_LEN + 1];
    lead_attrs at;
    lead *l, *t;
    stub *s;
    int rc, closed;
    /* a closed record of the ID (dealer_close.c) goes first: it holds no
     * customer key */
    if ((closed = b2b2c__dealer_closed_move(e, id, n, NULL, 0)) < 0)
        return closed;
    /* a closed lead's audit entries kept (its stub): renamed like a
     * lead's, after its first entry kept */
    if ((s = b2b2c__map_get(&e->stubs, id, n)) != NULL) {
        anon_id(anon, e->aud[s->afirst].seq);
        if ((rc = b2b2c__dealer_stub_rename(e, s, anon, ANON_LEN)) != 0)
            return rc;
    }
    if (!(l = b2b2c__map_get(&e->leads, id, n))) {
        if (!closed && !s)
            return b2b2c__dealer_find_lead(e, id, n, &l);
        b2b2c__sync_forget(ctx);
        return 0;
    }
    if ((l->m.state == B2B2C_DEALER_LEAD_OFFERED ||
         l->m.state == B2B2C_DEALER_LEAD_ACCEPTED) &&
        (rc = close_offer(e, l)) != 0)
        return rc;
    if (l->afirst == NONE32) {
        /* its decisions were all pruned (dealer_prune.c): nothing names
         * the lead any more, so it goes whole */
        if ((rc = b2b2c__map_remove_undoable(ctx, &e->leads, l->id,
                                             l->idlen)) != 0 ||
            (l->tried && (rc = b2b2c__undo_free_on_commit(ctx, l->tried))) ||
            (rc = b2b2c__undo_free_on_commit(ctx, l)) != 0 ||
            (rc = b2b2c__st_del(ctx, T_LEADS, l->id, l->idlen)) != 0)
            return rc;
        b2b2c__sync_forget(ctx);
        return 0;
    }
    /* named after its first decision kept: unique */
    anon_id(anon, e->aud[l->afirst].seq);
    for (uint32_t i = l->afirst; i != NONE32; i = e->aud[i].next_lead)
        if ((rc = b2b2c__dealer_rewrite_audit(
                 e, &e->aud[i], anon, ANON_LEN,
                 REWRITE_LOC | REWRITE_CK)) != 0)
            return rc;
    memset(&at, 0, sizeof at);
    at.created = l->created;
    snprintf(at.region, sizeof at.region, "%s", l->region);
    snprintf(at.product, sizeof at.product, "%s", l->product);
    at.segment = l->segment;
    at.band = l->band;
    if (!(t = b2b2c__dealer_lead_make(e, anon, ANON_LEN, &at)))
        return oom(ctx);
    if ((rc = b2b2c__undo_free_on_fail(ctx, t)) != 0) {
        b2b2c__free(ctx, t);
        return rc;
    }
    t->m = l->m;
    t->service = l->service;
    t->tried = l->tried; /* the tombstone's once committed */
    t->ntried = l->ntried;
    t->captried = l->captried;
    t->afirst = l->afirst;
    t->alast = l->alast;
    if ((rc = b2b2c__map_remove_undoable(ctx, &e->leads, l->id, l->idlen)) ||
        (rc = b2b2c__map_insert_undoable(ctx, &e->leads, t->id, ANON_LEN,
                                         t)) != 0 ||
        (rc = b2b2c__undo_free_on_commit(ctx, l)) != 0)
        return rc;
    for (uint32_t i = t->afirst; i != NONE32; i = e->aud[i].next_lead) {
        if ((rc = b2b2c__undo_push(ctx, undo_aud_lead, NULL, e, l, i)) != 0)
            return rc;
        e->aud[i].lp = t;
    }
    if ((rc = b2b2c__st_del(ctx, T_LEADS, l->id, l->idlen)) != 0 ||
        (rc = b2b2c__dealer_write_lead(e, t)) != 0)
        return rc;
    b2b2c__sync_forget(ctx);
    return 0;
}

int b2b2c__dealer_erase_lead_in(b2b2c_dealer_engine *e, const char *id,
                                size_t n)
{
    return erase_lead_body(e, id, n);
}

int b2b2c_dealer_erase_lead(b2b2c_dealer_engine *e, const char *lead_id)
{
    size_t n;
    int rc;
    CHECK_E(e);
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "lead_id", lead_id, &n)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e, erase_lead_body(e, lead_id, n));
    return rc;
}

/* ---- customer keys ----------------------------------------------------- */

/* Whether map key k (the owners' layout) is of customer key ck. */
static int of_key(const unsigned char *k, size_t kl, const void *ck,
                  size_t cklen)
{
    return kl > cklen && k[0] == cklen && memcmp(k + 1, ck, cklen) == 0;
}

/* The values of map m whose key is of ck, into a new array *out (*n). */
static int collect(b2b2c_dealer_engine *e, const b2b2c__map *m,
                   const void *ck, size_t cklen, int regs, void ***out,
                   size_t *n)
{
    size_t it = 0, cap = 0;
    const void *k;
    size_t kl;
    void *v;
    *out = NULL;
    *n = 0;
    while (b2b2c__map_next(m, &it, &k, &kl, &v)) {
        if (regs) { /* e->regs: keyed by number, the slot names the key */
            const regslot *s = ((const reg *)v)->slot;
            k = s->key;
            kl = s->klen;
        }
        if (!of_key(k, kl, ck, cklen))
            continue;
        if (*n == cap && b2b2c__grow(&e->ctx->mem, (void **)out, &cap,
                                     *n + 1, sizeof(**out))) {
            b2b2c__free(e->ctx, *out);
            *out = NULL;
            return oom(e->ctx);
        }
        (*out)[(*n)++] = v;
    }
    return 0;
}

/* The leads routed with customer key ck, into a new array *out (*n). */
static int collect_leads(b2b2c_dealer_engine *e, const void *ck,
                         size_t cklen, void ***out, size_t *n)
{
    size_t it = 0, cap = 0;
    void *v;
    *out = NULL;
    *n = 0;
    while (b2b2c__map_next(&e->leads, &it, NULL, NULL, &v)) {
        const lead *l = v;
        if (l->cklen != cklen || memcmp(lead_ck(l), ck, cklen) != 0)
            continue;
        if (*n == cap && b2b2c__grow(&e->ctx->mem, (void **)out, &cap,
                                     *n + 1, sizeof(**out))) {
            b2b2c__free(e->ctx, *out);
            *out = NULL;
            return oom(e->ctx);
        }
        (*out)[(*n)++] = v;
    }
    return 0;
}

/* Lead l forgets its customer key: its audit records rewritten without
 * it, the key's bytes cleared in memory (undoable), its record written. */
static int strip_key(b2b2c_dealer_engine *e, lead *l)
{
    unsigned char *k = (unsigned char *)lead_ck(l);
    int rc;
    for (uint32_t i = l->afirst; i != NONE32; i = e->aud[i].next_lead)
        if ((rc = b2b2c__dealer_rewrite_audit(e, &e->aud[i], l->id,
                                              l->idlen, REWRITE_CK)) != 0)
            return rc;
    if ((rc = b2b2c__dealer_snap(e, k, l->cklen)) != 0 ||
        (rc = b2b2c__dealer_snap(e, &l->cklen, sizeof l->cklen)) != 0)
        return rc;
    memset(k, 0, l->cklen);
    l->cklen = 0;
    return b2b2c__dealer_write_lead(e, l);
}

static int erase_customer_body(b2b2c_dealer_engine *e, const void *ck,
                               size_t cklen)
{
    b2b2c_ctx *ctx = e->ctx;
    void **v[4] = {NULL, NULL, NULL, NULL};
    size_t n[4] = {0, 0, 0, 0};
    int rc;
    if ((rc = collect(e, &e->owners, ck, cklen, 0, &v[0], &n[0])) != 0 ||
        (rc = collect(e, &e->regs, ck, cklen, 1, &v[1], &n[1])) != 0 ||
        (rc = collect(e, &e->regkeys, ck, cklen, 0, &v[2], &n[2])) != 0 ||
        (rc = collect_leads(e, ck, cklen, &v[3], &n[3])) != 0)
        goto out;
    if (n[0] + n[1] + n[3] == 0) {
        rc = b2b2c__err(ctx, B2B2C_ENOTFOUND,
                        "customer_key: no owner, registration or lead "
                        "routed with it");
        goto out;
    }
    for (size_t i = 0; i < n[3] && rc == 0; i++)
        rc = strip_key(e, v[3][i]);
    for (size_t i = 0; i < n[0] && rc == 0; i++) {
        owner *o = v[0][i];
        if ((rc = b2b2c__st_del(ctx, T_OWNERS, o->key, o->klen)) == 0 &&
            (rc = b2b2c__map_remove_undoable(ctx, &e->owners, o->key,
                                             o->klen)) == 0)
            rc = b2b2c__undo_free_on_commit(ctx, o);
    }
    for (size_t i = 0; i < n[1] && rc == 0; i++) {
        reg *r = v[1][i];
        if ((rc = b2b2c__st_del(ctx, T_REGS, r->sk, sizeof r->sk)) == 0 &&
            (rc = b2b2c__map_remove_undoable(ctx, &e->regs, r->sk,
                                             sizeof r->sk)) == 0)
            rc = b2b2c__undo_free_on_commit(ctx, r);
    }
    for (size_t i = 0; i < n[2] && rc == 0; i++) {
        regslot *s = v[2][i];
        if ((rc = b2b2c__map_remove_undoable(ctx, &e->regkeys, s->key,
                                             s->klen)) == 0)
            rc = b2b2c__undo_free_on_commit(ctx, s);
    }
    if (rc == 0 && n[1]) {
        /* the highest number left, as a load finds it: a number erased
         * from the top is taken again, by every context alike */
        size_t it = 0;
        void *r;
        if ((rc = b2b2c__undo_save(ctx, &e->reg_seq, sizeof e->reg_seq)))
            goto out;
        e->reg_seq = 0;
        while (b2b2c__map_next(&e->regs, &it, NULL, NULL, &r))
            if (((reg *)r)->seq > e->reg_seq)
                e->reg_seq = ((reg *)r)->seq;
    }
    if (rc == 0)
        b2b2c__sync_forget(ctx);
out:
    for (int i = 0; i < 4; i++)
        b2b2c__free(ctx, v[i]);
    return rc;
}

int b2b2c__dealer_erase_customer_in(b2b2c_dealer_engine *e, const void *ck,
                                    size_t cklen)
{
    return erase_customer_body(e, ck, cklen);
}

/* b2b2c_ctx_erase: the ID as a lead, and its bytes as a customer key */
int b2b2c__dealer_erase_op(void *h, const char *id, size_t n)
{
    b2b2c_dealer_engine *e = h;
    int rc = erase_lead_body(e, id, n), rc2 = B2B2C_ENOTFOUND;
    if (rc && rc != B2B2C_ENOTFOUND)
        return rc;
    if (n <= B2B2C_DEALER_CUSTOMER_KEY_MAX)
        rc2 = erase_customer_body(e, id, n);
    if (rc2 && rc2 != B2B2C_ENOTFOUND)
        return rc2;
    return rc == 0 || rc2 == 0 ? 0 : B2B2C_ENOTFOUND;
}

int b2b2c_dealer_erase_customer(b2b2c_dealer_engine *e,
                                const void *customer_key, size_t key_len)
{
    int rc;
    CHECK_E(e);
    if ((rc = b2b2c__dealer_customer_arg(e->ctx, customer_key, key_len)) !=
        0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e,
                erase_customer_body(e, customer_key, key_len));
    return rc;
}
