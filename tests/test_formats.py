"""CI output formats: JUnit XML, GitHub annotations and summary, Gradescope results.json, SARIF, batch JSON.

Reports come from really checking shipped fixtures; only the escaping cases
build a finding by hand, because no model should print control characters.
"""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from helpers import FIXTURES, ROOT

from backpropdoctor import rules
from backpropdoctor.api import check_file
from backpropdoctor.render import github, gradescope, junit, sarif
from backpropdoctor.render import json as json_render
from backpropdoctor.render.checks import checks

DATA = Path(__file__).parent / "data"
FLIPPED = "seed001_flipped_sign.py"
SKIPPED_ON_FLIPPED = {"softmax-overflow", "loss-increasing", "learning-rate", "class-collapse"}


@pytest.fixture(scope="module")
def reports() -> dict:
    """One real report per situation a CI user meets: fail, pass, warn, a syntax error, a crash at import, a hang."""
    files = {"fail": FIXTURES / FLIPPED, "pass": FIXTURES / "seed001_fixed.py",
             "warn": FIXTURES / "health" / "mse_softmax_columns.py",
             "syntax": FIXTURES / "broken" / "syntax_error.py", "exit": FIXTURES / "broken" / "sys_exit_at_import.py"}
    out = {key: check_file(path, fix=False) for key, path in files.items()}
    out["timeout"] = check_file(FIXTURES / "broken" / "endless_loop_in_grads.py", fix=False, timeout=2)
    assert [out[k].status for k in ("fail", "pass", "warn", "syntax", "exit", "timeout")] == \
        ["fail", "pass", "warn", "error", "error", "error"]
    return out


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    """CI runs from the repository root: annotation paths are relative to it."""
    monkeypatch.chdir(ROOT)


def applicable_rules() -> list[str]:
    """The catalogue's rules a checked model is judged on: no reserved rules, no file-loading rules."""
    return [r.name for r in rules.catalogue().values() if not rules.is_reserved(r) and r.category != "input"]


def edge_case(report):
    """A real report whose finding and program output carry everything that breaks naive escaping."""
    nasty = "100% wrong, see a:b\r\nnext line <tag> & \"quoted\"\x00\x07\x1b[31m\ufffe end"
    finding = dataclasses.replace(report.findings[0], message=nasty, fix="use 50%: a,b", file="dir, x/a:b.py")
    return dataclasses.replace(report, findings=[finding], output="printed\x00\x08 <ok> & done\n")


# --- checks ----------------------------------------------------------------------------------------------------------


def test_checks_of_a_failing_model(reports):
    found = {c.name: c for c in checks(reports["fail"])}
    assert list(found) == ["gradient W1", "gradient W2", *applicable_rules()]
    assert "syntax-error" not in found
    assert found["gradient W1"].status == "failed"
    assert "relative error 1, cosine -1" in found["gradient W1"].message
    assert "explained by flipped-sign at" in found["gradient W1"].message
    assert "non-centered-init" not in found["gradient W1"].message  # a health warning explains no gradient
    flipped = found["flipped-sign"]
    assert (flipped.status, flipped.line, Path(flipped.file).name) == ("failed", 61, FLIPPED)
    assert "fix: Flip the sign" in flipped.message
    assert {n for n, c in found.items() if c.status == "skipped"} == SKIPPED_ON_FLIPPED
    assert found["learning-rate"].message == "not checked: " + reports["fail"].skipped["learning-rate"]
    assert found["non-centered-init"].status == "passed"  # a warning passes unless --fail-on warning
    assert found["non-centered-init"].message.startswith("Non-centred initial weights")
    assert {c.name: c.status for c in checks(reports["fail"], "warning")}["non-centered-init"] == "failed"


def test_checks_of_a_passing_model(reports):
    found = checks(reports["pass"])
    assert [c.name for c in found[:2]] == ["gradient W1", "gradient W2"]
    assert {c.status for c in found} == {"passed", "skipped"}
    assert [c.name for c in found if c.status == "skipped"] == ["softmax-overflow"]


