/* SPDX-License-Identifier: MIT */
/*
 * Customers of record (issue 14, docs/dealer-allocation.md "Customer of
 * record"): the dealer that won a customer keeps the customer's leads of
 * the same product line for OWNER_DAYS while it is eligible.
 *
 * An owner is in e->owners and in table dealer_owners under the key
 * [key length u8][customer key][product line]; the record (version 1) is
 * the dealer's ID ("" once released), since and until (i64). Records are
 * never deleted (a release writes dealer ""), so other contexts see every
 * change through refresh (dealer_sync.c, apply_owner). Routing probes the
 * map once per lead that carries a key.
 */
#include "dealer_int.h"
#include "listing.h"

/* ---- keys and records ------------------------------------------------ */

/* The map and record key of (customer key, product line) into buf
 * (OWNER_KEY_MAX bytes); its length (owner_key in dealer_int.h). Deal
 * registrations (dealer_reg.c) key their slots the same way. */
size_t b2b2c__dealer_owner_key(unsigned char *buf, const void *ck,
                               size_t cklen, const char *prod, size_t pl)
{
    return owner_key(buf, ck, cklen, prod, pl);
}

static int write_owner(b2b2c_dealer_engine *e, const owner *o)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_str(&w, o->dealer == NONE32 ? "" : e->dealers[o->dealer]->id);
    b2b2c__enc_i64(&w, o->since);
    b2b2c__enc_i64(&w, o->until);
    return b2b2c__st_put_rec(e->ctx, T_OWNERS, o->key, o->klen, &w);
}

/* Whether k is a well-formed key [length][customer key][product line]. */
int b2b2c__dealer_owner_key_ok(const void *k, size_t kl)
{
    const unsigned char *kb = k;
    return !(kl < 2 || kb[0] == 0 || kb[0] > B2B2C_DEALER_CUSTOMER_KEY_MAX ||
             (size_t)kb[0] + 1 > kl || kl - 1 - kb[0] > B2B2C__ID_MAX);
}

/* An owner record decoded into out (dealer, since, until), its key
 * checked; shared by the loader and refresh. */
int b2b2c__dealer_dec_owner(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const void *v, size_t vl, owner *out)
{
    b2b2c__rbuf r;
    const void *did;
    size_t n = 0;
    int rc;
    if (!b2b2c__dealer_owner_key_ok(k, kl))
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_OWNERS, k, kl,
                                  "bad customer key");
    if ((rc = b2b2c__dec_begin(&r, v, vl, 1)) != 0)
        return b2b2c__err_corrupt(e->ctx, rc, T_OWNERS, k, kl, NULL);
    did = b2b2c__dec_bytes(&r, &n);
    out->since = b2b2c__dec_i64(&r);
    out->until = b2b2c__dec_i64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return b2b2c__err_corrupt(e->ctx, rc, T_OWNERS, k, kl, NULL);
    out->dealer = NONE32;
    if (did && n) {
        dealer *d = b2b2c__map_get(&e->dmap, did, n);
        if (!d)
            return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_OWNERS, k,
                                      kl, "no such dealer");
        out->dealer = d->idx;
    }
    if (!time_ok(out->since) || !time_ok(out->until) ||
        out->until < out->since)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_OWNERS, k, kl,
                                  "time out of range");
    return 0;
}

/* Set the owner under key k to x's dealer and times, creating the entry;
 * under undo entries when undoable (the loader's is not). */
int b2b2c__dealer_owner_put(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const owner *x, int undoable)
{
    b2b2c_ctx *ctx = e->ctx;
    owner *o = b2b2c__map_get(&e->owners, k, kl);
    int rc;
    if (o) {
        if (undoable && (rc = b2b2c__undo_save(ctx, &o->dealer,
                                               offsetof(owner, klen))) != 0)
            return rc;
    } else {
        if (!(o = b2b2c__malloc(ctx, sizeof(*o) + kl)))
            return oom(ctx);
        o->klen = kl;
        memcpy(o->key, k, kl);
        if ((rc = b2b2c__dealer_map_add(e, &e->owners, o->key, kl, o,
                                        undoable)) != 0)
            return rc;
    }
    o->dealer = x->dealer;
    o->since = x->since;
    o->until = x->until;
    return 0;
}

