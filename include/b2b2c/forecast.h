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
 *   m   (Gamma-Gamma) mean value of the x repeat purchases (> 0).
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
 * On error the output buffers are left unchanged.
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
 * converged  receives 1 when the gradient test was met, 0 when the
 *            iteration limit or the line search stopped first (params are
 *            then the best point found). May be NULL.
 * model      B2B2C_FORECAST_BGNBD, _PNBD or _BGBB.
 * x, tx, T   per-row data, n rows (see the top of this header).
 * weight     per-row counts, or NULL for 1 each (identical rows are then
 *            merged internally, which is exact).
 * l2         penalty l2 * sum(log(param)^2) added to -loglik (0 for plain
 *            maximum likelihood; >= 0). It pulls parameters towards 1.
 *
 * The optimizer is BFGS on log-parameters with analytic gradients.
 * Returns 0 or a code listed at the top (B2B2C_ENODATA when every
 * frequency is 0: the model is then not identified).
 */
B2B2C_API int b2b2c_forecast_fit(double *params, size_t nparams,
                                 double *loglik, int32_t *iterations,
                                 int32_t *converged, b2b2c_ctx *ctx,
                                 int32_t model, const double *x,
                                 const double *tx, const double *T,
                                 const double *weight, size_t n, double l2);

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
 * Fit the Gamma-Gamma spend model (p, q, v) on customers with x > 0:
 * rows with x = 0 are skipped (their m is not read). m > 0 is the mean
 * repeat-purchase value. Outputs and l2 as in b2b2c_forecast_fit
 * (nparams >= 3). B2B2C_ENODATA when no row has x > 0.
 */
B2B2C_API int b2b2c_forecast_gg_fit(double *params, size_t nparams,
                                    double *loglik, int32_t *iterations,
                                    int32_t *converged, b2b2c_ctx *ctx,
                                    const double *x, const double *m,
                                    const double *weight, size_t n,
                                    double l2);

/* Gamma-Gamma total log-likelihood (and gradient) over rows with x > 0. */
B2B2C_API int b2b2c_forecast_gg_loglik(double *loglik, double *grad,
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
 */
B2B2C_API int b2b2c_forecast_predict(double *expected, double *p_alive,
                                     double *p_any, b2b2c_ctx *ctx,
                                     int32_t model, const double *params,
                                     size_t nparams, const double *x,
                                     const double *tx, const double *T,
                                     size_t n, double t);

/*
 * Gamma-Gamma expected mean purchase value per customer, E[M | x, m]
 * (Fader & Hardie 2013, eq. 5). Rows with x = 0 get the population mean
 * p v / (q - 1) (needs q > 1, else B2B2C_ERANGE). out has n entries.
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
 * 0 <= discount < 10. margin: 0..1. out has n entries.
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
 * BG/BB: FHS 2010 eq. 9 with t a whole number). out has n entries.
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
 * fit (BG/BB: whole numbers). BG/NBD and BG/BB only (Pareto/NBD:
 * B2B2C_EINVAL in this version).
 */
B2B2C_API int b2b2c_forecast_frequency_counts(double *out, size_t nout,
                                              b2b2c_ctx *ctx, int32_t model,
                                              const double *params,
                                              size_t nparams,
                                              const double *T,
                                              const double *weight,
                                              size_t n);

#ifdef __cplusplus
}
#endif

#endif
