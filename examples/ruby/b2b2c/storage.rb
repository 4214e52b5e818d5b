# SPDX-License-Identifier: MIT
# SQLiteStore and PostgresStore: the storage adapters (separate shared
# libraries, include/b2b2c/storage/sqlite.h and postgresql.h) as stores a
# Context opens engines on, so that state survives the process and many
# processes share one database (docs/storage.md).
#
# The adapter libraries are found as the core library is:
# ENV["B2B2C_SQLITE_LIBRARY"] / ENV["B2B2C_PG_LIBRARY"] (a path); else, when
# B2B2C_LIBRARY names the core library, next to it or in a meson build
# directory's src/storage/sqlite / src/storage/postgresql; else the soname
# (libb2b2c-sqlite.so.1, libb2b2c-postgresql.so.1). They are loaded on
# first use. The declarations are written here by hand:
# tools/gen_bindings.py covers the core library's headers only.

module B2B2C
  SQLITE_SYNC_DEFAULT = -1
  SQLITE_SYNC_OFF = 0
  SQLITE_SYNC_NORMAL = 1
  SQLITE_SYNC_FULL = 2
  SQLITE_SYNC_EXTRA = 3
  PG_ISOLATION_LOCK = 1
  PG_ISOLATION_SERIALIZABLE = 2
  PG_LOCK_KEY = 0x6232623263

  # include/b2b2c/storage/sqlite.h: b2b2c_sqlite_options (version 1)
  class SQLiteOptions < FFI::Struct
    layout :version, :uint32, :busy_timeout_ms, :int32, :wal, :int32,
           :synchronous, :int32
  end

  # include/b2b2c/storage/postgresql.h: b2b2c_pg_options (version 1)
  class PgOptions < FFI::Struct
    layout :version, :uint32, :isolation, :int32, :lock_key, :int64
  end

  module Adapters # :nodoc:
    SPECS = {
      sqlite: ["B2B2C_SQLITE_LIBRARY", "b2b2c-sqlite", "sqlite", [
        [:b2b2c_sqlite_options_init, %i[pointer uint32], :int],
        [:b2b2c_sqlite_open_with, %i[pointer string pointer], :int],
        [:b2b2c_sqlite_methods, %i[pointer pointer], :int],
        [:b2b2c_sqlite_errmsg, %i[pointer], :string],
        [:b2b2c_sqlite_strerror, %i[int], :string],
        [:b2b2c_sqlite_close, %i[pointer], :void]
      ]],
      pg: ["B2B2C_PG_LIBRARY", "b2b2c-postgresql", "postgresql", [
        [:b2b2c_pg_options_init, %i[pointer uint32], :int],
        [:b2b2c_pg_open, %i[pointer string pointer], :int],
        [:b2b2c_pg_methods, %i[pointer pointer], :int],
        [:b2b2c_pg_errmsg, %i[pointer], :string],
        [:b2b2c_pg_sqlstate, %i[pointer], :string],
        [:b2b2c_pg_strerror, %i[int], :string],
        [:b2b2c_pg_close, %i[pointer], :void]
      ]]
    }.freeze

    # Where an adapter library is looked for: its env var, next to B2B2C_LIBRARY or in its
    # build directory, else the soname (internal).
    def self.path(env, name, subdir)
      so = "lib#{name}.so.1"
      return ENV[env] if ENV[env] && !ENV[env].empty?

      core = ENV["B2B2C_LIBRARY"]
      if core && !core.empty?
        dir = File.dirname(File.expand_path(core))
        [File.join(dir, so), File.join(dir, "src", "storage", subdir, so)].each do |p|
          return p if File.exist?(p)
        end
      end
      so
    end

    # The adapter's functions (a module), loaded on first use.
    def self.load(kind)
      @libs ||= {}
      @libs[kind] ||= begin
        env, name, subdir, funcs = SPECS.fetch(kind)
        path = path(env, name, subdir)
        mod = Module.new
        mod.extend FFI::Library
        begin
          mod.ffi_lib path
        rescue LoadError => e
          raise LoadError, "lib#{name}.so.1 (the #{subdir} adapter) could not be loaded from " \
                           "#{path.inspect}: #{e.message}; set #{env} to its path"
        end
        funcs.each { |f, args, ret| mod.attach_function f, args, ret, blocking: true }
        mod
      end
    end

    # value checked as a signed integer of bits bits (internal).
    def self.int(name, value, bits)
      raise TypeError, "#{name} must be an Integer, not #{value.class}" unless value.is_a?(Integer)

      lo = -2**(bits - 1)
      return value if value.between?(lo, -lo - 1)

      raise Error.new(ERANGE, "#{name}: #{value} is not a #{bits}-bit integer")
    end
  end

  # What both adapters share: the connection, the method table a Context
  # uses, closing (also when collected) and error messages with the
  # adapter's names for its codes.
  class DbStore
    # The Storage method table a Context opens engines on (internal).
    attr_reader :methods_struct

    def initialize(kind, prefix)
      @lib = Adapters.load(kind)
      @prefix = prefix
      @contexts = []
      @methods_struct = Storage.new
      @cell = [nil] # the handle, shared with the finalizer
    end

    # The adapter's name for a code ("SQLite: database is locked
    # (SQLITE_BUSY)"); the library's own message for its own codes.
    def describe(code) = fn(:strerror, code)

    # The database's message for the last failure of this connection.
    def errmsg = @cell[0] ? fn(:errmsg, @cell[0]) : ""

    # Closes the contexts opened on this store (and their engines), then
    # the connection. Closing twice is fine.
    def close
      @contexts.each(&:close)
      @contexts.clear
      h = @cell[0]
      @cell[0] = nil
      fn(:close, h) if h
    end

    def register(ctx) = @contexts << ctx # :nodoc:

    private

    def fn(name, *args) = @lib.send(:"b2b2c_#{@prefix}_#{name}", *args)

    def options(cls)
      o = cls.new
      rc = fn(:options_init, o, 1)
      raise Error.new(rc, "options_init: version 1 unknown") unless rc.zero?

      o
    end

    def opened(rc, ptr, what)
      raise Error.new(rc, "#{what}: #{describe(rc)}") unless rc.zero?

      @cell[0] = ptr.read_pointer
      rc = fn(:methods, @cell[0], @methods_struct)
      raise Error.new(rc, "methods: #{describe(rc)}") unless rc.zero?

      ObjectSpace.define_finalizer(self, DbStore.finalizer(@lib, :"b2b2c_#{@prefix}_close", @cell))
    end

    # A proc that closes the connection, holding nothing of the store.
    def self.finalizer(lib, close, cell) = proc { lib.send(close, cell[0]) if cell[0] }
  end

  # A SQLite database file (":memory:" for a private one) through
  # libb2b2c-sqlite. wal: write-ahead logging for a file; busy_timeout_ms:
  # how long a call waits for another connection's lock; synchronous: nil
  # (SQLite's), "off", "normal", "full", "extra" or a SQLITE_SYNC_* number.
  class SQLiteStore < DbStore
    SYNC = { nil => -1, "default" => -1, "off" => 0, "normal" => 1, "full" => 2, "extra" => 3 }.freeze

    def initialize(path, wal: true, busy_timeout_ms: 5000, synchronous: nil)
      super(:sqlite, "sqlite")
      o = options(SQLiteOptions)
      if synchronous.nil? || synchronous.is_a?(String) || synchronous.is_a?(Symbol)
        key = synchronous&.to_s
        raise Error.new(ERANGE, "synchronous: #{synchronous.inspect} is not default, off, normal, full or extra") unless SYNC.key?(key)

        synchronous = SYNC[key]
      end
      wal = 1 if wal == true
      wal = 0 if wal == false
      o[:wal] = Adapters.int("wal", wal, 32)
      o[:busy_timeout_ms] = Adapters.int("busy_timeout_ms", busy_timeout_ms, 32)
      o[:synchronous] = Adapters.int("synchronous", synchronous, 32)
      ptr = FFI::MemoryPointer.new(:pointer)
      rc = fn(:open_with, ptr, path.to_s, o)
      if rc == ERANGE
        raise Error.new(rc, "SQLiteStore: busy_timeout_ms #{o[:busy_timeout_ms]} (0 .. 2**31-1), " \
                            "wal #{o[:wal]} (0 or 1) or synchronous #{o[:synchronous]} (-1 .. 3) out of range")
      end
      opened(rc, ptr, "SQLiteStore(#{path.to_s.inspect})")
    end
  end

  # A PostgreSQL database through libb2b2c-postgresql (libpq). conninfo:
  # "host=/run/postgresql dbname=crm" or a postgresql:// URI; isolation:
  # "lock" (the default: writers one at a time) or "serializable", or a
  # PG_ISOLATION_* number; lock_key: the advisory lock every connection to
  # one database shares.
  class PostgresStore < DbStore
    ISOLATION = { "lock" => 1, "serializable" => 2 }.freeze

    def initialize(conninfo, isolation: "lock", lock_key: PG_LOCK_KEY)
      super(:pg, "pg")
      o = options(PgOptions)
      if isolation.is_a?(String) || isolation.is_a?(Symbol)
        raise Error.new(ERANGE, "isolation: #{isolation.inspect} is not lock or serializable") unless ISOLATION.key?(isolation.to_s)

        isolation = ISOLATION[isolation.to_s]
      end
      o[:isolation] = Adapters.int("isolation", isolation, 32)
      o[:lock_key] = Adapters.int("lock_key", lock_key, 64)
      ptr = FFI::MemoryPointer.new(:pointer)
      rc = fn(:open, ptr, conninfo, o)
      if rc == ERANGE
        raise Error.new(rc, "PostgresStore: isolation #{o[:isolation]} is not " \
                            "PG_ISOLATION_LOCK (1) or PG_ISOLATION_SERIALIZABLE (2)")
      end
      opened(rc, ptr, "PostgresStore")
    end

    # The SQLSTATE of the last failure ("40001"), "" when none.
    def sqlstate = @cell[0] ? fn(:sqlstate, @cell[0]) : ""
  end
end
