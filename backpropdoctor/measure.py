"""Take the measurements a verdict needs from a loaded model.

This runs next to the user's code (in the child process). It only
measures: it calls loss and gradients, takes finite differences and
records raw numbers in a JSON-ready dict. Judging those numbers is the
parent's job (`backpropdoctor.diagnose`), so a user's file can never
hand back a verdict of its own making.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import numpy as np

from .adapters.base import LoadedModel, UserCodeError, as_loss_value, loss_dtype
from .numerics.compare import compare
from .numerics.finite_diff import Precision, directional_derivative, precision_for, probe
from .numerics.reference import flat_samples, identify
from .numerics.structure import batch_and_width, infer_layers
from .probes import measure_health, rescue
from .tracing import Trace, trace_call

FULL_CHECK_LIMIT = 64  # tensors up to this size are checked element by element
SAMPLED_COORDINATES = 24
DIRECTIONS_FULL = 2
DIRECTIONS_SAMPLED = 3


@dataclass
class Options:
    seed: int = 0
    tolerance: dict[str, float] = field(default_factory=dict)  # precision name -> relative tolerance


def _snapshot(params: Mapping[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Remember each array object and its exact contents."""
    return {name: (arr, arr.copy()) for name, arr in params.items()}


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and bool(
        np.array_equal(np.ascontiguousarray(a).reshape(-1).view(np.uint8), np.ascontiguousarray(b).reshape(-1).view(np.uint8)))


