# SPDX-License-Identifier: MIT
"""Marketing channels (b2b2c_channels)."""

import ctypes
from collections import namedtuple

from ._lib import CHANNEL_ATTRIBUTION_MARKOV, _check, _d, _i32, lib
from .core import _name, _value
from ._engine import (
    _Handle, _b, _dbl, _enum, _group, _named, _prefixed, _row, _s, _sz, _time)


# ---- channels --------------------------------------------------------------

def channel_kind_name(v): return _name(lib.b2b2c_channel_kind_name, v)
def channel_sub_name(v): return _name(lib.b2b2c_channel_sub_name, v)
def channel_attribution_name(v): return _name(lib.b2b2c_channel_attribution_name, v)
def channel_kind_from_name(s):
    return _value(lib.b2b2c_channel_kind_from_name, s)
def channel_sub_from_name(s): return _value(lib.b2b2c_channel_sub_from_name, s)
def channel_attribution_from_name(s): return _value(lib.b2b2c_channel_attribution_from_name, s)
def channel_sub_kind(sub): return _check(lib.b2b2c_channel_sub_kind(sub))


_CHM_NAMES = _prefixed("CHM_", ("COUNT",))
_MIX_NAMES = _prefixed("MIX_", ("COUNT",))

Attribution = namedtuple("Attribution", "channel_id conversions revenue ltv")
Share = namedtuple("Share", "channel_id t share")
ChannelItem = namedtuple("ChannelItem", "channel_id kind sub group")
LagWeek = namedtuple("LagWeek", "week_start reach_spend leadgen_spend leads "
                                "cpl")


def _model(m):
    return _enum(m, lib.b2b2c_channel_attribution_from_name, "model")


class Channels(_Handle):
    """b2b2c_channels: channels, spend, touches, conversions, metrics,
    multi-touch attribution and the media-mix report. Metric and mix rows
    come back as (key, dict keyed by CHM_* / MIX_* names lowercased)."""

    _kind = "Channels"
    _free = lib.b2b2c_channels_free

    def __init__(self, ctx):
        super().__init__(ctx)
        self._check(lib.b2b2c_channels_new(ctypes.byref(self._h), ctx.handle))

    def set_param(self, param, value):
        self._check(lib.b2b2c_channels_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_channels_get_param(ctypes.byref(v),
                                                 self.handle, param))
        return v.value


    def add(self, channel_id, kind, sub=0, group=0):
        """kind, sub and group: numbers or stable names."""
        self._check(lib.b2b2c_channels_add(
            self.handle, _b(channel_id),
            _enum(kind, lib.b2b2c_channel_kind_from_name, "kind"),
            _enum(sub, lib.b2b2c_channel_sub_from_name, "sub"),
            _group(group)))

    def get(self, channel_id):
        """(kind, sub, group) of a channel."""
        k, s, g = _i32(), _i32(), _i32()
        self._check(lib.b2b2c_channels_get(ctypes.byref(k), ctypes.byref(s),
                                           ctypes.byref(g), self.handle,
                                           _b(channel_id)))
        return k.value, s.value, g.value

    def count(self):
        v = _sz()
        self._check(lib.b2b2c_channels_count(ctypes.byref(v), self.handle))
        return v.value

    def list(self, kind=-1):
        """[ChannelItem(channel_id, kind, sub, group), ...] in channel ID
        order (bytewise); kind -1 = any (names accepted)."""
        kind = -1 if kind == -1 else _enum(
            kind, lib.b2b2c_channel_kind_from_name, "kind")
        return self._iter(lib.b2b2c_channels_list, _d.b2b2c_channels_list_cb,
                          lambda i, k, sb, g: ChannelItem(_s(i), k, sb, g),
                          self.handle, kind)

    def set_spend(self, channel_id, t, spend, impressions=0.0):
        self._check(lib.b2b2c_channels_set_spend(self.handle, _b(channel_id),
                                                 t, spend, impressions))

    def touch(self, lead_id, channel_id, t):
        self._check(lib.b2b2c_channels_touch(self.handle, _b(lead_id),
                                             _b(channel_id), t))

    def convert(self, lead_id, t, revenue=0.0):
        self._check(lib.b2b2c_channels_convert(self.handle, _b(lead_id), t,
                                               revenue))

    def set_ltv(self, lead_id, ltv):
        self._check(lib.b2b2c_channels_set_ltv(self.handle, _b(lead_id), ltv))

    def erase(self, lead_id):
        """Erase a lead's touches, conversion and value, also from the
        change log (docs/privacy.md). Since 1.1."""
        self._check(lib.b2b2c_channels_erase(self.handle, _b(lead_id)))

    def metrics(self, by, model, from_, to):
        """[(key, {spend, impressions, leads, ..., romi_ltv}), ...]."""
        return self._iter(lib.b2b2c_channels_metrics, _d.b2b2c_channels_row_cb,
                          lambda k, m, n: (_s(k), _row(m, n, _CHM_NAMES)),
                          self.handle,
                          _enum(by, _named("CHANNELS_BY_"), "by"),
                          _model(model), from_, to)

    def attribute(self, model, from_, to):
        return self._iter(lib.b2b2c_channels_attribute,
                          _d.b2b2c_channels_attribution_cb,
                          lambda c, n, r, v: Attribution(_s(c), n, r, v),
                          self.handle, _model(model), from_, to)

    def attribute_lead(self, lead_id, model, from_=None, to=None):
        """[Share(channel_id, t, share), ...] of one converted lead. from_
        and to (Unix seconds) are required for the Markov model (its
        removal effects come from the paths ending in [from_, to)); the
        other models ignore them."""
        model = _model(model)
        if model == CHANNEL_ATTRIBUTION_MARKOV:
            from_, to = _time(from_, "from_"), _time(to, "to")
        else:
            from_, to = from_ or 0, to or 0
        return self._iter(lib.b2b2c_channels_attribute_lead,
                          _d.b2b2c_channels_share_cb,
                          lambda c, t, s: Share(_s(c), t, s),
                          self.handle, _b(lead_id), _model(model), from_, to)

    def markov_effects(self, from_, to):
        """(P(conversion), [(channel_id, removal_effect, share), ...])."""
        p = _dbl()
        rows = self._iter(lib.b2b2c_channels_markov_effects,
                          _d.b2b2c_channels_markov_cb,
                          lambda c, re, sh: (_s(c), re, sh),
                          ctypes.byref(p), self.handle, from_, to)
        return p.value, rows

    def mix_shares(self, model, from_, to):
        """[(group key, {reach_spend, ..., leadgen_ltv}), ...]."""
        return self._iter(lib.b2b2c_channels_mix_shares,
                          _d.b2b2c_channels_row_cb,
                          lambda k, m, n: (_s(k), _row(m, n, _MIX_NAMES)),
                          self.handle, _model(model), from_, to)

    def mix_lag(self, from_, to, group=-1):
        """{"slope", "corr", "pairs", "weeks": [LagWeek, ...]}."""
        slope, corr, pairs = _dbl(), _dbl(), _sz()
        g = -1 if group == -1 else _group(group)
        weeks = self._iter(lib.b2b2c_channels_mix_lag,
                           _d.b2b2c_channels_lag_cb, LagWeek,
                           ctypes.byref(slope), ctypes.byref(corr),
                           ctypes.byref(pairs), self.handle, g, from_, to)
        return {"slope": slope.value, "corr": corr.value,
                "pairs": pairs.value, "weeks": weeks}
