/* SPDX-License-Identifier: MIT */
/*
 * Many processes on one database (issue 13): what the engines cost through
 * the SQLite and PostgreSQL adapters when several contexts share them.
 *
 *   bench_multi sqlite [PART [N]]  the built-in memstore (refresh only) and
 *                                  a SQLite file (WAL)
 *   bench_multi pg [PART [N]]      PostgreSQL (B2B2C_PG_CONNINFO, as set by
 *                                  tests/harness/pg_server.sh)
 * PART: all (default), tp, refresh or open. N: calls per process for tp
 * (default 100), the largest number of changed keys for refresh (default
 * 1,000), leads for open (default 20,000); docs/PERFORMANCE.md used 200,
 * 10,000 and 1,000,000. The default run takes a minute or two (meson test
 * --benchmark). B2B2C_BENCH_RUNS: timed runs per figure (default 3).
 *
 * 1. tp: calls/s summed over 1, 2 and 4 worker processes (fork) on one
 *    database, each call its own transaction: "events" (b2b2c_lead_event
 *    on the worker's own existing leads) and "routes" (b2b2c_dealer_route
 *    of a new lead to dealers with capacity to spare). SQLite: WAL,
 *    synchronous FULL and NORMAL. PostgreSQL: LOCK and SERIALIZABLE, with
 *    the server's fsync as pg_server.sh started it (B2B2C_PG_FSYNC=on or
 *    off; the names say which, from SHOW fsync). Each worker opens its
 *    connection and engine before the clock starts. One untimed warm-up
 *    run, then the configurations' runs interleaved. Re-runs are the
 *    B2B2C_ECONFLICT answers the storage gave (the library re-ran the call);
 *    refused are calls that returned an error (re-run 16 times and still
 *    refused, or any other error).
 * 2. refresh: context A (a lead model over 10,000 leads) idle while
 *    context B, on its own connection, commits K lead events on distinct
 *    leads (K = 1, 100, N), each its own transaction; then A's
 *    b2b2c_ctx_sync is timed (per changed key), and a sync when nothing
 *    changed (median over batches of 1,000).
 * 3. open: N leads added in groups of 10,000 (b2b2c_ctx_begin/commit,
 *    untimed); then, in a fresh child process per run, a new connection
 *    and context (counting allocator) and b2b2c_lead_model_new timed, with
 *    the growth of the process's RSS (/proc/self/statm), of its peak RSS
 *    (VmHWM) and the library's bytes (the allocator's count).
 * Every line ends with the load average (/proc/loadavg) when it was
 * printed: the machine may be shared.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "b2b2c.h"
#include "bench.h"
#ifdef BENCH_SQLITE
#include "b2b2c/storage/sqlite.h"
#endif
#ifdef BENCH_PG
#include <libpq-fe.h>

#include "b2b2c/storage/postgresql.h"
#endif

#define T0 ((int64_t)1767225600) /* 2026-01-01 */
enum { MAXP = 4, MAXRUNS = 15, TP_LEADS = 250, NDEALERS = 20,
       GROUP = 10000, RF_LEADS = 10000 };

enum { KIND_MEM, KIND_SQLITE, KIND_PG };

typedef struct config {
    const char *name;
    int kind;
    int32_t mode;  /* SQLite synchronous, or PostgreSQL isolation */
} config;

static int runs = 3;
static const char *base_conninfo; /* PostgreSQL, from pg_server.sh */

/* ---- helpers ------------------------------------------------------------ */

static void loadavg(char *buf, size_t n)
{
    FILE *f = fopen("/proc/loadavg", "r");
    double a = 0, b = 0, c = 0;
    if (!f || fscanf(f, "%lf %lf %lf", &a, &b, &c) != 3)
        a = b = c = -1;
    if (f)
        fclose(f);
    snprintf(buf, n, "load %.2f %.2f %.2f", a, b, c);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof(double), bench_cmp);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

static void fail(const char *what, int rc)
{
    fprintf(stderr, "bench_multi: %s: %d (%s)\n", what, rc,
            b2b2c_strerror(rc));
    exit(1);
}

/* ---- storage: a connection, wrapped to count conflicts -------------------- */

