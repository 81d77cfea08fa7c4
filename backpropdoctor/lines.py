"""Find the line of the user's file where a wrong value is first computed.

The child recorded, line by line, every array one gradient call produced
(see `tracing`). Here those values are compared with what the backward
pass computes, in every layout a user may hold them in: the whole batch in
rows or in columns, or one sample at a time inside a loop. A value
"shows" a target when it equals the target times one constant factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .tracing import ENTRY

MATCH_TOLERANCE = 1e-5


@dataclass
class TraceView:
    records: list[tuple[int, str, np.ndarray, int]]  # (line, variable, value, call), in execution order
    faulty: list[tuple[int, int]] = field(default_factory=list)  # line ranges of helpers found wrong alone
    sound: list[tuple[int, int]] = field(default_factory=list)  # and of those found right alone

    def in_faulty(self, line: int) -> bool:
        """The line lies in a helper that, checked alone, computes a wrong gradient: the fault is there."""
        return any(start <= line <= end for start, end in self.faulty)

    def caller_of_sound(self, index: int) -> int | None:
        """For a value made inside a helper found right alone (affine_backward fed the wrong gradient), the line
        of the call that fed it: where its result is next recorded, outside the helper (None: not in one)."""
        line, _, _, call = self.records[index]
        if self.faulty or not any(start <= line <= end for start, end in self.sound):
            return None
        return next((r[0] for r in self.records[index + 1:] if r[3] != call and r[0] != ENTRY
                     and not any(start <= r[0] <= end for start, end in self.sound)), None)

    @classmethod
    def from_measurement(cls, trace: dict | None, arrays: dict[str, np.ndarray]) -> "TraceView | None":
        if not trace:
            return None
        records = []
        for i, (line, key, call) in enumerate(trace.get("records", [])):
            value = arrays.get(f"trace:{i}")
            if value is not None:
                records.append((int(line), str(key), value, int(call)))
        return cls(records)


def _factor(value: np.ndarray, target: np.ndarray) -> float | None:
    """c with value = c * target (same number of elements), if the fit is exact."""
    v, t = value.ravel(), target.ravel()
    tt = float(np.dot(t, t))
    if v.size != t.size or tt == 0.0 or not np.any(v):
        return None
    c = float(np.dot(v, t)) / tt
    if c == 0.0:
        return None
    if np.linalg.norm(v - c * t) <= MATCH_TOLERANCE * max(np.linalg.norm(v), 1e-300):
        return c
    return None


MIN_SUPPORT = 2  # non-zero entries a value needs before a proportionality means anything


def _informative(v: np.ndarray) -> bool:
    return np.count_nonzero(v) >= MIN_SUPPORT and np.ptp(v) > 0


def match(value: np.ndarray, target: np.ndarray) -> tuple[list[float], bool] | None:
    """(factors, whole) when `value` holds `target` (rows (N, K)) times a factor.

    `whole`: the value is the whole batch. Otherwise it is one sample's row,
    and every row it is proportional to gives a candidate factor (short
    rows, such as two-class outputs, can be proportional to several).
    """
    value = np.asarray(value, dtype=np.float64)
    if not _informative(value):
        return None
    if target.ndim == 2 and value.size == target.size and _informative(target):
        for form in (target, target.T):
            c = _factor(value, np.ascontiguousarray(form))
            if c is not None:
                return [c], True
        return None
    if target.ndim == 2 and value.size == target.shape[1]:
        same_rows = bool(np.all(target == target[0]))  # a batch total broadcast to every sample
        factors = [c for row in target if _informative(row) for c in [_factor(value, row)] if c is not None]
        return (factors, same_rows) if factors else None
    if target.ndim == 1 and value.size == target.size and _informative(target):
        c = _factor(value, target)
        return None if c is None else ([c], True)
    return None


def shows(value: np.ndarray, target: np.ndarray) -> float | None:
    """A factor by which `value` holds `target`, whole or one sample's row; else None."""
    found = match(value, target)
    return None if found is None else found[0][0]


