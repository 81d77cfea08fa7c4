"""Turn the child's raw measurements into a Report: verdicts, then findings.

This is the judging side. It re-derives every verdict from the raw probes
(the child's own opinion is never read) and runs the rule catalogue.
"""

from __future__ import annotations

import linecache
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from . import rules
from .numerics.compare import Comparison, compare
from .lines import TraceView, runs_per_layer
from .numerics.backward import explain
from .numerics.finite_diff import FLOAT32, FLOAT64, Probe
from .numerics.reference import Reference
from .numerics.structure import batch_and_width, infer_layers, layer_of
from .repair import Site
from .report import Finding, ParamResult, Report, status_of
from .rules.base import Context, ParamCheck
from .rules._health import training as training_summary
from .rules.softmax_overflow import judge_non_finite

SOURCE_CONTEXT = 2


class MalformedMeasurement(ValueError):
    """The child's result does not have the shape we wrote: treat as an internal error."""


def _comparison(record: dict[str, Any], base_loss: float, precision, key: str = "probes") -> Comparison:
    probes = [Probe.from_list(v) for v in record[key]]
    directions = [Probe.from_list(v) for v in record["directions"]] if key == "probes" else []
    values = np.asarray(record["values"], dtype=np.float64)
    if key != "probes":
        values = values[: len(probes)]
    return compare(tuple(record["shape"]), np.asarray(record["coordinates"], dtype=np.int64), probes, directions,
                   values, base_loss, precision)


def source_lines(file: str | None, line: int | None, around: int = SOURCE_CONTEXT) -> list[tuple[int, str]]:
    if not file or not line:
        return []
    lines = [(n, linecache.getline(file, n).rstrip("\n")) for n in range(max(1, line - around), line + around + 1)]
    return [(n, t) for n, t in lines if t or n <= line]


def _same_file(a: str | None, b: str) -> bool:
    return bool(a) and Path(a).resolve() == Path(b).resolve()


def from_error(file: str, error: dict[str, Any], elapsed: float | None = None, output: str = "") -> Report:
    """A report for a file that could not be checked."""
    kind = error.get("kind", "internal-error")
    rule = rules.get(kind)
    where = file if _same_file(error.get("file"), file) or not error.get("file") else error["file"]
    source = source_lines(where, error.get("line"))
    message = error.get("message") or kind
    if error.get("detail") and not source and kind in ("user-exception", "import-error", "syntax-error"):
        message += f"\n    {error['detail']}"
    evidence = {"detail": error["detail"]} if error.get("detail") and kind in ("crashed", "internal-error") else {}
    finding = Finding(rule=kind, severity=rule.severity if rule else "error", message=message, file=where,
                      line=error.get("line"), fix=error.get("hint"), evidence=evidence, source=source)
    return Report(file=file, status="error", findings=[finding], elapsed=elapsed, output=output)


