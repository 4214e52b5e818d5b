/* SPDX-License-Identifier: MIT */
/* Dealer network programs: vocabulary, parameters, dealers and points of
 * sale, and the sell-in/sell-out lines folded into per-day aggregates
 * (written through to storage; every change undone with a failed call or
 * group). */
#include <math.h>
#include <stdio.h>

#include "prog_int.h"

static const char *const kind_names[] = {
    "sell_in",   "sell_out",      "stock",         "return_in",
    "return_out", "correction_in", "correction_out",
};
B2B2C__NAME_FUNCS(b2b2c_programs_kind, kind_names)

/* ---- records ------------------------------------------------------------------ */

static int params_write(b2b2c_ctx *ctx, const double *p)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 2);
    b2b2c__enc_u32(&w, PG_NPARAMS);
    for (size_t i = 0; i < PG_NPARAMS; i++)
        b2b2c__enc_f64(&w, p[i]);
    return b2b2c__st_put_rec(ctx, PG_T_PARAMS, "params", 6, &w);
}

static int dealer_write(b2b2c_ctx *ctx, const pg_dealer *d)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_u32(&w, (uint32_t)d->tier);
    b2b2c__enc_bytes(&w, d->region, d->regionlen);
    return b2b2c__st_put_rec(ctx, PG_T_DEALERS, d->id, d->idlen, &w);
}

static int point_write(b2b2c_ctx *ctx, const pg_point *p)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_bytes(&w, p->did, p->dlen);
    return b2b2c__st_put_rec(ctx, PG_T_POINTS, p->id, p->idlen, &w);
}

/* Day key: the point ID, a NUL, the product line, a NUL, the day as 8
 * big-endian bytes with the sign flipped (keys of a series sort by day). */
static int day_write(b2b2c_ctx *ctx, const pg_series *s, const pg_day *d)
{
    uint8_t key[2 * B2B2C__ID_MAX + 10];
    uint64_t u = (uint64_t)d->day ^ UINT64_C(0x8000000000000000);
    size_t kl = s->keylen + 1;
    b2b2c__wbuf w;

    memcpy(key, s->key, kl); /* the series key with its NUL */
    for (int i = 0; i < 8; i++)
        key[kl + (size_t)i] = (uint8_t)(u >> (56 - 8 * i));
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_u8(&w, (uint8_t)(d->has_stock ? 1 : 0));
    for (int i = 0; i < PG_NVAL; i++)
        b2b2c__enc_i64(&w, d->v[i]);
    return b2b2c__st_put_rec(ctx, PG_T_DAYS, key, kl + 8, &w);
}

/* ---- parameters ------------------------------------------------------------ */

int b2b2c_programs_get_param(double *out, const b2b2c_programs *h,
                             int32_t param)
{
    int rc;
    if (!out || !h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if (param < PG_PARAM_BASE || param >= PG_PARAM_BASE + PG_NPARAMS ||
        !b2b2c__param_find(param))
        return b2b2c__err(h->ctx, B2B2C_EINVAL,
                          "param: %d is not a programs parameter",
                          (int)param);
    if ((rc = b2b2c__sync_read(h->ctx)) != 0)
        return rc;
    *out = h->p[param - PG_PARAM_BASE];
    return 0;
}

static int set_param_body(b2b2c_programs *h, int32_t param, double value)
{
    int rc = b2b2c__undo_save(h->ctx, h->p, sizeof(h->p));
    if (rc)
        return rc;
    h->p[param - PG_PARAM_BASE] = value;
    return params_write(h->ctx, h->p);
}

int b2b2c_programs_set_param(b2b2c_programs *h, int32_t param, double value)
{
    int rc;
    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if ((rc = b2b2c__param_check(h->ctx, PG_PARAM_BASE, param, value)) != 0)
        return rc;
    B2B2C__CALL(rc, h->ctx, h, set_param_body(h, param, value));
    return rc;
}

/* ---- dealers and points ------------------------------------------------------- */

static int id_arg(b2b2c_ctx *ctx, const char *s, size_t *len,
                  const char *arg)
{
    int rc = b2b2c__id_check(s, len);
    if (rc)
        return b2b2c__err(ctx, rc == B2B2C_EINVAL ? B2B2C_EBADID : rc,
                          "%s: %s", arg,
                          s ? "not a valid ID (1..255 bytes of UTF-8)"
                            : "NULL");
    return 0;
}

static int not_found(b2b2c_ctx *ctx, const char *what, const char *arg,
                     const char *id, size_t len)
{
    char esc[4 * B2B2C__KEY_SHOWN + 8];
    b2b2c__key_escape(esc, sizeof(esc), id, len);
    return b2b2c__err(ctx, B2B2C_ENOTFOUND, "%s: no %s '%s'", arg, what, esc);
}

static int set_dealer_body(b2b2c_programs *h, const char *id, size_t len,
                           int32_t tier, const char *region, size_t rlen)
{
    b2b2c_ctx *ctx = h->ctx;
    pg_dealer *d = b2b2c__map_get(&h->dealers, id, len);
    int rc;

    if (!d) {
        d = b2b2c__malloc(ctx, sizeof(*d) + len + 1);
        if (!d)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        memset(d, 0, sizeof(*d));
        d->idlen = len;
        memcpy(d->id, id, len);
        d->id[len] = '\0';
        if ((rc = b2b2c__undo_free_on_fail(ctx, d)) != 0) {
            b2b2c__free(ctx, d);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &h->dealers, d->id, len,
                                             d)) != 0)
            return rc;
    } else if ((rc = b2b2c__undo_save(ctx, &d->tier,
                                      offsetof(pg_dealer, idlen) -
                                          offsetof(pg_dealer, tier))) != 0) {
        return rc;
    }
    d->tier = tier;
    d->regionlen = (uint32_t)rlen;
    memcpy(d->region, region, rlen);
    d->region[rlen] = '\0';
    return dealer_write(ctx, d);
}

