/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c channel analytics: reach and lead-generation channels, spend,
 * touches and conversions, metrics (CPL, CPA, ROI and ROMI on first revenue
 * and on lifetime value), multi-touch attribution (first, last, linear, time
 * decay, position-based, Markov-chain removal effect) and the media-mix
 * report (reach vs lead generation per segment group, lead cost against
 * lagged reach spend). See docs/channels.md.
 *
 * Threads: a handle is used by one thread at a time, like the context it was
 * opened on; separate contexts (and their handles) are independent and may
 * be used from different threads in parallel.
 *
 * Units: time is Unix seconds (int64_t), always passed in; the library never
 * reads the clock. Spend is a day's total per channel; the day of a time t is
 * floor((t + offset) / 86400), in the context's UTC offset
 * (b2b2c_ctx_set_utc_offset, default UTC). Durations are in days unless the name says
 * otherwise. Money is in the host's currency, as double.
 *
 * Persistence: every mutating call writes through to the context's storage
 * (tables channel_channels, channel_spend, channel_leads, channel_params);
 * b2b2c_channels_new restores everything.
 *
 * Many contexts on one database (b2b2c_ctx_sync): every call sees the
 * channels, spend, touches, conversions and parameters other contexts
 * committed before it began, and a mutating call checks its state (a
 * channel that exists, a lead already converted) on that latest state, so
 * touches and spend recorded from several contexts are all counted. Reads
 * may also return the storage's code or B2B2C_ECORRUPT from bringing the
 * context up to date (this library deletes a channel or spend row only in
 * b2b2c_channels_remove and a lead row only in b2b2c_channels_erase, whose
 * commits make the other contexts reload: a deletion in the change log is B2B2C_ECORRUPT naming
 * table and key). Report sums run over leads in the order this handle first saw
 * them, which may differ between contexts: figures agree to rounding.
 */
#ifndef B2B2C_CHANNEL_H
#define B2B2C_CHANNEL_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct b2b2c_channels b2b2c_channels;

/* ---- vocabulary --------------------------------------------------------- */

/* Channel kinds. Names: "none" (only the direct bucket), "reach",
 * "lead_generation". Values are never renumbered. */
enum {
    B2B2C_CHANNEL_KIND_NONE = 0,
    B2B2C_CHANNEL_KIND_REACH = 1,
    B2B2C_CHANNEL_KIND_LEADGEN = 2
};

/*
 * Channel sub-kinds from the source. Reach: 1..4; lead generation: 11..16;
 * 0 "other" is allowed with either kind. Names: "other", "display_media",
 * "retail_media", "viral_content", "informational_seo", "search_ads",
 * "lead_form_ads", "marketplace", "webinar_offer", "outreach",
 * "dealer_referral".
 */
enum {
    B2B2C_CHANNEL_SUB_OTHER = 0,
    B2B2C_CHANNEL_SUB_DISPLAY_MEDIA = 1,     /* reach */
    B2B2C_CHANNEL_SUB_RETAIL_MEDIA = 2,      /* reach */
    B2B2C_CHANNEL_SUB_VIRAL_CONTENT = 3,     /* reach */
    B2B2C_CHANNEL_SUB_INFORMATIONAL_SEO = 4, /* reach */
    B2B2C_CHANNEL_SUB_SEARCH_ADS = 11,       /* lead gen: commercial queries */
    B2B2C_CHANNEL_SUB_LEAD_FORM_ADS = 12,    /* lead gen: targeted + lead form */
    B2B2C_CHANNEL_SUB_MARKETPLACE = 13,      /* lead gen */
    B2B2C_CHANNEL_SUB_WEBINAR_OFFER = 14,    /* lead gen: webinars, offers */
    B2B2C_CHANNEL_SUB_OUTREACH = 15,         /* lead gen */
    B2B2C_CHANNEL_SUB_DEALER_REFERRAL = 16   /* lead gen */
};

/* Channel attribution models (named "attribution", never "attr": an attr
 * is an account or lead attribute). Names: "first", "last", "linear",
 * "decay", "position", "markov". */
