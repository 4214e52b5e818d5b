/* SPDX-License-Identifier: MIT */
/* Dealer network programs: the handle's open and free, and how it stays up
 * to date with other contexts' commits (refresh per stored key, reload).
 * One decoder per record type serves the open and the refresh. */
#include <math.h>

#include "prog_int.h"

/* ---- decoders ---------------------------------------------------------------- */

static int load_err(b2b2c_ctx *ctx, int rc, const char *table, const void *k,
                    size_t kl)
{
    return b2b2c__err_corrupt(ctx, rc, table, k, kl, NULL);
}

/* Version 1: the two parameters 700-701. Version 2: a count n, then the
 * values of 700 .. 700 + n - 1 (gaps stored as 0); numbers the record does
 * not reach keep what `out` holds (the defaults). */
static int params_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                         const void *v, size_t vl, double *out)
{
    b2b2c__rbuf r;
    double p[PG_NPARAMS];
    size_t n = 2;
    int rc = b2b2c__dec_begin(&r, v, vl, 2);
    if (rc)
        return load_err(ctx, rc, PG_T_PARAMS, k, kl);
    memcpy(p, out, sizeof(p));
    if (r.version >= 2) {
        uint32_t c = b2b2c__dec_u32(&r);
        if (c > PG_NPARAMS)
            return load_err(ctx, B2B2C_ECORRUPT, PG_T_PARAMS, k, kl);
        n = c;
    }
    for (size_t i = 0; i < n; i++)
        p[i] = b2b2c__dec_f64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return load_err(ctx, rc, PG_T_PARAMS, k, kl);
    for (size_t i = 0; i < n; i++)
        if (!b2b2c__param_valid(b2b2c__param_find(PG_PARAM_BASE + (int32_t)i),
                                p[i]))
            return load_err(ctx, B2B2C_ECORRUPT, PG_T_PARAMS, k, kl);
    memcpy(out, p, sizeof(p));
    return 0;
}

static int id_ok(const void *k, size_t kl)
{
    return kl >= 1 && kl <= B2B2C__ID_MAX && !memchr(k, 0, kl) &&
           b2b2c__utf8_valid(k, kl) == 0;
}

/* A dealer record: its tier and region into d (id set by the caller). */
static int dealer_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                         const void *v, size_t vl, int32_t *tier,
                         const void **region, size_t *rlen)
{
    b2b2c__rbuf r;
    uint32_t t;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return load_err(ctx, rc, PG_T_DEALERS, k, kl);
    t = b2b2c__dec_u32(&r);
    *region = b2b2c__dec_bytes(&r, rlen);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return load_err(ctx, rc, PG_T_DEALERS, k, kl);
    if (!id_ok(k, kl) || t > PG_TIER_MAX || *rlen > B2B2C__ID_MAX ||
        (*rlen && (!*region || memchr(*region, 0, *rlen) ||
                   b2b2c__utf8_valid(*region, *rlen) != 0)))
        return load_err(ctx, B2B2C_ECORRUPT, PG_T_DEALERS, k, kl);
    *tier = (int32_t)t;
    return 0;
}

static int dealer_new(b2b2c_ctx *ctx, const void *k, size_t kl, int32_t tier,
                      const void *region, size_t rlen, pg_dealer **out)
{
    pg_dealer *d = b2b2c__malloc(ctx, sizeof(*d) + kl + 1);
    if (!d)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(d, 0, sizeof(*d));
    d->tier = tier;
    d->regionlen = (uint32_t)rlen;
    if (rlen)
        memcpy(d->region, region, rlen);
    d->idlen = kl;
    memcpy(d->id, k, kl);
    d->id[kl] = '\0';
    *out = d;
    return 0;
}

