/* SPDX-License-Identifier: MIT */
/* Lead model internals shared by the files in src/lead. Not installed. */
#ifndef B2B2C_LEAD_INTERNAL_H
#define B2B2C_LEAD_INTERNAL_H

#include "internal.h"
#include "b2b2c/lead.h"

#define LEAD_NPARAMS 9
#define LEAD_NPARAMS_V1 7 /* in a version 1 config record */
#define LEAD_NSEG 6
#define LEAD_CHUNK_BITS 12
#define LEAD_CHUNK (1u << LEAD_CHUNK_BITS)
#define LEAD_DAY 86400
#define LEAD_NSTAGES 10

#define T_CONFIG "lead_config"
#define T_ATTRS "lead_attrs"
#define T_LEADS "lead_leads"
#define T_STAGES "lead_stages"
#define T_TRAIN "lead_train"
#define T_MODEL "lead_model"
#define T_CLOSED "lead_closed"  /* closed leads (lead_close.c), 1.1 */
#define T_CLOSEINFO "lead_closeinfo" /* their count, 1.1 */
#define T_GENS "lead_rescores" /* rescorings, for lazy records (lead_gen.c) */

/* An event kind: rule points and the learned weights of its two features. */
typedef struct lead_kind {
    char name[64];
    double points, cap_day, cap_total, hot_days;
    double w_cnt, w_val;
} lead_kind;

/* An interned attribute value (channel, region or product line): leads
 * refer to it by index + 1 so a lead record stays small. */
typedef struct lead_attr {
    uint32_t idx;
    uint8_t attr; /* B2B2C_LEAD_ATTR_* */
    double points, w;
    size_t klen;  /* key = attr byte + name */
    char key[];
} lead_attr;

/* Per lead, per kind it has seen: cap counters and decayed aggregates as of
 * the lead's t0. */
typedef struct lead_ks {
    uint16_t kind;
    uint16_t pad;
    int32_t day;      /* UTC day number of day_n */
    uint32_t day_n;   /* events that earned points on `day` */
    uint32_t total_n; /* events that earned points overall */
    double cnt, val;  /* decayed count and value sum at t0 */
} lead_ks;

/* One lead (lives in a chunk, never moves): 128 bytes, 64-byte aligned.
 * The first cache line holds the ID the index compares and what an event
 * reads first (its per-kind array pointer, so that load can start at
 * once), the second the rest. */
typedef struct lead_rec {
    /* line 1 */
    char sid[24];      /* short IDs live here: one cache miss less */
    lead_ks *ks;
    double eng;        /* engagement at t0, >= 0 */
    int64_t t0;        /* reference time of the aggregates (last event) */
    int64_t hot_until; /* hot hold ends (exclusive) */
    int64_t created;
    /* line 2 */
    int64_t stage_at;
    int64_t band_at;   /* when `band` was entered (event-time changes) */
    char *id;                    /* sid, or allocated for long IDs */
    struct lead_late *late;      /* late-event bookkeeping, NULL = none */
    uint32_t chan, region, prod; /* attr index + 1, 0 = none */
    uint32_t nhist;              /* stage changes recorded */
    uint32_t idx1;     /* own index + 1 (0 past 2^32 - 1 leads) */
    uint16_t idlen, nk, capk;
    uint8_t segment, stage;
    uint8_t band;      /* band at t0 */
    uint8_t band_prev; /* band left when `band` was entered */
    /* While a sync hands over keys (lead_sync.c): how many rescorings the
     * lead's record is ahead of the handle (its rescorings come in the
     * same sync; lead_gen.c). 0 otherwise. */
    uint16_t gsync;
} lead_rec;

_Static_assert(sizeof(lead_rec) == 128, "lead_rec is two cache lines");

/* One event kept for late arrivals: its time, value, kind and whether the
 * lead was with a dealer when it happened (it then earned no points). */
typedef struct lead_lev {
    int64_t at;
    double value;
    uint16_t kind;
    uint8_t dealer;
    uint8_t pad[5];
} lead_lev;

