"""The activation derivative is evaluated on the wrong tensor.

## What it means
The chain rule through `a = f(z)` needs `upstream * f'(z)`: the derivative
evaluated at the pre-activation `z`. This rule fires when a layer's gradient
instead matches `f'` evaluated on the wrong thing: a helper `s * (1 - s)` that
expects `s = sigmoid(z)` but is given `z`; `sigmoid(a) * (1 - sigmoid(a))`
given the output `a`; or `f'(upstream)` in place of `upstream * f'(z)`. For
sigmoid, `sigmoid(a) * (1 - sigmoid(a))` with `a` in (0, 1) always lies between
0.197 and 0.25, a near constant instead of the real `a * (1 - a)`. For ReLU,
`relu'(a)` equals `relu'(z)` (both are 1 exactly where `z > 0`), so that one
mix-up gives the right gradient and the check cannot see it.

## Why it breaks training
The earlier layers get a gradient of the wrong size for each unit, and with
`f'(upstream)` they lose the sign of the error altogether: sigmoid's derivative
is always positive, so every unit is pushed the same way whatever the mistake
was. The loss falls slowly, wanders, or goes up, and the hidden layer never
learns useful features.

## How it looks in code
```python
def dsigmoid(s):                    # expects s = sigmoid(z)
    return s * (1 - s)

z1 = X @ W1 + b1
h = sigmoid(z1)
dz1 = (dz2 @ W2.T) * dsigmoid(z1)   # WRONG: given the pre-activation z1, not h
```

## The fix
```python
def dsigmoid(s):                    # expects s = sigmoid(z)
    return s * (1 - s)

z1 = X @ W1 + b1
h = sigmoid(z1)
dz1 = (dz2 @ W2.T) * dsigmoid(h)    # s * (1 - s) with s = sigmoid(z1)
```
Name helpers by what they take (`dsigmoid_from_z`, `dsigmoid_from_output`), and
multiply by the upstream gradient rather than passing it in.
"""

import ast

import numpy as np

from ..lines import names_showing
from ..numerics.backward import Step, Variant
from ..repair import Edit, Site, expression
from .base import Rule, explained_bugs, locate_choice

_ELEMENTWISE = ("sigmoid", "tanh")  # where f'(a) and f'(z) differ (for ReLU they agree)


def _upstream_or_none(step: Step):
    usable = step.upstream is not None and (not step.is_output or step.activation == "sigmoid")
    return step.upstream if usable else None


def _on_activation(step: Step) -> list[np.ndarray]:
    g = _upstream_or_none(step)
    if g is None or step.activation not in _ELEMENTWISE:
        return []
    return [g * step.derivative_of(step.a)]


def _derivative_of_activation(step: Step) -> list[np.ndarray]:
    """f'(a) itself: the wrong factor, first computed where the derivative is taken (sp = sigmoid_prime(a))."""
    if _upstream_or_none(step) is None or step.activation not in _ELEMENTWISE:
        return []
    return [step.derivative_of(step.a)]


def _formula_on_preactivation(step: Step) -> list[np.ndarray]:
    """The output-form derivative (a * (1 - a), 1 - a**2) fed the pre-activation z."""
    g = _upstream_or_none(step)
    if g is None or step.activation not in _ELEMENTWISE:
        return []
    z = step.z
    return [g * (z * (1 - z) if step.activation == "sigmoid" else 1 - z ** 2)]


def _on_upstream(step: Step) -> list[np.ndarray]:
    """f'(upstream) in place of upstream * f'(z); the upstream may carry the loss's 1/N or not."""
    g = _upstream_or_none(step)
    if g is None or step.derivative_of(g) is None:
        return []
    # A user who leaves the loss's factor c (1/N) out of the upstream applies it later, in dW:
    # scaling back by c keeps every tensor's factor against the true gradient meaningful.
    c = step.ref.scale
    return [step.derivative_of(g), step.derivative_of(-g), c * step.derivative_of(g / c), c * step.derivative_of(-g / c)]


def _z_expressions(ctx, layer: int, fwd, line: int) -> list[str]:
    """Ways to write this layer's pre-activation with the user's own variables (those in scope at `line`)."""
    ref = ctx.reference
    found = names_showing(ctx.trace, fwd.z[layer], line)
    prevs = names_showing(ctx.trace, fwd.inputs if layer == 0 else fwd.a[layer - 1], line)
    weights = names_showing(ctx.trace, ref._w(ctx.values, layer), line)
    bias = ref.biases[layer]
    biases = names_showing(ctx.trace, np.asarray(ctx.values[bias]).reshape(1, -1), line) if bias else [""]
    for x in prevs[:2]:
        for w in weights[:2]:
            for b in biases[:2]:
                wt = f"{w}.T" if ref.weights_out_in == (ref.layout == "rows") else w
                product = f"np.dot({x}, {wt})" if ref.layout == "rows" else f"np.dot({wt}, {x})"
                found.append(product + (f" + {b}" if b else ""))
    return found


