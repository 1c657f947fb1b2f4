"""An offline npm package set: generated tarballs with nested dependencies.

The npm registry is unreachable here, so packages are written directly as npm tarballs
(gzip tar with every entry under `package/`, which is what `npm pack` writes) and depend
on each other through absolute `file:` specs. Writing tarballs from Python instead of
running `npm pack` 500 times keeps generation to seconds.

Shape: `count` packages in a DAG (each package depends on up to three later ones, so the
dependency depth grows with the count), every tenth one also published as a 2.0.0 that
some dependents require: npm cannot hoist both versions, so those land in nested
node_modules directories. The project depends on the first packages; the rest are reached
transitively.
"""
import gzip, io, json, os, random, shutil, tarfile

VERSION_TAG = "v3"  # bump when the generator's output changes, so caches are rebuilt


def _tarball(path, name, version, deps, files_per_package, rnd):
    manifest = {"name": name, "version": version, "main": "index.js", "license": "MIT",
                "dependencies": deps, "bin": {f"{name}-cli": "bin/cli.js"} if rnd.random() < 0.05 else {}}
    entries = {"package/package.json": json.dumps(manifest, indent=2).encode(),
               "package/index.js": f"module.exports = {{ name: {json.dumps(name)}, version: {json.dumps(version)} }};\n".encode(),
               "package/bin/cli.js": b"#!/usr/bin/env node\nconsole.log(require('..').name);\n",
               "package/README.md": f"# {name}\n\nGenerated for the leash benchmarks.\n".encode()}
    for k in range(files_per_package - len(entries)):
        size = rnd.choice((120, 400, 1500, 6000))
        body = (f"// {name} file {k}\n" + "exports.v = %d;\n" % k + "x" * size + "\n").encode()
        entries[f"package/lib/d{k % 4}/f{k}.js"] = body
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for entry, data in entries.items():
            info = tarfile.TarInfo(entry)
            info.size, info.mode, info.mtime = len(data), 0o755 if entry.endswith("cli.js") else 0o644, 499162500
            tar.addfile(info, io.BytesIO(data))
    with open(path, "wb") as f:
        f.write(gzip.compress(raw.getvalue(), compresslevel=1, mtime=0))


def generate(root, count, files_per_package, seed=8):
    """Writes root/tarballs/*.tgz and root/project/package.json; returns the summary."""
    marker = os.path.join(root, f"generated-{VERSION_TAG}-{count}x{files_per_package}")
    if os.path.exists(marker):
        return json.load(open(marker))
    shutil.rmtree(root, ignore_errors=True)
    tarballs = os.path.join(root, "tarballs")
    os.makedirs(tarballs)
    rnd = random.Random(seed)
    names = [f"bench-pkg-{i:04d}" for i in range(count)]
    spec = lambda name, version: f"file:{tarballs}/{name}-{version}.tgz"
    twos = {i for i in range(count) if i % 10 == 5}
    deps = {i: {} for i in range(count)}
    for j in range(1, count):
        # Every package below the roots has at least one dependent, so all are installed.
        parent = rnd.randrange(max(0, j - 40), j) if j >= 50 else None
        if parent is not None:
            deps[parent][names[j]] = spec(names[j], "1.0.0")
    for i in range(count):
        for j in rnd.sample(range(i + 1, count), min(2, count - i - 1)):
            version = "2.0.0" if j in twos and rnd.random() < 0.5 else "1.0.0"
            deps[i].setdefault(names[j], spec(names[j], version))
    for i in range(count):
        _tarball(os.path.join(tarballs, f"{names[i]}-1.0.0.tgz"), names[i], "1.0.0", deps[i], files_per_package, rnd)
        if i in twos:
            _tarball(os.path.join(tarballs, f"{names[i]}-2.0.0.tgz"), names[i], "2.0.0", {}, files_per_package, rnd)
    project = os.path.join(root, "project")
    os.makedirs(project)
    top = {names[i]: spec(names[i], "1.0.0") for i in range(min(50, count))}
    json.dump({"name": "leash-bench-app", "version": "1.0.0", "private": True, "dependencies": top},
              open(os.path.join(project, "package.json"), "w"), indent=2)
    summary = {"packages": count, "versions": count + len(twos), "files_per_package": files_per_package,
               "tarballs": tarballs, "project": project}
    json.dump(summary, open(marker, "w"))
    return summary
