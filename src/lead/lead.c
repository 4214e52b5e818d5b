/* Lead model: handle, configuration, leads, events, lifecycle, loading. */
#include <math.h>
#include <stdio.h>

#include "lead_internal.h"

/* ---- parameters ----------------------------------------------------------- */

static const struct {
    double def, lo, hi;
    const char *name;
} param_info[LEAD_NPARAMS] = {
    {30.0, 0.01, 3650.0, "B2B2C_LEAD_HALF_LIFE_DAYS"},
    {15.0, -1e6, 1e6, "B2B2C_LEAD_WARM_THRESHOLD"},
    {80.0, -1e6, 1e6, "B2B2C_LEAD_HOT_THRESHOLD"},
    {50.0, 2.0, 1e9, "B2B2C_LEAD_MIN_OUTCOMES"},
    {0.001, 0.0, 100.0, "B2B2C_LEAD_L2"},
    {0.05, 1e-6, 10.0, "B2B2C_LEAD_LEARNING_RATE"},
    {1000.0, 1.0, 10000.0, "B2B2C_LEAD_REFIT_EPOCHS"},
};

/* Default rule points, derived from the source's cold/warm/hot examples
 * (docs/lead-model.md explains each number). */
static const struct {
    const char *name;
    double points, cap_day, cap_total, hot_days;
} kind_defaults[B2B2C_LEAD_EV_BUILTIN_COUNT] = {
    {"newsletter_subscribe", 5, 1, 1, 0},
    {"site_visit", 2, 3, 0, 0},
    {"content_view", 3, 3, 0, 0},
    {"email_open", 1, 2, 0, 0},
    {"email_click", 3, 3, 0, 0},
    {"guide_download", 20, 2, 0, 0},
    {"webinar_register", 20, 1, 0, 0},
    {"webinar_attend", 25, 1, 0, 0},
    {"demo_view", 25, 1, 0, 0},
    {"pricing_view", 30, 1, 0, 0},
    {"question_asked", 90, 1, 0, 0},
    {"quote_request", 80, 1, 0, 14},
    {"meeting_booked", 80, 1, 0, 14},
    {"purchase", 0, 0, 0, 0},
    {"unsubscribe", -30, 1, 0, 0},
    {"email_bounce", -10, 1, 0, 0},
    {"marked_spam", -100, 1, 0, 0},
};

static const char *const stage_names[] = {
    "new", "nurturing", "qualified", "passed_to_dealer",
    "accepted_by_dealer", "won", "lost", "disqualified", "customer",
    "repeat_due",
};
#define NSTAGES 10

#define S(x) (1u << B2B2C_LEAD_STAGE_##x)
static const uint32_t stage_next[NSTAGES] = {
    /* new */ S(NURTURING) | S(QUALIFIED) | S(LOST) | S(DISQUALIFIED),
    /* nurturing */ S(QUALIFIED) | S(LOST) | S(DISQUALIFIED),
    /* qualified */ S(NURTURING) | S(PASSED_TO_DEALER) | S(WON) | S(LOST) |
        S(DISQUALIFIED),
    /* passed */ S(ACCEPTED_BY_DEALER) | S(QUALIFIED) | S(LOST),
    /* accepted */ S(WON) | S(LOST) | S(QUALIFIED),
    /* won */ S(CUSTOMER),
    /* lost */ S(NURTURING),
    /* disqualified */ S(NURTURING),
    /* customer */ S(REPEAT_DUE),
    /* repeat_due */ S(CUSTOMER) | S(QUALIFIED) | S(NURTURING),
};
#undef S

const char *b2b2c_lead_stage_name(int32_t stage)
{
    return stage >= 0 && stage < NSTAGES ? stage_names[stage] : NULL;
}

int32_t b2b2c_lead_stage_from_name(const char *name)
{
    if (!name)
        return B2B2C_EINVAL;
    for (int32_t i = 0; i < NSTAGES; i++)
        if (strcmp(stage_names[i], name) == 0)
            return i;
    return B2B2C_EINVAL;
}

static int with_dealer(int stage)
{
    return stage == B2B2C_LEAD_STAGE_PASSED_TO_DEALER ||
           stage == B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER;
}

/* ---- scoring primitives ----------------------------------------------------- */

double b2b2c__lead_decay(const b2b2c_lead_model *m, int64_t t0, int64_t t)
{
    double hl = lead_param(m, B2B2C_LEAD_HALF_LIFE_DAYS) * LEAD_DAY;
    if (t <= t0)
        return 1.0;
    /* exponential decay with half-life h: 2^(-dt/h); the difference in
     * doubles is exact for times in range (below 2^38, internal.h) and
     * cannot overflow for a record stored before the range existed */
    return exp2(-((double)t - (double)t0) / hl);
}

double b2b2c__lead_fit(const b2b2c_lead_model *m, const lead_rec *r)
{
    double f = m->seg_points[r->segment];
    if (r->chan)
        f += m->attrs[r->chan - 1]->points;
    if (r->region)
        f += m->attrs[r->region - 1]->points;
    if (r->prod)
        f += m->attrs[r->prod - 1]->points;
    return f;
}

int32_t b2b2c__lead_band_of(const b2b2c_lead_model *m, double score,
                            int64_t now, int64_t hot_until)
{
    if (now < hot_until || score >= lead_param(m, B2B2C_LEAD_HOT_THRESHOLD))
        return B2B2C_BAND_HOT;
    if (score >= lead_param(m, B2B2C_LEAD_WARM_THRESHOLD))
        return B2B2C_BAND_WARM;
    return B2B2C_BAND_COLD;
}

double b2b2c__lead_score_at(const b2b2c_lead_model *m, const lead_rec *r,
                            int64_t now, int32_t *band)
{
    double s;
    if (now < r->t0)
        now = r->t0;
    s = b2b2c__lead_fit(m, r) + r->eng * b2b2c__lead_decay(m, r->t0, now);
    if (band)
        *band = b2b2c__lead_band_of(m, s, now, r->hot_until);
    return s;
}

void b2b2c__lead_band_entry(const b2b2c_lead_model *m, const lead_rec *r,
                            int64_t now, int32_t *band, int32_t *old,
                            int64_t *at)
{
    int32_t b, o;
    int64_t t;
    double fit, thr, hl;

    if (now < r->t0)
        now = r->t0;
    b2b2c__lead_score_at(m, r, now, &b);
    *band = b;
    if (b == r->band || b == B2B2C_BAND_HOT) {
        *old = r->band_prev;
        *at = r->band_at;
        return;
    }
    /* The score only falls between events, so the band was entered when the
     * score crossed the next band's threshold or the hot hold ended,
     * whichever came later. */
    fit = b2b2c__lead_fit(m, r);
    thr = lead_param(m, b == B2B2C_BAND_COLD ? B2B2C_LEAD_WARM_THRESHOLD
                                             : B2B2C_LEAD_HOT_THRESHOLD);
    hl = lead_param(m, B2B2C_LEAD_HALF_LIFE_DAYS) * LEAD_DAY;
    t = r->t0;
    if (r->eng > 0 && thr - fit > 0 && fit + r->eng >= thr) {
        /* fit + eng * 2^(-dt/h) = thr  =>  dt = h * log2(eng / (thr - fit)) */
        double dt = ceil(hl * log2(r->eng / (thr - fit)));
        if (dt > (double)now - (double)r->t0)
            dt = (double)now - (double)r->t0;
        if (dt > 0)
            t = r->t0 + (int64_t)dt;
    }
    if (r->hot_until > t && r->hot_until <= now)
        t = r->hot_until;
    if (t > r->t0) {
        b2b2c__lead_score_at(m, r, t - 1, &o);
        if (o == b)
            o = r->band;
    } else {
        o = r->band;
    }
    *old = o;
    *at = t;
}

