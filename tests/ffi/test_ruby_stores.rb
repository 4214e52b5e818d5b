# SPDX-License-Identifier: MIT
# SQLiteStore and PostgresStore in the Ruby binding: state written by one
# ruby process is read by another, two processes at once on one database
# keep every update, adapter errors carry the adapter's message.
# PostgreSQL runs when B2B2C_PG_CONNINFO is set (tests/harness/pg_server.sh
# sets it) and is skipped otherwise.
require "minitest/autorun"
require "open3"
require "tmpdir"
# B2B2C_TEST_INSTALLED=1: the installed gem (.ci/run), not the tree's
INSTALLED = ENV["B2B2C_TEST_INSTALLED"] == "1"
if INSTALLED
  require "b2b2c"
else
  require_relative "../../examples/ruby/b2b2c"
end

DAY = 86_400
T0 = 1_767_225_600 # 2026-01-01
LIB = INSTALLED ? "b2b2c" : File.expand_path("../../examples/ruby/b2b2c", __dir__)

# The child process: ruby -e CHILD KIND TARGET ACTION PREFIX N
CHILD = <<~RUBY.freeze
  require #{LIB.inspect}
  kind, target, action, prefix, n = ARGV
  store = kind == "sqlite" ? B2B2C::SQLiteStore.new(target) : B2B2C::PostgresStore.new(target)
  ctx = B2B2C::Context.new(store)
  m = B2B2C::LeadModel.new(ctx)
  n.to_i.times do |i|
    id = "\#{prefix}\#{i}"
    if action == "write"
      m.add(id, #{T0})
      m.event(id, "quote_request", #{T0 + DAY})
    else
      s, band = m.score(id, #{T0 + (2 * DAY)})
      puts "\#{id} \#{s.inspect} \#{band}"
    end
  end
  puts ctx.seq.join(" ") if action == "write"
  store.close
RUBY

module StoreShared
  def spawn_child(action, prefix, n)
    Open3.popen3(RbConfig.ruby, "-e", CHILD, kind, target, action, prefix, n.to_s)
  end

  def run_child(action, prefix, n)
    out, err, st = Open3.capture3(RbConfig.ruby, "-e", CHILD, kind, target, action, prefix, n.to_s)
    assert st.success?, "child #{action} failed: #{err}"
    out
  end

  def in_memory(prefix, n)
    ctx = B2B2C::Context.new
    m = B2B2C::LeadModel.new(ctx)
    rows = Array.new(n) do |i|
      id = "#{prefix}#{i}"
      m.add(id, T0)
      m.event(id, "quote_request", T0 + DAY)
      s, band = m.score(id, T0 + (2 * DAY))
      "#{id} #{s.inspect} #{band}\n"
    end
    ctx.close
    rows.join
  end

  def test_state_survives_the_process
    seen, own = run_child("write", "S", 3).split.map(&:to_i)
    assert_operator own, :>, 0
    assert_operator seen, :>=, own
    assert_equal in_memory("S", 3), run_child("read", "S", 3)
  end

  def test_two_processes_at_once_keep_every_update
    kids = %w[A B].map { |p| Open3.popen3(RbConfig.ruby, "-e", CHILD, kind, target, "write", p, "20") }
    kids.each do |i, o, e, t|
      i.close
      o.read
      err = e.read
      assert t.value.success?, err
    end
    %w[A B].each { |p| assert_equal in_memory(p, 20), run_child("read", p, 20) }
  end

  def test_sync_and_seq
    s1 = store
    s2 = store
    c1 = B2B2C::Context.new(s1)
    c2 = B2B2C::Context.new(s2)
    m1 = B2B2C::LeadModel.new(c1)
    m2 = B2B2C::LeadModel.new(c2)
    n = m2.count
    m1.add("SYNC1", T0)
    c2.sync
    assert_equal c1.seq[1], c2.seq[0]
    assert_equal n + 1, m2.count
    s1.close
    s2.close
    assert_raises(B2B2C::Error) { c1.handle }
    s1.close # twice is fine
  end
end

class SQLiteStoreTest < Minitest::Test
  include StoreShared

  def kind = "sqlite"
  def target = @path
  def store = B2B2C::SQLiteStore.new(@path)

  def setup
    @dir = Dir.mktmpdir
    @path = File.join(@dir, "crm.db")
  end

  def teardown = FileUtils.remove_entry(@dir)

  def test_errors
    err = assert_raises(B2B2C::Error) { B2B2C::SQLiteStore.new(File.join(@dir, "no/such/x.db")) }
    assert_equal(-1014, err.code)
    assert_match(/SQLITE_CANTOPEN/, err.message)
    [{ busy_timeout_ms: -1 }, { wal: 2 }, { synchronous: "sometimes" }, { busy_timeout_ms: 2**31 }].each do |kw|
      err = assert_raises(B2B2C::Error) { B2B2C::SQLiteStore.new(@path, **kw) }
      assert_equal B2B2C::ERANGE, err.code
      assert_includes err.message, kw.keys.first.to_s
    end
    s = B2B2C::SQLiteStore.new(@path, busy_timeout_ms: 0, synchronous: :normal)
    ctx = B2B2C::Context.new(s)
    m = B2B2C::LeadModel.new(ctx)
    other = B2B2C::SQLiteStore.new(@path)
    other_ctx = B2B2C::Context.new(other)
    # the other connection holds the write lock inside a transaction group
    other_ctx.begin_group
    B2B2C::LeadModel.new(other_ctx).add("HOLD", T0)
    err = assert_raises(B2B2C::Error) { m.add("BUSY", T0) }
    assert_equal(-1005, err.code)
    assert_match(/SQLITE_BUSY/, err.message)
    assert_equal "database is locked", s.errmsg
    other_ctx.rollback
    m.add("BUSY", T0)
    assert_equal 1, m.count
    other.close
    s.close
  end
end

class PostgresStoreTest < Minitest::Test
  include StoreShared

  def kind = "pg"
  def target = ENV.fetch("B2B2C_PG_CONNINFO")
  def store = B2B2C::PostgresStore.new(target)

  def setup
    skip "B2B2C_PG_CONNINFO not set (run under tests/harness/pg_server.sh)" unless ENV["B2B2C_PG_CONNINFO"]
  end

  def test_isolation_and_errors
    s = B2B2C::PostgresStore.new(target, isolation: :serializable)
    B2B2C::LeadModel.new(B2B2C::Context.new(s)).add("SER1", T0)
    assert_equal "", s.sqlstate
    s.close
    err = assert_raises(B2B2C::Error) { B2B2C::PostgresStore.new(target, isolation: 9) }
    assert_equal B2B2C::ERANGE, err.code
    err = assert_raises(B2B2C::Error) { B2B2C::PostgresStore.new("host=/nonexistent/b2b2c dbname=x") }
    assert_equal(-2008, err.code)
  end
end
