/* SPDX-License-Identifier: MIT */
/*
 * Many processes, one database (issue 13): N worker processes make M mixed
 * calls each on one SQLite file (lead adds and events, routes to dealers
 * with capacity 1-3 and daily quotas, accepts, declines, expiries,
 * outcomes, purchases, channel touches), on shared IDs so that they
 * collide. Every worker writes down each call that committed, with the
 * commit's number (b2b2c_ctx_seq). Then one process replays the committed
 * calls in commit order on a fresh database and checks:
 *  - every replayed call succeeds (what a worker saw committed is there);
 *  - no dealer ever holds more open offers than its capacity, nor gets
 *    more offers in a day than its quota;
 *  - every engine table of the two databases is equal, row for row (audit
 *    sequences unique: a duplicate would have overwritten a row);
 *  - a context opened before the workers ran, brought up to date, answers
 *    like one opened fresh.
 *
 * Usage: test_stress WORKERS CALLS DIR [sqlite|postgresql]: the shared
 * database is DIR/stress.db, or the PostgreSQL server named by
 * $B2B2C_PG_CONNINFO (tests/harness/pg_server.sh starts one); the replay
 * always runs on the SQLite file DIR/replay.db. Exit 0, 1, or 77 (skip).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "b2b2c/channel.h"
#include "b2b2c/dealer.h"
#include "b2b2c/forecast.h"
#include "b2b2c/lead.h"
#include "b2b2c/storage/sqlite.h"
#ifdef B2B2C_STRESS_PG
#include "b2b2c/storage/postgresql.h"
#endif

#define NDEALERS 40
#define NLEADS 400
#define NDAYS 4096
#define QUOTA(d) (4 + (d) % 3)
#define NCUST 150
#define NCHAN 5
#define T0 ((int64_t)1767225600) /* 2026-01-01 */

/* A database: a SQLite file, or (path NULL) the PostgreSQL server. */
typedef struct dbref {
    const char *path;
    const char *conninfo;
} dbref;

typedef struct env {
    b2b2c_sqlite *db;
#ifdef B2B2C_STRESS_PG
    b2b2c_pg *pg;
#endif
    b2b2c_ctx *ctx;
    b2b2c_lead_model *lm;
    b2b2c_dealer_engine *de;
    b2b2c_forecaster *fc;
    b2b2c_channels *ch;
} env;

static void die(const char *what, int rc, const env *e)
{
    fprintf(stderr, "stress: %s: %d (%s) %s\n", what, rc, b2b2c_strerror(rc),
            e && e->ctx ? b2b2c_ctx_errmsg(e->ctx) : "");
    exit(1);
}

static int store_open(env *e, const dbref *d, b2b2c_storage *st)
{
    int rc;
    if (d->path) {
        b2b2c_sqlite_options o = B2B2C_SQLITE_OPTIONS_INIT;
        o.wal = 1;
        o.synchronous = B2B2C_SQLITE_SYNC_NORMAL;
        o.busy_timeout_ms = 60000;
        if ((rc = b2b2c_sqlite_open_with(&e->db, d->path, &o)) == 0)
            rc = b2b2c_sqlite_methods(e->db, st);
        return rc;
    }
#ifdef B2B2C_STRESS_PG
    if ((rc = b2b2c_pg_open(&e->pg, d->conninfo, NULL)) == 0)
        rc = b2b2c_pg_methods(e->pg, st);
    return rc;
#else
    return B2B2C_EINVAL;
#endif
}

static void env_open(env *e, const dbref *d)
{
    b2b2c_storage st;
    int rc;

    memset(e, 0, sizeof(*e));
    if ((rc = store_open(e, d, &st)) ||
        (rc = b2b2c_ctx_new(&e->ctx, NULL, &st)))
        die("open", rc, e);
    if ((rc = b2b2c_lead_model_new(&e->lm, e->ctx)) ||
        (rc = b2b2c_dealer_new(&e->de, e->ctx)) ||
        (rc = b2b2c_forecaster_new(&e->fc, e->ctx)) ||
        (rc = b2b2c_channels_new(&e->ch, e->ctx)))
        die("open engines", rc, e);
}