typedef struct conn {
    int kind;
    void *db;
    b2b2c_storage st;    /* the adapter's methods */
    b2b2c_storage wrap;  /* the same, counting B2B2C_ECONFLICT */
    long conflicts;
} conn;

#define COUNT(c, expr)                                                         \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        if (rc_ == B2B2C_ECONFLICT)                                            \
            (c)->conflicts++;                                                  \
        return rc_;                                                            \
    } while (0)

static int w_get(void *u, const char *t, const void *k, size_t kl,
                 b2b2c_storage_value_cb f, void *p)
{
    conn *c = u;
    COUNT(c, c->st.get(c->st.userdata, t, k, kl, f, p));
}
static int w_put(void *u, const char *t, const void *k, size_t kl,
                 const void *v, size_t vl)
{
    conn *c = u;
    COUNT(c, c->st.put(c->st.userdata, t, k, kl, v, vl));
}
static int w_del(void *u, const char *t, const void *k, size_t kl)
{
    conn *c = u;
    COUNT(c, c->st.del(c->st.userdata, t, k, kl));
}
static int w_scan(void *u, const char *t, b2b2c_storage_row_cb r, void *p)
{
    conn *c = u;
    COUNT(c, c->st.scan(c->st.userdata, t, r, p));
}
static int w_begin(void *u)
{
    conn *c = u;
    COUNT(c, c->st.begin(c->st.userdata));
}
static int w_commit(void *u)
{
    conn *c = u;
    COUNT(c, c->st.commit(c->st.userdata));
}
static int w_rollback(void *u)
{
    conn *c = u;
    return c->st.rollback(c->st.userdata);
}
static int w_begin_read(void *u)
{
    conn *c = u;
    COUNT(c, c->st.begin_read(c->st.userdata));
}

static int conn_open(conn *c, int kind, int32_t mode, const char *target,
                     b2b2c_memstore *ms)
{
    int rc = B2B2C_EINVAL;
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    if (kind == KIND_MEM) {
        c->db = ms;
        rc = b2b2c_memstore_methods(ms, &c->st);
    }
#ifdef BENCH_SQLITE
    if (kind == KIND_SQLITE) {
        b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
        b2b2c_sqlite *db;
        o.wal = 1;
        o.synchronous = mode;
        o.busy_timeout_ms = 60000;
        if ((rc = b2b2c_sqlite_open_with(&db, target, &o)) != 0)
            return rc;
        c->db = db;
        rc = b2b2c_sqlite_methods(db, &c->st);
    }
#endif
#ifdef BENCH_PG
    if (kind == KIND_PG) {
        b2b2c_pg_options o = B2B2C_PG_OPTIONS_INIT;
        b2b2c_pg *db;
        o.isolation = mode;
        if ((rc = b2b2c_pg_open(&db, target, &o)) != 0)
            return rc;
        c->db = db;
        rc = b2b2c_pg_methods(db, &c->st);
    }
#endif
    (void)mode;
    (void)target;
    if (rc != 0)
        return rc;
    c->wrap = c->st;
    c->wrap.userdata = c;
    c->wrap.get = w_get;
    c->wrap.put = w_put;
    c->wrap.del = w_del;
    c->wrap.scan = w_scan;
    c->wrap.begin = w_begin;
    c->wrap.commit = w_commit;
    c->wrap.rollback = w_rollback;
    c->wrap.hint = NULL;
    if (c->st.begin_read)
        c->wrap.begin_read = w_begin_read;
    return 0;
}

static void conn_close(conn *c)
{
#ifdef BENCH_SQLITE
    if (c->kind == KIND_SQLITE)
        b2b2c_sqlite_close(c->db);
#endif
#ifdef BENCH_PG
    if (c->kind == KIND_PG)
        b2b2c_pg_close(c->db);
#endif
    c->db = NULL;
}

/* ---- PostgreSQL: a database per part, the server's fsync ------------------ */

#ifdef BENCH_PG
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void pg_exec(const char *conninfo, const char *sql)
{
    PGconn *pc = PQconnectdb(conninfo);
    PGresult *r;
    PQsetNoticeProcessor(pc, quiet, NULL);
    if (PQstatus(pc) != CONNECTION_OK) {
        fprintf(stderr, "bench_multi: %s", PQerrorMessage(pc));
        exit(1);
    }
    r = PQexec(pc, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK &&
        PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench_multi: %s: %s", sql, PQerrorMessage(pc));
        exit(1);
    }
    PQclear(r);
    PQfinish(pc);
}

