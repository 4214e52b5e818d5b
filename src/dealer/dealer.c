/*
 * Dealer allocation engine: dealers, routing policies, deadlines, outcomes,
 * audit trail and scorecards. See include/b2b2c/dealer.h and
 * docs/dealer-allocation.md.
 *
 * In memory: dealers in creation order (index = creation number), a map of
 * dealer IDs, a map of "buckets" (a region code, or a 1-degree grid cell
 * "@LAT,LON") to the sorted indexes of the dealers they cover, leads in a
 * map, open offers in a min-heap by (deadline, offer number), and the audit
 * trail as an array with per-lead and per-dealer linked lists. Every change
 * is pushed on the context's undo log before it is made and written through
 * to the tables dealer_state, dealer_dealers, dealer_stats, dealer_leads and
 * dealer_audit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "dealer_internal.h"

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

#define NSKIP 6
#define NDECL 8
#define NPARAM 10
#define NONE32 UINT32_MAX
#define NOPOS SIZE_MAX
#define TRIED_EXPIRED 0x80000000u
#define MAX_CODES 256
#define MAX_PRODS 64

static const char T_STATE[] = "dealer_state";
static const char T_DEALERS[] = "dealer_dealers";
static const char T_STATS[] = "dealer_stats";
static const char T_LEADS[] = "dealer_leads";
static const char T_AUDIT[] = "dealer_audit";

/* The routing mirror: what the eligibility pass and the policies read per
 * candidate, a 128-byte entry per dealer in each region bucket the dealer
 * is in (bucket.h, parallel to the bucket's dealer numbers), so the
 * eligibility pass streams contiguous entries and routing touches a
 * dealer struct only for the chosen dealer (and for candidates found by
 * location, whose entries decide derives into e->ghot). The entry is derived from
 * the dealer struct (mirror_of); every change of a mirrored field is made
 * between mirror_guard (an undo entry that derives the mirror again after
 * the undo log restored the struct) and mirror_sync.
 *
 * The tail caches the performance and Thompson weights with the
 * engine-wide inputs they were computed from (epoch): a pure function of
 * them, so a hit gives the same bits as a fresh computation; each copy
 * has its own cache, emptied by mirror_sync when won, res or tier
 * change. */
typedef struct hot {
    int64_t active_from; /* active iff active_from <= now */
    uint64_t last_offer_seq;
    int64_t day_idx;
    int64_t period_idx;
    uint64_t period_offers;
    int32_t room;        /* capacity - open, 0 when at capacity */
    int32_t quota;
    uint32_t day_offers; /* saturated: only compared with quota */
    uint32_t nprod;
    double tier;
    uint64_t won, res; /* res: won + lost + declined + expired */
    /* cache, not compared by b2b2c__dealer_mirror_check */
    uint64_t epoch; /* see wc_epoch; 0 = empty */
    double mean;    /* tier x posterior mean */
    double perf;    /* mean ^ perf_exponent */
    uint64_t pad[3];
} hot;

#define HOT_CMP offsetof(hot, epoch)

typedef struct dcfg {
    int32_t status;
    int32_t capacity, quota;
    uint32_t nprod;
    int32_t one_terr; /* terr is one code: one region bucket */
    int64_t paused_until;
    double tier;
    uint32_t *prod_ids; /* owned, interned */
    int32_t has_loc;
    double lat, lon, radius;
    double deadline_h;
    char *terr;  /* owned, codes joined by ';' */
    char *prods; /* owned, "" = every product line */
} dcfg;

/* Field order: what routing reads last, next to the head of dcfg. */
typedef struct dstats {
    uint64_t accepted, recalled;
    double revenue;
    uint64_t decl[NDECL];
    uint64_t won, lost, declined, expired;
    /* what offer() changes, contiguous up to the end: snap saves only
     * these (OFFER_FIELDS) */
    uint64_t offered;
    uint64_t open;
    int64_t day_idx;
    uint64_t day_offers;
    int64_t period_idx;
    uint64_t period_offers;
    uint64_t last_offer_seq;
} dstats;

#define OFFER_FIELDS offsetof(dstats, offered)

typedef struct dealer {
    dstats st;
    dcfg cfg;
    uint64_t asof; /* loading: decision number its stats record is as of */
    uint32_t idx;
    uint32_t afirst, alast; /* audit entries choosing this dealer */
    size_t idlen;
    char id[];
} dealer;

typedef struct lmut {
    int32_t state;
    uint32_t dealer; /* current or last, NONE32 */
    int64_t offered_at, deadline, accepted_at, closed_at;
    double revenue;
    uint64_t offer_seq;
} lmut;

typedef struct lead {
    lmut m;
    const char *region, *product; /* inside id[] */
    int32_t has_loc;
    double lat, lon;
    int32_t segment, band;
    int64_t created;
    uint32_t *tried; /* dealer index | TRIED_EXPIRED */
    uint32_t ntried, captried;
    size_t heap_pos;
    uint32_t afirst, alast;
    size_t idlen;
    char id[]; /* id \0 region \0 product \0 */
} lead;

typedef struct aent {
    uint64_t seq;
    int64_t time;
    lead *lead;
    uint32_t dealer;
    uint8_t kind, policy, reason;
    uint32_t cand, elig, rank;
    double weight;
    uint32_t skip[NSKIP];
    uint32_t prev_lead, next_lead, prev_dealer, next_dealer;
} aent;

/* A region bucket's routing plan: what the eligibility pass found over
 * the bucket's dealers for a lead without a location, product restriction
 * or declined dealers, kept from one decision to the next while nothing it
 * was derived from changes (plan_ok), so that such a lead is decided
 * without the pass: round robin in O(1) (its order as a ring), tier and
 * performance in O(log n) by bisection of the weights' prefix sums,
 * Thompson by drawing the posteriors in tier order with their constants
 * prepared. An offer keeps it up to date (plan_offer) unless the dealer
 * stops being eligible; every other change of the bucket's entries
 * changes the bucket's version and drops it. It gives the same decision
 * as the pass, bit for bit (the pass's pick compares with the same prefix
 * sums, Thompson's pass draws in the same order; t_plans_match_pass runs
 * both). */
typedef struct plan {
    uint64_t ver; /* the bucket's version it is valid at; 0: none */
    int64_t day, pidx, t_lo, t_hi; /* valid for t_lo <= now < t_hi */
    uint64_t epoch; /* performance, Thompson: the network prior's epoch */
    double param[NPARAM];
    uint32_t n, ne;
    uint32_t nrestr; /* dealers with product lines (set with every pass) */
    /* saving a plan that dies before it decides anything is wasted work
     * (an outcome per route moves the network prior every time): after
     * such a plan, `nosave` passes save none, 1, 3, 7, 7, ... */
    uint32_t served, nosave, backoff, saved;
    uint32_t skip[NSKIP];
    uint64_t sumper, maxpo; /* offers this period, eligible dealers */
    double total;
    /* by eligible number k (eligible dealers in bucket order): */
    uint32_t *pos;  /* position in the bucket */
    uint64_t *po;   /* offers this period */
    double *w;      /* weight (after the new-dealer floor) */
    double *cum;    /* w[0] + ... + w[k], added in that order */
    uint32_t *rank; /* 0 until computed */
    uint32_t *ring; /* round robin: eligible numbers from ring[head] on in
                       the order (last offer number, position); Thompson:
                       in the order (tier descending, eligible number) */
    uint32_t head;
    b2b2c__beta_prep *bp; /* Thompson: by place j in ring, the posterior's
                             draw constants (and cum[j] the tier) */
    void *mem; /* the arrays, hcap entries each */
} plan;

/* A region code's bucket also holds a copy of the routing mirror entry
 * of each of its dealers (h[i] for d[i]), so the eligibility pass reads
 * them contiguously, and its plan; grid cells ("@...") have neither (h =
 * NULL). */
typedef struct bucket {
    uint32_t *d;
    hot *h;
    uint32_t n, cap, hcap;
    uint64_t ver; /* changes with every change of d or h but cache fields */
    plan pl;
    size_t klen;
    char key[];
} bucket;

typedef struct prod {
    uint32_t id;
    size_t len;
    char s[];
} prod;

/* A heap entry: the lead's deadline and offer number, so sifting does
 * not read the leads. */
typedef struct hent {
    int64_t deadline;
    uint64_t seq;
    struct lead *l;
} hent;

typedef struct emut {
    uint64_t seq;
    b2b2c__rng rng;
    uint64_t net_won, net_resolved;
} emut;

typedef struct expiry {
    lead *l;
    uint32_t from, to;
    int32_t reason;
} expiry;

struct b2b2c_dealer_engine {
    b2b2c_ctx *ctx;
    double param[NPARAM];
    emut m;
    dealer **dealers;
    size_t nd, capd;
    b2b2c__map dmap, buckets, prods, leads;
    hent *heap;
    size_t nheap, capheap;
    aent *aud;
    size_t naud, capaud;
    /* scratch, sized to the number of dealers */
    uint32_t *cand, *elig;
    double *w, *dist;
    uint64_t *po, *key;
    hot **hp; /* the mirror entry of each candidate, then eligible */
    size_t capscratch;
    /* mirror entries of candidates found by location (by candidate
     * position) and candidate marks (by dealer number), capmir entries,
     * 64-byte aligned inside the *_raw blocks */
    hot *ghot;
    uint64_t *mark;
    void *ghot_raw, *mark_raw;
    size_t capmir;
    uint64_t stamp;
    /* engine-wide inputs of the cached weights (see wcache) */
    uint64_t wc_epoch, wc_net_won, wc_net_res;
    double wc_prior, wc_expo;
    expiry *ex;
    size_t nex, capex;
    /* snapshots for the undo log (see snap) */
    unsigned char *snap;
    size_t snaptop, capsnap;
    int noplan;         /* tests: every decision by the eligibility pass */
    /* a bit per key hash of every bucket ever made (a filter: a clear bit
     * means no bucket, so a region code without one costs no map probe) */
    uint64_t bloom[64];
    uint64_t plan_hits; /* decisions made from a plan (tests) */
};

typedef struct decision {
    uint32_t cand, elig, rank, chosen;
    uint32_t skip[NSKIP];
    double weight;
    int32_t reason;
    hot *entry; /* the chosen dealer's mirror entry that decide read */
    bucket *bk; /* the one region bucket the candidates came from, or NULL */
    uint32_t pk; /* the chosen's eligible number in bk's valid plan, or
                    NONE32 */
} decision;

/* ---- parameters ---------------------------------------------------- */

static const struct {
    double def, min, max;
    int whole;
    const char *name;
} PARAMS[NPARAM] = {
    {2, 0, 3, 1, "policy"},
    {0.5, 0, 1, 0, "max_share"},
    {30, 1, 366, 0, "share_period_days"},
    {20, 0, 1e9, 0, "share_min_leads"},
    {10, 0.1, 1e6, 0, "prior_strength"},
    {10, 0, 1e9, 0, "new_dealer_leads"},
    {0.5, 0, 1, 0, "new_dealer_floor"},
    {4, 1, 64, 0, "perf_exponent"},
    {0, 0, 1, 1, "direct_fallback"},
    {0.95, 0.5, 0.999, 0, "credible_level"},
};

enum { P_POLICY, P_MAXSHARE, P_PERIOD, P_SHAREMIN, P_PRIOR, P_NEWLEADS,
       P_FLOOR, P_EXPO, P_DIRECT, P_LEVEL };

static const char *const POLICY_NAMES[] = {"round_robin", "tier",
                                           "performance", "thompson"};
static const char *const REASON_NAMES[] = {
    "routed", "no_territory", "all_paused", "no_product",
    "all_declined", "all_at_capacity", "direct"};

const char *b2b2c_dealer_policy_name(int32_t p)
{
    return p >= 0 && p < 4 ? POLICY_NAMES[p] : NULL;
}

const char *b2b2c_dealer_reason_name(int32_t r)
{
    return r >= 0 && r < 7 ? REASON_NAMES[r] : NULL;
}

/* ---- small helpers --------------------------------------------------- */

static int oom(b2b2c_ctx *ctx)
{
    return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
}

static char *dupstr(b2b2c_ctx *ctx, const char *s)
{
    size_t n = strlen(s);
    char *p = b2b2c__malloc(ctx, n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

/* A region code: 1..63 bytes, [A-Za-z0-9_] segments joined by '-'. */
static int code_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-') {
            if (s[i + 1] == '-')
                return 0;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* Check a ';'-list of region codes (kind 0) or product IDs (kind 1). */
static int list_check(b2b2c_ctx *ctx, const char *what, const char *s,
                      int kind, size_t max)
{
    size_t count = 0;
    const char *p = s;
    if (!*s)
        return 0;
    for (;;) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        int ok = kind == 0 ? code_ok(p, n)
                           : (n >= 1 && n <= 255 && !b2b2c__utf8_valid(p, n));
        if (!ok)
            return b2b2c__err(ctx, B2B2C_EBADID,
                              "%s: entry %zu '%.*s' is not a valid %s", what,
                              count + 1, (int)(n > 80 ? 80 : n), p,
                              kind ? "product line" : "region code");
        if (++count > max)
            return b2b2c__err(ctx, B2B2C_ERANGE, "%s: more than %zu entries",
                              what, max);
        if (!q)
            return 0;
        p = q + 1;
    }
}

static int finite(double x) { return isfinite(x); }

/* A territory list of exactly one code. */
static int32_t one_code(const char *terr)
{
    return *terr && !strchr(terr, ';');
}

/* Stored times are trusted within +-2^52 s: the range the API accepted
 * before the library-wide one (common.h), so older records still load, and
 * deadline arithmetic on them cannot overflow. The loader rejects others. */
#define NOW_MAX ((int64_t)1 << 52)


static int time_ok(int64_t t)
{
    return t >= -NOW_MAX && t <= NOW_MAX;
}

static int check_now(b2b2c_ctx *ctx, int64_t now)
{
    return b2b2c__check_time(ctx, now, "now");
}

/* qsort that accepts an empty (NULL) array. */
static void sort(void *base, size_t n, size_t size,
                 int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* ---- buckets (region codes and grid cells -> sorted dealer indexes) -- */

static void mirror_of(const dealer *d, hot *h);

/* Insert dealer v with its mirror entry, derived from its struct as it is
 * now (capacity checked by the caller). */
static void bucket_ins(const b2b2c_dealer_engine *e, bucket *b, uint32_t v)
{
    uint32_t i = b->n;
    while (i > 0 && b->d[i - 1] > v) {
        b->d[i] = b->d[i - 1];
        if (b->h)
            b->h[i] = b->h[i - 1];
        i--;
    }
    b->d[i] = v;
    if (b->h)
        mirror_of(e->dealers[v], &b->h[i]);
    b->n++;
    b->ver++;
}

static void bucket_del(bucket *b, uint32_t v)
{
    for (uint32_t i = 0; i < b->n; i++)
        if (b->d[i] == v) {
            memmove(b->d + i, b->d + i + 1, (b->n - i - 1) * sizeof(*b->d));
            if (b->h)
                memmove(b->h + i, b->h + i + 1,
                        (b->n - i - 1) * sizeof(*b->h));
            b->n--;
            b->ver++;
            return;
        }
}

/* Position of dealer v in bucket b, or -1. */
static int64_t bucket_pos(const bucket *b, uint32_t v)
{
    uint32_t lo = 0, hi = b->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (b->d[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < b->n && b->d[lo] == v ? (int64_t)lo : -1;
}

static void undo_bucket_ins(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)a;
    bucket_del(b, (uint32_t)n);
}

static void undo_bucket_del(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    bucket_ins(a, b, (uint32_t)n); /* buckets never shrink: room is there */
}

/* A bucket created by a failed call goes away with its array. */
static void undo_bucket_new(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    bucket *bk = a;
    (void)b;
    (void)n;
    b2b2c__free(ctx, bk->d);
    b2b2c__free(ctx, bk->h);
    b2b2c__free(ctx, bk->pl.mem);
    b2b2c__free(ctx, bk);
}

/* The plan's arrays for `cap` dealers (the plan is dropped: a new block
 * carries nothing over). */
static int plan_alloc(b2b2c_dealer_engine *e, bucket *b, size_t cap)
{
    plan *p = &b->pl;
    size_t per = sizeof(b2b2c__beta_prep) + sizeof(uint64_t) +
                 2 * sizeof(double) + 3 * sizeof(uint32_t);
    unsigned char *m;
    if (cap > SIZE_MAX / per)
        return oom(e->ctx);
    m = b2b2c__malloc(e->ctx, cap * per);
    if (!m)
        return oom(e->ctx);
    b2b2c__free(e->ctx, p->mem);
    p->mem = m;
    p->ver = 0;
    p->bp = (b2b2c__beta_prep *)m;
    p->po = (uint64_t *)(p->bp + cap);
    p->w = (double *)(p->po + cap);
    p->cum = p->w + cap;
    p->pos = (uint32_t *)(p->cum + cap);
    p->rank = p->pos + cap;
    p->ring = p->rank + cap;
    return 0;
}

static int idx_add(b2b2c_dealer_engine *e, const char *key, size_t klen,
                   uint32_t v, int undoable)
{
    b2b2c_ctx *ctx = e->ctx;
    uint64_t h = b2b2c__map_keyhash(key, klen);
    bucket *b = b2b2c__map_get_h(&e->buckets, h, key, klen);
    int rc;
    if (!b) {
        e->bloom[(h >> 6) & 63] |= (uint64_t)1 << (h & 63);
        b = b2b2c__malloc(ctx, sizeof(*b) + klen + 1);
        if (!b)
            return oom(ctx);
        b->d = NULL;
        b->h = NULL;
        b->n = b->cap = b->hcap = 0;
        b->ver = 1;
        memset(&b->pl, 0, sizeof(b->pl));
        b->klen = klen;
        memcpy(b->key, key, klen);
        b->key[klen] = '\0';
        if (undoable) {
            if ((rc = b2b2c__undo_push(ctx, undo_bucket_new, NULL, b, NULL,
                                       0)) != 0) {
                b2b2c__free(ctx, b);
                return rc;
            }
            if ((rc = b2b2c__map_insert_undoable_h(ctx, &e->buckets, h,
                                                   b->key, klen, b)) != 0)
                return rc;
        } else if (b2b2c__map_put_h(&e->buckets, h, b->key, klen, b, NULL)) {
            b2b2c__free(ctx, b);
            return oom(ctx);
        }
    }
    for (uint32_t i = 0; i < b->n; i++)
        if (b->d[i] == v)
            return 0; /* a code listed twice */
    /* room for n + 1 in both arrays (n never exceeds either capacity) */
    if (b->n == b->cap) {
        size_t cap = b->cap;
        if (b2b2c__grow(&ctx->mem, (void **)&b->d, &cap, (size_t)b->n + 1,
                        sizeof(*b->d)))
            return oom(ctx);
        b->cap = (uint32_t)cap;
    }
    if (b->key[0] != '@' && b->n == b->hcap) {
        size_t cap = b->hcap;
        if (b2b2c__grow(&ctx->mem, (void **)&b->h, &cap, (size_t)b->n + 1,
                        sizeof(*b->h)))
            return oom(ctx);
        if ((rc = plan_alloc(e, b, cap)) != 0)
            return rc; /* h grew: harmless, hcap says how far it is used */
        b->hcap = (uint32_t)cap;
    }
    if (undoable &&
        (rc = b2b2c__undo_push(ctx, undo_bucket_ins, NULL, e, b, v)) != 0)
        return rc;
    bucket_ins(e, b, v);
    return 0;
}

static int idx_del(b2b2c_dealer_engine *e, const char *key, size_t klen,
                   uint32_t v)
{
    bucket *b = b2b2c__map_get(&e->buckets, key, klen);
    int rc;
    if (!b)
        return 0;
    for (uint32_t i = 0; i < b->n; i++)
        if (b->d[i] == v) {
            if ((rc = b2b2c__undo_push(e->ctx, undo_bucket_del, NULL, e, b,
                                       v)) != 0)
                return rc;
            bucket_del(b, v);
            return 0;
        }
    return 0;
}

static int cell_key(char *buf, size_t cap, int ilat, int ilon)
{
    return snprintf(buf, cap, "@%d,%d", ilat, ilon);
}

static int cell_of(double lat, double lon, int *ilat, int *ilon)
{
    int a = (int)floor(lat), o = (int)floor(lon);
    if (a > 89)
        a = 89;
    if (a < -90)
        a = -90;
    if (o >= 180)
        o -= 360;
    if (o < -180)
        o = -180;
    *ilat = a;
    *ilon = o;
    return 0;
}

/* Add (add=1) or remove every bucket entry of dealer d: its territory codes
 * and the grid cells its service circle's bounding box touches. */
static int dealer_index(b2b2c_dealer_engine *e, dealer *d, int add,
                        int undoable)
{
    const char *p = d->cfg.terr;
    int rc;
    while (*p) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        rc = add ? idx_add(e, p, n, d->idx, undoable)
                 : idx_del(e, p, n, d->idx);
        if (rc)
            return rc;
        if (!q)
            break;
        p = q + 1;
    }
    if (d->cfg.has_loc) {
        double dlat = d->cfg.radius / 111.195, dlon;
        double lat0 = d->cfg.lat - dlat, lat1 = d->cfg.lat + dlat;
        int a0, a1, o0, o1, all = 0, tmp;
        char key[32];
        if (lat0 < -90)
            lat0 = -90, all = 1;
        if (lat1 > 90)
            lat1 = 90, all = 1;
        {
            double far = fabs(lat0) > fabs(lat1) ? fabs(lat0) : fabs(lat1);
            double c = cos(far * 3.14159265358979323846 / 180.0);
            dlon = c > 1e-6 ? dlat / c : 360.0;
            if (dlon >= 179.0)
                all = 1;
        }
        cell_of(lat0, 0, &a0, &tmp);
        cell_of(lat1, 0, &a1, &tmp);
        if (all) {
            o0 = -180;
            o1 = 179;
        } else {
            o0 = (int)floor(d->cfg.lon - dlon);
            o1 = (int)floor(d->cfg.lon + dlon);
        }
        for (int a = a0; a <= a1; a++)
            for (int o = o0; o <= o1; o++) {
                int oo = o;
                while (oo < -180)
                    oo += 360;
                while (oo >= 180)
                    oo -= 360;
                int kl = cell_key(key, sizeof key, a, oo);
                rc = add ? idx_add(e, key, (size_t)kl, d->idx, undoable)
                         : idx_del(e, key, (size_t)kl, d->idx);
                if (rc)
                    return rc;
            }
    }
    return 0;
}

/* ---- product lines (interned to small integers) ---------------------- */

static int intern(b2b2c_dealer_engine *e, const char *s, size_t n,
                  uint32_t *id, int undoable)
{
    b2b2c_ctx *ctx = e->ctx;
    prod *p = b2b2c__map_get(&e->prods, s, n);
    int rc;
    if (p) {
        *id = p->id;
        return 0;
    }
    p = b2b2c__malloc(ctx, sizeof(*p) + n + 1);
    if (!p)
        return oom(ctx);
    p->id = (uint32_t)e->prods.count;
    p->len = n;
    memcpy(p->s, s, n);
    p->s[n] = '\0';
    if (undoable) {
        if ((rc = b2b2c__undo_free_on_fail(ctx, p)) != 0) {
            b2b2c__free(ctx, p);
            return rc;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &e->prods, p->s, n, p)))
            return rc;
    } else if (b2b2c__map_put(&e->prods, p->s, n, p, NULL)) {
        b2b2c__free(ctx, p);
        return oom(ctx);
    }
    *id = p->id;
    return 0;
}

