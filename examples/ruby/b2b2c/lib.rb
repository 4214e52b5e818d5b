# SPDX-License-Identifier: MIT
# Loading the library: B2B2C::Lib, the checking attach_function.

require "ffi"

module B2B2C
  SEGMENTS = %w[unknown dealer_large_wholesale dealer_small_retail b2b_large
                b2b_small_pro b2c_consumer].freeze
  GROUPS = %w[unknown dealer b2b b2c].freeze
  BANDS = %w[unknown cold warm hot].freeze

  module Lib
    extend FFI::Library
    # B2B2C_LIBRARY (a path) when set -- the build-tree tests set it --,
    # else the soname through the system loader (the ldconfig cache,
    # LD_LIBRARY_PATH, the default directories).
    begin
      ffi_lib ENV.fetch("B2B2C_LIBRARY", "libb2b2c.so.1")
    rescue LoadError => e
      raise LoadError, "b2b2c: cannot load the C library (#{e.message.lines.first.chomp}): " \
                       "install libb2b2c (meson install, then ldconfig) or set B2B2C_LIBRARY to its path"
    end

    # ffi checks an Integer against a signed C type and a String for NUL
    # bytes, but truncates a Float for an integer (1.5 -> 1) and wraps a
    # negative Integer for an unsigned type (-1 -> 2**64 - 1). Every
    # function is therefore attached through attach_function below, which
    # checks each integer and string argument first: RangeError outside the
    # C type, TypeError for a non-Integer (or non-String), ArgumentError for
    # a NUL byte; the message names the C function and the argument's
    # position. SIGNATURES keeps each function's parameter types (the
    # binding test feeds them edge values). A time argument (TIME_ARGS of
    # the generated declarations) also takes a Time: its Unix seconds
    # (Time#to_i, floored to the whole second).
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
      times = B2B2C::TIME_ARGS.fetch(name, [])
      checks = params.each_with_index.filter_map do |t, i|
        next unless INT_RANGES.key?(t) || t == :string

        [i, times.include?(i) ? :time : t]
      end
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
        if t == :time
          args[i] = v = v.to_i if v.is_a?(Time)
          t = :int64
          where += " (a time: Integer Unix seconds or Time)" unless v.is_a?(Integer)
        end
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
