# libb2b2c from Ruby: a context on an in-memory store, one transaction group,
# and how failures surface as exceptions.
require_relative "b2b2c"

puts "libb2b2c #{B2B2C.version}"
store = B2B2C::MemStore.new
B2B2C::Context.open(store) do |ctx|
  ctx.transaction { nil } # engine calls go here, in one storage transaction
  begin
    ctx.rollback # no group is open
  rescue B2B2C::Error => e
    puts "expected failure: #{e.message}"
  end
end
puts "segments: #{B2B2C::SEGMENTS.drop(1).join(', ')}"
store.close
