"""The seed reports' networks: every bug named, on its layer and its line, and the twins clean."""

import pytest
from helpers import FIXTURES, check_json


def check(name: str) -> dict:
    proc, report = check_json(FIXTURES / name)
    report["exit"] = proc.returncode
    return report


def line_of(name: str, code: str) -> int:
    """The line holding `code` (found, not hard-coded, so the fixture can be edited)."""
    lines = (FIXTURES / name).read_text().splitlines()
    hits = [i + 1 for i, text in enumerate(lines) if text.strip().startswith(code)]
    assert len(hits) == 1, (code, hits)
    return hits[0]


def errors(report: dict) -> list[tuple]:
    return sorted((f["rule"], tuple(f["layers"]), f["line"]) for f in report["findings"] if f["severity"] == "error")


SEEDS = {
    # seed 001: the sign of the output error, compensated by an update that adds
    "seed001_flipped_sign.py": [("flipped-sign", (1, 2), "out_delta = label - probs")],
    # seed 002: sign convention, softmax Jacobian on top of the CE gradient, biases overwritten per sample
    "seed002_softmax_jacobian.py": [
        ("softmax-jacobian", (3,), "out_term = error.dot(softmax_jacobian(out))"),
        ("bias-gradient", (3,), "db3 = out_term"),
        ("bias-gradient", (2,), "db2 = h2_term"),
        ("bias-gradient", (1,), "db1 = h1_term"),
        ("flipped-sign", (1, 2, 3), "error = t - out"),
    ],
    # seed 003: the batch summed before the chain rule, with the sign flipped in the same line
    "seed003_reduced_batch.py": [
        ("wrong-reduction", (2,), "d_out = (2 / m) * np.sum(target - out"),
        ("flipped-sign", (1, 2), "d_out = (2 / m) * np.sum(target - out"),
    ],
    # seed 004: derivative applied to the upstream gradient, bias from the wrong tensor, 1/features not 1/N
    "seed004_wrong_tensor.py": [
        ("activation-derivative-wrong-tensor", (1, 2), "local_grad = self.act_prime(grad_out)"),
        ("bias-gradient", (1, 2), "d_b = (1.0 / self.inputs.shape[1]) * np.sum(grad_out"),
        ("scaled-gradient", (1,), "d_w = np.dot(self.inputs.T, local_grad)"),
        ("scaled-gradient", (2,), "d_w = np.dot(self.inputs.T, local_grad)"),
    ],
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_bug_of_the_seed_on_its_layer_and_line(name):
    report = check(name)
    expected = sorted((rule, layers, line_of(name, code)) for rule, layers, code in SEEDS[name])
    assert report["exit"] == 1
    assert errors(report) == expected


@pytest.mark.parametrize("name", ["seed002_softmax_jacobian.py", "seed003_reduced_batch.py"])
def test_each_named_bug_of_a_seed_has_a_verified_fix(name):
    report = check(name)
    for f in report["findings"]:
        if f["severity"] == "error":
            assert f["verified"] is True, f["rule"]
            assert f["patch"].startswith("--- a/")


@pytest.mark.parametrize("name", ["seed001_fixed.py", "seed002_fixed.py", "seed003_fixed.py", "seed004_fixed.py"])
def test_the_corrected_twins_pass(name):
    report = check(name)
    assert report["exit"] == 0
    assert report["status"] == "pass"
    assert report["findings"] == []
