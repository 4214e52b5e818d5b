/* SPDX-License-Identifier: MIT */
/*
 * Late events (issue 20): an event older than the lead's last one, within
 * B2B2C_LEAD_LATENESS_DAYS, gives the lead exactly the state in-order
 * arrival would have given.
 *
 * The score is not a sum that a late term can simply be added to: the
 * engagement is clamped at 0 after each event (negative points), the
 * per-day and overall caps decide which events earn points, the hot hold
 * is the latest hold of the events that earned, an event earns nothing
 * while the lead is with a dealer, and the band history follows the
 * sequence. So a lead keeps (lead_late in lead_internal.h) its scoring
 * state before the oldest event of the window (the checkpoint) and the
 * window's events; a late event is put in its time order among them and
 * the events are replayed from the checkpoint through b2b2c__lead_apply,
 * the very function in-order events go through: the same operations in
 * the same order, so the state is the same to the last bit as if the
 * events had come in order (given the same parameters and points).
 *
 * An event in order leaves the events older than the window (measured
 * from it) folded into the checkpoint; when no kept event is left inside
 * the window the lead's current state is the new checkpoint, with no
 * replay. At most LEAD_LATE_MAX events are kept: beyond that the oldest
 * are folded in, and a late event before them is refused.
 */
#include "lead_points.h"

static int with_dealer(int stage)
{
    return stage == B2B2C_LEAD_STAGE_PASSED_TO_DEALER ||
           stage == B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER;
}

static int64_t window_secs(const b2b2c_lead_model *m)
{
    /* at most 365 days: exact in int64 */
    return (int64_t)(lead_param(m, B2B2C_LEAD_LATENESS_DAYS) * LEAD_DAY);
}

/* A new block for nk per-kind entries and n events (zeroed, so that the
 * padding is too), freed by the undo log if the call fails. */
static lead_late *late_new(b2b2c_ctx *ctx, uint32_t nk, uint32_t n)
{
    size_t sz = lead_late_size(nk, n);
    lead_late *l = b2b2c__malloc(ctx, sz);
    if (!l) {
        b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        return NULL;
    }
    memset(l, 0, sz);
    if (b2b2c__undo_free_on_fail(ctx, l) != 0) {
        b2b2c__free(ctx, l);
        b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        return NULL;
    }
    l->nk = (uint16_t)nk;
    l->n = n;
    return l;
}

/* The kind's entry in r->ks, appended (zeroed) when new; r->ks has room. */
static lead_ks *ks_of(lead_rec *r, uint32_t kind)
{
    lead_ks *ks;
    for (uint32_t i = 0; i < r->nk; i++)
        if (r->ks[i].kind == kind)
            return &r->ks[i];
    ks = &r->ks[r->nk++];
    memset(ks, 0, sizeof(*ks));
    ks->kind = (uint16_t)kind;
    ks->day = INT32_MIN;
    return ks;
}

/*
 * Run events ev[0..n) from the checkpoint ck into *out: out gets r's
 * lead (stage, attributes: what the events read) with the checkpoint's
 * scoring state and per-kind entries in buf (room for ck->nk + n, at most
 * B2B2C_LEAD_EV_MAX), then every event applied in order.
 */
static void run(const b2b2c_lead_model *m, const lead_rec *r,
                const lead_late *ck, const lead_lev *ev, uint32_t n,
                lead_rec *out, lead_ks *buf)
{
    double fit = b2b2c__lead_fit(m, r);
    int32_t b, a;
    *out = *r;
    out->eng = ck->eng;
    out->t0 = ck->t0;
    out->hot_until = ck->hot_until;
    out->band = ck->band;
    out->band_prev = ck->band_prev;
    out->band_at = ck->band_at;
    out->ks = buf;
    out->nk = ck->nk;
    if (ck->nk)
        memcpy(buf, ck->ks, ck->nk * sizeof(lead_ks));
    for (uint32_t i = 0; i < n; i++)
        b2b2c__lead_apply(m, out, ks_of(out, ev[i].kind), ev[i].kind,
                          ev[i].at, ev[i].value, ev[i].dealer, fit, &b, &a);
}

static uint32_t buf_cap(const b2b2c_lead_model *m, uint32_t nk, uint32_t n)
{
    uint64_t c = (uint64_t)nk + n;
    return c > m->nkinds ? m->nkinds : (uint32_t)c;
}

/*
 * A new block: the checkpoint `ck` with the first k of the n events `ev`
 * folded into it, then the other n - k events. The scratch array of the
 * fold is allocated and freed here.
 */
