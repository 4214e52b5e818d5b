/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c lead model: leads, engagement events, a decaying rule score with
 * cold/warm/hot bands, a learned conversion probability, the lead
 * lifecycle, queries and band-change alerts. See docs/lead-model.md.
 *
 * Score = fit + engagement. Fit is the sum of the points of the lead's
 * attribute values (segment, channel, region, product line) and does not
 * decay. Engagement is the sum of event points, each fading with the
 * half-life (B2B2C_LEAD_HALF_LIFE_DAYS); it never goes below 0. The band is
 * hot when score >= the hot threshold or a "hot hold" event kind (quote
 * request, meeting booked) happened within its hold time, warm when score >=
 * the warm threshold, else cold.
 *
 * Threads: a handle is used by one thread at a time (together with its
 * context); separate contexts and their handles are independent and may be
 * used from different threads in parallel.
 *
 * Callbacks: query and alert callbacks run while the handle is busy; a
 * callback that makes a mutating call on the same context gets
 * B2B2C_ESTATE. A non-zero return from a callback stops the iteration and
 * is returned by the call.
 */
#ifndef B2B2C_LEAD_H
#define B2B2C_LEAD_H

#include "b2b2c/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct b2b2c_lead_model b2b2c_lead_model;

/* ---- event kinds ------------------------------------------------------ */

/* Built-in event kinds. Stable names in comments (b2b2c_lead_kind_name).
 * Hosts register more with b2b2c_lead_add_kind (IDs from 17 up). */
enum {
    B2B2C_LEAD_EV_NEWSLETTER_SUBSCRIBE = 0, /* "newsletter_subscribe" */
    B2B2C_LEAD_EV_SITE_VISIT = 1,           /* "site_visit" */
    B2B2C_LEAD_EV_CONTENT_VIEW = 2,         /* "content_view" */
    B2B2C_LEAD_EV_EMAIL_OPEN = 3,           /* "email_open" */
    B2B2C_LEAD_EV_EMAIL_CLICK = 4,          /* "email_click" */
    B2B2C_LEAD_EV_GUIDE_DOWNLOAD = 5,       /* "guide_download" */
    B2B2C_LEAD_EV_WEBINAR_REGISTER = 6,     /* "webinar_register" */
    B2B2C_LEAD_EV_WEBINAR_ATTEND = 7,       /* "webinar_attend" */
    B2B2C_LEAD_EV_DEMO_VIEW = 8,            /* "demo_view" */
    B2B2C_LEAD_EV_PRICING_VIEW = 9,         /* "pricing_view" */
    B2B2C_LEAD_EV_QUESTION_ASKED = 10,      /* "question_asked" */
    B2B2C_LEAD_EV_QUOTE_REQUEST = 11,       /* "quote_request" */
    B2B2C_LEAD_EV_MEETING_BOOKED = 12,      /* "meeting_booked" */
    B2B2C_LEAD_EV_PURCHASE = 13,            /* "purchase" */
    B2B2C_LEAD_EV_UNSUBSCRIBE = 14,         /* "unsubscribe" */
    B2B2C_LEAD_EV_EMAIL_BOUNCE = 15,        /* "email_bounce" */
    B2B2C_LEAD_EV_MARKED_SPAM = 16,         /* "marked_spam" */
    B2B2C_LEAD_EV_BUILTIN_COUNT = 17,
    B2B2C_LEAD_EV_MAX = 256                 /* kinds per model, at most */
};

/* ---- lifecycle stages --------------------------------------------------- */

/* Stable names in comments (b2b2c_lead_stage_name). Allowed transitions
 * (anything else is B2B2C_ESTATE):
 *   new        -> nurturing, qualified, lost, disqualified
 *   nurturing  -> qualified, lost, disqualified
 *   qualified  -> nurturing, passed_to_dealer, won, lost, disqualified
 *   passed_to_dealer   -> accepted_by_dealer, qualified (recall), lost
 *   accepted_by_dealer -> won, lost, qualified (recall)
 *   won        -> customer
 *   lost, disqualified -> nurturing
 *   customer   -> repeat_due
 *   repeat_due -> customer, qualified, nurturing
 * While passed_to_dealer or accepted_by_dealer a lead collects no event
 * points and no hot hold (events still update its learned-model features). */
enum {
    B2B2C_LEAD_STAGE_NEW = 0,                /* "new" */
    B2B2C_LEAD_STAGE_NURTURING = 1,          /* "nurturing" */
    B2B2C_LEAD_STAGE_QUALIFIED = 2,          /* "qualified" */
    B2B2C_LEAD_STAGE_PASSED_TO_DEALER = 3,   /* "passed_to_dealer" */
    B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER = 4, /* "accepted_by_dealer" */
    B2B2C_LEAD_STAGE_WON = 5,                /* "won" */
    B2B2C_LEAD_STAGE_LOST = 6,               /* "lost" */
    B2B2C_LEAD_STAGE_DISQUALIFIED = 7,       /* "disqualified" */
    B2B2C_LEAD_STAGE_CUSTOMER = 8,           /* "customer" */
    B2B2C_LEAD_STAGE_REPEAT_DUE = 9          /* "repeat_due" */
};

/* Lead attributes that carry fit points and learned weights. */
enum {
    B2B2C_LEAD_ATTR_SEGMENT = 0,      /* value: a segment's stable name */
    B2B2C_LEAD_ATTR_CHANNEL = 1,      /* value: a channel ID */
    B2B2C_LEAD_ATTR_REGION = 2,       /* value: a region code */
    B2B2C_LEAD_ATTR_PRODUCT_LINE = 3  /* value: a product line ID */
};

/* ---- parameters (100-199) ---------------------------------------------- */

enum {
    B2B2C_LEAD_HALF_LIFE_DAYS = 100, /* engagement half-life; 0.01..3650, 30 */
    B2B2C_LEAD_WARM_THRESHOLD = 101, /* score for warm; -1e6..1e6, 15; < hot */
    B2B2C_LEAD_HOT_THRESHOLD = 102,  /* score for hot; -1e6..1e6, 80; > warm */
    B2B2C_LEAD_MIN_OUTCOMES = 103,   /* outcomes before P(won); 2..1e9, 50 */
    B2B2C_LEAD_L2 = 104,             /* L2 penalty of the logistic model;
                                        0..100, 0.001 */
    B2B2C_LEAD_LEARNING_RATE = 105,  /* step size of the online SGD step of
                                        b2b2c_lead_outcome; 1e-6..10, 0.05 */
    B2B2C_LEAD_REFIT_EPOCHS = 106,   /* the most passes over the rows that
                                        b2b2c_lead_refit makes before it
                                        stops unconverged; 1..10000, 1000 */
    B2B2C_LEAD_LATENESS_DAYS = 107,  /* how late an event may arrive: one
                                        up to this many days before the
                                        lead's last event is accepted
                                        (b2b2c_lead_event); 0..365, 0 (off:
                                        late events are B2B2C_ERANGE as in
                                        1.0). Since 1.1. */
    B2B2C_LEAD_CLOSE_DAYS = 108      /* 1.1: days a lead stays in the
                                        working set after it entered won,
                                        lost, disqualified or customer
                                        (b2b2c_lead_close_due); 1..36500,
                                        180 */
};

