"""Many submissions in one command, and a course's settings in [tool.backpropdoctor]."""

import json
import shutil

import pytest

from helpers import FIXTURES, cli


def _submissions(root, **files):
    """A folder of submission directories: name -> fixture copied in as model.py."""
    for name, fixture in files.items():
        (root / name).mkdir(parents=True)
        shutil.copy(FIXTURES / fixture, root / name / "model.py")
    return root


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    root = tmp_path_factory.mktemp("classroom")
    _submissions(root, alice="seed001_fixed.py", bob="seed001_flipped_sign.py", carol="broken/syntax_error.py")
    (root / "dave").mkdir()
    (root / "dave" / "notes.txt").write_text("I ran out of time")
    return root


@pytest.fixture(scope="module")
def classroom_json(classroom):
    proc = cli("check", classroom, "--format", "json", "--no-fix", "--jobs", "2")
    return proc, json.loads(proc.stdout)


def test_a_folder_of_submissions_gives_one_report_each_in_order(classroom_json):
    proc, doc = classroom_json
    assert doc["schema_version"] == 1
    assert [r["submission"] for r in doc["reports"]] == ["alice", "bob", "carol", "dave"]
    assert [r["status"] for r in doc["reports"]] == ["pass", "fail", "error", "error"]
    assert doc["status"] == "error"
    assert proc.returncode == 2


def test_each_report_names_its_file_and_the_bug(classroom_json, classroom):
    _, doc = classroom_json
    bob = doc["reports"][1]
    assert bob["file"] == str(classroom / "bob" / "model.py")
    assert bob["findings"][0]["rule"] == "flipped-sign"
    assert doc["reports"][2]["findings"][0]["rule"] == "syntax-error"


def test_a_directory_without_a_model_file_says_so(classroom_json):
    _, doc = classroom_json
    [finding] = doc["reports"][3]["findings"]
    assert finding["rule"] == "protocol-mismatch"
    assert "no .py or .ipynb file" in finding["message"]


def test_globs_and_files_mix_and_the_exit_code_is_the_worst(classroom):
    proc = cli("check", f"{classroom}/[ab]*", FIXTURES / "ref_columns.py", "--format", "json", "--no-fix")
    doc = json.loads(proc.stdout)
    assert [r["status"] for r in doc["reports"]] == ["pass", "fail", "pass"]
    assert proc.returncode == 1


def test_the_terminal_ends_with_a_summary_table(classroom):
    proc = cli("check", classroom / "alice", classroom / "bob", "--no-fix", "--jobs", "1")
    assert proc.returncode == 1
    summary = proc.stdout[proc.stdout.index("Summary: 2 submission(s)"):]
    assert "alice" in summary and "PASS" in summary
    assert "bob" in summary and "flipped-sign:61" in summary
    assert summary.rstrip().endswith("1 pass, 1 fail")


def test_the_model_file_name_is_configurable(tmp_path):
    (tmp_path / "erin").mkdir()
    shutil.copy(FIXTURES / "seed001_flipped_sign.py", tmp_path / "erin" / "network.py")
    (tmp_path / "erin" / "helpers.py").write_text("# not the model\n")
    proc = cli("check", tmp_path / "erin", "--format", "json", "--no-fix")
    doc = json.loads(proc.stdout)
    assert "holds several files (helpers.py, network.py)" in doc["reports"][0]["findings"][0]["message"]
    proc = cli("check", tmp_path / "erin", "--format", "json", "--no-fix", "--model-file", "network.py")
    assert json.loads(proc.stdout)["reports"][0]["findings"][0]["rule"] == "flipped-sign"


def test_an_input_that_matches_nothing_is_a_usage_error(tmp_path):
    proc = cli("check", f"{tmp_path}/nothing-*.py")
    assert proc.returncode == 2
    assert "matches no file or directory" in proc.stderr


def test_gradescope_takes_one_submission_and_still_writes_its_file(classroom, tmp_path):
    results = tmp_path / "results" / "results.json"
    proc = cli("check", classroom, "--format", "gradescope", "-o", results)
    assert proc.returncode == 2
    assert "one results.json for one submission; found 4" in proc.stderr
    written = json.loads(results.read_text())
    assert written["score"] == 0 and "found 4" in written["output"]


