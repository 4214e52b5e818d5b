/* SPDX-License-Identifier: MIT */
/*
 * b2b2c report: one screen for a sales director, read from the --db
 * database through the engines' own queries (nothing is computed here that
 * an engine answers; what they do not answer is said at the end). --html
 * FILE writes the same as one self-contained page (cli_report_html.c).
 * Every section is explained in docs/report.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_demo.h"
#include "cli_report.h"

extern const cli_command cli_cmd_report;

#define DAY INT64_C(86400)

const char *const rep_funnel_names[REP_FUNNEL] = {
    "created", "qualified", "passed to dealer", "accepted by dealer", "won",
    "customer"};

const char *rep_date(char *buf, int64_t t)
{
    cli_format_date(buf, 11, t);
    return buf;
}

typedef struct {
    const char *program; /* --bonus-program */
    b2b2c_ctx *ctx;
    b2b2c_segmenter *seg;
    b2b2c_lead_model *lm;
    b2b2c_dealer_engine *de;
    b2b2c_forecaster *fc;
    b2b2c_channels *ch;
    report r;
    int64_t latest; /* latest purchase, for the default --now */
} rep_ctx;

static int lib_fail(rep_ctx *x, int rc, const char *what)
{
    return cli_data_error("report: %s: %s (%s)", what,
                          b2b2c_ctx_errmsg(x->ctx), cli_strerror(rc));
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    void *q;
    size_t c;
    if (n < *cap)
        return p;
    c = *cap ? *cap * 2 : 64;
    q = realloc(p, c * size);
    if (q)
        *cap = c;
    return q;
}

/* ---- gathering ---- */

static int on_account(const char *id, int32_t segment, int64_t since,
                      int64_t version, void *u)
{
    report *r = u;
    (void)id, (void)since, (void)version;
    if (segment >= 0 && segment < REP_SEGMENTS)
        r->accounts[segment]++;
    return 0;
}

static int on_customer(const char *id, int32_t segment, int64_t first,
                       int64_t last, int64_t purchases, void *u)
{
    rep_ctx *x = u;
    (void)id, (void)first, (void)purchases;
    if (segment >= 0 && segment < REP_SEGMENTS)
        x->r.customers[segment]++;
    if (last > x->latest)
        x->latest = last;
    return 0;
}

static int on_clv(const char *id, int32_t segment, int64_t first,
                  int64_t last, int64_t purchases, void *u)
{
    rep_ctx *x = u;
    double cp, cs;
    int rc;
    (void)last, (void)purchases;
    if (segment < 0 || segment >= REP_SEGMENTS || first >= x->r.now)
        return 0;
    rc = b2b2c_forecaster_customer(NULL, NULL, NULL, NULL, &cp, &cs, x->fc,
                                   id, x->r.now, x->r.horizon);
    if (rc == B2B2C_ENOTREADY || (rc == 0 && !(isfinite(cp) && isfinite(cs)))) {
        x->r.clv_nofit[segment]++;
        return 0;
    }
    if (rc)
        return rc;
    x->r.clv_product[segment] += cp;
    x->r.clv_service[segment] += cs;
    x->r.clv_n[segment]++;
    return 0;
}

static int on_count(int32_t band, int32_t segment, const char *channel,
                    uint64_t count, void *u)
{
    report *r = u;
    (void)segment, (void)channel;
    if (band >= 0 && band < REP_BANDS)
        r->band[band] += count;
    return 0;
}

typedef struct {
    int reached[REP_FUNNEL];
} funnel_seen;

static int on_stage_move(int32_t from, int32_t to, int64_t at, void *u)
{
    funnel_seen *s = u;
    (void)from, (void)at;
    switch (to) {
    case B2B2C_LEAD_STAGE_QUALIFIED: s->reached[1] = 1; break;
    case B2B2C_LEAD_STAGE_PASSED_TO_DEALER: s->reached[2] = 1; break;
    case B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER: s->reached[3] = 1; break;
    case B2B2C_LEAD_STAGE_WON: s->reached[4] = 1; break;
    case B2B2C_LEAD_STAGE_CUSTOMER: s->reached[5] = 1; break;
    default: break;
    }
    return 0;
}

