"""Running the command line the way users and CI do, for the tests."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def cli(*args: str, env: dict | None = None, timeout: float = 300, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`backpropdoctor ARGS` in a fresh process, from the repository root (or `cwd`)."""
    return subprocess.run([sys.executable, "-m", "backpropdoctor", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


def check_json(path: Path | str, *extra: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, dict]:
    """`backpropdoctor check PATH --format json EXTRA`: the process and its parsed report."""
    proc = cli("check", path, "--format", "json", *extra, env=env)
    try:
        return proc, json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"stdout is not JSON (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n"
                             f"--- stderr ---\n{proc.stderr[-2000:]}") from None
