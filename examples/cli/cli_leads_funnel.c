/* SPDX-License-Identifier: MIT */
/* b2b2c leads funnel: the lead funnel (b2b2c_lead_funnel) from CSV files of
 * stage changes (and optionally leads and events), or from the database,
 * as CSV or JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A lead of --leads, a stage change of --stages or an event of --events. */
typedef struct frec {
    char *id;
    int64_t t;
    int type; /* 0 event, 1 stage change: at one time events come first */
    int32_t what; /* event kind or stage */
    double value;
    const char *path;
    long line;
} frec;


typedef struct fstate {
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    frec *rec;
    size_t nrec, caprec;
    cli_lead_row *ld;
    size_t nld, capld;
    int json;
} fstate;

static int rec_cmp(const void *a, const void *b)
{
    const frec *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->type != y->type)
        return x->type - y->type;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int read_leads(fstate *s, const char *path)
{
    return cli_leads_read(path, &s->ld, &s->nld, &s->capld);
}

/* --events (type 0: lead_id,timestamp,kind[,value]) or --stages (type 1:
 * lead_id,timestamp,stage). Records after `at` are left out. */
static int read_recs(fstate *s, const char *path, int type, int64_t at)
{
    cli_csv c;
    int ci, ct, ck, cv = -1, rc, r;
    if ((rc = cli_csv_open(&c, path)) != 0)
        return rc;
    if ((rc = cli_csv_need(&c, "lead_id", &ci)) || (rc = cli_csv_need(&c, "timestamp", &ct)) ||
        (rc = cli_csv_need(&c, type ? "stage" : "kind", &ck)))
        goto out;
    if (!type)
        cv = cli_csv_col(&c, "value");
    while ((r = cli_csv_next(&c)) == 1) {
        frec e;
        const char *ts = cli_csv_field(&c, ct);
        const char *w = cli_csv_field(&c, ck);
        const char *v = cv >= 0 ? cli_csv_field(&c, cv) : "";
        memset(&e, 0, sizeof(e));
        e.type = type;
        e.path = path;
        e.line = c.line;
        if (!*cli_csv_field(&c, ci)) {
            rc = cli_csv_error(&c, "lead_id: empty");
            goto out;
        }
        if (cli_parse_time(ts, &e.t)) {
            rc = cli_csv_error(&c, "timestamp: not a date or time '%s'", ts);
            goto out;
        }
        if (type ? (e.what = b2b2c_lead_stage_from_name(w)) < 0
                 : b2b2c_lead_kind_id(&e.what, s->m, w) != 0) {
            rc = cli_csv_error(&c, "%s: unknown %s '%s'",
                               type ? "stage" : "kind",
                               type ? "stage" : "event kind", w);
            goto out;
        }
        if (*v && cli_parse_double(v, &e.value)) {
            rc = cli_csv_error(&c, "value: not a finite number '%s'", v);
            goto out;
        }
        if (e.t > at)
            continue;
        if (cli_grow((void **)&s->rec, &s->caprec, s->nrec + 1, sizeof(*s->rec)) ||
            !(e.id = strdup(cli_csv_field(&c, ci)))) {
            rc = cli_data_error("out of memory");
            goto out;
        }
        s->rec[s->nrec++] = e;
    }
    rc = r < 0 ? CLI_EDATA : 0;
out:
    cli_csv_close(&c);
    return rc;
}

static int add_lead(fstate *s, const cli_lead_row *l, int64_t created)
{
    int rc = b2b2c_lead_add(s->m, l->id, created, l->segment, l->channel,
                            l->region, l->product);
    if (rc && rc != B2B2C_EEXISTS)
        return cli_data_error("lead '%s': %s", l->id,
                              b2b2c_ctx_errmsg(s->ctx));
    return 0;
}

/* The model from the files: leads with a creation time first, then the
 * events and stage changes in time order; a lead first seen in them is
 * created at its first one. */
static int build(fstate *s)
{
    int rc;
    if (s->nld)
        qsort(s->ld, s->nld, sizeof(*s->ld), cli_lead_row_cmp);
    for (size_t i = 0; i < s->nld; i++)
        if (s->ld[i].has_created && (rc = add_lead(s, &s->ld[i],
                                                   s->ld[i].created)))
            return rc;
    if (s->nrec)
        qsort(s->rec, s->nrec, sizeof(*s->rec), rec_cmp);
    for (size_t i = 0; i < s->nrec; i++) {
        const frec *e = &s->rec[i];
        int32_t st;
        if (b2b2c_lead_stage(&st, s->m, e->id) == B2B2C_ENOTFOUND) {
            cli_lead_row key = {0}, *l;
            key.id = e->id;
            l = s->nld ? bsearch(&key, s->ld, s->nld, sizeof(*s->ld), cli_lead_row_cmp)
                       : NULL;
            if (!l) {
                key.channel = key.region = key.product = "";
                key.segment = B2B2C_SEGMENT_UNKNOWN;
                l = &key;
            }
            if ((rc = add_lead(s, l, e->t)))
                return rc;
        }
        rc = e->type ? b2b2c_lead_set_stage(s->m, e->id, e->what, e->t)
                     : b2b2c_lead_event(s->m, e->id, e->what, e->t, e->value);
        if (rc)
            return cli_data_error("%s:%ld: %s", e->path, e->line,
                                  b2b2c_ctx_errmsg(s->ctx));
    }
    return 0;
}

/* Columns: group, stage, the fields B2B2C_LEAD_FUNNEL_ENTERED ..
 * REACH_P90 (counts whole, rates and days with 4 decimals: cli.h,
 * "output"), then to_<stage> for the moves to each stage. */
