/* SPDX-License-Identifier: MIT */
/*
 * Storage adapters under many processes: calls per second (a call = begin,
 * a get, two puts, commit, re-run on B2B2C_ECONFLICT) for 1, 2 and 4
 * processes on one database, summed over the processes.
 *
 *   bench_storage sqlite [CALLS [W]]   SQLite WAL, synchronous FULL and
 *                                      NORMAL
 *   bench_storage pg [CALLS [W]]       PostgreSQL (B2B2C_PG_CONNINFO, as
 *                                      set by tests/harness/pg_server.sh),
 *                                      both isolation modes
 * W: 0 the disjoint workload only, 1 the shared one only (default both).
 *
 * Two workloads: "disjoint" (each process gets and puts its own keys: no
 * two calls conflict) and "shared" (every call also reads and increments
 * one shared counter row, as a commit sequence would: every two
 * concurrent calls conflict). Each figure is the median of RUNS timed runs
 * after one warm-up run, the configurations' runs interleaved; each
 * process connects before the clock starts.
 * Output, one line per case:
 *   bench storage NAME WORKLOAD Np: median X calls/s (min, max, n=RUNS),
 *   Y re-runs per 1000 calls, at most Z of one call
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "b2b2c.h"
#ifdef BENCH_SQLITE
#include "b2b2c/storage/sqlite.h"
#endif
#ifdef BENCH_PG
#include "b2b2c/storage/postgresql.h"
#endif

enum { RUNS = 5, MAXP = 4 };

typedef struct config {
    const char *name;
    int kind; /* 0 sqlite, 1 pg */
    int32_t sync_or_iso;
} config;

static const char *target; /* the SQLite file or the PG conninfo */

typedef struct conn {
    void *db;
    int kind;
    b2b2c_storage st;
} conn;

static int conn_open(conn *c, const config *cf)
{
    c->kind = cf->kind;
#ifdef BENCH_SQLITE
    if (cf->kind == 0) {
        b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
        b2b2c_sqlite *db;
        int rc;
        o.synchronous = cf->sync_or_iso;
        o.busy_timeout_ms = 60000;
        if ((rc = b2b2c_sqlite_open_with(&db, target, &o)) != 0)
            return rc;
        c->db = db;
        return b2b2c_sqlite_methods(db, &c->st);
    }
#endif
#ifdef BENCH_PG
    if (cf->kind == 1) {
        b2b2c_pg_options o = B2B2C_PG_OPTIONS_INIT;
        b2b2c_pg *db;
        int rc;
        o.isolation = cf->sync_or_iso;
        if ((rc = b2b2c_pg_open(&db, target, &o)) != 0)
            return rc;
        c->db = db;
        return b2b2c_pg_methods(db, &c->st);
    }
#endif
    return -1;
}

static void conn_close(conn *c)
{
#ifdef BENCH_SQLITE
    if (c->kind == 0)
        b2b2c_sqlite_close(c->db);
#endif
#ifdef BENCH_PG
    if (c->kind == 1)
        b2b2c_pg_close(c->db);
#endif
}

static int copy8(const void *v, size_t n, void *payload)
{
    memset(payload, 0, 8);
    memcpy(payload, v, n < 8 ? n : 8);
    return 0;
}

/* One call; B2B2C_ECONFLICT when it must be re-run. */
/* (not inlined: callgrind's --toggle-collect=call counts the calls alone) */
static __attribute__((noinline)) int call(b2b2c_storage *s, int proc, int i,
                                         int shared)
{
    char key[32], big[200];
    unsigned char val[8];
    size_t kl = (size_t)snprintf(key, sizeof(key), "p%d-%06d", proc, i % 1000);
    int rc = s->begin(s->userdata);

    memset(big, 'x', sizeof(big));
    if (rc == 0 && shared) {
        int64_t seq = 0;
        rc = s->get(s->userdata, "bench", "seq", 3, copy8, val);
        if (rc == 0)
            memcpy(&seq, val, 8);
        if (rc == B2B2C_ENOTFOUND)
            rc = 0;
        seq++;
        if (rc == 0)
            rc = s->put(s->userdata, "bench", "seq", 3, &seq, 8);
    } else if (rc == 0) {
        rc = s->get(s->userdata, "bench", key, kl, copy8, val);
        if (rc == B2B2C_ENOTFOUND)
            rc = 0;
    }
    if (rc == 0)
        rc = s->put(s->userdata, "bench", key, kl, big, 64);
    if (rc == 0) {
        key[0] = 'q';
        rc = s->put(s->userdata, "bench", key, kl, big, sizeof(big));
    }
    if (rc == 0)
        rc = s->commit(s->userdata);
    if (rc != 0)
        s->rollback(s->userdata);
    return rc;
}

/* A worker: connect, wait for the start byte, run `calls` calls, write
 * the number of re-runs to `out`. */
