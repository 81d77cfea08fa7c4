"""GitHub Actions: workflow-command annotations on the user's lines, and a Markdown step summary.

Escaping follows the Actions toolkit (packages/core/src/command.ts, `escapeData`
and `escapeProperty`): the runner un-escapes exactly these sequences, so a
message with a newline, `%`, `:` or `,` arrives intact instead of being cut.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..report import Finding, Report
from .checks import checks, counts_as_failure, location

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
STATUS_MARK = {"pass": "✅ pass", "warn": "⚠️ warn", "fail": "❌ fail", "error": "💥 error"}


def escape_data(text: str) -> str:
    """A command's message, as the toolkit's escapeData."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value (file, title), as the toolkit's escapeProperty."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def relative_path(path: str) -> str:
    """The path from the current directory (the workspace in Actions), as GitHub matches it against the diff."""
    try:
        rel = os.path.relpath(os.path.abspath(path))
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()
    return Path(path).as_posix() if rel.startswith("..") else Path(rel).as_posix()


def annotation(finding: Finding, fail_on: str = "error") -> str:
    """One finding as `::error file=F,line=L,title=T::MESSAGE` (warnings as ::warning, info as ::notice)."""
    command = "error" if counts_as_failure(finding, fail_on) else COMMAND.get(finding.severity, "notice")
    props = {}
    if finding.file:
        props["file"] = relative_path(finding.file)
        if finding.line:
            props["line"] = str(finding.line)
    props["title"] = f"backpropdoctor: {finding.rule}"
    message = finding.message + (f"\nfix: {finding.fix}" if finding.fix else "")
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    return f"::{command} {joined}::{escape_data(message)}"


def annotations(reports: list[Report], fail_on: str = "error") -> str:
    """Every finding of every report, one workflow command a line."""
    return "".join(annotation(f, fail_on) + "\n" for r in reports for f in r.findings)


def _cell(text: str) -> str:
    """Text inside a Markdown table cell: no pipe ends the cell, no newline ends the row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _failed(report: Report, fail_on: str) -> bool:
    return report.exit_code_for(fail_on) != 0


def summary(reports: list[Report], fail_on: str = "error") -> str:
    """The step summary: a table of submissions, then the findings of each one that failed, with fixes."""
    lines = ["## backpropdoctor", ""]
    failing = [r for r in reports if _failed(r, fail_on)]
    errors = sum(1 for r in failing if r.status == "error")
    counts = (f"{len(reports)} submission(s): {len(reports) - len(failing)} passed, {len(failing) - errors} failed, "
              f"{errors} could not be checked.")
    lines += [counts, ""]
    lines += ["| Submission | Status | Checks | Rules |", "| --- | --- | --- | --- |"]
    for r in reports:
        found = checks(r, fail_on)
        passed = sum(1 for c in found if c.status == "passed")
        rule_names = ", ".join(dict.fromkeys(f"`{f.rule}`" for f in r.findings)) or "-"
        lines.append(f"| {_cell(r.submission or r.file)} | {STATUS_MARK.get(r.status, r.status)} "
                     f"| {passed}/{len(found)} passed | {_cell(rule_names)} |")
    for r in failing:
        lines += ["", f"### {_cell(r.submission or r.file)}", ""]
        for f in r.findings:
            where = f" at `{location(f)}`" if location(f) else ""
            lines.append(f"- **{f.rule}** ({f.severity}){where}: {_indent(f.message)}")
            if f.fix:
                lines.append(f"  - fix: {_indent(f.fix)}")
            if f.verified and f.patch:
                lines += ["  - verified fix:", "", "    ```diff", *("    " + x for x in f.patch.splitlines()), "    ```"]
    return "\n".join(lines) + "\n"


def _indent(text: str) -> str:
    """Multi-line text kept inside its list item."""
    return text.strip().replace("\n", "\n    ")

