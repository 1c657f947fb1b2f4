"""Cedar policy text from a small expression tree.

The differential generator builds expressions as tuples and prints them here, so the
oracle and leash both read text that no part of leash produced. The printer uses the
fewest parentheses Cedar's grammar allows, so precedence parsing is exercised too.

Expression nodes (tuples, first element the kind):
  ("lit", text)                  a literal already in Cedar syntax
  ("var", name)                  principal, action, resource, context
  ("if", c, t, e)
  ("or", a, b), ("and", a, b)
  ("rel", op, a, b)              == != < <= > >= in
  ("has", a, [attr, ...])        `a has x` or `a has x.y.z` (one string attr: `a has "k y"`)
  ("like", a, [elem, ...])       elem is a one-character string or None for `*`
  ("is", a, type_name, in_expr)  in_expr may be None
  ("arith", op, a, b)            + - *
  ("not", a), ("neg", a)
  ("attr", a, name)              `a.name`, or `a["name"]` when name is not an identifier
  ("index", a, name)             always `a["name"]`
  ("method", a, name, [args])
  ("call", name, [args])         extension function: ip("..."), decimal("..."), …
  ("set", [items]), ("record", [(key, value), ...])
"""

import re

RESERVED = {"true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"}
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Precedence levels, loosest first: an operand printed where a tighter level is needed
# gets parentheses.
IF, OR, AND, REL, ADD, MUL, UNARY, MEMBER = range(8)


def is_ident(s):
    return bool(IDENT.match(s)) and s not in RESERVED


def quote(s, style=0):
    """A Cedar string literal for s. style varies the escapes used (all mean the same)."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\0":
            out.append("\\0")
        elif ch == "'" and style == 1:
            out.append("\\'")
        elif o < 0x20 or o == 0x7F:
            out.append("\\u{%x}" % o)
        elif style == 2 and 0x20 < o < 0x7F and ch.isalpha():
            out.append("\\x%02x" % o)
        elif style == 1 and o > 0x7F:
            out.append("\\u{%x}" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def pattern_text(elems):
    """A `like` pattern: None is the wildcard `*`, a literal star is written `\\*`."""
    out = ['"']
    for e in elems:
        if e is None:
            out.append("*")
        elif e == "*":
            out.append("\\*")
        else:
            out.append(quote(e)[1:-1])
    out.append('"')
    return "".join(out)


def entity_text(etype, eid, style=0):
    return "%s::%s" % (etype, quote(eid, style))


def _wrap(text_level, need):
    text, level = text_level
    return text if level >= need else "(" + text + ")"


def _unary_depth(node):
    d = 0
    while node[0] in ("not", "neg"):
        d += 1
        node = node[1]
    return d


def expr(node):
    """Returns the Cedar text of node."""
    return _pr(node)[0]


def _pr(n):
    k = n[0]
    if k == "lit":
        return n[1], (UNARY if n[1].startswith("-") else MEMBER)
    if k == "var":
        return n[1], MEMBER
    if k == "if":
        return "if %s then %s else %s" % (expr(n[1]), expr(n[2]), expr(n[3])), IF
    if k == "or":
        return "%s || %s" % (_wrap(_pr(n[1]), OR), _wrap(_pr(n[2]), AND)), OR
    if k == "and":
        return "%s && %s" % (_wrap(_pr(n[1]), AND), _wrap(_pr(n[2]), REL)), AND
    if k == "rel":
        return "%s %s %s" % (_wrap(_pr(n[2]), ADD), n[1], _wrap(_pr(n[3]), ADD)), REL
    if k == "has":
        attrs = n[2]
        if len(attrs) == 1 and not is_ident(attrs[0]):
            rhs = quote(attrs[0])
        else:
            rhs = ".".join(attrs)
        return "%s has %s" % (_wrap(_pr(n[1]), ADD), rhs), REL
    if k == "like":
        return "%s like %s" % (_wrap(_pr(n[1]), ADD), pattern_text(n[2])), REL
    if k == "is":
        s = "%s is %s" % (_wrap(_pr(n[1]), ADD), n[2])
        if n[3] is not None:
            s += " in " + _wrap(_pr(n[3]), ADD)
        return s, REL
    if k == "arith":
        if n[1] == "*":
            return "%s * %s" % (_wrap(_pr(n[2]), MUL), _wrap(_pr(n[3]), UNARY)), MUL
        return "%s %s %s" % (_wrap(_pr(n[2]), ADD), n[1], _wrap(_pr(n[3]), MUL)), ADD
    if k in ("not", "neg"):
        op = "!" if k == "not" else "-"
        inner = n[1]
        # Cedar allows at most four unary operators in a row.
        if inner[0] in ("not", "neg") and _unary_depth(n) <= 4:
            t = _pr(inner)[0]
        else:
            t = _wrap(_pr(inner), MEMBER)
        sep = " " if t.startswith("-") else ""
        return op + sep + t, UNARY
    if k == "attr":
        recv = _wrap(_pr(n[1]), MEMBER)
        if is_ident(n[2]):
            return "%s.%s" % (recv, n[2]), MEMBER
        return "%s[%s]" % (recv, quote(n[2])), MEMBER
    if k == "index":
        return "%s[%s]" % (_wrap(_pr(n[1]), MEMBER), quote(n[2])), MEMBER
    if k == "method":
        return "%s.%s(%s)" % (_wrap(_pr(n[1]), MEMBER), n[2], ", ".join(expr(a) for a in n[3])), MEMBER
    if k == "call":
        return "%s(%s)" % (n[1], ", ".join(expr(a) for a in n[2])), MEMBER
    if k == "set":
        return "[%s]" % ", ".join(expr(a) for a in n[1]), MEMBER
    if k == "record":
        parts = []
        for key, v in n[1]:
            parts.append("%s: %s" % (key if is_ident(key) else quote(key), expr(v)))
        return "{%s}" % ", ".join(parts), MEMBER
    raise ValueError("unknown node %r" % (k,))


def scope_entity(ref):
    """A scope operand: ("slot", "?principal") or (type, id)."""
    if ref[0] == "slot":
        return ref[1]
    return entity_text(ref[0], ref[1])


def head_part(var, c):
    """One scope constraint. c is ("any",), ("eq", ref), ("in", ref), ("is", T),
    ("isin", T, ref), and for action ("inset", [refs])."""
    k = c[0]
    if k == "any":
        return var
    if k == "eq":
        return "%s == %s" % (var, scope_entity(c[1]))
    if k == "in":
        return "%s in %s" % (var, scope_entity(c[1]))
    if k == "inset":
        return "%s in [%s]" % (var, ", ".join(scope_entity(r) for r in c[1]))
    if k == "is":
        return "%s is %s" % (var, c[1])
    if k == "isin":
        return "%s is %s in %s" % (var, c[1], scope_entity(c[2]))
    raise ValueError(k)


def policy(p):
    """p: dict with effect, principal, action, resource, conditions [(kind, expr)], annotations [(k, v|None)]."""
    lines = []
    for key, value in p.get("annotations", []):
        lines.append("@%s" % key if value is None else "@%s(%s)" % (key, quote(value)))
    lines.append("%s (\n  %s,\n  %s,\n  %s\n)" % (
        p["effect"], head_part("principal", p["principal"]), head_part("action", p["action"]),
        head_part("resource", p["resource"])))
    for kind, body in p.get("conditions", []):
        lines.append("%s { %s }" % (kind, expr(body)))
    return "\n".join(lines) + ";"


def policy_set(policies):
    return "\n\n".join(policy(p) for p in policies) + "\n"
