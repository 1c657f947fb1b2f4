#!/usr/bin/env python3
"""Differential test of leash's schema parser and strict validator against cedarpy.

  validate_diff.py --cases N [--seed S]   N random schema + policy-set pairs
  validate_diff.py --emit --cases N        the cases and cedarpy's verdicts, for the Swift tests
  validate_diff.py --mutate 0.5 ...        damage half of the schemas (schema error agreement)

Each case is a random schema (namespaces, entity hierarchies, optional attributes,
records, sets, entity references, extension types, tags, enumerated entities, common
types, action groups, contexts) written in the human-readable syntax or, for a share
of cases, in the JSON form, and a few policies generated from the schema by wanted
type, with a small chance at every node of a mistake the validator must catch:
an unknown attribute, an unguarded optional attribute, two entity types or record
shapes that have no least upper bound, an empty set, a bad or non-literal extension
constructor argument, an unknown entity type or action, an impossible scope.

leash answers through `leash cedar validate --jsonl` (one process for all cases; set
LEASH=/path/to/leash or build it); cedarpy.validate_policies is the oracle. The verdict
(valid or not) must agree. Disagreements are written to --out as JSON lines, and the
last line printed is `N agreed, N disagreed`; the exit status is 1 on any disagreement.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

import cedarpy

# ---------------------------------------------------------------- types

BOOL, LONG, STRING = ("Bool",), ("Long",), ("String",)
EXTS = ["ipaddr", "decimal", "datetime", "duration"]
EXT_LITERALS = {
    "ipaddr": (["10.0.0.1", "10.0.0.0/8", "::1", "192.168.0.1/24", "fe80::1"], ["1.2.3", "10.0.0.1/33", "x"]),
    "decimal": (["1.0", "-2.5", "0.0001", "123.4567"], ["1", "1.23456", "abc"]),
    "datetime": (["2024-01-01", "2024-01-01T10:00:00Z", "2024-02-29T23:59:59.999Z", "2024-01-01T10:00:00+0100"],
                 ["2023-02-29", "2024-1-1", "nope"]),
    "duration": (["1d", "2h30m", "-5s", "1d2h3m4s5ms", "90m"], ["", "1h1d", "h"]),
}
EXT_CTOR = {"ipaddr": "ip", "decimal": "decimal", "datetime": "datetime", "duration": "duration"}


def tset(t):
    return ("Set", t)


def trec(attrs):
    return ("Record", tuple(sorted(attrs.items())))


def tent(n):
    return ("Entity", n)


def text(t):
    return ("Ext", t)


def rec_attrs(t):
    return dict(t[1])


# ---------------------------------------------------------------- schema


class Schema:
    def __init__(self, r):
        self.r = r
        self.ns = r.choice(["", "", "App", "Org::Sub"])
        q = (self.ns + "::") if self.ns else ""
        n = r.randint(2, 4)
        names = ["User", "Group", "Doc", "Team", "Folder"][:n]
        self.entities = {}  # qualified name -> dict(parents, attrs, tags, enum)
        self.common = {}
        self.local = {q + b: b for b in names}
        for b in names:
            self.entities[q + b] = {"parents": [], "attrs": {}, "tags": None, "enum": None}
        if r.random() < 0.25:
            self.entities[q + "Color"] = {"parents": [], "attrs": {}, "tags": None, "enum": ["red", "green"]}
            self.local[q + "Color"] = "Color"
        ents = list(self.entities)
        std = [e for e in ents if self.entities[e]["enum"] is None]
        for e in std:
            ps = [p for p in ents if p != e and r.random() < 0.3]
            self.entities[e]["parents"] = ps
        if r.random() < 0.4:
            self.common["Addr"] = trec({"street": (STRING, True), "zip": (LONG, r.random() < 0.5)})
        for e in std:
            attrs = {}
            for i in range(r.randint(0, 4)):
                attrs["a%d" % i] = (self.rand_type(2, ents), r.random() < 0.7)
            if "Addr" in self.common and r.random() < 0.4:
                attrs["addr"] = (("Common", "Addr"), True)
            self.entities[e]["attrs"] = attrs
            if r.random() < 0.25:
                self.entities[e]["tags"] = r.choice([STRING, LONG, tset(STRING)])
        self.actions = {}  # id -> dict(parents, principals, resources, context) ; applies None
        acts = ["read", "write", "delete", "admin"][: r.randint(1, 4)]
        for a in acts:
            parents = [p for p in acts if p != a and acts.index(p) < acts.index(a) and r.random() < 0.3]
            applies = None
            if r.random() < 0.9:
                applies = {
                    "principals": r.sample(std, r.randint(1, min(2, len(std)))),
                    "resources": r.sample(ents, r.randint(1, min(2, len(ents)))),
                    "context": {"c%d" % i: (self.rand_type(2, ents), r.random() < 0.7) for i in range(r.randint(0, 3))},
                }
            self.actions[a] = {"parents": parents, "applies": applies}
        self.action_type = q + "Action"
        # Sometimes a second namespace whose declarations refer to the first one's.
        self.extra = None
        if r.random() < 0.3:
            main_std = list(std)
            svc = {"parents": [p for p in main_std if r.random() < 0.3], "tags": r.choice([None, LONG]), "enum": None,
                   "attrs": {"owner": (tent(r.choice(main_std)), True), "peer": (tent("Ext::Svc"), False), "n": (LONG, r.random() < 0.5)}}
            self.entities["Ext::Svc"] = svc
            self.local["Ext::Svc"] = "Svc"
            self.extra = {"principals": r.sample(main_std + ["Ext::Svc"], 1 + (r.random() < 0.5)), "resources": ["Ext::Svc"],
                          "context": {"who": (tent(r.choice(main_std)), True)}}
        # A small share of schemas are wrong: both sides must reject them.
        self.mistake = None
        if r.random() < 0.06:
            self.mistake = r.choice(["undeclared_attr", "undeclared_parent", "undeclared_action_parent", "duplicate_entity", "context_not_record"])

    def rand_type(self, depth, ents):
        r = self.r
        k = r.random()
        if k < 0.2:
            return BOOL
        if k < 0.4:
            return LONG
        if k < 0.55:
            return STRING
        if k < 0.65:
            return text(r.choice(EXTS))
        if k < 0.78:
            return tent(r.choice(ents))
        if k < 0.9 and depth > 0:
            return tset(self.rand_type(depth - 1, ents))
        if depth > 0:
            return trec({"f%d" % i: (self.rand_type(depth - 1, ents), r.random() < 0.7) for i in range(r.randint(0, 2))})
        return LONG

    def ns_of(self, qname):
        return qname.rsplit("::", 1)[0] if "::" in qname else ""

    def ref(self, qname):
        """How the namespace being rendered (self.cur_ns) spells an entity type."""
        base = qname.rsplit("::", 1)[-1]
        if self.ns_of(qname) == self.cur_ns:
            return base if self.r.random() < 0.6 else qname
        return qname  # qualified (for the empty namespace, the bare name is its qualified name)

    def resolve(self, t):
        if t[0] == "Common":
            return self.common[t[1]]
        return t

    # -- rendering: human-readable syntax
    def ty_text(self, t):
        k = t[0]
        if k in ("Bool", "Long", "String"):
            return k
        if k == "Ext":
            return t[1]
        if k == "Set":
            return "Set<%s>" % self.ty_text(t[1])
        if k == "Entity":
            return self.ref(t[1])
        if k == "Common":
            return t[1]
        if k == "Record":
            return "{" + ", ".join("%s%s: %s" % (n, "" if req else "?", self.ty_text(tt)) for n, (tt, req) in t[1]) + "}"
        raise ValueError(t)

    def rec_text(self, attrs):
        return "{" + ", ".join("%s%s: %s" % (n, "" if req else "?", self.ty_text(t)) for n, (t, req) in attrs.items()) + "}"

    def cedarschema(self):
        self.cur_ns = self.ns
        out = []
        if self.mistake == "undeclared_attr":
            out.append("entity Extra { x: Missing };")
        elif self.mistake == "undeclared_parent":
            out.append("entity Extra in [Missing];")
        elif self.mistake == "undeclared_action_parent":
            out.append('action extra in ["missing"];')
        elif self.mistake == "duplicate_entity":
            out.append("entity %s;" % self.local[list(self.entities)[0]])
        elif self.mistake == "context_not_record":
            out.append("entity Extra; action extra appliesTo { principal: Extra, resource: Extra, context: Long };")
        for n, t in self.common.items():
            out.append("type %s = %s;" % (n, self.ty_text(t)))
        for e, d in self.entities.items():
            if self.ns_of(e) != self.ns:
                continue
            b = self.local[e]
            if d["enum"] is not None:
                out.append("entity %s enum [%s];" % (b, ", ".join('"%s"' % x for x in d["enum"])))
                continue
            s = "entity " + b
            if d["parents"]:
                s += " in [" + ", ".join(self.ref(p) for p in d["parents"]) + "]"
            if d["attrs"] or self.r.random() < 0.3:
                s += " " + self.rec_text(d["attrs"])
            if d["tags"]:
                s += " tags " + self.ty_text(d["tags"])
            out.append(s + ";")
        for a, d in self.actions.items():
            s = 'action "%s"' % a if self.r.random() < 0.5 else "action " + a
            if d["parents"]:
                s += " in [" + ", ".join('"%s"' % p for p in d["parents"]) + "]"
            if d["applies"]:
                ap = d["applies"]
                parts = ["principal: [%s]" % ", ".join(self.ref(p) for p in ap["principals"]),
                         "resource: [%s]" % ", ".join(self.ref(p) for p in ap["resources"])]
                if ap["context"] or self.r.random() < 0.3:
                    parts.append("context: " + self.rec_text(ap["context"]))
                s += " appliesTo { " + ", ".join(parts) + " }"
            out.append(s + ";")
        body = "\n  ".join(out)
        text = ("namespace %s {\n  %s\n}\n" % (self.ns, body)) if self.ns else body + "\n"
        if self.extra:
            self.cur_ns = "Ext"
            d = self.entities["Ext::Svc"]
            e = "entity Svc"
            if d["parents"]:
                e += " in [" + ", ".join(self.ref(p) for p in d["parents"]) + "]"
            e += " " + self.rec_text(d["attrs"]) + (" tags " + self.ty_text(d["tags"]) if d["tags"] else "") + ";"
            x = self.extra
            a = "action invoke appliesTo { principal: [%s], resource: [%s], context: %s };" % (
                ", ".join(self.ref(p) for p in x["principals"]), ", ".join(self.ref(p) for p in x["resources"]), self.rec_text(x["context"]))
            text += "namespace Ext {\n  %s\n  %s\n}\n" % (e, a)
        return text

    # -- rendering: JSON
    def ty_json(self, t):
        k = t[0]
        if k == "Bool":
            return {"type": "Boolean"}
        if k in ("Long", "String"):
            return {"type": k}
        if k == "Ext":
            return {"type": "Extension", "name": t[1]}
        if k == "Set":
            return {"type": "Set", "element": self.ty_json(t[1])}
        if k == "Entity":
            return {"type": "Entity", "name": self.ref(t[1])}
        if k == "Common":
            return {"type": t[1]}
        if k == "Record":
            return self.rec_json(dict(t[1]))
        raise ValueError(t)

    def rec_json(self, attrs):
        out = {}
        for n, (t, req) in attrs.items():
            j = self.ty_json(t)
            if not req:
                j["required"] = False
            out[n] = j
        return {"type": "Record", "attributes": out}

    def json(self):
        self.cur_ns = self.ns
        ets = {}
        for e, d in self.entities.items():
            if self.ns_of(e) != self.ns:
                continue
            b = self.local[e]
            if d["enum"] is not None:
                ets[b] = {"enum": d["enum"]}
                continue
            j = {}
            if d["parents"]:
                j["memberOfTypes"] = [self.ref(p) for p in d["parents"]]
            if d["attrs"]:
                j["shape"] = self.rec_json(d["attrs"])
            if d["tags"]:
                j["tags"] = self.ty_json(d["tags"])
            ets[b] = j
        acts = {}
        for a, d in self.actions.items():
            j = {}
            if d["parents"]:
                j["memberOf"] = [{"id": p} for p in d["parents"]]
            if d["applies"]:
                ap = d["applies"]
                j["appliesTo"] = {"principalTypes": [self.ref(p) for p in ap["principals"]],
                                  "resourceTypes": [self.ref(p) for p in ap["resources"]],
                                  "context": self.rec_json(ap["context"])}
            acts[a] = j
        if self.mistake == "undeclared_attr":
            ets["Extra"] = {"shape": {"type": "Record", "attributes": {"x": {"type": "Missing"}}}}
        elif self.mistake == "undeclared_parent":
            ets["Extra"] = {"memberOfTypes": ["Missing"]}
        elif self.mistake == "undeclared_action_parent":
            acts["extra"] = {"memberOf": [{"id": "missing"}]}
        elif self.mistake == "context_not_record":
            ets["Extra"] = {}
            acts["extra"] = {"appliesTo": {"principalTypes": ["Extra"], "resourceTypes": ["Extra"], "context": {"type": "Long"}}}
        ns = {"entityTypes": ets, "actions": acts}
        if self.common:
            ns["commonTypes"] = {n: self.ty_json(t) for n, t in self.common.items()}
        out = {self.ns: ns}
        if self.extra:
            self.cur_ns = "Ext"
            d = self.entities["Ext::Svc"]
            j = {"shape": self.rec_json(d["attrs"])}
            if d["parents"]:
                j["memberOfTypes"] = [self.ref(p) for p in d["parents"]]
            if d["tags"]:
                j["tags"] = self.ty_json(d["tags"])
            x = self.extra
            out["Ext"] = {"entityTypes": {"Svc": j}, "actions": {"invoke": {"appliesTo": {
                "principalTypes": [self.ref(p) for p in x["principals"]], "resourceTypes": [self.ref(p) for p in x["resources"]],
                "context": self.rec_json(x["context"])}}}}
        return json.dumps(out)


# ---------------------------------------------------------------- expressions


def q(s):
    return json.dumps(s)


class ExprGen:
    """Generates expressions of a wanted type for one assumed request environment."""

    def __init__(self, r, schema, env, err_rate):
        self.r, self.s, self.env, self.err = r, schema, env, err_rate

    def uid(self, ety):
        d = self.s.entities.get(ety)
        if d and d["enum"] is not None:
            return "%s::%s" % (ety, q(self.r.choice(d["enum"] + ["blue"] if self.r.random() < 0.2 else d["enum"])))
        return "%s::%s" % (ety, q(self.r.choice(["a", "b", "c"])))

    def mistake(self):
        return self.r.random() < self.err

    # Terms that already have a type: variables and attribute paths.
    def paths(self):
        """(text, type, guard) triples reachable from principal/resource/context."""
        out = []
        p, res, ctx = self.env

        def walk(text, t, guard, depth):
            t = self.s.resolve(t)
            out.append((text, t, guard))
            if depth == 0:
                return
            attrs = None
            if t[0] == "Record":
                attrs = rec_attrs(t)
            elif t[0] == "Entity" and t[1] in self.s.entities:
                attrs = self.s.entities[t[1]]["attrs"]
            if attrs is None:
                return
            for n, (at, req) in attrs.items():
                g = guard
                if not req:
                    g = guard + ["(%s has %s)" % (text, n)]
                walk("%s.%s" % (text, n), at, g, depth - 1)

        walk("principal", tent(p), [], 2)
        walk("resource", tent(res), [], 2)
        walk("context", trec(ctx), [], 2)
        return out

    def term_of(self, t):
        cands = [(x, g) for (x, tt, g) in self.paths() if tt == t]
        if not cands:
            return None
        x, g = self.r.choice(cands)
        if g and self.mistake():
            g = []  # forget the guard: unsafe optional access
        return x, g

    def guarded(self, x, g):
        if not g:
            return x
        return "(" + " && ".join(g + [x]) + ")"

    def gen(self, t, depth):
        r = self.r
        t = self.s.resolve(t)
        if self.mistake():
            return self.wrong(t, depth)
        if depth > 0 and r.random() < 0.12:
            return "(if %s then %s else %s)" % (self.gen(BOOL, depth - 1), self.gen(t, depth - 1), self.gen(t, depth - 1))
        if t == BOOL:
            return self.gen_bool(depth)
        use_path = r.random() < 0.5
        if use_path:
            tm = self.term_of(t)
            if tm and not tm[1]:
                return tm[0]
        if t == LONG:
            if depth > 0 and r.random() < 0.3:
                return "(%s %s %s)" % (self.gen(LONG, depth - 1), r.choice("+-*"), self.gen(LONG, depth - 1))
            if depth > 0 and r.random() < 0.1:
                return "%s.%s()" % (self.gen(text("duration"), depth - 1), r.choice(["toDays", "toHours", "toSeconds", "toMilliseconds"]))
            return str(r.choice([0, 1, 2, 42, -3]))
        if t == STRING:
            return q(r.choice(["", "a", "abc", "x*y"]))
        if t[0] == "Ext":
            n = t[1]
            if depth > 0 and n == "datetime" and r.random() < 0.2:
                return "%s.offset(%s)" % (self.gen(t, depth - 1), self.gen(text("duration"), depth - 1))
            if depth > 0 and n == "duration" and r.random() < 0.15:
                return "%s.durationSince(%s)" % (self.gen(text("datetime"), depth - 1), self.gen(text("datetime"), depth - 1))
            good, bad = EXT_LITERALS[n]
            lit = r.choice(bad) if r.random() < self.err / 2 else r.choice(good)
            return "%s(%s)" % (EXT_CTOR[n], q(lit))
        if t[0] == "Set":
            k = r.randint(1, 3)
            return "[" + ", ".join(self.gen(t[1], depth - 1) for _ in range(k)) + "]"
        if t[0] == "Record":
            return "{" + ", ".join("%s: %s" % (n, self.gen(tt, depth - 1)) for n, (tt, req) in t[1] if req or r.random() < 0.5) + "}"
        if t[0] == "Entity":
            if t[1] == self.env[0] and r.random() < 0.4:
                return "principal"
            if t[1] == self.env[1] and r.random() < 0.4:
                return "resource"
            return self.uid(t[1])
        raise ValueError(t)

    def any_type(self):
        r = self.r
        cands = [tt for (_, tt, _) in self.paths()]
        if cands and r.random() < 0.7:
            return r.choice(cands)
        return r.choice([LONG, STRING, BOOL, tset(LONG), text(r.choice(EXTS)), tent(r.choice(list(self.s.entities)))])

    def gen_bool(self, depth):
        r = self.r
        if depth <= 0:
            tm = self.term_of(BOOL)
            if tm and r.random() < 0.5:
                return self.guarded(*tm)
            return r.choice(["true", "false"])
        k = r.randint(0, 16)
        d = depth - 1
        if k == 0:
            return "(%s && %s)" % (self.gen(BOOL, d), self.gen(BOOL, d))
        if k == 1:
            return "(%s || %s)" % (self.gen(BOOL, d), self.gen(BOOL, d))
        if k == 2:
            return "!%s" % self.gen(BOOL, d)
        if k == 3:
            t = self.any_type()
            return "(%s %s %s)" % (self.gen(t, d), r.choice(["==", "!="]), self.gen(t, d))
        if k == 4:
            t = r.choice([LONG, LONG, text("datetime"), text("duration")])
            return "(%s %s %s)" % (self.gen(t, d), r.choice(["<", "<=", ">", ">="]), self.gen(t, d))
        if k == 5:
            # has, then maybe use the attribute
            cands = [(x, tt, g) for (x, tt, g) in self.paths() if "." in x]
            if cands:
                x, tt, g = r.choice(cands)
                base, attr = x.rsplit(".", 1)
                if r.random() < 0.5 and tt in (LONG, STRING, BOOL):
                    use = "(%s == %s)" % (x, self.gen(tt, 0))
                    return self.guarded("(%s has %s && %s)" % (base, attr, use), g[:-1] if g else g)
                return self.guarded("(%s has %s)" % (base, attr), g[:-1] if g else g)
            return "(principal has %s)" % r.choice(["a0", "zz"])
        if k == 6:
            return "(%s like %s)" % (self.gen(STRING, d), q(r.choice(["*", "a*", "*b*", "abc"])))
        if k == 7:
            lhs = r.choice(["principal", "resource"]) if r.random() < 0.8 else self.gen(tent(r.choice(list(self.s.entities))), d)
            sets = [(x, g) for (x, tt, g) in self.paths() if tt[0] == "Set" and tt[1][0] == "Entity"]
            if sets and r.random() < 0.3:
                x, gd = r.choice(sets)
                return self.guarded("(%s in %s)" % (lhs, x), gd if r.random() < 0.9 else [])
            if r.random() < 0.3:
                rhs = "[" + ", ".join(self.uid(r.choice(list(self.s.entities))) for _ in range(r.randint(1, 2))) + "]"
            else:
                rhs = self.gen(tent(r.choice(list(self.s.entities))), d)
            return "(%s in %s)" % (lhs, rhs)
        if k == 8:
            ety = r.choice(list(self.s.entities) + [self.s.action_type])
            v = r.choice(["principal", "resource", "action"])
            if r.random() < 0.3:
                return "(%s is %s in %s)" % (v, ety, self.gen(tent(r.choice(list(self.s.entities))), d))
            return "(%s is %s)" % (v, ety)
        if k == 9:
            t = self.any_type()
            return "%s.contains(%s)" % (self.gen(tset(t), d), self.gen(t, d))
        if k == 10:
            t = self.any_type()
            return "%s.%s(%s)" % (self.gen(tset(t), d), r.choice(["containsAll", "containsAny"]), self.gen(tset(t), d))
        if k == 11:
            return "%s.isEmpty()" % self.gen(tset(self.any_type()), d)
        if k == 12:
            m = r.choice(["isIpv4", "isIpv6", "isLoopback", "isMulticast", "isInRange", "lessThan", "greaterThanOrEqual"])
            if m == "isInRange":
                return "%s.isInRange(%s)" % (self.gen(text("ipaddr"), d), self.gen(text("ipaddr"), d))
            if m in ("lessThan", "greaterThanOrEqual"):
                return "%s.%s(%s)" % (self.gen(text("decimal"), d), m, self.gen(text("decimal"), d))
            return "%s.%s()" % (self.gen(text("ipaddr"), d), m)
        if k == 13:
            v = r.choice(["principal", "resource"])
            key = q(r.choice(["k", "t"]))
            if r.random() < 0.5:
                return "%s.hasTag(%s)" % (v, key)
            ety = self.env[0] if v == "principal" else self.env[1]
            tt = self.s.entities.get(ety, {}).get("tags") or STRING
            use = "(%s.getTag(%s) == %s)" % (v, key, self.gen(tt, 0))
            if r.random() < 0.7:
                return "(%s.hasTag(%s) && %s)" % (v, key, use)
            return use
        if k == 14:
            acts = list(self.s.actions) + (["nope"] if self.mistake() else [])
            if r.random() < 0.5:
                return '(action == %s::"%s")' % (self.s.action_type, r.choice(acts))
            return '(action in [%s])' % ", ".join('%s::"%s"' % (self.s.action_type, a) for a in r.sample(acts, r.randint(1, len(acts))))
        if k == 15:
            tm = self.term_of(BOOL)
            if tm:
                return self.guarded(*tm)
        return r.choice(["true", "false"])

    def wrong(self, t, depth):
        r = self.r
        k = r.randint(0, 9)
        if k == 0:
            return "[]"
        if k == 1:
            return "principal.%s" % r.choice(["nope", "a9"])
        if k == 2:
            return 'Nope::"x"'
        if k == 3:
            return "[%s, %s]" % (self.gen(LONG, 0), self.gen(STRING, 0))
        if k == 4:
            return "%s(%s)" % (EXT_CTOR[r.choice(EXTS)], self.gen(STRING, 0) if r.random() < 0.3 else "context.nope")
        if k == 5:
            return "(if %s then %s else %s)" % (self.gen(BOOL, 0), self.gen(tent(r.choice(list(self.s.entities))), 0), self.gen(tent(r.choice(list(self.s.entities))), 0))
        if k == 6:
            return "({a: 1} == {b: 2})"
        # a value of some other type
        return self.gen(r.choice([LONG, STRING, BOOL, tset(LONG), tent(r.choice(list(self.s.entities)))]), max(0, depth - 1))


def gen_policy(r, s, err):
    envs = [(p, rs, a, ap["context"]) for a, d in s.actions.items() if (ap := d["applies"]) for p in ap["principals"] for rs in ap["resources"]]
    if s.extra:
        envs += [(p, rs, "Ext::invoke", s.extra["context"]) for p in s.extra["principals"] for rs in s.extra["resources"]]
    if envs:
        p, res, act, ctx = r.choice(envs)
    else:
        p, res, act, ctx = r.choice(list(s.entities)), r.choice(list(s.entities)), r.choice(list(s.actions)), {}
    ents = list(s.entities)
    g = ExprGen(r, s, (p, res, ctx), err)

    def scope(var, t):
        k = r.random()
        if k < 0.45:
            return var
        other = r.choice(ents) if r.random() < 0.1 else t
        if r.random() < 0.02:
            other = "Nope"
        if r.random() < 0.08:
            slot = "?" + var
            return r.choice(["%s == %s", "%s in %s", "%s is " + other + " in %s"]) % (var, slot)
        if k < 0.6:
            return "%s == %s" % (var, g.uid(other))
        if k < 0.75:
            return "%s in %s" % (var, g.uid(other))
        if k < 0.9:
            return "%s is %s" % (var, other)
        return "%s is %s in %s" % (var, other, g.uid(r.choice(ents)))

    k = r.random()
    at = s.action_type
    if k < 0.4:
        a = "action"
    elif k < 0.7:
        a = 'action == %s::"%s"' % (at, act if r.random() < 0.97 else "nope")
    elif k < 0.85:
        a = 'action in %s::"%s"' % (at, r.choice(list(s.actions)))
    else:
        a = "action in [%s]" % ", ".join('%s::"%s"' % (at, x) for x in r.sample(list(s.actions), r.randint(1, len(s.actions))))
    if act == "Ext::invoke":
        a = r.choice(["action", 'action == Ext::Action::"invoke"', 'action in [Ext::Action::"invoke"]'])
    head = "%s(%s, %s, %s)" % (r.choice(["permit", "forbid"]), scope("principal", p), a, scope("resource", res))
    conds = []
    for _ in range(r.choice([0, 1, 1, 1, 2])):
        conds.append("%s { %s }" % (r.choice(["when", "when", "unless"]), g.gen(BOOL, r.randint(1, 3))))
    return head + " " + " ".join(conds) + ";"


def generate(seed, n):
    r = random.Random(seed)
    cases = []
    for _ in range(n):
        s = Schema(r)
        use_json = r.random() < 0.3
        schema_text = s.json() if use_json else s.cedarschema()
        err = r.choice([0.0, 0.02, 0.05, 0.1])
        policies = "\n".join(gen_policy(r, s, err) for _ in range(r.randint(1, 3)))
        cases.append({"policies": policies, "schema": schema_text, "schemaFormat": "json" if use_json else "cedarschema"})
    return cases


MUTATION_WORDS = ["User", "Group", "Doc", "Team", "Long", "String", "Bool", "Addr", "App::User", "Ext::Svc", "ipaddr",
                  "Set<Long>", "Action", "Color", "__cedar::Long", "read", "\"read\"", "in", "[]", ",", "{", "?"]


def mutate(r, case):
    """The case with its schema text damaged a little: a declaration dropped or doubled,
    a word replaced, characters deleted or inserted. Most results no longer parse; the
    rest exercise name resolution and the schema checks. Both sides must agree either way."""
    text = case["schema"]
    if case["schemaFormat"] == "json" and r.random() < 0.7:
        return dict(case, schema=json.dumps(mutate_json(r, json.loads(text))))
    k = r.random()
    if k < 0.5:
        lines = text.split("\n")
        i = r.randrange(len(lines))
        m = r.random()
        if m < 0.4:
            del lines[i]
        elif m < 0.8:
            toks = lines[i].split(" ")
            j = r.randrange(len(toks))
            tail = toks[j][-1] if toks[j] and toks[j][-1] in ",;]}" else ""
            toks[j] = r.choice(MUTATION_WORDS) + tail
            lines[i] = " ".join(toks)
        else:
            lines.insert(i, lines[r.randrange(len(lines))])
        text = "\n".join(lines)
    else:
        for _ in range(r.randint(1, 3)):
            i = r.randrange(len(text) + 1)
            if r.random() < 0.5:
                text = text[:i] + text[i + r.randint(1, 4):]
            else:
                text = text[:i] + r.choice(MUTATION_WORDS + list('{}[]<>,;:"')) + text[i:]
    return dict(case, schema=text)


JSON_WORDS = ["User", "Group", "App::User", "Long", "Boolean", "Bool", "String", "Record", "Set", "Entity", "Extension",
              "EntityOrCommon", "ipaddr", "Addr", "Action", "Missing", "", "in", 1, None, True, [], {}]


def mutate_json(r, doc):
    """One structural change somewhere in a JSON schema: a key dropped or renamed, a
    string replaced, a value swapped for another JSON kind."""
    spots = []

    def walk(node):
        if isinstance(node, dict):
            for k in list(node):
                spots.append((node, k))
                walk(node[k])
        elif isinstance(node, list):
            for i in range(len(node)):
                spots.append((node, i))
                walk(node[i])
    walk(doc)
    if not spots:
        return doc
    parent, key = r.choice(spots)
    k = r.random()
    if k < 0.35:
        del parent[key]
    elif k < 0.5 and isinstance(parent, dict):
        parent[r.choice(["type", "name", "required", "element", "attributes", "shape", "memberOf", "appliesTo", "extra"])] = parent.pop(key)
    else:
        parent[key] = r.choice(JSON_WORDS)
    return doc


POLICY_SWAPS = [["==", "!=", "<", "<=", ">", ">=", "in"], ["&&", "||"], ["principal", "resource", "context", "action"],
                ["a0", "a1", "a2", "a3", "c0", "c1", "addr", "zip", "street", "f0", "owner", "n"],
                ["User", "Group", "Doc", "Team", "Color", "Action"], ["true", "false", "1", "\"a\"", "[1]", "{}"],
                ["contains", "containsAll", "containsAny"], ["hasTag", "getTag"], ["when", "unless"],
                ["isIpv4", "isLoopback", "lessThan", "toDays", "offset", "isEmpty"]]


def mutate_policies(r, case):
    """The case with one token of its policies replaced by another of the same family
    (an operator, a variable, an attribute or type name, a literal)."""
    import re
    toks = re.split(r"(\s+|[(),;{}\[\].])", case["policies"])
    spots = [(i, fam) for i, t in enumerate(toks) for fam in POLICY_SWAPS if t in fam]
    if not spots:
        return case
    i, fam = r.choice(spots)
    toks[i] = r.choice([x for x in fam if x != toks[i]])
    return dict(case, policies="".join(toks))


# ---------------------------------------------------------------- running


def find_leash():
    env = os.environ.get("LEASH")
    if env:
        return [env, "cedar", "validate", "--jsonl"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for d in (".build-validator/release", ".build-validator/debug", ".build-difftest/release", ".build/release", ".build/debug"):
        p = os.path.join(root, d, "leash")
        if os.path.exists(p):
            return [p, "cedar", "validate", "--jsonl"]
    raise SystemExit("leash binary not found: build it or set LEASH=/path/to/leash")


def leash_answers(cmd, cases):
    inp = "".join(json.dumps(c) + "\n" for c in cases)
    out = subprocess.run(cmd, input=inp.encode(), capture_output=True, timeout=3600).stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


def oracle(case):
    """True/False: cedarpy's verdict; None when cedarpy rejects the schema or policies."""
    schema = case["schema"]
    try:
        res = cedarpy.validate_policies(case["policies"], schema)
    except Exception:
        return None, []
    errors = [e.error for e in res.errors]
    if not res.validation_passed and any(not e.policy_id for e in res.errors):
        return None, errors  # a parse error of the schema or the policies
    return res.validation_passed, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", default="validate-1")
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "validate_mismatches.jsonl"))
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--mutate", type=float, default=0.0, metavar="SHARE",
                    help="damage the schema text of this share of the cases (0..1) to test schema errors")
    ap.add_argument("--mutate-policies", type=float, default=0.0, metavar="SHARE",
                    help="swap one token of the policies of this share of the cases for another of its kind")
    ap.add_argument("--emit", action="store_true",
                    help="print each case with cedarpy's verdict as a JSON line instead of running leash "
                         "(the Swift test suite checks these in-process)")
    args = ap.parse_args()

    cases = generate(args.seed, args.cases)
    if args.mutate:
        r = random.Random("mutate-" + args.seed)
        cases = [mutate(r, c) if r.random() < args.mutate else c for c in cases]
    if args.mutate_policies:
        r = random.Random("mutate-policies-" + args.seed)
        cases = [mutate_policies(r, c) if r.random() < args.mutate_policies else c for c in cases]
    if args.emit:
        for case in cases:
            ref, ref_errors = oracle(case)
            print(json.dumps(dict(case, cedar=ref, cedarErrors=ref_errors)))
        return
    cmd = find_leash()
    print("leash:", " ".join(cmd))
    answers = leash_answers(cmd, cases)
    if len(answers) != len(cases):
        raise SystemExit("leash answered %d of %d cases" % (len(answers), len(cases)))
    agreed = disagreed = 0
    verdicts = {True: 0, False: 0, None: 0}
    bad = []
    for case, got in zip(cases, answers):
        ref, ref_errors = oracle(case)
        verdicts[ref] += 1
        mine = got.get("valid") if got.get("parsed", True) else None
        if mine == ref:
            agreed += 1
        else:
            disagreed += 1
            bad.append({"case": case, "cedar": ref, "cedar_errors": ref_errors, "leash": got})
    with open(args.out, "w") as f:
        for b in bad:
            f.write(json.dumps(b) + "\n")
    for b in bad[: args.show]:
        print("--- cedar says %s, leash says %s" % (b["cedar"], b["leash"].get("valid")))
        print(b["case"]["schema"])
        print(b["case"]["policies"])
        print("cedar:", b["cedar_errors"])
        print("leash:", [e.get("message") for e in b["leash"].get("errors", [])])
    print("oracle verdicts: %d valid, %d invalid, %d unparseable" % (verdicts[True], verdicts[False], verdicts[None]))
    print("%d agreed, %d disagreed" % (agreed, disagreed))
    sys.exit(1 if disagreed else 0)


if __name__ == "__main__":
    main()
