/*
 * The segmenter: one rule table (default rules built from parameters plus
 * host rules), classification with reasons and confidence, assignments with
 * history and migrations, and the routing table. Write-through as in
 * tests/harness/toy.h: validate, call_begin, undo entries before every
 * in-memory change, records through, call_end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "segment_internal.h"

#define T_META "segment_meta"
#define T_RULES "segment_rules"
#define T_ASSIGN "segment_assign"
#define T_ROUTES "segment_routes"

#define NSEG 6
#define NBAND 4
#define NDEFAULT 11
#define PRIO_MAX 1000000

/* ---- parameters ------------------------------------------------------- */

static const struct {
    const char *name;
    double min, max, def;
} param_info[SEG_NPARAM] = {
    {"B2B2C_SEG_LARGE_WHOLESALE_OUTLETS", 1, 1e9, 10},
    {"B2B2C_SEG_LARGE_WHOLESALE_VOLUME", 0, 1e15, 1e6},
    {"B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES", 1, 1e9, 250},
    {"B2B2C_SEG_LARGE_CUSTOMER_REVENUE", 0, 1e15, 5e7},
    {"B2B2C_SEG_LARGE_CUSTOMER_VOLUME", 0, 1e15, 2.5e5},
    {"B2B2C_SEG_LARGE_CUSTOMER_CONTRACT_MONTHS", 1, 1200, 24},
    {"B2B2C_SEG_OPEN_RULE_FACTOR", 0, 1, 0.5},
    {"B2B2C_SEG_CONFLICT_FACTOR", 0, 1, 0.5},
    {"B2B2C_SEG_DEALER_POLICY", 0, 1, 1},
};

/* ---- types ---------------------------------------------------------------- */

typedef struct seg_rule {
    int32_t priority, segment, is_default;
    uint32_t refs;
    int nnodes;
    size_t idlen;
    char *id;   /* inside this allocation */
    char *expr; /* inside this allocation */
    seg_node nodes[];
} seg_rule;

typedef struct seg_hist {
    int64_t time, version;
    double confidence;
    int32_t segment;
    uint32_t rule_off, rule_len; /* into the account's names area */
} seg_hist;

typedef struct seg_account {
    size_t idlen, n, nameslen;
    seg_hist *h;
    char *names;
    char *id;
    /* id, hist array and names follow in the same allocation */
} seg_account;

typedef struct seg_routes {
    uint8_t over[NSEG][NBAND], dest[NSEG][NBAND], kind[NSEG][NBAND];
} seg_routes;

struct b2b2c_segmenter {
    b2b2c_ctx *ctx;
    double params[SEG_NPARAM];
    int64_t version;
    seg_rule *defaults[NDEFAULT];
    b2b2c__map rules; /* host rules by id */
    seg_rule **order; /* evaluation order */
    size_t norder;
    b2b2c__map accounts;
    seg_routes routes;
    int busy; /* inside a callback of this segmenter */
    uint32_t last_missing;
    char last_rule[B2B2C__ID_MAX + 1];
    char last_reason[1024];
};

/* ---- default rules: data, built from the parameters ----------------------- */

/* "kind open": the organisation kind is unknown or "other", so the kind
 * does not decide and the quantitative rules do. */
#define KO "any(not(known(org_kind)), org_kind == other)"
#define DEALER_KINDS "org_kind in (independent_shop, online_retailer)"

static const struct {
    const char *id;
    int32_t priority, segment;
    const char *fmt; /* %s placeholders take params[p[0..3]] */
    int p[4];
} default_rules[NDEFAULT] = {
    {"default.consumer_kind", 1000, B2B2C_SEGMENT_B2C_CONSUMER,
     "org_kind == private_person", {-1, -1, -1, -1}},
    {"default.consumer_person", 990, B2B2C_SEGMENT_B2C_CONSUMER,
     "all(party_type == person, " KO ")", {-1, -1, -1, -1}},
    {"default.large_wholesale_kind", 900,
     B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE,
     "org_kind in (retail_chain, regional_distributor)", {-1, -1, -1, -1}},
    {"default.large_wholesale_outlets", 890,
     B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE,
     "all(any(" DEALER_KINDS ", " KO "), outlets >= %s)", {0, -1, -1, -1}},
    {"default.large_wholesale_volume", 880,
     B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE,
     "all(any(" DEALER_KINDS ", all(" KO ", reseller == 1)), "
     "purchase_volume >= %s)",
     {1, -1, -1, -1}},
    {"default.small_retail_kind", 800, B2B2C_SEGMENT_DEALER_SMALL_RETAIL,
     DEALER_KINDS, {-1, -1, -1, -1}},
    {"default.small_retail_reseller", 790, B2B2C_SEGMENT_DEALER_SMALL_RETAIL,
     "all(" KO ", reseller == 1)", {-1, -1, -1, -1}},
    {"default.large_customer_kind", 700, B2B2C_SEGMENT_B2B_LARGE,
     "org_kind in (plant, corporation, public_sector)", {-1, -1, -1, -1}},
    {"default.large_customer_size", 690, B2B2C_SEGMENT_B2B_LARGE,
     "all(any(org_kind in (workshop, small_company, contractor), "
     "all(" KO ", party_type == organisation)), "
     "any(employees >= %s, annual_revenue >= %s, "
     "purchase_volume >= %s, contract_months >= %s))",
     {2, 3, 4, 5}},
    {"default.small_pro_kind", 600, B2B2C_SEGMENT_B2B_SMALL_PRO,
     "org_kind in (workshop, small_company, contractor)", {-1, -1, -1, -1}},
    {"default.small_pro_organisation", 500, B2B2C_SEGMENT_B2B_SMALL_PRO,
     "all(" KO ", party_type == organisation)", {-1, -1, -1, -1}},
};

/* Build a rule object (one allocation). On a parse error the message is
 * set on ctx and a negative code returned. */
static int rule_make(seg_rule **out, b2b2c_ctx *ctx, const char *id,
                     size_t idlen, int32_t priority, int32_t segment,
                     const char *expr, int is_default)
{
    seg_node nodes[SEG_NODES_MAX];
    char err[200];
    uint32_t refs = 0;
    size_t elen = strlen(expr);
    int n;
    seg_rule *r;

    *out = NULL;
    err[0] = '\0';
    n = b2b2c__seg_expr_parse(nodes, &refs, expr, err, sizeof(err));
    if (n < 0)
        return b2b2c__err(ctx, n, "%s", err);
    r = b2b2c__malloc(ctx, sizeof(*r) + (size_t)n * sizeof(seg_node) + idlen +
                               1 + elen + 1);
    if (!r)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    r->priority = priority;
    r->segment = segment;
    r->is_default = is_default;
    r->refs = refs;
    r->nnodes = n;
    r->idlen = idlen;
    memcpy(r->nodes, nodes, (size_t)n * sizeof(seg_node));
    r->id = (char *)(r->nodes + n);
    memcpy(r->id, id, idlen);
    r->id[idlen] = '\0';
    r->expr = r->id + idlen + 1;
    memcpy(r->expr, expr, elen + 1);
    *out = r;
    return 0;
}

