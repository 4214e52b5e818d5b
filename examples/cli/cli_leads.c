/* SPDX-License-Identifier: MIT */
/* b2b2c leads: score leads from CSV files with the lead model. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmd_leads(int argc, char **argv);

const cli_command cli_cmd_leads = {
    "leads", "score leads (cold/warm/hot) from engagement events",
    "usage: b2b2c leads score --events FILE.csv --at DATE\n"
    "                         [--leads FILE.csv] [--outcomes FILE.csv]\n"
    "                         [--format csv|json]\n"
    "       b2b2c --db SPEC leads add --id ID --at DATE\n"
    "                 [--segment S] [--channel C] [--region R]\n"
    "                 [--product-line P]\n"
    "       b2b2c --db SPEC leads event --id ID --kind KIND --at DATE\n"
    "                 [--value V]\n"
    "       b2b2c --db SPEC leads stage --id ID --at DATE\n"
    "                 (--stage STAGE | --dealer-outcome OUTCOME)\n"
    "       b2b2c --db SPEC leads close --at DATE [--max N]\n"
    "       b2b2c --db SPEC leads reopen --id ID\n"
    "       b2b2c [--db SPEC] leads funnel --at DATE [--from DATE] [--to DATE]\n"
    "                 [--by all|week|month|channel|segment|band]\n"
    "                 [--stall-days N] [--format csv|json]\n"
    "                 [--stages FILE.csv [--leads FILE.csv]\n"
    "                  [--events FILE.csv]]\n"
    "\n"
    "  --events    CSV with header lead_id,timestamp,kind[,value]; timestamp\n"
    "              YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] or Unix seconds;\n"
    "              kind by name (newsletter_subscribe, guide_download, ...).\n"
    "              Events after --at are ignored (counted on stderr).\n"
    "  --at        the time to score at (same formats).\n"
    "  --leads     CSV lead_id,created,segment,channel,region,product_line;\n"
    "              empty cells allowed (an empty created means: at the\n"
    "              lead's first event). Leads seen only in events are\n"
    "              created at their first event.\n"
    "  --outcomes  CSV lead_id,outcome (won/lost): trains the learned model\n"
    "              before scoring (features as of --at); a warning on\n"
    "              stderr when its refit did not converge.\n"
    "\n"
    "Prints CSV lead_id,score,band,probability for every lead, leads file\n"
    "first, then in order of first event (score and probability with 4\n"
    "decimals, --format json: a JSON array of objects); probability is\n"
    "empty while the\n"
    "learned model is not ready. Bad lines: PATH:LINE: reason, exit 1.\n"
    "\n"
    "With --db SPEC (b2b2c help) the leads, their events and outcomes are\n"
    "kept in the database: score adds what its files bring (a lead stored\n"
    "before is kept as it is; its new events must not be older than its\n"
    "last one), --events becomes optional, and after the rows of the\n"
    "leads this run created it prints every other stored lead (also one\n"
    "this run only added events to) in ID order. add creates one lead at\n"
    "--at; event records one event at --at and prints the lead's row\n"
    "(header included); both need --db.\n"
    "\n"
    "stage moves a stored lead to STAGE at --at; --dealer-outcome moves it\n"
    "as the dealer's outcome says (offered: passed_to_dealer; accepted:\n"
    "accepted_by_dealer; won: won; lost: lost; declined, expired,\n"
    "recalled: back to qualified), through the stages the lead model\n"
    "requires (docs/lead-model.md, \"Keeping the lifecycle in step with\n"
    "the dealer\"). Needs --db.\n"
    "\n"
    "close closes the stored leads won, lost, disqualified or customers\n"
    "for the close window (180 days by default) at --at, examining at most\n"
    "--max leads (default 10000) from where the last call stopped, and\n"
    "prints CSV closed,N; reopen --id brings a closed lead back\n"
    "(docs/lead-model.md, \"Closing\"). Both need --db.\n"
    "\n"
    "funnel prints the funnel of the leads created in [--from, --to) as\n"
    "their stage histories stood at --at, one row per group and stage\n"
    "(docs/lead-model.md, \"Funnel\"): CSV group,stage,entered,leads,\n"
    "forward,dropped,open,stalled,conversion,drop_rate,days_median,\n"
    "days_p90,reach_median,reach_p90,to_<stage>... (an empty cell where\n"
    "undefined), or JSON with --format json (null where undefined).\n"
    "--stall-days (default 30): an open stay that long is stalled. Without\n"
    "--db the leads come from --stages (CSV lead_id,timestamp,stage), with\n"
    "--leads (as for score) and --events (as for score; they give the band\n"
    "a stage was entered with) optional; a lead not in --leads is created\n"
    "at its first event or stage change. With --db: the stored leads.\n",
    cmd_leads};

typedef struct ev_row {
    char *id;
    int64_t t;
    int32_t kind;
    double value;
    long line;
} ev_row;

typedef cli_lead_row lead_row;

typedef struct state {
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    ev_row *ev;
    size_t nev, capev;
    lead_row *ld;
    size_t nld, capld;
    char **out;
    size_t nout, capout;
    char **ford; /* lead IDs in leads-file order */
    char **db;   /* with --db: the stored leads, in ID order */
    size_t ndb, capdb;
    cli_table t; /* the output */
} state;