def _reference(m: dict[str, Any], arrays: dict[str, np.ndarray], checks: list[ParamCheck], precision) -> Any:
    """Rebuild the child's identified network and accept it only if it reproduces the measured numbers."""
    if not m.get("reference") or "X" not in arrays or "y" not in arrays:
        return None, {}, {}
    params = {k.split(":", 1)[1]: v for k, v in arrays.items() if k.startswith("param:")}
    grads = {k.split(":", 1)[1]: v for k, v in arrays.items() if k.startswith("grad:")}
    ref = Reference.from_dict(m["reference"], params, arrays["X"], arrays["y"])
    if ref is None or set(params) != {c.name for c in checks}:
        return None, {}, {}
    agree = max(precision.rel_tol * 10, 1e-4)
    with np.errstate(all="ignore"):
        loss = ref.loss(params, arrays["X"])
        exact = ref.gradients(params, arrays["X"])
    if not np.isfinite(loss) or abs(loss - m["base_loss"]) > agree * max(abs(m["base_loss"]), 1e-12):
        return None, {}, {}
    # A few coordinates whose finite difference straddles a ReLU kink the probe did not catch (a bias moves every
    # sample's pre-activation) may disagree; more than that, and the network is not the one identified.
    stray, probed = 0, 0
    for c in checks:
        k = len(c.comparison.indices)
        if c.name not in exact:
            continue
        predicted = exact[c.name].ravel()[c.comparison.indices]
        numeric = c.comparison.numeric[:k]
        scale = max(float(np.max(np.abs(numeric), initial=0.0)), 1e-8)
        off = int(np.count_nonzero(np.abs(predicted - numeric) > agree * scale + 1e-7))
        stray, probed = stray + off, probed + k
        if off and (k < 4 or off > k // 4):
            return None, {}, {}
    if stray > max(1, probed // 20):
        return None, {}, {}
    return ref, params, grads


def diagnose(file: str, m: dict[str, Any], elapsed: float | None = None, output: str = "",
             arrays: dict[str, np.ndarray] | None = None) -> Report:
    """Verdicts per parameter and findings for a measured model."""
    if m.get("non_finite_loss") is not None:
        return _non_finite(file, m, elapsed, output, arrays or {})
    if "parameters" not in m and "layers" in m:
        return _layers_only(file, m, elapsed, output)
    try:
        precision = FLOAT32 if m["precision"] == "float32" else FLOAT64
        precision = replace(precision, rel_tol=float(m.get("rel_tol", precision.rel_tol)))
        base_loss = float(m["base_loss"])
        records = m["parameters"]
        batch_size, input_width = batch_and_width(m["batch"]["x_shape"], [r["shape"] for r in records])
        layers = infer_layers({r["name"]: tuple(r["shape"]) for r in records}, input_width)
        notes_by_param = {n["parameter"]: n for n in m.get("shape_notes", []) if n["kind"] != "renamed"}
        checks = []
        for r in records:
            transposed = _comparison(r, base_loss, precision, "transposed_probes") if r.get("transposed_probes") else None
            checks.append(ParamCheck(name=r["name"], shape=tuple(r["shape"]), layer=layer_of(layers, r["name"]),
                                     comparison=_comparison(r, base_loss, precision), transposed=transposed,
                                     shape_note=notes_by_param.get(r["name"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedMeasurement(str(exc)) from exc

    ctx = Context(measurement=m, params=checks, layers=layers, precision=precision, batch_size=batch_size, file=file)
    ctx.reference, ref_params, user_grads = _reference(m, arrays or {}, checks, precision)
    if ctx.reference is not None:  # the identified network knows the layers better than shapes alone
        ctx.layers = ctx.reference.layers()
        for c in checks:
            c.layer = layer_of(ctx.layers, c.name)
    if ctx.reference is not None and any(c.failed for c in checks) and set(user_grads) == set(ref_params):
        variants = [v for rule in rules.catalogue().values() for v in rule.variants]
        with np.errstate(all="ignore"):
            ctx.explanation = explain(ctx.reference, ref_params, arrays["X"], user_grads, variants, ctx.fit_tolerance)
    ctx.trace = TraceView.from_measurement(m.get("trace"), arrays or {})
    layer_results, layer_findings = _layer_checks(file, m)
    faulty_lines = {f.line for f in layer_findings if f.severity == "error" and f.line and f.evidence.get("layer_checks")
                    and (not f.file or _same_file(f.file, file))}
    failed_units = {r.name.split(": ", 1)[0] for r in layer_results if r.status == "fail"}
    sound_lines = {u.get("line") for u in m.get("layers") or [] if "error" not in u and u.get("line")
                   and u["name"] not in failed_units}
    if ctx.trace is not None:
        ctx.trace.faulty = _function_ranges(file, faulty_lines)
        ctx.trace.sound = _function_ranges(file, sound_lines - faulty_lines)
    ctx.user_gradients, ctx.values, ctx.batch = user_grads, ref_params, (arrays or {}).get("X")
    ctx.arrays = arrays or {}
    for rule in rules.detectors():
        ctx.findings.extend(rule.detect(ctx))
    for f in ctx.findings:
        rule = rules.get(f.rule)
        if f.line is None and rule is not None and rule.locate is not None and ctx.trace is not None:
            f.line = rule.locate(ctx, f)
    if ctx.trace is not None and ctx.trace.faulty:
        _move_into_faulty_layers(ctx, ctx.trace.sound)
    _share_layer_code_lines(ctx)
    _merge_same_line(ctx)
    _propose_repairs(ctx)
    alone = {f.line for f in layer_findings if f.severity == "error" and f.line and f.evidence.get("layer_checks")}
    for f in ctx.findings:  # the network's gradient is wrong, no named bug explains it, one layer is wrong alone
        if f.rule == "gradient-mismatch" and f.line is None and len(alone) == 1:
            f.line = next(iter(alone))
    ctx.findings += layer_findings
    for f in ctx.findings:
        if f.file and _same_file(f.file, file):
            f.file = file
        if f.line and not f.source:
            f.source = source_lines(f.file, f.line)

    parameters = [
        ParamResult(name=c.name, shape=list(c.shape), dtype=r["dtype"], layer=c.layer,
                    status="pass" if c.comparison.passed else "fail", rel_error=c.comparison.rel_error,
                    cosine=c.comparison.cosine, norm_ratio=c.comparison.norm_ratio,
                    checked=len(c.comparison.indices), size=r["size"], kinks=c.comparison.kinks,
                    worst=c.comparison.worst)
        for c, r in zip(checks, records)
    ] + layer_results
    notes = list(m.get("notes") or []) + _notes(m, precision, parameters)
    if ctx.reference is not None:
        notes.insert(0, f"Recognised network: {ctx.reference.describe()}.")
    notes += [f"Not checked: {', '.join(names)} ({reason})." for reason, names in ctx.skipped.items()]
    return Report(file=file, status=status_of(ctx.findings), parameters=parameters, findings=ctx.findings,
                  adapter=m.get("adapter"), mapping=m.get("mapping", {}), precision=precision.name, notes=notes,
                  loss=base_loss, elapsed=elapsed, output=output,
                  training=training_summary(ctx),
                  skipped={name: reason for reason, names in ctx.skipped.items() for name in names})


def _function_ranges(file: str, lines: set[int]) -> list[tuple[int, int]]:
    """The (first, last) lines of the function around each line (a layer's backward, a helper), from its source."""
    import ast

    if not lines:
        return []
    try:
        tree = ast.parse(Path(file).read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError):
        return []
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    ranges = []
    for line in lines:
        around = [n for n in functions if n.lineno <= line <= (n.end_lineno or n.lineno)]
        if around:
            inner = max(around, key=lambda n: n.lineno)
            ranges.append((inner.lineno, inner.end_lineno or inner.lineno))
    return ranges


def _move_into_faulty_layers(ctx: Context, sound: list[tuple[int, int]]) -> None:
    """A wrong value first computed in a layer that is right alone (softmax's Jacobian applied to what it is
    given) was caused upstream, by a layer found wrong alone: the line is the last one that layer computed first."""
    records = ctx.trace.records
    for f in ctx.findings:
        if f.line is None or ctx.trace.in_faulty(f.line) or not any(a <= f.line <= b for a, b in sound):
            continue
        at = next((i for i, r in enumerate(records) if r[0] == f.line), None)
        before = [r for r in records[:at] if ctx.trace.in_faulty(r[0]) and not r[1].startswith("return")]
        if at is not None and before:
            f.line = before[-1][0]


def _layer_checks(file: str, m: dict[str, Any]) -> tuple[list[ParamResult], list[Finding]]:
    """Verdicts and findings of the layers an adapter let us check one by one."""
    if not m.get("layers"):
        return [], []
    from .layer_verdicts import judge_layers

    return judge_layers(file, m["layers"])


def _layers_only(file: str, m: dict[str, Any], elapsed: float | None, output: str) -> Report:
    """Only the layers could be checked: no network to run, or it failed while its layers did not."""
    parameters, findings = _layer_checks(file, m)
    error = m.get("network_error")
    layer_bug = any(f.severity == "error" for f in findings)
    if error:
        findings.insert(0, from_error(file, error).findings[0])
    for f in findings:
        if f.line and not f.source:
            f.source = source_lines(f.file, f.line)
    status = status_of(findings) if layer_bug or (parameters and not error) else "error"
    notes = list(m.get("notes") or [])
    if error:
        notes.append("The whole network could not be checked (below); each layer was still checked on its own.")
    return Report(file=file, status=status, parameters=parameters, findings=findings, adapter=m.get("adapter"),
                  mapping=m.get("mapping", {}), notes=notes, elapsed=elapsed, output=output)


def _non_finite(file: str, m: dict[str, Any], elapsed: float | None, output: str,
                arrays: dict[str, np.ndarray]) -> Report:
    """The loss is NaN or inf at the initial parameters: softmax-overflow when the logits show why, else non-finite."""
    record = m["non_finite_loss"]
    try:
        finding = judge_non_finite(file, record, arrays)
    except (KeyError, TypeError, ValueError):
        finding = None
    if finding is None:
        return from_error(file, record.get("error") or {}, elapsed, output)
    return Report(file=file, status="fail", findings=[finding], adapter=m.get("adapter"), mapping=m.get("mapping", {}),
                  notes=["The loss is not finite at your initial parameters, so no gradient could be checked."],
                  elapsed=elapsed, output=output)


def _propose_repairs(ctx: Context) -> None:
    """Candidate edits for each located finding (verified later, by checking repaired copies)."""
    for f in ctx.findings:
        rule = rules.get(f.rule)
        if rule is None or rule.repairs is None or not f.line:
            continue
        site = Site.at(ctx.file, f.line)
        if site is not None:
            try:
                f.candidates = rule.repairs(ctx, f, site)
            except Exception:  # noqa: BLE001 - a fix we cannot write is left unwritten
                f.candidates = []


def _merge_same_line(ctx: Context) -> None:
    """One finding for one mistake on one line, even when every layer runs that line."""
    merged: list[Finding] = []
    for f in ctx.findings:
        variant = f.evidence.get("variant")
        twin = next((g for g in merged if variant and f.line and g.rule == f.rule and g.line == f.line
                     and g.evidence.get("variant") == variant), None)
        if twin is None:
            merged.append(f)
            continue
        twin.layers = sorted(set(twin.layers) | set(f.layers))
        twin.parameters += [p for p in f.parameters if p not in twin.parameters]
        where = "layers " + " and ".join(map(str, twin.layers))
        twin.message = re.sub(r"^At (the output layer|layer \d+|layers [\d and]+),", f"At {where},", twin.message)
        twin.message = re.sub(r"This corrupts the gradient of .*$", "This corrupts the gradient of "
                              + ", ".join(twin.parameters) + ".", twin.message)
    ctx.findings[:] = merged


def _share_layer_code_lines(ctx: Context) -> None:
    """A layer too small to match (one unit) shares its line with the same mistake in another layer,
    when that line sits in code every layer runs (a layer object's backward method)."""
    for f in ctx.findings:
        if f.line is not None:
            continue
        key = (f.rule, f.evidence.get("variant"))
        twin = next((g for g in ctx.findings if g is not f and g.line is not None
                     and (g.rule, g.evidence.get("variant")) == key and runs_per_layer(ctx.trace, g.line)), None)
        if twin is not None:
            f.line = twin.line


def _notes(m: dict[str, Any], precision, parameters: list[ParamResult]) -> list[str]:
    notes = []
    if precision.name == "float32":
        notes.append("float32 model: steps and tolerance are sized for float32 "
                     f"(relative tolerance {precision.rel_tol:g} instead of {FLOAT64.rel_tol:g}).")
    elif precision.rel_tol != FLOAT64.rel_tol:
        notes.append(f"Relative tolerance {precision.rel_tol:g} (set in the configuration; "
                     f"the default is {FLOAT64.rel_tol:g}).")
    kinks = sum(p.kinks for p in parameters)
    if kinks:
        notes.append(f"{kinks} coordinate(s) sit on a kink (ReLU at 0, max, clip): the two one-sided slopes "
                     "differ there, so they were not judged.")
    if m.get("gradient_source") == "train_step":
        notes.append("No grads function: the gradient was inferred from the step train_step takes "
                     "(gradient = -(params after - params before) / lr).")
    sampled = [p for p in parameters if p.checked < p.size]
    if sampled:
        notes.append("Large tensors were checked on a sample of elements plus random directions: "
                     + ", ".join(f"{p.name} {p.checked}/{p.size}" for p in sampled) + ".")
    return notes
