/* SPDX-License-Identifier: MIT */
/*
 * The public API on leads: route, accept, decline, expire, recall,
 * outcome, lead state.
 */
#include "dealer_int.h"

/* ---- leads ----------------------------------------------------------- */

/* Lead `id` (n bytes, checked by b2b2c__dealer_id_arg before the call's
 * transaction), or B2B2C_ENOTFOUND. */
int b2b2c__dealer_find_lead(b2b2c_dealer_engine *e, const char *id, size_t n,
                            lead **out)
{
    *out = b2b2c__map_get(&e->leads, id, n);
    if (!*out)
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND, "lead_id: no lead '%s'",
                          id);
    return 0;
}

/* An ID argument's own checks, made before the call's transaction (the
 * lookup is in the call's body); its length in *n. */
int b2b2c__dealer_id_arg(b2b2c_ctx *ctx, const char *what, const char *id,
                         size_t *n)
{
    if (!id)
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must not be NULL", what);
    if (b2b2c__id_check(id, n))
        return b2b2c__err(ctx, B2B2C_EBADID, "%s: not a valid ID", what);
    return 0;
}

static int nodealer(b2b2c_dealer_engine *e, const lead *l, int32_t reason)
{
    return b2b2c__err(e->ctx, B2B2C_ENODEALER,
                      "lead '%s': no eligible dealer (%s)", l->id,
                      b2b2c_dealer_reason_name(reason));
}

/* A route's lead, its arguments checked. */
typedef struct route_in {
    const char *id, *region, *product;
    size_t n, rl, pl;
    uint64_t lh; /* the ID's hash */
    int32_t has_loc, segment, band;
    double lat, lon;
    int64_t now;
    const void *ck; /* the customer key (route_customer), or NULL */
    size_t cklen;
    int32_t service; /* route_service: B2B2C_DEALER_SERVICE_*, else 0 */
    /* with ck: the owner map key of (ck, product), its length and hash
     * (computed and its slot prefetched before the call's transaction) */
    size_t okl;
    uint64_t oh;
    unsigned char okey[OWNER_KEY_MAX];
} route_in;

/* Decide for lead l: the customer's owner when eligible, else the
 * policy (dc->owner says why the owner was skipped; decide leaves it
 * NONE). A lead left unrouted is decided with the customer key and
 * product line it was first routed with, when it has a key. */
static inline void route_decide(b2b2c_dealer_engine *e, const route_in *in,
                                const lead *l, decision *dc)
{
    int32_t os;
    uint32_t od;
    if (l->cklen) {
        b2b2c__dealer_decide_customer(e, l, lead_ck(l), l->cklen, in->now,
                                      dc);
        return;
    }
    if (!in->ck) {
        b2b2c__dealer_decide(e, l, in->now, dc);
        return;
    }
    if (l->product != in->product && strcmp(l->product, in->product)) {
        /* an unrouted lead stored with another product line: its own */
        b2b2c__dealer_decide_customer(e, l, in->ck, in->cklen, in->now, dc);
        return;
    }
    od = NONE32;
    os = b2b2c__dealer_owner_decide(e, l, in->okey, in->okl, in->oh, in->now,
                                    dc, &od);
    if (os == B2B2C_DEALER_OWNER_CHOSEN)
        return;
    b2b2c__dealer_decide(e, l, in->now, dc);
    dc->owner = os;
    dc->odealer = os == B2B2C_DEALER_OWNER_NONE ? NONE32 : od;
}

/* route_body and route are inlined into both public routes, so that a
 * plain route pays no call for the customer's one (thirteen arguments). */
