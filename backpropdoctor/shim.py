"""`backpropdoctor init FILE`: a protocol shim for a file no adapter recognises.

The child (`inventory`, run by the sandbox) loads the file and lists what
it holds: float arrays reachable from module level, callables and their
arguments, the batch under a conventional name. The parent (`init_file`)
turns that into FILE_bpd.py next to FILE, importing the user's module,
with the parameters, the batch and (where a method's name and arguments
make it plain) the loss filled in, and every remaining gap a `TODO` that
raises until it is filled.
"""

from __future__ import annotations

import inspect
import keyword
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUFFIX = "_bpd"
MAX_DEPTH = 3
MAX_ITEMS = 200
LOSS_WORDS = ("loss", "cost")
GRADIENT_WORDS = ("grad", "backward", "backprop")


def shim_path(file: Path) -> Path:
    return file.with_name(file.stem + SUFFIX + ".py")


# ---------------------------------------------------------------- child side: what the file holds

def inventory(path: str, run_from: str | None = None) -> dict[str, Any]:
    """Arrays, callables and the batch the user's module holds (JSON-ready; runs in the child, from its copy)."""
    import numpy as np

    from .adapters import ADAPTERS
    from .adapters import batch as batches
    from .adapters.loader import load_module

    module = load_module(path, run_from)
    recognised = next((a.NAME for a in ADAPTERS if a.matches(module)), None)
    batch_names: list[str] = []
    for x_name, y_name in batches.NAMES:
        if batches._numeric(getattr(module, x_name, None)) and batches._numeric(getattr(module, y_name, None)):
            batch_names = [x_name, y_name]
            break
    skip = {id(getattr(module, n)) for n in batch_names}
    arrays: list[dict[str, Any]] = []
    callables: list[dict[str, Any]] = []
    seen: set[int] = set()
    target = str(Path(path).resolve())

    def own(fn: Any) -> bool:
        code = getattr(getattr(fn, "__func__", fn), "__code__", None)
        return code is not None and code.co_filename == target

    def walk(value: Any, where: str, depth: int) -> None:
        if len(arrays) + len(callables) > MAX_ITEMS or id(value) in seen or id(value) in skip:
            return
        seen.add(id(value))
        if isinstance(value, np.ndarray):
            if np.issubdtype(value.dtype, np.floating) and value.size:
                arrays.append({"path": where, "shape": list(value.shape), "dtype": str(value.dtype)})
            return
        if isinstance(value, types.FunctionType):
            if own(value):
                callables.append({"path": where, "args": _args(value)})
            return
        if isinstance(value, (types.ModuleType, type)) or depth >= MAX_DEPTH:
            return
        if isinstance(value, dict):
            for k, v in list(value.items())[:50]:
                if isinstance(k, (str, int)):
                    walk(v, f"{where}[{k!r}]", depth + 1)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value[:50]):
                walk(v, f"{where}[{i}]", depth + 1)
        elif hasattr(value, "__dict__"):
            for attr, v in vars(value).items():
                if not attr.startswith("_"):
                    walk(v, f"{where}.{attr}", depth + 1)
            for name in dir(type(value)):
                method = getattr(value, name, None)
                if not name.startswith("_") and inspect.ismethod(method) and own(method):
                    callables.append({"path": f"{where}.{name}", "args": _args(method)})

    for name, value in vars(module).items():
        if not name.startswith("_"):
            walk(value, name, 0)
    guessed = False
    if not batch_names:
        batch_names = _batch_by_shape(module, arrays)
        guessed = bool(batch_names)
        arrays = [a for a in arrays if a["path"] not in batch_names]
    return {"adapter": recognised, "arrays": arrays, "callables": callables, "batch": batch_names,
            "batch_guessed": guessed}


def _batch_by_shape(module: types.ModuleType, arrays: list[dict[str, Any]]) -> list[str]:
    """Two module-level arrays with as many rows, the first as wide as a weight's input side: (X, y)."""
    import numpy as np

    inputs = {a["shape"][0] for a in arrays if len(a["shape"]) == 2 and not a["path"].isidentifier()}  # in objects
    tops = [(n, np.asarray(v)) for n, v in vars(module).items()
            if not n.startswith("_") and isinstance(v, np.ndarray) and v.ndim >= 1 and v.dtype.kind in "biuf"]
    for x_name, x in tops:
        if x.ndim != 2 or x.shape[1] not in inputs:
            continue
        for y_name, y in tops:
            if y_name != x_name and len(y) == len(x):
                return [x_name, y_name]
    return []