lead_rec *b2b2c__lead_find(const b2b2c_lead_model *m, const char *id, int *rc)
{
    size_t n;
    lead_rec *r;
    if (b2b2c__id_check(id, &n)) {
        *rc = b2b2c__err(m->ctx, id ? B2B2C_EBADID : B2B2C_EINVAL,
                         "id: not a valid lead ID");
        return NULL;
    }
    r = b2b2c__map_get(&m->leads, id, n);
    if (!r)
        *rc = b2b2c__err(m->ctx, B2B2C_ENOTFOUND, "id: no lead '%s'", id);
    return r;
}

/* ---- records ----------------------------------------------------------------- */

static int write_config(b2b2c_lead_model *m)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    for (int i = 0; i < LEAD_NPARAMS; i++)
        b2b2c__enc_f64(&w, m->params[i]);
    for (int i = 0; i < LEAD_NSEG; i++)
        b2b2c__enc_f64(&w, m->seg_points[i]);
    b2b2c__enc_u32(&w, m->nkinds);
    for (uint32_t k = 0; k < m->nkinds; k++) {
        const lead_kind *kd = &m->kinds[k];
        b2b2c__enc_str(&w, kd->name);
        b2b2c__enc_f64(&w, kd->points);
        b2b2c__enc_f64(&w, kd->cap_day);
        b2b2c__enc_f64(&w, kd->cap_total);
        b2b2c__enc_f64(&w, kd->hot_days);
    }
    return b2b2c__st_put_rec(m->ctx, T_CONFIG, "config", 6, &w);
}

int b2b2c__lead_write_model(b2b2c_lead_model *m)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    b2b2c__enc_f64(&w, m->bias);
    for (int i = 0; i < LEAD_NSEG; i++)
        b2b2c__enc_f64(&w, m->seg_w[i]);
    for (int i = 0; i < 4; i++)
        b2b2c__enc_u64(&w, m->rng.s[i]);
    b2b2c__enc_u32(&w, m->nkinds);
    for (uint32_t k = 0; k < m->nkinds; k++) {
        b2b2c__enc_f64(&w, m->kinds[k].w_cnt);
        b2b2c__enc_f64(&w, m->kinds[k].w_val);
    }
    return b2b2c__st_put_rec(m->ctx, T_MODEL, "weights", 7, &w);
}

static void attr_key(char *buf, uint32_t idx)
{
    buf[0] = (char)(idx >> 24);
    buf[1] = (char)(idx >> 16);
    buf[2] = (char)(idx >> 8);
    buf[3] = (char)idx;
}

int b2b2c__lead_write_attr(b2b2c_lead_model *m, const lead_attr *a)
{
    b2b2c__wbuf w;
    char key[4];
    attr_key(key, a->idx);
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    b2b2c__enc_u8(&w, a->attr);
    b2b2c__enc_bytes(&w, a->key + 1, a->klen - 1);
    b2b2c__enc_f64(&w, a->points);
    b2b2c__enc_f64(&w, a->w);
    return b2b2c__st_put_rec(m->ctx, T_ATTRS, key, 4, &w);
}

/*
 * The lead record is written on every event, so it is packed by hand into
 * one byte string (one codec call, fewer bytes to checksum): unsigned
 * LEB128 varints, zigzag varints for times (relative to `created` where
 * that makes them short), IEEE doubles little-endian.
 *
 *   created zz, segment u8, chan uv, region uv, prod uv, stage u8,
 *   stage_at-created zz, nhist uv, band u8, band_prev u8,
 *   band_at-created zz, eng f64, t0-created zz, hot_until zz, nk uv,
 *   nk x { kind u8, flags u8 (1 value sum, 2 cap counters), cnt f64,
 *          [val f64], [day zz, day_n uv, total_n uv] }
 */
typedef struct pk {
    const uint8_t *p, *end;
    int err;
} pk;

/* The loop for the long forms; put_uv writes the 1-3 byte ones (every
 * count, index and day number in practice) without it. */
static uint8_t *put_uv_long(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint8_t *put_uv(uint8_t *p, uint64_t v)
{
    if (v < 0x80) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (v < 0x4000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7);
        return p + 2;
    }
    if (v < 0x200000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7 | 0x80);
        p[2] = (uint8_t)(v >> 14);
        return p + 3;
    }
    return put_uv_long(p, v);
}

