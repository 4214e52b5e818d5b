/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c experiments: A/B tests of the site and landing pages (issue 16).
 * Variants (2 or more, host names, the first added is the control) receive
 * per-day exposures, conversions and revenue (its sum and sum of squares
 * over visitors); the report gives, per variant, the Bayesian answer
 * (Beta-binomial posterior of the conversion rate, P(variant is best),
 * expected loss, a credible interval of the relative uplift over the
 * control, revenue per visitor with a normal approximation), the
 * frequentist one (two-proportion z-test and a confidence interval of the
 * difference) and the sequential one (an always-valid p-value of the
 * mixture SPRT, valid however often the host looks); a sample-ratio-
 * mismatch check compares exposures with the planned split, and a planner
 * gives the sample size and duration for a minimum detectable effect.
 * Formulas and their sources: docs/experiments.md.
 *
 * In memory only: an experiment handle is an analysis object, not an
 * engine with stored state. Nothing is written to the context's storage
 * and nothing is restored when a handle is opened again: the host feeds the
 * daily rows (from its own tables, or a CSV file as the `b2b2c experiments`
 * command does) and asks for the report. The context gives the allocator,
 * the UTC offset that decides which day a time falls on, the last error
 * message and the transaction group: a mutating call that fails, or a group
 * that is rolled back (b2b2c_ctx_begin/rollback), leaves the handle as it
 * was. Persistence may come in a later version.
 *
 * Threads: a handle is used by one thread at a time, like the context it
 * was opened on; separate contexts (and their handles) are independent and
 * may be used from different threads in parallel.
 *
 * Units: time is Unix seconds (int64_t), always passed in; the day of a
 * time t is floor((t + offset) / 86400) in the context's UTC offset
 * (b2b2c_ctx_set_utc_offset). Revenue is in the host's currency (double).
 * Rates and probabilities are fractions in [0, 1].
 */
#ifndef B2B2C_EXPERIMENT_H
#define B2B2C_EXPERIMENT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct b2b2c_experiment b2b2c_experiment;

/* Most variants in one experiment (the control included). */
#define B2B2C_EXPERIMENT_MAX_VARIANTS 1000

/* ---- parameters (b2b2c_experiment_set_param; bounds: b2b2c_param_bounds) */

/*
 * Numbers 600..699 (docs/conventions.md); never renumbered.
 *   B2B2C_EXPERIMENT_ALPHA      the significance level of the tests and
 *                               1 - the level of every interval, in
 *                               [1e-6, 0.5], default 0.05.
 *   B2B2C_EXPERIMENT_PRIOR_A    the Beta prior of every conversion rate,
 *   B2B2C_EXPERIMENT_PRIOR_B    Beta(PRIOR_A, PRIOR_B): whole numbers in
 *                               [1, 1e6] (whole so that P(best) of two
 *                               variants has Evan Miller's closed form),
 *                               default 1 and 1 (uniform).
 *   B2B2C_EXPERIMENT_MSPRT_TAU2 the variance tau^2 of the normal mixing
 *                               distribution of the mixture SPRT over the
 *                               difference of two conversion rates (an
 *                               absolute difference squared), in
 *                               [1e-10, 1], default 1e-4 (a prior standard
 *                               deviation of 1 percentage point).
 */
enum {
    B2B2C_EXPERIMENT_ALPHA = 600,
    B2B2C_EXPERIMENT_PRIOR_A = 601,
    B2B2C_EXPERIMENT_PRIOR_B = 602,
    B2B2C_EXPERIMENT_MSPRT_TAU2 = 603
};

/* ---- report fields ------------------------------------------------------ */

