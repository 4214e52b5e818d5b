/* SPDX-License-Identifier: MIT */
/*
 * A toy engine written the way every real engine is: counters keyed by ID,
 * kept in memory and written through to table "toy_items". It exercises the
 * write-through helper (B2B2C__CALL, the undo log) and the sync with other
 * contexts (b2b2c__engine_ops) in tests, and serves engine authors as the
 * smallest complete example:
 * - a mutating call checks its arguments, then runs its body inside
 *   B2B2C__CALL, where every check of state sees the latest committed state;
 * - the open loads inside b2b2c__load_begin/_end and attaches the handle;
 * - `refresh` replaces one object from its stored value under undo entries,
 *   `reload` rebuilds the whole handle aside and swaps it in;
 * - a read starts with b2b2c__sync_read.
 */
#ifndef B2B2C_TEST_TOY_H
#define B2B2C_TEST_TOY_H

#include "internal.h"

#define T_TOY "toy_items"

typedef struct toy_item {
    int64_t value;
    size_t idlen;
    char id[]; /* the map's key points here */
} toy_item;

typedef struct toy {
    b2b2c_ctx *ctx;
    b2b2c__map items;
} toy;

static inline int toy_write(b2b2c_ctx *ctx, const toy_item *it)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_i64(&w, it->value);
    return b2b2c__st_put_rec(ctx, T_TOY, it->id, it->idlen, &w);
}

static inline int toy_add_body(toy *t, const char *id, size_t n,
                               int64_t delta)
{
    b2b2c_ctx *ctx = t->ctx;
    toy_item *it;
    int rc;

    it = b2b2c__map_get(&t->items, id, n);
    if (!it) {
        it = b2b2c__malloc(ctx, sizeof(*it) + n + 1);
        if (!it) {
            rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
            goto out;
        }
        it->value = 0;
        it->idlen = n;
        memcpy(it->id, id, n + 1);
        if ((rc = b2b2c__undo_free_on_fail(ctx, it)) != 0) {
            b2b2c__free(ctx, it);
            goto out;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &t->items, it->id, n, it)))
            goto out;
    }
    if ((rc = b2b2c__undo_save(ctx, &it->value, sizeof(it->value))) != 0)
        goto out;
    it->value += delta;
    if (it->value < -1000000 || it->value > 1000000) {
        rc = b2b2c__err(ctx, B2B2C_ERANGE, "delta: counter '%s' out of range",
                        id);
        goto out;
    }
    if (it->value == 0) {
        if ((rc = b2b2c__map_remove_undoable(ctx, &t->items, id, n)) != 0 ||
            (rc = b2b2c__undo_free_on_commit(ctx, it)) != 0 ||
            (rc = b2b2c__st_del(ctx, T_TOY, id, n)) != 0)
            goto out;
    } else {
        rc = toy_write(ctx, it);
    }
out:
    return rc;
}

/* Add `delta` to the counter `id`, creating it at 0; a counter that reaches
 * 0 is deleted. Values outside [-1e6, 1e6] are ERANGE (checked after the
 * change, to prove the undo path). */
static inline int toy_add(toy *t, const char *id, int64_t delta)
{
    size_t n;
    int rc;

    if (b2b2c__id_check(id, &n))
        return b2b2c__err(t->ctx, B2B2C_EBADID, "id: not a valid ID");
    B2B2C__CALL(rc, t->ctx, t, toy_add_body(t, id, n, delta));
    return rc;
}

/* Decode one stored counter into a new item (not yet in any map). */
static inline int toy_decode(toy *t, const void *k, size_t kl, const void *v,
                             size_t vl, toy_item **out)
{
    b2b2c__rbuf r;
    toy_item *it;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return b2b2c__err_corrupt(t->ctx, rc, T_TOY, k, kl, NULL);
    it = b2b2c__malloc(t->ctx, sizeof(*it) + kl + 1);
    if (!it)
        return b2b2c__err(t->ctx, B2B2C_ENOMEM, "out of memory");
    it->value = b2b2c__dec_i64(&r);
    it->idlen = kl;
    memcpy(it->id, k, kl);
    it->id[kl] = '\0';
    if ((rc = b2b2c__dec_finish(&r)) != 0) {
        b2b2c__free(t->ctx, it);
        return b2b2c__err_corrupt(t->ctx, rc, T_TOY, k, kl, NULL);
    }
    *out = it;
    return 0;
}