/* ---- handle ---------------------------------------------------------------- */

/*
 * Open the lead model on `ctx`, loading leads, configuration and weights
 * from the context's storage (tables lead_config, lead_attrs, lead_leads,
 * lead_stages, lead_train, lead_model).
 *
 * out   receives the handle; NULL on failure.
 *
 * No call of the lead model makes a random choice (b2b2c_lead_refit is a
 * deterministic batch fit), so it takes no seed.
 *
 * Several contexts, in this process or others, may each open the lead
 * model on one database (common.h, "Many contexts on one database"): every
 * call first applies what the others committed (a lead added, an event, a
 * stage, an outcome, a removal, the kinds, points, parameters and weights),
 * so it decides and answers on the latest committed state. The alert
 * callback is the handle's own and runs for its own events only.
 *
 * Returns 0, B2B2C_EINVAL, B2B2C_ENOMEM, B2B2C_ECORRUPT (a record failed to
 * decode; the message names table and key), B2B2C_EVERSION or the storage's
 * code.
 */
B2B2C_API int b2b2c_lead_model_new(b2b2c_lead_model **out, b2b2c_ctx *ctx);

/* Free the handle (NULL is fine). An open transaction group on its context
 * is rolled back. */
B2B2C_API void b2b2c_lead_model_free(b2b2c_lead_model *m);

/* Set a parameter (B2B2C_LEAD_* 100-199; bounds and defaults:
 * b2b2c_param_bounds); persisted, and undone with a failed call or a
 * rolled-back group. B2B2C_EINVAL (NULL, NaN, not a lead parameter),
 * B2B2C_ERANGE (outside bounds, fractional for a whole parameter, or
 * warm >= hot), B2B2C_ENOMEM, storage codes. */
B2B2C_API int b2b2c_lead_model_set_param(b2b2c_lead_model *m, int32_t param,
                                         double value);

/* Read a parameter into *out. B2B2C_EINVAL for NULL or unknown param. */
B2B2C_API int b2b2c_lead_model_get_param(double *out,
                                         const b2b2c_lead_model *m,
                                         int32_t param);

/* ---- event kinds and points ------------------------------------------------ */

/*
 * Register a host event kind by name ([a-z0-9_], 1..63 bytes), with 0
 * points and no caps, and give its ID in *out. A name that exists already
 * gives its ID and 0. B2B2C_EINVAL (NULL), B2B2C_EBADID (bad name),
 * B2B2C_ERANGE (B2B2C_LEAD_EV_MAX kinds exist), B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_lead_add_kind(int32_t *out, b2b2c_lead_model *m,
                                  const char *name);

/* The ID of a kind by name. B2B2C_EINVAL (NULL), B2B2C_ENOTFOUND. */
B2B2C_API int b2b2c_lead_kind_id(int32_t *out, const b2b2c_lead_model *m,
                                 const char *name);

/* The name of a kind; NULL when unknown. Owned by the handle, valid until it
 * is freed. */
B2B2C_API const char *b2b2c_lead_kind_name(const b2b2c_lead_model *m,
                                           int32_t kind);

/*
 * Set the rule points of a kind.
 * points     points per event (negative allowed), -1e6..1e6.
 * cap_day    events per lead per day (in the context's UTC offset,
 *            b2b2c_ctx_set_utc_offset) that earn points; 0 = no cap.
 * cap_total  events per lead overall that earn points; 0 = no cap.
 * hot_days   days a lead stays hot after such an event (0 = none), 0..3650.
 * Caps are 0..1e9 and whole numbers. Persisted. B2B2C_EINVAL (NULL, NaN),
 * B2B2C_ENOTFOUND (kind), B2B2C_ERANGE, B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_lead_kind_set(b2b2c_lead_model *m, int32_t kind,
                                  double points, double cap_day,
                                  double cap_total, double hot_days);

/* Read a kind's rule points (any output may be NULL). B2B2C_EINVAL,
 * B2B2C_ENOTFOUND. */
B2B2C_API int b2b2c_lead_kind_get(double *points, double *cap_day,
                                  double *cap_total, double *hot_days,
                                  const b2b2c_lead_model *m, int32_t kind);

/*
 * Set the fit points of an attribute value (B2B2C_LEAD_ATTR_*): for the
 * segment attribute `value` is a segment's stable name, otherwise a channel
 * ID, region code or product line ID (1..255 bytes UTF-8). Persisted.
 * points -1e6..1e6. B2B2C_EINVAL (NULL, NaN, unknown attr or segment name),
 * B2B2C_EBADID, B2B2C_ERANGE, B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_lead_attr_points_set(b2b2c_lead_model *m, int32_t attr,
                                         const char *value, double points);

/* ---- leads and events ---------------------------------------------------------- */

/*
 * Add a lead.
 * id            host lead ID (1..255 bytes UTF-8).
 * created       creation time, Unix seconds in [B2B2C_TIME_MIN,
 *               B2B2C_TIME_MAX] (common.h).
 * segment       B2B2C_SEGMENT_* (B2B2C_SEGMENT_UNKNOWN when not known).
 * channel, region, product_line   IDs, or NULL / "" when not known.
 * The lead starts in stage new, band cold. B2B2C_EINVAL (NULL, segment),
 * B2B2C_EBADID, B2B2C_EEXISTS, B2B2C_ERANGE (created outside the time
 * range), B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_lead_add(b2b2c_lead_model *m, const char *id,
                             int64_t created, int32_t segment,
                             const char *channel, const char *region,
                             const char *product_line);

/*
 * Correct an attribute of a lead after its creation (B2B2C_LEAD_ATTR_*):
 * for B2B2C_LEAD_ATTR_SEGMENT `value` is a segment's stable name
 * (b2b2c_segment_name), otherwise a channel ID, region code or product
 * line ID; NULL or "" clears it (segment "unknown", no channel, ...).
 * A correction, not an event: it holds from the lead's creation on. The
 * fit points, the score and band at any time, P(won), the factors, the
 * queries and the funnel's channel and segment groups all use the new
 * value at once; no history of the old value is kept (the stage history,
 * the band-change records and the training rows of outcomes already
 * learned from stay as they are). The lead record is rewritten (O(1)); a
 * new channel, region or product line value is interned and stored.
 * Inside a group it rolls back with the group.
 * B2B2C_EINVAL (m or id NULL, unknown attr, unknown segment name),
 * B2B2C_EBADID (id, value), B2B2C_ENOTFOUND (lead), B2B2C_ENOMEM, storage
 * codes; nothing changes on error. Since 1.1.
 */
