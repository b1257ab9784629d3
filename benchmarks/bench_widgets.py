"""Every live explorer of every chapter, driven headless: how long one slider move takes.

A chapter's live explorers are found by running it: its code cells are executed in a fresh
namespace (with the Agg backend, from the notebook's folder, as Jupyter Book does), with
`optimlib.widgets.live_explorer` wrapped so that every explorer it creates is recorded
with its figure, its `update` function and its sliders. Each explorer's
`.render(**values)` (the chapter's update, then the PNG the reader sees) is then timed at
`positions` slider positions: every slider visits `positions` values spread evenly over
its whole range (snapped to its step), each slider in its own shuffled order so that the
combinations vary too. A Checkbox alternates; a Dropdown or SelectionSlider cycles through
its options.

Reported per explorer, under "<notebook stem>/<variable name>": p50 and p95 of the render
time in ms (wall clock: what the reader waits), the same in CPU time of this thread (on a
busy machine, wall time also counts waiting for a core), and, to tell a slow chapter from
slow drawing, the p50 of the chapter's `update` alone and the number of full redraws
during the drive (0 when blitting works: a non-zero count means `update` changed
something not marked `animated`, such as the axis limits, so every frame redrew the whole
figure).
"""

from __future__ import annotations

import contextlib
import io
import os
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("MPLBACKEND", "Agg")  # before anything imports pyplot

import matplotlib as mpl
import nbformat
import numpy as np

from benchmarks.stats import clock, percentile

mpl.use("Agg")


@dataclass
class Explorer:
    """One live explorer as a chapter created it."""

    box: Any  # the VBox that live_explorer returned (has .render, .renderer)
    update: Callable[..., None]
    sliders: Mapping[str, Any]
    name: str = ""
    cell: int = -1  # index of the notebook cell that created it


@dataclass
class ChapterRun:
    notebook: Path
    explorers: list[Explorer] = field(default_factory=list)
    namespace: dict = field(default_factory=dict)


