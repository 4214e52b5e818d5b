/* SPDX-License-Identifier: MIT */
/* b2b2c forecast: what the subcommand's files share (cli_forecast.c:
 * the commands; cli_forecast_input.c: reading the input). */
#ifndef B2B2C_CLI_FORECAST_H
#define B2B2C_CLI_FORECAST_H

#include "cli.h"

/* Customer rows (x, t_x, T, monetary value, weight) read from a summary
 * or built from a transaction log. */
typedef struct cli_fc_data {
    size_t n, cap;
    double *x, *tx, *T, *m, *w;
    char **id;
    long *line;   /* the row's line; transactions: the customer's first */
    int has_m, has_w;
    const char *path;
    int from_txn; /* rows built from a transaction log */
} cli_fc_data;

/* Read --summary, or --transactions with --calibration-end and --unit,
 * into d (zeroed; free it either way). Returns 0 or a CLI exit code after
 * printing why. */
int cli_fc_load(cli_fc_data *d, const cli_opt *o, int model);
void cli_fc_data_free(cli_fc_data *d);

/* One parsed row of a transactions CSV (customer_id non-empty, date,
 * amount >= 0: a $0 purchase is a transaction; a refund is an error, as
 * netting it into some earlier purchase would be a guess); a non-zero
 * return stops the reading and is returned. */
typedef int (*cli_fc_txn_fn)(const cli_csv *c, const char *id, int64_t sec,
                             double amount, void *u);
/* Read `path` (customer_id,date,amount) row by row; bad rows give
 * PATH:LINE: reason (CLI_EDATA). */
int cli_fc_each_txn(const char *path, cli_fc_txn_fn fn, void *u);

/* "PATH:LINE: reason (customer 'ID')": every row error names both. */
int cli_fc_row_error(const cli_csv *c, const char *id, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* --unit day|week|month in days; a usage error otherwise. */
int cli_fc_parse_unit(const char *s, double *unit);

/* The UTC day of Unix time t, rounded down. */
int64_t cli_fc_day_floor(int64_t t);

/* b2b2c forecast histogram / holdout (cli_forecast_check.c); argv[1] is
 * the action. */
int cli_fc_histogram(int argc, char **argv);
int cli_fc_holdout(int argc, char **argv);

#endif
