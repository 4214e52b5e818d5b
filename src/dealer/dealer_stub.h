/* SPDX-License-Identifier: MIT */
/*
 * Closing (issue 20, dealer_close.c): the closed table's calls, closed
 * stubs (what the audit entries of a closed lead read of it) and the
 * helpers through which an audit entry reads its lead or its stub.
 * Included at the end of dealer_int.h.
 */
#ifndef B2B2C_DEALER_STUB_H
#define B2B2C_DEALER_STUB_H

/* A closed lead whose audit entries are not all pruned yet (issue 20,
 * dealer_close.c): what its entries read of it, in e->stubs under its ID
 * (not in e->leads, the deadline heap or any routing structure), freed
 * with its last entry (dealer_prune.c). Its final state m, its service
 * kind, its declined and expired dealers (for the outcome of each offer)
 * and its audit chain; no region, product line, location or customer
 * key. m and afirst/alast are laid out as in a lead (m first, alast
 * right after afirst), so an audit entry reads either through aent_m and
 * aent_ends. */
typedef struct stub {
    lmut m;
    uint32_t afirst, alast;
    uint32_t ntried; /* tried[], then the ID (idlen bytes) and a NUL */
    uint32_t idlen;
    uint8_t service;
    uint32_t tried[]; /* dealer index | TRIED_EXPIRED */
} stub;

/* what aent_m and aent_ends rely on */
_Static_assert(offsetof(lead, m) == 0 && offsetof(stub, m) == 0,
               "lmut first in a lead and a stub");
_Static_assert(offsetof(lead, alast) == offsetof(lead, afirst) + 4 &&
                   offsetof(stub, alast) == offsetof(stub, afirst) + 4,
               "alast right after afirst");

static inline char *stub_id(const stub *s)
{
    return (char *)(uintptr_t)(s->tried + s->ntried);
}

static inline void *stub_ref(const stub *s)
{
    return (void *)((uintptr_t)s | 1);
}
/* Entry a's lead when it is one (not closed), else NULL. */
static inline lead *aent_lead(const aent *a)
{
    return ((uintptr_t)a->lp & 1) ? NULL : (lead *)a->lp;
}
/* Entry a's stub when its lead is closed, else NULL. */
static inline stub *aent_stub(const aent *a)
{
    return ((uintptr_t)a->lp & 1) ? (stub *)((uintptr_t)a->lp - 1) : NULL;
}
/* The state of entry a's lead (current, or final when closed). */
static inline const lmut *aent_m(const aent *a)
{
    return (const lmut *)((uintptr_t)a->lp & ~(uintptr_t)1);
}
/* &afirst of entry a's lead or stub (alast follows it). */
static inline uint32_t *aent_ends(const aent *a)
{
    stub *s = aent_stub(a);
    return s ? &s->afirst : &((lead *)a->lp)->afirst;
}
static inline const char *aent_id(const aent *a, size_t *n)
{
    stub *s = aent_stub(a);
    if (s) {
        *n = s->idlen;
        return stub_id(s);
    }
    *n = ((const lead *)a->lp)->idlen;
    return ((const lead *)a->lp)->id;
}
static inline uint8_t aent_service(const aent *a)
{
    stub *s = aent_stub(a);
    return s ? s->service : ((const lead *)a->lp)->service;
}
/* Entry a's lead's declined and expired dealers. */
static inline const uint32_t *aent_tried(const aent *a, uint32_t *n)
{
    stub *s = aent_stub(a);
    if (s) {
        *n = s->ntried;
        return s->tried;
    }
    *n = ((const lead *)a->lp)->ntried;
    return ((const lead *)a->lp)->tried;
}

/* dealer_close.c: closed leads' stubs (see struct stub). A new stub of
 * ID id (n bytes) with room for nt tried dealers (m, service and tried
 * for the caller), in no map; NULL: out of memory (message set). */
stub *b2b2c__dealer_stub_alloc(b2b2c_dealer_engine *e, const char *id,
                               size_t n, uint32_t nt);
/* A copy of stub s under ID id (n bytes), its chain ends NONE32. */
stub *b2b2c__dealer_stub_copy(b2b2c_dealer_engine *e, const stub *s,
                              const char *id, size_t n);
/* Stub s renamed `to` (tn bytes; none of that ID in memory): records
 * rewritten, undoable (erase, merge). */
int b2b2c__dealer_stub_rename(b2b2c_dealer_engine *e, stub *s,
                              const char *to, size_t tn);
/* dealer_merge.c: entry i's lead pointer and lead links (NONE32:
 * nothing), saved by index for the undo log. */
int b2b2c__dealer_save_links(b2b2c_dealer_engine *e, uint32_t i);
/* dealer_close.c: entry i, its record rewritten by another context's
 * close (ar, version 5), moves from its lead to the closed lead's stub
 * (made from ar when not in memory), undoably. */
int b2b2c__dealer_aud_close(b2b2c_dealer_engine *e, uint32_t i,
                            const audrec *ar);
/* dealer_store.c: the stub of a closed lead's audit record (version 5),
 * decoded just now; NULL: out of memory. */
stub *b2b2c__dealer_stub_of_rec(b2b2c_dealer_engine *e, const audrec *ar);

/* dealer_close.c: the closed lead `id` (n bytes) from dealer_closed into
 * *state and *dealer (its last dealer's number or NONE32): 1, 0 when there
 * is none, or an error (message set). */
int b2b2c__dealer_closed_get(b2b2c_dealer_engine *e, const char *id,
                             size_t n, int32_t *state, uint32_t *dealer);
/* Delete closed lead `id` from dealer_closed, or rename it `to` (tn
 * bytes; NULL: delete): 1, 0 when there is none, or an error. */
int b2b2c__dealer_closed_move(b2b2c_dealer_engine *e, const char *id,
                              size_t n, const char *to, size_t tn);
/* dealer_close.c: a closed record's decoding failure rc, the message
 * naming dealer_closed */
int b2b2c__dealer_closed_fail(b2b2c_dealer_engine *e, const void *k,
                              size_t kl, int rc);
/* dealer_close.c: another context closed lead k (put its record in
 * dealer_closed): the lead of ID k in memory, if any (*out, else NULL),
 * leaves the lead map and the deadline heap (undoably) before the sync
 * applies the other records, so that a lead routed under the same ID
 * since is a new one; its audit entries still point at it until they
 * move to its stub or are pruned. */
int b2b2c__dealer_lead_retire(b2b2c_dealer_engine *e, const void *k,
                              size_t kl, lead **out);
/* dealer_close.c: retired lead l, the sync's records applied: freed on
 * commit; B2B2C_ECORRUPT when an audit entry still points at it. */
int b2b2c__dealer_lead_retired(b2b2c_dealer_engine *e, lead *l);
#endif
