/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the engines' two-context tests (test_*_sync.c): one memstore
 * shared by two contexts, a digest of what the public API reports (FNV-1a
 * over formatted text), and a seeded generator for the random runs.
 * Include after harness.h.
 */
#ifndef B2B2C_TEST_SYNC_UTIL_H
#define B2B2C_TEST_SYNC_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One store, two contexts on it (a and b). */
typedef struct sync_pair {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ca, *cb;
} sync_pair;

static inline void sync_pair_open(sync_pair *p)
{
    assert_int_equal(b2b2c_memstore_new(&p->ms, NULL), 0);
    assert_int_equal(b2b2c_memstore_methods(p->ms, &p->st), 0);
    assert_int_equal(b2b2c_ctx_new(&p->ca, NULL, &p->st), 0);
    assert_int_equal(b2b2c_ctx_new(&p->cb, NULL, &p->st), 0);
}

/* After the engines' handles were freed. */
static inline void sync_pair_close(sync_pair *p)
{
    b2b2c_ctx_free(p->ca);
    b2b2c_ctx_free(p->cb);
    b2b2c_memstore_free(p->ms);
}

#define SYNC_FNV_SEED UINT64_C(14695981039346656037)

static inline uint64_t sync_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * UINT64_C(1099511628211);
    return h;
}

/* Mix printf-formatted text (and its terminator) into h. */
static inline uint64_t sync_fnv_str(uint64_t h, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return sync_fnv(h, buf, strlen(buf) + 1);
}

/* A 64-bit LCG (Knuth's MMIX constants); the high bits. */
static inline uint32_t sync_rnd(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (uint32_t)(*s >> 33);
}

#endif
