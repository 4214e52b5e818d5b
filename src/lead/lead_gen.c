/* SPDX-License-Identifier: MIT */
/*
 * Lead model: lazy rescoring (issue 18). A rescoring (a change of kind or
 * fit points or of a threshold, b2b2c_lead_points_apply) brings every lead
 * in memory to the new table at once, but writes one record, not one per
 * lead: the step (tables before and after, the time the bands are taken
 * at, the half-life), in T_GENS under its generation 1, 2, ... A lead
 * record carries the generation it was written at (version 3); a record
 * stored before some rescorings is brought through them, in order, by the
 * same function the in-memory rescoring uses (lead_step_one), when it is
 * read: at the open, when a sync hands it over, and it is rewritten at
 * the current generation with its next write. The result equals the eager
 * rescoring bit for bit. docs/lead-model.md, "Rescoring".
 *
 * Step record (version 1): now i64, hl f64, nkinds u32,
 *   nkinds x {old f64, new f64}, LEAD_NSEG x {old f64, new f64},
 *   nattrs u32, nattrs x {old f64, new f64},
 *   old warm f64, old hot f64, new warm f64, new hot f64
 */
#include <math.h>
#include <stdlib.h>

#include "lead_points.h"

#define STEP_ATTR_MAX 100000000u

static lead_step *step_alloc(b2b2c_ctx *ctx, uint32_t nattrs)
{
    lead_step *s = b2b2c__malloc(ctx, sizeof(*s) +
                                          2 * (size_t)nattrs * sizeof(double));
    if (!s)
        return NULL;
    memset(s, 0, sizeof(*s));
    s->nattrs = nattrs;
    s->old.attr = (double *)(void *)(s + 1);
    s->nw.attr = s->old.attr + nattrs;
    return s;
}

/* The derived flags, from the tables. */
static void step_flags(lead_step *s)
{
    s->kinds = memcmp(s->old.kind, s->nw.kind, sizeof(s->old.kind)) != 0;
    s->fits = memcmp(s->old.seg, s->nw.seg, sizeof(s->old.seg)) != 0;
    for (uint32_t a = 0; a < s->nattrs && !s->fits; a++)
        s->fits = s->old.attr[a] != s->nw.attr[a];
}

lead_step *b2b2c__lead_step_make(b2b2c_lead_model *m, const lead_table *old,
                                 int64_t now, int *same)
{
    lead_step *s = step_alloc(m->ctx, (uint32_t)m->nattrs);
    *same = 0;
    if (!s) {
        b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        return NULL;
    }
    s->now = now;
    s->hl = lead_param(m, B2B2C_LEAD_HALF_LIFE_DAYS);
    s->nkinds = m->nkinds;
    for (uint32_t k = 0; k < m->nkinds; k++) {
        s->old.kind[k] = old->kind[k];
        s->nw.kind[k] = m->kinds[k].points;
    }
    memcpy(s->old.seg, old->seg, sizeof(s->old.seg));
    memcpy(s->nw.seg, m->seg_points, sizeof(s->nw.seg));
    for (size_t a = 0; a < m->nattrs; a++) {
        s->old.attr[a] = old->attr ? old->attr[a] : m->attrs[a]->points;
        s->nw.attr[a] = m->attrs[a]->points;
    }
    s->old.warm = old->warm;
    s->old.hot = old->hot;
    s->nw.warm = lead_param(m, B2B2C_LEAD_WARM_THRESHOLD);
    s->nw.hot = lead_param(m, B2B2C_LEAD_HOT_THRESHOLD);
    step_flags(s);
    /* the same table: no lead's engagement or band can change (both bands
     * are taken at the same time under the same thresholds) */
    *same = !s->kinds && !s->fits && s->old.warm == s->nw.warm &&
            s->old.hot == s->nw.hot;
    return s;
}

static void gen_key(char key[4], uint32_t g)
{
    lead_key_u32(key, g);
}