/* Parse `s` into a new array of interned IDs (*ids NULL for ""). */
static int prod_ids(b2b2c_dealer_engine *e, const char *s, uint32_t **ids,
                    uint32_t *n, int undoable)
{
    const char *p = s;
    uint32_t k = 0, cnt = 1;
    int rc;
    *ids = NULL;
    *n = 0;
    if (!*s)
        return 0;
    for (const char *q = s; *q; q++)
        cnt += *q == ';';
    *ids = b2b2c__malloc(e->ctx, cnt * sizeof(**ids));
    if (!*ids)
        return oom(e->ctx);
    for (;;) {
        const char *q = strchr(p, ';');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if ((rc = intern(e, p, len, &(*ids)[k], undoable)) != 0) {
            b2b2c__free(e->ctx, *ids);
            *ids = NULL;
            return rc;
        }
        k++;
        if (!q)
            break;
        p = q + 1;
    }
    *n = k;
    return 0;
}

/* ---- records --------------------------------------------------------- */

static int write_dealer(b2b2c_dealer_engine *e, const dealer *d)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_u32(&w, d->idx);
    b2b2c__enc_f64(&w, d->cfg.tier);
    b2b2c__enc_str(&w, d->cfg.terr);
    b2b2c__enc_str(&w, d->cfg.prods);
    b2b2c__enc_u32(&w, (uint32_t)d->cfg.capacity);
    b2b2c__enc_u32(&w, (uint32_t)d->cfg.quota);
    b2b2c__enc_f64(&w, d->cfg.deadline_h);
    b2b2c__enc_u8(&w, (uint8_t)d->cfg.status);
    b2b2c__enc_i64(&w, d->cfg.paused_until);
    b2b2c__enc_u8(&w, (uint8_t)d->cfg.has_loc);
    b2b2c__enc_f64(&w, d->cfg.lat);
    b2b2c__enc_f64(&w, d->cfg.lon);
    b2b2c__enc_f64(&w, d->cfg.radius);
    return b2b2c__st_put_rec(e->ctx, T_DEALERS, d->id, d->idlen, &w);
}

static int write_stats(b2b2c_dealer_engine *e, const dealer *d)
{
    b2b2c__wbuf w;
    const dstats *s = &d->st;
    b2b2c__enc_begin(&w, &e->ctx->mem, 2);
    b2b2c__enc_u64(&w, s->offered);
    b2b2c__enc_u64(&w, s->accepted);
    b2b2c__enc_u64(&w, s->declined);
    b2b2c__enc_u64(&w, s->expired);
    b2b2c__enc_u64(&w, s->won);
    b2b2c__enc_u64(&w, s->lost);
    b2b2c__enc_u64(&w, s->recalled);
    b2b2c__enc_u64(&w, s->open);
    b2b2c__enc_f64(&w, s->revenue);
    for (int i = 0; i < NDECL; i++)
        b2b2c__enc_u64(&w, s->decl[i]);
    b2b2c__enc_i64(&w, s->day_idx);
    b2b2c__enc_u64(&w, s->day_offers);
    b2b2c__enc_i64(&w, s->period_idx);
    b2b2c__enc_u64(&w, s->period_offers);
    b2b2c__enc_u64(&w, s->last_offer_seq);
    /* version 2: the decision number the record is as of; the offers made
     * to the dealer after it are in their audit records (see offer) */
    b2b2c__enc_u64(&w, e->m.seq);
    return b2b2c__st_put_rec(e->ctx, T_STATS, d->id, d->idlen, &w);
}

static int write_lead(b2b2c_dealer_engine *e, const lead *l)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_i64(&w, l->created);
    b2b2c__enc_str(&w, l->region);
    b2b2c__enc_str(&w, l->product);
    b2b2c__enc_u8(&w, (uint8_t)l->has_loc);
    b2b2c__enc_f64(&w, l->lat);
    b2b2c__enc_f64(&w, l->lon);
    b2b2c__enc_u32(&w, (uint32_t)l->segment);
    b2b2c__enc_u32(&w, (uint32_t)l->band);
    b2b2c__enc_u8(&w, (uint8_t)l->m.state);
    b2b2c__enc_str(&w, l->m.dealer == NONE32 ? ""
                                             : e->dealers[l->m.dealer]->id);
    b2b2c__enc_i64(&w, l->m.offered_at);
    b2b2c__enc_i64(&w, l->m.deadline);
    b2b2c__enc_i64(&w, l->m.accepted_at);
    b2b2c__enc_i64(&w, l->m.closed_at);
    b2b2c__enc_f64(&w, l->m.revenue);
    b2b2c__enc_u64(&w, l->m.offer_seq);
    b2b2c__enc_u32(&w, l->ntried);
    for (uint32_t i = 0; i < l->ntried; i++) {
        b2b2c__enc_str(&w, e->dealers[l->tried[i] & ~TRIED_EXPIRED]->id);
        b2b2c__enc_u8(&w, (l->tried[i] & TRIED_EXPIRED) ? 1 : 0);
    }
    return b2b2c__st_put_rec(e->ctx, T_LEADS, l->id, l->idlen, &w);
}

/* An audit record. The first decision about a new lead also carries the
 * lead (attributes, state, deadline): a lead that has not changed since it
 * was routed has no record of its own in dealer_leads, which saves one new
 * key per decision; every later change writes the lead's record. */
static int write_audit(b2b2c_dealer_engine *e, const aent *a, int creates)
{
    b2b2c__wbuf w;
    uint8_t key[8], *p;
    for (int i = 0; i < 8; i++)
        key[i] = (uint8_t)(a->seq >> (56 - 8 * i));
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_u64(&w, a->seq);
    b2b2c__enc_i64(&w, a->time);
    b2b2c__enc_bytes(&w, a->lead->id, a->lead->idlen);
    if (a->dealer == NONE32)
        b2b2c__enc_bytes(&w, "", 0);
    else
        b2b2c__enc_bytes(&w, e->dealers[a->dealer]->id,
                         e->dealers[a->dealer]->idlen);
    /* the fixed part in one piece: kind, policy, reason (u8), cand, elig,
     * rank (u32), weight (f64), the skip counts (u32), the generator's
     * state after the decision (u64) and whether the lead follows (u8) */
    p = b2b2c__enc_raw(&w, 3 + 3 * 4 + 8 + NSKIP * 4 + 4 * 8 + 1);
    if (p) {
        uint64_t wb;
        p[0] = a->kind;
        p[1] = a->policy;
        p[2] = a->reason;
        b2b2c__put_le32(p + 3, a->cand);
        b2b2c__put_le32(p + 7, a->elig);
        b2b2c__put_le32(p + 11, a->rank);
        memcpy(&wb, &a->weight, 8);
        b2b2c__put_le64(p + 15, wb);
        p += 23;
        for (int i = 0; i < NSKIP; i++, p += 4)
            b2b2c__put_le32(p, a->skip[i]);
        for (int i = 0; i < 4; i++, p += 8)
            b2b2c__put_le64(p, e->m.rng.s[i]);
        *p = (uint8_t)(creates ? 1 : 0);
    }
    if (creates) {
        const lead *l = a->lead;
        b2b2c__enc_i64(&w, l->created);
        b2b2c__enc_str(&w, l->region);
        b2b2c__enc_str(&w, l->product);
        b2b2c__enc_u8(&w, (uint8_t)l->has_loc);
        b2b2c__enc_f64(&w, l->lat);
        b2b2c__enc_f64(&w, l->lon);
        b2b2c__enc_u32(&w, (uint32_t)l->segment);
        b2b2c__enc_u32(&w, (uint32_t)l->band);
        b2b2c__enc_u8(&w, (uint8_t)l->m.state);
        b2b2c__enc_i64(&w, l->m.deadline);
    }
    return b2b2c__st_put_rec(e->ctx, T_AUDIT, key, 8, &w);
}

static int write_state(b2b2c_dealer_engine *e)
{
    b2b2c__wbuf w;
    b2b2c__enc_begin(&w, &e->ctx->mem, 1);
    b2b2c__enc_u32(&w, NPARAM);
    for (int i = 0; i < NPARAM; i++)
        b2b2c__enc_f64(&w, e->param[i]);
    b2b2c__enc_u64(&w, e->m.seq);
    for (int i = 0; i < 4; i++)
        b2b2c__enc_u64(&w, e->m.rng.s[i]);
    return b2b2c__st_put_rec(e->ctx, T_STATE, "engine", 6, &w);
}

/* Like b2b2c__undo_save, but the copy goes on a stack owned by the engine
 * instead of a fresh allocation: undo pops it (the undo log runs newest
 * first, so the newest snapshot is on top), commit empties the stack. */
#define SNAPSZ(n) (((n) + 15) & ~(size_t)15)

static void snap_restore(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    b2b2c_dealer_engine *e = a;
    (void)ctx;
    e->snaptop -= SNAPSZ(n);
    memcpy(b, e->snap + e->snaptop, n);
}

static void snap_release(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)b;
    (void)n;
    ((b2b2c_dealer_engine *)a)->snaptop = 0;
}

/* ---- heap of open offers by (deadline, offer number) ----------------- */

static int heap_less(const hent *a, const hent *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->seq < b->seq;
}

static void heap_set(b2b2c_dealer_engine *e, size_t i, hent x)
{
    e->heap[i] = x;
    x.l->heap_pos = i;
}

static void heap_up(b2b2c_dealer_engine *e, size_t i)
{
    hent x = e->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!heap_less(&x, &e->heap[p]))
            break;
        heap_set(e, i, e->heap[p]);
        i = p;
    }
    heap_set(e, i, x);
}

static void heap_down(b2b2c_dealer_engine *e, size_t i)
{
    hent x = e->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= e->nheap)
            break;
        if (c + 1 < e->nheap && heap_less(&e->heap[c + 1], &e->heap[c]))
            c++;
        if (!heap_less(&e->heap[c], &x))
            break;
        heap_set(e, i, e->heap[c]);
        i = c;
    }
    heap_set(e, i, x);
}

static void heap_push_ent(b2b2c_dealer_engine *e, hent x)
{
    e->heap[e->nheap++] = x;
    heap_up(e, e->nheap - 1);
}

/* Push lead l with its current deadline and offer number. */
static void heap_push_raw(b2b2c_dealer_engine *e, lead *l)
{
    hent x;
    x.deadline = l->m.deadline;
    x.seq = l->m.offer_seq;
    x.l = l;
    heap_push_ent(e, x);
}

static void heap_remove_raw(b2b2c_dealer_engine *e, lead *l)
{
    size_t i = l->heap_pos;
    hent last = e->heap[--e->nheap];
    l->heap_pos = NOPOS;
    if (i == e->nheap)
        return;
    heap_set(e, i, last);
    heap_up(e, i);
    heap_down(e, last.l->heap_pos);
}

static void undo_heap_push(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)n;
    heap_remove_raw(a, b);
}

/* Put a removed lead back with the keys it had when it was removed (its
 * lmut may not be restored yet: the undo log runs newest first); they are
 * on the snapshot stack (see heap_remove). */
static void undo_heap_remove(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    b2b2c_dealer_engine *e = a;
    hent x;
    (void)ctx;
    (void)b;
    e->snaptop -= SNAPSZ(n);
    memcpy(&x, e->snap + e->snaptop, sizeof x);
    heap_push_ent(e, x); /* the slot it left is still allocated */
}

static int heap_push(b2b2c_dealer_engine *e, lead *l)
{
    int rc;
    if (e->nheap == e->capheap &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->heap, &e->capheap,
                    e->nheap + 1, sizeof(*e->heap)))
        return oom(e->ctx);
    if ((rc = b2b2c__undo_push(e->ctx, undo_heap_push, NULL, e, l, 0)))
        return rc;
    heap_push_raw(e, l);
    return 0;
}

static int heap_remove(b2b2c_dealer_engine *e, lead *l)
{
    int rc;
    size_t n = sizeof(hent);
    if (l->heap_pos == NOPOS)
        return 0;
    if (e->snaptop + SNAPSZ(n) > e->capsnap &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->snap, &e->capsnap,
                    e->snaptop + SNAPSZ(n), 1))
        return oom(e->ctx);
    if ((rc = b2b2c__undo_push(e->ctx, undo_heap_remove, snap_release, e, l,
                               n)))
        return rc;
    memcpy(e->snap + e->snaptop, &e->heap[l->heap_pos], n);
    e->snaptop += SNAPSZ(n);
    heap_remove_raw(e, l);
    return 0;
}

/* ---- audit trail ------------------------------------------------------ */

static void aud_link(b2b2c_dealer_engine *e, size_t i)
{
    aent *a = &e->aud[i];
    lead *l = a->lead;
    a->prev_lead = l->alast;
    a->next_lead = NONE32;
    if (l->alast != NONE32)
        e->aud[l->alast].next_lead = (uint32_t)i;
    else
        l->afirst = (uint32_t)i;
    l->alast = (uint32_t)i;
    a->prev_dealer = a->next_dealer = NONE32;
    if (a->dealer != NONE32) {
        dealer *d = e->dealers[a->dealer];
        a->prev_dealer = d->alast;
        if (d->alast != NONE32)
            e->aud[d->alast].next_dealer = (uint32_t)i;
        else
            d->afirst = (uint32_t)i;
        d->alast = (uint32_t)i;
    }
}

static void undo_aud_append(b2b2c_ctx *ctx, void *ea, void *b, size_t n)
{
    b2b2c_dealer_engine *e = ea;
    aent *a = &e->aud[--e->naud];
    lead *l = a->lead;
    (void)ctx;
    (void)b;
    (void)n;
    if (a->prev_lead != NONE32)
        e->aud[a->prev_lead].next_lead = NONE32;
    else
        l->afirst = NONE32;
    l->alast = a->prev_lead;
    if (a->dealer != NONE32) {
        dealer *d = e->dealers[a->dealer];
        if (a->prev_dealer != NONE32)
            e->aud[a->prev_dealer].next_dealer = NONE32;
        else
            d->afirst = NONE32;
        d->alast = a->prev_dealer;
    }
}

