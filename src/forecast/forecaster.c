/*
 * The stateful forecaster: purchase log, persisted per-segment fits,
 * per-customer answers with services, due list and holdout check, built on
 * the stateless models (forecast.c). Write-through as in tests/harness/
 * toy.h: validate, call_begin, undo entries before each change, records
 * through storage, call_end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "forecast/fc_internal.h"
#include "forecast/fc_rows.h"

#define NFIT 7 /* 0: all, 1 + segment */
#define NKIND 64
#define DAY 86400

static const char T_PUR[] = "forecast_purchase";
static const char T_CAN[] = "forecast_cancel";
static const char T_FIT[] = "forecast_fit";
static const char T_KIND[] = "forecast_kind";
static const char T_CONF[] = "forecast_config";

static const char *const kind_names[6] = {
    "product", "install", "repair", "training", "extended_warranty",
    "software_subscription"};

typedef struct fc_purchase {
    int64_t time;
    double amount;
    uint32_t kind, seq;
    int32_t segment;
} fc_purchase;

typedef struct fc_cust {
    fc_purchase *p;
    size_t n, cap;
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
    double attach[NKIND], svalue[NKIND];
    double sub_rate, sub_retention;
} fc_fit;

struct b2b2c_forecaster {
    b2b2c_ctx *ctx;
    b2b2c__map cust;
    fc_fit fits[NFIT];
    char kinds[NKIND][64]; /* host kind names; "" when unused */
    double model, unit_days, l2, discount, margin, smargin, min_alive,
        min_intervals, max_iter;
};

/* ---- parameters ----------------------------------------------------------- */

static const struct {
    int32_t id;
    double lo, hi, def;
    const char *name;
} PARAMS[] = {
    {B2B2C_FORECASTER_MODEL, 1, 2, 1, "B2B2C_FORECASTER_MODEL"},
    {B2B2C_FORECASTER_UNIT_DAYS, 1, 366, 7, "B2B2C_FORECASTER_UNIT_DAYS"},
    {B2B2C_FORECASTER_L2, 0, 1e6, 0, "B2B2C_FORECASTER_L2"},
    {B2B2C_FORECASTER_DISCOUNT, 0, 1, 0, "B2B2C_FORECASTER_DISCOUNT"},
    {B2B2C_FORECASTER_MARGIN, 0, 1, 1, "B2B2C_FORECASTER_MARGIN"},
    {B2B2C_FORECASTER_SERVICE_MARGIN, 0, 1, 1,
     "B2B2C_FORECASTER_SERVICE_MARGIN"},
    {B2B2C_FORECASTER_MIN_P_ALIVE, 0, 1, 0.5, "B2B2C_FORECASTER_MIN_P_ALIVE"},
    {B2B2C_FORECASTER_MIN_INTERVALS, 1, 1000, 3,
     "B2B2C_FORECASTER_MIN_INTERVALS"},
    {B2B2C_FORECASTER_MAX_ITER, 1, 1000000, 1000,
     "B2B2C_FORECASTER_MAX_ITER"},
};
#define NPARAMS ((int)(sizeof(PARAMS) / sizeof(PARAMS[0])))

static double *param_slot(b2b2c_forecaster *f, int i)
{
    double *s[NPARAMS] = {&f->model,    &f->unit_days, &f->l2,
                          &f->discount, &f->margin,    &f->smargin,
                          &f->min_alive, &f->min_intervals, &f->max_iter};
    return s[i];
}

static int param_index(int32_t param)
{
    for (int i = 0; i < NPARAMS; i++)
        if (PARAMS[i].id == param)
            return i;
    return -1;
}

int b2b2c_forecaster_param_bounds(double *lo, double *hi, int32_t param)
{
    int i = param_index(param);
    if (i < 0 || !lo || !hi)
        return B2B2C_EINVAL;
    *lo = PARAMS[i].lo;
    *hi = PARAMS[i].hi;
    return 0;
}

static int whole_param(int32_t param)
{
    return param == B2B2C_FORECASTER_MODEL ||
           param == B2B2C_FORECASTER_MIN_INTERVALS ||
           param == B2B2C_FORECASTER_MAX_ITER;
}

/* The parameters, persisted as one record (forecast_config, key "params"):
 * their count, then each value in PARAMS order. A record from an older
 * library with fewer parameters leaves the newer ones at their defaults. */
static int put_params(b2b2c_forecaster *f)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &f->ctx->mem, 1);
    b2b2c__enc_u32(&w, (uint32_t)NPARAMS);
    for (int i = 0; i < NPARAMS; i++)
        b2b2c__enc_f64(&w, *param_slot(f, i));
    return b2b2c__st_put_rec(f->ctx, T_CONF, "params", 6, &w);
}

static int load_params(const void *k, size_t kl, const void *val, size_t vl,
                       void *payload)
{
    b2b2c_forecaster *f = payload;
    b2b2c__rbuf r;
    double v[NPARAMS];
    uint32_t n = 0;
    int rc = b2b2c__dec_begin(&r, val, vl, 1);
    if (rc == 0 && !(kl == 6 && memcmp(k, "params", 6) == 0))
        rc = B2B2C_ECORRUPT;
    if (rc == 0 && ((n = b2b2c__dec_u32(&r)) > (uint32_t)NPARAMS || r.err))
        rc = B2B2C_ECORRUPT;
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        v[i] = b2b2c__dec_f64(&r);
        if (!(v[i] >= PARAMS[i].lo && v[i] <= PARAMS[i].hi) ||
            (whole_param(PARAMS[i].id) && v[i] != floor(v[i])))
            rc = B2B2C_ECORRUPT;
    }
    if (rc == 0)
        rc = b2b2c__dec_finish(&r);
    if (rc)
        return b2b2c__err(f->ctx, rc, "table '%s' key '%.*s': %s", T_CONF,
                          (int)kl, (const char *)k, b2b2c_strerror(rc));
    for (uint32_t i = 0; i < n; i++)
        *param_slot(f, (int)i) = v[i];
    return 0;
}

int b2b2c_forecaster_set_param(b2b2c_forecaster *f, int32_t param,
                               double value)
{
    int i, rc;
    double *slot;
    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if ((i = param_index(param)) < 0)
        return b2b2c__err(f->ctx, B2B2C_EINVAL, "param: unknown (%d)",
                          (int)param);
    if (!isfinite(value))
        return b2b2c__err(f->ctx, B2B2C_EINVAL, "%s: must be finite",
                          PARAMS[i].name);
    if (value < PARAMS[i].lo || value > PARAMS[i].hi ||
        (whole_param(param) && value != floor(value)))
        return b2b2c__err(f->ctx, B2B2C_ERANGE, "%s: must be in [%g, %g]%s",
                          PARAMS[i].name, PARAMS[i].lo, PARAMS[i].hi,
                          whole_param(param) ? " and whole" : "");
    if ((rc = b2b2c__call_begin(f->ctx)) != 0)
        return rc;
    slot = param_slot(f, i);
    if ((rc = b2b2c__undo_save(f->ctx, slot, sizeof(double))) == 0) {
        *slot = value;
        rc = put_params(f);
    }
    return b2b2c__call_end(f->ctx, rc);
}

