/* SPDX-License-Identifier: MIT */
/*
 * Dealer engine internals shared by the files of src/dealer/ (and, for the
 * declarations at the end, with the tests). Not installed.
 *
 * In memory: dealers in creation order (index = creation number), a map of
 * dealer IDs, a map of "buckets" (a region code, or a 1-degree grid cell
 * "@LAT,LON") to the sorted indexes of the dealers they cover, leads in a
 * map, open offers in a min-heap by (deadline, offer number), and the audit
 * trail as an array with per-lead and per-dealer linked lists. Every change
 * is pushed on the context's undo log before it is made and written through
 * to the tables dealer_state, dealer_dealers, dealer_stats, dealer_leads and
 * dealer_audit.
 *
 * The files, along the engine's seams:
 *   dealer.c              public API: names, lifecycle, parameters, dealers
 *   dealer_leads.c        public API: route, accept, decline, expire, ...
 *   dealer_index.c        region/grid buckets, product lines, routing mirror
 *   dealer_decide.c       candidates, eligibility, decide() in phases
 *   dealer_policy.c       the policy table; one file per policy:
 *   dealer_policy_rr.c, dealer_policy_tier.c, dealer_policy_perf.c,
 *   dealer_policy_thompson.c
 *   dealer_plan.c         the region buckets' routing plans (plan cache)
 *   dealer_offers.c       offers, re-routing, the deadline heap
 *   dealer_audit.c        audit trail, audit queries, scorecards
 *   dealer_store.c        records, their decoders, loading
 *   dealer_sync.c         other contexts' commits (refresh, reload)
 *   dealer_debug.c        digest and consistency checks for tests
 *   dealer_owner.c        customers of record (owners), their records
 *   dealer_reg.c          deal registrations, their records
 *   dealer_service.c      service partners: certifications, service routing
 * Hot-path helpers are static inline below.
 */
#ifndef B2B2C_DEALER_INT_H
#define B2B2C_DEALER_INT_H

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
#define NPARAM 14
#define DEALER_PARAM_BASE B2B2C_DEALER_PARAM_POLICY
#define NONE32 UINT32_MAX
#define NOPOS SIZE_MAX
#define TRIED_EXPIRED 0x80000000u
#define MAX_CODES 256
#define MAX_PRODS 64

#define T_STATE "dealer_state"
#define T_DEALERS "dealer_dealers"
#define T_STATS "dealer_stats"
#define T_LEADS "dealer_leads"
#define T_AUDIT "dealer_audit"
#define T_OWNERS "dealer_owners"
#define T_REGS "dealer_regs"
#define T_CERTS "dealer_certs"
#define T_CLOSED "dealer_closed"

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
    uint8_t service; /* B2B2C_DEALER_SERVICE_*, 0: not a service request
                        (its audit records carry it, dealer_service.c) */
    uint8_t cklen;   /* its customer key's length (after the product
                        line's NUL in id[], lead_ck), 0: none */
    double lat, lon;
    int32_t segment, band;
    int64_t created;
    uint32_t *tried; /* dealer index | TRIED_EXPIRED */
    uint32_t ntried, captried;
    size_t heap_pos;
    uint32_t afirst, alast;
    size_t idlen;
    char id[]; /* id \0 region \0 product \0 customer key (cklen) */
} lead;

/* The customer key a lead was routed with (route_customer,
 * route_service): kept through its re-routes (l->cklen bytes). */
static inline const unsigned char *lead_ck(const lead *l)
{
    return (const unsigned char *)l->product + strlen(l->product) + 1;
}

/* An audit entry's lead: a lead, or a closed lead's stub (tagged with the
 * pointer's low bit, both being 8-byte aligned). Read through the aent_*
 * helpers below. */
