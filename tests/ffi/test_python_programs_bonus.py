# SPDX-License-Identifier: MIT
"""The Python binding's volume bonus programs (Programs.set_program,
program_status, program_status_list) against the built library: the
retroactive and incremental cases worked by hand in
tests/unit/test_programs_bonus.c."""
import datetime
import os
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402

UTC = datetime.timezone.utc
FEB14 = datetime.datetime(2026, 2, 14, 12, tzinfo=UTC)


class ProgramBonusTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()
        p = self.p = b2b2c.Programs(self.ctx)
        p.set_dealer("d1", 1, "north")
        p.set_dealer("d2", 1, "north")
        p.add_point("p1", "d1")
        p.add_point("p2", "d1")
        p.record_batch([
            ("sell_in", "p1", "L1",
             datetime.datetime(2026, 1, 10, tzinfo=UTC), 10, 300000),
            ("sell_in", "p2", "L2",
             datetime.datetime(2026, 2, 1, tzinfo=UTC), 30, 350000),
            ("return_in", "p1", "L1",
             datetime.datetime(2026, 2, 5, tzinfo=UTC), 2, 50000),
            ("correction_in", "p2", "L2",
             datetime.datetime(2026, 2, 10, tzinfo=UTC), 0, 1),
            ("sell_out", "p1", "L1",
             datetime.datetime(2026, 2, 6, tzinfo=UTC), 99, 999999),
        ])

    def tearDown(self):
        self.ctx.close()

    def test_retroactive_and_incremental(self):
        p = self.p
        p.set_program("R", [100000, 500000, 1000000], [100, 200, 300])
        s = p.program_status("R", "d1", FEB14)
        self.assertEqual(s["volume"], 600001)
        self.assertEqual(s["tier"], 2)
        self.assertEqual(s["gap"], 399999)
        self.assertEqual(s["accrued"], 12000)
        self.assertEqual(s["projected_volume"], 1200002)
        self.assertEqual(s["projected_tier"], 3)
        self.assertEqual(s["projected_bonus"], 36000)
        self.assertEqual(s["period_days"], 90)
        self.assertEqual(s["elapsed_days"], 45)
        p.set_program("I", [100000, 500000, 1000000], [100, 200, 300],
                      mode="incremental")
        self.assertEqual(p.program_status("I", "d1", FEB14)["accrued"], 6000)
        rows = p.program_status_list("R", FEB14)
        self.assertEqual(list(rows), ["d1", "d2"])
        self.assertEqual(rows["d1"], s)
        self.assertEqual(rows["d2"]["tier"], 0)
        self.assertEqual(rows["d2"]["next_threshold"], 100000)

    def test_units_line_and_errors(self):
        p = self.p
        p.set_program("U", [10, 50], [100, 250], basis="units",
                      period=b2b2c.PROGRAM_PERIOD_YEAR, product_line="L1")
        s = p.program_status("U", "d1", FEB14)
        self.assertEqual(s["volume"], 8)
        self.assertEqual(s["accrued"], 0)
        self.assertEqual(s["period_days"], 365)
        with self.assertRaises(b2b2c.Error) as cm:
            p.set_program("U", [10, 50, 20], [1, 2, 3])
        self.assertEqual(cm.exception.code, b2b2c.ERANGE)
        self.assertIn("tiers[2].threshold", str(cm.exception))
        with self.assertRaises(b2b2c.Error) as cm:
            p.program_status("nope", "d1", FEB14)
        self.assertEqual(cm.exception.code, b2b2c.ENOTFOUND)
        with self.assertRaises(ValueError):
            p.set_program("U", [10], [1], mode="stepwise")
        with self.assertRaises(ValueError):
            p.set_program("U", [10, 20], [1])


if __name__ == "__main__":
    unittest.main()
