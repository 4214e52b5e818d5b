/* SPDX-License-Identifier: MIT */
/* Dealer network programs: volume bonus programs (issue 17, step 2).
 * A program's tiers, its record (table programs_bonus, version 1) and its
 * refresh from other contexts' commits; each dealer's status in a program
 * at a time: net sell-in to date in the calendar quarter or year, the tier
 * reached, the run-rate projection to the period's end, the gap to the
 * next tier and the bonus accrued and projected, in whole minor units
 * floored once per dealer. Rules and sources: docs/programs.md, "Volume
 * bonus programs". */
#include <stdio.h>

#include "listing.h"
#include "prog_int.h"

#define BONUS_REC_VERSION 1

/* ---- validation (shared by the setter and the decoder) ------------------------ */

/* Largest rate of the basis. */
static int64_t rate_max(int32_t basis)
{
    return basis == B2B2C_PROGRAM_BASIS_AMOUNT ? B2B2C_PROGRAM_BP_MAX
                                               : B2B2C_PROGRAMS_LINE_MAX;
}

/* 0 when the tiers are valid; else the code, and (ctx not NULL) the
 * message naming the tier. */
static int tiers_check(b2b2c_ctx *ctx, int32_t basis, const int64_t *th,
                       const int64_t *rate, size_t n)
{
    if (n < 1 || n > B2B2C_PROGRAM_TIERS_MAX)
        return ctx ? b2b2c__err(ctx, B2B2C_ERANGE,
                                "ntiers: %zu is outside [1, %d]", n,
                                B2B2C_PROGRAM_TIERS_MAX)
                   : B2B2C_ERANGE;
    for (size_t i = 0; i < n; i++) {
        if (th[i] < 0 || th[i] > B2B2C_PROGRAMS_LINE_MAX)
            return ctx ? b2b2c__err(ctx, B2B2C_ERANGE,
                                    "tiers[%zu].threshold: %lld is outside "
                                    "[0, 1e15]",
                                    i, (long long)th[i])
                       : B2B2C_ERANGE;
        if (i > 0 && th[i] <= th[i - 1])
            return ctx ? b2b2c__err(ctx, B2B2C_ERANGE,
                                    "tiers[%zu].threshold: %lld is not above "
                                    "tiers[%zu].threshold (%lld): thresholds "
                                    "must strictly increase",
                                    i, (long long)th[i], i - 1,
                                    (long long)th[i - 1])
                       : B2B2C_ERANGE;
        if (rate[i] < 0 || rate[i] > rate_max(basis))
            return ctx ? b2b2c__err(ctx, B2B2C_ERANGE,
                                    "tiers[%zu].rate: %lld is outside "
                                    "[0, %lld] (%s)",
                                    i, (long long)rate[i],
                                    (long long)rate_max(basis),
                                    basis == B2B2C_PROGRAM_BASIS_AMOUNT
                                        ? "basis points"
                                        : "minor units per unit")
                       : B2B2C_ERANGE;
    }
    return 0;
}

/* ---- the record ------------------------------------------------------------------ */

/* Version 1: basis u8, mode u8, period u8, product line bytes (empty: all),
 * ntiers u32, then per tier threshold i64 and rate i64. */
static int bonus_write(b2b2c_ctx *ctx, const pg_bonus *b)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &ctx->mem, BONUS_REC_VERSION);
    b2b2c__enc_u8(&w, (uint8_t)b->basis);
    b2b2c__enc_u8(&w, (uint8_t)b->mode);
    b2b2c__enc_u8(&w, (uint8_t)b->period);
    b2b2c__enc_bytes(&w, b->line, b->linelen);
    b2b2c__enc_u32(&w, b->ntiers);
    for (uint32_t i = 0; i < b->ntiers; i++) {
        b2b2c__enc_i64(&w, b->th[i]);
        b2b2c__enc_i64(&w, b->rate[i]);
    }
    return b2b2c__st_put_rec(ctx, PG_T_BONUS, b->id, b->idlen, &w);
}

static int id_ok(const void *k, size_t kl)
{
    return kl >= 1 && kl <= B2B2C__ID_MAX && !memchr(k, 0, kl) &&
           b2b2c__utf8_valid(k, kl) == 0;
}

