/* SPDX-License-Identifier: MIT */
/*
 * The region and grid index (buckets of dealer numbers with their routing
 * mirror entries), interned product lines, and the routing mirror's
 * upkeep.
 */
#include "dealer_int.h"

/* ---- buckets (region codes and grid cells -> sorted dealer indexes) -- */

/* Insert dealer v with its mirror entry, derived from its struct as it is
 * now (capacity checked by the caller). */
static void bucket_ins(const b2b2c_dealer_engine *e, bucket *b, uint32_t v)
{
    uint32_t i = b->n;
    while (i > 0 && b->d[i - 1] > v) {
        b->d[i] = b->d[i - 1];
        if (b->h)
            b->h[i] = b->h[i - 1];
        i--;
    }
    b->d[i] = v;
    if (b->h)
        mirror_of(e->dealers[v], &b->h[i]);
    b->n++;
    b->ver++;
}

static void bucket_del(bucket *b, uint32_t v)
{
    for (uint32_t i = 0; i < b->n; i++)
        if (b->d[i] == v) {
            memmove(b->d + i, b->d + i + 1, (b->n - i - 1) * sizeof(*b->d));
            if (b->h)
                memmove(b->h + i, b->h + i + 1,
                        (b->n - i - 1) * sizeof(*b->h));
            b->n--;
            b->ver++;
            return;
        }
}


static void undo_bucket_ins(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)a;
    bucket_del(b, (uint32_t)n);
}

static void undo_bucket_del(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    bucket_ins(a, b, (uint32_t)n); /* buckets never shrink: room is there */
}

/* A bucket created by a failed call goes away with its array. */
static void undo_bucket_new(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    bucket *bk = a;
    (void)b;
    (void)n;
    b2b2c__free(ctx, bk->d);
    b2b2c__free(ctx, bk->h);
    b2b2c__free(ctx, bk->pl.mem);
    b2b2c__free(ctx, bk);
}

/* The plan's arrays for `cap` dealers (the plan is dropped: a new block
 * carries nothing over). Thompson's posterior constants come last, so
 * that the other policies' arrays lie together at the block's start as
 * they did before those grew to 64 bytes a dealer. */
static int plan_alloc(b2b2c_dealer_engine *e, bucket *b, size_t cap)
{
    plan *p = &b->pl;
    size_t per = sizeof(b2b2c__beta_prep) + sizeof(b2b2c__beta_first) +
                 sizeof(uint64_t) +
                 2 * sizeof(double) + 3 * sizeof(uint32_t);
    size_t head = cap * (sizeof(uint64_t) + 2 * sizeof(double) +
                         3 * sizeof(uint32_t));
    unsigned char *m;
    if (cap > (SIZE_MAX - 8) / per)
        return oom(e->ctx);
    head = (head + 7) & ~(size_t)7; /* the constants' doubles aligned */
    m = b2b2c__malloc(e->ctx, cap * per + 8);
    if (!m)
        return oom(e->ctx);
    b2b2c__free(e->ctx, p->mem);
    p->mem = m;
    p->ver = 0;
    p->po = (uint64_t *)m;
    p->w = (double *)(p->po + cap);
    p->cum = p->w + cap;
    p->pos = (uint32_t *)(p->cum + cap);
    p->rank = p->pos + cap;
    p->ring = p->rank + cap;
    p->bp = (b2b2c__beta_prep *)(m + head);
    p->bf = (b2b2c__beta_first *)(p->bp + cap);
    return 0;
}

static int idx_add(b2b2c_dealer_engine *e, const char *key, size_t klen,
                   uint32_t v, int undoable)
{
    b2b2c_ctx *ctx = e->ctx;
    uint64_t h = b2b2c__map_keyhash(key, klen);
    bucket *b = b2b2c__map_get_h(&e->buckets, h, key, klen);
    int rc;
    if (!b) {
        e->bloom[(h >> 6) & 63] |= (uint64_t)1 << (h & 63);
        b = b2b2c__malloc(ctx, sizeof(*b) + klen + 1);
        if (!b)
            return oom(ctx);
        b->d = NULL;
        b->h = NULL;
        b->n = b->cap = b->hcap = 0;
        b->ver = 1;
        memset(&b->pl, 0, sizeof(b->pl));
        b->klen = klen;
        memcpy(b->key, key, klen);
        b->key[klen] = '\0';
        if (undoable) {
            if ((rc = b2b2c__undo_push(ctx, undo_bucket_new, NULL, b, NULL,
                                       0)) != 0) {
                b2b2c__free(ctx, b);
                return rc;
            }
            if ((rc = b2b2c__map_insert_undoable_h(ctx, &e->buckets, h,
                                                   b->key, klen, b)) != 0)
                return rc;
        } else if (b2b2c__map_put_h(&e->buckets, h, b->key, klen, b, NULL)) {
            b2b2c__free(ctx, b);
            return oom(ctx);
        }
    }
    for (uint32_t i = 0; i < b->n; i++)
        if (b->d[i] == v)
            return 0; /* a code listed twice */
    /* room for n + 1 in both arrays (n never exceeds either capacity) */
    if (b->n == b->cap) {
        size_t cap = b->cap;
        if (b2b2c__grow(&ctx->mem, (void **)&b->d, &cap, (size_t)b->n + 1,
                        sizeof(*b->d)))
            return oom(ctx);
        b->cap = (uint32_t)cap;
    }
    if (b->key[0] != '@' && b->n == b->hcap) {
        size_t cap = b->hcap;
        if (b2b2c__grow(&ctx->mem, (void **)&b->h, &cap, (size_t)b->n + 1,
                        sizeof(*b->h)))
            return oom(ctx);
        if ((rc = plan_alloc(e, b, cap)) != 0)
            return rc; /* h grew: harmless, hcap says how far it is used */
        b->hcap = (uint32_t)cap;
    }
    if (undoable &&
        (rc = b2b2c__undo_push(ctx, undo_bucket_ins, NULL, e, b, v)) != 0)
        return rc;
    bucket_ins(e, b, v);
    return 0;
}

