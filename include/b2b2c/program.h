/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c dealer network programs (issue 17): what the manufacturer's
 * dealers buy from it (sell-in) and sell on (sell-out) at each of their
 * points of sale, per product line and day, with the stock they report;
 * and the analytics of the dealer-network segment of the source document
 * ("sales analytics by point of sale", "turnover at the point"): turnover
 * per dealer and per point for a period, growth against the same period
 * a year earlier, a robust trend over the last periods (Theil-Sen), the
 * share of the network, the rank within the dealer's tier and region,
 * days of stock and sell-through; volume bonus programs (b2b2c_program_*)
 * and joint promotion budgets with their claims, spend vs plan and uplift
 * (b2b2c_promo_*). Formulas and their sources: docs/programs.md.
 *
 * Dealers and their points of sale are registered in this engine, with
 * the dealer's tier and region (host values): the engine does not read
 * the dealer-routing engine (b2b2c_dealer), whose dealers are the ones
 * that take leads, not necessarily the ones that buy stock.
 *
 * Lines are kept as per-day aggregates (one record per point, product
 * line and day), never line by line: what is stored and kept in memory
 * grows with the days a point sells a product line, not with the lines.
 * The state is stored in the context's storage (tables programs_*) and
 * kept in step with other contexts on the same database (docs/storage.md,
 * "Many contexts on one database").
 *
 * Threads: a handle is used by one thread at a time, like the context it
 * was opened on.
 *
 * Units: time is Unix seconds (int64_t), always passed in; the day of a
 * time t is floor((t + offset) / 86400) in the context's UTC offset
 * (b2b2c_ctx_set_utc_offset). Quantities are whole units (int64_t) and
 * money is in whole minor units of the host's currency (int64_t: kopecks,
 * cents), so that sums are exact and the same in whatever order lines
 * arrive; each line's |units| and |amount| are at most
 * B2B2C_PROGRAMS_LINE_MAX. Report fields are doubles (exact up to 2^53).
 */
#ifndef B2B2C_PROGRAM_H
#define B2B2C_PROGRAM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct b2b2c_programs b2b2c_programs;

/* Largest |units| or |amount| of one line: 10^15 (B2B2C_AMOUNT_MAX as a
 * whole number). */
#define B2B2C_PROGRAMS_LINE_MAX INT64_C(1000000000000000)

/* ---- line kinds (append only) ------------------------------------------- */

/*
 * What a line records; units and amount are >= 0 unless the kind says
 * otherwise (a negative quantity of another kind is B2B2C_ERANGE naming
 * the argument: a return or a correction is said so, never implied by a
 * sign).
 *   SELL_IN         the manufacturer shipped to the dealer's point.
 *   SELL_OUT        the point sold to its customers.
 *   STOCK           the point's stock level on that day (units and its
 *                   value); a later report of the same day replaces it.
 *   RETURN_IN       the point returned goods to the manufacturer: taken
 *                   off sell-in.
 *   RETURN_OUT      customers returned goods to the point: taken off
 *                   sell-out.
 *   CORRECTION_IN   a signed correction of sell-in (either sign).
 *   CORRECTION_OUT  a signed correction of sell-out (either sign).
 */
enum {
    B2B2C_PROGRAMS_KIND_SELL_IN = 0,
    B2B2C_PROGRAMS_KIND_SELL_OUT = 1,
    B2B2C_PROGRAMS_KIND_STOCK = 2,
    B2B2C_PROGRAMS_KIND_RETURN_IN = 3,
    B2B2C_PROGRAMS_KIND_RETURN_OUT = 4,
    B2B2C_PROGRAMS_KIND_CORRECTION_IN = 5,
    B2B2C_PROGRAMS_KIND_CORRECTION_OUT = 6
};

/* Name of a line kind ("sell_in", "sell_out", "stock", "return_in",
 * "return_out", "correction_in", "correction_out"), or NULL. Static. */
B2B2C_API const char *b2b2c_programs_kind_name(int32_t kind);
/* The kind called `name`, or B2B2C_EINVAL (NULL or an unknown name). */
B2B2C_API int32_t b2b2c_programs_kind_from_name(const char *name);

/* ---- report scopes ---------------------------------------------------------- */

/* What a report row is about: a dealer (all its points) or one point. */
enum { B2B2C_PROGRAMS_BY_DEALER = 0, B2B2C_PROGRAMS_BY_POINT = 1 };

/* ---- parameters (b2b2c_programs_set_param; bounds: b2b2c_param_bounds) */

/*
 * Numbers 700..799 (docs/conventions.md); never renumbered.
 *   B2B2C_PROGRAMS_PARAM_TREND_PERIODS     how many periods, each as long
 *                                          as the report's, the robust
 *                                          trend is fitted over (the
 *                                          report's own the last), a whole
 *                                          number in [3, 520], default 8.
 *   B2B2C_PROGRAMS_PARAM_STOCK_MAX_AGE_DAYS  a stock report older than
 *                                          this many days before the day
 *                                          it stands for (the period's end
 *                                          or start) is not used: a point
 *                                          that stopped reporting has no
 *                                          stock figures rather than stale
 *                                          ones; a whole number in
 *                                          [1, 36500], default 90.
 */
enum {
    B2B2C_PROGRAMS_PARAM_TREND_PERIODS = 700,
    B2B2C_PROGRAMS_PARAM_STOCK_MAX_AGE_DAYS = 701
};

/* ---- report fields -------------------------------------------------------- */

