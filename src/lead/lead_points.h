/* SPDX-License-Identifier: MIT */
/* Lead model: points learned from outcomes (issue 18), shared by
 * lead_points.c (suggestion, the rule score of a training row,
 * cross-validation) and lead_rescore.c (point tables, rescoring, apply,
 * dry run, history). Not installed. See docs/lead-model.md, "Points
 * learned from outcomes". */
#ifndef B2B2C_LEAD_POINTS_H
#define B2B2C_LEAD_POINTS_H

#include <math.h>

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

/*
 * One rescoring (lazy rescoring, lead_gen.c): the table before and after,
 * the time the bands were taken at (INT64_MIN: each lead's last event) and
 * the half-life then. A lead's engagement and band follow a rescoring by
 * b2b2c__lead_step_one, in memory at once, and in a record stored before
 * it when the record is read (b2b2c__lead_replay). Stored in T_GENS under
 * its generation (1, 2, ...). old.attr and nw.attr hold nattrs entries.
 */
typedef struct lead_step {
    int64_t now;
    double hl; /* B2B2C_LEAD_HALF_LIFE_DAYS */
    uint32_t nkinds, nattrs;
    int kinds, fits; /* any kind's points / any fit points changed */
    lead_table old, nw;
} lead_step;

/* A lead's fit points under t (attributes past nattrs count 0: never in a
 * consistent store). */
static inline double lead_step_fit(const lead_step *s, const lead_table *t,
                                   const lead_rec *r)
{
    double f = t->seg[r->segment];
    if (r->chan && r->chan <= s->nattrs)
        f += t->attr[r->chan - 1];
    if (r->region && r->region <= s->nattrs)
        f += t->attr[r->region - 1];
    if (r->prod && r->prod <= s->nattrs)
        f += t->attr[r->prod - 1];
    return f;
}

/* Engagement eng of per-kind entries ks[0..nk) when the kind points change
 * from old to nw: max(0, E + sum_k (p'_k - p_k) c_k), c_k the decayed
 * count of the kind's events that earned points (lead_earned); eng itself
 * when no kind of theirs changed (*any 0). */
static inline double lead_eng_under(double eng, const lead_ks *ks,
                                    uint32_t nk, const double *old,
                                    const double *nw, int *any)
{
    double e = eng;
    *any = 0;
    for (uint32_t i = 0; i < nk; i++) {
        uint16_t k = ks[i].kind;
        if (old[k] != nw[k]) {
            e += (nw[k] - old[k]) * lead_earned(&ks[i]);
            *any = 1;
        }
    }
    if (!*any)
        return eng;
    return e > 0 ? e : 0;
}

/* Lead r under rescoring s: its new engagement *e, its band before and
 * after (*bo, *bn) at *at, the time the bands are taken at. */
static inline void lead_step_one(const lead_step *s, const lead_rec *r,
                                 double *e, int32_t *bo, int32_t *bn,
                                 int64_t *at)
{
    int64_t t = s->now < r->t0 ? r->t0 : s->now;
    int any;
    double en = s->kinds ? lead_eng_under(r->eng, r->ks, r->nk, s->old.kind,
                                          s->nw.kind, &any)
                         : r->eng;
    double d = 0, fn, fo, so, sn;
    if (r->eng > 0 || en > 0)
        d = t <= r->t0 ? 1.0
                       : exp2(-((double)t - (double)r->t0) /
                              (s->hl * LEAD_DAY));
    fn = lead_step_fit(s, &s->nw, r);
    fo = s->fits ? lead_step_fit(s, &s->old, r) : fn;
    so = fo + r->eng * d;
    sn = fn + en * d;
    *bo = t < r->hot_until || so >= s->old.hot ? B2B2C_BAND_HOT
          : so >= s->old.warm                  ? B2B2C_BAND_WARM
                                               : B2B2C_BAND_COLD;
    *bn = t < r->hot_until || sn >= s->nw.hot ? B2B2C_BAND_HOT
          : sn >= s->nw.warm                  ? B2B2C_BAND_WARM
                                              : B2B2C_BAND_COLD;
    *e = en;
    *at = t;
}

/* lead_gen.c. The rescoring from `old` to the model's table now, at now
 * (NULL with the context's error on B2B2C_ENOMEM; *same set when nothing
 * changes: no step then). */
lead_step *b2b2c__lead_step_make(b2b2c_lead_model *m, const lead_table *old,
                                 int64_t now, int *same);
/* Store step s as generation m->ngen + 1 and make it the model's
 * (undoable; s is the model's afterwards, freed if the call fails). */
int b2b2c__lead_step_push(b2b2c_lead_model *m, lead_step *s);
/* Lead record d (not in memory), stored at generation gen, brought to
 * m->ngen (its late checkpoint too). B2B2C_ECORRUPT naming table/key when
 * gen is ahead of the model or d refers to what a rescoring did not know. */
int b2b2c__lead_replay(b2b2c_lead_model *m, lead_rec *d, uint32_t gen,
                       const char *table, const void *k, size_t kl);
/* The open's scan of T_GENS (before the leads). */
int b2b2c__lead_gens_load(b2b2c_lead_model *m);
/* A sync hands over T_GENS key k: kept until refresh_done. */
int b2b2c__lead_gens_refresh(b2b2c_lead_model *m, const void *k, size_t kl,
                             const void *v, size_t vl);
/* refresh_done: the rescorings handed over, applied to the leads in
 * memory from the generation each one is at (undoable). */
int b2b2c__lead_gens_done(b2b2c_lead_model *m);
void b2b2c__lead_gens_free(b2b2c_lead_model *m);
/* The sweep (lead_gen.c): the handle's pass rewrites up to `max` leads at
 * the current generation; a pass that went through every lead raises the
 * floor to the generation it began at, deleting the steps up to it
 * (undoable). Run by every rescoring. */
int b2b2c__lead_sweep(b2b2c_lead_model *m, size_t max);
/* Engine op `behind`: a deleted T_GENS key this handle never read. */
int b2b2c__lead_gens_behind(void *h, const char *table, const void *k,
                            size_t kl);
/* lead_rescore.c: every lead in memory through step s (undoable); with
 * `alerts`, band changes kept for the rescore alert. Leads with gsync
 * above `skip` are ahead of the step (a sync): left as they are. */
int b2b2c__lead_step_all(b2b2c_lead_model *m, const lead_step *s,
                         int alerts, uint32_t skip);

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
 * its last event), undoably, in memory; the band changes are dated `now`
 * (or the last event) and flagged LEAD_BAND_RESCORED, and kept for the
 * rescore alert. No lead record is written: the step is (lead_gen.c),
 * unless the table is the same. Returns 0, B2B2C_ENOMEM, B2B2C_ERANGE
 * (no generation left) or a storage code. */
int b2b2c__lead_rescore(b2b2c_lead_model *m, const lead_table *old,
                        int64_t now);
/* lead_config.c: write the T_CONFIG record (parameters, segment points,
 * kinds). */
int b2b2c__lead_write_config(b2b2c_lead_model *m);
/* After the call's B2B2C__CALL: with rc 0, run the rescore alert for the
 * band changes the rescoring kept; in every case forget them. */
void b2b2c__lead_rescore_notify(b2b2c_lead_model *m, int rc);

#endif
