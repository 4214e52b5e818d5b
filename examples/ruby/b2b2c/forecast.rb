# SPDX-License-Identifier: MIT
# Stateless forecast functions and the forecaster (b2b2c_forecaster).

module B2B2C
  # ---- forecast (stateless) ----------------------------------------------------

  # status: the fit status name ("converged", "max_iter", "stalled",
  # "boundary"); converged: true only when status is "converged".
  FitResult = Struct.new(:params, :loglik, :iterations, :status, :converged)

  # "converged", "max_iter", "stalled" or "boundary"; nil when unknown.
  def self.fit_status_name(status) = Lib.b2b2c_fit_status_name(status)

  def self.fit_result(names, out, k, ll, it, st) # :nodoc:
    FitResult.new(names.zip(out.read_array_of_double(k)).to_h, ll.read_double,
                  it.read_int32, fit_status_name(st.read_int32),
                  st.read_int32 == FIT_CONVERGED)
  end

  # The number of parameters of a model (FORECAST_BGNBD, _PNBD, _BGBB, _GG).
  def self.forecast_nparams(model) = check(Lib.b2b2c_forecast_nparams(model))

  # Name of parameter i of model; i = -1 gives the model's name.
  def self.forecast_param_name(model, i)
    Lib.b2b2c_forecast_param_name(model, i) or raise Error.new(EINVAL, "unknown model or index")
  end

  # The names of a model's parameters in the paper's order.
  def self.forecast_param_names(model) = (0...forecast_nparams(model)).map { |i| forecast_param_name(model, i) }

  # The caller's Context, or a private one for one call.
  def self.with_ctx(ctx)
    return yield ctx if ctx

    Context.open { |c| yield c }
  end

  # An Array of n floats as a C array (internal).
  def self.rows(n, arr, what) = doubles(arr, what, n)[0]

  # Fits BG/NBD, Pareto/NBD or BG/BB on Arrays of floats; params is a Hash
  # {"r" => ..., ...} in the paper's order. max_iter: iteration budget (0:
  # the default, 1000).
  def self.forecast_fit(model, x, tx, t_age, weight: nil, l2: 0.0, ctx: nil, max_iter: 0)
    n = x.size
    k = forecast_nparams(model)
    out = self.out(:double, k)
    ll = self.out
    it, st = Array.new(2) { self.out(:int32) }
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_fit(out, k, ll, it, st, c.handle, model, rows(n, x, "x"),
                                     rows(n, tx, "tx"), rows(n, t_age, "T"),
                                     rows(n, weight, "weight"), n, l2, max_iter))
    end
    fit_result(forecast_param_names(model), out, k, ll, it, st)
  end

  # [loglik, gradient Array] at params.
  def self.forecast_loglik(model, params, x, tx, t_age, weight: nil, ctx: nil)
    n = x.size
    p, k = doubles(params, "params")
    ll = out
    grad = out(:double, k)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_loglik(ll, grad, c.handle, model, p, k, rows(n, x, "x"),
                                        rows(n, tx, "tx"), rows(n, t_age, "T"),
                                        rows(n, weight, "weight"), n))
    end
    [ll.read_double, grad.read_array_of_double(k)]
  end

  # Fits the Gamma-Gamma spend model; a FitResult as forecast_fit's.
  def self.forecast_gg_fit(x, m, weight: nil, l2: 0.0, ctx: nil, max_iter: 0)
    n = x.size
    o = out(:double, 3)
    ll = out
    it, st = Array.new(2) { out(:int32) }
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_gg_fit(o, 3, ll, it, st, c.handle, rows(n, x, "x"),
                                        rows(n, m, "m"), rows(n, weight, "weight"), n, l2,
                                        max_iter))
    end
    fit_result(forecast_param_names(FORECAST_GG), o, 3, ll, it, st)
  end

  # [loglik, gradient] of the Gamma-Gamma model at params.
  def self.forecast_gg_loglik(params, x, m, weight: nil, ctx: nil)
    n = x.size
    p, k = doubles(params, "params")
    ll = out
    grad = out(:double, k)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_gg_loglik(ll, grad, c.handle, p, k, rows(n, x, "x"),
                                           rows(n, m, "m"), rows(n, weight, "weight"), n))
    end
    [ll.read_double, grad.read_array_of_double(k)]
  end

  # [W, sum of weight * x, sum of weight * T]: the data moments of a batch
  # of rows for forecast_fit_sum, added elementwise over partitions.
  def self.forecast_moments(model, x, tx, t_age, weight: nil, ctx: nil)
    n = x.size
    o = out(:double, 3)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_moments(o, 3, c.handle, model, rows(n, x, "x"), rows(n, tx, "tx"),
                                         rows(n, t_age, "T"), rows(n, weight, "weight"), n))
    end
    o.read_array_of_double(3)
  end

  # b2b2c_forecast_rows (1.1): one partition's rows checked and merged once, then
  # evaluated at many parameters with the sums of forecast_loglik (forecast_gg_loglik
  # for FORECAST_GG: the mean spend in tx, t_age nil) bit for bit.
  #   rows = B2B2C::ForecastRows.new(ctx, B2B2C::FORECAST_BGNBD, x, tx, t_age)
  #   ll, grad = rows.loglik(params)
  class ForecastRows < Handle
    # The model the rows were made for (FORECAST_*).
    attr_reader :model

    def initialize(ctx, model, x, tx, t_age = nil, weight: nil)
      n = x.size
      @model = model
      super(ctx, :b2b2c_forecast_rows_free) do |p, c|
        Lib.b2b2c_forecast_rows_new(p, c, model, B2B2C.rows(n, x, "x"), B2B2C.rows(n, tx, "tx"),
                                    B2B2C.rows(n, t_age, "T"), B2B2C.rows(n, weight, "weight"), n)
      end
    end

    # [loglik, gradient Array] at params (Array or a fit's Hash); ctx: the context to
    # evaluate on (default the rows' own).
    def loglik(params, ctx: nil)
      p, k = B2B2C.doubles(params, "params")
      ll = B2B2C.out
      grad = B2B2C.out(:double, [k, 1].max)
      (ctx || self.ctx).check(Lib.b2b2c_forecast_rows_loglik(ll, grad, (ctx || self.ctx).handle,
                                                             handle, p, k))
      [ll.read_double, grad.read_array_of_double(k)]
    end

    # The number of distinct rows.
    def size
      n = B2B2C.out(:size_t)
      check(Lib.b2b2c_forecast_rows_count(n, ctx.handle, handle))
      n.read(:size_t)
    end
  end

  # The Gamma-Gamma data moments (rows with x > 0 and m > 0).
  def self.forecast_gg_moments(x, m, weight: nil, ctx: nil)
    n = x.size
    o = out(:double, 3)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_gg_moments(o, 3, c.handle, rows(n, x, "x"), rows(n, m, "m"),
                                            rows(n, weight, "weight"), n))
    end
    o.read_array_of_double(3)
  end

  # Raised by a forecast_fit_sum block where the log-likelihood is not
  # finite (the optimizer steps back, as forecast_fit does).
  class SumOutsideDomain < StandardError; end

  # Fits a model (FORECAST_GG included) with the library's optimizer over
  # sums the host computes: the block gets the parameters (an Array) and
  # returns [loglik, gradient] summed over every partition; moments are
  # forecast_moments added over the partitions. An exception raised by the
  # block stops the fit and is re-raised. A FitResult as forecast_fit's.
  def self.forecast_fit_sum(model, moments, start: nil, l2: 0.0, ctx: nil, max_iter: 0, &sum)
    k = forecast_nparams(model)
    o = out(:double, k)
    ll = out
    it, st = Array.new(2) { out(:int32) }
    mom, nm = doubles(moments, "moments")
    sp, ns = start ? doubles(start.is_a?(Hash) ? start.values : start, "start") : [nil, 0]
    err = nil
    cb = FFI::Function.new(:int, %i[pointer pointer pointer size_t pointer]) do |llp, gp, pp, np, _u|
      v, g = sum.call(pp.read_array_of_double(np))
      llp.write_double(v)
      gp.write_array_of_double(g.map(&:to_f))
      0
    rescue SumOutsideDomain
      ERANGE
    rescue Exception => e # rubocop:disable Lint/RescueException (re-raised)
      err = e
      ESTORAGE
    end
    with_ctx(ctx) do |c|
      rc = Lib.b2b2c_forecast_fit_sum(o, k, ll, it, st, c.handle, model, sp, ns, mom, nm, l2,
                                      max_iter, cb, nil)
      raise err if err

      c.check(rc)
    end
    fit_result(forecast_param_names(model), o, k, ll, it, st)
  end

  # [standard errors, covariance rows] of BG/NBD, Pareto/NBD or BG/BB
  # parameters at their maximum likelihood estimate (a plain fit, l2 = 0, on
  # the same data); a 95% interval is p +- 1.959964 * se.
  def self.forecast_stderr(model, params, x, tx, t_age, weight: nil, ctx: nil)
    n = x.size
    p, k = doubles(params, "params")
    np = forecast_nparams(model)
    se = out(:double, [k, np].max)
    cov = out(:double, np * np)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_stderr(se, cov, c.handle, model, p, k, rows(n, x, "x"),
                                        rows(n, tx, "tx"), rows(n, t_age, "T"),
                                        rows(n, weight, "weight"), n))
    end
    [se.read_array_of_double(np), cov.read_array_of_double(np * np).each_slice(np).to_a]
  end

  # [standard errors, covariance rows] of the Gamma-Gamma parameters at their
  # maximum likelihood estimate.
  def self.forecast_gg_stderr(params, x, m, weight: nil, ctx: nil)
    n = x.size
    p, k = doubles(params, "params")
    se = out(:double, [k, 3].max)
    cov = out(:double, 9)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_gg_stderr(se, cov, c.handle, p, k, rows(n, x, "x"),
                                           rows(n, m, "m"), rows(n, weight, "weight"), n))
    end
    [se.read_array_of_double(3), cov.read_array_of_double(9).each_slice(3).to_a]
  end

  # {expected: [...], p_alive: [...], p_any: [...]} for the window (T, T + t].
  def self.forecast_predict(model, params, x, tx, t_age, t, ctx: nil)
    n = x.size
    p, k = doubles(params, "params")
    e, a, y = Array.new(3) { out(:double, [n, 1].max) }
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_predict(e, a, y, c.handle, model, p, k, rows(n, x, "x"),
                                         rows(n, tx, "tx"), rows(n, t_age, "T"), n, t))
    end
    { expected: e.read_array_of_double(n), p_alive: a.read_array_of_double(n),
      p_any: y.read_array_of_double(n) }
  end

  # The expected mean spend per transaction of each customer (Gamma-Gamma conditional
  # expectation).
  def self.forecast_gg_spend(params, x, m, ctx: nil)
    n = x.size
    p, k = doubles(params, "params")
    o = out(:double, [n, 1].max)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_gg_spend(o, c.handle, p, k, rows(n, x, "x"), rows(n, m, "m"), n))
    end
    o.read_array_of_double(n)
  end

  # The lifetime value of each customer over horizon units: expected purchases times spend
  # times margin, discounted (docs/forecast.md).
  def self.forecast_clv(model, params, x, tx, t_age, spend, horizon, discount: 0.0, margin: 1.0, ctx: nil)
    n = x.size
    p, k = doubles(params, "params")
    o = out(:double, [n, 1].max)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_clv(o, c.handle, model, p, k, rows(n, x, "x"), rows(n, tx, "tx"),
                                     rows(n, t_age, "T"), rows(n, spend, "spend"), n, horizon,
                                     discount, margin))
    end
    o.read_array_of_double(n)
  end

  # E[X(t)], the expected purchases of a random customer in (0, t], for each t.
  def self.forecast_population_expected(model, params, t, ctx: nil)
    n = t.size
    p, k = doubles(params, "params")
    o = out(:double, [n, 1].max)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_population_expected(o, c.handle, model, p, k, rows(n, t, "t"), n))
    end
    o.read_array_of_double(n)
  end

  # The expected number of customers with 0, 1, ..., nout - 1 (or more) repeat purchases (the
  # model-fit histogram).
  def self.forecast_frequency_counts(model, params, t_age, weight: nil, nout: 10, ctx: nil)
    n = t_age.size
    p, k = doubles(params, "params")
    o = out(:double, [nout, 1].max)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_frequency_counts(o, nout, c.handle, model, p, k,
                                                  rows(n, t_age, "T"),
                                                  rows(n, weight, "weight"), n))
    end
    o.read_array_of_double(nout)
  end

  # ---- forecast (stateful) -----------------------------------------------------

  Summary = Struct.new(:customer_id, :frequency, :recency, :T, :monetary_value)
  Due = Struct.new(:customer_id, :due_time, :p_alive, :expected_value)
  CustomerItem = Struct.new(:customer_id, :segment, :first, :last, :purchases)

  # b2b2c_forecaster: purchase log, per-segment fits, per-customer answers,
  # repeat-due list and holdout check. segment -1 = everyone.
  # b2b2c_forecaster_holdout's limit on nout (include/b2b2c/forecast.h).
  HOLDOUT_MAX_GROUPS = 1000
  # The built-in purchase kinds by name ("product", "install", ...).
  KINDS = named("FORECAST_KIND_", %w[HOST_FIRST MAX]).freeze

  class Forecaster < Handle
    include Handle::Listing
    LISTING = :list_customers

    def initialize(ctx)
      super(ctx, :b2b2c_forecaster_free) { |p, c| Lib.b2b2c_forecaster_new(p, c) }
    end

    # Sets a FORECASTER_* parameter; Error (ERANGE) outside its bounds.
    def set_param(param, value) = check(Lib.b2b2c_forecaster_set_param(handle, param, value))
    # The value of a FORECASTER_* parameter.
    def get_param(param) = get_double(:b2b2c_forecaster_get_param, param)

    # Registers a host purchase kind by name; returns its kind number.
    def add_kind(name)
      v = B2B2C.out(:int32)
      check(Lib.b2b2c_forecaster_add_kind(v, handle, name))
      v.read_int32
    end

    # The name of a purchase kind number (nil when unknown).
    def kind_name(kind) = Lib.b2b2c_forecaster_kind_name(handle, kind)

    # kind: FORECAST_KIND_* (or a host kind number) or a built-in kind's name.
    def add_purchase(customer_id, segment, time, amount, kind = FORECAST_KIND_PRODUCT)
      check(Lib.b2b2c_forecaster_add_purchase(handle, customer_id, B2B2C.seg(segment), time, amount,
                                              B2B2C.enum(kind, KINDS, "kind")))
    end

    # Records that the customer's software subscription ended at time.
    def cancel_subscription(customer_id, time)
      check(Lib.b2b2c_forecaster_cancel_subscription(handle, customer_id, time))
    end

    # Removes a customer's purchases and cancellation (also the repair of a
    # purchase an older build stored outside the time range).
    def remove_customer(customer_id)
      check(Lib.b2b2c_forecaster_remove_customer(handle, customer_id))
    end

    # Folds the purchases older than FORECASTER_FOLD_DAYS before now of up
    # to the next max_customers customers into per-customer summaries
    # (docs/forecaster.md, "Folding old purchases"): every answer about a
    # time after the fold point stays the same. Returns how many customers'
    # folds grew. Since 1.1.
    def fold(now, max_customers = 10_000) = get_size(:b2b2c_forecaster_fold, now, max_customers)

    # Erases a customer everywhere this engine and the change log keep it
    # (docs/privacy.md). Since 1.1.
    def erase(customer_id) = check(Lib.b2b2c_forecaster_erase(handle, customer_id))

    # Fits the segment; true only when the purchase model's fit converged
    # cleanly (fit_params gives :status and :gg_status by name). With
    # calibration_start, a customer with a purchase before it raises
    # Error (ERANGE) and nothing is fitted.
    def fit(calibration_end, segment: -1, calibration_start: nil)
      c = B2B2C.out(:int32)
      if calibration_start
        check(Lib.b2b2c_forecaster_fit_window(c, handle, segm(segment),
                                              calibration_start, calibration_end))
      else
        check(Lib.b2b2c_forecaster_fit(c, handle, segm(segment), calibration_end))
      end
      c.read_int32 == FIT_CONVERGED
    end

    # {model: m, params: {"r" => ...}, gg_params: {"p" => ...}, loglik: x,
    # status: name, gg_status: name}; the names follow the model the fit
    # was made with; a status other than "converged" means the stored fit
    # is not clean.
    def fit_params(segment: -1)
      m, st, gst = Array.new(3) { B2B2C.out(:int32) }
      p = B2B2C.out(:double, 4)
      g = B2B2C.out(:double, 3)
      ll = B2B2C.out
      check(Lib.b2b2c_forecaster_fit_params(m, p, g, ll, st, gst, handle, segm(segment)))
      model = m.read_int32
      { model: model,
        params: B2B2C.forecast_param_names(model).zip(p.read_array_of_double(4)).to_h,
        gg_params: B2B2C.forecast_param_names(FORECAST_GG).zip(g.read_array_of_double(3)).to_h,
        loglik: ll.read_double,
        status: B2B2C.fit_status_name(st.read_int32),
        gg_status: B2B2C.fit_status_name(gst.read_int32) }
    end

    # [attach_rate, mean_value] of a service kind.
    def service_stats(kind, segment: -1)
      a, m = Array.new(2) { B2B2C.out }
      check(Lib.b2b2c_forecaster_service_stats(a, m, handle, segm(segment), B2B2C.enum(kind, KINDS, "kind")))
      [a.read_double, m.read_double]
    end

    # [source, mean_spend]: SPEND_GAMMA_GAMMA, or why the fit gives every
    # customer the segment's mean spend (SPEND_MEAN_*).
    def spend_source(segment: -1)
      s = B2B2C.out(:int32)
      m = B2B2C.out
      check(Lib.b2b2c_forecaster_spend_source(s, m, handle, segm(segment)))
      [s.read_int32, m.read_double]
    end

    # [revenue_per_unit, retention]
    def subscription_stats(segment: -1)
      r, k = Array.new(2) { B2B2C.out }
      check(Lib.b2b2c_forecaster_subscription_stats(r, k, handle, segm(segment)))
      [r.read_double, k.read_double]
    end

    # The RFM summary of each customer over the calibration window (Summary structs), as the
    # fit reads it.
    def summaries(calibration_end, segment: -1, calibration_start: nil)
      if calibration_start
        iterate(:b2b2c_forecaster_summaries_window, :b2b2c_forecaster_summary_cb, handle, segm(segment),
                calibration_start, calibration_end) { |*a| Summary.new(*a) }
      else
        iterate(:b2b2c_forecaster_summaries, :b2b2c_forecaster_summary_cb, handle, segm(segment),
                calibration_end) { |*a| Summary.new(*a) }
      end
    end

    # [CustomerItem, ...] in customer ID order (bytewise); segment -1 = any.
    def list_customers(segment: -1)
      iterate(:b2b2c_forecaster_list_customers, :b2b2c_forecaster_customer_cb, handle,
              segm(segment)) { |*a| CustomerItem.new(*a) }
    end

    # {expected:, p_alive:, p_any:, spend:, clv_product:, clv_service:}
    def customer(customer_id, now, horizon)
      v = Array.new(6) { B2B2C.out }
      check(Lib.b2b2c_forecaster_customer(*v, handle, customer_id, now, horizon))
      %i[expected p_alive p_any spend clv_product clv_service].zip(v.map(&:read_double)).to_h
    end

    # The customers whose next purchase is due within window_days of now, most valuable first
    # (Due structs).
    def due(now, window_days)
      iterate(:b2b2c_forecaster_due, :b2b2c_forecaster_due_cb, handle, now, window_days) { |*a| Due.new(*a) }
    end

    # [{frequency:, count:, actual:, predicted:}, ...]
    # nout 1..1000, checked here before the buffers are allocated.
    def holdout(calibration_end, holdout_end, nout: 5, segment: -1)
      Lib.check_args(:holdout, [[0, :size_t]], [nout])
      raise ArgumentError, "holdout: nout must be 1..#{HOLDOUT_MAX_GROUPS}, not #{nout}" unless nout.between?(1, HOLDOUT_MAX_GROUPS)

      a, p, c = Array.new(3) { B2B2C.out(:double, [nout, 1].max) }
      check(Lib.b2b2c_forecaster_holdout(a, p, c, nout, handle, segm(segment), calibration_end, holdout_end))
      a, p, c = [a, p, c].map { |x| x.read_array_of_double(nout) }
      (0...nout).map { |k| { frequency: k, count: c[k], actual: a[k], predicted: p[k] } }
    end

    private

    def segm(segment) = B2B2C.any(segment) { |v| B2B2C.seg(v) }
  end
end