/* Build the NDEFAULT default rules from params into out[]. */
static int defaults_make(seg_rule **out, b2b2c_ctx *ctx, const double *params)
{
    char text[1024];
    int rc;

    for (int i = 0; i < NDEFAULT; i++)
        out[i] = NULL;
    for (int i = 0; i < NDEFAULT; i++) {
        const int *p = default_rules[i].p;
        char a[4][40];
        for (int k = 0; k < 4; k++) {
            /* %.17g reads back as the same double */
            snprintf(a[k], sizeof(a[k]), "%.17g", p[k] >= 0 ? params[p[k]] : 0);
            b2b2c__seg_num_c(a[k]);
        }
        snprintf(text, sizeof(text), default_rules[i].fmt, a[0], a[1], a[2],
                 a[3]);
        rc = rule_make(&out[i], ctx, default_rules[i].id,
                       strlen(default_rules[i].id), default_rules[i].priority,
                       default_rules[i].segment, text, 1);
        if (rc) {
            for (int k = 0; k < i; k++) {
                b2b2c__free(ctx, out[k]);
                out[k] = NULL;
            }
            return rc;
        }
    }
    return 0;
}

static int rule_cmp(const void *pa, const void *pb)
{
    const seg_rule *a = *(seg_rule *const *)pa, *b = *(seg_rule *const *)pb;
    size_t n;
    int c;
    if (a->priority != b->priority)
        return a->priority > b->priority ? -1 : 1;
    if (a->is_default != b->is_default)
        return a->is_default ? 1 : -1;
    n = a->idlen < b->idlen ? a->idlen : b->idlen;
    c = memcmp(a->id, b->id, n);
    if (c)
        return c;
    return a->idlen < b->idlen ? -1 : a->idlen > b->idlen;
}

/* A new evaluation order from defaults[] and the host rule map. */
static int order_make(seg_rule ***out, size_t *nout, b2b2c_segmenter *s,
                      seg_rule *const *defaults)
{
    size_t n = NDEFAULT + s->rules.count, k = 0, it = 0;
    seg_rule **o = b2b2c__malloc(s->ctx, n * sizeof(*o));
    void *v;

    if (!o)
        return b2b2c__err(s->ctx, B2B2C_ENOMEM, "out of memory");
    for (int i = 0; i < NDEFAULT; i++)
        o[k++] = defaults[i];
    while (b2b2c__map_next(&s->rules, &it, NULL, NULL, &v))
        o[k++] = v;
    qsort(o, n, sizeof(*o), rule_cmp);
    *out = o;
    *nout = n;
    return 0;
}

/* Replace the evaluation order (undoable). */
static int order_swap(b2b2c_segmenter *s, seg_rule **o, size_t n)
{
    b2b2c_ctx *ctx = s->ctx;
    int rc;
    if ((rc = b2b2c__undo_free_on_fail(ctx, o)) != 0) {
        b2b2c__free(ctx, o);
        return b2b2c__err(ctx, rc, "out of memory");
    }
    if ((rc = b2b2c__undo_free_on_commit(ctx, s->order)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &s->order, sizeof(s->order))) != 0 ||
        (rc = b2b2c__undo_save(ctx, &s->norder, sizeof(s->norder))) != 0)
        return b2b2c__err(ctx, rc, "out of memory");
    s->order = o;
    s->norder = n;
    return 0;
}

/* ---- records ------------------------------------------------------------- */

static int meta_write(b2b2c_segmenter *s)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &s->ctx->mem, 1);
    b2b2c__enc_i64(&w, s->version);
    b2b2c__enc_u32(&w, SEG_NPARAM);
    for (int i = 0; i < SEG_NPARAM; i++)
        b2b2c__enc_f64(&w, s->params[i]);
    return b2b2c__st_put_rec(s->ctx, T_META, "meta", 4, &w);
}

static int rule_write(b2b2c_segmenter *s, const seg_rule *r)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &s->ctx->mem, 1);
    b2b2c__enc_i64(&w, r->priority);
    b2b2c__enc_u32(&w, (uint32_t)r->segment);
    b2b2c__enc_str(&w, r->expr);
    return b2b2c__st_put_rec(s->ctx, T_RULES, r->id, r->idlen, &w);
}

static int routes_write(b2b2c_segmenter *s)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &s->ctx->mem, 1);
    for (int i = 0; i < NSEG; i++)
        for (int j = 0; j < NBAND; j++) {
            b2b2c__enc_u8(&w, s->routes.over[i][j]);
            b2b2c__enc_u8(&w, s->routes.dest[i][j]);
            b2b2c__enc_u8(&w, s->routes.kind[i][j]);
        }
    return b2b2c__st_put_rec(s->ctx, T_ROUTES, "table", 5, &w);
}

static int account_write(b2b2c_segmenter *s, const seg_account *a)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &s->ctx->mem, 1);
    b2b2c__enc_u32(&w, (uint32_t)a->n);
    for (size_t i = 0; i < a->n; i++) {
        const seg_hist *h = &a->h[i];
        b2b2c__enc_i64(&w, h->time);
        b2b2c__enc_i64(&w, h->version);
        b2b2c__enc_f64(&w, h->confidence);
        b2b2c__enc_u32(&w, (uint32_t)h->segment);
        b2b2c__enc_bytes(&w, a->names + h->rule_off, h->rule_len);
    }
    return b2b2c__st_put_rec(s->ctx, T_ASSIGN, a->id, a->idlen, &w);
}

/* An account block: `old`'s entries (if any) plus room for `extra` entries
 * and `extra_names` more name bytes. */
static seg_account *account_alloc(b2b2c_ctx *ctx, const char *id,
                                  size_t idlen, size_t n, size_t nameslen)
{
    size_t off_id = sizeof(seg_account);
    size_t off_h = (off_id + idlen + 1 + 7) & ~(size_t)7;
    size_t off_names = off_h + n * sizeof(seg_hist);
    seg_account *a = b2b2c__malloc(ctx, off_names + nameslen + 1);
    if (!a)
        return NULL;
    a->idlen = idlen;
    a->n = n;
    a->nameslen = nameslen;
    a->id = (char *)a + off_id;
    memcpy(a->id, id, idlen);
    a->id[idlen] = '\0';
    a->h = (seg_hist *)(void *)((char *)a + off_h);
    a->names = (char *)a + off_names;
    return a;
}