static inline int toy_load_row(const void *k, size_t kl, const void *v,
                               size_t vl, void *payload)
{
    toy *t = payload;
    toy_item *it = NULL;
    int rc = toy_decode(t, k, kl, v, vl, &it);

    if (rc)
        return rc;
    if ((rc = b2b2c__map_put(&t->items, it->id, kl, it, NULL)) != 0) {
        b2b2c__free(t->ctx, it);
        return b2b2c__err(t->ctx, rc, "out of memory");
    }
    return 0;
}

/* Another context committed `key`: replace (or drop) the item, undoably. */
static inline int toy_refresh(void *h, const char *table, const void *key,
                              size_t klen, const void *val, size_t vlen)
{
    toy *t = h;
    b2b2c_ctx *ctx = t->ctx;
    toy_item *old, *it = NULL;
    int rc;

    if (strcmp(table, T_TOY) != 0)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                                  "not a table of the toy engine");
    if (val) {
        if ((rc = toy_decode(t, key, klen, val, vlen, &it)) != 0)
            return rc;
        if ((rc = b2b2c__undo_free_on_fail(ctx, it)) != 0) {
            b2b2c__free(ctx, it);
            return rc;
        }
    }
    old = b2b2c__map_get(&t->items, key, klen);
    if (old && ((rc = b2b2c__map_remove_undoable(ctx, &t->items, key,
                                                 klen)) != 0 ||
                (rc = b2b2c__undo_free_on_commit(ctx, old)) != 0))
        return rc;
    if (it)
        return b2b2c__map_insert_undoable(ctx, &t->items, it->id, klen, it);
    return 0;
}

static inline void toy_clear(toy *t)
{
    size_t i = 0;
    void *v;
    while (b2b2c__map_next(&t->items, &i, NULL, NULL, &v))
        b2b2c__free(t->ctx, v);
    b2b2c__map_fini(&t->items);
}

/* Rebuild aside, then swap: on failure the handle is as it was. */
static inline int toy_reload(void *h)
{
    toy *t = h, fresh;
    int rc;

    fresh.ctx = t->ctx;
    b2b2c__map_init(&fresh.items, &t->ctx->mem);
    rc = b2b2c__st_scan(t->ctx, T_TOY, toy_load_row, &fresh);
    if (rc) {
        toy_clear(&fresh);
        return rc;
    }
    toy_clear(t);
    t->items = fresh.items;
    return 0;
}

static int toy_load(void *p)
{
    toy *t = p;
    return b2b2c__st_scan(t->ctx, T_TOY, toy_load_row, t);
}

static const b2b2c__engine_ops toy_ops = {.prefix = "toy",
                                          .load = toy_load,
                                          .refresh = toy_refresh,
                                          .reload = toy_reload};

static inline void toy_free(toy *t)
{
    if (!t)
        return;
    b2b2c__handle_closing(t->ctx, t);
    toy_clear(t);
    b2b2c__free(t->ctx, t);
}

/* Open: load every row of T_TOY. */
static inline int toy_new(toy **out, b2b2c_ctx *ctx)
{
    toy *t = b2b2c__malloc(ctx, sizeof(*t));
    int rc;

    *out = NULL;
    if (!t)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    t->ctx = ctx;
    b2b2c__map_init(&t->items, &ctx->mem);
    rc = b2b2c__engine_open(ctx, &toy_ops, t);
    if (rc) {
        toy_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* What memory holds now (no sync: the fault loops read with it). */
static inline int64_t toy_get(const toy *t, const char *id)
{
    toy_item *it = b2b2c__map_get(&t->items, id, strlen(id));
    return it ? it->value : 0;
}

/* A read as every engine's public reads do it: up to date first. */
static inline int toy_read(int64_t *out, const toy *t, const char *id)
{
    int rc = b2b2c__sync_read(t->ctx);
    if (rc == 0)
        *out = toy_get(t, id);
    return rc;
}

/* Order-independent digest of the in-memory state. */
static inline uint64_t toy_digest(const toy *t)
{
    uint64_t d = t->items.count;
    size_t i = 0;
    void *v;
    while (b2b2c__map_next(&t->items, &i, NULL, NULL, &v)) {
        const toy_item *it = v;
        d += b2b2c__hash(it->id, it->idlen) * (uint64_t)(it->value * 2 + 1);
    }
    return d;
}

#endif
