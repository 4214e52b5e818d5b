/* SPDX-License-Identifier: MIT */
/* Dealer routing throughput: 10,000 dealers over 100 regions, in-memory
 * store, transactions of 1,000 decisions; one benchmark per policy, plus
 * expiry/re-routing, and the memory per dealer and per open lead. With
 * the argument "owned": every policy again with a customer key on every
 * lead, one customer in five with a dealer of record (issue 14). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "b2b2c.h"

#define NDEALERS 10000
#define NREGIONS 100
#define NLEADS 200000
#define GROUP 1000

static const int64_t T0 = 1767225600;

/* counting allocator: a size header in front of every block */
typedef struct state {
    int policy;
    int flat; /* every tier weight 1 (else 1, 2, 3 in turn) */
    int owned; /* customers of record: routes carry keys, 20% owned */
    bench_counter cnt;
    b2b2c_allocator al;
    b2b2c_memstore *ms;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    char (*lead_ids)[16];
    char (*regions)[16];
    unsigned char (*keys)[8]; /* customer j's key (owned) */
    long long after_dealers, after_leads, store_after_dealers;
} state;

static void die(const char *what, int rc, b2b2c_ctx *ctx)
{
    fprintf(stderr, "bench_dealer: %s: %s (%s)\n", what, b2b2c_strerror(rc),
            ctx ? b2b2c_ctx_errmsg(ctx) : "");
    exit(1);
}

static void teardown(state *s)
{
    b2b2c_dealer_free(s->e);
    b2b2c_ctx_free(s->ctx);
    b2b2c_memstore_free(s->ms);
    s->e = NULL;
    s->ctx = NULL;
    s->ms = NULL;
}

/* Customer j's key: 8 bytes. */
static void key_of(unsigned char k[8], int j)
{
    for (int i = 0; i < 8; i++)
        k[i] = (unsigned char)((unsigned)j >> (8 * (i % 4)) ^ (unsigned)i);
}

/* Lead j of the run is customer j; one customer in five (a multiplicative
 * hash of j, so that owned leads fall in every region among the others:
 * j % 5 == 0 put them in 20 regions of their own, where no plan was ever
 * shared with a plain lead) won an earlier lead in the same region
 * (routed, accepted, won, recorded): 20% of the run's leads have an
 * owner. */
static int is_owned(int j)
{
    return ((uint32_t)j * 2654435761u >> 16) % 5 == 0;
}

static void setup_owners(state *s)
{
    const char *d;
    char id[32];
    int rc, n = 0;
    for (int j = 0; j < NLEADS; j++) {
        const unsigned char *k = s->keys[j];
        if (!is_owned(j))
            continue;
        if (n % GROUP == 0 && (rc = b2b2c_ctx_begin(s->ctx)))
            die("begin", rc, s->ctx);
        snprintf(id, sizeof id, "won-%07d", j);
        if ((rc = b2b2c_dealer_route_customer(&d, NULL, s->e, id, k, 8,
                                              s->regions[j], 0, 0, 0, "", 5,
                                              2, T0 - 3600)) ||
            (rc = b2b2c_dealer_accept(s->e, id, d, T0 - 3600)) ||
            (rc = b2b2c_dealer_outcome(s->e, id, 1, 100, T0 - 1800)) ||
            (rc = b2b2c_dealer_owner_win(s->e, id, k, 8)))
            die("owner", rc, s->ctx);
        if (++n % GROUP == 0 && (rc = b2b2c_ctx_commit(s->ctx)))
            die("commit", rc, s->ctx);
    }
    if (n % GROUP && (rc = b2b2c_ctx_commit(s->ctx)))
        die("commit", rc, s->ctx);
}

