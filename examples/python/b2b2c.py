# SPDX-License-Identifier: MIT
"""Python binding for libb2b2c over ctypes (standard library only).

The shared library is found through the B2B2C_LIBRARY environment variable
(a path), else ctypes.util.find_library("b2b2c"), else "libb2b2c.so.1".
Every function has argtypes/restype declared; a negative status raises
b2b2c.Error carrying the code, its name and the context's message.

    import b2b2c
    with b2b2c.Context() as ctx:
        with ctx.transaction():
            ...

Threads: a Context and the handles opened on it are used by one thread at
a time; separate contexts are independent. Contexts on several threads may
share one MemStore (transactions then run one at a time; see
docs/storage.md): ctypes releases the GIL during each call, so a thread
waiting for the store does not hold up the one it waits for.
"""

import ctypes
import ctypes.util
import os
import weakref
from collections import namedtuple

__all__ = ["Error", "Context", "MemStore", "lib", "version", "version_number",
           "strerror", "segment_name", "segment_from_name", "segment_group",
           "group_name", "group_from_name", "band_name", "band_from_name",
           "SEGMENTS", "GROUPS", "BANDS", "STATUS"]

# The declarations generated from the public headers by
# tools/gen_bindings.py (_b2b2c_decls.py, beside this file): structures,
# callback types, constants and every function's argtypes/restype.
try:
    from . import _b2b2c_decls as _d  # b2b2c.py inside a package
except ImportError:
    import _b2b2c_decls as _d

# Status codes (include/b2b2c/common.h); never renumbered.
STATUS = dict(_d.STATUS)

SEGMENTS = ("unknown", "dealer_large_wholesale", "dealer_small_retail",
            "b2b_large", "b2b_small_pro", "b2c_consumer")
GROUPS = ("unknown", "dealer", "b2b", "b2c")
BANDS = ("unknown", "cold", "warm", "hot")

# Every enum value and #define constant of the public headers, named as in
# C minus the B2B2C_ prefix (b2b2c.SEG_ATTR_OUTLETS == 8, b2b2c.EINVAL ==
# -1, b2b2c.DEALER_AUDIT_SEQ == 0, ...). The library's ranges: times are
# Unix seconds in [TIME_MIN, TIME_MAX] (years 1..9999), amounts in
# [0, AMOUNT_MAX].
_CONSTANTS = _d.CONSTANTS
globals().update(_CONSTANTS)


def _load():
    path = os.environ.get("B2B2C_LIBRARY")
    if not path:
        path = ctypes.util.find_library("b2b2c") or "libb2b2c.so.1"
    return ctypes.CDLL(path)


lib = _load()

_ctx_p = ctypes.c_void_p
_i32, _u32, _str = ctypes.c_int32, ctypes.c_uint32, ctypes.c_char_p
_Storage = _d.b2b2c_storage  # include/b2b2c/sys/storage.h, version 1


_DECLARED = set()  # every function given argtypes/restype (tests check it)


def _int_range(t):
    bits = 8 * ctypes.sizeof(t)
    if t(-1).value < 0:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


# ctypes silently truncates an int to the C type's width (2**32 + 5 passed
# as int32_t arrives as 5) and cuts a string at its first NUL byte. Every
# declared function is therefore called through _Checked, which checks each
# argument against its argtype first: an int outside the C type's range
# raises OverflowError, a str or bytes holding a NUL raises ValueError, a
# value of the wrong type (a bool or float for an integer, an int for a
# string) raises TypeError. The message names the C function and the
# argument's position. str is encoded as UTF-8; bytes are passed as is.
_INT_TYPES = {t: (_int_range(t), n) for t, n in (
    (ctypes.c_int, "int"), (ctypes.c_int32, "int32_t"),
    (ctypes.c_uint32, "uint32_t"), (ctypes.c_int64, "int64_t"),
    (ctypes.c_uint64, "uint64_t"), (ctypes.c_size_t, "size_t"))}


def _typename(v):
    return type(v).__name__


def _int_arg(fname, i, t, v):
    (lo, hi), cname = _INT_TYPES[t]
    if isinstance(v, t):
        return v
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError("%s: argument %d (%s) must be an int, not %s"
                        % (fname, i, cname, _typename(v)))
    if not lo <= v <= hi:
        raise OverflowError("%s: argument %d (%s) is %d, outside [%d, %d]"
                            % (fname, i, cname, v, lo, hi))
    return v


def _str_arg(fname, i, t, v):
    if v is None:
        return None
    if isinstance(v, str):
        v = v.encode("utf-8")  # a lone surrogate: UnicodeEncodeError
    elif not isinstance(v, bytes):
        raise TypeError("%s: argument %d (const char *) must be str, bytes "
                        "or None, not %s" % (fname, i, _typename(v)))
    if b"\0" in v:
        raise ValueError("%s: argument %d (const char *) contains a NUL "
                         "byte at offset %d" % (fname, i, v.index(b"\0")))
    return v


