/* SPDX-License-Identifier: MIT */
/*
 * Audit records: the record of a decision (with the lead it creates, or
 * a closed lead's final state), written in one pass, and its rewrite
 * under another lead ID (erasure, merge).
 */
#include "dealer_int.h"

/* An audit record. The first decision about a new lead also carries the
 * lead (attributes, state, deadline): a lead that has not changed since it
 * was routed has no record of its own in dealer_leads, which saves one new
 * key per decision; every later change writes the lead's record. */
static inline int put_audit(b2b2c_dealer_engine *e, const aent *a,
                            int creates, const b2b2c__rng *rng);

int b2b2c__dealer_write_audit(b2b2c_dealer_engine *e, const aent *a,
                              int creates)
{
    return put_audit(e, a, creates, &e->m.rng);
}

/* An audit record's key: the decision number, big-endian (the table's
 * order is the decisions' order). */
static inline void aud_key(uint8_t key[8], uint64_t seq)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    seq = __builtin_bswap64(seq);
    memcpy(key, &seq, 8);
#else
    for (int i = 0; i < 8; i++)
        key[i] = (uint8_t)(seq >> (56 - 8 * i));
#endif
}

/* A byte string field at p (u32 length, the bytes), as b2b2c__enc_bytes
 * writes it; returns the end. */
static inline uint8_t *put_field(uint8_t *p, const void *s, size_t n)
{
    b2b2c__put_le32(p, (uint32_t)n);
    if (n)
        memcpy(p + 4, s, n);
    return p + 4 + n;
}

static inline uint8_t *put_f64(uint8_t *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    b2b2c__put_le64(p, u);
    return p + 8;
}

/* The fixed part of an audit record after the dealer's ID: kind, policy,
 * reason (u8), cand, elig, rank (u32), weight (f64), the skip counts
 * (u32), the generator's state after the decision (u64) and whether the
 * lead follows (u8). */
#define AUD_FIXED (3 + 3 * 4 + 8 + NSKIP * 4 + 4 * 8 + 1)
/* A lead as an audit record carries it (enc_lead_attrs, then the
 * deadline), but the two strings' bytes. */
#define AUD_LEAD (8 + 4 + 4 + 1 + 8 + 8 + 4 + 4 + 1 + 8)

/* The record of audit entry a, its generator state `rng` (the state after
 * the decision it records). A record of a lead that is not closed is
 * written in one pass into room reserved at once (the same bytes as the
 * field writers would give); a closed lead's (version 5) by the field
 * writers after its first part. */
static inline int put_audit(b2b2c_dealer_engine *e, const aent *a,
                            int creates, const b2b2c__rng *rng)
{
    b2b2c__wbuf w;
    uint8_t key[8], *p;
    const lead *l = aent_lead(a);
    const stub *cs = aent_stub(a);
    uint8_t service = aent_service(a);
    const char *lid, *did = "", *odid = "";
    size_t lidlen, didlen = 0, odlen = 0, rl = 0, pl = 0, n;
    int ver = 1;
    aud_key(key, a->seq);
    /* version 2 (1.1): the owner field follows, when not NONE; version 3
     * (1.1): then the skipped owner's ID ("" for none) and the service
     * kind, when either is set; version 4 (1.1): then the customer key of
     * the lead it creates, when it has one; version 5 (1.1): the version 3
     * fields, then the closed lead's final state (a closed lead's entry,
     * dealer_close.c: never with the lead as routed); a record without
     * them is version 1 as before */
    if (a->owner | service) /* an owner skipped has owner 2..7 */
        ver = service || a->odealer != NONE32 ? 3 : 2;
    if (l && creates && l->cklen)
        ver = 4;
    if (cs) {
        ver = 5;
        creates = 0;
    }
    lid = aent_id(a, &lidlen);
    if (a->dealer != NONE32) {
        did = e->dealers[a->dealer]->id;
        didlen = e->dealers[a->dealer]->idlen;
    }
    /* the record's length after the version byte (the closed lead's
     * fields after the first part not counted: written below) */
    n = 8 + 8 + 4 + lidlen + 4 + didlen + AUD_FIXED;
    if (creates) {
        rl = strlen(l->region);
        pl = strlen(l->product);
        n += AUD_LEAD + rl + pl;
    }
    if (ver >= 2 && ver != 5) {
        n += 1;
        if (ver >= 3) {
            if (a->odealer != NONE32)
                odlen = strlen(odid = e->dealers[a->odealer]->id);
            n += 4 + odlen + 1;
        }
        if (ver == 4)
            n += 4 + l->cklen;
    }
    b2b2c__enc_begin(&w, &e->ctx->mem, (uint8_t)ver);
    p = b2b2c__enc_raw(&w, n);
    if (!p) /* out of memory: the sticky error, returned by the put */
        return b2b2c__st_put_rec(e->ctx, T_AUDIT, key, 8, &w);
    b2b2c__put_le64(p, a->seq);
    b2b2c__put_le64(p + 8, (uint64_t)a->time);
    p = put_field(p + 16, lid, lidlen);
    p = put_field(p, did, didlen);
    {
        uint64_t wb;
        p[0] = a->kind;
        p[1] = a->policy;
        p[2] = a->reason;
        b2b2c__put_le32(p + 3, a->cand);
        b2b2c__put_le32(p + 7, a->elig);
        b2b2c__put_le32(p + 11, a->rank);
        memcpy(&wb, &a->weight, 8);
        b2b2c__put_le64(p + 15, wb);
        p += 23;
        for (int i = 0; i < NSKIP; i++, p += 4)
            b2b2c__put_le32(p, a->skip[i]);
        for (int i = 0; i < 4; i++, p += 8)
            b2b2c__put_le64(p, rng->s[i]);
        *p++ = (uint8_t)(creates ? 1 : 0);
    }
    if (creates) { /* enc_lead_attrs's fields, then the deadline */
        b2b2c__put_le64(p, (uint64_t)l->created);
        p = put_field(p + 8, l->region, rl);
        p = put_field(p, l->product, pl);
        *p++ = (uint8_t)l->has_loc;
        p = put_f64(p, l->lat);
        p = put_f64(p, l->lon);
        b2b2c__put_le32(p, (uint32_t)l->segment);
        b2b2c__put_le32(p + 4, (uint32_t)l->band);
        p[8] = (uint8_t)l->m.state;
        b2b2c__put_le64(p + 9, (uint64_t)l->m.deadline);
        p += 17;
    }
    if (ver >= 2 && ver != 5) {
        *p++ = a->owner;
        if (ver >= 3) {
            p = put_field(p, odid, odlen);
            *p++ = service;
        }
        if (ver == 4)
            put_field(p, lead_ck(l), l->cklen);
    }
    if (ver == 5) {
        b2b2c__enc_u8(&w, a->owner);
        b2b2c__enc_str(&w, a->odealer == NONE32
                               ? ""
                               : e->dealers[a->odealer]->id);
        b2b2c__enc_u8(&w, service);
        {
            /* the final state, as a lead record has it, and the declined
             * and expired dealers */
            const lmut *m = &cs->m;
            b2b2c__enc_u8(&w, (uint8_t)m->state);
            b2b2c__enc_str(&w, m->dealer == NONE32
                                   ? ""
                                   : e->dealers[m->dealer]->id);
            b2b2c__enc_i64(&w, m->offered_at);
            b2b2c__enc_i64(&w, m->deadline);
            b2b2c__enc_i64(&w, m->accepted_at);
            b2b2c__enc_i64(&w, m->closed_at);
            b2b2c__enc_f64(&w, m->revenue);
            b2b2c__enc_u64(&w, m->offer_seq);
            b2b2c__enc_u32(&w, cs->ntried);
            for (uint32_t i = 0; i < cs->ntried; i++) {
                b2b2c__enc_str(
                    &w, e->dealers[cs->tried[i] & ~TRIED_EXPIRED]->id);
                b2b2c__enc_u8(&w, (cs->tried[i] & TRIED_EXPIRED) ? 1 : 0);
            }
        }
    }
    return b2b2c__st_put_rec(e->ctx, T_AUDIT, key, 8, &w);
}

