"""The batch is reduced at the wrong point of the chain rule.

## What it means
Each sample contributes its own product of input and error, and the sum over
the batch comes last: `dW = X.T @ dZ`, that is the sum over samples n of
`outer(x_n, dz_n)`. This rule fires when the gradient
matches a version where the batch was summed too early: the output error
summed over samples before it is multiplied by per-sample factors (the
activation derivative, the layer's inputs), a hidden layer's incoming
gradient summed before the activation derivative, or dW built as the sum of
inputs times the sum of errors. A telltale sign: such a gradient agrees with finite differences on a
batch of one sample and disagrees on larger batches.

## Why it breaks training
Summing first mixes the samples: the update becomes (sum of inputs) times (sum
of errors) instead of the sum of each input times its own error. Errors of
opposite sign cancel before they reach the weights, so the network can only
learn the average target: the loss stalls near the value of a constant
prediction and every input gets the same answer, often a single class.

## How it looks in code
```python
# H: (N, 128) hidden activations, P: (N, 10) sigmoid outputs, Y: (N, 10) one-hot
err = (P - Y).sum(axis=0, keepdims=True)   # WRONG: batch summed before the chain rule
dZ2 = err * P * (1 - P)
dW2 = H.T @ dZ2
db2 = dZ2.sum(axis=0)
```

## The fix
```python
# H: (N, 128) hidden activations, P: (N, 10) sigmoid outputs, Y: (N, 10) one-hot
err = P - Y                                # one row per sample
dZ2 = err * P * (1 - P)
dW2 = H.T @ dZ2                            # the sum over samples happens here
db2 = dZ2.sum(axis=0)
```
Keep the batch axis until the final product with the layer's inputs; only
bias gradients are summed directly.
"""

import numpy as np

from ..numerics.backward import Step, Variant
from ..repair import Edit, Site, reduction_operand
from .base import Rule, explained_bugs, locate_choice


def _reduced_before_chain(step: Step) -> list[np.ndarray]:
    g = step.upstream
    if step.is_output and step.ref.head == "softmax-ce":
        d = step.ref.output_delta(step.fwd)
        return [np.broadcast_to(d.sum(axis=0), d.shape).copy()]
    if g is None:
        return []
    summed = np.broadcast_to(g.sum(axis=0), g.shape)
    factor = step.derivative_of(step.z)
    return [summed * (1.0 if factor is None else factor)]


def _summed_upstream(step: Step) -> list[np.ndarray]:
    """The batch total itself: the line that takes the sum is the line to fix."""
    g = step.upstream
    if step.is_output and step.ref.head == "softmax-ce":
        g = step.ref.output_delta(step.fwd)
    return [] if g is None else [np.broadcast_to(g.sum(axis=0), g.shape).copy()]


def _outer_of_sums(step: Step) -> list[np.ndarray]:
    return [np.outer(step.prev.sum(axis=0), step.delta.sum(axis=0))]


def repairs(ctx, finding, site: Site) -> list[Edit]:
    """Keep the per-sample values: drop the sum over the batch."""
    return site.rewrites("keep one value per sample (drop the sum over the batch)",
                         lambda n: reduction_operand(n) is not None, reduction_operand)


VARIANTS = (
    Variant("wrong-reduction", "output", "reduced-before-chain",
            "sums the output error over the batch before the chain rule, so every sample gets the batch total",
            "Keep one row (or column) per sample through the chain rule; sum over the batch only in the "
            "weight and bias gradients (dW = X.T @ delta).", _reduced_before_chain, _summed_upstream),
    Variant("wrong-reduction", "derivative", "reduced-before-chain",
            "sums the incoming gradient over the batch before multiplying by the activation derivative",
            "Multiply per sample (upstream * f_prime(z), both of shape batch x units), then reduce in dW.",
            _reduced_before_chain, _summed_upstream),
    Variant("wrong-reduction", "weight", "outer-of-sums",
            "reduces the batch before the outer product (sum of inputs times sum of errors)",
            "Take the outer product per sample and sum those: dW = X.T @ delta.", _outer_of_sums),
)


RULE = Rule(
    name="wrong-reduction",
    severity="error",
    category="diagnosis",
    summary="Batch summed or averaged before the chain rule, or over the wrong axis.",
    doc=__doc__,
    detect=lambda ctx: explained_bugs(ctx, RULE),
    variants=VARIANTS,
    locate=locate_choice,
    repairs=repairs,
)