def _double_arg(fname, i, t, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError("%s: argument %d (double) must be a number, not %s"
                        % (fname, i, _typename(v)))
    return float(v)  # an int too large for a double: OverflowError


def _converter(t):
    if t in _INT_TYPES:
        return _int_arg
    if t is ctypes.c_char_p:
        return _str_arg
    if t is ctypes.c_double:
        return _double_arg
    return None  # pointers, callbacks: ctypes checks them


class _Checked:
    """A declared C function whose arguments are checked before ctypes
    converts them (see _INT_TYPES). .argtypes and .restype are the
    underlying ctypes function's. The common case (an int in range, bytes
    without NUL, a float) is tested inline; the _*_arg functions convert or
    raise."""

    __slots__ = ("__name__", "_f", "_n", "_checks")

    def __init__(self, name, f):
        self.__name__ = name
        self._f = f
        self._n = len(f.argtypes)
        self._checks = []
        for i, t in enumerate(f.argtypes):
            conv = _converter(t)
            if conv is not None:
                lo, hi = _INT_TYPES[t][0] if conv is _int_arg else (0, 0)
                self._checks.append((i, t, conv, lo, hi))

    argtypes = property(lambda self: self._f.argtypes)
    restype = property(lambda self: self._f.restype)

    def __call__(self, *args):
        if len(args) != self._n:
            raise TypeError("%s takes %d arguments, %d given"
                            % (self.__name__, self._n, len(args)))
        new = None
        for i, t, conv, lo, hi in self._checks:
            v = args[i]
            if conv is _int_arg:
                if type(v) is int and lo <= v <= hi:
                    continue
            elif conv is _str_arg:
                if v is None or (type(v) is bytes and b"\0" not in v):
                    continue
            elif type(v) is float:
                continue
            c = conv(self.__name__, i + 1, t, v)
            if c is not v:
                if new is None:
                    new = list(args)
                new[i] = c
        return self._f(*(args if new is None else new))


def _sig(name, restype, *argtypes):
    f = getattr(lib, name)
    if isinstance(f, _Checked):
        f = f._f
    _DECLARED.add(name)
    f.restype = restype
    f.argtypes = list(argtypes)
    checked = _Checked(name, f)
    setattr(lib, name, checked)  # lib.<name> is the checked function now
    return checked


for _fname, _restype, _argtypes in _d.FUNCTIONS:
    _sig(_fname, _restype, *_argtypes)


class Error(Exception):
    """A libb2b2c call failed: .code (negative), .name, .message."""

    def __init__(self, code, message=""):
        self.code = code
        self.name = STATUS.get(code, "B2B2C_E(%d)" % code)
        self.message = message or strerror(code)
        super().__init__("%s: %s" % (self.name, self.message))


def _check(rc, ctx=None):
    if rc < 0:
        msg = lib.b2b2c_ctx_errmsg(ctx).decode("utf-8", "replace") if ctx else ""
        raise Error(rc, msg)
    return rc


def version():
    return lib.b2b2c_version_string().decode()


def version_number():
    return lib.b2b2c_version_number()


def strerror(code):
    return lib.b2b2c_strerror(code).decode()


def param_bounds(param):
    """(min, max, default) of any engine's parameter number (inclusive
    bounds); Error(EINVAL) for a number no engine has."""
    lo, hi, d = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    rc = lib.b2b2c_param_bounds(ctypes.byref(lo), ctypes.byref(hi),
                                ctypes.byref(d), param)
    if rc:
        raise Error(rc, "param: %d is not a parameter" % param)
    return lo.value, hi.value, d.value


def param_name(param):
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
        raise Error(EINVAL, "unknown value %r" % (value,))  # noqa: F821
    return s.decode()


def _value(fn, name):
    return _check(fn(name))


def segment_name(v): return _name(lib.b2b2c_segment_name, v)
def group_name(v): return _name(lib.b2b2c_group_name, v)
def band_name(v): return _name(lib.b2b2c_band_name, v)
def segment_from_name(s): return _value(lib.b2b2c_segment_from_name, s)
def group_from_name(s): return _value(lib.b2b2c_group_from_name, s)
def band_from_name(s): return _value(lib.b2b2c_band_from_name, s)
def segment_group(v): return lib.b2b2c_segment_group(v)


class MemStore:
    """The built-in in-memory store; outlives the contexts that use it, so
    state can be reopened by a new Context in the same process."""

    def __init__(self):
        self._h = ctypes.c_void_p()
        _check(lib.b2b2c_memstore_new(ctypes.byref(self._h), None))
        self._methods = _Storage()
        _check(lib.b2b2c_memstore_methods(self._h, ctypes.byref(self._methods)))

    def close(self):
        if self._h:
            lib.b2b2c_memstore_free(self._h)
            self._h = ctypes.c_void_p()

    def __del__(self):
        self.close()


class Context:
    """b2b2c_ctx: allocator (libc), storage (a MemStore, or a private
    in-memory store when None) and the last error."""

    def __init__(self, store=None):
        self._children = weakref.WeakSet()  # engine handles opened on it
        self._store = store  # keep it alive as long as the context
        self._h = _ctx_p()
        methods = ctypes.byref(store._methods) if store is not None else None
        _check(lib.b2b2c_ctx_new(ctypes.byref(self._h), None, methods))

    @property
    def handle(self):
        if not self._h:
            raise Error(EINVAL, "context is closed")  # noqa: F821
        return self._h

    def check(self, rc):
        """Raise Error with this context's message when rc < 0."""
        return _check(rc, self._h)

    @property
    def errmsg(self):
        return lib.b2b2c_ctx_errmsg(self._h).decode("utf-8", "replace")

    def begin(self):
        self.check(lib.b2b2c_ctx_begin(self.handle))

    def commit(self):
        self.check(lib.b2b2c_ctx_commit(self.handle))

    def rollback(self):
        self.check(lib.b2b2c_ctx_rollback(self.handle))

    def set_utc_offset(self, seconds):
        """Count days (daily quotas, spend per day, same-day purchases,
        per-day caps) in this time zone: seconds east of UTC (UTC+3 is
        10800), whole seconds in [UTC_OFFSET_MIN, UTC_OFFSET_MAX] (-14 h to
        +14 h). Set it before opening engines, to the same value every
        time: Error(ERANGE) out of range, Error(ESTATE) while an engine is
        open on this context."""
        self.check(lib.b2b2c_ctx_set_utc_offset(self.handle, seconds))

    @property
    def utc_offset(self):
        """The offset in seconds east of UTC in which days are counted
        (0, UTC, unless set_utc_offset was called)."""
        v = _i32()
        self.check(lib.b2b2c_ctx_utc_offset(ctypes.byref(v), self.handle))
        return v.value

    def set_progress_handler(self, units, fn):
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

    def transaction(self):
        """with ctx.transaction(): ... commits, or rolls back on an
        exception."""
        return _Transaction(self)

    def close(self):
        """Close the engine handles opened on this context, then free it
        (a handle must not outlive its context). Closing twice is fine."""
        for child in list(getattr(self, "_children", ())):
            child.close()
        if self._h:
            lib.b2b2c_ctx_free(self._h)
            self._h = _ctx_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
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
        raise Error(EINVAL, "%s: %d values, expected %d"  # noqa: F821
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

    def __init__(self, ctx):
        self._h = _vp()
        if not isinstance(ctx, Context):
            raise Error(EINVAL, "ctx: must be a b2b2c.Context")  # noqa: F821
        self._ctx = ctx
        ctx.handle  # raises when the context is closed
        ctx._children.add(self)

    @property
    def handle(self):
        if not self._h:
            raise Error(EINVAL, "%s is closed" % self._kind)  # noqa: F821
        return self._h

    @property
    def ctx(self):
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

    def close(self):
        if self._h:
            type(self)._free(self._h)
            self._h = _vp()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


# ---- segment ---------------------------------------------------------------

def _names(fn):
    def name(v):
        return _name(fn, v)
    return name


seg_attr_name = _names(lib.b2b2c_seg_attr_name)
seg_party_type_name = _names(lib.b2b2c_seg_party_type_name)
seg_org_kind_name = _names(lib.b2b2c_seg_org_kind_name)
seg_dest_name = _names(lib.b2b2c_seg_dest_name)
seg_channel_name = _names(lib.b2b2c_seg_channel_name)
def seg_attr_from_name(s): return _value(lib.b2b2c_seg_attr_from_name, s)
def seg_party_type_from_name(s): return _value(lib.b2b2c_seg_party_type_from_name, s)
def seg_org_kind_from_name(s): return _value(lib.b2b2c_seg_org_kind_from_name, s)
def seg_dest_from_name(s): return _value(lib.b2b2c_seg_dest_from_name, s)
def seg_channel_from_name(s):
    return _value(lib.b2b2c_seg_channel_from_name, s)


def _attr(a):
    return _enum(a, lib.b2b2c_seg_attr_from_name, "attr")


def _mask_names(mask):
    return [seg_attr_name(a) for a in range(1, SEG_ATTR_COUNT + 1)  # noqa
            if mask & (1 << (a - 1))]


class Attrs(_Handle):
    """b2b2c_segment_attrs: an account's attributes, any of them missing.

        a = Attrs(ctx, party_type="organisation", org_kind="workshop",
                  employees=8)

    Attributes are named (seg_attr names) or numbered (SEG_ATTR_*); party
    types and organisation kinds may be given by name. Python ints go
    through b2b2c_segment_attrs_set_int, floats through set_double."""

    _kind = "Attrs"
    _free = lib.b2b2c_segment_attrs_free

    def __init__(self, ctx, **values):
        super().__init__(ctx)
        self._check(lib.b2b2c_segment_attrs_new(ctypes.byref(self._h), ctx.handle))
        for k, v in values.items():
            self.set(k, v)

    def set(self, attr, value):
        a = _attr(attr)
        if isinstance(value, str):
            fn = {SEG_ATTR_PARTY_TYPE: lib.b2b2c_seg_party_type_from_name,  # noqa
                  SEG_ATTR_ORG_KIND: lib.b2b2c_seg_org_kind_from_name}.get(a)  # noqa
            if fn is None:
                raise Error(EINVAL, "%s: a number is needed"  # noqa: F821
                            % seg_attr_name(a))
            value = _enum(value, fn, seg_attr_name(a))
        if isinstance(value, bool) or isinstance(value, int):
            self._check(lib.b2b2c_segment_attrs_set_int(self.handle, a, int(value)))
        else:
            self._check(lib.b2b2c_segment_attrs_set_double(self.handle, a,
                                                   float(value)))
        return self

    def get(self, attr):
        """The value (float), or None when missing."""
        v = _dbl()
        rc = lib.b2b2c_segment_attrs_get(ctypes.byref(v), self.handle, _attr(attr))
        if rc == ENOTFOUND:  # noqa: F821
            return None
        self._check(rc)
        return v.value

    def clear(self, attr):
        self._check(lib.b2b2c_segment_attrs_clear(self.handle, _attr(attr)))

    def reset(self):
        self._check(lib.b2b2c_segment_attrs_reset(self.handle))

    def present(self):
        """Names of the attributes present."""
        return _mask_names(lib.b2b2c_segment_attrs_present(self.handle))

    def to_dict(self):
        return {n: self.get(n) for n in self.present()}


Classification = namedtuple(
    "Classification", "segment name group confidence rule reason missing")
SegmentChange = namedtuple(
    "SegmentChange",
    "account_id time from_segment to_segment version rule confidence")
Rule = namedtuple("Rule", "rule_id priority segment expr is_default")
AccountItem = namedtuple("AccountItem", "account_id segment since version")


class Segmenter(_Handle):
    """b2b2c_segmenter: classifies accounts into the five sub-segments,
    records assignments and migrations, recommends routing."""

    _kind = "Segmenter"
    _free = lib.b2b2c_segmenter_free

    def __init__(self, ctx):
        super().__init__(ctx)
        self._check(lib.b2b2c_segmenter_new(ctypes.byref(self._h),
                                            ctx.handle))

    def set_param(self, param, value):
        self._check(lib.b2b2c_segmenter_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_segmenter_get_param(ctypes.byref(v),
                                                  self.handle, param))
        return v.value


    @property
    def version(self):
        v = _i64()
        self._check(lib.b2b2c_segmenter_version(ctypes.byref(v), self.handle))
        return v.value

    def rule_add(self, rule_id, priority, segment, expr):
        self._check(lib.b2b2c_segmenter_rule_add(
            self.handle, _b(rule_id), priority, _seg(segment), _b(expr)))

    def rule_remove(self, rule_id):
        self._check(lib.b2b2c_segmenter_rule_remove(self.handle, _b(rule_id)))

    def rules(self):
        """Every rule in evaluation order, as Rule tuples."""
        return self._iter(
            lib.b2b2c_segmenter_rules, _d.b2b2c_seg_rule_cb,
            lambda r, p, seg, e, d: Rule(_s(r), p, seg, _s(e), bool(d)),
            self.handle)

    def _attrs(self, attrs):
        if isinstance(attrs, Attrs):
            return attrs, None
        tmp = Attrs(self._ctx, **dict(attrs))
        return tmp, tmp

    def classify(self, attrs):
        """Classify an Attrs (or a dict of attribute values); returns a
        Classification with the deciding rule, reason and the names of the
        missing attributes that would settle it."""
        a, tmp = self._attrs(attrs)
        try:
            seg, conf = _i32(), _dbl()
            self._check(lib.b2b2c_segmenter_classify(
                ctypes.byref(seg), ctypes.byref(conf), self.handle, a.handle))
        finally:
            if tmp is not None:
                tmp.close()
        h = self.handle
        return Classification(
            seg.value, segment_name(seg.value),
            group_name(segment_group(seg.value)), conf.value,
            _s(lib.b2b2c_segmenter_last_rule(h)),
            _s(lib.b2b2c_segmenter_last_reason(h)),
            _mask_names(lib.b2b2c_segmenter_last_missing(h)))

    def classify_batch(self, rows):
        """Classify many accounts given as dicts {attribute: value} (numbers;
        kinds and party types as numbers or names) through the bulk path.
        Returns a list of (segment, confidence)."""
        n = len(rows)
        values = (_dbl * max(n * SEG_ATTR_COUNT, 1))()  # noqa: F821
        present = (_u32 * max(n, 1))()
        for i, row in enumerate(rows):
            for k, v in row.items():
                a = _attr(k)
                if isinstance(v, str):
                    v = {SEG_ATTR_PARTY_TYPE: seg_party_type_from_name,  # noqa
                         SEG_ATTR_ORG_KIND: seg_org_kind_from_name}[a](v)  # noqa
                values[i * SEG_ATTR_COUNT + a - 1] = float(v)  # noqa: F821
                present[i] |= 1 << (a - 1)
        segs, confs = (_i32 * max(n, 1))(), (_dbl * max(n, 1))()
        self._check(lib.b2b2c_segmenter_classify_batch(
            segs, confs, self.handle, n, values, present))
        return [(segs[i], confs[i]) for i in range(n)]

    def classify_sets(self, sets):
        """Classify a list of Attrs; a list of (segment, confidence)."""
        n = len(sets)
        arr = (_vp * max(n, 1))(*[a.handle for a in sets])
        segs, confs = (_i32 * max(n, 1))(), (_dbl * max(n, 1))()
        self._check(lib.b2b2c_segmenter_classify_sets(
            segs, confs, self.handle, n, arr))
        return [(segs[i], confs[i]) for i in range(n)]

    def assign(self, account_id, attrs, now):
        a, tmp = self._attrs(attrs)
        try:
            seg = _i32()
            self._check(lib.b2b2c_segmenter_assign(
                ctypes.byref(seg), self.handle, _b(account_id), a.handle,
                now))
        finally:
            if tmp is not None:
                tmp.close()
        return seg.value

    def assign_segment(self, account_id, segment, now):
        self._check(lib.b2b2c_segmenter_assign_segment(
            self.handle, _b(account_id), _seg(segment), now))

    def assignment(self, account_id):
        """(segment, since, rule-set version) of an account."""
        seg, since, ver = _i32(), _i64(), _i64()
        self._check(lib.b2b2c_segmenter_assignment(
            ctypes.byref(seg), ctypes.byref(since), ctypes.byref(ver),
            self.handle, _b(account_id)))
        return seg.value, since.value, ver.value

    def list_accounts(self, segment=-1):
        """[AccountItem(account_id, segment, since, version), ...] of the
        current assignments, in account ID order (bytewise); segment -1 =
        any (names accepted)."""
        segment = -1 if segment == -1 else _seg(segment)
        return self._iter(lib.b2b2c_segmenter_list_accounts,
                          _d.b2b2c_seg_account_cb,
                          lambda i, *f: AccountItem(_s(i), *f),
                          self.handle, segment)

    @staticmethod
    def _change(acc, t, f, to, ver, rule, conf):
        return SegmentChange(_s(acc), t, f, to, ver, _s(rule), conf)

    def history(self, account_id):
        return self._iter(lib.b2b2c_segmenter_history, _d.b2b2c_seg_change_cb,
                          self._change, self.handle, _b(account_id))

    def migrations(self, since):
        return self._iter(lib.b2b2c_segmenter_migrations,
                          _d.b2b2c_seg_change_cb,
                          self._change, self.handle, since)

    def route(self, segment, band):
        """(destination, channel kind) for a lead of segment in band."""
        d, k = _i32(), _i32()
        self._check(lib.b2b2c_segmenter_route(
            ctypes.byref(d), ctypes.byref(k), self.handle, _seg(segment),
            _band(band)))
        return d.value, k.value

    def route_set(self, segment, band, dest, channel_kind):
        self._check(lib.b2b2c_segmenter_route_set(
            self.handle, _seg(segment), _band(band),
            _enum(dest, lib.b2b2c_seg_dest_from_name, "dest"),
            _enum(channel_kind, lib.b2b2c_seg_channel_from_name,
                  "channel_kind")))

    def route_reset(self, segment, band):
        self._check(lib.b2b2c_segmenter_route_reset(
            self.handle, _seg(segment), _band(band)))


SegmentClassifier = Segmenter


# ---- lead ------------------------------------------------------------------

def lead_stage_name(v): return _name(lib.b2b2c_lead_stage_name, v)
def lead_stage_from_name(s): return _value(lib.b2b2c_lead_stage_from_name, s)


def _stage(v):
    return _enum(v, lib.b2b2c_lead_stage_from_name, "stage")


LeadRow = namedtuple("LeadRow", "lead_id score band probability")
RefitResult = namedtuple("RefitResult", "status passes converged")
BandChange = namedtuple("BandChange", "lead_id old_band new_band at")
LeadItem = namedtuple("LeadItem", "lead_id stage band score")


class LeadModel(_Handle):
    """b2b2c_lead_model: leads, events, decaying score and cold/warm/hot
    bands, lifecycle stages, learned P(won), queries and the band-change
    alert (set_alert takes a Python callable)."""

    _kind = "LeadModel"
    _free = lib.b2b2c_lead_model_free

    def __init__(self, ctx):
        super().__init__(ctx)
        self._alert = None  # the _Trampoline C may call (kept alive here)
        self._check(lib.b2b2c_lead_model_new(ctypes.byref(self._h),
                                             ctx.handle))

    def close(self):
        super().close()
        self._alert = None  # only after C can no longer call it

    def set_param(self, param, value):
        self._check(lib.b2b2c_lead_model_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_lead_model_get_param(ctypes.byref(v),
                                                   self.handle, param))
        return v.value


    def _kind_of(self, kind):
        if isinstance(kind, str):
            return self.kind_id(kind)
        return _enum(kind, {}, "kind")

    def add_kind(self, name):
        v = _i32()
        self._check(lib.b2b2c_lead_add_kind(ctypes.byref(v), self.handle,
                                                 _b(name)))
        return v.value

    def kind_id(self, name):
        v = _i32()
        self._check(lib.b2b2c_lead_kind_id(ctypes.byref(v), self.handle,
                                           _b(name)))
        return v.value

    def kind_name(self, kind):
        return _s(lib.b2b2c_lead_kind_name(self.handle, kind))

    def kind_set(self, kind, points, cap_day=0, cap_total=0, hot_days=0):
        self._check(lib.b2b2c_lead_kind_set(
            self.handle, self._kind_of(kind), points, cap_day, cap_total,
            hot_days))

    def kind_get(self, kind):
        """{points, cap_day, cap_total, hot_days} of an event kind."""
        v = [_dbl() for _ in range(4)]
        self._check(lib.b2b2c_lead_kind_get(
            *[ctypes.byref(x) for x in v], self.handle, self._kind_of(kind)))
        return dict(zip(("points", "cap_day", "cap_total", "hot_days"),
                        (x.value for x in v)))

    def attr_points_set(self, attr, value, points):
        attr = _enum(attr, _named("LEAD_ATTR_"), "attr")
        self._check(lib.b2b2c_lead_attr_points_set(self.handle, attr,
                                                   _b(value), points))

    def add(self, lead_id, created, segment=0, channel=None, region=None,
            product_line=None):
        self._check(lib.b2b2c_lead_add(
            self.handle, _b(lead_id), created, _seg(segment), _b(channel),
            _b(region), _b(product_line)))

    def event(self, lead_id, kind, now, value=0.0):
        """Record an event (kind: number or name). An exception raised by
        the alert callable is re-raised here (the event is recorded)."""
        rc = lib.b2b2c_lead_event(self.handle, _b(lead_id),
                                  self._kind_of(kind), now, value)
        if self._alert is not None:
            self._alert.rethrow()
        self._check(rc)

    def remove(self, lead_id):
        """Remove a lead and its stage history (also the repair of a lead
        an older build stored with a time outside the range)."""
        self._check(lib.b2b2c_lead_remove(self.handle, _b(lead_id)))

    def score(self, lead_id, now):
        """(score, band) at now."""
        s, b = _dbl(), _i32()
        self._check(lib.b2b2c_lead_score(ctypes.byref(s), ctypes.byref(b),
                                         self.handle, _b(lead_id), now))
        return s.value, b.value

    def band(self, lead_id, now):
        """The band's name ("cold", "warm", "hot") at now."""
        return band_name(self.score(lead_id, now)[1])

    def stage(self, lead_id):
        v = _i32()
        self._check(lib.b2b2c_lead_stage(ctypes.byref(v), self.handle,
                                         _b(lead_id)))
        return v.value

    def count(self):
        v = _sz()
        self._check(lib.b2b2c_lead_count(ctypes.byref(v), self.handle))
        return v.value

    def __len__(self):
        return self.count()

    def set_stage(self, lead_id, stage, now):
        self._check(lib.b2b2c_lead_set_stage(self.handle, _b(lead_id),
                                             _stage(stage), now))

    def stage_history(self, lead_id):
        """[(from, to, at), ...], oldest first."""
        return self._iter(lib.b2b2c_lead_stage_history, _d.b2b2c_lead_stage_cb,
                          lambda f, t, at: (f, t, at),
                          self.handle, _b(lead_id))

    def outcome(self, lead_id, won, now):
        """won: True or "won", False or "lost" (numbers are refused)."""
        self._check(lib.b2b2c_lead_outcome(self.handle, _b(lead_id),
                                           _won(won), now))

    def refit(self):
        """Refit the learned model from all outcomes; RefitResult(status,
        passes, converged): status is the fit status name ("converged",
        "max_iter" after LEAD_REFIT_EPOCHS passes, "stalled"); converged is
        True only for "converged" (the weights reached are kept)."""
        c, n = _i32(), _i32()
        self._check(lib.b2b2c_lead_refit(ctypes.byref(c), ctypes.byref(n),
                                         self.handle))
        return RefitResult(fit_status_name(c.value), n.value,
                           c.value == FIT_CONVERGED)  # noqa: F821

    def probability(self, lead_id, now):
        p = _dbl()
        self._check(lib.b2b2c_lead_probability(ctypes.byref(p), self.handle,
                                               _b(lead_id), now))
        return p.value

    def factors(self, lead_id, now, k=5):
        """[(feature, contribution), ...]: top k up, then top k down."""
        return self._iter(lib.b2b2c_lead_factors, _d.b2b2c_lead_factor_cb,
                          lambda f, c: (_s(f), c),
                          self.handle, _b(lead_id), now, k)

    def top(self, now, n=10, by=0, band=-1, segment=-1, stage=-1,
            region=None):
        """The best n leads at now (by LEAD_BY_SCORE or LEAD_BY_PROBABILITY);
        band, segment, stage -1 = any (names accepted); by: LEAD_BY_* or
        "score"/"probability"."""
        by = _enum(by, _named("LEAD_BY_"), "by")
        band = -1 if band == -1 else _band(band)
        segment = -1 if segment == -1 else _seg(segment)
        stage = -1 if stage == -1 else _stage(stage)
        return self._iter(lib.b2b2c_lead_top, _d.b2b2c_lead_row_cb,
                          lambda i, s, b, p: LeadRow(_s(i), s, b, p),
                          self.handle, now, n, by, band, segment, stage,
                          _b(region))

    def counts(self, now):
        """[(band, segment, channel, count), ...] non-zero cells."""
        return self._iter(lib.b2b2c_lead_counts, _d.b2b2c_lead_count_cb,
                          lambda b, s, c, n: (b, s, _s(c), n),
                          self.handle, now)

    def band_changes(self, since, now):
        return self._iter(lib.b2b2c_lead_band_changes, _d.b2b2c_lead_band_cb,
                          lambda i, o, n, at: BandChange(_s(i), o, n, at),
                          self.handle, since, now)

    def list(self, now, stage=-1, band=-1):
        """[LeadItem(lead_id, stage, band, score), ...] at now, in lead ID
        order (bytewise); stage and band -1 = any (names accepted)."""
        stage = -1 if stage == -1 else _stage(stage)
        band = -1 if band == -1 else _band(band)
        return self._iter(lib.b2b2c_lead_list, _d.b2b2c_lead_list_cb,
                          lambda i, st, b, sc: LeadItem(_s(i), st, b, sc),
                          self.handle, stage, band, now)

    def set_alert(self, fn):
        """fn(BandChange) after an event moved a lead into another band;
        None removes it. The binding keeps the C callback alive until it is
        replaced or the model is closed."""
        if fn is None:
            self._check(lib.b2b2c_lead_set_alert(
                self.handle, _d.b2b2c_lead_band_cb(), None))
            self._alert = None
            return
        t = _Trampoline(_d.b2b2c_lead_band_cb, lambda i, o, n, at:
                        fn(BandChange(_s(i), o, n, at)))
        self._check(lib.b2b2c_lead_set_alert(self.handle, t.c, None))
        self._alert = t


# ---- dealer ----------------------------------------------------------------

_DEALER_STATUS = {"active": DEALER_ACTIVE, "paused": DEALER_PAUSED,  # noqa
                  "offboarded": DEALER_OFFBOARDED}  # noqa: F821


def dealer_policy_name(v): return _name(lib.b2b2c_dealer_policy_name, v)
def dealer_reason_name(v): return _name(lib.b2b2c_dealer_reason_name, v)


_AUDIT_NAMES = _prefixed("DEALER_AUDIT_", ("NFIELDS",))
_STAT_NAMES = _prefixed("DEALER_STAT_", ("NFIELDS",))
_STAT_NAMES.update({DEALER_STAT_DECLINE_REASON0 + i:  # noqa: F821
                    "decline_reason%d" % i for i in range(8)})
_SC_NAMES = _prefixed("DEALER_SC_", ("NFIELDS",))

Reroute = namedtuple("Reroute", "lead_id from_dealer to_dealer reason")
AuditRecord = namedtuple("AuditRecord", "lead_id dealer_id fields")
DealerItem = namedtuple("DealerItem", "dealer_id status paused_until "
                        "tier_weight capacity open_offers")


class DealerEngine(_Handle):
    """b2b2c_dealer_engine: dealers, routing of consumer leads, accept /
    decline / expire, outcomes, audit trail and scorecards. Audit, stats
    and scorecard rows come back as dicts keyed by the DEALER_AUDIT_*,
    DEALER_STAT_*, DEALER_SC_* names (lowercased, prefix dropped)."""

    _kind = "DealerEngine"
    _free = lib.b2b2c_dealer_free

    def __init__(self, ctx):
        super().__init__(ctx)
        self._check(lib.b2b2c_dealer_new(ctypes.byref(self._h), ctx.handle))

    def seed(self, seed):
        self._check(lib.b2b2c_dealer_seed(self.handle, seed))

    def set_param(self, param, value):
        self._check(lib.b2b2c_dealer_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_dealer_get_param(ctypes.byref(v), self.handle,
                                               param))
        return v.value


    def put(self, dealer_id, tier_weight=1.0, territories=(),
            product_lines=(), capacity=100, daily_quota=0,
            deadline_hours=48.0):
        """Create or update a dealer; territories and product lines are
        lists of codes (or ';'-joined strings)."""
        def join(v):
            return v if isinstance(v, str) else ";".join(v)
        self._check(lib.b2b2c_dealer_put(
            self.handle, _b(dealer_id), tier_weight, _b(join(territories)),
            _b(join(product_lines)), capacity, daily_quota, deadline_hours))

    def set_location(self, dealer_id, lat, lon, radius_km):
        self._check(lib.b2b2c_dealer_set_location(self.handle, _b(dealer_id),
                                                  lat, lon, radius_km))

    def set_status(self, dealer_id, status, paused_until=None):
        """status: DEALER_ACTIVE/_PAUSED/_OFFBOARDED or "active", "paused",
        "offboarded". paused_until (Unix seconds) is required with paused
        (a pause until 1970 would be no pause) and ignored otherwise."""
        status = _enum(status, _DEALER_STATUS, "status")
        if status == DEALER_PAUSED:  # noqa: F821
            paused_until = _time(paused_until, "paused_until")
        elif paused_until is None:
            paused_until = 0
        self._check(lib.b2b2c_dealer_set_status(self.handle, _b(dealer_id),
                                                status, paused_until))

    def count(self):
        v = _sz()
        self._check(lib.b2b2c_dealer_count(ctypes.byref(v), self.handle))
        return v.value

    def list(self, status=-1):
        """[DealerItem(dealer_id, status, paused_until, tier_weight,
        capacity, open_offers), ...] in dealer ID order (bytewise); status
        -1 = any (names accepted)."""
        status = -1 if status == -1 else _enum(status, _DEALER_STATUS,
                                               "status")
        return self._iter(lib.b2b2c_dealer_list, _d.b2b2c_dealer_list_cb,
                          lambda i, *f: DealerItem(_s(i), *f),
                          self.handle, status)

    def stats(self, dealer_id):
        n = DEALER_STAT_NFIELDS  # noqa: F821
        out = (_dbl * n)()
        self._check(lib.b2b2c_dealer_stats(out, n, self.handle,
                                           _b(dealer_id)))
        return _row(out, n, _STAT_NAMES)

    def route(self, lead_id, region, product_line=None, segment=0, band=0,
              now=None, location=None):
        """Offer a lead to a dealer: (dealer_id or None for the direct
        fallback, reason). With nobody eligible raises Error(ENODEALER)
        whose .reason says why. location: (lat, lon) or None. now (Unix
        seconds) is required: the binding does not read the clock."""
        now = _time(now, "now")
        d, r = _str(), _i32()
        lat, lon = location if location is not None else (0.0, 0.0)
        rc = lib.b2b2c_dealer_route(
            ctypes.byref(d), ctypes.byref(r), self.handle, _b(lead_id),
            _b(region), 0 if location is None else 1, lat, lon,
            _b(product_line), _seg(segment), _band(band), now)
        self._raise_with_reason(rc, r)
        return _s(d.value), r.value

    def _raise_with_reason(self, rc, r):
        try:
            self._check(rc)
        except Error as e:
            e.reason = r.value
            raise

    def accept(self, lead_id, dealer_id, now):
        self._check(lib.b2b2c_dealer_accept(self.handle, _b(lead_id),
                                            _b(dealer_id), now))

    def decline(self, lead_id, dealer_id, reason, now):
        """The dealer declines; (next dealer or None, reason)."""
        d, r = _str(), _i32()
        rc = lib.b2b2c_dealer_decline(ctypes.byref(d), ctypes.byref(r),
                                      self.handle, _b(lead_id),
                                      _b(dealer_id), reason, now)
        self._raise_with_reason(rc, r)
        return _s(d.value), r.value

    def expire(self, now, callback=None):
        """Expire overdue offers and re-route them; returns the Reroute
        reports (and calls callback(report) for each, if given; an
        exception from it stops the reports and is re-raised here, the
        re-routings being committed already)."""
        out = []

        def each(lead, frm, to, reason):
            rep = Reroute(_s(lead), _s(frm), _s(to), reason)
            out.append(rep)
            if callback is not None:
                callback(rep)
        n = _sz()
        t = _Trampoline(_d.b2b2c_dealer_reroute_cb, each)
        rc = lib.b2b2c_dealer_expire(ctypes.byref(n), self.handle, now, t.c,
                                     None)
        t.rethrow()
        self._check(rc)
        return out

    def recall(self, lead_id, now):
        self._check(lib.b2b2c_dealer_recall(self.handle, _b(lead_id), now))

    def outcome(self, lead_id, won, revenue=0.0, now=None):
        """won: True or "won", False or "lost" (numbers are refused); now
        (Unix seconds) is required: the binding does not read the clock."""
        won, now = _won(won), _time(now, "now")
        self._check(lib.b2b2c_dealer_outcome(self.handle, _b(lead_id),
                                             won, revenue, now))

    def lead_state(self, lead_id):
        """(DEALER_LEAD_* state, current or last dealer or None)."""
        st, d = _i32(), _str()
        self._check(lib.b2b2c_dealer_lead_state(
            ctypes.byref(st), ctypes.byref(d), self.handle, _b(lead_id)))
        return st.value, _s(d.value)

    @staticmethod
    def _audit(lead, dealer, fields, n):
        return AuditRecord(_s(lead), _s(dealer), _row(fields, n,
                                                      _AUDIT_NAMES))

    def audit_lead(self, lead_id):
        return self._iter(lib.b2b2c_dealer_audit_lead,
                          _d.b2b2c_dealer_audit_cb,
                          self._audit, self.handle, _b(lead_id))

    def audit_dealer(self, dealer_id):
        return self._iter(lib.b2b2c_dealer_audit_dealer,
                          _d.b2b2c_dealer_audit_cb,
                          self._audit, self.handle, _b(dealer_id))

    def scorecards(self, from_, to):
        """[(dealer_id, {offered, accepted, ..., rank}), ...] rank order."""
        return self._iter(lib.b2b2c_dealer_scorecards,
                          _d.b2b2c_dealer_scorecard_cb,
                          lambda d, f, n: (_s(d), _row(f, n, _SC_NAMES)),
                          self.handle, from_, to)


# ---- forecast (stateless) --------------------------------------------------

def forecast_nparams(model):
    return _check(lib.b2b2c_forecast_nparams(model))


def forecast_param_name(model, i):
    """Name of parameter i of model; i = -1 gives the model's name."""
    return _name(lambda v: lib.b2b2c_forecast_param_name(model, v), i)


def forecast_param_names(model):
    return tuple(forecast_param_name(model, i)
                 for i in range(forecast_nparams(model)))


class _TempCtx:
    """The caller's Context, or a private one for one call."""

    def __init__(self, ctx):
        self.ctx, self.own = (ctx, False) if ctx is not None else (
            Context(), True)

    def __enter__(self):
        return self.ctx

    def __exit__(self, *exc):
        if self.own:
            self.ctx.close()


def _params(params, what="params"):
    """Parameters given as a sequence or as the dict returned by a fit."""
    if isinstance(params, dict):
        params = list(params.values())
    return _doubles(params, what)


def _rows(n, x, what):
    if x is None:
        return None
    return _doubles(x, what, n)[0]


FitResult = namedtuple("FitResult",
                       "params loglik iterations status converged")


def fit_status_name(status):
    """"converged", "max_iter", "stalled" or "boundary" (None: unknown)."""
    return _s(lib.b2b2c_fit_status_name(status))


def _fit_result(names, out, ll, it, st):
    # status: the B2B2C_FIT_* name; converged: True only for a clean fit
    return FitResult(dict(zip(names, out)), ll.value, it.value,
                     fit_status_name(st.value),
                     st.value == FIT_CONVERGED)  # noqa: F821


def forecast_fit(model, x, tx, T, weight=None, l2=0.0, ctx=None,
                 max_iter=0):
    """Fit BG/NBD, Pareto/NBD or BG/BB on lists of floats. Returns a
    FitResult whose params is a dict {name: value} in the paper's order,
    status the fit status name ("converged", "max_iter", "stalled",
    "boundary") and converged True only when status is "converged".
    max_iter: iteration budget (0: the default, 1000)."""
    n = len(x)
    k = forecast_nparams(model)
    out, ll, it, st = (_dbl * k)(), _dbl(), _i32(), _i32()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_fit(
            out, k, ctypes.byref(ll), ctypes.byref(it), ctypes.byref(st),
            c.handle, model, _rows(n, x, "x"), _rows(n, tx, "tx"),
            _rows(n, T, "T"), _rows(n, weight, "weight"), n, l2, max_iter))
    return _fit_result(forecast_param_names(model), out, ll, it, st)


def forecast_loglik(model, params, x, tx, T, weight=None, ctx=None):
    """(loglik, gradient list) at params."""
    n = len(x)
    p, k = _params(params)
    ll, grad = _dbl(), (_dbl * k)()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_loglik(
            ctypes.byref(ll), grad, c.handle, model, p, k, _rows(n, x, "x"),
            _rows(n, tx, "tx"), _rows(n, T, "T"),
            _rows(n, weight, "weight"), n))
    return ll.value, list(grad)


