/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c forecast: customer-base models for repeat purchases and lifetime
 * value (BG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma) as stateless functions:
 * arrays in, numbers out, results in caller buffers.
 *
 * Data per customer, in any time unit used for every customer alike:
 *   x   frequency: number of REPEAT purchases (a whole number >= 0)
 *   tx  recency: time of the last purchase, measured from the first
 *       (0 <= tx <= T; tx = 0 when x = 0; tx > 0 when x > 0 for the
 *       continuous-time models)
 *   T   age: time from the first purchase to the end of calibration (> 0).
 *       For BG/BB, T is the number of purchase opportunities n and tx the
 *       opportunity of the last purchase (whole numbers, x <= tx <= n).
 *   weight (optional) how many customers share the row (finite, >= 0).
 *   m   (Gamma-Gamma) mean value of the x repeat purchases (>= 0; rows
 *       with m = 0, such as free repeat purchases, are left out of the
 *       Gamma-Gamma fit, whose likelihood needs m > 0).
 *
 * Parameter order (natural scale, all > 0):
 *   B2B2C_FORECAST_BGNBD  r, alpha, a, b        (Fader, Hardie & Lee 2005)
 *   B2B2C_FORECAST_PNBD   r, alpha, s, beta     (Schmittlein et al. 1987)
 *   B2B2C_FORECAST_BGBB   alpha, beta, gamma, delta (Fader, Hardie & Shang
 *                                                2010)
 *   B2B2C_FORECAST_GG     p, q, v               (Fader & Hardie 2013)
 *
 * Every function takes a context for its allocator and error message
 * (b2b2c_ctx_errmsg names the argument and row at fault); none reads or
 * writes storage. Errors: B2B2C_EINVAL (NULL pointer, unknown model, NaN or
 * infinite value, non-integer count), B2B2C_ERANGE (a value outside its
 * range, naming it and the row), B2B2C_ENODATA (no rows with positive
 * weight, or all frequencies zero for a fit), B2B2C_ENOMEM, and
 * B2B2C_ENOCONVERGE when a special-function series does not converge.
 * On any error every output is left unchanged (all or nothing): the batch
 * functions (predict, clv, population_expected) compute into scratch
 * memory, n doubles per output, and copy to the caller's arrays only when
 * every row succeeded, so a series failing at row k of a batch (a window
 * far longer than alpha + T) or that scratch allocation failing
 * (B2B2C_ENOMEM) writes nothing.
 *
 * Threads: the functions keep no state; calls on different contexts may run
 * in parallel, a context is used by one thread at a time.
 */
#ifndef B2B2C_FORECAST_H
#define B2B2C_FORECAST_H

#include "b2b2c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Model identifiers (stable values). */
enum {
    B2B2C_FORECAST_BGNBD = 1,
    B2B2C_FORECAST_PNBD = 2,
    B2B2C_FORECAST_BGBB = 3,
    B2B2C_FORECAST_GG = 4
};

/* The fit status of every fit (B2B2C_FIT_*) is in common.h. */

/* Number of parameters of `model` (4 or 3), or B2B2C_EINVAL (negative). */
B2B2C_API int b2b2c_forecast_nparams(int32_t model);

/* The stable name of parameter `i` (0-based) of `model`, such as "alpha";
 * NULL for an unknown model or index. Static string. The name of the model
 * itself ("bgnbd", "pnbd", "bgbb", "gg") is returned for i = -1. */
B2B2C_API const char *b2b2c_forecast_param_name(int32_t model, int32_t i);

/*
 * Fit BG/NBD, Pareto/NBD or BG/BB by maximum likelihood.
 *
 * params     receives the fitted parameters (nparams >= 4, natural scale).
 * loglik     receives the total log-likelihood at params exactly as the
 *            paper defines it (sum of weight * log L_i, no constant
 *            dropped, without the penalty). May be NULL.
 * iterations receives the optimizer iterations. May be NULL.
 * status     receives the fit status, B2B2C_FIT_* (0 only for a clean
 *            fit; see above). May be NULL, but a caller that reports the
 *            parameters should read it.
 * model      B2B2C_FORECAST_BGNBD, _PNBD or _BGBB.
 * x, tx, T   per-row data, n rows (see the top of this header).
 * weight     per-row counts, or NULL for 1 each (identical rows are then
 *            merged internally, which is exact).
 * l2         penalty l2 * sum(log(param)^2) added to -loglik (0 for plain
 *            maximum likelihood; >= 0). It pulls parameters towards 1.
 * max_iter   iteration budget, 1..1000000, or 0 for the default (1000).
 *
 * The optimizer is BFGS on log-parameters with analytic gradients;
 * a converged fit ends with quasi-Newton steps from BFGS's own gradient
 * and inverse Hessian (up to 3 more evaluations; a Newton step with a
 * forward-difference Hessian, nparams + 1 to 3, when those do not get
 * there; docs/forecaster.md, "Fitting") that take it to
 * the optimum itself rather than anywhere inside BFGS's tolerance, so
 * that fits of the same data summed another way (b2b2c_forecast_fit_sum)
 * agree to 1e-8 in the parameters. It calls the context's progress handler (b2b2c_ctx_set_progress_handler)
 * with one unit of work per distinct data row per likelihood evaluation;
 * when the handler asks to stop, the fit returns B2B2C_EINTERRUPTED and
 * writes no output.
 * Returns 0 or a code listed at the top (B2B2C_ENODATA when every
 * frequency is 0: the model is then not identified; B2B2C_ERANGE for
 * max_iter out of range; B2B2C_EINTERRUPTED).
 */
B2B2C_API int b2b2c_forecast_fit(double *params, size_t nparams,
                                 double *loglik, int32_t *iterations,
                                 int32_t *status, b2b2c_ctx *ctx,
                                 int32_t model, const double *x,
                                 const double *tx, const double *T,
                                 const double *weight, size_t n, double l2,
                                 int32_t max_iter);

