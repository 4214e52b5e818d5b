/* SPDX-License-Identifier: MIT */
/* The stateful forecaster's types and the functions its files share (the
 * model SQLite's whereInt.h set for where.c). Not installed.
 *
 *   forecaster.c  public API: open/close, parameters, kinds, purchase log
 *   fc_store.c    record formats: keys, encoding, loading on open
 *   fc_summary.c  per-customer summaries (x, t_x, T, m) and their listing
 *   fc_fold.c     old purchases folded into a prefix summary (issue 20)
 *   fc_fold_call.c b2b2c_forecaster_fold, and what the consumers read of
 *                 a fold
 *   fc_fit.c      per-segment fits and what they store
 *   fc_answer.c   per-customer answers, due list, holdout check
 *   fc_list.c     b2b2c_forecaster_list_customers
 *   fc_sync.c     staying current with other contexts on one database
 */
#ifndef B2B2C_FC_STATE_H
#define B2B2C_FC_STATE_H

#include "forecast/fc_internal.h"
#include "forecast/fc_rows.h"
#include "listing.h"

#define FC_NFIT 7 /* 0: all, 1 + segment */
#define FC_NKIND 64
#define FC_DAY 86400

#define FC_T_PUR "forecast_purchase"
#define FC_T_CAN "forecast_cancel"
#define FC_T_FIT "forecast_fit"
#define FC_T_KIND "forecast_kind"
#define FC_T_CONF "forecast_config"
#define FC_T_FOLD "forecast_fold" /* fc_fold.c, fc_fold_call.c */

typedef struct fc_purchase {
    int64_t time;
    double amount;
    uint32_t kind, seq;
    int32_t segment;
} fc_purchase;

struct fc_folded;

typedef struct fc_cust {
    fc_purchase *p; /* the purchases kept: p[i].seq == base + i, base the
                       number folded (fc_base) */
    size_t n, cap;
    struct fc_folded *fold; /* NULL: nothing folded */
    int32_t segment;
    int32_t has_cancel;
    int64_t cancel;
    size_t idlen;
    char id[];
} fc_cust;

typedef struct fc_fit {
    int32_t valid, model, status, spend_src, gg_status; /* B2B2C_FIT_*,
                                                          B2B2C_SPEND_* */
    double unit_days;
    int64_t cal_end;
    double p[4], gg[3], ll, mean_spend;
    double attach[FC_NKIND], svalue[FC_NKIND];
    double sub_rate, sub_retention;
} fc_fit;

struct b2b2c_forecaster {
    b2b2c_ctx *ctx;
    b2b2c__map cust;
    /* customers another context changed in the sync under way, checked
     * and completed by its refresh_done (fc_sync.c); empty between syncs */
    fc_cust **dirty;
    size_t ndirty, capdirty;
    fc_fit fits[FC_NFIT];
    char kinds[FC_NKIND][64]; /* host kind names; "" when unused */
    double model, unit_days, l2, discount, margin, smargin, min_alive,
        min_intervals, max_iter, fold_days;
    size_t fold_at; /* b2b2c_forecaster_fold's cursor in cust (a slot) */
};

/* A customer's summary at a time, in model units. */
typedef struct fc_summ {
    double x, tx, T, m;
    int64_t first_day, last_day, last_time;
    size_t ndays;
    double total; /* product revenue before end */
} fc_summ;

/* Scratch for b2b2c__fc_summarise: purchase days and their totals. */
typedef struct fc_scratch {
    int64_t *days;
    double *tot;
} fc_scratch;

/* The name of a kind as memory holds it (no sync: for checks inside a
 * call, which is current already), or NULL when unknown. */
const char *b2b2c__fc_kind_name(const b2b2c_forecaster *f, int32_t kind);

static inline int fc_kind_known(const b2b2c_forecaster *f, int32_t kind)
{
    return b2b2c__fc_kind_name(f, kind) != NULL;
}

/* Index in f->fits of segment (-1: all), or -1 when unknown. */
static inline int fc_fit_index(int32_t segment)
{
    if (segment == -1)
        return 0;
    if (b2b2c_segment_name(segment))
        return 1 + segment;
    return -1;
}

/* ---- forecaster.c ------------------------------------------------------- */

