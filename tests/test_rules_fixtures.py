"""End-to-end: each fixture in fixtures/rules/ has exactly one bug, and the CLI names it.

Every fixture is a small, deterministic network that is right except for
one bug (see its docstring). The expected verdicts below were checked
against an independent central-difference gradient, not read off the tool.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import check_json

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "fixtures" / "rules"

ALL4 = {"W1", "b1", "W2", "b2"}

# The gradient-signature rules: warnings among these are asserted exactly.
# (Health rules may add their own warnings later; they are not this file's business.)
GRADIENT_RULES = {
    "flipped-sign", "scaled-gradient", "missing-gradient", "transposed-gradient", "regularization-gradient",
    "update-ascends", "nondeterministic-loss", "params-mutated", "gradient-mismatch",
}


def run_json(path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    return check_json(path, *extra)


_cache: dict[str, tuple[subprocess.CompletedProcess, dict]] = {}


def check(name: str) -> tuple[subprocess.CompletedProcess, dict]:
    if name not in _cache:
        _cache[name] = run_json(RULES_DIR / name)
    return _cache[name]


def errors(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"] if f["severity"] == "error"}


def gradient_warnings(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"] if f["severity"] == "warning" and f["rule"] in GRADIENT_RULES}


def finding(report: dict, rule: str) -> dict:
    hits = [f for f in report["findings"] if f["rule"] == rule]
    assert len(hits) == 1, f"expected one {rule} finding, got {[f['rule'] for f in report['findings']]}"
    return hits[0]


def statuses(report: dict) -> dict[str, str]:
    return {p["name"]: p["status"] for p in report["parameters"]}


# fixture -> (error rules, gradient warnings, exit code, status, main rule, its parameters, its layers)
CASES = {
    "flipped_sign_rows.py": ({"flipped-sign"}, set(), 1, "fail", "flipped-sign", ALL4, [1, 2]),
    "scaled_batch_columns.py": ({"scaled-gradient"}, set(), 1, "fail", "scaled-gradient", ALL4, [1, 2]),
    "scaled_two_mse.py": ({"scaled-gradient"}, set(), 1, "fail", "scaled-gradient", ALL4, [1, 2]),
    "missing_bias_gradient.py": ({"missing-gradient"}, set(), 1, "fail", "missing-gradient", {"b1", "b2"}, [1, 2]),
    "transposed_nonsquare.py": ({"transposed-gradient"}, set(), 1, "fail", "transposed-gradient", {"W1"}, [1]),
    "transposed_square.py": ({"transposed-gradient"}, set(), 1, "fail", "transposed-gradient", {"W2"}, [2]),
    "l2_missing.py": ({"regularization-gradient"}, set(), 1, "fail", "regularization-gradient", {"W1", "W2"}, [1, 2]),
    "l2_doubled.py": ({"regularization-gradient"}, set(), 1, "fail", "regularization-gradient", {"W1", "W2"}, [1, 2]),
    # update-ascends is about the update rule, not a layer: no parameters, no layer.
    "update_adds.py": ({"update-ascends"}, set(), 1, "fail", "update-ascends", set(), []),
    # The gradient inferred from train_step is -(true gradient): the step rule claims all of them.
    "train_step_ascends.py": ({"update-ascends"}, set(), 1, "fail", "update-ascends", ALL4, []),
    "flipped_compensated.py": ({"flipped-sign"}, set(), 1, "fail", "flipped-sign", ALL4, [1, 2]),
    # With numpy's global seed fixed per call, loss and grads draw the same mask and the
    # gradient is exactly right for it: a warning and nothing else.
    "dropout_loss.py": (set(), {"nondeterministic-loss"}, 0, "warn", "nondeterministic-loss", set(), []),
    "grads_mutates_params.py": ({"params-mutated"}, set(), 1, "fail", "params-mutated", {"W1"}, [1]),
    "model_object_scaled.py": ({"scaled-gradient"}, set(), 1, "fail", "scaled-gradient", {"b2"}, [2]),
    "wrong_derivative_formula.py": ({"gradient-mismatch"}, set(), 1, "fail", "gradient-mismatch",
                                    {"W_hidden", "b_hidden"}, [1]),
}


def test_every_rule_fixture_has_a_case():
    assert {p.name for p in RULES_DIR.glob("*.py")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_verdict(name):
    want_errors, want_warnings, want_exit, want_status, rule, want_params, want_layers = CASES[name]
    proc, report = check(name)
    summary = [(f["rule"], f["severity"], f["parameters"], f["message"]) for f in report["findings"]]
    assert errors(report) == want_errors, summary
    assert gradient_warnings(report) == want_warnings, summary
    assert report["status"] == want_status, summary
    assert proc.returncode == want_exit, summary
    assert report["schema_version"] == 1
    assert "Traceback" not in proc.stderr
    main = finding(report, rule)
    assert set(main["parameters"]) == want_params, main
    assert main["layers"] == want_layers, main
    assert main["layer"] == (max(want_layers) if want_layers else None), main
    assert main["message"] and main["fix"], main


# --- what each finding says, beyond its name -------------------------------------------------


def test_flipped_sign_rows():
    _, report = check("flipped_sign_rows.py")
    f = finding(report, "flipped-sign")
    assert f["evidence"]["scale"] == pytest.approx([-1.0] * 4, rel=1e-4)
    assert all(c == pytest.approx(-1.0, abs=1e-6) for c in f["evidence"]["cosine"])
    assert set(statuses(report).values()) == {"fail"}


def test_scaled_batch_columns_names_the_batch_size():
    _, report = check("scaled_batch_columns.py")
    f = finding(report, "scaled-gradient")
    assert f["evidence"]["scale"] == pytest.approx(10.0, rel=1e-3)
    named = f["evidence"]["named"]
    assert named and "batch size" in named and "10" in named, named
    assert "batch size" in f["fix"]


def test_scaled_two_mse_is_one_half():
    _, report = check("scaled_two_mse.py")
    f = finding(report, "scaled-gradient")
    assert f["evidence"]["scale"] == pytest.approx(0.5, rel=1e-3)
    assert f["evidence"]["named"] == "1/2"


def test_missing_bias_gradient_only_biases():
    _, report = check("missing_bias_gradient.py")
    assert statuses(report) == {"W1": "pass", "b1": "fail", "W2": "pass", "b2": "fail"}
    f = finding(report, "missing-gradient")
    assert f["evidence"]["partial"] == []  # all of b1 and b2 is zero, not just some entries


def test_transposed_nonsquare():
    _, report = check("transposed_nonsquare.py")
    w1 = next(p for p in report["parameters"] if p["name"] == "W1")
    assert w1["shape"] == [3, 6]
    assert "(6, 3)" in finding(report, "transposed-gradient")["message"]


def test_transposed_square_only_w2_fails():
    _, report = check("transposed_square.py")
    assert statuses(report) == {"W1": "pass", "b1": "pass", "W2": "fail", "b2": "pass", "W3": "pass", "b3": "pass"}
    w2 = next(p for p in report["parameters"] if p["name"] == "W2")
    assert w2["shape"] == [5, 5]


def test_l2_missing_lambda():
    _, report = check("l2_missing.py")
    lam = finding(report, "regularization-gradient")["evidence"]["lambda"]
    assert lam == pytest.approx({"W1": -0.1, "W2": -0.1}, rel=1e-3)
    assert statuses(report) == {"W1": "fail", "b1": "pass", "W2": "fail", "b2": "pass"}


def test_l2_doubled_lambda():
    _, report = check("l2_doubled.py")
    lam = finding(report, "regularization-gradient")["evidence"]["lambda"]
    assert lam == pytest.approx({"W1": 0.05, "W2": 0.05}, rel=1e-3)
    assert statuses(report) == {"W1": "fail", "b1": "pass", "W2": "fail", "b2": "pass"}


def test_update_adds_gradients_are_right():
    _, report = check("update_adds.py")
    assert set(statuses(report).values()) == {"pass"}
    f = finding(report, "update-ascends")
    assert f["evidence"]["slope"] > 0 and f["evidence"]["step_norm"] > 0
    assert "update(" in f["message"]


def test_train_step_ascends():
    _, report = check("train_step_ascends.py")
    f = finding(report, "update-ascends")
    assert f["evidence"]["slope"] > 0
    assert "train_step" in f["message"]
    assert report["mapping"].get("train_step")


def test_flipped_compensated_points_at_both_flips():
    _, report = check("flipped_compensated.py")
    f = finding(report, "flipped-sign")
    assert f["evidence"]["scale"] == pytest.approx([-1.0] * 4, rel=1e-4)
    assert "update()" in f["fix"]  # the cancelling second flip is mentioned in the fix


def test_dropout_loss_is_a_warning_and_the_check_goes_on():
    proc, report = check("dropout_loss.py")
    f = finding(report, "nondeterministic-loss")
    assert f["severity"] == "warning"
    assert f["evidence"]["loss"] is True and f["evidence"]["fixed_by_seeding"] is True
    assert set(statuses(report).values()) == {"pass"}
    assert len(report["parameters"]) == 4


def test_grads_mutates_params_gradients_still_right():
    _, report = check("grads_mutates_params.py")
    assert set(statuses(report).values()) == {"pass"}
    f = finding(report, "params-mutated")
    assert f["evidence"]["parameters"] == ["W1"]
    assert "grads" in f["evidence"]["by"]


def test_model_object_scaled():
    _, report = check("model_object_scaled.py")
    assert report["adapter"] == "model-object"
    f = finding(report, "scaled-gradient")
    assert f["evidence"]["scale"] == pytest.approx(2.0, rel=1e-3)
    assert f["evidence"]["named"] == "2"
    assert statuses(report) == {"W1": "pass", "b1": "pass", "W2": "pass", "b2": "fail"}
