# SPDX-License-Identifier: MIT
"""SQLiteStore and PostgresStore: the storage adapters (separate shared
libraries, include/b2b2c/storage/sqlite.h and postgresql.h) as stores a
Context opens engines on, so that state survives the process and many
processes share one database (docs/storage.md).

The adapter libraries are found as the core library is: the environment
variable B2B2C_SQLITE_LIBRARY / B2B2C_PG_LIBRARY (a path); else, when
B2B2C_LIBRARY names the core library, next to it or in a meson build
directory's src/storage/sqlite / src/storage/postgresql; else
ctypes.util.find_library; else the soname (libb2b2c-sqlite.so.1,
libb2b2c-postgresql.so.1). They are loaded on first use, so that
`import b2b2c` works without them.

The adapters' declarations are written here by hand: tools/gen_bindings.py
covers the core library's headers only.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import weakref
from typing import Optional, Union

from ._lib import ERANGE, STATUS, Error, _Checked, _Storage, _i32, _u32, _str

_p = ctypes.c_void_p

# include/b2b2c/storage/sqlite.h: PRAGMA synchronous levels
SQLITE_SYNC_DEFAULT = -1
SQLITE_SYNC_OFF = 0
SQLITE_SYNC_NORMAL = 1
SQLITE_SYNC_FULL = 2
SQLITE_SYNC_EXTRA = 3
_SYNC_NAMES = {None: -1, "default": -1, "off": 0, "normal": 1, "full": 2,
               "extra": 3}
# include/b2b2c/storage/postgresql.h
PG_ISOLATION_LOCK = 1
PG_ISOLATION_SERIALIZABLE = 2
PG_LOCK_KEY = 0x6232623263
_ISOLATION_NAMES = {"lock": 1, "serializable": 2}


class _SQLiteOptions(ctypes.Structure):
    _fields_ = [("version", _u32), ("busy_timeout_ms", _i32),
                ("wal", _i32), ("synchronous", _i32)]


class _PgOptions(ctypes.Structure):
    _fields_ = [("version", _u32), ("isolation", _i32),
                ("lock_key", ctypes.c_int64)]


_SQLITE = ("B2B2C_SQLITE_LIBRARY", "b2b2c-sqlite", "sqlite", [
    ("b2b2c_sqlite_options_init", ctypes.c_int,
     (ctypes.POINTER(_SQLiteOptions), _u32)),
    ("b2b2c_sqlite_open_with", ctypes.c_int,
     (ctypes.POINTER(_p), _str, ctypes.POINTER(_SQLiteOptions))),
    ("b2b2c_sqlite_methods", ctypes.c_int, (_p, ctypes.POINTER(_Storage))),
    ("b2b2c_sqlite_errmsg", _str, (_p,)),
    ("b2b2c_sqlite_strerror", _str, (ctypes.c_int,)),
    ("b2b2c_sqlite_close", None, (_p,)),
])
_PG = ("B2B2C_PG_LIBRARY", "b2b2c-postgresql", "postgresql", [
    ("b2b2c_pg_options_init", ctypes.c_int,
     (ctypes.POINTER(_PgOptions), _u32)),
    ("b2b2c_pg_open", ctypes.c_int,
     (ctypes.POINTER(_p), _str, ctypes.POINTER(_PgOptions))),
    ("b2b2c_pg_methods", ctypes.c_int, (_p, ctypes.POINTER(_Storage))),
    ("b2b2c_pg_errmsg", _str, (_p,)),
    ("b2b2c_pg_sqlstate", _str, (_p,)),
    ("b2b2c_pg_strerror", _str, (ctypes.c_int,)),
    ("b2b2c_pg_close", None, (_p,)),
])
_loaded = {}


def _path(env, name, subdir):
    so = "lib%s.so.1" % name
    p = os.environ.get(env)
    if p:
        return p
    core = os.environ.get("B2B2C_LIBRARY")
    if core:
        d = os.path.dirname(os.path.abspath(core))
        for cand in (os.path.join(d, so),
                     os.path.join(d, "src", "storage", subdir, so)):
            if os.path.exists(cand):
                return cand
    return ctypes.util.find_library(name) or so


def _adapter(spec):
    """The adapter library of spec (_SQLITE or _PG), its functions declared
    and checked as the core library's are."""
    env, name, subdir, funcs = spec
    if name in _loaded:
        return _loaded[name]
    path = _path(env, name, subdir)
    try:
        dll = ctypes.CDLL(path)
    except OSError as e:
        raise OSError("lib%s.so.1 (the %s adapter) could not be loaded from "
                      "%r: %s; set %s to its path" % (name, subdir, path, e,
                                                      env)) from None
    lib = {}
    for fname, restype, argtypes in funcs:
        f = getattr(dll, fname)
        f.restype = restype
        f.argtypes = list(argtypes)
        lib[fname] = _Checked(fname, f)
    _loaded[name] = lib
    return lib


def _text(b):
    return b.decode("utf-8", "replace") if b else ""


