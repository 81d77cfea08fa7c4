"""The one call everything else builds on: check a file, get a Report."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .sandbox import Child, Sandbox

if TYPE_CHECKING:
    from .config import Config
    from .report import Report


def check_file(path: str | Path, timeout: float = 60.0, seed: int = 0, fix: bool = True,
               config: "Config | None" = None, adapter: str | None = None) -> "Report":
    """Run the user's file in a child process, judge what it measured, and verify proposed fixes.

    `config` brings a course's settings (rules, severities, tolerances,
    sandbox limits); `timeout`, `seed` and `fix` are given explicitly;
    `adapter` forces one adapter (by name) instead of the first whose
    shape the file fits.
    """
    started = time.monotonic()
    adapter = adapter or (config.adapter if config else None)
    sandbox = config.sandbox() if config else Sandbox()
    tolerance = dict(config.tolerance) if config else {}

    def run(file: str, home: str | None = None) -> "Report":
        return _check(file, timeout, seed, sandbox, tolerance, home, adapter=adapter)

    report = run(str(path))
    if config is not None:
        _apply_policy(report, config)
    if fix and any(f.candidates for f in report.findings):
        from .repair import verify

        try:
            verify(report.file, report.findings, run, lambda finding, repaired: _still_there(finding, repaired, report))
        except Exception:  # noqa: BLE001 - a fix we cannot verify is simply not verified
            for f in report.findings:
                f.verified, f.patch = False, None
    for f in report.findings:  # what only the parent needs; a Report crosses process boundaries in a batch
        f.origin, f.candidates = None, []
    report.elapsed = time.monotonic() - started
    return report


def _apply_policy(report: "Report", config: "Config") -> None:
    """The course's rule selection and severities, then the status they imply."""
    from .report import status_of

    if report.status == "error":
        return
    report.findings = [f for f in report.findings if config.enabled(f.rule)]
    for f in report.findings:
        f.severity = config.severity.get(f.rule, f.severity)
    report.status = status_of(report.findings)


def check_command(command: str, timeout: float = 60.0, seed: int = 0, cwd: str | None = None,
                  config: "Config | None" = None) -> "Report":
    """Check a program in any language that speaks the exec protocol (docs/exec-protocol.md) on stdin/stdout.

    The report's file is the command; there is no Python source, so no line is traced and no fix verified.
    """
    sandbox = config.sandbox() if config else Sandbox()
    report = _check(command, timeout, seed, sandbox, dict(config.tolerance) if config else {}, cwd or os.getcwd(),
                    exec_command=command)
    if config is not None:
        _apply_policy(report, config)
    if report.status != "error":
        trips = report.mapping.get("round_trips")
        no_batch = report.mapping.get("batch") == "not declared"
        report.notes.insert(0, f"Checked through the exec protocol ({trips or 'some'} round trips with the "
                               "program); with no Python source, findings name tensors and layers but no line."
                               + (" Declare `input` and `target` in the hello to let backpropdoctor identify the "
                                  "network and name more bugs." if no_batch else ""))
    return report


def _still_there(finding, repaired: "Report", original: "Report") -> bool:
    """The repaired copy still shows the finding, fails to load, or shows a rule the original did not."""
    if repaired.status == "error":
        return True
    before = {f.rule for f in original.findings}
    for f in repaired.findings:
        if f.rule not in before and f.severity == "error":
            return True
        if f.rule == finding.rule and (not finding.layers or set(f.layers) & set(finding.layers)):
            return True
    return False


def _check(file: str, timeout: float, seed: int, sandbox: Sandbox, tolerance: dict[str, float],
           home: str | None = None, exec_command: str | None = None, adapter: str | None = None) -> "Report":
    child = Child(file, timeout=timeout, seed=seed, search_dir=home, sandbox=sandbox, tolerance=tolerance,
                  exec_command=exec_command, adapter=adapter)
    # Import the judging side (numpy included) while the child starts up.
    from . import diagnose  # noqa: F401

    result = child.result()
    report = _judge(file, result)
    report.sandbox = result.get("sandbox") or {}
    from .cells import name_cells

    return name_cells(report)


def _judge(file: str, result: dict) -> "Report":
    from .diagnose import MalformedMeasurement, diagnose, from_error

    elapsed, output = result.get("elapsed"), result.get("stdout", "")
    if not result.get("ok"):
        return from_error(file, result.get("error") or {}, elapsed, output)
    try:
        return diagnose(file, result["measurement"], elapsed, output, result.get("arrays") or {})
    except (MalformedMeasurement, KeyError) as exc:
        return from_error(file, {"kind": "internal-error", "message": f"the child's result was malformed ({exc})",
                                 "file": file}, elapsed, output)
    except Exception:  # noqa: BLE001 - our own fault: a finding, never a traceback
        import traceback

        return from_error(file, {"kind": "internal-error", "file": file,
                                 "message": "backpropdoctor itself failed while judging this file; please report it "
                                            "with the file",
                                 "detail": traceback.format_exc()[-4000:]}, elapsed, output)
