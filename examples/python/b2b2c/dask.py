# SPDX-License-Identifier: MIT
"""The forecast models on a Dask DataFrame (docs/scaling.md).

fit() runs the library's optimizer on the driver (forecast_fit_sum) and, at
each likelihood evaluation, maps the partitions to their (log-likelihood,
gradient) with the library's forecast_loglik in the workers and adds them
on the driver in partition order; predict() and spend() are
map_partitions. The DataFrame holds one row per customer (a summary:
frequency, recency, T and, for Gamma-Gamma, monetary_value; BG/BB: the
number of opportunities as T). A customer must be in one row only: split
across partitions it would count as two customers (summarise the
transactions per customer first); fit(check_ids=True) checks it on a
DataFrame indexed by the customer ID.

Dask is imported when a function runs, so `import b2b2c` and
`import b2b2c.dask` work without it. The workers import b2b2c (the package
must be importable there, with B2B2C_LIBRARY set as on the driver).
"""

from __future__ import annotations

import ctypes
import math
import threading
from typing import Any, List, Optional, Sequence, Tuple

from ._lib import (EEXISTS, ENODATA, ERANGE, FORECAST_BGBB, FORECAST_BGNBD,
                   FORECAST_GG, FORECAST_PNBD, lib)
from .forecast import (FitResult, Params, SumOutsideDomain, _params,
                       forecast_fit_sum, forecast_nparams)

__all__ = ["PartitionError", "fit", "predict", "spend", "partition_sums",
           "partition_moments"]

_MODELS = (FORECAST_BGNBD, FORECAST_PNBD, FORECAST_BGBB, FORECAST_GG)


class PartitionError(Exception):
    """A partition failed: bad data in it (the library's message names the
    row within the partition), an error in the worker, or a non-finite sum.
    .partition is its index, .code the library's code (None for a Python
    error in the worker)."""

    def __init__(self, partition: int, code: Optional[int],
                 message: str) -> None:
        self.partition = partition
        self.code = code
        self.message = message
        super().__init__("partition %d: %s" % (partition, message))


# ---- worker side ------------------------------------------------------------

_local = threading.local()


def _ctx() -> Any:
    """A context per worker thread (the library's contexts are used by one
    thread at a time)."""
    c = getattr(_local, "ctx", None)
    if c is None:
        from .core import Context
        c = _local.ctx = Context()
    return c


def _cols(model: int, frequency: str, recency: str, T: str,
          monetary_value: str, weight: Optional[str]) -> List[Optional[str]]:
    if model == FORECAST_GG:
        return [frequency, monetary_value, None, weight]
    return [frequency, recency, T, weight]


def _arrays(part: Any, cols: Sequence[Optional[str]]) -> List[Any]:
    import numpy as np
    return [None if c is None else np.ascontiguousarray(
        part[c].to_numpy(dtype="float64")) for c in cols]


def _p(a: Any) -> Any:
    return None if a is None else a.ctypes.data_as(
        ctypes.POINTER(ctypes.c_double))


def partition_sums(part: Any, model: int, params: Sequence[float],
                   cols: Sequence[Optional[str]]) -> Tuple[int, float,
                                                           List[float], str]:
    """In a worker: (code, log-likelihood, gradient, message) of one pandas
    partition at params. code 0, or the library's code: ENODATA (no usable
    row: adds nothing), ERANGE (not finite there, or bad data: the message
    says which), any other failure."""
    c = _ctx()
    k = len(params)
    x, tx, T, w = _arrays(part, cols)
    n = len(x)
    p = (ctypes.c_double * k)(*params)
    ll, g = ctypes.c_double(), (ctypes.c_double * k)()
    if model == FORECAST_GG:
        rc = lib.b2b2c_forecast_gg_loglik(ctypes.byref(ll), g, c.handle, p,
                                          k, _p(x), _p(tx), _p(w), n)
    else:
        rc = lib.b2b2c_forecast_loglik(ctypes.byref(ll), g, c.handle, model,
                                       p, k, _p(x), _p(tx), _p(T), _p(w), n)
    if rc:
        return rc, 0.0, [0.0] * k, c.errmsg
    return 0, ll.value, list(g), ""


