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

double *b2b2c__ch_param_slot(ch_params *p, size_t i)
{
    double *s[CH_NPARAMS] = {&p->lookback,  &p->half_life, &p->pos_first,
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
    int i, rc;
    if (!h || !out)
        return B2B2C_EINVAL;
    if (param < CH_PARAM_BASE || param >= CH_PARAM_BASE + CH_NPARAMS)
        return b2b2c__err(h->ctx, B2B2C_EINVAL,
                          "param: %d is not a channels parameter", (int)param);
    if ((rc = b2b2c__sync_read(h->ctx)) != 0)
        return rc;
    i = param - CH_PARAM_BASE;
    *out = *b2b2c__ch_param_slot((ch_params *)&h->p, (size_t)i);
    return 0;
}

/* The position weights are checked together, on the latest state. */
static int set_param_body(b2b2c_channels *h, int32_t param, double value)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_params np = h->p;
    int rc;

    *b2b2c__ch_param_slot(&np, (size_t)(param - CH_PARAM_BASE)) = value;
    if (np.pos_first + np.pos_last > 1.0 + 1e-12)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "value: %s: POSITION_FIRST + POSITION_LAST must be "
                          "at most 1",
                          b2b2c_param_name(param));
    if ((rc = b2b2c__undo_save(ctx, &h->p, sizeof(h->p))) != 0)
        return rc;
    h->p = np;
    return params_write(ctx, &h->p);
}

int b2b2c_channels_set_param(b2b2c_channels *h, int32_t param, double value)
{
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__param_check(h->ctx, CH_PARAM_BASE, param, value)) != 0)
        return rc;
    B2B2C__CALL(rc, h->ctx, h, set_param_body(h, param, value));
    return rc;
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

/* For channel_remove.c. */
int b2b2c__ch_chan_write(b2b2c_ctx *ctx, const ch_chan *c)
{
    return chan_write(ctx, c);
}

int b2b2c__ch_lead_write(b2b2c_ctx *ctx, const ch_lead *l)
{
    return lead_write(ctx, l);
}

int b2b2c__ch_spend_del(b2b2c_ctx *ctx, const ch_chan *c, int64_t day)
{
    uint8_t key[8 + B2B2C__ID_MAX];
    return b2b2c__st_del(ctx, CH_T_SPEND, key, spend_key(key, c, day));
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
void b2b2c__ch_undo_chan_new(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    b2b2c__ch_chan_destroy(ctx, a);
}

static void release_free(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)a;
    (void)n;
    b2b2c__free(ctx, b);
}

/* ---- handle ----------------------------------------------------------------------- */

void b2b2c__ch_lead_destroy(b2b2c_ctx *ctx, ch_lead *l)
{
    b2b2c__free(ctx, l->tv);
    b2b2c__free(ctx, l);
}

void b2b2c__ch_chan_destroy(b2b2c_ctx *ctx, ch_chan *c)
{
    b2b2c__free(ctx, c->sv);
    b2b2c__free(ctx, c);
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

/* The channel `id` (n bytes, checked) in memory, or ENOTFOUND. */
static int lookup_chan(b2b2c_channels *h, const char *id, size_t n,
                       ch_chan **out)
{
    *out = b2b2c__map_get(&h->chmap, id, n);
    if (!*out)
        return b2b2c__err(h->ctx, B2B2C_ENOTFOUND,
                          "channel_id: unknown channel '%s'", id);
    return 0;
}

static int add_body(b2b2c_channels *h, const char *id, size_t n, int32_t kind,
                    int32_t sub, int32_t group)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_chan *c;
    int rc;

    if (b2b2c__map_get(&h->chmap, id, n))
        return b2b2c__err(ctx, B2B2C_EEXISTS, "id: channel '%s' exists", id);
    if (h->nch >= UINT32_MAX / 2)
        return b2b2c__err(ctx, B2B2C_ERANGE, "id: too many channels");
    c = b2b2c__malloc(ctx, sizeof(*c) + n + 1);
    if (!c)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(c, 0, sizeof(*c));
    c->idx = (uint32_t)h->nch;
    c->kind = kind;
    c->sub = sub;
    c->group = group;
    c->idlen = n;
    memcpy(c->id, id, n + 1);
    if ((rc = b2b2c__undo_push(ctx, b2b2c__ch_undo_chan_new, NULL, c, NULL,
                               0)) != 0) {
        b2b2c__free(ctx, c);
        return rc;
    }
    if (b2b2c__grow(&ctx->mem, (void **)&h->chans, &h->capch, h->nch + 1,
                    sizeof(ch_chan *)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__map_insert_undoable(ctx, &h->chmap, c->id, n, c)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &h->nch, sizeof(h->nch))) != 0)
        return rc;
    h->chans[h->nch++] = c;
    return chan_write(ctx, c);
}

