# SPDX-License-Identifier: MIT
# The Ruby binding's Experiment class against the built library.
require "minitest/autorun"
require_relative "../../examples/ruby/b2b2c"

class ExperimentTest < Minitest::Test
  DAY = 86_400
  T0 = 1_767_225_600

  def setup
    @ctx = B2B2C::Context.new
    @x = B2B2C::Experiment.new(@ctx)
  end

  def teardown = @ctx.close

  def test_report_days_srm
    @x.add_variant("control")
    @x.add_variant("new", 1.0)
    14.times do |d|
      @x.add_day("control", T0 + d * DAY, 1000, 50, 500.0, 5000.0)
      @x.add_day("new", T0 + d * DAY, 1000, 65, 650.0, 6500.0)
    end
    rep = @x.report
    assert_equal %w[control new], rep.keys
    assert_equal 1.0, rep["control"]["is_control"]
    assert rep["control"]["z"].nan?
    assert_equal 14_000, rep["new"]["exposures"]
    assert_in_delta 1.0, rep["new"]["p_best"] + rep["control"]["p_best"], 1e-12
    assert_operator rep["new"]["seq_p_value"], :>=, rep["new"]["p_value"]
    days = @x.days("new")
    assert_equal 14, days.size
    assert_equal T0, days.first.day_start
    assert_equal rep["new"]["seq_p_value"], days.last.fields["seq_p_value"]
    assert_equal [0.0, 1.0], @x.srm
  end

  def test_params_and_errors
    assert_equal 0.05, @x.get_param(B2B2C::EXPERIMENT_ALPHA)
    @x.set_param(B2B2C::EXPERIMENT_MSPRT_TAU2, 1e-3)
    assert_equal 1e-3, @x.get_param(B2B2C::EXPERIMENT_MSPRT_TAU2)
    err = assert_raises(B2B2C::Error) { @x.report }
    assert_equal B2B2C::ENOTREADY, err.code
    @x.add_variant("a")
    err = assert_raises(B2B2C::Error) { @x.add_day("b", T0, 10, 1) }
    assert_equal B2B2C::ENOTFOUND, err.code
    err = assert_raises(B2B2C::Error) { @x.add_day("a", T0, 10, 11) }
    assert_equal B2B2C::ERANGE, err.code
  end

  def test_plan
    plan = B2B2C.experiment_plan(0.05, 0.1, daily_exposures: 1000)
    assert_equal 31_234, plan.n_per_variant
    assert_equal 63, plan.days
    err = assert_raises(B2B2C::Error) { B2B2C.experiment_plan(0.05, 0.0) }
    assert_equal B2B2C::ERANGE, err.code
  end
end
