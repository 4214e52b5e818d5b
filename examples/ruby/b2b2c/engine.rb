# SPDX-License-Identifier: MIT
# What every engine class shares: argument helpers, Trampoline, Handle,
# the enum name functions.

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

  # A segment argument: SEGMENT_* constant, its name or symbol (:b2b_large).
  def self.seg(v) = enum(v, :b2b2c_segment_from_name, "segment")
  # A band argument: BAND_* constant, its name or symbol (:hot).
  def self.band(v) = enum(v, :b2b2c_band_from_name, "band")
  # A group argument: GROUP_* constant, its name or symbol (:b2b).
  def self.group(v) = enum(v, :b2b2c_group_from_name, "group")
  # -1 (any) as is, else the block's conversion of v (list filters).
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

  # A MemoryPointer for n out-values of type (internal).
  def self.out(type = :double, n = 1) = FFI::MemoryPointer.new(type, n)

  # The string a `const char **` out-parameter points to, nil for NULL (internal).
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
    # The FFI::Function C calls (internal).
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

    # Raises the exception the block raised during the C call, if any, once the call has
    # returned.
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
    # The Context this handle was opened on.
    attr_reader :ctx

    # A new handle; with a block, yields it and closes it after the block.
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

    # The C handle; Error (EINVAL) once closed.
    def handle
      @handle or raise Error.new(EINVAL, "#{self.class.name.split('::').last} is closed")
    end

    # Frees the C handle; closing twice is fine, any call after it raises Error (EINVAL).
    def close
      Lib.send(@free_fn, @handle) if @handle
      @handle = nil
    end

    # Whether close was called.
    def closed? = @handle.nil?

    # The engines whose listing needs no argument are Enumerable over it
    # (DealerEngine#list, Channels#list, Segmenter#list_accounts,
    # Forecaster#list_customers): each yields the items of one listing,
    # read whole in one C call, so the engine may change while iterating;
    # without a block, an Enumerator.
    module Listing
      include Enumerable

      def each(&blk)
        return enum_for(:each) unless blk

        send(self.class::LISTING).each(&blk)
        self
      end
    end

    private

    def check(rc) = @ctx.check(rc)

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

  # ---- enum names ------------------------------------------------------------

  # seg_attr_name, ..., channel_attribution_name: the stable name of a value (Error
  # (EINVAL) for an unknown one); the *_from_name functions: the value of a name.
  %w[seg_attr seg_party_type seg_org_kind seg_dest seg_channel lead_stage dealer_policy
     dealer_reason channel_kind channel_sub channel_attribution].each do |n|
    define_singleton_method(:"#{n}_name") { |v| name_of(:"b2b2c_#{n}_name", v) }
    next if n.start_with?("dealer_")

    define_singleton_method(:"#{n}_from_name") do |s|
      check(Lib.send(:"b2b2c_#{n}_from_name", s.is_a?(Symbol) ? s.to_s : s))
    end
  end
end
