# SPDX-License-Identifier: MIT
# Edge values through the Ruby binding: every integer argument at its C
# type's min-1/max+1, every string argument with a NUL byte, over-long and
# empty IDs, enum-like arguments given true or an unknown name, outcomes,
# and time arguments that must not default to 1970.
require "minitest/autorun"
# B2B2C_TEST_INSTALLED=1: the installed gem (.ci/run), not the tree's
if ENV["B2B2C_TEST_INSTALLED"] == "1"
  require "b2b2c"
else
  require_relative "../../examples/ruby/b2b2c"
end

DAY = 86_400
T0 = 1_767_225_600 # 2026-01-01

def int_edges(low, high)
  [[low - 1, RangeError], [high + 1, RangeError], [1.5, TypeError], [true, TypeError], ["1", TypeError]]
end

I64 = int_edges(-2**63, (2**63) - 1) + [[(2**64) + 7, RangeError]]
EBADID = [:error, B2B2C::EBADID].freeze

# kind of argument -> [[value, expected exception or [:error, code]]]
EDGES = {
  i32: int_edges(-2**31, (2**31) - 1),
  i64: I64,
  u64: int_edges(0, (2**64) - 1),
  time: I64 + [[nil, TypeError]],
  req_time: I64 + [[nil, ArgumentError]], # checked by the binding: required

  dbl: [["1", TypeError], [nil, TypeError]],
  str: [["a\0b", ArgumentError], [5, TypeError], [:sym, TypeError]],
  name: [["a\0b", ArgumentError], [5, TypeError], [nil, [:error, B2B2C::EINVAL]]],
  key: [[5, TypeError], [nil, TypeError], ["", EBADID], ["x" * 65, [:error, B2B2C::ERANGE]]],
  id: [["a\0b", ArgumentError], [5, TypeError], ["x" * 256, EBADID], ["", EBADID]],
  enum: [[true, ArgumentError], [false, ArgumentError], [1.0, ArgumentError], [nil, ArgumentError],
         ["no_such_name", ArgumentError], [(2**32) + 5, RangeError], [-2**31 - 1, RangeError]],
  kind: [[true, ArgumentError], [1.5, ArgumentError], [2**31, RangeError]],
  nout: int_edges(0, (2**64) - 1) + [[0, ArgumentError], [1001, ArgumentError]],
  won: [[0, ArgumentError], [1, ArgumentError], [nil, ArgumentError], ["maybe", ArgumentError]]
}.freeze

