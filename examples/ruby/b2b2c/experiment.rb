# SPDX-License-Identifier: MIT
# A/B experiments (b2b2c_experiment): in memory, see experiment.h.

module B2B2C
  EXPERIMENT_F_NAMES = prefixed("EXPERIMENT_F_", ["NFIELDS"]).freeze
  EXPERIMENT_D_NAMES = prefixed("EXPERIMENT_D_", ["NFIELDS"]).freeze

  Plan = Struct.new(:n_per_variant, :days)
  ExperimentDay = Struct.new(:day_start, :fields)

  # Plan(n_per_variant, days) to detect a relative change mde_relative of
  # base_rate (two-proportion z-test; docs/experiments.md).
  def self.experiment_plan(base_rate, mde_relative, alpha: 0.05, power: 0.8, variants: 2,
                           daily_exposures: 1.0)
    n = out(:int64)
    d = out(:int64)
    check(Lib.b2b2c_experiment_plan(n, d, base_rate, mde_relative, alpha, power, variants,
                                    daily_exposures))
    Plan.new(n.read_int64, d.read_int64)
  end

  # b2b2c_experiment: variants (the first added is the control), daily
  # rows and the report. In memory only: nothing is stored. Report rows
  # come back as {variant => Hash keyed by the EXPERIMENT_F_* names
  # lowercased}; days as ExperimentDay(day_start, Hash of EXPERIMENT_D_*).
  class Experiment < Handle
    def initialize(ctx)
      super(ctx, :b2b2c_experiment_free) { |p, c| Lib.b2b2c_experiment_new(p, c) }
    end

    # Set an EXPERIMENT_* parameter (alpha, the Beta prior, the mixture
    # SPRT's tau^2); B2B2C::Error (ERANGE) outside its bounds.
    def set_param(param, value) = check(Lib.b2b2c_experiment_set_param(handle, param, value))

    # The value of an EXPERIMENT_* parameter.
    def get_param(param)
      v = B2B2C.out
      check(Lib.b2b2c_experiment_get_param(v, handle, param))
      v.read_double
    end

    # Add a variant (the first added is the control) with its planned share
    # of the traffic (relative weights, for the sample-ratio check).
    def add_variant(variant, planned_share = 1.0)
      check(Lib.b2b2c_experiment_add_variant(handle, variant, planned_share))
    end

    # One day's row (t: any second of the day, Unix seconds).
    def add_day(variant, t, exposures, conversions, revenue = 0.0, revenue_sumsq = 0.0)
      check(Lib.b2b2c_experiment_add_day(handle, variant, t, exposures, conversions, revenue,
                                         revenue_sumsq))
    end

    # {variant => {"is_control" => 1.0, ..., "seq_p_value" => ...}} in name order.
    def report
      iterate(:b2b2c_experiment_report, :b2b2c_experiment_variant_cb, handle) do |v, f, n|
        [v.dup.force_encoding("UTF-8"), B2B2C.row(f, n, EXPERIMENT_F_NAMES)]
      end.to_h
    end

    # [ExperimentDay, ...] of a variant against the control.
    def days(variant)
      iterate(:b2b2c_experiment_list_days, :b2b2c_experiment_day_cb, handle, variant) do |t, f, n|
        ExperimentDay.new(t, B2B2C.row(f, n, EXPERIMENT_D_NAMES))
      end
    end

    # [chi2, p_value] of the exposures against the planned shares.
    def srm
      c = B2B2C.out
      p = B2B2C.out
      check(Lib.b2b2c_experiment_srm(c, p, handle))
      [c.read_double, p.read_double]
    end
  end
end
