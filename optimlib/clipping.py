"""Gradient clipping: pure functions on gradient trees, and ``clipped`` to use them.

.. code-block:: text

    by value:        g_i ← clip(g_i, −limit, limit)           (each entry)
    by norm:         g ← g · min(1, max_norm / (‖g‖ + 1e-6))   (each leaf by its own norm)
    by global norm:  the same with ‖g‖ = √(Σ_leaves ‖g_leaf‖²)  (one factor for all leaves)

Clipping by value can change the gradient's direction; clipping by a norm only
shortens it. The 1e-6 is torch's (``torch.nn.utils.clip_grad_norm_``), so the
numbers match. ``batch_ndim=k`` says that the first k axes of every leaf index
independent runs (a hyperparameter grid): norms are then taken per run.
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from .base import Hyper, Optimizer, align, check_grads, check_positive, per_leaf
from .tree import Tree, tree_map, tree_paths


def _sum_of_squares(grads: Tree, batch_ndim: int) -> list[np.ndarray]:
    sums = []
    for path, g in tree_paths(grads):
        g = np.asarray(g)
        if g.ndim < batch_ndim:
            raise ValueError(f"grads{path} has {g.ndim} axes, fewer than batch_ndim={batch_ndim}")
        sums.append(np.sum(np.square(g), axis=tuple(range(batch_ndim, g.ndim))))
    return sums


def _rescale(grads: Tree, norms: Any, max_norm: Hyper) -> Tree:
    max_norm = align(max_norm, norms, "max_norm", "the batch of norms")
    scale = np.minimum(1.0, max_norm / (norms + 1e-6))  # one factor per run
    return tree_map(lambda g: g * align(scale, g), grads)


def global_norm(grads: Tree, batch_ndim: int = 0) -> Any:
    """The Euclidean norm of all the gradients together: ``√(Σ_leaves Σ_i g_i²)``.

    Args:
      grads: a gradient tree.
      batch_ndim: number of leading batch axes; the norm is taken per run.

    Returns:
      A scalar, or an array of the batch shape.

    Example:
      >>> float(global_norm({"w": np.array([3.0, 0.0]), "b": 4.0}))
      5.0
    """
    return np.sqrt(sum(_sum_of_squares(grads, batch_ndim), start=0.0))


def clip_by_value(grads: Tree, limit: Hyper) -> Tree:
    """Clip every entry to [−limit, limit] (``torch.nn.utils.clip_grad_value_``).

    Args:
      grads: a gradient tree.
      limit: > 0; a float or an array matching the leading (batch) axes.

    Returns:
      The clipped tree (a new one; ``grads`` is unchanged).

    Example:
      >>> clip_by_value({"w": np.array([0.5, -3.0])}, 1.0)
      {'w': array([ 0.5, -1. ])}
    """
    [limits] = per_leaf(grads, tree_name="grads", limit=check_positive("limit", limit))
    return tree_map(lambda g, c: np.clip(g, -c, c), grads, limits)


def clip_by_norm(grads: Tree, max_norm: Hyper, batch_ndim: int = 0) -> Tree:
    """Shorten each leaf whose own norm exceeds ``max_norm`` (direction kept).

    .. code-block:: text

        g_leaf ← g_leaf · min(1, max_norm / (‖g_leaf‖ + 1e-6))

    Same as calling ``torch.nn.utils.clip_grad_norm_`` on each tensor separately.

    Args:
      grads: a gradient tree.
      max_norm: > 0; a float or an array matching the batch axes.
      batch_ndim: number of leading batch axes; norms are taken per run.

    Returns:
      The clipped tree.

    Example:
      >>> clipped_grads = clip_by_norm({"w": np.array([3.0, 4.0]), "b": np.array([0.5])}, 1.0)
      >>> print(np.round(clipped_grads["w"], 6), clipped_grads["b"])  # ‖w‖ = 5 > 1, ‖b‖ < 1
      [0.6 0.8] [0.5]
    """
    max_norm = check_positive("max_norm", max_norm)
    return tree_map(lambda g: _rescale(g, global_norm(g, batch_ndim), max_norm), grads)


def clip_by_global_norm(grads: Tree, max_norm: Hyper, batch_ndim: int = 0) -> Tree:
    """Shorten all gradients by one factor so that their global norm is <= ``max_norm``.

    .. code-block:: text

        g ← g · min(1, max_norm / (‖g‖ + 1e-6)),   ‖g‖ = global_norm(g)

    Same as ``torch.nn.utils.clip_grad_norm_(parameters, max_norm)``.

    Args:
      grads: a gradient tree.
      max_norm: > 0; a float or an array matching the batch axes.
      batch_ndim: number of leading batch axes; one norm per run.

    Returns:
      The clipped tree.

    Example:
      >>> clipped_grads = clip_by_global_norm({"w": np.array([3.0, 0.0]), "b": 4.0}, 1.0)
      >>> print(np.round(clipped_grads["w"], 6), np.round(clipped_grads["b"], 6))
      [0.6 0. ] 0.8
    """
    max_norm = check_positive("max_norm", max_norm)
    return _rescale(grads, global_norm(grads, batch_ndim), max_norm)


def clipped(
    opt: Optimizer,
    *,
    value: Hyper | None = None,
    norm: Hyper | None = None,
    global_norm: Hyper | None = None,
    batch_ndim: int = 0,
) -> Optimizer:
    """Wrap an optimizer so that it clips the gradients before each step.

    Give exactly one of ``value`` (clip_by_value), ``norm`` (clip_by_norm) or
    ``global_norm`` (clip_by_global_norm)::

        opt = clipped(momentum(lr=0.01, beta=0.9), global_norm=1.0)

    Args:
      opt: any optimizer.
      value, norm, global_norm: the limit of the chosen kind of clipping (> 0).
      batch_ndim: leading batch axes of the params (norms are taken per run). With
        batched params and the default 0, norm and global-norm clipping take one norm
        over all the runs together, which couples them: pass the number of batch axes
        (``ol.run(opt, ..., clip=c)`` does this by itself).

    Returns:
      An :class:`~optimlib.base.Optimizer` with the same state as ``opt``.

    Example:
      >>> from optimlib import sgd
      >>> opt = clipped(sgd(lr=1.0), value=0.5)
      >>> opt.step(np.array([0.0, 0.0]), np.array([0.1, -7.0]), opt.init(None))[0]
      array([-0.1,  0.5])
    """
    given = {k: v for k, v in dict(value=value, norm=norm, global_norm=global_norm).items()
             if v is not None}
    if len(given) != 1:
        raise ValueError(f"clipped needs exactly one of value, norm, global_norm; got {given}")
    [(kind, limit)] = given.items()
    limit = check_positive(kind, limit)
    clip: Callable[[Tree], Tree] = {
        "value": lambda g: clip_by_value(g, limit),
        "norm": lambda g: clip_by_norm(g, limit, batch_ndim),
        "global_norm": lambda g: clip_by_global_norm(g, limit, batch_ndim),
    }[kind]

    def step(params: Tree, grads: Tree, state: Any) -> tuple[Tree, Any]:
        return opt.step(params, clip(check_grads(params, grads)), state)

    return Optimizer(opt.init, step)

