/* SPDX-License-Identifier: MIT */
/*
 * Rule expressions: a small predicate language over account attributes,
 * parsed into a prefix node array and evaluated in three-valued logic.
 *
 *   expr  := "all" "(" expr {"," expr} ")" | "any" "(" expr {"," expr} ")"
 *          | "not" "(" expr ")" | "known" "(" ATTR ")" | "true" | "false"
 *          | ATTR ("<" | "<=" | ">" | ">=" | "==" | "!=") value
 *          | ATTR "in" "(" value {"," value} ")"
 *   value := number | a party type or organisation kind name
 *
 * Party type and kind accept only ==, != and in; the other attributes only
 * comparisons with numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "segment_internal.h"

typedef struct parser {
    const char *text, *p;
    seg_node *nodes;
    int n;
    uint32_t refs;
    char *err;
    size_t errcap;
    int depth;
} parser;

static int perr(parser *ps, const char *what)
{
    snprintf(ps->err, ps->errcap, "expr: at byte %d: expected %s",
             (int)(ps->p - ps->text), what);
    return B2B2C_EINVAL;
}

static void skip_ws(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
           *ps->p == '\r')
        ps->p++;
}

static int is_ident(char c, int first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
}

/* Reads an identifier into buf; returns its length (0 when none). */
static size_t ident(parser *ps, char *buf, size_t cap)
{
    size_t n = 0;
    skip_ws(ps);
    if (!is_ident(*ps->p, 1))
        return 0;
    while (is_ident(ps->p[n], n == 0)) {
        if (n + 1 < cap)
            buf[n] = ps->p[n];
        n++;
    }
    if (n >= cap)
        return 0;
    buf[n] = '\0';
    ps->p += n;
    return n;
}

static int expect(parser *ps, char c)
{
    char what[8];
    skip_ws(ps);
    if (*ps->p != c) {
        snprintf(what, sizeof(what), "'%c'", c);
        return perr(ps, what);
    }
    ps->p++;
    return 0;
}

static int new_node(parser *ps, int op)
{
    if (ps->n >= SEG_NODES_MAX) {
        snprintf(ps->err, ps->errcap, "expr: more than %d terms",
                 SEG_NODES_MAX);
        return B2B2C_EINVAL;
    }
    memset(&ps->nodes[ps->n], 0, sizeof(seg_node));
    ps->nodes[ps->n].op = (uint8_t)op;
    ps->nodes[ps->n].size = 1;
    return ps->n++;
}