/* ---- loading ---------------------------------------------------------------- */

static int corrupt(b2b2c_ctx *ctx, int rc, const char *table, const void *k,
                   size_t kl)
{
    return b2b2c__err(ctx, rc, "table '%s' key '%.*s': %s", table, (int)kl,
                      (const char *)k, b2b2c_strerror(rc));
}

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
    b2b2c__rbuf r;
    uint32_t n;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    double p[SEG_NPARAM];

    if (rc)
        return corrupt(s->ctx, rc, T_META, k, kl);
    if (kl != 4 || memcmp(k, "meta", 4) != 0)
        return corrupt(s->ctx, B2B2C_ECORRUPT, T_META, k, kl);
    s->version = b2b2c__dec_i64(&r);
    n = b2b2c__dec_u32(&r);
    if (n > SEG_NPARAM)
        return corrupt(s->ctx, B2B2C_ECORRUPT, T_META, k, kl);
    memcpy(p, s->params, sizeof(p));
    for (uint32_t i = 0; i < n; i++) {
        p[i] = b2b2c__dec_f64(&r);
        if (!(p[i] >= param_info[i].min && p[i] <= param_info[i].max))
            return corrupt(s->ctx, B2B2C_ECORRUPT, T_META, k, kl);
    }
    if ((rc = b2b2c__dec_finish(&r)) != 0 || s->version < 1)
        return corrupt(s->ctx, rc ? rc : B2B2C_ECORRUPT, T_META, k, kl);
    memcpy(s->params, p, sizeof(p));
    return 0;
}

static int load_rule(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_segmenter *s = payload;
    b2b2c__rbuf r;
    int64_t prio;
    uint32_t seg;
    const void *e;
    size_t el;
    char text[SEG_EXPR_MAX + 1];
    seg_rule *rule;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return corrupt(s->ctx, rc, T_RULES, k, kl);
    prio = b2b2c__dec_i64(&r);
    seg = b2b2c__dec_u32(&r);
    e = b2b2c__dec_bytes(&r, &el);
    if ((rc = b2b2c__dec_finish(&r)) != 0 || prio < -PRIO_MAX ||
        prio > PRIO_MAX || !b2b2c_segment_name((int32_t)seg) ||
        el > SEG_EXPR_MAX || b2b2c__utf8_valid(k, kl) || kl == 0 ||
        kl > B2B2C__ID_MAX)
        return corrupt(s->ctx, rc ? rc : B2B2C_ECORRUPT, T_RULES, k, kl);
    memcpy(text, e, el);
    text[el] = '\0';
    if (strlen(text) != el)
        return corrupt(s->ctx, B2B2C_ECORRUPT, T_RULES, k, kl);
    rc = rule_make(&rule, s->ctx, k, kl, (int32_t)prio, (int32_t)seg, text, 0);
    if (rc == B2B2C_ENOMEM)
        return rc;
    if (rc)
        return corrupt(s->ctx, B2B2C_ECORRUPT, T_RULES, k, kl);
    return load_put(s, &s->rules, rule->id, kl, rule);
}

static int load_account(const void *k, size_t kl, const void *v, size_t vl,
                        void *payload)
{
    b2b2c_segmenter *s = payload;
    b2b2c__rbuf r;
    uint32_t n;
    size_t names = 0;
    seg_account *a;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return corrupt(s->ctx, rc, T_ASSIGN, k, kl);
    if (b2b2c__utf8_valid(k, kl) || kl == 0 || kl > B2B2C__ID_MAX)
        return corrupt(s->ctx, B2B2C_ECORRUPT, T_ASSIGN, k, kl);
    n = b2b2c__dec_u32(&r);
    /* each entry takes at least 32 bytes: a count beyond that is corrupt */
    if (n == 0 || (size_t)n > vl / 32)
        return corrupt(s->ctx, B2B2C_ECORRUPT, T_ASSIGN, k, kl);
    a = account_alloc(s->ctx, k, kl, n, vl);
    if (!a)
        return b2b2c__err(s->ctx, B2B2C_ENOMEM, "out of memory");
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
            b2b2c__free(s->ctx, a);
            return corrupt(s->ctx, B2B2C_ECORRUPT, T_ASSIGN, k, kl);
        }
        memcpy(a->names + names, p, pl);
        h->rule_off = (uint32_t)names;
        h->rule_len = (uint32_t)pl;
        names += pl;
    }
    if ((rc = b2b2c__dec_finish(&r)) != 0) {
        b2b2c__free(s->ctx, a);
        return corrupt(s->ctx, rc, T_ASSIGN, k, kl);
    }
    a->nameslen = names;
    return load_put(s, &s->accounts, a->id, kl, a);
}

static int load_routes(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_segmenter *s = payload;
    b2b2c__rbuf r;
    seg_routes t;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);

    if (rc)
        return corrupt(s->ctx, rc, T_ROUTES, k, kl);
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
        return corrupt(s->ctx, B2B2C_ECORRUPT, T_ROUTES, k, kl);
    s->routes = t;
    return 0;
}

void b2b2c_segmenter_free(b2b2c_segmenter *s)
{
    size_t it = 0;
    void *v;
    if (!s)
        return;
    b2b2c__handle_closing(s->ctx);
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
    memset(s, 0, sizeof(*s));
    s->ctx = ctx;
    s->version = 1;
    for (int i = 0; i < SEG_NPARAM; i++)
        s->params[i] = param_info[i].def;
    b2b2c__map_init(&s->rules, &ctx->mem);
    b2b2c__map_init(&s->accounts, &ctx->mem);
    if ((rc = b2b2c__st_scan(ctx, T_META, load_meta, s)) != 0 ||
        (rc = defaults_make(s->defaults, ctx, s->params)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_RULES, load_rule, s)) != 0 ||
        (rc = order_make(&s->order, &s->norder, s, s->defaults)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_ASSIGN, load_account, s)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_ROUTES, load_routes, s)) != 0) {
        b2b2c_segmenter_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* ---- parameters ----------------------------------------------------------- */

int b2b2c_segmenter_param_bounds(double *min, double *max, double *def,
                                 int32_t param)
{
    int i = param - SEG_PARAM_BASE;
    if (i < 0 || i >= SEG_NPARAM)
        return B2B2C_EINVAL;
    if (min)
        *min = param_info[i].min;
    if (max)
        *max = param_info[i].max;
    if (def)
        *def = param_info[i].def;
    return 0;
}

int b2b2c_segmenter_get_param(double *value, const b2b2c_segmenter *s,
                              int32_t param)
{
    int i = param - SEG_PARAM_BASE;
    if (!value || !s)
        return B2B2C_EINVAL;
    if (i < 0 || i >= SEG_NPARAM)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "param: unknown parameter %d",
                          (int)param);
    *value = s->params[i];
    return 0;
}

