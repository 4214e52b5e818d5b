# SPDX-License-Identifier: MIT
# The Ruby binding's volume bonus programs (Programs#set_program,
# #program_status, #program_status_list) against the built library: the
# retroactive and incremental cases worked by hand in
# tests/unit/test_programs_bonus.c.
require "minitest/autorun"
require_relative "../../examples/ruby/b2b2c"

class ProgramBonusTest < Minitest::Test
  FEB14 = Time.utc(2026, 2, 14, 12)

  def setup
    @ctx = B2B2C::Context.new
    @p = B2B2C::Programs.new(@ctx)
    @p.set_dealer("d1", 1, "north")
    @p.set_dealer("d2", 1, "north")
    @p.add_point("p1", "d1")
    @p.add_point("p2", "d1")
    @p.record_batch([[:sell_in, "p1", "L1", Time.utc(2026, 1, 10), 10, 300_000],
                     [:sell_in, "p2", "L2", Time.utc(2026, 2, 1), 30, 350_000],
                     [:return_in, "p1", "L1", Time.utc(2026, 2, 5), 2, 50_000],
                     [:correction_in, "p2", "L2", Time.utc(2026, 2, 10), 0, 1],
                     [:sell_out, "p1", "L1", Time.utc(2026, 2, 6), 99, 999_999]])
  end

  def teardown = @ctx.close

  def test_retroactive_and_incremental
    @p.set_program("R", [100_000, 500_000, 1_000_000], [100, 200, 300])
    s = @p.program_status("R", "d1", FEB14)
    assert_equal 600_001, s["volume"]
    assert_equal 2, s["tier"]
    assert_equal 399_999, s["gap"]
    assert_equal 12_000, s["accrued"]
    assert_equal 1_200_002, s["projected_volume"]
    assert_equal 36_000, s["projected_bonus"]
    assert_equal 45, s["elapsed_days"]
    @p.set_program("I", [100_000, 500_000, 1_000_000], [100, 200, 300], mode: :incremental)
    assert_equal 6000, @p.program_status("I", "d1", FEB14)["accrued"]
    rows = @p.program_status_list("R", FEB14)
    assert_equal %w[d1 d2], rows.keys
    assert_equal s, rows["d1"]
    assert_equal 0, rows["d2"]["tier"]
  end

  def test_units_line_and_errors
    @p.set_program("U", [10, 50], [100, 250], basis: :units, period: :year, product_line: "L1")
    s = @p.program_status("U", "d1", FEB14)
    assert_equal 8, s["volume"]
    assert_equal 365, s["period_days"]
    e = assert_raises(B2B2C::Error) { @p.set_program("U", [10, 50, 20], [1, 2, 3]) }
    assert_equal B2B2C::ERANGE, e.code
    assert_includes e.message, "tiers[2].threshold"
    e = assert_raises(B2B2C::Error) { @p.program_status("nope", "d1", FEB14) }
    assert_equal B2B2C::ENOTFOUND, e.code
    assert_raises(ArgumentError) { @p.set_program("U", [10], [1], mode: :stepwise) }
    assert_raises(ArgumentError) { @p.set_program("U", [10, 20], [1]) }
  end
end
