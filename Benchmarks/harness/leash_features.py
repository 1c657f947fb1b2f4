"""What this leash build can do on this machine, asked of leash itself.

Features land while the benchmarks exist (BPF LSM, audit mode, cgroup network programs,
telemetry), so nothing here is assumed: the backends come from `leash run`'s own answer
to an unknown --backend, each backend and mode is tried on `/bin/true`, and whatever
leash refuses is recorded with leash's message as the reason.
"""
import json, re, subprocess


def _run(argv, cwd, env, timeout=120):
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout} s"


def _message(stderr, rc=None):
    lines = [l.strip() for l in stderr.splitlines() if l.strip()]
    if rc is not None and (rc < 0 or rc > 128):
        sig = -rc if rc < 0 else rc - 128
        where = next((l for l in lines if "Fatal error" in l or "Crash" in l), "")
        return f"leash crashed (signal {sig}){': ' + where[:200] if where else ''}"
    errors = [l for l in lines if l.startswith("error") or "error:" in l]
    return (errors or lines or ["(no message)"])[0]


def doctor(leash, cwd, env):
    rc, out, err = _run([leash, "doctor", "--json"], cwd, env)
    try:
        return json.loads(out)
    except ValueError:
        return {"error": _message(err, rc) if err else f"leash doctor exited {rc} without JSON"}


def backend_names(leash, cwd, env, doctor_report):
    """The backends `leash run` knows, from its usage error for an unknown one."""
    _, _, err = _run([leash, "run", "--backend", "no-such-backend", "--", "/bin/true"], cwd, env)
    m = re.search(r"one of ([A-Za-z0-9_, -]+?), got", err)
    names = [n.strip() for n in m.group(1).split(",")] if m else []
    if not names and doctor_report.get("backend") not in (None, "none"):
        names = [doctor_report["backend"]]
    return names


def try_mode(leash, cwd, env, backend, mode):
    """Whether `leash run --backend B --mode M -- /bin/true` runs; with the flags it needs."""
    base = [leash, "run", "--backend", backend, "--mode", mode]
    rc, _, err = _run(base + ["--", "/bin/true"], cwd, env)
    if rc == 0:
        return {"available": True, "flags": []}
    if "--allow-approximate" in err:
        rc2, _, err2 = _run(base + ["--allow-approximate", "--", "/bin/true"], cwd, env)
        if rc2 == 0:
            return {"available": True, "flags": ["--allow-approximate"],
                    "note": "needs --allow-approximate: " + _message(err)}
        rc, err = rc2, err2
    return {"available": False, "reason": _message(err, rc)}


def probe(leash, cwd, env):
    report = doctor(leash, cwd, env)
    features = {"doctor": {k: report.get(k) for k in ("backend", "backend_reason", "missing", "landlock_abi", "error")
                           if k in report},
                "backends": {}}
    for b in backend_names(leash, cwd, env, report):
        features["backends"][b] = {m: try_mode(leash, cwd, env, b, m) for m in ("enforce", "audit")}
    rc, out, err = _run([leash, "--help"], cwd, env)
    features["commands"] = sorted(set(re.findall(r"^\s{2,}([a-z][a-z-]+)\s{2,}", out + err, re.M)))
    rc, out, err = _run([leash, "run", "--help"], cwd, env)
    features["run_help"] = out + err
    return features