static int ev_cmp(const void *a, const void *b)
{
    const ev_row *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

int cli_lead_row_cmp(const void *a, const void *b)
{
    return strcmp(((const lead_row *)a)->id, ((const lead_row *)b)->id);
}

int cli_csv_need(cli_csv *c, const char *name, int *col)
{
    *col = cli_csv_col(c, name);
    if (*col < 0)
        return cli_csv_error(c, "header: missing column '%s'", name);
    return 0;
}

int cli_leads_read(const char *path, cli_lead_row **rows, size_t *n,
                   size_t *cap)
{
    cli_csv c;
    int ci, cc, cs, ch, cr, cp, rc, r;
    if ((rc = cli_csv_open(&c, path)) != 0)
        return rc;
    {
        static const char *const known[] = {"lead_id", "created", "segment", "channel", "region", "product_line", NULL};
        if (cli_csv_known(&c, known) != 0) {
            rc = CLI_EDATA;
            goto out;
        }
    }
    if ((rc = cli_csv_need(&c, "lead_id", &ci)) != 0)
        goto out;
    cc = cli_csv_col(&c, "created");
    cs = cli_csv_col(&c, "segment");
    ch = cli_csv_col(&c, "channel");
    cr = cli_csv_col(&c, "region");
    cp = cli_csv_col(&c, "product_line");
    while ((r = cli_csv_next(&c)) == 1) {
        lead_row *l;
        const char *seg = cs >= 0 ? cli_csv_field(&c, cs) : "";
        const char *cre = cc >= 0 ? cli_csv_field(&c, cc) : "";
        if (cli_grow((void **)rows, cap, *n + 1, sizeof(**rows))) {
            rc = cli_data_error("out of memory");
            goto out;
        }
        l = &(*rows)[*n];
        memset(l, 0, sizeof(*l));
        l->line = c.line;
        if (!*cli_csv_field(&c, ci)) {
            rc = cli_csv_error(&c, "lead_id: empty");
            goto out;
        }
        l->segment = B2B2C_SEGMENT_UNKNOWN;
        if (*seg && (l->segment = b2b2c_segment_from_name(seg)) < 0) {
            rc = cli_csv_error(&c, "segment: unknown segment '%s'", seg);
            goto out;
        }
        if (*cre) {
            if (cli_parse_time(cre, &l->created)) {
                rc = cli_csv_error(&c, "created: not a date or time '%s'",
                                   cre);
                goto out;
            }
            l->has_created = 1;
        }
        l->id = strdup(cli_csv_field(&c, ci));
        l->channel = strdup(ch >= 0 ? cli_csv_field(&c, ch) : "");
        l->region = strdup(cr >= 0 ? cli_csv_field(&c, cr) : "");
        l->product = strdup(cp >= 0 ? cli_csv_field(&c, cp) : "");
        (*n)++;
        if (!l->id || !l->channel || !l->region || !l->product) {
            rc = cli_data_error("out of memory");
            goto out;
        }
    }
    rc = r < 0 ? CLI_EDATA : 0;
out:
    cli_csv_close(&c);
    return rc;
}

void cli_lead_rows_free(cli_lead_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].id);
        free(rows[i].channel);
        free(rows[i].region);
        free(rows[i].product);
    }
    free(rows);
}

