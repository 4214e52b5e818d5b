# SPDX-License-Identifier: MIT
"""Fit BG/NBD on simulated customers over a Dask LocalCluster and in one
process, and print the times and the memory (docs/scaling.md).

One command fits 10 million customers on a LocalCluster of 2 workers:

    B2B2C_LIBRARY=build/libb2b2c.so /usr/bin/python3 \\
        examples/python/dask_fit.py --customers 10000000

The customers are simulated in the workers, one partition of at most
--rows-per-partition (1,000,000) each, from a seed per partition, and
persisted before anything is timed. Each run: b2b2c.dask.prepare and
b2b2c.dask.fit on the cluster (the total is both: fit(ddf) does the
same), then 5 more evaluations at the answer (b2b2c.dask.FitData.sums),
timed alone; then (unless --no-single) the one-process fit
(b2b2c_forecast_fit on the same rows, rebuilt from the same seeds, as
numpy arrays handed to the library without a copy) and 5 evaluations of
its merged rows (b2b2c.ForecastRows, what that fit evaluates per step).
Prints per run the cluster's time, its prepare time, iterations, time
per iteration, evaluations and one evaluation's time, the one-process
time, the largest relative difference of the parameters; then the median of
the runs, the memory of each worker process (resident after the data
were persisted, and the peak during the fits: VmRSS and VmHWM of
/proc/PID/status, the peak reset before the first fit), the one-process
fit's peak, and the load average. Needs dask and distributed (Debian:
python3-dask, python3-distributed); the cluster listens on 127.0.0.1
only.
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

PKG = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, PKG)
os.environ["PYTHONPATH"] = PKG + os.pathsep + os.environ.get("PYTHONPATH", "")

import dask  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import distributed  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import b2b2c  # noqa: E402
import b2b2c.dask as bd  # noqa: E402


def simulate(n, seed, r=0.25, alpha=4.0, a=0.8, b=2.5):
    """n BG/NBD customers (Fader, Hardie & Lee 2005, section 3): lambda ~
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
    del lam, p, J
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1),
                                      np.maximum(N - x + 1, 1)), 0.0)
    return pd.DataFrame({"frequency": x.astype(float),
                         "recency": np.minimum(tx, T), "T": T})


