"""Execute a user's file as a module, with failures turned into findings."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

from .base import UserCodeError, locate
from .standin import Missing, install

MODULE_NAME = "backpropdoctor_user_model"


MAX_STAND_INS = 5
MISSING = "__backpropdoctor_missing__"  # the packages replaced by stand-ins (standin.Missing)


def load_module(path: str) -> types.ModuleType:
    """Run the file as a module; a package it imports that is not installed gets a stand-in (see standin)."""
    replaced: list[Missing] = []
    for _ in range(MAX_STAND_INS):
        try:
            module = _load_once(path)
        except _MissingPackage as missing:
            install(missing.where)
            replaced.append(missing.where)
            continue
        setattr(module, MISSING, replaced)
        return module
    return _load_once(path, stand_ins=False)


class _MissingPackage(Exception):
    def __init__(self, where: Missing):
        super().__init__(where.package)
        self.where = where


def _load_once(path: str, stand_ins: bool = True) -> types.ModuleType:
    """Run the file top to bottom as a module (not as __main__, so its main guard is skipped)."""
    file = Path(path)
    if not file.is_file():
        raise UserCodeError("protocol-mismatch", f"{path}: no such file")
    source = file.read_text(encoding="utf-8", errors="replace")
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
    sys.modules[MODULE_NAME] = module
    sys.path.insert(0, str(file.parent.resolve()))
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
                            detail=source_line) from None
    return module
