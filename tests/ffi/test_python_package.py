# SPDX-License-Identifier: MIT
"""The Python package as a user sees it: every public function and method
documented and typed, the enums as IntEnum classes generated from the
headers, datetime accepted wherever a time is, listings iterable, context
managers, the package's version. With B2B2C_TEST_INSTALLED=1 (.ci/run) it
imports the installed package and checks that it is not the tree's."""
import datetime
import enum
import inspect
import os
import re
import sys
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(
    __file__)), "..", ".."))
INSTALLED = os.environ.get("B2B2C_TEST_INSTALLED") == "1"
if not INSTALLED:
    sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402
import b2b2c.dask  # noqa: E402 (imports without dask: dask loads lazily)

UTC = datetime.timezone.utc
T0 = 1767225600  # 2026-01-01 00:00:00 UTC
DT0 = datetime.datetime(2026, 1, 1, tzinfo=UTC)
DAY = 86400


def public_callables():
    """(qualified name, function) of every public function of the package
    and every public method or property of its public classes (walking the
    classes' bases that belong to the package)."""
    seen = set()
    names = [(b2b2c, n, n) for n in sorted(b2b2c.__all__)]
    names += [(b2b2c.dask, n, "dask." + n) for n in sorted(b2b2c.dask.__all__)]
    for mod, attr_name, name in names:
        obj = getattr(mod, attr_name)
        if inspect.isfunction(obj):
            if obj not in seen:
                seen.add(obj)
                yield name, obj
        elif inspect.isclass(obj) and not issubclass(obj, enum.Enum):
            for klass in obj.__mro__:
                if not klass.__module__.startswith("b2b2c"):
                    continue
                for attr, v in vars(klass).items():
                    if attr.startswith("_") and attr not in (
                            "__init__", "__iter__", "__len__", "__enter__",
                            "__exit__"):
                        continue
                    if isinstance(v, property):
                        v = v.fget
                    if isinstance(v, (staticmethod, classmethod)):
                        v = v.__func__
                    if not inspect.isfunction(v) or v in seen:
                        continue
                    if v.__qualname__.startswith("namedtuple"):
                        continue  # namedtuple's own (_make, __new__, ...)
                    seen.add(v)
                    yield "%s.%s" % (klass.__name__, attr), v


