/* SPDX-License-Identifier: MIT */
/* Lead funnel benchmark (issue 16): b2b2c_lead_funnel over N leads (default
 * 1,000,000) with 6 stage changes each, on the memstore: every breakdown
 * answered from the kept copy of the histories (median of 7 runs after a
 * warm-up), then the first funnel after a reopen, which reads the 6N
 * stage changes from storage (median of 3 reopens). `bench_lead_funnel N`
 * sets N; `bench_lead_funnel N warm` leaves out the reopen. Prints figures; asserts nothing about time. */
#include "bench.h"
#include "b2b2c.h"

#define T0 1767225600
#define DAY 86400

typedef struct env {
    b2b2c_memstore *ms;
    b2b2c_storage st;
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    int32_t by;
    uint64_t rows;
} env;

static const char *const channels[] = {"search", "display", "partner",
                                       NULL};

/* Three paths of six changes: won and on to customer; recalled from the
 * dealer and lost, then revived; disqualified, revived and lost again. */
static const int32_t paths[3][6] = {
    {B2B2C_LEAD_STAGE_NURTURING, B2B2C_LEAD_STAGE_QUALIFIED,
     B2B2C_LEAD_STAGE_PASSED_TO_DEALER, B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER,
     B2B2C_LEAD_STAGE_WON, B2B2C_LEAD_STAGE_CUSTOMER},
    {B2B2C_LEAD_STAGE_QUALIFIED, B2B2C_LEAD_STAGE_PASSED_TO_DEALER,
     B2B2C_LEAD_STAGE_QUALIFIED, B2B2C_LEAD_STAGE_LOST,
     B2B2C_LEAD_STAGE_NURTURING, B2B2C_LEAD_STAGE_QUALIFIED},
    {B2B2C_LEAD_STAGE_NURTURING, B2B2C_LEAD_STAGE_DISQUALIFIED,
     B2B2C_LEAD_STAGE_NURTURING, B2B2C_LEAD_STAGE_QUALIFIED,
     B2B2C_LEAD_STAGE_NURTURING, B2B2C_LEAD_STAGE_LOST},
};

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static void build(env *e, int n)
{
    char id[16];
    for (int i = 0; i < n; i += 1000) {
        if (b2b2c_ctx_begin(e->ctx))
            abort();
        for (int j = i; j < i + 1000 && j < n; j++) {
            int64_t t = T0 + (int64_t)(j % 365) * DAY + next() % DAY;
            snprintf(id, sizeof(id), "L%09d", j);
            if (b2b2c_lead_add(e->m, id, t, j % 6, channels[j % 4], NULL,
                               NULL))
                abort();
            for (int k = 0; k < 6; k++) {
                t += 3600 + next() % (20 * DAY);
                if (b2b2c_lead_set_stage(e->m, id, paths[j % 3][k], t))
                    abort();
            }
        }
        if (b2b2c_ctx_commit(e->ctx))
            abort();
    }
}

static int count(const char *group, int32_t stage, const double *fields,
                 size_t nfields, void *ud)
{
    (void)group, (void)stage, (void)fields, (void)nfields;
    ((env *)ud)->rows++;
    return 0;
}

static void run(void *arg)
{
    env *e = arg;
    e->rows = 0;
    if (b2b2c_lead_funnel(e->m, INT64_MIN, INT64_MAX, T0 + 800 * DAY, e->by,
                          30, count, e))
        abort();
}

/* A reopen (not timed), then the first funnel, which reads storage. */
static void reopen(void *arg)
{
    env *e = arg;
    b2b2c_lead_model_free(e->m);
    if (b2b2c_lead_model_new(&e->m, e->ctx))
        abort();
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    static const char *const names[] = {"all", "week", "month", "channel",
                                        "segment", "band"};
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
    printf("built %d leads x 6 stage changes in %.1f s\n", n,
           bench_now() - t);
    for (int32_t by = 0; by <= B2B2C_LEAD_FUNNEL_BY_BAND; by++) {
        e.by = by;
        snprintf(name, sizeof(name), "lead funnel by %s, %d leads x 6 changes",
                 names[by], n);
        bench_run(name, run, &e, (double)n, 1, 7);
        printf("  (%llu rows)\n", (unsigned long long)e.rows);
    }
    e.by = B2B2C_LEAD_FUNNEL_BY_ALL;
    if (argc > 2 && strcmp(argv[2], "warm") == 0)
        goto done;
    snprintf(name, sizeof(name),
             "lead funnel by all, first after reopen (reads storage), %d "
             "leads",
             n);
    bench_run_setup(name, reopen, run, &e, (double)n, 0, 3);
done:
    b2b2c_lead_model_free(e.m);
    b2b2c_ctx_free(e.ctx);
    b2b2c_memstore_free(e.ms);
    return 0;
}
