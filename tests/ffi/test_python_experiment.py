# SPDX-License-Identifier: MIT
"""The Python binding's Experiment class against the built library."""
import math
import os
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402

DAY = 86400
T0 = 1767225600  # 2026-01-01


class ExperimentTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()
        self.x = b2b2c.Experiment(self.ctx)

    def tearDown(self):
        self.ctx.close()

    def test_report_days_srm(self):
        x = self.x
        x.add_variant("control")
        x.add_variant("new", 1.0)
        for d in range(14):
            x.add_day("control", T0 + d * DAY, 1000, 50, 500.0, 500.0 * 10)
            x.add_day("new", T0 + d * DAY, 1000, 65, 650.0, 650.0 * 10)
        rep = x.report()
        self.assertEqual(list(rep), ["control", "new"])
        self.assertEqual(rep["control"]["is_control"], 1)
        self.assertTrue(math.isnan(rep["control"]["z"]))
        new = rep["new"]
        self.assertEqual(new["exposures"], 14000)
        self.assertAlmostEqual(new["rate"], 65 / 1000)
        self.assertAlmostEqual(new["p_best"] + rep["control"]["p_best"], 1.0)
        self.assertGreater(new["p_best"], 0.99)
        self.assertGreaterEqual(new["seq_p_value"], new["p_value"])
        self.assertLess(new["uplift_lo"], new["uplift"])
        days = x.days("new")
        self.assertEqual(len(days), 14)
        self.assertEqual(days[0].day_start, T0)
        self.assertEqual(days[-1].fields["seq_p_value"], new["seq_p_value"])
        chi2, p = x.srm()
        self.assertEqual((chi2, p), (0.0, 1.0))

    def test_params_and_errors(self):
        x = self.x
        self.assertEqual(x.get_param(b2b2c.EXPERIMENT_ALPHA), 0.05)
        x.set_param(b2b2c.EXPERIMENT_MSPRT_TAU2, 1e-3)
        self.assertEqual(x.get_param(b2b2c.EXPERIMENT_MSPRT_TAU2), 1e-3)
        with self.assertRaises(b2b2c.Error) as cm:
            x.report()
        self.assertEqual(cm.exception.code, b2b2c.ENOTREADY)
        x.add_variant("a")
        with self.assertRaises(b2b2c.Error) as cm:
            x.add_day("b", T0, 10, 1)
        self.assertEqual(cm.exception.code, b2b2c.ENOTFOUND)
        with self.assertRaises(b2b2c.Error) as cm:
            x.add_day("a", T0, 10, 11)
        self.assertEqual(cm.exception.code, b2b2c.ERANGE)
        self.assertIn("conversions", str(cm.exception))
        with self.assertRaises(TypeError):
            x.add_day("a", None, 10, 1)

    def test_plan(self):
        plan = b2b2c.experiment_plan(0.05, 0.1, 0.05, 0.8, 2, 1000)
        self.assertEqual(plan.n_per_variant, 31234)
        self.assertEqual(plan.days, 63)
        with self.assertRaises(b2b2c.Error) as cm:
            b2b2c.experiment_plan(0.05, 0.0)
        self.assertEqual(cm.exception.code, b2b2c.ERANGE)


if __name__ == "__main__":
    unittest.main()
