/* SPDX-License-Identifier: MIT */
/*
 * Closing leads (issue 20): open time and memory of the lead model before
 * and after closing, and a multi-year lifecycle simulation in bounded
 * memory. docs/PERFORMANCE.md, "Closing leads", has the figures.
 *
 *   bench_lifecycle open mem|sqlite [N]   N leads (default 200,000), each
 *       added with 3 events (site_visit, guide_download, email_open) and
 *       its stages: 70% nurturing then lost, 10% qualified, won, customer,
 *       5% disqualified, 15% left nurturing. Then, each a median of 3:
 *       the open (b2b2c_lead_model_new on a new context on the same
 *       store, in a child process: time, growth of its RSS, bytes the
 *       library allocated), then b2b2c_lead_close_due in calls of 10,000
 *       until a call closes none (time per call), then the open again.
 *   bench_lifecycle sim mem|sqlite [N [YEARS [AUDIT_DAYS [STOP]]]]   N leads (default
 *       200,000) arriving evenly over YEARS (default 3) years, a day at a
 *       time: on arrival the lead and 3 events; a week later qualified
 *       (40%) or nurturing; 30 days after arrival won (25% of the
 *       qualified) or lost, or disqualified (10% of the nurturing); won
 *       leads become customers 10 days later; 2% of the leads record an
 *       outcome (training row). The dealer engine (100 dealers, every
 *       region) gets the qualified leads: routed and accepted a week after
 *       arrival, won or lost with revenue 30 days after. The forecaster
 *       gets the won leads as customers: a first purchase on the win day,
 *       then 1..8 repeat purchases every 60, 90, 120 or 180 days (one in
 *       four an installation). Every day ends with b2b2c_lead_close_due,
 *       b2b2c_dealer_prune, b2b2c_dealer_close_due and
 *       b2b2c_forecaster_fold (max 100,000 each) at the day's end, with
 *       the retention defaults (closing leads 180 days, audit 730 days,
 *       closing dealer leads 180 days, folding 730 days; a closed
 *       dealer lead's audit entries stay until pruned, with a closed
 *       stub of the lead). A fifth argument sets
 *       B2B2C_DEALER_PARAM_AUDIT_DAYS instead of its default (-1: the
 *       default); a sixth, STOP, ends the arrivals (and the days) once
 *       STOP leads were created, so the open at the end shows each
 *       engine's bytes at that point of the same arrival rate. At each
 *       tenth of N (and at 1M, 5M, 10M) it prints the process RSS, the
 *       library's bytes, the working set, the routes and purchases so far
 *       and the elapsed time; at the end (60 days after the last arrival
 *       without STOP), the open of each engine on a new context.
 *
 * The SQLite file is a temporary file in $TMPDIR (WAL, synchronous
 * NORMAL), removed at the end.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b2b2c.h"
#include "bench.h"
#ifdef BENCH_SQLITE
#include "b2b2c/storage/sqlite.h"
#endif

#define T0 1704067200 /* 2024-01-01 */
#define DAY 86400
#define GROUP 10000
#define RUNS 3

static void fail(const char *what, int rc)
{
    fprintf(stderr, "bench_lifecycle: %s failed: %d (%s)\n", what, rc,
            b2b2c_strerror(rc));
    exit(1);
}

/* ---- the store --------------------------------------------------------- */

typedef struct store {
    int sqlite;
    char path[256];
    b2b2c_memstore *ms;
    b2b2c_storage st;
#ifdef BENCH_SQLITE
    b2b2c_sqlite *db;
#endif
} store;

static void store_open(store *s, const char *kind)
{
    int rc;
    memset(s, 0, sizeof(*s));
    if (strcmp(kind, "mem") == 0) {
        if ((rc = b2b2c_memstore_new(&s->ms, NULL)) ||
            (rc = b2b2c_memstore_methods(s->ms, &s->st)))
            fail("memstore", rc);
        return;
    }
#ifdef BENCH_SQLITE
    if (strcmp(kind, "sqlite") == 0) {
        const char *tmp = getenv("TMPDIR");
        b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
        s->sqlite = 1;
        snprintf(s->path, sizeof(s->path), "%s/bench_lifecycle_%d.db",
                 tmp && *tmp ? tmp : "/tmp", (int)getpid());
        o.synchronous = B2B2C_SQLITE_SYNC_NORMAL;
        if ((rc = b2b2c_sqlite_open_with(&s->db, s->path, &o)) ||
            (rc = b2b2c_sqlite_methods(s->db, &s->st)))
            fail("sqlite open", rc);
        return;
    }
#endif
    fprintf(stderr, "bench_lifecycle: unknown store '%s'\n", kind);
    exit(2);
}

