"""Same numbers as PyTorch: reference values made by tests/make_torch_reference.py (torch 2.13).

torch is not needed here: the reference is stored in tests/data/torch_reference.json.
"""

import json
import pathlib

import numpy as np
import pytest

import optimlib as ol

REFERENCE = json.loads((pathlib.Path(__file__).parent / "data" / "torch_reference.json")
                       .read_text())
CLIP = {"value": ol.clip_by_value, "norm": ol.clip_by_norm, "global_norm": ol.clip_by_global_norm}


def arrays(tree, dtype="float64"):
    return {k: np.array(v, dtype=dtype) for k, v in tree.items()}


@pytest.mark.parametrize("name", sorted(REFERENCE["cases"]))
def test_optimizer_matches_torch_for_five_steps(name):
    case = REFERENCE["cases"][name]
    factory, kwargs = case["optimlib"]
    dtype = case["dtype"]
    opt = getattr(ol, factory)(**kwargs)
    params = arrays(REFERENCE["params0"], dtype)
    state = opt.init(params)
    rtol = 1e-13 if dtype == "float64" else 1e-6
    for step, (grads, expected) in enumerate(zip(REFERENCE["grads"], case["params"],
                                                 strict=True), start=1):
        params, state = opt.step(params, arrays(grads, dtype), state)
        for k in params:
            assert params[k].dtype == dtype
            np.testing.assert_allclose(params[k], expected[k], rtol=rtol, atol=rtol * 1e-3,
                                       err_msg=f"{name}, step {step}, {k}")


def test_reference_cases_are_not_degenerate():
    cases = REFERENCE["cases"]

    def final(name):
        return np.concatenate([np.ravel(v) for v in cases[name]["params"][-1].values()])

    # AMSGrad's running max, weight decay and nesterov each change the result
    for a, b in [("adam_beta2_0.9", "adam_amsgrad"), ("adam", "adamw"), ("momentum", "nesterov"),
                 ("adam", "adam_amsgrad_weight_decay"), ("rmsprop", "rmsprop_alpha_0.9")]:
        assert np.abs(final(a) - final(b)).max() > 1e-4, (a, b)
    assert REFERENCE["torch_version"].startswith("2.13")


@pytest.mark.parametrize("kind", sorted(CLIP))
def test_clipping_matches_torch(kind):
    limit = REFERENCE["clip"]["limits"][kind]
    for grads, expected in zip(REFERENCE["grads"], REFERENCE["clip"]["grads"][kind],
                               strict=True):
        clipped = CLIP[kind](arrays(grads), limit)
        for k in clipped:
            np.testing.assert_allclose(clipped[k], expected[k], rtol=1e-14, atol=1e-16)
    # the gradients were large enough to be clipped at least once
    changed = [not np.allclose(np.array(e["w"]), g["w"])
               for g, e in zip(REFERENCE["grads"], REFERENCE["clip"]["grads"][kind], strict=True)]
    assert any(changed)