def test_a_file_that_cannot_be_checked_is_one_errored_check_with_its_line(reports):
    [syntax] = checks(reports["syntax"])
    assert (syntax.name, syntax.status, syntax.group, syntax.line) == ("load: syntax-error", "error", "load", 10)
    assert syntax.message.startswith("expected ':'")
    [hang] = checks(reports["timeout"])
    assert hang.name == "load: timeout" and 17 <= hang.line <= 20  # wherever the endless loop was interrupted
    assert "did not finish within 2 s" in hang.message


def test_fail_on_must_be_known(reports):
    with pytest.raises(ValueError, match="fail_on"):
        checks(reports["fail"], fail_on="warnings")


# --- JUnit -----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(DATA / "junit-10.xsd"))


def test_junit_validates_and_counts(reports, junit_schema):
    batch = [dataclasses.replace(reports["fail"], submission="alice"), reports["pass"], reports["syntax"],
             reports["exit"]]
    xml = junit.render(batch)
    junit_schema.validate(xml)
    root = ET.fromstring(xml)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["alice", str(FIXTURES / "seed001_fixed.py"),
                                               str(FIXTURES / "broken" / "syntax_error.py"),
                                               str(FIXTURES / "broken" / "sys_exit_at_import.py")]
    alice = suites[0]
    n = 2 + len(applicable_rules())
    assert {k: alice.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": str(n), "failures": "3", "errors": "0", "skipped": "4"}
    assert len(alice.findall("testcase")) == n
    assert {c.get("classname") for c in alice.findall("testcase")} == {"alice"}
    failure = alice.find("testcase[@name='flipped-sign']/failure")
    assert failure.get("message").startswith("The gradient of W1, W2 (layers 1, 2) has the wrong sign")
    assert f"{FLIPPED}:61" in failure.text and "fix: Flip the sign" in failure.text
    skipped = alice.find("testcase[@name='softmax-overflow']/skipped")
    assert skipped.get("message") == "not checked: the output layer has no bias to shift the logits with"
    assert list(alice.find("testcase[@name='transposed-gradient']")) == []  # a clean pass has no body
    assert suites[1].get("failures") == "0" and suites[1].get("errors") == "0"
    error = suites[2].find("testcase[@name='load: syntax-error']/error")
    assert error.get("message") == "expected ':'" and "syntax_error.py:10" in error.text
    assert (suites[2].get("tests"), suites[2].get("errors")) == ("1", "1")
    assert suites[3].find("system-out").text == "done setting up\n"  # what the student's program printed
    assert {k: root.get(k) for k in ("tests", "failures", "errors")} == \
        {"tests": str(sum(int(s.get("tests")) for s in suites)), "failures": "3", "errors": "2"}


def test_junit_warnings_fail_only_with_fail_on_warning(reports, junit_schema):
    lenient, strict = (ET.fromstring(junit.render([reports["warn"]], f)).find("testsuite") for f in ("error", "warning"))
    assert lenient.get("failures") == "0"
    assert "squared error" in lenient.find("testcase[@name='mse-for-multiclass']/system-out").text
    assert strict.get("failures") == "1"
    assert strict.find("testcase[@name='mse-for-multiclass']/failure") is not None
    junit_schema.validate(junit.render([reports["warn"]], "warning"))


def test_junit_strips_characters_xml_cannot_carry(reports, junit_schema):
    xml = junit.render([edge_case(reports["fail"])])
    junit_schema.validate(xml)
    suite = ET.fromstring(xml).find("testsuite")
    assert suite.find("system-out").text == "printed <ok> & done\n"
    failure = suite.find("testcase[@name='flipped-sign']/failure")
    # XML parsers read a CR LF as LF: the line break survives, the control characters do not
    assert failure.text.startswith("100% wrong, see a:b\nnext line <tag> & \"quoted\"[31m end\n")
    assert failure.get("message") == "100% wrong, see a:b"


# --- GitHub ----------------------------------------------------------------------------------------------------------


def test_github_annotations_point_at_the_line(reports):
    lines = github.annotations([reports["fail"], reports["syntax"]]).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"::error file=fixtures/{FLIPPED},line=61,title=backpropdoctor%3A flipped-sign::"
                               "The gradient of W1, W2 (layers 1, 2) has the wrong sign")
    assert "%0Afix: Flip the sign" in lines[0]
    assert lines[1].startswith(f"::warning file=fixtures/{FLIPPED},title=backpropdoctor%3A non-centered-init::")
    assert "below 0.2%25," in lines[1]
    assert lines[2] == "::error file=fixtures/broken/syntax_error.py,line=10,title=backpropdoctor%3A syntax-error::" \
                       "expected ':'"
    strict = github.annotations([reports["fail"]], fail_on="warning").splitlines()
    assert strict[1].startswith("::error ") and "non-centered-init" in strict[1]