int b2b2c_forecaster_get_param(double *value, const b2b2c_forecaster *f,
                               int32_t param)
{
    int i;
    if (!f || !value)
        return B2B2C_EINVAL;
    if ((i = param_index(param)) < 0)
        return b2b2c__err(f->ctx, B2B2C_EINVAL, "param: unknown (%d)",
                          (int)param);
    *value = *param_slot((b2b2c_forecaster *)f, i);
    return 0;
}

/* ---- kinds ---------------------------------------------------------------- */

const char *b2b2c_forecaster_kind_name(const b2b2c_forecaster *f,
                                       int32_t kind)
{
    if (kind >= 0 && kind < 6)
        return kind_names[kind];
    if (f && kind >= B2B2C_KIND_HOST_FIRST && kind <= B2B2C_KIND_MAX &&
        f->kinds[kind][0])
        return f->kinds[kind];
    return NULL;
}

static int kind_known(const b2b2c_forecaster *f, int32_t kind)
{
    return b2b2c_forecaster_kind_name(f, kind) != NULL;
}

int b2b2c_forecaster_add_kind(int32_t *kind, b2b2c_forecaster *f,
                              const char *name)
{
    b2b2c_ctx *ctx;
    int rc, slot = -1;
    b2b2c__wbuf w;
    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if (!kind || !name)
        return b2b2c__err(ctx, B2B2C_EINVAL, "kind, name: must not be NULL");
    if (b2b2c__table_check(name))
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "name: 1..63 characters of [a-z0-9_]");
    for (int i = 0; i < 6; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *kind = i;
            return 0;
        }
    for (int i = B2B2C_KIND_HOST_FIRST; i <= B2B2C_KIND_MAX; i++) {
        if (strcmp(f->kinds[i], name) == 0) {
            *kind = i;
            return 0;
        }
        if (slot < 0 && !f->kinds[i][0])
            slot = i;
    }
    if (slot < 0)
        return b2b2c__err(ctx, B2B2C_ERANGE, "name: all 48 host kinds in use");
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(ctx, f->kinds[slot], sizeof(f->kinds[slot]))))
        goto out;
    strcpy(f->kinds[slot], name);
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_u32(&w, (uint32_t)slot);
    rc = b2b2c__st_put_rec(ctx, T_KIND, name, strlen(name), &w);
out:
    rc = b2b2c__call_end(ctx, rc);
    if (rc == 0)
        *kind = slot;
    return rc;
}

static int check_cust_id(b2b2c_ctx *ctx, const char *id, size_t *n)
{
    if (!id)
        return b2b2c__err(ctx, B2B2C_EINVAL, "customer_id: NULL");
    if (b2b2c__id_check(id, n))
        return b2b2c__err(ctx, B2B2C_EBADID, "customer_id: not a valid ID");
    return 0;
}

/* ---- purchases ------------------------------------------------------------ */

static fc_cust *cust_new(b2b2c_ctx *ctx, const char *id, size_t n)
{
    fc_cust *c = b2b2c__malloc(ctx, sizeof(*c) + n + 1);
    if (!c)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->idlen = n;
    memcpy(c->id, id, n);
    c->id[n] = '\0';
    return c;
}

static void cust_free(b2b2c_ctx *ctx, fc_cust *c)
{
    if (c) {
        b2b2c__free(ctx, c->p);
        b2b2c__free(ctx, c);
    }
}

static void undo_free_cust(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    cust_free(ctx, a);
}

/* A purchase's key: customer ID, 0, sequence number (u64 big-endian), into
 * key (256 + 9 bytes); returns its length. */
static size_t purchase_key(uint8_t *key, const fc_cust *c, uint32_t seq)
{
    memcpy(key, c->id, c->idlen);
    key[c->idlen] = 0;
    for (int i = 0; i < 8; i++)
        key[c->idlen + 1 + i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
    return c->idlen + 9;
}

/* The customer of a valid ID, or B2B2C_ENOTFOUND naming it. */
static int find_cust(b2b2c_forecaster *f, const char *id, fc_cust **out)
{
    size_t n;
    int rc;
    if ((rc = check_cust_id(f->ctx, id, &n)) != 0)
        return rc;
    if (!(*out = b2b2c__map_get(&f->cust, id, n)))
        return b2b2c__err(f->ctx, B2B2C_ENOTFOUND,
                          "customer_id: unknown '%s'", id);
    return 0;
}

static int put_purchase(b2b2c_ctx *ctx, const fc_cust *c,
                        const fc_purchase *p, int32_t segment)
{
    uint8_t key[256 + 9];
    size_t kl = purchase_key(key, c, p->seq);
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_i64(&w, p->time);
    b2b2c__enc_f64(&w, p->amount);
    b2b2c__enc_u32(&w, p->kind);
    b2b2c__enc_u32(&w, (uint32_t)segment);
    return b2b2c__st_put_rec(ctx, T_PUR, key, kl, &w);
}

int b2b2c_forecaster_add_purchase(b2b2c_forecaster *f,
                                  const char *customer_id, int32_t segment,
                                  int64_t time, double amount, int32_t kind)
{
    b2b2c_ctx *ctx;
    fc_cust *c;
    size_t n;
    int rc;
    fc_purchase p;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = check_cust_id(ctx, customer_id, &n)) != 0)
        return rc;
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if ((rc = b2b2c__check_time(ctx, time, "time")) != 0 ||
        (rc = b2b2c__check_amount(ctx, amount, "amount")) != 0)
        return rc;
    if (!kind_known(f, kind))
        return b2b2c__err(ctx, B2B2C_EINVAL, "kind: unknown (%d)", (int)kind);
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    c = b2b2c__map_get(&f->cust, customer_id, n);
    if (!c) {
        if (!(c = cust_new(ctx, customer_id, n))) {
            rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = b2b2c__undo_push(ctx, undo_free_cust, NULL, c, NULL, 0))) {
            cust_free(ctx, c);
            goto out;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &f->cust, c->id, n, c)))
            goto out;
    }
    if (c->n >= UINT32_MAX) {
        rc = b2b2c__err(ctx, B2B2C_ERANGE, "customer_id: too many purchases");
        goto out;
    }
    /* growing keeps the contents, so only n and segment need undo */
    if ((rc = b2b2c__grow(&ctx->mem, (void **)&c->p, &c->cap, c->n + 1,
                          sizeof(fc_purchase)))) {
        rc = b2b2c__err(ctx, rc, "out of memory");
        goto out;
    }
    if ((rc = b2b2c__undo_save(ctx, &c->n, sizeof(c->n))) ||
        (rc = b2b2c__undo_save(ctx, &c->segment, sizeof(c->segment))))
        goto out;
    memset(&p, 0, sizeof(p)); /* padding is hashed by the digest */
    p.time = time;
    p.amount = amount;
    p.kind = (uint32_t)kind;
    p.seq = (uint32_t)c->n;
    p.segment = segment;
    c->p[c->n++] = p;
    c->segment = segment;
    rc = put_purchase(ctx, c, &p, segment);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_forecaster_cancel_subscription(b2b2c_forecaster *f,
                                         const char *customer_id,
                                         int64_t time)
{
    b2b2c_ctx *ctx;
    fc_cust *c;
    int rc, has = 0;
    int64_t first = 0;
    b2b2c__wbuf w;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = find_cust(f, customer_id, &c)) != 0 ||
        (rc = b2b2c__check_time(ctx, time, "time")) != 0)
        return rc;
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i].kind == B2B2C_KIND_SOFTWARE_SUBSCRIPTION &&
            (!has++ || c->p[i].time < first))
            first = c->p[i].time;
    if (!has)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "customer_id: '%s' has no subscription",
                          customer_id);
    if ((rc = b2b2c__check_not_before(ctx, time, "time", first,
                                      "the first subscription of",
                                      customer_id)) != 0)
        return rc;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(ctx, &c->has_cancel, sizeof(c->has_cancel))) ||
        (rc = b2b2c__undo_save(ctx, &c->cancel, sizeof(c->cancel))))
        goto out;
    c->has_cancel = 1;
    c->cancel = time;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_i64(&w, time);
    rc = b2b2c__st_put_rec(ctx, T_CAN, c->id, c->idlen, &w);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_forecaster_remove_customer(b2b2c_forecaster *f,
                                     const char *customer_id)
{
    b2b2c_ctx *ctx;
    fc_cust *c;
    uint8_t key[256 + 9];
    int rc;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = find_cust(f, customer_id, &c)) != 0 ||
        (rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    for (size_t i = 0; i < c->n && rc == 0; i++)
        rc = b2b2c__st_del(ctx, T_PUR, key, purchase_key(key, c, c->p[i].seq));
    if (rc == 0 && c->has_cancel)
        rc = b2b2c__st_del(ctx, T_CAN, c->id, c->idlen);
    /* the record goes when the call commits (an undo puts it back) */
    if (rc == 0 &&
        (rc = b2b2c__map_remove_undoable(ctx, &f->cust, c->id, c->idlen)) == 0)
        rc = b2b2c__undo_push(ctx, NULL, undo_free_cust, c, NULL, 0);
    return b2b2c__call_end(ctx, rc);
}

