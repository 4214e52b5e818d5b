/* SPDX-License-Identifier: MIT */
/* Lead model: the handle (create, free) and loading it from the store. */
#include <stdio.h>

#include "lead_points.h"

/* Reading a lead record (format: see b2b2c__lead_write in lead_event.c). */
typedef struct pk {
    const uint8_t *p, *end;
    int err;
} pk;

static uint64_t get_uv(pk *k)
{
    uint64_t v = 0;
    for (int sh = 0; sh < 64; sh += 7) {
        uint8_t b;
        if (k->p >= k->end) {
            k->err = 1;
            return 0;
        }
        b = *k->p++;
        v |= (uint64_t)(b & 0x7f) << sh;
        if (!(b & 0x80))
            return v;
    }
    k->err = 1;
    return 0;
}

static int64_t get_zz(pk *k)
{
    uint64_t v = get_uv(k);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static uint8_t get_u8(pk *k)
{
    if (k->p >= k->end) {
        k->err = 1;
        return 0;
    }
    return *k->p++;
}

static double get_f64(pk *k)
{
    uint64_t v = 0;
    double d;
    if (k->end - k->p < 8) {
        k->err = 1;
        return 0;
    }
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)k->p[i] << (8 * i);
    k->p += 8;
    memcpy(&d, &v, 8);
    return d;
}

static uint32_t get_u32v(pk *k)
{
    uint64_t v = get_uv(k);
    if (v > UINT32_MAX)
        k->err = 1;
    return (uint32_t)v;
}

/* ---- handle ------------------------------------------------------------------- */

/* Free what the handle owns, not the handle. */
static void model_clear(b2b2c_lead_model *m)
{
    b2b2c_ctx *ctx = m->ctx;
    for (size_t i = 0; i < m->nleads; i++) {
        lead_rec *r = lead_at(m, i);
        b2b2c__free(ctx, r->ks);
        b2b2c__free(ctx, r->late);
        if (r->id != r->sid)
            b2b2c__free(ctx, r->id);
    }
    for (size_t i = 0; i < m->nchunks; i++)
        b2b2c__free(ctx, ((void **)m->chunks[i])[-1]); /* raw block */
    b2b2c__free(ctx, m->chunks);
    for (size_t i = 0; i < m->nattrs; i++)
        b2b2c__free(ctx, m->attrs[i]);
    b2b2c__free(ctx, m->attrs);
    for (size_t i = 0; i < m->nrows; i++)
        b2b2c__free(ctx, m->rows[i]);
    b2b2c__free(ctx, m->rows);
    b2b2c__map_fini(&m->leads);
    b2b2c__map_fini(&m->attrmap);
    b2b2c__lead_hist_free(m);
    b2b2c__lead_close_free(m);
    b2b2c__lead_gens_free(m);
}

static void model_release(b2b2c_lead_model *m)
{
    model_clear(m);
    b2b2c__free(m->ctx, m);
}

void b2b2c_lead_model_free(b2b2c_lead_model *m)
{
    if (!m)
        return;
    b2b2c__handle_closing(m->ctx, m);
    model_release(m);
}

static int corrupt(b2b2c_lead_model *m, const char *table, const void *k,
                   size_t kl, int rc)
{
    if (rc != B2B2C_ENOMEM && rc != B2B2C_EVERSION)
        rc = B2B2C_ECORRUPT;
    return b2b2c__err_corrupt(m->ctx, rc, table, k, kl, NULL);
}

/* ---- record decoders: one per record type, for the open and refresh ---- */

/* A record of `table`/`k` needs kinds 0..nk-1 and attributes 1..na. At the
 * open they exist already (the loader reads them first); while a sync
 * hands over keys they may come later in it, so the need is noted for
 * refresh_done (lead_sync.c) and only bounded here. 1 when fine. */
static int refs_ok(b2b2c_lead_model *m, const char *table, const void *k,
                   size_t kl, uint32_t nk, uint32_t na)
{
    lead_defer *d = &m->defer;
    if (!d->on)
        return nk <= m->nkinds && na <= m->nattrs;
    if (nk > B2B2C_LEAD_EV_MAX || na > 100000000u)
        return 0;
    if (kl > sizeof(d->kkey))
        kl = sizeof(d->kkey);
    if (nk > d->kinds) {
        d->kinds = nk;
        d->ktable = table;
        d->kklen = kl;
        memcpy(d->kkey, k, kl);
    }
    if (na > d->attrs) {
        d->attrs = na;
        d->atable = table;
        d->aklen = kl;
        memcpy(d->akey, k, kl);
    }
    return 1;
}

static uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
    a = a > b ? a : b;
    return a > c ? a : c;
}

static int config_body(b2b2c_lead_model *m, b2b2c__rbuf *r);

/* A record of T_CONFIG or T_MODEL: `body` decodes the fields between
 * dec_begin and dec_finish and returns 0 or B2B2C_ECORRUPT; every failure
 * is reported as the record `k` of `table` being corrupt. */
static int load_rec(b2b2c_lead_model *m, const char *table,
                    int (*body)(b2b2c_lead_model *, b2b2c__rbuf *),
                    uint8_t max_version, const void *k, size_t kl,
                    const void *v, size_t vl)
{
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, v, vl, max_version);
    if (rc == 0 && (rc = body(m, &r)) == 0)
        rc = b2b2c__dec_finish(&r);
    return rc ? corrupt(m, table, k, kl, rc) : 0;
}

/* Version 1: 7 parameters, the segment points and the kinds; version 2
 * adds a count and the parameters after the first 7 (a count below
 * LEAD_NPARAMS leaves the rest at their defaults: a later minor version
 * appends parameters this way). */
static int config_body(b2b2c_lead_model *m, b2b2c__rbuf *r)
{
    uint32_t nk;
    for (int i = 0; i < LEAD_NPARAMS_V1; i++) {
        m->params[i] = b2b2c__dec_f64(r);
        if (!b2b2c__param_valid(b2b2c__param_find(100 + i), m->params[i]))
            r->err = B2B2C_ECORRUPT;
    }
    for (int i = 0; i < LEAD_NSEG; i++)
        m->seg_points[i] = b2b2c__dec_f64(r);
    nk = b2b2c__dec_u32(r);
    if (nk < B2B2C_LEAD_EV_BUILTIN_COUNT || nk > B2B2C_LEAD_EV_MAX)
        return B2B2C_ECORRUPT;
    m->nkinds = nk;
    for (uint32_t i = 0; i < nk && !r->err; i++) {
        lead_kind *kd = &m->kinds[i];
        size_t n;
        const char *s = b2b2c__dec_bytes(r, &n);
        if (r->err || n == 0 || n >= sizeof(kd->name))
            return B2B2C_ECORRUPT;
        memcpy(kd->name, s, n);
        kd->name[n] = '\0';
        kd->points = b2b2c__dec_f64(r);
        kd->cap_day = b2b2c__dec_f64(r);
        kd->cap_total = b2b2c__dec_f64(r);
        kd->hot_days = b2b2c__dec_f64(r);
    }
    for (int i = LEAD_NPARAMS_V1; i < LEAD_NPARAMS; i++)
        m->params[i] = b2b2c__param_find(100 + i)->def;
    if (r->version >= 2) {
        uint32_t np = b2b2c__dec_u32(r);
        if (np > LEAD_NPARAMS - LEAD_NPARAMS_V1)
            return B2B2C_ECORRUPT;
        for (uint32_t i = 0; i < np; i++) {
            int p = LEAD_NPARAMS_V1 + (int)i;
            m->params[p] = b2b2c__dec_f64(r);
            if (!b2b2c__param_valid(b2b2c__param_find(100 + p),
                                    m->params[p]))
                r->err = B2B2C_ECORRUPT;
        }
    }
    return 0;
}

static int model_body(b2b2c_lead_model *m, b2b2c__rbuf *r)
{
    uint32_t nk;
    m->bias = b2b2c__dec_f64(r);
    for (int i = 0; i < LEAD_NSEG; i++)
        m->seg_w[i] = b2b2c__dec_f64(r);
    for (int i = 0; i < 4; i++)
        m->rng.s[i] = b2b2c__dec_u64(r);
    nk = b2b2c__dec_u32(r);
    if (!refs_ok(m, T_MODEL, "weights", 7, nk, 0))
        return B2B2C_ECORRUPT;
    for (uint32_t i = 0; i < nk; i++) {
        m->kinds[i].w_cnt = b2b2c__dec_f64(r);
        m->kinds[i].w_val = b2b2c__dec_f64(r);
    }
    /* kinds the record predates have no weights yet */
    for (uint32_t i = nk; i < m->nkinds; i++)
        m->kinds[i].w_cnt = m->kinds[i].w_val = 0;
    return 0;
}

