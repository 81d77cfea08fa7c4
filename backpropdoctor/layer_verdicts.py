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
    """Verdicts for every layer's tensors, and the findings of the layers that are wrong.

    All layers are judged in one context, so the same mistake in two layers
    of one class is one finding, and a one-element tensor (a single bias)
    can join a larger tensor's signature.
    """
    findings = [_error_finding(file, r) for r in records if "error" in r]
    checked = [r for r in records if "error" not in r]
    if not checked:
        return [], findings
    precision = FLOAT32 if any(r["precision"] == "float32" for r in checked) else FLOAT64
    checks, results, owner, mutations = [], [], {}, []
    for record in checked:
        unit_checks, unit_results = _checks(record, precision)
        checks += unit_checks
        results += unit_results
        owner.update({c.name: record for c in unit_checks})
        mutations += [{**m, "by": f"{record['name']}: forward/backward",
                       "parameters": [tensor_label(record["name"], k) for k in m["parameters"]]}
                      for m in record.get("mutations", [])]
    ctx = Context(measurement={"layer_check": True, "mutations": mutations}, params=checks, layers=[],
                  precision=precision, batch_size=None, file=file)
    catalogue = rules.catalogue()
    for name in LAYER_RULES:
        rule = catalogue.get(name)
        if rule is not None and rule.detect is not None:
            ctx.findings.extend(rule.detect(ctx))
    for f in ctx.findings:
        units = list({id(owner[p]): owner[p] for p in f.parameters if p in owner}.values())
        if not units:
            continue
        titles = ", ".join(_title(u) for u in units)
        f.message = (f"Layer check{'s' if len(units) > 1 else ''} of {titles}, alone with a random upstream "
                     f"gradient: {f.message}")
        f.line = units[0].get("line")
        f.fix = f.fix or (f"Compare each line of {units[0].get('kind') or units[0]['name']} with the derivative of "
                          "the matching line of its forward: the gradient of each input is dout times that input's "
                          "local derivative.")
        f.evidence = {**f.evidence, "layer_checks": [u["name"] for u in units],
                      "mapping": {u["name"]: u.get("mapping", {}) for u in units}}
    return results, findings + ctx.findings


def _error_finding(file: str, record: dict[str, Any]) -> Finding:
    error = record["error"]
    rule = rules.get(error.get("kind", ""))
    return Finding(rule=error.get("kind", "user-exception"), severity=rule.severity if rule else "error",
                   message=f"Layer check of {_title(record)} could not run: {error.get('message')}",
                   file=error.get("file") or file, line=error.get("line") or record.get("line"),
                   fix=error.get("hint"), evidence={"layer_checks": [record["name"]]})


def _checks(record: dict[str, Any], precision) -> tuple[list[ParamCheck], list[ParamResult]]:
    unit = record["name"]
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
    return checks, results


def _title(record: dict[str, Any]) -> str:
    return f"{record['name']} ({record['kind']})" if record.get("kind") else record["name"]