/* Decode a record into *out (everything but the ID). */
static int bonus_decode(b2b2c_ctx *ctx, const void *k, size_t kl,
                        const void *v, size_t vl, pg_bonus *out)
{
    b2b2c__rbuf r;
    const void *line;
    size_t ll;
    uint32_t n;
    int rc = b2b2c__dec_begin(&r, v, vl, BONUS_REC_VERSION);

    if (rc)
        return b2b2c__err_corrupt(ctx, rc, PG_T_BONUS, k, kl, NULL);
    memset(out, 0, offsetof(pg_bonus, idlen));
    out->basis = b2b2c__dec_u8(&r);
    out->mode = b2b2c__dec_u8(&r);
    out->period = b2b2c__dec_u8(&r);
    line = b2b2c__dec_bytes(&r, &ll);
    n = b2b2c__dec_u32(&r);
    for (uint32_t i = 0; i < n && i < B2B2C_PROGRAM_TIERS_MAX; i++) {
        out->th[i] = b2b2c__dec_i64(&r);
        out->rate[i] = b2b2c__dec_i64(&r);
    }
    if (n > B2B2C_PROGRAM_TIERS_MAX)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, PG_T_BONUS, k, kl,
                                  "too many tiers");
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return b2b2c__err_corrupt(ctx, rc, PG_T_BONUS, k, kl, NULL);
    if (!id_ok(k, kl) || out->basis > B2B2C_PROGRAM_BASIS_AMOUNT ||
        out->mode > B2B2C_PROGRAM_INCREMENTAL ||
        out->period > B2B2C_PROGRAM_PERIOD_YEAR ||
        (ll && (!line || !id_ok(line, ll))) ||
        tiers_check(NULL, out->basis, out->th, out->rate, n) != 0)
        return b2b2c__err_corrupt(ctx, B2B2C_ECORRUPT, PG_T_BONUS, k, kl,
                                  NULL);
    out->ntiers = n;
    out->linelen = ll;
    if (ll)
        memcpy(out->line, line, ll);
    return 0;
}

static pg_bonus *bonus_alloc(b2b2c_ctx *ctx, const void *id, size_t len)
{
    pg_bonus *b = b2b2c__malloc(ctx, sizeof(*b) + len + 1);
    if (!b)
        return NULL;
    memset(b, 0, sizeof(*b));
    b->idlen = len;
    memcpy(b->id, id, len);
    b->id[len] = '\0';
    return b;
}

/* Put the decoded or checked program `src` under its ID: a new program is
 * inserted (freed if the call fails), a known one replaced in place (its
 * old content restored if the call fails). */
static int bonus_put(b2b2c_programs *h, const void *id, size_t len,
                     const pg_bonus *src, pg_bonus **out)
{
    b2b2c_ctx *ctx = h->ctx;
    pg_bonus *b = b2b2c__map_get(&h->bonus, id, len);
    int rc;

    if (b) {
        if ((rc = b2b2c__undo_save(ctx, b, offsetof(pg_bonus, idlen))) != 0)
            return rc;
    } else {
        if (!(b = bonus_alloc(ctx, id, len)))
            return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        if ((rc = b2b2c__undo_free_on_fail(ctx, b)) != 0) {
            b2b2c__free(ctx, b);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &h->bonus, b->id, len,
                                             b)) != 0)
            return rc;
    }
    memcpy(b, src, offsetof(pg_bonus, idlen));
    *out = b;
    return 0;
}

/* ---- open, refresh, free, digest ----------------------------------------------- */

static int load_bonus(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_programs *h = payload;
    pg_bonus tmp, *b;
    int rc = bonus_decode(h->ctx, k, kl, v, vl, &tmp);

    if (rc)
        return rc;
    if (!(b = bonus_alloc(h->ctx, k, kl)))
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    memcpy(b, &tmp, offsetof(pg_bonus, idlen));
    if (b2b2c__map_put(&h->bonus, b->id, kl, b, NULL)) {
        b2b2c__free(h->ctx, b);
        return b2b2c__err(h->ctx, B2B2C_ENOMEM, "out of memory");
    }
    return 0;
}

int b2b2c__pg_bonus_load(b2b2c_programs *h)
{
    return b2b2c__st_scan(h->ctx, PG_T_BONUS, load_bonus, h);
}

int b2b2c__pg_bonus_refresh(b2b2c_programs *h, const void *key, size_t klen,
                            const void *val, size_t vlen)
{
    pg_bonus tmp, *b;
    int rc;

    if (!val) /* this library never deletes a program */
        return b2b2c__err_corrupt(h->ctx, B2B2C_ECORRUPT, PG_T_BONUS, key,
                                  klen,
                                  "deleted by another context, but this "
                                  "library never deletes these rows");
    if ((rc = bonus_decode(h->ctx, key, klen, val, vlen, &tmp)) != 0)
        return rc;
    return bonus_put(h, key, klen, &tmp, &b);
}