static int on_lead(const char *id, int32_t stage, int32_t band,
                   double score, void *u)
{
    rep_ctx *x = u;
    funnel_seen s;
    int rc;
    (void)band, (void)score;
    if (stage >= 0 && stage < REP_STAGES)
        x->r.stage[stage]++;
    x->r.leads_total++;
    memset(&s, 0, sizeof(s));
    s.reached[0] = 1;
    if ((rc = b2b2c_lead_stage_history(x->lm, id, on_stage_move, &s)) != 0)
        return rc;
    /* a lead won without a dealer still passed "qualified" on its way */
    for (int k = 0; k < REP_FUNNEL; k++)
        x->r.funnel[k] += s.reached[k];
    return 0;
}

static int on_scorecard(const char *id, const double *f, size_t n, void *u)
{
    report *r = u;
    rep_dealer *d;
    void *p;
    if (n < B2B2C_DEALER_SC_GAP_TO_MEDIAN + 1)
        return B2B2C_EVERSION;
    if (!(p = grow(r->dealers, &r->capdealers, r->ndealers, sizeof(*d))))
        return B2B2C_ENOMEM;
    r->dealers = p;
    d = &r->dealers[r->ndealers++];
    snprintf(d->id, sizeof(d->id), "%s", id);
    d->offered = f[B2B2C_DEALER_SC_OFFERED];
    d->won = f[B2B2C_DEALER_SC_WON];
    d->conv = f[B2B2C_DEALER_SC_CONVERSION];
    d->mean = f[B2B2C_DEALER_SC_CONV_MEAN];
    d->low = f[B2B2C_DEALER_SC_CONV_LOW];
    d->high = f[B2B2C_DEALER_SC_CONV_HIGH];
    d->gap = f[B2B2C_DEALER_SC_GAP_TO_MEDIAN];
    d->rank = f[B2B2C_DEALER_SC_RANK];
    d->share_leads = f[B2B2C_DEALER_SC_SHARE_LEADS];
    d->share_won = f[B2B2C_DEALER_SC_SHARE_WON];
    return 0;
}

static int on_due(const char *id, int64_t due, double p_alive, double value,
                  void *u)
{
    report *r = u;
    if (r->ndue < (size_t)r->top) {
        rep_due *d = &r->due[r->ndue++];
        snprintf(d->id, sizeof(d->id), "%s", id);
        d->due = due;
        d->p_alive = p_alive;
        d->value = value;
    }
    r->due_total++;
    return 0;
}

static void take_metrics(rep_channel *c, const double *m)
{
    c->spend = m[B2B2C_CHM_SPEND];
    c->leads = m[B2B2C_CHM_LEADS];
    c->cpl = m[B2B2C_CHM_CPL];
    c->conversions = m[B2B2C_CHM_CONVERSIONS];
    c->revenue = m[B2B2C_CHM_REVENUE];
    c->ltv = m[B2B2C_CHM_LTV];
    c->roi = m[B2B2C_CHM_ROI];
    c->roi_ltv = m[B2B2C_CHM_ROI_LTV];
}

static int on_channel(const char *key, const double *m, size_t n, void *u)
{
    rep_ctx *x = u;
    report *r = &x->r;
    rep_channel *c;
    int32_t kind, sub, group;
    void *p;
    if (n < B2B2C_CHM_ROI_LTV + 1)
        return B2B2C_EVERSION;
    if (!*key)
        return 0; /* conversions without a touch: in the totals only */
    if (!(p = grow(r->channels, &r->capchannels, r->nchannels, sizeof(*c))))
        return B2B2C_ENOMEM;
    r->channels = p;
    c = &r->channels[r->nchannels++];
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", key);
    if (b2b2c_channels_get(&kind, &sub, &group, x->ch, key) == 0)
        c->kind = kind;
    take_metrics(c, m);
    return 0;
}

static int on_kind(const char *key, const double *m, size_t n, void *u)
{
    report *r = u;
    int32_t kind = b2b2c_channel_kind_from_name(key);
    if (n < B2B2C_CHM_ROI_LTV + 1)
        return B2B2C_EVERSION;
    if (kind >= 0 && kind < 3) {
        snprintf(r->kinds[kind].id, sizeof(r->kinds[kind].id), "%s", key);
        r->kinds[kind].kind = kind;
        take_metrics(&r->kinds[kind], m);
    }
    return 0;
}

static int on_mix(const char *key, const double *m, size_t n, void *u)
{
    report *r = u;
    if (strcmp(key, "total") == 0)
        for (size_t i = 0; i < n && i < 8; i++)
            r->mix[i] = m[i];
    return 0;
}

