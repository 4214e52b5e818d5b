/* SPDX-License-Identifier: MIT */
/* b2b2c dealers register | conflicts: deal registrations from a CSV file
 * (docs/dealer-allocation.md, "Deal registration"). `register` applies
 * every row and prints its result; `conflicts` applies them inside a
 * transaction group that it rolls back, and prints the refused rows only:
 * what would conflict, nothing stored (also with --db). A refused call
 * would abort the group, so `conflicts` asks first (the owner, the
 * registration) and registers only the rows that pass. */
#include <string.h>

#include "cli.h"

/* A Unix time as YYYY-MM-DDTHH:MM:SSZ */
static void put_time(int64_t t)
{
    char buf[64];
    cli_format_time(buf, sizeof buf, t);
    fputs(buf, stdout);
}

enum { A_REGISTER, A_APPROVE, A_REJECT };

typedef struct regrow {
    const char *dealer, *key, *prod;
    size_t kl;
    int action;
    double value;
    int64_t t, close;
} regrow;

typedef struct cols {
    int dealer, key, prod, value, close, t, action;
} cols;

static int read_row(cli_csv *c, const cols *k, regrow *r)
{
    const char *a = k->action >= 0 ? cli_csv_field(c, k->action) : "";
    r->dealer = cli_csv_field(c, k->dealer);
    r->key = cli_csv_field(c, k->key);
    r->kl = strlen(r->key);
    r->prod = k->prod >= 0 ? cli_csv_field(c, k->prod) : "";
    r->value = 0;
    r->close = 0;
    if (!*a || strcmp(a, "register") == 0)
        r->action = A_REGISTER;
    else if (strcmp(a, "approve") == 0)
        r->action = A_APPROVE;
    else if (strcmp(a, "reject") == 0)
        r->action = A_REJECT;
    else
        return cli_csv_error(c, "action '%s' is not register, approve or "
                                "reject", a);
    if (cli_parse_time(cli_csv_field(c, k->t), &r->t))
        return cli_csv_error(c, "timestamp '%s' is not a date/time",
                             cli_csv_field(c, k->t));
    if (r->action != A_REGISTER)
        return 0;
    if (k->close < 0 || cli_parse_time(cli_csv_field(c, k->close),
                                       &r->close))
        return cli_csv_error(c, "expected_close '%s' is not a date/time",
                             k->close < 0 ? "" : cli_csv_field(c, k->close));
    if (k->value >= 0 && *cli_csv_field(c, k->value) &&
        cli_parse_double(cli_csv_field(c, k->value), &r->value))
        return cli_csv_error(c, "value '%s' is not a number",
                             cli_csv_field(c, k->value));
    return 0;
}

/* The holder of a refused row's pair at t: dealer, since, until. */
static void holder(b2b2c_dealer_engine *e, const regrow *r, const char **d,
                   int64_t *since, int64_t *until)
{
    int32_t by = B2B2C_DEALER_PROTECT_NONE;
    *d = "";
    *since = *until = 0;
    if (b2b2c_dealer_protected(d, &by, until, e, r->key, r->kl, r->prod,
                               r->t) != 0 ||
        by == B2B2C_DEALER_PROTECT_NONE) {
        *d = "";
        return;
    }
    if (by == B2B2C_DEALER_PROTECT_OWNER)
        b2b2c_dealer_owner(NULL, since, NULL, e, r->key, r->kl, r->prod,
                           r->t);
    else
        b2b2c_dealer_registration(NULL, NULL, since, NULL, NULL, e, r->key,
                                  r->kl, r->prod, r->t);
}

/* What b2b2c_dealer_register would answer for r, by reads only:
 * B2B2C_EEXISTS (another dealer owns the customer or holds a live
 * registration), B2B2C_EDUPLICATE (the dealer's own is live), else 0. */
static int would_refuse(b2b2c_dealer_engine *e, const regrow *r)
{
    const char *d = NULL;
    int32_t st = 0;
    if (b2b2c_dealer_owner(&d, NULL, NULL, e, r->key, r->kl, r->prod,
                           r->t) == 0 &&
        strcmp(d, r->dealer) != 0)
        return B2B2C_EEXISTS;
    if (b2b2c_dealer_registration(&d, &st, NULL, NULL, NULL, e, r->key,
                                  r->kl, r->prod, r->t) == 0 &&
        (st == B2B2C_DEALER_REG_PENDING || st == B2B2C_DEALER_REG_APPROVED))
        return strcmp(d, r->dealer) == 0 ? B2B2C_EDUPLICATE : B2B2C_EEXISTS;
    return 0;
}

