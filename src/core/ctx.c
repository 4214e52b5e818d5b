/* SPDX-License-Identifier: MIT */
/* The context: allocator, storage binding, last error, and the write-through
 * machinery (one storage transaction per call, undo log for memory). */
#include <stdio.h>

#include "internal.h"

int b2b2c_storage_init(b2b2c_storage *storage, uint32_t version)
{
    if (!storage)
        return B2B2C_EINVAL;
    if (version == 0 || version > B2B2C_STORAGE_VERSION)
        return B2B2C_EVERSION;
    /* a host built against version 1 has a shorter struct */
    memset(storage, 0,
           version >= 2 ? sizeof(*storage)
                        : offsetof(b2b2c_storage, begin_read));
    storage->version = version;
    return 0;
}

static int storage_check(const b2b2c_storage *st)
{
    if (st->version == 0 || st->version > B2B2C_STORAGE_VERSION)
        return B2B2C_EVERSION;
    if (!st->get || !st->put || !st->del || !st->scan || !st->begin ||
        !st->commit || !st->rollback)
        return B2B2C_EINVAL;
    return 0;
}

int b2b2c_ctx_new(b2b2c_ctx **out, const b2b2c_allocator *alloc,
                  const b2b2c_storage *storage)
{
    b2b2c__alloc a;
    b2b2c_ctx *ctx;
    int rc;

    if (!out)
        return B2B2C_EINVAL;
    *out = NULL;
    rc = b2b2c__alloc_init(&a, alloc);
    if (rc)
        return rc;
    if (storage && (rc = storage_check(storage)) != 0)
        return rc;
    ctx = b2b2c__amalloc(&a, sizeof(*ctx));
    if (!ctx)
        return B2B2C_ENOMEM;
    memset(ctx, 0, sizeof(*ctx));
    ctx->mem = a;
    if (storage) {
        /* Copy only the members of the version the host declared: a host
         * built against version 1 has a shorter struct. */
        memcpy(&ctx->st, storage,
               storage->version >= 2 ? sizeof(*storage)
                                     : offsetof(b2b2c_storage, begin_read));
    } else {
        rc = b2b2c__memstore_create(&ctx->own_store, &ctx->mem);
        if (rc) {
            b2b2c__afree(&a, ctx);
            return rc;
        }
        b2b2c_memstore_methods(ctx->own_store, &ctx->st);
    }
    /* A private store, or the host's promise: no one else can commit. */
    ctx->coherent = storage && !(storage->version >= 2 &&
                                 (storage->flags & B2B2C_STORAGE_EXCLUSIVE));
    if (ctx->coherent && ctx->st.version >= 2 && ctx->st.peers) {
        uint64_t ep;
        (void)ctx->st.peers(ctx->st.userdata, 1, &ep);
    }
    *out = ctx;
    return 0;
}

static void undo_to(b2b2c_ctx *ctx, size_t mark)
{
    if (ctx->nundo > mark)
        ctx->pending_seq = 0;
    while (ctx->nundo > mark) {
        b2b2c__undo *u = &ctx->undo[--ctx->nundo];
        if (u->undo)
            u->undo(ctx, u->a, u->b, u->n);
    }
    if (ctx->nundo == 0)
        ctx->nrelease = 0;
}

/* The commit's release of the log, oldest first; a log without release
 * functions (the common case: saved bytes and undo-only entries) is not
 * read back (a group of 1,000 routes leaves about 200 KB of it). */
static void release_all(b2b2c_ctx *ctx)
{
    for (size_t i = 0; ctx->nrelease && i < ctx->nundo; i++) {
        b2b2c__undo *u = &ctx->undo[i];
        if (u->release)
            u->release(ctx, u->a, u->b, u->n);
    }
    ctx->nundo = 0;
    ctx->nrelease = 0;
    ctx->arenatop = 0;
    if (ctx->caparena > B2B2C__ARENA_KEEP) /* a big group: give it back */
        b2b2c__undo_arena_trim(ctx);
}

void b2b2c__undo_all(b2b2c_ctx *ctx)
{
    undo_to(ctx, 0);
}

void b2b2c__release_all(b2b2c_ctx *ctx)
{
    release_all(ctx);
}