static int on_week(int64_t start, double reach, double leadgen, double leads,
                   double cpl, void *u)
{
    report *r = u;
    void *p;
    if (!(p = grow(r->weeks, &r->capweeks, r->nweeks, sizeof(rep_week))))
        return B2B2C_ENOMEM;
    r->weeks = p;
    r->weeks[r->nweeks++] = (rep_week){start, reach, leadgen, leads, cpl};
    return 0;
}

static int gather(rep_ctx *x)
{
    report *r = &x->r;
    int rc;
    double ud = 7;

    /* segment mix */
    if ((rc = b2b2c_segmenter_list_accounts(x->seg, -1, on_account, r)))
        return lib_fail(x, rc, "segmenter_list_accounts");
    if ((rc = b2b2c_forecaster_list_customers(x->fc, -1, on_customer, x)))
        return lib_fail(x, rc, "forecaster_list_customers");
    if (r->now == INT64_MIN) {
        if (x->latest == 0)
            return cli_data_error("report: the database holds no purchase "
                                  "to date the report by; give --now");
        /* the day after the latest purchase: the snapshot's "today" */
        r->now = (x->latest / DAY + 1) * DAY;
    }
    r->from = r->now - (int64_t)r->days * DAY;
    /* leads */
    if ((rc = b2b2c_lead_counts(x->lm, r->now, on_count, r)))
        return lib_fail(x, rc, "lead_counts");
    if ((rc = b2b2c_lead_list(x->lm, -1, -1, r->now, on_lead, x)))
        return lib_fail(x, rc, "lead_list");
    /* dealers, in rank order */
    if ((rc = b2b2c_dealer_scorecards(x->de, r->from, r->now, on_scorecard,
                                      r)))
        return lib_fail(x, rc, "dealer_scorecards");
    if (r->ndealers) {
        rep_dealer *d = &r->dealers[r->ndealers / 2];
        /* the engine's gap is mean - median: recover the median it used */
        r->median = d->mean - d->gap;
        for (size_t i = 0; i < r->ndealers; i++) {
            int k = (int)(i * REP_DECILES / r->ndealers);
            r->dec_leads[k] += r->dealers[i].share_leads;
            r->dec_won[k] += r->dealers[i].share_won;
            r->dec_n[k]++;
        }
    }
    /* lifetime value: the next two years, in the model's time unit */
    if ((rc = b2b2c_forecaster_get_param(&ud, x->fc,
                                         B2B2C_FORECASTER_UNIT_DAYS)))
        return lib_fail(x, rc, "forecaster_get_param");
    r->unit_days = ud;
    r->horizon = round(730.0 / ud);
    if (r->horizon < 1)
        r->horizon = 1;
    if ((rc = b2b2c_forecaster_list_customers(x->fc, -1, on_clv, x)))
        return lib_fail(x, rc, "forecaster_customer");
    /* the docs ask callers that answer from a fit to say when it is not
     * clean (b2b2c_forecaster_fit_params) */
    for (int32_t s = 1; s < REP_SEGMENTS; s++) {
        int32_t st = 0, gst = 0;
        rc = b2b2c_forecaster_fit_params(NULL, NULL, NULL, NULL, &st, &gst,
                                         x->fc, s);
        if (rc == B2B2C_ENOTFOUND)
            snprintf(r->fit[s], sizeof(r->fit[s]), "all customers' fit");
        else if (rc)
            return lib_fail(x, rc, "forecaster_fit_params");
        else if (gst != B2B2C_FIT_CONVERGED && st == B2B2C_FIT_CONVERGED)
            snprintf(r->fit[s], sizeof(r->fit[s]), "spend fit %s",
                     b2b2c_fit_status_name(gst));
        else
            snprintf(r->fit[s], sizeof(r->fit[s]), "%s",
                     b2b2c_fit_status_name(st));
    }
    /* repeat-due */
    r->due_window = 30;
    if (!(r->due = calloc((size_t)r->top, sizeof(*r->due))))
        return cli_data_error("report: out of memory");
    rc = b2b2c_forecaster_due(x->fc, r->now, r->due_window, on_due, r);
    if (rc && rc != B2B2C_ENOTREADY)
        return lib_fail(x, rc, "forecaster_due");
    /* channels: linear attribution over the period */
    if ((rc = b2b2c_channels_metrics(x->ch, B2B2C_CHANNELS_BY_CHANNEL,
                                     B2B2C_CHANNEL_ATTRIBUTION_LINEAR,
                                     r->from, r->now, on_channel, x)) ||
        (rc = b2b2c_channels_metrics(x->ch, B2B2C_CHANNELS_BY_KIND,
                                     B2B2C_CHANNEL_ATTRIBUTION_LINEAR,
                                     r->from, r->now, on_kind, r)) ||
        (rc = b2b2c_channels_mix_shares(x->ch,
                                        B2B2C_CHANNEL_ATTRIBUTION_LINEAR,
                                        r->from, r->now, on_mix, r)))
        return lib_fail(x, rc, "channels_metrics");
    {
        /* weekly: the last two years, whole weeks ending at now */
        int64_t wfrom = r->now - 104 * 7 * DAY;
        if ((rc = b2b2c_channels_get_param(&r->lag_weeks, x->ch,
                                           B2B2C_CHANNELS_MIX_LAG_WEEKS)))
            return lib_fail(x, rc, "channels_get_param");
        if ((rc = b2b2c_channels_mix_lag(&r->lag_slope, &r->lag_corr,
                                         &r->lag_pairs, x->ch, -1, wfrom,
                                         r->now, on_week, r)))
            return lib_fail(x, rc, "channels_mix_lag");
    }
    /* the dealer network (cli_report_network.c) */
    return rep_network_gather(&r->net, x->ctx, r->now, r->top, x->program);
}

