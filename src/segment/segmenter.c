/* SPDX-License-Identifier: MIT */
/*
 * The segmenter: one rule table (default rules built from parameters plus
 * host rules). Classification (seg_classify.c), assignments (seg_assign.c),
 * routing (seg_route.c) and loading (seg_load.c) live next to it.
 * Write-through as in tests/harness/toy.h: validate, call_begin, undo
 * entries before every in-memory change, records through, call_end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "segment_internal.h"

/* ---- parameters ------------------------------------------------------- */


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
int b2b2c__seg_rule_make(seg_rule **out, b2b2c_ctx *ctx, const char *id,
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
int b2b2c__seg_defaults_make(seg_rule **out, b2b2c_ctx *ctx,
                             const double *params)
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
        rc = b2b2c__seg_rule_make(&out[i], ctx, default_rules[i].id,
                                  strlen(default_rules[i].id),
                                  default_rules[i].priority,
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

int b2b2c__seg_rule_cmp(const void *pa, const void *pb)
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
int b2b2c__seg_order_make(seg_rule ***out, size_t *nout, b2b2c_segmenter *s,
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
    qsort(o, n, sizeof(*o), b2b2c__seg_rule_cmp);
    *out = o;
    *nout = n;
    return 0;
}

/* Replace the evaluation order (undoable). */
int b2b2c__seg_order_swap(b2b2c_segmenter *s, seg_rule **o, size_t n)
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

/* New parameters: the default rules and the order rebuilt (undoable). */
int b2b2c__seg_defaults_swap(b2b2c_segmenter *s, const double *p)
{
    b2b2c_ctx *ctx = s->ctx;
    seg_rule *nd[NDEFAULT];
    seg_rule **o = NULL;
    size_t no;
    int rc;

    if ((rc = b2b2c__seg_defaults_make(nd, ctx, p)) != 0)
        return rc;
    for (int k = 0; k < NDEFAULT; k++) {
        if ((rc = b2b2c__undo_free_on_fail(ctx, nd[k])) != 0) {
            for (int j = k; j < NDEFAULT; j++)
                b2b2c__free(ctx, nd[j]);
            return b2b2c__err(ctx, rc, "out of memory");
        }
    }
    if ((rc = b2b2c__seg_order_make(&o, &no, s, nd)) != 0 ||
        (rc = b2b2c__seg_order_swap(s, o, no)) != 0)
        return rc;
    for (int k = 0; k < NDEFAULT; k++)
        if ((rc = b2b2c__undo_free_on_commit(ctx, s->defaults[k])) != 0)
            return b2b2c__err(ctx, rc, "out of memory");
    if ((rc = b2b2c__undo_save(ctx, s->defaults, sizeof(s->defaults))) != 0 ||
        (rc = b2b2c__undo_save(ctx, s->params, sizeof(s->params))) != 0)
        return b2b2c__err(ctx, rc, "out of memory");
    memcpy(s->defaults, nd, sizeof(nd));
    memcpy(s->params, p, sizeof(s->params));
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

/* ---- parameters ----------------------------------------------------------- */

int b2b2c_segmenter_get_param(double *value, const b2b2c_segmenter *s,
                              int32_t param)
{
    int i = param - SEG_PARAM_BASE, rc;
    if (!value || !s)
        return B2B2C_EINVAL;
    if (i < 0 || i >= SEG_NPARAM)
        return b2b2c__err(s->ctx, B2B2C_EINVAL,
                          "param: %d is not a segmenter parameter",
                          (int)param);
    if ((rc = b2b2c__sync_read(s->ctx)) != 0)
        return rc;
    *value = s->params[i];
    return 0;
}

static int bump_version(b2b2c_segmenter *s)
{
    int rc = b2b2c__undo_save(s->ctx, &s->version, sizeof(s->version));
    if (rc)
        return b2b2c__err(s->ctx, rc, "out of memory");
    s->version++;
    return meta_write(s);
}

static int set_param_body(b2b2c_segmenter *s, int i, double value)
{
    b2b2c_ctx *ctx = s->ctx;
    double p[SEG_NPARAM];
    int rc;

    if (i == B2B2C_SEG_DEALER_POLICY - SEG_PARAM_BASE && value == 1) {
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
    memcpy(p, s->params, sizeof(p));
    p[i] = value;
    if ((rc = b2b2c__seg_defaults_swap(s, p)) != 0)
        return rc;
    return bump_version(s);
}

int b2b2c_segmenter_set_param(b2b2c_segmenter *s, int32_t param, double value)
{
    b2b2c_ctx *ctx;
    int rc;

    if (!s)
        return B2B2C_EINVAL;
    ctx = s->ctx;
    b2b2c__err_clear(ctx);
    if ((rc = b2b2c__param_check(ctx, SEG_PARAM_BASE, param, value)) != 0)
        return rc;
    B2B2C__CALL(rc, ctx, s,
                set_param_body(s, param - SEG_PARAM_BASE, value));
    return rc;
}

int b2b2c_segmenter_version(int64_t *version, const b2b2c_segmenter *s)
{
    int rc;
    if (!version || !s)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__sync_read(s->ctx)) != 0)
        return rc;
    *version = s->version;
    return 0;
}

/* ---- host rules ----------------------------------------------------------- */

/* Entry checks of the host-rule calls: the handle, then clear the error,
 * then rule_id (and expr when the call takes one) in the order the messages
 * have always come. *n receives the length of rule_id. */
static int rule_args(size_t *n, b2b2c_segmenter *s, const char *rule_id,
                     int has_expr, const char *expr)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!rule_id)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "rule_id: NULL");
    if (has_expr && !expr)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "expr: NULL");
    if (b2b2c__id_check(rule_id, n))
        return b2b2c__err(s->ctx, B2B2C_EBADID, "rule_id: not a valid ID");
    return 0;
}