def test_the_report_can_go_to_a_file(tmp_path):
    out = tmp_path / "reports" / "seed001.txt"
    proc = cli("check", FIXTURES / "seed001_flipped_sign.py", "--no-fix", "-o", out)
    assert proc.returncode == 1
    assert proc.stdout == ""
    text = out.read_text()
    assert "flipped-sign" in text and "\x1b[" not in text


# --- configuration -----------------------------------------------------------

def _project(tmp_path, table: str, fixture: str = "seed001_flipped_sign.py"):
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'course'\n\n[tool.backpropdoctor]\n{table}\n")
    shutil.copy(FIXTURES / fixture, tmp_path / "model.py")
    return tmp_path


def _check_in(directory, *args):
    proc = cli("check", directory / "model.py", "--format", "json", "--no-fix", *args, cwd=directory)
    return proc, json.loads(proc.stdout) if proc.stdout.strip() else None


def test_pyproject_settings_ignore_rules_and_change_severities(tmp_path):
    project = _project(tmp_path, 'ignore = ["non-centered-init"]\nseverity = { flipped-sign = "warning" }')
    proc, doc = _check_in(project)
    assert [(f["rule"], f["severity"]) for f in doc["findings"]] == [("flipped-sign", "warning")]
    assert doc["status"] == "warn" and proc.returncode == 0
    proc, _ = _check_in(project, "--fail-on", "warning")
    assert proc.returncode == 1


def test_select_keeps_only_the_rules_a_course_grades(tmp_path):
    project = _project(tmp_path, 'select = ["non-centered-init"]')
    _, doc = _check_in(project)
    assert [f["rule"] for f in doc["findings"]] == ["non-centered-init"]


def test_a_tolerance_loosens_the_gradient_check(tmp_path):
    source = (FIXTURES / "ref_columns.py").read_text()
    _project(tmp_path, "")
    (tmp_path / "model.py").write_text(source + "\n\n_exact = grads\n\n\ndef grads(*args):\n"
                                       "    return {k: v * 1.002 for k, v in _exact(*args).items()}\n")
    _, strict = _check_in(tmp_path)
    assert strict["status"] == "fail"
    _project(tmp_path, "tolerance = { float64 = 0.01 }")
    (tmp_path / "model.py").write_text(source + "\n\n_exact = grads\n\n\ndef grads(*args):\n"
                                       "    return {k: v * 1.002 for k, v in _exact(*args).items()}\n")
    _, loose = _check_in(tmp_path)
    assert loose["status"] in ("pass", "warn")
    assert any("Relative tolerance 0.01" in n for n in loose["notes"])


@pytest.mark.parametrize("table, message", [
    ("timout = 5", "unknown key 'timout'; did you mean 'timeout'?"),
    ('ignore = ["flipped-sing"]', "no rule named 'flipped-sing'; did you mean 'flipped-sign'?"),
    ('ignore = ["syntax-error"]', "cannot be ignored"),
    ('severity = { flipped-sign = "fatal" }', "must be one of error, warning, info"),
    ('timeout = "long"', "timeout should be int or float"),
    ("timeout = [", "not valid TOML"),
])
def test_a_broken_configuration_is_a_usage_error_that_says_what_is_wrong(tmp_path, table, message):
    project = _project(tmp_path, table)
    proc, _ = _check_in(project)
    assert proc.returncode == 2
    assert message in " ".join(proc.stderr.split())


def test_a_config_file_can_be_given_explicitly(tmp_path):
    config = tmp_path / "gate.toml"
    config.write_text('ignore = ["flipped-sign", "non-centered-init"]\n')
    proc = cli("check", FIXTURES / "seed001_flipped_sign.py", "--format", "json", "--no-fix", "--config", config)
    assert json.loads(proc.stdout)["findings"] == [] and proc.returncode == 0


def test_a_course_can_turn_the_confinement_off_and_the_report_says_so(tmp_path):
    config = tmp_path / "open.toml"
    config.write_text("confine-files = false\nisolate-network = false\n")
    proc = cli("check", FIXTURES / "ref_columns.py", "--format", "json", "--no-fix", "--config", config)
    report = json.loads(proc.stdout)
    assert report["status"] == "pass"
    assert report["sandbox"]["network"] == "not isolated (disabled)"
    assert report["sandbox"]["filesystem"] == "not confined (disabled)"
