#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Generate the binding declarations from the public headers.

Reads include/b2b2c.h's module headers (include/b2b2c/*.h and sys/*.h, in
the umbrella header's order) and writes

    examples/python/b2b2c/_b2b2c_decls.py  ctypes: structures, CFUNCTYPE
                                           callback types, CONSTANTS,
                                           STATUS, ENUMS, TIME_ARGS,
                                           FUNCTIONS
    examples/ruby/b2b2c/b2b2c_decls.rb     ffi: CONSTANTS, STATUS, ENUMS,
                                           ENUM_PREFIXES, TIME_ARGS,
                                           FFI::Struct classes, callbacks,
                                           attach_function

ENUMS names each (anonymous) enum of the headers after the prefix its
members share (ENUM_NAMES below; the Python binding makes IntEnum classes
of them, the Ruby one symbol tables); TIME_ARGS lists, per function, the
int64_t parameters that hold a time (named as in TIME_PARAMS), where the
bindings accept a datetime / Time.

The handwritten bindings (the package examples/python/b2b2c/, and
examples/ruby/b2b2c.rb with its pieces in examples/ruby/b2b2c/) load these
and keep their argument-checking layers. Run from anywhere:

    /usr/bin/python3 tools/gen_bindings.py          # rewrite both files
    /usr/bin/python3 tools/gen_bindings.py --check DIR
        # write both into DIR and compare with the committed files: exit 1
        # with a diff when they differ (meson test 'bindings_generated')

What it reads (the house style, STYLE.md of the design notes): functions marked B2B2C_API
(declarations may span lines, carry B2B2C_DEPRECATED(...), const pointers
and `const T *const *`), enums whose members all have explicit values,
object-like #define B2B2C_* constants (integers, INT64_C(...), floats,
strings, arithmetic over earlier constants; *_INIT initializers and
function-like macros are skipped), `typedef struct x x;` handles, structs
with bodies, and function-pointer typedefs. Whatever it cannot map
faithfully (an unknown type, a struct by value, varargs, an enum member
without a value, any other declaration) stops it with an error naming the
header and the declaration: a binding is never generated from a guess.
Blocks under `#ifdef __cplusplus` and `B2B2C_STATIC_LINKING_ONLY` are
skipped (experimental API stays out of the bindings, as out of the map).

