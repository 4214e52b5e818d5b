/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c: the storage contract, for authors of storage backends.
 *
 * The host supplies storage as a versioned method table. The library keeps
 * every engine's state in named tables of (key, value) byte strings and
 * writes through on every mutating call, inside one transaction per call
 * (or per b2b2c_ctx_begin/commit group). See docs/storage.md.
 *
 * Threads: the library calls a storage table from the thread that is using
 * the context; it never calls it from two threads at once for one context.
 * A store shared by contexts on several threads must be safe for that
 * itself: the built-in one is (see b2b2c_memstore_new).
 */
#ifndef B2B2C_SYS_STORAGE_H
#define B2B2C_SYS_STORAGE_H

#include "../common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define B2B2C_STORAGE_VERSION 2

/*
 * Called by `get` with the value found. The pointer is valid only during the
 * call. Return 0, or a negative code that `get` must return unchanged.
 */
typedef int (*b2b2c_storage_value_cb)(const void *val, size_t vallen,
                                      void *payload);

/*
 * Called by `scan` for every row. Pointers are valid only during the call.
 * Return 0 to go on; a non-zero value stops the scan, and `scan` returns it.
 */
typedef int (*b2b2c_storage_row_cb)(const void *key, size_t keylen,
                                    const void *val, size_t vallen,
                                    void *payload);

/*
 * The storage method table. All members but `hint` are required in
 * version 1.
 *
 * Tables are NUL-terminated ASCII names of 1 to 63 characters from
 * [a-z0-9_], chosen by the engines. Keys are 1 to 65535 bytes, values 0 to
 * 2^31-1 bytes; both may contain zero bytes.
 *
 * Every method returns 0 on success or a negative code; the library passes a
 * negative code back to its caller unchanged (a positive return value is
 * treated as B2B2C_ESTORAGE).
 *
 * get      find `key` in `table`: call `found` once with the value and
 *          return its result, or return B2B2C_ENOTFOUND without calling it.
 * put      insert or replace. The store copies key and value.
 * del      remove `key`; 0 also when the key was absent.
 * scan     call `row` for every row of `table` in ascending key order
 *          (bytewise, as memcmp, a shorter key before a longer one with the
 *          same prefix); stop and return `row`'s value when it is non-zero.
 *          An unknown table is empty. `row` never modifies the store.
 * begin    start a transaction. The library never nests them.
 * commit   make every change since begin durable and visible.
 * rollback undo every change since begin. Reads inside a transaction see
 *          its own writes.
 * hint     optional (NULL: none). A hint that the library is about to get
 *          or put a key in `table`, so that a store can start loading what
 *          it will need (B2B2C_STORAGE_HINT_* in `op`). `hash` is the
 *          library's own 64-bit hash of the key: only a store that indexes
 *          by the same hash (the built-in one) can use it; any other store
 *          leaves this member NULL. A hint never changes the store or a
 *          result, cannot fail, and may be called outside a transaction.
 *          Every member is called with `userdata`: a host that copies the
 *          memstore's table and replaces userdata (to wrap some methods)
 *          replaces or clears `hint` and `peers` too (see peers).
 *
 * Version 2 (many contexts on one database; docs/storage.md):
 * begin_read optional (NULL: the library uses begin ... rollback). Start a
 *          read-only transaction that sees one consistent committed state
 *          (a snapshot) and ends with `rollback`. The library brackets the
 *          reads that bring a context up to date outside a mutating call
 *          with it (SQLite: BEGIN DEFERRED; PostgreSQL: REPEATABLE READ
 *          READ ONLY).
 * flags    B2B2C_STORAGE_* bits. B2B2C_STORAGE_EXCLUSIVE is the host's
 *          promise that no other context (in this process or any other)
 *          ever opens this database while this one is open: the library
 *          then keeps no change log and never looks for others' changes.
 *          A wrong promise loses updates, as in version 1.
 * peers    optional (NULL: the library assumes others may be there). For a
 *          store that knows every context using it (the built-in one,
 *          which lives in one process): add `delta` (+1 when a context is
 *          made on it, -1 when it is freed, 0 to ask) to its count of
 *          contexts, write to *epoch a number that changes whenever a
 *          context is added or removed, and return the count. A context
 *          alone on such a store keeps no change log: it only looks for
 *          others' changes once after the epoch moved. A host that wraps
 *          such a table (its own userdata around the store's methods)
 *          must forward `peers` to the store, never leave it out while
 *          another context uses the store's own table: that context would
 *          think itself alone and stop logging.
 *
 * Any method may return B2B2C_ECONFLICT: the store found that the open
 * transaction conflicts with one another context committed (PostgreSQL's
 * serialization failure or deadlock, SQLite's SQLITE_BUSY_SNAPSHOT) and
 * can no longer commit. The library rolls back and re-runs the call from
 * the start on the fresh state, up to B2B2C_CONFLICT_RETRIES times.
 */
