"""What a result was measured on: machine, kernel, load, leash build and backend."""
import os, platform, subprocess, time


def _first(path, prefix):
    try:
        for line in open(path):
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def load():
    return os.getloadavg()


def describe(root, leash):
    commit = subprocess.run(["git", "-C", root, "rev-parse", "--short=12", "HEAD"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True).stdout.strip() or None
    dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True).stdout.strip() != ""
    mem_kib = _first("/proc/meminfo", "MemTotal")
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cores": os.cpu_count(),
        "cpu_model": _first("/proc/cpuinfo", "model name"),
        "memory": mem_kib,
        "kernel": platform.release(),
        "leash_binary": leash,
        "leash_commit": commit,
        "leash_tree_dirty": dirty,
        "load_at_start": load(),
    }


def tool_versions():
    out = {}
    for name, argv in {"node": ["node", "--version"], "npm": ["npm", "--version"], "git": ["git", "--version"],
                       "bwrap": ["bwrap", "--version"], "firejail": ["firejail", "--version"],
                       "strace": ["strace", "--version"], "make": ["make", "--version"]}.items():
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=20)
            out[name] = p.stdout.strip().splitlines()[0] if p.stdout.strip() else None
        except (OSError, subprocess.TimeoutExpired):
            out[name] = None
    return out