/* Row callback for the parameters' record (forecast_config). */
int b2b2c__fc_load_params(const void *k, size_t kl, const void *val,
                          size_t vl, void *payload);
/* Another context wrote the parameters' record (val) or deleted it (val
 * NULL: the defaults): set them, undoably. */
int b2b2c__fc_refresh_params(b2b2c_forecaster *f, const void *k, size_t kl,
                             const void *val, size_t vl);
/* A handle's fields for an empty engine: no customer, fits or host kinds,
 * parameters at their defaults (the open and a reload start here). */
void b2b2c__fc_init(b2b2c_forecaster *f, b2b2c_ctx *ctx);
/* Free every customer of f and its map (not the handle). */
void b2b2c__fc_clear(b2b2c_forecaster *f);
fc_cust *b2b2c__fc_cust_new(b2b2c_ctx *ctx, const char *id, size_t n);
/* A new customer without purchases in f->cust, undoably (gone again if
 * the call fails). Returns 0 or B2B2C_ENOMEM (message set). */
int b2b2c__fc_cust_create(fc_cust **out, b2b2c_forecaster *f, const char *id,
                          size_t n);
/* Take c out of f->cust, undoably; freed when the call commits. */
int b2b2c__fc_cust_drop(b2b2c_forecaster *f, fc_cust *c);
void b2b2c__fc_cust_free(b2b2c_ctx *ctx, fc_cust *c);
/* A valid customer ID (B2B2C_EINVAL, B2B2C_EBADID), its length in *n. */
int b2b2c__fc_check_id(b2b2c_ctx *ctx, const char *id, size_t *n);
/* The start of a public call about one customer at a time t (argument
 * targ): B2B2C_EINVAL without f; else clears the last error and checks the
 * ID (its length in *n) and the time. */
int b2b2c__fc_cust_call(const b2b2c_forecaster *f, const char *id, size_t *n,
                        int64_t t, const char *targ);
/* The customer of a valid ID, or B2B2C_ENOTFOUND naming it. */
int b2b2c__fc_find_cust(const b2b2c_forecaster *f, const char *id,
                        fc_cust **out);

/* ---- fc_store.c --------------------------------------------------------- */

/* Load every record of f->ctx's storage into f (fresh, parameters at their
 * defaults). Returns 0 or an error naming the corrupt record. */
int b2b2c__fc_load(void *f); /* a b2b2c_forecaster */
/* forecaster.c: b2b2c_forecaster_erase's body, for b2b2c_ctx_erase (a
 * b2b2c__engine_ops erase). */
int b2b2c__fc_erase_op(void *h, const char *id, size_t n);
/* Error `rc` for the record table/key (of kl bytes). */
int b2b2c__fc_rec_err(b2b2c_ctx *ctx, int rc, const char *table,
                      const void *key, size_t kl);
int b2b2c__fc_put_purchase(b2b2c_ctx *ctx, const fc_cust *c,
                           const fc_purchase *p);
int b2b2c__fc_put_cancel(b2b2c_ctx *ctx, const fc_cust *c);
int b2b2c__fc_put_kind(b2b2c_ctx *ctx, const char *name, int slot);
int b2b2c__fc_put_fit(b2b2c_ctx *ctx, int idx, const fc_fit *ft);
/* Delete the records of c's purchases p[0..k) (the fold's). */
int b2b2c__fc_del_purchases(b2b2c_ctx *ctx, const fc_cust *c, size_t k);
/* Write c's fold (forecast_fold). */
int b2b2c__fc_put_fold(b2b2c_ctx *ctx, const fc_cust *c);
/* Delete every record of c (purchases, fold, cancellation). */
int b2b2c__fc_del_cust(b2b2c_ctx *ctx, const fc_cust *c);

/* The record decoders, one per record type, shared by the open's loader
 * and the refresh of one key (fc_sync.c). Each checks the key and the
 * value and returns 0 or the error naming table and key. */
/* forecast_purchase: the ID's length in *idl, the purchase (seq from the
 * key) in *p; val NULL checks the key only (a deleted purchase). */
int b2b2c__fc_dec_purchase(b2b2c_ctx *ctx, const void *k, size_t kl,
                           const void *val, size_t vl, size_t *idl,
                           fc_purchase *p);
