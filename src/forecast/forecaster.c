/* SPDX-License-Identifier: MIT */
/*
 * The stateful forecaster's public API: open and close, parameters, kinds
 * and the purchase log; fits, answers and records are in the fc_*.c files
 * (fc_state.h). Write-through as in tests/harness/toy.h: validate,
 * call_begin, undo entries before each change, records through storage,
 * call_end.
 */
#include <math.h>
#include <stdlib.h>

#include "forecast/fc_state.h"

static const char *const kind_names[6] = {
    "product", "install", "repair", "training", "extended_warranty",
    "software_subscription"};

/* ---- parameters ----------------------------------------------------------- */

/* Bounds, defaults and wholeness are in core's table (core/param.c); the
 * values live in the handle's fields, in the order of their numbers. */
#define FC_PARAM_BASE B2B2C_FORECASTER_MODEL
#define NPARAMS 10

static double *param_slot(b2b2c_forecaster *f, int i)
{
    double *s[NPARAMS] = {&f->model,    &f->unit_days, &f->l2,
                          &f->discount, &f->margin,    &f->smargin,
                          &f->min_alive, &f->min_intervals, &f->max_iter,
                          &f->fold_days};
    return s[i];
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
    return b2b2c__st_put_rec(f->ctx, FC_T_CONF, "params", 6, &w);
}

/* The parameters of the stored record (val), or the defaults (val NULL),
 * into v[NPARAMS]. */
static int dec_params(b2b2c_ctx *ctx, const void *k, size_t kl,
                      const void *val, size_t vl, double *v)
{
    b2b2c__rbuf r;
    uint32_t n = 0;
    int rc;
    b2b2c__param_defaults(FC_PARAM_BASE, v);
    if (!val)
        return 0;
    rc = b2b2c__dec_begin(&r, val, vl, 1);
    if (rc == 0 && !(kl == 6 && memcmp(k, "params", 6) == 0))
        rc = B2B2C_ECORRUPT;
    if (rc == 0 && ((n = b2b2c__dec_u32(&r)) > (uint32_t)NPARAMS || r.err))
        rc = B2B2C_ECORRUPT;
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        v[i] = b2b2c__dec_f64(&r);
        if (!b2b2c__param_valid(
                b2b2c__param_find(FC_PARAM_BASE + (int32_t)i), v[i]))
            rc = B2B2C_ECORRUPT;
    }
    if (rc == 0)
        rc = b2b2c__dec_finish(&r);
    return rc ? b2b2c__fc_rec_err(ctx, rc, FC_T_CONF, k, kl) : 0;
}

int b2b2c__fc_load_params(const void *k, size_t kl, const void *val,
                          size_t vl, void *payload)
{
    b2b2c_forecaster *f = payload;
    double v[NPARAMS];
    int rc = dec_params(f->ctx, k, kl, val, vl, v);
    for (int i = 0; i < NPARAMS && rc == 0; i++)
        *param_slot(f, i) = v[i];
    return rc;
}

int b2b2c__fc_refresh_params(b2b2c_forecaster *f, const void *k, size_t kl,
                             const void *val, size_t vl)
{
    double v[NPARAMS];
    int rc = dec_params(f->ctx, k, kl, val, vl, v);
    for (int i = 0; i < NPARAMS && rc == 0; i++) {
        double *slot = param_slot(f, i);
        if (memcmp(slot, &v[i], sizeof(double)) != 0 &&
            (rc = b2b2c__undo_save(f->ctx, slot, sizeof(double))) == 0)
            *slot = v[i];
    }
    return rc;
}

static int set_param_body(b2b2c_forecaster *f, int i, double value)
{
    double *slot = param_slot(f, i);
    int rc = b2b2c__undo_save(f->ctx, slot, sizeof(double));
    if (rc == 0) {
        *slot = value;
        rc = put_params(f);
    }
    return rc;
}

int b2b2c_forecaster_set_param(b2b2c_forecaster *f, int32_t param,
                               double value)
{
    int i, rc;
    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if ((rc = b2b2c__param_check(f->ctx, FC_PARAM_BASE, param, value)) != 0)
        return rc;
    i = param - FC_PARAM_BASE;
    /* the record holds every parameter: written from the latest state, so
     * another context's change to another parameter is kept */
    B2B2C__CALL(rc, f->ctx, f, set_param_body(f, i, value));
    return rc;
}

int b2b2c_forecaster_get_param(double *value, const b2b2c_forecaster *f,
                               int32_t param)
{
    int i, rc;
    if (!f || !value)
        return B2B2C_EINVAL;
    if (param < FC_PARAM_BASE || param >= FC_PARAM_BASE + NPARAMS)
        return b2b2c__err(f->ctx, B2B2C_EINVAL,
                          "param: %d is not a forecaster parameter",
                          (int)param);
    if ((rc = b2b2c__sync_read(f->ctx)) != 0)
        return rc;
    i = param - FC_PARAM_BASE;
    *value = *param_slot((b2b2c_forecaster *)f, i);
    return 0;
}