Standard library only.
"""

import argparse
import ast
import difflib
import keyword
import operator
import os
import re
import sys
from collections import namedtuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY_OUT = os.path.join("examples", "python", "b2b2c", "_b2b2c_decls.py")
RB_OUT = os.path.join("examples", "ruby", "b2b2c", "b2b2c_decls.rb")
GENERATOR = "tools/gen_bindings.py"


class GenError(Exception):
    """A header the generator cannot map: the message names the header."""


# A C type as the generator sees it: base name (const, struct dropped),
# pointer depth, and whether what the first pointer points to is const.
# `double *const out` is ("double", 1, False), `const char *` ("char", 1,
# True): a string, where `char *` is a caller's buffer.
CType = namedtuple("CType", "base depth const", defaults=(False,))
Param = namedtuple("Param", "name base depth const", defaults=(False,))
Function = namedtuple("Function", "name result params header")
Callback = namedtuple("Callback", "name result params header")
Member = namedtuple("Member", "name base depth is_fnptr")
Struct = namedtuple("Struct", "name members header")
# An enum of the headers as the bindings name it: class name (ENUM_NAMES),
# the prefix its members share (without B2B2C_), [(member, value)] with the
# prefix dropped, header.
Enum = namedtuple("Enum", "name prefix members header")

# The headers' enums are anonymous: each is named in the bindings (a Python
# IntEnum class, a Ruby symbol table) after the prefix its members share.
# An enum whose prefix is not listed stops the generator (a name is never
# guessed); the status codes (B2B2C_OK, B2B2C_E*) share no prefix.
ENUM_NAMES = {
    "": "Status", "FIT_": "FitStatus", "SEGMENT_": "Segment",
    "GROUP_": "Group", "BAND_": "Band",
    "STORAGE_HINT_PREFETCH_": "StorageHint",
    "SEG_ATTR_": "SegAttr", "SEG_PARTY_": "SegPartyType",
    "SEG_ORG_": "SegOrgKind", "SEG_DEST_": "SegDest",
    "SEG_CHANNEL_": "SegChannel", "SEG_": "SegParam",
    "LEAD_EV_": "LeadEvent", "LEAD_STAGE_": "LeadStage",
    "LEAD_ATTR_": "LeadAttr", "LEAD_": "LeadParam", "LEAD_BY_": "LeadBy",
    "LEAD_FUNNEL_BY_": "LeadFunnelBy", "LEAD_FUNNEL_": "LeadFunnelField",
    "DEALER_POLICY_": "DealerPolicy", "DEALER_PARAM_": "DealerParam",
    "DEALER_": "DealerStatus", "DEALER_LEAD_": "DealerLeadState",
    "DEALER_REASON_": "DealerReason", "DEALER_OWNER_": "DealerOwnerStep",
    "DEALER_KIND_": "DealerAuditKind", "DEALER_AUDIT_": "DealerAuditField",
    "DEALER_STAT_": "DealerStat", "DEALER_SC_": "DealerScorecardField",
    "FORECAST_": "ForecastModel", "FORECAST_KIND_": "ForecastKind",
    "FORECASTER_": "ForecasterParam", "SPEND_": "SpendSource",
    "CHANNEL_KIND_": "ChannelKind", "CHANNEL_SUB_": "ChannelSub",
    "CHANNEL_ATTRIBUTION_": "ChannelAttribution",
    "CHANNELS_": "ChannelsParam", "CHANNELS_BY_": "ChannelsBy",
    "CHM_": "ChannelMetric", "MIX_": "MixField",
    "EXPERIMENT_": "ExperimentParam", "EXPERIMENT_F_": "ExperimentField",
    "EXPERIMENT_D_": "ExperimentDayField",
    "DEALER_REG_": "DealerRegState", "DEALER_PROTECT_": "DealerProtection",
    "DEALER_SERVICE_": "DealerService", "DEALER_FUNNEL_": "DealerFunnelField",
    "LEAD_DRY_": "LeadDryField", "LEAD_BAND_BY_": "LeadBandReason",
    "PROGRAMS_KIND_": "ProgramsKind", "PROGRAMS_BY_": "ProgramsBy",
    "PROGRAMS_PARAM_": "ProgramsParam", "PROGRAMS_F_": "ProgramsField",
    "PROGRAM_BASIS_": "ProgramBasis", "PROGRAM_": "ProgramMode",
    "PROGRAM_PERIOD_": "ProgramPeriod", "PROGRAM_F_": "ProgramField",
    "PROMO_": "PromoStatus", "PROMO_C_": "PromoClaimField",
    "PROMO_BY_": "PromoBy", "PROMO_S_": "PromoSpendField",
    "PROMO_U_": "PromoUpliftField",
    "PROGRAMS_PARAM_REORDER_": "ProgramsReorderParam",
    "PROGRAMS_R_": "ProgramsReorderField",
}

# int64_t parameters holding a time (Unix seconds) go by these names in the
# headers (docs/conventions.md: time is always the caller's Unix seconds);
# the bindings accept a datetime / Time there (TIME_ARGS of the output).
TIME_PARAMS = frozenset((
    "now", "at", "t", "time", "since", "from", "to", "created", "first",
    "last", "paused_until", "due_time", "week_start", "calibration_start",
    "calibration_end", "holdout_end", "expected_close", "until", "start",
    "end"))


class Api:
    """Everything read from the headers, in header order."""

    def __init__(self):
        self.functions = []
        self.callbacks = []
        self.structs = []
        self.opaque = set()
        self.constants = []  # (name without B2B2C_, value, header)
        self.status = []     # (name without B2B2C_, value): the B2B2C_OK enum
        self.enums = []      # Enum: every enum of the headers, named
        self._const = {}

    def add_constant(self, header, name, value):
        short = name[len("B2B2C_"):]
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", short):
            raise GenError("%s: constant %s: %s is not a Python or Ruby "
                           "constant name" % (header, name, short))
        if short in self._const:
            raise GenError("%s: constant %s defined twice" % (header, name))
        self._const[short] = value
        self.constants.append((short, value, header))


SCALARS = ("void", "char", "int", "int32_t", "uint32_t", "int64_t",
           "uint64_t", "size_t", "double", "float")


# ---- reading ------------------------------------------------------------

def strip_comments(text):
    """Remove /* */ and // comments, keeping string literals and line
    breaks (so a comment never joins two lines)."""
    def repl(m):
        s = m.group(0)
        if s.startswith('"'):
            return s
        return "\n" * s.count("\n") if s.startswith("/*") else ""
    return re.sub(r'"(?:\\.|[^"\\])*"|/\*.*?\*/|//[^\n]*', repl, text,
                  flags=re.S)


def preprocess(text):
    """Return (code, defines): the code outside preprocessor lines, with
    skipped conditional blocks removed, and the object-like #defines at the
    top level (inside the include guard only) in order."""
    text = strip_comments(text).replace("\\\n", " ")
    code, defines = [], []
    stack = []  # per open #if: (active, is_guard)
    guard = None  # the include guard's macro
    for line in text.split("\n"):
        s = line.strip()
        if not s.startswith("#"):
            if all(a for a, _ in stack):
                code.append(line)
            continue
        d = re.match(r"#\s*(\w+)\s*(.*)", s)
        if d is None:
            continue
        kw, rest = d.group(1), d.group(2).strip()
        if kw in ("if", "ifdef", "ifndef"):
            skip = ("__cplusplus" in rest
                    or "B2B2C_STATIC_LINKING_ONLY" in rest)
            is_guard = (kw == "ifndef" and guard is None and not stack
                        and re.fullmatch(r"B2B2C_\w+_H", rest) is not None)
            if is_guard:
                guard = rest
            stack.append((not skip, is_guard))
        elif kw in ("elif", "else"):
            if stack:  # only the first branch is read
                stack[-1] = (False, stack[-1][1])
        elif kw == "endif":
            if stack:
                stack.pop()
        elif kw == "define" and all(a for a, _ in stack):
            if all(g for _, g in stack):  # top level or include guard
                m = re.match(r"(\w+)(\(?)\s*(.*)", rest)
                name, fnlike, value = m.group(1), m.group(2), m.group(3)
                if (not fnlike and name.startswith("B2B2C_")
                        and name != guard
                        and not value.startswith("{")):
                    defines.append((name, value.strip()))
    return "\n".join(code), defines


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub,
           ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
           ast.LShift: operator.lshift, ast.RShift: operator.rshift,
           ast.BitOr: operator.or_, ast.BitAnd: operator.and_}


def evaluate(header, name, expr, known):
    """The value of a constant expression: integer (decimal, hex, with
    U/L suffixes), float, string literal, INT64_C(...)-style wrappers,
    parentheses, unary minus, + - * << >> | & over earlier constants."""
    e = expr.strip()
    if re.fullmatch(r'"(?:\\.|[^"\\])*"', e):
        return ast.literal_eval(e)
    e = re.sub(r"\b[U]?INT(?:8|16|32|64|MAX)_C\s*\(", "(", e)
    e = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", e)
    e = re.sub(r"(?<![\w.])/(?!/)", "//", e)  # C integer division

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return ev(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if (isinstance(node, ast.Name) and node.id.startswith("B2B2C_")
                and node.id[6:] in known):
            return known[node.id[6:]]
        raise ValueError(ast.dump(node))
    try:
        return ev(ast.parse(e, mode="eval"))
    except (SyntaxError, ValueError, TypeError):
        raise GenError("%s: cannot evaluate constant %s = %s (a number, a "
                       "string, or arithmetic over earlier B2B2C_ "
                       "constants)" % (header, name, expr)) from None


def statements(header, code):
    """Split code into top-level statements ending with ';' (braces
    nested)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(code):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise GenError("%s: unbalanced '}'" % header)
        elif ch == ";" and depth == 0:
            out.append(" ".join(code[start:i].split()))
            start = i + 1
    rest = " ".join(code[start:].split())
    if rest or depth:
        raise GenError("%s: declaration without ';' at the end: %r"
                       % (header, rest[:80]))
    return [s for s in out if s]