def forecast_gg_fit(x, m, weight=None, l2=0.0, ctx=None, max_iter=0):
    """Fit Gamma-Gamma; a FitResult as forecast_fit's."""
    n = len(x)
    out, ll, it, st = (_dbl * 3)(), _dbl(), _i32(), _i32()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_gg_fit(
            out, 3, ctypes.byref(ll), ctypes.byref(it), ctypes.byref(st),
            c.handle, _rows(n, x, "x"), _rows(n, m, "m"),
            _rows(n, weight, "weight"), n, l2, max_iter))
    return _fit_result(forecast_param_names(FORECAST_GG),  # noqa: F821
                       out, ll, it, st)


def forecast_gg_loglik(params, x, m, weight=None, ctx=None):
    n = len(x)
    p, k = _params(params)
    ll, grad = _dbl(), (_dbl * k)()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_gg_loglik(
            ctypes.byref(ll), grad, c.handle, p, k, _rows(n, x, "x"),
            _rows(n, m, "m"), _rows(n, weight, "weight"), n))
    return ll.value, list(grad)


def forecast_predict(model, params, x, tx, T, t, ctx=None):
    """{"expected": [...], "p_alive": [...], "p_any": [...]} for the
    window (T, T + t]."""
    n = len(x)
    p, k = _params(params)
    e, a, y = ((_dbl * max(n, 1))() for _ in range(3))
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_predict(
            e, a, y, c.handle, model, p, k, _rows(n, x, "x"),
            _rows(n, tx, "tx"), _rows(n, T, "T"), n, t))
    return {"expected": e[:n], "p_alive": a[:n], "p_any": y[:n]}