B2B2C_API int b2b2c_lead_set_attr(b2b2c_lead_model *m, const char *id,
                                  int32_t attr, const char *value);

/*
 * Record an engagement event of `kind` at `now` with an optional `value`
 * (for example minutes on site; 0 when none; finite, in [0,
 * B2B2C_AMOUNT_MAX]). `now` is in the library's time range (common.h).
 * Events of a lead come in time order, or late by at most
 * B2B2C_LEAD_LATENESS_DAYS (default 0: none late) before the lead's last
 * event (since 1.1): a late event leaves the lead exactly as if it had
 * come in order (scores, bands, band changes, caps, hot holds, learned
 * features; the dealer rule by the lead's stage at the event's time;
 * events at one time in arrival order), docs/lead-model.md "Late events".
 * In order the lead's aggregates are updated in O(kinds the lead has
 * seen) and written through as one record (with a window, plus the
 * events kept for late arrivals); a late event replays the lead's kept
 * events, O(kept events x kinds), plus one stage-history read per stage
 * change after it. The band-change alert, if any, runs after the call has
 * committed; for a late event it tells how the event changed the band
 * the lead had at its last event (`at` = the late event's time).
 * B2B2C_EINVAL (NULL, NaN value), B2B2C_EBADID, B2B2C_ENOTFOUND (lead or
 * kind), B2B2C_ERANGE (now outside the time range, before the lead's
 * creation, or before its last event by more than the lateness window or
 * before the events it keeps for late arrivals, the message naming the
 * times and the window; value negative or over B2B2C_AMOUNT_MAX),
 * B2B2C_ECORRUPT (a stage change read for a late event), B2B2C_ENOMEM,
 * B2B2C_ESTATE (the lead is closed, 1.1), storage codes. The alert callback's return value is ignored: the event
 * is committed before it runs.
 */
B2B2C_API int b2b2c_lead_event(b2b2c_lead_model *m, const char *id,
                               int32_t kind, int64_t now, double value);

/*
 * Remove a lead: its record, its stage history and its place in every
 * query. Outcomes already learned from (b2b2c_lead_outcome) stay in the
 * training set. The ID may then be added again. This is also the repair of
 * a lead that a build before 1.0 stored with a time outside the library's
 * range (its events then fail with B2B2C_ERANGE naming the stored time):
 * remove it and add it again. B2B2C_EINVAL (NULL), B2B2C_EBADID,
 * B2B2C_ENOTFOUND, B2B2C_ENOMEM, storage codes; nothing changes on error.
 */
B2B2C_API int b2b2c_lead_remove(b2b2c_lead_model *m, const char *id);

/*
 * Erase a lead (GDPR Art. 17; docs/privacy.md): what b2b2c_lead_remove
 * removes (its record with its events and scores, its stage history), and
 * the change log forgets it: the commit names no key (other contexts on
 * the database reload their engines, docs/storage.md "Erasing an ID") and
 * drops the log entries kept so far, which may name the lead's keys.
 * What stays, traced to no ID: outcomes already learned from (training
 * rows hold features and the label, not the ID) and the model's weights.
 * The dealer engine keeps its own records of the lead (not erased here).
 * Inside a group it rolls back with the group. B2B2C_EINVAL (NULL),
 * B2B2C_EBADID, B2B2C_ENOTFOUND ("id: ..."), B2B2C_ENOMEM, storage codes;
 * nothing changes on error. Since 1.1.
 */
B2B2C_API int b2b2c_lead_erase(b2b2c_lead_model *m, const char *id);

/*
 * Merge lead `from_id` into lead `into_id`, two IDs found to be one person
 * (since 1.1; docs/lead-model.md "Merging leads"), at `now`:
 * - events: from's decayed aggregates are added into into's as if its
 *   events had hit into (both brought to the later of the two last
 *   events; the engagement, every per-kind decayed count and value sum;
 *   the caps' counters added; the later hot hold), so score, band and
 *   P(won) follow. Caps and the clamp at 0 stay as each lead applied them.
 * - stage: the further-along stage wins (new < nurturing < qualified <
 *   passed_to_dealer < accepted_by_dealer < won < customer < repeat_due;
 *   lost and disqualified below all): when from's is further, into moves
 *   to it at `now`, one change appended to into's history (outside the
 *   transition table). into keeps its own history; from's goes with from.
 * - attributes: into's; from's fill those into lacks.
 * - from is then removed as by b2b2c_lead_remove; the ID may be added
 *   again. No alias is kept (a stored link between two IDs of one person
 *   would be personal data of its own): the host maps from_id itself.
 *   Outcomes already learned from stay in the training set (rows hold no
 *   ID). Late-event bookkeeping of both is dropped (the window restarts
 *   with into's next event).
 * Other engines keep their own records: b2b2c_channels_merge, and the
 * sequence in one group in docs/lead-model.md. Inside a group it rolls
 * back with the group. Cost O(kinds of both + from's stage changes).
 * B2B2C_EINVAL (m, from_id or into_id NULL, or both the same lead),
 * B2B2C_EBADID, B2B2C_ENOTFOUND ("from_id: ..." or "into_id: ..."),
 * B2B2C_ERANGE (now outside the time range or before either lead's last
 * event or stage change), B2B2C_ENOMEM, storage codes; nothing changes on
 * error.
 */
B2B2C_API int b2b2c_lead_merge(b2b2c_lead_model *m, const char *from_id,
                               const char *into_id, int64_t now);

/*
 * The rule score and band of a lead at `now` (O(1); a closed lead's is
 * read from storage). A `now` before the
 * lead's last event is taken as that event's time. band may be NULL.
 * B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND, B2B2C_ERANGE (now outside
 * the library's time range).
 */
B2B2C_API int b2b2c_lead_score(double *score, int32_t *band,
                               const b2b2c_lead_model *m, const char *id,
                               int64_t now);

/* The lead's current stage (of a closed lead too, read from storage).
 * B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND, storage codes. */
B2B2C_API int b2b2c_lead_stage(int32_t *stage, const b2b2c_lead_model *m,
                               const char *id);

