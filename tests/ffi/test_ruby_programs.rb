# SPDX-License-Identifier: MIT
# The Ruby binding's Programs class against the built library.
require "minitest/autorun"
require_relative "../../examples/ruby/b2b2c"

class ProgramsTest < Minitest::Test
  DAY = 86_400
  MAR = 1_767_225_600 + 59 * DAY # 2026-03-01
  APR = MAR + 31 * DAY

  def setup
    @ctx = B2B2C::Context.new
    @p = B2B2C::Programs.new(@ctx)
  end

  def teardown = @ctx.close

  def test_report
    @p.set_dealer("d1", 1, "north")
    @p.set_dealer("d2", 1, "north")
    @p.add_point("p1", "d1")
    @p.add_point("p2", "d2")
    @p.record(:sell_out, "p1", "A", MAR + DAY, 10, 1000)
    @p.record(B2B2C::PROGRAMS_KIND_RETURN_OUT, "p1", "A", MAR + 2 * DAY, 1, 100)
    @p.record_batch([["sell_out", "p2", "A", Time.utc(2026, 3, 5), 3, 2700],
                     [:stock, "p2", "A", MAR + 20 * DAY, 31, 3100]])
    rep = @p.report(MAR, APR)
    assert_equal %w[d1 d2], rep.keys
    assert_equal 9.0, rep["d1"]["sell_out_units"]
    assert_in_delta 2700.0 / 3600, rep["d2"]["share"], 1e-12
    assert_equal 1.0, rep["d2"]["rank"]
    assert_equal 31.0, rep["d2"]["stock_units"]
    assert rep["d1"]["growth"].nan?
    assert_equal %w[p1 p2], @p.report(MAR, APR, by: :point, product_line: "A").keys
    assert_equal [B2B2C::DealerRow.new("d1", 1, "north", 1), B2B2C::DealerRow.new("d2", 1, "north", 1)],
                 @p.list_dealers
    assert_equal [B2B2C::PointRow.new("p2", "d2", 1)], @p.list_points(dealer_id: "d2")
    assert_equal "sell_out", B2B2C.programs_kind_name(1)
  end

  def test_params_and_errors
    assert_equal 8.0, @p.get_param(B2B2C::PROGRAMS_PARAM_TREND_PERIODS)
    @p.set_param(B2B2C::PROGRAMS_PARAM_TREND_PERIODS, 4)
    assert_equal 4.0, @p.get_param(B2B2C::PROGRAMS_PARAM_TREND_PERIODS)
    @p.set_dealer("d")
    @p.add_point("pt", "d")
    e = assert_raises(B2B2C::Error) { @p.record(:sell_out, "pt", "A", MAR, -2, 0) }
    assert_equal B2B2C::ERANGE, e.code
    e = assert_raises(B2B2C::Error) do
      @p.record_batch([[:sell_out, "pt", "A", MAR, 1, 1], [:sell_in, "pt", "A", MAR, 1, -1]])
    end
    assert_includes e.message, "amount[1]"
    assert_equal 0.0, @p.report(MAR, APR)["d"]["sell_out_units"]
    assert_raises(ArgumentError) { @p.record(:sold, "pt", "A", MAR, 1, 1) }
  end
end