def forecast_gg_spend(params, x, m, ctx=None):
    n = len(x)
    p, k = _params(params)
    out = (_dbl * max(n, 1))()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_gg_spend(out, c.handle, p, k,
                                            _rows(n, x, "x"),
                                            _rows(n, m, "m"), n))
    return out[:n]


def forecast_clv(model, params, x, tx, T, spend, horizon, discount=0.0,
                 margin=1.0, ctx=None):
    n = len(x)
    p, k = _params(params)
    out = (_dbl * max(n, 1))()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_clv(
            out, c.handle, model, p, k, _rows(n, x, "x"), _rows(n, tx, "tx"),
            _rows(n, T, "T"), _rows(n, spend, "spend"), n, horizon, discount,
            margin))
    return out[:n]


def forecast_population_expected(model, params, t, ctx=None):
    n = len(t)
    p, k = _params(params)
    out = (_dbl * max(n, 1))()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_population_expected(
            out, c.handle, model, p, k, _rows(n, t, "t"), n))
    return out[:n]


def forecast_frequency_counts(model, params, T, weight=None, nout=10,
                              ctx=None):
    n = len(T)
    p, k = _params(params)
    out = (_dbl * max(nout, 1))()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_frequency_counts(
            out, nout, c.handle, model, p, k, _rows(n, T, "T"),
            _rows(n, weight, "weight"), n))
    return out[:nout]


