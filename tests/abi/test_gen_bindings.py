# SPDX-License-Identifier: MIT
"""Unit tests of tools/gen_bindings.py: the header styles it must read, the
declarations it writes, and the header text it must refuse rather than
guess at (suite 'abi'; standard library only)."""

import ctypes
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import gen_bindings as gen  # noqa: E402

# the toy header's enum is named as the repository's are (ENUM_NAMES)
gen.ENUM_NAMES["TOY_"] = "Toy"

HEADER = r'''
/* a header comment with B2B2C_API int fake(void); inside */
#ifndef B2B2C_TOY_H
#define B2B2C_TOY_H
#include "common.h"
#ifdef __cplusplus
extern "C" {
#endif
#define B2B2C_TOY_LIMIT 64 /* trailing comment */
#define B2B2C_TOY_BIG (-INT64_C(62135596800))
#define B2B2C_TOY_SUM \
    (B2B2C_TOY_LIMIT * 2 + 1)
#define B2B2C_TOY_NAME "toy"
#define B2B2C_TOY_REAL 1e15
#define B2B2C_TOY_INIT { 1, NULL }
#define B2B2C_TOY_FN(x) ((x) + 1)
typedef struct b2b2c_toy b2b2c_toy;
struct b2b2c_ctx;
enum {
    B2B2C_TOY_A = 0,   /* first */
    B2B2C_TOY_B = -3,  // second
    B2B2C_TOY_C = 700
};
typedef struct b2b2c_toy_methods {
    uint32_t version;
    void *userdata;
    int (*del)(void *userdata, const char *key,
               size_t keylen);
} b2b2c_toy_methods;
/* A callback over
 * several lines. */
typedef int (*b2b2c_toy_cb)(const char *id, const double *m,
                            size_t n, int64_t t, void *payload);
B2B2C_API int b2b2c_toy_new(b2b2c_toy **out,
                            const struct b2b2c_ctx *ctx,
                            const b2b2c_toy_methods *methods);
B2B2C_API void b2b2c_toy_free(b2b2c_toy *h);
B2B2C_API const char *b2b2c_toy_name(int32_t v);
B2B2C_API uint32_t b2b2c_toy_count(void);
B2B2C_API int b2b2c_toy_read(const char **name_out, int32_t *kind,
                             double *const out, uint64_t seed,
                             const b2b2c_toy *const *sets, size_t n,
                             b2b2c_toy_cb cb, void *payload);
B2B2C_API int b2b2c_toy_format(char *buf, size_t cap, size_t *len);
B2B2C_API B2B2C_DEPRECATED("use b2b2c_toy_name") const char *
b2b2c_toy_old_name(int32_t v);
#ifdef B2B2C_STATIC_LINKING_ONLY
B2B2C_API int b2b2c_toy_experimental(int32_t v);
#endif
#ifdef __cplusplus
}
#endif
#endif
'''


def parse(text, name="toy.h"):
    return gen.parse_headers([(name, text)])


class ParseTest(unittest.TestCase):
    def setUp(self):
        self.api = parse(HEADER)

    def test_functions_in_order_with_types(self):
        names = [f.name for f in self.api.functions]
        self.assertEqual(names, [
            "b2b2c_toy_new", "b2b2c_toy_free", "b2b2c_toy_name",
            "b2b2c_toy_count", "b2b2c_toy_read", "b2b2c_toy_format",
            "b2b2c_toy_old_name"])
        read = self.api.functions[4]
        self.assertEqual([(p.base, p.depth) for p in read.params], [
            ("char", 2), ("int32_t", 1), ("double", 1), ("uint64_t", 0),
            ("b2b2c_toy", 2), ("size_t", 0), ("b2b2c_toy_cb", 0),
            ("void", 1)])
        self.assertEqual((read.result.base, read.result.depth), ("int", 0))
        self.assertEqual(self.api.functions[3].params, [])

    def test_static_linking_only_and_comments_are_skipped(self):
        names = [f.name for f in self.api.functions]
        self.assertNotIn("b2b2c_toy_experimental", names)
        self.assertNotIn("fake", names)

    def test_constants_from_enums_and_defines(self):
        c = {n: v for n, v, _ in self.api.constants}
        self.assertEqual(c["TOY_A"], 0)
        self.assertEqual(c["TOY_B"], -3)
        self.assertEqual(c["TOY_C"], 700)
        self.assertEqual(c["TOY_LIMIT"], 64)
        self.assertEqual(c["TOY_BIG"], -62135596800)
        self.assertEqual(c["TOY_SUM"], 129)
        self.assertEqual(c["TOY_NAME"], "toy")
        self.assertEqual(c["TOY_REAL"], 1e15)
        self.assertNotIn("TOY_INIT", c)
        self.assertNotIn("TOY_FN", c)
        self.assertNotIn("TOY_H", c)

    def test_callbacks_and_structs(self):
        cb = self.api.callbacks[0]
        self.assertEqual(cb.name, "b2b2c_toy_cb")
        self.assertEqual([p.base for p in cb.params],
                         ["char", "double", "size_t", "int64_t", "void"])
        st = self.api.structs[0]
        self.assertEqual(st.name, "b2b2c_toy_methods")
        self.assertEqual([(m.name, m.is_fnptr) for m in st.members],
                         [("version", False), ("userdata", False),
                          ("del", True)])
        self.assertIn("b2b2c_toy", self.api.opaque)
        self.assertIn("b2b2c_ctx", self.api.opaque)


