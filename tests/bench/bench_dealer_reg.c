/* SPDX-License-Identifier: MIT */
/* Deal registration throughput (issue 14): 1,000 dealers, 100,000 keys
 * registered (8-byte keys, 4 product lines), in-memory store.
 *   protected    b2b2c_dealer_protected on keys registered or not (half
 *                each): the direct sales team's question
 *   registration b2b2c_dealer_registration on registered keys
 *   conflicts    b2b2c_dealer_register by another dealer on registered
 *                keys: every call refused with B2B2C_EEXISTS (its own
 *                storage transaction, nothing written)
 *   register     new registrations accepted, transactions of 1,000
 * Each line is the median of several runs (bench.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "b2b2c.h"

#define NDEALERS 1000
#define NKEYS 100000
#define NQUERY 1000000
#define NCONFLICT 200000
#define GROUP 1000

static const int64_t T0 = 1767225600;
static const char *const PRODS[] = {"boilers", "pumps", "heaters",
                                    "controls"};

typedef struct state {
    b2b2c_memstore *ms;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    char (*dealer_ids)[16];
    unsigned char (*keys)[8];
    int next; /* register: the next new key */
} state;

static void die(const char *what, int rc, b2b2c_ctx *ctx)
{
    fprintf(stderr, "bench_dealer_reg: %s: %s (%s)\n", what,
            b2b2c_strerror(rc), ctx ? b2b2c_ctx_errmsg(ctx) : "");
    exit(1);
}

/* Key j: 8 bytes. */
static void key_of(unsigned char k[8], unsigned j)
{
    unsigned long long x = (j + 1) * 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 8; i++)
        k[i] = (unsigned char)(x >> (8 * i));
}

static int holder_of(int j) { return (j * 7919) % NDEALERS; }

static void teardown(state *s)
{
    b2b2c_dealer_free(s->e);
    b2b2c_ctx_free(s->ctx);
    b2b2c_memstore_free(s->ms);
    s->e = NULL;
    s->ctx = NULL;
    s->ms = NULL;
}

/* Key j (< n) registered by its holder, product line j % 4. */
static void setup_n(state *s, int n)
{
    b2b2c_storage st;
    int rc;
    teardown(s);
    if ((rc = b2b2c_memstore_new(&s->ms, NULL)) ||
        (rc = b2b2c_memstore_methods(s->ms, &st)) ||
        (rc = b2b2c_ctx_new(&s->ctx, NULL, &st)) ||
        (rc = b2b2c_dealer_new(&s->e, s->ctx)))
        die("open", rc, s->ctx);
    if ((rc = b2b2c_ctx_begin(s->ctx)))
        die("begin", rc, s->ctx);
    for (int i = 0; i < NDEALERS; i++)
        if ((rc = b2b2c_dealer_put(s->e, s->dealer_ids[i], 1, "RU", "", 100,
                                   0, 24)))
            die("put", rc, s->ctx);
    for (int j = 0; j < n; j++) {
        if ((rc = b2b2c_dealer_register(s->e, s->dealer_ids[holder_of(j)],
                                        s->keys[j], 8, PRODS[j % 4], 1000,
                                        T0 + 86400 * 30, T0)))
            die("register", rc, s->ctx);
        if (j % GROUP == GROUP - 1 &&
            ((rc = b2b2c_ctx_commit(s->ctx)) ||
             (rc = b2b2c_ctx_begin(s->ctx))))
            die("commit", rc, s->ctx);
    }
    if ((rc = b2b2c_ctx_commit(s->ctx)))
        die("commit", rc, s->ctx);
    s->next = n;
}

static void setup_all(void *arg) { setup_n(arg, NKEYS); }
static void setup_none(void *arg) { setup_n(arg, 0); }

