/* SPDX-License-Identifier: MIT */
/* Channel analytics: vocabulary, parameters, the data (channels, spend,
 * touches, conversions, lifetime values), write-through and loading. */
#include <math.h>
#include <stdlib.h>

#include "channel_int.h"

/* ---- vocabulary ----------------------------------------------------------- */

static const char *const kind_names[] = {"none", "reach", "lead_generation"};

static const struct {
    int32_t v;
    int32_t kind;
    const char *name;
} sub_names[] = {
    {B2B2C_CHANNEL_SUB_OTHER, B2B2C_CHANNEL_KIND_NONE, "other"},
    {B2B2C_CHANNEL_SUB_DISPLAY_MEDIA, B2B2C_CHANNEL_KIND_REACH, "display_media"},
    {B2B2C_CHANNEL_SUB_RETAIL_MEDIA, B2B2C_CHANNEL_KIND_REACH, "retail_media"},
    {B2B2C_CHANNEL_SUB_VIRAL_CONTENT, B2B2C_CHANNEL_KIND_REACH, "viral_content"},
    {B2B2C_CHANNEL_SUB_INFORMATIONAL_SEO, B2B2C_CHANNEL_KIND_REACH,
     "informational_seo"},
    {B2B2C_CHANNEL_SUB_SEARCH_ADS, B2B2C_CHANNEL_KIND_LEADGEN, "search_ads"},
    {B2B2C_CHANNEL_SUB_LEAD_FORM_ADS, B2B2C_CHANNEL_KIND_LEADGEN,
     "lead_form_ads"},
    {B2B2C_CHANNEL_SUB_MARKETPLACE, B2B2C_CHANNEL_KIND_LEADGEN, "marketplace"},
    {B2B2C_CHANNEL_SUB_WEBINAR_OFFER, B2B2C_CHANNEL_KIND_LEADGEN,
     "webinar_offer"},
    {B2B2C_CHANNEL_SUB_OUTREACH, B2B2C_CHANNEL_KIND_LEADGEN, "outreach"},
    {B2B2C_CHANNEL_SUB_DEALER_REFERRAL, B2B2C_CHANNEL_KIND_LEADGEN,
     "dealer_referral"},
};
#define NSUB (sizeof(sub_names) / sizeof(sub_names[0]))

static const char *const model_names[] = {NULL,     "first",    "last",
                                          "linear", "decay",    "position",
                                          "markov"};

const char *b2b2c_channel_kind_name(int32_t kind)
{
    return b2b2c__name_of(kind_names, 3, kind);
}

int32_t b2b2c_channel_kind_from_name(const char *name)
{
    return b2b2c__value_of(kind_names, 3, name);
}

const char *b2b2c_channel_sub_name(int32_t sub)
{
    for (size_t i = 0; i < NSUB; i++)
        if (sub_names[i].v == sub)
            return sub_names[i].name;
    return NULL;
}

int32_t b2b2c_channel_sub_from_name(const char *name)
{
    if (name)
        for (size_t i = 0; i < NSUB; i++)
            if (strcmp(name, sub_names[i].name) == 0)
                return sub_names[i].v;
    return B2B2C_EINVAL;
}

int32_t b2b2c_channel_sub_kind(int32_t sub)
{
    for (size_t i = 0; i < NSUB; i++)
        if (sub_names[i].v == sub)
            return sub_names[i].kind;
    return B2B2C_EINVAL;
}

const char *b2b2c_channel_attribution_name(int32_t model)
{
    return b2b2c__name_of(model_names, 7, model);
}

int32_t b2b2c_channel_attribution_from_name(const char *name)
{
    return b2b2c__value_of(model_names, 7, name);
}

/* ---- parameters ------------------------------------------------------------ */

/* Bounds, defaults and wholeness are in core's table (core/param.c); the
 * values live in ch_params, in the order of their numbers. */
#define CH_PARAM_BASE B2B2C_CHANNELS_LOOKBACK_DAYS
#define NPARAMS 6

