/* SPDX-License-Identifier: MIT */
/*
 * Closing leads (issue 20): a lead that has sat in won, lost, disqualified
 * or customer for B2B2C_LEAD_CLOSE_DAYS leaves the working set. Its
 * record and its stage changes move into one record of T_CLOSED (key: the
 * lead ID), which the open does not read; T_CLOSEINFO holds how many there
 * are, so that a model with none never looks there.
 *
 * T_CLOSED record, version 1:
 *   bytes  the lead's T_LEADS record as it was (its own version and CRC)
 *   u32    n, the stage changes
 *   n x    u8 from, u8 to, u8 band (B2B2C_BAND_*, 0 = not stored), i64 at
 * T_CLOSEINFO "count", version 1: u64 the number of T_CLOSED records.
 */
#include <math.h>

#include "lead_internal.h"

#define CLOSEINFO_KEY "count"

/* ---- records ----------------------------------------------------------- */

static int write_closeinfo(b2b2c_lead_model *m)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    b2b2c__enc_u64(&w, m->nclosed);
    return b2b2c__st_put_rec(m->ctx, T_CLOSEINFO, CLOSEINFO_KEY,
                             sizeof(CLOSEINFO_KEY) - 1, &w);
}

/* Change the count by d (undoable) and store it. */
static int count_closed(b2b2c_lead_model *m, int64_t d)
{
    int rc = b2b2c__undo_save(m->ctx, &m->nclosed, sizeof(m->nclosed));
    if (rc)
        return rc;
    m->nclosed = (uint64_t)((int64_t)m->nclosed + d);
    return write_closeinfo(m);
}

int b2b2c__lead_closeinfo_dec(b2b2c_lead_model *m, const void *k, size_t kl,
                              const void *v, size_t vl)
{
    b2b2c__rbuf r;
    uint64_t n;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc == 0) {
        n = b2b2c__dec_u64(&r);
        rc = b2b2c__dec_finish(&r);
    }
    if (rc)
        return b2b2c__err_corrupt(m->ctx, rc, T_CLOSEINFO, k, kl,
                                  "closed-lead count");
    m->nclosed = n;
    return 0;
}

static int got_closeinfo(const void *v, size_t vl, void *payload)
{
    return b2b2c__lead_closeinfo_dec(payload, CLOSEINFO_KEY,
                                     sizeof(CLOSEINFO_KEY) - 1, v, vl);
}

int b2b2c__lead_closeinfo_load(b2b2c_lead_model *m)
{
    int rc = b2b2c__st_get(m->ctx, T_CLOSEINFO, CLOSEINFO_KEY,
                           sizeof(CLOSEINFO_KEY) - 1, got_closeinfo, m);
    return rc == B2B2C_ENOTFOUND ? 0 : rc;
}

void b2b2c__lead_close_free(b2b2c_lead_model *m)
{
    b2b2c__free(m->ctx, m->ctmp.ks);
    m->ctmp.ks = NULL;
    b2b2c__free(m->ctx, m->ctmp.late);
    m->ctmp.late = NULL;
    b2b2c__free(m->ctx, m->ch);
    m->ch = NULL;
    m->nch = m->capch = 0;
}

/* A decoded T_CLOSED record: the lead into *l (per-kind array allocated),
 * its changes into m->ch / m->nch. */
