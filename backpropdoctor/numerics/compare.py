"""Compare analytic and numeric derivatives of one parameter tensor.

Input: the probes taken on a sample of coordinates and along a few random
directions. Output: the figures a person reads (relative error, cosine,
norm ratio, worst elements) and a pass/fail verdict. Kinked probes are
counted but never judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .finite_diff import Precision, Probe


@dataclass
class Comparison:
    """How one parameter's analytic gradient relates to finite differences."""

    indices: np.ndarray  # flat indices of the coordinates probed (kinks removed)
    analytic: np.ndarray  # coordinates first, then random directions
    numeric: np.ndarray
    values: np.ndarray  # the parameter along the same coordinates and directions
    errors: np.ndarray
    kinks: int
    rel_error: float
    cosine: float
    norm_ratio: float
    passed: bool
    worst: list[dict] = field(default_factory=list)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 1.0 if na == nb else 0.0
    return float(np.dot(a, b) / (na * nb))


def norm_ratio(a: np.ndarray, b: np.ndarray) -> float:
    """||analytic|| / ||numeric||; inf when only the analytic side is non-zero."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if nb == 0.0:
        return 1.0 if na == 0.0 else float("inf")
    return na / nb


def compare(
    shape: tuple[int, ...],
    indices: np.ndarray,
    coordinate_probes: list[Probe],
    direction_probes: list[Probe],
    values: np.ndarray,
    base_loss: float,
    precision: Precision,
    worst_count: int = 3,
) -> Comparison:
    """Judge one tensor: it passes when every non-kinked probe agrees.

    `values` holds the parameter at each coordinate, then its projection on
    each direction, so that linear signatures (a = c*n, a - n = lambda*p)
    can be fitted on coordinates and directions alike.
    """
    n_coords = len(coordinate_probes)
    all_probes = list(coordinate_probes) + list(direction_probes)
    keep = [i for i, p in enumerate(all_probes) if not p.kink]
    kept_coords = [i for i in keep if i < n_coords]
    kept_indices = np.asarray(indices, dtype=np.int64)[kept_coords] if kept_coords else np.zeros(0, dtype=np.int64)
    analytic = np.array([all_probes[i].analytic for i in keep], dtype=np.float64)
    numeric = np.array([all_probes[i].numeric for i in keep], dtype=np.float64)
    kept_values = np.asarray(values, dtype=np.float64)[keep] if keep else np.zeros(0)
    errors = np.array(
        [precision.error(all_probes[i].analytic, all_probes[i].numeric, base_loss, all_probes[i].step) for i in keep]
    )
    kinks = sum(1 for p in coordinate_probes if p.kink)
    rel = float(errors.max()) if errors.size else 0.0
    passed = rel <= precision.rel_tol
    coord_errors = errors[: len(kept_coords)]
    order = np.argsort(-coord_errors)[:worst_count] if coord_errors.size else []
    worst = [
        {
            "index": [int(v) for v in np.unravel_index(int(kept_indices[k]), shape)],
            "analytic": float(analytic[k]),
            "numeric": float(numeric[k]),
            "rel_error": float(errors[k]),
        }
        for k in order
        if coord_errors[k] > precision.rel_tol
    ]
    return Comparison(
        indices=kept_indices,
        analytic=analytic,
        numeric=numeric,
        values=kept_values,
        errors=errors,
        kinks=kinks,
        rel_error=rel,
        cosine=cosine(analytic, numeric),
        norm_ratio=norm_ratio(analytic, numeric),
        passed=passed,
        worst=worst,
    )