/* The most events a lead keeps for late arrivals (lead_late.c). */
#define LEAD_LATE_MAX 256

/*
 * Late-event bookkeeping of a lead (lead_late.c), kept while
 * B2B2C_LEAD_LATENESS_DAYS > 0: the lead's scoring state before its
 * oldest kept event (the checkpoint) and its events of the window, in time
 * order (arrival order among equal times), the last one being the lead's
 * last event. The lead's state is the checkpoint with the events applied
 * in order; a late event is put in its place and the events replayed.
 * One block: nk per-kind entries, then n events. Never changed in place
 * (a new block replaces it, the old one is freed on commit).
 */
typedef struct lead_late {
    double eng;
    int64_t t0, hot_until, band_at;
    uint8_t band, band_prev;
    uint16_t nk;
    uint32_t n;
    lead_ks ks[];
} lead_late;

static inline lead_lev *lead_late_ev(const lead_late *l)
{
    return (lead_lev *)(void *)((char *)(void *)l + sizeof(*l) +
                                l->nk * sizeof(lead_ks));
}

static inline size_t lead_late_size(uint32_t nk, uint32_t n)
{
    return sizeof(lead_late) + nk * sizeof(lead_ks) + n * sizeof(lead_lev);
}

/* A stored outcome: features of the lead at the outcome time. */
/* The stage changes of one lead kept for the funnel (lead_hist.c): n
 * packed changes, oldest first (LEAD_HIST_PACK). */
typedef struct lead_hist {
    uint32_t n, cap;
    uint64_t e[];
} lead_hist;

/* A stage change in 8 bytes: the time (offset from B2B2C_TIME_MIN, under
 * 2^39), the band when the stage was entered (B2B2C_BAND_*, 0 = not
 * stored) and the stage entered. */
#define LEAD_HIST_PACK(at, band, to)                                        \
    ((uint64_t)((at) - B2B2C_TIME_MIN) << 8 | (uint64_t)(band) << 4 |      \
     (uint64_t)(to))
#define LEAD_HIST_AT(e) ((int64_t)((e) >> 8) + B2B2C_TIME_MIN)
#define LEAD_HIST_BAND(e) ((int32_t)((e) >> 4 & 15u))
#define LEAD_HIST_TO(e) ((int32_t)((e) & 15u))

typedef struct lead_row {
    uint8_t label, segment;
    uint16_t nk;
    uint32_t chan, region, prod;
    struct {
        uint32_t kind;
        double cnt, val;
    } f[];
} lead_row;

/*
 * What the records handed over by one sync leave to check once all are in
 * (lead_sync.c): core hands them over table by table in an order of its
 * own, so a lead, a training row or the weights may come before the event
 * kinds and attributes they refer to. Saved for undo when a sync starts.
 */
typedef struct lead_defer {
    int on;                /* keys are being handed over */
    uint32_t nsteps;       /* rescorings handed over (m->gpend) */
    uint32_t gtop;         /* the most a lead handed over is ahead (gsync) */
    int holes;             /* an attribute or row past the end arrived */
    uint32_t kinds, attrs; /* the most kinds / attributes a record needs */
    const char *ktable, *atable; /* the record that needs the most */
    size_t kklen, aklen;
    char kkey[B2B2C__ID_MAX + 5], akey[B2B2C__ID_MAX + 5];
} lead_defer;

/* Leads a rescoring rewrites at most (lead_gen.c, the sweep), and the
 * removals behind its pass it keeps track of (past them, it goes back). */
#define LEAD_SWEEP_SLICE 4096
#define LEAD_SWEEP_MOVED 16

struct b2b2c_lead_model {
    b2b2c_ctx *ctx;
    double params[LEAD_NPARAMS];
    lead_kind kinds[B2B2C_LEAD_EV_MAX];
    uint32_t nkinds;
    double seg_points[LEAD_NSEG];
    double seg_w[LEAD_NSEG];
    double bias;
    b2b2c__rng rng;

    b2b2c__map attrmap;
    lead_attr **attrs;
    size_t nattrs, capattrs;

