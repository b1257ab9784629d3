"""The targets, the printed table, and the Markdown table of the book's Performance page."""

from __future__ import annotations

from dataclasses import dataclass

# The targets of issue 11.
WIDGET_P95_MS = 50.0
ADAM_RATIO = 0.6
SWEEP_S = 1.0
SWEEP_SPEEDUP = 50.0
CACHED_BUILD_S = 30.0
MAKE_TEST_S = 600.0


@dataclass
class Row:
    what: str
    result: str
    target: str
    ok: bool | None  # None: no target, or not measured

    @property
    def status(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.ok]


def _mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB"


def _count(n: int) -> str:
    """10⁷ for a power of ten, else 12,345."""
    digits = len(str(n)) - 1
    if n >= 100 and n == 10**digits:
        return "10" + str(digits).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{n:,}"


def rows(results: dict) -> list[Row]:
    """One row per measurement, with its target and whether it is met (not judged in a
    smoke run: its sizes are tiny)."""
    out: list[Row] = []
    for key, w in results.get("widgets", {}).items():
        out.append(Row(f"live widget {key}",
                       f"p50 {w['p50_ms']:.1f} ms, p95 {w['p95_ms']:.1f} ms "
                       f"(update alone {w['update_p50_ms']:.1f} ms)",
                       f"p95 ≤ {WIDGET_P95_MS:g} ms", w["p95_ms"] <= WIDGET_P95_MS))
    adam = results.get("adam_step")
    if adam and adam.get("optimlib_ms") is not None:
        ok = adam["ratio"] <= ADAM_RATIO and adam["dtype_kept"]
        out.append(Row(f"Adam step, {_count(adam['n'])} {adam['dtype']}",
                       f"optimlib {adam['optimlib_ms']:.1f} ms, naive {adam['naive_ms']:.1f} ms "
                       f"({adam['ratio']:.2f}×), {adam['dtype']} kept",
                       f"≤ {ADAM_RATIO:g}× naive, dtype kept", ok))
        out.append(Row("Adam step, peak memory",
                       f"optimlib {_mb(adam['optimlib_peak_bytes'])} "
                       f"({adam['optimlib_peak_in_params']:g}× the params), naive "
                       f"{_mb(adam['naive_peak_bytes'])} ({adam['naive_peak_in_params']:g}×)",
                       "", None))
    sweep = results.get("sweep")
    if sweep and sweep.get("vectorized_s") is not None:
        g = "×".join(map(str, sweep["grid"]))
        loop = f"loop {sweep['loop_s']:.0f} s" + (
            f" (scaled from {sweep['loop_sampled_runs']} runs)" if sweep["loop_scaled"] else "")
        ok = sweep["vectorized_s"] <= SWEEP_S and sweep["speedup"] >= SWEEP_SPEEDUP
        out.append(Row(f"sweep {g} (lr, β) × {sweep['steps']} steps",
                       f"one call {sweep['vectorized_s']:.2f} s, {loop}: "
                       f"{sweep['speedup']:.0f}× faster",
                       f"≤ {SWEEP_S:g} s, ≥ {SWEEP_SPEEDUP:g}× the loop", ok))
    build = results.get("build") or {}
    if build.get("cached_s") is not None:
        out.append(Row("make html", f"cold {build['cold_s']:.0f} s, cached "
                       f"{build['cached_s']:.0f} s, one chapter touched "
                       f"{build['touch_one_chapter_s']:.0f} s, nothing changed "
                       f"{build['noop_s']:.1f} s",
                       f"cached ≤ {CACHED_BUILD_S:g} s", build["cached_s"] <= CACHED_BUILD_S))
    tests = results.get("tests") or {}
    if tests.get("make_test_s") is not None:
        failed = ", but a test FAILED" if tests.get("passed") is False else ""
        out.append(Row("make test", f"{tests['make_test_s']:.0f} s on {tests['cores']} cores"
                       + failed,
                       f"≤ {MAKE_TEST_S / 60:g} min", tests["make_test_s"] <= MAKE_TEST_S))
    if results.get("smoke"):
        for row in out:
            row.ok = None
    return out


def missed(results: dict) -> list[Row]:
    return [row for row in rows(results) if row.ok is False]


def table(results: dict) -> str:
    """The rows as an aligned plain-text table."""
    data = [("benchmark", "result", "target", "")]
    data += [(r.what, r.result, r.target, r.status) for r in rows(results)]
    widths = [max(len(row[i]) for row in data) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in data]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def skipped(results: dict) -> list[str]:
    return [key for key in ("build", "tests") if (results.get(key) or {}).get("skipped")]


def markdown(results: dict) -> str:
    """The table and where it was measured, as MyST Markdown for the Performance page."""
    m = results["machine"]
    busy = (" (the machine was shared with other work, which slows every measurement)"
            if m["load_average_at_start"][0] >= 0.5 * m["cores"] else "")
    lines = [
        f"Measured on {m['date']} by `make bench`, on {m['cpu']} ({m['cores']} cores, "
        f"{m['system']}; Python {m['python']}, NumPy {m['numpy']}, Matplotlib "
        f"{m['matplotlib']}), with a load average of {m['load_average_at_start'][0]:g} at "
        f"the start{busy}; times are medians over repeated runs, except those of `make`, "
        "timed once.",
        "",
        "| benchmark | result | target | status |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r.what} | {r.result} | {r.target} | {r.status} |" for r in rows(results)]
    if skipped(results):
        lines += ["", f"Not measured in this run: {', '.join(skipped(results))}."]
    sweep = results.get("sweep") or {}
    if sweep.get("loop_scaled"):
        lines += ["", f"The sweep's Python loop was {sweep['loop_note']}."]
    return "\n".join(lines) + "\n"
