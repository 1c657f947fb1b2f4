"""Policies for the leash configurations: the workload policy plus N generated rules.

The generated rules are the policy vocabulary's common families (directory subtrees,
single-file carve-outs, wildcard hosts with ports, exec patterns, CIDR forbids), the same
mix as Benchmarks/compile/run.py. Their file rules point at directories the harness
creates under the cache, so a file backend really installs them; none of them touches
what the workloads do, so every configuration runs the same work.
"""
import os

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOAD_POLICY = os.path.join(HERE, "policies", "workload.cedar")


def _rule(i, base):
    k, team = i % 5, f"{base}/team{i % 97}"
    if k == 0:
        return f'permit (principal, action in Action::"FileOpen", resource) when {{ resource in Dir::"{team}/p{i}/" }};'
    if k == 1:
        return f'forbid (principal, action in Action::"FileAccess", resource) when {{ resource == File::"{base}/team{(i - 1) % 97}/p{i - 1}/secret" }};'
    if k == 2:
        return f'permit (principal, action == Action::"NetworkConnect", resource) when {{ resource in Host::"*.svc{i}.example" && resource.port == {1000 + i % 5000} }};'
    if k == 3:
        return f'permit (principal, action == Action::"ProcessExec", resource) when {{ resource.path like "/opt/tool{i}/bin/*" }};'
    return f'forbid (principal, action == Action::"NetworkConnect", resource) when {{ resource.ip.isInRange(ip("10.{i % 256}.{i // 256 % 256}.0/24")) }};'


def write(path, bench, extra_rules):
    """Writes the workload policy plus `extra_rules` generated rules to path (and creates
    the directories the file rules name); returns path."""
    # Each size has its own tree: the file backend's start-up walks the trees its rules
    # carve into, so one size's directories must not slow another's.
    base = f"{bench}/rules/{extra_rules}"
    for i in range(0, extra_rules, 5):
        d = f"{base}/team{i % 97}/p{i}"
        os.makedirs(d, exist_ok=True)
        secret = os.path.join(d, "secret")
        if not os.path.exists(secret):
            open(secret, "w").write("not for the workload\n")
    text = open(WORKLOAD_POLICY).read()
    if extra_rules:
        text += f"\n// ---- {extra_rules} generated rules ----\n" + "\n".join(_rule(i, base) for i in range(extra_rules)) + "\n"
    with open(path, "w") as f:
        f.write(text)
    return path