static int step_write(b2b2c_lead_model *m, const lead_step *s, uint32_t g)
{
    b2b2c__wbuf w;
    char key[4];
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    b2b2c__enc_i64(&w, s->now);
    b2b2c__enc_f64(&w, s->hl);
    b2b2c__enc_u32(&w, s->nkinds);
    for (uint32_t k = 0; k < s->nkinds; k++) {
        b2b2c__enc_f64(&w, s->old.kind[k]);
        b2b2c__enc_f64(&w, s->nw.kind[k]);
    }
    for (int i = 0; i < LEAD_NSEG; i++) {
        b2b2c__enc_f64(&w, s->old.seg[i]);
        b2b2c__enc_f64(&w, s->nw.seg[i]);
    }
    b2b2c__enc_u32(&w, s->nattrs);
    for (uint32_t a = 0; a < s->nattrs; a++) {
        b2b2c__enc_f64(&w, s->old.attr[a]);
        b2b2c__enc_f64(&w, s->nw.attr[a]);
    }
    b2b2c__enc_f64(&w, s->old.warm);
    b2b2c__enc_f64(&w, s->old.hot);
    b2b2c__enc_f64(&w, s->nw.warm);
    b2b2c__enc_f64(&w, s->nw.hot);
    gen_key(key, g);
    return b2b2c__st_put_rec(m->ctx, T_GENS, key, 4, &w);
}

static int pts_ok(double x)
{
    return x >= -1e6 && x <= 1e6;
}

/* Decode a T_GENS record: *out allocated, *g its generation. */
static int step_dec(b2b2c_lead_model *m, const void *k, size_t kl,
                    const void *v, size_t vl, lead_step **out, uint32_t *g)
{
    b2b2c_ctx *ctx = m->ctx;
    const uint8_t *kb = k;
    b2b2c__rbuf r;
    lead_step h, *s;
    uint32_t na;
    int ok, rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return b2b2c__err_corrupt(ctx, rc, T_GENS, k, kl, NULL);
    *g = kl == 4 ? (uint32_t)kb[0] << 24 | (uint32_t)kb[1] << 16 |
                       (uint32_t)kb[2] << 8 | kb[3]
                 : 0;
    memset(&h, 0, sizeof(h));
    h.now = b2b2c__dec_i64(&r);
    h.hl = b2b2c__dec_f64(&r);
    h.nkinds = b2b2c__dec_u32(&r);
    ok = !r.err && *g >= 1 && (h.now == INT64_MIN ||
                               (h.now >= B2B2C_TIME_MIN &&
                                h.now <= B2B2C_TIME_MAX)) &&
         h.hl > 0 && h.hl <= 1e6 && h.nkinds <= B2B2C_LEAD_EV_MAX;
    for (uint32_t i = 0; ok && i < h.nkinds; i++) {
        h.old.kind[i] = b2b2c__dec_f64(&r);
        h.nw.kind[i] = b2b2c__dec_f64(&r);
        ok = pts_ok(h.old.kind[i]) && pts_ok(h.nw.kind[i]);
    }
    for (int i = 0; ok && i < LEAD_NSEG; i++) {
        h.old.seg[i] = b2b2c__dec_f64(&r);
        h.nw.seg[i] = b2b2c__dec_f64(&r);
        ok = pts_ok(h.old.seg[i]) && pts_ok(h.nw.seg[i]);
    }
    na = ok ? b2b2c__dec_u32(&r) : 0;
    /* each attribute takes 16 bytes: a count past what is left is corrupt
     * (and allocates nothing) */
    if (!ok || r.err || na > STEP_ATTR_MAX ||
        (size_t)na > b2b2c__dec_left(&r) / 16)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_GENS, k, kl,
                                  "bad header");
    if (!(s = step_alloc(ctx, na)))
        return b2b2c__err_corrupt(ctx, B2B2C_ENOMEM, T_GENS, k, kl, NULL);
    s->now = h.now;
    s->hl = h.hl;
    s->nkinds = h.nkinds;
    memcpy(s->old.kind, h.old.kind, sizeof(h.old.kind));
    memcpy(s->nw.kind, h.nw.kind, sizeof(h.nw.kind));
    memcpy(s->old.seg, h.old.seg, sizeof(h.old.seg));
    memcpy(s->nw.seg, h.nw.seg, sizeof(h.nw.seg));
    for (uint32_t a = 0; a < na && ok; a++) {
        s->old.attr[a] = b2b2c__dec_f64(&r);
        s->nw.attr[a] = b2b2c__dec_f64(&r);
        ok = pts_ok(s->old.attr[a]) && pts_ok(s->nw.attr[a]);
    }
    s->old.warm = b2b2c__dec_f64(&r);
    s->old.hot = b2b2c__dec_f64(&r);
    s->nw.warm = b2b2c__dec_f64(&r);
    s->nw.hot = b2b2c__dec_f64(&r);
    ok = ok && isfinite(s->old.warm) && isfinite(s->old.hot) &&
         isfinite(s->nw.warm) && isfinite(s->nw.hot);
    if (!ok)
        r.err = B2B2C_ECORRUPT;
    if ((rc = b2b2c__dec_finish(&r)) != 0) {
        b2b2c__free(ctx, s);
        return b2b2c__err_corrupt(ctx, rc, T_GENS, k, kl, NULL);
    }
    step_flags(s);
    *out = s;
    return 0;
}