/* A new empty database; its conninfo in buf. */
static const char *pg_database(char *buf, size_t n, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
    pg_exec(base_conninfo, sql);
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    pg_exec(base_conninfo, sql);
    snprintf(buf, n, "%s dbname=%s", base_conninfo, name);
    return buf;
}

/* The server's fsync setting ("on" or "off"), for the configs' names. */
static const char *pg_fsync(void)
{
    static char val[8];
    PGconn *pc = PQconnectdb(base_conninfo);
    PGresult *r = PQexec(pc, "SHOW fsync");
    snprintf(val, sizeof(val), "%s",
             PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0)
                                                  : "?");
    PQclear(r);
    PQfinish(pc);
    return val;
}
#endif

/* ---- 1. throughput -------------------------------------------------------- */

static void lead_id(char *buf, size_t n, int proc, int i)
{
    snprintf(buf, n, "L%d-%05d", proc, i);
}

/* The shared database: TP_LEADS leads per possible worker, NDEALERS dealers
 * with capacity and quota to spare. */
static void tp_setup(const config *cf, const char *target)
{
    conn c;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *lm;
    b2b2c_dealer_engine *de;
    char id[32];
    int rc;

    if ((rc = conn_open(&c, cf->kind, cf->mode, target, NULL)) ||
        (rc = b2b2c_ctx_new(&ctx, NULL, &c.st)) ||
        (rc = b2b2c_lead_model_new(&lm, ctx)) ||
        (rc = b2b2c_dealer_new(&de, ctx)) || (rc = b2b2c_ctx_begin(ctx)))
        fail("tp setup", rc);
    for (int p = 0; p < MAXP; p++)
        for (int i = 0; i < TP_LEADS; i++) {
            lead_id(id, sizeof(id), p, i);
            if ((rc = b2b2c_lead_add(lm, id, T0, B2B2C_SEGMENT_B2C_CONSUMER,
                                     "web", "R0", NULL)))
                fail("lead_add", rc);
        }
    for (int d = 0; d < NDEALERS; d++) {
        snprintf(id, sizeof(id), "D%02d", d);
        if ((rc = b2b2c_dealer_put(de, id, 1.0, "R0", "", 1000000, 1000000,
                                   8760.0)))
            fail("dealer_put", rc);
    }
    if ((rc = b2b2c_ctx_commit(ctx)))
        fail("tp setup commit", rc);
    b2b2c_dealer_free(de);
    b2b2c_lead_model_free(lm);
    b2b2c_ctx_free(ctx);
    conn_close(&c);
}

typedef struct tp_out {
    long reruns, refused;
    int last_rc;
} tp_out;

/* (not inlined: callgrind's --toggle-collect=tp_worker counts a worker) */
static __attribute__((noinline)) void tp_worker(const config *cf,
                                                const char *target,
                                                int routes, int proc,
                                                int calls, int run_no,
                                                int go, int out)
{
    conn c;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *lm = NULL;
    b2b2c_dealer_engine *de = NULL;
    tp_out r = {0, 0, 0};
    char id[48], b;
    /* every run later than the one before: events come in time order */
    int64_t now = T0 + 86400 + (int64_t)run_no * 1000000;

    if (conn_open(&c, cf->kind, cf->mode, target, NULL) ||
        b2b2c_ctx_new(&ctx, NULL, &c.wrap) ||
        (routes ? b2b2c_dealer_new(&de, ctx) : b2b2c_lead_model_new(&lm, ctx)))
        _exit(2);
    if (write(out, &r, sizeof(r)) != (ssize_t)sizeof(r) ||
        read(go, &b, 1) != 1)
        _exit(3);
    for (int i = 0; i < calls; i++) {
        int rc;
        if (routes) {
            const char *to = NULL;
            int32_t reason = 0;
            snprintf(id, sizeof(id), "r%d-%d-%d", run_no, proc, i);
            rc = b2b2c_dealer_route(&to, &reason, de, id, "R0", 0, 0, 0, "",
                                    B2B2C_SEGMENT_B2C_CONSUMER,
                                    B2B2C_BAND_HOT, now + i);
        } else {
            lead_id(id, sizeof(id), proc, i % TP_LEADS);
            rc = b2b2c_lead_event(lm, id, B2B2C_LEAD_EV_SITE_VISIT, now + i,
                                  0.0);
        }
        if (rc != 0) {
            r.refused++;
            r.last_rc = rc;
        }
    }
    r.reruns = c.conflicts - (r.last_rc == B2B2C_ECONFLICT ? r.refused : 0);
    b2b2c_dealer_free(de);
    b2b2c_lead_model_free(lm);
    b2b2c_ctx_free(ctx);
    conn_close(&c);
    if (write(out, &r, sizeof(r)) != (ssize_t)sizeof(r))
        _exit(5);
    _exit(0);
}