int b2b2c__lead_dec_config(b2b2c_lead_model *m, const void *k, size_t kl,
                           const void *v, size_t vl)
{
    return load_rec(m, T_CONFIG, config_body, 2, k, kl, v, vl);
}

int b2b2c__lead_dec_model(b2b2c_lead_model *m, const void *k, size_t kl,
                          const void *v, size_t vl)
{
    return load_rec(m, T_MODEL, model_body, 1, k, kl, v, vl);
}

/* The u32 big-endian index of a 4-byte key, or UINT32_MAX when malformed. */
static uint32_t key_index(const void *k, size_t kl)
{
    const unsigned char *b = k;
    uint32_t idx;
    if (kl != 4)
        return UINT32_MAX;
    idx = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
          b[3];
    return idx > 100000000u ? UINT32_MAX : idx;
}

int b2b2c__lead_dec_attr(b2b2c_lead_model *m, const void *k, size_t kl,
                         const void *v, size_t vl, lead_attr **out)
{
    b2b2c__rbuf r;
    uint32_t idx;
    uint8_t at;
    size_t n;
    const char *s;
    lead_attr *a;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(m, T_ATTRS, k, kl, rc);
    idx = key_index(k, kl);
    at = b2b2c__dec_u8(&r);
    s = b2b2c__dec_bytes(&r, &n);
    if (r.err || at < 1 || at > 3 || n < 1 || n > B2B2C__ID_MAX ||
        idx == UINT32_MAX)
        return corrupt(m, T_ATTRS, k, kl, B2B2C_ECORRUPT);
    a = b2b2c__malloc(m->ctx, sizeof(*a) + n + 2);
    if (!a)
        return corrupt(m, T_ATTRS, k, kl, B2B2C_ENOMEM);
    a->idx = idx;
    a->attr = at;
    a->key[0] = (char)at;
    memcpy(a->key + 1, s, n);
    a->key[n + 1] = '\0';
    a->klen = n + 1;
    a->points = b2b2c__dec_f64(&r);
    a->w = b2b2c__dec_f64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0) {
        b2b2c__free(m->ctx, a);
        return corrupt(m, T_ATTRS, k, kl, rc);
    }
    *out = a;
    return 0;
}

/* created + a stored delta, wrapping as the writer's subtraction did: a
 * record stored before the time range may hold any int64. */
static int64_t zz_add(int64_t a, int64_t d)
{
    return (int64_t)((uint64_t)a + (uint64_t)d);
}

/* nk per-kind entries into ks; the most kinds they need (kind + 1). */
static uint32_t get_ks(pk *q, lead_ks *ks, uint32_t nk)
{
    uint32_t kneed = 0;
    for (uint32_t i = 0; i < nk && !q->err; i++) {
        lead_ks *s = &ks[i];
        uint8_t fl;
        s->kind = get_u8(q);
        fl = get_u8(q);
        s->pad = 0;
        s->cnt = get_f64(q);
        s->val = fl & 1 ? get_f64(q) : 0;
        s->day = INT32_MIN;
        s->day_n = s->total_n = 0;
        if (fl & 2) {
            int64_t day = get_zz(q);
            if (day < INT32_MIN || day > INT32_MAX)
                q->err = 1;
            s->day = (int32_t)day;
            s->day_n = get_u32v(q);
            s->total_n = get_u32v(q);
        }
        if (fl > 3)
            q->err = 1;
        if ((uint32_t)s->kind + 1 > kneed)
            kneed = (uint32_t)s->kind + 1;
    }
    return kneed;
}

/* The late-event bookkeeping of a version 2 record (lead_event.c,
 * put_late) into l->late: q->err when malformed (checkpoint not before
 * the events, events out of time order, the last one not the lead's last
 * event), B2B2C_ENOMEM. */