/* Append a decision (seq = e->m.seq, already advanced) and write it. */
static int aud_append(b2b2c_dealer_engine *e, lead *l, const decision *dc,
                      int64_t now, int kind, int creates)
{
    aent *a;
    int rc;
    if (e->naud == e->capaud &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->aud, &e->capaud, e->naud + 1,
                    sizeof(*e->aud)))
        return oom(e->ctx);
    if ((rc = b2b2c__undo_push(e->ctx, undo_aud_append, NULL, e, NULL, 0)))
        return rc;
    a = &e->aud[e->naud];
    a->seq = e->m.seq;
    a->time = now;
    a->lead = l;
    a->dealer = dc->elig ? dc->chosen : NONE32;
    a->kind = (uint8_t)kind;
    a->policy = (uint8_t)e->param[P_POLICY];
    a->reason = (uint8_t)dc->reason;
    a->cand = dc->cand;
    a->elig = dc->elig;
    a->rank = dc->elig ? dc->rank : 0;
    a->weight = dc->elig ? dc->weight : 0.0;
    memcpy(a->skip, dc->skip, sizeof(a->skip));
    aud_link(e, e->naud);
    e->naud++;
    return write_audit(e, a, creates);
}

/* ---- routing --------------------------------------------------------- */

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t period_of(const b2b2c_dealer_engine *e, int64_t now)
{
    return floordiv(now, (int64_t)(e->param[P_PERIOD] * 86400.0));
}

/* Network prior mean of conversion per resolved offer, with one pseudo win
 * and one pseudo loss (Laplace) so an empty network starts at 1/2. */
static double net_p0(const b2b2c_dealer_engine *e)
{
    return ((double)e->m.net_won + 1.0) / ((double)e->m.net_resolved + 2.0);
}

/* Beta posterior of a dealer's conversion with the network prior
 * Beta(m p0, m (1 - p0)): conjugate update, Gelman et al. 2013 (BDA3),
 * sec. 2.4, posterior Beta(alpha + y, beta + n - y). */
static void posterior(const b2b2c_dealer_engine *e, const dealer *d,
                      double p0, double *a, double *b)
{
    double m = e->param[P_PRIOR];
    double won = (double)d->st.won;
    double res = (double)(d->st.won + d->st.lost + d->st.declined +
                          d->st.expired);
    *a = m * p0 + won;
    *b = m * (1.0 - p0) + (res - won);
}

/* The same from the mirror (same operations, same bits). */
static void posterior_of(const b2b2c_dealer_engine *e, const hot *c,
                         double p0, double *a, double *b)
{
    double m = e->param[P_PRIOR];
    double won = (double)c->won;
    double res = (double)c->res;
    *a = m * p0 + won;
    *b = m * (1.0 - p0) + (res - won);
}

static uint64_t resolved(const dealer *d)
{
    return d->st.won + d->st.lost + d->st.declined + d->st.expired;
}

/* ---- the routing mirror (see hot) --------------------------------- */

/* What an offer changes in dealer d's mirror entry (count_offer's
 * fields, as routing reads them). On an entry that was consistent this
 * is mirror_of and mirror_put: won, resolved and tier, and so the cached
 * weights, do not change with an offer. */
static void mirror_offer(hot *h, const dealer *d)
{
    h->last_offer_seq = d->st.last_offer_seq;
    h->day_idx = d->st.day_idx;
    h->day_offers = d->st.day_offers > UINT32_MAX
                        ? UINT32_MAX
                        : (uint32_t)d->st.day_offers;
    h->period_idx = d->st.period_idx;
    h->period_offers = d->st.period_offers;
    /* capacity <= INT32_MAX, so the room fits */
    h->room = d->st.open >= (uint64_t)d->cfg.capacity
                  ? 0
                  : (int32_t)((uint64_t)d->cfg.capacity - d->st.open);
}

/* Dealer d's mirror entry up to the cache (which is left empty). */
static void mirror_of(const dealer *d, hot *h)
{
    memset(h, 0, sizeof(*h));
    h->active_from = d->cfg.status == B2B2C_DEALER_ACTIVE ? INT64_MIN
                     : d->cfg.status == B2B2C_DEALER_PAUSED
                         ? d->cfg.paused_until
                         : INT64_MAX;
    mirror_offer(h, d);
    h->quota = d->cfg.quota;
    h->nprod = d->cfg.nprod;
    h->tier = d->cfg.tier;
    h->won = d->st.won;
    h->res = resolved(d);
}

/* Store x (no cache) into mirror entry h, keeping h's cache unless the
 * weights' inputs changed. */
static void mirror_put(hot *h, const hot *x)
{
    int keep = h->won == x->won && h->res == x->res && h->tier == x->tier;
    memcpy(h, x, HOT_CMP);
    if (!keep)
        h->epoch = 0;
}

/* Derive dealer d's mirror entries in its region buckets (a bucket it is
 * not in yet derives the entry when it is inserted, see bucket_ins). */
static void mirror_sync(b2b2c_dealer_engine *e, const dealer *d)
{
    const char *p = d->cfg.terr;
    hot x;
    mirror_of(d, &x);
    while (p && *p) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        bucket *b = b2b2c__map_get(&e->buckets, p, n);
        int64_t j = b ? bucket_pos(b, d->idx) : -1;
        if (j >= 0) {
            mirror_put(&b->h[j], &x);
            b->ver++;
        }
        if (!q)
            break;
        p = q + 1;
    }
}

static void undo_mirror(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)n;
    mirror_sync(a, b);
}

/* Before the undo log saves a mirrored field of dealer d: on failure the
 * mirror is derived again once the saved bytes are back (the log runs
 * newest first). */
static int mirror_guard(b2b2c_dealer_engine *e, const dealer *d)
{
    return b2b2c__undo_push(e->ctx, undo_mirror, NULL, e, (void *)d, 0);
}

/* 64-byte aligned block of n entries of `size` inside *raw, keeping the
 * first `keep` entries. */
static int mirror_grow(b2b2c_dealer_engine *e, void **raw, void **arr,
                       size_t keep, size_t n, size_t size)
{
    unsigned char *r = b2b2c__malloc(e->ctx, n * size + 64), *a;
    if (!r)
        return oom(e->ctx);
    a = r + ((64 - ((uintptr_t)r & 63)) & 63);
    memset(a, 0, n * size);
    if (keep)
        memcpy(a, *arr, keep * size);
    b2b2c__free(e->ctx, *raw);
    *raw = r;
    *arr = a;
    return 0;
}

/* Room in the mirror for n dealers (entries of existing dealers kept). */
static int mirror_reserve(b2b2c_dealer_engine *e, size_t n)
{
    size_t cap, keep = e->nd < e->capmir ? e->nd : e->capmir;
    if (n <= e->capmir)
        return 0;
    cap = n < 64 ? 64 : n * 2;
    if (mirror_grow(e, &e->ghot_raw, (void **)&e->ghot, keep, cap,
                    sizeof(hot)) ||
        mirror_grow(e, &e->mark_raw, (void **)&e->mark, keep, cap,
                    sizeof(uint64_t)))
        return B2B2C_ENOMEM;
    e->capmir = cap;
    return 0;
}

static int tried(const lead *l, uint32_t di)
{
    for (uint32_t i = 0; i < l->ntried; i++)
        if ((l->tried[i] & ~TRIED_EXPIRED) == di)
            return 1;
    return 0;
}

static int sells(const dealer *d, int have_prod, uint32_t pid)
{
    if (!d->cfg.nprod)
        return 1;
    if (!have_prod)
        return 0;
    for (uint32_t i = 0; i < d->cfg.nprod; i++)
        if (d->cfg.prod_ids[i] == pid)
            return 1;
    return 0;
}

/* x^k for k in [1, 64] (PERF_EXPONENT's range); whole k by repeated
 * squaring, else pow. (The whole test is a conversion, not floor: without
 * SSE4.1, floor is a call into libm.) */