/*
 * Total log-likelihood of BG/NBD, Pareto/NBD or BG/BB at `params`, and
 * (grad non-NULL, nparams entries) its gradient with respect to the natural
 * parameters. Same data rules as b2b2c_forecast_fit; all-zero frequencies
 * are allowed here.
 */
B2B2C_API int b2b2c_forecast_loglik(double *loglik, double *grad,
                                    b2b2c_ctx *ctx, int32_t model,
                                    const double *params, size_t nparams,
                                    const double *x, const double *tx,
                                    const double *T, const double *weight,
                                    size_t n);

/*
 * Fit the Gamma-Gamma spend model (p, q, v) on customers with x > 0 and
 * m > 0: rows with x = 0 are skipped (their m is not read), and so are
 * repeat buyers whose mean repeat-purchase value m is 0 (the model's
 * spend is gamma distributed, so its likelihood needs m > 0; their
 * expected spend still follows b2b2c_forecast_gg_spend). m < 0 is
 * B2B2C_ERANGE naming the row. Outputs, l2, max_iter, the progress
 * handler and errors as in b2b2c_forecast_fit (nparams >= 3).
 * B2B2C_ENODATA when no row has x > 0 and m > 0.
 */
B2B2C_API int b2b2c_forecast_gg_fit(double *params, size_t nparams,
                                    double *loglik, int32_t *iterations,
                                    int32_t *status, b2b2c_ctx *ctx,
                                    const double *x, const double *m,
                                    const double *weight, size_t n,
                                    double l2, int32_t max_iter);

/* Gamma-Gamma total log-likelihood (and gradient) over rows with x > 0
 * and m > 0 (the rows b2b2c_forecast_gg_fit uses). */
B2B2C_API int b2b2c_forecast_gg_loglik(double *loglik, double *grad,
                                       b2b2c_ctx *ctx, const double *params,
                                       size_t nparams, const double *x,
                                       const double *m,
                                       const double *weight, size_t n);

/*
 * Fits over data the host holds in partitions (1.1; docs/scaling.md).
 *
 * A fit of BG/NBD, Pareto/NBD, BG/BB or Gamma-Gamma needs the data only
 * through sums over customers: the log-likelihood and its gradient at the
 * optimizer's trial parameters, and three data moments for the start point,
 * the objective's scale and the boundary rule. b2b2c_forecast_fit_sum runs
 * the optimizer of b2b2c_forecast_fit and asks the host for those sums, so
 * the rows may live in partitions of a Dask DataFrame, on Spark executors
 * or in a database, each summed where it lives (with
 * b2b2c_forecast_loglik / b2b2c_forecast_moments) and added by the host.
 *
 * What is guaranteed (tests/unit/test_forecast_sum.c):
 * - one partition whose callback calls b2b2c_forecast_loglik on the rows,
 *   with the moments b2b2c_forecast_moments gives on those rows: params,
 *   loglik, iterations and status are bit for bit those of
 *   b2b2c_forecast_fit on the same rows;
 * - any partitioning: each partition's sums are computed in a fixed order,
 *   but adding them is floating-point addition, which is not associative,
 *   so the total depends on the partitioning and on the order the host adds
 *   them in: the log-likelihood and the moments by 1e-12 relative at most,
 *   each gradient entry by 1e-12 of the sum of the partitions' absolute
 *   gradients (an entry near 0 at the maximum is a difference of large
 *   terms). Moments [0] and [1] of whole-number weights and counts (below
 *   2^53) add exactly. The optimizer's path moves by as much, and the fit
 *   ends elsewhere inside its stopping tolerance: on the CDNOW sample in
 *   16 partitions the parameters agree with b2b2c_forecast_fit to 1e-13
 *   (BG/NBD), 4e-8 (Pareto/NBD), 6e-8 (BG/BB) and 3e-7 (Gamma-Gamma,
 *   whose q and v are nearly confounded), the log-likelihood to 1e-12,
 *   the status exactly. A host that adds the partitions in a fixed order
 *   gets the same answer on every run.
 */

/* Number of data moments (b2b2c_forecast_moments). */
#define B2B2C_FORECAST_NMOMENTS 3

/*
 * The data moments of a batch of rows, to add over partitions for
 * b2b2c_forecast_fit_sum (1.1).
 *
 * moments  receives B2B2C_FORECAST_NMOMENTS sums over the rows a fit uses
 *          (rows of weight 0 are left out): [0] the total weight W (the
 *          number of customers), [1] the sum of weight * x, [2] the sum of
 *          weight * T. Added elementwise over partitions. All 0 when no
 *          row is used (an empty partition adds nothing).
 * nmoments >= B2B2C_FORECAST_NMOMENTS.
 * model, x, tx, T, weight, n  as in b2b2c_forecast_fit (its data rules).
 * Cost: one pass over the rows, no allocation.
 * Returns 0, B2B2C_EINVAL (NULL, nmoments too small, unknown model, a
 * NaN, infinite or non-integer value naming the row), B2B2C_ERANGE (a
 * value out of range, naming the row). On failure moments is untouched.
 */
B2B2C_API int b2b2c_forecast_moments(double *moments, size_t nmoments,
                                     b2b2c_ctx *ctx, int32_t model,
                                     const double *x, const double *tx,
                                     const double *T, const double *weight,
                                     size_t n);

/* The same for Gamma-Gamma over the rows b2b2c_forecast_gg_fit uses
 * (x > 0 and m > 0): [0] their total weight, [1] the sum of weight * x,
 * [2] the sum of weight * m. Errors as b2b2c_forecast_moments (m < 0 is
 * B2B2C_ERANGE naming the row). (1.1) */
B2B2C_API int b2b2c_forecast_gg_moments(double *moments, size_t nmoments,
                                        b2b2c_ctx *ctx, const double *x,
                                        const double *m,
                                        const double *weight, size_t n);