/* Number of leads in the working set (closed leads, b2b2c_lead_close_due,
 * are not counted). B2B2C_EINVAL for NULL. */
B2B2C_API int b2b2c_lead_count(size_t *out, const b2b2c_lead_model *m);

/* Stable names of stages; NULL for an unknown value. Static strings. */
B2B2C_API const char *b2b2c_lead_stage_name(int32_t stage);
/* Stage for a name, or B2B2C_EINVAL (negative). */
B2B2C_API int32_t b2b2c_lead_stage_from_name(const char *name);

/* ---- lifecycle ------------------------------------------------------------------- */

/*
 * Move a lead to `stage` at `now` (see the transition table above); the
 * change is appended to its persisted history. Recall from a dealer is the
 * move to qualified. B2B2C_EINVAL (NULL, unknown stage), B2B2C_EBADID,
 * B2B2C_ENOTFOUND, B2B2C_ESTATE (transition not allowed, the message naming
 * both stages; or the lead is closed), B2B2C_ERANGE (now outside the library's time range or
 * before the lead's last stage change, the message naming both times),
 * B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_lead_set_stage(b2b2c_lead_model *m, const char *id,
                                   int32_t stage, int64_t now);

/* One stage change: from, to (B2B2C_LEAD_STAGE_*), time (Unix seconds). */
typedef int (*b2b2c_lead_stage_cb)(int32_t from, int32_t to, int64_t at,
                                   void *userdata);

/* The stage history of a lead (closed or not), oldest first, read from
 * storage.
 * B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND, B2B2C_ECORRUPT, storage
 * codes, or the callback's code. */
B2B2C_API int b2b2c_lead_stage_history(const b2b2c_lead_model *m,
                                       const char *id, b2b2c_lead_stage_cb cb,
                                       void *userdata);

/* ---- funnel (1.1) ---------------------------------------------------------------- */

/* Breakdowns of b2b2c_lead_funnel (its `by` argument) and the group label
 * each gives a row. */
enum {
    B2B2C_LEAD_FUNNEL_BY_ALL = 0,     /* one group, "all" */
    B2B2C_LEAD_FUNNEL_BY_WEEK = 1,    /* creation week: "YYYY-MM-DD", its
                                         Monday in the context's time zone */
    B2B2C_LEAD_FUNNEL_BY_MONTH = 2,   /* creation month: "YYYY-MM" */
    B2B2C_LEAD_FUNNEL_BY_CHANNEL = 3, /* the lead's channel ID, "" = none */
    B2B2C_LEAD_FUNNEL_BY_SEGMENT = 4, /* the lead's segment's stable name */
    B2B2C_LEAD_FUNNEL_BY_BAND = 5     /* band when the stage was entered:
                                         "cold", "warm", "hot", or
                                         "unknown" for changes stored before
                                         1.1 (the new stage: always cold) */
};

/* Fields of a funnel row (b2b2c_lead_funnel_cb), for one stage in one
 * group. A visit is one stay of a lead in the stage: from entering it
 * (stage new: at the lead's creation) to the next stage change. Counts
 * are whole numbers; rates and days are NaN when their denominator is 0.
 * Days are 86400 seconds. */
enum {
    B2B2C_LEAD_FUNNEL_ENTERED = 0,    /* visits that began by `now` */
    B2B2C_LEAD_FUNNEL_LEADS = 1,      /* leads whose first visit of the stage
                                         is counted in this group */
    B2B2C_LEAD_FUNNEL_FORWARD = 2,    /* visits that moved on along the
                                         funnel (docs/lead-model.md) */
    B2B2C_LEAD_FUNNEL_DROPPED = 3,    /* visits that ended in lost or
                                         disqualified */
    B2B2C_LEAD_FUNNEL_OPEN = 4,       /* visits still going on at `now` */
    B2B2C_LEAD_FUNNEL_STALLED = 5,    /* open visits of an active stage (new,
                                         nurturing, qualified, passed,
                                         accepted, repeat_due) that have
                                         lasted stall_days or longer */
    B2B2C_LEAD_FUNNEL_CONVERSION = 6, /* FORWARD / ENTERED */
    B2B2C_LEAD_FUNNEL_DROP_RATE = 7,  /* DROPPED / ENTERED */
    B2B2C_LEAD_FUNNEL_DAYS_MEDIAN = 8, /* time in stage of the visits that
                                          ended: median, days */
    B2B2C_LEAD_FUNNEL_DAYS_P90 = 9,   /* ... 90th percentile, days */
    B2B2C_LEAD_FUNNEL_REACH_MEDIAN = 10, /* days from the lead's creation to
                                            its first visit (LEADS): median;
                                            for stage won, time to won */
    B2B2C_LEAD_FUNNEL_REACH_P90 = 11, /* ... 90th percentile, days */
    B2B2C_LEAD_FUNNEL_MOVED_TO = 12,  /* + stage (12..21): visits that ended
                                         with a move to that stage; the
                                         stage-to-stage conversion is
                                         MOVED_TO + s over ENTERED */
    B2B2C_LEAD_FUNNEL_NFIELDS = 22    /* 22 in 1.1: read nfields */
};

/* One funnel row: the group's label (B2B2C_LEAD_FUNNEL_BY_*; valid during
 * the call only), the stage (B2B2C_LEAD_STAGE_*) and `nfields` values
 * (B2B2C_LEAD_FUNNEL_*). Later versions may append fields, so read at most
 * `nfields` values. */
typedef int (*b2b2c_lead_funnel_cb)(const char *group, int32_t stage,
                                    const double *fields, size_t nfields,
                                    void *userdata);

/*
 * The funnel of the leads created in [from, to) (Unix seconds; INT64_MIN
 * and INT64_MAX leave an end open) and not after `now`, from their stage
 * histories as they stood at `now` (changes after `now` are left out, so a
 * past funnel can be replayed). One row per group and stage that has at
 * least one visit: groups in label order (bytewise), stages in
 * B2B2C_LEAD_STAGE_* order. No lead in the window: no row, and 0.
 * Percentiles are exact (Hyndman & Fan 1996, definition 7, the linear
 * interpolation of numpy and R's default), over the ended visits only.
 *
 * by          B2B2C_LEAD_FUNNEL_BY_*.
 * stall_days  an open visit of an active stage this long or longer at
 *             `now` is stalled; in (0, 36500] days.
 *
 * The first funnel after the handle opens reads every stage change from
 * storage in one scan and keeps them (8 bytes a change); later ones answer
 * from memory, kept up to date by b2b2c_lead_set_stage, and read other
 * contexts' new stage changes key by key (everything again after a
 * removal, a failed call or rolled-back group that changed stages, or
 * changes to more than 1/16 of the leads). Cost O(leads + stage changes)
 * time, and 4 bytes per visit for the durations.
 *
 * Returns 0, B2B2C_EINVAL (m or cb NULL, unknown `by`, NaN stall_days;
 * the message names the argument), B2B2C_ERANGE (from > to, now outside
 * the time range, stall_days outside its range), B2B2C_ECORRUPT (a stage
 * change failed to decode or is missing; the message names table and
 * key), B2B2C_ENOMEM, storage codes, or the callback's code. Since 1.1.
 */