# [handle, method, positional arguments, keyword arguments, {index or keyword => kind}]
TABLE = [
  [:lead, :add, ["N", T0], { segment: 0, channel: nil, region: nil, product_line: nil },
   { 0 => :id, 1 => :time, segment: :enum, channel: :str, region: :str, product_line: :str }],
  [:lead, :event, ["L", "site_visit", T0, 0.0], {}, { 0 => :id, 1 => :kind, 2 => :time, 3 => :dbl }],
  [:lead, :score, ["L", T0], {}, { 0 => :id, 1 => :time }],
  [:lead, :band, ["L", T0], {}, { 0 => :id, 1 => :time }],
  [:lead, :stage, ["L"], {}, { 0 => :id }],
  [:lead, :remove, ["L"], {}, { 0 => :id }],
  [:lead, :set_stage, ["L", "nurturing", T0], {}, { 0 => :id, 1 => :enum, 2 => :time }],
  [:lead, :stage_history, ["L"], {}, { 0 => :id }],
  [:lead, :outcome, ["L", true, T0], {}, { 0 => :id, 1 => :won, 2 => :time }],
  [:lead, :probability, ["L", T0], {}, { 0 => :id, 1 => :time }],
  [:lead, :factors, ["L", T0, 5], {}, { 0 => :id, 1 => :time, 2 => :i32 }],
  [:lead, :top, [T0, 10], { by: 0, band: -1, segment: -1, stage: -1, region: nil },
   { 0 => :time, 1 => :i32, by: :enum, band: :enum, segment: :enum, stage: :enum, region: :str }],
  [:lead, :counts, [T0], {}, { 0 => :time }],
  [:lead, :band_changes, [T0, T0], {}, { 0 => :time, 1 => :time }],
  [:lead, :band_changes_why, [T0, T0], {}, { 0 => :time, 1 => :time }],
  [:lead, :suggest_points, [0.0], {}, { 0 => :dbl }],
  [:lead, :points_dry_run, [{}, T0], { folds: 5, seed: 0 }, { 1 => :time, folds: :i32, seed: :u64 }],
  [:lead, :points_apply, [{}, T0], {}, { 1 => :time }],
  [:lead, :list, [T0], { stage: -1, band: -1 }, { 0 => :time, stage: :enum, band: :enum }],
  [:lead, :funnel, [T0, T0 + DAY, T0], { by: "all", stall_days: 30.0 },
   { 0 => :i64, 1 => :i64, 2 => :time, by: :enum, stall_days: :dbl }],
  [:lead, :add_kind, ["k"], {}, { 0 => :str }],
  [:lead, :kind_id, ["site_visit"], {}, { 0 => :name }],
  [:lead, :kind_name, [1], {}, { 0 => :i32 }],
  [:lead, :kind_set, ["site_visit", 1.0], { cap_day: 0.0, cap_total: 0.0, hot_days: 0.0 },
   { 0 => :kind, 1 => :dbl, cap_day: :dbl, cap_total: :dbl, hot_days: :dbl }],
  [:lead, :kind_get, [1], {}, { 0 => :kind }],
  [:lead, :attr_points_set, ["region", "RU", 1.0], {}, { 0 => :enum, 1 => :str, 2 => :dbl }],
  [:lead, :set_attr, ["L", "region", "RU"], {}, { 0 => :id, 1 => :enum, 2 => :str }],
  [:lead, :merge, ["L", "M", T0], {}, { 0 => :id, 1 => :id, 2 => :time }],
  [:lead, :set_param, [B2B2C::LEAD_L2, 0.1], {}, { 0 => :i32, 1 => :dbl }],
  [:lead, :get_param, [B2B2C::LEAD_L2], {}, { 0 => :i32 }],
  [:dealer, :seed, [1], {}, { 0 => :u64 }],
  [:dealer, :put, ["D2"], { tier_weight: 1.0, capacity: 5, daily_quota: 0, deadline_hours: 24.0 },
   { 0 => :id, tier_weight: :dbl, capacity: :i32, daily_quota: :i32, deadline_hours: :dbl }],
  [:dealer, :set_location, ["D", 55.0, 37.0, 10.0], {}, { 0 => :id, 1 => :dbl, 2 => :dbl, 3 => :dbl }],
  [:dealer, :set_status, ["D", "paused", T0 + DAY], {}, { 0 => :id, 1 => :enum, 2 => :req_time }],
  [:dealer, :stats, ["D"], {}, { 0 => :id }],
  [:dealer, :list, [], { status: "active" }, { status: :enum }],
  [:dealer, :route, ["N", "RU-MOW"], { now: T0, product_line: "boilers", segment: "b2c_consumer", band: "hot" },
   { 0 => :id, 1 => :str, now: :time, product_line: :str, segment: :enum, band: :enum }],
  [:dealer, :route_customer, ["N", "k", "RU-MOW"],
   { now: T0, product_line: "boilers", segment: "b2c_consumer", band: "hot" },
   { 0 => :id, 1 => :key, 2 => :str, now: :time, product_line: :str, segment: :enum, band: :enum }],
  [:dealer, :owner_win, ["R", "k"], {}, { 0 => :id, 1 => :key }],
  [:dealer, :owner, ["k", T0], { product_line: "boilers" }, { 0 => :key, 1 => :time, product_line: :str }],
  [:dealer, :owner_transfer, ["k", "D", T0], { product_line: "boilers" },
   { 0 => :key, 1 => :id, 2 => :time, product_line: :str }],
  [:dealer, :owner_release, ["k", T0], { product_line: "boilers" }, { 0 => :key, 1 => :time, product_line: :str }],
  [:dealer, :register, ["D", "k"], { now: T0, expected_close: T0, product_line: "boilers", value: 1.0 },
   { 0 => :id, 1 => :key, now: :time, expected_close: :time, product_line: :str, value: :dbl }],
  [:dealer, :registration, ["k", T0], { product_line: "boilers" }, { 0 => :key, 1 => :time, product_line: :str }],
  [:dealer, :reg_approve, ["k", T0], { product_line: "boilers" }, { 0 => :key, 1 => :time, product_line: :str }],
  [:dealer, :reg_reject, ["k", T0], { product_line: "boilers" }, { 0 => :key, 1 => :time, product_line: :str }],
  [:dealer, :reg_extend, ["k", T0, T0], { product_line: "boilers" },
   { 0 => :key, 1 => :time, 2 => :time, product_line: :str }],
  [:dealer, :reg_expire, [T0], {}, { 0 => :time }],
  [:dealer, :protected, ["k", T0], { product_line: "boilers" }, { 0 => :key, 1 => :time, product_line: :str }],
  [:dealer, :route_service, ["N", "repair", "RU-MOW"],
   { now: T0, customer_key: "k", product_line: "boilers", segment: "b2c_consumer", band: "hot" },
   { 0 => :id, 1 => :enum, 2 => :str, now: :time, product_line: :str, segment: :enum, band: :enum }],
  [:dealer, :certify, ["D", "repair", T0], { product_line: "boilers" },
   { 0 => :id, 1 => :enum, 2 => :time, product_line: :str }],
  [:dealer, :decertify, ["D", "repair", T0], { product_line: "boilers" },
   { 0 => :id, 1 => :enum, 2 => :time, product_line: :str }],
  [:dealer, :certified, ["D", "repair", T0], { product_line: "boilers" },
   { 0 => :id, 1 => :enum, 2 => :time, product_line: :str }],
  [:dealer, :owner_assign, ["k", "D", T0, T0], { product_line: "boilers" },
   { 0 => :key, 1 => :id, 2 => :time, 3 => :time, product_line: :str }],
  [:dealer, :list_owners, [T0], {}, { 0 => :time }],
  [:dealer, :accept, ["R", "D", T0], {}, { 0 => :id, 1 => :id, 2 => :time }],
  [:dealer, :decline, ["R", "D", 1, T0], {}, { 0 => :id, 1 => :id, 2 => :i32, 3 => :time }],
  [:dealer, :expire, [T0], {}, { 0 => :time }],
  [:dealer, :recall, ["R", T0], {}, { 0 => :id, 1 => :time }],
  [:dealer, :erase_lead, ["nobody"], {}, { 0 => :id }],
  [:dealer, :erase_customer, ["nobody"], {}, { 0 => :key }],
  [:dealer, :merge_lead, ["nobody", "R", T0], {}, { 0 => :id, 1 => :id, 2 => :time }],
  [:dealer, :offboard, ["nobody", T0], {}, { 0 => :id, 1 => :time }],
  [:dealer, :prune, [T0, 10], {}, { 0 => :time, 1 => :u64 }],
  [:dealer, :close_due, [T0, 10], {}, { 0 => :time, 1 => :u64 }],
  [:ch, :remove, ["nope"], {}, { 0 => :id }],
  [:dealer, :outcome, ["R", true, 10.0, T0], {}, { 0 => :id, 1 => :won, 2 => :dbl, 3 => :time }],
  [:dealer, :lead_state, ["R"], {}, { 0 => :id }],
  [:dealer, :audit_lead, ["R"], {}, { 0 => :id }],
  [:dealer, :audit_dealer, ["D"], {}, { 0 => :id }],
  [:dealer, :scorecards, [T0, T0], {}, { 0 => :time, 1 => :time }],
  [:dealer, :funnel, [T0, T0], {}, { 0 => :time, 1 => :time }],
  [:dealer, :set_param, [B2B2C::DEALER_PARAM_MAX_SHARE, 0.5], {}, { 0 => :i32, 1 => :dbl }],
  [:dealer, :get_param, [B2B2C::DEALER_PARAM_MAX_SHARE], {}, { 0 => :i32 }],
  [:seg, :get_param, [B2B2C::SEG_OPEN_RULE_FACTOR], {}, { 0 => :i32 }],
  [:fc, :get_param, [B2B2C::FORECASTER_L2], {}, { 0 => :i32 }],
  [:ch, :get_param, [B2B2C::CHANNELS_LOOKBACK_DAYS], {}, { 0 => :i32 }],
  [:ch, :list, [], { kind: "reach" }, { kind: :enum }],
  [:seg, :rule_add, ["r", 1, "b2c_consumer", "party_type == person"], {},
   { 0 => :id, 1 => :i32, 2 => :enum, 3 => :str }],
  [:seg, :rule_remove, ["r"], {}, { 0 => :id }],
  [:seg, :assign, ["A", {}, T0], {}, { 0 => :id, 2 => :time }],
  [:seg, :assign_segment, ["A", "b2c_consumer", T0], {}, { 0 => :id, 1 => :enum, 2 => :time }],
  [:seg, :assignment, ["A"], {}, { 0 => :id }],
  [:seg, :list_accounts, [], { segment: "b2c_consumer" }, { segment: :enum }],
  [:seg, :history, ["A"], {}, { 0 => :id }],
  [:seg, :migrations, [T0], {}, { 0 => :time }],
  [:seg, :route, %w[b2c_consumer hot], {}, { 0 => :enum, 1 => :enum }],
  [:seg, :route_set, %w[b2c_consumer hot dealer reach], {}, { 0 => :enum, 1 => :enum, 2 => :enum, 3 => :enum }],
  [:seg, :route_reset, %w[b2c_consumer hot], {}, { 0 => :enum, 1 => :enum }],
  [:seg, :set_param, [B2B2C::SEG_OPEN_RULE_FACTOR, 0.5], {}, { 0 => :i32, 1 => :dbl }],
  [:fc, :add_purchase, ["C", "b2c_consumer", T0, 10.0, 0], {},
   { 0 => :id, 1 => :enum, 2 => :time, 3 => :dbl, 4 => :enum }],
  [:fc, :cancel_subscription, ["C", T0], {}, { 0 => :id, 1 => :time }],
  [:fc, :add_kind, ["k"], {}, { 0 => :str }],
  [:fc, :kind_name, [1], {}, { 0 => :i32 }],
  [:fc, :fit, [T0], { segment: -1 }, { 0 => :time, segment: :enum }],
  [:fc, :spend_source, [], { segment: -1 }, { segment: :enum }],
  [:fc, :remove_customer, ["C"], {}, { 0 => :id }],
  [:fc, :erase, ["C"], {}, { 0 => :id }],
  [:lead, :erase, ["L"], {}, { 0 => :id }],
  [:lead, :close_due, [T0, 10], {}, { 0 => :time, 1 => :u64 }],
  [:fc, :fold, [T0, 10], {}, { 0 => :time, 1 => :u64 }],
  [:lead, :reopen, ["L"], {}, { 0 => :id }],
  [:seg, :erase, ["A"], {}, { 0 => :id }],
  [:ch, :erase, ["L"], {}, { 0 => :id }],
  [:ch, :merge, ["L", "M"], {}, { 0 => :id, 1 => :id }],
  [:fc, :list_customers, [], { segment: "b2c_consumer" }, { segment: :enum }],
  [:fc, :service_stats, [B2B2C::FORECAST_KIND_INSTALL], { segment: -1 }, { 0 => :enum, segment: :enum }],
  [:fc, :customer, ["C", T0, 30.0], {}, { 0 => :id, 1 => :time, 2 => :dbl }],
  [:fc, :due, [T0, 30.0], {}, { 0 => :time, 1 => :dbl }],
  [:fc, :holdout, [T0, T0 + DAY], { nout: 5, segment: -1 }, { 0 => :time, 1 => :time, nout: :nout, segment: :enum }],
  [:fc, :set_param, [B2B2C::FORECASTER_L2, 0.1], {}, { 0 => :i32, 1 => :dbl }],
  [:ch, :add, ["C2", "reach", 0, 0], {}, { 0 => :id, 1 => :enum, 2 => :enum, 3 => :enum }],
  [:ch, :get, ["seo"], {}, { 0 => :id }],
  [:ch, :set_spend, ["seo", T0, 1.0, 0.0], {}, { 0 => :id, 1 => :time, 2 => :dbl, 3 => :dbl }],
  [:ch, :touch, ["L2", "seo", T0], {}, { 0 => :id, 1 => :id, 2 => :time }],
  [:ch, :convert, ["L2", T0, 0.0], {}, { 0 => :id, 1 => :time, 2 => :dbl }],
  [:ch, :set_ltv, ["L1", 1.0], {}, { 0 => :id, 1 => :dbl }],
  [:ch, :metrics, [B2B2C::CHANNELS_BY_CHANNEL, "linear", T0, T0], {},
   { 0 => :enum, 1 => :enum, 2 => :time, 3 => :time }],
  [:ch, :attribute, ["linear", T0, T0], {}, { 0 => :enum, 1 => :time, 2 => :time }],
  [:ch, :attribute_lead, ["L1", "markov", T0, T0 + DAY], {}, { 0 => :id, 1 => :enum, 2 => :req_time, 3 => :req_time }],
  [:ch, :markov_effects, [T0, T0], {}, { 0 => :time, 1 => :time }],
  [:ch, :mix_shares, ["linear", T0, T0], {}, { 0 => :enum, 1 => :time, 2 => :time }],
  [:ch, :mix_lag, [T0, T0], { group: -1 }, { 0 => :time, 1 => :time, group: :enum }],
  [:ch, :set_param, [B2B2C::CHANNELS_LOOKBACK_DAYS, 30], {}, { 0 => :i32, 1 => :dbl }],
  [nil, :segment_name, [1], {}, { 0 => :i32 }],
  [nil, :segment_from_name, ["b2c_consumer"], {}, { 0 => :name }],
  [nil, :band_from_name, ["hot"], {}, { 0 => :name }],
  [nil, :lead_stage_from_name, ["won"], {}, { 0 => :name }],
  [nil, :channel_sub_kind, [1], {}, { 0 => :i32 }],
  [:pg, :set_promo, ["P", "D1", T0, T0 + DAY, 100], { product_line: nil },
   { 0 => :id, 1 => :id, 2 => :req_time, 3 => :req_time, 4 => :i64, product_line: :str }],
  [:pg, :claim, ["K", "P", "D1", 10, T0], {}, { 0 => :id, 1 => :id, 2 => :id, 3 => :i64, 4 => :req_time }],
  [:pg, :claim_status, ["K", "approved", T0], {}, { 0 => :id, 1 => :enum, 2 => :req_time }],
  [:pg, :claims, [], { promo_id: nil, dealer_id: nil }, { promo_id: :id, dealer_id: :id }],
  [:pg, :promo_spend, [], { by: "budget", promo_id: nil, dealer_id: nil },
   { by: :enum, promo_id: :id, dealer_id: :id }],
  [:pg, :promo_uplift, ["P", "D1"], {}, { 0 => :id, 1 => :id }],
  [:pg, :promo_uplift_list, ["P"], {}, { 0 => :id }]
].freeze

