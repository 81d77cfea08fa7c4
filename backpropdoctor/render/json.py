"""JSON: the machine-readable report (stdout carries nothing else)."""

from __future__ import annotations

import json
import math
from typing import Any

from ..report import SCHEMA_VERSION, Report


def _clean(value: Any) -> Any:
    """Strict JSON has no NaN or Infinity: write them as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def render(report: Report) -> str:
    return json.dumps(_clean(report.to_dict()), indent=2)


def worst(statuses: list[str]) -> str:
    """The worst report status of a batch: error > fail > warn > pass."""
    order = ("pass", "warn", "fail", "error")
    return max(statuses, key=lambda s: order.index(s) if s in order else len(order), default="pass")


def render_many(reports: list[Report]) -> str:
    """A batch: the worst status on top, so CI reads one field, then every submission's report."""
    return json.dumps(_clean({"schema_version": SCHEMA_VERSION, "status": worst([r.status for r in reports]),
                              "reports": [r.to_dict() for r in reports]}), indent=2)
