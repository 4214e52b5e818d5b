/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c dealer allocation engine: route consumer leads to dealers by
 * territory, location, product line, capacity and measured performance,
 * with acceptance deadlines, re-routing, an audit trail and scorecards.
 *
 * A dealer has a host ID, a tier weight, territories (region codes such as
 * "RU" or "RU-MOW"; a code matches its children, so a dealer of "RU" is a
 * candidate for a lead in "RU-MOW"), an optional location with a service
 * radius, product lines, a capacity (open leads at once), a daily quota, a
 * status and an acceptance deadline. A lead is offered to one dealer at a
 * time; the dealer accepts or declines, or lets the deadline pass, after
 * which b2b2c_dealer_expire re-routes it to the next eligible dealer. Won
 * and lost outcomes feed each dealer's Beta posterior of conversion, which
 * the performance and Thompson policies use. Every routing decision is
 * persisted in an audit trail.
 *
 * Threads: a handle is used by one thread at a time, together with the
 * context it was opened on (see common.h). Callbacks run on the calling
 * thread after the call has committed; a callback that calls a mutating
 * function of the library on the same context gets B2B2C_ESTATE.
 *
 * Times are Unix seconds (`now` within +-2^52, else B2B2C_ERANGE).
 *
 * Many contexts on one database (common.h, docs/storage.md): engines
 * opened on contexts that share a store decide as one engine would. Every
 * mutating call checks the lead's state, the dealer's capacity and daily
 * quota and the audit sequence on what every context committed before it
 * (a dealer with capacity 1 never holds two open leads, audit sequences
 * are unique), and the round-robin order and the generator of the random
 * policies (b2b2c_dealer_seed) are shared through the database: the same
 * calls in the same commit order give the same decisions from any mix of
 * contexts. Every read (getters, listings, audit, statistics, scorecards)
 * first applies what the others committed, so it can also return the
 * storage's code or B2B2C_ECORRUPT. Contexts should use one UTC offset
 * (b2b2c_ctx_set_utc_offset): it is not stored, and it decides the days of
 * the daily quotas.
 *
 * Strings returned through `const char **` or passed to callbacks are owned
 * by the engine and stay valid until b2b2c_dealer_free (dealers and leads are
 * never deleted from an open engine).
 */
#ifndef B2B2C_DEALER_H
#define B2B2C_DEALER_H

#include "b2b2c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct b2b2c_dealer_engine b2b2c_dealer_engine;

/* Routing policies (value of B2B2C_DEALER_PARAM_POLICY). */
enum {
    B2B2C_DEALER_POLICY_ROUND_ROBIN = 0, /* least recently offered first   */
    B2B2C_DEALER_POLICY_TIER = 1,        /* random, weight = tier weight   */
    B2B2C_DEALER_POLICY_PERFORMANCE = 2, /* random, (tier x posterior)^k   */
    B2B2C_DEALER_POLICY_THOMPSON = 3     /* argmax of tier x Beta draw     */
};

/* Parameters (b2b2c_dealer_set_param); dealer module range 300-399. */
enum {
    B2B2C_DEALER_PARAM_POLICY = 300,           /* 0..3, default 2          */
    B2B2C_DEALER_PARAM_MAX_SHARE = 301,        /* (0,1], default 0.5       */
    B2B2C_DEALER_PARAM_SHARE_PERIOD_DAYS = 302,/* 1..366, default 30       */
    B2B2C_DEALER_PARAM_SHARE_MIN_LEADS = 303,  /* 0..1e9, default 20       */
    B2B2C_DEALER_PARAM_PRIOR_STRENGTH = 304,   /* 0.1..1e6, default 10     */
    B2B2C_DEALER_PARAM_NEW_DEALER_LEADS = 305, /* 0..1e9, default 10       */
    B2B2C_DEALER_PARAM_NEW_DEALER_FLOOR = 306, /* 0..1, default 0.5        */
    B2B2C_DEALER_PARAM_PERF_EXPONENT = 307,    /* 1..64, default 4         */
    B2B2C_DEALER_PARAM_DIRECT_FALLBACK = 308,  /* 0 or 1, default 0        */
    B2B2C_DEALER_PARAM_CREDIBLE_LEVEL = 309,   /* 0.5..0.999, default 0.95 */
    /* 1.1: the customer-of-record protection window (days from the win);
     * 0 turns the protection off (wins then make no owner) */
    B2B2C_DEALER_PARAM_OWNER_DAYS = 310,       /* 0..3650, default 365     */
    /* 1.1: a deal registration's protection window (days from its
     * submission, and again from its approval) */
    B2B2C_DEALER_PARAM_REG_DAYS = 311,         /* 1..3650, default 90      */
    /* 1.1: audit entries older than this many days before the `now` of
     * b2b2c_dealer_prune are pruned by it; 0 keeps every entry
     * (docs/dealer-allocation.md, "Audit retention") */
    B2B2C_DEALER_PARAM_AUDIT_DAYS = 312,       /* 0..36500 whole, def. 730 */
    /* 1.1: days a lead whose offer is resolved (won, lost, direct) stays
     * in memory before b2b2c_dealer_close_due moves it to storage (its
     * audit entries, until pruned, with a compact stub of it)
     * (docs/dealer-allocation.md, "Closing resolved leads") */
    B2B2C_DEALER_PARAM_CLOSE_DAYS = 313        /* 1..36500 whole, def. 180 */
};

/* Dealer status. */
enum {
    B2B2C_DEALER_ACTIVE = 0,
    B2B2C_DEALER_PAUSED = 1,     /* until paused_until, then active again */
    B2B2C_DEALER_OFFBOARDED = 2  /* never routed to again                 */
};

