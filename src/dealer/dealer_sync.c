/* SPDX-License-Identifier: MIT */
/*
 * Many contexts on one database (docs/storage.md, "Many contexts"): what
 * another context committed reaches this engine record by record.
 *
 * The change log hands the changed keys over grouped by table name, but a
 * record names others: a lead record its dealers, an audit record its lead
 * and dealer, a stats record its dealer. So `refresh` only copies each
 * changed record aside, and `refresh_done` applies them in the order the
 * loader reads the tables (state, dealers, stats, leads, audit trail),
 * with the loader's decoders, every change under undo entries. What an
 * offer changes in a dealer's statistics is not in the dealer's stats
 * record but in the offer's audit record (see offer): a stats record
 * applied is the record plus the offers of the audit trail after it, and
 * an audit entry applied counts its offer when it is newer than the
 * dealer's stats record, as the loader does. The decision number and the
 * generator's state come from the newest of the state record and the
 * audit entries. A close elsewhere (dealer_close.c) rewrites the closed
 * lead's audit records (version 5): each one of an entry in memory moves
 * that entry to the lead's stub, made from the record (it has the final
 * state, which this context's copy of the lead may lack). The closed
 * record (dealer_closed) says which lead closed: the lead of its ID in
 * memory leaves the lead map before any other record is applied, since
 * the batch may hold the close, a new lead routed under the same ID
 * since (its audit or lead record) and even that one's close; the old
 * lead is freed at the end, its entries moved to its stub or pruned.
 * Deletions of audit records (prunes) are applied before the audit
 * records put, so a closed stub whose last entries were pruned is out of
 * the stubs map before a later closed lead's records of the same ID look
 * for their stub there (one stub per ID: a lead with audit entries
 * closes only when no stub of its ID is left). Erase and merge make the
 * other contexts reload (b2b2c__sync_forget). `reload` rebuilds the
 * engine aside and swaps it in.
 *
 * The cost is in proportion to the records changed (a stats record also
 * walks the dealer's audit entries newer than the record: the offers made
 * to it since, usually none).
 */
#include "dealer_int.h"

enum { R_STATE, R_DEALERS, R_STATS, R_LEADS, R_AUDIT, R_OWNERS, R_REGS,
       R_CERTS, R_CLOSED, R_N };
static const char *const TABLES[R_N] = {T_STATE, T_DEALERS, T_STATS,
                                        T_LEADS, T_AUDIT,   T_OWNERS,
                                        T_REGS,  T_CERTS,   T_CLOSED};
#define SY_HDR 7 /* [table u8][klen u16 LE][vlen u32, this host's order] */
#define SY_DEL 0xffffffffu /* vlen of a deleted record (no value bytes) */

/* The records set aside go when the sync ends, applied or not. */
static void sy_clear(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    b2b2c_dealer_engine *e = a;
    (void)b;
    (void)n;
    e->sylen = 0;
    if (e->sycap > B2B2C__ARENA_KEEP) {
        b2b2c__free(ctx, e->sy);
        e->sy = NULL;
        e->sycap = 0;
    }
}

static int refresh(void *h, const char *table, const void *key, size_t klen,
                   const void *val, size_t vlen)
{
    b2b2c_dealer_engine *e = h;
    b2b2c_ctx *ctx = e->ctx;
    unsigned char *p;
    int t, rc;

    for (t = 0; t < R_N && strcmp(table, TABLES[t]) != 0; t++)
        ;
    if (t == R_N)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                                  "not a table of the dealer engine");
    if (!val && t != R_AUDIT && t != R_LEADS && t != R_CLOSED)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                                  "deleted by another context (the dealer "
                                  "engine deletes audit, lead and closed "
                                  "records only)");
    if (!val)
        vlen = SY_DEL; /* b2b2c_dealer_prune, _close_due elsewhere */
    if (klen > 0xffff || (val && vlen >= SY_DEL))
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                                  "record too long");
    if (e->sylen == 0 &&
        (rc = b2b2c__undo_push(ctx, sy_clear, sy_clear, e, NULL, 0)) != 0)
        return rc;
    if (e->sylen + SY_HDR + klen + (val ? vlen : 0) > e->sycap &&
        b2b2c__grow(&ctx->mem, (void **)&e->sy, &e->sycap,
                    e->sylen + SY_HDR + klen + (val ? vlen : 0), 1))
        return oom(ctx);
    p = e->sy + e->sylen;
    p[0] = (unsigned char)t;
    p[1] = (unsigned char)klen;
    p[2] = (unsigned char)(klen >> 8);
    {
        uint32_t n32 = (uint32_t)vlen;
        memcpy(p + 3, &n32, 4);
    }
    memcpy(p + SY_HDR, key, klen);
    if (!val)
        vlen = 0;
    else if (vlen)
        memcpy(p + SY_HDR + klen, val, vlen);
    e->sylen += SY_HDR + klen + vlen;
    return 0;
}

