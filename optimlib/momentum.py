"""Momentum: gradient descent with a velocity that remembers past gradients.

Three conventions are in use; with a constant lr they take the same steps:

.. code-block:: text

    PyTorch (momentum):                   v ← β v + g,           θ ← θ − lr · v
    EMA form (ema_momentum):              v ← β v + (1 − β) g,   θ ← θ − lr · v
    velocity form (Sutskever, seed 003):  u ← β u − lr · g,      θ ← θ + u

The velocity u is −lr · v, and the EMA velocity is (1 − β) times PyTorch's, so
``ema_momentum(lr, β)`` takes exactly the steps of ``momentum(lr · (1 − β), β)``.
(They differ once lr changes during training: PyTorch's form applies a new lr to
the whole velocity at once.) All start from v₀ = 0; PyTorch starts its buffer at
g₁, which is what v₁ = β · 0 + g₁ gives, so the numbers are identical.
"""

from typing import NamedTuple

import numpy as np

from .base import Hyper, Optimizer, check_beta, check_grads, check_lr, per_leaf
from .ema import update_moment
from .tree import Tree, tree_map, tree_zeros_like


class MomentumState(NamedTuple):
    v: Tree  # the velocity, one array per parameter


def _init(params: Tree) -> MomentumState:
    return MomentumState(v=tree_zeros_like(params))


def momentum(lr: Hyper, beta: Hyper = 0.9, nesterov: bool = False) -> Optimizer:
    """SGD with (heavy-ball) momentum, exactly as ``torch.optim.SGD(lr, momentum=beta)``.

    .. code-block:: text

        v ← β v + g                       (v₀ = 0)
        θ ← θ − lr · v                    (nesterov=False)
        θ ← θ − lr · (g + β v)            (nesterov=True: step from the look-ahead)

    Args:
      lr: learning rate, finite and >= 0.
      beta: momentum coefficient in [0, 1); beta=0 is plain SGD.
      nesterov: use Nesterov's accelerated gradient (needs beta > 0).

    Returns:
      An :class:`~optimlib.base.Optimizer` with state ``MomentumState(v)``.

    Example:
      >>> opt = momentum(lr=0.1, beta=0.9)
      >>> theta, state = 1.0, opt.init(1.0)
      >>> for _ in range(2):
      ...     theta, state = opt.step(theta, 2.0, state)  # constant gradient g = 2
      >>> print(round(float(state.v), 12), round(float(theta), 12))  # v = 2, then 3.8
      3.8 0.42
    """
    lr, beta = check_lr(lr), check_beta("beta", beta)
    if nesterov and np.any(np.equal(beta, 0)):
        raise ValueError("beta must be > 0 when nesterov=True, got 0.0")

    def step(params: Tree, grads: Tree, state: MomentumState) -> tuple[Tree, MomentumState]:
        grads = check_grads(params, grads)
        lr_, beta_ = per_leaf(params, lr=lr, beta=beta)
        v = tree_map(lambda v, g, b: b * v + g, state.v, grads, beta_)
        d = tree_map(lambda v, g, b: g + b * v, v, grads, beta_) if nesterov else v
        return tree_map(lambda p, d, lr: p - lr * d, params, d, lr_), MomentumState(v)

    return Optimizer(_init, step)


def ema_momentum(lr: Hyper, beta: Hyper = 0.9) -> Optimizer:
    """Momentum with an EMA velocity (the convention of seeds 000 and 001).

    .. code-block:: text

        v ← β v + (1 − β) g               (v₀ = 0, update_moment)
        θ ← θ − lr · v

    No bias correction: the first steps are (1 − β) times shorter. Equal to
    ``momentum(lr · (1 − β), beta)``.

    Args:
      lr: learning rate, finite and >= 0.
      beta: decay rate in [0, 1).

    Returns:
      An :class:`~optimlib.base.Optimizer` with state ``MomentumState(v)``.

    Example:
      >>> opt = ema_momentum(lr=0.1, beta=0.9)
      >>> theta, state = opt.step(1.0, 2.0, opt.init(1.0))
      >>> print(round(float(state.v), 12), round(float(theta), 12))  # v = 0.1 · 2
      0.2 0.98
    """
    lr, beta = check_lr(lr), check_beta("beta", beta)

    def step(params: Tree, grads: Tree, state: MomentumState) -> tuple[Tree, MomentumState]:
        grads = check_grads(params, grads)
        lr_, beta_ = per_leaf(params, lr=lr, beta=beta)
        v = tree_map(update_moment, state.v, grads, beta_)
        return tree_map(lambda p, v, lr: p - lr * v, params, v, lr_), MomentumState(v)

    return Optimizer(_init, step)