/* forecast_cancel: the cancellation time. */
int b2b2c__fc_dec_cancel(b2b2c_ctx *ctx, const void *k, size_t kl,
                         const void *val, size_t vl, int64_t *t);
/* forecast_kind: the slot of the host kind named by the key. */
int b2b2c__fc_dec_kind(b2b2c_ctx *ctx, const void *k, size_t kl,
                       const void *val, size_t vl, uint32_t *slot);
/* forecast_fit: the index in f->fits of the key in *idx and, with val,
 * the fit (valid set); val NULL checks the key only. */
int b2b2c__fc_dec_fit(b2b2c_ctx *ctx, const void *k, size_t kl,
                      const void *val, size_t vl, int *idx, fc_fit *ft);

/* ---- fc_sync.c ---------------------------------------------------------- */

/* The forecaster's b2b2c__engine_ops (refresh, refresh_done, reload). */
extern const b2b2c__engine_ops b2b2c__fc_engine_ops;

/* ---- fc_fit.c ----------------------------------------------------------- */

/* fc_fit_index, or B2B2C_EINVAL naming segment. */
int b2b2c__fc_fit_slot(b2b2c_ctx *ctx, int32_t segment);

/* ---- fc_summary.c ------------------------------------------------------- */

/* qsort order of int64_t values, ascending. */
int b2b2c__fc_cmp_i64(const void *a, const void *b);
/* Product purchase days (b2b2c__day: in the context's UTC offset) of c in
 * [from, end) (`end` too when incl), into days with their totals in tot
 * (optional); returns their number. */
size_t b2b2c__fc_product_days(const b2b2c_ctx *ctx, const fc_cust *c,
                              int64_t from, int64_t end, int incl,
                              int64_t *days, double *tot);
/* Summary at end (purchases at end itself count when incl); 0 when the
 * customer has no product purchase before then. */
int b2b2c__fc_summarise(const b2b2c_ctx *ctx, const fc_cust *c, int64_t end,
                        int incl, double unit_days, fc_scratch *sc,
                        fc_summ *s);
/* YYYY-MM-DD of t in ctx's UTC offset, into buf (>= 64 bytes). */
void b2b2c__fc_fmt_date(const b2b2c_ctx *ctx, char *buf, size_t n,
                        int64_t t);
/* B2B2C_ERANGE when c holds a purchase outside the time range. */
int b2b2c__fc_check_times(b2b2c_ctx *ctx, const fc_cust *c);
/* B2B2C_ERANGE unless start < end. */
int b2b2c__fc_check_range(b2b2c_ctx *ctx, int64_t start, int64_t end);
/* B2B2C_ERANGE for the INT64_MIN start of a *_window call (f may be NULL,
 * the caller then returns B2B2C_EINVAL). */
int b2b2c__fc_check_start(const b2b2c_forecaster *f, int64_t start);
/* The longest purchase log's length (at least 1): scratch for any. */
size_t b2b2c__fc_max_purchases(const b2b2c_forecaster *f);
/* Scratch of ndays days and ntot totals: 0, or B2B2C_ENOMEM without a
 * message (the caller names what failed); free it either way. */
int b2b2c__fc_scratch_new(fc_scratch *sc, b2b2c_ctx *ctx, size_t ndays,
                          size_t ntot);
void b2b2c__fc_scratch_free(b2b2c_ctx *ctx, fc_scratch *sc);
/* The start of a listing call (summaries, due): B2B2C_EINVAL without f
 * or the callback (has_cb 0); else clears the last error and brings the
 * context up to date (b2b2c__sync_read): 0 or its error. */
int b2b2c__fc_list_start(const b2b2c_forecaster *f, int has_cb);
/* Room for a listing: items of `size` bytes, one per customer (and one
 * more), returned, and scratch for any customer in *sc; NULL (nothing
 * allocated) after B2B2C_ENOMEM. */
void *b2b2c__fc_list_new(fc_scratch *sc, const b2b2c_forecaster *f,
                         size_t size);
/* Calls the host's callback cb (the listing's type, cast back) for one
 * item. */
typedef int (*b2b2c__fc_row_fn)(const void *item, b2b2c__list_fn cb,
                                void *payload);
