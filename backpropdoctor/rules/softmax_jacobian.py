"""The softmax Jacobian is applied twice, or only its diagonal is used.

## What it means
With softmax outputs `p` and cross-entropy loss, the gradient with respect to
the logits is already `p - onehot` (divided by the batch size if the loss is a
mean): the softmax Jacobian is folded into that formula. This rule fires when
the output layer's gradient matches `p - onehot` multiplied by the Jacobian once
more (or by its diagonal `p * (1 - p)`), which scales each logit's gradient by a
factor of at most 0.25, the peak of `p * (1 - p)`. It also covers the opposite
case: a loss other than cross-entropy on softmax outputs, where the full
Jacobian `diag(p) - p p^T` is needed and only its diagonal `p * (1 - p)` was
applied, dropping the cross terms `-p_i * p_j`.

## Why it breaks training
The extra factor is small and differs from class to class, so the output layer
learns slowly and in a distorted direction: classes the network is already
confident about, right or wrong, get almost no gradient. Students see the loss
stall or creep up while accuracy is stuck, often with the network settling on
one class. Because the sign is usually still right, the model may half work,
which hides the bug for a long time.

## How it looks in code
```python
p = softmax(z2)                   # (N, C)
dz2 = (p - Y) / N                 # already dL/dz2 for softmax + cross-entropy
dz2 = dz2 * p * (1 - p)           # WRONG: softmax derivative applied a second time
dW2 = h.T @ dz2
db2 = dz2.sum(axis=0)
```

## The fix
```python
p = softmax(z2)                   # (N, C)
dz2 = (p - Y) / N                 # nothing more to apply
dW2 = h.T @ dz2
db2 = dz2.sum(axis=0)
```
If your loss is not cross-entropy (say squared error on `p`, with `dp` = dL/dp),
apply the full Jacobian per sample:
`dz2 = p * (dp - np.sum(dp * p, axis=1, keepdims=True))`.
"""

import numpy as np

from ..numerics.backward import Step, Variant
from ..repair import Edit, Site, product_operands
from ..numerics.reference import head_output
from .base import Rule, explained_bugs, locate_choice


def _jacobian_times(s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """J(s) v per sample, with J = diag(s) - s s^T."""
    return s * (v - np.sum(s * v, axis=1, keepdims=True))


def _again(step: Step) -> list[np.ndarray]:
    if not step.is_output or step.ref.head != "softmax-ce":
        return []
    return [_jacobian_times(step.a, step.ref.output_delta(step.fwd))]


def _diagonal_again(step: Step) -> list[np.ndarray]:
    if not step.is_output or step.ref.head != "softmax-ce":
        return []
    return [step.a * (1 - step.a) * step.ref.output_delta(step.fwd)]


def _diagonal_only(step: Step) -> list[np.ndarray]:
    if not step.is_output or step.ref.head != "softmax-mse" or step.upstream is None:
        return []
    s = head_output(step.ref.head, step.z)
    return [step.upstream * s * (1 - s)]


def repairs(ctx, finding, site: Site) -> list[Edit]:
    """Drop the extra product: keep one of its operands."""
    if finding.evidence.get("variant") == "diagonal-only":
        return []
    edits = []
    for keep in (0, 1):
        edits += site.rewrites("drop the extra softmax-derivative product", lambda n: len(product_operands(n)) == 2,
                               lambda n, k=keep: product_operands(n)[k])
    return edits


VARIANTS = (
    Variant("softmax-jacobian", "output", "jacobian-again",
            "multiplies the output error by the softmax Jacobian, but probs - targets is already the gradient "
            "with respect to the logits (the Jacobian is applied twice)",
            "Use dL/dz = probs - targets directly (divided by the batch size if the loss is a mean); "
            "drop the multiplication by the softmax Jacobian.", _again),
    Variant("softmax-jacobian", "output", "diagonal-again",
            "multiplies probs - targets by s * (1 - s), as if the softmax were a sigmoid; probs - targets is already "
            "the gradient with respect to the logits",
            "Use dL/dz = probs - targets directly; drop the s * (1 - s) factor.", _diagonal_again),
    Variant("softmax-jacobian", "output", "diagonal-only",
            "multiplies dL/dprobs by s * (1 - s) only, but a softmax mixes its outputs: the full Jacobian is needed",
            "Use dz = s * (dp - np.sum(dp * s, axis=1, keepdims=True)), or switch to softmax + cross-entropy "
            "where dz = probs - targets.", _diagonal_only),
)


RULE = Rule(
    name="softmax-jacobian",
    severity="error",
    category="diagnosis",
    summary="Softmax Jacobian applied on top of p - y, or only its diagonal used.",
    doc=__doc__,
    detect=lambda ctx: explained_bugs(ctx, RULE),
    variants=VARIANTS,
    locate=locate_choice,
    repairs=repairs,
)
