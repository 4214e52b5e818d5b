/* SPDX-License-Identifier: MIT */
/* b2b2c dealers: route leads from CSV files, or simulate the routing
 * policies against an oracle that knows every dealer's true rates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const POLICY_ARGS[] = {"rr", "tier", "performance",
                                          "thompson"};

static int parse_policy(const char *s, int32_t *out)
{
    for (int32_t i = 0; i < 4; i++)
        if (strcmp(s, POLICY_ARGS[i]) == 0) {
            *out = i;
            return 0;
        }
    return -1;
}

static int lib_error(b2b2c_ctx *ctx, int rc)
{
    return cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                          b2b2c_strerror(rc));
}

/* ---- route ------------------------------------------------------------- */

int cli_dealers_open(b2b2c_ctx **ctx, b2b2c_dealer_engine **e,
                     int32_t policy, uint64_t seed)
{
    int rc = cli_ctx_new(ctx);
    if (rc)
        return rc;
    if ((rc = b2b2c_dealer_new(e, *ctx)) != 0 ||
        (rc = b2b2c_dealer_set_param(*e, B2B2C_DEALER_PARAM_POLICY,
                                     policy)) != 0 ||
        (rc = b2b2c_dealer_seed(*e, seed)) != 0)
        return lib_error(*ctx, rc);
    return 0;
}

int cli_dealers_load(b2b2c_ctx *ctx, b2b2c_dealer_engine *e,
                     const char *path)
{
    cli_csv c;
    int ci, cr, cc, ct, cp, r, rc = 0;
    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    {
        static const char *const known[] = {"dealer_id", "regions", "capacity", "tier_weight", "product_lines", NULL};
        if (cli_csv_known(&c, known) != 0) {
            cli_csv_close(&c);
            return CLI_EDATA;
        }
    }
    ci = cli_csv_col(&c, "dealer_id");
    cr = cli_csv_col(&c, "regions");
    cc = cli_csv_col(&c, "capacity");
    ct = cli_csv_col(&c, "tier_weight");
    cp = cli_csv_col(&c, "product_lines");
    if (ci < 0 || cr < 0 || cc < 0) {
        rc = cli_csv_error(&c, "header needs dealer_id,regions,capacity "
                               "(and optionally tier_weight,product_lines)");
        goto out;
    }
    while ((r = cli_csv_next(&c)) == 1) {
        int64_t cap;
        double tier = 1.0;
        int lrc;
        if (cli_parse_int64(cli_csv_field(&c, cc), &cap) || cap < 0 ||
            cap > 1000000) {
            rc = cli_csv_error(&c, "capacity '%s' is not an integer in "
                                   "[0, 1000000]", cli_csv_field(&c, cc));
            goto out;
        }
        if (ct >= 0 && *cli_csv_field(&c, ct) &&
            cli_parse_double(cli_csv_field(&c, ct), &tier)) {
            rc = cli_csv_error(&c, "tier_weight '%s' is not a number",
                               cli_csv_field(&c, ct));
            goto out;
        }
        lrc = b2b2c_dealer_put(e, cli_csv_field(&c, ci), tier,
                               cli_csv_field(&c, cr),
                               cp >= 0 ? cli_csv_field(&c, cp) : "",
                               (int32_t)cap, 0, 24.0);
        if (lrc) {
            rc = cli_csv_error(&c, "%s", b2b2c_ctx_errmsg(ctx));
            goto out;
        }
    }
    if (r < 0)
        rc = CLI_EDATA;
out:
    cli_csv_close(&c);
    return rc;
}

