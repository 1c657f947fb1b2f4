#!/usr/bin/env python3
"""Checks that the differential harness can fail: a stand-in for leash that answers
with cedarpy itself must agree on every case, and one that flips a decision, drops a
reason, adds an errored policy or crashes must be caught, classified and shrunk.

  python3 Tests/differential/selftest.py       (closing line: `N passed, N failed`)
"""

import json
import os
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import compare  # noqa: E402
import gen  # noqa: E402
import leash_side  # noqa: E402
import oracle  # noqa: E402

# A fake `leash cedar batch`: cedarpy's answers, corrupted as FAKE_FAULT says.
FAKE = r'''#!/usr/bin/env python3
import json, os, sys
sys.path.insert(0, %(here)r)
import oracle
fault = os.environ.get("FAKE_FAULT", "")
for line in sys.stdin:
    q = json.loads(line)
    a = oracle.answer(q)
    for r in a.get("results", []):
        if "decision" not in r:
            continue
        if fault == "decision" and r["reasons"]:
            r["decision"] = "deny" if r["decision"] == "allow" else "allow"
        if fault == "reasons" and len(r["reasons"]) > 1:
            r["reasons"] = r["reasons"][1:]
        if fault == "errors" and "policy0" not in r["errors"] and "policy0" not in r["reasons"]:
            r["errors"].append("policy0")
    if fault == "crash" and len(q.get("requests", [])) == 3:
        os._exit(139)
    print(json.dumps(a), flush=True)
'''


def run_fake(fault, cases):
    env = dict(os.environ, FAKE_FAULT=fault)
    old = os.environ.get("FAKE_FAULT")
    os.environ.update(env)
    try:
        answers = leash_side.answer_all(FAKE_PATH, [compare.wire(c) for c in cases], timeout=120)
    finally:
        if old is None:
            os.environ.pop("FAKE_FAULT", None)
        else:
            os.environ["FAKE_FAULT"] = old
    return [compare.diff(oracle.answer(c), a) for c, a in zip(cases, answers)]


def main():
    global FAKE_PATH
    tmp = tempfile.mkdtemp()
    FAKE_PATH = os.path.join(tmp, "fake-leash")
    with open(FAKE_PATH, "w") as f:
        f.write(FAKE % {"here": HERE})
    os.chmod(FAKE_PATH, os.stat(FAKE_PATH).st_mode | stat.S_IEXEC)

    cases = [gen.CaseGen("selftest/%d" % i).case() for i in range(120)]
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAILED: %s %s" % (name, detail))

    honest = run_fake("", cases)
    check("an honest stand-in agrees on every case", not any(honest), [k for k in honest if k][:3])
    for fault in ("decision", "reasons", "errors"):
        kinds = run_fake(fault, cases)
        check("a wrong %s is caught" % fault, fault in kinds, sorted(set(k for k in kinds if k)))
        check("nothing but %s is reported for a wrong %s" % (fault, fault),
              set(k for k in kinds if k) <= {fault}, sorted(set(k for k in kinds if k)))
    kinds = run_fake("crash", cases)
    crashed = [i for i, k in enumerate(kinds) if k == "crash"]
    expected = [i for i, c in enumerate(cases) if len(c.get("requests", [])) == 3]
    check("a crash costs only its own case", crashed == expected, (crashed[:5], expected[:5]))

    # Shrinking keeps the mismatch and makes the case smaller.
    os.environ["FAKE_FAULT"] = "decision"
    try:
        bad = next(c for c, k in zip(cases, run_fake("decision", cases)) if k == "decision")
        small = compare.shrink(FAKE_PATH, bad, "decision")
        still = compare.diff(oracle.answer(small), leash_side.answer_all(FAKE_PATH, [compare.wire(small)])[0])
    finally:
        os.environ.pop("FAKE_FAULT", None)
    check("a shrunk case keeps its mismatch", still == "decision", still)
    check("a shrunk case is smaller", len(small["entities"]) <= len(bad["entities"]) and len(small["requests"]) == 1
          and len(small["_parts"]) <= len(bad["_parts"]))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
