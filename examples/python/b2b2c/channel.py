# SPDX-License-Identifier: MIT
"""Marketing channels (b2b2c_channels)."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._lib import (CHANNEL_ATTRIBUTION_MARKOV, EnumArg, Time, _check, _d,
                   _i32, lib)
from .core import Context, _name, _value
from .forecast import _TempCtx
from ._engine import (
    _Handle, _b, _dbl, _enum, _group, _named, _prefixed, _row, _s, _sz, _time)


# ---- channels --------------------------------------------------------------

def channel_kind_name(v: int) -> str:
    """The stable name of a channel kind (ChannelKind); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_channel_kind_name, v)


def channel_sub_name(v: int) -> str:
    """The stable name of a channel sub-kind (ChannelSub); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_channel_sub_name, v)


def channel_attribution_name(v: int) -> str:
    """The stable name of an attribution model (ChannelAttribution: "first",
    "last", "linear", "decay", "position", "markov"); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_channel_attribution_name, v)


def channel_kind_from_name(s: str) -> int:
    """The channel kind of a stable name; Error(EINVAL) for an unknown name."""
    return _value(lib.b2b2c_channel_kind_from_name, s)


def channel_sub_from_name(s: str) -> int:
    """The channel sub-kind of a stable name; Error(EINVAL) for an unknown
    name."""
    return _value(lib.b2b2c_channel_sub_from_name, s)


def channel_attribution_from_name(s: str) -> int:
    """The attribution model of a stable name ("markov" ->
    CHANNEL_ATTRIBUTION_MARKOV); Error(EINVAL) for an unknown name."""
    return _value(lib.b2b2c_channel_attribution_from_name, s)


def channel_sub_kind(sub: int) -> int:
    """The channel kind (reach or lead generation) a sub-kind belongs to;
    Error(EINVAL) for an unknown sub-kind."""
    return _check(lib.b2b2c_channel_sub_kind(sub))


# ---- Markov chain over paths a host holds (since 1.1) -----------------------

def channel_markov_counts(nchannels: int, paths: Sequence[Sequence[int]],
                          converted: Sequence[Any],
                          ctx: Optional[Context] = None) -> List[int]:
    """The transition counts of paths (b2b2c_channel_markov_counts): each
    path a sequence of channel numbers (0 .. nchannels - 1) in time order,
    converted[i] true when path i ends in a conversion. A flat list of
    (nchannels + 1) * (nchannels + 3) whole numbers, row-major (row 0
    START, row c + 1 channel c; column c + 1 channel c, nchannels + 1
    CONVERSION, nchannels + 2 NULL): add the lists of several batches
    elementwise and pass the total to channel_markov_effects."""
    if len(converted) != len(paths):
        raise ValueError("converted: %d values for %d paths"
                         % (len(converted), len(paths)))
    flat = [c for p in paths for c in p]
    ncnt = (nchannels + 1) * (nchannels + 3) if nchannels > 0 else 0
    out = (ctypes.c_uint64 * max(ncnt, 1))()
    chs = (ctypes.c_uint32 * max(len(flat), 1))(*flat)
    lens = (ctypes.c_uint32 * max(len(paths), 1))(*[len(p) for p in paths])
    conv = (ctypes.c_uint32 * max(len(paths), 1))(
        *[1 if c else 0 for c in converted])
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_channel_markov_counts(
            out, ncnt, c.handle, nchannels, chs, len(flat), lens, conv,
            len(paths)))
    return list(out[:ncnt])


