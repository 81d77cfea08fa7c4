"""Files that cannot be checked: one clear finding, exit 2, and never our own traceback.

Each fixture in fixtures/broken/ fails in one way. The expected rule is
what a user needs to hear; where the fault is on a line of the user's own
code, the finding must point at it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "fixtures" / "broken"
OUR_TRACEBACK = "Traceback (most recent call last)"

INPUT_RULES = ["syntax-error", "import-error", "user-exception", "protocol-mismatch", "bad-return-type",
               "shape-mismatch", "non-finite", "timeout", "crashed", "internal-error"]
GRADIENT_RULES = ["flipped-sign", "scaled-gradient", "missing-gradient", "transposed-gradient",
                  "regularization-gradient", "update-ascends", "nondeterministic-loss", "params-mutated",
                  "gradient-mismatch"]


def line_of(name: str, *markers: str) -> set[int]:
    """Line numbers (1-based) of the fixture lines containing any marker."""
    lines = (BROKEN / name).read_text().splitlines()
    found = {i for i, text in enumerate(lines, start=1) if any(m in text for m in markers)}
    assert found, f"{markers} not in {name}"
    return found


def lines_between(name: str, first: str, last: str) -> set[int]:
    """All lines from the one containing `first` to the one containing `last`."""
    (a,), (b,) = line_of(name, first), line_of(name, last)
    return set(range(a, b + 1))


# fixture -> (rule, lines the finding may point at (None: no line asserted), extra args, text in message or fix)
CASES = {
    "syntax_error.py": ("syntax-error", line_of("syntax_error.py", "def loss(params, X, y)"), (), "':'"),
    "python2_print.py": ("syntax-error", line_of("python2_print.py", 'print "initial'), (), "print("),
    "raises_at_import.py": ("import-error", line_of("raises_at_import.py", "hidden = X @"), (), "ValueError"),
    "sys_exit_at_import.py": ("import-error", line_of("sys_exit_at_import.py", "sys.exit(0)"), (), "sys.exit"),
    "missing_names.py": ("protocol-mismatch", None, (), "params"),
    "loss_raises.py": ("user-exception", line_of("loss_raises.py", "scores = h @"), (), "ValueError"),
    "grads_not_dict.py": ("bad-return-type", None, (), "list"),
    "loss_returns_array.py": ("bad-return-type", None, (), "(6,)"),
    "wrong_grad_shape.py": ("shape-mismatch", None, (), "(6, 2)"),
    "grads_missing_key.py": ("protocol-mismatch", None, (), "'b'"),
    "nan_loss.py": ("non-finite", None, (), "loss"),
    "nan_in_grads.py": ("non-finite", None, (), "NaN"),
    "endless_loop_import.py": ("timeout", lines_between("endless_loop_import.py", "while err", "err = 0.5"),
                               ("--timeout", "3"), "loading the file"),
    "endless_loop_in_grads.py": ("timeout", lines_between("endless_loop_in_grads.py", "while i <", 'g["b"] += d'),
                                 ("--timeout", "3"), "grads"),
    "huge_allocation.py": ("import-error", line_of("huge_allocation.py", "np.ones((10**6"), (), "MemoryError"),
    "imports_missing_package.py": ("import-error", line_of("imports_missing_package.py", "import cs_course"), (),
                                   "cs_course_nnhelpers_notinstalled"),
    "os_exit_in_loss.py": ("crashed", None, (), "exit status 3"),
    "int_params.py": ("protocol-mismatch", None, (), "int"),
    "segfault.py": ("crashed", line_of("segfault.py", "ctypes.string_at(0)"), (), "SIGSEGV"),
}


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "backpropdoctor", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=env)


def test_every_broken_fixture_has_a_case():
    assert {p.name for p in BROKEN.glob("*.py")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_json(name):
    rule, lines, extra, text = CASES[name]
    path = BROKEN / name
    proc = run("check", str(path), "--format", "json", *extra)
    assert OUR_TRACEBACK not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert proc.returncode == 2, (proc.returncode, report)
    assert report["status"] == "error"
    assert report["parameters"] == []
    assert [f["rule"] for f in report["findings"]] == [rule], report["findings"]
    f = report["findings"][0]
    assert f["severity"] == "error"
    assert text in f["message"] + "\n" + (f["fix"] or ""), f
    assert Path(f["file"]).resolve() == path.resolve()
    if lines is not None:
        assert f["line"] in lines, (f["line"], sorted(lines), f["message"])
        assert any(s["line"] == f["line"] for s in f["source"]), f["source"]
    # The user's own traceback may only appear inside the finding's message/evidence.
    for g in report["findings"]:
        for key in ("message", "evidence", "source", "fix"):
            g.pop(key, None)
    assert OUR_TRACEBACK not in json.dumps(report)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_terminal(name):
    rule, lines, extra, _ = CASES[name]
    proc = run("check", str(BROKEN / name), *extra)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr, proc.stderr
    assert OUR_TRACEBACK not in proc.stdout, proc.stdout
    assert rule in proc.stdout
    assert "ERROR" in proc.stdout


def test_python2_print_hint():
    proc = run("check", str(BROKEN / "python2_print.py"), "--format", "json")
    f = json.loads(proc.stdout)["findings"][0]
    assert "Python 2" in (f["fix"] or ""), f


def test_timeout_is_prompt():
    proc = run("check", str(BROKEN / "endless_loop_in_grads.py"), "--format", "json", "--timeout", "3")
    report = json.loads(proc.stdout)
    assert report["elapsed_seconds"] < 10


# --- command line errors -----------------------------------------------------------------------


def test_nonexistent_file():
    missing = ROOT / "fixtures" / "broken" / "does_not_exist.py"
    proc = run("check", str(missing))
    assert proc.returncode == 2
    assert "does_not_exist.py" in proc.stderr and "no such file" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_nonexistent_file_json():
    proc = run("check", "no/such/model.py", "--format", "json")
    assert proc.returncode == 2
    assert "no such file" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_directory_with_several_python_files_asks_which_is_the_model():
    proc = run("check", str(BROKEN))
    assert proc.returncode == 2
    assert "holds several files" in proc.stdout and "model-file" in proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout


def test_explain_unknown_rule():
    proc = run("explain", "no-such-rule")
    assert proc.returncode == 2
    assert "no-such-rule" in proc.stderr and "backpropdoctor rules" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_explain_near_miss_suggests_name():
    proc = run("explain", "flipped-sing")
    assert proc.returncode == 2
    assert "flipped-sign" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("columns", ["80", "200"])
def test_rules_lists_every_rule(columns):
    env = {**os.environ, "COLUMNS": columns}
    proc = run("rules", env=env)
    assert proc.returncode == 0
    for name in GRADIENT_RULES + INPUT_RULES:
        assert name in proc.stdout, f"{name} missing (or cut short) in `rules` at {columns} columns"


def test_explain_flipped_sign_sections():
    proc = run("explain", "flipped-sign")
    assert proc.returncode == 0
    for section in ("What it means", "Why it breaks training", "How it looks in code", "The fix"):
        assert section in proc.stdout, section


@pytest.mark.parametrize("name", INPUT_RULES + GRADIENT_RULES)
def test_explain_every_rule(name):
    proc = run("explain", name)
    assert proc.returncode == 0, proc.stderr
    assert "What it means" in proc.stdout and "The fix" in proc.stdout
