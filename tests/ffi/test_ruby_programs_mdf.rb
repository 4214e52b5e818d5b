# SPDX-License-Identifier: MIT
# The Ruby binding's promotion budgets (Programs#set_promo, #claim,
# #claim_status, #claims, #promo_spend, #promo_uplift, #promo_uplift_list)
# against the built library: the case worked by hand in
# tests/unit/test_programs_mdf.c, with one control dealer (UTC).
require "minitest/autorun"
require_relative "../../examples/ruby/b2b2c"

class ProgramMdfTest < Minitest::Test
  def day(m, d, h = 12) = Time.utc(2026, m, d, h)

  def setup
    @ctx = B2B2C::Context.new
    @p = B2B2C::Programs.new(@ctx)
    %w[d1 c1 d3].each { |d| @p.set_dealer(d, 1, "north") }
    @p.add_point("p1", "d1")
    @p.add_point("p2", "c1")
    @p.record_batch([[:sell_out, "p1", "A", day(2, 20), 10, 5000],
                     [:sell_out, "p1", "A", day(2, 28), 10, 5000],
                     [:sell_out, "p1", "A", day(3, 1), 30, 15_000],
                     [:sell_out, "p1", "A", day(3, 10), 20, 10_000],
                     [:return_out, "p1", "A", day(3, 5), 2, 1000],
                     [:sell_out, "p1", "A", day(3, 11), 5, 2500],
                     [:sell_out, "p1", "B", day(3, 2), 50, 50_000],
                     [:sell_out, "p2", "A", day(2, 25), 10, 4000],
                     [:sell_out, "p2", "A", day(3, 6), 14, 5600]])
    @p.set_promo("spring", "d1", day(3, 1, 0), day(3, 11, 0), 100_000, product_line: "A")
    { "k1" => 6000, "k2" => 3000, "k3" => 4000, "k4" => 2000 }.each do |c, a|
      @p.claim(c, "spring", "d1", a, day(3, 15))
    end
    @p.claim_status("k1", :approved, day(3, 16))
    @p.claim_status("k1", :paid, day(3, 17))
    @p.claim_status("k2", :rejected, day(3, 16))
    @p.claim_status("k3", B2B2C::PROMO_APPROVED, day(3, 16))
  end

  def teardown = @ctx.close

  def test_spend
    rows = @p.promo_spend
    assert_equal 1, rows.size
    assert_equal %w[spring d1], [rows[0].promo_id, rows[0].dealer_id]
    f = rows[0].fields
    assert_equal 100_000, f["planned"]
    assert_equal 10_000, f["spent"]
    assert_equal 88_000, f["remaining"]
    assert_nil @p.promo_spend(by: :promo)[0].dealer_id
    e = assert_raises(B2B2C::Error) { @p.claim("k5", "spring", "d1", 88_001, day(3, 18)) }
    assert_equal B2B2C::ERANGE, e.code
    assert_match(/amount: 88001 is over the remaining budget/, e.message)
  end

  def test_claims
    c = @p.claims(promo_id: "spring")
    assert_equal %w[k1 k2 k3 k4], c.map(&:claim_id)
    assert_equal "paid", c[0].status
    assert_equal day(3, 17).to_i, c[0].paid_at
    assert_nil c[3].decided_at
    e = assert_raises(B2B2C::Error) { @p.claim_status("k1", :rejected, day(3, 20)) }
    assert_equal B2B2C::ESTATE, e.code
  end

  def test_uplift
    u = @p.promo_uplift("spring", "d1")
    assert_equal 24_000, u["promo_amount"]
    assert_in_delta 1.4, u["lift"], 1e-12
    assert u["did_amount"].nan?
    assert_in_delta 0.4, u["roi"], 1e-12
    u = @p.promo_uplift("spring", "d1", control: ["c1"])
    assert_equal 24, u["did_units"]
    assert_equal 12_400, u["did_amount"]
    assert_in_delta 0.24, u["roi"], 1e-12
    assert_equal({ "d1" => u }, @p.promo_uplift_list("spring", control: ["c1"]))
    e = assert_raises(B2B2C::Error) { @p.promo_uplift("spring", "d3") }
    assert_equal B2B2C::ENOTFOUND, e.code
  end
end
