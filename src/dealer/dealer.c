/* SPDX-License-Identifier: MIT */
/*
 * Dealer allocation engine, public API: names, lifecycle, parameters and
 * seed, dealers. See include/b2b2c/dealer.h, docs/dealer-allocation.md
 * and, for the files of the engine, dealer_int.h.
 */
#include "dealer_int.h"

/* ---- parameters ---------------------------------------------------- */

/* Bounds, defaults and wholeness are in core's table (core/param.c). */


static const char *const REASON_NAMES[] = {
    "routed", "no_territory", "all_paused", "no_product",
    "all_declined", "all_at_capacity", "direct", "owner",
    "registered", "no_service"};

const char *b2b2c_dealer_policy_name(int32_t p)
{
    return p >= 0 && p < NPOLICY ? b2b2c__dealer_policies[p]->name : NULL;
}

const char *b2b2c_dealer_reason_name(int32_t r)
{
    return r >= 0 && r < (int32_t)(sizeof REASON_NAMES / sizeof *REASON_NAMES)
               ? REASON_NAMES[r]
               : NULL;
}

static char *dupstr(b2b2c_ctx *ctx, const char *s)
{
    size_t n = strlen(s);
    char *p = b2b2c__malloc(ctx, n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

/* A region code: 1..63 bytes, [A-Za-z0-9_] segments joined by '-'. */
int b2b2c__dealer_code_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-') {
            if (s[i + 1] == '-')
                return 0;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* Check a ';'-list of region codes (kind 0) or product IDs (kind 1). */
int b2b2c__dealer_list_check(b2b2c_ctx *ctx, const char *what, const char *s,
                             int kind, size_t max)
{
    size_t count = 0;
    const char *p = s;
    if (!*s)
        return 0;
    for (;;) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        int ok = kind == 0 ? b2b2c__dealer_code_ok(p, n)
                           : (n >= 1 && n <= 255 && !b2b2c__utf8_valid(p, n));
        if (!ok)
            return b2b2c__err(ctx, B2B2C_EBADID,
                              "%s: entry %zu '%.*s' is not a valid %s", what,
                              count + 1, (int)(n > 80 ? 80 : n), p,
                              kind ? "product line" : "region code");
        if (++count > max)
            return b2b2c__err(ctx, B2B2C_ERANGE, "%s: more than %zu entries",
                              what, max);
        if (!q)
            return 0;
        p = q + 1;
    }
}

/* ---- lifecycle -------------------------------------------------------- */

void b2b2c__dealer_destroy(b2b2c_ctx *ctx, dealer *d)
{
    if (!d)
        return;
    b2b2c__free(ctx, d->cfg.terr);
    b2b2c__free(ctx, d->cfg.prods);
    b2b2c__free(ctx, d->cfg.prod_ids);
    b2b2c__free(ctx, d);
}

/* Free everything engine e holds but its struct. */
void b2b2c__dealer_clear(b2b2c_dealer_engine *e)
{
    b2b2c_ctx *ctx = e->ctx;
    size_t it = 0;
    void *v;
    for (size_t i = 0; i < e->nd; i++)
        b2b2c__dealer_destroy(ctx, e->dealers[i]);
    while (b2b2c__map_next(&e->leads, &it, NULL, NULL, &v)) {
        lead *l = v;
        b2b2c__free(ctx, l->tried);
        b2b2c__free(ctx, l);
    }
    it = 0;
    while (b2b2c__map_next(&e->stubs, &it, NULL, NULL, &v))
        b2b2c__free(ctx, v);
    it = 0;
    while (b2b2c__map_next(&e->buckets, &it, NULL, NULL, &v)) {
        bucket *b = v;
        b2b2c__free(ctx, b->d);
        b2b2c__free(ctx, b->h);
        b2b2c__free(ctx, b->pl.mem);
        b2b2c__free(ctx, b);
    }
    it = 0;
    while (b2b2c__map_next(&e->prods, &it, NULL, NULL, &v))
        b2b2c__free(ctx, v);
    b2b2c__map_fini(&e->dmap);
    b2b2c__map_fini(&e->buckets);
    b2b2c__map_fini(&e->prods);
    b2b2c__map_fini(&e->leads);
    b2b2c__map_fini(&e->stubs);
    b2b2c__dealer_owners_clear(e);
    b2b2c__dealer_regs_clear(e);
    b2b2c__dealer_certs_clear(e);
    {
        /* the engine's own arrays (ghot and mark live inside the *_raw) */
        void *const arrays[] = {e->dealers, e->heap, e->aud,  e->cand,
                                e->elig,    e->w,    e->dist, e->po,
                                e->key,     e->hp,   e->ex,   e->ghot_raw,
                                e->mark_raw, e->sy};
        for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
            b2b2c__free(ctx, arrays[i]);
    }
}

void b2b2c_dealer_free(b2b2c_dealer_engine *e)
{
    if (!e)
        return;
    b2b2c__handle_closing(e->ctx, e);
    b2b2c__dealer_clear(e);
    b2b2c__free(e->ctx, e);
}

/* An empty engine on ctx: parameters at their defaults, generator seeded
 * with 0. */
void b2b2c__dealer_init(b2b2c_dealer_engine *e, b2b2c_ctx *ctx)
{
    memset(e, 0, sizeof(*e));
    e->ctx = ctx;
    b2b2c__param_defaults(DEALER_PARAM_BASE, e->param);
    b2b2c__rng_seed(&e->m.rng, 0);
    b2b2c__map_init(&e->dmap, &ctx->mem);
    b2b2c__map_init(&e->buckets, &ctx->mem);
    b2b2c__map_init(&e->prods, &ctx->mem);
    b2b2c__map_init(&e->leads, &ctx->mem);
    b2b2c__map_init(&e->stubs, &ctx->mem);
    b2b2c__map_init(&e->owners, &ctx->mem);
    b2b2c__map_init(&e->regs, &ctx->mem);
    b2b2c__map_init(&e->regkeys, &ctx->mem);
    b2b2c__map_init(&e->certs, &ctx->mem);
}

int b2b2c__dealer_scratch_reserve(b2b2c_dealer_engine *e, size_t n)
{
    size_t c1 = e->capscratch, c2 = e->capscratch, c3 = e->capscratch,
           c4 = e->capscratch, c5 = e->capscratch, c6 = e->capscratch,
           c7 = e->capscratch;
    if (n <= e->capscratch)
        return 0;
    n = n < 64 ? 64 : n * 2;
    if (b2b2c__grow(&e->ctx->mem, (void **)&e->cand, &c1, n, 4) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->elig, &c2, n, 4) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->w, &c3, n, 8) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->dist, &c4, n, 8) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->po, &c5, n, 8) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->key, &c6, n, 8) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->hp, &c7, n, sizeof(*e->hp)))
        return oom(e->ctx);
    e->capscratch = n;
    return 0;
}