/*
 * Fields of one report row (b2b2c_programs_row_cb) for the days of the
 * period [day of from, day of to) (to's own day excluded). Sums over the
 * row's points and the product lines selected. A field whose formula is
 * undefined for the data is NaN. Minor versions may append fields: read
 * at most `nfields`.
 *   SELL_IN_UNITS/AMOUNT    net sell-in: SELL_IN - RETURN_IN
 *                           + CORRECTION_IN
 *   SELL_OUT_UNITS/AMOUNT   net sell-out: SELL_OUT - RETURN_OUT
 *                           + CORRECTION_OUT (the turnover)
 *   LY_SELL_OUT_AMOUNT      net sell-out amount of the same calendar days
 *                           a year earlier (29 February as 28 February)
 *   GROWTH                  SELL_OUT_AMOUNT / LY_SELL_OUT_AMOUNT - 1
 *                           (NaN when last year's is not positive)
 *   TREND_SLOPE             Theil-Sen slope (Sen 1968) of the net sell-out
 *                           amount over the last TREND_PERIODS periods of
 *                           the report's length, this one the last: minor
 *                           units per period
 *   TREND_RELATIVE          TREND_SLOPE / the median period amount (NaN
 *                           when that median is not positive)
 *   SHARE                   SELL_OUT_AMOUNT / the network's (every
 *                           dealer's, the same product lines); NaN when
 *                           the network's is not positive
 *   RANK, RANK_OF           rank by SELL_OUT_AMOUNT (1 the highest; ties
 *                           share the best rank) among the rows whose
 *                           dealer has the same tier and region, and how
 *                           many such rows there are
 *   STOCK_UNITS/AMOUNT      the stock at the end of the period: per point
 *                           and product line the last STOCK report on a
 *                           day before to's (and at most
 *                           STOCK_MAX_AGE_DAYS before it), summed; NaN
 *                           when none
 *   DAYS_OF_STOCK           STOCK_UNITS / (SELL_OUT_UNITS / days of the
 *                           period), over the point-lines with a stock
 *                           report only; NaN without stock or sales
 *   SELL_THROUGH            SELL_OUT_UNITS / (opening stock + SELL_IN_UNITS)
 *                           over the point-lines with a stock report, the
 *                           opening stock the last report before from's
 *                           day (0 when none within STOCK_MAX_AGE_DAYS); NaN when not positive
 */
enum {
    B2B2C_PROGRAMS_F_SELL_IN_UNITS = 0,
    B2B2C_PROGRAMS_F_SELL_IN_AMOUNT = 1,
    B2B2C_PROGRAMS_F_SELL_OUT_UNITS = 2,
    B2B2C_PROGRAMS_F_SELL_OUT_AMOUNT = 3,
    B2B2C_PROGRAMS_F_LY_SELL_OUT_AMOUNT = 4,
    B2B2C_PROGRAMS_F_GROWTH = 5,
    B2B2C_PROGRAMS_F_TREND_SLOPE = 6,
    B2B2C_PROGRAMS_F_TREND_RELATIVE = 7,
    B2B2C_PROGRAMS_F_SHARE = 8,
    B2B2C_PROGRAMS_F_RANK = 9,
    B2B2C_PROGRAMS_F_RANK_OF = 10,
    B2B2C_PROGRAMS_F_STOCK_UNITS = 11,
    B2B2C_PROGRAMS_F_STOCK_AMOUNT = 12,
    B2B2C_PROGRAMS_F_DAYS_OF_STOCK = 13,
    B2B2C_PROGRAMS_F_SELL_THROUGH = 14,
    B2B2C_PROGRAMS_F_NFIELDS = 15
};

/* ---- the handle ----------------------------------------------------------- */

/*
 * Open the programs engine on `ctx`: loads its dealers, points, daily
 * aggregates and parameters from the context's storage. Sets *out to NULL
 * on failure, so that b2b2c_programs_free(*out) is always safe. The handle
 * must be freed before the context.
 * Errors: B2B2C_EINVAL (out or ctx NULL), B2B2C_ENOMEM, B2B2C_ECORRUPT (a
 * stored record fails to decode; the message names table and key), a
 * storage error. Cost O(stored records).
 */
B2B2C_API int b2b2c_programs_new(b2b2c_programs **out, b2b2c_ctx *ctx);

/* Free the handle and everything it holds (not what is stored). Accepts
 * NULL. */
B2B2C_API void b2b2c_programs_free(b2b2c_programs *h);

/*
 * Set or read a parameter (B2B2C_PROGRAMS_*), stored with the engine.
 * Values are checked as every engine's are (docs/conventions.md,
 * "Parameters"). get_param writes *out only on success.
 * Errors: B2B2C_EINVAL (NULL, not a parameter of this engine, NaN or
 * infinite value), B2B2C_ERANGE (outside its bounds or not whole),
 * B2B2C_ESTATE (set from inside a callback), B2B2C_ENOMEM, a storage
 * error; get_param may also return a storage code or B2B2C_ECORRUPT
 * (bringing the handle up to date first). Cost O(1).
 */
B2B2C_API int b2b2c_programs_set_param(b2b2c_programs *h, int32_t param,
                                       double value);
B2B2C_API int b2b2c_programs_get_param(double *out, const b2b2c_programs *h,
                                       int32_t param);

/* ---- dealers and points of sale --------------------------------------------- */

/*
 * Register a dealer, or change the tier and region of a registered one.
 *   dealer_id  the host's ID (1 to 255 bytes of UTF-8).
 *   tier       the host's tier number, 0..1000 (rank within tier and
 *              region compares dealers of equal tier).
 *   region     the host's region, 0 to 255 bytes of UTF-8 ("" or NULL: no
 *              region, a group of its own).
 * Errors: B2B2C_EINVAL (h NULL), B2B2C_EBADID (dealer_id; region not
 * UTF-8 or too long), B2B2C_ERANGE (tier), B2B2C_ESTATE (from inside a
 * callback), B2B2C_ENOMEM, a storage error. Cost O(1).
 */
B2B2C_API int b2b2c_programs_set_dealer(b2b2c_programs *h,
                                        const char *dealer_id, int32_t tier,
                                        const char *region);

/*
 * Register a point of sale of a registered dealer. A point belongs to one
 * dealer for good: registering it again with the same dealer does
 * nothing; with another, B2B2C_EEXISTS.
 * Errors: B2B2C_EINVAL (h NULL), B2B2C_EBADID (point_id, dealer_id),
 * B2B2C_ENOTFOUND (no such dealer), B2B2C_EEXISTS (the point belongs to
 * another dealer), B2B2C_ESTATE (from inside a callback), B2B2C_ENOMEM, a
 * storage error. Cost O(1).
 */
B2B2C_API int b2b2c_programs_add_point(b2b2c_programs *h,
                                       const char *point_id,
                                       const char *dealer_id);

/* A dealer in b2b2c_programs_list_dealers: its tier and region as set (the
 * region "" when none) and how many points of sale it has. */
typedef int (*b2b2c_programs_dealer_cb)(const char *dealer_id, int32_t tier,
                                        const char *region, int64_t points,
                                        void *userdata);