static double *param_slot(ch_params *p, size_t i)
{
    double *s[NPARAMS] = {&p->lookback,  &p->half_life, &p->pos_first,
                          &p->pos_last, &p->lag,       &p->window};
    return s[i];
}

static int params_write(b2b2c_ctx *ctx, const ch_params *p)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_f64(&w, p->lookback);
    b2b2c__enc_f64(&w, p->half_life);
    b2b2c__enc_f64(&w, p->pos_first);
    b2b2c__enc_f64(&w, p->pos_last);
    b2b2c__enc_f64(&w, p->lag);
    b2b2c__enc_f64(&w, p->window);
    return b2b2c__st_put_rec(ctx, CH_T_PARAMS, "params", 6, &w);
}

int b2b2c_channels_get_param(double *out, const b2b2c_channels *h,
                             int32_t param)
{
    int i;
    if (!h || !out)
        return B2B2C_EINVAL;
    if (param < CH_PARAM_BASE || param >= CH_PARAM_BASE + NPARAMS)
        return b2b2c__err(h->ctx, B2B2C_EINVAL,
                          "param: %d is not a channels parameter", (int)param);
    i = param - CH_PARAM_BASE;
    *out = *param_slot((ch_params *)&h->p, (size_t)i);
    return 0;
}

int b2b2c_channels_set_param(b2b2c_channels *h, int32_t param, double value)
{
    b2b2c_ctx *ctx;
    ch_params np;
    int i, rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    if ((rc = b2b2c__param_check(ctx, CH_PARAM_BASE, param, value)) != 0)
        return rc;
    i = param - CH_PARAM_BASE;
    np = h->p;
    *param_slot(&np, (size_t)i) = value;
    if (np.pos_first + np.pos_last > 1.0 + 1e-12)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "value: %s: POSITION_FIRST + POSITION_LAST must be "
                          "at most 1",
                          b2b2c_param_name(param));
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(ctx, &h->p, sizeof(h->p))) == 0) {
        h->p = np;
        rc = params_write(ctx, &h->p);
    }
    return b2b2c__call_end(ctx, rc);
}

/* ---- records ----------------------------------------------------------------- */

static int chan_write(b2b2c_ctx *ctx, const ch_chan *c)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_u32(&w, c->idx);
    b2b2c__enc_u8(&w, (uint8_t)c->kind);
    b2b2c__enc_u8(&w, (uint8_t)c->sub);
    b2b2c__enc_u8(&w, (uint8_t)c->group);
    return b2b2c__st_put_rec(ctx, CH_T_CHANNELS, c->id, c->idlen, &w);
}

/* Spend key: the day as 8 big-endian bytes (sign flipped so keys sort by
 * day), then the channel ID. */
static size_t spend_key(uint8_t *k, const ch_chan *c, int64_t day)
{
    uint64_t u = (uint64_t)day ^ UINT64_C(0x8000000000000000);
    for (int i = 0; i < 8; i++)
        k[i] = (uint8_t)(u >> (56 - 8 * i));
    memcpy(k + 8, c->id, c->idlen);
    return 8 + c->idlen;
}

static int spend_write(b2b2c_ctx *ctx, const ch_chan *c, const ch_spend *s)
{
    uint8_t key[8 + B2B2C__ID_MAX];
    size_t kl = spend_key(key, c, s->day);
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_bytes(&w, c->id, c->idlen);
    b2b2c__enc_i64(&w, s->day);
    b2b2c__enc_f64(&w, s->spend);
    b2b2c__enc_f64(&w, s->impr);
    return b2b2c__st_put_rec(ctx, CH_T_SPEND, key, kl, &w);
}

static int lead_write(b2b2c_ctx *ctx, const ch_lead *l)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, 1);
    b2b2c__enc_u8(&w, (uint8_t)((l->st.converted ? 1 : 0) |
                                (l->st.has_ltv ? 2 : 0)));
    b2b2c__enc_i64(&w, l->st.conv_t);
    b2b2c__enc_f64(&w, l->st.revenue);
    b2b2c__enc_f64(&w, l->st.ltv);
    b2b2c__enc_u32(&w, l->n);
    for (uint32_t i = 0; i < l->n; i++) {
        b2b2c__enc_u32(&w, l->tv[i].ch);
        b2b2c__enc_i64(&w, l->tv[i].t);
    }
    return b2b2c__st_put_rec(ctx, CH_T_LEADS, l->id, l->idlen, &w);
}

