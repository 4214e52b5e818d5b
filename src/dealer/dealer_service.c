/* SPDX-License-Identifier: MIT */
/*
 * Service partners (issue 14, docs/dealer-allocation.md "Service
 * partners"): dealers certified for a service kind on a product line, and
 * the candidate filter that keeps a service request among them.
 *
 * A certification is in e->certs under [dealer number u32 LE][service
 * u8][product line] and in table dealer_certs under [service u8][dealer
 * ID][0][product line] (the dealer's ID, not its number, so that the
 * record reads without the dealers' order); the record (version 1) is
 * since and until (i64). Records are never deleted (a decertification
 * writes until = its time), so other contexts see every change through
 * refresh (dealer_sync.c, apply_cert). Routing a service request probes
 * the map once or twice per covering dealer; an ordinary lead never
 * probes it.
 *
 * The service kind of a lead is in the audit records of its decisions
 * (version 3): the loader and refresh set lead.service from them, so re-routing a service request stays among the
 * certified dealers without a record of its own.
 */
#include "dealer_int.h"

/* Until of a certification not ended: the end of the stored time range. */
#define CERT_OPEN NOW_MAX

static const char *const SERVICE_NAMES[B2B2C_DEALER_NSERVICE] = {
    NULL, "install", "repair", "maintenance", "training", "warranty"};

const char *b2b2c_dealer_service_name(int32_t service)
{
    return service > 0 && service < B2B2C_DEALER_NSERVICE
               ? SERVICE_NAMES[service]
               : NULL;
}

/* ---- keys and records ------------------------------------------------ */

/* The map key of (dealer number di, service, product line) into buf
 * (CERT_KEY_MAX bytes); its length. */
static size_t cert_mkey(unsigned char *buf, uint32_t di, int service,
                        const char *prod, size_t pl)
{
    b2b2c__put_le32(buf, di);
    buf[4] = (unsigned char)service;
    memcpy(buf + 5, prod, pl);
    return 5 + pl;
}

static int write_cert(b2b2c_dealer_engine *e, const cert *c)
{
    unsigned char rk[1 + B2B2C__ID_MAX + 1 + B2B2C__ID_MAX];
    const dealer *d =
        e->dealers[(uint32_t)c->key[0] | (uint32_t)c->key[1] << 8 |
                   (uint32_t)c->key[2] << 16 | (uint32_t)c->key[3] << 24];
    size_t pl = c->klen - 5, rl;
    b2b2c__wbuf w;
    rk[0] = c->key[4];
    memcpy(rk + 1, d->id, d->idlen);
    rk[1 + d->idlen] = 0;
    memcpy(rk + 2 + d->idlen, c->key + 5, pl);
    rl = 2 + d->idlen + pl;
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_i64(&w, c->since);
    b2b2c__enc_i64(&w, c->until);
    return b2b2c__st_put_rec(e->ctx, T_CERTS, rk, rl, &w);
}

/* A certification record decoded: its map key into mk (*mkl), since and
 * until. */
static int dec_cert(b2b2c_dealer_engine *e, const void *k, size_t kl,
                    const void *v, size_t vl, unsigned char *mk, size_t *mkl,
                    int64_t *since, int64_t *until)
{
    const unsigned char *kb = k, *z;
    char prod[B2B2C__ID_MAX + 1];
    const dealer *d;
    b2b2c__rbuf r;
    size_t dl, pl;
    int rc;
    if (kl < 3 || kb[0] == 0 || kb[0] >= B2B2C_DEALER_NSERVICE ||
        !(z = memchr(kb + 1, 0, kl - 1)))
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_CERTS, k, kl,
                                  "bad key");
    dl = (size_t)(z - (kb + 1));
    pl = kl - 2 - dl;
    if (dl == 0 || !(d = b2b2c__map_get(&e->dmap, kb + 1, dl)))
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_CERTS, k, kl,
                                  "no such dealer");
    if (pl > B2B2C__ID_MAX)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_CERTS, k, kl,
                                  "bad product line");
    memcpy(prod, z + 1, pl);
    prod[pl] = '\0';
    if (pl && (strlen(prod) != pl || b2b2c__id_check(prod, NULL)))
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_CERTS, k, kl,
                                  "bad product line");
    if ((rc = b2b2c__dec_begin(&r, v, vl, 1)) != 0)
        return b2b2c__err_corrupt(e->ctx, rc, T_CERTS, k, kl, NULL);
    *since = b2b2c__dec_i64(&r);
    *until = b2b2c__dec_i64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return b2b2c__err_corrupt(e->ctx, rc, T_CERTS, k, kl, NULL);
    if (!time_ok(*since) || !time_ok(*until) || *until < *since)
        return b2b2c__err_corrupt(e->ctx, B2B2C_ECORRUPT, T_CERTS, k, kl,
                                  "time out of range");
    *mkl = cert_mkey(mk, d->idx, kb[0], prod, pl);
    return 0;
}

