/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c segment classifier: which of the five B2B2C sub-segments an
 * account belongs to, why, how sure, what to do with its leads, and when it
 * moves between segments.
 *
 * An account is described by an attribute set (b2b2c_segment_attrs) in which
 * any attribute may be missing. The segmenter (b2b2c_segmenter) evaluates one
 * rule table, in priority order: the default rules, built from the
 * parameters (B2B2C_SEG_*), and the host's rules, written as small
 * expressions (docs/segments.md). The first rule that holds decides; rules
 * that could still fire if a missing attribute were known, or that hold but
 * point elsewhere, lower the confidence and name the attributes that would
 * settle it. Every change of rules or parameters increments the rule-set
 * version, which is stored with every assignment.
 *
 * Threads: a segmenter, its context and the attribute sets made on that
 * context are used by one thread at a time. Separate contexts are
 * independent and may be used from different threads in parallel.
 *
 * Many contexts on one database (b2b2c_ctx_sync): every call sees the
 * rules, parameters, version, assignments and routes other contexts
 * committed before it began; a mutating call checks its state (a rule that
 * exists, an assignment's last time, the dealer policy) on that latest
 * state. The last-classification explanation (b2b2c_segmenter_last_rule,
 * _last_reason, _last_missing) is this handle's own and is not shared.
 * Reads may also return the storage's code or B2B2C_ECORRUPT from
 * bringing the context up to date.
 */
#ifndef B2B2C_SEGMENT_H
#define B2B2C_SEGMENT_H

#include "b2b2c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- vocabulary ------------------------------------------------------- */

/* Account attributes. Values are never renumbered. Stable names in
 * parentheses (CSV headers, rule expressions, bindings). */
enum {
    B2B2C_SEG_ATTR_PARTY_TYPE = 1,      /* (party_type) B2B2C_SEG_PARTY_*        */
    B2B2C_SEG_ATTR_RESELLER = 2,        /* (reseller) 1 resells our products, 0 not */
    B2B2C_SEG_ATTR_ORG_KIND = 3,        /* (org_kind) B2B2C_SEG_ORG_*            */
    B2B2C_SEG_ATTR_EMPLOYEES = 4,       /* (employees) count >= 0            */
    B2B2C_SEG_ATTR_ANNUAL_REVENUE = 5,  /* (annual_revenue) money >= 0       */
    B2B2C_SEG_ATTR_PURCHASE_VOLUME = 6, /* (purchase_volume) money/year with
                                           the manufacturer, >= 0            */
    B2B2C_SEG_ATTR_ORDERS_PER_YEAR = 7, /* (orders_per_year) >= 0, may be
                                           fractional (an average)           */
    B2B2C_SEG_ATTR_OUTLETS = 8,         /* (outlets) points of sale, count   */
    B2B2C_SEG_ATTR_CONTRACT_MONTHS = 9  /* (contract_months) >= 0            */
};
/* Number of attributes; attribute a has bit (1u << (a - 1)) in masks. */
#define B2B2C_SEG_ATTR_COUNT 9

/* Party types. Names: "person", "organisation". */
enum { B2B2C_SEG_PARTY_PERSON = 1, B2B2C_SEG_PARTY_ORGANISATION = 2 };

/* Organisation kinds (the source's tables). Names in parentheses. */
enum {
    B2B2C_SEG_ORG_RETAIL_CHAIN = 1,         /* (retail_chain)         */
    B2B2C_SEG_ORG_REGIONAL_DISTRIBUTOR = 2, /* (regional_distributor) */
    B2B2C_SEG_ORG_INDEPENDENT_SHOP = 3,     /* (independent_shop)     */
    B2B2C_SEG_ORG_ONLINE_RETAILER = 4,      /* (online_retailer)      */
    B2B2C_SEG_ORG_PLANT = 5,                /* (plant)                */
    B2B2C_SEG_ORG_CORPORATION = 6,          /* (corporation)          */
    B2B2C_SEG_ORG_PUBLIC_SECTOR = 7,        /* (public_sector)        */
    B2B2C_SEG_ORG_WORKSHOP = 8,             /* (workshop)             */
    B2B2C_SEG_ORG_SMALL_COMPANY = 9,        /* (small_company)        */
    B2B2C_SEG_ORG_CONTRACTOR = 10,          /* (contractor)           */
    B2B2C_SEG_ORG_PRIVATE_PERSON = 11,      /* (private_person)       */
    B2B2C_SEG_ORG_OTHER = 12                /* (other)                */
};

/* Routing destinations. Names: "none", "dealer", "direct_sales",
 * "partner_onboarding", "nurture". */
enum {
    B2B2C_SEG_DEST_NONE = 0,
    B2B2C_SEG_DEST_DEALER = 1,
    B2B2C_SEG_DEST_DIRECT_SALES = 2,
    B2B2C_SEG_DEST_PARTNER_ONBOARDING = 3,
    B2B2C_SEG_DEST_NURTURE = 4
};

/* Channel kinds. Names: "none", "reach", "lead_generation". */
enum {
    B2B2C_SEG_CHANNEL_NONE = 0,
    B2B2C_SEG_CHANNEL_REACH = 1,
    B2B2C_SEG_CHANNEL_LEAD_GENERATION = 2
};

/* Stable names of the values above; NULL for an unknown value. Static. */
B2B2C_API const char *b2b2c_seg_attr_name(int32_t attr);
B2B2C_API const char *b2b2c_seg_party_type_name(int32_t party_type);
B2B2C_API const char *b2b2c_seg_org_kind_name(int32_t org_kind);
B2B2C_API const char *b2b2c_seg_dest_name(int32_t dest);
B2B2C_API const char *b2b2c_seg_channel_name(int32_t channel_kind);
/* The value for a stable name, or B2B2C_EINVAL (negative) for NULL or an
 * unknown name. */
B2B2C_API int32_t b2b2c_seg_attr_from_name(const char *name);
B2B2C_API int32_t b2b2c_seg_party_type_from_name(const char *name);
B2B2C_API int32_t b2b2c_seg_org_kind_from_name(const char *name);
B2B2C_API int32_t b2b2c_seg_dest_from_name(const char *name);
B2B2C_API int32_t b2b2c_seg_channel_from_name(const char *name);

/* ---- attribute sets --------------------------------------------------- */

typedef struct b2b2c_segment_attrs b2b2c_segment_attrs;

/*
 * Attribute sets belong to the segment module (b2b2c_segment_attrs_*). A
 * set is made on a context and reports its errors there, like every handle:
 * each call on a set clears the context's last error, and a failure on a
 * non-NULL set leaves b2b2c_ctx_errcode(ctx) and b2b2c_ctx_errmsg(ctx), the
 * message naming the argument ("attr: ...", "value: ..."). A NULL set
 * reaches no context: the call returns B2B2C_EINVAL alone. The set is not
 * needed to read the message: use the context it was made on.
 */

/*
 * Create an empty attribute set (every attribute missing) on `ctx`,
 * allocated with the context's allocator; the context must outlive it.
 * *out is NULL on failure. Returns 0, B2B2C_EINVAL (out or ctx NULL; with
 * ctx, the message names "out") or B2B2C_ENOMEM.
 */
B2B2C_API int b2b2c_segment_attrs_new(b2b2c_segment_attrs **out,
                                      b2b2c_ctx *ctx);
/* Free an attribute set; NULL is accepted. */
B2B2C_API void b2b2c_segment_attrs_free(b2b2c_segment_attrs *attrs);
/* Make every attribute missing again. Returns 0 or B2B2C_EINVAL. */
B2B2C_API int b2b2c_segment_attrs_reset(b2b2c_segment_attrs *attrs);

/*
 * Set an integer-valued attribute: party_type (a B2B2C_SEG_PARTY_* value),
 * reseller (0 or 1), org_kind (a B2B2C_SEG_ORG_* value), employees and outlets
 * (counts, 0 .. 2^53). Errors: B2B2C_EINVAL (NULL, an unknown attribute
 * number, an attribute that is a money or rate value, an unknown party type
 * or kind), B2B2C_ERANGE (a negative count, reseller not 0/1). On error the
 * set is unchanged.
 */
B2B2C_API int b2b2c_segment_attrs_set_int(b2b2c_segment_attrs *attrs,
                                          int32_t attr, int64_t value);
/*
 * Set a real-valued attribute: annual_revenue, purchase_volume (money in the
 * host's currency), orders_per_year and contract_months. The integer
 * attributes are accepted here too when `value` is a whole number.
 * Errors: B2B2C_EINVAL (NULL, unknown attribute, NaN or infinite value, a
 * fractional value for an integer attribute, unknown kind), B2B2C_ERANGE
 * (negative value, reseller not 0/1).
 */
B2B2C_API int b2b2c_segment_attrs_set_double(b2b2c_segment_attrs *attrs,
                                             int32_t attr, double value);
/* Make one attribute missing. Returns 0 or B2B2C_EINVAL. */
B2B2C_API int b2b2c_segment_attrs_clear(b2b2c_segment_attrs *attrs,
                                        int32_t attr);
/*
 * Read one attribute. *value receives it (kinds and party types as their
 * numbers). Returns 0, B2B2C_EINVAL (NULL, unknown attribute) or
 * B2B2C_ENOTFOUND when the attribute is missing (*value untouched).
 */
B2B2C_API int b2b2c_segment_attrs_get(double *value,
                                      const b2b2c_segment_attrs *attrs,
                                      int32_t attr);
/* The mask of attributes present (bit a-1 for attribute a); 0 for NULL. */
B2B2C_API uint32_t
b2b2c_segment_attrs_present(const b2b2c_segment_attrs *attrs);

/* ---- the segmenter ---------------------------------------------------- */

typedef struct b2b2c_segmenter b2b2c_segmenter;

/* Parameters (segment module: 200-299). Never renumbered. */
enum {
    /* outlets at or above which a reseller is large wholesale; default 10 */
    B2B2C_SEG_LARGE_WHOLESALE_OUTLETS = 200,
    /* yearly purchase volume (money) at or above which a reseller is large
     * wholesale; default 1,000,000 */
    B2B2C_SEG_LARGE_WHOLESALE_VOLUME = 201,
    /* employees at or above which a customer is large; default 250 */
    B2B2C_SEG_LARGE_CUSTOMER_EMPLOYEES = 202,
    /* annual revenue (money) at or above which a customer is large;
     * default 50,000,000 */
    B2B2C_SEG_LARGE_CUSTOMER_REVENUE = 203,
    /* yearly purchase volume at or above which a customer is large;
     * default 250,000 */
    B2B2C_SEG_LARGE_CUSTOMER_VOLUME = 204,
    /* contract length (months) at or above which a customer is large;
     * default 24 */
    B2B2C_SEG_LARGE_CUSTOMER_CONTRACT_MONTHS = 205,
    /* confidence factor per other segment that a rule ranked above the
     * decision could still give if a missing attribute were known;
     * default 0.5, range [0, 1] */
    B2B2C_SEG_OPEN_RULE_FACTOR = 206,
    /* confidence factor per other segment that a rule ranked below the
     * decision gives (conflicting attributes); default 0.5, range [0, 1] */
    B2B2C_SEG_CONFLICT_FACTOR = 207,
    /* 1: the manufacturer sells to consumers and small professionals through
     * dealers (their warm and hot leads go to dealers, never to direct
     * sales); 0: it sells to them directly. Default 1. */
    B2B2C_SEG_DEALER_POLICY = 208
};

/*
 * Open the segmenter on a context: loads parameters, host rules,
 * assignments with their history and routing overrides from the context's
 * storage (tables segment_meta, segment_rules, segment_assign,
 * segment_routes). Returns 0, B2B2C_EINVAL (NULL), B2B2C_ENOMEM,
 * B2B2C_ECORRUPT / B2B2C_EVERSION (a stored record, named in the message) or
 * the storage's code. *out is NULL on failure.
 */
B2B2C_API int b2b2c_segmenter_new(b2b2c_segmenter **out, b2b2c_ctx *ctx);
/* Free the segmenter (an open transaction group is rolled back). NULL is
 * accepted. */
B2B2C_API void b2b2c_segmenter_free(b2b2c_segmenter *s);

/*
 * Set a parameter (enum above). Rebuilds the default rules and increments
 * the rule-set version when the value changes. Errors: B2B2C_EINVAL (NULL,
 * unknown parameter, NaN/inf), B2B2C_ERANGE (outside the bounds; the message
 * names the parameter), B2B2C_ESTATE (turning the dealer policy on while a
 * routing override sends consumer leads to direct sales), storage codes.
 */
B2B2C_API int b2b2c_segmenter_set_param(b2b2c_segmenter *s, int32_t param,
                                        double value);
/* Read a parameter. Returns 0 or B2B2C_EINVAL (NULL, unknown parameter). */
B2B2C_API int b2b2c_segmenter_get_param(double *value,
                                        const b2b2c_segmenter *s,
                                        int32_t param);
/* The rule-set version: 1 for a new store, +1 on every change of rules or
 * parameters. Returns 0 or B2B2C_EINVAL. */
B2B2C_API int b2b2c_segmenter_version(int64_t *version,
                                      const b2b2c_segmenter *s);

/*
 * Add a host rule.
 *
 * rule_id   the rule's name (an ID: UTF-8, 1..255 bytes, not starting with
 *           "default."), reported as the deciding rule.
 * priority  -1000000 .. 1000000; higher is evaluated first. Default rules
 *           use 500 .. 1000. On equal priority host rules come before
 *           default rules, then by rule_id.
 * segment   the B2B2C_SEGMENT_* it assigns (B2B2C_SEGMENT_UNKNOWN allowed:
 *           "do not classify these").
 * expr      the predicate (docs/segments.md), e.g.
 *           "all(org_kind in (workshop, contractor), orders_per_year >= 50)".
 *           At most 4096 bytes.
 *
 * Errors: B2B2C_EINVAL (NULL, a syntax error: the message gives the byte
 * offset and what was expected; an unknown segment), B2B2C_EBADID,
 * B2B2C_ERANGE (priority), B2B2C_EEXISTS (rule_id taken), B2B2C_ESTATE
 * (called from one of this segmenter's callbacks), storage codes.
 */
B2B2C_API int b2b2c_segmenter_rule_add(b2b2c_segmenter *s,
                                       const char *rule_id, int32_t priority,
                                       int32_t segment, const char *expr);
/* Remove a host rule. Errors: B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND
 * (also for default rules, which cannot be removed: outrank them instead),
 * B2B2C_ESTATE, storage codes. */
B2B2C_API int b2b2c_segmenter_rule_remove(b2b2c_segmenter *s,
                                          const char *rule_id);

/* One rule in evaluation order. is_default is 1 for a default rule. The
 * strings are valid during the callback only. A non-zero return stops the
 * iteration and is returned. */
typedef int (*b2b2c_seg_rule_cb)(const char *rule_id, int32_t priority,
                                 int32_t segment, const char *expr,
                                 int32_t is_default, void *userdata);
/* List every rule (default and host) in evaluation order. Returns 0,
 * B2B2C_EINVAL or the callback's code. */
B2B2C_API int b2b2c_segmenter_rules(b2b2c_segmenter *s, b2b2c_seg_rule_cb cb,
                                    void *userdata);

/*
 * Classify one attribute set.
 *
 * segment     receives a B2B2C_SEGMENT_* (B2B2C_SEGMENT_UNKNOWN when no rule
 *             holds); its group is b2b2c_segment_group(*segment).
 * confidence  receives a value in [0, 1] (0 for unknown); may be NULL.
 *
 * The explanation of the last classify (the deciding rule, a reason naming
 * the attribute values, the missing attributes that would settle it) is
 * read with b2b2c_segmenter_last_*. Returns 0 or B2B2C_EINVAL (NULL).
 */
B2B2C_API int b2b2c_segmenter_classify(int32_t *segment, double *confidence,
                                       b2b2c_segmenter *s,
                                       const b2b2c_segment_attrs *attrs);
/* The deciding rule of the last classify or assign ("" when unknown). Owned
 * by the segmenter, valid until its next call. NULL s gives "". */
B2B2C_API const char *b2b2c_segmenter_last_rule(const b2b2c_segmenter *s);
/* The reason: the rule and the attribute values it read, conflicts, and the
 * missing attributes. Same ownership as last_rule. */
B2B2C_API const char *b2b2c_segmenter_last_reason(const b2b2c_segmenter *s);
/* The mask of missing attributes (bit a-1 for attribute a) whose values
 * could change the last classification; 0 when no rule ranked above the
 * decision could still give another segment. */
B2B2C_API uint32_t b2b2c_segmenter_last_missing(const b2b2c_segmenter *s);

/*
 * Classify n accounts given as rows (the bulk path; FFI-friendly: a numpy
 * array of shape (n, 9) and a uint32 array).
 *
 * segments     n int32 outputs.
 * confidences  n double outputs, or NULL.
 * values       n * B2B2C_SEG_ATTR_COUNT doubles, row-major: row i holds
 *              attribute a at values[i * 9 + a - 1] (kinds and party types
 *              as their numbers).
 * present      n masks: bit a-1 set when attribute a of row i is present;
 *              the value of an absent attribute is ignored (any bits, NaN
 *              included). Present values are validated as by the setters.
 *
 * With only the default rules this runs a compiled path (no allocation, no
 * hashing); with host rules it runs the rule table, giving the same results
 * as b2b2c_segmenter_classify. Does not change last_*. Rows are checked
 * and classified in order, in one pass over the input: on a bad row the
 * call fails, that row and every row after it are untouched, and the rows
 * before it have been written (an exception to "out-parameters only on
 * success", docs/conventions.md: a pass that checked every row first read
 * the input twice and cost 13%).
 * Errors: B2B2C_EINVAL (NULL with n > 0; a bad present value: the message
 * names the row and attribute), B2B2C_ERANGE, a storage code.
 */
B2B2C_API int b2b2c_segmenter_classify_batch(int32_t *segments,
                                             double *confidences,
                                             b2b2c_segmenter *s, size_t n,
                                             const double *values,
                                             const uint32_t *present);

/*
 * Classify n attribute sets (an array of handles, for hosts that already
 * hold b2b2c_segment_attrs objects). Same results and paths as classify_batch.
 * Errors: B2B2C_EINVAL (NULL with n > 0, a NULL element: the message names
 * its index; no output is written), a storage code.
 */
B2B2C_API int
b2b2c_segmenter_classify_sets(int32_t *segments, double *confidences,
                              b2b2c_segmenter *s, size_t n,
                              const b2b2c_segment_attrs *const *sets);

/* ---- assignments and migrations ----------------------------------------- */

/*
 * Classify an account and record its segment at time `now` (Unix seconds).
 * A history entry (time, segment, rule-set version, rule, confidence) is
 * added when the segment or the rule-set version differs from the
 * account's current entry; otherwise nothing is written.
 *
 * segment  receives the assigned segment; may be NULL.
 * Errors: B2B2C_EINVAL (NULL), B2B2C_EBADID (account_id), B2B2C_ERANGE (now
 * outside [B2B2C_TIME_MIN, B2B2C_TIME_MAX] or before the account's last
 * entry, the message naming both times), B2B2C_ESTATE (from a callback),
 * B2B2C_ENOMEM, storage codes; nothing changes on error.
 */
B2B2C_API int b2b2c_segmenter_assign(int32_t *segment, b2b2c_segmenter *s,
                                     const char *account_id,
                                     const b2b2c_segment_attrs *attrs,
                                     int64_t now);
/* Record a segment chosen by the host (rule "manual", confidence 1), with
 * the same history rules and errors as b2b2c_segmenter_assign, and
 * B2B2C_EINVAL for an unknown segment. */
B2B2C_API int b2b2c_segmenter_assign_segment(b2b2c_segmenter *s,
                                             const char *account_id,
                                             int32_t segment, int64_t now);

/*
 * Erase an account (GDPR Art. 17; docs/privacy.md): its assignment history
 * leaves memory and storage, and the change log forgets its key like
 * b2b2c_lead_erase. What stays: the rules and routes (no account in them);
 * b2b2c_segmenter_migrations no longer counts the account's moves.
 * B2B2C_EINVAL (NULL), B2B2C_EBADID, B2B2C_ENOTFOUND ("account_id: ..."),
 * B2B2C_ENOMEM, storage codes; nothing changes on error. Since 1.1.
 */
B2B2C_API int b2b2c_segmenter_erase(b2b2c_segmenter *s,
                                    const char *account_id);
/* The current assignment of an account: segment, the time it was recorded,
 * the rule-set version then (pointers may be NULL). Errors: B2B2C_EINVAL,
 * B2B2C_EBADID, B2B2C_ENOTFOUND. */
B2B2C_API int b2b2c_segmenter_assignment(int32_t *segment, int64_t *since,
                                         int64_t *version,
                                         const b2b2c_segmenter *s,
                                         const char *account_id);

/* An account in b2b2c_segmenter_list_accounts: its current assignment as
 * b2b2c_segmenter_assignment reads it (segment, since, version). */
typedef int (*b2b2c_seg_account_cb)(const char *account_id, int32_t segment,
                                    int64_t since, int64_t version,
                                    void *userdata);

/*
 * Every assigned account, in account ID order (bytewise). Filter: segment
 * (B2B2C_SEGMENT_*, -1 = any) of the current assignment. The account ID
 * is valid during the callback only; a non-zero return stops the listing
 * and is returned; a mutating call on the context from the callback gets
 * B2B2C_ESTATE. Errors: B2B2C_EINVAL (s or cb NULL, unknown segment),
 * B2B2C_ENOMEM, or the callback's code.
 */
B2B2C_API int b2b2c_segmenter_list_accounts(const b2b2c_segmenter *s,
                                            int32_t segment,
                                            b2b2c_seg_account_cb cb,
                                            void *userdata);

/* One history entry or migration. from_segment is the previous segment
 * (B2B2C_SEGMENT_UNKNOWN with no previous entry); rule is the deciding
 * rule's name, valid during the callback. */
typedef int (*b2b2c_seg_change_cb)(const char *account_id, int64_t time,
                                   int32_t from_segment, int32_t to_segment,
                                   int64_t version, const char *rule,
                                   double confidence, void *userdata);
/* An account's history, oldest first. Errors: B2B2C_EINVAL, B2B2C_EBADID,
 * B2B2C_ENOTFOUND, or the callback's non-zero code. */
B2B2C_API int b2b2c_segmenter_history(b2b2c_segmenter *s,
                                      const char *account_id,
                                      b2b2c_seg_change_cb cb, void *userdata);
/* Every migration (a history entry whose segment differs from the one
 * before it) recorded at or after `since`, ordered by time, then account ID,
 * then history position. Mutating calls on the segmenter from the callback
 * return B2B2C_ESTATE. Errors: B2B2C_EINVAL, B2B2C_ENOMEM, or the
 * callback's code. */
B2B2C_API int b2b2c_segmenter_migrations(b2b2c_segmenter *s, int64_t since,
                                         b2b2c_seg_change_cb cb,
                                         void *userdata);

/* ---- routing recommendation --------------------------------------------- */

/*
 * Where a lead of `segment` in `band` (B2B2C_BAND_*; unknown is treated as
 * cold) should go, and the channel kind that fits it. The table is the
 * default (docs/segments.md) with the host's overrides on top. While the
 * dealer policy is on no consumer lead goes to direct sales.
 * Errors: B2B2C_EINVAL (NULL, unknown segment or band).
 */
B2B2C_API int b2b2c_segmenter_route(int32_t *dest, int32_t *channel_kind,
                                    const b2b2c_segmenter *s, int32_t segment,
                                    int32_t band);
/* Override one cell (persisted). Errors: B2B2C_EINVAL (NULL, unknown
 * segment, band, destination or channel kind; NONE is not allowed),
 * B2B2C_ESTATE (a consumer cell to direct sales while the dealer policy is
 * on; called from a callback), storage codes. */
B2B2C_API int b2b2c_segmenter_route_set(b2b2c_segmenter *s, int32_t segment,
                                        int32_t band, int32_t dest,
                                        int32_t channel_kind);
/* Drop the override of one cell (back to the default); 0 when there was
 * none. Errors as route_set. */
B2B2C_API int b2b2c_segmenter_route_reset(b2b2c_segmenter *s, int32_t segment,
                                          int32_t band);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_SEGMENT_H */