int b2b2c_dealer_new(b2b2c_dealer_engine **out, b2b2c_ctx *ctx)
{
    b2b2c_dealer_engine *e;
    int rc;
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return ctx ? b2b2c__err(ctx, B2B2C_EINVAL, "out: must not be NULL")
                   : B2B2C_EINVAL;
    if (ctx->depth)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "b2b2c_dealer_new called from inside a callback");
    b2b2c__err_clear(ctx);
    e = b2b2c__malloc(ctx, sizeof(*e));
    if (!e)
        return oom(ctx);
    b2b2c__dealer_init(e, ctx);
    b2b2c__handle_opened(ctx); /* the failure path frees through _free */
    rc = b2b2c__engine_open(ctx, &b2b2c__dealer_ops, e);
    if (rc)
        goto fail;
    *out = e;
    return 0;
fail:
    b2b2c_dealer_free(e);
    return rc;
}

/* ---- parameters and seed ----------------------------------------------- */

int b2b2c_dealer_get_param(double *out, const b2b2c_dealer_engine *e,
                           int32_t param)
{
    int i = param - DEALER_PARAM_BASE, rc;
    if (!out || !e || i < 0 || i >= NPARAM)
        return e ? b2b2c__err(e->ctx, B2B2C_EINVAL,
                              "param: %d is not a dealer parameter",
                              (int)param)
                 : B2B2C_EINVAL;
    if ((rc = b2b2c__sync_read(e->ctx)) != 0)
        return rc;
    *out = e->param[i];
    return 0;
}

static int set_param_body(b2b2c_dealer_engine *e, int i, double value)
{
    int rc = b2b2c__undo_save(e->ctx, &e->param[i], sizeof(double));
    if (rc == 0) {
        int period_changes = i == P_PERIOD && e->param[i] != value;
        e->param[i] = value;
        rc = b2b2c__dealer_write_state(e);
        /* offers after a stats record are replayed on load with the period
         * length then in force (see offer): make every record current */
        for (size_t j = 0; rc == 0 && period_changes && j < e->nd; j++)
            rc = b2b2c__dealer_write_stats(e, e->dealers[j]);
    }
    return rc;
}