void b2b2c__pg_bonus_clear(b2b2c_programs *h)
{
    size_t i = 0;
    void *v;
    while (b2b2c__map_next(&h->bonus, &i, NULL, NULL, &v))
        b2b2c__free(h->ctx, v);
    b2b2c__map_fini(&h->bonus);
}

uint64_t b2b2c__pg_bonus_digest(const b2b2c_programs *h)
{
    uint64_t sum = 0;
    size_t i = 0;
    void *v;

    while (b2b2c__map_next(&h->bonus, &i, NULL, NULL, &v)) {
        const pg_bonus *b = v;
        uint64_t e = b2b2c__hash(b->id, b->idlen);
        e = b2b2c__mix64(e, (uint64_t)b->basis);
        e = b2b2c__mix64(e, (uint64_t)b->mode);
        e = b2b2c__mix64(e, (uint64_t)b->period);
        e = b2b2c__mix64(e, b2b2c__hash(b->line, b->linelen));
        for (uint32_t k = 0; k < b->ntiers; k++) {
            e = b2b2c__mix64(e, (uint64_t)b->th[k]);
            e = b2b2c__mix64(e, (uint64_t)b->rate[k]);
        }
        sum += e * 2 + 1;
    }
    return b2b2c__mix64(h->bonus.count, sum);
}

/* ---- definition ----------------------------------------------------------------- */

static int set_body(b2b2c_programs *h, const char *id, size_t len,
                    const pg_bonus *src)
{
    pg_bonus *b;
    int rc = bonus_put(h, id, len, src, &b);
    return rc ? rc : bonus_write(h->ctx, b);
}

int b2b2c_program_set(b2b2c_programs *h, const char *program_id,
                      int32_t basis, int32_t mode, int32_t period,
                      const char *product_line, const int64_t *thresholds,
                      const int64_t *rates, size_t ntiers)
{
    b2b2c_ctx *ctx;
    pg_bonus src;
    size_t len, ll = 0;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if (b2b2c__id_check(program_id, &len))
        return b2b2c__err(ctx, B2B2C_EBADID, "program_id: %s",
                          program_id
                              ? "not a valid ID (1..255 bytes of UTF-8)"
                              : "NULL");
    if (basis != B2B2C_PROGRAM_BASIS_UNITS &&
        basis != B2B2C_PROGRAM_BASIS_AMOUNT)
        return b2b2c__err(ctx, B2B2C_EINVAL, "basis: %d is not a basis",
                          (int)basis);
    if (mode != B2B2C_PROGRAM_RETROACTIVE &&
        mode != B2B2C_PROGRAM_INCREMENTAL)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "mode: %d is neither retroactive (0) nor "
                          "incremental (1)",
                          (int)mode);
    if (period != B2B2C_PROGRAM_PERIOD_QUARTER &&
        period != B2B2C_PROGRAM_PERIOD_YEAR)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "period: %d is neither a quarter (0) nor a year "
                          "(1)",
                          (int)period);
    if (product_line && b2b2c__id_check(product_line, &ll))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "product_line: not a valid ID (1..255 bytes of "
                          "UTF-8)");
    if (!thresholds || !rates)
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: NULL",
                          !thresholds ? "thresholds" : "rates");
    if ((rc = tiers_check(ctx, basis, thresholds, rates, ntiers)) != 0)
        return rc;
    memset(&src, 0, sizeof(src));
    src.basis = basis;
    src.mode = mode;
    src.period = period;
    src.ntiers = (uint32_t)ntiers;
    src.linelen = ll;
    if (ll)
        memcpy(src.line, product_line, ll);
    memcpy(src.th, thresholds, ntiers * sizeof(int64_t));
    memcpy(src.rate, rates, ntiers * sizeof(int64_t));
    B2B2C__CALL(rc, ctx, h, set_body(h, program_id, len, &src));
    return rc;
}

/* ---- status ---------------------------------------------------------------------- */

