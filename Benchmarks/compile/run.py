#!/usr/bin/env python3
"""Policy compiler benchmark: compile time, peak memory, bundle size and the kernel
memory the tables need, by policy size (10, 100, 1,000, 10,000 rules).

Each size is compiled --runs times by the release `leash compile -o`; the table gives the
median, min and max wall time, the largest peak RSS, the bundle's size and the summary's
kernel-memory estimate. The generated rules mix the policy vocabulary's families: directory
subtrees, single-file forbids, wildcard hosts with ports, exec path patterns and CIDR
forbids (the same families as Tests/PolicyCompilerTests/ScaleTests.swift).

Usage: Benchmarks/compile/run.py [--leash PATH] [--quick] [--out DIR]
"""
import argparse, json, os, platform, resource, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def policy(n):
    lines = []
    for i in range(n):
        k = i % 5
        if k == 0:
            lines.append(f'permit (principal, action in Action::"FileOpen", resource) when {{ resource in Dir::"/data/team{i % 97}/p{i}/" }};')
        elif k == 1:
            lines.append(f'forbid (principal, action in Action::"FileAccess", resource) when {{ resource == File::"/data/team{(i - 1) % 97}/p{i - 1}/secret" }};')
        elif k == 2:
            lines.append(f'permit (principal, action == Action::"NetworkConnect", resource) when {{ resource in Host::"*.svc{i}.example" && resource.port == {1000 + i % 5000} }};')
        elif k == 3:
            lines.append(f'permit (principal, action == Action::"ProcessExec", resource) when {{ resource.path like "/opt/tool{i}/bin/*" }};')
        else:
            lines.append(f'forbid (principal, action == Action::"NetworkConnect", resource) when {{ resource.ip.isInRange(ip("10.{i % 256}.{i // 256 % 256}.0/24")) }};')
    return "\n".join(lines) + "\n"


def compile_once(leash, src, out):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run([leash, "compile", "--agent", "claude", "--json", "-o", out, src],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"leash compile failed on {src}:\n{p.stderr[:2000]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over all children so far
    return secs, rss, json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leash", default=os.path.join(ROOT, ".build/release/leash"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Benchmarks/results"))
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if not os.access(a.leash, os.X_OK):
        sys.exit(f"leash not found at {a.leash}: run ./scripts/setup (or swift build -c release) first")
    runs = 3 if a.quick else 5
    tmp = tempfile.mkdtemp(prefix="leash-compile-bench-")
    rows = []
    # Smallest first: ru_maxrss of children only grows, so each size's figure is its own
    # peak as long as sizes increase.
    for n in (10, 100, 1000, 10000):
        src = os.path.join(tmp, f"p{n}.cedar")
        out = os.path.join(tmp, f"p{n}.bundle")
        open(src, "w").write(policy(n))
        times, rss, summary = [], 0, None
        for _ in range(runs if n < 10000 else max(1, runs - 2)):
            secs, rss, summary = compile_once(a.leash, src, out)
            times.append(secs)
        s = summary.get("summary", {})
        rows.append({"rules": n, "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
                     "runs": len(times), "peak_rss_kib": rss, "bundle_bytes": os.path.getsize(out),
                     "kernel_bytes_estimate": s.get("kernelBytes"), "longest_decision_path": s.get("maxDepth")})
    machine = {"kernel": platform.release(), "cpus": os.cpu_count(), "leash": a.leash}
    os.makedirs(a.out, exist_ok=True)
    json.dump({"machine": machine, "rows": rows}, open(os.path.join(a.out, "compile.json"), "w"), indent=2)
    md = ["| rules | compile median | min–max | runs | peak RSS | bundle | kernel tables (estimate) | longest decision path |",
          "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        kb = r["kernel_bytes_estimate"]
        md.append(f"| {r['rules']:,} | {r['median_s']*1000:.0f} ms | {r['min_s']*1000:.0f}–{r['max_s']*1000:.0f} ms | {r['runs']} | "
                  f"{r['peak_rss_kib']/1024:.0f} MiB | {r['bundle_bytes']/1024:.0f} KiB | "
                  f"{'?' if kb is None else f'{kb/1024:.0f} KiB'} | {r['longest_decision_path']} |")
    md.append("")
    md.append(f"Machine: {machine['cpus']} CPUs, kernel {machine['kernel']}; release build; wall time of the whole "
              "`leash compile` process (start-up, parse, lowering, bundle write).")
    text = "\n".join(md) + "\n"
    open(os.path.join(a.out, "compile.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
