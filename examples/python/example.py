"""libb2b2c from Python: a context on an in-memory store that outlives it,
one transaction group, and how failures surface as exceptions."""
import b2b2c

print("libb2b2c", b2b2c.version())
store = b2b2c.MemStore()
with b2b2c.Context(store) as ctx:
    with ctx.transaction():
        pass  # engine calls go here: one storage transaction for all of them
    try:
        ctx.rollback()  # no group is open
    except b2b2c.Error as e:
        print("expected failure:", e.name, "-", e.message)
print("segments:", ", ".join(b2b2c.SEGMENTS[1:]))
store.close()
