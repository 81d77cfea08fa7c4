"""Gate your own test suite on a check: `assert_backprop_correct(path)` fails with the report as its message.

For an instructor grading hand-written backpropagation with pytest (or
unittest): one call per submission, and a failing test shows the student
exactly what `backpropdoctor check` would, as plain text.

    from backpropdoctor.testing import assert_backprop_correct

    def test_homework_gradients():
        assert_backprop_correct("submission/model.py")            # or a .ipynb notebook
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .report import Finding, Report

FAIL_ON = ("error", "warning")


def assert_backprop_correct(path: str | Path, *, timeout: float = 60.0, seed: int = 0, fail_on: str = "error",
                            allow: Iterable[str] = (), fix: bool = True, width: int = 100) -> Report:
    """Check `path` and return its Report; raise AssertionError (its message: the report as text) if it fails.

    fail_on: "error" fails on error findings (wrong gradients, named bugs);
    "warning" fails on health warnings too (initialization, learning rate...).
    allow: rule names never counted as failures (a warning you accept for
    this assignment, say); a misspelt name is a ValueError, not a silent
    pass. A file that could not be checked at all (syntax error, timeout,
    protocol mismatch, malformed notebook) always fails: nothing was verified.
    fix: verify the proposed fixes, so the message can show a tested patch
    (slower on a buggy file).
    """
    from .api import check_file
    from .render.terminal import to_text

    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    allowed = _rule_names(allow)
    report = check_file(path, timeout=timeout, seed=seed, fix=fix)
    counted = ("error", "warning") if fail_on == "warning" else ("error",)
    failing = [f for f in report.findings if f.severity in counted and f.rule not in allowed]
    if report.status == "error" or failing:
        raise AssertionError(_headline(report, failing, allowed) + "\n\n" + to_text(report, width))
    return report


def _headline(report: Report, failing: list[Finding], allowed: set[str]) -> str:
    if report.status == "error":
        what = "could not be checked: " + ", ".join(f.rule for f in report.findings)
    else:
        what = "fails the backprop check: " + "; ".join(_where(f) for f in failing)
    accepted = sorted({f.rule for f in report.findings if f.rule in allowed})
    return f"{report.file} {what}" + (f" (allowed: {', '.join(accepted)})" if accepted else "")


def _where(f: Finding) -> str:
    place = ""
    if f.layers:
        place = f" (layer{'s' if len(f.layers) > 1 else ''} {', '.join(map(str, f.layers))})"
    if f.line:
        place += f" at cell {f.cell}, line {f.line}" if f.cell else f" at line {f.line}"
    return f.rule + place


def _rule_names(names: Iterable[str]) -> set[str]:
    """The allowed rules, each checked against the catalogue (a typo must not pass a submission silently)."""
    from difflib import get_close_matches

    from .rules import catalogue

    if isinstance(names, str):
        names = [names]
    known = catalogue()
    for name in names:
        if name not in known:
            close = get_close_matches(name, list(known), n=2)
            raise ValueError(f"allow: no rule named {name!r}" + (f"; did you mean {' or '.join(close)}?" if close else
                                                                  "; `backpropdoctor rules` lists them"))
    return set(names)