/* ---- summaries ------------------------------------------------------------ */

/* Any int64 (a record stored before the time range may hold INT64_MIN). */
static int64_t day_of(int64_t t)
{
    return b2b2c__floordiv(t, DAY);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t u = *(const int64_t *)a, v = *(const int64_t *)b;
    return u < v ? -1 : u > v;
}

typedef struct summ {
    double x, tx, T, m; /* model units */
    int64_t first_day, last_day, last_time;
    size_t ndays;
    double total; /* product revenue before end */
} summ;

/* Product purchases before `end`: distinct days (same-day purchases merge,
 * as FHL 2005 and FHS 2010 summarise a log), into `days` (cap c->n) with
 * their totals in `tot`. Returns 0 when the customer has none. */
static size_t product_days(const fc_cust *c, int64_t from, int64_t end,
                           int incl, int64_t *days, double *tot)
{
    size_t k = 0, u = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i].kind == B2B2C_KIND_PRODUCT && c->p[i].time >= from &&
            (c->p[i].time < end || (incl && c->p[i].time == end)))
            days[k++] = c->p[i].time;
    if (k == 0)
        return 0;
    qsort(days, k, sizeof(int64_t), cmp_i64);
    for (size_t i = 0; i < k; i++) {
        int64_t d = day_of(days[i]);
        if (u > 0 && days[u - 1] == d)
            continue;
        days[u++] = d;
    }
    if (tot) {
        for (size_t j = 0; j < u; j++)
            tot[j] = 0;
        for (size_t i = 0; i < c->n; i++) {
            const fc_purchase *p = &c->p[i];
            size_t lo = 0, hi = u;
            int64_t d;
            if (p->kind != B2B2C_KIND_PRODUCT || p->time < from ||
                p->time > end || (!incl && p->time == end))
                continue;
            d = day_of(p->time);
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (days[mid] <= d)
                    lo = mid;
                else
                    hi = mid;
            }
            tot[lo] += p->amount;
        }
    }
    return u;
}

/* Summary at `end` (purchases at `end` itself count when incl). */
static int summarise(const fc_cust *c, int64_t end, int incl,
                     double unit_days, int64_t *days, double *tot, summ *s)
{
    size_t u = product_days(c, INT64_MIN, end, incl, days, tot);
    double rep = 0;
    if (u == 0)
        return 0;
    s->ndays = u;
    s->first_day = days[0];
    s->last_day = days[u - 1];
    s->x = (double)(u - 1);
    s->tx = (double)(days[u - 1] - days[0]) / unit_days;
    s->T = ((double)end / DAY - (double)days[0]) / unit_days;
    s->total = 0;
    for (size_t j = 0; j < u; j++) {
        s->total += tot[j];
        if (j > 0)
            rep += tot[j];
    }
    s->m = u > 1 ? rep / (double)(u - 1) : 0;
    return 1;
}

/* YYYY-MM-DD (UTC) of Unix seconds t, into buf (>= 64 bytes). Days to the
 * proleptic Gregorian calendar: Hinnant's civil_from_days. */
static void fmt_date(char *buf, size_t n, int64_t t)
{
    int64_t z = day_of(t) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(buf, n, "%04lld-%02lld-%02lld", (long long)(y + (m <= 2)),
             (long long)m, (long long)d);
}

/* A purchase stored by a build before the time range (any int64): a fit or
 * answer would measure T over billions of years and the due date overflow;
 * B2B2C_ERANGE says whom to repair, and how. */
static int check_times(b2b2c_ctx *ctx, const fc_cust *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (!b2b2c__time_ok(c->p[i].time))
            return b2b2c__err(ctx, B2B2C_ERANGE,
                              "customer_id: '%s' has a purchase stored at "
                              "%lld, outside the time range; remove the "
                              "customer and record the purchases again",
                              c->id, (long long)c->p[i].time);
    return 0;
}

/* The calibration-window rule: x, t_x and T are measured from each
 * customer's first purchase, so a window [start, end) must hold the whole
 * history of the customers it summarises. A purchase (any kind) of `c`
 * dated before `start` is bad input: B2B2C_ERANGE naming the customer and
 * the date of their earliest purchase. */
static int check_window(b2b2c_ctx *ctx, const fc_cust *c, int64_t start)
{
    int64_t first = INT64_MAX;
    char d1[64], d2[64];
    int rc;
    if ((rc = check_times(ctx, c)) != 0)
        return rc;
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i].time < first)
            first = c->p[i].time;
    if (start == INT64_MIN || first >= start)
        return 0;
    fmt_date(d1, sizeof d1, first);
    fmt_date(d2, sizeof d2, start);
    return b2b2c__err(ctx, B2B2C_ERANGE,
                      "calibration_start: customer '%s' has a purchase on %s "
                      "(t=%lld), before the calibration start %s; x, t_x and "
                      "T are measured from the first purchase, so the window "
                      "must hold each customer's whole history",
                      c->id, d1, (long long)first, d2);
}

static int check_range(b2b2c_ctx *ctx, int64_t start, int64_t end)
{
    if (start >= end)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "calibration_start: must be before calibration_end");
    return 0;
}

static size_t max_purchases(const b2b2c_forecaster *f)
{
    size_t it = 0, mx = 1;
    void *v;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        if (c->n > mx)
            mx = c->n;
    }
    return mx;
}

static int fit_index(int32_t segment)
{
    if (segment == -1)
        return 0;
    if (b2b2c_segment_name(segment))
        return 1 + segment;
    return -1;
}

static const char *fit_key(int idx)
{
    return idx == 0 ? "all" : b2b2c_segment_name(idx - 1);
}

/* ---- fit -------------------------------------------------------------------- */

