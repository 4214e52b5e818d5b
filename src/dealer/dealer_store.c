/* SPDX-License-Identifier: MIT */
/*
 * Persistence: the records written through to the tables, the undo
 * snapshot stack, and loading an engine from its tables.
 */
#include "dealer_int.h"

/* ---- records --------------------------------------------------------- */

int b2b2c__dealer_write_dealer(b2b2c_dealer_engine *e, const dealer *d)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_u32(&w, d->idx);
    b2b2c__enc_f64(&w, d->cfg.tier);
    b2b2c__enc_str(&w, d->cfg.terr);
    b2b2c__enc_str(&w, d->cfg.prods);
    b2b2c__enc_u32(&w, (uint32_t)d->cfg.capacity);
    b2b2c__enc_u32(&w, (uint32_t)d->cfg.quota);
    b2b2c__enc_f64(&w, d->cfg.deadline_h);
    b2b2c__enc_u8(&w, (uint8_t)d->cfg.status);
    b2b2c__enc_i64(&w, d->cfg.paused_until);
    b2b2c__enc_u8(&w, (uint8_t)d->cfg.has_loc);
    b2b2c__enc_f64(&w, d->cfg.lat);
    b2b2c__enc_f64(&w, d->cfg.lon);
    b2b2c__enc_f64(&w, d->cfg.radius);
    return b2b2c__st_put_rec(e->ctx, T_DEALERS, d->id, d->idlen, &w);
}

int b2b2c__dealer_write_stats(b2b2c_dealer_engine *e, const dealer *d)
{
    b2b2c__wbuf w;
    const dstats *s = &d->st;
    b2b2c__enc_begin(&w, &e->ctx->mem, 2);
    b2b2c__enc_u64(&w, s->offered);
    b2b2c__enc_u64(&w, s->accepted);
    b2b2c__enc_u64(&w, s->declined);
    b2b2c__enc_u64(&w, s->expired);
    b2b2c__enc_u64(&w, s->won);
    b2b2c__enc_u64(&w, s->lost);
    b2b2c__enc_u64(&w, s->recalled);
    b2b2c__enc_u64(&w, s->open);
    b2b2c__enc_f64(&w, s->revenue);
    for (int i = 0; i < NDECL; i++)
        b2b2c__enc_u64(&w, s->decl[i]);
    b2b2c__enc_i64(&w, s->day_idx);
    b2b2c__enc_u64(&w, s->day_offers);
    b2b2c__enc_i64(&w, s->period_idx);
    b2b2c__enc_u64(&w, s->period_offers);
    b2b2c__enc_u64(&w, s->last_offer_seq);
    /* version 2: the decision number the record is as of; the offers made
     * to the dealer after it are in their audit records (see offer) */
    b2b2c__enc_u64(&w, e->m.seq);
    return b2b2c__st_put_rec(e->ctx, T_STATS, d->id, d->idlen, &w);
}

/* A lead's attributes and state, as the lead and audit records carry
 * them (decoded by dec_lead_attrs). */
static void enc_lead_attrs(b2b2c__wbuf *w, const lead *l)
{
    b2b2c__enc_i64(w, l->created);
    b2b2c__enc_str(w, l->region);
    b2b2c__enc_str(w, l->product);
    b2b2c__enc_u8(w, (uint8_t)l->has_loc);
    b2b2c__enc_f64(w, l->lat);
    b2b2c__enc_f64(w, l->lon);
    b2b2c__enc_u32(w, (uint32_t)l->segment);
    b2b2c__enc_u32(w, (uint32_t)l->band);
    b2b2c__enc_u8(w, (uint8_t)l->m.state);
}

int b2b2c__dealer_write_lead(b2b2c_dealer_engine *e, const lead *l)
{
    return b2b2c__dealer_write_lead_to(e, l, T_LEADS, 1);
}

