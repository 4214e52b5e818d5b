/* SPDX-License-Identifier: MIT */
/*
 * Test harness shared by every engine's tests: a failing allocator, a
 * failing storage, the fault-injection loop and the storage conformance
 * suite. Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>.
 */
#ifndef B2B2C_TEST_HARNESS_H
#define B2B2C_TEST_HARNESS_H

#include <stdint.h>

#include "b2b2c.h"

/* ---- failing allocator --------------------------------------------------- */

/* Counts allocations; fails the allocation whose number is fail_at (1-based,
 * 0 = never), and every later one too when `persist` is set. Tracks the
 * blocks still outstanding so tests can assert that nothing leaked. */
typedef struct th_alloc {
    b2b2c_allocator methods; /* pass &methods to the library */
    size_t count;            /* allocations attempted (alloc + realloc) */
    size_t fail_at;
    int persist;
    size_t failures;         /* allocations refused */
    long outstanding;        /* blocks allocated and not freed */
    size_t bytes;            /* bytes outstanding */
} th_alloc;

void th_alloc_init(th_alloc *a);

/* ---- failing storage ------------------------------------------------------ */

/* Wraps a memstore; fails the storage call whose number is fail_at with
 * fail_code (rollback is never failed: nothing can be promised after a host
 * fails to roll back). */
typedef struct th_store {
    b2b2c_storage methods; /* pass &methods to the library */
    b2b2c_memstore *ms;
    b2b2c_storage inner;
    th_alloc alloc;        /* the memstore's own allocator, never failing */
    size_t calls;
    size_t fail_at;
    int persist;
    int fail_code;         /* default -1000: checks pass-through */
    size_t failures;
} th_store;

void th_store_init(th_store *s);
void th_store_fini(th_store *s);
/* Fingerprint of the committed and pending contents, and the row count. */
uint64_t th_store_fingerprint(const th_store *s, size_t *rows);

/* ---- fault loop -------------------------------------------------------------- */

enum { TH_FAULT_ALLOC = 1, TH_FAULT_STORAGE = 2 };

typedef struct th_env {
    th_alloc alloc;
    th_store store;
    b2b2c_ctx *ctx; /* made with alloc and store before setup */
} th_env;

/*
 * The loop for N = 1, 2, ...: make a fresh env, run setup (faults off),
 * fingerprint the storage and (with `digest`) the in-memory state, arm the
 * Nth allocation or storage call to fail, run `op`. If no fault fired, op
 * must have succeeded and the loop ends. Otherwise op must have returned a
 * negative code, the storage and in-memory fingerprints must be unchanged,
 * op run again without faults must succeed (the handle is still usable),
 * and after teardown nothing may be left allocated.
 */
typedef struct th_fault_ops {
    const char *name;
    int (*setup)(th_env *env, void **state);
    int (*op)(th_env *env, void *state);
    uint64_t (*digest)(th_env *env, void *state); /* optional */
    void (*teardown)(th_env *env, void *state);   /* optional */
    int no_ctx; /* op creates what it needs itself (e.g. b2b2c_ctx_new) */
} th_fault_ops;

/* Returns the number of faults injected (>= 1 when op allocates/stores). */
size_t th_fault_loop(const th_fault_ops *ops, int mode);

/* ---- create then grow inside one group ------------------------------------ */

/*
 * The pattern behind most rollback leaks: inside one b2b2c_ctx_begin group,
 * a call creates an object and later calls grow the arrays it owns (the
 * first allocation of an array, then reallocations). Undoing the group must
 * free all of it. `create` makes the object, `grow(i)` for i = 0..ngrow-1
 * adds one element to it (ngrow large enough for several reallocations).
 */
typedef struct th_group_ops {
    const char *name;
    int (*setup)(th_env *env, void **state);
    int (*create)(th_env *env, void *state);
    int (*grow)(th_env *env, void *state, int i);
    int ngrow;
    uint64_t (*digest)(th_env *env, void *state); /* optional */
    void (*teardown)(th_env *env, void *state);   /* optional */
} th_group_ops;

/* Runs the group (1) to the end and rolled back by the host: storage,
 * in-memory state and the allocator's outstanding blocks must be as
 * before the group; (2) under th_fault_loop, committed, with every
 * allocation and then every storage call failing in turn. */
void th_group_grow(const th_group_ops *g);
/* (Not reentrant: the fault loop's op reaches `g` through a static, as
 * th_fault_ops carries no argument. Tests run one at a time.) */

/* ---- storage conformance ------------------------------------------------------ */

typedef struct th_storage_factory {
    const char *name;
    /* Create a fresh, empty store; fill *st. Return 0 on success. */
    int (*open)(b2b2c_storage *st, void **handle);
    void (*close)(void *handle);
} th_storage_factory;

/* Run the conformance tests against the factory's stores; returns the
 * number of failed tests (cmocka's result). */
int th_storage_conformance(const th_storage_factory *f);

#endif