static int put_fit(b2b2c_ctx *ctx, int idx, const fc_fit *ft)
{
    b2b2c__wbuf w;
    uint32_t nk = 0;
    const char *key = fit_key(idx);
    for (int k = 1; k < NKIND; k++)
        nk += ft->attach[k] > 0;
    /* version 2: the second field is the fit status (version 1 had a
     * converged flag there), the third the spend source (B2B2C_SPEND_*;
     * version 1 had a has-GG flag, 0 or 1), and gg_status follows it */
    b2b2c__enc_begin(&w, &ctx->mem, 2);
    b2b2c__enc_u32(&w, (uint32_t)ft->model);
    b2b2c__enc_u32(&w, (uint32_t)ft->status);
    b2b2c__enc_u32(&w, (uint32_t)ft->spend_src);
    b2b2c__enc_u32(&w, (uint32_t)ft->gg_status);
    b2b2c__enc_f64(&w, ft->unit_days);
    b2b2c__enc_i64(&w, ft->cal_end);
    for (int i = 0; i < 4; i++)
        b2b2c__enc_f64(&w, ft->p[i]);
    for (int i = 0; i < 3; i++)
        b2b2c__enc_f64(&w, ft->gg[i]);
    b2b2c__enc_f64(&w, ft->ll);
    b2b2c__enc_f64(&w, ft->mean_spend);
    b2b2c__enc_f64(&w, ft->sub_rate);
    b2b2c__enc_f64(&w, ft->sub_retention);
    b2b2c__enc_u32(&w, nk);
    for (int k = 1; k < NKIND; k++)
        if (ft->attach[k] > 0) {
            b2b2c__enc_u32(&w, (uint32_t)k);
            b2b2c__enc_f64(&w, ft->attach[k]);
            b2b2c__enc_f64(&w, ft->svalue[k]);
        }
    return b2b2c__st_put_rec(ctx, T_FIT, key, strlen(key), &w);
}

static int fit_impl(int32_t *status, b2b2c_forecaster *f,
                    int32_t segment, int64_t calibration_start,
                    int64_t calibration_end)
{
    b2b2c_ctx *ctx;
    int idx, rc = 0;
    size_t nc = 0, ncap, mx, it = 0;
    double *x = NULL, *tx = NULL, *T = NULL, *m = NULL, *tot = NULL;
    int64_t *days = NULL;
    double cnt[NKIND], sum[NKIND], ntx = 0, sub_exp = 0, sub_rev = 0,
           sub_can = 0, prod_rev = 0;
    const double unit = f ? f->unit_days : 1;
    fc_fit ft;
    void *v;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if ((idx = fit_index(segment)) < 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if ((rc = check_range(ctx, calibration_start, calibration_end)) != 0)
        return rc;
    ncap = f->cust.count ? f->cust.count : 1;
    mx = max_purchases(f);
    x = b2b2c__malloc(ctx, sizeof(double) * 4 * ncap);
    days = b2b2c__malloc(ctx, sizeof(int64_t) * mx);
    tot = b2b2c__malloc(ctx, sizeof(double) * mx);
    if (!x || !days || !tot) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "fit: out of memory");
        goto done;
    }
    tx = x + ncap;
    T = x + 2 * ncap;
    m = x + 3 * ncap;
    memset(&ft, 0, sizeof(ft));
    memset(cnt, 0, sizeof(cnt));
    memset(sum, 0, sizeof(sum));
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        summ s;
        int64_t sub_first = INT64_MAX;
        if (segment >= 0 && c->segment != segment)
            continue;
        if ((rc = check_window(ctx, c, calibration_start)) != 0)
            goto done;
        if (!summarise(c, calibration_end, 0, unit, days, tot, &s))
            continue;
        x[nc] = s.x;
        tx[nc] = s.tx;
        T[nc] = s.T;
        m[nc] = s.m;
        nc++;
        ntx += (double)s.ndays;
        prod_rev += s.total;
        for (size_t i = 0; i < c->n; i++) {
            const fc_purchase *p = &c->p[i];
            if (p->time >= calibration_end || p->kind == B2B2C_KIND_PRODUCT)
                continue;
            if (p->kind == B2B2C_KIND_SOFTWARE_SUBSCRIPTION) {
                sub_rev += p->amount;
                if (p->time < sub_first)
                    sub_first = p->time;
            } else {
                cnt[p->kind] += 1;
                sum[p->kind] += p->amount;
            }
        }
        if (sub_first != INT64_MAX) {
            /* exposure until cancellation or the calibration end; churn is
             * exponential, its rate cancellations / exposure (MLE) */
            int64_t e = c->has_cancel && c->cancel < calibration_end &&
                                c->cancel > sub_first
                            ? c->cancel
                            : calibration_end;
            sub_exp += (double)(e - sub_first) / DAY / unit;
            sub_can += c->has_cancel && c->cancel < calibration_end;
        }
    }
    if (nc == 0) {
        rc = b2b2c__err(ctx, B2B2C_ENODATA,
                        "segment: no customer with a product purchase before "
                        "calibration_end");
        goto done;
    }
    ft.model = (int32_t)f->model;
    ft.unit_days = unit;
    ft.cal_end = calibration_end;
    rc = b2b2c_forecast_fit(ft.p, 4, &ft.ll, NULL, &ft.status, ctx,
                            ft.model, x, tx, T, NULL, nc, f->l2,
                            (int32_t)f->max_iter);
    if (rc)
        goto done;
    ft.mean_spend = prod_rev / ntx;
    {
        int grc = b2b2c_forecast_gg_fit(ft.gg, 3, NULL, NULL, &ft.gg_status,
                                        ctx, x, m, NULL, nc, f->l2,
                                        (int32_t)f->max_iter);
        /* no usable GG fit keeps the purchase-model fit and falls back to
         * the mean spend, recorded with the reason (spend_source) */
        if (grc == 0 && ft.gg[1] > 1) {
            ft.spend_src = B2B2C_SPEND_GAMMA_GAMMA;
        } else if (grc == B2B2C_ENOMEM || grc == B2B2C_EINTERRUPTED) {
            rc = grc;
            goto done;
        } else {
            ft.spend_src = grc == 0 ? B2B2C_SPEND_MEAN_NO_MEAN
                           : grc == B2B2C_ENODATA ? B2B2C_SPEND_MEAN_NO_SPEND
                                                  : B2B2C_SPEND_MEAN_GG_FAILED;
            memset(ft.gg, 0, sizeof(ft.gg));
            ft.gg_status = B2B2C_FIT_CONVERGED; /* not used: segment mean */
        }
        b2b2c__err_clear(ctx);
    }
    for (int k = 1; k < NKIND; k++)
        if (cnt[k] > 0) {
            ft.attach[k] = cnt[k] / ntx;
            ft.svalue[k] = sum[k] / cnt[k];
        }
    if (sub_exp > 0) {
        ft.sub_rate = sub_rev / sub_exp;
        ft.sub_retention = exp(-sub_can / sub_exp);
    }
    ft.valid = 1;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        goto done;
    if ((rc = b2b2c__undo_save(ctx, &f->fits[idx], sizeof(fc_fit))) == 0) {
        f->fits[idx] = ft;
        rc = put_fit(ctx, idx, &ft);
    }
    rc = b2b2c__call_end(ctx, rc);
    if (rc == 0 && status)
        *status = ft.status;
done:
    b2b2c__free(ctx, x);
    b2b2c__free(ctx, days);
    b2b2c__free(ctx, tot);
    return rc;
}

