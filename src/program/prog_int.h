/* SPDX-License-Identifier: MIT */
/* Dealer network programs: internal layout shared by the data, load and
 * report sources (and by tests). Not installed. */
#ifndef B2B2C_PROG_INT_H
#define B2B2C_PROG_INT_H

#include "b2b2c/program.h"
#include "internal.h"

#define PG_T_DEALERS "programs_dealers"
#define PG_T_POINTS "programs_points"
#define PG_T_DAYS "programs_days"
#define PG_T_PARAMS "programs_params"
#define PG_T_BONUS "programs_bonus"
#define PG_T_PROMOS "programs_promos"
#define PG_T_CLAIMS "programs_claims"

#define PG_PARAM_BASE 700
/* Parameters 700..721 (702-719 are gaps: zeros in the array). */
#define PG_NPARAMS 22
#define PG_TIER_MAX 1000
/* A day's aggregate stays within +-2^62, so that two add without overflow
 * and the report's sums are checked only once per day. */
#define PG_AGG_MAX (INT64_C(1) << 62)

/* The values of one day's aggregate, in stored order. */
enum {
    PG_IN_U = 0,
    PG_IN_M = 1,
    PG_OUT_U = 2,
    PG_OUT_M = 3,
    PG_STOCK_U = 4,
    PG_STOCK_M = 5,
    PG_NVAL = 6
};

/* One day of a point's product line. `stamp` is not stored: the handle's
 * call number that last saved the day for the undo log (a batch saves and
 * writes a day once however many lines it gets). */
typedef struct pg_day {
    int64_t day; /* b2b2c__day: the day in the context's UTC offset */
    int64_t v[PG_NVAL];
    uint32_t has_stock;
    uint32_t pad;
    uint64_t stamp;
} pg_day;

typedef struct pg_dealer {
    size_t slot; /* the report's scratch: this dealer's row */
    int32_t tier;
    uint32_t regionlen;
    char region[B2B2C__ID_MAX + 1];
    size_t idlen;
    char id[];
} pg_dealer;

typedef struct pg_point {
    size_t slot;       /* the report's scratch: this point's row */
    pg_dealer *dealer; /* NULL only inside a sync that has not seen it */
    size_t dlen;
    char did[B2B2C__ID_MAX + 1];
    size_t idlen;
    char id[];
} pg_point;

/* A point's product line: its days sorted by day. The map key is `key`:
 * the point's ID, a NUL, the product line. */
typedef struct pg_series {
    pg_point *point; /* NULL only inside a sync that has not seen it */
    pg_day *dv;
    size_t n, cap;
    size_t plen; /* the point ID's length; the line starts at plen + 1 */
    size_t keylen;
    char key[]; /* NUL-terminated too */
} pg_series;

/* A volume bonus program (prog_bonus.c). Everything from `basis` to
 * `idlen` is saved whole for the undo log when the program is replaced. */
typedef struct pg_bonus {
    int32_t basis, mode, period;
    uint32_t ntiers;
    size_t linelen; /* 0: every product line */
    char line[B2B2C__ID_MAX + 1];
    int64_t th[B2B2C_PROGRAM_TIERS_MAX];
    int64_t rate[B2B2C_PROGRAM_TIERS_MAX];
    size_t idlen;
    char id[];
} pg_bonus;

/* A promotion budget (prog_mdf.c). The map key is `key`: the promotion
 * ID, a NUL, the dealer ID. Everything from `start` to `keylen` but the
 * claim sums is the record; the sums (`sum`, by claim status, and
 * `nclaims`) are derived from the claims. */
typedef struct pg_promo {
    size_t slot; /* the uplift list's scratch */
    int64_t start, end; /* days [start, end) in the context's offset */
    int64_t planned;
    int64_t sum[4]; /* by B2B2C_PROMO_* status */
    int64_t nclaims;
    size_t linelen; /* 0: every product line */
    char line[B2B2C__ID_MAX + 1];
    size_t plen; /* the promotion ID's length; the dealer's starts at +1 */
    size_t keylen;
    char key[]; /* NUL-terminated too */
} pg_promo;