static int load_owner(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_dealer_engine *e = payload;
    owner x;
    int rc = b2b2c__dealer_dec_owner(e, k, kl, v, vl, &x);
    return rc ? rc : b2b2c__dealer_owner_put(e, k, kl, &x, 0);
}

int b2b2c__dealer_load_owners(b2b2c_dealer_engine *e)
{
    return b2b2c__st_scan(e->ctx, T_OWNERS, load_owner, e);
}

void b2b2c__dealer_owners_clear(b2b2c_dealer_engine *e)
{
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&e->owners, &it, NULL, NULL, &v))
        b2b2c__free(e->ctx, v);
    b2b2c__map_fini(&e->owners);
}

/* ---- routing ----------------------------------------------------------- */

/* The owner under map key okey (okl bytes, hash oh: the route computed
 * both and prefetched the slot) at now, or NULL: one map probe. */
static const owner *owner_at(const b2b2c_dealer_engine *e,
                             const unsigned char *okey, size_t okl,
                             uint64_t oh, int64_t now)
{
    const owner *o = b2b2c__map_get_h(&e->owners, oh, okey, okl);
    return o && o->dealer != NONE32 && o->since <= now && now < o->until
               ? o
               : NULL;
}

/* Lead l of customer ck at now: B2B2C_DEALER_OWNER_CHOSEN with dc filled
 * (the owner, reason OWNER) when the customer's owner is eligible, else
 * NONE or why the owner was skipped (dc untouched; the owner's number in
 * *odealer, set whenever there is one). Without an owner at now, the
 * holder of the key's live approved registration takes its place (reason
 * REGISTERED). The checks are the eligibility pass's, in its order, but
 * territory and the maximum share: the customer is the owner's; a service
 * request also needs the owner certified. One map probe, two without an
 * owner. */
int b2b2c__dealer_owner_decide(b2b2c_dealer_engine *e, const lead *l,
                               const unsigned char *okey, size_t okl,
                               uint64_t oh, int64_t now, decision *dc,
                               uint32_t *odealer)
{
    const owner *o = owner_at(e, okey, okl, oh, now);
    const dealer *d;
    hot h;
    int64_t day;
    uint32_t di;
    int32_t reason = B2B2C_DEALER_REASON_OWNER;
    if (o) {
        di = o->dealer;
    } else {
        di = b2b2c__dealer_reg_holder(e, okey, okl, now);
        if (di == NONE32)
            return B2B2C_DEALER_OWNER_NONE;
        reason = B2B2C_DEALER_REASON_REGISTERED;
    }
    d = e->dealers[di];
    *odealer = d->idx;
    /* a service request: a candidate only when certified (dealer_service.c) */
    if (l->service &&
        !b2b2c__dealer_certified_at(e, d->idx, l->service, l->product, now))
        return B2B2C_DEALER_OWNER_SKIP_SERVICE;
    mirror_of(d, &h);
    day = b2b2c__day(e->ctx, now);
    if (h.active_from > now)
        return B2B2C_DEALER_OWNER_SKIP_INACTIVE;
    if (d->cfg.nprod && l->product[0]) { /* no line: any dealer */
        const prod *p =
            b2b2c__map_get(&e->prods, l->product, strlen(l->product));
        if (!sells(d, p != NULL, p ? p->id : 0))
            return B2B2C_DEALER_OWNER_SKIP_PRODUCT;
    }
    if (l->ntried && tried(l, d->idx))
        return B2B2C_DEALER_OWNER_SKIP_TRIED;
    if (h.room == 0)
        return B2B2C_DEALER_OWNER_SKIP_CAPACITY;
    if (h.quota && (h.day_idx >= day ? h.day_offers : 0) >= (uint32_t)h.quota)
        return B2B2C_DEALER_OWNER_SKIP_QUOTA;
    memset(dc, 0, sizeof(*dc));
    dc->cand = dc->elig = dc->rank = 1;
    dc->chosen = d->idx;
    dc->weight = d->cfg.tier;
    dc->reason = reason;
    dc->owner = B2B2C_DEALER_OWNER_CHOSEN;
    dc->pk = NONE32;
    dc->odealer = NONE32;
    return B2B2C_DEALER_OWNER_CHOSEN;
}