int b2b2c_forecaster_fit(int32_t *status, b2b2c_forecaster *f,
                         int32_t segment, int64_t calibration_end)
{
    return fit_impl(status, f, segment, INT64_MIN, calibration_end);
}

int b2b2c_forecaster_fit_window(int32_t *status, b2b2c_forecaster *f,
                                int32_t segment, int64_t calibration_start,
                                int64_t calibration_end)
{
    if (f && calibration_start == INT64_MIN)
        return b2b2c__err(f->ctx, B2B2C_ERANGE,
                          "calibration_start: must be > INT64_MIN");
    return fit_impl(status, f, segment, calibration_start,
                    calibration_end);
}

int b2b2c_forecaster_fit_params(int32_t *model, double *params,
                                double *gg_params, double *loglik,
                                int32_t *status, int32_t *gg_status,
                                const b2b2c_forecaster *f, int32_t segment)
{
    int idx;
    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if ((idx = fit_index(segment)) < 0)
        return b2b2c__err(f->ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if (!f->fits[idx].valid)
        return b2b2c__err(f->ctx, B2B2C_ENOTFOUND, "segment: not fitted");
    if (model)
        *model = f->fits[idx].model;
    if (params)
        memcpy(params, f->fits[idx].p, sizeof(f->fits[idx].p));
    if (gg_params)
        memcpy(gg_params, f->fits[idx].gg, sizeof(f->fits[idx].gg));
    if (loglik)
        *loglik = f->fits[idx].ll;
    if (status)
        *status = f->fits[idx].status;
    if (gg_status)
        *gg_status = f->fits[idx].gg_status;
    return 0;
}

static const fc_fit *fit_checked(const b2b2c_forecaster *f, int32_t segment)
{
    int idx = fit_index(segment);
    if (idx < 0) {
        b2b2c__err(f->ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                   (int)segment);
        return NULL;
    }
    if (!f->fits[idx].valid) {
        b2b2c__err(f->ctx, B2B2C_ENOTFOUND, "segment: not fitted");
        return NULL;
    }
    return &f->fits[idx];
}

/* fit_checked for a public getter: clears the last error first */
static const fc_fit *stored_fit(const b2b2c_forecaster *f, int32_t segment)
{
    b2b2c__err_clear(f->ctx);
    return fit_checked(f, segment);
}

int b2b2c_forecaster_service_stats(double *attach_rate, double *mean_value,
                                   const b2b2c_forecaster *f, int32_t segment,
                                   int32_t kind)
{
    const fc_fit *ft;
    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if (kind == B2B2C_KIND_PRODUCT || !kind_known(f, kind))
        return b2b2c__err(f->ctx, B2B2C_EINVAL,
                          "kind: not a known service kind (%d)", (int)kind);
    if (!(ft = fit_checked(f, segment)))
        return f->ctx->errcode;
    if (attach_rate)
        *attach_rate = ft->attach[kind];
    if (mean_value)
        *mean_value = ft->svalue[kind];
    return 0;
}

int b2b2c_forecaster_spend_source(int32_t *source, double *mean_spend,
                                  const b2b2c_forecaster *f, int32_t segment)
{
    const fc_fit *ft = f ? stored_fit(f, segment) : NULL;
    if (!ft)
        return f ? f->ctx->errcode : B2B2C_EINVAL;
    if (source)
        *source = ft->spend_src;
    if (mean_spend)
        *mean_spend = ft->mean_spend;
    return 0;
}

int b2b2c_forecaster_subscription_stats(double *revenue_per_unit,
                                        double *retention,
                                        const b2b2c_forecaster *f,
                                        int32_t segment)
{
    const fc_fit *ft = f ? stored_fit(f, segment) : NULL;
    if (!ft)
        return f ? f->ctx->errcode : B2B2C_EINVAL;
    if (revenue_per_unit)
        *revenue_per_unit = ft->sub_rate;
    if (retention)
        *retention = ft->sub_retention;
    return 0;
}

typedef struct summ_item {
    const fc_cust *c;
    double x, tx, T, m;
} summ_item;

static int summ_cmp(const void *a, const void *b)
{
    const summ_item *u = a, *v = b;
    return strcmp(u->c->id, v->c->id);
}

static int summaries_impl(b2b2c_forecaster *f, int32_t segment,
                          int64_t calibration_start, int64_t calibration_end,
                          b2b2c_forecaster_summary_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    summ_item *items;
    int64_t *days;
    double *tot;
    size_t ni = 0, mx, it = 0;
    void *v;
    int rc = 0;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if (fit_index(segment) < 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if ((rc = check_range(ctx, calibration_start, calibration_end)) != 0)
        return rc;
    mx = max_purchases(f);
    items = b2b2c__malloc(ctx, sizeof(summ_item) * (f->cust.count + 1));
    days = b2b2c__malloc(ctx, sizeof(int64_t) * mx);
    tot = b2b2c__malloc(ctx, sizeof(double) * mx);
    if (!items || !days || !tot) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        summ s;
        if (segment >= 0 && c->segment != segment)
            continue;
        if ((rc = check_window(ctx, c, calibration_start)) != 0)
            goto out;
        if (!summarise(c, calibration_end, 0, f->unit_days, days, tot, &s))
            continue;
        items[ni].c = c;
        items[ni].x = s.x;
        items[ni].tx = s.tx;
        items[ni].T = s.T;
        items[ni].m = s.m;
        ni++;
    }
    qsort(items, ni, sizeof(summ_item), summ_cmp);
    for (size_t i = 0; i < ni; i++)
        if ((rc = cb(items[i].c->id, items[i].x, items[i].tx, items[i].T,
                     items[i].m, payload)) != 0)
            break;
out:
    b2b2c__free(ctx, items);
    b2b2c__free(ctx, days);
    b2b2c__free(ctx, tot);
    return rc;
}

int b2b2c_forecaster_summaries(b2b2c_forecaster *f, int32_t segment,
                               int64_t calibration_end,
                               b2b2c_forecaster_summary_cb cb, void *payload)
{
    return summaries_impl(f, segment, INT64_MIN, calibration_end, cb,
                          payload);
}

int b2b2c_forecaster_summaries_window(b2b2c_forecaster *f, int32_t segment,
                                      int64_t calibration_start,
                                      int64_t calibration_end,
                                      b2b2c_forecaster_summary_cb cb,
                                      void *payload)
{
    if (f && calibration_start == INT64_MIN)
        return b2b2c__err(f->ctx, B2B2C_ERANGE,
                          "calibration_start: must be > INT64_MIN");
    return summaries_impl(f, segment, calibration_start, calibration_end, cb,
                          payload);
}

/* ---- per-customer answers ------------------------------------------------------ */

static const fc_fit *fit_for(const b2b2c_forecaster *f, const fc_cust *c)
{
    if (f->fits[1 + c->segment].valid)
        return &f->fits[1 + c->segment];
    return f->fits[0].valid ? &f->fits[0] : NULL;
}

typedef struct answer {
    double e, pa, py, spend, clv_p, clv_s, mean_gap_units;
    summ s;
} answer;

/* Everything the per-customer calls need; `days`/`tot` scratch of c->n. */
static int answer_for(b2b2c_forecaster *fm, const fc_fit *ft,
                      const fc_cust *c, int64_t now, double horizon,
                      double window_units, int64_t *days, double *tot,
                      answer *a)
{
    b2b2c_ctx *ctx = fm->ctx;
    int rc;
    double one = 1, disc;
    if ((rc = check_times(ctx, c)) != 0)
        return rc;
    if (!summarise(c, now, 1, ft->unit_days, days, tot, &a->s) ||
        !(a->s.T > 0))
        return B2B2C_ENOTFOUND; /* no purchase history before now */
    rc = b2b2c_forecast_predict(&a->e, &a->pa, &a->py, ctx, ft->model, ft->p,
                                4, &a->s.x, &a->s.tx, &a->s.T, 1,
                                window_units);
    if (rc)
        return rc;
    /* spend: Gamma-Gamma (FH 2013 eq. 5), else the segment's mean */
    if (ft->spend_src == B2B2C_SPEND_GAMMA_GAMMA) {
        if ((rc = b2b2c_forecast_gg_spend(&a->spend, ctx, ft->gg, 3,
                                          &a->s.x, &a->s.m, 1)))
            return rc;
    } else {
        a->spend = ft->mean_spend;
    }
    /* discounted expected transactions over the horizon (spend 1) */
    if ((rc = b2b2c_forecast_clv(&disc, ctx, ft->model, ft->p, 4, &a->s.x,
                                 &a->s.tx, &a->s.T, &one, 1, horizon,
                                 fm->discount, 1.0)))
        return rc;
    a->clv_p = fm->margin * a->spend * disc;
    {
        double per_tx = 0, sub = 0;
        int64_t last_sub = INT64_MIN;
        for (int k = 1; k < NKIND; k++)
            per_tx += ft->attach[k] * ft->svalue[k];
        for (size_t i = 0; i < c->n; i++)
            if (c->p[i].kind == B2B2C_KIND_SOFTWARE_SUBSCRIPTION &&
                c->p[i].time <= now && c->p[i].time > last_sub)
                last_sub = c->p[i].time;
        if (last_sub != INT64_MIN &&
            !(c->has_cancel && c->cancel <= now && c->cancel >= last_sub)) {
            /* recurring revenue with per-unit retention */
            double df = 1, rho = 1;
            for (int k = 1; k <= (int)horizon; k++) {
                df /= 1 + fm->discount;
                rho *= ft->sub_retention;
                sub += ft->sub_rate * rho * df;
            }
        }
        a->clv_s = fm->smargin * (per_tx * disc + sub);
    }
    /* mean time between purchases while active: 1/E[lambda] with
     * lambda ~ Gamma(r + x, alpha + T) (FHL 2005 / SMC 1987 posterior) */
    a->mean_gap_units = (ft->p[1] + a->s.T) / (ft->p[0] + a->s.x);
    return 0;
}

int b2b2c_forecaster_customer(double *expected, double *p_alive,
                              double *p_any, double *spend,
                              double *clv_product, double *clv_service,
                              const b2b2c_forecaster *fc,
                              const char *customer_id, int64_t now,
                              double horizon)
{
    b2b2c_forecaster *f = (b2b2c_forecaster *)fc;
    b2b2c_ctx *ctx;
    const fc_cust *c;
    const fc_fit *ft;
    size_t n;
    int64_t *days;
    double *tot;
    answer a;
    int rc;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = check_cust_id(ctx, customer_id, &n)) != 0 ||
        (rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    if (!isfinite(horizon))
        return b2b2c__err(ctx, B2B2C_EINVAL, "horizon: must be finite");
    if (horizon < 1 || horizon > 1200 || horizon != floor(horizon))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "horizon: must be a whole number 1..1200");
    if (!(c = b2b2c__map_get(&f->cust, customer_id, n)))
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "customer_id: unknown '%s'",
                          customer_id);
    if (!(ft = fit_for(f, c)))
        return b2b2c__err(ctx, B2B2C_ENOTREADY,
                          "customer_id: no fit for the segment or all");
    days = b2b2c__malloc(ctx, sizeof(int64_t) * c->n);
    tot = b2b2c__malloc(ctx, sizeof(double) * c->n);
    if (!days || !tot) {
        b2b2c__free(ctx, days);
        b2b2c__free(ctx, tot);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    rc = answer_for(f, ft, c, now, horizon, horizon, days, tot, &a);
    b2b2c__free(ctx, days);
    b2b2c__free(ctx, tot);
    if (rc == B2B2C_ENOTFOUND)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "now: before the first product purchase of '%s'",
                          customer_id);
    if (rc)
        return rc;
    if (expected)
        *expected = a.e;
    if (p_alive)
        *p_alive = a.pa;
    if (p_any)
        *p_any = a.py;
    if (spend)
        *spend = a.spend;
    if (clv_product)
        *clv_product = a.clv_p;
    if (clv_service)
        *clv_service = a.clv_s;
    return 0;
}