# ---- forecast (stateful) ---------------------------------------------------

Summary = namedtuple("Summary", "customer_id frequency recency T "
                                "monetary_value")
Due = namedtuple("Due", "customer_id due_time p_alive expected_value")
CustomerItem = namedtuple("CustomerItem", "customer_id segment first last "
                          "purchases")


# b2b2c_forecaster_holdout's limit on nout (include/b2b2c/forecast.h).
_HOLDOUT_MAX_GROUPS = 1000
# The built-in purchase kinds by name ("product", "install", ...).
_KINDS = _named("FORECAST_KIND_", ("HOST_FIRST", "MAX"))


class Forecaster(_Handle):
    """b2b2c_forecaster: purchase log, per-segment fits, per-customer
    answers, repeat-due list and holdout check."""

    _kind = "Forecaster"
    _free = lib.b2b2c_forecaster_free

    def __init__(self, ctx):
        super().__init__(ctx)
        self._check(lib.b2b2c_forecaster_new(ctypes.byref(self._h),
                                             ctx.handle))

    def set_param(self, param, value):
        self._check(lib.b2b2c_forecaster_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_forecaster_get_param(ctypes.byref(v),
                                                   self.handle, param))
        return v.value


    def add_kind(self, name):
        v = _i32()
        self._check(lib.b2b2c_forecaster_add_kind(ctypes.byref(v),
                                                  self.handle, _b(name)))
        return v.value

    def kind_name(self, kind):
        return _s(lib.b2b2c_forecaster_kind_name(self.handle, kind))

    def add_purchase(self, customer_id, segment, time, amount, kind=0):
        """kind: FORECAST_KIND_* (or a host kind number) or a built-in kind's name."""
        self._check(lib.b2b2c_forecaster_add_purchase(
            self.handle, _b(customer_id), _seg(segment), time, amount,
            _enum(kind, _KINDS, "kind")))

    def cancel_subscription(self, customer_id, time):
        self._check(lib.b2b2c_forecaster_cancel_subscription(
            self.handle, _b(customer_id), time))

    def remove_customer(self, customer_id):
        """Remove a customer's purchases and cancellation (also the repair
        of a purchase an older build stored outside the time range)."""
        self._check(lib.b2b2c_forecaster_remove_customer(
            self.handle, _b(customer_id)))

    def _segm(self, segment):
        return -1 if segment == -1 else _seg(segment)

    def fit(self, calibration_end, segment=-1, calibration_start=None):
        """Fit the segment (-1: everyone); True only when the purchase
        model's fit converged cleanly (fit_params() gives "status" and
        "gg_status" by name). With calibration_start, a customer with a
        purchase before it raises Error(ERANGE) and nothing is fitted."""
        c = _i32()
        if calibration_start is None:
            self._check(lib.b2b2c_forecaster_fit(
                ctypes.byref(c), self.handle, self._segm(segment),
                calibration_end))
        else:
            self._check(lib.b2b2c_forecaster_fit_window(
                ctypes.byref(c), self.handle, self._segm(segment),
                calibration_start, calibration_end))
        return c.value == FIT_CONVERGED  # noqa: F821

    def fit_params(self, segment=-1):
        """{"model": m, "params": {name: v}, "gg_params": {p, q, v},
        "loglik": x, "status": name, "gg_status": name}; the names follow
        the model the fit was made with; a status other than "converged"
        means the stored fit is not clean."""
        m, p, g, ll = _i32(), (_dbl * 4)(), (_dbl * 3)(), _dbl()
        st, gst = _i32(), _i32()
        self._check(lib.b2b2c_forecaster_fit_params(
            ctypes.byref(m), p, g, ctypes.byref(ll), ctypes.byref(st),
            ctypes.byref(gst), self.handle, self._segm(segment)))
        model = m.value
        return {"model": model,
                "params": dict(zip(forecast_param_names(model), p)),
                "gg_params": dict(zip(forecast_param_names(
                    FORECAST_GG), g)), "loglik": ll.value,  # noqa: F821
                "status": fit_status_name(st.value),
                "gg_status": fit_status_name(gst.value)}

    def spend_source(self, segment=-1):
        """(source, mean_spend): SPEND_GAMMA_GAMMA, or why the fit gives
        every customer the segment's mean spend (SPEND_MEAN_*)."""
        s, m = _i32(), _dbl()
        self._check(lib.b2b2c_forecaster_spend_source(
            ctypes.byref(s), ctypes.byref(m), self.handle,
            self._segm(segment)))
        return s.value, m.value

    def service_stats(self, kind, segment=-1):
        """(attach_rate, mean_value) of a service kind."""
        a, m = _dbl(), _dbl()
        self._check(lib.b2b2c_forecaster_service_stats(
            ctypes.byref(a), ctypes.byref(m), self.handle,
            self._segm(segment), _enum(kind, _KINDS, "kind")))
        return a.value, m.value

    def subscription_stats(self, segment=-1):
        """(revenue_per_unit, retention)."""
        r, k = _dbl(), _dbl()
        self._check(lib.b2b2c_forecaster_subscription_stats(
            ctypes.byref(r), ctypes.byref(k), self.handle,
            self._segm(segment)))
        return r.value, k.value

    def summaries(self, calibration_end, segment=-1, calibration_start=None):
        conv = lambda c, x, tx, T, m: Summary(_s(c), x, tx, T, m)  # noqa: E731
        if calibration_start is None:
            return self._iter(lib.b2b2c_forecaster_summaries,
                              _d.b2b2c_forecaster_summary_cb,
                              conv, self.handle, self._segm(segment),
                              calibration_end)
        return self._iter(lib.b2b2c_forecaster_summaries_window,
                          _d.b2b2c_forecaster_summary_cb, conv, self.handle,
                          self._segm(segment), calibration_start,
                          calibration_end)

    def list_customers(self, segment=-1):
        """[CustomerItem(customer_id, segment, first, last, purchases), ...]
        in customer ID order (bytewise); segment -1 = any."""
        return self._iter(lib.b2b2c_forecaster_list_customers,
                          _d.b2b2c_forecaster_customer_cb,
                          lambda i, *f: CustomerItem(_s(i), *f),
                          self.handle, self._segm(segment))

    def customer(self, customer_id, now, horizon):
        """{expected, p_alive, p_any, spend, clv_product, clv_service}."""
        v = [_dbl() for _ in range(6)]
        self._check(lib.b2b2c_forecaster_customer(
            *[ctypes.byref(x) for x in v], self.handle, _b(customer_id), now,
            horizon))
        return dict(zip(("expected", "p_alive", "p_any", "spend",
                         "clv_product", "clv_service"), (x.value for x in v)))

    def due(self, now, window_days):
        return self._iter(lib.b2b2c_forecaster_due, _d.b2b2c_forecaster_due_cb,
                          lambda c, t, p, e: Due(_s(c), t, p, e),
                          self.handle, now, window_days)

    def holdout(self, calibration_end, holdout_end, nout=5, segment=-1):
        """[{"frequency": k, "count", "actual", "predicted"}, ...]; nout
        1..1000 (checked here, before the arrays are allocated)."""
        nout = _int_arg("holdout", 3, _sz, nout)
        if not 1 <= nout <= _HOLDOUT_MAX_GROUPS:
            raise ValueError("holdout: nout must be 1..%d, not %d"
                             % (_HOLDOUT_MAX_GROUPS, nout))
        a, p, c = ((_dbl * nout)() for _ in range(3))
        self._check(lib.b2b2c_forecaster_holdout(
            a, p, c, nout, self.handle, self._segm(segment), calibration_end,
            holdout_end))
        return [{"frequency": k, "count": c[k], "actual": a[k],
                 "predicted": p[k]} for k in range(nout)]