def test_github_escaping_matches_the_toolkit():
    assert github.escape_data("50% a:b,c\r\nd") == "50%25 a:b,c%0D%0Ad"
    assert github.escape_property("50% a:b,c\r\nd") == "50%25 a%3Ab%2Cc%0D%0Ad"
    assert github.escape_data("%0A") == "%250A"  # an escape sequence in the text stays text


def test_github_annotation_of_a_nasty_finding_is_one_command(reports):
    finding = edge_case(reports["fail"]).findings[0]
    line = github.annotation(finding)
    assert "\n" not in line and "\r" not in line
    head, message = line.split("::", 2)[1:]
    props = dict(p.split("=", 1) for p in head.split(" ", 1)[1].split(","))
    assert props == {"file": "dir%2C x/a%3Ab.py", "line": "61", "title": "backpropdoctor%3A flipped-sign"}

    def unescape(s):  # what the runner does, in reverse order of the escaping
        return s.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")

    assert unescape(message) == finding.message + "\nfix: use 50%: a,b"
    assert unescape(props["file"]) == "dir, x/a:b.py"


def test_github_summary(reports):
    text = github.summary([dataclasses.replace(reports["fail"], submission="alice|bob"), reports["pass"],
                           reports["syntax"]])
    lines = text.splitlines()
    n = 2 + len(applicable_rules())
    assert "3 submission(s): 1 passed, 1 failed, 1 could not be checked." in lines
    assert f"| alice\\|bob | ❌ fail | {n - 3 - 4}/{n} passed | `flipped-sign`, `non-centered-init` |" in lines
    assert f"| {FIXTURES / 'seed001_fixed.py'} | ✅ pass | {n - 1}/{n} passed | - |" in lines
    assert "### alice\\|bob" in lines and f"### {FIXTURES / 'broken' / 'syntax_error.py'}" in lines
    assert not any(line.startswith("### ") and "seed001_fixed" in line for line in lines)
    assert any(line.startswith("- **flipped-sign** (error) at `") and f"{FLIPPED}:61`" in line for line in lines)
    assert any(line.startswith("  - fix: Flip the sign") for line in lines)
    assert any(line.startswith("- **syntax-error** (error) at `") and "syntax_error.py:10`: expected ':'" in line
               for line in lines)


