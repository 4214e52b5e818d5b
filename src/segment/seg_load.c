/* SPDX-License-Identifier: MIT */
/* The segmenter handle: create it from the store's records, free it, bring
 * it up to date with other contexts' commits (refresh, reload), and the
 * digest of its state that the tests compare. One decoder per record type
 * serves the open and the refresh. */
#include "segment_internal.h"

/* ---- decoders ---------------------------------------------------------------- */

static int corrupt(b2b2c_ctx *ctx, int rc, const char *table, const void *k,
                   size_t kl)
{
    return b2b2c__err_corrupt(ctx, rc, table, k, kl, NULL);
}

/* The meta record: the version and the parameters (those it does not
 * hold keep their defaults). */
static int meta_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                       const void *v, size_t vl, int64_t *version,
                       double *params)
{
    b2b2c__rbuf r;
    uint32_t n;
    int64_t ver;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    double p[SEG_NPARAM];

    if (rc)
        return corrupt(ctx, rc, T_META, k, kl);
    if (kl != 4 || memcmp(k, "meta", 4) != 0)
        return corrupt(ctx, B2B2C_ECORRUPT, T_META, k, kl);
    ver = b2b2c__dec_i64(&r);
    n = b2b2c__dec_u32(&r);
    if (n > SEG_NPARAM)
        return corrupt(ctx, B2B2C_ECORRUPT, T_META, k, kl);
    b2b2c__param_defaults(SEG_PARAM_BASE, p);
    for (uint32_t i = 0; i < n; i++) {
        p[i] = b2b2c__dec_f64(&r);
        if (!b2b2c__param_valid(b2b2c__param_find(SEG_PARAM_BASE + (int32_t)i),
                                p[i]))
            return corrupt(ctx, B2B2C_ECORRUPT, T_META, k, kl);
    }
    if ((rc = b2b2c__dec_finish(&r)) != 0 || ver < 1)
        return corrupt(ctx, rc ? rc : B2B2C_ECORRUPT, T_META, k, kl);
    *version = ver;
    memcpy(params, p, sizeof(p));
    return 0;
}

/* A host rule record into a new rule object (not in any map). */
static int rule_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                       const void *v, size_t vl, seg_rule **out)
{
    b2b2c__rbuf r;
    int64_t prio;
    uint32_t seg;
    const void *e;
    size_t el;
    char text[SEG_EXPR_MAX + 1];
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return corrupt(ctx, rc, T_RULES, k, kl);
    prio = b2b2c__dec_i64(&r);
    seg = b2b2c__dec_u32(&r);
    e = b2b2c__dec_bytes(&r, &el);
    if ((rc = b2b2c__dec_finish(&r)) != 0 || prio < -PRIO_MAX ||
        prio > PRIO_MAX || !b2b2c_segment_name((int32_t)seg) ||
        el > SEG_EXPR_MAX || b2b2c__utf8_valid(k, kl) || kl == 0 ||
        kl > B2B2C__ID_MAX)
        return corrupt(ctx, rc ? rc : B2B2C_ECORRUPT, T_RULES, k, kl);
    memcpy(text, e, el);
    text[el] = '\0';
    if (strlen(text) != el)
        return corrupt(ctx, B2B2C_ECORRUPT, T_RULES, k, kl);
    rc = b2b2c__seg_rule_make(out, ctx, k, kl, (int32_t)prio, (int32_t)seg,
                              text, 0);
    if (rc == B2B2C_ENOMEM)
        return rc;
    if (rc)
        return corrupt(ctx, B2B2C_ECORRUPT, T_RULES, k, kl);
    return 0;
}