def _names(ctx, targets, line: int) -> set[str]:
    return {n for t in targets for n in names_showing(ctx.trace, t, line)}


def repairs(ctx, finding, site: Site) -> list[Edit]:
    choice, fwd = finding.origin, ctx.forward()
    if choice is None or fwd is None or ctx.explanation is None:
        return []
    layer, variant, line = choice.layer, finding.evidence.get("variant"), finding.line
    upstream = ctx.explanation.upstreams.get(layer)
    edits = []
    if variant == "on-upstream" and upstream is not None:
        ups = _names(ctx, [upstream, upstream / ctx.reference.scale], line)

        def on_upstream(n):
            return isinstance(n, ast.Call) and len(n.args) == 1 and ast.unparse(n.args[0]) in ups

        for z in _z_expressions(ctx, layer, fwd, line)[:3]:
            edits += site.rewrites(f"multiply the incoming gradient by the derivative at {z}", on_upstream,
                                   lambda n, z=z: ast.BinOp(left=n.args[0], op=ast.Mult(),
                                                            right=ast.Call(func=n.func, args=[expression(z)],
                                                                           keywords=[])))
    elif variant in ("on-activation", "formula-on-preactivation"):
        if variant == "on-activation":
            wrong, right = fwd.a[layer], _z_expressions(ctx, layer, fwd, line)
        else:
            wrong, right = fwd.z[layer], names_showing(ctx.trace, fwd.a[layer], line)
        bad = _names(ctx, [wrong], line)

        def is_wrong(n):
            return isinstance(n, (ast.Name, ast.Attribute, ast.Subscript)) and ast.unparse(n) in bad

        for name in right[:3]:
            edits += site.rewrites(f"evaluate the derivative on {name}", is_wrong, lambda n, r=name: expression(r))
    return edits


VARIANTS = (
    Variant("activation-derivative-wrong-tensor", "derivative", "on-activation",
            "evaluates the activation derivative on the activation a = f(z) instead of on the pre-activation z "
            "(f'(f(z)))",
            "Evaluate the derivative on z, or use its output form: for sigmoid a * (1 - a), for tanh 1 - a**2, "
            "where a is the activation.", _on_activation, _derivative_of_activation),
    Variant("activation-derivative-wrong-tensor", "derivative", "formula-on-preactivation",
            "uses the output form of the activation derivative (a * (1 - a), 1 - a**2) but feeds it the "
            "pre-activation z",
            "Feed that formula the activation a = f(z), not z (or use f'(z) written in terms of z).",
            _formula_on_preactivation),
    Variant("activation-derivative-wrong-tensor", "derivative", "on-upstream",
            "applies the activation derivative to the incoming gradient (f'(upstream)) instead of multiplying the "
            "incoming gradient by f'(z)",
            "Write delta = upstream * f_prime(z), with z the pre-activation saved in the forward pass.", _on_upstream),
    Variant("activation-derivative-wrong-tensor", "output", "on-activation",
            "evaluates the output sigmoid's derivative on its output instead of its input",
            "Use a * (1 - a) with a the sigmoid output, or sigmoid'(z) with z the logits.", _on_activation,
            _derivative_of_activation),
    Variant("activation-derivative-wrong-tensor", "output", "formula-on-preactivation",
            "uses a * (1 - a) for the output sigmoid's derivative but feeds it the logits z",
            "Feed a * (1 - a) the sigmoid output a, not the logits.", _formula_on_preactivation),
    Variant("activation-derivative-wrong-tensor", "output", "on-upstream",
            "applies the output activation's derivative to the loss gradient (f'(dL/da)) instead of multiplying "
            "dL/da by f'(z)",
            "Write delta = dL_da * sigmoid_prime(z) (for sigmoid + cross-entropy this is simply a - y).",
            _on_upstream),
)


RULE = Rule(
    name="activation-derivative-wrong-tensor",
    severity="error",
    category="diagnosis",
    summary="Activation derivative taken at the output or upstream grad, not at z.",
    doc=__doc__,
    detect=lambda ctx: explained_bugs(ctx, RULE),
    variants=VARIANTS,
    locate=locate_choice,
    repairs=repairs,
)
