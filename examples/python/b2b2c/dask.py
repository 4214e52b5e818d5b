# SPDX-License-Identifier: MIT
"""The forecast models on a Dask DataFrame (docs/scaling.md).

fit() reduces each partition once, in its worker, to its distinct rows
with weights (prepare(): merge_partition, persisted as a MergedPartition
that keeps the library's merged rows, b2b2c_forecast_rows), then runs
the library's optimizer on the driver (forecast_fit_sum) and, at each
likelihood evaluation, maps the kept partitions to their (log-likelihood,
gradient) (b2b2c_forecast_rows_loglik) in the workers and adds them on
the driver in partition order; markov() and lead_fit() do the same for
the Markov attribution and the lead model's refit; predict() and spend() are
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

from ._lib import (EEXISTS, EINVAL, ENODATA, ERANGE, FORECAST_BGBB,
                   FORECAST_BGNBD, FORECAST_GG, FORECAST_PNBD, lib)
from .forecast import (FitResult, Params, SumOutsideDomain, _params,
                       forecast_fit_sum, forecast_nparams)

__all__ = ["PartitionError", "SplitCustomerError", "fit", "fit_transactions",
           "summaries", "summarise_partition", "predict", "spend", "markov",
           "partition_channels", "partition_markov_counts", "lead_fit",
           "partition_lead_sums", "partition_lead_counts",
           "partition_attr_values", "LeadDaskFit", "ATTR_ROLES",
           "partition_sums", "partition_moments", "merge_partition",
           "MergedPartition", "FitData", "prepare"]

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


class MergedPartition:
    """A partition as fit() keeps it in its worker: merge_partition's
    frame of distinct rows with weights (what is pickled when dask moves
    it) and, built from it on first use in each process, the library's
    merged rows (b2b2c.ForecastRows), which each evaluation then reads
    without checking or merging anything again."""

    def __init__(self, model: int, frame: Any) -> None:
        self.model = model
        self.frame = frame
        self._rows: Any = None
        self._empty = len(frame) == 0

    def __getstate__(self) -> Any:
        return {"model": self.model, "frame": self.frame}

    def __setstate__(self, st: Any) -> None:
        self.__init__(st["model"], st["frame"])  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self.frame)

    def sums(self, params: Sequence[float]) -> Tuple[int, float,
                                                     List[float], str]:
        """(code, log-likelihood, gradient, message) at params: what
        partition_sums gives on the frame, bit for bit."""
        from ._lib import Error
        from .core import Context
        from .forecast import ForecastRows
        k = len(params)
        if self._empty:
            return ENODATA, 0.0, [0.0] * k, "no row with positive weight"
        if self._rows is None:
            cols = _arrays(self.frame, ["x", "tx", None if self.model ==
                                        FORECAST_GG else "T", "w"])
            own = Context()  # the rows outlive this task's thread
            try:
                self._rows = ForecastRows(own, self.model, *cols)
            except Error as e:
                if e.code == ENODATA:
                    self._empty = True
                msg = own.errmsg
                own.close()
                return e.code, 0.0, [0.0] * k, msg
        c = _ctx()
        try:
            ll, g = self._rows.loglik(list(params), ctx=c)
        except Error as e:
            return e.code, 0.0, [0.0] * k, c.errmsg
        return 0, ll, g, ""


def _merged(part: Any, model: int,
            cols: Sequence[Optional[str]]) -> MergedPartition:
    return MergedPartition(model, merge_partition(part, model, cols))


def partition_sums(part: Any, model: int, params: Sequence[float],
                   cols: Sequence[Optional[str]]) -> Tuple[int, float,
                                                           List[float], str]:
    """In a worker: (code, log-likelihood, gradient, message) of one pandas
    partition (or a MergedPartition: cols are then not read) at params.
    code 0, or the library's code: ENODATA (no usable row: adds nothing),
    ERANGE (not finite there, or bad data: the message says which), any
    other failure."""
    if isinstance(part, MergedPartition):
        return part.sums(params)
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


_MERGED = ["x", "tx", "T", "w"]


def merge_partition(part: Any, model: int,
                    cols: Sequence[Optional[str]]) -> Any:
    """In a worker: one pandas partition (already checked by
    partition_moments) reduced to its distinct rows, the pandas DataFrame
    of columns x, tx, T (0 for Gamma-Gamma) and w (the rows' count, or
    their summed weight), in the order of each row's first appearance:
    the rows and weights b2b2c__fc_rows_build merges them into inside
    forecast_loglik, left out as it leaves them out (weight 0; for
    Gamma-Gamma, frequency or monetary value 0). So forecast_loglik on the
    merged rows gives the partition's sums bit for bit (whole-number
    weights; other weights are summed with pandas' compensated sum, to
    the last bit or so), and each evaluation works on the distinct rows
    only (docs/scaling.md)."""
    import numpy as np
    import pandas as pd
    x, tx, T, w = _arrays(part, cols)
    keep = np.ones(len(x), dtype=bool) if w is None else w != 0
    if model == FORECAST_GG:
        keep &= (x != 0) & (tx != 0)
        T = np.zeros(len(x))
    df = pd.DataFrame({"x": x[keep], "tx": tx[keep], "T": T[keep]})
    # sort=False: groups in the order of their first row, dropna=False:
    # nothing dropped (partition_moments refused NaN already)
    if w is None:
        g = df.groupby(["x", "tx", "T"], sort=False, dropna=False).size()
    else:
        df["w"] = w[keep]
        g = df.groupby(["x", "tx", "T"], sort=False,
                       dropna=False)["w"].sum()
    out = g.reset_index()
    out.columns = _MERGED
    return out.astype("float64")


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


def _client() -> Any:
    """The active distributed Client, or None (dask's local scheduler)."""
    try:
        import distributed
        return distributed.get_client()
    except (ImportError, ValueError):
        return None


def _map(parts: Sequence[Any], fn: Any, *args: Any) -> List[Any]:
    """fn(partition, *args) for every partition, in the workers (the
    current scheduler: a distributed Client when one is active); results in
    partition order. A task that fails outside fn (its worker died: the
    scheduler's KilledWorker once its retries are spent, a lost input, a
    cancelled future) raises PartitionError naming the first such
    partition, code None; the other tasks are cancelled."""
    import dask
    tasks = [dask.delayed(_guard)(fn, p, *args) for p in parts]
    client = _client()
    if client is None:
        return list(dask.compute(*tasks))
    futs = client.compute(tasks)
    out = []
    try:
        for k, f in enumerate(futs):
            try:
                out.append(f.result())
            except Exception as e:  # noqa: B902 (named with the partition)
                raise PartitionError(k, None, "the task failed in the "
                                     "cluster: %s: %s"
                                     % (type(e).__name__, e)) from e
    finally:
        if len(out) < len(futs):
            client.cancel(futs)
    return out


def _wait(coll: Any) -> None:
    """Wait until a persisted collection is in the workers' memory (with a
    distributed Client; nothing to wait for with the local scheduler).
    A partition whose task failed is named by the first map over it."""
    if _client() is None:
        return
    import distributed
    try:
        distributed.wait(distributed.futures_of(coll))
    except Exception:  # noqa: B902 (reported by the map that reads it)
        pass


def _failed(k: int, r: Any) -> None:
    """Raise the PartitionError of partition k's failed result r."""
    if r[0] is None:
        raise PartitionError(k, None, r[1])
    raise PartitionError(k, r[0], r[-1])


def _finite(k: int, what: str, *vals: Any) -> None:
    """PartitionError (code ERANGE) unless every value (numbers or
    sequences of numbers) is finite: a worker's sum is never added when it
    is NaN or infinite."""
    for v in vals:
        for x in (v if isinstance(v, (list, tuple)) else [v]):
            if not math.isfinite(x):
                raise PartitionError(k, ERANGE, "non-finite %s" % what)


class FitData:
    """A DataFrame of summaries made ready for fits (prepare()): .model,
    .moments (the three data moments added over the partitions) and
    .parts (one MergedPartition per partition, persisted in the workers).
    sums(params) is one likelihood evaluation: (log-likelihood, gradient)
    added over the partitions in partition order; .evaluations counts
    them."""

    def __init__(self, model: int, moments: List[float],
                 parts: List[Any]) -> None:
        self.model = model
        self.moments = moments
        self.parts = parts
        self.evaluations = 0

    def sums(self, params: Sequence[float]) -> Tuple[float, List[float]]:
        """(log-likelihood, gradient) at params over every partition.
        Raises SumOutsideDomain where it is not finite (the point, not the
        data), PartitionError naming a bad, failed or non-finite
        partition."""
        params = list(params)
        self.evaluations += 1
        ll, g, outside = 0.0, [0.0] * len(params), False
        for k, r in enumerate(_map(self.parts, partition_sums, self.model,
                                   params, None)):
            if r[0] == ENODATA:
                continue  # no usable row in this partition
            if r[0] == ERANGE and r[-1].startswith("loglik: not finite"):
                outside = True  # the point, not the data: step back
                continue
            if r[0] != 0:
                _failed(k, r)
            _finite(k, "sum at %r" % (params,), r[1], r[2])
            ll += r[1]
            for i in range(len(params)):
                g[i] += r[2][i]
        if outside:
            raise SumOutsideDomain()
        return ll, g


def prepare(ddf: Any, model: int, frequency: str = "frequency",
            recency: str = "recency", T: str = "T",
            monetary_value: str = "monetary_value",
            weight: Optional[str] = None, persist: bool = True,
            check_ids: bool = False) -> FitData:
    """What fit() does before its first step, as a FitData: the columns
    selected, checked and added up to the moments (forecast_moments, in
    the workers), each partition reduced once to its distinct rows with
    weights (merge_partition) and persisted (persist True) as a
    MergedPartition, the raw rows let go. Arguments and errors as fit's.
    Several fits (another l2, start or max_iter) may share one FitData."""
    import dask
    model = _check_model(model)
    if check_ids and not ddf.known_divisions:
        raise ValueError("check_ids: the index must be the customer ID with "
                         "known divisions (ddf.set_index(id_column))")
    cols = _cols(model, frequency, recency, T, monetary_value, weight)
    want = [c for c in cols if c is not None]
    # exactly those columns already: no selection (a copy per partition)
    sel = ddf if list(ddf.columns) == want else ddf[want]
    if persist:
        sel = sel.persist()

    mom = [0.0, 0.0, 0.0]
    for k, r in enumerate(_map(sel.to_delayed(), partition_moments, model,
                               cols, check_ids)):
        if r[0] != 0:
            _failed(k, r)
        _finite(k, "moments", r[1])
        for i in range(3):
            mom[i] += r[1][i]
    parts = [dask.delayed(_merged)(p, model, cols)
             for p in sel.to_delayed()]
    if persist:
        parts = list(dask.persist(*parts))
        _wait(parts)
    del sel  # the raw rows: released once merged
    return FitData(model, mom, parts)


def fit(ddf: Any, model: int, frequency: str = "frequency",
        recency: str = "recency", T: str = "T",
        monetary_value: str = "monetary_value",
        weight: Optional[str] = None, l2: float = 0.0, max_iter: int = 0,
        start: Optional[Params] = None, persist: bool = True,
        check_ids: bool = False) -> FitResult:
    """Fit BG/NBD, Pareto/NBD, BG/BB or Gamma-Gamma (model FORECAST_GG: the
    frequency and monetary_value columns) on a Dask DataFrame of customer
    summaries, one row per customer (or on a FitData from prepare(): the
    column arguments, persist and check_ids are then not read). The
    columns are selected, checked (forecast_moments, in the workers) and
    reduced once per partition to their distinct rows with weights
    (merge_partition), persisted (persist True) so that each step reads
    them from the workers' memory, where the library keeps them merged
    (b2b2c_forecast_rows); the partition's raw rows are then let go. Each
    likelihood evaluation is one map over the merged partitions, the
    partial sums added on the driver in partition order (the same answer
    on every run, bit for bit that of the unmerged partitions).
    check_ids: the DataFrame's index is the customer ID with known
    divisions (set_index on the ID gives both; ValueError otherwise), so
    that a customer cannot be split across two partitions, and each
    partition is checked to hold each ID once (PartitionError with code
    EEXISTS naming the ID). Returns the FitResult of forecast_fit. Raises
    PartitionError naming the first partition whose data are bad, whose
    worker raised, or whose sum was not finite, and b2b2c.Error for the
    fit's own errors (ENODATA when no row is usable)."""
    import dask  # noqa: F401 (fail here, not in a worker, without dask)
    if isinstance(ddf, FitData):
        data = ddf
        if _check_model(model) != data.model:
            raise ValueError("model: the FitData was prepared for model %d"
                             % data.model)
    else:
        data = prepare(ddf, model, frequency, recency, T, monetary_value,
                       weight, persist, check_ids)
    return forecast_fit_sum(data.model, data.sums, data.moments,
                            start=start, l2=l2, max_iter=max_iter)


# ---- raw transactions -------------------------------------------------------

_DAY = 86400


def summarise_partition(part: Any, customer: str, time: str,
                        amount: Optional[str], calibration_end: int,
                        unit_days: float, utc_offset: int,
                        partition: int) -> Any:
    """In a worker: the pandas DataFrame of one partition's transactions
    (customer, time in Unix seconds, amount) reduced to one row per
    customer, indexed by the customer ID, with the columns frequency,
    recency, T, monetary_value and _partition (this partition's number), as
    b2b2c_forecaster_summaries builds them at calibration_end: purchases
    at or after calibration_end are ignored; purchases on the same day (in
    utc_offset, seconds east of UTC) merge into one transaction; x the
    distinct days - 1, t_x the days from the first to the last, T from the
    start of the first purchase's day to calibration_end, both in units of
    unit_days; monetary_value the mean of the repeat days' totals (0 when
    x = 0)."""
    import numpy as np
    import pandas as pd
    t = part[time].to_numpy(dtype="int64")
    keep = t < calibration_end
    t = t[keep]
    ids = part[customer].to_numpy()[keep]
    amt = (part[amount].to_numpy(dtype="float64")[keep] if amount
           else np.zeros(len(t)))
    # b2b2c__day: floor((t + offset) / 86400)
    day = (t + np.int64(utc_offset)) // _DAY
    days = pd.DataFrame({"c": ids, "d": day, "a": amt}).groupby(
        ["c", "d"], sort=True)["a"].sum().reset_index()
    first = days.groupby("c", sort=True)
    u = first["d"].count()
    d0 = first["d"].min()
    d1 = first["d"].max()
    rep = days[first.cumcount() > 0].groupby("c")["a"].sum().reindex(
        u.index, fill_value=0.0)
    x = (u - 1).astype("float64")
    out = pd.DataFrame({
        "frequency": x,
        "recency": (d1 - d0).astype("float64") / unit_days,
        # the library's expression, operation for operation (the same bits)
        "T": ((float(calibration_end) / _DAY + float(utc_offset) / _DAY -
               d0.astype("float64")) / unit_days),
        "monetary_value": np.where(u > 1, rep / x.where(x > 0, 1.0), 0.0),
        "_partition": np.int64(partition)})
    out.index.name = customer
    return out


def _summ_meta(customer: str, id_dtype: Any) -> Any:
    import pandas as pd
    meta = pd.DataFrame({"frequency": pd.Series([], dtype="float64"),
                         "recency": pd.Series([], dtype="float64"),
                         "T": pd.Series([], dtype="float64"),
                         "monetary_value": pd.Series([], dtype="float64"),
                         "_partition": pd.Series([], dtype="int64")})
    meta.index = pd.Index([], dtype=id_dtype, name=customer)
    return meta


class SplitCustomerError(PartitionError):
    """A customer's transactions are in two partitions (summarised
    separately they would count as two customers). .partition and
    .other are the two partitions' numbers, .customer the ID."""

    def __init__(self, customer: Any, partition: int, other: int) -> None:
        self.customer = customer
        self.other = other
        super().__init__(partition, EEXISTS, (
            "customer %r also has transactions in partition %d (a "
            "customer's transactions must be in one partition: "
            "summaries(..., shuffle=True) or ddf.shuffle(customer))"
            % (customer, other)))


def summaries(ddf: Any, calibration_end: int, customer: str = "customer",
              time: str = "time", amount: Optional[str] = "amount",
              unit_days: float = 7.0, utc_offset: int = 0,
              shuffle: bool = False, check: bool = True,
              persist: bool = True) -> Any:
    """A Dask DataFrame of customer summaries (frequency, recency, T,
    monetary_value, indexed by the customer ID) from a Dask DataFrame of
    raw transactions, one row per purchase: the customer ID, the time
    (Unix seconds) and the amount (None: no amounts, monetary_value 0).
    Each partition is summarised in its worker (summarise_partition: the
    rules of b2b2c_forecaster_summaries with B2B2C_FORECASTER_UNIT_DAYS
    unit_days and the context's UTC offset utc_offset).

    Every customer's transactions must be in one partition. shuffle True
    moves them there first (ddf.shuffle on the customer column: one pass of
    the transactions over the network). Otherwise, check True verifies it:
    free when the DataFrame is indexed by the customer column with known
    divisions (set_index), else one distributed group-by over the
    summaries' IDs; a customer in two partitions raises
    SplitCustomerError naming the customer and both partitions. Persisted
    (persist True) so that a fit reads them from the workers' memory."""
    import dask  # noqa: F401 (fail here, not in a worker, without dask)
    if shuffle:
        if ddf.index.name == customer and customer not in ddf.columns:
            ddf = ddf.reset_index()
        ddf = ddf.shuffle(customer)
    by_index = ddf.index.name == customer and customer not in ddf.columns
    src = ddf.reset_index() if by_index else ddf
    cols = [customer, time] + ([amount] if amount else [])
    for c in cols:
        if c not in src.columns:
            raise ValueError("%s: no column %r in the DataFrame"
                             % ({customer: "customer", time: "time"}.get(
                                 c, "amount"), c))
    parts = src[cols].to_delayed()
    import dask.dataframe as dd
    meta = _summ_meta(customer, src._meta[customer].dtype)
    out = dd.from_delayed(
        [dask.delayed(summarise_partition)(p, customer, time, amount,
                                           int(calibration_end),
                                           float(unit_days), int(utc_offset),
                                           k)
         for k, p in enumerate(parts)], meta=meta, verify_meta=False)
    if persist:
        out = out.persist()
    if check and not shuffle and not (by_index and ddf.known_divisions):
        ids = out[["_partition"]].reset_index()
        span = ids.groupby(customer)["_partition"].agg(
            ["min", "max"], split_out=max(ids.npartitions, 1)).rename(
                columns={"min": "lo", "max": "hi"})
        bad = span[span["lo"] != span["hi"]].head(1, npartitions=-1)
        if len(bad):
            raise SplitCustomerError(bad.index[0], int(bad["lo"].iloc[0]),
                                     int(bad["hi"].iloc[0]))
    return out


def fit_transactions(ddf: Any, model: int, calibration_end: int,
                     customer: str = "customer", time: str = "time",
                     amount: Optional[str] = "amount",
                     unit_days: float = 7.0, utc_offset: int = 0,
                     shuffle: bool = False, check: bool = True,
                     **kwargs: Any) -> FitResult:
    """fit() on the summaries() of a Dask DataFrame of raw transactions:
    BG/NBD, Pareto/NBD or Gamma-Gamma (BG/BB's opportunities are not
    transaction times: summarise those yourself). kwargs go to fit (l2,
    max_iter, start). Equals forecast_fit on the summaries
    b2b2c_forecaster_summaries lists for the same purchases (to the
    tolerance of docs/scaling.md)."""
    if _check_model(model) == FORECAST_BGBB:
        raise ValueError("model: BG/BB counts discrete opportunities, not "
                         "transaction times: fit() its summaries")
    s = summaries(ddf, calibration_end, customer, time,
                  amount if model == FORECAST_GG else None, unit_days,
                  utc_offset, shuffle, check)
    return fit(s, model, **kwargs)


# ---- Markov attribution over a DataFrame of paths ---------------------------

def _path_ids(p: Any, sep: str) -> List[str]:
    if isinstance(p, str):
        return [c.strip() for c in p.split(sep)] if p.strip() else []
    return [str(c) for c in p]


def partition_channels(part: Any, path: str, sep: str) -> Tuple[int, List[str],
                                                             str]:
    """In a worker: (0, the distinct channel IDs on the partition's paths,
    sorted, "")."""
    seen = set()
    for p in part[path]:
        seen.update(_path_ids(p, sep))
    return 0, sorted(seen), ""


def partition_markov_counts(part: Any, path: str, converted: str,
                            channels: Sequence[str], sep: str) -> Tuple[
                                int, Any, str]:
    """In a worker: (code, the partition's transition counts, message) with
    b2b2c_channel_markov_counts (a numpy uint64 array, the layout of
    channel_markov_counts), channel c being channels[c]. A channel not in
    channels: EINVAL naming it and the row within the partition."""
    import numpy as np
    index = {c: i for i, c in enumerate(channels)}
    nch = len(channels)
    chs, lens = [], []
    for r, p in enumerate(part[path]):
        ids = _path_ids(p, sep)
        for c in ids:
            k = index.get(c)
            if k is None:
                return EINVAL, None, ("row %d: channel %r is not in channels"
                                      % (r, c))
            chs.append(k)
        lens.append(len(ids))
    conv = np.ascontiguousarray(part[converted].to_numpy(dtype=bool),
                                dtype=np.uint32)
    a_ch = np.ascontiguousarray(chs, dtype=np.uint32)
    a_len = np.ascontiguousarray(lens, dtype=np.uint32)
    ncnt = (nch + 1) * (nch + 3)
    out = np.zeros(ncnt, dtype=np.uint64)
    c = _ctx()
    u32 = ctypes.POINTER(ctypes.c_uint32)
    rc = lib.b2b2c_channel_markov_counts(
        out.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)), ncnt, c.handle,
        nch, a_ch.ctypes.data_as(u32), len(a_ch), a_len.ctypes.data_as(u32),
        conv.ctypes.data_as(u32), len(a_len))
    if rc:
        return rc, None, c.errmsg
    return 0, out, ""


