/* SPDX-License-Identifier: MIT */
/* Lead model: the funnel's copy of the stage histories.
 *
 * Stage histories live in storage (T_STAGES, one record per change) and
 * b2b2c_lead_stage_history reads them from there. A funnel over a million
 * leads cannot afford a storage read per change, so the first funnel reads
 * them all in one scan and keeps them here, 8 bytes a change, and
 * b2b2c_lead_set_stage appends to the copy. It is a cache: whatever it
 * cannot follow cheaply (a failed call or rolled-back group that had
 * appended, a removal, another context's changes, a reload) clears
 * fh_ok, and the next funnel scans again. The funnel also checks every
 * lead's count against its record before use. */
#include "lead_internal.h"

int b2b2c__lead_dec_stage(const void *v, size_t vl, int32_t *from,
                          int32_t *to, int64_t *at, int32_t *band)
{
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, v, vl, 2);
    if (rc)
        return rc == B2B2C_EVERSION ? rc : B2B2C_ECORRUPT;
    *from = b2b2c__dec_u8(&r);
    *to = b2b2c__dec_u8(&r);
    *at = b2b2c__dec_i64(&r);
    *band = r.version >= 2 ? b2b2c__dec_u8(&r) : B2B2C_BAND_UNKNOWN;
    if ((rc = b2b2c__dec_finish(&r)) != 0 || *from >= LEAD_NSTAGES ||
        *to >= LEAD_NSTAGES || *band > B2B2C_BAND_HOT ||
        !b2b2c__time_ok(*at))
        return B2B2C_ECORRUPT;
    return 0;
}

void b2b2c__lead_hist_free(b2b2c_lead_model *m)
{
    for (size_t i = 0; i < m->fh_cap; i++)
        b2b2c__free(m->ctx, m->fh[i]);
    b2b2c__free(m->ctx, m->fh);
    m->fh = NULL;
    m->fh_cap = 0;
    m->fh_ok = 0;
}

/* Room for lead index idx in fh, new slots NULL. 0 or B2B2C_ENOMEM
 * (message not set: the caller drops the copy, or reports). */
static int fh_room(b2b2c_lead_model *m, size_t idx)
{
    size_t cap = m->fh_cap ? m->fh_cap : 1024;
    lead_hist **p;
    if (idx < m->fh_cap)
        return 0;
    while (cap <= idx)
        cap *= 2;
    p = b2b2c__arealloc(&m->ctx->mem, m->fh, cap * sizeof(*p));
    if (!p)
        return B2B2C_ENOMEM;
    memset(p + m->fh_cap, 0, (cap - m->fh_cap) * sizeof(*p));
    m->fh = p;
    m->fh_cap = cap;
    return 0;
}

/* A failed call (or rolled-back group) that appended: forget the copy. */
static void hist_undo(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)b;
    (void)n;
    b2b2c__lead_hist_drop(a);
}

int b2b2c__lead_hist_append(b2b2c_lead_model *m, const lead_rec *r,
                            uint64_t packed)
{
    size_t idx;
    lead_hist *h;
    int rc;

    if (!m->fh_ok)
        return 0;
    if ((rc = b2b2c__undo_push(m->ctx, hist_undo, NULL, m, NULL, 0)) != 0)
        return rc;
    if (r->idx1 == 0) { /* past 2^32 - 1 leads: not kept */
        b2b2c__lead_hist_drop(m);
        return 0;
    }
    /* out of memory fails the call like any other allocation (its undo
     * then drops the copy) */
    if (fh_room(m, idx = r->idx1 - 1u) != 0)
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    h = m->fh[idx];
    if ((h ? h->n : 0) != r->nhist) {
        b2b2c__lead_hist_drop(m);
        return 0;
    }
    if (!h || h->n == h->cap) {
        uint32_t cap = h ? h->cap * 2 : 4;
        lead_hist *g;
        if (h && h->cap >= UINT32_MAX / 2) {
            b2b2c__lead_hist_drop(m);
            return 0;
        }
        g = b2b2c__arealloc(&m->ctx->mem, h,
                            sizeof(*g) + cap * sizeof(g->e[0]));
        if (!g)
            return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        if (!h)
            g->n = 0;
        g->cap = cap;
        m->fh[idx] = h = g;
    }
    h->e[h->n++] = packed;
    return 0;
}

/* ---- the scan that fills the copy ------------------------------------- */

static int scan_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *payload)
{
    b2b2c_lead_model *m = payload;
    const unsigned char *key = k;
    const lead_rec *r;
    lead_hist *h;
    uint32_t seq;
    int32_t from, to, band;
    int64_t at;
    size_t idx;
    int rc;

    /* key: lead ID, NUL, the change's number (4 bytes, big-endian) */
    if (kl < 6 || key[kl - 5] != 0)
        return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, T_STAGES, k, kl,
                                  "not a stage change key");
    r = b2b2c__map_get(&m->leads, k, kl - 5);
    seq = (uint32_t)key[kl - 4] << 24 | (uint32_t)key[kl - 3] << 16 |
          (uint32_t)key[kl - 2] << 8 | key[kl - 1];
    /* A change of no lead, or past the lead's count, is not part of any
     * history (b2b2c_lead_stage_history does not read it either). */
    if (!r || seq >= r->nhist)
        return 0;
    if ((rc = b2b2c__lead_dec_stage(v, vl, &from, &to, &at, &band)) != 0)
        return b2b2c__err_corrupt(m->ctx, rc, T_STAGES, k, kl,
                                  "stage change %u", (unsigned)seq);
    if (r->idx1 == 0)
        return b2b2c__err(m->ctx, B2B2C_ENOMEM,
                          "out of memory (funnel: too many leads)");
    idx = r->idx1 - 1u;
    if (!(h = m->fh[idx])) {
        h = b2b2c__malloc(m->ctx, sizeof(*h) + r->nhist * sizeof(h->e[0]));
        if (!h)
            return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        h->n = 0;
        h->cap = r->nhist;
        m->fh[idx] = h;
    }
    /* every key once: n counts the changes found */
    h->e[seq] = LEAD_HIST_PACK(at, band, to);
    h->n++;
    return 0;
}