/*
 * Every registered dealer, in dealer ID order (bytewise; docs/
 * conventions.md, "Entity listings"). Filter: tier (0..1000, -1 = any).
 * Strings are valid during the callback only; a non-zero return stops the
 * listing and is returned; a mutating call from the callback gets
 * B2B2C_ESTATE.
 * Errors: B2B2C_EINVAL (h or cb NULL), B2B2C_ERANGE (tier), B2B2C_ENOMEM,
 * a storage code or B2B2C_ECORRUPT (bringing the handle up to date), the
 * callback's code. Cost O(dealers log dealers + points).
 */
B2B2C_API int b2b2c_programs_list_dealers(const b2b2c_programs *h,
                                          int32_t tier,
                                          b2b2c_programs_dealer_cb cb,
                                          void *userdata);

/* A point of sale in b2b2c_programs_list_points: its dealer and how many
 * product lines it has recorded lines in. */
typedef int (*b2b2c_programs_point_cb)(const char *point_id,
                                       const char *dealer_id,
                                       int64_t product_lines, void *userdata);

/*
 * Every registered point of sale, in point ID order (bytewise), or those
 * of one dealer (dealer_id; NULL = any dealer; an unregistered one lists
 * nothing). Callback rules as b2b2c_programs_list_dealers.
 * Errors: B2B2C_EINVAL (h or cb NULL), B2B2C_EBADID (dealer_id),
 * B2B2C_ENOMEM, a storage code or B2B2C_ECORRUPT, the callback's code.
 * Cost O(points log points + point-lines).
 */
B2B2C_API int b2b2c_programs_list_points(const b2b2c_programs *h,
                                         const char *dealer_id,
                                         b2b2c_programs_point_cb cb,
                                         void *userdata);

/* ---- lines ------------------------------------------------------------------- */

/*
 * Record one line: what point `point_id` did in product line
 * `product_line` on the day of `t` (B2B2C_PROGRAMS_KIND_SELL_IN ...).
 *   kind          a line kind (B2B2C_PROGRAMS_*).
 *   point_id      a registered point of sale.
 *   product_line  the host's product line (1 to 255 bytes of UTF-8).
 *   t             any time of the day, Unix seconds.
 *   units         whole units; >= 0 except for a correction.
 *   amount        money in whole minor units; >= 0 except for a
 *                 correction.
 * The day's aggregate of that point and product line is updated (a
 * STOCK line replaces the day's stock). Lines may come in any order.
 * Errors: B2B2C_EINVAL (h NULL; kind not a line kind), B2B2C_EBADID
 * (point_id, product_line), B2B2C_ENOTFOUND (no such point), B2B2C_ERANGE
 * (t outside the time range; units or amount negative for a kind that is
 * not a correction, or above B2B2C_PROGRAMS_LINE_MAX in magnitude; the
 * day's total would pass 2^62), B2B2C_ESTATE (from inside a callback),
 * B2B2C_ENOMEM, a storage error. Cost O(log days of the point's line).
 */
B2B2C_API int b2b2c_programs_record(b2b2c_programs *h, int32_t kind,
                                    const char *point_id,
                                    const char *product_line, int64_t t,
                                    int64_t units, int64_t amount);

/*
 * Record `n` lines in one call and one storage transaction: line i is
 * (kinds[i], point_ids[i], product_lines[i], times[i], units[i],
 * amounts[i]), as b2b2c_programs_record takes them. All or nothing: every
 * line is checked first and a bad one fails the call with nothing
 * recorded; the message names the argument and the line ("units[17]:
 * -3 is negative for kind sell_out ...", "point_id[4]: no point of sale
 * 'x'"). Each
 * day's aggregate touched is written once, however many lines it got.
 * n == 0 does nothing (the arrays may then be NULL).
 * Errors: those of b2b2c_programs_record, and B2B2C_EINVAL for a NULL
 * array; B2B2C_EINTERRUPTED (the progress handler, counted per line).
 * Cost O(n log days) and one storage write per aggregate touched.
 */
B2B2C_API int b2b2c_programs_record_batch(b2b2c_programs *h,
                                          const int32_t *kinds,
                                          const char *const *point_ids,
                                          const char *const *product_lines,
                                          const int64_t *times,
                                          const int64_t *units,
                                          const int64_t *amounts, size_t n);

/* ---- the report ----------------------------------------------------------- */

/*
 * One report row: the dealer's or point's ID (valid during the call),
 * then `nfields` values (B2B2C_PROGRAMS_F_*; 15 in 1.1, read at most
 * `nfields`). Non-zero return stops the report and is returned.
 */
typedef int (*b2b2c_programs_row_cb)(const char *id, const double *fields,
                                     size_t nfields, void *userdata);

/*
 * Report every registered dealer (scope B2B2C_PROGRAMS_BY_DEALER) or point
 * (B2B2C_PROGRAMS_BY_POINT) over the days [day of from, day of to), in ID
 * order (bytewise; docs/conventions.md, "Entity listings"), rows without
 * any line included (their sums 0).
 *   product_line  one product line, or NULL for all of them.
 *   from, to      times in range, from's day before to's.
 * Errors: B2B2C_EINVAL (h or cb NULL; scope), B2B2C_EBADID
 * (product_line), B2B2C_ERANGE (from or to outside the time range; to's
 * day not after from's; a sum beyond 2^63), B2B2C_ENOMEM (scratch memory), a storage code or
 * B2B2C_ECORRUPT (bringing the handle up to date), the callback's own
 * code. Cost O(point-lines x (log days + days in the trend's span) +
 * rows x TREND_PERIODS^2); no allocation held after the call.
 */
B2B2C_API int b2b2c_programs_report(const b2b2c_programs *h, int32_t scope,
                                    const char *product_line, int64_t from,
                                    int64_t to, b2b2c_programs_row_cb cb,
                                    void *userdata);

/* ---- volume bonus programs (b2b2c_program_*) ---------------------------- */

/*
 * A volume bonus program pays a dealer a bonus on what it bought from the
 * manufacturer (its net sell-in: SELL_IN - RETURN_IN + CORRECTION_IN, over
 * all its points of sale) in a calendar period, by tiers of volume. It is
 * the manufacturer's own sale that earns the bonus, so sell-out does not
 * count (docs/programs.md, "Volume bonus programs").
 *
 * What the volume is measured in (B2B2C_PROGRAM_BASIS_*, append only):
 *   UNITS   net sell-in units; a tier's rate is a fixed amount in minor
 *           units per unit of volume.
 *   AMOUNT  net sell-in money in minor units; a tier's rate is in basis
 *           points (1/10,000) of that money.
 * How the tiers pay (B2B2C_PROGRAM_*, append only):
 *   RETROACTIVE  the highest tier reached pays its rate on the whole
 *                volume of the period.
 *   INCREMENTAL  each tier pays its rate on the volume inside it, from its
 *                threshold to the next tier's (the last tier: no end).
 * The period (B2B2C_PROGRAM_PERIOD_*, append only): the calendar quarter
 * or year, in days of the context's UTC offset.
 */
