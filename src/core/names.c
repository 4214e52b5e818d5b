/* SPDX-License-Identifier: MIT */
/* The shared vocabulary: stable names of segments, groups, bands and fit
 * statuses, used by
 * the tool, the bindings and every engine. */
#include "internal.h"

static const char *const segment_names[] = {
    "unknown", "dealer_large_wholesale", "dealer_small_retail",
    "b2b_large", "b2b_small_pro", "b2c_consumer",
};
static const int32_t segment_groups[] = {
    B2B2C_GROUP_UNKNOWN, B2B2C_GROUP_DEALER, B2B2C_GROUP_DEALER,
    B2B2C_GROUP_B2B, B2B2C_GROUP_B2B, B2B2C_GROUP_B2C,
};
static const char *const group_names[] = {"unknown", "dealer", "b2b", "b2c"};
static const char *const band_names[] = {"unknown", "cold", "warm", "hot"};
static const char *const fit_status_names[] = {"converged", "max_iter",
                                               "stalled", "boundary"};

const char *b2b2c__name_of(const char *const *names, int32_t n, int32_t v)
{
    return v >= 0 && v < n ? names[v] : NULL;
}

int32_t b2b2c__value_of(const char *const *names, int32_t n, const char *s)
{
    if (!s)
        return B2B2C_EINVAL;
    for (int32_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return i;
    return B2B2C_EINVAL;
}

B2B2C__NAME_FUNCS(b2b2c_segment, segment_names)
B2B2C__NAME_FUNCS(b2b2c_group, group_names)
B2B2C__NAME_FUNCS(b2b2c_band, band_names)

int32_t b2b2c_segment_group(int32_t v)
{
    return v >= 0 && v < B2B2C__COUNT(segment_groups) ? segment_groups[v]
                                               : B2B2C_GROUP_UNKNOWN;
}

const char *b2b2c_fit_status_name(int32_t status)
{
    return b2b2c__name_of(fit_status_names, B2B2C__COUNT(fit_status_names),
                          status);
}
