/* SPDX-License-Identifier: MIT */
/*
 * libb2b2c: common definitions, versions, status codes and the context.
 *
 * Threads: a context and every engine handle opened on it are used by one
 * thread at a time. Separate contexts are independent and may be used from
 * different threads in parallel. The library has no global mutable state and
 * needs no global initialisation.
 */
#ifndef B2B2C_COMMON_H
#define B2B2C_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- export and attribute macros ------------------------------------ */

#ifndef B2B2C_API
#  if defined(_WIN32) && defined(B2B2C_BUILDING_DLL)
#    define B2B2C_API __declspec(dllexport)
#  elif defined(__GNUC__) && __GNUC__ >= 4
#    define B2B2C_API __attribute__((visibility("default")))
#  else
#    define B2B2C_API
#  endif
#endif

/* Marks a deprecated function; kept until the next SONAME change. */
#if defined(__GNUC__) || defined(__clang__)
#  define B2B2C_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#  define B2B2C_DEPRECATED(msg)
#endif

/* ---- version --------------------------------------------------------- */

#define B2B2C_VERSION_MAJOR 1
#define B2B2C_VERSION_MINOR 0
#define B2B2C_VERSION_PATCH 0
#define B2B2C_VERSION_NUMBER                                             \
    (B2B2C_VERSION_MAJOR * 10000 + B2B2C_VERSION_MINOR * 100 +            \
     B2B2C_VERSION_PATCH)
#define B2B2C_VERSION_STRING "1.0.0"

/*
 * The version of the library actually loaded, as MAJOR*10000 + MINOR*100 +
 * PATCH. Compare with B2B2C_VERSION_NUMBER to detect a header/library
 * mismatch.
 */
B2B2C_API uint32_t b2b2c_version_number(void);

/* The version as a static NUL-terminated string such as "1.0.0". */
B2B2C_API const char *b2b2c_version_string(void);

/* ---- status codes ---------------------------------------------------- */

/*
 * Every fallible function returns 0 on success or one of these negative
 * codes. Values are explicit and are never renumbered or reused; new codes
 * are only appended. Host callbacks may return their own negative codes,
 * which the library passes back to the caller unchanged.
 */
enum {
    B2B2C_OK = 0,
    B2B2C_EINVAL = -1,      /* invalid argument: NULL, NaN, unknown enum   */
    B2B2C_ENOMEM = -2,      /* an allocation failed                        */
    B2B2C_EBADID = -3,      /* ID empty, over 255 bytes or not UTF-8       */
    B2B2C_ENOTFOUND = -4,   /* no such object                              */
    B2B2C_EEXISTS = -5,     /* object already exists                       */
    B2B2C_ECORRUPT = -6,    /* a stored record failed to decode            */
    B2B2C_EVERSION = -7,    /* unsupported version (record or struct)      */
    B2B2C_EBUFSIZE = -8,    /* caller's buffer too small; size reported    */
    B2B2C_ESTORAGE = -9,    /* storage callback failed without a code      */
    B2B2C_ESTATE = -10,     /* operation not valid in the current state    */
    B2B2C_ERANGE = -11,     /* a number is outside its allowed range       */
    B2B2C_EABORTED = -12,   /* transaction group failed; roll it back      */
    B2B2C_ENOTREADY = -13,  /* model has too little data to answer         */
    B2B2C_ENOCONVERGE = -14,/* optimizer did not converge                  */
    B2B2C_ENODEALER = -15,  /* no eligible dealer for a lead               */
    B2B2C_EEXPIRED = -16,   /* deadline passed                             */
    B2B2C_ENODATA = -17,    /* input has no usable data                    */
    B2B2C_EINTERRUPTED = -18,/* the progress handler asked to stop        */
    B2B2C_ECONFLICT = -19,  /* another context's commit conflicted; retried */
    B2B2C_EDUPLICATE = -20  /* 1.1: the caller's own live record exists  */
};

/*
 * A static English description of a status code ("unknown error" for codes
 * the library does not know, such as a host callback's own codes).
 */
B2B2C_API const char *b2b2c_strerror(int code);

/* ---- fit status ------------------------------------------------------- */

