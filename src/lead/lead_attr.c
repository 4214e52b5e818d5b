/* SPDX-License-Identifier: MIT */
/* Correcting a lead's attributes after creation (issue 20). */
#include "lead_internal.h"

static const char *const attr_name[] = {"segment", "channel", "region",
                                        "product_line"};

/* The interned channel, region or product line value (attr 1..3), made
 * when new (undoably, with its T_ATTRS record), then the lead record. */
static int set_attr_body(b2b2c_lead_model *m, const char *id, int32_t attr,
                         const char *value, int32_t seg)
{
    lead_rec *r;
    uint32_t v = 0;
    int rc = 0;

    if (!(r = b2b2c__lead_find(m, id, &rc)))
        return rc;
    if (attr != B2B2C_LEAD_ATTR_SEGMENT &&
        (rc = b2b2c__lead_intern(m, attr, value, &v, NULL)) != 0)
        return rc;
    if ((rc = b2b2c__undo_save(m->ctx, r, sizeof(*r))) != 0)
        return rc;
    switch (attr) {
    case B2B2C_LEAD_ATTR_SEGMENT:
        r->segment = (uint8_t)seg;
        break;
    case B2B2C_LEAD_ATTR_CHANNEL:
        r->chan = v;
        break;
    case B2B2C_LEAD_ATTR_REGION:
        r->region = v;
        break;
    default:
        r->prod = v;
        break;
    }
    return b2b2c__lead_write(m, r);
}

int b2b2c_lead_set_attr(b2b2c_lead_model *m, const char *id, int32_t attr,
                        const char *value)
{
    b2b2c_ctx *ctx;
    int32_t seg = B2B2C_SEGMENT_UNKNOWN;
    int rc;

    if ((rc = b2b2c__lead_begin(m, id ? NULL : "id", NULL)) != 0)
        return rc;
    ctx = m->ctx;
    if (attr < 0 || attr > 3)
        return b2b2c__err(ctx, B2B2C_EINVAL, "attr: unknown attribute %d",
                          (int)attr);
    if (attr == B2B2C_LEAD_ATTR_SEGMENT) {
        if (value && *value && (seg = b2b2c_segment_from_name(value)) < 0)
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "value: unknown segment '%s'", value);
    } else if (value && *value && b2b2c__id_check(value, NULL)) {
        return b2b2c__err(ctx, B2B2C_EBADID, "value: not a valid %s ID",
                          attr_name[attr]);
    }
    B2B2C__CALL(rc, ctx, m, set_attr_body(m, id, attr, value, seg));
    return rc;
}
