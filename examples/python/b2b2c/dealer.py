# SPDX-License-Identifier: MIT
"""The dealer engine (b2b2c_dealer_engine)."""

import ctypes
from collections import namedtuple

from ._lib import (
    DEALER_ACTIVE, DEALER_OFFBOARDED, DEALER_PAUSED,
    DEALER_STAT_DECLINE_REASON0, DEALER_STAT_NFIELDS, Error, _d, _i32, _str,
    lib)
from .core import _name
from ._engine import (
    _Handle, _Trampoline, _b, _band, _dbl, _enum, _prefixed, _row, _s, _seg,
    _sz, _time, _won)


# ---- dealer ----------------------------------------------------------------

_DEALER_STATUS = {"active": DEALER_ACTIVE, "paused": DEALER_PAUSED,
                  "offboarded": DEALER_OFFBOARDED}


def dealer_policy_name(v): return _name(lib.b2b2c_dealer_policy_name, v)
def dealer_reason_name(v): return _name(lib.b2b2c_dealer_reason_name, v)


_AUDIT_NAMES = _prefixed("DEALER_AUDIT_", ("NFIELDS",))
_STAT_NAMES = _prefixed("DEALER_STAT_", ("NFIELDS",))
_STAT_NAMES.update({DEALER_STAT_DECLINE_REASON0 + i:
                    "decline_reason%d" % i for i in range(8)})
_SC_NAMES = _prefixed("DEALER_SC_", ("NFIELDS",))

Reroute = namedtuple("Reroute", "lead_id from_dealer to_dealer reason")
AuditRecord = namedtuple("AuditRecord", "lead_id dealer_id fields")
DealerItem = namedtuple("DealerItem", "dealer_id status paused_until "
                        "tier_weight capacity open_offers")
OwnerItem = namedtuple("OwnerItem", "customer_key product_line dealer_id "
                       "since until")


def _key(k):
    """A customer key: bytes as they are (str is refused: a key is the
    host's hash, not text to encode)."""
    if not isinstance(k, (bytes, bytearray)):
        raise TypeError("customer_key must be bytes, not %s"
                        % type(k).__name__)
    return bytes(k)


