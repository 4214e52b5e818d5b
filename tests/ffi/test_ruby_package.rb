# SPDX-License-Identifier: MIT
# The Ruby gem as a user sees it: enums as symbols, Time accepted wherever a
# time is, engines Enumerable over their listing, block forms closing what
# they open, the gem's files and version. With B2B2C_TEST_INSTALLED=1
# (.ci/run) it requires the installed gem and checks it is not the tree's.
require "minitest/autorun"

ROOT = File.expand_path("../..", __dir__)
INSTALLED = ENV["B2B2C_TEST_INSTALLED"] == "1"
if INSTALLED
  require "b2b2c"
else
  require_relative "../../examples/ruby/b2b2c"
end

DAY = 86_400
T0 = 1_767_225_600 # 2026-01-01 00:00:00 UTC
TT0 = Time.utc(2026, 1, 1)

class EnumSymbolTest < Minitest::Test
  def test_enums_are_generated_symbol_tables
    assert_equal 3, B2B2C::ENUMS[:Band][:hot]
    assert_equal B2B2C::BAND_HOT, B2B2C.enum_value(:Band, :hot)
    assert_equal B2B2C::LEAD_STAGE_WON, B2B2C.enum_value("LeadStage", "WON")
    assert_equal :qualified, B2B2C.enum_symbol(:LeadStage, B2B2C::LEAD_STAGE_QUALIFIED)
    assert_equal :einval, B2B2C.enum_symbol(:Status, B2B2C::EINVAL)
    assert_nil B2B2C.enum_symbol(:Band, 99)
    assert_raises(ArgumentError) { B2B2C.enum_value(:Band, :tepid) }
    assert_raises(ArgumentError) { B2B2C.enum_value(:Nothing, :hot) }
  end

  def test_symbols_match_the_c_names
    B2B2C::ENUMS[:Band].each { |sym, v| assert_equal sym.to_s, B2B2C.band_name(v) }
    B2B2C::ENUMS[:Segment].each { |sym, v| assert_equal v, B2B2C.segment_from_name(sym.to_s) }
    # every member is also a constant with its C name
    B2B2C::ENUMS.each do |name, members|
      members.each do |sym, v|
        assert_equal v, B2B2C.const_get("#{B2B2C::ENUM_PREFIXES[name]}#{sym.upcase}")
      end
    end
  end

  def test_symbols_as_arguments
    B2B2C::Context.open do |ctx|
      m = B2B2C::LeadModel.new(ctx)
      m.add("a", T0, segment: :b2b_large)
      m.set_stage("a", :qualified, T0)
      assert_equal :qualified, B2B2C.enum_symbol(:LeadStage, m.stage("a"))
      assert_equal ["a"], m.top(T0, band: :cold).map(&:lead_id)
      err = assert_raises(ArgumentError) { m.set_stage("a", :tepid, T0) }
      assert_match(/tepid/, err.message)
    end
  end
end

class TimeTest < Minitest::Test
  def test_to_unix_and_from_unix
    assert_equal T0, B2B2C.to_unix(TT0)
    assert_equal T0, B2B2C.to_unix(Time.new(2026, 1, 1, 3, 0, 0, "+03:00"))
    assert_equal T0, B2B2C.to_unix(TT0 + 0.999)
    assert_equal(-1, B2B2C.to_unix(Time.at(-0.5)))
    assert_equal TT0, B2B2C.from_unix(T0)
    assert_equal T0, B2B2C.to_unix(T0)
    assert_raises(TypeError) { B2B2C.to_unix("2026-01-01") }
  end

  def test_time_is_the_same_as_its_seconds
    B2B2C::Context.open do |ctx|
      m = B2B2C::LeadModel.new(ctx)
      m.add("a", T0)
      m.add("b", TT0)
      m.event("a", :quote_request, T0 + DAY)
      m.event("b", :quote_request, TT0 + DAY)
      assert_equal m.score("a", T0 + 2 * DAY), m.score("b", TT0 + 2 * DAY)
      err = assert_raises(TypeError) { m.score("a", "2026-01-02") }
      assert_match(/argument 5 \(a time: Integer Unix seconds or Time\)/, err.message)
    end
  end

  def test_time_in_every_engine
    B2B2C::Context.open do |ctx|
      d = B2B2C::DealerEngine.new(ctx)
      d.put("d1", territories: ["RU-MOW"], product_lines: ["boilers"], capacity: 5)
      dealer, = d.route("l1", "RU-MOW", now: TT0, product_line: "boilers")
      assert_equal "d1", dealer
      d.accept("l1", "d1", TT0 + 3600)
      assert_equal B2B2C::DEALER_LEAD_ACCEPTED, d.lead_state("l1")[0]
      f = B2B2C::Forecaster.new(ctx)
      f.add_purchase("c1", :b2b_large, TT0, 100.0)
      f.add_purchase("c1", :b2b_large, TT0 + 30 * DAY, 50.0)
      c = f.list_customers.first
      assert_equal [T0, T0 + 30 * DAY], [c.first, c.last]
      ch = B2B2C::Channels.new(ctx)
      ch.add("search", B2B2C::CHANNEL_KIND_LEADGEN)
      ch.set_spend("search", TT0, 10.0)
      ch.touch("l1", "search", TT0)
      ch.convert("l1", TT0 + DAY, 100.0)
      rows = ch.attribute(:last, TT0, TT0 + 7 * DAY)
      assert_includes rows.map { |r| [r.channel_id, r.revenue] }, ["search", 100.0]
    end
  end