# --- Gradescope ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gradescope_schema() -> dict:
    schema = json.loads((DATA / "gradescope-results.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_gradescope_scores_a_failing_model(reports, gradescope_schema):
    results = json.loads(gradescope.render(reports["fail"]))
    jsonschema.validate(results, gradescope_schema)
    tests = {t["name"]: t for t in results["tests"]}
    n = 2 + len(applicable_rules())
    assert len(tests) == n and {t["max_score"] for t in tests.values()} == {1.0}
    assert results["score"] == n - 3
    assert {name for name, t in tests.items() if t["status"] == "failed"} == {"gradient W1", "gradient W2",
                                                                               "flipped-sign"}
    assert tests["flipped-sign"]["score"] == 0.0 and f"{FLIPPED}:61" in tests["flipped-sign"]["output"]
    assert tests["softmax-overflow"]["status"] == "passed"  # not applicable: no points lost
    assert tests["softmax-overflow"]["output"].startswith("not checked:")
    assert results["output"].startswith(f"backpropdoctor: FAIL ({n - 3} / {n} points)")
    assert results["execution_time"] >= 1


def test_gradescope_full_marks_for_a_correct_model(reports, gradescope_schema):
    results = json.loads(gradescope.render(reports["pass"]))
    jsonschema.validate(results, gradescope_schema)
    assert results["score"] == sum(t["max_score"] for t in results["tests"]) == 2 + len(applicable_rules())
    assert {t["status"] for t in results["tests"]} == {"passed"}


def test_gradescope_points_most_specific_wins(reports, gradescope_schema):
    points = {"gradient": 5, "rules": 0.5, "flipped-sign": 3, "gradient W2": 2}
    results = json.loads(gradescope.render(reports["fail"], points))
    jsonschema.validate(results, gradescope_schema)
    max_score = {t["name"]: t["max_score"] for t in results["tests"]}
    assert (max_score["gradient W1"], max_score["gradient W2"], max_score["flipped-sign"]) == (5, 2, 3)
    assert max_score["dead-relu"] == 0.5
    assert results["score"] == 0.5 * (len(applicable_rules()) - 1)  # every rule but flipped-sign, no gradient


def test_gradescope_rejects_bad_points(reports):
    with pytest.raises(ValueError, match="gradient"):
        gradescope.render(reports["fail"], {"gradient": -1})


def test_gradescope_warning_costs_points_only_with_fail_on_warning(reports, gradescope_schema):
    lenient, strict = (json.loads(gradescope.render(reports["warn"], fail_on=f)) for f in ("error", "warning"))
    jsonschema.validate(strict, gradescope_schema)
    assert strict["score"] == lenient["score"] - 1
    [mse] = [t for t in strict["tests"] if t["name"] == "mse-for-multiclass"]
    assert mse["status"] == "failed" and "squared error" in mse["output"]
    assert lenient["output"].startswith("backpropdoctor: PASS with warnings")
    assert strict["output"].startswith("backpropdoctor: FAIL (warnings count as failures)")


def test_gradescope_visibility(reports, gradescope_schema):
    hidden = json.loads(gradescope.render(reports["pass"], visibility="after_due_date"))
    jsonschema.validate(hidden, gradescope_schema)
    assert hidden["visibility"] == "after_due_date"
    assert "visibility" not in json.loads(gradescope.render(reports["pass"]))
    with pytest.raises(ValueError, match="visibility"):
        gradescope.render(reports["pass"], visibility="later")


@pytest.mark.parametrize("key, rule, lines", [("syntax", "syntax-error", [10]), ("exit", "import-error", [17]),
                                              ("timeout", "timeout", [17, 18, 19, 20])])
def test_gradescope_results_even_when_the_file_cannot_be_checked(reports, gradescope_schema, key, rule, lines):
    results = json.loads(gradescope.render(reports[key]))
    jsonschema.validate(results, gradescope_schema)
    assert results["score"] == 0
    assert [(t["name"], t["status"], t["score"]) for t in results["tests"]] == [(f"load: {rule}", "failed", 0.0)]
    assert "could not be checked" in results["output"]
    assert any(re.search(rf"\.py:{line}(\D|$)", results["output"], re.MULTILINE) for line in lines)
    if key == "exit":
        assert results["output"].endswith("Your program printed:\ndone setting up")


# --- SARIF and batch JSON --------------------------------------------------------------------------------------------


def test_sarif_essentials(reports):
    log = json.loads(sarif.render([reports["fail"], reports["syntax"]]))
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == list(rules.catalogue())
    assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] for r in driver["rules"])
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("flipped-sign", "error"), ("non-centered-init", "warning"),
                                                            ("syntax-error", "error")]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": f"fixtures/{FLIPPED}"}, "region": {"startLine": 61}}
    assert "region" not in results[1]["locations"][0]["physicalLocation"]
    outside = dataclasses.replace(reports["fail"].findings[0], file="/elsewhere/my model.py")
    moved = json.loads(sarif.render([dataclasses.replace(reports["fail"], findings=[outside])]))
    assert moved["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == \
        {"uri": "file:///elsewhere/my%20model.py"}


def test_json_batch_reports_the_worst_status(reports):
    batch = json.loads(json_render.render_many([reports["pass"], reports["fail"]]))
    assert (batch["schema_version"], batch["status"]) == (1, "fail")
    assert [r["status"] for r in batch["reports"]] == ["pass", "fail"]
    assert json.loads(json_render.render_many([reports["warn"], reports["syntax"]]))["status"] == "error"
    assert json.loads(json_render.render_many([reports["pass"], reports["warn"]]))["status"] == "warn"
    assert json.loads(json_render.render_many([]))["status"] == "pass"