_QUALIFIERS = ("const", "volatile", "restrict", "struct", "__restrict")


def parse_type(header, where, text, named=True):
    """'const b2b2c_x *const *sets' -> Param('sets', 'b2b2c_x', 2)."""
    t = text.strip()
    t = re.sub(r"\[\s*\w*\s*\]", "*", t) if named else t  # a[] is a pointer
    if "(" in t or "..." in t:
        raise GenError("%s: %s: parameter %r: a function pointer or varargs "
                       "must be a typedef'd callback (STYLE.md rule 12)"
                       % (header, where, text))
    depth = t.count("*")
    words = [w for w in re.findall(r"[A-Za-z_]\w*", t)
             if w not in _QUALIFIERS]
    if named and len(words) >= 2:
        name, words = words[-1], words[:-1]
    else:
        name = ""
    if len(words) != 1:
        raise GenError("%s: %s: cannot read the type of %r (one type name "
                       "expected, found %s)" % (header, where, text, words))
    const = "const" in re.findall(r"[A-Za-z_]\w*", t.split("*")[0])
    return Param(name, words[0], depth, const)


def split_params(text):
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    parts.append(cur)
    parts = [p.strip() for p in parts]
    return [] if parts in ([""], ["void"]) else parts


def parse_params(header, where, text):
    return [parse_type(header, where, p) for p in split_params(text)]