enum {
    B2B2C_CHANNEL_ATTRIBUTION_FIRST = 1,
    B2B2C_CHANNEL_ATTRIBUTION_LAST = 2,
    B2B2C_CHANNEL_ATTRIBUTION_LINEAR = 3,
    B2B2C_CHANNEL_ATTRIBUTION_DECAY = 4,
    B2B2C_CHANNEL_ATTRIBUTION_POSITION = 5,
    B2B2C_CHANNEL_ATTRIBUTION_MARKOV = 6
};

/* Stable names of the values above (static strings), NULL for an unknown
 * value; the *_from_name functions return the value or B2B2C_EINVAL
 * (negative) for NULL or an unknown name. */
B2B2C_API const char *b2b2c_channel_kind_name(int32_t kind);
B2B2C_API int32_t b2b2c_channel_kind_from_name(const char *name);
B2B2C_API const char *b2b2c_channel_sub_name(int32_t sub);
B2B2C_API int32_t b2b2c_channel_sub_from_name(const char *name);
/* The kind a sub-kind belongs to: REACH, LEADGEN, NONE for "other", or
 * B2B2C_EINVAL for an unknown sub-kind. */
B2B2C_API int32_t b2b2c_channel_sub_kind(int32_t sub);
B2B2C_API const char *b2b2c_channel_attribution_name(int32_t model);
B2B2C_API int32_t b2b2c_channel_attribution_from_name(const char *name);

/* ---- parameters (channels: 500-599) -------------------------------------- */

enum {
    /* Touches count for a conversion when they are at most this many days
     * before it (and not after it). Default 30, range [1, 3650]. */
    B2B2C_CHANNELS_LOOKBACK_DAYS = 500,
    /* Time-decay half-life in days: a touch d days before the conversion
     * weighs 2^(-d / half_life). Default 7, range [0.01, 3650]. */
    B2B2C_CHANNELS_HALF_LIFE_DAYS = 501,
    /* Position-based share of the first and of the last touch (paths of 3
     * or more touches; the middle touches share the rest evenly). Defaults
     * 0.4 and 0.4; each in [0, 1], and their sum at most 1. */
    B2B2C_CHANNELS_POSITION_FIRST = 502,
    B2B2C_CHANNELS_POSITION_LAST = 503,
    /* Media mix: the lead cost of week w is paired with the reach spend of
     * the MIX_WINDOW_WEEKS weeks ending MIX_LAG_WEEKS weeks before w.
     * Lag default 1, range [0, 52]; window default 4, range [1, 52]. */
    B2B2C_CHANNELS_MIX_LAG_WEEKS = 504,
    B2B2C_CHANNELS_MIX_WINDOW_WEEKS = 505
};

/* ---- handle --------------------------------------------------------------- */

/*
 * Open the channel analytics on `ctx`, loading every channel, spend row,
 * lead (touches, conversion, lifetime value) and parameter from its storage.
 *
 * out  receives the handle (NULL on failure); free with b2b2c_channels_free.
 * ctx  the context; must outlive the handle.
 *
 * Errors: B2B2C_EINVAL (NULL), B2B2C_ENOMEM, B2B2C_ECORRUPT or
 * B2B2C_EVERSION (a stored record, named with table and key in the
 * message), or the storage's code.
 */
B2B2C_API int b2b2c_channels_new(b2b2c_channels **out, b2b2c_ctx *ctx);

/* Free the handle (NULL is fine). An open transaction group on its context
 * is rolled back and aborted. */
B2B2C_API void b2b2c_channels_free(b2b2c_channels *h);

/*
 * Set a parameter (B2B2C_CHANNELS_*; bounds and defaults:
 * b2b2c_param_bounds), written through to storage.
 * Errors: B2B2C_EINVAL (NULL h, unknown param, NaN/inf), B2B2C_ERANGE (out
 * of bounds, fractional for a whole parameter (MIX_LAG_WEEKS,
 * MIX_WINDOW_WEEKS), or POSITION_FIRST + POSITION_LAST > 1), storage codes.
 */
B2B2C_API int b2b2c_channels_set_param(b2b2c_channels *h, int32_t param,
                                       double value);
/* Read a parameter into *out. Errors: B2B2C_EINVAL. */
B2B2C_API int b2b2c_channels_get_param(double *out, const b2b2c_channels *h,
                                       int32_t param);

/* ---- data ------------------------------------------------------------------ */