typedef struct b2b2c_storage {
    uint32_t version; /* B2B2C_STORAGE_VERSION */
    void *userdata;   /* passed as the first argument of every method */
    int (*get)(void *userdata, const char *table, const void *key,
               size_t keylen, b2b2c_storage_value_cb found, void *payload);
    int (*put)(void *userdata, const char *table, const void *key,
               size_t keylen, const void *val, size_t vallen);
    int (*del)(void *userdata, const char *table, const void *key,
               size_t keylen);
    int (*scan)(void *userdata, const char *table, b2b2c_storage_row_cb row,
                void *payload);
    int (*begin)(void *userdata);
    int (*commit)(void *userdata);
    int (*rollback)(void *userdata);
    void (*hint)(void *userdata, int32_t op, const char *table,
                 uint64_t hash);
    /* version 2 */
    int (*begin_read)(void *userdata);
    uint32_t flags;
    int32_t (*peers)(void *userdata, int32_t delta, uint64_t *epoch);
} b2b2c_storage;

/* b2b2c_storage.flags (version 2). Bits are never renumbered. */
#define B2B2C_STORAGE_EXCLUSIVE 0x1u

/* How many times a call that met B2B2C_ECONFLICT is re-run before it fails
 * with B2B2C_ECONFLICT (a call inside a b2b2c_ctx_begin group is never
 * re-run: the group is rolled back and the host re-runs it). */
#define B2B2C_CONFLICT_RETRIES 16

/* Hints (b2b2c_storage.hint). Values are never renumbered. */
enum {
    /* start loading the index slot where `hash` lives */
    B2B2C_STORAGE_HINT_PREFETCH_SLOT = 1,
    /* start loading the row that slot holds (after the slot has arrived) */
    B2B2C_STORAGE_HINT_PREFETCH_ROW = 2
};

#define B2B2C_STORAGE_INIT                                                 \
    { B2B2C_STORAGE_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
      NULL, NULL, 0, NULL }

/* Fill `storage` with B2B2C_STORAGE_INIT's values. Returns 0 or
 * B2B2C_EINVAL (storage NULL) or B2B2C_EVERSION (unknown version). */
B2B2C_API int b2b2c_storage_init(b2b2c_storage *storage, uint32_t version);

/* ---- the built-in in-memory store ------------------------------------ */

typedef struct b2b2c_memstore b2b2c_memstore;

/*
 * Create an in-memory store that satisfies the storage contract, for tests,
 * simple embedders and keeping state across contexts in one process.
 * alloc may be NULL (libc). Returns 0, B2B2C_EINVAL, B2B2C_EVERSION or
 * B2B2C_ENOMEM.
 *
 * Threads: one store may be shared by any number of contexts on any
 * threads. It has one lock, taken by every method:
 * - A transaction holds the whole store from begin to commit or rollback,
 *   so transactions run one at a time (one writer at a time) and are
 *   serializable: each sees every transaction committed before its begin
 *   and nothing of any other. Another thread's begin, and its reads,
 *   wait until the transaction ends (a group held open with
 *   b2b2c_ctx_begin makes every other thread wait that long).
 * - A get or scan outside a transaction takes the store for its own
 *   duration and sees committed rows only, each scan as of one moment.
 * - On the thread that holds the transaction, a second context sharing
 *   the store is refused, not made to wait (it would wait for itself):
 *   its begin, and so its mutating calls, return B2B2C_ESTATE; its reads
 *   see the open transaction's writes.
 * - A transaction must end on the thread that began it: a context inside
 *   a b2b2c_ctx_begin group stays on its thread until the group ends.
 * - The allocator passed here is then called from every thread using the
 *   store (libc's is fine).
 * What it does not do: engines keep their state in memory, loaded when
 * opened, so an engine handle does not see rows another context commits
 * later; the store keeps the rows consistent, not the handles.
 * A context made without storage (b2b2c_ctx_new with NULL) has its own
 * store that nothing else can reach, and that one takes no lock.
 */
B2B2C_API int b2b2c_memstore_new(b2b2c_memstore **out,
                                 const b2b2c_allocator *alloc);

/*
 * Fill `out` with the method table of `store` (userdata = store), ready to
 * pass to b2b2c_ctx_new. The store must outlive every context using it.
 * Returns 0 or B2B2C_EINVAL.
 */
B2B2C_API int b2b2c_memstore_methods(b2b2c_memstore *store,
                                     b2b2c_storage *out);

/* Free a store and all its data; NULL is accepted. An open transaction is
 * discarded. */
B2B2C_API void b2b2c_memstore_free(b2b2c_memstore *store);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_SYS_STORAGE_H */
