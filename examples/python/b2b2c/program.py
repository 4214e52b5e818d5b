# SPDX-License-Identifier: MIT
"""Dealer network programs (b2b2c_programs): sell-in, sell-out and stock
per point of sale, product line and day, and the network report."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ._lib import EnumArg, Time, _CONSTANTS, _d, lib, to_unix
from .core import Context, _name, _value
from ._engine import (_Handle, _b, _dbl, _enum, _named, _prefixed, _row,
                      _s, _time)

_F_NAMES = _prefixed("PROGRAMS_F_", ("NFIELDS",))
_BONUS_F_NAMES = _prefixed("PROGRAM_F_", ("NFIELDS",))
_REORDER_F_NAMES = _prefixed("PROGRAMS_R_", ("NFIELDS",))
_BASIS = _named("PROGRAM_BASIS_")
_MODE = {"retroactive": _CONSTANTS["PROGRAM_RETROACTIVE"],
         "incremental": _CONSTANTS["PROGRAM_INCREMENTAL"]}
_PERIOD = _named("PROGRAM_PERIOD_")
_PROMO_S_NAMES = _prefixed("PROMO_S_", ("NFIELDS",))
_PROMO_U_NAMES = _prefixed("PROMO_U_", ("NFIELDS",))
_PROMO_BY = _named("PROMO_BY_")
_PROMO_STATUS = {"submitted": _CONSTANTS["PROMO_SUBMITTED"],
                 "approved": _CONSTANTS["PROMO_APPROVED"],
                 "rejected": _CONSTANTS["PROMO_REJECTED"],
                 "paid": _CONSTANTS["PROMO_PAID"]}
_NO_TIME = _CONSTANTS["PROMO_NO_TIME"]

DealerRow = namedtuple("DealerRow", "dealer_id tier region points")
PointRow = namedtuple("PointRow", "point_id dealer_id product_lines")
ClaimRow = namedtuple("ClaimRow", "claim_id promo_id dealer_id amount status "
                      "submitted_at decided_at paid_at")
SpendRow = namedtuple("SpendRow", "promo_id dealer_id fields")


def _claim_row(c, p, d, f, n):
    t = [None if f[i] == _NO_TIME else f[i] for i in (2, 3, 4)]
    return ClaimRow(_s(c), _s(p), _s(d), f[0],
                    lib.b2b2c_promo_status_name(f[1]).decode("ascii"), *t)


def _controls(control):
    ids = [] if control is None else list(control)
    arr = (ctypes.c_char_p * max(len(ids), 1))(*[_b(i) for i in ids])
    return arr, len(ids)


def programs_kind_name(v: int) -> str:
    """The stable name of a line kind (ProgramsKind: "sell_in", "sell_out",
    "stock", "return_in", "return_out", "correction_in",
    "correction_out"); Error(EINVAL) for an unknown value."""
    return _name(lib.b2b2c_programs_kind_name, v)


def programs_kind_from_name(s: str) -> int:
    """The line kind of a stable name; Error(EINVAL) for an unknown name."""
    return _value(lib.b2b2c_programs_kind_from_name, s)


def _kind(k):
    return _enum(k, lib.b2b2c_programs_kind_from_name, "kind")


class Programs(_Handle):
    """b2b2c_programs: dealers and their points of sale, sell-in/sell-out
    lines (whole units, money in whole minor units) kept as per-day
    aggregates, and the report per dealer or point. Report rows come back
    as {id: dict keyed by the PROGRAMS_F_* names lowercased}."""

    _kind = "Programs"
    _free = lib.b2b2c_programs_free

    def __init__(self, ctx: Context) -> None:
        """Open the engine on ctx (loads what its storage holds)."""
        super().__init__(ctx)
        self._check(lib.b2b2c_programs_new(ctypes.byref(self._h),
                                           ctx.handle))

    def set_param(self, param: int, value: float) -> None:
        """Set a PROGRAMS_PARAM_* parameter (ProgramsParam); Error(ERANGE)
        outside its bounds."""
        self._check(lib.b2b2c_programs_set_param(self.handle, param, value))

    def get_param(self, param: int) -> float:
        """The value of a PROGRAMS_PARAM_* parameter (ProgramsParam)."""
        v = _dbl()
        self._check(lib.b2b2c_programs_get_param(ctypes.byref(v),
                                                 self.handle, param))
        return v.value

    def set_dealer(self, dealer_id: str, tier: int = 0,
                   region: Optional[str] = None) -> None:
        """Register a dealer, or change its tier (0..1000) and region."""
        self._check(lib.b2b2c_programs_set_dealer(self.handle, _b(dealer_id),
                                                  tier, _b(region)))

    def add_point(self, point_id: str, dealer_id: str) -> None:
        """Register a point of sale of a registered dealer."""
        self._check(lib.b2b2c_programs_add_point(self.handle, _b(point_id),
                                                 _b(dealer_id)))

    def record(self, kind: EnumArg, point_id: str, product_line: str,
               t: Time, units: int, amount: int) -> None:
        """Record one line (kind: a ProgramsKind member or its name, e.g.
        "sell_out"); units and amount are whole numbers (amount in minor
        units), negative only for a correction."""
        self._check(lib.b2b2c_programs_record(
            self.handle, _kind(kind), _b(point_id), _b(product_line),
            _time(t, "t"), units, amount))

    def record_batch(self, lines: Iterable[Sequence]) -> None:
        """Record (kind, point_id, product_line, t, units, amount) lines in
        one call and one transaction: all or nothing."""
        rows = list(lines)
        n = len(rows)
        if n == 0:
            return
        kinds = (ctypes.c_int32 * n)()
        pts = (ctypes.c_char_p * n)()
        lns = (ctypes.c_char_p * n)()
        ts = (ctypes.c_int64 * n)()
        us = (ctypes.c_int64 * n)()
        ms = (ctypes.c_int64 * n)()
        for i, (k, p, ln, t, u, m) in enumerate(rows):
            kinds[i] = _kind(k)
            pts[i] = _b(p)
            lns[i] = _b(ln)
            ts[i] = to_unix(_time(t, "t"))
            us[i] = u
            ms[i] = m
        self._check(lib.b2b2c_programs_record_batch(
            self.handle, kinds, pts, lns, ts, us, ms, n))

    def report(self, from_: Time, to: Time, by: EnumArg = "dealer",
               product_line: Optional[str] = None) -> Dict[str, Dict[str,
                                                                float]]:
        """{dealer or point ID: {sell_in_units, ..., sell_through}} over
        the days [from_, to) in ID order; by: "dealer" or "point"."""
        rows = self._iter(lib.b2b2c_programs_report, _d.b2b2c_programs_row_cb,
                          lambda i, f, n: (i.decode("utf-8", "replace"),
                                           _row(f, n, _F_NAMES)),
                          self.handle,
                          _enum(by, _named("PROGRAMS_BY_"), "by"),
                          _b(product_line), from_, to)
        return dict(rows)

    def list_dealers(self, tier: int = -1) -> List[DealerRow]:
        """[DealerRow(dealer_id, tier, region, points), ...] in dealer ID
        order; tier -1 = any."""
        return self._iter(lib.b2b2c_programs_list_dealers,
                          _d.b2b2c_programs_dealer_cb,
                          lambda i, t, r, n: DealerRow(_s(i), t, _s(r), n),
                          self.handle, tier)

    def list_points(self, dealer_id: Optional[str] = None) -> List[PointRow]:
        """[PointRow(point_id, dealer_id, product_lines), ...] in point ID
        order, of one dealer or (None) all."""
        return self._iter(lib.b2b2c_programs_list_points,
                          _d.b2b2c_programs_point_cb,
                          lambda i, d, n: PointRow(_s(i), _s(d), n),
                          self.handle, _b(dealer_id))

    def set_program(self, program_id: str, thresholds: Sequence[int],
                    rates: Sequence[int], basis: EnumArg = "amount",
                    mode: EnumArg = "retroactive",
                    period: EnumArg = "quarter",
                    product_line: Optional[str] = None) -> None:
        """Define (or replace) the volume bonus program program_id: tier i
        applies from thresholds[i] (strictly increasing, >= 0) at rates[i].
        basis "amount": volume is net sell-in money in minor units and
        rates are basis points; "units": volume is net sell-in units and
        rates are minor units per unit. mode "retroactive" (the tier
        reached pays on all the volume) or "incremental" (each tier on the
        volume inside it); period "quarter" or "year" (calendar, in the
        context's UTC offset); product_line None counts every line.
        Error(ERANGE) naming the tier ("tiers[2].threshold: ...")."""
        n = len(thresholds)
        if len(rates) != n:
            raise ValueError("rates: %d values for %d thresholds"
                             % (len(rates), n))
        th = (ctypes.c_int64 * max(n, 1))(*thresholds)
        rt = (ctypes.c_int64 * max(n, 1))(*rates)
        self._check(lib.b2b2c_program_set(
            self.handle, _b(program_id), _enum(basis, _BASIS, "basis"),
            _enum(mode, _MODE, "mode"), _enum(period, _PERIOD, "period"),
            _b(product_line), th, rt, n))

    def program_status(self, program_id: str, dealer_id: str,
                       now: Time) -> Dict[str, int]:
        """One dealer's status in a bonus program at now: {volume, tier,
        next_threshold, gap, accrued, projected_volume, projected_tier,
        projected_bonus, elapsed_days, period_days, period_start,
        period_end}, whole numbers (money in minor units, floored once per
        dealer; tier 0 = none; next_threshold -1 at the top tier)."""
        n = _CONSTANTS["PROGRAM_F_NFIELDS"]
        f = (ctypes.c_int64 * n)()
        self._check(lib.b2b2c_program_status(f, n, self.handle,
                                             _b(program_id), _b(dealer_id),
                                             _time(now, "now")))
        return _row(f, n, _BONUS_F_NAMES)

    def program_status_list(self, program_id: str,
                            now: Time) -> Dict[str, Dict[str, int]]:
        """{dealer_id: status (as program_status)} of every registered
        dealer in dealer ID order, those without sell-in included."""
        rows = self._iter(lib.b2b2c_program_status_list,
                          _d.b2b2c_program_status_cb,
                          lambda i, f, n: (i.decode("utf-8", "replace"),
                                           _row(f, n, _BONUS_F_NAMES)),
                          self.handle, _b(program_id), _time(now, "now"))
        return dict(rows)

    # ---- joint promotion budgets (b2b2c_promo_*) --------------------------

    def set_promo(self, promo_id: str, dealer_id: str, start: Time,
                  end: Time, planned: int,
                  product_line: Optional[str] = None) -> None:
        """Define (or replace) the budget of promotion promo_id for
        dealer_id over the days [start, end) (the context's UTC offset),
        planned in whole minor units, for product_line (None: all).
        Error(ENOTFOUND) for an unknown dealer, Error(ERANGE) for end not
        after start, a negative plan or one below the claims held."""
        self._check(lib.b2b2c_promo_set(
            self.handle, _b(promo_id), _b(dealer_id), _time(start, "start"),
            _time(end, "end"), planned, _b(product_line)))

    def claim(self, claim_id: str, promo_id: str, dealer_id: str,
              amount: int, t: Time) -> None:
        """Submit a claim of amount minor units against the budget at t.
        Error(ERANGE) over the remaining budget (pending claims count)."""
        self._check(lib.b2b2c_promo_claim(
            self.handle, _b(claim_id), _b(promo_id), _b(dealer_id), amount,
            _time(t, "t")))

    def claim_status(self, claim_id: str, status: EnumArg, t: Time) -> None:
        """Move a claim to status ("approved", "rejected", "paid" or a
        PromoStatus member) at t. Error(ESTATE) for a step not allowed."""
        self._check(lib.b2b2c_promo_claim_status(
            self.handle, _b(claim_id), _enum(status, _PROMO_STATUS,
                                             "status"), _time(t, "t")))

    def claims(self, promo_id: Optional[str] = None,
               dealer_id: Optional[str] = None) -> List[ClaimRow]:
        """The claims (all, or of a promotion and/or dealer) in claim ID
        order: ClaimRow(claim_id, promo_id, dealer_id, amount, status name,
        submitted_at, decided_at, paid_at); a step not taken is None."""
        return self._iter(lib.b2b2c_promo_list_claims,
                          _d.b2b2c_promo_claim_cb, _claim_row, self.handle,
                          _b(promo_id), _b(dealer_id))

    def promo_spend(self, by: EnumArg = "budget",
                    promo_id: Optional[str] = None,
                    dealer_id: Optional[str] = None) -> List[SpendRow]:
        """Spend vs plan per budget, promotion or dealer (by "budget",
        "promo" or "dealer"): SpendRow(promo_id, dealer_id, {planned,
        submitted, approved, paid, rejected, spent, remaining, claims,
        budgets, start, end}), whole numbers; the ID a row does not sum by
        is None."""
        return self._iter(lib.b2b2c_promo_spend_list,
                          _d.b2b2c_promo_spend_cb,
                          lambda p, d, f, n: SpendRow(
                              _s(p), _s(d), _row(f, n, _PROMO_S_NAMES)),
                          self.handle, _enum(by, _PROMO_BY, "by"),
                          _b(promo_id), _b(dealer_id))

    def promo_uplift(self, promo_id: str, dealer_id: str,
                     control: Optional[Sequence[str]] = None
                     ) -> Dict[str, float]:
        """The promotion's uplift for one dealer: {days, promo_units, ...,
        did_amount, spend, roi} against its own pre-period baseline and,
        with control dealers, the difference-in-differences (NaN where
        undefined)."""
        n = _CONSTANTS["PROMO_U_NFIELDS"]
        f = (ctypes.c_double * n)()
        arr, nc = _controls(control)
        self._check(lib.b2b2c_promo_uplift(f, n, self.handle, _b(promo_id),
                                           _b(dealer_id), arr, nc))
        return _row(f, n, _PROMO_U_NAMES)

    def promo_uplift_list(self, promo_id: str,
                          control: Optional[Sequence[str]] = None
                          ) -> Dict[str, Dict[str, float]]:
        """{dealer_id: uplift (as promo_uplift)} of every dealer with a
        budget in promo_id, in dealer ID order."""
        arr, nc = _controls(control)
        rows = self._iter(lib.b2b2c_promo_uplift_list,
                          _d.b2b2c_promo_uplift_cb,
                          lambda i, f, n: (i.decode("utf-8", "replace"),
                                           _row(f, n, _PROMO_U_NAMES)),
                          self.handle, _b(promo_id), arr, nc)
        return dict(rows)

    def reorders(self, now: Time, window_days: int = 0,
                 by: EnumArg = "dealer",
                 product_line: Optional[str] = None
                 ) -> List[Tuple[str, Dict[str, float]]]:
        """The reorder due list at now: [(dealer or point ID, {orders,
        last_order, median_interval, due, days_since, days_late, overdue,
        exceeded, expected_units, expected_amount}), ...] of the rows with
        at least PROGRAMS_PARAM_REORDER_MIN_ORDERS orders (days with net
        sell-in) due by now + window_days, most late first (ties by ID).
        by: "dealer" or "point"; product_line None = any line."""
        return self._iter(lib.b2b2c_programs_reorders,
                          _d.b2b2c_programs_reorder_cb,
                          lambda i, f, n: (i.decode("utf-8", "replace"),
                                           _row(f, n, _REORDER_F_NAMES)),
                          self.handle,
                          _enum(by, _named("PROGRAMS_BY_"), "by"),
                          _b(product_line), _time(now, "now"), window_days)

    def reorder_of(self, orders: Iterable[Sequence], now: Time
                   ) -> Dict[str, float]:
        """The reorder fields (as reorders) at now of an order history the
        host holds, e.g. a professional B2B customer's: orders are (t,
        units, amount) in any order; the lines of one day are one order."""
        rows = list(orders)
        n = len(rows)
        ts = (ctypes.c_int64 * max(n, 1))()
        us = (ctypes.c_int64 * max(n, 1))()
        ms = (ctypes.c_int64 * max(n, 1))()
        for i, (t, u, m) in enumerate(rows):
            ts[i] = to_unix(_time(t, "t"))
            us[i] = u
            ms[i] = m
        nf = _CONSTANTS["PROGRAMS_R_NFIELDS"]
        f = (ctypes.c_double * nf)()
        self._check(lib.b2b2c_programs_reorder_of(
            f, nf, self.handle, ts, us, ms, n, _time(now, "now")))
        return _row(f, nf, _REORDER_F_NAMES)