/* ---- applying one record ------------------------------------------------ */

static int apply_state(b2b2c_dealer_engine *e, const void *k, size_t kl,
                       const void *v, size_t vl)
{
    dstate s;
    int rc = b2b2c__dealer_dec_state(e, k, kl, v, vl, &s);
    if (rc || (rc = b2b2c__undo_save(e->ctx, e->param, sizeof e->param)))
        return rc;
    memcpy(e->param, s.param, sizeof e->param);
    /* the record holds the generator as of decision s.seq (a seed) */
    if (s.seq >= e->m.seq) {
        e->m.seq = s.seq;
        e->m.rng = s.rng;
    }
    return 0;
}

/* Undo entries of a decoded dealer struct: on failure it goes with its
 * strings (undo_destroy); on commit its shell goes (free_a: the strings
 * are a dealer's now). free_a also frees a lead's new tried array on
 * failure. */
static void undo_destroy(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    b2b2c__dealer_destroy(ctx, a);
}
static void free_a(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    b2b2c__free(ctx, a);
}

/* A dealer record of a dealer in memory: its new configuration. */
static int apply_dealer(b2b2c_dealer_engine *e, dealer *d, dealer *x)
{
    int rc;
    if (x->idx != d->idx) {
        b2b2c__dealer_destroy(e->ctx, x);
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_DEALERS, d->id,
                                  d->idlen, "the dealer's number changed");
    }
    if ((rc = b2b2c__undo_push(e->ctx, undo_destroy, free_a, x, NULL,
                               0)) != 0) {
        b2b2c__dealer_destroy(e->ctx, x);
        return rc;
    }
    if ((rc = b2b2c__dealer_cfg_begin(e, d)) != 0)
        return rc;
    d->cfg = x->cfg;
    b2b2c__dealer_mirror_sync(e, d);
    return b2b2c__dealer_index(e, d, 1, 1);
}

static int cmp_new(const void *a, const void *b)
{
    const dealer *x = *(dealer *const *)a, *y = *(dealer *const *)b;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* New dealers (x[0..n), freed by the undo log on failure) in number
 * order: they must continue the dense numbering. */
static int apply_new_dealers(b2b2c_dealer_engine *e, dealer **x, size_t n)
{
    int rc;
    sort(x, n, sizeof(*x), cmp_new);
    for (size_t i = 0; i < n; i++) {
        if (x[i]->idx != e->nd)
            return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_DEALERS,
                                      x[i]->id, x[i]->idlen,
                                      "dealer number %u where %zu is next",
                                      (unsigned)x[i]->idx, e->nd);
        if ((rc = b2b2c__dealer_append(e, x[i])) != 0 ||
            (rc = b2b2c__dealer_index(e, x[i], 1, 1)) != 0)
            return rc;
    }
    return 0;
}

static int apply_stats(b2b2c_dealer_engine *e, const void *k, size_t kl,
                       const void *v, size_t vl)
{
    dealer *d;
    dstats s;
    uint64_t asof;
    uint32_t i, first = NONE32;
    int rc = b2b2c__dealer_dec_stats(e, k, kl, v, vl, &d, &s, &asof);
    if (rc || (rc = b2b2c__dealer_mirror_guard(e, d)) != 0 ||
        (rc = b2b2c__undo_save(e->ctx, &d->st, sizeof d->st)) != 0 ||
        (rc = b2b2c__undo_save(e->ctx, &d->asof, sizeof d->asof)) != 0)
        return rc;
    e->m.net_won -= d->st.won;
    e->m.net_resolved -= resolved(d);
    d->st = s;
    d->asof = asof;
    /* the offers to d after the record, already in memory */
    for (i = d->alast; i != NONE32 && e->aud[i].seq > asof;
         i = e->aud[i].prev_dealer)
        first = i;
    for (i = first; i != NONE32; i = e->aud[i].next_dealer)
        b2b2c__dealer_replay_offer(e, &e->aud[i]);
    e->m.net_won += d->st.won;
    e->m.net_resolved += resolved(d);
    b2b2c__dealer_mirror_sync(e, d);
    return 0;
}

