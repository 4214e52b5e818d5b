/* SPDX-License-Identifier: MIT */
/* b2b2c [--db SPEC] params [ENGINE] [--set NAME=VALUE]: every engine's
 * parameters with their values, defaults and bounds (b2b2c_param_bounds),
 * and one set through the engine's set_param, kept in the database. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: b2b2c [--db SPEC] params [lead|segments|dealers|forecast|"
    "channels|\n"
    "                         programs]\n"
    "                         [--set NAME=VALUE] [--format csv|json]\n\n"
    "Prints CSV engine,param,value,default,min,max: every parameter of the\n"
    "engines (or of one), its value (with --db: as stored), its default and\n"
    "its inclusive bounds, with 17 significant digits. NAME is the header's\n"
    "name with or without the B2B2C_ prefix (B2B2C_LEAD_HALF_LIFE_DAYS or\n"
    "LEAD_HALF_LIFE_DAYS). --set needs --db (nothing else keeps it); a value\n"
    "outside the bounds, or that breaks a rule between two parameters, is\n"
    "refused (exit 1) and nothing changes.\n";

typedef struct eng {
    const char *name;
    int32_t base;
    void *h;
    int (*get)(double *out, const void *h, int32_t param);
    int (*set)(void *h, int32_t param, double v);
} eng;

/* adapters with one signature over the engines' own */
static int lead_get(double *o, const void *h, int32_t p)
{
    return b2b2c_lead_model_get_param(o, h, p);
}
static int lead_set(void *h, int32_t p, double v)
{
    return b2b2c_lead_model_set_param(h, p, v);
}
static int seg_get(double *o, const void *h, int32_t p)
{
    return b2b2c_segmenter_get_param(o, h, p);
}
static int seg_set(void *h, int32_t p, double v)
{
    return b2b2c_segmenter_set_param(h, p, v);
}
static int dealer_get(double *o, const void *h, int32_t p)
{
    return b2b2c_dealer_get_param(o, h, p);
}
static int dealer_set(void *h, int32_t p, double v)
{
    return b2b2c_dealer_set_param(h, p, v);
}
static int fc_get(double *o, const void *h, int32_t p)
{
    return b2b2c_forecaster_get_param(o, h, p);
}
static int fc_set(void *h, int32_t p, double v)
{
    return b2b2c_forecaster_set_param(h, p, v);
}
static int ch_get(double *o, const void *h, int32_t p)
{
    return b2b2c_channels_get_param(o, h, p);
}
static int ch_set(void *h, int32_t p, double v)
{
    return b2b2c_channels_set_param(h, p, v);
}
static int pg_get(double *o, const void *h, int32_t p)
{
    return b2b2c_programs_get_param(o, h, p);
}
static int pg_set(void *h, int32_t p, double v)
{
    return b2b2c_programs_set_param(h, p, v);
}

enum { E_LEAD, E_SEG, E_DEALER, E_FC, E_CH, E_PG, NENG };

static int open_all(b2b2c_ctx *ctx, eng *es)
{
    int rc = 0;
    b2b2c_lead_model *m = NULL;
    b2b2c_segmenter *s = NULL;
    b2b2c_dealer_engine *d = NULL;
    b2b2c_forecaster *f = NULL;
    b2b2c_channels *c = NULL;
    b2b2c_programs *g = NULL;
    if ((rc = b2b2c_lead_model_new(&m, ctx)) == 0 &&
        (rc = b2b2c_segmenter_new(&s, ctx)) == 0 &&
        (rc = b2b2c_dealer_new(&d, ctx)) == 0 &&
        (rc = b2b2c_forecaster_new(&f, ctx)) == 0 &&
        (rc = b2b2c_channels_new(&c, ctx)) == 0)
        rc = b2b2c_programs_new(&g, ctx);
    es[E_LEAD] = (eng){"lead", 100, m, lead_get, lead_set};
    es[E_SEG] = (eng){"segments", 200, s, seg_get, seg_set};
    es[E_DEALER] = (eng){"dealers", 300, d, dealer_get, dealer_set};
    es[E_FC] = (eng){"forecast", 400, f, fc_get, fc_set};
    es[E_CH] = (eng){"channels", 500, c, ch_get, ch_set};
    es[E_PG] = (eng){"programs", 700, g, pg_get, pg_set};
    return rc;
}