/*
 * The host's sum for b2b2c_forecast_fit_sum: at the natural parameters
 * params (nparams of the model), write the total log-likelihood over every
 * partition to *loglik and its gradient with respect to params (nparams
 * entries) to grad; return 0. Return B2B2C_ERANGE when the log-likelihood
 * is not finite there (what b2b2c_forecast_loglik returns for a partition
 * at such a point: the optimizer then steps back, as b2b2c_forecast_fit
 * does), B2B2C_ENOCONVERGE when a partition's series did not converge (the
 * fit goes on as b2b2c_forecast_fit does and then fails with that code),
 * and any other non-zero value to stop the fit at once: it returns that
 * value. The host names the partition at fault itself (the library only
 * knows the evaluation number, which its message gives).
 */
typedef int (*b2b2c_forecast_sum_cb)(double *loglik, double *grad,
                                     const double *params, size_t nparams,
                                     void *userdata);

/*
 * Fit BG/NBD, Pareto/NBD, BG/BB or Gamma-Gamma (model B2B2C_FORECAST_GG)
 * by maximum likelihood over data the host sums (1.1; see above).
 *
 * params, loglik, iterations, status, l2, max_iter  as in
 *            b2b2c_forecast_fit (nparams >= the model's 4 or 3).
 * start      the optimizer's start, the model's parameters (nstart >= 4
 *            or 3, each in [1e-12, 1e12]), or NULL for the start
 *            b2b2c_forecast_fit takes on data with these moments.
 * moments    the sums of b2b2c_forecast_moments (or _gg_moments) added over
 *            every partition, nmoments >= B2B2C_FORECAST_NMOMENTS. [0]
 *            scales the objective (the mean per customer, so the gradient
 *            tolerance means the same at any size), [1] and [2] give the
 *            default start and the scale of the boundary rule.
 * cb         the host's sum at given parameters (b2b2c_forecast_sum_cb),
 *            called once per likelihood evaluation, about 1.5 times per
 *            iteration, up to 3 times for the final polish (nparams + 1
 *            to 3 when it falls back to the Newton step) and once more
 *            at the answer; userdata is
 *            passed on.
 *
 * The optimizer, its stopping rule, its final polish, the boundary
 * rule and the status are those of b2b2c_forecast_fit: the answer equals
 * b2b2c_forecast_fit's on the same rows to 1e-8 relative in the
 * parameters however they are partitioned (bit for bit on one
 * partition). The context's progress handler gets one
 * unit of work per call of cb; when it asks to stop, B2B2C_EINTERRUPTED.
 * Returns 0; B2B2C_EINVAL (NULL params, moments or cb, unknown model,
 * nparams, nstart or nmoments too small, a NaN or infinite moment or
 * start); B2B2C_ERANGE (a negative moment, moments[2] = 0, start, l2 or
 * max_iter out of range, the log-likelihood not finite at the start, or cb
 * returned 0 with a non-finite log-likelihood or gradient: a host's bug
 * such as a worker that lost rows, never taken as a step back);
 * B2B2C_ENODATA (moments[0] = 0, or moments[1] = 0 for the purchase
 * models: every frequency 0); B2B2C_ENOCONVERGE; B2B2C_EINTERRUPTED; or
 * the callback's own code. On failure no output is written.
 * Cost: the iterations of b2b2c_forecast_fit (typically 20 to 60), each
 * about 1.5 calls of cb, and 1 to 4 calls for the polish and the answer
 * (up to 8 when the polish falls back to the Newton step); no
 * allocation.
 */
B2B2C_API int b2b2c_forecast_fit_sum(double *params, size_t nparams,
                                     double *loglik, int32_t *iterations,
                                     int32_t *status, b2b2c_ctx *ctx,
                                     int32_t model, const double *start,
                                     size_t nstart, const double *moments,
                                     size_t nmoments, double l2,
                                     int32_t max_iter,
                                     b2b2c_forecast_sum_cb cb,
                                     void *userdata);

/*
 * Rows merged once (1.1; docs/scaling.md). b2b2c_forecast_loglik checks
 * its rows and merges the identical ones (a hash over every row) at every
 * call, which a host evaluating the same partition at each step of
 * b2b2c_forecast_fit_sum repeats some 30 times; a b2b2c_forecast_rows
 * holds one partition's rows checked and merged, and evaluates them
 * alone. The sums are bit for bit those of b2b2c_forecast_loglik (or
 * _gg_loglik) on the same rows.
 */
typedef struct b2b2c_forecast_rows b2b2c_forecast_rows;

/*
 * Check and merge rows for later evaluations (1.1).
 *
 * out        receives the rows; *out is NULL on failure. Free with
 *            b2b2c_forecast_rows_free; the context must outlive them
 *            (its allocator holds their memory).
 * model      B2B2C_FORECAST_BGNBD, _PNBD, _BGBB or _GG.
 * x, tx, T, weight, n   the rows with the rules of b2b2c_forecast_fit
 *            (Gamma-Gamma: x, the mean spend m in tx, T NULL, as
 *            b2b2c_forecast_gg_loglik takes them); the arrays are copied.
 *
 * Returns 0, B2B2C_EINVAL (out or ctx NULL, unknown model, a NULL array,
 * a NaN or fractional value: the message names the argument or the row),
 * B2B2C_ERANGE (a value out of range, naming the row), B2B2C_ENODATA (no
 * row with positive weight; Gamma-Gamma: none with x > 0 and m > 0) or
 * B2B2C_ENOMEM. Cost: O(n) time; memory 4 doubles and 3 32-bit indexes
 * per distinct row plus the distinct frequencies and times.
 */
B2B2C_API int b2b2c_forecast_rows_new(b2b2c_forecast_rows **out,
                                      b2b2c_ctx *ctx, int32_t model,
                                      const double *x, const double *tx,
                                      const double *T, const double *weight,
                                      size_t n);

/* Free rows; NULL is accepted. */
B2B2C_API void b2b2c_forecast_rows_free(b2b2c_forecast_rows *rows);