/* A lead not in memory: made from `at`, in the lead map (undoably). */
static int lead_add(b2b2c_dealer_engine *e, const char *id, size_t kl,
                    const lead_attrs *at, lead **out)
{
    lead *l = b2b2c__dealer_lead_make(e, id, kl, at);
    int rc;
    if (!l)
        return oom(e->ctx);
    if ((rc = b2b2c__undo_free_on_fail(e->ctx, l)) != 0) {
        b2b2c__free(e->ctx, l);
        return rc;
    }
    *out = l;
    return b2b2c__map_insert_undoable(e->ctx, &e->leads, l->id, kl, l);
}

static int apply_lead(b2b2c_dealer_engine *e, const void *k, size_t kl,
                      const void *v, size_t vl)
{
    b2b2c_ctx *ctx = e->ctx;
    lead_attrs at;
    lmut m;
    lead *l;
    uint32_t nt, *tried;
    int rc = b2b2c__dealer_dec_lead(e, k, kl, v, vl, &at, &m, &tried, &nt);
    if (rc)
        return rc;
    if (tried && (rc = b2b2c__undo_push(ctx, free_a, NULL, tried, NULL,
                                        0)) != 0) {
        b2b2c__free(ctx, tried);
        return rc;
    }
    l = b2b2c__map_get(&e->leads, k, kl);
    if (!l && (rc = lead_add(e, k, kl, &at, &l)) != 0)
        return rc;
    if ((l->tried && (rc = b2b2c__undo_free_on_commit(ctx, l->tried)) != 0) ||
        (rc = b2b2c__dealer_heap_remove(e, l)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &l->m, sizeof l->m)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &l->tried, sizeof l->tried)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &l->ntried,
                               sizeof l->ntried + sizeof l->captried)) != 0)
        return rc;
    l->m = m;
    l->tried = tried;
    l->ntried = l->captried = nt;
    return l->m.state == B2B2C_DEALER_LEAD_OFFERED
               ? b2b2c__dealer_heap_push(e, l)
               : 0;
}

/* Whether decision `seq` is in the (sorted) audit trail. */
static int aud_has(const b2b2c_dealer_engine *e, uint64_t seq)
{
    size_t lo;
    B2B2C__LOWER_BOUND(lo, e->aud, e->naud, seq, seq);
    return lo < e->naud && e->aud[lo].seq == seq;
}

static uint32_t aud_at(const b2b2c_dealer_engine *e, uint64_t seq)
{
    size_t lo;
    B2B2C__LOWER_BOUND(lo, e->aud, e->naud, seq, seq);
    return (uint32_t)lo;
}

static int apply_audit(b2b2c_dealer_engine *e, const void *k, size_t kl,
                       const void *v, size_t vl)
{
    audrec ar;
    int rc = b2b2c__dealer_dec_audit(e, k, kl, v, vl, &ar);
    if (rc)
        return rc;
    if (e->naud && ar.a.seq <= e->aud[e->naud - 1].seq)
        return aud_has(e, ar.a.seq)
                   ? (ar.closed /* rewritten by a close (dealer_close.c) */
                          ? b2b2c__dealer_aud_close(e, aud_at(e, ar.a.seq),
                                                    &ar)
                          : 0) /* already here */
                   : b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_AUDIT, k,
                                        kl, "decision %llu is older than "
                                        "the last one known",
                                        (unsigned long long)ar.a.seq);
    if (!ar.a.lp && ar.closed) {
        /* a closed lead's entry, its stub not in memory (dealer_close.c) */
        stub *s = b2b2c__dealer_stub_of_rec(e, &ar);
        if (!s)
            return e->ctx->errcode;
        if ((rc = b2b2c__undo_free_on_fail(e->ctx, s)) != 0) {
            b2b2c__free(e->ctx, s);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(e->ctx, &e->stubs, stub_id(s),
                                             s->idlen, s)) != 0)
            return rc;
        ar.a.lp = stub_ref(s);
    } else if (!ar.a.lp) {
        lead *l;
        if ((rc = lead_add(e, ar.lid, ar.lidlen, &ar.at, &l)) != 0)
            return rc;
        b2b2c__dealer_aud_lead_state(l, &ar);
        if (l->m.state == B2B2C_DEALER_LEAD_OFFERED &&
            (rc = b2b2c__dealer_heap_push(e, l)) != 0)
            return rc;
        ar.a.lp = l;
    }
    /* a service request's kind (dealer_service.c) */
    if (ar.service && aent_lead(&ar.a) &&
        aent_lead(&ar.a)->service != ar.service) {
        lead *l = aent_lead(&ar.a);
        if ((rc = b2b2c__undo_save(e->ctx, &l->service,
                                   sizeof l->service)) != 0)
            return rc;
        l->service = ar.service;
    }
    if ((rc = b2b2c__dealer_aud_push(e, &ar.a)) != 0)
        return rc;
    if (ar.a.dealer != NONE32) {
        dealer *d = e->dealers[ar.a.dealer];
        if (ar.a.seq > d->asof) {
            if ((rc = b2b2c__dealer_mirror_guard(e, d)) != 0 ||
                (rc = b2b2c__dealer_snap(e, (char *)&d->st + OFFER_FIELDS,
                                         sizeof(d->st) - OFFER_FIELDS)) != 0)
                return rc;
            b2b2c__dealer_replay_offer(e, &ar.a);
            b2b2c__dealer_mirror_sync(e, d);
        }
    }
    if (ar.a.seq > e->m.seq) {
        e->m.seq = ar.a.seq;
        e->m.rng = ar.rng;
    }
    return 0;
}

