"""The one call everything else builds on: check a file, get a Report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from .sandbox import Child

if TYPE_CHECKING:
    from .report import Report


def check_file(path: str | Path, timeout: float = 60.0, seed: int = 0, fix: bool = True,
               adapter: str | None = None) -> "Report":
    """Run the user's file in a child process, judge what it measured, and verify proposed fixes.

    `adapter` forces one adapter (by name) instead of the first whose shape the file fits.
    """
    started = time.monotonic()
    report = _check(str(path), timeout, seed, adapter=adapter)
    if fix and any(f.candidates for f in report.findings):
        from .repair import verify

        try:
            verify(report.file, report.findings, lambda copy, home: _check(copy, timeout, seed, home, adapter),
                   lambda finding, repaired: _still_there(finding, repaired, report))
        except Exception:  # noqa: BLE001 - a fix we cannot verify is simply not verified
            for f in report.findings:
                f.verified, f.patch = False, None
        report.elapsed = time.monotonic() - started
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


def _check(file: str, timeout: float, seed: int, search_dir: str | None = None,
           adapter: str | None = None) -> "Report":
    child = Child(file, timeout=timeout, seed=seed, search_dir=search_dir, adapter=adapter)
    # Import the judging side (numpy included) while the child starts up.
    from .diagnose import MalformedMeasurement, diagnose, from_error

    result = child.result()
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
