/* SPDX-License-Identifier: MIT */
/* Lead model configuration: the parameter and rule-point tables, event
 * kinds, attribute points and the interned attribute values. */
#include <math.h>
#include <stdio.h>

#include "lead_internal.h"

/* The parameters' bounds and defaults are in core's table (core/param.c). */

/* Default rule points, derived from the source's cold/warm/hot examples
 * (docs/lead-model.md explains each number). */
static const struct {
    const char *name;
    double points, cap_day, cap_total, hot_days;
} kind_defaults[B2B2C_LEAD_EV_BUILTIN_COUNT] = {
    {"newsletter_subscribe", 5, 1, 1, 0},
    {"site_visit", 2, 3, 0, 0},
    {"content_view", 3, 3, 0, 0},
    {"email_open", 1, 2, 0, 0},
    {"email_click", 3, 3, 0, 0},
    {"guide_download", 20, 2, 0, 0},
    {"webinar_register", 20, 1, 0, 0},
    {"webinar_attend", 25, 1, 0, 0},
    {"demo_view", 25, 1, 0, 0},
    {"pricing_view", 30, 1, 0, 0},
    {"question_asked", 90, 1, 0, 0},
    {"quote_request", 80, 1, 0, 14},
    {"meeting_booked", 80, 1, 0, 14},
    {"purchase", 0, 0, 0, 0},
    {"unsubscribe", -30, 1, 0, 0},
    {"email_bounce", -10, 1, 0, 0},
    {"marked_spam", -100, 1, 0, 0},
};

void b2b2c__lead_set_defaults(b2b2c_lead_model *m)
{
    b2b2c__param_defaults(100, m->params);
    m->nkinds = B2B2C_LEAD_EV_BUILTIN_COUNT;
    for (int k = 0; k < B2B2C_LEAD_EV_BUILTIN_COUNT; k++) {
        lead_kind *kd = &m->kinds[k];
        snprintf(kd->name, sizeof(kd->name), "%s", kind_defaults[k].name);
        kd->points = kind_defaults[k].points;
        kd->cap_day = kind_defaults[k].cap_day;
        kd->cap_total = kind_defaults[k].cap_total;
        kd->hot_days = kind_defaults[k].hot_days;
    }
}

/* ---- parameters and configuration --------------------------------------------- */

static int write_config(b2b2c_lead_model *m)
{
    b2b2c__wbuf w;
    /* version 2 (1.1): B2B2C_LEAD_CLOSE_DAYS after the first 7 */
    b2b2c__enc_begin(&w, &m->ctx->mem, 2);
    for (int i = 0; i < LEAD_NPARAMS; i++)
        b2b2c__enc_f64(&w, m->params[i]);
    for (int i = 0; i < LEAD_NSEG; i++)
        b2b2c__enc_f64(&w, m->seg_points[i]);
    b2b2c__enc_u32(&w, m->nkinds);
    for (uint32_t k = 0; k < m->nkinds; k++) {
        const lead_kind *kd = &m->kinds[k];
        b2b2c__enc_str(&w, kd->name);
        b2b2c__enc_f64(&w, kd->points);
        b2b2c__enc_f64(&w, kd->cap_day);
        b2b2c__enc_f64(&w, kd->cap_total);
        b2b2c__enc_f64(&w, kd->hot_days);
    }
    return b2b2c__st_put_rec(m->ctx, T_CONFIG, "config", 6, &w);
}

int b2b2c_lead_model_get_param(double *out, const b2b2c_lead_model *m,
                               int32_t param)
{
    int rc;
    if ((rc = b2b2c__lead_read_begin(m, out ? NULL : "out", NULL)) != 0)
        return rc;
    if (param < 100 || param >= 100 + LEAD_NPARAMS)
        return b2b2c__err(m->ctx, B2B2C_EINVAL,
                          "param: %d is not a lead parameter", (int)param);
    *out = m->params[param - 100];
    return 0;
}

