"""The benchmarks (benchmarks/, `make bench`) cannot rot: a smoke run on tiny sizes, and
checks of the parts that decide what is measured (slider positions, explorer discovery,
targets).

The smoke run executes benchmarks/run.py --smoke as `make bench` would, on a small fake
chapter, a 10⁴-parameter Adam step and a 3 × 3 sweep: it fails if a benchmark raises, if
optimlib's Adam stops matching the textbook formula or keeping float32, or if the
vectorized sweep stops matching the loop. No timing is asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ipywidgets as W
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
ISSUE_KEYS = {
    "widgets": None,
    "adam_step": {"n", "dtype", "optimlib_ms", "naive_ms"},
    "sweep": {"grid", "steps", "vectorized_s", "loop_s"},
    "build": {"cold_s", "cached_s"},
    "tests": {"make_test_s"},
}


@pytest.fixture
def bench(monkeypatch):
    """The benchmarks package, importable however pytest was started."""
    monkeypatch.syspath_prepend(str(ROOT))
    import benchmarks.bench_widgets
    import benchmarks.report

    return benchmarks


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(out.read_text()), done.stdout


def test_smoke_run_writes_the_issue_keys(smoke):
    results, stdout = smoke
    assert not results["errors"]
    for key, fields in ISSUE_KEYS.items():
        assert key in results, f"bench.json lacks {key!r}"
        if fields:
            assert fields <= set(results[key]), f"{key} lacks {fields - set(results[key])}"
    assert results["build"]["skipped"] and results["tests"]["skipped"]
    assert "benchmark" in stdout and "Adam step" in stdout  # the printed table


def test_smoke_run_drives_the_live_explorer(smoke):
    results, _ = smoke
    assert set(results["widgets"]) == {"smoke_chapter/live"}
    w = results["widgets"]["smoke_chapter/live"]
    assert 0 < w["p50_ms"] <= w["p95_ms"] <= w["max_ms"]
    assert w["sliders"] == ["a", "n", "flip", "kind", "scale", "lr"]
    assert w["full_redraws"] == 0  # blitting: only the animated line is redrawn


def test_smoke_run_checks_adam_and_the_sweep(smoke):
    results, _ = smoke
    adam, sweep = results["adam_step"], results["sweep"]
    assert adam["dtype"] == "float32" and adam["dtype_kept"] and adam["matches_naive"]
    assert adam["optimlib_peak_bytes"] > 0 and adam["naive_peak_bytes"] > 0
    assert sweep["matches_loop"] and sweep["diverged_runs"] > 0  # both kinds of run compared
    assert sweep["loop_scaled"] is False


def test_slider_positions_cover_every_range(bench):
    sliders = {
        "lr": W.FloatSlider(value=0.015, min=0.001, max=0.0205, step=0.0005),
        "k": W.IntSlider(value=3, min=1, max=4),
        "on": W.Checkbox(value=False),
        "kind": W.Dropdown(options=[("sine", "sin"), ("cosine", "cos")]),
        "log": W.FloatLogSlider(value=1.0, base=10, min=-2, max=0, step=0.5),
    }
    moves = bench.bench_widgets.positions(sliders, 30)
    assert len(moves) == 30
    lrs = sorted(m["lr"] for m in moves)
    assert lrs[0] == 0.001 and lrs[-1] == 0.0205 and len(set(lrs)) == 30
    assert all(abs((lr - 0.001) / 0.0005 - round((lr - 0.001) / 0.0005)) < 1e-9 for lr in lrs)
    assert {m["k"] for m in moves} == {1, 2, 3, 4}
    assert {m["on"] for m in moves} == {False, True}
    assert {m["kind"] for m in moves} == {"sin", "cos"}
    assert min(m["log"] for m in moves) == pytest.approx(0.01)
    assert max(m["log"] for m in moves) == pytest.approx(1.0)
    assert [m["lr"] for m in moves] != lrs or [m["k"] for m in moves] != sorted(
        m["k"] for m in moves)  # the sliders do not all move together


def notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, path)
    return path


def test_every_live_explorer_is_found_and_named(bench, tmp_path):
    setup = ("import ipywidgets as W\nfrom optimlib import plots, widgets\n"
             "fig, ax = plots.figure()\nline = ax.plot([0, 1], animated=True)[0]\n"
             "def update(a): line.set_ydata([0, a])")
    make = "widgets.live_explorer(fig, update, {'a': W.FloatSlider(1.0, min=0, max=2)})"
    path = notebook(tmp_path / "two.ipynb", setup, f"first = {make}", make)
    with bench.bench_widgets.chapter(path) as run:
        assert [e.name for e in run.explorers] == ["first", "live_2"]
        assert [e.cell for e in run.explorers] == [1, 2]
    result = bench.bench_widgets.bench_notebooks([path], n=30, log=lambda _: None)
    assert set(result) == {"two/first", "two/live_2"}


def test_a_failing_chapter_is_reported(bench, tmp_path):
    path = notebook(tmp_path / "broken.ipynb", "x = 1", "1 / 0")
    with pytest.raises(RuntimeError, match=r"cell 1 failed"):
        with bench.bench_widgets.chapter(path):
            pass


def test_toc_notebooks_are_discovered(bench):
    found = bench.bench_widgets.toc_notebooks(ROOT)
    assert set(found) == set((ROOT / "chapters").glob("*.ipynb"))  # as _toc.yml lists them


def test_missed_targets_are_reported(bench):
    report = bench.report
    results = {
        "machine": {"date": "today", "cpu": "cpu", "cores": 2, "system": "Linux",
                    "python": "3", "numpy": "2", "matplotlib": "3",
                    "load_average_at_start": [1.0, 1.0, 1.0]},
        "widgets": {"ch/fast": {"p50_ms": 5.0, "p95_ms": 9.0, "update_p50_ms": 1.0},
                    "ch/slow": {"p50_ms": 40.0, "p95_ms": 51.0, "update_p50_ms": 35.0}},
        "adam_step": {"n": 10**7, "dtype": "float32", "optimlib_ms": 70.0, "naive_ms": 100.0,
                      "ratio": 0.7, "dtype_kept": True, "optimlib_peak_bytes": 1.2e8,
                      "naive_peak_bytes": 2.8e8, "optimlib_peak_in_params": 3.0,
                      "naive_peak_in_params": 7.0},
        "sweep": {"grid": [100, 100], "steps": 500, "vectorized_s": 0.5, "loop_s": 20.0,
                  "speedup": 40.0, "loop_scaled": True, "loop_sampled_runs": 100,
                  "loop_note": "sampled"},
        "build": {"cold_s": 100.0, "cached_s": 31.0, "touch_one_chapter_s": 5.0,
                  "noop_s": 0.1},
        "tests": {"make_test_s": 599.0, "cores": 2},
    }
    missed = {row.what for row in report.missed(results)}
    assert missed == {"live widget ch/slow", "Adam step, 10⁷ float32",
                      "sweep 100×100 (lr, β) × 500 steps", "make html"}
    page = report.markdown(results)
    assert page.count("| MISSED |") == 4 and "ch/fast" in page and "sampled" in page
    assert "10⁷" in report.table(results)