B2B2C_API int b2b2c_lead_funnel(const b2b2c_lead_model *m, int64_t from,
                                int64_t to, int64_t now, int32_t by,
                                double stall_days, b2b2c_lead_funnel_cb cb,
                                void *userdata);

/* ---- learned conversion probability ------------------------------------------------ */

/*
 * Record a won (won = 1) or lost (won = 0) outcome for a lead, using its
 * features at `now` as a training row (persisted), and take one online SGD
 * step on the logistic model (weights persisted). Independent of the stage.
 * B2B2C_EINVAL (NULL, won not 0/1), B2B2C_EBADID, B2B2C_ENOTFOUND,
 * B2B2C_ESTATE (the lead is closed, 1.1),
 * B2B2C_ERANGE (now outside the time range), B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_lead_outcome(b2b2c_lead_model *m, const char *id,
                                 int32_t won, int64_t now);

/*
 * Refit the weights in batch from all stored training rows: minimise the
 * L2-penalised mean log-loss (penalty B2B2C_LEAD_L2, bias unpenalised)
 * from zero weights by L-BFGS, until the largest component of its gradient
 * is below 1e-6. At that point the mean of the model's P(won) over the
 * training rows (their stored features) equals their won rate (to 1e-6).
 * Deterministic: the same rows give the same weights, whatever the seed
 * and the weights before. Later b2b2c_lead_outcome calls move the weights
 * by online steps until the next refit.
 *
 * status     (optional) receives the B2B2C_FIT_* status (common.h):
 *            CONVERGED when the gradient test was met, MAX_ITER when the
 *            refit stopped after B2B2C_LEAD_REFIT_EPOCHS passes over the
 *            rows, STALLED when no step lowered the loss any more. The
 *            weights reached are stored in every case.
 * passes     (optional) receives the passes over the rows made (each
 *            computes the loss and its gradient once).
 * Both are written only when the call returns 0.
 *
 * B2B2C_ENOTREADY (fewer than B2B2C_LEAD_MIN_OUTCOMES outcomes, or only
 * one class), B2B2C_EINVAL, B2B2C_ENOMEM, storage codes.
 */
B2B2C_API int b2b2c_lead_refit(int32_t *status, int32_t *passes,
                               b2b2c_lead_model *m);

/* ---- the batch refit over rows a host holds (since 1.1) -------------------- */

/*
 * The refit of b2b2c_lead_refit without a handle, for training rows spread
 * over partitions, processes or machines (docs/scaling.md): each partition
 * sums the log-loss, its gradient and (once) the Hessian's diagonal over
 * its rows (b2b2c_lead_loss), the host adds the partitions' sums, and
 * b2b2c_lead_fit_sum runs the refit's optimizer over them. One batch
 * holding the engine's rows in its order gives the engine's weights bit
 * for bit; other partitionings add in another order, equal to rounding
 * (docs/scaling.md says how close).
 *
 * A training row: label (1 won, 0 lost), segment (B2B2C_SEGMENT_*), three
 * attribute numbers (channel, region, product line; 0 none, else
 * 1..nattrs in the host's numbering) and, per event kind it has (each at
 * most once; kind numbers 0..nkinds-1, nkinds <= B2B2C_LEAD_EV_MAX), the
 * decayed count and value sum at its outcome (>= 0; the features are
 * their log1p). The weight vector (dim = 1 + 6 + nattrs + 2 nkinds):
 * the bias, the 6 segment weights, the attribute weights in their
 * numbers' order, then per kind its count and its value weight: the
 * layout of the engine's refit.
 */

/*
 * Over nrows rows at weights w (dim entries): *loss = the sum of
 * log(1 + e^z) - y z, grad = its gradient (sum of (p - y) x, PRML eqs.
 * 4.90, 4.91), hdiag (may be NULL) = the sum of p (1 - p) x^2 (the
 * Hessian's diagonal, PRML eq. 4.97); no penalty, no division by the
 * rows: sums that add over partitions. The rows: label[nrows],
 * segment[nrows], attrs[3 nrows], nk[nrows] (kinds per row), and the
 * rows' kinds concatenated in kind, count, value (nfeat = the sum of nk).
 * Outputs written on success only.
 * Errors: B2B2C_EINVAL (NULL ctx, loss, grad, w or a row array; dim not
 * 1 + 6 + nattrs + 2 nkinds; nk not adding up to nfeat; a NaN or
 * infinite weight, count or value), B2B2C_ERANGE (a label not 0 or 1, a
 * segment, attribute or kind number out of range, nk[i] > nkinds,
 * nkinds > B2B2C_LEAD_EV_MAX, a negative count or value, each naming its
 * index; the loss not finite at w), B2B2C_ENOMEM. Cost: O(nrows + nfeat
 * + dim), 2 dim doubles.
 */
B2B2C_API int b2b2c_lead_loss(double *loss, double *grad, double *hdiag,
                              size_t dim, b2b2c_ctx *ctx, const double *w,
                              size_t nattrs, size_t nkinds,
                              const uint32_t *label, const int32_t *segment,
                              const uint32_t *attrs, const uint32_t *nk,
                              const uint32_t *kind, const double *count,
                              const double *value, size_t nfeat,
                              size_t nrows);

/*
 * The host's sums for b2b2c_lead_fit_sum: at w (dim entries) write the
 * sums of b2b2c_lead_loss over every partition to *loss and grad (dim
 * entries) and, when hdiag is not NULL (the first call only), the
 * Hessian diagonal's sums to hdiag; return 0. B2B2C_ERANGE (the loss not
 * finite at w) makes the optimizer step back (an error at the first
 * call); any other non-zero value stops the fit and is returned.
 */
typedef int (*b2b2c_lead_sum_cb)(double *loss, double *grad, double *hdiag,
                                 const double *w, size_t dim,
                                 void *userdata);