def first_line(view: TraceView | None, targets: list[np.ndarray], exclude: list[np.ndarray] = (),
               accept=lambda c: True) -> int | None:
    """The first line whose value shows a target (with an accepted factor) and none of `exclude`.

    A line inside a per-sample loop must show samples' rows at least twice,
    with the same factor, before it counts: one short row can agree with
    anything by chance, but not with the same factor every time.
    """
    if view is None:
        return None
    first_seen: dict[int, int] = {}
    factors: dict[int, list[float]] = {}
    confirmed: set[int] = set()
    for index, (line, _, value, _) in enumerate(view.records):
        if line == ENTRY or any(shows(value, e) is not None for e in exclude):
            continue
        for t in targets:
            found = match(value, t)
            candidates = [] if found is None else [c for c in found[0] if accept(c)]
            if not candidates:
                continue
            first_seen.setdefault(line, index)
            seen = factors.setdefault(line, [])
            if found[1] or any(abs(c - f) <= 1e-6 * abs(f) for c in candidates for f in seen):
                confirmed.add(line)
            seen.extend(candidates)
            break
    if not confirmed:
        return None
    line = min(confirmed, key=first_seen.__getitem__)
    if view.in_faulty(line):
        return line
    caller = view.caller_of_sound(first_seen[line])
    if caller is not None:
        return caller
    return _caller_line(view, first_seen[line], targets, accept) or line


def _caller_line(view: TraceView, index: int, targets: list[np.ndarray], accept) -> int | None:
    """When the value first appears as what a small helper returns (f_prime(x) returning f'(x)), the line
    that chose what to feed it is the caller's: the next line, in another call, holding the same value."""
    _, key, _, call = view.records[index]
    if key != "return":
        return None
    for line, _, value, other in view.records[index + 1:]:
        if other != call and line != ENTRY:
            found = match(value, targets[0]) if len(targets) == 1 else next(
                (m for t in targets for m in [match(value, t)] if m is not None), None)
            if found is not None and any(accept(c) for c in found[0]):
                return line
    return None


def last_assignment(view: TraceView | None, final: np.ndarray) -> tuple[int, str] | None:
    """(line, variable) that last produced the gradient tensor the user finally handed over (factor 1).

    Returning a value made earlier, assigning it to another name or copying
    it into the returned dict only hands it on: the line that made it is the
    one to show.
    """
    if view is None:
        return None
    target = np.asarray(final, dtype=np.float64)
    if not _informative(target.ravel()):
        return None
    forms = [np.ascontiguousarray(f) for f in ([target] + ([target.T] if target.ndim == 2 else []))]
    hit = None
    made: list[np.ndarray] = []
    for line, key, value, _ in view.records:
        if line == ENTRY:
            continue
        exact = value.size == target.size and any(
            (c := _factor(value, f)) is not None and abs(c - 1.0) <= 1e-6 for f in forms)
        handed_on = any(v.size == value.size and np.array_equal(v.ravel(), value.ravel()) for v in made)
        if exact and not handed_on:
            hit = (line, key)
        if exact:
            made.append(value)
    return hit


def last_in_computing_call(view: TraceView | None, final: np.ndarray,
                           computed_from: list[np.ndarray]) -> tuple[int, str] | None:
    """The last line showing `final` inside the call that computed it from `computed_from`.

    Values handed on unchanged (returned, divided by N, copied into a dict)
    show the same numbers in later calls; the line that decided them is the
    last one in the call where the error signal itself was computed.
    """
    if view is None:
        return None
    target = np.asarray(final, dtype=np.float64).ravel()
    origin = first_line(view, computed_from)
    calls = {call for line, _, value, call in view.records
             if line == origin and any(shows(value, t) is not None for t in computed_from)}
    if target.size < 2:
        return None
    return _last_showing(view, target, calls) or _last_showing(view, target, None)


def _last_showing(view: TraceView, target: np.ndarray, calls: set[int] | None) -> tuple[int, str] | None:
    """The last record (in `calls`, or anywhere) that makes `target`: not a rescale, not a return."""
    hit = None
    previous: dict[str, np.ndarray] = {}
    made: dict[int, list[np.ndarray]] = {}  # values each call has produced so far
    for rec_line, key, value, call in view.records:
        if rec_line == ENTRY:
            continue
        # Confined to one call, a single shared non-zero entry is evidence enough.
        same_support = value.size == target.size and np.array_equal(value.ravel() != 0, target != 0)
        before, previous[key] = previous.get(key), value
        rescaled = before is not None and before.size == value.size and _factor(value, before) is not None
        earlier = made.setdefault(call, [])
        returned_again = key.startswith("return") and any(
            v.size == value.size and _factor(value, v) is not None for v in earlier)
        earlier.append(value)
        handed_on = rescaled or returned_again  # g /= n, or returning a value made earlier, only passes it on
        if (calls is None or call in calls) and same_support and np.any(target) and not handed_on \
                and _factor(value, target) is not None:
            hit = (rec_line, key)
    return hit