/*
 * Total log-likelihood of the rows' model at params (nparams of the
 * model) and (grad non-NULL, nparams entries) its gradient: what
 * b2b2c_forecast_loglik / _gg_loglik returns on the rows the handle was
 * made from, bit for bit. ctx may be any context (the error message and
 * the scratch memory are its); the rows are only read, so one set of rows
 * may be evaluated on several threads, each with its context.
 * Returns 0, B2B2C_EINVAL (loglik, rows or params NULL, nparams too small,
 * a NaN parameter), B2B2C_ERANGE (a parameter out of (0, 1e12], or the
 * log-likelihood not finite there), B2B2C_ENOCONVERGE (a Pareto/NBD
 * series) or B2B2C_ENOMEM; outputs written on success only. Cost: O(the
 * distinct rows) special functions, 8 doubles per distinct frequency and
 * 2 per distinct time of scratch.
 */
B2B2C_API int b2b2c_forecast_rows_loglik(double *loglik, double *grad,
                                         b2b2c_ctx *ctx,
                                         const b2b2c_forecast_rows *rows,
                                         const double *params,
                                         size_t nparams);

/* The number of distinct rows (*count). Returns 0 or B2B2C_EINVAL (a NULL
 * argument); *count untouched on failure. */
B2B2C_API int b2b2c_forecast_rows_count(size_t *count, b2b2c_ctx *ctx,
                                        const b2b2c_forecast_rows *rows);

/*
 * Standard errors of BG/NBD, Pareto/NBD or BG/BB parameters (1.1).
 *
 * se      receives the standard error of each parameter (nparams entries
 *         of the model, natural scale); must not be NULL.
 * cov     receives their covariance matrix, nparams x nparams row-major
 *         (16 or 9 doubles), or NULL.
 * params  the maximum likelihood estimate: what b2b2c_forecast_fit gave
 *         for these data with l2 = 0 (at any other point the numbers are
 *         computed but are not standard errors).
 * x, tx, T, weight, n   the data of the fit, with its rules.
 *
 * The covariance is the inverse of the observed information, minus the
 * Hessian of the log-likelihood at params (Cox & Hinkley 1974, section
 * 9.2), taken by central differences of the analytic gradient: what
 * lifetimes' `summary` and CLVTools' `vcov` report. A 95% Wald interval
 * of parameter i is params[i] +- 1.959964 se[i] (as lifetimes prints it);
 * for a positive parameter, params[i] * exp(+-1.959964 se[i] / params[i])
 * (the interval of log params[i] by the delta method) stays positive.
 * Cost: 2 * nparams log-likelihood gradients (8 for the 4-parameter
 * models), about what 8 iterations of the fit cost.
 * Returns 0, the data and parameter errors of b2b2c_forecast_loglik
 * (B2B2C_EINVAL, B2B2C_ERANGE naming the argument or the row),
 * B2B2C_ENOTREADY when the observed information is not
 * positive definite at params (not a maximum, or a parameter not
 * identified: a fit that ended at a boundary), B2B2C_ENOCONVERGE (a
 * Pareto/NBD series), B2B2C_ENOMEM. On failure se and cov are untouched.
 */
B2B2C_API int b2b2c_forecast_stderr(double *se, double *cov, b2b2c_ctx *ctx,
                                    int32_t model, const double *params,
                                    size_t nparams, const double *x,
                                    const double *tx, const double *T,
                                    const double *weight, size_t n);

/* The same for the Gamma-Gamma parameters (p, q, v) at the estimate of
 * b2b2c_forecast_gg_fit on the same x, m, weight (rows with x > 0 and
 * m > 0; se of 3, cov of 9 doubles). (1.1) */
B2B2C_API int b2b2c_forecast_gg_stderr(double *se, double *cov,
                                       b2b2c_ctx *ctx, const double *params,
                                       size_t nparams, const double *x,
                                       const double *m,
                                       const double *weight, size_t n);

/*
 * Per-customer predictions for the window (T, T + t].
 *
 * expected  E[purchases in the window | x, tx, T] (n entries) or NULL.
 * p_alive   probability the customer is still active at T, or NULL.
 *           (BG/BB: active at opportunity T + 1, as in the paper.)
 * p_any     probability of at least one purchase in the window, or NULL.
 * t         window length (> 0; BG/BB: a whole number of opportunities).
 * All or nothing: on error none of the arrays is written (scratch of n
 * doubles per non-NULL output; B2B2C_ENOMEM when it cannot be allocated).
 */
B2B2C_API int b2b2c_forecast_predict(double *expected, double *p_alive,
                                     double *p_any, b2b2c_ctx *ctx,
                                     int32_t model, const double *params,
                                     size_t nparams, const double *x,
                                     const double *tx, const double *T,
                                     size_t n, double t);

/*
 * Gamma-Gamma expected mean purchase value per customer, E[M | x, m]
 * (Fader & Hardie 2013, eq. 5; Fader, Hardie & Lee 2005 "RFM and CLV",
 * eq. 5): (p v + p x m) / (p x + q - 1). Rows with x = 0 get the
 * population mean p v / (q - 1) (needs q > 1, else B2B2C_ERANGE); rows
 * with x > 0 and m = 0 get p v / (p x + q - 1), below the population mean.
 * m < 0 is B2B2C_ERANGE. out has n entries.
 */
B2B2C_API int b2b2c_forecast_gg_spend(double *out, b2b2c_ctx *ctx,
                                      const double *params, size_t nparams,
                                      const double *x, const double *m,
                                      size_t n);

/*
 * Discounted customer lifetime value over `horizon` whole periods:
 * clv = margin * spend * sum_{k=1..horizon} (E[X(k)] - E[X(k-1)]) /
 * (1 + discount)^k, with E[X(k)] the expected purchases in (T, T + k].
 * spend: expected value per purchase (e.g. from b2b2c_forecast_gg_spend),
 * n entries, >= 0. horizon: whole number 1..100000. discount: per period,
 * 0 <= discount < 10. margin: 0..1. out has n entries, written only when
 * every row succeeded (scratch of n doubles; B2B2C_ENOMEM).
 */
B2B2C_API int b2b2c_forecast_clv(double *out, b2b2c_ctx *ctx, int32_t model,
                                 const double *params, size_t nparams,
                                 const double *x, const double *tx,
                                 const double *T, const double *spend,
                                 size_t n, double horizon, double discount,
                                 double margin);