static void worker(const config *cf, int proc, int calls, int shared,
                   int go, int out)
{
    conn c;
    char b;
    long reruns[2] = {0, 0}; /* re-runs in all, most re-runs of one call */

    if (conn_open(&c, cf) != 0)
        _exit(2);
    if (write(out, reruns, sizeof(reruns)) != (ssize_t)sizeof(reruns) ||
        read(go, &b, 1) != 1)
        _exit(3);
    for (int i = 0; i < calls; i++) {
        int rc;
        long n = 0;
        while ((rc = call(&c.st, proc, i, shared)) == B2B2C_ECONFLICT)
            n++;
        reruns[0] += n;
        if (n > reruns[1])
            reruns[1] = n;
        if (rc != 0) {
            fprintf(stderr, "bench_storage: call failed: %d\n", rc);
            _exit(4);
        }
    }
    conn_close(&c);
    if (write(out, reruns, sizeof(reruns)) != (ssize_t)sizeof(reruns))
        _exit(5);
    _exit(0);
}

/* One timed run: seconds from the start byte to the last worker's end. */
static double run(const config *cf, int nproc, int calls, int shared,
                  long *reruns)
{
    int go[2], out[2], ok = 1;
    pid_t pid[MAXP];
    long r[2];
    double t0, t1;

    if (pipe(go) != 0 || pipe(out) != 0)
        return -1;
    for (int p = 0; p < nproc; p++) {
        pid[p] = fork();
        if (pid[p] == 0)
            worker(cf, p, calls, shared, go[0], out[1]);
    }
    for (int p = 0; p < nproc; p++) /* every worker connected */
        ok &= read(out[0], r, sizeof(r)) == (ssize_t)sizeof(r);
    t0 = bench_now();
    for (int p = 0; p < nproc; p++)
        ok &= write(go[1], "g", 1) == 1;
    for (int p = 0; p < nproc; p++) {
        ok &= read(out[0], r, sizeof(r)) == (ssize_t)sizeof(r);
        reruns[0] += r[0];
        if (r[1] > reruns[1])
            reruns[1] = r[1];
    }
    t1 = bench_now();
    ok &= bench_wait_all(pid, nproc);
    bench_close_pipes(go, out);
    return ok ? t1 - t0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One case (workload, processes) for every configuration, the runs
 * interleaved (A B A B ...) so that a shared machine's load falls on all
 * of them alike. */
static int bench_case(const config *cfgs, size_t ncfg, int nproc, int calls,
                      int shared)
{
    double t[4][RUNS];
    long reruns[4][2] = {{0, 0}}, warm[2] = {0, 0};

    for (size_t c = 0; c < ncfg; c++)
        if (run(&cfgs[c], nproc, calls, shared, warm) < 0)
            return 1;
    for (int i = 0; i < RUNS; i++)
        for (size_t c = 0; c < ncfg; c++)
            if ((t[c][i] = run(&cfgs[c], nproc, calls, shared,
                               reruns[c])) < 0)
                return 1;
    for (size_t c = 0; c < ncfg; c++) {
        double total = (double)nproc * calls;
        qsort(t[c], RUNS, sizeof(t[c][0]), cmp_double);
        printf("bench storage %s %s %dp: median %.0f calls/s (min %.0f, "
               "max %.0f, n=%d), %.1f re-runs per 1000 calls, at most %ld "
               "of one call\n",
               cfgs[c].name, shared ? "shared" : "disjoint", nproc,
               total / t[c][RUNS / 2], total / t[c][RUNS - 1],
               total / t[c][0], RUNS,
               1000.0 * (double)reruns[c][0] / (total * RUNS),
               reruns[c][1]);
    }
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    static const config sqlite_cfgs[] = {
        {"sqlite-wal-full", 0, 2},
        {"sqlite-wal-normal", 0, 1},
    };
    static const config pg_cfgs[] = {
        {"pg-lock", 1, 1},
        {"pg-serializable", 1, 2},
    };
    const config *cfgs;
    size_t ncfg;
    char path[] = "/tmp/b2b2c_bench_XXXXXX";
    int calls = argc > 2 ? atoi(argv[2]) : 300, failed = 0;

    if (argc < 2 || calls < 1) {
        fprintf(stderr, "usage: bench_storage sqlite|pg [CALLS]\n");
        return 2;
    }
    if (strcmp(argv[1], "pg") == 0) {
        target = getenv("B2B2C_PG_CONNINFO");
        if (!target) {
            printf("SKIP: B2B2C_PG_CONNINFO not set\n");
            return 77;
        }
        cfgs = pg_cfgs;
        ncfg = 2;
    } else {
        int fd = mkstemp(path);
        if (fd < 0)
            return 1;
        close(fd);
        target = path;
        cfgs = sqlite_cfgs;
        ncfg = 2;
    }
    for (int shared = 0; shared <= 1; shared++) {
        if (argc > 3 && atoi(argv[3]) != shared)
            continue;
        for (int n = 1; n <= MAXP; n *= 2)
            failed |= bench_case(cfgs, ncfg, n, calls, shared);
    }
    for (int i = 0; target == path && i < 3; i++) {
        char file[64]; /* the database, its WAL and its shared memory */
        snprintf(file, sizeof(file), "%s%s", path,
                 i == 0 ? "" : i == 1 ? "-wal" : "-shm");
        unlink(file);
    }
    return failed;
}