/*
 * The refit of b2b2c_lead_refit over a host's sums: L-BFGS on the
 * L2-penalised mean log-loss from the engine's start (zero weights, the
 * bias at the log-odds of nwon / (nrows - nwon)), with its
 * preconditioner, stopping rule and statuses (b2b2c_lead_refit).
 *
 * w          receives the weights (dim entries, the layout above).
 * status     (optional) the B2B2C_FIT_* status; passes (optional) the
 *            calls of cb made (each one pass over every partition).
 * nrows, nwon  the rows over every partition and how many are won.
 * l2, max_passes  what B2B2C_LEAD_L2 and B2B2C_LEAD_REFIT_EPOCHS are to
 *            the engine (defaults 0.001 and 1000).
 * cb, userdata  the host's sums (b2b2c_lead_sum_cb).
 *
 * The context's progress handler gets one unit per call of cb
 * (B2B2C_EINTERRUPTED when it stops the fit). Outputs written on success
 * only. Errors: B2B2C_EINVAL (NULL ctx, w or cb; dim), B2B2C_ENODATA (nwon
 * 0 or not below nrows: one class only), B2B2C_ERANGE (l2 outside
 * [0, 100], max_passes outside [1, 10000], nkinds; cb returned 0 with a
 * non-finite sum: a lost or bad partition, never taken as a step back; cb
 * returned ERANGE at the first call), B2B2C_ENOMEM, B2B2C_EINTERRUPTED,
 * or cb's own code. Cost: the passes of b2b2c_lead_refit (typically 20 to
 * 100), (2 * 16 + 6) dim doubles.
 */
B2B2C_API int b2b2c_lead_fit_sum(double *w, size_t dim, int32_t *status,
                                 int32_t *passes, b2b2c_ctx *ctx,
                                 size_t nattrs, size_t nkinds, uint64_t nrows,
                                 uint64_t nwon, double l2, int32_t max_passes,
                                 b2b2c_lead_sum_cb cb, void *userdata);

/*
 * P(won) of a lead at `now`, in (0, 1). B2B2C_ENOTREADY while the model has
 * fewer than B2B2C_LEAD_MIN_OUTCOMES outcomes or only one class;
 * B2B2C_EINVAL, B2B2C_EBADID, B2B2C_ENOTFOUND, B2B2C_ERANGE (now outside
 * the time range).
 */
B2B2C_API int b2b2c_lead_probability(double *p, const b2b2c_lead_model *m,
                                     const char *id, int64_t now);

/* One factor: a feature name ("kind:guide_download:count",
 * "kind:NAME:value", "segment:NAME", "channel:ID", "region:CODE",
 * "product_line:ID", "bias") and its contribution to the log-odds. The
 * name is valid during the call only. */
typedef int (*b2b2c_lead_factor_cb)(const char *feature, double contribution,
                                    void *userdata);

/*
 * The top `k` (1..64) factors that raised the lead's P(won) at `now`
 * (largest first), then the top `k` that lowered it (most negative first).
 * B2B2C_ENOTREADY, B2B2C_EINVAL, B2B2C_ERANGE (k, now), B2B2C_EBADID,
 * B2B2C_ENOTFOUND, or the callback's code.
 */
B2B2C_API int b2b2c_lead_factors(const b2b2c_lead_model *m, const char *id,
                                 int64_t now, int32_t k,
                                 b2b2c_lead_factor_cb cb, void *userdata);

/* ---- queries and alerts --------------------------------------------------------------- */

/* A lead in a query: probability is NaN when the model is not ready. */
typedef int (*b2b2c_lead_row_cb)(const char *lead_id, double score,
                                 int32_t band, double probability,
                                 void *userdata);

enum {
    B2B2C_LEAD_BY_SCORE = 0,
    B2B2C_LEAD_BY_PROBABILITY = 1
};

/*
 * The top `n` (1..1e6) leads at `now`, best first, by rule score
 * (B2B2C_LEAD_BY_SCORE) or P(won) (B2B2C_LEAD_BY_PROBABILITY). Filters:
 * band, segment, stage (-1 = any) and region (NULL = any). Ties are broken
 * by lead ID. B2B2C_EINVAL, B2B2C_ERANGE (n, now), B2B2C_ENOTREADY (by
 * probability), B2B2C_ENOMEM, or the callback's code.
 */
B2B2C_API int b2b2c_lead_top(const b2b2c_lead_model *m, int64_t now,
                             int32_t n, int32_t by, int32_t band,
                             int32_t segment, int32_t stage,
                             const char *region, b2b2c_lead_row_cb cb,
                             void *userdata);

/* One cell of the band x segment x channel table (channel "" = none). */
typedef int (*b2b2c_lead_count_cb)(int32_t band, int32_t segment,
                                   const char *channel, uint64_t count,
                                   void *userdata);

/* Lead counts per band x segment x channel at `now`, non-zero cells only.
 * B2B2C_EINVAL, B2B2C_ERANGE (now outside the time range), B2B2C_ENOMEM,
 * or the callback's code. */
B2B2C_API int b2b2c_lead_counts(const b2b2c_lead_model *m, int64_t now,
                                b2b2c_lead_count_cb cb, void *userdata);

/* A band change: the lead entered new_band (from old_band) at `at`. */
typedef int (*b2b2c_lead_band_cb)(const char *lead_id, int32_t old_band,
                                  int32_t new_band, int64_t at, void *userdata);

/*
 * Leads whose band at `now` was entered at or after `since` (by an event,
 * or by decay or the end of a hot hold), with the band they left and when,
 * in lead ID order (bytewise). B2B2C_EINVAL, B2B2C_ERANGE (since > now, now outside the time range),
 * or the callback's code.
 */
B2B2C_API int b2b2c_lead_band_changes(const b2b2c_lead_model *m,
                                      int64_t since, int64_t now,
                                      b2b2c_lead_band_cb cb, void *userdata);

/* A lead in b2b2c_lead_list: its stage, band and rule score at `now`. */
typedef int (*b2b2c_lead_list_cb)(const char *lead_id, int32_t stage,
                                  int32_t band, double score, void *userdata);

/*
 * Every lead, in lead ID order (bytewise), with its stage (B2B2C_LEAD_*
 * stage), band and rule score at `now`. Filters: stage and band (-1 =
 * any). The lead ID is valid during the callback only; a non-zero return
 * stops the listing and is returned; a mutating call on the context from
 * the callback gets B2B2C_ESTATE. Returns 0, B2B2C_EINVAL (m or cb NULL,
 * unknown stage or band), B2B2C_ERANGE (now outside the time range),
 * B2B2C_ENOMEM, or the callback's code.
 */
B2B2C_API int b2b2c_lead_list(const b2b2c_lead_model *m, int32_t stage,
                              int32_t band, int64_t now,
                              b2b2c_lead_list_cb cb, void *userdata);

/* ---- closing (1.1) ------------------------------------------------------------- */

