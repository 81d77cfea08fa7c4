"""The child-process boundary: the only place user code is run.

The parent (`run_in_child`) starts `python -m backpropdoctor.sandbox`,
which loads the user's file, measures it and writes a JSON result to a
file the parent names. The parent enforces the wall-clock timeout (asking
the child for a stack dump first, so a hang can be pinned to a line),
kills the whole process group, and turns every way the child can die into
a plain dict with an `error` of a catalogue kind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

OUTPUT_CAP = 16_384
DUMP_GRACE_SECONDS = 1.0
MEMORY_LIMIT_MB = 4096


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import the same backpropdoctor as the parent, installed or not.
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[var] = "1"
    env["MPLBACKEND"] = "Agg"
    env["PYTHONHASHSEED"] = "0"
    return env


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - OUTPUT_CAP))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return ("[...]\n" if size > OUTPUT_CAP else "") + text


def _hang_site(dump: str, user_file: str) -> tuple[int | None, str | None]:
    """The innermost line of the user's file in a faulthandler dump."""
    target = str(Path(user_file).resolve())
    for match in re.finditer(r'File "([^"]+)", line (\d+) in (\S+)', dump):
        if str(Path(match.group(1)).resolve()) == target:
            return int(match.group(2)), match.group(3)
    return None, None


class Child:
    """One user file being measured in its own process group.

    Starting it and collecting its result are separate, so the parent can
    do its own imports while the child starts.
    """

    def __init__(self, file: str, timeout: float = 60.0, seed: int = 0, memory_mb: int = MEMORY_LIMIT_MB,
                 search_dir: str | None = None, adapter: str | None = None, mode: str = "check"):
        self.file, self.timeout = file, timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="backpropdoctor-")
        tmpdir = Path(self._tmp.name)
        self.result_path, self.out_path, self.err_path = tmpdir / "result.json", tmpdir / "stdout.txt", tmpdir / "stderr.txt"
        request = json.dumps({"file": str(Path(file).resolve()), "seed": seed, "result": str(self.result_path),
                              "memory_mb": memory_mb, "search_dir": search_dir, "adapter": adapter,
                              "mode": mode})
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "backpropdoctor.sandbox", request],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=_child_env(),
                                         cwd=search_dir or str(Path(file).resolve().parent),
                                         start_new_session=True)
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
        base = {"file": file, "elapsed": elapsed, "stdout": stdout}
        if timed_out:
            line, func = _hang_site(stderr, file)
            if line and func == "<module>":
                where = f" (it was still loading the file, at line {line})"
            elif line:
                where = f" (it was running {func}() at line {line})"
            else:
                where = ""
            return {**base, "ok": False, "error": {
                "kind": "timeout", "file": file, "line": line,
                "message": f"the check did not finish within {timeout:g} s{where}",
                "detail": None,
                "hint": "Look for an endless loop, or training that runs when the file is loaded: "
                        "put it under `if __name__ == \"__main__\":`. Use --timeout for a slow model."}}
        if self.result_path.exists():
            try:
                payload = json.loads(self.result_path.read_text())
            except ValueError:
                payload = None
            if isinstance(payload, dict) and "ok" in payload:
                return {**base, **payload, "arrays": _load_arrays(Path(str(self.result_path) + ".npz"))}
        return {**base, "ok": False, "error": _death(proc.returncode, stderr, file)}


def run_in_child(file: str, timeout: float = 60.0, seed: int = 0, memory_mb: int = MEMORY_LIMIT_MB) -> dict[str, Any]:
    """Measure `file` in a fresh process and wait for the result."""
    return Child(file, timeout, seed, memory_mb).result()


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


def child_main(argv: list[str]) -> None:
    """Entry point inside the child: load, measure, write the result file, exit hard."""
    import faulthandler
    import resource
    import traceback

    request = json.loads(argv[1])
    limit = int(request.get("memory_mb") or 0) * 1024 * 1024
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    faulthandler.enable()
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    result_path = request["result"]
    try:
        from .adapters import UserCodeError, load
        from .measure import Options, measure

        if request.get("search_dir"):  # a repaired copy still imports its original neighbours
            sys.path.insert(0, request["search_dir"])

        try:
            if request.get("mode") == "inspect":  # `backpropdoctor init`: what the file holds, nothing measured
                from .shim import inventory

                payload: dict[str, Any] = {"ok": True, "inventory": inventory(request["file"])}
            else:
                model = load(request["file"], request.get("adapter"))
                measurement = measure(model, Options(seed=request["seed"]))
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
    tmp = result_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(payload, fh)
    os.replace(tmp, result_path)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    child_main(sys.argv)
