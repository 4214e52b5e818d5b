/* SPDX-License-Identifier: MIT */
/* b2b2c_lead_funnel: stage conversion, drop-off and time in stage from the
 * stage histories, by cohort, channel, segment or band (docs/lead-model.md,
 * "Funnel"). */
#include "lead_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define S(x) (1u << B2B2C_LEAD_STAGE_##x)
/* Moves that go on along the funnel from each stage; lost and
 * disqualified go on when the lead is revived (nurturing). */
static const uint32_t forward[LEAD_NSTAGES] = {
    /* new */ S(NURTURING) | S(QUALIFIED),
    /* nurturing */ S(QUALIFIED),
    /* qualified */ S(PASSED_TO_DEALER) | S(WON),
    /* passed */ S(ACCEPTED_BY_DEALER),
    /* accepted */ S(WON),
    /* won */ S(CUSTOMER),
    /* lost */ S(NURTURING),
    /* disqualified */ S(NURTURING),
    /* customer */ S(REPEAT_DUE),
    /* repeat_due */ S(CUSTOMER) | S(QUALIFIED),
};
/* Stages a lead should not sit in: an open visit can stall. */
static const uint32_t active = S(NEW) | S(NURTURING) | S(QUALIFIED) |
                               S(PASSED_TO_DEALER) | S(ACCEPTED_BY_DEALER) |
                               S(REPEAT_DUE);
static const uint32_t dropped = S(LOST) | S(DISQUALIFIED);
#undef S

/* A growing list of durations (seconds): 32-bit while every duration
 * fits (the funnel's `wide` unset), else 64-bit. */
typedef struct dlist {
    void *v;
    size_t n, cap;
} dlist;

/* One group x stage. */
typedef struct fbucket {
    uint64_t entered, leads, fwd, drop, open, stalled;
    uint64_t moved[LEAD_NSTAGES];
    dlist stay, reach;
} fbucket;

/* A week or month cohort: its period number -> group. */
typedef struct fkey {
    int64_t key;
    uint32_t group; /* + 1; 0 = empty slot */
} fkey;

typedef struct funnel {
    b2b2c_lead_model *m;
    b2b2c_ctx *ctx;
    int32_t by;
    int wide;     /* durations kept as int64_t (else uint32_t) */
    int need_wide; /* a duration did not fit 32 bits: run again wide */
    fbucket *b;   /* ngroups * LEAD_NSTAGES */
    size_t ngroups, capgroups;
    int64_t *gkey; /* cohorts: period number of each group */
    fkey *hash;   /* cohorts: open addressing, capacity hcap (power of 2) */
    size_t hcap;
    int64_t lastkey;
    uint32_t lastgroup; /* + 1 */
} funnel;

/* ---- calendar (proleptic Gregorian; Hinnant, "chrono-Compatible Low-Level
 * Date Algorithms", civil_from_days) --------------------------------------- */

static void civil(int64_t days, int64_t *y, int *mo, int *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*mo <= 2);
}

/* The cohort of a creation time: week number (weeks start on Monday; day
 * 0, 1970-01-01, was a Thursday) or month number (year * 12 + month - 1),
 * in the context's time zone. */
static int64_t cohort_key(const funnel *f, int64_t created)
{
    int64_t day = b2b2c__day(f->ctx, created);
    int64_t y;
    int mo, d;
    if (f->by == B2B2C_LEAD_FUNNEL_BY_WEEK)
        return b2b2c__period_off(day + 3, 7, 0);
    civil(day, &y, &mo, &d);
    return y * 12 + mo - 1;
}

static void cohort_label(char *buf, size_t n, const funnel *f, int64_t key)
{
    int64_t y;
    int mo, d;
    if (f->by == B2B2C_LEAD_FUNNEL_BY_WEEK) {
        civil(key * 7 - 3, &y, &mo, &d);
        snprintf(buf, n, "%04lld-%02d-%02d", (long long)y, mo, d);
    } else {
        y = b2b2c__period_off(key, 12, 0);
        snprintf(buf, n, "%04lld-%02d", (long long)y, (int)(key - y * 12) + 1);
    }
}

/* ---- groups -------------------------------------------------------------- */

