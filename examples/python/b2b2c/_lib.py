# SPDX-License-Identifier: MIT
"""Loading the shared library, the checked calls, Error and the constants."""

import ctypes
import ctypes.util
import os


# The declarations generated from the public headers by
# tools/gen_bindings.py (_b2b2c_decls.py, in this package): structures,
# callback types, constants and every function's argtypes/restype.
from . import _b2b2c_decls as _d

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
