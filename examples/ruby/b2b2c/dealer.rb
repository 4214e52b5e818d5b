# SPDX-License-Identifier: MIT
# The dealer engine (b2b2c_dealer_engine).

module B2B2C
  # ---- dealer ----------------------------------------------------------------

  AUDIT_NAMES = prefixed("DEALER_AUDIT_", ["NFIELDS"]).freeze
  STAT_NAMES = prefixed("DEALER_STAT_", ["NFIELDS"])
               .merge((0..7).to_h { |i| [DEALER_STAT_DECLINE_REASON0 + i, "decline_reason#{i}"] })
               .freeze
  DEALER_STATUS = { "active" => DEALER_ACTIVE, "paused" => DEALER_PAUSED, "offboarded" => DEALER_OFFBOARDED }.freeze
  SC_NAMES = prefixed("DEALER_SC_", ["NFIELDS"]).freeze
  DEALER_FUNNEL_NAMES = prefixed("DEALER_FUNNEL_", ["NFIELDS"]).freeze
  # service kinds by name ("repair"), from the library's own names
  DEALER_SERVICE = (1...DEALER_NSERVICE).to_h { |i| [Lib.b2b2c_dealer_service_name(i), i] }.freeze

  Reroute = Struct.new(:lead_id, :from_dealer, :to_dealer, :reason)
  AuditRecord = Struct.new(:lead_id, :dealer_id, :fields)
  DealerItem = Struct.new(:dealer_id, :status, :paused_until, :tier_weight, :capacity, :open_offers)
  OwnerItem = Struct.new(:customer_key, :product_line, :dealer_id, :since, :until)

  # b2b2c_dealer_engine: dealers, routing, accept/decline/expire, outcomes,
  # audit trail and scorecards (rows as Hashes keyed by the DEALER_AUDIT_*,
  # DEALER_STAT_*, DEALER_SC_* names, lowercased, prefix dropped).
  class DealerEngine < Handle
    include Handle::Listing
    LISTING = :list

    def initialize(ctx)
      super(ctx, :b2b2c_dealer_free) { |p, c| Lib.b2b2c_dealer_new(p, c) }
    end

    # Seeds the engine's random generator (the Thompson policy's draws), for reproducible
    # routing.
    def seed(seed) = check(Lib.b2b2c_dealer_seed(handle, seed))
    # Sets a DEALER_PARAM_* parameter; Error (ERANGE) outside its bounds.
    def set_param(param, value) = check(Lib.b2b2c_dealer_set_param(handle, param, value))
    # The value of a DEALER_PARAM_* parameter.
    def get_param(param) = get_double(:b2b2c_dealer_get_param, param)

    # Creates or updates a dealer; territories and product lines are Arrays
    # of codes (or ';'-joined Strings).
    def put(dealer_id, tier_weight: 1.0, territories: [], product_lines: [], capacity: 100,
            daily_quota: 0, deadline_hours: 48.0)
      join = ->(v) { v.is_a?(String) ? v : v.join(";") }
      check(Lib.b2b2c_dealer_put(handle, dealer_id, tier_weight, join.(territories),
                                 join.(product_lines), capacity, daily_quota, deadline_hours))
    end

    # Gives the dealer a location and a service radius (a lead routed with a location goes to
    # dealers covering it).
    def set_location(dealer_id, lat, lon, radius_km)
      check(Lib.b2b2c_dealer_set_location(handle, dealer_id, lat, lon, radius_km))
    end

    # status: DEALER_ACTIVE/_PAUSED/_OFFBOARDED or "active", "paused",
    # "offboarded". paused_until (Unix seconds) is required with paused (a
    # pause until 1970 would be no pause) and ignored otherwise.
    def set_status(dealer_id, status, paused_until = nil)
      status = B2B2C.enum(status, DEALER_STATUS, "status")
      paused_until = status == DEALER_PAUSED ? B2B2C.time(paused_until, "paused_until") : paused_until || 0
      check(Lib.b2b2c_dealer_set_status(handle, dealer_id, status, paused_until))
    end

    # The number of dealers.
    def count = get_size(:b2b2c_dealer_count)

    # [DealerItem, ...] in dealer ID order (bytewise); status -1 = any.
    def list(status: -1)
      st = B2B2C.any(status) { |v| B2B2C.enum(v, DEALER_STATUS, "status") }
      iterate(:b2b2c_dealer_list, :b2b2c_dealer_list_cb, handle, st) { |*a| DealerItem.new(*a) }
    end

    # The dealer's lifetime counters, a Hash keyed by the DEALER_STAT_* names (lowercased).
    def stats(dealer_id)
      out = B2B2C.out(:double, DEALER_STAT_NFIELDS)
      check(Lib.b2b2c_dealer_stats(out, DEALER_STAT_NFIELDS, handle, dealer_id))
      B2B2C.row(out, DEALER_STAT_NFIELDS, STAT_NAMES)
    end

    # Offers a lead to a dealer: [dealer_id or nil (direct fallback), reason].
    # With nobody eligible raises Error (ENODEALER) whose #reason says why.
    # now: (Unix seconds) is required: the binding does not read the clock.
    def route(lead_id, region, now:, product_line: nil, segment: 0, band: 0, location: nil)
      d = B2B2C.out(:pointer)
      r = B2B2C.out(:int32)
      lat, lon = location || [0.0, 0.0]
      rc = Lib.b2b2c_dealer_route(d, r, handle, lead_id, region, location ? 1 : 0, lat, lon,
                                  product_line, B2B2C.seg(segment), B2B2C.band(band), now)
      check_reason(rc, r)
      [B2B2C.read_str(d), r.read_int32]
    end

    # As route, for the customer customer_key (a binary String of 1..64
    # bytes the host computes, a hash: never personal data): the customer's
    # dealer of record gets the lead while eligible (DEALER_REASON_OWNER).
    def route_customer(lead_id, customer_key, region, now:, product_line: nil, segment: 0, band: 0, location: nil)
      k, kl = customer_key(customer_key)
      d = B2B2C.out(:pointer)
      r = B2B2C.out(:int32)
      lat, lon = location || [0.0, 0.0]
      rc = Lib.b2b2c_dealer_route_customer(d, r, handle, lead_id, k, kl, region, location ? 1 : 0, lat, lon,
                                           product_line, B2B2C.seg(segment), B2B2C.band(band), now)
      check_reason(rc, r)
      [B2B2C.read_str(d), r.read_int32]
    end

    # The won lead was customer_key's: its dealer becomes the owner.
    def owner_win(lead_id, customer_key)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_owner_win(handle, lead_id, k, kl))
    end

    # [dealer_id, since, until] of the customer's owner at now; Error
    # (ENOTFOUND) when there is none.
    def owner(customer_key, now, product_line: nil)
      k, kl = customer_key(customer_key)
      d = B2B2C.out(:pointer)
      since = B2B2C.out(:int64)
      til = B2B2C.out(:int64)
      check(Lib.b2b2c_dealer_owner(d, since, til, handle, k, kl, product_line, now))
      [B2B2C.read_str(d), since.read_int64, til.read_int64]
    end

    # Makes to_dealer the customer's dealer of record for the product line from now on.
    def owner_transfer(customer_key, to_dealer, now, product_line: nil)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_owner_transfer(handle, k, kl, product_line, to_dealer, now))
    end

    # Ends the customer's dealer of record for the product line at now (Error (ENOTFOUND) when
    # there is none).
    def owner_release(customer_key, now, product_line: nil)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_owner_release(handle, k, kl, product_line, now))
    end

    # Erases the lead: an open offer closed as recalled, its records kept
    # under no ID, the dealers' counters and scorecards as before
    # (docs/privacy.md). Since 1.1.
    def erase_lead(lead_id) = check(Lib.b2b2c_dealer_erase_lead(handle, lead_id))

    # Merges lead from_id into into_id (two IDs of one person): the one
    # further along keeps its state, the other's open offer is recalled at
    # now, the audit records join under into_id with a MERGE record;
    # from_id is then unknown (docs/dealer-allocation.md). Since 1.1.
    def merge_lead(from_id, into_id, now)
      check(Lib.b2b2c_dealer_merge_lead(handle, from_id, into_id, now))
    end

    # Deletes the customer key's dealers of record and registrations
    # (docs/privacy.md). Since 1.1.
    def erase_customer(customer_key)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_erase_customer(handle, k, kl))
    end

    # ---- deal registration (1.1) ----

    # Dealer dealer_id registers the opportunity (customer_key a binary
    # String, product_line) at now; first in wins: Error(EEXISTS) names the
    # holder of a live registration, Error(EDUPLICATE) when it is its own.
    def register(dealer_id, customer_key, now:, expected_close:, product_line: nil, value: 0.0)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_register(handle, dealer_id, k, kl, product_line, value, expected_close, now))
    end

    # The latest registration of the pair: {dealer_id:, state: (DEALER_REG_*
    # at now), since:, until:, expected_close:}; Error(ENOTFOUND) when never
    # registered.
    def registration(customer_key, now, product_line: nil)
      k, kl = customer_key(customer_key)
      d = B2B2C.out(:pointer)
      st = B2B2C.out(:int32)
      since, til, close = Array.new(3) { B2B2C.out(:int64) }
      check(Lib.b2b2c_dealer_registration(d, st, since, til, close, handle, k, kl, product_line, now))
      { dealer_id: B2B2C.read_str(d), state: st.read_int32, since: since.read_int64, until: til.read_int64,
        expected_close: close.read_int64 }
    end

    # The manufacturer approves the pending registration at now (its window
    # starts again); Error (ESTATE) when it is not pending.
    def reg_approve(customer_key, now, product_line: nil)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_reg_approve(handle, k, kl, product_line, now))
    end

    # The manufacturer rejects the pending registration: it no longer
    # blocks another; Error (ESTATE) when it is not pending.
    def reg_reject(customer_key, now, product_line: nil)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_reg_reject(handle, k, kl, product_line, now))
    end

    # The manufacturer extends the live registration to until_time.
    def reg_extend(customer_key, until_time, now, product_line: nil)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_reg_extend(handle, k, kl, product_line, until_time, now))
    end

    # Store lapsed registrations as expired; how many.
    def reg_expire(now)
      n = B2B2C.out(:size_t)
      check(Lib.b2b2c_dealer_reg_expire(n, handle, now))
      n.read(:size_t)
    end

    # [dealer_id or nil, DEALER_PROTECT_*, until] of the pair at now.
    def protected(customer_key, now, product_line: nil)
      k, kl = customer_key(customer_key)
      d = B2B2C.out(:pointer)
      by = B2B2C.out(:int32)
      til = B2B2C.out(:int64)
      check(Lib.b2b2c_dealer_protected(d, by, til, handle, k, kl, product_line, now))
      [B2B2C.read_str(d), by.read_int32, til.read_int64]
    end

    # A service request (service: DEALER_SERVICE_* or its name, "repair")
    # routed among the dealers certified for it and the product line, the
    # customer's dealer of record first (customer_key: a binary String or
    # nil): [dealer_id or nil, reason]. Nobody certified raises Error
    # (ENODEALER) whose #reason is DEALER_REASON_NO_SERVICE.
    def route_service(lead_id, service, region, now:, customer_key: nil, product_line: nil, segment: 0, band: 0,
                      location: nil)
      svc = B2B2C.enum(service, DEALER_SERVICE, "service")
      k, kl = customer_key.nil? ? [nil, 0] : customer_key(customer_key)
      d = B2B2C.out(:pointer)
      r = B2B2C.out(:int32)
      lat, lon = location || [0.0, 0.0]
      rc = Lib.b2b2c_dealer_route_service(d, r, handle, lead_id, svc, k, kl, region, location ? 1 : 0, lat, lon,
                                          product_line, B2B2C.seg(segment), B2B2C.band(band), now)
      check_reason(rc, r)
      [B2B2C.read_str(d), r.read_int32]
    end

    # Certifies the dealer for service on product_line (nil: every line it
    # sells) from now on.
    def certify(dealer_id, service, now, product_line: nil)
      check(Lib.b2b2c_dealer_certify(handle, dealer_id, B2B2C.enum(service, DEALER_SERVICE, "service"),
                                     product_line, now))
    end

    # Ends the dealer's certification at now.
    def decertify(dealer_id, service, now, product_line: nil)
      check(Lib.b2b2c_dealer_decertify(handle, dealer_id, B2B2C.enum(service, DEALER_SERVICE, "service"),
                                       product_line, now))
    end

    # When the certification holding at now began; Error (ENOTFOUND) when
    # the dealer is not certified (as owner).
    def certified(dealer_id, service, now, product_line: nil)
      since = B2B2C.out(:int64)
      check(Lib.b2b2c_dealer_certified(since, handle, dealer_id, B2B2C.enum(service, DEALER_SERVICE, "service"),
                                       product_line, now))
      since.read_int64
    end

    # Imports an ownership from the host's history: dealer_id owns the
    # customer from since for OWNER_DAYS (the latest win holds).
    def owner_assign(customer_key, dealer_id, since, now, product_line: nil)
      k, kl = customer_key(customer_key)
      check(Lib.b2b2c_dealer_owner_assign(handle, k, kl, product_line, dealer_id, since, now))
    end

    # [OwnerItem(customer_key (binary String), product_line, dealer_id,
    # since, until), ...]: every ownership live at now, shorter keys first,
    # then bytewise, then product line.
    def list_owners(now)
      iterate(:b2b2c_dealer_list_owners, :b2b2c_dealer_owners_cb, handle, now) do |k, kl, p, d, s, u|
        OwnerItem.new(k.read_bytes(kl), p, d, s, u)
      end
    end

    # The dealer accepts the lead offered to it; Error (EEXPIRED) after its deadline, (ESTATE)
    # when not offered to that dealer.
    def accept(lead_id, dealer_id, now) = check(Lib.b2b2c_dealer_accept(handle, lead_id, dealer_id, now))

    # The dealer declines: [next dealer or nil, reason].
    def decline(lead_id, dealer_id, reason, now)
      d = B2B2C.out(:pointer)
      r = B2B2C.out(:int32)
      check_reason(Lib.b2b2c_dealer_decline(d, r, handle, lead_id, dealer_id, reason, now), r)
      [B2B2C.read_str(d), r.read_int32]
    end

    # Expires overdue offers and re-routes them; returns the Reroute reports
    # and yields each to the block, if given (an exception from the block
    # stops the reports and is re-raised here; the re-routings are
    # committed already).
    def expire(now, &blk)
      out = []
      t = Trampoline.new(:b2b2c_dealer_reroute_cb) do |*a|
        rep = Reroute.new(*a)
        out << rep
        blk&.call(rep)
      end
      n = B2B2C.out(:size_t)
      rc = Lib.b2b2c_dealer_expire(n, handle, now, t.function, nil)
      t.rethrow
      check(rc)
      out
    end

    # Off-boards the dealer and re-routes the leads it holds (offered or
    # accepted) at now; returns the Reroute reports, as expire does. Since 1.1.
    def offboard(dealer_id, now, &blk)
      out = []
      t = Trampoline.new(:b2b2c_dealer_reroute_cb) do |*a|
        rep = Reroute.new(*a)
        out << rep
        blk&.call(rep)
      end
      n = B2B2C.out(:size_t)
      rc = Lib.b2b2c_dealer_offboard(n, handle, dealer_id, now, t.function, nil)
      t.rethrow
      check(rc)
      out
    end

    # Deletes at most max_items of the oldest audit entries older than
    # DEALER_PARAM_AUDIT_DAYS before now; returns how many (call again while it
    # returns max_items). Since 1.1.
    def prune(now, max_items = 10_000)
      n = B2B2C.out(:size_t)
      check(Lib.b2b2c_dealer_prune(n, handle, now, max_items))
      n.read(:size_t)
    end

    # Closes the due leads among the next max_leads in memory (won, lost or
    # direct for DEALER_PARAM_CLOSE_DAYS, audit entries pruned): they leave
    # memory, lead_state still answers. Returns how many closed. Since 1.1.
    def close_due(now, max_leads = 10_000)
      n = B2B2C.out(:size_t)
      check(Lib.b2b2c_dealer_close_due(n, handle, now, max_leads))
      n.read(:size_t)
    end

    # Takes an offered or accepted lead back from its dealer (it is not routed again).
    def recall(lead_id, now) = check(Lib.b2b2c_dealer_recall(handle, lead_id, now))

    # won: true, "won" or :won; false, "lost" or :lost (numbers are refused).
    def outcome(lead_id, won, revenue, now)
      check(Lib.b2b2c_dealer_outcome(handle, lead_id, B2B2C.won(won), revenue, now))
    end

    # [DEALER_LEAD_* state, current or last dealer or nil]
    def lead_state(lead_id)
      st = B2B2C.out(:int32)
      d = B2B2C.out(:pointer)
      check(Lib.b2b2c_dealer_lead_state(st, d, handle, lead_id))
      [st.read_int32, B2B2C.read_str(d)]
    end

    # Every routing decision taken for the lead, oldest first (AuditRecord structs, fields
    # keyed by the DEALER_AUDIT_* names).
    def audit_lead(lead_id)
      iterate(:b2b2c_dealer_audit_lead, :b2b2c_dealer_audit_cb, handle, lead_id) { |*a| audit(*a) }
    end

    # Every routing decision that offered a lead to the dealer, oldest first (AuditRecord
    # structs).
    def audit_dealer(dealer_id)
      iterate(:b2b2c_dealer_audit_dealer, :b2b2c_dealer_audit_cb, handle, dealer_id) { |*a| audit(*a) }
    end

    # [[dealer_id, {"offered" => ..., "rank" => ...}], ...] in rank order.
    def scorecards(from, to)
      iterate(:b2b2c_dealer_scorecards, :b2b2c_dealer_scorecard_cb, handle, from, to) do |d, f, n|
        [d, B2B2C.row(f, n, SC_NAMES)]
      end
    end

    # The dealer funnel of the offers made in [from, to): [[dealer_id,
    # {"offered" => ..., "response_p50_hours" => ...}], ...] in dealer ID
    # order, then the network's row with dealer_id nil.
    def funnel(from, to)
      iterate(:b2b2c_dealer_funnel, :b2b2c_dealer_funnel_cb, handle, from, to) do |d, f, n|
        [d, B2B2C.row(f, n, DEALER_FUNNEL_NAMES)]
      end
    end

    private

    def audit(lead, dealer, fields, n) = AuditRecord.new(lead, dealer, B2B2C.row(fields, n, AUDIT_NAMES))

    # A customer key's bytes (a String, used as binary) and length.
    def customer_key(key)
      raise TypeError, "customer_key must be a String, not #{key.class}" unless key.is_a?(String)

      p = FFI::MemoryPointer.new(:uint8, [key.bytesize, 1].max)
      p.put_bytes(0, key.b)
      [p, key.bytesize]
    end

    def check_reason(rc, r)
      check(rc)
    rescue Error => e
      e.reason = r.read_int32
      raise
    end
  end

  class Error
    attr_accessor :reason # B2B2C_DEALER_REASON_* for dealer routing errors
  end
end
