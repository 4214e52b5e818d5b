# SPDX-License-Identifier: MIT
# The Ruby (ffi) binding against the built shared library: the forecast
# functions, the forecaster and channel analytics (the other engines:
# test_ruby.rb).
require "minitest/autorun"
# B2B2C_TEST_INSTALLED=1: the installed gem (.ci/run), not the tree's
if ENV["B2B2C_TEST_INSTALLED"] == "1"
  require "b2b2c"
else
  require_relative "../../examples/ruby/b2b2c"
end

DAY = 86_400
T0 = 1_767_225_600 # 2026-01-01

class EngineTest < Minitest::Test
  def setup = @ctx = B2B2C::Context.new
  def teardown = @ctx.close

  def assert_error(code, &blk)
    err = assert_raises(B2B2C::Error, &blk)
    assert_equal code, err.code, err.message
    err
  end
end

class ForecastTest < EngineTest
  # Customers from the BG/NBD story (Fader, Hardie & Lee 2005): Poisson
  # purchases with Gamma rates, a Beta dropout chance after each purchase.
  def simulate(n, r: 0.5, alpha: 2.0, a: 0.6, b: 2.5)
    rng = Random.new(7)
    gamma = lambda do |shape|
      return gamma.call(shape + 1) * (rng.rand**(1.0 / shape)) if shape < 1

      d = shape - (1.0 / 3)
      c = 1.0 / Math.sqrt(9 * d)
      loop do
        x = Math.sqrt(-2 * Math.log(1 - rng.rand)) * Math.cos(2 * Math::PI * rng.rand)
        v = (1 + (c * x))**3
        return d * v if v.positive? && Math.log(1 - rng.rand) < (0.5 * x * x) + (d - (d * v) + (d * Math.log(v)))
      end
    end
    Array.new(n) do
      lam = gamma.call(r) / alpha
      ga = gamma.call(a)
      p = ga / (ga + gamma.call(b))
      age = 20 + (20 * rng.rand)
      t = 0.0
      k = 0
      last = 0.0
      loop do
        t += -Math.log(1 - rng.rand) / lam
        break if t > age

        k += 1
        last = t
        break if rng.rand < p
      end
      [k.to_f, last, age]
    end.transpose
  end

  def test_bgnbd_fit_and_predict
    x, tx, t_age = simulate(400)
    fit = B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, x, tx, t_age, ctx: @ctx)
    assert_equal %w[r alpha a b], fit.params.keys
    assert(fit.params.values.all? { |v| v.positive? && v.finite? })
    ll, grad = B2B2C.forecast_loglik(B2B2C::FORECAST_BGNBD, fit.params, x, tx, t_age)
    assert_in_delta fit.loglik, ll, 1e-6
    assert_equal 4, grad.size
    se, cov = B2B2C.forecast_stderr(B2B2C::FORECAST_BGNBD, fit.params, x, tx, t_age)
    assert_equal 4, se.size
    assert_equal 4, cov.size
    se.each_with_index do |v, i|
      assert(v.positive? && v.finite?)
      assert_in_delta v * v, cov[i][i], 1e-12
    end
    gx = Array.new(100) { |i| 1.0 + (i % 5) }
    gm = Array.new(100) { |i| 50.0 + ((i * 37) % 90) }
    gse, = B2B2C.forecast_gg_stderr(B2B2C.forecast_gg_fit(gx, gm).params, gx, gm)
    assert_equal 3, gse.size
    assert(gse.all? { |v| v.positive? && v.finite? })
    pred = B2B2C.forecast_predict(B2B2C::FORECAST_BGNBD, fit.params, x, tx, t_age, 10.0)
    pred.each_value { |v| assert(v.all?(&:finite?)) }
    assert(pred[:p_alive].all? { |p| p.between?(0.0, 1.0) })
    counts = B2B2C.forecast_frequency_counts(B2B2C::FORECAST_BGNBD, fit.params, t_age, nout: 50)
    assert_operator counts.sum, :<=, x.size + 1e-6
    assert_operator counts.sum, :>=, 0.95 * x.size
  end

  def test_gamma_gamma_and_errors
    x = Array.new(100) { |i| 1.0 + (i % 5) }
    m = Array.new(100) { |i| 50.0 + ((i * 37) % 90) }
    fit = B2B2C.forecast_gg_fit(x, m)
    assert_equal %w[p q v], fit.params.keys
    assert(B2B2C.forecast_gg_spend(fit.params, x[0, 3], m[0, 3]).all?(&:positive?))
    assert_error(B2B2C::ENODATA) { B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, [0.0], [0.0], [5.0]) }
    err = assert_error(B2B2C::ERANGE) { B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, [1.0, 2.0], [3.0, 9.0], [5.0, 6.0]) }
    assert_match(/recency\[1\]/, err.message)
    assert_error(B2B2C::EINVAL) { B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, [1.0], [1.0, 2.0], [5.0]) }
  end

  # 60 customers with 1..6 purchases three weeks apart
  def add_log(forecaster)
    rng = Random.new(5)
    60.times do |c|
      (1 + rng.rand(6)).times do |j|
        forecaster.add_purchase(format("c%02d", c), "b2c_consumer", T0 + ((c % 20) * DAY) + (j * 21 * DAY),
                                100.0 + c)
      end
    end
  end

  def test_fit_status
    x, tx, t_age = simulate(400)
    fit = B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, x, tx, t_age)
    assert_equal ["converged", true], [fit.status, fit.converged]
    fit = B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, x, tx, t_age, max_iter: 2)
    assert_equal [2, "max_iter", false], [fit.iterations, fit.status, fit.converged]
    # everyone spends the same: Gamma-Gamma has no finite maximum
    fit = B2B2C.forecast_gg_fit([1.0, 2.0, 3.0] * 50, [40.0] * 150)
    assert_equal ["boundary", false], [fit.status, fit.converged]
    assert_equal "boundary", B2B2C.fit_status_name(B2B2C::FIT_BOUNDARY)
    assert_error(B2B2C::ERANGE) { B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, x, tx, t_age, max_iter: -1) }
  end

  def test_progress_handler
    x, tx, t_age = simulate(400)
    calls = 0
    @ctx.set_progress_handler(1) { (calls += 1) >= 2 }
    err = assert_error(B2B2C::EINTERRUPTED) { B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, x, tx, t_age, ctx: @ctx) }
    assert_match(/progress handler/, err.message)
    assert_equal 2, calls
    @ctx.set_progress_handler
    assert B2B2C.forecast_fit(B2B2C::FORECAST_BGNBD, x, tx, t_age, ctx: @ctx).converged
    assert_equal 2, calls
    assert_error(B2B2C::ERANGE) { @ctx.set_progress_handler(0) { true } }
  end

  def test_fit_sum
    x, tx, t = simulate(400)
    m = B2B2C::FORECAST_BGNBD
    one = B2B2C.forecast_fit(m, x, tx, t)
    mom = B2B2C.forecast_moments(m, x, tx, t)
    got = B2B2C.forecast_fit_sum(m, mom) { |p| B2B2C.forecast_loglik(m, p, x, tx, t) }
    assert_equal one.params, got.params # one partition: bit for bit
    assert_equal one.loglik, got.loglik
    assert_raises(KeyError) { B2B2C.forecast_fit_sum(m, mom) { |_p| raise KeyError, "worker 3" } }
    assert_equal [2.0, 5.0, 30.0], B2B2C.forecast_gg_moments([0.0, 2.0, 3.0], [0.0, 10.0, 20.0])
  end

  def test_forecast_rows
    # rows merged once give forecast_loglik's sums bit for bit
    x, tx, t = simulate(400)
    m = B2B2C::FORECAST_BGNBD
    rows = B2B2C::ForecastRows.new(@ctx, m, x + x, tx + tx, t + t)
    assert_operator rows.size, :<=, 400
    [[0.25, 4.0, 0.8, 2.5], [1.0, 9.0, 0.3, 1.1]].each do |p|
      assert_equal B2B2C.forecast_loglik(m, p, x + x, tx + tx, t + t), rows.loglik(p)
    end
    mv = x.each_with_index.map { |f, i| f.positive? ? 10.0 + (i % 7) : 0.0 }
    B2B2C::ForecastRows.open(@ctx, B2B2C::FORECAST_GG, x, mv) do |g|
      assert_equal B2B2C.forecast_gg_loglik([6.0, 4.0, 15.0], x, mv), g.loglik([6.0, 4.0, 15.0])
    end
    assert_error(B2B2C::ERANGE) { B2B2C::ForecastRows.new(@ctx, m, [1.0], [3.0], [2.0]) }
    assert_error(B2B2C::ERANGE) { rows.loglik([0.25, -4.0, 0.8, 2.5]) }
    rows.close
    assert_error(B2B2C::EINVAL) { rows.loglik([0.25, 4.0, 0.8, 2.5]) }
  end

  def test_lead_fit_sum
    # four rows, one attribute, one kind; two batches add up to the whole
    rows = [[1, 5, [1, 0, 0], [[0, 2.0, 1.0]]], [0, 3, [0, 0, 0], []],
            [0, 5, [1, 0, 0], [[0, 0.5, 0.0]]], [1, 1, [0, 0, 0], [[0, 4.0, 3.0]]]]
    loss = lambda do |w, rs, h|
      B2B2C.lead_loss(w, 1, 1, rs.map(&:first), rs.map { |r| r[1] }, rs.flat_map { |r| r[2] },
                      rs.map { |r| r[3].size }, rs.flat_map { |r| r[3].map(&:first) },
                      rs.flat_map { |r| r[3].map { |k| k[1] } }, rs.flat_map { |r| r[3].map { |k| k[2] } }, hdiag: h)
    end
    w = Array.new(B2B2C.lead_dim(1, 1), 0.1)
    all = loss.call(w, rows, true)
    a = loss.call(w, rows[0, 2], true)
    b = loss.call(w, rows[2, 2], true)
    assert_in_delta all[0], a[0] + b[0], 1e-14
    all[1].each_with_index { |g, j| assert_in_delta g, a[1][j] + b[1][j], 1e-14 }
    fit = B2B2C.lead_fit_sum(1, 1, 4, 2) { |wt, h| loss.call(wt, rows, h) }
    assert fit.converged
    assert_equal 10, fit.weights.size
    assert_raises(KeyError) { B2B2C.lead_fit_sum(1, 1, 4, 2) { |_w, _h| raise KeyError, "worker 2" } }
    assert_error(B2B2C::ENODATA) { B2B2C.lead_fit_sum(1, 1, 4, 0) { |wt, h| loss.call(wt, rows, h) } }
  end

  def test_forecaster_status_and_params
    B2B2C::Forecaster.open(@ctx) do |f|
      add_log(f)
      f.set_param(B2B2C::FORECASTER_MAX_ITER, 1)
      refute f.fit(T0 + (200 * DAY))
      assert_equal "max_iter", f.fit_params[:status]
      # parameters are persisted and undone with a group
      @ctx.begin_group
      f.set_param(B2B2C::FORECASTER_L2, 3.0)
      @ctx.rollback
      assert_equal 0.0, f.get_param(B2B2C::FORECASTER_L2)
    end
    B2B2C::Forecaster.open(@ctx) do |f2|
      assert_equal 1.0, f2.get_param(B2B2C::FORECASTER_MAX_ITER)
      assert_equal "max_iter", f2.fit_params[:status]
    end
  end

  def test_list_customers
    f = B2B2C::Forecaster.new(@ctx)
    f.add_purchase("c2", "b2c_consumer", T0 + DAY, 10.0, 0)
    f.add_purchase("c2", "b2c_consumer", T0, 10.0, 0)
    f.add_purchase("c1", "b2b_large", T0, 10.0, 0)
    assert_equal [B2B2C::CustomerItem.new("c1", B2B2C::SEGMENT_B2B_LARGE, T0, T0, 1),
                  B2B2C::CustomerItem.new("c2", B2B2C::SEGMENT_B2C_CONSUMER, T0, T0 + DAY, 2)], f.list_customers
    assert_equal ["c2"], f.list_customers(segment: "b2c_consumer").map(&:customer_id)
  ensure
    f&.close
  end

  def test_fold
    B2B2C::Forecaster.open(@ctx) do |f|
      5.times { |i| f.add_purchase("c1", "b2c_consumer", T0 + (i * 200 * DAY), 10.0 + i) }
      fin = T0 + (900 * DAY)
      before = f.summaries(fin).to_a
      f.set_param(B2B2C::FORECASTER_FOLD_DAYS, 300)
      assert_equal 1, f.fold(fin, 10)
      assert_equal 0, f.fold(fin)
      assert_equal before, f.summaries(fin).to_a
      assert_equal 5, f.list_customers.first.purchases
      err = assert_raises(B2B2C::Error) { f.add_purchase("c1", "b2c_consumer", T0, 1.0) }
      assert_equal B2B2C::ESTATE, err.code
      assert_raises(B2B2C::Error) { f.fold(fin, 0) }
    end
  end

  def test_forecaster
    B2B2C::Forecaster.open(@ctx) do |f|
      add_log(f)
      f.add_purchase("c00", "b2c_consumer", T0 + DAY, 40.0, B2B2C::FORECAST_KIND_INSTALL)
      fin = T0 + (200 * DAY)
      f.fit(fin)
      assert_equal %w[r alpha a b], f.fit_params[:params].keys
      f.set_param(B2B2C::FORECASTER_MODEL, B2B2C::FORECAST_PNBD)
      assert_equal B2B2C::FORECAST_BGNBD, f.fit_params[:model]
      src, mean = f.spend_source
      assert_equal B2B2C::SPEND_GAMMA_GAMMA, src
      assert mean > 100.0
      assert_equal %w[r alpha a b], f.fit_params[:params].keys
      f.set_param(B2B2C::FORECASTER_MODEL, B2B2C::FORECAST_BGNBD)
      ans = f.customer("c05", fin, 12)
      assert ans[:p_alive].between?(0.0, 1.0)
      assert_equal 60, f.summaries(fin).size
      assert_equal 60, f.summaries(fin, calibration_start: T0).size
      err = assert_error(B2B2C::ERANGE) { f.fit(fin, calibration_start: T0 + (5 * DAY)) }
      assert_match(/before the calibration start/, err.message)
      assert_equal 40.0, f.service_stats(B2B2C::FORECAST_KIND_INSTALL)[1]
      err = assert_error(B2B2C::EBADID) { f.add_purchase("", 5, T0, 1.0) }
      assert_match(/customer/, err.message)
      err = assert_error(B2B2C::ERANGE) { f.add_purchase("c01", 5, B2B2C::TIME_MIN - 1, 1.0) }
      assert_match(/time range/, err.message)
      assert_error(B2B2C::ERANGE) { f.add_purchase("c01", 5, T0, B2B2C::AMOUNT_MAX * 2) }
      f.remove_customer("c01")
      assert_equal 59, f.summaries(fin).size
      assert_error(B2B2C::ENOTFOUND) { f.remove_customer("c01") }
    end
  end
