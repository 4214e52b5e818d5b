/* Lead model benchmarks: events per second into the memstore (groups of
 * 1,000), top 100 of 1,000,000 leads, memory per lead, and the learned
 * P(won) against the rule score on simulated data (AUC, reliability by
 * decile). Prints figures; asserts nothing about time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <cmocka.h>

#include "bench.h"
#include "harness.h"
#include "lead/lead_internal.h"

#define T0 1767225600
#define DAY 86400

/* ---- counting allocator (model memory only: the store uses libc) ---- */
typedef struct counter {
    long long bytes;
} counter;
static void *c_alloc(size_t n, void *ud)
{
    size_t *p = malloc(n + 16);
    if (!p)
        return NULL;
    *p = n;
    ((counter *)ud)->bytes += (long long)n;
    return (char *)p + 16;
}
static void *c_realloc(void *q, size_t n, void *ud)
{
    size_t *p;
    if (!q)
        return c_alloc(n, ud);
    p = (size_t *)((char *)q - 16);
    ((counter *)ud)->bytes -= (long long)*p;
    p = realloc(p, n + 16);
    if (!p)
        return NULL;
    *p = n;
    ((counter *)ud)->bytes += (long long)n;
    return (char *)p + 16;
}
static void c_free(void *q, void *ud)
{
    size_t *p;
    if (!q)
        return;
    p = (size_t *)((char *)q - 16);
    ((counter *)ud)->bytes -= (long long)*p;
    free(p);
}

typedef struct env {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    counter cnt;
    b2b2c_allocator al;
} env;

static void env_open(env *e)
{
    e->cnt.bytes = 0;
    e->al = (b2b2c_allocator){B2B2C_ALLOCATOR_VERSION, c_alloc, c_realloc,
                              c_free, &e->cnt};
    if (b2b2c_memstore_new(&e->ms, NULL) ||
        b2b2c_memstore_methods(e->ms, &e->st) ||
        b2b2c_ctx_new(&e->ctx, &e->al, &e->st) ||
        b2b2c_lead_model_new(&e->m, e->ctx, 1))
        abort();
}

static void env_close(env *e)
{
    b2b2c_lead_model_free(e->m);
    b2b2c_ctx_free(e->ctx);
    b2b2c_memstore_free(e->ms);
    e->m = NULL;
    e->ctx = NULL;
    e->ms = NULL;
}

static char (*ids)[16];

static void add_leads(env *e, int n)
{
    for (int i = 0; i < n; i += 1000) {
        b2b2c_ctx_begin(e->ctx);
        for (int j = i; j < i + 1000 && j < n; j++)
            if (b2b2c_lead_add(e->m, ids[j], T0, j % 6,
                               j % 3 ? "search" : "display",
                               j % 7 ? "north" : "south", NULL))
                abort();
        if (b2b2c_ctx_commit(e->ctx))
            abort();
    }
}

/* ---- events ---- */
enum { NEV = 1000000 };
static int NEV_LEADS = 100000;
static int NEV_KINDS = 13; /* kinds drawn uniformly */
static env ev_env;

static void ev_setup(void *arg)
{
    (void)arg;
    if (ev_env.m)
        env_close(&ev_env);
    env_open(&ev_env);
    add_leads(&ev_env, NEV_LEADS);
}

static void ev_run(void *arg)
{
    b2b2c__rng rng;
    (void)arg;
    b2b2c__rng_seed(&rng, 5);
    for (int i = 0; i < NEV; i += 1000) {
        b2b2c_ctx_begin(ev_env.ctx);
        for (int j = i; j < i + 1000; j++) {
            int32_t kind = (int32_t)b2b2c__rng_below(&rng,
                                                     (uint64_t)NEV_KINDS);
            if (b2b2c_lead_event(ev_env.m, ids[(int64_t)j * 7919 % NEV_LEADS], kind,
                                 T0 + j, 0)) {
                fprintf(stderr, "%s\n", b2b2c_ctx_errmsg(ev_env.ctx));
                abort();
            }
        }
        if (b2b2c_ctx_commit(ev_env.ctx))
            abort();
    }
}