/* ---- the terminal screen ---- */

/* A number for a director: 12.3k, 4.56M; fixed width 7. */
const char *rep_money(char *buf, double v)
{
    double a = fabs(v);
    if (!isfinite(v))
        snprintf(buf, 16, "%7s", "-");
    else if (a >= 1e9)
        snprintf(buf, 16, "%6.2fG", v / 1e9);
    else if (a >= 1e6)
        snprintf(buf, 16, "%6.2fM", v / 1e6);
    else if (a >= 1e4)
        snprintf(buf, 16, "%6.1fk", v / 1e3);
    else
        snprintf(buf, 16, "%7.0f", v);
    return buf;
}

/* A ratio with `prec` decimals in `width`, "-" when it is not a number
 * (no spend, no leads). */
static const char *ratio(char *buf, double v, int width, int prec)
{
    if (isfinite(v))
        snprintf(buf, 24, "%*.*f", width, prec, v);
    else
        snprintf(buf, 24, "%*s", width, "-");
    return buf;
}

/* Three significant digits, "-" when not a number. */
static const char *sig3(char *buf, double v)
{
    if (isfinite(v))
        snprintf(buf, 24, "%.3g", v);
    else
        snprintf(buf, 24, "-");
    return buf;
}

static void print_dealer(const rep_dealer *d)
{
    printf("  %-12.12s %5.0f %5.0f  %5.1f%% [%5.1f%%, %5.1f%%]  %+6.1f pp\n",
           d->id, d->offered, d->won, 100 * d->mean, 100 * d->low,
           100 * d->high, 100 * d->gap);
}