/* A customer's owner (dealer_owner.c): set as the record says. */
static int apply_owner(b2b2c_dealer_engine *e, const void *k, size_t kl,
                       const void *v, size_t vl)
{
    owner x;
    int rc = b2b2c__dealer_dec_owner(e, k, kl, v, vl, &x);
    return rc ? rc : b2b2c__dealer_owner_put(e, k, kl, &x, 1);
}

/* A deal registration (dealer_reg.c): created or set as the record
 * says. */
static int apply_reg(b2b2c_dealer_engine *e, const void *k, size_t kl,
                     const void *v, size_t vl)
{
    const unsigned char *ck;
    size_t cklen;
    rmut m;
    int rc = b2b2c__dealer_dec_reg(e, k, kl, v, vl, &m, &ck, &cklen);
    return rc ? rc : b2b2c__dealer_reg_put(e, k, kl, &m, ck, cklen, 1);
}

/* A closed lead's record (dealer_close.c): not in memory; checked only. */
static int apply_closed(b2b2c_dealer_engine *e, const void *k, size_t kl,
                        const void *v, size_t vl)
{
    lead_attrs at;
    lmut m;
    uint32_t nt, *tried;
    int rc = b2b2c__dealer_dec_lead(e, k, kl, v, vl, &at, &m, &tried, &nt);
    if (rc)
        return b2b2c__dealer_closed_fail(e, k, kl, rc);
    b2b2c__free(e->ctx, tried);
    return 0;
}

/* ---- applying them all ------------------------------------------------- */

typedef struct syrec {
    int t;
    const unsigned char *k, *v;
    size_t kl, vl;
} syrec;

static size_t sy_at(const b2b2c_dealer_engine *e, size_t off, syrec *r)
{
    const unsigned char *p = e->sy + off;
    r->t = p[0];
    r->kl = (size_t)p[1] | (size_t)p[2] << 8;
    {
        uint32_t n32;
        memcpy(&n32, p + 3, 4);
        r->vl = n32;
    }
    r->k = p + SY_HDR;
    r->v = r->k + r->kl;
    if (r->vl == SY_DEL) { /* deleted */
        r->v = NULL;
        r->vl = 0;
    }
    return off + SY_HDR + r->kl + r->vl;
}

/* The dealer records: those of dealers in memory applied, the new ones
 * decoded and then added in number order. */