    b2b2c__map leads;
    lead_rec **chunks;
    size_t nchunks, capchunks, nleads;

    lead_row **rows;
    size_t nrows, caprows, nwon;

    b2b2c_lead_band_cb alert;
    void *alert_payload;

    /* Index + 1 of the lead of the last event (0 = none): a stream of
     * events for one lead skips the index lookup. Checked against
     * `nleads` and the ID before use, so it never needs invalidating
     * (neither by a removal nor by another context's changes). */
    size_t last;
    /* While a sync hands over other contexts' changes (lead_sync.c). */
    lead_defer defer;

    /* The funnel's copy of the stage histories (lead_hist.c): fh[i] holds
     * the changes of the lead at index i (NULL: none) when fh_ok is set.
     * A cache, not state: anything it cannot follow clears fh_ok, and the
     * next funnel reads the histories from storage again. */
    lead_hist **fh;
    size_t fh_cap;
    int fh_ok;

    /* lead_rescore.c: the rescore alert, and the band changes a rescoring
     * keeps for it until the call has committed. */
    b2b2c_lead_band_cb rescore_alert;
    void *rescore_payload;
    struct lead_resc *resc;
    size_t nresc, capresc;
    /* Closing (lead_close.c). close_at: where b2b2c_lead_close_due goes
     * on (an index into the leads, taken modulo nleads). nclosed: the
     * leads in T_CLOSED (T_CLOSEINFO; the open reads this one record, not
     * the table). ctmp: a closed lead read for a read call (its per-kind
     * array and ch, its stage changes, owned; ID in ctmp_id). */
    size_t close_at;
    uint64_t nclosed;
    lead_rec ctmp;
    struct lead_chg *ch;
    uint32_t nch, capch;
    char ctmp_id[B2B2C__ID_MAX + 1];
    /* Lazy rescoring (lead_gen.c): the rescorings so far (T_GENS), step
     * g at steps[g - 1]. ngen is the generation of the points and
     * thresholds now; every lead in memory is at it (a lead record
     * stored at an older one is brought to it when read). */
    struct lead_step **steps;
    uint32_t ngen;
    size_t capsteps;
    /* The sweep (lead_gen.c). gfloor: the stored floor, every lead record
     * is at it or later and the steps up to it are deleted; gbase: the
     * floor when the steps were loaded (steps[i] is generation
     * gbase + i + 1; NULL once a later floor deleted it). sw:
     * the handle's pass, rewriting the leads in memory order at the
     * current generation: the leads before index `at` have their record
     * at `from` or later (at >= nleads: all of them, the pass is done). */
    uint32_t gfloor, gbase;
    struct {
        uint32_t from;
        uint32_t nmoved;
        size_t at;
        /* indexes before `at` the last lead moved to (a removal): not
         * rewritten yet, the next slice starts with them */
        size_t moved[LEAD_SWEEP_MOVED];
    } sw;
    /* leads a rescoring rewrites (LEAD_SWEEP_SLICE; tests set less) */
    size_t sw_slice;
    /* the rescorings a sync hands over, applied once all keys are in
     * (defer.nsteps of them) */
    struct lead_step **gpend;
    size_t capgpend;
};

/* A stage change as a closed lead's record keeps it. */
typedef struct lead_chg {
    uint8_t from, to, band;
    int64_t at;
} lead_chg;

static inline lead_rec *lead_at(const b2b2c_lead_model *m, size_t i)
{
    return &m->chunks[i >> LEAD_CHUNK_BITS][i & (LEAD_CHUNK - 1)];
}

static inline double lead_param(const b2b2c_lead_model *m, int32_t p)
{
    return m->params[p - 100];
}

/* A u32 as 4 big-endian bytes: the T_ATTRS key, the end of a T_STAGES key. */
static inline void lead_key_u32(char *buf, uint32_t idx)
{
    buf[0] = (char)(idx >> 24);
    buf[1] = (char)(idx >> 16);
    buf[2] = (char)(idx >> 8);
    buf[3] = (char)idx;
}