#if defined(__GNUC__)
#define ROUTE_INLINE __attribute__((always_inline)) inline
#else
#define ROUTE_INLINE inline
#endif
static ROUTE_INLINE int route_body(b2b2c_dealer_engine *e,
                                   const route_in *in, decision *dc,
                                   int32_t *reason)
{
    b2b2c_ctx *ctx = e->ctx;
    size_t n = in->n, rl = in->rl, pl = in->pl;
    int64_t now = in->now;
    lead *l, tl;
    b2b2c__rng rng0, rng1;
    int rc, created;
    /* Decide first, as for a new lead (no declined dealers), so that the
     * chosen dealer's struct and the lead's map slot load together; an
     * unrouted lead found by the lookup is decided again from the same
     * generator state. The decision changes nothing but the generator
     * (and derived caches), restored here until the undo log holds it. */
    rng0 = e->m.rng;
    tl.region = in->region;
    tl.product = in->product;
    tl.has_loc = in->has_loc;
    tl.lat = in->lat;
    tl.lon = in->lon;
    tl.ntried = 0;
    tl.tried = NULL;
    tl.service = (uint8_t)in->service;
    tl.cklen = 0;
    route_decide(e, in, &tl, dc);
    if (dc->elig)
        offer_prefetch(e, dc->chosen);
    l = b2b2c__map_get_h(&e->leads, in->lh, in->id, n);
    rng1 = e->m.rng;
    e->m.rng = rng0;
    if (l && l->m.state != B2B2C_DEALER_LEAD_UNROUTED)
        return b2b2c__err(ctx, B2B2C_EEXISTS,
                          "lead_id: lead '%s' was already routed", in->id);
    if (l && in->service && l->service != in->service)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "service: lead '%s' was first routed as %s",
                          in->id,
                          l->service ? b2b2c_dealer_service_name(l->service)
                                     : "no service request");
    if (l && (rc = b2b2c__check_not_before(ctx, now, "now", l->created,
                                           "the first routing of lead",
                                           in->id)) != 0)
        return rc;
    if ((rc = b2b2c__dealer_save_emut(e)) != 0)
        return rc;
    if (!l) {
        e->m.rng = rng1;
        /* the customer key goes with the lead, for its re-routes */
        size_t ckl = in->ck ? in->cklen : 0;
        l = b2b2c__malloc(ctx, sizeof(*l) + n + rl + pl + 3 + ckl);
        if (!l)
            return oom(ctx);
        memset(l, 0, sizeof(*l));
        l->idlen = n;
        memcpy(l->id, in->id, n + 1);
        memcpy(l->id + n + 1, in->region, rl + 1);
        memcpy(l->id + n + rl + 2, in->product, pl + 1);
        if (ckl)
            memcpy(l->id + n + rl + pl + 3, in->ck, ckl);
        l->cklen = (uint8_t)ckl;
        l->region = l->id + n + 1;
        l->product = l->id + n + rl + 2;
        l->has_loc = in->has_loc;
        l->lat = in->has_loc ? in->lat : 0;
        l->lon = in->has_loc ? in->lon : 0;
        l->segment = in->segment;
        l->band = in->band;
        l->service = (uint8_t)in->service;
        l->created = now;
        l->heap_pos = NOPOS;
        l->afirst = l->alast = NONE32;
        l->m.dealer = NONE32;
        if ((rc = b2b2c__undo_free_on_fail(ctx, l)) != 0) {
            b2b2c__free(ctx, l);
            return rc;
        }
        created = 1;
    } else if ((rc = b2b2c__dealer_snap(e, &l->m, sizeof(l->m))) != 0) {
        return rc;
    } else {
        created = 0; /* an unrouted lead: state UNROUTED, never 0 */
        route_decide(e, in, l, dc);
        if (dc->elig)
            offer_prefetch(e, dc->chosen);
    }
    *reason = dc->reason;
    if (created && (dc->elig || e->param[P_DIRECT] > 0) &&
        (rc = b2b2c__map_insert_undoable_h(ctx, &e->leads, in->lh, l->id, n,
                                           l)))
        return rc;
    if (dc->elig) {
        if ((rc = b2b2c__dealer_offer(e, l, dc, now, B2B2C_DEALER_KIND_ROUTE,
                                      created)))
            return rc;
    } else if (e->param[P_DIRECT] > 0) {
        dc->reason = *reason = B2B2C_DEALER_REASON_DIRECT;
        l->m.state = B2B2C_DEALER_LEAD_DIRECT;
        l->m.dealer = NONE32;
        e->m.seq++;
        if ((rc = b2b2c__dealer_aud_append(
                 e, l, dc, now, B2B2C_DEALER_KIND_ROUTE, created)) != 0)
            return rc;
    } else {
        return nodealer(e, l, dc->reason);
    }
    /* a new lead is stored inside its audit record */
    return created ? 0 : b2b2c__dealer_write_lead(e, l);
}