static int default_route(int seg, int band, int policy, int *kind);

static int bump_version(b2b2c_segmenter *s)
{
    int rc = b2b2c__undo_save(s->ctx, &s->version, sizeof(s->version));
    if (rc)
        return b2b2c__err(s->ctx, rc, "out of memory");
    s->version++;
    return meta_write(s);
}

int b2b2c_segmenter_set_param(b2b2c_segmenter *s, int32_t param, double value)
{
    b2b2c_ctx *ctx;
    int i = param - SEG_PARAM_BASE, rc;
    double p[SEG_NPARAM];
    seg_rule *nd[NDEFAULT];
    seg_rule **o = NULL;
    size_t no;

    if (!s)
        return B2B2C_EINVAL;
    ctx = s->ctx;
    b2b2c__err_clear(ctx);
    if (i < 0 || i >= SEG_NPARAM)
        return b2b2c__err(ctx, B2B2C_EINVAL, "param: unknown parameter %d",
                          (int)param);
    if (!isfinite(value))
        return b2b2c__err(ctx, B2B2C_EINVAL, "value: %s must be finite",
                          param_info[i].name);
    if (value < param_info[i].min || value > param_info[i].max)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "value: %s must be in [%g, %g], got %g",
                          param_info[i].name, param_info[i].min,
                          param_info[i].max, value);
    if (param == B2B2C_SEG_DEALER_POLICY && value != 0 && value != 1)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "value: B2B2C_SEG_DEALER_POLICY must be 0 or 1");
    if (s->busy)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "set_param from inside a segmenter callback");
    if (param == B2B2C_SEG_DEALER_POLICY && value == 1) {
        for (int j = 0; j < NBAND; j++)
            if (s->routes.over[B2B2C_SEGMENT_B2C_CONSUMER][j] &&
                s->routes.dest[B2B2C_SEGMENT_B2C_CONSUMER][j] ==
                    B2B2C_SEG_DEST_DIRECT_SALES)
                return b2b2c__err(ctx, B2B2C_ESTATE,
                                  "value: the dealer policy cannot be on "
                                  "while the route of b2c_consumer/%s goes "
                                  "to direct_sales",
                                  b2b2c_band_name(j));
    }
    if (s->params[i] == value)
        return 0;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    memcpy(p, s->params, sizeof(p));
    p[i] = value;
    if ((rc = defaults_make(nd, ctx, p)) != 0)
        goto out;
    for (int k = 0; k < NDEFAULT; k++) {
        if ((rc = b2b2c__undo_free_on_fail(ctx, nd[k])) != 0) {
            for (int j = k; j < NDEFAULT; j++)
                b2b2c__free(ctx, nd[j]);
            rc = b2b2c__err(ctx, rc, "out of memory");
            goto out;
        }
    }
    if ((rc = order_make(&o, &no, s, nd)) != 0)
        goto out;
    if ((rc = order_swap(s, o, no)) != 0)
        goto out;
    for (int k = 0; k < NDEFAULT; k++)
        if ((rc = b2b2c__undo_free_on_commit(ctx, s->defaults[k])) != 0) {
            rc = b2b2c__err(ctx, rc, "out of memory");
            goto out;
        }
    if ((rc = b2b2c__undo_save(ctx, s->defaults, sizeof(s->defaults))) != 0 ||
        (rc = b2b2c__undo_save(ctx, s->params, sizeof(s->params))) != 0) {
        rc = b2b2c__err(ctx, rc, "out of memory");
        goto out;
    }
    memcpy(s->defaults, nd, sizeof(nd));
    s->params[i] = value;
    rc = bump_version(s);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_segmenter_version(int64_t *version, const b2b2c_segmenter *s)
{
    if (!version || !s)
        return B2B2C_EINVAL;
    *version = s->version;
    return 0;
}

/* ---- host rules ----------------------------------------------------------- */

int b2b2c_segmenter_rule_add(b2b2c_segmenter *s, const char *rule_id,
                             int32_t priority, int32_t segment,
                             const char *expr)
{
    b2b2c_ctx *ctx;
    size_t n;
    seg_rule *r = NULL, **o = NULL;
    size_t no;
    int rc;

    if (!s)
        return B2B2C_EINVAL;
    ctx = s->ctx;
    b2b2c__err_clear(ctx);
    if (!rule_id)
        return b2b2c__err(ctx, B2B2C_EINVAL, "rule_id: NULL");
    if (!expr)
        return b2b2c__err(ctx, B2B2C_EINVAL, "expr: NULL");
    if (b2b2c__id_check(rule_id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "rule_id: not a valid ID");
    if (n >= 8 && memcmp(rule_id, "default.", 8) == 0)
        return b2b2c__err(ctx, B2B2C_EEXISTS,
                          "rule_id: names starting with 'default.' belong "
                          "to the default rules");
    if (priority < -PRIO_MAX || priority > PRIO_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "priority: must be in [-1000000, 1000000]");
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if (strlen(expr) > SEG_EXPR_MAX)
        return b2b2c__err(ctx, B2B2C_EINVAL, "expr: longer than %d bytes",
                          SEG_EXPR_MAX);
    if (b2b2c__map_get(&s->rules, rule_id, n))
        return b2b2c__err(ctx, B2B2C_EEXISTS, "rule_id: '%s' exists",
                          rule_id);
    if (s->busy)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "rule_add from inside a segmenter callback");
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = rule_make(&r, ctx, rule_id, n, priority, segment, expr, 0)))
        goto out;
    if ((rc = b2b2c__undo_free_on_fail(ctx, r)) != 0) {
        b2b2c__free(ctx, r);
        rc = b2b2c__err(ctx, rc, "out of memory");
        goto out;
    }
    if ((rc = b2b2c__map_insert_undoable(ctx, &s->rules, r->id, n, r))) {
        rc = b2b2c__err(ctx, rc, "out of memory");
        goto out;
    }
    if ((rc = order_make(&o, &no, s, s->defaults)) != 0 ||
        (rc = order_swap(s, o, no)) != 0 || (rc = rule_write(s, r)) != 0)
        goto out;
    rc = bump_version(s);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_segmenter_rule_remove(b2b2c_segmenter *s, const char *rule_id)
{
    b2b2c_ctx *ctx;
    size_t n, no;
    seg_rule *r, **o = NULL;
    int rc;

    if (!s)
        return B2B2C_EINVAL;
    ctx = s->ctx;
    b2b2c__err_clear(ctx);
    if (!rule_id)
        return b2b2c__err(ctx, B2B2C_EINVAL, "rule_id: NULL");
    if (b2b2c__id_check(rule_id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "rule_id: not a valid ID");
    r = b2b2c__map_get(&s->rules, rule_id, n);
    if (!r)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                          "rule_id: no host rule '%s'", rule_id);
    if (s->busy)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "rule_remove from inside a segmenter callback");
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = b2b2c__map_remove_undoable(ctx, &s->rules, rule_id, n)) != 0 ||
        (rc = b2b2c__undo_free_on_commit(ctx, r)) != 0) {
        rc = b2b2c__err(ctx, rc, "out of memory");
        goto out;
    }
    if ((rc = order_make(&o, &no, s, s->defaults)) != 0 ||
        (rc = order_swap(s, o, no)) != 0 ||
        (rc = b2b2c__st_del(ctx, T_RULES, rule_id, n)) != 0)
        goto out;
    rc = bump_version(s);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_segmenter_rules(b2b2c_segmenter *s, b2b2c_seg_rule_cb cb,
                          void *payload)
{
    int rc = 0;
    if (!s || !cb)
        return B2B2C_EINVAL;
    s->busy++;
    for (size_t i = 0; i < s->norder && rc == 0; i++) {
        const seg_rule *r = s->order[i];
        rc = cb(r->id, r->priority, r->segment, r->expr, r->is_default,
                payload);
    }
    s->busy--;
    return rc;
}

