/* SPDX-License-Identifier: MIT */
/*
 * Erasing an ID in every engine open on a context, in one transaction
 * (issue 20, docs/privacy.md "How to erase"). Each engine handle attached
 * to the context (b2b2c__engine_attach) with an `erase` op is asked in
 * turn, inside one call's transaction; an engine that does not know the
 * ID changes nothing, and the first other failure rolls the whole call
 * back.
 */
#include "internal.h"

static int erase_body(b2b2c_ctx *ctx, const char *id, size_t n,
                      int32_t *found)
{
    *found = 0;
    for (size_t i = 0; i < ctx->neng; i++) {
        b2b2c__engine *g = ctx->engs[i];
        int rc;
        if (!g->ops->erase)
            continue;
        b2b2c__sync_writer(ctx, g->h);
        rc = g->ops->erase(g->h, id, n);
        if (rc == B2B2C_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        (*found)++;
    }
    if (*found == 0)
        return b2b2c__err(ctx, B2B2C_ENOTFOUND,
                          "id: no engine open on the context knows '%s'",
                          id);
    b2b2c__err_clear(ctx); /* an engine's "not found" before another's 0 */
    return 0;
}

int b2b2c_ctx_erase(int32_t *count_out, b2b2c_ctx *ctx, const char *id)
{
    int32_t found = 0;
    size_t n;
    int rc;

    if (!ctx)
        return B2B2C_EINVAL;
    b2b2c__err_clear(ctx);
    if (!id)
        return b2b2c__err(ctx, B2B2C_EINVAL, "id: must not be NULL");
    if (b2b2c__id_check(id, &n))
        return b2b2c__err(ctx, B2B2C_EBADID, "id: not a valid ID");
    do {
        rc = b2b2c__call_begin(ctx);
        if (rc == 0)
            rc = b2b2c__call_end(ctx, erase_body(ctx, id, n, &found));
    } while (rc == B2B2C__AGAIN);
    if (rc == 0 && count_out)
        *count_out = found;
    return rc;
}