/* Room for `n` groups (buckets zeroed). 0 or B2B2C_ENOMEM. */
static int groups_room(funnel *f, size_t n)
{
    size_t cap = f->capgroups ? f->capgroups : 16;
    fbucket *b;
    if (n <= f->capgroups)
        return 0;
    while (cap < n)
        cap *= 2;
    b = b2b2c__arealloc(&f->ctx->mem, f->b,
                        cap * LEAD_NSTAGES * sizeof(*b));
    if (!b)
        return B2B2C_ENOMEM;
    memset(b + f->capgroups * LEAD_NSTAGES, 0,
           (cap - f->capgroups) * LEAD_NSTAGES * sizeof(*b));
    f->b = b;
    if (f->by == B2B2C_LEAD_FUNNEL_BY_WEEK ||
        f->by == B2B2C_LEAD_FUNNEL_BY_MONTH) {
        int64_t *k = b2b2c__arealloc(&f->ctx->mem, f->gkey,
                                     cap * sizeof(*k));
        if (!k)
            return B2B2C_ENOMEM;
        f->gkey = k;
    }
    f->capgroups = cap;
    return 0;
}

static uint64_t mix(int64_t k)
{
    uint64_t x = (uint64_t)k * UINT64_C(0x9e3779b97f4a7c15);
    return x ^ x >> 29;
}

/* The group of a cohort key, made when new. 0 or B2B2C_ENOMEM. */
static int cohort_group(funnel *f, int64_t key, uint32_t *g)
{
    size_t i;
    if (f->lastgroup && f->lastkey == key) {
        *g = f->lastgroup - 1;
        return 0;
    }
    if (2 * (f->ngroups + 1) > f->hcap) { /* rehash at half full */
        size_t cap = f->hcap ? f->hcap * 2 : 64;
        fkey *h = b2b2c__amalloc(&f->ctx->mem, cap * sizeof(*h));
        if (!h)
            return B2B2C_ENOMEM;
        memset(h, 0, cap * sizeof(*h));
        for (size_t j = 0; j < f->hcap; j++)
            if (f->hash[j].group) {
                size_t s = mix(f->hash[j].key) & (cap - 1);
                while (h[s].group)
                    s = (s + 1) & (cap - 1);
                h[s] = f->hash[j];
            }
        b2b2c__afree(&f->ctx->mem, f->hash);
        f->hash = h;
        f->hcap = cap;
    }
    for (i = mix(key) & (f->hcap - 1); f->hash[i].group;
         i = (i + 1) & (f->hcap - 1))
        if (f->hash[i].key == key)
            break;
    if (!f->hash[i].group) {
        if (groups_room(f, f->ngroups + 1))
            return B2B2C_ENOMEM;
        f->gkey[f->ngroups] = key;
        f->hash[i].key = key;
        f->hash[i].group = (uint32_t)++f->ngroups;
    }
    f->lastkey = key;
    f->lastgroup = f->hash[i].group;
    *g = f->lastgroup - 1;
    return 0;
}

static void group_label(char *buf, size_t n, const funnel *f, size_t g)
{
    const char *s = "";
    switch (f->by) {
    case B2B2C_LEAD_FUNNEL_BY_ALL:
        s = "all";
        break;
    case B2B2C_LEAD_FUNNEL_BY_WEEK:
    case B2B2C_LEAD_FUNNEL_BY_MONTH:
        cohort_label(buf, n, f, f->gkey[g]);
        return;
    case B2B2C_LEAD_FUNNEL_BY_CHANNEL:
        s = g ? f->m->attrs[g - 1]->key + 1 : "";
        break;
    case B2B2C_LEAD_FUNNEL_BY_SEGMENT:
        s = b2b2c_segment_name((int32_t)g);
        break;
    default:
        s = b2b2c_band_name((int32_t)g);
        break;
    }
    snprintf(buf, n, "%s", s);
}

/* ---- visits -------------------------------------------------------------- */

/* dl_add: a duration does not fit 32 bits; the funnel runs again wide. */
#define FUNNEL_WIDE 1

static int dl_grow(const funnel *f, dlist *l)
{
    size_t cap = l->cap ? l->cap * 2 : 64;
    void *p = b2b2c__arealloc(&f->ctx->mem, l->v,
                              cap * (f->wide ? sizeof(int64_t)
                                             : sizeof(uint32_t)));
    if (!p)
        return B2B2C_ENOMEM;
    l->v = p;
    l->cap = cap;
    return 0;
}

