"""Gradescope autograder results.json: one test per check, a score, and why.

Follows Gradescope's autograder specification (results.json: top-level score,
output, execution_time, tests with name/score/max_score/status/output).
A submission that could not be checked still gets a valid file, scored 0, whose
output says why and at which line, so the student sees it instead of a crash.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from ..report import Report
from .checks import Check, checks

STATUS_WORD = {"pass": "PASS", "warn": "PASS with warnings", "fail": "FAIL", "error": "could not be checked"}
VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")


def points_for(check: Check, points: Mapping[str, float] | None) -> float:
    """Points of one check: by its name ("gradient W1"; a rule's check is named after the rule), else its group
    ("gradient", "rules", "load"), else 1."""
    for key in (check.name, check.group):
        if points and key in points:
            value = float(points[key])
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"points for {key!r} must be a finite number >= 0, not {points[key]!r}")
            return value
    return 1.0


def _test(check: Check, max_score: float) -> dict:
    """A check as a Gradescope test: a skipped check did not find the bug, so it keeps its points."""
    passed = check.status in ("passed", "skipped")
    test = {"name": check.name, "score": max_score if passed else 0.0, "max_score": max_score,
            "status": "passed" if passed else "failed", "tags": [check.group]}
    if check.message:
        test["output"] = check.message
    return test


def _output(report: Report, tests: list[dict], score: float, total: float, fail_on: str) -> str:
    """The text above the tests: the verdict, the score, why it could not be checked, notes, the program's output."""
    word = STATUS_WORD.get(report.status, report.status)
    if report.status == "warn" and report.exit_code_for(fail_on):
        word = "FAIL (warnings count as failures)"
    lines = [f"backpropdoctor: {word} ({_fmt(score)} / {_fmt(total)} points)"]
    if report.status == "error":
        lines += ["", "Your file could not be checked, so every test counts as failed:", "",
                  *(t.get("output", t["name"]) for t in tests)]
    else:
        failed = [t["name"] for t in tests if t["status"] == "failed"]
        if failed:
            lines.append("Failed: " + ", ".join(failed))
    if report.notes:
        lines += ["", *report.notes]
    if report.output.strip():
        lines += ["", "Your program printed:", report.output.rstrip("\n")]
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:g}"


def results(report: Report, points: Mapping[str, float] | None = None, fail_on: str = "error",
            visibility: str | None = None) -> dict:
    """The results.json object for one submission; `visibility` is when students see the tests (default: always)."""
    if visibility is not None and visibility not in VISIBILITY:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITY)}, not {visibility!r}")
    tests = [_test(c, points_for(c, points)) for c in checks(report, fail_on)]
    score = 0.0 if report.status == "error" else sum(t["score"] for t in tests)
    total = sum(t["max_score"] for t in tests)
    out = {"score": score, "output": _output(report, tests, score, total, fail_on), "tests": tests}
    if visibility:
        out["visibility"] = visibility
    if report.elapsed is not None and math.isfinite(report.elapsed):
        out["execution_time"] = max(math.ceil(report.elapsed), 0)
    return out


def render(report: Report, points: Mapping[str, float] | None = None, fail_on: str = "error",
           visibility: str | None = None) -> str:
    """results.json text for one submission (Gradescope grades one submission per run)."""
    return json.dumps(results(report, points, fail_on, visibility), indent=2, ensure_ascii=False)
