"""The exec protocol: a network in any language, driven over its stdin and stdout.

The user's program runs as a child of the sandbox process and answers
line commands (`params`, `batch`, `set`, `set1`, `loss`, `grads`, `quit`;
spec in docs/exec-protocol.md). `load` presents it as a `LoadedModel`
whose params are plain numpy arrays: the checker perturbs them in place as
it does for a Python file, and every loss()/gradients() call first sends
the program the values that changed since the last call. Everything the
program can do wrong (not start, print something else, die, hang, answer
`error`) becomes a `UserCodeError` that names the command and the line.
"""

from __future__ import annotations

import math
import os
import select
import shlex
import subprocess
import tempfile
import time
from typing import Any

import numpy as np

from .base import LoadedModel, UserCodeError, validate_params

NAME = "exec"
VERSION = 1
SPEC = "docs/exec-protocol.md"
SINGLE_SETS = 4  # up to this many changed elements are sent one by one (set1); more as one `set`
STDERR_CAP = 16_384
QUOTE = 160  # characters of an offending line quoted in a message
HINT_STDOUT = "Stdout is the protocol: print your own messages to stderr, and flush stdout after each reply."


def _protocol_error(message: str, command: str, hint: str | None = None) -> UserCodeError:
    return UserCodeError("exec-protocol", message, command, hint=hint or f"See {SPEC} for the exact format.")


def _quote(line: str) -> str:
    return repr(line if len(line) <= QUOTE else line[:QUOTE] + "...")


def _short(command: str) -> str:
    """A command as messages name it: `set W1 ...` rather than all its numbers."""
    words = command.split(" ", 2)
    return " ".join(words[:2]) + (" ..." if len(words) > 2 else "")


def _number(value: float) -> str:
    """Shortest text that reads back as the same float64 (nan/inf spelled as most parsers accept)."""
    return repr(value) if math.isfinite(value) else ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))


