/* SPDX-License-Identifier: MIT */
/* Channel analytics: the handle's open and free, and how it stays up to
 * date with other contexts' commits (refresh per stored key, reload). One
 * decoder per record type serves the open and the refresh. */
#include <math.h>

#include "channel_int.h"

/* ---- decoders ---------------------------------------------------------------- */

static int load_err(b2b2c_ctx *ctx, int rc, const char *table, const void *k,
                    size_t kl)
{
    return b2b2c__err_corrupt(ctx, rc, table, k, kl, NULL);
}

static int params_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                         const void *v, size_t vl, ch_params *out)
{
    b2b2c__rbuf r;
    ch_params p;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return load_err(ctx, rc, CH_T_PARAMS, k, kl);
    p.lookback = b2b2c__dec_f64(&r);
    p.half_life = b2b2c__dec_f64(&r);
    p.pos_first = b2b2c__dec_f64(&r);
    p.pos_last = b2b2c__dec_f64(&r);
    p.lag = b2b2c__dec_f64(&r);
    p.window = b2b2c__dec_f64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return load_err(ctx, rc, CH_T_PARAMS, k, kl);
    for (size_t i = 0; i < CH_NPARAMS; i++) {
        double x = *b2b2c__ch_param_slot(&p, i);
        if (!b2b2c__param_valid(
                b2b2c__param_find(CH_PARAM_BASE + (int32_t)i), x))
            return load_err(ctx, B2B2C_ECORRUPT, CH_T_PARAMS, k, kl);
    }
    *out = p;
    return 0;
}

/* A channel record into a new channel (no spend yet, in no map). */
static int chan_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                       const void *v, size_t vl, ch_chan **out)
{
    b2b2c__rbuf r;
    ch_chan *c;
    uint32_t idx;
    int32_t kind, sub, group;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return load_err(ctx, rc, CH_T_CHANNELS, k, kl);
    idx = b2b2c__dec_u32(&r);
    kind = b2b2c__dec_u8(&r);
    sub = b2b2c__dec_u8(&r);
    group = b2b2c__dec_u8(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return load_err(ctx, rc, CH_T_CHANNELS, k, kl);
    if (kl < 1 || kl > B2B2C__ID_MAX || kind < 1 || kind > 2 ||
        group > B2B2C_GROUP_B2C || b2b2c_channel_sub_kind(sub) < 0 ||
        idx > UINT32_MAX / 2)
        return load_err(ctx, B2B2C_ECORRUPT, CH_T_CHANNELS, k, kl);
    c = b2b2c__malloc(ctx, sizeof(*c) + kl + 1);
    if (!c)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(c, 0, sizeof(*c));
    c->idx = idx;
    c->kind = kind;
    c->sub = sub;
    c->group = group;
    c->idlen = kl;
    memcpy(c->id, k, kl);
    c->id[kl] = '\0';
    *out = c;
    return 0;
}

/* A spend record: its channel (which must exist) and the day's values. */
static int spend_decode(b2b2c_channels *h, const void *k, size_t kl,
                        const void *v, size_t vl, ch_chan **chan,
                        ch_spend *out)
{
    b2b2c_ctx *ctx = h->ctx;
    b2b2c__rbuf r;
    const void *cid;
    size_t cl;
    ch_chan *c;
    ch_spend s;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return load_err(ctx, rc, CH_T_SPEND, k, kl);
    cid = b2b2c__dec_bytes(&r, &cl);
    s.day = b2b2c__dec_i64(&r);
    s.spend = b2b2c__dec_f64(&r);
    s.impr = b2b2c__dec_f64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return load_err(ctx, rc, CH_T_SPEND, k, kl);
    c = cid ? b2b2c__map_get(&h->chmap, cid, cl) : NULL;
    if (!c || !(s.spend >= 0 && s.spend < INFINITY) ||
        !(s.impr >= 0 && s.impr < INFINITY))
        return load_err(ctx, B2B2C_ECORRUPT, CH_T_SPEND, k, kl);
    *chan = c;
    *out = s;
    return 0;
}

/* A lead record into a new lead (in no map); *maxch: the highest channel
 * index its touches name (the caller checks it against the channels). */
static int lead_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                       const void *v, size_t vl, ch_lead **out,
                       uint32_t *maxch)
{
    b2b2c__rbuf r;
    ch_lead *l;
    uint32_t n, flags, hi = 0;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return load_err(ctx, rc, CH_T_LEADS, k, kl);
    if (kl < 1 || kl > B2B2C__ID_MAX)
        return load_err(ctx, B2B2C_ECORRUPT, CH_T_LEADS, k, kl);
    flags = b2b2c__dec_u8(&r);
    l = b2b2c__malloc(ctx, sizeof(*l) + kl + 1);
    if (!l)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(l, 0, sizeof(*l));
    l->st.converted = flags & 1;
    l->st.has_ltv = (flags >> 1) & 1;
    l->st.conv_t = b2b2c__dec_i64(&r);
    l->st.revenue = b2b2c__dec_f64(&r);
    l->st.ltv = b2b2c__dec_f64(&r);
    n = b2b2c__dec_u32(&r);
    l->idlen = kl;
    memcpy(l->id, k, kl);
    l->id[kl] = '\0';
    rc = 0;
    if (n > b2b2c__dec_left(&r) / 12)
        rc = B2B2C_ECORRUPT;
    else if (n) {
        l->tv = b2b2c__malloc(ctx, n * sizeof(ch_touch));
        if (!l->tv) {
            b2b2c__ch_lead_destroy(ctx, l);
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        }
        l->cap = n;
        for (uint32_t i = 0; i < n; i++) {
            l->tv[i].ch = b2b2c__dec_u32(&r);
            l->tv[i].t = b2b2c__dec_i64(&r);
            l->tv[i].pad = 0;
            if (l->tv[i].ch > hi)
                hi = l->tv[i].ch;
            if (l->tv[i].ch > UINT32_MAX / 2 ||
                (i && l->tv[i].t < l->tv[i - 1].t))
                rc = B2B2C_ECORRUPT;
        }
        l->n = n;
    }
    if (!rc)
        rc = b2b2c__dec_finish(&r);
    if (!rc && (flags > 3 || !(l->st.revenue >= 0 && l->st.revenue < INFINITY) ||
                !(l->st.ltv >= 0 && l->st.ltv < INFINITY) ||
                (l->st.converted && n && l->tv[n - 1].t > l->st.conv_t)))
        rc = B2B2C_ECORRUPT;
    if (rc) {
        b2b2c__ch_lead_destroy(ctx, l);
        return load_err(ctx, rc, CH_T_LEADS, k, kl);
    }
    *out = l;
    *maxch = hi;
    return 0;
}