def channel_markov_effects(counts: Sequence[int], nchannels: int,
                           ctx: Optional[Context] = None) -> Tuple[
                               float, List[float]]:
    """(P(conversion), [removal effect of channel c, ...]) of the chain
    with these transition counts (b2b2c_channel_markov_effects): the
    numbers Channels.markov_effects reports for the same paths."""
    n = len(counts)
    cnt = (ctypes.c_uint64 * max(n, 1))(*counts)
    eff = (_dbl * max(nchannels, 1))()
    p = _dbl()
    with _TempCtx(ctx) as c:
        c.check(lib.b2b2c_channel_markov_effects(
            eff, ctypes.byref(p), c.handle, cnt, n, nchannels))
    return p.value, list(eff[:nchannels])


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
    _listing = "list"
    _free = lib.b2b2c_channels_free

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._check(lib.b2b2c_channels_new(ctypes.byref(self._h), ctx.handle))

    def set_param(self, param: int, value: float) -> None:
        """Set a CHANNELS_* parameter (ChannelsParam); Error(ERANGE) outside
        its bounds (param_bounds)."""
        self._check(lib.b2b2c_channels_set_param(self.handle, param, value))

    def get_param(self, param: int) -> float:
        """The value of a CHANNELS_* parameter (ChannelsParam)."""
        v = _dbl()
        self._check(lib.b2b2c_channels_get_param(ctypes.byref(v),
                                                 self.handle, param))
        return v.value


    def add(self, channel_id: str, kind: EnumArg, sub: EnumArg = 0,
            group: EnumArg = 0) -> None:
        """kind, sub and group: numbers or stable names."""
        self._check(lib.b2b2c_channels_add(
            self.handle, _b(channel_id),
            _enum(kind, lib.b2b2c_channel_kind_from_name, "kind"),
            _enum(sub, lib.b2b2c_channel_sub_from_name, "sub"),
            _group(group)))

    def get(self, channel_id: str) -> Tuple[int, int, int]:
        """(kind, sub, group) of a channel."""
        k, s, g = _i32(), _i32(), _i32()
        self._check(lib.b2b2c_channels_get(ctypes.byref(k), ctypes.byref(s),
                                           ctypes.byref(g), self.handle,
                                           _b(channel_id)))
        return k.value, s.value, g.value

    def count(self) -> int:
        """The number of channels."""
        v = _sz()
        self._check(lib.b2b2c_channels_count(ctypes.byref(v), self.handle))
        return v.value

    def list(self, kind: EnumArg = -1) -> List[ChannelItem]:
        """[ChannelItem(channel_id, kind, sub, group), ...] in channel ID
        order (bytewise); kind -1 = any (names accepted)."""
        kind = -1 if kind == -1 else _enum(
            kind, lib.b2b2c_channel_kind_from_name, "kind")
        return self._iter(lib.b2b2c_channels_list, _d.b2b2c_channels_list_cb,
                          lambda i, k, sb, g: ChannelItem(_s(i), k, sb, g),
                          self.handle, kind)

    def set_spend(self, channel_id: str, t: Time, spend: float,
                  impressions: float = 0.0) -> None:
        """Record the spend (and impressions) of a channel on the day holding t
        (days in the context's UTC offset); a second call for the same day
        replaces it."""
        self._check(lib.b2b2c_channels_set_spend(self.handle, _b(channel_id),
                                                 t, spend, impressions))

    def touch(self, lead_id: str, channel_id: str, t: Time) -> None:
        """Record that a lead touched a channel at t (the path attribution
        reads)."""
        self._check(lib.b2b2c_channels_touch(self.handle, _b(lead_id),
                                             _b(channel_id), t))

    def convert(self, lead_id: str, t: Time, revenue: float = 0.0) -> None:
        """Record the lead's conversion at t with its revenue; Error(EEXISTS)
        when it converted already."""
        self._check(lib.b2b2c_channels_convert(self.handle, _b(lead_id), t,
                                               revenue))

    def set_ltv(self, lead_id: str, ltv: float) -> None:
        """Set the lifetime value of a converted lead (the *_ltv metrics and
        ROI on lifetime value read it)."""
        self._check(lib.b2b2c_channels_set_ltv(self.handle, _b(lead_id), ltv))

    def merge(self, from_id: str, into_id: str) -> None:
        """Move lead from_id's touches and conversion to into_id (one
        person; the earlier conversion, both revenues) and delete from_id.
        Since 1.1."""
        self._check(lib.b2b2c_channels_merge(self.handle, _b(from_id),
                                             _b(into_id)))

    def erase(self, lead_id: str) -> None:
        """Erase a lead's touches, conversion and value, also from the
        change log (docs/privacy.md). Since 1.1."""
        self._check(lib.b2b2c_channels_erase(self.handle, _b(lead_id)))

    def remove(self, channel_id: str) -> None:
        """Remove a channel no lead touched (Error(ESTATE) otherwise), with
        its spend. Since 1.1."""
        self._check(lib.b2b2c_channels_remove(self.handle, _b(channel_id)))

    def metrics(self, by: EnumArg, model: EnumArg, from_: Time,
                to: Time) -> List[Tuple[str, Dict[str, float]]]:
        """[(key, {spend, impressions, leads, ..., romi_ltv}), ...]."""
        return self._iter(lib.b2b2c_channels_metrics, _d.b2b2c_channels_row_cb,
                          lambda k, m, n: (_s(k), _row(m, n, _CHM_NAMES)),
                          self.handle,
                          _enum(by, _named("CHANNELS_BY_"), "by"),
                          _model(model), from_, to)

    def attribute(self, model: EnumArg, from_: Time,
                  to: Time) -> List[Attribution]:
        """[Attribution(channel_id, conversions, revenue, ltv), ...]: the
        conversions in [from_, to) shared among channels by the model
        (ChannelAttribution member or name)."""
        return self._iter(lib.b2b2c_channels_attribute,
                          _d.b2b2c_channels_attribution_cb,
                          lambda c, n, r, v: Attribution(_s(c), n, r, v),
                          self.handle, _model(model), from_, to)

    def attribute_lead(self, lead_id: str, model: EnumArg,
                       from_: Optional[Time] = None,
                       to: Optional[Time] = None) -> List[Share]:
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

    def markov_effects(self, from_: Time, to: Time) -> Tuple[float,
                       List[Tuple[str, float, float]]]:
        """(P(conversion), [(channel_id, removal_effect, share), ...])."""
        p = _dbl()
        rows = self._iter(lib.b2b2c_channels_markov_effects,
                          _d.b2b2c_channels_markov_cb,
                          lambda c, re, sh: (_s(c), re, sh),
                          ctypes.byref(p), self.handle, from_, to)
        return p.value, rows

    def mix_shares(self, model: EnumArg, from_: Time,
                   to: Time) -> List[Tuple[str, Dict[str, float]]]:
        """[(group key, {reach_spend, ..., leadgen_ltv}), ...]."""
        return self._iter(lib.b2b2c_channels_mix_shares,
                          _d.b2b2c_channels_row_cb,
                          lambda k, m, n: (_s(k), _row(m, n, _MIX_NAMES)),
                          self.handle, _model(model), from_, to)

    def mix_lag(self, from_: Time, to: Time, group: EnumArg = -1) -> Dict[str,
                Any]:
        """{"slope", "corr", "pairs", "weeks": [LagWeek, ...]}."""
        slope, corr, pairs = _dbl(), _dbl(), _sz()
        g = -1 if group == -1 else _group(group)
        weeks = self._iter(lib.b2b2c_channels_mix_lag,
                           _d.b2b2c_channels_lag_cb, LagWeek,
                           ctypes.byref(slope), ctypes.byref(corr),
                           ctypes.byref(pairs), self.handle, g, from_, to)
        return {"slope": slope.value, "corr": corr.value,
                "pairs": pairs.value, "weeks": weeks}