static inline uint8_t *put_zz(uint8_t *p, int64_t v)
{
    return put_uv(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* One little-endian store (the byte loop was ~8 instructions a byte). */
static inline uint8_t *put_f64(uint8_t *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    b2b2c__put_le64(p, v);
    return p + 8;
}

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

#define LEAD_PACK_MAX (80 + B2B2C_LEAD_EV_MAX * 40)

static int write_lead(b2b2c_lead_model *m, const lead_rec *r)
{
    b2b2c__wbuf w;
    uint8_t buf[LEAD_PACK_MAX], *p = buf;
    p = put_zz(p, r->created);
    *p++ = r->segment;
    p = put_uv(p, r->chan);
    p = put_uv(p, r->region);
    p = put_uv(p, r->prod);
    *p++ = r->stage;
    /* wrapping (zz_add undoes it): every time is in range since 1.0, but a
     * lead loaded from an older build's record may not be */
    p = put_zz(p, (int64_t)((uint64_t)r->stage_at - (uint64_t)r->created));
    p = put_uv(p, r->nhist);
    *p++ = r->band;
    *p++ = r->band_prev;
    p = put_zz(p, (int64_t)((uint64_t)r->band_at - (uint64_t)r->created));
    p = put_f64(p, r->eng);
    p = put_zz(p, (int64_t)((uint64_t)r->t0 - (uint64_t)r->created));
    p = put_zz(p, r->hot_until);
    p = put_uv(p, r->nk);
    for (uint32_t i = 0; i < r->nk; i++) {
        const lead_ks *k = &r->ks[i];
        uint8_t fl = (uint8_t)((k->val != 0 ? 1 : 0) |
                               (k->day_n || k->total_n ? 2 : 0));
        *p++ = (uint8_t)k->kind;
        *p++ = fl;
        p = put_f64(p, k->cnt);
        if (fl & 1)
            p = put_f64(p, k->val);
        if (fl & 2) {
            p = put_zz(p, k->day);
            p = put_uv(p, k->day_n);
            p = put_uv(p, k->total_n);
        }
    }
    b2b2c__enc_begin(&w, &m->ctx->mem, 1);
    b2b2c__enc_bytes(&w, buf, (size_t)(p - buf));
    return b2b2c__st_put_rec(m->ctx, T_LEADS, r->id, r->idlen, &w);
}

/* ---- handle ------------------------------------------------------------------- */

static void set_defaults(b2b2c_lead_model *m)
{
    for (int i = 0; i < LEAD_NPARAMS; i++)
        m->params[i] = param_info[i].def;
    m->nkinds = B2B2C_LEAD_EV_BUILTIN_COUNT;
    for (int k = 0; k < B2B2C_LEAD_EV_BUILTIN_COUNT; k++) {
        lead_kind *kd = &m->kinds[k];
        snprintf(kd->name, sizeof(kd->name), "%s", kind_defaults[k].name);
        kd->points = kind_defaults[k].points;
        kd->cap_day = kind_defaults[k].cap_day;
        kd->cap_total = kind_defaults[k].cap_total;
        kd->hot_days = kind_defaults[k].hot_days;
    }
}

/* Free the undo snapshot blocks (none may be live). */
static void snap_free(b2b2c_lead_model *m)
{
    for (size_t i = 0; i < m->nsnapblk; i++)
        b2b2c__free(m->ctx, m->snap[i]);
    b2b2c__free(m->ctx, m->snap);
    m->snap = NULL;
    m->nsnapblk = m->capsnapblk = m->cursnap = m->snaplen = m->nsnap = 0;
}

static void model_release(b2b2c_lead_model *m)
{
    b2b2c_ctx *ctx = m->ctx;
    for (size_t i = 0; i < m->nleads; i++) {
        lead_rec *r = lead_at(m, i);
        b2b2c__free(ctx, r->ks);
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
    snap_free(m);
    b2b2c__map_fini(&m->leads);
    b2b2c__map_fini(&m->attrmap);
    b2b2c__free(ctx, m);
}

void b2b2c_lead_model_free(b2b2c_lead_model *m)
{
    if (!m)
        return;
    b2b2c__handle_closing(m->ctx);
    model_release(m);
}

static int corrupt(b2b2c_lead_model *m, const char *table, const void *k,
                   size_t kl, int rc)
{
    char hex[80];
    size_t n = kl > 32 ? 32 : kl;
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)k)[i]);
    hex[2 * n] = '\0';
    if (rc != B2B2C_ENOMEM && rc != B2B2C_EVERSION)
        rc = B2B2C_ECORRUPT;
    return b2b2c__err(m->ctx, rc, "table '%s' key %s: %s", table, hex,
                      b2b2c_strerror(rc));
}

static int load_config(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_lead_model *m = payload;
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    uint32_t nk;
    if (rc)
        return corrupt(m, T_CONFIG, k, kl, rc);
    for (int i = 0; i < LEAD_NPARAMS; i++) {
        m->params[i] = b2b2c__dec_f64(&r);
        if (!(m->params[i] >= param_info[i].lo &&
              m->params[i] <= param_info[i].hi))
            r.err = B2B2C_ECORRUPT;
    }
    for (int i = 0; i < LEAD_NSEG; i++)
        m->seg_points[i] = b2b2c__dec_f64(&r);
    nk = b2b2c__dec_u32(&r);
    if (nk < B2B2C_LEAD_EV_BUILTIN_COUNT || nk > B2B2C_LEAD_EV_MAX)
        return corrupt(m, T_CONFIG, k, kl, B2B2C_ECORRUPT);
    m->nkinds = nk;
    for (uint32_t i = 0; i < nk && !r.err; i++) {
        lead_kind *kd = &m->kinds[i];
        size_t n;
        const char *s = b2b2c__dec_bytes(&r, &n);
        if (r.err || n == 0 || n >= sizeof(kd->name))
            return corrupt(m, T_CONFIG, k, kl, B2B2C_ECORRUPT);
        memcpy(kd->name, s, n);
        kd->name[n] = '\0';
        kd->points = b2b2c__dec_f64(&r);
        kd->cap_day = b2b2c__dec_f64(&r);
        kd->cap_total = b2b2c__dec_f64(&r);
        kd->hot_days = b2b2c__dec_f64(&r);
    }
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(m, T_CONFIG, k, kl, rc);
    return 0;
}

static int load_model(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_lead_model *m = payload;
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    uint32_t nk;
    if (rc)
        return corrupt(m, T_MODEL, k, kl, rc);
    m->bias = b2b2c__dec_f64(&r);
    for (int i = 0; i < LEAD_NSEG; i++)
        m->seg_w[i] = b2b2c__dec_f64(&r);
    for (int i = 0; i < 4; i++)
        m->rng.s[i] = b2b2c__dec_u64(&r);
    nk = b2b2c__dec_u32(&r);
    if (nk > m->nkinds)
        return corrupt(m, T_MODEL, k, kl, B2B2C_ECORRUPT);
    for (uint32_t i = 0; i < nk; i++) {
        m->kinds[i].w_cnt = b2b2c__dec_f64(&r);
        m->kinds[i].w_val = b2b2c__dec_f64(&r);
    }
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(m, T_MODEL, k, kl, rc);
    return 0;
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
    if ((rc = sparse_slot(m, (void ***)&m->attrs, &m->capattrs, idx)) != 0)
        return corrupt(m, T_ATTRS, k, kl, rc);
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
    m->attrs[idx] = a;
    if (idx >= m->nattrs)
        m->nattrs = idx + 1;
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(m, T_ATTRS, k, kl, rc);
    if (b2b2c__map_put(&m->attrmap, a->key, a->klen, a, NULL))
        return corrupt(m, T_ATTRS, k, kl, B2B2C_ENOMEM);
    return 0;
}

/* Room for one more lead; a new chunk when needed (undoable). */
static int lead_slot(b2b2c_lead_model *m, lead_rec **out, int undoable)
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

/* created + a stored delta, wrapping as the writer's subtraction did: a
 * record stored before the time range may hold any int64. */
static int64_t zz_add(int64_t a, int64_t d)
{
    return (int64_t)((uint64_t)a + (uint64_t)d);
}