void b2b2c_ctx_free(b2b2c_ctx *ctx)
{
    b2b2c__alloc a;

    if (!ctx)
        return;
    if (ctx->group) {
        undo_to(ctx, 0);
        if (!ctx->aborted)
            ctx->st.rollback(ctx->st.userdata);
    }
    if (ctx->loading)
        ctx->st.rollback(ctx->st.userdata);
    if (ctx->coherent && ctx->st.version >= 2 && ctx->st.peers) {
        uint64_t ep;
        (void)ctx->st.peers(ctx->st.userdata, -1, &ep);
    }
    a = ctx->mem;
    b2b2c__afree(&a, ctx->undo);
    b2b2c__afree(&a, ctx->arena);
    b2b2c__afree(&a, ctx->chg);
    for (size_t i = 0; i < ctx->neng; i++) /* handles the host forgot */
        b2b2c__afree(&a, ctx->engs[i]);
    b2b2c__afree(&a, ctx->engs);
    b2b2c_memstore_free(ctx->own_store);
    b2b2c__afree(&a, ctx);
}

const char *b2b2c_ctx_errmsg(const b2b2c_ctx *ctx)
{
    return ctx ? ctx->errmsg : "ctx is NULL";
}

int b2b2c_ctx_errcode(const b2b2c_ctx *ctx)
{
    return ctx ? ctx->errcode : B2B2C_EINVAL;
}

int b2b2c_ctx_set_utc_offset(b2b2c_ctx *ctx, int32_t seconds)
{
    if (!ctx)
        return B2B2C_EINVAL;
    if (ctx->depth)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "b2b2c_ctx_set_utc_offset called from inside a "
                          "callback");
    b2b2c__err_clear(ctx);
    if (seconds < B2B2C_UTC_OFFSET_MIN || seconds > B2B2C_UTC_OFFSET_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "seconds: %ld is outside the UTC offset range "
                          "[%ld, %ld] (-14 h..+14 h)",
                          (long)seconds, (long)B2B2C_UTC_OFFSET_MIN,
                          (long)B2B2C_UTC_OFFSET_MAX);
    if (ctx->nhandles && seconds != ctx->utc_offset)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "seconds: the UTC offset cannot change while %ld "
                          "engine handle(s) are open on ctx (days already "
                          "counted would move)",
                          (long)ctx->nhandles);
    ctx->utc_offset = seconds;
    return 0;
}

int b2b2c_ctx_utc_offset(int32_t *out, const b2b2c_ctx *ctx)
{
    if (!out || !ctx)
        return B2B2C_EINVAL;
    *out = ctx->utc_offset;
    return 0;
}

int b2b2c__err(b2b2c_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;

    ctx->errcode = code;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
    va_end(ap);
    return code;
}

#define st_rc b2b2c__st_rc

/* Commit the open transaction: the change-log entry first, then storage's
 * commit; memory's undo log is released only when both succeeded. */
static int commit_txn(b2b2c_ctx *ctx)
{
    int rc = b2b2c__sync_commit(ctx);
    if (rc == 0) {
        rc = st_rc(ctx->st.commit(ctx->st.userdata));
        if (rc)
            b2b2c__err(ctx, rc, "storage commit failed: %s",
                       b2b2c_strerror(rc));
    }
    if (rc == 0) {
        b2b2c__sync_committed(ctx);
        release_all(ctx);
    }
    return rc;
}

/* Undo memory, roll storage back, forget the transaction's changes. */
static void abort_txn(b2b2c_ctx *ctx)
{
    undo_to(ctx, 0);
    ctx->st.rollback(ctx->st.userdata);
    b2b2c__sync_txn_end(ctx);
}

int b2b2c_ctx_begin(b2b2c_ctx *ctx)
{
    int rc;

    if (!ctx)
        return B2B2C_EINVAL;
    if (ctx->depth)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "b2b2c_ctx_begin called from inside a callback");
    if (ctx->group)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "a transaction group is already open on ctx");
    rc = st_rc(ctx->st.begin(ctx->st.userdata));
    if (rc)
        return b2b2c__err(ctx, rc, "storage begin failed: %s",
                          b2b2c_strerror(rc));
    ctx->group = 1;
    ctx->aborted = 0;
    b2b2c__sync_mode(ctx);
    return 0;
}