static double ipow(double x, double k)
{
    double r = 1.0;
    unsigned n = (unsigned)k;
    if ((double)n != k)
        return pow(x, k);
    while (n) {
        if (n & 1)
            r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

/* The engine-wide inputs of the cached weights: a new epoch whenever one
 * of them differs from the last decision's. */
static void wc_refresh(b2b2c_dealer_engine *e)
{
    if (e->wc_epoch == 0 || e->wc_net_won != e->m.net_won ||
        e->wc_net_res != e->m.net_resolved ||
        e->wc_prior != e->param[P_PRIOR] || e->wc_expo != e->param[P_EXPO]) {
        e->wc_epoch++;
        e->wc_net_won = e->m.net_won;
        e->wc_net_res = e->m.net_resolved;
        e->wc_prior = e->param[P_PRIOR];
        e->wc_expo = e->param[P_EXPO];
    }
}

/* Dealer d's weights for the performance and Thompson policies (tier x
 * posterior mean, and that to the perf_exponent), from the cache when its
 * inputs are unchanged. The arithmetic is exactly that of a fresh
 * computation, so cached and fresh weights are the same bits. */
static const hot *weights(const b2b2c_dealer_engine *e, hot *c,
                           double p0)
{
    if (c->epoch != e->wc_epoch) {
        double a, b, wi = c->tier;
        posterior_of(e, c, p0, &a, &b);
        wi *= a / (a + b);
        c->mean = wi;
        c->perf = ipow(wi, e->param[P_EXPO]);
        c->epoch = e->wc_epoch;
    }
    return c;
}

/* The weighted pick shared by the pass and the plans: the first k with
 * u < w[0] + ... + w[k] (prefix sums added in eligible order), else the
 * last. */
static uint32_t pick_cum(const double *cum, uint32_t ne, double u)
{
    uint32_t lo = 0, hi = ne - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (u < cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The new-dealer floor (performance): a dealer with fewer than
 * new_dealer_leads resolved offers weighs at least floor x the mean weight
 * of the eligible. w (ne >= 1 entries, sum wsum in eligible order) is
 * raised in place; returns whether anything was raised. */
static int floor_raise(const b2b2c_dealer_engine *e, double *w,
                       const uint64_t *res, uint32_t ne, double wsum)
{
    int raised = 0;
    double fl = e->param[P_FLOOR] * (wsum / ne), nl = e->param[P_NEWLEADS];
    for (uint32_t i = 0; i < ne; i++)
        if ((double)res[i] < nl && w[i] < fl) {
            w[i] = fl;
            raised = 1;
        }
    return raised;
}

/* Round robin's order: (last offer number, position in the bucket). */
static int rr_less(const bucket *b, const plan *p, uint32_t x, uint32_t y)
{
    uint64_t kx = b->h[p->pos[x]].last_offer_seq;
    uint64_t ky = b->h[p->pos[y]].last_offer_seq;
    return kx < ky || (kx == ky && p->pos[x] < p->pos[y]);
}

/* Thompson's order: tier descending, then eligible number. */
static int th_less(const bucket *b, const plan *p, uint32_t x, uint32_t y)
{
    double tx = b->h[p->pos[x]].tier, ty = b->h[p->pos[y]].tier;
    return tx > ty || (tx == ty && x < y);
}

typedef int (*plan_less)(const bucket *, const plan *, uint32_t, uint32_t);

/* Heapsort's sift (a max-heap of a[0..n) in the order `less`). */
static void plan_sift(const bucket *b, const plan *p, plan_less less,
                      uint32_t *a, uint32_t n, uint32_t i)
{
    uint32_t x = a[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && less(b, p, a[c], a[c + 1]))
            c++;
        if (!less(b, p, x, a[c]))
            break;
        a[i] = a[c];
        i = c;
    }
    a[i] = x;
}

/* p->ring: the eligible numbers sorted by `less` (heapsort). */
static void plan_order(const bucket *b, plan *p, plan_less less)
{
    uint32_t *a = p->ring, ne = p->ne;
    for (uint32_t k = 0; k < ne; k++)
        a[k] = k;
    for (uint32_t i = ne / 2; i-- > 0;)
        plan_sift(b, p, less, a, ne, i);
    for (uint32_t m = ne - 1; m > 0; m--) {
        uint32_t t = a[0];
        a[0] = a[m];
        a[m] = t;
        plan_sift(b, p, less, a, m, 0);
    }
    p->head = 0;
}

/* The candidates of the first (or only) region bucket of a lead. */
static void cand_first(const bucket *b, uint32_t *cand, hot **hp)
{
    memcpy(cand, b->d, (size_t)b->n * sizeof(*cand));
    for (uint32_t i = 0; i < b->n; i++)
        hp[i] = &b->h[i];
}

/* Whether bucket b's plan holds for a decision at `now` under the current
 * parameters (and weights' epoch, e->wc_epoch refreshed by the caller). */
static int plan_ok(const b2b2c_dealer_engine *e, const bucket *b,
                   int64_t now, int64_t day, int64_t pidx, int policy)
{
    const plan *p = &b->pl;
    return p->ver == b->ver && p->n == b->n && p->day == day &&
           p->pidx == pidx && p->t_lo <= now && now < p->t_hi &&
           ((policy != B2B2C_DEALER_POLICY_PERFORMANCE &&
             policy != B2B2C_DEALER_POLICY_THOMPSON) ||
            p->epoch == e->wc_epoch) &&
           memcmp(p->param, e->param, sizeof(p->param)) == 0;
}

/* Keep the pass's findings over bucket b as its plan: the eligible dealers
 * (hp, po, w and key as the pass left them, before the maximum share), the
 * skip counts, and the interval of `now` over which no dealer's status
 * changes. */
static void plan_save(b2b2c_dealer_engine *e, bucket *b, int64_t day,
                      int64_t pidx, int64_t t_lo, int64_t t_hi, int policy,
                      const decision *dc, uint32_t ne, uint64_t sumper,
                      uint64_t maxpo, double wsum)
{
    plan *p = &b->pl;
    if (p->saved && p->served == 0)
        p->backoff = p->backoff < 3 ? 2 * p->backoff + 1 : 7;
    else
        p->backoff = 0;
    p->nosave = p->backoff;
    p->saved = 1;
    p->served = 0;
    p->ver = b->ver;
    p->day = day;
    p->pidx = pidx;
    p->t_lo = t_lo;
    p->t_hi = t_hi;
    p->epoch = e->wc_epoch;
    memcpy(p->param, e->param, sizeof(p->param));
    p->n = b->n;
    p->ne = ne;
    memcpy(p->skip, dc->skip, sizeof(p->skip));
    p->sumper = sumper;
    p->maxpo = maxpo;
    for (uint32_t k = 0; k < ne; k++) {
        p->pos[k] = (uint32_t)(e->hp[k] - b->h);
        p->po[k] = e->po[k];
        p->rank[k] = 0;
    }
    if (ne == 0)
        return;
    if (policy == B2B2C_DEALER_POLICY_ROUND_ROBIN) {
        plan_order(b, p, rr_less);
        return;
    }
    if (policy == B2B2C_DEALER_POLICY_THOMPSON) {
        double p0 = net_p0(e);
        plan_order(b, p, th_less);
        for (uint32_t j = 0; j < ne; j++) {
            const hot *c = &b->h[p->pos[p->ring[j]]];
            double a, bb;
            posterior_of(e, c, p0, &a, &bb);
            b2b2c__rng_beta_prep(&p->bp[j], a, bb);
            p->cum[j] = c->tier;
        }
        memcpy(p->w, e->w, ne * sizeof(*p->w)); /* the means (rank) */
        return;
    }
    memcpy(p->w, e->w, ne * sizeof(*p->w));
    if (policy == B2B2C_DEALER_POLICY_PERFORMANCE && e->param[P_FLOOR] > 0)
        floor_raise(e, p->w, e->key, ne, wsum);
    {
        double c = 0;
        for (uint32_t k = 0; k < ne; k++) {
            c += p->w[k];
            p->cum[k] = c;
        }
        p->total = c;
    }
}

/* The rank of eligible dealer k by weight (1 + those weighing more),
 * computed once per plan. */
static uint32_t plan_rank(plan *p, uint32_t k)
{
    if (!p->rank[k]) {
        uint32_t r = 1;
        for (uint32_t i = 0; i < p->ne; i++)
            r += p->w[i] > p->w[k];
        p->rank[k] = r;
    }
    return p->rank[k];
}

/* Decide from bucket b's plan (valid). Returns 0 when the maximum share
 * would remove dealers or nobody is eligible: the pass decides those. */
static int plan_decide(b2b2c_dealer_engine *e, bucket *b, int policy,
                       decision *dc)
{
    plan *p = &b->pl;
    uint32_t ne = p->ne, k;
    if (ne == 0)
        return 0;
    if (ne > 1 && e->param[P_MAXSHARE] < 1.0 &&
        (double)p->sumper >= e->param[P_SHAREMIN] &&
        !((double)p->maxpo + 1.0 <=
          e->param[P_MAXSHARE] * ((double)p->sumper + 1.0)))
        return 0;
    dc->cand = b->n;
    memcpy(dc->skip, p->skip, sizeof(dc->skip));
    dc->elig = ne;
    dc->reason = B2B2C_DEALER_REASON_ROUTED;
    if (policy == B2B2C_DEALER_POLICY_ROUND_ROBIN) {
        k = p->ring[p->head];
        dc->weight = 1.0;
        dc->rank = 1;
    } else if (policy == B2B2C_DEALER_POLICY_THOMPSON) {
        /* the pass's draws, in the same order (see there), with each
         * posterior's constants computed when the plan was made */
        double best;
        k = p->ring[b2b2c__rng_beta_argmax(&e->m.rng, p->bp, p->cum, ne,
                                           &best)];
        dc->weight = best;
        dc->rank = plan_rank(p, k);
    } else {
        k = pick_cum(p->cum, ne, b2b2c__rng_uniform(&e->m.rng) * p->total);
        dc->weight = p->w[k];
        dc->rank = plan_rank(p, k);
    }
    dc->chosen = b->d[p->pos[k]];
    dc->entry = &b->h[p->pos[k]];
    dc->bk = b;
    dc->pk = k;
    return 1;
}

/* The chosen dealer's eligible number in bucket b's plan, if the plan is
 * valid (NONE32 if not). */
static uint32_t plan_find(const bucket *b, const decision *dc)
{
    const plan *p = &b->pl;
    uint32_t pos, lo = 0, hi;
    if (p->ver != b->ver)
        return NONE32;
    if (dc->pk != NONE32)
        return dc->pk;
    pos = (uint32_t)(dc->entry - b->h);
    hi = p->ne;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->pos[mid] < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->ne && p->pos[lo] == pos ? lo : NONE32;
}

/* After an offer to plan entry k of bucket b (its mirror entry already
 * updated, the bucket's version moved on): keep the plan if the dealer is
 * still eligible, with its offers this period and, for round robin, its
 * place in the order (its last offer is now the newest). */
static void plan_offer(bucket *b, uint32_t k)
{
    plan *p = &b->pl;
    const hot *h = &b->h[p->pos[k]];
    uint64_t npo;
    if (h->room == 0 ||
        (h->quota &&
         (h->day_idx == p->day ? h->day_offers : 0) >= (uint32_t)h->quota)) {
        p->ver = 0;
        return;
    }
    npo = h->period_idx == p->pidx ? h->period_offers : 0;
    p->sumper += npo - p->po[k];
    p->po[k] = npo;
    if (npo > p->maxpo)
        p->maxpo = npo;
    if (p->param[P_POLICY] == B2B2C_DEALER_POLICY_ROUND_ROBIN) {
        /* its last offer is the newest: from the front to the back, unless
         * the maximum share made the pass choose another */
        if (p->ring[p->head] != k) {
            p->ver = 0;
            return;
        }
        p->head = p->head + 1 == p->ne ? 0 : p->head + 1;
    }
    p->ver = b->ver;
}

/* Choose a dealer for lead l at `now`. Fills dc; dc->elig == 0 when nobody
 * is eligible (dc->reason says why). Draws from e->m.rng. No allocation.
 * Each candidate dealer is read once (the eligibility pass copies what the
 * policies need into the scratch arrays); a lead that a region bucket's
 * plan covers is decided from the plan, without the pass. */
static void decide(b2b2c_dealer_engine *e, const lead *l, int64_t now,
                   decision *dc)
{
    uint64_t stamp = ++e->stamp;
    uint32_t nc = 0, ne = 0, have_prod = 0, pid = 0, nb = 0, nrestr = 0;
    int64_t pidx = period_of(e, now), day = floordiv(now, 86400);
    int64_t t_lo = INT64_MIN, t_hi = INT64_MAX;
    uint64_t sumper = 0, maxpo = 0, bkey = 0;
    uint32_t best = 0, bdi = 0;
    double p0, wsum = 0, bw = 0;
    int filtered = 0, save = 0;
    int policy = (int)e->param[P_POLICY];
    char buf[64];
    size_t rlen = strlen(l->region);
    uint32_t *cand = e->cand, *elig = e->elig;
    double *w = e->w, *dist = e->dist;
    uint64_t *po = e->po, *key = e->key, *mark = e->mark;
    hot **hp = e->hp;
    bucket *b1 = NULL;

    memset(dc, 0, sizeof(*dc));
    dc->chosen = NONE32;
    dc->pk = NONE32;
    /* region and its ancestors; a dealer in several of these buckets is a
     * candidate once (marks are set only once a second bucket turns up) */
    memcpy(buf, l->region, rlen + 1);
    for (;;) {
        uint64_t h = b2b2c__map_keyhash(buf, rlen);
        bucket *b = (e->bloom[(h >> 6) & 63] >> (h & 63)) & 1
                        ? b2b2c__map_get_h(&e->buckets, h, buf, rlen)
                        : NULL;
        if (b && b->n) {
            if (nb++ == 0) {
                b1 = b; /* its candidates are copied below (cand_first) */
                nc = b->n;
            } else {
                if (nb == 2) {
                    cand_first(b1, cand, hp);
                    for (uint32_t i = 0; i < nc; i++)
                        mark[cand[i]] = stamp;
                }
                for (uint32_t i = 0; i < b->n; i++) {
                    if (mark[b->d[i]] != stamp) {
                        mark[b->d[i]] = stamp;
                        hp[nc] = &b->h[i];
                        cand[nc++] = b->d[i];
                    }
                }
            }
        }
        while (rlen > 0 && buf[rlen - 1] != '-')
            rlen--;
        if (rlen == 0)
            break;
        buf[--rlen] = '\0';
    }
    if (l->product[0]) {
        prod *p = b2b2c__map_get(&e->prods, l->product, strlen(l->product));
        if (p) {
            have_prod = 1;
            pid = p->id;
        }
    } else {
        have_prod = 2; /* any dealer */
    }
    /* engine-wide inputs of the weights, before the eligibility pass so
     * that it can compute the tier and performance weights and their sum
     * (in eligible order, so the same additions in the same order as a
     * separate pass) */
    p0 = net_p0(e);
    if (policy == B2B2C_DEALER_POLICY_PERFORMANCE ||
        policy == B2B2C_DEALER_POLICY_THOMPSON)
        wc_refresh(e);
    /* one region bucket, no location, no declined dealers: the bucket's
     * plan decides when it holds; the pass renews it when it does not */
    if (nb == 1 && !l->has_loc) {
        dc->bk = b1;
        if (l->ntried == 0 && !e->noplan) {
            if (!plan_ok(e, b1, now, day, pidx, policy)) {
                if (b1->pl.nosave)
                    b1->pl.nosave--;
                else
                    save = 1;
            } else if ((have_prod == 2 || b1->pl.nrestr == 0) &&
                       plan_decide(e, b1, policy, dc)) {
                b1->pl.served++;
                e->plan_hits++;
                return;
            }
        }
    }
    if (nb == 1)
        cand_first(b1, cand, hp);
    if (l->has_loc) {
        int a, o;
        char ck[32];
        for (uint32_t i = 0; i < nc; i++)
            dist[i] = 0;
        cell_of(l->lat, l->lon, &a, &o);
        int kl = cell_key(ck, sizeof ck, a, o);
        bucket *b = b2b2c__map_get(&e->buckets, ck, (size_t)kl);
        if (nb == 1)
            for (uint32_t i = 0; i < nc; i++)
                mark[cand[i]] = stamp;
        for (uint32_t i = 0; b && i < b->n; i++) {
            dealer *d;
            double km;
            if (mark[b->d[i]] == stamp)
                continue;
            d = e->dealers[b->d[i]];
            if (!d->cfg.has_loc)
                continue;
            km = b2b2c__haversine_km(l->lat, l->lon, d->cfg.lat, d->cfg.lon);
            if (km > d->cfg.radius)
                continue;
            mark[b->d[i]] = stamp;
            dist[nc] = km;
            mirror_of(d, &e->ghot[nc]); /* empty cache: computed fresh */
            hp[nc] = &e->ghot[nc];
            cand[nc++] = b->d[i];
        }
        /* distances of territory matches that also have a location */
        for (uint32_t i = 0; i < nc; i++) {
            dealer *d = e->dealers[cand[i]];
            if (dist[i] == 0 && d->cfg.has_loc)
                dist[i] = b2b2c__haversine_km(l->lat, l->lon, d->cfg.lat,
                                              d->cfg.lon);
        }
    }
    dc->cand = nc;
    /* what a plan needs beyond the pass: dealers with product lines, and
     * the times around `now` at which a dealer's status changes */
    if (save) {
        for (uint32_t i = 0; i < nc; i++) {
            const hot *h = hp[i];
            nrestr += h->nprod != 0;
            if (h->active_from > now) {
                if (h->active_from < t_hi)
                    t_hi = h->active_from;
            } else if (h->active_from > t_lo) {
                t_lo = h->active_from;
            }
        }
        b1->pl.nrestr = nrestr;
        if (have_prod != 2 && nrestr) {
            save = 0;
            b1->pl.ver = 0;
        }
    }
    /* eligibility, first skip reason wins; the eligible dealer's distance,
     * offers this period and round-robin key go to the scratch arrays.
     * Round robin's choice (the least (last offer, distance, dealer
     * number), a strict total order, so scanning order does not matter)
     * is kept as the pass goes. */
    for (uint32_t i = 0; i < nc; i++) {
        uint32_t di = cand[i];
        hot *h = hp[i];
        if (i + 6 < nc)
            PREFETCH(hp[i + 6]);
        if (h->active_from > now)
            dc->skip[0]++;
        else if (have_prod != 2 && h->nprod &&
                 !sells(e->dealers[di], have_prod, pid))
            dc->skip[1]++;
        else if (l->ntried && tried(l, di))
            dc->skip[2]++;
        else if (h->room == 0)
            dc->skip[3]++;
        else if (h->quota && (h->day_idx == day ? h->day_offers : 0) >=
                                 (uint32_t)h->quota)
            dc->skip[4]++;
        else {
            uint64_t pof = h->period_idx == pidx ? h->period_offers : 0;
            elig[ne] = di;
            hp[ne] = h; /* ne <= i: already read */
            po[ne] = pof;
            if (pof > maxpo)
                maxpo = pof;
            sumper += pof;
            if (policy == B2B2C_DEALER_POLICY_ROUND_ROBIN) {
                uint64_t k = h->last_offer_seq;
                double wd = l->has_loc ? dist[i] : 0; /* set with one */
                w[ne] = wd; /* keep the distance next to it */
                key[ne] = k;
                if (ne == 0 || k < bkey ||
                    (k == bkey && (wd < bw || (wd == bw && di < bdi)))) {
                    best = ne;
                    bkey = k;
                    bw = wd;
                    bdi = di;
                }
            } else if (policy == B2B2C_DEALER_POLICY_TIER) {
                w[ne] = h->tier;
                wsum += w[ne];
            } else {
                const hot *c = weights(e, h, p0);
                w[ne] = policy == B2B2C_DEALER_POLICY_PERFORMANCE ? c->perf
                                                                  : c->mean;
                key[ne] = c->res;
                wsum += w[ne];
            }
            ne++;
        }
    }
    if (save)
        plan_save(e, b1, day, pidx, t_lo, t_hi, policy, dc, ne, sumper, maxpo,
                  wsum);
    /* maximum share: of the offers this period to the dealers eligible for
     * this lead, none takes more than max_share, unless all would be over
     * (when even the most offered dealer is under, nobody is: (double) and
     * + 1.0 are monotonic) */
    if (ne > 1 && e->param[P_MAXSHARE] < 1.0 &&
        (double)sumper >= e->param[P_SHAREMIN]) {
        uint32_t k = ne;
        double cap = e->param[P_MAXSHARE] * ((double)sumper + 1.0);
        if (!((double)maxpo + 1.0 <= cap)) {
            k = 0;
            for (uint32_t i = 0; i < ne; i++)
                k += (double)po[i] + 1.0 <= cap;
        }
        if (k > 0 && k < ne) {
            uint32_t j = 0;
            for (uint32_t i = 0; i < ne; i++)
                if ((double)po[i] + 1.0 <= cap) {
                    elig[j] = elig[i];
                    hp[j] = hp[i];
                    w[j] = w[i];
                    key[j] = key[i];
                    j++;
                }
            filtered = 1;
        }
        if (k > 0) {
            dc->skip[5] = ne - k;
            ne = k;
        }
    }
    dc->elig = ne;
    if (ne == 0) {
        uint32_t rest = nc - dc->skip[0] - dc->skip[1];
        if (nc == 0)
            dc->reason = B2B2C_DEALER_REASON_NO_TERRITORY;
        else if (dc->skip[0] == nc)
            dc->reason = B2B2C_DEALER_REASON_ALL_PAUSED;
        else if (rest == 0)
            dc->reason = B2B2C_DEALER_REASON_NO_PRODUCT;
        else if (dc->skip[2] == rest)
            dc->reason = B2B2C_DEALER_REASON_ALL_DECLINED;
        else
            dc->reason = B2B2C_DEALER_REASON_ALL_AT_CAPACITY;
        return;
    }
    dc->reason = B2B2C_DEALER_REASON_ROUTED;

    if (policy == B2B2C_DEALER_POLICY_ROUND_ROBIN) {
        /* least recently offered; ties: nearer, then older index (found
         * by the eligibility pass, again when max share removed some) */
        if (filtered)
            best = 0;
        for (uint32_t i = 1; filtered && i < ne; i++)
            if (key[i] < key[best] ||
                (key[i] == key[best] &&
                 (w[i] < w[best] ||
                  (w[i] == w[best] && elig[i] < elig[best]))))
                best = i;
        dc->chosen = elig[best];
        dc->entry = hp[best];
        dc->weight = 1.0;
        dc->rank = 1;
        return;
    }
    {
        double total = 0, mean_w = 0, chosen_w, u;
        uint32_t pick = 0, rank = 1, raised = 0;
        /* the weights' sum from the eligibility pass, unless max share
         * removed some: then the same loop over what is left */
        if (!filtered) {
            mean_w = wsum;
        } else {
            for (uint32_t i = 0; i < ne; i++)
                mean_w += w[i];
        }
        total = mean_w; /* the sum of the weights, unless the floor raises */
        if (policy == B2B2C_DEALER_POLICY_PERFORMANCE &&
            e->param[P_FLOOR] > 0)
            raised = floor_raise(e, w, key, ne, total);
        if (policy == B2B2C_DEALER_POLICY_THOMPSON) {
            /* Thompson 1933; Chapelle & Li 2011, Algorithm 2: draw from
             * each posterior, take the best draw (scaled by tier). A draw
             * is at most 1, so a dealer whose tier is not above the best
             * so far cannot win and is not drawn (the choice keeps its
             * distribution); the dealers are drawn by tier, highest
             * first (ties in eligible order), so that most of those
             * below the top tier are not drawn at all. */
            double best = -1, lim = INFINITY;
            for (;;) {
                double tmax = 0;
                for (uint32_t i = 0; i < ne; i++) {
                    double t = hp[i]->tier;
                    if (t < lim && t > tmax)
                        tmax = t;
                }
                if (tmax == 0 || tmax <= best)
                    break;
                for (uint32_t i = 0; i < ne; i++) {
                    const hot *c = hp[i];
                    double a, b, s;
                    if (c->tier != tmax || c->tier <= best)
                        continue;
                    posterior_of(e, c, p0, &a, &b);
                    s = c->tier * b2b2c__rng_beta(&e->m.rng, a, b);
                    if (s > best) {
                        best = s;
                        pick = i;
                    }
                }
                lim = tmax;
            }
            chosen_w = w[pick];
            for (uint32_t i = 0; i < ne; i++)
                rank += w[i] > chosen_w;
            dc->chosen = elig[pick];
            dc->entry = hp[pick];
            dc->weight = best;
            dc->rank = rank;
            return;
        }
        if (raised) {
            total = 0;
            for (uint32_t i = 0; i < ne; i++)
                total += w[i];
        }
        /* the first whose prefix sum exceeds u (pick_cum, as the plans) */
        u = b2b2c__rng_uniform(&e->m.rng) * total;
        pick = ne - 1;
        {
            double c = 0;
            for (uint32_t i = 0; i < ne; i++) {
                c += w[i];
                if (u < c) {
                    pick = i;
                    break;
                }
            }
        }
        chosen_w = w[pick];
        for (uint32_t i = 0; i < ne; i++)
            rank += w[i] > chosen_w;
        dc->chosen = elig[pick];
        dc->entry = hp[pick];
        dc->weight = chosen_w;
        dc->rank = rank;
    }
}

static int snap(b2b2c_dealer_engine *e, void *p, size_t n);


/* Start loading what an offer to dealer di reads and writes (its struct
 * from the stats' offer fields to the ID's first bytes), so the misses
 * overlap instead of coming one after the other. A macro: GCC finds a
 * function whose only work is __builtin_prefetch free of side effects
 * (ipa-pure-const) and deletes its calls. A prefetch past the allocation
 * is harmless. */
#define offer_prefetch(e, di)                                               \
    do {                                                                    \
        const char *pf_ = (const char *)(e)->dealers[di];                   \
        PREFETCH(pf_ + 64);                                                 \
        PREFETCH(pf_ + 128);                                                \
        PREFETCH(pf_ + 192);                                                \
        PREFETCH(pf_ + 256);                                                \
        PREFETCH(pf_ + 320);                                                \
    } while (0)

/* What an offer numbered seq on day `day` in period `pidx` changes in the
 * dealer's statistics (offer and replay_offer). */
static void count_offer(dealer *d, int64_t day, int64_t pidx, uint64_t seq)
{
    d->st.offered++;
    d->st.open++;
    if (d->st.day_idx != day) {
        d->st.day_idx = day;
        d->st.day_offers = 0;
    }
    d->st.day_offers++;
    if (d->st.period_idx != pidx) {
        d->st.period_idx = pidx;
        d->st.period_offers = 0;
    }
    d->st.period_offers++;
    d->st.last_offer_seq = seq;
}

/* Loading: an offer (an audit entry with a dealer) made after the dealer's
 * stats record was written is counted again. */
static void replay_offer(b2b2c_dealer_engine *e, const aent *a)
{
    dealer *d;
    if (a->dealer == NONE32)
        return;
    d = e->dealers[a->dealer];
    if (a->seq > d->asof)
        count_offer(d, floordiv(a->time, 86400), period_of(e, a->time),
                    a->seq);
}

/* Offer lead l (its lmut already saved or new) to dc->chosen. The dealer's
 * stats record is not rewritten: what an offer changes in it (offered,
 * open, daily and period counts, last offer number) follows from the
 * offer's audit record, which load_audit's caller replays on top of the
 * stats record when the offer's number is after the record's (see
 * replay_offer). Every other change of a dealer's stats writes the whole
 * record, as of the current decision number. */
static int offer(b2b2c_dealer_engine *e, lead *l, const decision *dc,
                 int64_t now, int kind, int creates)
{
    dealer *d = e->dealers[dc->chosen];
    int64_t pidx = period_of(e, now), day = floordiv(now, 86400);
    int rc;
    if ((rc = mirror_guard(e, d)) != 0 ||
        (rc = snap(e, (char *)&d->st + OFFER_FIELDS,
                   sizeof(d->st) - OFFER_FIELDS)) != 0)
        return rc;
    e->m.seq++;
    count_offer(d, day, pidx, e->m.seq);
    if (dc->bk) {
        /* the candidates came from one region bucket: its plan, if valid,
         * follows the offer; the entry decide read is the dealer's only
         * one when it has one territory */
        bucket *b = dc->bk;
        uint32_t k = plan_find(b, dc);
        if (d->cfg.one_terr) {
            mirror_offer(dc->entry, d);
            b->ver++;
        } else {
            mirror_sync(e, d);
        }
        if (k != NONE32)
            plan_offer(b, k);
    } else {
        mirror_sync(e, d);
    }
    l->m.state = B2B2C_DEALER_LEAD_OFFERED;
    l->m.dealer = dc->chosen;
    l->m.offered_at = now;
    l->m.deadline = now + (int64_t)llround(d->cfg.deadline_h * 3600.0);
    l->m.accepted_at = 0;
    l->m.offer_seq = e->m.seq;
    if ((rc = heap_push(e, l)) != 0)
        return rc;
    return aud_append(e, l, dc, now, kind, creates);
}

/* Re-route an existing lead (lmut saved by the caller). */
static int reroute(b2b2c_dealer_engine *e, lead *l, int64_t now, int kind,
                   decision *dc)
{
    decide(e, l, now, dc);
    if (dc->elig) {
        offer_prefetch(e, dc->chosen);
        return offer(e, l, dc, now, kind, 0);
    }
    if (e->param[P_DIRECT] > 0) {
        dc->reason = B2B2C_DEALER_REASON_DIRECT;
        l->m.state = B2B2C_DEALER_LEAD_DIRECT;
    } else {
        l->m.state = B2B2C_DEALER_LEAD_UNROUTED;
    }
    l->m.dealer = NONE32;
    e->m.seq++;
    return aud_append(e, l, dc, now, kind, 0);
}

static int snap(b2b2c_dealer_engine *e, void *p, size_t n)
{
    int rc;
    if (e->snaptop + SNAPSZ(n) > e->capsnap &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->snap, &e->capsnap,
                    e->snaptop + SNAPSZ(n), 1))
        return oom(e->ctx);
    if ((rc = b2b2c__undo_push(e->ctx, snap_restore, snap_release, e, p, n)))
        return rc;
    memcpy(e->snap + e->snaptop, p, n);
    e->snaptop += SNAPSZ(n);
    return 0;
}

static int save_emut(b2b2c_dealer_engine *e)
{
    return snap(e, &e->m, sizeof(e->m));
}

static void undo_tried(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    lead *l = a;
    (void)ctx;
    (void)b;
    (void)n;
    l->ntried--;
}

/* Undo of a lead's first tried array: a lead created in the same call or
 * transaction group is freed by the undo log after this runs, and a lead
 * that had no array before gets none back. */
static void undo_tried_alloc(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    lead *l = a;
    (void)b;
    (void)n;
    b2b2c__free(ctx, l->tried);
    l->tried = NULL;
    l->captried = 0;
}

static int add_tried(b2b2c_dealer_engine *e, lead *l, uint32_t v)
{
    int rc;
    if (l->ntried == l->captried) {
        size_t cap = l->captried;
        if (!l->tried && (rc = b2b2c__undo_push(e->ctx, undo_tried_alloc,
                                                NULL, l, NULL, 0)) != 0)
            return rc;
        if (b2b2c__grow(&e->ctx->mem, (void **)&l->tried, &cap,
                        (size_t)l->ntried + 1, sizeof(*l->tried)))
            return oom(e->ctx);
        l->captried = (uint32_t)cap;
    }
    if ((rc = b2b2c__undo_push(e->ctx, undo_tried, NULL, l, NULL, 0)))
        return rc;
    l->tried[l->ntried++] = v;
    return 0;
}

/* ---- lifecycle -------------------------------------------------------- */

static void dealer_destroy(b2b2c_ctx *ctx, dealer *d)
{
    if (!d)
        return;
    b2b2c__free(ctx, d->cfg.terr);
    b2b2c__free(ctx, d->cfg.prods);
    b2b2c__free(ctx, d->cfg.prod_ids);
    b2b2c__free(ctx, d);
}

void b2b2c_dealer_free(b2b2c_dealer_engine *e)
{
    b2b2c_ctx *ctx;
    size_t it = 0;
    void *v;
    if (!e)
        return;
    ctx = e->ctx;
    b2b2c__handle_closing(ctx);
    for (size_t i = 0; i < e->nd; i++)
        dealer_destroy(ctx, e->dealers[i]);
    while (b2b2c__map_next(&e->leads, &it, NULL, NULL, &v)) {
        lead *l = v;
        b2b2c__free(ctx, l->tried);
        b2b2c__free(ctx, l);
    }
    it = 0;
    while (b2b2c__map_next(&e->buckets, &it, NULL, NULL, &v)) {
        bucket *b = v;
        b2b2c__free(ctx, b->d);
        b2b2c__free(ctx, b->h);
        b2b2c__free(ctx, b->pl.mem);
        b2b2c__free(ctx, b);
    }
    it = 0;
    while (b2b2c__map_next(&e->prods, &it, NULL, NULL, &v))
        b2b2c__free(ctx, v);
    b2b2c__map_fini(&e->dmap);
    b2b2c__map_fini(&e->buckets);
    b2b2c__map_fini(&e->prods);
    b2b2c__map_fini(&e->leads);
    b2b2c__free(ctx, e->dealers);
    b2b2c__free(ctx, e->heap);
    b2b2c__free(ctx, e->aud);
    b2b2c__free(ctx, e->cand);
    b2b2c__free(ctx, e->elig);
    b2b2c__free(ctx, e->w);
    b2b2c__free(ctx, e->dist);
    b2b2c__free(ctx, e->po);
    b2b2c__free(ctx, e->key);
    b2b2c__free(ctx, e->hp);
    b2b2c__free(ctx, e->ex);
    b2b2c__free(ctx, e->snap);
    b2b2c__free(ctx, e->ghot_raw);
    b2b2c__free(ctx, e->mark_raw);
    b2b2c__free(ctx, e);
}

static int scratch_reserve(b2b2c_dealer_engine *e, size_t n)
{
    size_t c1 = e->capscratch, c2 = e->capscratch, c3 = e->capscratch,
           c4 = e->capscratch, c5 = e->capscratch, c6 = e->capscratch,
           c7 = e->capscratch;
    if (n <= e->capscratch)
        return 0;
    n = n < 64 ? 64 : n * 2;
    if (b2b2c__grow(&e->ctx->mem, (void **)&e->cand, &c1, n, 4) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->elig, &c2, n, 4) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->w, &c3, n, 8) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->dist, &c4, n, 8) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->po, &c5, n, 8) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->key, &c6, n, 8) ||
        b2b2c__grow(&e->ctx->mem, (void **)&e->hp, &c7, n, sizeof(*e->hp)))
        return oom(e->ctx);
    e->capscratch = n;
    return 0;
}