def parse_enum(api, header, body):
    members = []
    for item in [i.strip() for i in body.split(",") if i.strip()]:
        m = re.fullmatch(r"(B2B2C_\w+)\s*=\s*(.+)", item)
        if m is None:
            raise GenError("%s: enum member %r has no explicit value "
                           "(STYLE.md rule 11)" % (header, item))
        name = m.group(1)
        api.add_constant(header, name,
                         evaluate(header, name, m.group(2), api._const))
        if "B2B2C_OK" in body:
            api.status.append((name[6:], api._const[name[6:]]))
        members.append((name[6:], api._const[name[6:]]))
    if not members:
        return
    prefix = os.path.commonprefix([m for m, _ in members])
    prefix = prefix[:prefix.rfind("_") + 1]
    if prefix not in ENUM_NAMES:
        raise GenError("%s: enum with members %s...: no name for the prefix "
                       "%r in ENUM_NAMES (tools/gen_bindings.py)"
                       % (header, members[0][0], prefix))
    short = [(m[len(prefix):], v) for m, v in members]
    if any(not re.fullmatch(r"[A-Z][A-Z0-9_]*", m) for m, _ in short):
        raise GenError("%s: enum %s: a member name without its prefix %r "
                       "is not a constant name" % (header, ENUM_NAMES[prefix],
                                                   prefix))
    api.enums.append(Enum(ENUM_NAMES[prefix], prefix, short, header))


def parse_struct(api, header, name, body):
    members = []
    for decl in [d.strip() for d in body.split(";") if d.strip()]:
        fp = re.fullmatch(r"(.+?)\(\s*\*\s*(\w+)\s*\)\s*\((.*)\)", decl)
        if fp:
            members.append(Member(fp.group(2), "void", 1, True))
        else:
            p = parse_type(header, "struct " + name, decl)
            members.append(Member(p.name, p.base, p.depth, False))
    api.structs.append(Struct(name, members, header))


