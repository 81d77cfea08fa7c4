"""The one call everything else builds on: check a file, get a Report."""

from __future__ import annotations

from pathlib import Path

from .diagnose import MalformedMeasurement, diagnose, from_error
from .report import Report
from .sandbox import run_in_child


def check_file(path: str | Path, timeout: float = 60.0, seed: int = 0) -> Report:
    """Run the user's file in a child process and judge what it measured."""
    file = str(path)
    result = run_in_child(file, timeout=timeout, seed=seed)
    elapsed, output = result.get("elapsed"), result.get("stdout", "")
    if not result.get("ok"):
        return from_error(file, result.get("error") or {}, elapsed, output)
    try:
        return diagnose(file, result["measurement"], elapsed, output)
    except (MalformedMeasurement, KeyError) as exc:
        return from_error(file, {"kind": "internal-error", "message": f"the child's result was malformed ({exc})",
                                 "file": file}, elapsed, output)
