/* SPDX-License-Identifier: MIT */
/* Points learned from outcomes (issue 18), on the memstore, N leads
 * (default 1,000,000), each with 1-6 events of up to four kinds over two
 * weeks and an outcome at day 20 (N training rows):
 * - b2b2c_lead_suggest_points over the N rows (median of 5 after a
 *   warm-up);
 * - rescoring: b2b2c_lead_kind_set of one kind every lead has (its points
 *   alternate between 20 and 35, so every run changes every lead's
 *   engagement; median of 7), and a hot threshold change (bands only;
 *   median of 7); since lazy rescoring neither writes a lead record;
 * - with `rescore`: the open of a second handle on the store (median of
 *   3) before the rescorings and after them, when every lead record is
 *   16 rescorings behind and read back through them;
 * - b2b2c_lead_points_dry_run (5 folds) and b2b2c_lead_points_apply of a
 *   four-entry table with target shares (median of 3).
 * `bench_lead_points N` sets N; `bench_lead_points N rescore` runs the
 * rescoring cases only; `bench_lead_points N sweep` the opens after 16,
 * 64 and 256 rescorings (the sweep bounds the steps a record is
 * behind). Prints figures; asserts nothing about time. */
#include <math.h>

#include "bench.h"
#include "b2b2c.h"

#define T0 1767225600
#define DAY 86400

typedef struct env {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    int flip;
    size_t rows;
} env;

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static double unif(void)
{
    return (double)next() / 4294967296.0;
}

static const int32_t kinds[4] = {
    B2B2C_LEAD_EV_GUIDE_DOWNLOAD, B2B2C_LEAD_EV_WEBINAR_ATTEND,
    B2B2C_LEAD_EV_EMAIL_CLICK, B2B2C_LEAD_EV_PRICING_VIEW};

static void build(env *e, int n)
{
    char id[16];
    for (int i = 0; i < n; i += 1000) {
        if (b2b2c_ctx_begin(e->ctx))
            abort();
        for (int j = i; j < i + 1000 && j < n; j++) {
            int c[4] = {1, (int)(next() % 3), (int)(next() % 4),
                        (int)(next() % 2)};
            double z = -2.0 + 0.8 * c[1] + 0.3 * c[2];
            int d = 0;
            snprintf(id, sizeof(id), "L%09d", j);
            if (b2b2c_lead_add(e->m, id, T0, j % 6, NULL, NULL, NULL))
                abort();
            for (int k = 0; k < 4; k++)
                for (int r = 0; r < c[k]; r++)
                    if (b2b2c_lead_event(e->m, id, kinds[k],
                                         T0 + (int64_t)(d++) * DAY, 0))
                        abort();
            if (b2b2c_lead_outcome(e->m, id, unif() < 1 / (1 + exp(-z)),
                                   T0 + 20 * DAY))
                abort();
        }
        if (b2b2c_ctx_commit(e->ctx))
            abort();
    }
}

static int count(const char *entry, double cur, double sug, double se,
                 int64_t n, void *ud)
{
    (void)entry, (void)cur, (void)sug, (void)se, (void)n;
    ((env *)ud)->rows++;
    return 0;
}

static void suggest(void *arg)
{
    env *e = arg;
    e->rows = 0;
    if (b2b2c_lead_suggest_points(e->m, 0, count, e))
        abort();
}

static void kind_set(void *arg)
{
    env *e = arg;
    e->flip ^= 1;
    if (b2b2c_lead_kind_set(e->m, B2B2C_LEAD_EV_GUIDE_DOWNLOAD,
                            e->flip ? 35 : 20, 2, 0, 0))
        abort();
}

static void threshold(void *arg)
{
    env *e = arg;
    e->flip ^= 1;
    if (b2b2c_lead_model_set_param(e->m, B2B2C_LEAD_HOT_THRESHOLD,
                                   e->flip ? 60 : 80))
        abort();
}

/* Open (and free) a second handle on the same store: every record read,
 * and brought through the rescorings it is behind. */
static void open2(void *arg)
{
    env *e = arg;
    b2b2c_ctx *c;
    b2b2c_lead_model *m;
    if (b2b2c_ctx_new(&c, NULL, &e->st) || b2b2c_lead_model_new(&m, c))
        abort();
    b2b2c_lead_model_free(m);
    b2b2c_ctx_free(c);
}

/* The sweep (`sweep` mode): the opens after 16, 64 and 256 rescorings,
 * each its own function for callgrind's --toggle-collect. */