/* ---- classification ------------------------------------------------------- */

typedef struct seg_verdict {
    int32_t segment;
    double confidence;
    const seg_rule *rule;
    uint32_t missing;
    uint32_t conflicts; /* groups of lower rules that hold */
} seg_verdict;

static double factor_pow(double f, uint32_t mask)
{
    double c = 1.0;
    for (; mask; mask &= mask - 1)
        c *= f;
    return c;
}

/* The rule table in order: the first rule that holds decides. Each other
 * segment that a rule above it could still give (the rule is unknown: a
 * missing attribute could make it hold) lowers the confidence by the open
 * rule factor; each other group that a rule below it gives (it holds too:
 * conflicting attributes) lowers it by the conflict factor. Rules below in
 * the same group are refinements (a workshop that grew large), not
 * conflicts. */
static void classify_core(seg_verdict *vd, const b2b2c_segmenter *s,
                          const double *v, uint32_t present)
{
    uint32_t open_seg = 0, open_missing[NSEG] = {0}, conflict = 0;
    const seg_rule *win = NULL;
    int32_t t;

    for (size_t i = 0; i < s->norder; i++) {
        const seg_rule *r = s->order[i];
        uint32_t why = 0;
        int k = b2b2c__seg_expr_eval_why(r->nodes, v, present, &why);
        if (!win) {
            if (k == SEG_T)
                win = r;
            else if (k == SEG_U) {
                open_seg |= 1u << r->segment;
                open_missing[r->segment] |= why;
            }
        } else if (k == SEG_T) {
            conflict |= 1u << b2b2c_segment_group(r->segment);
        }
    }
    vd->rule = win;
    vd->missing = 0;
    if (!win) {
        vd->segment = B2B2C_SEGMENT_UNKNOWN;
        vd->confidence = 0;
        vd->conflicts = 0;
        for (int j = 0; j < NSEG; j++)
            vd->missing |= open_missing[j];
        return;
    }
    t = win->segment;
    open_seg &= ~(1u << t);
    conflict &= ~(1u << b2b2c_segment_group(t));
    for (int j = 0; j < NSEG; j++)
        if (open_seg & (1u << j))
            vd->missing |= open_missing[j];
    vd->segment = t;
    vd->conflicts = conflict;
    vd->confidence =
        factor_pow(s->params[B2B2C_SEG_OPEN_RULE_FACTOR - SEG_PARAM_BASE],
                   open_seg) *
        factor_pow(s->params[B2B2C_SEG_CONFLICT_FACTOR - SEG_PARAM_BASE],
                   conflict);
    if (t == B2B2C_SEGMENT_UNKNOWN)
        vd->confidence = 0;
}

static void fmt_value(char *buf, size_t cap, int attr, double x)
{
    const char *name = NULL;
    if (attr == B2B2C_SEG_ATTR_PARTY_TYPE)
        name = b2b2c_party_type_name((int32_t)x);
    else if (attr == B2B2C_SEG_ATTR_ORG_KIND)
        name = b2b2c_org_kind_name((int32_t)x);
    if (name)
        snprintf(buf, cap, "%s", name);
    else {
        snprintf(buf, cap, "%.15g", x);
        b2b2c__seg_num_c(buf);
    }
}

static void appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    B2B2C__PRINTF(4, 5);
static void appendf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (*len >= cap)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

static void explain(b2b2c_segmenter *s, const seg_verdict *vd,
                    const double *v, uint32_t present)
{
    char *b = s->last_reason, val[64];
    size_t cap = sizeof(s->last_reason), len = 0;
    int first = 1;

    b[0] = '\0';
    s->last_missing = vd->missing;
    if (vd->rule) {
        const seg_rule *r = vd->rule;
        memcpy(s->last_rule, r->id, r->idlen + 1);
        appendf(b, cap, &len, "%s -> %s:", r->id,
                b2b2c_segment_name(r->segment));
        for (int a = 1; a <= SEG_NATTR; a++) {
            if (!(r->refs & SEG_BIT(a)))
                continue;
            if (present & SEG_BIT(a)) {
                fmt_value(val, sizeof(val), a, v[a - 1]);
                appendf(b, cap, &len, "%s %s=%s", first ? "" : ",",
                        b2b2c_seg_attr_name(a), val);
            } else {
                appendf(b, cap, &len, "%s %s missing", first ? "" : ",",
                        b2b2c_seg_attr_name(a));
            }
            first = 0;
        }
        if (first)
            appendf(b, cap, &len, " always");
        if (vd->conflicts) {
            first = 1;
            appendf(b, cap, &len, "; conflicts:");
            for (size_t i = 0; i < s->norder; i++) {
                const seg_rule *c = s->order[i];
                int32_t g = b2b2c_segment_group(c->segment);
                if (c == r || g == b2b2c_segment_group(r->segment) ||
                    !(vd->conflicts & (1u << g)) ||
                    b2b2c__seg_expr_eval(c->nodes, v, present) != SEG_T ||
                    rule_cmp(&c, &r) < 0)
                    continue;
                appendf(b, cap, &len, "%s %s -> %s", first ? "" : ",",
                        c->id, b2b2c_segment_name(c->segment));
                for (int a = 1; a <= SEG_NATTR; a++)
                    if ((c->refs & present & SEG_BIT(a)) &&
                        !(r->refs & SEG_BIT(a))) {
                        fmt_value(val, sizeof(val), a, v[a - 1]);
                        appendf(b, cap, &len, " (%s=%s)",
                                b2b2c_seg_attr_name(a), val);
                    }
                first = 0;
            }
        }
    } else {
        s->last_rule[0] = '\0';
        appendf(b, cap, &len, "no rule holds");
    }
    if (vd->missing) {
        first = 1;
        appendf(b, cap, &len, "; would settle it:");
        for (int a = 1; a <= SEG_NATTR; a++)
            if (vd->missing & SEG_BIT(a)) {
                appendf(b, cap, &len, "%s %s", first ? "" : ",",
                        b2b2c_seg_attr_name(a));
                first = 0;
            }
    }
}