int b2b2c__dealer_write_lead_to(b2b2c_dealer_engine *e, const lead *l,
                                const char *table, int withkey)
{
    b2b2c__wbuf w;
    int ck = withkey && l->cklen;
    /* version 2 (1.1): the customer key follows, for a lead routed with
     * one; a lead without is version 1 as before */
    b2b2c__enc_begin(&w, &e->ctx->mem, ck ? 2 : 1);
    enc_lead_attrs(&w, l);
    b2b2c__enc_str(&w, l->m.dealer == NONE32 ? ""
                                             : e->dealers[l->m.dealer]->id);
    b2b2c__enc_i64(&w, l->m.offered_at);
    b2b2c__enc_i64(&w, l->m.deadline);
    b2b2c__enc_i64(&w, l->m.accepted_at);
    b2b2c__enc_i64(&w, l->m.closed_at);
    b2b2c__enc_f64(&w, l->m.revenue);
    b2b2c__enc_u64(&w, l->m.offer_seq);
    b2b2c__enc_u32(&w, l->ntried);
    for (uint32_t i = 0; i < l->ntried; i++) {
        b2b2c__enc_str(&w, e->dealers[l->tried[i] & ~TRIED_EXPIRED]->id);
        b2b2c__enc_u8(&w, (l->tried[i] & TRIED_EXPIRED) ? 1 : 0);
    }
    if (ck)
        b2b2c__enc_bytes(&w, lead_ck(l), l->cklen);
    return b2b2c__st_put_rec(e->ctx, table, l->id, l->idlen, &w);
}

int b2b2c__dealer_write_state(b2b2c_dealer_engine *e)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_u32(&w, NPARAM);
    for (int i = 0; i < NPARAM; i++)
        b2b2c__enc_f64(&w, e->param[i]);
    b2b2c__enc_u64(&w, e->m.seq);
    for (int i = 0; i < 4; i++)
        b2b2c__enc_u64(&w, e->m.rng.s[i]);
    return b2b2c__st_put_rec(e->ctx, T_STATE, "engine", 6, &w);
}

/* ---- decoding: one decoder per record, for the load and for refresh ---- */

static int corrupt(b2b2c_dealer_engine *e, const char *table, const void *k,
                   size_t kl, int rc, const char *why)
{
    if (!rc)
        rc = B2B2C_ECORRUPT;
    return why ? b2b2c__err_corrupt(e->ctx, rc, table, k, kl, "%s", why)
               : b2b2c__err_corrupt(e->ctx, rc, table, k, kl, NULL);
}

/* A record that could not be taken: out of memory, or corrupt. */
static int dec_fail(b2b2c_dealer_engine *e, const char *table, const void *k,
                    size_t kl, int rc)
{
    return rc == B2B2C_ENOMEM ? oom(e->ctx)
                              : corrupt(e, table, k, kl, rc, NULL);
}

/* Copy a decoded string into a NUL-terminated buffer of `cap` bytes. */
static int dec_strbuf(b2b2c__rbuf *r, char *buf, size_t cap)
{
    size_t n;
    const void *p = b2b2c__dec_bytes(r, &n);
    if (!p || n >= cap)
        return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 0;
}

static dealer *dealer_by_bytes(b2b2c_dealer_engine *e, const void *p,
                               size_t n)
{
    return n ? b2b2c__map_get(&e->dmap, p, n) : NULL;
}

int b2b2c__dealer_dec_state(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const void *v, size_t vl, dstate *out)
{
    b2b2c__rbuf r;
    uint32_t n;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(e, T_STATE, k, kl, rc, NULL);
    b2b2c__param_defaults(DEALER_PARAM_BASE, out->param);
    n = b2b2c__dec_u32(&r);
    if (n > NPARAM)
        return corrupt(e, T_STATE, k, kl, 0, "too many parameters");
    for (uint32_t i = 0; i < n; i++) {
        double x = b2b2c__dec_f64(&r);
        if (!b2b2c__param_valid(
                b2b2c__param_find(DEALER_PARAM_BASE + (int32_t)i), x))
            return corrupt(e, T_STATE, k, kl, 0, "parameter out of range");
        out->param[i] = x;
    }
    out->seq = b2b2c__dec_u64(&r);
    for (int i = 0; i < 4; i++)
        out->rng.s[i] = b2b2c__dec_u64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(e, T_STATE, k, kl, rc, NULL);
    return 0;
}

/* A dealer record as a new dealer struct (in no map; its product lines
 * interned, undoably or not). */