/*
 * Expected purchases of a new customer over t[i] periods from the first
 * purchase, E[X(t)] (BG/NBD: FHL 2005 eq. 7; Pareto/NBD: SMC 1987;
 * BG/BB: FHS 2010 eq. 9 with t a whole number). out has n entries,
 * written only when every entry succeeded (scratch of n doubles).
 */
B2B2C_API int b2b2c_forecast_population_expected(double *out, b2b2c_ctx *ctx,
                                                 int32_t model,
                                                 const double *params,
                                                 size_t nparams,
                                                 const double *t, size_t n);

/*
 * Expected number of customers with exactly 0, 1, ..., nout-1 repeat
 * purchases during their calibration periods T[i] (the calibration
 * histogram check): out[k] = sum_i weight_i P(X(T_i) = k). T as in the
 * fit (BG/BB: whole numbers). BG/NBD: FHL 2005 eq. 8; BG/BB: FHS 2010
 * eq. 7; Pareto/NBD: a quadrature over the dropout time (about 1e-10).
 */
B2B2C_API int b2b2c_forecast_frequency_counts(double *out, size_t nout,
                                              b2b2c_ctx *ctx, int32_t model,
                                              const double *params,
                                              size_t nparams,
                                              const double *T,
                                              const double *weight,
                                              size_t n);


/* ====================================================================== */
/*
 * The stateful forecaster: a purchase log per customer (persisted through
 * the context's storage), per-segment fits (persisted), per-customer
 * answers, services and subscriptions in CLV, the repeat-due list and the
 * holdout check.
 *
 * Threads: a handle is used by one thread at a time (with its context);
 * separate contexts and their handles are independent.
 *
 * Many contexts on one database (docs/storage.md): forecasters opened on
 * contexts that share a store stay coherent. Every mutating call first
 * applies what other contexts committed since this one last looked (the
 * purchase log, cancellations, kinds, fits, parameters), then decides: a
 * purchase recorded anywhere is kept, a kind added anywhere is known, a
 * fit run anywhere answers everywhere. A fit reads the customers inside
 * its call's transaction. Every read (getters, listings, answers, the due
 * list, b2b2c_forecaster_kind_name for host kinds) first does the same
 * and can then also fail with a storage code or B2B2C_ECORRUPT (a record
 * another context wrote does not decode; memory is left as it was).
 *
 * Storage tables: forecast_purchase (key: customer ID, NUL, 8-byte
 * big-endian sequence), forecast_cancel (key: customer ID), forecast_fit
 * (key: "all" or a segment name), forecast_kind (key: kind name),
 * forecast_config (key: "params", the parameters).
 */
typedef struct b2b2c_forecaster b2b2c_forecaster;

/* Purchase kinds. Services are every kind but PRODUCT. Stable names:
 * "product", "install", "repair", "training", "extended_warranty",
 * "software_subscription"; host kinds (16..63) get their names from
 * b2b2c_forecaster_add_kind. */
enum {
    B2B2C_FORECAST_KIND_PRODUCT = 0,
    B2B2C_FORECAST_KIND_INSTALL = 1,
    B2B2C_FORECAST_KIND_REPAIR = 2,
    B2B2C_FORECAST_KIND_TRAINING = 3,
    B2B2C_FORECAST_KIND_EXTENDED_WARRANTY = 4,
    B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION = 5,
    B2B2C_FORECAST_KIND_HOST_FIRST = 16,
    B2B2C_FORECAST_KIND_MAX = 63
};

/* Forecaster parameters (b2b2c_forecaster_set_param). Values are never
 * renumbered. Defaults in brackets. */
enum {
    B2B2C_FORECASTER_MODEL = 400,           /* 1 BG/NBD or 2 Pareto/NBD [1] */
    B2B2C_FORECASTER_UNIT_DAYS = 401,       /* model time unit, 1..366 [7] */
    B2B2C_FORECASTER_L2 = 402,              /* fit penalty 0..1e6 [0] */
    B2B2C_FORECASTER_DISCOUNT = 403,        /* per unit, 0..1 [0] */
    B2B2C_FORECASTER_MARGIN = 404,          /* product margin 0..1 [1] */
    B2B2C_FORECASTER_SERVICE_MARGIN = 405,  /* service margin 0..1 [1] */
    B2B2C_FORECASTER_MIN_P_ALIVE = 406,     /* due-list filter 0..1 [0.5] */
    B2B2C_FORECASTER_MIN_INTERVALS = 407,   /* own intervals needed for the
                                               due date, 1..1000 [3] */
    B2B2C_FORECASTER_MAX_ITER = 408,        /* fit iteration budget (each
                                               of the purchase model and
                                               Gamma-Gamma), whole,
                                               1..1000000 [1000] */
    B2B2C_FORECASTER_FOLD_DAYS = 409        /* 1.1: purchases older than
                                               this many days before the
                                               `now` of
                                               b2b2c_forecaster_fold are
                                               folded by it; whole,
                                               1..36500 [730] */
};

/* Open a forecaster on `ctx`, loading purchases, cancellations, kinds,
 * fits and parameters from its storage (parameters never set keep their
 * defaults). Errors: B2B2C_EINVAL, B2B2C_ENOMEM, B2B2C_ECORRUPT (a record
 * failed to decode; the message names table and key), storage codes. */
B2B2C_API int b2b2c_forecaster_new(b2b2c_forecaster **out, b2b2c_ctx *ctx);

/* Free a forecaster (NULL is fine). An open transaction group on its
 * context is rolled back first. */
B2B2C_API void b2b2c_forecaster_free(b2b2c_forecaster *f);

/* Set / get a parameter (bounds and defaults: b2b2c_param_bounds);
 * B2B2C_ERANGE names it when out of its bounds or fractional for a whole
 * parameter, B2B2C_EINVAL for an unknown parameter or NaN. Setting is a mutating call
 * like the others: persisted (forecast_config), one storage transaction,
 * rolled back with a failed call or transaction group (the value is then
 * the one before); storage codes, B2B2C_ENOMEM. */