/* A point record into a new point (its dealer looked up by the caller). */
static int point_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                        const void *v, size_t vl, pg_point **out)
{
    b2b2c__rbuf r;
    const void *did;
    size_t dl;
    pg_point *p;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return load_err(ctx, rc, PG_T_POINTS, k, kl);
    did = b2b2c__dec_bytes(&r, &dl);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return load_err(ctx, rc, PG_T_POINTS, k, kl);
    if (!id_ok(k, kl) || !did || !id_ok(did, dl))
        return load_err(ctx, B2B2C_ECORRUPT, PG_T_POINTS, k, kl);
    p = b2b2c__malloc(ctx, sizeof(*p) + kl + 1);
    if (!p)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(p, 0, sizeof(*p));
    p->dlen = dl;
    memcpy(p->did, did, dl);
    p->idlen = kl;
    memcpy(p->id, k, kl);
    p->id[kl] = '\0';
    *out = p;
    return 0;
}

int b2b2c__pg_day_key_parse(const void *key, size_t klen, size_t *plen,
                            size_t *slen, int64_t *day)
{
    const uint8_t *k = key;
    const uint8_t *z1, *z2;
    uint64_t u = 0;

    if (klen < 12) /* p NUL l NUL day */
        return B2B2C_ECORRUPT;
    z2 = k + klen - 9; /* the NUL before the day */
    z1 = memchr(k, 0, klen - 9);
    if (*z2 != 0 || !z1 || !id_ok(k, (size_t)(z1 - k)) ||
        !id_ok(z1 + 1, (size_t)(z2 - z1 - 1)))
        return B2B2C_ECORRUPT;
    for (int i = 0; i < 8; i++)
        u = u << 8 | k[klen - 8 + (size_t)i];
    *plen = (size_t)(z1 - k);
    *slen = klen - 9;
    *day = (int64_t)(u ^ UINT64_C(0x8000000000000000));
    return 0;
}

/* A day record: its series key (point NUL line) and the day's values. */
static int day_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                      const void *v, size_t vl, size_t *plen, size_t *slen,
                      pg_day *out)
{
    b2b2c__rbuf r;
    pg_day d;
    uint8_t flags;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return load_err(ctx, rc, PG_T_DAYS, k, kl);
    memset(&d, 0, sizeof(d));
    flags = b2b2c__dec_u8(&r);
    for (int i = 0; i < PG_NVAL; i++)
        d.v[i] = b2b2c__dec_i64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return load_err(ctx, rc, PG_T_DAYS, k, kl);
    if (b2b2c__pg_day_key_parse(k, kl, plen, slen, &d.day) != 0 ||
        flags > 1 ||
        /* days of times in range only: the report's arithmetic relies on it */
        d.day < B2B2C_TIME_MIN / 86400 - 2 ||
        d.day > B2B2C_TIME_MAX / 86400 + 2)
        return load_err(ctx, B2B2C_ECORRUPT, PG_T_DAYS, k, kl);
    for (int i = 0; i < PG_NVAL; i++)
        if (d.v[i] < -PG_AGG_MAX || d.v[i] > PG_AGG_MAX)
            return load_err(ctx, B2B2C_ECORRUPT, PG_T_DAYS, k, kl);
    d.has_stock = flags;
    *out = d;
    return 0;
}

/* ---- loading ------------------------------------------------------------------ */

static int load_params(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_programs *h = payload;
    return params_decode(h->ctx, k, kl, v, vl, h->p);
}

static int load_dealer(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_programs *h = payload;
    const void *region;
    size_t rlen;
    int32_t tier;
    pg_dealer *d;
    int rc;

    if ((rc = dealer_decode(h->ctx, k, kl, v, vl, &tier, &region, &rlen)) ||
        (rc = dealer_new(h->ctx, k, kl, tier, region, rlen, &d)))
        return rc;
    if (b2b2c__map_put(&h->dealers, d->id, kl, d, NULL)) {
        b2b2c__free(h->ctx, d);
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    }
    return 0;
}