/* ---- the floor and the sweep ---------------------------------------------
 *
 * Floor record (key generation 0, version 1): floor u32. Every lead record
 * is at the floor or later, and the steps up to it are deleted. A handle's
 * pass rewrites the leads in memory order, a slice per rescoring, at the
 * current generation; when it has gone through all of them, every record
 * is at the generation the pass began at, and the floor rises to it.
 */

static int is_floor_key(const void *k, size_t kl)
{
    static const char zero[4];
    return kl == 4 && memcmp(k, zero, 4) == 0;
}

static int floor_dec(b2b2c_lead_model *m, const void *k, size_t kl,
                     const void *v, size_t vl, uint32_t *f)
{
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc == 0) {
        *f = b2b2c__dec_u32(&r);
        if (!r.err && *f == UINT32_MAX)
            r.err = B2B2C_ECORRUPT;
        rc = b2b2c__dec_finish(&r);
    }
    return rc ? b2b2c__err_corrupt(m->ctx, rc, T_GENS, k, kl, "bad floor")
              : 0;
}

/* The steps in memory from the floor up to g (deleted in storage) freed
 * when the call commits (undoable; the slots stay, NULL). */
static int steps_drop(b2b2c_lead_model *m, uint32_t g)
{
    int rc;
    for (uint32_t i = m->gfloor > m->gbase ? m->gfloor : m->gbase;
         i < g && i < m->ngen; i++) {
        lead_step **p = &m->steps[i - m->gbase];
        if (!*p)
            continue;
        if ((rc = b2b2c__undo_save(m->ctx, p, sizeof(*p))) != 0 ||
            (rc = b2b2c__undo_free_on_commit(m->ctx, *p)) != 0)
            return rc;
        *p = NULL;
    }
    return 0;
}

/* Steps up to generation g deleted, the floor raised to g (undoable). */
static int floor_raise(b2b2c_lead_model *m, uint32_t g)
{
    b2b2c__wbuf w;
    char key[4];
    int rc;
    if (g <= m->gfloor)
        return 0;
    for (uint32_t i = m->gfloor + 1; i <= g; i++) {
        gen_key(key, i);
        if ((rc = b2b2c__st_del(m->ctx, T_GENS, key, 4)) != 0)
            return rc;
    }
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    b2b2c__enc_u32(&w, g);
    gen_key(key, 0);
    if ((rc = b2b2c__st_put_rec(m->ctx, T_GENS, key, 4, &w)) != 0 ||
        (rc = steps_drop(m, g)) != 0 ||
        (rc = b2b2c__undo_save(m->ctx, &m->gfloor, sizeof(m->gfloor))) != 0)
        return rc;
    m->gfloor = g;
    return 0;
}

int b2b2c__lead_sweep(b2b2c_lead_model *m, size_t max)
{
    size_t end;
    int rc;
    if ((rc = b2b2c__undo_save(m->ctx, &m->sw, sizeof(m->sw))) != 0)
        return rc;
    if (m->sw.at >= m->nleads) { /* done: a new pass from here */
        if ((rc = floor_raise(m, m->sw.from)) != 0)
            return rc;
        m->sw.from = m->ngen;
        m->sw.at = 0;
        m->sw.nmoved = 0;
    }
    while (m->sw.nmoved && max) { /* moved behind the pass: first */
        size_t i = m->sw.moved[--m->sw.nmoved];
        if (i < m->nleads && i < m->sw.at) {
            if ((rc = b2b2c__lead_write(m, lead_at(m, i))) != 0)
                return rc;
            max--;
        }
    }
    if (m->sw.nmoved) /* the slice is spent */
        return 0;
    end = m->nleads - m->sw.at > max ? m->sw.at + max : m->nleads;
    for (; m->sw.at < end; m->sw.at++)
        if ((rc = b2b2c__lead_write(m, lead_at(m, m->sw.at))) != 0)
            return rc;
    if (m->sw.at < m->nleads)
        return 0;
    m->sw.at = SIZE_MAX; /* done: a lead added later is at `from` or later */
    return floor_raise(m, m->sw.from);
}

