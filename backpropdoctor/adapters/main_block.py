"""Build a network that the file only builds under its main guard, without training it.

Tutorial code often defines layer classes at module level and creates the
network, the data and the loss inside `if __name__ == "__main__":` (or a
`main()` it calls), right before training. The setup lines are what the
check needs, the training is what it must not run. Statements run one by
one in the module's namespace; the first one that changes an array which
already existed (a training step: the weights move) or that runs too long
is undone and ends the setup, since everything after it is training or
evaluation.
"""

from __future__ import annotations

import ast
import signal
import types
from dataclasses import dataclass
from typing import Any

import numpy as np

STATEMENT_SECONDS = 2.0
MAX_DEPTH = 4


@dataclass
class Setup:
    ran: list[int]  # first lines of the statements that ran
    stopped_at: int | None  # the statement that started training (undone), if any
    where: str  # "the `if __name__ == \"__main__\":` block" or "main()"

    def note(self) -> str:
        lines = ", ".join(map(str, self.ran[:8])) + (" ..." if len(self.ran) > 8 else "")
        stop = (f"; it stopped before line {self.stopped_at}, which starts training (its changes were undone)"
                if self.stopped_at else "")
        return (f"Your network is built in {self.where}: backpropdoctor ran its setup (lines {lines}){stop}. "
                "The check starts from the parameters as that setup creates them.")


def run_setup(module: types.ModuleType, source: str, file: str) -> Setup | None:
    """Run the main block's setup statements in the module's namespace; None when there is no main block."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found = _main_body(tree)
    if found is None:
        return None
    body, where = found
    ran: list[int] = []
    for stmt in body:
        if isinstance(stmt, (ast.Return, ast.FunctionDef, ast.ClassDef)):
            break
        before = _parameter_slots(module.__dict__)
        names = dict(module.__dict__)
        outcome = _run(stmt, module, file)
        moved = [slot for slot in before if slot.moved()]
        moved += [name for name, obj in _roots(before).items() if module.__dict__.get(name) is not obj
                  and _holds_other_numbers(obj, module.__dict__.get(name))]  # parameters = update(parameters, ...)
        if outcome == "timeout" or moved:
            for slot in before:
                slot.restore()
            module.__dict__.clear()  # and the names the training bound (a loop's `for layer in ...`) are gone
            module.__dict__.update(names)
            return Setup(ran, stmt.lineno, where) if ran else None
        if outcome == "ok":
            ran.append(stmt.lineno)
    return Setup(ran, None, where) if ran else None


def _main_body(tree: ast.Module) -> tuple[list[ast.stmt], str] | None:
    """The statements under the main guard, with a bare `main()` call replaced by main's own body."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_guard(node.test):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call) \
                    and isinstance(body[0].value.func, ast.Name) and body[0].value.func.id in functions \
                    and not body[0].value.args and not body[0].value.keywords:
                name = body[0].value.func.id
                return functions[name].body, f"{name}() (called under the main guard)"
            return body, "the `if __name__ == \"__main__\":` block"
    return None


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


class _Slow(Exception):
    pass


def _run(stmt: ast.stmt, module: types.ModuleType, file: str) -> str:
    """Run one statement with a time limit: "ok", "failed" or "timeout"."""
    code = compile(ast.Module(body=[stmt], type_ignores=[]), file, "exec")

    def alarm(signum: int, frame: Any) -> None:
        raise _Slow

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, STATEMENT_SECONDS)
    try:
        exec(code, module.__dict__)
        return "ok"
    except _Slow:
        return "timeout"
    except Exception:  # noqa: BLE001 - a setup line that fails is skipped; the adapters say what is missing
        return "failed"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Slot:
    """Where a parameter-like array lives (a container and its key), and what it held."""

    def __init__(self, container: Any, key: Any, array: np.ndarray, root: tuple[str, Any] = ("", None)):
        self.container, self.key, self.array, self.saved = container, key, array, array.copy()
        self.root = root  # the module-level name (and its object) the array was reached from

    def _current(self) -> Any:
        if isinstance(self.container, (dict, list)):
            try:
                return self.container[self.key]
            except (KeyError, IndexError):
                return None
        return getattr(self.container, self.key, None)

    def moved(self) -> bool:
        """A training step: the slot holds another array now, or its array's numbers changed."""
        return self._current() is not self.array or not np.array_equal(self.array, self.saved, equal_nan=True)

    def restore(self) -> None:
        self.array[...] = self.saved
        if self._current() is not self.array:
            if isinstance(self.container, (dict, list)):
                self.container[self.key] = self.array
            else:
                setattr(self.container, self.key, self.array)


def _parameter_slots(namespace: dict[str, Any]) -> list[_Slot]:
    """Float arrays inside the module's objects, dicts and lists (not data bound to a module name: rebinding
    or rescaling `X` is setup, moving a layer's weights is training)."""
    slots: list[_Slot] = []
    seen: set[int] = set()

    root: tuple[str, Any] = ("", None)

    def walk(container: Any, depth: int) -> None:
        if id(container) in seen or depth > MAX_DEPTH:
            return
        seen.add(id(container))
        if isinstance(container, dict):
            items = list(container.items())
        elif isinstance(container, list):
            items = list(enumerate(container))
        elif isinstance(container, tuple):  # nothing in it can be rebound; only what its items hold
            for value in container:
                if not isinstance(value, np.ndarray):
                    walk(value, depth + 1)
            return
        else:
            items = list(getattr(container, "__dict__", {}).items())
        for key, value in items[:1000]:
            if isinstance(value, np.ndarray):
                if value.dtype.kind == "f" and value.flags.writeable:
                    slots.append(_Slot(container, key, value, root))
            elif not isinstance(value, (types.ModuleType, type, types.FunctionType, str, bytes, int, float)):
                walk(value, depth + 1)

    for name, value in list(namespace.items()):
        if not name.startswith("__") and not isinstance(value, (np.ndarray, types.ModuleType, type,
                                                                types.FunctionType)):
            root = (name, value)
            walk(value, 1)
    return slots


def _roots(slots: list[_Slot]) -> dict[str, Any]:
    """Module-level names whose objects hold parameter-like arrays, with those objects."""
    return {slot.root[0]: slot.root[1] for slot in slots if slot.root[0]}


def _holds_other_numbers(old: Any, new: Any) -> bool:
    """A name rebound to a container of the same arrays with other values: a training step that returns new
    parameters (parameters = update_parameters(parameters, grads, lr))."""
    before = {(repr(s.container.__class__), repr(s.key)): s.saved for s in _parameter_slots({"_": old})}
    after = {(repr(s.container.__class__), repr(s.key)): s.array for s in _parameter_slots({"_": new})}
    shared = [k for k in before if k in after and before[k].shape == after[k].shape]
    return bool(shared) and any(not np.array_equal(before[k], after[k], equal_nan=True) for k in shared)
