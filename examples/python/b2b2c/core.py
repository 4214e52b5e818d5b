# SPDX-License-Identifier: MIT
"""Parameter and name functions, MemStore, Context and transactions."""

from __future__ import annotations

import ctypes
import weakref
from typing import TYPE_CHECKING, Callable, Optional, Tuple, Union

from ._lib import (EINVAL, STATUS, EnumArg, Error, _Storage, _check, _ctx_p,
                   _d, _enum_result, _i32, ENUMS, lib)

if TYPE_CHECKING:
    from .storage import PostgresStore, SQLiteStore


def param_bounds(param: int) -> Tuple[float, float, float]:
    """(min, max, default) of any engine's parameter number (inclusive
    bounds); Error(EINVAL) for a number no engine has."""
    lo, hi, d = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    rc = lib.b2b2c_param_bounds(ctypes.byref(lo), ctypes.byref(hi),
                                ctypes.byref(d), param)
    if rc:
        raise Error(rc, "param: %d is not a parameter" % param)
    return lo.value, hi.value, d.value


def param_name(param: int) -> Optional[str]:
    """The parameter's C name ("LEAD_HALF_LIFE_DAYS" without B2B2C_), or
    None for a number no engine has."""
    n = lib.b2b2c_param_name(param)
    return n.decode()[6:] if n else None


def _name(fn, value):
    # a whole float is accepted: enum parameters are read back as doubles
    # (dealer_policy_name(d.get_param(DEALER_PARAM_POLICY)))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = fn(value)
    if s is None:
        raise Error(EINVAL, "unknown value %r" % (value,))
    return s.decode()


def _value(fn, name):
    return _check(fn(name))


def segment_name(v: int) -> str:
    """The stable name of a segment ("b2b_large"); Error(EINVAL) for an unknown
    value."""
    return _name(lib.b2b2c_segment_name, v)


def group_name(v: int) -> str:
    """The stable name of a group ("dealer", "b2b", "b2c"); Error(EINVAL) for
    an unknown value."""
    return _name(lib.b2b2c_group_name, v)