void b2b2c__lead_sweep_slice(b2b2c_lead_model *m, size_t n)
{
    m->sw_slice = n;
}

void b2b2c__lead_sweep_moved(b2b2c_lead_model *m, size_t hole)
{
    /* the last lead (not yet rewritten) moves behind the pass: noted for
     * the next slice, or, past LEAD_SWEEP_MOVED of them, the pass goes
     * back to it (neither is undone: a pass that rewrites a lead more than
     * once is still right) */
    if (m->sw.at < m->nleads && hole < m->sw.at &&
        m->nleads - 1 >= m->sw.at) {
        if (m->sw.nmoved < LEAD_SWEEP_MOVED)
            m->sw.moved[m->sw.nmoved++] = hole;
        else
            m->sw.at = hole;
    }
}

int b2b2c__lead_gens_behind(void *h, const char *table, const void *k,
                            size_t kl)
{
    const b2b2c_lead_model *m = h;
    const uint8_t *b = k;
    uint32_t g;
    if (strcmp(table, T_GENS) != 0 || kl != 4)
        return 0;
    g = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
        b[3];
    return g > m->ngen;
}

/* Room for generation ngen + 1 in m->steps. */
static int steps_room(b2b2c_lead_model *m)
{
    size_t n = (size_t)(m->ngen - m->gbase);
    if (m->ngen == UINT32_MAX - 1)
        return b2b2c__err(m->ctx, B2B2C_ERANGE,
                          "%u rescorings: no generation left",
                          (unsigned)m->ngen);
    if (n >= m->capsteps &&
        b2b2c__grow(&m->ctx->mem, (void **)&m->steps, &m->capsteps, n + 1,
                    sizeof(*m->steps)))
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    return 0;
}

/* s (freed if the call fails: the caller saw to it) becomes generation
 * ngen + 1 (undoable). */
static int step_add(b2b2c_lead_model *m, lead_step *s)
{
    int rc;
    if ((rc = steps_room(m)) != 0 ||
        (rc = b2b2c__undo_save(m->ctx, &m->ngen, sizeof(m->ngen))) != 0)
        return rc;
    m->steps[m->ngen - m->gbase] = s;
    m->ngen++;
    return 0;
}

int b2b2c__lead_step_push(b2b2c_lead_model *m, lead_step *s)
{
    int rc;
    if ((rc = b2b2c__undo_free_on_fail(m->ctx, s)) != 0) {
        b2b2c__free(m->ctx, s);
        return rc;
    }
    if ((rc = step_add(m, s)) != 0)
        return rc;
    return step_write(m, s, m->ngen);
}

int b2b2c__lead_replay(b2b2c_lead_model *m, lead_rec *d, uint32_t gen,
                       const char *table, const void *k, size_t kl)
{
    if (gen > m->ngen)
        return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, table, k, kl,
                                  "at rescoring %u, but %u are stored",
                                  (unsigned)gen, (unsigned)m->ngen);
    if (gen < m->gfloor) /* its steps are deleted: the sweep missed it */
        return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, table, k, kl,
                                  "at rescoring %u, below the floor %u",
                                  (unsigned)gen, (unsigned)m->gfloor);
    for (uint32_t g = gen; g < m->ngen; g++) {
        const lead_step *s = m->steps[g - m->gbase];
        double e;
        int32_t bo, bn;
        int64_t at;
        if (d->chan > s->nattrs || d->region > s->nattrs ||
            d->prod > s->nattrs)
            return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, table, k, kl,
                                      "refers to an attribute rescoring %u "
                                      "did not know",
                                      (unsigned)g + 1);
        lead_step_one(s, d, &e, &bo, &bn, &at);
        if (s->kinds && d->late) { /* owned by d alone: changed in place */
            int any;
            double le = lead_eng_under(d->late->eng, d->late->ks,
                                       d->late->nk, s->old.kind, s->nw.kind,
                                       &any);
            d->late->eng = le;
        }
        if (e == d->eng && bo == bn)
            continue;
        d->eng = e;
        if (bo != bn) {
            d->band = (uint8_t)bn;
            d->band_prev = (uint8_t)(bo | LEAD_BAND_RESCORED);
            d->band_at = at;
        }
    }
    return 0;
}

