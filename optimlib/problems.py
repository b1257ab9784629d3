"""Test problems: a loss, its analytic gradient, and what we know about the minimum.

The 2-D problems (``quadratic``, ``rosenbrock``, ``cliff``) take params of shape
``(..., 2)`` and return losses of shape ``(...)`` and gradients of shape ``(..., 2)``,
so a whole grid of runs is one array. ``linear_regression`` is vectorized the same
way over leading axes of ``w`` and ``b``. Stochastic gradients (minibatches,
``noisy``) come from a seeded generator; ``problem.reset()`` (which ``run`` calls
first) restarts it, so every run sees the same sequence.

Build your own with ``Problem(name, loss, grad, minimum=None, dim=None, info=None)``.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .base import check_nonneg
from .tree import Tree, tree_map


class Problem(NamedTuple):
    """A loss to minimize and its gradient, plus what is known about it.

    ``loss(params)`` returns one number per run (shape ``()``, or the batch shape);
    ``grad(params)`` returns a tree shaped like ``params``. ``reset()`` restarts any
    random generator behind ``grad``.

    Example:
      >>> # a 1-D loss with a shallow local minimum (x ≈ 1.13) and a deeper one (x ≈ −1.30)
      >>> bumpy = Problem("bumpy", loss=lambda x: x**4 - 3 * x**2 + x,
      ...                 grad=lambda x: 4 * x**3 - 6 * x + 1)
      >>> bumpy.grad(1.0), bumpy.minimum
      (-1.0, None)
    """

    name: str
    loss: Callable[[Tree], Any]
    grad: Callable[[Tree], Tree]
    minimum: Tree | None = None  # params at the global minimum, when known
    dim: int | None = None  # number of parameters of one run
    info: dict | None = None  # anything else: eigenvalues, a good start, the data, ...
    reset: Callable[[], None] = lambda: None  # restart the random generator, if any


def _points(params: Any, dim: int, name: str) -> np.ndarray:
    x = np.asarray(params)
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(f"{name} needs params of shape (..., {dim}), got {x.shape}")
    return x


def _rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Σ_i a_i b_i over the last axis (a matmul: np.sum over a short last axis is ~10× slower)."""
    return (a * b) @ np.ones(a.shape[-1])