static inline int dl_add(const funnel *f, dlist *l, int64_t v)
{
    if (B2B2C__UNLIKELY(l->n == l->cap) && dl_grow(f, l))
        return B2B2C_ENOMEM;
    if (f->wide)
        ((int64_t *)l->v)[l->n++] = v;
    else if (B2B2C__LIKELY((uint64_t)v <= UINT32_MAX))
        ((uint32_t *)l->v)[l->n++] = (uint32_t)v;
    else
        return FUNNEL_WIDE;
    return 0;
}

/* One visit of `stage` entered at `at` by a lead created at `created`;
 * `to` is the stage it moved to at `end`, or -1 while still open at now.
 * *seen: the stages the lead has visited (its first visit counts in
 * LEADS and in the time from creation). */
static int visit(funnel *f, fbucket *b, int32_t stage, int64_t created,
                 int64_t at, int32_t to, int64_t end, int64_t stall,
                 uint32_t *seen)
{
    b->entered++;
    if (!(*seen & 1u << stage)) {
        *seen |= 1u << stage;
        b->leads++;
        int rc = dl_add(f, &b->reach, at - created);
        if (rc)
            return rc;
    }
    if (to < 0) {
        b->open++;
        if ((active >> stage & 1u) && end - at >= stall)
            b->stalled++;
        return 0;
    }
    b->moved[to]++;
    b->fwd += forward[stage] >> to & 1u;
    b->drop += dropped >> to & 1u;
    return dl_add(f, &b->stay, end - at);
}

/* The group of a lead (every breakdown but band). */
static int lead_group(funnel *f, const lead_rec *r, uint32_t *g)
{
    switch (f->by) {
    case B2B2C_LEAD_FUNNEL_BY_WEEK:
    case B2B2C_LEAD_FUNNEL_BY_MONTH:
        return cohort_group(f, cohort_key(f, r->created), g);
    case B2B2C_LEAD_FUNNEL_BY_CHANNEL:
        *g = r->chan;
        return 0;
    case B2B2C_LEAD_FUNNEL_BY_SEGMENT:
        *g = r->segment;
        return 0;
    default:
        *g = 0;
        return 0;
    }
}

static int lead_visits(funnel *f, const lead_rec *r, const lead_hist *h,
                       int64_t now, int64_t stall)
{
    uint32_t g, seen = 0;
    int32_t stage = B2B2C_LEAD_STAGE_NEW, band = B2B2C_BAND_COLD;
    int64_t at = r->created;
    int by_band = f->by == B2B2C_LEAD_FUNNEL_BY_BAND;
    uint32_t n = h ? h->n : 0;
    int rc;

    if ((rc = lead_group(f, r, &g)) != 0)
        return rc;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t e = h->e[i];
        int64_t t = LEAD_HIST_AT(e);
        int32_t to = LEAD_HIST_TO(e);
        if (t > now)
            break;
        if (by_band)
            g = (uint32_t)band;
        if ((rc = visit(f, &f->b[g * LEAD_NSTAGES + (uint32_t)stage], stage,
                        r->created, at, to, t, stall, &seen)) != 0)
            return rc;
        stage = to;
        at = t;
        band = LEAD_HIST_BAND(e);
    }
    if (by_band)
        g = (uint32_t)band;
    return visit(f, &f->b[g * LEAD_NSTAGES + (uint32_t)stage], stage,
                 r->created, at, -1, now, stall, &seen);
}

/* ---- percentiles --------------------------------------------------------- */

#define LS_T int64_t
#define LS_SFX i64
#include "lead_select.h"
#define LS_T uint32_t
#define LS_SFX u32
#include "lead_select.h"

/* The median and 90th percentile of v[0..n), in days (NaN for n = 0):
 * Hyndman & Fan (1996), "Sample quantiles in statistical packages", The
 * American Statistician 50(4), definition 7 (numpy's and R's default):
 * with h = (n - 1) p, Q(p) = x(floor h) + (h - floor h) (x(floor h + 1) -
 * x(floor h)). 0 or B2B2C_ENOMEM. */