static int run_route(int argc, char **argv)
{
    /* with --db the dealers are those stored earlier: the file is optional
     * and creates or updates dealers (their statistics are kept) */
    cli_opt opts[] = {{"dealers", NULL, !cli_db_given()},
                      {"leads", NULL, 1},
                      {"policy", NULL, 0},  {"seed", NULL, 0},
                      {"wins", NULL, 0},    {"format", NULL, 0},
                      {NULL, NULL, 0}};
    static const char *const cols[] = {"lead_id", "dealer_id", "reason"};
    int32_t policy = B2B2C_DEALER_POLICY_PERFORMANCE;
    int64_t seed = 0;
    b2b2c_ctx *ctx = NULL;
    b2b2c_dealer_engine *e = NULL;
    cli_csv c;
    cli_table out;
    int rc, r, cl, cg, cp, ctm, ck, copen = 0, json;

    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0 ||
        (rc = cli_format_parse(opts, &json)) != 0)
        return rc;
    if (cli_opt_get(opts, "policy") &&
        parse_policy(cli_opt_get(opts, "policy"), &policy))
        return cli_usage_error("--policy must be rr, tier, performance or "
                               "thompson");
    if (cli_opt_get(opts, "seed") &&
        (cli_parse_int64(cli_opt_get(opts, "seed"), &seed) || seed < 0))
        return cli_usage_error("--seed must be a non-negative integer");
    if ((rc = cli_dealers_open(&ctx, &e, policy, (uint64_t)seed)) != 0 ||
        (cli_opt_get(opts, "dealers") &&
         (rc = cli_dealers_load(ctx, e, cli_opt_get(opts, "dealers"))) !=
             0) ||
        (cli_opt_get(opts, "wins") &&
         (rc = cli_dealers_load_wins(ctx, e, cli_opt_get(opts, "wins"))) !=
             0))
        goto out;
    if (cli_csv_open(&c, cli_opt_get(opts, "leads"))) {
        rc = CLI_EDATA;
        goto out;
    }
    copen = 1;
    {
        static const char *const known[] = {"lead_id", "region", "product_line", "timestamp", "customer_key", NULL};
        if (cli_csv_known(&c, known) != 0) {
            rc = CLI_EDATA;
            goto out;
        }
    }
    cl = cli_csv_col(&c, "lead_id");
    cg = cli_csv_col(&c, "region");
    cp = cli_csv_col(&c, "product_line");
    ctm = cli_csv_col(&c, "timestamp");
    ck = cli_csv_col(&c, "customer_key");
    if (cl < 0 || cg < 0 || ctm < 0) {
        rc = cli_csv_error(&c, "header needs lead_id,region,timestamp (and "
                               "optionally product_line,customer_key)");
        goto out;
    }
    cli_table_begin(&out, json, cols, 3);
    while ((r = cli_csv_next(&c)) == 1) {
        int64_t t;
        const char *d = NULL;
        unsigned char key[B2B2C_DEALER_CUSTOMER_KEY_MAX];
        size_t kl = 0;
        int32_t why = 0;
        int lrc;
        if (cli_parse_time(cli_csv_field(&c, ctm), &t)) {
            rc = cli_csv_error(&c, "timestamp '%s' is not a date/time",
                               cli_csv_field(&c, ctm));
            goto out;
        }
        if (ck >= 0 && *cli_csv_field(&c, ck) &&
            cli_parse_key(cli_csv_field(&c, ck), key, &kl)) {
            rc = cli_csv_error(&c, "customer_key '%s' is not 1 to %d bytes "
                                   "in hex",
                               cli_csv_field(&c, ck),
                               B2B2C_DEALER_CUSTOMER_KEY_MAX);
            goto out;
        }
        if (ck >= 0 && *cli_csv_field(&c, ck))
            lrc = b2b2c_dealer_route_customer(
                &d, &why, e, cli_csv_field(&c, cl), key, kl,
                cli_csv_field(&c, cg), 0, 0, 0,
                cp >= 0 ? cli_csv_field(&c, cp) : "",
                B2B2C_SEGMENT_B2C_CONSUMER, B2B2C_BAND_UNKNOWN, t);
        else
            lrc = b2b2c_dealer_route(&d, &why, e, cli_csv_field(&c, cl),
                                     cli_csv_field(&c, cg), 0, 0, 0,
                                     cp >= 0 ? cli_csv_field(&c, cp) : "",
                                     B2B2C_SEGMENT_B2C_CONSUMER,
                                     B2B2C_BAND_UNKNOWN, t);
        if (lrc && lrc != B2B2C_ENODEALER) {
            rc = cli_csv_error(&c, "%s", b2b2c_ctx_errmsg(ctx));
            goto out;
        }
        cli_table_str(&out, cli_csv_field(&c, cl));
        cli_table_str(&out, d);
        cli_table_str(&out, b2b2c_dealer_reason_name(why));
    }
    if (r < 0)
        rc = CLI_EDATA;
    else
        cli_table_end(&out);
out:
    if (copen)
        cli_csv_close(&c);
    b2b2c_dealer_free(e);
    cli_ctx_free(ctx);
    return rc;
}

/* ---- simulate ----------------------------------------------------------- */

/*
 * Model: N dealers in max(1, N/10) regions, each with a hidden probability
 * of accepting an offer (uniform 0.5..0.95) and of converting an accepted
 * lead (Beta(2, 6), mean 0.25), capacity 3..10 open leads, tier weight
 * 1..3 unrelated to performance. M leads arrive evenly, in random regions,
 * at a rate that fills about half the network's capacity (an accepted lead
 * stays open 7 days on average). An offered dealer accepts after 2 hours
 * with its acceptance probability; otherwise it declines after 6 hours or
 * lets the 24-hour deadline pass (even odds). Each lead carries its own
 * random stream, so every policy and the oracle face the same coin flips.
 * The oracle knows the true rates and offers each lead to the eligible
 * dealer with the highest accept x convert probability, under the same
 * capacities and re-routing rules.
 *
 * Repeat purchases (issue 14, policies only): lead k is customer "C<k>";
 * a won lead makes its dealer the customer's owner (owner_win). Once
 * every first-phase lead is closed, each won customer comes back once
 * (a repeat-due or service lead, its own random stream), the returns
 * spread evenly over as long as the first phase lasted, in the
 * customer's region, routed with its key (route_customer); a share of
 * the dealers (--repeat-paused) is paused for the whole phase. OWNER_DAYS
 * is set to its maximum (3650) so that no window ends during the run.
 * Reported: the repeat leads kept by their owner, and those whose owner
 * was skipped by reason (the audit's OWNER field).
 */

typedef struct sm64 {
    uint64_t s;
} sm64;

