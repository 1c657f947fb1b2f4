"""The reference side: cedarpy (the Rust cedar-policy crate) answers each case.

An answer is {"results": [...]} with one entry per request: {"decision": "allow"|"deny",
"reasons": [ids], "errors": [ids]} (ids sorted), or {"error": message} for a request
Cedar refuses to answer (with a schema: a request or context that does not conform).
A case whose policies, links or entities are rejected before any request is answered
is {"error": message}.
"""

import json
import re

import cedarpy

_ERRORED = re.compile(r"^error while evaluating policy `([^`]*)`")
# Errors that concern the whole case rather than one request.
_CASE_ERRORS = ("policy parse errors", "failed to parse entities", "failed to parse schema", "entity does not conform")


def _policy_set(case):
    ps = cedarpy.PolicySet.from_str(case["policies"])
    if case.get("links"):
        ps = ps.with_linked_batch(case["links"])
    return ps


def answer(case):
    try:
        ps = cedarpy.PolicySet.from_str(case["policies"])
    except ValueError as e:
        return {"error": "policies: %s" % e}
    if case.get("links"):
        try:
            ps = ps.with_linked_batch(case["links"])
        except (ValueError, KeyError) as e:
            return {"error": "links: %s" % e}
    entities = json.dumps(case["entities"])
    results = []
    for res in cedarpy.is_authorized_batch(case["requests"], ps, entities, schema=case.get("schema")):
        decision = res.decision
        errors = res.diagnostics.errors
        if decision == cedarpy.Decision.NoDecision:
            msg = "; ".join(errors)
            if msg.startswith(_CASE_ERRORS):
                return {"error": msg}
            results.append({"error": msg})
            continue
        ids = []
        for e in errors:
            m = _ERRORED.match(e)
            if not m:
                return {"error": e}
            ids.append(m.group(1))
        results.append({
            "decision": "allow" if decision == cedarpy.Decision.Allow else "deny",
            "reasons": sorted(res.diagnostics.reasons),
            "errors": sorted(ids),
        })
    return {"results": results}


def error_messages(case):
    """cedarpy's evaluation error texts per request, for mismatch reports."""
    try:
        return [r.diagnostics.errors for r in cedarpy.is_authorized_batch(
            case["requests"], _policy_set(case), json.dumps(case["entities"]), schema=case.get("schema"))]
    except Exception as e:  # a report helper: any failure is shown, not raised
        return [str(e)]