end

class ChannelsTest < EngineTest
  def setup
    super
    @ch = B2B2C::Channels.new(@ctx)
    @ch.add("seo", "reach", "informational_seo", "b2c")
    @ch.add("search", B2B2C::CHANNEL_KIND_LEADGEN, B2B2C::CHANNEL_SUB_SEARCH_ADS, B2B2C::GROUP_B2C)
    @ch.set_spend("search", T0, 300.0, 1000.0)
    @ch.touch("L1", "seo", T0)
    @ch.touch("L1", "search", T0 + DAY)
    @ch.convert("L1", T0 + (2 * DAY), 1000.0)
  end

  def test_merge
    @ch.touch("L2", "search", T0 - DAY)
    @ch.merge("L2", "L1")
    assert_equal %w[search seo search], @ch.attribute_lead("L1", "linear").map(&:channel_id)
    assert_error(B2B2C::ENOTFOUND) { @ch.merge("L2", "L1") }
  end

  def test_list
    search = B2B2C::ChannelItem.new("search", B2B2C::CHANNEL_KIND_LEADGEN, B2B2C::CHANNEL_SUB_SEARCH_ADS,
                                    B2B2C::GROUP_B2C)
    seo = B2B2C::ChannelItem.new("seo", B2B2C::CHANNEL_KIND_REACH, B2B2C::CHANNEL_SUB_INFORMATIONAL_SEO,
                                 B2B2C::GROUP_B2C)
    assert_equal [search, seo], @ch.list
    assert_equal ["seo"], @ch.list(kind: "reach").map(&:channel_id)
  end

  def test_remove
    assert_error(B2B2C::ESTATE) { @ch.remove("seo") }
    @ch.add("tv", "reach", "display_media", "b2c")
    @ch.set_spend("tv", T0, 5.0, 50.0)
    @ch.remove("tv")
    assert_equal 2, @ch.count
    assert_error(B2B2C::ENOTFOUND) { @ch.remove("tv") }
  end

  def test_attribution_names
    assert_equal "markov", B2B2C.channel_attribution_name(B2B2C::CHANNEL_ATTRIBUTION_MARKOV)
    assert_equal B2B2C::CHANNEL_ATTRIBUTION_DECAY, B2B2C.channel_attribution_from_name("decay")
    assert_equal 0, B2B2C::FORECAST_KIND_PRODUCT
    %i[ATTR_MARKOV KIND_PRODUCT].each { |c| refute B2B2C.const_defined?(c), c }
    %i[attr_model_name attr_model_from_name].each { |m| refute_respond_to B2B2C, m }
  end

  def test_linear_two_touch
    assert_equal [["seo", 0.5], ["search", 0.5]], @ch.attribute_lead("L1", "linear").map { |s| [s.channel_id, s.share] }
    att = @ch.attribute("linear", T0, T0 + (7 * DAY)).to_h { |a| [a.channel_id, a] }
    assert_equal 500.0, att["seo"].revenue
    rows = @ch.metrics(B2B2C::CHANNELS_BY_CHANNEL, B2B2C::CHANNEL_ATTRIBUTION_LINEAR, T0, T0 + (7 * DAY)).to_h
    assert_equal 600.0, rows["search"]["cpa"]
    assert_equal B2B2C::CHM_COUNT, rows["search"].size
    p_conv, eff = @ch.markov_effects(T0, T0 + (7 * DAY))
    assert_equal 1.0, p_conv
    assert_equal %w[seo search], eff.map(&:first)
    # [channel_id, removal_effect, share]: no dummy fourth value
    assert_equal [3, 3], eff.map(&:size)
    assert_in_delta 1.0, eff.sum { |e| e[2] }, 1e-12
    assert_equal 0.5, @ch.mix_shares("linear", T0, T0 + (7 * DAY)).to_h["total"]["reach_value_share"]
    lag = @ch.mix_lag(T0, T0 + (14 * DAY))
    assert_equal lag[:pairs], lag[:weeks].size
  end

  def test_errors
    err = assert_error(B2B2C::EBADID) { @ch.touch("", "seo", T0) }
    assert_match(/lead/, err.message)
    assert_error(B2B2C::EEXISTS) { @ch.convert("L1", T0 + (3 * DAY)) }
    assert_equal [B2B2C::CHANNEL_KIND_REACH, B2B2C::CHANNEL_SUB_INFORMATIONAL_SEO, B2B2C::GROUP_B2C],
                 @ch.get("seo")
    assert_equal [1.0, 3650.0, 30.0], B2B2C.param_bounds(B2B2C::CHANNELS_LOOKBACK_DAYS)
  end
end
