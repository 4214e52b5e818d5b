# SPDX-License-Identifier: MIT
"""SQLiteStore and PostgresStore in the Python binding: state written by
one interpreter process is read by another, two processes at once on one
database keep every update, adapter errors carry the adapter's message.
PostgreSQL runs when B2B2C_PG_CONNINFO is set (tests/harness/pg_server.sh
sets it) and is skipped otherwise."""
import os
import sqlite3
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PYDIR = os.path.join(ROOT, "examples", "python")
# B2B2C_TEST_INSTALLED=1: the installed package (.ci/run), not the tree's
INSTALLED = os.environ.get("B2B2C_TEST_INSTALLED") == "1"
if not INSTALLED:
    sys.path.insert(0, PYDIR)
import b2b2c  # noqa: E402

DAY = 86400
T0 = 1767225600  # 2026-01-01
PG = os.environ.get("B2B2C_PG_CONNINFO")

# The child process: CHILD KIND TARGET ACTION PREFIX N
CHILD = r"""
import sys
import b2b2c
kind, target, action, prefix, n = sys.argv[1:6]
n = int(n)
store = (b2b2c.SQLiteStore(target) if kind == "sqlite"
         else b2b2c.PostgresStore(target))
with store, b2b2c.Context(store=store) as ctx:
    m = b2b2c.LeadModel(ctx)
    if action == "write":
        for i in range(n):
            lid = "%s%d" % (prefix, i)
            m.add(lid, T0)
            m.event(lid, "quote_request", T0 + DAY)
        print(*ctx.seq())
    else:
        for i in range(n):
            lid = "%s%d" % (prefix, i)
            s, band = m.score(lid, T0 + 2 * DAY)
            print(lid, repr(s), band)
""".replace("T0", str(T0)).replace("DAY", str(DAY))


def child(kind, target, action, prefix, n):
    env = dict(os.environ)
    if not INSTALLED:
        env["PYTHONPATH"] = PYDIR
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, target, action, prefix, str(n)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True)


def run(kind, target, action, prefix, n):
    p = child(kind, target, action, prefix, n)
    out, err = p.communicate()
    if p.returncode:
        raise AssertionError("child %s failed: %s" % (action, err))
    return out


def in_memory(prefix, n):
    """What the children's calls give on a MemStore, in this process."""
    with b2b2c.Context() as ctx:
        m = b2b2c.LeadModel(ctx)
        rows = []
        for i in range(n):
            lid = "%s%d" % (prefix, i)
            m.add(lid, T0)
            m.event(lid, "quote_request", T0 + DAY)
            s, band = m.score(lid, T0 + 2 * DAY)
            rows.append("%s %r %d" % (lid, s, band))
        return "\n".join(rows) + "\n"


class _Shared:
    kind = None

    def target(self):
        raise NotImplementedError

    def store(self):
        raise NotImplementedError

    def test_state_survives_the_process(self):
        t = self.target()
        seen, own = map(int, run(self.kind, t, "write", "S", 3).split())
        self.assertGreater(own, 0)
        self.assertGreaterEqual(seen, own)
        self.assertEqual(run(self.kind, t, "read", "S", 3),
                         in_memory("S", 3))

    def test_two_processes_at_once_keep_every_update(self):
        t = self.target()
        a = child(self.kind, t, "write", "A", 25)
        b = child(self.kind, t, "write", "B", 25)
        for p in (a, b):
            out, err = p.communicate()
            self.assertEqual(p.returncode, 0, err)
        self.assertEqual(run(self.kind, t, "read", "A", 25),
                         in_memory("A", 25))
        self.assertEqual(run(self.kind, t, "read", "B", 25),
                         in_memory("B", 25))

    def test_sync_sees_the_other_context(self):
        s1, s2 = self.store(), self.store()
        with s1, s2, b2b2c.Context(store=s1) as c1, \
                b2b2c.Context(store=s2) as c2:
            m1, m2 = b2b2c.LeadModel(c1), b2b2c.LeadModel(c2)
            n = len(m2)
            m1.add("SYNC1", T0)
            before = c2.seq()[0]
            c2.sync()
            self.assertEqual(c2.seq()[0], c1.seq()[1])
            self.assertGreater(c2.seq()[0], before)
            self.assertEqual(len(m2), n + 1)

    def test_close_closes_its_contexts(self):
        s = self.store()
        ctx = b2b2c.Context(store=s)
        m = b2b2c.LeadModel(ctx)
        s.close()
        with self.assertRaises(b2b2c.Error):
            ctx.handle
        with self.assertRaises(b2b2c.Error):
            m.handle
        s.close()  # twice is fine