def partition_moments(part: Any, model: int,
                      cols: Sequence[Optional[str]],
                      check_ids: bool = False) -> Tuple[int, List[float],
                                                        str]:
    """In a worker: (code, the three data moments, message) of one pandas
    partition (forecast_moments / forecast_gg_moments). check_ids: the
    index holds customer IDs, each at most once (else EEXISTS naming the
    first repeated one)."""
    if check_ids and not part.index.is_unique:
        dup = part.index[part.index.duplicated()][0]
        return EEXISTS, [0.0, 0.0, 0.0], (
            "customer %r: more than one row (a customer must be one "
            "summary row: summarise the transactions per customer first)"
            % (dup,))
    c = _ctx()
    x, tx, T, w = _arrays(part, cols)
    n = len(x)
    m = (ctypes.c_double * 3)()
    if model == FORECAST_GG:
        rc = lib.b2b2c_forecast_gg_moments(m, 3, c.handle, _p(x), _p(tx),
                                           _p(w), n)
    else:
        rc = lib.b2b2c_forecast_moments(m, 3, c.handle, model, _p(x), _p(tx),
                                        _p(T), _p(w), n)
    if rc:
        return rc, [0.0, 0.0, 0.0], c.errmsg
    return 0, list(m), ""


def _guard(fn: Any, *args: Any) -> Any:
    """fn(*args) in the worker, a Python error returned as code None."""
    try:
        return fn(*args)
    except Exception as e:  # noqa: B902 (reported with the partition)
        return (None, "%s: %s" % (type(e).__name__, e))


# ---- driver side ------------------------------------------------------------

def _check_model(model: int) -> int:
    if model not in _MODELS:
        raise ValueError("model: expected FORECAST_BGNBD, _PNBD, _BGBB or "
                         "_GG, got %r" % (model,))
    return int(model)


def _map(parts: Sequence[Any], fn: Any, *args: Any) -> List[Any]:
    """fn(partition, *args) for every partition, in the workers (the
    current scheduler: a distributed Client when one is active); results in
    partition order."""
    import dask
    tasks = [dask.delayed(_guard)(fn, p, *args) for p in parts]
    return list(dask.compute(*tasks))


def fit(ddf: Any, model: int, frequency: str = "frequency",
        recency: str = "recency", T: str = "T",
        monetary_value: str = "monetary_value",
        weight: Optional[str] = None, l2: float = 0.0, max_iter: int = 0,
        start: Optional[Params] = None, persist: bool = True,
        check_ids: bool = False) -> FitResult:
    """Fit BG/NBD, Pareto/NBD, BG/BB or Gamma-Gamma (model FORECAST_GG: the
    frequency and monetary_value columns) on a Dask DataFrame of customer
    summaries, one row per customer. The columns are selected and (persist
    True) persisted first, so each step reads them from the workers'
    memory. Each likelihood evaluation is one map over the partitions, the
    partial sums added on the driver in partition order (the same answer
    on every run). check_ids: the DataFrame's index is the customer ID
    with known divisions (set_index on the ID gives both; ValueError
    otherwise), so that a customer cannot be split across two partitions,
    and each partition is checked to hold each ID once (PartitionError
    with code EEXISTS naming the ID). Returns the FitResult of
    forecast_fit. Raises
    PartitionError naming the first partition whose data are bad, whose
    worker raised, or whose sum was not finite, and b2b2c.Error for the
    fit's own errors (ENODATA when no row is usable)."""
    import dask  # noqa: F401 (fail here, not in a worker, without dask)
    model = _check_model(model)
    if check_ids and not ddf.known_divisions:
        raise ValueError("check_ids: the index must be the customer ID with "
                         "known divisions (ddf.set_index(id_column))")
    cols = _cols(model, frequency, recency, T, monetary_value, weight)
    sel = ddf[[c for c in cols if c is not None]]
    if persist:
        sel = sel.persist()
    parts = sel.to_delayed()

    def failed(k: int, r: Any) -> None:
        if r[0] is None:
            raise PartitionError(k, None, r[1])
        raise PartitionError(k, r[0], r[-1])

    mom = [0.0, 0.0, 0.0]
    for k, r in enumerate(_map(parts, partition_moments, model, cols,
                               check_ids)):
        if r[0] != 0:
            failed(k, r)
        for i in range(3):
            mom[i] += r[1][i]

    def sum_fn(params: List[float]) -> Tuple[float, List[float]]:
        ll, g, outside = 0.0, [0.0] * len(params), False
        for k, r in enumerate(_map(parts, partition_sums, model, params,
                                   cols)):
            if r[0] == ENODATA:
                continue  # no usable row in this partition
            if r[0] == ERANGE and r[-1].startswith("loglik: not finite"):
                outside = True  # the point, not the data: step back
                continue
            if r[0] != 0:
                failed(k, r)
            if not (math.isfinite(r[1]) and all(map(math.isfinite, r[2]))):
                raise PartitionError(k, ERANGE, "non-finite sum at %r"
                                     % (params,))
            ll += r[1]
            for i in range(len(params)):
                g[i] += r[2][i]
        if outside:
            raise SumOutsideDomain()
        return ll, g

    return forecast_fit_sum(model, sum_fn, mom, start=start, l2=l2,
                            max_iter=max_iter)