int b2b2c_dealer_set_param(b2b2c_dealer_engine *e, int32_t param,
                           double value)
{
    int i = param - DEALER_PARAM_BASE, rc;
    CHECK_E(e);
    if ((rc = b2b2c__param_check(e->ctx, DEALER_PARAM_BASE, param, value)) !=
        0)
        return rc;
    if (i == P_MAXSHARE && value <= 0) /* (0, 1]: the table's bounds are
                                          inclusive */
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "value: %s must be in (0, 1]",
                          b2b2c_param_name(param));
    B2B2C__CALL(rc, e->ctx, e, set_param_body(e, i, value));
    return rc;
}

static int seed_body(b2b2c_dealer_engine *e, uint64_t seed)
{
    int rc = b2b2c__dealer_save_emut(e);
    if (rc == 0) {
        b2b2c__rng_seed(&e->m.rng, seed);
        rc = b2b2c__dealer_write_state(e);
    }
    return rc;
}

int b2b2c_dealer_seed(b2b2c_dealer_engine *e, uint64_t seed)
{
    int rc;
    CHECK_E(e);
    B2B2C__CALL(rc, e->ctx, e, seed_body(e, seed));
    return rc;
}

/* ---- dealers ------------------------------------------------------------- */

/* Dealer `id` (n bytes, checked by b2b2c__dealer_id_arg before the
 * call's transaction), or B2B2C_ENOTFOUND. */
int b2b2c__dealer_find_dealer(b2b2c_dealer_engine *e, const char *id,
                              size_t n, dealer **out)
{
    *out = b2b2c__map_get(&e->dmap, id, n);
    if (!*out)
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND,
                          "dealer_id: no dealer '%s'", id);
    return 0;
}

static void undo_pop_dealer(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)b;
    (void)n;
    ((b2b2c_dealer_engine *)a)->nd--;
}

static void free_cfg_shell(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    b2b2c__free(ctx, a);
}

static void free_cfg_strings(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    dcfg *c = a;
    (void)b;
    (void)n;
    b2b2c__free(ctx, c->terr);
    b2b2c__free(ctx, c->prods);
    b2b2c__free(ctx, c->prod_ids);
    b2b2c__free(ctx, c);
}

/* Append dealer d (new, numbered e->nd, freed by the undo log if the call
 * fails) to the dealers, undoably; not indexed yet. */
int b2b2c__dealer_append(b2b2c_dealer_engine *e, dealer *d)
{
    int rc;
    if ((rc = b2b2c__dealer_scratch_reserve(e, e->nd + 1)) != 0 ||
        (rc = b2b2c__dealer_mirror_reserve(e, e->nd + 1)) != 0)
        return rc;
    if (e->nd == e->capd &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->dealers, &e->capd, e->nd + 1,
                    sizeof(*e->dealers)))
        return oom(e->ctx);
    if ((rc = b2b2c__map_insert_undoable(e->ctx, &e->dmap, d->id, d->idlen,
                                         d)) != 0 ||
        (rc = b2b2c__undo_push(e->ctx, undo_pop_dealer, NULL, e, NULL, 0)))
        return rc;
    e->dealers[e->nd++] = d;
    e->mark[d->idx] = 0;
    return 0;
}

/* Before dealer d's configuration is replaced: out of the index, the
 * configuration saved, its old strings kept until commit. The caller sets
 * d->cfg, derives the mirror and indexes the dealer again. */
int b2b2c__dealer_cfg_begin(b2b2c_dealer_engine *e, dealer *d)
{
    dcfg *old = b2b2c__malloc(e->ctx, sizeof(*old));
    int rc;
    if (!old)
        return oom(e->ctx);
    *old = d->cfg;
    if ((rc = b2b2c__undo_push(e->ctx, free_cfg_shell, free_cfg_strings, old,
                               NULL, 0)) != 0) {
        b2b2c__free(e->ctx, old);
        return rc;
    }
    if ((rc = b2b2c__dealer_index(e, d, 0, 1)) != 0 ||
        (rc = b2b2c__dealer_mirror_guard(e, d)) != 0)
        return rc;
    return b2b2c__undo_save(e->ctx, &d->cfg, sizeof(d->cfg));
}

/* Add dealer_id (n bytes) or replace its configuration with `want`'s
 * (terr, prods, tier, capacity, quota, deadline_h; checked). */