/* ---- kinds ---------------------------------------------------------------- */

const char *b2b2c__fc_kind_name(const b2b2c_forecaster *f, int32_t kind)
{
    if (kind >= 0 && kind < 6)
        return kind_names[kind];
    if (f && kind >= B2B2C_FORECAST_KIND_HOST_FIRST &&
        kind <= B2B2C_FORECAST_KIND_MAX && f->kinds[kind][0])
        return f->kinds[kind];
    return NULL;
}

const char *b2b2c_forecaster_kind_name(const b2b2c_forecaster *f,
                                       int32_t kind)
{
    /* a host kind may have been added by another context; a failed sync
     * (message on the context) answers from what memory holds */
    if (f && kind >= B2B2C_FORECAST_KIND_HOST_FIRST)
        (void)b2b2c__sync_read(f->ctx);
    return b2b2c__fc_kind_name(f, kind);
}

/* The slot of host kind `name` (an existing one, else the first free). */
static int add_kind_body(b2b2c_forecaster *f, const char *name, int *out)
{
    b2b2c_ctx *ctx = f->ctx;
    int rc, slot = -1;
    for (int i = B2B2C_FORECAST_KIND_HOST_FIRST; i <= B2B2C_FORECAST_KIND_MAX;
         i++) {
        if (strcmp(f->kinds[i], name) == 0) {
            *out = i;
            return 0;
        }
        if (slot < 0 && !f->kinds[i][0])
            slot = i;
    }
    if (slot < 0)
        return b2b2c__err(ctx, B2B2C_ERANGE, "name: all 48 host kinds in use");
    if ((rc = b2b2c__undo_save(ctx, f->kinds[slot], sizeof(f->kinds[slot]))))
        return rc;
    strcpy(f->kinds[slot], name);
    *out = slot;
    return b2b2c__fc_put_kind(ctx, name, slot);
}

int b2b2c_forecaster_add_kind(int32_t *kind, b2b2c_forecaster *f,
                              const char *name)
{
    b2b2c_ctx *ctx;
    int rc, slot = -1;
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
    B2B2C__CALL(rc, ctx, f, add_kind_body(f, name, &slot));
    if (rc == 0)
        *kind = slot;
    return rc;
}

int b2b2c__fc_check_id(b2b2c_ctx *ctx, const char *id, size_t *n)
{
    if (!id)
        return b2b2c__err(ctx, B2B2C_EINVAL, "customer_id: NULL");
    if (b2b2c__id_check(id, n))
        return b2b2c__err(ctx, B2B2C_EBADID, "customer_id: not a valid ID");
    return 0;
}

int b2b2c__fc_cust_call(const b2b2c_forecaster *f, const char *id, size_t *n,
                        int64_t t, const char *targ)
{
    int rc;
    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if ((rc = b2b2c__fc_check_id(f->ctx, id, n)) != 0)
        return rc;
    return b2b2c__check_time(f->ctx, t, targ);
}

/* ---- purchases ------------------------------------------------------------ */

fc_cust *b2b2c__fc_cust_new(b2b2c_ctx *ctx, const char *id, size_t n)
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

void b2b2c__fc_cust_free(b2b2c_ctx *ctx, fc_cust *c)
{
    if (c) {
        b2b2c__free(ctx, c->p);
        b2b2c__free(ctx, c->fold);
        b2b2c__free(ctx, c);
    }
}

static void undo_free_cust(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    b2b2c__fc_cust_free(ctx, a);
}

int b2b2c__fc_cust_create(fc_cust **out, b2b2c_forecaster *f, const char *id,
                          size_t n)
{
    b2b2c_ctx *ctx = f->ctx;
    fc_cust *c = b2b2c__fc_cust_new(ctx, id, n);
    int rc;
    if (!c)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_push(ctx, undo_free_cust, NULL, c, NULL, 0))) {
        b2b2c__fc_cust_free(ctx, c);
        return rc;
    }
    if ((rc = b2b2c__map_insert_undoable(ctx, &f->cust, c->id, n, c)))
        return rc;
    *out = c;
    return 0;
}

int b2b2c__fc_cust_drop(b2b2c_forecaster *f, fc_cust *c)
{
    int rc = b2b2c__map_remove_undoable(f->ctx, &f->cust, c->id, c->idlen);
    /* the record goes when the call commits (an undo puts it back) */
    return rc ? rc
              : b2b2c__undo_push(f->ctx, NULL, undo_free_cust, c, NULL, 0);
}