static lead_late *late_fold(b2b2c_lead_model *m, const lead_rec *r,
                            const lead_late *ck, const lead_lev *ev,
                            uint32_t n, uint32_t k)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_late *l;
    lead_rec s;
    lead_ks *buf = NULL;

    if (k == 0) {
        if (!(l = late_new(ctx, ck->nk, n)))
            return NULL;
        memcpy(l, ck, sizeof(*l) + ck->nk * sizeof(lead_ks));
        l->n = n;
        memcpy(lead_late_ev(l), ev, n * sizeof(lead_lev));
        return l;
    }
    buf = b2b2c__malloc(ctx, buf_cap(m, ck->nk, k) * sizeof(lead_ks));
    if (!buf) {
        b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        return NULL;
    }
    run(m, r, ck, ev, k, &s, buf);
    if ((l = late_new(ctx, s.nk, n - k)) != NULL) {
        l->eng = s.eng;
        l->t0 = s.t0;
        l->hot_until = s.hot_until;
        l->band = s.band;
        l->band_prev = s.band_prev;
        l->band_at = s.band_at;
        memcpy(l->ks, s.ks, s.nk * sizeof(lead_ks));
        memcpy(lead_late_ev(l), ev + k, (n - k) * sizeof(lead_lev));
    }
    b2b2c__free(ctx, buf);
    return l;
}

/* r->late becomes l (NULL: none); the old block is freed on commit. */
static int late_set(b2b2c_lead_model *m, lead_rec *r, lead_late *l)
{
    int rc;
    if (r->late && (rc = b2b2c__undo_free_on_commit(m->ctx, r->late)) != 0)
        return rc;
    r->late = l;
    return 0;
}

int b2b2c__lead_late_keep(b2b2c_lead_model *m, lead_rec *r, int32_t kind,
                          int64_t now, double value, int dealer)
{
    b2b2c_ctx *ctx = m->ctx;
    const lead_late *old = r->late;
    int64_t cutoff = now - window_secs(m);
    lead_late *l;
    lead_lev e, *ev;

    if (lead_param(m, B2B2C_LEAD_LATENESS_DAYS) <= 0)
        return late_set(m, r, NULL);
    memset(&e, 0, sizeof(e));
    e.at = now;
    e.value = value;
    e.kind = (uint16_t)kind;
    e.dealer = (uint8_t)(dealer != 0);
    if (!old || lead_late_ev(old)[old->n - 1].at < cutoff) {
        /* nothing kept inside the window: the lead as it stands is the
         * checkpoint (it is the old checkpoint with the old events run) */
        if (!(l = late_new(ctx, r->nk, 1)))
            return ctx->errcode;
        l->eng = r->eng;
        l->t0 = r->t0;
        l->hot_until = r->hot_until;
        l->band = r->band;
        l->band_prev = r->band_prev;
        l->band_at = r->band_at;
        if (r->nk)
            memcpy(l->ks, r->ks, r->nk * sizeof(lead_ks));
    } else {
        const lead_lev *oe = lead_late_ev(old);
        uint32_t k = 0, n = old->n + 1;
        lead_lev *tmp;
        while (k < old->n && oe[k].at < cutoff)
            k++;
        if (n - k > LEAD_LATE_MAX)
            k = n - LEAD_LATE_MAX;
        /* the old events and the new one, then the fold */
        tmp = b2b2c__malloc(ctx, n * sizeof(lead_lev));
        if (!tmp)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        memcpy(tmp, oe, old->n * sizeof(lead_lev));
        tmp[old->n] = e;
        l = late_fold(m, r, old, tmp, n, k);
        b2b2c__free(ctx, tmp);
        if (!l)
            return ctx->errcode;
        return late_set(m, r, l);
    }
    ev = lead_late_ev(l);
    ev[0] = e;
    return late_set(m, r, l);
}

/* ---- the stage a lead was in at a past time ----------------------------- */

typedef struct stage_get {
    int32_t from, to, band;
    int64_t at;
    int found;
} stage_get;

static int got_stage(const void *v, size_t vl, void *payload)
{
    stage_get *g = payload;
    int rc = b2b2c__lead_dec_stage(v, vl, &g->from, &g->to, &g->at,
                                   &g->band);
    if (rc == 0)
        g->found = 1;
    return rc;
}

/* The lead's stage at `t` (a change at t counts as before an event at t),
 * read from its stage history backwards from the latest change: O(changes
 * after t) reads. */
static int stage_at_time(b2b2c_lead_model *m, const lead_rec *r, int64_t t,
                         int32_t *stage)
{
    int32_t s = r->stage;
    if (t < r->stage_at) {
        for (uint32_t i = r->nhist; i-- > 0;) {
            char key[B2B2C__ID_MAX + 5];
            stage_get g = {0, 0, 0, 0, 0};
            int rc;
            b2b2c__lead_hist_key(key, r, i);
            rc = b2b2c__st_get(m->ctx, T_STAGES, key, r->idlen + 5u,
                               got_stage, &g);
            if (rc == 0 && !g.found)
                rc = B2B2C_ECORRUPT;
            if (rc) {
                if (rc == B2B2C_ECORRUPT || rc == B2B2C_EVERSION)
                    return b2b2c__err_corrupt(m->ctx, rc, T_STAGES, key,
                                              r->idlen + 5u,
                                              "stage change %u",
                                              (unsigned)i);
                return rc;
            }
            if (g.at <= t)
                break;
            s = g.from;
        }
    }
    *stage = s;
    return 0;
}

/* ---- a late event ---------------------------------------------------------- */

