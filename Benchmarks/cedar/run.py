#!/usr/bin/env python3
"""Cedar engine benchmark: leash's Swift engine against cedarpy (the Rust engine).

Both engines read the same generated files. Measures
  - parsing 10,000 policies;
  - answering one request against 10, 100 and 1,000 already-parsed policies.
The Python call overhead is taken out of cedarpy's figures by timing the same call on an
empty policy set and subtracting it. Writes Markdown and JSON to --out (default
Benchmarks/results/cedar.{md,json}) and prints the Markdown.

Usage: Benchmarks/cedar/run.py [--bench PATH_TO_cedar-bench] [--quick]
"""
import argparse, json, os, platform, random, statistics, subprocess, sys, tempfile, time

import cedarpy

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def policies(n, seed=7):
    """A policy set where every policy is scanned and most conditions are evaluated."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        k = rnd.randrange(4)
        if k == 0:
            out.append(f'permit(principal, action == Action::"view", resource) when {{ principal.dept == "d{i}" && resource.tags.contains("t{i % 37}") }};')
        elif k == 1:
            out.append(f'forbid(principal in Group::"g{i % 50}", action, resource) unless {{ resource.public }};')
        elif k == 2:
            out.append(f'permit(principal == User::"u{i}", action in [Action::"view", Action::"edit"], resource in Folder::"f{i % 20}");')
        else:
            out.append(f'permit(principal, action, resource is Doc) when {{ resource.owner == principal && principal.level > {i % 100} }};')
    return "\n".join(out) + "\n"


ENTITIES = [
    {"uid": {"type": "User", "id": "alice"}, "attrs": {"dept": "d5", "level": 42},
     "parents": [{"type": "Group", "id": "g3"}]},
    {"uid": {"type": "Group", "id": "g3"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Folder", "id": "f1"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Doc", "id": "d1"},
     "attrs": {"tags": ["t1", "t5", "t9"], "public": False, "owner": {"__entity": {"type": "User", "id": "alice"}}},
     "parents": [{"type": "Folder", "id": "f1"}]},
]
REQUEST = {"principal": 'User::"alice"', "action": 'Action::"view"', "resource": 'Doc::"d1"'}


def timed(fn, reps):
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return samples


def summary(samples):
    return {"median_ns": int(statistics.median(samples)), "min_ns": min(samples), "max_ns": max(samples),
            "samples": len(samples)}


def cedarpy_authorize(ps, ents, calls):
    # One batch call of `calls` identical requests, so the per-call Python cost is amortised;
    # the remaining per-request overhead is removed by the empty-set baseline.
    reqs = [REQUEST] * calls
    samples = []
    for _ in range(20):
        t0 = time.perf_counter_ns()
        res = cedarpy.is_authorized_batch(reqs, ps, ents)
        samples.append((time.perf_counter_ns() - t0) // calls)
    return samples, res[0].decision.value if hasattr(res[0].decision, "value") else str(res[0].decision)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build/release/cedar-bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Benchmarks/results"))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    a = ap.parse_args()
    if not os.access(a.bench, os.X_OK):
        sys.exit(f"cedar-bench not found at {a.bench}: run `swift build -c release --product cedar-bench` first")
    reps = 3 if a.quick else 7
    calls = 200 if a.quick else 1000

    tmp = tempfile.mkdtemp(prefix="cedar-bench-")
    ent_path = os.path.join(tmp, "entities.json")
    req_path = os.path.join(tmp, "request.json")
    json.dump(ENTITIES, open(ent_path, "w"))
    json.dump(REQUEST, open(req_path, "w"))
    ents = cedarpy.Entities.from_json_str(json.dumps(ENTITIES))

    rows = []
    # Parsing 10,000 policies.
    text = policies(10000)
    p = os.path.join(tmp, "p10000.cedar")
    open(p, "w").write(text)
    swift = json.loads(subprocess.check_output([a.bench, "parse", p, str(reps)]))
    rust = summary(timed(lambda: cedarpy.PolicySet.from_str(text), reps))
    rows.append({"case": "parse 10,000 policies", "policies": 10000, "leash": swift, "cedarpy": rust})

    # One request against N policies; baseline = empty policy set for cedarpy's overhead.
    empty = cedarpy.PolicySet.from_str("")
    base, _ = cedarpy_authorize(empty, ents, calls)
    base_med = statistics.median(base)
    for n in (10, 100, 1000):
        text = policies(n)
        p = os.path.join(tmp, f"p{n}.cedar")
        open(p, "w").write(text)
        swift = json.loads(subprocess.check_output([a.bench, "authorize", p, ent_path, req_path, str(calls * 10)]))
        ps = cedarpy.PolicySet.from_str(text)
        samples, decision = cedarpy_authorize(ps, ents, calls)
        rust = summary([max(0, s - base_med) for s in samples])
        if swift["decision"] != str(decision).lower().replace("decision.", ""):
            sys.exit(f"decisions differ for {n} policies: leash {swift['decision']}, cedarpy {decision}")
        rows.append({"case": f"authorize, {n} policies", "policies": n, "leash": swift, "cedarpy": rust})

    machine = {"kernel": platform.release(), "cpus": os.cpu_count(), "python": platform.python_version(),
               "cedarpy": getattr(cedarpy, "__version__", "4.x"), "cedarpy_call_overhead_ns": int(base_med)}
    os.makedirs(a.out, exist_ok=True)
    json.dump({"machine": machine, "rows": rows}, open(os.path.join(a.out, "cedar.json"), "w"), indent=2)
    md = ["| case | leash median | leash min-max | cedarpy median | cedarpy min-max | leash/cedarpy | leash per policy | cedarpy per policy |",
          "|---|---|---|---|---|---|---|---|"]
    def us(ns): return f"{ns/1000:.1f} µs" if ns < 10_000_000 else f"{ns/1e6:.1f} ms"
    for r in rows:
        l, c = r["leash"], r["cedarpy"]
        ratio = l["median_ns"] / c["median_ns"] if c["median_ns"] else float("inf")
        md.append(f"| {r['case']} | {us(l['median_ns'])} | {us(l['min_ns'])}–{us(l['max_ns'])} | {us(c['median_ns'])} | "
                  f"{us(c['min_ns'])}–{us(c['max_ns'])} | {ratio:.2f} | {l['median_ns']/r['policies']:.0f} ns | "
                  f"{c['median_ns']/r['policies']:.0f} ns |")
    md.append("")
    md.append(f"Machine: {machine['cpus']} CPUs, kernel {machine['kernel']}; cedarpy call overhead subtracted: "
              f"{machine['cedarpy_call_overhead_ns']} ns per request. Medians of paired runs in one session.")
    text = "\n".join(md) + "\n"
    open(os.path.join(a.out, "cedar.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
