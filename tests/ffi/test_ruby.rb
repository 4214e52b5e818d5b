# SPDX-License-Identifier: MIT
# The Ruby (ffi) binding against the built shared library.
require "csv"
require "minitest/autorun"
# B2B2C_TEST_INSTALLED=1: the installed gem (.ci/run), not the tree's
if ENV["B2B2C_TEST_INSTALLED"] == "1"
  require "b2b2c"
else
  require_relative "../../examples/ruby/b2b2c"
end

class CoreTest < Minitest::Test
  def test_param_bounds
    assert_equal [0.01, 3650.0, 30.0], B2B2C.param_bounds(B2B2C::LEAD_HALF_LIFE_DAYS)
    assert_equal "CHANNELS_MIX_LAG_WEEKS", B2B2C.param_name(B2B2C::CHANNELS_MIX_LAG_WEEKS)
    assert_nil B2B2C.param_name(199)
    err = assert_raises(B2B2C::Error) { B2B2C.param_bounds(199) }
    assert_equal B2B2C::EINVAL, err.code
  end

  def test_version
    assert_equal 10_000, B2B2C.version_number
    assert_equal "1.0.0", B2B2C.version
  end

  def test_names
    B2B2C::SEGMENTS.each_with_index do |name, i|
      assert_equal name, B2B2C.segment_name(i)
      assert_equal i, B2B2C.segment_from_name(name)
    end
    assert_equal "hot", B2B2C.band_name(3)
    err = assert_raises(B2B2C::Error) { B2B2C.band_from_name("tepid") }
    assert_equal B2B2C::EINVAL, err.code
  end

  def test_utc_offset
    B2B2C::Context.open do |ctx|
      assert_equal 0, ctx.utc_offset
      ctx.set_utc_offset(3 * 3600)
      assert_equal 10_800, ctx.utc_offset
      err = assert_raises(B2B2C::Error) { ctx.set_utc_offset(B2B2C::UTC_OFFSET_MAX + 1) }
      assert_equal B2B2C::ERANGE, err.code
      assert_match(/seconds/, err.message)
      # a daily quota of 2 resets at local midnight: 21:00 UTC
      d = B2B2C::DealerEngine.new(ctx)
      err = assert_raises(B2B2C::Error) { ctx.set_utc_offset(0) }
      assert_equal B2B2C::ESTATE, err.code
      d.put("d", territories: ["FR"], capacity: 10, daily_quota: 2)
      [19, 20, 22].each_with_index do |h, i|
        assert_equal "d", d.route(i.to_s, "FR", now: 1_767_225_600 + h * 3600)[0]
      end
      d.close
      assert_equal 10_800, ctx.utc_offset
    end
  end

  def test_context_transaction
    store = B2B2C::MemStore.new
    B2B2C::Context.open(store) do |ctx|
      ctx.transaction { nil }
      err = assert_raises(B2B2C::Error) { ctx.commit }
      assert_equal B2B2C::ESTATE, err.code
      assert_match(/no transaction group/, err.message)
      assert_raises(ZeroDivisionError) { ctx.transaction { 1 / 0 } }
      ctx.begin_group
      assert_raises(B2B2C::Error) { ctx.begin_group }
      ctx.rollback
    end
    store.close
  end
end

# ---- the engines ------------------------------------------------------------

ROOT = File.expand_path("../..", __dir__)
DAY = 86_400
T0 = 1_767_225_600 # 2026-01-01

class BindingCompletenessTest < Minitest::Test
  def test_every_map_symbol_bound
    text = File.read(File.join(ROOT, "src/libb2b2c.map")).gsub(%r{/\*.*?\*/}m, "")
    syms = text.scan(/^\s*(b2b2c_\w+)\s*;/).flatten
    assert_operator syms.size, :>, 150
    missing = syms.reject { |s| B2B2C::Lib.respond_to?(s) }
    assert_equal [], missing
    bound = B2B2C::Lib.singleton_methods.map(&:to_s).grep(/\Ab2b2c_/)
    assert_equal [], bound - syms
  end

  def test_constants_match_headers
    seen = 0
    Dir[File.join(ROOT, "include/b2b2c/*.h")].sort.each do |h|
      text = File.read(h).gsub(%r{/\*.*?\*/}m, "")
      text.scan(/enum\s*\{(.*?)\}/m).flatten.each do |body|
        body.scan(/B2B2C_(\w+)\s*=\s*(-?\d+)/).each do |name, value|
          assert_equal Integer(value), B2B2C.const_get(name), name
          seen += 1
        end
      end
    end
    assert_operator seen, :>, 200
  end
end

class EngineTest < Minitest::Test
  def setup = @ctx = B2B2C::Context.new
  def teardown = @ctx.close

  def assert_error(code, &blk)
    err = assert_raises(B2B2C::Error, &blk)
    assert_equal code, err.code, err.message
    err
  end
end