/*
 * Close the leads that are due: a lead whose stage is won, lost,
 * disqualified or customer and has not changed for B2B2C_LEAD_CLOSE_DAYS
 * days at `now` leaves the working set (memory). Its record and its stage
 * history move, in the same transaction, into table lead_closed, which
 * the open does not read; b2b2c_lead_stage, b2b2c_lead_score,
 * b2b2c_lead_stage_history, b2b2c_lead_probability and
 * b2b2c_lead_factors still answer for it by reading that record on
 * demand, b2b2c_lead_funnel still counts it, b2b2c_lead_remove and
 * b2b2c_lead_erase remove it; every other call on it gets B2B2C_ESTATE
 * ("id: lead '...' is closed") and b2b2c_lead_add of its ID gets
 * B2B2C_EEXISTS. Listings, counts by band, b2b2c_lead_top and
 * b2b2c_lead_band_changes are of the working set. Outcomes already
 * learned from stay in the training set. b2b2c_lead_reopen brings it back.
 * repeat_due leads (work for sales) are never closed.
 *
 * Bounded work: the call examines at most `max` leads of the working set,
 * going on from where the previous call on this handle stopped (a cursor
 * in memory, wrapping at the end), and closes the due ones among them: a
 * host calls it now and then (say every minute with max 10,000) and every
 * lead is looked at once per nleads / max calls. Cost: O(max) memory
 * work, and per lead closed O(its stage changes) storage calls.
 *
 * closed  receives the number of leads closed (may be 0); untouched on
 *         error.
 * m       the model.
 * now     the caller's time (Unix seconds).
 * max     leads to examine, >= 1.
 *
 * Returns 0, B2B2C_EINVAL (NULL), B2B2C_ERANGE (now outside the library's
 * time range, max 0), B2B2C_ENOMEM, B2B2C_ECORRUPT (a stored stage change
 * failed to decode), storage codes; nothing changes on error. Inside a
 * group it rolls back with the group. Since 1.1.
 */
B2B2C_API int b2b2c_lead_close_due(size_t *closed, b2b2c_lead_model *m,
                                   int64_t now, size_t max);

/*
 * Bring a closed lead back into the working set, as it was when it was
 * closed (record and stage history back in lead_leads and lead_stages),
 * for example when a lost lead is revived or a customer's repeat purchase
 * comes due. Returns 0, B2B2C_EINVAL (NULL), B2B2C_EBADID,
 * B2B2C_ENOTFOUND (no such lead), B2B2C_ESTATE (the lead is open),
 * B2B2C_ECORRUPT, B2B2C_ENOMEM, storage codes; nothing changes on error.
 * Cost: O(its stage changes) storage calls. Since 1.1.
 */
B2B2C_API int b2b2c_lead_reopen(b2b2c_lead_model *m, const char *id);

/*
 * Register the band-change alert (NULL cb removes it): called after
 * b2b2c_lead_event has committed when the event moved the lead into another
 * band (the band just before the event at `now` differs from the band
 * after it). Inside a transaction group (b2b2c_ctx_begin) it runs when the
 * call succeeds; a later rollback of the group does not take it back. Bands
 * that change by decay alone raise no alert (query them with
 * b2b2c_lead_band_changes). Its return value is ignored. Not persisted.
 * B2B2C_EINVAL for NULL m.
 */
B2B2C_API int b2b2c_lead_set_alert(b2b2c_lead_model *m, b2b2c_lead_band_cb cb,
                                   void *userdata);

/* ---- points learned from outcomes (1.1) ------------------------------------------- */

/*
 * A point table entry is named "kind:NAME" (an event kind's points per
 * event), "segment:NAME" (a segment's stable name), "channel:ID",
 * "region:CODE" or "product_line:ID" (fit points of an attribute value the
 * model knows), as the factors of b2b2c_lead_factors name them.
 */

/* Outcomes a kind or attribute value needs before its points are
 * suggested (b2b2c_lead_suggest_points with min_outcomes 0). */
#define B2B2C_LEAD_POINTS_MIN_OUTCOMES 30

/* One suggested entry: its name (valid during the call only), the points
 * it has now, the suggested points, their standard error on the point
 * scale (NaN for an entry that keeps its points: too few outcomes) and the
 * number of outcomes behind it (training rows in which the kind occurred
 * or that have the attribute value). */
typedef int (*b2b2c_lead_points_cb)(const char *entry, double current,
                                    double suggested, double std_error,
                                    int64_t outcomes, void *userdata);

/*
 * Suggested rule points from the recorded outcomes (docs/lead-model.md,
 * "Points learned from outcomes"): a logistic regression with the L2
 * penalty B2B2C_LEAD_L2 on the rule score's own features (per kind the
 * decayed count at the outcome, at most cap_total; the segment and
 * attribute values one-hot), fitted by Newton-Raphson, its coefficients
 * mapped to points by the least-squares scale that best matches the
 * current points of the fitted kinds (Sullivan, Massaro & D'Agostino 2004,
 * Stat Med 23:1631). Every kind, segment and attribute value is listed, in
 * entry name order (bytewise): an entry with fewer than `min_outcomes`
 * outcomes keeps its points (suggested == current, std_error NaN). The
 * segment with the most outcomes is the reference and keeps its points;
 * at most the 256 attribute values with the most outcomes are fitted.
 *
 * min_outcomes  1..1e9, or 0 for B2B2C_LEAD_POINTS_MIN_OUTCOMES.
 *
 * Cost: a few passes over the training rows (each O(rows x features per
 * row^2)) and a dense solve of the fitted weights, O(fitted^3).
 * Returns 0, B2B2C_EINVAL (m or cb NULL, min_outcomes NaN),
 * B2B2C_ERANGE (min_outcomes), B2B2C_ENOTREADY (fewer than
 * B2B2C_LEAD_MIN_OUTCOMES outcomes or only one class; the message gives
 * the count needed), B2B2C_ENOMEM, storage codes, or the callback's code.
 * Since 1.1.
 */
B2B2C_API int b2b2c_lead_suggest_points(const b2b2c_lead_model *m,
                                        double min_outcomes,
                                        b2b2c_lead_points_cb cb,
                                        void *userdata);

/* Fields of b2b2c_lead_points_dry_run's out array. Bands are
 * B2B2C_BAND_COLD..HOT (1..3). Later versions may append fields. */