static int set_param_body(b2b2c_lead_model *m, int32_t param, double value)
{
    int rc;
    /* against the other threshold as committed now */
    if ((param == B2B2C_LEAD_WARM_THRESHOLD &&
         value >= lead_param(m, B2B2C_LEAD_HOT_THRESHOLD)) ||
        (param == B2B2C_LEAD_HOT_THRESHOLD &&
         value <= lead_param(m, B2B2C_LEAD_WARM_THRESHOLD)))
        return b2b2c__err(m->ctx, B2B2C_ERANGE,
                          "value: %s: the warm threshold must stay below "
                          "the hot threshold",
                          b2b2c_param_name(param));
    if ((rc = b2b2c__undo_save(m->ctx, &m->params[param - 100],
                               sizeof(double))) != 0)
        return rc;
    m->params[param - 100] = value;
    return write_config(m);
}

int b2b2c_lead_model_set_param(b2b2c_lead_model *m, int32_t param,
                               double value)
{
    int rc;
    if ((rc = b2b2c__lead_begin(m, NULL, NULL)) != 0)
        return rc;
    if ((rc = b2b2c__param_check(m->ctx, 100, param, value)) != 0)
        return rc;
    B2B2C__CALL(rc, m->ctx, m, set_param_body(m, param, value));
    return rc;
}

static int kind_name_ok(const char *s, size_t *len)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
              s[n] == '_') ||
            n >= 63)
            return 0;
    *len = n;
    return n > 0;
}

/* The number of the kind called `name`, or -1. */
static int32_t kind_find(const b2b2c_lead_model *m, const char *name)
{
    for (uint32_t k = 0; k < m->nkinds; k++)
        if (strcmp(m->kinds[k].name, name) == 0)
            return (int32_t)k;
    return -1;
}

int b2b2c_lead_kind_id(int32_t *out, const b2b2c_lead_model *m,
                       const char *name)
{
    int32_t k;
    int rc;
    if ((rc = b2b2c__lead_read_begin(m, out && name ? NULL : "out, name",
                                     NULL)) != 0)
        return rc;
    if ((k = kind_find(m, name)) < 0)
        return b2b2c__err(m->ctx, B2B2C_ENOTFOUND,
                          "name: no event kind '%s'", name);
    *out = k;
    return 0;
}

const char *b2b2c_lead_kind_name(const b2b2c_lead_model *m, int32_t kind)
{
    /* a kind another context added is known here too (NULL when the
     * context cannot be brought up to date: its message says why) */
    if (!m || b2b2c__sync_read(m->ctx) || kind < 0 ||
        (uint32_t)kind >= m->nkinds)
        return NULL;
    return m->kinds[kind].name;
}

static int add_kind_body(b2b2c_lead_model *m, const char *name, size_t n,
                         int32_t *out)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_kind *kd;
    int rc;
    if ((*out = kind_find(m, name)) >= 0)
        return 0;
    if (m->nkinds >= B2B2C_LEAD_EV_MAX)
        return b2b2c__err(ctx, B2B2C_ERANGE, "name: %d event kinds exist",
                          B2B2C_LEAD_EV_MAX);
    if ((rc = b2b2c__undo_save(ctx, &m->nkinds, sizeof(m->nkinds))) != 0 ||
        (rc = b2b2c__undo_save(ctx, &m->kinds[m->nkinds],
                               sizeof(lead_kind))) != 0)
        return rc;
    kd = &m->kinds[m->nkinds];
    memset(kd, 0, sizeof(*kd));
    memcpy(kd->name, name, n + 1);
    *out = (int32_t)m->nkinds++;
    if ((rc = write_config(m)) != 0)
        return rc;
    return b2b2c__lead_write_model(m);
}