/* One timed run: seconds from the start byte to the last worker's end. */
static double tp_run(const config *cf, const char *target, int routes,
                     int nproc, int calls, tp_out *sum)
{
    static int run_no;
    int go[2], out[2], ok = 1;
    pid_t pid[MAXP];
    tp_out r;
    double t0, t1;

    run_no++;
    if (pipe(go) != 0 || pipe(out) != 0)
        return -1;
    fflush(stdout);
    for (int p = 0; p < nproc; p++) {
        pid[p] = fork();
        if (pid[p] == 0)
            tp_worker(cf, target, routes, p, calls, run_no, go[0], out[1]);
    }
    for (int p = 0; p < nproc; p++) /* every worker connected and open */
        ok &= read(out[0], &r, sizeof(r)) == (ssize_t)sizeof(r);
    t0 = bench_now();
    for (int p = 0; p < nproc; p++)
        ok &= write(go[1], "g", 1) == 1;
    for (int p = 0; p < nproc; p++) {
        ok &= read(out[0], &r, sizeof(r)) == (ssize_t)sizeof(r);
        sum->reruns += r.reruns;
        sum->refused += r.refused;
        if (r.last_rc)
            sum->last_rc = r.last_rc;
    }
    t1 = bench_now();
    ok &= bench_wait_all(pid, nproc);
    bench_close_pipes(go, out);
    return ok ? t1 - t0 : -1;
}

static int tp_case(const config *cfgs, int ncfg, const char *target,
                   int routes, int nproc, int calls)
{
    double t[4][MAXRUNS];
    tp_out sum[4], warm = {0, 0, 0};
    char load[64];

    memset(sum, 0, sizeof(sum));
    for (int c = 0; c < ncfg; c++)
        if (tp_run(&cfgs[c], target, routes, nproc, calls, &warm) < 0)
            return 1;
    for (int i = 0; i < runs; i++)
        for (int c = 0; c < ncfg; c++)
            if ((t[c][i] = tp_run(&cfgs[c], target, routes, nproc, calls,
                                  &sum[c])) < 0)
                return 1;
    loadavg(load, sizeof(load));
    for (int c = 0; c < ncfg; c++) {
        double total = (double)nproc * calls, med = median(t[c], runs);
        printf("bench multi tp %s %s %dp: median %.0f calls/s (min %.0f, "
               "max %.0f, n=%d), %.1f re-runs and %.1f refused per 1000 "
               "calls%s%s; %s\n",
               cfgs[c].name, routes ? "routes" : "events", nproc,
               total / med, total / t[c][runs - 1], total / t[c][0], runs,
               1000.0 * (double)sum[c].reruns / (total * runs),
               1000.0 * (double)sum[c].refused / (total * runs),
               sum[c].last_rc ? ", last refusal " : "",
               sum[c].last_rc ? b2b2c_strerror(sum[c].last_rc) : "", load);
    }
    fflush(stdout);
    return 0;
}

static int part_tp(const config *cfgs, int ncfg, const char *target,
                   int calls)
{
    int failed = 0;
    tp_setup(&cfgs[0], target);
    for (int routes = 0; routes <= 1; routes++)
        for (int n = 1; n <= MAXP; n *= 2)
            failed |= tp_case(cfgs, ncfg, target, routes, n, calls);
    return failed;
}

/* ---- 2. refresh cost per changed key --------------------------------------- */

typedef struct side {
    conn c;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *lm;
} side;

