"""Bad input: hyperparameters are checked when an optimizer is built, grads at each step."""

import numpy as np
import pytest
from catalogue import OPTIMIZERS

import optimlib as ol
from optimlib.base import check_beta, check_lr, check_nonneg, check_positive, per_leaf

BAD_HYPERPARAMETERS = [
    # (factory, kwargs, exception, message)
    (ol.sgd, {"lr": -0.1}, ValueError, r"^lr must be finite and >= 0, got -0.1$"),
    (ol.sgd, {"lr": np.inf}, ValueError, r"^lr must be finite and >= 0, got inf$"),
    (ol.sgd, {"lr": np.nan}, ValueError, r"^lr must be finite and >= 0, got nan$"),
    (ol.sgd, {"lr": "0.1"}, TypeError, r"^lr must be a real number"),
    (ol.sgd, {"lr": None}, TypeError, r"^lr must be a real number"),
    (ol.sgd, {"lr": 1j}, TypeError, r"^lr must be a real number"),
    (ol.sgd, {"lr": np.array([0.1, -0.2, -0.3])}, ValueError,
     r"^lr must be finite and >= 0, got -0.2 \(at index \(1,\)\)$"),
    (ol.momentum, {"lr": 0.1, "beta": 1.0}, ValueError, r"^beta must be in \[0, 1\), got 1.0$"),
    (ol.momentum, {"lr": 0.1, "beta": -0.5}, ValueError, r"^beta must be in \[0, 1\), got -0.5$"),
    (ol.momentum, {"lr": 0.1, "beta": 0.0, "nesterov": True}, ValueError,
     r"^beta must be > 0 when nesterov=True, got 0.0$"),
    (ol.momentum, {"lr": 0.1, "beta": np.array([0.5, 0.0]), "nesterov": True}, ValueError,
     r"^beta must be > 0 when nesterov=True"),
    (ol.momentum, {"lr": -1.0}, ValueError, r"^lr must be"),
    (ol.ema_momentum, {"lr": 0.1, "beta": 1.5}, ValueError, r"^beta must be in \[0, 1\), got 1.5$"),
    (ol.ema_momentum, {"lr": np.nan}, ValueError, r"^lr must be"),
    (ol.rmsprop, {"beta": 1.0}, ValueError, r"^beta must be in \[0, 1\), got 1.0$"),
    (ol.rmsprop, {"eps": 0.0}, ValueError, r"^eps must be > 0, got 0.0$"),
    (ol.rmsprop, {"lr": -1e-3}, ValueError, r"^lr must be finite and >= 0, got -0.001$"),
    (ol.adam, {"beta1": 1.0}, ValueError, r"^beta1 must be in \[0, 1\), got 1.0$"),
    (ol.adam, {"beta2": 1.0}, ValueError, r"^beta2 must be in \[0, 1\), got 1.0$"),
    (ol.adam, {"beta2": np.array([[0.9], [1.2]])}, ValueError,
     r"^beta2 must be in \[0, 1\), got 1.2 \(at index \(1, 0\)\)$"),
    (ol.adam, {"eps": -1e-8}, ValueError, r"^eps must be > 0, got -1e-08$"),
    (ol.adam, {"weight_decay": -0.1}, ValueError, r"^weight_decay must be finite and >= 0"),
    (ol.adam, {"lr": np.inf}, ValueError, r"^lr must be"),
    (ol.adamw, {"weight_decay": np.nan}, ValueError, r"^weight_decay must be finite and >= 0"),
    (ol.adamw, {"beta1": -0.1}, ValueError, r"^beta1 must be in \[0, 1\)"),
    (ol.ema, {"beta": 1.0}, ValueError, r"^beta must be in \[0, 1\), got 1.0$"),
]