int b2b2c__dealer_dec_dealer(b2b2c_dealer_engine *e, const void *k, size_t kl,
                             const void *v, size_t vl, int undoable,
                             dealer **out)
{
    b2b2c_ctx *ctx = e->ctx;
    b2b2c__rbuf r;
    dealer *d;
    const void *s;
    size_t n;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(e, T_DEALERS, k, kl, rc, NULL);
    if (kl == 0 || kl > B2B2C__ID_MAX)
        return corrupt(e, T_DEALERS, k, kl, 0, "bad key");
    d = b2b2c__malloc(ctx, sizeof(*d) + kl + 1);
    if (!d)
        return oom(ctx);
    memset(d, 0, sizeof(*d));
    d->idlen = kl;
    memcpy(d->id, k, kl);
    d->id[kl] = '\0';
    d->afirst = d->alast = NONE32;
    d->idx = b2b2c__dec_u32(&r);
    d->cfg.tier = b2b2c__dec_f64(&r);
    s = b2b2c__dec_bytes(&r, &n);
    if (s && (d->cfg.terr = b2b2c__malloc(ctx, n + 1)) != NULL) {
        memcpy(d->cfg.terr, s, n);
        d->cfg.terr[n] = '\0';
    }
    s = b2b2c__dec_bytes(&r, &n);
    if (s && (d->cfg.prods = b2b2c__malloc(ctx, n + 1)) != NULL) {
        memcpy(d->cfg.prods, s, n);
        d->cfg.prods[n] = '\0';
    }
    d->cfg.capacity = (int32_t)b2b2c__dec_u32(&r);
    d->cfg.quota = (int32_t)b2b2c__dec_u32(&r);
    d->cfg.deadline_h = b2b2c__dec_f64(&r);
    d->cfg.status = b2b2c__dec_u8(&r);
    d->cfg.paused_until = b2b2c__dec_i64(&r);
    d->cfg.has_loc = b2b2c__dec_u8(&r);
    d->cfg.lat = b2b2c__dec_f64(&r);
    d->cfg.lon = b2b2c__dec_f64(&r);
    d->cfg.radius = b2b2c__dec_f64(&r);
    d->cfg.one_terr = d->cfg.terr && one_code(d->cfg.terr);
    rc = b2b2c__dec_finish(&r);
    if (!rc && (!d->cfg.terr || !d->cfg.prods))
        rc = B2B2C_ENOMEM;
    if (!rc && (d->cfg.tier <= 0 || !(d->cfg.deadline_h > 0) ||
                d->cfg.capacity < 0 || d->cfg.quota < 0 ||
                d->cfg.status > 2 || d->idx > 0x7fffffffu ||
                !time_ok(d->cfg.paused_until)))
        rc = B2B2C_ECORRUPT;
    if (!rc && (b2b2c__dealer_list_check(ctx, "territories", d->cfg.terr, 0,
                                         MAX_CODES) ||
                b2b2c__dealer_list_check(ctx, "product_lines", d->cfg.prods, 1,
                                         MAX_PRODS)))
        rc = B2B2C_ECORRUPT;
    if (!rc)
        rc = b2b2c__dealer_prod_ids(e, d->cfg.prods, &d->cfg.prod_ids,
                                    &d->cfg.nprod, undoable);
    if (rc) {
        b2b2c__dealer_destroy(ctx, d);
        return dec_fail(e, T_DEALERS, k, kl, rc);
    }
    *out = d;
    return 0;
}

int b2b2c__dealer_dec_stats(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const void *v, size_t vl, dealer **dout,
                            dstats *sout, uint64_t *asof)
{
    b2b2c__rbuf r;
    dealer *d = dealer_by_bytes(e, k, kl);
    dstats s;
    int rc = b2b2c__dec_begin(&r, v, vl, 2);
    if (rc)
        return corrupt(e, T_STATS, k, kl, rc, NULL);
    if (!d)
        return corrupt(e, T_STATS, k, kl, 0, "no such dealer");
    s.offered = b2b2c__dec_u64(&r);
    s.accepted = b2b2c__dec_u64(&r);
    s.declined = b2b2c__dec_u64(&r);
    s.expired = b2b2c__dec_u64(&r);
    s.won = b2b2c__dec_u64(&r);
    s.lost = b2b2c__dec_u64(&r);
    s.recalled = b2b2c__dec_u64(&r);
    s.open = b2b2c__dec_u64(&r);
    s.revenue = b2b2c__dec_f64(&r);
    for (int i = 0; i < NDECL; i++)
        s.decl[i] = b2b2c__dec_u64(&r);
    s.day_idx = b2b2c__dec_i64(&r);
    s.day_offers = b2b2c__dec_u64(&r);
    s.period_idx = b2b2c__dec_i64(&r);
    s.period_offers = b2b2c__dec_u64(&r);
    s.last_offer_seq = b2b2c__dec_u64(&r);
    /* version 1 records were rewritten at every offer: as of everything */
    *asof = r.version >= 2 ? b2b2c__dec_u64(&r) : UINT64_MAX;
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(e, T_STATS, k, kl, rc, NULL);
    /* day and period numbers are times divided by a positive length */
    if (!time_ok(s.day_idx) || !time_ok(s.period_idx))
        return corrupt(e, T_STATS, k, kl, 0, "period out of range");
    *dout = d;
    *sout = s;
    return 0;
}

