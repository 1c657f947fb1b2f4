"""In-kernel cost of the BPF programs a sandbox loads, and the kernel memory of its maps.

With kernel.bpf_stats_enabled=1 the kernel counts each program's runs and the time spent
in them (run_time_ns / run_cnt is the mean cost of one run). The programs and maps that
belong to leash are found through leash's own file descriptors (/proc/PID/fdinfo names
the prog_id or map_id of every BPF fd and link), so programs other people load on the
same machine at the same time are never counted.
"""
import glob, json, os, re, shutil, subprocess, time

STATS = "/proc/sys/kernel/bpf_stats_enabled"


def _ids(pid):
    progs, maps = set(), set()
    for info in glob.glob(f"/proc/{pid}/fdinfo/*"):
        try:
            text = open(info).read()
        except OSError:
            continue
        progs.update(int(m) for m in re.findall(r"^prog_id:\s*(\d+)", text, re.M))
        maps.update(int(m) for m in re.findall(r"^map_id:\s*(\d+)", text, re.M))
    return progs, maps


def _hwm_kib(pid):
    """leash's own peak resident set so far (VmHWM), 0 once it has exited."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _bpftool(kind):
    try:
        p = subprocess.run(["bpftool", "-j", kind, "show"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=20)
        return {e["id"]: e for e in json.loads(p.stdout or "[]")}
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}


def available():
    if not shutil.which("bpftool"):
        return "bpftool is not installed"
    if not os.access(STATS, os.W_OK):
        return f"{STATS} is not writable (needs root)"
    return None


def observe(argv, cwd, env, poll_s=0.25, timeout=600):
    """Runs argv (a `leash run` command) and returns its programs' and maps' figures at the
    last moment they were seen loaded."""
    old = open(STATS).read().strip()
    open(STATS, "w").write("1")
    progs, maps, seen_progs, seen_maps, peak_kib = {}, {}, set(), set(), 0
    try:
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        t0 = time.time()
        while p.poll() is None and time.time() - t0 < timeout:
            ids_p, ids_m = _ids(p.pid)
            peak_kib = max(peak_kib, _hwm_kib(p.pid))
            if ids_p or ids_m:
                seen_progs |= ids_p
                seen_maps |= ids_m
                all_p, all_m = _bpftool("prog"), _bpftool("map")
                for i in ids_p:
                    if i in all_p:
                        progs[i] = all_p[i]
                for i in ids_m:
                    if i in all_m:
                        maps[i] = all_m[i]
            time.sleep(poll_s)
        out, err = p.communicate(timeout=60)
    finally:
        open(STATS, "w").write(old)
    rows = []
    for i, e in sorted(progs.items()):
        cnt, ns = e.get("run_cnt", 0), e.get("run_time_ns", 0)
        rows.append({"id": i, "name": e.get("name"), "type": e.get("type"), "run_cnt": cnt, "run_time_ns": ns,
                     "ns_per_run": (ns / cnt) if cnt else None, "bytes_jited": e.get("bytes_jited")})
    map_rows = [{"id": i, "name": e.get("name"), "type": e.get("type"), "max_entries": e.get("max_entries"),
                 "bytes_memlock": e.get("bytes_memlock")} for i, e in sorted(maps.items())]
    return {"exit": p.returncode, "stdout": out, "stderr": err[-2000:], "programs": rows, "maps": map_rows,
            "leash_peak_rss_kib": peak_kib or None}
