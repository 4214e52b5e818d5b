/* SPDX-License-Identifier: MIT */
/* b2b2c --db SPEC leads add / leads event: one lead or one event at a time,
 * kept in the database between runs. */
#include <string.h>

#include "cli.h"

typedef struct one {
    b2b2c_ctx *ctx;
    b2b2c_lead_model *m;
    int64_t at;
} one;

static int one_open(one *o, int argc, char **argv, cli_opt *opts)
{
    int rc;
    memset(o, 0, sizeof(*o));
    if (!cli_db_given())
        return cli_usage_error("leads %s: needs --db sqlite:FILE or "
                               "postgresql:CONNINFO (without a "
                               "database the lead is gone when the run "
                               "ends)",
                               argv[1]);
    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0)
        return rc;
    if (cli_opt_get(opts, "at") && /* reopen has no --at */
        cli_parse_time(cli_opt_get(opts, "at"), &o->at))
        return cli_usage_error("--at: not a date or time '%s'",
                               cli_opt_get(opts, "at"));
    if ((rc = cli_ctx_new(&o->ctx)) != 0)
        return rc;
    if ((rc = b2b2c_lead_model_new(&o->m, o->ctx)) != 0)
        return cli_data_error("cannot create the lead model: %s",
                              cli_strerror(rc));
    return 0;
}

static int one_close(one *o, int rc)
{
    b2b2c_lead_model_free(o->m);
    cli_ctx_free(o->ctx);
    return rc;
}

static const char *opt_or_empty(const cli_opt *opts, const char *name)
{
    const char *v = cli_opt_get(opts, name);
    return v ? v : "";
}

int cli_leads_add(int argc, char **argv)
{
    cli_opt opts[] = {{"id", NULL, 1},      {"at", NULL, 1},
                      {"segment", NULL, 0}, {"channel", NULL, 0},
                      {"region", NULL, 0},  {"product-line", NULL, 0},
                      {NULL, NULL, 0}};
    int32_t seg = B2B2C_SEGMENT_UNKNOWN;
    const char *segname;
    one o;
    int rc = one_open(&o, argc, argv, opts);
    if (rc)
        return one_close(&o, rc);
    segname = cli_opt_get(opts, "segment");
    if (segname && *segname && (seg = b2b2c_segment_from_name(segname)) < 0)
        return one_close(&o, cli_usage_error("--segment: unknown segment "
                                             "'%s'",
                                             segname));
    rc = b2b2c_lead_add(o.m, cli_opt_get(opts, "id"), o.at, seg,
                        opt_or_empty(opts, "channel"),
                        opt_or_empty(opts, "region"),
                        opt_or_empty(opts, "product-line"));
    if (rc)
        return one_close(&o, cli_data_error("%s (%s)",
                                            b2b2c_ctx_errmsg(o.ctx),
                                            cli_strerror(rc)));
    return one_close(&o, CLI_OK);
}

int cli_leads_event(int argc, char **argv)
{
    cli_opt opts[] = {{"id", NULL, 1}, {"kind", NULL, 1}, {"at", NULL, 1},
                      {"value", NULL, 0}, {NULL, NULL, 0}};
    const char *id, *v;
    double value = 0;
    int32_t kind;
    one o;
    int rc = one_open(&o, argc, argv, opts);
    if (rc)
        return one_close(&o, rc);
    id = cli_opt_get(opts, "id");
    v = cli_opt_get(opts, "value");
    if (v && cli_parse_double(v, &value))
        return one_close(&o, cli_usage_error("--value: not a finite number "
                                             "'%s'",
                                             v));
    if (b2b2c_lead_kind_id(&kind, o.m, cli_opt_get(opts, "kind")))
        return one_close(&o, cli_usage_error("--kind: unknown event kind "
                                             "'%s'",
                                             cli_opt_get(opts, "kind")));
    if ((rc = b2b2c_lead_event(o.m, id, kind, o.at, value)) != 0)
        return one_close(&o, cli_data_error("%s (%s)",
                                            b2b2c_ctx_errmsg(o.ctx),
                                            cli_strerror(rc)));
    {
        cli_table t;
        cli_table_begin(&t, 0, cli_leads_cols, 4);
        rc = cli_leads_print_row(&t, o.ctx, o.m, id, o.at);
        if (rc == 0)
            cli_table_end(&t);
    }
    return one_close(&o, rc);
}

