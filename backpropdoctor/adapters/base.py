"""What every adapter produces: a `LoadedModel` with plain callables.

An adapter turns a user's file into closures over their live arrays:
`loss()`, `gradients()`, and optionally `train_step(lr)` and
`update(grads, lr)`. Everything the user's code can do wrong while being
called (raise, return the wrong type, return NaN) becomes a `UserCodeError`
that names the user's own file and line.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np


class UserCodeError(Exception):
    """The user's file could not be checked; `kind` is a catalogue rule name."""

    def __init__(self, kind: str, message: str, file: str | None = None, line: int | None = None,
                 detail: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.kind, self.message, self.file, self.line = kind, message, file, line
        self.detail, self.hint = detail, hint

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "file": self.file, "line": self.line,
                "detail": self.detail, "hint": self.hint}


def locate(exc: BaseException, user_file: str) -> tuple[int | None, str | None]:
    """The deepest line of the user's file in an exception's traceback."""
    target = str(Path(user_file).resolve())
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if str(Path(frame.filename).resolve()) == target:
            line = frame.lineno
    if line is None:
        return None, None
    return line, linecache.getline(target, line).strip() or None


def call_user(what: str, user_file: str, fn: Callable, *args: Any) -> Any:
    """Call into the user's code, turning anything it raises into a UserCodeError."""
    try:
        return fn(*args)
    except UserCodeError:
        raise
    except RecursionError as exc:
        line, _ = locate(exc, user_file)
        raise UserCodeError("user-exception", f"{what} recursed without end (RecursionError)", user_file, line) from None
    except SystemExit as exc:
        raise UserCodeError("user-exception", f"{what} called sys.exit({exc.code!r})", user_file,
                            locate(exc, user_file)[0],
                            hint="Move the exit into `if __name__ == \"__main__\":`.") from None
    except BaseException as exc:  # noqa: BLE001 - any failure in user code is a finding
        line, source = locate(exc, user_file)
        message = f"{what} raised {type(exc).__name__}: {exc}"
        raise UserCodeError("user-exception", message, user_file, line, detail=source) from None


def as_loss_value(value: Any, what: str, user_file: str) -> float:
    """A loss must be one real number."""
    if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.size != 1):
        shape = f"array of shape {value.shape}" if isinstance(value, np.ndarray) else f"{type(value).__name__} of length {len(value)}"
        raise UserCodeError("bad-return-type", f"{what} returned {'an' if shape.startswith('array') else 'a'} {shape}; it must return one number (the loss)",
                            user_file, hint="Reduce the per-sample losses, e.g. `return np.mean(per_sample)`.")
    try:
        number = float(np.asarray(value).reshape(()))
    except (TypeError, ValueError):
        raise UserCodeError("bad-return-type", f"{what} returned {type(value).__name__}; it must return a float",
                            user_file) from None
    if not np.isfinite(number):
        raise UserCodeError("non-finite", f"{what} returned {number} at the initial parameters", user_file,
                            hint="Look for exp() of large values, log(0) or a division by zero in the forward pass.")
    return number


def as_pair(value: Any, what: str, user_file: str) -> tuple[Any, Any]:
    """A (loss, grads) pair, as loss_and_grads and model.loss return."""
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise UserCodeError("bad-return-type",
                            f"{what} returned {type(value).__name__}; it must return (loss, grads)", user_file)
    return value[0], value[1]


def loss_dtype(value: Any) -> np.dtype:
    return np.asarray(value).dtype if isinstance(value, (np.ndarray, np.generic)) else np.dtype(np.float64)


@dataclass
class LoadedModel:
    """A user's network, reduced to what the gradient check needs."""

    adapter: str
    file: str
    params: dict[str, np.ndarray]
    X: Any
    y: Any
    loss: Callable[[], Any]
    gradients: Callable[[], Any] | None = None
    train_step: Callable[[float], None] | None = None
    update: Callable[[Mapping[str, np.ndarray], float], None] | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # role -> what in the user's file plays it
    traceable: bool = True  # its gradient code is Python in `file`, so lines can be traced and fixes spliced
    close: Callable[[], None] | None = None  # ends whatever the adapter started (the exec adapter's program)
    notes: list[str] = field(default_factory=list)  # what the adapter guessed or made up (a synthesised batch...)
    units: list["LayerUnit"] = field(default_factory=list)  # layers whose backward is checked on its own


@dataclass
class LayerUnit:
    """One layer's forward and backward, checked alone with a random upstream gradient.

    `inputs` are live arrays (the layer's input and its parameters) that the
    check perturbs in place; `forward()` computes the output from them and
    `backward(dout)` returns the analytic gradient of sum(output * dout) for
    every key of `inputs`.
    """

    name: str  # how the report names the layer: "affine_forward/affine_backward", "layers[2] (Dense)"
    file: str
    line: int | None  # where the backward is defined
    inputs: dict[str, np.ndarray]
    forward: Callable[[], Any]
    backward: Callable[[np.ndarray], dict[str, Any]]
    mapping: dict[str, str] = field(default_factory=dict)  # input -> where its gradient was read
    kind: str | None = None  # what the layer is, for messages: "Activation_ReLU.backward"


def validate_params(params: Any, where: str, user_file: str) -> dict[str, np.ndarray]:
    """Parameters must be a dict of float ndarrays (perturbed in place)."""
    if not isinstance(params, Mapping) or not params:
        raise UserCodeError("protocol-mismatch", f"{where} is {type(params).__name__}, not a non-empty dict of arrays",
                            user_file, hint="params = {\"W1\": np.random.randn(4, 8) * 0.5, \"b1\": np.zeros(8), ...}")
    for name, value in params.items():
        if not isinstance(value, np.ndarray):
            raise UserCodeError("protocol-mismatch",
                                f"{where}[{name!r}] is {type(value).__name__}; every parameter must be a numpy array",
                                user_file, hint=f"Wrap it: params[{name!r}] = np.asarray(..., dtype=float)")
        if not np.issubdtype(value.dtype, np.floating):
            raise UserCodeError("protocol-mismatch",
                                f"{where}[{name!r}] has dtype {value.dtype}; parameters must be float arrays "
                                "(an integer array cannot take a small step)", user_file,
                                hint="Create it as float: np.zeros(..., dtype=float)")
        if not value.flags.writeable:
            raise UserCodeError("protocol-mismatch", f"{where}[{name!r}] is read-only; it must be writable", user_file)
        if not np.all(np.isfinite(value)):
            raise UserCodeError("non-finite", f"{where}[{name!r}] already holds NaN or inf before any step", user_file)
    return dict(params)


def result_line(fn: Callable) -> int | None:
    """The line of fn's only return statement (where a short gradient function computes its value), else its def."""
    first = getattr(getattr(fn, "__code__", None), "co_firstlineno", None)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return first
    returns = [n for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value is not None]
    return first + returns[0].lineno - 1 if first is not None and len(returns) == 1 else first
