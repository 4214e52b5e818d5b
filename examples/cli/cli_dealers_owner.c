/* SPDX-License-Identifier: MIT */
/* b2b2c dealers owners, and the customers of record the route command
 * reads (issue 14): a CSV of past wins imported with
 * b2b2c_dealer_owner_assign, customer keys as hex, the live owners listed
 * as CSV or JSON. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_parse_key(const char *s, unsigned char *out, size_t *len)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2 || n / 2 > B2B2C_DEALER_CUSTOMER_KEY_MAX)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int v = 0;
        for (size_t j = i; j < i + 2; j++) {
            char c = s[j];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                return -1;
            v = v * 16 + d;
        }
        out[i / 2] = (unsigned char)v;
    }
    *len = n / 2;
    return 0;
}

/* ---- the CSV of past wins ---------------------------------------------- */

typedef struct win {
    unsigned char key[B2B2C_DEALER_CUSTOMER_KEY_MAX];
    size_t kl;
    char *dealer, *prod;
    int64_t at;
    long line;
} win;

static int win_cmp(const void *pa, const void *pb)
{
    const win *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static void wins_free(win *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(w[i].dealer), free(w[i].prod);
    free(w);
}

/* Read every row of the wins CSV into *out (n rows), checked. */
static int read_wins(const char *path, win **out, size_t *nout)
{
    cli_csv c;
    win *w = NULL;
    size_t n = 0, cap = 0;
    int ck, cd, cp, ct, r, rc = 0;
    if (cli_csv_open(&c, path))
        return CLI_EDATA;
    ck = cli_csv_col(&c, "customer_key");
    cd = cli_csv_col(&c, "dealer_id");
    cp = cli_csv_col(&c, "product_line");
    ct = cli_csv_col(&c, "won_at");
    if (ck < 0 || cd < 0 || ct < 0) {
        rc = cli_csv_error(&c, "header needs customer_key,dealer_id,won_at "
                               "(and optionally product_line)");
        goto out;
    }
    while ((r = cli_csv_next(&c)) == 1) {
        win x;
        memset(&x, 0, sizeof x);
        if (cli_parse_key(cli_csv_field(&c, ck), x.key, &x.kl)) {
            rc = cli_csv_error(&c, "customer_key '%s' is not 1 to %d bytes "
                                   "in hex",
                               cli_csv_field(&c, ck),
                               B2B2C_DEALER_CUSTOMER_KEY_MAX);
            goto out;
        }
        if (cli_parse_time(cli_csv_field(&c, ct), &x.at)) {
            rc = cli_csv_error(&c, "won_at '%s' is not a date/time",
                               cli_csv_field(&c, ct));
            goto out;
        }
        if (x.at < B2B2C_TIME_MIN || x.at > B2B2C_TIME_MAX) {
            rc = cli_csv_error(&c, "won_at '%s' is outside years 1..9999",
                               cli_csv_field(&c, ct));
            goto out;
        }
        x.line = c.line;
        x.dealer = strdup(cli_csv_field(&c, cd));
        x.prod = strdup(cp >= 0 ? cli_csv_field(&c, cp) : "");
        if (n == cap) {
            win *g;
            cap = cap ? 2 * cap : 64;
            if (!(g = realloc(w, cap * sizeof(*w)))) {
                free(x.dealer), free(x.prod);
                rc = cli_data_error("out of memory");
                goto out;
            }
            w = g;
        }
        w[n++] = x;
        if (!x.dealer || !x.prod) {
            rc = cli_data_error("out of memory");
            goto out;
        }
    }
    if (r < 0)
        rc = CLI_EDATA;
out:
    cli_csv_close(&c);
    if (rc) {
        wins_free(w, n);
        return rc;
    }
    *out = w;
    *nout = n;
    return 0;
}

int cli_dealers_load_wins(b2b2c_ctx *ctx, b2b2c_dealer_engine *e,
                          const char *path)
{
    win *w = NULL;
    size_t n = 0, done = 0, over = 0, later = 0;
    int64_t now;
    double days;
    int rc;
    if ((rc = read_wins(path, &w, &n)) != 0)
        return rc;
    /* the latest win holds: import oldest first; the import's time is the
     * latest win, so a window over by then is left out (counted) */
    if (n > 1)
        qsort(w, n, sizeof(*w), win_cmp);
    now = n ? w[n - 1].at : 0;
    if ((rc = b2b2c_dealer_get_param(&days, e,
                                     B2B2C_DEALER_PARAM_OWNER_DAYS)) != 0) {
        rc = cli_data_error("%s", b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t since = 0;
        if (w[i].at + (int64_t)(days * 86400.0) <= now) {
            over++;
            continue;
        }
        /* an owner stored by an earlier run from a later win stays */
        if (b2b2c_dealer_owner(NULL, &since, NULL, e, w[i].key, w[i].kl,
                               w[i].prod, now) == 0 &&
            since > w[i].at) {
            later++;
            continue;
        }
        if (b2b2c_dealer_owner_assign(e, w[i].key, w[i].kl, w[i].prod,
                                      w[i].dealer, w[i].at, now) != 0) {
            rc = cli_data_error("%s:%ld: %s", path, w[i].line,
                                b2b2c_ctx_errmsg(ctx));
            goto out;
        }
        done++;
    }
    fprintf(stderr,
            "b2b2c: %s: %zu wins imported (the latest holds), %zu older "
            "than OWNER_DAYS (%g) before the latest win, %zu superseded by "
            "a later stored owner\n",
            path, done, over, days, later);
out:
    wins_free(w, n);
    return rc;
}

/* ---- b2b2c dealers owners ---------------------------------------------- */

typedef struct lister {
    int json, n;
} lister;

static void put_time(int64_t t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) &&
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        fputs(buf, stdout);
    else
        printf("%lld", (long long)t);
}

static void put_hex(const void *k, size_t kl)
{
    for (size_t i = 0; i < kl; i++)
        printf("%02x", ((const unsigned char *)k)[i]);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void put_json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static int on_owner(const void *k, size_t kl, const char *prod,
                    const char *dealer, int64_t since, int64_t until,
                    void *u)
{
    lister *l = u;
    if (l->json) {
        printf("%s\n  {\"customer_key\": \"", l->n ? "," : "");
        put_hex(k, kl);
        printf("\", \"product_line\": ");
        put_json_str(prod);
        printf(", \"dealer_id\": ");
        put_json_str(dealer);
        printf(", \"since\": \"");
        put_time(since);
        printf("\", \"until\": \"");
        put_time(until);
        printf("\"}");
    } else {
        put_hex(k, kl);
        putchar(',');
        cli_put_field(prod);
        putchar(',');
        cli_put_field(dealer);
        putchar(',');
        put_time(since);
        putchar(',');
        put_time(until);
        putchar('\n');
    }
    l->n++;
    return 0;
}

int cli_dealers_owners(int argc, char **argv)
{
    cli_opt opts[] = {{"dealers", NULL, !cli_db_given()},
                      {"wins", NULL, !cli_db_given()},
                      {"at", NULL, 1},
                      {"format", NULL, 0},
                      {NULL, NULL, 0}};
    const char *fmt;
    b2b2c_ctx *ctx = NULL;
    b2b2c_dealer_engine *e = NULL;
    lister l = {0, 0};
    int64_t at;
    int rc;
    if ((rc = cli_parse_opts(argc, argv, 2, opts)) != 0)
        return rc;
    if (cli_parse_time(cli_opt_get(opts, "at"), &at))
        return cli_usage_error("--at must be YYYY-MM-DD[THH:MM[:SS]][Z] or "
                               "Unix seconds");
    fmt = cli_opt_get(opts, "format");
    if (fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0)
        return cli_usage_error("--format must be csv or json");
    l.json = fmt && strcmp(fmt, "json") == 0;
    if ((rc = cli_dealers_open(&ctx, &e, B2B2C_DEALER_POLICY_PERFORMANCE,
                               0)) != 0 ||
        (cli_opt_get(opts, "dealers") &&
         (rc = cli_dealers_load(ctx, e, cli_opt_get(opts, "dealers"))) !=
             0) ||
        (cli_opt_get(opts, "wins") &&
         (rc = cli_dealers_load_wins(ctx, e, cli_opt_get(opts, "wins"))) !=
             0))
        goto out;
    if (l.json) {
        printf("{\"at\": \"");
        put_time(at);
        printf("\", \"owners\": [");
    } else {
        printf("customer_key,product_line,dealer_id,since,until\n");
    }
    if ((rc = b2b2c_dealer_list_owners(e, at, on_owner, &l)) != 0) {
        if (l.json)
            printf("]}\n");
        rc = cli_data_error("--at: %s", b2b2c_ctx_errmsg(ctx));
        goto out;
    }
    if (l.json)
        printf("%s]}\n", l.n ? "\n" : "");
out:
    b2b2c_dealer_free(e);
    cli_ctx_free(ctx);
    return rc;
}