/* ---- loading ------------------------------------------------------------------ */

static int load_params(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_channels *h = payload;
    return params_decode(h->ctx, k, kl, v, vl, &h->p);
}

static int load_chan(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_channels *h = payload;
    b2b2c_ctx *ctx = h->ctx;
    ch_chan *c;
    int rc;

    /* Rows come in key order, not index order: collect them first and put
     * them in place once all are read (a stored index is trusted only when
     * it is below the number of rows, so a corrupt one cannot make us
     * allocate for 2^31 channels). */
    if (h->nch == h->capch &&
        b2b2c__grow(&ctx->mem, (void **)&h->chans, &h->capch, h->nch + 1,
                    sizeof(ch_chan *)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = chan_decode(ctx, k, kl, v, vl, &c)) != 0)
        return rc;
    if (b2b2c__map_put(&h->chmap, c->id, kl, c, NULL)) {
        b2b2c__free(ctx, c);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    h->chans[h->nch++] = c;
    return 0;
}

/* Put the loaded channels at their stored indexes: each must be below the
 * number of channels and used once. */
static int place_chans(b2b2c_channels *h)
{
    size_t i = 0;

    while (i < h->nch) {
        ch_chan *c = h->chans[i];
        if (c->idx >= h->nch)
            return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, CH_T_CHANNELS,
                                      c->id, c->idlen,
                                      "channel index %u out of range (%zu "
                                      "channels)",
                                      (unsigned)c->idx, h->nch);
        if (c->idx == i) {
            i++;
            continue;
        }
        if (h->chans[c->idx]->idx == c->idx)
            return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, CH_T_CHANNELS,
                                      c->id, c->idlen,
                                      "channel index %u used twice",
                                      (unsigned)c->idx);
        h->chans[i] = h->chans[c->idx];
        h->chans[c->idx] = c;
    }
    return 0;
}