/*
 * Fit status: how a fit that produced parameters ended (stable values),
 * for every fit of the library (the forecaster's models, the lead model's
 * refit).
 * Only B2B2C_FIT_CONVERGED (0) is a clean fit: test `status == 0`, or
 * `status != B2B2C_FIT_CONVERGED` to warn. (Before 1.0 this output was a
 * flag `converged`, 1 for a clean fit; the numbers were chosen so that an
 * old `if (converged)` reads a clean fit as not clean, never a failed fit
 * as clean.)
 *   B2B2C_FIT_CONVERGED  the gradient test was met at an interior point.
 *   B2B2C_FIT_MAX_ITER   the iteration budget was spent first; params are
 *                        the best point found.
 *   B2B2C_FIT_STALLED    the line search could not lower the objective any
 *                        further before the gradient test was met.
 *   B2B2C_FIT_BOUNDARY   a parameter ran off towards 0 or infinity: outside
 *                        [1e-5, 1e5] for a shape parameter, or for a scale
 *                        parameter (alpha, beta in time units, Gamma-Gamma
 *                        v in money) relative to the data's mean T or mean
 *                        spend. The likelihood has no interior maximum: the
 *                        model is not identified on this data (e.g. every
 *                        customer buys at the same rate, or spends the same),
 *                        and the parameters must not be reported as
 *                        estimates. Takes precedence over the other three.
 */
enum {
    B2B2C_FIT_CONVERGED = 0,
    B2B2C_FIT_MAX_ITER = 1,
    B2B2C_FIT_STALLED = 2,
    B2B2C_FIT_BOUNDARY = 3
};

/* The stable name of a fit status ("converged", "max_iter", "stalled",
 * "boundary"); NULL for an unknown value. Static string. */
B2B2C_API const char *b2b2c_fit_status_name(int32_t status);

/* ---- parameters ------------------------------------------------------- */

/*
 * The bounds and default of any engine's parameter (B2B2C_LEAD_*,
 * B2B2C_SEG_*, B2B2C_DEALER_PARAM_*, B2B2C_FORECASTER_*, B2B2C_CHANNELS_*,
 * B2B2C_EXPERIMENT_* numbers: 100s lead, 200s segmenter, 300s dealer, 400s
 * forecaster, 500s channels, 600s experiments since 1.1). Bounds are inclusive and do not depend on any handle's state;
 * an engine may add a rule between two of its parameters (the lead
 * model's warm threshold stays below the hot one), which its set_param
 * documents. Any output may be NULL; outputs are written only on success.
 * Errors: B2B2C_EINVAL (no parameter has this number).
 */
B2B2C_API int b2b2c_param_bounds(double *min, double *max, double *def,
                                 int32_t param);

/* The parameter's name as in the header ("B2B2C_LEAD_HALF_LIFE_DAYS"),
 * static; NULL when no parameter has this number. */
B2B2C_API const char *b2b2c_param_name(int32_t param);

/* ---- time and amounts: the library's ranges ----------------------------- */

/*
 * Every time the library takes (`now`, `t`, `time`, `created`, ...) is Unix
 * seconds (UTC) in [B2B2C_TIME_MIN, B2B2C_TIME_MAX]: 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59Z, the range of SQL DATETIME/TIMESTAMP columns a host
 * stores them in. A time outside it is B2B2C_ERANGE, with a message naming the
 * argument and the range. Query windows (`from`, `to`, `since`) may be wider:
 * they only select, so INT64_MIN..INT64_MAX means "all".
 *
 * A time that goes backwards relative to what an engine has stored for the
 * same object (an event before the lead was created or before its last
 * event, an accept before the offer, an outcome before the lead was routed,
 * a subscription cancelled before it began, a conversion before one of the
 * lead's touches) is also B2B2C_ERANGE, with a message naming the argument
 * and the stored time. Nothing is changed.
 *
 * Every amount of money or count (purchase amount, revenue, spend,
 * impressions, conversion value) is finite (NaN or infinity is B2B2C_EINVAL),
 * not negative and at most B2B2C_AMOUNT_MAX (else B2B2C_ERANGE), so that
 * sums over 2^32 records stay finite.
 */