/*
 * Add a channel.
 *
 * id     host ID (UTF-8, 1..255 bytes).
 * kind   B2B2C_CHANNEL_KIND_REACH or _LEADGEN.
 * sub    a sub-kind of that kind, or B2B2C_CHANNEL_SUB_OTHER.
 * group  the target segment group, B2B2C_GROUP_* (UNKNOWN allowed).
 *
 * Errors: B2B2C_EINVAL (NULL; unknown kind, sub-kind or group; a sub-kind of
 * the other kind), B2B2C_EBADID, B2B2C_EEXISTS, B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_channels_add(b2b2c_channels *h, const char *id,
                                 int32_t kind, int32_t sub, int32_t group);

/* Read a channel's kind, sub-kind and group (any out pointer may be NULL).
 * Errors: B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND. */
B2B2C_API int b2b2c_channels_get(int32_t *kind, int32_t *sub, int32_t *group,
                                 const b2b2c_channels *h, const char *id);

/*
 * Remove channel `channel_id`, which no lead may have touched: its record
 * and its spend days leave memory and storage, and the ID may be added
 * again. The channel added last takes the removed one's place (channels
 * are listed in creation order otherwise), and the records of the leads
 * that touched it are rewritten. The commit makes other contexts on the
 * database reload their engines, as an erase does (docs/storage.md,
 * "Erasing an ID"). Errors: B2B2C_EINVAL (NULL), B2B2C_EBADID,
 * B2B2C_ENOTFOUND ("channel_id: ..."), B2B2C_ESTATE (a lead touched it:
 * the message names one; erase or keep), B2B2C_ENOMEM, storage codes;
 * nothing changes on error. Cost O(touches): every lead's touches are
 * read. Since 1.1.
 */
B2B2C_API int b2b2c_channels_remove(b2b2c_channels *h,
                                    const char *channel_id);

/* Number of channels into *out. Errors: B2B2C_EINVAL. */
B2B2C_API int b2b2c_channels_count(size_t *out, const b2b2c_channels *h);

/* A channel in b2b2c_channels_list: kind, sub-kind and target group as
 * given to b2b2c_channels_add. */
typedef int (*b2b2c_channels_list_cb)(const char *channel_id, int32_t kind,
                                      int32_t sub, int32_t group,
                                      void *userdata);

/*
 * Every channel, in channel ID order (bytewise). Filter: kind
 * (B2B2C_CHANNEL_KIND_*, -1 = any). The channel ID is valid during the
 * callback only; a non-zero return stops the listing and is returned; a
 * mutating call on the context from the callback gets B2B2C_ESTATE.
 * Errors: B2B2C_EINVAL (h or cb NULL, unknown kind), B2B2C_ENOMEM, or the
 * callback's code.
 */
B2B2C_API int b2b2c_channels_list(const b2b2c_channels *h, int32_t kind,
                                  b2b2c_channels_list_cb cb, void *userdata);

/*
 * Set the spend and impressions (reach) of a channel on the day containing
 * time `t` (replacing what was recorded for that day).
 *
 * t            Unix seconds in [B2B2C_TIME_MIN, B2B2C_TIME_MAX] (common.h).
 * spend        money, finite, in [0, B2B2C_AMOUNT_MAX].
 * impressions  impressions or reach count, finite, in [0,
 *              B2B2C_AMOUNT_MAX].
 *
 * Errors: B2B2C_EINVAL (NULL, NaN/inf), B2B2C_ERANGE (t outside the time
 * range, negative or over B2B2C_AMOUNT_MAX), B2B2C_EBADID,
 * B2B2C_ENOTFOUND (unknown channel), B2B2C_ENOMEM, storage.
 */
B2B2C_API int b2b2c_channels_set_spend(b2b2c_channels *h,
                                       const char *channel_id, int64_t t,
                                       double spend, double impressions);