/* Fit points of a lead (do not decay). */
double b2b2c__lead_fit(const b2b2c_lead_model *m, const lead_rec *r);
/* Decay factor from t0 to t (t >= t0). */
double b2b2c__lead_decay(const b2b2c_lead_model *m, int64_t t0, int64_t t);
/* Score and band at `now` (now < t0 is taken as t0). */
double b2b2c__lead_score_at(const b2b2c_lead_model *m, const lead_rec *r,
                            int64_t now, int32_t *band);
int32_t b2b2c__lead_band_of(const b2b2c_lead_model *m, double score,
                            int64_t now, int64_t hot_until);
/* The band at `now`, when it was entered and which band it left. */
void b2b2c__lead_band_entry(const b2b2c_lead_model *m, const lead_rec *r,
                            int64_t now, int32_t *band, int32_t *old,
                            int64_t *at);
lead_rec *b2b2c__lead_find(const b2b2c_lead_model *m, const char *id, int *rc);
/* The opening of a call on the model: NULL m is B2B2C_EINVAL (no context
 * for a message); else the error is cleared, then B2B2C_EINVAL
 * "<null_arg>: NULL" when null_arg is set (the caller names its NULL
 * out-parameter or callback), then *now is checked when now is set. */
/* lead_remove.c: b2b2c_lead_erase's body, for b2b2c_ctx_erase (a
 * b2b2c__engine_ops erase). */
int b2b2c__lead_erase_op(void *h, const char *id, size_t n);
int b2b2c__lead_begin(const b2b2c_lead_model *m, const char *null_arg,
                      const int64_t *now);
/* b2b2c__lead_begin, then the lead `id`: NULL with *rc set on error. */
lead_rec *b2b2c__lead_enter(const b2b2c_lead_model *m, const char *null_arg,
                            const int64_t *now, const char *id, int *rc);
/* The T_STAGES key of a lead's stage change `seq` (idlen + 5 bytes). */
void b2b2c__lead_hist_key(char *key, const lead_rec *r, uint32_t seq);
int b2b2c__lead_ready(const b2b2c_lead_model *m);

/* lead_learn.c: the batch refit's L-BFGS over an evaluator of J and its
 * gradient (the engine's rows, or a host's sums: lead_sum.c). eval
 * returns 0 with *f and g at w, or an error code that stops the fit and
 * is returned; it counts its passes in *passes and fills h (the
 * Hessian's diagonal, the preconditioner) at its first call. work:
 * (2 B2B2C__LEAD_REFIT_MEM + 4) n + 2 B2B2C__LEAD_REFIT_MEM doubles.
 * Returns 0 with the B2B2C_FIT_* status in *status, or eval's error. */
#define B2B2C__LEAD_REFIT_MEM 16
typedef int (*b2b2c__lead_eval_fn)(void *ud, const double *w, double *f,
                                   double *g);
int b2b2c__lead_lbfgs(int32_t *status, b2b2c__lead_eval_fn eval, void *ud,
                      const int *passes, size_t n, const double *h, double *w,
                      double *work, int max_passes);
/* log-odds of a lead at now; */
double b2b2c__lead_logit(const b2b2c_lead_model *m, const lead_rec *r,
                         int64_t now);
/* P(won) of a lead at now (model assumed ready). */
double b2b2c__lead_prob(const b2b2c_lead_model *m, const lead_rec *r,
                        int64_t now);
int b2b2c__lead_write_model(b2b2c_lead_model *m);
int b2b2c__lead_write_attr(b2b2c_lead_model *m, const lead_attr *a);

/* lead_config.c: the default parameters and event kinds of a new model;
 * find or create (undoably) the interned value of a channel, region or
 * product line, *out = index + 1 (0 for NULL or ""). */
void b2b2c__lead_set_defaults(b2b2c_lead_model *m);
int b2b2c__lead_intern(b2b2c_lead_model *m, int attr, const char *value,
                       uint32_t *out, lead_attr **made);