static int load_lead(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_lead_model *m = payload;
    b2b2c__rbuf r;
    pk q;
    lead_rec *l;
    uint32_t nk;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(m, T_LEADS, k, kl, rc);
    if (kl < 1 || kl > B2B2C__ID_MAX)
        return corrupt(m, T_LEADS, k, kl, B2B2C_ECORRUPT);
    if ((rc = lead_slot(m, &l, 0)) != 0)
        return corrupt(m, T_LEADS, k, kl, rc);
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
    if (q.err || l->segment >= LEAD_NSEG || l->chan > m->nattrs ||
        l->region > m->nattrs || l->prod > m->nattrs ||
        l->stage >= NSTAGES || l->band > 3 || l->band_prev > 3 ||
        nk > m->nkinds || !(l->eng >= 0))
        return corrupt(m, T_LEADS, k, kl, B2B2C_ECORRUPT);
    l->id = kl < sizeof(l->sid) ? l->sid : b2b2c__malloc(m->ctx, kl + 1);
    if (nk)
        l->ks = b2b2c__malloc(m->ctx, nk * sizeof(lead_ks));
    if (!l->id || (nk && !l->ks)) {
        if (l->id != l->sid)
            b2b2c__free(m->ctx, l->id);
        b2b2c__free(m->ctx, l->ks);
        return corrupt(m, T_LEADS, k, kl, B2B2C_ENOMEM);
    }
    memcpy(l->id, k, kl);
    l->id[kl] = '\0';
    l->idlen = (uint16_t)kl;
    l->nk = l->capk = (uint16_t)nk;
    m->nleads++; /* owned now: freed by model_free on failure below */
    for (uint32_t i = 0; i < nk && !q.err; i++) {
        lead_ks *s = &l->ks[i];
        uint8_t fl;
        s->kind = get_u8(&q);
        fl = get_u8(&q);
        s->pad = 0;
        s->cnt = get_f64(&q);
        s->val = fl & 1 ? get_f64(&q) : 0;
        s->day = INT32_MIN;
        s->day_n = s->total_n = 0;
        if (fl & 2) {
            int64_t day = get_zz(&q);
            if (day < INT32_MIN || day > INT32_MAX)
                q.err = 1;
            s->day = (int32_t)day;
            s->day_n = get_u32v(&q);
            s->total_n = get_u32v(&q);
        }
        if (fl > 3 || s->kind >= m->nkinds)
            q.err = 1;
    }
    if (q.err || q.p != q.end)
        r.err = B2B2C_ECORRUPT;
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(m, T_LEADS, k, kl, rc);
    if (b2b2c__map_get(&m->leads, l->id, kl))
        return corrupt(m, T_LEADS, k, kl, B2B2C_ECORRUPT);
    if (b2b2c__map_put(&m->leads, l->id, kl, l, NULL))
        return corrupt(m, T_LEADS, k, kl, B2B2C_ENOMEM);
    return 0;
}

static int load_row(const void *k, size_t kl, const void *v, size_t vl,
                    void *payload)
{
    b2b2c_lead_model *m = payload;
    b2b2c__rbuf r;
    lead_row *row;
    uint32_t idx, nk;
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
    if (r.err || label > 1 || seg >= LEAD_NSEG || chan > m->nattrs ||
        region > m->nattrs || prod > m->nattrs || nk > m->nkinds ||
        idx == UINT32_MAX)
        return corrupt(m, T_TRAIN, k, kl, B2B2C_ECORRUPT);
    if ((rc = sparse_slot(m, (void ***)&m->rows, &m->caprows, idx)) != 0)
        return corrupt(m, T_TRAIN, k, kl, rc);
    row = b2b2c__malloc(m->ctx, sizeof(*row) + nk * sizeof(row->f[0]));
    if (!row)
        return corrupt(m, T_TRAIN, k, kl, B2B2C_ENOMEM);
    row->label = label;
    row->segment = seg;
    row->chan = chan;
    row->region = region;
    row->prod = prod;
    row->nk = (uint16_t)nk;
    for (uint32_t i = 0; i < nk; i++) {
        row->f[i].kind = b2b2c__dec_u32(&r);
        row->f[i].cnt = b2b2c__dec_f64(&r);
        row->f[i].val = b2b2c__dec_f64(&r);
        if (row->f[i].kind >= m->nkinds)
            r.err = B2B2C_ECORRUPT;
    }
    m->rows[idx] = row;
    if (idx >= m->nrows)
        m->nrows = idx + 1;
    m->nwon += label;
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(m, T_TRAIN, k, kl, rc);
    return 0;
}

int b2b2c_lead_model_new(b2b2c_lead_model **out, b2b2c_ctx *ctx,
                         uint64_t seed)
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
    m = b2b2c__malloc(ctx, sizeof(*m));
    if (!m)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(m, 0, sizeof(*m));
    m->ctx = ctx;
    b2b2c__map_init(&m->leads, &ctx->mem);
    b2b2c__map_init(&m->attrmap, &ctx->mem);
    set_defaults(m);
    b2b2c__rng_seed(&m->rng, seed);
    if ((rc = b2b2c__st_scan(ctx, T_CONFIG, load_config, m)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_MODEL, load_model, m)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_ATTRS, load_attr, m)) != 0)
        goto fail;
    for (size_t i = 0; i < m->nattrs; i++)
        if (!m->attrs[i]) {
            rc = b2b2c__err(ctx, B2B2C_ECORRUPT,
                            "table '%s': attribute %zu missing", T_ATTRS, i);
            goto fail;
        }
    if ((rc = b2b2c__st_scan(ctx, T_LEADS, load_lead, m)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_TRAIN, load_row, m)) != 0)
        goto fail;
    for (size_t i = 0; i < m->nrows; i++)
        if (!m->rows[i]) {
            rc = b2b2c__err(ctx, B2B2C_ECORRUPT,
                            "table '%s': row %zu missing", T_TRAIN, i);
            goto fail;
        }
    *out = m;
    return 0;
fail:
    /* nothing of this handle is in the undo log: leave an open group be */
    model_release(m);
    return rc;
}

/* ---- parameters and configuration --------------------------------------------- */

int b2b2c_lead_model_param_bounds(double *min, double *max,
                                  const b2b2c_lead_model *m, int32_t param)
{
    if (!m)
        return B2B2C_EINVAL;
    b2b2c__err_clear(m->ctx);
    if (!min || !max)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "min, max: NULL");
    if (param < 100 || param >= 100 + LEAD_NPARAMS)
        return b2b2c__err(m->ctx, B2B2C_EINVAL,
                          "param: unknown lead parameter %d", (int)param);
    *min = param_info[param - 100].lo;
    *max = param_info[param - 100].hi;
    return 0;
}

int b2b2c_lead_model_get_param(double *out, const b2b2c_lead_model *m,
                               int32_t param)
{
    if (!m)
        return B2B2C_EINVAL;
    b2b2c__err_clear(m->ctx);
    if (!out)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "out: NULL");
    if (param < 100 || param >= 100 + LEAD_NPARAMS)
        return b2b2c__err(m->ctx, B2B2C_EINVAL,
                          "param: unknown lead parameter %d", (int)param);
    *out = m->params[param - 100];
    return 0;
}

