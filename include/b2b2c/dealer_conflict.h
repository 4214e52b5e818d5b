/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c: channel conflict protection in the dealer engine (1.1):
 * customers of record, deal registration and service partners
 * (docs/dealer-allocation.md, "Rules of engagement"). Included by
 * b2b2c/dealer.h, which declares the engine and its types; include that
 * (or b2b2c.h), not this header alone.
 */
#ifndef B2B2C_DEALER_CONFLICT_H
#define B2B2C_DEALER_CONFLICT_H

#include "dealer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- customer of record (1.1) ------------------------------------------
 *
 * A dealer that won a customer keeps them for OWNER_DAYS per product line:
 * later leads of the same customer and product line go to that dealer
 * while it is eligible (docs/dealer-allocation.md, "Customer of record").
 * A customer is an opaque key the host computes (a hash of a normalised
 * tax ID, e-mail or phone, say): 1..B2B2C_DEALER_CUSTOMER_KEY_MAX bytes,
 * any values; the library stores the key, never personal data. An
 * ownership holds for `now` in [since, until); `now` is always the
 * caller's (the library never reads the clock).
 *
 * Errors of the calls below: B2B2C_EINVAL (NULL), B2B2C_EBADID (an empty
 * key, a malformed ID or product line), B2B2C_ERANGE (a key over the
 * maximum, now outside the time range), B2B2C_ENOTFOUND (unknown lead or
 * dealer; a customer without an owner at now), B2B2C_ESTATE (see each),
 * B2B2C_ENOMEM or a storage code; on failure nothing changed.
 */

/*
 * As b2b2c_dealer_route, for the customer `customer_key` (key_len bytes):
 * when the customer has an owner for `product_line` at `now` and that
 * dealer is eligible for the lead (active, sells the product line, under
 * capacity and daily quota, has not declined the lead; its territory is
 * not required: the customer is its), the lead goes to the owner with
 * reason B2B2C_DEALER_REASON_OWNER; else the policy decides as usual and
 * the audit field OWNER says why the owner was skipped. Without an owner
 * at now, the holder of the key's live approved deal registration for the
 * product line takes the owner's place, with reason
 * B2B2C_DEALER_REASON_REGISTERED (1.1, "Deal registration" below). The key
 * is not stored with the lead: re-routing after a decline or an expiry is
 * by the policy.
 */
B2B2C_API int b2b2c_dealer_route_customer(
    const char **dealer_out, int32_t *reason_out, b2b2c_dealer_engine *e,
    const char *lead_id, const void *customer_key, size_t key_len,
    const char *region, int32_t has_location, double lat, double lon,
    const char *product_line, int32_t segment, int32_t band, int64_t now);

/*
 * The lead `lead_id`, WON, was the customer `customer_key`'s: its dealer
 * becomes the customer's owner for the lead's product line from the won
 * outcome's time for OWNER_DAYS (replacing any owner: the latest win
 * holds). The dealer's deal registration of the key and product line, if
 * live at the win, becomes WON. B2B2C_ESTATE when the lead is not WON.
 */
B2B2C_API int b2b2c_dealer_owner_win(b2b2c_dealer_engine *e,
                                     const char *lead_id,
                                     const void *customer_key,
                                     size_t key_len);

/*
 * The customer's owner for product_line ("" or NULL: leads without a
 * product line) at `now`, into *dealer_out, *since_out and *until_out
 * (each optional). B2B2C_ENOTFOUND when there is none (never owned,
 * released or expired).
 */
B2B2C_API int b2b2c_dealer_owner(const char **dealer_out, int64_t *since_out,
                                 int64_t *until_out, b2b2c_dealer_engine *e,
                                 const void *customer_key, size_t key_len,
                                 const char *product_line, int64_t now);

/*
 * Hand the customer over to dealer `to_dealer` at `now`: a new window of
 * OWNER_DAYS starts. B2B2C_ENOTFOUND (no owner at now, unknown dealer),
 * B2B2C_ESTATE (to_dealer off-boarded, paused at now, or already the
 * owner).
 */
B2B2C_API int b2b2c_dealer_owner_transfer(b2b2c_dealer_engine *e,
                                          const void *customer_key,
                                          size_t key_len,
                                          const char *product_line,
                                          const char *to_dealer, int64_t now);

/* End the customer's ownership at `now` (B2B2C_ENOTFOUND without one). */
B2B2C_API int b2b2c_dealer_owner_release(b2b2c_dealer_engine *e,
                                         const void *customer_key,
                                         size_t key_len,
                                         const char *product_line,
                                         int64_t now);