/* ---- undo entries for sorted arrays ------------------------------------------ */

/* Array contents are undone by index, never by saved pointers: a later call
 * in the same group may move the array. Undo runs newest first, so the index
 * is valid again when the entry runs. */
static void undo_touch_ins(b2b2c_ctx *ctx, void *a, void *b, size_t i)
{
    ch_lead *l = a;
    (void)ctx;
    (void)b;
    memmove(l->tv + i, l->tv + i + 1, (l->n - i - 1) * sizeof(ch_touch));
    l->n--;
}

static void undo_spend_ins(b2b2c_ctx *ctx, void *a, void *b, size_t i)
{
    ch_chan *c = a;
    (void)ctx;
    (void)b;
    memmove(c->sv + i, c->sv + i + 1, (c->n - i - 1) * sizeof(ch_spend));
    c->n--;
}

static void undo_spend_set(b2b2c_ctx *ctx, void *a, void *b, size_t i)
{
    ch_chan *c = a;
    c->sv[i] = *(ch_spend *)b;
    b2b2c__free(ctx, b);
}

/* A channel added by a failed call or group goes with the spend array that
 * later calls of the group gave it (their own entries, undone first, only
 * shrink the array back to empty). */
static void chan_destroy(b2b2c_ctx *ctx, ch_chan *c);

static void undo_chan_new(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    chan_destroy(ctx, a);
}

static void release_free(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)a;
    (void)n;
    b2b2c__free(ctx, b);
}

/* ---- handle ----------------------------------------------------------------------- */

static void lead_destroy(b2b2c_ctx *ctx, ch_lead *l)
{
    b2b2c__free(ctx, l->tv);
    b2b2c__free(ctx, l);
}

static void chan_destroy(b2b2c_ctx *ctx, ch_chan *c)
{
    b2b2c__free(ctx, c->sv);
    b2b2c__free(ctx, c);
}

void b2b2c_channels_free(b2b2c_channels *h)
{
    b2b2c_ctx *ctx;
    if (!h)
        return;
    ctx = h->ctx;
    b2b2c__handle_closing(ctx);
    for (size_t i = 0; i < h->nlead; i++)
        lead_destroy(ctx, h->leads[i]);
    for (size_t i = 0; i < h->nch; i++)
        chan_destroy(ctx, h->chans[i]);
    b2b2c__map_fini(&h->chmap);
    b2b2c__map_fini(&h->leadmap);
    b2b2c__free(ctx, h->chans);
    b2b2c__free(ctx, h->leads);
    b2b2c__free(ctx, h);
}

static int load_err(b2b2c_ctx *ctx, int rc, const char *table, const void *k,
                    size_t kl)
{
    return b2b2c__err_corrupt(ctx, rc, table, k, kl, NULL);
}

static int load_params(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_channels *h = payload;
    b2b2c__rbuf r;
    ch_params p;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return load_err(h->ctx, rc, CH_T_PARAMS, k, kl);
    p.lookback = b2b2c__dec_f64(&r);
    p.half_life = b2b2c__dec_f64(&r);
    p.pos_first = b2b2c__dec_f64(&r);
    p.pos_last = b2b2c__dec_f64(&r);
    p.lag = b2b2c__dec_f64(&r);
    p.window = b2b2c__dec_f64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return load_err(h->ctx, rc, CH_T_PARAMS, k, kl);
    for (size_t i = 0; i < NPARAMS; i++) {
        double x = *param_slot(&p, i);
        if (!b2b2c__param_valid(
                b2b2c__param_find(CH_PARAM_BASE + (int32_t)i), x))
            return load_err(h->ctx, B2B2C_ECORRUPT, CH_T_PARAMS, k, kl);
    }
    h->p = p;
    return 0;
}

