"""Parameter trees: one array, a scalar, or nested dicts/lists/tuples of them.

A network's parameters are rarely one array: seed 001 keeps them in a dict
``{"W1": ..., "b1": ..., "W2": ..., "b2": ...}``. Every optimizer therefore works
on *trees* and applies its update rule leaf by leaf with :func:`tree_map`.
Dicts keep the key order of the first tree; leaf paths are written the way you
would index the tree, e.g. ``['W1']`` or ``['layers'][0]``.
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Tree = Any  # an array, a scalar, or a dict/list/tuple of trees


def _describe(x: Any) -> str:
    if isinstance(x, dict):
        return f"a dict with keys {list(x)}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of length {len(x)}"
    return "a leaf"


def _same_node(first: Any, other: Any) -> bool:
    if isinstance(first, dict):
        return isinstance(other, dict) and other.keys() == first.keys()
    if isinstance(first, (list, tuple)):
        return type(other) is type(first) and len(other) == len(first)
    return not isinstance(other, (dict, list, tuple))


def _map(f: Callable, trees: Sequence[Tree], names: Sequence[str], path: str) -> Tree:
    first = trees[0]
    for other, name in zip(trees[1:], names[1:], strict=True):
        if not _same_node(first, other):
            raise ValueError(
                f"{name}{path} is {_describe(other)}, but {names[0]}{path} is {_describe(first)}"
            )
    if isinstance(first, dict):
        return {k: _map(f, [t[k] for t in trees], names, f"{path}[{k!r}]") for k in first}
    if isinstance(first, (list, tuple)):
        out = [_map(f, [t[i] for t in trees], names, f"{path}[{i}]") for i in range(len(first))]
        return type(first)(*out) if hasattr(first, "_fields") else type(first)(out)
    return f(path, *trees)


def tree_map_with_path(
    f: Callable[..., Any], tree: Tree, *rest: Tree, names: Sequence[str] | None = None
) -> Tree:
    """Like :func:`tree_map`, but ``f`` also receives each leaf's path string first.

    Args:
      f: called as ``f(path, leaf, *leaves_of_rest)``; ``path`` is e.g. ``"['W1']"``
        (``""`` for a tree that is a single leaf).
      tree, rest, names: as in :func:`tree_map`.

    Returns:
      A tree of the same structure as ``tree`` holding ``f``'s results.

    Example:
      >>> tree_map_with_path(lambda path, x: f"{path}={x}", {"a": 1, "b": [2, 3]})
      {'a': "['a']=1", 'b': ["['b'][0]=2", "['b'][1]=3"]}
    """
    if not any(isinstance(t, (dict, list, tuple)) for t in (tree, *rest)):
        return f("", tree, *rest)  # a single leaf each: the common case of a 2-D problem
    names = names or ["tree", *(f"rest[{i}]" for i in range(len(rest)))]
    return _map(f, (tree, *rest), names, "")


def tree_map(
    f: Callable[..., Any], tree: Tree, *rest: Tree, names: Sequence[str] | None = None
) -> Tree:
    """Apply ``f`` leaf by leaf to one or more trees of the same structure.

    .. code-block:: text

        tree_map(f, {"W": W, "b": b}, {"W": dW, "b": db}) = {"W": f(W, dW), "b": f(b, db)}

    Args:
      f: function of one leaf from each tree.
      tree: the tree whose structure the result takes.
      rest: more trees, each with exactly the same structure (same dict keys, same
        list/tuple types and lengths).
      names: optional names of the trees for error messages, e.g. ``("params", "grads")``.

    Returns:
      A tree of the same structure as ``tree`` holding ``f``'s results.

    Raises:
      ValueError: if a tree in ``rest`` differs in structure; the message names the
        path, e.g. ``"grads['W1'] is a leaf, but params['W1'] is a dict with keys ['a']"``.

    Example:
      >>> params = {"W": np.array([1.0, 2.0]), "b": 0.5}
      >>> grads = {"W": np.array([0.1, 0.2]), "b": 1.0}
      >>> tree_map(lambda p, g: p - 0.5 * g, params, grads)
      {'W': array([0.95, 1.9 ]), 'b': 0.0}
    """
    return tree_map_with_path(lambda _, *leaves: f(*leaves), tree, *rest, names=names)


def tree_paths(tree: Tree) -> list[tuple[str, Any]]:
    """List ``(path, leaf)`` pairs in the tree's order.

    Example:
      >>> tree_paths({"W1": 1.0, "layers": [2.0, 3.0]})
      [("['W1']", 1.0), ("['layers'][0]", 2.0), ("['layers'][1]", 3.0)]
    """
    pairs: list[tuple[str, Any]] = []
    tree_map_with_path(lambda path, x: pairs.append((path, x)), tree)
    return pairs


def tree_leaves(tree: Tree) -> list[Any]:
    """List the leaves of a tree in the tree's order.

    Example:
      >>> tree_leaves({"W1": 1.0, "layers": [2.0, 3.0]})
      [1.0, 2.0, 3.0]
    """
    return [leaf for _, leaf in tree_paths(tree)]


def tree_zeros_like(tree: Tree) -> Tree:
    """A tree of zero arrays with the shapes and dtypes of ``tree``'s leaves.

    Example:
      >>> tree_zeros_like({"W": np.ones((2, 2), np.float32), "b": 3.0})
      {'W': array([[0., 0.],
             [0., 0.]], dtype=float32), 'b': array(0.)}
    """
    return tree_map(np.zeros_like, tree)