int b2b2c_ctx_commit(b2b2c_ctx *ctx)
{
    int rc;

    if (!ctx)
        return B2B2C_EINVAL;
    if (ctx->depth)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "b2b2c_ctx_commit called from inside a callback");
    if (!ctx->group)
        return b2b2c__err(ctx, B2B2C_ESTATE, "no transaction group is open");
    ctx->group = 0;
    if (ctx->aborted) {
        ctx->aborted = 0;
        return b2b2c__err(ctx, B2B2C_EABORTED,
                          "transaction group was aborted by an earlier "
                          "failure and has been rolled back");
    }
    if ((rc = commit_txn(ctx)) != 0)
        abort_txn(ctx);
    return rc;
}

int b2b2c_ctx_rollback(b2b2c_ctx *ctx)
{
    int rc;

    if (!ctx)
        return B2B2C_EINVAL;
    if (ctx->depth)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "b2b2c_ctx_rollback called from inside a callback");
    if (!ctx->group)
        return b2b2c__err(ctx, B2B2C_ESTATE, "no transaction group is open");
    ctx->group = 0;
    if (ctx->aborted) {
        ctx->aborted = 0;
        return 0;
    }
    undo_to(ctx, 0);
    rc = st_rc(ctx->st.rollback(ctx->st.userdata));
    b2b2c__sync_txn_end(ctx);
    if (rc)
        return b2b2c__err(ctx, rc, "storage rollback failed: %s",
                          b2b2c_strerror(rc));
    return 0;
}

int b2b2c__call_begin(b2b2c_ctx *ctx)
{
    int rc;

    if (ctx->depth)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "mutating call from inside a callback of another "
                          "call on the same context");
    if (ctx->aborted)
        return b2b2c__err(ctx, B2B2C_EABORTED,
                          "transaction group aborted by an earlier failure; "
                          "call b2b2c_ctx_rollback");
    if (!ctx->group) {
        rc = st_rc(ctx->st.begin(ctx->st.userdata));
        if (rc)
            return b2b2c__err(ctx, rc, "storage begin failed: %s",
                              b2b2c_strerror(rc));
        b2b2c__sync_mode(ctx);
    }
    ctx->depth = 1;
    b2b2c__err_clear(ctx);
    /* Decide on the latest committed state: inside the transaction, so
     * nothing another context commits can come between. */
    if ((rc = b2b2c__sync_begin(ctx)) != 0) {
        ctx->depth = 0;
        return b2b2c__call_end(ctx, rc);
    }
    return 0;
}

int b2b2c__call_end(b2b2c_ctx *ctx, int rc)
{
    ctx->depth = 0;
    if (rc == 0) {
        if (ctx->group)
            return 0;
        if ((rc = commit_txn(ctx)) == 0) {
            ctx->attempts = 0;
            return 0;
        }
    }
    /* Failure: memory back to the start of the call (outside a group) or
     * of the group, and the storage transaction rolled back. */
    abort_txn(ctx);
    if (ctx->group) {
        ctx->aborted = 1;
    } else if (rc == B2B2C_ECONFLICT &&
               ctx->attempts < B2B2C_CONFLICT_RETRIES) {
        ctx->attempts++; /* re-run on the fresh state */
        return B2B2C__AGAIN;
    }
    if (rc == B2B2C_ECONFLICT && ctx->attempts) {
        char m[sizeof(ctx->errmsg)];
        memcpy(m, ctx->errmsg, sizeof(m));
        b2b2c__err(ctx, rc, "%.200s (after %d re-runs)", m, ctx->attempts);
    }
    ctx->attempts = 0;
    if (ctx->errcode != rc) /* a host callback's own code */
        b2b2c__err(ctx, rc, "%s", b2b2c_strerror(rc));
    return rc;
}

