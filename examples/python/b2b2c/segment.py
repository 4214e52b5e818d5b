# SPDX-License-Identifier: MIT
"""The segmenter (b2b2c_segmenter) and attribute sets (b2b2c_seg_attrs)."""

import ctypes
from collections import namedtuple

from ._lib import (
    EINVAL, ENOTFOUND, Error, SEG_ATTR_COUNT, SEG_ATTR_ORG_KIND,
    SEG_ATTR_PARTY_TYPE, _d, _i32, _u32, lib)
from .core import _name, _value, group_name, segment_group, segment_name
from ._engine import _Handle, _b, _band, _dbl, _enum, _i64, _s, _seg, _vp


# ---- segment ---------------------------------------------------------------

def _names(fn):
    def name(v):
        return _name(fn, v)
    return name


seg_attr_name = _names(lib.b2b2c_seg_attr_name)
seg_party_type_name = _names(lib.b2b2c_seg_party_type_name)
seg_org_kind_name = _names(lib.b2b2c_seg_org_kind_name)
seg_dest_name = _names(lib.b2b2c_seg_dest_name)
seg_channel_name = _names(lib.b2b2c_seg_channel_name)
def seg_attr_from_name(s): return _value(lib.b2b2c_seg_attr_from_name, s)
def seg_party_type_from_name(s): return _value(lib.b2b2c_seg_party_type_from_name, s)
def seg_org_kind_from_name(s): return _value(lib.b2b2c_seg_org_kind_from_name, s)
def seg_dest_from_name(s): return _value(lib.b2b2c_seg_dest_from_name, s)
def seg_channel_from_name(s):
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

    def __init__(self, ctx, **values):
        super().__init__(ctx)
        self._check(lib.b2b2c_segment_attrs_new(ctypes.byref(self._h), ctx.handle))
        for k, v in values.items():
            self.set(k, v)

    def set(self, attr, value):
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

    def get(self, attr):
        """The value (float), or None when missing."""
        v = _dbl()
        rc = lib.b2b2c_segment_attrs_get(ctypes.byref(v), self.handle, _attr(attr))
        if rc == ENOTFOUND:
            return None
        self._check(rc)
        return v.value

    def clear(self, attr):
        self._check(lib.b2b2c_segment_attrs_clear(self.handle, _attr(attr)))

    def reset(self):
        self._check(lib.b2b2c_segment_attrs_reset(self.handle))

    def present(self):
        """Names of the attributes present."""
        return _mask_names(lib.b2b2c_segment_attrs_present(self.handle))

    def to_dict(self):
        return {n: self.get(n) for n in self.present()}


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
    _free = lib.b2b2c_segmenter_free

    def __init__(self, ctx):
        super().__init__(ctx)
        self._check(lib.b2b2c_segmenter_new(ctypes.byref(self._h),
                                            ctx.handle))

    def set_param(self, param, value):
        self._check(lib.b2b2c_segmenter_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_segmenter_get_param(ctypes.byref(v),
                                                  self.handle, param))
        return v.value


    @property
    def version(self):
        v = _i64()
        self._check(lib.b2b2c_segmenter_version(ctypes.byref(v), self.handle))
        return v.value

    def rule_add(self, rule_id, priority, segment, expr):
        self._check(lib.b2b2c_segmenter_rule_add(
            self.handle, _b(rule_id), priority, _seg(segment), _b(expr)))

    def rule_remove(self, rule_id):
        self._check(lib.b2b2c_segmenter_rule_remove(self.handle, _b(rule_id)))

    def erase(self, account_id):
        """Erase an account's assignment history, also from the change log
        (docs/privacy.md). Since 1.1."""
        self._check(lib.b2b2c_segmenter_erase(self.handle, _b(account_id)))

    def rules(self):
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

    def classify(self, attrs):
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

    def classify_batch(self, rows):
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

    def classify_sets(self, sets):
        """Classify a list of Attrs; a list of (segment, confidence)."""
        n = len(sets)
        arr = (_vp * max(n, 1))(*[a.handle for a in sets])
        segs, confs = (_i32 * max(n, 1))(), (_dbl * max(n, 1))()
        self._check(lib.b2b2c_segmenter_classify_sets(
            segs, confs, self.handle, n, arr))
        return [(segs[i], confs[i]) for i in range(n)]

    def assign(self, account_id, attrs, now):
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

    def assign_segment(self, account_id, segment, now):
        self._check(lib.b2b2c_segmenter_assign_segment(
            self.handle, _b(account_id), _seg(segment), now))

    def assignment(self, account_id):
        """(segment, since, rule-set version) of an account."""
        seg, since, ver = _i32(), _i64(), _i64()
        self._check(lib.b2b2c_segmenter_assignment(
            ctypes.byref(seg), ctypes.byref(since), ctypes.byref(ver),
            self.handle, _b(account_id)))
        return seg.value, since.value, ver.value

    def list_accounts(self, segment=-1):
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

    def history(self, account_id):
        return self._iter(lib.b2b2c_segmenter_history, _d.b2b2c_seg_change_cb,
                          self._change, self.handle, _b(account_id))

    def migrations(self, since):
        return self._iter(lib.b2b2c_segmenter_migrations,
                          _d.b2b2c_seg_change_cb,
                          self._change, self.handle, since)

    def route(self, segment, band):
        """(destination, channel kind) for a lead of segment in band."""
        d, k = _i32(), _i32()
        self._check(lib.b2b2c_segmenter_route(
            ctypes.byref(d), ctypes.byref(k), self.handle, _seg(segment),
            _band(band)))
        return d.value, k.value

    def route_set(self, segment, band, dest, channel_kind):
        self._check(lib.b2b2c_segmenter_route_set(
            self.handle, _seg(segment), _band(band),
            _enum(dest, lib.b2b2c_seg_dest_from_name, "dest"),
            _enum(channel_kind, lib.b2b2c_seg_channel_from_name,
                  "channel_kind")))

    def route_reset(self, segment, band):
        self._check(lib.b2b2c_segmenter_route_reset(
            self.handle, _seg(segment), _band(band)))


SegmentClassifier = Segmenter
