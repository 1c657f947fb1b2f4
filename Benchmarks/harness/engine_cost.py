"""Kernel-measured cost of one policy decision by the in-kernel engine, by policy size.

The engine's own test (Tests/KernelTests/PolicyEngineTests.swift, decisionCostByPolicySize)
installs generated policies of each size, runs bpf/policy_probe.bpf.c's decision with
BPF_PROG_TEST_RUN and prints run_time_ns / run_cnt from kernel.bpf_stats_enabled. It never
asserts a time; this harness runs it from the built test binary and reads its lines.
"""
import os, re, subprocess

LINE = re.compile(r"policy engine: (\d+) rules, (\d+) table entries installed in ([\d.]+) s: (\d+) decisions, "
                  r"mean (\d+) ns per decision \(kernel-measured\)(.*)$", re.M)
SIZE = re.compile(r"leash_probe is (\d+) instructions after the verifier, (\d+) verified")


def find_tests(build_dir):
    for mode in ("debug", "release"):
        p = os.path.join(build_dir, mode, "leashPackageTests.xctest")
        if os.access(p, os.X_OK):
            return p
    return None


def measure(test_binary, sizes, timeout, prefix=()):
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "NO_COLOR": "1",
           "LEASH_ENGINE_COST_RULES": ",".join(str(n) for n in sizes)}
    argv = [*prefix, test_binary, "--testing-library", "swift-testing", "--filter", "decisionCostByPolicySize"]
    try:
        p = subprocess.run(argv if not prefix else [*prefix, "env", *[f"{k}={v}" for k, v in env.items()], *argv[len(prefix):]],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"the engine's cost test did not finish within {timeout} s"}
    rows = []
    size = SIZE.search(p.stdout)
    for m in LINE.finditer(p.stdout):
        per_request = m.group(6).split("allowed;", 1)[-1].strip()
        rows.append({"rules": int(m.group(1)), "entries": int(m.group(2)), "install_s": float(m.group(3)),
                     "decisions": int(m.group(4)), "mean_ns": int(m.group(5)), "per_request": per_request})
    skipped = re.search(r"skipped: \"?(.*?)\"?$", p.stdout, re.M)
    out = {"rows": rows, "exit": p.returncode,
           "instructions": size and {"after_verifier": int(size.group(1)), "verified": int(size.group(2))}}
    if not rows:
        out["error"] = ("the test was skipped: " + skipped.group(1)) if skipped else \
            "the test printed no cost line: " + " | ".join(p.stdout.strip().splitlines()[-3:])[:400]
    return out


def table(result):
    if result.get("error"):
        return f"not available: {result['error']}\n"
    lines = ["| rules | table entries | install | decisions | mean ns per decision (kernel-measured) | per request |",
             "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        lines.append(f"| {r['rules']:,} | {r['entries']:,} | {r['install_s']:.2f} s | {r['decisions']} | {r['mean_ns']:,} | {r['per_request']} |")
    if result.get("instructions"):
        i = result["instructions"]
        lines += ["", f"The decision program is {i['after_verifier']:,} instructions after the verifier ({i['verified']:,} verified)."]
    return "\n".join(lines) + "\n"
