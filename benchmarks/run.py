"""Run the course's benchmarks, print a table, write _build/bench.json (`make bench`).

    .venv/bin/python benchmarks/run.py             everything (about 10 minutes)
    .venv/bin/python benchmarks/run.py --quick     no build and no `make test` timing
    .venv/bin/python benchmarks/run.py --smoke --out /tmp/bench.json
                                                   tiny sizes and a small fake chapter, in
                                                   seconds (tests/test_benchmarks.py)

The JSON has the keys of issue 11 ("widgets", "adam_step", "sweep", "build", "tests"),
plus details and "machine" (where and when). A complete run (not --quick, not --smoke)
also writes benchmarks/latest.json and benchmarks/latest.md, the table that the book's
Performance page includes: commit both. The exit status is 1 when a benchmark fails or a
target is missed (the files are written first), else 0. In a smoke run only the
correctness checks count: timings at tiny sizes say nothing about the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(ROOT))

FAKE_CHAPTER = [
    "import ipywidgets as W\nimport numpy as np\n\nfrom optimlib import plots, widgets",
    # A live explorer with one control of each kind that chapters use or might use.
    """fig, ax = plots.figure(figsize=(3, 2))
x = np.linspace(0, 1, 50)
line = ax.plot(x, x, animated=True)[0]
ax.set(xlim=(0, 1), ylim=(-3, 3))


def update(a, n, flip, kind, scale, lr):
    y = a * np.sin(n * x) if kind == "sin" else a * np.cos(n * x)
    line.set_ydata(scale * lr * (-y if flip else y))


live = widgets.live_explorer(fig, update, {
    "a": W.FloatSlider(value=1.0, min=-2.0, max=2.0, step=0.25),
    "n": W.IntSlider(value=3, min=1, max=9),
    "flip": W.Checkbox(value=False),
    "kind": W.Dropdown(options=["sin", "cos"]),
    "scale": W.SelectionSlider(options=[("half", 0.5), ("one", 1.0), ("two", 2.0)]),
    "lr": W.FloatLogSlider(value=1.0, base=10, min=-1, max=0.3, step=0.1),
})""",
    "assert live.renderer.full_draws == 1",
]


def write_fake_chapter(folder: Path) -> Path:
    """A tiny notebook with one live explorer, for the smoke run."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Smoke chapter")]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in FAKE_CHAPTER]
    path = folder / "smoke_chapter.ipynb"
    nbformat.write(nb, path)
    return path


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", "--no-build", action="store_true",
                   help="skip the `make html` and `make test` timings")
    p.add_argument("--no-tests", action="store_true", help="skip the `make test` timing")
    p.add_argument("--smoke", action="store_true",
                   help="tiny sizes, a fake chapter, no make timings (a few seconds)")
    p.add_argument("--only", default="", help="comma-separated: widgets,adam_step,sweep,build")
    p.add_argument("--notebooks", nargs="*", type=Path,
                   help="notebooks to drive (default: those of _toc.yml)")
    p.add_argument("--positions", type=int, default=60,
                   help="slider positions per live widget (at least 30; default 60)")
    p.add_argument("--out", type=Path, default=ROOT / "_build" / "bench.json")
    p.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "benchrepo",
                   help="where `make` is timed, in a copy of the repository")
    p.add_argument("--venv", type=Path, default=ROOT / ".venv")
    args = p.parse_args(argv)
    if args.smoke:
        args.quick = True
    elif args.positions < 30:
        p.error("--positions must be at least 30 (use --smoke for a tiny run)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from benchmarks import report
    from benchmarks.stats import machine

    only = {s.strip() for s in args.only.split(",") if s.strip()}
    wanted = lambda name: not only or name in only  # noqa: E731
    results: dict = {"machine": machine(), "smoke": args.smoke, "errors": {}}

    def attempt(name: str, measure) -> None:
        print(f"{name} ...", flush=True)
        try:
            results[name] = measure()
        except Exception as error:  # record it, run the other benchmarks, exit 1
            traceback.print_exc()
            results["errors"][name] = f"{type(error).__name__}: {error}"

    with tempfile.TemporaryDirectory() as tmp:
        if wanted("widgets"):
            from benchmarks import bench_widgets

            if args.notebooks:
                notebooks = [p.resolve() for p in args.notebooks]
            elif args.smoke:
                notebooks = [write_fake_chapter(Path(tmp))]
            else:
                notebooks = bench_widgets.toc_notebooks(ROOT)
            positions = 8 if args.smoke and args.positions == 60 else args.positions
            attempt("widgets", lambda: bench_widgets.bench_notebooks(notebooks, positions))
        if wanted("adam_step"):
            from benchmarks import bench_adam

            attempt("adam_step", lambda: bench_adam.bench(
                **({"n": 10_000, "repeats": 3} if args.smoke else {"repeats": 31})))
        if wanted("sweep"):
            from benchmarks import bench_sweep

            attempt("sweep", lambda: bench_sweep.bench(
                **({"shape": (3, 3), "steps": 400, "stride": 1, "repeats": 1}
                   if args.smoke else {"repeats": 3})))

    results.setdefault("build", {"cold_s": None, "cached_s": None, "skipped": True})
    results.setdefault("tests", {"make_test_s": None, "skipped": True})
    if wanted("build") and not args.quick:
        from benchmarks import bench_make

        def make_timings() -> dict:
            return bench_make.bench(ROOT, args.scratch, args.venv.resolve(),
                                    tests=not args.no_tests, table=report.markdown(results))

        attempt("make", make_timings)
        timings = results.pop("make", None)
        if timings:
            results["build"] = timings["build"]
            results["tests"] = timings.get("tests", results["tests"])
            results["build"]["scratch"] = timings["scratch"]
            if results["tests"].get("passed") is False:
                results["errors"]["tests"] = f"make test failed; see {results['tests']['log']}"
    results.setdefault("widgets", {})
    results.setdefault("adam_step", {"n": None, "dtype": None, "optimlib_ms": None,
                                     "naive_ms": None, "skipped": True})
    results.setdefault("sweep", {"grid": None, "steps": None, "vectorized_s": None,
                                 "loop_s": None, "skipped": True})

    if hasattr(os, "getloadavg"):
        results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print()
    print(report.table(results))
    for name, error in results["errors"].items():
        print(f"ERROR in {name}: {error}")
    misses = report.missed(results)
    for row in misses:
        print(f"MISSED: {row.what}: {row.result} (target {row.target})")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.out}")
    complete = not (args.smoke or args.quick or args.no_tests or only or args.notebooks
                    or results["errors"])
    if complete:
        latest = ROOT / "benchmarks"
        (latest / "latest.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        (latest / "latest.md").write_text(report.markdown(results))
        print(f"wrote {latest / 'latest.json'} and latest.md (the book's Performance page)")
    return 1 if results["errors"] or misses else 0


if __name__ == "__main__":
    sys.exit(main())
