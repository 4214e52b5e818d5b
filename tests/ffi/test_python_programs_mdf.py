# SPDX-License-Identifier: MIT
"""The Python binding's promotion budgets (Programs.set_promo, claim,
claim_status, claims, promo_spend, promo_uplift, promo_uplift_list)
against the built library: the case worked by hand in
tests/unit/test_programs_mdf.c, with one control dealer (UTC)."""
import datetime
import math
import os
import sys
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
import b2b2c  # noqa: E402

UTC = datetime.timezone.utc


def day(m, d, h=12):
    return datetime.datetime(2026, m, d, h, tzinfo=UTC)


class ProgramMdfTest(unittest.TestCase):
    def setUp(self):
        self.ctx = b2b2c.Context()
        p = self.p = b2b2c.Programs(self.ctx)
        for d in ("d1", "c1", "d3"):
            p.set_dealer(d, 1, "north")
        p.add_point("p1", "d1")
        p.add_point("p2", "c1")
        p.record_batch([
            ("sell_out", "p1", "A", day(2, 20), 10, 5000),
            ("sell_out", "p1", "A", day(2, 28), 10, 5000),
            ("sell_out", "p1", "A", day(3, 1), 30, 15000),
            ("sell_out", "p1", "A", day(3, 10), 20, 10000),
            ("return_out", "p1", "A", day(3, 5), 2, 1000),
            ("sell_out", "p1", "A", day(3, 11), 5, 2500),  # after
            ("sell_out", "p1", "B", day(3, 2), 50, 50000),  # other line
            ("sell_out", "p2", "A", day(2, 25), 10, 4000),
            ("sell_out", "p2", "A", day(3, 6), 14, 5600),
        ])
        p.set_promo("spring", "d1", day(3, 1, 0), day(3, 11, 0), 100000, "A")
        t = day(3, 15)
        for cid, amount in (("k1", 6000), ("k2", 3000), ("k3", 4000),
                            ("k4", 2000)):
            p.claim(cid, "spring", "d1", amount, t)
        p.claim_status("k1", "approved", day(3, 16))
        p.claim_status("k1", "paid", day(3, 17))
        p.claim_status("k2", "rejected", day(3, 16))
        p.claim_status("k3", b2b2c.PROMO_APPROVED, day(3, 16))

    def tearDown(self):
        self.ctx.close()

    def test_spend(self):
        rows = self.p.promo_spend()
        self.assertEqual(len(rows), 1)
        r = rows[0]
        self.assertEqual((r.promo_id, r.dealer_id), ("spring", "d1"))
        f = r.fields
        self.assertEqual(f["planned"], 100000)
        self.assertEqual(f["submitted"], 2000)
        self.assertEqual(f["spent"], 10000)
        self.assertEqual(f["remaining"], 88000)
        self.assertEqual(f["rejected"], 3000)
        by_promo = self.p.promo_spend("promo")
        self.assertIsNone(by_promo[0].dealer_id)
        self.assertEqual(by_promo[0].fields["budgets"], 1)
        with self.assertRaises(b2b2c.Error) as e:
            self.p.claim("k5", "spring", "d1", 88001, day(3, 18))
        self.assertEqual(e.exception.code, b2b2c.ERANGE)
        self.assertIn("amount: 88001 is over the remaining budget",
                      str(e.exception))

    def test_claims(self):
        c = self.p.claims("spring")
        self.assertEqual([x.claim_id for x in c], ["k1", "k2", "k3", "k4"])
        self.assertEqual(c[0].status, "paid")
        self.assertEqual(c[0].paid_at, int(day(3, 17).timestamp()))
        self.assertIsNone(c[3].decided_at)
        with self.assertRaises(b2b2c.Error) as e:
            self.p.claim_status("k1", "rejected", day(3, 20))
        self.assertEqual(e.exception.code, b2b2c.ESTATE)
        with self.assertRaises(ValueError):
            self.p.claim_status("k1", "lost", day(3, 20))

    def test_uplift(self):
        u = self.p.promo_uplift("spring", "d1")
        self.assertEqual(u["promo_amount"], 24000)
        self.assertEqual(u["base_amount"], 10000)
        self.assertAlmostEqual(u["lift"], 1.4, places=12)
        self.assertEqual(u["incr_units"], 28)
        self.assertTrue(math.isnan(u["did_amount"]))
        self.assertAlmostEqual(u["roi"], 0.4, places=12)
        # control c1: base 10 u / 4,000, promotion 14 u / 5,600
        u = self.p.promo_uplift("spring", "d1", ["c1"])
        self.assertEqual(u["did_units"], 24)
        self.assertEqual(u["did_amount"], 12400)
        self.assertAlmostEqual(u["roi"], 0.24, places=12)
        self.assertEqual(self.p.promo_uplift_list("spring", ["c1"]),
                         {"d1": u})
        with self.assertRaises(b2b2c.Error) as e:
            self.p.promo_uplift("spring", "d3")
        self.assertEqual(e.exception.code, b2b2c.ENOTFOUND)


if __name__ == "__main__":
    unittest.main()
