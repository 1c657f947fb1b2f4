"""The reference side: cedarpy (the Rust cedar-policy crate) answers each case.

An answer is {"results": [{"decision", "reasons", "errors"}...]} with decision "allow" or
"deny" and reasons/errors as sorted policy ids, or {"error": "..."} when the policies,
links or entities are rejected before any request is answered.
"""

import json
import re

import cedarpy

_ERRORED = re.compile(r"^error while evaluating policy `([^`]*)`")


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
    for res in cedarpy.is_authorized_batch(case["requests"], ps, entities):
        decision = res.decision
        errors = res.diagnostics.errors
        if decision == cedarpy.Decision.NoDecision:
            return {"error": "; ".join(errors)}
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
        ps = cedarpy.PolicySet.from_str(case["policies"])
        if case.get("links"):
            ps = ps.with_linked_batch(case["links"])
        return [r.diagnostics.errors for r in cedarpy.is_authorized_batch(case["requests"], ps, json.dumps(case["entities"]))]
    except Exception as e:  # a report helper: any failure is shown, not raised
        return [str(e)]
