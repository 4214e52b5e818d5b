# SPDX-License-Identifier: MIT
# Error, version, parameter and name functions, MemStore, Context.

module B2B2C
  # Every enum value and #define constant of the public headers, named as in
  # C minus the B2B2C_ prefix (B2B2C::SEG_ATTR_OUTLETS == 8, B2B2C::EINVAL ==
  # -1, ...). The library's ranges: times are Unix seconds in [TIME_MIN,
  # TIME_MAX] (years 1..9999), amounts in [0, AMOUNT_MAX].
  CONSTANTS.each { |name, value| const_set(name, value) }

  # Enums as symbols (ENUMS, generated from the headers: the enum's name as
  # the Python binding's IntEnum class, members lowercased without their
  # prefix). An enum argument of the engine classes takes the constant
  # (B2B2C::BAND_HOT), its symbol (:hot) or its name ("hot").
  #   B2B2C.enum_value(:Band, :hot)  # => 3
  #   B2B2C.enum_symbol(:Band, 3)    # => :hot
  # Both raise ArgumentError for an unknown enum or member; enum_symbol
  # returns nil for a value this binding does not know (a newer library's).
  def self.enum_value(enum, member)
    members = ENUMS.fetch(enum.to_sym) { raise ArgumentError, "unknown enum #{enum.inspect}" }
    members.fetch(member.to_s.downcase.to_sym) do
      raise ArgumentError, "#{enum}: unknown member #{member.inspect}"
    end
  end

  # The member symbol of value in enum (see enum_value).
  def self.enum_symbol(enum, value)
    members = ENUMS.fetch(enum.to_sym) { raise ArgumentError, "unknown enum #{enum.inspect}" }
    members.key(value.is_a?(Float) ? value.to_i : value)
  end

  # Times: every time argument takes Integer Unix seconds or a Time (its
  # Unix seconds, floored to the whole second: a Time always knows its
  # offset); times returned are Integer Unix seconds.
  def self.to_unix(time)
    return time.to_i if time.is_a?(Time)
    return time if time.is_a?(Integer)

    raise TypeError, "a time must be a Time or Integer Unix seconds, not #{time.class}"
  end

  # Unix seconds -> a UTC Time.
  def self.from_unix(seconds) = Time.at(seconds).utc

  class Error < StandardError
    # code: the status (negative); name: its C name ("B2B2C_EBADID").
    attr_reader :code, :name

    def initialize(code, message = nil)
      @code = code
      @name = "B2B2C_#{STATUS.fetch(code, "E(#{code})")}"
      super("#{@name}: #{message && !message.empty? ? message : B2B2C.strerror(code)}")
    end
  end

  # Raises Error for a negative status rc (with ctx's message), else returns rc.
  def self.check(rc, ctx = nil)
    raise Error.new(rc, ctx && Lib.b2b2c_ctx_errmsg(ctx)) if rc.negative?

    rc
  end

  # The C library's version string ("1.0.0").
  def self.version = Lib.b2b2c_version_string
  # The C library's version as a number: major * 10000 + minor * 100 + patch.
  def self.version_number = Lib.b2b2c_version_number
  # The library's description of a status code.
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

  # segment_name, group_name, band_name: the stable name of a value (Error (EINVAL)
  # for an unknown one); segment_from_name, ...: the value of a name (Error (EINVAL)).
  %w[segment group band].each do |kind|
    define_singleton_method(:"#{kind}_name") do |v|
      Lib.send(:"b2b2c_#{kind}_name", v) or raise Error.new(EINVAL, "unknown value #{v}")
    end
    define_singleton_method(:"#{kind}_from_name") do |s|
      check(Lib.send(:"b2b2c_#{kind}_from_name", s))
    end
  end
  # The group (GROUP_*) a segment belongs to.
  def self.segment_group(v) = Lib.b2b2c_segment_group(v)

  # The built-in in-memory store; outlives the contexts that use it.
  class MemStore
    # The Storage method table a Context opens engines on (internal).
    attr_reader :methods_struct

    def initialize
      ptr = FFI::MemoryPointer.new(:pointer)
      B2B2C.check(Lib.b2b2c_memstore_new(ptr, nil))
      @handle = ptr.read_pointer
      @methods_struct = Storage.new
      B2B2C.check(Lib.b2b2c_memstore_methods(@handle, @methods_struct))
    end

    # Frees the store (close the contexts on it first); closing twice is fine.
    def close
      Lib.b2b2c_memstore_free(@handle) if @handle
      @handle = nil
    end
  end

  # b2b2c_ctx: libc allocator, a MemStore, a SQLiteStore or a
  # PostgresStore, or a private in-memory store. Closing a SQLiteStore or
  # PostgresStore closes the contexts on it first.
  class Context
    # A new Context; with a block, yields it and closes it after the block.
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
      store.register(self) if store.respond_to?(:register)
    end

    # The b2b2c_ctx pointer; Error (EINVAL) once closed.
    def handle
      @handle or raise Error.new(EINVAL, "context is closed")
    end

    # Raises Error with this context's message when rc < 0 (and the
    # adapter's name for a code of its own: "SQLite: database is locked
    # (SQLITE_BUSY)").
    def check(rc)
      if rc.negative? && !STATUS.key?(rc) && @store.respond_to?(:describe)
        raise Error.new(rc, "#{Lib.b2b2c_ctx_errmsg(@handle)} (#{@store.describe(rc)})")
      end

      B2B2C.check(rc, @handle)
    end

    # Brings every engine open on this context up to date with what other
    # contexts on the database committed (a call does it too).
    def sync = check(Lib.b2b2c_ctx_sync(handle))

    # [seen, own]: the last commit of the database this context has
    # applied, and the number of its own last commit that changed rows (0:
    # none yet). Both 0 for a context alone on its store.
    def seq
      seen = FFI::MemoryPointer.new(:uint64)
      own = FFI::MemoryPointer.new(:uint64)
      check(Lib.b2b2c_ctx_seq(seen, own, handle))
      [seen.read_uint64, own.read_uint64]
    end
    # Erases the ID in every engine open on this context, in one
    # transaction: as a lead, a customer (key) and an account
    # (docs/privacy.md). The number of engines that knew it; Error
    # (ENOTFOUND) when none did. Since 1.1.
    def erase(id)
      n = FFI::MemoryPointer.new(:int32)
      check(Lib.b2b2c_ctx_erase(n, handle, id))
      n.read_int32
    end
    # The message of this context's last error ("" when none).
    def errmsg = Lib.b2b2c_ctx_errmsg(handle)
    # Opens a transaction (transaction { } commits or rolls back for you); Error (ESTATE) when
    # one is open.
    def begin_group = check(Lib.b2b2c_ctx_begin(handle))
    # Commits the open transaction; Error (ESTATE) when none is open.
    def commit = check(Lib.b2b2c_ctx_commit(handle))
    # Rolls back the open transaction; Error (ESTATE) when none is open.
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
