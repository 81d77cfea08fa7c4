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

    @property
    def names(self) -> list[str]:
        return ([self.weight] if self.weight else []) + self.biases


def _is_matrix(shape: tuple[int, ...]) -> bool:
    return len(shape) == 2 and min(shape) > 1


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def infer_layers(shapes: dict[str, tuple[int, ...]], input_width: int | None = None) -> list[Layer]:
    """Group parameters into dense layers, ordered from the input."""
    layers: list[Layer] = []
    loose: list[str] = []
    for name, shape in shapes.items():
        if _is_matrix(shape) or len(shape) > 2:
            layers.append(Layer(index=0, weight=name))
            continue
        size = _size(shape)
        owner = next((lay for lay in reversed(layers) if size in shapes[lay.weight]), None)
        if owner is not None and layers and owner is layers[-1]:
            owner.biases.append(name)
        elif owner is not None:
            owner.biases.append(name)
        else:
            loose.append(name)
    _orient(layers, shapes, input_width)
    for name in loose:
        layers.append(Layer(index=0, weight=None, biases=[name]))
    for i, layer in enumerate(layers, start=1):
        layer.index = i
    return layers


def _orient(layers: list[Layer], shapes: dict[str, tuple[int, ...]], input_width: int | None) -> None:
    """Order weights by chaining widths from the input, and set fan-in/fan-out."""
    if not layers or any(len(shapes[lay.weight]) != 2 for lay in layers):
        return
    if input_width is not None:
        chain, width, pool = [], input_width, list(layers)
        while pool:
            nxt = next((lay for lay in pool if width in shapes[lay.weight]), None)
            if nxt is None:
                break
            rows, cols = shapes[nxt.weight]
            fan_out = cols if rows == width else rows
            nxt.fan_in, nxt.fan_out = width, fan_out
            chain.append(nxt)
            pool.remove(nxt)
            width = fan_out
        if not pool:
            layers[:] = chain
            return
        for lay in layers:
            lay.fan_in = lay.fan_out = None
    # No usable input width: trust definition order and guess orientation from neighbours.
    for i, lay in enumerate(layers):
        rows, cols = shapes[lay.weight]
        if i + 1 < len(layers):
            nrows, ncols = shapes[layers[i + 1].weight]
            if cols in (nrows, ncols) and rows not in (nrows, ncols):
                lay.fan_in, lay.fan_out = rows, cols
            elif rows in (nrows, ncols):
                lay.fan_in, lay.fan_out = cols, rows


def layer_of(layers: list[Layer], name: str) -> int | None:
    for layer in layers:
        if name in layer.names:
            return layer.index
    return None
