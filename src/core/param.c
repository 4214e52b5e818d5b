/* SPDX-License-Identifier: MIT */
/* Every engine's parameters in one table layout: names, bounds, defaults
 * and whether a value must be whole, looked up by the parameter's number
 * (grouped by hundreds per module, docs/conventions.md), with one check and
 * one set of messages for all engines, and the bounds query of the API. */
#include <math.h>

#include "internal.h"
#include "b2b2c/channel.h"
#include "b2b2c/dealer.h"
#include "b2b2c/experiment.h"
#include "b2b2c/forecast.h"
#include "b2b2c/lead.h"
#include "b2b2c/program.h"
#include "b2b2c/segment.h"

#define P(id, min, max, def, whole) {id, #id, min, max, def, whole}

/* Each module's parameters in the order of their numbers: the engines keep
 * their values in arrays indexed by number - base. A number a module
 * leaves free (its features take ranges of ten: programs 710-719 and
 * 720-729) is a GAP entry, which is no parameter (name NULL). */
#define GAP {0, NULL, 0, 0, 0, 0}
static const b2b2c__param_info LEAD[] = {
    P(B2B2C_LEAD_HALF_LIFE_DAYS, 0.01, 3650.0, 30.0, 0),
    P(B2B2C_LEAD_WARM_THRESHOLD, -1e6, 1e6, 15.0, 0),
    P(B2B2C_LEAD_HOT_THRESHOLD, -1e6, 1e6, 80.0, 0),
    P(B2B2C_LEAD_MIN_OUTCOMES, 2.0, 1e9, 50.0, 1),
    P(B2B2C_LEAD_L2, 0.0, 100.0, 0.001, 0),
    P(B2B2C_LEAD_LEARNING_RATE, 1e-6, 10.0, 0.05, 0),
    P(B2B2C_LEAD_REFIT_EPOCHS, 1.0, 10000.0, 1000.0, 1),
    P(B2B2C_LEAD_LATENESS_DAYS, 0.0, 365.0, 0.0, 0),
    P(B2B2C_LEAD_CLOSE_DAYS, 1.0, 36500.0, 180.0, 0),
};

static const b2b2c__param_info SEG[] = {
    P(B2B2C_SEG_LARGE_WHOLESALE_OUTLETS, 1, 1e9, 10, 0),
    P(B2B2C_SEG_LARGE_WHOLESALE_VOLUME, 0, 1e15, 1e6, 0),
    P(B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES, 1, 1e9, 250, 0),
    P(B2B2C_SEG_LARGE_CUSTOMER_REVENUE, 0, 1e15, 5e7, 0),
    P(B2B2C_SEG_LARGE_CUSTOMER_VOLUME, 0, 1e15, 2.5e5, 0),
    P(B2B2C_SEG_LARGE_CUSTOMER_CONTRACT_MONTHS, 1, 1200, 24, 0),
    P(B2B2C_SEG_OPEN_RULE_FACTOR, 0, 1, 0.5, 0),
    P(B2B2C_SEG_CONFLICT_FACTOR, 0, 1, 0.5, 0),
    P(B2B2C_SEG_DEALER_POLICY, 0, 1, 1, 1),
};

static const b2b2c__param_info DEALER[] = {
    P(B2B2C_DEALER_PARAM_POLICY, 0, 3, 2, 1),
    P(B2B2C_DEALER_PARAM_MAX_SHARE, 0, 1, 0.5, 0),
    P(B2B2C_DEALER_PARAM_SHARE_PERIOD_DAYS, 1, 366, 30, 0),
    P(B2B2C_DEALER_PARAM_SHARE_MIN_LEADS, 0, 1e9, 20, 0),
    P(B2B2C_DEALER_PARAM_PRIOR_STRENGTH, 0.1, 1e6, 10, 0),
    P(B2B2C_DEALER_PARAM_NEW_DEALER_LEADS, 0, 1e9, 10, 0),
    P(B2B2C_DEALER_PARAM_NEW_DEALER_FLOOR, 0, 1, 0.5, 0),
    P(B2B2C_DEALER_PARAM_PERF_EXPONENT, 1, 64, 4, 0),
    P(B2B2C_DEALER_PARAM_DIRECT_FALLBACK, 0, 1, 0, 1),
    P(B2B2C_DEALER_PARAM_CREDIBLE_LEVEL, 0.5, 0.999, 0.95, 0),
    P(B2B2C_DEALER_PARAM_OWNER_DAYS, 0, 3650, 365, 0),
    P(B2B2C_DEALER_PARAM_REG_DAYS, 1, 3650, 90, 0),
    P(B2B2C_DEALER_PARAM_AUDIT_DAYS, 0, 36500, 730, 1),
    P(B2B2C_DEALER_PARAM_CLOSE_DAYS, 1, 36500, 180, 1),
};

static const b2b2c__param_info FORECASTER[] = {
    P(B2B2C_FORECASTER_MODEL, 1, 2, 1, 1),
    P(B2B2C_FORECASTER_UNIT_DAYS, 1, 366, 7, 0),
    P(B2B2C_FORECASTER_L2, 0, 1e6, 0, 0),
    P(B2B2C_FORECASTER_DISCOUNT, 0, 1, 0, 0),
    P(B2B2C_FORECASTER_MARGIN, 0, 1, 1, 0),
    P(B2B2C_FORECASTER_SERVICE_MARGIN, 0, 1, 1, 0),
    P(B2B2C_FORECASTER_MIN_P_ALIVE, 0, 1, 0.5, 0),
    P(B2B2C_FORECASTER_MIN_INTERVALS, 1, 1000, 3, 1),
    P(B2B2C_FORECASTER_MAX_ITER, 1, 1000000, 1000, 1),
    P(B2B2C_FORECASTER_FOLD_DAYS, 1, 36500, 730, 1),
};