int b2b2c_programs_set_dealer(b2b2c_programs *h, const char *dealer_id,
                              int32_t tier, const char *region)
{
    size_t len, rlen;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if ((rc = id_arg(h->ctx, dealer_id, &len, "dealer_id")) != 0)
        return rc;
    if (tier < 0 || tier > PG_TIER_MAX)
        return b2b2c__err(h->ctx, B2B2C_ERANGE, "tier: %d is outside [0, %d]",
                          (int)tier, PG_TIER_MAX);
    if (!region)
        region = "";
    rlen = strlen(region);
    if (rlen > B2B2C__ID_MAX || b2b2c__utf8_valid(region, rlen) != 0)
        return b2b2c__err(h->ctx, B2B2C_EBADID,
                          "region: not 0..255 bytes of UTF-8");
    B2B2C__CALL(rc, h->ctx, h,
                set_dealer_body(h, dealer_id, len, tier, region, rlen));
    return rc;
}

static int add_point_body(b2b2c_programs *h, const char *id, size_t len,
                          const char *did, size_t dlen)
{
    b2b2c_ctx *ctx = h->ctx;
    pg_dealer *d = b2b2c__map_get(&h->dealers, did, dlen);
    pg_point *p;
    int rc;

    if (!d)
        return not_found(ctx, "dealer", "dealer_id", did, dlen);
    p = b2b2c__map_get(&h->points, id, len);
    if (p) {
        char esc[4 * B2B2C__KEY_SHOWN + 8], desc[4 * B2B2C__KEY_SHOWN + 8];
        if (p->dealer == d)
            return 0;
        b2b2c__key_escape(esc, sizeof(esc), id, len);
        b2b2c__key_escape(desc, sizeof(desc), p->did, p->dlen);
        return b2b2c__err(ctx, B2B2C_EEXISTS,
                          "point_id: '%s' belongs to dealer '%s'", esc, desc);
    }
    p = b2b2c__malloc(ctx, sizeof(*p) + len + 1);
    if (!p)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(p, 0, sizeof(*p));
    p->dealer = d;
    p->dlen = dlen;
    memcpy(p->did, did, dlen);
    p->idlen = len;
    memcpy(p->id, id, len);
    p->id[len] = '\0';
    if ((rc = b2b2c__undo_free_on_fail(ctx, p)) != 0) {
        b2b2c__free(ctx, p);
        return rc;
    }
    if ((rc = b2b2c__map_insert_undoable(ctx, &h->points, p->id, len, p)))
        return rc;
    return point_write(ctx, p);
}

int b2b2c_programs_add_point(b2b2c_programs *h, const char *point_id,
                             const char *dealer_id)
{
    size_t len, dlen;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if ((rc = id_arg(h->ctx, point_id, &len, "point_id")) != 0 ||
        (rc = id_arg(h->ctx, dealer_id, &dlen, "dealer_id")) != 0)
        return rc;
    B2B2C__CALL(rc, h->ctx, h,
                add_point_body(h, point_id, len, dealer_id, dlen));
    return rc;
}