enum { B2B2C_PROGRAM_BASIS_UNITS = 0, B2B2C_PROGRAM_BASIS_AMOUNT = 1 };
enum { B2B2C_PROGRAM_RETROACTIVE = 0, B2B2C_PROGRAM_INCREMENTAL = 1 };
enum { B2B2C_PROGRAM_PERIOD_QUARTER = 0, B2B2C_PROGRAM_PERIOD_YEAR = 1 };

/* Most tiers in one program. */
#define B2B2C_PROGRAM_TIERS_MAX 32
/* Largest rate in basis points (100%) for the AMOUNT basis; the UNITS
 * basis takes at most B2B2C_PROGRAMS_LINE_MAX minor units per unit. */
#define B2B2C_PROGRAM_BP_MAX 10000

/*
 * Define a volume bonus program, or replace the one called program_id
 * (the status of its dealers is computed from the lines at every call,
 * so a replaced program applies to the whole period at once).
 *   program_id    the host's ID (1 to 255 bytes of UTF-8).
 *   basis         B2B2C_PROGRAM_BASIS_UNITS or _AMOUNT.
 *   mode          B2B2C_PROGRAM_RETROACTIVE or _INCREMENTAL.
 *   period        B2B2C_PROGRAM_PERIOD_QUARTER or _YEAR.
 *   product_line  the product line whose sell-in counts, or NULL for all
 *                 of them.
 *   thresholds    ntiers volumes (basis units) from which each tier
 *                 applies: >= 0, strictly increasing (tier i covers
 *                 [thresholds[i], thresholds[i+1])), at most
 *                 B2B2C_PROGRAMS_LINE_MAX. Volume below thresholds[0]
 *                 earns nothing.
 *   rates         ntiers rates: basis points in [0, B2B2C_PROGRAM_BP_MAX]
 *                 (AMOUNT) or minor units per unit in [0,
 *                 B2B2C_PROGRAMS_LINE_MAX] (UNITS).
 *   ntiers        1 .. B2B2C_PROGRAM_TIERS_MAX.
 * Bad input changes nothing; the message names the argument and the tier
 * ("tiers[2].threshold: 500 is not above tiers[1].threshold (500)").
 * Errors: B2B2C_EINVAL (h, thresholds or rates NULL; basis, mode or
 * period not one of the values above), B2B2C_EBADID (program_id,
 * product_line), B2B2C_ERANGE (ntiers; a threshold negative, not above
 * the one before or too large; a rate negative or too large),
 * B2B2C_ESTATE (from inside a callback), B2B2C_ENOMEM, a storage error.
 * Cost O(ntiers).
 */
B2B2C_API int b2b2c_program_set(b2b2c_programs *h, const char *program_id,
                                int32_t basis, int32_t mode, int32_t period,
                                const char *product_line,
                                const int64_t *thresholds,
                                const int64_t *rates, size_t ntiers);

/*
 * Fields of a dealer's status in a program at `now` (b2b2c_program_status,
 * b2b2c_program_status_cb), whole numbers. Minor versions may append
 * fields: read at most `nfields`. The period is the calendar quarter or
 * year holding now's day; "to date" is its days up to and including
 * now's day. Volumes are in the program's basis (units or minor units).
 *   VOLUME             net sell-in to date in the program's product line
 *                      (or all lines), over the dealer's points.
 *   TIER               the tier reached by VOLUME: 1..ntiers, 0 none.
 *   NEXT_THRESHOLD     the next tier's threshold, -1 at the top tier.
 *   GAP                NEXT_THRESHOLD - VOLUME, 0 at the top tier.
 *   ACCRUED            the bonus earned by VOLUME, minor units, floored
 *                      once per dealer (0 when VOLUME is not positive).
 *   PROJECTED_VOLUME   the run rate carried to the period's end:
 *                      floor(VOLUME x PERIOD_DAYS / ELAPSED_DAYS).
 *   PROJECTED_TIER     the tier PROJECTED_VOLUME reaches (0 none).
 *   PROJECTED_BONUS    the bonus PROJECTED_VOLUME earns, floored.
 *   ELAPSED_DAYS       days of the period to date (1..PERIOD_DAYS).
 *   PERIOD_DAYS        days of the period (90..92 or 365..366).
 *   PERIOD_START       Unix time the period starts (its first day's start
 *                      in the context's offset).
 *   PERIOD_END         Unix time the next period starts.
 */
enum {
    B2B2C_PROGRAM_F_VOLUME = 0,
    B2B2C_PROGRAM_F_TIER = 1,
    B2B2C_PROGRAM_F_NEXT_THRESHOLD = 2,
    B2B2C_PROGRAM_F_GAP = 3,
    B2B2C_PROGRAM_F_ACCRUED = 4,
    B2B2C_PROGRAM_F_PROJECTED_VOLUME = 5,
    B2B2C_PROGRAM_F_PROJECTED_TIER = 6,
    B2B2C_PROGRAM_F_PROJECTED_BONUS = 7,
    B2B2C_PROGRAM_F_ELAPSED_DAYS = 8,
    B2B2C_PROGRAM_F_PERIOD_DAYS = 9,
    B2B2C_PROGRAM_F_PERIOD_START = 10,
    B2B2C_PROGRAM_F_PERIOD_END = 11,
    B2B2C_PROGRAM_F_NFIELDS = 12
};

/*
 * One dealer's status in program_id at now: writes min(nfields,
 * B2B2C_PROGRAM_F_NFIELDS) values into fields (B2B2C_PROGRAM_F_*), only
 * on success.
 * Errors: B2B2C_EINVAL (fields or h NULL; nfields 0), B2B2C_EBADID
 * (program_id, dealer_id), B2B2C_ENOTFOUND (no such program or dealer),
 * B2B2C_ERANGE (now outside the time range; a bonus or projection beyond
 * 2^63), a storage code or B2B2C_ECORRUPT (bringing the handle up to
 * date). A read: callable from a listing's callback. Cost O(point-lines
 * of the network + the dealer's point-lines x (log days + days of the
 * period)).
 */
