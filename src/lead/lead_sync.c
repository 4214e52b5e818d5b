/* SPDX-License-Identifier: MIT */
/*
 * Lead model: keeping a handle current with what other contexts on the same
 * database committed (core's sync.c hands every changed key here, with its
 * value now). Each table's refresh decodes the record with the open's
 * decoder (lead.c) and replaces the in-memory object under undo entries, so
 * a call whose sync fails leaves memory as it was; the derived counts
 * (nleads, nattrs, nrows, nwon) and the two indexes follow.
 *
 * Core hands a sync's keys over table by table in an order of its own, so
 * a lead, a training row or the weights may come before the event kinds
 * (lead_config) and attributes they refer to: while keys are handed over
 * the decoders only note what each record needs (lead_defer), and
 * refresh_done checks it once all are in.
 */
#include "lead_points.h"

static int gone(b2b2c_lead_model *m, const char *table, const void *k,
                size_t kl)
{
    return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, table, k, kl,
                              "deleted, but the lead model never deletes "
                              "this record");
}

static int refresh_config(b2b2c_lead_model *m, const void *k, size_t kl,
                          const void *v, size_t vl)
{
    b2b2c_ctx *ctx = m->ctx;
    uint32_t old = m->nkinds;
    int rc;
    if (!v)
        return gone(m, T_CONFIG, k, kl);
    /* the decoder writes into the handle: save what it may write */
    if ((rc = b2b2c__undo_save(ctx, m->params, sizeof(m->params))) ||
        (rc = b2b2c__undo_save(ctx, m->seg_points, sizeof(m->seg_points))) ||
        (rc = b2b2c__undo_save(ctx, &m->nkinds, sizeof(m->nkinds))) ||
        (rc = b2b2c__undo_save(ctx, m->kinds, sizeof(m->kinds))) ||
        (rc = b2b2c__lead_dec_config(m, k, kl, v, vl)) != 0)
        return rc;
    /* (a new kind's weights are in the model record of the same commit) */
    if (m->nkinds < old)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_CONFIG, k, kl,
                                  "%u event kinds, %u before: kinds are "
                                  "never removed",
                                  (unsigned)m->nkinds, (unsigned)old);
    return 0;
}

static int refresh_model(b2b2c_lead_model *m, const void *k, size_t kl,
                         const void *v, size_t vl)
{
    b2b2c_ctx *ctx = m->ctx;
    int rc;
    if (!v)
        return gone(m, T_MODEL, k, kl);
    if ((rc = b2b2c__undo_save(ctx, &m->bias, sizeof(m->bias))) ||
        (rc = b2b2c__undo_save(ctx, m->seg_w, sizeof(m->seg_w))) ||
        (rc = b2b2c__undo_save(ctx, &m->rng, sizeof(m->rng))) ||
        (rc = b2b2c__undo_save(ctx, m->kinds, sizeof(m->kinds))))
        return rc;
    return b2b2c__lead_dec_model(m, k, kl, v, vl);
}

/* Make slot idx of attrs or rows (a dense array of n pointers, capacity
 * *cap) writable: inside, its pointer is saved for undo; past the end, n
 * grows to idx + 1 (saved) and a skipped slot is a hole that refresh_done
 * must see filled. */
static int dense_slot(b2b2c_lead_model *m, void ***arr, size_t *n,
                      size_t *cap, uint32_t idx)
{
    b2b2c_ctx *ctx = m->ctx;
    int rc;
    if (idx < *n)
        return b2b2c__undo_save(ctx, &(*arr)[idx], sizeof(void *));
    if (idx >= *cap && b2b2c__grow(&ctx->mem, (void **)arr, cap,
                                   (size_t)idx + 1, sizeof(void *)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_save(ctx, n, sizeof(*n))) != 0)
        return rc;
    for (size_t i = *n; i < idx; i++) /* past the end: never in use */
        (*arr)[i] = NULL;
    if (idx > *n)
        m->defer.holes = 1;
    *n = (size_t)idx + 1;
    return 0;
}