def _restore(params: dict[str, np.ndarray], snap: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[str]:
    """Put every array back, bit for bit; return the names that had changed."""
    changed = []
    for name, (arr, saved) in snap.items():
        current = params.get(name)
        if current is not arr or not _same_bits(current, saved):
            changed.append(name)
            params[name] = arr
            np.copyto(arr, saved)
    return changed


class Session:
    """Guarded calls into the user's model: every call leaves params as it found them."""

    WATCHED_CALLS = 3  # calls of each function watched for side effects before it is trusted

    def __init__(self, model: LoadedModel):
        self.model = model
        self.seeded = False
        self.mutations: list[dict[str, Any]] = []
        self.loss_dtype = np.dtype(np.float64)
        self.calls: dict[str, int] = {}

    def _guard(self, what: str, fn: Callable[[], Any]) -> Any:
        """Call fn; while it is not yet trusted (or once caught), undo any change it makes to params."""
        self._reseed()
        self.calls[what] = self.calls.get(what, 0) + 1
        caught = any(m["by"] == what for m in self.mutations)
        if self.calls[what] > self.WATCHED_CALLS and not caught:
            return fn()
        snap = _snapshot(self.model.params)
        try:
            return fn()
        finally:
            changed = _restore(self.model.params, snap)
            if changed and not any(m["by"] == what for m in self.mutations):
                self.mutations.append({"by": what, "parameters": changed})

    def loss(self) -> float:
        value = self._guard(self.model.mapping["loss"], self.model.loss)
        self.loss_dtype = loss_dtype(value)
        return as_loss_value(value, self.model.mapping["loss"], self.model.file)

    def gradients(self) -> tuple[dict[str, np.ndarray], list[dict[str, Any]], Any]:
        """The user's gradients matched to params, notes on shapes, and the raw return value."""
        what = self.model.mapping["gradients"]
        raw = self._guard(what, self.model.gradients)
        grads, notes = normalize_gradients(raw, self.model.params, what, self.model.file)
        return grads, notes, raw

    def step(self, lr: float) -> dict[str, np.ndarray]:
        """The change train_step makes to each parameter (then undone)."""
        self._reseed()
        return self._change(lambda: self.model.train_step(lr))

    def update_step(self, raw_grads: Any, lr: float) -> dict[str, np.ndarray]:
        """The change the user's update() makes with the user's own gradients (then undone)."""
        return self._change(lambda: self.model.update(copy.deepcopy(raw_grads), lr))

    def _change(self, call: Callable[[], Any]) -> dict[str, np.ndarray]:
        """How much `call` moves each parameter; every parameter is put back afterwards."""
        params = self.model.params
        snap = _snapshot(params)
        try:
            call()
            after = {name: np.array(params[name], dtype=np.float64, copy=True) for name in snap}
        finally:
            _restore(params, snap)
        return {name: after[name] - saved.astype(np.float64) for name, (_, saved) in snap.items()}

    def _reseed(self) -> None:
        """Fix numpy's and random's global seeds, when the loss needs it to be repeatable."""
        if self.seeded:
            np.random.seed(0)
            random.seed(0)


def normalize_gradients(raw: Any, params: Mapping[str, np.ndarray], what: str, file: str):
    """Match the user's gradient dict to params: same keys, same shapes, finite floats."""
    if not isinstance(raw, Mapping):
        raise UserCodeError("bad-return-type", f"{what} returned {type(raw).__name__}; it must return a dict "
                            "with one gradient array per parameter, keyed like params", file)
    grads, notes = {}, []
    for name, param in params.items():
        key = name if name in raw else ("d" + name if "d" + name in raw else None)
        if key is None:
            raise UserCodeError("protocol-mismatch", f"{what} has no entry for parameter {name!r} "
                                f"(it has: {', '.join(map(repr, raw)) or 'nothing'})", file)
        try:
            g = np.asarray(raw[key], dtype=np.float64)
        except (TypeError, ValueError):
            raise UserCodeError("bad-return-type", f"{what}[{key!r}] is {type(raw[key]).__name__}, not an array "
                                "of numbers", file) from None
        if g.shape != param.shape:
            if g.ndim == 2 and param.ndim == 2 and g.shape == param.shape[::-1] and param.shape[0] != param.shape[1]:
                notes.append({"parameter": name, "kind": "transposed", "got": list(g.shape), "expected": list(param.shape)})
                g = g.T
            elif g.size == param.size and np.squeeze(g).shape == np.squeeze(param).shape:
                notes.append({"parameter": name, "kind": "reshaped", "got": list(g.shape), "expected": list(param.shape)})
                g = g.reshape(param.shape)
            else:
                raise UserCodeError("shape-mismatch", f"{what}[{key!r}] has shape {g.shape} but parameter {name!r} "
                                    f"has shape {param.shape}", file,
                                    hint="dL/dW has the shape of W: sum over the batch, never keep a batch axis.")
        if not np.all(np.isfinite(g)):
            raise UserCodeError("non-finite", f"{what}[{key!r}] contains NaN or inf", file)
        if key != name:
            notes.append({"parameter": name, "kind": "renamed", "got": key, "expected": name})
        grads[name] = g
    return grads, notes


def _coordinates(size: int, gradient: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Every element of a small tensor; else the largest analytic entries plus random ones."""
    if size <= FULL_CHECK_LIMIT:
        return np.arange(size)
    half = SAMPLED_COORDINATES // 2
    magnitude = np.abs(gradient.ravel())
    top = np.argpartition(-magnitude, half)[:half]
    top = top[np.argsort(-magnitude[top], kind="stable")]
    others = np.ones(size, dtype=bool)
    others[top] = False
    rest = np.flatnonzero(others)
    return np.concatenate([top, rng.choice(rest, size=SAMPLED_COORDINATES - half, replace=False)])


def _measure_tensor(session: Session, name: str, gradient: np.ndarray, base_loss: float,
                    precision: Precision, rng: np.random.Generator) -> dict[str, Any]:
    array = session.model.params[name]
    coords = _coordinates(array.size, gradient, rng)
    probes = [probe(session.loss, array, int(i), gradient, base_loss, precision) for i in coords]
    n_dirs = DIRECTIONS_FULL if array.size <= FULL_CHECK_LIMIT else DIRECTIONS_SAMPLED
    directions, dir_probes = [], []
    for _ in range(n_dirs):
        v = rng.standard_normal(array.shape)
        v /= np.linalg.norm(v) or 1.0
        directions.append(v)
        dir_probes.append(probe(session.loss, array, v, gradient, base_loss, precision))
    flat = array.astype(np.float64).ravel()
    values = [float(flat[i]) for i in coords] + [float(np.vdot(flat, v.ravel())) for v in directions]
    record: dict[str, Any] = {
        "name": name, "shape": list(array.shape), "dtype": str(array.dtype), "size": int(array.size),
        "coordinates": [int(i) for i in coords], "probes": [p.to_list() for p in probes],
        "directions": [p.to_list() for p in dir_probes], "values": values,
        "gradient_norm": float(np.linalg.norm(gradient)), "param_norm": float(np.linalg.norm(flat)),
    }
    verdict = compare(array.shape, coords, probes, dir_probes, np.array(values), base_loss, precision)
    record["suspect"] = not verdict.passed  # only steers further measurement; the parent judges for itself
    if array.ndim == 2 and array.shape[0] == array.shape[1] > 1 and not verdict.passed:
        record["transposed_probes"] = _transposed_probes(session, array, coords, gradient, base_loss, precision)
    return record


def _transposed_probes(session, array, coords, gradient, base_loss, precision) -> list[list[float]]:
    """Probe n[j, i] against a[i, j]: agreement means the gradient came back transposed."""
    swapped = np.ascontiguousarray(gradient.T)
    rows, cols = np.unravel_index(coords, array.shape)
    mirrored = np.ravel_multi_index((cols, rows), array.shape)
    return [probe(session.loss, array, int(i), swapped, base_loss, precision).to_list() for i in mirrored]


def _gradients_twice(session: Session) -> tuple[dict[str, np.ndarray], Any, list[dict[str, Any]], bool]:
    """The user's gradients, and whether a second call gives the same numbers."""
    grads, notes, raw = session.gradients()
    again, _, _ = session.gradients()
    same = all(np.allclose(grads[k], again[k], rtol=1e-10, atol=1e-300) for k in grads)
    return grads, raw, notes, same


def _identify(session: Session, rng: np.random.Generator) -> dict[str, Any] | None:
    """Which dense network computes the user's loss (see numerics.reference), if any."""
    model = session.model
    try:
        X = np.asarray(model.X, dtype=np.float64)
        np.asarray(model.y, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    X = flat_samples(X)
    shapes = {name: arr.shape for name, arr in model.params.items()}
    _, width = batch_and_width(X.shape, list(shapes.values()))
    layers = infer_layers(shapes, width)
    try:
        ref = identify(model.params, layers, X, model.y, session.loss, rng)
    except UserCodeError:
        return None
    except Exception:  # noqa: BLE001 - recognising the network is a bonus; the check goes on without it
        return None
    return ref.to_dict() if ref is not None else None


def measure(model: LoadedModel, options: Options | None = None) -> dict[str, Any]:
    """All raw numbers the judge needs: a JSON-ready dict, plus the arrays under "arrays".

    Layers an adapter offers are checked one by one first, so a network
    that does not run end to end still has its broken layer named.
    """
    options = options or Options()
    if not model.units:
        return {**_measure_network(model, options), "notes": model.notes}
    from .layerwise import measure_units

    units = measure_units(model.units, np.random.default_rng(options.seed))
    if model.loss is None:
        return {"adapter": model.adapter, "mapping": model.mapping, "notes": model.notes, "layers": units,
                "network": None, "arrays": {}}
    try:
        network = _measure_network(model, options)
    except UserCodeError as err:
        return {"adapter": model.adapter, "mapping": model.mapping, "notes": model.notes, "layers": units,
                "network": None, "network_error": err.to_dict(), "arrays": {}}
    return {**network, "notes": model.notes, "layers": units}


def _measure_network(model: LoadedModel, options: Options) -> dict[str, Any]:
    """The whole network's gradient check, health probes and trace."""
    rng = np.random.default_rng(options.seed)
    session = Session(model)
    original = _snapshot(model.params)

    try:
        base_loss = session.loss()
    except UserCodeError as err:
        if err.kind != "non-finite":
            raise
        return {"adapter": model.adapter, "mapping": model.mapping,  # the parent decides whether exp overflowed
                "non_finite_loss": rescue(session, err, rng, _identify), "arrays": _arrays(model, {})}
    repeat = session.loss()
    nondeterminism = None
    if repeat != base_loss:
        session.seeded = True
        base_loss, repeat = session.loss(), session.loss()
        nondeterminism = {"loss": True, "fixed_by_seeding": repeat == base_loss}
        if repeat != base_loss:
            raise UserCodeError("nondeterministic-loss",
                                f"loss gives different values for the same parameters ({base_loss!r}, then {repeat!r}), "
                                "even with numpy's global random seed fixed before each call", model.file,
                                hint="Turn dropout and any other randomness off while checking gradients.")
    precision = precision_for(session.loss_dtype, *(p.dtype for p in model.params.values()))
    if precision.name in options.tolerance:
        precision = replace(precision, rel_tol=float(options.tolerance[precision.name]))

    update_record = None
    notes: list[dict[str, Any]] = []
    if model.gradients is not None:
        grads, raw_grads, notes, same = _gradients_twice(session)
        source = "gradients"
        if not same:
            nondeterminism = {**(nondeterminism or {"loss": False, "fixed_by_seeding": False}), "gradients": True}
        if model.update is not None:
            update_record = _judge_update(session, lambda: session.update_step(raw_grads, 1e-3), precision, "update")
    else:
        # Small enough that an update made halfway through the user's pass barely shows in the rest of it.
        lr = 1e-6 if precision.name == "float64" else 1e-1
        steps = session.step(lr)
        grads = {name: -s / lr for name, s in steps.items()}
        source = "train_step"
        update_record = _judge_update(session, lambda: steps, precision, "train_step")

    parameters = [_measure_tensor(session, name, grads[name], base_loss, precision, rng) for name in model.params]
    reference = _identify(session, rng) if not session.seeded else None
    suspect = notes or any(p["suspect"] for p in parameters)
    trace = _trace(session, source) if suspect and model.traceable else None
    health = measure_health(session, reference, base_loss)
    leftover = _restore(model.params, original)
    X = np.asarray(model.X) if not isinstance(model.X, np.ndarray) else model.X
    y = np.asarray(model.y) if not isinstance(model.y, np.ndarray) else model.y
    return {
        "adapter": model.adapter,
        "mapping": model.mapping,
        "precision": precision.name,
        "rel_tol": precision.rel_tol,
        "base_loss": base_loss,
        "gradient_source": source,
        "batch": {"x_shape": list(getattr(X, "shape", ())), "y_shape": list(getattr(y, "shape", ())),
                  "x_dtype": str(getattr(X, "dtype", "")), "y_dtype": str(getattr(y, "dtype", ""))},
        "nondeterminism": nondeterminism,
        "mutations": session.mutations,
        "restored_after_probing": leftover,
        "shape_notes": notes,
        "parameters": parameters,
        "update": update_record,
        "reference": reference,
        "health": health,
        "trace": None if trace is None else {"records": [[line, key, call] for line, key, _, call in trace.records],
                                             "truncated": trace.truncated},
        "arrays": {**_arrays(model, grads),
                   **({} if trace is None else {f"trace:{i}": v for i, (_, _, v, _) in enumerate(trace.records)})},
    }


def _trace(session: Session, source: str) -> Trace | None:
    """Line-by-line values of one call of the user's gradient computation."""
    model = session.model
    if source == "gradients":
        call = lambda: session._guard(model.mapping["gradients"], model.gradients)  # noqa: E731
    else:
        call = lambda: session.step(1e-9)  # noqa: E731  (tiny: an update made mid-pass barely shows)
    try:
        _, trace = trace_call(call, model.file)
    except UserCodeError:
        return None
    return trace


def _arrays(model: LoadedModel, grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What the parent needs to recompute the diagnosis itself: parameters, gradients, batch."""
    arrays = {f"param:{k}": np.asarray(v, dtype=np.float64) for k, v in model.params.items()}
    arrays.update({f"grad:{k}": np.asarray(v, dtype=np.float64) for k, v in grads.items()})
    for key, value in (("X", model.X), ("y", model.y)):
        try:
            arrays[key] = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    return arrays


def _judge_update(session: Session, take_step: Callable[[], dict[str, np.ndarray]], precision: Precision,
                  source: str) -> dict[str, Any]:
    """Slope of the loss along the step the user's update rule takes."""
    try:
        steps = take_step()
    except UserCodeError as err:
        return {"source": source, "error": err.to_dict()}
    names = list(session.model.params)
    arrays = [session.model.params[n] for n in names]
    step_list = [steps[n].reshape(session.model.params[n].shape) for n in names]
    norm = float(np.sqrt(sum(float(np.vdot(s, s)) for s in step_list)))
    slope = directional_derivative(session.loss, arrays, step_list, precision) if norm > 0 else 0.0
    return {"source": source, "slope": slope, "step_norm": norm}
