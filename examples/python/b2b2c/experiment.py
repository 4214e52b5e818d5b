# SPDX-License-Identifier: MIT
"""A/B experiments (b2b2c_experiment): in memory, see experiment.h."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import Dict, List, Tuple

from ._lib import Time, _check, _d, lib
from .core import Context
from ._engine import _Handle, _b, _dbl, _prefixed, _row, _time

_F_NAMES = _prefixed("EXPERIMENT_F_", ("NFIELDS",))
_D_NAMES = _prefixed("EXPERIMENT_D_", ("NFIELDS",))

Plan = namedtuple("Plan", "n_per_variant days")
ExperimentDay = namedtuple("ExperimentDay", "day_start fields")


def experiment_plan(base_rate: float, mde_relative: float,
                    alpha: float = 0.05, power: float = 0.8,
                    variants: int = 2,
                    daily_exposures: float = 1.0) -> "Plan":
    """Plan(n_per_variant, days) to detect a relative change mde_relative
    of base_rate (two-proportion z-test; docs/experiments.md)."""
    n, d = ctypes.c_int64(), ctypes.c_int64()
    _check(lib.b2b2c_experiment_plan(ctypes.byref(n), ctypes.byref(d),
                                     base_rate, mde_relative, alpha, power,
                                     variants, daily_exposures))
    return Plan(n.value, d.value)


class Experiment(_Handle):
    """b2b2c_experiment: variants (the first added is the control), daily
    rows, and the report. In memory only: nothing is stored. Report rows
    come back as {variant: dict keyed by the EXPERIMENT_F_* names
    lowercased}, days as ExperimentDay(day_start, dict of EXPERIMENT_D_*
    names)."""

    _kind = "Experiment"
    _free = lib.b2b2c_experiment_free

    def __init__(self, ctx: Context) -> None:
        """A new, empty experiment on the context ctx."""
        super().__init__(ctx)
        self._check(lib.b2b2c_experiment_new(ctypes.byref(self._h),
                                             ctx.handle))

    def set_param(self, param: int, value: float) -> None:
        """Set an EXPERIMENT_* parameter (ExperimentParam: alpha, the Beta
        prior, the mixture SPRT's tau^2); Error(ERANGE) outside its
        bounds."""
        self._check(lib.b2b2c_experiment_set_param(self.handle, param, value))

    def get_param(self, param: int) -> float:
        """The value of an EXPERIMENT_* parameter (ExperimentParam)."""
        v = _dbl()
        self._check(lib.b2b2c_experiment_get_param(ctypes.byref(v),
                                                   self.handle, param))
        return v.value

    def add_variant(self, variant: str, planned_share: float = 1.0) -> None:
        """Add a variant (the first added is the control) with its planned
        share of the traffic (relative weights, for the sample-ratio
        check)."""
        self._check(lib.b2b2c_experiment_add_variant(
            self.handle, _b(variant), planned_share))

    def add_day(self, variant: str, t: Time, exposures: float,
                conversions: float, revenue: float = 0.0,
                revenue_sumsq: float = 0.0) -> None:
        """One day's row (t: any second of the day, Unix seconds)."""
        self._check(lib.b2b2c_experiment_add_day(
            self.handle, _b(variant), _time(t, "t"), exposures, conversions,
            revenue, revenue_sumsq))

    def report(self) -> Dict[str, Dict[str, float]]:
        """{variant: {is_control, exposures, ..., p_best, seq_p_value, ...}}
        in variant name order."""
        rows = self._iter(lib.b2b2c_experiment_report,
                          _d.b2b2c_experiment_variant_cb,
                          lambda v, f, n: (v.decode("utf-8", "replace"),
                                           _row(f, n, _F_NAMES)),
                          self.handle)
        return dict(rows)

    def days(self, variant: str) -> List["ExperimentDay"]:
        """[ExperimentDay(day_start, {exposures, ..., seq_p_value}), ...]
        of a variant against the control."""
        return self._iter(lib.b2b2c_experiment_list_days,
                          _d.b2b2c_experiment_day_cb,
                          lambda t, f, n: ExperimentDay(t, _row(f, n,
                                                                _D_NAMES)),
                          self.handle, _b(variant))

    def srm(self) -> Tuple[float, float]:
        """(chi2, p_value) of the exposures against the planned shares."""
        c, p = _dbl(), _dbl()
        self._check(lib.b2b2c_experiment_srm(ctypes.byref(c), ctypes.byref(p),
                                             self.handle))
        return c.value, p.value