static int read_leads(state *s, const char *path)
{
    return cli_leads_read(path, &s->ld, &s->nld, &s->capld);
}

static int read_events(state *s, const char *path, int64_t at,
                       size_t *ignored)
{
    cli_csv c;
    int ci, ct, ck, cv, rc, r;
    if ((rc = cli_csv_open(&c, path)) != 0)
        return rc;
    {
        static const char *const known[] = {"lead_id", "timestamp", "kind", "value", NULL};
        if (cli_csv_known(&c, known) != 0) {
            rc = CLI_EDATA;
            goto out;
        }
    }
    if ((rc = cli_csv_need(&c, "lead_id", &ci)) || (rc = cli_csv_need(&c, "timestamp",
                                                              &ct)) ||
        (rc = cli_csv_need(&c, "kind", &ck)))
        goto out;
    cv = cli_csv_col(&c, "value");
    while ((r = cli_csv_next(&c)) == 1) {
        ev_row e;
        const char *v = cv >= 0 ? cli_csv_field(&c, cv) : "";
        const char *ts = cli_csv_field(&c, ct);
        const char *kind = cli_csv_field(&c, ck);
        e.line = c.line;
        if (!*cli_csv_field(&c, ci)) {
            rc = cli_csv_error(&c, "lead_id: empty");
            goto out;
        }
        if (cli_parse_time(ts, &e.t)) {
            rc = cli_csv_error(&c, "timestamp: not a date or time '%s'", ts);
            goto out;
        }
        if (b2b2c_lead_kind_id(&e.kind, s->m, kind)) {
            rc = cli_csv_error(&c, "kind: unknown event kind '%s'", kind);
            goto out;
        }
        e.value = 0;
        if (*v && cli_parse_double(v, &e.value)) {
            rc = cli_csv_error(&c, "value: not a finite number '%s'", v);
            goto out;
        }
        if (e.t > at) {
            (*ignored)++;
            continue;
        }
        if (cli_grow((void **)&s->ev, &s->capev, s->nev + 1, sizeof(*s->ev)) ||
            !(e.id = strdup(cli_csv_field(&c, ci)))) {
            rc = cli_data_error("out of memory");
            goto out;
        }
        s->ev[s->nev++] = e;
    }
    rc = r < 0 ? CLI_EDATA : 0;
out:
    cli_csv_close(&c);
    return rc;
}

static int remember(state *s, const char *id)
{
    char *d = strdup(id);
    if (!d || cli_grow((void **)&s->out, &s->capout, s->nout + 1,
                   sizeof(*s->out))) {
        free(d);
        return cli_data_error("out of memory");
    }
    s->out[s->nout++] = d;
    return 0;
}

static int add_lead(state *s, lead_row *l, int64_t created)
{
    int32_t st;
    int rc;
    /* with --db a lead stored by an earlier run is kept as it is */
    if (cli_db_given() && b2b2c_lead_stage(&st, s->m, l->id) == 0)
        rc = 0;
    else
        rc = b2b2c_lead_add(s->m, l->id, created, l->segment, l->channel,
                            l->region, l->product);
    l->added = 1;
    return rc;
}

