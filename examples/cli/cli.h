/* SPDX-License-Identifier: MIT */
/* The b2b2c command-line tool: shared pieces for the subcommands. */
#ifndef B2B2C_CLI_H
#define B2B2C_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "b2b2c.h"

/* Exit codes: 0 success, 1 bad data or a library error, 2 usage error. */
enum { CLI_OK = 0, CLI_EDATA = 1, CLI_EUSAGE = 2 };

/* A subcommand: argv[0] is its own name. */
typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage; /* lines printed by `b2b2c help NAME` */
    int (*run)(int argc, char **argv);
} cli_command;

/* Print "b2b2c: <msg>" to stderr and return CLI_EUSAGE. */
int cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Print "b2b2c: <msg>" to stderr and return CLI_EDATA. */
int cli_data_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- options: --name VALUE pairs after the subcommand ---- */

typedef struct cli_opt {
    const char *name;  /* without "--" */
    const char *value; /* set by cli_parse_opts; NULL when absent */
    int required;
} cli_opt;

/* Parse argv[first..argc) as --name VALUE pairs into opts (terminated by a
 * NULL name). Unknown options, missing values and missing required options
 * are usage errors: returns 0 or CLI_EUSAGE after printing the reason. */
int cli_parse_opts(int argc, char **argv, int first, cli_opt *opts);
const char *cli_opt_get(const cli_opt *opts, const char *name);

/* ---- CSV reading (RFC 4180: quotes, doubled quotes, CRLF; cli_csv.c) ---- */

typedef struct cli_csv {
    FILE *f;
    const char *path; /* "stdin" for "-" */
    long line;        /* line number of the current record (1 = header) */
    long pending;     /* further lines the current record took */
    char *buf;        /* the current record, fields NUL-separated */
    size_t cap;
    char **fields;
    size_t nfields, capfields;
    char **header;    /* copy of the header's fields */
    size_t nheader;
    char *in;         /* input block: unread bytes are in[inpos, inlen) */
    size_t inpos, inlen, incap;
    int eof, own;     /* own: cli_csv_close closes f */
    size_t *starts;   /* field offsets in buf while a record is read */
    size_t nstarts, capstarts;
} cli_csv;

/* The field delimiter of every input file (--delimiter; ',' by default)
 * and the size of the first input block (tests make it tiny). */
extern char cli_csv_delimiter;
extern size_t cli_csv_bufsize;

/* Take the input options out of argv (anywhere after the program name):
 * --delimiter C (one character, or "tab"), --decimal-comma (numbers
 * written 12,5), --date-format FMT (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or
 * MM/DD/YYYY). A bad value is a usage error naming the option. */
int cli_input_take(int *argc, char **argv);

/* Open and read the header (path "-": standard input). Returns 0 or
 * CLI_EDATA after printing why. */
int cli_csv_open(cli_csv *c, const char *path);
/* The same on an open stream, which cli_csv_close leaves open; `name` is
 * for messages. On failure nothing is left to close. */
int cli_csv_open_stream(cli_csv *c, FILE *f, const char *name);
/* Read the next record: 1 when read, 0 at the end, -1 on a malformed line
 * (unterminated quote) after printing "PATH:LINE: reason". Blank lines are
 * skipped. */
int cli_csv_next(cli_csv *c);
/* Column index of `name` in the header, or -1. */
int cli_csv_col(const cli_csv *c, const char *name);
/* Field i of the current record, "" when the record is shorter. */
const char *cli_csv_field(const cli_csv *c, int i);
/* Print `s` to stdout as one CSV field, quoted when it needs to be
 * (RFC 4180: a comma, quote or line break inside; quotes doubled). */
void cli_put_field(const char *s);
void cli_csv_close(cli_csv *c);

