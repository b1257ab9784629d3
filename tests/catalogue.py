"""Every optimizer of optimlib, built once with typical hyperparameters: the one table the
tests that must hold for all of them (dtype, purity, validation of grads) run over."""

import optimlib as ol

OPTIMIZERS = {
    "sgd": lambda: ol.sgd(0.1),
    "momentum": lambda: ol.momentum(0.1, 0.9),
    "nesterov": lambda: ol.momentum(0.1, 0.9, nesterov=True),
    "ema_momentum": lambda: ol.ema_momentum(0.1, 0.9),
    "rmsprop": lambda: ol.rmsprop(0.01),
    "adam": lambda: ol.adam(0.01, weight_decay=0.1),
    "amsgrad": lambda: ol.adam(0.01, amsgrad=True),
    "adamw": lambda: ol.adamw(0.01),
    "adamw_amsgrad": lambda: ol.adamw(0.01, amsgrad=True),
    "clipped_value": lambda: ol.clipped(ol.sgd(0.1), value=0.2),
    "clipped_norm": lambda: ol.clipped(ol.adam(0.01), norm=0.1),
    "clipped_global_norm": lambda: ol.clipped(ol.momentum(0.1), global_norm=1.0),
}