/* ---- loading ----------------------------------------------------------- */

typedef struct loader {
    b2b2c_dealer_engine *e;
    const char *table;
} loader;

static int corrupt(b2b2c_dealer_engine *e, const char *table, const void *k,
                   size_t kl, int rc, const char *why)
{
    return b2b2c__err(e->ctx, rc ? rc : B2B2C_ECORRUPT,
                      "table '%s' key '%.*s': %s", table,
                      (int)(kl > 80 ? 80 : kl), (const char *)k,
                      why ? why : b2b2c_strerror(rc));
}

/* Copy a decoded string into a NUL-terminated buffer of `cap` bytes. */
static int dec_strbuf(b2b2c__rbuf *r, char *buf, size_t cap)
{
    size_t n;
    const void *p = b2b2c__dec_bytes(r, &n);
    if (!p || n >= cap)
        return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 0;
}

static dealer *dealer_by_bytes(b2b2c_dealer_engine *e, const void *p,
                               size_t n)
{
    return n ? b2b2c__map_get(&e->dmap, p, n) : NULL;
}

static int load_state(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_dealer_engine *e = payload;
    b2b2c__rbuf r;
    uint32_t n;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(e, T_STATE, k, kl, rc, NULL);
    n = b2b2c__dec_u32(&r);
    if (n > NPARAM)
        return corrupt(e, T_STATE, k, kl, 0, "too many parameters");
    for (uint32_t i = 0; i < n; i++) {
        double x = b2b2c__dec_f64(&r);
        if (!(x >= PARAMS[i].min && x <= PARAMS[i].max))
            return corrupt(e, T_STATE, k, kl, 0, "parameter out of range");
        e->param[i] = x;
    }
    e->m.seq = b2b2c__dec_u64(&r);
    for (int i = 0; i < 4; i++)
        e->m.rng.s[i] = b2b2c__dec_u64(&r);
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(e, T_STATE, k, kl, rc, NULL);
    return 0;
}

static int load_dealer(const void *k, size_t kl, const void *v, size_t vl,
                       void *payload)
{
    b2b2c_dealer_engine *e = payload;
    b2b2c_ctx *ctx = e->ctx;
    b2b2c__rbuf r;
    dealer *d;
    const void *s;
    size_t n;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(e, T_DEALERS, k, kl, rc, NULL);
    if (kl == 0 || kl > B2B2C__ID_MAX)
        return corrupt(e, T_DEALERS, k, kl, 0, "bad key");
    d = b2b2c__malloc(ctx, sizeof(*d) + kl + 1);
    if (!d)
        return oom(ctx);
    memset(d, 0, sizeof(*d));
    d->idlen = kl;
    memcpy(d->id, k, kl);
    d->id[kl] = '\0';
    d->afirst = d->alast = NONE32;
    d->idx = b2b2c__dec_u32(&r);
    d->cfg.tier = b2b2c__dec_f64(&r);
    s = b2b2c__dec_bytes(&r, &n);
    if (s && (d->cfg.terr = b2b2c__malloc(ctx, n + 1)) != NULL) {
        memcpy(d->cfg.terr, s, n);
        d->cfg.terr[n] = '\0';
    }
    s = b2b2c__dec_bytes(&r, &n);
    if (s && (d->cfg.prods = b2b2c__malloc(ctx, n + 1)) != NULL) {
        memcpy(d->cfg.prods, s, n);
        d->cfg.prods[n] = '\0';
    }
    d->cfg.capacity = (int32_t)b2b2c__dec_u32(&r);
    d->cfg.quota = (int32_t)b2b2c__dec_u32(&r);
    d->cfg.deadline_h = b2b2c__dec_f64(&r);
    d->cfg.status = b2b2c__dec_u8(&r);
    d->cfg.paused_until = b2b2c__dec_i64(&r);
    d->cfg.has_loc = b2b2c__dec_u8(&r);
    d->cfg.lat = b2b2c__dec_f64(&r);
    d->cfg.lon = b2b2c__dec_f64(&r);
    d->cfg.radius = b2b2c__dec_f64(&r);
    d->cfg.one_terr = d->cfg.terr && one_code(d->cfg.terr);
    rc = b2b2c__dec_finish(&r);
    if (!rc && (!d->cfg.terr || !d->cfg.prods))
        rc = B2B2C_ENOMEM;
    if (!rc && (d->cfg.tier <= 0 || !(d->cfg.deadline_h > 0) ||
                d->cfg.capacity < 0 || d->cfg.quota < 0 ||
                d->cfg.status > 2 || d->idx > 0x7fffffffu ||
                !time_ok(d->cfg.paused_until)))
        rc = B2B2C_ECORRUPT;
    if (!rc && (list_check(ctx, "territories", d->cfg.terr, 0, MAX_CODES) ||
                list_check(ctx, "product_lines", d->cfg.prods, 1, MAX_PRODS)))
        rc = B2B2C_ECORRUPT;
    if (!rc && b2b2c__map_get(&e->dmap, d->id, kl))
        rc = B2B2C_ECORRUPT;
    if (!rc && (rc = prod_ids(e, d->cfg.prods, &d->cfg.prod_ids,
                              &d->cfg.nprod, 0)) == 0 &&
        e->nd == e->capd &&
        b2b2c__grow(&ctx->mem, (void **)&e->dealers, &e->capd, e->nd + 1,
                    sizeof(*e->dealers)))
        rc = B2B2C_ENOMEM;
    if (!rc && b2b2c__map_put(&e->dmap, d->id, kl, d, NULL))
        rc = B2B2C_ENOMEM;
    if (rc) {
        dealer_destroy(ctx, d);
        return rc == B2B2C_ENOMEM ? oom(ctx)
                                  : corrupt(e, T_DEALERS, k, kl, rc, NULL);
    }
    e->dealers[e->nd++] = d;
    return 0;
}

static int load_stats(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    b2b2c_dealer_engine *e = payload;
    b2b2c__rbuf r;
    dealer *d = dealer_by_bytes(e, k, kl);
    dstats s;
    uint64_t asof;
    int rc = b2b2c__dec_begin(&r, v, vl, 2);
    if (rc)
        return corrupt(e, T_STATS, k, kl, rc, NULL);
    if (!d)
        return corrupt(e, T_STATS, k, kl, 0, "no such dealer");
    s.offered = b2b2c__dec_u64(&r);
    s.accepted = b2b2c__dec_u64(&r);
    s.declined = b2b2c__dec_u64(&r);
    s.expired = b2b2c__dec_u64(&r);
    s.won = b2b2c__dec_u64(&r);
    s.lost = b2b2c__dec_u64(&r);
    s.recalled = b2b2c__dec_u64(&r);
    s.open = b2b2c__dec_u64(&r);
    s.revenue = b2b2c__dec_f64(&r);
    for (int i = 0; i < NDECL; i++)
        s.decl[i] = b2b2c__dec_u64(&r);
    s.day_idx = b2b2c__dec_i64(&r);
    s.day_offers = b2b2c__dec_u64(&r);
    s.period_idx = b2b2c__dec_i64(&r);
    s.period_offers = b2b2c__dec_u64(&r);
    s.last_offer_seq = b2b2c__dec_u64(&r);
    /* version 1 records were rewritten at every offer: as of everything */
    asof = r.version >= 2 ? b2b2c__dec_u64(&r) : UINT64_MAX;
    if ((rc = b2b2c__dec_finish(&r)) != 0)
        return corrupt(e, T_STATS, k, kl, rc, NULL);
    /* day and period numbers are times divided by a positive length */
    if (!time_ok(s.day_idx) || !time_ok(s.period_idx))
        return corrupt(e, T_STATS, k, kl, 0, "period out of range");
    d->st = s;
    d->asof = asof;
    return 0;
}

typedef struct lead_attrs {
    int64_t created, deadline;
    char region[64], product[256];
    int32_t has_loc, segment, band, state;
    double lat, lon;
} lead_attrs;

/* A loaded lead: allocated, in the lead map, room in the heap. Returns 0,
 * B2B2C_ENOMEM or B2B2C_ECORRUPT (a duplicate). */
static int lead_new_loaded(b2b2c_dealer_engine *e, const char *id, size_t kl,
                           const lead_attrs *at, lead **out)
{
    b2b2c_ctx *ctx = e->ctx;
    size_t rl = strlen(at->region), pl = strlen(at->product);
    lead *l;
    if (kl == 0 || kl > B2B2C__ID_MAX || b2b2c__map_get(&e->leads, id, kl))
        return B2B2C_ECORRUPT;
    if (e->nheap == e->capheap &&
        b2b2c__grow(&ctx->mem, (void **)&e->heap, &e->capheap, e->nheap + 1,
                    sizeof(*e->heap)))
        return B2B2C_ENOMEM;
    l = b2b2c__malloc(ctx, sizeof(*l) + kl + rl + pl + 3);
    if (!l)
        return B2B2C_ENOMEM;
    memset(l, 0, sizeof(*l));
    l->idlen = kl;
    memcpy(l->id, id, kl);
    l->id[kl] = '\0';
    memcpy(l->id + kl + 1, at->region, rl + 1);
    memcpy(l->id + kl + rl + 2, at->product, pl + 1);
    l->region = l->id + kl + 1;
    l->product = l->id + kl + rl + 2;
    l->heap_pos = NOPOS;
    l->afirst = l->alast = NONE32;
    l->created = at->created;
    l->has_loc = at->has_loc;
    l->lat = at->lat;
    l->lon = at->lon;
    l->segment = at->segment;
    l->band = at->band;
    l->m.dealer = NONE32;
    if (b2b2c__map_put(&e->leads, l->id, kl, l, NULL)) {
        b2b2c__free(ctx, l);
        return B2B2C_ENOMEM;
    }
    *out = l;
    return 0;
}

static int load_lead(const void *k, size_t kl, const void *v, size_t vl,
                     void *payload)
{
    b2b2c_dealer_engine *e = payload;
    b2b2c_ctx *ctx = e->ctx;
    b2b2c__rbuf r;
    lead_attrs at;
    lmut m;
    char did[256];
    lead *l = NULL;
    uint32_t nt, *tried = NULL;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(e, T_LEADS, k, kl, rc, NULL);
    memset(&m, 0, sizeof m);
    at.created = b2b2c__dec_i64(&r);
    if (dec_strbuf(&r, at.region, sizeof at.region) ||
        dec_strbuf(&r, at.product, sizeof at.product))
        return corrupt(e, T_LEADS, k, kl, 0, "bad region or product");
    at.has_loc = b2b2c__dec_u8(&r);
    at.lat = b2b2c__dec_f64(&r);
    at.lon = b2b2c__dec_f64(&r);
    at.segment = (int32_t)b2b2c__dec_u32(&r);
    at.band = (int32_t)b2b2c__dec_u32(&r);
    m.state = b2b2c__dec_u8(&r);
    rc = dec_strbuf(&r, did, sizeof did) ? B2B2C_ECORRUPT : 0;
    m.dealer = NONE32;
    if (!rc && did[0]) {
        dealer *d = dealer_by_bytes(e, did, strlen(did));
        if (!d)
            rc = B2B2C_ECORRUPT;
        else
            m.dealer = d->idx;
    }
    m.offered_at = b2b2c__dec_i64(&r);
    m.deadline = b2b2c__dec_i64(&r);
    m.accepted_at = b2b2c__dec_i64(&r);
    m.closed_at = b2b2c__dec_i64(&r);
    m.revenue = b2b2c__dec_f64(&r);
    m.offer_seq = b2b2c__dec_u64(&r);
    nt = b2b2c__dec_u32(&r);
    if (!rc && nt > e->nd)
        rc = B2B2C_ECORRUPT;
    if (!rc && nt && !(tried = b2b2c__malloc(ctx, nt * sizeof(*tried))))
        rc = B2B2C_ENOMEM;
    for (uint32_t i = 0; !rc && i < nt; i++) {
        dealer *d;
        if (dec_strbuf(&r, did, sizeof did) ||
            !(d = dealer_by_bytes(e, did, strlen(did))))
            rc = B2B2C_ECORRUPT;
        else
            tried[i] = d->idx | (b2b2c__dec_u8(&r) ? TRIED_EXPIRED : 0);
    }
    if (!rc)
        rc = b2b2c__dec_finish(&r);
    if (!rc && (m.state < 1 || m.state > 7 ||
                (m.state <= B2B2C_DEALER_LEAD_RECALLED && m.dealer == NONE32) ||
                !time_ok(at.created) || !time_ok(m.offered_at) ||
                !time_ok(m.deadline) || !time_ok(m.accepted_at) ||
                !time_ok(m.closed_at)))
        rc = B2B2C_ECORRUPT;
    if (!rc)
        rc = lead_new_loaded(e, k, kl, &at, &l);
    if (rc) {
        b2b2c__free(ctx, tried);
        return rc == B2B2C_ENOMEM ? oom(ctx)
                                  : corrupt(e, T_LEADS, k, kl, rc, NULL);
    }
    l->m = m;
    l->tried = tried;
    l->ntried = l->captried = nt;
    if (l->m.state == B2B2C_DEALER_LEAD_OFFERED)
        heap_push_raw(e, l);
    return 0;
}

typedef struct audload {
    b2b2c_dealer_engine *e;
    uint64_t maxseq;
    b2b2c__rng rng;
} audload;

