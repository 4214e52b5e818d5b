# SPDX-License-Identifier: MIT
"""The Python (ctypes) binding against the built shared library: the
forecast functions, the forecaster and channel analytics (the other
engines: test_python.py)."""
import math
import os
import random
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# B2B2C_TEST_INSTALLED=1: the installed package (.ci/run), not the tree's
if os.environ.get("B2B2C_TEST_INSTALLED") != "1":
    sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402

DAY = 86400
T0 = 1767225600  # 2026-01-01


class EngineTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()

    def tearDown(self):
        self.ctx.close()

    def assertError(self, code, fn, *args, **kw):
        with self.assertRaises(b2b2c.Error) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.code, code, cm.exception)
        return cm.exception


def _simulate_bgnbd(n, r=0.5, alpha=2.0, a=0.6, b=2.5, seed=7):
    """Customers from the BG/NBD story (Fader, Hardie & Lee 2005)."""
    rng = random.Random(seed)
    x, tx, T = [], [], []
    for _ in range(n):
        lam = rng.gammavariate(r, 1.0 / alpha)
        p = rng.betavariate(a, b)
        age = rng.uniform(20.0, 40.0)
        t, k, last = 0.0, 0, 0.0
        while True:
            t += rng.expovariate(lam) if lam > 0 else age + 1
            if t > age:
                break
            k, last = k + 1, t
            if rng.random() < p:
                break
        x.append(float(k))
        tx.append(last)
        T.append(age)
    return x, tx, T


def _add_log(f):
    """60 customers with 1..6 purchases three weeks apart."""
    rng = random.Random(5)
    for c in range(60):
        k = rng.randint(1, 6)
        for j in range(k):
            f.add_purchase("c%02d" % c, "b2c_consumer",
                           T0 + (c % 20) * DAY + j * 21 * DAY, 100.0 + c)


