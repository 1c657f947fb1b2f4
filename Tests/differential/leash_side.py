"""The leash side: `leash cedar batch` answers many cases in one process.

Cases go in as JSON lines on stdin, answers come back one line each, in order. A crash
or a hang costs only the case it happened on: that case is answered {"crash": ...} and
the batch restarts after it.
"""

import json
import os
import subprocess
import tempfile


def find_leash():
    env = os.environ.get("LEASH")
    if env:
        return env
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for d in (".build-difftest/release", ".build/release", ".build-difftest/debug", ".build/debug"):
        p = os.path.join(root, d, "leash")
        if os.path.exists(p):
            return p
    raise SystemExit("leash binary not found: build it or set LEASH=/path/to/leash")


def start(leash, lines):
    """Starts a batch over the given JSON lines; returns a handle for finish()."""
    f = tempfile.TemporaryFile(mode="w+b")
    f.write(("\n".join(lines) + "\n").encode())
    f.seek(0)
    proc = subprocess.Popen([leash, "cedar", "batch"], stdin=f, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    return proc, f


def finish(handle, n, timeout):
    proc, f = handle
    try:
        out, err = proc.communicate(timeout=timeout)
        hung = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        hung = True
    f.close()
    answers = []
    for line in out.decode(errors="replace").splitlines():
        try:
            answers.append(json.loads(line))
        except ValueError:
            answers.append({"crash": "unparseable output line: %r" % line[:200]})
    status = "hung (killed after %ds)" % timeout if hung else "exit status %d" % proc.returncode
    return answers[:n], status, err.decode(errors="replace")[-2000:]


def answer_all(leash, cases, timeout=600):
    """Answers for every case, isolating crashes. The wire form of a case is the case itself."""
    lines = [json.dumps(c) for c in cases]
    answers = []
    while len(answers) < len(lines):
        rest = lines[len(answers):]
        got, status, err = finish(start(leash, rest), len(rest), timeout)
        answers.extend(got)
        if len(got) < len(rest):
            answers.append({"crash": "%s; stderr: %s" % (status, err.strip()[-500:])})
    return answers