# ---- channels --------------------------------------------------------------

def channel_kind_name(v): return _name(lib.b2b2c_channel_kind_name, v)
def channel_sub_name(v): return _name(lib.b2b2c_channel_sub_name, v)
def channel_attribution_name(v): return _name(lib.b2b2c_channel_attribution_name, v)
def channel_kind_from_name(s):
    return _value(lib.b2b2c_channel_kind_from_name, s)
def channel_sub_from_name(s): return _value(lib.b2b2c_channel_sub_from_name, s)
def channel_attribution_from_name(s): return _value(lib.b2b2c_channel_attribution_from_name, s)
def channel_sub_kind(sub): return _check(lib.b2b2c_channel_sub_kind(sub))


_CHM_NAMES = _prefixed("CHM_", ("COUNT",))
_MIX_NAMES = _prefixed("MIX_", ("COUNT",))

Attribution = namedtuple("Attribution", "channel_id conversions revenue ltv")
Share = namedtuple("Share", "channel_id t share")
ChannelItem = namedtuple("ChannelItem", "channel_id kind sub group")
LagWeek = namedtuple("LagWeek", "week_start reach_spend leadgen_spend leads "
                                "cpl")


def _model(m):
    return _enum(m, lib.b2b2c_channel_attribution_from_name, "model")