class ForecastTest(EngineTest):
    def test_bgnbd_fit_and_predict(self):
        x, tx, T = _simulate_bgnbd(400)
        fit = b2b2c.forecast_fit(b2b2c.FORECAST_BGNBD, x, tx, T,
                                 ctx=self.ctx)
        self.assertEqual(list(fit.params), ["r", "alpha", "a", "b"])
        self.assertTrue(all(v > 0 and math.isfinite(v)
                            for v in fit.params.values()))
        ll, grad = b2b2c.forecast_loglik(b2b2c.FORECAST_BGNBD, fit.params,
                                         x, tx, T)
        self.assertAlmostEqual(ll, fit.loglik, places=6)
        self.assertEqual(len(grad), 4)
        se, cov = b2b2c.forecast_stderr(b2b2c.FORECAST_BGNBD, fit.params,
                                        x, tx, T)
        self.assertEqual(len(se), 4)
        self.assertEqual(len(cov), 4)
        for i in range(4):
            self.assertTrue(se[i] > 0 and math.isfinite(se[i]))
            self.assertAlmostEqual(cov[i][i], se[i] ** 2, places=12)
        with self.assertRaises(b2b2c.Error) as e:
            b2b2c.forecast_stderr(b2b2c.FORECAST_BGNBD, [50, 0.01, 50, 0.01],
                                  x, tx, T)
        self.assertEqual(e.exception.code, b2b2c.ENOTREADY)
        pred = b2b2c.forecast_predict(b2b2c.FORECAST_BGNBD, fit.params, x,
                                      tx, T, 10.0)
        for key in ("expected", "p_alive", "p_any"):
            self.assertEqual(len(pred[key]), len(x))
            self.assertTrue(all(math.isfinite(v) for v in pred[key]))
        self.assertTrue(all(0.0 <= p <= 1.0 for p in pred["p_alive"]))
        self.assertTrue(all(0.0 <= p <= 1.0 for p in pred["p_any"]))
        counts = b2b2c.forecast_frequency_counts(b2b2c.FORECAST_BGNBD,
                                                 fit.params, T, nout=50)
        self.assertLessEqual(sum(counts), len(x) + 1e-6)
        self.assertGreaterEqual(sum(counts), 0.95 * len(x))
        pop = b2b2c.forecast_population_expected(b2b2c.FORECAST_BGNBD,
                                                 fit.params, [1.0, 10.0])
        self.assertLess(pop[0], pop[1])
        clv = b2b2c.forecast_clv(b2b2c.FORECAST_BGNBD, fit.params, x[:5],
                                 tx[:5], T[:5], [100.0] * 5, 52, 0.01, 0.3)
        self.assertTrue(all(v >= 0 for v in clv))

    def test_gamma_gamma(self):
        rng = random.Random(3)
        x = [float(rng.randint(1, 6)) for _ in range(200)]
        m = [rng.gammavariate(4.0, 25.0) for _ in x]
        fit = b2b2c.forecast_gg_fit(x, m)
        self.assertEqual(list(fit.params), ["p", "q", "v"])
        ll, _ = b2b2c.forecast_gg_loglik(fit.params, x, m)
        self.assertAlmostEqual(ll, fit.loglik, places=6)
        se, cov = b2b2c.forecast_gg_stderr(fit.params, x, m)
        self.assertEqual((len(se), len(cov)), (3, 3))
        self.assertTrue(all(v > 0 and math.isfinite(v) for v in se))
        spend = b2b2c.forecast_gg_spend(fit.params, x[:3], m[:3])
        self.assertTrue(all(v > 0 for v in spend))

    def test_fit_status(self):
        x, tx, T = _simulate_bgnbd(400)
        fit = b2b2c.forecast_fit(b2b2c.FORECAST_BGNBD, x, tx, T)
        self.assertEqual(fit.status, "converged")
        self.assertTrue(fit.converged)
        fit = b2b2c.forecast_fit(b2b2c.FORECAST_BGNBD, x, tx, T, max_iter=2)
        self.assertEqual((fit.iterations, fit.status, fit.converged),
                         (2, "max_iter", False))
        # everyone spends the same: Gamma-Gamma has no finite maximum
        fit = b2b2c.forecast_gg_fit([1.0, 2.0, 3.0] * 50, [40.0] * 150)
        self.assertEqual(fit.status, "boundary")
        self.assertFalse(fit.converged)
        self.assertEqual(b2b2c.fit_status_name(b2b2c.FIT_BOUNDARY),
                         "boundary")
        self.assertError(b2b2c.ERANGE, b2b2c.forecast_fit,
                         b2b2c.FORECAST_BGNBD, x, tx, T, max_iter=-1)

    def test_fit_sum(self):
        x, tx, T = _simulate_bgnbd(400)
        m = b2b2c.FORECAST_BGNBD
        one = b2b2c.forecast_fit(m, x, tx, T)
        halves = [(x[:150], tx[:150], T[:150]), (x[150:], tx[150:], T[150:])]

        def total(parts):
            def sum_fn(p):
                ll, g = 0.0, [0.0] * len(p)
                for px, ptx, pT in parts:
                    a, b = b2b2c.forecast_loglik(m, p, px, ptx, pT)
                    ll += a
                    g = [u + v for u, v in zip(g, b)]
                return ll, g
            mom = [sum(v) for v in zip(*(b2b2c.forecast_moments(m, *q)
                                         for q in parts))]
            return sum_fn, mom
        # one partition: bit for bit; two: the same optimum to 1e-8 (both
        # fits end with the Newton polish; docs/scaling.md)
        got = b2b2c.forecast_fit_sum(m, *total([(x, tx, T)]))
        self.assertEqual(got, one)
        got = b2b2c.forecast_fit_sum(m, *total(halves))
        for k, v in one.params.items():
            self.assertLess(abs(got.params[k] - v), 1e-8 * v)
        # the host's exception comes back as it was
        def boom(p):
            raise KeyError("worker 3")
        with self.assertRaises(KeyError):
            b2b2c.forecast_fit_sum(m, boom, total(halves)[1])
        self.assertError(b2b2c.ENODATA, b2b2c.forecast_fit_sum, m,
                         total(halves)[0], [0.0, 0.0, 0.0])
        self.assertEqual(b2b2c.forecast_moments(m, [], [], []),
                         (0.0, 0.0, 0.0))
        gm = b2b2c.forecast_gg_moments([0.0, 2.0, 3.0], [0.0, 10.0, 20.0])
        self.assertEqual(gm, (2.0, 5.0, 30.0))

    def test_forecast_rows(self):
        # rows merged once give forecast_loglik's sums bit for bit, at
        # several points, for a purchase model and Gamma-Gamma
        x, tx, T = _simulate_bgnbd(400)
        m = b2b2c.FORECAST_BGNBD
        w = [float(i % 3) for i in range(len(x))]
        rows = b2b2c.ForecastRows(self.ctx, m, x + x, tx + tx, T + T,
                                  w + w)
        self.assertLess(len(rows), 400)  # the copies merged
        for p in ([0.25, 4.0, 0.8, 2.5], [1.0, 9.0, 0.3, 1.1]):
            self.assertEqual(rows.loglik(p), b2b2c.forecast_loglik(
                m, p, x + x, tx + tx, T + T, w + w))
        mv = [10.0 + i % 7 if f > 0 else 0.0 for i, f in enumerate(x)]
        with b2b2c.ForecastRows(self.ctx, b2b2c.FORECAST_GG, x, mv) as g:
            self.assertEqual(g.loglik([6.0, 4.0, 15.0]),
                             b2b2c.forecast_gg_loglik([6.0, 4.0, 15.0], x,
                                                      mv))
        # errors name the argument or the row; nothing is made
        self.assertError(b2b2c.ERANGE, b2b2c.ForecastRows, self.ctx, m,
                         [1.0], [3.0], [2.0])
        self.assertError(b2b2c.ENODATA, b2b2c.ForecastRows, self.ctx, m,
                         [1.0], [1.0], [2.0], [0.0])
        self.assertError(b2b2c.EINVAL, b2b2c.ForecastRows, self.ctx, 9,
                         [1.0], [1.0], [2.0])
        self.assertError(b2b2c.ERANGE, rows.loglik, [0.25, -4.0, 0.8, 2.5])
        self.assertError(b2b2c.EINVAL, rows.loglik, [0.25, 4.0])
        rows.close()
        self.assertError(b2b2c.EINVAL, rows.loglik, [0.25, 4.0, 0.8, 2.5])

    def test_progress_handler(self):
        x, tx, T = _simulate_bgnbd(400)
        calls = []

        def stop():
            calls.append(1)
            return len(calls) >= 2
        self.ctx.set_progress_handler(1, stop)
        e = self.assertError(b2b2c.EINTERRUPTED, b2b2c.forecast_fit,
                             b2b2c.FORECAST_BGNBD, x, tx, T, ctx=self.ctx)
        self.assertIn("progress handler", e.message)
        self.assertEqual(len(calls), 2)
        self.ctx.set_progress_handler(1, None)
        fit = b2b2c.forecast_fit(b2b2c.FORECAST_BGNBD, x, tx, T,
                                 ctx=self.ctx)
        self.assertEqual(len(calls), 2)
        self.assertTrue(fit.converged)
        self.assertError(b2b2c.ERANGE, self.ctx.set_progress_handler, 0,
                         stop)

    def test_errors(self):
        e = self.assertError(b2b2c.ENODATA, b2b2c.forecast_fit,
                             b2b2c.FORECAST_BGNBD, [0.0, 0.0], [0.0, 0.0],
                             [5.0, 6.0])
        self.assertTrue(e.message)
        e = self.assertError(b2b2c.ERANGE, b2b2c.forecast_fit,
                             b2b2c.FORECAST_BGNBD, [1.0, 2.0], [3.0, 9.0],
                             [5.0, 6.0])
        self.assertIn("recency[1]", e.message)
        self.assertError(b2b2c.EINVAL, b2b2c.forecast_fit,
                         b2b2c.FORECAST_BGNBD, [1.0], [1.0, 2.0], [5.0])
        self.assertEqual(b2b2c.forecast_param_name(b2b2c.FORECAST_PNBD, -1),
                         "pnbd")

    def test_list_customers(self):
        with b2b2c.Forecaster(self.ctx) as f:
            f.add_purchase("c2", "b2c_consumer", T0 + DAY, 10.0, 0)
            f.add_purchase("c2", "b2c_consumer", T0, 10.0, 0)
            f.add_purchase("c1", "b2b_large", T0, 10.0, 0)
            self.assertEqual(f.list_customers(),
                             [b2b2c.CustomerItem(
                                 "c1", b2b2c.SEGMENT_B2B_LARGE, T0, T0, 1),
                              b2b2c.CustomerItem(
                                  "c2", b2b2c.SEGMENT_B2C_CONSUMER, T0,
                                  T0 + DAY, 2)])
            self.assertEqual([c.customer_id for c in
                              f.list_customers("b2c_consumer")], ["c2"])

    def test_forecaster(self):
        with b2b2c.Forecaster(self.ctx) as f:
            _add_log(f)
            f.add_purchase("c00", "b2c_consumer", T0 + DAY, 40.0,
                           b2b2c.FORECAST_KIND_INSTALL)
            end = T0 + 200 * DAY
            f.fit(end)
            fp = f.fit_params()
            self.assertEqual(list(fp["params"]), ["r", "alpha", "a", "b"])
            # the names follow the stored fit, not the current setting
            f.set_param(b2b2c.FORECASTER_MODEL, b2b2c.FORECAST_PNBD)
            fp = f.fit_params()
            self.assertEqual(fp["model"], b2b2c.FORECAST_BGNBD)
            src, mean = f.spend_source()
            self.assertEqual(src, b2b2c.SPEND_GAMMA_GAMMA)
            self.assertTrue(mean > 100.0)
            self.assertEqual(list(fp["params"]), ["r", "alpha", "a", "b"])
            f.set_param(b2b2c.FORECASTER_MODEL, b2b2c.FORECAST_BGNBD)
            ans = f.customer("c05", end, 12)
            self.assertTrue(0.0 <= ans["p_alive"] <= 1.0)
            self.assertTrue(all(math.isfinite(v) for v in ans.values()))
            self.assertEqual(len(f.summaries(end)), 60)
            # the calibration window: everyone started on or after T0 ...
            self.assertEqual(len(f.summaries(end, calibration_start=T0)), 60)
            self.assertTrue(f.fit(end, calibration_start=T0) in (True, False))
            # ... but not after T0 + 5 days
            e = self.assertError(b2b2c.ERANGE, f.fit, end,
                                 calibration_start=T0 + 5 * DAY)
            self.assertIn("before the calibration start", e.message)
            attach, mean = f.service_stats(b2b2c.FORECAST_KIND_INSTALL)
            self.assertGreater(attach, 0.0)
            self.assertEqual(mean, 40.0)
            self.assertEqual(f.kind_name(f.add_kind("audit")), "audit")
            e = self.assertError(b2b2c.EBADID, f.add_purchase, "", 5, T0, 1)
            self.assertIn("customer", e.message)
            self.assertError(b2b2c.ENOTFOUND, f.customer, "nobody", end, 12)
            # the time range and amounts
            e = self.assertError(b2b2c.ERANGE, f.add_purchase, "c01", 5,
                                 b2b2c.TIME_MIN - 1, 1.0)
            self.assertIn("time range", e.message)
            self.assertError(b2b2c.ERANGE, f.add_purchase, "c01", 5, T0,
                             b2b2c.AMOUNT_MAX * 2)
            f.remove_customer("c01")
            self.assertEqual(len(f.summaries(end)), 59)
            self.assertError(b2b2c.ENOTFOUND, f.remove_customer, "c01")

    def test_fold(self):
        with b2b2c.Forecaster(self.ctx) as f:
            for i in range(5):
                f.add_purchase("c1", "b2c_consumer", T0 + i * 200 * DAY,
                               10.0 + i)
            end = T0 + 900 * DAY
            before = f.summaries(end)
            f.set_param(b2b2c.FORECASTER_FOLD_DAYS, 300)
            self.assertEqual(f.fold(end, 10), 1)
            self.assertEqual(f.fold(end), 0)
            self.assertEqual(f.summaries(end), before)
            self.assertEqual(f.list_customers()[0].purchases, 5)
            e = self.assertError(b2b2c.ESTATE, f.add_purchase, "c1",
                                 "b2c_consumer", T0, 1.0)
            self.assertIn("folded", e.message)
            self.assertError(b2b2c.ERANGE, f.fold, end, 0)

    def test_forecaster_status_and_params(self):
        with b2b2c.Forecaster(self.ctx) as f:
            _add_log(f)
            f.set_param(b2b2c.FORECASTER_MAX_ITER, 1)
            self.assertFalse(f.fit(T0 + 200 * DAY))
            self.assertEqual(f.fit_params()["status"], "max_iter")
            self.assertIn(f.fit_params()["gg_status"],
                          ("max_iter", "boundary"))
            # parameters are persisted and undone with a group
            self.ctx.begin()
            f.set_param(b2b2c.FORECASTER_L2, 3.0)
            self.ctx.rollback()
            self.assertEqual(f.get_param(b2b2c.FORECASTER_L2), 0.0)
        with b2b2c.Forecaster(self.ctx) as f2:
            self.assertEqual(f2.get_param(b2b2c.FORECASTER_MAX_ITER), 1.0)
            self.assertEqual(f2.fit_params()["status"], "max_iter")