static int quantiles(const funnel *f, dlist *l, double *med, double *p90)
{
    static const double p[2] = {0.5, 0.9};
    size_t k[4];
    int64_t x[4];
    double h[2], *out[2] = {med, p90};
    int nk = 0, rc;
    if (l->n == 0) {
        *med = *p90 = NAN;
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        size_t j;
        h[i] = (double)(l->n - 1) * p[i];
        j = (size_t)h[i];
        /* ranks j and j + 1, ascending, each once */
        if (nk == 0 || k[nk - 1] < j)
            k[nk++] = j;
        if (j + 1 < l->n && k[nk - 1] < j + 1)
            k[nk++] = j + 1;
    }
    rc = f->wide ? order_stats_i64(f->ctx, l->v, l->n, k, nk, x)
                 : order_stats_u32(f->ctx, l->v, l->n, k, nk, x);
    if (rc)
        return rc;
    for (int i = 0; i < 2; i++) {
        size_t j = (size_t)h[i], a = 0;
        double g = h[i] - (double)j, xj, xn;
        while (k[a] != j)
            a++;
        xj = (double)x[a];
        xn = a + 1 < (size_t)nk && k[a + 1] == j + 1 ? (double)x[a + 1] : xj;
        *out[i] = (xj + g * (xn - xj)) / 86400.0;
    }
    return 0;
}

/* ---- the call ------------------------------------------------------------ */

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : NAN;
}

static int row(funnel *f, const char *label, int32_t stage, fbucket *b,
               b2b2c_lead_funnel_cb cb, void *userdata)
{
    double v[B2B2C_LEAD_FUNNEL_NFIELDS];
    int rc;
    if (quantiles(f, &b->stay, &v[B2B2C_LEAD_FUNNEL_DAYS_MEDIAN],
                  &v[B2B2C_LEAD_FUNNEL_DAYS_P90]) ||
        quantiles(f, &b->reach, &v[B2B2C_LEAD_FUNNEL_REACH_MEDIAN],
                  &v[B2B2C_LEAD_FUNNEL_REACH_P90]))
        return b2b2c__err(f->ctx, B2B2C_ENOMEM, "out of memory");
    v[B2B2C_LEAD_FUNNEL_ENTERED] = (double)b->entered;
    v[B2B2C_LEAD_FUNNEL_LEADS] = (double)b->leads;
    v[B2B2C_LEAD_FUNNEL_FORWARD] = (double)b->fwd;
    v[B2B2C_LEAD_FUNNEL_DROPPED] = (double)b->drop;
    v[B2B2C_LEAD_FUNNEL_OPEN] = (double)b->open;
    v[B2B2C_LEAD_FUNNEL_STALLED] = (double)b->stalled;
    v[B2B2C_LEAD_FUNNEL_CONVERSION] = ratio(b->fwd, b->entered);
    v[B2B2C_LEAD_FUNNEL_DROP_RATE] = ratio(b->drop, b->entered);
    for (int s = 0; s < LEAD_NSTAGES; s++)
        v[B2B2C_LEAD_FUNNEL_MOVED_TO + s] = (double)b->moved[s];
    b2b2c__cb_enter(f->ctx);
    rc = cb(label, stage, v, B2B2C_LEAD_FUNNEL_NFIELDS, userdata);
    b2b2c__cb_leave(f->ctx);
    return rc;
}

typedef struct glabel {
    char s[B2B2C__ID_MAX + 1];
    size_t g;
} glabel;

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const glabel *)a)->s, ((const glabel *)b)->s);
}

static int emit(funnel *f, b2b2c_lead_funnel_cb cb, void *userdata)
{
    glabel *gl;
    size_t n = 0;
    int rc = 0;
    if (f->ngroups == 0)
        return 0;
    if (!(gl = b2b2c__malloc(f->ctx, f->ngroups * sizeof(*gl))))
        return b2b2c__err(f->ctx, B2B2C_ENOMEM, "out of memory");
    for (size_t g = 0; g < f->ngroups; g++) {
        uint64_t any = 0;
        for (int s = 0; s < LEAD_NSTAGES; s++)
            any |= f->b[g * LEAD_NSTAGES + (size_t)s].entered;
        if (!any)
            continue;
        group_label(gl[n].s, sizeof(gl[n].s), f, g);
        gl[n++].g = g;
    }
    qsort(gl, n, sizeof(*gl), label_cmp);
    for (size_t i = 0; i < n && rc == 0; i++)
        for (int s = 0; s < LEAD_NSTAGES && rc == 0; s++) {
            fbucket *b = &f->b[gl[i].g * LEAD_NSTAGES + (size_t)s];
            if (b->entered)
                rc = row(f, gl[i].s, s, b, cb, userdata);
        }
    b2b2c__free(f->ctx, gl);
    return rc;
}

static void funnel_fini(funnel *f)
{
    for (size_t i = 0; i < f->capgroups * LEAD_NSTAGES; i++) {
        b2b2c__free(f->ctx, f->b[i].stay.v);
        b2b2c__free(f->ctx, f->b[i].reach.v);
    }
    b2b2c__free(f->ctx, f->b);
    b2b2c__free(f->ctx, f->gkey);
    b2b2c__free(f->ctx, f->hash);
}

