# SPDX-License-Identifier: MIT
"""Stateless forecast functions and the forecaster (b2b2c_forecaster)."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import (Any, Callable, Dict, List, Mapping, Optional, Sequence,
                    Tuple, Union)

from ._lib import (EINVAL, ERANGE, ESTORAGE, FIT_CONVERGED, FORECAST_GG,
                   EnumArg, Error, Time, _check, _d, _i32, _int_arg, lib)
from .core import Context, _name
from ._engine import (
    _Handle, _b, _dbl, _doubles, _enum, _named, _s, _seg, _sz, fit_status_name)


# ---- forecast (stateless) --------------------------------------------------

# The type hints' names: one float per customer row, and a model's
# parameters as a sequence (the paper's order) or a fit's {name: value}.
Floats = Sequence[float]
Params = Union[Sequence[float], Mapping[str, float]]

def forecast_nparams(model: int) -> int:
    """The number of parameters of a model (ForecastModel: BGNBD, PNBD, BGBB,
    GG); Error(EINVAL) for an unknown model."""
    return _check(lib.b2b2c_forecast_nparams(model))


def forecast_param_name(model: int, i: int) -> str:
    """Name of parameter i of model; i = -1 gives the model's name."""
    return _name(lambda v: lib.b2b2c_forecast_param_name(model, v), i)


def forecast_param_names(model: int) -> Tuple[str, ...]:
    """The names of a model's parameters in the paper's order ("r", "alpha",
    "a", "b" for BG/NBD)."""
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


def _fit_result(names, out, ll, it, st):
    # status: the B2B2C_FIT_* name; converged: True only for a clean fit
    return FitResult(dict(zip(names, out)), ll.value, it.value,
                     fit_status_name(st.value),
                     st.value == FIT_CONVERGED)


def forecast_fit(model: int, x: Floats, tx: Floats, T: Floats,
                 weight: Optional[Floats] = None, l2: float = 0.0,
                 ctx: Optional[Context] = None,
                 max_iter: int = 0) -> FitResult:
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


def forecast_loglik(model: int, params: Params, x: Floats, tx: Floats,
                    T: Floats, weight: Optional[Floats] = None,
                    ctx: Optional[Context] = None) -> Tuple[float,
                    List[float]]:
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


def forecast_gg_fit(x: Floats, m: Floats, weight: Optional[Floats] = None,
                    l2: float = 0.0, ctx: Optional[Context] = None,
                    max_iter: int = 0) -> FitResult:
    """Fit Gamma-Gamma; a FitResult as forecast_fit's."""
    n = len(x)
    out, ll, it, st = (_dbl * 3)(), _dbl(), _i32(), _i32()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_gg_fit(
            out, 3, ctypes.byref(ll), ctypes.byref(it), ctypes.byref(st),
            c.handle, _rows(n, x, "x"), _rows(n, m, "m"),
            _rows(n, weight, "weight"), n, l2, max_iter))
    return _fit_result(forecast_param_names(FORECAST_GG),
                       out, ll, it, st)


def forecast_gg_loglik(params: Params, x: Floats, m: Floats,
                       weight: Optional[Floats] = None,
                       ctx: Optional[Context] = None) -> Tuple[float,
                       List[float]]:
    """(loglik, gradient list) of the Gamma-Gamma spend model at params, for
    customers with x repeat purchases of mean value m."""
    n = len(x)
    p, k = _params(params)
    ll, grad = _dbl(), (_dbl * k)()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_gg_loglik(
            ctypes.byref(ll), grad, c.handle, p, k, _rows(n, x, "x"),
            _rows(n, m, "m"), _rows(n, weight, "weight"), n))
    return ll.value, list(grad)


def _darr(seq: Any, what: str, n: int) -> Any:
    """A column as a C double array: a contiguous float64 numpy array
    as is (no copy; the caller keeps it alive for the call), any other
    sequence converted."""
    if seq is None:
        return None
    if type(seq).__module__ == "numpy" and getattr(seq, "dtype", None) \
            is not None and seq.dtype == "float64" and \
            seq.flags["C_CONTIGUOUS"] and seq.ndim == 1:
        if len(seq) != n:
            raise Error(EINVAL, "%s: %d values, expected %d"
                        % (what, len(seq), n))
        return seq.ctypes.data_as(ctypes.POINTER(_dbl))
    return _doubles(seq, what, n)[0]


