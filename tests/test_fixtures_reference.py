"""End-to-end verdicts on the hand-written fixtures in fixtures/, through the CLI.

Each test runs `python -m backpropdoctor check <file> --format json` in a
subprocess and checks the JSON report:

* reference networks (ref_*.py) and the corrected twins of the seed reports
  (seed*_fixed.py) have exactly right gradients and must pass cleanly;
* the buggy seed reproductions must fail, on exactly the parameters whose
  gradients are wrong.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

CORRECT_FIXTURES = [
    "ref_sigmoid_softmax.py",
    "ref_tanh_bce.py",
    "ref_relu_mse.py",
    "ref_columns.py",
    "ref_per_sample_loop.py",
    "ref_float32.py",
    "ref_relu_kinks.py",
    "ref_model_object.py",
    "ref_tiny_init.py",
    "ref_train_step.py",
    "seed001_fixed.py",
    "seed002_fixed.py",
    "seed003_fixed.py",
    "seed004_fixed.py",
]

# Buggy seed reproductions -> the parameters whose gradients are wrong.
FAILING_PARAMETERS = {
    # y - probs, times the softmax Jacobian again; biases keep only the last sample
    "seed002_softmax_jacobian.py": {"W1", "b1", "W2", "b2", "W3", "b3"},
    # dL/da summed over the batch (and sign-flipped) before the chain rule
    "seed003_reduced_batch.py": {"w_1", "b_1", "w_2", "b_2"},
    # dact(upstream), bias from the upstream gradient, 1/in_features scaling
    "seed004_wrong_tensor.py": {"W1", "b1", "W2", "b2"},
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # make the package importable (also for the tool's own child process)
    # even when it is not installed
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


@functools.lru_cache(maxsize=None)
def run_check(name: str) -> tuple[int, dict]:
    path = FIXTURES / name
    assert path.exists(), f"missing fixture {path}"
    proc = subprocess.run(
        [sys.executable, "-m", "backpropdoctor", "check", str(path), "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=300,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:  # pragma: no cover - only on a broken CLI
        raise AssertionError(
            f"stdout is not JSON (exit {proc.returncode}): {exc}\n"
            f"--- stdout ---\n{proc.stdout[-2000:]}\n--- stderr ---\n{proc.stderr[-2000:]}"
        ) from None
    return proc.returncode, report


def _finding_params(finding: dict) -> set[str]:
    names = set()
    for p in finding.get("parameters") or []:
        names.add(p["name"] if isinstance(p, dict) else p)
    return names


def _summary(report: dict) -> str:
    params = [(p["name"], p["status"]) for p in report.get("parameters", [])]
    findings = [(f["rule"], f["severity"], sorted(_finding_params(f))) for f in report.get("findings", [])]
    return f"status={report.get('status')} parameters={params} findings={findings}"


@pytest.mark.parametrize("name", CORRECT_FIXTURES)
def test_correct_fixture_passes(name):
    code, report = run_check(name)
    assert report["status"] == "pass", _summary(report)
    assert code == 0, _summary(report)
    serious = [f for f in report["findings"] if f["severity"] in ("error", "warning")]
    assert serious == [], _summary(report)
    assert report["parameters"], _summary(report)
    assert all(p["status"] == "pass" for p in report["parameters"]), _summary(report)


def test_kink_fixture_reports_kinks():
    _, report = run_check("ref_relu_kinks.py")
    kinks = {p["name"]: p["kinks"] for p in report["parameters"]}
    assert all(isinstance(k, int) for k in kinks.values()), kinks
    assert any(k > 0 for k in kinks.values()), kinks
    # W2 and b2 never touch a ReLU kink
    assert kinks.get("W2") == 0 and kinks.get("b2") == 0, kinks


def test_seed001_flipped_sign():
    code, report = run_check("seed001_flipped_sign.py")
    assert code == 1, _summary(report)
    assert report["status"] == "fail", _summary(report)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert {f["rule"] for f in errors} == {"flipped-sign"}, _summary(report)
    flipped = next(f for f in errors if f["rule"] == "flipped-sign")
    assert {"W1", "W2"} <= _finding_params(flipped), _summary(report)
    # update() adds lr * grads and grads are negated: the two cancel, so the
    # update really does descend and must not be reported as ascending
    assert not any(f["rule"] == "update-ascends" for f in report["findings"]), _summary(report)
    assert {p["name"] for p in report["parameters"] if p["status"] == "fail"} == {"W1", "W2"}, _summary(report)


@pytest.mark.parametrize("name", sorted(FAILING_PARAMETERS))
def test_buggy_seed_fails_on_expected_parameters(name):
    code, report = run_check(name)
    assert code == 1, _summary(report)
    assert report["status"] == "fail", _summary(report)
    failing = {p["name"] for p in report["parameters"] if p["status"] == "fail"}
    assert failing == FAILING_PARAMETERS[name], _summary(report)