class DocumentedAndTypedTest(unittest.TestCase):
    def test_walk_finds_the_api(self):
        names = [n for n, _ in public_callables()]
        for n in ("Context.transaction", "LeadModel.score", "DealerEngine.route",
                  "Forecaster.fit", "Channels.attribute", "SQLiteStore.__init__",
                  "band_name", "to_unix", "dask.fit", "dask.predict",
                  "forecast_fit_sum"):
            self.assertIn(n, names)
        self.assertGreater(len(names), 150)

    def test_every_public_callable_has_a_docstring(self):
        missing = [n for n, f in public_callables()
                   if n.split(".")[-1] not in ("__init__", "__enter__",
                                               "__exit__", "__iter__",
                                               "__len__")
                   and not (f.__doc__ or "").strip()]
        self.assertEqual(missing, [], "public callables without a docstring")

    def test_every_public_callable_has_type_hints(self):
        missing = []
        for n, f in public_callables():
            sig = inspect.signature(f)
            params = [p for p in sig.parameters.values()
                      if p.name not in ("self", "cls")
                      and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
            untyped = [p.name for p in params
                       if p.annotation is inspect.Parameter.empty]
            if untyped:
                missing.append("%s(%s)" % (n, ", ".join(untyped)))
            elif (sig.return_annotation is inspect.Signature.empty
                  and not n.endswith("__init__")):
                missing.append("%s -> ?" % n)
        self.assertEqual(missing, [], "public callables without type hints")

    def test_py_typed(self):
        pkg = os.path.dirname(b2b2c.__file__)
        self.assertTrue(os.path.isfile(os.path.join(pkg, "py.typed")))


class EnumTest(unittest.TestCase):
    def test_classes_are_intenum_and_constants_their_members(self):
        self.assertTrue(issubclass(b2b2c.Band, enum.IntEnum))
        self.assertIs(b2b2c.BAND_HOT, b2b2c.Band.HOT)
        self.assertEqual(b2b2c.Band.HOT, 3)
        self.assertIs(b2b2c.LeadStage(b2b2c.LEAD_STAGE_WON),
                      b2b2c.LeadStage.WON)
        self.assertIs(b2b2c.Status(-1), b2b2c.Status.EINVAL)
        self.assertIs(b2b2c.EINVAL, b2b2c.Status.EINVAL)

    def test_every_enum_constant_is_a_member(self):
        n = 0
        for cls in b2b2c.ENUMS.values():
            for member in cls:
                n += 1
                self.assertIsInstance(member, int)
        self.assertGreater(n, 100)

    def test_names_match_the_c_names(self):
        # Band.HOT is the C B2B2C_BAND_HOT: its stable name is "hot"
        for m in b2b2c.Band:
            self.assertEqual(b2b2c.band_name(m), m.name.lower())
        for m in b2b2c.Segment:
            self.assertEqual(b2b2c.segment_from_name(m.name.lower()), m)

    def test_members_pass_as_arguments(self):
        with b2b2c.Context() as ctx:
            m = b2b2c.LeadModel(ctx)
            m.add("a", T0, segment=b2b2c.Segment.B2B_LARGE)
            m.set_stage("a", b2b2c.LeadStage.QUALIFIED, T0)
            self.assertEqual(m.stage("a"), b2b2c.LeadStage.QUALIFIED)
            self.assertIs(m.stage("a"), b2b2c.LeadStage.QUALIFIED)
            self.assertIs(m.score("a", T0)[1], b2b2c.Band.COLD)
            self.assertEqual(m.top(T0, band=b2b2c.Band.COLD)[0].lead_id, "a")


class TimeTest(unittest.TestCase):
    def test_to_unix(self):
        self.assertEqual(b2b2c.to_unix(DT0), T0)
        self.assertEqual(b2b2c.to_unix(T0), T0)
        msk = datetime.timezone(datetime.timedelta(hours=3))
        self.assertEqual(b2b2c.to_unix(datetime.datetime(2026, 1, 1, 3,
                                                         tzinfo=msk)), T0)
        # floored to the second, before 1970 too
        self.assertEqual(b2b2c.to_unix(DT0 + datetime.timedelta(
            microseconds=999999)), T0)
        self.assertEqual(b2b2c.to_unix(datetime.datetime(
            1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)), -1)
        self.assertEqual(b2b2c.from_unix(T0), DT0)

    def test_naive_datetime_and_date_refused(self):
        with self.assertRaisesRegex(TypeError, "naive datetime"):
            b2b2c.to_unix(datetime.datetime(2026, 1, 1))
        with self.assertRaisesRegex(TypeError, "not an instant"):
            b2b2c.to_unix(datetime.date(2026, 1, 1))

    def test_datetime_is_the_same_as_its_seconds(self):
        with b2b2c.Context() as ctx:
            m = b2b2c.LeadModel(ctx)
            m.add("a", T0)
            m.add("b", DT0)
            for lid, t in (("a", T0 + DAY), ("b", DT0 + datetime.timedelta(1))):
                m.event(lid, "quote_request", t)
            self.assertEqual(m.score("a", T0 + 2 * DAY),
                             m.score("b", DT0 + datetime.timedelta(2)))
            with self.assertRaisesRegex(TypeError, "argument 5.*naive"):
                m.score("a", datetime.datetime(2026, 1, 2))

    def test_datetime_in_every_engine(self):
        with b2b2c.Context() as ctx:
            d = b2b2c.DealerEngine(ctx)
            d.put("d1", territories=["RU-MOW"], product_lines=["boilers"],
                  capacity=5, deadline_hours=24)
            r = d.route("l1", "RU-MOW", "boilers", now=DT0)
            self.assertEqual(r[0], "d1")
            d.accept("l1", "d1", DT0 + datetime.timedelta(hours=1))
            self.assertEqual(d.lead_state("l1")[0],
                             b2b2c.DealerLeadState.ACCEPTED)
            f = b2b2c.Forecaster(ctx)
            f.add_purchase("c1", "b2b_large", DT0, 100.0)
            f.add_purchase("c1", "b2b_large",
                           DT0 + datetime.timedelta(days=30), 50.0)
            self.assertEqual(len(f.list_customers()), 1)
            self.assertEqual(f.list_customers()[0].first, T0)
            self.assertEqual(f.list_customers()[0].last, T0 + 30 * DAY)
            ch = b2b2c.Channels(ctx)
            ch.add("search", b2b2c.ChannelKind.LEADGEN)
            ch.set_spend("search", DT0, 10.0)
            ch.touch("l1", "search", DT0)
            ch.convert("l1", DT0 + datetime.timedelta(days=1), 100.0)
            rows = ch.attribute(b2b2c.ChannelAttribution.LAST, DT0,
                                DT0 + datetime.timedelta(days=7))
            self.assertIn(("search", 100.0),
                          [(r.channel_id, r.revenue) for r in rows])


class IterationTest(unittest.TestCase):
    def test_engines_iterate_their_listing(self):
        with b2b2c.Context() as ctx:
            d = b2b2c.DealerEngine(ctx)
            for i in range(3):
                d.put("d%d" % i, territories=["RU-MOW"],
                      product_lines=["boilers"], capacity=5)
            self.assertEqual([x.dealer_id for x in d], ["d0", "d1", "d2"])
            self.assertEqual(list(d), d.list())
            ch = b2b2c.Channels(ctx)
            ch.add("search", b2b2c.ChannelKind.LEADGEN)
            self.assertEqual([x.channel_id for x in ch], ["search"])
            f = b2b2c.Forecaster(ctx)
            f.add_purchase("c1", "b2c_consumer", T0, 10.0)
            self.assertEqual([x.customer_id for x in f], ["c1"])
            s = b2b2c.Segmenter(ctx)
            s.assign_segment("a1", "b2b_large", T0)
            self.assertEqual([x.account_id for x in s], ["a1"])
            with self.assertRaisesRegex(TypeError, "not iterable"):
                iter(b2b2c.LeadModel(ctx))

    def test_context_managers(self):
        with b2b2c.Context() as ctx:
            with b2b2c.LeadModel(ctx) as m:
                with ctx.transaction():
                    m.add("a", T0)
                self.assertEqual(len(m), 1)
            with self.assertRaises(b2b2c.Error):
                m.count()  # closed by its with block
        with self.assertRaises(b2b2c.Error):
            ctx.handle  # closed by its with block


class PackageTest(unittest.TestCase):
    def test_where_it_comes_from(self):
        inside = os.path.abspath(b2b2c.__file__).startswith(ROOT + os.sep)
        self.assertEqual(inside, not INSTALLED, b2b2c.__file__)

    def adapter(self, make):
        """make() -> a store; a missing adapter library skips in the build
        tree (it was not configured), fails installed."""
        try:
            return make()
        except OSError as e:
            if INSTALLED:
                raise
            self.skipTest("adapter not built: %s" % e)

    def test_sqlite_adapter_loads(self):
        store = self.adapter(lambda: b2b2c.SQLiteStore(":memory:"))
        with store, b2b2c.Context(store) as ctx:
            m = b2b2c.LeadModel(ctx)
            m.add("a", DT0)
            self.assertEqual(len(m), 1)

    def test_postgresql_adapter_loads(self):
        # the adapter's own error, no server needed
        def connect():
            try:
                b2b2c.PostgresStore("host=/nonexistent-b2b2c dbname=x "
                                    "connect_timeout=1")
            except b2b2c.Error as e:
                return e
        e = self.adapter(connect)
        self.assertIsInstance(e, b2b2c.Error)
        self.assertLess(e.code, -1000)
        self.assertIn("PostgreSQL", str(e))

    def test_versions(self):
        # the package's version is the C library's
        if INSTALLED:
            from importlib import metadata
            self.assertEqual(metadata.version("b2b2c"), b2b2c.version())
            return
        with open(os.path.join(ROOT, "meson.build")) as f:
            meson = re.search(r"version: '([^']+)'", f.read()).group(1)
        with open(os.path.join(ROOT, "examples", "python",
                               "pyproject.toml")) as f:
            py = re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)
        with open(os.path.join(ROOT, "examples", "ruby",
                               "b2b2c.gemspec")) as f:
            rb = re.search(r's\.version = "([^"]+)"', f.read()).group(1)
        self.assertEqual((py, rb), (meson, meson))
        self.assertEqual(b2b2c.version(), meson)


if __name__ == "__main__":
    unittest.main()
