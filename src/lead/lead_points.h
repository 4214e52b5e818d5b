/* SPDX-License-Identifier: MIT */
/* Lead model: points learned from outcomes (issue 18), shared by
 * lead_points.c (suggestion, the rule score of a training row,
 * cross-validation) and lead_rescore.c (point tables, rescoring, apply,
 * dry run, history). Not installed. See docs/lead-model.md, "Points
 * learned from outcomes". */
#ifndef B2B2C_LEAD_POINTS_H
#define B2B2C_LEAD_POINTS_H

#include "lead_internal.h"

#define T_POINTS "lead_points"

/* Bit 7 of lead_rec.band_prev: the band was entered by a rescoring (a
 * change of points or thresholds), not by an event. Stored in the lead's
 * record as is; masked wherever the band left is read. */
#define LEAD_BAND_RESCORED 0x80u

/* A point table: every kind's points, every segment's and attribute
 * value's fit points, the thresholds. attr has nattrs entries (NULL: the
 * attributes' points as they are in the model). */
typedef struct lead_table {
    double kind[B2B2C_LEAD_EV_MAX];
    double seg[LEAD_NSEG];
    double *attr;
    double warm, hot;
} lead_table;

/* The model's table as it is now (attr NULL: read from the model). */
void b2b2c__lead_table_now(const b2b2c_lead_model *m, lead_table *t);
/* Fit points of lead r under t. */
double b2b2c__lead_table_fit(const b2b2c_lead_model *m, const lead_table *t,
                             const lead_rec *r);
/* The decayed count of a lead's events of one kind that earned points, as
 * rescoring counts it: min(decayed count, events that earned points). */
static inline double lead_earned(const lead_ks *k)
{
    return k->cnt < (double)k->total_n ? k->cnt : (double)k->total_n;
}

/* lead_late.c: the kind points changed from `old` to `nw` (a rescoring):
 * the checkpoint of r's late-event bookkeeping follows by the rule of
 * rescoring (E' = max(0, E + sum_k (p'_k - p_k) c_k) over its kinds), so
 * that a late event replays the events before the window at the new
 * points, as the rescored lead counts them. *changed says whether r->late
 * was replaced (undoable). 0, B2B2C_ENOMEM. */
int b2b2c__lead_late_rescore(b2b2c_lead_model *m, lead_rec *r,
                             const double *old, const double *nw,
                             int *changed);

/* The rule-score feature of kind k in a training row: the decayed count,
 * at most cap_total when the kind has one. */
double b2b2c__lead_row_x(const b2b2c_lead_model *m, uint32_t kind,
                         double cnt);
/* The rule score of training row w under table t. */
double b2b2c__lead_row_score(const b2b2c_lead_model *m, const lead_table *t,
                             const lead_row *w);

/* Cross-validated AUC (mean over folds, and its standard error), Brier
 * score and log loss of the Platt-calibrated score s[0..n-1] against the
 * labels of the model's rows; fold[i] in 0..k-1. out[0..3]; NaN when
 * undefined. Returns 0 or B2B2C_ENOMEM. */
int b2b2c__lead_cv(const b2b2c_lead_model *m, const double *s,
                   const uint32_t *fold, int32_t k, double *out);

/* After the points or thresholds changed from `old` to the model's:
 * recompute every lead's engagement and its band at `now` (INT64_MIN: at
 * its last event), undoably, writing the records that change; the band
 * changes are dated `now` (or the last event) and flagged
 * LEAD_BAND_RESCORED, and kept for the rescore alert. Returns 0,
 * B2B2C_ENOMEM or a storage code. */
int b2b2c__lead_rescore(b2b2c_lead_model *m, const lead_table *old,
                        int64_t now);
/* lead_config.c: write the T_CONFIG record (parameters, segment points,
 * kinds). */
int b2b2c__lead_write_config(b2b2c_lead_model *m);
/* After the call's B2B2C__CALL: with rc 0, run the rescore alert for the
 * band changes the rescoring kept; in every case forget them. */
void b2b2c__lead_rescore_notify(b2b2c_lead_model *m, int rc);

#endif