class ChannelsTest(EngineTest):
    def setUp(self):
        super().setUp()
        self.ch = b2b2c.Channels(self.ctx)
        self.ch.add("seo", "reach", "informational_seo", "b2c")
        self.ch.add("search", b2b2c.CHANNEL_KIND_LEADGEN,
                    b2b2c.CHANNEL_SUB_SEARCH_ADS, b2b2c.GROUP_B2C)
        self.ch.set_spend("search", T0, 300.0, 1000.0)
        self.ch.touch("L1", "seo", T0)
        self.ch.touch("L1", "search", T0 + DAY)
        self.ch.convert("L1", T0 + 2 * DAY, 1000.0)

    def test_merge(self):
        self.ch.touch("L2", "search", T0 - DAY)
        self.ch.merge("L2", "L1")
        self.assertEqual([x.channel_id for x in
                          self.ch.attribute_lead("L1", "linear")],
                         ["search", "seo", "search"])
        with self.assertRaises(b2b2c.Error) as cm:
            self.ch.merge("L2", "L1")
        self.assertEqual(cm.exception.code, b2b2c.ENOTFOUND)

    def test_list(self):
        self.assertEqual(self.ch.list(),
                         [b2b2c.ChannelItem("search",
                                            b2b2c.CHANNEL_KIND_LEADGEN,
                                            b2b2c.CHANNEL_SUB_SEARCH_ADS,
                                            b2b2c.GROUP_B2C),
                          b2b2c.ChannelItem(
                              "seo", b2b2c.CHANNEL_KIND_REACH,
                              b2b2c.CHANNEL_SUB_INFORMATIONAL_SEO,
                              b2b2c.GROUP_B2C)])
        self.assertEqual([c.channel_id for c in self.ch.list("reach")],
                         ["seo"])

    def test_remove(self):
        self.assertError(b2b2c.ESTATE, self.ch.remove, "seo")
        self.ch.add("tv", "reach", "display_media", "b2c")
        self.ch.set_spend("tv", T0, 5.0, 50.0)
        self.ch.remove("tv")
        self.assertEqual(self.ch.count(), 2)
        self.assertError(b2b2c.ENOTFOUND, self.ch.remove, "tv")

    def test_linear_two_touch(self):
        shares = self.ch.attribute_lead("L1", "linear")
        self.assertEqual([(s.channel_id, s.share) for s in shares],
                         [("seo", 0.5), ("search", 0.5)])
        att = {a.channel_id: a for a in
               self.ch.attribute("linear", T0, T0 + 7 * DAY)}
        self.assertEqual(att["seo"].revenue, 500.0)
        self.assertEqual(att["search"].conversions, 0.5)
        self.assertEqual(att[""].conversions, 0.0)
        rows = dict(self.ch.metrics(b2b2c.CHANNELS_BY_CHANNEL,
                                    b2b2c.CHANNEL_ATTRIBUTION_LINEAR, T0, T0 + 7 * DAY))
        self.assertEqual(rows["search"]["spend"], 300.0)
        self.assertEqual(rows["search"]["cpa"], 600.0)
        self.assertEqual(len(rows["search"]), b2b2c.CHM_COUNT)
        last = self.ch.attribute_lead("L1", "last")
        self.assertEqual([s.share for s in last], [0.0, 1.0])
        p, eff = self.ch.markov_effects(T0, T0 + 7 * DAY)
        self.assertEqual(p, 1.0)
        self.assertEqual([e[0] for e in eff], ["seo", "search"])
        # (channel_id, removal_effect, share): no dummy fourth value
        self.assertEqual([len(e) for e in eff], [3, 3])
        self.assertAlmostEqual(sum(e[2] for e in eff), 1.0)

    def test_markov_counts_stateless(self):
        # A > B > A converting, a direct conversion, B not converting
        cnt = b2b2c.channel_markov_counts(2, [[0, 1, 0], [], [1]],
                                          [True, True, False])
        self.assertEqual(len(cnt), 15)
        self.assertEqual(cnt[:5], [0, 1, 1, 0, 0])  # START -> A, -> B
        half = b2b2c.channel_markov_counts(2, [[0, 1, 0]], [True])
        rest = b2b2c.channel_markov_counts(2, [[], [1]], [True, False])
        self.assertEqual([a + b for a, b in zip(half, rest)], cnt)
        p, eff = b2b2c.channel_markov_effects(cnt, 2)
        self.assertAlmostEqual(p, 0.5, delta=1e-15)
        self.assertAlmostEqual(eff[0], 1.0, delta=1e-15)
        self.assertAlmostEqual(eff[1], 0.5, delta=1e-15)
        e = self.assertError(b2b2c.ERANGE, b2b2c.channel_markov_counts, 2,
                             [[0, 2]], [True])
        self.assertIn("channels[1]", e.message)

    def test_lead_fit_sum(self):
        # four rows, one attribute, one kind; two batches add up
        rows = [(1, 5, [1, 0, 0], [(0, 2.0, 1.0)]), (0, 3, [0, 0, 0], []),
                (0, 5, [1, 0, 0], [(0, 0.5, 0.0)]),
                (1, 1, [0, 0, 0], [(0, 4.0, 3.0)])]

        def loss(w, rs, h):
            return b2b2c.lead_loss(
                w, 1, 1, [r[0] for r in rs], [r[1] for r in rs],
                [a for r in rs for a in r[2]], [len(r[3]) for r in rs],
                [k[0] for r in rs for k in r[3]],
                [k[1] for r in rs for k in r[3]],
                [k[2] for r in rs for k in r[3]], hdiag=h)
        w = [0.1] * b2b2c.lead_dim(1, 1)
        full, a, b = loss(w, rows, True), loss(w, rows[:2], True), \
            loss(w, rows[2:], True)
        self.assertAlmostEqual(full[0], a[0] + b[0], delta=1e-14)
        for j in range(len(w)):
            self.assertAlmostEqual(full[1][j], a[1][j] + b[1][j], delta=1e-14)
            self.assertAlmostEqual(full[2][j], a[2][j] + b[2][j], delta=1e-14)
        fit = b2b2c.lead_fit_sum(lambda wt, h: loss(wt, rows, h), 1, 1, 4, 2)
        self.assertTrue(fit.converged)
        self.assertEqual(len(fit.weights), 10)

        def boom(wt, h):
            raise KeyError("worker 2")
        with self.assertRaises(KeyError):
            b2b2c.lead_fit_sum(boom, 1, 1, 4, 2)
        self.assertError(b2b2c.ENODATA, b2b2c.lead_fit_sum,
                         lambda wt, h: loss(wt, rows, h), 1, 1, 4, 0)

    def test_attribution_names(self):
        self.assertEqual(b2b2c.channel_attribution_name(
            b2b2c.CHANNEL_ATTRIBUTION_MARKOV), "markov")
        self.assertEqual(b2b2c.channel_attribution_from_name("decay"),
                         b2b2c.CHANNEL_ATTRIBUTION_DECAY)
        self.assertEqual(b2b2c.FORECAST_KIND_PRODUCT, 0)
        for old in ("ATTR_MARKOV", "KIND_PRODUCT", "attr_model_name",
                    "attr_model_from_name"):
            self.assertFalse(hasattr(b2b2c, old), old)
        mix = dict(self.ch.mix_shares("linear", T0, T0 + 7 * DAY))
        self.assertEqual(mix["total"]["reach_value_share"], 0.5)
        lag = self.ch.mix_lag(T0, T0 + 14 * DAY)
        self.assertEqual(lag["pairs"], len(lag["weeks"]))

    def test_errors(self):
        e = self.assertError(b2b2c.EBADID, self.ch.touch, "", "seo", T0)
        self.assertIn("lead", e.message)
        self.assertError(b2b2c.ENOTFOUND, self.ch.touch, "L2", "tv", T0)
        self.assertError(b2b2c.EEXISTS, self.ch.convert, "L1", T0 + 3 * DAY)
        self.assertError(b2b2c.ERANGE, self.ch.set_param,
                         b2b2c.CHANNELS_LOOKBACK_DAYS, 0)
        self.assertEqual(self.ch.get(
            "seo"), (b2b2c.CHANNEL_KIND_REACH,
                     b2b2c.CHANNEL_SUB_INFORMATIONAL_SEO, b2b2c.GROUP_B2C))
        self.assertEqual(self.ch.count(), 2)
        self.assertEqual(b2b2c.param_bounds(
            b2b2c.CHANNELS_LOOKBACK_DAYS), (1.0, 3650.0, 30.0))


if __name__ == "__main__":
    unittest.main()
