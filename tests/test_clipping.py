"""Gradient clipping: by value, by each leaf's norm, by the global norm; and clipped()."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import optimlib as ol
from optimlib import clip_by_global_norm, clip_by_norm, clip_by_value, global_norm

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None)

finite = st.floats(-1e6, 1e6, allow_subnormal=False)
grad_trees = st.fixed_dictionaries({
    "W": arrays(np.float64, (2, 3), elements=finite),
    "b": arrays(np.float64, (3,), elements=finite),
})
limits = st.floats(1e-3, 1e3)


def test_global_norm_by_hand_and_per_run():
    grads = {"w": np.array([3.0, 0.0]), "b": [np.array(4.0)]}
    assert global_norm(grads) == 5.0
    batched = {"w": np.array([[3.0, 0.0], [0.0, 0.0]]), "b": np.array([4.0, 1.0])}
    np.testing.assert_allclose(global_norm(batched, batch_ndim=1), [5.0, 1.0])
    with pytest.raises(ValueError, match=r"grads\['b'\] has 1 axes, fewer than batch_ndim=2"):
        global_norm(batched, batch_ndim=2)


def test_clipping_by_hand():
    grads = {"w": np.array([3.0, 4.0]), "b": np.array([0.1])}
    np.testing.assert_array_equal(clip_by_value(grads, 0.5)["w"], [0.5, 0.5])
    by_norm = clip_by_norm(grads, 1.0)
    np.testing.assert_allclose(by_norm["w"], np.array([3.0, 4.0]) / (5.0 + 1e-6), rtol=1e-15)
    np.testing.assert_array_equal(by_norm["b"], [0.1])  # its own norm is below 1
    by_global = clip_by_global_norm(grads, 1.0)
    total = np.sqrt(25.0 + 0.01)
    np.testing.assert_allclose(by_global["b"], [0.1 / (total + 1e-6)], rtol=1e-15)


@SETTINGS
@given(grads=grad_trees, limit=limits)
def test_clipping_never_increases_a_norm(grads, limit):
    before = global_norm(grads)
    for clipped in (clip_by_value(grads, limit), clip_by_norm(grads, limit),
                    clip_by_global_norm(grads, limit)):
        assert global_norm(clipped) <= before
        for leaf, original in zip(ol.tree_leaves(clipped), ol.tree_leaves(grads), strict=True):
            assert np.linalg.norm(leaf) <= np.linalg.norm(original)
    assert global_norm(clip_by_global_norm(grads, limit)) <= limit * (1 + 1e-12)
    assert all(np.linalg.norm(leaf) <= limit * (1 + 1e-12)
               for leaf in ol.tree_leaves(clip_by_norm(grads, limit)))
    assert all(np.all(np.abs(leaf) <= limit)
               for leaf in ol.tree_leaves(clip_by_value(grads, limit)))


@SETTINGS
@given(grads=grad_trees, limit=limits)
def test_norm_clipping_preserves_direction(grads, limit):
    for clipped in (clip_by_norm(grads, limit), clip_by_global_norm(grads, limit)):
        for leaf, g in zip(ol.tree_leaves(clipped), ol.tree_leaves(grads), strict=True):
            if np.any(g):
                scale = np.vdot(leaf, g) / np.vdot(g, g)  # leaf = scale · g
                assert 0 < scale <= 1
                np.testing.assert_allclose(leaf, scale * g, rtol=1e-12, atol=1e-300)
    # clipping by value does not: it flattens the large entries only
    value_clipped = clip_by_value({"g": np.array([10.0, 1.0])}, 2.0)["g"]
    assert value_clipped[0] / value_clipped[1] == 2.0


def test_batch_ndim_clips_each_run_by_its_own_norm():
    rng = np.random.default_rng(0)
    grads = {"w": 5 * rng.standard_normal((4, 3, 2)), "b": rng.standard_normal((4, 3))}
    max_norm = np.array([0.5, 1.0, 2.0, 100.0])[:, None]  # per row of the (4, 3) grid
    batched = clip_by_global_norm(grads, max_norm, batch_ndim=2)
    per_leaf = clip_by_norm(grads, max_norm, batch_ndim=2)
    for i in range(4):
        for j in range(3):
            run = {"w": grads["w"][i, j], "b": grads["b"][i, j]}
            single = clip_by_global_norm(run, float(max_norm[i, 0]))
            np.testing.assert_allclose(batched["w"][i, j], single["w"], rtol=1e-15)
            np.testing.assert_allclose(batched["b"][i, j], single["b"], rtol=1e-15)
            single = clip_by_norm(run, float(max_norm[i, 0]))
            np.testing.assert_allclose(per_leaf["w"][i, j], single["w"], rtol=1e-15)
            np.testing.assert_allclose(per_leaf["b"][i, j], single["b"], rtol=1e-15)
    with pytest.raises(ValueError, match=r"max_norm of shape \(3,\) does not fit"):
        clip_by_global_norm(grads, np.ones(3), batch_ndim=2)


def test_clipping_keeps_float32_and_does_not_mutate():
    grads = {"w": np.full(3, 10.0, np.float32)}
    for clipped in (clip_by_value(grads, 1.0), clip_by_norm(grads, 1.0),
                    clip_by_global_norm(grads, 1.0)):
        assert clipped["w"].dtype == np.float32
    np.testing.assert_array_equal(grads["w"], 10.0)


@pytest.mark.parametrize(("kind", "clip"), [
    ("value", lambda g: clip_by_value(g, 0.3)),
    ("norm", lambda g: clip_by_norm(g, 0.3)),
    ("global_norm", lambda g: clip_by_global_norm(g, 0.3)),
])
def test_clipped_optimizer_is_the_optimizer_on_clipped_grads(kind, clip):
    rng = np.random.default_rng(3)
    params = {"w": rng.standard_normal(3), "b": rng.standard_normal(2)}
    wrapped, plain = ol.clipped(ol.adam(0.1), **{kind: 0.3}), ol.adam(0.1)
    p1, s1 = params, wrapped.init(params)
    p2, s2 = params, plain.init(params)
    for _ in range(5):
        grads = {k: 3 * rng.standard_normal(v.shape) for k, v in params.items()}
        p1, s1 = wrapped.step(p1, grads, s1)
        p2, s2 = plain.step(p2, clip(grads), s2)
        for k in params:
            np.testing.assert_array_equal(p1[k], p2[k])
