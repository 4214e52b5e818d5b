# SPDX-License-Identifier: MIT
# The segmenter (b2b2c_segmenter) and attribute sets (b2b2c_seg_attrs).

module B2B2C
  # ---- segment ---------------------------------------------------------------
  def self.attr(a) = enum(a, :b2b2c_seg_attr_from_name, "attr")

  # The attribute names of a presence bit mask (internal).
  def self.mask_names(mask)
    (1..SEG_ATTR_COUNT).select { |a| mask.anybits?(1 << (a - 1)) }.map { |a| seg_attr_name(a) }
  end

  # The number for an attribute value: party types and organisation kinds
  # may be given by name.
  def self.attr_value(a, value)
    return value unless value.is_a?(String) || value.is_a?(Symbol)

    fn = { SEG_ATTR_PARTY_TYPE => :b2b2c_seg_party_type_from_name,
           SEG_ATTR_ORG_KIND => :b2b2c_seg_org_kind_from_name }[a]
    raise Error.new(EINVAL, "#{seg_attr_name(a)}: a number is needed") unless fn

    enum(value, fn, seg_attr_name(a))
  end

  # b2b2c_segment_attrs: an account's attributes, any of them missing.
  #   B2B2C::Attrs.new(ctx, party_type: "organisation", org_kind: "workshop",
  #                    employees: 8)
  # Integers go through b2b2c_segment_attrs_set_int, floats through set_double.
  class Attrs < Handle
    def initialize(ctx, **values)
      super(ctx, :b2b2c_segment_attrs_free) { |p, c| Lib.b2b2c_segment_attrs_new(p, c) }
      values.each { |k, v| set(k, v) }
    end

    # Sets an attribute (SEG_ATTR_* constant, name or symbol); party type and organisation
    # kind also by name. Returns self.
    def set(attr, value)
      a = B2B2C.attr(attr)
      v = B2B2C.attr_value(a, value)
      if v.is_a?(Integer) then check(Lib.b2b2c_segment_attrs_set_int(handle, a, v))
      else check(Lib.b2b2c_segment_attrs_set_double(handle, a, Float(v)))
      end
      self
    end

    # The value (Float), or nil when missing.
    def get(attr)
      v = B2B2C.out
      rc = Lib.b2b2c_segment_attrs_get(v, handle, B2B2C.attr(attr))
      return nil if rc == ENOTFOUND

      check(rc)
      v.read_double
    end

    # Marks one attribute missing again.
    def clear(attr) = check(Lib.b2b2c_segment_attrs_clear(handle, B2B2C.attr(attr)))
    # Marks every attribute missing (the set can be reused).
    def reset = check(Lib.b2b2c_segment_attrs_reset(handle))
    # The names of the attributes present.
    def present = B2B2C.mask_names(Lib.b2b2c_segment_attrs_present(handle))
    # {attribute name => value} of the attributes present.
    def to_h = present.to_h { |n| [n, get(n)] }
  end

  Classification = Struct.new(:segment, :name, :group, :confidence, :rule,
                              :reason, :missing)
  SegmentChange = Struct.new(:account_id, :time, :from_segment, :to_segment,
                             :version, :rule, :confidence)
  Rule = Struct.new(:rule_id, :priority, :segment, :expr, :is_default)
  AccountItem = Struct.new(:account_id, :segment, :since, :version)

  # b2b2c_segmenter: classifies accounts into the five sub-segments, records
  # assignments and migrations, recommends routing.
  class Segmenter < Handle
    include Handle::Listing
    LISTING = :list_accounts

    def initialize(ctx)
      super(ctx, :b2b2c_segmenter_free) { |p, c| Lib.b2b2c_segmenter_new(p, c) }
    end

    # Sets a SEG_* parameter; Error (ERANGE) outside its bounds (B2B2C.param_bounds).
    def set_param(param, value) = check(Lib.b2b2c_segmenter_set_param(handle, param, value))
    # The value of a SEG_* parameter.
    def get_param(param) = get_double(:b2b2c_segmenter_get_param, param)

    # The rule-set version: it grows with every rule or parameter change.
    def version
      v = B2B2C.out(:int64)
      check(Lib.b2b2c_segmenter_version(v, handle))
      v.read_int64
    end

    # Adds a host rule: accounts matching expr go to segment; lower priority numbers are tried
    # first. Error (EINVAL) with the position of a syntax error, (EEXISTS) for an ID taken.
    def rule_add(rule_id, priority, segment, expr)
      check(Lib.b2b2c_segmenter_rule_add(handle, rule_id, priority, B2B2C.seg(segment), expr))
    end

    # Removes a host rule; Error (ENOTFOUND) for an unknown ID.
    def rule_remove(rule_id) = check(Lib.b2b2c_segmenter_rule_remove(handle, rule_id))

    # Erases an account's assignment history, also from the change log
    # (docs/privacy.md). Since 1.1.
    def erase(account_id) = check(Lib.b2b2c_segmenter_erase(handle, account_id))

    # Every rule in evaluation order, as Rule structs.
    def rules
      iterate(:b2b2c_segmenter_rules, :b2b2c_seg_rule_cb, handle) do |r, p, s, e, d|
        Rule.new(r, p, s, e, d != 0)
      end
    end

    # Classifies an Attrs (or a Hash of attribute values).
    def classify(attrs)
      seg = B2B2C.out(:int32)
      conf = B2B2C.out
      with_attrs(attrs) { |a| check(Lib.b2b2c_segmenter_classify(seg, conf, handle, a.handle)) }
      s = seg.read_int32
      Classification.new(s, B2B2C.segment_name(s), B2B2C.group_name(B2B2C.segment_group(s)),
                         conf.read_double, Lib.b2b2c_segmenter_last_rule(handle),
                         Lib.b2b2c_segmenter_last_reason(handle),
                         B2B2C.mask_names(Lib.b2b2c_segmenter_last_missing(handle)))
    end

    # Classifies many accounts given as Hashes through the bulk path;
    # [[segment, confidence], ...].
    def classify_batch(rows)
      n = rows.size
      values = Array.new(n * SEG_ATTR_COUNT, 0.0)
      present = Array.new(n, 0)
      rows.each_with_index do |row, i|
        row.each do |k, v|
          a = B2B2C.attr(k)
          values[(i * SEG_ATTR_COUNT) + a - 1] = Float(B2B2C.attr_value(a, v))
          present[i] |= 1 << (a - 1)
        end
      end
      vp, = B2B2C.doubles(values, "values")
      pp = B2B2C.out(:uint32, [n, 1].max)
      pp.write_array_of_uint32(present)
      batch_result(n) { |s, c| Lib.b2b2c_segmenter_classify_batch(s, c, handle, n, vp, pp) }
    end

    # Classifies an Array of Attrs.
    def classify_sets(sets)
      arr = B2B2C.out(:pointer, [sets.size, 1].max)
      arr.write_array_of_pointer(sets.map(&:handle))
      batch_result(sets.size) { |s, c| Lib.b2b2c_segmenter_classify_sets(s, c, handle, sets.size, arr) }
    end

    # Classifies the account (an Attrs or a Hash) and records the assignment at now (a Time or
    # Unix seconds); returns the segment.
    def assign(account_id, attrs, now)
      seg = B2B2C.out(:int32)
      with_attrs(attrs) { |a| check(Lib.b2b2c_segmenter_assign(seg, handle, account_id, a.handle, now)) }
      seg.read_int32
    end

    # Assigns the account to a segment (constant, name or symbol) by hand at now.
    def assign_segment(account_id, segment, now)
      check(Lib.b2b2c_segmenter_assign_segment(handle, account_id, B2B2C.seg(segment), now))
    end

    # [segment, since, rule-set version]
    def assignment(account_id)
      s = B2B2C.out(:int32)
      since, ver = Array.new(2) { B2B2C.out(:int64) }
      check(Lib.b2b2c_segmenter_assignment(s, since, ver, handle, account_id))
      [s.read_int32, since.read_int64, ver.read_int64]
    end

    # [AccountItem, ...] of the current assignments, in account ID order
    # (bytewise); segment -1 = any.
    def list_accounts(segment: -1)
      iterate(:b2b2c_segmenter_list_accounts, :b2b2c_seg_account_cb, handle,
              B2B2C.any(segment) { |v| B2B2C.seg(v) }) { |*a| AccountItem.new(*a) }
    end

    # The account's assignments, oldest first (SegmentChange structs).
    def history(account_id)
      iterate(:b2b2c_segmenter_history, :b2b2c_seg_change_cb, handle, account_id) { |*a| SegmentChange.new(*a) }
    end

    # The segment changes of every account at or after since, oldest first.
    def migrations(since)
      iterate(:b2b2c_segmenter_migrations, :b2b2c_seg_change_cb, handle, since) { |*a| SegmentChange.new(*a) }
    end

    # [destination, channel kind] for a lead of segment in band.
    def route(segment, band)
      d, k = Array.new(2) { B2B2C.out(:int32) }
      check(Lib.b2b2c_segmenter_route(d, k, handle, B2B2C.seg(segment), B2B2C.band(band)))
      [d.read_int32, k.read_int32]
    end

    # Overrides where a lead of segment in band goes: dest (SEG_DEST_*) and channel kind
    # (SEG_CHANNEL_*), constants, names or symbols.
    def route_set(segment, band, dest, channel_kind)
      check(Lib.b2b2c_segmenter_route_set(
              handle, B2B2C.seg(segment), B2B2C.band(band),
              B2B2C.enum(dest, :b2b2c_seg_dest_from_name, "dest"),
              B2B2C.enum(channel_kind, :b2b2c_seg_channel_from_name, "channel_kind")
            ))
    end

    # Back to the built-in routing for segment and band.
    def route_reset(segment, band)
      check(Lib.b2b2c_segmenter_route_reset(handle, B2B2C.seg(segment), B2B2C.band(band)))
    end

    private

    def with_attrs(attrs)
      return yield attrs if attrs.is_a?(Attrs)

      tmp = Attrs.new(@ctx, **attrs.transform_keys(&:to_sym))
      begin
        yield tmp
      ensure
        tmp.close
      end
    end

    def batch_result(n)
      segs = B2B2C.out(:int32, [n, 1].max)
      confs = B2B2C.out(:double, [n, 1].max)
      check(yield(segs, confs))
      segs.read_array_of_int32(n).zip(confs.read_array_of_double(n))
    end
  end
  SegmentClassifier = Segmenter
end