/* An account's assignment history into a new account block. */
static int account_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                          const void *v, size_t vl, seg_account **out)
{
    b2b2c__rbuf r;
    uint32_t n;
    size_t names = 0;
    seg_account *a;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return corrupt(ctx, rc, T_ASSIGN, k, kl);
    if (b2b2c__utf8_valid(k, kl) || kl == 0 || kl > B2B2C__ID_MAX)
        return corrupt(ctx, B2B2C_ECORRUPT, T_ASSIGN, k, kl);
    n = b2b2c__dec_u32(&r);
    /* each entry takes at least 32 bytes: a count beyond that is corrupt */
    if (n == 0 || (size_t)n > vl / 32)
        return corrupt(ctx, B2B2C_ECORRUPT, T_ASSIGN, k, kl);
    a = b2b2c__seg_account_alloc(ctx, k, kl, n, vl);
    if (!a)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        seg_hist *h = &a->h[i];
        const void *p;
        size_t pl;
        h->time = b2b2c__dec_i64(&r);
        h->version = b2b2c__dec_i64(&r);
        h->confidence = b2b2c__dec_f64(&r);
        h->segment = (int32_t)b2b2c__dec_u32(&r);
        p = b2b2c__dec_bytes(&r, &pl);
        if (r.err || pl == 0 || !b2b2c_segment_name(h->segment) ||
            !(h->confidence >= 0 && h->confidence <= 1) ||
            (i > 0 && h->time < a->h[i - 1].time) || names + pl > vl) {
            b2b2c__free(ctx, a);
            return corrupt(ctx, B2B2C_ECORRUPT, T_ASSIGN, k, kl);
        }
        memcpy(a->names + names, p, pl);
        h->rule_off = (uint32_t)names;
        h->rule_len = (uint32_t)pl;
        names += pl;
    }
    if ((rc = b2b2c__dec_finish(&r)) != 0) {
        b2b2c__free(ctx, a);
        return corrupt(ctx, rc, T_ASSIGN, k, kl);
    }
    a->nameslen = names;
    *out = a;
    return 0;
}

static int routes_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                         const void *v, size_t vl, seg_routes *out)
{
    b2b2c__rbuf r;
    seg_routes t;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return corrupt(ctx, rc, T_ROUTES, k, kl);
    for (int i = 0; i < NSEG; i++)
        for (int j = 0; j < NBAND; j++) {
            t.over[i][j] = b2b2c__dec_u8(&r);
            t.dest[i][j] = b2b2c__dec_u8(&r);
            t.kind[i][j] = b2b2c__dec_u8(&r);
            if (t.over[i][j] > 1 ||
                (t.over[i][j] &&
                 (t.dest[i][j] < 1 || t.dest[i][j] > 4 ||
                  t.kind[i][j] < 1 || t.kind[i][j] > 2)))
                r.err = B2B2C_ECORRUPT;
        }
    if ((rc = b2b2c__dec_finish(&r)) != 0 || kl != 5 ||
        memcmp(k, "table", 5) != 0)
        return corrupt(ctx, B2B2C_ECORRUPT, T_ROUTES, k, kl);
    *out = t;
    return 0;
}

/* ---- loading ---------------------------------------------------------------- */

/* Insert a loaded object into its map, freeing it if that fails. */
static int load_put(b2b2c_segmenter *s, b2b2c__map *m, const char *key,
                    size_t kl, void *obj)
{
    int rc = b2b2c__map_put(m, key, kl, obj, NULL);
    if (rc) {
        b2b2c__free(s->ctx, obj);
        return b2b2c__err(s->ctx, rc, "out of memory");
    }
    return 0;
}

static int load_meta(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_segmenter *s = payload;
    return meta_decode(s->ctx, k, kl, v, vl, &s->version, s->params);
}

static int load_rule(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_segmenter *s = payload;
    seg_rule *rule;
    int rc = rule_decode(s->ctx, k, kl, v, vl, &rule);
    return rc ? rc : load_put(s, &s->rules, rule->id, kl, rule);
}

static int load_account(const void *k, size_t kl, const void *v, size_t vl,
                        void *payload)
{
    b2b2c_segmenter *s = payload;
    seg_account *a;
    int rc = account_decode(s->ctx, k, kl, v, vl, &a);
    return rc ? rc : load_put(s, &s->accounts, a->id, kl, a);
}

static int load_routes(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_segmenter *s = payload;
    return routes_decode(s->ctx, k, kl, v, vl, &s->routes);
}

/* The stored state, into a handle with empty maps. */
static void seg_init(b2b2c_segmenter *s, b2b2c_ctx *ctx)
{
    memset(s, 0, sizeof(*s));
    s->ctx = ctx;
    s->version = 1;
    b2b2c__param_defaults(SEG_PARAM_BASE, s->params);
    b2b2c__map_init(&s->rules, &ctx->mem);
    b2b2c__map_init(&s->accounts, &ctx->mem);
}