/* Set the certification under map key k to [since, until), creating the
 * entry; under undo entries when undoable (the loader's is not). */
static int cert_put(b2b2c_dealer_engine *e, const unsigned char *k,
                    size_t kl, int64_t since, int64_t until, int undoable,
                    cert **out)
{
    b2b2c_ctx *ctx = e->ctx;
    cert *c = b2b2c__map_get(&e->certs, k, kl);
    int rc;
    if (c) {
        if (undoable && (rc = b2b2c__undo_save(ctx, c,
                                               offsetof(cert, klen))) != 0)
            return rc;
    } else {
        if (!(c = b2b2c__malloc(ctx, sizeof(*c) + kl)))
            return oom(ctx);
        c->klen = kl;
        memcpy(c->key, k, kl);
        if ((rc = b2b2c__dealer_map_add(e, &e->certs, c->key, kl, c,
                                        undoable)) != 0)
            return rc;
    }
    c->since = since;
    c->until = until;
    if (out)
        *out = c;
    return 0;
}

static int load_cert(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_dealer_engine *e = payload;
    unsigned char mk[CERT_KEY_MAX];
    size_t mkl;
    int64_t since, until;
    int rc = dec_cert(e, k, kl, v, vl, mk, &mkl, &since, &until);
    return rc ? rc : cert_put(e, mk, mkl, since, until, 0, NULL);
}

int b2b2c__dealer_load_certs(b2b2c_dealer_engine *e)
{
    return b2b2c__st_scan(e->ctx, T_CERTS, load_cert, e);
}

/* Refresh (dealer_sync.c): a certification another context wrote. */
int b2b2c__dealer_apply_cert(b2b2c_dealer_engine *e, const void *k,
                             size_t kl, const void *v, size_t vl)
{
    unsigned char mk[CERT_KEY_MAX];
    size_t mkl;
    int64_t since, until;
    int rc = dec_cert(e, k, kl, v, vl, mk, &mkl, &since, &until);
    return rc ? rc : cert_put(e, mk, mkl, since, until, 1, NULL);
}

void b2b2c__dealer_certs_clear(b2b2c_dealer_engine *e)
{
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&e->certs, &it, NULL, NULL, &v))
        b2b2c__free(e->ctx, v);
    b2b2c__map_fini(&e->certs);
}

uint64_t b2b2c__dealer_certs_digest(const b2b2c_dealer_engine *e)
{
    uint64_t sum = 0;
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&e->certs, &it, NULL, NULL, &v)) {
        const cert *c = v;
        uint64_t h = b2b2c__hash(c->key, c->klen);
        h = b2b2c__mix64(h, (uint64_t)c->since);
        h = b2b2c__mix64(h, (uint64_t)c->until);
        sum += h;
    }
    return b2b2c__mix64(sum, e->certs.count);
}

/* ---- routing ----------------------------------------------------------- */

/* The certification of (di, service, prod) holding at now, or NULL. */
static const cert *cert_at(const b2b2c_dealer_engine *e, uint32_t di,
                           int service, const char *prod, size_t pl,
                           int64_t now)
{
    unsigned char k[CERT_KEY_MAX];
    size_t kl = cert_mkey(k, di, service, prod, pl);
    const cert *c = b2b2c__map_get(&e->certs, k, kl);
    return c && c->since <= now && now < c->until ? c : NULL;
}

/* Dealer di certified for service on prod at now: for that line, or for
 * every line. */
int b2b2c__dealer_certified_at(const b2b2c_dealer_engine *e, uint32_t di,
                               int service, const char *prod, int64_t now)
{
    size_t pl = strlen(prod);
    return (pl && cert_at(e, di, service, prod, pl, now)) ||
           cert_at(e, di, service, "", 0, now);
}

/* Decide's phase for a service request (after the candidates are
 * gathered): keep the candidates certified for the lead's service and
 * product line, in their order, with their mirror entries and distances;
 * ps->nuncert counts the others (the reason NO_SERVICE when they were all
 * the candidates). */
void b2b2c__dealer_service_filter(b2b2c_dealer_engine *e, pass *ps)
{
    const lead *l = ps->l;
    uint32_t *cand = e->cand, nc = ps->nc, j = 0;
    hot **hp = e->hp;
    double *dist = e->dist;
    for (uint32_t i = 0; i < nc; i++) {
        if (!b2b2c__dealer_certified_at(e, cand[i], l->service, l->product,
                                        ps->now))
            continue;
        cand[j] = cand[i];
        hp[j] = hp[i];
        if (l->has_loc)
            dist[j] = dist[i];
        j++;
    }
    ps->nuncert = nc - j;
    ps->nc = j;
}

/* ---- public API -------------------------------------------------------- */

typedef struct cert_in {
    const char *dealer, *prod;
    size_t dn, pl;
    int service;
    int64_t now;
} cert_in;