/*
 * Record a touch: lead `lead_id` met channel `channel_id` at time `t`
 * (in the library's time range). A lead's touches are kept in time order;
 * equal times keep arrival order.
 *
 * Errors: B2B2C_EINVAL (NULL), B2B2C_EBADID, B2B2C_ENOTFOUND (unknown
 * channel), B2B2C_ERANGE (t outside the time range), B2B2C_ESTATE (the lead
 * converted before `t`), B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_channels_touch(b2b2c_channels *h, const char *lead_id,
                                   const char *channel_id, int64_t t);

/*
 * Record the conversion (first order) of a lead at time `t` (in the
 * library's time range, not before the lead's last touch) with revenue
 * `revenue` (finite, in [0, B2B2C_AMOUNT_MAX]). A lead converts once.
 *
 * Errors: B2B2C_EINVAL (NULL, NaN/inf), B2B2C_ERANGE (t outside the range
 * or before the lead's last touch, the message naming both times; revenue
 * negative or over B2B2C_AMOUNT_MAX), B2B2C_EBADID, B2B2C_EEXISTS (already
 * converted), B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_channels_convert(b2b2c_channels *h, const char *lead_id,
                                     int64_t t, double revenue);

/*
 * Merge the channel record of lead `from_id` into lead `into_id`, two IDs
 * found to be one person (since 1.1; with b2b2c_lead_merge, the sequence
 * in docs/lead-model.md "Merging leads"): into gets from's touches (kept
 * sorted by time, into's first at equal times) and conversion: the earlier
 * of the two conversions, with the sum of both revenues; touches after
 * that conversion are dropped (b2b2c_channels_touch refuses them too).
 * into's lifetime value stays, or from's is taken when into has none. A
 * lead the engine does not know as into_id (no touch yet) is created.
 * from's record is then deleted (no alias is kept; docs/privacy.md).
 * Inside a group it rolls back with the group. Cost O(touches of both).
 * Errors: B2B2C_EINVAL (NULL, from_id and into_id the same), B2B2C_EBADID,
 * B2B2C_ENOTFOUND (from_id unknown, "from_id: ..."), B2B2C_ERANGE (too
 * many touches), B2B2C_ENOMEM, storage codes; nothing changes on error.
 */
B2B2C_API int b2b2c_channels_merge(b2b2c_channels *h, const char *from_id,
                                   const char *into_id);

/*
 * Erase a lead's channel record (GDPR Art. 17; docs/privacy.md): its
 * touches, conversion and lifetime value leave memory and storage, and the
 * change log forgets its key like b2b2c_lead_erase. What stays: channels
 * and their spend; every metric computed after the erase (attribution,
 * conversion rates, cost per lead) no longer counts the lead: this library
 * keeps no stored total that the lead was folded into. B2B2C_EINVAL
 * (NULL), B2B2C_EBADID, B2B2C_ENOTFOUND ("lead_id: ..."), B2B2C_ENOMEM,
 * storage codes; nothing changes on error. Since 1.1.
 */
B2B2C_API int b2b2c_channels_erase(b2b2c_channels *h, const char *lead_id);

/*
 * Set a lead's lifetime value (e.g. from the forecaster), finite, in [0,
 * B2B2C_AMOUNT_MAX]; replaces an earlier value. The lead need not have converted yet.
 * Attribution on lifetime value uses it for converted leads; a converted
 * lead without one counts its first revenue.
 *
 * Errors: B2B2C_EINVAL, B2B2C_ERANGE, B2B2C_EBADID, B2B2C_ENOMEM, storage.
 */
B2B2C_API int b2b2c_channels_set_ltv(b2b2c_channels *h, const char *lead_id,
                                     double ltv);

/* ---- metrics ------------------------------------------------------------------ */

/* Row groupings for b2b2c_channels_metrics. */
enum {
    B2B2C_CHANNELS_BY_CHANNEL = 1, /* key: channel ID */
    B2B2C_CHANNELS_BY_KIND = 2,    /* key: kind name */
    B2B2C_CHANNELS_BY_GROUP = 3,   /* key: segment group name */
    B2B2C_CHANNELS_BY_TOTAL = 4    /* key: "total" (one row, direct included) */
};

/*
 * Indexes into the metric vector of a row. S = spend of the row's channels
 * on days in [from, to); L = distinct leads with a touch on the row's
 * channels in [from, to); K = those of them that converted before `to`;
 * A, R, V = attributed conversions, first revenue and lifetime value of the
 * conversions in [from, to) under the chosen model (V uses a lead's lifetime
 * value, or its first revenue when none was set). Ratios with a zero
 * denominator are NaN.
 */
