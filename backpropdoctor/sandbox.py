"""The child-process boundary: the only place user code is run.

The parent (`Child`) copies the submission into a temporary working
directory and starts `python -m backpropdoctor.sandbox` there, in its own
process group, with a scrubbed environment; the request (with a nonce) goes
over stdin, never argv. The child confines itself (`confine.py`: rlimits,
a network namespace, Landlock), caps the user's output, loads and measures
the file and writes a JSON result that must carry the nonce. The parent
enforces the wall-clock timeout (asking the child for a stack dump first,
so a hang can be pinned to a line), kills the whole process group, and
turns every way the child can die into a plain dict with an `error` of a
catalogue kind. Verdicts are never taken from the child: the parent
re-judges the raw numbers (`diagnose.py`).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .confine import Limits, confine_filesystem, isolate_network, scrubbed_env, set_limits, system_read_paths

OUTPUT_CAP = 16_384
DUMP_GRACE_SECONDS = 1.0
MEMORY_LIMIT_MB = 4096
COPY_FILE_BYTES = 1 << 20  # larger files are linked, not copied
COPY_TOTAL_BYTES = 32 << 20
COPY_MAX_FILES = 2000
COPY_MAX_DEPTH = 3
SKIPPED_DIRS = {"__pycache__", "node_modules", "venv", "env", "site-packages"}


@dataclass(frozen=True)
class Sandbox:
    """How a child is confined; the defaults are what `check` uses."""

    memory_mb: int = MEMORY_LIMIT_MB
    file_size_mb: int = 256
    open_files: int = 256
    isolate_network: bool = True
    confine_filesystem: bool = True
    pass_env: tuple[str, ...] = field(default_factory=tuple)  # variables a course needs passed through


def _pythonpath() -> list[str]:
    """The child imports the same backpropdoctor and the same libraries as the parent."""
    package_root = str(Path(__file__).resolve().parent.parent)
    return [package_root] + [p for p in sys.path if p and os.path.isdir(p) and p != package_root]


def copy_submission(home: Path, work: Path) -> list[str]:
    """Copy the submission's directory into `work` (small files copied, large ones linked); notes on what was left."""
    notes: list[str] = []
    total = count = 0
    for root, dirs, files in os.walk(home):
        depth = len(Path(root).relative_to(home).parts)
        dirs[:] = [d for d in sorted(dirs) if not d.startswith(".") and d not in SKIPPED_DIRS
                   and depth < COPY_MAX_DEPTH]
        for name in sorted(files):
            if name.startswith(".") or name.endswith(".pyc"):
                continue
            count += 1
            if count > COPY_MAX_FILES:
                notes.append(f"only the first {COPY_MAX_FILES} files of {home} were made available to your code")
                return notes
            source = Path(root) / name
            target = work / source.relative_to(home)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                size = source.stat().st_size
                if size <= COPY_FILE_BYTES and total + size <= COPY_TOTAL_BYTES:
                    shutil.copyfile(source, target)
                    total += size
                else:
                    target.symlink_to(source.resolve())
            except OSError:
                continue
    return notes



def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 4 * OUTPUT_CAP))  # room for the child's capped prints and a crash's last words
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return ("[...]\n" if size > 4 * OUTPUT_CAP else "") + text


def _hang_site(dump: str, user_file: str, function: str | None = None) -> tuple[int | None, str | None]:
    """The innermost line of the user's file (in `function`, if given) in a faulthandler dump."""
    target = str(Path(user_file).resolve())
    for match in re.finditer(r'File "([^"]+)", line (\d+) in (\S+)', dump):
        if str(Path(match.group(1)).resolve()) == target and function in (None, match.group(3)):
            return int(match.group(2)), match.group(3)
    return None, None