/* Lead states (b2b2c_dealer_lead_state). */
enum {
    B2B2C_DEALER_LEAD_OFFERED = 1,  /* waiting for the dealer's answer     */
    B2B2C_DEALER_LEAD_ACCEPTED = 2,
    B2B2C_DEALER_LEAD_WON = 3,
    B2B2C_DEALER_LEAD_LOST = 4,
    B2B2C_DEALER_LEAD_RECALLED = 5, /* taken back by the manufacturer      */
    B2B2C_DEALER_LEAD_UNROUTED = 6, /* re-routing found nobody; route again */
    B2B2C_DEALER_LEAD_DIRECT = 7    /* direct-sales fallback (enabled, nobody
                                       eligible)                          */
};

/* Why a routing ended as it did (reason_out, audit field REASON). */
enum {
    B2B2C_DEALER_REASON_ROUTED = 0,
    B2B2C_DEALER_REASON_NO_TERRITORY = 1, /* no dealer covers region/location */
    B2B2C_DEALER_REASON_ALL_PAUSED = 2,   /* all covering dealers inactive    */
    B2B2C_DEALER_REASON_NO_PRODUCT = 3,   /* none of the active ones sells it */
    B2B2C_DEALER_REASON_ALL_DECLINED = 4, /* all declined or let it expire    */
    B2B2C_DEALER_REASON_ALL_AT_CAPACITY = 5, /* all at capacity or quota      */
    B2B2C_DEALER_REASON_DIRECT = 6,       /* nobody eligible; direct fallback */
    B2B2C_DEALER_REASON_OWNER = 7,        /* 1.1: the customer's dealer of
                                             record (b2b2c_dealer_owner) */
    B2B2C_DEALER_REASON_REGISTERED = 8,   /* 1.1: the holder of the key's
                                             approved deal registration */
    B2B2C_DEALER_REASON_NO_SERVICE = 9    /* 1.1: a service request, and no
                                             covering dealer is certified
                                             for the service and product
                                             line (b2b2c_dealer_certify) */
};

/* Service kinds of a service request (b2b2c_dealer_route_service) and of a
 * certification (b2b2c_dealer_certify), 1.1: the services the source
 * document names (docs/dealer-allocation.md, "Service partners"). 0 is no
 * service (audit field SERVICE of an ordinary lead). Values are only
 * appended. */
enum {
    B2B2C_DEALER_SERVICE_INSTALL = 1,     /* installation, fitting        */
    B2B2C_DEALER_SERVICE_REPAIR = 2,      /* repair of a failed unit      */
    B2B2C_DEALER_SERVICE_MAINTENANCE = 3, /* scheduled servicing          */
    B2B2C_DEALER_SERVICE_TRAINING = 4,    /* training the customer's staff */
    B2B2C_DEALER_SERVICE_WARRANTY = 5     /* extended-warranty work       */
};
#define B2B2C_DEALER_NSERVICE 6 /* service kinds are 1..NSERVICE-1 */

/* What routing did with the customer's dealer of record (audit field
 * OWNER, 1.1): NONE when the lead has no customer key or the customer no
 * owner at the time; CHOSEN when the lead went to the owner; else why the
 * owner was skipped (the normal policy then decided, reason as usual).
 * Without an owner, the holder of the key's live approved deal
 * registration takes the owner's place (reason REGISTERED when chosen). */
enum {
    B2B2C_DEALER_OWNER_NONE = 0,
    B2B2C_DEALER_OWNER_CHOSEN = 1,
    B2B2C_DEALER_OWNER_SKIP_INACTIVE = 2, /* paused or off-boarded          */
    B2B2C_DEALER_OWNER_SKIP_PRODUCT = 3,  /* no longer sells the product    */
    B2B2C_DEALER_OWNER_SKIP_TRIED = 4,    /* declined it or let it expire   */
    B2B2C_DEALER_OWNER_SKIP_CAPACITY = 5, /* open leads at capacity         */
    B2B2C_DEALER_OWNER_SKIP_QUOTA = 6,    /* daily quota used up            */
    B2B2C_DEALER_OWNER_SKIP_SERVICE = 7   /* a service request, and the owner
                                             is not certified for it       */
};

/* A customer key: 1..B2B2C_DEALER_CUSTOMER_KEY_MAX opaque bytes (1.1). */
#define B2B2C_DEALER_CUSTOMER_KEY_MAX 64

/* Audit decision kinds (audit field KIND). */
enum {
    B2B2C_DEALER_KIND_ROUTE = 1,   /* b2b2c_dealer_route                   */
    B2B2C_DEALER_KIND_DECLINE = 2, /* re-routing after a decline           */
    B2B2C_DEALER_KIND_EXPIRE = 3,  /* re-routing after an expired deadline */
    B2B2C_DEALER_KIND_OFFBOARD = 4, /* re-routing after b2b2c_dealer_offboard
                                       (1.1)                               */
    B2B2C_DEALER_KIND_MERGE = 5     /* 1.1: b2b2c_dealer_merge_lead joined
                                       another lead into this one (no
                                       dealer; CANDIDATES = the decisions
                                       joined)                             */
};