static int load_spend(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_channels *h = payload;
    b2b2c_ctx *ctx = h->ctx;
    ch_chan *c;
    ch_spend s;
    int rc = spend_decode(h, k, kl, v, vl, &c, &s);

    if (rc)
        return rc;
    /* keys sort by day, so rows arrive in day order per channel */
    if (c->n && c->sv[c->n - 1].day >= s.day)
        return load_err(ctx, B2B2C_ECORRUPT, CH_T_SPEND, k, kl);
    if (b2b2c__grow(&ctx->mem, (void **)&c->sv, &c->cap, c->n + 1,
                    sizeof(ch_spend)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    c->sv[c->n++] = s;
    return 0;
}

static int load_lead(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_channels *h = payload;
    b2b2c_ctx *ctx = h->ctx;
    ch_lead *l;
    uint32_t hi;
    int rc = lead_decode(ctx, k, kl, v, vl, &l, &hi);

    if (rc)
        return rc;
    if (l->n && hi >= h->nch) {
        b2b2c__ch_lead_destroy(ctx, l);
        return load_err(ctx, B2B2C_ECORRUPT, CH_T_LEADS, k, kl);
    }
    if (b2b2c__grow(&ctx->mem, (void **)&h->leads, &h->caplead, h->nlead + 1,
                    sizeof(ch_lead *)) ||
        b2b2c__map_put(&h->leadmap, l->id, kl, l, NULL)) {
        b2b2c__ch_lead_destroy(ctx, l);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    h->leads[h->nlead++] = l;
    return 0;
}

static void ch_init(b2b2c_channels *h, b2b2c_ctx *ctx)
{
    double d[CH_NPARAMS];
    memset(h, 0, sizeof(*h));
    h->ctx = ctx;
    b2b2c__map_init(&h->chmap, &ctx->mem);
    b2b2c__map_init(&h->leadmap, &ctx->mem);
    b2b2c__param_defaults(CH_PARAM_BASE, d);
    for (size_t i = 0; i < CH_NPARAMS; i++)
        *b2b2c__ch_param_slot(&h->p, i) = d[i];
}

/* Free what a handle holds (not the handle); missing channel slots are
 * NULL. */
static void ch_clear(b2b2c_channels *h)
{
    b2b2c_ctx *ctx = h->ctx;
    for (size_t i = 0; i < h->nlead; i++)
        b2b2c__ch_lead_destroy(ctx, h->leads[i]);
    for (size_t i = 0; i < h->nch; i++)
        if (h->chans[i])
            b2b2c__ch_chan_destroy(ctx, h->chans[i]);
    b2b2c__map_fini(&h->chmap);
    b2b2c__map_fini(&h->leadmap);
    b2b2c__free(ctx, h->chans);
    b2b2c__free(ctx, h->leads);
}

static int ch_load(void *p)
{
    b2b2c_channels *h = p;
    b2b2c_ctx *ctx = h->ctx;
    int rc;
    if ((rc = b2b2c__st_scan(ctx, CH_T_PARAMS, load_params, h)) != 0 ||
        (rc = b2b2c__st_scan(ctx, CH_T_CHANNELS, load_chan, h)) != 0)
        return rc;
    if ((rc = place_chans(h)) != 0)
        return rc;
    if ((rc = b2b2c__st_scan(ctx, CH_T_SPEND, load_spend, h)) != 0)
        return rc;
    return b2b2c__st_scan(ctx, CH_T_LEADS, load_lead, h);
}

/* ---- other contexts' commits ---------------------------------------------------- */

/* This library never deletes channels, spend days or leads (a lead's
 * touches name channels by index): a deletion is not ours. */
static int not_deleted(b2b2c_ctx *ctx, const char *table, const void *key,
                       size_t klen)
{
    return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                              "deleted by another context, but this "
                              "library never deletes these rows");
}

static void undo_place(b2b2c_ctx *ctx, void *a, void *b, size_t i)
{
    b2b2c_channels *h = a;
    (void)ctx;
    (void)b;
    h->chans[i] = NULL;
}

/* A channel another context added (or the same record again). Channels
 * may arrive out of index order within one sync: slots in between stay
 * NULL until theirs arrive (refresh_done checks that none is left). */
static int chan_refresh(b2b2c_channels *h, const void *key, size_t klen,
                        const void *val, size_t vlen)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_chan *c, *old;
    size_t need;
    int rc;

    if ((rc = chan_decode(ctx, key, klen, val, vlen, &c)) != 0)
        return rc;
    old = b2b2c__map_get(&h->chmap, key, klen);
    if (old || (c->idx < h->nch && h->chans[c->idx])) {
        int same = old && old->idx == c->idx && old->kind == c->kind &&
                   old->sub == c->sub && old->group == c->group;
        b2b2c__free(ctx, c);
        return same ? 0
                    : b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, CH_T_CHANNELS,
                                         key, klen,
                                         "a channel changed, or its index "
                                         "is used twice");
    }
    if ((rc = b2b2c__undo_push(ctx, b2b2c__ch_undo_chan_new, NULL, c, NULL,
                               0)) != 0) {
        b2b2c__free(ctx, c);
        return rc;
    }
    need = (size_t)c->idx + 1 > h->nch ? (size_t)c->idx + 1 : h->nch;
    if (b2b2c__grow(&ctx->mem, (void **)&h->chans, &h->capch, need,
                    sizeof(ch_chan *)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__map_insert_undoable(ctx, &h->chmap, c->id, klen, c)) ||
        (rc = b2b2c__undo_save(ctx, &h->nch, sizeof(h->nch))) != 0 ||
        (rc = b2b2c__undo_save(ctx, &h->holes, sizeof(h->holes))) != 0 ||
        (rc = b2b2c__undo_push(ctx, undo_place, NULL, h, NULL, c->idx)) != 0)
        return rc;
    if (c->idx < h->nch) {
        h->holes--; /* a slot left open by a channel of higher index */
    } else {
        for (size_t i = h->nch; i < c->idx; i++)
            h->chans[i] = NULL;
        h->holes += c->idx - h->nch;
        h->nch = need;
    }
    h->chans[c->idx] = c;
    return 0;
}

