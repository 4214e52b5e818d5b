/* SPDX-License-Identifier: MIT */
/*
 * A toy engine written the way every real engine is: counters keyed by ID,
 * kept in memory and written through to table "toy". It exercises the
 * write-through helper (b2b2c__call_begin/end, the undo log) in tests and
 * serves engine authors as the smallest complete example.
 */
#ifndef B2B2C_TEST_TOY_H
#define B2B2C_TEST_TOY_H

#include "internal.h"

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
    return b2b2c__st_put_rec(ctx, "toy", it->id, it->idlen, &w);
}

/* Add `delta` to the counter `id`, creating it at 0; a counter that reaches
 * 0 is deleted. Values outside [-1e6, 1e6] are ERANGE (checked after the
 * change, to prove the undo path). */
static inline int toy_add(toy *t, const char *id, int64_t delta)
{
    b2b2c_ctx *ctx = t->ctx;
    toy_item *it;
    size_t n;
    int rc;

    if (b2b2c__id_check(id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "id: not a valid ID");
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
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
            (rc = b2b2c__st_del(ctx, "toy", id, n)) != 0)
            goto out;
    } else {
        rc = toy_write(ctx, it);
    }
out:
    return b2b2c__call_end(ctx, rc);
}

typedef struct toy_load {
    toy *t;
} toy_load;

static inline int toy_load_row(const void *k, size_t kl, const void *v, size_t vl,
                        void *payload)
{
    toy *t = payload;
    b2b2c__rbuf r;
    toy_item *it;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return b2b2c__err_corrupt(t->ctx, rc, "toy", k, kl, NULL);
    it = b2b2c__malloc(t->ctx, sizeof(*it) + kl + 1);
    if (!it)
        return b2b2c__err(t->ctx, B2B2C_ENOMEM, "out of memory");
    it->value = b2b2c__dec_i64(&r);
    it->idlen = kl;
    memcpy(it->id, k, kl);
    it->id[kl] = '\0';
    if ((rc = b2b2c__dec_finish(&r)) != 0 ||
        (rc = b2b2c__map_put(&t->items, it->id, kl, it, NULL)) != 0) {
        b2b2c__free(t->ctx, it);
        return b2b2c__err_corrupt(t->ctx, rc, "toy", k, kl, NULL);
    }
    return 0;
}

static inline void toy_free(toy *t)
{
    size_t i = 0;
    void *v;
    if (!t)
        return;
    b2b2c__handle_closing(t->ctx);
    while (b2b2c__map_next(&t->items, &i, NULL, NULL, &v))
        b2b2c__free(t->ctx, v);
    b2b2c__map_fini(&t->items);
    b2b2c__free(t->ctx, t);
}

/* Open: load every row of "toy". */
static inline int toy_new(toy **out, b2b2c_ctx *ctx)
{
    toy *t = b2b2c__malloc(ctx, sizeof(*t));
    int rc;

    *out = NULL;
    if (!t)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    t->ctx = ctx;
    b2b2c__map_init(&t->items, &ctx->mem);
    rc = b2b2c__st_scan(ctx, "toy", toy_load_row, t);
    if (rc) {
        toy_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

static inline int64_t toy_get(const toy *t, const char *id)
{
    toy_item *it = b2b2c__map_get(&t->items, id, strlen(id));
    return it ? it->value : 0;
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