/* The arguments of certify, decertify and certified, checked before the
 * call's transaction. */
static int cert_arg(b2b2c_ctx *ctx, cert_in *in, const char *dealer_id,
                    int32_t service, const char *prod, int64_t now)
{
    int rc;
    if ((rc = b2b2c__dealer_id_arg(ctx, "dealer_id", dealer_id, &in->dn)))
        return rc;
    if (!b2b2c_dealer_service_name(service))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "service: unknown service kind %d", (int)service);
    if (!prod)
        prod = "";
    if (*prod && b2b2c__id_check(prod, &in->pl))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "product_line: not a valid ID");
    if (!*prod)
        in->pl = 0;
    in->dealer = dealer_id;
    in->prod = prod;
    in->service = (int)service;
    in->now = now;
    return check_now(ctx, now);
}

static int certify_body(b2b2c_dealer_engine *e, const cert_in *in)
{
    unsigned char k[CERT_KEY_MAX];
    size_t kl;
    dealer *d;
    cert *c;
    int rc;
    if ((rc = b2b2c__dealer_find_dealer(e, in->dealer, in->dn, &d)) != 0)
        return rc;
    if (d->cfg.status == B2B2C_DEALER_OFFBOARDED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "dealer_id: dealer '%s' is off-boarded",
                          in->dealer);
    if (cert_at(e, d->idx, in->service, in->prod, in->pl, in->now))
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "dealer_id: dealer '%s' is already certified for "
                          "%s on product line '%s'",
                          in->dealer, SERVICE_NAMES[in->service], in->prod);
    kl = cert_mkey(k, d->idx, in->service, in->prod, in->pl);
    if ((rc = cert_put(e, k, kl, in->now, CERT_OPEN, 1, &c)) != 0)
        return rc;
    return write_cert(e, c);
}

int b2b2c_dealer_certify(b2b2c_dealer_engine *e, const char *dealer_id,
                         int32_t service, const char *product_line,
                         int64_t now)
{
    cert_in in;
    int rc;
    CHECK_E(e);
    if ((rc = cert_arg(e->ctx, &in, dealer_id, service, product_line, now)))
        return rc;
    B2B2C__CALL(rc, e->ctx, e, certify_body(e, &in));
    return rc;
}

/* The dealer of in and its certification for in's service and line at
 * in's now, or B2B2C_ENOTFOUND naming the argument. */
static int find_cert(b2b2c_dealer_engine *e, const cert_in *in, cert **out)
{
    unsigned char k[CERT_KEY_MAX];
    size_t kl;
    dealer *d;
    cert *c;
    int rc;
    if ((rc = b2b2c__dealer_find_dealer(e, in->dealer, in->dn, &d)) != 0)
        return rc;
    kl = cert_mkey(k, d->idx, in->service, in->prod, in->pl);
    c = b2b2c__map_get(&e->certs, k, kl);
    if (!c || in->now < c->since || in->now >= c->until)
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND,
                          "dealer_id: dealer '%s' is not certified for %s "
                          "on product line '%s' at now",
                          in->dealer, SERVICE_NAMES[in->service], in->prod);
    *out = c;
    return 0;
}

static int decertify_body(b2b2c_dealer_engine *e, const cert_in *in)
{
    cert *c = NULL;
    int rc;
    if ((rc = find_cert(e, in, &c)) != 0 ||
        (rc = cert_put(e, c->key, c->klen, c->since, in->now, 1, NULL)))
        return rc;
    return write_cert(e, c);
}

int b2b2c_dealer_decertify(b2b2c_dealer_engine *e, const char *dealer_id,
                           int32_t service, const char *product_line,
                           int64_t now)
{
    cert_in in;
    int rc;
    CHECK_E(e);
    if ((rc = cert_arg(e->ctx, &in, dealer_id, service, product_line, now)))
        return rc;
    B2B2C__CALL(rc, e->ctx, e, decertify_body(e, &in));
    return rc;
}

int b2b2c_dealer_certified(int64_t *since_out, b2b2c_dealer_engine *e,
                           const char *dealer_id, int32_t service,
                           const char *product_line, int64_t now)
{
    cert_in in;
    const cert *c = NULL;
    dealer *d;
    int rc;
    CHECK_E(e);
    if ((rc = cert_arg(e->ctx, &in, dealer_id, service, product_line,
                       now)) != 0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0 ||
        (rc = b2b2c__dealer_find_dealer(e, dealer_id, in.dn, &d)) != 0)
        return rc;
    if (in.pl)
        c = cert_at(e, d->idx, in.service, in.prod, in.pl, now);
    if (!c)
        c = cert_at(e, d->idx, in.service, "", 0, now);
    if (!c)
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND,
                          "dealer_id: dealer '%s' is not certified for %s "
                          "on product line '%s' at now",
                          dealer_id, SERVICE_NAMES[in.service], in.prod);
    if (since_out)
        *since_out = c->since;
    return 0;
}
