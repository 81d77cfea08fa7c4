"""assert_backprop_correct: an instructor's own test suite gates on a check, and a failure message is the report."""

import re

import pytest
from helpers import FIXTURES

from backpropdoctor.testing import assert_backprop_correct

ANSI = re.compile(r"\x1b\[")


def failure(path, **options) -> str:
    with pytest.raises(AssertionError) as caught:
        assert_backprop_correct(path, **options)
    return str(caught.value)


def test_correct_network_passes_and_returns_the_report():
    report = assert_backprop_correct(FIXTURES / "seed001_fixed.py")
    assert report.status == "pass" and report.exit_code == 0
    assert {p.name for p in report.parameters} == {"W1", "W2"}


def test_buggy_network_fails_with_the_report_as_message():
    message = failure(FIXTURES / "seed001_flipped_sign.py")
    headline, _, body = message.partition("\n\n")
    assert headline.endswith("seed001_flipped_sign.py fails the backprop check: flipped-sign (layers 1, 2) at line 61")
    assert "at " + str(FIXTURES / "seed001_flipped_sign.py") + ":61" in body
    assert ">   61 |         out_delta = label - probs" in body
    assert "verified fix: swap the operands of the subtraction" in body  # the tested patch reaches the student
    assert "FAIL  1 error(s), 1 warning(s)" in body
    assert not ANSI.search(message)
    assert max(len(line) for line in body.splitlines()) <= 100


def test_warnings_pass_by_default_and_fail_with_fail_on_warning():
    path = FIXTURES / "health" / "rand_init_relu_rows.py"
    assert assert_backprop_correct(path, fix=False).status == "warn"
    message = failure(path, fail_on="warning", fix=False)
    assert "fails the backprop check: non-centered-init" in message.splitlines()[0]


def test_allow_accepts_the_named_rules_only():
    path = FIXTURES / "health" / "rand_init_relu_rows.py"
    report = assert_backprop_correct(path, fail_on="warning", allow=["non-centered-init"], fix=False)
    assert [f.rule for f in report.findings] == ["non-centered-init"]
    message = failure(FIXTURES / "seed001_flipped_sign.py", fail_on="warning", allow=["non-centered-init"], fix=False)
    assert message.splitlines()[0].endswith(
        "fails the backprop check: flipped-sign (layers 1, 2) at line 61 (allowed: non-centered-init)")


def test_a_file_that_cannot_be_checked_fails_even_when_allowed():
    message = failure(FIXTURES / "broken" / "syntax_error.py", allow=["syntax-error"])
    assert "could not be checked: syntax-error" in message.splitlines()[0]
    assert "ERROR  the model could not be checked" in message


def test_a_misspelt_rule_is_an_error_not_a_silent_pass():
    with pytest.raises(ValueError, match="no rule named 'non-centred-init'; did you mean non-centered-init"):
        assert_backprop_correct(FIXTURES / "seed001_flipped_sign.py", allow=["non-centred-init"])
    with pytest.raises(ValueError, match="fail_on must be one of error, warning"):
        assert_backprop_correct(FIXTURES / "seed001_fixed.py", fail_on="warnings")


def test_notebook_failure_names_the_cell():
    message = failure(FIXTURES / "notebooks" / "hw3_wrong_derivative.ipynb")
    assert message.splitlines()[0].endswith(
        "fails the backprop check: activation-derivative-wrong-tensor (layer 1) at cell 10, line 10")
    assert "hw3_wrong_derivative.ipynb cell 10, line 10" in message