static int put_body(b2b2c_dealer_engine *e, const char *dealer_id, size_t n,
                    const dcfg *want)
{
    b2b2c_ctx *ctx = e->ctx;
    dealer *d;
    dcfg nc;
    int rc;
    d = b2b2c__map_get(&e->dmap, dealer_id, n);
    memset(&nc, 0, sizeof nc);
    if (!d) {
        if (e->nd >= 0x7fffffff) {
            rc = b2b2c__err(ctx, B2B2C_ERANGE, "dealer_id: too many dealers");
            goto out;
        }
        d = b2b2c__malloc(ctx, sizeof(*d) + n + 1);
        if (!d) {
            rc = oom(ctx);
            goto out;
        }
        memset(d, 0, sizeof(*d));
        d->idlen = n;
        memcpy(d->id, dealer_id, n + 1);
        d->idx = (uint32_t)e->nd;
        d->afirst = d->alast = NONE32;
        d->cfg.status = B2B2C_DEALER_ACTIVE;
        if ((rc = b2b2c__undo_free_on_fail(ctx, d)) != 0) {
            b2b2c__free(ctx, d);
            goto out;
        }
        if ((rc = b2b2c__dealer_append(e, d)) != 0)
            goto out;
    } else if ((rc = b2b2c__dealer_cfg_begin(e, d)) != 0) {
        goto out;
    }
    nc = d->cfg;
    nc.terr = dupstr(ctx, want->terr);
    nc.prods = dupstr(ctx, want->prods);
    nc.prod_ids = NULL;
    if (!nc.terr || !nc.prods) {
        b2b2c__free(ctx, nc.terr);
        b2b2c__free(ctx, nc.prods);
        rc = oom(ctx);
        goto out;
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, nc.terr)) != 0) {
        b2b2c__free(ctx, nc.terr);
        b2b2c__free(ctx, nc.prods);
        goto out;
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, nc.prods)) != 0) {
        b2b2c__free(ctx, nc.prods);
        goto out;
    }
    if ((rc = b2b2c__dealer_prod_ids(e, want->prods, &nc.prod_ids, &nc.nprod,
                                     1)) != 0)
        goto out;
    if (nc.prod_ids &&
        (rc = b2b2c__undo_free_on_fail(ctx, nc.prod_ids)) != 0) {
        b2b2c__free(ctx, nc.prod_ids);
        goto out;
    }
    nc.one_terr = one_code(want->terr);
    nc.tier = want->tier;
    nc.capacity = want->capacity;
    nc.quota = want->quota;
    nc.deadline_h = want->deadline_h;
    d->cfg = nc; /* saved above for an existing dealer; new: freed on fail */
    b2b2c__dealer_mirror_sync(e, d);
    if ((rc = b2b2c__dealer_index(e, d, 1, 1)) == 0 &&
        (rc = b2b2c__dealer_write_dealer(e, d)) == 0)
        rc = b2b2c__dealer_write_stats(e, d);
out:
    return rc;
}


int b2b2c_dealer_put(b2b2c_dealer_engine *e, const char *dealer_id,
                     double tier_weight, const char *territories,
                     const char *product_lines, int32_t capacity,
                     int32_t daily_quota, double deadline_hours)
{
    b2b2c_ctx *ctx;
    size_t n;
    dcfg want;
    int rc;
    CHECK_E(e);
    ctx = e->ctx;
    if (!dealer_id || !territories || !product_lines)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "%s: must not be NULL",
                          !dealer_id ? "dealer_id"
                                     : !territories ? "territories"
                                                    : "product_lines");
    if (b2b2c__id_check(dealer_id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "dealer_id: not a valid ID");
    if (!finite(tier_weight) || !finite(deadline_hours))
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must be finite",
                          finite(tier_weight) ? "deadline_hours"
                                              : "tier_weight");
    if (!(tier_weight > 0 && tier_weight <= 1e6))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "tier_weight: must be in (0, 1e6]");
    if (capacity < 0 || capacity > 1000000)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "capacity: must be in [0, 1000000]");
    if (daily_quota < 0 || daily_quota > 1000000)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "daily_quota: must be in [0, 1000000]");
    if (!(deadline_hours > 0 && deadline_hours <= 8760))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "deadline_hours: must be in (0, 8760]");
    if ((rc = b2b2c__dealer_list_check(ctx, "territories", territories, 0,
                                       MAX_CODES)) ||
        (rc = b2b2c__dealer_list_check(ctx, "product_lines", product_lines, 1,
                                       MAX_PRODS)))
        return rc;
    memset(&want, 0, sizeof want);
    want.terr = (char *)territories;
    want.prods = (char *)product_lines;
    want.tier = tier_weight;
    want.capacity = capacity;
    want.quota = daily_quota;
    want.deadline_h = deadline_hours;
    B2B2C__CALL(rc, ctx, e, put_body(e, dealer_id, n, &want));
    return rc;
}