def band_name(v: int) -> str:
    """The stable name of a band ("cold", "warm", "hot"); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_band_name, v)


def segment_from_name(s: str) -> int:
    """The segment of a stable name ("b2b_large" -> SEGMENT_B2B_LARGE);
    Error(EINVAL) for an unknown name."""
    return _value(lib.b2b2c_segment_from_name, s)


def group_from_name(s: str) -> int:
    """The group of a stable name ("b2b" -> GROUP_B2B); Error(EINVAL) for an
    unknown name."""
    return _value(lib.b2b2c_group_from_name, s)


def band_from_name(s: str) -> int:
    """The band of a stable name ("hot" -> BAND_HOT); Error(EINVAL) for an
    unknown name."""
    return _value(lib.b2b2c_band_from_name, s)


def segment_group(v: int) -> int:
    """The Group a segment belongs to (Group.UNKNOWN for an unknown
    segment)."""
    return _enum_result(ENUMS["Group"], lib.b2b2c_segment_group(v))


class MemStore:
    """The built-in in-memory store; outlives the contexts that use it, so
    state can be reopened by a new Context in the same process."""

    def __init__(self) -> None:
        self._h = ctypes.c_void_p()
        _check(lib.b2b2c_memstore_new(ctypes.byref(self._h), None))
        self._methods = _Storage()
        _check(lib.b2b2c_memstore_methods(self._h, ctypes.byref(self._methods)))

    def close(self) -> None:
        """Free the store (the contexts on it must be closed first). Closing
        twice is fine."""
        if self._h:
            lib.b2b2c_memstore_free(self._h)
            self._h = ctypes.c_void_p()

    def __enter__(self) -> MemStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self):
        self.close()


class Context:
    """b2b2c_ctx: allocator (libc), storage (a MemStore, a SQLiteStore or
    a PostgresStore, or a private in-memory store when None) and the last
    error. Closing a SQLiteStore or PostgresStore closes the contexts on
    it first."""

    def __init__(self, store: Optional[Union[MemStore, SQLiteStore,
                                             PostgresStore]] = None) -> None:
        self._children = weakref.WeakSet()  # engine handles opened on it
        self._store = store  # keep it alive as long as the context
        self._h = _ctx_p()
        methods = ctypes.byref(store._methods) if store is not None else None
        _check(lib.b2b2c_ctx_new(ctypes.byref(self._h), None, methods))
        if hasattr(store, "_contexts"):
            store._contexts.add(self)

    @property
    def handle(self) -> ctypes.c_void_p:
        """The b2b2c_ctx * (Error(EINVAL) once closed)."""
        if not self._h:
            raise Error(EINVAL, "context is closed")
        return self._h

    def check(self, rc: int) -> int:
        """Raise Error with this context's message when rc < 0 (and the
        adapter's name for a code of its own: "SQLite: database is locked
        (SQLITE_BUSY)")."""
        if rc < 0 and rc not in STATUS and hasattr(self._store, "_describe"):
            raise Error(rc, "%s (%s)" % (self.errmsg,
                                         self._store._describe(rc)))
        return _check(rc, self._h)

    def sync(self) -> None:
        """Bring every engine open on this context up to date with what
        other contexts on the database committed (a call does it too)."""
        self.check(lib.b2b2c_ctx_sync(self.handle))

    def seq(self) -> Tuple[int, int]:
        """(seen, own): the last commit of the database this context has
        applied, and the number of its own last commit that changed rows
        (0: none yet). Both 0 for a context alone on its store."""
        seen, own = ctypes.c_uint64(), ctypes.c_uint64()
        self.check(lib.b2b2c_ctx_seq(ctypes.byref(seen), ctypes.byref(own),
                                     self.handle))
        return seen.value, own.value

    def erase(self, id: str) -> int:
        """Erase the ID in every engine open on this context, in one
        transaction: as a lead, a customer (key) and an account
        (docs/privacy.md). The number of engines that knew it;
        Error(ENOTFOUND) when none did. Since 1.1."""
        n = _i32()
        self.check(lib.b2b2c_ctx_erase(ctypes.byref(n), self.handle,
                                       id.encode("utf-8")))
        return n.value

    @property
    def errmsg(self) -> str:
        """The message of this context's last error ("" when none)."""
        return lib.b2b2c_ctx_errmsg(self._h).decode("utf-8", "replace")

    def begin(self) -> None:
        """Open a transaction (ctx.transaction() commits or rolls back for
        you); Error(ESTATE) when one is open."""
        self.check(lib.b2b2c_ctx_begin(self.handle))

    def commit(self) -> None:
        """Commit the open transaction; Error(ESTATE) when none is open."""
        self.check(lib.b2b2c_ctx_commit(self.handle))

    def rollback(self) -> None:
        """Roll back the open transaction: the engines' state is as before
        begin(); Error(ESTATE) when none is open."""
        self.check(lib.b2b2c_ctx_rollback(self.handle))

    def set_utc_offset(self, seconds: int) -> None:
        """Count days (daily quotas, spend per day, same-day purchases,
        per-day caps) in this time zone: seconds east of UTC (UTC+3 is
        10800), whole seconds in [UTC_OFFSET_MIN, UTC_OFFSET_MAX] (-14 h to
        +14 h). Set it before opening engines, to the same value every
        time: Error(ERANGE) out of range, Error(ESTATE) while an engine is
        open on this context."""
        self.check(lib.b2b2c_ctx_set_utc_offset(self.handle, seconds))

    @property
    def utc_offset(self) -> int:
        """The offset in seconds east of UTC in which days are counted
        (0, UTC, unless set_utc_offset was called)."""
        v = _i32()
        self.check(lib.b2b2c_ctx_utc_offset(ctypes.byref(v), self.handle))
        return v.value

    def set_progress_handler(self, units: int,
                             fn: Optional[Callable[[], object]]) -> None:
        """Call fn() after about every `units` units of work of a long call
        (a forecast fit: one unit per distinct data row per likelihood
        evaluation); a true result stops the call, which raises
        Error(EINTERRUPTED) and changes nothing. An exception in fn also
        stops it. fn None removes the handler. The library never reads
        the clock: a time budget reads it in fn."""
        if fn is None:
            self.check(lib.b2b2c_ctx_set_progress_handler(
                self.handle, 0, _d.b2b2c_progress_cb(), None))
            self._progress = None
            return

        def tramp(_ud):
            try:
                return 1 if fn() else 0
            except BaseException:  # noqa: B902 - never unwind through C
                return 1
        cb = _d.b2b2c_progress_cb(tramp)
        self.check(lib.b2b2c_ctx_set_progress_handler(self.handle, units, cb,
                                                      None))
        self._progress = cb  # keep the trampoline alive

    def transaction(self) -> _Transaction:
        """with ctx.transaction(): ... commits, or rolls back on an
        exception."""
        return _Transaction(self)

    def close(self) -> None:
        """Close the engine handles opened on this context, then free it
        (a handle must not outlive its context). Closing twice is fine."""
        for child in list(getattr(self, "_children", ())):
            child.close()
        if self._h:
            lib.b2b2c_ctx_free(self._h)
            self._h = _ctx_p()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self):
        self.close()


class _Transaction:
    def __init__(self, ctx):
        self.ctx = ctx

    def __enter__(self):
        self.ctx.begin()
        return self.ctx

    def __exit__(self, etype, evalue, tb):
        if etype is None:
            self.ctx.commit()
        else:
            try:
                self.ctx.rollback()
            except Error:
                pass
        return False
