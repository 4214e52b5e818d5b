# SPDX-License-Identifier: MIT
# Dealer network programs (b2b2c_programs): sell-in, sell-out and stock per
# point of sale, product line and day, and the network report.

module B2B2C
  PROGRAMS_F_NAMES = prefixed("PROGRAMS_F_", ["NFIELDS"]).freeze
  PROGRAM_F_NAMES = prefixed("PROGRAM_F_", ["NFIELDS"]).freeze
  PROGRAMS_R_NAMES = prefixed("PROGRAMS_R_", ["NFIELDS"]).freeze
  PROGRAM_BASIS = named("PROGRAM_BASIS_").freeze
  PROGRAM_MODE = { "retroactive" => CONSTANTS[:PROGRAM_RETROACTIVE],
                   "incremental" => CONSTANTS[:PROGRAM_INCREMENTAL] }.freeze
  PROGRAM_PERIOD = named("PROGRAM_PERIOD_").freeze
  PROMO_S_NAMES = prefixed("PROMO_S_", ["NFIELDS"]).freeze
  PROMO_U_NAMES = prefixed("PROMO_U_", ["NFIELDS"]).freeze
  PROMO_BY = named("PROMO_BY_").freeze
  PROMO_STATUS = { "submitted" => CONSTANTS[:PROMO_SUBMITTED], "approved" => CONSTANTS[:PROMO_APPROVED],
                   "rejected" => CONSTANTS[:PROMO_REJECTED], "paid" => CONSTANTS[:PROMO_PAID] }.freeze

  DealerRow = Struct.new(:dealer_id, :tier, :region, :points)
  PointRow = Struct.new(:point_id, :dealer_id, :product_lines)
  ClaimRow = Struct.new(:claim_id, :promo_id, :dealer_id, :amount, :status, :submitted_at,
                        :decided_at, :paid_at)
  SpendRow = Struct.new(:promo_id, :dealer_id, :fields)

  # A line kind argument: PROGRAMS_KIND_* constant, name or symbol (:sell_out).
  def self.programs_kind(k) = enum(k, :b2b2c_programs_kind_from_name, "kind")

  # b2b2c_programs: dealers and their points of sale, sell-in/sell-out lines
  # (whole units, money in whole minor units) kept as per-day aggregates,
  # and the report per dealer or point. Report rows come back as
  # {id => Hash keyed by the PROGRAMS_F_* names lowercased}.
  class Programs < Handle
    def initialize(ctx)
      super(ctx, :b2b2c_programs_free) { |p, c| Lib.b2b2c_programs_new(p, c) }
    end

    # Sets a PROGRAMS_PARAM_* parameter; Error (ERANGE) outside its bounds.
    def set_param(param, value) = check(Lib.b2b2c_programs_set_param(handle, param, value))

    # The value of a PROGRAMS_PARAM_* parameter.
    def get_param(param)
      v = B2B2C.out
      check(Lib.b2b2c_programs_get_param(v, handle, param))
      v.read_double
    end

    # Registers a dealer, or changes its tier (0..1000) and region.
    def set_dealer(dealer_id, tier = 0, region = nil)
      check(Lib.b2b2c_programs_set_dealer(handle, dealer_id, tier, region))
    end

    # Registers a point of sale of a registered dealer.
    def add_point(point_id, dealer_id) = check(Lib.b2b2c_programs_add_point(handle, point_id, dealer_id))

    # Records one line (kind: PROGRAMS_KIND_* or its name, :sell_out);
    # units and amount are Integers (amount in minor units), negative only
    # for a correction.
    def record(kind, point_id, product_line, t, units, amount)
      check(Lib.b2b2c_programs_record(handle, B2B2C.programs_kind(kind), point_id, product_line,
                                      B2B2C.time(t, "t"), units, amount))
    end

    # Records [kind, point_id, product_line, t, units, amount] lines in one
    # call and one transaction: all or nothing.
    def record_batch(lines)
      n = lines.size
      return if n.zero?

      kinds = FFI::MemoryPointer.new(:int32, n)
      ints = Array.new(3) { FFI::MemoryPointer.new(:int64, n) }
      strs = Array.new(2) { FFI::MemoryPointer.new(:pointer, n) }
      keep = []
      lines.each_with_index do |(k, p, l, t, u, m), i|
        kinds.put_int32(4 * i, B2B2C.programs_kind(k))
        [p, l].each_with_index do |s, j|
          keep << FFI::MemoryPointer.from_string(s.to_s)
          strs[j].put_pointer(8 * i, keep.last)
        end
        ints[0].put_int64(8 * i, B2B2C.to_unix(B2B2C.time(t, "t")))
        ints[1].put_int64(8 * i, u)
        ints[2].put_int64(8 * i, m)
      end
      check(Lib.b2b2c_programs_record_batch(handle, kinds, strs[0], strs[1], *ints, n))
    end

    # [DealerRow, ...] in dealer ID order; tier -1 = any.
    def list_dealers(tier: -1)
      iterate(:b2b2c_programs_list_dealers, :b2b2c_programs_dealer_cb, handle, tier) do |i, t, r, n|
        DealerRow.new(i.dup.force_encoding("UTF-8"), t, r.dup.force_encoding("UTF-8"), n)
      end
    end

    # [PointRow, ...] in point ID order, of one dealer or (nil) all.
    def list_points(dealer_id: nil)
      iterate(:b2b2c_programs_list_points, :b2b2c_programs_point_cb, handle, dealer_id) do |i, d, n|
        PointRow.new(i.dup.force_encoding("UTF-8"), d.dup.force_encoding("UTF-8"), n)
      end
    end

    # {id => {"sell_in_units" => ..., "sell_through" => ...}} over the days
    # [from, to) in ID order; by: :dealer or :point.
    def report(from, to, by: :dealer, product_line: nil)
      by = B2B2C.enum(by, B2B2C.named("PROGRAMS_BY_"), "by")
      iterate(:b2b2c_programs_report, :b2b2c_programs_row_cb, handle, by, product_line, from, to) do |i, f, n|
        [i.dup.force_encoding("UTF-8"), B2B2C.row(f, n, PROGRAMS_F_NAMES)]
      end.to_h
    end

    # Defines (or replaces) the volume bonus program program_id: tier i
    # applies from thresholds[i] (strictly increasing, >= 0) at rates[i].
    # basis :amount: volume is net sell-in money in minor units, rates in
    # basis points; :units: net sell-in units, rates in minor units per
    # unit. mode :retroactive (the tier reached pays on all the volume) or
    # :incremental (each tier on the volume inside it); period :quarter or
    # :year (calendar, in the context's UTC offset); product_line nil
    # counts every line. Error (ERANGE) names the tier
    # ("tiers[2].threshold: ...").
    def set_program(program_id, thresholds, rates, basis: :amount, mode: :retroactive,
                    period: :quarter, product_line: nil)
      n = thresholds.size
      raise ArgumentError, "rates: #{rates.size} values for #{n} thresholds" if rates.size != n

      th = FFI::MemoryPointer.new(:int64, [n, 1].max)
      rt = FFI::MemoryPointer.new(:int64, [n, 1].max)
      th.put_array_of_int64(0, thresholds.map { |v| Integer(v) })
      rt.put_array_of_int64(0, rates.map { |v| Integer(v) })
      check(Lib.b2b2c_program_set(handle, program_id, B2B2C.enum(basis, PROGRAM_BASIS, "basis"),
                                  B2B2C.enum(mode, PROGRAM_MODE, "mode"),
                                  B2B2C.enum(period, PROGRAM_PERIOD, "period"),
                                  product_line, th, rt, n))
    end

    # One dealer's status in a bonus program at now: {"volume" => ...,
    # "tier", "next_threshold", "gap", "accrued", "projected_volume",
    # "projected_tier", "projected_bonus", "elapsed_days", "period_days",
    # "period_start", "period_end"}, Integers (money in minor units,
    # floored once per dealer; tier 0 = none; next_threshold -1 at the top).
    def program_status(program_id, dealer_id, now)
      n = CONSTANTS[:PROGRAM_F_NFIELDS]
      f = FFI::MemoryPointer.new(:int64, n)
      check(Lib.b2b2c_program_status(f, n, handle, program_id, dealer_id, B2B2C.time(now, "now")))
      f.read_array_of_int64(n).each_with_index.to_h { |v, i| [PROGRAM_F_NAMES.fetch(i, i), v] }
    end

    # {dealer_id => status (as program_status)} of every registered dealer
    # in dealer ID order, those without sell-in included.
    def program_status_list(program_id, now)
      iterate(:b2b2c_program_status_list, :b2b2c_program_status_cb, handle, program_id,
              B2B2C.time(now, "now")) do |i, f, n|
        [i.dup.force_encoding("UTF-8"),
         f.read_array_of_int64(n).each_with_index.to_h { |v, k| [PROGRAM_F_NAMES.fetch(k, k), v] }]
      end.to_h
    end

    # ---- joint promotion budgets (b2b2c_promo_*) ----

    # Defines (or replaces) the budget of promotion promo_id for dealer_id
    # over the days [start, end) (the context's UTC offset), planned in
    # whole minor units, for product_line (nil: all). Error (ENOTFOUND) for
    # an unknown dealer, (ERANGE) for end not after start, a negative plan
    # or one below the claims held.
    def set_promo(promo_id, dealer_id, start, finish, planned, product_line: nil)
      check(Lib.b2b2c_promo_set(handle, promo_id, dealer_id, B2B2C.time(start, "start"),
                                B2B2C.time(finish, "end"), planned, product_line))
    end

    # Submits a claim of amount minor units against the budget at t; Error
    # (ERANGE) over the remaining budget (pending claims count).
    def claim(claim_id, promo_id, dealer_id, amount, t)
      check(Lib.b2b2c_promo_claim(handle, claim_id, promo_id, dealer_id, amount, B2B2C.time(t, "t")))
    end

    # Moves a claim to status (:approved, :rejected, :paid or a PROMO_*
    # constant) at t; Error (ESTATE) for a step not allowed.
    def claim_status(claim_id, status, t)
      check(Lib.b2b2c_promo_claim_status(handle, claim_id, B2B2C.enum(status, PROMO_STATUS, "status"),
                                         B2B2C.time(t, "t")))
    end

    # The claims (all, or of a promotion and/or dealer) in claim ID order:
    # ClaimRow with the status name; a step not taken is nil.
    def claims(promo_id: nil, dealer_id: nil)
      none = CONSTANTS[:PROMO_NO_TIME]
      iterate(:b2b2c_promo_list_claims, :b2b2c_promo_claim_cb, handle, promo_id, dealer_id) do |c, p, d, f, _n|
        v = f.read_array_of_int64(5)
        ClaimRow.new(B2B2C.str(c), B2B2C.str(p), B2B2C.str(d), v[0],
                     Lib.b2b2c_promo_status_name(v[1]), *v[2, 3].map { |x| x == none ? nil : x })
      end
    end

    # Spend vs plan per budget, promotion or dealer (by: :budget, :promo,
    # :dealer): SpendRow(promo_id, dealer_id, {"planned" => ..., "spent",
    # "remaining", ...}); the ID a row does not sum by is nil.
    def promo_spend(by: :budget, promo_id: nil, dealer_id: nil)
      iterate(:b2b2c_promo_spend_list, :b2b2c_promo_spend_cb, handle, B2B2C.enum(by, PROMO_BY, "by"),
              promo_id, dealer_id) do |p, d, f, n|
        SpendRow.new(B2B2C.str(p), B2B2C.str(d),
                     f.read_array_of_int64(n).each_with_index.to_h { |v, k| [PROMO_S_NAMES.fetch(k, k), v] })
      end
    end

    # The promotion's uplift for one dealer: {"days" => ..., "lift",
    # "incr_amount", "did_amount", "spend", "roi", ...} against its own
    # pre-period baseline and, with control dealers, the
    # difference-in-differences (NaN where undefined).
    def promo_uplift(promo_id, dealer_id, control: [])
      n = CONSTANTS[:PROMO_U_NFIELDS]
      f = FFI::MemoryPointer.new(:double, n)
      arr, keep = B2B2C.string_array(control)
      check(Lib.b2b2c_promo_uplift(f, n, handle, promo_id, dealer_id, arr, control.size))
      keep.clear
      f.read_array_of_double(n).each_with_index.to_h { |v, i| [PROMO_U_NAMES.fetch(i, i), v] }
    end

    # {dealer_id => uplift (as promo_uplift)} of every dealer with a
    # budget in promo_id, in dealer ID order.
    def promo_uplift_list(promo_id, control: [])
      arr, keep = B2B2C.string_array(control)
      rows = iterate(:b2b2c_promo_uplift_list, :b2b2c_promo_uplift_cb, handle, promo_id, arr,
                     control.size) do |i, f, n|
        [B2B2C.str(i), f.read_array_of_double(n).each_with_index.to_h { |v, k| [PROMO_U_NAMES.fetch(k, k), v] }]
      end
      keep.clear
      rows.to_h
    end

    # The reorder due list at now: [[dealer or point ID, Hash keyed by the
    # PROGRAMS_R_* names lowercased], ...] of the rows with at least
    # PROGRAMS_PARAM_REORDER_MIN_ORDERS orders due by now + window_days, most
    # late first (ties by ID). by: :dealer or :point; product_line nil = any.
    def reorders(now, window_days: 0, by: :dealer, product_line: nil)
      iterate(:b2b2c_programs_reorders, :b2b2c_programs_reorder_cb, handle,
              B2B2C.enum(by, B2B2C.named("PROGRAMS_BY_"), "by"), product_line,
              B2B2C.time(now, "now"), window_days) do |i, f, n|
        [i.dup.force_encoding("UTF-8"), B2B2C.row(f, n, PROGRAMS_R_NAMES)]
      end
    end

    # The reorder fields at now of an order history the host holds (a
    # professional B2B customer's): orders are [t, units, amount] in any
    # order; the lines of one day are one order.
    def reorder_of(orders, now)
      n = orders.size
      ints = Array.new(3) { FFI::MemoryPointer.new(:int64, [n, 1].max) }
      orders.each_with_index do |(t, u, m), i|
        ints[0].put_int64(8 * i, B2B2C.to_unix(B2B2C.time(t, "t")))
        ints[1].put_int64(8 * i, u)
        ints[2].put_int64(8 * i, m)
      end
      nf = CONSTANTS[:PROGRAMS_R_NFIELDS]
      f = FFI::MemoryPointer.new(:double, nf)
      check(Lib.b2b2c_programs_reorder_of(f, nf, handle, *ints, n, B2B2C.time(now, "now")))
      B2B2C.row(f, nf, PROGRAMS_R_NAMES)
    end
  end

  # A `const char *const *` argument: the pointer array and the strings it
  # points to (keep them alive during the call; internal).
  def self.string_array(ids)
    keep = ids.map { |s| FFI::MemoryPointer.from_string(s.to_s) }
    arr = FFI::MemoryPointer.new(:pointer, [ids.size, 1].max)
    keep.each_with_index { |m, i| arr.put_pointer(8 * i, m) }
    [arr, keep]
  end

  # A callback's `const char *` (nil for NULL) as UTF-8 (internal).
  def self.str(s) = s&.dup&.force_encoding("UTF-8")

  # The stable name of a line kind ("sell_out").
  def self.programs_kind_name(v) = name_of(:b2b2c_programs_kind_name, v)
end