static int seg_load(void *p)
{
    b2b2c_segmenter *s = p;
    b2b2c_ctx *ctx = s->ctx;
    int rc;
    if ((rc = b2b2c__st_scan(ctx, T_META, load_meta, s)) != 0 ||
        (rc = b2b2c__seg_defaults_make(s->defaults, ctx, s->params)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_RULES, load_rule, s)) != 0 ||
        (rc = b2b2c__seg_order_make(&s->order, &s->norder, s,
                                    s->defaults)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_ASSIGN, load_account, s)) != 0)
        return rc;
    return b2b2c__st_scan(ctx, T_ROUTES, load_routes, s);
}

/* Free what a handle holds (not the handle). */
static void seg_clear(b2b2c_segmenter *s)
{
    size_t it = 0;
    void *v;
    while (b2b2c__map_next(&s->rules, &it, NULL, NULL, &v))
        b2b2c__free(s->ctx, v);
    it = 0;
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v))
        b2b2c__free(s->ctx, v);
    for (int i = 0; i < NDEFAULT; i++)
        b2b2c__free(s->ctx, s->defaults[i]);
    b2b2c__free(s->ctx, s->order);
    b2b2c__map_fini(&s->rules);
    b2b2c__map_fini(&s->accounts);
}

/* ---- other contexts' commits ------------------------------------------------ */

/* Replace (val) or drop (NULL) the object under `key` in map m, undoably;
 * fresh was decoded from val (NULL when val is NULL). */
static int map_replace(b2b2c_ctx *ctx, b2b2c__map *m, const void *key,
                       size_t klen, void *fresh, const char *fresh_key)
{
    void *old = b2b2c__map_get(m, key, klen);
    int rc;
    if (fresh && (rc = b2b2c__undo_free_on_fail(ctx, fresh)) != 0) {
        b2b2c__free(ctx, fresh);
        return rc;
    }
    if (old && ((rc = b2b2c__map_remove_undoable(ctx, m, key, klen)) != 0 ||
                (rc = b2b2c__undo_free_on_commit(ctx, old)) != 0))
        return rc;
    return fresh ? b2b2c__map_insert_undoable(ctx, m, fresh_key, klen, fresh)
                 : 0;
}

static int seg_refresh(void *h, const char *table, const void *key,
                       size_t klen, const void *val, size_t vlen)
{
    b2b2c_segmenter *s = h;
    b2b2c_ctx *ctx = s->ctx;
    int rc;

    if (strcmp(table, T_ASSIGN) == 0) {
        seg_account *a = NULL;
        if (val && (rc = account_decode(ctx, key, klen, val, vlen, &a)) != 0)
            return rc;
        return map_replace(ctx, &s->accounts, key, klen, a,
                           a ? a->id : NULL);
    }
    if (strcmp(table, T_RULES) == 0) {
        seg_rule *r = NULL;
        if (val && (rc = rule_decode(ctx, key, klen, val, vlen, &r)) != 0)
            return rc;
        s->order_dirty = 1; /* refresh_done rebuilds the order */
        return map_replace(ctx, &s->rules, key, klen, r, r ? r->id : NULL);
    }
    if (strcmp(table, T_META) == 0) {
        int64_t ver = 1;
        double p[SEG_NPARAM];
        b2b2c__param_defaults(SEG_PARAM_BASE, p);
        if (val && (rc = meta_decode(ctx, key, klen, val, vlen, &ver, p)))
            return rc;
        if (memcmp(p, s->params, sizeof(p)) != 0) {
            if ((rc = b2b2c__seg_defaults_swap(s, p)) != 0)
                return rc;
            s->order_dirty = 0; /* the swap rebuilt the order */
        }
        if ((rc = b2b2c__undo_save(ctx, &s->version, sizeof(s->version))))
            return rc;
        s->version = ver;
        return 0;
    }
    if (strcmp(table, T_ROUTES) == 0) {
        seg_routes t;
        memset(&t, 0, sizeof(t));
        if (val && (rc = routes_decode(ctx, key, klen, val, vlen, &t)) != 0)
            return rc;
        if ((rc = b2b2c__undo_save(ctx, &s->routes, sizeof(s->routes))))
            return rc;
        s->routes = t;
        return 0;
    }
    return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, table, key, klen,
                              "not a table of the segmenter");
}