/* Decode what enc_lead_attrs wrote: -1 when the region or product does
 * not fit. */
static int dec_lead_attrs(b2b2c__rbuf *r, lead_attrs *at)
{
    at->created = b2b2c__dec_i64(r);
    if (dec_strbuf(r, at->region, sizeof at->region) ||
        dec_strbuf(r, at->product, sizeof at->product))
        return -1;
    at->has_loc = b2b2c__dec_u8(r);
    at->lat = b2b2c__dec_f64(r);
    at->lon = b2b2c__dec_f64(r);
    at->segment = (int32_t)b2b2c__dec_u32(r);
    at->band = (int32_t)b2b2c__dec_u32(r);
    at->state = b2b2c__dec_u8(r);
    at->cklen = 0; /* the key, when any, comes at the record's end */
    return 0;
}

/* A customer key (lead record version 2, audit record version 4) into
 * at: -1 when empty or too long. */
static int dec_lead_key(b2b2c__rbuf *r, lead_attrs *at)
{
    size_t n = 0;
    const void *p = b2b2c__dec_bytes(r, &n);
    if (!p || n == 0 || n > B2B2C_DEALER_CUSTOMER_KEY_MAX)
        return -1;
    memcpy(at->ck, p, n);
    at->cklen = (uint8_t)n;
    return 0;
}

/* A new lead struct with the attributes `at` (in no map, not offered). */
lead *b2b2c__dealer_lead_make(b2b2c_dealer_engine *e, const char *id,
                              size_t kl, const lead_attrs *at)
{
    size_t rl = strlen(at->region), pl = strlen(at->product);
    lead *l = b2b2c__malloc(e->ctx, sizeof(*l) + kl + rl + pl + 3 +
                                        at->cklen);
    if (!l)
        return NULL;
    memset(l, 0, sizeof(*l));
    l->idlen = kl;
    memcpy(l->id, id, kl);
    l->id[kl] = '\0';
    memcpy(l->id + kl + 1, at->region, rl + 1);
    memcpy(l->id + kl + rl + 2, at->product, pl + 1);
    memcpy(l->id + kl + rl + pl + 3, at->ck, at->cklen);
    l->cklen = at->cklen;
    l->region = l->id + kl + 1;
    l->product = l->id + kl + rl + 2;
    l->heap_pos = NOPOS;
    l->afirst = l->alast = NONE32;
    l->created = at->created;
    l->has_loc = at->has_loc;
    l->lat = at->lat;
    l->lon = at->lon;
    l->segment = at->segment;
    l->band = at->band;
    l->m.dealer = NONE32;
    return l;
}

/* A loaded lead: allocated, in the lead map, room in the heap. Returns 0,
 * B2B2C_ENOMEM or B2B2C_ECORRUPT (a duplicate). */
static int lead_new_loaded(b2b2c_dealer_engine *e, const char *id, size_t kl,
                           const lead_attrs *at, lead **out)
{
    b2b2c_ctx *ctx = e->ctx;
    lead *l;
    if (kl == 0 || kl > B2B2C__ID_MAX || b2b2c__map_get(&e->leads, id, kl))
        return B2B2C_ECORRUPT;
    if (e->nheap == e->capheap &&
        b2b2c__grow(&ctx->mem, (void **)&e->heap, &e->capheap, e->nheap + 1,
                    sizeof(*e->heap)))
        return B2B2C_ENOMEM;
    if (!(l = b2b2c__dealer_lead_make(e, id, kl, at)))
        return B2B2C_ENOMEM;
    if (b2b2c__map_put(&e->leads, l->id, kl, l, NULL)) {
        b2b2c__free(ctx, l);
        return B2B2C_ENOMEM;
    }
    *out = l;
    return 0;
}

/* A lead record: its attributes, state and declined/expired dealers (a
 * new array in *tried, nt entries). */
