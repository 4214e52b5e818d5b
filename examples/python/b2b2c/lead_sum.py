# SPDX-License-Identifier: MIT
"""The lead model's batch refit over training rows a host holds
(b2b2c_lead_loss, b2b2c_lead_fit_sum; docs/scaling.md)."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import Callable, List, Optional, Sequence, Tuple

from ._lib import ERANGE, ESTORAGE, FIT_CONVERGED, _d, _i32, lib
from ._engine import _dbl, fit_status_name
from .core import Context
from .forecast import SumOutsideDomain, _TempCtx

LeadFitResult = namedtuple("LeadFitResult", "weights status passes converged")

# sum_fn(w, want_hdiag) -> (loss, grad, hdiag or None)
LeadSumFn = Callable[[List[float], bool],
                     Tuple[float, Sequence[float], Optional[Sequence[float]]]]


def lead_dim(nattrs: int, nkinds: int) -> int:
    """The number of weights: bias, 6 segments, the attributes, 2 per
    kind."""
    return 1 + 6 + nattrs + 2 * nkinds


def _arr(ctype, seq, n):
    return (ctype * max(n, 1))(*seq)


def lead_loss(w: Sequence[float], nattrs: int, nkinds: int,
              label: Sequence[int], segment: Sequence[int],
              attrs: Sequence[int], nk: Sequence[int], kind: Sequence[int],
              count: Sequence[float], value: Sequence[float],
              hdiag: bool = False, ctx: Optional[Context] = None) -> Tuple[
                  float, List[float], Optional[List[float]]]:
    """(loss, gradient, Hessian diagonal or None) summed over a batch of
    training rows (b2b2c_lead_loss): label, segment, nk one per row, attrs
    three per row (channel, region, product line numbers, 0 none), the
    rows' kinds concatenated in kind, count, value. Sums: add them over
    batches and return the totals from lead_fit_sum's sum_fn."""
    dim = lead_dim(nattrs, nkinds)
    if len(w) != dim:
        raise ValueError("w: %d weights, expected %d" % (len(w), dim))
    n, nf = len(label), len(kind)
    lo, g, h = _dbl(), (_dbl * dim)(), (_dbl * dim)() if hdiag else None
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_lead_loss(
            ctypes.byref(lo), g, h, dim, c.handle, _arr(_dbl, w, dim),
            nattrs, nkinds, _arr(ctypes.c_uint32, label, n),
            _arr(ctypes.c_int32, segment, n),
            _arr(ctypes.c_uint32, attrs, 3 * n), _arr(ctypes.c_uint32, nk, n),
            _arr(ctypes.c_uint32, kind, nf), _arr(_dbl, count, nf),
            _arr(_dbl, value, nf), nf, n))
    return lo.value, list(g), list(h) if hdiag else None


def lead_fit_sum(sum_fn: LeadSumFn, nattrs: int, nkinds: int, nrows: int,
                 nwon: int, l2: float = 0.001, max_passes: int = 1000,
                 ctx: Optional[Context] = None) -> LeadFitResult:
    """The lead model's batch refit (b2b2c_lead_refit's L-BFGS, start and
    stopping rule) over sums the host computes: sum_fn(w, want_hdiag)
    returns (loss, gradient, Hessian diagonal or None) of lead_loss added
    over every partition (the diagonal when want_hdiag, the first call
    only). Raise SumOutsideDomain where the loss is not finite (the
    optimizer steps back); any other exception stops the fit and is
    re-raised here. LeadFitResult(weights, status, passes, converged):
    the weights in lead_dim's layout."""
    dim = lead_dim(nattrs, nkinds)
    w, st, np_ = (_dbl * dim)(), _i32(), _i32()
    err: List[BaseException] = []

    def tramp(lp, gp, hp, wp, n, _ud):
        try:
            loss, g, h = sum_fn([wp[i] for i in range(n)], bool(hp))
            lp[0] = loss
            for i in range(n):
                gp[i] = g[i]
            if hp:
                for i in range(n):
                    hp[i] = h[i]
            return 0
        except SumOutsideDomain:
            return ERANGE
        except BaseException as e:  # noqa: B902 (re-raised below)
            err.append(e)
            return ESTORAGE
    cb = _d.b2b2c_lead_sum_cb(tramp)
    with _TempCtx(ctx) as c:
        rc = lib.b2b2c_lead_fit_sum(w, dim, ctypes.byref(st),
                                    ctypes.byref(np_), c.handle, nattrs,
                                    nkinds, nrows, nwon, l2, max_passes, cb,
                                    None)
        if err:
            raise err[0]
        c.check(rc)
    return LeadFitResult(list(w), fit_status_name(st.value), np_.value,
                         st.value == FIT_CONVERGED)
