# SPDX-License-Identifier: MIT
"""b2b2c.dask on a LocalCluster of 2 worker processes (loopback only): the
distributed fits equal the one-process fits (forecast_fit / _gg_fit) on the
CDNOW sample and on 1,000,000 simulated BG/NBD customers in 16 partitions;
predict and spend equal the one-process answers; a bad partition is named.
SKIP (exit 77) when dask or distributed is not installed.

usage: test_python_dask.py CDNOW_CSV   (B2B2C_LIBRARY: the built library)"""
import csv
import os
import pickle
import sys
import time
import unittest
from unittest import mock

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(
    __file__)), "..", ".."))
PKG = os.path.join(ROOT, "examples", "python")
sys.path.insert(0, PKG)
# the workers are new processes: they find the package (and the library,
# B2B2C_LIBRARY) through the environment they inherit
os.environ["PYTHONPATH"] = PKG + os.pathsep + os.environ.get("PYTHONPATH", "")

try:
    import dask
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
        # a task whose worker dies is not retried on another worker
        # (test_worker_dies): the scheduler runs in this process
        dask.config.set({"distributed.scheduler.allowed-failures": 0})
        cls.cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address="127.0.0.1:0",
            worker_dashboard_address="127.0.0.1:0")
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
              "%.2f s (%d it, %.3f s per iteration), parameters %.1e apart"
              % (b2b2c.forecast_param_name(model, -1), len(pdf), nparts,
                 t1 - t0, one.iterations, t2 - t1, got.iterations,
                 (t2 - t1) / max(got.iterations, 1),
                 max(rel(got.params[k], v) for k, v in one.params.items())))
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
        # prepared once, fitted twice: the same answer as fit() on the
        # DataFrame; about 1.4 evaluations per iteration and the polish
        ddf = dd.from_pandas(pdf, npartitions=NPART)
        data = bd.prepare(ddf, b2b2c.FORECAST_BGNBD)
        a = bd.fit(data, b2b2c.FORECAST_BGNBD)
        self.assertEqual(a, bd.fit(ddf, b2b2c.FORECAST_BGNBD))
        self.assertGreater(data.evaluations, a.iterations)
        self.assertEqual(bd.fit(data, b2b2c.FORECAST_BGNBD), a)
        with self.assertRaises(ValueError):
            bd.fit(data, b2b2c.FORECAST_PNBD)

    def test_cdnow_pnbd(self):
        # both fits end with the Newton polish (optim.c): the optimum
        # itself, not anywhere inside BFGS's tolerance
        self.check_fit(cdnow(), b2b2c.FORECAST_PNBD, NPART, 1e-8)

    def test_simulated(self):
        pdf = simulate(NSIM)
        got = self.check_fit(pdf, b2b2c.FORECAST_BGNBD, NPART, 1e-8)
        self.assertTrue(got.converged)
        print("simulated with r=0.25 alpha=4 a=0.8 b=2.5, fitted %r"
              % (got.params,))
        # Gamma-Gamma: p, q and v are nearly confounded (the data pin down
        # the mean spend p v / (q - 1) far better than each), a flat
        # objective where BFGS alone ended 2e-6 apart; polished, 1e-8
        self.check_fit(pdf, b2b2c.FORECAST_GG, NPART, 1e-8)

    def test_bgbb(self):
        # BG/BB (Fader, Hardie & Shang 2010, section 2): purchase and
        # dropout probabilities drawn per customer, 8 opportunities
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
        self.check_fit(pdf, b2b2c.FORECAST_BGBB, NPART, 1e-8)

    def test_merge_partition(self):
        # a partition's distinct rows with weights give its sums bit for
        # bit (the library merges the same rows in the same order), with
        # and without whole-number weights, for the four models
        pdf = simulate(20000, seed=3)
        pdf["weight"] = (np.arange(len(pdf)) % 3).astype(float)  # some 0
        pdf["monetary_value"] = np.round(pdf["monetary_value"], 1)
        at = {b2b2c.FORECAST_BGNBD: [0.25, 4.0, 0.8, 2.5],
              b2b2c.FORECAST_PNBD: [0.5, 9.0, 0.6, 11.0],
              b2b2c.FORECAST_GG: [6.0, 4.0, 15.0]}
        x6 = np.minimum(pdf["frequency"], 6)
        bgbb = pd.DataFrame({"frequency": x6,
                             "recency": np.where(x6 > 0, 6.0, 0.0),
                             "T": np.full(len(pdf), 8.0),
                             "weight": pdf["weight"]})
        cases = [(m, pdf, p) for m, p in at.items()] + \
            [(b2b2c.FORECAST_BGBB, bgbb, [1.2, 0.75, 0.66, 2.8])]
        for model, data, params in cases:
            for weight in (None, "weight"):
                cols = bd._cols(model, "frequency", "recency", "T",
                                "monetary_value", weight)
                m = bd.merge_partition(data, model, cols)
                self.assertLess(len(m), len(data))
                mcols = ["x", "tx", None if model == b2b2c.FORECAST_GG
                         else "T", "w"]
                raw = bd.partition_sums(data, model, params, cols)
                got = bd.partition_sums(m, model, params, mcols)
                self.assertEqual(raw[0], 0, raw[-1])
                self.assertEqual(got, raw, (model, weight))
                # what fit() keeps: the library's rows built from it
                mp = bd.MergedPartition(model, m)
                self.assertEqual(mp.sums(params), raw)
                self.assertEqual(mp.sums(params), raw)  # built once
                self.assertEqual(pickle.loads(pickle.dumps(mp)).sums(
                    params), raw)

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

    @staticmethod
    def transactions(n=3000, seed=5):
        """Raw purchases of n BG/NBD customers (Fader, Hardie & Lee 2005,
        section 3: exponential inter-purchase times of rate lambda ~
        Gamma(0.6, 1/30 per day), a dropout with p ~ Beta(1, 3) after each
        purchase) over 2024, first purchases over the first 200 days,
        every fourth repeat purchase doubled on its day (two purchases
        merge into one transaction); amounts Gamma(6, 1/nu), nu ~ Gamma(4,
        1/15) per customer (Fader & Hardie 2013), rounded to whole euros
        so that every total is exact; rows in random order."""
        rng = np.random.default_rng(seed)
        t0 = 1704067200  # 2024-01-01 UTC
        rows = []
        for c in range(n):
            lam = rng.gamma(0.6, 1.0 / 30.0)
            p = rng.beta(1.0, 3.0)
            nu = rng.gamma(4.0, 1.0 / 15.0)
            t = t0 + int(rng.integers(0, 200 * 86400))
            k = 0
            while t < t0 + 366 * 86400:
                rows.append(("c%05d" % c, t,
                             float(round(1 + rng.gamma(6.0, 1.0 / nu)))))
                if k % 4 == 3:
                    rows.append(("c%05d" % c, t + 60, 7.0))
                k += 1
                if rng.random() < p:
                    break
                t += int(rng.exponential(1.0 / lam) * 86400) + 1
        pdf = pd.DataFrame(rows, columns=["customer", "time", "amount"])
        return pdf.sample(frac=1.0, random_state=1).reset_index(drop=True)

    def test_transactions(self):
        pdf = self.transactions()
        end = 1704067200 + 250 * 86400
        with b2b2c.Forecaster(b2b2c.Context()) as f:
            for c, t, a in pdf.itertuples(index=False):
                f.add_purchase(c, "b2c_consumer", t, a, 0)
            want = f.summaries(end)
        # indexed by the customer with known divisions: no split possible
        ddf = dd.from_pandas(pdf.set_index("customer"), npartitions=6)
        got = bd.summaries(ddf, end).compute().sort_index()
        self.assertEqual(list(got.index), [s.customer_id for s in want])
        for col in ("frequency", "recency", "T", "monetary_value"):
            self.assertEqual(got[col].tolist(),
                             [getattr(s, col) for s in want], col)
        one = b2b2c.forecast_fit(b2b2c.FORECAST_BGNBD,
                                 [s.frequency for s in want],
                                 [s.recency for s in want],
                                 [s.T for s in want])
        # the summaries are the library's bit for bit, so the fit equals
        # exactly the fit of the library's summaries in the same
        # partitions, and the one-process fit to 1e-8 in the parameters
        # (both polished to the optimum), the log-likelihood to 1e-12
        # (docs/scaling.md)
        fit = bd.fit_transactions(ddf, b2b2c.FORECAST_BGNBD, end)
        lib_s = pd.DataFrame(
            {"frequency": [s.frequency for s in want],
             "recency": [s.recency for s in want],
             "T": [s.T for s in want]},
            index=pd.Index([s.customer_id for s in want], name="customer"))
        same = dd.from_pandas(lib_s, npartitions=1).repartition(
            divisions=ddf.divisions)
        self.assertEqual(bd.fit(same, b2b2c.FORECAST_BGNBD), fit)
        self.assertEqual(fit.status, one.status)
        self.assertLessEqual(rel(fit.loglik, one.loglik), 1e-12)
        for k, v in one.params.items():
            self.assertLessEqual(rel(fit.params[k], v), 1e-8, k)
        # unsorted rows in 4 partitions split customers: detected, the
        # two partitions named; shuffle=True moves them together first
        # (checked on Gamma-Gamma, whose fit is the shorter)
        flat = dd.from_pandas(pdf, npartitions=4, sort=False)
        with self.assertRaises(bd.SplitCustomerError) as cm:
            bd.fit_transactions(flat, b2b2c.FORECAST_BGNBD, end)
        e = cm.exception
        self.assertEqual(e.code, b2b2c.EEXISTS)
        self.assertNotEqual(e.partition, e.other)
        mine = set(flat.get_partition(e.partition).compute()["customer"])
        other = set(flat.get_partition(e.other).compute()["customer"])
        self.assertIn(e.customer, mine & other)
        self.assertIn("partition %d" % e.other, str(e))
        gg = bd.fit_transactions(flat, b2b2c.FORECAST_GG, end, shuffle=True)
        want_gg = b2b2c.forecast_gg_fit([s.frequency for s in want],
                                        [s.monetary_value for s in want])
        for k, v in want_gg.params.items():
            self.assertLessEqual(rel(gg.params[k], v), 1e-8, k)

    def test_markov(self):
        # 5,000 random paths over 9 channels (the engine adds them in an
        # order that is not the IDs' order), some repeated on a path, some
        # converting; the engine's Markov removal effects against
        # b2b2c.dask.markov over 8 partitions
        rng = np.random.default_rng(11)
        order = ["tv", "search", "display", "email", "webinar", "dealer",
                 "seo", "marketplace", "outreach"]
        t0 = 1704067200
        paths, conv = [], []
        ctx = b2b2c.Context()
        with b2b2c.Channels(ctx) as ch:
            for c in order:
                ch.add(c, b2b2c.CHANNEL_KIND_REACH)
            for i in range(5000):
                k = 1 + rng.poisson(1.5)
                p = [order[j] for j in rng.integers(0, len(order), k)]
                cv = bool(rng.random() < 0.1 + 0.08 * p.count("webinar"))
                for j, c in enumerate(p):
                    ch.touch("l%d" % i, c, t0 + 3600 * j)
                if cv:
                    ch.convert("l%d" % i, t0 + 3600 * k, 1.0)
                paths.append(p if i % 2 else ">".join(p))
                conv.append(cv)
            want = ch.markov_effects(t0, t0 + 86400 * 30)
        ctx.close()
        pdf = pd.DataFrame({"path": paths, "converted": conv})
        ddf = dd.from_pandas(pdf, npartitions=8)
        got = bd.markov(ddf, channels=order)
        self.assertEqual(got, want)  # exactly: integer counts, one code path
        # one partition, or any other partitioning: the same counts
        self.assertEqual(bd.markov(dd.from_pandas(pdf, npartitions=1),
                                   channels=order), want)
        # channels found by a pass (sorted): another numbering, the same
        # chain; equal to rounding
        p2, rows = bd.markov(ddf)
        self.assertEqual([r[0] for r in rows], sorted(order))
        self.assertLessEqual(rel(p2, want[0]), 1e-12)
        byid = {r[0]: r for r in want[1]}
        for c, re, sh in rows:
            self.assertLessEqual(abs(re - byid[c][1]), 1e-12)
            self.assertLessEqual(abs(sh - byid[c][2]), 1e-12)
        # a channel that is not listed is named with its partition
        with self.assertRaises(bd.PartitionError) as cm:
            bd.markov(ddf, channels=order[:-1])
        self.assertEqual(cm.exception.code, b2b2c.EINVAL)
        self.assertIn("outreach", str(cm.exception))
        div = ddf.divisions  # partition k: rows div[k] .. div[k + 1] - 1
        first = min(k for k in range(8) if any(
            "outreach" in (p if isinstance(p, str) else ">".join(p))
            for p in pdf["path"].iloc[div[k]:div[k + 1] + (k == 7)]))
        self.assertEqual(cm.exception.partition, first)

    def test_lead_refit(self):
        # 2,000 leads with events at their outcome time (undecayed counts
        # and values), trained and refitted by a LeadModel; the same
        # training rows in a DataFrame (attribute numbers as the engine
        # interns them: first seen, per channel / region / product line)
        # refitted by b2b2c.dask.lead_fit over 4 partitions: the engine's
        # P(won) of every lead to 1e-8
        rng = np.random.default_rng(3)
        t0 = 1767225600
        chans = ["search", "display", "fair", "dealer"]
        regions = ["north", "south", "east"]
        kinds = [b2b2c.LEAD_EV_SITE_VISIT, b2b2c.LEAD_EV_EMAIL_CLICK,
                 b2b2c.LEAD_EV_WEBINAR_ATTEND, b2b2c.LEAD_EV_QUOTE_REQUEST]
        nkinds = b2b2c.LEAD_EV_BUILTIN_COUNT
        interned, rows, ids, names = {}, [], [], []

        def num(attr, v):
            if v is None:
                return 0
            return interned.setdefault((attr, v), len(interned) + 1)
        ctx = b2b2c.Context()
        lm = b2b2c.LeadModel(ctx)
        te = t0 + 86400
        for i in range(2000):
            lid = "l%d" % i
            seg = int(rng.integers(0, 6))
            ch = chans[int(rng.integers(0, 4))]
            rg = regions[int(rng.integers(0, 3))] if i % 4 else None
            pl = "p%d" % rng.integers(0, 3) if i % 3 else None
            lm.add(lid, t0, seg, ch, rg, pl)
            row = {"label": 0, "segment": seg, "channel": num(1, ch),
                   "region": num(2, rg), "product_line": num(3, pl)}
            names.append((ch, rg, pl))
            z = -1.0 + 0.4 * (ch == "fair") + 0.3 * (seg == 3)
            for k in range(nkinds):
                row["c%d" % k] = row["v%d" % k] = 0.0
            for k in kinds:
                n = int(rng.poisson(1.0))
                for _ in range(n):
                    v = float(rng.integers(0, 3))
                    lm.event(lid, k, te, v)
                    row["c%d" % k] += 1
                    row["v%d" % k] += v
                z += 0.3 * n * (k == kinds[2])
            won = bool(rng.random() < 1 / (1 + np.exp(-z)))
            lm.outcome(lid, won, te)
            row["label"] = int(won)
            rows.append(row)
            ids.append(lid)
        one = lm.refit()
        want = [lm.probability(lid, te) for lid in ids]
        pdf = pd.DataFrame(rows)
        kc = [("c%d" % k, "v%d" % k) for k in range(nkinds)]
        got = bd.lead_fit(dd.from_pandas(pdf, npartitions=4), kc)
        self.assertTrue(got.converged)
        self.assertEqual(got.status, one.status)
        w = got.weights
        nattrs = len(interned)
        self.assertEqual(len(w), b2b2c.lead_dim(nattrs, nkinds))

        def prob(r):
            z = w[0] + w[1 + r["segment"]]
            for c in ("channel", "region", "product_line"):
                if r[c]:
                    z += w[6 + r[c]]
            for k in range(nkinds):
                j = 7 + nattrs + 2 * k
                z += (w[j] * np.log1p(r["c%d" % k]) +
                      w[j + 1] * np.log1p(r["v%d" % k]))
            return 1 / (1 + np.exp(-z))
        worst = max(abs(prob(r) - p) for r, p in zip(rows, want))
        print("lead refit over 4 partitions: %d passes (engine %d), "
              "largest P(won) difference %.3g" % (got.passes, one.passes,
                                                  worst))
        self.assertLessEqual(worst, 1e-8)
        self.assertIsNone(got.attributes)

        # the same rows with the attributes' names: numbered as the engine
        # interned them, the same weights bit for bit
        roles = {1: "channel", 2: "region", 3: "product_line"}
        named = pdf.copy()
        for j, role in enumerate(("channel", "region", "product_line")):
            named[role] = [n[j] for n in names]
        order = [(roles[a], v) for a, v in interned]  # number order
        ndd = dd.from_pandas(named, npartitions=4)
        same = bd.lead_fit(ndd, kc, attributes=order)
        self.assertEqual(same.weights, got.weights)
        self.assertEqual(same.attributes, order)
        # numbered by the module (role by role, sorted): the engine's
        # P(won) of every lead to 1e-8 through that numbering
        auto = bd.lead_fit(ndd, kc)
        num_of = {a: i + 1 for i, a in enumerate(auto.attributes)}
        self.assertEqual(sorted(auto.attributes), sorted(order))
        w = auto.weights
        worst = 0.0
        for r, n, p in zip(rows, names, want):
            z = w[0] + w[1 + r["segment"]]
            for role, v in zip(("channel", "region", "product_line"), n):
                if v is not None:
                    z += w[6 + num_of[(role, v)]]
            for k in range(nkinds):
                j = 7 + nattrs + 2 * k
                z += (w[j] * np.log1p(r["c%d" % k]) +
                      w[j + 1] * np.log1p(r["v%d" % k]))
            worst = max(worst, abs(1 / (1 + np.exp(-z)) - p))
        self.assertLessEqual(worst, 1e-8)
        # a name outside the numbering given: the partition named
        with self.assertRaises(bd.PartitionError) as cm:
            bd.lead_fit(ndd, kc, attributes=[a for a in order
                                             if a != ("channel", "fair")])
        self.assertEqual(cm.exception.code, b2b2c.EINVAL)
        self.assertIn("'fair'", str(cm.exception))
        with self.assertRaises(ValueError):
            bd.lead_fit(ndd, kc, attributes=[("colour", "red")])
        lm.close()
        ctx.close()

    def test_nonfinite_sum(self):
        # a worker whose sum is NaN (partition 2 of 4; the worker-side
        # function is replaced for this fit only and shipped to the
        # workers by value): the fit fails naming it, never a silent
        # partial fit
        pdf = cdnow()
        ddf = dd.from_pandas(pdf, npartitions=4)
        # the fit sees each partition's distinct rows, its first row first:
        # partition 2 is the one that starts with its first row's values
        firsts = [tuple(ddf.get_partition(k).compute().iloc[0])
                  for k in range(4)]
        mark = firsts[2]
        self.assertEqual(firsts.count(mark), 1)

        def nan_sums(part, model, params, cols):
            # in the worker, whose b2b2c.dask is not patched
            import b2b2c.dask
            r = b2b2c.dask.partition_sums(part, model, params, cols)
            f = part.frame  # a MergedPartition
            if len(f) and tuple(f.iloc[0][["x", "tx", "T"]]) == mark:
                return (r[0], float("nan"), r[2], r[3])
            return r
        with mock.patch.object(bd, "partition_sums", nan_sums):
            with self.assertRaises(bd.PartitionError) as cm:
                bd.fit(ddf, b2b2c.FORECAST_BGNBD)
        self.assertEqual(cm.exception.partition, 2)
        self.assertEqual(cm.exception.code, b2b2c.ERANGE)
        self.assertIn("non-finite", str(cm.exception))

    def test_worker_dies(self):
        # the worker holding partition 1 dies while computing its moments
        # (os._exit, as a crash or the OOM killer would): KilledWorker in
        # the scheduler, PartitionError naming partition 1 here; the
        # cluster replaces the worker and works again
        pdf = cdnow()
        ddf = dd.from_pandas(pdf, npartitions=4)
        mark = ddf.divisions[1]

        def dying(part, *args):
            import b2b2c.dask
            if mark in part.index:
                os._exit(3)
            return b2b2c.dask.partition_moments(part, *args)
        with mock.patch.object(bd, "partition_moments", dying):
            with self.assertRaises(bd.PartitionError) as cm:
                bd.fit(ddf, b2b2c.FORECAST_BGNBD)
        self.assertEqual(cm.exception.partition, 1)
        self.assertIsNone(cm.exception.code)
        self.assertIn("KilledWorker", str(cm.exception))
        self.client.wait_for_workers(2, timeout=60)
        params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
        out = bd.predict(ddf, b2b2c.FORECAST_BGNBD, params, 39.0).compute()
        self.assertEqual(out["p_alive"].tolist(), b2b2c.forecast_predict(
            b2b2c.FORECAST_BGNBD, params, pdf["frequency"].tolist(),
            pdf["recency"].tolist(), pdf["T"].tolist(), 39.0)["p_alive"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