static void env_close(env *e)
{
    b2b2c_lead_model_free(e->lm);
    b2b2c_dealer_free(e->de);
    b2b2c_forecaster_free(e->fc);
    b2b2c_channels_free(e->ch);
    b2b2c_ctx_free(e->ctx);
    b2b2c_sqlite_close(e->db);
#ifdef B2B2C_STRESS_PG
    b2b2c_pg_close(e->pg);
#endif
}

/* ---- the calls ------------------------------------------------------------ */

enum {
    OP_LEAD_ADD, OP_LEAD_EVENT, OP_ROUTE, OP_ACCEPT, OP_DECLINE, OP_EXPIRE,
    OP_OUTCOME, OP_PURCHASE, OP_TOUCH, NOPS
};

typedef struct call {
    uint64_t seq;
    int32_t op, a, b;
    int64_t now;
    double x;
} call;

static const char *dealer_id(char *buf, int d)
{
    snprintf(buf, 16, "D%02d", d);
    return buf;
}

static int dealer_index(const char *id)
{
    return id && id[0] == 'D' ? atoi(id + 1) : -1;
}

typedef struct offered {
    int dealer; /* -1: none */
    /* the dealers that got an expired offer's lead (b2b2c_dealer_expire's
     * re-routes: offers too, at the call's time) */
    int rerouted[NLEADS];
    int nrerouted;
} offered;

static int on_reroute(const char *lead_id, const char *from_dealer,
                      const char *to_dealer, int32_t reason, void *userdata)
{
    offered *off = userdata;
    (void)lead_id;
    (void)from_dealer;
    (void)reason;
    if (to_dealer && off->nrerouted < NLEADS)
        off->rerouted[off->nrerouted++] = dealer_index(to_dealer);
    return 0;
}

/* Run one call; `off->dealer` is the dealer that got an offer, if any, and
 * off->rerouted those that got an expired offer's lead. */
static int run(env *e, const call *c, offered *off)
{
    char lead[16], cust[16], chan[16], dl[16], reg[8];
    const char *to = NULL;
    int32_t reason = 0;
    size_t n;
    int rc;

    off->dealer = -1;
    off->nrerouted = 0;
    snprintf(lead, sizeof lead, "L%03d", c->a);
    switch (c->op) {
    case OP_LEAD_ADD:
        snprintf(reg, sizeof reg, "R%d", c->a % 3);
        return b2b2c_lead_add(e->lm, lead, c->now, B2B2C_SEGMENT_B2C_CONSUMER,
                              "web", reg, "boilers");
    case OP_LEAD_EVENT:
        return b2b2c_lead_event(e->lm, lead, c->b, c->now, c->x);
    case OP_ROUTE:
        snprintf(reg, sizeof reg, "R%d", c->a % 3);
        rc = b2b2c_dealer_route(&to, &reason, e->de, lead, reg, 0, 0, 0, "",
                                B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_HOT,
                                c->now);
        if (rc == 0)
            off->dealer = dealer_index(to);
        return rc;
    case OP_ACCEPT:
        return b2b2c_dealer_accept(e->de, lead, dealer_id(dl, c->b), c->now);
    case OP_DECLINE:
        rc = b2b2c_dealer_decline(&to, &reason, e->de, lead,
                                  dealer_id(dl, c->b), 0, c->now);
        if (rc == 0)
            off->dealer = dealer_index(to);
        return rc;
    case OP_EXPIRE:
        return b2b2c_dealer_expire(&n, e->de, c->now, on_reroute, off);
    case OP_OUTCOME:
        return b2b2c_dealer_outcome(e->de, lead, c->b, c->x, c->now);
    case OP_PURCHASE:
        snprintf(cust, sizeof cust, "C%03d", c->a % NCUST);
        return b2b2c_forecaster_add_purchase(e->fc, cust,
                                             B2B2C_SEGMENT_B2C_CONSUMER,
                                             c->now, c->x,
                                             B2B2C_FORECAST_KIND_PRODUCT);
    case OP_TOUCH:
        snprintf(chan, sizeof chan, "ch%d", c->b);
        return b2b2c_channels_touch(e->ch, lead, chan, c->now);
    }
    return B2B2C_EINVAL;
}