class Channels(_Handle):
    """b2b2c_channels: channels, spend, touches, conversions, metrics,
    multi-touch attribution and the media-mix report. Metric and mix rows
    come back as (key, dict keyed by CHM_* / MIX_* names lowercased)."""

    _kind = "Channels"
    _free = lib.b2b2c_channels_free

    def __init__(self, ctx):
        super().__init__(ctx)
        self._check(lib.b2b2c_channels_new(ctypes.byref(self._h), ctx.handle))

    def set_param(self, param, value):
        self._check(lib.b2b2c_channels_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_channels_get_param(ctypes.byref(v),
                                                 self.handle, param))
        return v.value


    def add(self, channel_id, kind, sub=0, group=0):
        """kind, sub and group: numbers or stable names."""
        self._check(lib.b2b2c_channels_add(
            self.handle, _b(channel_id),
            _enum(kind, lib.b2b2c_channel_kind_from_name, "kind"),
            _enum(sub, lib.b2b2c_channel_sub_from_name, "sub"),
            _group(group)))

    def get(self, channel_id):
        """(kind, sub, group) of a channel."""
        k, s, g = _i32(), _i32(), _i32()
        self._check(lib.b2b2c_channels_get(ctypes.byref(k), ctypes.byref(s),
                                           ctypes.byref(g), self.handle,
                                           _b(channel_id)))
        return k.value, s.value, g.value

    def count(self):
        v = _sz()
        self._check(lib.b2b2c_channels_count(ctypes.byref(v), self.handle))
        return v.value

    def list(self, kind=-1):
        """[ChannelItem(channel_id, kind, sub, group), ...] in channel ID
        order (bytewise); kind -1 = any (names accepted)."""
        kind = -1 if kind == -1 else _enum(
            kind, lib.b2b2c_channel_kind_from_name, "kind")
        return self._iter(lib.b2b2c_channels_list, _d.b2b2c_channels_list_cb,
                          lambda i, k, sb, g: ChannelItem(_s(i), k, sb, g),
                          self.handle, kind)

    def set_spend(self, channel_id, t, spend, impressions=0.0):
        self._check(lib.b2b2c_channels_set_spend(self.handle, _b(channel_id),
                                                 t, spend, impressions))

    def touch(self, lead_id, channel_id, t):
        self._check(lib.b2b2c_channels_touch(self.handle, _b(lead_id),
                                             _b(channel_id), t))

    def convert(self, lead_id, t, revenue=0.0):
        self._check(lib.b2b2c_channels_convert(self.handle, _b(lead_id), t,
                                               revenue))

    def set_ltv(self, lead_id, ltv):
        self._check(lib.b2b2c_channels_set_ltv(self.handle, _b(lead_id), ltv))

    def metrics(self, by, model, from_, to):
        """[(key, {spend, impressions, leads, ..., romi_ltv}), ...]."""
        return self._iter(lib.b2b2c_channels_metrics, _d.b2b2c_channels_row_cb,
                          lambda k, m, n: (_s(k), _row(m, n, _CHM_NAMES)),
                          self.handle,
                          _enum(by, _named("CHANNELS_BY_"), "by"),
                          _model(model), from_, to)

    def attribute(self, model, from_, to):
        return self._iter(lib.b2b2c_channels_attribute,
                          _d.b2b2c_channels_attribution_cb,
                          lambda c, n, r, v: Attribution(_s(c), n, r, v),
                          self.handle, _model(model), from_, to)

    def attribute_lead(self, lead_id, model, from_=None, to=None):
        """[Share(channel_id, t, share), ...] of one converted lead. from_
        and to (Unix seconds) are required for the Markov model (its
        removal effects come from the paths ending in [from_, to)); the
        other models ignore them."""
        model = _model(model)
        if model == CHANNEL_ATTRIBUTION_MARKOV:  # noqa: F821
            from_, to = _time(from_, "from_"), _time(to, "to")
        else:
            from_, to = from_ or 0, to or 0
        return self._iter(lib.b2b2c_channels_attribute_lead,
                          _d.b2b2c_channels_share_cb,
                          lambda c, t, s: Share(_s(c), t, s),
                          self.handle, _b(lead_id), _model(model), from_, to)

    def markov_effects(self, from_, to):
        """(P(conversion), [(channel_id, removal_effect, share), ...])."""
        p = _dbl()
        rows = self._iter(lib.b2b2c_channels_markov_effects,
                          _d.b2b2c_channels_markov_cb,
                          lambda c, re, sh: (_s(c), re, sh),
                          ctypes.byref(p), self.handle, from_, to)
        return p.value, rows

    def mix_shares(self, model, from_, to):
        """[(group key, {reach_spend, ..., leadgen_ltv}), ...]."""
        return self._iter(lib.b2b2c_channels_mix_shares,
                          _d.b2b2c_channels_row_cb,
                          lambda k, m, n: (_s(k), _row(m, n, _MIX_NAMES)),
                          self.handle, _model(model), from_, to)

    def mix_lag(self, from_, to, group=-1):
        """{"slope", "corr", "pairs", "weeks": [LagWeek, ...]}."""
        slope, corr, pairs = _dbl(), _dbl(), _sz()
        g = -1 if group == -1 else _group(group)
        weeks = self._iter(lib.b2b2c_channels_mix_lag,
                           _d.b2b2c_channels_lag_cb, LagWeek,
                           ctypes.byref(slope), ctypes.byref(corr),
                           ctypes.byref(pairs), self.handle, g, from_, to)
        return {"slope": slope.value, "corr": corr.value,
                "pairs": pairs.value, "weeks": weeks}


