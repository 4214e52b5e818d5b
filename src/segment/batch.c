/* SPDX-License-Identifier: MIT */
/*
 * The default rule set compiled by hand: the same eleven rules as the
 * default_rules table in segmenter.c, in the same order and the same
 * three-valued logic, without the tree walk. The unit tests check that it
 * agrees with the interpreter on random and boundary inputs; a change to
 * either must change both.
 */
#include "segment_internal.h"

#define F SEG_F
#define T SEG_T
#define U SEG_U

static inline int t_and(int a, int b)
{
    return (a == F || b == F) ? F : (a == U || b == U) ? U : T;
}
static inline int t_or(int a, int b)
{
    return (a == T || b == T) ? T : (a == U || b == U) ? U : F;
}
static inline int ge(const double *v, uint32_t pr, int a, double t)
{
    return (pr & SEG_BIT(a)) ? v[a - 1] >= t : U;
}
static inline int is(const double *v, uint32_t pr, int a, double x)
{
    return (pr & SEG_BIT(a)) ? v[a - 1] == x : U;
}

#define KB(k) (1u << (k))
#define M_CHAIN (KB(B2B2C_SEG_ORG_RETAIL_CHAIN) | KB(B2B2C_SEG_ORG_REGIONAL_DISTRIBUTOR))
#define M_SHOP (KB(B2B2C_SEG_ORG_INDEPENDENT_SHOP) | KB(B2B2C_SEG_ORG_ONLINE_RETAILER))
#define M_LARGE                                                              \
    (KB(B2B2C_SEG_ORG_PLANT) | KB(B2B2C_SEG_ORG_CORPORATION) |                       \
     KB(B2B2C_SEG_ORG_PUBLIC_SECTOR))
#define M_PRO                                                                \
    (KB(B2B2C_SEG_ORG_WORKSHOP) | KB(B2B2C_SEG_ORG_SMALL_COMPANY) |                  \
     KB(B2B2C_SEG_ORG_CONTRACTOR))

int32_t b2b2c__seg_fast_classify(const double *p, const double *v, uint32_t pr,
                                 double *confidence)
{
    static const int32_t target[11] = {
        B2B2C_SEGMENT_B2C_CONSUMER,           B2B2C_SEGMENT_B2C_CONSUMER,
        B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE, B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE,
        B2B2C_SEGMENT_DEALER_LARGE_WHOLESALE, B2B2C_SEGMENT_DEALER_SMALL_RETAIL,
        B2B2C_SEGMENT_DEALER_SMALL_RETAIL,    B2B2C_SEGMENT_B2B_LARGE,
        B2B2C_SEGMENT_B2B_LARGE,              B2B2C_SEGMENT_B2B_SMALL_PRO,
        B2B2C_SEGMENT_B2B_SMALL_PRO,
    };
    static const int32_t group[11] = {
        B2B2C_GROUP_B2C,    B2B2C_GROUP_B2C,    B2B2C_GROUP_DEALER,
        B2B2C_GROUP_DEALER, B2B2C_GROUP_DEALER, B2B2C_GROUP_DEALER,
        B2B2C_GROUP_DEALER, B2B2C_GROUP_B2B,    B2B2C_GROUP_B2B,
        B2B2C_GROUP_B2B,    B2B2C_GROUP_B2B,
    };
    int r[11];
    uint32_t kind_known = pr & SEG_BIT(B2B2C_SEG_ATTR_ORG_KIND);
    uint32_t kbit = kind_known ? 1u << (int)v[B2B2C_SEG_ATTR_ORG_KIND - 1] : 0;
    int ko = !kind_known || kbit == KB(B2B2C_SEG_ORG_OTHER) ? T : F;
#define KIN(m) (kind_known ? ((kbit & (m)) != 0) : U)
    int res1 = is(v, pr, B2B2C_SEG_ATTR_RESELLER, 1);
    int org = is(v, pr, B2B2C_SEG_ATTR_PARTY_TYPE, B2B2C_SEG_PARTY_ORGANISATION);
    int shop = KIN(M_SHOP), pro = KIN(M_PRO);
    uint32_t open = 0, conflict = 0;
    int w = -1;
    double c;

    r[0] = KIN(KB(B2B2C_SEG_ORG_PRIVATE_PERSON));
    r[1] = t_and(is(v, pr, B2B2C_SEG_ATTR_PARTY_TYPE, B2B2C_SEG_PARTY_PERSON), ko);
    r[2] = KIN(M_CHAIN);
    r[3] = t_and(t_or(shop, ko), ge(v, pr, B2B2C_SEG_ATTR_OUTLETS, p[0]));
    r[4] = t_and(t_or(shop, t_and(ko, res1)),
                 ge(v, pr, B2B2C_SEG_ATTR_PURCHASE_VOLUME, p[1]));
    r[5] = shop;
    r[6] = t_and(ko, res1);
    r[7] = KIN(M_LARGE);
    r[8] = t_and(t_or(pro, t_and(ko, org)),
                 t_or(t_or(ge(v, pr, B2B2C_SEG_ATTR_EMPLOYEES, p[2]),
                           ge(v, pr, B2B2C_SEG_ATTR_ANNUAL_REVENUE, p[3])),
                      t_or(ge(v, pr, B2B2C_SEG_ATTR_PURCHASE_VOLUME, p[4]),
                           ge(v, pr, B2B2C_SEG_ATTR_CONTRACT_MONTHS, p[5]))));
    r[9] = pro;
    r[10] = t_and(ko, org);
#undef KIN
    for (int i = 0; i < 11; i++) {
        if (w < 0) {
            if (r[i] == T)
                w = i;
            else if (r[i] == U)
                open |= 1u << target[i];
        } else if (r[i] == T) {
            conflict |= 1u << group[i];
        }
    }
    if (w < 0) {
        *confidence = 0;
        return B2B2C_SEGMENT_UNKNOWN;
    }
    open &= ~(1u << target[w]);
    conflict &= ~(1u << group[w]);
    c = 1.0;
    for (; open; open &= open - 1)
        c *= p[B2B2C_SEG_OPEN_RULE_FACTOR - SEG_PARAM_BASE];
    {
        double c2 = 1.0;
        for (; conflict; conflict &= conflict - 1)
            c2 *= p[B2B2C_SEG_CONFLICT_FACTOR - SEG_PARAM_BASE];
        c *= c2;
    }
    *confidence = c;
    return target[w];
}
