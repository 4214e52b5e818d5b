/* SPDX-License-Identifier: MIT */
/* Segment classifier example: classify two accounts, add a host rule,
 * record a migration, and ask where a warm lead of each segment should go.
 * Exits 0 when everything behaved as documented. */
#include <stdio.h>

#include "b2b2c.h"

static int check(b2b2c_ctx *ctx, int rc, const char *what)
{
    if (rc != 0)
        fprintf(stderr, "%s: %s (%s)\n", what, b2b2c_ctx_errmsg(ctx),
                b2b2c_strerror(rc));
    return rc;
}

static int on_migration(const char *account_id, int64_t time, int32_t from,
                        int32_t to, int64_t version, const char *rule,
                        double confidence, void *payload)
{
    int *n = payload;
    printf("migration: %s at %lld: %s -> %s (rule %s, rule set v%lld, "
           "confidence %.2f)\n",
           account_id, (long long)time, b2b2c_segment_name(from),
           b2b2c_segment_name(to), rule, (long long)version, confidence);
    (*n)++;
    return 0;
}

int main(void)
{
    b2b2c_ctx *ctx = NULL;
    b2b2c_segmenter *s = NULL;
    b2b2c_segment_attrs *a = NULL;
    int32_t seg, dest, kind;
    double conf;
    int rc, migrations = 0;

    if (b2b2c_ctx_new(&ctx, NULL, NULL) != 0)
        return 1;
    if ((rc = check(ctx, b2b2c_segmenter_new(&s, ctx), "segmenter_new")) ||
        (rc = check(ctx, b2b2c_segment_attrs_new(&a, ctx), "attrs_new")))
        goto out;

    /* a workshop with 8 people */
    b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_PARTY_TYPE,
                                B2B2C_SEG_PARTY_ORGANISATION);
    b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_ORG_KIND, B2B2C_SEG_ORG_WORKSHOP);
    b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_EMPLOYEES, 8);
    if ((rc = check(ctx, b2b2c_segmenter_assign(&seg, s, "acme-works", a,
                                                1767225600),
                    "assign")))
        goto out;
    printf("acme-works: %s (%s)\n", b2b2c_segment_name(seg),
           b2b2c_segmenter_last_reason(s));

    /* a private person with 50 outlets: conflicting attributes */
    b2b2c_segment_attrs_reset(a);
    b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_PARTY_TYPE,
                                B2B2C_SEG_PARTY_PERSON);
    b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_OUTLETS, 50);
    if ((rc = check(ctx, b2b2c_segmenter_classify(&seg, &conf, s, a),
                    "classify")))
        goto out;
    printf("odd person: %s, confidence %.2f (%s)\n", b2b2c_segment_name(seg),
           conf, b2b2c_segmenter_last_reason(s));

    /* the manufacturer treats very busy workshops as large customers */
    if ((rc = check(ctx,
                    b2b2c_segmenter_rule_add(
                        s, "busy_workshops", 650, B2B2C_SEGMENT_B2B_LARGE,
                        "all(org_kind in (workshop, contractor), "
                        "orders_per_year >= 50)"),
                    "rule_add")))
        goto out;
    b2b2c_segment_attrs_reset(a);
    b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_PARTY_TYPE,
                                B2B2C_SEG_PARTY_ORGANISATION);
    b2b2c_segment_attrs_set_int(a, B2B2C_SEG_ATTR_ORG_KIND, B2B2C_SEG_ORG_WORKSHOP);
    b2b2c_segment_attrs_set_double(a, B2B2C_SEG_ATTR_ORDERS_PER_YEAR, 120);
    if ((rc = check(ctx, b2b2c_segmenter_assign(&seg, s, "acme-works", a,
                                                1769904000),
                    "assign")))
        goto out;
    if ((rc = check(ctx, b2b2c_segmenter_migrations(s, 0, on_migration,
                                                    &migrations),
                    "migrations")))
        goto out;

    for (int32_t g = 1; g <= 5; g++) {
        if ((rc = check(ctx, b2b2c_segmenter_route(&dest, &kind, s, g,
                                                   B2B2C_BAND_WARM),
                        "route")))
            goto out;
        printf("warm %-22s -> %s via %s\n", b2b2c_segment_name(g),
               b2b2c_seg_dest_name(dest), b2b2c_seg_channel_name(kind));
        if (g == B2B2C_SEGMENT_B2C_CONSUMER &&
            dest == B2B2C_SEG_DEST_DIRECT_SALES)
            rc = 1;
    }
    if (migrations != 1 || seg != B2B2C_SEGMENT_B2B_LARGE)
        rc = 1;
out:
    b2b2c_segment_attrs_free(a);
    b2b2c_segmenter_free(s);
    b2b2c_ctx_free(ctx);
    return rc ? 1 : 0;
}
