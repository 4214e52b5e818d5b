# SPDX-License-Identifier: MIT
"""Fit BG/NBD on simulated customers over a Dask LocalCluster and in one
process, and print the times (docs/scaling.md).

    B2B2C_LIBRARY=build/libb2b2c.so PYTHONPATH=examples/python \\
        /usr/bin/python3 examples/python/dask_fit.py --customers 1000000 \\
        --partitions 16 --workers 2 --repeat 5

Each run: the one-process fit (forecast_fit on lists), then b2b2c.dask.fit
on a Dask DataFrame of the same rows (persisted first); prints both
times, the iterations, the time per iteration of the cluster fit, the
largest relative difference of the parameters, and the median of the
runs. Needs dask and distributed (Debian: python3-dask,
python3-distributed); the cluster listens on 127.0.0.1 only.
"""
import argparse
import os
import statistics
import sys
import time

PKG = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, PKG)
os.environ["PYTHONPATH"] = PKG + os.pathsep + os.environ.get("PYTHONPATH", "")

import dask.dataframe as dd  # noqa: E402
import distributed  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import b2b2c  # noqa: E402
import b2b2c.dask as bd  # noqa: E402


def simulate(n, seed=19, r=0.25, alpha=4.0, a=0.8, b=2.5):
    """BG/NBD customers (Fader, Hardie & Lee 2005, section 3): lambda ~
    Gamma(r, 1/alpha), p ~ Beta(a, b), J ~ geometric on 1, 2, ... repeat
    purchases up to the dropout, N ~ Poisson(lambda T) over (0, T]; x =
    min(N, J), t_x the x-th of N sorted uniform arrival times (a
    Beta(x, N - x + 1) fraction of T); T in whole days over 1..52 weeks."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    T = rng.integers(7, 365, n, endpoint=True) / 7.0
    J = rng.geometric(p)
    N = rng.poisson(lam * T)
    x = np.minimum(N, J)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1),
                                      np.maximum(N - x + 1, 1)), 0.0)
    return pd.DataFrame({"frequency": x.astype(float),
                         "recency": np.minimum(tx, T), "T": T})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=1000000)
    ap.add_argument("--partitions", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-single", action="store_true",
                    help="skip the one-process fit (too big for memory)")
    a = ap.parse_args()
    model = b2b2c.FORECAST_BGNBD
    pdf = simulate(a.customers)
    ddf = dd.from_pandas(pdf, npartitions=a.partitions)
    t_one, t_dist, t_it = [], [], []
    with distributed.LocalCluster(n_workers=a.workers, threads_per_worker=1,
                                  processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        for _ in range(a.repeat):
            one = None
            if not a.no_single:
                t0 = time.perf_counter()
                one = b2b2c.forecast_fit(model, pdf["frequency"].tolist(),
                                         pdf["recency"].tolist(),
                                         pdf["T"].tolist())
                t_one.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            got = bd.fit(ddf, model)
            t_dist.append(time.perf_counter() - t0)
            t_it.append(t_dist[-1] / max(got.iterations, 1))
            diff = max(abs(got.params[k] - v) / v
                       for k, v in one.params.items()) if one else float("nan")
            print("cluster %.2f s, %d iterations (%.3f s each), %s; one "
                  "process %s; max relative difference %.2g"
                  % (t_dist[-1], got.iterations, t_it[-1], got.status,
                     "%.2f s, %d iterations" % (t_one[-1], one.iterations)
                     if one else "skipped", diff))
    print("median of %d: cluster %.2f s (%.3f s per iteration), one process "
          "%s; %d customers, %d partitions, %d workers"
          % (a.repeat, statistics.median(t_dist), statistics.median(t_it),
             "%.2f s" % statistics.median(t_one) if t_one else "skipped",
             a.customers, a.partitions, a.workers))
    print("params %s" % ({k: round(v, 6) for k, v in got.params.items()},))


if __name__ == "__main__":
    main()