/* Fields of an audit record (the `fields` array of b2b2c_dealer_audit_cb). */
enum {
    B2B2C_DEALER_AUDIT_SEQ = 0,        /* decision number, 1, 2, ...        */
    B2B2C_DEALER_AUDIT_TIME = 1,       /* Unix seconds                      */
    B2B2C_DEALER_AUDIT_KIND = 2,       /* B2B2C_DEALER_KIND_*               */
    B2B2C_DEALER_AUDIT_POLICY = 3,     /* B2B2C_DEALER_POLICY_*             */
    B2B2C_DEALER_AUDIT_CANDIDATES = 4, /* dealers covering the lead         */
    B2B2C_DEALER_AUDIT_ELIGIBLE = 5,   /* of which eligible                 */
    B2B2C_DEALER_AUDIT_WEIGHT = 6,     /* chosen dealer's weight or score   */
    B2B2C_DEALER_AUDIT_RANK = 7,       /* its rank by weight, 1 = best; 0   */
    B2B2C_DEALER_AUDIT_REASON = 8,     /* B2B2C_DEALER_REASON_*             */
    B2B2C_DEALER_AUDIT_SKIP_INACTIVE = 9,  /* paused or off-boarded         */
    B2B2C_DEALER_AUDIT_SKIP_PRODUCT = 10,  /* does not sell the product     */
    B2B2C_DEALER_AUDIT_SKIP_TRIED = 11,    /* declined it or let it expire  */
    B2B2C_DEALER_AUDIT_SKIP_CAPACITY = 12, /* open leads at capacity        */
    B2B2C_DEALER_AUDIT_SKIP_QUOTA = 13,    /* daily quota used up           */
    B2B2C_DEALER_AUDIT_SKIP_SHARE = 14,    /* over its maximum share        */
    B2B2C_DEALER_AUDIT_OWNER = 15,         /* 1.1: B2B2C_DEALER_OWNER_*     */
    B2B2C_DEALER_AUDIT_SERVICE = 16,       /* 1.1: B2B2C_DEALER_SERVICE_* of
                                              a service request, else 0     */
    B2B2C_DEALER_AUDIT_NFIELDS = 17        /* 15 in 1.0: read nfields       */
};

/* Fields of a dealer's lifetime statistics (b2b2c_dealer_stats). */
enum {
    B2B2C_DEALER_STAT_OFFERED = 0,
    B2B2C_DEALER_STAT_ACCEPTED = 1,
    B2B2C_DEALER_STAT_DECLINED = 2,
    B2B2C_DEALER_STAT_EXPIRED = 3,  /* expired unaccepted                 */
    B2B2C_DEALER_STAT_WON = 4,
    B2B2C_DEALER_STAT_LOST = 5,
    B2B2C_DEALER_STAT_RECALLED = 6,
    B2B2C_DEALER_STAT_OPEN = 7,     /* offered or accepted, not closed    */
    B2B2C_DEALER_STAT_REVENUE = 8,
    B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS = 9, /* NaN when none accepted  */
    B2B2C_DEALER_STAT_POSTERIOR_MEAN = 10, /* conversion per resolved offer */
    B2B2C_DEALER_STAT_DECLINE_REASON0 = 11, /* declines with reason 0..7  */
    B2B2C_DEALER_STAT_NFIELDS = 19
};

/* Fields of a scorecard row (b2b2c_dealer_scorecard_cb). The cohort is the
 * offers the dealer received in [from, to); outcomes are as of now. */
enum {
    B2B2C_DEALER_SC_OFFERED = 0,
    B2B2C_DEALER_SC_ACCEPTED = 1,
    B2B2C_DEALER_SC_ACCEPT_RATE = 2,       /* accepted / offered          */
    B2B2C_DEALER_SC_MEDIAN_ACCEPT_HOURS = 3, /* NaN when none accepted    */
    B2B2C_DEALER_SC_EXPIRED = 4,
    B2B2C_DEALER_SC_DECLINED = 5,
    B2B2C_DEALER_SC_WON = 6,
    B2B2C_DEALER_SC_LOST = 7,
    B2B2C_DEALER_SC_CONVERSION = 8,        /* won / resolved offers, NaN  */
    B2B2C_DEALER_SC_CONV_MEAN = 9,         /* posterior mean              */
    B2B2C_DEALER_SC_CONV_LOW = 10,         /* credible interval bounds    */
    B2B2C_DEALER_SC_CONV_HIGH = 11,
    B2B2C_DEALER_SC_REVENUE = 12,
    B2B2C_DEALER_SC_SHARE_LEADS = 13,      /* of all offers in the period */
    B2B2C_DEALER_SC_SHARE_WON = 14,        /* of all wins of the cohort   */
    B2B2C_DEALER_SC_RANK = 15,             /* by posterior mean, 1 = best */
    B2B2C_DEALER_SC_GAP_TO_MEDIAN = 16,    /* posterior mean - network median */
    B2B2C_DEALER_SC_OWNER_KEPT = 17,       /* 1.1: leads routed to the dealer
                                              as the customer's owner
                                              (channel conflicts avoided) */
    /* 1.1, deal registrations the dealer submitted in [from, to), their
     * state as stored (a lapsed registration counts as expired once
     * b2b2c_dealer_reg_expire or a new registration of its key marked it) */
    B2B2C_DEALER_SC_REG_SUBMITTED = 18,
    B2B2C_DEALER_SC_REG_APPROVED = 19,     /* approved at some time       */
    B2B2C_DEALER_SC_REG_WON = 20,
    B2B2C_DEALER_SC_REG_EXPIRED = 21,
    B2B2C_DEALER_SC_OWNER_LOST = 22,       /* 1.1: leads of the dealer's
                                              customers routed elsewhere
                                              because it was skipped (audit
                                              field OWNER 2..7), by the
                                              decision's time             */
    B2B2C_DEALER_SC_SERVICE_JOBS = 23,     /* 1.1: service requests offered
                                              to the dealer               */
    B2B2C_DEALER_SC_NFIELDS = 24           /* 17 in 1.0: read nfields     */
};

/* ---- handle ---------------------------------------------------------- */

/*
 * Open the engine on `ctx`, loading dealers, leads, statistics, the audit
 * trail, parameters and the random generator's state from the context's
 * storage (tables dealer_*). A new store starts with default parameters and
 * seed 0.
 *
 * Returns 0, B2B2C_EINVAL (out or ctx NULL), B2B2C_ENOMEM, B2B2C_ECORRUPT or
 * B2B2C_EVERSION (a stored record; the message names table and key), or the
 * storage's code. *out is NULL on failure.
 */