/* The end of a listing: sorts the n items of `size` bytes with cmp, calls
 * row for each between b2b2c__cb_enter and b2b2c__cb_leave until one
 * returns non-zero, which is returned; frees the items and *sc
 * (b2b2c__fc_list_new's). */
int b2b2c__fc_list_emit(const b2b2c_forecaster *f, fc_scratch *sc,
                        void *items, size_t n, size_t size,
                        int (*cmp)(const void *, const void *),
                        b2b2c__fc_row_fn row, b2b2c__list_fn cb,
                        void *payload);
/* The next customer of segment (-1: all) with a product purchase before
 * end, summarised (see b2b2c__fc_summarise): 1 when found, 0 after the
 * last one, or the error of a customer whose history starts before start
 * or holds a time out of range. *it starts at 0. */
int b2b2c__fc_next_summary(const b2b2c_forecaster *f, size_t *it,
                           int32_t segment, int64_t start, int64_t end,
                           double unit_days, fc_scratch *sc,
                           const fc_cust **c, fc_summ *s);

/* ---- fc_fold.c ---------------------------------------------------------- */

/* A customer's purchases before a local midnight folded into one prefix
 * summary (issue 20; docs/forecaster.md, "Folding old purchases"). */
typedef struct fc_fold {
    int64_t before;     /* local midnight: purchases at t < before folded;
                           INT64_MIN: nothing folded */
    int64_t first_time; /* earliest folded purchase, any kind (the window
                           check); INT64_MAX when none */
    int64_t first_day, last_day; /* of the folded product days */
    size_t ndays;                /* distinct folded product days */
    double total, rep; /* their totals summed in day order from 0: all
                          days, and the repeat days (all but the first) */
    /* every kind: for the customer listing */
    uint64_t count;    /* purchases folded */
    int64_t last_time; /* the latest of them (count > 0) */
    /* subscriptions: the cancellation check and the fit's revenue */
    uint64_t nsub;
    int64_t sub_first, sub_last; /* (nsub > 0) */
    double sub_rev;              /* their amounts summed in log order */
    int32_t utc_offset; /* the context's offset that cut the days */
} fc_fold;

/* A service kind's folded purchases: key the kind, their count and
 * amounts summed in log order. */
typedef struct fc_pair {
    int64_t key;
    uint64_t count;
    double sum;
} fc_pair;

/* A gap between two consecutive folded product days, in days, and how
 * many times it occurs. */
typedef struct fc_gap {
    uint32_t days, count;
} fc_gap;

/* A customer's fold as memory holds it and forecast_fold stores it: the
 * prefix summary, the segment of the latest folded purchase (the
 * customer's segment when none is kept), and nsvc service pairs (kinds
 * ascending; not product, not subscription: the fit's attach rates)
 * followed by ngap gaps (fc_gaps; ascending: the due list's median gap).
 * Allocated with them (b2b2c__fc_folded_size); replaced, never changed in
 * place. */
typedef struct fc_folded {
    fc_fold fo;
    int32_t segment;
    uint32_t nsvc, ngap;
    fc_pair pair[];
} fc_folded;

/* The gaps of fd, after its service pairs. */
static inline fc_gap *fc_gaps(const fc_folded *fd)
{
    return (fc_gap *)(void *)((char *)(void *)(fd->pair + fd->nsvc));
}

/* The number of c's purchases folded (the first kept sequence number). */
static inline size_t fc_base(const fc_cust *c)
{
    return c->fold ? (size_t)c->fold->fo.count : 0;
}

/* An empty fold (nothing folded) for ctx. */
void b2b2c__fc_fold_init(fc_fold *fo, const b2b2c_ctx *ctx);
/* 1 when fo's days are ctx's days (same UTC offset, or nothing folded). */
int b2b2c__fc_fold_usable(const fc_fold *fo, const b2b2c_ctx *ctx);
/* Fold c's purchases from fo->before up to the local midnight at or before
 * `before` into fo (c holds the purchases not folded yet; `sc` scratch of
 * c->n). Returns 0 (nothing to do when fo reaches that far already),
 * B2B2C_ERANGE (before out of the time range) or B2B2C_ESTATE (fo was cut
 * in another UTC offset); no message set, fo unchanged on failure. */