int b2b2c_channels_add(b2b2c_channels *h, const char *id, int32_t kind,
                       int32_t sub, int32_t group)
{
    b2b2c_ctx *ctx;
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
    B2B2C__CALL(rc, ctx, h, add_body(h, id, n, kind, sub, group));
    return rc;
}

int b2b2c_channels_get(int32_t *kind, int32_t *sub, int32_t *group,
                       const b2b2c_channels *h, const char *id)
{
    ch_chan *c;
    size_t n;
    int rc;
    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if ((rc = check_id(h->ctx, id, "channel_id", &n)) != 0 ||
        (rc = b2b2c__sync_read(h->ctx)) != 0 ||
        (rc = lookup_chan((b2b2c_channels *)h, id, n, &c)) != 0)
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
    int rc;
    if (!h || !out)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__sync_read(h->ctx)) != 0)
        return rc;
    *out = h->nch;
    return 0;
}

/* ---- spend ---------------------------------------------------------------------------- */

int b2b2c__ch_spend_put(b2b2c_channels *h, ch_chan *c, const ch_spend *s)
{
    b2b2c_ctx *ctx = h->ctx;
    size_t lo;
    int rc;

    B2B2C__LOWER_BOUND(lo, c->sv, c->n, day, s->day);
    if (lo < c->n && c->sv[lo].day == s->day) {
        ch_spend *old = b2b2c__malloc(ctx, sizeof(*old));
        if (!old)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        *old = c->sv[lo];
        if ((rc = b2b2c__undo_push(ctx, undo_spend_set, release_free, c, old,
                                   lo)) != 0) {
            b2b2c__free(ctx, old);
            return rc;
        }
        c->sv[lo] = *s;
        return 0;
    }
    if (b2b2c__grow(&ctx->mem, (void **)&c->sv, &c->cap, c->n + 1,
                    sizeof(ch_spend)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__undo_push(ctx, undo_spend_ins, NULL, c, NULL, lo)))
        return rc;
    memmove(c->sv + lo + 1, c->sv + lo, (c->n - lo) * sizeof(ch_spend));
    c->sv[lo] = *s;
    c->n++;
    return 0;
}

static int set_spend_body(b2b2c_channels *h, const char *channel_id,
                          size_t n, const ch_spend *s)
{
    ch_chan *c;
    int rc;
    if ((rc = lookup_chan(h, channel_id, n, &c)) != 0 ||
        (rc = b2b2c__ch_spend_put(h, c, s)) != 0)
        return rc;
    return spend_write(h->ctx, c, s);
}

int b2b2c_channels_set_spend(b2b2c_channels *h, const char *channel_id,
                             int64_t t, double spend, double impressions)
{
    b2b2c_ctx *ctx;
    ch_spend s;
    size_t n;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = check_id(ctx, channel_id, "channel_id", &n)) != 0 ||
        (rc = b2b2c__check_time(ctx, t, "t")) != 0)
        return rc;
    if ((rc = b2b2c__check_amount(ctx, spend, "spend")) != 0 ||
        (rc = b2b2c__check_amount(ctx, impressions, "impressions")) != 0)
        return rc;
    s.day = b2b2c__day(ctx, t);
    s.spend = spend;
    s.impr = impressions;
    B2B2C__CALL(rc, ctx, h, set_spend_body(h, channel_id, n, &s));
    return rc;
}

/* ---- leads ------------------------------------------------------------------------------- */

