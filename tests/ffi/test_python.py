# SPDX-License-Identifier: MIT
"""The Python (ctypes) binding against the built shared library."""
import csv
import math
import os
import random
import re
import sys
import threading
import time
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# B2B2C_TEST_INSTALLED=1: the installed package (.ci/run), not the tree's
if os.environ.get("B2B2C_TEST_INSTALLED") != "1":
    sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402

DAY = 86400
T0 = 1767225600  # 2026-01-01


class CoreTest(unittest.TestCase):
    def test_param_bounds(self):
        self.assertEqual(b2b2c.param_bounds(b2b2c.LEAD_HALF_LIFE_DAYS),
                         (0.01, 3650.0, 30.0))
        self.assertEqual(b2b2c.param_name(b2b2c.CHANNELS_MIX_LAG_WEEKS),
                         "CHANNELS_MIX_LAG_WEEKS")
        self.assertIsNone(b2b2c.param_name(199))
        with self.assertRaises(b2b2c.Error) as cm:
            b2b2c.param_bounds(199)
        self.assertEqual(cm.exception.code, b2b2c.EINVAL)

    def test_version(self):
        self.assertEqual(b2b2c.version_number(), 10000)
        self.assertEqual(b2b2c.version(), "1.0.0")

    def test_strerror_and_codes(self):
        self.assertEqual(b2b2c.strerror(b2b2c.ESTATE),
                         "invalid state for this operation")
        self.assertEqual(b2b2c.EABORTED, -12)

    def test_names(self):
        for i, name in enumerate(b2b2c.SEGMENTS):
            self.assertEqual(b2b2c.segment_name(i), name)
            self.assertEqual(b2b2c.segment_from_name(name), i)
        self.assertEqual(b2b2c.segment_group(b2b2c.segment_from_name(
            "b2b_small_pro")), b2b2c.group_from_name("b2b"))
        self.assertEqual(b2b2c.band_name(3), "hot")
        with self.assertRaises(b2b2c.Error) as cm:
            b2b2c.band_from_name("tepid")
        self.assertEqual(cm.exception.code, b2b2c.EINVAL)

    def test_context_transaction(self):
        store = b2b2c.MemStore()
        with b2b2c.Context(store) as ctx:
            with ctx.transaction():
                pass
            with self.assertRaises(b2b2c.Error) as cm:
                ctx.commit()
            self.assertEqual(cm.exception.code, b2b2c.ESTATE)
            self.assertIn("no transaction group", cm.exception.message)
            self.assertIn("no transaction group", ctx.errmsg)
            # an exception inside the block rolls back and propagates
            with self.assertRaises(ZeroDivisionError):
                with ctx.transaction():
                    1 / 0
            ctx.begin()
            with self.assertRaises(b2b2c.Error):
                ctx.begin()
            ctx.rollback()
        store.close()

    def test_utc_offset(self):
        with b2b2c.Context() as ctx:
            self.assertEqual(ctx.utc_offset, 0)
            ctx.set_utc_offset(3 * 3600)
            self.assertEqual(ctx.utc_offset, 10800)
            with self.assertRaises(b2b2c.Error) as cm:
                ctx.set_utc_offset(b2b2c.UTC_OFFSET_MAX + 1)
            self.assertEqual(cm.exception.code, b2b2c.ERANGE)
            self.assertIn("seconds", cm.exception.message)
            # a daily quota of 2 resets at local midnight: 21:00 UTC
            d = b2b2c.DealerEngine(ctx)
            with self.assertRaises(b2b2c.Error) as cm:
                ctx.set_utc_offset(0)
            self.assertEqual(cm.exception.code, b2b2c.ESTATE)
            d.put("d", 1.0, ["FR"], [], capacity=10, daily_quota=2)
            for i, h in enumerate((19, 20, 22)):
                self.assertEqual(d.route(str(i), "FR", now=T0 + h * 3600)[0],
                                 "d")
            d.close()
            self.assertEqual(ctx.utc_offset, 10800)

    def test_closed_context(self):
        ctx = b2b2c.Context()
        ctx.close()
        ctx.close()
        with self.assertRaises(b2b2c.Error):
            ctx.begin()


class BindingCompletenessTest(unittest.TestCase):
    """Keeps the binding honest when the C API changes."""

    def test_every_map_symbol_declared(self):
        with open(os.path.join(ROOT, "src", "libb2b2c.map")) as f:
            text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        syms = set(re.findall(r"^\s*(b2b2c_\w+)\s*;", text, flags=re.M))
        self.assertGreater(len(syms), 150)
        self.assertEqual(sorted(syms - b2b2c._DECLARED), [])
        self.assertEqual(sorted(b2b2c._DECLARED - syms), [])
        for name in syms:  # argtypes really set on the library's function
            self.assertIsNotNone(getattr(b2b2c.lib, name).argtypes, name)

    def test_constants_match_headers(self):
        inc = os.path.join(ROOT, "include", "b2b2c")
        seen = 0
        for h in sorted(os.listdir(inc)):
            if not h.endswith(".h"):
                continue
            with open(os.path.join(inc, h)) as f:
                text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
            for body in re.findall(r"enum\s*\{(.*?)\}", text, flags=re.S):
                for name, value in re.findall(r"B2B2C_(\w+)\s*=\s*(-?\d+)",
                                              body):
                    self.assertEqual(getattr(b2b2c, name), int(value), name)
                    seen += 1
        self.assertGreater(seen, 200)


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


def _account(row):
    d = {}
    for k, v in row.items():
        if k == "account_id" or v == "":
            continue
        if k == "reseller":
            d[k] = 1 if v == "yes" else 0
        elif k in ("party_type", "org_kind"):
            d[k] = v
        else:
            d[k] = float(v)
    return d


