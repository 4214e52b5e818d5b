/* SPDX-License-Identifier: MIT */
/* Forecast engine: merged input rows (internal). */
#ifndef B2B2C_FC_ROWS_H
#define B2B2C_FC_ROWS_H

#include "b2b2c/forecast.h"
#include "internal.h"

/* Distinct (x, tx, T) rows with summed weights (GG: (x, m, 0), x > 0). */
typedef struct b2b2c__fc_rows {
    size_t n;
    double *x, *tx, *T, *w; /* one block */
    uint32_t *xi;           /* index of x[i] in xval */
    double *xval;           /* distinct frequencies, ascending */
    size_t nx;
    uint32_t *tix, *Tix;    /* indices of tx[i], T[i] in tval */
    double *tval;           /* distinct time values (tx and T) */
    size_t nt;
    double W, sumx, sumT, summ, wpos;
} b2b2c__fc_rows;

int b2b2c__fc_validate(b2b2c_ctx *ctx, int32_t model, const double *x,
                       const double *tx, const double *T,
                       const double *weight, size_t n);
int b2b2c__fc_rows_build(b2b2c_ctx *ctx, b2b2c__fc_rows *r, int32_t model,
                         const double *x, const double *tx, const double *T,
                         const double *weight, size_t n);
void b2b2c__fc_rows_free(b2b2c_ctx *ctx, b2b2c__fc_rows *r);

/* Total log-likelihood and natural-scale gradient over merged rows, with
 * `scratch` of 8 * r->nx doubles. Returns 0, or B2B2C_ENOCONVERGE when a
 * series failed, or B2B2C_ERANGE when the value is not finite. */
#define B2B2C__FC_SCRATCH(r) (8 * (r)->nx + 2 * (r)->nt + 1)
int b2b2c__fc_ll(int32_t model, const double *p, const b2b2c__fc_rows *r,
                 double *scratch, double *ll, double *grad);

/* Pareto/NBD row: log of the likelihood bracket (lbr) and of its first
 * term (lb1); dl (optional) the gradient of lbr. Returns 0 or -1. */
int b2b2c__pnbd_row(const double *p, double x, double tx, double T,
                    double *lbr, double *lb1, double dl[4]);

/* The data moments a fit needs (B2B2C_FORECAST_NMOMENTS: W, sum w x, and
 * sum w T or, Gamma-Gamma, sum w m) as b2b2c__fc_rows_build summed them;
 * the default start theta (log-parameters) and the boundary test of the
 * fits from those moments (forecast_fit.c). */
void b2b2c__fc_moments_of(double *mom, int32_t model,
                          const b2b2c__fc_rows *rows);
void b2b2c__fc_start(double *th, int32_t model, const double *mom);
int b2b2c__fc_at_boundary(int32_t model, const double *p, int np,
                          const double *mom);

/* Order-independent digest of a forecaster's in-memory state (tests). */
uint64_t b2b2c__forecaster_digest(const b2b2c_forecaster *f);

#endif
