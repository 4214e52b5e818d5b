/* SPDX-License-Identifier: MIT */
/* b2b2c segments: classify accounts from a CSV file, list the rules, print
 * the routing table. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: b2b2c segments classify --accounts FILE.csv [--rules FILE.csv]\n"
    "       b2b2c segments rules [--rules FILE.csv]\n"
    "       b2b2c segments routes [--dealer-policy 0|1]\n"
    "\n"
    "classify: FILE.csv has a header naming account_id and any of the\n"
    "  attributes party_type (person|organisation), reseller (0|1|yes|no),\n"
    "  org_kind (retail_chain, regional_distributor, independent_shop,\n"
    "  online_retailer, plant, corporation, public_sector, workshop,\n"
    "  small_company, contractor, private_person, other), employees,\n"
    "  annual_revenue, purchase_volume, orders_per_year, outlets,\n"
    "  contract_months. An empty cell is a missing value; another column is\n"
    "  not read (a warning names it), one that looks like a misspelt\n"
    "  attribute is an error. Prints CSV\n"
    "  account_id,segment,group,confidence,rule,reason.\n"
    "rules: lists the rules in evaluation order as CSV.\n"
    "--rules FILE.csv adds host rules first: columns rule_id, priority,\n"
    "  segment (a stable name), expr (docs/segments.md).\n"
    "routes: the routing table, CSV segment,band,destination,channel_kind.\n"
    "\n"
    "       b2b2c --db SPEC segments assign --accounts FILE.csv --at DATE\n"
    "       b2b2c --db SPEC segments migrations [--since DATE]\n"
    "assign classifies as classify does and records each account's segment\n"
    "at --at in the database (one transaction: a bad row records nothing);\n"
    "migrations lists the moves between segments since --since, CSV\n"
    "account_id,time,from_segment,to_segment,rule,confidence.\n"
    "--format json prints any of them as a JSON array of objects\n"
    "(confidence with 4 decimals).\n";

static int lib_error(b2b2c_ctx *ctx, int rc)
{
    return cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                          b2b2c_strerror(rc));
}

static int load_rules(b2b2c_segmenter *s, b2b2c_ctx *ctx, const char *path)
{
    cli_csv c;
    int cols[4], rc, bad = 0;
    static const char *const names[4] = {"rule_id", "priority", "segment",
                                         "expr"};
    if ((rc = cli_csv_open(&c, path)) != 0)
        return rc;
    for (int i = 0; i < 4; i++)
        if ((cols[i] = cli_csv_col(&c, names[i])) < 0) {
            rc = cli_csv_error(&c, "missing column '%s'", names[i]);
            cli_csv_close(&c);
            return rc;
        }
    while ((rc = cli_csv_next(&c)) != 0) {
        int64_t prio;
        int32_t seg;
        if (rc < 0) {
            bad = 1;
            continue;
        }
        if (cli_parse_int64(cli_csv_field(&c, cols[1]), &prio) != 0 ||
            prio < INT32_MIN || prio > INT32_MAX) {
            bad = cli_csv_error(&c, "priority: not an integer");
            continue;
        }
        seg = b2b2c_segment_from_name(cli_csv_field(&c, cols[2]));
        if (seg < 0) {
            bad = cli_csv_error(&c, "segment: unknown segment '%s'",
                                cli_csv_field(&c, cols[2]));
            continue;
        }
        rc = b2b2c_segmenter_rule_add(s, cli_csv_field(&c, cols[0]),
                                      (int32_t)prio, seg,
                                      cli_csv_field(&c, cols[3]));
        if (rc)
            bad = cli_csv_error(&c, "%s", b2b2c_ctx_errmsg(ctx));
    }
    cli_csv_close(&c);
    return bad ? CLI_EDATA : 0;
}

/* Parse one cell for attribute `attr` into the set; 0 or prints why. */
static int set_cell(cli_csv *c, b2b2c_segment_attrs *a, b2b2c_ctx *ctx,
                    int32_t attr, const char *text)
{
    double x;
    int32_t v;
    int rc;
    if (attr == B2B2C_SEG_ATTR_PARTY_TYPE &&
        (v = b2b2c_seg_party_type_from_name(text)) > 0)
        x = v;
    else if (attr == B2B2C_SEG_ATTR_ORG_KIND &&
             (v = b2b2c_seg_org_kind_from_name(text)) > 0)
        x = v;
    else if (attr == B2B2C_SEG_ATTR_RESELLER &&
             (strcmp(text, "yes") == 0 || strcmp(text, "true") == 0))
        x = 1;
    else if (attr == B2B2C_SEG_ATTR_RESELLER &&
             (strcmp(text, "no") == 0 || strcmp(text, "false") == 0))
        x = 0;
    else if (cli_parse_double(text, &x) != 0)
        return cli_csv_error(c, "%s: '%s' is not %s", b2b2c_seg_attr_name(attr),
                             text,
                             attr == B2B2C_SEG_ATTR_ORG_KIND
                                 ? "an organisation kind"
                             : attr == B2B2C_SEG_ATTR_PARTY_TYPE
                                 ? "person or organisation"
                                 : "a finite number");
    rc = b2b2c_segment_attrs_set_double(a, attr, x);
    if (rc)
        return cli_csv_error(c, "%s", b2b2c_ctx_errmsg(ctx));
    return 0;
}