/* b2b2c_dealer_route and _route_customer: in holds the customer key,
 * the rest of it is filled here. */
static ROUTE_INLINE int route(const char **dealer_out, int32_t *reason_out,
                 b2b2c_dealer_engine *e, route_in *ip, const char *lead_id,
                 const char *region, int32_t has_location, double lat,
                 double lon, const char *product_line, int32_t segment,
                 int32_t band, int64_t now)
{
    b2b2c_ctx *ctx = e->ctx;
    route_in *const in = ip;
    decision dc;
    int rc;
    int32_t reason = B2B2C_DEALER_REASON_ROUTED;
    if (!dealer_out || !lead_id || !region)
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must not be NULL",
                          !dealer_out ? "dealer_out"
                                      : !lead_id ? "lead_id" : "region");
    if (!product_line)
        product_line = "";
    if (b2b2c__id_check(lead_id, &in->n))
        return b2b2c__err(ctx, B2B2C_EBADID, "lead_id: not a valid ID");
    /* the lead's map slot is a cache miss: start it before the other
     * checks (lookup below, insert of a new lead after the decision) */
    in->lh = b2b2c__map_keyhash(lead_id, in->n);
    b2b2c__map_prefetch_h(&e->leads, in->lh);
    in->rl = strlen(region);
    if (!b2b2c__dealer_code_ok(region, in->rl))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "region: not a valid region code");
    in->pl = strlen(product_line);
    if (in->pl && b2b2c__id_check(product_line, NULL))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "product_line: not a valid ID");
    if (in->ck) { /* the owner's slot: one probe, its load started here */
        in->okl = owner_key(in->okey, in->ck, in->cklen, product_line,
                            in->pl);
        in->oh = b2b2c__map_keyhash(in->okey, in->okl);
        b2b2c__map_prefetch_h(&e->owners, in->oh);
    }
    if (has_location != 0 && has_location != 1)
        return b2b2c__err(ctx, B2B2C_EINVAL, "has_location: must be 0 or 1");
    if (has_location) {
        if (!finite(lat) || !finite(lon))
            return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must be finite",
                              finite(lat) ? "lon" : "lat");
        if (lat < -90 || lat > 90 || lon < -180 || lon > 180)
            return b2b2c__err(ctx, B2B2C_ERANGE, "%s: out of range",
                              lat < -90 || lat > 90 ? "lat" : "lon");
    }
    if ((rc = check_now(ctx, now)) != 0)
        return rc;
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_ERANGE, "segment: unknown value %d",
                          (int)segment);
    if (!b2b2c_band_name(band))
        return b2b2c__err(ctx, B2B2C_ERANGE, "band: unknown value %d",
                          (int)band);
    in->id = lead_id;
    in->region = region;
    in->product = product_line;
    in->has_loc = has_location;
    in->lat = lat;
    in->lon = lon;
    in->segment = segment;
    in->band = band;
    in->now = now;
    B2B2C__CALL(rc, ctx, e, route_body(e, in, &dc, &reason));
    /* outputs only on success, and the reason also with ENODEALER (it says
     * why nobody was eligible) */
    if (rc == 0)
        *dealer_out = dc.elig ? e->dealers[dc.chosen]->id : NULL;
    if (reason_out && (rc == 0 || rc == B2B2C_ENODEALER))
        *reason_out = reason;
    return rc;
}

int b2b2c_dealer_route(const char **dealer_out, int32_t *reason_out,
                       b2b2c_dealer_engine *e, const char *lead_id,
                       const char *region, int32_t has_location, double lat,
                       double lon, const char *product_line, int32_t segment,
                       int32_t band, int64_t now)
{
    route_in in;
    CHECK_E(e);
    in.ck = NULL;
    in.cklen = 0;
    in.service = 0;
    return route(dealer_out, reason_out, e, &in, lead_id, region,
                 has_location, lat, lon, product_line, segment, band, now);
}

