"""run(): paths, losses, divergence (single and batched), clipping, reproducibility."""

import subprocess
import sys

import numpy as np
import pytest

import optimlib as ol
from optimlib import problems

RAVINE = problems.quadratic((1.0, 100.0))


def test_path_and_losses_of_a_single_run():
    traj = ol.run(ol.sgd(0.01), RAVINE, np.array([1.0, 1.0]), steps=3)
    # θ ← θ − 0.01 (θ₁, 100 θ₂): x shrinks by 0.99, y jumps to 0 in one step
    expected = np.array([[1.0, 1.0], [0.99, 0.0], [0.9801, 0.0], [0.970299, 0.0]])
    np.testing.assert_allclose(traj.params, expected, rtol=1e-14)
    np.testing.assert_allclose(traj.losses, 0.5 * expected[:, 0] ** 2 + [50.0, 0, 0, 0])
    np.testing.assert_array_equal(traj.final, traj.params[-1])
    assert traj.diverged is False and traj.diverged_at is None


def test_paths_of_trees_are_stacked_leaf_by_leaf():
    fit = problems.linear_regression([1.0, 2.0], [1.0, 3.0])
    traj = ol.run(ol.momentum(0.1), fit, {"w": np.zeros(1), "b": np.array(0.0)}, steps=4)
    assert traj.params["w"].shape == (5, 1) and traj.params["b"].shape == (5,)
    assert traj.losses.shape == (5,)
    no_path = ol.run(ol.momentum(0.1), fit, {"w": np.zeros(1), "b": np.array(0.0)}, steps=4,
                     record=False)
    assert no_path.params is None
    np.testing.assert_array_equal(no_path.losses, traj.losses)
    np.testing.assert_array_equal(no_path.final["w"], traj.final["w"])


def test_a_diverging_run_stops_at_the_last_finite_step():
    traj = ol.run(ol.sgd(0.03), RAVINE, np.array([1.0, 1.0]), steps=2000)
    # y is multiplied by 1 − 0.03 · 100 = −2 each step: 50·4^t overflows after ~510 steps
    t = traj.diverged_at
    assert traj.diverged is True and 500 < t < 512
    assert len(traj.losses) == len(traj.params) == t
    assert np.all(np.isfinite(traj.losses)) and np.all(np.isfinite(traj.params))
    np.testing.assert_array_equal(traj.final, traj.params[-1])
    with np.errstate(over="ignore", invalid="ignore"):  # the step that failed
        assert not np.isfinite(RAVINE.loss(traj.final - 0.03 * RAVINE.grad(traj.final)))


def test_non_finite_params_count_as_divergence_even_if_the_loss_is_finite():
    capped = ol.Problem("capped", lambda x: np.minimum(np.nan_to_num(x**2, nan=1.0), 1.0),
                        lambda x: 2 * x)
    traj = ol.run(ol.sgd(1e300), capped, 1.0, steps=10)
    assert traj.diverged and traj.diverged_at == 2  # 1 − 2e300 is finite; then −inf
    assert len(traj.losses) == 2


def test_a_batch_freezes_diverged_runs_and_continues_the_others():
    lrs = np.array([0.001, 0.01, 0.03, 0.05])[:, None]  # 2/λ_max = 0.02
    params0 = np.tile([1.0, 1.0], (4, 1))
    traj = ol.run(ol.sgd(lrs), RAVINE, params0, steps=600)
    np.testing.assert_array_equal(traj.diverged, [False, False, True, True])
    assert traj.diverged_at[0] == traj.diverged_at[1] == -1
    assert traj.diverged_at[3] < traj.diverged_at[2] <= 600
    for i in (2, 3):
        t = traj.diverged_at[i]
        assert np.all(np.isinf(traj.losses[t:, i])) and np.all(np.isfinite(traj.losses[:t, i]))
        np.testing.assert_array_equal(traj.params[t:, i], traj.params[t - 1, i][None].repeat(
            601 - t, axis=0))  # frozen at the last finite params
        np.testing.assert_array_equal(traj.final[i], traj.params[t - 1, i])
    for i in (0, 1):  # the healthy runs are exactly what they are alone
        alone = ol.run(ol.sgd(float(lrs[i, 0])), RAVINE, np.array([1.0, 1.0]), steps=600)
        np.testing.assert_array_equal(traj.params[:, i], alone.params)


def spectral_radius(lr, beta, lam):
    """Heavy ball on a curvature λ: the error follows z² − (1 + β − lr λ) z + β = 0."""
    return max(abs(np.roots([1.0, -(1 + beta - lr * lam), beta])))