/*
 * Fields of one variant's report row (b2b2c_experiment_variant_cb).
 * Comparisons are against the control; in the control's own row they are
 * NaN, and so is any field whose formula is undefined for the data (a rate
 * of a variant with no exposures, an uplift over a control that converted
 * nobody). Minor versions may append fields: read at most `nfields`.
 *   IS_CONTROL       1 for the control, else 0
 *   PLANNED_SHARE    the variant's planned share of traffic (normalised)
 *   DAYS             days with a row
 *   EXPOSURES        total exposures (visitors)
 *   CONVERSIONS      total conversions
 *   RATE             conversions / exposures
 *   POSTERIOR_MEAN   mean of the Beta posterior of the rate
 *   P_BEST           P(this variant has the highest rate), all variants
 *   EXPECTED_LOSS    E[max over variants of the rate - this rate]
 *   UPLIFT           RATE / control's RATE - 1
 *   UPLIFT_LO/HI     credible interval (1 - ALPHA) of rate / control - 1
 *   DIFF             RATE - control's RATE
 *   DIFF_LO/HI       confidence interval (1 - ALPHA) of DIFF (unpooled)
 *   Z                z statistic of DIFF (pooled standard error)
 *   P_VALUE          two-sided p-value of Z (valid for one look only)
 *   SEQ_P_VALUE      always-valid p-value of the mixture SPRT at the last
 *                    day (valid however many days were looked at)
 *   RPV              revenue per visitor, revenue / exposures
 *   RPV_SE           standard error of RPV
 *   RPV_DIFF_LO/HI   interval (1 - ALPHA) of RPV - control's RPV
 *   RPV_P_BETTER     P(RPV above the control's) (normal approximation)
 */
enum {
    B2B2C_EXPERIMENT_F_IS_CONTROL = 0,
    B2B2C_EXPERIMENT_F_PLANNED_SHARE = 1,
    B2B2C_EXPERIMENT_F_DAYS = 2,
    B2B2C_EXPERIMENT_F_EXPOSURES = 3,
    B2B2C_EXPERIMENT_F_CONVERSIONS = 4,
    B2B2C_EXPERIMENT_F_RATE = 5,
    B2B2C_EXPERIMENT_F_POSTERIOR_MEAN = 6,
    B2B2C_EXPERIMENT_F_P_BEST = 7,
    B2B2C_EXPERIMENT_F_EXPECTED_LOSS = 8,
    B2B2C_EXPERIMENT_F_UPLIFT = 9,
    B2B2C_EXPERIMENT_F_UPLIFT_LO = 10,
    B2B2C_EXPERIMENT_F_UPLIFT_HI = 11,
    B2B2C_EXPERIMENT_F_DIFF = 12,
    B2B2C_EXPERIMENT_F_DIFF_LO = 13,
    B2B2C_EXPERIMENT_F_DIFF_HI = 14,
    B2B2C_EXPERIMENT_F_Z = 15,
    B2B2C_EXPERIMENT_F_P_VALUE = 16,
    B2B2C_EXPERIMENT_F_SEQ_P_VALUE = 17,
    B2B2C_EXPERIMENT_F_RPV = 18,
    B2B2C_EXPERIMENT_F_RPV_SE = 19,
    B2B2C_EXPERIMENT_F_RPV_DIFF_LO = 20,
    B2B2C_EXPERIMENT_F_RPV_DIFF_HI = 21,
    B2B2C_EXPERIMENT_F_RPV_P_BETTER = 22,
    B2B2C_EXPERIMENT_F_NFIELDS = 23
};

/*
 * Fields of one day of a variant against the control
 * (b2b2c_experiment_day_cb), cumulative up to and including that day:
 *   EXPOSURES, CONVERSIONS                  the variant's
 *   CONTROL_EXPOSURES, CONTROL_CONVERSIONS  the control's
 *   DIFF          variant's rate - control's rate (NaN while either has
 *                 no exposures)
 *   P_VALUE       the z-test's p-value as if this day were the only look
 *                 (what peeking reads; not valid when looked at daily)
 *   SEQ_P_VALUE   the always-valid p-value of the mixture SPRT after
 *                 this day (non-increasing day by day)
 * Minor versions may append fields: read at most `nfields`.
 */
enum {
    B2B2C_EXPERIMENT_D_EXPOSURES = 0,
    B2B2C_EXPERIMENT_D_CONVERSIONS = 1,
    B2B2C_EXPERIMENT_D_CONTROL_EXPOSURES = 2,
    B2B2C_EXPERIMENT_D_CONTROL_CONVERSIONS = 3,
    B2B2C_EXPERIMENT_D_DIFF = 4,
    B2B2C_EXPERIMENT_D_P_VALUE = 5,
    B2B2C_EXPERIMENT_D_SEQ_P_VALUE = 6,
    B2B2C_EXPERIMENT_D_NFIELDS = 7
};

/* ---- the handle ----------------------------------------------------------- */