int b2b2c_lead_model_set_param(b2b2c_lead_model *m, int32_t param,
                               double value)
{
    b2b2c_ctx *ctx;
    int rc;
    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if (param < 100 || param >= 100 + LEAD_NPARAMS)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "param: unknown lead parameter %d", (int)param);
    if (!isfinite(value))
        return b2b2c__err(ctx, B2B2C_EINVAL, "value: must be finite");
    if (value < param_info[param - 100].lo ||
        value > param_info[param - 100].hi)
        return b2b2c__err(ctx, B2B2C_ERANGE, "%s: %g outside [%g, %g]",
                          param_info[param - 100].name, value,
                          param_info[param - 100].lo,
                          param_info[param - 100].hi);
    if ((param == B2B2C_LEAD_WARM_THRESHOLD &&
         value >= lead_param(m, B2B2C_LEAD_HOT_THRESHOLD)) ||
        (param == B2B2C_LEAD_HOT_THRESHOLD &&
         value <= lead_param(m, B2B2C_LEAD_WARM_THRESHOLD)))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "%s: warm threshold must stay below hot threshold",
                          param_info[param - 100].name);
    if ((param == B2B2C_LEAD_MIN_OUTCOMES ||
         param == B2B2C_LEAD_REFIT_EPOCHS) &&
        value != floor(value))
        return b2b2c__err(ctx, B2B2C_ERANGE, "%s: must be a whole number",
                          param_info[param - 100].name);
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(ctx, &m->params[param - 100],
                               sizeof(double))) == 0) {
        m->params[param - 100] = value;
        rc = write_config(m);
    }
    return b2b2c__call_end(ctx, rc);
}

static int kind_name_ok(const char *s, size_t *len)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
              s[n] == '_') ||
            n >= 63)
            return 0;
    *len = n;
    return n > 0;
}

int b2b2c_lead_kind_id(int32_t *out, const b2b2c_lead_model *m,
                       const char *name)
{
    if (!m)
        return B2B2C_EINVAL;
    b2b2c__err_clear(m->ctx);
    if (!out || !name)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "out, name: NULL");
    for (uint32_t k = 0; k < m->nkinds; k++)
        if (strcmp(m->kinds[k].name, name) == 0) {
            *out = (int32_t)k;
            return 0;
        }
    return b2b2c__err(m->ctx, B2B2C_ENOTFOUND, "name: no event kind '%s'",
                      name);
}

const char *b2b2c_lead_kind_name(const b2b2c_lead_model *m, int32_t kind)
{
    if (!m || kind < 0 || (uint32_t)kind >= m->nkinds)
        return NULL;
    return m->kinds[kind].name;
}

int b2b2c_lead_kind_register(int32_t *out, b2b2c_lead_model *m,
                             const char *name)
{
    b2b2c_ctx *ctx;
    size_t n;
    int rc;
    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if (!out || !name)
        return b2b2c__err(ctx, B2B2C_EINVAL, "out, name: NULL");
    if (!kind_name_ok(name, &n))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "name: kind names are 1..63 of [a-z0-9_]");
    if (b2b2c_lead_kind_id(out, m, name) == 0)
        return 0;
    b2b2c__err_clear(ctx);
    if (m->nkinds >= B2B2C_LEAD_EV_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE, "name: %d event kinds exist",
                          B2B2C_LEAD_EV_MAX);
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(ctx, &m->nkinds, sizeof(m->nkinds))) == 0 &&
        (rc = b2b2c__undo_save(ctx, &m->kinds[m->nkinds],
                               sizeof(lead_kind))) == 0) {
        lead_kind *kd = &m->kinds[m->nkinds];
        memset(kd, 0, sizeof(*kd));
        memcpy(kd->name, name, n + 1);
        *out = (int32_t)m->nkinds++;
        if ((rc = write_config(m)) == 0)
            rc = b2b2c__lead_write_model(m);
    }
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_lead_kind_get(double *points, double *cap_day, double *cap_total,
                        double *hot_days, const b2b2c_lead_model *m,
                        int32_t kind)
{
    const lead_kind *kd;
    if (!m)
        return B2B2C_EINVAL;
    b2b2c__err_clear(m->ctx);
    if (kind < 0 || (uint32_t)kind >= m->nkinds)
        return b2b2c__err(m->ctx, B2B2C_ENOTFOUND, "kind: no event kind %d",
                          (int)kind);
    kd = &m->kinds[kind];
    if (points)
        *points = kd->points;
    if (cap_day)
        *cap_day = kd->cap_day;
    if (cap_total)
        *cap_total = kd->cap_total;
    if (hot_days)
        *hot_days = kd->hot_days;
    return 0;
}

int b2b2c_lead_kind_set(b2b2c_lead_model *m, int32_t kind, double points,
                        double cap_day, double cap_total, double hot_days)
{
    b2b2c_ctx *ctx;
    lead_kind *kd;
    int rc;
    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if (!isfinite(points) || !isfinite(cap_day) || !isfinite(cap_total) ||
        !isfinite(hot_days))
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "points, cap_day, cap_total, hot_days: must be "
                          "finite");
    if (kind < 0 || (uint32_t)kind >= m->nkinds)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "kind: no event kind %d",
                          (int)kind);
    if (points < -1e6 || points > 1e6)
        return b2b2c__err(ctx, B2B2C_ERANGE, "points: outside [-1e6, 1e6]");
    if (cap_day < 0 || cap_day > 1e9 || cap_day != floor(cap_day))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "cap_day: a whole number in [0, 1e9]");
    if (cap_total < 0 || cap_total > 1e9 || cap_total != floor(cap_total))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "cap_total: a whole number in [0, 1e9]");
    if (hot_days < 0 || hot_days > 3650)
        return b2b2c__err(ctx, B2B2C_ERANGE, "hot_days: outside [0, 3650]");
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    kd = &m->kinds[kind];
    if ((rc = b2b2c__undo_save(ctx, kd, sizeof(*kd))) == 0) {
        kd->points = points;
        kd->cap_day = cap_day;
        kd->cap_total = cap_total;
        kd->hot_days = hot_days;
        rc = write_config(m);
    }
    return b2b2c__call_end(ctx, rc);
}

/* Find or create (undoably) the interned value of a channel, region or
 * product line; *out = index + 1, 0 for NULL or "". */
static int intern(b2b2c_lead_model *m, int attr, const char *value,
                  uint32_t *out, lead_attr **made)
{
    char key[B2B2C__ID_MAX + 2];
    size_t n;
    lead_attr *a;
    int rc;

    *out = 0;
    if (made)
        *made = NULL;
    if (!value || !*value)
        return 0;
    n = strlen(value);
    key[0] = (char)attr;
    memcpy(key + 1, value, n < B2B2C__ID_MAX ? n : B2B2C__ID_MAX);
    a = b2b2c__map_get(&m->attrmap, key, n + 1);
    if (a) {
        *out = a->idx + 1;
        if (made)
            *made = a;
        return 0;
    }
    if (m->nattrs == m->capattrs &&
        b2b2c__grow(&m->ctx->mem, (void **)&m->attrs, &m->capattrs,
                    m->nattrs + 1, sizeof(*m->attrs)))
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    a = b2b2c__malloc(m->ctx, sizeof(*a) + n + 2);
    if (!a)
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    a->idx = (uint32_t)m->nattrs;
    a->attr = (uint8_t)attr;
    a->points = 0;
    a->w = 0;
    a->klen = n + 1;
    memcpy(a->key, key, n + 1);
    a->key[n + 1] = '\0';
    if ((rc = b2b2c__undo_free_on_fail(m->ctx, a)) != 0) {
        b2b2c__free(m->ctx, a);
        return rc;
    }
    if ((rc = b2b2c__undo_save(m->ctx, &m->nattrs, sizeof(m->nattrs))) ||
        (rc = b2b2c__map_insert_undoable(m->ctx, &m->attrmap, a->key,
                                         a->klen, a)))
        return rc;
    m->attrs[m->nattrs++] = a;
    if ((rc = b2b2c__lead_write_attr(m, a)) != 0)
        return rc;
    *out = a->idx + 1;
    if (made)
        *made = a;
    return 0;
}

