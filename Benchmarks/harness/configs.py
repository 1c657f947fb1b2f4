"""The configurations every workload runs under: bare, leash (each backend, mode and
policy this build accepts) and the peers users would pick instead.

A configuration is a name, a way to wrap a command, and either `available` or the reason
it is not, in the words of the tool that refused.
"""
import os, shutil, subprocess
from dataclasses import dataclass, field


@dataclass
class Config:
    name: str
    kind: str            # bare, leash, peer
    describe: str
    wrap: object = None  # (argv, cwd) -> argv
    available: bool = True
    reason: str = ""
    notes: list = field(default_factory=list)
    # False where the sandbox's own process tree hides its children's CPU time from wait4
    # (bwrap's pid namespace init reaps them, and nobody waits for the init's rusage).
    cpu_visible: bool = True


def _bare():
    return Config("bare", "bare", "the command alone", wrap=lambda argv, cwd: argv)


def leash_configs(leash, features, bench, policies):
    """policies: {"default": None, "1000-rule": path, ...}; None means the built-in policy."""
    out = []
    for backend, modes in features["backends"].items():
        for mode in ("enforce", "audit"):
            state = modes[mode]
            variants = list(policies.items()) if mode == "enforce" else [("default", None)]
            for label, path in variants:
                name = f"leash {backend} {mode}" + ("" if label == "default" else f" {label}")
                what = f"leash run --backend {backend} --mode {mode}, " + (
                    "the built-in default policy" if path is None else f"{label} policy (Benchmarks/policies/workload.cedar + generated rules)")
                if not state["available"]:
                    out.append(Config(name, "leash", what, available=False, reason=f"not available: {state['reason']}"))
                    continue
                flags = ["--backend", backend, "--mode", mode] + state["flags"]
                if path is not None:
                    flags += ["--policy", path, "--set", f"BENCH={bench}"]
                c = Config(name, "leash", what,
                           wrap=lambda argv, cwd, flags=flags: [leash, "run", *flags, "--", *argv])
                if state["flags"]:
                    c.notes.append("run with " + " ".join(state["flags"]) + " (leash refuses this policy on this backend without it)")
                out.append(c)
    return out


def _check(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        return p.returncode == 0, (p.stdout.strip().splitlines() or ["(no output)"])[-1]
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)


def peer_configs(bench):
    out = []
    bwrap = shutil.which("bwrap")
    # Read-only root, the benchmark tree and /tmp writable, own pid/ipc/uts/cgroup
    # namespaces: isolation comparable to leash's default policy, without per-call policy.
    bw = lambda argv, cwd: [bwrap, "--ro-bind", "/", "/", "--bind", bench, bench, "--bind", "/tmp", "/tmp",
                            "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                            "--unshare-cgroup-try", "--die-with-parent", "--chdir", cwd, "--", *argv]
    c = Config("bubblewrap", "peer", "bwrap: read-only /, writable benchmark tree and /tmp, new pid/ipc/uts/cgroup namespaces", wrap=bw,
               cpu_visible=False)
    if not bwrap:
        c.available, c.reason = False, "not available: bwrap is not installed (apt-get install bubblewrap)"
    else:
        ok, msg = _check(bw(["/bin/true"], "/"))
        if not ok:
            c.available, c.reason = False, f"not available: bwrap failed: {msg}"
    out.append(c)

    firejail = shutil.which("firejail")
    fj = lambda argv, cwd: [firejail, "--quiet", "--noprofile", "--private-dev", "--nogroups", "--caps.drop=all",
                            "--seccomp", "--", *argv]
    c = Config("firejail", "peer", "firejail --noprofile with --seccomp, --caps.drop=all, --private-dev (its default profile blacklists paths the workloads read)", wrap=fj)
    if not firejail:
        c.available, c.reason = False, "not available: firejail is not installed (apt-get install firejail)"
    else:
        ok, msg = _check(fj(["/bin/true"], "/"))
        if not ok:
            c.available, c.reason = False, f"not available: firejail failed: {msg}"
    out.append(c)

    strace = shutil.which("strace")
    st = lambda argv, cwd: [strace, "-f", "-qq", "-o", "/dev/null", "--", *argv]
    c = Config("strace -f", "peer", "strace -f -o /dev/null: ptrace stops on every system call, the monitoring baseline", wrap=st)
    if not strace:
        c.available, c.reason = False, "not available: strace is not installed"
    out.append(c)
    return out


def all_configs(leash, features, bench, policies):
    return [_bare()] + leash_configs(leash, features, bench, policies) + peer_configs(bench)