B2B2C_API int b2b2c_dealer_new(b2b2c_dealer_engine **out, b2b2c_ctx *ctx);

/* Free the engine (NULL is fine). An open transaction group on its context
 * is rolled back first. */
B2B2C_API void b2b2c_dealer_free(b2b2c_dealer_engine *e);

/*
 * Seed the engine's random generator (tier, performance and Thompson
 * policies draw from it). The state is persisted, so the same sequence of
 * calls gives the same decisions after a reopen. Returns 0, B2B2C_EINVAL or
 * a storage code.
 */
B2B2C_API int b2b2c_dealer_seed(b2b2c_dealer_engine *e, uint64_t seed);

/*
 * Set parameter `param` (B2B2C_DEALER_PARAM_*) to `value`; persisted.
 * Bounds and defaults: b2b2c_param_bounds (MAX_SHARE's lower bound 0 is
 * exclusive). Returns 0, B2B2C_EINVAL (e NULL, unknown param, NaN/inf),
 * B2B2C_ERANGE (outside the bounds, or fractional for a whole parameter:
 * policy, direct fallback) or a storage code.
 */
B2B2C_API int b2b2c_dealer_set_param(b2b2c_dealer_engine *e, int32_t param,
                                     double value);

/* The current value of `param` in *out. Returns 0 or B2B2C_EINVAL. */
B2B2C_API int b2b2c_dealer_get_param(double *out,
                                     const b2b2c_dealer_engine *e,
                                     int32_t param);

/* ---- dealers --------------------------------------------------------- */

/*
 * Create or update dealer `dealer_id` (its statistics are kept on update).
 *
 * tier_weight     relative weight, > 0 and <= 1e6.
 * territories     region codes separated by ';' ("RU-MOW;RU-SPE"), may be
 *                 "" for a dealer matched by radius only. A code is 1..63
 *                 bytes of [A-Za-z0-9_] segments joined by '-'; at most 256
 *                 codes.
 * product_lines   product-line IDs separated by ';' (at most 64), or "" for
 *                 every product line.
 * capacity        open (offered or accepted) leads at once, 0..1,000,000.
 * daily_quota     offers per day, 1..1,000,000, or 0 for no quota; days
 *                 (and share periods) start at midnight in the context's
 *                 UTC offset (b2b2c_ctx_set_utc_offset).
 * deadline_hours  time to accept an offer, (0, 8760].
 *
 * Returns 0, B2B2C_EINVAL (NULL, NaN/inf), B2B2C_EBADID (dealer ID, a
 * territory code or product line malformed), B2B2C_ERANGE (a number out of
 * range, naming it), B2B2C_ENOMEM or a storage code.
 */
B2B2C_API int b2b2c_dealer_put(b2b2c_dealer_engine *e, const char *dealer_id,
                               double tier_weight, const char *territories,
                               const char *product_lines, int32_t capacity,
                               int32_t daily_quota, double deadline_hours);

/*
 * Set or clear a dealer's location: latitude -90..90, longitude -180..180
 * (degrees), service radius (0, 1000] km; radius 0 clears the location.
 * A lead with a location then matches dealers whose haversine distance is
 * within their radius, in addition to territory matches.
 * Returns 0, B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND, B2B2C_ERANGE,
 * B2B2C_ENOMEM or a storage code.
 */
B2B2C_API int b2b2c_dealer_set_location(b2b2c_dealer_engine *e,
                                        const char *dealer_id, double lat,
                                        double lon, double radius_km);

/*
 * Set a dealer's status (B2B2C_DEALER_ACTIVE, _PAUSED, _OFFBOARDED).
 * paused_until (Unix seconds, in the library's time range) is used with
 * PAUSED: the dealer is eligible again from that time on. An off-boarded
 * dealer cannot be re-activated (B2B2C_ESTATE); its open offers stay until
 * answered, expired or recalled (b2b2c_dealer_offboard, 1.1, also
 * re-routes them). Returns 0, B2B2C_EINVAL (unknown status),
 * B2B2C_EBADID, B2B2C_ENOTFOUND, B2B2C_ESTATE, B2B2C_ERANGE (paused_until
 * outside the range, with PAUSED) or a storage code.
 */
B2B2C_API int b2b2c_dealer_set_status(b2b2c_dealer_engine *e,
                                      const char *dealer_id, int32_t status,
                                      int64_t paused_until);

/* A dealer in b2b2c_dealer_list: its stored status (B2B2C_DEALER_*),
 * paused_until (meaningful with PAUSED, else 0), tier weight, capacity and
 * open (offered or accepted) leads. */
typedef int (*b2b2c_dealer_list_cb)(const char *dealer_id, int32_t status,
                                    int64_t paused_until, double tier_weight,
                                    int32_t capacity, int64_t open_offers,
                                    void *userdata);

/*
 * Every dealer, in dealer ID order (bytewise). Filter: status
 * (B2B2C_DEALER_*, -1 = any); the stored status is reported (a PAUSED
 * dealer stays PAUSED past paused_until). The dealer ID is valid during
 * the callback only; a non-zero return stops the listing and is returned;
 * a mutating call on the context from the callback gets B2B2C_ESTATE.
 * Returns 0, B2B2C_EINVAL (e or cb NULL, unknown status), B2B2C_ENOMEM or
 * the callback's code.
 */
B2B2C_API int b2b2c_dealer_list(const b2b2c_dealer_engine *e, int32_t status,
                                b2b2c_dealer_list_cb cb, void *userdata);

/* Number of dealers (all statuses). */
B2B2C_API int b2b2c_dealer_count(size_t *out, const b2b2c_dealer_engine *e);

/*
 * Lifetime statistics of a dealer into out[0..n) (B2B2C_DEALER_STAT_*;
 * fields beyond n are not written, n may be smaller than NFIELDS).
 * Returns 0, B2B2C_EINVAL, B2B2C_EBADID or B2B2C_ENOTFOUND.
 */