static int apply_dealers(b2b2c_dealer_engine *e)
{
    dealer **x = NULL;
    size_t nx = 0, capx = 0;
    syrec r;
    int rc = 0;
    for (size_t off = 0; off < e->sylen && rc == 0;) {
        dealer *d, *nd;
        off = sy_at(e, off, &r);
        if (r.t != R_DEALERS)
            continue;
        if ((rc = b2b2c__dealer_dec_dealer(e, r.k, r.kl, r.v, r.vl, 1, &nd)))
            break;
        if ((d = b2b2c__map_get(&e->dmap, r.k, r.kl)) != NULL) {
            rc = apply_dealer(e, d, nd);
        } else if (nx == capx &&
                   b2b2c__grow(&e->ctx->mem, (void **)&x, &capx, nx + 1,
                               sizeof(*x))) {
            b2b2c__dealer_destroy(e->ctx, nd);
            rc = oom(e->ctx);
        } else if ((rc = b2b2c__undo_push(e->ctx, undo_destroy, NULL, nd,
                                          NULL, 0)) != 0) {
            b2b2c__dealer_destroy(e->ctx, nd);
        } else {
            x[nx++] = nd;
        }
    }
    if (rc == 0)
        rc = apply_new_dealers(e, x, nx);
    b2b2c__free(e->ctx, x);
    return rc;
}

static int refresh_done(void *h)
{
    static int (*const apply[R_N])(b2b2c_dealer_engine *, const void *,
                                   size_t, const void *, size_t) = {
        apply_state, NULL, apply_stats, apply_lead, apply_audit,
        apply_owner, apply_reg, b2b2c__dealer_apply_cert, apply_closed};
    b2b2c_dealer_engine *e = h;
    lead **ret = NULL, *l;
    size_t nret = 0, ncl = 0;
    syrec r;
    int rc;
    if (e->sylen == 0)
        return 0;
    if ((rc = b2b2c__dealer_save_emut(e)) != 0)
        return rc;
    /* leads closed elsewhere (a record put in dealer_closed) leave the
     * lead map first: a lead of the same ID in the records that follow
     * is a new one, routed since (their entries leave them below) */
    for (size_t off = 0; off < e->sylen;) {
        off = sy_at(e, off, &r);
        ncl += r.t == R_CLOSED && r.v;
    }
    if (ncl && !(ret = b2b2c__malloc(e->ctx, ncl * sizeof *ret)))
        return oom(e->ctx);
    for (size_t off = 0; off < e->sylen && rc == 0;) {
        off = sy_at(e, off, &r);
        if (r.t == R_CLOSED && r.v &&
            (rc = b2b2c__dealer_lead_retire(e, r.k, r.kl, &l)) == 0 && l)
            ret[nret++] = l;
    }
    for (int t = 0; t < R_N && rc == 0; t++) {
        if (t == R_DEALERS) {
            rc = apply_dealers(e);
            continue;
        }
        /* the audit trail's deletions (prunes) before its records: a
         * closed stub whose last entries went is out of the stubs map
         * before a record of a later closed lead of its ID looks for
         * its stub there */
        for (int del = t == R_AUDIT; del >= 0 && rc == 0; del--)
            for (size_t off = 0; off < e->sylen && rc == 0;) {
                off = sy_at(e, off, &r);
                if (r.t != t || (t == R_AUDIT ? del != !r.v : !r.v))
                    continue;
                rc = r.v ? apply[t](e, r.k, r.kl, r.v, r.vl)
                         : b2b2c__dealer_aud_drop(e, r.k, r.kl);
            }
    }
    /* the leads closed elsewhere go, their audit entries moved above */
    for (size_t i = 0; i < nret && rc == 0; i++)
        rc = b2b2c__dealer_lead_retired(e, ret[i]);
    b2b2c__free(e->ctx, ret);
    if (rc == 0)
        e->sylen = 0;
    return rc;
}

/* Rebuild from storage aside, then swap: on failure e is as it was. What
 * the host or the tests set that is not stored (plans off, the plans'
 * counter) stays. */
static int reload(void *h)
{
    b2b2c_dealer_engine *e = h, *f, tmp;
    int rc;
    if (!(f = b2b2c__malloc(e->ctx, sizeof(*f))))
        return oom(e->ctx);
    b2b2c__dealer_init(f, e->ctx);
    if ((rc = b2b2c__dealer_load(f)) == 0) {
        f->noplan = e->noplan;
        f->plan_hits = e->plan_hits;
        tmp = *e;
        *e = *f;
        *f = tmp;
    }
    b2b2c__dealer_clear(f);
    b2b2c__free(e->ctx, f);
    return rc;
}

const b2b2c__engine_ops b2b2c__dealer_ops = {
    .prefix = "dealer", .load = b2b2c__dealer_load, .refresh = refresh,
    .refresh_done = refresh_done, .reload = reload,
    .erase = b2b2c__dealer_erase_op};