static void setup(void *arg)
{
    state *s = arg;
    b2b2c_storage st;
    char id[32], reg[16];
    int rc;
    teardown(s);
    s->cnt.bytes = 0;
    s->al = (b2b2c_allocator){B2B2C_ALLOCATOR_VERSION, bench_count_alloc,
                              bench_count_realloc, bench_count_free, &s->cnt};
    /* the store gets libc's allocator: only the engine's bytes count */
    if ((rc = b2b2c_memstore_new(&s->ms, NULL)) ||
        (rc = b2b2c_memstore_methods(s->ms, &st)) ||
        (rc = b2b2c_ctx_new(&s->ctx, &s->al, &st)) ||
        (rc = b2b2c_dealer_new(&s->e, s->ctx)) ||
        (rc = b2b2c_dealer_set_param(s->e, B2B2C_DEALER_PARAM_POLICY,
                                     s->policy)) ||
        (rc = b2b2c_dealer_seed(s->e, 1)))
        die("setup", rc, s->ctx);
    if ((rc = b2b2c_ctx_begin(s->ctx)))
        die("begin", rc, s->ctx);
    for (int d = 0; d < NDEALERS; d++) {
        snprintf(id, sizeof id, "dealer-%05d", d);
        snprintf(reg, sizeof reg, "R%d", d % NREGIONS);
        if ((rc = b2b2c_dealer_put(s->e, id, s->flat ? 1.0 : 1.0 + d % 3,
                                   reg, "", 1000000, 0, 48)))
            die("put", rc, s->ctx);
    }
    if ((rc = b2b2c_ctx_commit(s->ctx)))
        die("commit", rc, s->ctx);
    s->after_dealers = s->cnt.bytes;
    if (s->owned)
        setup_owners(s);
}

/* The 200,000 routes in transactions of 1,000; with keys, every lead
 * with its customer's key (route_customer). */
static void route_all(state *s, int keys)
{
    const char *d;
    int rc;
    for (int i = 0; i < NLEADS; i += GROUP) {
        if ((rc = b2b2c_ctx_begin(s->ctx)))
            die("begin", rc, s->ctx);
        for (int j = i; j < i + GROUP; j++)
            if ((rc = keys ? b2b2c_dealer_route_customer(
                                 &d, NULL, s->e, s->lead_ids[j], s->keys[j],
                                 8, s->regions[j], 0, 0, 0, "", 5, 2, T0 + j)
                           : b2b2c_dealer_route(&d, NULL, s->e,
                                                s->lead_ids[j], s->regions[j],
                                                0, 0, 0, "", 5, 2, T0 + j)))
                die("route", rc, s->ctx);
        if ((rc = b2b2c_ctx_commit(s->ctx)))
            die("commit", rc, s->ctx);
    }
}

/* (separate functions for callgrind's --toggle-collect) */
static void run_owned(void *arg) { route_all(arg, 1); }

static void run(void *arg)
{
    state *s = arg;
    route_all(s, 0);
    s->after_leads = s->cnt.bytes;
}

/* The same routes, each followed by the accept of the lead routed 1,000
 * before and the outcome (won one time in four) of the lead routed 2,000
 * before: every accept and outcome changes a dealer's statistics (and an
 * outcome the network prior), so the region plans are dropped often and
 * most decisions go through the eligibility pass. Items: routes. */
static void run_mixed(void *arg)
{
    state *s = arg;
    const char **by = malloc(sizeof(*by) * NLEADS);
    int rc;
    if (!by)
        die("malloc", -1, NULL);
    for (int i = 0; i < NLEADS; i += GROUP) {
        if ((rc = b2b2c_ctx_begin(s->ctx)))
            die("begin", rc, s->ctx);
        for (int j = i; j < i + GROUP; j++) {
            if ((rc = b2b2c_dealer_route(&by[j], NULL, s->e, s->lead_ids[j],
                                         s->regions[j], 0, 0, 0, "", 5, 2,
                                         T0 + j)))
                die("route", rc, s->ctx);
            if (j >= 1000 &&
                (rc = b2b2c_dealer_accept(s->e, s->lead_ids[j - 1000],
                                          by[j - 1000], T0 + j)))
                die("accept", rc, s->ctx);
            if (j >= 2000 &&
                (rc = b2b2c_dealer_outcome(s->e, s->lead_ids[j - 2000],
                                           j % 4 == 0, j % 4 ? 0 : 100.0,
                                           T0 + j)))
                die("outcome", rc, s->ctx);
        }
        if ((rc = b2b2c_ctx_commit(s->ctx)))
            die("commit", rc, s->ctx);
    }
    free(by);
}