B2B2C_API int b2b2c_dealer_stats(double *out, size_t n,
                                 b2b2c_dealer_engine *e,
                                 const char *dealer_id);

/* ---- leads ------------------------------------------------------------ */

/*
 * Route a lead and offer it to the chosen dealer.
 *
 * dealer_out    receives the chosen dealer's ID, or NULL when the lead went
 *               to the direct-sales fallback; untouched on failure.
 * reason_out    optional; receives B2B2C_DEALER_REASON_* on success and on
 *               B2B2C_ENODEALER (saying why nobody was eligible); untouched
 *               on any other failure.
 * lead_id       a new lead, or one left UNROUTED by an earlier re-routing
 *               (routed again with the region, location, product line,
 *               segment and band stored when it was first routed; the
 *               dealers that declined it or let it expire stay excluded).
 * region        the lead's region code ("RU-MOW-01"); it and its ancestors
 *               ("RU-MOW", "RU") are looked up.
 * has_location  1 when lat/lon (degrees) are given, else 0 (lat/lon are
 *               then ignored).
 * product_line  the product line, or "" / NULL for any dealer.
 * segment, band B2B2C_SEGMENT_* and B2B2C_BAND_* (recorded with the lead).
 * now           Unix seconds in [B2B2C_TIME_MIN, B2B2C_TIME_MAX]
 *               (common.h); the deadline is now + the dealer's hours.
 *
 * Eligible: active (or paused until <= now), territory or radius match,
 * sells the product line, under capacity and daily quota, has not declined
 * this lead or let it expire, and under its maximum share unless every
 * otherwise eligible dealer is over it. The manufacturer never takes the
 * lead while a dealer is eligible: with nobody eligible the call fails with
 * B2B2C_ENODEALER and changes nothing, unless DIRECT_FALLBACK is 1, in which
 * case the lead is recorded as DIRECT, *dealer_out is NULL and the decision
 * is audited.
 *
 * Returns 0, B2B2C_EINVAL, B2B2C_EBADID (lead ID, region, product line),
 * B2B2C_ERANGE (location, segment, band, now outside the time range or,
 * for an unrouted lead, before its first routing),
 * B2B2C_EEXISTS (lead already
 * routed and not UNROUTED), B2B2C_ENODEALER, B2B2C_ENOMEM or a storage code.
 */
B2B2C_API int b2b2c_dealer_route(const char **dealer_out, int32_t *reason_out,
                                 b2b2c_dealer_engine *e, const char *lead_id,
                                 const char *region, int32_t has_location,
                                 double lat, double lon,
                                 const char *product_line, int32_t segment,
                                 int32_t band, int64_t now);

/*
 * The dealer accepts the lead offered to it at `now` (in the library's
 * time range, not before the offer). Returns 0, B2B2C_EINVAL,
 * B2B2C_EBADID, B2B2C_ENOTFOUND (unknown lead or dealer), B2B2C_ESTATE (not
 * offered to this dealer, already accepted or closed), B2B2C_EEXPIRED (the
 * deadline has passed: b2b2c_dealer_expire will re-route it), B2B2C_ERANGE
 * (now outside the time range, or before the offer: the message names both
 * times) or a storage code.
 */
B2B2C_API int b2b2c_dealer_accept(b2b2c_dealer_engine *e, const char *lead_id,
                                  const char *dealer_id, int64_t now);

/*
 * The dealer declines the lead offered to it with `reason` 0..7 (host
 * defined codes, counted per dealer). The lead is re-routed at once:
 * *dealer_out receives the next dealer, or NULL when nobody is eligible (the
 * lead is then UNROUTED, or DIRECT with the fallback; *reason_out, optional,
 * says why); both are untouched on failure. Errors as b2b2c_dealer_accept,
 * and B2B2C_ERANGE for reason.
 */
B2B2C_API int b2b2c_dealer_decline(const char **dealer_out,
                                   int32_t *reason_out,
                                   b2b2c_dealer_engine *e,
                                   const char *lead_id, const char *dealer_id,
                                   int32_t reason, int64_t now);

/*
 * Re-routing report: lead, the dealer whose deadline passed, the new dealer
 * (NULL when nobody was eligible) and B2B2C_DEALER_REASON_*. A non-zero
 * return stops the reports and is returned by b2b2c_dealer_expire (the
 * re-routings themselves are already committed).
 */
typedef int (*b2b2c_dealer_reroute_cb)(const char *lead_id,
                                       const char *from_dealer,
                                       const char *to_dealer, int32_t reason,
                                       void *userdata);

/*
 * Expire every offer whose deadline is <= now, in deadline order: the dealer
 * is charged an expiry and the lead re-routed to the next eligible dealer.
 * After the call has committed, `cb` (optional) is called once per expired
 * offer. *count_out (optional) receives the number expired, only when the
 * call returns 0 (not when cb stopped the reports, although the expiries
 * are committed then).
 * Cost O(k log n) for k expired of n open offers.
 * Returns 0, B2B2C_EINVAL, B2B2C_ERANGE (now outside the library's time
 * range), B2B2C_ENOMEM, a storage code, or cb's code.
 */
B2B2C_API int b2b2c_dealer_expire(size_t *count_out, b2b2c_dealer_engine *e,
                                  int64_t now, b2b2c_dealer_reroute_cb cb,
                                  void *userdata);

/*
 * Off-board dealer `dealer_id` at `now` (docs/dealer-allocation.md,
 * "Off-boarding"): status OFFBOARDED, and every lead it holds (offered or
 * accepted, not closed) recalled from it and re-routed at `now` (audit
 * kind B2B2C_DEALER_KIND_OFFBOARD), in one transaction. `cb` (optional)
 * then reports each lead moved and *count_out (optional) their number, as
 * for b2b2c_dealer_expire. Returns 0, B2B2C_EINVAL, B2B2C_EBADID,
 * B2B2C_ENOTFOUND, B2B2C_ERANGE (now out of range, or before the offer or
 * accept of a lead it holds), B2B2C_ENOMEM, a storage code or cb's code.
 * Cost: a step per decision that chose the dealer, plus a route per lead
 * moved. Since 1.1.
 */