class SQLiteTest(_Shared, unittest.TestCase):
    kind = "sqlite"

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "crm.db")

    def tearDown(self):
        self.dir.cleanup()

    def target(self):
        return self.path

    def store(self):
        return b2b2c.SQLiteStore(self.path)

    def test_options_and_wal(self):
        with b2b2c.SQLiteStore(self.path, wal=True, busy_timeout_ms=100,
                               synchronous="normal"):
            pass
        with sqlite3.connect(self.path) as c:
            self.assertEqual(c.execute("PRAGMA journal_mode").fetchone()[0],
                             "wal")
        for kw in ({"busy_timeout_ms": -1}, {"wal": 2},
                   {"synchronous": "sometimes"}, {"synchronous": 7},
                   {"busy_timeout_ms": 2**31}):
            with self.assertRaises(b2b2c.Error) as cm:
                b2b2c.SQLiteStore(self.path, **kw)
            self.assertEqual(cm.exception.code, b2b2c.ERANGE, kw)
            self.assertIn(list(kw)[0], cm.exception.message)

    def test_open_error_names_the_file(self):
        bad = os.path.join(self.dir.name, "no", "such", "dir.db")
        with self.assertRaises(b2b2c.Error) as cm:
            b2b2c.SQLiteStore(bad)
        self.assertEqual(cm.exception.code, -1014)
        self.assertIn("SQLITE_CANTOPEN", cm.exception.message)
        self.assertIn(bad, cm.exception.message)

    def test_busy_is_the_adapters_message(self):
        with b2b2c.SQLiteStore(self.path, busy_timeout_ms=0) as s, \
                b2b2c.Context(store=s) as ctx:
            m = b2b2c.LeadModel(ctx)
            other = sqlite3.connect(self.path, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                with self.assertRaises(b2b2c.Error) as cm:
                    m.add("BUSY", T0)
            finally:
                other.execute("ROLLBACK")
                other.close()
            self.assertEqual(cm.exception.code, -1005)
            self.assertIn("SQLITE_BUSY", cm.exception.message)
            self.assertEqual(s.errmsg, "database is locked")
            m.add("BUSY", T0)  # the lock gone, the call goes through
            self.assertEqual(len(m), 1)


@unittest.skipUnless(PG, "B2B2C_PG_CONNINFO not set (run under "
                         "tests/harness/pg_server.sh)")
class PostgresTest(_Shared, unittest.TestCase):
    kind = "pg"

    def target(self):
        return PG

    def store(self):
        return b2b2c.PostgresStore(PG)

    def test_serializable(self):
        with b2b2c.PostgresStore(PG, isolation="serializable") as s, \
                b2b2c.Context(store=s) as ctx:
            m = b2b2c.LeadModel(ctx)
            m.add("SER1", T0)
            self.assertEqual(s.sqlstate, "")
        with self.assertRaises(b2b2c.Error) as cm:
            b2b2c.PostgresStore(PG, isolation="dirty")
        self.assertEqual(cm.exception.code, b2b2c.ERANGE)
        with self.assertRaises(b2b2c.Error) as cm:
            b2b2c.PostgresStore(PG, isolation=9)
        self.assertEqual(cm.exception.code, b2b2c.ERANGE)

    def test_no_server(self):
        with self.assertRaises(b2b2c.Error) as cm:
            b2b2c.PostgresStore("host=/nonexistent/b2b2c dbname=x")
        self.assertEqual(cm.exception.code, -2008)
        self.assertIn("connection", cm.exception.message)


if __name__ == "__main__":
    unittest.main(verbosity=2)
