"""Check each layer's backward alone (runs in the child, next to the user's code).

For every `LayerUnit` an adapter found, draw a random upstream gradient,
take the layer's analytic gradients from its own backward, and probe the
scalar sum(forward * dout) with the same finite differences as a whole
network (`measure._measure_tensor`). Only raw numbers go back; the parent
judges them (`layer_verdicts`), so one wrong layer is named even when the
network around it does not run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .adapters.base import LayerUnit, LoadedModel, UserCodeError, call_user
from .measure import Session, _measure_tensor
from .numerics.finite_diff import precision_for
from .numerics.layerwise import upstream, weighted_output


def measure_units(units: list[LayerUnit], rng: np.random.Generator) -> list[dict[str, Any]]:
    """One record per layer: its probes, or the error that stopped its check."""
    records = []
    for unit in units:
        try:
            records.append(_measure_unit(unit, rng))
        except UserCodeError as err:
            records.append({"name": unit.name, "kind": unit.kind, "line": unit.line, "mapping": unit.mapping,
                            "error": err.to_dict()})
    return records


def _measure_unit(unit: LayerUnit, rng: np.random.Generator) -> dict[str, Any]:
    out = call_user(f"{unit.name}: forward", unit.file, unit.forward)
    dout = upstream(out, rng)

    def objective() -> float:
        value = call_user(f"{unit.name}: forward", unit.file, unit.forward)
        try:
            return weighted_output(value, dout)
        except ValueError as exc:
            raise UserCodeError("shape-mismatch", f"{unit.name}: {exc}", unit.file, unit.line) from None

    backward = lambda: unit.backward(np.array(dout, copy=True))  # noqa: E731 - a backward may write into dout
    model = LoadedModel("layer", unit.file, unit.inputs, None, None, objective, backward,
                        mapping={"loss": f"{unit.name}: sum(output * dout)", "gradients": f"{unit.name}: backward"})
    session = Session(model)
    base = session.loss()
    grads, notes, _ = session.gradients()
    precision = precision_for(session.loss_dtype, *(a.dtype for a in unit.inputs.values()))
    tensors = [_measure_tensor(session, name, grads[name], base, precision, rng) for name in unit.inputs]
    return {"name": unit.name, "kind": unit.kind, "line": unit.line, "mapping": unit.mapping, "base_loss": base,
            "precision": precision.name, "parameters": tensors, "shape_notes": notes,
            "mutations": session.mutations}
