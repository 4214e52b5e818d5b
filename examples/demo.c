/*
 * The main demo: a manufacturer's host application linking libb2b2c.
 * It creates a context on the built-in in-memory store, groups work in one
 * transaction and shows how errors are reported. Each engine extends this
 * walk-through: segment an account, score its lead, route it to a dealer,
 * forecast repeat purchases, and measure the channel that brought it.
 */
#include <stdio.h>

#include <b2b2c.h>

int main(void)
{
    b2b2c_memstore *store;
    b2b2c_storage methods;
    b2b2c_ctx *ctx;
    int rc;

    printf("libb2b2c %s\n", b2b2c_version_string());
    if (b2b2c_version_number() != B2B2C_VERSION_NUMBER)
        printf("warning: headers %s, library %s\n", B2B2C_VERSION_STRING,
               b2b2c_version_string());

    /* The host supplies storage; here the built-in in-memory store, kept
     * outside the context so that it could be reopened by another one. */
    if ((rc = b2b2c_memstore_new(&store, NULL)) != 0 ||
        (rc = b2b2c_memstore_methods(store, &methods)) != 0) {
        fprintf(stderr, "store: %s\n", b2b2c_strerror(rc));
        return 1;
    }
    if ((rc = b2b2c_ctx_new(&ctx, NULL, &methods)) != 0) {
        fprintf(stderr, "context: %s\n", b2b2c_strerror(rc));
        b2b2c_memstore_free(store);
        return 1;
    }

    /* Bulk work goes in one storage transaction. */
    if ((rc = b2b2c_ctx_begin(ctx)) == 0)
        rc = b2b2c_ctx_commit(ctx);
    printf("empty transaction group: %s\n", b2b2c_strerror(rc));

    /* Misuse gets a specific code and a message naming what is wrong. */
    rc = b2b2c_ctx_commit(ctx);
    printf("commit without begin: %d (%s): %s\n", rc, b2b2c_strerror(rc),
           b2b2c_ctx_errmsg(ctx));

    b2b2c_ctx_free(ctx);
    b2b2c_memstore_free(store);
    return 0;
}