/* Refusals a correct run meets (IDs collide on purpose; clocks of the
 * workers differ by milliseconds). Anything else is a failure. */
static int expected_refusal(int rc)
{
    return rc == B2B2C_EEXISTS || rc == B2B2C_ENOTFOUND ||
           rc == B2B2C_ENODEALER || rc == B2B2C_ESTATE ||
           rc == B2B2C_ERANGE || rc == B2B2C_EEXPIRED;
}

static void setup(env *e)
{
    char id[16], chan[16];
    int rc;
    for (int d = 0; d < NDEALERS; d++) {
        /* capacity 1-3, quota 4-6 a day, 24 h to answer */
        rc = b2b2c_dealer_put(e->de, dealer_id(id, d), 1.0 + d % 3,
                              d % 2 ? "R0;R1;R2" : "R0;R1", "", 1 + d % 3,
                              QUOTA(d), 24.0);
        if (rc)
            die("dealer_put", rc, e);
    }
    for (int c = 0; c < NCHAN; c++) {
        snprintf(chan, sizeof chan, "ch%d", c);
        rc = b2b2c_channels_add(e->ch, chan, B2B2C_CHANNEL_KIND_LEADGEN, 0,
                                0);
        if (rc)
            die("channels_add", rc, e);
    }
}

static int64_t now_of(const struct timespec *start)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    /* one real millisecond is ten simulated minutes: a run spans days, so
     * offers expire (24 h) and daily quotas start again */
    return T0 + ((int64_t)(t.tv_sec - start->tv_sec) * 1000 +
                 (t.tv_nsec - start->tv_nsec) / 1000000) * 600;
}

