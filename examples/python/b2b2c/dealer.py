# SPDX-License-Identifier: MIT
"""The dealer engine (b2b2c_dealer_engine)."""

from __future__ import annotations

import ctypes
from collections import namedtuple
from typing import (Callable, Dict, Iterable, List, Optional, Tuple,
                    Union)

from ._lib import (
    EnumArg, Time, DEALER_ACTIVE, DEALER_NSERVICE, DEALER_OFFBOARDED,
    DEALER_PAUSED,
    DEALER_STAT_DECLINE_REASON0, DEALER_STAT_NFIELDS, Error, _d, _i32, _str,
    lib)
from .core import _name
from ._engine import (
    _Handle, _Trampoline, _b, _band, _dbl, _enum, _prefixed, _row, _s, _seg,
    _sz, _time, _won)


# ---- dealer ----------------------------------------------------------------

_DEALER_STATUS = {"active": DEALER_ACTIVE, "paused": DEALER_PAUSED,
                  "offboarded": DEALER_OFFBOARDED}


def dealer_policy_name(v: int) -> str:
    """The stable name of a routing policy (DealerPolicy: "round_robin",
    "tier", "performance", "thompson"); Error(EINVAL) for an unknown value."""
    return _name(lib.b2b2c_dealer_policy_name, v)


