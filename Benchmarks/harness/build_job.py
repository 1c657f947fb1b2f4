"""A build-like job: many small reads, writes and execs, driven by make -j2.

Every target runs a shell that reads three shared headers and its source through `cat`,
transforms them with `tr` into a temporary file and renames it into place (three execs,
four reads, two writes, a rename). Two link steps then read every object. This is the
shape of a C or TypeScript build's file traffic without the compiler's CPU time, which
would hide the sandbox's cost.
"""
import json, os, shutil

VERSION_TAG = "v1"

MAKEFILE = """\
SRCS := $(wildcard src/*.txt)
OBJS := $(patsubst src/%.txt,out/%.o,$(SRCS))

all: out/total.txt out/index.txt

out/%.o: src/%.txt inc/a.h inc/b.h inc/c.h | out
\t@cat inc/a.h inc/b.h inc/c.h $< | tr 'a-z' 'A-Z' > $@.tmp && mv $@.tmp $@

out/total.txt: $(OBJS)
\t@cat $(OBJS) | wc -c > $@

out/index.txt: $(OBJS)
\t@ls out | sort > $@

out:
\t@mkdir -p out
"""


def generate(root, targets):
    """Writes root/tree (sources, headers, Makefile); the workload copies nothing, it runs
    `make -C <copy>` on a fresh copy made by the harness (out/ must not exist)."""
    marker = os.path.join(root, f"generated-{VERSION_TAG}-{targets}")
    if os.path.exists(marker):
        return json.load(open(marker))
    shutil.rmtree(root, ignore_errors=True)
    tree = os.path.join(root, "tree")
    os.makedirs(os.path.join(tree, "src"))
    os.makedirs(os.path.join(tree, "inc"))
    for h in "abc":
        open(os.path.join(tree, "inc", f"{h}.h"), "w").write(f"/* header {h} */\n" + "#define X 1\n" * 40)
    for i in range(targets):
        open(os.path.join(tree, "src", f"m{i:05d}.txt"), "w").write(f"module {i}\n" + "line of source text\n" * (i % 50 + 5))
    open(os.path.join(tree, "Makefile"), "w").write(MAKEFILE)
    summary = {"tree": tree, "targets": targets, "execs_per_target": 4}
    json.dump(summary, open(marker, "w"))
    return summary
