/* SPDX-License-Identifier: MIT */
/* Lead model benchmarks: events per second into the memstore (groups of
 * 1,000), top 100 of 1,000,000 leads, memory per lead, and the learned
 * P(won) against the rule score on simulated data (AUC; calibration:
 * deciles, Brier, log loss; refit time). `bench_lead events [CASE]` runs
 * the event cases only, `bench_lead learn [ROWS]` the learned model only.
 * Prints figures; asserts nothing about time. */
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

typedef struct env {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    bench_counter cnt;
    b2b2c_allocator al;
} env;

static void env_open(env *e)
{
    e->cnt.bytes = 0;
    e->al = (b2b2c_allocator){B2B2C_ALLOCATOR_VERSION, bench_count_alloc,
                              bench_count_realloc, bench_count_free, &e->cnt};
    if (b2b2c_memstore_new(&e->ms, NULL) ||
        b2b2c_memstore_methods(e->ms, &e->st) ||
        b2b2c_ctx_new(&e->ctx, &e->al, &e->st) ||
        b2b2c_lead_model_new(&e->m, e->ctx))
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

/* bench_run_setup prints the wall time and the process CPU time */
static void ev_bench(const char *name, void (*fn)(void *))
{
    bench_run_setup(name, ev_setup, fn, NULL, NEV, 1, 5);
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

/* Calibration of predictions p against outcomes: reliability by decile
 * of p (DeGroot & Fienberg 1983: mean forecast vs observed frequency per
 * bin), Brier score (Brier 1950, eq. 1, one class), log loss (the mean
 * negative log-likelihood, Bishop 2006, PRML eq. 4.90 over n). Sorts v. */
static void calibration(const char *what, sc *v, size_t n)
{
    double sp = 0, sy = 0, brier = 0, ll = 0;
    for (size_t i = 0; i < n; i++) {
        double p = v[i].s;
        sp += p;
        sy += v[i].y;
        brier += (p - v[i].y) * (p - v[i].y);
        ll -= v[i].y ? log(p) : log1p(-p);
    }
    printf("bench lead calibration, %s (%zu leads): mean predicted %.4f, "
           "observed %.4f, Brier %.4f, log loss %.4f\n",
           what, n, sp / (double)n, sy / (double)n, brier / (double)n,
           ll / (double)n);
    qsort(v, n, sizeof(*v), sc_cmp);
    printf("bench lead calibration, %s, by decile of P(won) (mean predicted "
           "/ observed):",
           what);
    for (int d = 0; d < 10; d++) {
        size_t lo = n * (size_t)d / 10, hi = n * (size_t)(d + 1) / 10;
        double bp = 0, by = 0;
        for (size_t i = lo; i < hi; i++) {
            bp += v[i].s;
            by += v[i].y;
        }
        printf(" %.3f/%.3f", bp / (double)(hi - lo), by / (double)(hi - lo));
    }
    printf("\n");
}

/* The learned P(won) against the rule score on simulated leads: `ntrain`
 * outcomes refit, 10,000 held-out leads scored at the same time. */
static void learned_vs_rule(int ntrain)
{
    enum { NTEST = 10000 };
    int n = ntrain + NTEST;
    env e;
    b2b2c__rng rng;
    int *truth = malloc((size_t)n * sizeof(int));
    sc *rule = malloc(NTEST * sizeof(sc));
    sc *prob = malloc(NTEST * sizeof(sc));
    sc *fit = malloc((size_t)ntrain * sizeof(sc));
    double ms[3], cpu[3];
    int32_t conv = -1, passes = -1;
    env_open(&e);
    b2b2c__rng_seed(&rng, 2026);
    b2b2c_ctx_begin(e.ctx);
    for (int i = 0; i < n; i++) {
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
        if (i < ntrain &&
            b2b2c_lead_outcome(e.m, ids[i], truth[i], T0 + 20 * DAY))
            abort();
    }
    if (b2b2c_ctx_commit(e.ctx))
        abort();
    /* the refit is deterministic from the rows: three runs, same result */
    for (int r = 0; r < 3; r++) {
        double t0 = bench_now(), c0 = bench_cpu_now();
        if (b2b2c_lead_refit(&conv, &passes, e.m))
            abort();
        ms[r] = (bench_now() - t0) * 1e3;
        cpu[r] = (bench_cpu_now() - c0) * 1e3;
    }
    qsort(ms, 3, sizeof(double), bench_cmp);
    qsort(cpu, 3, sizeof(double), bench_cmp);
    printf("bench lead refit: %d rows, %s after %d passes: median "
           "%.1f ms (min %.1f, max %.1f, n=3), cpu time median %.1f ms\n",
           ntrain, b2b2c_fit_status_name(conv), (int)passes, ms[1], ms[0],
           ms[2], cpu[1]);
    for (int i = 0; i < n; i++) {
        double s, p;
        int32_t b;
        b2b2c_lead_score(&s, &b, e.m, ids[i], T0 + 20 * DAY);
        b2b2c_lead_probability(&p, e.m, ids[i], T0 + 20 * DAY);
        if (i < ntrain) {
            fit[i] = (sc){p, truth[i]};
            continue;
        }
        rule[i - ntrain] = (sc){s, truth[i]};
        prob[i - ntrain] = (sc){p, truth[i]};
    }
    printf("bench lead learned vs rule (%d train, %d test leads): AUC rule "
           "score %.3f, AUC learned P(won) %.3f\n",
           ntrain, NTEST, auc(rule, NTEST), auc(prob, NTEST));
    calibration("training rows", fit, (size_t)ntrain);
    calibration("held-out leads", prob, NTEST);
    env_close(&e);
    free(truth);
    free(rule);
    free(prob);
    free(fit);
}

int main(int argc, char **argv)
{
    int only_events = argc > 1 && strcmp(argv[1], "events") == 0;
    int only_learn = argc > 1 && strcmp(argv[1], "learn") == 0;
    int only_case = only_events && argc > 2 ? atoi(argv[2]) : 0;
    ids = malloc(sizeof(*ids) * NTOP);
    for (int i = 0; i < NTOP; i++)
        snprintf(ids[i], sizeof(ids[i]), "lead-%d", i * 7);
    if (only_learn) {
        /* bench_lead learn [TRAINING ROWS, 10000 by default] */
        int ntrain = argc > 2 ? atoi(argv[2]) : 10000;
        if (ntrain < 100 || ntrain > NTOP - 10000) {
            fprintf(stderr, "bench_lead learn: rows in [100, %d]\n",
                    NTOP - 10000);
            return 2;
        }
        learned_vs_rule(ntrain);
        free(ids);
        return 0;
    }

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

    learned_vs_rule(10000);
    free(ids);
    return 0;
}
