# SPDX-License-Identifier: MIT
"""Every public function with an out-parameter is in test_outparams.c.

Reads the prototypes of include/b2b2c/*.h and include/b2b2c/sys/*.h (not
include/b2b2c/storage/: the adapters), finds the functions that take a
pointer the function writes (a pointer to a non-const value that is not an
engine handle, not a callback's userdata; `const char **`; a handle's
`**out`), and checks that each is named in the checklist of
tests/unit/test_outparams.c and called in its tests (there or in
tests/unit/test_outparams_*.c).

usage: outparams_list.py SOURCE_ROOT
"""
import glob
import os
import re
import sys

# Opaque handles: a pointer to one is the object worked on, not an output.
HANDLES = {"b2b2c_ctx", "b2b2c_channels", "b2b2c_dealer_engine",
           "b2b2c_forecaster", "b2b2c_lead_model", "b2b2c_segmenter",
           "b2b2c_segment_attrs", "b2b2c_memstore",
           "b2b2c_experiment", "b2b2c_programs", "b2b2c_forecast_rows"}


def out_params(params):
    """The names of the parameters a function may write."""
    outs = []
    for p in params.split(","):
        p = " ".join(p.split())
        if "*" not in p or "(" in p:
            continue
        m = re.match(r"(const\s+)?(?:struct\s+)?(\w+)\s*(\*+)\s*(?:const\s*)?"
                     r"(\*?)\s*(\w+)$", p)
        if not m:
            continue
        const, typ, stars, _, name = m.groups()
        stars = len(stars)
        if typ == "void" and name == "userdata":
            continue
        if stars >= 2:
            # const char **out, b2b2c_x **out; not `const T *const *sets`
            if not (const and typ != "char"):
                outs.append(name)
            continue
        if const or typ in HANDLES:
            continue
        outs.append(name)
    return outs


def functions(root):
    heads = sorted(glob.glob(os.path.join(root, "include/b2b2c/*.h")) +
                   glob.glob(os.path.join(root, "include/b2b2c/sys/*.h")))
    found = {}
    for h in heads:
        text = open(h, encoding="utf-8").read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
        for m in re.finditer(r"B2B2C_API\s+[^;(]*?\b(b2b2c_\w+)\s*\(([^;]*?)\)"
                             r"\s*;", text, re.S):
            outs = out_params(m.group(2))
            if outs:
                found[m.group(1)] = (os.path.relpath(h, root), outs)
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    test = open(os.path.join(root, "tests/unit/test_outparams.c"),
                encoding="utf-8").read()
    head, body = test.split("#include", 1)  # the checklist, the tests
    for f in sorted(glob.glob(os.path.join(root,
                                           "tests/unit/test_outparams_*.c"))):
        body += open(f, encoding="utf-8").read()
    found = functions(root)
    bad = []
    for name, (hdr, outs) in sorted(found.items()):
        if not re.search(r"\b%s\b" % name, head):
            bad.append("%s (%s; out: %s): not in the checklist" %
                       (name, hdr, ", ".join(outs)))
        elif not re.search(r"\b%s\s*\(" % name, body):
            bad.append("%s (%s): never called by the tests" % (name, hdr))
    if len(found) < 50:  # the parser lost the headers
        bad.append("only %d functions with out-parameters found" % len(found))
    if bad:
        print("FAIL:\n  " + "\n  ".join(bad))
        return 1
    print("ok: %d functions with out-parameters, each in test_outparams.c"
          % len(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