typedef struct aent {
    uint64_t seq;
    int64_t time;
    void *lp; /* lead *, or stub * | 1 (dealer_stub.h); NULL: pruned */
    uint32_t dealer;
    uint8_t kind, policy, reason;
    uint8_t owner; /* B2B2C_DEALER_OWNER_* */
    uint32_t cand, elig, rank;
    uint32_t odealer; /* the owner skipped (owner 2..7), else NONE32 */
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
    b2b2c__beta_first *bf; /* Thompson: by place j, the first pass's
                              constants of the piece starting there */
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
    int noplan;         /* tests: every decision by the eligibility pass */
    /* a bit per key hash of every bucket ever made (a filter: a clear bit
     * means no bucket, so a region code without one costs no map probe) */
    uint64_t bloom[64];
    uint64_t plan_hits; /* decisions made from a plan (tests) */
    /* records other contexts changed, handed over by refresh and applied
     * in refresh_done in the order the loader reads them (dealer_sync.c):
     * [table u8][klen u16][vlen u32][key][value] each */
    unsigned char *sy;
    size_t sylen, sycap;
    b2b2c__map owners; /* owner by key (dealer_owner.c) */
    /* deal registrations (dealer_reg.c): by number, and the latest by
     * key; the highest number known */
    b2b2c__map regs, regkeys;
    uint64_t reg_seq;
    b2b2c__map certs;  /* certification by key (dealer_service.c) */
    /* audit retention (dealer_prune.c): aud[0, abase) are pruned (dead,
     * lead NULL), moved out by a later prune */
    size_t abase;
    /* closing (dealer_close.c): the slot of e->leads the next
     * b2b2c_dealer_close_due goes on from (memory only) */
    size_t ccur;
    /* closed leads with audit entries left, by ID (dealer_close.c) */
    b2b2c__map stubs;
};

typedef struct decision {
    uint32_t cand, elig, rank, chosen;
    uint32_t skip[NSKIP];
    double weight;
    int32_t reason;
    uint32_t odealer; /* the owner skipped, or NONE32 (decide sets it) */
    hot *entry; /* the chosen dealer's mirror entry that decide read */
    bucket *bk; /* the one region bucket the candidates came from, or NULL */
    uint32_t pk; /* the chosen's eligible number in bk's valid plan, or
                    NONE32 */
    int32_t owner; /* B2B2C_DEALER_OWNER_* (route_customer) */
} decision;

/* A customer's dealer of record for one product line (dealer_owner.c),
 * in e->owners under its key: [key length u8][customer key][product
 * line], also its record's key in dealer_owners. */
typedef struct owner {
    uint32_t dealer; /* NONE32: released */
    int64_t since, until;
    size_t klen;
    unsigned char key[];
} owner;

#define OWNER_KEY_MAX (1 + B2B2C_DEALER_CUSTOMER_KEY_MAX + B2B2C__ID_MAX)

/* A deal registration (dealer_reg.c), in e->regs under its number (the
 * 8 bytes of sk, big-endian: its record's key in dealer_regs), and the
 * latest of its key in its slot, in e->regkeys under the owner's key
 * layout. What a call changes is rmut, saved whole. */
typedef struct rmut {
    int32_t state;   /* B2B2C_DEALER_REG_*, as stored */
    uint32_t dealer;
    double value;
    int64_t close, since, until;
    int64_t approved; /* REG_NEVER when never approved */
    int64_t ended;    /* rejected, won or expired at; REG_NEVER when live */
} rmut;

#define REG_NEVER INT64_MIN

typedef struct regslot {
    struct reg *cur; /* the registration with the highest number */
    size_t klen;
    unsigned char key[];
} regslot;

typedef struct reg {
    rmut m;
    uint64_t seq;
    regslot *slot;
    unsigned char sk[8];
} reg;
/* The map and record key of (customer key, product line) into buf
 * (OWNER_KEY_MAX bytes); its length. */
static inline size_t owner_key(unsigned char *buf, const void *ck,
                               size_t cklen, const char *prod, size_t pl)
{
    buf[0] = (unsigned char)cklen;
    memcpy(buf + 1, ck, cklen);
    memcpy(buf + 1 + cklen, prod, pl);
    return 1 + cklen + pl;
}

enum { P_POLICY, P_MAXSHARE, P_PERIOD, P_SHAREMIN, P_PRIOR, P_NEWLEADS,
       P_FLOOR, P_EXPO, P_DIRECT, P_LEVEL, P_OWNDAYS, P_REGDAYS,
       P_AUDITDAYS, P_CLOSEDAYS };



/* ---- small helpers --------------------------------------------------- */

static inline int oom(b2b2c_ctx *ctx)
{
    return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
}

static inline int finite(double x) { return isfinite(x); }

/* A territory list of exactly one code. */
static inline int32_t one_code(const char *terr)
{
    return *terr && !strchr(terr, ';');
}

/* Stored times are trusted within +-2^52 s: the range the API accepted
 * before the library-wide one (common.h), so older records still load, and
 * deadline arithmetic on them cannot overflow. The loader rejects others. */