/* A value for attribute `attr`: a number, or a name for enumerated ones. */
static int value(parser *ps, int attr, double *out)
{
    char buf[64];
    const char *start;
    const char *end;
    int32_t v;
    const char *why;

    skip_ws(ps);
    start = ps->p;
    if (attr == B2B2C_SEG_ATTR_PARTY_TYPE || attr == B2B2C_SEG_ATTR_ORG_KIND) {
        if (ident(ps, buf, sizeof(buf))) {
            v = attr == B2B2C_SEG_ATTR_PARTY_TYPE
                    ? b2b2c_seg_party_type_from_name(buf)
                    : b2b2c_seg_org_kind_from_name(buf);
            if (v < 0) {
                ps->p = start;
                return perr(ps, attr == B2B2C_SEG_ATTR_PARTY_TYPE
                                    ? "a party type name"
                                    : "an organisation kind name");
            }
            *out = v;
            return 0;
        }
    }
    if (!((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '-' ||
          *ps->p == '+' || *ps->p == '.'))
        return perr(ps, "a number");
    *out = b2b2c__seg_strtod_c(ps->p, &end);
    if (end == ps->p || !isfinite(*out))
        return perr(ps, "a finite number");
    ps->p = end;
    if ((attr == B2B2C_SEG_ATTR_PARTY_TYPE ||
         attr == B2B2C_SEG_ATTR_ORG_KIND) &&
        b2b2c__seg_attr_check(attr, *out, &why)) {
        ps->p = start;
        return perr(ps, "a valid party type or organisation kind");
    }
    return 0;
}

static int expr(parser *ps);

/* Rule texts are data: they must read the same under any LC_NUMERIC the
 * host has set, so numbers always use '.', whatever strtod and printf use. */
static char locale_point(void)
{
    /* printf only reads the locale; localeconv need not be thread-safe
     * (POSIX XSH 2.9.1) and glibc's fills one static struct per call. */
    char buf[16];
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    return buf[1] ? buf[1] : '.';
}

double b2b2c__seg_strtod_c(const char *s, const char **end)
{
    char buf[80];
    size_t n = 0;
    char *e;
    double x;
    const char *p = s;

    if (*p == '+' || *p == '-')
        buf[n++] = *p++;
    while (*p >= '0' && *p <= '9' && n < 64)
        buf[n++] = *p++;
    if (*p == '.' && n < 64) {
        buf[n++] = locale_point();
        p++;
        while (*p >= '0' && *p <= '9' && n < 64)
            buf[n++] = *p++;
    }
    if ((*p == 'e' || *p == 'E') && n < 64) {
        const char *q = p + 1;
        size_t m = n;
        buf[m++] = 'e';
        if (*q == '+' || *q == '-')
            buf[m++] = *q++;
        if (*q >= '0' && *q <= '9') {
            while (*q >= '0' && *q <= '9' && m < 78)
                buf[m++] = *q++;
            n = m;
            p = q;
        }
    }
    buf[n] = '\0';
    x = strtod(buf, &e);
    /* map the consumed prefix of buf back onto s */
    *end = (size_t)(e - buf) == n ? p : s;
    return x;
}

void b2b2c__seg_num_c(char *s)
{
    char pt = locale_point();
    if (pt == '.')
        return;
    for (; *s; s++)
        if (*s == pt)
            *s = '.';
}

static int list(parser *ps, int op)
{
    int me, rc;
    if ((me = new_node(ps, op)) < 0)
        return me;
    if ((rc = expect(ps, '(')) != 0)
        return rc;
    for (;;) {
        if ((rc = expr(ps)) != 0)
            return rc;
        skip_ws(ps);
        if (op != SEG_OP_NOT && *ps->p == ',') {
            ps->p++;
            continue;
        }
        break;
    }
    if ((rc = expect(ps, ')')) != 0)
        return rc;
    ps->nodes[me].size = (uint16_t)(ps->n - me);
    return 0;
}

static int expr(parser *ps)
{
    char buf[64];
    const char *start;
    int attr, me, rc, op;
    double x;

    if (++ps->depth > SEG_DEPTH_MAX) {
        snprintf(ps->err, ps->errcap, "expr: nested deeper than %d",
                 SEG_DEPTH_MAX);
        return B2B2C_EINVAL;
    }
    skip_ws(ps);
    start = ps->p;
    if (!ident(ps, buf, sizeof(buf)))
        return perr(ps, "all, any, not, known, true, false or an attribute");
    if (strcmp(buf, "all") == 0)
        rc = list(ps, SEG_OP_ALL);
    else if (strcmp(buf, "any") == 0)
        rc = list(ps, SEG_OP_ANY);
    else if (strcmp(buf, "not") == 0)
        rc = list(ps, SEG_OP_NOT);
    else if (strcmp(buf, "true") == 0)
        rc = new_node(ps, SEG_OP_TRUE) < 0 ? B2B2C_EINVAL : 0;
    else if (strcmp(buf, "false") == 0)
        rc = new_node(ps, SEG_OP_FALSE) < 0 ? B2B2C_EINVAL : 0;
    else if (strcmp(buf, "known") == 0) {
        if ((rc = expect(ps, '(')) != 0)
            return rc;
        start = ps->p;
        if (!ident(ps, buf, sizeof(buf)) ||
            (attr = b2b2c_seg_attr_from_name(buf)) < 0) {
            ps->p = start;
            skip_ws(ps);
            return perr(ps, "an attribute name");
        }
        if ((me = new_node(ps, SEG_OP_KNOWN)) < 0)
            return B2B2C_EINVAL;
        ps->nodes[me].attr = (uint8_t)attr;
        ps->refs |= SEG_BIT(attr);
        rc = expect(ps, ')');
    } else {
        int enumerated;
        if ((attr = b2b2c_seg_attr_from_name(buf)) < 0) {
            ps->p = start;
            return perr(ps,
                        "all, any, not, known, true, false or an attribute");
        }
        enumerated = attr == B2B2C_SEG_ATTR_PARTY_TYPE ||
                     attr == B2B2C_SEG_ATTR_ORG_KIND;
        ps->refs |= SEG_BIT(attr);
        skip_ws(ps);
        start = ps->p;
        if (ps->p[0] == 'i' && ps->p[1] == 'n' && !is_ident(ps->p[2], 0)) {
            ps->p += 2;
            if (!enumerated) {
                ps->p = start;
                return perr(ps, "a comparison (in is for party_type and "
                                "org_kind)");
            }
            if ((me = new_node(ps, SEG_OP_IN)) < 0)
                return B2B2C_EINVAL;
            ps->nodes[me].attr = (uint8_t)attr;
            if ((rc = expect(ps, '(')) != 0)
                return rc;
            for (;;) {
                if ((rc = value(ps, attr, &x)) != 0)
                    return rc;
                ps->nodes[me].set |= 1u << (int)x;
                skip_ws(ps);
                if (*ps->p == ',') {
                    ps->p++;
                    continue;
                }
                break;
            }
            rc = expect(ps, ')');
        } else {
            if (ps->p[0] == '<' && ps->p[1] == '=')
                op = SEG_OP_LE, ps->p += 2;
            else if (ps->p[0] == '>' && ps->p[1] == '=')
                op = SEG_OP_GE, ps->p += 2;
            else if (ps->p[0] == '=' && ps->p[1] == '=')
                op = SEG_OP_EQ, ps->p += 2;
            else if (ps->p[0] == '!' && ps->p[1] == '=')
                op = SEG_OP_NE, ps->p += 2;
            else if (ps->p[0] == '<')
                op = SEG_OP_LT, ps->p += 1;
            else if (ps->p[0] == '>')
                op = SEG_OP_GT, ps->p += 1;
            else
                return perr(ps, "<, <=, >, >=, ==, != or in");
            if (enumerated && op != SEG_OP_EQ && op != SEG_OP_NE) {
                ps->p = start;
                return perr(ps, "==, != or in (party_type and org_kind "
                                "are not ordered)");
            }
            if ((rc = value(ps, attr, &x)) != 0)
                return rc;
            if ((me = new_node(ps, op)) < 0)
                return B2B2C_EINVAL;
            ps->nodes[me].attr = (uint8_t)attr;
            ps->nodes[me].num = x;
        }
    }
    ps->depth--;
    return rc;
}

int b2b2c__seg_expr_parse(seg_node *nodes, uint32_t *refs, const char *text,
                          char *err, size_t errcap)
{
    parser ps;
    int rc;

    memset(&ps, 0, sizeof(ps));
    ps.text = ps.p = text;
    ps.nodes = nodes;
    ps.err = err;
    ps.errcap = errcap;
    if ((rc = expr(&ps)) != 0)
        return rc;
    skip_ws(&ps);
    if (*ps.p != '\0')
        return perr(&ps, "the end of the expression");
    *refs = ps.refs;
    return ps.n;
}

/* `why` collects the missing attributes that made the result unknown: only
 * those of parts that are unknown themselves and did not get outvoted (a
 * false part of all() or a true part of any() decides without them). */
int b2b2c__seg_expr_eval_why(const seg_node *n, const double *v,
                             uint32_t present,
                             uint32_t *why)
{
    int r, k;
    uint32_t w = 0, cw;
    const seg_node *c, *end;

    switch (n->op) {
    case SEG_OP_TRUE:
        return SEG_T;
    case SEG_OP_FALSE:
        return SEG_F;
    case SEG_OP_KNOWN:
        return (present & SEG_BIT(n->attr)) ? SEG_T : SEG_F;
    case SEG_OP_NOT:
        r = b2b2c__seg_expr_eval_why(n + 1, v, present, why);
        return r == SEG_U ? SEG_U : !r;
    case SEG_OP_ALL:
    case SEG_OP_ANY:
        r = n->op == SEG_OP_ALL ? SEG_T : SEG_F;
        end = n + n->size;
        for (c = n + 1; c < end; c += c->size) {
            cw = 0;
            k = b2b2c__seg_expr_eval_why(c, v, present, &cw);
            if (n->op == SEG_OP_ALL ? k == SEG_F : k == SEG_T)
                return k;
            if (k == SEG_U) {
                r = SEG_U;
                w |= cw;
            }
        }
        if (r == SEG_U)
            *why |= w;
        return r;
    default:
        break;
    }
    if (!(present & SEG_BIT(n->attr))) {
        *why |= SEG_BIT(n->attr);
        return SEG_U;
    }
    {
        double x = v[n->attr - 1];
        switch (n->op) {
        case SEG_OP_IN:
            return (n->set >> (int)x) & 1u;
        case SEG_OP_LT:
            return x < n->num;
        case SEG_OP_LE:
            return x <= n->num;
        case SEG_OP_GT:
            return x > n->num;
        case SEG_OP_GE:
            return x >= n->num;
        case SEG_OP_EQ:
            return x == n->num;
        case SEG_OP_NE:
            return x != n->num;
        default:
            return SEG_U;
        }
    }
}

int b2b2c__seg_expr_eval(const seg_node *n, const double *v, uint32_t present)
{
    uint32_t why = 0;
    return b2b2c__seg_expr_eval_why(n, v, present, &why);
}