class DealerEngine(_Handle):
    """b2b2c_dealer_engine: dealers, routing of consumer leads, accept /
    decline / expire, outcomes, audit trail and scorecards. Audit, stats
    and scorecard rows come back as dicts keyed by the DEALER_AUDIT_*,
    DEALER_STAT_*, DEALER_SC_* names (lowercased, prefix dropped)."""

    _kind = "DealerEngine"
    _free = lib.b2b2c_dealer_free

    def __init__(self, ctx):
        super().__init__(ctx)
        self._check(lib.b2b2c_dealer_new(ctypes.byref(self._h), ctx.handle))

    def seed(self, seed):
        self._check(lib.b2b2c_dealer_seed(self.handle, seed))

    def set_param(self, param, value):
        self._check(lib.b2b2c_dealer_set_param(self.handle, param, value))

    def get_param(self, param):
        v = _dbl()
        self._check(lib.b2b2c_dealer_get_param(ctypes.byref(v), self.handle,
                                               param))
        return v.value


    def put(self, dealer_id, tier_weight=1.0, territories=(),
            product_lines=(), capacity=100, daily_quota=0,
            deadline_hours=48.0):
        """Create or update a dealer; territories and product lines are
        lists of codes (or ';'-joined strings)."""
        def join(v):
            return v if isinstance(v, str) else ";".join(v)
        self._check(lib.b2b2c_dealer_put(
            self.handle, _b(dealer_id), tier_weight, _b(join(territories)),
            _b(join(product_lines)), capacity, daily_quota, deadline_hours))

    def set_location(self, dealer_id, lat, lon, radius_km):
        self._check(lib.b2b2c_dealer_set_location(self.handle, _b(dealer_id),
                                                  lat, lon, radius_km))

    def set_status(self, dealer_id, status, paused_until=None):
        """status: DEALER_ACTIVE/_PAUSED/_OFFBOARDED or "active", "paused",
        "offboarded". paused_until (Unix seconds) is required with paused
        (a pause until 1970 would be no pause) and ignored otherwise."""
        status = _enum(status, _DEALER_STATUS, "status")
        if status == DEALER_PAUSED:
            paused_until = _time(paused_until, "paused_until")
        elif paused_until is None:
            paused_until = 0
        self._check(lib.b2b2c_dealer_set_status(self.handle, _b(dealer_id),
                                                status, paused_until))

    def count(self):
        v = _sz()
        self._check(lib.b2b2c_dealer_count(ctypes.byref(v), self.handle))
        return v.value

    def list(self, status=-1):
        """[DealerItem(dealer_id, status, paused_until, tier_weight,
        capacity, open_offers), ...] in dealer ID order (bytewise); status
        -1 = any (names accepted)."""
        status = -1 if status == -1 else _enum(status, _DEALER_STATUS,
                                               "status")
        return self._iter(lib.b2b2c_dealer_list, _d.b2b2c_dealer_list_cb,
                          lambda i, *f: DealerItem(_s(i), *f),
                          self.handle, status)

    def stats(self, dealer_id):
        n = DEALER_STAT_NFIELDS
        out = (_dbl * n)()
        self._check(lib.b2b2c_dealer_stats(out, n, self.handle,
                                           _b(dealer_id)))
        return _row(out, n, _STAT_NAMES)

    def route(self, lead_id, region, product_line=None, segment=0, band=0,
              now=None, location=None):
        """Offer a lead to a dealer: (dealer_id or None for the direct
        fallback, reason). With nobody eligible raises Error(ENODEALER)
        whose .reason says why. location: (lat, lon) or None. now (Unix
        seconds) is required: the binding does not read the clock."""
        now = _time(now, "now")
        d, r = _str(), _i32()
        lat, lon = location if location is not None else (0.0, 0.0)
        rc = lib.b2b2c_dealer_route(
            ctypes.byref(d), ctypes.byref(r), self.handle, _b(lead_id),
            _b(region), 0 if location is None else 1, lat, lon,
            _b(product_line), _seg(segment), _band(band), now)
        self._raise_with_reason(rc, r)
        return _s(d.value), r.value

    def route_customer(self, lead_id, customer_key, region,
                       product_line=None, segment=0, band=0, now=None,
                       location=None):
        """As route, for the customer customer_key (bytes, 1..64, computed
        by the host: a hash, never personal data): the customer's dealer of
        record gets the lead while eligible (reason DEALER_REASON_OWNER)."""
        now = _time(now, "now")
        k = _key(customer_key)
        d, r = _str(), _i32()
        lat, lon = location if location is not None else (0.0, 0.0)
        rc = lib.b2b2c_dealer_route_customer(
            ctypes.byref(d), ctypes.byref(r), self.handle, _b(lead_id), k,
            len(k), _b(region), 0 if location is None else 1, lat, lon,
            _b(product_line), _seg(segment), _band(band), now)
        self._raise_with_reason(rc, r)
        return _s(d.value), r.value

    def owner_win(self, lead_id, customer_key):
        """The won lead was customer_key's: its dealer becomes the
        customer's owner for the lead's product line."""
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_owner_win(self.handle, _b(lead_id), k,
                                               len(k)))

    def owner(self, customer_key, product_line=None, now=None):
        """(dealer_id, since, until) of the customer's owner at now;
        Error(ENOTFOUND) when there is none."""
        now = _time(now, "now")
        k = _key(customer_key)
        d, since, until = _str(), ctypes.c_int64(), ctypes.c_int64()
        self._check(lib.b2b2c_dealer_owner(
            ctypes.byref(d), ctypes.byref(since), ctypes.byref(until),
            self.handle, k, len(k), _b(product_line), now))
        return _s(d.value), since.value, until.value

    def owner_transfer(self, customer_key, to_dealer, product_line=None,
                       now=None):
        now = _time(now, "now")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_owner_transfer(
            self.handle, k, len(k), _b(product_line), _b(to_dealer), now))

    def owner_release(self, customer_key, product_line=None, now=None):
        now = _time(now, "now")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_owner_release(
            self.handle, k, len(k), _b(product_line), now))

    def owner_assign(self, customer_key, dealer_id, since, product_line=None,
                     now=None):
        """Import an ownership from the host's history: dealer_id owns the
        customer from since for OWNER_DAYS (the latest win holds)."""
        now = _time(now, "now")
        since = _time(since, "since")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_owner_assign(
            self.handle, k, len(k), _b(product_line), _b(dealer_id), since,
            now))

    def list_owners(self, now=None):
        """[OwnerItem(customer_key (bytes), product_line, dealer_id, since,
        until), ...]: every ownership live at now, shorter keys first, then
        bytewise, then product line."""
        now = _time(now, "now")
        return self._iter(
            lib.b2b2c_dealer_list_owners, _d.b2b2c_dealer_owners_cb,
            lambda k, n, p, d, s, u: OwnerItem(ctypes.string_at(k, n), _s(p),
                                               _s(d), s, u),
            self.handle, now)

    def _raise_with_reason(self, rc, r):
        try:
            self._check(rc)
        except Error as e:
            e.reason = r.value
            raise

    def accept(self, lead_id, dealer_id, now):
        self._check(lib.b2b2c_dealer_accept(self.handle, _b(lead_id),
                                            _b(dealer_id), now))

    def decline(self, lead_id, dealer_id, reason, now):
        """The dealer declines; (next dealer or None, reason)."""
        d, r = _str(), _i32()
        rc = lib.b2b2c_dealer_decline(ctypes.byref(d), ctypes.byref(r),
                                      self.handle, _b(lead_id),
                                      _b(dealer_id), reason, now)
        self._raise_with_reason(rc, r)
        return _s(d.value), r.value

    def expire(self, now, callback=None):
        """Expire overdue offers and re-route them; returns the Reroute
        reports (and calls callback(report) for each, if given; an
        exception from it stops the reports and is re-raised here, the
        re-routings being committed already)."""
        out = []

        def each(lead, frm, to, reason):
            rep = Reroute(_s(lead), _s(frm), _s(to), reason)
            out.append(rep)
            if callback is not None:
                callback(rep)
        n = _sz()
        t = _Trampoline(_d.b2b2c_dealer_reroute_cb, each)
        rc = lib.b2b2c_dealer_expire(ctypes.byref(n), self.handle, now, t.c,
                                     None)
        t.rethrow()
        self._check(rc)
        return out

    def recall(self, lead_id, now):
        self._check(lib.b2b2c_dealer_recall(self.handle, _b(lead_id), now))

    def outcome(self, lead_id, won, revenue=0.0, now=None):
        """won: True or "won", False or "lost" (numbers are refused); now
        (Unix seconds) is required: the binding does not read the clock."""
        won, now = _won(won), _time(now, "now")
        self._check(lib.b2b2c_dealer_outcome(self.handle, _b(lead_id),
                                             won, revenue, now))

    def lead_state(self, lead_id):
        """(DEALER_LEAD_* state, current or last dealer or None)."""
        st, d = _i32(), _str()
        self._check(lib.b2b2c_dealer_lead_state(
            ctypes.byref(st), ctypes.byref(d), self.handle, _b(lead_id)))
        return st.value, _s(d.value)

    @staticmethod
    def _audit(lead, dealer, fields, n):
        return AuditRecord(_s(lead), _s(dealer), _row(fields, n,
                                                      _AUDIT_NAMES))

    def audit_lead(self, lead_id):
        return self._iter(lib.b2b2c_dealer_audit_lead,
                          _d.b2b2c_dealer_audit_cb,
                          self._audit, self.handle, _b(lead_id))

    def audit_dealer(self, dealer_id):
        return self._iter(lib.b2b2c_dealer_audit_dealer,
                          _d.b2b2c_dealer_audit_cb,
                          self._audit, self.handle, _b(dealer_id))

    def scorecards(self, from_, to):
        """[(dealer_id, {offered, accepted, ..., rank}), ...] rank order."""
        return self._iter(lib.b2b2c_dealer_scorecards,
                          _d.b2b2c_dealer_scorecard_cb,
                          lambda d, f, n: (_s(d), _row(f, n, _SC_NAMES)),
                          self.handle, from_, to)