int b2b2c__ch_lead_insert(b2b2c_channels *h, ch_lead *l)
{
    b2b2c_ctx *ctx = h->ctx;
    int rc;
    if (b2b2c__grow(&ctx->mem, (void **)&h->leads, &h->caplead, h->nlead + 1,
                    sizeof(ch_lead *)))
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    if ((rc = b2b2c__map_insert_undoable(ctx, &h->leadmap, l->id, l->idlen,
                                         l)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &h->nlead, sizeof(h->nlead))) != 0)
        return rc;
    h->leads[h->nlead++] = l;
    return 0;
}

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
    if ((rc = b2b2c__ch_lead_insert(h, l)) != 0)
        return rc;
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

static int touch_body(b2b2c_channels *h, const char *lead_id, size_t n,
                      const char *channel_id, size_t cn, int64_t t)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_chan *c;
    ch_lead *l;
    size_t pos;
    int rc;

    if ((rc = lookup_chan(h, channel_id, cn, &c)) != 0)
        return rc;
    l = b2b2c__map_get(&h->leadmap, lead_id, n);
    if (l && l->st.converted && t > l->st.conv_t)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "t: touch after the conversion of lead '%s'",
                          lead_id);
    if (l && l->n >= UINT32_MAX / 32)
        return b2b2c__err(ctx, B2B2C_ERANGE, "lead_id: too many touches");
    if ((rc = lead_get_or_make(h, lead_id, n, &l)) != 0)
        return rc;
    if (!l->tv) {
        /* the first array of a lead: freed again if the call fails */
        if ((rc = b2b2c__undo_push(ctx, undo_touch_array, NULL, l, NULL, 0)))
            return rc;
    }
    if (l->n + 1 > l->cap) {
        size_t cap = l->cap;
        if (b2b2c__grow(&ctx->mem, (void **)&l->tv, &cap, (size_t)l->n + 1,
                        sizeof(ch_touch)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        l->cap = (uint32_t)cap;
    }
    pos = l->n;
    while (pos > 0 && l->tv[pos - 1].t > t)
        pos--;
    if ((rc = b2b2c__undo_push(ctx, undo_touch_ins, NULL, l, NULL, pos)) != 0)
        return rc;
    memmove(l->tv + pos + 1, l->tv + pos, (l->n - pos) * sizeof(ch_touch));
    l->tv[pos].t = t;
    l->tv[pos].ch = c->idx;
    l->tv[pos].pad = 0;
    l->n++;
    return lead_write(ctx, l);
}

int b2b2c_channels_touch(b2b2c_channels *h, const char *lead_id,
                         const char *channel_id, int64_t t)
{
    b2b2c_ctx *ctx;
    size_t n, cn;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = check_id(ctx, lead_id, "lead_id", &n)) != 0 ||
        (rc = check_id(ctx, channel_id, "channel_id", &cn)) != 0 ||
        (rc = b2b2c__check_time(ctx, t, "t")) != 0)
        return rc;
    B2B2C__CALL(rc, ctx, h, touch_body(h, lead_id, n, channel_id, cn, t));
    return rc;
}

/* Entry checks of the lead calls that take an amount: clear the error,
 * then lead_id (*n: its length), the time when t is given, the amount. */
static int lead_args(size_t *n, b2b2c_channels *h, const char *lead_id,
                     const int64_t *t, double amount, const char *arg)
{
    b2b2c_ctx *ctx = h->ctx;
    int rc;
    b2b2c__err_clear(ctx);
    if ((rc = check_id(ctx, lead_id, "lead_id", n)) != 0 ||
        (t && (rc = b2b2c__check_time(ctx, *t, "t")) != 0))
        return rc;
    return b2b2c__check_amount(ctx, amount, arg);
}

static int convert_body(b2b2c_channels *h, const char *lead_id, size_t n,
                        int64_t t, double revenue)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_lead *l = b2b2c__map_get(&h->leadmap, lead_id, n);
    int rc;

    if (l && l->st.converted)
        return b2b2c__err(ctx, B2B2C_EEXISTS,
                          "lead_id: lead '%s' already converted", lead_id);
    if (l && l->n &&
        (rc = b2b2c__check_not_before(ctx, t, "t", l->tv[l->n - 1].t,
                                      "the last touch of lead",
                                      lead_id)) != 0)
        return rc;
    if ((rc = lead_get_or_make(h, lead_id, n, &l)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &l->st, sizeof(l->st))) != 0)
        return rc;
    l->st.converted = 1;
    l->st.conv_t = t;
    l->st.revenue = revenue;
    return lead_write(ctx, l);
}