/* A claim against a budget (prog_mdf.c); `bkey` is its budget's key. */
typedef struct pg_claim {
    int64_t amount;
    int32_t status;
    uint32_t pad;
    int64_t at[3]; /* submitted, decided, paid; B2B2C_PROMO_NO_TIME */
    size_t bplen, bkeylen;
    char bkey[2 * B2B2C__ID_MAX + 2];
    size_t idlen;
    char id[];
} pg_claim;

struct b2b2c_programs {
    b2b2c_ctx *ctx;
    b2b2c__map dealers, points, series;
    b2b2c__map bonus; /* pg_bonus by program ID */
    b2b2c__map promos; /* pg_promo by promotion NUL dealer */
    b2b2c__map claims; /* pg_claim by claim ID */
    int promo_dirty;   /* sync: claims or budgets came; sums to redo */
    double p[PG_NPARAMS]; /* by number - PG_PARAM_BASE */
    uint64_t gen;         /* call number (pg_day.stamp); never undone */
    size_t unresolved;    /* sync: points/series whose owner is not seen */
};

/* programs.c: free a series with its days; the undo entry that frees a
 * series created by a failed call; undoably put a day's aggregate into a
 * series (replacing the same day). */
void b2b2c__pg_series_destroy(b2b2c_ctx *ctx, pg_series *s);
void b2b2c__pg_undo_series_new(b2b2c_ctx *ctx, void *a, void *b, size_t n);
int b2b2c__pg_day_put(b2b2c_programs *h, pg_series *s, const pg_day *d);

/* prog_load.c: decoders (shared with the fuzz target through the open). */
int b2b2c__pg_day_key_parse(const void *key, size_t klen, size_t *plen,
                            size_t *slen, int64_t *day);

/* prog_report.c: Theil-Sen slope of y[0..n) against 0..n-1 (Sen 1968),
 * with `pairs` scratch of n(n-1)/2 doubles. n >= 2. */
double b2b2c__pg_theil_sen(const double *y, size_t n, double *pairs);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back
 * (H. Hinnant's algorithms), and the day a year earlier (29 Feb -> 28). */
int64_t b2b2c__pg_days_from_civil(int64_t y, unsigned m, unsigned d);
void b2b2c__pg_civil_from_days(int64_t z, int64_t *y, unsigned *m,
                               unsigned *d);
int64_t b2b2c__pg_year_before(int64_t day);

/* prog_bonus.c: the bonus programs' part of the open (scan), of a refresh
 * (one stored key; val NULL: deleted), of the free, and of the digest. */
int b2b2c__pg_bonus_load(b2b2c_programs *h);
int b2b2c__pg_bonus_refresh(b2b2c_programs *h, const void *key, size_t klen,
                            const void *val, size_t vlen);
void b2b2c__pg_bonus_clear(b2b2c_programs *h);
uint64_t b2b2c__pg_bonus_digest(const b2b2c_programs *h);

/* prog_mdf.c: the promotion budgets' part of the open (scan, after the
 * dealers), of a refresh (one stored key of either table), of the end of
 * a refresh (sums redone, references checked), of the free, and of the
 * digest. */
int b2b2c__pg_promo_load(b2b2c_programs *h);
int b2b2c__pg_promo_refresh(b2b2c_programs *h, const char *table,
                            const void *key, size_t klen, const void *val,
                            size_t vlen);
int b2b2c__pg_promo_refresh_done(b2b2c_programs *h);
void b2b2c__pg_promo_clear(b2b2c_programs *h);
uint64_t b2b2c__pg_promo_digest(const b2b2c_programs *h);

/* prog_mdf.c, shared with prog_uplift.c: an ID argument's check (EBADID
 * naming arg), a budget's key (promo NUL dealer NUL into buf; its length
 * without the last NUL), the ENOTFOUND of a missing budget or dealer. */
int b2b2c__pg_id_arg(b2b2c_ctx *ctx, const char *s, size_t *len,
                     const char *arg);
size_t b2b2c__pg_budget_key(char *buf, const char *promo, size_t plen,
                            const char *dealer, size_t dlen);
int b2b2c__pg_no_budget(b2b2c_ctx *ctx, const char *promo, size_t plen,
                        const char *dealer, size_t dlen);
int b2b2c__pg_no_dealer(b2b2c_ctx *ctx, const char *arg, const char *id,
                        size_t len);

/* Order-independent digest of the in-memory state (tests). */
uint64_t b2b2c__programs_digest(const b2b2c_programs *h);

#endif