static int get_late(b2b2c_lead_model *m, pk *q, lead_rec *l, uint32_t *kneed)
{
    lead_late h, *late;
    lead_lev *ev;
    uint32_t nk, n, kn;
    memset(&h, 0, sizeof(h));
    h.eng = get_f64(q);
    h.t0 = zz_add(l->created, get_zz(q));
    h.hot_until = get_zz(q);
    h.band = get_u8(q);
    h.band_prev = get_u8(q);
    h.band_at = zz_add(l->created, get_zz(q));
    nk = get_u32v(q);
    if (q->err || nk > B2B2C_LEAD_EV_MAX || h.band > 3 || h.band_prev > 3 ||
        !(h.eng >= 0) || h.t0 < l->created) {
        q->err = 1;
        return 0;
    }
    /* the events' count comes after the entries: grown once it is read */
    late = b2b2c__malloc(m->ctx, lead_late_size(nk, 0));
    if (!late)
        return B2B2C_ENOMEM;
    memset(late, 0, lead_late_size(nk, 0));
    *late = h;
    late->nk = (uint16_t)nk;
    kn = get_ks(q, late->ks, nk);
    n = get_u32v(q);
    if (q->err || n < 1 || n > LEAD_LATE_MAX) {
        q->err = 1;
        b2b2c__free(m->ctx, late);
        return 0;
    }
    {
        lead_late *g = b2b2c__arealloc(&m->ctx->mem, late,
                                       lead_late_size(nk, n));
        if (!g) {
            b2b2c__free(m->ctx, late);
            return B2B2C_ENOMEM;
        }
        late = g;
    }
    late->n = n;
    memset(lead_late_ev(late), 0, n * sizeof(lead_lev));
    ev = lead_late_ev(late);
    for (uint32_t i = 0; i < n && !q->err; i++) {
        uint8_t fl;
        ev[i].at = zz_add(l->created, get_zz(q));
        ev[i].kind = get_u8(q);
        fl = get_u8(q);
        ev[i].value = fl & 1 ? get_f64(q) : 0;
        ev[i].dealer = (uint8_t)(fl >> 1 & 1);
        if (fl > 3 || !(ev[i].value >= 0) ||
            ev[i].at < (i ? ev[i - 1].at : h.t0))
            q->err = 1;
        if ((uint32_t)ev[i].kind + 1 > kn)
            kn = (uint32_t)ev[i].kind + 1;
    }
    if (q->err || ev[n - 1].at != l->t0) {
        q->err = 1;
        b2b2c__free(m->ctx, late);
        return 0;
    }
    if (kn > *kneed)
        *kneed = kn;
    l->late = late;
    return 0;
}

int b2b2c__lead_dec_lead(b2b2c_lead_model *m, const void *k, size_t kl,
                         const void *v, size_t vl, lead_rec *l, uint32_t *gen)
{
    b2b2c__rbuf r;
    pk q;
    uint32_t nk, kneed, g = 0;
    int late;
    int rc = b2b2c__dec_begin(&r, v, vl, 3);
    if (rc)
        return corrupt(m, T_LEADS, k, kl, rc);
    if (kl < 1 || kl > B2B2C__ID_MAX)
        return corrupt(m, T_LEADS, k, kl, B2B2C_ECORRUPT);
    memset(l, 0, sizeof(*l));
    {
        size_t n;
        const uint8_t *blob = b2b2c__dec_bytes(&r, &n);
        q.p = blob;
        q.end = blob ? blob + n : blob;
        q.err = r.err != 0;
    }
    l->created = get_zz(&q);
    l->segment = get_u8(&q);
    l->chan = get_u32v(&q);
    l->region = get_u32v(&q);
    l->prod = get_u32v(&q);
    l->stage = get_u8(&q);
    l->stage_at = zz_add(l->created, get_zz(&q));
    l->nhist = get_u32v(&q);
    l->band = get_u8(&q);
    l->band_prev = get_u8(&q);
    l->band_at = zz_add(l->created, get_zz(&q));
    l->eng = get_f64(&q);
    l->t0 = zz_add(l->created, get_zz(&q));
    l->hot_until = get_zz(&q);
    nk = get_u32v(&q);
    if (q.err || l->segment >= LEAD_NSEG || l->stage >= LEAD_NSTAGES ||
        l->band > 3 || (l->band_prev & 0x7f) > 3 || nk > B2B2C_LEAD_EV_MAX ||
        !(l->eng >= 0))
        return corrupt(m, T_LEADS, k, kl, B2B2C_ECORRUPT);
    if (nk && !(l->ks = b2b2c__malloc(m->ctx, nk * sizeof(lead_ks))))
        return corrupt(m, T_LEADS, k, kl, B2B2C_ENOMEM);
    l->nk = l->capk = (uint16_t)nk;
    kneed = get_ks(&q, l->ks, nk);
    if (kneed < nk)
        kneed = nk;
    late = r.version == 2;
    if (r.version >= 3) { /* the generation, then whether late fields follow */
        uint8_t f;
        g = get_u32v(&q);
        f = get_u8(&q);
        if (f > 1)
            q.err = 1;
        late = f == 1;
    }
    if (late && !q.err) {
        rc = get_late(m, &q, l, &kneed);
        if (rc == B2B2C_ENOMEM) {
            b2b2c__free(m->ctx, l->ks);
            return corrupt(m, T_LEADS, k, kl, rc);
        }
    }
    if (q.err || q.p != q.end ||
        !refs_ok(m, T_LEADS, k, kl, kneed,
                 max3(l->chan, l->region, l->prod)))
        r.err = B2B2C_ECORRUPT;
    if ((rc = b2b2c__dec_finish(&r)) != 0) {
        b2b2c__free(m->ctx, l->ks);
        b2b2c__free(m->ctx, l->late);
        return corrupt(m, T_LEADS, k, kl, rc);
    }
    if (gen)
        *gen = g;
    return 0;
}

