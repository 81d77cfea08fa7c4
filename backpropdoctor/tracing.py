"""Watch the arrays a user's function assigns, line by line (child side).

`trace_call` runs one call of the user's gradient function under
sys.settrace, and after every line of the user's own file records each
local array (and each array inside a local dict or on `self`) that is new
or changed, together with the line that produced it. The parent matches
these values against what a correct backward pass computes to find the
first line that goes wrong. Names are recorded only to tell one variable
from another; no verdict ever depends on them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

MAX_ARRAY = 2_000_000  # elements: larger arrays are not recorded
MAX_TOTAL = 20_000_000  # elements recorded in all
MAX_RECORDS = 20_000
ENTRY = 0  # the "line" of values a call starts with (its arguments, self's attributes): made elsewhere


@dataclass
class Trace:
    records: list[tuple[int, str, np.ndarray, int]] = field(default_factory=list)  # (line, variable, value, call)
    total: int = 0
    truncated: bool = False

    def add(self, line: int, key: str, value: np.ndarray, call: int) -> None:
        if self.total + value.size > MAX_TOTAL or len(self.records) >= MAX_RECORDS:
            self.truncated = True
            return
        self.records.append((line, key, np.array(value, dtype=np.float64, copy=True), call))
        self.total += value.size


def _arrays_in(frame_locals: dict[str, Any]) -> dict[str, np.ndarray]:
    """Numeric arrays held by a frame: locals, values of local dicts, attributes of self."""
    found: dict[str, np.ndarray] = {}

    def take(key: str, value: Any) -> None:
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and 0 < value.size <= MAX_ARRAY:
            found[key] = value

    def take_all(key: str, value: Any) -> None:
        take(key, value)
        if isinstance(value, dict) and len(value) <= 64:
            for k, v in value.items():
                take(f"{key}[{k!r}]", v)
        elif isinstance(value, (list, tuple)) and len(value) <= 64:
            for i, v in enumerate(value):
                take(f"{key}[{i}]", v)

    for name, value in frame_locals.items():
        take_all(name, value)
        if name == "self" and hasattr(value, "__dict__"):
            for k, v in vars(value).items():
                take_all(f"self.{k}", v)
    return found


class _Watcher:
    def __init__(self, target: str, trace: Trace):
        self.target, self.trace = target, trace
        self.last_line: dict[int, int] = {}
        self.seen: dict[int, dict[str, tuple[int, np.ndarray]]] = {}  # frame -> key -> (array id, copy)
        self.call_of: dict[int, int] = {}
        self.calls = 0

    def global_trace(self, frame, event, arg):
        if event == "call" and frame.f_code.co_filename == self.target:
            self.calls += 1
            self.call_of[id(frame)] = self.calls
            entry = _arrays_in(frame.f_locals)
            for name, value in entry.items():  # arguments and attributes: what the function can refer to
                self.trace.add(ENTRY, name, value, self.calls)
            self.seen[id(frame)] = {k: (id(v), v.copy()) for k, v in entry.items()}
            self.last_line[id(frame)] = frame.f_lineno
            return self.local_trace
        return None

    def local_trace(self, frame, event, arg):
        if event in ("line", "return"):
            key = id(frame)
            before = self.seen.get(key, {})
            now = _arrays_in(frame.f_locals)
            line = self.last_line.get(key, frame.f_lineno)
            for name, value in now.items():
                old_id, old = before.get(name, (None, None))
                # A new array object counts as a new value even when it equals the old one:
                # `self.g = np.outer(...)` recomputing the same numbers is still this line's doing.
                if old is None or old_id != id(value) or old.shape != value.shape or not np.array_equal(old, value):
                    self.trace.add(line, name, value, self.call_of.get(key, 0))
                    before[name] = (id(value), value.copy())
            self.seen[key] = before
            self.last_line[key] = frame.f_lineno
            if event == "return":
                for name, value in _arrays_in({"return": arg}).items():  # a dict built in the return itself
                    self.trace.add(frame.f_lineno, name, value, self.call_of.get(key, 0))
                self.seen.pop(key, None)
                self.last_line.pop(key, None)
                self.call_of.pop(key, None)
        return self.local_trace


def trace_call(fn: Callable[[], Any], user_file: str) -> tuple[Any, Trace]:
    """Call fn() while recording the arrays each line of `user_file` produces."""
    trace = Trace()
    watcher = _Watcher(str(Path(user_file).resolve()), trace)
    previous = sys.gettrace()
    sys.settrace(watcher.global_trace)
    try:
        result = fn()
    finally:
        sys.settrace(previous)
    return result, trace
