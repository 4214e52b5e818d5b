"""The Python (ctypes) binding against the built shared library."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "examples", "python"))
import b2b2c  # noqa: E402


class CoreTest(unittest.TestCase):
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

    def test_closed_context(self):
        ctx = b2b2c.Context()
        ctx.close()
        ctx.close()
        with self.assertRaises(b2b2c.Error):
            ctx.begin()


if __name__ == "__main__":
    unittest.main()