int b2b2c_segmenter_classify(int32_t *segment, double *confidence,
                             b2b2c_segmenter *s, const b2b2c_attrs *attrs)
{
    seg_verdict vd;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!segment)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "segment: NULL");
    if (!attrs)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "attrs: NULL");
    classify_core(&vd, s, attrs->v, attrs->present);
    explain(s, &vd, attrs->v, attrs->present);
    *segment = vd.segment;
    if (confidence)
        *confidence = vd.confidence;
    return 0;
}

const char *b2b2c_segmenter_last_rule(const b2b2c_segmenter *s)
{
    return s ? s->last_rule : "";
}
const char *b2b2c_segmenter_last_reason(const b2b2c_segmenter *s)
{
    return s ? s->last_reason : "";
}
uint32_t b2b2c_segmenter_last_missing(const b2b2c_segmenter *s)
{
    return s ? s->last_missing : 0;
}

static inline int lowest_bit(uint32_t m)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctz(m);
#else
    int i = 0;
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

/* Fast validity test of a present value; the slow path gives the reason. */
static inline int value_ok(int a, double x)
{
    switch (a) {
    case B2B2C_SEG_ATTR_PARTY_TYPE:
        return x == 1.0 || x == 2.0;
    case B2B2C_SEG_ATTR_RESELLER:
        return x == 0.0 || x == 1.0;
    case B2B2C_SEG_ATTR_ORG_KIND:
        return x >= 1.0 && x <= 12.0 && x == (double)(int)x;
    case B2B2C_SEG_ATTR_EMPLOYEES:
    case B2B2C_SEG_ATTR_OUTLETS:
        return x >= 0.0 && x <= 9007199254740992.0 &&
               x == (double)(int64_t)x;
    default:
        return x >= 0.0 && x <= 1.79769313486231570815e308;
    }
}

int b2b2c_segmenter_classify_batch(int32_t *segments, double *confidences,
                                   b2b2c_segmenter *s, size_t n,
                                   const double *values,
                                   const uint32_t *present)
{
    int fast;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (n == 0)
        return 0;
    if (!segments || !values || !present)
        return b2b2c__err(s->ctx, B2B2C_EINVAL,
                          "%s: NULL",
                          !segments ? "segments"
                                    : !values ? "values" : "present");
    fast = s->rules.count == 0;
    for (size_t i = 0; i < n; i++) {
        const double *v = values + i * SEG_NATTR;
        uint32_t pr = present[i];
        if (B2B2C__UNLIKELY(pr & ~SEG_ALL_ATTRS))
            return b2b2c__err(s->ctx, B2B2C_EINVAL,
                              "present: row %zu has bits for unknown "
                              "attributes (0x%x)",
                              i, (unsigned)pr);
        for (uint32_t m = pr; m; m &= m - 1) {
            int a = lowest_bit(m) + 1;
            if (B2B2C__UNLIKELY(!value_ok(a, v[a - 1]))) {
                const char *why = "invalid";
                int rc = b2b2c__seg_attr_check(a, v[a - 1], &why);
                return b2b2c__err(s->ctx, rc ? rc : B2B2C_EINVAL,
                                  "values: row %zu: %s %s", i,
                                  b2b2c_seg_attr_name(a), why);
            }
        }
        if (fast) {
            double c;
            segments[i] = b2b2c__seg_fast_classify(s->params, v, pr, &c);
            if (confidences)
                confidences[i] = c;
        } else {
            seg_verdict vd;
            classify_core(&vd, s, v, pr);
            segments[i] = vd.segment;
            if (confidences)
                confidences[i] = vd.confidence;
        }
    }
    return 0;
}

int b2b2c_segmenter_classify_sets(int32_t *segments, double *confidences,
                                  b2b2c_segmenter *s, size_t n,
                                  const b2b2c_attrs *const *sets)
{
    int fast;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (n == 0)
        return 0;
    if (!segments || !sets)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "%s: NULL",
                          !segments ? "segments" : "sets");
    fast = s->rules.count == 0;
    for (size_t i = 0; i < n; i++) {
        const b2b2c_attrs *a = sets[i];
        double c;
        if (!a)
            return b2b2c__err(s->ctx, B2B2C_EINVAL, "sets: element %zu is NULL",
                              i);
        /* the setters validated the values */
        if (fast) {
            segments[i] = b2b2c__seg_fast_classify(s->params, a->v, a->present,
                                                   &c);
        } else {
            seg_verdict vd;
            classify_core(&vd, s, a->v, a->present);
            segments[i] = vd.segment;
            c = vd.confidence;
        }
        if (confidences)
            confidences[i] = c;
    }
    return 0;
}

/* ---- assignments ---------------------------------------------------------- */