/* Spend keys: the day as 8 big-endian bytes (sign flipped), then the
 * channel ID; the record repeats both. */
static int spend_refresh(b2b2c_channels *h, const void *key, size_t klen,
                         const void *val, size_t vlen)
{
    b2b2c_ctx *ctx = h->ctx;
    const uint8_t *k = key;
    ch_chan *c;
    ch_spend s;
    uint64_t u = 0;
    int rc;

    if (!val)
        return not_deleted(ctx, CH_T_SPEND, key, klen);
    if (klen > 8) { /* the channel may be one this sync adds later */
        b2b2c__map *m = &h->chmap;
        if (!b2b2c__map_get(m, k + 8, klen - 8) &&
            (rc = b2b2c__ch_fetch_chan(h, k + 8, klen - 8)) != 0)
            return rc;
    }
    if ((rc = spend_decode(h, key, klen, val, vlen, &c, &s)) != 0)
        return rc;
    for (int i = 0; i < 8 && klen > 8; i++)
        u = u << 8 | k[i];
    if (klen != 8 + c->idlen || memcmp(k + 8, c->id, c->idlen) != 0 ||
        (int64_t)(u ^ UINT64_C(0x8000000000000000)) != s.day)
        return load_err(ctx, B2B2C_ECORRUPT, CH_T_SPEND, key, klen);
    return b2b2c__ch_spend_put(h, c, &s);
}

static int lead_refresh(b2b2c_channels *h, const void *key, size_t klen,
                        const void *val, size_t vlen)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_lead *l, *old;
    uint32_t hi;
    int rc;

    if (!val)
        return not_deleted(ctx, CH_T_LEADS, key, klen);
    if ((rc = lead_decode(ctx, key, klen, val, vlen, &l, &hi)) != 0)
        return rc;
    if (l->n && hi >= h->maxtouch) { /* checked in refresh_done */
        if ((rc = b2b2c__undo_save(ctx, &h->maxtouch,
                                   sizeof(h->maxtouch))) != 0) {
            b2b2c__ch_lead_destroy(ctx, l);
            return rc;
        }
        h->maxtouch = hi + 1;
    }
    if (l->tv && (rc = b2b2c__undo_free_on_fail(ctx, l->tv)) != 0) {
        b2b2c__ch_lead_destroy(ctx, l);
        return rc;
    }
    old = b2b2c__map_get(&h->leadmap, key, klen);
    if (old) {
        /* in place: the lead's address is kept (the leads array and the
         * map point to it); the decoded shell goes at once */
        void *shell = l;
        if ((old->tv && (rc = b2b2c__undo_free_on_commit(ctx, old->tv))) ||
            (rc = b2b2c__undo_save(ctx, &old->tv,
                                   offsetof(ch_lead, idlen) -
                                       offsetof(ch_lead, tv))) != 0) {
            b2b2c__free(ctx, shell);
            return rc;
        }
        old->tv = l->tv;
        old->n = l->n;
        old->cap = l->cap;
        old->st = l->st;
        b2b2c__free(ctx, shell);
        return 0;
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, l)) != 0) {
        b2b2c__free(ctx, l);
        return rc;
    }
    return b2b2c__ch_lead_insert(h, l);
}

