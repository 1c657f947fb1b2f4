"""Comparing leash's answers with cedarpy's, shrinking mismatches, writing them up."""

import json

import cedarpy

import oracle
import leash_side


def wire(case):
    """The case as sent to `leash cedar batch`: without the generator's private keys.
    A case marked _via_json sends its policies in Cedar's JSON form, as cedarpy writes it."""
    out = {k: v for k, v in case.items() if not k.startswith("_")}
    if case.get("_via_json"):
        try:
            out["policiesJSON"] = cedarpy.policies_to_json_str(case["policies"])
            del out["policies"]
        except ValueError:
            pass  # Cedar rejects the text: send it as text, to be rejected as text
    return out


def diff(ref, got):
    """None when the answers agree, else a mismatch class name (a short string)."""
    if "crash" in got:
        return "crash"
    if "error" in ref and "error" in got:
        return None  # both reject the input; the messages are not compared
    if "error" in ref:
        return "leash accepts what Cedar rejects (%s)" % ref["error"].split(":")[0]
    if "error" in got:
        return "leash rejects what Cedar accepts"
    if "results" not in got or len(got["results"]) != len(ref["results"]):
        return "wrong number of results"
    for r, g in zip(ref["results"], got["results"]):
        if "error" in r and "error" in g:
            continue  # both refuse this request (with a schema: it does not conform)
        if "error" in r:
            return "leash answers a request Cedar refuses (%s)" % r["error"][:60]
        if "error" in g:
            return "leash refuses a request Cedar answers"
        if r["decision"] != g.get("decision"):
            return "decision"
        if sorted(r["reasons"]) != sorted(g.get("reasons", [])):
            return "reasons"
        if sorted(r["errors"]) != sorted(g.get("errors", [])):
            return "errors"
    return None


# ------------------------------------------------------------------ shrinking

def _first_bad_request(case, ref, got):
    if "results" in ref and "results" in got and len(ref["results"]) == len(got["results"]):
        for i, (r, g) in enumerate(zip(ref["results"], got["results"])):
            if diff({"results": [r]}, {"results": [g]}):
                return i
    return None


def _without_policy(case, i):
    parts = case["_parts"][:i] + case["_parts"][i + 1:]
    links = []
    for link in case.get("links", []):
        t = int(link["template_id"][len("policy"):])
        if t == i:
            continue
        link = dict(link, template_id="policy%d" % (t - 1 if t > i else t))
        links.append(link)
    return dict(case, _parts=parts, policies="\n\n".join(parts) + "\n", links=links)


def _candidates(case):
    """Every case one step smaller than this one."""
    out = []
    for i in range(len(case["_parts"])):
        if len(case["_parts"]) > 1:
            out.append(_without_policy(case, i))
    for i in range(len(case.get("links", []))):
        out.append(dict(case, links=case["links"][:i] + case["links"][i + 1:]))
    for i in range(len(case["entities"])):
        out.append(dict(case, entities=case["entities"][:i] + case["entities"][i + 1:]))
    for i, e in enumerate(case["entities"]):
        if e["attrs"] or e.get("tags") or e["parents"]:
            out.append(dict(case, entities=case["entities"][:i] + [dict(e, attrs={}, parents=[], tags={})] + case["entities"][i + 1:]))
    req = case["requests"][0]
    for k in list(req.get("context", {})):
        ctx = {kk: vv for kk, vv in req["context"].items() if kk != k}
        out.append(dict(case, requests=[dict(req, context=ctx)]))
    return out


def shrink(leash, case, kind, rounds=60):
    """Greedily removes policies, links, entities and context attributes while the same
    kind of mismatch remains."""
    ref = oracle.answer(case)
    got = leash_side.answer_all(leash, [wire(case)])[0]
    i = _first_bad_request(case, ref, got)
    if i is not None:
        case = dict(case, requests=[case["requests"][i]])
    for _ in range(rounds):
        cands = _candidates(case)
        if not cands:
            break
        gots = leash_side.answer_all(leash, [wire(c) for c in cands])
        for c, g in zip(cands, gots):
            if diff(oracle.answer(c), g) == kind:
                case = c
                break
        else:
            break
    return case


# ------------------------------------------------------------------ reports

def describe(case, ref, got, kind, label):
    via = " (sent to leash in Cedar's JSON form)" if case.get("_via_json") else ""
    lines = ["=" * 78, "%s: %s" % (label, kind), "-" * 30 + " policies" + via, case["policies"].rstrip()]
    if case.get("links"):
        lines += ["-" * 30 + " links", json.dumps(case["links"], ensure_ascii=False)]
    lines += ["-" * 30 + " entities"]
    lines += [json.dumps(e, ensure_ascii=False) for e in case["entities"]]
    lines += ["-" * 30 + " requests"]
    lines += [json.dumps(r, ensure_ascii=False) for r in case["requests"]]
    lines += ["-" * 30 + " cedarpy", json.dumps(ref, ensure_ascii=False)]
    if "results" in ref:
        msgs = oracle.error_messages(case)
        if any(msgs):
            lines += ["  cedarpy's error texts: " + json.dumps(msgs, ensure_ascii=False)]
    lines += ["-" * 30 + " leash", json.dumps(got, ensure_ascii=False), ""]
    return "\n".join(lines)