def sizes(n, per):
    k = max(1, -(-n // per))
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def mem_kb():
    """(VmRSS, VmHWM) of this process in kB."""
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out.get("VmRSS", 0), out.get("VmHWM", 0)


def reset_peak():
    """Reset VmHWM to the current RSS (Linux >= 4.0: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def fit_one(model, pdf):
    """b2b2c_forecast_fit on the DataFrame's columns (no copy)."""
    dp = ctypes.POINTER(ctypes.c_double)
    cols = [np.ascontiguousarray(pdf[c].to_numpy(dtype="float64"))
            for c in ("frequency", "recency", "T")]
    k = b2b2c.forecast_nparams(model)
    out, ll = (ctypes.c_double * k)(), ctypes.c_double()
    it, st = ctypes.c_int32(), ctypes.c_int32()
    with b2b2c.Context() as c:
        c.check(b2b2c.lib.b2b2c_forecast_fit(
            out, k, ctypes.byref(ll), ctypes.byref(it), ctypes.byref(st),
            c.handle, model, *[a.ctypes.data_as(dp) for a in cols], None,
            len(pdf), 0.0, 0))
    return list(out), it.value


def eval_cost(n, rounds):
    """CPU time of one likelihood evaluation (b2b2c_forecast_loglik with
    its gradient) of a partition of n simulated customers, as its raw
    rows and as its distinct rows with weights (b2b2c.dask.merge_partition,
    what b2b2c.dask.fit evaluates), interleaved, median of `rounds` each;
    and the CPU time of the merge itself, once per partition."""
    model = b2b2c.FORECAST_BGNBD
    part = simulate(n, (19, 0))
    cols = bd._cols(model, "frequency", "recency", "T", "", None)
    c0 = time.process_time()
    merged = bd.merge_partition(part, model, cols)
    t_merge = time.process_time() - c0
    mcols = ["x", "tx", "T", "w"]
    params = [0.25, 4.0, 0.8, 2.5]
    kept = bd.MergedPartition(model, merged)
    c0 = time.process_time()
    kept.sums(params)  # builds the library's rows
    t_build = time.process_time() - c0
    raw, mer, held = [], [], []
    for _ in range(rounds):
        c0 = time.process_time()
        r1 = bd.partition_sums(part, model, params, cols)
        raw.append(time.process_time() - c0)
        c0 = time.process_time()
        r2 = bd.partition_sums(merged, model, params, mcols)
        mer.append(time.process_time() - c0)
        c0 = time.process_time()
        r3 = kept.sums(params)
        held.append(time.process_time() - c0)
        assert r1 == r2 == r3, (r1, r2, r3)
    print("one evaluation of %d customers (%d distinct rows), CPU, median "
          "of %d interleaved: raw rows %.1f ms, merged rows %.1f ms, the "
          "library's rows kept (fit's path) %.1f ms; once per partition: "
          "the merge %.1f ms, building the rows %.1f ms; the same sums bit "
          "for bit" % (n, len(merged), rounds, 1e3 * statistics.median(raw),
                       1e3 * statistics.median(mer),
                       1e3 * statistics.median(held), 1e3 * t_merge,
                       1e3 * t_build))
    print("load average %.2f %.2f %.2f" % os.getloadavg())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=10000000)
    ap.add_argument("--rows-per-partition", type=int, default=1000000)
    ap.add_argument("--partitions", type=int, default=0,
                    help="this many partitions instead (as even as can be)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-single", action="store_true",
                    help="skip the one-process fit (too big for memory)")
    ap.add_argument("--eval-cost", type=int, default=0, metavar="ROUNDS",
                    help="only time one evaluation of a partition of "
                    "--rows-per-partition customers, raw and merged, "
                    "median of ROUNDS (no cluster)")
    a = ap.parse_args()
    if a.eval_cost:
        eval_cost(a.rows_per_partition, a.eval_cost)
        return
    model = b2b2c.FORECAST_BGNBD
    parts = sizes(a.customers, -(-a.customers // a.partitions)
                  if a.partitions > 0 else a.rows_per_partition)
    meta = simulate(0, 0)
    t_one, c_one, t_dist, t_it, its = [], [], [], [], []
    one = None
    lo = "127.0.0.1:0"  # every server on loopback
    with distributed.LocalCluster(n_workers=a.workers, threads_per_worker=1,
                                  processes=True, host="127.0.0.1",
                                  dashboard_address=lo,
                                  worker_dashboard_address=lo) as cluster, \
            distributed.Client(cluster) as client:
        t0 = time.perf_counter()
        ddf = dd.from_delayed([dask.delayed(simulate)(n, (19, k))
                               for k, n in enumerate(parts)], meta=meta)
        ddf = ddf.persist()
        distributed.wait(ddf)
        t_sim = time.perf_counter() - t0
        rss0 = client.run(mem_kb)
        client.run(reset_peak)
        cpu0 = client.run(time.process_time)
        print("%d customers in %d partitions simulated and persisted on %d "
              "workers in %.1f s; worker RSS %s MB"
              % (a.customers, len(parts), a.workers, t_sim,
                 [round(v[0] / 1024) for v in rss0.values()]))
        t_prep, t_eval, c_eval = [], [], []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            data = bd.prepare(ddf, model)
            t1 = time.perf_counter()
            got = bd.fit(data, model)
            t_dist.append(time.perf_counter() - t0)
            t_prep.append(t1 - t0)
            its.append(got.iterations)
            t_it.append(t_dist[-1] / max(got.iterations, 1))
            nev = data.evaluations
            ev = []
            w0 = client.run(time.process_time)
            for _ in range(5):  # at the answer, the partitions kept merged
                t2 = time.perf_counter()
                data.sums(list(got.params.values()))
                ev.append(time.perf_counter() - t2)
            w1 = client.run(time.process_time)
            c_eval.append(max(w1[w] - w0[w] for w in w0) / 5)
            t_eval.append(statistics.median(ev))
            print("cluster %.2f s (prepare %.2f s: moments, merge, persist), "
                  "%d iterations (%.3f s each), %d evaluations, one "
                  "evaluation %.3f s (median of 5; %.3f s of CPU in the "
                  "busier worker, mean of 5), %s, params %s"
                  % (t_dist[-1], t_prep[-1], got.iterations, t_it[-1], nev,
                     t_eval[-1], c_eval[-1], got.status,
                     {k: round(v, 6) for k, v in got.params.items()}))
            del data
        rss1 = client.run(mem_kb)
        cpu1 = client.run(time.process_time)
        pdf = None
        one_peak = None
        if not a.no_single:
            pdf = pd.concat([simulate(n, (19, k)) for k, n in
                             enumerate(parts)], ignore_index=True)
            base = mem_kb()[0]
            reset_peak()
            for _ in range(a.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                one = fit_one(model, pdf)
                t_one.append(time.perf_counter() - t0)
                c_one.append(time.process_time() - c0)
                diff = max(abs(g - v) / v for g, v in
                           zip(got.params.values(), one[0]))
                print("one process %.2f s (%.2f s of CPU), %d iterations; max "
                      "relative difference %.2g"
                      % (t_one[-1], c_one[-1], one[1], diff))
            one_peak = mem_kb()[1] - base
            # one evaluation in one process: what b2b2c_forecast_fit does
            # per step, on the rows it merged once
            cols = [np.ascontiguousarray(pdf[c].to_numpy(dtype="float64"))
                    for c in ("frequency", "recency", "T")]
            with b2b2c.Context() as c:
                rows = b2b2c.ForecastRows(c, model, *cols)
                ev, cev = [], []
                for _ in range(5):
                    t2, c2 = time.perf_counter(), time.process_time()
                    rows.loglik(one[0])
                    ev.append(time.perf_counter() - t2)
                    cev.append(time.process_time() - c2)
                rows.close()
            print("one process: one evaluation %.3f s, %.3f s of CPU (medians "
                  "of 5)" % (statistics.median(ev), statistics.median(cev)))
    print("median of %d: cluster %.2f s (%.3f s per iteration, %d "
          "iterations, prepare %.2f s, one evaluation %.3f s and %.3f s of "
          "CPU in the busier worker), one process %s; %d customers, %d "
          "partitions, %d workers"
          % (a.repeat, statistics.median(t_dist), statistics.median(t_it),
             statistics.median(its), statistics.median(t_prep),
             statistics.median(t_eval), statistics.median(c_eval),
             "%.2f s" % statistics.median(t_one) if t_one else "skipped",
             a.customers, len(parts), a.workers))
    for w in sorted(rss0):
        print("worker %s: %d MB resident with the data, peak %d MB during "
              "the fits, %.1f s of CPU in the %d fits and their timed "
              "evaluations (%.3f s per iteration)"
              % (w, rss0[w][0] // 1024, rss1[w][1] // 1024,
                 cpu1[w] - cpu0[w], a.repeat,
                 (cpu1[w] - cpu0[w]) / max(sum(its), 1)))
    if c_one:
        print("one process: median %.2f s of CPU per fit" %
              statistics.median(c_one))
    if one_peak is not None:
        print("one process: the fit's peak memory above the data: %d MB"
              % (one_peak // 1024))
    print("load average %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