/* The evaluation order depends on every rule: rebuilt once per sync. */
static int seg_refresh_done(void *h)
{
    b2b2c_segmenter *s = h;
    seg_rule **o;
    size_t no;
    int rc;
    if (!s->order_dirty)
        return 0;
    if ((rc = b2b2c__seg_order_make(&o, &no, s, s->defaults)) != 0 ||
        (rc = b2b2c__seg_order_swap(s, o, no)) != 0)
        return rc;
    s->order_dirty = 0;
    return 0;
}

/* Rebuild aside and swap; the explanation of this handle's last
 * classification (not stored) is kept. */
static int seg_reload(void *h)
{
    b2b2c_segmenter *s = h, fresh;
    int rc;
    seg_init(&fresh, s->ctx);
    if ((rc = seg_load(&fresh)) != 0) {
        seg_clear(&fresh);
        return rc;
    }
    seg_clear(s);
    fresh.last_missing = s->last_missing;
    memcpy(fresh.last_rule, s->last_rule, sizeof(fresh.last_rule));
    memcpy(fresh.last_reason, s->last_reason, sizeof(fresh.last_reason));
    *s = fresh;
    return 0;
}

static const b2b2c__engine_ops seg_ops = {
    .prefix = "segment", .load = seg_load, .refresh = seg_refresh,
    .refresh_done = seg_refresh_done, .reload = seg_reload,
    .erase = b2b2c__seg_erase_op};

/* ---- open and free ------------------------------------------------------------ */

void b2b2c_segmenter_free(b2b2c_segmenter *s)
{
    if (!s)
        return;
    b2b2c__handle_closing(s->ctx, s);
    seg_clear(s);
    b2b2c__free(s->ctx, s);
}

int b2b2c_segmenter_new(b2b2c_segmenter **out, b2b2c_ctx *ctx)
{
    b2b2c_segmenter *s;
    int rc;

    if (!out || !ctx) {
        if (out)
            *out = NULL;
        return ctx ? b2b2c__err(ctx, B2B2C_EINVAL, "out: NULL")
                   : B2B2C_EINVAL;
    }
    *out = NULL;
    b2b2c__err_clear(ctx);
    s = b2b2c__malloc(ctx, sizeof(*s));
    if (!s)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    seg_init(s, ctx);
    b2b2c__handle_opened(ctx); /* the failure path frees through _free */
    rc = b2b2c__engine_open(ctx, &seg_ops, s);
    if (rc) {
        b2b2c_segmenter_free(s);
        return rc;
    }
    *out = s;
    return 0;
}
/* ---- digest (tests) --------------------------------------------------------- */

uint64_t b2b2c__seg_digest(const b2b2c_segmenter *s)
{
    uint64_t d = (uint64_t)s->version, acc = 0;
    size_t it = 0;
    void *v;

    d = b2b2c__mix64(d, b2b2c__hash(s->params, sizeof(s->params)));
    d = b2b2c__mix64(d, b2b2c__hash(&s->routes, sizeof(s->routes)));
    d = b2b2c__mix64(d, s->norder);
    for (size_t i = 0; i < s->norder; i++) {
        const seg_rule *r = s->order[i];
        d = b2b2c__mix64(d, b2b2c__hash(r->id, r->idlen));
        d = b2b2c__mix64(d, b2b2c__hash(r->expr, strlen(r->expr)));
        d = b2b2c__mix64(d, (uint64_t)(r->priority * 8 + r->segment));
    }
    d = b2b2c__mix64(d, s->rules.count);
    d = b2b2c__mix64(d, s->accounts.count);
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v)) {
        const seg_account *a = v;
        uint64_t h = b2b2c__hash(a->id, a->idlen);
        for (size_t i = 0; i < a->n; i++) {
            h = b2b2c__mix64(h, (uint64_t)a->h[i].time);
            h = b2b2c__mix64(h, (uint64_t)a->h[i].version);
            h = b2b2c__mix64(h, (uint64_t)a->h[i].segment);
            h = b2b2c__mix64(h, b2b2c__hash(a->names + a->h[i].rule_off,
                                   a->h[i].rule_len));
        }
        acc += h;
    }
    return b2b2c__mix64(d, acc);
}