static int load_point(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_programs *h = payload;
    pg_point *p;
    int rc = point_decode(h->ctx, k, kl, v, vl, &p);

    if (rc)
        return rc;
    p->dealer = b2b2c__map_get(&h->dealers, p->did, p->dlen);
    if (!p->dealer) {
        b2b2c__free(h->ctx, p);
        return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, PG_T_POINTS, k, kl,
                                  "a point of an unknown dealer");
    }
    if (b2b2c__map_put(&h->points, p->id, kl, p, NULL)) {
        b2b2c__free(h->ctx, p);
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    }
    return 0;
}

static pg_series *series_alloc(b2b2c_ctx *ctx, const void *key, size_t plen,
                               size_t slen)
{
    pg_series *s = b2b2c__malloc(ctx, sizeof(*s) + slen + 1);
    if (!s)
        return NULL;
    memset(s, 0, sizeof(*s));
    s->plen = plen;
    s->keylen = slen;
    memcpy(s->key, key, slen);
    s->key[slen] = '\0';
    return s;
}

static int load_day(const void *k, size_t kl, const void *v, size_t vl,
                    void *payload)
{
    b2b2c_programs *h = payload;
    b2b2c_ctx *ctx = h->ctx;
    size_t plen, slen, at;
    pg_series *s;
    pg_day d;
    int rc = day_decode(ctx, k, kl, v, vl, &plen, &slen, &d);

    if (rc)
        return rc;
    s = b2b2c__map_get(&h->series, k, slen);
    if (!s) {
        pg_point *p = b2b2c__map_get(&h->points, k, plen);
        if (!p)
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, PG_T_DAYS, k, kl,
                                      "a day of an unknown point");
        if (!(s = series_alloc(ctx, k, plen, slen)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        s->point = p;
        if (b2b2c__map_put(&h->series, s->key, slen, s, NULL)) {
            b2b2c__free(ctx, s);
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        }
    }
    /* keys of a series sort by day; a store that scans in another order
     * is still read right */
    if (s->n && s->dv[s->n - 1].day >= d.day) {
        B2B2C__LOWER_BOUND(at, s->dv, s->n, day, d.day);
        if (s->dv[at].day == d.day)
            return load_err(ctx, B2B2C_ECORRUPT, PG_T_DAYS, k, kl);
    } else {
        at = s->n;
    }
    if (b2b2c__grow(&ctx->mem, (void **)&s->dv, &s->cap, s->n + 1,
                    sizeof(pg_day)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memmove(s->dv + at + 1, s->dv + at, (s->n - at) * sizeof(pg_day));
    s->dv[at] = d;
    s->n++;
    return 0;
}

static void pg_init(b2b2c_programs *h, b2b2c_ctx *ctx)
{
    memset(h, 0, sizeof(*h));
    h->ctx = ctx;
    b2b2c__map_init(&h->dealers, &ctx->mem);
    b2b2c__map_init(&h->points, &ctx->mem);
    b2b2c__map_init(&h->series, &ctx->mem);
    b2b2c__map_init(&h->bonus, &ctx->mem);
    b2b2c__map_init(&h->promos, &ctx->mem);
    b2b2c__map_init(&h->claims, &ctx->mem);
    b2b2c__param_defaults(PG_PARAM_BASE, h->p);
}

/* Free what a handle holds (not the handle). */
static void pg_clear(b2b2c_programs *h)
{
    b2b2c_ctx *ctx = h->ctx;
    size_t i = 0;
    void *v;
    while (b2b2c__map_next(&h->series, &i, NULL, NULL, &v))
        b2b2c__pg_series_destroy(ctx, v);
    i = 0;
    while (b2b2c__map_next(&h->points, &i, NULL, NULL, &v))
        b2b2c__free(ctx, v);
    i = 0;
    while (b2b2c__map_next(&h->dealers, &i, NULL, NULL, &v))
        b2b2c__free(ctx, v);
    b2b2c__pg_bonus_clear(h);
    b2b2c__pg_promo_clear(h);
    b2b2c__map_fini(&h->series);
    b2b2c__map_fini(&h->points);
    b2b2c__map_fini(&h->dealers);
}

static int pg_load(void *hp)
{
    b2b2c_programs *h = hp;
    b2b2c_ctx *ctx = h->ctx;
    int rc;
    if ((rc = b2b2c__st_scan(ctx, PG_T_PARAMS, load_params, h)) != 0 ||
        (rc = b2b2c__st_scan(ctx, PG_T_DEALERS, load_dealer, h)) != 0 ||
        (rc = b2b2c__st_scan(ctx, PG_T_POINTS, load_point, h)) != 0)
        return rc;
    if ((rc = b2b2c__st_scan(ctx, PG_T_DAYS, load_day, h)) != 0)
        return rc;
    if ((rc = b2b2c__pg_bonus_load(h)) != 0)
        return rc;
    return b2b2c__pg_promo_load(h);
}

/* ---- other contexts' commits ---------------------------------------------------- */

/* This library never deletes dealers, points or days: a deletion is not
 * ours. */
static int not_deleted(b2b2c_ctx *ctx, const char *table, const void *key,
                       size_t klen)
{
    return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                              "deleted by another context, but this "
                              "library never deletes these rows");
}

static int unresolved_inc(b2b2c_programs *h)
{
    int rc = b2b2c__undo_save(h->ctx, &h->unresolved, sizeof(h->unresolved));
    if (rc == 0)
        h->unresolved++;
    return rc;
}

static int dealer_refresh(b2b2c_programs *h, const void *key, size_t klen,
                          const void *val, size_t vlen)
{
    b2b2c_ctx *ctx = h->ctx;
    const void *region;
    size_t rlen;
    int32_t tier;
    pg_dealer *d;
    int rc;

    if ((rc = dealer_decode(ctx, key, klen, val, vlen, &tier, &region,
                            &rlen)) != 0)
        return rc;
    d = b2b2c__map_get(&h->dealers, key, klen);
    if (d) {
        if ((rc = b2b2c__undo_save(ctx, &d->tier,
                                   offsetof(pg_dealer, idlen) -
                                       offsetof(pg_dealer, tier))) != 0)
            return rc;
        d->tier = tier;
        d->regionlen = (uint32_t)rlen;
        memset(d->region, 0, sizeof(d->region));
        if (rlen)
            memcpy(d->region, region, rlen);
        return 0;
    }
    if ((rc = dealer_new(ctx, key, klen, tier, region, rlen, &d)) != 0)
        return rc;
    if ((rc = b2b2c__undo_free_on_fail(ctx, d)) != 0) {
        b2b2c__free(ctx, d);
        return rc;
    }
    return b2b2c__map_insert_undoable(ctx, &h->dealers, d->id, klen, d);
}

static int point_refresh(b2b2c_programs *h, const void *key, size_t klen,
                         const void *val, size_t vlen)
{
    b2b2c_ctx *ctx = h->ctx;
    pg_point *p, *old;
    int rc;

    if ((rc = point_decode(ctx, key, klen, val, vlen, &p)) != 0)
        return rc;
    old = b2b2c__map_get(&h->points, key, klen);
    if (old) {
        int same = old->dlen == p->dlen &&
                   memcmp(old->did, p->did, p->dlen) == 0;
        b2b2c__free(ctx, p);
        return same ? 0
                    : b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, PG_T_POINTS,
                                         key, klen,
                                         "a point changed its dealer");
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, p)) != 0) {
        b2b2c__free(ctx, p);
        return rc;
    }
    p->dealer = b2b2c__map_get(&h->dealers, p->did, p->dlen);
    if (!p->dealer && (rc = unresolved_inc(h)) != 0)
        return rc;
    return b2b2c__map_insert_undoable(ctx, &h->points, p->id, klen, p);
}