static int refresh_attr(b2b2c_lead_model *m, const void *k, size_t kl,
                        const void *v, size_t vl)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_attr *a, *old, *dup;
    int rc;
    if (!v)
        return gone(m, T_ATTRS, k, kl);
    if ((rc = b2b2c__lead_dec_attr(m, k, kl, v, vl, &a)) != 0)
        return rc;
    old = a->idx < m->nattrs ? m->attrs[a->idx] : NULL;
    dup = b2b2c__map_get(&m->attrmap, a->key, a->klen);
    if (dup && dup != old) {
        b2b2c__free(ctx, a);
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_ATTRS, k, kl,
                                  "the value is attribute %u already",
                                  (unsigned)dup->idx);
    }
    if (old && old == dup) { /* the same value: its points and weight */
        if ((rc = b2b2c__undo_save(ctx, &old->points, sizeof(double))) ==
                0 &&
            (rc = b2b2c__undo_save(ctx, &old->w, sizeof(double))) == 0) {
            old->points = a->points;
            old->w = a->w;
        }
        b2b2c__free(ctx, a);
        return rc;
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, a)) != 0) {
        b2b2c__free(ctx, a);
        return rc;
    }
    if ((old && ((rc = b2b2c__map_remove_undoable(ctx, &m->attrmap, old->key,
                                                  old->klen)) != 0 ||
                 (rc = b2b2c__undo_free_on_commit(ctx, old)) != 0)) ||
        (rc = dense_slot(m, (void ***)&m->attrs, &m->nattrs, &m->capattrs,
                         a->idx)) != 0)
        return rc;
    m->attrs[a->idx] = a;
    return b2b2c__map_insert_undoable(ctx, &m->attrmap, a->key, a->klen, a);
}

static int refresh_lead(b2b2c_lead_model *m, const void *k, size_t kl,
                        const void *v, size_t vl)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_rec d, *r = b2b2c__map_get(&m->leads, k, kl);
    uint32_t gen;
    int rc;
    if (!v)
        return r ? b2b2c__lead_unlink(m, r) : 0;
    if ((rc = b2b2c__lead_dec_lead(m, k, kl, v, vl, &d, &gen)) != 0)
        return rc;
    /* written at a rescoring this handle knows: brought to its generation
     * now; at a later one (whose record comes in this sync): noted, and
     * brought through the rest when all are in (lead_gen.c) */
    if (gen > m->ngen && gen - m->ngen > UINT16_MAX)
        rc = b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_LEADS, k, kl,
                                "%u rescorings ahead of this handle",
                                (unsigned)(gen - m->ngen));
    else if (gen > m->ngen) {
        d.gsync = (uint16_t)(gen - m->ngen);
        if (d.gsync > m->defer.gtop)
            m->defer.gtop = d.gsync;
    }
    else
        rc = b2b2c__lead_replay(m, &d, gen, T_LEADS, k, kl);
    if (rc) {
        b2b2c__free(ctx, d.ks);
        b2b2c__free(ctx, d.late);
        return rc;
    }
    if (d.ks && (rc = b2b2c__undo_free_on_fail(ctx, d.ks)) != 0) {
        b2b2c__free(ctx, d.ks);
        b2b2c__free(ctx, d.late);
        return rc;
    }
    if (d.late && (rc = b2b2c__undo_free_on_fail(ctx, d.late)) != 0) {
        b2b2c__free(ctx, d.late);
        return rc;
    }
    if (r) {
        /* the old per-kind array and late-event bookkeeping stay as they
         * were until the commit */
        if ((rc = b2b2c__undo_save(ctx, r, sizeof(*r))) != 0 ||
            (r->ks && (rc = b2b2c__undo_free_on_commit(ctx, r->ks)) != 0) ||
            (r->late &&
             (rc = b2b2c__undo_free_on_commit(ctx, r->late)) != 0))
            return rc;
    } else if ((rc = b2b2c__lead_place(m, k, kl, &r)) != 0) {
        return rc;
    }
    b2b2c__lead_assign(r, &d);
    return 0;
}