int b2b2c__dealer_dec_lead(b2b2c_dealer_engine *e, const void *k, size_t kl,
                           const void *v, size_t vl, lead_attrs *at, lmut *m,
                           uint32_t **tried_out, uint32_t *nt_out)
{
    b2b2c_ctx *ctx = e->ctx;
    b2b2c__rbuf r;
    char did[256];
    uint32_t nt, *tried = NULL;
    int rc = b2b2c__dec_begin(&r, v, vl, 2);
    if (rc)
        return corrupt(e, T_LEADS, k, kl, rc, NULL);
    memset(m, 0, sizeof *m);
    if (dec_lead_attrs(&r, at))
        return corrupt(e, T_LEADS, k, kl, 0, "bad region or product");
    m->state = at->state;
    rc = dec_strbuf(&r, did, sizeof did) ? B2B2C_ECORRUPT : 0;
    m->dealer = NONE32;
    if (!rc && did[0]) {
        dealer *d = dealer_by_bytes(e, did, strlen(did));
        if (!d)
            rc = B2B2C_ECORRUPT;
        else
            m->dealer = d->idx;
    }
    m->offered_at = b2b2c__dec_i64(&r);
    m->deadline = b2b2c__dec_i64(&r);
    m->accepted_at = b2b2c__dec_i64(&r);
    m->closed_at = b2b2c__dec_i64(&r);
    m->revenue = b2b2c__dec_f64(&r);
    m->offer_seq = b2b2c__dec_u64(&r);
    nt = b2b2c__dec_u32(&r);
    if (!rc && nt > e->nd)
        rc = B2B2C_ECORRUPT;
    if (!rc && nt && !(tried = b2b2c__malloc(ctx, nt * sizeof(*tried))))
        rc = B2B2C_ENOMEM;
    for (uint32_t i = 0; !rc && i < nt; i++) {
        dealer *d;
        if (dec_strbuf(&r, did, sizeof did) ||
            !(d = dealer_by_bytes(e, did, strlen(did))))
            rc = B2B2C_ECORRUPT;
        else
            tried[i] = d->idx | (b2b2c__dec_u8(&r) ? TRIED_EXPIRED : 0);
    }
    /* version 2: the customer key */
    if (!rc && r.version >= 2 && dec_lead_key(&r, at))
        rc = B2B2C_ECORRUPT;
    if (!rc)
        rc = b2b2c__dec_finish(&r);
    if (!rc && (m->state < 1 || m->state > 7 ||
                (m->state <= B2B2C_DEALER_LEAD_RECALLED &&
                 m->dealer == NONE32) ||
                !time_ok(at->created) || !time_ok(m->offered_at) ||
                !time_ok(m->deadline) || !time_ok(m->accepted_at) ||
                !time_ok(m->closed_at) || kl == 0 || kl > B2B2C__ID_MAX))
        rc = B2B2C_ECORRUPT;
    if (rc) {
        b2b2c__free(ctx, tried);
        return dec_fail(e, T_LEADS, k, kl, rc);
    }
    *tried_out = tried;
    *nt_out = nt;
    return 0;
}

/* A closed lead's final state (audit record version 5) into out: -1 when
 * it is not one a closed lead can have. Its declined and expired dealers
 * are checked and counted here, taken by stub_of_rec from out->ctr. */
static int dec_closed(b2b2c_dealer_engine *e, b2b2c__rbuf *r, audrec *out)
{
    lmut *m = &out->cm;
    char did[256];
    memset(m, 0, sizeof *m);
    m->state = b2b2c__dec_u8(r);
    if (dec_strbuf(r, did, sizeof did))
        return -1;
    m->dealer = NONE32;
    if (did[0]) {
        dealer *d = dealer_by_bytes(e, did, strlen(did));
        if (!d)
            return -1;
        m->dealer = d->idx;
    }
    m->offered_at = b2b2c__dec_i64(r);
    m->deadline = b2b2c__dec_i64(r);
    m->accepted_at = b2b2c__dec_i64(r);
    m->closed_at = b2b2c__dec_i64(r);
    m->revenue = b2b2c__dec_f64(r);
    m->offer_seq = b2b2c__dec_u64(r);
    if ((m->state != B2B2C_DEALER_LEAD_WON &&
         m->state != B2B2C_DEALER_LEAD_LOST &&
         m->state != B2B2C_DEALER_LEAD_DIRECT) ||
        (m->state != B2B2C_DEALER_LEAD_DIRECT && m->dealer == NONE32) ||
        !time_ok(m->offered_at) || !time_ok(m->deadline) ||
        !time_ok(m->accepted_at) || !time_ok(m->closed_at))
        return -1;
    out->ctr = *r;
    out->cnt = b2b2c__dec_u32(r);
    if (out->cnt > e->nd)
        return -1;
    for (uint32_t i = 0; i < out->cnt; i++) {
        if (dec_strbuf(r, did, sizeof did) ||
            !dealer_by_bytes(e, did, strlen(did)) || b2b2c__dec_u8(r) > 1)
            return -1;
    }
    out->closed = 1;
    return r->err ? -1 : 0;
}