int b2b2c__lead_dec_row(b2b2c_lead_model *m, const void *k, size_t kl,
                        const void *v, size_t vl, lead_row **out,
                        uint32_t *idx_out)
{
    b2b2c__rbuf r;
    lead_row *row;
    uint32_t idx, nk, kneed;
    uint8_t label, seg;
    uint32_t chan, region, prod;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(m, T_TRAIN, k, kl, rc);
    idx = key_index(k, kl);
    label = b2b2c__dec_u8(&r);
    seg = b2b2c__dec_u8(&r);
    chan = b2b2c__dec_u32(&r);
    region = b2b2c__dec_u32(&r);
    prod = b2b2c__dec_u32(&r);
    nk = b2b2c__dec_u32(&r);
    if (r.err || label > 1 || seg >= LEAD_NSEG || nk > B2B2C_LEAD_EV_MAX ||
        idx == UINT32_MAX)
        return corrupt(m, T_TRAIN, k, kl, B2B2C_ECORRUPT);
    row = b2b2c__malloc(m->ctx, sizeof(*row) + nk * sizeof(row->f[0]));
    if (!row)
        return corrupt(m, T_TRAIN, k, kl, B2B2C_ENOMEM);
    row->label = label;
    row->segment = seg;
    row->chan = chan;
    row->region = region;
    row->prod = prod;
    row->nk = (uint16_t)nk;
    kneed = nk;
    for (uint32_t i = 0; i < nk; i++) {
        row->f[i].kind = b2b2c__dec_u32(&r);
        row->f[i].cnt = b2b2c__dec_f64(&r);
        row->f[i].val = b2b2c__dec_f64(&r);
        if (row->f[i].kind >= B2B2C_LEAD_EV_MAX)
            r.err = B2B2C_ECORRUPT;
        else if (row->f[i].kind + 1 > kneed)
            kneed = row->f[i].kind + 1;
    }
    if (!refs_ok(m, T_TRAIN, k, kl, kneed, max3(chan, region, prod)))
        r.err = B2B2C_ECORRUPT;
    if ((rc = b2b2c__dec_finish(&r)) != 0) {
        b2b2c__free(m->ctx, row);
        return corrupt(m, T_TRAIN, k, kl, rc);
    }
    *out = row;
    *idx_out = idx;
    return 0;
}

/* ---- loading -------------------------------------------------------------- */

static int load_config(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    return b2b2c__lead_dec_config(payload, k, kl, v, vl);
}

static int load_model(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    return b2b2c__lead_dec_model(payload, k, kl, v, vl);
}

/* Make slot `idx` of a sparse pointer array (loading rows that come in any
 * order) exist and check it is still empty: 0, B2B2C_ENOMEM or
 * B2B2C_ECORRUPT (a second row with the same index). */
static int sparse_slot(b2b2c_lead_model *m, void ***arr, size_t *cap,
                       uint32_t idx)
{
    if (idx >= *cap) {
        size_t old = *cap;
        if (b2b2c__grow(&m->ctx->mem, (void **)arr, cap, (size_t)idx + 1,
                        sizeof(void *)))
            return B2B2C_ENOMEM;
        memset(*arr + old, 0, (*cap - old) * sizeof(void *));
    }
    return (*arr)[idx] ? B2B2C_ECORRUPT : 0;
}

