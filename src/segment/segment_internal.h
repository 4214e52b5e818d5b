/* SPDX-License-Identifier: MIT */
/* Segment classifier internals shared by its source files. */
#ifndef B2B2C_SEGMENT_INTERNAL_H
#define B2B2C_SEGMENT_INTERNAL_H

#include "internal.h"
#include "b2b2c/segment.h"

#define SEG_NATTR B2B2C_SEG_ATTR_COUNT
#define SEG_ALL_ATTRS ((1u << SEG_NATTR) - 1u)
#define SEG_BIT(a) (1u << ((a) - 1))
#define SEG_NPARAM 9
#define SEG_PARAM_BASE 200

struct b2b2c_segment_attrs {
    b2b2c_ctx *ctx;
    uint32_t present;
    double v[SEG_NATTR]; /* index a - 1 */
};

/* Three-valued (Kleene) logic: a comparison on a missing attribute is
 * unknown; all() is false if any part is false, any() true if any part is
 * true. */
enum { SEG_F = 0, SEG_T = 1, SEG_U = 2 };

enum {
    SEG_OP_TRUE = 1, SEG_OP_FALSE, SEG_OP_ALL, SEG_OP_ANY, SEG_OP_NOT,
    SEG_OP_KNOWN, SEG_OP_IN, SEG_OP_LT, SEG_OP_LE, SEG_OP_GT, SEG_OP_GE,
    SEG_OP_EQ, SEG_OP_NE
};

/* A predicate tree in prefix order; `size` is the number of nodes of the
 * subtree rooted here, so evaluation skips children without pointers. */
typedef struct seg_node {
    uint8_t op;
    uint8_t attr;     /* 1..9 for leaves */
    uint16_t size;
    uint32_t set;     /* IN: bit v set for each listed value v (< 32) */
    double num;       /* comparisons */
} seg_node;

#define SEG_EXPR_MAX 4096
#define SEG_NODES_MAX 512
#define SEG_DEPTH_MAX 32

#define T_META "segment_meta"
#define T_RULES "segment_rules"
#define T_ASSIGN "segment_assign"
#define T_ROUTES "segment_routes"

#define NSEG 6
#define NBAND 4
#define NDEFAULT 11
#define PRIO_MAX 1000000


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
    int order_dirty; /* a host rule was refreshed: rebuild the order */
    uint32_t last_missing;
    char last_rule[B2B2C__ID_MAX + 1];
    char last_reason[1024];
};

/* The outcome of classifying one row (seg_classify.c). */
typedef struct seg_verdict {
    int32_t segment;
    double confidence;
    const seg_rule *rule;
    uint32_t missing;
    uint32_t conflicts; /* groups of lower rules that hold */
} seg_verdict;

/* segmenter.c: the rule table. Build a rule object (one allocation; on a
 * parse error the message is set on ctx and a negative code returned);
 * build the NDEFAULT default rules from params into out[]; the evaluation
 * order (qsort comparator of seg_rule *); a new evaluation order from
 * defaults[] and the host rule map. */
int b2b2c__seg_rule_make(seg_rule **out, b2b2c_ctx *ctx, const char *id,
                         size_t idlen, int32_t priority, int32_t segment,
                         const char *expr, int is_default);
int b2b2c__seg_defaults_make(seg_rule **out, b2b2c_ctx *ctx,
                             const double *params);
int b2b2c__seg_rule_cmp(const void *pa, const void *pb);
/* seg_assign.c: b2b2c_segmenter_erase's body, for b2b2c_ctx_erase (a
 * b2b2c__engine_ops erase). */
int b2b2c__seg_erase_op(void *h, const char *id, size_t n);
int b2b2c__seg_order_make(seg_rule ***out, size_t *nout, b2b2c_segmenter *s,
                          seg_rule *const *defaults);
/* Undoably: make o (n rules, just built) the evaluation order; set the
 * parameters to p, with the default rules and the order rebuilt. */
int b2b2c__seg_order_swap(b2b2c_segmenter *s, seg_rule **o, size_t n);
int b2b2c__seg_defaults_swap(b2b2c_segmenter *s, const double *p);

/* seg_classify.c: classify one row with the whole rule table; write the
 * last rule, reason and missing attributes of a verdict into s. */
void b2b2c__seg_classify_core(seg_verdict *vd, const b2b2c_segmenter *s,
                              const double *v, uint32_t present);
void b2b2c__seg_explain(b2b2c_segmenter *s, const seg_verdict *vd,
                        const double *v, uint32_t present);

/* seg_assign.c: an account block with room for n entries and nameslen
 * name bytes (NULL when out of memory). */
seg_account *b2b2c__seg_account_alloc(b2b2c_ctx *ctx, const char *id,
                                      size_t idlen, size_t n,
                                      size_t nameslen);

/* Parse `text` into nodes (at most SEG_NODES_MAX). Returns the node count
 * (> 0), or a negative code with a message in err (position, expectation).
 * *refs receives the mask of attributes the expression reads. */
int b2b2c__seg_expr_parse(seg_node *nodes, uint32_t *refs, const char *text,
                          char *err, size_t errcap);
int b2b2c__seg_expr_eval(const seg_node *n, const double *v, uint32_t present);
/* As b2b2c__seg_expr_eval; when unknown, ORs into *why the missing attributes
 * whose values could decide it. */
int b2b2c__seg_expr_eval_why(const seg_node *n, const double *v,
                             uint32_t present,
                             uint32_t *why);

/* Numbers in rule texts always use '.', whatever LC_NUMERIC says:
 * b2b2c__seg_strtod_c parses [+-]digits[.digits][e[+-]digits] (*end = s when
 * nothing was read); b2b2c__seg_num_c rewrites a printf'd number in place. */
double b2b2c__seg_strtod_c(const char *s, const char **end);
void b2b2c__seg_num_c(char *s);

/* Validate one attribute value as the setters do: 0, B2B2C_EINVAL or
 * B2B2C_ERANGE with a static reason in *why. */
int b2b2c__seg_attr_check(int32_t attr, double value, const char **why);

/* Order-independent digest of a segmenter's in-memory state (tests). */
uint64_t b2b2c__seg_digest(const b2b2c_segmenter *s);

/* The compiled default rule set (batch.c): classify one row with the
 * default rules only. p holds the parameters (index param - 200). */
int32_t b2b2c__seg_fast_classify(const double *p, const double *v,
                                 uint32_t present,
                                 double *confidence);

#endif
