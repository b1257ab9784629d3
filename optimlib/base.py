"""What every optimizer shares: the ``Optimizer`` pair and the input checks.

An optimizer is built by a factory such as ``sgd(lr=0.1)``. The factory checks its
hyperparameters once and returns two pure functions::

    state = opt.init(params)
    params, state = opt.step(params, grads, state)

``step`` never changes its inputs; it returns new params (same structure, shapes
and dtypes) and a new state, a small NamedTuple named after the equations.

Hyperparameters are floats or arrays. An array runs a *batch* of optimizations at
once (a grid of learning rates, say): it is matched to the leading (batch) axes of
every leaf, so ``lr`` of shape ``(G, 1)`` pairs row ``i`` of a ``(G, H, 2)`` leaf, and
of a ``(G, H)`` leaf, with ``lr[i]``.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .tree import Tree, tree_map_with_path

Hyper = float | np.ndarray  # a checked hyperparameter


class Optimizer(NamedTuple):
    """A pair of pure functions: ``init(params) -> state`` and
    ``step(params, grads, state) -> (params, state)``."""

    init: Callable[[Tree], Any]
    step: Callable[[Tree, Tree, Any], tuple[Tree, Any]]


def _check(name: str, value: Any, ok: Callable[[np.ndarray], np.ndarray], rule: str) -> Hyper:
    a = np.array(value)  # a copy: changing the caller's array later changes nothing here
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number or array of them, got {value!r}")
    a = a.astype(float)
    bad = ~ok(a)  # NaN fails every rule
    if bad.any():
        first = a[bad].flat[0]
        where = "" if a.ndim == 0 else f" (at index {tuple(int(i) for i in np.argwhere(bad)[0])})"
        raise ValueError(f"{name} must be {rule}, got {first}{where}")
    if a.ndim == 0:
        return float(a)  # a Python float keeps float32 params float32
    a.flags.writeable = False
    return a


def check_lr(lr: Any) -> Hyper:
    """Check a learning rate: finite and >= 0.

    Example:
      >>> check_lr(0.1)
      0.1
      >>> check_lr(-0.1)
      Traceback (most recent call last):
      ...
      ValueError: lr must be finite and >= 0, got -0.1
    """
    return _check("lr", lr, lambda a: np.isfinite(a) & (a >= 0), "finite and >= 0")


def check_beta(name: str, value: Any) -> Hyper:
    """Check a decay rate such as ``beta1``: in [0, 1).

    Example:
      >>> check_beta("beta1", np.array([0.9, 1.0]))
      Traceback (most recent call last):
      ...
      ValueError: beta1 must be in [0, 1), got 1.0 (at index (1,))
    """
    return _check(name, value, lambda a: (a >= 0) & (a < 1), "in [0, 1)")


def check_positive(name: str, value: Any) -> Hyper:
    """Check that a hyperparameter such as ``eps`` or ``max_norm`` is > 0 (inf allowed).

    Example:
      >>> check_positive("eps", 0.0)
      Traceback (most recent call last):
      ...
      ValueError: eps must be > 0, got 0.0
    """
    return _check(name, value, lambda a: a > 0, "> 0")


def check_nonneg(name: str, value: Any) -> Hyper:
    """Check that a hyperparameter such as ``weight_decay`` is finite and >= 0.

    Example:
      >>> check_nonneg("weight_decay", 0.01)
      0.01
    """
    return _check(name, value, lambda a: np.isfinite(a) & (a >= 0), "finite and >= 0")


def _check_leaf(name: str, x: Any) -> np.dtype:
    dtype = np.asarray(x).dtype
    if dtype.kind != "f":
        raise TypeError(
            f"{name} has dtype {dtype}; optimizers need real floating-point arrays "
            "(convert with .astype(float))"
        )
    return dtype


def check_grads(params: Tree, grads: Tree) -> Tree:
    """Check that ``grads`` fits ``params``; return the grads as arrays of the params' dtypes.

    Every ``step`` calls this before computing anything, so a step that raises has
    changed nothing.

    Args:
      params: the parameter tree.
      grads: a tree of the same structure with leaves of the same shapes.

    Returns:
      ``grads`` with every leaf an array of its parameter's dtype (float32 stays float32).

    Raises:
      ValueError: structure or shapes differ (the message names the leaf).
      TypeError: a leaf of params or grads is not a real floating-point array.

    Example:
      >>> params = {"W1": np.zeros((2, 3)), "b1": np.zeros(3)}
      >>> check_grads(params, {"W1": np.zeros(3), "b1": np.zeros(3)})
      Traceback (most recent call last):
      ...
      ValueError: grads['W1'] has shape (3,), params['W1'] has shape (2, 3)
    """

    def check(path: str, p: Any, g: Any) -> np.ndarray:
        dtype = _check_leaf(f"params{path}", p)
        _check_leaf(f"grads{path}", g)
        if np.shape(g) != np.shape(p):
            raise ValueError(
                f"grads{path} has shape {np.shape(g)}, params{path} has shape {np.shape(p)}"
            )
        return np.asarray(g, dtype=dtype)

    return tree_map_with_path(check, params, grads, names=("params", "grads"))


def align(h: Hyper, x: Any, name: str = "hyperparameter", where: str = "") -> Hyper:
    """Match a hyperparameter to the leading (batch) axes of the array ``x``.

    A scalar is returned as a Python float (which keeps float32 arrays float32). An
    array of shape ``s`` is reshaped to ``s + (1,) * (x.ndim - len(s))`` and cast to
    ``x``'s dtype; it must then broadcast to ``x``'s shape without changing it.

    Example:
      >>> align(np.array([0.1, 0.2]), np.zeros((2, 3))).shape
      (2, 1)
      >>> align(np.array([0.1, 0.2]), np.zeros((3, 2)), "lr", "params")
      Traceback (most recent call last):
      ...
      ValueError: lr of shape (2,) does not fit params of shape (3, 2): ...
    """
    if np.ndim(h) == 0:
        return float(h)
    shape = np.shape(x)
    padded = h.shape + (1,) * (len(shape) - h.ndim)
    if h.ndim > len(shape) or any(a not in (1, b) for a, b in zip(padded, shape, strict=True)):
        raise ValueError(
            f"{name} of shape {h.shape} does not fit {where} of shape {shape}: "
            "an array hyperparameter must match the leading (batch) axes of every leaf"
        )
    return h.reshape(padded).astype(np.asarray(x).dtype, copy=False)


def per_leaf(params: Tree, *, tree_name: str = "params", **hypers: Hyper) -> tuple[Tree, ...]:
    """For each hyperparameter, a tree holding its value matched to each leaf (see align).

    Example:
      >>> params = {"w": np.zeros((2, 3)), "b": np.zeros(2)}  # 2 runs
      >>> lr, beta = per_leaf(params, lr=np.array([0.1, 0.2]), beta=0.9)
      >>> lr["w"].shape, lr["b"].shape, beta
      ((2, 1), (2,), {'w': 0.9, 'b': 0.9})
    """

    def matched(name: str, h: Hyper) -> Tree:
        return tree_map_with_path(lambda path, p: align(h, p, name, tree_name + path), params)

    return tuple(matched(name, h) for name, h in hypers.items())