/* The stub of the closed lead of audit record ar (version 5, decoded just
 * now: its value still readable), in no map. NULL: out of memory. */
stub *b2b2c__dealer_stub_of_rec(b2b2c_dealer_engine *e, const audrec *ar)
{
    b2b2c__rbuf r = ar->ctr;
    char did[256];
    stub *s = b2b2c__dealer_stub_alloc(e, ar->lid, ar->lidlen, ar->cnt);
    if (!s)
        return NULL;
    s->m = ar->cm;
    s->service = ar->service;
    (void)b2b2c__dec_u32(&r);
    for (uint32_t i = 0; i < ar->cnt; i++) {
        dec_strbuf(&r, did, sizeof did); /* checked by dec_closed */
        s->tried[i] = dealer_by_bytes(e, did, strlen(did))->idx |
                      (b2b2c__dec_u8(&r) ? TRIED_EXPIRED : 0);
    }
    return s;
}

/* An audit record: the entry (its lead NULL when not in memory yet), the
 * generator's state after the decision, and the lead as routed when the
 * record carries it (*creates). */
int b2b2c__dealer_dec_audit(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const void *v, size_t vl, audrec *out)
{
    b2b2c__rbuf r;
    aent *a = &out->a;
    char did[256];
    int rc = b2b2c__dec_begin(&r, v, vl, 5);
    if (rc)
        return corrupt(e, T_AUDIT, k, kl, rc, NULL);
    memset(a, 0, sizeof *a);
    a->odealer = NONE32;
    out->service = 0;
    out->closed = 0;
    a->seq = b2b2c__dec_u64(&r);
    a->time = b2b2c__dec_i64(&r);
    if (!time_ok(a->time))
        return corrupt(e, T_AUDIT, k, kl, 0, "time out of range");
    if (dec_strbuf(&r, out->lid, sizeof out->lid) ||
        dec_strbuf(&r, did, sizeof did))
        return corrupt(e, T_AUDIT, k, kl, 0, "bad lead or dealer");
    out->lidlen = strlen(out->lid);
    a->dealer = NONE32;
    if (did[0]) {
        dealer *d = dealer_by_bytes(e, did, strlen(did));
        if (!d)
            return corrupt(e, T_AUDIT, k, kl, 0, "no such dealer");
        a->dealer = d->idx;
    }
    a->kind = b2b2c__dec_u8(&r);
    a->policy = b2b2c__dec_u8(&r);
    a->reason = b2b2c__dec_u8(&r);
    a->cand = b2b2c__dec_u32(&r);
    a->elig = b2b2c__dec_u32(&r);
    a->rank = b2b2c__dec_u32(&r);
    a->weight = b2b2c__dec_f64(&r);
    for (int i = 0; i < NSKIP; i++)
        a->skip[i] = b2b2c__dec_u32(&r);
    for (int i = 0; i < 4; i++)
        out->rng.s[i] = b2b2c__dec_u64(&r);
    out->creates = b2b2c__dec_u8(&r) != 0;
    if (out->creates) {
        /* the lead as routed; its own record, when present, is newer */
        if (dec_lead_attrs(&r, &out->at))
            return corrupt(e, T_AUDIT, k, kl, 0, "bad region or product");
        out->at.deadline = b2b2c__dec_i64(&r);
    }
    if (r.version >= 2) {
        a->owner = b2b2c__dec_u8(&r);
        if ((a->owner < B2B2C_DEALER_OWNER_CHOSEN && r.version == 2) ||
            a->owner > B2B2C_DEALER_OWNER_SKIP_SERVICE)
            return corrupt(e, T_AUDIT, k, kl, 0, "bad owner field");
    }
    if (r.version >= 3) {
        /* the skipped owner, with a skip code only; the service kind */
        if (dec_strbuf(&r, did, sizeof did))
            return corrupt(e, T_AUDIT, k, kl, 0, "bad owner");
        if (did[0]) {
            dealer *d = dealer_by_bytes(e, did, strlen(did));
            if (!d || a->owner <= B2B2C_DEALER_OWNER_CHOSEN)
                return corrupt(e, T_AUDIT, k, kl, 0, "bad owner");
            a->odealer = d->idx;
        }
        out->service = b2b2c__dec_u8(&r);
        if (out->service >= B2B2C_DEALER_NSERVICE)
            return corrupt(e, T_AUDIT, k, kl, 0, "bad service kind");
    }
    /* version 4: the customer key of the lead the record creates */
    if (r.version == 4 && (!out->creates || dec_lead_key(&r, &out->at)))
        return corrupt(e, T_AUDIT, k, kl, 0, "bad customer key");
    /* version 5: a closed lead's entry, its final state (dealer_close.c) */
    if (r.version == 5 && (out->creates || dec_closed(e, &r, out)))
        return corrupt(e, T_AUDIT, k, kl, 0, "bad closed lead");
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(e, T_AUDIT, k, kl, rc, NULL);
    if (out->closed) {
        stub *cs = b2b2c__map_get(&e->stubs, out->lid, out->lidlen);
        if (out->lidlen == 0 || out->lidlen > B2B2C__ID_MAX)
            return corrupt(e, T_AUDIT, k, kl, 0, "bad lead");
        a->lp = cs ? stub_ref(cs) : NULL;
        return 0;
    }
    a->lp = b2b2c__map_get(&e->leads, out->lid, out->lidlen);
    if (out->creates) {
        if (!time_ok(out->at.created) || !time_ok(out->at.deadline))
            return corrupt(e, T_AUDIT, k, kl, 0, "time out of range");
        if (!a->lp &&
            (out->at.state != B2B2C_DEALER_LEAD_OFFERED ||
             a->dealer == NONE32) &&
            (out->at.state != B2B2C_DEALER_LEAD_DIRECT ||
             a->dealer != NONE32))
            return corrupt(e, T_AUDIT, k, kl, 0, "bad lead state");
        if (!a->lp && (out->lidlen == 0 || out->lidlen > B2B2C__ID_MAX))
            return corrupt(e, T_AUDIT, k, kl, 0, "bad lead");
    } else if (!a->lp) {
        return corrupt(e, T_AUDIT, k, kl, 0, "no such lead");
    }
    return 0;
}

