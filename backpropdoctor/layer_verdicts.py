"""Judge the layer-by-layer measurements (parent side): per-layer verdicts and findings.

Each layer checked alone (see `layerwise`) is judged with the same
comparison and the same gradient rules as a whole network, on a context
of its own, so a sign flip in one layer's backward is `flipped-sign` on
that layer, named with its function or class and line.
"""

from __future__ import annotations

from typing import Any

from . import rules
from .diagnose import _comparison
from .numerics.finite_diff import FLOAT32, FLOAT64
from .report import Finding, ParamResult
from .rules.base import Context, ParamCheck

LAYER_RULES = ("transposed-gradient", "missing-gradient", "flipped-sign", "scaled-gradient",
               "regularization-gradient", "params-mutated", "gradient-mismatch")


def tensor_label(unit: str, key: str) -> str:
    """How a layer's tensor is named in the report: the gradient its backward returns."""
    return f"{unit}: d{key}"


def judge_layers(file: str, records: list[dict[str, Any]]) -> tuple[list[ParamResult], list[Finding]]:
    """Verdicts for every layer's tensors, and the findings of the layers that are wrong."""
    results: list[ParamResult] = []
    findings: list[Finding] = []
    for record in records:
        if "error" in record:
            findings.append(_error_finding(file, record))
            continue
        unit_results, unit_findings = _judge_unit(file, record)
        results += unit_results
        findings += unit_findings
    return results, findings


def _error_finding(file: str, record: dict[str, Any]) -> Finding:
    error = record["error"]
    rule = rules.get(error.get("kind", ""))
    return Finding(rule=error.get("kind", "user-exception"), severity=rule.severity if rule else "error",
                   message=f"Layer check of {_title(record)} could not run: {error.get('message')}",
                   file=error.get("file") or file, line=error.get("line") or record.get("line"),
                   fix=error.get("hint"), evidence={"layer_check": record["name"]})


def _judge_unit(file: str, record: dict[str, Any]) -> tuple[list[ParamResult], list[Finding]]:
    unit = record["name"]
    precision = FLOAT32 if record["precision"] == "float32" else FLOAT64
    base = float(record["base_loss"])
    notes = {n["parameter"]: n for n in record.get("shape_notes", []) if n["kind"] != "renamed"}
    checks, results = [], []
    for r in record["parameters"]:
        label = tensor_label(unit, r["name"])
        comparison = _comparison(r, base, precision)
        transposed = _comparison(r, base, precision, "transposed_probes") if r.get("transposed_probes") else None
        checks.append(ParamCheck(name=label, shape=tuple(r["shape"]), layer=None, comparison=comparison,
                                 transposed=transposed, shape_note=notes.get(r["name"])))
        results.append(ParamResult(name=label, shape=list(r["shape"]), dtype=r["dtype"], layer=None,
                                   status="pass" if comparison.passed else "fail", rel_error=comparison.rel_error,
                                   cosine=comparison.cosine, norm_ratio=comparison.norm_ratio,
                                   checked=len(comparison.indices), size=r["size"], kinks=comparison.kinks,
                                   worst=comparison.worst))
    measurement = {"layer_check": unit, "mutations": [{**m, "by": f"{unit}: forward/backward",
                                  "parameters": [tensor_label(unit, k) for k in m["parameters"]]}
                                 for m in record.get("mutations", [])]}
    ctx = Context(measurement=measurement, params=checks, layers=[], precision=precision, batch_size=None, file=file)
    catalogue = rules.catalogue()
    for name in LAYER_RULES:
        rule = catalogue.get(name)
        if rule is not None and rule.detect is not None:
            ctx.findings.extend(rule.detect(ctx))
    for f in ctx.findings:
        f.message = (f"Layer check of {_title(record)}, alone with a random upstream gradient: "
                     f"{f.message}")
        f.line = record.get("line")
        f.fix = f.fix or (f"Compare each line of {record.get('kind') or unit} with the derivative of the matching line of its forward: "
                          "the gradient of each input is dout times that input's local derivative.")
        f.evidence = {**f.evidence, "layer_check": unit, "mapping": record.get("mapping", {})}
    return results, ctx.findings



def _title(record: dict[str, Any]) -> str:
    return f"{record['name']} ({record['kind']})" if record.get("kind") else record["name"]