/*
 * Import an ownership from the host's history (a migration from a CRM
 * with past wins but no routed leads here): dealer `dealer_id` owns the
 * customer for product_line ("" or NULL: leads without a product line)
 * from `since` for OWNER_DAYS, as b2b2c_dealer_owner_win would have made
 * it. The latest win holds: an owner whose window starts at or before
 * `since` (or a released one) is replaced; one that starts after `since`
 * stays and the call is B2B2C_ESTATE, so that importing wins in any order
 * gives the same owners. Importing the same row again changes nothing.
 * A paused dealer may be made owner (routing skips it while paused).
 * Errors: B2B2C_ENOTFOUND (no dealer dealer_id), B2B2C_ESTATE (dealer
 * off-boarded; a later owner, named in the message), B2B2C_ERANGE (since
 * or now outside the time range, since after now, or the window
 * since + OWNER_DAYS already over at now: nothing to import), and the
 * codes above. Cost: one map probe and one stored record.
 */
B2B2C_API int b2b2c_dealer_owner_assign(b2b2c_dealer_engine *e,
                                        const void *customer_key,
                                        size_t key_len,
                                        const char *product_line,
                                        const char *dealer_id, int64_t since,
                                        int64_t now);

/* An ownership in b2b2c_dealer_list_owners: the customer key (key_len
 * bytes, not NUL-terminated), the product line ("" for leads without
 * one), the owner and its window [since, until). */
typedef int (*b2b2c_dealer_owners_cb)(const void *customer_key,
                                      size_t key_len,
                                      const char *product_line,
                                      const char *dealer_id, int64_t since,
                                      int64_t until, void *userdata);

/*
 * Every ownership live at `now` (since <= now < until; released and
 * expired ones are left out), one callback per customer and product line,
 * in the order of the customer keys: shorter keys first, then bytewise
 * (memcmp), then product line bytewise (keys a host computes usually
 * have one length, so the order is bytewise). The strings and the key
 * are valid during the callback only; a non-zero return stops the
 * listing and is returned; a mutating call on the context from the
 * callback gets B2B2C_ESTATE. Returns 0, B2B2C_EINVAL (e or cb NULL),
 * B2B2C_ERANGE (now outside the time range), B2B2C_ENOMEM, a storage
 * code or B2B2C_ECORRUPT (bringing the handle up to date), or the
 * callback's code. Cost: O(n log n) in the owners kept (live or not).
 */
B2B2C_API int b2b2c_dealer_list_owners(const b2b2c_dealer_engine *e,
                                       int64_t now,
                                       b2b2c_dealer_owners_cb cb,
                                       void *userdata);
/* ---- deal registration (1.1) -------------------------------------------
 *
 * A dealer registers an opportunity: a customer or account key (opaque
 * bytes, as for the owner calls above), a product line, an expected value
 * and an expected close date. The first valid registration of a (key,
 * product line) wins; while it is live a registration of the same pair by
 * another dealer is refused (B2B2C_EEXISTS naming the holder and its
 * dates) and a second one by the same dealer too (B2B2C_EDUPLICATE).
 * States: PENDING at submission, then APPROVED or REJECTED by the
 * manufacturer; a pending or approved registration lapses at its `until`
 * (REG_DAYS after submission, and again after approval; the manufacturer
 * may extend it) and is then EXPIRED; it is WON when the registering dealer
 * records the customer's win (b2b2c_dealer_owner_win) while it is live.
 * A rejected, expired or won registration blocks nothing. Pending and
 * approved ones protect the key (b2b2c_dealer_protected); routing
 * (b2b2c_dealer_route_customer) honours approved ones only, after the
 * customer's owner. Every time is the caller's `now` (the library never
 * reads the clock): a registration whose until has passed is reported
 * EXPIRED by the queries at once, and stored as EXPIRED by
 * b2b2c_dealer_reg_expire or by the next registration of its key.
 * docs/dealer-allocation.md, "Deal registration".
 *
 * Common errors of the calls below: B2B2C_EINVAL (NULL), B2B2C_EBADID (an
 * empty key, a malformed ID or product line), B2B2C_ERANGE (a key over
 * B2B2C_DEALER_CUSTOMER_KEY_MAX, a time outside the library's range),
 * B2B2C_ENOMEM, B2B2C_ECORRUPT or a storage code; on failure nothing
 * changed and no out-parameter was written. Threads: as the engine.
 */

/* Registration states (b2b2c_dealer_registration). */
enum {
    B2B2C_DEALER_REG_PENDING = 1,
    B2B2C_DEALER_REG_APPROVED = 2,
    B2B2C_DEALER_REG_REJECTED = 3,
    B2B2C_DEALER_REG_EXPIRED = 4,
    B2B2C_DEALER_REG_WON = 5
};