static int idx_del(b2b2c_dealer_engine *e, const char *key, size_t klen,
                   uint32_t v)
{
    bucket *b = b2b2c__map_get(&e->buckets, key, klen);
    int rc;
    if (!b)
        return 0;
    for (uint32_t i = 0; i < b->n; i++)
        if (b->d[i] == v) {
            if ((rc = b2b2c__undo_push(e->ctx, undo_bucket_del, NULL, e, b,
                                       v)) != 0)
                return rc;
            bucket_del(b, v);
            return 0;
        }
    return 0;
}



/* Add (add=1) or remove every bucket entry of dealer d: its territory codes
 * and the grid cells its service circle's bounding box touches. */
int b2b2c__dealer_index(b2b2c_dealer_engine *e, dealer *d, int add,
                        int undoable)
{
    const char *p = d->cfg.terr;
    int rc;
    while (*p) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        rc = add ? idx_add(e, p, n, d->idx, undoable)
                 : idx_del(e, p, n, d->idx);
        if (rc)
            return rc;
        if (!q)
            break;
        p = q + 1;
    }
    if (d->cfg.has_loc) {
        double dlat = d->cfg.radius / 111.195, dlon;
        double lat0 = d->cfg.lat - dlat, lat1 = d->cfg.lat + dlat;
        int a0, a1, o0, o1, all = 0, tmp;
        char key[32];
        if (lat0 < -90)
            lat0 = -90, all = 1;
        if (lat1 > 90)
            lat1 = 90, all = 1;
        {
            double far = fabs(lat0) > fabs(lat1) ? fabs(lat0) : fabs(lat1);
            double c = cos(far * 3.14159265358979323846 / 180.0);
            dlon = c > 1e-6 ? dlat / c : 360.0;
            if (dlon >= 179.0)
                all = 1;
        }
        cell_of(lat0, 0, &a0, &tmp);
        cell_of(lat1, 0, &a1, &tmp);
        if (all) {
            o0 = -180;
            o1 = 179;
        } else {
            o0 = (int)floor(d->cfg.lon - dlon);
            o1 = (int)floor(d->cfg.lon + dlon);
        }
        for (int a = a0; a <= a1; a++)
            for (int o = o0; o <= o1; o++) {
                int oo = o;
                while (oo < -180)
                    oo += 360;
                while (oo >= 180)
                    oo -= 360;
                int kl = cell_key(key, sizeof key, a, oo);
                rc = add ? idx_add(e, key, (size_t)kl, d->idx, undoable)
                         : idx_del(e, key, (size_t)kl, d->idx);
                if (rc)
                    return rc;
            }
    }
    return 0;
}

/* ---- product lines (interned to small integers) ---------------------- */

static int intern(b2b2c_dealer_engine *e, const char *s, size_t n,
                  uint32_t *id, int undoable)
{
    b2b2c_ctx *ctx = e->ctx;
    prod *p = b2b2c__map_get(&e->prods, s, n);
    int rc;
    if (p) {
        *id = p->id;
        return 0;
    }
    p = b2b2c__malloc(ctx, sizeof(*p) + n + 1);
    if (!p)
        return oom(ctx);
    p->id = (uint32_t)e->prods.count;
    p->len = n;
    memcpy(p->s, s, n);
    p->s[n] = '\0';
    if (undoable) {
        if ((rc = b2b2c__undo_free_on_fail(ctx, p)) != 0) {
            b2b2c__free(ctx, p);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &e->prods, p->s, n, p)))
            return rc;
    } else if (b2b2c__map_put(&e->prods, p->s, n, p, NULL)) {
        b2b2c__free(ctx, p);
        return oom(ctx);
    }
    *id = p->id;
    return 0;
}