def _args(fn: Any) -> list[str]:
    try:
        return [p.name for p in inspect.signature(fn).parameters.values() if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return []


# ---------------------------------------------------------------- parent side: the shim's text

@dataclass
class Outcome:
    """What `init` did, for the command line to print."""

    written: Path | None
    message: str
    exit_code: int = 0


def init_file(file: Path, force: bool = False, timeout: float = 60.0) -> Outcome:
    """Inspect FILE in a child process and write its shim next to it."""
    from .sandbox import Child

    target = shim_path(file)
    if target.exists() and not force:
        return Outcome(None, f"{target} already exists; pass --force to overwrite it", 2)
    result = Child(str(file), timeout=timeout, mode="inspect").result()
    if not result.get("ok"):
        error = result.get("error") or {}
        where = f" (line {error['line']})" if error.get("line") else ""
        hint = f"\n{error['hint']}" if error.get("hint") else ""
        return Outcome(None, f"{file} could not be loaded{where}: {error.get('message')}{hint}", 2)
    found = result["inventory"]
    if found.get("adapter") and not force:
        return Outcome(None, f"{file} is already recognised (the {found['adapter']} adapter): run "
                             f"`backpropdoctor check {file}`. Pass --force to write a shim anyway.")
    target.write_text(render(file, found), encoding="utf-8")
    todos = target.read_text(encoding="utf-8").count("TODO")
    return Outcome(target, f"wrote {target}: fill in its {todos} TODO(s), then run `backpropdoctor check {target}`")


def _import_line(file: Path) -> str:
    if file.stem.isidentifier() and not keyword.iskeyword(file.stem):
        return f"import {file.stem} as user  # your file; its `if __name__ == \"__main__\":` block does not run"
    return ("import importlib.util\nfrom pathlib import Path\n\n"
            f"_spec = importlib.util.spec_from_file_location(\"user_model\", Path(__file__).with_name({file.name!r}))\n"
            "user = importlib.util.module_from_spec(_spec)\n_spec.loader.exec_module(user)  # your file")


def _named(callables: list[dict[str, Any]], words: tuple[str, ...]) -> list[dict[str, Any]]:
    return [c for c in callables if any(w in c["path"].rsplit(".", 1)[-1].lower() for w in words)]


def _call(c: dict[str, Any]) -> str:
    args = [a for a in c["args"] if a != "self"]
    return f"user.{c['path']}({', '.join(args)})"


def render(file: Path, found: dict[str, Any]) -> str:
    """The shim's source: guesses filled in, TODO for everything else."""
    name = shim_path(file).name
    lines = [f'"""backpropdoctor shim for {file.name}: your network in backpropdoctor\'s protocol.',
             "", "Written by `backpropdoctor init`. Fill in every TODO, then run:",
             f"    backpropdoctor check {name}", '"""', "import numpy as np", "", _import_line(file), ""]
    arrays = found.get("arrays") or []
    lines.append("# Every float array found in your file. backpropdoctor perturbs them in place (your own code sees")
    lines.append("# the change, and they are restored bit for bit). TODO: keep only what your network trains.")
    lines.append("params = {")
    for a in arrays:
        shape = "x".join(map(str, a["shape"]))
        lines.append(f"    {a['path']!r}: user.{a['path']},  # {shape} {a['dtype']}")
    if not arrays:
        lines.append('    # TODO: "W1": user.<your weight array>, ...')
    lines.append("}")
    lines.append("")
    batch = found.get("batch") or []
    lines.append("# The batch to check on (a few samples are enough).")
    if batch:
        if found.get("batch_guessed"):
            lines.append("# TODO: guessed from shapes (as many rows, X as wide as the first weight's input): check it.")
        lines += [f"X = user.{batch[0]}", f"y = user.{batch[1]}"]
    else:
        width = next((a["shape"][0] for a in arrays if len(a["shape"]) == 2), 4)
        lines += ["# TODO: your own data; this made-up batch only has the input width of the first weight.",
                  f"X = np.random.default_rng(0).normal(size=(8, {width}))",
                  "y = np.random.default_rng(1).integers(0, 2, size=8)  # TODO: labels in the format your loss takes"]
    lines += ["", ""]
    losses = [c for c in _named(found.get("callables") or [], LOSS_WORDS)
              if len([a for a in c["args"] if a != "self"]) == 2]
    lines += ["def loss(params, X, y):", '    """One number: your loss on (X, y) at the current params."""']
    if losses:
        guess = losses[0]
        args = [a for a in guess["args"] if a != "self"]
        lines.append(f"    return user.{guess['path']}(X, y)  # guessed from {guess['path']}({', '.join(args)}): "
                     "check it returns one number")
    else:
        lines += ["    # TODO: compute your loss with your own forward pass and return it as a float.",
                  f'    raise NotImplementedError("TODO in {name}: return the loss")']
    lines += ["", ""]
    lines += ["def grads(params, X, y):", '    """dL/dparam for every key of params, with the same shapes."""',
              "    # TODO: run your backward pass and return {name: gradient} with the keys of params."]
    candidates = _named(found.get("callables") or [], GRADIENT_WORDS)
    if candidates:
        lines.append("    # Candidates found in your file:")
        lines += [f"    #   {_call(c)}" for c in candidates[:6]]
    lines.append(f'    raise NotImplementedError("TODO in {name}: return the gradients")')
    return "\n".join(lines) + "\n"