static int load_chan(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_channels *h = payload;
    b2b2c_ctx *ctx = h->ctx;
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
    /* Rows come in key order, not index order: collect them first and put
     * them in place once all are read (a stored index is trusted only when
     * it is below the number of rows, so a corrupt one cannot make us
     * allocate for 2^31 channels). */
    if (h->nch == h->capch &&
        b2b2c__grow(&ctx->mem, (void **)&h->chans, &h->capch, h->nch + 1,
                    sizeof(ch_chan *)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
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
        !(s.impr >= 0 && s.impr < INFINITY) ||
        (c->n && c->sv[c->n - 1].day >= s.day))
        return load_err(ctx, B2B2C_ECORRUPT, CH_T_SPEND, k, kl);
    /* keys sort by day, so rows arrive in day order per channel */
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
    b2b2c__rbuf r;
    ch_lead *l;
    uint32_t n, flags;
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
            lead_destroy(ctx, l);
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        }
        l->cap = n;
        for (uint32_t i = 0; i < n; i++) {
            l->tv[i].ch = b2b2c__dec_u32(&r);
            l->tv[i].t = b2b2c__dec_i64(&r);
            l->tv[i].pad = 0;
            if (l->tv[i].ch >= h->nch || (i && l->tv[i].t < l->tv[i - 1].t))
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
        lead_destroy(ctx, l);
        return load_err(ctx, rc, CH_T_LEADS, k, kl);
    }
    if (b2b2c__grow(&ctx->mem, (void **)&h->leads, &h->caplead, h->nlead + 1,
                    sizeof(ch_lead *)) ||
        b2b2c__map_put(&h->leadmap, l->id, kl, l, NULL)) {
        lead_destroy(ctx, l);
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    }
    h->leads[h->nlead++] = l;
    return 0;
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
    memset(h, 0, sizeof(*h));
    h->ctx = ctx;
    b2b2c__handle_opened(ctx); /* the failure path frees through _free */
    b2b2c__map_init(&h->chmap, &ctx->mem);
    b2b2c__map_init(&h->leadmap, &ctx->mem);
    {
        double d[NPARAMS];
        b2b2c__param_defaults(CH_PARAM_BASE, d);
        for (size_t i = 0; i < NPARAMS; i++)
            *param_slot(&h->p, i) = d[i];
    }
    if ((rc = b2b2c__st_scan(ctx, CH_T_PARAMS, load_params, h)) != 0 ||
        (rc = b2b2c__st_scan(ctx, CH_T_CHANNELS, load_chan, h)) != 0)
        goto fail;
    if ((rc = place_chans(h)) != 0)
        goto fail;
    if ((rc = b2b2c__st_scan(ctx, CH_T_SPEND, load_spend, h)) != 0 ||
        (rc = b2b2c__st_scan(ctx, CH_T_LEADS, load_lead, h)) != 0)
        goto fail;
    *out = h;
    return 0;
fail:
    /* free what was loaded; missing channel slots are NULL */
    for (size_t i = 0; i < h->nch; i++)
        if (h->chans[i])
            chan_destroy(ctx, h->chans[i]);
    h->nch = 0;
    b2b2c_channels_free(h);
    return rc;
}

/* ---- channels ----------------------------------------------------------------------- */

static int check_id(b2b2c_ctx *ctx, const char *id, const char *arg,
                    size_t *len)
{
    int rc = b2b2c__id_check(id, len);
    if (rc)
        return b2b2c__err(ctx, rc, "%s: %s", arg,
                          rc == B2B2C_EINVAL ? "NULL"
                                             : "not a valid ID (1..255 bytes "
                                               "of UTF-8)");
    return 0;
}

static int find_chan(b2b2c_channels *h, const char *id, ch_chan **out)
{
    size_t n;
    int rc = check_id(h->ctx, id, "channel_id", &n);
    if (rc)
        return rc;
    *out = b2b2c__map_get(&h->chmap, id, n);
    if (!*out)
        return b2b2c__err(h->ctx, B2B2C_ENOTFOUND,
                          "channel_id: unknown channel '%s'", id);
    return 0;
}