static int dec_closed(b2b2c_lead_model *m, const void *k, size_t kl,
                      const void *v, size_t vl, lead_rec *l)
{
    b2b2c__rbuf r;
    const void *lv;
    size_t lvl;
    uint32_t n;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return b2b2c__err_corrupt(m->ctx, rc, T_CLOSED, k, kl, "closed lead");
    lv = b2b2c__dec_bytes(&r, &lvl);
    n = b2b2c__dec_u32(&r);
    if (r.err || n > b2b2c__dec_left(&r) / 11)
        return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, T_CLOSED, k, kl,
                                  "closed lead");
    if (n > m->capch) {
        lead_chg *g = b2b2c__arealloc(&m->ctx->mem, m->ch, n * sizeof(*g));
        if (!g)
            return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        m->ch = g;
        m->capch = n;
    }
    for (uint32_t i = 0; i < n; i++) {
        lead_chg *c = &m->ch[i];
        c->from = b2b2c__dec_u8(&r);
        c->to = b2b2c__dec_u8(&r);
        c->band = b2b2c__dec_u8(&r);
        c->at = b2b2c__dec_i64(&r);
        if (c->from >= LEAD_NSTAGES || c->to >= LEAD_NSTAGES || c->band > 3 ||
            c->at < B2B2C_TIME_MIN || c->at > B2B2C_TIME_MAX)
            r.err = B2B2C_ECORRUPT;
    }
    m->nch = 0;
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return b2b2c__err_corrupt(m->ctx, rc, T_CLOSED, k, kl, "closed lead");
    /* its generation is not used: a closed lead is not rescored (its
     * record is the lead as it was when it closed, below) */
    if ((rc = b2b2c__lead_dec_lead(m, k, kl, lv, lvl, l, NULL)) != 0)
        return rc == B2B2C_ENOMEM
                   ? rc
                   : b2b2c__err_corrupt(m->ctx, rc, T_CLOSED, k, kl,
                                        "the lead's record");
    if (l->nhist != n) {
        b2b2c__free(m->ctx, l->ks);
        b2b2c__free(m->ctx, l->late);
        return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, T_CLOSED, k, kl,
                                  "%u stage changes, the lead counts %u",
                                  (unsigned)n, (unsigned)l->nhist);
    }
    m->nch = n;
    return 0;
}

typedef struct found {
    b2b2c_lead_model *m;
    const char *id;
    size_t n;
    lead_rec *l; /* decode into this, or only note the record */
    int found;
} found;

static int got_closed(const void *v, size_t vl, void *payload)
{
    found *f = payload;
    f->found = 1;
    return f->l ? dec_closed(f->m, f->id, f->n, v, vl, f->l) : 0;
}

int b2b2c__lead_is_closed(b2b2c_lead_model *m, const char *id, size_t n)
{
    found f = {m, id, n, NULL, 0};
    int rc;
    if (m->nclosed == 0)
        return 0;
    rc = b2b2c__st_get(m->ctx, T_CLOSED, id, n, got_closed, &f);
    if (rc == B2B2C_ENOTFOUND)
        return 0;
    return rc ? rc : f.found;
}

int b2b2c__lead_missing(b2b2c_lead_model *m, const char *id, size_t n)
{
    int rc = b2b2c__lead_is_closed(m, id, n);
    if (rc < 0)
        return rc;
    if (rc)
        return b2b2c__err(m->ctx, B2B2C_ESTATE,
                          "id: lead '%s' is closed (b2b2c_lead_reopen)", id);
    return b2b2c__err(m->ctx, B2B2C_ENOTFOUND, "id: no lead '%s'", id);
}

/* The closed lead id (n bytes) into m->ctmp and m->ch: 0, B2B2C_ENOTFOUND
 * (message set) or an error. */
static int read_closed(b2b2c_lead_model *m, const char *id, size_t n)
{
    found f = {m, id, n, NULL, 0};
    lead_rec d;
    int rc;
    f.l = &d;
    rc = b2b2c__st_get(m->ctx, T_CLOSED, id, n, got_closed, &f);
    if (rc == 0 && !f.found)
        rc = B2B2C_ENOTFOUND;
    if (rc == B2B2C_ENOTFOUND)
        return b2b2c__err(m->ctx, rc, "id: no lead '%s'", id);
    if (rc)
        return rc;
    b2b2c__free(m->ctx, m->ctmp.ks);
    b2b2c__free(m->ctx, m->ctmp.late);
    m->ctmp = d;
    memcpy(m->ctmp_id, id, n);
    m->ctmp_id[n] = '\0';
    m->ctmp.id = m->ctmp_id;
    m->ctmp.idlen = (uint16_t)n;
    m->ctmp.idx1 = 0;
    return 0;
}