/* What protects a key (b2b2c_dealer_protected). */
enum {
    B2B2C_DEALER_PROTECT_NONE = 0,
    B2B2C_DEALER_PROTECT_OWNER = 1,    /* the customer's dealer of record */
    B2B2C_DEALER_PROTECT_APPROVED = 2, /* an approved registration        */
    B2B2C_DEALER_PROTECT_PENDING = 3   /* a registration awaiting review  */
};

/*
 * Dealer `dealer_id` registers the opportunity (customer_key, key_len
 * bytes; product_line, "" or NULL for none) at `now`, expected to close at
 * `expected_close` (>= now) for `value` currency units ([0,
 * B2B2C_AMOUNT_MAX]). The registration is PENDING until now + REG_DAYS.
 * Cost: one map probe and one record written.
 *
 * Returns 0, or: B2B2C_ENOTFOUND (no such dealer), B2B2C_ESTATE (the dealer
 * is off-boarded), B2B2C_ERANGE (expected_close before now or outside the
 * time range, value negative or over the maximum), B2B2C_EINVAL (value NaN
 * or infinite), B2B2C_EEXISTS (another dealer holds a live registration
 * of the key and product line, or owns the customer at now: the message
 * names the holder, its submission time and until), B2B2C_EDUPLICATE (the
 * same dealer's own registration is live), or a common error.
 */
B2B2C_API int b2b2c_dealer_register(b2b2c_dealer_engine *e,
                                    const char *dealer_id,
                                    const void *customer_key, size_t key_len,
                                    const char *product_line, double value,
                                    int64_t expected_close, int64_t now);

/*
 * The latest registration of (customer_key, product_line): its dealer,
 * its state at `now` (B2B2C_DEALER_REG_*; a pending or approved one whose
 * until is <= now is EXPIRED), its submission time, the end of its
 * protection window (until; for a rejected or won one, when that
 * happened) and its expected close. Every output is optional (NULL); the
 * dealer ID is owned by the engine until b2b2c_dealer_free.
 * B2B2C_ENOTFOUND when the pair was never registered. Cost: one probe.
 */
B2B2C_API int b2b2c_dealer_registration(
    const char **dealer_out, int32_t *state_out, int64_t *since_out,
    int64_t *until_out, int64_t *close_out, b2b2c_dealer_engine *e,
    const void *customer_key, size_t key_len, const char *product_line,
    int64_t now);

/*
 * The manufacturer approves the pending registration of the pair at
 * `now`: it is APPROVED until now + REG_DAYS. B2B2C_ENOTFOUND (never
 * registered), B2B2C_ESTATE (not pending, or lapsed at now).
 */
B2B2C_API int b2b2c_dealer_reg_approve(b2b2c_dealer_engine *e,
                                       const void *customer_key,
                                       size_t key_len,
                                       const char *product_line, int64_t now);

/*
 * The manufacturer rejects the pending registration of the pair at `now`;
 * the key is free for any dealer at once. Errors as reg_approve.
 */
B2B2C_API int b2b2c_dealer_reg_reject(b2b2c_dealer_engine *e,
                                      const void *customer_key,
                                      size_t key_len,
                                      const char *product_line, int64_t now);

/*
 * The manufacturer extends the live (pending or approved) registration of
 * the pair at `now` to `until` (after its current until, within the time
 * range). B2B2C_ENOTFOUND, B2B2C_ESTATE (rejected, won or lapsed at now),
 * B2B2C_ERANGE (until not after the current until, or out of range).
 */
B2B2C_API int b2b2c_dealer_reg_extend(b2b2c_dealer_engine *e,
                                      const void *customer_key,
                                      size_t key_len,
                                      const char *product_line, int64_t until,
                                      int64_t now);

/*
 * Store as EXPIRED every pending or approved registration whose until is
 * <= now (scorecards count them then). *count_out (optional) receives how
 * many. Cost O(registrations). Returns 0, B2B2C_EINVAL, B2B2C_ERANGE (now),
 * B2B2C_ENOMEM or a storage code.
 */
B2B2C_API int b2b2c_dealer_reg_expire(size_t *count_out,
                                      b2b2c_dealer_engine *e, int64_t now);

/*
 * Whether the direct sales team may contact the account: who protects
 * (customer_key, product_line) at `now`. The customer's owner of record
 * first (B2B2C_DEALER_PROTECT_OWNER), else the live registration, approved
 * (PROTECT_APPROVED) or pending (PROTECT_PENDING: first in wins from the
 * submission, also during the manufacturer's review). *dealer_out gets
 * the dealer (NULL when NONE), *by_out B2B2C_DEALER_PROTECT_* and
 * *until_out the end of the protection (0 when NONE); each optional.
 * Returns 0 (also when nothing protects the key) or a common error.
 * Cost: two probes.
 */