static void print_text(const report *r)
{
    char b1[16], b2[16], b3[16], b4[16], day[11];
    char r1[24], r2[24], r3[24], r4[24], r5[24];
    size_t top = (size_t)r->top;
    printf("b2b2c report at %s (dealers and channels: the last %d days)\n",
           rep_date(day, r->now), r->days);

    printf("\nSEGMENT MIX         accounts customers   CLV/customer "
           "(product + services, %.0f units of %.0f d), fit\n",
           r->horizon, r->unit_days);
    for (int s = 1; s < REP_SEGMENTS; s++) {
        double n = (double)r->clv_n[s];
        printf("  %-22s %5lld %9lld   %s = %s + %s  %s%s\n",
               b2b2c_segment_name(s),
               (long long)r->accounts[s], (long long)r->customers[s],
               rep_money(b1, n > 0 ? (r->clv_product[s] + r->clv_service[s]) / n
                           : NAN),
               rep_money(b2, n > 0 ? r->clv_product[s] / n : NAN),
               rep_money(b3, n > 0 ? r->clv_service[s] / n : NAN),
               r->fit[s], r->clv_nofit[s] ? ", some unfitted" : "");
    }

    printf("\nLEADS %lld, bands now: cold %llu  warm %llu  hot %llu\n  "
           "funnel: created %lld >",
           (long long)r->leads_total, (unsigned long long)r->band[1],
           (unsigned long long)r->band[2], (unsigned long long)r->band[3],
           (long long)r->funnel[0]);
    for (int k = 1; k < REP_FUNNEL; k++)
        printf(" %s %lld%s", k == 1 ? "qualified" : k == 2 ? "passed"
                             : k == 3 ? "accepted" : k == 4 ? "won"
                                                            : "customer",
               (long long)r->funnel[k], k < REP_FUNNEL - 1 ? " >" : "");
    printf("\n");

    printf("\nROUTING FAIRNESS (dealer deciles by posterior conversion, 1 = "
           "best)\n  share of leads: ");
    for (int k = 0; k < REP_DECILES; k++)
        if (r->dec_n[k])
            printf("%5.1f", 100 * r->dec_leads[k]);
    printf(" %%\n  share of wins:  ");
    for (int k = 0; k < REP_DECILES; k++)
        if (r->dec_n[k])
            printf("%5.1f", 100 * r->dec_won[k]);
    printf(" %%\n");

    printf("\nDEALERS %zu, median conversion %.1f%%    offers  won  "
           "posterior [%.0f%% interval]  gap\n",
           r->ndealers, 100 * r->median, 95.0);
    for (size_t i = 0; i < r->ndealers && i < top; i++)
        print_dealer(&r->dealers[i]);
    if (r->ndealers > 2 * top)
        printf("  ...\n");
    for (size_t i = r->ndealers > 2 * top ? r->ndealers - top
                                          : (top < r->ndealers ? top
                                                               : r->ndealers);
         i < r->ndealers; i++)
        print_dealer(&r->dealers[i]);

    printf("\nREPEAT DUE in %.0f days: %zu customers; top %zu by expected "
           "value\n",
           r->due_window, r->due_total, r->ndue);
    for (size_t i = 0; i < r->ndue; i++)
        printf("  %-14.14s due %s  P(alive) %.2f  value %s\n", r->due[i].id,
               rep_date(day, r->due[i].due), r->due[i].p_alive,
               rep_money(b1, r->due[i].value));

    printf("\nCHANNELS (linear attribution)    spend   leads     CPL  "
           "revenue      LTV    ROI  ROI on LTV\n");
    for (size_t i = 0; i < r->nchannels; i++) {
        const rep_channel *c = &r->channels[i];
        printf("  %-14.14s %-7s %s %7.0f %s %s %s %s %s\n", c->id,
               c->kind == B2B2C_CHANNEL_KIND_REACH ? "reach" : "leadgen",
               rep_money(b1, c->spend), c->leads, rep_money(b2, c->cpl),
               rep_money(b3, c->revenue), rep_money(b4, c->ltv),
               ratio(r1, c->roi, 6, 2), ratio(r2, c->roi_ltv, 7, 2));
    }
    for (int k = 1; k < 3; k++) {
        const rep_channel *c = &r->kinds[k];
        printf("  %-22s %s %7.0f %s %s %s %s %s\n",
               k == 1 ? "all reach" : "all lead generation",
               rep_money(b1, c->spend), c->leads, rep_money(b2, c->cpl),
               rep_money(b3, c->revenue), rep_money(b4, c->ltv),
               ratio(r1, c->roi, 6, 2), ratio(r2, c->roi_ltv, 7, 2));
    }
    printf("  reach: %s%% of spend, %s%% of attributed value, %s%% "
           "of lifetime value;\n  lead cost against reach spend %.0f week(s) "
           "before: slope %s, r = %s (%zu weeks)\n",
           ratio(r1, 100 * r->mix[B2B2C_MIX_REACH_SPEND_SHARE], 0, 0),
           ratio(r2, 100 * r->mix[B2B2C_MIX_REACH_VALUE_SHARE], 0, 0),
           ratio(r3, 100 * r->mix[B2B2C_MIX_REACH_LTV] /
                         (r->mix[B2B2C_MIX_REACH_LTV] +
                          r->mix[B2B2C_MIX_LEADGEN_LTV]), 0, 0),
           r->lag_weeks, sig3(r4, r->lag_slope),
           ratio(r5, r->lag_corr, 0, 2), r->lag_pairs);

    rep_network_print(&r->net, r->top);

    printf("\nNot answered by the engines: revenue and margin per region, "
           "dealer-level lifetime value,\nstage durations, and spend by "
           "segment group outside channels (see docs/report.md).\n");
}

/* ---- the subcommand ---- */