/* A second connection to the same store (a new one per measuring child:
 * SQLite connections are not shared across fork). */
static void store_reconnect(store *s)
{
#ifdef BENCH_SQLITE
    if (s->sqlite) {
        b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
        int rc;
        o.synchronous = B2B2C_SQLITE_SYNC_NORMAL;
        if ((rc = b2b2c_sqlite_open_with(&s->db, s->path, &o)) ||
            (rc = b2b2c_sqlite_methods(s->db, &s->st)))
            fail("sqlite reopen", rc);
    }
#else
    (void)s;
#endif
}

static void store_close(store *s)
{
#ifdef BENCH_SQLITE
    if (s->sqlite) {
        char p[300];
        b2b2c_sqlite_close(s->db);
        remove(s->path);
        snprintf(p, sizeof(p), "%s-wal", s->path);
        remove(p);
        snprintf(p, sizeof(p), "%s-shm", s->path);
        remove(p);
        return;
    }
#endif
    b2b2c_memstore_free(s->ms);
}

/* ---- memory ------------------------------------------------------------ */

static double rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    double r = 0;
    if (f && fscanf(f, "%ld %ld", &size, &res) == 2)
        r = (double)res * (double)sysconf(_SC_PAGESIZE);
    if (f)
        fclose(f);
    return r;
}

static double median3(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), bench_cmp);
    return v[n / 2];
}

/* ---- open -------------------------------------------------------------- */

static void lead_id(char *buf, size_t n, long i)
{
    snprintf(buf, n, "lead-%08ld", i);
}

static void build(b2b2c_lead_model *m, b2b2c_ctx *ctx, long n, int64_t span)
{
    char id[32];
    int rc;
    for (long i = 0; i < n; i += GROUP) {
        if ((rc = b2b2c_ctx_begin(ctx)))
            fail("ctx_begin", rc);
        for (long j = i; j < i + GROUP && j < n; j++) {
            int64_t t = T0 + (int64_t)((double)span * (double)j / (double)n);
            long r = j % 20;
            lead_id(id, sizeof(id), j);
            if ((rc = b2b2c_lead_add(m, id, t, (int32_t)(j % 6),
                                     j % 3 ? "search" : "display",
                                     j % 7 ? "RU-MOW" : "RU-SPE",
                                     "boilers")) ||
                (rc = b2b2c_lead_event(m, id, B2B2C_LEAD_EV_SITE_VISIT,
                                       t + 60, 0)) ||
                (rc = b2b2c_lead_event(m, id, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                       t + 3600, 0)) ||
                (rc = b2b2c_lead_event(m, id, B2B2C_LEAD_EV_EMAIL_OPEN,
                                       t + DAY, 0)))
                fail("add", rc);
            if (r < 14) /* 70%: nurturing, lost */
                rc = b2b2c_lead_set_stage(m, id, B2B2C_LEAD_STAGE_NURTURING,
                                          t + 2 * DAY) ||
                     b2b2c_lead_set_stage(m, id, B2B2C_LEAD_STAGE_LOST,
                                          t + 20 * DAY);
            else if (r < 16) /* 10%: qualified, won, customer */
                rc = b2b2c_lead_set_stage(m, id, B2B2C_LEAD_STAGE_QUALIFIED,
                                          t + 2 * DAY) ||
                     b2b2c_lead_set_stage(m, id, B2B2C_LEAD_STAGE_WON,
                                          t + 20 * DAY) ||
                     b2b2c_lead_set_stage(m, id, B2B2C_LEAD_STAGE_CUSTOMER,
                                          t + 30 * DAY);
            else if (r < 17) /* 5%: disqualified */
                rc = b2b2c_lead_set_stage(m, id,
                                          B2B2C_LEAD_STAGE_DISQUALIFIED,
                                          t + 2 * DAY);
            else /* 15%: still nurtured */
                rc = b2b2c_lead_set_stage(m, id, B2B2C_LEAD_STAGE_NURTURING,
                                          t + 2 * DAY);
            if (rc)
                fail("stage", rc);
        }
        if ((rc = b2b2c_ctx_commit(ctx)))
            fail("ctx_commit", rc);
    }
}