/* ---- series and days ----------------------------------------------------------- */

void b2b2c__pg_series_destroy(b2b2c_ctx *ctx, pg_series *s)
{
    b2b2c__free(ctx, s->dv);
    b2b2c__free(ctx, s);
}

/* A series created by a failed call or group goes with the days later
 * calls of the group gave it (their own entries, undone first, only shrink
 * the array back to empty). */
void b2b2c__pg_undo_series_new(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    b2b2c__pg_series_destroy(ctx, a);
}

/* Days are undone by index, never by saved pointers: a later change in the
 * same group may move the array; undo runs newest first, so the index is
 * valid again when the entry runs. */
static void undo_day_ins(b2b2c_ctx *ctx, void *a, void *b, size_t i)
{
    pg_series *s = a;
    (void)ctx;
    (void)b;
    memmove(s->dv + i, s->dv + i + 1, (s->n - i - 1) * sizeof(pg_day));
    s->n--;
}

static void undo_day_set(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    pg_series *s = a;
    memcpy(&s->dv[(uintptr_t)b], b2b2c__undo_arena_pop(ctx, n), n);
}

/* Where `day` is or would go in a series (the lower bound). A series
 * whose days have no gap up to `day` has it at day - first day: one probe
 * instead of a binary search's cache misses when lines come in random
 * order (a point that sells every day); otherwise the binary search. */
static inline size_t pg_day_find(const pg_series *s, int64_t day)
{
    size_t lo;
    if (s->n && day >= s->dv[0].day) {
        uint64_t k = (uint64_t)(day - s->dv[0].day);
        if (k < s->n && s->dv[k].day == day)
            return (size_t)k;
    }
    B2B2C__LOWER_BOUND(lo, s->dv, s->n, day, day);
    return lo;
}

/* Index of `day` in s, inserted (zero) when absent; the day's old value is
 * saved for the undo log once per call (stamp). *fresh: it was saved or
 * inserted now, so the caller writes it at the end. */
static int day_slot(b2b2c_programs *h, pg_series *s, int64_t day,
                    size_t *out, int *fresh)
{
    b2b2c_ctx *ctx = h->ctx;
    size_t lo;
    int rc;

    if (s->n && s->dv[s->n - 1].day == day)
        lo = s->n - 1;
    else if (!s->n || s->dv[s->n - 1].day < day)
        lo = s->n;
    else
        lo = pg_day_find(s, day);
    if (lo < s->n && s->dv[lo].day == day) {
        pg_day *saved;
        if (s->dv[lo].stamp == h->gen) {
            *fresh = 0;
            *out = lo;
            return 0;
        }
        saved = b2b2c__undo_arena(ctx, undo_day_set, s, (void *)(uintptr_t)lo,
                                  sizeof(pg_day));
        if (!saved)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        memcpy(saved, &s->dv[lo], sizeof(pg_day));
        s->dv[lo].stamp = h->gen;
        *fresh = 1;
        *out = lo;
        return 0;
    }
    if (b2b2c__grow(&ctx->mem, (void **)&s->dv, &s->cap, s->n + 1,
                    sizeof(pg_day)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_push(ctx, undo_day_ins, NULL, s, NULL, lo)) != 0)
        return rc;
    memmove(s->dv + lo + 1, s->dv + lo, (s->n - lo) * sizeof(pg_day));
    memset(&s->dv[lo], 0, sizeof(pg_day));
    s->dv[lo].day = day;
    s->dv[lo].stamp = h->gen;
    s->n++;
    *fresh = 1;
    *out = lo;
    return 0;
}

int b2b2c__pg_day_put(b2b2c_programs *h, pg_series *s, const pg_day *d)
{
    size_t i;
    int fresh, rc;

    h->gen++; /* saved once per put: a refresh may put one day twice */
    if ((rc = day_slot(h, s, d->day, &i, &fresh)) != 0)
        return rc;
    memcpy(s->dv[i].v, d->v, sizeof(d->v));
    s->dv[i].has_stock = d->has_stock;
    return 0;
}

/* The series of (point, line), created when absent (the point must be
 * registered). `key` holds point NUL line NUL, klen without the last NUL. */