class ForecastRows(_Handle):
    """b2b2c_forecast_rows (1.1): one partition's rows checked and merged
    once, then evaluated at many parameters with the sums of
    forecast_loglik (forecast_gg_loglik for FORECAST_GG, the mean spend in
    tx, T None) bit for bit, without checking and merging them again.

        rows = ForecastRows(ctx, FORECAST_BGNBD, x, tx, T)
        ll, grad = rows.loglik(params)

    Columns: sequences of floats or contiguous float64 numpy arrays
    (copied by the library). len(rows) is the number of distinct rows."""

    _kind = "ForecastRows"
    _free = lib.b2b2c_forecast_rows_free

    def __init__(self, ctx: Context, model: int, x: Floats, tx: Floats,
                 T: Optional[Floats] = None,
                 weight: Optional[Floats] = None) -> None:
        super().__init__(ctx)
        n = len(x)
        self.model = int(model)
        self._check(lib.b2b2c_forecast_rows_new(
            ctypes.byref(self._h), ctx.handle, self.model,
            _darr(x, "x", n), _darr(tx, "tx", n), _darr(T, "T", n),
            _darr(weight, "weight", n), n))

    def loglik(self, params: Params, ctx: Optional[Context] = None) -> \
            Tuple[float, List[float]]:
        """(loglik, gradient list) at params; ctx: the context to evaluate
        on (default the rows' own: any context may read them)."""
        p, k = _params(params)
        ll, grad = _dbl(), (_dbl * max(k, 1))()
        c = ctx if ctx is not None else self._ctx
        c.check(lib.b2b2c_forecast_rows_loglik(
            ctypes.byref(ll), grad, c.handle, self.handle, p, k))
        return ll.value, list(grad)[:k]

    def __len__(self) -> int:
        n = ctypes.c_size_t()
        self._check(lib.b2b2c_forecast_rows_count(
            ctypes.byref(n), self._ctx.handle, self.handle))
        return n.value


def forecast_moments(model: int, x: Floats, tx: Floats, T: Floats,
                     weight: Optional[Floats] = None,
                     ctx: Optional[Context] = None) -> Tuple[float, float,
                                                             float]:
    """The data moments (W, sum of weight * x, sum of weight * T) of a batch
    of rows for forecast_fit_sum (BG/NBD, Pareto/NBD, BG/BB): added
    elementwise over partitions. Zeros for a batch with no usable row."""
    n = len(x)
    out = (_dbl * 3)()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_moments(
            out, 3, c.handle, model, _rows(n, x, "x"), _rows(n, tx, "tx"),
            _rows(n, T, "T"), _rows(n, weight, "weight"), n))
    return out[0], out[1], out[2]


def forecast_gg_moments(x: Floats, m: Floats,
                        weight: Optional[Floats] = None,
                        ctx: Optional[Context] = None) -> Tuple[float, float,
                                                                float]:
    """The Gamma-Gamma data moments (W, sum of weight * x, sum of weight *
    m over the rows with x > 0 and m > 0) for forecast_fit_sum."""
    n = len(x)
    out = (_dbl * 3)()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_gg_moments(
            out, 3, c.handle, _rows(n, x, "x"), _rows(n, m, "m"),
            _rows(n, weight, "weight"), n))
    return out[0], out[1], out[2]


# What a sum callback of forecast_fit_sum returns: (loglik, gradient).
SumFn = Callable[[List[float]], Tuple[float, Sequence[float]]]


class SumOutsideDomain(Exception):
    """Raised by a forecast_fit_sum callback when the log-likelihood is not
    finite at the parameters asked (a partition's forecast_loglik failed
    with ERANGE): the optimizer steps back, as forecast_fit does."""