@pytest.mark.parametrize(("factory", "kwargs", "error", "message"), BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_are_rejected_with_the_argument_named(factory, kwargs, error, message):
    with pytest.raises(error, match=message):
        factory(**kwargs)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ol.clip_by_value({"w": np.ones(2)}, 0.0), r"^limit must be > 0, got 0.0$"),
        (lambda: ol.clip_by_norm({"w": np.ones(2)}, -1.0), r"^max_norm must be > 0, got -1.0$"),
        (lambda: ol.clip_by_global_norm(np.ones(2), np.nan), r"^max_norm must be > 0, got nan$"),
        (lambda: ol.clipped(ol.sgd(0.1), value=0.0), r"^value must be > 0"),
        (lambda: ol.clipped(ol.sgd(0.1), norm=-2.0), r"^norm must be > 0"),
        (lambda: ol.clipped(ol.sgd(0.1), global_norm=0.0), r"^global_norm must be > 0"),
        (lambda: ol.clipped(ol.sgd(0.1)), r"exactly one of value, norm, global_norm"),
        (lambda: ol.clipped(ol.sgd(0.1), value=1.0, norm=1.0), r"exactly one of"),
        (lambda: ol.ema_series(np.ones(3), beta=1.0), r"^beta must be in \[0, 1\)"),
        (lambda: ol.problems.noisy(ol.problems.quadratic(), sigma=-1.0), r"^sigma must be"),
    ],
)
def test_bad_clipping_and_smoothing_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_validators_return_floats_and_read_only_copies():
    assert check_lr(np.float64(0.5)) == 0.5 and type(check_lr(np.float64(0.5))) is float
    assert type(check_beta("beta", np.array(0.9))) is float
    assert check_positive("eps", np.inf) == np.inf  # "no clipping" is allowed
    assert check_nonneg("weight_decay", 0) == 0.0
    source = np.array([0.1, 0.2])
    lr = check_lr(source)
    source[0] = -1.0  # changing the caller's array later changes nothing
    assert lr[0] == 0.1 and not lr.flags.writeable




def params_and_grads():
    return ({"W1": np.ones((2, 3)), "b1": np.zeros(3)},
            {"W1": np.full((2, 3), 0.5), "b1": np.full(3, -0.5)})


BAD_GRADS = [
    (lambda g: {**g, "W1": np.zeros(3)}, ValueError,
     r"^grads\['W1'\] has shape \(3,\), params\['W1'\] has shape \(2, 3\)$"),
    (lambda g: {"W1": g["W1"]}, ValueError, r"grads is a dict with keys \['W1'\]"),
    (lambda g: {**g, "b1": [0.0, 0.0, 0.0]}, ValueError, r"grads\['b1'\] is a list of length 3"),
    (lambda g: {**g, "b1": np.zeros(3, dtype=int)}, TypeError, r"^grads\['b1'\] has dtype int"),
    (lambda g: {**g, "b1": np.zeros(3, dtype=bool)}, TypeError, r"^grads\['b1'\] has dtype bool"),
    (lambda g: {**g, "b1": np.zeros(3, dtype=complex)}, TypeError, r"grads\['b1'\] has dtype comp"),
    (lambda g: {**g, "b1": np.array([None] * 3)}, TypeError, r"^grads\['b1'\] has dtype object"),
    (lambda g: {**g, "W1": None}, TypeError, r"^grads\['W1'\] has dtype object"),
]


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize(("corrupt", "error", "message"), BAD_GRADS)
def test_bad_grads_raise_and_leave_everything_untouched(name, corrupt, error, message):
    opt = OPTIMIZERS[name]()
    params, grads = params_and_grads()
    state = opt.init(params)
    state = opt.step(params, grads, state)[1]  # a state with nonzero moments
    snapshot = [np.copy(x) for x in ol.tree_leaves((params, state))]
    with pytest.raises(error, match=message):
        opt.step(params, corrupt(grads), state)
    after = ol.tree_leaves((params, state))
    assert all(np.array_equal(a, b) for a, b in zip(snapshot, after, strict=True))
    # the same state still takes the same valid step as before the failed call
    np.testing.assert_array_equal(opt.step(params, grads, state)[0]["W1"],
                                  OPTIMIZERS[name]().step(params, grads, state)[0]["W1"])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_integer_params_are_rejected_with_the_leaf_named(name):
    opt = OPTIMIZERS[name]()
    params = {"W1": np.ones((2, 3), dtype=np.int64), "b1": np.zeros(3)}
    with pytest.raises(TypeError, match=r"^params\['W1'\] has dtype int64"):
        opt.step(params, params_and_grads()[1], opt.init(params))


def test_hyperparameter_arrays_must_match_leading_axes_without_changing_shapes():
    params = {"w": np.zeros((4, 3)), "b": np.zeros(4)}
    lr, = per_leaf(params, lr=np.arange(4.0))
    assert lr["w"].shape == (4, 1) and lr["b"].shape == (4,)
    with pytest.raises(ValueError, match=r"^lr of shape \(3,\) does not fit params\['w'\] of shape "
                                         r"\(4, 3\)"):
        per_leaf(params, lr=np.ones(3))
    with pytest.raises(ValueError, match=r"^beta of shape \(4, 3\) does not fit params\['b'\]"):
        ol.momentum(0.1, beta=np.full((4, 3), 0.5)).step(params, params, ol.momentum(0.1).init(
            params))
    with pytest.raises(ValueError, match=r"^lr of shape \(2,\) does not fit params of shape \(\)"):
        ol.sgd(np.array([0.1, 0.2])).step(1.0, 1.0, None)
