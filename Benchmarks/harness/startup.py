"""Start-up: `leash run -- /bin/true` against bare `/bin/true`, and leash's peak memory.

Bare and sandboxed runs alternate (A B A B ...). Peak memory comes from GNU time's %M run
once per configuration: wait4's maxrss of a child forked from this Python process would
count the parent's pages the child had before exec.
"""
import os, subprocess, time

from . import stats


def _once(argv, cwd, env, timeout):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - t0 > timeout:
            p.kill()
            os.wait4(p.pid, 0)
            return None, None, f"did not start and finish within {timeout:.0f} s"
        time.sleep(0.0005)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        return None, None, f"exit status {code}: " + " | ".join(err.strip().splitlines()[:2])[:300]
    return wall, usage.ru_maxrss, None


def _peak_kib(argv, cwd, env, timeout):
    """Largest resident set (KiB) of argv's process tree, by GNU time (a small process to fork from)."""
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    try:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
        return int(p.stderr.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return None


def measure(configs, runs, cwd, env, timeout, say):
    """configs: [(name, argv prefix or None for bare)] -> rows with medians and paired differences."""
    results = {}
    bare = {}
    for name, _ in configs:
        results[name] = {"samples": {}, "rss": [], "error": None}
    for r in range(runs):
        for name, prefix in configs:
            res = results[name]
            if res["error"]:
                continue
            wall, rss, err = _once((prefix or []) + ["/bin/true"], cwd, env, timeout)
            if err:
                res["error"] = err
                say(f"  start-up | {name}: FAILED: {err}")
                continue
            res["samples"][r] = wall
    for name, prefix in configs:
        if not results[name]["error"]:
            results[name]["rss"].append(_peak_kib((prefix or []) + ["/bin/true"], cwd, env, timeout))
    base = results[configs[0][0]]["samples"]
    rows = []
    for name, _ in configs:
        res = results[name]
        s = list(res["samples"].values())
        rows.append({"config": name, "error": res["error"], "wall_s": stats.summary(s),
                     "added_s": stats.summary(stats.paired_differences(base, res["samples"])) if name != configs[0][0] else None,
                     "peak_rss_kib": max((x for x in res["rss"] if x), default=None)})
        if s:
            say(f"  start-up | {name}: median {stats.summary(s)['median'] * 1000:.1f} ms over {len(s)} runs")
    return rows