/* The stage a dealer's outcome puts the lead in (docs/lead-model.md,
 * "Keeping the lifecycle in step with the dealer"). */
static const struct {
    const char *outcome;
    int32_t stage;
} dealer_outcomes[] = {
    {"offered", B2B2C_LEAD_STAGE_PASSED_TO_DEALER},
    {"accepted", B2B2C_LEAD_STAGE_ACCEPTED_BY_DEALER},
    {"won", B2B2C_LEAD_STAGE_WON},
    {"lost", B2B2C_LEAD_STAGE_LOST},
    {"declined", B2B2C_LEAD_STAGE_QUALIFIED},
    {"expired", B2B2C_LEAD_STAGE_QUALIFIED},
    {"recalled", B2B2C_LEAD_STAGE_QUALIFIED},
};

#define ST(x) B2B2C_LEAD_STAGE_##x
/* The stages a lead in `cur` goes through to where the dealer's outcome
 * puts it (`to`), along the dealer's part of the funnel: qualified,
 * passed_to_dealer, accepted_by_dealer, won; a lead not yet qualified is
 * qualified first (revived first when lost or disqualified), an accepted
 * lead offered again is recalled first. Lost, and back to qualified, only
 * from the dealer's hands. path[0..n), n = 0 when already there, -1 when
 * the outcome does not fit the lead's stage. */
static int dealer_path(int32_t cur, int32_t to, int32_t *path)
{
    int n = 0;
    int32_t from;
    if (cur == to)
        return 0;
    if (to == ST(LOST) || to == ST(QUALIFIED)) {
        if (cur != ST(PASSED_TO_DEALER) && cur != ST(ACCEPTED_BY_DEALER))
            return -1;
        path[0] = to;
        return 1;
    }
    switch (cur) {
    case ST(NEW):
    case ST(NURTURING):
    case ST(REPEAT_DUE):
        path[n++] = ST(QUALIFIED);
        from = ST(QUALIFIED);
        break;
    case ST(LOST):
    case ST(DISQUALIFIED):
        path[n++] = ST(NURTURING);
        path[n++] = ST(QUALIFIED);
        from = ST(QUALIFIED);
        break;
    case ST(QUALIFIED):
    case ST(PASSED_TO_DEALER):
        from = cur;
        break;
    case ST(ACCEPTED_BY_DEALER):
        if (to == ST(PASSED_TO_DEALER))
            path[n++] = ST(QUALIFIED);
        from = to == ST(PASSED_TO_DEALER) ? ST(QUALIFIED) : cur;
        break;
    default: /* won, customer: the dealer's part is over */
        return -1;
    }
    for (int32_t s = from + 1; s <= to; s++) /* qualified .. won: 2..5 */
        path[n++] = s;
    return n;
}
#undef ST