def last_alias(view: TraceView | None, targets: list[np.ndarray], exclude: list[np.ndarray] = ()) -> int | None:
    """The last line that still holds the value first computed at `first_line`, with the same factor.

    For a step that is missing (a derivative never multiplied in), the line
    to fix is where the value is handed on unchanged, not where it was made.
    """
    origin = first_line(view, targets, exclude)
    if origin is None:
        return None
    first = next((i for i, (line, _, value, _) in enumerate(view.records)
                  if line == origin and any(shows(value, t) is not None for t in targets)), None)
    _, _, value0, call0 = view.records[first]
    factor0 = next(shows(value0, t) for t in targets if shows(value0, t) is not None)
    for rec_line, key, value, _ in view.records[first:]:  # handed through a helper found wrong alone: its line
        if view.in_faulty(rec_line) and not key.startswith("return") and any(
                abs(c - factor0) <= 1e-6 * abs(factor0) for t in targets for c in (match(value, t) or ([],))[0]):
            return rec_line
    line = origin
    for rec_line, _, value, call in view.records[first + 1:]:
        if call != call0 or rec_line == ENTRY:
            continue
        if any(abs(c - factor0) <= 1e-6 * abs(factor0) for t in targets for c in (match(value, t) or ([],))[0]):
            line = rec_line
    if line == origin:
        line = view.caller_of_sound(first) or line
    return _sound_call_fed(view, first, targets, factor0) or line


def _sound_call_fed(view: TraceView, first: int, targets: list[np.ndarray], factor: float) -> int | None:
    """The line that passed the unchanged value into a helper found right alone (affine_backward(dh2, ...) where
    relu_backward should have come first): the caller's line when that call returns."""
    if view.faulty or not view.sound:
        return None
    records = view.records
    for i in range(first + 1, len(records)):
        line, _, value, call = records[i]
        if line != ENTRY or not any(abs(c - factor) <= 1e-6 * abs(factor)
                                    for t in targets for c in (match(value, t) or ([],))[0]):
            continue
        body = next((r for r in records[i + 1:] if r[3] == call and r[0] != ENTRY), None)
        if body is None or not any(a <= body[0] <= b for a, b in view.sound):
            continue
        return next((r[0] for r in records[i + 1:] if r[3] != call and r[0] != ENTRY
                     and not any(a <= r[0] <= b for a, b in view.sound)), None)
    return None


def runs_per_layer(view: TraceView | None, line: int) -> bool:
    """The line belongs to code run once per layer (a layer object's method): several calls execute it."""
    if view is None:
        return False
    return len({call for rec_line, _, _, call in view.records if rec_line == line}) > 1


def names_showing(view: TraceView | None, target: np.ndarray, line: int | None = None,
                  any_factor: bool = False) -> list[str]:
    """Variables (written as the user wrote them: x, self.x, d['k']) holding `target` (factor 1, or any).

    With `line`, only variables of the function that runs that line. Used
    only to write a fix in the user's own terms, never to decide a verdict.
    """
    if view is None:
        return []
    calls = None if line is None else {call for rec_line, _, _, call in view.records if rec_line == line}
    target = np.asarray(target, dtype=np.float64)
    names: list[str] = []
    for _, key, value, call in view.records:
        if key in names or key.startswith("return") or (calls is not None and call not in calls):
            continue
        if target.size < 2 or not _informative(target.ravel()):
            same = value.size == target.size and np.allclose(value.ravel(), target.ravel(), rtol=1e-9, atol=0)
        else:
            found = match(value, target)
            same = bool(found) and (any_factor or any(abs(c - 1.0) <= 1e-6 for c in found[0]))
        if same:
            names.append(key)
    return names