/* The customer of a valid ID, or B2B2C_ENOTFOUND naming it. */
int b2b2c__fc_find_cust(const b2b2c_forecaster *f, const char *id,
                        fc_cust **out)
{
    size_t n;
    int rc;
    if ((rc = b2b2c__fc_check_id(f->ctx, id, &n)) != 0)
        return rc;
    if (!(*out = b2b2c__map_get(&f->cust, id, n)))
        return b2b2c__err(f->ctx, B2B2C_ENOTFOUND,
                          "customer_id: unknown '%s'", id);
    return 0;
}

static int add_purchase_body(b2b2c_forecaster *f, const char *customer_id,
                             size_t n, int32_t segment, int64_t time,
                             double amount, int32_t kind)
{
    b2b2c_ctx *ctx = f->ctx;
    fc_cust *c;
    fc_purchase p;
    int rc;

    if (!fc_kind_known(f, kind)) /* host kinds: the latest state's */
        return b2b2c__err(ctx, B2B2C_EINVAL, "kind: unknown (%d)", (int)kind);
    c = b2b2c__map_get(&f->cust, customer_id, n);
    if (!c && (rc = b2b2c__fc_cust_create(&c, f, customer_id, n)) != 0)
        return rc;
    if (c->fold && time < c->fold->fo.before) {
        char d[64];
        b2b2c__fc_fmt_date(ctx, d, sizeof d, c->fold->fo.before);
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "time: customer '%s' is folded up to %s (t=%lld); "
                          "a purchase before it cannot be added",
                          c->id, d, (long long)c->fold->fo.before);
    }
    if (fc_base(c) + c->n >= UINT32_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE, "customer_id: too many purchases");
    /* growing keeps the contents, so only n and segment need undo */
    if ((rc = b2b2c__grow(&ctx->mem, (void **)&c->p, &c->cap, c->n + 1,
                          sizeof(fc_purchase))))
        return b2b2c__err(ctx, rc, "out of memory");
    if ((rc = b2b2c__undo_save(ctx, &c->n, sizeof(c->n))) ||
        (rc = b2b2c__undo_save(ctx, &c->segment, sizeof(c->segment))))
        return rc;
    memset(&p, 0, sizeof(p)); /* padding is hashed by the digest */
    p.time = time;
    p.amount = amount;
    p.kind = (uint32_t)kind;
    p.seq = (uint32_t)(fc_base(c) + c->n); /* the next sequence of the
                                               latest state */
    p.segment = segment;
    c->p[c->n++] = p;
    c->segment = segment;
    return b2b2c__fc_put_purchase(ctx, c, &p);
}

int b2b2c_forecaster_add_purchase(b2b2c_forecaster *f,
                                  const char *customer_id, int32_t segment,
                                  int64_t time, double amount, int32_t kind)
{
    b2b2c_ctx *ctx;
    size_t n;
    int rc;

    if ((rc = b2b2c__fc_cust_call(f, customer_id, &n, time, "time")) != 0)
        return rc;
    ctx = f->ctx;
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown (%d)",
                          (int)segment);
    if ((rc = b2b2c__check_amount(ctx, amount, "amount")) != 0)
        return rc;
    if (kind < 0 || kind > B2B2C_FORECAST_KIND_MAX)
        return b2b2c__err(ctx, B2B2C_EINVAL, "kind: unknown (%d)", (int)kind);
    B2B2C__CALL(rc, ctx, f,
                add_purchase_body(f, customer_id, n, segment, time, amount,
                                  kind));
    return rc;
}