enum {
    B2B2C_LEAD_DRY_MOVES = 0,   /* 9 fields: leads in band `from` now that
                                   would be in band `to`, at
                                   MOVES + 3 (from - 1) + (to - 1) */
    B2B2C_LEAD_DRY_WARM = 9,    /* the warm threshold it would set */
    B2B2C_LEAD_DRY_HOT = 10,    /* the hot threshold it would set */
    B2B2C_LEAD_DRY_AUC = 11,    /* current table: cross-validated AUC of
                                   the rule score on the outcomes (mean
                                   over the folds) */
    B2B2C_LEAD_DRY_AUC_SE = 12, /* ... its standard error across folds */
    B2B2C_LEAD_DRY_BRIER = 13,  /* ... Brier score of the score calibrated
                                   on the other folds (Platt scaling) */
    B2B2C_LEAD_DRY_LOG_LOSS = 14, /* ... log loss of the same */
    B2B2C_LEAD_DRY_NEW_AUC = 15,  /* the same four for the proposed table */
    B2B2C_LEAD_DRY_NEW_AUC_SE = 16,
    B2B2C_LEAD_DRY_NEW_BRIER = 17,
    B2B2C_LEAD_DRY_NEW_LOG_LOSS = 18,
    B2B2C_LEAD_DRY_NFIELDS = 19 /* 19 in 1.1 */
};

/*
 * What b2b2c_lead_points_apply would do, changing nothing: how many leads
 * would move between bands at `now`, the thresholds it would set, and the
 * rule score's AUC and calibration on the stored outcomes for the current
 * and the proposed table, by `folds`-fold cross-validation (rows assigned
 * to folds by a permutation drawn from `seed`: the same seed, the same
 * folds). The outcome figures are NaN with fewer than 2 rows or without
 * both won and lost.
 *
 * out      receives min(nout, B2B2C_LEAD_DRY_NFIELDS) fields
 *          (B2B2C_LEAD_DRY_*); nout >= 1.
 * entries, points, n   the proposed table (see above): n entries and
 *          their points (-1e6..1e6); entries not named keep their points.
 *          A table with an unknown entry, a duplicate or a non-finite
 *          value is refused whole.
 * warm_share, hot_share   target shares in [0, 1] of warm (not hot) and
 *          of hot leads, summing to at most 1; NaN: the shares at `now`
 *          under the current table.
 * folds    2..100.
 *
 * Cost: O(leads log leads + folds x outcomes). Returns 0, B2B2C_EINVAL
 * (NULL, nout 0, "entries[i]" not an entry, duplicate, "points[i]" not
 * finite), B2B2C_ENOTFOUND ("entries[i]": no such kind or attribute
 * value), B2B2C_ERANGE (points, shares, folds, now), B2B2C_ENOMEM,
 * storage codes. Since 1.1.
 */
B2B2C_API int b2b2c_lead_points_dry_run(double *out, size_t nout,
                                        const b2b2c_lead_model *m,
                                        const char *const *entries,
                                        const double *points, size_t n,
                                        double warm_share, double hot_share,
                                        int64_t now, int32_t folds,
                                        uint64_t seed);

/*
 * Apply a point table (as for b2b2c_lead_points_dry_run) at `now`: set the
 * points, rescore every lead (its engagement recomputed with the new
 * points, docs/lead-model.md "Rescoring"), then set the warm and hot
 * thresholds so that the shares of warm and hot leads at `now` are the
 * targets (NaN: the shares before the call), and record the change in
 * the points history (b2b2c_lead_points_history) dated `now`. A lead
 * whose band changes is given it at `now` as a rescoring
 * (b2b2c_lead_band_changes_why; the rescore alert runs after the call
 * has committed). Inside a group it rolls back with the group.
 *
 * warm, hot  (optional) receive the thresholds set; written on success.
 *
 * Returns what b2b2c_lead_points_dry_run returns (but for folds), plus
 * B2B2C_ESTATE inside a callback. Since 1.1.
 */
B2B2C_API int b2b2c_lead_points_apply(double *warm, double *hot,
                                      b2b2c_lead_model *m,
                                      const char *const *entries,
                                      const double *points, size_t n,
                                      double warm_share, double hot_share,
                                      int64_t now);

/* One entry of an applied change: when it was applied, the entry (a table
 * entry, or "threshold:warm" / "threshold:hot"; valid during the call
 * only), the points before and after. */
typedef int (*b2b2c_lead_points_history_cb)(int64_t at, const char *entry,
                                            double old_points,
                                            double new_points,
                                            void *userdata);

/*
 * The points history: every b2b2c_lead_points_apply, oldest first, one
 * row per entry it changed and one per threshold, read from storage
 * (table lead_points). B2B2C_EINVAL (NULL), B2B2C_ECORRUPT (the message
 * names table and key), B2B2C_ENOMEM, storage codes, or the callback's
 * code. Since 1.1.
 */
B2B2C_API int b2b2c_lead_points_history(const b2b2c_lead_model *m,
                                        b2b2c_lead_points_history_cb cb,
                                        void *userdata);

/* Why a lead entered its band (b2b2c_lead_band_changes_why). */
enum {
    B2B2C_LEAD_BAND_BY_EVENT = 0,   /* an event, or the lead's creation */
    B2B2C_LEAD_BAND_BY_DECAY = 1,   /* the score decayed, or a hot hold
                                       ended */
    B2B2C_LEAD_BAND_BY_RESCORE = 2  /* points or thresholds changed */
};

/* A band change with its reason (B2B2C_LEAD_BAND_BY_*). */
typedef int (*b2b2c_lead_band_why_cb)(const char *lead_id, int32_t old_band,
                                      int32_t new_band, int64_t at,
                                      int32_t reason, void *userdata);

/* b2b2c_lead_band_changes with the reason of each change. Same arguments,
 * order and codes. Since 1.1. */
B2B2C_API int b2b2c_lead_band_changes_why(const b2b2c_lead_model *m,
                                          int64_t since, int64_t now,
                                          b2b2c_lead_band_why_cb cb,
                                          void *userdata);

/*
 * Register the rescore alert (NULL cb removes it): called, after the call
 * has committed, for every lead whose band a rescoring changed
 * (b2b2c_lead_points_apply, b2b2c_lead_kind_set,
 * b2b2c_lead_attr_points_set, b2b2c_lead_model_set_param of a threshold),
 * with the band before and after and the time the change is dated (apply:
 * its `now`; the others, which take no time: the lead's last event). The
 * band-change alert (b2b2c_lead_set_alert) stays for events only. Inside
 * a transaction group it runs when the call succeeds; a later rollback of
 * the group does not take it back. Its return value is ignored. Not
 * persisted. B2B2C_EINVAL for NULL m. Since 1.1.
 */
B2B2C_API int b2b2c_lead_set_rescore_alert(b2b2c_lead_model *m,
                                           b2b2c_lead_band_cb cb,
                                           void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_LEAD_H */