def parse_statement(api, header, s):
    m = re.fullmatch(r"enum(?:\s+\w+)?\s*\{(.*)\}", s)
    if m:
        parse_enum(api, header, m.group(1))
        return
    m = re.fullmatch(r"typedef struct (\w+) (\w+)", s)
    if m and m.group(1) == m.group(2):
        api.opaque.add(m.group(1))
        return
    m = re.fullmatch(r"struct (\w+)", s)
    if m:  # forward declaration
        api.opaque.add(m.group(1))
        return
    m = re.fullmatch(r"typedef struct (\w+) ?\{(.*)\} ?(\w+)", s)
    if m and m.group(1) == m.group(3):
        parse_struct(api, header, m.group(1), m.group(2))
        return
    m = re.fullmatch(r"typedef (.+?)\( ?\* ?(\w+) ?\) ?\((.*)\)", s)
    if m:
        name = m.group(2)
        api.callbacks.append(Callback(
            name, parse_type(header, name, m.group(1), named=False),
            parse_params(header, name, m.group(3)), header))
        return
    s = re.sub(r'B2B2C_DEPRECATED ?\((?:"(?:\\.|[^"\\])*"|[^)"])*\)', " ", s)
    m = re.fullmatch(r"B2B2C_API (.+?)(\w+) ?\((.*)\)", s)
    if m:
        ret = m.group(1)
        name = m.group(2)
        api.functions.append(Function(
            name, parse_type(header, name, ret, named=False),
            parse_params(header, name, m.group(3)), header))
        return
    raise GenError("%s: declaration the generator does not know: %r"
                   % (header, s[:120]))


def parse_headers(headers):
    """headers: [(name, text)] in include order -> Api."""
    api = Api()
    for header, text in headers:
        code, defines = preprocess(text)
        for name, value in defines:
            api.add_constant(header, name,
                             evaluate(header, name, value, api._const))
        for s in statements(header, code):
            if s.startswith('extern "C"'):
                continue
            parse_statement(api, header, s)
    check_types(api)
    names = [e.name for e in api.enums]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise GenError("two enums share the prefix of %s: give the members "
                       "a prefix of their own" % ", ".join(dup))
    return api


def time_args(f):
    """Positions (0-based) of f's int64_t parameters that hold a time."""
    return tuple(i for i, p in enumerate(f.params)
                 if p.base == "int64_t" and p.depth == 0
                 and p.name in TIME_PARAMS)


def check_types(api):
    """Every type used is a scalar, a handle, a struct or a callback, and
    nothing is passed by value that the bindings cannot pass."""
    structs = {s.name for s in api.structs}
    callbacks = {c.name for c in api.callbacks}
    things = []  # (what, type, is_result)
    for f in api.functions + api.callbacks:
        where = "%s: %s" % (f.header, f.name)
        things.append((where, f.result, True))
        things += [(where, p, False) for p in f.params]
    for s in api.structs:
        things += [("%s: struct %s" % (s.header, s.name), m, False)
                   for m in s.members if not m.is_fnptr]
    for where, t, is_result in things:
        what = "%s: %s" % (where, t.base)
        if t.base in SCALARS:
            if t.depth == 0 and t.base == "char":
                raise GenError("%s: a char by value" % what)
            if t.depth == 0 and t.base == "void" and not is_result:
                raise GenError("%s: a void parameter" % what)
            if (is_result and t.base == "char" and t.depth == 1
                    and not t.const):
                raise GenError("%s: returns a char * (not const: who frees "
                               "it? return const char * or fill a caller's "
                               "buffer)" % what)
        elif t.base in api.opaque or t.base in structs:
            if t.depth == 0:
                raise GenError("%s: a struct passed by value (STYLE.md "
                               "rule 12)" % what)
        elif t.base in callbacks:
            if t.depth != 0:
                raise GenError("%s: a pointer to a callback" % what)
        else:
            raise GenError("%s: unknown type (allowed: %s, handles, "
                           "structs and callback typedefs of the "
                           "headers)" % (what, ", ".join(SCALARS)))


