"""Runs workloads under configurations in interleaved rounds and keeps every sample.

Round r runs each configuration once, in an order rotated by r (bare, A, B, ... then A,
B, ..., bare), so slow drifts of the machine (other builds, page cache, thermal) fall on
all configurations alike; each configuration's ratio is taken against the bare run of
its own round.
"""
import os, shutil, subprocess, time


def run_once(argv, cwd, env, timeout, log_path):
    """Wall and CPU seconds of argv, or the reason it failed."""
    with open(log_path, "w") as log:
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        except OSError as e:
            return {"ok": False, "error": f"cannot start {argv[0]}: {e}"}
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                os.wait4(p.pid, 0)
                return {"ok": False, "error": f"timed out after {timeout:.0f} s"}
            time.sleep(0.005)
        wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = open(log_path, errors="replace").read().strip().splitlines()[-3:]
        return {"ok": False, "error": f"exit status {code}: " + " | ".join(tail)[:400]}
    return {"ok": True, "wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss}


def run_workload(workload, configs, rounds, runs_root, env, timeout, say):
    """{config name: {"samples": {round: wall_s}, "cpu": {round: cpu_s}, "error": str|None}}"""
    live = [c for c in configs if c.available]
    results = {c.name: {"samples": {}, "cpu": {}, "error": None} for c in live}
    trash = os.path.join(runs_root, "trash")
    shutil.rmtree(trash, ignore_errors=True)
    os.makedirs(trash)
    for r in range(rounds):
        k = r % len(live)
        for c in live[k:] + live[:k]:
            res = results[c.name]
            if res["error"]:
                continue
            run_dir = os.path.join(runs_root, f"{workload.name.replace(' ', '-').replace('+', '')}-{r}-{c.name.replace(' ', '-')}")
            shutil.rmtree(run_dir, ignore_errors=True)
            os.makedirs(run_dir)
            cwd = workload.prepare(run_dir)
            # Dirty pages of the previous run (and of preparing this one) are written back
            # now rather than during the timed run.
            os.sync()
            out = run_once(c.wrap(workload.command(), cwd), cwd, env, timeout, os.path.join(run_dir, "..", os.path.basename(run_dir) + ".log"))
            if out["ok"]:
                problem = workload.verify(cwd)
                if problem:
                    out = {"ok": False, "error": f"the run exited 0 but did not do the work: {problem}"}
            if out["ok"]:
                res["samples"][r] = out["wall_s"]
                res["cpu"][r] = out["cpu_s"]
                say(f"  {workload.name} | round {r + 1}/{rounds} | {c.name}: {out['wall_s']:.2f} s")
            else:
                res["error"] = out["error"]
                say(f"  {workload.name} | round {r + 1}/{rounds} | {c.name}: FAILED: {out['error']}")
            # Deleting tens of thousands of files right before the next timed run made
            # that run's system time swing from 0.4 s to 8 s (git clone, measured): the
            # trees are set aside and deleted once the workload's rounds are over.
            os.rename(run_dir, os.path.join(trash, os.path.basename(run_dir)))
    shutil.rmtree(trash, ignore_errors=True)
    os.sync()
    return results
