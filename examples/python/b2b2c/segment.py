# SPDX-License-Identifier: MIT
"""The segmenter (b2b2c_segmenter) and attribute sets (b2b2c_seg_attrs)."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import Dict, Iterable, List, Mapping, Optional, Tuple, Union

from ._lib import (
    EnumArg, Time, EINVAL, ENOTFOUND, Error, SEG_ATTR_COUNT, SEG_ATTR_ORG_KIND,
    SEG_ATTR_PARTY_TYPE, _d, _i32, _u32, lib)
from .core import _name, _value, group_name, segment_group, segment_name
from ._engine import _Handle, _b, _band, _dbl, _enum, _i64, _s, _seg, _vp


# ---- segment ---------------------------------------------------------------

def seg_attr_name(v: int) -> str:
    """The stable name of an account attribute (SegAttr); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_seg_attr_name, v)


def seg_party_type_name(v: int) -> str:
    """The stable name of a party type (SegPartyType); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_seg_party_type_name, v)


def seg_org_kind_name(v: int) -> str:
    """The stable name of an organisation kind (SegOrgKind); Error(EINVAL) for
    an unknown value."""
    return _name(lib.b2b2c_seg_org_kind_name, v)


def seg_dest_name(v: int) -> str:
    """The stable name of a routing destination (SegDest); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_seg_dest_name, v)


def seg_channel_name(v: int) -> str:
    """The stable name of a routing channel kind (SegChannel); Error(EINVAL)
    for an unknown value."""
    return _name(lib.b2b2c_seg_channel_name, v)


def seg_attr_from_name(s: str) -> int:
    """The account attribute of a stable name; Error(EINVAL) for an unknown
    name."""
    return _value(lib.b2b2c_seg_attr_from_name, s)


def seg_party_type_from_name(s: str) -> int:
    """The party type of a stable name; Error(EINVAL) for an unknown name."""
    return _value(lib.b2b2c_seg_party_type_from_name, s)


def seg_org_kind_from_name(s: str) -> int:
    """The organisation kind of a stable name; Error(EINVAL) for an unknown
    name."""
    return _value(lib.b2b2c_seg_org_kind_from_name, s)


def seg_dest_from_name(s: str) -> int:
    """The routing destination of a stable name; Error(EINVAL) for an unknown
    name."""
    return _value(lib.b2b2c_seg_dest_from_name, s)


def seg_channel_from_name(s: str) -> int:
    """The routing channel kind of a stable name; Error(EINVAL) for an unknown
    name."""
    return _value(lib.b2b2c_seg_channel_from_name, s)


def _attr(a):
    return _enum(a, lib.b2b2c_seg_attr_from_name, "attr")


def _mask_names(mask):
    return [seg_attr_name(a) for a in range(1, SEG_ATTR_COUNT + 1)
            if mask & (1 << (a - 1))]


class Attrs(_Handle):
    """b2b2c_segment_attrs: an account's attributes, any of them missing.

        a = Attrs(ctx, party_type="organisation", org_kind="workshop",
                  employees=8)

    Attributes are named (seg_attr names) or numbered (SEG_ATTR_*); party
    types and organisation kinds may be given by name. Python ints go
    through b2b2c_segment_attrs_set_int, floats through set_double."""

    _kind = "Attrs"
    _free = lib.b2b2c_segment_attrs_free

    def __init__(self, ctx: Context, **values: Union[int, float, str]) -> None:
        super().__init__(ctx)
        self._check(lib.b2b2c_segment_attrs_new(ctypes.byref(self._h), ctx.handle))
        for k, v in values.items():
            self.set(k, v)

    def set(self, attr: EnumArg, value: Union[int, float, str]) -> Attrs:
        """Set an attribute (SegAttr member or name); party type and
        organisation kind also by name. Returns self, so calls chain."""
        a = _attr(attr)
        if isinstance(value, str):
            fn = {SEG_ATTR_PARTY_TYPE: lib.b2b2c_seg_party_type_from_name,
                  SEG_ATTR_ORG_KIND: lib.b2b2c_seg_org_kind_from_name}.get(a)
            if fn is None:
                raise Error(EINVAL, "%s: a number is needed"
                            % seg_attr_name(a))
            value = _enum(value, fn, seg_attr_name(a))
        if isinstance(value, bool) or isinstance(value, int):
            self._check(lib.b2b2c_segment_attrs_set_int(self.handle, a, int(value)))
        else:
            self._check(lib.b2b2c_segment_attrs_set_double(self.handle, a,
                                                   float(value)))
        return self

    def get(self, attr: EnumArg) -> Optional[float]:
        """The value (float), or None when missing."""
        v = _dbl()
        rc = lib.b2b2c_segment_attrs_get(ctypes.byref(v), self.handle, _attr(attr))
        if rc == ENOTFOUND:
            return None
        self._check(rc)
        return v.value

    def clear(self, attr: EnumArg) -> None:
        """Mark one attribute missing again."""
        self._check(lib.b2b2c_segment_attrs_clear(self.handle, _attr(attr)))

    def reset(self) -> None:
        """Mark every attribute missing (the set can be reused for another
        account)."""
        self._check(lib.b2b2c_segment_attrs_reset(self.handle))

    def present(self) -> List[str]:
        """Names of the attributes present."""
        return _mask_names(lib.b2b2c_segment_attrs_present(self.handle))

    def to_dict(self) -> Dict[str, Optional[float]]:
        """{attribute name: value} of the attributes present."""
        return {n: self.get(n) for n in self.present()}