/* ---- the open ---------------------------------------------------------- */

/* The steps as the scan finds them (any order): sorted, then they must be
 * generations 1..n. */
typedef struct gscan {
    b2b2c_lead_model *m;
    uint32_t floor;
    struct gent {
        uint32_t g;
        lead_step *s;
    } *e;
    size_t n, cap;
} gscan;

static int load_step(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    gscan *c = payload;
    lead_step *s;
    uint32_t g;
    int rc;
    if (is_floor_key(k, kl))
        return floor_dec(c->m, k, kl, v, vl, &c->floor);
    if ((rc = step_dec(c->m, k, kl, v, vl, &s, &g)) != 0)
        return rc;
    if (c->n == c->cap && b2b2c__grow(&c->m->ctx->mem, (void **)&c->e,
                                      &c->cap, c->n + 1, sizeof(*c->e))) {
        b2b2c__free(c->m->ctx, s);
        return b2b2c__err_corrupt(c->m->ctx, B2B2C_ENOMEM, T_GENS, k, kl,
                                  NULL);
    }
    c->e[c->n].g = g;
    c->e[c->n++].s = s;
    return 0;
}

static int gent_cmp(const void *a, const void *b)
{
    uint32_t x = ((const struct gent *)a)->g, y = ((const struct gent *)b)->g;
    return x < y ? -1 : x > y;
}

int b2b2c__lead_gens_load(b2b2c_lead_model *m)
{
    gscan c = {m, 0, NULL, 0, 0};
    size_t i;
    int rc = b2b2c__st_scan(m->ctx, T_GENS, load_step, &c);
    if (rc == 0 && c.n) {
        qsort(c.e, c.n, sizeof(*c.e), gent_cmp);
        /* the steps after the floor, without a hole (keys are unique) */
        if (c.e[0].g <= c.floor)
            rc = b2b2c__err(m->ctx, B2B2C_ECORRUPT,
                            "table '%s': rescoring %u kept, but the floor "
                            "is %u",
                            T_GENS, (unsigned)c.e[0].g, (unsigned)c.floor);
        for (i = 0; i < c.n && rc == 0; i++)
            if (c.e[i].g != c.floor + i + 1)
                rc = b2b2c__err(m->ctx, B2B2C_ECORRUPT,
                                "table '%s': rescoring %zu missing", T_GENS,
                                (size_t)c.floor + i + 1);
        if (rc == 0 && !(m->steps = b2b2c__malloc(m->ctx, c.n *
                                                              sizeof(*m->steps))))
            rc = b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        if (rc == 0) {
            for (i = 0; i < c.n; i++)
                m->steps[i] = c.e[i].s;
            m->ngen = c.floor + (uint32_t)c.n;
            m->capsteps = c.n;
        }
    }
    if (rc == 0 && !c.n)
        m->ngen = c.floor;
    /* the open's pass: every record read is at the lowest generation the
     * leads' scan finds (load_lead lowers `from`) */
    m->gfloor = m->gbase = c.floor;
    m->sw.from = m->ngen;
    m->sw.at = SIZE_MAX;
    if (rc)
        for (i = 0; i < c.n; i++)
            b2b2c__free(m->ctx, c.e[i].s);
    b2b2c__free(m->ctx, c.e);
    return rc;
}

void b2b2c__lead_gens_free(b2b2c_lead_model *m)
{
    for (uint32_t g = m->gbase; g < m->ngen; g++)
        b2b2c__free(m->ctx, m->steps[g - m->gbase]);
    b2b2c__free(m->ctx, m->steps);
    b2b2c__free(m->ctx, m->gpend);
    m->steps = NULL;
    m->gpend = NULL;
    m->ngen = m->gfloor = m->gbase = 0;
    m->capsteps = m->capgpend = 0;
}

