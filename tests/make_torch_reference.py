"""Write tests/data/torch_reference.json: what torch.optim does on a small problem.

The tests compare optimlib with these numbers; torch is NOT needed to run them.
To regenerate (torch 2.13 CPU, in a scratch virtual environment)::

    python -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/make_torch_reference.py

Setting: float64 params ``{"w": (3,), "b": (2, 2)}``, five steps with a fixed sequence
of gradients of varying scale (so that AMSGrad's running max and clipping matter).
Each case pairs a torch optimizer with the optimlib call that must match it.
"""

import json
import pathlib

import numpy as np

STEPS = 5
SCALES = (1.0, 3.0, 0.1, 10.0, 0.5)
OUT = pathlib.Path(__file__).parent / "data" / "torch_reference.json"

# name: (torch class, torch kwargs, optimlib factory, optimlib kwargs, dtype)
CASES = {
    "sgd": ("SGD", {"lr": 0.1}, "sgd", {"lr": 0.1}, "float64"),
    "momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}, "momentum", {"lr": 0.1, "beta": 0.9},
                 "float64"),
    "nesterov": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, "momentum",
                 {"lr": 0.1, "beta": 0.9, "nesterov": True}, "float64"),
    "rmsprop": ("RMSprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}, "rmsprop",
                {"lr": 0.01, "beta": 0.99, "eps": 1e-8}, "float64"),
    "rmsprop_alpha_0.9": ("RMSprop", {"lr": 0.05, "alpha": 0.9, "eps": 1e-3}, "rmsprop",
                          {"lr": 0.05, "beta": 0.9, "eps": 1e-3}, "float64"),
    "adam": ("Adam", {"lr": 0.1}, "adam", {"lr": 0.1}, "float64"),
    "adam_weight_decay": ("Adam", {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6,
                                   "weight_decay": 0.1},
                          "adam", {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                                   "weight_decay": 0.1}, "float64"),
    "adam_beta2_0.9": ("Adam", {"lr": 0.1, "betas": (0.9, 0.9)}, "adam",
                       {"lr": 0.1, "beta2": 0.9}, "float64"),
    "adam_amsgrad": ("Adam", {"lr": 0.1, "betas": (0.9, 0.9), "amsgrad": True}, "adam",
                     {"lr": 0.1, "beta2": 0.9, "amsgrad": True}, "float64"),
    "adam_amsgrad_weight_decay": ("Adam", {"lr": 0.1, "weight_decay": 0.05, "amsgrad": True},
                                  "adam", {"lr": 0.1, "weight_decay": 0.05, "amsgrad": True},
                                  "float64"),
    "adamw": ("AdamW", {"lr": 0.1, "weight_decay": 0.1}, "adamw",
              {"lr": 0.1, "weight_decay": 0.1}, "float64"),
    "adamw_amsgrad": ("AdamW", {"lr": 0.1, "betas": (0.5, 0.9), "weight_decay": 0.3,
                                "amsgrad": True},
                      "adamw", {"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.3,
                                "amsgrad": True}, "float64"),
    "adam_float32": ("Adam", {"lr": 0.01}, "adam", {"lr": 0.01}, "float32"),
}
CLIP = {"value": 0.5, "norm": 1.0, "global_norm": 1.0}


def optimizer_paths(torch, params0: dict, grads: list) -> dict:
    """For each case, the torch params after each step."""

    def tensors(tree: dict, dtype: str) -> list:
        return [torch.tensor(np.asarray(v), dtype=getattr(torch, dtype)) for v in tree.values()]

    cases = {}
    for name, (torch_name, torch_kwargs, ours, our_kwargs, dtype) in CASES.items():
        params = tensors(params0, dtype)
        opt = getattr(torch.optim, torch_name)(params, **torch_kwargs)
        path = []
        for g in grads:
            for p, gt in zip(params, tensors(g, dtype), strict=True):
                p.grad = gt
            opt.step()
            path.append({k: p.double().tolist() for k, p in zip(params0, params, strict=True)})
        cases[name] = {"torch": [torch_name, torch_kwargs], "optimlib": [ours, our_kwargs],
                       "dtype": dtype, "params": path}
    return cases


def clipped_grads(torch, grads: list) -> dict:
    """For each kind of clipping, the clipped gradients of each step."""

    def with_grads(g: dict) -> list:  # torch clips the .grad of parameters
        params = [torch.zeros(np.shape(v), dtype=torch.float64, requires_grad=True)
                  for v in g.values()]
        for p, v in zip(params, g.values(), strict=True):
            p.grad = torch.tensor(np.asarray(v), dtype=torch.float64)
        return params

    def grads_of(params: list, like: dict) -> dict:
        return {k: p.grad.tolist() for k, p in zip(like, params, strict=True)}

    clipped = {kind: [] for kind in CLIP}
    for g in grads:
        ps = with_grads(g)
        torch.nn.utils.clip_grad_value_(ps, CLIP["value"])
        clipped["value"].append(grads_of(ps, g))
        ps = with_grads(g)
        for p in ps:  # each tensor by its own norm
            torch.nn.utils.clip_grad_norm_([p], CLIP["norm"])
        clipped["norm"].append(grads_of(ps, g))
        ps = with_grads(g)
        torch.nn.utils.clip_grad_norm_(ps, CLIP["global_norm"])
        clipped["global_norm"].append(grads_of(ps, g))
    return clipped


def main() -> None:
    import torch  # only here: the tests read the JSON and never import torch

    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(2024)
    params0 = {"w": rng.standard_normal(3), "b": rng.standard_normal((2, 2))}
    grads = [{k: s * rng.standard_normal(np.shape(v)) for k, v in params0.items()}
             for s in SCALES]
    reference = {
        "torch_version": torch.__version__,
        "params0": {k: v.tolist() for k, v in params0.items()},
        "grads": [{k: v.tolist() for k, v in g.items()} for g in grads],
        "cases": optimizer_paths(torch, params0, grads),
        "clip": {"limits": CLIP, "grads": clipped_grads(torch, grads)},
    }
    OUT.write_text(json.dumps(reference, indent=1) + "\n")
    print(f"wrote {OUT} ({len(reference['cases'])} optimizer cases, torch {torch.__version__})")


if __name__ == "__main__":
    main()