B2B2C_API int b2b2c_forecaster_set_param(b2b2c_forecaster *f, int32_t param,
                                         double value);
B2B2C_API int b2b2c_forecaster_get_param(double *value,
                                         const b2b2c_forecaster *f,
                                         int32_t param);

/* Register a host purchase kind by name (1..63 bytes of [a-z0-9_]) and get
 * its number (16..63) in *kind. An existing name gives its number back.
 * B2B2C_ERANGE when 48 host kinds exist. Persisted. */
B2B2C_API int b2b2c_forecaster_add_kind(int32_t *kind, b2b2c_forecaster *f,
                                        const char *name);

/* The name of a kind (static for built-ins, owned by the handle for host
 * kinds until it is freed); NULL when unknown. A host kind's name is looked
 * up after applying other contexts' commits (when that fails, memory's
 * answer, and the error is the context's last). */
B2B2C_API const char *b2b2c_forecaster_kind_name(const b2b2c_forecaster *f,
                                                 int32_t kind);

/*
 * Record a purchase. customer_id: 1..255 bytes UTF-8. segment: a
 * B2B2C_SEGMENT_* value (the customer's segment is the one of their latest
 * recorded purchase). time: Unix seconds in [B2B2C_TIME_MIN,
 * B2B2C_TIME_MAX] (common.h); purchases may be recorded in any order.
 * amount: finite, in [0, B2B2C_AMOUNT_MAX] (currency units). kind:
 * B2B2C_FORECAST_KIND_* or a registered host kind. Persisted.
 * Errors: B2B2C_EBADID, B2B2C_EINVAL (NaN or infinite amount, unknown kind
 * or segment), B2B2C_ERANGE (time outside the range, amount negative or
 * over B2B2C_AMOUNT_MAX), B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_forecaster_add_purchase(b2b2c_forecaster *f,
                                            const char *customer_id,
                                            int32_t segment, int64_t time,
                                            double amount, int32_t kind);

/* Record that the customer's software subscription was cancelled at
 * `time` (in the library's time range). B2B2C_ENOTFOUND for an unknown
 * customer, B2B2C_ESTATE when they have no subscription purchase at all,
 * B2B2C_ERANGE when `time` is outside the range or before their first
 * subscription purchase (the message names both times). Persisted. */
B2B2C_API int b2b2c_forecaster_cancel_subscription(b2b2c_forecaster *f,
                                                   const char *customer_id,
                                                   int64_t time);

/*
 * Fold old purchases (issue 20; docs/forecaster.md, "Folding old
 * purchases"): each customer's purchases dated before the local midnight
 * at or before now - B2B2C_FORECASTER_FOLD_DAYS (default 730 days) are
 * reduced to one stored per-customer summary (table forecast_fold) and
 * their records deleted, so memory and storage follow the retention
 * window, not the whole history. What the models read of them is kept:
 * the number of purchase days, the first and last, the day totals summed
 * in day order (x, t_x, T and the mean repeat spend m at any later time,
 * bit for bit), the count and sum per service kind, the subscriptions'
 * count, first and last times and revenue, and the histogram of gaps
 * between purchase days. Summaries, fits, per-customer answers, the due
 * list, the holdout check and b2b2c_forecaster_list_customers give the
 * answers they gave before folding (a fit's attach rates and subscription
 * revenue to rounding: their sums are added in another order). What is
 * lost: each folded purchase on its own (time, amount, kind, segment), so
 * a question about a time before a customer's fold point (a calibration
 * end, `now`) is B2B2C_ESTATE naming the customer and the fold date, and
 * b2b2c_forecaster_add_purchase before it too. A customer whose log was
 * recorded out of order folds at an earlier midnight (only a prefix of
 * the purchase sequence folds).
 *
 * Bounded work: the call examines at most `max` customers, going on from
 * where the previous call on this handle stopped (a cursor in memory,
 * wrapping at the end); a host calls it now and then (say daily with max
 * 10,000). Cost: per customer examined O(its kept purchases), per customer
 * folded one storage write and one delete per purchase folded.
 *
 * folded  receives the number of customers whose fold grew (may be 0);
 *         untouched on error.
 * f       the forecaster.
 * now     the caller's time (Unix seconds); nothing is folded while
 *         now - B2B2C_FORECASTER_FOLD_DAYS is before the time range.
 * max     customers to examine, >= 1.
 *
 * Returns 0, B2B2C_EINVAL (NULL), B2B2C_ERANGE (now outside the time
 * range, max 0, or a purchase stored outside it: the message names the
 * customer), B2B2C_ESTATE (a customer folded in another UTC offset: the
 * message names it and both offsets), B2B2C_ENOMEM, storage codes;
 * nothing changes on error. Inside a group it rolls back with the group.
 * Since 1.1.
 */
B2B2C_API int b2b2c_forecaster_fold(size_t *folded, b2b2c_forecaster *f,
                                    int64_t now, size_t max);

/*
 * Remove a customer: every purchase, the fold (b2b2c_forecaster_fold) and
 * the cancellation recorded for them.
 * Fits already stored are kept until the next fit. Their purchases may then
 * be recorded again. This is also the repair of a purchase that a build
 * before 1.0 stored with a time outside the library's range (fits then fail
 * with B2B2C_ERANGE naming the customer): remove the customer and record
 * their purchases again. B2B2C_EINVAL (NULL), B2B2C_EBADID,
 * B2B2C_ENOTFOUND, B2B2C_ENOMEM, storage codes; nothing changes on error.
 */
B2B2C_API int b2b2c_forecaster_remove_customer(b2b2c_forecaster *f,
                                               const char *customer_id);

/*
 * Erase a customer (GDPR Art. 17; docs/privacy.md): every purchase, the
 * fold and the cancellation, as b2b2c_forecaster_remove_customer, and the change log
 * forgets the customer's keys like b2b2c_lead_erase. What stays, traced to
 * no ID: fits already stored (model parameters and per-kind figures
 * estimated with the customer) until the next fit. B2B2C_EINVAL (NULL),
 * B2B2C_EBADID, B2B2C_ENOTFOUND ("customer_id: ..."), B2B2C_ENOMEM,
 * storage codes; nothing changes on error. Since 1.1.
 */