B2B2C_API int b2b2c_dealer_offboard(size_t *count_out,
                                    b2b2c_dealer_engine *e,
                                    const char *dealer_id, int64_t now,
                                    b2b2c_dealer_reroute_cb cb,
                                    void *userdata);

/*
 * Audit retention (docs/dealer-allocation.md, "Audit retention"): delete
 * the oldest audit entries older than B2B2C_DEALER_PARAM_AUDIT_DAYS before
 * `now`, at most `max_items` (call again while *count_out, optional,
 * equals it). Lifetime statistics, posteriors and lead states stay;
 * listings, scorecards, funnels and the median accept time then cover the
 * kept window. Returns 0, B2B2C_EINVAL, B2B2C_ERANGE, B2B2C_ENOMEM or a
 * storage code; nothing changes on error. Cost: O(max_items) storage
 * writes, plus an amortized O(1) move per entry. Since 1.1.
 */
B2B2C_API int b2b2c_dealer_prune(size_t *count_out, b2b2c_dealer_engine *e,
                                 int64_t now, size_t max_items);

/*
 * Close resolved leads (docs/dealer-allocation.md, "Closing resolved
 * leads"): a lead whose offer is resolved (won, lost or direct: no call
 * changes it any more; offered, accepted, recalled and unrouted leads
 * stay) and resolved more than B2B2C_DEALER_PARAM_CLOSE_DAYS before `now`
 * leaves memory: its record moves from table dealer_leads to
 * dealer_closed, without its customer key, and the open no longer reads
 * it. Its audit entries not pruned yet stay (until b2b2c_dealer_prune
 * removes them) with a compact "closed stub" of the lead (its ID, service
 * kind, final state, dealers, times and revenue; 1.1), their records
 * rewritten with that final state. Every audit listing, scorecard, funnel
 * and off-boarding answers as before the close. Dealers' counters,
 * posteriors, scorecards and owners stay as they were.
 * b2b2c_dealer_lead_state still answers for it from storage,
 * b2b2c_dealer_audit_lead lists its entries still kept,
 * b2b2c_dealer_erase_lead and b2b2c_dealer_merge_lead find it;
 * b2b2c_dealer_route of its ID routes a new lead (the closed record stays
 * until that one closes too and replaces it; while the closed lead's
 * entries are kept, that one does not close).
 *
 * Bounded work: the call examines at most `max` leads in memory, going on
 * from where the previous call on this handle stopped (a cursor in
 * memory, wrapping at the end): a host calls it now and then (say daily
 * with max 100,000) and every lead is looked at once per nleads / max
 * calls. Cost: O(max) memory work (plus the empty slots of the lead map
 * passed, one round at most), two storage calls per lead closed and a
 * read and a write per audit entry it still has.
 *
 * closed  receives the number of leads closed (may be 0); untouched on
 *         error.
 * e       the engine.
 * now     the caller's time (Unix seconds).
 * max     leads to examine, >= 1.
 *
 * Returns 0, B2B2C_EINVAL (NULL), B2B2C_ERANGE (now outside the library's
 * time range, max 0), B2B2C_ENOMEM or a storage code; nothing changes on
 * error. Inside a group it rolls back with the group. Since 1.1.
 */
B2B2C_API int b2b2c_dealer_close_due(size_t *closed, b2b2c_dealer_engine *e,
                                     int64_t now, size_t max);

/*
 * The manufacturer recalls an offered or accepted lead (it frees the
 * dealer's capacity and does not count in its conversion). `now` is in the
 * library's time range and not before the offer, unless the stored offer
 * time is itself outside the range (written by an older build): the recall
 * is then how such a lead is repaired. Returns 0, B2B2C_EINVAL,
 * B2B2C_EBADID, B2B2C_ENOTFOUND, B2B2C_ESTATE, B2B2C_ERANGE or a storage
 * code.
 */
B2B2C_API int b2b2c_dealer_recall(b2b2c_dealer_engine *e, const char *lead_id,
                                  int64_t now);

/*
 * Outcome of an accepted lead: won (1) or lost (0), revenue in [0,
 * B2B2C_AMOUNT_MAX] (currency units, only for won), at `now` (in the
 * library's time range, not before the accept). Updates the dealer's
 * statistics and posterior. Returns 0, B2B2C_EINVAL, B2B2C_EBADID,
 * B2B2C_ENOTFOUND (lead never offered), B2B2C_ESTATE (not accepted, or
 * already closed), B2B2C_ERANGE (revenue negative or over 1e15, won not
 * 0/1, now outside the range or before the accept) or a storage code.
 */
B2B2C_API int b2b2c_dealer_outcome(b2b2c_dealer_engine *e,
                                   const char *lead_id, int32_t won,
                                   double revenue, int64_t now);

/*
 * A lead's state (B2B2C_DEALER_LEAD_*) and current or last dealer (NULL for
 * none). Either output may be NULL. 1.1: a closed lead
 * (b2b2c_dealer_close_due) answers from its stored record (one storage
 * read); a lead in memory with the same ID (routed again) answers first.
 * Returns 0, B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND, and for a closed
 * lead B2B2C_ECORRUPT or a storage code.
 */
B2B2C_API int b2b2c_dealer_lead_state(int32_t *state_out,
                                      const char **dealer_out,
                                      b2b2c_dealer_engine *e,
                                      const char *lead_id);

