"""Linear relations between an analytic and a numeric gradient.

A wrong gradient is rarely random: a flipped sign is a = -n, a forgotten
1/N is a = N*n, a stray L2 term is a - n = lambda*p, a transposed matrix
is a[i, j] = n[j, i]. Each fit below returns the coefficient and how well
it explains the data (a relative residual: 0 is a perfect fit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIT_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Fit:
    coefficient: float
    residual: float

    def fits(self, tolerance: float = FIT_TOLERANCE) -> bool:
        """The relation explains the data to within `tolerance` (relative residual)."""
        return self.residual <= tolerance


def _norm(v: np.ndarray) -> float:
    return float(np.linalg.norm(v))


def scale_fit(analytic: np.ndarray, numeric: np.ndarray) -> Fit:
    """Least-squares c in analytic = c * numeric."""
    nn = float(np.dot(numeric, numeric))
    if nn == 0.0:
        return Fit(0.0, 1.0 if _norm(analytic) > 0 else 0.0)
    c = float(np.dot(analytic, numeric)) / nn
    scale = max(_norm(analytic), abs(c) * _norm(numeric), 1e-300)
    return Fit(c, _norm(analytic - c * numeric) / scale)


def regularization_fit(analytic: np.ndarray, numeric: np.ndarray, values: np.ndarray) -> Fit:
    """Least-squares lambda in analytic - numeric = lambda * param."""
    diff = analytic - numeric
    pp = float(np.dot(values, values))
    if pp == 0.0 or _norm(diff) == 0.0:
        return Fit(0.0, 1.0)
    lam = float(np.dot(diff, values)) / pp
    return Fit(lam, _norm(diff - lam * values) / _norm(diff))


def is_zero(analytic: np.ndarray, numeric: np.ndarray, floor: float) -> bool:
    """The analytic side is (all but) zero while the numeric side is not."""
    return _norm(numeric) > floor and _norm(analytic) <= 1e-12 * max(_norm(numeric), floor)


def named_scale(c: float, batch_size: int | None, fan_in: int | None = None) -> str | None:
    """A human name for a scale factor, when it is one of the usual suspects."""
    candidates: list[tuple[float, str]] = []
    if fan_in and fan_in > 2 and fan_in != batch_size:
        wrong_axis = "divided by the number of features instead of the number of samples"
        candidates += [(1.0 / fan_in, f"1/the layer's input width (1/{fan_in}): {wrong_axis}")]
        if batch_size:
            candidates += [(batch_size / fan_in, f"batch size / input width ({batch_size}/{fan_in}): {wrong_axis}")]
    candidates += [(2.0, "2"), (0.5, "1/2")]
    if batch_size and batch_size > 2:
        candidates += [(float(batch_size), f"the batch size ({batch_size})"),
                       (1.0 / batch_size, f"1/batch size (1/{batch_size})")]
    for value, name in candidates:
        if abs(c - value) <= 1e-3 * value:
            return name
    return None