/* Parse `s` into a new array of interned IDs (*ids NULL for ""). */
int b2b2c__dealer_prod_ids(b2b2c_dealer_engine *e, const char *s,
                           uint32_t **ids, uint32_t *n, int undoable)
{
    const char *p = s;
    uint32_t k = 0, cnt = 1;
    int rc;
    *ids = NULL;
    *n = 0;
    if (!*s)
        return 0;
    for (const char *q = s; *q; q++)
        cnt += *q == ';';
    *ids = b2b2c__malloc(e->ctx, cnt * sizeof(**ids));
    if (!*ids)
        return oom(e->ctx);
    for (;;) {
        const char *q = strchr(p, ';');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if ((rc = intern(e, p, len, &(*ids)[k], undoable)) != 0) {
            b2b2c__free(e->ctx, *ids);
            *ids = NULL;
            return rc;
        }
        k++;
        if (!q)
            break;
        p = q + 1;
    }
    *n = k;
    return 0;
}

/* ---- the routing mirror (see hot) --------------------------------- */

/* What an offer changes in dealer d's mirror entry (count_offer's
 * fields, as routing reads them). On an entry that was consistent this
 * is mirror_of and mirror_put: won, resolved and tier, and so the cached
 * weights, do not change with an offer. */
static void mirror_put(hot *h, const hot *x)
{
    int keep = h->won == x->won && h->res == x->res && h->tier == x->tier;
    memcpy(h, x, HOT_CMP);
    if (!keep)
        h->epoch = 0;
}

/* Derive dealer d's mirror entries in its region buckets (a bucket it is
 * not in yet derives the entry when it is inserted, see bucket_ins). */
void b2b2c__dealer_mirror_sync(b2b2c_dealer_engine *e, const dealer *d)
{
    const char *p = d->cfg.terr;
    hot x;
    mirror_of(d, &x);
    while (p && *p) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        bucket *b = b2b2c__map_get(&e->buckets, p, n);
        int64_t j = b ? bucket_pos(b, d->idx) : -1;
        if (j >= 0) {
            mirror_put(&b->h[j], &x);
            b->ver++;
        }
        if (!q)
            break;
        p = q + 1;
    }
}

/* As mirror_sync after an offer to d made outside a region plan (to the
 * customer's owner, route_customer): a bucket whose plan was valid and
 * holds d keeps it, following the offer as after an offer the plan made
 * (b2b2c__dealer_plan_offer: an offer changes only d's entry), so that
 * leads going to their owners do not send the next leads of the owners'
 * regions through the eligibility pass. */
void b2b2c__dealer_mirror_sync_offer(b2b2c_dealer_engine *e, const dealer *d)
{
    const char *p = d->cfg.terr;
    hot x;
    mirror_of(d, &x);
    while (p && *p) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        bucket *b = b2b2c__map_get(&e->buckets, p, n);
        int64_t j = b ? bucket_pos(b, d->idx) : -1;
        if (j >= 0) {
            const plan *pl = &b->pl;
            uint32_t k = NONE32;
            if (pl->ver == b->ver) {
                k = lower_bound_u32(pl->pos, pl->ne, (uint32_t)j);
                if (k >= pl->ne || pl->pos[k] != (uint32_t)j)
                    k = NONE32;
            }
            mirror_put(&b->h[j], &x);
            b->ver++;
            if (k != NONE32)
                b2b2c__dealer_plan_offer(b, k);
        }
        if (!q)
            break;
        p = q + 1;
    }
}

static void undo_mirror(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)n;
    b2b2c__dealer_mirror_sync(a, b);
}

/* Before the undo log saves a mirrored field of dealer d: on failure the
 * mirror is derived again once the saved bytes are back (the log runs
 * newest first). */
int b2b2c__dealer_mirror_guard(b2b2c_dealer_engine *e, const dealer *d)
{
    return b2b2c__undo_push(e->ctx, undo_mirror, NULL, e, (void *)d, 0);
}

/* 64-byte aligned block of n entries of `size` inside *raw, keeping the
 * first `keep` entries. */
static int mirror_grow(b2b2c_dealer_engine *e, void **raw, void **arr,
                       size_t keep, size_t n, size_t size)
{
    unsigned char *r = b2b2c__malloc(e->ctx, n * size + 64), *a;
    if (!r)
        return oom(e->ctx);
    a = r + ((64 - ((uintptr_t)r & 63)) & 63);
    memset(a, 0, n * size);
    if (keep)
        memcpy(a, *arr, keep * size);
    b2b2c__free(e->ctx, *raw);
    *raw = r;
    *arr = a;
    return 0;
}

/* Room in the mirror for n dealers (entries of existing dealers kept). */
int b2b2c__dealer_mirror_reserve(b2b2c_dealer_engine *e, size_t n)
{
    size_t cap, keep = e->nd < e->capmir ? e->nd : e->capmir;
    if (n <= e->capmir)
        return 0;
    cap = n < 64 ? 64 : n * 2;
    if (mirror_grow(e, &e->ghot_raw, (void **)&e->ghot, keep, cap,
                    sizeof(hot)) ||
        mirror_grow(e, &e->mark_raw, (void **)&e->mark, keep, cap,
                    sizeof(uint64_t)))
        return B2B2C_ENOMEM;
    e->capmir = cap;
    return 0;
}
