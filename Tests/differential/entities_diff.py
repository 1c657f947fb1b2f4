#!/usr/bin/env python3
"""Differential test of schema-based reading of entities and contexts against cedarpy.

  entities_diff.py --cases N [--seed S]

Each case is a random schema (from validate_diff.py's generator), an entity store and
one request whose context is written by the schema's types: entity references bare or
escaped, extension values as plain strings or `__extn` escapes, required and optional
attributes, parents, tags, enumerated ids and the schema's action entities, with a small
chance per value of a mistake (a missing or undeclared attribute, a wrong kind, a bad
extension literal, a parent type the schema does not allow, a tag where none may be, a
wrong action hierarchy). The question is whether the entities and the context conform:
cedarpy answers through is_authorized(..., schema=...), leash through `leash cedar batch`
(which reads them with Schema.parseEntities and Schema.parseContext). The last line is
`N agreed, N disagreed`; the exit status is 1 on any disagreement.
"""

import argparse
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cedarpy  # noqa: E402

import validate_diff as vd  # noqa: E402
def gen_value(r, s, t, err):
    t = s.resolve(t)
    if r.random() < err:
        return r.choice([1, "x", True, [], {}, {"type": "Nope", "id": "a"}])
    k = t[0]
    if k == "Bool": return r.choice([True, False])
    if k == "Long": return r.choice([0, 5, -7])
    if k == "String": return r.choice(["", "a"])
    if k == "Ext":
        good, bad = vd.EXT_LITERALS[t[1]]
        lit = r.choice(bad) if r.random() < err else r.choice(good)
        return lit if r.random() < 0.5 else {"__extn": {"fn": vd.EXT_CTOR[t[1]], "arg": lit}}
    if k == "Entity":
        d = s.entities.get(t[1])
        eid = r.choice(d["enum"]) if d and d["enum"] else "x"
        u = {"type": t[1], "id": eid}
        return u if r.random() < 0.5 else {"__entity": u}
    if k == "Set":
        return [gen_value(r, s, t[1], err) for _ in range(r.randint(0, 2))]
    if k == "Record":
        return gen_record(r, s, dict(t[1]), err)
    raise ValueError(t)

def gen_record(r, s, attrs, err):
    out = {}
    for n, (t, req) in attrs.items():
        if (req and r.random() > err) or (not req and r.random() < 0.5):
            out[n] = gen_value(r, s, t, err)
    if r.random() < err: out["zz"] = 1
    return out

def gen_case(r):
    while True:
        s = vd.Schema(r)
        if s.ns == "" and s.mistake is None and any(a["applies"] for a in s.actions.values()): break
    err = r.choice([0.0, 0.0, 0.03, 0.1])
    ents = []
    uids = []
    for e, d in s.entities.items():
        for i in range(r.randint(0, 2)):
            eid = r.choice(d["enum"] + (["blue"] if r.random() < err else [])) if d["enum"] else "e%d" % i
            uids.append({"type": e, "id": eid})
    for u in uids:
        d = s.entities[u["type"]]
        allowed = [p for p in uids if p["type"] in d["parents"]]
        parents = r.sample(allowed, min(len(allowed), r.randint(0, 2)))
        if r.random() < err and uids: parents.append(r.choice(uids))
        ent = {"uid": u, "attrs": gen_record(r, s, d["attrs"], err) if d["enum"] is None else {}, "parents": parents}
        if d["tags"] and r.random() < 0.5:
            ent["tags"] = {"k": gen_value(r, s, d["tags"], err)}
        elif r.random() < err:
            ent["tags"] = {"k": 1}
        ents.append(ent)
    if r.random() < 0.2:
        a = r.choice(list(s.actions))
        anc = set()
        stack = list(s.actions[a]["parents"])
        while stack:
            x = stack.pop()
            if x not in anc: anc.add(x); stack += s.actions[x]["parents"]
        ps = [{"type": "Action", "id": x} for x in sorted(anc)]
        if r.random() < 0.5 and ps: ps = ps[:-1]
        ents.append({"uid": {"type": "Action", "id": a}, "attrs": {}, "parents": ps})
    acts = [a for a, d in s.actions.items() if d["applies"]]
    a = r.choice(acts)
    ap = s.actions[a]["applies"]
    ctx = gen_record(r, s, ap["context"], err)
    schema = s.json() if r.random() < 0.3 else s.cedarschema()
    req = {"principal": {"type": ap["principals"][0], "id": "p"}, "action": {"type": "Action", "id": a},
           "resource": {"type": ap["resources"][0], "id": (s.entities[ap["resources"][0]]["enum"] or ["r"])[0]}, "context": ctx}
    return schema, ents, a, ctx, req


def find_leash():
    env = os.environ.get("LEASH")
    if env:
        return env
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for d in (".build-validator/release", ".build-validator/debug", ".build-difftest/release", ".build/release", ".build/debug"):
        p = os.path.join(root, d, "leash")
        if os.path.exists(p):
            return p
    raise SystemExit("leash binary not found: build it or set LEASH=/path/to/leash")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", default="entities-1")
    ap.add_argument("--show", type=int, default=5)
    args = ap.parse_args()

    r = random.Random(args.seed)
    cases = [gen_case(r) for _ in range(args.cases)]
    lines = []
    for schema, ents, _, _, req in cases:
        lines.append(json.dumps({"policies": "permit(principal, action, resource);", "entities": ents, "requests": [req],
                                 "schema": schema, "schemaFormat": "json" if schema.startswith("{") else "cedarschema"}))
    leash = find_leash()
    print("leash:", leash)
    out = subprocess.run([leash, "cedar", "batch"], input=("\n".join(lines) + "\n").encode(), capture_output=True).stdout.decode()
    answers = [json.loads(line) for line in out.splitlines()]
    if len(answers) != len(cases):
        raise SystemExit("leash answered %d of %d cases" % (len(answers), len(cases)))
    agreed = disagreed = shown = 0
    counts = {True: 0, False: 0}
    for (schema, ents, _, _, req), got in zip(cases, answers):
        res = cedarpy.is_authorized(req, "permit(principal, action, resource);", json.dumps(ents), schema=schema)
        ref = not any("failed to parse entities" in e or "failed to build request" in e for e in res.diagnostics.errors)
        mine = "error" not in got and "error" not in got.get("results", [{}])[0]
        counts[ref] += 1
        if ref == mine:
            agreed += 1
            continue
        disagreed += 1
        if shown < args.show:
            shown += 1
            print("--- cedar conforms: %s, leash: %s" % (ref, got))
            print(schema)
            print(json.dumps(ents))
            print(json.dumps(req))
            print("cedar:", res.diagnostics.errors)
    print("oracle: %d conform, %d do not" % (counts[True], counts[False]))
    print("%d agreed, %d disagreed" % (agreed, disagreed))
    sys.exit(1 if disagreed else 0)


if __name__ == "__main__":
    main()
