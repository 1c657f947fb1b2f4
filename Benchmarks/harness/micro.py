"""Nanoseconds a sandbox adds per system call: open+close, stat, exec, loopback connect.

Benchmarks/micro/syscalls.c times N iterations of each operation inside one process;
the harness runs it bare and under each configuration in interleaved rounds, and the
added cost is the median over rounds of (sandboxed - bare) of the same round.
"""
import json, os, subprocess

from . import stats

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(HERE, "micro", "syscalls.c")
OPS = ["open", "stat", "exec", "connect"]


def build(bin_dir):
    os.makedirs(bin_dir, exist_ok=True)
    out = os.path.join(bin_dir, "syscalls")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(SOURCE):
        subprocess.run(["cc", "-O2", "-Wall", "-o", out, SOURCE], check=True)
    return out


def run_helper(argv, cwd, env, timeout):
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"did not finish within {timeout} s"
    if p.returncode != 0:
        return None, f"exit status {p.returncode}: " + " | ".join(p.stderr.strip().splitlines()[-2:])[:300]
    rows = {}
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            rows[d["op"]] = d["ns_per_op"]
    return rows, None


def measure(helper, configs, rounds, iterations, cwd, env, timeout, say):
    live = [c for c in configs if c.available]
    # One untimed run first: the first spawn of a fresh binary pays for page faults and
    # the loader's caches, which belong to no configuration.
    run_helper([helper, str(max(1, iterations // 10)), *OPS], cwd, env, timeout)
    per = {c.name: {"ns": {op: {} for op in OPS}, "error": None} for c in live}
    for r in range(rounds):
        k = r % len(live)
        for c in live[k:] + live[:k]:
            if per[c.name]["error"]:
                continue
            rows, err = run_helper(c.wrap([helper, str(iterations), *OPS], cwd), cwd, env, timeout)
            if err:
                per[c.name]["error"] = err
                say(f"  micro | round {r + 1}/{rounds} | {c.name}: FAILED: {err}")
                continue
            for op in OPS:
                per[c.name]["ns"][op][r] = rows.get(op)
            say(f"  micro | round {r + 1}/{rounds} | {c.name}: " + ", ".join(f"{op} {rows.get(op, 0):.0f} ns" for op in OPS))
    out = {}
    bare = per.get("bare")
    for c in live:
        entry = {"error": per[c.name]["error"], "ops": {}}
        for op in OPS:
            samples = per[c.name]["ns"][op]
            vals = [v for v in samples.values() if v is not None]
            diffs = stats.paired_differences(bare["ns"][op], samples) if bare and c.name != "bare" else []
            entry["ops"][op] = {"ns": stats.summary(vals), "added_ns": stats.summary(diffs)}
        out[c.name] = entry
    return out
