# SPDX-License-Identifier: MIT
"""Edge values through the Python binding: every integer argument at its C
type's min-1/max+1, every string argument with a NUL byte, over-long and
empty IDs, enum-like arguments given a bool or an unknown name, outcomes,
and time arguments that must not default to 1970."""
import ctypes
import os
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# B2B2C_TEST_INSTALLED=1: the installed package (.ci/run), not the tree's
if os.environ.get("B2B2C_TEST_INSTALLED") != "1":
    sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402

DAY = 86400
T0 = 1767225600  # 2026-01-01


def _ints(lo, hi):
    return [(lo - 1, OverflowError), (hi + 1, OverflowError),
            (1.5, TypeError), (True, TypeError), ("1", TypeError)]


I32 = _ints(-2 ** 31, 2 ** 31 - 1)
I64 = _ints(-2 ** 63, 2 ** 63 - 1) + [(2 ** 64 + 7, OverflowError)]
U64 = _ints(0, 2 ** 64 - 1)
EBADID = ("error", b2b2c.EBADID)

# kind of argument -> [(value, expected exception or ("error", code))]
EDGES = {
    "i32": I32,
    "i64": I64,
    "u64": U64,
    "time": I64 + [(None, TypeError)],
    "dbl": [("1", TypeError), (None, TypeError), (10 ** 400, OverflowError)],
    "str": [("a\0b", ValueError), (b"a\0b", ValueError), (5, TypeError),
            ("\udc80", ValueError)],
    "key": [("text", TypeError), (5, TypeError), (None, TypeError),
            (b"", EBADID), (bytes(65), ("error", b2b2c.ERANGE))],
    "id": [("a\0b", ValueError), (b"a\0b", ValueError), (5, TypeError),
           ("x" * 256, EBADID), ("", EBADID)],
    "enum": [(True, TypeError), (False, TypeError), (1.0, TypeError),
             (None, TypeError), ("no_such_name", ValueError),
             (2 ** 32 + 5, OverflowError), (-2 ** 31 - 1, OverflowError)],
    "kind": [(True, TypeError), (1.5, TypeError), (2 ** 31, OverflowError)],
    "nout": _ints(0, 2 ** 64 - 1) + [(0, ValueError), (1001, ValueError)],
    "won": [(0, TypeError), (1, TypeError), (None, TypeError),
            ("maybe", ValueError), ("", ValueError)],
}

