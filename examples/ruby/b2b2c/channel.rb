# SPDX-License-Identifier: MIT
# Marketing channels (b2b2c_channels).

module B2B2C
  # ---- channels ----------------------------------------------------------------

  CHM_NAMES = prefixed("CHM_", ["COUNT"]).freeze
  MIX_NAMES = prefixed("MIX_", ["COUNT"]).freeze

  Attribution = Struct.new(:channel_id, :conversions, :revenue, :ltv)
  Share = Struct.new(:channel_id, :t, :share)
  ChannelItem = Struct.new(:channel_id, :kind, :sub, :group)
  LagWeek = Struct.new(:week_start, :reach_spend, :leadgen_spend, :leads, :cpl)

  # The channel kind (reach or lead generation) a sub-kind belongs to.
  def self.channel_sub_kind(sub) = check(Lib.b2b2c_channel_sub_kind(sub))

  # An attribution model argument: CHANNEL_ATTRIBUTION_* constant, name or symbol (:markov).
  def self.channel_attribution(m) = enum(m, :b2b2c_channel_attribution_from_name, "model")

  # The transition counts of paths (b2b2c_channel_markov_counts): each path
  # an Array of channel numbers (0 ... nchannels) in time order,
  # converted[i] true when path i ends in a conversion. A flat Array of
  # (nchannels + 1) * (nchannels + 3) Integers (row 0 START, row c + 1
  # channel c; column c + 1 channel c, nchannels + 1 CONVERSION,
  # nchannels + 2 NULL): add several batches' elementwise and pass the
  # total to channel_markov_effects.
  def self.channel_markov_counts(nchannels, paths, converted, ctx: nil)
    raise ArgumentError, "converted: #{converted.size} values for #{paths.size} paths" if converted.size != paths.size

    flat = paths.flatten
    ncnt = nchannels.positive? ? (nchannels + 1) * (nchannels + 3) : 0
    o = out(:uint64, [ncnt, 1].max)
    chs = out(:uint32, [flat.size, 1].max).tap { |m| m.write_array_of_uint32(flat) }
    lens = out(:uint32, [paths.size, 1].max).tap { |m| m.write_array_of_uint32(paths.map(&:size)) }
    conv = out(:uint32, [paths.size, 1].max).tap { |m| m.write_array_of_uint32(converted.map { |c| c ? 1 : 0 }) }
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_channel_markov_counts(o, ncnt, c.handle, nchannels, chs, flat.size, lens, conv,
                                              paths.size))
    end
    o.read_array_of_uint64(ncnt)
  end

  # [P(conversion), [removal effect of channel c, ...]] of the chain with
  # these transition counts (b2b2c_channel_markov_effects): what
  # Channels#markov_effects reports for the same paths.
  def self.channel_markov_effects(counts, nchannels, ctx: nil)
    cnt = out(:uint64, [counts.size, 1].max).tap { |m| m.write_array_of_uint64(counts) }
    eff = out(:double, [nchannels, 1].max)
    p = out(:double)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_channel_markov_effects(eff, p, c.handle, cnt, counts.size, nchannels))
    end
    [p.read_double, eff.read_array_of_double(nchannels)]
  end

  # b2b2c_channels: channels, spend, touches, conversions, metrics,
  # attribution, media mix. Metric and mix rows come back as [key, Hash
  # keyed by the CHM_* / MIX_* names lowercased].
  class Channels < Handle
    include Handle::Listing
    LISTING = :list

    def initialize(ctx)
      super(ctx, :b2b2c_channels_free) { |p, c| Lib.b2b2c_channels_new(p, c) }
    end

    # Sets a CHANNELS_* parameter; Error (ERANGE) outside its bounds.
    def set_param(param, value) = check(Lib.b2b2c_channels_set_param(handle, param, value))

    # The value of a CHANNELS_* parameter.
    def get_param(param)
      v = B2B2C.out
      check(Lib.b2b2c_channels_get_param(v, handle, param))
      v.read_double
    end

    # kind, sub and group: numbers or stable names.
    def add(channel_id, kind, sub = 0, group = 0)
      check(Lib.b2b2c_channels_add(handle, channel_id,
                                   B2B2C.enum(kind, :b2b2c_channel_kind_from_name, "kind"),
                                   B2B2C.enum(sub, :b2b2c_channel_sub_from_name, "sub"),
                                   B2B2C.group(group)))
    end

    # [kind, sub, group]
    def get(channel_id)
      k, s, g = Array.new(3) { B2B2C.out(:int32) }
      check(Lib.b2b2c_channels_get(k, s, g, handle, channel_id))
      [k, s, g].map(&:read_int32)
    end

    # The number of channels.
    def count
      v = B2B2C.out(:size_t)
      check(Lib.b2b2c_channels_count(v, handle))
      v.read(:size_t)
    end

    # [ChannelItem, ...] in channel ID order (bytewise); kind -1 = any.
    def list(kind: -1)
      k = B2B2C.any(kind) { |v| B2B2C.enum(v, :b2b2c_channel_kind_from_name, "kind") }
      iterate(:b2b2c_channels_list, :b2b2c_channels_list_cb, handle, k) { |*a| ChannelItem.new(*a) }
    end

    # Records a channel's spend (and impressions) on the day holding t; a second call for that
    # day replaces it.
    def set_spend(channel_id, t, spend, impressions = 0.0)
      check(Lib.b2b2c_channels_set_spend(handle, channel_id, t, spend, impressions))
    end

    # Records that a lead touched a channel at t.
    def touch(lead_id, channel_id, t) = check(Lib.b2b2c_channels_touch(handle, lead_id, channel_id, t))
    # Records the lead's conversion at t with its revenue.
    def convert(lead_id, t, revenue = 0.0) = check(Lib.b2b2c_channels_convert(handle, lead_id, t, revenue))
    # Sets the lifetime value of a converted lead (the *_ltv metrics read it).
    def set_ltv(lead_id, ltv) = check(Lib.b2b2c_channels_set_ltv(handle, lead_id, ltv))

    # Moves lead from_id's touches and conversion to into_id (one person; the earlier
    # conversion, both revenues) and deletes from_id. Since 1.1.
    def merge(from_id, into_id) = check(Lib.b2b2c_channels_merge(handle, from_id, into_id))

    # Erases a lead's touches, conversion and value, also from the change
    # log (docs/privacy.md). Since 1.1.
    def erase(lead_id) = check(Lib.b2b2c_channels_erase(handle, lead_id))

    # Removes a channel no lead touched (Error(ESTATE) otherwise), with its
    # spend. Since 1.1.
    def remove(channel_id) = check(Lib.b2b2c_channels_remove(handle, channel_id))

    # [[key, {spend, impressions, leads, ..., romi_ltv}], ...] by channel, kind, group or
    # total.
    def metrics(by, model, from, to)
      by = B2B2C.enum(by, B2B2C.named("CHANNELS_BY_"), "by")
      iterate(:b2b2c_channels_metrics, :b2b2c_channels_row_cb, handle, by, B2B2C.channel_attribution(model),
              from, to) do |k, m, n|
        [k, B2B2C.row(m, n, CHM_NAMES)]
      end
    end

    # The conversions in [from, to) shared among channels by the model (Attribution structs).
    def attribute(model, from, to)
      iterate(:b2b2c_channels_attribute, :b2b2c_channels_attribution_cb, handle, B2B2C.channel_attribution(model), from, to) do |*a|
        Attribution.new(*a)
      end
    end

    # [Share, ...] of one converted lead.
    # from and to (Unix seconds) are required for the Markov model (its
    # removal effects come from the paths ending in [from, to)); the other
    # models ignore them.
    def attribute_lead(lead_id, model, from = nil, to = nil)
      model = B2B2C.channel_attribution(model)
      if model == CHANNEL_ATTRIBUTION_MARKOV
        from = B2B2C.time(from, "from")
        to = B2B2C.time(to, "to")
      end
      iterate(:b2b2c_channels_attribute_lead, :b2b2c_channels_share_cb, handle, lead_id, model,
              from || 0, to || 0) { |*a| Share.new(*a) }
    end

    # [P(conversion), [[channel_id, removal_effect, share], ...]]
    def markov_effects(from, to)
      p = B2B2C.out
      rows = iterate(:b2b2c_channels_markov_effects, :b2b2c_channels_markov_cb, p, handle, from, to) do |c, re, sh|
        [c, re, sh]
      end
      [p.read_double, rows]
    end

    # [[group key, {reach_spend, ..., leadgen_ltv}], ...]: the media-mix shares.
    def mix_shares(model, from, to)
      iterate(:b2b2c_channels_mix_shares, :b2b2c_channels_row_cb, handle, B2B2C.channel_attribution(model),
              from, to) do |k, m, n|
        [k, B2B2C.row(m, n, MIX_NAMES)]
      end
    end

    # {slope:, corr:, pairs:, weeks: [LagWeek, ...]}
    def mix_lag(from, to, group: -1)
      slope, corr = Array.new(2) { B2B2C.out }
      pairs = B2B2C.out(:size_t)
      weeks = iterate(:b2b2c_channels_mix_lag, :b2b2c_channels_lag_cb, slope, corr, pairs, handle,
                      B2B2C.any(group) { |v| B2B2C.group(v) }, from, to) { |*a| LagWeek.new(*a) }
      { slope: slope.read_double, corr: corr.read_double, pairs: pairs.read(:size_t), weeks: weeks }
    end
  end
end
