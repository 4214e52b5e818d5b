#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate tests/abi/libb2b2c.abi from a build. Run it only in a commit
# that intends to change the ABI (docs/ABI.md).  usage: update-baseline.sh BUILDDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
abidw --no-corpus-path --no-comp-dir-path --drop-private-types --headers-dir "$here/../../include" \
    --out-file "$here/libb2b2c.abi" "$1/libb2b2c.so.1"
echo "wrote $here/libb2b2c.abi"
