"""What a rule is, and the context a rule's detector reads.

A rule lives in one module of this package: its module docstring is its
documentation (sections `What it means`, `Why it breaks training`, `How it
looks in code`, `The fix`), and its `RULE` object carries the stable name,
the default severity and the detector. Detectors are pure functions of the
measured numbers; they never see the user's variable names.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from ..numerics.compare import Comparison
from ..numerics.finite_diff import Precision
from ..numerics.signatures import FIT_TOLERANCE
from ..numerics.structure import Layer
from ..lines import first_line, last_alias, last_assignment, last_in_computing_call
from ..repair import Site
from ..report import Finding

CATEGORIES = {
    "gradient": "gradient signatures (the core check)",
    "diagnosis": "named backprop bugs",
    "health": "initialization, numerics and training health",
    "input": "files that cannot be checked",
}

DOC_SECTIONS = ("What it means", "Why it breaks training", "How it looks in code", "The fix")


@dataclass
class ParamCheck:
    """One parameter's measured numbers, as the detectors see them."""

    name: str
    shape: tuple[int, ...]
    layer: int | None
    comparison: Comparison
    transposed: Comparison | None = None
    shape_note: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return not self.comparison.passed


@dataclass
class Context:
    """Everything the detectors may read, plus the parameters already explained."""

    measurement: dict[str, Any]
    params: list[ParamCheck]
    layers: list[Layer]
    precision: Precision
    batch_size: int | None
    file: str
    findings: list[Finding] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)
    claimed_by: dict[str, str] = field(default_factory=dict)  # parameter -> category of the rule that explained it
    reference: Any = None  # numerics.reference.Reference, when the network was identified
    trace: Any = None  # lines.TraceView of one gradient call, when one was recorded
    user_gradients: dict[str, Any] = field(default_factory=dict)  # the user's gradients, full tensors
    values: dict[str, Any] = field(default_factory=dict)  # the parameters' values, full tensors
    batch: Any = None  # X as the child saw it
    arrays: dict[str, Any] = field(default_factory=dict)  # the child's arrays: param:NAME, grad:NAME, X, y
    skipped: dict[str, list[str]] = field(default_factory=dict)  # why a probe could not run -> the rules it skipped

    def forward(self):
        """The reference network's forward pass on the checked batch (z and a of every layer)."""
        return self.reference.forward(self.values, self.batch) if self.reference is not None else None
    explanation: Any = None  # numerics.backward.Explanation, when a wrong gradient was explained

    def layer_number(self, index: int) -> int:
        """A 0-based reference layer as the report counts it (from 1, at the input)."""
        return index + 1

    @property
    def fit_tolerance(self) -> float:
        """How closely a signature must fit: never tighter than the check's own tolerance."""
        return max(FIT_TOLERANCE, self.precision.rel_tol)

    def unexplained_failures(self) -> Iterator[ParamCheck]:
        for p in self.params:
            if p.failed and p.name not in self.claimed:
                yield p

    def signature_hits(self, fit_of, accept) -> list[tuple[ParamCheck, float]]:
        """Unexplained failures whose fitted relation `accept`s, each with its coefficient.

        A tensor probed at a single point fits any one-parameter relation, so
        it only joins when its coefficient matches that of a larger tensor.
        """
        hits, singles = [], []
        for p in self.unexplained_failures():
            fit = fit_of(p)
            if fit.fits(self.fit_tolerance) and accept(fit.coefficient):
                (hits if len(p.comparison.indices) > 1 else singles).append((p, fit.coefficient))
        for p, c in singles:
            if any(abs(c - other) <= self.fit_tolerance * abs(other) for _, other in hits):
                hits.append((p, c))
        order = [p.name for p in self.params]
        return sorted(hits, key=lambda hit: order.index(hit[0].name))

    def explained_scales(self, accept) -> list[tuple[ParamCheck, float]]:
        """Failing tensors a named bug explains, whose constant factor against it `accept`s.

        A wrong step can come with a flipped sign or a stray 1/N as well:
        those factors are findings of their own.
        """
        if self.explanation is None:
            return []
        hits = []
        for p in self.params:
            scale = self.explanation.scales.get(p.name)
            explained_elsewhere = self.claimed_by.get(p.name, "diagnosis") != "diagnosis"
            if p.failed and p.name in self.explanation.explained and scale and accept(scale) and not explained_elsewhere:
                hits.append((p, scale))
        return hits

    def finding(self, rule: "Rule", params: list[ParamCheck], message: str, fix: str | None,
                evidence: dict[str, Any] | None = None, claim: bool = True, severity: str | None = None) -> Finding:
        """A finding on `params`; claimed parameters are not offered to later rules."""
        if claim:
            self.claimed.update(p.name for p in params)
            for p in params:
                self.claimed_by.setdefault(p.name, rule.category)
        return Finding(rule=rule.name, severity=severity or rule.severity, message=message,
                       parameters=[p.name for p in params],
                       layers=sorted({p.layer for p in params if p.layer is not None}),
                       file=self.file, fix=fix, evidence=evidence or {})


