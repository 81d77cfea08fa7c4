"""The one call everything else builds on: check a file, get a Report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .sandbox import Child

if TYPE_CHECKING:
    from .report import Report


def check_file(path: str | Path, timeout: float = 60.0, seed: int = 0) -> "Report":
    """Run the user's file in a child process and judge what it measured."""
    file = str(path)
    child = Child(file, timeout=timeout, seed=seed)
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