int b2b2c__undo_push(b2b2c_ctx *ctx, b2b2c__undo_fn undo,
                     b2b2c__undo_fn release, void *a, void *b, size_t n)
{
    b2b2c__undo *u;

    if (ctx->nundo == ctx->capundo &&
        b2b2c__grow(&ctx->mem, (void **)&ctx->undo, &ctx->capundo,
                    ctx->nundo + 1, sizeof(*ctx->undo)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (undo log)");
    u = &ctx->undo[ctx->nundo++];
    u->undo = undo;
    u->release = release;
    ctx->nrelease += release != NULL;
    u->a = a;
    u->b = b;
    u->n = n;
    return 0;
}

void b2b2c__handle_closing(b2b2c_ctx *ctx, void *h)
{
    if (!ctx)
        return;
    if (ctx->nhandles > 0)
        ctx->nhandles--;
    if (ctx->nundo) { /* first: undo entries may point at the engine entry */
        abort_txn(ctx);
        if (ctx->group)
            ctx->aborted = 1;
        b2b2c__err(ctx, B2B2C_EABORTED,
                   "an engine handle was freed while a transaction group "
                   "was open; the group was rolled back");
    }
    b2b2c__engine_detach(ctx, h);
}

int b2b2c__undo_reserve(b2b2c_ctx *ctx, size_t k)
{
    if (b2b2c__grow(&ctx->mem, (void **)&ctx->undo, &ctx->capundo,
                    ctx->nundo + k, sizeof(*ctx->undo)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (undo log)");
    return 0;
}

static void free_b(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)a;
    (void)n;
    b2b2c__free(ctx, b);
}

void *b2b2c__undo_arena_grow(b2b2c_ctx *ctx, b2b2c__undo_fn undo, void *a,
                             void *b, size_t n)
{
    size_t sz = (n + 7) & ~(size_t)7;
    void *p;

    if (sz < n || ctx->arenatop + sz < sz) {
        b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (undo copy)");
        return NULL;
    }
    if (ctx->arenatop + sz > ctx->caparena &&
        b2b2c__grow(&ctx->mem, (void **)&ctx->arena, &ctx->caparena,
                    ctx->arenatop + sz, 1)) {
        b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (undo copy)");
        return NULL;
    }
    if (b2b2c__undo_push(ctx, undo, NULL, a, b, n))
        return NULL;
    p = ctx->arena + ctx->arenatop;
    ctx->arenatop += sz;
    return p;
}

void b2b2c__undo_arena_trim(b2b2c_ctx *ctx)
{
    if (ctx && ctx->arenatop == 0) {
        b2b2c__free(ctx, ctx->arena);
        ctx->arena = NULL;
        ctx->caparena = 0;
    }
}

void b2b2c__undo_restore(b2b2c_ctx *ctx, void *dst, void *b, size_t n)
{
    (void)b;
    memcpy(dst, b2b2c__undo_arena_pop(ctx, n), n);
}

int b2b2c__undo_free_on_commit(b2b2c_ctx *ctx, void *p)
{
    return b2b2c__undo_push(ctx, NULL, free_b, NULL, p, 0);
}

int b2b2c__undo_free_on_fail(b2b2c_ctx *ctx, void *p)
{
    return b2b2c__undo_push(ctx, free_b, NULL, NULL, p, 0);
}

/* A conflict names the key: the host learns which row two contexts fought
 * over (docs/storage.md). */
static int st_fail(b2b2c_ctx *ctx, int rc, const char *what,
                   const char *table, const void *key, size_t klen)
{
    if (rc == B2B2C_ECONFLICT)
        return b2b2c__err_corrupt(ctx, rc, table, key, klen,
                                  "storage %s: conflict with another "
                                  "context's commit", what);
    return b2b2c__err(ctx, rc, "storage %s table '%s' failed: %s", what,
                      table, b2b2c_strerror(rc));
}

int b2b2c__st_put(b2b2c_ctx *ctx, const char *table, const void *key,
                  size_t klen, const void *val, size_t vlen)
{
    int rc;
    if (ctx->logging && (rc = b2b2c__sync_note(ctx, 0, table, key, klen)))
        return rc;
    rc = st_rc(ctx->st.put(ctx->st.userdata, table, key, klen, val, vlen));
    if (rc)
        return st_fail(ctx, rc, "put into", table, key, klen);
    return 0;
}

int b2b2c__st_del(b2b2c_ctx *ctx, const char *table, const void *key,
                  size_t klen)
{
    int rc;
    if (ctx->logging && (rc = b2b2c__sync_note(ctx, 1, table, key, klen)))
        return rc;
    rc = st_rc(ctx->st.del(ctx->st.userdata, table, key, klen));
    if (rc)
        return st_fail(ctx, rc, "del from", table, key, klen);
    return 0;
}

int b2b2c__st_get(b2b2c_ctx *ctx, const char *table, const void *key,
                  size_t klen, b2b2c_storage_value_cb found, void *payload)
{
    int rc = st_rc(
        ctx->st.get(ctx->st.userdata, table, key, klen, found, payload));
    if (rc && rc != B2B2C_ENOTFOUND && ctx->errcode != rc)
        return st_fail(ctx, rc, "get from", table, key, klen);
    return rc;
}

int b2b2c__st_scan(b2b2c_ctx *ctx, const char *table,
                   b2b2c_storage_row_cb row, void *payload)
{
    int rc = st_rc(ctx->st.scan(ctx->st.userdata, table, row, payload));
    /* A row callback that failed has set its own message. */
    if (rc && ctx->errcode != rc)
        return b2b2c__err(ctx, rc, "storage scan of table '%s' failed: %s",
                          table, b2b2c_strerror(rc));
    return rc;
}

int b2b2c__st_put_rec(b2b2c_ctx *ctx, const char *table, const void *key,
                      size_t klen, b2b2c__wbuf *w)
{
    int rc = b2b2c__enc_finish(w);
    if (rc)
        rc = b2b2c__err(ctx, rc, "encoding a record for table '%s': %s",
                        table, b2b2c_strerror(rc));
    else
        rc = b2b2c__st_put(ctx, table, key, klen, w->buf, w->len);
    b2b2c__enc_fini(w);
    return rc;
}

static void unmap(b2b2c_ctx *ctx, void *m, void *key, size_t klen)
{
    (void)ctx;
    b2b2c__map_del(m, key, klen);
}

int b2b2c__map_insert_undoable(b2b2c_ctx *ctx, b2b2c__map *m, const void *key,
                               size_t klen, void *val)
{
    return b2b2c__map_insert_undoable_h(ctx, m, b2b2c__map_keyhash(key, klen),
                                        key, klen, val);
}

int b2b2c__map_insert_undoable_h(b2b2c_ctx *ctx, b2b2c__map *m, uint64_t h,
                                 const void *key, size_t klen, void *val)
{
    if (b2b2c__undo_reserve(ctx, 1))
        return B2B2C_ENOMEM;
    if (b2b2c__map_reserve(m, 1))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (index)");
    b2b2c__map_put_h(m, h, key, klen, val, NULL); /* cannot fail: reserved */
    return b2b2c__undo_push(ctx, unmap, NULL, m, (void *)key, klen);
}

/* What a removal needs to put the entry back: the map's own key pointer
 * (it lives inside the value, not in the caller's argument). */
typedef struct remap_rec {
    b2b2c__map *m;
    const void *key;
    size_t klen;
    void *val;
} remap_rec;

static void remap(b2b2c_ctx *ctx, void *rec, void *unused, size_t n)
{
    remap_rec *r = rec;
    (void)unused;
    (void)n;
    b2b2c__map_put(r->m, r->key, r->klen, r->val, NULL); /* room is there */
    b2b2c__free(ctx, r);
}

static void free_a(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    b2b2c__free(ctx, a);
}

int b2b2c__map_remove_undoable(b2b2c_ctx *ctx, b2b2c__map *m, const void *key,
                               size_t klen)
{
    remap_rec *r;

    if (!b2b2c__map_get(m, key, klen))
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "internal: key not in index");
    if (b2b2c__undo_reserve(ctx, 1))
        return B2B2C_ENOMEM;
    r = b2b2c__malloc(ctx, sizeof(*r));
    if (!r)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (undo record)");
    r->m = m;
    r->klen = klen;
    r->val = b2b2c__map_take(m, key, klen, &r->key);
    return b2b2c__undo_push(ctx, remap, free_a, r, NULL, 0);
}

/* ---- progress handler ------------------------------------------------------ */

int b2b2c_ctx_set_progress_handler(b2b2c_ctx *ctx, int64_t units,
                                   b2b2c_progress_cb cb, void *userdata)
{
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (cb && units < 1)
        return b2b2c__err(ctx, B2B2C_ERANGE, "units: must be >= 1 (%lld)",
                          (long long)units);
    ctx->progress = cb;
    ctx->progress_ud = cb ? userdata : NULL;
    ctx->progress_every = cb ? units : 0;
    ctx->progress_count = 0;
    return 0;
}

int b2b2c__progress(b2b2c_ctx *ctx, int64_t units)
{
    int stop;
    if (!ctx->progress)
        return 0;
    ctx->progress_count += units;
    if (ctx->progress_count < ctx->progress_every)
        return 0;
    ctx->progress_count = 0;
    b2b2c__cb_enter(ctx);
    stop = ctx->progress(ctx->progress_ud);
    b2b2c__cb_leave(ctx);
    if (stop)
        return b2b2c__err(ctx, B2B2C_EINTERRUPTED,
                          "interrupted: the progress handler returned %d",
                          stop);
    return 0;
}