B2B2C_API int b2b2c_program_status(int64_t *fields, size_t nfields,
                                   const b2b2c_programs *h,
                                   const char *program_id,
                                   const char *dealer_id, int64_t now);

/* One dealer's status in b2b2c_program_status_list: its ID (valid during
 * the call) and `nfields` values (B2B2C_PROGRAM_F_*; 12 in 1.1). A
 * non-zero return stops the listing and is returned. */
typedef int (*b2b2c_program_status_cb)(const char *dealer_id,
                                       const int64_t *fields, size_t nfields,
                                       void *userdata);

/*
 * The status in program_id at now of every registered dealer, in dealer ID
 * order (bytewise; docs/conventions.md, "Entity listings"), dealers with
 * no sell-in included (volume 0). A mutating call from the callback gets
 * B2B2C_ESTATE.
 * Errors: B2B2C_EINVAL (h or cb NULL), B2B2C_EBADID (program_id),
 * B2B2C_ENOTFOUND (no such program), B2B2C_ERANGE (as
 * b2b2c_program_status), B2B2C_ENOMEM (scratch memory), a storage code or
 * B2B2C_ECORRUPT, the callback's code. Cost O(dealers log dealers +
 * point-lines x (log days + days of the period)); 10,000 dealers with a
 * quarter of sell-in (920,000 day aggregates) in about 30 ms of CPU time
 * (docs/PERFORMANCE.md).
 */
B2B2C_API int b2b2c_program_status_list(const b2b2c_programs *h,
                                        const char *program_id, int64_t now,
                                        b2b2c_program_status_cb cb,
                                        void *userdata);

/* ---- joint promotion budgets / market development funds (b2b2c_promo_*) */

/*
 * A joint promotion budget (market development funds, MDF) is money the
 * manufacturer sets aside for one dealer's promotion in a period: the
 * host's promotion ID, the dealer, the period [day of start, day of end)
 * in the context's UTC offset, the planned amount in whole minor units,
 * and the product line it promotes (or all). One promotion ID may have a
 * budget for many dealers (a budget is the pair promotion, dealer). The
 * dealer claims its costs against the budget; each claim goes
 * SUBMITTED -> APPROVED -> PAID, or SUBMITTED -> REJECTED, each step
 * dated by the caller's time (B2B2C_PROMO_*, append only; no other step:
 * REJECTED and PAID are final).
 *
 * The budget's remaining amount is PLANNED - (SUBMITTED + APPROVED +
 * PAID): a claim still pending reserves its amount, so that approving it
 * can never overspend the budget; a rejected claim frees it. A claim over
 * the remaining amount is B2B2C_ERANGE naming `amount`, nothing changed.
 * Money is whole minor units: sums are exact, nothing is rounded (the
 * uplift's means and ratios are doubles). docs/programs.md, "Joint
 * promotion budgets".
 */
enum {
    B2B2C_PROMO_SUBMITTED = 0,
    B2B2C_PROMO_APPROVED = 1,
    B2B2C_PROMO_REJECTED = 2,
    B2B2C_PROMO_PAID = 3
};

/* Name of a claim status ("submitted", "approved", "rejected", "paid"),
 * or NULL. Static. */
B2B2C_API const char *b2b2c_promo_status_name(int32_t status);
/* The status called `name`, or B2B2C_EINVAL (NULL or an unknown name). */
B2B2C_API int32_t b2b2c_promo_status_from_name(const char *name);

/*
 * Define the budget of promotion promo_id for dealer_id, or replace it
 * (its claims stay).
 *   promo_id      the host's promotion ID (1 to 255 bytes of UTF-8).
 *   dealer_id     a registered dealer (b2b2c_programs_set_dealer).
 *   start, end    the period: the days [day of start, day of end) in the
 *                 context's UTC offset (end's own day excluded); end's
 *                 day must be after start's.
 *   planned       the planned amount, whole minor units, 0 ..
 *                 B2B2C_PROGRAMS_LINE_MAX; a replacement may not go below
 *                 what the budget's claims already hold (submitted,
 *                 approved and paid).
 *   product_line  the product line promoted (its sell-out is what the
 *                 uplift measures), or NULL for all of them.
 * Bad input changes nothing; the message names the argument.
 * Errors: B2B2C_EINVAL (h NULL), B2B2C_EBADID (promo_id, dealer_id,
 * product_line), B2B2C_ENOTFOUND (no such dealer), B2B2C_ERANGE (start
 * or end outside the time range; end's day not after start's; planned
 * negative, too large or below the claims held), B2B2C_ESTATE (from
 * inside a callback), B2B2C_ENOMEM, a storage error. Cost O(1).
 */
B2B2C_API int b2b2c_promo_set(b2b2c_programs *h, const char *promo_id,
                              const char *dealer_id, int64_t start,
                              int64_t end, int64_t planned,
                              const char *product_line);

/*
 * Submit claim claim_id for `amount` minor units against the budget of
 * (promo_id, dealer_id), at time t (status SUBMITTED).
 *   claim_id  the host's claim ID (1 to 255 bytes of UTF-8), unique
 *             across every budget.
 *   amount    1 .. the budget's remaining amount.
 * Errors: B2B2C_EINVAL (h NULL), B2B2C_EBADID (claim_id, promo_id,
 * dealer_id), B2B2C_ENOTFOUND (no such budget), B2B2C_EEXISTS (the
 * claim ID is taken), B2B2C_ERANGE (t outside the time range; amount not
 * positive, or over the remaining budget: the message gives the
 * remaining amount), B2B2C_ESTATE (from inside a callback),
 * B2B2C_ENOMEM, a storage error. Cost O(1).
 */
B2B2C_API int b2b2c_promo_claim(b2b2c_programs *h, const char *claim_id,
                                const char *promo_id, const char *dealer_id,
                                int64_t amount, int64_t t);

/*
 * Move claim claim_id to `status` at time t: SUBMITTED -> APPROVED or
 * REJECTED, APPROVED -> PAID; t not before the claim's previous step.
 * Errors: B2B2C_EINVAL (h NULL; status not a claim status),
 * B2B2C_EBADID (claim_id), B2B2C_ENOTFOUND (no such claim),
 * B2B2C_ESTATE (the step is not allowed, e.g. a paid claim rejected: the
 * message names both statuses; or from inside a callback), B2B2C_ERANGE
 * (t outside the time range or before the previous step), B2B2C_ENOMEM,
 * a storage error. Cost O(1).
 */
