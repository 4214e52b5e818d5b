# SPDX-License-Identifier: MIT
"""b2b2c.dask on a LocalCluster of 2 worker processes (loopback only): the
distributed fits equal the one-process fits (forecast_fit / _gg_fit) on the
CDNOW sample and on 1,000,000 simulated BG/NBD customers in 16 partitions;
predict and spend equal the one-process answers; a bad partition is named.
SKIP (exit 77) when dask or distributed is not installed.

usage: test_python_dask.py CDNOW_CSV   (B2B2C_LIBRARY: the built library)"""
import csv
import os
import sys
import time
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(
    __file__)), "..", ".."))
PKG = os.path.join(ROOT, "examples", "python")
sys.path.insert(0, PKG)
# the workers are new processes: they find the package (and the library,
# B2B2C_LIBRARY) through the environment they inherit
os.environ["PYTHONPATH"] = PKG + os.pathsep + os.environ.get("PYTHONPATH", "")

try:
    import dask.dataframe as dd
    import distributed
    import numpy as np
    import pandas as pd
except ImportError as e:
    print("SKIP: b2b2c.dask needs dask and distributed (Debian: apt-get "
          "install python3-dask python3-distributed): %s" % e)
    sys.exit(77)

import b2b2c  # noqa: E402
import b2b2c.dask as bd  # noqa: E402

CDNOW = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(
    ROOT, "tests", "data", "forecast", "cdnow_summary.csv")
NSIM = int(os.environ.get("B2B2C_DASK_NSIM", "1000000"))
NPART = 16


def rel(a, b):
    return abs(a - b) / abs(b)


def cdnow():
    with open(CDNOW) as f:
        rows = list(csv.DictReader(f))
    return pd.DataFrame({
        "frequency": [float(r["frequency"]) for r in rows],
        "recency": [float(r["recency"]) for r in rows],
        "T": [float(r["T"]) for r in rows]})