B2B2C_API int b2b2c_forecaster_erase(b2b2c_forecaster *f,
                                     const char *customer_id);

/*
 * Fit the purchase model (B2B2C_FORECASTER_MODEL) and Gamma-Gamma on the
 * customers of `segment` (a B2B2C_SEGMENT_* value, or -1 for everyone)
 * with a first product purchase before `calibration_end` (Unix seconds),
 * summarised at that date in B2B2C_FORECASTER_UNIT_DAYS: product purchases
 * on the same day (in the context's UTC offset, b2b2c_ctx_set_utc_offset)
 * merge into one transaction, and T runs from the start of the first
 * purchase's day. Also estimates, for the
 * segment, each service kind's attach rate (service purchases per product
 * transaction) and mean value, and the subscription revenue per unit and
 * retention per unit (exponential churn fitted to the cancellations).
 * The fit is persisted under "all" or the segment name and replaces the
 * previous one, whatever its status: *status (optional) receives the
 * purchase model's B2B2C_FIT_* status (0 only when clean), and
 * b2b2c_forecaster_fit_params gives it and the Gamma-Gamma one later.
 * Each fit has the iteration budget B2B2C_FORECASTER_MAX_ITER, and the
 * context's progress handler can stop it: B2B2C_EINTERRUPTED, and the
 * stored fit is the previous one.
 * Errors: B2B2C_ENODATA (no customer, or no repeat purchase), the stateless
 * fit's codes, storage codes.
 */
B2B2C_API int b2b2c_forecaster_fit(int32_t *status, b2b2c_forecaster *f,
                                   int32_t segment, int64_t calibration_end);

/*
 * b2b2c_forecaster_fit over a calibration window [calibration_start,
 * calibration_end) (Unix seconds). The window states where the purchase log
 * is complete: x, t_x and T are measured from each customer's first
 * purchase, so every customer of `segment` must have their whole history in
 * the window. A recorded purchase of any kind dated before
 * calibration_start (a history the window would cut, usually a wrong date)
 * is bad input: B2B2C_ERANGE with a message naming the customer and the
 * date (YYYY-MM-DD, in the context's UTC offset) of their earliest purchase; nothing is fitted or
 * stored. Purchases at or after calibration_end are ignored as in
 * b2b2c_forecaster_fit (the holdout). Errors: those of
 * b2b2c_forecaster_fit, and B2B2C_ERANGE when calibration_start >=
 * calibration_end or calibration_start is INT64_MIN.
 */
B2B2C_API int b2b2c_forecaster_fit_window(int32_t *status,
                                          b2b2c_forecaster *f,
                                          int32_t segment,
                                          int64_t calibration_start,
                                          int64_t calibration_end);

/* The stored fit for `segment` (-1: all): the model it was made with
 * (B2B2C_FORECAST_BGNBD or _PNBD; B2B2C_FORECASTER_MODEL may have changed
 * since, so read the model here to name the parameters), model
 * parameters (4), GG parameters (3; zeros when the fit does not use
 * Gamma-Gamma, b2b2c_forecaster_spend_source says why), log-likelihood,
 * and the B2B2C_FIT_* status of the purchase model and of Gamma-Gamma
 * (B2B2C_FIT_CONVERGED when GG was not used). A fit stored by a library
 * before the status existed reads as CONVERGED or STALLED. Callers that
 * answer from the fit should warn when either status is not 0.
 * B2B2C_ENOTFOUND when not fitted. Any output may be NULL. */
B2B2C_API int b2b2c_forecaster_fit_params(int32_t *model, double *params,
                                          double *gg_params, double *loglik,
                                          int32_t *status,
                                          int32_t *gg_status,
                                          const b2b2c_forecaster *f,
                                          int32_t segment);

/* Where the expected spend per purchase of a fit comes from (stable
 * values). Gamma-Gamma is fitted on the repeat buyers whose mean repeat
 * spend is > 0; when it cannot be used, every customer of the fit gets
 * the segment's mean product spend per transaction, and the value says
 * why. */
enum {
    B2B2C_SPEND_GAMMA_GAMMA = 1,    /* Fader & Hardie 2013, eq. 5 */
    B2B2C_SPEND_MEAN_NO_SPEND = 2,  /* no repeat buyer with spend > 0 */
    B2B2C_SPEND_MEAN_NO_MEAN = 3,   /* fitted q <= 1: GG mean infinite */
    B2B2C_SPEND_MEAN_GG_FAILED = 4  /* the GG fit failed (not finite or a
                                       series did not converge) */
};

/* The spend source (B2B2C_SPEND_*) of the stored fit for `segment` (-1:
 * all) and its mean product spend per transaction (first purchases
 * included), the value b2b2c_forecaster_customer gives every customer of
 * the fit when the source is not B2B2C_SPEND_GAMMA_GAMMA. Either output
 * may be NULL. B2B2C_ENOTFOUND when not fitted, B2B2C_EINVAL for a NULL
 * handle or an unknown segment. */
B2B2C_API int b2b2c_forecaster_spend_source(int32_t *source,
                                            double *mean_spend,
                                            const b2b2c_forecaster *f,
                                            int32_t segment);

/* The service statistics of the stored fit for `segment` (-1: all): for a
 * service `kind`, purchases per product transaction (*attach_rate) and
 * their mean amount (*mean_value), both 0 when none was seen. Any output
 * may be NULL. B2B2C_ENOTFOUND when not fitted, B2B2C_EINVAL for an
 * unknown segment or kind (product is not a service). */
B2B2C_API int b2b2c_forecaster_service_stats(double *attach_rate,
                                             double *mean_value,
                                             const b2b2c_forecaster *f,
                                             int32_t segment, int32_t kind);