/*
 * Open an empty experiment on `ctx` (allocator, UTC offset, messages).
 * Sets *out to NULL on failure, so that b2b2c_experiment_free(*out) is
 * always safe. The handle must be freed before the context.
 * Errors: B2B2C_EINVAL (out or ctx NULL), B2B2C_ENOMEM.
 */
B2B2C_API int b2b2c_experiment_new(b2b2c_experiment **out, b2b2c_ctx *ctx);

/* Free the handle and everything it holds. Accepts NULL. */
B2B2C_API void b2b2c_experiment_free(b2b2c_experiment *e);

/*
 * Set or read a parameter (B2B2C_EXPERIMENT_*). Values are checked as
 * every engine's are (docs/conventions.md, "Parameters"); not stored (the
 * handle is in memory only). get_param writes *out only on success.
 * Errors: B2B2C_EINVAL (NULL, not an experiment parameter, NaN or
 * infinite value), B2B2C_ERANGE (outside its bounds, or not whole for
 * PRIOR_A/PRIOR_B), B2B2C_ESTATE (set from inside a callback),
 * B2B2C_ENOMEM. Cost O(1).
 */
B2B2C_API int b2b2c_experiment_set_param(b2b2c_experiment *e, int32_t param,
                                         double value);
B2B2C_API int b2b2c_experiment_get_param(double *out,
                                         const b2b2c_experiment *e,
                                         int32_t param);

/*
 * Add a variant. The first variant added is the control, the one every
 * comparison is made against.
 *   variant         its name: 1 to 255 bytes of UTF-8 (an ID).
 *   planned_share   its planned share of traffic, any positive weight
 *                   (the shares are normalised: 50/50 or 1/1 alike), in
 *                   (0, B2B2C_AMOUNT_MAX]; used by the sample-ratio check.
 * Errors: B2B2C_EINVAL (e NULL, planned_share NaN or infinite),
 * B2B2C_EBADID (variant), B2B2C_ERANGE (planned_share not positive or too
 * large; more than B2B2C_EXPERIMENT_MAX_VARIANTS variants), B2B2C_EEXISTS
 * (a variant of that name), B2B2C_ESTATE (from inside a callback),
 * B2B2C_ENOMEM. Cost O(variants).
 */
B2B2C_API int b2b2c_experiment_add_variant(b2b2c_experiment *e,
                                           const char *variant,
                                           double planned_share);

/*
 * Add one row of a variant's daily data: what happened on the day of `t`.
 * Rows of one variant come in day order: a row on the day of the variant's
 * last row adds to that day; a row on an earlier day is refused.
 *   variant        an added variant's name.
 *   t              any time of the day, Unix seconds.
 *   exposures      visitors who saw the variant, >= 0.
 *   conversions    visitors of those who converted, 0..exposures.
 *   revenue        their revenue, the sum over visitors, >= 0.
 *   revenue_sumsq  the sum over visitors of the square of each visitor's
 *                  revenue, >= revenue^2 / exposures (Cauchy-Schwarz),
 *                  at most 1e30.
 * Totals of a variant stay at most 2^53 exposures.
 * Errors: B2B2C_EINVAL (e NULL; revenue or revenue_sumsq NaN or
 * infinite), B2B2C_EBADID (variant), B2B2C_ENOTFOUND (no such variant),
 * B2B2C_ERANGE (t outside the time range or on a day before the
 * variant's last row; a negative count; conversions above exposures;
 * revenue negative or above B2B2C_AMOUNT_MAX; revenue_sumsq out of its
 * range; totals too large), B2B2C_ESTATE (from inside a callback),
 * B2B2C_ENOMEM. Cost O(variants) for the name, amortised O(1) for the
 * row.
 */
B2B2C_API int b2b2c_experiment_add_day(b2b2c_experiment *e,
                                       const char *variant, int64_t t,
                                       int64_t exposures, int64_t conversions,
                                       double revenue, double revenue_sumsq);

/* ---- the report ------------------------------------------------------------ */

/*
 * One variant's report row: its name (valid during the call), then
 * `nfields` values (B2B2C_EXPERIMENT_F_*; 23 in 1.1, read at most
 * `nfields`). Non-zero return stops the report and is returned.
 */
typedef int (*b2b2c_experiment_variant_cb)(const char *variant,
                                           const double *fields,
                                           size_t nfields, void *userdata);

