"""A large local git repository, written with `git fast-import` (seconds, not minutes).

The first commit adds every file; each later commit rewrites a slice of them, so the
history has real deltas to pack. The clone workload clones it over file:// (which runs
upload-pack and index-pack like a network clone, instead of hard-linking objects) and
checks out an older commit.
"""
import json, os, random, shutil, subprocess

VERSION_TAG = "v1"


def _stream(files, commits, rnd):
    # Commits to one branch in one fast-import stream chain on their own: no `from` needed.
    out = []
    paths = [f"src/mod{i % 97:02d}/sub{i % 13}/file{i:05d}.c" for i in range(files)]
    for c in range(commits):
        touched = paths if c == 0 else rnd.sample(paths, max(1, files // 25))
        lines = ["commit refs/heads/main", f"committer Bench <bench@localhost> {1700000000 + c * 3600} +0000",
                 f"data <<EOM\ncommit {c}\nEOM"]
        for p in touched:
            body = (f"/* {p} rev {c} */\n" + "".join(f"int f{k}_{c}(int x) {{ return x * {k} + {c}; }}\n"
                                                     for k in range(rnd.randrange(5, 60))))
            data = body.encode()
            lines.append(f"M 100644 inline {p}\ndata {len(data)}\n{body}")
        out.append("\n".join(lines) + "\n")
    return "".join(out).encode()


def generate(root, files, commits, seed=9):
    """Writes a bare repository at root/repo.git; returns its summary."""
    marker = os.path.join(root, f"generated-{VERSION_TAG}-{files}x{commits}")
    if os.path.exists(marker):
        return json.load(open(marker))
    shutil.rmtree(root, ignore_errors=True)
    repo = os.path.join(root, "repo.git")
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=root)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", repo], check=True, env=env)
    subprocess.run(["git", "fast-import", "--quiet"], input=_stream(files, commits, random.Random(seed)),
                   cwd=repo, check=True, env=env)
    subprocess.run(["git", "gc", "-q"], cwd=repo, check=True, env=env)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(repo) for f in fs)
    older = subprocess.run(["git", "rev-parse", f"main~{commits // 2}"], cwd=repo, check=True, env=env,
                           stdout=subprocess.PIPE, text=True).stdout.strip()
    summary = {"repo": repo, "files": files, "commits": commits, "bytes": size, "older_commit": older}
    json.dump(summary, open(marker, "w"))
    return summary
