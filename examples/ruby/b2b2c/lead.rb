# SPDX-License-Identifier: MIT
# The lead model (b2b2c_lead_model).

module B2B2C
  # ---- lead ------------------------------------------------------------------

  LeadRow = Struct.new(:lead_id, :score, :band, :probability)
  RefitResult = Struct.new(:status, :passes, :converged)
  BandChange = Struct.new(:lead_id, :old_band, :new_band, :at)
  LeadItem = Struct.new(:lead_id, :stage, :band, :score)
  FunnelRow = Struct.new(:group, :stage, :fields)
  PointSuggestion = Struct.new(:entry, :current, :suggested, :std_error, :outcomes)
  PointsChange = Struct.new(:at, :entry, :old_points, :new_points)
  BandChangeWhy = Struct.new(:lead_id, :old_band, :new_band, :at, :reason)
  DRY_NAMES = prefixed("LEAD_DRY_", %w[MOVES NFIELDS]).freeze

  FUNNEL_BY = prefixed("LEAD_FUNNEL_BY_").invert.freeze
  FUNNEL_NAMES = prefixed("LEAD_FUNNEL_").reject { |_, k| k.start_with?("by_") || %w[nfields moved_to].include?(k) }.freeze

  # A funnel row of n values -> {"entered" => ..., ..., "moved_to" =>
  # {stage name => visits}}; fields of later versions keyed by index.
  def self.funnel_fields(ptr, n)
    vals = ptr.read_array_of_double(n)
    h = {}
    vals.each_with_index do |v, i|
      if i < LEAD_FUNNEL_MOVED_TO then h[FUNNEL_NAMES.fetch(i, i)] = v
      elsif i >= LEAD_FUNNEL_MOVED_TO + 10 then h[i] = v
      end
    end
    h["moved_to"] = (0...10).select { |s| LEAD_FUNNEL_MOVED_TO + s < n }
                            .to_h { |s| [B2B2C.lead_stage_name(s), vals[LEAD_FUNNEL_MOVED_TO + s]] }
    h
  end

  # b2b2c_lead_model: leads, events, decaying score and cold/warm/hot bands,
  # stages, learned P(won), queries and the band-change alert (a block).
  class LeadModel < Handle
    def initialize(ctx)
      @alert = nil # the Trampoline C may call (kept alive here)
      @rescore_alert = nil
      super(ctx, :b2b2c_lead_model_free) { |p, c| Lib.b2b2c_lead_model_new(p, c) }
    end

    # Frees the model (and the alert block, once C can no longer call it).
    def close
      super
      @alert = nil # only after C can no longer call it
      @rescore_alert = nil
    end

    # Sets a LEAD_* parameter; Error (ERANGE) outside its bounds (B2B2C.param_bounds).
    def set_param(param, value) = check(Lib.b2b2c_lead_model_set_param(handle, param, value))
    # The value of a LEAD_* parameter.
    def get_param(param) = get_double(:b2b2c_lead_model_get_param, param)

    # Registers a host event kind by name; returns its kind number. Error (EEXISTS) for a name
    # taken.
    def add_kind(name) = out_i32 { |v| Lib.b2b2c_lead_add_kind(v, handle, name) }
    # The kind number of an event kind's name (built-in or added); Error (ENOTFOUND) when
    # unknown.
    def kind_id(name) = out_i32 { |v| Lib.b2b2c_lead_kind_id(v, handle, name.is_a?(Symbol) ? name.to_s : name) }
    # The name of an event kind number (nil when unknown).
    def kind_name(kind) = Lib.b2b2c_lead_kind_name(handle, kind)

    # Scores an event kind (number, name or symbol): points per event, caps per day and in all
    # (0: none), hot_days > 0 keeps a lead hot that long.
    def kind_set(kind, points, cap_day: 0, cap_total: 0, hot_days: 0)
      check(Lib.b2b2c_lead_kind_set(handle, kind_of(kind), points, cap_day, cap_total, hot_days))
    end

    # {points:, cap_day:, cap_total:, hot_days:} of an event kind.
    def kind_get(kind)
      v = Array.new(4) { B2B2C.out }
      check(Lib.b2b2c_lead_kind_get(*v, handle, kind_of(kind)))
      %i[points cap_day cap_total hot_days].zip(v.map(&:read_double)).to_h
    end

    # Points a lead gets for an attribute value (attr: LEAD_ATTR_* or :segment, :channel,
    # :region, :product_line).
    def attr_points_set(attr, value, points)
      check(Lib.b2b2c_lead_attr_points_set(handle, B2B2C.enum(attr, B2B2C.named("LEAD_ATTR_"), "attr"), value,
                                           points))
    end

    # Adds a lead created at created (a Time or Unix seconds); segment a constant, name or
    # symbol. Error (EEXISTS) for an ID taken.
    def add(lead_id, created, segment: 0, channel: nil, region: nil, product_line: nil)
      check(Lib.b2b2c_lead_add(handle, lead_id, created, B2B2C.seg(segment), channel, region,
                               product_line))
    end

    # Records an event (kind: number or name). An exception raised by the
    # alert block is re-raised here (the event is recorded).
    def event(lead_id, kind, now, value = 0.0)
      rc = Lib.b2b2c_lead_event(handle, lead_id, kind_of(kind), now, value)
      @alert&.rethrow
      check(rc)
    end

    # Corrects an attribute of a lead (attr: LEAD_ATTR_* or :segment, :channel, :region,
    # :product_line); for the segment a constant, name or symbol, otherwise an ID; nil
    # clears it. Holds from the lead's creation on. Since 1.1.
    def set_attr(lead_id, attr, value)
      attr = B2B2C.enum(attr, B2B2C.named("LEAD_ATTR_"), "attr")
      value = Lib.b2b2c_segment_name(B2B2C.seg(value)) if attr == B2B2C::LEAD_ATTR_SEGMENT && !value.nil?
      check(Lib.b2b2c_lead_set_attr(handle, lead_id, attr, value))
    end

    # Merges lead from_id into into_id (one person): from's events add into into's
    # aggregates, the further-along stage wins, from is removed. Since 1.1.
    def merge(from_id, into_id, now) = check(Lib.b2b2c_lead_merge(handle, from_id, into_id, now))

    # Removes a lead and its stage history (also the repair of a lead an
    # older build stored with a time outside the range).
    def remove(lead_id)
      check(Lib.b2b2c_lead_remove(handle, lead_id))
    end

    # Erases a lead everywhere this engine and the change log keep it
    # (docs/privacy.md). Since 1.1.
    def erase(lead_id) = check(Lib.b2b2c_lead_erase(handle, lead_id))

    # Closes the due leads among the next max_leads of the working set (won, lost,
    # disqualified or customer for LEAD_CLOSE_DAYS); returns how many. Since 1.1.
    def close_due(now, max_leads = 10_000) = get_size(:b2b2c_lead_close_due, now, max_leads)

    # Brings a closed lead back into the working set. Since 1.1.
    def reopen(lead_id) = check(Lib.b2b2c_lead_reopen(handle, lead_id))

    # [score, band] at now.
    def score(lead_id, now)
      s = B2B2C.out
      b = B2B2C.out(:int32)
      check(Lib.b2b2c_lead_score(s, b, handle, lead_id, now))
      [s.read_double, b.read_int32]
    end

    # The band's name ("cold", "warm", "hot") at now.
    def band(lead_id, now) = B2B2C.band_name(score(lead_id, now)[1])
    # The lead's lifecycle stage (LEAD_STAGE_*; B2B2C.enum_symbol(:LeadStage, v) names it).
    def stage(lead_id) = out_i32 { |v| Lib.b2b2c_lead_stage(v, handle, lead_id) }
    # The number of leads (also size).
    def count = get_size(:b2b2c_lead_count)
    alias size count

    # Moves the lead to a stage (constant, name or symbol) at now; Error (ESTATE) for a move
    # the lifecycle does not allow.
    def set_stage(lead_id, stage, now)
      st = B2B2C.enum(stage, :b2b2c_lead_stage_from_name, "stage")
      check(Lib.b2b2c_lead_set_stage(handle, lead_id, st, now))
    end

    # [[from, to, at], ...], oldest first.
    def stage_history(lead_id)
      iterate(:b2b2c_lead_stage_history, :b2b2c_lead_stage_cb, handle, lead_id) { |*a| a }
    end

    # [FunnelRow(group, stage number, fields), ...] of the leads created in
    # [from, to) (nil: open end) as their stage histories stood at now; by:
    # "all", "week", "month", "channel", "segment", "band" (or a
    # LEAD_FUNNEL_BY_* value). fields: {"entered", "leads", "forward",
    # "dropped", "open", "stalled", "conversion", "drop_rate",
    # "days_median", "days_p90", "reach_median", "reach_p90", "moved_to" =>
    # {stage name => visits}}; NaN where undefined.
    def funnel(from, to, now, by: "all", stall_days: 30.0)
      b = B2B2C.enum(by, FUNNEL_BY, "by")
      iterate(:b2b2c_lead_funnel, :b2b2c_lead_funnel_cb, handle, from.nil? ? -(2**63) : from,
              to.nil? ? (2**63) - 1 : to, now, b, stall_days) { |g, st, f, n| FunnelRow.new(g, st, B2B2C.funnel_fields(f, n)) }
    end

    # won: true, "won" or :won; false, "lost" or :lost (numbers are refused).
    def outcome(lead_id, won, now) = check(Lib.b2b2c_lead_outcome(handle, lead_id, B2B2C.won(won), now))
    # Refits the learned model from all outcomes; RefitResult(status, passes,
    # converged): status is the fit status name ("converged", "max_iter",
    # "stalled"), converged true only for "converged"; the weights reached
    # are kept in every case.
    def refit
      c = B2B2C.out(:int32)
      n = B2B2C.out(:int32)
      check(Lib.b2b2c_lead_refit(c, n, handle))
      RefitResult.new(B2B2C.fit_status_name(c.read_int32), n.read_int32,
                      c.read_int32 == FIT_CONVERGED)
    end

    # The learned P(won) of the lead at now (NaN until enough outcomes and a refit).
    def probability(lead_id, now)
      p = B2B2C.out
      check(Lib.b2b2c_lead_probability(p, handle, lead_id, now))
      p.read_double
    end

    # [[feature, contribution], ...]: top k up, then top k down.
    def factors(lead_id, now, k = 5)
      iterate(:b2b2c_lead_factors, :b2b2c_lead_factor_cb, handle, lead_id, now, k) { |*a| a }
    end

    # The best n leads at now; band, segment, stage -1 = any.
    def top(now, n = 10, by: LEAD_BY_SCORE, band: -1, segment: -1, stage: -1, region: nil)
      st = B2B2C.any(stage) { |v| B2B2C.enum(v, :b2b2c_lead_stage_from_name, "stage") }
      by = B2B2C.enum(by, B2B2C.named("LEAD_BY_"), "by")
      iterate(:b2b2c_lead_top, :b2b2c_lead_row_cb, handle, now, n, by, B2B2C.any(band) { |v| B2B2C.band(v) },
              B2B2C.any(segment) { |v| B2B2C.seg(v) }, st, region) { |*a| LeadRow.new(*a) }
    end

    # [[band, segment, channel, count], ...] non-zero cells.
    def counts(now) = iterate(:b2b2c_lead_counts, :b2b2c_lead_count_cb, handle, now) { |*a| a }

    # The leads whose band changed in (since, now], oldest first (BandChange structs).
    def band_changes(since, now)
      iterate(:b2b2c_lead_band_changes, :b2b2c_lead_band_cb, handle, since, now) { |*a| BandChange.new(*a) }
    end

    # [LeadItem, ...] at now, in lead ID order (bytewise); stage, band -1 = any.
    def list(now, stage: -1, band: -1)
      st = B2B2C.any(stage) { |v| B2B2C.enum(v, :b2b2c_lead_stage_from_name, "stage") }
      iterate(:b2b2c_lead_list, :b2b2c_lead_list_cb, handle, st, B2B2C.any(band) { |v| B2B2C.band(v) },
              now) { |*a| LeadItem.new(*a) }
    end

    # ---- points learned from outcomes (1.1) ----

    # [PointSuggestion(entry, current, suggested, std_error, outcomes), ...]
    # for every kind ("kind:NAME"), segment ("segment:NAME") and attribute
    # value ("channel:ID", "region:CODE", "product_line:ID"), in entry
    # order: points suggested from the recorded outcomes on the current
    # point scale; std_error NaN for an entry that keeps its points (fewer
    # than min_outcomes outcomes; 0 = LEAD_POINTS_MIN_OUTCOMES). Error
    # (ENOTREADY) with too few outcomes.
    def suggest_points(min_outcomes = 0)
      iterate(:b2b2c_lead_suggest_points, :b2b2c_lead_points_cb, handle, min_outcomes) do |*a|
        PointSuggestion.new(*a)
      end
    end

    # What points_apply(table, now, ...) would do, changing nothing: a Hash
    # with "moves" (3x3: from cold/warm/hot now, to cold/warm/hot), "warm",
    # "hot" (the thresholds it would set), "auc", "auc_se", "brier",
    # "log_loss" (the current table on the outcomes, folds-fold
    # cross-validated, folds drawn from seed) and "new_auc", ... (the
    # proposed table). table: {"kind:NAME" => points, ...}; shares nil: the
    # shares at now.
    def points_dry_run(table, now, warm_share: nil, hot_share: nil, folds: 5, seed: 0)
      ents, pts, n, keep = table_ptrs(table)
      out = B2B2C.out(:double, LEAD_DRY_NFIELDS)
      check(Lib.b2b2c_lead_points_dry_run(out, LEAD_DRY_NFIELDS, handle, ents, pts, n,
                                          share(warm_share), share(hot_share), now, folds, seed))
      keep.clear
      v = out.read_array_of_double(LEAD_DRY_NFIELDS)
      DRY_NAMES.to_h { |i, k| [k, v[i]] }.merge("moves" => v[0, 9].map(&:to_i).each_slice(3).to_a)
    end

    # Sets the table's points, rescores every lead and sets the warm and
    # hot thresholds so that the shares of warm and hot leads at now are
    # the targets (nil: the shares before); recorded in points_history
    # dated now. Returns [warm, hot]. A bad table is refused whole (Error
    # ENOTFOUND or EINVAL naming the entry).
    def points_apply(table, now, warm_share: nil, hot_share: nil)
      ents, pts, n, keep = table_ptrs(table)
      w = B2B2C.out
      h = B2B2C.out
      rc = Lib.b2b2c_lead_points_apply(w, h, handle, ents, pts, n, share(warm_share), share(hot_share), now)
      keep.clear
      check(rc)
      [w.read_double, h.read_double]
    end

    # [PointsChange(at, entry, old_points, new_points), ...]: every
    # points_apply, oldest first; "threshold:warm" / "threshold:hot" give
    # the thresholds.
    def points_history
      iterate(:b2b2c_lead_points_history, :b2b2c_lead_points_history_cb, handle) { |*a| PointsChange.new(*a) }
    end

    # band_changes with the reason of each (LEAD_BAND_BY_EVENT, _DECAY or
    # _RESCORE: points or thresholds changed).
    def band_changes_why(since, now)
      iterate(:b2b2c_lead_band_changes_why, :b2b2c_lead_band_why_cb, handle, since, now) do |*a|
        BandChangeWhy.new(*a)
      end
    end

    # The block receives a BandChange for every lead whose band a
    # rescoring (a change of points or thresholds) changed; without a
    # block the alert is removed.
    def set_rescore_alert(&blk)
      unless blk
        check(Lib.b2b2c_lead_set_rescore_alert(handle, nil, nil))
        @rescore_alert = nil
        return
      end
      t = Trampoline.new(:b2b2c_lead_band_cb) { |*a| blk.call(BandChange.new(*a)) }
      check(Lib.b2b2c_lead_set_rescore_alert(handle, t.function, nil))
      @rescore_alert = t
    end

    # The block receives a BandChange after an event moved a lead into
    # another band; without a block the alert is removed.
    def set_alert(&blk)
      unless blk
        check(Lib.b2b2c_lead_set_alert(handle, nil, nil))
        @alert = nil
        return
      end
      t = Trampoline.new(:b2b2c_lead_band_cb) { |*a| blk.call(BandChange.new(*a)) }
      check(Lib.b2b2c_lead_set_alert(handle, t.function, nil))
      @alert = t
    end

    private

    # An exception of the rescore alert, re-raised once the call that
    # rescored (points_apply, kind_set, attr_points_set, set_param) returned.
    def check(rc)
      @rescore_alert&.rethrow
      super
    end

    def share(v) = v.nil? ? Float::NAN : Float(v)

    # [entries, points, n, the strings to keep alive during the call]
    def table_ptrs(table)
      strs = table.keys.map { |k| FFI::MemoryPointer.from_string(k.to_s) }
      ents = FFI::MemoryPointer.new(:pointer, [strs.size, 1].max)
      ents.write_array_of_pointer(strs) unless strs.empty?
      pts, = B2B2C.doubles(table.values, "points")
      [ents, pts, strs.size, strs]
    end

    def kind_of(kind) = kind.is_a?(String) || kind.is_a?(Symbol) ? kind_id(kind) : B2B2C.enum(kind, {}, "kind")

    def out_i32
      v = B2B2C.out(:int32)
      check(yield v)
      v.read_int32
    end
  end
end
