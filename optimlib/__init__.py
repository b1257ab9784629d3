"""optimlib: a tiny numpy library of deep-learning optimizers, read next to the course.

>>> import numpy as np
>>> import optimlib as ol
>>> opt = ol.adam(lr=0.1)
>>> params = {"w": np.array([1.0, -1.0])}
>>> state = opt.init(params)
>>> params, state = opt.step(params, {"w": np.array([0.5, -2.0])}, state)
>>> params["w"]
array([ 0.9, -0.9])

Plotting and widget helpers live in ``optimlib.plots`` and ``optimlib.widgets``;
import them explicitly (they need matplotlib and ipywidgets).
"""

from . import problems
from .adam import AdamState, RMSPropState, adam, adamw, rmsprop
from .base import Optimizer, check_grads
from .clipping import clip_by_global_norm, clip_by_norm, clip_by_value, clipped, global_norm
from .ema import EMAState, bias_correction, ema, ema_series, update_moment
from .gd import SGDState, sgd
from .momentum import MomentumState, ema_momentum, momentum
from .problems import Problem
from .run import Trajectory, run
from .tree import tree_leaves, tree_map, tree_paths, tree_zeros_like

__all__ = [
    "AdamState",
    "EMAState",
    "MomentumState",
    "Optimizer",
    "Problem",
    "RMSPropState",
    "SGDState",
    "Trajectory",
    "adam",
    "adamw",
    "bias_correction",
    "check_grads",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "clipped",
    "ema",
    "ema_momentum",
    "ema_series",
    "global_norm",
    "momentum",
    "problems",
    "rmsprop",
    "run",
    "sgd",
    "tree_leaves",
    "tree_map",
    "tree_paths",
    "tree_zeros_like",
    "update_moment",
]
