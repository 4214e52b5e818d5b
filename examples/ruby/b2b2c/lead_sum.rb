# SPDX-License-Identifier: MIT
# The lead model's batch refit over training rows a host holds
# (b2b2c_lead_loss, b2b2c_lead_fit_sum; docs/scaling.md).

module B2B2C
  # weights: bias, 6 segment weights, the attributes, 2 per kind.
  LeadFitResult = Struct.new(:weights, :status, :passes, :converged)

  # The number of weights of a model with nattrs attributes and nkinds kinds.
  def self.lead_dim(nattrs, nkinds) = 1 + 6 + nattrs + (2 * nkinds)

  def self.u32(arr) = out(:uint32, [arr.size, 1].max).tap { |m| m.write_array_of_uint32(arr) } # :nodoc:

  # [loss, gradient, Hessian diagonal or nil] summed over a batch of training
  # rows (b2b2c_lead_loss): label, segment, nk one per row, attrs three per
  # row (channel, region, product line numbers, 0 none), the rows' kinds
  # concatenated in kind, count, value.
  def self.lead_loss(w, nattrs, nkinds, label, segment, attrs, nk, kind, count, value, hdiag: false, ctx: nil)
    dim = lead_dim(nattrs, nkinds)
    raise ArgumentError, "w: #{w.size} weights, expected #{dim}" if w.size != dim

    lo = out
    g = out(:double, dim)
    h = hdiag ? out(:double, dim) : nil
    seg = out(:int32, [segment.size, 1].max).tap { |m| m.write_array_of_int32(segment) }
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_lead_loss(lo, g, h, dim, c.handle, doubles(w, "w")[0], nattrs, nkinds, u32(label), seg,
                                  u32(attrs), u32(nk), u32(kind), doubles(count, "count")[0],
                                  doubles(value, "value")[0], kind.size, label.size))
    end
    [lo.read_double, g.read_array_of_double(dim), h&.read_array_of_double(dim)]
  end

  # The lead model's batch refit over sums the host computes: the block gets
  # the weights (an Array) and whether the Hessian diagonal is wanted (the
  # first call) and returns [loss, gradient, diagonal or nil] of lead_loss
  # summed over every partition. Raise SumOutsideDomain where the loss is not
  # finite; any other exception stops the fit and is re-raised.
  def self.lead_fit_sum(nattrs, nkinds, nrows, nwon, l2: 0.001, max_passes: 1000, ctx: nil, &sum)
    dim = lead_dim(nattrs, nkinds)
    w = out(:double, dim)
    st, np = Array.new(2) { out(:int32) }
    err = nil
    cb = FFI::Function.new(:int, %i[pointer pointer pointer pointer size_t pointer]) do |lp, gp, hp, wp, n, _u|
      loss, g, h = sum.call(wp.read_array_of_double(n), !hp.null?)
      lp.write_double(loss)
      gp.write_array_of_double(g.map(&:to_f))
      hp.write_array_of_double(h.map(&:to_f)) unless hp.null?
      0
    rescue SumOutsideDomain
      ERANGE
    rescue Exception => e # rubocop:disable Lint/RescueException (re-raised)
      err = e
      ESTORAGE
    end
    with_ctx(ctx) do |c|
      rc = Lib.b2b2c_lead_fit_sum(w, dim, st, np, c.handle, nattrs, nkinds, nrows, nwon, l2, max_passes, cb, nil)
      raise err if err

      c.check(rc)
    end
    LeadFitResult.new(w.read_array_of_double(dim), fit_status_name(st.read_int32), np.read_int32,
                      st.read_int32 == FIT_CONVERGED)
  end
end
