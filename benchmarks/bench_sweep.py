"""A 100 × 100 grid of (lr, β) momentum runs on the 2-D ravine: one call, or a loop.

Vectorized: one `optimlib.run` call whose params have shape (100, 100, 2), with lr of
shape (100, 1) and β of shape (1, 100): hyperparameter arrays align with the leading
(batch) axes of every leaf, so run (i, j) uses lr[i] and β[j]. Only the final params and
the losses are kept (`record=False`), as a sweep needs.

Loop: a plain Python loop over the grid, one `optimlib.run` per (lr, β) with a scalar
lr and β. A full loop takes minutes, so it is timed on an evenly strided sample of the
grid (every `stride`-th lr and β: 10 × 10 runs by default, diverging and converging runs
alike) and scaled to the whole grid; the JSON says so ("loop_sampled_runs",
"loop_scaled"). Both are timed `repeats` times (medians).

Checked: each sampled loop run ends where the vectorized run of the same (lr, β) ends,
with the same loss and the same divergence flag and step.
"""

from __future__ import annotations

import numpy as np

import optimlib as ol
from benchmarks.stats import clock

RAVINE = (1.0, 100.0)  # eigenvalues of the quadratic: condition number 100
START = (-1.0, 0.9)


def grid(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """lr from 0.001 to 0.04 (momentum is stable on the ravine for lr < 2(1 + β)/100, so
    the small-β end diverges above 0.02) and β from 0 to 0.99."""
    return np.linspace(0.001, 0.04, shape[0]), np.linspace(0.0, 0.99, shape[1])


def vectorized(lrs: np.ndarray, betas: np.ndarray, steps: int) -> ol.Trajectory:
    ravine = ol.problems.quadratic(RAVINE)
    params0 = np.broadcast_to(np.array(START), (lrs.size, betas.size, 2)).copy()
    opt = ol.momentum(lr=lrs[:, None], beta=betas[None, :])
    return ol.run(opt, ravine, params0, steps, record=False)


def looped(lrs: np.ndarray, betas: np.ndarray, steps: int, rows, cols) -> dict:
    ravine = ol.problems.quadratic(RAVINE)
    start = np.array(START)
    return {(i, j): ol.run(ol.momentum(lr=float(lrs[i]), beta=float(betas[j])), ravine,
                           start, steps, record=False)
            for i in rows for j in cols}


def check(batch: ol.Trajectory, runs: dict) -> None:
    for (i, j), single in runs.items():
        where = f"run (lr index {i}, beta index {j})"
        if bool(batch.diverged[i, j]) != single.diverged:
            raise AssertionError(f"{where}: diverged {single.diverged} alone, "
                                 f"{bool(batch.diverged[i, j])} in the batch")
        if single.diverged and int(batch.diverged_at[i, j]) != single.diverged_at:
            raise AssertionError(f"{where}: diverged at {single.diverged_at} alone, at "
                                 f"{int(batch.diverged_at[i, j])} in the batch")
        if not np.allclose(batch.final[i, j], single.final, rtol=1e-9, atol=1e-12):
            raise AssertionError(f"{where}: ends at {single.final} alone, at "
                                 f"{batch.final[i, j]} in the batch")


def bench(shape: tuple[int, int] = (100, 100), steps: int = 500, stride: int = 10,
          repeats: int = 5) -> dict:
    lrs, betas = grid(shape)
    rows, cols = range(stride // 2, shape[0], stride), range(stride // 2, shape[1], stride)
    sampled = len(rows) * len(cols)

    vec_s, loop_s = [], []
    for _ in range(repeats):
        start = clock()
        batch = vectorized(lrs, betas, steps)
        vec_s.append(clock() - start)
        start = clock()
        runs = looped(lrs, betas, steps, rows, cols)
        loop_s.append(clock() - start)
    check(batch, runs)

    total = shape[0] * shape[1]
    vectorized_s = float(np.median(vec_s))
    loop_sample_s = float(np.median(loop_s))
    loop_total_s = loop_sample_s * total / sampled
    return {
        "grid": list(shape),
        "steps": steps,
        "vectorized_s": round(vectorized_s, 3),
        "loop_s": round(loop_total_s, 2),
        "speedup": round(loop_total_s / vectorized_s, 1),
        "loop_scaled": sampled < total,
        "loop_sampled_runs": sampled,
        "loop_sample_s": round(loop_sample_s, 3),
        "loop_note": (f"timed on {sampled} of {total} runs (every {stride}th lr and every "
                      f"{stride}th β) and scaled by {total / sampled:g}" if sampled < total
                      else "timed on the whole grid"),
        "diverged_runs": int(np.sum(batch.diverged)),
        "repeats": repeats,
        "matches_loop": True,
    }