static int ch_refresh(void *hp, const char *table, const void *key,
                      size_t klen, const void *val, size_t vlen)
{
    b2b2c_channels *h = hp;
    b2b2c_ctx *ctx = h->ctx;
    int rc;

    if (strcmp(table, CH_T_LEADS) == 0)
        return lead_refresh(h, key, klen, val, vlen);
    if (strcmp(table, CH_T_SPEND) == 0)
        return spend_refresh(h, key, klen, val, vlen);
    if (strcmp(table, CH_T_CHANNELS) == 0)
        return val ? chan_refresh(h, key, klen, val, vlen)
                   : not_deleted(ctx, table, key, klen);
    if (strcmp(table, CH_T_PARAMS) == 0) {
        ch_params p;
        double d[CH_NPARAMS];
        b2b2c__param_defaults(CH_PARAM_BASE, d);
        for (size_t i = 0; i < CH_NPARAMS; i++)
            *b2b2c__ch_param_slot(&p, i) = d[i];
        if (val && (rc = params_decode(ctx, key, klen, val, vlen, &p)) != 0)
            return rc;
        if ((rc = b2b2c__undo_save(ctx, &h->p, sizeof(h->p))) != 0)
            return rc;
        h->p = p;
        return 0;
    }
    return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                              "not a table of channel analytics");
}

/* Fetch channel `id` from storage and add it now: a spend row of this
 * sync names a channel whose own row comes later (refresh applies it
 * again, as the same record, which changes nothing). */
typedef struct fetch {
    b2b2c_channels *h;
    const void *id;
    size_t len;
} fetch;

static int fetch_found(const void *v, size_t vl, void *payload)
{
    fetch *f = payload;
    return chan_refresh(f->h, f->id, f->len, v, vl);
}

int b2b2c__ch_fetch_chan(b2b2c_channels *h, const void *id, size_t len)
{
    fetch f = {h, id, len};
    int rc = b2b2c__st_get(h->ctx, CH_T_CHANNELS, id, len, fetch_found, &f);
    if (rc == B2B2C_ENOTFOUND)
        return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, CH_T_SPEND, id,
                                  len, "spend of an unknown channel");
    return rc;
}

/* Every channel slot filled, every touch naming a channel. */
static int ch_refresh_done(void *hp)
{
    b2b2c_channels *h = hp;
    if (h->holes == 0 && h->maxtouch <= h->nch)
        return 0;
    return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, CH_T_CHANNELS, "", 0,
                              "%zu channel index(es) missing, or a lead "
                              "touches channel %u of %zu",
                              h->holes, (unsigned)h->maxtouch, h->nch);
}

/* Rebuild aside and swap (no setting of the handle lives outside
 * storage). */
static int ch_reload(void *hp)
{
    b2b2c_channels *h = hp, fresh;
    int rc;
    ch_init(&fresh, h->ctx);
    if ((rc = ch_load(&fresh)) != 0) {
        ch_clear(&fresh);
        return rc;
    }
    ch_clear(h);
    *h = fresh;
    return 0;
}

static const b2b2c__engine_ops ch_ops = {
    .prefix = "channel", .load = ch_load, .refresh = ch_refresh,
    .refresh_done = ch_refresh_done, .reload = ch_reload,
    .erase = b2b2c__ch_erase_op};

/* ---- open and free ------------------------------------------------------------- */

void b2b2c_channels_free(b2b2c_channels *h)
{
    if (!h)
        return;
    b2b2c__handle_closing(h->ctx, h);
    ch_clear(h);
    b2b2c__free(h->ctx, h);
}

int b2b2c_channels_new(b2b2c_channels **out, b2b2c_ctx *ctx)
{
    b2b2c_channels *h;
    int rc;

    if (!out)
        return B2B2C_EINVAL;
    *out = NULL;
    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    h = b2b2c__malloc(ctx, sizeof(*h));
    if (!h)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    ch_init(h, ctx);
    b2b2c__handle_opened(ctx); /* the failure path frees through _free */
    rc = b2b2c__engine_open(ctx, &ch_ops, h);
    if (rc) {
        b2b2c_channels_free(h);
        return rc;
    }
    *out = h;
    return 0;
}
