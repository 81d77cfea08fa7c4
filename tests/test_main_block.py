"""A network built only under the main guard is built without its training, and then checked."""

import json

from helpers import FIXTURES, check_json

STYLES = FIXTURES / "styles"


def test_the_setup_under_the_main_guard_runs_and_the_training_does_not():
    proc, report = check_json(STYLES / "inplace_built_in_main.py", "--no-fix")
    assert report["adapter"] == "layer-objects"
    [note] = [n for n in report["notes"] if "built in the `if __name__" in n]
    assert "ran its setup (lines 51, 52, 53, 54)" in note
    assert "stopped before line 55, which starts training" in note
    errors = {(f["rule"], f["line"]) for f in report["findings"] if f["severity"] == "error"}
    assert ("update-ascends", None) in errors  # the in-place step climbs: the flipped mse_prime
    assert ("flipped-sign", 36) in errors  # and the loss pair, checked alone on a few samples, names its line and sign
    assert proc.returncode == 1


def test_its_corrected_twin_passes_from_the_untrained_parameters():
    proc, report = check_json(STYLES / "inplace_built_in_main_fixed.py", "--no-fix")
    assert report["status"] == "pass" and proc.returncode == 0
    assert any("stopped before line 55" in n for n in report["notes"])


def test_a_file_without_a_main_guard_still_gets_the_protocol_message(tmp_path):
    (tmp_path / "layers.py").write_text("class Dense:\n    def forward(self, x):\n        return x\n")
    proc, report = check_json(tmp_path / "layers.py")
    assert proc.returncode == 2
    assert json.dumps(report["findings"][0]["rule"]) == '"protocol-mismatch"'
