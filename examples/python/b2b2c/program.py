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

DealerRow = namedtuple("DealerRow", "dealer_id tier region points")
PointRow = namedtuple("PointRow", "point_id dealer_id product_lines")


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
