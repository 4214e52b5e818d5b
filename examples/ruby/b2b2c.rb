# SPDX-License-Identifier: MIT
# Ruby binding for libb2b2c over the ffi gem.
#
# The shared library is found through ENV["B2B2C_LIBRARY"] (a path), else
# "libb2b2c.so.1". A negative status raises B2B2C::Error with #code, #name
# and the context's message. SQLiteStore and PostgresStore load their
# adapter library on first use (b2b2c/storage.rb says where they look).
#
#   require_relative "b2b2c"
#   B2B2C::Context.open do |ctx|
#     ctx.transaction { ... }
#   end
#
# Threads: a Context and the handles opened on it are used by one thread at
# a time; separate contexts are independent. Contexts on several threads
# may share one MemStore: every function is bound with blocking: true, so a
# thread waiting in C for the store (another thread's transaction) releases
# the GVL and the thread it waits for goes on.
require "ffi"

# The pieces, in load order: Lib (ffi_lib and the checking attach_function),
# the declarations generated from the public headers by tools/gen_bindings.py
# (b2b2c/b2b2c_decls.rb: CONSTANTS, STATUS, the Storage and Allocator
# structs, every callback type and one attach_function per exported
# function), the context, the shared engine helpers, one file per engine.
require_relative "b2b2c/lib"
require_relative "b2b2c/b2b2c_decls"
require_relative "b2b2c/core"
require_relative "b2b2c/storage"
require_relative "b2b2c/engine"
require_relative "b2b2c/segment"
require_relative "b2b2c/lead"
require_relative "b2b2c/dealer"
require_relative "b2b2c/forecast"
require_relative "b2b2c/channel"
require_relative "b2b2c/experiment"
require_relative "b2b2c/program"
require_relative "b2b2c/lead_sum"