/* Sessions: 4 events in a row per lead (visit, view, click, ...), leads
 * in a scattered order: how web-tracking streams arrive. */
static void ev_session_run(void *arg)
{
    b2b2c__rng rng;
    (void)arg;
    b2b2c__rng_seed(&rng, 6);
    for (int i = 0; i < NEV; i += 1000) {
        b2b2c_ctx_begin(ev_env.ctx);
        for (int j = i; j < i + 1000; j++) {
            int32_t kind = (int32_t)b2b2c__rng_below(&rng, 13);
            if (b2b2c_lead_event(ev_env.m,
                                 ids[(int64_t)(j / 4) * 7919 % NEV_LEADS],
                                 kind, T0 + j, 0))
                abort();
        }
        if (b2b2c_ctx_commit(ev_env.ctx))
            abort();
    }
}

/* The machine is shared: besides wall time (bench_run_setup), report the
 * process CPU time of each timed run, which leaves out the time the
 * scheduler gave to other jobs. */
static void (*ev_fn)(void *);
static double ev_cpu[16];
static int ev_ncpu;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void ev_timed(void *arg)
{
    double t = cpu_now();
    ev_fn(arg);
    if (ev_ncpu < 16)
        ev_cpu[ev_ncpu++] = cpu_now() - t;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void ev_bench(const char *name, void (*fn)(void *))
{
    double med;
    ev_fn = fn;
    ev_ncpu = 0;
    bench_run_setup(name, ev_setup, ev_timed, NULL, NEV, 1, 5);
    /* the first run is the warm-up */
    qsort(ev_cpu + 1, (size_t)(ev_ncpu - 1), sizeof(double), dbl_cmp);
    med = ev_cpu[1 + (ev_ncpu - 1) / 2];
    printf("bench %s [cpu time]: median %.3f ms (min %.3f, max %.3f, n=%d), "
           "%.3f M items/s\n",
           name, med * 1e3, ev_cpu[1] * 1e3, ev_cpu[ev_ncpu - 1] * 1e3,
           ev_ncpu - 1, NEV / med / 1e6);
    fflush(stdout);
}

static int ev_case(int n, int only)
{
    return only == 0 || only == n;
}

/* ---- top 100 of 1M ---- */
enum { NTOP = 1000000 };
static env top_env;
static int sink(const char *id, double s, int32_t b, double p, void *pl)
{
    (void)id;
    (void)b;
    (void)p;
    *(double *)pl += s;
    return 0;
}
static void top_run(void *arg)
{
    double acc = 0;
    (void)arg;
    if (b2b2c_lead_top(top_env.m, T0 + 40 * DAY, 100, B2B2C_LEAD_BY_SCORE, -1,
                       -1, -1, NULL, sink, &acc))
        abort();
}
static void top_hot_run(void *arg)
{
    double acc = 0;
    (void)arg;
    if (b2b2c_lead_top(top_env.m, T0 + 40 * DAY, 100, B2B2C_LEAD_BY_SCORE,
                       B2B2C_BAND_WARM, -1, -1, NULL, sink, &acc))
        abort();
}

/* ---- learned model vs rule score ---- */

/* AUC by the rank-sum (Mann-Whitney) statistic: Hanley & McNeil 1982,
 * eq. 2 (ties count one half). */
typedef struct sc {
    double s;
    int y;
} sc;
static int sc_cmp(const void *a, const void *b)
{
    double x = ((const sc *)a)->s, y = ((const sc *)b)->s;
    return x < y ? -1 : x > y;
}
static double auc(sc *v, size_t n)
{
    double rank_sum = 0, npos = 0;
    qsort(v, n, sizeof(*v), sc_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].s == v[i].s)
            j++;
        for (size_t k = i; k < j; k++)
            if (v[k].y) {
                rank_sum += 0.5 * (double)(i + 1 + j);
                npos++;
            }
        i = j;
    }
    return (rank_sum - npos * (npos + 1) / 2) / (npos * ((double)n - npos));
}