__all__ += [n for n in list(_CONSTANTS) + [
    "Attrs", "Segmenter", "SegmentClassifier", "LeadModel", "DealerEngine",
    "Forecaster", "Channels", "Classification", "SegmentChange", "Rule",
    "LeadRow", "RefitResult", "BandChange", "Reroute", "AuditRecord", "FitResult",
    "Summary", "Due", "Attribution", "Share", "LagWeek", "LeadItem",
    "DealerItem", "ChannelItem", "AccountItem", "CustomerItem",
    "seg_attr_name", "seg_party_type_name", "seg_org_kind_name", "seg_dest_name",
    "seg_channel_name", "seg_attr_from_name", "seg_party_type_from_name",
    "seg_org_kind_from_name", "seg_dest_from_name", "seg_channel_from_name",
    "lead_stage_name", "lead_stage_from_name", "dealer_policy_name",
    "dealer_reason_name", "forecast_nparams", "forecast_param_name",
    "forecast_param_names", "forecast_fit", "forecast_loglik",
    "forecast_gg_fit", "forecast_gg_loglik", "forecast_predict",
    "fit_status_name",
    "forecast_gg_spend", "forecast_clv", "forecast_population_expected",
    "forecast_frequency_counts", "channel_kind_name", "channel_sub_name",
    "channel_attribution_name", "channel_kind_from_name", "channel_sub_from_name",
    "channel_attribution_from_name", "channel_sub_kind"]]