int b2b2c_channels_add(b2b2c_channels *h, const char *id, int32_t kind,
                       int32_t sub, int32_t group)
{
    b2b2c_ctx *ctx;
    ch_chan *c;
    size_t n;
    int32_t sk;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    if ((rc = check_id(ctx, id, "id", &n)) != 0)
        return rc;
    if (kind != B2B2C_CHANNEL_KIND_REACH && kind != B2B2C_CHANNEL_KIND_LEADGEN)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "kind: must be reach (1) or lead generation (2)");
    sk = b2b2c_channel_sub_kind(sub);
    if (sk < 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "sub: unknown sub-kind %d",
                          (int)sub);
    if (sk != B2B2C_CHANNEL_KIND_NONE && sk != kind)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "sub: sub-kind '%s' is not of kind '%s'",
                          b2b2c_channel_sub_name(sub), kind_names[kind]);
    if (!b2b2c_group_name(group))
        return b2b2c__err(ctx, B2B2C_EINVAL, "group: unknown group %d",
                          (int)group);
    if (b2b2c__map_get(&h->chmap, id, n))
        return b2b2c__err(ctx, B2B2C_EEXISTS, "id: channel '%s' exists", id);
    if (h->nch >= UINT32_MAX / 2)
        return b2b2c__err(ctx, B2B2C_ERANGE, "id: too many channels");
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    c = b2b2c__malloc(ctx, sizeof(*c) + n + 1);
    if (!c) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    memset(c, 0, sizeof(*c));
    c->idx = (uint32_t)h->nch;
    c->kind = kind;
    c->sub = sub;
    c->group = group;
    c->idlen = n;
    memcpy(c->id, id, n + 1);
    if ((rc = b2b2c__undo_push(ctx, undo_chan_new, NULL, c, NULL, 0)) != 0) {
        b2b2c__free(ctx, c);
        goto out;
    }
    if (b2b2c__grow(&ctx->mem, (void **)&h->chans, &h->capch, h->nch + 1,
                    sizeof(ch_chan *))) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = b2b2c__map_insert_undoable(ctx, &h->chmap, c->id, n, c)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &h->nch, sizeof(h->nch))) != 0)
        goto out;
    h->chans[h->nch++] = c;
    rc = chan_write(ctx, c);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_channels_get(int32_t *kind, int32_t *sub, int32_t *group,
                       const b2b2c_channels *h, const char *id)
{
    ch_chan *c;
    int rc;
    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if ((rc = find_chan((b2b2c_channels *)h, id, &c)) != 0)
        return rc;
    if (kind)
        *kind = c->kind;
    if (sub)
        *sub = c->sub;
    if (group)
        *group = c->group;
    return 0;
}

int b2b2c_channels_count(size_t *out, const b2b2c_channels *h)
{
    if (!h || !out)
        return B2B2C_EINVAL;
    *out = h->nch;
    return 0;
}

/* ---- spend ---------------------------------------------------------------------------- */

int b2b2c_channels_set_spend(b2b2c_channels *h, const char *channel_id,
                             int64_t t, double spend, double impressions)
{
    b2b2c_ctx *ctx;
    ch_chan *c;
    ch_spend s;
    size_t lo, hi;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = find_chan(h, channel_id, &c)) != 0 ||
        (rc = b2b2c__check_time(ctx, t, "t")) != 0)
        return rc;
    if ((rc = b2b2c__check_amount(ctx, spend, "spend")) != 0 ||
        (rc = b2b2c__check_amount(ctx, impressions, "impressions")) != 0)
        return rc;
    s.day = b2b2c__day(ctx, t);
    s.spend = spend;
    s.impr = impressions;
    lo = 0;
    hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->sv[mid].day < s.day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if (lo < c->n && c->sv[lo].day == s.day) {
        ch_spend *old = b2b2c__malloc(ctx, sizeof(*old));
        if (!old) {
            rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
            goto out;
        }
        *old = c->sv[lo];
        if ((rc = b2b2c__undo_push(ctx, undo_spend_set, release_free, c, old,
                                   lo)) != 0) {
            b2b2c__free(ctx, old);
            goto out;
        }
        c->sv[lo] = s;
    } else {
        if (b2b2c__grow(&ctx->mem, (void **)&c->sv, &c->cap, c->n + 1,
                        sizeof(ch_spend))) {
            rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = b2b2c__undo_push(ctx, undo_spend_ins, NULL, c, NULL, lo)))
            goto out;
        memmove(c->sv + lo + 1, c->sv + lo, (c->n - lo) * sizeof(ch_spend));
        c->sv[lo] = s;
        c->n++;
    }
    rc = spend_write(ctx, c, &s);
