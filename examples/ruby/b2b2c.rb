# SPDX-License-Identifier: MIT
# Ruby binding for libb2b2c over the ffi gem.
#
# The shared library is found through ENV["B2B2C_LIBRARY"] (a path), else
# "libb2b2c.so.1". A negative status raises B2B2C::Error with #code, #name
# and the context's message.
#
#   require_relative "b2b2c"
#   B2B2C::Context.open do |ctx|
#     ctx.transaction { ... }
#   end
#
# Threads: a Context and the handles opened on it are used by one thread at
# a time; separate contexts are independent. Contexts on several threads
# may share one MemStore: every function is bound with blocking: true, so a
# thread waiting in C for the store (another thread's transaction) releases
# the GVL and the thread it waits for goes on.
require "ffi"

module B2B2C
  SEGMENTS = %w[unknown dealer_large_wholesale dealer_small_retail b2b_large
                b2b_small_pro b2c_consumer].freeze
  GROUPS = %w[unknown dealer b2b b2c].freeze
  BANDS = %w[unknown cold warm hot].freeze

  module Lib
    extend FFI::Library
    ffi_lib ENV.fetch("B2B2C_LIBRARY", "libb2b2c.so.1")

    # ffi checks an Integer against a signed C type and a String for NUL
    # bytes, but truncates a Float for an integer (1.5 -> 1) and wraps a
    # negative Integer for an unsigned type (-1 -> 2**64 - 1). Every
    # function is therefore attached through attach_function below, which
    # checks each integer and string argument first: RangeError outside the
    # C type, TypeError for a non-Integer (or non-String), ArgumentError for
    # a NUL byte; the message names the C function and the argument's
    # position. SIGNATURES keeps each function's parameter types (the
    # binding test feeds them edge values).
    INT_RANGES = {
      int: [-2**31, (2**31) - 1], int32: [-2**31, (2**31) - 1],
      uint32: [0, (2**32) - 1], int64: [-2**63, (2**63) - 1],
      uint64: [0, (2**64) - 1], size_t: [0, (2**(8 * FFI.type_size(:size_t))) - 1]
    }.freeze
    SIGNATURES = {}

    # blocking: true releases the GVL during the C call (as ctypes releases
    # Python's GIL), so a thread that waits in C for a store another thread
    # holds in a transaction does not hold up that thread for ever.
    def self.attach_function(name, *rest)
      params = rest.find { |a| a.is_a?(Array) }
      opts = rest.last.is_a?(Hash) ? rest.pop : {}
      super(name, *rest, { blocking: true }.merge(opts))
      SIGNATURES[name] = params
      checks = params.each_with_index.filter_map { |t, i| [i, t] if INT_RANGES.key?(t) || t == :string }
      return if checks.empty?

      raw = method(name)
      singleton_class.send(:remove_method, name) # no "method redefined" warning
      define_singleton_method(name) do |*args|
        Lib.check_args(name, checks, args)
        raw.call(*args)
      end
    end

    def self.check_args(name, checks, args)
      checks.each do |i, t|
        v = args[i]
        where = "#{name}: argument #{i + 1}"
        if t == :string
          next if v.nil?
          raise TypeError, "#{where} (const char *) must be a String or nil, not #{v.class}" unless v.is_a?(String)
          raise ArgumentError, "#{where} (const char *) contains a NUL byte" if v.include?("\0")
        else
          raise TypeError, "#{where} (#{t}) must be an Integer, not #{v.class}" unless v.is_a?(Integer)

          lo, hi = INT_RANGES[t]
          raise RangeError, "#{where} (#{t}) is #{v}, outside [#{lo}, #{hi}]" unless v.between?(lo, hi)
        end
      end
    end
  end
end

# The declarations generated from the public headers by tools/gen_bindings.py
# (b2b2c_decls.rb, beside this file): CONSTANTS, STATUS, the Storage and
# Allocator structs, every callback type and one attach_function per
# exported function, through the checking Lib.attach_function above.
require_relative "b2b2c_decls"