/* ---- due list ------------------------------------------------------------------ */

typedef struct due_item {
    const fc_cust *c;
    int64_t due;
    double pa, value;
} due_item;

static int due_cmp(const void *a, const void *b)
{
    const due_item *u = a, *v = b;
    if (u->value != v->value)
        return u->value > v->value ? -1 : 1;
    return strcmp(u->c->id, v->c->id);
}

static int cmp_gap(const void *a, const void *b)
{
    int64_t u = *(const int64_t *)a, v = *(const int64_t *)b;
    return u < v ? -1 : u > v;
}

int b2b2c_forecaster_due(b2b2c_forecaster *f, int64_t now, double window_days,
                         b2b2c_forecaster_due_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    due_item *items = NULL;
    int64_t *days = NULL;
    double *tot = NULL;
    size_t ni = 0, mx, it = 0;
    void *v;
    int rc = 0;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if (!isfinite(window_days))
        return b2b2c__err(ctx, B2B2C_EINVAL, "window_days: must be finite");
    if (!(window_days > 0) || window_days > 3660)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "window_days: must be in (0, 3660]");
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    mx = max_purchases(f);
    items = b2b2c__malloc(ctx, sizeof(due_item) * (f->cust.count + 1));
    days = b2b2c__malloc(ctx, sizeof(int64_t) * (mx + 1));
    tot = b2b2c__malloc(ctx, sizeof(double) * (mx + 1));
    if (!items || !days || !tot) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        const fc_fit *ft = fit_for(f, c);
        answer a;
        int64_t due;
        if (!ft)
            continue;
        rc = answer_for(f, ft, c, now, 1, window_days / ft->unit_days, days,
                        tot, &a);
        if (rc == B2B2C_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc)
            goto out;
        if (a.pa < f->min_alive)
            continue;
        if ((double)(a.s.ndays - 1) >= f->min_intervals) {
            /* the customer's own rhythm: median gap between purchase days
             * (days[] still holds the distinct days, ascending) */
            size_t g = a.s.ndays - 1;
            for (size_t j = 0; j < g; j++)
                days[j] = days[j + 1] - days[j];
            qsort(days, g, sizeof(int64_t), cmp_gap);
            due = (a.s.last_day + (g % 2 ? days[g / 2]
                                         : (days[g / 2 - 1] + days[g / 2]) /
                                               2)) *
                  DAY;
        } else {
            due = a.s.last_day * DAY +
                  (int64_t)(a.mean_gap_units * ft->unit_days * DAY);
        }
        if ((double)due > (double)now + window_days * DAY)
            continue;
        items[ni].c = c;
        items[ni].due = due;
        items[ni].pa = a.pa;
        items[ni].value = a.e * a.spend;
        ni++;
    }
    qsort(items, ni, sizeof(due_item), due_cmp);
    b2b2c__free(ctx, days);
    b2b2c__free(ctx, tot);
    days = NULL;
    tot = NULL;
    for (size_t i = 0; i < ni; i++)
        if ((rc = cb(items[i].c->id, items[i].due, items[i].pa,
                     items[i].value, payload)) != 0)
            break;