lead_rec *b2b2c__lead_closed_get(b2b2c_lead_model *m, const char *id, int *rc)
{
    size_t n;
    if ((*rc = b2b2c__id_check(id, &n)) != 0 ||
        (*rc = read_closed(m, id, n)) != 0)
        return NULL;
    b2b2c__err_clear(m->ctx); /* lead_find's "is closed" */
    return &m->ctmp;
}

int b2b2c__lead_closed_history(b2b2c_lead_model *m, b2b2c_lead_stage_cb cb,
                               void *payload)
{
    int rc = 0;
    for (uint32_t i = 0; i < m->nch && rc == 0; i++) {
        const lead_chg *c = &m->ch[i];
        b2b2c__cb_enter(m->ctx);
        rc = cb(c->from, c->to, c->at, payload);
        b2b2c__cb_leave(m->ctx);
    }
    return rc;
}

int b2b2c__lead_closed_remove(b2b2c_lead_model *m, const char *id, size_t n)
{
    int rc = b2b2c__st_del(m->ctx, T_CLOSED, id, n);
    return rc ? rc : count_closed(m, -1);
}

/* ---- closing ----------------------------------------------------------- */

typedef struct rawget {
    b2b2c_ctx *ctx;
    void *v;
    size_t vl;
} rawget;

static int got_raw(const void *v, size_t vl, void *payload)
{
    rawget *g = payload;
    if (!(g->v = b2b2c__malloc(g->ctx, vl ? vl : 1)))
        return b2b2c__err(g->ctx, B2B2C_ENOMEM, "out of memory");
    memcpy(g->v, v, vl);
    g->vl = vl;
    return 0;
}

typedef struct stget {
    int32_t from, to, band;
    int64_t at;
    int found;
} stget;

static int got_stage(const void *v, size_t vl, void *payload)
{
    stget *g = payload;
    int rc = b2b2c__lead_dec_stage(v, vl, &g->from, &g->to, &g->at, &g->band);
    if (rc == 0)
        g->found = 1;
    return rc;
}

/* Move lead r into T_CLOSED and out of memory (in the call's
 * transaction; undoable). */
static int close_one(b2b2c_lead_model *m, lead_rec *r)
{
    b2b2c_ctx *ctx = m->ctx;
    char key[B2B2C__ID_MAX + 5];
    rawget g = {ctx, NULL, 0};
    b2b2c__wbuf w;
    int rc;

    /* the stored record may be at an older rescoring (lead_gen.c): the
     * lead as it is in memory goes into T_CLOSED */
    if (m->ngen && (rc = b2b2c__lead_write(m, r)) != 0)
        return rc;
    rc = b2b2c__st_get(ctx, T_LEADS, r->id, r->idlen, got_raw, &g);
    if (rc == 0 && !g.v)
        rc = b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_LEADS, r->id,
                                r->idlen, "missing");
    if (rc)
        return rc;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_bytes(&w, g.v, g.vl);
    b2b2c__free(ctx, g.v);
    b2b2c__enc_u32(&w, r->nhist);
    for (uint32_t i = 0; i < r->nhist; i++) {
        stget s = {0, 0, 0, 0, 0};
        b2b2c__lead_hist_key(key, r, i);
        rc = b2b2c__st_get(ctx, T_STAGES, key, r->idlen + 5u, got_stage, &s);
        if (rc == 0 && !s.found)
            rc = B2B2C_ECORRUPT;
        if (rc) {
            b2b2c__enc_fini(&w);
            if (rc == B2B2C_ECORRUPT || rc == B2B2C_EVERSION)
                rc = b2b2c__err_corrupt(ctx, rc, T_STAGES, key, r->idlen + 5u,
                                        "stage change %u", (unsigned)i);
            return rc;
        }
        b2b2c__enc_u8(&w, (uint8_t)s.from);
        b2b2c__enc_u8(&w, (uint8_t)s.to);
        b2b2c__enc_u8(&w, (uint8_t)s.band);
        b2b2c__enc_i64(&w, s.at);
    }
    if ((rc = b2b2c__st_put_rec(ctx, T_CLOSED, r->id, r->idlen, &w)) != 0)
        return rc;
    for (uint32_t i = 0; i < r->nhist && rc == 0; i++) {
        b2b2c__lead_hist_key(key, r, i);
        rc = b2b2c__st_del(ctx, T_STAGES, key, r->idlen + 5u);
    }
    if (rc || (rc = b2b2c__st_del(ctx, T_LEADS, r->id, r->idlen)) != 0)
        return rc;
    return b2b2c__lead_unlink(m, r);
}

