#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reference Pareto/NBD log-likelihoods for tests/unit/test_forecast_pnbd.c.

Writes pnbd_ref.csv next to this script: for every customer of
examples/data/forecast/summary.csv (row order) and every parameter point
below, the individual log-likelihood at 40 significant digits with mpmath.

The likelihood is computed from its definition, not from 2F1, so it checks
the library's hypergeometric code independently (Fader & Hardie 2005, "A
note on deriving the Pareto/NBD model and related expressions", eq. 3-4;
Schmittlein, Morrison & Colombo 1987):

  L = G(r+x) a^r b^s / G(r) * [ (a+T)^-(r+x) (b+T)^-s
        + s * integral_{tx}^{T} (b+u)^-(s+1) (a+u)^-(r+x) du ],

the second term being the customer dying at u in (tx, T] after the last
purchase. The integral is mpmath's tanh-sinh quadrature (mp.quad) split
at geometric points so the sharp decay of (a+u)^-(r+x) is resolved, on
the integrand divided by its value at tx (mp.quad's tolerance is absolute); each
value is computed twice (30 and 40 digits) and must agree to 1e-20.

Needs python3-mpmath (apt-get install python3-mpmath); CI does not run it.
Usage: [JOBS=2] python3 tests/data/forecast/gen_pnbd_ref.py (about 20 min)
"""
import csv
import multiprocessing
import os
import sys

import mpmath as mp

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SRC = os.path.join(ROOT, "examples", "data", "forecast", "summary.csv")
OUT = os.path.join(HERE, "pnbd_ref.csv")

# (r, alpha, s, beta): the CDNOW estimate, the fit's start, and the corners
# where 2F1(r+s+x, .; r+s+x+1; z) has z -> 1 (alpha >> beta + t or
# beta >> alpha + t) and a large first parameter, as fits on small subsets
# reach (r, alpha -> infinity at a fixed purchase rate r/alpha).
POINTS = [
    (0.55, 10.58, 0.61, 11.67),
    (1.0, 5.0, 1.0, 30.0),
    (5600.0, 56000.0, 0.8, 2.0),
    (0.3, 0.5, 40.0, 2000.0),
    (80.0, 400.0, 2.5, 1e-3),
    (2.0, 9.0, 2.0, 9.0),
    (1e5, 1e6, 0.05, 0.01),
]


def loglik(p, x, tx, T):
    r, al, s, be = (mp.mpf(v) for v in p)
    x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    head = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(al) + s * mp.log(be)
    alive = mp.exp(-(r + x) * mp.log(al + T) - s * mp.log(be + T))
    if T > tx:
        lf = lambda u: -(s + 1) * mp.log(be + u) - (r + x) * mp.log(al + u)
        l0 = lf(tx)  # mp.quad's tolerance is absolute: integrate f/f(tx)
        span = T - tx
        cuts = [tx] + [tx + span * mp.mpf(10) ** -k for k in range(12, 0, -1)] + [T]
        dead = s * mp.exp(l0) * mp.quad(lambda u: mp.exp(lf(u) - l0), cuts)
    else:
        dead = mp.mpf(0)
    return head + mp.log(alive + dead)


def one(args):
    i, (x, tx, T) = args
    out = []
    for k, p in enumerate(POINTS):
        mp.mp.dps = 30
        v30 = loglik(p, x, tx, T)
        mp.mp.dps = 40
        v40 = loglik(p, x, tx, T)
        if abs(v30 - v40) > mp.mpf(10) ** -20 * max(1, abs(v40)):
            sys.exit("row %d point %d: 30/40 digits disagree" % (i, k))
        out.append("%d,%d,%s\n" % (i, k, mp.nstr(v40, 25)))
    return out


def main():
    rows = []
    with open(SRC) as fp:
        for rec in csv.DictReader(fp):
            rows.append((rec["frequency"], rec["recency"], rec["T"]))
    with multiprocessing.Pool(int(os.environ.get("JOBS", "2"))) as pool:
        lines = pool.map(one, list(enumerate(rows)))
    with open(OUT, "w") as out:
        out.write("row,point,loglik\n")
        for chunk in lines:
            out.writelines(chunk)
    print("wrote %s (%d rows x %d points)" % (OUT, len(rows), len(POINTS)))


if __name__ == "__main__":
    main()
