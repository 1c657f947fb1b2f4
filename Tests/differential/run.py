#!/usr/bin/env python3
"""Differential test of leash's Cedar against cedarpy (the Rust cedar-policy crate).

  run.py --quick                 the fixed-seed sample every test run uses
  run.py --seed S --cases N      N random cases from seed S (the soak: scripts/difftest)

Each case is a policy set (maybe with templates and links), an entity store and a few
requests. Both sides answer every request; the decision, the set of reasons and the set
of errored policy ids must be equal. Every generated policy set also goes through
leash's formatter: the formatted text must parse back to the same policies in leash,
format to itself again, and mean the same to Cedar (equal policy JSON from cedarpy);
leash's policy JSON (EST) export must equal cedarpy's and read back to the same policies.

Mismatches are shrunk and written to --out; the first few are printed. The last line
is `N passed, N failed` over cases; the exit status is 1 on any failure.
"""

import argparse
import collections
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cedarpy  # noqa: E402

import compare  # noqa: E402
import gen  # noqa: E402
import leash_side  # noqa: E402
import oracle  # noqa: E402

QUICK_SEED = "quick-1"
QUICK_CASES = 2000


def cedar_json(text):
    try:
        return json.loads(cedarpy.policies_to_json_str(text))
    except ValueError:
        return None


def format_problem(case, got):
    """None when leash's formatter kept the meaning of the case's policies."""
    if "crash" in got:
        return "formatter: crash"
    if "error" in got:
        return "formatter: leash rejects the policies"
    if not got.get("roundTrip"):
        return "formatter: parse(format(p)) != parse(p)"
    if not got.get("idempotent"):
        return "formatter: format(format(p)) != format(p)"
    before = cedar_json(case["policies"])
    after = cedar_json(got["formatted"])
    if after is None:
        return "formatter: Cedar rejects the formatted text"
    if before != after:
        return "formatter: Cedar reads the formatted text differently"
    if json.loads(got["json"]) != before:
        return "policy JSON: leash's export differs from Cedar's"
    if not got.get("jsonRoundTrip"):
        return "policy JSON: export(import(export(p))) != export(p)"
    return None


def run_chunk(leash, cases, check_format):
    lines = [compare.wire(c) for c in cases]
    if check_format:
        lines += [{"format": c["policies"]} for c in cases]
    box = {}
    t = threading.Thread(target=lambda: box.update(answers=leash_side.answer_all(leash, lines)))
    t.start()  # leash works on the other core while cedarpy answers here
    refs = [oracle.answer(c) for c in cases]
    t.join()
    answers = box["answers"]
    out = []
    for i, c in enumerate(cases):
        kind = compare.diff(refs[i], answers[i])
        fmt = None
        if check_format and "error" not in refs[i]:
            fmt = format_problem(c, answers[len(cases) + i])
        out.append((refs[i], answers[i], kind, fmt, answers[len(cases) + i] if check_format else None))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", default="0")
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--quick", action="store_true", help="the fixed-seed sample (%d cases)" % QUICK_CASES)
    ap.add_argument("--leash", default=None, help="path to the leash binary (default: newest build)")
    ap.add_argument("--out", default="/tmp/leash-difftest", help="folder for the mismatch report")
    ap.add_argument("--first", type=int, default=0, help="index of the first case (to re-run case K: --first K --cases 1)")
    ap.add_argument("--chunk", type=int, default=2000)
    ap.add_argument("--show", type=int, default=3, help="mismatches to print in full")
    ap.add_argument("--shrink", type=int, default=10, help="mismatches to shrink (slow)")
    ap.add_argument("--no-format", action="store_true", help="skip the formatter round trip")
    args = ap.parse_args()
    if args.quick:
        args.seed, args.cases = QUICK_SEED, QUICK_CASES

    leash = args.leash or leash_side.find_leash()
    os.makedirs(args.out, exist_ok=True)
    report_path = os.path.join(args.out, "mismatches-%s.txt" % args.seed)
    report = open(report_path, "w")
    passed = failed = requests = 0
    classes = collections.Counter()
    decisions = collections.Counter()
    shown = shrunk = 0
    start = time.time()
    for base in range(0, args.cases, args.chunk):
        n = min(args.chunk, args.cases - base)
        base += args.first
        cases = [gen.CaseGen("%s/%d" % (args.seed, base + i)).case() for i in range(n)]
        for i, c in enumerate(cases):
            # Every fifth case reaches leash through the policy JSON importer instead of the parser.
            c["_via_json"] = (base + i) % 5 == 4
        for i, (ref, got, kind, fmt, fgot) in enumerate(run_chunk(leash, cases, not args.no_format)):
            c = cases[i]
            if "results" in ref:
                requests += len(ref["results"])
                for r in ref["results"]:
                    if "error" in r:
                        decisions["request refused by Cedar"] += 1
                        continue
                    decisions[r["decision"]] += 1
                    decisions["with errors" if r["errors"] else "without errors"] += 1
            else:
                decisions["rejected by Cedar"] += 1
            if not kind and not fmt:
                passed += 1
                continue
            failed += 1
            label = "case %s/%d" % (args.seed, base + i)
            for k, problem in ((kind, kind), (fmt, fmt)):
                if not k:
                    continue
                classes[problem] += 1
                if problem == kind:
                    if shrunk < args.shrink:
                        shrunk += 1
                        c = compare.shrink(leash, c, kind)
                        ref, got = oracle.answer(c), leash_side.answer_all(leash, [compare.wire(c)])[0]
                    text = compare.describe(c, ref, got, kind, label)
                else:
                    text = compare.describe(c, {"policies": c["policies"]}, fgot, fmt, label)
                report.write(text + "\n")
                if shown < args.show:
                    shown += 1
                    print(text)
        report.flush()
        elapsed = time.time() - start
        done = base - args.first + n
        print("... %d cases, %d failed, %.0f cases/s" % (done, failed, done / elapsed), file=sys.stderr)
    elapsed = time.time() - start
    report.close()
    print("requests: %d; %s" % (requests, ", ".join("%s %d" % kv for kv in sorted(decisions.items()))))
    if classes:
        print("mismatch classes (full report in %s):" % report_path)
        for k, v in classes.most_common():
            print("  %6d  %s" % (v, k))
    print("%.1f s, %.0f cases/s" % (elapsed, args.cases / elapsed if elapsed else 0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