def read_headers(include_dir):
    """The module headers in the umbrella header's include order."""
    with open(os.path.join(include_dir, "b2b2c.h")) as f:
        names = re.findall(r'#\s*include\s+"b2b2c/([\w/]+\.h)"', f.read())
    out = []
    for n in names:
        with open(os.path.join(include_dir, "b2b2c", n)) as f:
            out.append((n, f.read()))
    return out


# ---- Python -------------------------------------------------------------

_PY_SCALAR = {"void": "None", "char": "c_char", "int": "c_int",
              "int32_t": "c_int32", "uint32_t": "c_uint32",
              "int64_t": "c_int64", "uint64_t": "c_uint64",
              "size_t": "c_size_t", "double": "c_double",
              "float": "c_float"}


def py_type(api, t):
    structs = {s.name for s in api.structs}
    if t.depth == 0:
        return _PY_SCALAR.get(t.base, t.base)  # scalar or callback type
    if t.base in structs:
        inner = t.base
    elif t.base == "char" and t.depth == 1 and not t.const:
        inner = "POINTER(c_char)"  # a caller's buffer, not a string
    elif t.base == "char":
        inner = "c_char_p"  # const char * is a string, char ** its out-param
    elif t.base == "void" or t.base in api.opaque:
        inner = "c_void_p"
    else:
        inner = "POINTER(%s)" % _PY_SCALAR[t.base]
    first = 0 if t.base in structs else 1
    for _ in range(first, t.depth):
        inner = "POINTER(%s)" % inner
    return inner


def _wrap(head, items, tail, indent, width=79):
    """head + items joined by ', ' + tail, wrapped under `indent`."""
    lines, cur = [], head
    for i, it in enumerate(items):
        piece = it + (", " if i < len(items) - 1 else tail)
        if len(cur) + len(piece.rstrip()) > width and cur.strip():
            lines.append(cur.rstrip())
            cur = indent
        cur += piece
    if not items:
        cur += tail
    lines.append(cur.rstrip())
    return lines


def _grouped(items, header_of, lines_of, indent, gap=False):
    """lines_of(item) for every item, with a "# header.h" line (after a
    blank line when gap) before the first item of each header."""
    out, header = [], None
    for it in items:
        if header_of(it) != header:
            header = header_of(it)
            out += ([""] if gap else []) + [indent + "# " + header]
        out += lines_of(it)
    return out