int b2b2c_channels_convert(b2b2c_channels *h, const char *lead_id, int64_t t,
                           double revenue)
{
    size_t n;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    if ((rc = lead_args(&n, h, lead_id, &t, revenue, "revenue")) != 0)
        return rc;
    B2B2C__CALL(rc, h->ctx, h, convert_body(h, lead_id, n, t, revenue));
    return rc;
}

static int set_ltv_body(b2b2c_channels *h, const char *lead_id, size_t n,
                        double ltv)
{
    ch_lead *l;
    int rc;
    if ((rc = lead_get_or_make(h, lead_id, n, &l)) != 0 ||
        (rc = b2b2c__undo_save(h->ctx, &l->st, sizeof(l->st))) != 0)
        return rc;
    l->st.has_ltv = 1;
    l->st.ltv = ltv;
    return lead_write(h->ctx, l);
}

int b2b2c_channels_set_ltv(b2b2c_channels *h, const char *lead_id, double ltv)
{
    size_t n;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    if ((rc = lead_args(&n, h, lead_id, NULL, ltv, "ltv")) != 0)
        return rc;
    B2B2C__CALL(rc, h->ctx, h, set_ltv_body(h, lead_id, n, ltv));
    return rc;
}

/* ---- digest ------------------------------------------------------------------------------------ */

uint64_t b2b2c__channels_digest(const b2b2c_channels *h)
{
    uint64_t d = 0, sum = 0;
    for (size_t i = 0; i < CH_NPARAMS; i++)
        d = b2b2c__mix64(
            d, b2b2c__dbits(*b2b2c__ch_param_slot((ch_params *)&h->p, i)));
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

/* ---- erasure (issue 20) ------------------------------------------------------------------ */

/* The lead `b` left slot n of the leads array and the last lead took its
 * place (n == nlead after: it was the last): put both back. */
static void undo_lead_del(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    b2b2c_channels *h = a;
    (void)ctx;
    if (n < h->nlead)
        h->leads[h->nlead] = h->leads[n];
    h->leads[n] = b;
    h->nlead++;
}

static int erase_body(b2b2c_channels *h, const char *lead_id, size_t n)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_lead *l = b2b2c__map_get(&h->leadmap, lead_id, n);
    size_t i = 0;
    int rc;

    if (!l)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "lead_id: no lead '%s'",
                          lead_id);
    while (h->leads[i] != l)
        i++;
    if ((rc = b2b2c__map_remove_undoable(ctx, &h->leadmap, l->id,
                                         l->idlen)) != 0 ||
        (l->tv && (rc = b2b2c__undo_free_on_commit(ctx, l->tv)) != 0) ||
        (rc = b2b2c__undo_free_on_commit(ctx, l)) != 0 ||
        (rc = b2b2c__undo_push(ctx, undo_lead_del, NULL, h, l, i)) != 0)
        return b2b2c__err(ctx, rc, "out of memory");
    h->leads[i] = h->leads[--h->nlead];
    if ((rc = b2b2c__st_del(ctx, CH_T_LEADS, lead_id, n)) != 0)
        return rc;
    b2b2c__sync_forget(ctx);
    return 0;
}

int b2b2c__ch_erase_op(void *h, const char *id, size_t n)
{
    return erase_body(h, id, n);
}

int b2b2c_channels_erase(b2b2c_channels *h, const char *lead_id)
{
    size_t n;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    if ((rc = lead_args(&n, h, lead_id, NULL, 0, "lead_id")) != 0)
        return rc;
    B2B2C__CALL(rc, h->ctx, h, erase_body(h, lead_id, n));
    return rc;
}

/* ---- merging two leads (issue 20) ------------------------------------------ */

