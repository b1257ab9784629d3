"""Run an optimizer on a problem and keep the path, the losses and any divergence."""

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from .base import Optimizer, check_positive
from .clipping import clip_by_global_norm
from .problems import Problem
from .tree import Tree, tree_leaves, tree_map


class Trajectory(NamedTuple):
    params: Tree | None  # the path: each leaf stacked on a new first axis (None if not recorded)
    losses: np.ndarray  # shape (steps + 1, *batch): losses[0] is the starting loss
    final: Tree  # the last (finite) params
    diverged: bool | np.ndarray  # one flag, or one per run of a batch
    diverged_at: int | np.ndarray | None  # first non-finite step (None, or -1 in a batch)
    states: Any = None  # with record_state: the optimizer's state before each step and after
    # the last, each leaf stacked on a new first axis like ``params`` (None leaves stay None)


def _finite(tree: Tree, batch_ndim: int) -> np.ndarray:
    """Whether every entry of every leaf is finite, per run of the batch."""
    flags = np.True_
    for x in [tree] if isinstance(tree, np.ndarray) else tree_leaves(tree):  # (a shortcut)
        ok = np.isfinite(x)
        if not ok.all():  # the per-run reduction is slow, so only when needed
            flags = flags & ok.all(axis=tuple(range(batch_ndim, ok.ndim)))
    return flags


def _where(alive: np.ndarray, new: Tree, old: Tree) -> Tree:
    """Leaf by leaf, ``new`` for the runs that are alive and ``old`` for the others."""

    def pick(x: Any, y: Any) -> np.ndarray:
        return np.where(alive.reshape(alive.shape + (1,) * (np.ndim(x) - alive.ndim)), x, y)

    return tree_map(pick, new, old)


def run(opt: Optimizer, problem: Problem, params0: Tree, steps: int,
        clip: float | Callable[[Tree], Tree] | None = None, record: bool = True,
        record_state: bool = False) -> Trajectory:
    """Take ``steps`` optimizer steps on ``problem`` from ``params0``.

    .. code-block:: text

        θ₀ = params0;   θ_{t+1}, state = opt.step(θ_t, clip(∇f(θ_t)), state),  t = 0 … steps−1

    The batch shape is the shape of ``problem.loss(params0)``: ``()`` for one run,
    ``(G1, G2)`` for a grid of runs (params of shape (G1, G2, 2) on a 2-D problem,
    hyperparameters shaped (G1, 1) and (1, G2)).

    A single run that goes non-finite (loss or params) stops: its arrays end at the
    last finite step and ``diverged_at`` is the step that failed. In a batch, a run
    that goes non-finite is frozen at its last finite params and its later losses
    are ``inf``, while the others go on. Overflow warnings are silenced.

    Args:
      opt: the optimizer.
      problem: the problem (``problem.reset()`` is called first, so stochastic
        gradients repeat from run to run).
      params0: starting params.
      steps: number of steps, >= 0.
      clip: None; a float, the max global norm of the gradient (per run); or a
        function grads -> grads.
      record: keep the whole path of params (else ``params`` is None).
      record_state: also keep the optimizer's state at every step (``states``, for
        example an Adam run's moments ``states.m`` and ``states.v``, each of shape
        (steps + 1, *leaf shape)); in a batch, a run's recorded state is meaningless
        after it diverged.

    Returns:
      A :class:`Trajectory`.

    Example:
      >>> from optimlib import problems, sgd
      >>> ravine = problems.quadratic((1.0, 100.0))
      >>> traj = run(sgd(lr=0.01), ravine, np.array([1.0, 1.0]), steps=100)
      >>> traj.params.shape, traj.losses.shape, traj.diverged
      ((101, 2), (101,), False)
      >>> from optimlib import adam
      >>> moments = run(adam(0.1), ravine, np.array([1.0, 1.0]), 20, record_state=True).states
      >>> moments.t.tolist()[:4], moments.v.shape  # the step count and v, before each step
      ([0, 1, 2, 3], (21, 2))
      >>> blowup = run(sgd(lr=0.03), ravine, np.array([1.0, 1.0]), steps=1000)  # lr > 2/100
      >>> blowup.diverged, blowup.diverged_at, len(blowup.losses)
      (True, 509, 509)
    """
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps}")
    max_norm = None if clip is None or callable(clip) else check_positive("clip", clip)
    problem.reset()
    with np.errstate(all="ignore"):  # overflow is detected below, not warned about
        loss = np.asarray(problem.loss(params0))
        if not np.all(np.isfinite(loss)):
            raise ValueError(f"the loss at params0 is not finite: {loss}")
        batch, batch_ndim = loss.shape, loss.ndim
        if max_norm is not None:
            clip = partial(clip_by_global_norm, max_norm=max_norm, batch_ndim=batch_ndim)
        state, params = opt.init(params0), params0
        losses, path, states = [loss], [params0], [state]
        alive = np.ones(batch, dtype=bool)
        all_alive = True  # = alive.all(), kept as a Python bool: the loop is hot
        diverged_at = np.full(batch, -1)
        for t in range(1, steps + 1):
            grads = problem.grad(params)
            new, new_state = opt.step(params, clip(grads) if clip else grads, state)
            loss = np.asarray(problem.loss(new))
            finite = np.isfinite(loss) & _finite(new, batch_ndim)
            if not finite.all():
                if batch_ndim == 0:  # a single run stops
                    diverged_at[()] = t
                    break
                diverged_at[alive & ~finite] = t
                alive &= finite
                all_alive = False
            if not all_alive:  # in a batch, freeze the runs that went non-finite
                new = _where(alive, new, params)
                loss = np.where(alive, loss, np.inf)
            params, state = new, new_state
            losses.append(loss)
            if record:
                path.append(params)
            if record_state:
                states.append(state)
    stacked = tree_map(lambda *xs: np.stack(xs), *path) if record else None
    state_path = (tree_map(lambda *xs: None if xs[0] is None else np.stack(xs), *states)
                  if record_state else None)
    if batch_ndim == 0:
        at = int(diverged_at) if diverged_at >= 0 else None
        return Trajectory(stacked, np.stack(losses), params, at is not None, at, state_path)
    return Trajectory(stacked, np.stack(losses), params, diverged_at >= 0, diverged_at,
                      state_path)