/* The period holding day `today`: [*d0, *d1) in days. */
static void period_of(int32_t period, int64_t today, int64_t *d0,
                      int64_t *d1)
{
    int64_t y;
    unsigned m, d, q0;
    b2b2c__pg_civil_from_days(today, &y, &m, &d);
    if (period == B2B2C_PROGRAM_PERIOD_YEAR) {
        *d0 = b2b2c__pg_days_from_civil(y, 1, 1);
        *d1 = b2b2c__pg_days_from_civil(y + 1, 1, 1);
        return;
    }
    q0 = (m - 1) / 3 * 3 + 1;
    *d0 = b2b2c__pg_days_from_civil(y, q0, 1);
    *d1 = q0 == 10 ? b2b2c__pg_days_from_civil(y + 1, 1, 1)
                   : b2b2c__pg_days_from_civil(y, q0 + 3, 1);
}

/* The tier volume v reaches: 1..ntiers, 0 none. */
static int64_t tier_of(const pg_bonus *b, int64_t v)
{
    int64_t t = 0;
    for (uint32_t i = 0; i < b->ntiers && v >= b->th[i]; i++)
        t = (int64_t)i + 1;
    return t;
}

/* The bonus volume v earns, floored once: the sum over the paying parts
 * of part x rate / D (D = 10,000 for basis points, 1 for an amount per
 * unit), kept exact as whole and remainder parts. B2B2C_ERANGE beyond
 * 2^63 (no message: the caller names the dealer). */
static int bonus_of(const pg_bonus *b, int64_t v, int64_t *out)
{
    int64_t den = b->basis == B2B2C_PROGRAM_BASIS_AMOUNT ? 10000 : 1;
    int64_t whole = 0, frac = 0, reached = tier_of(b, v);

    if (v <= 0) {
        *out = 0;
        return 0;
    }
    for (uint32_t i = 0; i < b->ntiers; i++) {
        int64_t part, q, r = b->rate[i];
        if (b->mode == B2B2C_PROGRAM_RETROACTIVE) {
            if (reached != (int64_t)i + 1)
                continue;
            part = v;
        } else {
            int64_t hi = i + 1 < b->ntiers ? b->th[i + 1] : INT64_MAX;
            if (v <= b->th[i])
                break;
            part = (v < hi ? v : hi) - b->th[i];
        }
        q = part / den;
        if (r && q > INT64_MAX / r)
            return B2B2C_ERANGE;
        if (whole > INT64_MAX - q * r)
            return B2B2C_ERANGE;
        whole += q * r;
        frac += part % den * r; /* < 10^4 x 10^4 per tier */
    }
    if (whole > INT64_MAX - frac / den)
        return B2B2C_ERANGE;
    *out = whole + frac / den;
    return 0;
}

/* A dealer's fields from its volume to date. */
static int fields_of(const pg_bonus *b, int64_t v, int64_t elapsed,
                     int64_t pdays, int64_t *f)
{
    int64_t t = tier_of(b, v), q, r, pv;
    int rc;

    f[B2B2C_PROGRAM_F_VOLUME] = v;
    f[B2B2C_PROGRAM_F_TIER] = t;
    if (t < (int64_t)b->ntiers) {
        int64_t next = b->th[t];
        if (v < 0 && next > INT64_MAX + v)
            return B2B2C_ERANGE;
        f[B2B2C_PROGRAM_F_NEXT_THRESHOLD] = next;
        f[B2B2C_PROGRAM_F_GAP] = next - v;
    } else {
        f[B2B2C_PROGRAM_F_NEXT_THRESHOLD] = -1;
        f[B2B2C_PROGRAM_F_GAP] = 0;
    }
    if ((rc = bonus_of(b, v, &f[B2B2C_PROGRAM_F_ACCRUED])) != 0)
        return rc;
    /* floor(v x pdays / elapsed) exactly: v = q x elapsed + r, 0 <= r */
    q = b2b2c__floordiv(v, elapsed);
    r = v - q * elapsed;
    if (q > INT64_MAX / pdays || q < INT64_MIN / pdays)
        return B2B2C_ERANGE;
    pv = q * pdays;
    if (pv > INT64_MAX - r * pdays / elapsed) /* r x pdays < 367^2 */
        return B2B2C_ERANGE;
    pv += r * pdays / elapsed;
    f[B2B2C_PROGRAM_F_PROJECTED_VOLUME] = pv;
    f[B2B2C_PROGRAM_F_PROJECTED_TIER] = tier_of(b, pv);
    if ((rc = bonus_of(b, pv, &f[B2B2C_PROGRAM_F_PROJECTED_BONUS])) != 0)
        return rc;
    f[B2B2C_PROGRAM_F_ELAPSED_DAYS] = elapsed;
    f[B2B2C_PROGRAM_F_PERIOD_DAYS] = pdays;
    return 0;
}