class SegmentTest < EngineTest
  EXPECTED = { "chain-1" => "dealer_large_wholesale", "shop-1" => "dealer_small_retail",
               "plant-1" => "b2b_large", "gov-1" => "b2b_large", "ws-1" => "b2b_small_pro",
               "contr-1" => "b2b_small_pro", "p-1" => "b2c_consumer", "nobody" => "unknown" }.freeze

  def setup
    super
    @seg = B2B2C::Segmenter.new(@ctx)
    @accounts = CSV.read(File.join(ROOT, "examples/data/segments/accounts.csv"), headers: true).to_h do |r|
      attrs = r.to_h.reject { |k, v| k == "account_id" || v.nil? || v.empty? }.to_h do |k, v|
        [k.to_sym, case k
                   when "reseller" then v == "yes" ? 1 : 0
                   when "party_type", "org_kind" then v
                   else Float(v)
                   end]
      end
      [r["account_id"], attrs]
    end
  end

  def test_source_account_kinds
    EXPECTED.each do |acc, name|
      c = @seg.classify(@accounts.fetch(acc))
      assert_equal name, c.name, acc
      assert c.confidence.between?(0.0, 1.0)
    end
    c = @seg.classify(@accounts.fetch("ws-2"))
    assert_equal "b2b_small_pro", c.name
    assert_operator c.confidence, :<, 1.0
    assert_includes c.missing, "employees"
  end

  def test_batch_and_sets_agree
    rows = @accounts.keys.sort.map { |k| @accounts[k] }
    batch = @seg.classify_batch(rows)
    sets = rows.map { |r| B2B2C::Attrs.new(@ctx, **r) }
    assert_equal batch, @seg.classify_sets(sets)
    sets.each(&:close)
    rows.zip(batch).each do |row, (seg, conf)|
      c = @seg.classify(row)
      assert_equal [seg, conf], [c.segment, c.confidence]
    end
  end

  def test_list_accounts
    @seg.assign_segment("b", "b2c_consumer", T0)
    @seg.assign_segment("a", "b2b_large", T0 + DAY)
    @seg.assign_segment("b", "b2b_small_pro", T0 + (2 * DAY))
    rows = @seg.list_accounts
    assert_equal %w[a b], rows.map(&:account_id)
    assert_equal @seg.assignment("b"), rows[1].to_a[1..]
    assert_equal ["a"], @seg.list_accounts(segment: "b2b_large").map(&:account_id)
  end

  def test_rules_assign_migrations_route
    ws = { party_type: "organisation", org_kind: "workshop", orders_per_year: 120.0 }
    assert_equal B2B2C::SEGMENT_B2B_SMALL_PRO, @seg.assign("acme", ws, T0)
    v = @seg.version
    @seg.rule_add("busy_workshops", 650, "b2b_large",
                  "all(org_kind in (workshop, contractor), orders_per_year >= 50)")
    assert_includes @seg.rules.reject(&:is_default).map(&:rule_id), "busy_workshops"
    assert_equal B2B2C::SEGMENT_B2B_LARGE, @seg.assign("acme", ws, T0 + DAY)
    assert_equal [B2B2C::SEGMENT_B2B_LARGE, T0 + DAY, v + 1], @seg.assignment("acme")
    assert_equal 2, @seg.history("acme").size
    mig = @seg.migrations(T0 + 1)
    assert_equal [%w[acme busy_workshops]], mig.map { |m| [m.account_id, m.rule] }
    dest, = @seg.route("b2c_consumer", "hot")
    assert_equal "dealer", B2B2C.seg_dest_name(dest)
    assert_error(B2B2C::ERANGE) { @seg.set_param(B2B2C::SEG_OPEN_RULE_FACTOR, 2.0) }
  end

  def test_attrs_and_bad_id
    B2B2C::Attrs.open(@ctx, party_type: "organisation") do |a|
      a.set(:org_kind, "workshop").set(B2B2C::SEG_ATTR_EMPLOYEES, 8)
      assert_equal %w[party_type org_kind employees], a.present
      err = assert_error(B2B2C::ERANGE) { a.set(:employees, -1) }
      assert_match(/employees/, err.message)
    end
    err = assert_error(B2B2C::EBADID) { @seg.assign("", {}, T0) }
    assert_match(/account_id/, err.message)
  end
end

