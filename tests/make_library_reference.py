"""Print what optax, Keras and torch.optim do, for the conventions cheat-sheet.

chapters/conventions.ipynb writes several library update rules out in NumPy (Keras's Adam
with its ε̂, RMSProp with ε inside the root, Keras's SGD with momentum, Nesterov and
weight_decay, PyTorch's dampening, learning-rate schedules, ...). This script runs the
libraries themselves on the page's test problems and prints the resulting trajectories
as Python literals; they are pasted into a hide-input cell of the page, which asserts
that its written-out functions reproduce them. Nothing imports or runs this script at
test time: the course needs none of optax, JAX, Keras or torch.

To regenerate (in a scratch virtual environment, never as a course dependency)::

    python -m venv /tmp/libvenv
    /tmp/libvenv/bin/pip install optax==0.2.8 jax keras==3.15.1 torch==2.13.0 numpy
    /tmp/libvenv/bin/python tests/make_library_reference.py > /tmp/library_reference.py

then replace the literals in the page's cell "numbers computed by optax ...".

Setting: float64 everywhere (``jax_enable_x64``, Keras ``floatx`` float64, torch default
dtype float64); the page's two quadratics ``problems.quadratic((1.0, 50.0), angle=0.4)``
("tilted", from (1, 1)) and ``problems.quadratic((0.5, 5.0), angle=0.4, center=(1, -2))``
("bowl", from (0, 0)); ``STEPS`` steps, the gradient ``A (θ − c)`` computed in NumPy and
handed to each library. A learning-rate schedule is indexed by the number k = 0, 1, ...
of updates already taken (optax's ``count``, Keras's ``iterations``, and a torch
``LambdaLR`` stepped once per update).
"""

import json
import os
import pprint
import sys
import textwrap
import warnings

import numpy as np

STEPS = 6
DROP = 3  # the step schedule: 0.02 for the updates k < DROP, then 0.002


def quadratic(eigenvalues, angle, center=(0.0, 0.0)):
    """A and c of optimlib's problems.quadratic (gradient (θ − c) A, A symmetric)."""
    cos, sin = np.cos(angle), np.sin(angle)
    rot = np.array([[cos, -sin], [sin, cos]])
    return rot @ np.diag(eigenvalues) @ rot.T, np.asarray(center, dtype=float)


PROBLEMS = {
    "tilted": (*quadratic((1.0, 50.0), 0.4), np.array([1.0, 1.0])),
    "bowl": (*quadratic((0.5, 5.0), 0.4, (1.0, -2.0)), np.array([0.0, 0.0])),
}


def schedule(k):
    return 0.02 if k < DROP else 0.002


def gradient(problem, theta):
    A, c, _ = PROBLEMS[problem]
    return (np.asarray(theta, dtype=float) - c) @ A


def optax_path(tx, problem="tilted"):
    import jax.numpy as jnp
    import optax

    theta = jnp.asarray(PROBLEMS[problem][2])
    state, path = tx.init(theta), [np.asarray(theta)]
    for _ in range(STEPS):
        updates, state = tx.update(jnp.asarray(gradient(problem, theta)), state, theta)
        theta = optax.apply_updates(theta, updates)
        path.append(np.asarray(theta))
    return np.array(path)


def keras_path(opt, problem="tilted"):
    import keras

    var = keras.Variable(PROBLEMS[problem][2].copy(), dtype="float64")
    opt.build([var])
    path = [np.asarray(var.value).copy()]
    for _ in range(STEPS):
        grad = keras.ops.convert_to_tensor(gradient(problem, var.value), dtype="float64")
        opt.apply([grad], [var])
        path.append(np.asarray(var.value).copy())
    return np.array(path)


