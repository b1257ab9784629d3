"""Exponential moving averages: the two helpers that momentum, RMSProp and Adam share.

.. code-block:: text

    m_t = β m_{t-1} + (1 − β) g_t        (update_moment, m_0 = 0)
    m̂_t = m_t / (1 − β^t)               (bias_correction)

With m_0 = 0 the average starts too small: m_1 = (1 − β) g_1. Dividing by
1 − β^t (the sum of the weights) removes exactly that bias: the debiased EMA of a
constant is that constant from the first step on.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .base import check_beta
from .tree import Tree, tree_map


def update_moment(m: Any, g: Any, beta: Any, *, out: np.ndarray | None = None) -> Any:
    """One EMA step: ``m ← β m + (1 − β) g``.

    Computed as ``m + (1 − β)(g − m)``, algebraically the same (torch's Adam does it
    too, with ``lerp``), in three passes that allocate nothing but the result.

    Args:
      m: the previous average (array or scalar).
      g: the new value, same shape as ``m``.
      beta: decay rate in [0, 1), a float or an array that broadcasts against ``m``.
      out: optional array to write the result into (may be ``g``'s own buffer, never
        ``m``'s when ``m`` must stay unchanged).

    Returns:
      The new average.

    Example:
      >>> update_moment(np.array([0.0, 10.0]), np.array([1.0, 0.0]), 0.9)
      array([0.1, 9. ])
    """
    out = np.subtract(g, m, out=out)
    out *= 1 - beta
    out += m
    return out


def bias_correction(m: Any, beta: Any, t: int) -> Any:
    """Remove the zero-start bias of an EMA after ``t`` steps: ``m̂ = m / (1 − β^t)``.

    Example:
      >>> m = update_moment(0.0, 5.0, 0.9)  # (1 − 0.9) · 5 = 0.5
      >>> float(bias_correction(m, 0.9, 1))
      5.0
    """
    return m / (1 - beta**t)


class EMAState(NamedTuple):
    t: int  # number of values seen
    v: Tree  # the (biased) running average


class EMA(NamedTuple):
    """``init(x0_like) -> EMAState`` and ``update(x, state) -> (estimate, state)``."""

    init: Callable[[Tree], EMAState]
    update: Callable[[Tree, EMAState], tuple[Tree, EMAState]]


def ema(beta: float, debias: bool = True) -> EMA:
    """Smooth a stream of values (arrays or trees) with an exponential moving average.

    .. code-block:: text

        v_t = β v_{t-1} + (1 − β) x_t,   v_0 = 0
        estimate_t = v_t / (1 − β^t)  if debias  else  v_t

    Args:
      beta: decay rate in [0, 1); the average spans roughly 1/(1 − β) values.
      debias: divide by ``1 − β^t`` (as Adam does).

    Returns:
      An :class:`EMA` with pure ``init`` and ``update`` functions.

    Example:
      >>> smoother = ema(0.9)
      >>> state = smoother.init(0.0)
      >>> for x in [3.0, 3.0, 3.0]:
      ...     estimate, state = smoother.update(x, state)
      >>> round(float(estimate), 12), state.t
      (3.0, 3)
    """
    beta = check_beta("beta", beta)

    def init(x0_like: Tree) -> EMAState:
        zeros = tree_map(lambda x: np.zeros(np.shape(x), np.result_type(x, 1.0)), x0_like)
        return EMAState(t=0, v=zeros)

    def update(x: Tree, state: EMAState) -> tuple[Tree, EMAState]:
        t = state.t + 1
        v = tree_map(lambda v, x: update_moment(v, x, beta), state.v, x, names=("state.v", "x"))
        estimate = tree_map(lambda v: bias_correction(v, beta, t), v) if debias else v
        return estimate, EMAState(t, v)

    return EMA(init, update)


def ema_series(x: Any, beta: Any, debias: bool = True) -> np.ndarray:
    """The EMA of a whole series at once, along the first axis (time).

    Same rule as :func:`ema`. ``beta`` may be an array that broadcasts against one
    time step ``x[0]``: ``ema_series(x[:, None], np.array([0.5, 0.9]))`` smooths one
    series with two betas and returns shape ``(T, 2)``.

    Args:
      x: array of shape ``(T, ...)``.
      beta: decay rate(s) in [0, 1).
      debias: divide step t (1-based) by ``1 − β^t``.

    Returns:
      Array of shape ``(T, *broadcast(x[0], beta))`` (the shape of ``x`` for a float
      beta): the estimate after each step.

    Example:
      >>> ema_series(np.array([1.0, 1.0, 4.0]), 0.5, debias=False)
      array([0.5  , 0.75 , 2.375])
      >>> ema_series(np.array([2.0, 2.0, 2.0]), 0.5)
      array([2., 2., 2.])
    """
    beta = check_beta("beta", beta)
    x = np.asarray(x)
    v = np.zeros(np.broadcast_shapes(x.shape[1:], np.shape(beta)), np.result_type(x, 1.0))
    out = np.empty((len(x), *v.shape), v.dtype)
    for t in range(1, len(x) + 1):  # v_0 = 0
        v = update_moment(v, x[t - 1], beta)
        out[t - 1] = bias_correction(v, beta, t) if debias else v
    return out