static int cancel_body(b2b2c_forecaster *f, const char *customer_id,
                       int64_t time)
{
    b2b2c_ctx *ctx = f->ctx;
    fc_cust *c;
    int rc, has = 0;
    int64_t first = 0;

    if ((rc = b2b2c__fc_find_cust(f, customer_id, &c)) != 0)
        return rc;
    if (c->fold && c->fold->fo.nsub) { /* folded ones are the earliest */
        has = 1;
        first = c->fold->fo.sub_first;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->p[i].kind == B2B2C_FORECAST_KIND_SOFTWARE_SUBSCRIPTION &&
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
    if ((rc = b2b2c__undo_save(ctx, &c->has_cancel, sizeof(c->has_cancel))) ||
        (rc = b2b2c__undo_save(ctx, &c->cancel, sizeof(c->cancel))))
        return rc;
    c->has_cancel = 1;
    c->cancel = time;
    return b2b2c__fc_put_cancel(ctx, c);
}

int b2b2c_forecaster_cancel_subscription(b2b2c_forecaster *f,
                                         const char *customer_id,
                                         int64_t time)
{
    size_t n;
    int rc;

    if ((rc = b2b2c__fc_cust_call(f, customer_id, &n, time, "time")) != 0)
        return rc;
    B2B2C__CALL(rc, f->ctx, f, cancel_body(f, customer_id, time));
    return rc;
}

/* Removal; an erasure (issue 20) also makes the change log forget the
 * customer's keys. */
static int remove_body(b2b2c_forecaster *f, const char *customer_id,
                       int erase)
{
    fc_cust *c;
    int rc;
    if ((rc = b2b2c__fc_find_cust(f, customer_id, &c)) != 0 ||
        (rc = b2b2c__fc_del_cust(f->ctx, c)) != 0 ||
        (rc = b2b2c__fc_cust_drop(f, c)) != 0)
        return rc;
    if (erase)
        b2b2c__sync_forget(f->ctx);
    return 0;
}

static int remove_call(b2b2c_forecaster *f, const char *customer_id,
                       int erase)
{
    size_t n;
    int rc;

    if (!f)
        return B2B2C_EINVAL;
    b2b2c__err_clear(f->ctx);
    if ((rc = b2b2c__fc_check_id(f->ctx, customer_id, &n)) != 0)
        return rc;
    B2B2C__CALL(rc, f->ctx, f, remove_body(f, customer_id, erase));
    return rc;
}

int b2b2c_forecaster_remove_customer(b2b2c_forecaster *f,
                                     const char *customer_id)
{
    return remove_call(f, customer_id, 0);
}

int b2b2c__fc_erase_op(void *h, const char *id, size_t n)
{
    (void)n;
    return remove_body(h, id, 1);
}

int b2b2c_forecaster_erase(b2b2c_forecaster *f, const char *customer_id)
{
    return remove_call(f, customer_id, 1);
}

/* ---- open / close --------------------------------------------------------- */

void b2b2c__fc_clear(b2b2c_forecaster *f)
{
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v))
        b2b2c__fc_cust_free(f->ctx, v);
    b2b2c__map_fini(&f->cust);
}

void b2b2c_forecaster_free(b2b2c_forecaster *f)
{
    if (!f)
        return;
    b2b2c__handle_closing(f->ctx, f);
    b2b2c__fc_clear(f);
    b2b2c__free(f->ctx, f->dirty);
    b2b2c__free(f->ctx, f);
}

void b2b2c__fc_init(b2b2c_forecaster *f, b2b2c_ctx *ctx)
{
    double d[NPARAMS];
    memset(f, 0, sizeof(*f));
    f->ctx = ctx;
    b2b2c__map_init(&f->cust, &ctx->mem);
    b2b2c__param_defaults(FC_PARAM_BASE, d);
    for (int i = 0; i < NPARAMS; i++)
        *param_slot(f, i) = d[i];
}

int b2b2c_forecaster_new(b2b2c_forecaster **out, b2b2c_ctx *ctx)
{
    b2b2c_forecaster *f;
    int rc;

    if (!out || !ctx)
        return B2B2C_EINVAL;
    *out = NULL;
    b2b2c__err_clear(ctx);
    if (!(f = b2b2c__malloc(ctx, sizeof(*f))))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    b2b2c__fc_init(f, ctx);
    b2b2c__handle_opened(ctx); /* the failure path frees through _free */
    /* one read transaction: a consistent state, the one the context (and
     * its other engines) has seen */
    rc = b2b2c__engine_open(ctx, &b2b2c__fc_engine_ops, f);
    if (rc) {
        b2b2c_forecaster_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

/* Order-independent digest of the in-memory state (tests). */
uint64_t b2b2c__forecaster_digest(const b2b2c_forecaster *f)
{
    uint64_t d = b2b2c__mix64(b2b2c__hash(f->fits, sizeof(f->fits)),
                              b2b2c__hash(f->kinds, sizeof(f->kinds)));
    uint64_t sum = 0;
    for (int i = 0; i < NPARAMS; i++)
        d = b2b2c__mix64(
            d, b2b2c__dbits(*param_slot((b2b2c_forecaster *)f, i)));
    size_t it = 0;
    void *v;
    /* customers: order-independent (a sum of their own digests) */
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        const fc_cust *c = v;
        uint64_t h = b2b2c__hash(c->id, c->idlen);
        h = b2b2c__mix64(h, b2b2c__hash(c->p, c->n * sizeof(fc_purchase)));
        h = b2b2c__mix64(h, c->n);
        h = b2b2c__mix64(h, b2b2c__hash(&c->segment, sizeof(c->segment)));
        h = b2b2c__mix64(h, (uint64_t)c->has_cancel);
        h = b2b2c__mix64(h, (uint64_t)c->cancel);
        if (c->fold)
            h = b2b2c__mix64(
                h, b2b2c__hash(c->fold, b2b2c__fc_folded_size(
                                            c->fold->nsvc, c->fold->ngap)));
        sum += h;
    }
    d = b2b2c__mix64(d, sum);
    return b2b2c__mix64(d, f->cust.count);
}