static uint64_t sm_next(sm64 *r) /* splitmix64 (Steele et al. 2014) */
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double sm_unif(sm64 *r)
{
    return (double)(sm_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Gamma(k, 1) for integer k: sum of exponentials. */
static double sm_gamma_int(sm64 *r, int k)
{
    double s = 0;
    for (int i = 0; i < k; i++)
        s -= log(1.0 - sm_unif(r));
    return s;
}

enum { EV_ACCEPT = 1, EV_DECLINE = 2, EV_OUTCOME = 3, EV_EXPIRE = 4 };

typedef struct ev {
    int64_t t;
    uint64_t seq;
    int type, lead, dealer, won;
} ev;

typedef struct sim {
    int nd, nr, nl, oracle;
    double *pa, *pc, *tier;
    int *cap, *open, *offers;
    int **by_region, *nby_region;
    sm64 *ls;             /* per-lead random streams */
    int *lead_region, *lead_dealer, *lead_state; /* 1 offered 2 accepted */
    int **tried, *ntried; /* oracle: dealers that declined/expired */
    ev *heap;
    size_t nheap, capheap;
    uint64_t evseq;
    long conversions, no_dealer;
    b2b2c_ctx *ctx;
    b2b2c_dealer_engine *e;
    int *rr_lead, *rr_to; /* engine re-routings reported by expire */
    size_t nrr, caprr;
    int64_t now;
    /* repeat phase: lead nl + j is customer rep_cust[j]'s return */
    int *won_by;          /* first-phase lead's winner (the owner), or -1 */
    int *rep_cust, nrep;
    unsigned char *paused; /* dealers paused in the repeat phase */
    long rep_kept, rep_owner_paused, rep_nodealer, rep_skip[8];
} sim;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("b2b2c: out of memory\n", stderr);
        exit(CLI_EDATA);
    }
    return p;
}