/* Print "PATH:LINE: reason" to stderr; returns CLI_EDATA. */
int cli_csv_error(const cli_csv *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- output tables (cli_out.c) ----
 *
 * Every table a subcommand prints is CSV with a header line (the default)
 * or, with --format json, a JSON array of objects keyed by the column
 * names. Numbers follow one rule, by what they are: counts whole
 * (CLI_COUNT), money with 2 decimals (CLI_MONEY), rates, probabilities,
 * shares, scores and expected or attributed counts with 4 (CLI_RATE); a
 * value that is not defined is an empty cell or null. (A model's fitted
 * parameters are printed with 17 significant digits, so that they read
 * back exactly.) */

enum { CLI_COUNT, CLI_MONEY, CLI_RATE,
       CLI_EXACT /* 17 significant digits: parameters, read back exactly */ };

typedef struct cli_table {
    int json;
    const char *const *cols;
    size_t ncols, col;
    long rows;
} cli_table;

/* --format csv|json of opts (csv when absent) into *json; a usage error
 * naming --format otherwise. */
int cli_format_parse(const cli_opt *opts, int *json);
/* Start a table (prints the CSV header or "["); then one call per cell,
 * row by row; cli_table_end after the last row. */
void cli_table_begin(cli_table *t, int json, const char *const *cols,
                     size_t ncols);
void cli_table_str(cli_table *t, const char *s); /* NULL: empty / null */
void cli_table_num(cli_table *t, double v, int kind); /* NaN: empty */
void cli_table_end(cli_table *t);
/* YYYY-MM-DDTHH:MM:SSZ and YYYY-MM-DD of Unix time t (UTC); a buf of 64
 * bytes is enough for any t. */
void cli_format_time(char *buf, size_t n, int64_t t);
void cli_format_date(char *buf, size_t n, int64_t t);

/* ---- column names (cli_columns.c) ---- */

#define CLI_MAX_ALIASES 2
/* A column a command reads, with other programs' names for the same thing
 * (lifetimes' "weights" for "weight"); unused aliases are NULL. */
typedef struct cli_colname {
    const char *name;
    const char *alias[CLI_MAX_ALIASES];
} cli_colname;

/* Column index of k's name or an alias, or -1. */
int cli_csv_col_named(const cli_csv *c, const cli_colname *k);
/* Check the header against `known` (ended by a NULL name); column id_col
 * (or -1) is not checked. Two columns for one name and a column that looks
 * like a misspelt known name are errors "PATH:1: ..." naming both
 * (CLI_EDATA); other unknown columns get a warning on stderr. */
int cli_csv_check_columns(const cli_csv *c, const cli_colname *known,
                          int id_col);
/* The same for a NULL-terminated list of plain names (at most 15). */
int cli_csv_known(const cli_csv *c, const char *const *names);

/* Make room for `need` items of `size` bytes in *p (capacity *cap,
 * doubled from 64); 0, or -1 when out of memory (*p is then unchanged). */
int cli_grow(void **p, size_t *cap, size_t need, size_t size);

/* ---- value parsing: 0 on success, -1 when the text is not valid ---- */

/* --decimal-comma: numbers are written 12,5 (cli_parse_double then
 * refuses a '.'); --date-format: how dates are written besides ISO. */
extern int cli_decimal_comma;
enum { CLI_DATE_ISO, CLI_DATE_DMY_DOT, CLI_DATE_DMY_SLASH, CLI_DATE_MDY_SLASH };
extern int cli_date_format;

/* A finite double (no NaN/inf), the whole text (spaces around it allowed;
 * with --decimal-comma, 12,5). */
int cli_parse_double(const char *s, double *out);
/* A decimal integer, the whole text. */
int cli_parse_int64(const char *s, int64_t *out);
/* A time: YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM[:SS][Z] (UTC), or
 * Unix seconds; with --date-format, also the date in that order (and the
 * same time after it: 07.12.2026 14:30:00). */
int cli_parse_time(const char *s, int64_t *out);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t cli_days_from_civil(int64_t y, unsigned m, unsigned d);

/* ---- the database: b2b2c --db SPEC (cli_db.c) ---- */

/* Take "--db SPEC" out of argv (anywhere after the program name, so before
 * or after the subcommand) and check SPEC: memory (the default),
 * sqlite:FILE or postgresql:CONNINFO. A bad SPEC, or an adapter this
 * build does not have, is a usage error naming --db (CLI_EUSAGE). */
int cli_db_take(int *argc, char **argv);
/* 1 when --db names a database (not memory). */
int cli_db_given(void);
/* For subcommands that compute from their input in memory: 0 without
 * --db, else a usage error naming `what`. */
int cli_db_refuse(const char *what);
/* A context on the --db database (the built-in memory store without one);
 * prints why and returns CLI_EDATA on failure. One per run with --db. */
int cli_ctx_new(b2b2c_ctx **out);
/* Free the context and close its database. NULL is accepted. */
void cli_ctx_free(b2b2c_ctx *ctx);
/* The message for a code, the adapter's names for its own codes. */
const char *cli_strerror(int code);

/* ---- leads (cli_leads.c, cli_leads_one.c, cli_leads_funnel.c) ---- */

/* A lead of a --leads file: lead_id,created,segment,channel,region,
 * product_line (empty cells allowed but lead_id). */
typedef struct cli_lead_row {
    char *id, *channel, *region, *product;
    int64_t created;
    int has_created;
    int32_t segment;
    int added;   /* for the caller */
    long line;
} cli_lead_row;

/* Append the leads of `path` to *rows (*n of them, capacity *cap): 0, or
 * a CLI exit code after printing "PATH:LINE: reason". */
int cli_leads_read(const char *path, cli_lead_row **rows, size_t *n,
                   size_t *cap);
/* By lead ID, for qsort and bsearch. */
int cli_lead_row_cmp(const void *a, const void *b);
void cli_lead_rows_free(cli_lead_row *rows, size_t n);
/* The column `name` of c into *col, or "PATH:1: header: missing column"
 * (CLI_EDATA). */
int cli_csv_need(cli_csv *c, const char *name, int *col);


/* The columns of a lead's row, and the row of lead `id` at `at` into t
 * (score and probability with 4 decimals, the probability empty while the
 * learned model is not ready). */
extern const char *const cli_leads_cols[4];
int cli_leads_print_row(cli_table *t, b2b2c_ctx *ctx,
                        const b2b2c_lead_model *m, const char *id,
                        int64_t at);
/* b2b2c leads add / leads event (argv[0] is "leads"). */
int cli_leads_add(int argc, char **argv);
int cli_leads_event(int argc, char **argv);
int cli_leads_stage(int argc, char **argv);
int cli_leads_close(int argc, char **argv);
int cli_leads_reopen(int argc, char **argv);
int cli_leads_funnel(int argc, char **argv);
/* leads suggest-points / apply-points (cli_leads_points.c), and their
 * usage lines, which `b2b2c help leads` prints after the leads usage (a C
 * string literal has a length limit). */
int cli_leads_points(int argc, char **argv);
extern const char *const cli_leads_points_usage;
/* The lead model built from --db and the --events, --leads, --outcomes
 * files of opts, as `leads score` builds it (cli_leads.c); *h is freed by
 * cli_leads_model_free (NULL is fine), which frees *ctx and *m too. */
int cli_leads_model(void **h, b2b2c_ctx **ctx, b2b2c_lead_model **m,
                    cli_opt *opts);
void cli_leads_model_free(void *h);

/* ---- dealers (cli_dealers.c, cli_dealers_owner.c) ---- */

/* A context (the --db one) and a dealer engine with `policy` and `seed`;
 * prints why and returns CLI_EDATA on failure. */
int cli_dealers_open(b2b2c_ctx **ctx, b2b2c_dealer_engine **e,
                     int32_t policy, uint64_t seed);
/* Create or update the dealers of a CSV dealer_id,regions,capacity
 * [,tier_weight][,product_lines]. */
int cli_dealers_load(b2b2c_ctx *ctx, b2b2c_dealer_engine *e,
                     const char *path);
/* Import the customers of record of a CSV of past wins
 * customer_key,dealer_id,won_at[,product_line] (keys in hex), oldest
 * first, at the time of the latest win; a summary line on stderr. */
int cli_dealers_load_wins(b2b2c_ctx *ctx, b2b2c_dealer_engine *e,
                          const char *path);
/* A customer key written in hex (2 to 2 * B2B2C_DEALER_CUSTOMER_KEY_MAX
 * digits) into out; 0, or -1 when s is not one. */
int cli_parse_key(const char *s, unsigned char *out, size_t *len);
/* b2b2c dealers owners (argv[0] is "dealers"). */
int cli_dealers_owners(int argc, char **argv);
/* b2b2c --db SPEC dealers funnel (cli_dealers_funnel.c). */
int cli_dealers_funnel(int argc, char **argv);
int cli_dealers_scorecards(int argc, char **argv);
int cli_dealers_close(int argc, char **argv);

#endif
