# SPDX-License-Identifier: MIT
"""The Python binding's Programs class against the built library."""
import datetime
import math
import os
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402

DAY = 86400
T0 = 1767225600  # 2026-01-01
MAR = T0 + 59 * DAY  # 2026-03-01
APR = MAR + 31 * DAY


class ProgramsTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()
        self.p = b2b2c.Programs(self.ctx)

    def tearDown(self):
        self.ctx.close()

    def test_report(self):
        p = self.p
        p.set_dealer("d1", 1, "north")
        p.set_dealer("d2", 1, "north")
        p.add_point("p1", "d1")
        p.add_point("p2", "d2")
        p.record("sell_out", "p1", "A", MAR + DAY, 10, 1000)
        p.record(b2b2c.PROGRAMS_KIND_RETURN_OUT, "p1", "A", MAR + 2 * DAY,
                 1, 100)
        p.record_batch([
            ("sell_out", "p2", "A",
             datetime.datetime(2026, 3, 5, tzinfo=datetime.timezone.utc),
             3, 2700),
            ("stock", "p2", "A", MAR + 20 * DAY, 31, 3100),
        ])
        rep = p.report(MAR, APR)
        self.assertEqual(list(rep), ["d1", "d2"])
        self.assertEqual(rep["d1"]["sell_out_units"], 9)
        self.assertEqual(rep["d1"]["sell_out_amount"], 900)
        self.assertAlmostEqual(rep["d2"]["share"], 2700 / 3600)
        self.assertEqual(rep["d2"]["rank"], 1)
        self.assertEqual(rep["d1"]["rank_of"], 2)
        self.assertEqual(rep["d2"]["stock_units"], 31)
        self.assertAlmostEqual(rep["d2"]["days_of_stock"], 31 / (3 / 31))
        self.assertTrue(math.isnan(rep["d1"]["growth"]))
        self.assertEqual(p.list_dealers(),
                         [b2b2c.DealerRow("d1", 1, "north", 1),
                          b2b2c.DealerRow("d2", 1, "north", 1)])
        self.assertEqual(p.list_points("d2"),
                         [b2b2c.PointRow("p2", "d2", 1)])
        pts = p.report(MAR, APR, by="point", product_line="A")
        self.assertEqual(list(pts), ["p1", "p2"])
        self.assertEqual(b2b2c.programs_kind_name(1), "sell_out")
        self.assertEqual(b2b2c.programs_kind_from_name("stock"),
                         b2b2c.ProgramsKind.STOCK)

    def test_params_and_errors(self):
        p = self.p
        self.assertEqual(p.get_param(b2b2c.PROGRAMS_PARAM_TREND_PERIODS), 8)
        p.set_param(b2b2c.ProgramsParam.TREND_PERIODS, 4)
        self.assertEqual(p.get_param(b2b2c.PROGRAMS_PARAM_TREND_PERIODS), 4)
        p.set_dealer("d", 0)
        p.add_point("pt", "d")
        with self.assertRaises(b2b2c.Error) as e:
            p.record("sell_out", "pt", "A", MAR, -2, 0)
        self.assertEqual(e.exception.code, b2b2c.ERANGE)
        self.assertIn("units", str(e.exception))
        with self.assertRaises(b2b2c.Error) as e:
            p.record("sell_out", "nowhere", "A", MAR, 1, 1)
        self.assertEqual(e.exception.code, b2b2c.ENOTFOUND)
        with self.assertRaises(b2b2c.Error) as e:
            p.record_batch([("sell_out", "pt", "A", MAR, 1, 1),
                            ("sell_in", "pt", "A", MAR, 1, -1)])
        self.assertIn("amount[1]", str(e.exception))
        self.assertEqual(p.report(MAR, APR)["d"]["sell_out_units"], 0)
        with self.assertRaises(ValueError):
            p.record("sold", "pt", "A", MAR, 1, 1)
        # the store keeps it: a second handle sees the same
        p.record("correction_out", "pt", "A", MAR, -1, -5)
        q = b2b2c.Programs(self.ctx)
        self.assertEqual(q.report(MAR, APR)["d"]["sell_out_amount"], -5)
        self.assertEqual(q.get_param(b2b2c.PROGRAMS_PARAM_TREND_PERIODS), 4)


if __name__ == "__main__":
    unittest.main()