/* ---- erasure: an audit record under another lead ID ------------------- */

typedef struct audget {
    b2b2c_dealer_engine *e;
    const void *k;
    audrec *ar;
    int rc;
} audget;

static int aud_found(const void *v, size_t vl, void *payload)
{
    audget *g = payload;
    g->rc = b2b2c__dealer_dec_audit(g->e, g->k, 8, v, vl, g->ar);
    return 0;
}

/* Rewrite the stored record of audit entry a under lead ID `lid` (lidlen
 * bytes), the lead's location dropped from the lead as routed it may
 * carry; every other byte as stored (the generator state included). Read
 * before the lead leaves the lead map (the decoder looks it up). */
int b2b2c__dealer_rewrite_audit(b2b2c_dealer_engine *e, const aent *a,
                                const char *lid, size_t lidlen, int drop)
{
    uint8_t key[8];
    audrec ar;
    audget g = {e, key, &ar, 0};
    lead *t;
    stub *ts;
    aent x;
    int rc;
    aud_key(key, a->seq);
    memset(&ar, 0, sizeof ar);
    rc = b2b2c__st_get(e->ctx, T_AUDIT, key, 8, aud_found, &g);
    if (rc == B2B2C_ENOTFOUND)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_AUDIT, key, 8,
                                  "the audit record is missing");
    if (rc || (rc = g.rc) != 0)
        return rc;
    if (aent_stub(a)) {
        /* a closed lead's entry: its stub under the new ID */
        if (!(ts = b2b2c__dealer_stub_copy(e, aent_stub(a), lid, lidlen)))
            return oom(e->ctx);
        x = ar.a;
        x.lp = stub_ref(ts);
        rc = put_audit(e, &x, 0, &ar.rng);
        b2b2c__free(e->ctx, ts);
        return rc;
    }
    if (drop & REWRITE_LOC) {
        ar.at.has_loc = 0;
        ar.at.lat = ar.at.lon = 0;
    }
    if (drop & REWRITE_CK) {
        memset(ar.at.ck, 0, sizeof ar.at.ck);
        ar.at.cklen = 0;
    }
    if (!(t = b2b2c__dealer_lead_make(e, lid, lidlen, &ar.at)))
        return oom(e->ctx);
    t->service = ar.service;
    t->m.state = ar.at.state;
    t->m.deadline = ar.at.deadline;
    x = ar.a;
    x.lp = t;
    rc = put_audit(e, &x, ar.creates, &ar.rng);
    b2b2c__free(e->ctx, t);
    return rc;
}
