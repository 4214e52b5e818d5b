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
    if (cli_parse_time(cli_opt_get(opts, "at"), &o->at))
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
    printf("lead_id,score,band,probability\n");
    return one_close(&o, cli_leads_print_row(o.ctx, o.m, id, o.at));
}