/* won, lost, disqualified, customer (docs/lead-model.md, "Closing"). */
static int closable(int32_t stage)
{
    return stage == B2B2C_LEAD_STAGE_WON || stage == B2B2C_LEAD_STAGE_LOST ||
           stage == B2B2C_LEAD_STAGE_DISQUALIFIED ||
           stage == B2B2C_LEAD_STAGE_CUSTOMER;
}

static int close_body(b2b2c_lead_model *m, int64_t now, size_t max,
                      size_t *closed)
{
    int64_t after =
        (int64_t)ceil(lead_param(m, B2B2C_LEAD_CLOSE_DAYS) * LEAD_DAY);
    size_t seen = 0, done = 0, n0 = m->nleads;
    int rc;

    if ((rc = b2b2c__undo_save(m->ctx, &m->close_at, sizeof(m->close_at))))
        return rc;
    while (seen < max && seen < n0 && m->nleads) {
        size_t i = m->close_at < m->nleads ? m->close_at : 0;
        lead_rec *r = lead_at(m, i);
        seen++;
        if (closable(r->stage) && now >= r->stage_at &&
            now - r->stage_at >= after) {
            if ((rc = close_one(m, r)) != 0)
                return rc;
            done++;
            m->close_at = i; /* the last lead moved here */
        } else {
            m->close_at = i + 1;
        }
    }
    if (done && (rc = count_closed(m, (int64_t)done)) != 0)
        return rc;
    *closed = done;
    return 0;
}

int b2b2c_lead_close_due(size_t *closed, b2b2c_lead_model *m, int64_t now,
                         size_t max)
{
    size_t n = 0;
    int rc;
    if ((rc = b2b2c__lead_begin(m, closed ? NULL : "closed", &now)) != 0)
        return rc;
    if (max == 0)
        return b2b2c__err(m->ctx, B2B2C_ERANGE, "max: 0 (at least 1)");
    B2B2C__CALL(rc, m->ctx, m, close_body(m, now, max, &n));
    if (rc == 0)
        *closed = n;
    return rc;
}

/* ---- reopening --------------------------------------------------------- */

static int reopen_body(b2b2c_lead_model *m, const char *id, size_t n)
{
    b2b2c_ctx *ctx = m->ctx;
    char key[B2B2C__ID_MAX + 5];
    lead_rec *r;
    int rc;

    if (b2b2c__map_get(&m->leads, id, n))
        return b2b2c__err(ctx, B2B2C_ESTATE, "id: lead '%s' is not closed",
                          id);
    if ((rc = read_closed(m, id, n)) != 0)
        return rc;
    if (m->ctmp.ks && (rc = b2b2c__undo_free_on_fail(ctx, m->ctmp.ks)) != 0)
        return rc;
    if (m->ctmp.late &&
        (rc = b2b2c__undo_free_on_fail(ctx, m->ctmp.late)) != 0) {
        m->ctmp.ks = NULL; /* freed by the undo */
        return rc;
    }
    if ((rc = b2b2c__lead_place(m, id, n, &r)) != 0) {
        m->ctmp.ks = NULL; /* freed by the undo */
        m->ctmp.late = NULL;
        return rc;
    }
    b2b2c__lead_assign(r, &m->ctmp);
    m->ctmp.ks = NULL; /* r's now */
    m->ctmp.late = NULL;
    for (uint32_t i = 0; i < m->nch && rc == 0; i++) {
        const lead_chg *c = &m->ch[i];
        b2b2c__wbuf w;
        b2b2c__lead_hist_key(key, r, i);
        b2b2c__enc_begin(&w, &ctx->mem, 2); /* as b2b2c_lead_set_stage */
        b2b2c__enc_u8(&w, c->from);
        b2b2c__enc_u8(&w, c->to);
        b2b2c__enc_i64(&w, c->at);
        b2b2c__enc_u8(&w, c->band);
        rc = b2b2c__st_put_rec(ctx, T_STAGES, key, r->idlen + 5u, &w);
    }
    if (rc || (rc = b2b2c__lead_write(m, r)) != 0 ||
        (rc = b2b2c__st_del(ctx, T_CLOSED, id, n)) != 0)
        return rc;
    b2b2c__lead_hist_drop(m);
    return count_closed(m, -1);
}