static void run_expire(void *arg)
{
    state *s = arg;
    size_t n = 0;
    int rc;
    /* every open offer (48 h deadline) expires and is re-routed */
    if ((rc = b2b2c_ctx_begin(s->ctx)) ||
        (rc = b2b2c_dealer_expire(&n, s->e, T0 + NLEADS + 49 * 3600, NULL,
                                  NULL)) ||
        (rc = b2b2c_ctx_commit(s->ctx)))
        die("expire", rc, s->ctx);
    if (n != NLEADS)
        die("expire count", -1, s->ctx);
}

static void setup_expire(void *arg)
{
    setup(arg);
    run(arg);
}

int main(int argc, char **argv)
{
    /* optional argument: run only this policy, by number (0..4) or name
     * (rr, tier, performance, thompson, thompson-flat: Thompson with every
     * tier weight 1, so that every eligible dealer is drawn) */
    static const char *names[] = {"round robin", "tier", "performance",
                                  "thompson", "thompson, equal tiers"};
    static const char *args[] = {"rr", "tier", "performance", "thompson",
                                 "thompson-flat"};
    int only = argc > 1 ? atoi(argv[1]) : -1;
    int mixed = argc > 1 && strcmp(argv[1], "mixed") == 0;
    int owned = argc > 1 && strcmp(argv[1], "owned") == 0;
    for (int p = 0; argc > 1 && p < 5; p++)
        if (strcmp(argv[1], args[p]) == 0)
            only = p;
    state s;
    char name[128];
    memset(&s, 0, sizeof s);
    s.lead_ids = malloc(sizeof(*s.lead_ids) * NLEADS);
    s.regions = malloc(sizeof(*s.regions) * NLEADS);
    s.keys = malloc(sizeof(*s.keys) * NLEADS);
    for (int j = 0; j < NLEADS; j++) {
        snprintf(s.lead_ids[j], 16, "lead-%07d", j);
        key_of(s.keys[j], j);
        /* a child region: the lookup walks R<k>-<n> then R<k> */
        snprintf(s.regions[j], 16, "R%d-%d", (j * 7919) % NREGIONS, j % 5);
    }
    for (int p = 0; p < 4 && owned; p++) {
        /* "owned POLICY": that policy only */
        if (argc > 2 && strcmp(argv[2], args[p]) != 0)
            continue;
        s.policy = p;
        s.owned = 1;
        snprintf(name, sizeof name,
                 "dealer route_customer %s, 20%% of customers owned "
                 "(10,000 dealers, 100 regions, groups of 1,000)",
                 names[p]);
        bench_run_setup(name, setup, run_owned, &s, NLEADS, 1, 5);
    }
    if (owned) {
        teardown(&s);
        free(s.lead_ids);
        free(s.regions);
        free(s.keys);
        return 0;
    }
    for (int p = 0; p < 5 && !mixed; p++) {
        if (only >= 0 && p != only)
            continue;
        s.policy = p < 4 ? p : 3;
        s.flat = p == 4;
        snprintf(name, sizeof name,
                 "dealer route %s (10,000 dealers, 100 regions, groups of "
                 "1,000)", names[p]);
        bench_run_setup(name, setup, run, &s, NLEADS, 1, 5);
    }
    if (!mixed)
        printf("memory: %.0f bytes per dealer (engine, without the store), "
           "%.0f bytes per open lead (with its audit record)\n",
           (double)s.after_dealers / NDEALERS,
           (double)(s.after_leads - s.after_dealers) / NLEADS);
    s.policy = 2;
    s.flat = 0;
    if (only < 0 || mixed)
        bench_run_setup("dealer route + accept + outcome (performance, "
                        "200,000 of each but the first 1,000 and 2,000; "
                        "items: routes)",
                        setup, run_mixed, &s, NLEADS, 1, 5);
    if (only < 0)
        bench_run_setup("dealer expire + re-route (performance, 200,000 "
                    "expired offers)",
                    setup_expire, run_expire, &s, NLEADS, 1, 5);
    teardown(&s);
    free(s.lead_ids);
    free(s.regions);
    free(s.keys);
    return 0;
}