#define NOW_MAX ((int64_t)1 << 52)


static inline int time_ok(int64_t t)
{
    return t >= -NOW_MAX && t <= NOW_MAX;
}

static inline int check_now(b2b2c_ctx *ctx, int64_t now)
{
    return b2b2c__check_time(ctx, now, "now");
}

/* qsort that accepts an empty (NULL) array. */
static inline void sort(void *base, size_t n, size_t size,
                 int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* What happened to an offer (audit entry), b2b2c__dealer_offer_outcome
 * (dealer_audit.c); the dealer funnel (dealer_funnel.c) counts them. */
enum { O_OPEN, O_ACCEPTED, O_WON, O_LOST, O_RECALLED, O_DECLINED,
       O_EXPIRED };
int b2b2c__dealer_offer_outcome(const aent *a);

/* Put v (just allocated, its key inside it) in map under key (dealer.c).
 * undoable: for a call that may still fail, v is freed and taken out
 * again if it does; else for good. On failure v is freed (or will be, by
 * the undo) and the code returned. */
int b2b2c__dealer_map_add(b2b2c_dealer_engine *e, b2b2c__map *map,
                          const void *key, size_t kl, void *v, int undoable);

/* ---- routing --------------------------------------------------------- */

/* Days and share periods start at local midnight of the context's UTC
 * offset (core counts them). */
static inline int64_t period_of(const b2b2c_dealer_engine *e, int64_t now)
{
    return b2b2c__period(e->ctx, now,
                         (int64_t)(e->param[P_PERIOD] * (double)B2B2C__DAY));
}

/* Network prior mean of conversion per resolved offer, with one pseudo win
 * and one pseudo loss (Laplace) so an empty network starts at 1/2. */
static inline double net_p0(const b2b2c_dealer_engine *e)
{
    return ((double)e->m.net_won + 1.0) / ((double)e->m.net_resolved + 2.0);
}

/* Beta posterior of a dealer's conversion with the network prior
 * Beta(m p0, m (1 - p0)): conjugate update, Gelman et al. 2013 (BDA3),
 * sec. 2.4, posterior Beta(alpha + y, beta + n - y). */
static inline void posterior(const b2b2c_dealer_engine *e, const dealer *d,
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
static inline void posterior_of(const b2b2c_dealer_engine *e, const hot *c,
                         double p0, double *a, double *b)
{
    double m = e->param[P_PRIOR];
    double won = (double)c->won;
    double res = (double)c->res;
    *a = m * p0 + won;
    *b = m * (1.0 - p0) + (res - won);
}

static inline uint64_t resolved(const dealer *d)
{
    return d->st.won + d->st.lost + d->st.declined + d->st.expired;
}

static inline void mirror_offer(hot *h, const dealer *d)
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
static inline void mirror_of(const dealer *d, hot *h)
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
static inline int tried(const lead *l, uint32_t di)
{
    for (uint32_t i = 0; i < l->ntried; i++)
        if ((l->tried[i] & ~TRIED_EXPIRED) == di)
            return 1;
    return 0;
}

static inline int sells(const dealer *d, int have_prod, uint32_t pid)
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
static inline double ipow(double x, double k)
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
static inline const hot *weights(const b2b2c_dealer_engine *e, hot *c,
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
static inline uint32_t pick_cum(const double *cum, uint32_t ne, double u)
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

/* ---- index helpers --------------------------------------------------- */

/* The grid cell key "@LAT,LON" of cell (ilat, ilon). */
static inline int cell_key(char *buf, size_t cap, int ilat, int ilon)
{
    return snprintf(buf, cap, "@%d,%d", ilat, ilon);
}

/* The 1-degree grid cell of (lat, lon), clamped to the grid. */
static inline int cell_of(double lat, double lon, int *ilat, int *ilon)
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

/* The first i < n with a[i] >= v (a sorted ascending), else n. */
static inline uint32_t lower_bound_u32(const uint32_t *a, uint32_t n,
                                       uint32_t v)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Position of dealer v in bucket b, or -1. */
static inline int64_t bucket_pos(const bucket *b, uint32_t v)
{
    uint32_t i = lower_bound_u32(b->d, b->n, v);
    return i < b->n && b->d[i] == v ? (int64_t)i : -1;
}

/* A public function's handle argument: EINVAL when NULL (no context to
 * report on). */
#define CHECK_E(e)                                                          \
    do {                                                                    \
        if (!(e))                                                           \
            return B2B2C_EINVAL;                                            \
    } while (0)

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

/* ---- policies --------------------------------------------------------- */

typedef struct b2b2c__dealer_policy b2b2c__dealer_policy;

/* One decision's working state, shared by decide's phases and the
 * policy's pass callbacks (dealer_decide.c). The scratch arrays of the
 * engine hold, by eligible number k < ne: elig (dealer number), hp (mirror
 * entry), po (offers this period), w (the distance after the pass, then
 * the policy's weight) and key (the policy's key). */
typedef struct pass {
    const lead *l;
    const b2b2c__dealer_policy *pol;
    int64_t now, day, pidx;
    int64_t t_lo, t_hi; /* no dealer's status changes in [t_lo, t_hi) */
    uint64_t stamp;     /* candidate marks of this decision */
    uint32_t nc, ne, nb; /* candidates, eligible, region buckets */
    uint32_t have_prod, pid; /* see lead_product */
    uint64_t sumper, maxpo; /* offers this period: sum, maximum */
    double p0;   /* network prior mean */
    double wsum; /* the weights' sum in eligible order (weigh) */
    uint32_t best; /* round robin: its choice by eligible number */
    int filtered;  /* the maximum share removed some */
    int save;      /* the pass renews the bucket b1's plan */
    uint32_t nuncert; /* service request: covering dealers not certified */
    bucket *b1;    /* the first region bucket with dealers */
} pass;

/* A routing policy. Every member is called at most once per decision
 * (none per candidate). Adding one: a file defining it, a line in
 * b2b2c__dealer_policies (dealer_policy.c), NPOLICY. */
struct b2b2c__dealer_policy {
    const char *name; /* b2b2c_dealer_policy_name */
    /* reads the cached posterior weights: a plan holds only within the
     * weights' epoch */
    int weighted;
    /* after the eligibility pass (ps->ne >= 1): w[k] and key[k] for each
     * eligible k, ps->wsum (and anything else choose needs) */
    void (*weigh)(b2b2c_dealer_engine *e, pass *ps);
    /* choose among the ps->ne >= 1 eligible left after the maximum share:
     * dc->chosen, entry, weight, rank */
    void (*choose)(b2b2c_dealer_engine *e, pass *ps, decision *dc);
    /* a new plan of bucket b (pos, po, rank, n, ne set; ne >= 1): the
     * policy's part, from what weigh left */
    void (*plan_prepare)(b2b2c_dealer_engine *e, bucket *b, const pass *ps);
    /* decide from a valid plan: the eligible number chosen; dc->weight,
     * dc->rank */
    uint32_t (*plan_pick)(b2b2c_dealer_engine *e, plan *p, decision *dc);
    /* after an offer to plan entry k, still eligible: 0 drops the plan.
     * NULL: the plan holds. */
    int (*plan_offered)(plan *p, uint32_t k);
};

#define NPOLICY 4

extern const b2b2c__dealer_policy b2b2c__dealer_policy_rr;
extern const b2b2c__dealer_policy b2b2c__dealer_policy_tier;
extern const b2b2c__dealer_policy b2b2c__dealer_policy_perf;
extern const b2b2c__dealer_policy b2b2c__dealer_policy_thompson;
extern const b2b2c__dealer_policy *const b2b2c__dealer_policies[NPOLICY];

/* The policy numbered p (the POLICY parameter: a whole number in [0,
 * NPOLICY - 1], checked by set_param and the loader). */
static inline const b2b2c__dealer_policy *b2b2c__dealer_policy_of(double p)
{
    return b2b2c__dealer_policies[(int)p];
}

/* dealer_decide.c */
void b2b2c__dealer_decide(b2b2c_dealer_engine *e, const lead *l, int64_t now,
                          decision *dc);
void b2b2c__dealer_weigh_posterior(b2b2c_dealer_engine *e, pass *ps, int perf);
double b2b2c__dealer_weight_sum(const b2b2c_dealer_engine *e, const pass *ps);
void b2b2c__dealer_choose_at(const b2b2c_dealer_engine *e, const pass *ps,
                             uint32_t pick, double weight, decision *dc);
void b2b2c__dealer_choose_weighted(b2b2c_dealer_engine *e, const pass *ps,
                                   double total, decision *dc);

/* dealer_plan.c */
typedef int (*plan_less)(const bucket *, const plan *, uint32_t, uint32_t);
void b2b2c__dealer_plan_order(const bucket *b, plan *p, plan_less less);
int b2b2c__dealer_plan_ok(const b2b2c_dealer_engine *e, const bucket *b,
                          int64_t now, int64_t day, int64_t pidx,
                          const b2b2c__dealer_policy *pol);
void b2b2c__dealer_plan_save(b2b2c_dealer_engine *e, const pass *ps,
                             const decision *dc);
void b2b2c__dealer_plan_sums(plan *p);
uint32_t b2b2c__dealer_plan_rank(plan *p, uint32_t k);
int b2b2c__dealer_plan_decide(b2b2c_dealer_engine *e, bucket *b,
                              const b2b2c__dealer_policy *pol, decision *dc);
uint32_t b2b2c__dealer_plan_find(const bucket *b, const decision *dc);
void b2b2c__dealer_plan_offer(bucket *b, uint32_t k);
uint32_t b2b2c__dealer_plan_pick_cum(b2b2c_dealer_engine *e, plan *p,
                                     decision *dc);

/* dealer.c */
int b2b2c__dealer_code_ok(const char *s, size_t n);
int b2b2c__dealer_list_check(b2b2c_ctx *ctx, const char *what, const char *s,
                             int kind, size_t max);
void b2b2c__dealer_destroy(b2b2c_ctx *ctx, dealer *d);
int b2b2c__dealer_scratch_reserve(b2b2c_dealer_engine *e, size_t n);
int b2b2c__dealer_find_dealer(b2b2c_dealer_engine *e, const char *id,
                              size_t n, dealer **out);
int b2b2c__dealer_append(b2b2c_dealer_engine *e, dealer *d);
int b2b2c__dealer_cfg_begin(b2b2c_dealer_engine *e, dealer *d);
void b2b2c__dealer_clear(b2b2c_dealer_engine *e);
void b2b2c__dealer_init(b2b2c_dealer_engine *e, b2b2c_ctx *ctx);

/* dealer_sync.c: how other contexts' commits reach the engine */
extern const b2b2c__engine_ops b2b2c__dealer_ops;

/* dealer_index.c */
int b2b2c__dealer_index(b2b2c_dealer_engine *e, dealer *d, int add,
                        int undoable);
int b2b2c__dealer_prod_ids(b2b2c_dealer_engine *e, const char *s,
                           uint32_t **ids, uint32_t *n, int undoable);
void b2b2c__dealer_mirror_sync(b2b2c_dealer_engine *e, const dealer *d);
void b2b2c__dealer_mirror_sync_offer(b2b2c_dealer_engine *e,
                                     const dealer *d);
int b2b2c__dealer_mirror_guard(b2b2c_dealer_engine *e, const dealer *d);
int b2b2c__dealer_mirror_reserve(b2b2c_dealer_engine *e, size_t n);

/* dealer_offers.c */
int b2b2c__dealer_heap_less(const hent *a, const hent *b);
void b2b2c__dealer_heap_push_raw(b2b2c_dealer_engine *e, lead *l);
int b2b2c__dealer_heap_push(b2b2c_dealer_engine *e, lead *l);
int b2b2c__dealer_heap_remove(b2b2c_dealer_engine *e, lead *l);
void b2b2c__dealer_replay_offer(b2b2c_dealer_engine *e, const aent *a);
int b2b2c__dealer_offer(b2b2c_dealer_engine *e, lead *l, const decision *dc,
                        int64_t now, int kind, int creates);
int b2b2c__dealer_reroute(b2b2c_dealer_engine *e, lead *l, int64_t now,
                          int kind, decision *dc);
int b2b2c__dealer_add_tried(b2b2c_dealer_engine *e, lead *l, uint32_t v);

/* dealer_audit.c */
void b2b2c__dealer_aud_link(b2b2c_dealer_engine *e, size_t i);
int b2b2c__dealer_aud_push(b2b2c_dealer_engine *e, const aent *x);
int b2b2c__dealer_aud_append(b2b2c_dealer_engine *e, lead *l,
                             const decision *dc, int64_t now, int kind,
                             int creates);

/* dealer_store.c */
/* What the records hold, decoded (one decoder per record, for the load
 * and for refresh). */
typedef struct dstate {
    double param[NPARAM]; /* the defaults past those stored */
    uint64_t seq;
    b2b2c__rng rng;
} dstate;
typedef struct lead_attrs {
    int64_t created, deadline;
    char region[64], product[256];
    int32_t has_loc, segment, band, state;
    double lat, lon;
    uint8_t cklen; /* the customer key, 0: none (lead record version 2,
                      audit record version 4) */
    unsigned char ck[B2B2C_DEALER_CUSTOMER_KEY_MAX];
} lead_attrs;
typedef struct audrec {
    aent a; /* a.lead NULL when the lead is not in memory */
    b2b2c__rng rng;
    int creates; /* the record carries the lead as routed (at) */
    uint8_t service; /* the lead's service kind (version 3), else 0 */
    lead_attrs at;
    char lid[256];
    size_t lidlen;
    /* version 5: the lead is closed (dealer_close.c): its final state,
     * the number of its declined and expired dealers and where they are
     * in the record (b2b2c__dealer_stub_of_rec reads them) */
    int closed;
    lmut cm;
    uint32_t cnt;
    b2b2c__rbuf ctr;
} audrec;
int b2b2c__dealer_dec_state(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const void *v, size_t vl, dstate *out);
int b2b2c__dealer_dec_dealer(b2b2c_dealer_engine *e, const void *k, size_t kl,
                             const void *v, size_t vl, int undoable,
                             dealer **out);
int b2b2c__dealer_dec_stats(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const void *v, size_t vl, dealer **dout,
                            dstats *sout, uint64_t *asof);
int b2b2c__dealer_dec_lead(b2b2c_dealer_engine *e, const void *k, size_t kl,
                           const void *v, size_t vl, lead_attrs *at, lmut *m,
                           uint32_t **tried_out, uint32_t *nt_out);
int b2b2c__dealer_dec_audit(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const void *v, size_t vl, audrec *out);
lead *b2b2c__dealer_lead_make(b2b2c_dealer_engine *e, const char *id,
                              size_t kl, const lead_attrs *at);
void b2b2c__dealer_aud_lead_state(lead *l, const audrec *ar);
int b2b2c__dealer_write_dealer(b2b2c_dealer_engine *e, const dealer *d);
int b2b2c__dealer_write_stats(b2b2c_dealer_engine *e, const dealer *d);
int b2b2c__dealer_write_lead(b2b2c_dealer_engine *e, const lead *l);
/* dealer_leads.c: l's open offer (offered or accepted) recalled at `at`:
 * undoable, its dealer's counters moved and written; the caller writes
 * l (b2b2c_dealer_recall, off-boarding, erase, merge). */
int b2b2c__dealer_recall_offer(b2b2c_dealer_engine *e, lead *l, int64_t at);
int b2b2c__dealer_write_audit(b2b2c_dealer_engine *e, const aent *a,
                              int creates);
int b2b2c__dealer_write_state(b2b2c_dealer_engine *e);
/* Rewrite audit record a under lead ID lid (lidlen bytes), dropping what
 * `drop` says: REWRITE_LOC the lead's location, REWRITE_CK its customer
 * key (dealer_erase.c). */
#define REWRITE_LOC 1
#define REWRITE_CK 2
int b2b2c__dealer_rewrite_audit(b2b2c_dealer_engine *e, const aent *a,
                                const char *lid, size_t lidlen, int drop);
/* Save n bytes at p for the undo log (on the context's undo arena). */
static inline int b2b2c__dealer_snap(b2b2c_dealer_engine *e, void *p, size_t n)
{
    return b2b2c__undo_save(e->ctx, p, n);
}
static inline int b2b2c__dealer_save_emut(b2b2c_dealer_engine *e)
{
    return b2b2c__undo_save(e->ctx, &e->m, sizeof(e->m));
}
int b2b2c__dealer_load(void *e); /* a b2b2c_dealer_engine */

/* dealer_owner.c */
int b2b2c__dealer_dec_owner(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const void *v, size_t vl, owner *out);
int b2b2c__dealer_owner_put(b2b2c_dealer_engine *e, const void *k, size_t kl,
                            const owner *x, int undoable);
int b2b2c__dealer_load_owners(b2b2c_dealer_engine *e);
void b2b2c__dealer_owners_clear(b2b2c_dealer_engine *e);
int b2b2c__dealer_owner_decide(b2b2c_dealer_engine *e, const lead *l,
                               const unsigned char *okey, size_t okl,
                               uint64_t oh, int64_t now, decision *dc,
                               uint32_t *odealer);
void b2b2c__dealer_decide_customer(b2b2c_dealer_engine *e, const lead *l,
                                   const void *ck, size_t cklen,
                                   int64_t now, decision *dc);
int b2b2c__dealer_customer_arg(b2b2c_ctx *ctx, const void *ck, size_t cklen);
size_t b2b2c__dealer_owner_key(unsigned char *buf, const void *ck,
                               size_t cklen, const char *prod, size_t pl);
int b2b2c__dealer_owner_key_ok(const void *k, size_t kl);

/* dealer_reg.c */
int b2b2c__dealer_dec_reg(b2b2c_dealer_engine *e, const void *k, size_t kl,
                          const void *v, size_t vl, rmut *m,
                          const unsigned char **ck, size_t *cklen);
int b2b2c__dealer_reg_put(b2b2c_dealer_engine *e, const void *k, size_t kl,
                          const rmut *m, const unsigned char *ck,
                          size_t cklen, int undoable);
int b2b2c__dealer_load_regs(b2b2c_dealer_engine *e);
void b2b2c__dealer_regs_clear(b2b2c_dealer_engine *e);
uint32_t b2b2c__dealer_reg_holder(const b2b2c_dealer_engine *e,
                                  const unsigned char *k, size_t kl,
                                  int64_t now);
int b2b2c__dealer_reg_won(b2b2c_dealer_engine *e, const unsigned char *k,
                          size_t kl, uint32_t dealer, int64_t at);
void b2b2c__dealer_reg_tally(const b2b2c_dealer_engine *e, int64_t from,
                             int64_t to, double (*f)[4]);
uint64_t b2b2c__dealer_regs_digest(const b2b2c_dealer_engine *e);

/* dealer_service.c */
/* A certification of a dealer for a service on a product line ("" =
 * every line), in e->certs under its key [dealer number u32 LE][service
 * u8][product line]; its record's key in dealer_certs is [service
 * u8][dealer ID][0][product line]. Holds for now in [since, until). */
typedef struct cert {
    int64_t since, until;
    size_t klen;
    unsigned char key[];
} cert;
#define CERT_KEY_MAX (5 + B2B2C__ID_MAX)
int b2b2c__dealer_load_certs(b2b2c_dealer_engine *e);
void b2b2c__dealer_certs_clear(b2b2c_dealer_engine *e);
int b2b2c__dealer_apply_cert(b2b2c_dealer_engine *e, const void *k,
                             size_t kl, const void *v, size_t vl);
int b2b2c__dealer_certified_at(const b2b2c_dealer_engine *e, uint32_t di,
                               int service, const char *prod, int64_t now);
void b2b2c__dealer_service_filter(b2b2c_dealer_engine *e, pass *ps);
uint64_t b2b2c__dealer_certs_digest(const b2b2c_dealer_engine *e);

/* dealer_erase.c: the bodies of the erase calls (b2b2c_ctx_erase runs
 * them inside its own transaction). An erased lead stays, renamed to an
 * ID that is not UTF-8 ("\xff" first). */
int b2b2c__dealer_erase_lead_in(b2b2c_dealer_engine *e, const char *id,
                                size_t n);
int b2b2c__dealer_erase_customer_in(b2b2c_dealer_engine *e, const void *ck,
                                    size_t cklen);
/* b2b2c_ctx_erase: the ID as a lead and as a customer key (its bytes) */
int b2b2c__dealer_erase_op(void *h, const char *id, size_t n);
static inline int b2b2c__dealer_lead_erased(const lead *l)
{
    return l->id[0] == '\xff';
}

/* dealer_prune.c: another context pruned the audit record with key k */
int b2b2c__dealer_aud_drop(b2b2c_dealer_engine *e, const void *k, size_t kl);

/* dealer_store.c: lead l's record (with its customer key when withkey)
 * into `table` under its ID. */
int b2b2c__dealer_write_lead_to(b2b2c_dealer_engine *e, const lead *l,
                                const char *table, int withkey);

/* dealer_leads.c */
int b2b2c__dealer_find_lead(b2b2c_dealer_engine *e, const char *id, size_t n,
                            lead **out);
int b2b2c__dealer_id_arg(b2b2c_ctx *ctx, const char *what, const char *id,
                         size_t *n);

#include "dealer_stub.h"

#endif