class SegmentTest(EngineTest):
    EXPECTED = {"chain-1": "dealer_large_wholesale",
                "dist-1": "dealer_large_wholesale",
                "shop-1": "dealer_small_retail", "plant-1": "b2b_large",
                "gov-1": "b2b_large", "ws-1": "b2b_small_pro",
                "co-1": "b2b_small_pro", "contr-1": "b2b_small_pro",
                "p-1": "b2c_consumer", "nobody": "unknown"}

    def setUp(self):
        super().setUp()
        self.seg = b2b2c.Segmenter(self.ctx)
        with open(os.path.join(ROOT, "examples", "data", "segments",
                               "accounts.csv")) as f:
            self.accounts = {r["account_id"]: _account(r)
                             for r in csv.DictReader(f)}

    def test_source_account_kinds(self):
        for acc, name in self.EXPECTED.items():
            c = self.seg.classify(self.accounts[acc])
            self.assertEqual(c.name, name, acc)
            self.assertEqual(c.segment, b2b2c.segment_from_name(name))
            self.assertTrue(0.0 <= c.confidence <= 1.0)
            if name != "unknown":
                self.assertTrue(c.rule, acc)
        # a workshop whose size is unknown: lower confidence, names what
        # would settle it
        c = self.seg.classify(self.accounts["ws-2"])
        self.assertEqual(c.name, "b2b_small_pro")
        self.assertLess(c.confidence, 1.0)
        self.assertIn("employees", c.missing)

    def test_batch_and_sets_agree_with_classify(self):
        rows = [self.accounts[a] for a in sorted(self.accounts)]
        batch = self.seg.classify_batch(rows)
        sets = [b2b2c.Attrs(self.ctx, **r) for r in rows]
        try:
            self.assertEqual(self.seg.classify_sets(sets), batch)
        finally:
            for a in sets:
                a.close()
        for row, (seg, conf) in zip(rows, batch):
            c = self.seg.classify(row)
            self.assertEqual((c.segment, c.confidence), (seg, conf))

    def test_attrs(self):
        with b2b2c.Attrs(self.ctx, party_type="organisation") as a:
            a.set("org_kind", "workshop").set(b2b2c.SEG_ATTR_EMPLOYEES, 8)
            self.assertEqual(a.get("org_kind"), b2b2c.SEG_ORG_WORKSHOP)
            self.assertEqual(a.present(),
                             ["party_type", "org_kind", "employees"])
            a.clear("employees")
            self.assertIsNone(a.get("employees"))
            e = self.assertError(b2b2c.ERANGE, a.set, "employees", -1)
            self.assertIn("employees", str(e))
            self.assertError(b2b2c.EINVAL, a.set, "orders_per_year",
                             float("nan"))
            a.reset()
            self.assertEqual(a.present(), [])

    def test_list_accounts(self):
        self.seg.assign_segment("b", "b2c_consumer", T0)
        self.seg.assign_segment("a", "b2b_large", T0 + DAY)
        self.seg.assign_segment("b", "b2b_small_pro", T0 + 2 * DAY)
        rows = self.seg.list_accounts()
        self.assertEqual([r.account_id for r in rows], ["a", "b"])
        self.assertEqual(rows[1][1:], self.seg.assignment("b"))
        self.assertEqual(rows[1].since, T0 + 2 * DAY)
        self.assertEqual([r.account_id for r in
                          self.seg.list_accounts("b2b_large")], ["a"])
        self.assertError(b2b2c.EINVAL, self.seg.list_accounts, 6)

    def test_rules_assign_migrations_route(self):
        ws = {"party_type": "organisation", "org_kind": "workshop",
              "orders_per_year": 120.0}
        self.assertEqual(self.seg.assign("acme", ws, T0),
                         b2b2c.SEGMENT_B2B_SMALL_PRO)
        v = self.seg.version
        self.seg.rule_add("busy_workshops", 650, "b2b_large",
                          "all(org_kind in (workshop, contractor), "
                          "orders_per_year >= 50)")
        self.assertEqual(self.seg.version, v + 1)
        self.assertIn("busy_workshops",
                      [r.rule_id for r in self.seg.rules()
                       if not r.is_default])
        self.assertEqual(self.seg.assign("acme", ws, T0 + DAY),
                         b2b2c.SEGMENT_B2B_LARGE)
        self.assertEqual(self.seg.assignment("acme"),
                         (b2b2c.SEGMENT_B2B_LARGE, T0 + DAY, v + 1))
        hist = self.seg.history("acme")
        self.assertEqual([h.to_segment for h in hist],
                         [b2b2c.SEGMENT_B2B_SMALL_PRO,
                          b2b2c.SEGMENT_B2B_LARGE])
        mig = self.seg.migrations(T0 + 1)
        self.assertEqual(len(mig), 1)
        self.assertEqual((mig[0].account_id, mig[0].rule),
                         ("acme", "busy_workshops"))
        e = self.assertError(b2b2c.EINVAL, self.seg.rule_add, "bad", 1,
                             "b2b_large", "all(")
        self.assertTrue(e.message)
        dest, kind = self.seg.route("b2c_consumer", "hot")
        self.assertEqual(b2b2c.seg_dest_name(dest), "dealer")
        self.seg.route_set("b2b_large", "cold", "nurture", "reach")
        self.assertEqual(self.seg.route("b2b_large", "cold"),
                         (b2b2c.SEG_DEST_NURTURE, b2b2c.SEG_CHANNEL_REACH))
        self.seg.route_reset("b2b_large", "cold")
        lo, hi, d = b2b2c.param_bounds(
            b2b2c.SEG_LARGE_CUSTOMER_EMPLOYEES)
        self.assertEqual(self.seg.get_param(
            b2b2c.SEG_LARGE_CUSTOMER_EMPLOYEES), d)
        self.assertError(b2b2c.ERANGE, self.seg.set_param,
                         b2b2c.SEG_OPEN_RULE_FACTOR, 2.0)

    def test_bad_id(self):
        e = self.assertError(b2b2c.EBADID, self.seg.assign, "", {}, T0)
        self.assertIn("account_id", e.message)
        self.assertError(b2b2c.ENOTFOUND, self.seg.assignment, "nobody")