Detector = Callable[[Context], list[Finding]]


def locate_choice(ctx: Context, finding: Finding) -> int | None:
    """The first line computing the wrong step a diagnosis finding names."""
    choice = finding.origin
    if choice is None:
        return None
    if choice.site in ("bias", "weight"):
        name = finding.parameters[0] if finding.parameters else None
        delta = ctx.explanation.deltas.get(choice.layer) if ctx.explanation is not None else None
        if name not in ctx.user_gradients or delta is None:
            return None
        return entry_line(ctx, last_in_computing_call(ctx.trace, ctx.user_gradients[name], [delta]))
    exclude = [choice.correct] if choice.correct is not None else []
    find = last_alias if choice.variant.where == "last-alias" else first_line
    return find(ctx.trace, list(choice.markers) + [choice.value], exclude=exclude)


def entry_line(ctx: Context, hit: tuple[int, str] | None) -> int | None:
    """The line of a hit; for an entry of a dict built in a multi-line return, that entry's own line."""
    if hit is None:
        return None
    line, key = hit
    if not key.startswith("return["):
        return line
    entry = key[len("return["):-1]
    site = Site.at(ctx.file, line)
    stmt = None if site is None else site.stmt
    if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Dict):
        for k, v in zip(stmt.value.keys, stmt.value.values):
            if isinstance(k, ast.Constant) and repr(k.value) == entry:
                return v.lineno
    return line


def locate_final(ctx: Context, finding: Finding) -> int | None:
    """The last line that assigned the gradient the user handed over (for a wrong final tensor)."""
    for name in finding.parameters:
        if name in ctx.user_gradients:
            line = entry_line(ctx, last_assignment(ctx.trace, ctx.user_gradients[name]))
            if line is not None:
                return line
    return None


def explained_bugs(ctx: Context, rule: "Rule") -> list[Finding]:
    """Findings for every step of the backward pass that the explanation pinned on one of `rule`'s variants."""
    if ctx.explanation is None or ctx.reference is None:
        return []
    findings = []
    by_name = {p.name: p for p in ctx.params}
    for choice in ctx.explanation.bugs():
        if choice.variant.rule != rule.name:
            continue
        names = [n for n in ctx.explanation.affected(choice, ctx.reference) if n in by_name]
        params = [by_name[n] for n in names if by_name[n].failed]
        if not params:
            continue
        layer = ctx.layer_number(choice.layer)
        where = "the output layer" if choice.layer == len(ctx.reference.weights) - 1 else f"layer {layer}"
        message = (f"At {where}, your backward pass {choice.variant.describe}. "
                   f"This corrupts the gradient of {describe_params(params)}.")
        evidence = {"variant": choice.variant.name, "site": choice.site, "layer": layer,
                    "residual": choice.residual, "network": ctx.reference.describe()}
        finding = ctx.finding(rule, params, message, choice.variant.fix, evidence)
        finding.layers = [layer]
        finding.origin = choice
        findings.append(finding)
    return findings


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str  # "error" | "warning" | "info"
    category: str
    summary: str
    doc: str
    detect: Detector | None = None  # None: reserved, produced elsewhere or by a later stage
    variants: tuple = ()  # backward-pass mistakes this rule names (numerics.backward.Variant)
    locate: Callable[["Context", Finding], int | None] | None = None  # the line in the user's file
    repairs: Callable[["Context", Finding, Any], list] | None = None  # candidate edits (repair.Edit) at that line

    @property
    def sections(self) -> dict[str, str]:
        """The doc split into its titled sections."""
        parts = re.split(r"^## (.+)$", self.doc, flags=re.M)
        return {title.strip(): body.strip() for title, body in zip(parts[1::2], parts[2::2])}


def describe_params(params: list[ParamCheck]) -> str:
    names = ", ".join(p.name for p in params)
    layers = sorted({p.layer for p in params if p.layer is not None})
    if not layers:
        return names
    where = f"layer {layers[0]}" if len(layers) == 1 else f"layers {', '.join(map(str, layers))}"
    return f"{names} ({where})"


def fmt(x: float) -> str:
    return f"{x:.3g}" if np.isfinite(x) else str(x)