#define B2B2C_TIME_MIN (-INT64_C(62135596800))
#define B2B2C_TIME_MAX INT64_C(253402300799)
#define B2B2C_AMOUNT_MAX 1e15

/* ---- shared vocabulary: segments, groups, lead bands ------------------ */

/*
 * The five B2B2C sub-segments (the segment classifier's output, also a lead
 * attribute and a dealer-routing input). Values are never renumbered.
 * Stable names: "unknown", "dealer_large_wholesale", "dealer_small_retail",
 * "b2b_large", "b2b_small_pro", "b2c_consumer".
 */
enum {
    B2B2C_SEGMENT_UNKNOWN = 0,
    B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE = 1, /* chains, distributors */
    B2B2C_SEGMENT_DEALER_SMALL_RETAIL = 2,    /* shops, online retailers */
    B2B2C_SEGMENT_B2B_LARGE = 3,              /* plants, corporations, state */
    B2B2C_SEGMENT_B2B_SMALL_PRO = 4,          /* workshops, contractors */
    B2B2C_SEGMENT_B2C_CONSUMER = 5            /* private consumers */
};

/* Segment groups. Names: "unknown", "dealer", "b2b", "b2c". */
enum {
    B2B2C_GROUP_UNKNOWN = 0,
    B2B2C_GROUP_DEALER = 1,
    B2B2C_GROUP_B2B = 2,
    B2B2C_GROUP_B2C = 3
};

/* Lead temperature bands. Names: "unknown", "cold", "warm", "hot". */
enum {
    B2B2C_BAND_UNKNOWN = 0,
    B2B2C_BAND_COLD = 1,
    B2B2C_BAND_WARM = 2,
    B2B2C_BAND_HOT = 3
};

/* The stable name of a segment, group or band value; NULL for a value the
 * library does not know. The strings are static. */
B2B2C_API const char *b2b2c_segment_name(int32_t segment);
B2B2C_API const char *b2b2c_group_name(int32_t group);
B2B2C_API const char *b2b2c_band_name(int32_t band);

/* The value for a stable name, or B2B2C_EINVAL (negative) for NULL or an
 * unknown name. */
B2B2C_API int32_t b2b2c_segment_from_name(const char *name);
B2B2C_API int32_t b2b2c_group_from_name(const char *name);
B2B2C_API int32_t b2b2c_band_from_name(const char *name);

/* The group a segment belongs to (B2B2C_GROUP_UNKNOWN for unknown or
 * invalid segments). */
B2B2C_API int32_t b2b2c_segment_group(int32_t segment);

/* ---- allocator ------------------------------------------------------- */

#define B2B2C_ALLOCATOR_VERSION 1

/*
 * Host allocator functions (versioned method table). All three functions are
 * required. `alloc` and `realloc` return NULL on failure; `realloc(NULL, n)`
 * must behave as `alloc(n)`. `free(NULL)` must be harmless. Memory returned
 * must be aligned for any object type, as malloc's is.
 */
typedef struct b2b2c_allocator {
    uint32_t version; /* B2B2C_ALLOCATOR_VERSION */
    void *(*alloc)(size_t size, void *userdata);
    void *(*realloc)(void *ptr, size_t size, void *userdata);
    void (*free)(void *ptr, void *userdata);
    void *userdata;
} b2b2c_allocator;

#define B2B2C_ALLOCATOR_INIT { B2B2C_ALLOCATOR_VERSION, NULL, NULL, NULL, NULL }

/* ---- context --------------------------------------------------------- */

typedef struct b2b2c_ctx b2b2c_ctx;
struct b2b2c_storage; /* include/b2b2c/sys/storage.h */

/*
 * Create a context.
 *
 * out      receives the new context; set to NULL on failure.
 * alloc    allocator functions, or NULL for malloc/realloc/free. Copied.
 * storage  storage method table (b2b2c/sys/storage.h), or NULL for a private
 *          in-memory store that lives as long as the context. Copied; the
 *          host keeps its userdata alive until b2b2c_ctx_free.
 *
 * Returns 0, B2B2C_EINVAL (out NULL, a required member of alloc or storage
 * NULL), B2B2C_EVERSION (a struct version this library does not know) or
 * B2B2C_ENOMEM. A context that failed to be created has no error message.
 */