class LeadTest < EngineTest
  def setup
    super
    @m = B2B2C::LeadModel.new(@ctx)
    @alerts = []
    @m.set_alert { |change| @alerts << change }
    [["olga", "newsletter_subscribe", 0], ["ivan", "guide_download", 1],
     ["petr", "quote_request", 2]].each do |who, kind, day|
      @m.add(who, T0, segment: "b2c_consumer", channel: "search", region: "RU-MOW")
      @m.event(who, kind, T0 + (day * DAY))
    end
  end

  def test_close_reopen
    @m.set_stage("ivan", "disqualified", T0 + DAY)
    assert_equal 0, @m.close_due(T0 + (10 * DAY))
    assert_equal 1, @m.close_due(T0 + (200 * DAY), 2)
    assert_equal 2, @m.count
    assert_equal B2B2C::LEAD_STAGE_DISQUALIFIED, @m.stage("ivan")
    err = assert_raises(B2B2C::Error) { @m.event("ivan", "site_visit", T0 + (200 * DAY)) }
    assert_equal B2B2C::ESTATE, err.code
    @m.reopen("ivan")
    assert_equal 3, @m.count
  end

  def test_source_bands_and_alert
    now = T0 + (3 * DAY)
    assert_equal %w[cold warm hot], %w[olga ivan petr].map { |w| @m.band(w, now) }
    assert_equal [["ivan", B2B2C::BAND_COLD, B2B2C::BAND_WARM], ["petr", B2B2C::BAND_COLD, B2B2C::BAND_HOT]],
                 @alerts.map { |a| [a.lead_id, a.old_band, a.new_band] }
    assert_equal %w[petr ivan], @m.top(now, 2).map(&:lead_id)
    assert_equal 3, @m.counts(now).sum { |c| c[3] }
    assert_equal 3, @m.count
  end

  def test_points_learned_from_outcomes
    @m.set_param(B2B2C::LEAD_MIN_OUTCOMES, 4)
    rnd = Random.new(5)
    60.times do |i|
      id = "p#{i}"
      @m.add(id, T0, segment: "b2c_consumer")
      n = rnd.rand(3)
      n.times { |d| @m.event(id, "webinar_attend", T0 + (d * DAY)) }
      @m.outcome(id, rnd.rand < 0.15 + (0.3 * n), T0 + (5 * DAY))
    end
    now = T0 + (5 * DAY)
    sug = @m.suggest_points(5)
    assert_equal sug.map(&:entry).sort, sug.map(&:entry)
    web = sug.find { |s| s.entry == "kind:webinar_attend" }
    assert_operator web.outcomes, :>=, 5
    assert_operator web.std_error, :>, 0
    table = sug.to_h { |s| [s.entry, s.suggested] }
    dry = @m.points_dry_run(table, now, warm_share: 0.3, hot_share: 0.1, folds: 4, seed: 3)
    assert_equal @m.count, dry["moves"].flatten.sum
    changes = []
    @m.set_rescore_alert { |c| changes << c }
    warm, hot = @m.points_apply(table, now, warm_share: 0.3, hot_share: 0.1)
    assert_equal [dry["warm"], dry["hot"]], [warm, hot]
    hist = @m.points_history
    assert_equal "threshold:hot", hist.last.entry
    assert_equal hot, hist.last.new_points
    rescored = @m.band_changes_why(T0, now).select { |c| c.reason == B2B2C::LEAD_BAND_BY_RESCORE }.map(&:lead_id)
    assert_equal changes.map(&:lead_id).sort, rescored.sort
    err = assert_raises(B2B2C::Error) { @m.points_apply({ "kind:no_such" => 1.0 }, now) }
    assert_equal B2B2C::ENOTFOUND, err.code
    assert_match(/entries\[0\]/, err.message)
  end

  def test_set_attr
    now = T0 + (3 * DAY)
    @m.attr_points_set(:channel, "partner", 12)
    @m.attr_points_set(:segment, "b2b_large", 5)
    before = @m.score("olga", now)[0]
    @m.set_attr("olga", :channel, "partner")
    @m.set_attr("olga", B2B2C::LEAD_ATTR_SEGMENT, :b2b_large)
    @m.set_attr("olga", "region", nil)
    assert_in_delta 17, @m.score("olga", now)[0] - before, 1e-9
    @m.set_attr("olga", :segment, B2B2C::SEGMENT_B2C_CONSUMER)
    assert_in_delta 12, @m.score("olga", now)[0] - before, 1e-9
    assert_error(B2B2C::ENOTFOUND) { @m.set_attr("nobody", :channel, "x") }
    assert_raises(ArgumentError) { @m.set_attr("olga", :segment, "no_such_segment") }
  end

  def test_alert_exception_reraised_after_commit
    @m.set_alert { |c| raise KeyError, c.lead_id }
    assert_raises(KeyError) { @m.event("olga", "question_asked", T0 + (3 * DAY)) }
    assert_equal "hot", @m.band("olga", T0 + (3 * DAY))
    @m.set_alert
    @m.event("ivan", "question_asked", T0 + (3 * DAY))
  end

  def test_list
    @m.set_stage("olga", "nurturing", T0 + DAY)
    rows = @m.list(T0 + (3 * DAY))
    assert_equal %w[ivan olga petr], rows.map(&:lead_id)
    score, band = @m.score("petr", T0 + (3 * DAY))
    assert_equal B2B2C::LeadItem.new("petr", B2B2C::LEAD_STAGE_NEW, band, score), rows[2]
    assert_equal ["olga"], @m.list(T0 + (3 * DAY), stage: "nurturing").map(&:lead_id)
    assert_equal rows.select { |r| r.band == band }.map(&:lead_id), @m.list(T0 + (3 * DAY), band: band).map(&:lead_id)
  end

  def test_funnel
    @m.set_stage("petr", "qualified", T0 + (2 * DAY))
    @m.set_stage("petr", "passed_to_dealer", T0 + (3 * DAY))
    @m.set_stage("olga", "lost", T0 + DAY)
    rows = @m.funnel(nil, nil, T0 + (10 * DAY))
    assert_equal [["all", B2B2C::LEAD_STAGE_NEW], ["all", B2B2C::LEAD_STAGE_QUALIFIED],
                  ["all", B2B2C::LEAD_STAGE_PASSED_TO_DEALER], ["all", B2B2C::LEAD_STAGE_LOST]],
                 rows.map { |r| [r.group, r.stage] }
    new = rows[0].fields
    assert_equal [3, 1, 1, 1], new.values_at("entered", "forward", "dropped", "open")
    assert_equal 1, new["moved_to"]["qualified"]
    assert_equal [1.5, 1.9], new.values_at("days_median", "days_p90")
    assert_equal 2.0, rows[1].fields["reach_median"]
    assert rows[2].fields["days_median"].nan?
    band = @m.funnel(T0, T0 + DAY, T0 + (10 * DAY), by: "band")
    assert_equal [%w[cold new], %w[cold lost], %w[hot qualified], %w[hot passed_to_dealer]],
                 band.map { |r| [r.group, B2B2C.lead_stage_name(r.stage)] }
    assert_equal ["2026-01"], @m.funnel(nil, nil, T0, by: :month).map(&:group)
    assert_equal [], @m.funnel(T0 + DAY, nil, T0 + (10 * DAY))
    err = assert_error(B2B2C::EINVAL) { @m.funnel(nil, nil, T0, by: B2B2C::LEAD_FUNNEL_BY_BAND + 1) }
    assert_match(/by/, err.message)
    assert_error(B2B2C::ERANGE) { @m.funnel(T0 + 1, T0, T0) }
    assert_raises(ArgumentError) { @m.funnel(nil, nil, T0, by: "weekday") }
  end

  def test_stages_and_errors
    @m.set_stage("petr", "qualified", T0 + (2 * DAY))
    assert_equal "qualified", B2B2C.lead_stage_name(@m.stage("petr"))
    assert_equal [[B2B2C::LEAD_STAGE_NEW, B2B2C::LEAD_STAGE_QUALIFIED, T0 + (2 * DAY)]],
                 @m.stage_history("petr")
    assert_error(B2B2C::ESTATE) { @m.set_stage("olga", "won", T0 + DAY) }
    err = assert_error(B2B2C::EBADID) { @m.add("", T0) }
    assert_match(/id/, err.message)
    assert_error(B2B2C::EEXISTS) { @m.add("olga", T0) }
    assert_error(B2B2C::ENOTREADY) { @m.probability("petr", T0) }
  end

  def test_late_events
    @m.event("olga", "site_visit", T0 + (3 * DAY))
    err = assert_error(B2B2C::ERANGE) { @m.event("olga", "pricing_view", T0 + (2 * DAY)) }
    assert_match(/LATENESS_DAYS is 0/, err.message)
    @m.set_param(B2B2C::LEAD_LATENESS_DAYS, 2)
    assert_equal 2, @m.get_param(B2B2C::LEAD_LATENESS_DAYS)
    @m.event("olga", "email_open", T0 + (4 * DAY))
    before = @m.score("olga", T0 + (4 * DAY))[0]
    @m.event("olga", "pricing_view", T0 + (3 * DAY) + 1)
    assert_operator @m.score("olga", T0 + (4 * DAY))[0], :>, before
    err = assert_error(B2B2C::ERANGE) { @m.event("olga", "pricing_view", T0 + DAY) }
    assert_match(/LATENESS_DAYS \(2 days\)/, err.message)
  end

  def test_merge
    now = T0 + (3 * DAY)
    before = @m.score("ivan", now)[0]
    @m.merge("olga", "ivan", now)
    assert_equal 2, @m.count
    assert_operator @m.score("ivan", now)[0], :>, before
    assert_error(B2B2C::ENOTFOUND) { @m.score("olga", now) }
    assert_error(B2B2C::EINVAL) { @m.merge("ivan", "ivan", now) }
    err = assert_error(B2B2C::ENOTFOUND) { @m.merge("olga", "ivan", now) }
    assert_match(/from_id/, err.message)
  end

  def test_time_range_and_remove
    err = assert_error(B2B2C::ERANGE) { @m.event("olga", "site_visit", B2B2C::TIME_MAX + 1) }
    assert_match(/time range/, err.message)
    err = assert_error(B2B2C::ERANGE) { @m.event("olga", "site_visit", T0 - 1) }
    assert_match(/before the creation of lead 'olga'/, err.message)
    @m.event("olga", "site_visit", B2B2C::TIME_MAX)
    @m.remove("olga")
    assert_equal 2, @m.count
    assert_error(B2B2C::ENOTFOUND) { @m.remove("olga") }
    @m.add("olga", T0)
    @m.event("olga", "site_visit", T0 + DAY)
  end

  def test_refit_converges_and_reports_the_bound
    @m.set_param(B2B2C::LEAD_MIN_OUTCOMES, 2)
    assert_error(B2B2C::ENOTREADY) { @m.refit }
    won = ->(i) { i % 3 == 1 || (i % 7).zero? }
    40.times do |i|
      @m.add("t#{i}", T0)
      @m.event("t#{i}", "webinar_attend", T0 + DAY) unless (i % 3).zero?
      @m.outcome("t#{i}", won.(i), T0 + DAY)
    end
    r = @m.refit
    assert_equal true, r.converged
    assert_includes 3..100, r.passes
    mean = 40.times.sum { |i| @m.probability("t#{i}", T0 + DAY) } / 40
    assert_in_delta 40.times.count(&won) / 40.0, mean, 1e-5
    @m.set_param(B2B2C::LEAD_REFIT_EPOCHS, 2)
    assert_equal ["max_iter", 2, false], @m.refit.to_a
  end
