"""Adapters: load a user's file and present it as a `LoadedModel`.

Loading user code is kept apart from checking it: the checker only ever
sees the closures an adapter returns. Each adapter module offers
`matches(module)` and `load(module, file)`; the first that matches wins.
"""

from __future__ import annotations

import types

from . import deeplearning_ai, function_pairs, functional, layer_objects, model_object, nielsen
from .base import LoadedModel, UserCodeError
from .loader import load_module

ADAPTERS = [functional, model_object, deeplearning_ai, nielsen, layer_objects, function_pairs]

__all__ = ["ADAPTERS", "LoadedModel", "UserCodeError", "load"]


def load(path: str) -> LoadedModel:
    """Load the file and pick the adapter its contents fit."""
    module = load_module(path)
    for adapter in ADAPTERS:
        if adapter.matches(module):
            return adapter.load(module, path)
    raise UserCodeError("protocol-mismatch", _nothing_fits(module), path,
                        hint=functional.EXPECTED + "\n\n# or, course style:\n" + model_object.EXPECTED)


def _nothing_fits(module: types.ModuleType) -> str:
    found = [f"{name} ({_kind(value)})" for name, value in vars(module).items()
             if not name.startswith("_") and not isinstance(value, types.ModuleType)]
    seen = ", ".join(found[:12]) + (" ..." if len(found) > 12 else "") if found else "nothing at module level"
    gaps = "; ".join(functional.missing(module))
    return (f"no network that backpropdoctor knows how to check. Found: {seen}. "
            f"The functional protocol still needs {gaps}.")


def _kind(value: object) -> str:
    if isinstance(value, type):
        return "class"
    if callable(value):
        return "function"
    return type(value).__name__