/*
 * Report every variant, in name order (bytewise; docs/conventions.md,
 * "Entity listings"), the control included. P(best) and the expected loss
 * are over all variants; the rest compares each variant with the control.
 * P(best) of two variants is exact (Evan Miller's sum); of more, a
 * quadrature accurate to about 1e-7 when every posterior lies well inside
 * (0, 1) (docs/experiments.md).
 * Errors: B2B2C_EINVAL (e or cb NULL), B2B2C_ENOTREADY (fewer than two
 * variants), B2B2C_ENOMEM (scratch memory), the callback's own code.
 * Cost O(variants x (days + grid)), the grid a few hundred points for
 * posteriors of similar width; no allocation held after the call.
 */
B2B2C_API int b2b2c_experiment_report(const b2b2c_experiment *e,
                                      b2b2c_experiment_variant_cb cb,
                                      void *userdata);

/*
 * One day of a variant against the control: the UTC second at which the
 * day starts (in the context's offset), then `nfields` values
 * (B2B2C_EXPERIMENT_D_*; 7 in 1.1, read at most `nfields`). Non-zero
 * return stops the listing and is returned.
 */
typedef int (*b2b2c_experiment_day_cb)(int64_t day_start,
                                       const double *fields, size_t nfields,
                                       void *userdata);

/*
 * List, day by day in time order, a variant against the control: every
 * day on which either has a row, with cumulative counts, the one-look
 * p-value and the always-valid p-value of the mixture SPRT (Johari,
 * Pekelis & Walsh). The last day's SEQ_P_VALUE is the report's.
 * Errors: B2B2C_EINVAL (e or cb NULL; variant is the control),
 * B2B2C_EBADID, B2B2C_ENOTFOUND (no such variant), the callback's own code.
 * Cost O(days of both).
 */
B2B2C_API int b2b2c_experiment_list_days(const b2b2c_experiment *e,
                                         const char *variant,
                                         b2b2c_experiment_day_cb cb,
                                         void *userdata);

/*
 * Sample-ratio-mismatch check: Pearson's chi-square goodness of fit of
 * the variants' total exposures against their planned shares, and its
 * p-value (chi-square with variants - 1 degrees of freedom). A small
 * p-value (say below 0.001) means the split is broken and the other
 * figures are not to be trusted. Both out-parameters are written only on
 * success; p_value may be NULL.
 * Errors: B2B2C_EINVAL (chi2 or e NULL), B2B2C_ENOTREADY (fewer than two
 * variants), B2B2C_ENODATA (no exposures). Cost O(variants).
 */
B2B2C_API int b2b2c_experiment_srm(double *chi2, double *p_value,
                                   const b2b2c_experiment *e);

/* ---- planning (no handle) -------------------------------------------------- */

/*
 * Sample size per variant, and the duration, to detect a relative change
 * of the conversion rate with a two-sided two-proportion z-test (Fleiss,
 * Levin & Paik 2003, eq. 4.14, without continuity correction):
 *   n_per_variant   out: visitors per variant.
 *   days            out: days to reach them, ceil(n x variants / daily
 *                   exposures); may be NULL.
 *   base_rate       the control's conversion rate, in (0, 1).
 *   mde_relative    the minimum detectable effect, relative: 0.1 for
 *                   +10%; base_rate x (1 + mde_relative) in (0, 1), not 0.
 *   alpha           significance level, in [1e-6, 0.5].
 *   power           1 - beta, in [0.5, 1 - 1e-6].
 *   variants        variants sharing the traffic, the control included,
 *                   2..B2B2C_EXPERIMENT_MAX_VARIANTS (alpha is not split
 *                   between comparisons: see docs/experiments.md).
 *   daily_exposures visitors per day over all variants, > 0.
 * Out-parameters are written only on success. No context, so no message.
 * Errors: B2B2C_EINVAL (n_per_variant NULL, an argument NaN or infinite),
 * B2B2C_ERANGE (an argument outside its range; a size above 2^53).
 * Cost O(1).
 */
B2B2C_API int b2b2c_experiment_plan(int64_t *n_per_variant, int64_t *days,
                                    double base_rate, double mde_relative,
                                    double alpha, double power,
                                    int32_t variants, double daily_exposures);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_EXPERIMENT_H */