static void worker(int w, int ncalls, const dbref *db, const char *logpath,
                   const struct timespec *start)
{
    env e;
    FILE *log = fopen(logpath, "wb");
    uint64_t x = 0x9E3779B97F4A7C15ull * (uint64_t)(w + 1);

    if (!log) {
        perror(logpath);
        exit(1);
    }
    size_t refused[NOPS][20];
    int ring[16], nring = 0; /* leads this worker routed lately */
    memset(refused, 0, sizeof(refused));
    env_open(&e, db);
    for (int i = 0; i < ncalls; i++) {
        call c;
        offered off;
        uint64_t own0, own1;
        int rc, r;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        r = (int)(x % 100);
        memset(&c, 0, sizeof(c));
        c.a = (int)((x >> 8) % NLEADS);
        c.b = (int)((x >> 20) % 16);
        c.x = (double)((x >> 32) % 1000);
        c.op = r < 10 ? OP_LEAD_ADD : r < 26 ? OP_LEAD_EVENT
             : r < 46 ? OP_ROUTE : r < 56 ? OP_ACCEPT
             : r < 62 ? OP_DECLINE : r < 66 ? OP_EXPIRE
             : r < 74 ? OP_OUTCOME : r < 87 ? OP_PURCHASE : OP_TOUCH;
        if (c.op == OP_LEAD_EVENT)
            c.b %= 12; /* a built-in event kind */
        if (c.op == OP_ROUTE)
            /* dealers' leads: a window of 24 that moves through 500, so
             * the workers' routes meet on the same leads */
            c.a = 400 + i / 10 + c.a % 24;
        if (c.op == OP_ACCEPT || c.op == OP_DECLINE || c.op == OP_OUTCOME) {
            /* mostly a lead this worker routed, sometimes any in the
             * window (another worker's) */
            if (nring && (x >> 50) % 4)
                c.a = ring[(x >> 44) % (unsigned)nring];
            else
                c.a = 400 + i / 10 + c.a % 24;
        }
        if (c.op == OP_ACCEPT || c.op == OP_DECLINE) {
            /* answer for the dealer that holds the lead, as a dealer would */
            int32_t state;
            const char *holder = NULL;
            char lead[16];
            snprintf(lead, sizeof lead, "L%03d", c.a);
            if (b2b2c_dealer_lead_state(&state, &holder, e.de, lead) ||
                !holder)
                continue;
            c.b = dealer_index(holder);
        }
        if (c.op == OP_OUTCOME) {
            c.b = (int)(x >> 40) & 1;
            if (!c.b)
                c.x = 0; /* a lost lead has no revenue */
        }
        if (c.op == OP_TOUCH)
            c.b %= NCHAN;
        c.now = now_of(start);
        b2b2c_ctx_seq(NULL, &own0, e.ctx);
        rc = run(&e, &c, &off);
        b2b2c_ctx_seq(NULL, &own1, e.ctx);
        if (rc && !expected_refusal(rc))
            die("worker call", rc, &e);
        if (rc && -rc < 20)
            refused[c.op][-rc]++;
        if (rc == 0 && c.op == OP_ROUTE) {
            if (nring < 16)
                ring[nring++] = c.a;
            else
                ring[(x >> 36) % 16] = c.a;
        }
        if (rc == 0 && own1 != own0) {
            c.seq = own1;
            if (fwrite(&c, sizeof(c), 1, log) != 1) {
                perror("log");
                exit(1);
            }
        }
    }
    if (getenv("B2B2C_STRESS_VERBOSE"))
        for (int o = 0; o < NOPS; o++)
            for (int k = 1; k < 20; k++)
                if (refused[o][k])
                    printf("worker %d: op %d refused %zu times with %d\n", w,
                           o, refused[o][k], -k);
    env_close(&e);
    if (fclose(log)) {
        perror("log");
        exit(1);
    }
    exit(0);
}

/* ---- checks -------------------------------------------------------------- */