class LeadTest(EngineTest):
    def setUp(self):
        super().setUp()
        self.m = b2b2c.LeadModel(self.ctx)
        self.alerts = []
        self.m.set_alert(self.alerts.append)
        for who, kind, day in (("olga", "newsletter_subscribe", 0),
                               ("ivan", "guide_download", 1),
                               ("petr", "quote_request", 2)):
            self.m.add(who, T0, "b2c_consumer", "search", "RU-MOW",
                       "boilers")
            self.m.event(who, kind, T0 + day * DAY)

    def test_close_reopen(self):
        self.m.set_stage("ivan", "disqualified", T0 + DAY)
        self.assertEqual(self.m.close_due(T0 + 10 * DAY), 0)
        self.assertEqual(self.m.close_due(T0 + 200 * DAY, 2), 1)
        self.assertEqual(len(self.m), 2)
        self.assertEqual(self.m.stage("ivan"),
                         b2b2c.LEAD_STAGE_DISQUALIFIED)
        with self.assertRaises(b2b2c.Error) as cm:
            self.m.event("ivan", "site_visit", T0 + 200 * DAY)
        self.assertEqual(cm.exception.code, b2b2c.ESTATE)
        self.m.reopen("ivan")
        self.assertEqual(len(self.m), 3)

    def test_source_bands_and_alert(self):
        now = T0 + 3 * DAY
        self.assertEqual([self.m.band(w, now) for w in ("olga", "ivan",
                                                        "petr")],
                         ["cold", "warm", "hot"])
        self.assertEqual(len(self.m), 3)
        self.assertEqual([(a.lead_id, a.old_band, a.new_band)
                          for a in self.alerts],
                         [("ivan", b2b2c.BAND_COLD, b2b2c.BAND_WARM),
                          ("petr", b2b2c.BAND_COLD, b2b2c.BAND_HOT)])
        top = self.m.top(now, 2)
        self.assertEqual([r.lead_id for r in top], ["petr", "ivan"])
        self.assertTrue(math.isnan(top[0].probability))
        changes = {c.lead_id: c.new_band
                   for c in self.m.band_changes(T0, now)}
        self.assertEqual((changes["ivan"], changes["petr"]),
                         (b2b2c.BAND_WARM, b2b2c.BAND_HOT))
        self.assertEqual(sum(c[3] for c in self.m.counts(now)), 3)
        self.assertEqual(self.m.kind_get("quote_request")["hot_days"], 14)

    def test_points_learned_from_outcomes(self):
        self.m.set_param(b2b2c.LEAD_MIN_OUTCOMES, 4)
        rnd = random.Random(5)
        for i in range(60):
            lid = "p%d" % i
            self.m.add(lid, T0, "b2c_consumer")
            n = rnd.randrange(3)
            for d in range(n):
                self.m.event(lid, "webinar_attend", T0 + d * DAY)
            self.m.outcome(lid, rnd.random() < 0.15 + 0.3 * n, T0 + 5 * DAY)
        now = T0 + 5 * DAY
        sug = self.m.suggest_points(5)
        self.assertEqual([s.entry for s in sug],
                         sorted(s.entry for s in sug))
        web = [s for s in sug if s.entry == "kind:webinar_attend"][0]
        self.assertGreaterEqual(web.outcomes, 5)
        self.assertTrue(math.isfinite(web.suggested))
        self.assertGreater(web.std_error, 0)
        table = {s.entry: s.suggested for s in sug}
        dry = self.m.points_dry_run(table, now, 0.3, 0.1, folds=4, seed=3)
        self.assertEqual(sum(map(sum, dry["moves"])), len(self.m))
        self.assertTrue(0 < dry["new_auc"] < 1)
        changes = []
        self.m.set_rescore_alert(changes.append)
        warm, hot = self.m.points_apply(table, now, 0.3, 0.1)
        self.assertEqual((warm, hot), (dry["warm"], dry["hot"]))
        self.assertEqual(self.m.get_param(b2b2c.LEAD_HOT_THRESHOLD), hot)
        hist = self.m.points_history()
        self.assertEqual(hist[-1].entry, "threshold:hot")
        self.assertEqual(hist[-1].new_points, hot)
        self.assertTrue(all(h.at == now for h in hist))
        rescored = {c.lead_id for c in self.m.band_changes_why(T0, now)
                    if c.reason == b2b2c.LEAD_BAND_BY_RESCORE}
        self.assertEqual(rescored, {c.lead_id for c in changes})
        with self.assertRaises(b2b2c.Error) as cm:
            self.m.points_apply({"kind:no_such": 1.0}, now)
        self.assertEqual(cm.exception.code, b2b2c.ENOTFOUND)
        self.assertIn("entries[0]", cm.exception.message)
        self.m.set_rescore_alert(None)

    def test_set_attr(self):
        now = T0 + 3 * DAY
        self.m.attr_points_set("channel", "partner", 12)
        self.m.attr_points_set("segment", "b2b_large", 5)
        before = self.m.score("olga", now)[0]
        self.m.set_attr("olga", "channel", "partner")
        self.m.set_attr("olga", b2b2c.LEAD_ATTR_SEGMENT, "b2b_large")
        self.m.set_attr("olga", "region", None)
        self.assertAlmostEqual(self.m.score("olga", now)[0] - before, 17)
        self.m.set_attr("olga", "segment", b2b2c.SEGMENT_B2C_CONSUMER)
        self.assertAlmostEqual(self.m.score("olga", now)[0] - before, 12)
        with self.assertRaises(b2b2c.Error) as e:
            self.m.set_attr("nobody", "channel", "x")
        self.assertEqual(e.exception.code, b2b2c.ENOTFOUND)
        with self.assertRaises(ValueError):  # as every enum argument
            self.m.set_attr("olga", "segment", "no_such_segment")
        self.m.set_attr("olga", "channel", "")
        self.assertAlmostEqual(self.m.score("olga", now)[0] - before, 0)

    def test_alert_exception_is_reraised_after_commit(self):
        def boom(change):
            raise KeyError(change.lead_id)
        self.m.set_alert(boom)
        with self.assertRaises(KeyError):
            self.m.event("olga", "question_asked", T0 + 3 * DAY)
        self.assertEqual(self.m.band("olga", T0 + 3 * DAY), "hot")
        self.m.set_alert(None)
        self.m.event("ivan", "question_asked", T0 + 3 * DAY)

    def test_list(self):
        self.m.set_stage("olga", "nurturing", T0 + DAY)
        rows = self.m.list(T0 + 3 * DAY)
        self.assertEqual([r.lead_id for r in rows], ["ivan", "olga", "petr"])
        score, band = self.m.score("petr", T0 + 3 * DAY)
        self.assertEqual(rows[2], b2b2c.LeadItem("petr",
                                                 b2b2c.LEAD_STAGE_NEW,
                                                 band, score))
        self.assertEqual([r.lead_id for r in
                          self.m.list(T0 + 3 * DAY, stage="nurturing")],
                         ["olga"])
        self.assertEqual([r.lead_id for r in
                          self.m.list(T0 + 3 * DAY, band=band)],
                         [r.lead_id for r in rows if r.band == band])
        self.assertError(b2b2c.EINVAL, self.m.list, T0, band=0)

    def test_stages(self):
        self.m.set_stage("petr", "qualified", T0 + 2 * DAY)
        self.m.set_stage("petr", b2b2c.LEAD_STAGE_PASSED_TO_DEALER,
                         T0 + 2 * DAY)
        self.assertEqual(b2b2c.lead_stage_name(self.m.stage("petr")),
                         "passed_to_dealer")
        self.assertEqual([h[1] for h in self.m.stage_history("petr")],
                         [b2b2c.LEAD_STAGE_QUALIFIED,
                          b2b2c.LEAD_STAGE_PASSED_TO_DEALER])
        e = self.assertError(b2b2c.ESTATE, self.m.set_stage, "olga", "won",
                             T0 + DAY)
        self.assertIn("won", e.message)
        self.assertError(b2b2c.ENOTREADY, self.m.probability, "petr", T0)

    def test_funnel(self):
        # petr: new -> qualified (2 days) -> passed (1 day), open
        self.m.set_stage("petr", "qualified", T0 + 2 * DAY)
        self.m.set_stage("petr", "passed_to_dealer", T0 + 3 * DAY)
        self.m.set_stage("olga", "lost", T0 + DAY)
        rows = self.m.funnel(None, None, T0 + 10 * DAY)
        self.assertEqual([(r.group, r.stage) for r in rows],
                         [("all", b2b2c.LEAD_STAGE_NEW),
                          ("all", b2b2c.LEAD_STAGE_QUALIFIED),
                          ("all", b2b2c.LEAD_STAGE_PASSED_TO_DEALER),
                          ("all", b2b2c.LEAD_STAGE_LOST)])
        new = rows[0].fields
        self.assertEqual((new["entered"], new["forward"], new["dropped"],
                          new["open"]), (3, 1, 1, 1))
        self.assertEqual(new["moved_to"]["qualified"], 1)
        self.assertEqual(new["moved_to"]["lost"], 1)
        self.assertEqual((new["days_median"], new["days_p90"]), (1.5, 1.9))
        self.assertEqual(rows[1].fields["reach_median"], 2.0)
        self.assertTrue(math.isnan(rows[2].fields["days_median"]))
        # petr entered qualified hot (quote request)
        band = self.m.funnel(T0, T0 + DAY, T0 + 10 * DAY, by="band")
        self.assertEqual([(r.group, r.stage) for r in band],
                         [("cold", b2b2c.LEAD_STAGE_NEW),
                          ("cold", b2b2c.LEAD_STAGE_LOST),
                          ("hot", b2b2c.LEAD_STAGE_QUALIFIED),
                          ("hot", b2b2c.LEAD_STAGE_PASSED_TO_DEALER)])
        self.assertEqual([r.group for r in
                          self.m.funnel(None, None, T0, by="month")],
                         ["2026-01"])
        self.assertEqual(self.m.funnel(T0 + DAY, None, T0 + 10 * DAY), [])
        e = self.assertError(b2b2c.EINVAL, self.m.funnel, None, None, T0,
                             b2b2c.LEAD_FUNNEL_BY_BAND + 1)
        self.assertIn("by", e.message)
        self.assertError(b2b2c.ERANGE, self.m.funnel, T0 + 1, T0, T0)
        with self.assertRaises(ValueError):
            self.m.funnel(None, None, T0, by="weekday")

    def test_errors(self):
        e = self.assertError(b2b2c.EBADID, self.m.add, "", T0)
        self.assertIn("id", e.message)
        self.assertError(b2b2c.EEXISTS, self.m.add, "olga", T0)
        self.assertError(b2b2c.ENOTFOUND, self.m.score, "nobody", T0)
        self.assertError(b2b2c.ERANGE, self.m.set_param,
                         b2b2c.LEAD_HALF_LIFE_DAYS, 0.0)
        self.assertEqual(self.m.get_param(b2b2c.LEAD_HOT_THRESHOLD), 80.0)

    def test_late_events(self):
        # olga: newsletter at T0; a late event is refused by default
        self.m.event("olga", "site_visit", T0 + 3 * DAY)
        e = self.assertError(b2b2c.ERANGE, self.m.event, "olga",
                             "pricing_view", T0 + 2 * DAY)
        self.assertIn("LATENESS_DAYS is 0", e.message)
        self.m.set_param(b2b2c.LEAD_LATENESS_DAYS, 2)
        self.assertEqual(self.m.get_param(b2b2c.LEAD_LATENESS_DAYS), 2)
        self.m.event("olga", "email_open", T0 + 4 * DAY)
        before = self.m.score("olga", T0 + 4 * DAY)[0]
        self.m.event("olga", "pricing_view", T0 + 3 * DAY + 1)
        self.assertGreater(self.m.score("olga", T0 + 4 * DAY)[0], before)
        e = self.assertError(b2b2c.ERANGE, self.m.event, "olga",
                             "pricing_view", T0 + DAY)
        self.assertIn("LATENESS_DAYS (2 days)", e.message)

    def test_merge(self):
        now = T0 + 3 * DAY
        s_olga, s_ivan = (self.m.score(w, now)[0] for w in ("olga", "ivan"))
        self.m.merge("olga", "ivan", now)
        self.assertEqual(len(self.m), 2)
        self.assertGreater(self.m.score("ivan", now)[0], s_ivan)
        self.assertError(b2b2c.ENOTFOUND, self.m.score, "olga", now)
        self.assertError(b2b2c.EINVAL, self.m.merge, "ivan", "ivan", now)
        e = self.assertError(b2b2c.ENOTFOUND, self.m.merge, "olga", "ivan",
                             now)
        self.assertIn("from_id", e.message)
        self.assertGreater(s_olga, 0)

    def test_time_range_and_remove(self):
        e = self.assertError(b2b2c.ERANGE, self.m.event, "olga",
                             "site_visit", b2b2c.TIME_MAX + 1)
        self.assertIn("time range", e.message)
        e = self.assertError(b2b2c.ERANGE, self.m.event, "olga",
                             "site_visit", T0 - 1)
        self.assertIn("before the creation of lead 'olga'", e.message)
        self.m.event("olga", "site_visit", b2b2c.TIME_MAX)
        self.m.remove("olga")
        self.assertEqual(len(self.m), 2)
        self.assertError(b2b2c.ENOTFOUND, self.m.remove, "olga")
        self.m.add("olga", T0)
        self.m.event("olga", "site_visit", T0 + DAY)


    def test_refit_converges_and_reports_the_bound(self):
        self.m.set_param(b2b2c.LEAD_MIN_OUTCOMES, 2)
        self.assertError(b2b2c.ENOTREADY, self.m.refit)
        for i in range(40):
            who = "t%d" % i
            self.m.add(who, T0)
            if i % 3:
                self.m.event(who, "webinar_attend", T0 + DAY)
            self.m.outcome(who, i % 3 == 1 or i % 7 == 0, T0 + DAY)
        r = self.m.refit()
        self.assertEqual(r.converged, True)
        self.assertTrue(2 < r.passes <= 100)
        won = sum(1 for i in range(40) if i % 3 == 1 or i % 7 == 0)
        mean = sum(self.m.probability("t%d" % i, T0 + DAY)
                   for i in range(40)) / 40
        self.assertAlmostEqual(mean, won / 40, places=5)
        self.m.set_param(b2b2c.LEAD_REFIT_EPOCHS, 2)
        self.assertEqual(tuple(self.m.refit()), ("max_iter", 2, False))