/* The state of a lead an audit record creates (the decision it records). */
void b2b2c__dealer_aud_lead_state(lead *l, const audrec *ar)
{
    l->m.state = ar->at.state;
    l->m.dealer = ar->a.dealer;
    if (l->m.state == B2B2C_DEALER_LEAD_OFFERED) {
        l->m.offered_at = ar->a.time;
        l->m.deadline = ar->at.deadline;
        l->m.offer_seq = ar->a.seq;
    }
}

/* ---- loading ----------------------------------------------------------- */

static int load_state(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_dealer_engine *e = payload;
    dstate s;
    int rc = b2b2c__dealer_dec_state(e, k, kl, v, vl, &s);
    if (rc)
        return rc;
    memcpy(e->param, s.param, sizeof e->param);
    e->m.seq = s.seq;
    e->m.rng = s.rng;
    return 0;
}

static int load_dealer(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_dealer_engine *e = payload;
    b2b2c_ctx *ctx = e->ctx;
    dealer *d;
    int rc = b2b2c__dealer_dec_dealer(e, k, kl, v, vl, 0, &d);
    if (rc)
        return rc;
    if (b2b2c__map_get(&e->dmap, d->id, kl)) {
        b2b2c__dealer_destroy(ctx, d);
        return corrupt(e, T_DEALERS, k, kl, 0, NULL);
    }
    if ((e->nd == e->capd &&
         b2b2c__grow(&ctx->mem, (void **)&e->dealers, &e->capd, e->nd + 1,
                     sizeof(*e->dealers))) ||
        b2b2c__map_put(&e->dmap, d->id, kl, d, NULL)) {
        b2b2c__dealer_destroy(ctx, d);
        return oom(ctx);
    }
    e->dealers[e->nd++] = d;
    return 0;
}

static int load_stats(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_dealer_engine *e = payload;
    dealer *d;
    dstats s;
    uint64_t asof;
    int rc = b2b2c__dealer_dec_stats(e, k, kl, v, vl, &d, &s, &asof);
    if (rc)
        return rc;
    d->st = s;
    d->asof = asof;
    return 0;
}

static int load_lead(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_dealer_engine *e = payload;
    lead_attrs at;
    lmut m;
    lead *l = NULL;
    uint32_t nt, *tried;
    int rc = b2b2c__dealer_dec_lead(e, k, kl, v, vl, &at, &m, &tried, &nt);
    if (rc)
        return rc;
    if ((rc = lead_new_loaded(e, k, kl, &at, &l)) != 0) {
        b2b2c__free(e->ctx, tried);
        return dec_fail(e, T_LEADS, k, kl, rc);
    }
    l->m = m;
    l->tried = tried;
    l->ntried = l->captried = nt;
    if (l->m.state == B2B2C_DEALER_LEAD_OFFERED)
        b2b2c__dealer_heap_push_raw(e, l);
    return 0;
}