class Child:
    """One user file being measured in its own process group.

    Starting it and collecting its result are separate, so the parent can
    do its own imports while the child starts.
    """

    def __init__(self, file: str, timeout: float = 60.0, seed: int = 0,
                 search_dir: str | None = None, sandbox: Sandbox | None = None,
                 tolerance: dict[str, float] | None = None, exec_command: str | None = None,
                 adapter: str | None = None, mode: str = "check"):
        """`search_dir`: the directory whose files the user's code sees (default: the file's own).

        With `exec_command`, the user's program (any language) is run by the
        child from `search_dir` (default: the current directory), without a
        copy and without filesystem confinement or a memory limit, which
        language runtimes (a JVM, Julia's depot) do not survive.
        """
        sandbox = sandbox or Sandbox()
        if exec_command:
            sandbox = replace(sandbox, memory_mb=0, confine_filesystem=False, open_files=4096,
                              pass_env=(*sandbox.pass_env, "USER"))
        self.file, self.timeout = file, timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="backpropdoctor-")
        tmpdir = Path(self._tmp.name)
        work, out = tmpdir / "work", tmpdir / "out"
        work.mkdir()
        out.mkdir()
        if exec_command:
            home = Path(search_dir or os.getcwd())
            self.copy_notes, run_copy, cwd = [], None, home
            self.working = f"{home} itself (exec mode: the program runs where you ran the check, not in a copy)"
        else:
            home = Path(search_dir or Path(file).resolve().parent)
            self.copy_notes = copy_submission(home, work)
            run_copy = work / Path(file).name
            shutil.copyfile(file, run_copy)
            cwd = work
            self.working = "a temporary copy of the submission, deleted afterwards"
        self.result_path, self.out_path, self.err_path = out / "result.json", out / "stdout.txt", out / "stderr.txt"
        self.faults_path, self.confinement_path = out / "faults.txt", out / "confinement.json"
        self.nonce = secrets.token_hex(16)
        limits = Limits(memory_mb=sandbox.memory_mb, cpu_seconds=int(timeout) + 10,
                        file_size_mb=sandbox.file_size_mb, open_files=sandbox.open_files)
        request = json.dumps({
            "file": file if exec_command else str(Path(file).resolve()), "run": str(run_copy), "seed": seed,
            "nonce": self.nonce, "tolerance": tolerance or {}, "exec": exec_command, "timeout": timeout,
            "adapter": adapter, "mode": mode,
            "result": str(self.result_path), "faults": str(self.faults_path),
            "confinement": str(self.confinement_path), "limits": limits.__dict__,
            "isolate_network": sandbox.isolate_network,
            "writable": [str(tmpdir)] if sandbox.confine_filesystem else None,
            "readable": [str(home.resolve()), str(Path(file).resolve())],
        })
        env = scrubbed_env(str(work), _pythonpath(), sandbox.pass_env)
        if exec_command and "HOME" in os.environ:  # a language runtime finds its packages under the real HOME
            env["HOME"] = os.environ["HOME"]
        with open(self.out_path, "wb") as stdout, open(self.err_path, "wb") as stderr:
            self.proc = subprocess.Popen([sys.executable, "-m", "backpropdoctor.sandbox"],
                                         stdin=subprocess.PIPE, stdout=stdout, stderr=stderr, env=env,
                                         cwd=str(cwd), start_new_session=True)
        try:
            self.proc.stdin.write(request.encode())
            self.proc.stdin.close()
        except OSError:  # the child died at once; _collect reports how
            pass
        self.started = time.monotonic()

    def result(self) -> dict[str, Any]:
        """Wait (up to the timeout), then always return a dict; never raises for user faults."""
        try:
            return self._collect()
        finally:
            self._tmp.cleanup()

    def _collect(self) -> dict[str, Any]:
        proc, file, timeout = self.proc, self.file, self.timeout
        timed_out = False
        try:
            proc.wait(timeout=max(0.0, timeout - (time.monotonic() - self.started)))
        except subprocess.TimeoutExpired:
            timed_out = True
            _signal_group(proc, signal.SIGUSR1)
            try:
                proc.wait(timeout=DUMP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        finally:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
        elapsed = time.monotonic() - self.started
        stdout, stderr = _tail(self.out_path), _tail(self.err_path)
        faults = _tail(self.faults_path) + stderr
        base = {"file": file, "elapsed": elapsed, "stdout": stdout, "sandbox": self._confinement()}
        if timed_out:
            line, func = _hang_site(faults, file)
            hint = ("Look for an endless loop, or training that runs when the file is loaded: "
                    "put it under `if __name__ == \"__main__\":`. Use --timeout for a slow model.")
            if line:
                from .adapters.notebook import is_notebook, loading_timeout_hint, place

                cell_line = _hang_site(faults, file, "<module>")[0]
                if is_notebook(file) and cell_line:  # the running cell is what to change, whatever it called
                    inner = f", in {func}() at {place(file, line)}" if func != "<module>" else ""
                    where = f" (it was still running the notebook, at {place(file, cell_line)}{inner})"
                    line, hint = cell_line, loading_timeout_hint(file, cell_line) or hint
                elif func == "<module>":
                    where = f" (it was still loading the file, at {place(file, line)})"
                else:
                    where = f" (it was running {func}() at {place(file, line)})"
            else:
                where = ""
            return {**base, "ok": False, "error": {
                "kind": "timeout", "file": file, "line": line,
                "message": f"the check did not finish within {timeout:g} s{where}",
                "detail": None, "hint": hint}}
        if self.result_path.exists():
            try:
                payload = json.loads(self.result_path.read_text())
            except ValueError:
                payload = None
            # A result without our nonce was written by the user's code, not by us.
            if isinstance(payload, dict) and "ok" in payload and payload.pop("nonce", None) == self.nonce:
                return {**base, **payload, "arrays": _load_arrays(Path(str(self.result_path) + ".npz"))}
        return {**base, "ok": False, "error": _death(proc.returncode, faults, file)}

    def _confinement(self) -> dict[str, Any]:
        """What the child achieved (written before the user's code ran), plus what the parent did."""
        try:
            achieved = json.loads(self.confinement_path.read_text())
        except (OSError, ValueError):
            achieved = {"network": "unknown (the child ended before confining itself)"}
        achieved = achieved if isinstance(achieved, dict) else {}
        achieved["environment"] = "scrubbed (only PATH, locale and Python's own variables are passed)"
        achieved["working directory"] = self.working
        if self.copy_notes:
            achieved["copy"] = "; ".join(self.copy_notes)
        return achieved


def _load_arrays(path: Path) -> dict[str, Any]:
    """The child's arrays (never pickles: a user's file cannot smuggle objects through)."""
    if not path.exists():
        return {}
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError):
        return {}


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _death(returncode: int, stderr: str, file: str) -> dict[str, Any]:
    """Why the child ended without a result."""
    if returncode is not None and returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else str(-returncode)
        message = f"the process running your file was killed by {name}"
        if name == "SIGSEGV":
            message += " (a segmentation fault: native code, ctypes or a corrupted array)"
        elif name == "SIGKILL":
            message += " (often the machine running out of memory)"
    else:
        message = f"your file ended the process (exit status {returncode}) before the check finished"
    line, func = _hang_site(stderr, file)
    hint = "os._exit() or sys.exit() in loss/grads ends the check; remove it." if returncode and returncode > 0 else None
    return {"kind": "crashed", "file": file, "line": line, "message": message,
            "detail": stderr.strip()[-2000:] or None, "hint": hint}