static void run_protected(void *arg)
{
    state *s = arg;
    const char *d;
    int32_t by;
    long hits = 0;
    for (int i = 0; i < NQUERY; i++) {
        /* even i: a registered key; odd: a key never registered */
        int j = (int)(((unsigned)i * 2654435761u) % NKEYS);
        unsigned char k[8];
        int rc;
        memcpy(k, s->keys[j], 8);
        k[7] ^= (unsigned char)(i & 1);
        if ((rc = b2b2c_dealer_protected(&d, &by, NULL, s->e, k, 8,
                                         PRODS[j % 4], T0 + 60)))
            die("protected", rc, s->ctx);
        hits += by != B2B2C_DEALER_PROTECT_NONE;
    }
    if (hits < NQUERY / 2)
        die("protected: too few hits", -1, s->ctx);
}

static void run_registration(void *arg)
{
    state *s = arg;
    const char *d;
    int32_t st;
    for (int i = 0; i < NQUERY; i++) {
        int j = (int)(((unsigned)i * 2654435761u) % NKEYS);
        int rc = b2b2c_dealer_registration(&d, &st, NULL, NULL, NULL, s->e,
                                           s->keys[j], 8, PRODS[j % 4],
                                           T0 + 60);
        if (rc || st != B2B2C_DEALER_REG_PENDING)
            die("registration", rc, s->ctx);
    }
}

static void run_conflicts(void *arg)
{
    state *s = arg;
    for (int i = 0; i < NCONFLICT; i++) {
        int j = (int)(((unsigned)i * 2654435761u) % NKEYS);
        int rc = b2b2c_dealer_register(
            s->e, s->dealer_ids[(holder_of(j) + 1) % NDEALERS], s->keys[j],
            8, PRODS[j % 4], 500, T0 + 86400 * 30, T0 + 60);
        if (rc != B2B2C_EEXISTS)
            die("conflict expected", rc, s->ctx);
    }
}

static void run_register(void *arg)
{
    state *s = arg;
    int rc;
    if ((rc = b2b2c_ctx_begin(s->ctx)))
        die("begin", rc, s->ctx);
    for (int j = 0; j < NKEYS; j++) {
        if ((rc = b2b2c_dealer_register(s->e, s->dealer_ids[holder_of(j)],
                                        s->keys[j], 8, PRODS[j % 4], 1000,
                                        T0 + 86400 * 30, T0)))
            die("register", rc, s->ctx);
        if (j % GROUP == GROUP - 1 &&
            ((rc = b2b2c_ctx_commit(s->ctx)) ||
             (rc = b2b2c_ctx_begin(s->ctx))))
            die("commit", rc, s->ctx);
    }
    if ((rc = b2b2c_ctx_commit(s->ctx)))
        die("commit", rc, s->ctx);
}

int main(int argc, char **argv)
{
    state s;
    const char *only = argc > 1 ? argv[1] : NULL;
    memset(&s, 0, sizeof s);
    s.dealer_ids = malloc(sizeof(*s.dealer_ids) * NDEALERS);
    s.keys = malloc(sizeof(*s.keys) * NKEYS);
    if (!s.dealer_ids || !s.keys)
        die("malloc", -2, NULL);
    for (int i = 0; i < NDEALERS; i++)
        snprintf(s.dealer_ids[i], 16, "dealer-%04d", i);
    for (int j = 0; j < NKEYS; j++)
        key_of(s.keys[j], (unsigned)j);
    if (!only || strcmp(only, "protected") == 0 ||
        strcmp(only, "registration") == 0 || strcmp(only, "conflicts") == 0)
        setup_all(&s);
    if (!only || strcmp(only, "protected") == 0)
        bench_run("dealer protected (100,000 keys registered, half the "
                  "queries hit)",
                  run_protected, &s, NQUERY, 1, 7);
    if (!only || strcmp(only, "registration") == 0)
        bench_run("dealer registration (100,000 keys registered)",
                  run_registration, &s, NQUERY, 1, 7);
    if (!only || strcmp(only, "conflicts") == 0)
        bench_run("dealer register refused, EEXISTS (100,000 keys "
                  "registered, a transaction per call)",
                  run_conflicts, &s, NCONFLICT, 1, 7);
    if (!only || strcmp(only, "register") == 0)
        bench_run_setup("dealer register accepted (100,000 new keys, "
                        "transactions of 1,000)",
                        setup_none, run_register, &s, NKEYS, 1, 5);
    teardown(&s);
    free(s.dealer_ids);
    free(s.keys);
    return 0;
}