/* What a status needs: the program, the days [d0, today], and per dealer
 * (its slot) the volume summed so far. */
typedef struct st {
    const b2b2c_programs *h;
    const pg_bonus *b;
    int64_t d0, d1, today;
    int64_t *vol;      /* per dealer slot, or one (only) */
    const pg_dealer *only; /* NULL: every dealer */
    const pg_dealer *bad;  /* the dealer whose sum overflowed */
} st;

#if defined(__GNUC__) || defined(__clang__)
#define BONUS_PREFETCH(p) __builtin_prefetch(p)
#else
#define BONUS_PREFETCH(p) ((void)(p))
#endif

/* Add each matching series' net sell-in over [d0, today] to its dealer.
 * Memory bound: the next series' point, dealer and days are prefetched
 * while one is summed. */
static int collect(st *s)
{
    const pg_bonus *b = s->b;
    int vi = b->basis == B2B2C_PROGRAM_BASIS_AMOUNT ? PG_IN_M : PG_IN_U;
    size_t i = 0;
    void *v = NULL, *nv;

    if (!b2b2c__map_next(&s->h->series, &i, NULL, NULL, &v))
        return 0;
    for (; v; v = nv) {
        const pg_series *x = v;
        const pg_dealer *d = x->point->dealer;
        size_t at, ll = x->keylen - x->plen - 1;
        int64_t *acc;

        nv = NULL;
        if (b2b2c__map_next(&s->h->series, &i, NULL, NULL, &nv)) {
            const pg_series *nx = nv;
            BONUS_PREFETCH(nx->point);
            BONUS_PREFETCH(nx->point->dealer);
            if (nx->n)
                BONUS_PREFETCH(&nx->dv[nx->n - 1]);
        }
        if (s->only && d != s->only)
            continue;
        if (b->linelen && (ll != b->linelen ||
                           memcmp(x->key + x->plen + 1, b->line, ll) != 0))
            continue;
        if (!x->n || x->dv[x->n - 1].day < s->d0)
            continue;
        acc = s->only ? s->vol : &s->vol[d->slot];
        if (x->dv[0].day >= s->d0)
            at = 0;
        else
            B2B2C__LOWER_BOUND(at, x->dv, x->n, day, s->d0);
        for (; at < x->n && x->dv[at].day <= s->today; at++) {
            int64_t a = x->dv[at].v[vi]; /* |a| <= 2^62 */
            if ((a > 0 && *acc > INT64_MAX - a) ||
                (a < 0 && *acc < INT64_MIN - a)) {
                s->bad = d;
                return B2B2C_ERANGE;
            }
            *acc += a;
        }
    }
    return 0;
}

static int range_err(b2b2c_ctx *ctx, const pg_dealer *d)
{
    char esc[4 * B2B2C__KEY_SHOWN + 8];
    b2b2c__key_escape(esc, sizeof(esc), d->id, d->idlen);
    return b2b2c__err(ctx, B2B2C_ERANGE,
                      "now: the volume, projection or bonus of dealer '%s' "
                      "passes 2^63",
                      esc);
}

/* The program's and the period's part of a status; *b the program. */
static int status_begin(st *s, const b2b2c_programs *h,
                        const char *program_id, int64_t now)
{
    b2b2c_ctx *ctx = h->ctx;
    size_t len;
    int rc;

    if (b2b2c__id_check(program_id, &len))
        return b2b2c__err(ctx, B2B2C_EBADID, "program_id: %s",
                          program_id
                              ? "not a valid ID (1..255 bytes of UTF-8)"
                              : "NULL");
    if ((rc = b2b2c__check_time(ctx, now, "now")) != 0)
        return rc;
    if ((rc = b2b2c__sync_read(ctx)) != 0)
        return rc;
    memset(s, 0, sizeof(*s));
    s->h = h;
    if (!(s->b = b2b2c__map_get(&h->bonus, program_id, len))) {
        char esc[4 * B2B2C__KEY_SHOWN + 8];
        b2b2c__key_escape(esc, sizeof(esc), program_id, len);
        return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                          "program_id: no program '%s'", esc);
    }
    s->today = b2b2c__day(ctx, now);
    period_of(s->b->period, s->today, &s->d0, &s->d1);
    return 0;
}