int b2b2c_lead_add_kind(int32_t *out, b2b2c_lead_model *m,
                        const char *name)
{
    int32_t k = -1;
    size_t n;
    int rc;
    if ((rc = b2b2c__lead_begin(m, out && name ? NULL : "out, name",
                                NULL)) != 0)
        return rc;
    if (!kind_name_ok(name, &n))
        return b2b2c__err(m->ctx, B2B2C_EBADID,
                          "name: kind names are 1..63 of [a-z0-9_]");
    B2B2C__CALL(rc, m->ctx, m, add_kind_body(m, name, n, &k));
    if (rc == 0)
        *out = k;
    return rc;
}

int b2b2c_lead_kind_get(double *points, double *cap_day, double *cap_total,
                        double *hot_days, const b2b2c_lead_model *m,
                        int32_t kind)
{
    const lead_kind *kd;
    int rc;
    if ((rc = b2b2c__lead_read_begin(m, NULL, NULL)) != 0)
        return rc;
    if (kind < 0 || (uint32_t)kind >= m->nkinds)
        return b2b2c__err(m->ctx, B2B2C_ENOTFOUND, "kind: no event kind %d",
                          (int)kind);
    kd = &m->kinds[kind];
    if (points)
        *points = kd->points;
    if (cap_day)
        *cap_day = kd->cap_day;
    if (cap_total)
        *cap_total = kd->cap_total;
    if (hot_days)
        *hot_days = kd->hot_days;
    return 0;
}

static int kind_set_body(b2b2c_lead_model *m, int32_t kind, double points,
                         double cap_day, double cap_total, double hot_days)
{
    b2b2c_ctx *ctx = m->ctx;
    lead_kind *kd;
    int rc;
    if (kind < 0 || (uint32_t)kind >= m->nkinds)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND, "kind: no event kind %d",
                          (int)kind);
    if (points < -1e6 || points > 1e6)
        return b2b2c__err(ctx, B2B2C_ERANGE, "points: outside [-1e6, 1e6]");
    if (cap_day < 0 || cap_day > 1e9 || cap_day != floor(cap_day))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "cap_day: a whole number in [0, 1e9]");
    if (cap_total < 0 || cap_total > 1e9 || cap_total != floor(cap_total))
        return b2b2c__err(ctx, B2B2C_ERANGE,
                          "cap_total: a whole number in [0, 1e9]");
    if (hot_days < 0 || hot_days > 3650)
        return b2b2c__err(ctx, B2B2C_ERANGE, "hot_days: outside [0, 3650]");
    kd = &m->kinds[kind];
    if ((rc = b2b2c__undo_save(ctx, kd, sizeof(*kd))) != 0)
        return rc;
    kd->points = points;
    kd->cap_day = cap_day;
    kd->cap_total = cap_total;
    kd->hot_days = hot_days;
    return write_config(m);
}

int b2b2c_lead_kind_set(b2b2c_lead_model *m, int32_t kind, double points,
                        double cap_day, double cap_total, double hot_days)
{
    int rc;
    if ((rc = b2b2c__lead_begin(m, NULL, NULL)) != 0)
        return rc;
    if (!isfinite(points) || !isfinite(cap_day) || !isfinite(cap_total) ||
        !isfinite(hot_days))
        return b2b2c__err(m->ctx, B2B2C_EINVAL,
                          "points, cap_day, cap_total, hot_days: must be "
                          "finite");
    /* the ranges are checked in the body, after the kind, as before */
    B2B2C__CALL(rc, m->ctx, m,
                kind_set_body(m, kind, points, cap_day, cap_total, hot_days));
    return rc;
}

/* Find or create (undoably) the interned value of a channel, region or
 * product line; *out = index + 1, 0 for NULL or "". */