/* The funnel's pass over the closed leads (lead_close.c). */
typedef struct closed_pass {
    funnel *f;
    int64_t now, stall;
    int wide; /* a duration did not fit: the rest is skipped */
} closed_pass;

static int closed_visits(void *arg, const lead_rec *r, const lead_hist *h)
{
    closed_pass *c = arg;
    int rc;
    if (c->wide)
        return 0;
    rc = lead_visits(c->f, r, h, c->now, c->stall);
    if (rc == FUNNEL_WIDE) {
        c->wide = 1;
        return 0;
    }
    return rc ? b2b2c__err(c->f->ctx, rc, "out of memory") : 0;
}

static int funnel_run(funnel *f, int64_t from, int64_t to, int64_t now,
                      int64_t stall, b2b2c_lead_funnel_cb cb, void *userdata)
{
    const b2b2c_lead_model *m = f->m;
    size_t fixed = 0;
    int rc;

    switch (f->by) {
    case B2B2C_LEAD_FUNNEL_BY_ALL:
        fixed = 1;
        break;
    case B2B2C_LEAD_FUNNEL_BY_CHANNEL:
        fixed = m->nattrs + 1;
        break;
    case B2B2C_LEAD_FUNNEL_BY_SEGMENT:
        fixed = LEAD_NSEG;
        break;
    case B2B2C_LEAD_FUNNEL_BY_BAND:
        fixed = B2B2C_BAND_HOT + 1;
        break;
    }
    if (fixed) {
        if (groups_room(f, fixed))
            return b2b2c__err(f->ctx, B2B2C_ENOMEM, "out of memory");
        f->ngroups = fixed;
    }
    for (size_t i = 0; i < m->nleads; i++) {
        const lead_rec *r = lead_at(m, i);
        if (r->created < from || r->created >= to || r->created > now)
            continue;
        if ((rc = lead_visits(f, r, i < m->fh_cap ? m->fh[i] : NULL, now,
                              stall)) != 0)
        {
            if (rc != FUNNEL_WIDE)
                return b2b2c__err(f->ctx, rc, "out of memory");
            f->need_wide = 1; /* before any row: nothing reported yet */
            return 0;
        }
    }
    {
        closed_pass c = {f, now, stall, 0};
        if ((rc = b2b2c__lead_closed_each(f->m, from, to, now, closed_visits,
                                          &c)) != 0)
            return rc;
        if (c.wide) {
            f->need_wide = 1;
            return 0;
        }
    }
    return emit(f, cb, userdata);
}

int b2b2c_lead_funnel(const b2b2c_lead_model *m, int64_t from, int64_t to,
                      int64_t now, int32_t by, double stall_days,
                      b2b2c_lead_funnel_cb cb, void *userdata)
{
    funnel f;
    int rc;

    if ((rc = b2b2c__lead_begin(m, cb ? NULL : "cb", &now)) != 0)
        return rc;
    if (by < B2B2C_LEAD_FUNNEL_BY_ALL || by > B2B2C_LEAD_FUNNEL_BY_BAND)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "by: unknown breakdown %d",
                          (int)by);
    if (isnan(stall_days))
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "stall_days: NaN");
    if (!(stall_days > 0 && stall_days <= 36500))
        return b2b2c__err(m->ctx, B2B2C_ERANGE,
                          "stall_days: %g is outside (0, 36500]", stall_days);
    if (from > to)
        return b2b2c__err(m->ctx, B2B2C_ERANGE,
                          "from: %lld is after to (%lld)", (long long)from,
                          (long long)to);
    if ((rc = b2b2c__sync_read(m->ctx)) != 0 ||
        (rc = b2b2c__lead_hist_ready(m)) != 0)
        return rc;
    /* durations as 32 bits (half the memory), or, when one does not fit
     * (a stay over 136 years), again as 64 */
    for (int wide = 0; wide < 2; wide++) {
        memset(&f, 0, sizeof(f));
        f.m = (b2b2c_lead_model *)m;
        f.ctx = m->ctx;
        f.by = by;
        f.wide = wide;
        rc = funnel_run(&f, from, to, now,
                        (int64_t)ceil(stall_days * 86400.0), cb, userdata);
        funnel_fini(&f);
        if (rc || !f.need_wide)
            break;
    }
    return rc;
}