B2B2C_API int b2b2c_ctx_new(b2b2c_ctx **out, const b2b2c_allocator *alloc,
                            const struct b2b2c_storage *storage);

/*
 * Free a context. NULL is accepted. All engine handles opened on it must be
 * freed first. An open transaction group is rolled back.
 */
B2B2C_API void b2b2c_ctx_free(b2b2c_ctx *ctx);

/*
 * The message of the last failed call on this context or any handle opened
 * on it, naming the argument or record at fault; "" when none failed (a call
 * that succeeds may clear it). The
 * string is owned by the context and valid until the next call on it or on
 * one of its handles. NULL ctx gives a static message.
 */
B2B2C_API const char *b2b2c_ctx_errmsg(const b2b2c_ctx *ctx);

/* The status code of the last failed call (0 when none failed). */
B2B2C_API int b2b2c_ctx_errcode(const b2b2c_ctx *ctx);

/*
 * Group many calls into one storage transaction (for bulk imports).
 *
 * Without a group, every mutating call is its own storage transaction.
 * Within a group, calls write through to storage but the storage transaction
 * is committed only by b2b2c_ctx_commit. If any call in the group fails, the
 * whole group is rolled back at once (storage and in-memory state return to
 * what they were at b2b2c_ctx_begin) and the context is marked aborted:
 * further mutating calls return B2B2C_EABORTED until b2b2c_ctx_rollback (or
 * b2b2c_ctx_commit, which then also returns B2B2C_EABORTED). Freeing an
 * engine handle while a group is open rolls the group back and aborts it.
 *
 * begin:    B2B2C_ESTATE if a group is already open; or the storage's code.
 * commit:   B2B2C_ESTATE if no group is open; B2B2C_EABORTED; or the
 *           storage's code, in which case the group is rolled back.
 * rollback: B2B2C_ESTATE if no group is open; otherwise 0 (the in-memory
 *           state is always restored, even when the storage's rollback
 *           fails, whose code is then returned).
 */
B2B2C_API int b2b2c_ctx_begin(b2b2c_ctx *ctx);
B2B2C_API int b2b2c_ctx_commit(b2b2c_ctx *ctx);
B2B2C_API int b2b2c_ctx_rollback(b2b2c_ctx *ctx);

/*
 * Many contexts on one database (docs/storage.md, "Many contexts").
 *
 * Any number of contexts, in this process or others, may open engines on one
 * database. Every call first brings its context up to date with what the
 * others committed (a mutating call does it inside its transaction, so it
 * decides on the latest committed state; a read does it before answering),
 * at a cost proportional to what changed. A call whose transaction the store
 * refuses with B2B2C_ECONFLICT is re-run, up to B2B2C_CONFLICT_RETRIES times;
 * inside a group it is not: the group is rolled back and returns
 * B2B2C_ECONFLICT, for the host to run again. A context made with no storage,
 * or on a store flagged B2B2C_STORAGE_EXCLUSIVE, is alone and does none of it.
 *
 * b2b2c_ctx_sync brings every engine open on ctx up to date now (a read
 * does it too). B2B2C_ESTATE from inside a callback; the storage's code;
 * B2B2C_ECORRUPT (naming table and key) when the change log is damaged.
 *
 * b2b2c_ctx_seq: commits of all contexts on a database are numbered 1, 2,
 * ... in commit order. `*seen` (optional) is the last one this context has
 * applied; `*own` (optional) is the number of this context's own last
 * commit that changed rows (0: none yet), so a host can tell whether a call
 * committed and where it stands in the order (compare before and after).
 * Both 0 for a context that is alone. B2B2C_EINVAL for a NULL ctx.
 */
B2B2C_API int b2b2c_ctx_sync(b2b2c_ctx *ctx);
B2B2C_API int b2b2c_ctx_seq(uint64_t *seen, uint64_t *own,
                            const b2b2c_ctx *ctx);