static int refresh_row(b2b2c_lead_model *m, const void *k, size_t kl,
                       const void *v, size_t vl)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_row *row, *old;
    uint32_t idx;
    int rc;
    if (!v)
        return gone(m, T_TRAIN, k, kl);
    if ((rc = b2b2c__lead_dec_row(m, k, kl, v, vl, &row, &idx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_free_on_fail(ctx, row)) != 0) {
        b2b2c__free(ctx, row);
        return rc;
    }
    old = idx < m->nrows ? m->rows[idx] : NULL;
    if ((rc = b2b2c__undo_save(ctx, &m->nwon, sizeof(m->nwon))) != 0 ||
        (old && (rc = b2b2c__undo_free_on_commit(ctx, old)) != 0) ||
        (rc = dense_slot(m, (void ***)&m->rows, &m->nrows, &m->caprows,
                         idx)) != 0)
        return rc;
    m->nwon = m->nwon - (old ? old->label : 0) + row->label;
    m->rows[idx] = row;
    return 0;
}

static int lead_refresh(void *h, const char *table, const void *key,
                        size_t klen, const void *val, size_t vlen)
{
    b2b2c_lead_model *m = h;
    int rc;
    if (!m->defer.on) { /* the first key of this sync */
        if ((rc = b2b2c__undo_save(m->ctx, &m->defer, sizeof(m->defer))))
            return rc;
        m->defer.on = 1;
    }
    if (strcmp(table, T_LEADS) == 0)
        return refresh_lead(m, key, klen, val, vlen);
    if (strcmp(table, T_STAGES) == 0) {
        /* histories are read from storage; the funnel's copy reads the
         * new changes when next used (a removal drops it, lead_remove.c) */
        b2b2c__lead_hist_changed(m, key, klen);
        return 0;
    }
    if (strcmp(table, T_ATTRS) == 0)
        return refresh_attr(m, key, klen, val, vlen);
    if (strcmp(table, "lead_points") == 0)
        return 0; /* the points history is read from storage */
    if (strcmp(table, T_GENS) == 0)
        return b2b2c__lead_gens_refresh(m, key, klen, val, vlen);
    if (strcmp(table, T_TRAIN) == 0)
        return refresh_row(m, key, klen, val, vlen);
    if (strcmp(table, T_MODEL) == 0)
        return refresh_model(m, key, klen, val, vlen);
    if (strcmp(table, T_CONFIG) == 0)
        return refresh_config(m, key, klen, val, vlen);
    if (strcmp(table, T_CLOSED) == 0)
        return 0; /* read on demand; the lead left lead_leads (above) */
    if (strcmp(table, T_CLOSEINFO) == 0) {
        if (!val)
            return gone(m, table, key, klen);
        if ((rc = b2b2c__undo_save(m->ctx, &m->nclosed, sizeof(m->nclosed))))
            return rc;
        return b2b2c__lead_closeinfo_dec(m, key, klen, val, vlen);
    }
    return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, table, key, klen,
                              "not a table of the lead model");
}

/* Every key of the sync is in: what the records need must be there now,
 * and attributes and rows are numbered without a hole. */
static int lead_refresh_done(void *h)
{
    b2b2c_lead_model *m = h;
    lead_defer *d = &m->defer;
    int rc = 0;
    if (d->kinds > m->nkinds)
        rc = b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, d->ktable, d->kkey,
                                d->kklen, "refers to event kind %u, but %u "
                                "kinds exist",
                                (unsigned)d->kinds - 1, (unsigned)m->nkinds);
    else if (d->attrs > m->nattrs)
        rc = b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, d->atable, d->akey,
                                d->aklen, "refers to attribute %u, but %zu "
                                "exist",
                                (unsigned)d->attrs - 1, m->nattrs);
    else if (d->holes)
        rc = b2b2c__lead_check_dense(m);
    /* other contexts' rescorings: every lead follows them */
    if (rc == 0)
        rc = b2b2c__lead_gens_done(m);
    memset(d, 0, sizeof(*d)); /* saved for undo when the sync began */
    return rc;
}

const b2b2c__engine_ops b2b2c__lead_ops = {
    .prefix = "lead", .load = b2b2c__lead_load, .refresh = lead_refresh,
    .refresh_done = lead_refresh_done, .reload = b2b2c__lead_reload,
    .erase = b2b2c__lead_erase_op, .behind = b2b2c__lead_gens_behind};
