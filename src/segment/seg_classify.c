/* SPDX-License-Identifier: MIT */
/* Segment classification: the rule table evaluated with reasons and
 * confidence, one row or a batch. */
#include <stdarg.h>
#include <stdio.h>

#include "segment_internal.h"

/* ---- classification ------------------------------------------------------- */

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
void b2b2c__seg_classify_core(seg_verdict *vd, const b2b2c_segmenter *s,
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
        name = b2b2c_seg_party_type_name((int32_t)x);
    else if (attr == B2B2C_SEG_ATTR_ORG_KIND)
        name = b2b2c_seg_org_kind_name((int32_t)x);
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

void b2b2c__seg_explain(b2b2c_segmenter *s, const seg_verdict *vd,
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
                    b2b2c__seg_rule_cmp(&c, &r) < 0)
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
                             b2b2c_segmenter *s, const b2b2c_segment_attrs *attrs)
{
    seg_verdict vd;
    int rc;
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    if (!segment)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "segment: NULL");
    if (!attrs)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "attrs: NULL");
    if ((rc = b2b2c__sync_read(s->ctx)) != 0)
        return rc;
    b2b2c__seg_classify_core(&vd, s, attrs->v, attrs->present);
    b2b2c__seg_explain(s, &vd, attrs->v, attrs->present);
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

/* Entry of the batch calls: B2B2C_EINVAL without a handle; otherwise clear
 * the error and return 1 when there is nothing to do (n == 0), else bring
 * the handle up to date (0, or the sync's error). */
static int batch_begin(b2b2c_segmenter *s, size_t n)
{
    if (!s)
        return B2B2C_EINVAL;
    b2b2c__err_clear(s->ctx);
    return n == 0 ? 1 : b2b2c__sync_read(s->ctx);
}

/* Classify one validated row of a batch: the fast path when there are no
 * host rules, the full rule walk otherwise. confidence may be NULL. */
static void classify_row(int32_t *segment, double *confidence,
                         const b2b2c_segmenter *s, int fast, const double *v,
                         uint32_t present)
{
    double c;
    if (fast) {
        *segment = b2b2c__seg_fast_classify(s->params, v, present, &c);
    } else {
        seg_verdict vd;
        b2b2c__seg_classify_core(&vd, s, v, present);
        *segment = vd.segment;
        c = vd.confidence;
    }
    if (confidence)
        *confidence = c;
}

/* Check row i's present values (the row is then classified at once, while
 * it is in cache: a separate pass over every row first would read the
 * input twice, 13% slower on 1M rows). */
static int batch_row_check(const b2b2c_segmenter *s, size_t i,
                           const double *values, const uint32_t *present)
{
    {
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
    }
    return 0;
}

int b2b2c_segmenter_classify_batch(int32_t *segments, double *confidences,
                                   b2b2c_segmenter *s, size_t n,
                                   const double *values,
                                   const uint32_t *present)
{
    int fast, rc = batch_begin(s, n);
    if (rc)
        return rc < 0 ? rc : 0;
    if (!segments || !values || !present)
        return b2b2c__err(s->ctx, B2B2C_EINVAL,
                          "%s: NULL",
                          !segments ? "segments"
                                    : !values ? "values" : "present");
    fast = s->rules.count == 0;
    for (size_t i = 0; i < n; i++) {
        if ((rc = batch_row_check(s, i, values, present)) != 0)
            return rc; /* rows i.. untouched (segment.h) */
        classify_row(&segments[i], confidences ? &confidences[i] : NULL, s,
                     fast, values + i * SEG_NATTR, present[i]);
    }
    return 0;
}

int b2b2c_segmenter_classify_sets(int32_t *segments, double *confidences,
                                  b2b2c_segmenter *s, size_t n,
                                  const b2b2c_segment_attrs *const *sets)
{
    int fast, rc = batch_begin(s, n);
    if (rc)
        return rc < 0 ? rc : 0;
    if (!segments || !sets)
        return b2b2c__err(s->ctx, B2B2C_EINVAL, "%s: NULL",
                          !segments ? "segments" : "sets");
    for (size_t i = 0; i < n; i++)
        if (!sets[i])
            return b2b2c__err(s->ctx, B2B2C_EINVAL, "sets: element %zu is NULL",
                              i);
    fast = s->rules.count == 0;
    for (size_t i = 0; i < n; i++) /* the setters validated the values */
        classify_row(&segments[i], confidences ? &confidences[i] : NULL, s,
                     fast, sets[i]->v, sets[i]->present);
    return 0;
}
