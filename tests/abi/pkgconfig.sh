#!/bin/sh
# SPDX-License-Identifier: MIT
# Install into a scratch tree and build a program against it with
# pkg-config, then run it.  usage: pkgconfig.sh BUILDDIR CC
set -eu
build=$1 cc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$tmp/root" -name libb2b2c.pc | head -n 1)")
[ -f "$pcdir/libb2b2c.pc" ] || { echo "FAIL: libb2b2c.pc not installed"; exit 1; }
cat > "$tmp/app.c" <<'C'
#include <b2b2c.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    b2b2c_ctx *ctx;
    if (b2b2c_ctx_new(&ctx, NULL, NULL) != 0)
        return 1;
    b2b2c_ctx_free(ctx);
    printf("%s\n", b2b2c_version_string());
    return strcmp(b2b2c_version_string(), B2B2C_VERSION_STRING) != 0;
}
C
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$tmp/root"
"$cc" "$tmp/app.c" -o "$tmp/app" $(pkg-config --cflags --libs libb2b2c)
# pkg-config and pkgconf differ on whether --variable gets the sysroot;
# the -L flag always has it.
libdir=$(pkg-config --libs-only-L libb2b2c | sed 's/^ *-L//; s/ *$//')
LD_LIBRARY_PATH="$libdir" "$tmp/app"
# each storage adapter that was built: its .pc, header and library
for a in sqlite postgresql; do
    [ -f "$pcdir/libb2b2c-$a.pc" ] || continue
    case $a in sqlite) fn=b2b2c_sqlite_strerror ;; *) fn=b2b2c_pg_strerror ;; esac
    printf '#include <b2b2c/storage/%s.h>\n#include <stdio.h>\n%s\n' "$a" \
        'int main(void) { return puts(FN(B2B2C_ENOMEM)) < 0; }' \
        | sed "s/FN/$fn/" > "$tmp/$a.c"
    "$cc" "$tmp/$a.c" -o "$tmp/$a" $(pkg-config --cflags --libs "libb2b2c-$a") \
        || { echo "FAIL: cannot build a program on libb2b2c-$a"; exit 1; }
    LD_LIBRARY_PATH="$libdir" "$tmp/$a" >/dev/null \
        || { echo "FAIL: a program on libb2b2c-$a does not run"; exit 1; }
    echo "ok: built and ran a program on libb2b2c-$a with pkg-config"
done
[ -n "$(find "$tmp/root" -path '*/bin/b2b2c' -type f)" ] \
    || { echo "FAIL: b2b2c tool not installed"; exit 1; }
echo "ok: built and ran a program with pkg-config against the installed tree"