def torch_path(make, problem="tilted", lr_lambda=None):
    import torch

    p = torch.nn.Parameter(torch.tensor(PROBLEMS[problem][2].copy()))
    opt = make([p])
    sched = None if lr_lambda is None else torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    path = [p.detach().numpy().copy()]
    for _ in range(STEPS):
        opt.zero_grad()
        p.grad = torch.tensor(gradient(problem, p.detach().numpy()))
        opt.step()
        if sched is not None:
            sched.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def trajectories() -> dict:
    import jax.numpy as jnp
    import keras
    import optax
    import torch

    class KerasStepSchedule(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return keras.ops.where(step < DROP, np.float64(0.02), np.float64(0.002))

    def optax_schedule(count):
        return jnp.where(count < DROP, 0.02, 0.002)

    ks, ox, tc = keras.optimizers, optax, torch.optim
    return {
        # momentum and Nesterov (tilted, η = 0.02, β = μ = 0.9)
        "keras_sgd_momentum": keras_path(ks.SGD(0.02, momentum=0.9)),
        "keras_sgd_nesterov": keras_path(ks.SGD(0.02, momentum=0.9, nesterov=True)),
        "optax_sgd_momentum": optax_path(ox.sgd(0.02, momentum=0.9)),
        "optax_sgd_nesterov": optax_path(ox.sgd(0.02, momentum=0.9, nesterov=True)),
        "optax_ema_form": optax_path(
            ox.chain(ox.ema(0.9, debias=False), ox.scale_by_learning_rate(0.3))
        ),
        "torch_sgd_dampening": torch_path(
            lambda p: tc.SGD(p, lr=0.03, momentum=0.9, dampening=0.9)
        ),
        # the step schedule, η = 0.02 then 0.002 (tilted, β = μ = 0.9)
        "keras_sgd_momentum_schedule": keras_path(ks.SGD(KerasStepSchedule(), momentum=0.9)),
        "optax_sgd_momentum_schedule": optax_path(ox.sgd(optax_schedule, momentum=0.9)),
        "torch_sgd_momentum_schedule": torch_path(
            lambda p: tc.SGD(p, lr=1.0, momentum=0.9), lr_lambda=schedule
        ),
        "keras_rmsprop_momentum_schedule": keras_path(
            ks.RMSprop(KerasStepSchedule(), rho=0.9, momentum=0.9, epsilon=1e-8)
        ),
        "optax_rmsprop_momentum_schedule": optax_path(
            ox.rmsprop(optax_schedule, decay=0.9, eps=1e-8, eps_in_sqrt=False, momentum=0.9)
        ),
        "torch_rmsprop_momentum_schedule": torch_path(
            lambda p: tc.RMSprop(p, lr=1.0, alpha=0.9, eps=1e-8, momentum=0.9),
            lr_lambda=schedule,
        ),
        # Keras's SGD with decoupled weight decay (bowl, η = 0.1, μ = 0.9, λ = 5e-3)
        "keras_sgd_weight_decay": keras_path(
            ks.SGD(0.1, momentum=0.9, weight_decay=5e-3), problem="bowl"
        ),
        # Adam: Keras's ε̂, AdamW, AMSGrad (tilted)
        "optax_adam": optax_path(ox.adam(0.01)),
        "optax_adamw": optax_path(ox.adamw(0.01, weight_decay=0.1)),
        "keras_adam": keras_path(ks.Adam(0.01, epsilon=1e-7)),
        "keras_adam_weight_decay": keras_path(ks.Adam(0.01, weight_decay=0.1)),
        "keras_adamw": keras_path(ks.AdamW(0.01, weight_decay=0.1)),
        "keras_amsgrad": keras_path(ks.Adam(0.05, amsgrad=True)),
        "optax_amsgrad": optax_path(ox.amsgrad(0.05)),
        "optax_amsgrad_nu_uncorrected": optax_path(ox.amsgrad(0.05, bias_correction_nu=False)),
        "torch_amsgrad": torch_path(lambda p: tc.Adam(p, lr=0.05, amsgrad=True)),
        # RMSProp, ε inside the root (optax's default, Keras) and outside (tilted)
        "optax_rmsprop": optax_path(ox.rmsprop(0.01, decay=0.9, eps=1e-8)),
        "keras_rmsprop": keras_path(ks.RMSprop(0.01, rho=0.9, epsilon=1e-7)),
        "optax_rmsprop_eps_outside": optax_path(
            ox.rmsprop(0.01, decay=0.99, eps=1e-8, eps_in_sqrt=False)
        ),
    }


def clipping() -> dict:
    """Global-norm clipping of g = (0.6, 0.8)·n at c = n/2, and of (0.6, 0.8) at c = 1."""
    import jax.numpy as jnp
    import keras
    import optax

    def keras_clip(g, c):  # one SGD step with η = 1 from 0 is −(clipped g)
        var = keras.Variable(np.zeros(2), dtype="float64")
        opt = keras.optimizers.SGD(1.0, global_clipnorm=c)
        opt.build([var])
        opt.apply([keras.ops.convert_to_tensor(g, dtype="float64")], [var])
        return -np.asarray(var.value)

    def optax_clip(g, c):
        tx = optax.clip_by_global_norm(c)
        return np.asarray(tx.update(jnp.asarray(g), tx.init(jnp.asarray(g)))[0])

    cases = [(norm, norm / 2) for norm in (1e3, 1.0, 1e-3, 1e-5)] + [(1.0, 1.0)]
    out = {}
    for norm, c in cases:
        g = np.array([0.6, 0.8]) * norm
        out[(norm, c)] = {"optax": optax_clip(g, c), "keras": keras_clip(g, c)}
    return out


def facts() -> dict:
    """Defaults and error messages quoted on the page."""
    import inspect

    import keras
    import optax
    import torch
    from keras.src.trainers.trainer import Trainer

    def default(fn, name):
        value = inspect.signature(fn).parameters[name].default
        return "required" if value is inspect.Parameter.empty else value

    out = {
        "torch": {
            "SGD": [default(torch.optim.SGD, k) for k in ("lr", "momentum")],
            "RMSprop": [default(torch.optim.RMSprop, k) for k in ("lr", "alpha", "eps")],
            "Adam": [default(torch.optim.Adam, k) for k in ("lr", "betas", "eps")],
            "AdamW": default(torch.optim.AdamW, "weight_decay"),
        },
        "optax": {
            "sgd": [default(optax.sgd, k) for k in ("learning_rate", "momentum")],
            "rmsprop": [default(optax.rmsprop, k)
                        for k in ("learning_rate", "decay", "eps", "eps_in_sqrt")],
            "adam": [default(optax.adam, k) for k in ("learning_rate", "b1", "b2", "eps")],
            "adamw": default(optax.adamw, "weight_decay"),
        },
        "keras": {
            "SGD": [default(keras.optimizers.SGD, k) for k in ("learning_rate", "momentum")],
            "RMSprop": [default(keras.optimizers.RMSprop, k)
                        for k in ("learning_rate", "rho", "epsilon")],
            "Adam": [default(keras.optimizers.Adam, k)
                     for k in ("learning_rate", "beta_1", "beta_2", "epsilon")],
            "AdamW": default(keras.optimizers.AdamW, "weight_decay"),
            "compile": default(Trainer.compile, "optimizer"),
        },
    }
    try:
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9,
                        dampening=0.5, nesterov=True)
    except ValueError as err:
        out["torch"]["nesterov_with_dampening"] = f"ValueError: {err}"
    try:
        keras.optimizers.Adam(lr=1e-3)
    except ValueError as err:
        out["keras"]["Adam(lr=...)"] = f"ValueError: {err}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.optimizers.Adam(learning_rate=1e-3, decay=1e-4)
    out["keras"]["Adam(decay=...)"] = [str(w.message) for w in caught]
    return out