static const char *const classify_cols[] = {
    "account_id", "segment", "group", "confidence", "rule", "reason"};

/* classify every account of `path`; with `at`, also record the segment
 * in the account's history at *at (segments assign) */
static int classify(b2b2c_segmenter *s, b2b2c_ctx *ctx, const char *path,
                    int json, const int64_t *at)
{
    cli_table tb;
    cli_csv c;
    b2b2c_segment_attrs *a = NULL;
    int32_t attr_of[64];
    int idcol, rc, bad = 0;

    if ((rc = cli_csv_open(&c, path)) != 0)
        return rc;
    idcol = cli_csv_col(&c, "account_id");
    if (idcol < 0) {
        rc = cli_csv_error(&c, "missing column 'account_id'");
        cli_csv_close(&c);
        return rc;
    }
    if (c.nheader > 64) {
        rc = cli_csv_error(&c, "too many columns (%zu)", c.nheader);
        cli_csv_close(&c);
        return rc;
    }
    {
        /* the attributes' names: a column that looks like a misspelt one
         * is an error, another unknown column (a CRM export's own) a
         * warning, and it is not read (cli_csv_check_columns) */
        cli_colname known[65];
        size_t nk = 0;
        for (int32_t k = 0; k < 64; k++) {
            if (!b2b2c_seg_attr_name(k))
                continue;
            memset(&known[nk], 0, sizeof(known[nk]));
            known[nk++].name = b2b2c_seg_attr_name(k);
        }
        memset(&known[nk], 0, sizeof(known[nk]));
        if ((rc = cli_csv_check_columns(&c, known, idcol)) != 0) {
            cli_csv_close(&c);
            return rc;
        }
    }
    for (size_t i = 0; i < c.nheader; i++) {
        attr_of[i] = -1;
        if ((int)i == idcol)
            continue;
        attr_of[i] = b2b2c_seg_attr_from_name(c.header[i]);
        for (size_t j = 0; attr_of[i] >= 0 && j < i; j++)
            if (attr_of[j] == attr_of[i]) {
                rc = cli_csv_error(&c, "column '%s' appears twice",
                                   c.header[i]);
                cli_csv_close(&c);
                return rc;
            }
    }
    if ((rc = b2b2c_segment_attrs_new(&a, ctx)) != 0) {
        cli_csv_close(&c);
        return lib_error(ctx, rc);
    }
    cli_table_begin(&tb, json, classify_cols, 6);
    while ((rc = cli_csv_next(&c)) != 0) {
        const char *id;
        int32_t seg;
        double conf;
        int row_bad = 0;
        if (rc < 0) {
            bad = 1;
            continue;
        }
        if (c.nfields > c.nheader) {
            bad = cli_csv_error(&c, "%zu fields, the header has %zu",
                                c.nfields, c.nheader);
            continue;
        }
        id = cli_csv_field(&c, idcol);
        if (!*id) {
            bad = cli_csv_error(&c, "account_id: empty");
            continue;
        }
        b2b2c_segment_attrs_reset(a);
        for (size_t i = 0; i < c.nheader && !row_bad; i++) {
            const char *t = cli_csv_field(&c, (int)i);
            if ((int)i == idcol || attr_of[i] < 0 || !*t)
                continue;
            if (set_cell(&c, a, ctx, attr_of[i], t) != 0)
                row_bad = 1;
        }
        if (row_bad) {
            bad = 1;
            continue;
        }
        if ((rc = b2b2c_segmenter_classify(&seg, &conf, s, a)) != 0 ||
            (at && (rc = b2b2c_segmenter_assign(NULL, s, id, a, *at)) != 0)) {
            bad = cli_csv_error(&c, "%s", b2b2c_ctx_errmsg(ctx));
            continue;
        }
        cli_table_str(&tb, id);
        cli_table_str(&tb, b2b2c_segment_name(seg));
        cli_table_str(&tb, b2b2c_group_name(b2b2c_segment_group(seg)));
        cli_table_num(&tb, conf, CLI_RATE);
        cli_table_str(&tb, b2b2c_segmenter_last_rule(s));
        cli_table_str(&tb, b2b2c_segmenter_last_reason(s));
    }
    cli_table_end(&tb);
    b2b2c_segment_attrs_free(a);
    cli_csv_close(&c);
    return bad ? CLI_EDATA : CLI_OK;
}

