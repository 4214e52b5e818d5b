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
# a time; separate contexts are independent.
require "ffi"

module B2B2C
  STATUS = {
    0 => :OK, -1 => :EINVAL, -2 => :ENOMEM, -3 => :EBADID, -4 => :ENOTFOUND,
    -5 => :EEXISTS, -6 => :ECORRUPT, -7 => :EVERSION, -8 => :EBUFSIZE,
    -9 => :ESTORAGE, -10 => :ESTATE, -11 => :ERANGE, -12 => :EABORTED,
    -13 => :ENOTREADY, -14 => :ENOCONVERGE, -15 => :ENODEALER,
    -16 => :EEXPIRED, -17 => :ENODATA
  }.freeze
  STATUS.each { |code, name| const_set(name, code) }

  SEGMENTS = %w[unknown dealer_large_wholesale dealer_small_retail b2b_large
                b2b_small_pro b2c_consumer].freeze
  GROUPS = %w[unknown dealer b2b b2c].freeze
  BANDS = %w[unknown cold warm hot].freeze

  module Lib
    extend FFI::Library
    ffi_lib ENV.fetch("B2B2C_LIBRARY", "libb2b2c.so.1")

    attach_function :b2b2c_version_number, [], :uint32
    attach_function :b2b2c_version_string, [], :string
    attach_function :b2b2c_strerror, [:int], :string
    attach_function :b2b2c_ctx_new, %i[pointer pointer pointer], :int
    attach_function :b2b2c_ctx_free, [:pointer], :void
    attach_function :b2b2c_ctx_errmsg, [:pointer], :string
    attach_function :b2b2c_ctx_errcode, [:pointer], :int
    attach_function :b2b2c_ctx_begin, [:pointer], :int
    attach_function :b2b2c_ctx_commit, [:pointer], :int
    attach_function :b2b2c_ctx_rollback, [:pointer], :int
    attach_function :b2b2c_memstore_new, %i[pointer pointer], :int
    attach_function :b2b2c_memstore_methods, %i[pointer pointer], :int
    attach_function :b2b2c_memstore_free, [:pointer], :void
    %w[segment group band].each do |kind|
      attach_function :"b2b2c_#{kind}_name", [:int32], :string
      attach_function :"b2b2c_#{kind}_from_name", [:string], :int32
    end
    attach_function :b2b2c_segment_group, [:int32], :int32
  end

  # b2b2c_storage, version 1: version, userdata, seven method pointers.
  class Storage < FFI::Struct
    layout :version, :uint32, :userdata, :pointer, :get, :pointer,
           :put, :pointer, :del, :pointer, :scan, :pointer, :begin, :pointer,
           :commit, :pointer, :rollback, :pointer
  end

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

    def close
      Lib.b2b2c_ctx_free(@handle) if @handle
      @handle = nil
    end
  end
end
