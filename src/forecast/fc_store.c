/* SPDX-License-Identifier: MIT */
/*
 * The forecaster's records: their keys and encodings, written by the
 * public calls (forecaster.c, fc_fit.c) and read back on open.
 *
 *   forecast_purchase  customer ID, 0, sequence (u64 BE) -> time, amount,
 *                      kind, segment
 *   forecast_cancel    customer ID -> time
 *   forecast_fold      customer ID -> the purchases folded (fc_fold.c)
 *   forecast_kind      host kind name -> slot
 *   forecast_fit       "all" or a segment's name -> fc_fit (version 2)
 *   forecast_config    "params" -> the parameters (forecaster.c)
 */
#include <math.h>
#include <stdlib.h>

#include "forecast/fc_state.h"

int b2b2c__fc_rec_err(b2b2c_ctx *ctx, int rc, const char *table,
                      const void *key, size_t kl)
{
    return b2b2c__err_corrupt(ctx, rc, table, key, kl, NULL);
}

static const char *fit_key(int idx)
{
    return idx == 0 ? "all" : b2b2c_segment_name(idx - 1);
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

int b2b2c__fc_put_purchase(b2b2c_ctx *ctx, const fc_cust *c,
                           const fc_purchase *p)
{
    uint8_t key[256 + 9];
    size_t kl = purchase_key(key, c, p->seq);
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_i64(&w, p->time);
    b2b2c__enc_f64(&w, p->amount);
    b2b2c__enc_u32(&w, p->kind);
    b2b2c__enc_u32(&w, (uint32_t)p->segment);
    return b2b2c__st_put_rec(ctx, FC_T_PUR, key, kl, &w);
}

int b2b2c__fc_put_cancel(b2b2c_ctx *ctx, const fc_cust *c)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_i64(&w, c->cancel);
    return b2b2c__st_put_rec(ctx, FC_T_CAN, c->id, c->idlen, &w);
}

int b2b2c__fc_del_purchases(b2b2c_ctx *ctx, const fc_cust *c, size_t k)
{
    uint8_t key[256 + 9];
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++)
        rc = b2b2c__st_del(ctx, FC_T_PUR, key,
                           purchase_key(key, c, c->p[i].seq));
    return rc;
}

int b2b2c__fc_put_fold(b2b2c_ctx *ctx, const fc_cust *c)
{
    b2b2c__wbuf w;
    b2b2c__fc_fold_enc(&w, ctx, c->fold);
    return b2b2c__st_put_rec(ctx, FC_T_FOLD, c->id, c->idlen, &w);
}

int b2b2c__fc_del_cust(b2b2c_ctx *ctx, const fc_cust *c)
{
    int rc = b2b2c__fc_del_purchases(ctx, c, c->n);
    if (rc == 0 && c->fold)
        rc = b2b2c__st_del(ctx, FC_T_FOLD, c->id, c->idlen);
    if (rc == 0 && c->has_cancel)
        rc = b2b2c__st_del(ctx, FC_T_CAN, c->id, c->idlen);
    return rc;
}

int b2b2c__fc_put_kind(b2b2c_ctx *ctx, const char *name, int slot)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_u32(&w, (uint32_t)slot);
    return b2b2c__st_put_rec(ctx, FC_T_KIND, name, strlen(name), &w);
}

int b2b2c__fc_put_fit(b2b2c_ctx *ctx, int idx, const fc_fit *ft)
{
    b2b2c__wbuf w;
    uint32_t nk = 0;
    const char *key = fit_key(idx);
    for (int k = 1; k < FC_NKIND; k++)
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
    for (int k = 1; k < FC_NKIND; k++)
        if (ft->attach[k] > 0) {
            b2b2c__enc_u32(&w, (uint32_t)k);
            b2b2c__enc_f64(&w, ft->attach[k]);
            b2b2c__enc_f64(&w, ft->svalue[k]);
        }
    return b2b2c__st_put_rec(ctx, FC_T_FIT, key, strlen(key), &w);
}