class Program:
    """The user's program behind pipes: one request, then its reply lines, each bounded by the deadline."""

    def __init__(self, command: str, cwd: str | None, deadline: float):
        self.command, self.deadline = command, deadline
        self.started = time.monotonic()
        self.round_trips = 0
        self._buffer = b""
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - open as long as the program runs
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise _protocol_error(f"cannot split the command line ({exc})", command) from None
        if not argv:
            raise _protocol_error("the command is empty", command)
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                         cwd=cwd, bufsize=0)
        except FileNotFoundError:
            raise _protocol_error(f"command not found: {argv[0]}", command,
                                  hint="Give a path to the built program (./target/release/net) or a command on "
                                       "PATH; it runs in the directory backpropdoctor was started from.") from None
        except PermissionError:
            raise _protocol_error(f"{argv[0]} is not executable", command, hint=f"chmod +x {argv[0]}") from None
        except OSError as exc:
            raise _protocol_error(f"{argv[0]} could not be started ({exc.strerror or exc})", command) from None
        os.set_blocking(self.proc.stdin.fileno(), False)

    def request(self, commands: list[tuple[str, int]]) -> list[list[str]]:
        """Send every command at once, then read each one's reply lines (one round trip).

        An `error MESSAGE` reply ends the check, naming the command it answered.
        """
        self.round_trips += 1
        self._write("".join(command + "\n" for command, _ in commands).encode(), _short(commands[0][0]))
        answers = []
        for command, count in commands:
            what, lines = _short(command), []
            for _ in range(count):
                line = self.read_line(what)
                if line == "error" or line.startswith("error "):
                    raise UserCodeError("user-exception", f"the program answered `{what}` with: {line}",
                                        self.command, detail=self.stderr_tail() or None)
                lines.append(line)
            answers.append(lines)
        return answers

    def read_line(self, what: str) -> str:
        """The next non-blank line, waiting no later than the deadline."""
        fd = self.proc.stdout.fileno()
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                raw, self._buffer = self._buffer[:newline], self._buffer[newline + 1:]
                line = raw.decode("utf-8", errors="replace").strip()
                if line:
                    return line
                continue
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise self._timeout(what)
            chunk = os.read(fd, 65536)
            if not chunk:
                raise self._exited(what)
            self._buffer += chunk

    def _write(self, data: bytes, what: str) -> None:
        fd = self.proc.stdin.fileno()
        view = memoryview(data)
        while view:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise self._timeout(what)
            try:
                view = view[os.write(fd, view):]
            except BrokenPipeError:
                raise self._exited(what) from None
            except BlockingIOError:
                continue

    def _timeout(self, what: str) -> UserCodeError:
        self.proc.kill()  # it is hung: nothing more to ask it
        waited = time.monotonic() - self.started
        return UserCodeError("timeout", f"the program did not answer `{what}` before the check's time ran out "
                             f"({waited:.1f} s after it started; see --timeout)", self.command,
                             detail=self.stderr_tail() or None,
                             hint="Flush stdout after every reply; a slow program needs a larger --timeout.")

    def _exited(self, what: str) -> UserCodeError:
        try:
            status = self.proc.wait(timeout=max(0.1, min(1.0, self.deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            status = None
        if status is not None and status < 0:
            how = f"was killed by signal {-status}"
        elif status is not None:
            how = f"exited with status {status}"
        else:
            how = "closed its stdout"
        return UserCodeError("crashed", f"the program {how} while answering `{what}`", self.command,
                             detail=self.stderr_tail() or None,
                             hint="Its stderr, above, usually says why. End of input is the only way the "
                                  "protocol ends the program early.")

    def stderr_tail(self) -> str:
        try:
            size = self._stderr.seek(0, os.SEEK_END)
            self._stderr.seek(max(0, size - STDERR_CAP))
            return self._stderr.read().decode("utf-8", errors="replace").strip()
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        """Ask the program to quit, then make sure it is gone; hand its stderr to our own output."""
        proc = self.proc
        try:
            if proc.poll() is None:
                try:
                    os.write(proc.stdin.fileno(), b"quit\n")
                except OSError:
                    pass
            proc.stdin.close()
            proc.wait(timeout=0.2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        tail = self.stderr_tail()
        if tail:
            print(tail, flush=True)
        self._stderr.close()


def _shape(tokens: list[str], line: str, command: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(t) for t in tokens)
    except ValueError:
        shape = ()
    if not shape or any(d <= 0 for d in shape):
        raise _protocol_error(f"bad declaration {_quote(line)}: the shape must be one or more positive integers",
                              command)
    return shape


def _hello(program: Program) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """Read the hello: parameter shapes in order, and the batch's shapes if declared."""
    first = program.read_line("the hello (first line)")
    words = first.split()
    if len(words) != 2 or words[0] != "backpropdoctor":
        raise _protocol_error(f"the program's first line should be `backpropdoctor {VERSION}`, got {_quote(first)}",
                              program.command, hint=HINT_STDOUT + f" See {SPEC}.")
    if words[1] != str(VERSION):
        raise _protocol_error(f"the program speaks protocol version {words[1]}; this backpropdoctor speaks "
                              f"version {VERSION}", program.command)
    params: dict[str, tuple[int, ...]] = {}
    batch: dict[str, tuple[int, ...]] = {}
    while True:
        line = program.read_line("the hello")
        words = line.split()
        if words == ["end"]:
            break
        if words[0] == "param" and len(words) >= 3:
            if words[1] in params:
                raise _protocol_error(f"parameter {words[1]} is declared twice", program.command)
            params[words[1]] = _shape(words[2:], line, program.command)
        elif words[0] in ("input", "target") and len(words) >= 2:
            batch[words[0]] = _shape(words[1:], line, program.command)
        else:
            raise _protocol_error(f"unexpected line in the hello: {_quote(line)}; expected `param NAME D1 [D2 ...]`, "
                                  "`input D1 D2`, `target D1 [D2]` or `end`", program.command, hint=HINT_STDOUT)
    if not params:
        raise _protocol_error("the hello declares no `param` line", program.command)
    if len(batch) == 1:
        raise _protocol_error("the hello declares only one of `input` and `target`; declare both or neither",
                              program.command)
    return params, batch


def _tensor(line: str, name: str, shape: tuple[int, ...], what: str, command: str) -> np.ndarray:
    """One reply line as an array of the declared shape."""
    tokens = line.split()
    try:
        values = np.array(tokens, dtype=np.float64)
    except ValueError:
        raise _protocol_error(f"the reply to `{what}` for {name} is not a line of numbers: {_quote(line)}",
                              command, hint=HINT_STDOUT) from None
    size = math.prod(shape)
    if values.size != size:
        raise _protocol_error(f"the reply to `{what}` for {name} has {values.size} numbers; {name} has shape "
                              f"{'x'.join(map(str, shape))}, so {size} were expected: {_quote(line)}", command,
                              hint="One line per tensor, all its values row-major, in the order of the param lines.")
    return values.reshape(shape)


class _Driver:
    """Keeps the program's parameters equal to ours: sends only what changed since the last call."""

    def __init__(self, program: Program, shapes: dict[str, tuple[int, ...]], params: dict[str, np.ndarray]):
        self.program, self.shapes, self.params = program, shapes, params
        self.sent = {name: np.array(arr, dtype=np.float64, copy=True) for name, arr in params.items()}

    def _updates(self) -> list[str]:
        lines = []
        for name, sent in self.sent.items():
            now = np.ascontiguousarray(self.params[name], dtype=np.float64).reshape(-1)
            changed = np.flatnonzero(now.view(np.uint64) != sent.reshape(-1).view(np.uint64))
            if changed.size == 0:
                continue
            if changed.size <= SINGLE_SETS:
                lines += [f"set1 {name} {i} {_number(float(now[i]))}" for i in changed]
            else:
                lines.append(f"set {name} " + " ".join(map(_number, now.tolist())))
            np.copyto(sent.reshape(-1), now)
        return lines

    def _ask(self, command: str, replies: int) -> list[str]:
        updates = self._updates()
        *acks, answer = self.program.request([(update, 1) for update in updates] + [(command, replies)])
        for (line,), update in zip(acks, updates):
            if line != "ok":
                raise _protocol_error(f"the reply to `{_short(update)}` should be `ok`, got {_quote(line)}",
                                      self.program.command, hint=HINT_STDOUT)
        return answer

    def loss(self) -> float:
        (line,) = self._ask("loss", 1)
        words = line.split()
        if len(words) == 1:
            try:
                return float(words[0])
            except ValueError:
                pass
        raise _protocol_error(f"the reply to `loss` should be one number, got {_quote(line)}",
                              self.program.command, hint=HINT_STDOUT)

    def gradients(self) -> dict[str, np.ndarray]:
        lines = self._ask("grads", len(self.shapes))
        return {name: _tensor(line, name, shape, "grads", self.program.command)
                for line, (name, shape) in zip(lines, self.shapes.items())}


def load(command: str, cwd: str | None = None, deadline: float | None = None) -> LoadedModel:
    """Start the program, read its hello, parameters and batch; the model's close() ends it."""
    program = Program(command, cwd, deadline if deadline is not None else time.monotonic() + 60.0)
    try:
        shapes, batch_shapes = _hello(program)
        (lines,) = program.request([("params", len(shapes))])
        params = {name: _tensor(line, name, shape, "params", command)
                  for line, (name, shape) in zip(lines, shapes.items())}
        params = validate_params(params, "the reply to `params`", command)
        X = y = None
        if batch_shapes:
            ((x_line, y_line),) = program.request([("batch", 2)])
            X = _tensor(x_line, "input", batch_shapes["input"], "batch", command)
            y = _tensor(y_line, "target", batch_shapes["target"], "batch", command)
    except BaseException:
        program.close()
        raise
    driver = _Driver(program, shapes, params)
    mapping = {"protocol": f"exec {VERSION} ({SPEC})", "command": command, "params": "the program's `params` reply",
               "loss": "`loss`", "gradients": "`grads`",
               "batch": "the program's `batch` reply" if batch_shapes else "not declared"}
    return LoadedModel(NAME, command, params, X, y, driver.loss, driver.gradients, mapping=mapping,
                       traceable=False, close=lambda: _close(program, mapping))


def _close(program: Program, mapping: dict[str, Any]) -> None:
    """End the program; the round trips land in the mapping, which the measurement (written after this) holds."""
    mapping["round_trips"] = str(program.round_trips)
    program.close()