typedef struct audload {
    b2b2c_dealer_engine *e;
    uint64_t maxseq;
    b2b2c__rng rng;
} audload;

static int load_audit(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    audload *al = payload;
    b2b2c_dealer_engine *e = al->e;
    audrec ar;
    int rc = b2b2c__dealer_dec_audit(e, k, kl, v, vl, &ar);
    if (rc)
        return rc;
    if (!ar.a.lp && ar.closed) {
        /* a closed lead's first entry: its stub (dealer_close.c) */
        stub *s = b2b2c__dealer_stub_of_rec(e, &ar);
        if (!s)
            return oom(e->ctx);
        if (b2b2c__map_put(&e->stubs, stub_id(s), s->idlen, s, NULL)) {
            b2b2c__free(e->ctx, s);
            return oom(e->ctx);
        }
        ar.a.lp = stub_ref(s);
    } else if (!ar.a.lp) {
        lead *l;
        if ((rc = lead_new_loaded(e, ar.lid, ar.lidlen, &ar.at, &l)) != 0)
            return dec_fail(e, T_AUDIT, k, kl, rc);
        b2b2c__dealer_aud_lead_state(l, &ar);
        if (l->m.state == B2B2C_DEALER_LEAD_OFFERED)
            b2b2c__dealer_heap_push_raw(e, l);
        ar.a.lp = l;
    }
    if (ar.service && aent_lead(&ar.a)) /* a service request */
        aent_lead(&ar.a)->service = ar.service;
    if (e->naud == e->capaud &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->aud, &e->capaud, e->naud + 1,
                    sizeof(*e->aud)))
        return oom(e->ctx);
    e->aud[e->naud++] = ar.a;
    if (ar.a.seq > al->maxseq) {
        al->maxseq = ar.a.seq;
        al->rng = ar.rng;
    }
    return 0;
}

static int cmp_dealer_idx(const void *a, const void *b)
{
    const dealer *x = *(dealer *const *)a, *y = *(dealer *const *)b;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_aud_seq(const void *a, const void *b)
{
    const aent *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Load engine e (parameters defaulted, maps initialized) from its tables:
 * state, dealers (dense numbers), the index, stats, leads, and the audit
 * trail with the offers made after each dealer's stats record replayed. */
int b2b2c__dealer_load(void *p)
{
    b2b2c_dealer_engine *e = p;
    b2b2c_ctx *ctx = e->ctx;
    audload al;
    int rc;
    al.e = e;
    al.maxseq = 0;
    if ((rc = b2b2c__st_scan(ctx, T_STATE, load_state, e)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_DEALERS, load_dealer, e)) != 0)
        return rc;
    sort(e->dealers, e->nd, sizeof(*e->dealers), cmp_dealer_idx);
    for (size_t i = 0; i < e->nd; i++)
        if (e->dealers[i]->idx != i)
            return corrupt(e, T_DEALERS, e->dealers[i]->id,
                           e->dealers[i]->idlen, 0,
                           "dealer numbers are not dense");
    if ((rc = b2b2c__dealer_mirror_reserve(e, e->nd)) != 0)
        return rc;
    for (size_t i = 0; i < e->nd; i++)
        if ((rc = b2b2c__dealer_index(e, e->dealers[i], 1, 0)) != 0)
            return rc;
    if ((rc = b2b2c__dealer_scratch_reserve(e, e->nd)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_STATS, load_stats, e)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_LEADS, load_lead, e)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_AUDIT, load_audit, &al)) != 0 ||
        (rc = b2b2c__dealer_load_owners(e)) != 0 ||
        (rc = b2b2c__dealer_load_regs(e)) != 0 ||
        (rc = b2b2c__dealer_load_certs(e)) != 0)
        return rc;
    sort(e->aud, e->naud, sizeof(*e->aud), cmp_aud_seq);
    for (size_t i = 0; i < e->naud; i++) {
        b2b2c__dealer_aud_link(e, i);
        b2b2c__dealer_replay_offer(e, &e->aud[i]);
    }
    if (al.maxseq > e->m.seq) {
        e->m.seq = al.maxseq;
        e->m.rng = al.rng;
    }
    for (size_t i = 0; i < e->nd; i++) {
        const dealer *d = e->dealers[i];
        e->m.net_won += d->st.won;
        e->m.net_resolved += resolved(d);
        b2b2c__dealer_mirror_sync(e, d);
    }
    return 0;
}