end

class EnumerableTest < Minitest::Test
  def test_engines_enumerate_their_listing
    B2B2C::Context.open do |ctx|
      d = B2B2C::DealerEngine.new(ctx)
      3.times { |i| d.put("d#{i}", territories: ["RU-MOW"], product_lines: ["boilers"]) }
      assert_equal %w[d0 d1 d2], d.map(&:dealer_id)
      assert_equal d.list, d.to_a
      assert_kind_of Enumerator, d.each
      ch = B2B2C::Channels.new(ctx)
      ch.add("search", B2B2C::CHANNEL_KIND_LEADGEN)
      assert_equal ["search"], ch.map(&:channel_id)
      f = B2B2C::Forecaster.new(ctx)
      f.add_purchase("c1", :b2c_consumer, T0, 10.0)
      assert_equal ["c1"], f.map(&:customer_id)
      s = B2B2C::Segmenter.new(ctx)
      s.assign_segment("a1", :b2b_large, T0)
      assert_equal ["a1"], s.map(&:account_id)
    end
  end

  def test_block_forms_close
    kept = nil
    B2B2C::Context.open do |ctx|
      B2B2C::LeadModel.open(ctx) do |m|
        kept = m
        m.add("a", T0)
      end
      assert kept.closed?
    end
  end
end

# Every public method of the binding's modules and classes has a comment
# right above its definition (Ruby's counterpart of the Python package's
# docstring walk).
class DocumentedTest < Minitest::Test
  def binding_dir
    File.dirname($LOADED_FEATURES.find { |f| f.end_with?("/b2b2c.rb") })
  end

  def public_methods_of_binding
    mods = [B2B2C] + B2B2C.constants.map { |c| B2B2C.const_get(c) }.select do |c|
      c.is_a?(Module) && c.name&.start_with?("B2B2C") && c != B2B2C::Lib &&
        !(c.is_a?(Class) && (c < Struct || c < FFI::Struct))
    end
    mods.uniq.flat_map do |m|
      m.public_instance_methods(false).map { |n| ["#{m}##{n}", m.instance_method(n)] } +
        m.singleton_methods(false).map { |n| ["#{m}.#{n}", m.method(n)] }
    end
  end

  # A comment on the line above the definition, or after it on the same
  # line (`attr_accessor :reason # ...`, `# :nodoc:`); a method defined in
  # a loop (define_singleton_method) has it above the loop.
  def commented?(lines, i)
    return true if lines[i].include?(" # ")

    if lines[i] =~ /define_(singleton_)?method/
      indent = lines[i][/\A */].size
      i -= 1 while i.positive? && lines[i][/\A */].size >= indent || lines[i].strip.empty?
    end
    lines[i - 1].to_s.strip.start_with?("#")
  end

  def test_every_public_method_is_commented
    dir = binding_dir
    seen = 0
    missing = public_methods_of_binding.filter_map do |name, meth|
      file, line = meth.source_location
      next unless file&.start_with?(dir)

      seen += 1
      name unless commented?(File.readlines(file), line - 1)
    end
    assert_operator seen, :>, 200
    assert_equal [], missing, "public methods without a comment"
  end
end

class GemTest < Minitest::Test
  def test_where_it_comes_from
    file = $LOADED_FEATURES.find { |f| f.end_with?("/b2b2c.rb") }
    refute_nil file
    assert_equal !INSTALLED, file.start_with?("#{ROOT}/"), file
  end

  # A store from the block; a missing adapter library skips in the build
  # tree (it was not configured), fails installed.
  def adapter
    yield
  rescue LoadError => e
    raise if INSTALLED

    skip "adapter not built: #{e.message}"
  end

  def test_sqlite_adapter_loads
    store = adapter { B2B2C::SQLiteStore.new(":memory:") }
    B2B2C::Context.open(store) do |ctx|
      m = B2B2C::LeadModel.new(ctx)
      m.add("a", TT0)
      assert_equal 1, m.count
    end
    store.close
  end

  # the adapter's own error, no server needed
  def test_postgresql_adapter_loads
    err = adapter do
      B2B2C::PostgresStore.new("host=/nonexistent-b2b2c dbname=x connect_timeout=1")
    rescue B2B2C::Error => e
      e
    end
    assert_kind_of B2B2C::Error, err
    assert_operator err.code, :<, -1000
    assert_match(/PostgreSQL/, err.message)
  end

  def test_gemspec_and_versions
    skip "the tree's gemspec (installed run)" if INSTALLED
    spec = Gem::Specification.load(File.join(ROOT, "examples/ruby/b2b2c.gemspec"))
    meson = File.read(File.join(ROOT, "meson.build"))[/version: '([^']+)'/, 1]
    assert_equal meson, spec.version.to_s
    assert_equal B2B2C.version, meson
    on_disk = Dir.chdir(File.join(ROOT, "examples/ruby")) { Dir["b2b2c.rb", "b2b2c/*.rb"].sort }
    assert_equal on_disk, spec.files.sort
    assert_equal ["ffi"], spec.runtime_dependencies.map(&:name)
  end

  def test_installed_version
    skip "installed run only" unless INSTALLED
    assert_equal B2B2C.version, Gem.loaded_specs.fetch("b2b2c").version.to_s
  end
end
