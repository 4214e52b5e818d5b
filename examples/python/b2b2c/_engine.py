# SPDX-License-Identifier: MIT
"""What every engine class shares: argument helpers, callbacks, _Handle."""

from __future__ import annotations

import ctypes
from typing import Iterator, Optional

from ._lib import EINVAL, Error, _CONSTANTS, _typename, lib
from .core import Context


# ==========================================================================
# Engines: one class per handle (the declarations are generated, see
# _b2b2c_decls.py). Conventions of the C API (include/b2b2c/*.h): output
# parameters first, int status (0 or a negative B2B2C_E*), lists through a
# callback whose non-zero return stops the iteration.
# ==========================================================================

_int, _i64, _sz, _dbl = (ctypes.c_int, ctypes.c_int64, ctypes.c_size_t,
                         ctypes.c_double)
_vp = ctypes.c_void_p
_pd, _psz = ctypes.POINTER(_dbl), ctypes.POINTER(_sz)


# ---- helpers ---------------------------------------------------------------

def _b(s):
    """str -> UTF-8 bytes for a const char * argument (None stays NULL,
    bytes pass as is; anything else is a TypeError, not its str())."""
    if s is None or isinstance(s, bytes):
        return s
    if not isinstance(s, str):
        raise TypeError("a string argument must be str, bytes or None, not "
                        "%s" % _typename(s))
    return s.encode("utf-8")


def _s(b):
    """const char * result -> str (NULL -> None)."""
    return None if b is None else b.decode("utf-8", "replace")


def _enum(value, from_name, what):
    """An enum argument given as its named constant (an int such as
    b2b2c.BAND_HOT) or its stable name ("hot"). from_name is the C
    *_from_name function or a {name: value} dict. A bool, a float or any
    other type is a TypeError and an unknown name a ValueError, both before
    the call; the C function checks the number."""
    if isinstance(value, str):
        v = (from_name.get(value, -1) if isinstance(from_name, dict)
             else from_name(value))
        if v < 0:
            raise ValueError("%s: unknown name %r" % (what, value))
        return v
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be a b2b2c constant or its name, not %s"
                        % (what, _typename(value)))
    return value


def _won(value, what="won"):
    """An outcome: True or "won" -> 1, False or "lost" -> 0. Numbers are
    refused: in C 0 is lost, in Ruby 0 is truthy, in Python "lost" is."""
    if value is True or value == "won":
        return 1
    if value is False or value == "lost":
        return 0
    if isinstance(value, str):
        raise ValueError('%s must be True/False or "won"/"lost", not %r'
                         % (what, value))
    raise TypeError('%s must be True/False or "won"/"lost", not %s'
                    % (what, _typename(value)))


def _time(value, what):
    """A required time argument (Unix seconds). The binding never reads the
    clock, like the library: a missing time is a TypeError, not 1970."""
    if value is None:
        raise TypeError("%s (Unix seconds) is required" % what)
    return value


def _seg(v):
    return _enum(v, lib.b2b2c_segment_from_name, "segment")


def _band(v):
    return _enum(v, lib.b2b2c_band_from_name, "band")


def _group(v):
    return _enum(v, lib.b2b2c_group_from_name, "group")


def _named(prefix, skip=()):
    """{lowercased name: value} of the constants starting with prefix: the
    names an enum argument without a C *_from_name function accepts."""
    return {k[len(prefix):].lower(): v for k, v in _CONSTANTS.items()
            if k.startswith(prefix) and k[len(prefix):] not in skip}


def _prefixed(prefix, skip=()):
    """{value: lowercased name} of the constants starting with prefix."""
    return {v: k[len(prefix):].lower() for k, v in _CONSTANTS.items()
            if k.startswith(prefix) and k[len(prefix):] not in skip}


def _row(ptr, n, names):
    """A `const double *` row of n values -> dict keyed by the enum names
    (lowercased, group prefix dropped); values past the known names are
    keyed by their index."""
    return {names.get(i, i): ptr[i] for i in range(n)}


def _doubles(seq, what, n=None):
    """A Python sequence of floats -> (double array, length)."""
    if seq is None:
        return None, 0
    vals = [float(v) for v in seq]
    if n is not None and len(vals) != n:
        raise Error(EINVAL, "%s: %d values, expected %d"
                    % (what, len(vals), n))
    return (_dbl * max(len(vals), 1))(*vals), len(vals)


class _Trampoline:
    """A Python callable as a C callback. The C side may call it only while
    this object lives (the owner keeps it). An exception raised by the
    callable never crosses into C: it is kept, a non-zero value stops the
    iteration, and rethrow() raises it once the C call has returned."""

    STOP = 1

    def __init__(self, cftype, fn):
        self.exc = None

        def call(*args):
            if self.exc is not None:
                return self.STOP
            try:
                fn(*args[:-1])  # the payload (last) is not passed on
                return 0
            except BaseException as e:  # noqa: B902 (re-raised later)
                self.exc = e
                return self.STOP

        self.c = cftype(call)

    def rethrow(self):
        if self.exc is not None:
            e, self.exc = self.exc, None
            raise e


class _Handle:
    """Owns one opaque engine handle opened on a Context. close() is
    idempotent; any call after it raises Error(EINVAL). Closing the
    Context closes its handles first."""

    _kind = "handle"
    _free = None
    _listing = None  # the method __iter__ lists with (no arguments)

    def __init__(self, ctx: Context) -> None:
        self._h = _vp()
        if not isinstance(ctx, Context):
            raise Error(EINVAL, "ctx: must be a b2b2c.Context")
        self._ctx = ctx
        ctx.handle  # raises when the context is closed
        ctx._children.add(self)

    @property
    def handle(self) -> ctypes.c_void_p:
        """The C handle (Error(EINVAL) once closed)."""
        if not self._h:
            raise Error(EINVAL, "%s is closed" % self._kind)
        return self._h

    @property
    def ctx(self) -> Context:
        """The Context this handle was opened on."""
        return self._ctx

    def _check(self, rc):
        return self._ctx.check(rc)

    def _iter(self, cfn, cftype, make, *args):
        """Call cfn(*args, callback, NULL); collect make(*cb_args) per
        callback into a list."""
        out = []
        t = _Trampoline(cftype, lambda *a: out.append(make(*a)))
        rc = cfn(*args, t.c, None)
        t.rethrow()
        self._check(rc)
        return out

    def close(self) -> None:
        """Free the C handle; closing twice is fine, any call after it raises
        Error(EINVAL)."""
        if self._h:
            type(self)._free(self._h)
            self._h = _vp()

    def __iter__(self) -> Iterator[tuple]:
        """Iterate over the engine's listing with its default arguments
        (DealerEngine.list(), Channels.list(), Segmenter.list_accounts(),
        Forecaster.list_customers(); a LeadModel's listing needs a time:
        iterate over lead_model.list(now)). A listing is read whole in one
        C call, so the engine may be changed while iterating."""
        if self._listing is None:
            raise TypeError("%s is not iterable (its listing needs "
                            "arguments)" % self._kind)
        return iter(getattr(self, self._listing)())

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


# ---- common to the fitting engines (lead, forecast) -------------------------

def fit_status_name(status: int) -> Optional[str]:
    """"converged", "max_iter", "stalled" or "boundary" (None: unknown)."""
    return _s(lib.b2b2c_fit_status_name(status))
