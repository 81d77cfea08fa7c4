"""Adapters: load a user's file and present it as a `LoadedModel`.

Loading user code is kept apart from checking it: the checker only ever
sees the closures an adapter returns. Each adapter module offers
`matches(module)` and `load(module, file)`; the first that matches wins.
"""

from __future__ import annotations

import types

from ..adapter_names import ADAPTER_NAMES
from . import deeplearning_ai, function_pairs, functional, layer_objects, model_object, nielsen
from .base import LoadedModel, UserCodeError
from .loader import MISSING, load_module

ADAPTERS = [functional, model_object, deeplearning_ai, nielsen, layer_objects, function_pairs]
assert tuple(a.NAME for a in ADAPTERS) == ADAPTER_NAMES, "adapter_names.py must list the adapters in order"

__all__ = ["ADAPTERS", "LoadedModel", "UserCodeError", "load", "names"]


def names() -> list[str]:
    """Every adapter's name, in the order they are tried."""
    return [a.NAME for a in ADAPTERS]


def load(path: str, adapter: str | None = None, source: str | None = None) -> LoadedModel:
    """Load the file (run from its copy `source`, if given) and pick the adapter its contents fit (or the one named).

    A file whose missing packages were replaced by stand-ins goes on only if
    it is then checkable; otherwise the missing package is what is reported.
    """
    module = load_module(path, source)
    missing = getattr(module, MISSING, [])
    try:
        model = _pick_or_build(module, path, adapter, source)
    except UserCodeError as err:
        if not missing:
            raise
        first = missing[0].fail("the file itself")
        first.message = (f"the file imports {missing[0].package!r}, which is not installed; without it, "
                         f"{err.message}")
        raise first from None
    model.notes = [f"Your file imports {m.package!r} (line {m.line}), which is not installed: backpropdoctor "
                   "replaced it with a stand-in and went on, as the check did not need it." for m in missing
                   ] + model.notes
    return model


def _pick_or_build(module: types.ModuleType, path: str, adapter: str | None, source: str | None) -> LoadedModel:
    """Pick the adapter; if none fits, build what the main guard builds (without its training) and try again."""
    try:
        fallback = _pick(module, path, adapter)
    except UserCodeError as err:
        if err.kind != "protocol-mismatch":
            raise
        first_error, fallback = err, None
    if fallback is not None and (adapter is not None or not _made_up(fallback)):
        return fallback
    from pathlib import Path

    from .main_block import run_setup

    text = Path(source or path).read_text(encoding="utf-8", errors="replace") if not path.endswith(".ipynb") else ""
    setup = run_setup(module, text, str(Path(path).resolve())) if text else None
    if setup is None:
        if fallback is not None:
            return fallback
        raise first_error
    try:
        model = _pick(module, path, adapter)
    except UserCodeError:
        if fallback is not None:
            return fallback
        raise first_error from None
    if fallback is not None and _made_up(model):
        return fallback
    model.notes = [setup.note(), *model.notes]
    return model


def _made_up(model: LoadedModel) -> bool:
    """Checked on what backpropdoctor made up (layer functions alone, a synthesised batch): what the main guard
    builds, if anything, is the user's own network and data, and is checked instead."""
    return model.adapter == function_pairs.NAME or str(model.mapping.get("batch", "")).startswith("synthesised")


def _pick(module: types.ModuleType, path: str, adapter: str | None) -> LoadedModel:
    if adapter is not None:
        chosen = next((a for a in ADAPTERS if a.NAME == adapter), None)
        if chosen is None:
            raise UserCodeError("protocol-mismatch", f"no adapter named {adapter!r}; the adapters are "
                                + ", ".join(names()), path)
        if not chosen.matches(module):
            raise UserCodeError("protocol-mismatch", f"the file does not have the shape the {adapter} adapter "
                                f"reads: {chosen.__doc__.strip().splitlines()[0]}", path)
        return chosen.load(module, path)
    for adapter in ADAPTERS:
        if adapter.matches(module):
            return adapter.load(module, path)
    raise UserCodeError("protocol-mismatch", _nothing_fits(module), path,
                        hint=f"Run `backpropdoctor init {path}` to write a shim with what can be guessed filled in, "
                             "or follow the protocol:\n" + functional.EXPECTED + "\n\n# or, course style:\n"
                             + model_object.EXPECTED)


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