/* lead.c: room for one more lead, a new chunk when needed (undoable). */
int b2b2c__lead_slot(b2b2c_lead_model *m, lead_rec **out, int undoable);
/* lead_event.c: write a lead's record (T_LEADS), at generation m->ngen. */
int b2b2c__lead_write(b2b2c_lead_model *m, const lead_rec *r);
/* lead_event.c: save a lead's record and per-kind entries for undo. */
int b2b2c__lead_save(b2b2c_lead_model *m, lead_rec *r);
/* lead_event.c: apply one event to r (ks: its kind's entry in r->ks). */
void b2b2c__lead_apply(const b2b2c_lead_model *m, lead_rec *r, lead_ks *ks,
                       int32_t kind, int64_t now, double value, int dealer,
                       double fit, int32_t *before_out, int32_t *after_out);
/* lead_late.c: before an event in order at `now` is applied (r saved for
 * undo): keep it for late arrivals, fold the events that left the window
 * into the checkpoint; with B2B2C_LEAD_LATENESS_DAYS 0, drop the
 * bookkeeping. Undoable. 0, B2B2C_ENOMEM. */
int b2b2c__lead_late_keep(b2b2c_lead_model *m, lead_rec *r, int32_t kind,
                          int64_t now, double value, int dealer);
/* lead_late.c: a late event (now < r->t0): B2B2C_ERANGE outside the
 * window, else the lead replayed with it in its place (undoable); the
 * band at the lead's last event before and after. The caller writes r. */
int b2b2c__lead_late_event(b2b2c_lead_model *m, lead_rec *r, int32_t kind,
                           int64_t now, double value, int32_t *before,
                           int32_t *after);
/* lead_event.c: a new lead `id` (n bytes, not NUL-terminated) in the index
 * and the dense array, zeroed but for its ID and place (undoable). */
int b2b2c__lead_place(b2b2c_lead_model *m, const char *id, size_t n,
                      lead_rec **out);
/* lead_remove.c: take lead r out of memory (undoable); the last lead moves
 * into its place. */
int b2b2c__lead_unlink(b2b2c_lead_model *m, lead_rec *r);
/* lead_gen.c: the last lead moves to index `hole` (the sweep's pass). */
void b2b2c__lead_sweep_moved(b2b2c_lead_model *m, size_t hole);
/* Set m->sw_slice (tests/fuzz/fuzz_open.c, which cannot include this). */
void b2b2c__lead_sweep_slice(b2b2c_lead_model *m, size_t n);

/* lead.c: the record decoders, shared by the open and the refresh from
 * other contexts' commits (lead_sync.c). Each fails with B2B2C_ECORRUPT,
 * B2B2C_EVERSION or B2B2C_ENOMEM naming table and key. config and model
 * decode into the handle itself; attr and row allocate the object; lead
 * fills *l (its per-kind array allocated, ID and place not set) and *gen
 * (the rescoring generation it was stored at; 0 before version 3; gen
 * may be NULL). */
int b2b2c__lead_dec_config(b2b2c_lead_model *m, const void *k, size_t kl,
                           const void *v, size_t vl);
int b2b2c__lead_dec_model(b2b2c_lead_model *m, const void *k, size_t kl,
                          const void *v, size_t vl);
int b2b2c__lead_dec_attr(b2b2c_lead_model *m, const void *k, size_t kl,
                         const void *v, size_t vl, lead_attr **out);
int b2b2c__lead_dec_lead(b2b2c_lead_model *m, const void *k, size_t kl,
                         const void *v, size_t vl, lead_rec *l,
                         uint32_t *gen);
int b2b2c__lead_dec_row(b2b2c_lead_model *m, const void *k, size_t kl,
                        const void *v, size_t vl, lead_row **out,
                        uint32_t *idx);
