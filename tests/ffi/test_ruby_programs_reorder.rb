# SPDX-License-Identifier: MIT
# The Ruby binding's reorder due list (Programs#reorders, #reorder_of)
# against the built library: dealer d1's case worked by hand in
# tests/unit/test_programs_reorder.c.
require "minitest/autorun"
require_relative "../../examples/ruby/b2b2c"

class ProgramReorderTest < Minitest::Test
  def day(m, d) = Time.utc(2026, m, d, 12)
  def midnight(m, d) = Time.utc(2026, m, d).to_i

  def setup
    @ctx = B2B2C::Context.new
    @p = B2B2C::Programs.new(@ctx)
    @p.set_dealer("d1", 1, "north")
    @p.add_point("p1", "d1")
    @p.add_point("p2", "d1")
    @p.record_batch([[:sell_in, "p1", "A", day(1, 5), 10, 1000],
                     [:sell_in, "p2", "A", day(1, 12), 6, 600],
                     [:sell_in, "p1", "B", day(1, 12), 4, 400],
                     [:sell_in, "p1", "A", day(1, 19), 12, 1200],
                     [:sell_in, "p1", "A", day(1, 29), 8, 800],
                     [:return_in, "p1", "A", day(2, 2), 3, 300]])
  end

  def teardown = @ctx.close

  def test_due_list
    rows = @p.reorders(day(2, 10))
    assert_equal ["d1"], rows.map(&:first)
    f = rows[0][1]
    assert_equal 4, f["orders"]
    assert_equal 7, f["median_interval"]
    assert_equal midnight(2, 5), f["due"]
    assert_equal 5, f["days_late"]
    assert_equal 1, f["overdue"]
    assert_equal 10, f["expected_units"]
    assert_empty @p.reorders(day(2, 10), by: :point, product_line: "B")
    assert_empty @p.reorders(day(1, 30), window_days: 5)
    assert_equal 1, @p.reorders(day(1, 30), window_days: 6).size
    e = assert_raises(B2B2C::Error) { @p.reorders(day(2, 10), window_days: -1) }
    assert_equal B2B2C::ERANGE, e.code
  end

  def test_reorder_of
    d0 = midnight(3, 1)
    orders = [[d0 + 55 * 86_400, 7, 70], [d0 + 10 * 86_400, 2, 20], [d0, 5, 50],
              [d0 + 30 * 86_400, 5, 60], [d0 + 10 * 86_400 + 3600, 3, 30]]
    f = @p.reorder_of(orders, d0 + 60 * 86_400)
    assert_equal 4, f["orders"]
    assert_equal 20, f["median_interval"]
    assert_equal(-15, f["days_late"])
    assert_equal 55, f["expected_amount"]
    assert @p.reorder_of([], d0)["due"].nan?
    e = assert_raises(B2B2C::Error) { @p.reorder_of([[d0, -1, 0]], d0) }
    assert_equal B2B2C::ERANGE, e.code
    assert_includes e.message, "units[0]"
  end
end