static int series_get(b2b2c_programs *h, const char *key, size_t plen,
                      size_t klen, pg_series **out)
{
    b2b2c_ctx *ctx = h->ctx;
    pg_series *s = b2b2c__map_get(&h->series, key, klen);
    pg_point *p;
    int rc;

    if (s) {
        *out = s;
        return 0;
    }
    p = b2b2c__map_get(&h->points, key, plen);
    if (!p)
        return not_found(ctx, "point of sale", "point_id", key, plen);
    s = b2b2c__malloc(ctx, sizeof(*s) + klen + 1);
    if (!s)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(s, 0, sizeof(*s));
    s->point = p;
    s->plen = plen;
    s->keylen = klen;
    memcpy(s->key, key, klen + 1);
    if ((rc = b2b2c__undo_push(ctx, b2b2c__pg_undo_series_new, NULL, s, NULL,
                               0)) != 0) {
        b2b2c__free(ctx, s);
        return rc;
    }
    if ((rc = b2b2c__map_insert_undoable(ctx, &h->series, s->key, klen, s)))
        return rc;
    *out = s;
    return 0;
}

/* ---- lines -------------------------------------------------------------------------- */

/* The name of argument `arg` of line i ("units[17]"), or of the single
 * call's (i == SIZE_MAX). */
static const char *argname(char *buf, size_t cap, const char *arg, size_t i)
{
    if (i == SIZE_MAX)
        return arg;
    snprintf(buf, cap, "%s[%zu]", arg, i);
    return buf;
}

/* Every check that needs no state. */
static int check_line(b2b2c_ctx *ctx, size_t i, int32_t kind,
                      const char *point, const char *line, int64_t t,
                      int64_t units, int64_t amount)
{
    char buf[48];
    size_t len;
    int signed_ok;

    if (kind < 0 || kind > B2B2C_PROGRAMS_KIND_CORRECTION_OUT)
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: %d is not a line kind",
                          argname(buf, sizeof(buf), "kind", i), (int)kind);
    if (b2b2c__id_check(point, &len))
        return b2b2c__err(ctx, B2B2C_EBADID, "%s: %s",
                          argname(buf, sizeof(buf), "point_id", i),
                          point ? "not a valid ID (1..255 bytes of UTF-8)"
                                : "NULL");
    if (b2b2c__id_check(line, &len))
        return b2b2c__err(ctx, B2B2C_EBADID, "%s: %s",
                          argname(buf, sizeof(buf), "product_line", i),
                          line ? "not a valid ID (1..255 bytes of UTF-8)"
                               : "NULL");
    if (!b2b2c__time_ok(t))
        return b2b2c__time_err(ctx, t, argname(buf, sizeof(buf), "t", i));
    signed_ok = kind == B2B2C_PROGRAMS_KIND_CORRECTION_IN ||
                kind == B2B2C_PROGRAMS_KIND_CORRECTION_OUT;
    if (!signed_ok && (units < 0 || amount < 0))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "%s: %lld is negative for kind %s (a return or a "
                          "correction is its own kind)",
                          argname(buf, sizeof(buf),
                                  units < 0 ? "units" : "amount", i),
                          (long long)(units < 0 ? units : amount),
                          kind_names[kind]);
    if (units < -B2B2C_PROGRAMS_LINE_MAX || units > B2B2C_PROGRAMS_LINE_MAX ||
        amount < -B2B2C_PROGRAMS_LINE_MAX || amount > B2B2C_PROGRAMS_LINE_MAX)
        return b2b2c__err(
            ctx, B2B2C_ERANGE, "%s: %lld is beyond +-1e15",
            argname(buf, sizeof(buf),
                    units < -B2B2C_PROGRAMS_LINE_MAX ||
                            units > B2B2C_PROGRAMS_LINE_MAX
                        ? "units"
                        : "amount",
                    i),
            (long long)(units < -B2B2C_PROGRAMS_LINE_MAX ||
                                units > B2B2C_PROGRAMS_LINE_MAX
                            ? units
                            : amount));
    return 0;
}

/* Add u, m to the day's values a, b (bounded by PG_AGG_MAX). */
static int add2(b2b2c_ctx *ctx, pg_day *d, int ia, int64_t u, int64_t m,
                size_t i)
{
    int64_t a = d->v[ia] + u, b = d->v[ia + 1] + m; /* |each| <= 2^62+1e15 */
    char buf[48];
    if (a < -PG_AGG_MAX || a > PG_AGG_MAX || b < -PG_AGG_MAX ||
        b > PG_AGG_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "%s: the day's total would pass 2^62",
                          argname(buf, sizeof(buf), "units", i));
    d->v[ia] = a;
    d->v[ia + 1] = b;
    return 0;
}

