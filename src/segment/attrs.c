/* SPDX-License-Identifier: MIT */
/* Segment vocabulary (stable names) and attribute sets. */
#include <math.h>

#include "segment_internal.h"

static const char *const attr_names[] = {
    NULL, "party_type", "reseller", "org_kind", "employees",
    "annual_revenue", "purchase_volume", "orders_per_year", "outlets",
    "contract_months",
};
static const char *const party_names[] = {NULL, "person", "organisation"};
static const char *const kind_names[] = {
    NULL, "retail_chain", "regional_distributor", "independent_shop",
    "online_retailer", "plant", "corporation", "public_sector", "workshop",
    "small_company", "contractor", "private_person", "other",
};
static const char *const dest_names[] = {
    "none", "dealer", "direct_sales", "partner_onboarding", "nurture",
};
static const char *const channel_names[] = {"none", "reach",
                                            "lead_generation"};

B2B2C__NAME_FUNCS(b2b2c_seg_attr, attr_names)
B2B2C__NAME_FUNCS(b2b2c_seg_party_type, party_names)
B2B2C__NAME_FUNCS(b2b2c_seg_org_kind, kind_names)
B2B2C__NAME_FUNCS(b2b2c_seg_dest, dest_names)
B2B2C__NAME_FUNCS(b2b2c_seg_channel, channel_names)

/* Counts are exact in a double up to 2^53. */
#define SEG_COUNT_MAX 9007199254740992.0

int b2b2c__seg_attr_check(int32_t attr, double x, const char **why)
{
    if (attr < 1 || attr > SEG_NATTR) {
        *why = "unknown attribute";
        return B2B2C_EINVAL;
    }
    if (!isfinite(x)) {
        *why = "must be finite";
        return B2B2C_EINVAL;
    }
    switch (attr) {
    case B2B2C_SEG_ATTR_PARTY_TYPE:
        if (x != B2B2C_SEG_PARTY_PERSON && x != B2B2C_SEG_PARTY_ORGANISATION) {
            *why = "not a B2B2C_SEG_PARTY_* value";
            return B2B2C_EINVAL;
        }
        return 0;
    case B2B2C_SEG_ATTR_ORG_KIND:
        if (x != floor(x) || x < B2B2C_SEG_ORG_RETAIL_CHAIN ||
            x > B2B2C_SEG_ORG_OTHER) {
            *why = "not a B2B2C_SEG_ORG_* value";
            return B2B2C_EINVAL;
        }
        return 0;
    case B2B2C_SEG_ATTR_RESELLER:
        if (x != 0.0 && x != 1.0) {
            *why = "must be 0 or 1";
            return B2B2C_ERANGE;
        }
        return 0;
    case B2B2C_SEG_ATTR_EMPLOYEES:
    case B2B2C_SEG_ATTR_OUTLETS:
        if (x != floor(x)) {
            *why = "must be a whole number";
            return B2B2C_EINVAL;
        }
        if (x < 0 || x > SEG_COUNT_MAX) {
            *why = "must be a count in 0 .. 2^53";
            return B2B2C_ERANGE;
        }
        return 0;
    default:
        if (x < 0) {
            *why = "must not be negative";
            return B2B2C_ERANGE;
        }
        return 0;
    }
}

int b2b2c_segment_attrs_new(b2b2c_segment_attrs **out, b2b2c_ctx *ctx)
{
    b2b2c_segment_attrs *a;
    if (!out || !ctx) {
        if (out)
            *out = NULL;
        return ctx ? b2b2c__err(ctx, B2B2C_EINVAL, "out: NULL")
                   : B2B2C_EINVAL;
    }
    *out = NULL;
    a = b2b2c__malloc(ctx, sizeof(*a));
    if (!a)
        return b2b2c__err(ctx, B2B2C_ENOMEM, "out of memory");
    memset(a, 0, sizeof(*a));
    a->ctx = ctx;
    *out = a;
    return 0;
}