static int apply_events(state *s, const char *path)
{
    lead_row key;
    for (size_t i = 0; i < s->nev; i++) {
        ev_row *e = &s->ev[i];
        int32_t st;
        int rc;
        if (b2b2c_lead_stage(&st, s->m, e->id) == B2B2C_ENOTFOUND) {
            lead_row *l;
            key.id = e->id;
            l = s->nld ? bsearch(&key, s->ld, s->nld, sizeof(*s->ld), cli_lead_row_cmp)
                       : NULL;
            rc = l ? add_lead(s, l, e->t)
                   : b2b2c_lead_add(s->m, e->id, e->t, 0, NULL, NULL, NULL);
            if (rc || (rc = remember(s, e->id)) != 0) {
                if (rc == CLI_EDATA)
                    return rc;
                return cli_data_error("%s:%ld: %s", path, e->line,
                                      b2b2c_ctx_errmsg(s->ctx));
            }
        }
        rc = b2b2c_lead_event(s->m, e->id, e->kind, e->t, e->value);
        if (rc)
            return cli_data_error("%s:%ld: %s", path, e->line,
                                  b2b2c_ctx_errmsg(s->ctx));
    }
    return 0;
}

static int read_outcomes(state *s, const char *path, int64_t at)
{
    cli_csv c;
    int ci, co, rc, r;
    if ((rc = cli_csv_open(&c, path)) != 0)
        return rc;
    {
        static const char *const known[] = {"lead_id", "outcome", NULL};
        if (cli_csv_known(&c, known) != 0) {
            rc = CLI_EDATA;
            goto out;
        }
    }
    if ((rc = cli_csv_need(&c, "lead_id", &ci)) ||
        (rc = cli_csv_need(&c, "outcome", &co)))
        goto out;
    while ((r = cli_csv_next(&c)) == 1) {
        const char *o = cli_csv_field(&c, co);
        int won;
        if (strcmp(o, "won") == 0)
            won = 1;
        else if (strcmp(o, "lost") == 0)
            won = 0;
        else {
            rc = cli_csv_error(&c, "outcome: '%s' is not won or lost", o);
            goto out;
        }
        if (b2b2c_lead_outcome(s->m, cli_csv_field(&c, ci), won, at)) {
            rc = cli_csv_error(&c, "%s", b2b2c_ctx_errmsg(s->ctx));
            goto out;
        }
    }
    rc = r < 0 ? CLI_EDATA : 0;
out:
    cli_csv_close(&c);
    return rc;
}

static void state_free(state *s)
{
    for (size_t i = 0; i < s->nev; i++)
        free(s->ev[i].id);
    cli_lead_rows_free(s->ld, s->nld);
    for (size_t i = 0; i < s->nout; i++)
        free(s->out[i]);
    for (size_t i = 0; i < s->ndb; i++)
        free(s->db[i]);
    free(s->db);
    free(s->ev);
    free(s->out);
    free(s->ford);
    b2b2c_lead_model_free(s->m);
    cli_ctx_free(s->ctx);
}

