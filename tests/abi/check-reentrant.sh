#!/bin/sh
# SPDX-License-Identifier: MIT
# Every handle may run on its own thread (STYLE rule 15), and the library
# never reads the clock (rule 13): no object of the library may reference a
# libc/libm function that keeps hidden global state (POSIX XSH 2.9.1 lists
# the functions that need not be thread-safe; glibc's lgamma writes the
# global signgam) or that reads the time.
# usage: check-reentrant.sh STATIC_LIBRARY SHARED_LIBRARY
set -eu
static=$1 shared=$2

unsafe='
asctime basename catgets crypt ctermid ctime dbm_clearerr dbm_close
dbm_delete dbm_error dbm_fetch dbm_firstkey dbm_nextkey dbm_open dbm_store
dirname dlerror drand48 ecvt encrypt endgrent endpwent endutxent erand48
fcvt gamma gammaf gammal gcvt getdate getenv getgrent getgrgid getgrnam
gethostbyaddr gethostbyname gethostent getlogin getnetbyaddr getnetbyname
getnetent getopt getprotobyname getprotobynumber getprotoent getpwent
getpwnam getpwuid getservbyname getservbyport getservent getutxent
getutxid getutxline gmtime hcreate hdestroy hsearch inet_ntoa jrand48
l64a lcong48 lgamma lgammaf lgammal localeconv localtime lrand48 mblen
mbtowc mrand48 nftw nl_langinfo nrand48 ptsname putenv pututxline rand
random readdir seed48 setenv setgrent setkey setlocale setpwent setutxent
signgam srand srand48 srandom strerror strsignal strtok system tempnam
tmpnam ttyname unsetenv wctomb
'
clock='time clock clock_gettime gettimeofday ftime'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' $unsafe | sort -u > "$tmp/unsafe"
printf '%s\n' $clock | sort -u > "$tmp/clock"

# Undefined symbols per object (the static library names the objects),
# without symbol versions; and those of the linked shared library.
nm -u -A "$static" 2>/dev/null | awk '{print $1, $NF}' | sed 's/@.*//' \
    > "$tmp/refs"
nm -D --undefined-only "$shared" | awk '{print "shared-library:", $NF}' \
    | sed 's/@.*//' >> "$tmp/refs"
[ -s "$tmp/refs" ] || { echo "FAIL: no symbols read from $static"; exit 1; }

status=0
check() { # list, what is wrong with them
    awk 'NR == FNR {bad[$1] = 1; next} ($2 in bad) {print "  " $1 " " $2}' \
        "$1" "$tmp/refs" > "$tmp/hits"
    if [ -s "$tmp/hits" ]; then
        echo "FAIL: $2:"; cat "$tmp/hits"; status=1
    fi
}
check "$tmp/unsafe" "references to functions that are not thread-safe"
check "$tmp/clock" "references to functions that read the clock"
[ $status -ne 0 ] || echo "ok: $(awk '{print $2}' "$tmp/refs" | sort -u | wc -l) libc/libm symbols referenced, none with hidden global state or reading the clock"
exit $status