def python_decls(api):
    # the ctypes names the file uses: the innermost name of every type
    # ("POINTER(POINTER(c_char_p))" -> c_char_p), less the file's own
    used = {py_type(api, t).split("(")[-1].rstrip(")")
            for t in _all_types(api)}
    own = {c.name for c in api.callbacks} | {s.name for s in api.structs}
    names = sorted((used - own - {"None"})
                   | {"CFUNCTYPE", "POINTER", "Structure", "c_void_p"})
    out = ["# SPDX-License-Identifier: MIT",
           '"""ctypes declarations of libb2b2c, generated by %s from the'
           % GENERATOR,
           "public headers (include/b2b2c/*.h): do not edit, regenerate",
           '(docs/bindings.md). Loaded by b2b2c/_lib.py."""',
           "",
           "# flake8: noqa",
           ""]
    out += _wrap("from ctypes import (", names, ")", "                    ")
    out += ["", "", "# ---- structs (method tables, versioned) ----", ""]
    for s in api.structs:
        out.append("class %s(Structure):  # %s" % (s.name, s.header))
        fields = []
        for m in s.members:
            t = "c_void_p" if m.is_fnptr else py_type(
                api, CType(m.base, m.depth))
            n = m.name + "_" if keyword.iskeyword(m.name) else m.name
            fields.append('("%s", %s)' % (n, t))
        out += _wrap("    _fields_ = [", fields, "]", "                 ")
        out += ["", ""]
    out += ["# ---- callback types (typedefs of the headers) ----", ""]
    for c in api.callbacks:
        args = [py_type(api, c.result)] + [py_type(api, p) for p in c.params]
        out += _wrap("%s = CFUNCTYPE(" % c.name, args, ")", "    ")
    out += ["", "# ---- constants (enums and #defines), without B2B2C_ ----",
            "", "CONSTANTS = {"]
    out += _grouped(api.constants, lambda c: c[2],
                    lambda c: ["    %r: %r," % (c[0], c[1])], "    ")
    out += ["}", "", "# status codes (the enum holding B2B2C_OK)",
            "STATUS = {"]
    for name, value in api.status:
        out.append("    %d: %r," % (value, "B2B2C_" + name))
    out += ["}", "",
            "# ---- enums: (IntEnum class name, member prefix without B2B2C_,",
            "# ((member without the prefix, value), ...)) ----", "",
            "ENUMS = ("]
    for e in api.enums:
        items = ["(%r, %r)" % m for m in e.members]
        out += _wrap("    (%r, %r, (" % (e.name, e.prefix), items,
                     ",))," if len(items) == 1 else ")),", "        ")
    out += [")", "",
            "# ---- the int64_t parameters holding a time (Unix seconds):",
            "# function name -> argument positions (0-based) ----", "",
            "TIME_ARGS = {"]
    for f in api.functions:
        pos = time_args(f)
        if pos:
            out.append("    %r: %r," % (f.name, pos))
    out += ["}", "", "# ---- functions: (name, restype, argtypes) ----", "",
            "FUNCTIONS = ("]

    def function(f):
        args = [py_type(api, p) for p in f.params]
        head = '    ("%s", %s, (' % (f.name, py_type(api, f.result))
        return _wrap(head, args, ",))," if len(args) == 1 else ")),",
                     "        ")
    out += _grouped(api.functions, lambda f: f.header, function, "    ")
    return "\n".join(out + [")", ""])


def _all_types(api):
    for f in api.functions + api.callbacks:
        yield f.result
        yield from f.params
    for s in api.structs:
        for m in s.members:
            if not m.is_fnptr:
                yield CType(m.base, m.depth)


# ---- Ruby ---------------------------------------------------------------

_RB_SCALAR = {"void": "void", "int": "int", "int32_t": "int32",
              "uint32_t": "uint32", "int64_t": "int64", "uint64_t": "uint64",
              "size_t": "size_t", "double": "double", "float": "float"}


def rb_type(api, t):
    if t.depth == 0:
        return _RB_SCALAR.get(t.base, t.base)  # scalar or callback type
    if t.depth == 1 and t.base == "char" and t.const:
        return "string"
    return "pointer"


def _rb_list(types):
    return "%%i[%s]" % " ".join(types) if types else "[]"


def _rb_value(v):
    if isinstance(v, str):
        return '"%s"' % v.replace("\\", "\\\\").replace('"', '\\"')
    return repr(v)


def _camel(name):
    return "".join(w.capitalize() for w in name[len("b2b2c_"):].split("_"))