static int day_refresh(b2b2c_programs *h, const void *key, size_t klen,
                       const void *val, size_t vlen)
{
    b2b2c_ctx *ctx = h->ctx;
    size_t plen, slen;
    pg_series *s;
    pg_day d;
    int rc;

    if (!val)
        return not_deleted(ctx, PG_T_DAYS, key, klen);
    if ((rc = day_decode(ctx, key, klen, val, vlen, &plen, &slen, &d)) != 0)
        return rc;
    s = b2b2c__map_get(&h->series, key, slen);
    if (!s) {
        if (!(s = series_alloc(ctx, key, plen, slen)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_push(ctx, b2b2c__pg_undo_series_new, NULL, s,
                                   NULL, 0)) != 0) {
            b2b2c__free(ctx, s);
            return rc;
        }
        s->point = b2b2c__map_get(&h->points, key, plen);
        if ((!s->point && (rc = unresolved_inc(h)) != 0) ||
            (rc = b2b2c__map_insert_undoable(ctx, &h->series, s->key, slen,
                                             s)) != 0)
            return rc;
    }
    return b2b2c__pg_day_put(h, s, &d);
}

static int pg_refresh(void *hp, const char *table, const void *key,
                      size_t klen, const void *val, size_t vlen)
{
    b2b2c_programs *h = hp;
    b2b2c_ctx *ctx = h->ctx;
    int rc;

    if (strcmp(table, PG_T_DAYS) == 0)
        return day_refresh(h, key, klen, val, vlen);
    if (strcmp(table, PG_T_POINTS) == 0)
        return val ? point_refresh(h, key, klen, val, vlen)
                   : not_deleted(ctx, table, key, klen);
    if (strcmp(table, PG_T_DEALERS) == 0)
        return val ? dealer_refresh(h, key, klen, val, vlen)
                   : not_deleted(ctx, table, key, klen);
    if (strcmp(table, PG_T_BONUS) == 0)
        return b2b2c__pg_bonus_refresh(h, key, klen, val, vlen);
    if (strcmp(table, PG_T_PROMOS) == 0 || strcmp(table, PG_T_CLAIMS) == 0)
        return b2b2c__pg_promo_refresh(h, table, key, klen, val, vlen);
    if (strcmp(table, PG_T_PARAMS) == 0) {
        double p[PG_NPARAMS];
        b2b2c__param_defaults(PG_PARAM_BASE, p);
        if (val && (rc = params_decode(ctx, key, klen, val, vlen, p)) != 0)
            return rc;
        if ((rc = b2b2c__undo_save(ctx, h->p, sizeof(h->p))) != 0)
            return rc;
        memcpy(h->p, p, sizeof(p));
        return 0;
    }
    return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                              "not a table of dealer network programs");
}