# (handle, method, valid arguments, {argument index: kind}); every wrapped
# function that takes an integer, a string or an enum-like argument.
TABLE = [
    ("lead", "add", ["N", T0, 0, None, None, None],
     {0: "id", 1: "time", 2: "enum", 3: "str", 4: "str", 5: "str"}),
    ("lead", "event", ["L", "site_visit", T0, 0.0],
     {0: "id", 1: "kind", 2: "time", 3: "dbl"}),
    ("lead", "score", ["L", T0], {0: "id", 1: "time"}),
    ("lead", "band", ["L", T0], {0: "id", 1: "time"}),
    ("lead", "stage", ["L"], {0: "id"}),
    ("lead", "remove", ["L"], {0: "id"}),
    ("lead", "set_stage", ["L", "nurturing", T0],
     {0: "id", 1: "enum", 2: "time"}),
    ("lead", "stage_history", ["L"], {0: "id"}),
    ("lead", "outcome", ["L", True, T0], {0: "id", 1: "won", 2: "time"}),
    ("lead", "probability", ["L", T0], {0: "id", 1: "time"}),
    ("lead", "factors", ["L", T0, 5], {0: "id", 1: "time", 2: "i32"}),
    ("lead", "top", [T0, 10, 0, -1, -1, -1, None],
     {0: "time", 1: "i32", 2: "enum", 3: "enum", 4: "enum", 5: "enum",
      6: "str"}),
    ("lead", "counts", [T0], {0: "time"}),
    ("lead", "band_changes", [T0, T0], {0: "time", 1: "time"}),
    ("lead", "band_changes_why", [T0, T0], {0: "time", 1: "time"}),
    ("lead", "suggest_points", [0.0], {0: "dbl"}),
    ("lead", "points_dry_run", [{}, T0, None, None, 5, 0],
     {1: "time", 4: "i32", 5: "u64"}),
    ("lead", "points_apply", [{}, T0], {1: "time"}),
    ("lead", "list", [T0, -1, -1], {0: "time", 1: "enum", 2: "enum"}),
    ("lead", "funnel", [T0, T0 + DAY, T0, "all", 30.0],
     {0: "i64", 1: "i64", 2: "time", 3: "enum", 4: "dbl"}),
    ("lead", "add_kind", ["k"], {0: "str"}),
    ("lead", "kind_id", ["site_visit"], {0: "str"}),
    ("lead", "kind_name", [1], {0: "kind"}),
    ("lead", "kind_set", ["site_visit", 1.0, 0.0, 0.0, 0.0],
     {0: "kind", 1: "dbl", 2: "dbl", 3: "dbl", 4: "dbl"}),
    ("lead", "kind_get", [1], {0: "kind"}),
    ("lead", "attr_points_set", ["region", "RU", 1.0],
     {0: "enum", 1: "str", 2: "dbl"}),
    ("lead", "set_attr", ["L", "region", "RU"],
     {0: "id", 1: "enum", 2: "str"}),
    ("lead", "merge", ["L", "M", T0], {0: "id", 1: "id", 2: "time"}),
    ("lead", "set_param", [b2b2c.LEAD_L2, 0.1], {0: "i32", 1: "dbl"}),
    ("lead", "get_param", [b2b2c.LEAD_L2], {0: "i32"}),
    ("dealer", "seed", [1], {0: "u64"}),
    ("dealer", "put", ["D2", 1.0, ["RU"], ["boilers"], 5, 0, 24.0],
     {0: "id", 1: "dbl", 4: "i32", 5: "i32", 6: "dbl"}),
    ("dealer", "set_location", ["D", 55.0, 37.0, 10.0],
     {0: "id", 1: "dbl", 2: "dbl", 3: "dbl"}),
    ("dealer", "set_status", ["D", "paused", T0 + DAY],
     {0: "id", 1: "enum", 2: "time"}),
    ("dealer", "stats", ["D"], {0: "id"}),
    ("dealer", "list", ["active"], {0: "enum"}),
    ("dealer", "route", ["N", "RU-MOW", "boilers", "b2c_consumer", "hot",
                         T0],
     {0: "id", 1: "str", 2: "str", 3: "enum", 4: "enum", 5: "time"}),
    ("dealer", "route_customer",
     [b"N", b"k", "RU-MOW", "boilers", "b2c_consumer", "hot", T0],
     {0: "id", 1: "key", 2: "str", 3: "str", 4: "enum", 5: "enum",
      6: "time"}),
    ("dealer", "owner_win", ["R", b"k"], {0: "id", 1: "key"}),
    ("dealer", "owner", [b"k", "boilers", T0], {0: "key", 1: "str",
                                                2: "time"}),
    ("dealer", "owner_transfer", [b"k", "D", "boilers", T0],
     {0: "key", 1: "id", 2: "str", 3: "time"}),
    ("dealer", "owner_release", [b"k", "boilers", T0],
     {0: "key", 1: "str", 2: "time"}),
    ("dealer", "register", ["D", b"k", "boilers", 1.0, T0, T0],
     {0: "id", 1: "key", 2: "str", 3: "dbl", 4: "time", 5: "time"}),
    ("dealer", "registration", [b"k", "boilers", T0],
     {0: "key", 1: "str", 2: "time"}),
    ("dealer", "reg_approve", [b"k", "boilers", T0],
     {0: "key", 1: "str", 2: "time"}),
    ("dealer", "reg_reject", [b"k", "boilers", T0],
     {0: "key", 1: "str", 2: "time"}),
    ("dealer", "reg_extend", [b"k", T0, "boilers", T0],
     {0: "key", 1: "time", 2: "str", 3: "time"}),
    ("dealer", "reg_expire", [T0], {0: "time"}),
    ("dealer", "protected", [b"k", "boilers", T0],
     {0: "key", 1: "str", 2: "time"}),
    ("dealer", "route_service",
     [b"N", "repair", "RU-MOW", b"k", "boilers", "b2c_consumer", "hot", T0],
     {0: "id", 1: "enum", 2: "str", 4: "str", 5: "enum", 6: "enum",
      7: "time"}),
    ("dealer", "certify", ["D", "repair", "boilers", T0],
     {0: "id", 1: "enum", 2: "str", 3: "time"}),
    ("dealer", "decertify", ["D", "repair", "boilers", T0],
     {0: "id", 1: "enum", 2: "str", 3: "time"}),
    ("dealer", "certified", ["D", "repair", "boilers", T0],
     {0: "id", 1: "enum", 2: "str", 3: "time"}),
    ("dealer", "owner_assign", [b"k", "D", T0, "boilers", T0],
     {0: "key", 1: "id", 2: "time", 3: "str", 4: "time"}),
    ("dealer", "list_owners", [T0], {0: "time"}),
    ("dealer", "accept", ["R", "D", T0], {0: "id", 1: "id", 2: "time"}),
    ("dealer", "decline", ["R", "D", 1, T0],
     {0: "id", 1: "id", 2: "i32", 3: "time"}),
    ("dealer", "expire", [T0], {0: "time"}),
    ("dealer", "recall", ["R", T0], {0: "id", 1: "time"}),
    ("dealer", "erase_lead", ["nobody"], {0: "id"}),
    ("dealer", "erase_customer", [b"nobody"], {0: "key"}),
    ("dealer", "merge_lead", ["nobody", "R", T0],
     {0: "id", 1: "id", 2: "time"}),
    ("dealer", "offboard", ["nobody", T0], {0: "id", 1: "time"}),
    ("dealer", "prune", [T0, 10], {0: "time", 1: "u64"}),
    ("dealer", "close_due", [T0, 10], {0: "time", 1: "u64"}),
    ("ch", "remove", ["nope"], {0: "id"}),
    ("dealer", "outcome", ["R", True, 10.0, T0],
     {0: "id", 1: "won", 2: "dbl", 3: "time"}),
    ("dealer", "lead_state", ["R"], {0: "id"}),
    ("dealer", "audit_lead", ["R"], {0: "id"}),
    ("dealer", "audit_dealer", ["D"], {0: "id"}),
    ("dealer", "scorecards", [T0, T0], {0: "time", 1: "time"}),
    ("dealer", "funnel", [T0, T0], {0: "time", 1: "time"}),
    ("fc", "set_param", [b2b2c.FORECASTER_L2, 0.1], {0: "i32", 1: "dbl"}),
    ("ch", "set_param", [b2b2c.CHANNELS_LOOKBACK_DAYS, 30],
     {0: "i32", 1: "dbl"}),
    ("ch", "list", ["reach"], {0: "enum"}),
    ("dealer", "set_param", [b2b2c.DEALER_PARAM_MAX_SHARE, 0.5],
     {0: "i32", 1: "dbl"}),
    ("seg", "rule_add", ["r", 1, "b2c_consumer", "party_type == person"],
     {0: "id", 1: "i32", 2: "enum", 3: "str"}),
    ("seg", "rule_remove", ["r"], {0: "id"}),
    ("seg", "assign", ["A", {}, T0], {0: "id", 2: "time"}),
    ("seg", "assign_segment", ["A", "b2c_consumer", T0],
     {0: "id", 1: "enum", 2: "time"}),
    ("seg", "assignment", ["A"], {0: "id"}),
    ("seg", "list_accounts", ["b2c_consumer"], {0: "enum"}),
    ("seg", "history", ["A"], {0: "id"}),
    ("seg", "migrations", [T0], {0: "time"}),
    ("seg", "route", ["b2c_consumer", "hot"], {0: "enum", 1: "enum"}),
    ("seg", "route_set", ["b2c_consumer", "hot", "dealer", "reach"],
     {0: "enum", 1: "enum", 2: "enum", 3: "enum"}),
    ("seg", "route_reset", ["b2c_consumer", "hot"], {0: "enum", 1: "enum"}),
    ("fc", "add_purchase", ["C", "b2c_consumer", T0, 10.0, 0],
     {0: "id", 1: "enum", 2: "time", 3: "dbl", 4: "enum"}),
    ("fc", "cancel_subscription", ["C", T0], {0: "id", 1: "time"}),
    ("fc", "add_kind", ["k"], {0: "str"}),
    ("fc", "kind_name", [1], {0: "kind"}),
    ("fc", "fit", [T0, -1], {0: "time", 1: "enum"}),
    ("fc", "spend_source", [-1], {0: "enum"}),
    ("fc", "remove_customer", ["C"], {0: "id"}),
    ("fc", "erase", ["C"], {0: "id"}),
    ("lead", "erase", ["L"], {0: "id"}),
    ("lead", "close_due", [T0, 10], {0: "time", 1: "u64"}),
    ("fc", "fold", [T0, 10], {0: "time", 1: "u64"}),
    ("lead", "reopen", ["L"], {0: "id"}),
    ("seg", "erase", ["A"], {0: "id"}),
    ("ch", "erase", ["L"], {0: "id"}),
    ("ch", "merge", ["L", "M"], {0: "id", 1: "id"}),
    ("fc", "list_customers", ["b2c_consumer"], {0: "enum"}),
    ("fc", "service_stats", [b2b2c.FORECAST_KIND_INSTALL, -1],
     {0: "enum", 1: "enum"}),
    ("fc", "customer", ["C", T0, 30.0], {0: "id", 1: "time", 2: "dbl"}),
    ("fc", "due", [T0, 30.0], {0: "time", 1: "dbl"}),
    ("fc", "holdout", [T0, T0 + DAY, 5, -1],
     {0: "time", 1: "time", 2: "nout", 3: "enum"}),
    ("ch", "add", ["C2", "reach", 0, 0],
     {0: "id", 1: "enum", 2: "enum", 3: "enum"}),
    ("ch", "get", ["seo"], {0: "id"}),
    ("ch", "set_spend", ["seo", T0, 1.0, 0.0],
     {0: "id", 1: "time", 2: "dbl", 3: "dbl"}),
    ("ch", "touch", ["L2", "seo", T0], {0: "id", 1: "id", 2: "time"}),
    ("ch", "convert", ["L2", T0, 0.0], {0: "id", 1: "time", 2: "dbl"}),
    ("ch", "set_ltv", ["L1", 1.0], {0: "id", 1: "dbl"}),
    ("ch", "metrics", [b2b2c.CHANNELS_BY_CHANNEL, "linear", T0, T0],
     {0: "enum", 1: "enum", 2: "time", 3: "time"}),
    ("ch", "attribute", ["linear", T0, T0],
     {0: "enum", 1: "time", 2: "time"}),
    ("ch", "attribute_lead", ["L1", "markov", T0, T0 + DAY],
     {0: "id", 1: "enum", 2: "time", 3: "time"}),
    ("ch", "markov_effects", [T0, T0], {0: "time", 1: "time"}),
    ("ch", "mix_shares", ["linear", T0, T0],
     {0: "enum", 1: "time", 2: "time"}),
    ("ch", "mix_lag", [T0, T0, -1], {0: "time", 1: "time", 2: "enum"}),
    (None, "segment_name", [1], {0: "i32"}),
    (None, "segment_from_name", ["b2c_consumer"], {0: "str"}),
    (None, "band_from_name", ["hot"], {0: "str"}),
    (None, "lead_stage_from_name", ["won"], {0: "str"}),
    (None, "channel_sub_kind", [1], {0: "i32"}),
    ("pg", "set_promo", ["P", "D1", T0, T0 + DAY, 100, None],
     {0: "id", 1: "id", 2: "time", 3: "time", 4: "i64", 5: "str"}),
    ("pg", "claim", ["K", "P", "D1", 10, T0],
     {0: "id", 1: "id", 2: "id", 3: "i64", 4: "time"}),
    ("pg", "claim_status", ["K", "approved", T0],
     {0: "id", 1: "enum", 2: "time"}),
    ("pg", "claims", [None, None], {0: "id", 1: "id"}),
    ("pg", "promo_spend", ["budget", None, None],
     {0: "enum", 1: "id", 2: "id"}),
    ("pg", "promo_uplift", ["P", "D1", None], {0: "id", 1: "id"}),
    ("pg", "promo_uplift_list", ["P", None], {0: "id"}),
]


class EdgeValueTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()
        c = self.ctx
        lead = b2b2c.LeadModel(c)
        lead.add("L", T0, "b2c_consumer", "search", "RU-MOW", "boilers")
        lead.event("L", "site_visit", T0)
        dealer = b2b2c.DealerEngine(c)
        dealer.put("D", 1.0, ["RU-MOW"], ["boilers"], capacity=5)
        dealer.route("R", "RU-MOW", "boilers", "b2c_consumer", "hot", T0)
        seg = b2b2c.Segmenter(c)
        fc = b2b2c.Forecaster(c)
        fc.add_purchase("C", "b2c_consumer", T0, 10.0)
        ch = b2b2c.Channels(c)
        ch.add("seo", "reach", "informational_seo", "b2c")
        ch.touch("L1", "seo", T0)
        ch.convert("L1", T0 + DAY, 100.0)
        pg = b2b2c.Programs(c)
        pg.set_dealer("D1")
        self.handles = {"lead": lead, "dealer": dealer, "seg": seg,
                        "fc": fc, "ch": ch, "pg": pg, None: b2b2c}

    def tearDown(self):
        self.ctx.close()

    def test_table_covers_every_method_with_scalar_arguments(self):
        covered = {(h, m) for h, m, _, _ in TABLE}
        for h, cls in (("lead", b2b2c.LeadModel),
                       ("dealer", b2b2c.DealerEngine),
                       ("fc", b2b2c.Forecaster), ("ch", b2b2c.Channels)):
            for name in vars(cls):
                if name.startswith("_") or name in (
                        "close", "count", "refit", "handle", "ctx",
                        "set_alert", "set_rescore_alert",
                        "points_history", "param_bounds", "version", "rules",
                        "fit_params", "subscription_stats", "summaries",
                        "get_param"):
                    continue
                self.assertIn((h, name), covered)

    def test_edge_values(self):
        checked = 0
        for h, method, args, kinds in TABLE:
            fn = getattr(self.handles[h], method)
            for i, kind in kinds.items():
                for value, want in EDGES[kind]:
                    a = list(args)
                    a[i] = value
                    what = "%s.%s arg %d = %r" % (h, method, i, value)
                    with self.subTest(what):
                        if isinstance(want, tuple):
                            with self.assertRaises(b2b2c.Error) as cm:
                                fn(*a)
                            self.assertEqual(cm.exception.code, want[1])
                        else:
                            with self.assertRaises(want):
                                fn(*a)
                    checked += 1
        self.assertGreater(checked, 600)
        # nothing above reached the store: the lead is still as set up
        self.assertEqual(self.handles["lead"].count(), 1)
        self.assertEqual(self.handles["dealer"].count(), 1)

    def test_issue_cases(self):
        lead = self.handles["lead"]
        with self.assertRaises(ValueError):
            lead.add("a\0b", T0)
        with self.assertRaises(OverflowError):
            lead.add("b", T0, 2 ** 32 + 5)
        with self.assertRaises(OverflowError):
            lead.add("c", 2 ** 64 + 7)
        self.assertEqual(lead.count(), 1)
        self.assertRaises(b2b2c.Error, lead.stage, "a")

    def test_every_c_function_checks_before_the_call(self):
        """Each declared function, each integer position at min-1 and
        max+1, each string position with a NUL: the binding raises before
        ctypes converts (NULL handles elsewhere would give EINVAL)."""
        ranges = {}
        for t in (ctypes.c_int, ctypes.c_int32, ctypes.c_uint32,
                  ctypes.c_int64, ctypes.c_uint64, ctypes.c_size_t):
            bits = 8 * ctypes.sizeof(t)
            signed = t(-1).value < 0
            ranges[t] = ((-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
                         if signed else (0, (1 << bits) - 1))
        n = 0
        for name in sorted(b2b2c._DECLARED):
            fn = getattr(b2b2c.lib, name)
            types = fn.argtypes
            base = [0 if t in ranges else 0.0 if t is ctypes.c_double
                    else None for t in types]
            for i, t in enumerate(types):
                cases = []
                if t in ranges:
                    lo, hi = ranges[t]
                    cases = [(lo - 1, OverflowError), (hi + 1, OverflowError),
                             (True, TypeError), (2.5, TypeError)]
                elif t is ctypes.c_char_p:
                    cases = [("a\0b", ValueError), (b"\0", ValueError),
                             (7, TypeError)]
                for value, exc in cases:
                    a = list(base)
                    a[i] = value
                    with self.subTest(name=name, arg=i + 1, value=value):
                        with self.assertRaises(exc) as cm:
                            fn(*a)
                        self.assertIn(name, str(cm.exception))
                        self.assertIn("argument %d" % (i + 1),
                                      str(cm.exception))
                    n += 1
        self.assertGreater(n, 800)


class EnumAndOutcomeTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()
        self.d = b2b2c.DealerEngine(self.ctx)
        self.d.put("D", 1.0, ["RU"], ["boilers"], capacity=5)
        for lead in ("a", "b", "c", "d"):
            self.d.route(lead, "RU", "boilers", "b2c_consumer", "hot", T0)
            self.d.accept(lead, "D", T0 + 60)

    def tearDown(self):
        self.ctx.close()

    def test_outcome_names_and_bools(self):
        self.d.outcome("a", "lost", 0.0, T0 + DAY)
        self.d.outcome("b", False, 0.0, T0 + DAY)
        self.d.outcome("c", "won", 5.0, T0 + DAY)
        self.d.outcome("d", True, 7.0, T0 + DAY)
        st = self.d.stats("D")
        self.assertEqual((st["won"], st["lost"], st["revenue"]),
                         (2, 2, 12.0))

    def test_lead_outcome_lost_is_lost(self):
        with b2b2c.Context() as ctx:
            m = b2b2c.LeadModel(ctx)
            m.set_param(b2b2c.LEAD_MIN_OUTCOMES, 2)
            for lead in ("a", "b", "c"):
                m.add(lead, T0)
                m.outcome(lead, "lost", T0 + DAY)
            with self.assertRaises(b2b2c.Error) as cm:
                m.refit()  # needs both won and lost outcomes
            self.assertIn("3 outcomes (0 won)", cm.exception.message)
            m.add("d", T0)
            m.outcome("d", "won", T0 + DAY)
            m.add("e", T0)
            m.outcome("e", False, T0 + DAY)
            m.refit()

    def test_enum_names_accepted(self):
        self.d.set_status("D", "paused", T0 + 10 * DAY)
        self.d.set_status("D", b2b2c.DEALER_ACTIVE)
        ch = b2b2c.Channels(self.ctx)
        ch.add("s", "lead_generation", "search_ads", "b2c")
        ch.set_spend("s", T0, 10.0)
        self.assertEqual(
            dict(ch.metrics("channel", "linear", T0, T0 + DAY))["s"]["spend"],
            10.0)


class TimeIsRequiredTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()
        self.d = b2b2c.DealerEngine(self.ctx)
        self.d.put("D", 1.0, ["RU"], ["boilers"], capacity=5)

    def tearDown(self):
        self.ctx.close()

    def test_route_and_outcome_need_now(self):
        with self.assertRaisesRegex(TypeError, "now"):
            self.d.route("a", "RU", "boilers", "b2c_consumer", "hot")
        self.assertRaises(b2b2c.Error, self.d.lead_state, "a")
        self.d.route("a", "RU", "boilers", "b2c_consumer", "hot", T0)
        self.d.accept("a", "D", T0 + 60)
        with self.assertRaisesRegex(TypeError, "now"):
            self.d.outcome("a", True, 10.0)
        self.assertEqual(self.d.stats("D")["won"], 0)

    def test_pause_needs_an_end(self):
        with self.assertRaisesRegex(TypeError, "paused_until"):
            self.d.set_status("D", "paused")
        self.d.route("a", "RU", "boilers", "b2c_consumer", "hot", T0)
        self.assertEqual(self.d.lead_state("a"), (b2b2c.DEALER_LEAD_OFFERED,
                                                  "D"))

    def test_markov_lead_attribution_needs_a_window(self):
        ch = b2b2c.Channels(self.ctx)
        ch.add("seo", "reach")
        ch.touch("L", "seo", T0)
        ch.convert("L", T0 + DAY)
        with self.assertRaisesRegex(TypeError, "from_"):
            ch.attribute_lead("L", "markov")
        self.assertEqual([s.share for s in ch.attribute_lead("L", "last")],
                         [1.0])


if __name__ == "__main__":
    unittest.main()
