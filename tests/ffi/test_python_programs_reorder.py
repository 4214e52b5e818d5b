# SPDX-License-Identifier: MIT
"""The Python binding's reorder due list (Programs.reorders, reorder_of)
against the built library: dealer d1's case worked by hand in
tests/unit/test_programs_reorder.c."""
import datetime
import math
import os
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402

UTC = datetime.timezone.utc


def day(m, d):
    return datetime.datetime(2026, m, d, 12, tzinfo=UTC)


def midnight(m, d):
    return int(datetime.datetime(2026, m, d, tzinfo=UTC).timestamp())


class ProgramReorderTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()
        p = self.p = b2b2c.Programs(self.ctx)
        p.set_dealer("d1", 1, "north")
        p.add_point("p1", "d1")
        p.add_point("p2", "d1")
        # orders 5, 12 (two points and lines), 19 and 29 January; a return
        # on 2 February is no order
        p.record_batch([
            ("sell_in", "p1", "A", day(1, 5), 10, 1000),
            ("sell_in", "p2", "A", day(1, 12), 6, 600),
            ("sell_in", "p1", "B", day(1, 12), 4, 400),
            ("sell_in", "p1", "A", day(1, 19), 12, 1200),
            ("sell_in", "p1", "A", day(1, 29), 8, 800),
            ("return_in", "p1", "A", day(2, 2), 3, 300),
        ])

    def tearDown(self):
        self.ctx.close()

    def test_due_list(self):
        rows = self.p.reorders(day(2, 10))
        self.assertEqual([r[0] for r in rows], ["d1"])
        f = rows[0][1]
        self.assertEqual(f["orders"], 4)
        self.assertEqual(f["median_interval"], 7)
        self.assertEqual(f["due"], midnight(2, 5))
        self.assertEqual(f["days_late"], 5)
        self.assertEqual(f["overdue"], 1)
        self.assertEqual(f["expected_units"], 10)
        self.assertEqual(self.p.reorders(day(2, 10), by="point",
                                         product_line="B"), [])
        self.assertEqual(self.p.reorders(day(1, 30), window_days=5), [])
        self.assertEqual(len(self.p.reorders(day(1, 30), window_days=6)), 1)
        self.p.set_param(b2b2c.PROGRAMS_PARAM_REORDER_MIN_ORDERS, 5)
        self.assertEqual(self.p.reorders(day(2, 10)), [])
        with self.assertRaises(b2b2c.Error) as e:
            self.p.reorders(day(2, 10), window_days=-1)
        self.assertEqual(e.exception.code, b2b2c.ERANGE)

    def test_reorder_of(self):
        d0 = midnight(3, 1)
        orders = [(d0 + 55 * 86400, 7, 70), (d0 + 10 * 86400, 2, 20),
                  (d0, 5, 50), (d0 + 30 * 86400, 5, 60),
                  (d0 + 10 * 86400 + 3600, 3, 30)]
        f = self.p.reorder_of(orders, d0 + 60 * 86400)
        self.assertEqual(f["orders"], 4)
        self.assertEqual(f["median_interval"], 20)
        self.assertEqual(f["days_late"], -15)
        self.assertEqual(f["expected_amount"], 55)
        f = self.p.reorder_of([], d0)
        self.assertEqual(f["orders"], 0)
        self.assertTrue(math.isnan(f["due"]))
        with self.assertRaises(b2b2c.Error) as e:
            self.p.reorder_of([(d0, -1, 0)], d0)
        self.assertEqual(e.exception.code, b2b2c.ERANGE)
        self.assertIn("units[0]", str(e.exception))


if __name__ == "__main__":
    unittest.main()