def ruby_decls(api):
    out = ["# SPDX-License-Identifier: MIT",
           "# ffi declarations of libb2b2c, generated by %s from the public"
           % GENERATOR,
           "# headers (include/b2b2c/*.h): do not edit, regenerate",
           "# (docs/bindings.md). Loaded by b2b2c.rb after B2B2C::Lib (b2b2c/lib.rb:",
           "# ffi_lib and the checking attach_function) is defined.",
           "# rubocop:disable all",
           "",
           "module B2B2C",
           "  # Constants (enums and #defines), named without B2B2C_.",
           "  CONSTANTS = {"]
    out += _grouped(api.constants, lambda c: c[2],
                    lambda c: ["    %s: %s," % (c[0], _rb_value(c[1]))],
                    "    ")
    out[-1] = out[-1].rstrip(",")
    out += ["  }.freeze", "", "  # Status codes (the enum holding B2B2C_OK).",
            "  STATUS = {"]
    for name, value in api.status:
        out.append("    %d => :%s," % (value, name))
    out[-1] = out[-1].rstrip(",")
    out += ["  }.freeze", "",
            "  # Enums: name => {member symbol (lowercased, prefix dropped) =>",
            "  # value}; the prefix each enum's C names share is in ENUM_PREFIXES.",
            "  ENUMS = {"]
    for e in api.enums:
        items = ["%s: %d" % (m.lower(), v) for m, v in e.members]
        out += _wrap("    %s: { " % e.name, items, " },", "      ")
    out[-1] = out[-1].rstrip(",")
    out += ["  }.freeze", "", "  ENUM_PREFIXES = {"]
    for e in api.enums:
        out.append('    %s: "%s",' % (e.name, e.prefix))
    out[-1] = out[-1].rstrip(",")
    out += ["  }.freeze", "",
            "  # The int64_t parameters holding a time (Unix seconds): function",
            "  # name => argument positions (0-based).",
            "  TIME_ARGS = {"]
    for f in api.functions:
        pos = time_args(f)
        if pos:
            out.append("    %s: [%s]," % (f.name, ", ".join(map(str, pos))))
    out[-1] = out[-1].rstrip(",")
    out += ["  }.freeze", ""]
    for s in api.structs:
        out.append("  # %s (%s)" % (s.name, s.header))
        out.append("  class %s < FFI::Struct" % _camel(s.name))
        items = []
        for m in s.members:
            t = "pointer" if m.is_fnptr else rb_type(
                api, CType(m.base, m.depth))
            items.append(":%s, :%s" % (m.name, t))
        out += _wrap("    layout ", items, "", "           ")
        out += ["  end", ""]
    out += ["  module Lib", "    # callback types (typedefs of the headers)"]
    for c in api.callbacks:
        args = _rb_list([rb_type(api, p) for p in c.params])
        out.append("    callback :%s, %s, :%s"
                   % (c.name, args, rb_type(api, c.result)))
    out += _grouped(api.functions, lambda f: f.header, lambda f: [
        "    attach_function :%s, %s, :%s"
        % (f.name, _rb_list([rb_type(api, p) for p in f.params]),
           rb_type(api, f.result))], "    ", gap=True)
    out += ["  end", "end", ""]
    return "\n".join(out)


# ---- main ---------------------------------------------------------------

def generate(include_dir):
    api = parse_headers(read_headers(include_dir))
    return {PY_OUT: python_decls(api), RB_OUT: ruby_decls(api)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--include", default=os.path.join(ROOT, "include"),
                    help="the include directory (default: the repository's)")
    ap.add_argument("--check", metavar="DIR",
                    help="write into DIR and compare with the committed files")
    args = ap.parse_args(argv)
    try:
        files = generate(args.include)
    except GenError as e:
        print("gen_bindings: %s" % e, file=sys.stderr)
        return 2
    status = 0
    for rel, text in files.items():
        dest = os.path.join(args.check or ROOT, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w") as f:
            f.write(text)
        if args.check:
            committed = os.path.join(ROOT, rel)
            try:
                with open(committed) as f:
                    old = f.read()
            except FileNotFoundError:
                old = ""
            if old != text:
                status = 1
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True),
                    committed, dest))
                print("gen_bindings: %s is not what the headers generate; "
                      "run /usr/bin/python3 %s and commit it"
                      % (rel, GENERATOR), file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