def dealer_reason_name(v: int) -> str:
    """The stable name of a routing reason (DealerReason); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_dealer_reason_name, v)


def dealer_service_name(v: int) -> str:
    """The stable name of a service kind (DEALER_SERVICE_*: "install",
    "repair", "maintenance", "training", "warranty"); Error(EINVAL) for an
    unknown value."""
    return _name(lib.b2b2c_dealer_service_name, v)


# service kinds by name ("repair"), from the library's own names
_DEALER_SERVICE = {lib.b2b2c_dealer_service_name(i).decode(): i
                   for i in range(1, DEALER_NSERVICE)}


_AUDIT_NAMES = _prefixed("DEALER_AUDIT_", ("NFIELDS",))
_STAT_NAMES = _prefixed("DEALER_STAT_", ("NFIELDS",))
_STAT_NAMES.update({DEALER_STAT_DECLINE_REASON0 + i:
                    "decline_reason%d" % i for i in range(8)})
_SC_NAMES = _prefixed("DEALER_SC_", ("NFIELDS",))
_FUNNEL_NAMES = _prefixed("DEALER_FUNNEL_", ("NFIELDS",))

Reroute = namedtuple("Reroute", "lead_id from_dealer to_dealer reason")
AuditRecord = namedtuple("AuditRecord", "lead_id dealer_id fields")
DealerItem = namedtuple("DealerItem", "dealer_id status paused_until "
                        "tier_weight capacity open_offers")
Registration = namedtuple("Registration", "dealer_id state since until "
                          "expected_close")
Protection = namedtuple("Protection", "dealer_id by until")
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
    _listing = "list"
    _free = lib.b2b2c_dealer_free

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._check(lib.b2b2c_dealer_new(ctypes.byref(self._h), ctx.handle))

    def seed(self, seed: int) -> None:
        """Seed the engine's random generator (the Thompson policy's draws),
        for reproducible routing."""
        self._check(lib.b2b2c_dealer_seed(self.handle, seed))

    def set_param(self, param: int, value: float) -> None:
        """Set a DEALER_PARAM_* parameter (DealerParam); Error(ERANGE) outside
        its bounds (param_bounds)."""
        self._check(lib.b2b2c_dealer_set_param(self.handle, param, value))

    def get_param(self, param: int) -> float:
        """The value of a DEALER_PARAM_* parameter (DealerParam)."""
        v = _dbl()
        self._check(lib.b2b2c_dealer_get_param(ctypes.byref(v), self.handle,
                                               param))
        return v.value


    def put(self, dealer_id: str, tier_weight: float = 1.0,
            territories: Union[str, Iterable[str]] = (),
            product_lines: Union[str, Iterable[str]] = (), capacity: int = 100,
            daily_quota: int = 0, deadline_hours: float = 48.0) -> None:
        """Create or update a dealer; territories and product lines are
        lists of codes (or ';'-joined strings)."""
        def join(v):
            return v if isinstance(v, str) else ";".join(v)
        self._check(lib.b2b2c_dealer_put(
            self.handle, _b(dealer_id), tier_weight, _b(join(territories)),
            _b(join(product_lines)), capacity, daily_quota, deadline_hours))

    def set_location(self, dealer_id: str, lat: float, lon: float,
                     radius_km: float) -> None:
        """Give the dealer a location and a service radius: a lead routed with
        a location goes to dealers whose radius covers it."""
        self._check(lib.b2b2c_dealer_set_location(self.handle, _b(dealer_id),
                                                  lat, lon, radius_km))

    def set_status(self, dealer_id: str, status: EnumArg,
                   paused_until: Optional[Time] = None) -> None:
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

    def count(self) -> int:
        """The number of dealers."""
        v = _sz()
        self._check(lib.b2b2c_dealer_count(ctypes.byref(v), self.handle))
        return v.value

    def list(self, status: EnumArg = -1) -> List[DealerItem]:
        """[DealerItem(dealer_id, status, paused_until, tier_weight,
        capacity, open_offers), ...] in dealer ID order (bytewise); status
        -1 = any (names accepted)."""
        status = -1 if status == -1 else _enum(status, _DEALER_STATUS,
                                               "status")
        return self._iter(lib.b2b2c_dealer_list, _d.b2b2c_dealer_list_cb,
                          lambda i, *f: DealerItem(_s(i), *f),
                          self.handle, status)

    def stats(self, dealer_id: str) -> Dict[Union[str, int], float]:
        """The dealer's lifetime counters: a dict keyed by the DEALER_STAT_*
        names (lowercased: offered, accepted, ..., posterior_mean,
        decline_reason0..7)."""
        n = DEALER_STAT_NFIELDS
        out = (_dbl * n)()
        self._check(lib.b2b2c_dealer_stats(out, n, self.handle,
                                           _b(dealer_id)))
        return _row(out, n, _STAT_NAMES)

    def route(self, lead_id: str, region: str,
              product_line: Optional[str] = None, segment: EnumArg = 0,
              band: EnumArg = 0, now: Optional[Time] = None,
              location: Optional[Tuple[float, float]] = None
              ) -> Tuple[Optional[str], int]:
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

    def route_customer(self, lead_id: str, customer_key: bytes, region: str,
                       product_line: Optional[str] = None,
                       segment: EnumArg = 0, band: EnumArg = 0,
                       now: Optional[Time] = None,
                       location: Optional[Tuple[float, float]] = None
                       ) -> Tuple[Optional[str], int]:
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

    def owner_win(self, lead_id: str, customer_key: bytes) -> None:
        """The won lead was customer_key's: its dealer becomes the
        customer's owner for the lead's product line."""
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_owner_win(self.handle, _b(lead_id), k,
                                               len(k)))

    def owner(self, customer_key: bytes, product_line: Optional[str] = None,
              now: Optional[Time] = None) -> Tuple[Optional[str], int, int]:
        """(dealer_id, since, until) of the customer's owner at now;
        Error(ENOTFOUND) when there is none."""
        now = _time(now, "now")
        k = _key(customer_key)
        d, since, until = _str(), ctypes.c_int64(), ctypes.c_int64()
        self._check(lib.b2b2c_dealer_owner(
            ctypes.byref(d), ctypes.byref(since), ctypes.byref(until),
            self.handle, k, len(k), _b(product_line), now))
        return _s(d.value), since.value, until.value

    def owner_transfer(self, customer_key: bytes, to_dealer: str,
                       product_line: Optional[str] = None,
                       now: Optional[Time] = None) -> None:
        """Make to_dealer the customer's dealer of record for the product line
        from now on (Error(ENOTFOUND) for an unknown dealer)."""
        now = _time(now, "now")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_owner_transfer(
            self.handle, k, len(k), _b(product_line), _b(to_dealer), now))

    def owner_release(self, customer_key: bytes,
                      product_line: Optional[str] = None,
                      now: Optional[Time] = None) -> None:
        """End the customer's dealer of record for the product line at now
        (Error(ENOTFOUND) when there is none)."""
        now = _time(now, "now")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_owner_release(
            self.handle, k, len(k), _b(product_line), now))

    def erase_lead(self, lead_id: str) -> None:
        """Erase the lead: an open offer closed as recalled, its records
        kept under no ID, the dealers' counters and scorecards as before
        (docs/privacy.md). Since 1.1."""
        self._check(lib.b2b2c_dealer_erase_lead(self.handle, _b(lead_id)))

    def merge_lead(self, from_id: str, into_id: str, now: Time) -> None:
        """Merge lead from_id into into_id (two IDs of one person): the one
        further along keeps its state, the other's open offer is recalled
        at now, the audit records join under into_id with a MERGE record;
        from_id is then unknown (docs/dealer-allocation.md, "Merging
        leads"). Since 1.1."""
        self._check(lib.b2b2c_dealer_merge_lead(
            self.handle, _b(from_id), _b(into_id), now))

    def erase_customer(self, customer_key: bytes) -> None:
        """Delete the customer key's dealers of record and registrations
        (docs/privacy.md). Since 1.1."""
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_erase_customer(self.handle, k, len(k)))

    # ---- deal registration (1.1) --------------------------------------

    def register(self, dealer_id: str, customer_key: bytes,
                 product_line: Optional[str] = None, value: float = 0.0,
                 expected_close: Optional[Time] = None,
                 now: Optional[Time] = None) -> None:
        """Dealer dealer_id registers the opportunity (customer_key bytes,
        product_line) at now; first in wins: Error(EEXISTS) names the
        holder of a live registration, Error(EDUPLICATE) when it is the
        dealer's own."""
        now = _time(now, "now")
        expected_close = _time(expected_close, "expected_close")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_register(
            self.handle, _b(dealer_id), k, len(k), _b(product_line), value,
            expected_close, now))

    def registration(self, customer_key: bytes,
                     product_line: Optional[str] = None,
                     now: Optional[Time] = None) -> "Registration":
        """The latest Registration of the pair (state at now, a
        DEALER_REG_* value); Error(ENOTFOUND) when never registered."""
        now = _time(now, "now")
        k = _key(customer_key)
        d, st = _str(), _i32()
        since, until, close = (ctypes.c_int64(), ctypes.c_int64(),
                               ctypes.c_int64())
        self._check(lib.b2b2c_dealer_registration(
            ctypes.byref(d), ctypes.byref(st), ctypes.byref(since),
            ctypes.byref(until), ctypes.byref(close), self.handle, k, len(k),
            _b(product_line), now))
        return Registration(_s(d.value), st.value, since.value, until.value,
                            close.value)

    def reg_approve(self, customer_key: bytes,
                    product_line: Optional[str] = None,
                    now: Optional[Time] = None) -> None:
        """The manufacturer approves the pending registration of the pair at
        now (its window starts again); Error(ESTATE) when it is not
        pending."""
        now = _time(now, "now")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_reg_approve(
            self.handle, k, len(k), _b(product_line), now))

    def reg_reject(self, customer_key: bytes,
                   product_line: Optional[str] = None,
                   now: Optional[Time] = None) -> None:
        """The manufacturer rejects the pending registration of the pair:
        it no longer blocks another; Error(ESTATE) when it is not
        pending."""
        now = _time(now, "now")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_reg_reject(
            self.handle, k, len(k), _b(product_line), now))

    def reg_extend(self, customer_key: bytes, until: Time,
                   product_line: Optional[str] = None,
                   now: Optional[Time] = None) -> None:
        """The manufacturer extends the live registration of the pair to
        until (after now and after its current end)."""
        now = _time(now, "now")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_reg_extend(
            self.handle, k, len(k), _b(product_line), until, now))

    def reg_expire(self, now: Time) -> int:
        """Store lapsed registrations as expired; how many."""
        n = _sz()
        self._check(lib.b2b2c_dealer_reg_expire(ctypes.byref(n), self.handle,
                                                now))
        return n.value

    def protected(self, customer_key: bytes,
                  product_line: Optional[str] = None,
                  now: Optional[Time] = None) -> "Protection":
        """Protection(dealer_id, by, until) of the pair at now: by is a
        DEALER_PROTECT_* value (NONE: dealer_id None, until 0)."""
        now = _time(now, "now")
        k = _key(customer_key)
        d, by, until = _str(), _i32(), ctypes.c_int64()
        self._check(lib.b2b2c_dealer_protected(
            ctypes.byref(d), ctypes.byref(by), ctypes.byref(until),
            self.handle, k, len(k), _b(product_line), now))
        return Protection(_s(d.value), by.value, until.value)
    def route_service(self, lead_id: str, service: Union[int, str],
                      region: str, customer_key: Optional[bytes] = None,
                      product_line: Optional[str] = None,
                      segment: EnumArg = 0, band: EnumArg = 0,
                      now: Optional[Time] = None,
                      location: Optional[Tuple[float, float]] = None
                      ) -> Tuple[Optional[str], int]:
        """A service request (service: DEALER_SERVICE_* or its name,
        "repair") routed among the dealers certified for it and the product
        line, the customer's dealer of record first (customer_key: bytes or
        None): (dealer_id or None, reason). Nobody certified raises
        Error(ENODEALER) with .reason DEALER_REASON_NO_SERVICE."""
        now = _time(now, "now")
        service = _enum(service, _DEALER_SERVICE, "service")
        k = None if customer_key is None else _key(customer_key)
        d, r = _str(), _i32()
        lat, lon = location if location is not None else (0.0, 0.0)
        rc = lib.b2b2c_dealer_route_service(
            ctypes.byref(d), ctypes.byref(r), self.handle, _b(lead_id),
            service, k, 0 if k is None else len(k), _b(region),
            0 if location is None else 1, lat, lon, _b(product_line),
            _seg(segment), _band(band), now)
        self._raise_with_reason(rc, r)
        return _s(d.value), r.value

    def certify(self, dealer_id: str, service: Union[int, str],
                product_line: Optional[str] = None,
                now: Optional[Time] = None) -> None:
        """Certify the dealer for service (DEALER_SERVICE_* or its name) on
        product_line (None: every line it sells) from now on."""
        now = _time(now, "now")
        service = _enum(service, _DEALER_SERVICE, "service")
        self._check(lib.b2b2c_dealer_certify(
            self.handle, _b(dealer_id), service, _b(product_line), now))

    def decertify(self, dealer_id: str, service: Union[int, str],
                  product_line: Optional[str] = None,
                  now: Optional[Time] = None) -> None:
        """End the dealer's certification at now."""
        now = _time(now, "now")
        service = _enum(service, _DEALER_SERVICE, "service")
        self._check(lib.b2b2c_dealer_decertify(
            self.handle, _b(dealer_id), service, _b(product_line), now))

    def certified(self, dealer_id: str, service: Union[int, str],
                  product_line: Optional[str] = None,
                  now: Optional[Time] = None) -> int:
        """When the dealer's certification for service on product_line (or
        on every line) holding at now began; Error(ENOTFOUND) when it is
        not certified (as owner)."""
        now = _time(now, "now")
        service = _enum(service, _DEALER_SERVICE, "service")
        since = ctypes.c_int64()
        self._check(lib.b2b2c_dealer_certified(
            ctypes.byref(since), self.handle, _b(dealer_id), service,
            _b(product_line), now))
        return since.value
    def owner_assign(self, customer_key: bytes, dealer_id: str, since: Time,
                     product_line: Optional[str] = None,
                     now: Optional[Time] = None) -> None:
        """Import an ownership from the host's history: dealer_id owns the
        customer from since for OWNER_DAYS (the latest win holds)."""
        now = _time(now, "now")
        since = _time(since, "since")
        k = _key(customer_key)
        self._check(lib.b2b2c_dealer_owner_assign(
            self.handle, k, len(k), _b(product_line), _b(dealer_id), since,
            now))

    def list_owners(self, now: Optional[Time] = None) -> List["OwnerItem"]:
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

    def accept(self, lead_id: str, dealer_id: str, now: Time) -> None:
        """The dealer accepts the lead offered to it; Error(EEXPIRED) after its
        deadline, Error(ESTATE) when the lead is not offered to that dealer."""
        self._check(lib.b2b2c_dealer_accept(self.handle, _b(lead_id),
                                            _b(dealer_id), now))

    def decline(self, lead_id: str, dealer_id: str, reason: int,
                now: Time) -> Tuple[Optional[str], int]:
        """The dealer declines; (next dealer or None, reason)."""
        d, r = _str(), _i32()
        rc = lib.b2b2c_dealer_decline(ctypes.byref(d), ctypes.byref(r),
                                      self.handle, _b(lead_id),
                                      _b(dealer_id), reason, now)
        self._raise_with_reason(rc, r)
        return _s(d.value), r.value

    def expire(self, now: Time,
               callback: Optional[Callable[[Reroute], object]] = None
               ) -> List[Reroute]:
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

    def offboard(self, dealer_id: str, now: Time,
                 callback: Optional[Callable[[Reroute], object]] = None
                 ) -> List[Reroute]:
        """Off-board the dealer and re-route the leads it holds (offered
        or accepted) at now; returns the Reroute reports, as expire does.
        Since 1.1."""
        out = []

        def each(lead, frm, to, reason):
            rep = Reroute(_s(lead), _s(frm), _s(to), reason)
            out.append(rep)
            if callback is not None:
                callback(rep)
        n = _sz()
        t = _Trampoline(_d.b2b2c_dealer_reroute_cb, each)
        rc = lib.b2b2c_dealer_offboard(ctypes.byref(n), self.handle,
                                       _b(dealer_id), now, t.c, None)
        t.rethrow()
        self._check(rc)
        return out

    def prune(self, now: Time, max_items: int = 10000) -> int:
        """Delete at most max_items of the oldest audit entries older than
        DEALER_PARAM_AUDIT_DAYS before now; returns how many (call again
        while it returns max_items). Since 1.1."""
        n = _sz()
        self._check(lib.b2b2c_dealer_prune(ctypes.byref(n), self.handle,
                                           now, max_items))
        return n.value

    def close_due(self, now: Time, max_leads: int = 10000) -> int:
        """Close the due leads among the next max_leads in memory (won,
        lost or direct for DEALER_PARAM_CLOSE_DAYS, audit entries pruned):
        they leave memory, lead_state still answers. Returns how many
        closed. Since 1.1."""
        n = _sz()
        self._check(lib.b2b2c_dealer_close_due(ctypes.byref(n), self.handle,
                                               now, max_leads))
        return n.value

    def recall(self, lead_id: str, now: Time) -> None:
        """Take an offered or accepted lead back from its dealer (it is not
        routed again)."""
        self._check(lib.b2b2c_dealer_recall(self.handle, _b(lead_id), now))

    def outcome(self, lead_id: str, won: Union[bool, str],
                revenue: float = 0.0, now: Optional[Time] = None) -> None:
        """won: True or "won", False or "lost" (numbers are refused); now
        (Unix seconds) is required: the binding does not read the clock."""
        won, now = _won(won), _time(now, "now")
        self._check(lib.b2b2c_dealer_outcome(self.handle, _b(lead_id),
                                             won, revenue, now))

    def lead_state(self, lead_id: str) -> Tuple[int, Optional[str]]:
        """(DEALER_LEAD_* state, current or last dealer or None)."""
        st, d = _i32(), _str()
        self._check(lib.b2b2c_dealer_lead_state(
            ctypes.byref(st), ctypes.byref(d), self.handle, _b(lead_id)))
        return st.value, _s(d.value)

    @staticmethod
    def _audit(lead, dealer, fields, n):
        return AuditRecord(_s(lead), _s(dealer), _row(fields, n,
                                                      _AUDIT_NAMES))

    def audit_lead(self, lead_id: str) -> List[AuditRecord]:
        """[AuditRecord(lead_id, dealer_id, fields), ...]: every routing
        decision taken for the lead, oldest first; fields is a dict keyed by
        the DEALER_AUDIT_* names (lowercased)."""
        return self._iter(lib.b2b2c_dealer_audit_lead,
                          _d.b2b2c_dealer_audit_cb,
                          self._audit, self.handle, _b(lead_id))

    def audit_dealer(self, dealer_id: str) -> List[AuditRecord]:
        """[AuditRecord(lead_id, dealer_id, fields), ...]: every routing
        decision that offered a lead to the dealer, oldest first."""
        return self._iter(lib.b2b2c_dealer_audit_dealer,
                          _d.b2b2c_dealer_audit_cb,
                          self._audit, self.handle, _b(dealer_id))

    def scorecards(self, from_: Time,
                   to: Time) -> List[Tuple[str, Dict[Union[str, int], float]]]:
        """[(dealer_id, {offered, accepted, ..., rank}), ...] rank order."""
        return self._iter(lib.b2b2c_dealer_scorecards,
                          _d.b2b2c_dealer_scorecard_cb,
                          lambda d, f, n: (_s(d), _row(f, n, _SC_NAMES)),
                          self.handle, from_, to)

    def funnel(self, from_: Time,
               to: Time) -> List[Tuple[Optional[str], Dict[Union[str, int],
                                                          float]]]:
        """The dealer funnel of the offers made in [from_, to):
        [(dealer_id, {offered, open, accepted, declined, expired, recalled,
        won, lost, accept_rate, win_rate, responses, response_p50_hours,
        response_p90_hours, close_p50_days, close_p90_days}), ...] in
        dealer ID order, then the network's row with dealer_id None."""
        return self._iter(lib.b2b2c_dealer_funnel,
                          _d.b2b2c_dealer_funnel_cb,
                          lambda d, f, n: (_s(d), _row(f, n, _FUNNEL_NAMES)),
                          self.handle, _time(from_, "from_"), _time(to, "to"))
