"""End-to-end: the named-bug diagnosis on fixtures/diagnosis/.

Every buggy fixture is a small, deterministic, student-style numpy network
that is right except for the line(s) marked `# BUG` (and `# BUG2`). Each was
checked against an independent central-difference gradient, and so was its
corrected version (the marked line fixed): rel err < 1e-6. The expectations
below state what a correct diagnosis is, not what the tool happens to print:
the rule, the layer of the wrong step (layers count from 1 at the input) and
the line of the marker, read from the fixture so the tests survive edits.

Styles in the file names: R = samples in rows, C = samples in columns
(deeplearning.ai style), L = per-sample loop or layer objects.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIAG = ROOT / "fixtures" / "diagnosis"

DIAGNOSIS_RULES = {
    "softmax-jacobian", "activation-derivative-wrong-tensor", "missing-activation-derivative",
    "bias-gradient", "wrong-reduction",
}
GRADIENT_RULES = {
    "flipped-sign", "scaled-gradient", "missing-gradient", "transposed-gradient", "regularization-gradient",
    "update-ascends", "nondeterministic-loss", "params-mutated", "gradient-mismatch",
}

SJ = "softmax-jacobian"
WT = "activation-derivative-wrong-tensor"
MAD = "missing-activation-derivative"
BG = "bias-gradient"
WR = "wrong-reduction"

# fixture -> [(rule, layer of the wrong step, marker)]; the set of error rules must be exactly these rules.
BUGGY: dict[str, list[tuple[str, int, str]]] = {
    # softmax-jacobian
    "softmax_jacobian_full_R_sigmoid.py": [(SJ, 2, "# BUG")],
    "softmax_jacobian_diag_C_tanh.py": [(SJ, 2, "# BUG")],
    "softmax_jacobian_mse_L_relu.py": [(SJ, 2, "# BUG")],
    # activation-derivative-wrong-tensor
    "activation_derivative_wrong_tensor_on_activation_R_sigmoid.py": [(WT, 2, "# BUG")],
    "activation_derivative_wrong_tensor_on_activation_C_tanh.py": [(WT, 1, "# BUG")],
    "activation_derivative_wrong_tensor_formula_on_z_L_sigmoid.py": [(WT, 1, "# BUG")],
    "activation_derivative_wrong_tensor_formula_on_z_R_tanh.py": [(WT, 1, "# BUG")],
    "activation_derivative_wrong_tensor_on_upstream_C_relu.py": [(WT, 1, "# BUG")],
    "activation_derivative_wrong_tensor_on_upstream_L_leaky.py": [(WT, 1, "# BUG")],
    # missing-activation-derivative
    "missing_activation_derivative_hidden_R_relu.py": [(MAD, 1, "# BUG")],
    "missing_activation_derivative_hidden_C_leaky.py": [(MAD, 1, "# BUG")],
    "missing_activation_derivative_hidden_L_tanh.py": [(MAD, 1, "# BUG")],
    "missing_activation_derivative_output_R_tanh.py": [(MAD, 2, "# BUG")],
    # bias-gradient
    "bias_gradient_last_sample_L_tanh.py": [(BG, 1, "# BUG")],
    "bias_gradient_last_sample_L_relu.py": [(BG, 2, "# BUG")],
    "bias_gradient_pre_derivative_R_sigmoid.py": [(BG, 1, "# BUG")],
    "bias_gradient_pre_derivative_C_leaky.py": [(BG, 1, "# BUG")],
    # wrong-reduction
    "wrong_reduction_summed_output_R_relu.py": [(WR, 2, "# BUG")],
    "wrong_reduction_summed_output_C_tanh.py": [(WR, 2, "# BUG")],
    "wrong_reduction_summed_hidden_R_tanh.py": [(WR, 1, "# BUG")],
    "wrong_reduction_summed_hidden_L_leaky.py": [(WR, 1, "# BUG")],
    "wrong_reduction_outer_of_sums_C_relu.py": [(WR, 1, "# BUG")],
    "wrong_reduction_outer_of_sums_L_sigmoid.py": [(WR, 1, "# BUG")],
    # two bugs in one file
    "two_bugs_wrong_tensor_and_bias_pre_derivative_R_tanh.py": [(WT, 2, "# BUG"), (BG, 1, "# BUG2")],
    "two_bugs_softmax_diag_and_missing_derivative_C_sigmoid.py": [(SJ, 2, "# BUG"), (MAD, 1, "# BUG2")],
    "two_bugs_transposed_and_bias_pre_derivative_R_tanh.py": [("transposed-gradient", 2, "# BUG"), (BG, 1, "# BUG2")],
}

# Correct twins of buggy fixtures (the marked line fixed): must pass with no error and no warning at all.
TWINS = [
    "softmax_jacobian_diag_C_tanh_fixed.py",
    "softmax_jacobian_mse_L_relu_fixed.py",
    "activation_derivative_wrong_tensor_on_activation_R_sigmoid_fixed.py",
    "activation_derivative_wrong_tensor_on_upstream_C_relu_fixed.py",
    "missing_activation_derivative_hidden_L_tanh_fixed.py",
    "bias_gradient_last_sample_L_tanh_fixed.py",
    "wrong_reduction_summed_hidden_R_tanh_fixed.py",
]

# Correct networks written close to the buggy patterns: no diagnosis or gradient rule may fire.
LOOKALIKES = [
    "correct_relu_derivative_on_activation_R_relu.py",
    "correct_sigmoid_mse_output_form_R_sigmoid.py",
    "correct_tanh_one_minus_a_squared_C_tanh.py",
    "correct_softmax_mse_full_jacobian_C_sigmoid.py",
    "correct_sigmoid_output_form_L_sigmoid.py",
    "correct_leaky_derivative_on_output_L_leaky.py",
]

PARTIAL = "gradient_mismatch_partial_R_tanh.py"

ALL = list(BUGGY) + TWINS + LOOKALIKES + [PARTIAL]


def _run(name: str) -> tuple[int, dict | None, str]:
    proc = subprocess.run([sys.executable, "-m", "backpropdoctor", "check", str(DIAG / name), "--format", "json"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    try:
        return proc.returncode, json.loads(proc.stdout), proc.stderr
    except ValueError:
        return proc.returncode, None, f"stdout:\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


@pytest.fixture(scope="module")
def reports() -> dict[str, tuple[int, dict | None, str]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(ALL, pool.map(_run, ALL)))


def report_of(reports, name: str) -> tuple[int, dict]:
    code, report, err = reports[name]
    if report is None:
        pytest.fail(f"{name}: output is not JSON (exit {code}):\n{err}")
    return code, report


def marker_line(name: str, marker: str) -> int:
    """The line carrying `marker` exactly (`# BUG` does not match `# BUG2`)."""
    hits = [i for i, text in enumerate((DIAG / name).read_text().splitlines(), start=1)
            if re.search(re.escape(marker) + r"(?!\d)", text)]
    assert len(hits) == 1, f"{name}: expected one {marker!r} marker, found lines {hits}"
    return hits[0]


def errors(report: dict) -> set[str]:
    return {f["rule"] for f in report["findings"] if f["severity"] == "error"}


def summary(report: dict) -> str:
    return "\n".join(f"  {f['severity']} {f['rule']} layer={f.get('layer')} line={f.get('line')} "
                     f"variant={(f.get('evidence') or {}).get('variant')}" for f in report["findings"])


def patch_touches(patch: str, line: int, text: str) -> bool:
    """True if the unified diff removes (rewrites) `line` of the original, whose content is `text`."""
    old = None
    for row in patch.splitlines():
        hunk = re.match(r"@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@", row)
        if hunk:
            old = int(hunk.group(1))
            continue
        if old is None or row.startswith(("---", "+++")):
            continue
        if row.startswith("-"):
            if old == line and row[1:] == text:
                return True
            old += 1
        elif row.startswith("+"):
            continue
        else:
            old += 1
    return False


def test_fixture_files_are_all_listed():
    on_disk = {p.name for p in DIAG.glob("*.py")}
    assert on_disk == set(ALL)


@pytest.mark.parametrize("name", list(BUGGY))
def test_markers(name):
    src = (DIAG / name).read_text()
    markers = {m for _, _, m in BUGGY[name]}
    assert len(re.findall(r"# BUG(?!\d)", src)) == ("# BUG" in markers)
    assert len(re.findall(r"# BUG2", src)) == ("# BUG2" in markers)


@pytest.mark.parametrize("name", list(BUGGY))
def test_buggy_rules(reports, name):
    code, report = report_of(reports, name)
    expected = {rule for rule, _, _ in BUGGY[name]}
    assert errors(report) == expected, f"{name}:\n{summary(report)}"
    assert code == 1 and report["status"] == "fail"


@pytest.mark.parametrize("name", list(BUGGY))
def test_buggy_layer_and_line(reports, name):
    _, report = report_of(reports, name)
    for rule, layer, marker in BUGGY[name]:
        line = marker_line(name, marker)
        hits = [f for f in report["findings"] if f["rule"] == rule and f["severity"] == "error"]
        assert hits, f"{name}: no {rule} finding:\n{summary(report)}"
        at_layer = [f for f in hits if f.get("layer") == layer]
        assert at_layer, f"{name}: {rule} expected at layer {layer}:\n{summary(report)}"
        f = at_layer[0]
        assert f["layers"] == [layer]
        assert f["line"] == line, f"{name}: {rule} at line {f['line']}, the {marker} marker is on line {line}"


@pytest.mark.parametrize("name", list(BUGGY))
def test_buggy_verified_patch(reports, name):
    _, report = report_of(reports, name)
    lines = (DIAG / name).read_text().splitlines()
    for rule, layer, marker in BUGGY[name]:
        line = marker_line(name, marker)
        for f in report["findings"]:
            if f["rule"] == rule and f.get("layer") == layer and f.get("verified") is True:
                patch = f.get("patch") or ""
                assert patch.startswith("--- a/") and "\n+++ b/" in patch, patch
                assert patch_touches(patch, line, lines[line - 1]), f"{name}: patch misses line {line}:\n{patch}"


@pytest.mark.parametrize("name", TWINS)
def test_twins_pass_clean(reports, name):
    code, report = report_of(reports, name)
    assert "# BUG" not in (DIAG / name).read_text()
    bad = [f for f in report["findings"] if f["severity"] in ("error", "warning")]
    assert not bad, f"{name}:\n{summary(report)}"
    assert code == 0 and report["status"] == "pass"
    assert all(p["status"] == "pass" for p in report["parameters"]), report["parameters"]


@pytest.mark.parametrize("name", LOOKALIKES)
def test_lookalikes_no_false_alarm(reports, name):
    code, report = report_of(reports, name)
    assert code == 0, f"{name}:\n{summary(report)}"
    bad = [f for f in report["findings"]
           if f["severity"] in ("error", "warning") and f["rule"] in DIAGNOSIS_RULES | GRADIENT_RULES]
    assert not bad, f"{name}:\n{summary(report)}"
    assert all(p["status"] == "pass" for p in report["parameters"]), report["parameters"]


def test_partial_diagnosis_fallback(reports):
    code, report = report_of(reports, PARTIAL)
    assert code == 1 and report["status"] == "fail"
    assert errors(report) == {"gradient-mismatch"}, summary(report)
    f = next(f for f in report["findings"] if f["rule"] == "gradient-mismatch")
    assert f["layer"] == 1
    assert set(f["parameters"]) == {"W1", "b1"}
    assert "partial" in f["message"]
    assert not errors(report) & DIAGNOSIS_RULES