void b2b2c_segment_attrs_free(b2b2c_segment_attrs *a)
{
    if (a)
        b2b2c__free(a->ctx, a);
}

int b2b2c_segment_attrs_reset(b2b2c_segment_attrs *a)
{
    if (!a)
        return B2B2C_EINVAL;
    b2b2c__err_clear(a->ctx);
    a->present = 0;
    return 0;
}

static int set_value(b2b2c_segment_attrs *a, int32_t attr, double x)
{
    const char *why;
    int rc = b2b2c__seg_attr_check(attr, x, &why);
    if (rc) {
        const char *name = b2b2c_seg_attr_name(attr);
        if (!name)
            return b2b2c__err(a->ctx, rc, "attr: unknown attribute %d",
                              (int)attr);
        return b2b2c__err(a->ctx, rc, "value: %s %s", name, why);
    }
    a->v[attr - 1] = x;
    a->present |= SEG_BIT(attr);
    return 0;
}

int b2b2c_segment_attrs_set_int(b2b2c_segment_attrs *a, int32_t attr,
                                int64_t value)
{
    if (!a)
        return B2B2C_EINVAL;
    b2b2c__err_clear(a->ctx);
    if (attr == B2B2C_SEG_ATTR_ANNUAL_REVENUE ||
        attr == B2B2C_SEG_ATTR_PURCHASE_VOLUME ||
        attr == B2B2C_SEG_ATTR_ORDERS_PER_YEAR ||
        attr == B2B2C_SEG_ATTR_CONTRACT_MONTHS)
        return b2b2c__err(a->ctx, B2B2C_EINVAL,
                          "attr: %s is a real value; use "
                          "b2b2c_segment_attrs_set_double",
                          b2b2c_seg_attr_name(attr));
    if (value < -(int64_t)SEG_COUNT_MAX || value > (int64_t)SEG_COUNT_MAX) {
        if (attr >= 1 && attr <= SEG_NATTR)
            return b2b2c__err(a->ctx,
                              attr == B2B2C_SEG_ATTR_PARTY_TYPE ||
                                      attr == B2B2C_SEG_ATTR_ORG_KIND
                                  ? B2B2C_EINVAL
                                  : B2B2C_ERANGE,
                              "value: %s out of range",
                              b2b2c_seg_attr_name(attr));
    }
    return set_value(a, attr, (double)value);
}

int b2b2c_segment_attrs_set_double(b2b2c_segment_attrs *a, int32_t attr,
                                   double value)
{
    if (!a)
        return B2B2C_EINVAL;
    b2b2c__err_clear(a->ctx);
    return set_value(a, attr, value);
}

int b2b2c_segment_attrs_clear(b2b2c_segment_attrs *a, int32_t attr)
{
    if (!a)
        return B2B2C_EINVAL;
    b2b2c__err_clear(a->ctx);
    if (attr < 1 || attr > SEG_NATTR)
        return b2b2c__err(a->ctx, B2B2C_EINVAL, "attr: unknown attribute %d",
                          (int)attr);
    a->present &= ~SEG_BIT(attr);
    return 0;
}

int b2b2c_segment_attrs_get(double *value, const b2b2c_segment_attrs *a,
                            int32_t attr)
{
    if (!a)
        return B2B2C_EINVAL;
    b2b2c__err_clear(a->ctx);
    if (!value)
        return b2b2c__err(a->ctx, B2B2C_EINVAL, "value: NULL");
    if (attr < 1 || attr > SEG_NATTR)
        return b2b2c__err(a->ctx, B2B2C_EINVAL, "attr: unknown attribute %d",
                          (int)attr);
    if (!(a->present & SEG_BIT(attr)))
        return b2b2c__err(a->ctx, B2B2C_ENOTFOUND, "attr: %s is missing",
                          b2b2c_seg_attr_name(attr));
    *value = a->v[attr - 1];
    return 0;
}

uint32_t b2b2c_segment_attrs_present(const b2b2c_segment_attrs *a)
{
    return a ? a->present : 0;
}