def simulate(n, seed=19):
    """BG/NBD customers (Fader, Hardie & Lee 2005, section 3): lambda ~
    Gamma(r, 1/alpha), p ~ Beta(a, b); J, the repeat purchases up to the
    dropout, is geometric on 1, 2, ... (after each repeat purchase the
    customer drops with p); purchases are Poisson(lambda) over (0, T]; x =
    min(N(T), J) and t_x the x-th of the N sorted arrival times, a
    Beta(x, N - x + 1) fraction of T. T in whole days / 7 over 1..52 weeks.
    Gamma-Gamma spend (Fader & Hardie 2013): nu ~ Gamma(q, 1/v), the mean
    of x purchases ~ Gamma(p x, 1/(x nu))... drawn as Gamma(p x, 1) /
    (x nu)."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = 0.25, 4.0, 0.8, 2.5
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    T = rng.integers(7, 365, n, endpoint=True) / 7.0
    J = rng.geometric(p)
    N = rng.poisson(lam * T)
    x = np.minimum(N, J)
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1),
                                      np.maximum(N - x + 1, 1)), 0.0)
    tx = np.minimum(tx, T)
    gp, gq, gv = 6.0, 4.0, 15.0
    nu = rng.gamma(gq, 1.0 / gv, n)
    m = np.where(x > 0, rng.gamma(np.maximum(gp * x, 1e-9), 1.0) /
                 (np.maximum(x, 1) * nu), 0.0)
    return pd.DataFrame({"frequency": x.astype(float), "recency": tx,
                         "T": T, "monetary_value": m})


class DaskTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None)
        try:
            cls.client = distributed.Client(cls.cluster)
        except BaseException:
            cls.cluster.close()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.client.close()
        finally:
            cls.cluster.close()

    def check_fit(self, pdf, model, nparts, tol):
        cols = ["frequency", "monetary_value"] if model == b2b2c.FORECAST_GG \
            else ["frequency", "recency", "T"]
        t0 = time.perf_counter()
        if model == b2b2c.FORECAST_GG:
            one = b2b2c.forecast_gg_fit(pdf["frequency"].tolist(),
                                        pdf["monetary_value"].tolist())
        else:
            one = b2b2c.forecast_fit(model, pdf["frequency"].tolist(),
                                     pdf["recency"].tolist(),
                                     pdf["T"].tolist())
        t1 = time.perf_counter()
        ddf = dd.from_pandas(pdf[cols], npartitions=nparts)
        got = bd.fit(ddf, model)
        t2 = time.perf_counter()
        print("%s n=%d partitions=%d: one process %.2f s (%d it), cluster "
              "%.2f s (%d it, %.3f s per iteration)"
              % (b2b2c.forecast_param_name(model, -1), len(pdf), nparts,
                 t1 - t0, one.iterations, t2 - t1, got.iterations,
                 (t2 - t1) / max(got.iterations, 1)))
        self.assertEqual(got.status, one.status)
        for k, v in one.params.items():
            self.assertLessEqual(rel(got.params[k], v), tol,
                                 "%s: %r vs %r" % (k, got.params[k], v))
        self.assertLessEqual(rel(got.loglik, one.loglik), 1e-12)
        return got

    def test_cdnow_bgnbd(self):
        pdf = cdnow()
        self.check_fit(pdf, b2b2c.FORECAST_BGNBD, NPART, 1e-8)
        # one partition: bit for bit
        one = b2b2c.forecast_fit(b2b2c.FORECAST_BGNBD,
                                 pdf["frequency"].tolist(),
                                 pdf["recency"].tolist(), pdf["T"].tolist())
        got = bd.fit(dd.from_pandas(pdf, npartitions=1),
                     b2b2c.FORECAST_BGNBD)
        self.assertEqual(got.params, one.params)
        self.assertEqual(got.loglik, one.loglik)

    def test_cdnow_pnbd(self):
        # Pareto/NBD on CDNOW ends at the optimizer's rounding-level rule:
        # known to about 1e-7 (tests/unit/test_forecast_sum.c)
        self.check_fit(cdnow(), b2b2c.FORECAST_PNBD, NPART, 1e-7)

    def test_simulated(self):
        pdf = simulate(NSIM)
        got = self.check_fit(pdf, b2b2c.FORECAST_BGNBD, NPART, 1e-8)
        self.assertTrue(got.converged)
        print("simulated with r=0.25 alpha=4 a=0.8 b=2.5, fitted %r"
              % (got.params,))
        # Gamma-Gamma: p, q and v are nearly confounded (the data pin down
        # the mean spend p v / (q - 1) far better than each): the fit ends
        # inside its tolerance 1e-6 apart (2e-6 measured), its mean spend
        # to 6e-8 (measured), checked to 1e-5 and 1e-7
        gg = self.check_fit(pdf, b2b2c.FORECAST_GG, NPART, 1e-5).params
        one = b2b2c.forecast_gg_fit(pdf["frequency"].tolist(),
                                    pdf["monetary_value"].tolist()).params
        mean = lambda g: g["p"] * g["v"] / (g["q"] - 1)  # noqa: E731
        self.assertLessEqual(rel(mean(gg), mean(one)), 1e-7)

    def test_bgbb(self):
        # BG/BB (Fader, Hardie & Shang 2010, section 2): purchase and
        # dropout probabilities drawn per customer, 8 opportunities; the
        # fit ends at the rounding-level rule: known to about 1e-7
        rng = np.random.default_rng(7)
        n = 20000
        pb = rng.beta(1.2, 0.75, n)
        th = rng.beta(0.66, 2.8, n)
        x, tx = np.zeros(n), np.zeros(n)
        alive = np.ones(n, dtype=bool)
        for t in range(1, 9):
            buy = alive & (rng.random(n) < pb)
            x += buy
            tx[buy] = t
            alive &= rng.random(n) >= th
        pdf = pd.DataFrame({"frequency": x, "recency": tx,
                            "T": np.full(n, 8.0)})
        self.check_fit(pdf, b2b2c.FORECAST_BGBB, NPART, 1e-7)

    def test_predict_and_spend(self):
        pdf = cdnow()
        ddf = dd.from_pandas(pdf, npartitions=4)
        params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        out = bd.predict(ddf, b2b2c.FORECAST_BGNBD, params, 39.0).compute()
        want = b2b2c.forecast_predict(
            b2b2c.FORECAST_BGNBD, params, pdf["frequency"].tolist(),
            pdf["recency"].tolist(), pdf["T"].tolist(), 39.0)
        for col in ("expected", "p_alive", "p_any"):
            self.assertEqual(out[col].tolist(), want[col])
        pdf["monetary_value"] = [10.0 + (i % 37) if f > 0 else 0.0
                                 for i, f in enumerate(pdf["frequency"])]
        gg = [6.25, 3.74, 15.44]
        sp = bd.spend(dd.from_pandas(pdf, npartitions=4), gg).compute()
        self.assertEqual(sp["spend"].tolist(), list(b2b2c.forecast_gg_spend(
            gg, pdf["frequency"].tolist(), pdf["monetary_value"].tolist())))

    def test_customer_ids(self):
        pdf = cdnow()
        pdf.index = ["c%05d" % i for i in range(len(pdf))]
        ddf = dd.from_pandas(pdf, npartitions=4)  # sorted: known divisions
        one = bd.fit(ddf, b2b2c.FORECAST_BGNBD)
        self.assertEqual(bd.fit(ddf, b2b2c.FORECAST_BGNBD,
                                check_ids=True), one)
        # a customer with two summary rows (in the last partition)
        twice = pd.concat([pdf, pdf.iloc[[-1]]]).sort_index()
        with self.assertRaises(bd.PartitionError) as cm:
            bd.fit(dd.from_pandas(twice, npartitions=4),
                   b2b2c.FORECAST_BGNBD, check_ids=True)
        self.assertEqual(cm.exception.code, b2b2c.EEXISTS)
        self.assertEqual(cm.exception.partition, 3)
        self.assertIn(pdf.index[-1], str(cm.exception))
        with self.assertRaises(ValueError):
            bd.fit(ddf.clear_divisions(), b2b2c.FORECAST_BGNBD,
                   check_ids=True)

    def test_bad_partition_named(self):
        pdf = cdnow()
        ddf = dd.from_pandas(pdf, npartitions=4)
        bad = pdf.copy()
        k = ddf.divisions[2] + 5  # a row of partition 2
        bad.loc[k, "recency"] = bad.loc[k, "T"] + 1
        with self.assertRaises(bd.PartitionError) as cm:
            bd.fit(dd.from_pandas(bad, npartitions=4), b2b2c.FORECAST_BGNBD)
        self.assertEqual(cm.exception.partition, 2)
        self.assertEqual(cm.exception.code, b2b2c.ERANGE)
        self.assertIn("partition 2", str(cm.exception))
        # a worker that raises (a column of strings) is named too
        worse = pdf.copy()
        worse["T"] = worse["T"].astype(object)
        worse.loc[k, "T"] = "soon"
        with self.assertRaises(bd.PartitionError) as cm:
            bd.fit(dd.from_pandas(worse, npartitions=4),
                   b2b2c.FORECAST_BGNBD)
        self.assertEqual(cm.exception.partition, 2)
        self.assertIsNone(cm.exception.code)


if __name__ == "__main__":
    unittest.main(verbosity=2)