class RefuseTest(unittest.TestCase):
    """What the generator cannot map faithfully is an error naming the
    header and the declaration, never a guess."""

    def assertRefused(self, text, *words):
        with self.assertRaises(gen.GenError) as cm:
            api = parse("#include \"common.h\"\n" + text)
            gen.python_decls(api)
            gen.ruby_decls(api)
        msg = str(cm.exception)
        self.assertIn("toy.h", msg)
        for w in words:
            self.assertIn(w, msg)

    def test_unknown_type(self):
        self.assertRefused("B2B2C_API int b2b2c_toy_f(long v);",
                           "b2b2c_toy_f", "long")

    def test_struct_by_value(self):
        self.assertRefused(
            "typedef struct b2b2c_s { int32_t a; } b2b2c_s;\n"
            "B2B2C_API int b2b2c_toy_f(b2b2c_s s);", "b2b2c_toy_f", "value")

    def test_enum_without_value(self):
        self.assertRefused("enum { B2B2C_TOY_A = 0, B2B2C_TOY_B };",
                           "B2B2C_TOY_B")

    def test_mutable_string_result(self):
        # who would free it? the house returns const char * or fills a
        # caller's (buf, cap, &len)
        self.assertRefused("B2B2C_API char *b2b2c_toy_f(void);",
                           "b2b2c_toy_f", "char *")

    def test_varargs(self):
        self.assertRefused("B2B2C_API int b2b2c_toy_f(const char *fmt, ...);",
                           "b2b2c_toy_f")

    def test_unrecognised_declaration(self):
        self.assertRefused("extern int b2b2c_toy_global;", "b2b2c_toy_global")

    def test_constant_that_does_not_evaluate(self):
        self.assertRefused("#define B2B2C_TOY_X (B2B2C_NOWHERE + 1)",
                           "B2B2C_TOY_X")

    def test_enum_without_a_name(self):
        self.assertRefused("enum { B2B2C_ZAP_A = 0, B2B2C_ZAP_B = 1 };",
                           "'ZAP_'", "ENUM_NAMES")

    def test_constant_name_not_a_binding_name(self):
        # B2B2C_2D_MAX would be b2b2c.2D_MAX / B2B2C::2D_MAX
        self.assertRefused("#define B2B2C_2D_MAX 4", "B2B2C_2D_MAX")

    def test_duplicate_constant(self):
        self.assertRefused("#define B2B2C_TOY_X 1\nenum { B2B2C_TOY_X = 2 };",
                           "B2B2C_TOY_X")