def forecast_fit_sum(model: int, sum_fn: SumFn,
                     moments: Sequence[float],
                     start: Optional[Params] = None, l2: float = 0.0,
                     ctx: Optional[Context] = None,
                     max_iter: int = 0) -> FitResult:
    """Fit BG/NBD, Pareto/NBD, BG/BB or Gamma-Gamma (model FORECAST_GG) with
    the library's optimizer over sums the host computes: sum_fn(params)
    (natural parameters, a list) returns (loglik, gradient) summed over
    every partition (forecast_loglik / forecast_gg_loglik on each);
    moments are forecast_moments / forecast_gg_moments added over the
    partitions; start None for the default start. Raise SumOutsideDomain
    from sum_fn where the log-likelihood is not finite; any other
    exception stops the fit and is re-raised here as it was. A FitResult
    as forecast_fit's."""
    k = forecast_nparams(model)
    out, ll, it, st = (_dbl * k)(), _dbl(), _i32(), _i32()
    mom, nm = _doubles(list(moments), "moments")
    sp, ns = _params(start, "start") if start is not None else (None, 0)
    err: List[BaseException] = []

    def tramp(llp, gp, pp, np_, _ud):
        try:
            v, g = sum_fn([pp[i] for i in range(np_)])
            llp[0] = v
            for i in range(np_):
                gp[i] = g[i]
            return 0
        except SumOutsideDomain:
            return ERANGE
        except BaseException as e:  # noqa: B902 (re-raised below)
            err.append(e)
            return ESTORAGE
    cb = _d.b2b2c_forecast_sum_cb(tramp)
    with _TempCtx(ctx) as c:
        rc = lib.b2b2c_forecast_fit_sum(
            out, k, ctypes.byref(ll), ctypes.byref(it), ctypes.byref(st),
            c.handle, model, sp, ns, mom, nm, l2, max_iter, cb, None)
        if err:
            raise err[0]
        c.check(rc)
    return _fit_result(forecast_param_names(model), out, ll, it, st)


def forecast_stderr(model: int, params: Params, x: Floats, tx: Floats,
                    T: Floats, weight: Optional[Floats] = None,
                    ctx: Optional[Context] = None) -> Tuple[List[float],
                                                           List[List[float]]]:
    """(standard errors, covariance rows) of BG/NBD, Pareto/NBD or BG/BB
    parameters at their maximum likelihood estimate `params` (a plain fit,
    l2 = 0, on the same data); a 95% interval is p +- 1.959964 * se."""
    n = len(x)
    p, k = _params(params)
    np_ = forecast_nparams(model)
    se, cov = (_dbl * max(k, np_))(), (_dbl * (np_ * np_))()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_stderr(
            se, cov, c.handle, model, p, k, _rows(n, x, "x"),
            _rows(n, tx, "tx"), _rows(n, T, "T"),
            _rows(n, weight, "weight"), n))
    return (list(se[:np_]),
            [list(cov[r * np_:(r + 1) * np_]) for r in range(np_)])


def forecast_gg_stderr(params: Params, x: Floats, m: Floats,
                       weight: Optional[Floats] = None,
                       ctx: Optional[Context] = None) -> Tuple[
                           List[float], List[List[float]]]:
    """(standard errors, covariance rows) of the Gamma-Gamma parameters at
    their maximum likelihood estimate `params`."""
    n = len(x)
    p, k = _params(params)
    se, cov = (_dbl * max(k, 3))(), (_dbl * 9)()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_gg_stderr(
            se, cov, c.handle, p, k, _rows(n, x, "x"), _rows(n, m, "m"),
            _rows(n, weight, "weight"), n))
    return list(se[:3]), [list(cov[r * 3:(r + 1) * 3]) for r in range(3)]


def forecast_predict(model: int, params: Params, x: Floats, tx: Floats,
                     T: Floats, t: float,
                     ctx: Optional[Context] = None) -> Dict[str, List[float]]:
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


def forecast_gg_spend(params: Params, x: Floats, m: Floats,
                      ctx: Optional[Context] = None) -> List[float]:
    """The expected mean spend per transaction of each customer (Gamma-Gamma
    conditional expectation) given x repeat purchases of mean value m."""
    n = len(x)
    p, k = _params(params)
    out = (_dbl * max(n, 1))()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_gg_spend(out, c.handle, p, k,
                                            _rows(n, x, "x"),
                                            _rows(n, m, "m"), n))
    return out[:n]