@contextlib.contextmanager
def recording_live_explorers() -> Iterator[list[Explorer]]:
    """Wrap `optimlib.widgets.live_explorer` so that every explorer made is recorded."""
    from optimlib import widgets

    original, made = widgets.live_explorer, []

    def live_explorer(fig, update, sliders, *args, **kwargs):
        box = original(fig, update, sliders, *args, **kwargs)
        made.append(Explorer(box, update, dict(sliders)))
        return box

    live_explorer.__doc__ = original.__doc__
    widgets.live_explorer = live_explorer
    try:
        yield made
    finally:
        widgets.live_explorer = original


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@contextlib.contextmanager
def chapter(notebook: Path) -> Iterator[ChapterRun]:
    """Execute a notebook's code cells in order, in one namespace, recording its explorers.

    Use as `with chapter(path) as run: ...`: inside, matplotlib's settings are those the
    chapter left, as in its kernel; on exit they are restored. A cell tagged
    `raises-exception` may raise; any other error is re-raised with the notebook and the
    cell named. The chapter's printed output and warnings are discarded.
    """
    nb = nbformat.read(notebook, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    run = ChapterRun(notebook, namespace=namespace)
    sink = io.StringIO()
    with mpl.rc_context():
        mpl.rcdefaults()  # each chapter starts from matplotlib's defaults, as a new kernel
        with (recording_live_explorers() as made, working_directory(notebook.parent),
              contextlib.redirect_stdout(sink), warnings.catch_warnings()):
            warnings.simplefilter("ignore")  # the chapter's own business
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                code = compile(cell.source, f"{notebook.name} (cell {index})", "exec")
                before = len(made)
                try:
                    exec(code, namespace)
                except Exception as error:
                    if "raises-exception" not in cell.metadata.get("tags", []):
                        raise RuntimeError(
                            f"{notebook}: cell {index} failed: {error!r}") from error
                for explorer in made[before:]:
                    explorer.cell = index
                sink.seek(0)
                sink.truncate()
        run.explorers = made
        name_explorers(run)
        yield run


def name_explorers(run: ChapterRun) -> None:
    """Name each explorer after the variable that holds it, else by its order ("live_2")."""
    taken: set[str] = set()
    for i, explorer in enumerate(run.explorers, 1):
        names = sorted(k for k, v in run.namespace.items()
                       if v is explorer.box and not k.startswith("_"))
        name = names[0] if names else f"live_{i}"
        if name in taken:
            name = f"{name}_{i}"
        taken.add(name)
        explorer.name = name


# --- slider positions -------------------------------------------------------------------


def _options(widget: Any) -> list | None:
    values = getattr(widget, "_options_values", None)  # Dropdown, SelectionSlider, ...
    if values is not None:
        return list(values)
    options = getattr(widget, "options", None)
    if options is None:
        return None
    if isinstance(options, Mapping):
        return list(options.values())
    return [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in options]


def _snap(value: float, low: float, high: float, step: float | None) -> float:
    if step:
        value = low + round((value - low) / step) * step
    return float(min(max(round(value, 12), low), high))


def slider_values(widget: Any, n: int) -> list:
    """n values of one control, spread over its whole range (in order)."""
    options = _options(widget)
    if options:
        if len(options) >= n:
            return [options[round(i)] for i in np.linspace(0, len(options) - 1, n)]
        return [options[i % len(options)] for i in range(n)]
    value = getattr(widget, "value", None)
    if isinstance(value, bool):  # Checkbox, ToggleButton
        return [i % 2 == 1 for i in range(n)]
    low, high = getattr(widget, "min", None), getattr(widget, "max", None)
    if low is None or high is None:
        return [value] * n  # a Text or the like: held at its value
    step = getattr(widget, "step", None)
    base = getattr(widget, "base", None)  # FloatLogSlider: min and max are exponents
    grid = np.linspace(low, high, n)
    values = [_snap(x, low, high, step) for x in grid]
    if base is not None:
        values = [float(base) ** x for x in values]
    if isinstance(value, tuple):  # a range slider: (low, high) pairs around the middle
        mid = (low + high) / 2
        return [(min(v, mid), max(v, mid)) for v in values]
    if isinstance(value, int):
        values = [round(v) for v in values]
    return values


def positions(sliders: Mapping[str, Any], n: int, seed: int = 0) -> list[dict]:
    """n keyword dicts for `render`: slider k visits its n values in its own shuffled order
    (the first one in order), so that every slider covers its range and pairs vary."""
    rng = np.random.default_rng(seed)
    columns = {}
    for k, (name, widget) in enumerate(sliders.items()):
        values = slider_values(widget, n)
        order = np.arange(n) if k == 0 else rng.permutation(n)
        columns[name] = [values[i] for i in order]
    return [{name: columns[name][i] for name in sliders} for i in range(n)]


# --- the benchmark ----------------------------------------------------------------------


def drive(explorer: Explorer, n: int) -> dict:
    """Time `render` at n positions, then `update` alone at the same positions."""
    moves = positions(explorer.sliders, n)
    draws = explorer.box.renderer.full_draws
    render_ms, cpu_ms = [], []
    for values in moves:
        start, cpu = clock(), time.thread_time()
        png = explorer.box.render(**values)
        render_ms.append((clock() - start) * 1e3)
        cpu_ms.append((time.thread_time() - cpu) * 1e3)
        if png[:8] != b"\x89PNG\r\n\x1a\n":
            raise RuntimeError(f"{explorer.name}: render did not return a PNG")
    full_draws = explorer.box.renderer.full_draws - draws
    update_ms = []
    for values in moves:
        start = clock()
        explorer.update(**values)
        update_ms.append((clock() - start) * 1e3)
    return {
        "p50_ms": round(percentile(render_ms, 50), 2),
        "p95_ms": round(percentile(render_ms, 95), 2),
        "max_ms": round(max(render_ms), 2),
        "cpu_p50_ms": round(percentile(cpu_ms, 50), 2),
        "cpu_p95_ms": round(percentile(cpu_ms, 95), 2),
        "update_p50_ms": round(percentile(update_ms, 50), 2),
        "full_redraws": full_draws,
        "positions": n,
        "sliders": list(explorer.sliders),
        "cell": explorer.cell,
    }


def bench_notebooks(notebooks: list[Path], n: int = 60, log: Callable[[str], None] = print,
                    ) -> dict[str, dict]:
    """{"<stem>/<explorer>": timings} for every live explorer of these notebooks."""
    results: dict[str, dict] = {}
    for notebook in notebooks:
        start = clock()
        with chapter(notebook) as run:
            log(f"  {notebook.name}: executed in {clock() - start:.1f} s, "
                f"{len(run.explorers)} live explorer(s)")
            for explorer in run.explorers:
                key = f"{notebook.stem}/{explorer.name}"
                results[key] = drive(explorer, n)
                log(f"    {key}: p50 {results[key]['p50_ms']} ms, "
                    f"p95 {results[key]['p95_ms']} ms")
        del run
    return results


def toc_notebooks(root: Path) -> list[Path]:
    """The notebooks listed in the book's _toc.yml, in reading order (tools/toc.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("toc", root / "tools" / "toc.py")
    assert spec is not None and spec.loader is not None
    toc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(toc)
    return toc.toc_notebooks()
