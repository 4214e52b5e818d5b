# SPDX-License-Identifier: MIT
"""The lead model (b2b2c_lead_model)."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import Callable, Dict, List, Optional, Tuple, Union

from ._lib import (ENUMS, FIT_CONVERGED, EnumArg, Time, _d, _enum_result,
                   _i32, lib)
from .core import _name, _value, band_name
from ._engine import (
    _Handle, _Trampoline, _b, _band, _dbl, _enum, _named, _prefixed, _s, _seg,
    _sz, _won, fit_status_name)


# ---- lead ------------------------------------------------------------------

def lead_stage_name(v: int) -> str:
    """The stable name of a lead stage ("qualified"); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_lead_stage_name, v)


def lead_stage_from_name(s: str) -> int:
    """The lead stage of a stable name ("won" -> LEAD_STAGE_WON); Error(EINVAL)
    for an unknown name."""
    return _value(lib.b2b2c_lead_stage_from_name, s)


def _stage(v):
    return _enum(v, lib.b2b2c_lead_stage_from_name, "stage")


LeadRow = namedtuple("LeadRow", "lead_id score band probability")
RefitResult = namedtuple("RefitResult", "status passes converged")
BandChange = namedtuple("BandChange", "lead_id old_band new_band at")
LeadItem = namedtuple("LeadItem", "lead_id stage band score")
FunnelRow = namedtuple("FunnelRow", "group stage fields")
PointSuggestion = namedtuple("PointSuggestion",
                             "entry current suggested std_error outcomes")
PointsChange = namedtuple("PointsChange", "at entry old_points new_points")
BandChangeWhy = namedtuple("BandChangeWhy",
                           "lead_id old_band new_band at reason")
_DRY_NAMES = {v: k for v, k in _prefixed("LEAD_DRY_").items()
              if k not in ("moves", "nfields")}

_FUNNEL_BY = _prefixed("LEAD_FUNNEL_BY_")
_FUNNEL_NAMES = {v: k for v, k in _prefixed("LEAD_FUNNEL_").items()
                 if not k.startswith("by_") and k not in ("nfields",
                                                         "moved_to")}
_MOVED_TO = _prefixed("LEAD_FUNNEL_")  # the offset of the moved_to block
_MOVED_TO = [v for v, k in _MOVED_TO.items() if k == "moved_to"][0]


def _funnel_by(v: EnumArg) -> int:
    return _enum(v, {k: v for v, k in _FUNNEL_BY.items()}, "by")


def _funnel_fields(ptr, n):
    """{entered, leads, ..., reach_p90, moved_to: {stage name: visits}}."""
    out = {_FUNNEL_NAMES.get(i, i): ptr[i] for i in range(min(n, _MOVED_TO))}
    out["moved_to"] = {lead_stage_name(s): ptr[_MOVED_TO + s]
                       for s in range(10) if _MOVED_TO + s < n}
    for i in range(_MOVED_TO + 10, n):  # fields of later versions
        out[i] = ptr[i]
    return out




