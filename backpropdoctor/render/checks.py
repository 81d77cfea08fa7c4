"""Which checks a Report stands for: the one list junit, gradescope, sarif and the GitHub summary count.

A checked model gives one check per parameter tensor ("gradient W1") and one per
rule of the catalogue that applies to it ("flipped-sign"), passes included, so a
CI report shows what was verified and not only what went wrong. A file that
could not be checked gives one errored check named after why ("load: timeout").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .. import rules
from ..report import Finding, ParamResult, Report

FAIL_ON = ("error", "warning")
STATUSES = ("passed", "failed", "skipped", "error")


@dataclass(frozen=True)
class Check:
    """One named verdict on a submission."""

    name: str  # "gradient W1", "flipped-sign", "load: timeout"
    group: str  # "gradient" | "rules" | "load"
    status: str  # "passed" | "failed" | "skipped" | "error"
    message: str  # why: the finding's full text, the numbers, or why it did not run ("" for a clean pass)
    rule: str | None = None
    file: str | None = None
    line: int | None = None


def counts_as_failure(finding: Finding, fail_on: str = "error") -> bool:
    """Errors always fail a check; warnings only with `--fail-on warning`; info never."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    return finding.severity == "error" or (fail_on == "warning" and finding.severity == "warning")


def location(finding: Finding) -> str | None:
    """`file:line`, or just the file when the line is unknown."""
    if not finding.file:
        return None
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def finding_text(finding: Finding) -> str:
    """A finding as plain text for a CI log: message, where, the fix and a verified patch."""
    parts = [finding.message]
    where = location(finding)
    if where:
        parts.append(f"at {where}")
    if finding.fix:
        parts.append(f"fix: {finding.fix}")
    if finding.verified and finding.patch:
        parts.append("verified fix (re-checked on a copy of the file):\n" + finding.patch.rstrip("\n"))
    return "\n".join(parts)


def checks(report: Report, fail_on: str = "error") -> list[Check]:
    """The checks `report` stands for, in a stable order: tensors, then the catalogue's rules."""
    if report.status == "error":
        return [_load_check(report, fail_on)]
    result = [_gradient_check(p, report.findings) for p in report.parameters]
    by_rule: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f)
    for rule in rules.catalogue().values():
        found = by_rule.pop(rule.name, [])
        if rules.is_reserved(rule) or (rule.category == "input" and not found):
            continue
        result.append(_rule_check(rule.name, found, report.skipped.get(rule.name), fail_on))
    for name, found in by_rule.items():  # a finding of a rule the catalogue does not list: never drop it
        result.append(_rule_check(name, found, None, fail_on))
    return result


def _load_check(report: Report, fail_on: str) -> Check:
    """Why the file could not be checked, as one errored check."""
    findings = [f for f in report.findings if counts_as_failure(f, fail_on)] or report.findings
    if not findings:
        return Check("load: error", "load", "error", "the file could not be checked", file=report.file)
    first = findings[0]
    return Check(f"load: {first.rule}", "load", "error", "\n\n".join(finding_text(f) for f in findings),
                 rule=first.rule, file=first.file or report.file, line=first.line)


def _num(x: float, digits: int) -> str:
    return f"{x:.{digits}g}" if isinstance(x, (int, float)) and math.isfinite(x) else str(x)


def _gradient_check(p: ParamResult, findings: list[Finding]) -> Check:
    """One tensor: does the hand-written gradient match finite differences, and which finding explains it."""
    coverage = "all" if p.checked >= p.size else f"{p.checked} of {p.size}"
    numbers = f"relative error {_num(p.rel_error, 2)}, cosine {_num(p.cosine, 4)} ({coverage} coordinates checked"
    numbers += f", {p.kinks} at a kink skipped)" if p.kinks else ")"
    if p.status == "pass":
        return Check(f"gradient {p.name}", "gradient", "passed", f"matches finite differences: {numbers}")
    explained = [f for f in findings if p.name in f.parameters and _explains_gradients(f.rule)]
    message = f"disagrees with finite differences: {numbers}"
    for f in explained:
        message += f"\nexplained by {f.rule}" + (f" at {location(f)}" if location(f) else "")
    first = explained[0] if explained else None
    return Check(f"gradient {p.name}", "gradient", "failed", message, rule=first.rule if first else None,
                 file=first.file if first else None, line=first.line if first else None)


def _explains_gradients(name: str) -> bool:
    """Health findings may name a tensor (its init, say) but never explain why its gradient is wrong."""
    rule = rules.get(name)
    return rule is None or rule.category != "health"


def _rule_check(name: str, found: list[Finding], skipped: str | None, fail_on: str) -> Check:
    """One rule: failed by a finding that counts, passed (with any warning as output), or skipped and why."""
    text = "\n\n".join(finding_text(f) for f in found)
    failing = [f for f in found if counts_as_failure(f, fail_on)]
    where = (failing or found or [None])[0]
    file, line = (where.file, where.line) if where else (None, None)
    if failing:
        return Check(name, "rules", "failed", text, name, file, line)
    if found:
        return Check(name, "rules", "passed", text, name, file, line)
    if skipped:
        return Check(name, "rules", "skipped", f"not checked: {skipped}", name)
    return Check(name, "rules", "passed", "", name)