static int assign_entry(b2b2c_segmenter *s, const char *account_id,
                        int32_t segment, double confidence, const char *rule,
                        int64_t now)
{
    b2b2c_ctx *ctx = s->ctx;
    size_t n, rl = strlen(rule);
    seg_account *old, *a;
    seg_hist *h;
    int rc;

    if (b2b2c__id_check(account_id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "account_id: not a valid ID");
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    if (s->busy)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "assign from inside a segmenter callback");
    old = b2b2c__map_get(&s->accounts, account_id, n);
    if (old) {
        const seg_hist *last = &old->h[old->n - 1];
        if ((rc = b2b2c__check_not_before(ctx, now, "now", last->time,
                                          "the last assignment of account",
                                          account_id)) != 0)
            return rc;
        if (last->segment == segment && last->version == s->version)
            return 0;
    }
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    a = account_alloc(ctx, account_id, n, old ? old->n + 1 : 1,
                      (old ? old->nameslen : 0) + rl);
    if (!a) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, a)) != 0) {
        b2b2c__free(ctx, a);
        rc = b2b2c__err(ctx, rc, "out of memory");
        goto out;
    }
    if (old) {
        memcpy(a->h, old->h, old->n * sizeof(seg_hist));
        memcpy(a->names, old->names, old->nameslen);
        if ((rc = b2b2c__undo_free_on_commit(ctx, old)) != 0 ||
            (rc = b2b2c__map_remove_undoable(ctx, &s->accounts, account_id,
                                             n)) != 0) {
            rc = b2b2c__err(ctx, rc, "out of memory");
            goto out;
        }
    }
    h = &a->h[a->n - 1];
    h->time = now;
    h->version = s->version;
    h->confidence = confidence;
    h->segment = segment;
    h->rule_off = (uint32_t)(a->nameslen - rl);
    h->rule_len = (uint32_t)rl;
    memcpy(a->names + h->rule_off, rule, rl);
    if ((rc = b2b2c__map_insert_undoable(ctx, &s->accounts, a->id, n, a))) {
        rc = b2b2c__err(ctx, rc, "out of memory");
        goto out;
    }
    rc = account_write(s, a);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_segmenter_assign(int32_t *segment, b2b2c_segmenter *s,
                           const char *account_id, const b2b2c_attrs *attrs,
                           int64_t now)
{
    seg_verdict vd;
    int rc;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!account_id)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "account_id: NULL");
    if (!attrs)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "attrs: NULL");
    classify_core(&vd, s, attrs->v, attrs->present);
    rc = assign_entry(s, account_id, vd.segment, vd.confidence,
                      vd.rule ? vd.rule->id : "none", now);
    if (rc == 0) {
        explain(s, &vd, attrs->v, attrs->present);
        if (segment)
            *segment = vd.segment;
    }
    return rc;
}

int b2b2c_segmenter_assign_segment(b2b2c_segmenter *s,
                                   const char *account_id, int32_t segment,
                                   int64_t now)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!account_id)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "account_id: NULL");
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    return assign_entry(s, account_id, segment, 1.0, "manual", now);
}

static const seg_account *account_find(const b2b2c_segmenter *s,
                                       const char *account_id, int *rc)
{
    size_t n;
    const seg_account *a;
    if (!account_id) {
        *rc = b2b2c__err(s->ctx, B2B2C_EINVAL, "account_id: NULL");
        return NULL;
    }
    if (b2b2c__id_check(account_id, &n)) {
        *rc = b2b2c__err(s->ctx, B2B2C_EBADID, "account_id: not a valid ID");
        return NULL;
    }
    a = b2b2c__map_get(&s->accounts, account_id, n);
    if (!a)
        *rc = b2b2c__err(s->ctx, B2B2C_ENOTFOUND,
                         "account_id: '%s' has no assignment", account_id);
    return a;
}

int b2b2c_segmenter_assignment(int32_t *segment, int64_t *since,
                               int64_t *version, const b2b2c_segmenter *s,
                               const char *account_id)
{
    const seg_account *a;
    const seg_hist *h;
    int rc = 0;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!(a = account_find(s, account_id, &rc)))
        return rc;
    h = &a->h[a->n - 1];
    if (segment)
        *segment = h->segment;
    if (since)
        *since = h->time;
    if (version)
        *version = h->version;
    return 0;
}

static int emit(b2b2c_segmenter *s, const seg_account *a, size_t i,
                b2b2c_seg_change_cb cb, void *payload)
{
    char rule[B2B2C__ID_MAX + 8];
    const seg_hist *h = &a->h[i];
    size_t rl = h->rule_len < sizeof(rule) - 1 ? h->rule_len
                                                : sizeof(rule) - 1;
    memcpy(rule, a->names + h->rule_off, rl);
    rule[rl] = '\0';
    (void)s;
    return cb(a->id, h->time, i ? a->h[i - 1].segment : B2B2C_SEGMENT_UNKNOWN,
              h->segment, h->version, rule, h->confidence, payload);
}

int b2b2c_segmenter_history(b2b2c_segmenter *s, const char *account_id,
                            b2b2c_seg_change_cb cb, void *payload)
{
    const seg_account *a;
    int rc = 0;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!cb)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "cb: NULL");
    if (!(a = account_find(s, account_id, &rc)))
        return rc;
    s->busy++;
    for (size_t i = 0; i < a->n && rc == 0; i++)
        rc = emit(s, a, i, cb, payload);
    s->busy--;
    return rc;
}

typedef struct mig_ref {
    const seg_account *a;
    size_t i;
} mig_ref;

static int mig_cmp(const void *pa, const void *pb)
{
    const mig_ref *x = pa, *y = pb;
    int64_t tx = x->a->h[x->i].time, ty = y->a->h[y->i].time;
    size_t n;
    int c;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    if (x->a != y->a) {
        n = x->a->idlen < y->a->idlen ? x->a->idlen : y->a->idlen;
        c = memcmp(x->a->id, y->a->id, n);
        if (c)
            return c;
        return x->a->idlen < y->a->idlen ? -1 : 1;
    }
    return x->i < y->i ? -1 : x->i > y->i;
}

int b2b2c_segmenter_migrations(b2b2c_segmenter *s, int64_t since,
                               b2b2c_seg_change_cb cb, void *payload)
{
    size_t it = 0, cnt = 0, k = 0;
    void *v;
    mig_ref *refs;
    int rc = 0;

    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!cb)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "cb: NULL");
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v)) {
        const seg_account *a = v;
        for (size_t i = 1; i < a->n; i++)
            if (a->h[i].time >= since && a->h[i].segment != a->h[i - 1].segment)
                cnt++;
    }
    if (cnt == 0)
        return 0;
    refs = b2b2c__malloc(s->ctx, cnt * sizeof(*refs));
    if (!refs)
        return b2b2c__err(s->ctx, B2B2C_ENOMEM, "out of memory");
    it = 0;
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v)) {
        const seg_account *a = v;
        for (size_t i = 1; i < a->n; i++)
            if (a->h[i].time >= since &&
                a->h[i].segment != a->h[i - 1].segment) {
                refs[k].a = a;
                refs[k].i = i;
                k++;
            }
    }
    qsort(refs, cnt, sizeof(*refs), mig_cmp);
    s->busy++;
    for (k = 0; k < cnt && rc == 0; k++)
        rc = emit(s, refs[k].a, refs[k].i, cb, payload);
    s->busy--;
    b2b2c__free(s->ctx, refs);
    return rc;
}