static void close_all(eng *es)
{
    b2b2c_lead_model_free(es[E_LEAD].h);
    b2b2c_segmenter_free(es[E_SEG].h);
    b2b2c_dealer_free(es[E_DEALER].h);
    b2b2c_forecaster_free(es[E_FC].h);
    b2b2c_channels_free(es[E_CH].h);
    b2b2c_programs_free(es[E_PG].h);
}

/* the parameter named s (with or without B2B2C_), or 0; experiments (600)
 * keep nothing, so they have none here */
static int32_t find_param(const char *s, size_t n)
{
    for (int32_t base = 100; base <= 700; base += 100)
        for (int32_t p = base; base != 600 && p < base + 100; p++) {
            const char *nm = b2b2c_param_name(p);
            if (!nm)
                continue; /* past the last, or a gap (programs 702-719) */
            if ((strlen(nm) == n && strncmp(nm, s, n) == 0) ||
                (strlen(nm + 6) == n && strncmp(nm + 6, s, n) == 0))
                return p;
        }
    return 0;
}

static int run(int argc, char **argv)
{
    cli_opt o[] = {{"set", NULL, 0}, {"format", NULL, 0}, {NULL, NULL, 0}};
    static const char *const cols[] = {"engine", "param", "value",
                                       "default", "min", "max"};
    const char *only = NULL, *set;
    eng es[NENG];
    b2b2c_ctx *ctx = NULL;
    cli_table t;
    int rc, json, first = 1;

    if (argc >= 2 && strncmp(argv[1], "--", 2) != 0) {
        only = argv[1];
        first = 2;
    }
    if ((rc = cli_parse_opts(argc, argv, first, o)) != 0 ||
        (rc = cli_format_parse(o, &json)) != 0)
        return rc;
    if (only && strcmp(only, "lead") && strcmp(only, "segments") &&
        strcmp(only, "dealers") && strcmp(only, "forecast") &&
        strcmp(only, "channels") && strcmp(only, "programs"))
        return cli_usage_error("params: unknown engine '%s' (lead, segments, "
                               "dealers, forecast, channels or programs)",
                               only);
    set = cli_opt_get(o, "set");
    if (set && !cli_db_given())
        return cli_usage_error("--set: needs --db (the database keeps the "
                               "parameter; without it nothing would)");
    if ((rc = cli_ctx_new(&ctx)) != 0)
        return rc;
    memset(es, 0, sizeof(es));
    if ((rc = open_all(ctx, es)) != 0) {
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                            b2b2c_strerror(rc));
        goto out;
    }
    if (set) {
        const char *eq = strchr(set, '=');
        int32_t p = eq ? find_param(set, (size_t)(eq - set)) : 0;
        double v;
        if (!eq) {
            rc = cli_usage_error("--set: NAME=VALUE expected, got '%s'", set);
            goto out;
        }
        if (!p) {
            rc = cli_usage_error("--set: unknown parameter '%.*s'",
                                 (int)(eq - set), set);
            goto out;
        }
        if (cli_parse_double(eq + 1, &v)) {
            rc = cli_usage_error("--set: '%s' is not a number", eq + 1);
            goto out;
        }
        eng *pe = &es[p / 100 == 7 ? E_PG : p / 100 - 1];
        if ((rc = pe->set(pe->h, p, v)) != 0) {
            rc = cli_data_error("--set %s: %s (%s)", b2b2c_param_name(p),
                                b2b2c_ctx_errmsg(ctx), b2b2c_strerror(rc));
            goto out;
        }
    }
    cli_table_begin(&t, json, cols, 6);
    for (int k = 0; k < NENG; k++) {
        if (only && strcmp(only, es[k].name))
            continue;
        for (int32_t p = es[k].base; p < es[k].base + 100; p++) {
            double v, lo, hi, def;
            if (!b2b2c_param_name(p))
                continue; /* past the last, or a gap (programs 702-719) */
            if (es[k].get(&v, es[k].h, p) ||
                b2b2c_param_bounds(&lo, &hi, &def, p)) {
                rc = cli_data_error("%s: %s", b2b2c_param_name(p),
                                    b2b2c_ctx_errmsg(ctx));
                goto out;
            }
            cli_table_str(&t, es[k].name);
            cli_table_str(&t, b2b2c_param_name(p));
            cli_table_num(&t, v, CLI_EXACT);
            cli_table_num(&t, def, CLI_EXACT);
            cli_table_num(&t, lo, CLI_EXACT);
            cli_table_num(&t, hi, CLI_EXACT);
        }
    }
    cli_table_end(&t);
out:
    close_all(es);
    cli_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_params = {
    "params", "every engine's parameters: values, defaults, bounds; set one",
    usage, run};