static int fold(b2b2c_ctx *ctx, pg_day *d, int32_t kind, int64_t u,
                int64_t m, size_t i)
{
    switch (kind) {
    case B2B2C_PROGRAMS_KIND_SELL_IN:
    case B2B2C_PROGRAMS_KIND_CORRECTION_IN:
        return add2(ctx, d, PG_IN_U, u, m, i);
    case B2B2C_PROGRAMS_KIND_RETURN_IN:
        return add2(ctx, d, PG_IN_U, -u, -m, i);
    case B2B2C_PROGRAMS_KIND_SELL_OUT:
    case B2B2C_PROGRAMS_KIND_CORRECTION_OUT:
        return add2(ctx, d, PG_OUT_U, u, m, i);
    case B2B2C_PROGRAMS_KIND_RETURN_OUT:
        return add2(ctx, d, PG_OUT_U, -u, -m, i);
    default: /* STOCK */
        d->v[PG_STOCK_U] = u;
        d->v[PG_STOCK_M] = m;
        d->has_stock = 1;
        return 0;
    }
}

/* The series key of a line: point NUL line NUL into buf; klen without the
 * last NUL. */
static size_t line_key(char *buf, const char *point, size_t *plen,
                       const char *line)
{
    size_t pl = strlen(point), ll = strlen(line);
    memcpy(buf, point, pl);
    buf[pl] = '\0';
    memcpy(buf + pl + 1, line, ll);
    buf[pl + 1 + ll] = '\0';
    *plen = pl;
    return pl + 1 + ll;
}

static int record_body(b2b2c_programs *h, int32_t kind, const char *point,
                       const char *line, int64_t t, int64_t u, int64_t m)
{
    char key[2 * B2B2C__ID_MAX + 2];
    size_t plen, klen = line_key(key, point, &plen, line), i;
    pg_series *s;
    int fresh, rc;

    h->gen++;
    if ((rc = series_get(h, key, plen, klen, &s)) != 0 ||
        (rc = day_slot(h, s, b2b2c__day(h->ctx, t), &i, &fresh)) != 0 ||
        (rc = fold(h->ctx, &s->dv[i], kind, u, m, SIZE_MAX)) != 0)
        return rc;
    return day_write(h->ctx, s, &s->dv[i]);
}

int b2b2c_programs_record(b2b2c_programs *h, int32_t kind,
                          const char *point_id, const char *product_line,
                          int64_t t, int64_t units, int64_t amount)
{
    int rc;
    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if ((rc = check_line(h->ctx, SIZE_MAX, kind, point_id, product_line, t,
                         units, amount)) != 0)
        return rc;
    B2B2C__CALL(rc, h->ctx, h,
                record_body(h, kind, point_id, product_line, t, units,
                            amount));
    return rc;
}

/* A day a batch touched, written at its end; `at` where it was (a later
 * insert into the series may have moved it). */
typedef struct touched {
    pg_series *s;
    int64_t day;
    size_t at;
} touched;

typedef struct batch {
    const int32_t *kinds;
    const char *const *points, *const *lines;
    const int64_t *times, *units, *amounts;
    size_t n;
} batch;

#define PG_PROGRESS_EVERY 4096

/* Look-ahead of a batch: the series of line i + PG_AHEAD is found and the
 * cache line of its day started loading while line i is folded (lines in
 * random order miss the cache on the day; the series map slot and the day
 * then overlap the work of the lines between). A line whose series does
 * not exist yet gets NULL and the ordinary lookup, which creates it. */
#define PG_AHEAD 8

#if defined(__GNUC__) || defined(__clang__)
#define PG_PREFETCH(p) __builtin_prefetch(p)
#else
#define PG_PREFETCH(p) ((void)(p))
#endif

typedef struct ahead {
    pg_series *s[PG_AHEAD];
    const char *lastp, *lastl; /* the last line looked ahead */
    pg_series *last;
} ahead;