class DealerTest(EngineTest):
    def setUp(self):
        super().setUp()
        self.d = b2b2c.DealerEngine(self.ctx)
        self.d.put("mow-1", 1.0, ["RU-MOW"], ["boilers"], capacity=5,
                   deadline_hours=24)
        self.d.put("spb-1", 1.0, ["RU-SPE"], ["boilers"], capacity=5)

    def test_route_to_only_eligible_and_accept(self):
        dealer, reason = self.d.route("petr", "RU-MOW-01", "boilers",
                                      "b2c_consumer", "hot", T0)
        self.assertEqual((dealer, reason),
                         ("mow-1", b2b2c.DEALER_REASON_ROUTED))
        self.d.accept("petr", "mow-1", T0 + 3600)
        self.assertEqual(self.d.lead_state("petr"),
                         (b2b2c.DEALER_LEAD_ACCEPTED, "mow-1"))
        self.d.outcome("petr", True, 1200.0, T0 + 5 * DAY)
        st = self.d.stats("mow-1")
        self.assertEqual((st["offered"], st["accepted"], st["won"],
                          st["revenue"]), (1, 1, 1, 1200.0))
        self.assertEqual(st["median_accept_hours"], 1.0)
        audit = self.d.audit_lead("petr")
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0].dealer_id, "mow-1")
        self.assertEqual(audit[0].fields["candidates"], 1)
        self.assertEqual(audit[0].fields["kind"], b2b2c.DEALER_KIND_ROUTE)
        self.assertEqual(len(audit[0].fields), b2b2c.DEALER_AUDIT_NFIELDS)
        cards = self.d.scorecards(T0, T0 + 30 * DAY)
        funnel = self.d.funnel(T0, T0 + 30 * DAY)
        self.assertEqual([d for d, _ in funnel], ["mow-1", None])
        self.assertEqual((funnel[0][1]["offered"], funnel[0][1]["won"],
                          funnel[-1][1]["accepted"]), (1, 1, 1))
        self.assertEqual(funnel[0][1]["response_p50_hours"], 1.0)
        self.assertEqual(len(funnel[0][1]), b2b2c.DEALER_FUNNEL_NFIELDS)
        self.assertEqual([c[0] for c in cards], ["mow-1"])
        self.assertEqual(cards[0][1]["won"], 1)

    def test_list(self):
        self.d.set_status("spb-1", "paused", T0 + DAY)
        self.assertEqual(self.d.list(),
                         [b2b2c.DealerItem("mow-1", b2b2c.DEALER_ACTIVE, 0,
                                           1.0, 5, 0),
                          b2b2c.DealerItem("spb-1", b2b2c.DEALER_PAUSED,
                                           T0 + DAY, 1.0, 5, 0)])
        self.assertEqual([d.dealer_id for d in self.d.list("active")],
                         ["mow-1"])
        self.assertError(b2b2c.EINVAL, self.d.list, 7)

    def test_prune(self):
        self.d.route("petr", "RU-MOW-01", "boilers", "b2c_consumer", "hot",
                     T0)
        self.assertEqual(self.d.prune(T0 + 10 * DAY), 0)  # default: 730 d
        self.d.set_param(b2b2c.DEALER_PARAM_AUDIT_DAYS, 1)
        self.assertEqual(self.d.prune(T0 + 10 * DAY, 5), 1)
        self.assertEqual(self.d.audit_lead("petr"), [])

    def test_close_due(self):
        dealer, _ = self.d.route("petr", "RU-MOW-01", "boilers",
                                 "b2c_consumer", "hot", T0)
        self.d.accept("petr", dealer, T0 + 60)
        self.d.outcome("petr", True, 100.0, T0 + 120)
        self.d.set_param(b2b2c.DEALER_PARAM_AUDIT_DAYS, 1)
        self.assertEqual(self.d.prune(T0 + 10 * DAY), 1)
        self.assertEqual(self.d.close_due(T0 + 10 * DAY), 0)  # 180 d
        self.d.set_param(b2b2c.DEALER_PARAM_CLOSE_DAYS, 5)
        self.assertEqual(self.d.close_due(T0 + 10 * DAY, 1), 1)
        self.assertEqual(self.d.lead_state("petr"),
                         (b2b2c.DEALER_LEAD_WON, dealer))
        self.assertEqual(self.d.stats(dealer)["won"], 1)
        self.assertError(b2b2c.ERANGE, self.d.close_due, T0, 0)

    def test_offboard(self):
        self.d.put("mow-2", 1.0, ["RU-MOW"], ["boilers"], capacity=5)
        dealer, _ = self.d.route("petr", "RU-MOW-01", "boilers",
                                 "b2c_consumer", "hot", T0)
        other = "mow-2" if dealer == "mow-1" else "mow-1"
        reps = self.d.offboard(dealer, T0 + 60)
        self.assertEqual([(r.lead_id, r.from_dealer, r.to_dealer)
                          for r in reps], [("petr", dealer, other)])
        self.assertEqual(self.d.stats(dealer)["recalled"], 1)
        self.assertEqual(self.d.offboard(dealer, T0 + 61), [])
        self.assertError(b2b2c.ENOTFOUND, self.d.offboard, "nobody", T0)

    def test_no_dealer_and_expire(self):
        e = self.assertError(b2b2c.ENODEALER, self.d.route, "x", "FR",
                             "boilers", "b2c_consumer", "hot", T0)
        self.assertEqual(b2b2c.dealer_reason_name(e.reason), "no_territory")
        self.d.route("ivan", "RU-MOW", "boilers", "b2c_consumer", "warm", T0)
        self.assertError(b2b2c.EEXPIRED, self.d.accept, "ivan", "mow-1",
                         T0 + 2 * DAY)
        seen = []
        reps = self.d.expire(T0 + 2 * DAY, seen.append)
        self.assertEqual(reps, seen)
        self.assertEqual([(r.lead_id, r.from_dealer, r.to_dealer) for r in
                          reps], [("ivan", "mow-1", None)])
        self.assertEqual(self.d.lead_state("ivan")[0],
                         b2b2c.DEALER_LEAD_UNROUTED)

    def test_callback_exception_reraised(self):
        for lead in ("a", "b"):
            self.d.route(lead, "RU-MOW", "boilers", "b2c_consumer", "hot",
                         T0)
        calls = []

        def boom(rep):
            calls.append(rep)
            raise RuntimeError("host failed")
        with self.assertRaisesRegex(RuntimeError, "host failed"):
            self.d.expire(T0 + 2 * DAY, boom)
        self.assertEqual(len(calls), 1)  # stopped after the first report
        # both re-routings were committed anyway
        self.assertEqual(self.d.expire(T0 + 2 * DAY), [])
        self.assertEqual(self.d.stats("mow-1")["expired"], 2)

    def test_customer_of_record(self):
        key = bytes([0x9f, 0, 0x13])
        self.d.put("mow-2", 1.0, ["RU-MOW"], ["boilers"], capacity=5)
        self.d.set_param(b2b2c.DEALER_PARAM_POLICY,
                         b2b2c.DEALER_POLICY_ROUND_ROBIN)
        won, _ = self.d.route_customer("v1", key, "RU-MOW", "boilers",
                                       now=T0)
        self.d.accept("v1", won, T0 + 60)
        self.d.outcome("v1", "won", 100.0, T0 + DAY)
        self.d.owner_win("v1", key)
        self.assertEqual(self.d.owner(key, "boilers", T0 + DAY),
                         (won, T0 + DAY, T0 + DAY + 365 * DAY))
        for i in range(3):
            self.assertEqual(self.d.route_customer(
                "r%d" % i, key, "RU-MOW", "boilers", now=T0 + 2 * DAY),
                (won, b2b2c.DEALER_REASON_OWNER))
        audit = self.d.audit_lead("r0")
        self.assertEqual(audit[0].fields["owner"], b2b2c.DEALER_OWNER_CHOSEN)
        cards = dict(self.d.scorecards(T0, T0 + 30 * DAY))
        self.assertEqual(cards[won]["owner_kept"], 3)
        other = "mow-2" if won == "mow-1" else "mow-1"
        self.d.owner_transfer(key, other, "boilers", T0 + 3 * DAY)
        self.assertEqual(self.d.owner(key, "boilers", T0 + 3 * DAY)[0],
                         other)
        self.d.owner_release(key, "boilers", T0 + 4 * DAY)
        e = self.assertError(b2b2c.ENOTFOUND, self.d.owner, key, "boilers",
                             T0 + 4 * DAY)
        self.assertIn("customer_key", e.message)
        self.assertError(b2b2c.EBADID, self.d.owner, b"", "boilers", T0)
        self.assertError(b2b2c.ERANGE, self.d.owner, bytes(65), "", T0)
        self.assertRaises(TypeError, self.d.owner, "text", "", T0)
        self.assertEqual(b2b2c.dealer_reason_name(
            b2b2c.DEALER_REASON_OWNER), "owner")

    def test_deal_registration(self):
        key = bytes([0x0a, 0, 0xff])
        self.d.put("spb-1", 1.0, ["RU-SPE"], ["boilers"], capacity=5)
        self.d.register("spb-1", key, "boilers", 5000.0,
                        expected_close=T0 + 30 * DAY, now=T0)
        reg = self.d.registration(key, "boilers", T0 + 1)
        self.assertEqual(reg, b2b2c.Registration(
            "spb-1", b2b2c.DEALER_REG_PENDING, T0, T0 + 90 * DAY,
            T0 + 30 * DAY))
        e = self.assertError(b2b2c.EEXISTS, self.d.register, "mow-1", key,
                             "boilers", 1.0, T0 + DAY, T0 + 1)
        self.assertIn("spb-1", e.message)
        self.assertError(b2b2c.EDUPLICATE, self.d.register, "spb-1", key,
                         "boilers", 1.0, T0 + DAY, T0 + 1)
        self.assertEqual(self.d.protected(key, "boilers", T0 + 2),
                         ("spb-1", b2b2c.DEALER_PROTECT_PENDING,
                          T0 + 90 * DAY))
        self.d.reg_approve(key, "boilers", T0 + 3)
        self.assertEqual(self.d.route_customer("g1", key, "RU-MOW",
                                               "boilers", now=T0 + 4),
                         ("spb-1", b2b2c.DEALER_REASON_REGISTERED))
        self.d.reg_extend(key, T0 + 200 * DAY, "boilers", T0 + 5)
        self.assertEqual(self.d.reg_expire(T0 + 199 * DAY), 0)
        self.assertEqual(self.d.reg_expire(T0 + 200 * DAY), 1)
        self.assertEqual(self.d.registration(key, "boilers",
                                             T0 + 200 * DAY).state,
                         b2b2c.DEALER_REG_EXPIRED)
        self.assertEqual(self.d.protected(key, "boilers", T0 + 200 * DAY),
                         (None, b2b2c.DEALER_PROTECT_NONE, 0))
        self.d.register("mow-1", key, "boilers", 1.0, T0 + 201 * DAY,
                        T0 + 200 * DAY)
        self.d.reg_reject(key, "boilers", T0 + 200 * DAY)
        cards = dict(self.d.scorecards(T0, T0 + 300 * DAY))
        self.assertEqual(cards["spb-1"]["reg_submitted"], 1)
        self.assertEqual(cards["spb-1"]["reg_expired"], 1)
        self.assertError(b2b2c.ENOTFOUND, self.d.registration, b"\x01", "",
                         T0)
        self.assertRaises(TypeError, self.d.register, "mow-1", "text", "",
                          1.0, T0, T0)
        self.assertEqual(b2b2c.strerror(b2b2c.EDUPLICATE),
                         "duplicate of the caller's own live record")
    def test_service_partners(self):
        key = bytes([0x42, 0, 0x17])
        self.d.put("mow-2", 1.0, ["RU-MOW"], ["boilers"], capacity=5)
        self.d.set_param(b2b2c.DEALER_PARAM_POLICY,
                         b2b2c.DEALER_POLICY_ROUND_ROBIN)
        # nobody certified: ENODEALER with the reason
        e = self.assertError(b2b2c.ENODEALER, self.d.route_service, "s0",
                             "repair", "RU-MOW", None, "boilers", now=T0)
        self.assertEqual(e.reason, b2b2c.DEALER_REASON_NO_SERVICE)
        self.d.certify("mow-2", "repair", "boilers", T0)
        self.d.certify("mow-2", b2b2c.DEALER_SERVICE_INSTALL, None, T0)
        self.assertEqual(self.d.certified("mow-2", "repair", "boilers",
                                          T0 + 1), T0)
        self.assertEqual(self.d.certified("mow-2", "install", "boilers",
                                          T0 + 1), T0)
        self.assertError(b2b2c.ENOTFOUND, self.d.certified, "mow-1",
                         "repair", "boilers", T0 + 1)
        for i in range(3):
            self.assertEqual(self.d.route_service(
                "s%d" % i, "repair", "RU-MOW", key, "boilers",
                now=T0 + 60 + i), ("mow-2", b2b2c.DEALER_REASON_ROUTED))
        audit = self.d.audit_lead("s1")
        self.assertEqual(audit[0].fields["service"],
                         b2b2c.DEALER_SERVICE_REPAIR)
        cards = dict(self.d.scorecards(T0, T0 + DAY))
        self.assertEqual(cards["mow-2"]["service_jobs"], 3)
        self.assertEqual(cards["mow-2"]["owner_lost"], 0)
        self.d.decertify("mow-2", "repair", "boilers", T0 + 120)
        self.assertError(b2b2c.ENOTFOUND, self.d.certified, "mow-2",
                         "repair", "boilers", T0 + 120)
        self.assertRaises(ValueError, self.d.certify, "mow-2", "massage",
                          None, T0)
        self.assertError(b2b2c.ERANGE, self.d.certify, "mow-2", 99, None,
                         T0)
        self.assertEqual(b2b2c.dealer_service_name(
            b2b2c.DEALER_SERVICE_WARRANTY), "warranty")
        self.assertEqual(b2b2c.dealer_reason_name(
            b2b2c.DEALER_REASON_NO_SERVICE), "no_service")
    def test_owner_import(self):
        k1, k2 = bytes([0x9f, 0, 0x13]), b"\x01"
        self.d.put("mow-2", 1.0, ["RU-MOW"], ["boilers"], capacity=5)
        self.d.owner_assign(k1, "mow-2", T0 - 10 * DAY, "boilers", now=T0)
        self.d.owner_assign(k2, "mow-1", T0 - DAY, now=T0)
        self.assertEqual(self.d.route_customer("i1", k1, "RU-MOW", "boilers",
                                               now=T0),
                         ("mow-2", b2b2c.DEALER_REASON_OWNER))
        self.assertEqual(self.d.list_owners(T0), [
            b2b2c.OwnerItem(k2, "", "mow-1", T0 - DAY, T0 + 364 * DAY),
            b2b2c.OwnerItem(k1, "boilers", "mow-2", T0 - 10 * DAY,
                            T0 + 355 * DAY)])
        e = self.assertError(b2b2c.ESTATE, self.d.owner_assign, k1, "mow-1",
                             T0 - 20 * DAY, "boilers", T0)
        self.assertIn("since", e.message)
        self.assertError(b2b2c.ENOTFOUND, self.d.owner_assign, k1, "nobody",
                         T0, "boilers", T0)
        self.assertError(b2b2c.ERANGE, self.d.owner_assign, k1, "mow-1",
                         T0 + 1, "boilers", T0)
        self.assertRaises(TypeError, self.d.owner_assign, k1, "mow-1", None,
                          "boilers", T0)
        self.assertRaises(TypeError, self.d.list_owners)

    def test_errors(self):
        e = self.assertError(b2b2c.EBADID, self.d.put, "", 1.0, ["RU"])
        self.assertIn("dealer", e.message)
        self.assertError(b2b2c.ERANGE, self.d.put, "z", 0.0, ["RU"])
        self.assertError(b2b2c.ENOTFOUND, self.d.stats, "nobody")
        self.assertEqual(self.d.count(), 2)
        self.assertEqual(b2b2c.dealer_policy_name(self.d.get_param(
            b2b2c.DEALER_PARAM_POLICY)), "performance")
        self.assertEqual(b2b2c.param_bounds(
            b2b2c.DEALER_PARAM_POLICY), (0.0, 3.0, 2.0))


