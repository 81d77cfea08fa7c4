"""The rule catalogue: one module per rule, found by walking this package.

`catalogue()` lists every rule (its docs are what `backpropdoctor rules`
and `backpropdoctor explain` show). Detectors run in `DETECTION_ORDER`:
specific signatures first, each claiming the parameters it explains, and
`gradient-mismatch` last for whatever nobody explained.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .base import CATEGORIES, Context, Rule

DETECTION_ORDER = (
    "transposed-gradient",
    "missing-gradient",
    "update-ascends",
    "softmax-jacobian",
    "activation-derivative-wrong-tensor",
    "missing-activation-derivative",
    "bias-gradient",
    "wrong-reduction",
    "flipped-sign",
    "scaled-gradient",
    "regularization-gradient",
    "shape-mismatch",
    "nondeterministic-loss",
    "params-mutated",
    "gradient-mismatch",
    # health: warnings that never claim a parameter; the training rules read the verdicts above
    "softmax-overflow",
    "unnormalized-inputs",
    "non-centered-init",
    "symmetric-init",
    "saturating-init",
    "dead-relu",
    "loss-at-init",
    "mse-for-multiclass",
    "loss-increasing",
    "learning-rate",
    "class-collapse",
)

__all__ = ["CATEGORIES", "Context", "Rule", "catalogue", "detectors", "get", "is_input_rule", "is_reserved"]


@cache
def catalogue() -> dict[str, Rule]:
    """Every rule, by name, in category order then name order."""
    rules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if isinstance(rule, Rule):
            rules.append(rule)
    order = list(CATEGORIES)
    rules.sort(key=lambda r: (order.index(r.category), r.name))
    return {r.name: r for r in rules}


def is_reserved(rule: Rule) -> bool:
    """A catalogue entry whose detector a later stage will bring (input rules come from the loader)."""
    return rule.detect is None and rule.category in ("diagnosis", "health")


def is_input_rule(rule: Rule) -> bool:
    """A rule that means the file could not be checked at all (it can be neither ignored nor softened)."""
    return rule.category == "input"


def get(name: str) -> Rule | None:
    return catalogue().get(name)


def detectors() -> list[Rule]:
    """Rules with a detector, in the order they must run."""
    rules = catalogue()
    ordered = [rules[n] for n in DETECTION_ORDER if n in rules and rules[n].detect]
    rest = [r for r in rules.values() if r.detect and r.name not in DETECTION_ORDER]
    return ordered[:-1] + rest + ordered[-1:] if ordered and ordered[-1].name == "gradient-mismatch" else ordered + rest