B2B2C_API int b2b2c_promo_claim_status(b2b2c_programs *h,
                                       const char *claim_id, int32_t status,
                                       int64_t t);

/*
 * Fields of a claim (b2b2c_promo_claim_cb), whole numbers; a step not
 * taken is B2B2C_PROMO_NO_TIME. Minor versions may append fields.
 *   AMOUNT        minor units.
 *   STATUS        B2B2C_PROMO_*.
 *   SUBMITTED_AT  the time it was submitted.
 *   DECIDED_AT    the time it was approved or rejected.
 *   PAID_AT       the time it was paid.
 */
#define B2B2C_PROMO_NO_TIME (-INT64_C(9223372036854775807) - 1) /* INT64_MIN */
enum {
    B2B2C_PROMO_C_AMOUNT = 0,
    B2B2C_PROMO_C_STATUS = 1,
    B2B2C_PROMO_C_SUBMITTED_AT = 2,
    B2B2C_PROMO_C_DECIDED_AT = 3,
    B2B2C_PROMO_C_PAID_AT = 4,
    B2B2C_PROMO_C_NFIELDS = 5
};

/* A claim in b2b2c_promo_list_claims: its ID, promotion and dealer (valid
 * during the call) and `nfields` values (B2B2C_PROMO_C_*; 5 in 1.1). */
typedef int (*b2b2c_promo_claim_cb)(const char *claim_id,
                                    const char *promo_id,
                                    const char *dealer_id,
                                    const int64_t *fields, size_t nfields,
                                    void *userdata);

/*
 * Every claim, in claim ID order (bytewise), or those of one promotion
 * and/or one dealer (promo_id, dealer_id; NULL = any; an unknown one lists
 * nothing). A non-zero return stops the listing and is returned; a
 * mutating call from the callback gets B2B2C_ESTATE.
 * Errors: B2B2C_EINVAL (h or cb NULL), B2B2C_EBADID (promo_id,
 * dealer_id), B2B2C_ENOMEM, a storage code or B2B2C_ECORRUPT (bringing
 * the handle up to date), the callback's code. Cost O(claims log claims).
 */
B2B2C_API int b2b2c_promo_list_claims(const b2b2c_programs *h,
                                      const char *promo_id,
                                      const char *dealer_id,
                                      b2b2c_promo_claim_cb cb,
                                      void *userdata);

/* What a spend-vs-plan row sums (b2b2c_promo_spend_list): one budget, a
 * promotion's budgets (every dealer), or a dealer's (every promotion). */
enum {
    B2B2C_PROMO_BY_BUDGET = 0,
    B2B2C_PROMO_BY_PROMO = 1,
    B2B2C_PROMO_BY_DEALER = 2
};

/*
 * Fields of a spend-vs-plan row, whole minor units unless said otherwise
 * (sums over the row's budgets). Minor versions may append fields.
 *   PLANNED    the planned amounts.
 *   SUBMITTED  claims submitted and not yet decided.
 *   APPROVED   claims approved and not yet paid.
 *   PAID       claims paid.
 *   REJECTED   claims rejected (not spent; shown for the record).
 *   SPENT      APPROVED + PAID: the spend committed.
 *   REMAINING  PLANNED - SUBMITTED - SPENT.
 *   CLAIMS     how many claims (any status).
 *   BUDGETS    how many budgets the row sums (1 for BY_BUDGET).
 *   START      the earliest period start (Unix time of its first day's
 *              start in the context's offset).
 *   END        the latest period end (the start of the day after).
 */
enum {
    B2B2C_PROMO_S_PLANNED = 0,
    B2B2C_PROMO_S_SUBMITTED = 1,
    B2B2C_PROMO_S_APPROVED = 2,
    B2B2C_PROMO_S_PAID = 3,
    B2B2C_PROMO_S_REJECTED = 4,
    B2B2C_PROMO_S_SPENT = 5,
    B2B2C_PROMO_S_REMAINING = 6,
    B2B2C_PROMO_S_CLAIMS = 7,
    B2B2C_PROMO_S_BUDGETS = 8,
    B2B2C_PROMO_S_START = 9,
    B2B2C_PROMO_S_END = 10,
    B2B2C_PROMO_S_NFIELDS = 11
};

/* A row of b2b2c_promo_spend_list: the promotion and the dealer (NULL in
 * a BY_DEALER row and a BY_PROMO row respectively; valid during the call)
 * and `nfields` values (B2B2C_PROMO_S_*; 11 in 1.1). */
typedef int (*b2b2c_promo_spend_cb)(const char *promo_id,
                                    const char *dealer_id,
                                    const int64_t *fields, size_t nfields,
                                    void *userdata);

/*
 * Spend vs plan: one row per budget (B2B2C_PROMO_BY_BUDGET, in promotion
 * then dealer order), per promotion (BY_PROMO) or per dealer (BY_DEALER),
 * in ID order (bytewise), over the budgets of promo_id and/or dealer_id
 * (NULL = any). Callback rules as b2b2c_promo_list_claims.
 * Errors: B2B2C_EINVAL (h or cb NULL; scope), B2B2C_EBADID (promo_id,
 * dealer_id), B2B2C_ERANGE (a sum beyond 2^63), B2B2C_ENOMEM, a storage
 * code or B2B2C_ECORRUPT, the callback's code. Cost O(budgets log
 * budgets), the claims not read; 10,000 budgets in about 4 ms of CPU time
 * (docs/PERFORMANCE.md).
 */
B2B2C_API int b2b2c_promo_spend_list(const b2b2c_programs *h, int32_t scope,
                                     const char *promo_id,
                                     const char *dealer_id,
                                     b2b2c_promo_spend_cb cb,
                                     void *userdata);