static const char *const migration_cols[] = {
    "account_id", "time", "from_segment", "to_segment", "rule", "confidence"};

static int print_migration(const char *account, int64_t time, int32_t from,
                           int32_t to, int64_t version, const char *rule,
                           double confidence, void *payload)
{
    cli_table *t = payload;
    char ts[64];
    (void)version;
    cli_format_time(ts, sizeof ts, time);
    cli_table_str(t, account);
    cli_table_str(t, ts);
    cli_table_str(t, b2b2c_segment_name(from));
    cli_table_str(t, b2b2c_segment_name(to));
    cli_table_str(t, rule);
    cli_table_num(t, confidence, CLI_RATE);
    return 0;
}

/* segments assign / migrations: on the --db database */
static int with_db(const char *sub, const cli_opt *opts, int json)
{
    b2b2c_ctx *ctx = NULL;
    b2b2c_segmenter *s = NULL;
    const char *at_s = cli_opt_get(opts, "at"), *since_s;
    int64_t at = 0, since = INT64_MIN;
    cli_table t;
    int rc;

    if (!cli_db_given())
        return cli_usage_error("segments %s: needs --db (the assignments "
                               "are kept there)",
                               sub);
    if (cli_opt_get(opts, "rules") || cli_opt_get(opts, "dealer-policy"))
        return cli_usage_error("segments %s: takes no --rules or "
                               "--dealer-policy",
                               sub);
    if (strcmp(sub, "assign") == 0) {
        if (!cli_opt_get(opts, "accounts") || !at_s)
            return cli_usage_error("segments assign: needs --accounts and "
                                   "--at");
        if (cli_parse_time(at_s, &at))
            return cli_usage_error("--at: not a date: '%s'", at_s);
        if (cli_opt_get(opts, "since"))
            return cli_usage_error("--since is for migrations");
    } else {
        if (cli_opt_get(opts, "accounts") || at_s)
            return cli_usage_error("--accounts and --at are for assign");
        if ((since_s = cli_opt_get(opts, "since")) != NULL &&
            cli_parse_time(since_s, &since))
            return cli_usage_error("--since: not a date: '%s'", since_s);
    }
    if ((rc = cli_ctx_new(&ctx)) != 0)
        return rc;
    if ((rc = b2b2c_segmenter_new(&s, ctx)) != 0) {
        rc = lib_error(ctx, rc);
        goto out;
    }
    if (strcmp(sub, "assign") == 0) {
        /* one transaction: a file with a bad row records nothing */
        if ((rc = b2b2c_ctx_begin(ctx)) != 0) {
            rc = lib_error(ctx, rc);
            goto out;
        }
        rc = classify(s, ctx, cli_opt_get(opts, "accounts"), json, &at);
        if (rc) {
            b2b2c_ctx_rollback(ctx);
            fprintf(stderr, "b2b2c: nothing was recorded\n");
        } else if ((rc = b2b2c_ctx_commit(ctx)) != 0) {
            rc = lib_error(ctx, rc);
        }
    } else {
        cli_table_begin(&t, json, migration_cols, 6);
        if ((rc = b2b2c_segmenter_migrations(s, since, print_migration,
                                             &t)) != 0)
            rc = lib_error(ctx, rc);
        else
            cli_table_end(&t);
    }
out:
    b2b2c_segmenter_free(s);
    cli_ctx_free(ctx);
    return rc;
}

static int print_rule(const char *id, int32_t prio, int32_t seg,
                      const char *expr, int32_t is_default, void *payload)
{
    cli_table *t = payload;
    (void)is_default;
    cli_table_str(t, id);
    cli_table_num(t, prio, CLI_COUNT);
    cli_table_str(t, b2b2c_segment_name(seg));
    cli_table_str(t, expr);
    return 0;
}