int b2b2c__fc_dec_purchase(b2b2c_ctx *ctx, const void *k, size_t kl,
                           const void *val, size_t vl, size_t *idl,
                           fc_purchase *p)
{
    const uint8_t *key = k;
    b2b2c__rbuf r;
    uint64_t seq = 0;
    int rc = 0;

    if (kl < 10 || key[kl - 9] != 0)
        return b2b2c__fc_rec_err(ctx, B2B2C_ECORRUPT, FC_T_PUR, k,
                                 kl > 9 ? kl - 9 : kl);
    *idl = kl - 9;
    for (int i = 0; i < 8; i++)
        seq = seq << 8 | key[*idl + 1 + i];
    memset(p, 0, sizeof(*p)); /* padding is hashed by the digest */
    p->seq = (uint32_t)seq;
    if (val && (rc = b2b2c__dec_begin(&r, val, vl, 1)) != 0)
        return b2b2c__fc_rec_err(ctx, rc, FC_T_PUR, k, *idl);
    if (val) {
        p->time = b2b2c__dec_i64(&r);
        p->amount = b2b2c__dec_f64(&r);
        p->kind = b2b2c__dec_u32(&r);
        p->segment = (int32_t)b2b2c__dec_u32(&r);
        rc = b2b2c__dec_finish(&r);
        if (rc == 0 && (p->kind > B2B2C_FORECAST_KIND_MAX ||
                        !b2b2c_segment_name(p->segment) ||
                        !isfinite(p->amount)))
            rc = B2B2C_ECORRUPT;
    }
    if (rc || seq > UINT32_MAX || memchr(key, 0, *idl))
        return b2b2c__fc_rec_err(ctx, B2B2C_ECORRUPT, FC_T_PUR, k, *idl);
    return 0;
}

