# SPDX-License-Identifier: MIT
"""A/B experiments (b2b2c_experiment): in memory, see experiment.h."""

import ctypes
from collections import namedtuple

from ._lib import _check, _d, lib
from ._engine import _Handle, _b, _dbl, _prefixed, _row, _time

_F_NAMES = _prefixed("EXPERIMENT_F_", ("NFIELDS",))
_D_NAMES = _prefixed("EXPERIMENT_D_", ("NFIELDS",))

Plan = namedtuple("Plan", "n_per_variant days")
ExperimentDay = namedtuple("ExperimentDay", "day_start fields")


def experiment_plan(base_rate, mde_relative, alpha=0.05, power=0.8,
                    variants=2, daily_exposures=1.0):
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

    def __init__(self, ctx):
        super().__init__(ctx)
        self._check(lib.b2b2c_experiment_new(ctypes.byref(self._h),
                                             ctx.handle))

    def set_param(self, param, value):
        self._check(lib.b2b2c_experiment_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_experiment_get_param(ctypes.byref(v),
                                                   self.handle, param))
        return v.value

    def add_variant(self, variant, planned_share=1.0):
        self._check(lib.b2b2c_experiment_add_variant(
            self.handle, _b(variant), planned_share))

    def add_day(self, variant, t, exposures, conversions, revenue=0.0,
                revenue_sumsq=0.0):
        """One day's row (t: any second of the day, Unix seconds)."""
        self._check(lib.b2b2c_experiment_add_day(
            self.handle, _b(variant), _time(t, "t"), exposures, conversions,
            revenue, revenue_sumsq))

    def report(self):
        """{variant: {is_control, exposures, ..., p_best, seq_p_value, ...}}
        in variant name order."""
        rows = self._iter(lib.b2b2c_experiment_report,
                          _d.b2b2c_experiment_variant_cb,
                          lambda v, f, n: (v.decode("utf-8", "replace"),
                                           _row(f, n, _F_NAMES)),
                          self.handle)
        return dict(rows)

    def days(self, variant):
        """[ExperimentDay(day_start, {exposures, ..., seq_p_value}), ...]
        of a variant against the control."""
        return self._iter(lib.b2b2c_experiment_list_days,
                          _d.b2b2c_experiment_day_cb,
                          lambda t, f, n: ExperimentDay(t, _row(f, n,
                                                                _D_NAMES)),
                          self.handle, _b(variant))

    def srm(self):
        """(chi2, p_value) of the exposures against the planned shares."""
        c, p = _dbl(), _dbl()
        self._check(lib.b2b2c_experiment_srm(ctypes.byref(c), ctypes.byref(p),
                                             self.handle))
        return c.value, p.value