int b2b2c__lead_intern(b2b2c_lead_model *m, int attr, const char *value,
                       uint32_t *out, lead_attr **made)
{
    char key[B2B2C__ID_MAX + 2];
    size_t n;
    lead_attr *a;
    int rc;

    *out = 0;
    if (made)
        *made = NULL;
    if (!value || !*value)
        return 0;
    n = strlen(value);
    key[0] = (char)attr;
    memcpy(key + 1, value, n < B2B2C__ID_MAX ? n : B2B2C__ID_MAX);
    a = b2b2c__map_get(&m->attrmap, key, n + 1);
    if (a) {
        *out = a->idx + 1;
        if (made)
            *made = a;
        return 0;
    }
    if (m->nattrs == m->capattrs &&
        b2b2c__grow(&m->ctx->mem, (void **)&m->attrs, &m->capattrs,
                    m->nattrs + 1, sizeof(*m->attrs)))
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    a = b2b2c__malloc(m->ctx, sizeof(*a) + n + 2);
    if (!a)
        return b2b2c__err(m->ctx, B2B2C_ENOMEM, "out of memory");
    a->idx = (uint32_t)m->nattrs;
    a->attr = (uint8_t)attr;
    a->points = 0;
    a->w = 0;
    a->klen = n + 1;
    memcpy(a->key, key, n + 1);
    a->key[n + 1] = '\0';
    if ((rc = b2b2c__undo_free_on_fail(m->ctx, a)) != 0) {
        b2b2c__free(m->ctx, a);
        return rc;
    }
    if ((rc = b2b2c__undo_save(m->ctx, &m->nattrs, sizeof(m->nattrs))) ||
        (rc = b2b2c__map_insert_undoable(m->ctx, &m->attrmap, a->key,
                                         a->klen, a)))
        return rc;
    m->attrs[m->nattrs++] = a;
    if ((rc = b2b2c__lead_write_attr(m, a)) != 0)
        return rc;
    *out = a->idx + 1;
    if (made)
        *made = a;
    return 0;
}

static int attr_points_body(b2b2c_lead_model *m, int32_t attr,
                            const char *value, int32_t seg, double points)
{
    b2b2c_ctx *ctx = m->ctx;
    uint32_t ix;
    lead_attr *a;
    int rc;
    if (seg >= 0) {
        if ((rc = b2b2c__undo_save(ctx, &m->seg_points[seg],
                                   sizeof(double))) != 0)
            return rc;
        m->seg_points[seg] = points;
        return write_config(m);
    }
    if ((rc = b2b2c__lead_intern(m, attr, value, &ix, &a)) != 0 ||
        (rc = b2b2c__undo_save(ctx, &a->points, sizeof(double))) != 0)
        return rc;
    a->points = points;
    return b2b2c__lead_write_attr(m, a);
}

int b2b2c_lead_attr_points_set(b2b2c_lead_model *m, int32_t attr,
                               const char *value, double points)
{
    b2b2c_ctx *ctx;
    int32_t seg = -1;
    int rc;
    if ((rc = b2b2c__lead_begin(m, NULL, NULL)) != 0)
        return rc;
    ctx = m->ctx;
    if (attr < 0 || attr > 3)
        return b2b2c__err(ctx, B2B2C_EINVAL, "attr: unknown attribute %d",
                          (int)attr);
    if (!value)
        return b2b2c__err(ctx, B2B2C_EINVAL, "value: NULL");
    if (!isfinite(points))
        return b2b2c__err(ctx, B2B2C_EINVAL, "points: must be finite");
    if (points < -1e6 || points > 1e6)
        return b2b2c__err(ctx, B2B2C_ERANGE, "points: outside [-1e6, 1e6]");
    if (attr == B2B2C_LEAD_ATTR_SEGMENT) {
        if ((seg = b2b2c_segment_from_name(value)) < 0)
            return b2b2c__err(ctx, B2B2C_EINVAL,
                              "value: unknown segment '%s'", value);
    } else if (b2b2c__id_check(value, NULL)) {
        return b2b2c__err(ctx, B2B2C_EBADID, "value: not a valid ID");
    }
    B2B2C__CALL(rc, ctx, m, attr_points_body(m, attr, value, seg, points));
    return rc;
}
