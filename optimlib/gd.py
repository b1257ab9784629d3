"""Plain (stochastic) gradient descent."""

from typing import NamedTuple

from .base import Hyper, Optimizer, check_grads, check_lr, per_leaf
from .tree import Tree, tree_map


class SGDState(NamedTuple):
    """SGD keeps no state."""


def sgd(lr: Hyper) -> Optimizer:
    """Gradient descent: step against the gradient, scaled by the learning rate.

    .. code-block:: text

        θ ← θ − lr · g

    Same numbers as ``torch.optim.SGD(params, lr)``. "Stochastic" only means that
    ``g`` is often a minibatch estimate of the gradient; the rule is the same.

    Args:
      lr: learning rate, finite and >= 0 (a float, or an array for a batch of runs).

    Returns:
      An :class:`~optimlib.base.Optimizer`; its state is an empty ``SGDState()``.

    Example:
      >>> import numpy as np
      >>> opt = sgd(lr=0.1)
      >>> params, state = opt.step({"w": np.array([1.0, -2.0])}, {"w": np.array([2.0, 4.0])},
      ...                          opt.init(None))
      >>> params
      {'w': array([ 0.8, -2.4])}
    """
    lr = check_lr(lr)

    def init(params: Tree) -> SGDState:
        return SGDState()

    def step(params: Tree, grads: Tree, state: SGDState) -> tuple[Tree, SGDState]:
        grads = check_grads(params, grads)
        [lr_] = per_leaf(params, lr=lr)
        return tree_map(lambda p, g, lr: p - lr * g, params, grads, lr_), state

    return Optimizer(init, step)