/*
 * Erase lead `lead_id` (GDPR Art. 17; docs/privacy.md): an open offer is
 * closed as recalled (dated at its offer or accept), the lead's records
 * are rewritten under an anonymous name that is not valid UTF-8 (no ID, no
 * location) and the change log forgets; every dealer's counters,
 * posterior, scorecard and funnel stay as they were (audit listings show
 * the lead as ""). The ID may be routed again. 1.1: a closed lead's
 * record (b2b2c_dealer_close_due) is deleted too. Rolls back with a group.
 * Returns 0, B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND ("lead_id: ..."),
 * B2B2C_ENOMEM or a storage code; nothing changes on error. Cost: a
 * storage read and write per decision about the lead. Since 1.1.
 */
B2B2C_API int b2b2c_dealer_erase_lead(b2b2c_dealer_engine *e,
                                      const char *lead_id);

/*
 * Erase customer key `customer_key` (key_len bytes): its dealers of record
 * and deal registrations are deleted (scorecards' REG_* fields drop them),
 * the leads routed with the key keep their IDs but lose the key (in
 * memory, their lead records and their audit records: a later re-route
 * no longer goes back to an owner by it), and the change log forgets.
 * Rolls back with a group. Returns 0, B2B2C_EINVAL, B2B2C_EBADID (empty),
 * B2B2C_ERANGE (too long), B2B2C_ENOTFOUND ("customer_key: ...": no owner,
 * registration or lead has it), B2B2C_ENOMEM or a storage code; nothing
 * changes on error. Cost O(owners + registrations + leads), plus a
 * storage read and write per decision about each lead with the key.
 * Since 1.1.
 */
B2B2C_API int b2b2c_dealer_erase_customer(b2b2c_dealer_engine *e,
                                          const void *customer_key,
                                          size_t key_len);

/*
 * Merge lead `from_id` into lead `into_id`, two IDs found to be one person
 * (docs/dealer-allocation.md, "Merging leads"; b2b2c_lead_merge and
 * b2b2c_channels_merge do it in the other engines, in one group). When
 * only `from_id` is known it is renamed `into_id` with its offer, tried
 * dealers, customer key and audit records. When both are known, the one
 * further along (won, lost > accepted > offered > direct > unrouted >
 * recalled; `into_id` on a tie) keeps its state and offer, and the other's
 * open offer (offered or accepted) is recalled at `now` (its dealer: open
 * - 1, recalled + 1; no other counter moves); into's attributes are kept,
 * the declined and expired dealers of both are kept, the customer key is
 * into's, else from's. The audit records of both are joined under
 * `into_id` in decision order, and one record of kind
 * B2B2C_DEALER_KIND_MERGE (no dealer, CANDIDATES = from's decisions
 * joined) is appended; it does not name `from_id`, which is then unknown
 * and may be routed again. Scorecards and funnels count an offer of the
 * lead that did not keep its state as recalled (or declined or expired
 * when it was). Other contexts reload the engine on their next call.
 * Rolls back with a group.
 * e        the engine.
 * from_id  the lead that goes (a valid ID, routed before).
 * into_id  the lead that stays (a valid ID; need not be known).
 * now      Unix seconds: the time of the recall and of the MERGE record.
 * Returns 0, B2B2C_EINVAL (e, from_id or into_id NULL, or from_id ==
 * into_id), B2B2C_EBADID, B2B2C_ENOTFOUND ("from_id: ..."), B2B2C_ERANGE
 * (now outside the time range or before the last decision, offer, accept
 * or close of either lead), B2B2C_ESTATE (both leads closed with an
 * outcome, won or lost: one of them would stop counting), B2B2C_ENOMEM or
 * a storage code; nothing changes on error. Cost: O(decisions about both
 * leads), plus a storage read and write per decision about `from_id`.
 * A closed `from_id` (b2b2c_dealer_close_due: resolved, no offer, no
 * audit entry) is not in memory: its closed record is deleted when
 * `into_id` is known (in memory or closed), else renamed `into_id`; no
 * MERGE record is written. A closed `into_id` with `from_id` in memory
 * counts as unknown (its closed record stays, as for a route of its ID).
 * Since 1.1.
 */
B2B2C_API int b2b2c_dealer_merge_lead(b2b2c_dealer_engine *e,
                                      const char *from_id,
                                      const char *into_id, int64_t now);

/* ---- audit trail and scorecards -------------------------------------- */

/* One audit record: the lead ("" once erased, 1.1: b2b2c_dealer_erase_lead),
 * the chosen dealer (NULL for none/direct) and
 * `nfields` values (B2B2C_DEALER_AUDIT_*). Non-zero return stops the
 * iteration. Minor versions append fields, so `nfields` grows (15 in 1.0,
 * 17 in 1.1): read the fields you know and at most `nfields`, never copy
 * `nfields` values into an array sized by the constant you were built
 * with. */
typedef int (*b2b2c_dealer_audit_cb)(const char *lead_id,
                                     const char *dealer_id,
                                     const double *fields, size_t nfields,
                                     void *userdata);

/* Every decision about a lead, oldest first. Returns 0, B2B2C_EINVAL,
 * B2B2C_EBADID, B2B2C_ENOTFOUND or cb's code. 1.1: a closed lead
 * (b2b2c_dealer_close_due) has none (0, cb not called; one storage
 * read). */
B2B2C_API int b2b2c_dealer_audit_lead(b2b2c_dealer_engine *e,
                                      const char *lead_id,
                                      b2b2c_dealer_audit_cb cb, void *userdata);

/* Every decision that chose a dealer, oldest first. Returns 0,
 * B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND or cb's code. */
B2B2C_API int b2b2c_dealer_audit_dealer(b2b2c_dealer_engine *e,
                                        const char *dealer_id,
                                        b2b2c_dealer_audit_cb cb,
                                        void *userdata);

/* One scorecard row: `nfields` values (B2B2C_DEALER_SC_*; 17 in 1.0, 24
 * in 1.1: like the audit callback's, read at most `nfields`). */