typedef struct open_out {
    double secs, rss, bytes;
    size_t n;
} open_out;

static void open_child(store *s, int out)
{
    bench_counter cnt = {0};
    b2b2c_allocator al = {B2B2C_ALLOCATOR_VERSION, bench_count_alloc,
                          bench_count_realloc, bench_count_free, &cnt};
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    open_out o;
    double r0, t0;
    int rc;
    store_reconnect(s);
    if ((rc = b2b2c_ctx_new(&ctx, &al, &s->st)))
        fail("ctx_new", rc);
    /* the parent's freed heap back to the system first, so that the
     * open's allocations show as RSS growth (glibc) */
    malloc_trim(0);
    r0 = rss_bytes();
    t0 = bench_now();
    if ((rc = b2b2c_lead_model_new(&m, ctx)))
        fail("lead_model_new", rc);
    o.secs = bench_now() - t0;
    o.rss = rss_bytes() - r0;
    o.bytes = (double)cnt.bytes;
    if ((rc = b2b2c_lead_count(&o.n, m)))
        fail("count", rc);
    if (write(out, &o, sizeof(o)) != (ssize_t)sizeof(o))
        _exit(5);
    _exit(0);
}

static void measure_open(store *s, const char *label, const char *kind,
                         long n)
{
    double t[RUNS], r[RUNS], by = 0;
    size_t live = 0;
    for (int i = 0; i < RUNS; i++) {
        int fd[2];
        open_out o;
        pid_t pid;
        if (pipe(fd) != 0)
            fail("pipe", B2B2C_ESTORAGE);
        fflush(stdout);
        if ((pid = fork()) == 0)
            open_child(s, fd[1]);
        if (read(fd[0], &o, sizeof(o)) != (ssize_t)sizeof(o) ||
            !bench_wait_all(&pid, 1))
            fail("open child", B2B2C_ESTORAGE);
        close(fd[0]);
        close(fd[1]);
        t[i] = o.secs;
        r[i] = o.rss;
        by = o.bytes;
        live = o.n;
    }
    printf("bench lifecycle open %s %ld leads %s: %zu in the working set, "
           "lead_model_new median %.1f ms (of %d: %.1f..%.1f), RSS +%.1f MB, "
           "library %.1f MB (%.0f B per lead stored)\n",
           kind, n, label, live, median3(t, RUNS) * 1e3, RUNS, t[0] * 1e3,
           t[RUNS - 1] * 1e3, median3(r, RUNS) / 1e6, by / 1e6, by / (double)n);
    fflush(stdout);
}

static int part_open(const char *kind, long n)
{
    store s;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    int64_t span = 3 * 365 * (int64_t)DAY, now = T0 + span + 200 * DAY;
    double t0, calls[4096], tsum = 0;
    size_t closed, total = 0;
    int ncalls = 0, rc;

    store_open(&s, kind);
    if ((rc = b2b2c_ctx_new(&ctx, NULL, &s.st)) ||
        (rc = b2b2c_lead_model_new(&m, ctx)))
        fail("open", rc);
    t0 = bench_now();
    build(m, ctx, n, span);
    printf("bench lifecycle open %s: %ld leads built in %.1f s (untimed "
           "setup)\n", kind, n, bench_now() - t0);
    b2b2c_lead_model_free(m); /* memory of the build out of the children */
    if ((rc = b2b2c_lead_model_new(&m, ctx)))
        fail("reopen", rc);
    measure_open(&s, "before closing", kind, n);
    do {
        double c0 = bench_now();
        if ((rc = b2b2c_lead_close_due(&closed, m, now, GROUP)))
            fail("close_due", rc);
        c0 = bench_now() - c0;
        tsum += c0;
        if (ncalls < 4096)
            calls[ncalls++] = c0;
        total += closed;
    } while (closed);
    qsort(calls, (size_t)ncalls, sizeof(double), bench_cmp);
    printf("bench lifecycle close %s %ld leads: %zu closed in %d calls of "
           "max %d, %.2f s in all, median %.1f ms a call (max %.1f)\n",
           kind, n, total, ncalls, GROUP, tsum, calls[ncalls / 2] * 1e3,
           calls[ncalls - 1] * 1e3);
    b2b2c_lead_model_free(m);
    measure_open(&s, "after closing", kind, n);
    b2b2c_ctx_free(ctx);
    store_close(&s);
    return 0;
}