static int rule_add_body(b2b2c_segmenter *s, const char *rule_id, size_t n,
                         int32_t priority, int32_t segment, const char *expr)
{
    b2b2c_ctx *ctx = s->ctx;
    seg_rule *r = NULL, **o = NULL;
    size_t no;
    int rc;

    if (b2b2c__map_get(&s->rules, rule_id, n))
        return b2b2c__err(ctx, B2B2C_EEXISTS, "rule_id: '%s' exists",
                          rule_id);
    if ((rc = b2b2c__seg_rule_make(&r, ctx, rule_id, n, priority, segment,
                                   expr, 0)))
        return rc;
    if ((rc = b2b2c__undo_free_on_fail(ctx, r)) != 0) {
        b2b2c__free(ctx, r);
        return b2b2c__err(ctx, rc, "out of memory");
    }
    if ((rc = b2b2c__map_insert_undoable(ctx, &s->rules, r->id, n, r)))
        return b2b2c__err(ctx, rc, "out of memory");
    if ((rc = b2b2c__seg_order_make(&o, &no, s, s->defaults)) != 0 ||
        (rc = b2b2c__seg_order_swap(s, o, no)) != 0 ||
        (rc = rule_write(s, r)) != 0)
        return rc;
    return bump_version(s);
}

int b2b2c_segmenter_rule_add(b2b2c_segmenter *s, const char *rule_id,
                             int32_t priority, int32_t segment,
                             const char *expr)
{
    b2b2c_ctx *ctx;
    size_t n;
    int rc;

    if ((rc = rule_args(&n, s, rule_id, 1, expr)) != 0)
        return rc;
    ctx = s->ctx;
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
    B2B2C__CALL(rc, ctx, s,
                rule_add_body(s, rule_id, n, priority, segment, expr));
    return rc;
}

static int rule_remove_body(b2b2c_segmenter *s, const char *rule_id,
                            size_t n)
{
    b2b2c_ctx *ctx = s->ctx;
    seg_rule *r = b2b2c__map_get(&s->rules, rule_id, n), **o = NULL;
    size_t no;
    int rc;

    if (!r)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                          "rule_id: no host rule '%s'", rule_id);
    if ((rc = b2b2c__map_remove_undoable(ctx, &s->rules, rule_id, n)) != 0 ||
        (rc = b2b2c__undo_free_on_commit(ctx, r)) != 0)
        return b2b2c__err(ctx, rc, "out of memory");
    if ((rc = b2b2c__seg_order_make(&o, &no, s, s->defaults)) != 0 ||
        (rc = b2b2c__seg_order_swap(s, o, no)) != 0 ||
        (rc = b2b2c__st_del(ctx, T_RULES, rule_id, n)) != 0)
        return rc;
    return bump_version(s);
}

int b2b2c_segmenter_rule_remove(b2b2c_segmenter *s, const char *rule_id)
{
    size_t n;
    int rc;

    if ((rc = rule_args(&n, s, rule_id, 0, NULL)) != 0)
        return rc;
    B2B2C__CALL(rc, s->ctx, s, rule_remove_body(s, rule_id, n));
    return rc;
}

int b2b2c_segmenter_rules(b2b2c_segmenter *s, b2b2c_seg_rule_cb cb,
                          void *payload)
{
    int rc;
    if (!s || !cb)
        return B2B2C_EINVAL;
    if ((rc = b2b2c__sync_read(s->ctx)) != 0)
        return rc;
    b2b2c__cb_enter(s->ctx); /* one rule: no mutation from callbacks */
    for (size_t i = 0; i < s->norder && rc == 0; i++) {
        const seg_rule *r = s->order[i];
        rc = cb(r->id, r->priority, r->segment, r->expr, r->is_default,
                payload);
    }
    b2b2c__cb_leave(s->ctx);
    return rc;
}
