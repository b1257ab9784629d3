"""Wall time of `make html` (cold and cached) and of `make test`, in a scratch copy.

Other people work in the repository while the benchmark runs, so it never touches the
repository's own _build: the working tree is copied (without .venv, _build, .git and
caches) to a scratch folder (default /tmp/benchrepo, emptied first), with the vendored
JavaScript (_build/assets) copied along so that no download is timed. The scratch copy
uses the repository's .venv (`make VENV=...`); `make -o <venv>/.installed` keeps make from
ever reinstalling into it, and PYTHONPATH points at the scratch copy so that its
`optimlib` (the same files) is the one imported, by the tests and by the notebooks.

- cold: `make html` with no execution cache, no saved Sphinx state and no site: every
  notebook runs (the vendored JavaScript is kept: fetching it is not part of a build);
- cached: `make html` again after removing the site and Sphinx's saved state but keeping
  the execution cache: Sphinx reads and writes every page, no notebook runs (what an
  author waits for after editing text);
- touch: `make html` after touching one chapter (a one-page rebuild, cache hit);
- noop: `make html` with nothing changed (make's stamp: nothing to do);
- make_test: `make test` (lint, unit tests, nbval over every notebook, the browser tests).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.stats import clock

SKIP = shutil.ignore_patterns(".venv", "_build", ".git", ".*_cache", ".hypothesis",
                              "__pycache__", ".ipynb_checkpoints", "*.egg-info")


def copy_repo(root: Path, scratch: Path) -> None:
    """A fresh copy of the working tree, with the vendored JavaScript but no other build."""
    if scratch.resolve() == root.resolve():
        raise ValueError("the scratch copy must not be the repository itself")
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(root, scratch, ignore=SKIP, symlinks=True)
    assets = root / "_build" / "assets"
    if assets.is_dir():
        shutil.copytree(assets, scratch / "_build" / "assets")


class Make:
    """Runs make targets in the scratch copy with the repository's virtualenv."""

    def __init__(self, scratch: Path, venv: Path, log: Callable[[str], None] = print):
        self.scratch, self.venv, self.log = scratch, venv, log
        self.env = {**os.environ, "PYTHONPATH": str(scratch)}
        self.env.pop("MPLBACKEND", None)

    def __call__(self, target: str, step: str, check: bool = True) -> tuple[float, int]:
        """Seconds `make target` takes, and its exit status (raises if check and it fails).
        The output goes to _build/bench-<step>.log in the scratch copy."""
        cmd = ["make", "-C", str(self.scratch), f"VENV={self.venv}",
               "-o", f"{self.venv}/.installed", target]
        logfile = self.scratch / "_build" / f"bench-{step}.log"
        logfile.parent.mkdir(parents=True, exist_ok=True)
        start = clock()
        with logfile.open("w") as out:
            done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                  check=False)
        seconds = clock() - start
        status = "" if done.returncode == 0 else f", FAILED (exit {done.returncode}): {logfile}"
        self.log(f"  {step}: make {target}: {seconds:.1f} s{status}")
        if done.returncode != 0 and check:
            tail = "".join(logfile.read_text(errors="replace").splitlines(True)[-30:])
            self.log(tail)
            raise RuntimeError(f"`{' '.join(cmd)}` failed (exit {done.returncode}) after "
                               f"{seconds:.0f} s; log: {logfile}")
        return seconds, done.returncode

    def rm(self, *paths: str) -> None:
        for path in paths:
            target = self.scratch / path
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def bench(root: Path, scratch: Path, venv: Path, tests: bool = True, table: str | None = None,
          log: Callable[[str], None] = print) -> dict:
    """The timings; `table`, if given, replaces benchmarks/latest.md in the scratch copy
    (the Performance page includes it, and it may not exist yet)."""
    if not (venv / "bin" / "python").is_file():
        raise FileNotFoundError(f"no virtualenv at {venv}: run `make test` or `make html` first")
    copy_repo(root, scratch)
    if table is not None:
        (scratch / "benchmarks" / "latest.md").write_text(table)
    make = Make(scratch, venv, log)
    make.rm("_build/html", "_build/.jupyter_cache", "_build/.doctrees",
            "_build/jupyter_execute", "_build/.exec-env")
    cold, _ = make("html", "cold")
    make.rm("_build/html", "_build/.doctrees")
    cached, _ = make("html", "cached")
    notebooks = sorted((scratch / "chapters").glob("*.ipynb"))
    time.sleep(1)  # file times tick coarsely: touched in the build's tick, make sees no change
    if notebooks:
        notebooks[0].touch()
    touch, _ = make("html", "touch")
    noop, _ = make("html", "noop")
    result = {
        "build": {"cold_s": round(cold, 1), "cached_s": round(cached, 1),
                  "touch_one_chapter_s": round(touch, 1), "noop_s": round(noop, 2)},
    }
    if tests:  # timed even when a test fails: the failure is reported next to the time
        seconds, status = make("test", "test", check=False)
        result["tests"] = {"make_test_s": round(seconds, 1), "cores": os.cpu_count(),
                           "passed": status == 0}
        if status:
            result["tests"]["log"] = str(scratch / "_build" / "bench-test.log")
    result["scratch"] = str(scratch)
    return result