static void side_open(side *s, const config *cf, const char *target,
                      b2b2c_memstore *ms, const b2b2c_allocator *al)
{
    int rc;
    if ((rc = conn_open(&s->c, cf->kind, cf->mode, target, ms)) ||
        (rc = b2b2c_ctx_new(&s->ctx, al, &s->c.st)) ||
        (rc = b2b2c_lead_model_new(&s->lm, s->ctx)))
        fail("open", rc);
}

static void side_close(side *s)
{
    b2b2c_lead_model_free(s->lm);
    b2b2c_ctx_free(s->ctx);
    conn_close(&s->c);
}

/* Add leads [from, to) in groups of GROUP, one transaction each. */
static void add_leads(side *s, int from, int to)
{
    char id[32];
    int rc;
    for (int i = from; i < to; i += GROUP) {
        if ((rc = b2b2c_ctx_begin(s->ctx)))
            fail("ctx_begin", rc);
        for (int j = i; j < i + GROUP && j < to; j++) {
            snprintf(id, sizeof(id), "lead-%07d", j);
            if ((rc = b2b2c_lead_add(s->lm, id, T0, j % 6,
                                     j % 3 ? "search" : "display",
                                     j % 7 ? "north" : "south", NULL)))
                fail("lead_add", rc);
        }
        if ((rc = b2b2c_ctx_commit(s->ctx)))
            fail("ctx_commit", rc);
    }
}

static uint64_t seen_of(const b2b2c_ctx *ctx)
{
    uint64_t seen = 0, own = 0;
    if (b2b2c_ctx_seq(&seen, &own, ctx))
        fail("ctx_seq", B2B2C_EINVAL);
    return seen;
}

static int part_refresh(const config *cf, const char *target, int nmax)
{
    b2b2c_memstore *ms = NULL;
    side a, b;
    int sizes[3] = {1, 100, nmax}, nleads = nmax > RF_LEADS ? nmax : RF_LEADS;
    double per[3][MAXRUNS], idle[MAXRUNS];
    int64_t now = T0 + 86400;
    char id[32], load[64];
    int rc;

    if (cf->kind == KIND_MEM && b2b2c_memstore_new(&ms, NULL))
        fail("memstore_new", B2B2C_ENOMEM);
    side_open(&b, cf, target, ms, NULL);
    add_leads(&b, 0, nleads);
    side_open(&a, cf, target, ms, NULL);
    for (int r = 0; r < runs; r++) {
        for (int k = 0; k < 3; k++) {
            double t0;
            if ((rc = b2b2c_ctx_sync(a.ctx)))
                fail("sync", rc);
            for (int j = 0; j < sizes[k]; j++) {
                snprintf(id, sizeof(id), "lead-%07d", j);
                if ((rc = b2b2c_lead_event(b.lm, id,
                                           B2B2C_LEAD_EV_SITE_VISIT, now++,
                                           0.0)))
                    fail("lead_event", rc);
            }
            t0 = bench_now();
            rc = b2b2c_ctx_sync(a.ctx);
            per[k][r] = (bench_now() - t0) / sizes[k];
            if (rc)
                fail("sync", rc);
            if (seen_of(a.ctx) != seen_of(b.ctx)) {
                fprintf(stderr, "bench_multi: A did not catch up\n");
                return 1;
            }
        }
        {
            double t0 = bench_now();
            for (int i = 0; i < 1000; i++)
                if ((rc = b2b2c_ctx_sync(a.ctx)))
                    fail("sync", rc);
            idle[r] = (bench_now() - t0) / 1000;
        }
    }
    loadavg(load, sizeof(load));
    for (int k = 0; k < 3; k++) {
        double med = median(per[k], runs);
        printf("bench multi refresh %s %d changed keys: median %.2f us per "
               "key (min %.2f, max %.2f, n=%d), sync %.3f ms; %d leads; %s\n",
               cf->name, sizes[k], med * 1e6, per[k][0] * 1e6,
               per[k][runs - 1] * 1e6, runs, med * sizes[k] * 1e3, nleads,
               load);
    }
    {
        double med = median(idle, runs);
        printf("bench multi refresh %s nothing changed: median %.2f us per "
               "sync (min %.2f, max %.2f, n=%d x 1000); %s\n",
               cf->name, med * 1e6, idle[0] * 1e6, idle[runs - 1] * 1e6,
               runs, load);
    }
    fflush(stdout);
    side_close(&a);
    side_close(&b);
    b2b2c_memstore_free(ms);
    return 0;
}

