"""Execute a user's file as a module, with failures turned into findings."""

from __future__ import annotations

import importlib.util
import linecache
import sys
import traceback
import types
from pathlib import Path

from . import functional, model_object, notebook
from .base import UserCodeError, locate
from .standin import Missing, install

MODULE_NAME = "backpropdoctor_user_model"
PROTOCOL_NAMES = frozenset(functional.NAMES + model_object.NAMES)  # what a notebook must run up to


MAX_STAND_INS = 5
MISSING = "__backpropdoctor_missing__"  # the packages replaced by stand-ins (standin.Missing)


def load_module(path: str, run_from: str | None = None) -> types.ModuleType:
    """Run the file as a module; a package it imports that is not installed gets a stand-in (see standin).

    `run_from` is the sandbox's copy of the file: its text is run and its
    directory is searched for imports, but lines are reported as `path`'s.
    """
    replaced: list[Missing] = []
    for _ in range(MAX_STAND_INS):
        try:
            module = _load_once(path, run_from)
        except _MissingPackage as missing:
            install(missing.where)
            replaced.append(missing.where)
            continue
        setattr(module, MISSING, replaced)
        return module
    return _load_once(path, run_from, stand_ins=False)


class _MissingPackage(Exception):
    def __init__(self, where: Missing):
        super().__init__(where.package)
        self.where = where


def _load_once(path: str, run_from: str | None = None, stand_ins: bool = True) -> types.ModuleType:
    """Run the file top to bottom as a module (not as __main__, so its main guard is skipped)."""
    file, copy = Path(path), Path(run_from or path)
    if not copy.is_file():
        raise UserCodeError("protocol-mismatch", f"{path}: no such file")
    source = _notebook_script(file) if notebook.is_notebook(file) else \
        copy.read_text(encoding="utf-8", errors="replace")
    try:
        code = compile(source, str(file.resolve()), "exec")
    except SyntaxError as exc:
        text = (exc.text or "").rstrip("\n")
        hint = None
        if text.lstrip().startswith("print ") and "(" not in text.split("print", 1)[1][:2]:
            hint = "This looks like Python 2: write print(...) with parentheses."
        raise UserCodeError("syntax-error", f"{exc.msg}", str(file), exc.lineno, detail=text.strip() or None,
                            hint=hint) from None
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = str(file)
    if notebook.is_notebook(file):
        module.display = _display  # a notebook calls display() without importing it
    sys.modules[MODULE_NAME] = module
    home = str(copy.parent.resolve())
    if sys.path[:1] != [home]:  # once, however many times a stand-in makes the file load again
        sys.path.insert(0, home)
    try:
        exec(code, module.__dict__)
    except SystemExit as exc:
        raise UserCodeError("import-error", f"the file called sys.exit({exc.code!r}) while being loaded", str(file),
                            locate(exc, str(file))[0],
                            hint="Put training and exits under `if __name__ == \"__main__\":`.") from None
    except MemoryError as exc:
        line, source_line = locate(exc, str(file))
        raise UserCodeError("import-error", f"loading the file ran out of memory (MemoryError: {exc})", str(file),
                            line, detail=source_line,
                            hint="An array far too large is allocated at load time; check its shape.") from None
    except UserCodeError:
        raise  # a stand-in used while loading: already names the package and its import line
    except ModuleNotFoundError as exc:
        line, source_line = locate(exc, str(file))
        top = (exc.name or "").split(".")[0]
        if stand_ins and top and line is not None and importlib.util.find_spec(top) is None:
            raise _MissingPackage(Missing(top, str(file), line, source_line)) from None
        raise UserCodeError("import-error", f"the file imports {exc.name!r}, which is not installed", str(file), line,
                            detail=source_line, hint=f"pip install {exc.name} in the environment backpropdoctor runs in.") from None
    except BaseException as exc:  # noqa: BLE001 - any failure at import is a finding
        line, source_line = locate(exc, str(file))
        raise UserCodeError("import-error", f"loading the file raised {type(exc).__name__}: {exc}", str(file), line,
                            detail=source_line, hint=_sandbox_hint(exc)) from None
    return module


def _sandbox_hint(exc: BaseException) -> str | None:
    """Say so when the failure is the sandbox refusing the network or a write outside the copy."""
    if not isinstance(exc, OSError):
        return None
    frames = traceback.extract_tb(exc.__traceback__)
    if any(Path(f.filename).name in ("socket.py", "connection.py", "request.py", "client.py") for f in frames) \
            or isinstance(exc, (ConnectionError, TimeoutError)) or "Network is unreachable" in str(exc):
        return ("backpropdoctor runs your file without network access: download data beforehand and load it "
                "from a file next to your model.")
    if isinstance(exc, PermissionError):
        return ("backpropdoctor lets your file read only its own directory and Python's libraries, and write only "
                "in a temporary copy of its directory: keep data next to your model, use relative paths, and move "
                "any saving under `if __name__ == \"__main__\":`.")
    return None


def _notebook_script(file: Path) -> str:
    """The notebook's code cells as one script, registered so tracebacks and tracing read its lines."""
    try:
        script = notebook.read(file, PROTOCOL_NAMES)
    except notebook.NotebookError as exc:
        raise UserCodeError("malformed-notebook", f"{file.name} {exc}", str(file),
                            hint="Open the notebook in Jupyter and save it again, or restore it from a good copy; "
                                 "`python -m json.tool FILE` shows where the JSON breaks.") from None
    name = str(file.resolve())
    linecache.cache[name] = (len(script.text), None, script.text.splitlines(keepends=True), name)
    return script.text


def _display(*objects: object, **_options: object) -> None:
    """IPython's display(), as text: what the notebook shows under a cell goes to the captured output."""
    for obj in objects:
        print(repr(obj))