static int ev_less(const ev *a, const ev *b)
{
    return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

static void ev_push(sim *s, int64_t t, int type, int lead, int dealer,
                    int won)
{
    size_t i;
    if (s->nheap == s->capheap) {
        s->capheap = s->capheap ? 2 * s->capheap : 1024;
        s->heap = xrealloc(s->heap, s->capheap * sizeof(ev));
    }
    i = s->nheap++;
    s->heap[i] = (ev){t, s->evseq++, type, lead, dealer, won};
    while (i > 0 && ev_less(&s->heap[i], &s->heap[(i - 1) / 2])) {
        ev tmp = s->heap[i];
        s->heap[i] = s->heap[(i - 1) / 2];
        s->heap[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

static ev ev_pop(sim *s)
{
    ev top = s->heap[0];
    size_t i = 0;
    s->heap[0] = s->heap[--s->nheap];
    for (;;) {
        size_t c = 2 * i + 1;
        ev tmp;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && ev_less(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!ev_less(&s->heap[c], &s->heap[i]))
            break;
        tmp = s->heap[i];
        s->heap[i] = s->heap[c];
        s->heap[c] = tmp;
        i = c;
    }
    return top;
}

/* Lead k offered to dealer d at t (or nobody, d < 0): the dealer's
 * reaction comes from the lead's own random stream. */
static void offered(sim *s, int k, int d, int64_t t)
{
    s->lead_dealer[k] = d;
    if (d < 0) {
        s->lead_state[k] = 0;
        s->no_dealer++;
        return;
    }
    s->lead_state[k] = 1;
    s->offers[d]++;
    if (s->oracle)
        s->open[d]++;
    if (sm_unif(&s->ls[k]) < s->pa[d])
        ev_push(s, t + 2 * 3600, EV_ACCEPT, k, d, 0);
    else if (sm_unif(&s->ls[k]) < 0.5)
        ev_push(s, t + 6 * 3600, EV_DECLINE, k, d, 0);
    else if (s->oracle)
        ev_push(s, t + 24 * 3600, EV_EXPIRE, k, d, 0);
}

static int oracle_pick(sim *s, int k)
{
    int r = s->lead_region[k], best = -1;
    for (int i = 0; i < s->nby_region[r]; i++) {
        int d = s->by_region[r][i], skip = 0;
        if (s->open[d] >= s->cap[d])
            continue;
        for (int j = 0; j < s->ntried[k]; j++)
            skip |= s->tried[k][j] == d;
        if (!skip && (best < 0 || s->pa[d] * s->pc[d] >
                                      s->pa[best] * s->pc[best]))
            best = d;
    }
    return best;
}

static void oracle_tried(sim *s, int k, int d)
{
    s->tried[k] = xrealloc(s->tried[k], (size_t)(s->ntried[k] + 1) *
                                            sizeof(int));
    s->tried[k][s->ntried[k]++] = d;
    s->open[d]--;
}

static int on_reroute(const char *lead, const char *from, const char *to,
                      int32_t reason, void *payload)
{
    sim *s = payload;
    (void)from;
    (void)reason;
    if (s->nrr == s->caprr) {
        s->caprr = s->caprr ? 2 * s->caprr : 256;
        s->rr_lead = xrealloc(s->rr_lead, s->caprr * sizeof(int));
        s->rr_to = xrealloc(s->rr_to, s->caprr * sizeof(int));
    }
    s->rr_lead[s->nrr] = atoi(lead + 1);
    s->rr_to[s->nrr++] = to ? atoi(to + 1) : -1;
    return 0;
}

static int engine_expire(sim *s, int64_t t)
{
    int rc;
    s->nrr = 0;
    if ((rc = b2b2c_dealer_expire(NULL, s->e, t, on_reroute, s)) != 0)
        return rc;
    for (size_t i = 0; i < s->nrr; i++)
        offered(s, s->rr_lead[i], s->rr_to[i], t);
    return 0;
}

static int sim_event(sim *s, const ev *x)
{
    char lid[32], did[32];
    const char *nd = NULL;
    int k = x->lead, rc = 0;
    snprintf(lid, sizeof lid, "L%d", k);
    snprintf(did, sizeof did, "D%d", x->dealer);
    switch (x->type) {
    case EV_ACCEPT: {
        int won = sm_unif(&s->ls[k]) < s->pc[x->dealer];
        double hold = -log(1.0 - sm_unif(&s->ls[k])) * 7 * 86400.0;
        if (!s->oracle &&
            (rc = b2b2c_dealer_accept(s->e, lid, did, x->t)) != 0)
            return rc;
        s->lead_state[k] = 2;
        ev_push(s, x->t + 1 + (int64_t)hold, EV_OUTCOME, k, x->dealer, won);
        break;
    }
    case EV_DECLINE:
        if (s->oracle) {
            oracle_tried(s, k, x->dealer);
            offered(s, k, oracle_pick(s, k), x->t);
        } else {
            if ((rc = b2b2c_dealer_decline(&nd, NULL, s->e, lid, did, 0,
                                           x->t)) != 0)
                return rc;
            offered(s, k, nd ? atoi(nd + 1) : -1, x->t);
        }
        break;
    case EV_EXPIRE: /* oracle only; the engine expires by itself */
        if (s->lead_state[k] == 1 && s->lead_dealer[k] == x->dealer) {
            oracle_tried(s, k, x->dealer);
            offered(s, k, oracle_pick(s, k), x->t);
        }
        break;
    case EV_OUTCOME:
        if (s->oracle)
            s->open[x->dealer]--;
        else if ((rc = b2b2c_dealer_outcome(s->e, lid, x->won,
                                            x->won ? 1000.0 : 0.0, x->t)))
            return rc;
        if (!s->oracle && x->won && k < s->nl) {
            char key[32];
            int kl = snprintf(key, sizeof key, "C%d", k);
            if ((rc = b2b2c_dealer_owner_win(s->e, lid, key, (size_t)kl)))
                return rc;
            s->won_by[k] = x->dealer;
        }
        s->lead_state[k] = 0;
        s->conversions += x->won;
        break;
    }
    return 0;
}

static int on_audit(const char *lead, const char *dealer, const double *f,
                    size_t n, void *payload)
{
    (void)lead;
    (void)dealer;
    *(int *)payload = n > B2B2C_DEALER_AUDIT_OWNER
                          ? (int)f[B2B2C_DEALER_AUDIT_OWNER]
                          : B2B2C_DEALER_OWNER_NONE;
    return 0;
}

/* Repeat lead k (customer rep_cust[k - nl]) routed with its key at ta:
 * kept by the owner, or the owner skipped and why. */
static int route_repeat(sim *s, int k, const char *lid, const char *reg,
                        int64_t ta, const char **d)
{
    int c = s->rep_cust[k - s->nl], owner = s->won_by[c], why_owner = 0;
    int32_t why = 0;
    char key[32];
    int kl = snprintf(key, sizeof key, "C%d", c), rc;
    rc = b2b2c_dealer_route_customer(d, &why, s->e, lid, key, (size_t)kl,
                                     reg, 0, 0, 0, "",
                                     B2B2C_SEGMENT_B2C_CONSUMER,
                                     B2B2C_BAND_WARM, ta);
    if (rc && rc != B2B2C_ENODEALER)
        return rc;
    s->rep_owner_paused += s->paused[owner];
    if (why == B2B2C_DEALER_REASON_OWNER && *d && atoi(*d + 1) == owner) {
        s->rep_kept++;
        return 0;
    }
    if (rc == B2B2C_ENODEALER) { /* nobody eligible, the owner neither:
                                     no lead stored, no audit record */
        s->rep_nodealer++;
        return 0;
    }
    if ((rc = b2b2c_dealer_audit_lead(s->e, lid, on_audit, &why_owner)))
        return rc;
    s->rep_skip[why_owner >= 0 && why_owner < 8 ? why_owner : 0]++;
    return 0;
}

/* Leads k0..k1-1 arrive from t0, one every `step` seconds. */
static int sim_run(sim *s, int k0, int k1, int64_t t0, double step)
{
    char lid[32];
    int rc;
    for (int k = k0; k <= k1; k++) {
        int64_t ta = k < k1 ? t0 + (int64_t)((k - k0) * step) : INT64_MAX;
        for (;;) {
            int64_t te = s->nheap ? s->heap[0].t : INT64_MAX;
            int64_t tx = te < ta ? te : ta;
            if (tx == INT64_MAX && !s->oracle) {
                /* drain: let every remaining offer expire */
                int64_t far = s->now + 30 * 86400;
                if ((rc = engine_expire(s, far)) != 0)
                    return rc;
                s->now = far;
                if (s->nheap)
                    continue;
                break;
            }
            if (tx == INT64_MAX)
                break;
            if (!s->oracle && (rc = engine_expire(s, tx)) != 0)
                return rc;
            s->now = tx;
            if (s->nheap && s->heap[0].t <= tx && s->heap[0].t < ta) {
                ev x = ev_pop(s);
                if ((rc = sim_event(s, &x)) != 0)
                    return rc;
                continue;
            }
            break;
        }
        if (k == k1)
            break;
        if (s->oracle) {
            offered(s, k, oracle_pick(s, k), ta);
        } else {
            const char *d = NULL;
            char reg[16];
            snprintf(lid, sizeof lid, "L%d", k);
            snprintf(reg, sizeof reg, "R%d", s->lead_region[k]);
            if (k >= s->nl)
                rc = route_repeat(s, k, lid, reg, ta, &d);
            else
                rc = b2b2c_dealer_route(&d, NULL, s->e, lid, reg, 0, 0, 0,
                                        "", B2B2C_SEGMENT_B2C_CONSUMER,
                                        B2B2C_BAND_WARM, ta);
            if (rc && rc != B2B2C_ENODEALER)
                return rc;
            offered(s, k, d ? atoi(d + 1) : -1, ta);
        }
    }
    return 0;
}

typedef struct simres {
    long conversions, no_dealer;
    int *offers;
    /* the repeat phase (policies only) */
    long nrep, kept, owner_paused, nodealer, skip[8];
} simres;

/* After the first phase: every won customer comes back once, a share
 * `paused` of the dealers paused for the phase (their own stream, so
 * the first phase is as without the repeat phase). */
static int repeat_phase(sim *s, uint64_t seed, double paused, double step)
{
    sm64 w = {seed * 0x9e3779b97f4a7c15ULL + 777};
    int64_t t1 = s->now + 86400;
    char id[32];
    int rc;
    for (int d = 0; d < s->nd; d++) {
        s->paused[d] = sm_unif(&w) < paused;
        snprintf(id, sizeof id, "D%d", d);
        if (s->paused[d] &&
            (rc = b2b2c_dealer_set_status(s->e, id, B2B2C_DEALER_PAUSED,
                                          t1 + 3650 * (int64_t)86400)))
            return rc;
    }
    for (int k = 0; k < s->nl; k++) {
        int r = s->nl + s->nrep;
        if (s->won_by[k] < 0)
            continue;
        s->rep_cust[s->nrep++] = k;
        s->lead_region[r] = s->lead_region[k];
        s->ls[r].s = sm_next(&w);
    }
    /* the returns spread over as long as the first phase lasted */
    return sim_run(s, s->nl, s->nl + s->nrep, t1,
                   s->nrep ? step * s->nl / s->nrep : step);
}

/* One run: the world is rebuilt from `seed`, so every policy and the oracle
 * see the same dealers, leads and coin flips. policy < 0: the oracle. */
static int simulate_one(int nd, int nl, int32_t policy, uint64_t seed,
                        double paused, simres *out, double *pa_out,
                        double *pc_out)
{
    size_t nl2 = 2 * (size_t)nl; /* first-phase leads and their returns */
    sim s;
    sm64 w = {seed * 0x9e3779b97f4a7c15ULL + 12345};
    double totcap = 0, step;
    int rc = 0;
    memset(&s, 0, sizeof s);
    s.nd = nd;
    s.nl = nl;
    s.nr = nd / 10 > 0 ? nd / 10 : 1;
    s.oracle = policy < 0;
    s.pa = xrealloc(NULL, (size_t)nd * sizeof(double));
    s.pc = xrealloc(NULL, (size_t)nd * sizeof(double));
    s.tier = xrealloc(NULL, (size_t)nd * sizeof(double));
    s.cap = calloc((size_t)nd, sizeof(int));
    s.open = calloc((size_t)nd, sizeof(int));
    s.offers = calloc((size_t)nd, sizeof(int));
    s.by_region = calloc((size_t)s.nr, sizeof(int *));
    s.nby_region = calloc((size_t)s.nr, sizeof(int));
    s.ls = xrealloc(NULL, nl2 * sizeof(sm64));
    s.lead_region = xrealloc(NULL, nl2 * sizeof(int));
    s.lead_dealer = calloc(nl2, sizeof(int));
    s.lead_state = calloc(nl2, sizeof(int));
    s.tried = calloc(nl2, sizeof(int *));
    s.ntried = calloc(nl2, sizeof(int));
    s.won_by = xrealloc(NULL, (size_t)nl * sizeof(int));
    s.rep_cust = xrealloc(NULL, (size_t)nl * sizeof(int));
    s.paused = calloc((size_t)nd, 1);
    if (!s.cap || !s.open || !s.offers || !s.by_region || !s.nby_region ||
        !s.lead_dealer || !s.lead_state || !s.tried || !s.ntried ||
        !s.paused)
        return cli_data_error("out of memory");
    for (int k = 0; k < nl; k++)
        s.won_by[k] = -1;
    for (int d = 0; d < nd; d++) {
        int r = d % s.nr;
        s.pa[d] = 0.5 + 0.45 * sm_unif(&w);
        {
            double g1 = sm_gamma_int(&w, 2), g2 = sm_gamma_int(&w, 6);
            s.pc[d] = g1 / (g1 + g2); /* Beta(2, 6) */
        }
        s.cap[d] = 3 + (int)(sm_unif(&w) * 8);
        s.tier[d] = 1 + (int)(sm_unif(&w) * 3);
        totcap += s.cap[d];
        s.by_region[r] = xrealloc(s.by_region[r],
                                  (size_t)(s.nby_region[r] + 1) *
                                      sizeof(int));
        s.by_region[r][s.nby_region[r]++] = d;
    }
    for (int k = 0; k < nl; k++) {
        s.lead_region[k] = (int)(sm_unif(&w) * s.nr);
        s.ls[k].s = sm_next(&w);
    }
    /* leads per second so that accepted leads (open 7 days on average, most
     * offers accepted) fill about half the capacity */
    step = 7.0 * 86400.0 * 0.75 / (0.5 * totcap);
    if (!s.oracle) {
        char id[32], reg[16];
        if ((rc = b2b2c_ctx_new(&s.ctx, NULL, NULL)) != 0)
            return cli_data_error("%s", b2b2c_strerror(rc));
        if ((rc = b2b2c_dealer_new(&s.e, s.ctx)) != 0 ||
            (rc = b2b2c_dealer_set_param(s.e, B2B2C_DEALER_PARAM_POLICY,
                                         policy)) != 0 ||
            (rc = b2b2c_dealer_seed(s.e, seed)) != 0 ||
            (rc = b2b2c_dealer_set_param(s.e, B2B2C_DEALER_PARAM_OWNER_DAYS,
                                         3650)) != 0)
            goto lib;
        for (int d = 0; d < nd; d++) {
            snprintf(id, sizeof id, "D%d", d);
            snprintf(reg, sizeof reg, "R%d", d % s.nr);
            if ((rc = b2b2c_dealer_put(s.e, id, s.tier[d], reg, "", s.cap[d],
                                       0, 24.0)) != 0)
                goto lib;
        }
    }
    if ((rc = sim_run(&s, 0, nl, 1767225600, step)) != 0)
        goto lib;
    out->conversions = s.conversions;
    out->no_dealer = s.no_dealer;
    out->offers = xrealloc(NULL, (size_t)nd * sizeof(int));
    memcpy(out->offers, s.offers, (size_t)nd * sizeof(int));
    if (!s.oracle) {
        if ((rc = repeat_phase(&s, seed, paused, step)) != 0)
            goto lib;
        out->nrep = s.nrep;
        out->kept = s.rep_kept;
        out->owner_paused = s.rep_owner_paused;
        out->nodealer = s.rep_nodealer;
        memcpy(out->skip, s.rep_skip, sizeof(out->skip));
    }
    if (pa_out)
        memcpy(pa_out, s.pa, (size_t)nd * sizeof(double));
    if (pc_out)
        memcpy(pc_out, s.pc, (size_t)nd * sizeof(double));
lib:
    if (rc)
        rc = lib_error(s.ctx, rc);
    b2b2c_dealer_free(s.e);
    b2b2c_ctx_free(s.ctx);
    for (int r = 0; r < s.nr; r++)
        free(s.by_region[r]);
    for (size_t k = 0; k < nl2; k++)
        free(s.tried[k]);
    free(s.pa), free(s.pc), free(s.tier), free(s.cap), free(s.open);
    free(s.offers), free(s.by_region), free(s.nby_region), free(s.ls);
    free(s.lead_region), free(s.lead_dealer), free(s.lead_state);
    free(s.tried), free(s.ntried), free(s.heap), free(s.rr_lead);
    free(s.rr_to), free(s.won_by), free(s.rep_cust), free(s.paused);
    return rc;
}

static const double *g_score;
static int by_score(const void *a, const void *b)
{
    double x = g_score[*(const int *)a], y = g_score[*(const int *)b];
    return x > y ? -1 : x < y ? 1 : *(const int *)a - *(const int *)b;
}

static int run_simulate(int argc, char **argv)
{
    cli_opt opts[] = {{"dealers", NULL, 1},       {"leads", NULL, 1},
                      {"policy", NULL, 1},        {"seed", NULL, 0},
                      {"repeat-paused", NULL, 0}, {NULL, NULL, 0}};
    int64_t nd, nl, seed = 1;
    double paused = 0;
    long skipped = 0;
    int32_t policy;
    simres res, orc;
    double *pa, *pc, *score, total = 0;
    int *order, rc, with_leads = 0;

    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0)
        return rc;
    if (cli_parse_int64(cli_opt_get(opts, "dealers"), &nd) || nd < 1 ||
        nd > 100000)
        return cli_usage_error("--dealers must be an integer in [1, 100000]");
    if (cli_parse_int64(cli_opt_get(opts, "leads"), &nl) || nl < 1 ||
        nl > 10000000)
        return cli_usage_error("--leads must be an integer in [1, 10000000]");
    if (parse_policy(cli_opt_get(opts, "policy"), &policy))
        return cli_usage_error("--policy must be rr, tier, performance or "
                               "thompson");
    if (cli_opt_get(opts, "seed") &&
        (cli_parse_int64(cli_opt_get(opts, "seed"), &seed) || seed < 0))
        return cli_usage_error("--seed must be a non-negative integer");
    if (cli_opt_get(opts, "repeat-paused") &&
        (cli_parse_double(cli_opt_get(opts, "repeat-paused"), &paused) ||
         paused < 0 || paused > 1))
        return cli_usage_error("--repeat-paused must be a number in [0, 1]");
    pa = xrealloc(NULL, (size_t)nd * sizeof(double));
    pc = xrealloc(NULL, (size_t)nd * sizeof(double));
    score = xrealloc(NULL, (size_t)nd * sizeof(double));
    order = xrealloc(NULL, (size_t)nd * sizeof(int));
    memset(&res, 0, sizeof res);
    memset(&orc, 0, sizeof orc);
    if ((rc = simulate_one((int)nd, (int)nl, policy, (uint64_t)seed, paused,
                           &res, pa, pc)) != 0 ||
        (rc = simulate_one((int)nd, (int)nl, -1, (uint64_t)seed, paused,
                           &orc, NULL, NULL)) != 0)
        goto out;
    for (int i = 2; i < 8; i++)
        skipped += res.skip[i];
    skipped += res.skip[B2B2C_DEALER_OWNER_NONE] + res.nodealer;
    for (int d = 0; d < nd; d++) {
        score[d] = pa[d] * pc[d];
        order[d] = d;
        total += res.offers[d];
        with_leads += res.offers[d] > 0;
    }
    g_score = score;
    qsort(order, (size_t)nd, sizeof(int), by_score);
    printf("{\"policy\": \"%s\", \"dealers\": %d, \"regions\": %d, "
           "\"leads\": %d, \"seed\": %lld,\n",
           b2b2c_dealer_policy_name(policy), (int)nd,
           nd / 10 > 0 ? (int)nd / 10 : 1, (int)nl, (long long)seed);
    printf(" \"conversions\": %ld, \"oracle_conversions\": %ld, "
           "\"ratio_to_oracle\": %.4f,\n",
           res.conversions, orc.conversions,
           orc.conversions ? (double)res.conversions / orc.conversions : 0);
    printf(" \"no_dealer\": %ld, \"oracle_no_dealer\": %ld, "
           "\"dealers_with_leads\": %d,\n",
           res.no_dealer, orc.no_dealer, with_leads);
    printf(" \"decile_share\": [");
    for (int q = 0; q < 10; q++) {
        double sh = 0;
        int lo = (int)(q * nd / 10), hi = (int)((q + 1) * nd / 10);
        for (int i = lo; i < hi; i++)
            sh += res.offers[order[i]];
        printf("%s%.4f", q ? ", " : "", total > 0 ? sh / total : 0);
    }
    printf("],\n");
    /* the repeat phase: kept share among the leads whose owner was
     * eligible (target 1), the others by the reason the owner was skipped */
    printf(" \"repeat_paused\": %.4f, \"repeat_leads\": %ld, "
           "\"repeat_kept_by_owner\": %ld, \"repeat_kept_share\": %.4f,\n",
           paused, res.nrep, res.kept,
           res.nrep - skipped > 0
               ? (double)res.kept / (double)(res.nrep - skipped)
               : 1.0);
    printf(" \"repeat_owner_paused\": %ld, \"repeat_skipped\": {"
           "\"paused\": %ld, \"product\": %ld, \"declined\": %ld, "
           "\"capacity\": %ld, \"quota\": %ld, \"no_owner\": %ld, "
           "\"nobody_eligible\": %ld}}\n",
           res.owner_paused, res.skip[B2B2C_DEALER_OWNER_SKIP_INACTIVE],
           res.skip[B2B2C_DEALER_OWNER_SKIP_PRODUCT],
           res.skip[B2B2C_DEALER_OWNER_SKIP_TRIED],
           res.skip[B2B2C_DEALER_OWNER_SKIP_CAPACITY],
           res.skip[B2B2C_DEALER_OWNER_SKIP_QUOTA],
           res.skip[B2B2C_DEALER_OWNER_NONE], res.nodealer);
out:
    free(res.offers);
    free(orc.offers);
    free(pa), free(pc), free(score), free(order);
    return rc;
}

int cli_dealers_reg_run(int argc, char **argv);

static int run_dealers(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("dealers needs 'route', 'owners' or "
                               "'simulate' (try 'b2b2c help dealers')");
    if (strcmp(argv[1], "route") == 0)
        return run_route(argc, argv);
    if (strcmp(argv[1], "register") == 0 || strcmp(argv[1], "conflicts") == 0)
        return cli_dealers_reg_run(argc, argv);
    if (strcmp(argv[1], "owners") == 0)
        return cli_dealers_owners(argc, argv);
    if (strcmp(argv[1], "funnel") == 0)
        return cli_dealers_funnel(argc, argv);
    if (strcmp(argv[1], "scorecards") == 0)
        return cli_dealers_scorecards(argc, argv);
    if (strcmp(argv[1], "close") == 0)
        return cli_dealers_close(argc, argv);
    if (strcmp(argv[1], "simulate") == 0)
        return cli_db_refuse("dealers simulate") ? CLI_EUSAGE
                                                 : run_simulate(argc, argv);
    return cli_usage_error("unknown dealers command '%s'", argv[1]);
}

const cli_command cli_cmd_dealers = {
    "dealers", "route leads to dealers, list customers of record, register "
    "deals, or simulate the routing policies",
    "usage: b2b2c dealers route --dealers FILE.csv --leads FILE.csv\n"
    "                           [--policy rr|tier|performance|thompson] "
    "[--seed N]\n"
    "                           [--wins FILE.csv] [--format csv|json]\n"
    "       b2b2c dealers owners --dealers FILE.csv --wins FILE.csv --at TIME"
    "\n"
    "                            [--format csv|json]\n"
    "       b2b2c dealers simulate --dealers N --leads M --policy P "
    "[--seed S]\n"
    "                              [--repeat-paused F]\n"
    "       b2b2c dealers register|conflicts --registrations FILE.csv "
    "[--dealers FILE.csv]\n"
    "       b2b2c --db SPEC dealers funnel|scorecards [--from DATE] "
    "[--to DATE]\n"
    "                                 [--format csv|json]\n"
    "       b2b2c --db SPEC dealers close --at DATE [--max N]\n\n"
    "route: dealers CSV columns dealer_id,regions,capacity[,tier_weight]"
    "[,product_lines]\n"
    "  (lists separated by ';'); leads CSV lead_id,region,timestamp"
    "[,product_line].\n"
    "  Prints CSV lead_id,dealer_id,reason; every lead is offered once and\n"
    "  stays open, so capacity counts the leads routed in this run.\n"
    "  With --db (b2b2c help): the dealers, their open leads and their\n"
    "  past performance are those stored by earlier runs; --dealers is\n"
    "  then optional and creates or updates dealers (statistics kept),\n"
    "  and capacity counts every open lead in the database. A lead ID\n"
    "  routed before is an error (exit 1).\n"
    "  --wins: past wins, CSV customer_key,dealer_id,won_at[,product_line]"
    "\n"
    "  (keys in hex): each dealer owns its customer from won_at for "
    "OWNER_DAYS\n"
    "  (365); the latest win holds. A customer_key column in the leads CSV"
    "\n"
    "  (hex, empty: none) routes the customer's leads to its owner while "
    "the\n"
    "  owner is eligible (reason \"owner\"). With --db the owners persist."
    "\n"
    "owners: the customers of record live at --at, CSV customer_key,"
    "product_line,\n"
    "  dealer_id,since,until (times in UTC) or JSON {\"at\", \"owners\": "
    "[...]};\n"
    "  with --db the stored ones (--dealers and --wins then optional).\n"
    "simulate: N dealers in N/10 regions with hidden acceptance and "
    "conversion\n"
    "  rates; prints JSON with conversions, an oracle's conversions under "
    "the\n"
    "  same capacities, the share of leads per decile of dealers (best "
    "first)\n"
    "  and the leads that found no dealer. Then every customer won comes\n"
    "  back once (repeat phase, routed with its key; a share F of the\n"
    "  dealers paused): repeat_kept_share is the share of repeat leads kept\n"
    "  by their owner among those whose owner was eligible (target 1), and\n"
    "  repeat_skipped counts the others by why the owner was skipped.\n"
    "  It runs in memory: no --db.\n"
    "register --registrations FILE.csv [--dealers FILE.csv]: deal "
    "registrations,\n"
    "  CSV dealer_id,customer_key,timestamp,expected_close[,product_line]"
    "[,value]\n"
    "  [,action] (action register, the default, approve or reject; the "
    "key's\n"
    "  bytes are the key: hash personal data first). Prints CSV row,"
    "dealer_id,\n"
    "  customer_key,product_line,result,holder,holder_since,until; result "
    "is\n"
    "  accepted, approved, rejected, conflict (another dealer holds the "
    "key)\n"
    "  or duplicate (the dealer's own live registration).\n"
    "conflicts (same options): the refused rows only, with their time; "
    "nothing\n"
    "  is stored, also with --db (the run is rolled back).\n"
    "funnel: what became of the offers made in [--from, --to) per dealer,\n"
    "  then a '(network)' row: offered, open, accepted, declined, expired,\n"
    "  recalled, won, lost, the accept and win rates, and the median and\n"
    "  90th percentile of the response time (offer to accept or decline,\n"
    "  hours) and the close time (accept to won or lost, days).\n"
    "scorecards: every dealer offered a lead in [--from, --to), in rank\n"
    "  order of posterior conversion, with its credible interval, the gap\n"
    "  to the network median, shares, ownership and registration counts\n"
    "  (docs/dealer-allocation.md, \"Statistics and scorecards\").\n"
    "close: one bounded b2b2c_dealer_close_due at --at (default --max\n"
    "  10000): won, lost and direct leads resolved CLOSE_DAYS (180) before\n"
    "  and out of the audit window leave memory; prints closed,N.\n",
    run_dealers};