static int load_audit(const void *k, size_t kl, const void *v, size_t vl,
                      void *payload)
{
    audload *al = payload;
    b2b2c_dealer_engine *e = al->e;
    b2b2c__rbuf r;
    aent a;
    char lid[256], did[256];
    b2b2c__rng rng;
    int rc = b2b2c__dec_begin(&r, v, vl, 1);
    if (rc)
        return corrupt(e, T_AUDIT, k, kl, rc, NULL);
    memset(&a, 0, sizeof a);
    a.seq = b2b2c__dec_u64(&r);
    a.time = b2b2c__dec_i64(&r);
    if (!time_ok(a.time))
        return corrupt(e, T_AUDIT, k, kl, 0, "time out of range");
    if (dec_strbuf(&r, lid, sizeof lid) || dec_strbuf(&r, did, sizeof did))
        return corrupt(e, T_AUDIT, k, kl, 0, "bad lead or dealer");
    a.lead = b2b2c__map_get(&e->leads, lid, strlen(lid));
    a.dealer = NONE32;
    if (did[0]) {
        dealer *d = dealer_by_bytes(e, did, strlen(did));
        if (!d)
            return corrupt(e, T_AUDIT, k, kl, 0, "no such dealer");
        a.dealer = d->idx;
    }
    a.kind = b2b2c__dec_u8(&r);
    a.policy = b2b2c__dec_u8(&r);
    a.reason = b2b2c__dec_u8(&r);
    a.cand = b2b2c__dec_u32(&r);
    a.elig = b2b2c__dec_u32(&r);
    a.rank = b2b2c__dec_u32(&r);
    a.weight = b2b2c__dec_f64(&r);
    for (int i = 0; i < NSKIP; i++)
        a.skip[i] = b2b2c__dec_u32(&r);
    for (int i = 0; i < 4; i++)
        rng.s[i] = b2b2c__dec_u64(&r);
    if (b2b2c__dec_u8(&r)) {
        /* the lead as routed; its own record, when present, is newer */
        lead_attrs at;
        at.created = b2b2c__dec_i64(&r);
        if (dec_strbuf(&r, at.region, sizeof at.region) ||
            dec_strbuf(&r, at.product, sizeof at.product))
            return corrupt(e, T_AUDIT, k, kl, 0, "bad region or product");
        at.has_loc = b2b2c__dec_u8(&r);
        at.lat = b2b2c__dec_f64(&r);
        at.lon = b2b2c__dec_f64(&r);
        at.segment = (int32_t)b2b2c__dec_u32(&r);
        at.band = (int32_t)b2b2c__dec_u32(&r);
        at.state = b2b2c__dec_u8(&r);
        at.deadline = b2b2c__dec_i64(&r);
        if ((rc = b2b2c__dec_finish(&r)) != 0)
            return corrupt(e, T_AUDIT, k, kl, rc, NULL);
        if (!time_ok(at.created) || !time_ok(at.deadline))
            return corrupt(e, T_AUDIT, k, kl, 0, "time out of range");
        if (!a.lead) {
            lead *l;
            if ((at.state != B2B2C_DEALER_LEAD_OFFERED || a.dealer == NONE32) &&
                (at.state != B2B2C_DEALER_LEAD_DIRECT || a.dealer != NONE32))
                return corrupt(e, T_AUDIT, k, kl, 0, "bad lead state");
            if ((rc = lead_new_loaded(e, lid, strlen(lid), &at, &l)) != 0)
                return rc == B2B2C_ENOMEM ? oom(e->ctx)
                                          : corrupt(e, T_AUDIT, k, kl, rc,
                                                    NULL);
            l->m.state = at.state;
            l->m.dealer = a.dealer;
            if (l->m.state == B2B2C_DEALER_LEAD_OFFERED) {
                l->m.offered_at = a.time;
                l->m.deadline = at.deadline;
                l->m.offer_seq = a.seq;
                heap_push_raw(e, l);
            }
            a.lead = l;
        }
    } else if ((rc = b2b2c__dec_finish(&r)) != 0) {
        return corrupt(e, T_AUDIT, k, kl, rc, NULL);
    }
    if (!a.lead)
        return corrupt(e, T_AUDIT, k, kl, 0, "no such lead");
    if (e->naud == e->capaud &&
        b2b2c__grow(&e->ctx->mem, (void **)&e->aud, &e->capaud, e->naud + 1,
                    sizeof(*e->aud)))
        return oom(e->ctx);
    e->aud[e->naud++] = a;
    if (a.seq > al->maxseq) {
        al->maxseq = a.seq;
        al->rng = rng;
    }
    return 0;
}

static int cmp_dealer_idx(const void *a, const void *b)
{
    const dealer *x = *(dealer *const *)a, *y = *(dealer *const *)b;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_aud_seq(const void *a, const void *b)
{
    const aent *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int b2b2c_dealer_new(b2b2c_dealer_engine **out, b2b2c_ctx *ctx)
{
    b2b2c_dealer_engine *e;
    audload al;
    int rc;
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return ctx ? b2b2c__err(ctx, B2B2C_EINVAL, "out: must not be NULL")
                   : B2B2C_EINVAL;
    if (ctx->depth)
        return b2b2c__err(ctx, B2B2C_ESTATE,
                          "b2b2c_dealer_new called from inside a callback");
    b2b2c__err_clear(ctx);
    e = b2b2c__malloc(ctx, sizeof(*e));
    if (!e)
        return oom(ctx);
    memset(e, 0, sizeof(*e));
    e->ctx = ctx;
    for (int i = 0; i < NPARAM; i++)
        e->param[i] = PARAMS[i].def;
    b2b2c__rng_seed(&e->m.rng, 0);
    b2b2c__map_init(&e->dmap, &ctx->mem);
    b2b2c__map_init(&e->buckets, &ctx->mem);
    b2b2c__map_init(&e->prods, &ctx->mem);
    b2b2c__map_init(&e->leads, &ctx->mem);
    al.e = e;
    al.maxseq = 0;
    if ((rc = b2b2c__st_scan(ctx, T_STATE, load_state, e)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_DEALERS, load_dealer, e)) != 0)
        goto fail;
    sort(e->dealers, e->nd, sizeof(*e->dealers), cmp_dealer_idx);
    for (size_t i = 0; i < e->nd; i++)
        if (e->dealers[i]->idx != i) {
            rc = corrupt(e, T_DEALERS, e->dealers[i]->id,
                         e->dealers[i]->idlen, 0,
                         "dealer numbers are not dense");
            goto fail;
        }
    if ((rc = mirror_reserve(e, e->nd)) != 0)
        goto fail;
    for (size_t i = 0; i < e->nd; i++)
        if ((rc = dealer_index(e, e->dealers[i], 1, 0)) != 0)
            goto fail;
    if ((rc = scratch_reserve(e, e->nd)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_STATS, load_stats, e)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_LEADS, load_lead, e)) != 0 ||
        (rc = b2b2c__st_scan(ctx, T_AUDIT, load_audit, &al)) != 0)
        goto fail;
    sort(e->aud, e->naud, sizeof(*e->aud), cmp_aud_seq);
    for (size_t i = 0; i < e->naud; i++) {
        aud_link(e, i);
        replay_offer(e, &e->aud[i]);
    }
    if (al.maxseq > e->m.seq) {
        e->m.seq = al.maxseq;
        e->m.rng = al.rng;
    }
    for (size_t i = 0; i < e->nd; i++) {
        const dealer *d = e->dealers[i];
        e->m.net_won += d->st.won;
        e->m.net_resolved += resolved(d);
        mirror_sync(e, d);
    }
    *out = e;
    return 0;
fail:
    b2b2c_dealer_free(e);
    return rc;
}

/* ---- parameters and seed ----------------------------------------------- */

#define CHECK_E(e)                                                          \
    do {                                                                    \
        if (!(e))                                                           \
            return B2B2C_EINVAL;                                            \
    } while (0)

int b2b2c_dealer_param_bounds(double *min, double *max, int32_t param)
{
    int i = param - 300;
    if (!min || !max || i < 0 || i >= NPARAM)
        return B2B2C_EINVAL;
    *min = PARAMS[i].min;
    *max = PARAMS[i].max;
    return 0;
}

int b2b2c_dealer_get_param(double *out, const b2b2c_dealer_engine *e,
                           int32_t param)
{
    int i = param - 300;
    if (!out || !e || i < 0 || i >= NPARAM)
        return e ? b2b2c__err(e->ctx, B2B2C_EINVAL,
                              "param: unknown parameter %d", (int)param)
                 : B2B2C_EINVAL;
    *out = e->param[i];
    return 0;
}

int b2b2c_dealer_set_param(b2b2c_dealer_engine *e, int32_t param,
                           double value)
{
    int i = param - 300, rc;
    CHECK_E(e);
    if (i < 0 || i >= NPARAM)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "param: unknown parameter %d",
                          (int)param);
    if (!finite(value))
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "value: must be finite");
    if (PARAMS[i].whole && value != floor(value))
        return b2b2c__err(e->ctx, B2B2C_EINVAL,
                          "value: %s must be a whole number", PARAMS[i].name);
    if (value < PARAMS[i].min || value > PARAMS[i].max ||
        (i == P_MAXSHARE && value <= 0))
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "value: %s must be in [%g, %g]", PARAMS[i].name,
                          PARAMS[i].min, PARAMS[i].max);
    if ((rc = b2b2c__call_begin(e->ctx)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(e->ctx, &e->param[i], sizeof(double))) == 0) {
        int period_changes = i == P_PERIOD && e->param[i] != value;
        e->param[i] = value;
        rc = write_state(e);
        /* offers after a stats record are replayed on load with the period
         * length then in force (see offer): make every record current */
        for (size_t j = 0; rc == 0 && period_changes && j < e->nd; j++)
            rc = write_stats(e, e->dealers[j]);
    }
    return b2b2c__call_end(e->ctx, rc);
}

int b2b2c_dealer_seed(b2b2c_dealer_engine *e, uint64_t seed)
{
    int rc;
    CHECK_E(e);
    if ((rc = b2b2c__call_begin(e->ctx)) != 0)
        return rc;
    if ((rc = save_emut(e)) == 0) {
        b2b2c__rng_seed(&e->m.rng, seed);
        rc = write_state(e);
    }
    return b2b2c__call_end(e->ctx, rc);
}

/* ---- dealers ------------------------------------------------------------- */

static int find_dealer(b2b2c_dealer_engine *e, const char *id, dealer **out)
{
    size_t n;
    if (!id)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "dealer_id: must not be NULL");
    if (b2b2c__id_check(id, &n))
        return b2b2c__err(e->ctx, B2B2C_EBADID, "dealer_id: not a valid ID");
    *out = b2b2c__map_get(&e->dmap, id, n);
    if (!*out)
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND,
                          "dealer_id: no dealer '%s'", id);
    return 0;
}

static void undo_pop_dealer(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)ctx;
    (void)b;
    (void)n;
    ((b2b2c_dealer_engine *)a)->nd--;
}

static void free_cfg_shell(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    (void)b;
    (void)n;
    b2b2c__free(ctx, a);
}

static void free_cfg_strings(b2b2c_ctx *ctx, void *a, void *b, size_t n)
{
    dcfg *c = a;
    (void)b;
    (void)n;
    b2b2c__free(ctx, c->terr);
    b2b2c__free(ctx, c->prods);
    b2b2c__free(ctx, c->prod_ids);
    b2b2c__free(ctx, c);
}

int b2b2c_dealer_put(b2b2c_dealer_engine *e, const char *dealer_id,
                     double tier_weight, const char *territories,
                     const char *product_lines, int32_t capacity,
                     int32_t daily_quota, double deadline_hours)
{
    b2b2c_ctx *ctx;
    dealer *d;
    size_t n;
    dcfg nc;
    int rc;
    CHECK_E(e);
    ctx = e->ctx;
    if (!dealer_id || !territories || !product_lines)
        return b2b2c__err(ctx, B2B2C_EINVAL,
                          "%s: must not be NULL",
                          !dealer_id ? "dealer_id"
                                     : !territories ? "territories"
                                                    : "product_lines");
    if (b2b2c__id_check(dealer_id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "dealer_id: not a valid ID");
    if (!finite(tier_weight) || !finite(deadline_hours))
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must be finite",
                          finite(tier_weight) ? "deadline_hours"
                                              : "tier_weight");
    if (!(tier_weight > 0 && tier_weight <= 1e6))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "tier_weight: must be in (0, 1e6]");
    if (capacity < 0 || capacity > 1000000)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "capacity: must be in [0, 1000000]");
    if (daily_quota < 0 || daily_quota > 1000000)
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "daily_quota: must be in [0, 1000000]");
    if (!(deadline_hours > 0 && deadline_hours <= 8760))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "deadline_hours: must be in (0, 8760]");
    if ((rc = list_check(ctx, "territories", territories, 0, MAX_CODES)) ||
        (rc = list_check(ctx, "product_lines", product_lines, 1, MAX_PRODS)))
        return rc;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    d = b2b2c__map_get(&e->dmap, dealer_id, n);
    memset(&nc, 0, sizeof nc);
    if (!d) {
        if (e->nd >= 0x7fffffff) {
            rc = b2b2c__err(ctx, B2B2C_ERANGE, "dealer_id: too many dealers");
            goto out;
        }
        if ((rc = scratch_reserve(e, e->nd + 1)) != 0 ||
            (rc = mirror_reserve(e, e->nd + 1)) != 0)
            goto out;
        if (e->nd == e->capd &&
            b2b2c__grow(&ctx->mem, (void **)&e->dealers, &e->capd, e->nd + 1,
                        sizeof(*e->dealers))) {
            rc = oom(ctx);
            goto out;
        }
        d = b2b2c__malloc(ctx, sizeof(*d) + n + 1);
        if (!d) {
            rc = oom(ctx);
            goto out;
        }
        memset(d, 0, sizeof(*d));
        d->idlen = n;
        memcpy(d->id, dealer_id, n + 1);
        d->idx = (uint32_t)e->nd;
        d->afirst = d->alast = NONE32;
        d->cfg.status = B2B2C_DEALER_ACTIVE;
        if ((rc = b2b2c__undo_free_on_fail(ctx, d)) != 0) {
            b2b2c__free(ctx, d);
            goto out;
        }
        if ((rc = b2b2c__map_insert_undoable(ctx, &e->dmap, d->id, n, d)) ||
            (rc = b2b2c__undo_push(ctx, undo_pop_dealer, NULL, e, NULL, 0)))
            goto out;
        e->dealers[e->nd++] = d;
        e->mark[d->idx] = 0;
    } else {
        /* unindex old keys; keep the old strings until commit */
        dcfg *old = b2b2c__malloc(ctx, sizeof(*old));
        if (!old) {
            rc = oom(ctx);
            goto out;
        }
        *old = d->cfg;
        if ((rc = b2b2c__undo_push(ctx, free_cfg_shell, free_cfg_strings, old, NULL,
                                   0)) != 0) {
            b2b2c__free(ctx, old);
            goto out;
        }
        if ((rc = dealer_index(e, d, 0, 1)) != 0 ||
            (rc = mirror_guard(e, d)) != 0 ||
            (rc = b2b2c__undo_save(ctx, &d->cfg, sizeof(d->cfg))) != 0)
            goto out;
    }
    nc = d->cfg;
    nc.terr = dupstr(ctx, territories);
    nc.prods = dupstr(ctx, product_lines);
    nc.prod_ids = NULL;
    if (!nc.terr || !nc.prods) {
        b2b2c__free(ctx, nc.terr);
        b2b2c__free(ctx, nc.prods);
        rc = oom(ctx);
        goto out;
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, nc.terr)) != 0) {
        b2b2c__free(ctx, nc.terr);
        b2b2c__free(ctx, nc.prods);
        goto out;
    }
    if ((rc = b2b2c__undo_free_on_fail(ctx, nc.prods)) != 0) {
        b2b2c__free(ctx, nc.prods);
        goto out;
    }
    if ((rc = prod_ids(e, product_lines, &nc.prod_ids, &nc.nprod, 1)) != 0)
        goto out;
    if (nc.prod_ids &&
        (rc = b2b2c__undo_free_on_fail(ctx, nc.prod_ids)) != 0) {
        b2b2c__free(ctx, nc.prod_ids);
        goto out;
    }
    nc.one_terr = one_code(territories);
    nc.tier = tier_weight;
    nc.capacity = capacity;
    nc.quota = daily_quota;
    nc.deadline_h = deadline_hours;
    d->cfg = nc; /* saved above for an existing dealer; new: freed on fail */
    mirror_sync(e, d);
    if ((rc = dealer_index(e, d, 1, 1)) != 0 ||
        (rc = write_dealer(e, d)) != 0 || (rc = write_stats(e, d)) != 0)
        goto out;
out:
    return b2b2c__call_end(ctx, rc);
}

int b2b2c_dealer_set_location(b2b2c_dealer_engine *e, const char *dealer_id,
                              double lat, double lon, double radius_km)
{
    dealer *d;
    int rc;
    CHECK_E(e);
    if (!finite(lat) || !finite(lon) || !finite(radius_km))
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "%s: must be finite",
                          !finite(lat) ? "lat" : !finite(lon) ? "lon"
                                                               : "radius_km");
    if (lat < -90 || lat > 90)
        return b2b2c__err(e->ctx, B2B2C_ERANGE, "lat: must be in [-90, 90]");
    if (lon < -180 || lon > 180)
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "lon: must be in [-180, 180]");
    if (radius_km < 0 || radius_km > 1000)
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "radius_km: must be in [0, 1000]");
    if ((rc = find_dealer(e, dealer_id, &d)) != 0)
        return rc;
    if ((rc = b2b2c__call_begin(e->ctx)) != 0)
        return rc;
    if ((rc = dealer_index(e, d, 0, 1)) != 0 ||
        (rc = b2b2c__undo_save(e->ctx, &d->cfg, sizeof(d->cfg))) != 0)
        goto out;
    d->cfg.has_loc = radius_km > 0;
    d->cfg.lat = radius_km > 0 ? lat : 0;
    d->cfg.lon = radius_km > 0 ? lon : 0;
    d->cfg.radius = radius_km;
    if ((rc = dealer_index(e, d, 1, 1)) != 0)
        goto out;
    rc = write_dealer(e, d);
out:
    return b2b2c__call_end(e->ctx, rc);
}

int b2b2c_dealer_set_status(b2b2c_dealer_engine *e, const char *dealer_id,
                            int32_t status, int64_t paused_until)
{
    dealer *d;
    int rc;
    CHECK_E(e);
    if (status < 0 || status > 2)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "status: unknown value %d",
                          (int)status);
    if (status == B2B2C_DEALER_PAUSED &&
        (rc = b2b2c__check_time(e->ctx, paused_until, "paused_until")) != 0)
        return rc;
    if ((rc = find_dealer(e, dealer_id, &d)) != 0)
        return rc;
    if (d->cfg.status == B2B2C_DEALER_OFFBOARDED &&
        status != B2B2C_DEALER_OFFBOARDED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "status: dealer '%s' is off-boarded", dealer_id);
    if ((rc = b2b2c__call_begin(e->ctx)) != 0)
        return rc;
    if ((rc = mirror_guard(e, d)) == 0 &&
        (rc = b2b2c__undo_save(e->ctx, &d->cfg, sizeof(d->cfg))) == 0) {
        d->cfg.status = status;
        d->cfg.paused_until =
            status == B2B2C_DEALER_PAUSED ? paused_until : 0;
        mirror_sync(e, d);
        rc = write_dealer(e, d);
    }
    return b2b2c__call_end(e->ctx, rc);
}