def markov(ddf: Any, path: str = "path", converted: str = "converted",
           channels: Optional[Sequence[str]] = None,
           sep: str = ">") -> Tuple[float, List[Tuple[str, float, float]]]:
    """First-order Markov attribution (Anderl et al. 2016; docs/channels.md)
    over a Dask DataFrame of paths, one row per path: the path column holds
    the channel IDs in time order (a list or tuple, or a string joined by
    sep), the converted column whether the path ends in a conversion (a
    path is what Channels counts: a lead's touches in the lookback window
    before its conversion, or before its last touch; an empty path adds
    nothing). Each partition counts its transitions in its worker
    (b2b2c_channel_markov_counts); the driver adds the whole-number counts
    (the same total whatever the partitioning) and computes the removal
    effects once (b2b2c_channel_markov_effects). channels: the channel IDs
    to number, in order (None: every channel on a path, sorted, found by
    one more pass); give the order a Channels engine added them in and the
    answer is that engine's markov_effects on the same paths, bit for bit.
    Returns (P(conversion), [(channel_id, removal_effect, share), ...]) as
    Channels.markov_effects. Raises PartitionError naming the partition
    (a channel not in channels, a bad row, a worker that failed)."""
    import numpy as np
    import dask  # noqa: F401 (fail here, not in a worker, without dask)
    for c in (path, converted):
        if c not in ddf.columns:
            raise ValueError("%s: no column %r in the DataFrame"
                             % ("path" if c == path else "converted", c))
    parts = ddf[[path, converted]].to_delayed()
    if channels is None:
        seen = set()
        for k, r in enumerate(_map(parts, partition_channels, path, sep)):
            if r[0] != 0:
                _failed(k, r)
            seen.update(r[1])
        channels = sorted(seen)
    channels = [str(c) for c in channels]
    if len(set(channels)) != len(channels):
        raise ValueError("channels: an ID is listed twice")
    if not channels:
        raise ValueError("channels: no channel (no path has a touch)")
    total = np.zeros((len(channels) + 1) * (len(channels) + 3),
                     dtype=np.uint64)
    for k, r in enumerate(_map(parts, partition_markov_counts, path,
                               converted, channels, sep)):
        if r[0] != 0:
            _failed(k, r)
        total += r[1]
    from .channel import channel_markov_effects
    p_conv, re = channel_markov_effects(total.tolist(), len(channels))
    tot = 0.0
    for v in re:  # in channel order, as the engine adds them
        tot += v
    return p_conv, [(c, v, v / tot if tot > 0 else 0.0)
                    for c, v in zip(channels, re)]


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


# the lead model's refit (dask_lead.py), here as b2b2c.dask.lead_fit
from .dask_lead import (ATTR_ROLES, LeadDaskFit, lead_fit,  # noqa: E402
                        partition_attr_values, partition_lead_counts,
                        partition_lead_sums)