static const char *const attr_arg[] = {"segment", "channel", "region",
                                       "product_line"};

static int check_attr_id(b2b2c_ctx *ctx, int attr, const char *v)
{
    if (v && *v && b2b2c__id_check(v, NULL))
        return b2b2c__err(ctx, B2B2C_EBADID, "%s: not a valid ID",
                          attr_arg[attr]);
    return 0;
}

int b2b2c_lead_attr_points_set(b2b2c_lead_model *m, int32_t attr,
                               const char *value, double points)
{
    b2b2c_ctx *ctx;
    int rc;
    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if (attr < 0 || attr > 3)
        return b2b2c__err(ctx, B2B2C_EINVAL, "attr: unknown attribute %d",
                          (int)attr);
    if (!value)
        return b2b2c__err(ctx, B2B2C_EINVAL, "value: NULL");
    if (!isfinite(points))
        return b2b2c__err(ctx, B2B2C_EINVAL, "points: must be finite");
    if (points < -1e6 || points > 1e6)
        return b2b2c__err(ctx, B2B2C_ERANGE, "points: outside [-1e6, 1e6]");
    if (attr == B2B2C_LEAD_ATTR_SEGMENT) {
        int32_t seg = b2b2c_segment_from_name(value);
        if (seg < 0)
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "value: unknown segment '%s'", value);
        if ((rc = b2b2c__call_begin(ctx)) != 0)
            return rc;
        if ((rc = b2b2c__undo_save(ctx, &m->seg_points[seg],
                                   sizeof(double))) == 0) {
            m->seg_points[seg] = points;
            rc = write_config(m);
        }
        return b2b2c__call_end(ctx, rc);
    }
    if (b2b2c__id_check(value, NULL))
        return b2b2c__err(ctx, B2B2C_EBADID, "value: not a valid ID");
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    {
        uint32_t ix;
        lead_attr *a;
        if ((rc = intern(m, attr, value, &ix, &a)) == 0 &&
            (rc = b2b2c__undo_save(ctx, &a->points, sizeof(double))) == 0) {
            a->points = points;
            rc = b2b2c__lead_write_attr(m, a);
        }
    }
    return b2b2c__call_end(ctx, rc);
}

/* ---- leads --------------------------------------------------------------------- */

int b2b2c_lead_add(b2b2c_lead_model *m, const char *id, int64_t created,
                   int32_t segment, const char *channel, const char *region,
                   const char *product_line)
{
    b2b2c_ctx *ctx;
    size_t n;
    lead_rec *r;
    char *idc;
    int rc;
    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if (!id)
        return b2b2c__err(ctx, B2B2C_EINVAL, "id: NULL");
    if (b2b2c__id_check(id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "id: not a valid lead ID");
    if ((rc = b2b2c__check_time(ctx, created, "created")) != 0)
        return rc;
    if (segment < 0 || segment >= LEAD_NSEG)
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if ((rc = check_attr_id(ctx, 1, channel)) ||
        (rc = check_attr_id(ctx, 2, region)) ||
        (rc = check_attr_id(ctx, 3, product_line)))
        return rc;
    if (b2b2c__map_get(&m->leads, id, n))
        return b2b2c__err(ctx, B2B2C_EEXISTS, "id: lead '%s' exists", id);
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    {
        uint32_t ch, rg, pl;
        int32_t band;
        if ((rc = intern(m, 1, channel, &ch, NULL)) ||
            (rc = intern(m, 2, region, &rg, NULL)) ||
            (rc = intern(m, 3, product_line, &pl, NULL)) ||
            (rc = lead_slot(m, &r, 1)))
            goto out;
        if (n < sizeof(r->sid)) {
            idc = r->sid;
        } else {
            idc = b2b2c__malloc(ctx, n + 1);
            if (!idc) {
                rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
                goto out;
            }
            if ((rc = b2b2c__undo_free_on_fail(ctx, idc)) != 0) {
                b2b2c__free(ctx, idc);
                goto out;
            }
        }
        memcpy(idc, id, n + 1);
        if ((rc = b2b2c__undo_save(ctx, &m->nleads, sizeof(m->nleads))) ||
            (rc = b2b2c__map_insert_undoable(ctx, &m->leads, idc, n, r)))
            goto out;
        r->id = idc;
        r->idlen = (uint16_t)n;
        r->created = created;
        r->t0 = created;
        r->stage_at = created;
        r->band_at = created;
        r->segment = (uint8_t)segment;
        r->chan = ch;
        r->region = rg;
        r->prod = pl;
        r->stage = B2B2C_LEAD_STAGE_NEW;
        b2b2c__lead_score_at(m, r, created, &band);
        r->band = (uint8_t)band;
        r->band_prev = B2B2C_BAND_UNKNOWN;
        m->nleads++;
        rc = write_lead(m, r);
    }
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_lead_count(size_t *out, const b2b2c_lead_model *m)
{
    if (!m || !out)
        return B2B2C_EINVAL;
    *out = m->nleads;
    return 0;
}

int b2b2c_lead_score(double *score, int32_t *band, const b2b2c_lead_model *m,
                     const char *id, int64_t now)
{
    lead_rec *r;
    int rc;
    if (!m)
        return B2B2C_EINVAL;
    b2b2c__err_clear(m->ctx);
    if (!score)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "score: NULL");
    if ((rc = b2b2c__check_time(m->ctx, now, "now")) != 0 ||
        !(r = b2b2c__lead_find(m, id, &rc)))
        return rc;
    *score = b2b2c__lead_score_at(m, r, now, band);
    return 0;
}

int b2b2c_lead_stage(int32_t *stage, const b2b2c_lead_model *m,
                     const char *id)
{
    lead_rec *r;
    int rc;
    if (!m)
        return B2B2C_EINVAL;
    b2b2c__err_clear(m->ctx);
    if (!stage)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "stage: NULL");
    if (!(r = b2b2c__lead_find(m, id, &rc)))
        return rc;
    *stage = r->stage;
    return 0;
}

/* ---- events -------------------------------------------------------------------- */

/* One undo entry saves a lead's record and its per-kind array together.
 * Outside a group the copy is its own allocation, freed at commit (a = lead,
 * b = copy); inside a group it goes to the model's snapshot blocks (a =
 * lead, b = model, n = block * LEAD_SNAP_BLOCK + offset), which are kept
 * for the next group: a group of 1,000 events allocates nothing for undo
 * once the blocks exist. */