def test_record_state_keeps_the_optimizer_state_step_by_step():
    ravine = problems.quadratic((1.0, 10.0))
    start = {"w": np.array([1.0, 1.0]), "b": np.array(0.5)}
    fit = ol.Problem("tree ravine", lambda p: ravine.loss(p["w"]) + p["b"] ** 2,
                     lambda p: {"w": ravine.grad(p["w"]), "b": 2 * p["b"]})
    opt = ol.adam(0.05, amsgrad=False)
    traj = ol.run(opt, fit, start, steps=6, record_state=True)
    assert traj.states.t.tolist() == list(range(7)) and traj.states.v_max is None
    assert traj.states.m["w"].shape == (7, 2) and traj.states.v["b"].shape == (7,)
    params, state = start, opt.init(start)  # the same steps by hand
    for t in range(1, 7):
        params, state = opt.step(params, fit.grad(params), state)
        np.testing.assert_array_equal(traj.states.m["w"][t], state.m["w"])
        np.testing.assert_array_equal(traj.states.v["b"][t], state.v["b"])
    assert ol.run(opt, fit, start, steps=6).states is None  # not asked for
    blowup = ol.run(ol.momentum(0.5, 0.5), ravine, np.ones(2), 1000, record_state=True)
    assert blowup.diverged and len(blowup.states.v) == len(blowup.losses)


def test_momentum_sweep_on_a_grid_agrees_with_the_linear_theory():
    lrs = np.linspace(0.002, 0.05, 7)
    betas = np.linspace(0.0, 0.9, 5)
    params0 = np.broadcast_to([1.0, 1.0], (7, 5, 2)).copy()
    traj = ol.run(ol.momentum(lrs[:, None], betas[None, :]), RAVINE, params0, steps=300,
                  record=False)
    assert traj.losses.shape == (301, 7, 5) and traj.diverged.shape == (7, 5)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            rho = max(spectral_radius(lr, beta, lam) for lam in (1.0, 100.0))
            final = traj.losses[-1, i, j]
            if rho < 0.99:
                assert final < 1e-2 * traj.losses[0, i, j], (lr, beta, rho)
            elif rho > 1.05:
                assert traj.diverged[i, j] or final > 1e3 * traj.losses[0, i, j], (lr, beta)


def test_clip_float_is_a_per_run_global_norm_and_a_callable_is_used_as_is():
    start = np.array([[3.0, 3.0], [0.001, 0.001]])
    clipped = ol.run(ol.sgd(0.001), RAVINE, start, steps=1, clip=1.0)
    step = start - clipped.params[1]
    norm = np.linalg.norm(RAVINE.grad(start[0]))
    np.testing.assert_allclose(np.linalg.norm(step[0]), 0.001 * norm / (norm + 1e-6), rtol=1e-12)
    np.testing.assert_allclose(step[1], 0.001 * RAVINE.grad(start[1]), rtol=1e-12)  # not clipped
    halved = ol.run(ol.sgd(0.001), RAVINE, start[0], steps=1, clip=lambda g: g / 2)
    np.testing.assert_allclose(start[0] - halved.params[1], 0.0005 * RAVINE.grad(start[0]))
    wrapped = ol.run(ol.clipped(ol.sgd(0.001), global_norm=1.0), RAVINE, start[0], steps=5)
    np.testing.assert_array_equal(ol.run(ol.sgd(0.001), RAVINE, start[0], 5, clip=1.0).params,
                                  wrapped.params)


def test_stochastic_runs_repeat_because_run_resets_the_problem():
    shaky = problems.noisy(RAVINE, sigma=1.0, seed=0)
    first = ol.run(ol.sgd(0.005), shaky, np.array([1.0, 1.0]), steps=20)
    second = ol.run(ol.sgd(0.005), shaky, np.array([1.0, 1.0]), steps=20)
    np.testing.assert_array_equal(first.params, second.params)
    plain = ol.run(ol.sgd(0.005), RAVINE, np.array([1.0, 1.0]), steps=20)
    assert not np.allclose(first.params, plain.params)


def test_run_inputs_are_checked_and_not_mutated():
    start = np.array([1.0, 1.0])
    ol.run(ol.adam(0.1), RAVINE, start, steps=5)
    np.testing.assert_array_equal(start, [1.0, 1.0])
    assert len(ol.run(ol.adam(0.1), RAVINE, start, steps=0).losses) == 1
    with pytest.raises(ValueError, match="steps must be an integer >= 0"):
        ol.run(ol.sgd(0.1), RAVINE, start, steps=-1)
    with pytest.raises(ValueError, match="clip must be > 0"):
        ol.run(ol.sgd(0.1), RAVINE, start, steps=1, clip=0.0)
    with pytest.raises(ValueError, match="the loss at params0 is not finite"):
        ol.run(ol.sgd(0.1), RAVINE, np.array([np.inf, 0.0]), steps=1)


def test_import_optimlib_stays_light():
    code = "import sys, optimlib; print([m for m in ('matplotlib', 'ipywidgets', 'PIL') "
    code += "if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