# The type hints' names: attribute values by name or number, and what
# classify / assign take (an Attrs or such a mapping).
AttrValues = Mapping[Union[str, int], Union[int, float, str]]
AttrsLike = Union[Attrs, AttrValues]

Classification = namedtuple(
    "Classification", "segment name group confidence rule reason missing")
SegmentChange = namedtuple(
    "SegmentChange",
    "account_id time from_segment to_segment version rule confidence")
Rule = namedtuple("Rule", "rule_id priority segment expr is_default")
AccountItem = namedtuple("AccountItem", "account_id segment since version")


class Segmenter(_Handle):
    """b2b2c_segmenter: classifies accounts into the five sub-segments,
    records assignments and migrations, recommends routing."""

    _kind = "Segmenter"
    _listing = "list_accounts"
    _free = lib.b2b2c_segmenter_free

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._check(lib.b2b2c_segmenter_new(ctypes.byref(self._h),
                                            ctx.handle))

    def set_param(self, param: int, value: float) -> None:
        """Set a SEG_* parameter (SegParam: thresholds of the built-in rules);
        Error(ERANGE) outside its bounds (param_bounds)."""
        self._check(lib.b2b2c_segmenter_set_param(self.handle, param, value))

    def get_param(self, param: int) -> float:
        """The value of a SEG_* parameter (SegParam)."""
        v = _dbl()
        self._check(lib.b2b2c_segmenter_get_param(ctypes.byref(v),
                                                  self.handle, param))
        return v.value


    @property
    def version(self) -> int:
        """The rule-set version: it grows with every rule or parameter change
        (assignments record the version that made them)."""
        v = _i64()
        self._check(lib.b2b2c_segmenter_version(ctypes.byref(v), self.handle))
        return v.value

    def rule_add(self, rule_id: str, priority: int, segment: EnumArg,
                 expr: str) -> None:
        """Add a host rule: accounts matching expr (the rule language of
        docs/segment.md) go to segment; lower priority numbers are tried
        first. Error(EINVAL) with the position of a syntax error,
        Error(EEXISTS) for an ID taken."""
        self._check(lib.b2b2c_segmenter_rule_add(
            self.handle, _b(rule_id), priority, _seg(segment), _b(expr)))

    def rule_remove(self, rule_id: str) -> None:
        """Remove a host rule; Error(ENOTFOUND) for an unknown ID."""
        self._check(lib.b2b2c_segmenter_rule_remove(self.handle, _b(rule_id)))

    def erase(self, account_id: str) -> None:
        """Erase an account's assignment history, also from the change log
        (docs/privacy.md). Since 1.1."""
        self._check(lib.b2b2c_segmenter_erase(self.handle, _b(account_id)))

    def rules(self) -> List[Rule]:
        """Every rule in evaluation order, as Rule tuples."""
        return self._iter(
            lib.b2b2c_segmenter_rules, _d.b2b2c_seg_rule_cb,
            lambda r, p, seg, e, d: Rule(_s(r), p, seg, _s(e), bool(d)),
            self.handle)

    def _attrs(self, attrs):
        if isinstance(attrs, Attrs):
            return attrs, None
        tmp = Attrs(self._ctx, **dict(attrs))
        return tmp, tmp

    def classify(self,
                 attrs: AttrsLike) -> Classification:
        """Classify an Attrs (or a dict of attribute values); returns a
        Classification with the deciding rule, reason and the names of the
        missing attributes that would settle it."""
        a, tmp = self._attrs(attrs)
        try:
            seg, conf = _i32(), _dbl()
            self._check(lib.b2b2c_segmenter_classify(
                ctypes.byref(seg), ctypes.byref(conf), self.handle, a.handle))
        finally:
            if tmp is not None:
                tmp.close()
        h = self.handle
        return Classification(
            seg.value, segment_name(seg.value),
            group_name(segment_group(seg.value)), conf.value,
            _s(lib.b2b2c_segmenter_last_rule(h)),
            _s(lib.b2b2c_segmenter_last_reason(h)),
            _mask_names(lib.b2b2c_segmenter_last_missing(h)))

    def classify_batch(self,
                       rows: List[AttrValues]) -> List[Tuple[int, float]]:
        """Classify many accounts given as dicts {attribute: value} (numbers;
        kinds and party types as numbers or names) through the bulk path.
        Returns a list of (segment, confidence)."""
        n = len(rows)
        values = (_dbl * max(n * SEG_ATTR_COUNT, 1))()
        present = (_u32 * max(n, 1))()
        for i, row in enumerate(rows):
            for k, v in row.items():
                a = _attr(k)
                if isinstance(v, str):
                    v = {SEG_ATTR_PARTY_TYPE: seg_party_type_from_name,
                         SEG_ATTR_ORG_KIND: seg_org_kind_from_name}[a](v)
                values[i * SEG_ATTR_COUNT + a - 1] = float(v)
                present[i] |= 1 << (a - 1)
        segs, confs = (_i32 * max(n, 1))(), (_dbl * max(n, 1))()
        self._check(lib.b2b2c_segmenter_classify_batch(
            segs, confs, self.handle, n, values, present))
        return [(segs[i], confs[i]) for i in range(n)]

    def classify_sets(self, sets: List[Attrs]) -> List[Tuple[int, float]]:
        """Classify a list of Attrs; a list of (segment, confidence)."""
        n = len(sets)
        arr = (_vp * max(n, 1))(*[a.handle for a in sets])
        segs, confs = (_i32 * max(n, 1))(), (_dbl * max(n, 1))()
        self._check(lib.b2b2c_segmenter_classify_sets(
            segs, confs, self.handle, n, arr))
        return [(segs[i], confs[i]) for i in range(n)]

    def assign(self, account_id: str,
               attrs: AttrsLike,
               now: Time) -> int:
        """Classify the account and record the assignment at now (a migration
        when the segment changed); returns the segment."""
        a, tmp = self._attrs(attrs)
        try:
            seg = _i32()
            self._check(lib.b2b2c_segmenter_assign(
                ctypes.byref(seg), self.handle, _b(account_id), a.handle,
                now))
        finally:
            if tmp is not None:
                tmp.close()
        return seg.value

    def assign_segment(self, account_id: str, segment: EnumArg,
                       now: Time) -> None:
        """Assign the account to a segment by hand (no rule) at now."""
        self._check(lib.b2b2c_segmenter_assign_segment(
            self.handle, _b(account_id), _seg(segment), now))

    def assignment(self, account_id: str) -> Tuple[int, int, int]:
        """(segment, since, rule-set version) of an account."""
        seg, since, ver = _i32(), _i64(), _i64()
        self._check(lib.b2b2c_segmenter_assignment(
            ctypes.byref(seg), ctypes.byref(since), ctypes.byref(ver),
            self.handle, _b(account_id)))
        return seg.value, since.value, ver.value

    def list_accounts(self, segment: EnumArg = -1) -> List[AccountItem]:
        """[AccountItem(account_id, segment, since, version), ...] of the
        current assignments, in account ID order (bytewise); segment -1 =
        any (names accepted)."""
        segment = -1 if segment == -1 else _seg(segment)
        return self._iter(lib.b2b2c_segmenter_list_accounts,
                          _d.b2b2c_seg_account_cb,
                          lambda i, *f: AccountItem(_s(i), *f),
                          self.handle, segment)

    @staticmethod
    def _change(acc, t, f, to, ver, rule, conf):
        return SegmentChange(_s(acc), t, f, to, ver, _s(rule), conf)

    def history(self, account_id: str) -> List[SegmentChange]:
        """[SegmentChange(account_id, time, from_segment, to_segment, version,
        rule, confidence), ...]: the account's assignments, oldest first."""
        return self._iter(lib.b2b2c_segmenter_history, _d.b2b2c_seg_change_cb,
                          self._change, self.handle, _b(account_id))

    def migrations(self, since: Time) -> List[SegmentChange]:
        """The segment changes of every account at or after since, oldest first
        (SegmentChange tuples)."""
        return self._iter(lib.b2b2c_segmenter_migrations,
                          _d.b2b2c_seg_change_cb,
                          self._change, self.handle, since)

    def route(self, segment: EnumArg, band: EnumArg) -> Tuple[int, int]:
        """(destination, channel kind) for a lead of segment in band."""
        d, k = _i32(), _i32()
        self._check(lib.b2b2c_segmenter_route(
            ctypes.byref(d), ctypes.byref(k), self.handle, _seg(segment),
            _band(band)))
        return d.value, k.value

    def route_set(self, segment: EnumArg, band: EnumArg, dest: EnumArg,
                  channel_kind: EnumArg) -> None:
        """Override where a lead of segment in band goes: dest (SegDest) and
        channel kind (SegChannel), members or names."""
        self._check(lib.b2b2c_segmenter_route_set(
            self.handle, _seg(segment), _band(band),
            _enum(dest, lib.b2b2c_seg_dest_from_name, "dest"),
            _enum(channel_kind, lib.b2b2c_seg_channel_from_name,
                  "channel_kind")))

    def route_reset(self, segment: EnumArg, band: EnumArg) -> None:
        """Back to the built-in routing for segment and band."""
        self._check(lib.b2b2c_segmenter_route_reset(
            self.handle, _seg(segment), _band(band)))


SegmentClassifier = Segmenter