end

class DealerTest < EngineTest
  def setup
    super
    @d = B2B2C::DealerEngine.new(@ctx)
    @d.put("mow-1", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5, deadline_hours: 24)
    @d.put("spb-1", territories: ["RU-SPE"], product_lines: ["boilers"], capacity: 5)
  end

  def route(lead, region = "RU-MOW-01", now = T0)
    @d.route(lead, region, product_line: "boilers", segment: "b2c_consumer", band: "hot", now: now)
  end

  def test_route_to_only_eligible_and_accept
    assert_equal ["mow-1", B2B2C::DEALER_REASON_ROUTED], route("petr")
    @d.accept("petr", "mow-1", T0 + 3600)
    assert_equal [B2B2C::DEALER_LEAD_ACCEPTED, "mow-1"], @d.lead_state("petr")
    @d.outcome("petr", true, 1200.0, T0 + (5 * DAY))
    st = @d.stats("mow-1")
    assert_equal [1, 1, 1, 1200.0], st.values_at("offered", "accepted", "won", "revenue")
    audit = @d.audit_lead("petr")
    assert_equal "mow-1", audit[0].dealer_id
    assert_equal 1, audit[0].fields["candidates"]
    assert_equal B2B2C::DEALER_AUDIT_NFIELDS, audit[0].fields.size
    assert_equal ["mow-1"], @d.scorecards(T0, T0 + (30 * DAY)).map(&:first)
    funnel = @d.funnel(T0, T0 + (30 * DAY))
    assert_equal ["mow-1", nil], funnel.map(&:first)
    assert_equal [1, 1, 1.0], [funnel[0][1]["offered"], funnel[-1][1]["won"], funnel[0][1]["response_p50_hours"]]
  end

  def test_list
    @d.set_status("spb-1", "paused", T0 + DAY)
    assert_equal [B2B2C::DealerItem.new("mow-1", B2B2C::DEALER_ACTIVE, 0, 1.0, 5, 0),
                  B2B2C::DealerItem.new("spb-1", B2B2C::DEALER_PAUSED, T0 + DAY, 1.0, 5, 0)], @d.list
    assert_equal ["mow-1"], @d.list(status: "active").map(&:dealer_id)
  end

  def test_prune
    route("petr")
    assert_equal 0, @d.prune(T0 + (10 * DAY))
    @d.set_param(B2B2C::DEALER_PARAM_AUDIT_DAYS, 1)
    assert_equal 1, @d.prune(T0 + (10 * DAY), 5)
    assert_equal [], @d.audit_lead("petr")
  end

  def test_close_due
    dealer, = route("petr")
    @d.accept("petr", dealer, T0 + 60)
    @d.outcome("petr", true, 100.0, T0 + 120)
    @d.set_param(B2B2C::DEALER_PARAM_AUDIT_DAYS, 1)
    assert_equal 1, @d.prune(T0 + (10 * DAY))
    assert_equal 0, @d.close_due(T0 + (10 * DAY))
    @d.set_param(B2B2C::DEALER_PARAM_CLOSE_DAYS, 5)
    assert_equal 1, @d.close_due(T0 + (10 * DAY), 1)
    assert_equal [B2B2C::DEALER_LEAD_WON, dealer], @d.lead_state("petr")
    assert_equal 1, @d.stats(dealer)["won"]
    assert_error(B2B2C::ERANGE) { @d.close_due(T0, 0) }
  end

  def test_offboard
    @d.put("mow-2", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5)
    dealer, = route("petr")
    other = dealer == "mow-1" ? "mow-2" : "mow-1"
    reps = @d.offboard(dealer, T0 + 60)
    assert_equal [["petr", dealer, other]], reps.map { |r| [r.lead_id, r.from_dealer, r.to_dealer] }
    assert_equal 1, @d.stats(dealer)["recalled"]
    assert_equal [], @d.offboard(dealer, T0 + 61)
    assert_error(B2B2C::ENOTFOUND) { @d.offboard("nobody", T0) }
  end

  def test_no_dealer_and_expire
    err = assert_error(B2B2C::ENODEALER) { route("x", "FR") }
    assert_equal "no_territory", B2B2C.dealer_reason_name(err.reason)
    route("ivan")
    seen = []
    reps = @d.expire(T0 + (2 * DAY)) { |r| seen << r }
    assert_equal reps, seen
    assert_equal [["ivan", "mow-1", nil]], reps.map { |r| [r.lead_id, r.from_dealer, r.to_dealer] }
    assert_equal B2B2C::DEALER_LEAD_UNROUTED, @d.lead_state("ivan")[0]
  end

  def test_block_exception_reraised
    route("a")
    route("b")
    calls = 0
    assert_raises(RuntimeError) do
      @d.expire(T0 + (2 * DAY)) do
        calls += 1
        raise "host failed"
      end
    end
    assert_equal 1, calls
    assert_equal [], @d.expire(T0 + (2 * DAY))
    assert_equal 2, @d.stats("mow-1")["expired"]
  end

  def test_customer_of_record
    key = [0x9f, 0, 0x13].pack("C*")
    @d.put("mow-2", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5)
    @d.set_param(B2B2C::DEALER_PARAM_POLICY, B2B2C::DEALER_POLICY_ROUND_ROBIN)
    won, = @d.route_customer("v1", key, "RU-MOW", product_line: "boilers", now: T0)
    @d.accept("v1", won, T0 + 60)
    @d.outcome("v1", true, 100.0, T0 + DAY)
    @d.owner_win("v1", key)
    assert_equal [won, T0 + DAY, T0 + DAY + (365 * DAY)], @d.owner(key, T0 + DAY, product_line: "boilers")
    3.times do |i|
      assert_equal [won, B2B2C::DEALER_REASON_OWNER],
                   @d.route_customer("r#{i}", key, "RU-MOW", product_line: "boilers", now: T0 + (2 * DAY))
    end
    assert_equal B2B2C::DEALER_OWNER_CHOSEN, @d.audit_lead("r0")[0].fields["owner"]
    assert_equal 3, @d.scorecards(T0, T0 + (30 * DAY)).to_h[won]["owner_kept"]
    other = won == "mow-1" ? "mow-2" : "mow-1"
    @d.owner_transfer(key, other, T0 + (3 * DAY), product_line: "boilers")
    assert_equal other, @d.owner(key, T0 + (3 * DAY), product_line: "boilers")[0]
    @d.owner_release(key, T0 + (4 * DAY), product_line: "boilers")
    err = assert_error(B2B2C::ENOTFOUND) { @d.owner(key, T0 + (4 * DAY), product_line: "boilers") }
    assert_match(/customer_key/, err.message)
    assert_error(B2B2C::EBADID) { @d.owner("", T0) }
    assert_error(B2B2C::ERANGE) { @d.owner("x" * 65, T0) }
    assert_raises(TypeError) { @d.owner(5, T0) }
    assert_equal "owner", B2B2C.dealer_reason_name(B2B2C::DEALER_REASON_OWNER)
  end

  def test_deal_registration
    key = [0x0a, 0, 0xff].pack("C*")
    @d.put("spb-1", territories: ["RU-SPE"], product_lines: ["boilers"], capacity: 5)
    @d.register("spb-1", key, product_line: "boilers", value: 5000.0, expected_close: T0 + (30 * DAY), now: T0)
    assert_equal({ dealer_id: "spb-1", state: B2B2C::DEALER_REG_PENDING, since: T0, until: T0 + (90 * DAY),
                   expected_close: T0 + (30 * DAY) }, @d.registration(key, T0 + 1, product_line: "boilers"))
    err = assert_error(B2B2C::EEXISTS) do
      @d.register("mow-1", key, product_line: "boilers", expected_close: T0 + DAY, now: T0 + 1)
    end
    assert_match(/spb-1/, err.message)
    assert_error(B2B2C::EDUPLICATE) do
      @d.register("spb-1", key, product_line: "boilers", expected_close: T0 + DAY, now: T0 + 1)
    end
    assert_equal ["spb-1", B2B2C::DEALER_PROTECT_PENDING, T0 + (90 * DAY)],
                 @d.protected(key, T0 + 2, product_line: "boilers")
    @d.reg_approve(key, T0 + 3, product_line: "boilers")
    assert_equal ["spb-1", B2B2C::DEALER_REASON_REGISTERED],
                 @d.route_customer("g1", key, "RU-MOW", product_line: "boilers", now: T0 + 4)
    @d.reg_extend(key, T0 + (200 * DAY), T0 + 5, product_line: "boilers")
    assert_equal 0, @d.reg_expire(T0 + (199 * DAY))
    assert_equal 1, @d.reg_expire(T0 + (200 * DAY))
    assert_equal B2B2C::DEALER_REG_EXPIRED, @d.registration(key, T0 + (200 * DAY), product_line: "boilers")[:state]
    assert_equal [nil, B2B2C::DEALER_PROTECT_NONE, 0], @d.protected(key, T0 + (200 * DAY), product_line: "boilers")
    assert_equal 1, @d.scorecards(T0, T0 + (300 * DAY)).to_h["spb-1"]["reg_expired"]
    assert_error(B2B2C::ENOTFOUND) { @d.registration("\x01", T0) }
    assert_raises(TypeError) { @d.register("mow-1", 5, expected_close: T0, now: T0) }
  end

  def test_service_partners
    key = [0x42, 0, 0x17].pack("C*")
    @d.put("mow-2", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5)
    @d.set_param(B2B2C::DEALER_PARAM_POLICY, B2B2C::DEALER_POLICY_ROUND_ROBIN)
    err = assert_error(B2B2C::ENODEALER) { @d.route_service("s0", "repair", "RU-MOW", product_line: "boilers", now: T0) }
    assert_equal B2B2C::DEALER_REASON_NO_SERVICE, err.reason
    @d.certify("mow-2", :repair, T0, product_line: "boilers")
    @d.certify("mow-2", B2B2C::DEALER_SERVICE_INSTALL, T0)
    assert_equal T0, @d.certified("mow-2", "repair", T0 + 1, product_line: "boilers")
    assert_equal T0, @d.certified("mow-2", "install", T0 + 1, product_line: "boilers")
    assert_error(B2B2C::ENOTFOUND) { @d.certified("mow-1", "repair", T0 + 1, product_line: "boilers") }
    3.times do |i|
      assert_equal ["mow-2", B2B2C::DEALER_REASON_ROUTED],
                   @d.route_service("s#{i}", "repair", "RU-MOW", customer_key: key, product_line: "boilers",
                                                                 now: T0 + 60 + i)
    end
    assert_equal B2B2C::DEALER_SERVICE_REPAIR, @d.audit_lead("s1")[0].fields["service"]
    cards = @d.scorecards(T0, T0 + DAY).to_h
    assert_equal 3, cards["mow-2"]["service_jobs"]
    assert_equal 0, cards["mow-2"]["owner_lost"]
    @d.decertify("mow-2", "repair", T0 + 120, product_line: "boilers")
    assert_error(B2B2C::ENOTFOUND) { @d.certified("mow-2", "repair", T0 + 120, product_line: "boilers") }
    assert_raises(ArgumentError) { @d.certify("mow-2", "massage", T0) }
    assert_error(B2B2C::ERANGE) { @d.certify("mow-2", 99, T0) }
    assert_equal "warranty", B2B2C.dealer_service_name(B2B2C::DEALER_SERVICE_WARRANTY)
    assert_equal "no_service", B2B2C.dealer_reason_name(B2B2C::DEALER_REASON_NO_SERVICE)
  end

  def test_owner_import
    k1 = [0x9f, 0, 0x13].pack("C*")
    k2 = "\x01".b
    @d.put("mow-2", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5)
    @d.owner_assign(k1, "mow-2", T0 - (10 * DAY), T0, product_line: "boilers")
    @d.owner_assign(k2, "mow-1", T0 - DAY, T0)
    assert_equal ["mow-2", B2B2C::DEALER_REASON_OWNER],
                 @d.route_customer("i1", k1, "RU-MOW", product_line: "boilers", now: T0)
    assert_equal [B2B2C::OwnerItem.new(k2, "", "mow-1", T0 - DAY, T0 + (364 * DAY)),
                  B2B2C::OwnerItem.new(k1, "boilers", "mow-2", T0 - (10 * DAY), T0 + (355 * DAY))],
                 @d.list_owners(T0)
    err = assert_error(B2B2C::ESTATE) { @d.owner_assign(k1, "mow-1", T0 - (20 * DAY), T0, product_line: "boilers") }
    assert_match(/since/, err.message)
    assert_error(B2B2C::ENOTFOUND) { @d.owner_assign(k1, "nobody", T0, T0, product_line: "boilers") }
    assert_error(B2B2C::ERANGE) { @d.owner_assign(k1, "mow-1", T0 + 1, T0, product_line: "boilers") }
  end

  def test_markov_counts_stateless
    # A > B > A converting, a direct conversion, B not converting
    cnt = B2B2C.channel_markov_counts(2, [[0, 1, 0], [], [1]], [true, true, false])
    assert_equal 15, cnt.size
    assert_equal [0, 1, 1, 0, 0], cnt[0, 5] # START -> A, START -> B
    half = B2B2C.channel_markov_counts(2, [[0, 1, 0]], [true])
    rest = B2B2C.channel_markov_counts(2, [[], [1]], [true, false])
    assert_equal cnt, half.zip(rest).map(&:sum) # batches add up
    p_conv, eff = B2B2C.channel_markov_effects(cnt, 2)
    assert_in_delta 0.5, p_conv, 1e-15
    assert_in_delta 1.0, eff[0], 1e-15
    assert_in_delta 0.5, eff[1], 1e-15
    err = assert_error(B2B2C::ERANGE) { B2B2C.channel_markov_counts(2, [[0, 2]], [true]) }
    assert_match(/channels\[1\]/, err.message)
  end

  def test_errors
    err = assert_error(B2B2C::EBADID) { @d.put("", territories: ["RU"]) }
    assert_match(/dealer/, err.message)
    assert_error(B2B2C::ENOTFOUND) { @d.stats("nobody") }
    assert_equal 2, @d.count
    assert_equal [0.0, 3.0, 2.0], B2B2C.param_bounds(B2B2C::DEALER_PARAM_POLICY)
  end