module B2B2C
  # Every enum value and #define constant of the public headers, named as in
  # C minus the B2B2C_ prefix (B2B2C::SEG_ATTR_OUTLETS == 8, B2B2C::EINVAL ==
  # -1, ...). The library's ranges: times are Unix seconds in [TIME_MIN,
  # TIME_MAX] (years 1..9999), amounts in [0, AMOUNT_MAX].
  CONSTANTS.each { |name, value| const_set(name, value) }

  class Error < StandardError
    attr_reader :code, :name

    def initialize(code, message = nil)
      @code = code
      @name = "B2B2C_#{STATUS.fetch(code, "E(#{code})")}"
      super("#{@name}: #{message && !message.empty? ? message : B2B2C.strerror(code)}")
    end
  end

  def self.check(rc, ctx = nil)
    raise Error.new(rc, ctx && Lib.b2b2c_ctx_errmsg(ctx)) if rc.negative?

    rc
  end

  def self.version = Lib.b2b2c_version_string
  def self.version_number = Lib.b2b2c_version_number
  def self.strerror(code) = Lib.b2b2c_strerror(code)

  # [min, max, default] of any engine's parameter number (inclusive bounds).
  def self.param_bounds(param)
    lo, hi, d = Array.new(3) { out }
    rc = Lib.b2b2c_param_bounds(lo, hi, d, param)
    raise Error.new(rc, "param: #{param} is not a parameter") unless rc.zero?

    [lo.read_double, hi.read_double, d.read_double]
  end

  # The parameter's C name without B2B2C_ ("LEAD_HALF_LIFE_DAYS"), or nil.
  def self.param_name(param) = Lib.b2b2c_param_name(param)&.delete_prefix("B2B2C_")

  %w[segment group band].each do |kind|
    define_singleton_method(:"#{kind}_name") do |v|
      Lib.send(:"b2b2c_#{kind}_name", v) or raise Error.new(EINVAL, "unknown value #{v}")
    end
    define_singleton_method(:"#{kind}_from_name") do |s|
      check(Lib.send(:"b2b2c_#{kind}_from_name", s))
    end
  end
  def self.segment_group(v) = Lib.b2b2c_segment_group(v)

  # The built-in in-memory store; outlives the contexts that use it.
  class MemStore
    attr_reader :methods_struct

    def initialize
      ptr = FFI::MemoryPointer.new(:pointer)
      B2B2C.check(Lib.b2b2c_memstore_new(ptr, nil))
      @handle = ptr.read_pointer
      @methods_struct = Storage.new
      B2B2C.check(Lib.b2b2c_memstore_methods(@handle, @methods_struct))
    end

    def close
      Lib.b2b2c_memstore_free(@handle) if @handle
      @handle = nil
    end
  end

  # b2b2c_ctx: libc allocator, a MemStore or a private in-memory store.
  class Context
    def self.open(store = nil)
      ctx = new(store)
      return ctx unless block_given?

      begin
        yield ctx
      ensure
        ctx.close
      end
    end

    def initialize(store = nil)
      @children = [] # engine handles opened on this context
      @store = store
      ptr = FFI::MemoryPointer.new(:pointer)
      B2B2C.check(Lib.b2b2c_ctx_new(ptr, nil, store&.methods_struct))
      @handle = ptr.read_pointer
    end

    def handle
      @handle or raise Error.new(EINVAL, "context is closed")
    end

    def check(rc) = B2B2C.check(rc, @handle)
    def errmsg = Lib.b2b2c_ctx_errmsg(handle)
    def begin_group = check(Lib.b2b2c_ctx_begin(handle))
    def commit = check(Lib.b2b2c_ctx_commit(handle))
    def rollback = check(Lib.b2b2c_ctx_rollback(handle))

    # Counts days (daily quotas, spend per day, same-day purchases, per-day
    # caps) in this time zone: seconds east of UTC (UTC+3 is 10800), whole
    # seconds in UTC_OFFSET_MIN..UTC_OFFSET_MAX (-14 h to +14 h). Set it
    # before opening engines, to the same value every time: Error (ERANGE)
    # out of range, Error (ESTATE) while an engine is open on this context.
    def set_utc_offset(seconds) = check(Lib.b2b2c_ctx_set_utc_offset(handle, seconds))

    # The offset in seconds east of UTC in which days are counted.
    def utc_offset
      v = B2B2C.out(:int32)
      check(Lib.b2b2c_ctx_utc_offset(v, handle))
      v.read_int32
    end

    # Calls the block after about every `units` units of work of a long
    # call (a forecast fit: one unit per distinct data row per likelihood
    # evaluation); a truthy result (or an exception) stops the call, which
    # raises Error (EINTERRUPTED) and changes nothing. No block removes the
    # handler. The library never reads the clock: a time budget reads it in
    # the block.
    def set_progress_handler(units = 0, &block)
      unless block
        check(Lib.b2b2c_ctx_set_progress_handler(handle, 0, nil, nil))
        @progress = nil
        return
      end
      cb = proc do |_ud|
        block.call ? 1 : 0
      rescue StandardError
        1
      end
      check(Lib.b2b2c_ctx_set_progress_handler(handle, units, cb, nil))
      @progress = cb # keep the proc alive while the library holds it
    end

    # Runs the block in one transaction group: commits, or rolls back when
    # the block raises.
    def transaction
      begin_group
      begin
        result = yield self
      rescue StandardError
        begin
          rollback
        rescue Error
          nil
        end
        raise
      end
      commit
      result
    end

    # Closes the engine handles opened on this context, then frees it (a
    # handle must not outlive its context). Closing twice is fine.
    def close
      @children.each(&:close)
      @children.clear
      Lib.b2b2c_ctx_free(@handle) if @handle
      @handle = nil
    end

    def adopt(handle) = @children << handle # :nodoc:
  end
end

# ==========================================================================
# Engines: one class per handle (the declarations are generated, see
# b2b2c_decls.rb).
# ==========================================================================
module B2B2C
  # ---- helpers --------------------------------------------------------------

  # The stable name of an enum value (raises for an unknown value).
  def self.name_of(fn, value)
    value = value.to_i if value.is_a?(Float) && value == value.floor # params read back as doubles
    Lib.send(fn, value) or raise Error.new(EINVAL, "unknown value #{value}")
  end

  # An enum argument given as its named constant (an Integer such as
  # B2B2C::BAND_HOT) or its stable name ("hot" or :hot); from_name is the C
  # *_from_name function's name or a {"name" => value} Hash. Anything else
  # (true, 1.5, nil) or an unknown name is an ArgumentError before the call;
  # the C function checks the number.
  def self.enum(value, from_name, what)
    return value if value.is_a?(Integer)
    unless value.is_a?(String) || value.is_a?(Symbol)
      raise ArgumentError, "#{what} must be a B2B2C constant or its name, not #{value.inspect}"
    end

    v = from_name.is_a?(Hash) ? from_name.fetch(value.to_s, -1) : Lib.send(from_name, value.to_s)
    raise ArgumentError, "#{what}: unknown name #{value.inspect}" if v.negative?

    v
  end

  # An outcome: true, "won" or :won -> 1; false, "lost" or :lost -> 0.
  # Numbers are refused: 0 is "lost" in C but truthy in Ruby.
  def self.won(value)
    return 1 if [true, "won", :won].include?(value)
    return 0 if [false, "lost", :lost].include?(value)

    raise ArgumentError, "won must be true/false or \"won\"/\"lost\", not #{value.inspect}"
  end

  # A required time argument (Unix seconds): the binding never reads the
  # clock, and a missing time is an error, not 1970.
  def self.time(value, what)
    raise ArgumentError, "#{what} (Unix seconds) is required" if value.nil?

    value
  end

  # {"lowercased name" => value} of the constants starting with prefix: the
  # names an enum argument without a C *_from_name function accepts.
  def self.named(prefix, skip = []) = prefixed(prefix, skip).invert

  def self.seg(v) = enum(v, :b2b2c_segment_from_name, "segment")
  def self.band(v) = enum(v, :b2b2c_band_from_name, "band")
  def self.group(v) = enum(v, :b2b2c_group_from_name, "group")
  def self.any(v, &blk) = v == -1 ? -1 : blk.call(v)

  # {value => "lowercased name"} of the constants starting with prefix.
  def self.prefixed(prefix, skip = [])
    CONSTANTS.each_with_object({}) do |(k, v), h|
      s = k.to_s
      next unless s.start_with?(prefix) && !skip.include?(s[prefix.size..])

      h[v] = s[prefix.size..].downcase
    end
  end

  # A `const double *` row of n values -> Hash keyed by the enum names
  # (lowercased, group prefix dropped); values past the known names are
  # keyed by their index.
  def self.row(ptr, n, names)
    ptr.read_array_of_double(n).each_with_index.to_h { |v, i| [names.fetch(i, i), v] }
  end

  # An Array of floats -> [MemoryPointer, length]; nil stays NULL.
  def self.doubles(arr, what, n = nil)
    return [nil, 0] if arr.nil?

    arr = arr.values if arr.is_a?(Hash)
    vals = arr.map { |v| Float(v) }
    if n && vals.size != n
      raise Error.new(EINVAL, "#{what}: #{vals.size} values, expected #{n}")
    end

    ptr = FFI::MemoryPointer.new(:double, [vals.size, 1].max)
    ptr.write_array_of_double(vals)
    [ptr, vals.size]
  end

  def self.out(type = :double, n = 1) = FFI::MemoryPointer.new(type, n)

  def self.read_str(ptr)
    p = ptr.read_pointer
    p.null? ? nil : p.read_string.force_encoding("UTF-8")
  end

  # A Ruby block as a C callback. An exception raised by the block never
  # crosses into C: it is kept, a non-zero value stops the iteration, and
  # rethrow raises it once the C call has returned. The FFI::Function is
  # held by this object, which its owner keeps while C may call it.
  class Trampoline
    STOP = 1
    attr_reader :function

    def initialize(lib_cb, &blk)
      info = Lib.find_type(lib_cb)
      @exc = nil
      @function = FFI::Function.new(info.result_type, info.param_types) do |*args|
        if @exc
          STOP
        else
          begin
            blk.call(*args[0...-1]) # the payload (last) is not passed on
            0
          rescue Exception => e # rubocop:disable Lint/RescueException
            @exc = e
            STOP
          end
        end
      end
    end

    def rethrow
      return unless @exc

      e = @exc
      @exc = nil
      raise e
    end
  end

  # Owns one opaque engine handle opened on a Context. close is idempotent;
  # any call after it raises Error (EINVAL). Closing the Context closes its
  # handles first.
  class Handle
    attr_reader :ctx

    def self.open(*args, **kw)
      h = new(*args, **kw)
      return h unless block_given?

      begin
        yield h
      ensure
        h.close
      end
    end

    def initialize(ctx, free_fn)
      raise Error.new(EINVAL, "ctx: must be a B2B2C::Context") unless ctx.is_a?(Context)

      @ctx = ctx
      @free_fn = free_fn
      @handle = nil
      ctx.handle # raises when the context is closed
      ptr = FFI::MemoryPointer.new(:pointer)
      check(yield(ptr, ctx.handle))
      @handle = ptr.read_pointer
      ctx.adopt(self)
    end

    def handle
      @handle or raise Error.new(EINVAL, "#{self.class.name.split('::').last} is closed")
    end

    def close
      Lib.send(@free_fn, @handle) if @handle
      @handle = nil
    end

    def closed? = @handle.nil?

    private

    def check(rc) = B2B2C.check(rc, @ctx.handle)

    # Calls fn(*args, callback, NULL); collects make(*cb_args) per callback.
    def iterate(fn, cb_type, *args, &make)
      out = []
      t = Trampoline.new(cb_type) { |*a| out << make.call(*a) }
      rc = Lib.send(fn, *args, t.function, nil)
      t.rethrow
      check(rc)
      out
    end

    def get_double(fn, param)
      v = B2B2C.out
      check(Lib.send(fn, v, handle, param))
      v.read_double
    end

    def get_size(fn, *args)
      v = B2B2C.out(:size_t)
      check(Lib.send(fn, v, handle, *args))
      v.read(:size_t)
    end
  end

  # ---- segment ---------------------------------------------------------------

  %w[seg_attr seg_party_type seg_org_kind seg_dest seg_channel lead_stage dealer_policy
     dealer_reason channel_kind channel_sub channel_attribution].each do |n|
    define_singleton_method(:"#{n}_name") { |v| name_of(:"b2b2c_#{n}_name", v) }
    next if n.start_with?("dealer_")

    define_singleton_method(:"#{n}_from_name") do |s|
      check(Lib.send(:"b2b2c_#{n}_from_name", s.is_a?(Symbol) ? s.to_s : s))
    end
  end
  def self.channel_sub_kind(sub) = check(Lib.b2b2c_channel_sub_kind(sub))

  def self.attr(a) = enum(a, :b2b2c_seg_attr_from_name, "attr")

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

    def clear(attr) = check(Lib.b2b2c_segment_attrs_clear(handle, B2B2C.attr(attr)))
    def reset = check(Lib.b2b2c_segment_attrs_reset(handle))
    def present = B2B2C.mask_names(Lib.b2b2c_segment_attrs_present(handle))
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
    def initialize(ctx)
      super(ctx, :b2b2c_segmenter_free) { |p, c| Lib.b2b2c_segmenter_new(p, c) }
    end

    def set_param(param, value) = check(Lib.b2b2c_segmenter_set_param(handle, param, value))
    def get_param(param) = get_double(:b2b2c_segmenter_get_param, param)


    def version
      v = B2B2C.out(:int64)
      check(Lib.b2b2c_segmenter_version(v, handle))
      v.read_int64
    end

    def rule_add(rule_id, priority, segment, expr)
      check(Lib.b2b2c_segmenter_rule_add(handle, rule_id, priority, B2B2C.seg(segment), expr))
    end

    def rule_remove(rule_id) = check(Lib.b2b2c_segmenter_rule_remove(handle, rule_id))

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

    def assign(account_id, attrs, now)
      seg = B2B2C.out(:int32)
      with_attrs(attrs) { |a| check(Lib.b2b2c_segmenter_assign(seg, handle, account_id, a.handle, now)) }
      seg.read_int32
    end

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

    def history(account_id)
      iterate(:b2b2c_segmenter_history, :b2b2c_seg_change_cb, handle, account_id) { |*a| SegmentChange.new(*a) }
    end

    def migrations(since)
      iterate(:b2b2c_segmenter_migrations, :b2b2c_seg_change_cb, handle, since) { |*a| SegmentChange.new(*a) }
    end

    # [destination, channel kind] for a lead of segment in band.
    def route(segment, band)
      d, k = Array.new(2) { B2B2C.out(:int32) }
      check(Lib.b2b2c_segmenter_route(d, k, handle, B2B2C.seg(segment), B2B2C.band(band)))
      [d.read_int32, k.read_int32]
    end

    def route_set(segment, band, dest, channel_kind)
      check(Lib.b2b2c_segmenter_route_set(
              handle, B2B2C.seg(segment), B2B2C.band(band),
              B2B2C.enum(dest, :b2b2c_seg_dest_from_name, "dest"),
              B2B2C.enum(channel_kind, :b2b2c_seg_channel_from_name, "channel_kind")
            ))
    end

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

  # ---- lead ------------------------------------------------------------------

  LeadRow = Struct.new(:lead_id, :score, :band, :probability)
  RefitResult = Struct.new(:status, :passes, :converged)
  BandChange = Struct.new(:lead_id, :old_band, :new_band, :at)
  LeadItem = Struct.new(:lead_id, :stage, :band, :score)

  # b2b2c_lead_model: leads, events, decaying score and cold/warm/hot bands,
  # stages, learned P(won), queries and the band-change alert (a block).
  class LeadModel < Handle
    def initialize(ctx)
      @alert = nil # the Trampoline C may call (kept alive here)
      super(ctx, :b2b2c_lead_model_free) { |p, c| Lib.b2b2c_lead_model_new(p, c) }
    end

    def close
      super
      @alert = nil # only after C can no longer call it
    end

    def set_param(param, value) = check(Lib.b2b2c_lead_model_set_param(handle, param, value))
    def get_param(param) = get_double(:b2b2c_lead_model_get_param, param)


    def add_kind(name) = out_i32 { |v| Lib.b2b2c_lead_add_kind(v, handle, name) }
    def kind_id(name) = out_i32 { |v| Lib.b2b2c_lead_kind_id(v, handle, name.is_a?(Symbol) ? name.to_s : name) }
    def kind_name(kind) = Lib.b2b2c_lead_kind_name(handle, kind)

    def kind_set(kind, points, cap_day: 0, cap_total: 0, hot_days: 0)
      check(Lib.b2b2c_lead_kind_set(handle, kind_of(kind), points, cap_day, cap_total, hot_days))
    end

    # {points:, cap_day:, cap_total:, hot_days:} of an event kind.
    def kind_get(kind)
      v = Array.new(4) { B2B2C.out }
      check(Lib.b2b2c_lead_kind_get(*v, handle, kind_of(kind)))
      %i[points cap_day cap_total hot_days].zip(v.map(&:read_double)).to_h
    end

    def attr_points_set(attr, value, points)
      check(Lib.b2b2c_lead_attr_points_set(handle, B2B2C.enum(attr, B2B2C.named("LEAD_ATTR_"), "attr"), value,
                                           points))
    end

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

    # Removes a lead and its stage history (also the repair of a lead an
    # older build stored with a time outside the range).
    def remove(lead_id)
      check(Lib.b2b2c_lead_remove(handle, lead_id))
    end

    # [score, band] at now.
    def score(lead_id, now)
      s = B2B2C.out
      b = B2B2C.out(:int32)
      check(Lib.b2b2c_lead_score(s, b, handle, lead_id, now))
      [s.read_double, b.read_int32]
    end

    def band(lead_id, now) = B2B2C.band_name(score(lead_id, now)[1])
    def stage(lead_id) = out_i32 { |v| Lib.b2b2c_lead_stage(v, handle, lead_id) }
    def count = get_size(:b2b2c_lead_count)
    alias size count

    def set_stage(lead_id, stage, now)
      st = B2B2C.enum(stage, :b2b2c_lead_stage_from_name, "stage")
      check(Lib.b2b2c_lead_set_stage(handle, lead_id, st, now))
    end

    # [[from, to, at], ...], oldest first.
    def stage_history(lead_id)
      iterate(:b2b2c_lead_stage_history, :b2b2c_lead_stage_cb, handle, lead_id) { |*a| a }
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

    def band_changes(since, now)
      iterate(:b2b2c_lead_band_changes, :b2b2c_lead_band_cb, handle, since, now) { |*a| BandChange.new(*a) }
    end

    # [LeadItem, ...] at now, in lead ID order (bytewise); stage, band -1 = any.
    def list(now, stage: -1, band: -1)
      st = B2B2C.any(stage) { |v| B2B2C.enum(v, :b2b2c_lead_stage_from_name, "stage") }
      iterate(:b2b2c_lead_list, :b2b2c_lead_list_cb, handle, st, B2B2C.any(band) { |v| B2B2C.band(v) },
              now) { |*a| LeadItem.new(*a) }
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

    def kind_of(kind) = kind.is_a?(String) || kind.is_a?(Symbol) ? kind_id(kind) : B2B2C.enum(kind, {}, "kind")

    def out_i32
      v = B2B2C.out(:int32)
      check(yield v)
      v.read_int32
    end
  end

  # ---- dealer ----------------------------------------------------------------

  AUDIT_NAMES = prefixed("DEALER_AUDIT_", ["NFIELDS"]).freeze
  STAT_NAMES = prefixed("DEALER_STAT_", ["NFIELDS"])
  DEALER_STATUS = { "active" => DEALER_ACTIVE, "paused" => DEALER_PAUSED, "offboarded" => DEALER_OFFBOARDED }.freeze
               .merge((0..7).to_h { |i| [DEALER_STAT_DECLINE_REASON0 + i, "decline_reason#{i}"] })
               .freeze
  SC_NAMES = prefixed("DEALER_SC_", ["NFIELDS"]).freeze

  Reroute = Struct.new(:lead_id, :from_dealer, :to_dealer, :reason)
  AuditRecord = Struct.new(:lead_id, :dealer_id, :fields)
  DealerItem = Struct.new(:dealer_id, :status, :paused_until, :tier_weight, :capacity, :open_offers)

  # b2b2c_dealer_engine: dealers, routing, accept/decline/expire, outcomes,
  # audit trail and scorecards (rows as Hashes keyed by the DEALER_AUDIT_*,
  # DEALER_STAT_*, DEALER_SC_* names, lowercased, prefix dropped).
  class DealerEngine < Handle
    def initialize(ctx)
      super(ctx, :b2b2c_dealer_free) { |p, c| Lib.b2b2c_dealer_new(p, c) }
    end

    def seed(seed) = check(Lib.b2b2c_dealer_seed(handle, seed))
    def set_param(param, value) = check(Lib.b2b2c_dealer_set_param(handle, param, value))
    def get_param(param) = get_double(:b2b2c_dealer_get_param, param)


    # Creates or updates a dealer; territories and product lines are Arrays
    # of codes (or ';'-joined Strings).
    def put(dealer_id, tier_weight: 1.0, territories: [], product_lines: [], capacity: 100,
            daily_quota: 0, deadline_hours: 48.0)
      join = ->(v) { v.is_a?(String) ? v : v.join(";") }
      check(Lib.b2b2c_dealer_put(handle, dealer_id, tier_weight, join.(territories),
                                 join.(product_lines), capacity, daily_quota, deadline_hours))
    end

    def set_location(dealer_id, lat, lon, radius_km)
      check(Lib.b2b2c_dealer_set_location(handle, dealer_id, lat, lon, radius_km))
    end

    # status: DEALER_ACTIVE/_PAUSED/_OFFBOARDED or "active", "paused",
    # "offboarded". paused_until (Unix seconds) is required with paused (a
    # pause until 1970 would be no pause) and ignored otherwise.
    def set_status(dealer_id, status, paused_until = nil)
      status = B2B2C.enum(status, DEALER_STATUS, "status")
      paused_until = status == DEALER_PAUSED ? B2B2C.time(paused_until, "paused_until") : paused_until || 0
      check(Lib.b2b2c_dealer_set_status(handle, dealer_id, status, paused_until))
    end

    def count = get_size(:b2b2c_dealer_count)

    # [DealerItem, ...] in dealer ID order (bytewise); status -1 = any.
    def list(status: -1)
      st = B2B2C.any(status) { |v| B2B2C.enum(v, DEALER_STATUS, "status") }
      iterate(:b2b2c_dealer_list, :b2b2c_dealer_list_cb, handle, st) { |*a| DealerItem.new(*a) }
    end

    def stats(dealer_id)
      out = B2B2C.out(:double, DEALER_STAT_NFIELDS)
      check(Lib.b2b2c_dealer_stats(out, DEALER_STAT_NFIELDS, handle, dealer_id))
      B2B2C.row(out, DEALER_STAT_NFIELDS, STAT_NAMES)
    end

    # Offers a lead to a dealer: [dealer_id or nil (direct fallback), reason].
    # With nobody eligible raises Error (ENODEALER) whose #reason says why.
    # now: (Unix seconds) is required: the binding does not read the clock.
    def route(lead_id, region, now:, product_line: nil, segment: 0, band: 0, location: nil)
      d = B2B2C.out(:pointer)
      r = B2B2C.out(:int32)
      lat, lon = location || [0.0, 0.0]
      rc = Lib.b2b2c_dealer_route(d, r, handle, lead_id, region, location ? 1 : 0, lat, lon,
                                  product_line, B2B2C.seg(segment), B2B2C.band(band), now)
      check_reason(rc, r)
      [B2B2C.read_str(d), r.read_int32]
    end

    def accept(lead_id, dealer_id, now) = check(Lib.b2b2c_dealer_accept(handle, lead_id, dealer_id, now))

    # The dealer declines: [next dealer or nil, reason].
    def decline(lead_id, dealer_id, reason, now)
      d = B2B2C.out(:pointer)
      r = B2B2C.out(:int32)
      check_reason(Lib.b2b2c_dealer_decline(d, r, handle, lead_id, dealer_id, reason, now), r)
      [B2B2C.read_str(d), r.read_int32]
    end

    # Expires overdue offers and re-routes them; returns the Reroute reports
    # and yields each to the block, if given (an exception from the block
    # stops the reports and is re-raised here; the re-routings are
    # committed already).
    def expire(now, &blk)
      out = []
      t = Trampoline.new(:b2b2c_dealer_reroute_cb) do |*a|
        rep = Reroute.new(*a)
        out << rep
        blk&.call(rep)
      end
      n = B2B2C.out(:size_t)
      rc = Lib.b2b2c_dealer_expire(n, handle, now, t.function, nil)
      t.rethrow
      check(rc)
      out
    end

    def recall(lead_id, now) = check(Lib.b2b2c_dealer_recall(handle, lead_id, now))

    # won: true, "won" or :won; false, "lost" or :lost (numbers are refused).
    def outcome(lead_id, won, revenue, now)
      check(Lib.b2b2c_dealer_outcome(handle, lead_id, B2B2C.won(won), revenue, now))
    end

    # [DEALER_LEAD_* state, current or last dealer or nil]
    def lead_state(lead_id)
      st = B2B2C.out(:int32)
      d = B2B2C.out(:pointer)
      check(Lib.b2b2c_dealer_lead_state(st, d, handle, lead_id))
      [st.read_int32, B2B2C.read_str(d)]
    end

    def audit_lead(lead_id)
      iterate(:b2b2c_dealer_audit_lead, :b2b2c_dealer_audit_cb, handle, lead_id) { |*a| audit(*a) }
    end

    def audit_dealer(dealer_id)
      iterate(:b2b2c_dealer_audit_dealer, :b2b2c_dealer_audit_cb, handle, dealer_id) { |*a| audit(*a) }
    end

    # [[dealer_id, {"offered" => ..., "rank" => ...}], ...] in rank order.
    def scorecards(from, to)
      iterate(:b2b2c_dealer_scorecards, :b2b2c_dealer_scorecard_cb, handle, from, to) do |d, f, n|
        [d, B2B2C.row(f, n, SC_NAMES)]
      end
    end

    private

    def audit(lead, dealer, fields, n) = AuditRecord.new(lead, dealer, B2B2C.row(fields, n, AUDIT_NAMES))

    def check_reason(rc, r)
      check(rc)
    rescue Error => e
      e.reason = r.read_int32
      raise
    end
  end

  class Error
    attr_accessor :reason # B2B2C_DEALER_REASON_* for dealer routing errors
  end

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

  def self.forecast_nparams(model) = check(Lib.b2b2c_forecast_nparams(model))

  # Name of parameter i of model; i = -1 gives the model's name.
  def self.forecast_param_name(model, i)
    Lib.b2b2c_forecast_param_name(model, i) or raise Error.new(EINVAL, "unknown model or index")
  end

  def self.forecast_param_names(model) = (0...forecast_nparams(model)).map { |i| forecast_param_name(model, i) }

  # The caller's Context, or a private one for one call.
  def self.with_ctx(ctx)
    return yield ctx if ctx

    Context.open { |c| yield c }
  end

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

  def self.forecast_gg_spend(params, x, m, ctx: nil)
    n = x.size
    p, k = doubles(params, "params")
    o = out(:double, [n, 1].max)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_gg_spend(o, c.handle, p, k, rows(n, x, "x"), rows(n, m, "m"), n))
    end
    o.read_array_of_double(n)
  end

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

  def self.forecast_population_expected(model, params, t, ctx: nil)
    n = t.size
    p, k = doubles(params, "params")
    o = out(:double, [n, 1].max)
    with_ctx(ctx) do |c|
      c.check(Lib.b2b2c_forecast_population_expected(o, c.handle, model, p, k, rows(n, t, "t"), n))
    end
    o.read_array_of_double(n)
  end

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
    def initialize(ctx)
      super(ctx, :b2b2c_forecaster_free) { |p, c| Lib.b2b2c_forecaster_new(p, c) }
    end

    def set_param(param, value) = check(Lib.b2b2c_forecaster_set_param(handle, param, value))
    def get_param(param) = get_double(:b2b2c_forecaster_get_param, param)


    def add_kind(name)
      v = B2B2C.out(:int32)
      check(Lib.b2b2c_forecaster_add_kind(v, handle, name))
      v.read_int32
    end

    def kind_name(kind) = Lib.b2b2c_forecaster_kind_name(handle, kind)

    # kind: FORECAST_KIND_* (or a host kind number) or a built-in kind's name.
    def add_purchase(customer_id, segment, time, amount, kind = FORECAST_KIND_PRODUCT)
      check(Lib.b2b2c_forecaster_add_purchase(handle, customer_id, B2B2C.seg(segment), time, amount,
                                              B2B2C.enum(kind, KINDS, "kind")))
    end

    def cancel_subscription(customer_id, time)
      check(Lib.b2b2c_forecaster_cancel_subscription(handle, customer_id, time))
    end

    # Removes a customer's purchases and cancellation (also the repair of a
    # purchase an older build stored outside the time range).
    def remove_customer(customer_id)
      check(Lib.b2b2c_forecaster_remove_customer(handle, customer_id))
    end

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

  # ---- channels ----------------------------------------------------------------

  CHM_NAMES = prefixed("CHM_", ["COUNT"]).freeze
  MIX_NAMES = prefixed("MIX_", ["COUNT"]).freeze

  Attribution = Struct.new(:channel_id, :conversions, :revenue, :ltv)
  Share = Struct.new(:channel_id, :t, :share)
  ChannelItem = Struct.new(:channel_id, :kind, :sub, :group)
  LagWeek = Struct.new(:week_start, :reach_spend, :leadgen_spend, :leads, :cpl)

  def self.channel_attribution(m) = enum(m, :b2b2c_channel_attribution_from_name, "model")

  # b2b2c_channels: channels, spend, touches, conversions, metrics,
  # attribution, media mix. Metric and mix rows come back as [key, Hash
  # keyed by the CHM_* / MIX_* names lowercased].
  class Channels < Handle
    def initialize(ctx)
      super(ctx, :b2b2c_channels_free) { |p, c| Lib.b2b2c_channels_new(p, c) }
    end

    def set_param(param, value) = check(Lib.b2b2c_channels_set_param(handle, param, value))

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

    def set_spend(channel_id, t, spend, impressions = 0.0)
      check(Lib.b2b2c_channels_set_spend(handle, channel_id, t, spend, impressions))
    end

    def touch(lead_id, channel_id, t) = check(Lib.b2b2c_channels_touch(handle, lead_id, channel_id, t))
    def convert(lead_id, t, revenue = 0.0) = check(Lib.b2b2c_channels_convert(handle, lead_id, t, revenue))
    def set_ltv(lead_id, ltv) = check(Lib.b2b2c_channels_set_ltv(handle, lead_id, ltv))

    def metrics(by, model, from, to)
      by = B2B2C.enum(by, B2B2C.named("CHANNELS_BY_"), "by")
      iterate(:b2b2c_channels_metrics, :b2b2c_channels_row_cb, handle, by, B2B2C.channel_attribution(model),
              from, to) do |k, m, n|
        [k, B2B2C.row(m, n, CHM_NAMES)]
      end
    end

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