/*
 * Fields of a promotion's uplift for one dealer (b2b2c_promo_uplift).
 * Sell-out is net (SELL_OUT - RETURN_OUT + CORRECTION_OUT) over the
 * dealer's points in the budget's product line (or all lines). The
 * promotion window is the budget's days [d0, d1), L = d1 - d0 days; the
 * baseline window is the L days just before, [d0 - L, d0) (the dealer's
 * own pre-period baseline: Blattberg & Neslin 1990). A control
 * group is dealers the host names as similar and not promoted; their
 * means per dealer over the same two windows give the
 * difference-in-differences (Angrist & Pischke 2009, section 5.2).
 * Minor versions may append fields.
 *   DAYS                  L.
 *   PROMO_UNITS/AMOUNT    the dealer's sell-out in the promotion window.
 *   BASE_UNITS/AMOUNT     ... in the baseline window.
 *   LIFT                  PROMO_AMOUNT / BASE_AMOUNT - 1 (NaN when the
 *                         baseline is not positive).
 *   INCR_UNITS/AMOUNT     PROMO - BASE: incremental sales against the
 *                         dealer's own baseline.
 *   CONTROL_DEALERS       how many control dealers (0: none).
 *   CONTROL_PROMO_UNITS/AMOUNT, CONTROL_BASE_UNITS/AMOUNT
 *                         the control dealers' mean sell-out per dealer
 *                         in the two windows (NaN without control).
 *   DID_UNITS/AMOUNT      (PROMO - BASE) - (CONTROL_PROMO - CONTROL_BASE):
 *                         the difference-in-differences incremental
 *                         sales (NaN without control).
 *   SPEND                 the budget's SPENT (approved + paid claims).
 *   ROI                   (INCR - SPEND) / SPEND, INCR the DID amount
 *                         when there is a control group, else
 *                         INCR_AMOUNT; on sell-out revenue, not margin
 *                         (NaN when SPEND is 0).
 */
enum {
    B2B2C_PROMO_U_DAYS = 0,
    B2B2C_PROMO_U_PROMO_UNITS = 1,
    B2B2C_PROMO_U_PROMO_AMOUNT = 2,
    B2B2C_PROMO_U_BASE_UNITS = 3,
    B2B2C_PROMO_U_BASE_AMOUNT = 4,
    B2B2C_PROMO_U_LIFT = 5,
    B2B2C_PROMO_U_INCR_UNITS = 6,
    B2B2C_PROMO_U_INCR_AMOUNT = 7,
    B2B2C_PROMO_U_CONTROL_DEALERS = 8,
    B2B2C_PROMO_U_CONTROL_PROMO_UNITS = 9,
    B2B2C_PROMO_U_CONTROL_PROMO_AMOUNT = 10,
    B2B2C_PROMO_U_CONTROL_BASE_UNITS = 11,
    B2B2C_PROMO_U_CONTROL_BASE_AMOUNT = 12,
    B2B2C_PROMO_U_DID_UNITS = 13,
    B2B2C_PROMO_U_DID_AMOUNT = 14,
    B2B2C_PROMO_U_SPEND = 15,
    B2B2C_PROMO_U_ROI = 16,
    B2B2C_PROMO_U_NFIELDS = 17
};

/*
 * The uplift of promotion promo_id for dealer_id: writes min(nfields,
 * B2B2C_PROMO_U_NFIELDS) values (B2B2C_PROMO_U_*), only on success.
 *   control, ncontrol  the control group: registered dealers, none with a
 *                      budget in promo_id, no repeats (ncontrol 0: none;
 *                      control may then be NULL).
 * Call it once the promotion's days are over: days still to come count as
 * no sales.
 * Errors: B2B2C_EINVAL (fields or h NULL; nfields 0; control NULL with
 * ncontrol > 0; a control dealer repeated or with a budget in promo_id),
 * B2B2C_EBADID (promo_id, dealer_id, control[i]), B2B2C_ENOTFOUND (no
 * such budget; control[i] not a dealer), B2B2C_ERANGE (a sum beyond
 * 2^63), B2B2C_ENOMEM, a storage code or B2B2C_ECORRUPT. A read. Cost
 * O(point-lines of the network x log days + days of the windows).
 */
B2B2C_API int b2b2c_promo_uplift(double *fields, size_t nfields,
                                 const b2b2c_programs *h,
                                 const char *promo_id, const char *dealer_id,
                                 const char *const *control,
                                 size_t ncontrol);

/* One dealer's uplift in b2b2c_promo_uplift_list: its ID (valid during the
 * call) and `nfields` values (B2B2C_PROMO_U_*; 17 in 1.1). */
typedef int (*b2b2c_promo_uplift_cb)(const char *dealer_id,
                                     const double *fields, size_t nfields,
                                     void *userdata);

/*
 * The uplift of promotion promo_id for every dealer with a budget in it,
 * in dealer ID order, against one control group (as b2b2c_promo_uplift).
 * Callback rules as b2b2c_promo_list_claims.
 * Errors: those of b2b2c_promo_uplift (B2B2C_ENOTFOUND: no budget in the
 * promotion), B2B2C_EINVAL for a NULL cb, the callback's code. Cost
 * O(point-lines x (log days + days of the windows) + budgets log
 * budgets); 10,000 dealers with 428,400 day aggregates in about 17 ms of
 * CPU time (docs/PERFORMANCE.md).
 */
B2B2C_API int b2b2c_promo_uplift_list(const b2b2c_programs *h,
                                      const char *promo_id,
                                      const char *const *control,
                                      size_t ncontrol,
                                      b2b2c_promo_uplift_cb cb,
                                      void *userdata);

/* ---- dealers' reorders (b2b2c_programs_reorder*) -------------------------- */

/*
 * The reorder due list: whose next order from the manufacturer is
 * expected, from its own rhythm of ordering (docs/programs.md, "Reorder
 * due list"). An order is a day with positive net sell-in units (the
 * lines of one day, over the row's points and the product lines chosen,
 * are one order); its quantity and amount are that day's net sell-in.
 * The intervals between consecutive order days are taken as a renewal
 * process (Cox 1962, "Renewal Theory", ch. 1: independent intervals of one
 * distribution), whose median is estimated by the sample median of the
 * row's own intervals: the next order is due that many days after the
 * last, as in the forecaster's repeat-due list (b2b2c_forecaster_due).
 * Only orders on days up to and including now's day count.
 *
 * Professional B2B customers who order from the manufacturer (not through
 * a dealer) are not stored by this engine: the host passes each one's
 * order history to b2b2c_programs_reorder_of, which applies the same rules
 * and parameters.
 *
 * Parameters (b2b2c_programs_set_param; 720-729 belong to reorders):
 *   B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS  orders needed for a due date
 *                                          (so MIN_ORDERS - 1 intervals),
 *                                          a whole number in [2, 1000],
 *                                          default 4 (three intervals, as
 *                                          the forecaster's default
 *                                          B2B2C_FORECASTER_MIN_INTERVALS).
 *   B2B2C_PROGRAMS_PARAM_REORDER_MARGIN     the overdue margin, a fraction
 *                                          of the median interval in
 *                                          [0, 10], default 0.5: a row is
 *                                          overdue when the days since its
 *                                          last order pass MEDIAN_INTERVAL
 *                                          x (1 + MARGIN).
 */