out:
    b2b2c__free(ctx, items);
    b2b2c__free(ctx, days);
    b2b2c__free(ctx, tot);
    return rc;
}

/* ---- holdout check ------------------------------------------------------------ */

int b2b2c_forecaster_holdout(double *actual, double *predicted, double *count,
                             size_t nout, const b2b2c_forecaster *fc,
                             int32_t segment, int64_t calibration_end,
                             int64_t holdout_end)
{
    b2b2c_forecaster *f = (b2b2c_forecaster *)fc;
    b2b2c_ctx *ctx;
    const fc_fit *ft;
    int64_t *days, *hdays;
    double *tot, *acc;
    size_t mx, it = 0;
    void *v;
    int idx, rc = 0;

    if (!f)
        return B2B2C_EINVAL;
    ctx = f->ctx;
    b2b2c__err_clear(ctx);
    if (!actual || !predicted || !count)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "actual, predicted, count: must not be NULL");
    if ((idx = fit_index(segment)) < 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if (nout == 0 || nout > 1000)
        return b2b2c__err(ctx, B2B2C_ERANGE, "nout: must be 1..1000");
    if (holdout_end <= calibration_end)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "holdout_end: must be after calibration_end");
    ft = &f->fits[idx];
    if (!ft->valid)
        return b2b2c__err(ctx, B2B2C_ENOTREADY, "segment: not fitted");
    mx = max_purchases(f);
    days = b2b2c__malloc(ctx, sizeof(int64_t) * 2 * mx);
    tot = b2b2c__malloc(ctx, sizeof(double) * mx);
    acc = b2b2c__malloc(ctx, sizeof(double) * 3 * nout);
    if (!days || !tot || !acc) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    hdays = days + mx;
    memset(acc, 0, sizeof(double) * 3 * nout);
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        summ s;
        size_t k, nh, extra = 0;
        double e, t = ((double)holdout_end - (double)calibration_end) / DAY /
                      ft->unit_days;
        if (segment >= 0 && c->segment != segment)
            continue;
        if ((rc = check_times(ctx, c)) != 0)
            goto out;
        if (!summarise(c, calibration_end, 0, ft->unit_days, days, tot, &s))
            continue;
        if ((rc = b2b2c_forecast_predict(&e, NULL, NULL, ctx, ft->model,
                                         ft->p, 4, &s.x, &s.tx, &s.T, 1, t)))
            goto out;
        /* repeat transactions in the holdout: new purchase days */
        nh = product_days(c, calibration_end, holdout_end, 0, hdays, NULL);
        for (size_t j = 0; j < nh; j++)
            extra += hdays[j] != s.last_day;
        k = (size_t)s.x < nout - 1 ? (size_t)s.x : nout - 1;
        acc[k] += (double)extra;
        acc[nout + k] += e;
        acc[2 * nout + k] += 1;
    }
    for (size_t k = 0; k < nout; k++) {
        double nk = acc[2 * nout + k];
        count[k] = nk;
        actual[k] = nk > 0 ? acc[k] / nk : 0;
        predicted[k] = nk > 0 ? acc[nout + k] / nk : 0;
    }
out:
    b2b2c__free(ctx, days);
    b2b2c__free(ctx, tot);
    b2b2c__free(ctx, acc);
    return rc;
}

/* ---- open / close ----------------------------------------------------------------- */

