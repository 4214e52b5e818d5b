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
a time; separate contexts are independent.
"""

import ctypes
import ctypes.util
import os

__all__ = ["Error", "Context", "MemStore", "lib", "version", "version_number",
           "strerror", "segment_name", "segment_from_name", "segment_group",
           "group_name", "group_from_name", "band_name", "band_from_name",
           "SEGMENTS", "GROUPS", "BANDS", "STATUS"]

# Status codes (include/b2b2c/common.h); never renumbered.
STATUS = {
    0: "B2B2C_OK", -1: "B2B2C_EINVAL", -2: "B2B2C_ENOMEM", -3: "B2B2C_EBADID",
    -4: "B2B2C_ENOTFOUND", -5: "B2B2C_EEXISTS", -6: "B2B2C_ECORRUPT",
    -7: "B2B2C_EVERSION", -8: "B2B2C_EBUFSIZE", -9: "B2B2C_ESTORAGE",
    -10: "B2B2C_ESTATE", -11: "B2B2C_ERANGE", -12: "B2B2C_EABORTED",
    -13: "B2B2C_ENOTREADY", -14: "B2B2C_ENOCONVERGE", -15: "B2B2C_ENODEALER",
    -16: "B2B2C_EEXPIRED", -17: "B2B2C_ENODATA",
}
for _code, _name in STATUS.items():
    globals()[_name[6:]] = _code  # b2b2c.EINVAL == -1, ...

SEGMENTS = ("unknown", "dealer_large_wholesale", "dealer_small_retail",
            "b2b_large", "b2b_small_pro", "b2c_consumer")
GROUPS = ("unknown", "dealer", "b2b", "b2c")
BANDS = ("unknown", "cold", "warm", "hot")


def _load():
    path = os.environ.get("B2B2C_LIBRARY")
    if not path:
        path = ctypes.util.find_library("b2b2c") or "libb2b2c.so.1"
    return ctypes.CDLL(path)


lib = _load()

_ctx_p = ctypes.c_void_p
_i32, _u32, _str = ctypes.c_int32, ctypes.c_uint32, ctypes.c_char_p


class _Storage(ctypes.Structure):
    """b2b2c_storage (include/b2b2c/sys/storage.h), version 1."""
    _fields_ = [("version", _u32), ("userdata", ctypes.c_void_p)] + [
        (name, ctypes.c_void_p) for name in
        ("get", "put", "del_", "scan", "begin", "commit", "rollback")]


def _sig(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_sig("b2b2c_version_number", _u32)
_sig("b2b2c_version_string", _str)
_sig("b2b2c_strerror", _str, ctypes.c_int)
_sig("b2b2c_ctx_new", ctypes.c_int, ctypes.POINTER(_ctx_p), ctypes.c_void_p,
     ctypes.POINTER(_Storage))
_sig("b2b2c_ctx_free", None, _ctx_p)
_sig("b2b2c_ctx_errmsg", _str, _ctx_p)
_sig("b2b2c_ctx_errcode", ctypes.c_int, _ctx_p)
_sig("b2b2c_ctx_begin", ctypes.c_int, _ctx_p)
_sig("b2b2c_ctx_commit", ctypes.c_int, _ctx_p)
_sig("b2b2c_ctx_rollback", ctypes.c_int, _ctx_p)
_sig("b2b2c_memstore_new", ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
     ctypes.c_void_p)
_sig("b2b2c_memstore_methods", ctypes.c_int, ctypes.c_void_p,
     ctypes.POINTER(_Storage))
_sig("b2b2c_memstore_free", None, ctypes.c_void_p)
for _kind in ("segment", "group", "band"):
    _sig("b2b2c_%s_name" % _kind, _str, _i32)
    _sig("b2b2c_%s_from_name" % _kind, _i32, _str)
_sig("b2b2c_segment_group", _i32, _i32)


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


def _name(fn, value):
    s = fn(value)
    if s is None:
        raise Error(EINVAL, "unknown value %r" % (value,))  # noqa: F821
    return s.decode()


def _value(fn, name):
    return _check(fn(name.encode("utf-8")))


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

    def transaction(self):
        """with ctx.transaction(): ... commits, or rolls back on an
        exception."""
        return _Transaction(self)

    def close(self):
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