static int cmd_report(int argc, char **argv)
{
    cli_opt opts[] = {{"html", NULL, 0},          {"now", NULL, 0},
                      {"days", NULL, 0},          {"top", NULL, 0},
                      {"bonus-program", NULL, 0}, {NULL, NULL, 0}};
    rep_ctx xx, *x = &xx;
    const char *s;
    int64_t v;
    int rc;

    memset(x, 0, sizeof(*x));
    x->r.now = INT64_MIN;
    x->r.days = 365;
    x->r.top = 5;
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("%s", cli_cmd_report.usage);
        return CLI_OK;
    }
    if ((rc = cli_parse_opts(argc, argv, 1, opts)) != 0)
        return rc;
    if ((s = cli_opt_get(opts, "now")) && cli_parse_time(s, &x->r.now))
        return cli_usage_error("--now: '%s' is not a date or Unix seconds",
                               s);
    if ((s = cli_opt_get(opts, "days"))) {
        if (cli_parse_int64(s, &v) || v < 1 || v > 3650)
            return cli_usage_error("--days: '%s' is not a whole number "
                                   "1..3650", s);
        x->r.days = (int)v;
    }
    if ((s = cli_opt_get(opts, "top"))) {
        if (cli_parse_int64(s, &v) || v < 1 || v > 1000)
            return cli_usage_error("--top: '%s' is not a whole number "
                                   "1..1000", s);
        x->r.top = (int)v;
    }
    x->program = cli_opt_get(opts, "bonus-program");
    if (!x->program)
        x->program = CLI_DEMO_BONUS_PROGRAM;
    if (!cli_db_given())
        return cli_usage_error("report reads a database: give --db "
                               "sqlite:FILE (b2b2c demo generate writes "
                               "one)");
    if ((rc = cli_ctx_new(&x->ctx)) != 0)
        return rc;
    if ((rc = b2b2c_segmenter_new(&x->seg, x->ctx)) ||
        (rc = b2b2c_lead_model_new(&x->lm, x->ctx)) ||
        (rc = b2b2c_dealer_new(&x->de, x->ctx)) ||
        (rc = b2b2c_forecaster_new(&x->fc, x->ctx)) ||
        (rc = b2b2c_channels_new(&x->ch, x->ctx)))
        rc = lib_fail(x, rc, "opening the engines");
    if (rc == 0 && (rc = gather(x)) == 0) {
        print_text(&x->r);
        if ((s = cli_opt_get(opts, "html"))) {
            FILE *f = fopen(s, "w");
            if (!f)
                rc = cli_data_error("--html: cannot write '%s'", s);
            else {
                rc = rep_write_html(&x->r, f);
                if (fclose(f) && !rc)
                    rc = cli_data_error("--html: cannot write '%s'", s);
            }
        }
    }
    b2b2c_channels_free(x->ch);
    b2b2c_forecaster_free(x->fc);
    b2b2c_dealer_free(x->de);
    b2b2c_lead_model_free(x->lm);
    b2b2c_segmenter_free(x->seg);
    cli_ctx_free(x->ctx);
    free(x->r.dealers);
    free(x->r.due);
    free(x->r.channels);
    free(x->r.weeks);
    rep_network_free(&x->r.net);
    return rc;
}

const cli_command cli_cmd_report = {
    "report", "one screen for a sales director, or an HTML page",
    "usage: b2b2c --db sqlite:FILE report [--html FILE] [--now DATE]\n"
    "                                [--days N] [--top N]\n"
    "                                [--bonus-program ID]\n\n"
    "Segment mix and lifetime value by segment (product + services, two\n"
    "years ahead), leads per band and the funnel, routing fairness per\n"
    "dealer decile, the top and bottom N dealers (default 5) with credible\n"
    "intervals and the gap to the median, the repeat-due list (next 30\n"
    "days, top N), channel ROI on lifetime value (linear attribution),\n"
    "reach against lead generation, and the dealer network: sell-out by\n"
    "dealer over the last 13 weeks (share, growth, trend, rank), the\n"
    "progress of --bonus-program (default volume-bonus, the demo's) and\n"
    "the dealers' reorder due list. Dealers and channels cover the last\n"
    "--days days (default 365) before --now (default: the day after the\n"
    "latest purchase in the database). --html FILE also writes the same as\n"
    "one self-contained HTML page with SVG charts (no script, no external\n"
    "asset). docs/report.md explains every number.\n",
    cmd_report};