/* Points and series this sync added before their dealer or point: resolve
 * them now that every key was handed over (they are new, so a failed sync
 * frees them with what they point to). */
static int pg_refresh_done(void *hp)
{
    b2b2c_programs *h = hp;
    size_t i = 0;
    void *v;
    int rc;

    if ((rc = b2b2c__pg_promo_refresh_done(h)) != 0)
        return rc;
    if (h->unresolved == 0)
        return 0;
    while (b2b2c__map_next(&h->points, &i, NULL, NULL, &v)) {
        pg_point *p = v;
        if (!p->dealer &&
            !(p->dealer = b2b2c__map_get(&h->dealers, p->did, p->dlen)))
            return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, PG_T_POINTS,
                                      p->id, p->idlen,
                                      "a point of an unknown dealer");
    }
    i = 0;
    while (b2b2c__map_next(&h->series, &i, NULL, NULL, &v)) {
        pg_series *s = v;
        if (!s->point &&
            !(s->point = b2b2c__map_get(&h->points, s->key, s->plen)))
            return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, PG_T_DAYS,
                                      s->key, s->keylen,
                                      "a day of an unknown point");
    }
    if ((rc = b2b2c__undo_save(h->ctx, &h->unresolved,
                               sizeof(h->unresolved))) != 0)
        return rc;
    h->unresolved = 0;
    return 0;
}