void b2b2c__lead_hist_changed(b2b2c_lead_model *m, const void *k, size_t kl)
{
    const unsigned char *key = k;
    const lead_rec *r;
    lead_hist *h;
    uint32_t seq;
    if (!m->fh_ok || kl < 6 || key[kl - 5] != 0 ||
        !(r = b2b2c__map_get(&m->leads, k, kl - 5)) || r->idx1 == 0 ||
        r->idx1 - 1u >= m->fh_cap || !(h = m->fh[r->idx1 - 1u]))
        return;
    seq = (uint32_t)key[kl - 4] << 24 | (uint32_t)key[kl - 3] << 16 |
          (uint32_t)key[kl - 2] << 8 | key[kl - 1];
    if (h->n > seq)
        h->n = seq; /* written again: read from there on */
}

typedef struct one_get {
    int32_t from, to, band;
    int64_t at;
    int found;
} one_get;

static int got_one(const void *v, size_t vl, void *payload)
{
    one_get *g = payload;
    int rc = b2b2c__lead_dec_stage(v, vl, &g->from, &g->to, &g->at, &g->band);
    if (rc == 0)
        g->found = 1;
    return rc;
}

/* Read the changes lead i's copy lacks (its n up to its count) from
 * storage, key by key. */
static int catch_up(b2b2c_lead_model *m, size_t i)
{
    const lead_rec *r = lead_at(m, i);
    lead_hist *h = m->fh[i];
    int rc;
    if (!h || h->cap < r->nhist) {
        lead_hist *g = b2b2c__arealloc(&m->ctx->mem, h,
                                       sizeof(*g) +
                                           r->nhist * sizeof(g->e[0]));
        if (!g)
            return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        if (!h)
            g->n = 0;
        g->cap = r->nhist;
        m->fh[i] = h = g;
    }
    for (uint32_t s = h->n; s < r->nhist; s++) {
        char key[B2B2C__ID_MAX + 5];
        one_get g = {0, 0, 0, 0, 0};
        b2b2c__lead_hist_key(key, r, s);
        rc = b2b2c__st_get(m->ctx, T_STAGES, key, r->idlen + 5u, got_one, &g);
        if (rc == 0 && !g.found)
            rc = B2B2C_ECORRUPT;
        if (rc) {
            if (rc == B2B2C_ECORRUPT || rc == B2B2C_EVERSION)
                rc = b2b2c__err_corrupt(m->ctx, rc, T_STAGES, key,
                                        r->idlen + 5u, "stage change %u",
                                        (unsigned)s);
            return rc;
        }
        h->e[s] = LEAD_HIST_PACK(g.at, g.band, g.to);
        h->n = s + 1;
    }
    return 0;
}

/* With the copy kept: 0 when every lead's copy holds its recorded changes,
 * else the number of leads whose copy lacks some (*over set when one holds
 * more than recorded: read everything again). */
static size_t hist_behind(const b2b2c_lead_model *m, int *over)
{
    size_t behind = 0;
    *over = !m->fh_ok;
    for (size_t i = 0; i < m->nleads && !*over; i++) {
        const lead_hist *h = i < m->fh_cap ? m->fh[i] : NULL;
        uint32_t n = h ? h->n : 0, want = lead_at(m, i)->nhist;
        behind += n < want;
        *over = n > want;
    }
    return behind;
}

int b2b2c__lead_hist_ready(const b2b2c_lead_model *cm)
{
    b2b2c_lead_model *m = (b2b2c_lead_model *)cm; /* a cache, not state */
    int over, rc;
    size_t behind = hist_behind(m, &over);

    if (!over && behind == 0)
        return 0;
    /* a few leads changed (by other contexts): their new changes key by
     * key; many: one scan (a get per change costs a hash probe or a
     * round trip, a scan a sort of the table in some stores) */
    if (!over && behind <= m->nleads / 16 + 64) {
        if (fh_room(m, m->nleads - 1))
            return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
        for (size_t i = 0; i < m->nleads; i++) {
            const lead_hist *h = m->fh[i];
            if ((h ? h->n : 0) < lead_at(m, i)->nhist &&
                (rc = catch_up(m, i)) != 0)
                return rc; /* what was read stays: each copy a prefix */
        }
        return 0;
    }
    m->fh_ok = 0;
    for (size_t i = 0; i < m->fh_cap; i++) {
        b2b2c__free(m->ctx, m->fh[i]);
        m->fh[i] = NULL;
    }
    if (m->nleads && fh_room(m, m->nleads - 1))
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__st_scan(m->ctx, T_STAGES, scan_row, m)) != 0)
        return rc;
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        const lead_hist *h = m->fh[i];
        if ((h ? h->n : 0) != r->nhist) {
            char key[B2B2C__ID_MAX + 5];
            b2b2c__lead_hist_key(key, r, 0);
            return b2b2c__err_corrupt(m->ctx, B2B2C_ECORRUPT, T_STAGES, key,
                                      r->idlen + 5u,
                                      "%u of the lead's %u stage changes "
                                      "found",
                                      (unsigned)(h ? h->n : 0),
                                      (unsigned)r->nhist);
        }
    }
    m->fh_ok = 1;
    return 0;
}