static int run_score(state *s, cli_opt *opts)
{
    const char *leads = cli_opt_get(opts, "leads");
    const char *events = cli_opt_get(opts, "events");
    const char *outcomes = cli_opt_get(opts, "outcomes");
    int64_t at;
    size_t ignored = 0;
    int rc;

    if (cli_parse_time(cli_opt_get(opts, "at"), &at))
        return cli_usage_error("--at: not a date or time '%s'",
                               cli_opt_get(opts, "at"));
    if ((rc = cli_ctx_new(&s->ctx)) != 0)
        return rc;
    if ((rc = b2b2c_lead_model_new(&s->m, s->ctx)) != 0)
        return cli_data_error("cannot create the lead model: %s",
                              cli_strerror(rc));
    if (leads && (rc = read_leads(s, leads)) != 0)
        return rc;
    if (s->nld) {
        /* file order for the output; the strings stay where they are */
        s->ford = malloc(s->nld * sizeof(*s->ford));
        if (!s->ford)
            return cli_data_error("out of memory");
        for (size_t i = 0; i < s->nld; i++)
            s->ford[i] = s->ld[i].id;
        qsort(s->ld, s->nld, sizeof(*s->ld), cli_lead_row_cmp);
        for (size_t i = 1; i < s->nld; i++)
            if (strcmp(s->ld[i].id, s->ld[i - 1].id) == 0)
                return cli_data_error("%s:%ld: lead_id: '%s' repeats line "
                                      "%ld",
                                      leads,
                                      s->ld[i].line > s->ld[i - 1].line
                                          ? s->ld[i].line
                                          : s->ld[i - 1].line,
                                      s->ld[i].id,
                                      s->ld[i].line > s->ld[i - 1].line
                                          ? s->ld[i - 1].line
                                          : s->ld[i].line);
        for (size_t i = 0; i < s->nld; i++) {
            lead_row *l = &s->ld[i];
            if (!l->has_created)
                continue;
            if (add_lead(s, l, l->created)) {
                rc = cli_data_error("%s:%ld: %s", leads, l->line,
                                    b2b2c_ctx_errmsg(s->ctx));
                return rc;
            }
        }
    }
    if (events && (rc = read_events(s, events, at, &ignored)) != 0)
        return rc;
    if (s->nev > 1) /* ev is NULL with no rows: qsort(NULL, 0) is undefined */
        qsort(s->ev, s->nev, sizeof(*s->ev), ev_cmp);
    if ((rc = apply_events(s, events)) != 0)
        return rc;
    /* leads without a creation time and without events: created at --at */
    for (size_t i = 0; i < s->nld; i++)
        if (!s->ld[i].added && add_lead(s, &s->ld[i], at))
            return cli_data_error("%s:%ld: %s", leads, s->ld[i].line,
                                  b2b2c_ctx_errmsg(s->ctx));
    if (outcomes) {
        if ((rc = read_outcomes(s, outcomes, at)) != 0)
            return rc;
        int32_t st = B2B2C_FIT_CONVERGED, passes = 0;
        if (b2b2c_lead_refit(&st, &passes, s->m) &&
            b2b2c_ctx_errcode(s->ctx) != B2B2C_ENOTREADY)
            return cli_data_error("refit: %s", b2b2c_ctx_errmsg(s->ctx));
        if (st != B2B2C_FIT_CONVERGED)
            fprintf(stderr, "b2b2c: warning: the learned model did not "
                            "converge (%s after %d passes over the "
                            "outcomes); its probabilities may be off\n",
                    b2b2c_fit_status_name(st), (int)passes);
    }
    if (ignored)
        fprintf(stderr, "b2b2c: %zu events after --at ignored\n", ignored);
    return 0;
}

const char *const cli_leads_cols[4] = {"lead_id", "score", "band",
                                       "probability"};

int cli_leads_print_row(cli_table *t, b2b2c_ctx *ctx,
                        const b2b2c_lead_model *m, const char *id,
                        int64_t at)
{
    double score, p;
    int32_t band;
    if (b2b2c_lead_score(&score, &band, m, id, at))
        return cli_data_error("%s", b2b2c_ctx_errmsg(ctx));
    cli_table_str(t, id);
    cli_table_num(t, score, CLI_RATE);
    cli_table_str(t, b2b2c_band_name(band));
    cli_table_num(t, b2b2c_lead_probability(&p, m, id, at) == 0 ? p : NAN,
                  CLI_RATE);
    return 0;
}