static int load_attr(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_lead_model *m = payload;
    lead_attr *a;
    int rc = b2b2c__lead_dec_attr(m, k, kl, v, vl, &a);
    if (rc)
        return rc;
    if ((rc = sparse_slot(m, (void ***)&m->attrs, &m->capattrs, a->idx)) ||
        (rc = b2b2c__map_put(&m->attrmap, a->key, a->klen, a, NULL))) {
        b2b2c__free(m->ctx, a);
        return corrupt(m, T_ATTRS, k, kl, rc);
    }
    m->attrs[a->idx] = a;
    if (a->idx >= m->nattrs)
        m->nattrs = a->idx + 1;
    return 0;
}

/* Room for one more lead; a new chunk when needed (undoable). */
int b2b2c__lead_slot(b2b2c_lead_model *m, lead_rec **out, int undoable)
{
    size_t c = m->nleads >> LEAD_CHUNK_BITS;
    int rc;
    if (c >= m->nchunks) {
        lead_rec *chunk;
        void *raw;
        if (m->nchunks == m->capchunks &&
            b2b2c__grow(&m->ctx->mem, (void **)&m->chunks, &m->capchunks,
                        m->nchunks + 1, sizeof(*m->chunks)))
            return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        /* 64-byte aligned, the raw block's address stored just before */
        raw = b2b2c__malloc(m->ctx, LEAD_CHUNK * sizeof(lead_rec) + 72);
        if (!raw)
            return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        if (undoable) {
            if ((rc = b2b2c__undo_free_on_fail(m->ctx, raw)) != 0) {
                b2b2c__free(m->ctx, raw);
                return rc;
            }
            if ((rc = b2b2c__undo_save(m->ctx, &m->nchunks,
                                       sizeof(m->nchunks))) != 0)
                return rc;
        }
        chunk = (lead_rec *)(((uintptr_t)raw + 8 + 63) & ~(uintptr_t)63);
        ((void **)chunk)[-1] = raw;
        m->chunks[m->nchunks++] = chunk;
    }
    *out = lead_at(m, m->nleads);
    memset(*out, 0, sizeof(**out));
    if (m->nleads < UINT32_MAX)
        (*out)->idx1 = (uint32_t)(m->nleads + 1);
    return 0;
}

/* Give r the decoded state d, keeping r's identity (ID, place). */
void b2b2c__lead_assign(lead_rec *r, const lead_rec *d)
{
    lead_rec keep = *r;
    *r = *d;
    memcpy(r->sid, keep.sid, sizeof(r->sid));
    r->id = keep.id; /* r->sid when short: the same address */
    r->idlen = keep.idlen;
    r->idx1 = keep.idx1;
}

static int load_lead(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_lead_model *m = payload;
    lead_rec d, *l;
    uint32_t gen;
    int rc = b2b2c__lead_dec_lead(m, k, kl, v, vl, &d, &gen);
    if (rc)
        return rc;
    /* stored before rescorings: brought through them (lead_gen.c) */
    if (gen < m->sw.from) /* the open's pass: the oldest record */
        m->sw.from = gen;
    if ((rc = b2b2c__lead_replay(m, &d, gen, T_LEADS, k, kl)) != 0) {
        b2b2c__free(m->ctx, d.ks);
        b2b2c__free(m->ctx, d.late);
        return rc;
    }
    if (b2b2c__map_get(&m->leads, k, kl))
        rc = B2B2C_ECORRUPT;
    else if ((rc = b2b2c__lead_slot(m, &l, 0)) == 0) {
        b2b2c__lead_assign(l, &d);
        l->id = kl < sizeof(l->sid) ? l->sid : b2b2c__malloc(m->ctx, kl + 1);
        if (!l->id) {
            rc = B2B2C_ENOMEM;
        } else {
            memcpy(l->id, k, kl);
            l->id[kl] = '\0';
            l->idlen = (uint16_t)kl;
            if ((rc = b2b2c__map_put(&m->leads, l->id, kl, l, NULL)) == 0) {
                m->nleads++; /* owned now */
                return 0;
            }
            if (l->id != l->sid)
                b2b2c__free(m->ctx, l->id);
        }
    }
    b2b2c__free(m->ctx, d.ks);
    b2b2c__free(m->ctx, d.late);
    return corrupt(m, T_LEADS, k, kl, rc);
}