/* ---- 3. open time and memory ------------------------------------------------ */

/* resident bytes (statm) and peak resident bytes (VmHWM) */
static void rss(double *now, double *peak)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    char line[128];
    *now = *peak = 0;
    if (f && fscanf(f, "%ld %ld", &size, &res) == 2)
        *now = (double)res * (double)sysconf(_SC_PAGESIZE);
    if (f)
        fclose(f);
    f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            *peak = atof(line + 6) * 1024.0;
    if (f)
        fclose(f);
}

typedef struct open_out {
    double secs, rss, peak, bytes;
} open_out;

static void open_child(const config *cf, const char *target, int out)
{
    bench_counter cnt = {0};
    b2b2c_allocator al = {B2B2C_ALLOCATOR_VERSION, bench_count_alloc,
                          bench_count_realloc, bench_count_free, &cnt};
    open_out o;
    conn c;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *lm;
    double r0, p0, t0;
    size_t n = 0;

    if (conn_open(&c, cf->kind, cf->mode, target, NULL) ||
        b2b2c_ctx_new(&ctx, &al, &c.st))
        _exit(2);
    {   /* reset the peak to the current RSS (Linux 4.0+) */
        FILE *f = fopen("/proc/self/clear_refs", "w");
        if (f) {
            fputs("5", f);
            fclose(f);
        }
    }
    rss(&r0, &p0);
    t0 = bench_now();
    if (b2b2c_lead_model_new(&lm, ctx))
        _exit(3);
    o.secs = bench_now() - t0;
    rss(&o.rss, &o.peak);
    o.rss -= r0;
    o.peak -= r0 > p0 ? r0 : p0;
    o.bytes = (double)cnt.bytes;
    if (b2b2c_lead_count(&n, lm) || n == 0)
        _exit(4);
    if (write(out, &o, sizeof(o)) != (ssize_t)sizeof(o))
        _exit(5);
    _exit(0);
}

static int part_open(const config *cf, const char *target, int nleads)
{
    double t[MAXRUNS], r[MAXRUNS], pk[MAXRUNS], by = 0, t0;
    char load[64];
    side s;
    pid_t pid;

    /* in a child of its own, so that the memory the adding took is not
     * in the measuring children's heaps (free memory there would hide
     * their RSS growth) */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        side_open(&s, cf, target, NULL, NULL);
        t0 = bench_now();
        add_leads(&s, 0, nleads);
        printf("bench multi open %s: %d leads added in groups of %d in "
               "%.1f s (untimed setup)\n",
               cf->name, nleads, GROUP, bench_now() - t0);
        side_close(&s);
        fflush(stdout);
        _exit(0);
    }
    if (pid < 0 || !bench_wait_all(&pid, 1))
        return 1;
    for (int i = 0; i < runs; i++) {
        int fd[2];
        open_out o;
        if (pipe(fd) != 0)
            return 1;
        fflush(stdout);
        if ((pid = fork()) == 0)
            open_child(cf, target, fd[1]);
        if (read(fd[0], &o, sizeof(o)) != (ssize_t)sizeof(o))
            return 1;
        bench_wait_all(&pid, 1);
        close(fd[0]);
        close(fd[1]);
        t[i] = o.secs;
        r[i] = o.rss;
        pk[i] = o.peak;
        by = o.bytes;
    }
    loadavg(load, sizeof(load));
    {
        double tm = median(t, runs), rm = median(r, runs),
               pm = median(pk, runs);
        printf("bench multi open %s %d leads: lead_model_new median %.1f ms "
               "(min %.1f, max %.1f, n=%d), RSS +%.1f MB (peak +%.1f MB), "
               "library %.1f MB (%.0f bytes per lead); %s\n",
               cf->name, nleads, tm * 1e3, t[0] * 1e3, t[runs - 1] * 1e3,
               runs, rm / 1e6, pm / 1e6, by / 1e6, by / nleads, load);
    }
    fflush(stdout);
    return 0;
}