int b2b2c__fc_fold_extend(fc_fold *fo, const b2b2c_ctx *ctx,
                          const fc_cust *c, int64_t before, fc_scratch *sc);
/* Where c's purchase log can be folded at `before` keeping the sequence
 * dense: returns k, the largest number of leading purchases p[0..k) that
 * all lie before a local midnight at or before `before` that no later
 * purchase p[k..n) precedes, and that midnight in *cut (when k is 0, the
 * midnight at or before both `before` and the earliest purchase): folding
 * c at *cut (b2b2c__fc_fold_extend) folds exactly p[0..k). A log recorded in time order folds at the
 * midnight of `before`; one recorded out of order at an earlier midnight.
 * sufmin: scratch of c->n values. O(c->n). */
size_t b2b2c__fc_fold_point(const b2b2c_ctx *ctx, const fc_cust *c,
                            int64_t before, int64_t *sufmin, int64_t *cut);
/* The forecast_fold record (version 1) of fd: w begun and filled (the
 * caller finishes it with b2b2c__st_put_rec or b2b2c__enc_fini). */
void b2b2c__fc_fold_enc(b2b2c__wbuf *w, b2b2c_ctx *ctx, const fc_folded *fd);
/* forecast_fold: key (a customer ID) and value checked, the fold into a
 * new *out (the context's allocator; untouched on failure).
 * B2B2C_ECORRUPT unless every field is in range and consistent (one
 * folded purchase at least, the point a midnight of its offset, days and
 * times before it, sums finite and not negative, the pairs in order and
 * adding up: service counts to at most the non-product purchases, gap
 * counts to the product days - 1), B2B2C_EVERSION for a newer version,
 * B2B2C_ENOMEM; message names table and key. */
int b2b2c__fc_dec_fold(b2b2c_ctx *ctx, const void *k, size_t kl,
                       const void *val, size_t vl, fc_folded **out);
/* b2b2c__fc_summarise of the log fo plus c's purchases at or after
 * fo->before (earlier ones in c are ignored); bit-identical to it on the
 * whole log. The caller checks end >= fo->before and
 * b2b2c__fc_fold_usable. */
int b2b2c__fc_summarise_fold(const b2b2c_ctx *ctx, const fc_fold *fo,
                             const fc_cust *c, int64_t end, int incl,
                             double unit_days, fc_scratch *sc, fc_summ *s);

/* ---- fc_fold_call.c -------------------------------------------------------- */

/* B2B2C_ESTATE naming c, `arg` and the fold date when c's fold cannot
 * answer about `end` (end before the fold point, or the fold cut in
 * another UTC offset); else 0. */
int b2b2c__fc_fold_check(b2b2c_ctx *ctx, const fc_cust *c, int64_t end,
                         const char *arg);
/* b2b2c__fc_summarise of c, fold and kept purchases (the caller checked
 * b2b2c__fc_fold_check). */
int b2b2c__fc_summ(const b2b2c_ctx *ctx, const fc_cust *c, int64_t end,
                   int incl, double unit_days, fc_scratch *sc, fc_summ *s);
/* The earliest purchase of c, fold included (INT64_MAX without any). */
int64_t b2b2c__fc_first_time(const fc_cust *c);
/* The median gap in days between c's consecutive product days of s (the
 * summary b2b2c__fc_summ just left in sc: sc->days holds the kept days),
 * folded gaps included; s->ndays >= 2. Overwrites sc->days. */
int64_t b2b2c__fc_median_gap(const fc_cust *c, const fc_summ *s,
                             fc_scratch *sc);
/* Replace c's fold by fd (NULL: none), undoably; the old one is freed
 * when the call commits, fd if it fails. */
int b2b2c__fc_set_fold(b2b2c_ctx *ctx, fc_cust *c, fc_folded *fd);
/* Take c's first k purchases (at most c->n) off its log in place,
 * undoably (the array is not reallocated). */
int b2b2c__fc_drop_front(b2b2c_ctx *ctx, fc_cust *c, size_t k);
/* The bytes of a fc_folded with nsvc service pairs and ngap gaps. */
size_t b2b2c__fc_folded_size(uint32_t nsvc, uint32_t ngap);

#endif