def forecast_clv(model: int, params: Params, x: Floats, tx: Floats, T: Floats,
                 spend: Floats, horizon: float, discount: float = 0.0,
                 margin: float = 1.0,
                 ctx: Optional[Context] = None) -> List[float]:
    """The lifetime value of each customer over horizon units: expected
    purchases times spend times margin, discounted at `discount` per unit
    (docs/forecast.md gives the formula)."""
    n = len(x)
    p, k = _params(params)
    out = (_dbl * max(n, 1))()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_clv(
            out, c.handle, model, p, k, _rows(n, x, "x"), _rows(n, tx, "tx"),
            _rows(n, T, "T"), _rows(n, spend, "spend"), n, horizon, discount,
            margin))
    return out[:n]


def forecast_population_expected(model: int, params: Params, t: Floats,
                                 ctx: Optional[Context] = None) -> List[float]:
    """E[X(t)], the expected number of purchases of a random customer in (0,
    t], for each t."""
    n = len(t)
    p, k = _params(params)
    out = (_dbl * max(n, 1))()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_forecast_population_expected(
            out, c.handle, model, p, k, _rows(n, t, "t"), n))
    return out[:n]


def forecast_frequency_counts(model: int, params: Params, T: Floats,
                              weight: Optional[Floats] = None, nout: int = 10,
                              ctx: Optional[Context] = None) -> List[float]:
    """The expected number of customers with 0, 1, ..., nout - 1 (the last: or
    more) repeat purchases over their observation times T (the model-fit
    histogram)."""
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
    _listing = "list_customers"
    _free = lib.b2b2c_forecaster_free

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._check(lib.b2b2c_forecaster_new(ctypes.byref(self._h),
                                             ctx.handle))

    def set_param(self, param: int, value: float) -> None:
        """Set a FORECASTER_* parameter (ForecasterParam); Error(ERANGE)
        outside its bounds (param_bounds)."""
        self._check(lib.b2b2c_forecaster_set_param(self.handle, param, value))

    def get_param(self, param: int) -> float:
        """The value of a FORECASTER_* parameter (ForecasterParam)."""
        v = _dbl()
        self._check(lib.b2b2c_forecaster_get_param(ctypes.byref(v),
                                                   self.handle, param))
        return v.value


    def add_kind(self, name: str) -> int:
        """Register a host purchase kind by name; its kind number (from
        FORECAST_KIND_HOST_FIRST). Error(EEXISTS) for a name taken."""
        v = _i32()
        self._check(lib.b2b2c_forecaster_add_kind(ctypes.byref(v),
                                                  self.handle, _b(name)))
        return v.value

    def kind_name(self, kind: int) -> Optional[str]:
        """The name of a purchase kind number (None when unknown)."""
        return _s(lib.b2b2c_forecaster_kind_name(self.handle, kind))

    def add_purchase(self, customer_id: str, segment: EnumArg, time: Time,
                     amount: float, kind: EnumArg = 0) -> None:
        """Record a purchase of amount at time (segment: Segment member or
        name; kind: FORECAST_KIND_*, a host kind number or a built-in
        kind's name)."""
        self._check(lib.b2b2c_forecaster_add_purchase(
            self.handle, _b(customer_id), _seg(segment), time, amount,
            _enum(kind, _KINDS, "kind")))

    def cancel_subscription(self, customer_id: str, time: Time) -> None:
        """Record that the customer's software subscription ended at time (the
        retention of subscription_stats reads it)."""
        self._check(lib.b2b2c_forecaster_cancel_subscription(
            self.handle, _b(customer_id), time))

    def remove_customer(self, customer_id: str) -> None:
        """Remove a customer's purchases and cancellation (also the repair
        of a purchase an older build stored outside the time range)."""
        self._check(lib.b2b2c_forecaster_remove_customer(
            self.handle, _b(customer_id)))

    def fold(self, now: Time, max_customers: int = 10000) -> int:
        """Fold the purchases older than FORECASTER_FOLD_DAYS before now of
        up to the next max_customers customers into per-customer summaries
        (docs/forecaster.md, "Folding old purchases"): every answer about a
        time after the fold point stays the same. Returns how many
        customers' folds grew. Since 1.1."""
        v = _sz()
        self._check(lib.b2b2c_forecaster_fold(ctypes.byref(v), self.handle,
                                              now, max_customers))
        return v.value

    def erase(self, customer_id: str) -> None:
        """Erase a customer everywhere this engine and the change log keep
        it (docs/privacy.md). Since 1.1."""
        self._check(lib.b2b2c_forecaster_erase(self.handle, _b(customer_id)))

    def _segm(self, segment):
        return -1 if segment == -1 else _seg(segment)

    def fit(self, calibration_end: Time, segment: EnumArg = -1,
            calibration_start: Optional[Time] = None) -> bool:
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
        return c.value == FIT_CONVERGED

    def fit_params(self, segment: EnumArg = -1) -> Dict[str, Any]:
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
                    FORECAST_GG), g)), "loglik": ll.value,
                "status": fit_status_name(st.value),
                "gg_status": fit_status_name(gst.value)}

    def spend_source(self, segment: EnumArg = -1) -> Tuple[int, float]:
        """(source, mean_spend): SPEND_GAMMA_GAMMA, or why the fit gives
        every customer the segment's mean spend (SPEND_MEAN_*)."""
        s, m = _i32(), _dbl()
        self._check(lib.b2b2c_forecaster_spend_source(
            ctypes.byref(s), ctypes.byref(m), self.handle,
            self._segm(segment)))
        return s.value, m.value

    def service_stats(self, kind: EnumArg,
                      segment: EnumArg = -1) -> Tuple[float, float]:
        """(attach_rate, mean_value) of a service kind."""
        a, m = _dbl(), _dbl()
        self._check(lib.b2b2c_forecaster_service_stats(
            ctypes.byref(a), ctypes.byref(m), self.handle,
            self._segm(segment), _enum(kind, _KINDS, "kind")))
        return a.value, m.value

    def subscription_stats(self, segment: EnumArg = -1) -> Tuple[float, float]:
        """(revenue_per_unit, retention)."""
        r, k = _dbl(), _dbl()
        self._check(lib.b2b2c_forecaster_subscription_stats(
            ctypes.byref(r), ctypes.byref(k), self.handle,
            self._segm(segment)))
        return r.value, k.value

    def summaries(self, calibration_end: Time, segment: EnumArg = -1,
                  calibration_start: Optional[Time] = None) -> List[Summary]:
        """[Summary(customer_id, frequency, recency, T, monetary_value), ...]:
        the RFM summary of each customer over the calibration window, as the
        fit reads it."""
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

    def list_customers(self, segment: EnumArg = -1) -> List[CustomerItem]:
        """[CustomerItem(customer_id, segment, first, last, purchases), ...]
        in customer ID order (bytewise); segment -1 = any."""
        return self._iter(lib.b2b2c_forecaster_list_customers,
                          _d.b2b2c_forecaster_customer_cb,
                          lambda i, *f: CustomerItem(_s(i), *f),
                          self.handle, self._segm(segment))

    def customer(self, customer_id: str, now: Time,
                 horizon: float) -> Dict[str, float]:
        """{expected, p_alive, p_any, spend, clv_product, clv_service}."""
        v = [_dbl() for _ in range(6)]
        self._check(lib.b2b2c_forecaster_customer(
            *[ctypes.byref(x) for x in v], self.handle, _b(customer_id), now,
            horizon))
        return dict(zip(("expected", "p_alive", "p_any", "spend",
                         "clv_product", "clv_service"), (x.value for x in v)))

    def due(self, now: Time, window_days: float) -> List[Due]:
        """[Due(customer_id, due_time, p_alive, expected_value), ...]: the
        customers whose next purchase is due within window_days of now (the
        repeat-due list), most valuable first."""
        return self._iter(lib.b2b2c_forecaster_due, _d.b2b2c_forecaster_due_cb,
                          lambda c, t, p, e: Due(_s(c), t, p, e),
                          self.handle, now, window_days)

    def holdout(self, calibration_end: Time, holdout_end: Time, nout: int = 5,
                segment: EnumArg = -1) -> List[Dict[str, float]]:
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