def quadratic(eigenvalues: Any = (1.0, 100.0), angle: float = 0.0,
              center: Any = None) -> Problem:
    """The ravine: a quadratic bowl with chosen curvatures.

    .. code-block:: text

        f(θ) = ½ (θ − c)ᵀ A (θ − c),   A = R(angle) diag(λ) R(angle)ᵀ,   ∇f = A (θ − c)

    Gradient descent converges for lr < 2 / λ_max, and the ravine's condition number
    λ_max / λ_min says how slowly the flat direction then moves.

    Args:
      eigenvalues: curvatures λ along the principal axes (one per dimension).
      angle: rotation of the axes in radians (2-D only).
      center: the minimizer c (default 0).

    Returns:
      A :class:`Problem`; ``info`` holds ``A``, ``eigenvalues`` and ``condition``.
      ``minimum`` is None unless every λ > 0.

    Example:
      >>> ravine = quadratic((1.0, 100.0))
      >>> float(ravine.loss(np.array([1.0, 1.0]))), ravine.grad(np.array([1.0, 1.0]))
      (50.5, array([  1., 100.]))
    """
    lam = np.asarray(eigenvalues, dtype=float).reshape(-1)
    if not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be finite, got {lam}")
    d = lam.size
    if d != 2 and angle != 0:
        raise ValueError(f"angle is only defined for 2 eigenvalues, got {d}")
    cos, sin = np.cos(angle), np.sin(angle)
    rot = np.array([[cos, -sin], [sin, cos]]) if d == 2 else np.eye(d)
    A = rot @ np.diag(lam) @ rot.T
    c = np.zeros(d) if center is None else np.asarray(center, dtype=float)
    if c.shape != (d,):
        raise ValueError(f"center must have shape ({d},), got {c.shape}")

    def grad(theta: Any) -> np.ndarray:
        return (_points(theta, d, "quadratic") - c) @ A  # A is symmetric

    def loss(theta: Any) -> np.ndarray:
        delta = _points(theta, d, "quadratic") - c
        return 0.5 * _rowdot(delta @ A, delta)

    return Problem(f"quadratic λ={tuple(lam.tolist())}", loss, grad,
                   minimum=c if np.all(lam > 0) else None, dim=d,
                   info={"A": A, "eigenvalues": lam, "condition": lam.max() / lam.min()})


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Problem:
    """Rosenbrock's banana valley: easy to find, slow to follow.

    .. code-block:: text

        f(x, y) = (a − x)² + b (y − x²)²,   minimum at (a, a²)
        ∇f = (−2(a − x) − 4 b x (y − x²),  2 b (y − x²))

    Example:
      >>> banana = rosenbrock()
      >>> float(banana.loss(np.array([1.0, 1.0]))), banana.grad(np.array([0.0, 0.0]))
      (0.0, array([-2.,  0.]))
    """

    def loss(params: Any) -> np.ndarray:
        x, y = np.moveaxis(_points(params, 2, "rosenbrock"), -1, 0)
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def grad(params: Any) -> np.ndarray:
        x, y = np.moveaxis(_points(params, 2, "rosenbrock"), -1, 0)
        return np.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], axis=-1)

    return Problem(f"rosenbrock a={a}, b={b}", loss, grad, minimum=np.array([a, a * a]), dim=2,
                   info={"start": np.array([-1.5, 2.0])})