class LeadModel(_Handle):
    """b2b2c_lead_model: leads, events, decaying score and cold/warm/hot
    bands, lifecycle stages, learned P(won), queries and the band-change
    alert (set_alert takes a Python callable)."""

    _kind = "LeadModel"
    _free = lib.b2b2c_lead_model_free

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._alert = None  # the _Trampoline C may call (kept alive here)
        self._rescore_alert = None
        self._check(lib.b2b2c_lead_model_new(ctypes.byref(self._h),
                                             ctx.handle))

    def close(self) -> None:
        """Free the model (and the alert callback, once C can no longer call
        it); closing twice is fine."""
        super().close()
        self._alert = None  # only after C can no longer call it
        self._rescore_alert = None

    def set_param(self, param: int, value: float) -> None:
        """Set a LEAD_* parameter (LeadParam); Error(ERANGE) outside its bounds
        (param_bounds), Error(EINVAL) for another engine's parameter."""
        self._check(lib.b2b2c_lead_model_set_param(self.handle, param, value))

    def get_param(self, param: int) -> float:
        """The value of a LEAD_* parameter (LeadParam)."""
        v = _dbl()
        self._check(lib.b2b2c_lead_model_get_param(ctypes.byref(v),
                                                   self.handle, param))
        return v.value


    def _kind_of(self, kind):
        if isinstance(kind, str):
            return self.kind_id(kind)
        return _enum(kind, {}, "kind")

    def add_kind(self, name: str) -> int:
        """Register a host event kind by name; its kind number (after the
        LEAD_EV_* built-in kinds). Error(EEXISTS) for a name taken."""
        v = _i32()
        self._check(lib.b2b2c_lead_add_kind(ctypes.byref(v), self.handle,
                                                 _b(name)))
        return v.value

    def kind_id(self, name: str) -> int:
        """The kind number of an event kind's name (built-in or added);
        Error(ENOTFOUND) for an unknown name."""
        v = _i32()
        self._check(lib.b2b2c_lead_kind_id(ctypes.byref(v), self.handle,
                                           _b(name)))
        return v.value

    def kind_name(self, kind: int) -> Optional[str]:
        """The name of an event kind number (None when unknown)."""
        return _s(lib.b2b2c_lead_kind_name(self.handle, kind))

    def kind_set(self, kind: EnumArg, points: float, cap_day: float = 0,
                 cap_total: float = 0, hot_days: float = 0) -> None:
        """Score an event kind (number or name): points per event, at most
        cap_day points a day and cap_total in all (0: no cap); hot_days > 0
        makes the kind keep a lead hot that many days."""
        self._check(lib.b2b2c_lead_kind_set(
            self.handle, self._kind_of(kind), points, cap_day, cap_total,
            hot_days))

    def kind_get(self, kind: EnumArg) -> Dict[str, float]:
        """{points, cap_day, cap_total, hot_days} of an event kind."""
        v = [_dbl() for _ in range(4)]
        self._check(lib.b2b2c_lead_kind_get(
            *[ctypes.byref(x) for x in v], self.handle, self._kind_of(kind)))
        return dict(zip(("points", "cap_day", "cap_total", "hot_days"),
                        (x.value for x in v)))

    def attr_points_set(self, attr: EnumArg, value: Optional[str],
                        points: float) -> None:
        """Points a lead gets for an attribute value (attr: LEAD_ATTR_* or its
        name "segment", "channel", "region", "product_line")."""
        attr = _enum(attr, _named("LEAD_ATTR_"), "attr")
        self._check(lib.b2b2c_lead_attr_points_set(self.handle, attr,
                                                   _b(value), points))

    def add(self, lead_id: str, created: Time, segment: EnumArg = 0,
            channel: Optional[str] = None, region: Optional[str] = None,
            product_line: Optional[str] = None) -> None:
        """Add a lead created at `created` (segment: Segment member or name);
        Error(EEXISTS) for an ID taken."""
        self._check(lib.b2b2c_lead_add(
            self.handle, _b(lead_id), created, _seg(segment), _b(channel),
            _b(region), _b(product_line)))

    def set_attr(self, lead_id: str, attr: EnumArg,
                 value: Optional[Union[str, int]]) -> None:
        """Correct an attribute of a lead (attr: LEAD_ATTR_* or its name);
        for the segment a Segment member or name, otherwise an ID; None
        clears it. Holds from the lead's creation on. Since 1.1."""
        named = _named("LEAD_ATTR_")
        attr = _enum(attr, named, "attr")
        if attr == named["segment"] and value is not None:
            value = lib.b2b2c_segment_name(_seg(value)).decode()
        self._check(lib.b2b2c_lead_set_attr(self.handle, _b(lead_id), attr,
                                            _b(value)))

    def merge(self, from_id: str, into_id: str, now: Time) -> None:
        """Merge lead from_id into into_id (one person): from's events add
        into into's aggregates, the further-along stage wins, from is
        removed. Since 1.1."""
        self._check(lib.b2b2c_lead_merge(self.handle, _b(from_id),
                                         _b(into_id), now))

    def event(self, lead_id: str, kind: EnumArg, now: Time,
              value: float = 0.0) -> None:
        """Record an event (kind: number or name). An exception raised by
        the alert callable is re-raised here (the event is recorded)."""
        rc = lib.b2b2c_lead_event(self.handle, _b(lead_id),
                                  self._kind_of(kind), now, value)
        if self._alert is not None:
            self._alert.rethrow()
        self._check(rc)

    def remove(self, lead_id: str) -> None:
        """Remove a lead and its stage history (also the repair of a lead
        an older build stored with a time outside the range)."""
        self._check(lib.b2b2c_lead_remove(self.handle, _b(lead_id)))

    def erase(self, lead_id: str) -> None:
        """Erase a lead everywhere this engine and the change log keep it
        (docs/privacy.md). Since 1.1."""
        self._check(lib.b2b2c_lead_erase(self.handle, _b(lead_id)))

    def close_due(self, now: Time, max_leads: int = 10000) -> int:
        """Close up to the due leads among the next max_leads of the working
        set (won, lost, disqualified or customer for LEAD_CLOSE_DAYS): they
        leave memory, stay readable by ID. Returns how many closed.
        Since 1.1."""
        v = _sz()
        self._check(lib.b2b2c_lead_close_due(ctypes.byref(v), self.handle,
                                             now, max_leads))
        return v.value

    def reopen(self, lead_id: str) -> None:
        """Bring a closed lead back into the working set. Since 1.1."""
        self._check(lib.b2b2c_lead_reopen(self.handle, _b(lead_id)))

    def score(self, lead_id: str, now: Time) -> Tuple[float, int]:
        """(score, band) at now."""
        s, b = _dbl(), _i32()
        self._check(lib.b2b2c_lead_score(ctypes.byref(s), ctypes.byref(b),
                                         self.handle, _b(lead_id), now))
        return s.value, _enum_result(ENUMS["Band"], b.value)

    def band(self, lead_id: str, now: Time) -> str:
        """The band's name ("cold", "warm", "hot") at now."""
        return band_name(self.score(lead_id, now)[1])

    def stage(self, lead_id: str) -> int:
        """The lead's lifecycle stage (a LeadStage member); Error(ENOTFOUND)
        for an unknown lead."""
        v = _i32()
        self._check(lib.b2b2c_lead_stage(ctypes.byref(v), self.handle,
                                         _b(lead_id)))
        return _enum_result(ENUMS["LeadStage"], v.value)

    def count(self) -> int:
        """The number of leads (also len(model))."""
        v = _sz()
        self._check(lib.b2b2c_lead_count(ctypes.byref(v), self.handle))
        return v.value

    def __len__(self) -> int:
        return self.count()

    def set_stage(self, lead_id: str, stage: EnumArg, now: Time) -> None:
        """Move the lead to a stage (LeadStage member or name) at now; the move
        is kept in its stage history. Error(ESTATE) for a move the lifecycle
        does not allow."""
        self._check(lib.b2b2c_lead_set_stage(self.handle, _b(lead_id),
                                             _stage(stage), now))

    def stage_history(self, lead_id: str) -> List[Tuple[int, int, int]]:
        """[(from, to, at), ...], oldest first."""
        return self._iter(lib.b2b2c_lead_stage_history, _d.b2b2c_lead_stage_cb,
                          lambda f, t, at: (f, t, at),
                          self.handle, _b(lead_id))

    def funnel(self, from_: Optional[Time], to: Optional[Time], now: Time,
               by: EnumArg = "all",
               stall_days: float = 30.0) -> List[FunnelRow]:
        """[FunnelRow(group, stage, fields), ...] of the leads created in
        [from_, to) (None: open end) as their stage histories stood at now;
        by: "all", "week", "month", "channel", "segment", "band" (or the
        LEAD_FUNNEL_BY_* value); stage a LeadStage. fields: {"entered",
        "leads", "forward", "dropped", "open", "stalled", "conversion",
        "drop_rate", "days_median", "days_p90", "reach_median",
        "reach_p90", "moved_to": {stage name: visits}}; counts are floats,
        NaN where undefined."""
        lo = -(1 << 63) if from_ is None else from_
        hi = (1 << 63) - 1 if to is None else to
        return self._iter(lib.b2b2c_lead_funnel, _d.b2b2c_lead_funnel_cb,
                          lambda g, st, f, n: FunnelRow(
                              _s(g), _enum_result(ENUMS["LeadStage"], st),
                              _funnel_fields(f, n)),
                          self.handle, lo, hi, now, _funnel_by(by),
                          stall_days)

    def outcome(self, lead_id: str, won: Union[bool, str], now: Time) -> None:
        """won: True or "won", False or "lost" (numbers are refused)."""
        self._check(lib.b2b2c_lead_outcome(self.handle, _b(lead_id),
                                           _won(won), now))

    def refit(self) -> RefitResult:
        """Refit the learned model from all outcomes; RefitResult(status,
        passes, converged): status is the fit status name ("converged",
        "max_iter" after LEAD_REFIT_EPOCHS passes, "stalled"); converged is
        True only for "converged" (the weights reached are kept)."""
        c, n = _i32(), _i32()
        self._check(lib.b2b2c_lead_refit(ctypes.byref(c), ctypes.byref(n),
                                         self.handle))
        return RefitResult(fit_status_name(c.value), n.value,
                           c.value == FIT_CONVERGED)

    def probability(self, lead_id: str, now: Time) -> float:
        """The learned P(won) of the lead at now (NaN until LEAD_MIN_OUTCOMES
        outcomes were recorded and refit was run)."""
        p = _dbl()
        self._check(lib.b2b2c_lead_probability(ctypes.byref(p), self.handle,
                                               _b(lead_id), now))
        return p.value

    def factors(self, lead_id: str, now: Time,
                k: int = 5) -> List[Tuple[str, float]]:
        """[(feature, contribution), ...]: top k up, then top k down."""
        return self._iter(lib.b2b2c_lead_factors, _d.b2b2c_lead_factor_cb,
                          lambda f, c: (_s(f), c),
                          self.handle, _b(lead_id), now, k)

    def top(self, now: Time, n: int = 10, by: EnumArg = 0, band: EnumArg = -1,
            segment: EnumArg = -1, stage: EnumArg = -1,
            region: Optional[str] = None) -> List[LeadRow]:
        """The best n leads at now (by LEAD_BY_SCORE or LEAD_BY_PROBABILITY);
        band, segment, stage -1 = any (names accepted); by: LEAD_BY_* or
        "score"/"probability"."""
        by = _enum(by, _named("LEAD_BY_"), "by")
        band = -1 if band == -1 else _band(band)
        segment = -1 if segment == -1 else _seg(segment)
        stage = -1 if stage == -1 else _stage(stage)
        return self._iter(lib.b2b2c_lead_top, _d.b2b2c_lead_row_cb,
                          lambda i, s, b, p: LeadRow(
                              _s(i), s, _enum_result(ENUMS["Band"], b), p),
                          self.handle, now, n, by, band, segment, stage,
                          _b(region))

    def counts(self, now: Time) -> List[Tuple[int, int, Optional[str], int]]:
        """[(band, segment, channel, count), ...] non-zero cells."""
        return self._iter(lib.b2b2c_lead_counts, _d.b2b2c_lead_count_cb,
                          lambda b, s, c, n: (b, s, _s(c), n),
                          self.handle, now)

    def band_changes(self, since: Time, now: Time) -> List[BandChange]:
        """[BandChange(lead_id, old_band, new_band, at), ...]: the leads whose
        band changed in (since, now], oldest first."""
        return self._iter(lib.b2b2c_lead_band_changes, _d.b2b2c_lead_band_cb,
                          lambda i, o, n, at: BandChange(_s(i), o, n, at),
                          self.handle, since, now)

    def list(self, now: Time, stage: EnumArg = -1,
             band: EnumArg = -1) -> List[LeadItem]:
        """[LeadItem(lead_id, stage, band, score), ...] at now, in lead ID
        order (bytewise); stage and band -1 = any (names accepted)."""
        stage = -1 if stage == -1 else _stage(stage)
        band = -1 if band == -1 else _band(band)
        return self._iter(lib.b2b2c_lead_list, _d.b2b2c_lead_list_cb,
                          lambda i, st, b, sc: LeadItem(
                              _s(i), _enum_result(ENUMS["LeadStage"], st),
                              _enum_result(ENUMS["Band"], b), sc),
                          self.handle, stage, band, now)

    def _check(self, rc):
        # an exception of the rescore alert, re-raised once the call that
        # rescored (apply, kind_set, attr_points_set, set_param) returned
        t = getattr(self, "_rescore_alert", None)
        if t is not None:
            t.rethrow()
        return super()._check(rc)

    # ---- points learned from outcomes (1.1) ----

    def suggest_points(self, min_outcomes: float = 0
                       ) -> List[PointSuggestion]:
        """[PointSuggestion(entry, current, suggested, std_error, outcomes),
        ...] for every kind ("kind:NAME"), segment ("segment:NAME") and
        attribute value ("channel:ID", "region:CODE", "product_line:ID"), in
        entry order: points suggested from the recorded outcomes on the
        current point scale, with their standard error (NaN for an entry
        that keeps its points: fewer than min_outcomes outcomes; 0 means
        LEAD_POINTS_MIN_OUTCOMES). Error(ENOTREADY) with too few outcomes."""
        return self._iter(lib.b2b2c_lead_suggest_points,
                          _d.b2b2c_lead_points_cb,
                          lambda e, c, s, se, n: PointSuggestion(_s(e), c, s,
                                                                 se, n),
                          self.handle, min_outcomes)

    @staticmethod
    def _table(table: Dict[str, float]):
        items = list(table.items())
        n = len(items)
        entries = (ctypes.c_char_p * max(n, 1))(*[_b(k) for k, _ in items])
        points = (_dbl * max(n, 1))(*[float(v) for _, v in items])
        return entries, points, n

    @staticmethod
    def _shares(warm_share, hot_share):
        nan = float("nan")
        return (nan if warm_share is None else float(warm_share),
                nan if hot_share is None else float(hot_share))

    def points_dry_run(self, table: Dict[str, float], now: Time,
                       warm_share: Optional[float] = None,
                       hot_share: Optional[float] = None, folds: int = 5,
                       seed: int = 0) -> Dict[str, object]:
        """What points_apply(table, ...) would do, changing nothing:
        {"moves": 3x3 list (from cold/warm/hot now, to cold/warm/hot),
        "warm", "hot" (the thresholds it would set), "auc", "auc_se",
        "brier", "log_loss" (the current table's rule score on the
        outcomes, folds-fold cross-validated with folds drawn from seed) and
        "new_auc", ... (the same for the proposed table)}. Shares None: the
        shares at now. Error(ENOTFOUND) naming an unknown entry."""
        entries, points, n = self._table(table)
        w, h = self._shares(warm_share, hot_share)
        nf = int(ENUMS["LeadDryField"].NFIELDS)
        out = (_dbl * nf)()
        self._check(lib.b2b2c_lead_points_dry_run(
            out, nf, self.handle, entries, points, n, w, h, now, folds,
            seed))
        res: Dict[str, object] = {
            "moves": [[int(out[3 * a + b]) for b in range(3)]
                      for a in range(3)]}
        for i, k in sorted(_DRY_NAMES.items()):
            if i < nf:
                res[k] = out[i]
        return res

    def points_apply(self, table: Dict[str, float], now: Time,
                     warm_share: Optional[float] = None,
                     hot_share: Optional[float] = None
                     ) -> Tuple[float, float]:
        """Set the points of the table's entries, rescore every lead and set
        the warm and hot thresholds so that the shares of warm and hot
        leads at now are the targets (None: the shares before); recorded in
        points_history() dated now. Returns (warm, hot), the thresholds
        set. A bad table is refused whole (Error(ENOTFOUND) or
        Error(EINVAL) naming the entry)."""
        entries, points, n = self._table(table)
        w, h = self._shares(warm_share, hot_share)
        wo, ho = _dbl(), _dbl()
        self._check(lib.b2b2c_lead_points_apply(
            ctypes.byref(wo), ctypes.byref(ho), self.handle, entries, points,
            n, w, h, now))
        return wo.value, ho.value

    def points_history(self) -> List[PointsChange]:
        """[PointsChange(at, entry, old_points, new_points), ...]: every
        points_apply, oldest first; entries "threshold:warm" and
        "threshold:hot" give the thresholds."""
        return self._iter(lib.b2b2c_lead_points_history,
                          _d.b2b2c_lead_points_history_cb,
                          lambda at, e, o, n: PointsChange(at, _s(e), o, n),
                          self.handle)

    def band_changes_why(self, since: Time, now: Time
                         ) -> List[BandChangeWhy]:
        """band_changes with the reason of each change: LeadBandReason
        (event, decay, or rescore: points or thresholds changed)."""
        return self._iter(lib.b2b2c_lead_band_changes_why,
                          _d.b2b2c_lead_band_why_cb,
                          lambda i, o, n, at, r: BandChangeWhy(
                              _s(i), o, n, at,
                              _enum_result(ENUMS["LeadBandReason"], r)),
                          self.handle, since, now)

    def set_rescore_alert(self,
                          fn: Optional[Callable[[BandChange], object]]
                          ) -> None:
        """fn(BandChange) for every lead whose band a rescoring changed (a
        change of points or thresholds), after the call committed; None
        removes it."""
        if fn is None:
            self._check(lib.b2b2c_lead_set_rescore_alert(
                self.handle, _d.b2b2c_lead_band_cb(), None))
            self._rescore_alert = None
            return
        t = _Trampoline(_d.b2b2c_lead_band_cb, lambda i, o, n, at:
                        fn(BandChange(_s(i), o, n, at)))
        self._check(lib.b2b2c_lead_set_rescore_alert(self.handle, t.c, None))
        self._rescore_alert = t

    def set_alert(self, fn: Optional[Callable[[BandChange], object]]) -> None:
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