enum {
    B2B2C_CHM_SPEND = 0,           /* S */
    B2B2C_CHM_IMPRESSIONS = 1,     /* impressions on days in [from, to) */
    B2B2C_CHM_LEADS = 2,           /* L */
    B2B2C_CHM_CONVERTED_LEADS = 3, /* K */
    B2B2C_CHM_CONV_RATE = 4,       /* K / L */
    B2B2C_CHM_CPL = 5,             /* S / L (cost per lead) */
    B2B2C_CHM_CONVERSIONS = 6,     /* A (fractional) */
    B2B2C_CHM_CPA = 7,             /* S / A (cost per acquisition) */
    B2B2C_CHM_REVENUE = 8,         /* R */
    B2B2C_CHM_LTV = 9,             /* V */
    B2B2C_CHM_ROI = 10,            /* (R - S) / S */
    B2B2C_CHM_ROMI = 11,           /* R / S (return per unit of spend) */
    B2B2C_CHM_ROI_LTV = 12,        /* (V - S) / S */
    B2B2C_CHM_ROMI_LTV = 13,       /* V / S */
    B2B2C_CHM_COUNT = 14           /* metrics in this version (appended only) */
};

/*
 * A row of metrics. `key` names the row (static or owned by the library,
 * valid during the call); the empty string "" is the direct bucket (value of
 * conversions with no touch in the lookback window). `m` holds `n` metrics
 * indexed by B2B2C_CHM_*. A non-zero return stops the iteration and is
 * returned by the calling function.
 */
typedef int (*b2b2c_channels_row_cb)(const char *key, const double *m,
                                     size_t n, void *userdata);

/*
 * Compute metrics over [from, to) (Unix seconds; days count when their start
 * is in the range) grouped by `by` (B2B2C_CHANNELS_BY_*), attributing with
 * `model` (B2B2C_ATTR_*), and report one row per channel (in the order they
 * were added), kind, group or the total, then the direct bucket (except for
 * BY_TOTAL, whose one row includes it).
 *
 * The callback must not call mutating functions on the same context
 * (B2B2C_ESTATE). Errors: B2B2C_EINVAL (NULL, unknown by or model),
 * B2B2C_ERANGE (from > to), B2B2C_ENOMEM, or the callback's code.
 */
B2B2C_API int b2b2c_channels_metrics(b2b2c_channels *h, int32_t by,
                                     int32_t model, int64_t from, int64_t to,
                                     b2b2c_channels_row_cb cb, void *userdata);

/* ---- attribution ------------------------------------------------------------- */

/*
 * Per-channel attributed totals. channel_id is "" for the direct bucket.
 * conversions, revenue and ltv are the attributed shares summed over the
 * conversions.
 */
typedef int (*b2b2c_channels_attribution_cb)(const char *channel_id,
                                             double conversions, double revenue,
                                             double ltv, void *userdata);

/*
 * Attribute every conversion with time in [from, to) to the touches of its
 * lead in the lookback window [t - LOOKBACK_DAYS days, t], and report each
 * channel's total (channels in the order added, all of them, then the
 * direct bucket ""). Each conversion's weight 1, revenue and lifetime value
 * are split among its touches and sum back exactly (to rounding, the last
 * touch takes the remainder):
 *
 *   first     100% to the first touch; last: 100% to the last touch.
 *   linear    1/n per touch.
 *   decay     weight 2^(-d/HALF_LIFE_DAYS), d the touch's age in days at
 *             the conversion, normalised.
 *   position  n=1: 100%; n=2: first/(first+last) and last/(first+last)
 *             (50/50 by default); n>=3: POSITION_FIRST, POSITION_LAST, and
 *             the rest evenly over the middle touches (40/20/40).
 *   markov    first-order Markov chain over START, the channels, CONVERSION
 *             and NULL, built from every path (converting and not) ending in
 *             [from, to); removal effect RE(c) = 1 - P(conv | c removed) /
 *             P(conv); each conversion is split over the distinct channels
 *             of its path in proportion to their RE (Anderl et al. 2016).
 *
 * Repeated channels on a path get the sum of their touches' shares.
 * Conversions without touches in the window go to the direct bucket.
 * Errors: as b2b2c_channels_metrics.
 */
B2B2C_API int b2b2c_channels_attribute(b2b2c_channels *h, int32_t model,
                                       int64_t from, int64_t to,
                                       b2b2c_channels_attribution_cb cb,
                                       void *userdata);

/*
 * One touch of a conversion's path and the share of the conversion it gets
 * (in [0, 1]; the shares of a conversion add up to 1). channel_id is "" and
 * t the conversion time for a conversion attributed to the direct bucket.
 */