/* ---- simulation -------------------------------------------------------- */

/* A lead's fate from its index (a fixed hash: deterministic). */
static uint32_t fate(long i)
{
    uint64_t z = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
    z ^= z >> 31;
    z *= 0xbf58476d1ce4e5b9ULL;
    return (uint32_t)(z >> 40) % 1000u;
}

/* The forecaster's purchases of day d: the first of the leads won today
 * (arrived 30 days ago) and the repeats of those won k periods ago. */
static long sim_purchases(b2b2c_forecaster *fc, long n, long days, long d,
                          int64_t t)
{
    static const long period[4] = {60, 90, 120, 180};
    long made = 0;
    char id[32];
    int rc;
    for (int pi = 0; pi < 4; pi++)
        for (long k = 0; k <= 8; k++) {
            long dl = d - 30 - k * period[pi], a, b;
            if (k == 0 && pi > 0)
                break; /* the first purchase once */
            if (dl < 0 || dl >= days)
                continue;
            a = (long)((double)dl * (double)n / (double)days);
            b = (long)((double)(dl + 1) * (double)n / (double)days);
            if (b > n)
                b = n;
            for (long i = a; i < b; i++) {
                uint32_t f = fate(i);
                if (f >= 100 ||
                    (k > 0 && ((long)(f % 4) != pi || k > 1 + (f / 4) % 8)))
                    continue;
                lead_id(id, sizeof(id), i);
                if ((rc = b2b2c_forecaster_add_purchase(
                         fc, id, (int32_t)(i % 6), t + 3600,
                         k ? 50.0 + (double)(i % 200) : 100.0 + f * 4.0,
                         k % 4 == 3 ? B2B2C_FORECAST_KIND_INSTALL
                                    : B2B2C_FORECAST_KIND_PRODUCT)))
                    fail("add_purchase", rc);
                made++;
            }
        }
    return made;
}

