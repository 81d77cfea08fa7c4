"""The result object every renderer formats: a Report of ParamResults and Findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

SCHEMA_VERSION = 1
SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    """One named problem, with where it is, the numbers behind it and what to change."""

    rule: str
    severity: str
    message: str
    parameters: list[str] = field(default_factory=list)
    layers: list[int] = field(default_factory=list)
    file: str | None = None
    line: int | None = None  # in a notebook: the line within `cell`
    fix: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    source: list[tuple[int, str]] = field(default_factory=list)  # (line number, text) around `line`
    verified: bool = False
    patch: str | None = None
    cell: int | None = None  # the notebook cell holding `line` (counted from 1, markdown cells included)
    origin: Any = field(default=None, repr=False, compare=False)  # what produced it (for locating its line)
    candidates: list = field(default_factory=list, repr=False, compare=False)  # edits to verify (repair.Edit)

    @property
    def layer(self) -> int | None:
        """The layer nearest the output: where a backward-pass bug starts to spread."""
        return max(self.layers) if self.layers else None

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("origin", "candidates")}
        d["evidence"] = dict(self.evidence)
        d["layer"] = self.layer
        d["source"] = [{"line": n, "text": t} for n, t in self.source]
        return d


@dataclass
class ParamResult:
    """The verdict on one parameter tensor."""

    name: str
    shape: list[int]
    dtype: str
    layer: int | None
    status: str  # "pass" | "fail"
    rel_error: float
    cosine: float
    norm_ratio: float
    checked: int  # coordinates judged
    size: int
    kinks: int
    worst: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    file: str
    status: str  # "pass" | "warn" | "fail" | "error"
    parameters: list[ParamResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    adapter: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    precision: str | None = None
    notes: list[str] = field(default_factory=list)
    loss: float | None = None
    elapsed: float | None = None
    output: str = ""
    training: dict[str, Any] | None = None  # the training probe's loss curves (numerics.health.summarize_training)
    skipped: dict[str, str] = field(default_factory=dict)  # rule -> why it could not run on this model
    submission: str | None = None  # the name of the submission in a batch (its directory or file name)
    sandbox: dict[str, Any] = field(default_factory=dict)  # the confinement the child achieved (sandbox.py)

    @property
    def exit_code(self) -> int:
        return {"pass": 0, "warn": 0, "fail": 1}.get(self.status, 2)

    def exit_code_for(self, fail_on: str = "error") -> int:
        """The exit code when warnings count as failures too (`--fail-on warning`)."""
        return 1 if fail_on == "warning" and self.status == "warn" else self.exit_code

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "file": self.file,
            "submission": self.submission,
            "status": self.status,
            "adapter": self.adapter,
            "mapping": self.mapping,
            "precision": self.precision,
            "loss": self.loss,
            "notes": self.notes,
            "parameters": [p.to_dict() for p in self.parameters],
            "findings": [f.to_dict() for f in self.findings],
            "training": self.training,
            "skipped": self.skipped,
            "sandbox": self.sandbox,
            "output": self.output,
            "elapsed_seconds": self.elapsed,
        }


def status_of(findings: list[Finding], could_check: bool = True) -> str:
    if not could_check:
        return "error"
    if any(f.severity == "error" for f in findings):
        return "fail"
    if any(f.severity == "warning" for f in findings):
        return "warn"
    return "pass"