/* lead.c: give r the decoded state d, keeping r's ID and place. */
void b2b2c__lead_assign(lead_rec *r, const lead_rec *d);
/* lead.c: attributes and rows 0..n-1 all present, else B2B2C_ECORRUPT. */
int b2b2c__lead_check_dense(b2b2c_lead_model *m);
/* lead.c: rebuild the handle from storage (b2b2c__engine_ops.reload). */
int b2b2c__lead_reload(void *h);
/* The open's scans (engine_ops.load; `m` is a b2b2c_lead_model). */
int b2b2c__lead_load(void *m);
/* lead_sync.c: how core keeps the handle current with other contexts. */
extern const b2b2c__engine_ops b2b2c__lead_ops;
/* The opening of a read: b2b2c__lead_begin, then the context brought up
 * to date with other contexts' commits. */
int b2b2c__lead_read_begin(const b2b2c_lead_model *m, const char *null_arg,
                           const int64_t *now);

/* lead_hist.c: the funnel's copy of the stage histories. */
/* Forget the copy (it is read from storage again when next needed). */
static inline void b2b2c__lead_hist_drop(b2b2c_lead_model *m)
{
    m->fh_ok = 0;
}
/* Another context wrote the T_STAGES key k (lead_sync.c): a change the
 * copy holds at or after it is read again. */
void b2b2c__lead_hist_changed(b2b2c_lead_model *m, const void *k, size_t kl);
/* Free the copy (model_clear). */
void b2b2c__lead_hist_free(b2b2c_lead_model *m);
/* In b2b2c_lead_set_stage, once the change is stored and before r->nhist
 * counts it: append it to the copy (a failed call forgets the copy).
 * Returns 0 or B2B2C_ENOMEM (undo log). */
int b2b2c__lead_hist_append(b2b2c_lead_model *m, const lead_rec *r,
                            uint64_t packed);
/* Make the copy current, reading storage when needed. Returns 0,
 * B2B2C_ECORRUPT, B2B2C_EVERSION, B2B2C_ENOMEM or a storage code. */
int b2b2c__lead_hist_ready(const b2b2c_lead_model *m);
/* Decode a T_STAGES record (version 1: no band, given as 0). Returns 0,
 * B2B2C_ECORRUPT or B2B2C_EVERSION. */
int b2b2c__lead_dec_stage(const void *v, size_t vl, int32_t *from,
                          int32_t *to, int64_t *at, int32_t *band);

/* lead_close.c. The lead id (n bytes) is not in memory: B2B2C_ESTATE when
 * it is closed, else B2B2C_ENOTFOUND, message set (or a storage code). */
int b2b2c__lead_missing(b2b2c_lead_model *m, const char *id, size_t n);
/* b2b2c__lead_enter for a lead b2b2c__lead_missing found closed: its record
 * read into m->ctmp (NULL with *rc set on error). */
lead_rec *b2b2c__lead_closed_get(b2b2c_lead_model *m, const char *id,
                                 int *rc);
/* A lead m->ctmp holds: its stage changes to cb, oldest first. */
int b2b2c__lead_closed_history(b2b2c_lead_model *m, b2b2c_lead_stage_cb cb,
                               void *payload);
/* Whether lead id (n bytes) is closed: 1, 0 or a negative code. */
int b2b2c__lead_is_closed(b2b2c_lead_model *m, const char *id, size_t n);
/* b2b2c_lead_remove of a closed lead (in the call's transaction). */
int b2b2c__lead_closed_remove(b2b2c_lead_model *m, const char *id,
                              size_t n);
/* The funnel's pass over the closed leads: fn(arg, lead, its changes)
 * for each one created in [from, to) and not after now (a scan of
 * T_CLOSED; fn's nonzero code stops it and is returned). */
int b2b2c__lead_closed_each(b2b2c_lead_model *m, int64_t from, int64_t to,
                            int64_t now,
                            int (*fn)(void *, const lead_rec *,
                                      const lead_hist *),
                            void *arg);
/* The open's and the refresh's reading of T_CLOSEINFO; the model freed. */
int b2b2c__lead_closeinfo_load(b2b2c_lead_model *m);
int b2b2c__lead_closeinfo_dec(b2b2c_lead_model *m, const void *k, size_t kl,
                              const void *v, size_t vl);
void b2b2c__lead_close_free(b2b2c_lead_model *m);

#endif