static void learned_vs_rule(void)
{
    enum { N = 20000, NTRAIN = 10000 };
    env e;
    b2b2c__rng rng;
    int *truth = malloc(N * sizeof(int));
    sc *rule = malloc((N - NTRAIN) * sizeof(sc));
    sc *prob = malloc((N - NTRAIN) * sizeof(sc));
    double bin_p[10] = {0}, bin_y[10] = {0}, bin_n[10] = {0};
    env_open(&e);
    b2b2c__rng_seed(&rng, 2026);
    b2b2c_ctx_begin(e.ctx);
    for (int i = 0; i < N; i++) {
        /* True conversion: webinar attendance and email clicks matter,
         * price views and questions (high default points) do not, b2b_large
         * converts better; logit from these only. */
        int seg = (int)b2b2c__rng_below(&rng, 6);
        int att = (int)b2b2c__rng_below(&rng, 3);
        int clicks = (int)b2b2c__rng_below(&rng, 5);
        int price = (int)b2b2c__rng_below(&rng, 3);
        int quest = b2b2c__rng_uniform(&rng) < 0.3;
        int guide = b2b2c__rng_uniform(&rng) < 0.5;
        double z = -2.5 + 0.9 * att + 0.35 * clicks +
                   (seg == B2B2C_SEGMENT_B2B_LARGE ? 1.0 : 0.0);
        int64_t t = T0;
        truth[i] = b2b2c__rng_uniform(&rng) < 1.0 / (1.0 + exp(-z));
        if (b2b2c_lead_add(e.m, ids[i], T0, seg, NULL, NULL, NULL))
            abort();
        for (int k = 0; k < att; k++)
            b2b2c_lead_event(e.m, ids[i], B2B2C_LEAD_EV_WEBINAR_ATTEND,
                             t += DAY, 0);
        for (int k = 0; k < clicks; k++)
            b2b2c_lead_event(e.m, ids[i], B2B2C_LEAD_EV_EMAIL_CLICK,
                             t += 3600, 0);
        for (int k = 0; k < price; k++)
            b2b2c_lead_event(e.m, ids[i], B2B2C_LEAD_EV_PRICING_VIEW,
                             t += DAY, 0);
        if (quest)
            b2b2c_lead_event(e.m, ids[i], B2B2C_LEAD_EV_QUESTION_ASKED,
                             t += 3600, 0);
        if (guide)
            b2b2c_lead_event(e.m, ids[i], B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                             t += 3600, 0);
        if (i < NTRAIN &&
            b2b2c_lead_outcome(e.m, ids[i], truth[i], T0 + 20 * DAY))
            abort();
    }
    if (b2b2c_ctx_commit(e.ctx))
        abort();
    {
        double t0 = bench_now();
        if (b2b2c_lead_refit(e.m))
            abort();
        printf("bench lead refit: %d rows, 100 epochs: %.1f ms\n", NTRAIN,
               (bench_now() - t0) * 1e3);
    }
    for (int i = NTRAIN; i < N; i++) {
        double s, p;
        int32_t b;
        b2b2c_lead_score(&s, &b, e.m, ids[i], T0 + 20 * DAY);
        b2b2c_lead_probability(&p, e.m, ids[i], T0 + 20 * DAY);
        rule[i - NTRAIN] = (sc){s, truth[i]};
        prob[i - NTRAIN] = (sc){p, truth[i]};
    }
    /* reliability by decile of predicted probability (DeGroot & Fienberg
     * 1983: mean forecast vs observed frequency per bin) */
    qsort(prob, N - NTRAIN, sizeof(sc), sc_cmp);
    for (int i = 0; i < N - NTRAIN; i++) {
        int d = i * 10 / (N - NTRAIN);
        bin_p[d] += prob[i].s;
        bin_y[d] += prob[i].y;
        bin_n[d]++;
    }
    printf("bench lead learned vs rule (%d train, %d test leads): AUC rule "
           "score %.3f, AUC learned P(won) %.3f\n",
           NTRAIN, N - NTRAIN, auc(rule, N - NTRAIN), auc(prob, N - NTRAIN));
    printf("bench lead reliability by decile (mean predicted / observed):");
    for (int d = 0; d < 10; d++)
        printf(" %.2f/%.2f", bin_p[d] / bin_n[d], bin_y[d] / bin_n[d]);
    printf("\n");
    env_close(&e);
    free(truth);
    free(rule);
    free(prob);
}