int cli_leads_stage(int argc, char **argv)
{
    cli_opt opts[] = {{"id", NULL, 1},
                      {"at", NULL, 1},
                      {"stage", NULL, 0},
                      {"dealer-outcome", NULL, 0},
                      {NULL, NULL, 0}};
    const char *st = NULL, *oc = NULL, *id;
    int32_t target = -1, cur, path[10];
    int n, rc;
    one o;
    if ((rc = one_open(&o, argc, argv, opts)) != 0)
        return one_close(&o, rc);
    id = cli_opt_get(opts, "id");
    st = cli_opt_get(opts, "stage");
    oc = cli_opt_get(opts, "dealer-outcome");
    if (!st == !oc)
        return one_close(&o, cli_usage_error("leads stage: give one of "
                                             "--stage and --dealer-outcome"));
    if (st && (target = b2b2c_lead_stage_from_name(st)) < 0)
        return one_close(&o, cli_usage_error("--stage: unknown stage '%s'",
                                             st));
    for (size_t i = 0; oc && i < sizeof(dealer_outcomes) /
                                     sizeof(dealer_outcomes[0]);
         i++)
        if (strcmp(oc, dealer_outcomes[i].outcome) == 0)
            target = dealer_outcomes[i].stage;
    if (target < 0)
        return one_close(&o, cli_usage_error("--dealer-outcome: expected "
                                             "offered, accepted, won, lost, "
                                             "declined, expired or "
                                             "recalled, not '%s'",
                                             oc));
    if ((rc = b2b2c_lead_stage(&cur, o.m, id)) != 0)
        return one_close(&o, cli_data_error("%s (%s)",
                                            b2b2c_ctx_errmsg(o.ctx),
                                            cli_strerror(rc)));
    /* --stage: the one move asked for (the library says if it is not
     * allowed); --dealer-outcome: every move on the way, in one group */
    n = oc ? dealer_path(cur, target, path) : 1;
    if (!oc)
        path[0] = target;
    if (n < 0)
        return one_close(&o, cli_data_error("lead '%s' is %s: the dealer "
                                            "outcome '%s' cannot move it to "
                                            "%s",
                                            id, b2b2c_lead_stage_name(cur),
                                            oc,
                                            b2b2c_lead_stage_name(target)));
    if ((rc = b2b2c_ctx_begin(o.ctx)) != 0)
        return one_close(&o, cli_data_error("%s", b2b2c_ctx_errmsg(o.ctx)));
    for (int i = 0; i < n && rc == 0; i++)
        rc = b2b2c_lead_set_stage(o.m, id, path[i], o.at);
    if (rc) {
        int c = rc;
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", b2b2c_ctx_errmsg(o.ctx));
        b2b2c_ctx_rollback(o.ctx);
        return one_close(&o, cli_data_error("%s (%s)", msg, cli_strerror(c)));
    }
    if ((rc = b2b2c_ctx_commit(o.ctx)) != 0)
        return one_close(&o, cli_data_error("%s", b2b2c_ctx_errmsg(o.ctx)));
    {
        static const char *const cols[] = {"lead_id", "from", "to", "at"};
        char when[64];
        cli_table t;
        cli_format_time(when, sizeof(when), o.at);
        cli_table_begin(&t, 0, cols, 4);
        for (int i = 0; i < n; i++) {
            cli_table_str(&t, id);
            cli_table_str(&t, b2b2c_lead_stage_name(i ? path[i - 1] : cur));
            cli_table_str(&t, b2b2c_lead_stage_name(path[i]));
            cli_table_str(&t, when);
        }
        cli_table_end(&t);
    }
    return one_close(&o, CLI_OK);
}

/* leads close: one bounded b2b2c_lead_close_due call (cron-friendly);
 * prints closed,N. */
int cli_leads_close(int argc, char **argv)
{
    cli_opt opts[] = {{"at", NULL, 1}, {"max", NULL, 0}, {NULL, NULL, 0}};
    const char *mx;
    int64_t max = 10000;
    size_t closed = 0;
    one o;
    int rc = one_open(&o, argc, argv, opts);
    if (rc)
        return one_close(&o, rc);
    mx = cli_opt_get(opts, "max");
    if (mx && (cli_parse_int64(mx, &max) || max < 1))
        return one_close(&o, cli_usage_error("--max: expected a whole "
                                             "number >= 1, not '%s'",
                                             mx));
    if ((rc = b2b2c_lead_close_due(&closed, o.m, o.at, (size_t)max)) != 0)
        return one_close(&o, cli_data_error("%s (%s)",
                                            b2b2c_ctx_errmsg(o.ctx),
                                            cli_strerror(rc)));
    printf("closed\n%zu\n", closed);
    return one_close(&o, CLI_OK);
}

/* leads reopen: a closed lead back into the working set. */
int cli_leads_reopen(int argc, char **argv)
{
    cli_opt opts[] = {{"id", NULL, 1}, {NULL, NULL, 0}};
    one o;
    int rc = one_open(&o, argc, argv, opts);
    if (rc)
        return one_close(&o, rc);
    if ((rc = b2b2c_lead_reopen(o.m, cli_opt_get(opts, "id"))) != 0)
        return one_close(&o, cli_data_error("%s (%s)",
                                            b2b2c_ctx_errmsg(o.ctx),
                                            cli_strerror(rc)));
    return one_close(&o, CLI_OK);
}