/* ---- other contexts' rescorings (lead_sync.c) ---------------------------- */

int b2b2c__lead_gens_refresh(b2b2c_lead_model *m, const void *k, size_t kl,
                             const void *v, size_t vl)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_defer *d = &m->defer;
    lead_step *s;
    uint32_t g;
    int rc;
    if (is_floor_key(k, kl)) {
        uint32_t f;
        if (!v)
            return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_GENS, k, kl,
                                      "the floor deleted");
        if ((rc = floor_dec(m, k, kl, v, vl, &f)) != 0)
            return rc;
        if (f <= m->gfloor)
            return 0;
        /* steps up to it deleted (all known: b2b2c__lead_gens_behind) */
        if ((rc = steps_drop(m, f)) != 0 ||
            (rc = b2b2c__undo_save(ctx, &m->gfloor, sizeof(m->gfloor))) != 0)
            return rc;
        m->gfloor = f;
        return 0;
    }
    if (!v) {
        /* a sweep's floor passed it: known already, freed with the floor
         * record (a step the handle never saw makes the context reload
         * instead, b2b2c__lead_gens_behind) */
        uint32_t dg = kl == 4 ? (uint32_t)((const uint8_t *)k)[0] << 24 |
                                    (uint32_t)((const uint8_t *)k)[1] << 16 |
                                    (uint32_t)((const uint8_t *)k)[2] << 8 |
                                    ((const uint8_t *)k)[3]
                              : 0;
        if (kl == 4 && dg <= m->ngen)
            return 0;
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_GENS, k, kl,
                                  "deleted before this handle read it");
    }
    if ((rc = step_dec(m, k, kl, v, vl, &s, &g)) != 0)
        return rc;
    if ((rc = b2b2c__undo_free_on_fail(ctx, s)) != 0) {
        b2b2c__free(ctx, s);
        return rc;
    }
    if (g <= m->ngen) /* known already (never rewritten) */
        return b2b2c__undo_free_on_commit(ctx, s);
    if (g - m->ngen > UINT16_MAX)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, T_GENS, k, kl,
                                  "%u rescorings ahead of this handle",
                                  (unsigned)(g - m->ngen));
    if (g - m->ngen > m->capgpend) {
        size_t old = m->capgpend;
        if (b2b2c__grow(&ctx->mem, (void **)&m->gpend, &m->capgpend,
                        g - m->ngen, sizeof(*m->gpend)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        memset(m->gpend + old, 0, (m->capgpend - old) * sizeof(*m->gpend));
    }
    if (g - m->ngen > d->nsteps) {
        /* slots between the last one and this one: cleared (a sync's
         * pending slots are never read past nsteps) */
        for (uint32_t i = d->nsteps; i < g - m->ngen - 1; i++)
            m->gpend[i] = NULL;
        d->nsteps = g - m->ngen;
    }
    m->gpend[g - m->ngen - 1] = s;
    return 0;
}

int b2b2c__lead_gens_done(b2b2c_lead_model *m)
{
    b2b2c_ctx *ctx = m->ctx;
    uint32_t n = m->defer.nsteps, top = m->defer.gtop;
    int rc;
    if (n == 0 && top == 0) /* no rescoring in this sync: nothing to do */
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (!m->gpend[i])
            return b2b2c__err(ctx, B2B2C_ECORRUPT,
                              "table '%s': rescoring %u missing from the "
                              "sync",
                              T_GENS, (unsigned)(m->ngen + i + 1));
    /* a lead handed over at a later generation than any rescoring */
    if (top > n)
        return b2b2c__err(ctx, B2B2C_ECORRUPT,
                          "table '%s': a lead is at rescoring %u, but %u "
                          "are stored",
                          T_LEADS, (unsigned)(m->ngen + top),
                          (unsigned)(m->ngen + n));
    for (uint32_t i = 0; i < n; i++) {
        lead_step *s = m->gpend[i];
        if ((rc = step_add(m, s)) != 0 ||
            (rc = b2b2c__lead_step_all(m, s, 0, i)) != 0)
            return rc;
    }
    /* back to "at the handle's generation" (the leads handed over were
     * saved whole for undo when their records came) */
    if (top)
        for (size_t i = 0; i < m->nleads; i++)
            lead_at(m, i)->gsync = 0;
    return 0;
}
