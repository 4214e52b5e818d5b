#!/bin/sh
# SPDX-License-Identifier: MIT
# Every source file carries an SPDX licence line in its first three lines
# (the licence is LICENSE, MIT).  usage: check-spdx.sh SOURCE_ROOT
set -eu
cd "$1"
bad=$(find include src tests examples tools .ci meson.build meson_options.txt \
        -type f \( -name '*.c' -o -name '*.h' -o -name '*.py' -o -name '*.rb' \
        -o -name '*.sh' -o -name 'meson.build' -o -name 'meson_options.txt' \
        -o -path '.ci/run' \) -not -path '*/corpus/*' 2>/dev/null |
      while read -r f; do
          head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"
      done)
if [ -n "$bad" ]; then
    echo "FAIL: no SPDX-License-Identifier line in:"
    echo "$bad"
    exit 1
fi
echo "ok: every source file has its SPDX line"