enum {
    B2B2C_PROGRAMS_PARAM_REORDER_MIN_ORDERS = 720,
    B2B2C_PROGRAMS_PARAM_REORDER_MARGIN = 721
};

/*
 * Fields of one reorder row (doubles; whole numbers except where said).
 * Minor versions may append fields: read at most `nfields`. A field that
 * is undefined (too few orders) is NaN.
 *   ORDERS             order days up to now's day.
 *   LAST_ORDER         Unix time the last order's day starts (context's
 *                      offset); NaN without orders.
 *   MEDIAN_INTERVAL    the sample median of the days between consecutive
 *                      orders (a half when their number is even); NaN
 *                      below MIN_ORDERS orders.
 *   DUE                Unix time the due day starts: the last order's day
 *                      plus MEDIAN_INTERVAL rounded half up.
 *   DAYS_SINCE         days from the last order's day to now's day.
 *   DAYS_LATE          now's day minus the due day (negative: days still
 *                      to go).
 *   OVERDUE            1 when DAYS_SINCE > MEDIAN_INTERVAL x (1 +
 *                      REORDER_MARGIN), else 0.
 *   EXCEEDED           the share (0..1) of the row's own intervals that are
 *                      shorter than DAYS_SINCE: the empirical distribution
 *                      function of the intervals at the days waited, how
 *                      unusual the wait is for this buyer.
 *   EXPECTED_UNITS     the sample median of the orders' units: the
 *                      quantity expected in the next order.
 *   EXPECTED_AMOUNT    the same for the orders' amounts (minor units).
 */
enum {
    B2B2C_PROGRAMS_R_ORDERS = 0,
    B2B2C_PROGRAMS_R_LAST_ORDER = 1,
    B2B2C_PROGRAMS_R_MEDIAN_INTERVAL = 2,
    B2B2C_PROGRAMS_R_DUE = 3,
    B2B2C_PROGRAMS_R_DAYS_SINCE = 4,
    B2B2C_PROGRAMS_R_DAYS_LATE = 5,
    B2B2C_PROGRAMS_R_OVERDUE = 6,
    B2B2C_PROGRAMS_R_EXCEEDED = 7,
    B2B2C_PROGRAMS_R_EXPECTED_UNITS = 8,
    B2B2C_PROGRAMS_R_EXPECTED_AMOUNT = 9,
    B2B2C_PROGRAMS_R_NFIELDS = 10
};

/* Longest due window of b2b2c_programs_reorders, days (ten years). */
#define B2B2C_PROGRAMS_REORDER_WINDOW_MAX 3660

/* One row of the reorder due list: the dealer's or point's ID (valid
 * during the call) and `nfields` values (B2B2C_PROGRAMS_R_*; 10 in 1.1). A
 * non-zero return stops the listing and is returned. */
typedef int (*b2b2c_programs_reorder_cb)(const char *id, const double *fields,
                                         size_t nfields, void *userdata);

/*
 * The reorder due list at `now`: every registered dealer (scope
 * B2B2C_PROGRAMS_BY_DEALER, its orders summed over its points) or point
 * (B2B2C_PROGRAMS_BY_POINT) with at least REORDER_MIN_ORDERS orders whose
 * due day is on or before now's day + window_days (the overdue ones
 * included), most late first (DAYS_LATE from the highest; ties in ID
 * order, bytewise).
 *   product_line  orders of one product line, or NULL for any line (a day
 *                 with net sell-in over all lines).
 *   now           the time the list is for, in range.
 *   window_days   0 .. B2B2C_PROGRAMS_REORDER_WINDOW_MAX: 0 lists the ones
 *                 due by today.
 * The callback runs after the list is built; a mutating call from it gets
 * B2B2C_ESTATE.
 * Errors: B2B2C_EINVAL (h or cb NULL; scope), B2B2C_EBADID (product_line),
 * B2B2C_ERANGE (now outside the time range; window_days; a day's sum
 * beyond 2^63), B2B2C_ENOMEM (scratch memory), a storage code or
 * B2B2C_ECORRUPT (bringing the handle up to date), the callback's code.
 * Cost O(D) for the D day aggregates of the lines chosen (grouped by
 * row) plus a sort of each row's days when they come from several series
 * and three medians per row; 10,000 dealers over 2.09M aggregates in
 * about 255 ms of CPU time (docs/PERFORMANCE.md); no allocation held
 * after the call.
 */
B2B2C_API int b2b2c_programs_reorders(const b2b2c_programs *h, int32_t scope,
                                      const char *product_line, int64_t now,
                                      int32_t window_days,
                                      b2b2c_programs_reorder_cb cb,
                                      void *userdata);

/*
 * The reorder fields at `now` of an order history the host holds (a
 * professional B2B customer's orders from its own order system, or the
 * forecaster's purchases of one customer), with the rules and parameters
 * of b2b2c_programs_reorders: line i is (times[i], units[i],
 * amounts[i]), in any order; the lines of one day (context's offset) are
 * one order, a day whose units sum to 0 is none, lines after now's day are
 * left out. Writes min(nfields, B2B2C_PROGRAMS_R_NFIELDS) values into
 * fields, only on success; below REORDER_MIN_ORDERS orders the fields from
 * MEDIAN_INTERVAL on are NaN (and LAST_ORDER, DAYS_SINCE too without any
 * order). n == 0 is no order (the arrays may then be NULL).
 * Errors: B2B2C_EINVAL (fields or h NULL; nfields 0; an array NULL with n
 * > 0), B2B2C_ERANGE (now or times[i] outside the time range; units[i] or
 * amounts[i] negative or above B2B2C_PROGRAMS_LINE_MAX; the message names
 * the line), B2B2C_ENOMEM (scratch memory), a storage code or
 * B2B2C_ECORRUPT (bringing the handle up to date). A read: callable from a
 * listing's callback. Cost O(n log n).
 */
B2B2C_API int b2b2c_programs_reorder_of(double *fields, size_t nfields,
                                        const b2b2c_programs *h,
                                        const int64_t *times,
                                        const int64_t *units,
                                        const int64_t *amounts, size_t n,
                                        int64_t now);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_PROGRAM_H */