static const char *const rule_cols[] = {"rule_id", "priority", "segment",
                                        "expr"};
static const char *const route_cols[] = {"segment", "band", "destination",
                                         "channel_kind"};

static int run(int argc, char **argv)
{
    cli_opt opts[] = {{"accounts", NULL, 0},
                      {"rules", NULL, 0},
                      {"dealer-policy", NULL, 0},
                      {"format", NULL, 0},
                      {"at", NULL, 0},
                      {"since", NULL, 0},
                      {NULL, NULL, 0}};
    b2b2c_ctx *ctx = NULL;
    b2b2c_segmenter *s = NULL;
    const char *sub;
    cli_table t;
    int rc, json;

    if (argc < 2)
        return cli_usage_error("segments: classify, rules or routes "
                               "expected (try 'b2b2c help segments')");
    sub = argv[1];
    if (strcmp(sub, "classify") && strcmp(sub, "rules") &&
        strcmp(sub, "routes") && strcmp(sub, "assign") &&
        strcmp(sub, "migrations"))
        return cli_usage_error("segments: unknown action '%s'", sub);
    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0 ||
        (rc = cli_format_parse(opts, &json)) != 0)
        return rc;
    if (strcmp(sub, "assign") == 0 || strcmp(sub, "migrations") == 0)
        return with_db(sub, opts, json);
    if ((rc = cli_db_refuse("segments")) != 0)
        return rc;
    if (cli_opt_get(opts, "at") || cli_opt_get(opts, "since"))
        return cli_usage_error("--at is for assign, --since for migrations");
    if (strcmp(sub, "classify") == 0 && !cli_opt_get(opts, "accounts"))
        return cli_usage_error("missing required option '--accounts'");
    if (strcmp(sub, "classify") != 0 && cli_opt_get(opts, "accounts"))
        return cli_usage_error("--accounts is for classify");
    if (strcmp(sub, "routes") != 0 && cli_opt_get(opts, "dealer-policy"))
        return cli_usage_error("--dealer-policy is for routes");
    if (strcmp(sub, "routes") == 0 && cli_opt_get(opts, "rules"))
        return cli_usage_error("--rules is for classify and rules");
    if (b2b2c_ctx_new(&ctx, NULL, NULL) != 0)
        return cli_data_error("out of memory");
    if ((rc = b2b2c_segmenter_new(&s, ctx)) != 0) {
        rc = lib_error(ctx, rc);
        goto out;
    }
    if (cli_opt_get(opts, "dealer-policy")) {
        const char *p = cli_opt_get(opts, "dealer-policy");
        if (strcmp(p, "0") && strcmp(p, "1")) {
            rc = cli_usage_error("--dealer-policy: 0 or 1");
            goto out;
        }
        if ((rc = b2b2c_segmenter_set_param(s, B2B2C_SEG_DEALER_POLICY,
                                            p[0] == '1')) != 0) {
            rc = lib_error(ctx, rc);
            goto out;
        }
    }
    if (cli_opt_get(opts, "rules") &&
        (rc = load_rules(s, ctx, cli_opt_get(opts, "rules"))) != 0)
        goto out;
    if (strcmp(sub, "classify") == 0) {
        rc = classify(s, ctx, cli_opt_get(opts, "accounts"), json, NULL);
    } else if (strcmp(sub, "rules") == 0) {
        cli_table_begin(&t, json, rule_cols, 4);
        rc = b2b2c_segmenter_rules(s, print_rule, &t);
        if (rc)
            rc = lib_error(ctx, rc);
        else
            cli_table_end(&t);
    } else {
        cli_table_begin(&t, json, route_cols, 4);
        for (int32_t seg = 0; seg <= 5; seg++)
            for (int32_t band = 0; band <= 3; band++) {
                int32_t d, k;
                if ((rc = b2b2c_segmenter_route(&d, &k, s, seg, band)) != 0) {
                    rc = lib_error(ctx, rc);
                    goto out;
                }
                cli_table_str(&t, b2b2c_segment_name(seg));
                cli_table_str(&t, b2b2c_band_name(band));
                cli_table_str(&t, b2b2c_seg_dest_name(d));
                cli_table_str(&t, b2b2c_seg_channel_name(k));
            }
        cli_table_end(&t);
    }
out:
    b2b2c_segmenter_free(s);
    b2b2c_ctx_free(ctx);
    return rc;
}

const cli_command cli_cmd_segments = {
    "segments", "classify accounts into the five B2B2C segments", usage,
    run};
