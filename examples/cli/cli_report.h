/* SPDX-License-Identifier: MIT */
/* b2b2c report: what the engines answer about one database, gathered once
 * (cli_report.c) and printed as a terminal screen or as one HTML page with
 * SVG charts (cli_report_html.c). docs/report.md explains each section. */
#ifndef B2B2C_CLI_REPORT_H
#define B2B2C_CLI_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "b2b2c.h"

#define REP_SEGMENTS 6 /* B2B2C_SEGMENT_UNKNOWN .. B2B2C_SEGMENT_B2C_CONSUMER */
#define REP_BANDS 4    /* B2B2C_BAND_UNKNOWN .. B2B2C_BAND_HOT */
#define REP_STAGES 10  /* B2B2C_LEAD_STAGE_NEW .. REPEAT_DUE */
#define REP_DECILES 10
#define REP_FUNNEL 6

typedef struct {
    char id[256];
    double offered, won, conv, mean, low, high, gap, rank, share_leads,
        share_won;
} rep_dealer;

typedef struct {
    char id[256];
    int64_t due;
    double p_alive, value;
} rep_due;

typedef struct {
    char id[256];
    int32_t kind;
    double spend, leads, cpl, conversions, revenue, ltv, roi, roi_ltv;
} rep_channel;

typedef struct {
    int64_t start;
    double reach_spend, leadgen_spend, leads, cpl;
} rep_week;

/* The dealer network (cli_report_network.c): a dealer's sell-out row, its
 * status in the bonus program, a reorder due row. */
#define REP_NET_F 15   /* B2B2C_PROGRAMS_F_NFIELDS */
#define REP_BONUS_F 12 /* B2B2C_PROGRAM_F_NFIELDS */
#define REP_REORDER_F 10 /* B2B2C_PROGRAMS_R_NFIELDS */
#define REP_NET_DAYS 91 /* the network's period: the last 13 weeks */

typedef struct {
    char id[256];
    double f[REP_NET_F];
    int64_t bonus[REP_BONUS_F];
    int has_bonus;
} rep_net_dealer;

typedef struct {
    char id[256];
    double f[REP_REORDER_F];
} rep_reorder;

typedef struct {
    size_t ndealers;           /* 0: the database has no dealer network */
    int64_t from;              /* [from, now): REP_NET_DAYS */
    double sell_out, sell_in, ly_sell_out;
    rep_net_dealer *top;       /* by sell-out, highest first */
    size_t ntop;
    char program[256];         /* the bonus program shown */
    int has_program;
    double accrued, projected; /* the network's, money */
    size_t tiers_now, tiers_projected; /* dealers in a tier */
    rep_net_dealer *bonus_top; /* by projected bonus, highest first */
    size_t nbonus_top;
    rep_reorder *reorders;     /* most late first */
    size_t nreorders, reorders_total, overdue_total;
    int reorder_window;
} rep_network;

typedef struct {
    int64_t now, from;  /* scorecards and channels: [from, now) */
    int days;           /* now - from in days */
    int top;            /* dealers at each end, due customers */
    double horizon;     /* CLV horizon in model units */
    double unit_days;
    /* segment mix */
    int64_t accounts[REP_SEGMENTS], customers[REP_SEGMENTS], leads_total;
    /* leads */
    uint64_t band[REP_BANDS];
    int64_t stage[REP_STAGES];
    int64_t funnel[REP_FUNNEL]; /* leads that ever reached each step */
    /* dealers */
    rep_dealer *dealers;
    size_t ndealers, capdealers;
    double median; /* network median of the posterior means */
    double dec_leads[REP_DECILES], dec_won[REP_DECILES];
    int dec_n[REP_DECILES];
    /* lifetime value */
    double clv_product[REP_SEGMENTS], clv_service[REP_SEGMENTS];
    int64_t clv_n[REP_SEGMENTS], clv_nofit[REP_SEGMENTS];
    /* the stored fit of each segment: "converged", "boundary", ..., or
     * "all customers' fit" when the segment has none of its own */
    char fit[REP_SEGMENTS][48];
    /* repeat-due list */
    rep_due *due;
    size_t ndue, due_total;
    double due_window;
    /* channels */
    rep_channel *channels;
    size_t nchannels, capchannels;
    rep_channel kinds[3]; /* by kind: none, reach, leadgen */
    double mix[8];        /* B2B2C_MIX_* of the "total" row */
    rep_week *weeks;
    size_t nweeks, capweeks;
    double lag_slope, lag_corr, lag_weeks;
    size_t lag_pairs;
    /* the dealer network */
    rep_network net;
} report;

/* The funnel steps' names, for both outputs. */
extern const char *const rep_funnel_names[REP_FUNNEL];

/* Money for a director in 7 columns: 12.3k, 4.56M, "-" when not a number
 * (buf at least 16 bytes). */
const char *rep_money(char *buf, double v);

/* "YYYY-MM-DD" of a Unix time (UTC) into buf (at least 11 bytes). */
const char *rep_date(char *buf, int64_t t);

/* The dealer network's section (cli_report_network.c): gather it from the
 * programs engine on ctx (program: the bonus program to show), print it
 * on the terminal, free it. 0 or a CLI error code. */
int rep_network_gather(rep_network *n, b2b2c_ctx *ctx, int64_t now, int top,
                       const char *program);
void rep_network_print(const rep_network *n, int top);
void rep_network_free(rep_network *n);

/* Write the report as one self-contained HTML page; 0 or CLI_EDATA. */
int rep_write_html(const report *r, FILE *f);

#endif