typedef int (*b2b2c_channels_share_cb)(const char *channel_id, int64_t t,
                                       double share, void *userdata);

/*
 * The attribution of one converted lead: every touch in its lookback
 * window, in time order, with its share under `model` (zero shares
 * included, e.g. the middle touches under first-touch). For the Markov
 * model the removal effects come from the paths ending in [from, to) (see
 * b2b2c_channels_attribute; a path whose channels all have a zero effect
 * there is split evenly); other models ignore from and to.
 *
 * Errors: B2B2C_EINVAL (NULL h, lead_id or cb; unknown model),
 * B2B2C_EBADID, B2B2C_ENOTFOUND (unknown lead), B2B2C_ESTATE (the lead has
 * not converted), B2B2C_ERANGE (from > to), B2B2C_ENOMEM, or the
 * callback's code.
 */
B2B2C_API int b2b2c_channels_attribute_lead(b2b2c_channels *h,
                                            const char *lead_id, int32_t model,
                                            int64_t from, int64_t to,
                                            b2b2c_channels_share_cb cb,
                                            void *userdata);

/*
 * One channel's Markov removal effect: RE(c) = removal_effect in [0, 1] and
 * its normalised share RE(c) / sum RE (0 when all are 0).
 */
typedef int (*b2b2c_channels_markov_cb)(const char *channel_id,
                                        double removal_effect, double share,
                                        void *userdata);

/*
 * Markov removal effects over the paths ending in [from, to) (see above): a
 * path is a lead's touches in the lookback window before its conversion
 * (converting), or before its last touch (not converting). Reports every
 * channel (order added) through cb. *p_conv (may be NULL) receives
 * P(conversion) of the full chain (NaN with no paths).
 * Errors: as b2b2c_channels_metrics.
 */
B2B2C_API int b2b2c_channels_markov_effects(double *p_conv, b2b2c_channels *h,
                                            int64_t from, int64_t to,
                                            b2b2c_channels_markov_cb cb,
                                            void *userdata);

/* ---- Markov attribution over paths a host holds (since 1.1) --------------- */

/*
 * The Markov chain of b2b2c_channels_markov_effects without a handle, for
 * paths spread over partitions, processes or machines (docs/scaling.md):
 * each partition counts its paths' transitions
 * (b2b2c_channel_markov_counts), the host adds the counts (whole numbers:
 * the merged counts are the same whatever the partitioning and the order
 * of the additions), and b2b2c_channel_markov_effects turns the merged
 * counts into the removal effects with the engine's arithmetic. The
 * effects equal the engine's bit for bit when the engine's paths are
 * counted with its channels numbered in its order (the order added,
 * b2b2c_channels_list): equal counts take one code path.
 *
 * The counts matrix: (nchannels + 1) rows by (nchannels + 3) columns,
 * row-major. Row 0 is START, row c + 1 channel c; column c + 1 is channel
 * c, column nchannels + 1 CONVERSION and column nchannels + 2 NULL (the
 * path ended without a conversion); column 0 (into START) is always 0.
 * counts[r * (nchannels + 3) + s] is the number of transitions r -> s.
 */

/*
 * Count the transitions of npaths paths into counts (ncounts >=
 * (nchannels + 1) * (nchannels + 3); that many entries are overwritten).
 * The paths' touches are concatenated in channels[0..ntouches): path i
 * is the next lengths[i] touches, each a channel number < nchannels, in
 * time order; converted[i] non-zero: it ends in a conversion (a path of
 * the engine: the touches in the lookback window before the conversion,
 * or before the last touch of a lead that has not converted). A path of
 * length 0 (a conversion without touches, the direct bucket) adds
 * nothing. lengths and converted may be NULL when npaths is 0, channels
 * when ntouches is 0.
 * Errors (counts untouched): B2B2C_EINVAL (NULL ctx, counts or an array
 * named above, nchannels 0, ncounts too small, the lengths not adding up
 * to ntouches), B2B2C_ERANGE (a channel number >= nchannels, named by
 * its index; nchannels too large for the matrix's size). Cost: O(ntouches
 * + nchannels^2), no allocation.
 */