static int load_purchase(const void *k, size_t kl, const void *val, size_t vl,
                         void *payload)
{
    b2b2c_forecaster *f = payload;
    b2b2c_ctx *ctx = f->ctx;
    fc_purchase p;
    fc_cust *c;
    size_t idl;
    int rc = b2b2c__fc_dec_purchase(ctx, k, kl, val, vl, &idl, &p);

    if (rc)
        return rc;
    if (!(c = b2b2c__map_get(&f->cust, k, idl))) {
        if (!(c = b2b2c__fc_cust_new(ctx, k, idl)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if (b2b2c__map_put(&f->cust, c->id, idl, c, NULL)) {
            b2b2c__fc_cust_free(ctx, c);
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        }
    }
    if (b2b2c__grow(&ctx->mem, (void **)&c->p, &c->cap, c->n + 1,
                    sizeof(fc_purchase)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    c->p[c->n++] = p;
    return 0;
}

/* A fold: its customer (created here: the fold is loaded first). */
static int load_fold(const void *k, size_t kl, const void *val, size_t vl,
                     void *payload)
{
    b2b2c_forecaster *f = payload;
    b2b2c_ctx *ctx = f->ctx;
    fc_folded *fd;
    fc_cust *c;
    int rc = b2b2c__fc_dec_fold(ctx, k, kl, val, vl, &fd);
    if (rc)
        return rc;
    if (!(c = b2b2c__fc_cust_new(ctx, k, kl))) {
        b2b2c__free(ctx, fd);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    c->fold = fd;
    if (b2b2c__map_put(&f->cust, c->id, kl, c, NULL)) {
        b2b2c__fc_cust_free(ctx, c);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    return 0;
}

int b2b2c__fc_dec_cancel(b2b2c_ctx *ctx, const void *k, size_t kl,
                         const void *val, size_t vl, int64_t *t)
{
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, val, vl, 1);
    if (rc == 0) {
        *t = b2b2c__dec_i64(&r);
        rc = b2b2c__dec_finish(&r);
    }
    if (rc == 0 && (kl == 0 || kl > B2B2C__ID_MAX))
        rc = B2B2C_ECORRUPT;
    return rc ? b2b2c__fc_rec_err(ctx, rc, FC_T_CAN, k, kl) : 0;
}

static int load_cancel(const void *k, size_t kl, const void *val, size_t vl,
                       void *payload)
{
    b2b2c_forecaster *f = payload;
    fc_cust *c = b2b2c__map_get(&f->cust, k, kl);
    int64_t t = 0;
    int rc = b2b2c__fc_dec_cancel(f->ctx, k, kl, val, vl, &t);
    if (rc)
        return rc;
    if (!c) /* a cancellation without purchases */
        return b2b2c__fc_rec_err(f->ctx, B2B2C_ECORRUPT, FC_T_CAN, k, kl);
    c->has_cancel = 1;
    c->cancel = t;
    return 0;
}

int b2b2c__fc_dec_kind(b2b2c_ctx *ctx, const void *k, size_t kl,
                       const void *val, size_t vl, uint32_t *slot)
{
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, val, vl, 1);
    if (rc == 0) {
        *slot = b2b2c__dec_u32(&r);
        rc = b2b2c__dec_finish(&r);
    }
    if (rc == 0 && (*slot < B2B2C_FORECAST_KIND_HOST_FIRST ||
                    *slot > B2B2C_FORECAST_KIND_MAX || kl == 0 || kl > 63 ||
                    memchr(k, 0, kl)))
        rc = B2B2C_ECORRUPT;
    return rc ? b2b2c__fc_rec_err(ctx, rc, FC_T_KIND, k, kl) : 0;
}

static int load_kind(const void *k, size_t kl, const void *val, size_t vl,
                     void *payload)
{
    b2b2c_forecaster *f = payload;
    uint32_t slot = 0;
    int rc = b2b2c__fc_dec_kind(f->ctx, k, kl, val, vl, &slot);
    if (rc)
        return rc;
    if (f->kinds[slot][0]) /* two names for one slot */
        return b2b2c__fc_rec_err(f->ctx, B2B2C_ECORRUPT, FC_T_KIND, k, kl);
    memcpy(f->kinds[slot], k, kl);
    f->kinds[slot][kl] = '\0';
    return 0;
}

int b2b2c__fc_dec_fit(b2b2c_ctx *ctx, const void *k, size_t kl,
                      const void *val, size_t vl, int *idx, fc_fit *ft)
{
    b2b2c__rbuf r;
    int rc = 0;
    *idx = -1;
    for (int i = 0; i < FC_NFIT; i++)
        if (strlen(fit_key(i)) == kl && memcmp(fit_key(i), k, kl) == 0)
            *idx = i;
    memset(ft, 0, sizeof(*ft));
    if (!val)
        return *idx < 0 ? b2b2c__fc_rec_err(ctx, B2B2C_ECORRUPT, FC_T_FIT, k,
                                            kl)
                        : 0;
    rc = b2b2c__dec_begin(&r, val, vl, 2);
    if (rc == 0) {
        uint32_t nk;
        ft->model = (int32_t)b2b2c__dec_u32(&r);
        ft->status = (int32_t)b2b2c__dec_u32(&r);
        /* 0 and 1 were "no GG" and "GG" before the reason was kept */
        ft->spend_src = (int32_t)b2b2c__dec_u32(&r);
        if (ft->spend_src == 0)
            ft->spend_src = B2B2C_SPEND_MEAN_GG_FAILED;
        if (r.version >= 2) {
            ft->gg_status = (int32_t)b2b2c__dec_u32(&r);
        } else {
            /* version 1 stored a flag, 1 when the gradient test was met;
             * it could not tell the iteration limit from a stalled line
             * search, and did not test for a boundary */
            ft->status = ft->status == 1 ? B2B2C_FIT_CONVERGED
                                         : B2B2C_FIT_STALLED;
            ft->gg_status = B2B2C_FIT_CONVERGED;
        }
        ft->unit_days = b2b2c__dec_f64(&r);
        ft->cal_end = b2b2c__dec_i64(&r);
        for (int i = 0; i < 4; i++)
            ft->p[i] = b2b2c__dec_f64(&r);
        for (int i = 0; i < 3; i++)
            ft->gg[i] = b2b2c__dec_f64(&r);
        ft->ll = b2b2c__dec_f64(&r);
        ft->mean_spend = b2b2c__dec_f64(&r);
        ft->sub_rate = b2b2c__dec_f64(&r);
        ft->sub_retention = b2b2c__dec_f64(&r);
        nk = b2b2c__dec_u32(&r);
        for (uint32_t j = 0; j < nk && j < FC_NKIND && !r.err; j++) {
            uint32_t kd = b2b2c__dec_u32(&r);
            double at = b2b2c__dec_f64(&r), sv = b2b2c__dec_f64(&r);
            if (kd == 0 || kd >= FC_NKIND) {
                rc = B2B2C_ECORRUPT;
                break;
            }
            ft->attach[kd] = at;
            ft->svalue[kd] = sv;
        }
        if (rc == 0)
            rc = b2b2c__dec_finish(&r);
        if (rc == 0 && (nk >= FC_NKIND || *idx < 0 ||
                        (ft->model != B2B2C_FORECAST_BGNBD &&
                         ft->model != B2B2C_FORECAST_PNBD) ||
                        !b2b2c_fit_status_name(ft->status) ||
                        !b2b2c_fit_status_name(ft->gg_status) ||
                        !(ft->unit_days >= 1) ||
                        ft->spend_src > B2B2C_SPEND_MEAN_GG_FAILED))
            rc = B2B2C_ECORRUPT;
        for (int i = 0; i < 4 && rc == 0; i++)
            if (!(ft->p[i] > 0) || !isfinite(ft->p[i]))
                rc = B2B2C_ECORRUPT;
    }
    if (rc)
        return b2b2c__fc_rec_err(ctx, rc, FC_T_FIT, k, kl);
    ft->valid = 1;
    return 0;
}

static int load_fit(const void *k, size_t kl, const void *val, size_t vl,
                    void *payload)
{
    b2b2c_forecaster *f = payload;
    fc_fit ft;
    int idx, rc = b2b2c__fc_dec_fit(f->ctx, k, kl, val, vl, &idx, &ft);
    if (rc == 0)
        memcpy(&f->fits[idx], &ft, sizeof(ft));
    return rc;
}

static int cmp_seq(const void *a, const void *b)
{
    const fc_purchase *u = a, *v = b;
    return u->seq < v->seq ? -1 : u->seq > v->seq;
}


int b2b2c__fc_load(void *p)
{
    b2b2c_forecaster *f = p;
    b2b2c_ctx *ctx = f->ctx;
    size_t it = 0;
    void *v;
    int rc;
    if ((rc = b2b2c__st_scan(ctx, FC_T_KIND, load_kind, f)) ||
        (rc = b2b2c__st_scan(ctx, FC_T_FOLD, load_fold, f)) ||
        (rc = b2b2c__st_scan(ctx, FC_T_PUR, load_purchase, f)) ||
        (rc = b2b2c__st_scan(ctx, FC_T_CAN, load_cancel, f)) ||
        (rc = b2b2c__st_scan(ctx, FC_T_FIT, load_fit, f)) ||
        (rc = b2b2c__st_scan(ctx, FC_T_CONF, b2b2c__fc_load_params, f)))
        return rc;
    while (b2b2c__map_next(&f->cust, &it, NULL, NULL, &v)) {
        fc_cust *c = v;
        size_t base = fc_base(c);
        if (c->n > 1) /* c->p is NULL when the fold holds them all */
            qsort(c->p, c->n, sizeof(fc_purchase), cmp_seq);
        for (size_t i = 0; i < c->n; i++)
            if (c->p[i].seq != base + i) /* a gap (a lost record), or a
                                            purchase the fold holds */
                return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, FC_T_PUR, c->id,
                                          c->idlen, "purchase %zu %s",
                                          base + i,
                                          c->p[i].seq < base ? "folded"
                                                             : "missing");
        for (size_t i = 0; c->fold && i < c->n; i++)
            if (c->p[i].time < c->fold->fo.before)
                return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, FC_T_PUR, c->id,
                                          c->idlen,
                                          "purchase %zu before the fold",
                                          base + i);
        c->segment = c->n ? c->p[c->n - 1].segment : c->fold->segment;
    }
    return 0;
}
