"""Stand-ins for packages a user's file imports but that are not installed.

Course files import plotting and data-loading helpers (matplotlib, their
course's `dnn_app_utils`, `nnfs`) that the check never needs. A missing
package is replaced by a stand-in module whose every name is a stand-in
object; the file is loaded again, and the check goes on. Only when the
check actually uses the package (calls one of its functions, does
arithmetic with one of its values) does it stop, with an import-error
naming the package and the line that imports it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

from .base import UserCodeError


class Missing:
    """Where a missing package was imported, for the error a stand-in raises when used."""

    def __init__(self, package: str, file: str, line: int | None, source: str | None):
        self.package, self.file, self.line, self.source = package, file, line, source

    def fail(self, what: str) -> UserCodeError:
        return UserCodeError("import-error", f"the file imports {self.package!r}, which is not installed, and the "
                             f"check needs it ({what} was used)", self.file, self.line, detail=self.source,
                             hint=f"pip install {self.package} in the environment backpropdoctor runs in, or move "
                                  "its use under `if __name__ == \"__main__\":`.")


class StandIn:
    """Any name of a missing package: fine to import, pass around and look into; an error once used."""

    def __init__(self, name: str, missing: Missing):
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_missing", missing)

    def __getattr__(self, attr: str) -> "StandIn":
        if attr.startswith("__"):
            raise AttributeError(attr)
        return StandIn(f"{self._name}.{attr}", self._missing)

    def __repr__(self) -> str:
        return f"<stand-in for {self._name}>"

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise self._missing.fail(self._name)

    __call__ = __iter__ = __len__ = __getitem__ = __bool__ = __float__ = __int__ = __index__ = _fail
    __array__ = __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _fail
    __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __neg__ = __lt__ = __gt__ = __le__ = __ge__ = _fail


class _Module(types.ModuleType):
    def __init__(self, name: str, missing: Missing):
        super().__init__(name)
        self.__path__: list[str] = []  # a package, so `from pkg.sub import f` works too
        self._missing = missing

    def __getattr__(self, attr: str) -> StandIn:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return StandIn(f"{self.__name__}.{attr}", self._missing)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves every module under the missing package's name."""

    def __init__(self, missing: Missing):
        self.missing = missing

    def find_spec(self, fullname: str, path: Any, target: Any = None):
        if fullname == self.missing.package or fullname.startswith(self.missing.package + "."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return _Module(spec.name, self.missing)

    def exec_module(self, module) -> None:
        return None


def install(missing: Missing) -> None:
    sys.meta_path.insert(0, _Finder(missing))