B2B2C_API int b2b2c_channel_markov_counts(uint64_t *counts, size_t ncounts,
                                          b2b2c_ctx *ctx, size_t nchannels,
                                          const uint32_t *channels,
                                          size_t ntouches,
                                          const uint32_t *lengths,
                                          const uint32_t *converted,
                                          size_t npaths);

/*
 * The removal effects of the chain with the transition counts `counts`
 * (the layout above, usually b2b2c_channel_markov_counts added over
 * partitions): effects[c] (nchannels entries) receives RE(c) in [0, 1] as
 * b2b2c_channels_markov_effects reports it (0 for a channel without
 * transitions), *p_conv (may be NULL) P(conversion) from START (NaN when
 * no path was counted). The normalised shares are RE(c) / sum RE, summed
 * in channel order. Outputs written on success only.
 * Errors: B2B2C_EINVAL (NULL ctx, effects or counts; nchannels 0; ncounts
 * too small), B2B2C_ERANGE (not the counts of paths: a count into START,
 * a channel entered but never left, a count above 2^53 that a double
 * would round; the message names the entry or channel), B2B2C_ENOMEM.
 * Cost: O(nchannels^2) to read the counts and O(m^3) for the m channels
 * with transitions; memory O(nchannels^2 + m^2).
 */
B2B2C_API int b2b2c_channel_markov_effects(double *effects, double *p_conv,
                                           b2b2c_ctx *ctx,
                                           const uint64_t *counts,
                                           size_t ncounts, size_t nchannels);

/* ---- media mix ----------------------------------------------------------------- */

/* Indexes into the vector of a media-mix share row. */
enum {
    B2B2C_MIX_REACH_SPEND = 0,
    B2B2C_MIX_LEADGEN_SPEND = 1,
    B2B2C_MIX_REACH_SPEND_SHARE = 2,   /* reach / (reach + lead gen); NaN if 0 */
    B2B2C_MIX_REACH_VALUE = 3,         /* attributed first revenue */
    B2B2C_MIX_LEADGEN_VALUE = 4,
    B2B2C_MIX_REACH_VALUE_SHARE = 5,   /* of reach + lead gen (direct excluded) */
    B2B2C_MIX_REACH_LTV = 6,           /* attributed lifetime value */
    B2B2C_MIX_LEADGEN_LTV = 7,
    B2B2C_MIX_COUNT = 8
};

/*
 * Media-mix shares per segment group over [from, to) under `model`: one row
 * per group (keys "unknown", "dealer", "b2b", "b2c", then "total") through
 * the row callback with B2B2C_MIX_* indexes.
 * Errors: as b2b2c_channels_metrics.
 */
B2B2C_API int b2b2c_channels_mix_shares(b2b2c_channels *h, int32_t model,
                                        int64_t from, int64_t to,
                                        b2b2c_channels_row_cb cb,
                                        void *userdata);

/*
 * One week of the lagged media-mix comparison: the week starting at
 * `week_start`, X = reach spend of the window ending MIX_LAG_WEEKS weeks
 * before it, the lead-generation spend, distinct leads touched by
 * lead-generation channels that week, and their cost per lead Y.
 */
typedef int (*b2b2c_channels_lag_cb)(int64_t week_start, double reach_spend,
                                     double leadgen_spend, double leads,
                                     double cpl, void *userdata);

/*
 * Lead cost against lagged reach spend, for channels of segment group
 * `group` (B2B2C_GROUP_*, or -1 for all). Weeks are 7-day blocks starting
 * at `from`, up to `to`; a week with no lead-generation leads is skipped.
 * Each kept week is reported through cb (may be NULL). Over the reported
 * pairs (X, Y): *slope = OLS slope of Y on X, cov(X,Y)/var(X), and *corr =
 * Pearson correlation (both NaN with fewer than 2 pairs or no variance);
 * *pairs the number of pairs. A negative slope supports the claim that
 * reach lowers the cost of leads. Any of slope, corr, pairs may be NULL.
 * Errors: B2B2C_EINVAL (NULL h, bad group), B2B2C_ERANGE (from > to or over
 * 520 weeks), B2B2C_ENOMEM, or the callback's code.
 */
B2B2C_API int b2b2c_channels_mix_lag(double *slope, double *corr,
                                     size_t *pairs, b2b2c_channels *h,
                                     int32_t group, int64_t from, int64_t to,
                                     b2b2c_channels_lag_cb cb, void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_CHANNEL_H */