static int load_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *payload)
{
    b2b2c_lead_model *m = payload;
    lead_row *row;
    uint32_t idx;
    int rc = b2b2c__lead_dec_row(m, k, kl, v, vl, &row, &idx);
    if (rc)
        return rc;
    if ((rc = sparse_slot(m, (void ***)&m->rows, &m->caprows, idx)) != 0) {
        b2b2c__free(m->ctx, row);
        return corrupt(m, T_TRAIN, k, kl, rc);
    }
    m->rows[idx] = row;
    if (idx >= m->nrows)
        m->nrows = idx + 1;
    m->nwon += row->label;
    return 0;
}

/* Attributes and training rows are numbered 0..n-1 with none missing:
 * B2B2C_ECORRUPT naming the first hole. */
int b2b2c__lead_check_dense(b2b2c_lead_model *m)
{
    for (size_t i = 0; i < m->nattrs; i++)
        if (!m->attrs[i])
            return b2b2c__err(m->ctx, B2B2C_ECORRUPT,
                              "table '%s': attribute %zu missing", T_ATTRS,
                              i);
    for (size_t i = 0; i < m->nrows; i++)
        if (!m->rows[i])
            return b2b2c__err(m->ctx, B2B2C_ECORRUPT,
                              "table '%s': row %zu missing", T_TRAIN, i);
    return 0;
}

/* A handle as b2b2c_lead_model_new makes it, before its load. */
static b2b2c_lead_model *model_make(b2b2c_ctx *ctx)
{
    b2b2c_lead_model *m = b2b2c__malloc(ctx, sizeof(*m));
    if (!m)
        return NULL;
    memset(m, 0, sizeof(*m));
    m->ctx = ctx;
    b2b2c__map_init(&m->leads, &ctx->mem);
    b2b2c__map_init(&m->attrmap, &ctx->mem);
    b2b2c__lead_set_defaults(m);
    /* no call draws from it; kept (seed 0) so that stored records keep
     * their layout */
    b2b2c__rng_seed(&m->rng, 0);
    m->sw_slice = LEAD_SWEEP_SLICE;
    return m;
}

/* Every table, in the order the records depend on each other (kinds and
 * attributes before the leads and rows that refer to them). */
int b2b2c__lead_load(void *p)
{
    b2b2c_lead_model *m = p;
    b2b2c_ctx *ctx = m->ctx;
    int rc;
    if ((rc = b2b2c__st_scan(ctx, T_CONFIG, load_config, m)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_MODEL, load_model, m)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_ATTRS, load_attr, m)) != 0 ||
        (rc = b2b2c__lead_gens_load(m)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_LEADS, load_lead, m)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_TRAIN, load_row, m)) != 0 ||
        (rc = b2b2c__lead_closeinfo_load(m)) != 0)
        return rc;
    return b2b2c__lead_check_dense(m);
}

/* Rebuild from storage aside, then swap: on failure the handle is as it
 * was. The alert callback is the host's, not stored: it stays. */
int b2b2c__lead_reload(void *h)
{
    b2b2c_lead_model *m = h, *f = model_make(m->ctx);
    int rc;
    if (!f)
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__lead_load(f)) != 0) {
        model_release(f);
        return rc;
    }
    f->alert = m->alert;
    f->alert_payload = m->alert_payload;
    f->rescore_alert = m->rescore_alert;
    f->rescore_payload = m->rescore_payload;
    f->sw_slice = m->sw_slice;
    model_clear(m);
    memcpy(m, f, sizeof(*m));
    b2b2c__free(m->ctx, f);
    return 0;
}

int b2b2c_lead_model_new(b2b2c_lead_model **out, b2b2c_ctx *ctx)
{
    b2b2c_lead_model *m;
    int rc;

    if (!out)
        return ctx ? b2b2c__err(ctx, B2B2C_EINVAL, "out: NULL")
                   : B2B2C_EINVAL;
    *out = NULL;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!(m = model_make(ctx)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    rc = b2b2c__engine_open(ctx, &b2b2c__lead_ops, m);
    if (rc) {
        /* nothing of this handle is in the undo log: leave an open group
         * be */
        model_release(m);
        return rc;
    }
    b2b2c__handle_opened(ctx);
    *out = m;
    return 0;
}