def _predict_part(part: Any, model: int, params: List[float], t: float,
                  cols: Sequence[Optional[str]]) -> Any:
    import numpy as np
    c = _ctx()
    x, tx, T, _ = _arrays(part, cols)
    n = len(x)
    out = part.copy()
    e, a, y = (np.empty(n) for _ in range(3))
    if n:
        k = len(params)
        p = (ctypes.c_double * k)(*params)
        c.check(lib.b2b2c_forecast_predict(_p(e), _p(a), _p(y), c.handle,
                                           model, p, k, _p(x), _p(tx), _p(T),
                                           n, t))
    out["expected"], out["p_alive"], out["p_any"] = e, a, y
    return out


def predict(ddf: Any, model: int, params: Params, t: float,
            frequency: str = "frequency", recency: str = "recency",
            T: str = "T") -> Any:
    """A lazy Dask DataFrame: ddf with the columns expected (purchases in
    (T, T + t]), p_alive and p_any (at least one purchase) added per
    customer (forecast_predict as a map_partitions). params: a fit's
    params or the model's parameters in the paper's order. A bad row
    raises b2b2c.Error (its message names the row within its partition)
    when the result is computed."""
    if _check_model(model) == FORECAST_GG:
        raise ValueError("model: FORECAST_GG predicts spend: use spend()")
    p, k = _params(params)
    if k != forecast_nparams(model):
        raise ValueError("params: %d values, expected %d"
                         % (k, forecast_nparams(model)))
    meta = ddf._meta.assign(expected=0.0, p_alive=0.0, p_any=0.0)
    cols = _cols(model, frequency, recency, T, "", None)
    return ddf.map_partitions(_predict_part, model, list(p[:k]), float(t),
                              cols, meta=meta)


def _spend_part(part: Any, params: List[float],
                cols: Sequence[Optional[str]]) -> Any:
    import numpy as np
    c = _ctx()
    x, m, _, _ = _arrays(part, cols)
    n = len(x)
    out = part.copy()
    s = np.empty(n)
    if n:
        p = (ctypes.c_double * 3)(*params)
        c.check(lib.b2b2c_forecast_gg_spend(_p(s), c.handle, p, 3, _p(x),
                                            _p(m), n))
    out["spend"] = s
    return out


def spend(ddf: Any, params: Params, frequency: str = "frequency",
          monetary_value: str = "monetary_value") -> Any:
    """A lazy Dask DataFrame: ddf with the column spend, the Gamma-Gamma
    expected mean purchase value per customer (forecast_gg_spend as a
    map_partitions)."""
    p, k = _params(params)
    if k != 3:
        raise ValueError("params: %d values, expected 3" % k)
    meta = ddf._meta.assign(spend=0.0)
    cols = _cols(FORECAST_GG, frequency, "", "", monetary_value, None)
    return ddf.map_partitions(_spend_part, list(p[:3]), cols, meta=meta)
