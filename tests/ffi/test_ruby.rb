# The Ruby (ffi) binding against the built shared library.
require "minitest/autorun"
require_relative "../../examples/ruby/b2b2c"

class CoreTest < Minitest::Test
  def test_version
    assert_equal 10_000, B2B2C.version_number
    assert_equal "1.0.0", B2B2C.version
  end

  def test_names
    B2B2C::SEGMENTS.each_with_index do |name, i|
      assert_equal name, B2B2C.segment_name(i)
      assert_equal i, B2B2C.segment_from_name(name)
    end
    assert_equal "hot", B2B2C.band_name(3)
    err = assert_raises(B2B2C::Error) { B2B2C.band_from_name("tepid") }
    assert_equal B2B2C::EINVAL, err.code
  end

  def test_context_transaction
    store = B2B2C::MemStore.new
    B2B2C::Context.open(store) do |ctx|
      ctx.transaction { nil }
      err = assert_raises(B2B2C::Error) { ctx.commit }
      assert_equal B2B2C::ESTATE, err.code
      assert_match(/no transaction group/, err.message)
      assert_raises(ZeroDivisionError) { ctx.transaction { 1 / 0 } }
      ctx.begin_group
      assert_raises(B2B2C::Error) { ctx.begin_group }
      ctx.rollback
    end
    store.close
  end
end