int b2b2c_lead_reopen(b2b2c_lead_model *m, const char *id)
{
    size_t n;
    int rc;
    if ((rc = b2b2c__lead_begin(m, id ? NULL : "id", NULL)) != 0)
        return rc;
    if (b2b2c__id_check(id, &n))
        return b2b2c__err(m->ctx, B2B2C_EBADID, "id: not a valid lead ID");
    B2B2C__CALL(rc, m->ctx, m, reopen_body(m, id, n));
    return rc;
}

/* ---- the funnel's pass ------------------------------------------------- */

typedef struct each {
    b2b2c_lead_model *m;
    int64_t from, to, now;
    int (*fn)(void *, const lead_rec *, const lead_hist *);
    void *arg;
    lead_hist *h;
    char id[B2B2C__ID_MAX + 1];
} each;

static int each_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *payload)
{
    each *e = payload;
    b2b2c_lead_model *m = e->m;
    lead_rec d;
    int rc;
    if (kl < 1 || kl > B2B2C__ID_MAX)
        return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, T_CLOSED, k, kl,
                                  "not a lead ID");
    if ((rc = dec_closed(m, k, kl, v, vl, &d)) != 0)
        return rc;
    b2b2c__free(m->ctx, d.ks);
    b2b2c__free(m->ctx, d.late);
    d.ks = NULL;
    d.late = NULL;
    d.nk = 0;
    if (d.created < e->from || d.created >= e->to || d.created > e->now)
        return 0;
    if (!e->h || e->h->cap < m->nch) {
        lead_hist *g = b2b2c__arealloc(&m->ctx->mem, e->h,
                                       sizeof(*g) + m->nch * sizeof(g->e[0]));
        if (!g)
            return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        g->cap = m->nch;
        e->h = g;
    }
    e->h->n = m->nch;
    for (uint32_t i = 0; i < m->nch; i++)
        e->h->e[i] = LEAD_HIST_PACK(m->ch[i].at, m->ch[i].band, m->ch[i].to);
    memcpy(e->id, k, kl);
    e->id[kl] = '\0';
    d.id = e->id;
    d.idlen = (uint16_t)kl;
    return e->fn(e->arg, &d, e->h);
}

int b2b2c__lead_closed_each(b2b2c_lead_model *m, int64_t from, int64_t to,
                            int64_t now,
                            int (*fn)(void *, const lead_rec *,
                                      const lead_hist *),
                            void *arg)
{
    each *e;
    int rc;
    if (m->nclosed == 0)
        return 0;
    if (!(e = b2b2c__malloc(m->ctx, sizeof(*e))))
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    memset(e, 0, sizeof(*e));
    e->m = m;
    e->from = from;
    e->to = to;
    e->now = now;
    e->fn = fn;
    e->arg = arg;
    rc = b2b2c__st_scan(m->ctx, T_CLOSED, each_row, e);
    b2b2c__free(m->ctx, e->h);
    b2b2c__free(m->ctx, e);
    return rc;
}