typedef int (*b2b2c_dealer_scorecard_cb)(const char *dealer_id,
                                         const double *fields, size_t nfields,
                                         void *userdata);

/*
 * Scorecards of every dealer offered at least one lead in [from, to) (Unix
 * seconds), or (1.1) that submitted a deal registration in it, or lost
 * a customer's lead in it (OWNER_LOST > 0; such a row without offers has
 * ACCEPT_RATE NaN and SHARE_LEADS 0), in rank order. The network's channel
 * conflicts avoided in the period are the sum of OWNER_KEPT over the rows,
 * the customers' leads lost the sum of OWNER_LOST. Conversion is won / (won + lost + declined +
 * expired) of the cohort; its credible interval (level CREDIBLE_LEVEL) is
 * of the Beta posterior with the network prior. Cost O(offers in the
 * period + dealers log dealers).
 * Returns 0, B2B2C_EINVAL (NULL, from > to), B2B2C_ENOMEM or cb's code.
 */
B2B2C_API int b2b2c_dealer_scorecards(b2b2c_dealer_engine *e, int64_t from,
                                      int64_t to,
                                      b2b2c_dealer_scorecard_cb cb,
                                      void *userdata);

/* ---- the dealer-side funnel (1.1) ---------------------------------------
 *
 * What became of the offers made in a period, per dealer and for the
 * network, with the dealers' response times: the lead funnel's dealer
 * half (b2b2c_lead_funnel is the lead model's; docs/dealer-allocation.md,
 * "Dealer funnel"). Fields of a row, B2B2C_DEALER_FUNNEL_*: */
enum {
    B2B2C_DEALER_FUNNEL_OFFERED = 0,     /* offers made in [from, to)      */
    B2B2C_DEALER_FUNNEL_OPEN = 1,        /* of which still unanswered      */
    B2B2C_DEALER_FUNNEL_ACCEPTED = 2,    /* accepted (whatever came next)  */
    B2B2C_DEALER_FUNNEL_DECLINED = 3,
    B2B2C_DEALER_FUNNEL_EXPIRED = 4,     /* deadline passed unanswered     */
    B2B2C_DEALER_FUNNEL_RECALLED = 5,    /* taken back (before or after an
                                            acceptance)                    */
    B2B2C_DEALER_FUNNEL_WON = 6,
    B2B2C_DEALER_FUNNEL_LOST = 7,
    B2B2C_DEALER_FUNNEL_ACCEPT_RATE = 8, /* accepted / offered             */
    B2B2C_DEALER_FUNNEL_WIN_RATE = 9,    /* won / (won + lost); NaN        */
    B2B2C_DEALER_FUNNEL_RESPONSES = 10,  /* answers with a known time      */
    B2B2C_DEALER_FUNNEL_RESPONSE_P50_HOURS = 11, /* offer to accept or
                                                    decline; NaN: none     */
    B2B2C_DEALER_FUNNEL_RESPONSE_P90_HOURS = 12,
    B2B2C_DEALER_FUNNEL_CLOSE_P50_DAYS = 13, /* accept to won or lost      */
    B2B2C_DEALER_FUNNEL_CLOSE_P90_DAYS = 14,
    B2B2C_DEALER_FUNNEL_NFIELDS = 15     /* may grow in minor versions     */
};

/* One funnel row: dealer_id (NULL for the network's row, which comes
 * last) and `nfields` values (B2B2C_DEALER_FUNNEL_*; read at most
 * nfields). Non-zero return stops the listing and is returned. */
typedef int (*b2b2c_dealer_funnel_cb)(const char *dealer_id,
                                      const double *fields, size_t nfields,
                                      void *userdata);

/*
 * The dealer funnel of the offers made in [from, to) (Unix seconds): one
 * row per dealer offered at least one lead in it, in dealer ID order
 * (bytewise), then the network's row (dealer_id NULL) summing them. An
 * offer counts once, by what became of it as the engine knows it now
 * (OPEN, ACCEPTED, DECLINED, EXPIRED or RECALLED; an accepted one is also
 * WON or LOST once its outcome is recorded). Response time: from the
 * offer to the dealer's acceptance, or to its decline when the lead was
 * routed on at once (the time of that decision; a decline after which
 * nobody was eligible has no recorded time and is left out, as are
 * expiries, which are not answers). Close time: from the acceptance to
 * won or lost. Percentiles are exact, by linear interpolation between
 * order statistics (Hyndman & Fan 1996, "Sample quantiles in statistical
 * packages", The American Statistician 50(4), definition 7: numpy's and
 * R's default), NaN without data. The callback may read through the
 * library; a mutating call on the context from it gets B2B2C_ESTATE.
 * Cost O(offers in the period log offers). Returns 0, B2B2C_EINVAL (e or
 * cb NULL, from > to), B2B2C_ENOMEM, a storage code (bringing the engine
 * up to date) or the callback's code.
 */
B2B2C_API int b2b2c_dealer_funnel(b2b2c_dealer_engine *e, int64_t from,
                                  int64_t to, b2b2c_dealer_funnel_cb cb,
                                  void *userdata);

/* Static names: "round_robin", "tier", "performance", "thompson" and
 * "routed", "no_territory", "all_paused", "no_product", "all_declined",
 * "all_at_capacity", "direct", "owner", "registered" (8, 1.1),
 * "no_service" (9, 1.1); NULL for unknown values. */
B2B2C_API const char *b2b2c_dealer_policy_name(int32_t policy);
B2B2C_API const char *b2b2c_dealer_reason_name(int32_t reason);

#ifdef __cplusplus
}
#endif

/* Channel conflict protection (1.1): customers of record, deal
 * registration, service partners. */
#include "dealer_conflict.h"

#endif /* B2B2C_DEALER_H */