static int part_sim(const char *kind, long n, int years, double audit_days,
                    long stop)
{
    bench_counter cnt = {0};
    b2b2c_allocator al = {B2B2C_ALLOCATOR_VERSION, bench_count_alloc,
                          bench_count_realloc, bench_count_free, &cnt};
    store s;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    b2b2c_dealer_engine *e;
    b2b2c_forecaster *fc;
    long days = (long)years * 365, next_mark = n / 10, made = 0;
    long routed = 0, bought = 0;
    size_t pruned = 0, folded = 0, dclosed = 0;
    long marks[3] = {1000000, 5000000, 10000000};
    double t0 = bench_now();
    char id[32];
    int rc;

    store_open(&s, kind);
    if ((rc = b2b2c_ctx_new(&ctx, &al, &s.st)) ||
        (rc = b2b2c_lead_model_new(&m, ctx)) ||
        (rc = b2b2c_dealer_new(&e, ctx)) ||
        (rc = b2b2c_forecaster_new(&fc, ctx)))
        fail("open", rc);
    if (audit_days >= 0 &&
        (rc = b2b2c_dealer_set_param(e, B2B2C_DEALER_PARAM_AUDIT_DAYS,
                                     audit_days)))
        fail("audit days", rc);
    for (int k = 0; k < 100; k++) {
        snprintf(id, sizeof(id), "dealer-%03d", k);
        if ((rc = b2b2c_dealer_put(e, id, 1.0 + k % 3, "RU-MOW;RU-SPE", "",
                                   1000000, 0, 72)))
            fail("dealer_put", rc);
    }
    /* lead i arrives on day i * days / n */
    for (long d = 0; d < days + 60; d++) {
        int64_t day0 = T0 + (int64_t)d * DAY;
        long lo = (long)((double)d * (double)n / (double)days);
        long hi = (long)((double)(d + 1) * (double)n / (double)days);
        size_t closed, live;
        if (hi > n)
            hi = n;
        if ((rc = b2b2c_ctx_begin(ctx)))
            fail("begin", rc);
        /* arrivals */
        for (long i = lo; i < hi; i++) {
            int64_t t = day0 + (int64_t)(i - lo) * (DAY / 2) / (hi - lo + 1);
            lead_id(id, sizeof(id), i);
            if ((rc = b2b2c_lead_add(m, id, t, (int32_t)(i % 6),
                                     i % 3 ? "search" : "display",
                                     i % 7 ? "RU-MOW" : "RU-SPE",
                                     "boilers")) ||
                (rc = b2b2c_lead_event(m, id, B2B2C_LEAD_EV_SITE_VISIT, t + 60,
                                       0)) ||
                (rc = b2b2c_lead_event(m, id, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                                       t + 600, 0)) ||
                (rc = b2b2c_lead_event(m, id, B2B2C_LEAD_EV_EMAIL_OPEN,
                                       t + 1200, 0)))
                fail("arrival", rc);
        }
        /* the leads of earlier days move on, at this day's noon */
        for (int back = 7; back <= 40; back++) {
            long dl = d - back, a, b;
            if (back != 7 && back != 30 && back != 40)
                continue;
            if (dl < 0 || dl >= days)
                continue;
            a = (long)((double)dl * (double)n / (double)days);
            b = (long)((double)(dl + 1) * (double)n / (double)days);
            if (b > n)
                b = n;
            for (long i = a; i < b; i++) {
                uint32_t f = fate(i);
                int64_t t = day0 + DAY / 2;
                int qualified = f < 400, won = f < 100, disq = f >= 900;
                rc = 0;
                lead_id(id, sizeof(id), i);
                if (back == 7) {
                    rc = b2b2c_lead_set_stage(
                        m, id,
                        qualified ? B2B2C_LEAD_STAGE_QUALIFIED
                                  : B2B2C_LEAD_STAGE_NURTURING,
                        t);
                    if (rc == 0 && qualified) { /* to a dealer, accepted */
                        const char *dl_id = NULL;
                        rc = b2b2c_dealer_route(
                            &dl_id, NULL, e, id, i % 7 ? "RU-MOW" : "RU-SPE",
                            0, 0, 0, "boilers", (int32_t)(i % 6),
                            B2B2C_BAND_WARM, t);
                        if (rc == 0 && dl_id)
                            rc = b2b2c_dealer_accept(e, id, dl_id, t + 3600);
                        routed++;
                    }
                } else if (back == 30) {
                    if (qualified &&
                        (rc = b2b2c_dealer_outcome(
                             e, id, won, won ? 1000.0 + f : 0, t)))
                        fail("dealer_outcome", rc);
                    rc = b2b2c_lead_set_stage(
                        m, id,
                        won ? B2B2C_LEAD_STAGE_WON
                            : disq ? B2B2C_LEAD_STAGE_DISQUALIFIED
                                   : B2B2C_LEAD_STAGE_LOST,
                        t);
                    if (rc == 0 && f % 50 == 7)
                        rc = b2b2c_lead_outcome(m, id, won, t);
                } else if (won) {
                    rc = b2b2c_lead_set_stage(m, id,
                                              B2B2C_LEAD_STAGE_CUSTOMER, t);
                }
                if (rc)
                    fail("stage", rc);
            }
        }
        bought += sim_purchases(fc, n, days, d, day0 + DAY / 2);
        if ((rc = b2b2c_ctx_commit(ctx)))
            fail("commit", rc);
        if ((rc = b2b2c_lead_close_due(&closed, m, day0 + DAY - 1, 100000)))
            fail("close_due", rc);
        {
            size_t np = 0, nf = 0, nc = 0;
            if ((rc = b2b2c_dealer_prune(&np, e, day0 + DAY - 1, 100000)) ||
                (rc = b2b2c_dealer_close_due(&nc, e, day0 + DAY - 1,
                                             100000)) ||
                (rc = b2b2c_forecaster_fold(&nf, fc, day0 + DAY - 1,
                                            100000)))
                fail("prune/close/fold", rc);
            pruned += np;
            folded += nf;
            dclosed += nc;
        }
        made = hi > made ? hi : made;
        if ((rc = b2b2c_lead_count(&live, m)))
            fail("count", rc);
        for (int k = 0; k < 3; k++)
            if (made >= marks[k] && marks[k] <= n && marks[k] > 0) {
                printf("bench lifecycle sim %s: %ld leads by day %ld, "
                       "working set %zu, RSS %.1f MB, library %.1f MB, "
                       "%ld routes, %ld purchases, %zu audit entries "
                       "pruned, %zu dealer leads closed, %zu folds, %.0f s\n",
                       kind, marks[k], d, live, rss_bytes() / 1e6,
                       (double)cnt.bytes / 1e6, routed, bought, pruned,
                       dclosed, folded, bench_now() - t0);
                marks[k] = -1;
            }
        if (made >= next_mark && next_mark > 0) {
            printf("bench lifecycle sim %s: %ld leads by day %ld, working "
                   "set %zu, RSS %.1f MB, library %.1f MB, %ld routes, %ld "
                   "purchases, %zu audit entries pruned, %zu dealer leads "
                   "closed, %zu folds, %.0f s\n",
                   kind, made, d, live, rss_bytes() / 1e6,
                   (double)cnt.bytes / 1e6, routed, bought, pruned, dclosed,
                   folded, bench_now() - t0);
            fflush(stdout);
            next_mark += n / 10;
        }
        if (stop > 0 && made >= stop)
            break; /* the arrivals stop here: no closing tail */
    }
    b2b2c_lead_model_free(m);
    b2b2c_dealer_free(e);
    b2b2c_forecaster_free(fc);
    /* the open at the end, on a new context: each engine in turn */
    {
        bench_counter c2n = {0};
        b2b2c_allocator a2 = {B2B2C_ALLOCATOR_VERSION, bench_count_alloc,
                              bench_count_realloc, bench_count_free, &c2n};
        b2b2c_ctx *c2;
        size_t live;
        double o0, o1, o2, o3;
        long long b0, b1, b2;
        if ((rc = b2b2c_ctx_new(&c2, &a2, &s.st)))
            fail("ctx_new", rc);
        b0 = c2n.bytes;
        o0 = bench_now();
        if ((rc = b2b2c_lead_model_new(&m, c2)) ||
            (rc = b2b2c_lead_count(&live, m)))
            fail("open", rc);
        o1 = bench_now();
        b1 = c2n.bytes;
        if ((rc = b2b2c_dealer_new(&e, c2)))
            fail("dealer open", rc);
        o2 = bench_now();
        b2 = c2n.bytes;
        if ((rc = b2b2c_forecaster_new(&fc, c2)))
            fail("forecaster open", rc);
        o3 = bench_now();
        printf("bench lifecycle sim %s: open at the end %.1f ms (leads "
               "%.1f, dealers %.1f, forecaster %.1f), working set %zu of "
               "%ld leads; library after the open %.1f MB (leads %.1f, "
               "dealers %.1f, forecaster %.1f)\n",
               kind, (o3 - o0) * 1e3, (o1 - o0) * 1e3, (o2 - o1) * 1e3,
               (o3 - o2) * 1e3, live, n, (double)(c2n.bytes - b0) / 1e6,
               (double)(b1 - b0) / 1e6, (double)(b2 - b1) / 1e6,
               (double)(c2n.bytes - b2) / 1e6);
        b2b2c_lead_model_free(m);
        b2b2c_dealer_free(e);
        b2b2c_forecaster_free(fc);
        b2b2c_ctx_free(c2);
    }
    b2b2c_ctx_free(ctx);
    store_close(&s);
    return 0;
}

int main(int argc, char **argv)
{
    const char *part = argc > 1 ? argv[1] : "open";
    const char *kind = argc > 2 ? argv[2] : "mem";
    long n = argc > 3 ? atol(argv[3]) : 200000;
    int years = argc > 4 ? atoi(argv[4]) : 3;
    double audit_days = argc > 5 ? atof(argv[5]) : -1; /* -1: default */
    long stop = argc > 6 ? atol(argv[6]) : 0; /* 0: all N and the tail */
    if (n < 10 || years < 1 || years > 100 || stop < 0) {
        fprintf(stderr, "usage: bench_lifecycle open|sim mem|sqlite [N "
                        "[YEARS [AUDIT_DAYS [STOP]]]]\n");
        return 2;
    }
    if (strcmp(part, "open") == 0)
        return part_open(kind, n);
    if (strcmp(part, "sim") == 0)
        return part_sim(kind, n, years, audit_days, stop);
    fprintf(stderr, "bench_lifecycle: unknown part '%s'\n", part);
    return 2;
}