/*
 * Erase ID `id` in every engine handle open on ctx, in one transaction
 * (GDPR Art. 17; docs/privacy.md "How to erase"): as a lead
 * (b2b2c_lead_erase, b2b2c_channels_erase, b2b2c_dealer_erase_lead), a
 * customer (b2b2c_forecaster_erase; in the dealer engine, the ID's bytes
 * as a customer key: b2b2c_dealer_erase_customer) and an account
 * (b2b2c_segmenter_erase). An engine that does not know the ID is
 * skipped; the experiments engine keeps no host IDs. *count_out
 * (optional, written on success only) receives how many engine handles
 * erased something. The change log forgets, as for each engine's erase.
 * Inside a group it is one call of the group (it rolls back with it).
 * Returns 0, B2B2C_EINVAL (NULL ctx or id), B2B2C_EBADID, B2B2C_ENOTFOUND
 * ("id: ...", no engine open on ctx knows the ID), B2B2C_ESTATE (from a
 * callback), B2B2C_ENOMEM or a storage code; on any failure nothing
 * changed in any engine. Cost: the sum of the engines' erase calls.
 * Since 1.1.
 */
B2B2C_API int b2b2c_ctx_erase(int32_t *count_out, b2b2c_ctx *ctx,
                              const char *id);

/* The range of b2b2c_ctx_set_utc_offset, in seconds (-14 h..+14 h). */
#define B2B2C_UTC_OFFSET_MIN (-50400)
#define B2B2C_UTC_OFFSET_MAX 50400

/*
 * Set the time zone in which the engines count days: daily quotas and share
 * periods (dealer), spend per day (channels), "same day" purchases and
 * dates (forecaster), per-day caps (lead model). `seconds` is the offset
 * east of UTC (UTC+3 is 10800, UTC-5 is -18000); any whole second in
 * [B2B2C_UTC_OFFSET_MIN, B2B2C_UTC_OFFSET_MAX] (historic offsets are not
 * whole minutes). Default 0 (UTC). A local day d runs from
 * d * 86400 - seconds to (d + 1) * 86400 - seconds, Unix seconds; the
 * offset is fixed (no daylight saving: a host that needs it picks one
 * offset for the year).
 *
 * The offset is not stored: set it after b2b2c_ctx_new and before opening
 * engines, to the same value every time the same storage is opened (days
 * already stored, such as spend per day, were counted in the offset of
 * their time). Changing it while an engine handle is open on ctx is
 * B2B2C_ESTATE (setting the current value again is allowed).
 *
 * Errors: B2B2C_EINVAL (ctx NULL), B2B2C_ERANGE (seconds out of range),
 * B2B2C_ESTATE (an engine handle is open, or called from a callback).
 */
B2B2C_API int b2b2c_ctx_set_utc_offset(b2b2c_ctx *ctx, int32_t seconds);

/* The context's UTC offset in seconds into *out. Errors: B2B2C_EINVAL
 * (out or ctx NULL). */
B2B2C_API int b2b2c_ctx_utc_offset(int32_t *out, const b2b2c_ctx *ctx);

/* A progress handler: return 0 to go on, non-zero to stop the call. */
typedef int (*b2b2c_progress_cb)(void *userdata);

/*
 * Install a progress handler (in the manner of sqlite3_progress_handler):
 * long calls on this context and its handles (the forecast fits) call
 * `cb` after about every `units` units of work (a fit counts one unit per
 * distinct data row per likelihood evaluation, so 100000 is a fraction of
 * a second). When cb returns non-zero the call stops, returns
 * B2B2C_EINTERRUPTED and changes nothing (no output written, nothing
 * stored). The library never reads the clock: a host that wants a time
 * budget reads its own clock in cb. cb runs inside the call, like the
 * other callbacks: it must not make mutating calls on this context
 * (they get B2B2C_ESTATE). cb NULL removes the handler (units is then not
 * read). Replaces any previous handler; the count of units starts over.
 * Errors: B2B2C_EINVAL (ctx NULL), B2B2C_ERANGE (units < 1 with cb).
 */
B2B2C_API int b2b2c_ctx_set_progress_handler(b2b2c_ctx *ctx, int64_t units,
                                             b2b2c_progress_cb cb,
                                             void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* B2B2C_COMMON_H */
