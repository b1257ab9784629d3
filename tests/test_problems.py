"""Problems: analytic gradients against finite differences, vectorization, minima, seeds."""

import numpy as np
import pytest

import optimlib as ol
from optimlib import problems


def numeric_grad(loss, params, h=1e-6):
    """Central differences, leaf by leaf, entry by entry."""
    def leaf_grad(path, x):
        x = np.asarray(x, dtype=float)
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            def at(delta, i=i):
                moved = x.copy()
                moved[i] += delta
                return float(loss(replace(params, path, moved)))
            g[i] = (at(h) - at(-h)) / (2 * h)
        return g
    return ol.tree.tree_map_with_path(leaf_grad, params)


def replace(tree, path, value):
    return ol.tree.tree_map_with_path(lambda p, x: value if p == path else x, tree)


TWO_D = {
    "ravine": problems.quadratic((1.0, 100.0), angle=0.7, center=(0.5, -1.0)),
    "saddle": problems.quadratic((2.0, -1.0)),
    "rosenbrock": problems.rosenbrock(a=1.5, b=20.0),
    "cliff": problems.cliff(),
}


@pytest.mark.parametrize("name", TWO_D)
def test_2d_gradients_match_finite_differences(name):
    problem = TWO_D[name]
    for point in ([0.3, -0.7], [1.2, 0.4], [-0.01, 2.0]):
        point = np.array(point)
        np.testing.assert_allclose(problem.grad(point), numeric_grad(problem.loss, point),
                                   rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", TWO_D)
def test_2d_problems_are_vectorized_over_leading_axes(name):
    problem = TWO_D[name]
    grid = np.random.default_rng(0).uniform(-2, 2, (4, 5, 2))
    losses, grads = problem.loss(grid), problem.grad(grid)
    assert losses.shape == (4, 5) and grads.shape == (4, 5, 2)
    for i, j in np.ndindex(4, 5):
        np.testing.assert_allclose(losses[i, j], problem.loss(grid[i, j]), rtol=1e-13)
        np.testing.assert_allclose(grads[i, j], problem.grad(grid[i, j]), rtol=1e-13)
    with pytest.raises(ValueError, match=r"needs params of shape \(\.\.\., 2\), got \(3,\)"):
        problem.loss(np.zeros(3))


def test_quadratic_minimum_curvatures_and_rotation():
    ravine = TWO_D["ravine"]
    np.testing.assert_allclose(ravine.grad(ravine.minimum), 0.0, atol=1e-14)
    assert ravine.loss(ravine.minimum) == 0.0
    np.testing.assert_allclose(np.linalg.eigvalsh(ravine.info["A"]), [1.0, 100.0])
    assert ravine.info["condition"] == 100.0 and ravine.dim == 2
    # the stiff axis is the first axis rotated by the angle
    axis = np.array([np.cos(0.7), np.sin(0.7)])
    np.testing.assert_allclose(ravine.info["A"] @ axis, 1.0 * axis, atol=1e-13)
    assert TWO_D["saddle"].minimum is None
    cube = problems.quadratic((1.0, 2.0, 3.0))
    assert cube.loss(np.ones(3)) == 3.0 and cube.dim == 3
    with pytest.raises(ValueError, match="angle"):
        problems.quadratic((1.0, 2.0, 3.0), angle=0.1)
    with pytest.raises(ValueError, match="center"):
        problems.quadratic(center=(1.0, 2.0, 3.0))


def test_rosenbrock_minimum():
    banana = TWO_D["rosenbrock"]
    np.testing.assert_allclose(banana.minimum, [1.5, 2.25])
    assert banana.loss(banana.minimum) == 0.0
    np.testing.assert_array_equal(banana.grad(banana.minimum), [0.0, 0.0])


def test_cliff_gradient_peaks_at_h_k_over_4_and_catapults_unclipped_gd():
    wall = problems.cliff(height=4.0, steepness=50.0)
    assert wall.info["max_grad"] == 50.0
    xs = np.linspace(-1, 1, 20001)
    slope = wall.grad(np.stack([xs, np.zeros_like(xs)], axis=-1))[:, 0]
    valley = 0.2 * (xs - 2.0)  # ∂/∂x of ½ a (x − x*)²
    np.testing.assert_allclose(np.max(np.abs(slope - valley)), 50.0, rtol=1e-6)
    assert wall.loss(np.array([-1.0, 0.0])) - wall.loss(np.array([1.0, 0.0])) > 4.0 - 0.2 * 2
    np.testing.assert_allclose(wall.grad(wall.minimum), 0.0, atol=1e-12)
    # one step on the cliff face throws plain GD far past the minimum (x* = 2) ...
    thrown = ol.run(ol.sgd(0.23), wall, wall.info["start"], 200)
    assert thrown.params[:, 0].max() > 10.0
    # ... while clipping the gradient's norm to 1 walks down calmly and arrives
    calm = ol.run(ol.sgd(0.23), wall, wall.info["start"], 200, clip=1.0)
    assert calm.params[:, 0].max() <= 2.0 + 1e-9
    assert np.abs(np.diff(calm.params, axis=0)).max() <= 0.23 * 1.0 + 1e-12
    np.testing.assert_allclose(calm.final, wall.minimum, atol=1e-3)


SEED_000 = ([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 3.0, 5.0, 7.0, 11.0])


@pytest.mark.parametrize("bias", [True, False])
def test_linear_regression_gradient_loss_and_solution(bias):
    fit = problems.linear_regression(*SEED_000, bias=bias)
    params = {"w": np.array([0.7]), "b": np.array(0.3)} if bias else {"w": np.array([0.7])}
    grad = fit.grad(params)
    assert set(grad) == set(params)
    for k in params:
        np.testing.assert_allclose(grad[k], numeric_grad(fit.loss, params)[k], rtol=1e-7)
    X, y = np.array(SEED_000[0]), np.array(SEED_000[1])
    r = 0.7 * X + (0.3 if bias else 0.0) - y
    assert fit.loss(params) == pytest.approx(np.mean(r**2), rel=1e-15)  # no ½
    best = fit.solution()
    if bias:
        w, b = np.polyfit(X, y, 1)  # 2.2, −1.0
        np.testing.assert_allclose([best["w"][0], best["b"]], [w, b], rtol=1e-12)
    else:
        np.testing.assert_allclose(best["w"], [X @ y / (X @ X)], rtol=1e-12)
    assert fit.minimum is best
    for g in ol.tree_leaves(fit.grad(best)):
        np.testing.assert_allclose(g, 0.0, atol=1e-12)


def test_linear_regression_several_features_and_a_batch_of_params():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((30, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    fit = problems.linear_regression(X, y)
    np.testing.assert_allclose(fit.solution()["w"], [1.0, -2.0, 0.5], rtol=1e-12)
    batch = {"w": rng.standard_normal((4, 2, 3)), "b": rng.standard_normal((4, 2))}
    losses, grads = fit.loss(batch), fit.grad(batch)
    assert losses.shape == (4, 2) and grads["w"].shape == (4, 2, 3) and grads["b"].shape == (4, 2)
    single = {"w": batch["w"][3, 1], "b": batch["b"][3, 1]}
    np.testing.assert_allclose(losses[3, 1], fit.loss(single), rtol=1e-13)
    np.testing.assert_allclose(grads["w"][3, 1], fit.grad(single)["w"], rtol=1e-13)
    with pytest.raises(ValueError, match="batch_size must be in"):
        problems.linear_regression(X, y, batch_size=31)
    with pytest.raises(ValueError, match="X must have shape"):
        problems.linear_regression(X, y[:-1])


def test_minibatch_gradients_are_seeded_unbiased_and_reset():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((40, 2))
    y = rng.standard_normal(40)
    params = {"w": np.array([0.5, -0.5]), "b": np.array(0.1)}
    full = problems.linear_regression(X, y).grad(params)
    fit = problems.linear_regression(X, y, batch_size=8, seed=3)
    first = [fit.grad(params)["w"] for _ in range(3)]
    assert not np.allclose(first[0], first[1])  # different minibatches
    fit.reset()
    np.testing.assert_array_equal(fit.grad(params)["w"], first[0])  # same sequence again
    again = problems.linear_regression(X, y, batch_size=8, seed=3)
    np.testing.assert_array_equal(again.grad(params)["w"], first[0])
    mean = np.mean([fit.grad(params)["w"] for _ in range(4000)], axis=0)
    np.testing.assert_allclose(mean, full["w"], atol=0.03)  # minibatch grads average out
    assert fit.loss(params) == problems.linear_regression(X, y).loss(params)  # full batch


def test_noisy_adds_seeded_gaussian_noise_and_keeps_the_kind_of_problem():
    base = problems.linear_regression(*SEED_000)
    shaky = problems.noisy(base, sigma=0.5, seed=1)
    assert isinstance(shaky, problems.LinearRegression) and shaky.solution() is base.minimum
    params = {"w": np.array([1.0]), "b": np.array(0.0)}
    noise = np.array([shaky.grad(params)["w"][0] - base.grad(params)["w"][0]
                      for _ in range(4000)])
    assert abs(noise.mean()) < 0.03 and noise.std() == pytest.approx(0.5, rel=0.05)
    shaky.reset()
    expected = base.grad(params)["w"] + 0.5 * np.random.default_rng(1).standard_normal(1)
    np.testing.assert_allclose(shaky.grad(params)["w"], expected, rtol=1e-15)
    assert shaky.loss(params) == base.loss(params)
    assert problems.noisy(base, sigma=0.0).grad(params)["w"] == base.grad(params)["w"]


def test_spirals_are_seeded_balanced_and_inside_the_unit_disc():
    X, y = problems.spirals(n_per_class=40, n_classes=4, noise=0.1, seed=2)
    assert X.shape == (160, 2) and y.shape == (160,) and y.dtype.kind == "i"
    assert np.bincount(y).tolist() == [40] * 4
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-12)
    np.testing.assert_array_equal(X, problems.spirals(40, 4, 0.1, seed=2)[0])
    assert not np.array_equal(X, problems.spirals(40, 4, 0.1, seed=3)[0])


def test_mlp_backprop_matches_finite_differences():
    X, y = problems.spirals(n_per_class=10, n_classes=3, seed=1)
    net = problems.mlp(X, y, hidden=5, l2=0.01)
    params = net.init_params(seed=4)
    params["b1"] = params["b1"] + 0.05  # keep ReLUs away from their kink
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (2, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}
    analytic, numeric = net.grad(params), numeric_grad(net.loss, params)
    for k in params:
        np.testing.assert_allclose(analytic[k], numeric[k], rtol=1e-5, atol=1e-8)
    assert net.dim == 2 * 5 + 5 + 5 * 3 + 3


def test_mlp_learns_the_spirals_with_minibatches():
    X, y = problems.spirals()
    net = problems.mlp(X, y, hidden=32, batch_size=64, seed=0)
    params = net.init_params(seed=0)
    assert net.loss(params) == pytest.approx(np.log(3), abs=0.5)
    assert net.accuracy(params, X, y) < 0.6
    traj = ol.run(ol.adam(0.02), net, params, steps=300, record=False)
    assert traj.losses[-1] < 0.3 and net.accuracy(traj.final, X, y) > 0.9
    predicted = net.predict(traj.final, X)
    assert predicted.shape == y.shape and set(predicted.tolist()) == {0, 1, 2}
    np.testing.assert_array_equal(net.predict(traj.final, X[::7]), predicted[::7])
    with pytest.raises(ValueError, match="integer labels"):
        problems.mlp(X, y.astype(float))


def test_mlp_trains_a_batch_of_networks_exactly_as_one_at_a_time():
    X, y = problems.spirals(n_per_class=30, seed=3)
    net = problems.mlp(X, y, hidden=8, batch_size=16, seed=5, l2=1e-3)
    lrs = np.array([[0.003, 0.03], [0.1, 0.3]])  # a 2 x 2 grid of runs
    grid = net.init_params(seed=1, batch_shape=lrs.shape)
    assert grid["W1"].shape == (2, 2, 2, 8) and grid["b2"].shape == (2, 2, 3)
    assert net.loss(grid).shape == (2, 2)
    batched = ol.run(ol.adam(lrs), net, grid, steps=40, record=False)
    assert batched.losses.shape == (41, 2, 2)
    accuracy = net.accuracy(batched.final, X, y)
    assert accuracy.shape == (2, 2) and net.predict(batched.final, X).shape == (2, 2, 90)
    for i, j in np.ndindex(lrs.shape):
        net.reset()  # the same minibatches as the batched run
        one = ol.run(ol.adam(lrs[i, j]), net, net.init_params(seed=1), 40, record=False)
        np.testing.assert_allclose(batched.losses[:, i, j], one.losses, rtol=1e-12)
        for k in one.final:
            np.testing.assert_allclose(batched.final[k][i, j], one.final[k], rtol=1e-12,
                                       atol=1e-15)
        assert accuracy[i, j] == net.accuracy(one.final, X, y)
    assert len(set(accuracy.ravel().tolist())) > 1  # the runs did differ


def test_custom_problem_works_with_run():
    # a 1-D loss with a shallow local minimum, built by a chapter
    def loss(x):
        return x**4 - 3 * x**2 + x

    def grad(x):
        return 4 * x**3 - 6 * x + 1

    bumpy = ol.Problem("bumpy", loss, grad)
    traj = ol.run(ol.sgd(0.01), bumpy, 2.0, steps=500)
    assert traj.final == pytest.approx(1.1309, abs=1e-3)  # the shallow local minimum
    heavy = ol.run(ol.momentum(0.01, 0.9), bumpy, 2.0, steps=500)
    assert heavy.final == pytest.approx(-1.3008, abs=1e-3)  # momentum rolls on to the global one
