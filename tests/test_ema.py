"""The EMA helpers that momentum, RMSProp and Adam share."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimlib import bias_correction, ema, ema_series, update_moment

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None)


def test_update_moment_is_the_convex_combination():
    m, g = np.array([1.0, -2.0, 4.0]), np.array([3.0, 2.0, 4.0])
    np.testing.assert_allclose(update_moment(m, g, 0.75), 0.75 * m + 0.25 * g, rtol=1e-15)
    np.testing.assert_array_equal(update_moment(m, g, 0.0), g)  # β = 0: no memory
    np.testing.assert_array_equal(m, [1.0, -2.0, 4.0])  # inputs unchanged


def test_update_moment_writes_into_out_and_broadcasts_beta():
    m, g = np.zeros((2, 3)), np.ones((2, 3))
    out = np.empty((2, 3))
    result = update_moment(m, g, np.array([[0.5], [0.9]]), out=out)
    assert result is out
    np.testing.assert_allclose(out, [[0.5] * 3, [0.1] * 3], rtol=1e-15)


def test_bias_correction_by_hand():
    # m after three steps of g = 1 from m0 = 0 with β = 0.5: 0.5, 0.75, 0.875 = 1 − 0.5³
    assert bias_correction(0.875, 0.5, 3) == 1.0
    np.testing.assert_allclose(bias_correction(np.array([0.19]), 0.9, 2), [1.0], rtol=1e-15)


@SETTINGS
@given(c=st.floats(-1e6, 1e6), beta=st.floats(0.0, 0.999), steps=st.integers(1, 50))
def test_debiased_ema_of_a_constant_is_that_constant(c, beta, steps):
    smoother = ema(beta)
    state = smoother.init(0.0)
    for _ in range(steps):
        estimate, state = smoother.update(c, state)
        assert estimate == pytest.approx(c, rel=1e-12, abs=1e-300)
    series = ema_series(np.full(steps, c), beta)
    np.testing.assert_allclose(series, c, rtol=1e-12)


def test_biased_ema_starts_small_by_exactly_one_minus_beta_to_the_t():
    beta = 0.9
    series = ema_series(np.ones(4), beta, debias=False)
    np.testing.assert_allclose(series, 1 - beta ** np.arange(1, 5), rtol=1e-14)


def test_ema_matches_ema_series_on_trees_and_arrays():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((20, 3))
    smoother = ema(0.8, debias=True)
    state = smoother.init({"a": xs[0], "b": [xs[0, 0]]})
    for t, x in enumerate(xs):
        estimate, state = smoother.update({"a": x, "b": [x[0]]}, state)
        np.testing.assert_allclose(estimate["a"], ema_series(xs, 0.8)[t], rtol=1e-13)
        np.testing.assert_allclose(estimate["b"][0], ema_series(xs[:, 0], 0.8)[t], rtol=1e-13)
    assert state.t == 20


def test_ema_series_by_hand_and_with_several_betas():
    x = np.array([4.0, 0.0, 2.0])
    # β = 0.5: v = 2, 1, 1.5; debiased by 0.5, 0.75, 0.875
    np.testing.assert_allclose(ema_series(x, 0.5, debias=False), [2.0, 1.0, 1.5])
    np.testing.assert_allclose(ema_series(x, 0.5), [4.0, 4 / 3, 1.5 / 0.875])
    both = ema_series(x[:, None], np.array([0.0, 0.5]), debias=False)
    assert both.shape == (3, 2)
    np.testing.assert_allclose(both[:, 0], x)  # β = 0 is the series itself
    np.testing.assert_allclose(both[:, 1], [2.0, 1.0, 1.5])


def test_ema_keeps_float32_and_turns_integers_into_floats():
    assert ema_series(np.ones(3, np.float32), 0.5).dtype == np.float32
    assert ema_series(np.array([1, 2, 3]), 0.5).dtype == np.float64
    smoother = ema(0.5)
    estimate, _ = smoother.update(np.ones(2, np.float32), smoother.init(np.ones(2, np.float32)))
    assert estimate.dtype == np.float32
