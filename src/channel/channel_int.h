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
};

/* Order-independent digest of the in-memory state (tests). */
uint64_t b2b2c__channels_digest(const b2b2c_channels *h);

#endif