out:
    return b2b2c__call_end(ctx, rc);
}

/* ---- leads ------------------------------------------------------------------------------- */

/* Find or create (undoably, inside a call) the lead `id` of length n. */
static int lead_get_or_make(b2b2c_channels *h, const char *id, size_t n,
                            ch_lead **out)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_lead *l = b2b2c__map_get(&h->leadmap, id, n);
    int rc;

    if (l) {
        *out = l;
        return 0;
    }
    l = b2b2c__malloc(ctx, sizeof(*l) + n + 1);
    if (!l)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(l, 0, sizeof(*l));
    l->idlen = n;
    memcpy(l->id, id, n + 1);
    if ((rc = b2b2c__undo_free_on_fail(ctx, l)) != 0) {
        b2b2c__free(ctx, l);
        return rc;
    }
    if (b2b2c__grow(&ctx->mem, (void **)&h->leads, &h->caplead, h->nlead + 1,
                    sizeof(ch_lead *)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__map_insert_undoable(ctx, &h->leadmap, l->id, n, l)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &h->nlead, sizeof(h->nlead))) != 0)
        return rc;
    h->leads[h->nlead++] = l;
    *out = l;
    return 0;
}

/* A lead created by a failed call is freed by the undo log; its touches
 * array too is released through this entry (pushed before the array is
 * first allocated). */
static void undo_touch_array(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    ch_lead *l = a;
    (void)b;
    (void)n;
    b2b2c__free(ctx, l->tv);
    l->tv = NULL;
    l->cap = 0;
}

int b2b2c_channels_touch(b2b2c_channels *h, const char *lead_id,
                         const char *channel_id, int64_t t)
{
    b2b2c_ctx *ctx;
    ch_chan *c;
    ch_lead *l;
    size_t n, pos;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = check_id(ctx, lead_id, "lead_id", &n)) != 0 ||
        (rc = find_chan(h, channel_id, &c)) != 0 ||
        (rc = b2b2c__check_time(ctx, t, "t")) != 0)
        return rc;
    l = b2b2c__map_get(&h->leadmap, lead_id, n);
    if (l && l->st.converted && t > l->st.conv_t)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "t: touch after the conversion of lead '%s'",
                          lead_id);
    if (l && l->n >= UINT32_MAX / 32)
        return b2b2c__err(ctx, B2B2C_ERANGE, "lead_id: too many touches");
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = lead_get_or_make(h, lead_id, n, &l)) != 0)
        goto out;
    if (!l->tv) {
        /* the first array of a lead: freed again if the call fails */
        if ((rc = b2b2c__undo_push(ctx, undo_touch_array, NULL, l, NULL, 0)))
            goto out;
    }
    if (l->n + 1 > l->cap) {
        size_t cap = l->cap;
        if (b2b2c__grow(&ctx->mem, (void **)&l->tv, &cap, (size_t)l->n + 1,
                        sizeof(ch_touch))) {
            rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
            goto out;
        }
        l->cap = (uint32_t)cap;
    }
    pos = l->n;
    while (pos > 0 && l->tv[pos - 1].t > t)
        pos--;
    if ((rc = b2b2c__undo_push(ctx, undo_touch_ins, NULL, l, NULL, pos)) != 0)
        goto out;
    memmove(l->tv + pos + 1, l->tv + pos, (l->n - pos) * sizeof(ch_touch));
    l->tv[pos].t = t;
    l->tv[pos].ch = c->idx;
    l->tv[pos].pad = 0;
    l->n++;
    rc = lead_write(ctx, l);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_channels_convert(b2b2c_channels *h, const char *lead_id, int64_t t,
                           double revenue)
{
    b2b2c_ctx *ctx;
    ch_lead *l;
    size_t n;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = check_id(ctx, lead_id, "lead_id", &n)) != 0 ||
        (rc = b2b2c__check_time(ctx, t, "t")) != 0)
        return rc;
    if ((rc = b2b2c__check_amount(ctx, revenue, "revenue")) != 0)
        return rc;
    l = b2b2c__map_get(&h->leadmap, lead_id, n);
    if (l && l->st.converted)
        return b2b2c__err(ctx, B2B2C_EEXISTS,
                          "lead_id: lead '%s' already converted", lead_id);
    if (l && l->n &&
        (rc = b2b2c__check_not_before(ctx, t, "t", l->tv[l->n - 1].t,
                                      "the last touch of lead",
                                      lead_id)) != 0)
        return rc;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = lead_get_or_make(h, lead_id, n, &l)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &l->st, sizeof(l->st))) != 0)
        goto out;
    l->st.converted = 1;
    l->st.conv_t = t;
    l->st.revenue = revenue;
    rc = lead_write(ctx, l);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_channels_set_ltv(b2b2c_channels *h, const char *lead_id, double ltv)
{
    b2b2c_ctx *ctx;
    ch_lead *l;
    size_t n;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = check_id(ctx, lead_id, "lead_id", &n)) != 0)
        return rc;
    if ((rc = b2b2c__check_amount(ctx, ltv, "ltv")) != 0)
        return rc;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = lead_get_or_make(h, lead_id, n, &l)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &l->st, sizeof(l->st))) != 0)
        goto out;
    l->st.has_ltv = 1;
    l->st.ltv = ltv;
    rc = lead_write(ctx, l);