end

class EraseTest < EngineTest
  ID = "ZQX-erase-me-7731"

  def test_erase_every_engine
    m = B2B2C::LeadModel.new(@ctx)
    f = B2B2C::Forecaster.new(@ctx)
    s = B2B2C::Segmenter.new(@ctx)
    ch = B2B2C::Channels.new(@ctx)
    m.add(ID, T0, segment: "b2c_consumer", channel: "search")
    m.add("keep", T0)
    m.event(ID, "site_visit", T0 + DAY)
    f.add_purchase(ID, "b2c_consumer", T0, 10.0)
    s.assign_segment(ID, "b2c_consumer", T0)
    ch.add("seo", "reach", "informational_seo", "b2c")
    ch.touch(ID, "seo", T0)
    [m, f, s, ch].each { |h| h.erase(ID) }
    assert_equal 1, m.count
    assert_error(B2B2C::ENOTFOUND) { m.stage(ID) }
    assert_error(B2B2C::ENOTFOUND) { s.assignment(ID) }
    assert_equal [], f.list_customers
    [m, f, s, ch].each do |h|
      err = assert_error(B2B2C::ENOTFOUND) { h.erase(ID) }
      assert_match(/id: /, err.message)
      assert_error(B2B2C::EBADID) { h.erase("") }
    end
  end

  def test_erase_dealer_and_ctx
    d = B2B2C::DealerEngine.new(@ctx)
    s = B2B2C::Segmenter.new(@ctx)
    d.put("mow-1", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5)
    key = ID.b
    d.route(ID, "RU-MOW-01", product_line: "boilers", now: T0)
    d.register("mow-1", key, now: T0, expected_close: T0 + 30 * DAY, product_line: "boilers")
    d.erase_lead(ID)
    d.erase_customer(key)
    assert_error(B2B2C::ENOTFOUND) { d.lead_state(ID) }
    err = assert_error(B2B2C::ENOTFOUND) { d.erase_lead(ID) }
    assert_match(/lead_id: /, err.message)
    err = assert_error(B2B2C::ENOTFOUND) { d.erase_customer(key) }
    assert_match(/customer_key: /, err.message)
    d.route(ID, "RU-MOW-01", product_line: "boilers", now: T0)
    s.assign_segment(ID, "b2c_consumer", T0)
    assert_equal 2, @ctx.erase(ID)
    err = assert_error(B2B2C::ENOTFOUND) { @ctx.erase(ID) }
    assert_match(/id: /, err.message)
  end

  def test_merge_dealer_lead
    d = B2B2C::DealerEngine.new(@ctx)
    d.put("mow-1", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5)
    d.route("dup-1", "RU-MOW-01", product_line: "boilers", now: T0)
    d.accept("dup-1", "mow-1", T0 + 60)
    d.merge_lead("dup-1", ID, T0 + 120)
    assert_error(B2B2C::ENOTFOUND) { d.lead_state("dup-1") }
    assert_equal [B2B2C::DEALER_LEAD_ACCEPTED, "mow-1"], d.lead_state(ID)
    kinds = d.audit_lead(ID).map { |a| a.fields["kind"] }
    assert_equal [B2B2C::DEALER_KIND_ROUTE, B2B2C::DEALER_KIND_MERGE], kinds
    err = assert_error(B2B2C::ENOTFOUND) { d.merge_lead("dup-1", ID, T0 + 180) }
    assert_match(/from_id: /, err.message)
    err = assert_error(B2B2C::EINVAL) { d.merge_lead(ID, ID, T0 + 180) }
    assert_match(/from_id: /, err.message)
  end
