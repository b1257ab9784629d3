"""Optimizers: hand-derived steps, equivalences between conventions, and properties."""

import tracemalloc

import numpy as np
import pytest
from catalogue import OPTIMIZERS
from hypothesis import given, settings
from hypothesis import strategies as st

import optimlib as ol
from optimlib import problems

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None)


def path(opt, theta0, grads):
    """Params after each step for a fixed sequence of gradients."""
    theta, state, out = theta0, opt.init(theta0), []
    for g in grads:
        theta, state = opt.step(theta, g, state)
        out.append(theta)
    return out


# ---- closed forms: the first three steps on scalars, derived by hand --------------------

G = [2.0, -1.0, 0.5]

CLOSED_FORMS = {
    # θ ← θ − 0.1 g
    "sgd": (ol.sgd(0.1), [0.8, 0.9, 0.85]),
    # v = 2, 0.8, 1.22;  θ ← θ − 0.1 v
    "momentum": (ol.momentum(0.1, 0.9), [0.8, 0.72, 0.598]),
    # same v;  θ ← θ − 0.1 (g + 0.9 v): d = 3.8, −0.28, 1.598
    "nesterov": (ol.momentum(0.1, 0.9, nesterov=True), [0.62, 0.648, 0.4882]),
    # v = 0.2, 0.08, 0.122;  θ ← θ − 0.1 v
    "ema_momentum": (ol.ema_momentum(0.1, 0.9), [0.98, 0.972, 0.9598]),
    # s = 2, 1.5, 0.875 (β = 0.5, g² = 4, 1, 0.25);  θ ← θ − 0.1 g / √s
    "rmsprop": (ol.rmsprop(0.1, beta=0.5, eps=1e-300),
                [1 - 0.2 / 2**0.5, 1 - 0.2 / 2**0.5 + 0.1 / 1.5**0.5,
                 1 - 0.2 / 2**0.5 + 0.1 / 1.5**0.5 - 0.05 / 0.875**0.5]),
    # β1 = β2 = 0.5: m = 1, 0, 0.25 → m̂ = 2, 0, 2/7;  v = 2, 1.5, 0.875 → v̂ = 4, 2, 1
    # θ ← θ − 0.1 m̂ / √v̂
    "adam": (ol.adam(0.1, beta1=0.5, beta2=0.5, eps=1e-300),
             [0.9, 0.9, 0.9 - 0.1 * (2 / 7)]),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_first_three_steps_by_hand(name):
    opt, expected = CLOSED_FORMS[name]
    np.testing.assert_allclose(path(opt, 1.0, G), expected, rtol=1e-14)


def test_adam_weight_decay_is_an_l2_gradient_and_adamw_decays_first():
    # Adam, λ = 0.5: g_eff = 1 + 0.5 · 2 = 2, first step −lr · sign(g_eff)
    [theta] = path(ol.adam(0.1, weight_decay=0.5, eps=1e-300), 2.0, [1.0])
    assert theta == pytest.approx(1.9, rel=1e-15)
    # ... so a gradient of −1 is cancelled: g_eff = 0 and θ stays
    [theta] = path(ol.adam(0.1, weight_decay=0.5), 2.0, [-1.0])
    assert theta == 2.0
    # AdamW: θ(1 − lr λ) = 2 · 0.95 = 1.9, then the Adam step −0.1 · sign(−1)
    [theta] = path(ol.adamw(0.1, weight_decay=0.5, eps=1e-300), 2.0, [-1.0])
    assert theta == pytest.approx(2.0, rel=1e-15)


def test_amsgrad_uses_the_running_max_of_v():
    # β1 = 0, β2 = 0.5, g = 4 then 1: v = 8 then 4.5; v̂ = 16 then 6 (Adam), v_max-hat = 8/0.75
    b2 = 0.5
    plain = path(ol.adam(1.0, beta1=0.0, beta2=b2, eps=1e-300), 0.0, [4.0, 1.0])
    ams = path(ol.adam(1.0, beta1=0.0, beta2=b2, eps=1e-300, amsgrad=True), 0.0, [4.0, 1.0])
    assert plain[0] == ams[0] == pytest.approx(-1.0)
    assert plain[1] == pytest.approx(-1.0 - 1.0 / 6**0.5, rel=1e-14)
    assert ams[1] == pytest.approx(-1.0 - 1.0 / (8 / 0.75) ** 0.5, rel=1e-14)


@SETTINGS
@given(g=st.floats(1e-3, 1e6) | st.floats(-1e6, -1e-3), lr=st.floats(1e-4, 1.0))
def test_adam_first_step_is_lr_times_sign(g, lr):
    [theta] = path(ol.adam(lr, eps=1e-12), np.array([0.0]), [np.array([g])])
    np.testing.assert_allclose(theta, [-lr * np.sign(g)], rtol=1e-8)


# ---- equivalences between conventions -------------------------------------------------

def random_grads(steps, shape=(3,), seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for _ in range(steps)]


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_ema_momentum_is_momentum_with_lr_times_one_minus_beta(beta):
    grads = random_grads(30)
    theta0 = np.ones(3)
    ema_path = path(ol.ema_momentum(0.1, beta), theta0, grads)
    torch_path = path(ol.momentum(0.1 * (1 - beta), beta), theta0, grads)
    np.testing.assert_allclose(ema_path, torch_path, rtol=1e-12, atol=1e-13)


def test_velocity_form_of_seed_003_is_momentum():
    # v ← μ v − lr · ∇f(w),  w ← w + v   on the ravine, gradients taken along the way
    ravine = problems.quadratic((1.0, 30.0), angle=0.4)
    mu, lr = 0.8, 0.02
    w, v = np.array([1.0, -2.0]), np.zeros(2)
    opt = ol.momentum(lr, mu)
    theta, state = w.copy(), opt.init(w)
    for _ in range(50):
        v = mu * v - lr * ravine.grad(w)
        w = w + v
        theta, state = opt.step(theta, ravine.grad(theta), state)
        np.testing.assert_allclose(theta, w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(-lr * state.v, v, rtol=1e-12, atol=1e-14)


def test_nesterov_look_ahead_form_is_nesterov_true():
    # Sutskever et al. 2013: v ← μ v − lr ∇f(θ + μ v),  θ ← θ + v.
    # torch's nesterov=True iterates the look-ahead point φ = θ + μ v.
    ravine = problems.quadratic((1.0, 30.0), angle=0.4)
    mu, lr = 0.9, 0.01
    theta, v = np.array([1.0, -2.0]), np.zeros(2)
    opt = ol.momentum(lr, mu, nesterov=True)
    phi, state = theta.copy(), opt.init(theta)
    for _ in range(50):
        v = mu * v - lr * ravine.grad(theta + mu * v)
        theta = theta + v
        phi, state = opt.step(phi, ravine.grad(phi), state)
        np.testing.assert_allclose(phi, theta + mu * v, rtol=1e-12, atol=1e-14)


# ---- properties -------------------------------------------------------------------------

@SETTINGS
@given(c=st.floats(1e-3, 1e3), seed=st.integers(0, 2**16), amsgrad=st.booleans())
def test_adam_is_invariant_to_scaling_the_gradient(c, seed, amsgrad):
    rng = np.random.default_rng(seed)
    g_min, lr, eps, beta2, steps = 0.1, 0.05, 1e-12, 0.999, 10
    grads = [rng.choice([-1, 1], 4) * rng.uniform(g_min, 10.0, 4) for _ in range(steps)]
    opt = ol.adam(lr, beta2=beta2, eps=eps, amsgrad=amsgrad)
    plain = path(opt, np.zeros(4), grads)
    scaled = path(opt, np.zeros(4), [c * g for g in grads])
    # Scaling g by c is scaling ε by 1/c: a step moves by lr·m̂/(√v̂ + ε/c) instead of
    # lr·m̂/(√v̂ + ε); with |m̂|/√v̂ ≤ 1/√(1 − β2) and √v̂ ≥ √(1 − β2)·|g| the gap per step is
    # below lr · max(ε, ε/c) / ((1 − β2) · g_min).
    gap = steps * lr * eps / (min(c, 1.0) * (1 - beta2) * g_min)
    np.testing.assert_allclose(scaled, plain, rtol=0, atol=gap)
    assert gap < 1e-3 * lr  # so the check is tight compared to a step


GRID_OPTIMIZERS = {
    "sgd": lambda lr, beta: ol.sgd(lr),
    "momentum": lambda lr, beta: ol.momentum(lr, beta),
    "nesterov": lambda lr, beta: ol.momentum(lr, beta, nesterov=True),
    "ema_momentum": lambda lr, beta: ol.ema_momentum(lr, beta),
    "rmsprop": lambda lr, beta: ol.rmsprop(lr, beta),
    "adam": lambda lr, beta: ol.adam(lr, beta1=beta, weight_decay=0.1),
    "adamw_amsgrad": lambda lr, beta: ol.adamw(lr, beta2=beta, amsgrad=True),
    "clipped_momentum": lambda lr, beta: ol.clipped(ol.momentum(lr, beta), global_norm=1.0,
                                                    batch_ndim=2),
}


@SETTINGS
@given(name=st.sampled_from(sorted(GRID_OPTIMIZERS)),
       lrs=st.lists(st.floats(1e-3, 0.05), min_size=1, max_size=3),
       betas=st.lists(st.floats(0.1, 0.95), min_size=1, max_size=3))
def test_a_grid_of_hyperparameters_equals_separate_runs(name, lrs, betas):
    # linear regression: a tree with leaves of different ranks, w (G1, G2, 1) and b (G1, G2)
    fit = problems.linear_regression([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 3.0, 5.0, 7.0, 11.0])
    G1, G2 = len(lrs), len(betas)
    params0 = {"w": np.full((G1, G2, 1), 0.5), "b": np.full((G1, G2), -0.5)}
    factory = GRID_OPTIMIZERS[name]
    opt = factory(np.array(lrs)[:, None], np.array(betas)[None, :])
    grid = ol.run(opt, fit, params0, steps=20)
    assert grid.losses.shape == (21, G1, G2)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            single_opt = factory(lr, beta)
            if name == "clipped_momentum":
                single_opt = ol.clipped(ol.momentum(lr, beta), global_norm=1.0)
            single = ol.run(single_opt, fit, {"w": np.array([0.5]), "b": -0.5}, steps=20)
            np.testing.assert_allclose(grid.params["w"][:, i, j], single.params["w"], rtol=1e-12)
            np.testing.assert_allclose(grid.params["b"][:, i, j], single.params["b"], rtol=1e-12)
            np.testing.assert_allclose(grid.losses[:, i, j], single.losses, rtol=1e-12)




def state_arrays(state):
    return [x for x in ol.tree_leaves(state) if isinstance(x, np.ndarray)]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_float32_params_stay_float32_even_with_float64_grads_and_array_hyperparameters(name):
    opt = OPTIMIZERS[name]()
    params = {"W": np.ones((2, 3), np.float32), "b": np.zeros(3, np.float32)}
    grads = {"W": np.full((2, 3), 0.3), "b": np.full(3, -0.2, np.float32)}  # W's grad float64
    state = opt.init(params)
    for _ in range(3):
        params, state = opt.step(params, grads, state)
    assert all(x.dtype == np.float32 for x in ol.tree_leaves(params) + state_arrays(state))
    grid = ol.sgd(np.array([0.1, 0.2], dtype=np.float64))
    out, _ = grid.step(np.ones((2, 3), np.float32), np.ones((2, 3), np.float32), None)
    assert out.dtype == np.float32


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_never_mutates_its_inputs(name):
    opt = OPTIMIZERS[name]()
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((2, 3)), "b": [rng.standard_normal(3)]}
    grads = {"W": rng.standard_normal((2, 3)), "b": [rng.standard_normal(3)]}
    state = opt.step(params, grads, opt.init(params))[1]
    before = [np.copy(x) for x in ol.tree_leaves((params, grads)) + state_arrays(state)]
    new_params, new_state = opt.step(params, grads, state)
    after = ol.tree_leaves((params, grads)) + state_arrays(state)
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    shared = {id(x) for x in after} & {id(x) for x in ol.tree_leaves(new_params)
                                       + state_arrays(new_state)}
    assert not shared  # the outputs are new arrays, not views handed back
    assert isinstance(new_params["b"], list) and new_params["W"].shape == (2, 3)


def test_adam_step_allocates_only_its_outputs():
    # Speed on large arrays comes from not allocating temporaries. Measure the peak:
    # the new params, m and v (3 arrays) plus the caller's inputs; the naive textbook
    # formula needs about 4 more full-size temporaries.
    n = 10**6
    params = np.ones(n, np.float32)
    grads = np.full(n, 0.5, np.float32)
    opt = ol.adam(1e-3)
    state = opt.step(params, grads, opt.init(params))[1]
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = opt.step(params, grads, state)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result[0].dtype == np.float32
    assert peak < 3.5 * params.nbytes, peak / params.nbytes


# ---- convergence --------------------------------------------------------------------------

CONVERGE = {
    "sgd": (lambda: ol.sgd(0.015), 2000),
    "momentum": (lambda: ol.momentum(0.01, 0.9), 500),
    "nesterov": (lambda: ol.momentum(0.01, 0.9, nesterov=True), 500),
    "ema_momentum": (lambda: ol.ema_momentum(0.1, 0.9), 500),
    "rmsprop": (lambda: ol.rmsprop(0.01), 2000),
    "adam": (lambda: ol.adam(0.05), 1000),
    "adamw": (lambda: ol.adamw(0.05, weight_decay=0.0), 1000),
}


@pytest.mark.parametrize("name", CONVERGE)
def test_convergence_on_the_rotated_ravine(name):
    ravine = problems.quadratic((1.0, 100.0), angle=0.5, center=(1.0, -1.0))
    factory, steps = CONVERGE[name]
    traj = ol.run(factory(), ravine, np.array([-2.0, 2.0]), steps, record=False)
    assert not traj.diverged
    np.testing.assert_allclose(traj.final, ravine.minimum, atol=0.02)


@pytest.mark.parametrize(("opt", "steps"), [(ol.adam(0.05), 2000),
                                            (ol.momentum(1e-3, 0.9), 5000),
                                            (ol.momentum(1e-3, 0.9, nesterov=True), 5000)])
def test_convergence_on_rosenbrock(opt, steps):
    banana = problems.rosenbrock()
    traj = ol.run(opt, banana, banana.info["start"], steps, record=False)
    np.testing.assert_allclose(traj.final, banana.minimum, atol=1e-3)
    assert traj.losses[-1] < 1e-6 < traj.losses[0]
