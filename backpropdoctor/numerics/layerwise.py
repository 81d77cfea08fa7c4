"""The maths of checking one layer alone: a scalar made from its output.

A layer's backward maps an upstream gradient `dout` to the gradients of its
input and parameters. Those are exactly the gradients of the scalar
sum(forward(...) * dout), so finite differences of that scalar check the
backward of one layer with no loss and no network around it. A random
`dout` (rather than ones) makes a transposed or mixed-up axis visible.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

BATCH, WIDTH, OUT = 4, 5, 3  # small and all different, so a swapped axis cannot go unnoticed


def upstream(output: Any, rng: np.random.Generator) -> np.ndarray | float:
    """A random upstream gradient shaped like the layer's output (a scalar output gets 1)."""
    out = np.asarray(output, dtype=np.float64)
    if out.ndim == 0:
        return 1.0
    return rng.standard_normal(out.shape)


def weighted_output(output: Any, dout: np.ndarray | float) -> float:
    """sum(output * dout): the scalar whose gradient a backward pass with `dout` computes."""
    out = np.asarray(output, dtype=np.float64)
    if np.ndim(dout) and out.shape != np.shape(dout):
        raise ValueError(f"the forward output changed shape from {np.shape(dout)} to {out.shape}")
    return float(np.sum(out * dout))


def argument_shapes(n_arrays: int, batch: int = BATCH, width: int = WIDTH, out: int = OUT
                    ) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Plausible shapes for (x, *params) of a layer function, most common reading first.

    x is (batch, width); after it, a weight (width, out) and biases (out,)
    as in an affine layer, else per-feature vectors (width,) as in batch
    normalisation, else a weight alone; last, samples in columns with a
    weight (out, width) and column biases (out, 1).
    """
    x, x_columns = (batch, width), (width, batch)
    rest = n_arrays - 1
    if rest == 0:
        yield (x,)
        return
    yield (x, (width, out)) + ((out,),) * (rest - 1)
    yield (x,) + ((width,),) * rest
    yield (x, (width, out)) + ((width,),) * (rest - 1)
    yield (x_columns, (out, width)) + ((out, 1),) * (rest - 1)  # samples in columns: W @ A + b


JITTER = 0.05


def jittered(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A layer's recorded input, moved off exact kinks (a ReLU input of exactly 0) by a small random amount.

    All-positive inputs (probabilities, squared values) are scaled, so they
    stay positive; others get noise relative to their spread.
    """
    x = np.asarray(x, dtype=np.float64)
    noise = rng.standard_normal(x.shape)
    if x.size and np.all(x > 0):
        return x * (1.0 + JITTER * np.tanh(noise))
    scale = max(float(np.std(x)), 0.1) if x.size else 1.0
    return x + JITTER * scale * noise
