/* Segment classifier internals shared by its source files. */
#ifndef B2B2C_SEGMENT_INTERNAL_H
#define B2B2C_SEGMENT_INTERNAL_H

#include "internal.h"
#include "b2b2c/segment.h"

#define SEG_NATTR B2B2C_SEG_ATTR_COUNT
#define SEG_ALL_ATTRS ((1u << SEG_NATTR) - 1u)
#define SEG_BIT(a) (1u << ((a) - 1))

/* The attribute set's old type name, still used by segmenter.c (being split
 * by another branch): remove once that file says b2b2c_segment_attrs. */
typedef b2b2c_segment_attrs b2b2c_attrs;

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

/* Parse `text` into nodes (at most SEG_NODES_MAX). Returns the node count
 * (> 0), or a negative code with a message in err (position, expectation).
 * *refs receives the mask of attributes the expression reads. */
int seg_expr_parse(seg_node *nodes, uint32_t *refs, const char *text,
                   char *err, size_t errcap);
int seg_expr_eval(const seg_node *n, const double *v, uint32_t present);
/* As seg_expr_eval; when unknown, ORs into *why the missing attributes
 * whose values could decide it. */
int seg_expr_eval_why(const seg_node *n, const double *v, uint32_t present,
                      uint32_t *why);

/* Numbers in rule texts always use '.', whatever LC_NUMERIC says:
 * seg_strtod_c parses [+-]digits[.digits][e[+-]digits] (*end = s when
 * nothing was read); seg_num_c rewrites a printf'd number in place. */
double seg_strtod_c(const char *s, const char **end);
void seg_num_c(char *s);

/* Validate one attribute value as the setters do: 0, B2B2C_EINVAL or
 * B2B2C_ERANGE with a static reason in *why. */
int seg_attr_check(int32_t attr, double value, const char **why);

#endif

/* Order-independent digest of a segmenter's in-memory state (tests). */
uint64_t seg_digest(const b2b2c_segmenter *s);

/* The compiled default rule set (batch.c): classify one row with the
 * default rules only. p holds the parameters (index param - 200). */
int32_t seg_fast_classify(const double *p, const double *v, uint32_t present,
                          double *confidence);
#define SEG_NPARAM 9
#define SEG_PARAM_BASE 200