int b2b2c_dealer_count(size_t *out, const b2b2c_dealer_engine *e)
{
    if (!out || !e)
        return B2B2C_EINVAL;
    *out = e->nd;
    return 0;
}

/* ---- leads ----------------------------------------------------------- */

static int find_lead(b2b2c_dealer_engine *e, const char *id, lead **out)
{
    size_t n;
    if (!id)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "lead_id: must not be NULL");
    if (b2b2c__id_check(id, &n))
        return b2b2c__err(e->ctx, B2B2C_EBADID, "lead_id: not a valid ID");
    *out = b2b2c__map_get(&e->leads, id, n);
    if (!*out)
        return b2b2c__err(e->ctx, B2B2C_ENOTFOUND, "lead_id: no lead '%s'",
                          id);
    return 0;
}

static int nodealer(b2b2c_dealer_engine *e, const lead *l, int32_t reason)
{
    return b2b2c__err(e->ctx, B2B2C_ENODEALER,
                      "lead '%s': no eligible dealer (%s)", l->id,
                      b2b2c_dealer_reason_name(reason));
}

int b2b2c_dealer_route(const char **dealer_out, int32_t *reason_out,
                       b2b2c_dealer_engine *e, const char *lead_id,
                       const char *region, int32_t has_location, double lat,
                       double lon, const char *product_line, int32_t segment,
                       int32_t band, int64_t now)
{
    b2b2c_ctx *ctx;
    size_t n, rl, pl;
    lead *l, tl;
    decision dc;
    uint64_t lh;
    b2b2c__rng rng0, rng1;
    int rc, created;
    if (dealer_out)
        *dealer_out = NULL;
    if (reason_out)
        *reason_out = B2B2C_DEALER_REASON_ROUTED;
    CHECK_E(e);
    ctx = e->ctx;
    if (!dealer_out || !lead_id || !region)
        return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must not be NULL",
                          !dealer_out ? "dealer_out"
                                      : !lead_id ? "lead_id" : "region");
    if (!product_line)
        product_line = "";
    if (b2b2c__id_check(lead_id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "lead_id: not a valid ID");
    /* the lead's map slot is a cache miss: start it before the other
     * checks (lookup below, insert of a new lead after the decision) */
    lh = b2b2c__map_keyhash(lead_id, n);
    b2b2c__map_prefetch_h(&e->leads, lh);
    rl = strlen(region);
    if (!code_ok(region, rl))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "region: not a valid region code");
    pl = strlen(product_line);
    if (pl && b2b2c__id_check(product_line, NULL))
        return b2b2c__err(ctx, B2B2C_EBADID,
                          "product_line: not a valid ID");
    if (has_location != 0 && has_location != 1)
        return b2b2c__err(ctx, B2B2C_EINVAL, "has_location: must be 0 or 1");
    if (has_location) {
        if (!finite(lat) || !finite(lon))
            return b2b2c__err(ctx, B2B2C_EINVAL, "%s: must be finite",
                              finite(lat) ? "lon" : "lat");
        if (lat < -90 || lat > 90 || lon < -180 || lon > 180)
            return b2b2c__err(ctx, B2B2C_ERANGE, "%s: out of range",
                              lat < -90 || lat > 90 ? "lat" : "lon");
    }
    if ((rc = check_now(ctx, now)) != 0)
        return rc;
    if (!b2b2c_segment_name(segment))
        return b2b2c__err(ctx, B2B2C_ERANGE, "segment: unknown value %d",
                          (int)segment);
    if (!b2b2c_band_name(band))
        return b2b2c__err(ctx, B2B2C_ERANGE, "band: unknown value %d",
                          (int)band);
    /* Decide first, as for a new lead (no declined dealers), so that the
     * chosen dealer's struct and the lead's map slot load together; an
     * unrouted lead found by the lookup is decided again from the same
     * generator state. The decision changes nothing but the generator
     * (and derived caches), restored here until the undo log holds it. */
    rng0 = e->m.rng;
    tl.region = region;
    tl.product = product_line;
    tl.has_loc = has_location;
    tl.lat = lat;
    tl.lon = lon;
    tl.ntried = 0;
    tl.tried = NULL;
    decide(e, &tl, now, &dc);
    if (dc.elig)
        offer_prefetch(e, dc.chosen);
    l = b2b2c__map_get_h(&e->leads, lh, lead_id, n);
    rng1 = e->m.rng;
    e->m.rng = rng0;
    if (l && l->m.state != B2B2C_DEALER_LEAD_UNROUTED)
        return b2b2c__err(ctx, B2B2C_EEXISTS,
                          "lead_id: lead '%s' was already routed", lead_id);
    if (l && (rc = b2b2c__check_not_before(ctx, now, "now", l->created,
                                           "the first routing of lead",
                                           lead_id)) != 0)
        return rc;
    if ((rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    if ((rc = save_emut(e)) != 0)
        goto out;
    if (!l) {
        e->m.rng = rng1;
        l = b2b2c__malloc(ctx, sizeof(*l) + n + rl + pl + 3);
        if (!l) {
            rc = oom(ctx);
            goto out;
        }
        memset(l, 0, sizeof(*l));
        l->idlen = n;
        memcpy(l->id, lead_id, n + 1);
        memcpy(l->id + n + 1, region, rl + 1);
        memcpy(l->id + n + rl + 2, product_line, pl + 1);
        l->region = l->id + n + 1;
        l->product = l->id + n + rl + 2;
        l->has_loc = has_location;
        l->lat = has_location ? lat : 0;
        l->lon = has_location ? lon : 0;
        l->segment = segment;
        l->band = band;
        l->created = now;
        l->heap_pos = NOPOS;
        l->afirst = l->alast = NONE32;
        l->m.dealer = NONE32;
        if ((rc = b2b2c__undo_free_on_fail(ctx, l)) != 0) {
            b2b2c__free(ctx, l);
            goto out;
        }
        created = 1;
    } else if ((rc = snap(e, &l->m, sizeof(l->m))) != 0) {
        goto out;
    } else {
        created = 0; /* an unrouted lead: state UNROUTED, never 0 */
        decide(e, l, now, &dc);
        if (dc.elig)
            offer_prefetch(e, dc.chosen);
    }
    if (reason_out)
        *reason_out = dc.reason;
    if (created && (dc.elig || e->param[P_DIRECT] > 0) &&
        (rc = b2b2c__map_insert_undoable_h(ctx, &e->leads, lh, l->id, n, l)))
        goto out;
    if (dc.elig) {
        if ((rc = offer(e, l, &dc, now, B2B2C_DEALER_KIND_ROUTE, created)))
            goto out;
    } else if (e->param[P_DIRECT] > 0) {
        dc.reason = B2B2C_DEALER_REASON_DIRECT;
        if (reason_out)
            *reason_out = dc.reason;
        l->m.state = B2B2C_DEALER_LEAD_DIRECT;
        l->m.dealer = NONE32;
        e->m.seq++;
        if ((rc = aud_append(e, l, &dc, now, B2B2C_DEALER_KIND_ROUTE,
                             created)) != 0)
            goto out;
    } else {
        rc = nodealer(e, l, dc.reason);
        goto out;
    }
    /* a new lead is stored inside its audit record */
    rc = created ? 0 : write_lead(e, l);
out:
    rc = b2b2c__call_end(ctx, rc);
    if (rc == 0 && dc.elig)
        *dealer_out = e->dealers[dc.chosen]->id;
    return rc;
}

/* Common checks of accept/decline: lead offered to this dealer. */
static int offered_to(b2b2c_dealer_engine *e, const char *lead_id,
                      const char *dealer_id, int64_t now, lead **lo,
                      dealer **dout)
{
    int rc;
    if ((rc = check_now(e->ctx, now)) != 0 ||
        (rc = find_lead(e, lead_id, lo)) != 0 ||
        (rc = find_dealer(e, dealer_id, dout)) != 0)
        return rc;
    if ((*lo)->m.dealer != (*dout)->idx)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead '%s' is not offered to dealer '%s'", lead_id,
                          dealer_id);
    if ((*lo)->m.state != B2B2C_DEALER_LEAD_OFFERED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead '%s' is not waiting for an answer (state %d)",
                          lead_id, (int)(*lo)->m.state);
    if ((*lo)->m.deadline <= now)
        return b2b2c__err(e->ctx, B2B2C_EEXPIRED,
                          "lead '%s': the deadline passed", lead_id);
    return b2b2c__check_not_before(e->ctx, now, "now", (*lo)->m.offered_at,
                                   "the offer of lead", lead_id);
}

int b2b2c_dealer_accept(b2b2c_dealer_engine *e, const char *lead_id,
                        const char *dealer_id, int64_t now)
{
    lead *l;
    dealer *d;
    int rc;
    CHECK_E(e);
    if ((rc = offered_to(e, lead_id, dealer_id, now, &l, &d)) != 0)
        return rc;
    if ((rc = b2b2c__call_begin(e->ctx)) != 0)
        return rc;
    if ((rc = snap(e, &l->m, sizeof(l->m))) != 0 ||
        (rc = snap(e, &d->st, sizeof(d->st))) != 0 ||
        (rc = heap_remove(e, l)) != 0)
        goto out;
    l->m.state = B2B2C_DEALER_LEAD_ACCEPTED;
    l->m.accepted_at = now;
    d->st.accepted++;
    if ((rc = write_lead(e, l)) == 0)
        rc = write_stats(e, d);
out:
    return b2b2c__call_end(e->ctx, rc);
}

int b2b2c_dealer_decline(const char **dealer_out, int32_t *reason_out,
                         b2b2c_dealer_engine *e, const char *lead_id,
                         const char *dealer_id, int32_t reason, int64_t now)
{
    lead *l;
    dealer *d;
    decision dc;
    int rc;
    if (dealer_out)
        *dealer_out = NULL;
    if (reason_out)
        *reason_out = 0;
    CHECK_E(e);
    if (!dealer_out)
        return b2b2c__err(e->ctx, B2B2C_EINVAL,
                          "dealer_out: must not be NULL");
    if (reason < 0 || reason >= NDECL)
        return b2b2c__err(e->ctx, B2B2C_ERANGE, "reason: must be in [0, 7]");
    if ((rc = offered_to(e, lead_id, dealer_id, now, &l, &d)) != 0)
        return rc;
    if ((rc = b2b2c__call_begin(e->ctx)) != 0)
        return rc;
    memset(&dc, 0, sizeof dc);
    if ((rc = save_emut(e)) != 0 ||
        (rc = snap(e, &l->m, sizeof(l->m))) != 0 ||
        (rc = mirror_guard(e, d)) != 0 ||
        (rc = snap(e, &d->st, sizeof(d->st))) != 0 ||
        (rc = heap_remove(e, l)) != 0 || (rc = add_tried(e, l, d->idx)) != 0)
        goto out;
    d->st.declined++;
    d->st.decl[reason]++;
    d->st.open--;
    mirror_sync(e, d);
    e->m.net_resolved++;
    if ((rc = write_stats(e, d)) != 0 ||
        (rc = reroute(e, l, now, B2B2C_DEALER_KIND_DECLINE, &dc)) != 0)
        goto out;
    rc = write_lead(e, l);
out:
    rc = b2b2c__call_end(e->ctx, rc);
    if (rc == 0) {
        if (dc.elig)
            *dealer_out = e->dealers[dc.chosen]->id;
        if (reason_out)
            *reason_out = dc.reason;
    }
    return rc;
}

int b2b2c_dealer_expire(size_t *count_out, b2b2c_dealer_engine *e,
                        int64_t now, b2b2c_dealer_reroute_cb cb,
                        void *payload)
{
    b2b2c_ctx *ctx;
    int rc;
    if (count_out)
        *count_out = 0;
    CHECK_E(e);
    ctx = e->ctx;
    if ((rc = check_now(ctx, now)) != 0 ||
        (rc = b2b2c__call_begin(ctx)) != 0)
        return rc;
    e->nex = 0;
    if (e->nheap && e->heap[0].deadline <= now && (rc = save_emut(e)))
        goto out;
    while (e->nheap && e->heap[0].deadline <= now) {
        lead *l = e->heap[0].l;
        dealer *d = e->dealers[l->m.dealer];
        decision dc;
        if (e->nex == e->capex &&
            b2b2c__grow(&ctx->mem, (void **)&e->ex, &e->capex, e->nex + 1,
                        sizeof(*e->ex))) {
            rc = oom(ctx);
            goto out;
        }
        if ((rc = snap(e, &l->m, sizeof(l->m))) != 0 ||
            (rc = mirror_guard(e, d)) != 0 ||
            (rc = snap(e, &d->st, sizeof(d->st))) != 0 ||
            (rc = heap_remove(e, l)) != 0 ||
            (rc = add_tried(e, l, d->idx | TRIED_EXPIRED)) != 0)
            goto out;
        d->st.expired++;
        d->st.open--;
        mirror_sync(e, d);
        e->m.net_resolved++;
        if ((rc = write_stats(e, d)) != 0 ||
            (rc = reroute(e, l, now, B2B2C_DEALER_KIND_EXPIRE, &dc)) != 0 ||
            (rc = write_lead(e, l)) != 0)
            goto out;
        e->ex[e->nex].l = l;
        e->ex[e->nex].from = d->idx;
        e->ex[e->nex].to = dc.elig ? dc.chosen : NONE32;
        e->ex[e->nex].reason = dc.reason;
        e->nex++;
    }
out:
    rc = b2b2c__call_end(ctx, rc);
    if (rc)
        return rc;
    if (count_out)
        *count_out = e->nex;
    if (cb) {
        /* committed; callbacks may not call mutating functions */
        b2b2c__cb_enter(ctx);
        for (size_t i = 0; i < e->nex && rc == 0; i++) {
            const expiry *x = &e->ex[i];
            rc = cb(x->l->id, e->dealers[x->from]->id,
                    x->to == NONE32 ? NULL : e->dealers[x->to]->id, x->reason,
                    payload);
        }
        b2b2c__cb_leave(ctx);
    }
    return rc;
}

int b2b2c_dealer_recall(b2b2c_dealer_engine *e, const char *lead_id,
                        int64_t now)
{
    lead *l;
    dealer *d;
    int rc;
    CHECK_E(e);
    if ((rc = check_now(e->ctx, now)) != 0 ||
        (rc = find_lead(e, lead_id, &l)) != 0)
        return rc;
    if (l->m.state != B2B2C_DEALER_LEAD_OFFERED &&
        l->m.state != B2B2C_DEALER_LEAD_ACCEPTED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead '%s' is not with a dealer (state %d)",
                          lead_id, (int)l->m.state);
    /* an offer an older build dated past the range is recalled at any
     * time: the recall is how such a lead is repaired */
    if (b2b2c__time_ok(l->m.offered_at) &&
        (rc = b2b2c__check_not_before(e->ctx, now, "now", l->m.offered_at,
                                      "the offer of lead", lead_id)))
        return rc;
    d = e->dealers[l->m.dealer];
    if ((rc = b2b2c__call_begin(e->ctx)) != 0)
        return rc;
    if ((rc = snap(e, &l->m, sizeof(l->m))) != 0 ||
        (rc = mirror_guard(e, d)) != 0 ||
        (rc = snap(e, &d->st, sizeof(d->st))) != 0 ||
        (rc = heap_remove(e, l)) != 0)
        goto out;
    l->m.state = B2B2C_DEALER_LEAD_RECALLED;
    l->m.closed_at = now;
    d->st.recalled++;
    d->st.open--;
    mirror_sync(e, d);
    if ((rc = write_lead(e, l)) == 0)
        rc = write_stats(e, d);
out:
    return b2b2c__call_end(e->ctx, rc);
}

int b2b2c_dealer_outcome(b2b2c_dealer_engine *e, const char *lead_id,
                         int32_t won, double revenue, int64_t now)
{
    lead *l;
    dealer *d;
    int rc;
    CHECK_E(e);
    if (!finite(revenue))
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "revenue: must be finite");
    if (won != 0 && won != 1)
        return b2b2c__err(e->ctx, B2B2C_ERANGE, "won: must be 0 or 1");
    if (revenue < 0 || revenue > B2B2C_AMOUNT_MAX || (!won && revenue != 0))
        return b2b2c__err(e->ctx, B2B2C_ERANGE,
                          "revenue: must be in [0, 1e15] and 0 when lost");
    if ((rc = check_now(e->ctx, now)) != 0 ||
        (rc = find_lead(e, lead_id, &l)) != 0)
        return rc;
    if (l->m.state != B2B2C_DEALER_LEAD_ACCEPTED)
        return b2b2c__err(e->ctx, B2B2C_ESTATE,
                          "lead '%s' is not accepted by a dealer (state %d)",
                          lead_id, (int)l->m.state);
    if ((rc = b2b2c__check_not_before(e->ctx, now, "now", l->m.accepted_at,
                                      "the accept of lead", lead_id)))
        return rc;
    d = e->dealers[l->m.dealer];
    if ((rc = b2b2c__call_begin(e->ctx)) != 0)
        return rc;
    if ((rc = save_emut(e)) != 0 ||
        (rc = snap(e, &l->m, sizeof(l->m))) != 0 ||
        (rc = mirror_guard(e, d)) != 0 ||
        (rc = snap(e, &d->st, sizeof(d->st))) != 0)
        goto out;
    l->m.state = won ? B2B2C_DEALER_LEAD_WON : B2B2C_DEALER_LEAD_LOST;
    l->m.closed_at = now;
    l->m.revenue = revenue;
    if (won)
        d->st.won++;
    else
        d->st.lost++;
    d->st.revenue += revenue;
    d->st.open--;
    mirror_sync(e, d);
    e->m.net_won += (uint64_t)won;
    e->m.net_resolved++;
    if ((rc = write_lead(e, l)) == 0)
        rc = write_stats(e, d);
out:
    return b2b2c__call_end(e->ctx, rc);
}

int b2b2c_dealer_lead_state(int32_t *state_out, const char **dealer_out,
                            b2b2c_dealer_engine *e, const char *lead_id)
{
    lead *l;
    int rc;
    CHECK_E(e);
    if ((rc = find_lead(e, lead_id, &l)) != 0)
        return rc;
    if (state_out)
        *state_out = l->m.state;
    if (dealer_out)
        *dealer_out =
            l->m.dealer == NONE32 ? NULL : e->dealers[l->m.dealer]->id;
    return 0;
}