int main(int argc, char **argv)
{
    int only_events = argc > 1 && strcmp(argv[1], "events") == 0;
    int only_case = only_events && argc > 2 ? atoi(argv[2]) : 0;
    ids = malloc(sizeof(*ids) * NTOP);
    for (int i = 0; i < NTOP; i++)
        snprintf(ids[i], sizeof(ids[i]), "lead-%d", i * 7);

    NEV_LEADS = 10000;
    NEV_KINDS = 4;
    if (ev_case(1, only_case))
        ev_bench("lead_event 1M events on 10k leads, 4 kinds "
                 "(groups of 1000)", ev_run);
    NEV_KINDS = 13;
    if (ev_case(2, only_case))
        ev_bench("lead_event 1M events on 10k leads, 13 kinds "
                 "(groups of 1000)", ev_run);
    NEV_LEADS = 100000;
    NEV_KINDS = 4;
    if (ev_case(3, only_case))
        ev_bench("lead_event 1M events on 100k leads, 4 kinds "
                 "(groups of 1000)", ev_run);
    NEV_KINDS = 13;
    if (ev_case(4, only_case))
        ev_bench("lead_event 1M events on 100k leads, 13 kinds, "
                 "sessions of 4 (groups of 1000)", ev_session_run);
    env_close(&ev_env);
    if (only_events) {
        free(ids);
        return 0;
    }

    /* 1M leads, each with a few events spread over 30 days */
    env_open(&top_env);
    {
        long long before = top_env.cnt.bytes, ksb = 0;
        b2b2c__rng rng;
        add_leads(&top_env, NTOP);
        printf("bench lead memory: %.1f bytes per lead without events "
               "(record, ID, index; model allocator)\n",
               (double)(top_env.cnt.bytes - before) / NTOP);
        b2b2c__rng_seed(&rng, 9);
        for (int i = 0; i < NTOP; i += 1000) {
            b2b2c_ctx_begin(top_env.ctx);
            for (int j = i; j < i + 1000; j++) {
                int n = (int)b2b2c__rng_below(&rng, 4);
                int64_t t = T0;
                for (int k = 0; k < n; k++) {
                    t += (int64_t)b2b2c__rng_below(&rng, 10 * DAY) + 1;
                    if (b2b2c_lead_event(top_env.m, ids[j],
                                         (int32_t)b2b2c__rng_below(&rng, 13),
                                         t, 0))
                        abort();
                }
            }
            b2b2c_ctx_commit(top_env.ctx);
        }
        for (size_t i = 0; i < top_env.m->nleads; i++)
            ksb += (long long)lead_at(top_env.m, i)->capk * sizeof(lead_ks);
        printf("bench lead memory: %.1f bytes per lead with ~1.5 events "
               "each, of which %.1f per-kind counters (%zu bytes per kind "
               "seen)\n",
               (double)(top_env.cnt.bytes - before) / NTOP,
               (double)ksb / NTOP, sizeof(lead_ks));
    }
    bench_run("lead_top 100 of 1M leads by score", top_run, NULL, 1, 1, 7);
    bench_run("lead_top 100 of 1M leads by score, band warm", top_hot_run,
              NULL, 1, 1, 7);
    env_close(&top_env);

    learned_vs_rule();
    free(ids);
    return 0;
}