B2B2C_API int b2b2c_dealer_protected(const char **dealer_out, int32_t *by_out,
                                     int64_t *until_out,
                                     b2b2c_dealer_engine *e,
                                     const void *customer_key, size_t key_len,
                                     const char *product_line, int64_t now);

/* ---- service partners (1.1) ---------------------------------------------
 *
 * A dealer is certified for a service kind (B2B2C_DEALER_SERVICE_*) and a
 * product line, or for the service on every product line it sells
 * (product_line "" or NULL). A service request (b2b2c_dealer_route_service)
 * goes only to dealers certified for its service and product line: the
 * customer's dealer of record first, when it is certified and eligible,
 * else the policy among the certified covering dealers. The request is a
 * lead like any other: accept, decline, expire, recall and outcome work on
 * it, and its re-routings stay among the certified dealers
 * (docs/dealer-allocation.md, "Service partners"). A certification holds
 * for `now` in [since, until): from b2b2c_dealer_certify's `now` until
 * b2b2c_dealer_decertify's.
 *
 * Errors of the calls below: B2B2C_EINVAL (NULL), B2B2C_EBADID (a malformed
 * ID or product line), B2B2C_ERANGE (an unknown service kind, now outside
 * the time range), B2B2C_ENOTFOUND (unknown dealer; no certification at
 * now), B2B2C_ESTATE (see each), B2B2C_ENOMEM or a storage code; on
 * failure nothing changed.
 */

/*
 * Certify dealer `dealer_id` for `service` on `product_line` ("" or NULL:
 * every product line it sells) from `now` on. B2B2C_ESTATE when the dealer
 * is off-boarded or already certified for them at now. Persisted; one
 * record per (dealer, service, product line). Cost O(1).
 */
B2B2C_API int b2b2c_dealer_certify(b2b2c_dealer_engine *e,
                                   const char *dealer_id, int32_t service,
                                   const char *product_line, int64_t now);

/*
 * End the certification of dealer `dealer_id` for `service` on
 * `product_line` at `now`. Open offers stay until answered.
 * B2B2C_ENOTFOUND when the dealer is not certified for them at now (a
 * certification for every line is ended only with product_line "").
 * Cost O(1).
 */
B2B2C_API int b2b2c_dealer_decertify(b2b2c_dealer_engine *e,
                                     const char *dealer_id, int32_t service,
                                     const char *product_line, int64_t now);

/*
 * Whether dealer `dealer_id` is certified for `service` on `product_line`
 * at `now`: for that line, or for every line (routing also asks that it
 * sells the line). *since_out (optional) receives when the certification
 * began (the line's when both hold). B2B2C_ENOTFOUND when not certified
 * (or unknown dealer). Cost O(1).
 */
B2B2C_API int b2b2c_dealer_certified(int64_t *since_out,
                                     b2b2c_dealer_engine *e,
                                     const char *dealer_id, int32_t service,
                                     const char *product_line, int64_t now);

/*
 * As b2b2c_dealer_route_customer, for a service request: only dealers
 * certified for `service` and `product_line` at `now` are candidates (audit
 * field CANDIDATES counts the certified covering dealers), the customer's
 * dealer of record first when it is certified and eligible (else audit
 * field OWNER says why it was skipped, SKIP_SERVICE when not certified).
 * customer_key may be NULL (key_len 0) for a request without a known
 * customer. With nobody certified among the covering dealers the call
 * fails with B2B2C_ENODEALER and reason B2B2C_DEALER_REASON_NO_SERVICE
 * (the direct fallback, when enabled, takes the request instead). The
 * service kind is stored with the lead (audit field SERVICE of each of its
 * decisions): re-routing after a decline or expiry stays among the
 * certified dealers, and an UNROUTED lead is routed again only as the same
 * service (else B2B2C_ESTATE). Errors as b2b2c_dealer_route_customer, and
 * B2B2C_ERANGE for an unknown service kind. Cost: the route's, plus one or
 * two map probes per covering dealer.
 */
B2B2C_API int b2b2c_dealer_route_service(
    const char **dealer_out, int32_t *reason_out, b2b2c_dealer_engine *e,
    const char *lead_id, int32_t service, const void *customer_key,
    size_t key_len, const char *region, int32_t has_location, double lat,
    double lon, const char *product_line, int32_t segment, int32_t band,
    int64_t now);

/* Static names of the service kinds: "install", "repair", "maintenance",
 * "training", "warranty"; NULL for unknown values (1.1). */
B2B2C_API const char *b2b2c_dealer_service_name(int32_t service);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_DEALER_CONFLICT_H */