class _DbStore:
    """What both adapters share: the connection handle, the method table a
    Context uses, closing (also at `with` exit and when collected) and
    error messages with the adapter's names for its codes."""

    _prefix = None  # "sqlite" or "pg"

    def __init__(self, lib: dict) -> None:
        self._lib = lib
        self._h = _p()
        self._methods = _Storage()
        self._contexts = weakref.WeakSet()

    def _fn(self, name):
        return self._lib["b2b2c_%s_%s" % (self._prefix, name)]

    def _describe(self, code):
        """The adapter's name for code ("SQLite: database is locked
        (SQLITE_BUSY)"); the library's own message for its own codes."""
        return _text(self._fn("strerror")(code))

    @property
    def errmsg(self) -> str:
        """The database's message for the last failure of this connection
        ("not an error" before any)."""
        return _text(self._fn("errmsg")(self._h)) if self._h else ""

    def _raise(self, rc, what):
        msg = "%s: %s" % (what, self._describe(rc))
        if self._h and rc not in STATUS:
            msg += ": " + self.errmsg
        raise Error(rc, msg)

    def _attach(self):
        rc = self._fn("methods")(self._h, ctypes.byref(self._methods))
        if rc:
            self._raise(rc, "methods")

    def close(self) -> None:
        """Close the contexts opened on this store (and their engines),
        then the connection. Closing twice is fine."""
        for ctx in list(getattr(self, "_contexts", ())):
            ctx.close()
        if getattr(self, "_h", None):
            self._fn("close")(self._h)
            self._h = _p()

    def __enter__(self) -> _DbStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self):
        self.close()


def _options(lib, init, cls):
    o = cls()
    rc = lib[init](ctypes.byref(o), 1)
    if rc:
        raise Error(rc, "%s: version 1 unknown" % init)
    return o


class SQLiteStore(_DbStore):
    """A SQLite database file (":memory:" for a private one) through
    libb2b2c-sqlite. wal: write-ahead logging for a file (readers do not
    block the writer); busy_timeout_ms: how long a call waits for another
    connection's lock (0 .. 2**31-1); synchronous: None (SQLite's), "off",
    "normal", "full", "extra" or a SQLITE_SYNC_* number. Error with the
    adapter's message when the file cannot be opened (-1014,
    SQLITE_CANTOPEN) or an option is out of range (ERANGE)."""

    _prefix = "sqlite"

    def __init__(self, path: Union[str, bytes, os.PathLike],
                 wal: Union[bool, int] = True, busy_timeout_ms: int = 5000,
                 synchronous: Optional[Union[str, int]] = None) -> None:
        super().__init__(_adapter(_SQLITE))
        o = _options(self._lib, "b2b2c_sqlite_options_init", _SQLiteOptions)
        if isinstance(wal, bool):
            wal = int(wal)
        if isinstance(synchronous, str) or synchronous is None:
            if synchronous not in _SYNC_NAMES:
                raise Error(ERANGE, "synchronous: %r is not default, "
                            "off, normal, full or extra" % (synchronous,))
            synchronous = _SYNC_NAMES[synchronous]
        for name, v in (("wal", wal), ("busy_timeout_ms", busy_timeout_ms),
                        ("synchronous", synchronous)):
            if isinstance(v, bool) or not isinstance(v, int) or \
                    not -2**31 <= v < 2**31:
                raise Error(ERANGE, "%s: %r is not a 32-bit integer"
                            % (name, v))
            setattr(o, name, v)
        rc = self._fn("open_with")(ctypes.byref(self._h), os.fsencode(path),
                                   ctypes.byref(o))
        if rc == ERANGE:
            raise Error(rc, "SQLiteStore: busy_timeout_ms %d (0 .. 2**31-1), "
                        "wal %d (0 or 1) or synchronous %d (-1 .. 3) out of "
                        "range" % (o.busy_timeout_ms, o.wal, o.synchronous))
        if rc:
            self._raise(rc, "SQLiteStore(%r)" % (path,))
        self._attach()


class PostgresStore(_DbStore):
    """A PostgreSQL database through libb2b2c-postgresql (libpq).
    conninfo: "host=/run/postgresql dbname=crm" or a postgresql:// URI;
    isolation: "lock" (READ COMMITTED plus an advisory lock: writers one at
    a time, the default) or "serializable" (conflicts re-run by the
    library), or a PG_ISOLATION_* number; lock_key: the advisory lock
    (every connection to one database uses the same). Error with the
    adapter's message when the server cannot be reached (-2008)."""

    _prefix = "pg"

    def __init__(self, conninfo: str, isolation: Union[str, int] = "lock",
                 lock_key: int = PG_LOCK_KEY) -> None:
        super().__init__(_adapter(_PG))
        o = _options(self._lib, "b2b2c_pg_options_init", _PgOptions)
        if isinstance(isolation, str):
            if isolation not in _ISOLATION_NAMES:
                raise Error(ERANGE, "isolation: %r is not lock or "
                            "serializable" % (isolation,))
            isolation = _ISOLATION_NAMES[isolation]
        if isinstance(isolation, bool) or not isinstance(isolation, int) or \
                not -2**31 <= isolation < 2**31:
            raise Error(ERANGE, "isolation: %r is not a number"
                        % (isolation,))
        if isinstance(lock_key, bool) or not isinstance(lock_key, int) or \
                not -2**63 <= lock_key < 2**63:
            raise Error(ERANGE, "lock_key: %r is not a 64-bit integer"
                        % (lock_key,))
        o.isolation = isolation
        o.lock_key = lock_key
        rc = self._fn("open")(ctypes.byref(self._h), conninfo,
                              ctypes.byref(o))
        if rc == ERANGE:
            raise Error(rc, "PostgresStore: isolation %d is not "
                        "PG_ISOLATION_LOCK (1) or PG_ISOLATION_SERIALIZABLE "
                        "(2)" % isolation)
        if rc:
            self._raise(rc, "PostgresStore")
        self._attach()

    @property
    def sqlstate(self) -> str:
        """The SQLSTATE of the last failure ("40001"), "" when none."""
        return _text(self._fn("sqlstate")(self._h)) if self._h else ""

