"""SARIF 2.1.0, for code-scanning dashboards: the rule catalogue as the tool's rules, each finding a result."""

from __future__ import annotations

import json
from urllib.parse import quote

from .. import __version__, rules
from ..report import Finding, Report
from .checks import counts_as_failure
from .github import relative_path

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rule(rule: rules.Rule) -> dict:
    return {"id": rule.name, "name": rule.name, "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc.strip() or rule.summary},
            "defaultConfiguration": {"level": LEVEL.get(rule.severity, "warning")},
            "properties": {"category": rule.category}}


def _uri(path: str) -> str:
    """A relative URI from the current directory (what code scanning maps onto the repository), else a file URI."""
    rel = relative_path(path)
    return "file://" + quote(rel) if rel.startswith("/") else quote(rel)


def _result(finding: Finding, report: Report, index: dict[str, int], fail_on: str) -> dict:
    level = "error" if counts_as_failure(finding, fail_on) else LEVEL.get(finding.severity, "note")
    text = finding.message + (f"\nFix: {finding.fix}" if finding.fix else "")
    physical: dict = {"artifactLocation": {"uri": _uri(finding.file or report.file)}}
    if finding.line:
        physical["region"] = {"startLine": finding.line}
    result = {"ruleId": finding.rule, "level": level, "message": {"text": text},
              "locations": [{"physicalLocation": physical}]}
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if report.submission:
        result["properties"] = {"submission": report.submission}
    return result


def render(reports: list[Report], fail_on: str = "error") -> str:
    """One SARIF log with one run: every finding of every report."""
    catalogue = list(rules.catalogue().values())
    index = {r.name: i for i, r in enumerate(catalogue)}
    driver = {"name": "backpropdoctor", "version": __version__, "rules": [_rule(r) for r in catalogue]}
    results = [_result(f, r, index, fail_on) for r in reports for f in r.findings]
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0",
                       "runs": [{"tool": {"driver": driver}, "results": results}]}, indent=2, ensure_ascii=False)