static int print_row(state *s, const char *id, int64_t at)
{
    return cli_leads_print_row(&s->t, s->ctx, s->m, id, at);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_one(const char *id, int32_t stage, int32_t band,
                    double score, void *userdata)
{
    state *s = userdata;
    char *d;
    (void)stage, (void)band, (void)score;
    d = strdup(id);
    if (!d || cli_grow((void **)&s->db, &s->capdb, s->ndb + 1, sizeof(*s->db))) {
        free(d);
        return B2B2C_ENOMEM;
    }
    s->db[s->ndb++] = d;
    return 0;
}

/* With --db: every other lead of the database, in ID order. */
static int print_stored(state *s, int64_t at)
{
    char **seen = NULL;
    int rc = b2b2c_lead_list(s->m, -1, -1, at, list_one, s);
    if (rc)
        return cli_data_error("listing the stored leads: %s",
                              b2b2c_ctx_errmsg(s->ctx));
    if (s->nout && !(seen = malloc(s->nout * sizeof(*seen))))
        return cli_data_error("out of memory");
    if (seen) {
        memcpy(seen, s->out, s->nout * sizeof(*seen));
        qsort(seen, s->nout, sizeof(*seen), str_cmp);
    }
    for (size_t i = 0; i < s->ndb && rc == 0; i++) {
        lead_row key;
        key.id = s->db[i];
        if ((s->nld && bsearch(&key, s->ld, s->nld, sizeof(*s->ld), cli_lead_row_cmp)) ||
            (seen && bsearch(&s->db[i], seen, s->nout, sizeof(*seen),
                             str_cmp)))
            continue;
        rc = print_row(s, s->db[i], at);
    }
    free(seen);
    return rc;
}

int cli_leads_model(void **h, b2b2c_ctx **ctx, b2b2c_lead_model **m,
                    cli_opt *opts)
{
    state *s = calloc(1, sizeof(*s));
    int rc;
    *h = s;
    if (!s)
        return cli_data_error("out of memory");
    if ((rc = run_score(s, opts)) != 0)
        return rc;
    *ctx = s->ctx;
    *m = s->m;
    return 0;
}

void cli_leads_model_free(void *h)
{
    if (h) {
        state_free(h);
        free(h);
    }
}

static int cmd_leads(int argc, char **argv)
{
    cli_opt opts[] = {{"events", NULL, !cli_db_given()}, {"at", NULL, 1},
                      {"leads", NULL, 0},  {"outcomes", NULL, 0},
                      {"format", NULL, 0}, {NULL, NULL, 0}};
    state s;
    int64_t at;
    int rc, json;

    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return cli_leads_add(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "event") == 0)
        return cli_leads_event(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "stage") == 0)
        return cli_leads_stage(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "funnel") == 0)
        return cli_leads_funnel(argc, argv);
    if (argc >= 2 && (strcmp(argv[1], "suggest-points") == 0 ||
                      strcmp(argv[1], "apply-points") == 0))
        return cli_leads_points(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "close") == 0)
        return cli_leads_close(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "reopen") == 0)
        return cli_leads_reopen(argc, argv);
    if (argc < 2 || strcmp(argv[1], "score") != 0)
        return cli_usage_error("leads: expected score, add, event, stage, "
                               "funnel, suggest-points, apply-points, close "
                               "or reopen (try 'b2b2c help leads')");
    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0 ||
        (rc = cli_format_parse(opts, &json)) != 0)
        return rc;
    memset(&s, 0, sizeof(s));
    rc = run_score(&s, opts);
    if (rc == 0) {
        cli_parse_time(cli_opt_get(opts, "at"), &at);
        cli_table_begin(&s.t, json, cli_leads_cols, 4);
        /* leads file order first, then first-event order */
        for (size_t i = 0; s.ford && i < s.nld && rc == 0; i++)
            rc = print_row(&s, s.ford[i], at);
        for (size_t i = 0; i < s.nout && rc == 0; i++) {
            lead_row key;
            key.id = s.out[i];
            if (s.nld && bsearch(&key, s.ld, s.nld, sizeof(*s.ld), cli_lead_row_cmp))
                continue;
            rc = print_row(&s, s.out[i], at);
        }
        if (rc == 0 && cli_db_given())
            rc = print_stored(&s, at);
        if (rc == 0)
            cli_table_end(&s.t);
    }
    state_free(&s);
    return rc;
}