static const b2b2c__param_info CHANNELS[] = {
    P(B2B2C_CHANNELS_LOOKBACK_DAYS, 1, 3650, 30, 0),
    P(B2B2C_CHANNELS_HALF_LIFE_DAYS, 0.01, 3650, 7, 0),
    P(B2B2C_CHANNELS_POSITION_FIRST, 0, 1, 0.4, 0),
    P(B2B2C_CHANNELS_POSITION_LAST, 0, 1, 0.4, 0),
    P(B2B2C_CHANNELS_MIX_LAG_WEEKS, 0, 52, 1, 1),
    P(B2B2C_CHANNELS_MIX_WINDOW_WEEKS, 1, 52, 4, 1),
};

/* A/B experiments: in memory only (experiment.h), so never loaded. */
static const b2b2c__param_info EXPERIMENT[] = {
    P(B2B2C_EXPERIMENT_ALPHA, 1e-6, 0.5, 0.05, 0),
    P(B2B2C_EXPERIMENT_PRIOR_A, 1, 1e6, 1, 1),
    P(B2B2C_EXPERIMENT_PRIOR_B, 1, 1e6, 1, 1),
    P(B2B2C_EXPERIMENT_MSPRT_TAU2, 1e-10, 1, 1e-4, 0),
};

static const b2b2c__param_info PROGRAMS[] = {
    P(B2B2C_PROGRAMS_PARAM_TREND_PERIODS, 3, 520, 8, 1),
    P(B2B2C_PROGRAMS_PARAM_STOCK_MAX_AGE_DAYS, 1, 36500, 90, 1),
    GAP, GAP, GAP, GAP, GAP, GAP, GAP, GAP, /* 702-709 */
    GAP, GAP, GAP, GAP, GAP, GAP, GAP, GAP, GAP, GAP, /* 710-719 */
    P(B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS, 2, 1000, 4, 1),
    P(B2B2C_PROGRAMS_PARAM_REORDER_MARGIN, 0, 10, 0.5, 0),
};

#define N(a) (sizeof(a) / sizeof(a[0]))
static const struct {
    const b2b2c__param_info *info;
    size_t n;
} MODULES[] = {
    {NULL, 0},                  {LEAD, N(LEAD)},
    {SEG, N(SEG)},              {DEALER, N(DEALER)},
    {FORECASTER, N(FORECASTER)}, {CHANNELS, N(CHANNELS)},
    {EXPERIMENT, N(EXPERIMENT)}, {PROGRAMS, N(PROGRAMS)},
};

const b2b2c__param_info *b2b2c__param_table(int32_t base, size_t *n)
{
    int32_t m = base / 100;
    if (base % 100 || m <= 0 || (size_t)m >= N(MODULES)) {
        *n = 0;
        return NULL;
    }
    *n = MODULES[m].n;
    return MODULES[m].info;
}

const b2b2c__param_info *b2b2c__param_find(int32_t param)
{
    size_t n;
    const b2b2c__param_info *t;
    if (param < 100)
        return NULL;
    t = b2b2c__param_table(param - param % 100, &n);
    return t && (size_t)(param % 100) < n && t[param % 100].name
               ? &t[param % 100]
               : NULL;
}

int b2b2c__param_check(b2b2c_ctx *ctx, int32_t base, int32_t param,
                       double value)
{
    const b2b2c__param_info *p = b2b2c__param_find(param);
    if (!p || param - param % 100 != base)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "param: %d is not a parameter of this engine",
                          (int)param);
    if (!isfinite(value))
        return b2b2c__err(ctx, B2B2C_EINVAL, "value: %s must be finite",
                          p->name);
    if (!(value >= p->min && value <= p->max))
        return b2b2c__err(ctx, B2B2C_ERANGE, "value: %s %g outside [%g, %g]",
                          p->name, value, p->min, p->max);
    if (p->whole && value != floor(value))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "value: %s %g must be a whole number", p->name,
                          value);
    return 0;
}

void b2b2c__param_defaults(int32_t base, double *v)
{
    size_t n;
    const b2b2c__param_info *t = b2b2c__param_table(base, &n);
    for (size_t i = 0; i < n; i++)
        v[i] = t[i].def;
}

int b2b2c__param_valid(const b2b2c__param_info *p, double v)
{
    if (!p) /* a gap: only its placeholder 0 is stored */
        return v == 0.0;
    return v >= p->min && v <= p->max && (!p->whole || v == floor(v));
}

int b2b2c_param_bounds(double *min, double *max, double *def, int32_t param)
{
    const b2b2c__param_info *p = b2b2c__param_find(param);
    if (!p)
        return B2B2C_EINVAL;
    if (min)
        *min = p->min;
    if (max)
        *max = p->max;
    if (def)
        *def = p->def;
    return 0;
}

const char *b2b2c_param_name(int32_t param)
{
    const b2b2c__param_info *p = b2b2c__param_find(param);
    return p ? p->name : NULL;
}