static void look_ahead(b2b2c_programs *h, const batch *b, ahead *a, size_t i)
{
    char key[2 * B2B2C__ID_MAX + 2];
    pg_series *s;
    size_t plen, klen;
    if (i >= b->n)
        return;
    if (a->last && b->points[i] == a->lastp && b->lines[i] == a->lastl) {
        /* a run of one point and line (a file in point order): no lookup,
         * and its days are the ones just read */
        a->s[i % PG_AHEAD] = a->last;
        return;
    } else {
        klen = line_key(key, b->points[i], &plen, b->lines[i]);
        s = b2b2c__map_get(&h->series, key, klen);
        a->lastp = b->points[i];
        a->lastl = b->lines[i];
        a->last = s;
    }
    a->s[i % PG_AHEAD] = s;
    if (s && s->n) {
        int64_t day = b2b2c__day(h->ctx, b->times[i]);
        uint64_t k = (uint64_t)(day - s->dv[0].day);
        PG_PREFETCH(&s->dv[k < s->n ? (size_t)k : s->n - 1]);
    }
}

static int batch_body(b2b2c_programs *h, const batch *b)
{
    b2b2c_ctx *ctx = h->ctx;
    char key[2 * B2B2C__ID_MAX + 2];
    touched *tv = NULL;
    size_t ntv = 0, captv = 0;
    pg_series *s = NULL;
    ahead a;
    char abuf[48];
    int rc = 0;

    h->gen++;
    memset(&a, 0, sizeof(a));
    for (size_t i = 0; i < PG_AHEAD; i++)
        look_ahead(h, b, &a, i);
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        size_t plen, klen, at;
        int fresh;
        int64_t day;

        if (i % PG_PROGRESS_EVERY == PG_PROGRESS_EVERY - 1 &&
            (rc = b2b2c__progress(ctx, PG_PROGRESS_EVERY)) != 0)
            break;
        s = a.s[i % PG_AHEAD];
        look_ahead(h, b, &a, i + PG_AHEAD);
        if (!s) {
            klen = line_key(key, b->points[i], &plen, b->lines[i]);
            if ((rc = series_get(h, key, plen, klen, &s)) != 0) {
                if (rc == B2B2C_ENOTFOUND) /* name the line */
                    rc = not_found(ctx, "point of sale",
                                   argname(abuf, sizeof(abuf), "point_id",
                                           i),
                                   key, plen);
                break;
            }
            /* the look-ahead found nothing for the lines of this series
             * it has passed already: give them the new series */
            for (size_t j = i + 1; j < i + PG_AHEAD && j < b->n; j++)
                if (!a.s[j % PG_AHEAD] && b->points[j] == b->points[i] &&
                    b->lines[j] == b->lines[i])
                    a.s[j % PG_AHEAD] = s;
            if (a.lastp == b->points[i] && a.lastl == b->lines[i])
                a.last = s;
        }
        day = b2b2c__day(ctx, b->times[i]);
        if ((rc = day_slot(h, s, day, &at, &fresh)) != 0)
            break;
        if (fresh) {
            if (b2b2c__grow(&ctx->mem, (void **)&tv, &captv, ntv + 1,
                            sizeof(*tv))) {
                rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
                break;
            }
            tv[ntv].s = s;
            tv[ntv].at = at;
            tv[ntv++].day = day;
        }
        rc = fold(ctx, &s->dv[at], b->kinds[i], b->units[i], b->amounts[i],
                  i);
    }
    for (size_t j = 0; j < ntv && rc == 0; j++) {
        const pg_series *t = tv[j].s;
        size_t at = tv[j].at;
        if (at >= t->n || t->dv[at].day != tv[j].day)
            at = pg_day_find(t, tv[j].day);
        rc = day_write(ctx, t, &t->dv[at]);
    }
    b2b2c__free(ctx, tv);
    return rc;
}

int b2b2c_programs_record_batch(b2b2c_programs *h, const int32_t *kinds,
                                const char *const *point_ids,
                                const char *const *product_lines,
                                const int64_t *times, const int64_t *units,
                                const int64_t *amounts, size_t n)
{
    batch b = {kinds, point_ids, product_lines, times, units, amounts, n};
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if (n == 0)
        return 0;
    if (!kinds || !point_ids || !product_lines || !times || !units ||
        !amounts)
        return b2b2c__err(h->ctx, B2B2C_EINVAL,
                          "%s: NULL",
                          !kinds           ? "kinds"
                          : !point_ids     ? "point_ids"
                          : !product_lines ? "product_lines"
                          : !times         ? "times"
                          : !units         ? "units"
                                           : "amounts");
    for (size_t i = 0; i < n; i++)
        if ((rc = check_line(h->ctx, i, kinds[i], point_ids[i],
                             product_lines[i], times[i], units[i],
                             amounts[i])) != 0)
            return rc;
    B2B2C__CALL(rc, h->ctx, h, batch_body(h, &b));
    return rc;
}