out:
    return b2b2c__call_end(ctx, rc);
}

/* ---- digest ------------------------------------------------------------------------------------ */

uint64_t b2b2c__channels_digest(const b2b2c_channels *h)
{
    uint64_t d = 0, sum = 0;
    for (size_t i = 0; i < NPARAMS; i++)
        d = b2b2c__mix64(d, b2b2c__dbits(*param_slot((ch_params *)&h->p, i)));
    d = b2b2c__mix64(d, h->nch);
    for (size_t i = 0; i < h->nch; i++) {
        const ch_chan *c = h->chans[i];
        d = b2b2c__mix64(d, b2b2c__hash(c->id, c->idlen));
        d = b2b2c__mix64(d, (uint64_t)(c->kind * 100 + c->sub * 10 + c->group));
        d = b2b2c__mix64(d, c->n);
        for (size_t j = 0; j < c->n; j++) {
            d = b2b2c__mix64(d, (uint64_t)c->sv[j].day);
            d = b2b2c__mix64(d, b2b2c__dbits(c->sv[j].spend));
            d = b2b2c__mix64(d, b2b2c__dbits(c->sv[j].impr));
        }
    }
    /* leads: order-independent (reload sorts them by ID) */
    for (size_t i = 0; i < h->nlead; i++) {
        const ch_lead *l = h->leads[i];
        uint64_t e = b2b2c__hash(l->id, l->idlen);
        e = b2b2c__mix64(e, l->st.converted);
        e = b2b2c__mix64(e, l->st.has_ltv);
        if (l->st.converted) {
            e = b2b2c__mix64(e, (uint64_t)l->st.conv_t);
            e = b2b2c__mix64(e, b2b2c__dbits(l->st.revenue));
        }
        if (l->st.has_ltv)
            e = b2b2c__mix64(e, b2b2c__dbits(l->st.ltv));
        e = b2b2c__mix64(e, l->n);
        for (uint32_t j = 0; j < l->n; j++) {
            e = b2b2c__mix64(e, (uint64_t)l->tv[j].t);
            e = b2b2c__mix64(e, l->tv[j].ch);
        }
        sum += e * 2 + 1;
    }
    d = b2b2c__mix64(d, h->nlead);
    d = b2b2c__mix64(d, sum);
    return d;
}