class EraseTest(EngineTest):
    ID = "ZQX-erase-me-7731"

    def test_erase_every_engine(self):
        m, f = b2b2c.LeadModel(self.ctx), b2b2c.Forecaster(self.ctx)
        s, ch = b2b2c.Segmenter(self.ctx), b2b2c.Channels(self.ctx)
        m.add(self.ID, T0, "b2c_consumer", "search", "RU-MOW", "boilers")
        m.add("keep", T0)
        m.event(self.ID, "site_visit", T0 + DAY)
        f.add_purchase(self.ID, "b2c_consumer", T0, 10.0)
        s.assign_segment(self.ID, "b2c_consumer", T0)
        ch.add("seo", "reach", "informational_seo", "b2c")
        ch.touch(self.ID, "seo", T0)
        m.erase(self.ID)
        f.erase(self.ID)
        s.erase(self.ID)
        ch.erase(self.ID)
        self.assertEqual(len(m), 1)
        self.assertError(b2b2c.ENOTFOUND, m.stage, self.ID)
        self.assertError(b2b2c.ENOTFOUND, s.assignment, self.ID)
        self.assertEqual(f.list_customers(), [])
        for fn in (m.erase, f.erase, s.erase, ch.erase):
            e = self.assertError(b2b2c.ENOTFOUND, fn, self.ID)
            self.assertIn("id: ", e.message)
            self.assertError(b2b2c.EBADID, fn, "")

    def test_erase_dealer_and_ctx(self):
        d = b2b2c.DealerEngine(self.ctx)
        s = b2b2c.Segmenter(self.ctx)
        d.put("mow-1", 1.0, ["RU-MOW"], ["boilers"], capacity=5)
        key = self.ID.encode()
        d.route(self.ID, "RU-MOW-01", "boilers", "b2c_consumer", "hot", T0)
        d.register("mow-1", key, "boilers", 10.0, T0 + 30 * DAY, T0)
        d.erase_lead(self.ID)
        d.erase_customer(key)
        self.assertError(b2b2c.ENOTFOUND, d.lead_state, self.ID)
        e = self.assertError(b2b2c.ENOTFOUND, d.erase_lead, self.ID)
        self.assertIn("lead_id: ", e.message)
        e = self.assertError(b2b2c.ENOTFOUND, d.erase_customer, key)
        self.assertIn("customer_key: ", e.message)
        # every engine in one call: the number of engines that knew it
        d.route(self.ID, "RU-MOW-01", "boilers", "b2c_consumer", "hot", T0)
        s.assign_segment(self.ID, "b2c_consumer", T0)
        self.assertEqual(self.ctx.erase(self.ID), 2)
        e = self.assertError(b2b2c.ENOTFOUND, self.ctx.erase, self.ID)
        self.assertIn("id: ", e.message)


    def test_merge_dealer_lead(self):
        d = b2b2c.DealerEngine(self.ctx)
        d.put("mow-1", 1.0, ["RU-MOW"], ["boilers"], capacity=5)
        d.route("dup-1", "RU-MOW-01", "boilers", "b2c_consumer", "hot", T0)
        d.accept("dup-1", "mow-1", T0 + 60)
        d.merge_lead("dup-1", self.ID, T0 + 120)
        self.assertError(b2b2c.ENOTFOUND, d.lead_state, "dup-1")
        self.assertEqual(d.lead_state(self.ID),
                         (b2b2c.DEALER_LEAD_ACCEPTED, "mow-1"))
        kinds = [a.fields["kind"] for a in d.audit_lead(self.ID)]
        self.assertEqual(kinds, [b2b2c.DEALER_KIND_ROUTE,
                                 b2b2c.DEALER_KIND_MERGE])
        e = self.assertError(b2b2c.ENOTFOUND, d.merge_lead, "dup-1",
                             self.ID, T0 + 180)
        self.assertIn("from_id: ", e.message)
        e = self.assertError(b2b2c.EINVAL, d.merge_lead, self.ID, self.ID,
                             T0 + 180)
        self.assertIn("from_id: ", e.message)