class CappedOutput(io.TextIOBase):
    """The user's print() output: written through up to a cap, then counted and dropped."""

    def __init__(self, stream: Any, cap: int = OUTPUT_CAP):
        self._stream, self._cap, self.written, self.dropped = stream, cap, 0, 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self._cap - self.written
        if room > 0:
            self._stream.write(text[:room])
            self._stream.flush()
        self.written += min(len(text), max(room, 0))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def _confine(request: dict[str, Any]) -> dict[str, Any]:
    """Everything that must happen before the user's code: namespace first, while single-threaded."""
    achieved: dict[str, Any] = {}
    achieved["network"] = isolate_network() if request.get("isolate_network") else "not isolated (disabled)"
    achieved["limits"] = set_limits(Limits(**request["limits"]))
    return achieved


def _exec_budget(timeout: float | None) -> float:
    """Seconds the exec adapter may wait for replies: it reports which reply was late before we are killed."""
    timeout = float(timeout or 60.0)
    return max(0.1, 0.8 * timeout - 0.3)


def child_main() -> None:
    """Entry point inside the child: confine, load, measure, write the result file, exit hard."""
    import faulthandler
    import traceback

    started = time.monotonic()
    request = json.loads(sys.stdin.read())
    sys.stdin.close()
    nonce, result_path = request.pop("nonce"), request["result"]
    faults = open(request["faults"], "w")  # opened before Landlock, so dumps always have somewhere to go
    faulthandler.enable(file=faults)
    faulthandler.register(signal.SIGUSR1, file=faults, all_threads=True)
    try:
        achieved = _confine(request)
        from .adapters import UserCodeError, load
        from .measure import Options, measure

        if request.get("writable"):
            achieved["filesystem"] = confine_filesystem(request["writable"],
                                                        system_read_paths() + request["readable"])
        else:
            achieved["filesystem"] = "not confined (disabled)"
        with open(request["confinement"], "w") as fh:
            json.dump(achieved, fh)
        sys.stdout, sys.stderr = CappedOutput(sys.stdout), CappedOutput(sys.stderr)
        try:
            if request.get("mode") == "inspect":  # `backpropdoctor init`: what the file holds, nothing measured
                from .shim import inventory

                payload: dict[str, Any] = {"ok": True, "inventory": inventory(request["file"], request["run"])}
            else:
                if request.get("exec"):  # a program in any language, over stdin/stdout (docs/exec-protocol.md)
                    from .adapters.exec_protocol import load as load_exec

                    model = load_exec(request["exec"], os.getcwd(), started + _exec_budget(request.get("timeout")))
                else:
                    model = load(request["file"], request.get("adapter"), source=request["run"])
                try:
                    measurement = measure(model, Options(seed=request["seed"], tolerance=request["tolerance"]))
                finally:
                    if model.close is not None:
                        model.close()
                arrays = measurement.pop("arrays", {})
                if arrays:
                    import numpy as np

                    np.savez(result_path + ".npz", **arrays)
                payload = {"ok": True, "measurement": measurement}
        except UserCodeError as err:
            payload = {"ok": False, "error": err.to_dict()}
    except BaseException:  # noqa: BLE001 - our own fault, reported as such
        payload = {"ok": False, "error": {"kind": "internal-error", "file": request["file"], "line": None,
                                          "message": "backpropdoctor itself failed while checking this file",
                                          "detail": traceback.format_exc()[-4000:], "hint": None}}
    payload["nonce"] = nonce
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, CappedOutput) and stream.dropped:
            stream._stream.write(f"\n[... {stream.dropped} more characters of output dropped ...]\n")
            stream.flush()
    tmp = result_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(payload, fh)
    os.replace(tmp, result_path)
    os._exit(0)


if __name__ == "__main__":
    child_main()