/* Lead l of customer ck (cklen bytes) at now: the owner of (ck, the
 * lead's product line) when eligible, else the policy, with dc->owner and
 * dc->odealer saying why the owner was skipped. For the decisions whose
 * owner key was not made before the call's transaction: a lead's
 * re-routes after a decline or an expiry (with the key it was routed
 * with, dealer_offers.c) and a lead left unrouted routed again. */
void b2b2c__dealer_decide_customer(b2b2c_dealer_engine *e, const lead *l,
                                   const void *ck, size_t cklen,
                                   int64_t now, decision *dc)
{
    unsigned char k[OWNER_KEY_MAX];
    size_t kl = owner_key(k, ck, cklen, l->product, strlen(l->product));
    uint32_t od = NONE32;
    int32_t os = b2b2c__dealer_owner_decide(
        e, l, k, kl, b2b2c__map_keyhash(k, kl), now, dc, &od);
    if (os == B2B2C_DEALER_OWNER_CHOSEN)
        return;
    b2b2c__dealer_decide(e, l, now, dc);
    dc->owner = os;
    dc->odealer = os == B2B2C_DEALER_OWNER_NONE ? NONE32 : od;
}

/* ---- public API -------------------------------------------------------- */

/* The customer key and product line arguments, checked before the call's
 * transaction; the map key into k, its length into *kl. */
typedef struct cust_in {
    unsigned char k[OWNER_KEY_MAX];
    size_t kl;
    const char *prod;
} cust_in;

int b2b2c__dealer_customer_arg(b2b2c_ctx *ctx, const void *ck, size_t cklen)
{
    if (!ck)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "customer_key: must not be NULL");
    if (cklen == 0)
        return b2b2c__err(ctx, B2B2C_EBADID, "customer_key: empty");
    if (cklen > B2B2C_DEALER_CUSTOMER_KEY_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "customer_key: %zu bytes, at most %d", cklen,
                          B2B2C_DEALER_CUSTOMER_KEY_MAX);
    return 0;
}

static int cust_arg(b2b2c_ctx *ctx, cust_in *in, const void *ck,
                    size_t cklen, const char *prod, int64_t now)
{
    size_t pl;
    int rc;
    if ((rc = b2b2c__dealer_customer_arg(ctx, ck, cklen)) != 0)
        return rc;
    if (!prod)
        prod = "";
    pl = strlen(prod);
    if (pl && b2b2c__id_check(prod, NULL))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "product_line: not a valid ID");
    in->prod = prod;
    in->kl = b2b2c__dealer_owner_key(in->k, ck, cklen, prod, pl);
    return check_now(ctx, now);
}

/* The owner of in at now, or B2B2C_ENOTFOUND naming the argument. */
static int find_owner(b2b2c_dealer_engine *e, const cust_in *in, int64_t now,
                      owner **out)
{
    owner *o = b2b2c__map_get(&e->owners, in->k, in->kl);
    if (!o || o->dealer == NONE32 || now < o->since || now >= o->until)
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND,
                          "customer_key: no owner for product line '%s' at "
                          "now",
                          in->prod);
    *out = o;
    return 0;
}

static int64_t window_end(const b2b2c_dealer_engine *e, int64_t since)
{
    /* OWNER_DAYS <= 3650 and since within +-2^52: no overflow */
    return since + (int64_t)llround(e->param[P_OWNDAYS] * 86400.0);
}

static int set_owner(b2b2c_dealer_engine *e, const unsigned char *k,
                     size_t kl, uint32_t di, int64_t since, int64_t until)
{
    owner x;
    int rc;
    x.dealer = di;
    x.since = since;
    x.until = until;
    if ((rc = b2b2c__dealer_owner_put(e, k, kl, &x, 1)) != 0)
        return rc;
    return write_owner(e, b2b2c__map_get(&e->owners, k, kl));
}

typedef struct win_in {
    const char *lead;
    size_t ln;
    const void *ck;
    size_t cklen;
} win_in;