static int load_purchase(const void *k, size_t kl, const void *val, size_t vl,
                         void *payload)
{
    b2b2c_forecaster *f = payload;
    b2b2c_ctx *ctx = f->ctx;
    const uint8_t *key = k;
    b2b2c__rbuf r;
    fc_purchase p;
    fc_cust *c;
    size_t idl;
    uint64_t seq = 0;
    int32_t seg;
    int rc = b2b2c__dec_begin(&r, val, vl, 1);

    if (kl < 10 || key[kl - 9] != 0)
        rc = B2B2C_ECORRUPT;
    if (rc)
        return b2b2c__err(ctx, rc, "table '%s' key '%.*s': %s", T_PUR,
                          (int)(kl > 9 ? kl - 9 : kl), (const char *)k,
                          b2b2c_strerror(rc));
    idl = kl - 9;
    for (int i = 0; i < 8; i++)
        seq = seq << 8 | key[idl + 1 + i];
    memset(&p, 0, sizeof(p));
    p.time = b2b2c__dec_i64(&r);
    p.amount = b2b2c__dec_f64(&r);
    p.kind = b2b2c__dec_u32(&r);
    seg = (int32_t)b2b2c__dec_u32(&r);
    p.seq = (uint32_t)seq;
    p.segment = seg;
    if ((rc = b2b2c__dec_finish(&r)) != 0 || seq > UINT32_MAX ||
        p.kind > B2B2C_KIND_MAX || !b2b2c_segment_name(seg) ||
        !isfinite(p.amount) || memchr(key, 0, idl))
        return b2b2c__err(ctx, B2B2C_ECORRUPT, "table '%s' key '%.*s': %s",
                          T_PUR, (int)idl, (const char *)k,
                          b2b2c_strerror(B2B2C_ECORRUPT));
    if (!(c = b2b2c__map_get(&f->cust, k, idl))) {
        if (!(c = cust_new(ctx, k, idl)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if (b2b2c__map_put(&f->cust, c->id, idl, c, NULL)) {
            cust_free(ctx, c);
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        }
    }
    if (b2b2c__grow(&ctx->mem, (void **)&c->p, &c->cap, c->n + 1,
                    sizeof(fc_purchase)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    c->p[c->n++] = p;
    return 0;
}

static int load_cancel(const void *k, size_t kl, const void *val, size_t vl,
                       void *payload)
{
    b2b2c_forecaster *f = payload;
    b2b2c__rbuf r;
    fc_cust *c = b2b2c__map_get(&f->cust, k, kl);
    int64_t t;
    int rc = b2b2c__dec_begin(&r, val, vl, 1);
    if (rc == 0) {
        t = b2b2c__dec_i64(&r);
        rc = b2b2c__dec_finish(&r);
    }
    if (rc == 0 && !c)
        rc = B2B2C_ECORRUPT; /* a cancellation without purchases */
    if (rc)
        return b2b2c__err(f->ctx, rc, "table '%s' key '%.*s': %s", T_CAN,
                          (int)kl, (const char *)k, b2b2c_strerror(rc));
    c->has_cancel = 1;
    c->cancel = t;
    return 0;
}

static int load_kind(const void *k, size_t kl, const void *val, size_t vl,
                     void *payload)
{
    b2b2c_forecaster *f = payload;
    b2b2c__rbuf r;
    uint32_t slot = 0;
    int rc = b2b2c__dec_begin(&r, val, vl, 1);
    if (rc == 0) {
        slot = b2b2c__dec_u32(&r);
        rc = b2b2c__dec_finish(&r);
    }
    if (rc == 0 && (slot < B2B2C_KIND_HOST_FIRST || slot > B2B2C_KIND_MAX ||
                    kl == 0 || kl > 63 || f->kinds[slot][0]))
        rc = B2B2C_ECORRUPT;
    if (rc)
        return b2b2c__err(f->ctx, rc, "table '%s' key '%.*s': %s", T_KIND,
                          (int)kl, (const char *)k, b2b2c_strerror(rc));
    memcpy(f->kinds[slot], k, kl);
    f->kinds[slot][kl] = '\0';
    return 0;
}

static int load_fit(const void *k, size_t kl, const void *val, size_t vl,
                    void *payload)
{
    b2b2c_forecaster *f = payload;
    b2b2c__rbuf r;
    fc_fit ft;
    int idx = -1, rc = b2b2c__dec_begin(&r, val, vl, 2);
    for (int i = 0; i < NFIT; i++)
        if (strlen(fit_key(i)) == kl && memcmp(fit_key(i), k, kl) == 0)
            idx = i;
    memset(&ft, 0, sizeof(ft));
    if (rc == 0) {
        uint32_t nk;
        ft.model = (int32_t)b2b2c__dec_u32(&r);
        ft.status = (int32_t)b2b2c__dec_u32(&r);
        /* 0 and 1 were "no GG" and "GG" before the reason was kept */
        ft.spend_src = (int32_t)b2b2c__dec_u32(&r);
        if (ft.spend_src == 0)
            ft.spend_src = B2B2C_SPEND_MEAN_GG_FAILED;
        if (r.version >= 2) {
            ft.gg_status = (int32_t)b2b2c__dec_u32(&r);
        } else {
            /* version 1 stored a flag, 1 when the gradient test was met;
             * it could not tell the iteration limit from a stalled line
             * search, and did not test for a boundary */
            ft.status = ft.status == 1 ? B2B2C_FIT_CONVERGED
                                       : B2B2C_FIT_STALLED;
            ft.gg_status = B2B2C_FIT_CONVERGED;
        }
        ft.unit_days = b2b2c__dec_f64(&r);
        ft.cal_end = b2b2c__dec_i64(&r);
        for (int i = 0; i < 4; i++)
            ft.p[i] = b2b2c__dec_f64(&r);
        for (int i = 0; i < 3; i++)
            ft.gg[i] = b2b2c__dec_f64(&r);
        ft.ll = b2b2c__dec_f64(&r);
        ft.mean_spend = b2b2c__dec_f64(&r);
        ft.sub_rate = b2b2c__dec_f64(&r);
        ft.sub_retention = b2b2c__dec_f64(&r);
        nk = b2b2c__dec_u32(&r);
        for (uint32_t j = 0; j < nk && j < NKIND && !r.err; j++) {
            uint32_t kd = b2b2c__dec_u32(&r);
            double at = b2b2c__dec_f64(&r), sv = b2b2c__dec_f64(&r);
            if (kd == 0 || kd >= NKIND) {
                rc = B2B2C_ECORRUPT;
                break;
            }
            ft.attach[kd] = at;
            ft.svalue[kd] = sv;
        }
        if (rc == 0)
            rc = b2b2c__dec_finish(&r);
        if (rc == 0 && (nk >= NKIND || idx < 0 ||
                        (ft.model != B2B2C_FORECAST_BGNBD &&
                         ft.model != B2B2C_FORECAST_PNBD) ||
                        !b2b2c_forecast_status_name(ft.status) ||
                        !b2b2c_forecast_status_name(ft.gg_status) ||
                        !(ft.unit_days >= 1) ||
                        ft.spend_src > B2B2C_SPEND_MEAN_GG_FAILED))
            rc = B2B2C_ECORRUPT;
        for (int i = 0; i < 4 && rc == 0; i++)
            if (!(ft.p[i] > 0) || !isfinite(ft.p[i]))
                rc = B2B2C_ECORRUPT;
    }
    if (rc)
        return b2b2c__err(f->ctx, rc, "table '%s' key '%.*s': %s", T_FIT,
                          (int)kl, (const char *)k, b2b2c_strerror(rc));
    ft.valid = 1;
    f->fits[idx] = ft;
    return 0;
}

static int cmp_seq(const void *a, const void *b)
{
    const fc_purchase *u = a, *v = b;
    return u->seq < v->seq ? -1 : u->seq > v->seq;
}

void b2b2c_forecaster_free(b2b2c_forecaster *f)
{
    size_t it = 0;
    void *v;
    if (!f)
        return;
    b2b2c__handle_closing(f->ctx);
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v))
        cust_free(f->ctx, v);
    b2b2c__map_fini(&f->cust);
    b2b2c__free(f->ctx, f);
}

int b2b2c_forecaster_new(b2b2c_forecaster **out, b2b2c_ctx *ctx)
{
    b2b2c_forecaster *f;
    size_t it = 0;
    void *v;
    int rc;

    if (!out || !ctx)
        return B2B2C_EINVAL;
    *out = NULL;
    b2b2c__err_clear(ctx);
    if (!(f = b2b2c__malloc(ctx, sizeof(*f))))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(f, 0, sizeof(*f));
    f->ctx = ctx;
    b2b2c__map_init(&f->cust, &ctx->mem);
    for (int i = 0; i < NPARAMS; i++)
        *param_slot(f, i) = PARAMS[i].def;
    if ((rc = b2b2c__st_scan(ctx, T_KIND, load_kind, f)) ||
        (rc = b2b2c__st_scan(ctx, T_PUR, load_purchase, f)) ||
        (rc = b2b2c__st_scan(ctx, T_CAN, load_cancel, f)) ||
        (rc = b2b2c__st_scan(ctx, T_FIT, load_fit, f)) ||
        (rc = b2b2c__st_scan(ctx, T_CONF, load_params, f))) {
        b2b2c_forecaster_free(f);
        return rc;
    }
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        fc_cust *c = v;
        qsort(c->p, c->n, sizeof(fc_purchase), cmp_seq);
        for (size_t i = 0; i < c->n; i++)
            if (c->p[i].seq != i) { /* a gap: a lost record */
                rc = b2b2c__err(ctx, B2B2C_ECORRUPT,
                                "table '%s' key '%s': purchase %zu missing",
                                T_PUR, c->id, i);
                b2b2c_forecaster_free(f);
                return rc;
            }
        c->segment = c->p[c->n - 1].segment;
    }
    *out = f;
    return 0;
}

/* Order-independent digest of the in-memory state (tests). */
uint64_t b2b2c__forecaster_digest(const b2b2c_forecaster *f)
{
    uint64_t h = b2b2c__hash(f->fits, sizeof(f->fits)) ^
                 b2b2c__hash(f->kinds, sizeof(f->kinds));
    for (int i = 0; i < NPARAMS; i++)
        h = h * 31 + b2b2c__hash(param_slot((b2b2c_forecaster *)f, i),
                                 sizeof(double));
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        uint64_t hc = b2b2c__hash(c->id, c->idlen);
        hc ^= b2b2c__hash(c->p, c->n * sizeof(fc_purchase)) * 31;
        hc ^= b2b2c__hash(&c->segment, sizeof(c->segment)) * 7;
        hc ^= (uint64_t)c->has_cancel * 0x9e3779b97f4a7c15ULL ^
              (uint64_t)c->cancel * 13;
        h += hc * 0xff51afd7ed558ccdULL + c->n;
    }
    return h + f->cust.count;
}