static void period_fields(const st *s, int64_t *f)
{
    f[B2B2C_PROGRAM_F_PERIOD_START] = b2b2c__day_start(s->h->ctx, s->d0);
    f[B2B2C_PROGRAM_F_PERIOD_END] = b2b2c__day_start(s->h->ctx, s->d1);
}

int b2b2c_program_status(int64_t *fields, size_t nfields,
                         const b2b2c_programs *h, const char *program_id,
                         const char *dealer_id, int64_t now)
{
    int64_t f[B2B2C_PROGRAM_F_NFIELDS], vol = 0;
    b2b2c_ctx *ctx;
    size_t dlen;
    st s;
    int rc;

    if (!fields || !h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    b2b2c__err_clear(ctx);
    if (nfields == 0)
        return b2b2c__err(ctx, B2B2C_EINVAL, "nfields: 0");
    if (b2b2c__id_check(dealer_id, &dlen))
        return b2b2c__err(ctx, B2B2C_EBADID, "dealer_id: %s",
                          dealer_id
                              ? "not a valid ID (1..255 bytes of UTF-8)"
                              : "NULL");
    if ((rc = status_begin(&s, h, program_id, now)) != 0)
        return rc;
    if (!(s.only = b2b2c__map_get(&h->dealers, dealer_id, dlen))) {
        char esc[4 * B2B2C__KEY_SHOWN + 8];
        b2b2c__key_escape(esc, sizeof(esc), dealer_id, dlen);
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "dealer_id: no dealer '%s'",
                          esc);
    }
    s.vol = &vol;
    if (collect(&s) != 0 ||
        fields_of(s.b, vol, s.today - s.d0 + 1, s.d1 - s.d0, f) != 0)
        return range_err(ctx, s.only);
    period_fields(&s, f);
    memcpy(fields, f,
           (nfields < B2B2C_PROGRAM_F_NFIELDS ? nfields
                                              : B2B2C_PROGRAM_F_NFIELDS) *
               sizeof(int64_t));
    return 0;
}

/* A dealer's row of the listing. */
typedef struct row {
    const pg_dealer *d;
    int64_t f[B2B2C_PROGRAM_F_NFIELDS];
} row;

static int emit_row(const b2b2c__list *l, const void *rec)
{
    const row *r = rec;
    return ((b2b2c_program_status_cb)l->cb)(r->d->id, r->f,
                                            B2B2C_PROGRAM_F_NFIELDS,
                                            l->userdata);
}

int b2b2c_program_status_list(const b2b2c_programs *h,
                              const char *program_id, int64_t now,
                              b2b2c_program_status_cb cb, void *userdata)
{
    b2b2c__list l;
    b2b2c_ctx *ctx;
    row *rows = NULL;
    size_t i = 0, n = 0;
    void *v;
    st s;
    int rc;

    if (!h)
        return B2B2C_EINVAL;
    ctx = h->ctx;
    if ((rc = b2b2c__list_open(&l, ctx, (b2b2c__list_fn)cb, userdata)) != 0)
        return rc;
    if ((rc = status_begin(&s, h, program_id, now)) != 0)
        return rc;
    rows = b2b2c__malloc(ctx, (h->dealers.count + 1) * sizeof(*rows));
    s.vol = b2b2c__malloc(ctx, (h->dealers.count + 1) * sizeof(int64_t));
    if (!rows || !s.vol) {
        rc = b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
        goto out;
    }
    while (b2b2c__map_next(&h->dealers, &i, NULL, NULL, &v)) {
        pg_dealer *d = v;
        d->slot = n;
        rows[n].d = d;
        s.vol[n++] = 0;
    }
    if (collect(&s) != 0) {
        rc = range_err(ctx, s.bad);
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        if (fields_of(s.b, s.vol[k], s.today - s.d0 + 1, s.d1 - s.d0,
                      rows[k].f) != 0) {
            rc = range_err(ctx, rows[k].d);
            goto out;
        }
        period_fields(&s, rows[k].f);
    }
    /* the listing's memory last: only its emit frees it */
    if ((rc = b2b2c__list_reserve(&l, n)) != 0)
        goto out;
    for (size_t k = 0; k < n; k++)
        b2b2c__list_add(&l, rows[k].d->id, rows[k].d->idlen, &rows[k]);
    rc = b2b2c__list_emit(&l, emit_row);
out:
    b2b2c__free(ctx, s.vol);
    b2b2c__free(ctx, rows);
    return rc;
}