static int cmp_call(const void *a, const void *b)
{
    const call *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

typedef struct capck {
    int bad;
    const char *where;
} capck;

static int cap_row(const char *id, int32_t status, int64_t paused,
                   double tw, int32_t cap, int64_t open, void *u)
{
    capck *k = u;
    (void)status, (void)paused, (void)tw;
    if (open > cap) {
        fprintf(stderr, "stress: %s: dealer %s holds %" PRId64
                        " open offers, capacity %d\n",
                k->where, id, open, cap);
        k->bad = 1;
    }
    return 0;
}

/* Every row of every engine table, hashed in key order. */
static const char *const tables[] = {
    "lead_leads", "lead_attrs", "lead_config", "lead_model", "lead_stages",
    "lead_train", "dealer_dealers", "dealer_leads", "dealer_audit",
    "dealer_state", "dealer_stats", "forecast_cancel", "forecast_config",
    "forecast_fit", "forecast_kind", "forecast_purchase", "channel_channels",
    "channel_leads", "channel_params", "channel_spend", NULL};

typedef struct dig {
    uint64_t h;
    size_t rows;
} dig;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static int dig_row(const void *k, size_t kl, const void *v, size_t vl,
                   void *u)
{
    dig *d = u;
    d->h = fnv(d->h, &kl, sizeof(kl));
    d->h = fnv(d->h, k, kl);
    d->h = fnv(d->h, &vl, sizeof(vl));
    d->h = fnv(d->h, v, vl);
    d->rows++;
    return 0;
}

static int compare_tables(const dbref *pa, const dbref *pb)
{
    env a, b;
    b2b2c_storage sa, sb;
    int bad = 0;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    if (store_open(&a, pa, &sa) || store_open(&b, pb, &sb))
        die("reopen for compare", -1, NULL);
    for (int t = 0; tables[t]; t++) {
        dig da = {0xcbf29ce484222325ull, 0}, db = da;
        sa.scan(sa.userdata, tables[t], dig_row, &da);
        sb.scan(sb.userdata, tables[t], dig_row, &db);
        printf("  %-18s %7zu rows %s\n", tables[t], da.rows,
               da.h == db.h && da.rows == db.rows ? "equal" : "DIFFERENT");
        if (da.h != db.h || da.rows != db.rows) {
            fprintf(stderr, "stress: table %s: %zu rows vs %zu in the replay\n",
                    tables[t], da.rows, db.rows);
            bad = 1;
        }
    }
    env_close(&a);
    env_close(&b);
    return bad;
}

typedef struct leaddig {
    uint64_t h;
    size_t n;
} leaddig;

static int lead_row(const char *id, int32_t stage, int32_t band, double score,
                    void *u)
{
    leaddig *d = u;
    d->h = fnv(d->h, id, strlen(id));
    d->h = fnv(d->h, &stage, sizeof(stage));
    d->h = fnv(d->h, &band, sizeof(band));
    d->h = fnv(d->h, &score, sizeof(score));
    d->n++;
    return 0;
}

static leaddig leads_digest(env *e, int64_t now)
{
    leaddig d = {0xcbf29ce484222325ull, 0};
    int rc = b2b2c_lead_list(e->lm, -1, -1, now, lead_row, &d);
    if (rc)
        die("lead_list", rc, e);
    return d;
}

int main(int argc, char **argv)
{
    int nw, nc, bad = 0;
    char dbp[4096], replay[4096], logp[4096];
    dbref db = {dbp, NULL}, rdb = {replay, NULL};
    struct timespec start;
    env first, re;
    call *calls = NULL;
    size_t ncalls = 0, cap = 0;
    int64_t last = T0;

    if (argc < 4 || argc > 5 || (nw = atoi(argv[1])) < 1 ||
        (nc = atoi(argv[2])) < 1) {
        fprintf(stderr, "usage: %s WORKERS CALLS DIR [sqlite|postgresql]\n",
                argv[0]);
        return 2;
    }
    snprintf(dbp, sizeof dbp, "%s/stress.db", argv[3]);
    if (argc == 5 && strcmp(argv[4], "postgresql") == 0) {
#ifdef B2B2C_STRESS_PG
        if (!(db.conninfo = getenv("B2B2C_PG_CONNINFO"))) {
            printf("SKIP: B2B2C_PG_CONNINFO not set: run under "
                   "tests/harness/pg_server.sh\n");
            return 77;
        }
        db.path = NULL;
#else
        printf("SKIP: built without libpq\n");
        return 77;
#endif
    }
    snprintf(replay, sizeof replay, "%s/replay.db", argv[3]);
    for (const char *sfx = ""; ; sfx = "-wal") {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", dbp, sfx);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", replay, sfx);
        unlink(p);
        if (*sfx)
            break;
    }
    /* the setup, and a context that stays open (idle) during the run */
    env_open(&first, &db);
    setup(&first);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int w = 0; w < nw; w++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            snprintf(logp, sizeof logp, "%s/worker%d.log", argv[3], w);
            worker(w, nc, &db, logp, &start);
        }
    }
    for (int w = 0; w < nw; w++) {
        int status;
        if (wait(&status) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "stress: a worker failed\n");
            bad = 1;
        }
    }
    if (bad)
        return 1;
    for (int w = 0; w < nw; w++) {
        FILE *f;
        call c;
        snprintf(logp, sizeof logp, "%s/worker%d.log", argv[3], w);
        if (!(f = fopen(logp, "rb"))) {
            perror(logp);
            return 1;
        }
        while (fread(&c, sizeof(c), 1, f) == 1) {
            if (ncalls == cap) {
                cap = cap ? cap * 2 : 1024;
                calls = realloc(calls, cap * sizeof(*calls));
                if (!calls)
                    return 1;
            }
            calls[ncalls++] = c;
        }
        fclose(f);
    }
    qsort(calls, ncalls, sizeof(*calls), cmp_call);
    for (size_t i = 1; i < ncalls; i++)
        if (calls[i].seq == calls[i - 1].seq) {
            fprintf(stderr, "stress: two calls committed as %" PRIu64 "\n",
                    calls[i].seq);
            return 1;
        }
    printf("stress: %d workers x %d calls, %zu committed\n", nw, nc, ncalls);

    /* replay in commit order, one process, checking capacity and quota */
    env_open(&re, &rdb);
    setup(&re);
    {
        static int per_day[NDEALERS][NDAYS];
        int64_t last_day[NDEALERS];
        size_t byop[NOPS] = {0};
        int64_t day0 = T0 / 86400;
        memset(per_day, 0, sizeof(per_day));
        memset(last_day, 0, sizeof(last_day));
        for (size_t i = 0; i < ncalls; i++) {
            offered off;
            int rc = run(&re, &calls[i], &off);
            if (rc) {
                fprintf(stderr, "stress: committed call %" PRIu64
                                " (op %d) fails in the replay: %d %s\n",
                        calls[i].seq, calls[i].op, rc,
                        b2b2c_ctx_errmsg(re.ctx));
                return 1;
            }
            if (calls[i].now > last)
                last = calls[i].now;
            byop[calls[i].op]++;
            {
                /* the call's offers: its own, and the re-routes of the
                 * offers an expiry call expired */
                int got[NLEADS + 1], ngot = 0;
                capck k = {0, "replay"};
                if (off.dealer >= 0)
                    got[ngot++] = off.dealer;
                for (int j = 0; j < off.nrerouted; j++)
                    if (off.rerouted[j] >= 0)
                        got[ngot++] = off.rerouted[j];
                for (int j = 0; j < ngot; j++) {
                    int dl = got[j];
                    /* an offer timed before the dealer's latest offer day
                     * counts towards that day (docs/dealer-allocation.md) */
                    int64_t d = calls[i].now / 86400 - day0;
                    if (d < last_day[dl])
                        d = last_day[dl];
                    last_day[dl] = d;
                    if (d >= 0 && d < NDAYS &&
                        ++per_day[dl][d] > QUOTA(dl)) {
                        fprintf(stderr, "stress: dealer D%02d got %d offers "
                                        "on day %" PRId64 ", quota %d\n",
                                dl, per_day[dl][d], d, QUOTA(dl));
                        bad = 1;
                    }
                }
                if (ngot > 0) {
                    b2b2c_dealer_list(re.de, -1, cap_row, &k);
                    bad |= k.bad;
                }
            }
        }
        printf("stress: committed lead adds %zu, events %zu, routes %zu, "
               "accepts %zu, declines %zu, expiries %zu, outcomes %zu, "
               "purchases %zu, touches %zu; %.1f days\n",
               byop[OP_LEAD_ADD], byop[OP_LEAD_EVENT], byop[OP_ROUTE],
               byop[OP_ACCEPT], byop[OP_DECLINE], byop[OP_EXPIRE],
               byop[OP_OUTCOME], byop[OP_PURCHASE], byop[OP_TOUCH],
               (double)(last - T0) / 86400);
    }
    /* the idle context, brought up to date, answers like a fresh one */
    {
        env fresh;
        leaddig a, b, r;
        env_open(&fresh, &db);
        a = leads_digest(&first, last);
        b = leads_digest(&fresh, last);
        r = leads_digest(&re, last);
        printf("stress: %zu leads; idle context %s, replay %s\n", a.n,
               a.h == b.h ? "equal" : "DIFFERENT",
               r.h == b.h ? "equal" : "DIFFERENT");
        if (a.h != b.h || a.n != b.n || r.h != b.h)
            bad = 1;
        env_close(&fresh);
    }
    env_close(&first);
    env_close(&re);
    bad |= compare_tables(&db, &rdb);
    free(calls);
    printf("stress: %s\n", bad ? "FAILED" : "ok");
    return bad;
}