/* ---- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const char *part = argc > 2 ? argv[2] : "all";
    int all = strcmp(part, "all") == 0, n = argc > 3 ? atoi(argv[3]) : 0;
    int failed = 0;
    char load[64];

    if (getenv("B2B2C_BENCH_RUNS"))
        runs = atoi(getenv("B2B2C_BENCH_RUNS"));
    if (argc < 2 || runs < 1 || runs > MAXRUNS || n < 0) {
        fprintf(stderr, "usage: bench_multi sqlite|pg [all|tp|refresh|open "
                        "[N]] (B2B2C_BENCH_RUNS 1..%d)\n", MAXRUNS);
        return 2;
    }
    loadavg(load, sizeof(load));
    printf("bench multi: %s %s, %d runs a figure; %s\n", argv[1], part, runs,
           load);
    if (strcmp(argv[1], "sqlite") == 0) {
#ifdef BENCH_SQLITE
        static const config cfgs[] = {
            {"sqlite-wal-full", KIND_SQLITE, B2B2C_SQLITE_SYNC_FULL},
            {"sqlite-wal-normal", KIND_SQLITE, B2B2C_SQLITE_SYNC_NORMAL},
        };
        static const config mem = {"memstore", KIND_MEM, 0};
        char dir[] = "/tmp/b2b2c_multi_XXXXXX", file[64];
        if (!mkdtemp(dir))
            return 1;
        if (all || strcmp(part, "tp") == 0) {
            snprintf(file, sizeof(file), "%s/tp.db", dir);
            failed |= part_tp(cfgs, 2, file, n ? n : 100);
        }
        if (all || strcmp(part, "refresh") == 0) {
            snprintf(file, sizeof(file), "%s/refresh.db", dir);
            failed |= part_refresh(&mem, NULL, n ? n : 1000);
            failed |= part_refresh(&cfgs[1], file, n ? n : 1000);
        }
        if (all || strcmp(part, "open") == 0) {
            snprintf(file, sizeof(file), "%s/open.db", dir);
            failed |= part_open(&cfgs[1], file, n ? n : 20000);
        }
        for (const char *f = "tp.db\0tp.db-wal\0tp.db-shm\0refresh.db\0"
                             "refresh.db-wal\0refresh.db-shm\0open.db\0"
                             "open.db-wal\0open.db-shm\0";
             *f; f += strlen(f) + 1) {
            snprintf(file, sizeof(file), "%s/%s", dir, f);
            unlink(file);
        }
        rmdir(dir);
        return failed;
#else
        printf("SKIP: built without SQLite\n");
        return 77;
#endif
    }
    if (strcmp(argv[1], "pg") == 0) {
#ifdef BENCH_PG
        static char names[2][40];
        config cfgs[2] = {
            {names[0], KIND_PG, B2B2C_PG_ISOLATION_LOCK},
            {names[1], KIND_PG, B2B2C_PG_ISOLATION_SERIALIZABLE},
        };
        char ci[512];
        base_conninfo = getenv("B2B2C_PG_CONNINFO");
        if (!base_conninfo) {
            printf("SKIP: B2B2C_PG_CONNINFO not set (run under "
                   "tests/harness/pg_server.sh)\n");
            return 77;
        }
        snprintf(names[0], sizeof(names[0]), "pg-lock-fsync-%s", pg_fsync());
        snprintf(names[1], sizeof(names[1]), "pg-serializable-fsync-%s",
                 pg_fsync());
        if (all || strcmp(part, "tp") == 0)
            failed |= part_tp(cfgs, 2, pg_database(ci, sizeof(ci), "b2b2c_tp"),
                              n ? n : 100);
        if (all || strcmp(part, "refresh") == 0)
            failed |= part_refresh(&cfgs[0],
                                   pg_database(ci, sizeof(ci), "b2b2c_rf"),
                                   n ? n : 1000);
        if (all || strcmp(part, "open") == 0) {
            failed |= part_open(&cfgs[0],
                                pg_database(ci, sizeof(ci), "b2b2c_open"),
                                n ? n : 20000);
        }
        return failed;
#else
        printf("SKIP: built without libpq\n");
        return 77;
#endif
    }
    fprintf(stderr, "bench_multi: unknown store %s\n", argv[1]);
    return 2;
}