int b2b2c__lead_late_event(b2b2c_lead_model *m, lead_rec *r, int32_t kind,
                           int64_t now, double value, int32_t *before,
                           int32_t *after)
{
    b2b2c_ctx *ctx = m->ctx;
    const lead_late *old = r->late;
    double days = lead_param(m, B2B2C_LEAD_LATENESS_DAYS);
    const lead_lev *oe;
    lead_lev *tmp;
    lead_late *l;
    lead_ks *nks;
    lead_rec s;
    uint32_t n, k = 0, pos, cap;
    int32_t stage = 0;
    int rc;

    if (days <= 0)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "now: %lld is before the last event of lead '%s' "
                          "at %lld (B2B2C_LEAD_LATENESS_DAYS is 0: late "
                          "events are not accepted)",
                          (long long)now, r->id, (long long)r->t0);
    if (now < r->t0 - window_secs(m))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "now: %lld is more than B2B2C_LEAD_LATENESS_DAYS "
                          "(%g days) before the last event of lead '%s' "
                          "at %lld",
                          (long long)now, days, r->id, (long long)r->t0);
    if (!old || now < old->t0)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "now: %lld is before the events lead '%s' keeps "
                          "for late arrivals (from %lld: the lead's events "
                          "before came while B2B2C_LEAD_LATENESS_DAYS was "
                          "lower, or more than %d came after)",
                          (long long)now, r->id,
                          (long long)(old ? old->t0 : r->t0), LEAD_LATE_MAX);
    if ((rc = stage_at_time(m, r, now, &stage)) != 0)
        return rc;
    *before = 0;
    b2b2c__lead_score_at(m, r, r->t0, before);

    /* the kept events with the late one in its place: after those at the
     * same time (they came first) */
    oe = lead_late_ev(old);
    n = old->n + 1;
    for (pos = old->n; pos > 0 && oe[pos - 1].at > now; pos--)
        ;
    tmp = b2b2c__malloc(ctx, n * sizeof(lead_lev));
    if (!tmp)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memcpy(tmp, oe, pos * sizeof(lead_lev));
    memset(&tmp[pos], 0, sizeof(tmp[pos]));
    tmp[pos].at = now;
    tmp[pos].value = value;
    tmp[pos].kind = (uint16_t)kind;
    tmp[pos].dealer = (uint8_t)with_dealer(stage);
    memcpy(tmp + pos + 1, oe + pos, (old->n - pos) * sizeof(lead_lev));
    if (n > LEAD_LATE_MAX)
        k = n - LEAD_LATE_MAX;
    l = late_fold(m, r, old, tmp, n, k);
    b2b2c__free(ctx, tmp);
    if (!l)
        return ctx->errcode;

    /* replay from the (new) checkpoint into a fresh per-kind array */
    cap = buf_cap(m, l->nk, l->n);
    if (cap < r->nk)
        cap = r->nk;
    nks = b2b2c__malloc(ctx, cap * sizeof(lead_ks));
    if (!nks)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_free_on_fail(ctx, nks)) != 0) {
        b2b2c__free(ctx, nks);
        return rc;
    }
    if ((rc = b2b2c__lead_save(m, r)) != 0 ||
        (r->ks && (rc = b2b2c__undo_free_on_commit(ctx, r->ks)) != 0) ||
        (rc = late_set(m, r, l)) != 0)
        return rc;
    run(m, r, l, lead_late_ev(l), l->n, &s, nks);
    r->eng = s.eng;
    r->t0 = s.t0;
    r->hot_until = s.hot_until;
    r->band = s.band;
    r->band_prev = s.band_prev;
    r->band_at = s.band_at;
    r->ks = nks;
    r->nk = s.nk;
    r->capk = (uint16_t)cap;
    *after = 0;
    b2b2c__lead_score_at(m, r, r->t0, after);
    return 0;
}

/* ---- rescoring ------------------------------------------------------------ */

static void late_restore(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    lead_rec *r = a;
    (void)b;
    memcpy(&r->late, b2b2c__undo_arena_pop(ctx, n), sizeof(r->late));
}

int b2b2c__lead_late_rescore(b2b2c_lead_model *m, lead_rec *r,
                             const double *old, const double *nw,
                             int *changed)
{
    const lead_late *o = r->late;
    lead_late *l, **saved;
    double e;
    int any = 0;
    *changed = 0;
    if (!o)
        return 0;
    e = o->eng;
    for (uint32_t i = 0; i < o->nk; i++) {
        uint16_t k = o->ks[i].kind;
        if (old[k] != nw[k]) {
            e += (nw[k] - old[k]) * lead_earned(&o->ks[i]);
            any = 1;
        }
    }
    if (!any)
        return 0;
    /* the caller saves only the score fields: the pointer is put back
     * here (registered first: the block is freed if the call fails) */
    if (!(saved = b2b2c__undo_arena(m->ctx, late_restore, r, NULL,
                                    sizeof(*saved))))
        return m->ctx->errcode;
    *saved = r->late;
    if (!(l = late_new(m->ctx, o->nk, o->n)))
        return m->ctx->errcode;
    memcpy(l, o, lead_late_size(o->nk, o->n));
    l->eng = e > 0 ? e : 0;
    *changed = 1;
    return late_set(m, r, l);
}