/*
 * into gets from's touches (one array sorted by time, into's first at
 * equal times) and conversion: the earlier conversion of the two, with
 * both revenues; touches after it are dropped (b2b2c_channels_touch
 * refuses them too). into's lifetime value, else from's. Then from goes
 * as an erase takes it (the change log keeps its key, like a removal).
 */
static int merge_body(b2b2c_channels *h, const char *from_id, size_t fn,
                      const char *into_id, size_t in)
{
    b2b2c_ctx *ctx = h->ctx;
    ch_lead *f = b2b2c__map_get(&h->leadmap, from_id, fn), *r;
    ch_leadst st;
    ch_touch *tv = NULL;
    size_t i = 0, a = 0, b = 0, n = 0, tot;
    int rc;

    if (!f)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "from_id: no lead '%s'",
                          from_id);
    if ((rc = lead_get_or_make(h, into_id, in, &r)) != 0)
        return rc;
    st = r->st;
    if (f->st.converted &&
        (!st.converted || f->st.conv_t < st.conv_t)) {
        st.converted = 1;
        st.conv_t = f->st.conv_t;
    }
    if (f->st.converted && r->st.converted)
        st.revenue = r->st.revenue + f->st.revenue;
    else if (f->st.converted)
        st.revenue = f->st.revenue;
    if (!st.has_ltv && f->st.has_ltv) {
        st.has_ltv = 1;
        st.ltv = f->st.ltv;
    }
    tot = (size_t)r->n + f->n;
    if (tot >= UINT32_MAX / 32)
        return b2b2c__err(ctx, B2B2C_ERANGE, "from_id: too many touches");
    if (tot) {
        tv = b2b2c__malloc(ctx, tot * sizeof(*tv));
        if (!tv)
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_free_on_fail(ctx, tv)) != 0) {
            b2b2c__free(ctx, tv);
            return rc;
        }
    }
    while (a < r->n || b < f->n) {
        const ch_touch *t = b >= f->n || (a < r->n && r->tv[a].t <= f->tv[b].t)
                                ? &r->tv[a++]
                                : &f->tv[b++];
        if (!st.converted || t->t <= st.conv_t)
            tv[n++] = *t;
    }
    /* remove from (as erase_body) before into's arrays change */
    while (h->leads[i] != f)
        i++;
    if ((rc = b2b2c__map_remove_undoable(ctx, &h->leadmap, f->id,
                                         f->idlen)) != 0 ||
        (f->tv && (rc = b2b2c__undo_free_on_commit(ctx, f->tv)) != 0) ||
        (rc = b2b2c__undo_free_on_commit(ctx, f)) != 0 ||
        (rc = b2b2c__undo_push(ctx, undo_lead_del, NULL, h, f, i)) != 0)
        return b2b2c__err(ctx, rc, "out of memory");
    h->leads[i] = h->leads[--h->nlead];
    if ((rc = b2b2c__st_del(ctx, CH_T_LEADS, from_id, fn)) != 0)
        return rc;
    /* into: its touch array, counts and state saved for undo */
    if ((rc = b2b2c__undo_save(ctx, r, offsetof(ch_lead, idlen))) != 0 ||
        (r->tv && (rc = b2b2c__undo_free_on_commit(ctx, r->tv)) != 0))
        return rc;
    r->tv = tv;
    r->n = (uint32_t)n;
    r->cap = (uint32_t)tot;
    r->st = st;
    return lead_write(ctx, r);
}

int b2b2c_channels_merge(b2b2c_channels *h, const char *from_id,
                         const char *into_id)
{
    size_t fn, in;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    b2b2c__err_clear(h->ctx);
    if ((rc = check_id(h->ctx, from_id, "from_id", &fn)) != 0 ||
        (rc = check_id(h->ctx, into_id, "into_id", &in)) != 0)
        return rc;
    if (fn == in && memcmp(from_id, into_id, fn) == 0)
        return b2b2c__err(h->ctx, B2B2C_EINVAL,
                          "from_id: the same lead as into_id ('%s')",
                          into_id);
    B2B2C__CALL(rc, h->ctx, h, merge_body(h, from_id, fn, into_id, in));
    return rc;
}