/* Subscription statistics of the stored fit for `segment` (-1: all):
 * revenue per subscriber per unit and retention per unit (exp(-churn)),
 * both 0 when the segment had no subscriber. Errors as above. */
B2B2C_API int b2b2c_forecaster_subscription_stats(double *revenue_per_unit,
                                                  double *retention,
                                                  const b2b2c_forecaster *f,
                                                  int32_t segment);

/* One customer's summary (units of B2B2C_FORECASTER_UNIT_DAYS); a non-zero
 * return stops the listing and is returned. */
typedef int (*b2b2c_forecaster_summary_cb)(const char *customer_id,
                                           double frequency, double recency,
                                           double T, double monetary_value,
                                           void *userdata);

/*
 * List the (x, t_x, T, monetary value) summary of every customer of
 * `segment` (-1: all) with a product purchase before `calibration_end`,
 * exactly as b2b2c_forecaster_fit builds it (same-day product purchases
 * merged; monetary value the mean of the repeat days' totals, 0 when
 * x = 0), in customer-ID order. The callback may read through the
 * library; a mutating call on the same context from it gets B2B2C_ESTATE.
 * Errors: B2B2C_EINVAL (segment, NULL cb), B2B2C_ENOMEM.
 */
B2B2C_API int b2b2c_forecaster_summaries(b2b2c_forecaster *f,
                                         int32_t segment,
                                         int64_t calibration_end,
                                         b2b2c_forecaster_summary_cb cb,
                                         void *userdata);

/* b2b2c_forecaster_summaries over the window [calibration_start,
 * calibration_end), with the window rule and errors of
 * b2b2c_forecaster_fit_window (checked before the first callback, so a
 * customer with a purchase before the start fails the call before
 * anything is listed). */
B2B2C_API int b2b2c_forecaster_summaries_window(
    b2b2c_forecaster *f, int32_t segment, int64_t calibration_start,
    int64_t calibration_end, b2b2c_forecaster_summary_cb cb, void *userdata);

/* A customer in b2b2c_forecaster_list_customers: its segment (that of its
 * most recently added purchase), the times of its first and last purchase of
 * any kind (product or service), and how many purchases it has. */
typedef int (*b2b2c_forecaster_customer_cb)(const char *customer_id,
                                            int32_t segment, int64_t first,
                                            int64_t last, int64_t purchases,
                                            void *userdata);

/*
 * Every customer, in customer ID order (bytewise). Filter: segment
 * (B2B2C_SEGMENT_*, -1 = any). The customer ID is valid during the
 * callback only; a non-zero return stops the listing and is returned; a
 * mutating call on the context from the callback gets B2B2C_ESTATE.
 * Errors: B2B2C_EINVAL (f or cb NULL, unknown segment), B2B2C_ENOMEM, or
 * the callback's code.
 */
B2B2C_API int b2b2c_forecaster_list_customers(const b2b2c_forecaster *f,
                                              int32_t segment,
                                              b2b2c_forecaster_customer_cb cb,
                                              void *userdata);

/*
 * Answers for one customer at `now` (Unix seconds) over `horizon` whole
 * units: expected product purchases, P(alive), P(at least one purchase),
 * expected spend per purchase (Gamma-Gamma, or the segment mean: see
 * b2b2c_forecaster_spend_source), and the
 * discounted CLV split into the product part and the service part
 * (services attached to expected purchases at the segment's attach rates,
 * plus an active subscription's revenue with the estimated retention).
 * Uses the fit of the customer's segment, else the "all" fit. Any output
 * may be NULL. Errors: B2B2C_ENOTFOUND (customer), B2B2C_ENOTREADY (no
 * fit), B2B2C_ERANGE (now before the first purchase, horizon not a whole
 * number 1..1200).
 */
B2B2C_API int b2b2c_forecaster_customer(double *expected, double *p_alive,
                                        double *p_any, double *spend,
                                        double *clv_product,
                                        double *clv_service,
                                        const b2b2c_forecaster *f,
                                        const char *customer_id, int64_t now,
                                        double horizon);

/* One entry of the repeat-due list. due_time: Unix seconds of the expected
 * next purchase; expected_value: expected product revenue in the window.
 * A non-zero return stops the listing and is returned. */
typedef int (*b2b2c_forecaster_due_cb)(const char *customer_id,
                                       int64_t due_time, double p_alive,
                                       double expected_value, void *userdata);

/*
 * List customers whose next product purchase is due by now + window_days:
 * the due date is the last purchase plus the median of the customer's own
 * inter-purchase intervals when they have B2B2C_FORECASTER_MIN_INTERVALS
 * of them, else plus the model's mean time between purchases
 * ((alpha + T) / (r + x) units). Customers with P(alive) below
 * B2B2C_FORECASTER_MIN_P_ALIVE or without a usable fit are left out. Order:
 * expected value in the window, highest first (ties by ID). The callback
 * runs after the list is built; it may read through the library, and a
 * mutating call on the same context from it gets B2B2C_ESTATE.
 */
B2B2C_API int b2b2c_forecaster_due(b2b2c_forecaster *f, int64_t now,
                                   double window_days,
                                   b2b2c_forecaster_due_cb cb,
                                   void *userdata);

/*
 * The BTYD holdout check for `segment` (-1 all) with the current fit
 * (normally made at calibration_end): customers with a first product
 * purchase before calibration_end are grouped by calibration frequency
 * (0, 1, ..., nout-1 where the last group holds nout-1 and more); per
 * group, count[k] customers, actual[k] the mean number of repeat
 * transactions in (calibration_end, holdout_end] and predicted[k] the mean
 * model expectation. Errors: B2B2C_ENOTREADY (no fit), B2B2C_ERANGE
 * (holdout_end <= calibration_end, nout 0 or > 1000).
 */
B2B2C_API int b2b2c_forecaster_holdout(double *actual, double *predicted,
                                       double *count, size_t nout,
                                       const b2b2c_forecaster *f,
                                       int32_t segment,
                                       int64_t calibration_end,
                                       int64_t holdout_end);

#ifdef __cplusplus
}
#endif

#endif