def literal(array: np.ndarray, indent: int) -> str:
    """A flat list of floats in shortest round-trip form, wrapped at 88 columns."""
    text = ", ".join(repr(float(x)) for x in np.ravel(array))
    pad = " " * indent
    return "\n".join(textwrap.wrap(text, 88 - indent, initial_indent=pad,
                                   subsequent_indent=pad))


def main() -> None:
    try:
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import jax

        jax.config.update("jax_enable_x64", True)
        import keras
        import optax
        import torch
    except ImportError as err:
        sys.exit(f"needs optax, jax, keras and torch (see the docstring): {err}")
    keras.config.set_floatx("float64")
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True)

    paths = trajectories()
    clips = clipping()
    print(f"# numbers computed by optax {optax.__version__} / Keras {keras.__version__} /"
          f" torch {torch.__version__.split('+')[0]}")
    print("# with tests/make_library_reference.py (float64; paths include the start)")
    versions = {"optax": optax.__version__, "keras": keras.__version__,
                "torch": torch.__version__.split("+")[0]}
    print(f"LIBRARY_VERSIONS = {json.dumps(versions)}")
    print(f"REFERENCE_STEPS, REFERENCE_DROP = {STEPS}, {DROP}")
    print("REFERENCE_PROBLEMS = {  # name: (A, c, start)")
    for name, (A, c, start) in PROBLEMS.items():
        print(f'    "{name}": (')
        for part in (A, c, start):
            print("        [\n" + literal(part, 12) + "\n        ],")
        print("    ),")
    print("}")
    print("REFERENCE = {  # name: the path θ₀, θ₁, ..., flattened")
    for name, path in paths.items():
        print(f'    "{name}": [\n' + literal(path, 8) + "\n    ],")
    print("}")
    print("REFERENCE_CLIP = {  # (‖g‖, c): (optax, keras), g = (0.6, 0.8)·‖g‖")
    for (norm, c), out in clips.items():
        print(f"    ({norm!r}, {c!r}): (")
        print(f"        {[float(x) for x in out['optax']]!r},")
        print(f"        {[float(x) for x in out['keras']]!r},")
        print("    ),")
    print("}")
    print("LIBRARY_FACTS = {")
    for lib, entries in facts().items():
        print(f'    "{lib}": {{')
        for key, value in entries.items():
            head = f'        "{key}": '
            text = pprint.pformat(value, width=88 - len(head) - 1)
            print(head + text.replace("\n", "\n" + " " * len(head)) + ",")
        print("    },")
    print("}")


if __name__ == "__main__":
    main()