static int win_body(b2b2c_dealer_engine *e, const win_in *in)
{
    unsigned char k[OWNER_KEY_MAX];
    size_t kl;
    lead *l;
    int rc;
    if ((rc = b2b2c__dealer_find_lead(e, in->lead, in->ln, &l)) != 0)
        return rc;
    if (l->m.state != B2B2C_DEALER_LEAD_WON || l->m.dealer == NONE32)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead_id: lead '%s' is not won (state %d)",
                          in->lead, (int)l->m.state);
    kl = b2b2c__dealer_owner_key(k, in->ck, in->cklen, l->product,
                                 strlen(l->product));
    /* the registering dealer's live registration of the key is won */
    if ((rc = set_owner(e, k, kl, l->m.dealer, l->m.closed_at,
                        window_end(e, l->m.closed_at))) != 0)
        return rc;
    return b2b2c__dealer_reg_won(e, k, kl, l->m.dealer, l->m.closed_at);
}

int b2b2c_dealer_owner_win(b2b2c_dealer_engine *e, const char *lead_id,
                           const void *customer_key, size_t key_len)
{
    win_in in;
    int rc;
    CHECK_E(e);
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "lead_id", lead_id, &in.ln)) ||
        (rc = b2b2c__dealer_customer_arg(e->ctx, customer_key, key_len)))
        return rc;
    in.lead = lead_id;
    in.ck = customer_key;
    in.cklen = key_len;
    B2B2C__CALL(rc, e->ctx, e, win_body(e, &in));
    return rc;
}

int b2b2c_dealer_owner(const char **dealer_out, int64_t *since_out,
                       int64_t *until_out, b2b2c_dealer_engine *e,
                       const void *customer_key, size_t key_len,
                       const char *product_line, int64_t now)
{
    cust_in in;
    owner *o;
    int rc;
    CHECK_E(e);
    if ((rc = cust_arg(e->ctx, &in, customer_key, key_len, product_line,
                       now)) != 0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0 ||
        (rc = find_owner(e, &in, now, &o)) != 0)
        return rc;
    if (dealer_out)
        *dealer_out = e->dealers[o->dealer]->id;
    if (since_out)
        *since_out = o->since;
    if (until_out)
        *until_out = o->until;
    return 0;
}

typedef struct transfer_in {
    cust_in c;
    const char *to;
    size_t tn;
    int64_t now;
} transfer_in;

static int transfer_body(b2b2c_dealer_engine *e, const transfer_in *in)
{
    owner *o;
    dealer *d;
    int rc;
    if ((rc = find_owner(e, &in->c, in->now, &o)) != 0)
        return rc;
    if (!(d = b2b2c__map_get(&e->dmap, in->to, in->tn)))
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND,
                          "to_dealer: no dealer '%s'", in->to);
    if (d->cfg.status == B2B2C_DEALER_OFFBOARDED ||
        (d->cfg.status == B2B2C_DEALER_PAUSED &&
         d->cfg.paused_until > in->now))
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "to_dealer: dealer '%s' is %s", in->to,
                          d->cfg.status == B2B2C_DEALER_OFFBOARDED
                              ? "off-boarded"
                              : "paused");
    if (d->idx == o->dealer)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "to_dealer: dealer '%s' is already the owner",
                          in->to);
    return set_owner(e, in->c.k, in->c.kl, d->idx, in->now,
                     window_end(e, in->now));
}

int b2b2c_dealer_owner_transfer(b2b2c_dealer_engine *e,
                                const void *customer_key, size_t key_len,
                                const char *product_line,
                                const char *to_dealer, int64_t now)
{
    transfer_in in;
    int rc;
    CHECK_E(e);
    if ((rc = cust_arg(e->ctx, &in.c, customer_key, key_len, product_line,
                       now)) != 0 ||
        (rc = b2b2c__dealer_id_arg(e->ctx, "to_dealer", to_dealer, &in.tn)))
        return rc;
    in.to = to_dealer;
    in.now = now;
    B2B2C__CALL(rc, e->ctx, e, transfer_body(e, &in));
    return rc;
}

static int release_body(b2b2c_dealer_engine *e, const cust_in *in,
                        int64_t now)
{
    owner *o;
    int rc;
    if ((rc = find_owner(e, in, now, &o)) != 0)
        return rc;
    return set_owner(e, in->k, in->kl, NONE32, o->since, now);
}

