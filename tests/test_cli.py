"""What a user and a CI job rely on from the command line itself."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

CHATTY = '''
import numpy as np
print("training starts at import, as students do")
rng = np.random.default_rng(0)
X = rng.normal(size=(6, 3)); y = rng.normal(size=(6, 2))
params = {"W": rng.normal(size=(3, 2))}
def loss(params, X, y):
    print("loss called")
    return float(np.mean((X @ params["W"] - y) ** 2))
def grads(params, X, y):
    print('{"status": "pass"}')
    return {"W": 2 * X.T @ (X @ params["W"] - y) / y.size}
'''


def run(*args, env=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "backpropdoctor", *args], capture_output=True, text=True,
                          cwd=ROOT, env=full_env, timeout=120)


def test_json_on_stdout_stays_pure_when_the_users_code_prints(tmp_path):
    model = tmp_path / "chatty.py"
    model.write_text(CHATTY)
    result = run("check", str(model), "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 0
    assert report["status"] == "pass"
    assert report["schema_version"] == 1
    assert [p["name"] for p in report["parameters"]] == ["W"]


def test_no_color_strips_colour_but_keeps_the_report():
    forced = run("check", str(FIXTURES / "seed001_flipped_sign.py"), env={"FORCE_COLOR": "1"})
    plain = run("check", str(FIXTURES / "seed001_flipped_sign.py"), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[31" in forced.stdout or "\x1b[1;31" in forced.stdout
    assert "\x1b[3" not in plain.stdout.replace("\x1b[3m", "")
    assert "flipped-sign" in plain.stdout
    assert plain.returncode == forced.returncode == 1


def test_gradient_mismatch_names_the_worst_element():
    result = run("check", str(FIXTURES / "rules" / "wrong_derivative_formula.py"), "--format", "json")
    report = json.loads(result.stdout)
    mismatch = [f for f in report["findings"] if f["rule"] == "gradient-mismatch"]
    assert mismatch and "Largest disagreement at" in mismatch[0]["message"]
    failing = {p["name"] for p in report["parameters"] if p["status"] == "fail"}
    assert set(mismatch[0]["parameters"]) == failing
    worst = next(p for p in report["parameters"] if p["name"] in failing)["worst"][0]
    assert {"index", "analytic", "numeric", "rel_error"} <= set(worst)


def test_usage_errors_exit_2():
    assert run("check").returncode == 2
    assert run("check", str(FIXTURES / "ref_columns.py"), "--format", "xml").returncode == 2
    assert run("--version").stdout.startswith("backpropdoctor ")


def test_verified_fix_carries_a_patch_and_no_fix_skips_verification():
    seed = str(FIXTURES / "seed001_flipped_sign.py")
    fixed = json.loads(run("check", seed, "--format", "json").stdout)
    flip = next(f for f in fixed["findings"] if f["rule"] == "flipped-sign")
    assert flip["verified"] is True
    assert "-        out_delta = label - probs" in flip["patch"]
    assert "+        out_delta = probs - label" in flip["patch"]
    assert "+        params[name] -= lr * grads[name]" in flip["patch"]  # the compensating update, fixed together
    quick = json.loads(run("check", seed, "--format", "json", "--no-fix").stdout)
    assert [f["rule"] for f in quick["findings"]] == [f["rule"] for f in fixed["findings"]]
    assert all(f["verified"] is False and f["patch"] is None for f in quick["findings"])
