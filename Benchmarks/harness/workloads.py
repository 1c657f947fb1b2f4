"""The timed workloads: npm install, npm ci, git clone + checkout, a build-like job.

Each workload prepares a fresh directory for a run (not timed), gives the command to
time and its working directory, and checks the outcome afterwards: a run that exited 0
but did not produce the work is a failure, never a time.
"""
import json, os, shutil, subprocess
from dataclasses import dataclass

from . import build_job, git_repo, npm_packages

NPM_FLAGS = ["--offline", "--no-audit", "--no-fund", "--no-update-notifier", "--loglevel=error"]


@dataclass
class Sizes:
    npm_packages: int
    npm_files: int
    git_files: int
    git_commits: int
    build_targets: int


SIZES = {
    "full": Sizes(500, 45, 20000, 40, 2000),
    "quick": Sizes(100, 20, 4000, 15, 400),
    "smoke": Sizes(12, 6, 60, 3, 10),
}


def _count_files(top):
    return sum(len(files) for _, _, files in os.walk(top))


class Workload:
    name = ""
    what = ""

    def prepare(self, run_dir):
        """Makes run_dir ready; returns the working directory for the command."""
        raise NotImplementedError

    def command(self):
        raise NotImplementedError

    def verify(self, cwd):
        """None when the run did its work, else what is missing."""
        raise NotImplementedError


class NpmInstall(Workload):
    name = "npm install"

    def __init__(self, inputs, sizes):
        self.pkgs = npm_packages.generate(os.path.join(inputs, "npm"), sizes.npm_packages, sizes.npm_files)
        self.what = (f"npm install --offline of {self.pkgs['packages']} local tarball packages "
                     f"({self.pkgs['versions']} versions, {self.pkgs['files_per_package']} files each, nested dependencies)")
        self.expected_files = None

    def prepare(self, run_dir):
        cwd = os.path.join(run_dir, "app")
        os.makedirs(cwd)
        shutil.copy(os.path.join(self.pkgs["project"], "package.json"), cwd)
        return cwd

    def command(self):
        return ["npm", "install", *NPM_FLAGS]

    def verify(self, cwd):
        nm = os.path.join(cwd, "node_modules")
        if not os.path.isdir(nm):
            return "no node_modules"
        installed = len([n for n in os.listdir(nm) if n.startswith("bench-pkg-")])
        if installed != self.pkgs["packages"]:
            return f"{installed} of {self.pkgs['packages']} packages in node_modules"
        files = _count_files(nm)
        if self.expected_files is None:
            self.expected_files = files
        elif files != self.expected_files:
            return f"{files} files installed, {self.expected_files} in the first run"
        return None


class NpmCi(NpmInstall):
    name = "npm ci"

    def __init__(self, inputs, sizes, lockfile):
        super().__init__(inputs, sizes)
        self.lockfile = lockfile
        self.what = f"npm ci --offline from the lockfile of the npm install workload"

    def prepare(self, run_dir):
        cwd = super().prepare(run_dir)
        shutil.copy(self.lockfile, os.path.join(cwd, "package-lock.json"))
        return cwd

    def command(self):
        return ["npm", "ci", *NPM_FLAGS]


class GitClone(Workload):
    name = "git clone + checkout"

    def __init__(self, inputs, sizes):
        self.repo = git_repo.generate(os.path.join(inputs, "git"), sizes.git_files, sizes.git_commits)
        self.what = (f"git clone over file:// of a {self.repo['files']:,}-file, {self.repo['commits']}-commit repository "
                     f"({self.repo['bytes'] / 1e6:.0f} MB packed), then checkout of an older commit")

    def prepare(self, run_dir):
        os.makedirs(run_dir, exist_ok=True)
        return run_dir

    def command(self):
        # One shell runs both steps so that every configuration times the same two processes.
        return ["/bin/sh", "-c", f"git -c advice.detachedHead=false clone -q --no-hardlinks file://{self.repo['repo']} repo "
                                 f"&& git -C repo checkout -q {self.repo['older_commit']}"]

    def verify(self, cwd):
        head = subprocess.run(["git", "-C", os.path.join(cwd, "repo"), "rev-parse", "HEAD"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
        if head != self.repo["older_commit"]:
            return f"HEAD is {head or 'missing'}, not {self.repo['older_commit']}"
        return None


class BuildJob(Workload):
    name = "build-like job"

    def __init__(self, inputs, sizes):
        self.tree = build_job.generate(os.path.join(inputs, "build"), sizes.build_targets)
        self.what = (f"make -j2 over {self.tree['targets']:,} targets, each a shell running cat, tr and mv "
                     f"(about {self.tree['targets'] * self.tree['execs_per_target']:,} execs, small reads and writes)")

    def prepare(self, run_dir):
        cwd = os.path.join(run_dir, "tree")
        shutil.copytree(self.tree["tree"], cwd)
        return cwd

    def command(self):
        return ["make", "-s", "-j2"]

    def verify(self, cwd):
        index = os.path.join(cwd, "out", "index.txt")
        if not os.path.exists(index):
            return "out/index.txt missing"
        objects = len([n for n in os.listdir(os.path.join(cwd, "out")) if n.endswith(".o")])
        return None if objects == self.tree["targets"] else f"{objects} of {self.tree['targets']} objects"