int b2b2c_dealer_route_customer(
    const char **dealer_out, int32_t *reason_out, b2b2c_dealer_engine *e,
    const char *lead_id, const void *customer_key, size_t key_len,
    const char *region, int32_t has_location, double lat, double lon,
    const char *product_line, int32_t segment, int32_t band, int64_t now)
{
    route_in in;
    int rc;
    CHECK_E(e);
    if ((rc = b2b2c__dealer_customer_arg(e->ctx, customer_key, key_len)))
        return rc;
    in.ck = customer_key;
    in.cklen = key_len;
    in.service = 0;
    return route(dealer_out, reason_out, e, &in, lead_id, region,
                 has_location, lat, lon, product_line, segment, band, now);
}

/* A service request (dealer_service.c): the lead carries its service
 * kind, which decide's service filter reads. */
int b2b2c_dealer_route_service(
    const char **dealer_out, int32_t *reason_out, b2b2c_dealer_engine *e,
    const char *lead_id, int32_t service, const void *customer_key,
    size_t key_len, const char *region, int32_t has_location, double lat,
    double lon, const char *product_line, int32_t segment, int32_t band,
    int64_t now)
{
    route_in in;
    int rc;
    CHECK_E(e);
    if (!b2b2c_dealer_service_name(service))
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "service: unknown service kind %d", (int)service);
    if (customer_key || key_len) {
        if ((rc = b2b2c__dealer_customer_arg(e->ctx, customer_key,
                                             key_len)) != 0)
            return rc;
        in.ck = customer_key;
    } else {
        in.ck = NULL;
    }
    in.cklen = key_len;
    in.service = service;
    return route(dealer_out, reason_out, e, &in, lead_id, region,
                 has_location, lat, lon, product_line, segment, band, now);
}

/* Common checks of accept/decline: lead offered to this dealer. */
/* The lead and dealer IDs of accept and decline, checked, with their
 * lengths. */
typedef struct pair_in {
    const char *lead, *dealer;
    size_t ln, dn;
} pair_in;

static int pair_arg(b2b2c_ctx *ctx, pair_in *in, const char *lead_id,
                    const char *dealer_id)
{
    int rc = b2b2c__dealer_id_arg(ctx, "lead_id", lead_id, &in->ln);
    if (rc == 0)
        rc = b2b2c__dealer_id_arg(ctx, "dealer_id", dealer_id, &in->dn);
    in->lead = lead_id;
    in->dealer = dealer_id;
    return rc;
}

static int offered_to(b2b2c_dealer_engine *e, const pair_in *in, int64_t now,
                      lead **lo, dealer **dout)
{
    const char *lead_id = in->lead, *dealer_id = in->dealer;
    int rc;
    if ((rc = b2b2c__dealer_find_lead(e, lead_id, in->ln, lo)) != 0 ||
        (rc = b2b2c__dealer_find_dealer(e, dealer_id, in->dn, dout)) != 0)
        return rc;
    if ((*lo)->m.dealer != (*dout)->idx)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead '%s' is not offered to dealer '%s'", lead_id,
                          dealer_id);
    if ((*lo)->m.state != B2B2C_DEALER_LEAD_OFFERED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead '%s' is not waiting for an answer (state %d)",
                          lead_id, (int)(*lo)->m.state);
    if ((*lo)->m.deadline <= now)
        return b2b2c__err(e->ctx, B2B2C_EEXPIRED,
                          "lead '%s': the deadline passed", lead_id);
    return b2b2c__check_not_before(e->ctx, now, "now", (*lo)->m.offered_at,
                                   "the offer of lead", lead_id);
}

static int accept_body(b2b2c_dealer_engine *e, const pair_in *in,
                       int64_t now)
{
    lead *l;
    dealer *d;
    int rc;
    if ((rc = offered_to(e, in, now, &l, &d)) != 0 ||
        (rc = b2b2c__dealer_snap(e, &l->m, sizeof(l->m))) != 0 ||
        (rc = b2b2c__dealer_snap(e, &d->st, sizeof(d->st))) != 0 ||
        (rc = b2b2c__dealer_heap_remove(e, l)) != 0)
        return rc;
    l->m.state = B2B2C_DEALER_LEAD_ACCEPTED;
    l->m.accepted_at = now;
    d->st.accepted++;
    if ((rc = b2b2c__dealer_write_lead(e, l)) == 0)
        rc = b2b2c__dealer_write_stats(e, d);
    return rc;
}

