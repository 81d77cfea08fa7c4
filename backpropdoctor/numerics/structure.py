"""Recover the layer stack from parameter shapes alone.

Findings count layers from the input. The user's names are never read:
a weight matrix is a 2-D tensor with both sides > 1, a bias is a tensor
whose size equals one side of the weight it follows. Where the chain of
shapes from the input width can be followed, it decides the order;
otherwise the order in which the parameters were defined does.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Layer:
    index: int  # 1-based, counted from the input
    weight: str | None
    biases: list[str] = field(default_factory=list)
    fan_in: int | None = None
    fan_out: int | None = None
    folded: bool = False  # the bias is the weight's first input row (inputs get a column of ones)
    out_in: bool | None = None  # stored as (outputs, inputs), when the chain of widths says so

    @property
    def names(self) -> list[str]:
        return ([self.weight] if self.weight else []) + self.biases


def batch_and_width(x_shape, param_shapes) -> tuple[int | None, int | None]:
    """Batch size and input width, read from X's shape: the side a weight shares is the input width."""
    shape = list(x_shape or [])
    if len(shape) != 2:
        return (shape[0] if shape else None), None
    widths = {d for s in param_shapes if len(s) == 2 for d in s}
    rows, cols = shape
    if cols in widths and rows not in widths:
        return rows, cols
    if rows in widths and cols not in widths:
        return cols, rows
    return rows, cols


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def infer_layers(shapes: dict[str, tuple[int, ...]], input_width: int | None = None) -> list[Layer]:
    """Group parameters into dense layers, ordered from the input."""
    chain = _chain(shapes, input_width) if input_width else None
    if chain is None:
        chain = _by_definition_order(shapes)
    used = {lay.weight for lay in chain}
    names = list(shapes)
    loose: list[str] = []
    for name in names:
        if name in used:
            continue
        size = _size(shapes[name])
        owners = [lay for lay in chain if lay.fan_out == size] or [
            lay for lay in chain if lay.fan_out is None and size in shapes[lay.weight]]
        if not owners:
            loose.append(name)
            continue
        # Of several layers this wide, the bias belongs to the one defined just before it.
        before = [lay for lay in owners if names.index(lay.weight) < names.index(name)]
        (before[-1] if before else owners[0]).biases.append(name)
    layers = chain + [Layer(index=0, weight=None, biases=[name]) for name in loose]
    for i, layer in enumerate(layers, start=1):
        layer.index = i
    return layers


def _chain(shapes: dict[str, tuple[int, ...]], input_width: int) -> list[Layer] | None:
    """Follow widths from the input through 2-D tensors, one orientation for all of them.

    Samples in rows give weights shaped (in, out); samples in columns (out, in).
    Holding the orientation fixed tells a (6, 1) weight from a (6, 1) bias.
    A weight one wider than its input holds its bias in its first row or
    column, as in courses that prepend a column of ones (Theta1 of shape
    (hidden, inputs + 1)).
    """
    two_d = [n for n, s in shapes.items() if len(s) == 2]
    for may_fold, in_axis in ((False, 0), (False, 1), (True, 0), (True, 1)):  # plain readings first
        chain, width, pool = [], input_width, list(two_d)
        while width > 1:  # a single unit feeding another layer is rarer than a (1, n) bias
            candidates = [n for n in pool if shapes[n][in_axis] == width]
            folded = may_fold and not candidates
            if folded:
                candidates = [n for n in pool if shapes[n][in_axis] == width + 1]
            if not candidates:
                break
            nxt = next((n for n in candidates if min(shapes[n]) > 1), candidates[0])
            fan_out = shapes[nxt][1 - in_axis]
            chain.append(Layer(index=0, weight=nxt, fan_in=width, fan_out=fan_out, folded=folded,
                               out_in=in_axis == 1))
            pool.remove(nxt)
            width = fan_out
        rest_are_biases = all(min(shapes[n]) == 1 for n in pool)
        if chain and rest_are_biases and not any(len(s) > 2 for s in shapes.values()):
            return chain
    return None


def _by_definition_order(shapes: dict[str, tuple[int, ...]]) -> list[Layer]:
    """No usable input width: every tensor with two sides > 1 is a weight, in the order defined."""
    return [Layer(index=0, weight=n) for n, s in shapes.items() if len(s) > 2 or (len(s) == 2 and min(s) > 1)]


def layer_of(layers: list[Layer], name: str) -> int | None:
    for layer in layers:
        if name in layer.names:
            return layer.index
    return None