class EdgeValueTest < Minitest::Test
  def setup
    @ctx = B2B2C::Context.new
    lead = B2B2C::LeadModel.new(@ctx)
    lead.add("L", T0, segment: "b2c_consumer", channel: "search", region: "RU-MOW", product_line: "boilers")
    lead.event("L", "site_visit", T0)
    dealer = B2B2C::DealerEngine.new(@ctx)
    dealer.put("D", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5)
    dealer.route("R", "RU-MOW", now: T0, product_line: "boilers", segment: "b2c_consumer", band: "hot")
    fc = B2B2C::Forecaster.new(@ctx)
    fc.add_purchase("C", "b2c_consumer", T0, 10.0)
    ch = B2B2C::Channels.new(@ctx)
    ch.add("seo", "reach", "informational_seo", "b2c")
    ch.touch("L1", "seo", T0)
    ch.convert("L1", T0 + DAY, 100.0)
    pg = B2B2C::Programs.new(@ctx)
    pg.set_dealer("D1")
    @handles = { lead: lead, dealer: dealer, seg: B2B2C::Segmenter.new(@ctx), fc: fc, ch: ch, pg: pg,
                 nil => B2B2C }
  end

  def teardown = @ctx.close

  def test_table_covers_every_method_with_scalar_arguments
    covered = TABLE.map { |h, m, *| [h, m] }
    skip_names = %i[close count refit handle set_alert set_rescore_alert points_history param_bounds version rules fit_params subscription_stats
                    summaries classify classify_batch classify_sets size]
    { lead: B2B2C::LeadModel, dealer: B2B2C::DealerEngine, seg: B2B2C::Segmenter, fc: B2B2C::Forecaster,
      ch: B2B2C::Channels }.each do |h, cls|
      (cls.public_instance_methods(false) - skip_names).each do |name|
        assert_includes covered, [h, name]
      end
    end
  end

  def call_with(fn, args, kwargs, slot, value)
    a = args.dup
    kw = kwargs.dup
    slot.is_a?(Symbol) ? kw[slot] = value : a[slot] = value
    kw.empty? ? fn.call(*a) : fn.call(*a, **kw)
  end

  def test_edge_values
    checked = 0
    TABLE.each do |h, method, args, kwargs, kinds|
      fn = @handles[h].method(method)
      kinds.each do |slot, kind|
        EDGES.fetch(kind).each do |value, want|
          what = "#{h}.#{method} #{slot} = #{value.inspect}"
          if want.is_a?(Array)
            err = assert_raises(B2B2C::Error, what) { call_with(fn, args, kwargs, slot, value) }
            assert_equal want[1], err.code, what
          else
            err = assert_raises(StandardError, what) { call_with(fn, args, kwargs, slot, value) }
            assert_kind_of want, err, "#{what}: #{err.class}: #{err.message}"
          end
          checked += 1
        end
      end
    end
    assert_operator checked, :>, 600
    assert_equal 1, @handles[:lead].count
    assert_equal 1, @handles[:dealer].count
  end

  # Each attached function, each integer position at min-1 and max+1, each
  # string position with a NUL: the binding raises before the call (NULL
  # handles elsewhere would give EINVAL).
  def test_every_c_function_checks_before_the_call
    n = 0
    B2B2C::Lib::SIGNATURES.each do |name, types|
      base = types.map { |t| B2B2C::Lib::INT_RANGES.key?(t) ? 0 : (t == :double ? 0.0 : nil) }
      types.each_with_index do |t, i|
        cases = if B2B2C::Lib::INT_RANGES.key?(t)
                  lo, hi = B2B2C::Lib::INT_RANGES[t]
                  [[lo - 1, RangeError], [hi + 1, RangeError], [2.5, TypeError], [true, TypeError]]
                elsif t == :string
                  [["a\0b", ArgumentError], [7, TypeError]]
                else
                  []
                end
        cases.each do |value, exc|
          a = base.dup
          a[i] = value
          err = assert_raises(exc, "#{name} argument #{i + 1} = #{value.inspect}") { B2B2C::Lib.send(name, *a) }
          assert_match(/#{name}: argument #{i + 1}/, err.message)
          n += 1
        end
      end
    end
    assert_operator n, :>, 800
  end
end

class OutcomeEnumTimeTest < Minitest::Test
  def setup
    @ctx = B2B2C::Context.new
    @d = B2B2C::DealerEngine.new(@ctx)
    @d.put("D", territories: ["RU"], product_lines: ["boilers"], capacity: 5)
  end

  def teardown = @ctx.close

  def route(lead) = @d.route(lead, "RU", now: T0, product_line: "boilers", segment: "b2c_consumer", band: "hot")

  def test_outcome_names_and_booleans
    %w[a b c d e].each do |lead|
      route(lead)
      @d.accept(lead, "D", T0 + 60)
    end
    @d.outcome("a", "lost", 0.0, T0 + DAY)
    @d.outcome("b", :lost, 0.0, T0 + DAY)
    @d.outcome("c", false, 0.0, T0 + DAY)
    @d.outcome("d", "won", 5.0, T0 + DAY)
    @d.outcome("e", true, 7.0, T0 + DAY)
    st = @d.stats("D")
    assert_equal [2, 3, 12.0], [st["won"], st["lost"], st["revenue"]]
    assert_raises(ArgumentError) { @d.outcome("a", 0, 0.0, T0 + DAY) }
  end

  def test_lead_outcome_zero_is_not_a_win
    m = B2B2C::LeadModel.new(@ctx)
    m.set_param(B2B2C::LEAD_MIN_OUTCOMES, 2)
    %w[a b c].each do |lead|
      m.add(lead, T0)
      m.outcome(lead, :lost, T0 + DAY)
    end
    assert_raises(ArgumentError) { m.outcome("a", 0, T0 + DAY) }
    err = assert_raises(B2B2C::Error) { m.refit }
    assert_match(/3 outcomes \(0 won\)/, err.message)
  end

  def test_route_needs_now
    err = assert_raises(ArgumentError) { @d.route("a", "RU", product_line: "boilers") }
    assert_match(/now/, err.message)
    assert_raises(B2B2C::Error) { @d.lead_state("a") }
  end

  def test_pause_needs_an_end
    assert_raises(ArgumentError) { @d.set_status("D", "paused") }
    route("a")
    assert_equal [B2B2C::DEALER_LEAD_OFFERED, "D"], @d.lead_state("a")
    @d.set_status("D", :paused, T0 + DAY)
    @d.set_status("D", B2B2C::DEALER_ACTIVE)
  end

  def test_markov_lead_attribution_needs_a_window
    ch = B2B2C::Channels.new(@ctx)
    ch.add("seo", "reach")
    ch.touch("L", "seo", T0)
    ch.convert("L", T0 + DAY)
    assert_raises(ArgumentError) { ch.attribute_lead("L", "markov") }
    assert_equal [1.0], ch.attribute_lead("L", "last").map(&:share)
  end
end
