"""Every ``>>>`` example in optimlib's docstrings runs and prints what it says."""

import doctest
import importlib

import numpy as np
import pytest

MODULES = ["optimlib", "optimlib.tree", "optimlib.base", "optimlib.ema", "optimlib.gd",
           "optimlib.momentum", "optimlib.clipping", "optimlib.adam", "optimlib.problems",
           "optimlib.run", "optimlib.plots", "optimlib.widgets"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)  # not getattr: optimlib.adam is also a function
    result = doctest.testmod(module, extraglobs={"np": np}, report=True,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