def cliff(height: float = 4.0, steepness: float = 50.0, edge: float = 0.0, target: float = 2.0,
          curvature: tuple[float, float] = (0.2, 1.0)) -> Problem:
    """A gentle valley whose path to the minimum drops down a cliff.

    .. code-block:: text

        f(x, y) = ½ a (x − x*)² + ½ b y² + h · σ(−k (x − e)),   σ(z) = 1 / (1 + e^(−z))
        ∂f/∂x = a (x − x*) − h k σ(1 − σ),   ∂f/∂y = b y

    Left of the edge e the loss is h higher. On the cliff face the slope reaches
    h·k/4 (at x = e): a gradient step there is catapulted ~lr·h·k/4 to the right,
    far past the minimum, while clipping the gradient's norm crosses the cliff
    calmly. The minimum is (x*, 0) for x* a few 1/k to the right of e.

    Args:
      height: h, the drop of the cliff.
      steepness: k, how sharp the drop is (its width is ~4/k).
      edge: e, x position of the cliff.
      target: x*, x position of the minimum (keep it > e + 10/k).
      curvature: (a, b), curvatures of the valley along x and across it (y).

    Returns:
      A :class:`Problem`; ``info`` holds ``max_grad`` = h·k/4 and a ``start`` left of the edge.

    Example:
      >>> wall = cliff()  # h = 4, k = 50
      >>> float(wall.info["max_grad"]), float(np.abs(wall.grad(np.array([0.0, 0.0]))[0]))
      (50.0, 50.4)
    """
    h, k, e, x_star = (float(v) for v in (height, steepness, edge, target))
    a, b = (float(v) for v in curvature)
    if min(h, k, a, b) <= 0:
        raise ValueError(f"height, steepness and curvature must be > 0, got {h}, {k}, {(a, b)}")

    def parts(params: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        points = _points(params, 2, "cliff")
        x, y = points[..., 0], points[..., 1]
        sigma = 0.5 * (1 + np.tanh(-k * (x - e) / 2))  # σ(−k(x − e)) without overflow
        return x, y, sigma

    def loss(params: Any) -> np.ndarray:
        x, y, sigma = parts(params)
        return 0.5 * a * (x - x_star) ** 2 + 0.5 * b * y**2 + h * sigma

    def grad(params: Any) -> np.ndarray:
        x, y, sigma = parts(params)
        return np.stack([a * (x - x_star) - h * k * sigma * (1 - sigma), b * y], axis=-1)

    return Problem(f"cliff h={h}, k={k}", loss, grad, minimum=np.array([x_star, 0.0]), dim=2,
                   info={"max_grad": h * k / 4, "start": np.array([e - 3.0, 1.0])})


def noisy(problem: Problem, sigma: float, seed: int = 0) -> Problem:
    """The same problem with Gaussian noise added to every gradient.

    .. code-block:: text

        grad(θ) = ∇f(θ) + σ ξ,   ξ ~ N(0, I) from np.random.default_rng(seed)

    Args:
      problem: any problem.
      sigma: noise standard deviation, >= 0.
      seed: seed of the generator; ``reset()`` restarts it.

    Returns:
      A :class:`Problem` of the same kind (loss and minimum unchanged).

    Example:
      >>> shaky = noisy(quadratic(), sigma=0.1)
      >>> g1 = shaky.grad(np.zeros(2)); shaky.reset()
      >>> bool(np.all(g1 == shaky.grad(np.zeros(2))))  # same seed, same noise
      True
    """
    sigma = check_nonneg("sigma", sigma)
    rng = np.random.default_rng(seed)

    def grad(params: Tree) -> Tree:
        return tree_map(lambda g: g + sigma * rng.standard_normal(np.shape(g)),
                        problem.grad(params))

    def reset() -> None:
        nonlocal rng
        rng = np.random.default_rng(seed)
        problem.reset()

    return problem._replace(name=f"{problem.name} + noise σ={sigma}", grad=grad, reset=reset)


def _minibatch(n: int, batch_size: int | None, seed: int) -> tuple[Callable, Callable]:
    """A function returning the indices of the next random minibatch, and its reset."""
    if batch_size is not None and not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be in [1, {n}] or None, got {batch_size}")
    rng = np.random.default_rng(seed)

    def indices() -> Any:
        return slice(None) if batch_size is None else rng.choice(n, batch_size, replace=False)

    def reset() -> None:
        nonlocal rng
        rng = np.random.default_rng(seed)

    return indices, reset


class LinearRegression(Problem):
    __slots__ = ()

    def solution(self) -> dict[str, np.ndarray]:
        """The least-squares optimum (the same as ``minimum``)."""
        return self.minimum


def linear_regression(X: Any, y: Any, bias: bool = True, batch_size: int | None = None,
                      seed: int = 0) -> LinearRegression:
    """Fit ``y ≈ X w + b`` by mean squared error (no ½, as in the seed posts).

    .. code-block:: text

        r = X w + b − y,   f = mean(r²),   ∂f/∂w = (2/n) Xᵀ r,   ∂f/∂b = 2 mean(r)

    Args:
      X: inputs, shape (n, d), or (n,) for one feature.
      y: targets, shape (n,).
      bias: fit the intercept b (params ``{"w": (d,), "b": ()}``; else ``{"w": (d,)}``).
      batch_size: if given, each ``grad`` call uses a random minibatch of this size
        (drawn without replacement); ``loss`` always uses all the data.
      seed: seed of the minibatch generator.

    Returns:
      A :class:`LinearRegression` problem; ``solution()`` is the least-squares fit.
      Params may carry leading batch axes: ``w`` (..., d), ``b`` (...).

    Example:
      >>> fit = linear_regression([1.0, 2.0, 3.0], [3.0, 5.0, 7.0])
      >>> best = fit.solution()
      >>> print(np.round(best["w"], 6), np.round(best["b"], 6))
      [2.] 1.0
      >>> float(fit.loss({"w": np.array([2.0]), "b": 0.0}))
      1.0
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must have shape (n, d) and y shape (n,), got {X.shape}, {y.shape}")
    indices, reset = _minibatch(len(X), batch_size, seed)

    def residuals(params: dict, rows: Any = slice(None)) -> np.ndarray:
        r = np.asarray(params["w"]) @ X[rows].T - y[rows]  # shape (..., n)
        return r + np.asarray(params["b"])[..., None] if bias else r

    def loss(params: dict) -> np.ndarray:
        return np.mean(residuals(params) ** 2, axis=-1)

    def grad(params: dict) -> dict:
        rows = indices()
        r = residuals(params, rows)
        g = {"w": 2 * r @ X[rows] / r.shape[-1]}
        return {**g, "b": 2 * np.mean(r, axis=-1)} if bias else g

    design = np.column_stack([X, np.ones(len(X))]) if bias else X
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    best = {"w": coef[: X.shape[1]], "b": coef[-1]} if bias else {"w": coef}
    return LinearRegression("linear regression", loss, grad, minimum=best,
                            dim=X.shape[1] + bias, info={"X": X, "y": y}, reset=reset)


def spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals, a small dataset no linear classifier can separate (CS231n's).

    .. code-block:: text

        class j, r = 0 … 1:   t = 4 (j + r) + noise · N(0, 1),   x = r (sin t, cos t)

    Returns:
      ``X`` of shape (n_per_class · n_classes, 2) and integer labels ``y``.

    Example:
      >>> X, y = spirals(n_per_class=50, n_classes=3)
      >>> X.shape, y.shape, np.bincount(y).tolist()
      ((150, 2), (150,), [50, 50, 50])
    """
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    t = 4 * (y + r) + noise * rng.standard_normal(len(y))
    return np.stack([r * np.sin(t), r * np.cos(t)], axis=1), y


def _forward(params: dict, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidden ReLU activations (..., n, h) and log-probabilities (..., n, k)."""
    hidden = np.maximum(X @ params["W1"] + np.asarray(params["b1"])[..., None, :], 0.0)
    logits = hidden @ params["W2"] + np.asarray(params["b2"])[..., None, :]
    logits = logits - logits.max(axis=-1, keepdims=True)
    return hidden, logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))


def _t(a: np.ndarray) -> np.ndarray:
    """Transpose the last two axes (a batch of matrices)."""
    return np.swapaxes(a, -1, -2)


class MLP(Problem):
    __slots__ = ()

    def init_params(self, seed: int = 0, batch_shape: tuple[int, ...] = ()) -> dict:
        """Random weights N(0, 2/d) for the ReLU layer and N(0, 1/h) for the output
        layer (so the first loss is near log k), zero biases. With ``batch_shape``, every
        run of the batch starts from the same weights (copies, one per run)."""
        rng = np.random.default_rng(seed)
        d, h, k = self.info["sizes"]
        params = {"W1": rng.standard_normal((d, h)) * np.sqrt(2 / d), "b1": np.zeros(h),
                  "W2": rng.standard_normal((h, k)) * np.sqrt(1 / h), "b2": np.zeros(k)}
        batch_shape = tuple(batch_shape)
        return {name: np.broadcast_to(a, batch_shape + a.shape).copy()
                for name, a in params.items()}

    def predict(self, params: dict, X: Any) -> np.ndarray:
        """The most probable class of each row of ``X``, shape (..., n)."""
        return _forward(params, np.asarray(X, dtype=float))[1].argmax(axis=-1)

    def accuracy(self, params: dict, X: Any, y: Any) -> Any:
        """The fraction of rows of ``X`` classified as ``y`` (an array over a batch)."""
        right = np.mean(self.predict(params, X) == np.asarray(y), axis=-1)
        return float(right) if np.ndim(right) == 0 else right


def mlp(X: Any, y: Any, hidden: int = 64, batch_size: int | None = None, seed: int = 0,
        l2: float = 0.0) -> MLP:
    """A two-layer ReLU network with a softmax output, trained by cross-entropy.

    .. code-block:: text

        H = relu(X W1 + b1),   p = softmax(H W2 + b2)
        f = mean_i(−log p[i, y_i]) + ½ l2 (‖W1‖² + ‖W2‖²)
        backprop: δ2 = (p − onehot(y)) / n,  ∂W2 = Hᵀ δ2,  ∂b2 = Σ δ2,
                  δ1 = (δ2 W2ᵀ) ⊙ [H > 0],   ∂W1 = Xᵀ δ1,  ∂b1 = Σ δ1

    Params are the dict of seed 001: ``W1`` (d, hidden), ``b1`` (hidden,),
    ``W2`` (hidden, k), ``b2`` (k,). Each may carry the same leading batch axes
    (``W1`` (..., d, hidden), ...) to train many networks at once, e.g. one per learning
    rate of a sweep; every network of a batch sees the same minibatches.

    Args:
      X: inputs, shape (n, d).
      y: integer class labels in [0, k), shape (n,).
      hidden: width of the hidden layer.
      batch_size: if given, each ``grad`` call uses a random minibatch of this size;
        ``loss`` always uses all the data.
      seed: seed of the minibatch generator.
      l2: weight of the L2 penalty on W1 and W2, >= 0.

    Returns:
      An :class:`MLP` problem with ``init_params(seed, batch_shape=())``,
      ``predict(params, X)`` and ``accuracy(params, X, y)``. Over a batch, ``loss`` and
      ``accuracy`` have the batch's shape.

    Example:
      >>> X, y = spirals()
      >>> net = mlp(X, y, hidden=16)
      >>> params = net.init_params(seed=0)
      >>> sorted((k, v.shape) for k, v in params.items())
      [('W1', (2, 16)), ('W2', (16, 3)), ('b1', (16,)), ('b2', (3,))]
      >>> bool(abs(float(net.loss(params)) - np.log(3)) < 1.0), net.dim
      (True, 99)
      >>> grid = net.init_params(seed=0, batch_shape=(5,))  # five copies, e.g. five lrs
      >>> grid["W1"].shape, net.loss(grid).shape
      ((5, 2, 16), (5,))
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),) or y.dtype.kind not in "iu" or y.min() < 0:
        raise ValueError(f"X must be (n, d) and y (n,) integer labels >= 0, got X {X.shape}, "
                         f"y {y.shape} {y.dtype}")
    l2 = check_nonneg("l2", l2)
    n_classes = int(y.max()) + 1
    onehot = np.eye(n_classes)[y]
    indices, reset = _minibatch(len(X), batch_size, seed)

    def loss(params: dict) -> Any:
        _, log_p = _forward(params, X)
        penalty = 0.5 * l2 * (np.sum(params["W1"] ** 2, axis=(-2, -1))
                              + np.sum(params["W2"] ** 2, axis=(-2, -1)))
        return -np.mean(np.sum(log_p * onehot, axis=-1), axis=-1) + penalty

    def grad(params: dict) -> dict:
        rows = indices()
        Xb, Yb = X[rows], onehot[rows]
        H, log_p = _forward(params, Xb)  # (..., n, h), (..., n, k)
        delta2 = (np.exp(log_p) - Yb) / len(Xb)
        delta1 = (delta2 @ _t(params["W2"])) * (H > 0)
        return {"W1": Xb.T @ delta1 + l2 * params["W1"], "b1": delta1.sum(axis=-2),
                "W2": _t(H) @ delta2 + l2 * params["W2"], "b2": delta2.sum(axis=-2)}

    sizes = (X.shape[1], hidden, n_classes)
    dim = sizes[0] * hidden + hidden + hidden * n_classes + n_classes
    return MLP(f"mlp {sizes}", loss, grad, dim=dim, reset=reset,
               info={"X": X, "y": y, "sizes": sizes})
