"""Find the line of the user's file where a wrong value is first computed.

The child recorded, line by line, every array one gradient call produced
(see `tracing`). Here those values are compared with what the backward
pass computes, in every layout a user may hold them in: the whole batch in
rows or in columns, or one sample at a time inside a loop. A value
"shows" a target when it equals the target times one constant factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MATCH_TOLERANCE = 1e-5


@dataclass
class TraceView:
    records: list[tuple[int, str, np.ndarray, int]]  # (line, variable, value, call), in execution order

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
        if any(shows(value, e) is not None for e in exclude):
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
    return min(confirmed, key=first_seen.__getitem__) if confirmed else None


def last_assignment(view: TraceView | None, final: np.ndarray) -> int | None:
    """The last line that produced the gradient tensor the user finally handed over (factor 1)."""
    if view is None:
        return None
    target = np.asarray(final, dtype=np.float64)
    for line, _, value, _ in reversed(view.records):
        if value.size == target.size and _informative(target.ravel()):
            forms = [target] + ([target.T] if target.ndim == 2 else [])
            for form in forms:
                c = _factor(value, np.ascontiguousarray(form))
                if c is not None and abs(c - 1.0) <= 1e-6:
                    return line
    return None


def last_in_computing_call(view: TraceView | None, final: np.ndarray, computed_from: list[np.ndarray]) -> int | None:
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
    line = None
    for rec_line, _, value, call in view.records:
        # Confined to one call, a single shared non-zero entry is evidence enough.
        same_support = value.size == target.size and np.array_equal(value.ravel() != 0, target != 0)
        if call in calls and same_support and np.any(target) and _factor(value, target) is not None:
            line = rec_line
    return line


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
        if key in names or (calls is not None and call not in calls):
            continue
        if target.size < 2 or not _informative(target.ravel()):
            same = value.size == target.size and np.allclose(value.ravel(), target.ravel(), rtol=1e-9, atol=0)
        else:
            found = match(value, target)
            same = bool(found) and (any_factor or any(abs(c - 1.0) <= 1e-6 for c in found[0]))
        if same:
            names.append(key)
    return names
