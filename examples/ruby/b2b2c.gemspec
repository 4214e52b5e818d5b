# SPDX-License-Identifier: MIT
# The Ruby binding of libb2b2c as a gem (docs/bindings.md):
#
#   cd examples/ruby && gem build b2b2c.gemspec &&
#     gem install --local b2b2c-*.gem
#
# installs offline (its one dependency, ffi, from Debian's ruby-ffi). Pure
# Ruby: the C library is installed separately (meson install + ldconfig)
# and found through the system loader, or through B2B2C_LIBRARY (a path).
Gem::Specification.new do |s|
  s.name = "b2b2c"
  # the C library's version (meson.build's project version; a test checks)
  s.version = "1.0.0"
  s.summary = "Ruby binding (ffi) of libb2b2c: B2B2C sales models"
  s.description = "Lead model, segment classifier, dealer allocation, LTV " \
                  "forecaster and channel analytics of the C library " \
                  "libb2b2c, with its SQLite and PostgreSQL stores."
  s.authors = ["libb2b2c contributors"]
  s.license = "MIT"
  s.required_ruby_version = ">= 3.0"
  s.files = Dir.chdir(__dir__) { Dir["b2b2c.rb", "b2b2c/*.rb"].sort }
  s.require_paths = ["."]
  s.add_runtime_dependency "ffi", ">= 1.0"
  s.metadata = { "rubygems_mfa_required" => "true" }
end