static int location_body(b2b2c_dealer_engine *e, const char *dealer_id,
                         size_t n, double lat, double lon, double radius_km)
{
    dealer *d;
    int rc;
    if ((rc = b2b2c__dealer_find_dealer(e, dealer_id, n, &d)) != 0 ||
        (rc = b2b2c__dealer_index(e, d, 0, 1)) != 0 ||
        (rc = b2b2c__undo_save(e->ctx, &d->cfg, sizeof(d->cfg))) != 0)
        return rc;
    d->cfg.has_loc = radius_km > 0;
    d->cfg.lat = radius_km > 0 ? lat : 0;
    d->cfg.lon = radius_km > 0 ? lon : 0;
    d->cfg.radius = radius_km;
    if ((rc = b2b2c__dealer_index(e, d, 1, 1)) != 0)
        return rc;
    return b2b2c__dealer_write_dealer(e, d);
}

int b2b2c_dealer_set_location(b2b2c_dealer_engine *e, const char *dealer_id,
                              double lat, double lon, double radius_km)
{
    size_t n;
    int rc;
    CHECK_E(e);
    if (!finite(lat) || !finite(lon) || !finite(radius_km))
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "%s: must be finite",
                          !finite(lat) ? "lat" : !finite(lon) ? "lon"
                                                               : "radius_km");
    if (lat < -90 || lat > 90)
        return b2b2c__err(e->ctx, B2B2C_ERANGE, "lat: must be in [-90, 90]");
    if (lon < -180 || lon > 180)
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "lon: must be in [-180, 180]");
    if (radius_km < 0 || radius_km > 1000)
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "radius_km: must be in [0, 1000]");
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "dealer_id", dealer_id, &n)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e,
                location_body(e, dealer_id, n, lat, lon, radius_km));
    return rc;
}

static int status_body(b2b2c_dealer_engine *e, const char *dealer_id,
                       size_t n, int32_t status, int64_t paused_until)
{
    dealer *d;
    int rc;
    if ((rc = b2b2c__dealer_find_dealer(e, dealer_id, n, &d)) != 0)
        return rc;
    if (d->cfg.status == B2B2C_DEALER_OFFBOARDED &&
        status != B2B2C_DEALER_OFFBOARDED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "status: dealer '%s' is off-boarded", dealer_id);
    if ((rc = b2b2c__dealer_mirror_guard(e, d)) == 0 &&
        (rc = b2b2c__undo_save(e->ctx, &d->cfg, sizeof(d->cfg))) == 0) {
        d->cfg.status = status;
        d->cfg.paused_until =
            status == B2B2C_DEALER_PAUSED ? paused_until : 0;
        b2b2c__dealer_mirror_sync(e, d);
        rc = b2b2c__dealer_write_dealer(e, d);
    }
    return rc;
}

int b2b2c_dealer_set_status(b2b2c_dealer_engine *e, const char *dealer_id,
                            int32_t status, int64_t paused_until)
{
    size_t n;
    int rc;
    CHECK_E(e);
    if (status < 0 || status > 2)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "status: unknown value %d",
                          (int)status);
    if (status == B2B2C_DEALER_PAUSED &&
        (rc = b2b2c__check_time(e->ctx, paused_until, "paused_until")) != 0)
        return rc;
    if ((rc = b2b2c__dealer_id_arg(e->ctx, "dealer_id", dealer_id, &n)) != 0)
        return rc;
    B2B2C__CALL(rc, e->ctx, e,
                status_body(e, dealer_id, n, status, paused_until));
    return rc;
}

int b2b2c_dealer_count(size_t *out, const b2b2c_dealer_engine *e)
{
    int rc;
    if (!out || !e)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__sync_read(e->ctx)) != 0)
        return rc;
    *out = e->nd;
    return 0;
}


int b2b2c__dealer_map_add(b2b2c_dealer_engine *e, b2b2c__map *map,
                          const void *key, size_t kl, void *v, int undoable)
{
    b2b2c_ctx *ctx = e->ctx;
    int rc;
    if (!undoable) {
        if (b2b2c__map_put(map, key, kl, v, NULL)) {
            b2b2c__free(ctx, v);
            return oom(ctx);
        }
        return 0;
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, v)) != 0) {
        b2b2c__free(ctx, v);
        return rc;
    }
    return b2b2c__map_insert_undoable(ctx, map, key, kl, v);
}