/* ---- routing -------------------------------------------------------------- */

/* The source's rules as a table (docs/segments.md): cold leads are nurtured;
 * warm and hot consumers and (under the dealer policy) small professionals
 * go to dealers; large B2B to direct sales; dealer prospects to partner
 * onboarding. Reach for broad consumer and cold B2B audiences, lead
 * generation for warm consumers, dealers and target B2B. */
static int default_route(int seg, int band, int policy, int *kind)
{
    int cold = band == B2B2C_BAND_UNKNOWN || band == B2B2C_BAND_COLD;
    int dealer_seg = seg == B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE ||
                     seg == B2B2C_SEGMENT_DEALER_SMALL_RETAIL;
    if (cold) {
        *kind = dealer_seg ? B2B2C_SEG_CHANNEL_LEAD_GENERATION
                           : B2B2C_SEG_CHANNEL_REACH;
        return B2B2C_SEG_DEST_NURTURE;
    }
    *kind = B2B2C_SEG_CHANNEL_LEAD_GENERATION;
    switch (seg) {
    case B2B2C_SEGMENT_B2C_CONSUMER:
    case B2B2C_SEGMENT_B2B_SMALL_PRO:
        return policy ? B2B2C_SEG_DEST_DEALER : B2B2C_SEG_DEST_DIRECT_SALES;
    case B2B2C_SEGMENT_B2B_LARGE:
        return B2B2C_SEG_DEST_DIRECT_SALES;
    case B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE:
    case B2B2C_SEGMENT_DEALER_SMALL_RETAIL:
        return B2B2C_SEG_DEST_PARTNER_ONBOARDING;
    default:
        return B2B2C_SEG_DEST_NURTURE;
    }
}

int b2b2c_segmenter_route(int32_t *dest, int32_t *channel_kind,
                          const b2b2c_segmenter *s, int32_t segment,
                          int32_t band)
{
    int kind, d;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!dest || !channel_kind)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "%s: NULL",
                          !dest ? "dest" : "channel_kind");
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if (!b2b2c_band_name(band))
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "band: unknown band %d",
                          (int)band);
    if (s->routes.over[segment][band]) {
        d = s->routes.dest[segment][band];
        kind = s->routes.kind[segment][band];
    } else {
        d = default_route(segment, band,
                          s->params[B2B2C_SEG_DEALER_POLICY - SEG_PARAM_BASE] !=
                              0,
                          &kind);
    }
    *dest = d;
    *channel_kind = kind;
    return 0;
}

static int route_change(b2b2c_segmenter *s, int32_t segment, int32_t band,
                        int over, int32_t dest, int32_t kind)
{
    b2b2c_ctx *ctx = s->ctx;
    int rc;
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_EINVAL, "segment: unknown segment %d",
                          (int)segment);
    if (!b2b2c_band_name(band))
        return b2b2c__err(ctx, B2B2C_EINVAL, "band: unknown band %d",
                          (int)band);
    if (over && (dest < 1 || dest > 4))
        return b2b2c__err(ctx, B2B2C_EINVAL, "dest: unknown destination %d",
                          (int)dest);
    if (over && (kind < 1 || kind > 2))
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "channel_kind: unknown channel kind %d", (int)kind);
    if (over && segment == B2B2C_SEGMENT_B2C_CONSUMER &&
        dest == B2B2C_SEG_DEST_DIRECT_SALES &&
        s->params[B2B2C_SEG_DEALER_POLICY - SEG_PARAM_BASE] != 0)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "dest: consumer leads never go to direct_sales "
                          "while the dealer policy is on");
    if (s->busy)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "route change from inside a segmenter callback");
    if (!over && !s->routes.over[segment][band])
        return 0;
    if (over && s->routes.over[segment][band] &&
        s->routes.dest[segment][band] == dest &&
        s->routes.kind[segment][band] == kind)
        return 0;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(ctx, &s->routes, sizeof(s->routes))) != 0) {
        rc = b2b2c__err(ctx, rc, "out of memory");
        goto out;
    }
    s->routes.over[segment][band] = (uint8_t)over;
    s->routes.dest[segment][band] = (uint8_t)(over ? dest : 0);
    s->routes.kind[segment][band] = (uint8_t)(over ? kind : 0);
    rc = routes_write(s);
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_segmenter_route_set(b2b2c_segmenter *s, int32_t segment,
                              int32_t band, int32_t dest,
                              int32_t channel_kind)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    return route_change(s, segment, band, 1, dest, channel_kind);
}

int b2b2c_segmenter_route_reset(b2b2c_segmenter *s, int32_t segment,
                                int32_t band)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    return route_change(s, segment, band, 0, 0, 0);
}

/* ---- digest (tests) --------------------------------------------------------- */

static uint64_t mix(uint64_t d, uint64_t x)
{
    d ^= x + 0x9e3779b97f4a7c15ull + (d << 6) + (d >> 2);
    return d;
}

uint64_t b2b2c__seg_digest(const b2b2c_segmenter *s)
{
    uint64_t d = (uint64_t)s->version, acc = 0;
    size_t it = 0;
    void *v;

    d = mix(d, b2b2c__hash(s->params, sizeof(s->params)));
    d = mix(d, b2b2c__hash(&s->routes, sizeof(s->routes)));
    d = mix(d, s->norder);
    for (size_t i = 0; i < s->norder; i++) {
        const seg_rule *r = s->order[i];
        d = mix(d, b2b2c__hash(r->id, r->idlen));
        d = mix(d, b2b2c__hash(r->expr, strlen(r->expr)));
        d = mix(d, (uint64_t)(r->priority * 8 + r->segment));
    }
    d = mix(d, s->rules.count);
    d = mix(d, s->accounts.count);
    while (b2b2c__map_next(&s->accounts, &it, NULL, NULL, &v)) {
        const seg_account *a = v;
        uint64_t h = b2b2c__hash(a->id, a->idlen);
        for (size_t i = 0; i < a->n; i++) {
            h = mix(h, (uint64_t)a->h[i].time);
            h = mix(h, (uint64_t)a->h[i].version);
            h = mix(h, (uint64_t)a->h[i].segment);
            h = mix(h, b2b2c__hash(a->names + a->h[i].rule_off,
                                   a->h[i].rule_len));
        }
        acc += h;
    }
    return mix(d, acc);
}
