/* SPDX-License-Identifier: MIT */
/* Channel analytics: internal layout shared by the data and the analytics
 * sources (and by tests, for the digest). Not installed. */
#ifndef B2B2C_CHANNEL_INT_H
#define B2B2C_CHANNEL_INT_H

#include "b2b2c/channel.h"
#include "internal.h"

#define CH_T_CHANNELS "channel_channels"
#define CH_T_SPEND "channel_spend"
#define CH_T_LEADS "channel_leads"
#define CH_T_PARAMS "channel_params"

#define CH_DAY INT64_C(86400)
#define CH_WEEK INT64_C(604800)

typedef struct ch_touch {
    int64_t t;
    uint32_t ch; /* channel index */
    uint32_t pad;
} ch_touch;

/* Scalar state of a lead, saved as one block by the undo log. */
typedef struct ch_leadst {
    int64_t conv_t;
    double revenue;
    double ltv;
    uint32_t converted;
    uint32_t has_ltv;
} ch_leadst;

typedef struct ch_lead {
    ch_touch *tv; /* sorted by time; equal times in arrival order */
    uint32_t n, cap;
    ch_leadst st;
    size_t idlen;
    char id[];
} ch_lead;

typedef struct ch_spend {
    int64_t day; /* b2b2c__day: the day in the context's UTC offset */
    double spend;
    double impr;
} ch_spend;

typedef struct ch_chan {
    uint32_t idx;
    int32_t kind, sub, group;
    ch_spend *sv; /* sorted by day */
    size_t n, cap;
    size_t idlen;
    char id[];
} ch_chan;

typedef struct ch_params {
    double lookback, half_life, pos_first, pos_last, lag, window;
} ch_params;

struct b2b2c_channels {
    b2b2c_ctx *ctx;
    b2b2c__map chmap, leadmap;
    ch_chan **chans;
    size_t nch, capch;
    ch_lead **leads;
    size_t nlead, caplead;
    ch_params p;
    /* sync (channel_load.c): channel slots still empty in this sync, and
     * the number of channels the refreshed leads' touches need */
    size_t holes;
    uint32_t maxtouch;
};

/* Parameters: bounds, defaults and wholeness are in core's table
 * (core/param.c); the values live in ch_params, in the order of their
 * numbers. */
#define CH_PARAM_BASE B2B2C_CHANNELS_LOOKBACK_DAYS
#define CH_NPARAMS 6
double *b2b2c__ch_param_slot(ch_params *p, size_t i);

/* channel.c: free a lead / a channel with its arrays; the undo entry that
 * frees a channel created by a failed call; undoably put a spend day into
 * a channel's sorted array (replacing the same day); undoably add a new
 * lead (already freed on failure) to the map and the array. */
void b2b2c__ch_lead_destroy(b2b2c_ctx *ctx, ch_lead *l);
void b2b2c__ch_chan_destroy(b2b2c_ctx *ctx, ch_chan *c);
void b2b2c__ch_undo_chan_new(b2b2c_ctx *ctx, void *a, void *b, size_t n);
int b2b2c__ch_spend_put(b2b2c_channels *h, ch_chan *c, const ch_spend *s);
int b2b2c__ch_lead_insert(b2b2c_channels *h, ch_lead *l);
/* b2b2c_channels_erase's body, for b2b2c_ctx_erase (a b2b2c__engine_ops
 * erase). */
int b2b2c__ch_erase_op(void *h, const char *id, size_t n);

/* channel.c: a channel's record, a lead's record, a day of spend deleted
 * (channel_remove.c). */
int b2b2c__ch_chan_write(b2b2c_ctx *ctx, const ch_chan *c);
int b2b2c__ch_lead_write(b2b2c_ctx *ctx, const ch_lead *l);
int b2b2c__ch_spend_del(b2b2c_ctx *ctx, const ch_chan *c, int64_t day);

/* channel_load.c: add channel `id` from its stored record (refresh). */
int b2b2c__ch_fetch_chan(b2b2c_channels *h, const void *id, size_t len);

/* markov.c: removal effects from transition counts. _solve: compact counts
 * cnt ((m + 1) x (m + 3): START, the m channels, CONVERSION, NULL; changed)
 * to P(conv) and re[1..m]. _dense: counts over every channel (full,
 * (nch + 1) x (nch + 3)) to re[nch] and P(conv) (NaN without paths); the
 * outputs are written on success only. B2B2C_ENOMEM. */
int b2b2c__ch_markov_solve(b2b2c_ctx *ctx, double *cnt, size_t m,
                           double *p_conv, double *re);
int b2b2c__ch_markov_dense(b2b2c_ctx *ctx, const double *full, size_t nch,
                           double *re, double *p_conv);

/* Order-independent digest of the in-memory state (tests). */
uint64_t b2b2c__channels_digest(const b2b2c_channels *h);

#endif