/* ---- audit queries ---------------------------------------------------- */

static void aud_fields(const aent *a, double *f)
{
    f[B2B2C_DEALER_AUDIT_SEQ] = (double)a->seq;
    f[B2B2C_DEALER_AUDIT_TIME] = (double)a->time;
    f[B2B2C_DEALER_AUDIT_KIND] = a->kind;
    f[B2B2C_DEALER_AUDIT_POLICY] = a->policy;
    f[B2B2C_DEALER_AUDIT_CANDIDATES] = a->cand;
    f[B2B2C_DEALER_AUDIT_ELIGIBLE] = a->elig;
    f[B2B2C_DEALER_AUDIT_WEIGHT] = a->weight;
    f[B2B2C_DEALER_AUDIT_RANK] = a->rank;
    f[B2B2C_DEALER_AUDIT_REASON] = a->reason;
    for (int i = 0; i < NSKIP; i++)
        f[B2B2C_DEALER_AUDIT_SKIP_INACTIVE + i] = a->skip[i];
}

static int aud_walk(b2b2c_dealer_engine *e, uint32_t i, int by_dealer,
                    b2b2c_dealer_audit_cb cb, void *payload)
{
    double f[B2B2C_DEALER_AUDIT_NFIELDS];
    int rc = 0;
    b2b2c__cb_enter(e->ctx); /* the callback may not change the engine */
    while (i != NONE32 && rc == 0) {
        const aent *a = &e->aud[i];
        aud_fields(a, f);
        rc = cb(a->lead->id,
                a->dealer == NONE32 ? NULL : e->dealers[a->dealer]->id, f,
                B2B2C_DEALER_AUDIT_NFIELDS, payload);
        i = by_dealer ? a->next_dealer : a->next_lead;
    }
    b2b2c__cb_leave(e->ctx);
    return rc;
}

int b2b2c_dealer_audit_lead(b2b2c_dealer_engine *e, const char *lead_id,
                            b2b2c_dealer_audit_cb cb, void *payload)
{
    lead *l;
    int rc;
    CHECK_E(e);
    if (!cb)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if ((rc = find_lead(e, lead_id, &l)) != 0)
        return rc;
    return aud_walk(e, l->afirst, 0, cb, payload);
}

int b2b2c_dealer_audit_dealer(b2b2c_dealer_engine *e, const char *dealer_id,
                              b2b2c_dealer_audit_cb cb, void *payload)
{
    dealer *d;
    int rc;
    CHECK_E(e);
    if (!cb)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if ((rc = find_dealer(e, dealer_id, &d)) != 0)
        return rc;
    return aud_walk(e, d->afirst, 1, cb, payload);
}

/* ---- scorecards and statistics ------------------------------------------ */

typedef struct sc_row {
    uint32_t dealer;
    double f[B2B2C_DEALER_SC_NFIELDS];
} sc_row;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_sc(const void *a, const void *b)
{
    const sc_row *x = a, *y = b;
    double mx = x->f[B2B2C_DEALER_SC_CONV_MEAN];
    double my = y->f[B2B2C_DEALER_SC_CONV_MEAN];
    if (mx != my)
        return mx > my ? -1 : 1;
    return x->dealer < y->dealer ? -1 : x->dealer > y->dealer;
}

static double median_sorted(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* What happened to the offer of audit entry a (to dealer a->dealer).
 * Offers are unique per (lead, dealer): a dealer that declined or let a
 * lead expire is never offered it again. */
enum { O_OPEN, O_ACCEPTED, O_WON, O_LOST, O_RECALLED, O_DECLINED,
       O_EXPIRED };

static int offer_outcome(const aent *a)
{
    const lead *l = a->lead;
    if (l->m.dealer == a->dealer &&
        l->m.state <= B2B2C_DEALER_LEAD_RECALLED) {
        switch (l->m.state) {
        case B2B2C_DEALER_LEAD_OFFERED: return O_OPEN;
        case B2B2C_DEALER_LEAD_ACCEPTED: return O_ACCEPTED;
        case B2B2C_DEALER_LEAD_WON: return O_WON;
        case B2B2C_DEALER_LEAD_LOST: return O_LOST;
        default: return O_RECALLED;
        }
    }
    for (uint32_t i = 0; i < l->ntried; i++)
        if ((l->tried[i] & ~TRIED_EXPIRED) == a->dealer)
            return (l->tried[i] & TRIED_EXPIRED) ? O_EXPIRED : O_DECLINED;
    return O_RECALLED;
}

/* Tally the offers of dealer d with from <= time < to into f[], collecting
 * accept times (hours) into *times (grown as needed). */
static int tally(b2b2c_dealer_engine *e, const dealer *d, int64_t from,
                 int64_t to, double *f, double **times, size_t *cap,
                 size_t *nt)
{
    *nt = 0;
    for (uint32_t i = d->afirst; i != NONE32; i = e->aud[i].next_dealer) {
        const aent *a = &e->aud[i];
        int o;
        if (a->time < from || a->time >= to)
            continue;
        o = offer_outcome(a);
        f[B2B2C_DEALER_SC_OFFERED]++;
        if (o == O_ACCEPTED || o == O_WON || o == O_LOST ||
            (o == O_RECALLED && a->lead->m.accepted_at &&
             a->lead->m.dealer == a->dealer)) {
            f[B2B2C_DEALER_SC_ACCEPTED]++;
            if (*nt == *cap &&
                b2b2c__grow(&e->ctx->mem, (void **)times, cap, *nt + 1,
                            sizeof(double)))
                return oom(e->ctx);
            (*times)[(*nt)++] =
                (double)(a->lead->m.accepted_at - a->lead->m.offered_at) /
                3600.0;
        }
        if (o == O_WON) {
            f[B2B2C_DEALER_SC_WON]++;
            f[B2B2C_DEALER_SC_REVENUE] += a->lead->m.revenue;
        }
        f[B2B2C_DEALER_SC_LOST] += o == O_LOST;
        f[B2B2C_DEALER_SC_DECLINED] += o == O_DECLINED;
        f[B2B2C_DEALER_SC_EXPIRED] += o == O_EXPIRED;
    }
    sort(*times, *nt, sizeof(double), cmp_double);
    f[B2B2C_DEALER_SC_MEDIAN_ACCEPT_HOURS] = median_sorted(*times, *nt);
    return 0;
}

int b2b2c_dealer_stats(double *out, size_t n, b2b2c_dealer_engine *e,
                       const char *dealer_id)
{
    double f[B2B2C_DEALER_STAT_NFIELDS], sc[B2B2C_DEALER_SC_NFIELDS];
    double *times = NULL, a, b;
    size_t cap = 0, nt;
    dealer *d;
    int rc;
    CHECK_E(e);
    if (!out)
        return b2b2c__err(e->ctx, B2B2C_EINVAL, "out: must not be NULL");
    if ((rc = find_dealer(e, dealer_id, &d)) != 0)
        return rc;
    memset(sc, 0, sizeof sc);
    rc = tally(e, d, INT64_MIN, INT64_MAX, sc, &times, &cap, &nt);
    b2b2c__free(e->ctx, times);
    if (rc)
        return rc;
    f[B2B2C_DEALER_STAT_OFFERED] = (double)d->st.offered;
    f[B2B2C_DEALER_STAT_ACCEPTED] = (double)d->st.accepted;
    f[B2B2C_DEALER_STAT_DECLINED] = (double)d->st.declined;
    f[B2B2C_DEALER_STAT_EXPIRED] = (double)d->st.expired;
    f[B2B2C_DEALER_STAT_WON] = (double)d->st.won;
    f[B2B2C_DEALER_STAT_LOST] = (double)d->st.lost;
    f[B2B2C_DEALER_STAT_RECALLED] = (double)d->st.recalled;
    f[B2B2C_DEALER_STAT_OPEN] = (double)d->st.open;
    f[B2B2C_DEALER_STAT_REVENUE] = d->st.revenue;
    f[B2B2C_DEALER_STAT_MEDIAN_ACCEPT_HOURS] =
        sc[B2B2C_DEALER_SC_MEDIAN_ACCEPT_HOURS];
    posterior(e, d, net_p0(e), &a, &b);
    f[B2B2C_DEALER_STAT_POSTERIOR_MEAN] = a / (a + b);
    for (int i = 0; i < NDECL; i++)
        f[B2B2C_DEALER_STAT_DECLINE_REASON0 + i] = (double)d->st.decl[i];
    memcpy(out, f,
           (n < B2B2C_DEALER_STAT_NFIELDS ? n : B2B2C_DEALER_STAT_NFIELDS) *
               sizeof(double));
    return 0;
}

int b2b2c_dealer_scorecards(b2b2c_dealer_engine *e, int64_t from, int64_t to,
                            b2b2c_dealer_scorecard_cb cb, void *payload)
{
    b2b2c_ctx *ctx;
    sc_row *rows = NULL;
    double *times = NULL, *means = NULL, tot_off = 0, tot_won = 0,
           tot_res = 0, p0, m, level, med;
    size_t cap = 0, nt, nr = 0;
    int rc = 0;
    CHECK_E(e);
    ctx = e->ctx;
    if (!cb)
        return b2b2c__err(ctx, B2B2C_EINVAL, "cb: must not be NULL");
    if (from > to)
        return b2b2c__err(ctx, B2B2C_EINVAL, "from: after to");
    rows = b2b2c__malloc(ctx, (e->nd ? e->nd : 1) * sizeof(*rows));
    means = b2b2c__malloc(ctx, (e->nd ? e->nd : 1) * sizeof(*means));
    if (!rows || !means) {
        rc = oom(ctx);
        goto out;
    }
    for (size_t i = 0; i < e->nd; i++) {
        sc_row *r = &rows[nr];
        memset(r, 0, sizeof(*r));
        r->dealer = (uint32_t)i;
        if ((rc = tally(e, e->dealers[i], from, to, r->f, &times, &cap,
                        &nt)) != 0)
            goto out;
        if (r->f[B2B2C_DEALER_SC_OFFERED] == 0)
            continue;
        tot_off += r->f[B2B2C_DEALER_SC_OFFERED];
        tot_won += r->f[B2B2C_DEALER_SC_WON];
        tot_res += r->f[B2B2C_DEALER_SC_WON] + r->f[B2B2C_DEALER_SC_LOST] +
                   r->f[B2B2C_DEALER_SC_DECLINED] +
                   r->f[B2B2C_DEALER_SC_EXPIRED];
        nr++;
    }
    /* the cohort's network rate is the prior mean (Laplace-smoothed) */
    p0 = (tot_won + 1.0) / (tot_res + 2.0);
    m = e->param[P_PRIOR];
    level = e->param[P_LEVEL];
    for (size_t i = 0; i < nr; i++) {
        double *f = rows[i].f;
        double won = f[B2B2C_DEALER_SC_WON];
        double res = won + f[B2B2C_DEALER_SC_LOST] +
                     f[B2B2C_DEALER_SC_DECLINED] + f[B2B2C_DEALER_SC_EXPIRED];
        /* Gelman et al. 2013 (BDA3), sec. 2.4: Beta(m p0 + y, m (1-p0) +
         * n - y); equal-tailed interval from the Beta quantiles. */
        double a = m * p0 + won, b = m * (1.0 - p0) + (res - won);
        f[B2B2C_DEALER_SC_ACCEPT_RATE] =
            f[B2B2C_DEALER_SC_ACCEPTED] / f[B2B2C_DEALER_SC_OFFERED];
        f[B2B2C_DEALER_SC_CONVERSION] = res > 0 ? won / res : NAN;
        f[B2B2C_DEALER_SC_CONV_MEAN] = a / (a + b);
        f[B2B2C_DEALER_SC_CONV_LOW] = b2b2c__betaq((1 - level) / 2, a, b);
        f[B2B2C_DEALER_SC_CONV_HIGH] = b2b2c__betaq((1 + level) / 2, a, b);
        f[B2B2C_DEALER_SC_SHARE_LEADS] =
            f[B2B2C_DEALER_SC_OFFERED] / tot_off;
        f[B2B2C_DEALER_SC_SHARE_WON] = tot_won > 0 ? won / tot_won : 0;
        means[i] = f[B2B2C_DEALER_SC_CONV_MEAN];
    }
    sort(means, nr, sizeof(double), cmp_double);
    med = median_sorted(means, nr);
    sort(rows, nr, sizeof(*rows), cmp_sc);
    b2b2c__cb_enter(ctx);
    for (size_t i = 0; i < nr && rc == 0; i++) {
        rows[i].f[B2B2C_DEALER_SC_RANK] = (double)(i + 1);
        rows[i].f[B2B2C_DEALER_SC_GAP_TO_MEDIAN] =
            rows[i].f[B2B2C_DEALER_SC_CONV_MEAN] - med;
        rc = cb(e->dealers[rows[i].dealer]->id, rows[i].f,
                B2B2C_DEALER_SC_NFIELDS, payload);
    }
    b2b2c__cb_leave(ctx);
out:
    b2b2c__free(ctx, rows);
    b2b2c__free(ctx, means);
    b2b2c__free(ctx, times);
    return rc;
}

/* ---- digest for tests --------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static uint64_t dbits(double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    return u;
}

/* A cached weight is what a fresh computation gives from the engine-wide
 * inputs of its epoch. */
static int cache_ok(const b2b2c_dealer_engine *e, const hot *c)
{
    double m = e->wc_prior, a, b, wi = c->tier, p0;
    if (c->epoch == 0 || c->epoch != e->wc_epoch)
        return 1;
    p0 = ((double)e->wc_net_won + 1.0) / ((double)e->wc_net_res + 2.0);
    a = m * p0 + (double)c->won;
    b = m * (1.0 - p0) + ((double)c->res - (double)c->won);
    wi *= a / (a + b);
    return dbits(c->mean) == dbits(wi) &&
           dbits(c->perf) == dbits(ipow(wi, e->wc_expo));
}

size_t b2b2c__dealer_mirror_check(const b2b2c_dealer_engine *e)
{
    size_t it = 0;
    void *v;
    /* the deadline heap: keys are the leads', order, positions */
    for (size_t i = 0; i < e->nheap; i++) {
        const hent *x = &e->heap[i];
        if (x->l->heap_pos != i || x->deadline != x->l->m.deadline ||
            x->seq != x->l->m.offer_seq ||
            (i > 0 && heap_less(x, &e->heap[(i - 1) / 2])))
            return SIZE_MAX - 1;
    }
    while (b2b2c__map_next(&e->buckets, &it, NULL, NULL, &v)) {
        const bucket *b = v;
        if (b->key[0] == '@' ? b->h != NULL : (b->n && !b->h))
            return SIZE_MAX;
        for (uint32_t j = 0; b->h && j < b->n; j++) {
            hot h;
            mirror_of(e->dealers[b->d[j]], &h);
            if (memcmp(&b->h[j], &h, HOT_CMP) != 0 || !cache_ok(e, &b->h[j]))
                return (size_t)b->d[j] + 1;
        }
    }
    return 0;
}

void b2b2c__dealer_set_plans(b2b2c_dealer_engine *e, int on)
{
    e->noplan = !on;
}

uint64_t b2b2c__dealer_plan_hits(const b2b2c_dealer_engine *e)
{
    return e->plan_hits;
}

uint64_t b2b2c__dealer_digest(const b2b2c_dealer_engine *e)
{
    uint64_t d = mix(e->nd, e->leads.count);
    size_t it = 0;
    void *v;
    d = mix(d, e->m.seq);
    for (int i = 0; i < 4; i++)
        d = mix(d, e->m.rng.s[i]);
    d = mix(d, e->m.net_won);
    d = mix(d, e->m.net_resolved);
    d = mix(d, e->nheap);
    d = mix(d, e->naud);
    d = mix(d, e->prods.count);
    /* the routing mirror agrees with the dealers (0), or the first that
     * does not */
    d = mix(d, b2b2c__dealer_mirror_check(e));
    for (int i = 0; i < NPARAM; i++)
        d = mix(d, dbits(e->param[i]));
    for (size_t i = 0; i < e->nd; i++) {
        const dealer *x = e->dealers[i];
        const uint64_t *s = (const uint64_t *)&x->st;
        d = mix(d, b2b2c__hash(x->id, x->idlen));
        d = mix(d, b2b2c__hash(x->cfg.terr, strlen(x->cfg.terr)));
        d = mix(d, b2b2c__hash(x->cfg.prods, strlen(x->cfg.prods)));
        d = mix(d, dbits(x->cfg.tier) ^ (uint64_t)x->cfg.capacity ^
                       ((uint64_t)x->cfg.quota << 32));
        d = mix(d, (uint64_t)x->cfg.status ^ (uint64_t)x->cfg.paused_until);
        d = mix(d, dbits(x->cfg.lat) ^ dbits(x->cfg.lon) ^
                       dbits(x->cfg.radius) ^ dbits(x->cfg.deadline_h));
        for (size_t k = 0; k < sizeof(x->st) / 8; k++)
            d = mix(d, s[k]);
        d = mix(d, x->afirst ^ ((uint64_t)x->alast << 32));
    }
    {
        uint64_t sum = 0;
        while (b2b2c__map_next(&e->leads, &it, NULL, NULL, &v)) {
            const lead *l = v;
            uint64_t h = b2b2c__hash(l->id, l->idlen);
            h = mix(h, (uint64_t)l->m.state);
            h = mix(h, l->m.dealer);
            h = mix(h, (uint64_t)l->m.deadline);
            h = mix(h, (uint64_t)l->m.accepted_at);
            h = mix(h, (uint64_t)l->m.closed_at);
            h = mix(h, l->m.offer_seq);
            h = mix(h, l->ntried);
            for (uint32_t i = 0; i < l->ntried; i++)
                h = mix(h, l->tried[i]);
            h = mix(h, l->heap_pos == NOPOS);
            h = mix(h, l->afirst ^ ((uint64_t)l->alast << 32));
            sum += h;
        }
        d = mix(d, sum);
    }
    {
        uint64_t sum = 0;
        it = 0;
        size_t nonempty = 0;
        /* an emptied bucket stays in memory but is not rebuilt by a
         * reopen; it routes like no bucket */
        while (b2b2c__map_next(&e->buckets, &it, NULL, NULL, &v)) {
            const bucket *b = v;
            uint64_t h = b2b2c__hash(b->key, b->klen);
            if (!b->n)
                continue;
            for (uint32_t i = 0; i < b->n; i++)
                h = mix(h, b->d[i]);
            sum += h;
            nonempty++;
        }
        d = mix(d, sum);
        d = mix(d, nonempty);
    }
    for (size_t i = 0; i < e->naud; i++) {
        const aent *a = &e->aud[i];
        d = mix(d, a->seq ^ ((uint64_t)a->dealer << 32));
        d = mix(d, a->next_lead ^ ((uint64_t)a->next_dealer << 32));
    }
    return d;
}