class LifetimeTest(unittest.TestCase):
    def test_close_twice_and_use_after_close(self):
        ctx = b2b2c.Context()
        handles = [b2b2c.Attrs(ctx), b2b2c.Segmenter(ctx),
                   b2b2c.LeadModel(ctx), b2b2c.DealerEngine(ctx),
                   b2b2c.Forecaster(ctx), b2b2c.Channels(ctx)]
        for h in handles:
            h.close()
            h.close()
            with self.assertRaises(b2b2c.Error) as cm:
                h.handle
            self.assertIn("closed", str(cm.exception))
        with self.assertRaises(b2b2c.Error):
            handles[2].count()
        ctx.close()

    def test_context_close_closes_handles(self):
        store = b2b2c.MemStore()
        ctx = b2b2c.Context(store)
        m = b2b2c.LeadModel(ctx)
        m.set_alert(lambda change: None)
        m.add("a", T0)
        ctx.close()
        with self.assertRaises(b2b2c.Error):
            m.count()
        m.close()
        # the state is in the store: a new context sees it
        with b2b2c.Context(store) as ctx2, b2b2c.LeadModel(ctx2) as m2:
            self.assertEqual(m2.count(), 1)
        with self.assertRaises(b2b2c.Error):
            b2b2c.Segmenter(ctx)
        store.close()


class SharedStoreTest(unittest.TestCase):
    """One MemStore, a Context on each of two Python threads: ctypes
    releases the GIL during a call, so a thread waiting for the store
    (another thread's transaction) does not hold up the one it waits for."""

    def test_two_threads_one_store(self):
        store = b2b2c.MemStore()
        errors = []

        def work(t):
            try:
                with b2b2c.Context(store) as ctx, \
                        b2b2c.Forecaster(ctx) as f:
                    for g in range(40):
                        with ctx.transaction():
                            for k in range(3):
                                f.add_purchase("t%d-%02d" % (t, g), 1,
                                               T0 + k * DAY, 10.0 + k)
                                time.sleep(0)  # the other thread's turn
            except Exception as e:  # noqa: BLE001 (reported below)
                errors.append(e)

        threads = [threading.Thread(target=work, args=(t,)) for t in (0, 1)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.assertEqual(errors, [])
        with b2b2c.Context(store) as ctx, b2b2c.Forecaster(ctx) as f:
            rows = list(f.summaries(T0 + 100 * DAY))
        self.assertEqual(len(rows), 80)
        self.assertTrue(all(r.frequency == 2 for r in rows))  # 3 days
        store.close()


if __name__ == "__main__":
    unittest.main()