static __attribute__((noinline)) void open_r16(void *arg) { open2(arg); }
static __attribute__((noinline)) void open_r64(void *arg) { open2(arg); }
static __attribute__((noinline)) void open_r256(void *arg) { open2(arg); }

static int count_row(const void *k, size_t kl, const void *v, size_t vl,
                     void *ud)
{
    (void)k, (void)kl, (void)v, (void)vl;
    ++*(size_t *)ud;
    return 0;
}

static void sweep_mode(env *e, int n)
{
    static void (*const opens[])(void *) = {open_r16, open_r64, open_r256};
    static const int at[] = {16, 64, 256};
    char name[96];
    int done = 0;
    for (int i = 0; i < 3; i++) {
        size_t rows = 0;
        for (; done < at[i]; done++)
            kind_set(e); /* 35, 20, 35, ...: each one a rescoring */
        if (e->st.scan(e->st.userdata, "lead_rescores", count_row, &rows))
            abort();
        printf("after %d rescorings: %zu lead_rescores records\n", done,
               rows);
        snprintf(name, sizeof(name), "lead open, %d leads, after %d rescorings",
                 n, done);
        bench_run(name, opens[i], e, (double)n, 0, 3);
    }
}

static const char *const entries[] = {"kind:guide_download",
                                      "kind:webinar_attend",
                                      "kind:email_click",
                                      "kind:pricing_view"};
static const double pts[2][4] = {{10, 40, 12, 2}, {20, 25, 3, 30}};

static void dry(void *arg)
{
    env *e = arg;
    double out[B2B2C_LEAD_DRY_NFIELDS];
    if (b2b2c_lead_points_dry_run(out, B2B2C_LEAD_DRY_NFIELDS, e->m, entries,
                                  pts[0], 4, 0.3, 0.1, T0 + 20 * DAY, 5, 1))
        abort();
}

static void apply(void *arg)
{
    env *e = arg;
    e->flip ^= 1;
    if (b2b2c_lead_points_apply(NULL, NULL, e->m, entries, pts[e->flip], 4,
                                0.3, 0.1, T0 + 20 * DAY))
        abort();
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    int only_rescore = argc > 2 && strcmp(argv[2], "rescore") == 0;
    int only_sweep = argc > 2 && strcmp(argv[2], "sweep") == 0;
    char name[96];
    env e = {0};
    double t;

    if (n <= 0)
        return 2;
    if (b2b2c_memstore_new(&e.ms, NULL) ||
        b2b2c_memstore_methods(e.ms, &e.st) ||
        b2b2c_ctx_new(&e.ctx, NULL, &e.st) ||
        b2b2c_lead_model_new(&e.m, e.ctx))
        abort();
    t = bench_now();
    build(&e, n);
    printf("built %d leads with events and outcomes in %.1f s\n", n,
           bench_now() - t);
    if (only_sweep) {
        sweep_mode(&e, n);
        goto done;
    }
    if (!only_rescore) {
        snprintf(name, sizeof(name), "lead suggest_points, %d outcomes", n);
        bench_run(name, suggest, &e, (double)n, 1, 5);
        printf("  (%zu entries)\n", e.rows);
    }
    if (only_rescore) {
        snprintf(name, sizeof(name),
                 "lead open, %d leads, records at the current rescoring", n);
        bench_run(name, open2, &e, (double)n, 0, 3);
    }
    snprintf(name, sizeof(name),
             "lead rescoring: kind_set, %d leads (every one rescored)", n);
    bench_run(name, kind_set, &e, (double)n, 1, 7);
    snprintf(name, sizeof(name),
             "lead rescoring: hot threshold, %d leads (bands only)", n);
    bench_run(name, threshold, &e, (double)n, 1, 7);
    if (only_rescore) {
        snprintf(name, sizeof(name),
                 "lead open, %d leads, records 16 rescorings behind", n);
        bench_run(name, open2, &e, (double)n, 0, 3);
        goto done;
    }
    snprintf(name, sizeof(name), "lead points_dry_run, 5 folds, %d leads",
             n);
    bench_run(name, dry, &e, (double)n, 1, 3);
    snprintf(name, sizeof(name),
             "lead points_apply, shares 0.3/0.1, %d leads", n);
    bench_run(name, apply, &e, (double)n, 1, 3);
done:
    b2b2c_lead_model_free(e.m);
    b2b2c_ctx_free(e.ctx);
    b2b2c_memstore_free(e.ms);
    return 0;
}