/* Rebuild aside and swap (the call counter carries on). */
static int pg_reload(void *hp)
{
    b2b2c_programs *h = hp, fresh;
    int rc;
    pg_init(&fresh, h->ctx);
    if ((rc = pg_load(&fresh)) != 0) {
        pg_clear(&fresh);
        return rc;
    }
    pg_clear(h);
    fresh.gen = h->gen;
    *h = fresh;
    return 0;
}

static const b2b2c__engine_ops pg_ops = {
    .prefix = "programs", .load = pg_load, .refresh = pg_refresh,
    .refresh_done = pg_refresh_done, .reload = pg_reload};

/* ---- open and free ------------------------------------------------------------- */

void b2b2c_programs_free(b2b2c_programs *h)
{
    if (!h)
        return;
    b2b2c__handle_closing(h->ctx, h);
    pg_clear(h);
    b2b2c__free(h->ctx, h);
}

int b2b2c_programs_new(b2b2c_programs **out, b2b2c_ctx *ctx)
{
    b2b2c_programs *h;
    int rc;

    if (!out)
        return B2B2C_EINVAL;
    *out = NULL;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    h = b2b2c__malloc(ctx, sizeof(*h));
    if (!h)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    pg_init(h, ctx);
    b2b2c__handle_opened(ctx); /* the failure path frees through _free */
    rc = b2b2c__engine_open(ctx, &pg_ops, h);
    if (rc) {
        b2b2c_programs_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

/* ---- digest (tests) ------------------------------------------------------------ */

uint64_t b2b2c__programs_digest(const b2b2c_programs *h)
{
    uint64_t d = 0, sum = 0;
    size_t i = 0;
    void *v;

    for (size_t k = 0; k < PG_NPARAMS; k++)
        d = b2b2c__mix64(d, b2b2c__dbits(h->p[k]));
    while (b2b2c__map_next(&h->dealers, &i, NULL, NULL, &v)) {
        const pg_dealer *x = v;
        uint64_t e = b2b2c__hash(x->id, x->idlen);
        e = b2b2c__mix64(e, (uint64_t)x->tier);
        e = b2b2c__mix64(e, b2b2c__hash(x->region, x->regionlen));
        sum += e * 2 + 1;
    }
    i = 0;
    while (b2b2c__map_next(&h->points, &i, NULL, NULL, &v)) {
        const pg_point *p = v;
        uint64_t e = b2b2c__hash(p->id, p->idlen);
        e = b2b2c__mix64(e, b2b2c__hash(p->did, p->dlen));
        e = b2b2c__mix64(e, p->dealer ? b2b2c__hash(p->dealer->id,
                                                  p->dealer->idlen) : 0);
        sum += e * 2 + 1;
    }
    i = 0;
    while (b2b2c__map_next(&h->series, &i, NULL, NULL, &v)) {
        const pg_series *s = v;
        uint64_t e = b2b2c__hash(s->key, s->keylen);
        e = b2b2c__mix64(e, s->point ? b2b2c__hash(s->point->id,
                                                 s->point->idlen) : 0);
        e = b2b2c__mix64(e, s->n);
        for (size_t j = 0; j < s->n; j++) {
            e = b2b2c__mix64(e, (uint64_t)s->dv[j].day);
            e = b2b2c__mix64(e, s->dv[j].has_stock);
            for (int k = 0; k < PG_NVAL; k++)
                e = b2b2c__mix64(e, (uint64_t)s->dv[j].v[k]);
        }
        sum += e * 2 + 1;
    }
    d = b2b2c__mix64(d, h->dealers.count);
    d = b2b2c__mix64(d, h->points.count);
    d = b2b2c__mix64(d, h->series.count);
    d = b2b2c__mix64(d, b2b2c__pg_bonus_digest(h));
    d = b2b2c__mix64(d, b2b2c__pg_promo_digest(h));
    return b2b2c__mix64(d, sum);
}