static void snap_copy(lead_rec *r, const unsigned char *s)
{
    memcpy(r, s, sizeof(*r));
    if (r->nk)
        memcpy(r->ks, s + sizeof(*r), r->nk * sizeof(lead_ks));
}

static void lead_restore(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)n;
    snap_copy(a, b);
    b2b2c__free(ctx, b);
}

static void lead_saved_free(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)a;
    (void)n;
    b2b2c__free(ctx, b);
}

/* A pooled snapshot is done with: the pool empties with the last one and
 * gives back the blocks above LEAD_SNAP_KEEP. */
static void snap_done(b2b2c_lead_model *m)
{
    if (--m->nsnap)
        return;
    m->cursnap = 0;
    m->snaplen = 0;
    while (m->nsnapblk > LEAD_SNAP_KEEP)
        b2b2c__free(m->ctx, m->snap[--m->nsnapblk]);
}

static void lead_restore_pooled(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    b2b2c_lead_model *m = b;
    (void)ctx;
    snap_copy(a, m->snap[n / LEAD_SNAP_BLOCK] + n % LEAD_SNAP_BLOCK);
    snap_done(m);
}

static void lead_release_pooled(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)a;
    (void)n;
    snap_done(b);
}

static int lead_save(b2b2c_lead_model *m, lead_rec *r)
{
    b2b2c_ctx *ctx = m->ctx;
    /* keep snapshots 8-byte aligned: they hold doubles and pointers */
    size_t n = (sizeof(*r) + r->nk * sizeof(lead_ks) + 7) & ~(size_t)7;
    unsigned char *s;
    int rc;
    if (!ctx->group) {
        s = b2b2c__malloc(ctx, n);
        if (!s)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory (undo copy)");
        rc = b2b2c__undo_push(ctx, lead_restore, lead_saved_free, r, s, n);
        if (rc) {
            b2b2c__free(ctx, s);
            return rc;
        }
    } else {
        size_t blk = m->cursnap, off = m->snaplen;
        if (off && LEAD_SNAP_BLOCK - off < n) { /* on to the next block */
            blk++;
            off = 0;
        }
        if (blk >= m->nsnapblk) {
            unsigned char *nb;
            if (m->nsnapblk == m->capsnapblk &&
                b2b2c__grow(&ctx->mem, (void **)&m->snap, &m->capsnapblk,
                            m->nsnapblk + 1, sizeof(*m->snap)))
                return b2b2c__err(ctx, B2B2C_ENOMEM,
                                  "out of memory (undo copy)");
            if (!(nb = b2b2c__malloc(ctx, LEAD_SNAP_BLOCK)))
                return b2b2c__err(ctx, B2B2C_ENOMEM,
                                  "out of memory (undo copy)");
            m->snap[m->nsnapblk++] = nb;
        }
        if ((rc = b2b2c__undo_push(ctx, lead_restore_pooled,
                                   lead_release_pooled, r, m,
                                   blk * LEAD_SNAP_BLOCK + off)) != 0)
            return rc;
        m->cursnap = blk;
        m->snaplen = off + n;
        m->nsnap++;
        s = m->snap[blk] + off;
    }
    memcpy(s, r, sizeof(*r));
    if (r->nk)
        memcpy(s + sizeof(*r), r->ks, r->nk * sizeof(lead_ks));
    return 0;
}

/* b2b2c__lead_find for events: a run of events for one lead skips the index.
 * (b2b2c__id_check scans an all-ASCII ID once, so checking first costs
 * no second pass.) */
static lead_rec *event_lead(b2b2c_lead_model *m, const char *id, int *rc)
{
    size_t n;
    uint64_t h;
    lead_rec *r;
    if (b2b2c__id_check(id, &n)) {
        *rc = b2b2c__err(m->ctx, id ? B2B2C_EBADID : B2B2C_EINVAL,
                         "id: not a valid lead ID");
        return NULL;
    }
    if (m->last && m->last <= m->nleads) {
        r = lead_at(m, m->last - 1);
        if (r->idlen == n && memcmp(r->id, id, n) == 0)
            return r;
    }
    h = b2b2c__map_keyhash(id, n);
    /* The store's slot for this lead's record loads while the index is
     * searched, and the row in it while the event is worked out (the
     * built-in store only; a hint, see b2b2c__st_prefetch). */
    b2b2c__st_prefetch(m->ctx, T_LEADS, h, 0);
    r = b2b2c__map_get_h(&m->leads, h, id, n);
    b2b2c__st_prefetch(m->ctx, T_LEADS, h, 1);
    if (!r) {
        *rc = b2b2c__err(m->ctx, B2B2C_ENOTFOUND, "id: no lead '%s'", id);
        return NULL;
    }
    m->last = r->idx1;
    return r;
}

int b2b2c_lead_event(b2b2c_lead_model *m, const char *id, int32_t kind,
                     int64_t now, double value)
{
    b2b2c_ctx *ctx;
    lead_rec *r;
    lead_ks *ks = NULL, *nks = NULL;
    const lead_kind *kd;
    int32_t before, after = 0, dband, dold = 0;
    int64_t dat = 0;
    double f, fit;
    int rc = 0; /* set by event_lead on every failure; GCC cannot tell */

    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = b2b2c__check_amount(ctx, value, "value")) != 0 ||
        (rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    if (!(r = event_lead(m, id, &rc)))
        return rc;
#if defined(__GNUC__)
    /* The index compare brought in the record's first line: start the
     * loads of its second line and of the per-kind array now, in
     * parallel, instead of one after the other below. */
    __builtin_prefetch((const char *)r + 64);
    __builtin_prefetch(r->ks);
#endif
    if (kind < 0 || (uint32_t)kind >= m->nkinds)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "kind: no event kind %d",
                          (int)kind);
    if ((rc = b2b2c__check_not_before(ctx, now, "now", r->created,
                                      "the creation of lead", id)) ||
        (rc = b2b2c__check_not_before(ctx, now, "now", r->t0,
                                      "the last event of lead", id)))
        return rc;
    kd = &m->kinds[kind];
    fit = b2b2c__lead_fit(m, r);
    f = b2b2c__lead_decay(m, r->t0, now);
    before = b2b2c__lead_band_of(m, fit + r->eng * f, now, r->hot_until);
    dband = r->band;
    if (before != r->band) /* decay (or a config change) moved the band */
        b2b2c__lead_band_entry(m, r, now, &dband, &dold, &dat);

    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    for (uint32_t i = 0; i < r->nk; i++)
        if (r->ks[i].kind == (uint16_t)kind) {
            ks = &r->ks[i];
            break;
        }
    if ((rc = lead_save(m, r)) != 0)
        goto out;
    if (!ks && r->nk == r->capk) {
        size_t cap = r->capk ? (size_t)r->capk * 2 : 2;
        if (cap > B2B2C_LEAD_EV_MAX)
            cap = B2B2C_LEAD_EV_MAX;
        nks = b2b2c__malloc(ctx, cap * sizeof(lead_ks));
        if (!nks) {
            rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = b2b2c__undo_free_on_fail(ctx, nks)) != 0) {
            b2b2c__free(ctx, nks);
            goto out;
        }
        if (r->ks && (rc = b2b2c__undo_free_on_commit(ctx, r->ks)) != 0)
            goto out;
        if (r->nk)
            memcpy(nks, r->ks, r->nk * sizeof(lead_ks));
        r->ks = nks;
        r->capk = (uint16_t)cap;
    }
    if (!ks) {
        ks = &r->ks[r->nk++];
        memset(ks, 0, sizeof(*ks));
        ks->kind = (uint16_t)kind;
        ks->day = INT32_MIN;
    }
    /* A band change by decay since the last event is kept as the latest
     * change before this event is applied. */
    if (dband != r->band) {
        r->band = (uint8_t)dband;
        r->band_prev = (uint8_t)dold;
        r->band_at = dat;
    }
    /* Bring every aggregate to `now`: E(now) = E(t0) * 2^(-(now-t0)/h). */
    r->eng *= f;
    for (uint32_t i = 0; i < r->nk; i++) {
        r->ks[i].cnt *= f;
        r->ks[i].val *= f;
    }
    r->t0 = now;
    ks->cnt += 1.0;
    ks->val += value;
    if (!with_dealer(r->stage)) {
        /* |now| < 2^38 (checked above): the day fits in 22 bits */
        int32_t day = (int32_t)b2b2c__floordiv(now, LEAD_DAY);
        if (ks->day != day) {
            ks->day = day;
            ks->day_n = 0;
        }
        if ((kd->cap_day == 0 || ks->day_n < kd->cap_day) &&
            (kd->cap_total == 0 || ks->total_n < kd->cap_total)) {
            ks->day_n++;
            ks->total_n++;
            r->eng += kd->points;
            if (r->eng < 0)
                r->eng = 0;
            if (kd->hot_days > 0) {
                int64_t until = now + (int64_t)(kd->hot_days * LEAD_DAY);
                if (until > r->hot_until)
                    r->hot_until = until;
            }
        }
    }
    after = b2b2c__lead_band_of(m, fit + r->eng, now, r->hot_until);
    if (after != before) {
        r->band_prev = (uint8_t)before;
        r->band_at = now;
    }
    r->band = (uint8_t)after;
    rc = write_lead(m, r);