end

class LifetimeTest < Minitest::Test
  def test_close_twice_and_use_after_close
    ctx = B2B2C::Context.new
    handles = [B2B2C::Attrs.new(ctx), B2B2C::Segmenter.new(ctx), B2B2C::LeadModel.new(ctx),
               B2B2C::DealerEngine.new(ctx), B2B2C::Forecaster.new(ctx), B2B2C::Channels.new(ctx)]
    handles.each do |h|
      h.close
      h.close
      err = assert_raises(B2B2C::Error) { h.handle }
      assert_match(/closed/, err.message)
    end
    assert_raises(B2B2C::Error) { handles[2].count }
    ctx.close
  end

  def test_context_close_closes_handles
    store = B2B2C::MemStore.new
    ctx = B2B2C::Context.new(store)
    m = B2B2C::LeadModel.new(ctx)
    m.set_alert { |_| nil }
    m.add("a", T0)
    ctx.close
    assert_raises(B2B2C::Error) { m.count }
    B2B2C::Context.open(store) do |ctx2|
      B2B2C::LeadModel.open(ctx2) { |m2| assert_equal 1, m2.count }
    end
    assert_raises(B2B2C::Error) { B2B2C::Segmenter.new(ctx) }
    store.close
  end
end

# One MemStore, a Context on each of two Ruby threads: the binding's calls
# release the GVL (blocking: true), so a thread waiting for the store
# (another thread's transaction) does not hold up the one it waits for.
class SharedStoreTest < Minitest::Test
  T0 = 1_767_225_600
  DAY = 86_400

  def test_two_threads_one_store
    store = B2B2C::MemStore.new
    threads = [0, 1].map do |t|
      Thread.new do
        B2B2C::Context.open(store) do |ctx|
          f = B2B2C::Forecaster.new(ctx)
          40.times do |g|
            ctx.transaction do
              3.times do |k|
                f.add_purchase(format("t%d-%02d", t, g), "b2c_consumer", T0 + (k * DAY), 10.0 + k)
                Thread.pass # the other thread's turn
              end
            end
          end
        end
      end
    end
    # a hang here is the bug: a thread waiting in C for the store kept the GVL
    threads.each { |th| assert th.join(120), "a thread did not finish" }
    B2B2C::Context.open(store) do |ctx|
      rows = B2B2C::Forecaster.new(ctx).summaries(T0 + (100 * DAY)).to_a
      assert_equal 80, rows.size
      assert(rows.all? { |r| r.frequency == 2 })
    end
    store.close
  end
end