static const char *const cols[] = {
    "group",       "stage",        "entered",      "leads",
    "forward",     "dropped",      "open",         "stalled",
    "conversion",  "drop_rate",    "days_median",  "days_p90",
    "reach_median", "reach_p90",   "to_new",       "to_nurturing",
    "to_qualified", "to_passed_to_dealer", "to_accepted_by_dealer",
    "to_won",      "to_lost",      "to_disqualified", "to_customer",
    "to_repeat_due",
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static int print_row(const char *group, int32_t stage, const double *f,
                     size_t n, void *userdata)
{
    cli_table *t = userdata;
    if (n < B2B2C_LEAD_FUNNEL_NFIELDS)
        return B2B2C_EINVAL; /* an older library than this program */
    cli_table_str(t, group);
    cli_table_str(t, b2b2c_lead_stage_name(stage));
    for (int i = B2B2C_LEAD_FUNNEL_ENTERED; i <= B2B2C_LEAD_FUNNEL_REACH_P90;
         i++)
        cli_table_num(t, f[i],
                      i < B2B2C_LEAD_FUNNEL_CONVERSION ? CLI_COUNT : CLI_RATE);
    for (int32_t s = 0; s < 10; s++)
        cli_table_num(t, f[B2B2C_LEAD_FUNNEL_MOVED_TO + s], CLI_COUNT);
    return 0;
}

static const char *const by_names[] = {"all",     "week",    "month",
                                       "channel", "segment", "band"};

static int run(fstate *s, cli_opt *opts)
{
    const char *by_s = cli_opt_get(opts, "by");
    const char *stall_s = cli_opt_get(opts, "stall-days");
    const char *files[3] = {cli_opt_get(opts, "leads"),
                            cli_opt_get(opts, "events"),
                            cli_opt_get(opts, "stages")};
    int64_t at, from = INT64_MIN, to = INT64_MAX;
    cli_table t;
    int32_t by = -1;
    double stall = 30;
    int rc;

    if (cli_parse_time(cli_opt_get(opts, "at"), &at))
        return cli_usage_error("--at: not a date or time '%s'",
                               cli_opt_get(opts, "at"));
    if (cli_opt_get(opts, "from") &&
        cli_parse_time(cli_opt_get(opts, "from"), &from))
        return cli_usage_error("--from: not a date or time '%s'",
                               cli_opt_get(opts, "from"));
    if (cli_opt_get(opts, "to") && cli_parse_time(cli_opt_get(opts, "to"), &to))
        return cli_usage_error("--to: not a date or time '%s'",
                               cli_opt_get(opts, "to"));
    for (int32_t i = 0; i < 6; i++)
        if (!by_s || strcmp(by_s, by_names[i]) == 0) {
            by = i;
            break;
        }
    if (by < 0)
        return cli_usage_error("--by: expected all, week, month, channel, "
                               "segment or band, not '%s'",
                               by_s);
    if (stall_s && cli_parse_double(stall_s, &stall))
        return cli_usage_error("--stall-days: not a number '%s'", stall_s);
    if ((rc = cli_format_parse(opts, &s->json)) != 0)
        return rc;
    if (cli_db_given() && (files[0] || files[1] || files[2]))
        return cli_usage_error("leads funnel: with --db the funnel is of the "
                               "stored leads (record stage changes with "
                               "'leads stage'); --leads, --events and "
                               "--stages are for a run without --db");
    if (!cli_db_given() && !files[2])
        return cli_usage_error("leads funnel: needs --stages FILE.csv (or "
                               "--db SPEC)");
    if ((rc = cli_ctx_new(&s->ctx)) != 0)
        return rc;
    if ((rc = b2b2c_lead_model_new(&s->m, s->ctx)) != 0)
        return cli_data_error("cannot create the lead model: %s",
                              cli_strerror(rc));
    if ((files[0] && (rc = read_leads(s, files[0]))) ||
        (files[1] && (rc = read_recs(s, files[1], 0, at))) ||
        (files[2] && (rc = read_recs(s, files[2], 1, at))) ||
        (rc = build(s)))
        return rc;
    cli_table_begin(&t, s->json, cols, NCOLS);
    rc = b2b2c_lead_funnel(s->m, from, to, at, by, stall, print_row, &t);
    if (rc)
        return rc == B2B2C_ERANGE || rc == B2B2C_EINVAL
                   ? cli_usage_error("%s", b2b2c_ctx_errmsg(s->ctx))
                   : cli_data_error("%s", b2b2c_ctx_errmsg(s->ctx));
    cli_table_end(&t);
    return 0;
}

int cli_leads_funnel(int argc, char **argv)
{
    cli_opt opts[] = {{"at", NULL, 1},     {"from", NULL, 0},
                      {"to", NULL, 0},     {"by", NULL, 0},
                      {"stall-days", NULL, 0}, {"format", NULL, 0},
                      {"leads", NULL, 0},  {"events", NULL, 0},
                      {"stages", NULL, 0}, {NULL, NULL, 0}};
    fstate s;
    int rc;
    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0)
        return rc;
    memset(&s, 0, sizeof(s));
    rc = run(&s, opts);
    b2b2c_lead_model_free(s.m);
    cli_ctx_free(s.ctx);
    for (size_t i = 0; i < s.nrec; i++)
        free(s.rec[i].id);
    free(s.rec);
    cli_lead_rows_free(s.ld, s.nld);
    return rc;
}