out:
    rc = b2b2c__call_end(ctx, rc);
    if (rc == 0 && after != before && m->alert) {
        /* A notification: the event is committed whatever it returns, so
         * its value is not the call's status (which is 0 or negative). */
        b2b2c__cb_enter(ctx);
        (void)m->alert(r->id, before, after, now, m->alert_payload);
        b2b2c__cb_leave(ctx);
    }
    return rc;
}

int b2b2c_lead_set_alert(b2b2c_lead_model *m, b2b2c_lead_band_cb cb,
                         void *payload)
{
    if (!m)
        return B2B2C_EINVAL;
    m->alert = cb;
    m->alert_payload = cb ? payload : NULL;
    return 0;
}

/* ---- lifecycle ------------------------------------------------------------------ */

void b2b2c__lead_hist_key(char *key, const lead_rec *r, uint32_t seq)
{
    memcpy(key, r->id, r->idlen);
    key[r->idlen] = '\0';
    attr_key(key + r->idlen + 1, seq);
}

int b2b2c_lead_set_stage(b2b2c_lead_model *m, const char *id, int32_t stage,
                         int64_t now)
{
    b2b2c_ctx *ctx;
    lead_rec *r;
    char key[B2B2C__ID_MAX + 5];
    b2b2c__wbuf w;
    int rc;

    if (!m)
        return B2B2C_EINVAL;
    ctx = m->ctx;
    b2b2c__err_clear(ctx);
    if (!(r = b2b2c__lead_find(m, id, &rc)))
        return rc;
    if (stage < 0 || stage >= NSTAGES)
        return b2b2c__err(ctx, B2B2C_EINVAL, "stage: unknown stage %d",
                          (int)stage);
    if (!(stage_next[r->stage] & (1u << stage)))
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "stage: lead '%s' cannot go from %s to %s", id,
                          stage_names[r->stage], stage_names[stage]);
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0 ||
        (rc = b2b2c__check_not_before(ctx, now, "now", r->stage_at,
                                      "the last stage change of lead",
                                      id)) != 0)
        return rc;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(ctx, r, sizeof(*r))) != 0)
        goto out;
    b2b2c__lead_hist_key(key, r, r->nhist);
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_u8(&w, r->stage);
    b2b2c__enc_u8(&w, (uint8_t)stage);
    b2b2c__enc_i64(&w, now);
    if ((rc = b2b2c__st_put_rec(ctx, T_STAGES, key, r->idlen + 5u, &w)) != 0)
        goto out;
    r->stage = (uint8_t)stage;
    r->stage_at = now;
    r->nhist++;
    rc = write_lead(m, r);
out:
    return b2b2c__call_end(ctx, rc);
}

typedef struct hist_get {
    b2b2c_lead_model *m;
    int32_t from, to;
    int64_t at;
    int found;
} hist_get;

static int hist_found(const void *v, size_t vl, void *payload)
{
    hist_get *h = payload;
    b2b2c__rbuf r;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return rc == B2B2C_EVERSION ? rc : B2B2C_ECORRUPT;
    h->from = b2b2c__dec_u8(&r);
    h->to = b2b2c__dec_u8(&r);
    h->at = b2b2c__dec_i64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0 || h->from >= NSTAGES ||
        h->to >= NSTAGES)
        return B2B2C_ECORRUPT;
    h->found = 1;
    return 0;
}

int b2b2c_lead_stage_history(const b2b2c_lead_model *m, const char *id,
                             b2b2c_lead_stage_cb cb, void *payload)
{
    lead_rec *r;
    char key[B2B2C__ID_MAX + 5];
    int rc = 0;
    if (!m)
        return B2B2C_EINVAL;
    b2b2c__err_clear(m->ctx);
    if (!cb)
        return b2b2c__err(m->ctx, B2B2C_EINVAL, "cb: NULL");
    if (!(r = b2b2c__lead_find(m, id, &rc)))
        return rc;
    for (uint32_t i = 0; i < r->nhist && rc == 0; i++) {
        hist_get h = {(b2b2c_lead_model *)m, 0, 0, 0, 0};
        b2b2c__lead_hist_key(key, r, i);
        rc = b2b2c__st_get(m->ctx, T_STAGES, key, r->idlen + 5u, hist_found,
                           &h);
        if (rc == 0 && !h.found)
            rc = B2B2C_ECORRUPT;
        if (rc) {
            if (rc == B2B2C_ECORRUPT || rc == B2B2C_EVERSION)
                rc = b2b2c__err(m->ctx, rc,
                                "table '%s' lead '%s' change %u: %s",
                                T_STAGES, r->id, (unsigned)i,
                                b2b2c_strerror(rc));
            break;
        }
        b2b2c__cb_enter(m->ctx);
        rc = cb(h.from, h.to, h.at, payload);
        b2b2c__cb_leave(m->ctx);
    }
    return rc;
}
