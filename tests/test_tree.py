"""Trees: map, leaves, paths, and structure errors that name the leaf."""

from collections import namedtuple

import numpy as np
import pytest

from optimlib.tree import tree_leaves, tree_map, tree_map_with_path, tree_paths, tree_zeros_like


def test_tree_map_over_nested_containers_keeps_structure_and_types():
    Pair = namedtuple("Pair", "a b")
    tree = {"W": np.array([1.0, 2.0]), "layers": [3.0, (4.0, Pair(5.0, 6.0))]}
    doubled = tree_map(lambda x: 2 * x, tree)
    assert isinstance(doubled["layers"], list)
    assert isinstance(doubled["layers"][1], tuple)
    assert isinstance(doubled["layers"][1][1], Pair)
    assert tree_leaves(doubled)[1:] == [6.0, 8.0, 10.0, 12.0]
    np.testing.assert_array_equal(doubled["W"], [2.0, 4.0])


def test_tree_map_combines_several_trees_leaf_by_leaf():
    a, b, c = {"x": 1.0, "y": [2.0]}, {"x": 10.0, "y": [20.0]}, {"x": 100.0, "y": [200.0]}
    assert tree_map(lambda *xs: sum(xs), a, b, c) == {"x": 111.0, "y": [222.0]}


def test_dict_order_follows_first_tree_and_keys_are_matched_by_name():
    out = tree_map(lambda p, g: p - g, {"b": 1.0, "a": 2.0}, {"a": 0.5, "b": 0.25})
    assert list(out) == ["b", "a"]
    assert out == {"b": 0.75, "a": 1.5}


@pytest.mark.parametrize(
    ("other", "message"),
    [
        ({"W1": np.zeros(2)}, r"grads is a dict with keys \['W1'\], but params is a dict "
                              r"with keys \['W1', 'b1'\]"),
        ({"W1": {"a": 1.0}, "b1": 0.0}, r"grads\['W1'\] is a dict with keys \['a'\], "
                                        r"but params\['W1'\] is a leaf"),
        ({"W1": np.zeros(2), "b1": [1.0]}, r"grads\['b1'\] is a list of length 1"),
        ([np.zeros(2), 0.0], r"grads is a list of length 2, but params is a dict"),
    ],
)
def test_structure_mismatch_names_the_path(other, message):
    params = {"W1": np.zeros(2), "b1": 0.0}
    with pytest.raises(ValueError, match=message):
        tree_map(lambda p, g: p, params, other, names=("params", "grads"))


def test_list_and_tuple_are_different_structures():
    with pytest.raises(ValueError, match=r"rest\[0\] is a tuple of length 1, but tree is a list"):
        tree_map(lambda a, b: a, [1.0], (1.0,))


def test_paths_and_leaves_follow_the_tree_order():
    tree = {"W1": 1.0, "nested": {"layers": [2.0, 3.0]}, "b": 4.0}
    assert tree_paths(tree) == [
        ("['W1']", 1.0),
        ("['nested']['layers'][0]", 2.0),
        ("['nested']['layers'][1]", 3.0),
        ("['b']", 4.0),
    ]
    assert tree_leaves(tree) == [1.0, 2.0, 3.0, 4.0]
    assert tree_paths(np.float64(7.0)) == [("", 7.0)]


def test_map_with_path_passes_the_path_first():
    seen = tree_map_with_path(lambda path, x, y: (path, x + y), [1.0, 2.0], [10.0, 20.0])
    assert seen == [("[0]", 11.0), ("[1]", 22.0)]


def test_zeros_like_keeps_shapes_and_dtypes_and_does_not_alias():
    tree = {"W": np.ones((2, 3), np.float32), "b": np.ones(3), "s": 2.0}
    zeros = tree_zeros_like(tree)
    assert zeros["W"].dtype == np.float32 and zeros["W"].shape == (2, 3)
    assert zeros["b"].dtype == np.float64 and np.shape(zeros["s"]) == ()
    assert all(np.all(z == 0) for z in tree_leaves(zeros))
    zeros["W"][0, 0] = 5.0
    assert tree["W"][0, 0] == 1.0