class OutputTest(unittest.TestCase):
    """The generated Python declarations load and carry the C types."""

    def setUp(self):
        self.api = parse(HEADER)
        ns = {}
        exec(compile(gen.python_decls(self.api), "<decls>", "exec"), ns)
        self.ns = ns

    def test_python_functions(self):
        fns = {n: (r, a) for n, r, a in self.ns["FUNCTIONS"]}
        P = ctypes.POINTER
        res, args = fns["b2b2c_toy_read"]
        self.assertIs(res, ctypes.c_int)
        self.assertEqual(args[:6], (
            P(ctypes.c_char_p), P(ctypes.c_int32), P(ctypes.c_double),
            ctypes.c_uint64, P(ctypes.c_void_p), ctypes.c_size_t))
        self.assertIs(args[6], self.ns["b2b2c_toy_cb"])
        self.assertIs(args[7], ctypes.c_void_p)
        res, args = fns["b2b2c_toy_new"]
        self.assertEqual(args, (P(ctypes.c_void_p), ctypes.c_void_p,
                                P(self.ns["b2b2c_toy_methods"])))
        self.assertIs(fns["b2b2c_toy_free"][0], None)
        self.assertIs(fns["b2b2c_toy_name"][0], ctypes.c_char_p)
        self.assertEqual(fns["b2b2c_toy_count"], (ctypes.c_uint32, ()))
        # a caller's buffer is not a string: ctypes must not copy it
        self.assertEqual(fns["b2b2c_toy_format"][1], (
            P(ctypes.c_char), ctypes.c_size_t, P(ctypes.c_size_t)))

    def test_python_struct_callback_constants(self):
        st = self.ns["b2b2c_toy_methods"]
        self.assertEqual([f[0] for f in st._fields_],
                         ["version", "userdata", "del_"])
        cb = self.ns["b2b2c_toy_cb"]
        self.assertIs(cb._restype_, ctypes.c_int)
        self.assertEqual(cb._argtypes_, (
            ctypes.c_char_p, ctypes.POINTER(ctypes.c_double),
            ctypes.c_size_t, ctypes.c_int64, ctypes.c_void_p))
        self.assertEqual(self.ns["CONSTANTS"]["TOY_B"], -3)
        self.assertEqual(self.ns["CONSTANTS"]["TOY_NAME"], "toy")

    def test_ruby_lines(self):
        rb = gen.ruby_decls(self.api)
        self.assertIn("callback :b2b2c_toy_cb, %i[string pointer size_t "
                      "int64 pointer], :int", rb)
        self.assertIn("attach_function :b2b2c_toy_read, %i[pointer pointer "
                      "pointer uint64 pointer size_t b2b2c_toy_cb pointer], "
                      ":int", rb)
        self.assertIn("attach_function :b2b2c_toy_count, [], :uint32", rb)
        self.assertIn("attach_function :b2b2c_toy_format, %i[pointer size_t "
                      "pointer], :int", rb)
        self.assertIn("attach_function :b2b2c_toy_name, %i[int32], :string",
                      rb)
        self.assertIn("layout :version, :uint32, :userdata, :pointer, "
                      ":del, :pointer", rb)
        self.assertIn("TOY_B: -3", rb)

    def test_enums_and_time_args(self):
        self.assertEqual(self.ns["ENUMS"], (
            ("Toy", "TOY_", (("A", 0), ("B", -3), ("C", 700))),))
        api = parse("#include \"common.h\"\n"
                    "B2B2C_API int b2b2c_toy_at(int64_t *since, "
                    "int64_t count, int64_t now, int32_t t, int64_t to);")
        ns = {}
        exec(compile(gen.python_decls(api), "<decls>", "exec"), ns)
        # int64_t by value, named as a time; not a pointer, not int32_t
        self.assertEqual(ns["TIME_ARGS"], {"b2b2c_toy_at": (2, 4)})
        rb = gen.ruby_decls(api)
        self.assertIn("b2b2c_toy_at: [2, 4]", rb)
        self.assertIn("Toy: { a: 0, b: -3, c: 700 }", gen.ruby_decls(self.api))

    def test_output_is_stable(self):
        self.assertEqual(gen.python_decls(self.api), gen.python_decls(parse(
            HEADER)))


class RepositoryTest(unittest.TestCase):
    """The repository's own headers: every exported function of the map is
    declared, and nothing else."""

    def test_map_and_headers_agree(self):
        import re
        api = gen.parse_headers(gen.read_headers(
            os.path.join(ROOT, "include")))
        with open(os.path.join(ROOT, "src", "libb2b2c.map")) as f:
            text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        syms = set(re.findall(r"^\s*(b2b2c_\w+)\s*;", text, flags=re.M))
        self.assertEqual(sorted(f.name for f in api.functions), sorted(syms))

    def test_check_fails_on_a_header_changed_without_regeneration(self):
        import contextlib
        import io
        import shutil
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            inc = os.path.join(tmp, "include")
            shutil.copytree(os.path.join(ROOT, "include"), inc)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), \
                    contextlib.redirect_stderr(io.StringIO()):
                same = gen.main(["--include", inc, "--check",
                                 os.path.join(tmp, "a")])
                h = os.path.join(inc, "b2b2c", "channel.h")
                with open(h) as f:
                    text = f.read()
                with open(h, "w") as f:
                    f.write(text.replace(
                        "B2B2C_API void b2b2c_channels_free(",
                        "B2B2C_API int b2b2c_channels_toy(int32_t v);\n"
                        "B2B2C_API void b2b2c_channels_free("))
                changed = gen.main(["--include", inc, "--check",
                                    os.path.join(tmp, "b")])
        self.assertEqual(same, 0)
        self.assertEqual(changed, 1)
        self.assertIn('+    ("b2b2c_channels_toy", c_int, (c_int32,)),',
                      out.getvalue())
        self.assertIn("+    attach_function :b2b2c_channels_toy, %i[int32], "
                      ":int", out.getvalue())


if __name__ == "__main__":
    unittest.main()