int b2b2c_dealer_owner_release(b2b2c_dealer_engine *e,
                               const void *customer_key, size_t key_len,
                               const char *product_line, int64_t now)
{
    cust_in in;
    int rc;
    CHECK_E(e);
    if ((rc = cust_arg(e->ctx, &in, customer_key, key_len, product_line,
                       now)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e, release_body(e, &in, now));
    return rc;
}

/* ---- import and listing ------------------------------------------------ */

typedef struct assign_in {
    cust_in c;
    const char *dealer;
    size_t dn;
    int64_t since, now;
} assign_in;

static int assign_body(b2b2c_dealer_engine *e, const assign_in *in)
{
    const owner *o = b2b2c__map_get(&e->owners, in->c.k, in->c.kl);
    int64_t until = window_end(e, in->since); /* OWNER_DAYS as of now */
    dealer *d;
    int rc;
    if (until <= in->now)
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "since: the window from %lld ended at %lld, "
                          "before now (%lld)",
                          (long long)in->since, (long long)until,
                          (long long)in->now);
    if ((rc = b2b2c__dealer_find_dealer(e, in->dealer, in->dn, &d)) != 0)
        return rc;
    if (d->cfg.status == B2B2C_DEALER_OFFBOARDED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "dealer_id: dealer '%s' is off-boarded",
                          in->dealer);
    if (o && o->dealer != NONE32 && o->since > in->since)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "since: %lld is before the window of the "
                          "customer's owner '%s' from %lld (the latest "
                          "win holds)",
                          (long long)in->since, e->dealers[o->dealer]->id,
                          (long long)o->since);
    return set_owner(e, in->c.k, in->c.kl, d->idx, in->since, until);
}

int b2b2c_dealer_owner_assign(b2b2c_dealer_engine *e,
                              const void *customer_key, size_t key_len,
                              const char *product_line,
                              const char *dealer_id, int64_t since,
                              int64_t now)
{
    assign_in in;
    int rc;
    CHECK_E(e);
    if ((rc = cust_arg(e->ctx, &in.c, customer_key, key_len, product_line,
                       now)) != 0 ||
        (rc = b2b2c__dealer_id_arg(e->ctx, "dealer_id", dealer_id,
                                   &in.dn)) != 0 ||
        (rc = b2b2c__check_time(e->ctx, since, "since")) != 0)
        return rc;
    if (since > now)
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "since: %lld is after now (%lld)",
                          (long long)since, (long long)now);
    in.dealer = dealer_id;
    in.since = since;
    in.now = now;
    B2B2C__CALL(rc, e->ctx, e, assign_body(e, &in));
    return rc;
}

static int owners_row(const b2b2c__list *l, const void *rec)
{
    const b2b2c_dealer_engine *e = l->h;
    const owner *o = rec;
    char prod[B2B2C__ID_MAX + 1];
    size_t cklen = o->key[0], pl = o->klen - 1 - cklen;
    memcpy(prod, o->key + 1 + cklen, pl);
    prod[pl] = '\0';
    return ((b2b2c_dealer_owners_cb)l->cb)(o->key + 1, cklen, prod,
                                           e->dealers[o->dealer]->id,
                                           o->since, o->until, l->userdata);
}

int b2b2c_dealer_list_owners(const b2b2c_dealer_engine *e, int64_t now,
                             b2b2c_dealer_owners_cb cb, void *userdata)
{
    b2b2c__list l;
    size_t it = 0;
    const void *k;
    size_t kl;
    void *v;
    int rc;
    if (!e)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__list_open(&l, e->ctx, (b2b2c__list_fn)cb, userdata)) ||
        (rc = check_now(e->ctx, now)) != 0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0 ||
        (rc = b2b2c__list_reserve(&l, e->owners.count)) != 0)
        return rc;
    l.h = e;
    while (b2b2c__map_next(&e->owners, &it, &k, &kl, &v)) {
        const owner *o = v;
        if (o->dealer != NONE32 && o->since <= now && now < o->until)
            b2b2c__list_add(&l, (const char *)o->key, o->klen, o);
    }
    return b2b2c__list_emit(&l, owners_row);
}