static int run_file(int argc, char **argv, int only_conflicts)
{
    cli_opt opts[] = {{"dealers", NULL, 0},
                      {"registrations", NULL, 1},
                      {NULL, NULL, 0}};
    static const char *const RESULT[] = {"accepted", "approved",
                                         "rejected"};
    b2b2c_ctx *ctx = NULL;
    b2b2c_dealer_engine *e = NULL;
    cli_csv c;
    cols k;
    int rc, r, copen = 0, group = 0;
    long row = 0, refused = 0;

    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0)
        return rc;
    if (!cli_opt_get(opts, "dealers") && !cli_db_given())
        return cli_usage_error("--dealers FILE.csv is needed without --db");
    if ((rc = cli_ctx_new(&ctx)) != 0)
        return rc;
    if ((rc = b2b2c_dealer_new(&e, ctx)) != 0) {
        rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                            b2b2c_strerror(rc));
        goto out;
    }
    if (only_conflicts) {
        /* everything below is rolled back: nothing is stored */
        if ((rc = b2b2c_ctx_begin(ctx)) != 0) {
            rc = cli_data_error("%s (%s)", b2b2c_ctx_errmsg(ctx),
                                b2b2c_strerror(rc));
            goto out;
        }
        group = 1;
    }
    if (cli_opt_get(opts, "dealers") &&
        (rc = cli_dealers_load(ctx, e, cli_opt_get(opts, "dealers"))) != 0)
        goto out;
    if (cli_csv_open(&c, cli_opt_get(opts, "registrations"))) {
        rc = CLI_EDATA;
        goto out;
    }
    copen = 1;
    k.dealer = cli_csv_col(&c, "dealer_id");
    k.key = cli_csv_col(&c, "customer_key");
    k.prod = cli_csv_col(&c, "product_line");
    k.value = cli_csv_col(&c, "value");
    k.close = cli_csv_col(&c, "expected_close");
    k.t = cli_csv_col(&c, "timestamp");
    k.action = cli_csv_col(&c, "action");
    if (k.dealer < 0 || k.key < 0 || k.t < 0) {
        rc = cli_csv_error(&c, "header needs dealer_id,customer_key,"
                               "timestamp (and expected_close to register; "
                               "optionally product_line,value,action)");
        goto out;
    }
    printf(only_conflicts
               ? "row,dealer_id,customer_key,product_line,at,result,holder,"
                 "holder_since,until\n"
               : "row,dealer_id,customer_key,product_line,result,holder,"
                 "holder_since,until\n");
    while ((r = cli_csv_next(&c)) == 1) {
        regrow x;
        const char *h = "";
        int64_t since = 0, until = 0;
        int lrc;
        row++;
        if ((rc = read_row(&c, &k, &x)) != 0)
            goto out;
        if (x.action == A_REGISTER) {
            lrc = only_conflicts ? would_refuse(e, &x) : 0;
            if (lrc == 0)
                lrc = b2b2c_dealer_register(e, x.dealer, x.key, x.kl,
                                            x.prod, x.value, x.close, x.t);
        } else if (x.action == A_APPROVE)
            lrc = b2b2c_dealer_reg_approve(e, x.key, x.kl, x.prod, x.t);
        else
            lrc = b2b2c_dealer_reg_reject(e, x.key, x.kl, x.prod, x.t);
        if (lrc && lrc != B2B2C_EEXISTS && lrc != B2B2C_EDUPLICATE) {
            rc = cli_csv_error(&c, "%s", b2b2c_ctx_errmsg(ctx));
            goto out;
        }
        if (lrc)
            refused++;
        if (only_conflicts && !lrc)
            continue;
        printf("%ld,", row);
        cli_put_field(x.dealer);
        putchar(',');
        cli_put_field(x.key);
        putchar(',');
        cli_put_field(x.prod);
        putchar(',');
        if (only_conflicts) {
            put_time(x.t);
            putchar(',');
        }
        if (!lrc) {
            printf("%s,,,\n", RESULT[x.action]);
            continue;
        }
        holder(e, &x, &h, &since, &until);
        printf("%s,", lrc == B2B2C_EEXISTS ? "conflict" : "duplicate");
        cli_put_field(h);
        putchar(',');
        put_time(since);
        putchar(',');
        put_time(until);
        putchar('\n');
    }
    if (r < 0)
        rc = CLI_EDATA;
    else
        fprintf(stderr, "b2b2c: %ld rows, %ld refused\n", row, refused);
out:
    if (copen)
        cli_csv_close(&c);
    if (group)
        b2b2c_ctx_rollback(ctx);
    b2b2c_dealer_free(e);
    cli_ctx_free(ctx);
    return rc;
}

int cli_dealers_reg_run(int argc, char **argv);
int cli_dealers_reg_run(int argc, char **argv)
{
    return run_file(argc, argv, strcmp(argv[1], "conflicts") == 0);
}
