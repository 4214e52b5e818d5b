/* SPDX-License-Identifier: MIT */
/* What the shared memstore's lock costs one thread: the same store code with
 * the lock (b2b2c_memstore_new) and without (a context's private store),
 * run in turn round by round in one process, so that load from other
 * processes falls on both alike. Thread CPU time; medians of ROUNDS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "b2b2c.h"
#include "internal.h"

#define N 1000000
#define NLEADS 200000
#define ROUNDS 9

static char (*ids)[16], (*regions)[16];

static double cpu_now(void) { return bench_clock(CLOCK_THREAD_CPUTIME_ID); }

static void die(const char *what)
{
    fprintf(stderr, "bench_memstore_lock: %s failed\n", what);
    exit(1);
}

/* A context on a shared store (locked) or on its own (not). */
static b2b2c_ctx *open_ctx(int locked, b2b2c_memstore **ms)
{
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    *ms = NULL;
    if (locked && (b2b2c_memstore_new(ms, NULL) ||
                   b2b2c_memstore_methods(*ms, &st)))
        die("memstore");
    if (b2b2c_ctx_new(&ctx, NULL, locked ? &st : NULL))
        die("ctx");
    return ctx;
}

static int nop(const void *v, size_t n, void *p)
{
    (void)v;
    (void)n;
    (void)p;
    return 0;
}

enum { PUT_GROUPED, PUT_EACH, GET_OUTSIDE, ROUTE_GROUPED, ROUTE_EACH };

static double raw(int kind, b2b2c_storage *st)
{
    double t0;
    if (kind == GET_OUTSIDE) {
        st->begin(st->userdata);
        for (int i = 0; i < N; i++)
            st->put(st->userdata, "t", ids[i], strlen(ids[i]), ids[i], 16);
        st->commit(st->userdata);
    }
    t0 = cpu_now();
    for (int i = 0; i < N; i++) {
        const char *k = ids[kind == GET_OUTSIDE ? (i * 7919L) % N : i];
        if (kind == PUT_EACH || (kind == PUT_GROUPED && i % 1000 == 0))
            st->begin(st->userdata);
        if (kind == GET_OUTSIDE)
            st->get(st->userdata, "t", k, strlen(k), nop, NULL);
        else
            st->put(st->userdata, "t", k, strlen(k), k, 16);
        if (kind == PUT_EACH || (kind == PUT_GROUPED && i % 1000 == 999))
            st->commit(st->userdata);
    }
    return cpu_now() - t0;
}

static double route(int kind, b2b2c_ctx *ctx)
{
    b2b2c_dealer_engine *e;
    char id[32], reg[16];
    const char *d;
    int group = kind == ROUTE_GROUPED ? 1000 : 1;
    double t0, t;

    if (b2b2c_dealer_new(&e, ctx) || b2b2c_dealer_seed(e, 1) ||
        b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_POLICY, 0) ||
        b2b2c_ctx_begin(ctx))
        die("dealer");
    for (int k = 0; k < 10000; k++) {
        snprintf(id, sizeof id, "dealer-%05d", k);
        snprintf(reg, sizeof reg, "R%d", k % 100);
        if (b2b2c_dealer_put(e, id, 1.0 + k % 3, reg, "", 1000000, 0, 48))
            die("dealer_put");
    }
    if (b2b2c_ctx_commit(ctx))
        die("commit");
    t0 = cpu_now();
    for (int i = 0; i < NLEADS; i += group) {
        if (group > 1 && b2b2c_ctx_begin(ctx))
            die("begin");
        for (int j = i; j < i + group; j++)
            if (b2b2c_dealer_route(&d, NULL, e, ids[j], regions[j], 0, 0, 0,
                                   "", 5, 2, INT64_C(1767225600) + j))
                die("route");
        if (group > 1 && b2b2c_ctx_commit(ctx))
            die("commit");
    }
    t = cpu_now() - t0;
    b2b2c_dealer_free(e);
    return t;
}

/* (not inlined: callgrind's --toggle-collect=one counts a round) */
static __attribute__((noinline)) double one(int kind, int locked)
{
    b2b2c_memstore *ms;
    b2b2c_ctx *ctx = open_ctx(locked, &ms);
    double t = kind >= ROUTE_GROUPED ? route(kind, ctx) : raw(kind, &ctx->st);
    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(ms);
    return t;
}

static void print(const char *name, const char *how, double *t, int rounds,
                  double items)
{
    char label[160];
    snprintf(label, sizeof label, ", %s [thread cpu time]", how);
    bench_report(name, label, t, rounds, items);
}

int main(void)
{
    static const char *names[] = {
        "memstore put 1M (txn of 1000)",
        "memstore put 1M (one txn each)",
        "memstore get 1M of 1M outside transactions",
        "dealer route rr 200k (groups of 1000)",
        "dealer route rr 200k (one txn each)",
    };
    int rounds = ROUNDS;
    ids = malloc(sizeof(*ids) * N);
    regions = malloc(sizeof(*regions) * NLEADS);
    if (!ids || !regions)
        die("malloc");
    for (int i = 0; i < N; i++)
        snprintf(ids[i], 16, "lead-%07d", i);
    for (int j = 0; j < NLEADS; j++)
        snprintf(regions[j], 16, "R%d-%d", (j * 7919) % 100, j % 5);
    /* BENCH_RUNS=N (tests/bench/ir_compare.sh): N rounds instead */
    if (getenv("BENCH_RUNS") && atoi(getenv("BENCH_RUNS")) > 0 &&
        atoi(getenv("BENCH_RUNS")) < ROUNDS)
        rounds = atoi(getenv("BENCH_RUNS"));
    for (int k = PUT_GROUPED; k <= ROUTE_EACH; k++) {
        double off[ROUNDS], on[ROUNDS];
        double items = k >= ROUTE_GROUPED ? NLEADS : N;
        for (int r = 0; r < rounds; r++) {
            off[r] = one(k, 0);
            on[r] = one(k, 1);
        }
        print(names[k], "private store (no lock)", off, rounds, items);
        print(names[k], "shared store (lock)", on, rounds, items);
        fflush(stdout);
    }
    free(ids);
    free(regions);
    return 0;
}