int b2b2c_dealer_accept(b2b2c_dealer_engine *e, const char *lead_id,
                        const char *dealer_id, int64_t now)
{
    pair_in in;
    int rc;
    CHECK_E(e);
    if ((rc = check_now(e->ctx, now)) != 0 ||
        (rc = pair_arg(e->ctx, &in, lead_id, dealer_id)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e, accept_body(e, &in, now));
    return rc;
}

static int decline_body(b2b2c_dealer_engine *e, const pair_in *in,
                        int32_t reason, int64_t now, decision *dc)
{
    lead *l;
    dealer *d;
    int rc;
    memset(dc, 0, sizeof *dc);
    if ((rc = offered_to(e, in, now, &l, &d)) != 0 ||
        (rc = b2b2c__dealer_save_emut(e)) != 0 ||
        (rc = b2b2c__dealer_snap(e, &l->m, sizeof(l->m))) != 0 ||
        (rc = b2b2c__dealer_mirror_guard(e, d)) != 0 ||
        (rc = b2b2c__dealer_snap(e, &d->st, sizeof(d->st))) != 0 ||
        (rc = b2b2c__dealer_heap_remove(e, l)) != 0 ||
        (rc = b2b2c__dealer_add_tried(e, l, d->idx)) != 0)
        return rc;
    d->st.declined++;
    d->st.decl[reason]++;
    d->st.open--;
    b2b2c__dealer_mirror_sync(e, d);
    e->m.net_resolved++;
    if ((rc = b2b2c__dealer_write_stats(e, d)) != 0 ||
        (rc = b2b2c__dealer_reroute(e, l, now, B2B2C_DEALER_KIND_DECLINE,
                                    dc)) != 0)
        return rc;
    return b2b2c__dealer_write_lead(e, l);
}

int b2b2c_dealer_decline(const char **dealer_out, int32_t *reason_out,
                         b2b2c_dealer_engine *e, const char *lead_id,
                         const char *dealer_id, int32_t reason, int64_t now)
{
    decision dc;
    pair_in in;
    int rc;
    CHECK_E(e);
    if (!dealer_out)
        return b2b2c__err(e->ctx, B2B2C_EINVAL,
                          "dealer_out: must not be NULL");
    if (reason < 0 || reason >= NDECL)
        return b2b2c__err(e->ctx, B2B2C_ERANGE, "reason: must be in [0, 7]");
    if ((rc = check_now(e->ctx, now)) != 0 ||
        (rc = pair_arg(e->ctx, &in, lead_id, dealer_id)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e, decline_body(e, &in, reason, now, &dc));
    if (rc == 0) {
        *dealer_out = dc.elig ? e->dealers[dc.chosen]->id : NULL;
        if (reason_out)
            *reason_out = dc.reason;
    }
    return rc;
}

/* Expire the offers due at `now`, re-routing each; what happened to each
 * in e->ex (for the callbacks after the commit). */
static int expire_body(b2b2c_dealer_engine *e, int64_t now)
{
    b2b2c_ctx *ctx = e->ctx;
    int rc;
    e->nex = 0;
    if (e->nheap && e->heap[0].deadline <= now &&
        (rc = b2b2c__dealer_save_emut(e)))
        return rc;
    while (e->nheap && e->heap[0].deadline <= now) {
        lead *l = e->heap[0].l;
        dealer *d = e->dealers[l->m.dealer];
        decision dc;
        if (e->nex == e->capex &&
            b2b2c__grow(&ctx->mem, (void **)&e->ex, &e->capex, e->nex + 1,
                        sizeof(*e->ex)))
            return oom(ctx);
        if ((rc = b2b2c__dealer_snap(e, &l->m, sizeof(l->m))) != 0 ||
            (rc = b2b2c__dealer_mirror_guard(e, d)) != 0 ||
            (rc = b2b2c__dealer_snap(e, &d->st, sizeof(d->st))) != 0 ||
            (rc = b2b2c__dealer_heap_remove(e, l)) != 0 ||
            (rc = b2b2c__dealer_add_tried(e, l, d->idx | TRIED_EXPIRED)) != 0)
            return rc;
        d->st.expired++;
        d->st.open--;
        b2b2c__dealer_mirror_sync(e, d);
        e->m.net_resolved++;
        if ((rc = b2b2c__dealer_write_stats(e, d)) != 0 ||
            (rc = b2b2c__dealer_reroute(e, l, now, B2B2C_DEALER_KIND_EXPIRE,
                                        &dc)) != 0 ||
            (rc = b2b2c__dealer_write_lead(e, l)) != 0)
            return rc;
        e->ex[e->nex].l = l;
        e->ex[e->nex].from = d->idx;
        e->ex[e->nex].to = dc.elig ? dc.chosen : NONE32;
        e->ex[e->nex].reason = dc.reason;
        e->nex++;
    }
    return 0;
}

int b2b2c_dealer_expire(size_t *count_out, b2b2c_dealer_engine *e,
                        int64_t now, b2b2c_dealer_reroute_cb cb,
                        void *payload)
{
    b2b2c_ctx *ctx;
    int rc;
    CHECK_E(e);
    ctx = e->ctx;
    if ((rc = check_now(ctx, now)) != 0)
        return rc;
    B2B2C__CALL(rc, ctx, e, expire_body(e, now));
    if (rc)
        return rc;
    if (cb) {
        /* committed; callbacks may not call mutating functions */
        b2b2c__cb_enter(ctx);
        for (size_t i = 0; i < e->nex && rc == 0; i++) {
            const expiry *x = &e->ex[i];
            rc = cb(x->l->id, e->dealers[x->from]->id,
                    x->to == NONE32 ? NULL : e->dealers[x->to]->id, x->reason,
                    payload);
        }
        b2b2c__cb_leave(ctx);
    }
    if (rc == 0 && count_out) /* written only on success */
        *count_out = e->nex;
    return rc;
}


int b2b2c__dealer_recall_offer(b2b2c_dealer_engine *e, lead *l, int64_t at)
{
    dealer *d = e->dealers[l->m.dealer];
    int rc;
    if ((rc = b2b2c__dealer_snap(e, &l->m, sizeof(l->m))) != 0 ||
        (rc = b2b2c__dealer_mirror_guard(e, d)) != 0 ||
        (rc = b2b2c__dealer_snap(e, &d->st, sizeof(d->st))) != 0 ||
        (rc = b2b2c__dealer_heap_remove(e, l)) != 0)
        return rc;
    l->m.state = B2B2C_DEALER_LEAD_RECALLED;
    l->m.closed_at = at;
    d->st.recalled++;
    d->st.open--;
    b2b2c__dealer_mirror_sync(e, d);
    return b2b2c__dealer_write_stats(e, d);
}

static int recall_body(b2b2c_dealer_engine *e, const char *lead_id,
                       size_t n, int64_t now)
{
    lead *l;
    int rc;
    if ((rc = b2b2c__dealer_find_lead(e, lead_id, n, &l)) != 0)
        return rc;
    if (l->m.state != B2B2C_DEALER_LEAD_OFFERED &&
        l->m.state != B2B2C_DEALER_LEAD_ACCEPTED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead '%s' is not with a dealer (state %d)",
                          lead_id, (int)l->m.state);
    /* an offer an older build dated past the range is recalled at any
     * time: the recall is how such a lead is repaired */
    if (b2b2c__time_ok(l->m.offered_at) &&
        (rc = b2b2c__check_not_before(e->ctx, now, "now", l->m.offered_at,
                                      "the offer of lead", lead_id)))
        return rc;
    if ((rc = b2b2c__dealer_recall_offer(e, l, now)) != 0)
        return rc;
    return b2b2c__dealer_write_lead(e, l);
}

int b2b2c_dealer_recall(b2b2c_dealer_engine *e, const char *lead_id,
                        int64_t now)
{
    size_t n;
    int rc;
    CHECK_E(e);
    if ((rc = check_now(e->ctx, now)) != 0 ||
        (rc = b2b2c__dealer_id_arg(e->ctx, "lead_id", lead_id, &n)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e, recall_body(e, lead_id, n, now));
    return rc;
}

static int outcome_body(b2b2c_dealer_engine *e, const char *lead_id,
                        size_t n, int32_t won, double revenue, int64_t now)
{
    lead *l;
    dealer *d;
    int rc;
    if ((rc = b2b2c__dealer_find_lead(e, lead_id, n, &l)) != 0)
        return rc;
    if (l->m.state != B2B2C_DEALER_LEAD_ACCEPTED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead '%s' is not accepted by a dealer (state %d)",
                          lead_id, (int)l->m.state);
    if ((rc = b2b2c__check_not_before(e->ctx, now, "now", l->m.accepted_at,
                                      "the accept of lead", lead_id)))
        return rc;
    d = e->dealers[l->m.dealer];
    if ((rc = b2b2c__dealer_save_emut(e)) != 0 ||
        (rc = b2b2c__dealer_snap(e, &l->m, sizeof(l->m))) != 0 ||
        (rc = b2b2c__dealer_mirror_guard(e, d)) != 0 ||
        (rc = b2b2c__dealer_snap(e, &d->st, sizeof(d->st))) != 0)
        return rc;
    l->m.state = won ? B2B2C_DEALER_LEAD_WON : B2B2C_DEALER_LEAD_LOST;
    l->m.closed_at = now;
    l->m.revenue = revenue;
    if (won)
        d->st.won++;
    else
        d->st.lost++;
    d->st.revenue += revenue;
    d->st.open--;
    b2b2c__dealer_mirror_sync(e, d);
    e->m.net_won += (uint64_t)won;
    e->m.net_resolved++;
    if ((rc = b2b2c__dealer_write_lead(e, l)) == 0)
        rc = b2b2c__dealer_write_stats(e, d);
    return rc;
}

int b2b2c_dealer_outcome(b2b2c_dealer_engine *e, const char *lead_id,
                         int32_t won, double revenue, int64_t now)
{
    size_t n;
    int rc;
    CHECK_E(e);
    if (!finite(revenue))
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "revenue: must be finite");
    if (won != 0 && won != 1)
        return b2b2c__err(e->ctx, B2B2C_ERANGE, "won: must be 0 or 1");
    if (revenue < 0 || revenue > B2B2C_AMOUNT_MAX || (!won && revenue != 0))
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "revenue: must be in [0, 1e15] and 0 when lost");
    if ((rc = check_now(e->ctx, now)) != 0 ||
        (rc = b2b2c__dealer_id_arg(e->ctx, "lead_id", lead_id, &n)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e,
                outcome_body(e, lead_id, n, won, revenue, now));
    return rc;
}

int b2b2c_dealer_lead_state(int32_t *state_out, const char **dealer_out,
                            b2b2c_dealer_engine *e, const char *lead_id)
{
    lead *l;
    size_t n;
    int rc;
    CHECK_E(e);
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "lead_id", lead_id, &n)) != 0 ||
        (rc = b2b2c__sync_read(e->ctx)) != 0)
        return rc;
    if (!(l = b2b2c__map_get(&e->leads, lead_id, n))) {
        /* closed (dealer_close.c): from its stored record */
        int32_t st;
        uint32_t di;
        if ((rc = b2b2c__dealer_closed_get(e, lead_id, n, &st, &di)) < 0)
            return rc;
        if (rc == 0)
            return b2b2c__dealer_find_lead(e, lead_id, n, &l);
        if (state_out)
            *state_out = st;
        if (dealer_out)
            *dealer_out = di == NONE32 ? NULL : e->dealers[di]->id;
        return 0;
    }
    if (state_out)
        *state_out = l->m.state;
    if (dealer_out)
        *dealer_out =
            l->m.dealer == NONE32 ? NULL : e->dealers[l->m.dealer]->id;
    return 0;
}

