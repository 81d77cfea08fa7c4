"""The CI gate's promise: one batch of hostile, broken and correct submissions, each with its own clear result.

Run once, the way an instructor's CI runs it (JSON, two jobs, a short
timeout, a secret in the environment); every test reads that one run.
"""

import json
import os
import time

import pytest

from helpers import FIXTURES, ROOT, cli

SECRET = "ghp_s3cr3t-for-the-reliability-suite"
TIMEOUT = 6

# submission -> (status, rule of its first error finding or None, its line: None, a number, or the lines of a loop)
EXPECTED = {
    "hostile/sleeping_loop.py": ("error", "timeout", {9, 10}),
    "hostile/memory_bomb.py": ("error", "import-error", 8),
    "hostile/os_exit_import.py": ("error", "crashed", None),
    "hostile/recursion.py": ("error", "user-exception", 8),
    "hostile/print_flood.py": ("pass", None, None),
    "hostile/forged_report.py": ("fail", "flipped-sign", None),
    "hostile/env_secret.py": ("pass", None, None),
    "hostile/write_outside.py": ("error", "import-error", 9),
    "hostile/network_call.py": ("error", "import-error", 8),
    "hostile/fork_and_hang.py": ("pass", None, None),
    "broken/endless_loop_import.py": ("error", "timeout", {20, 21}),
    "broken/sys_exit_at_import.py": ("error", "import-error", 17),
    "broken/raises_at_import.py": ("error", "import-error", 9),
    "broken/syntax_error.py": ("error", "syntax-error", 10),
    "broken/python2_print.py": ("error", "syntax-error", 9),
    "broken/segfault.py": ("error", "crashed", 13),
    "broken/huge_allocation.py": ("error", "import-error", 9),
    "ref_columns.py": ("pass", None, None),
    "ref_relu_kinks.py": ("pass", None, None),
    "seed002_fixed.py": ("pass", None, None),
    "seed001_flipped_sign.py": ("fail", "flipped-sign", 61),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    config = tmp_path_factory.mktemp("config") / "gate.toml"
    config.write_text("memory-mb = 1024\n")  # a course's limit; the memory bomb hits it quickly
    env = {**os.environ, "CI_SECRET_TOKEN": SECRET, "GITHUB_TOKEN": SECRET}
    started = time.monotonic()
    proc = cli("check", *(FIXTURES / name for name in EXPECTED), "--format", "json", "--jobs", "2",
               "--timeout", str(TIMEOUT), "--no-fix", "--config", config, env=env)
    elapsed = time.monotonic() - started
    return proc, json.loads(proc.stdout), elapsed


def _report(doc: dict, name: str) -> dict:
    [report] = [r for r in doc["reports"] if r["file"].endswith(name)]
    return report


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_submission_gets_its_own_clear_result(batch, name):
    _, doc, _ = batch
    status, rule, line = EXPECTED[name]
    report = _report(doc, name)
    assert report["status"] == status, report["findings"]
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    if rule is None:
        assert errors == []
    else:
        assert errors[0]["rule"] == rule, errors
        if line is not None:
            assert errors[0]["line"] in (line if isinstance(line, set) else {line}), errors[0]
        assert errors[0]["message"]


def test_the_batch_reports_every_submission_in_order_with_the_worst_status(batch):
    proc, doc, _ = batch
    assert doc["schema_version"] == 1
    assert doc["status"] == "error"
    assert proc.returncode == 2
    assert [r["file"].split("fixtures/")[1] for r in doc["reports"]] == list(EXPECTED)


def test_no_secret_reaches_any_output(batch):
    proc, _, _ = batch
    assert SECRET not in proc.stdout + proc.stderr


def test_a_forged_result_does_not_win(batch):
    _, doc, _ = batch
    forged = _report(doc, "hostile/forged_report.py")
    assert {p["status"] for p in forged["parameters"]} == {"fail"}


def test_nothing_is_written_outside_the_submission_copy(batch):
    assert not (FIXTURES / "written_by_student.txt").exists()
    assert not (FIXTURES / "hostile" / "dataset_ready.flag").exists()


def test_a_flood_of_prints_is_capped(batch):
    _, doc, _ = batch
    assert _report(doc, "hostile/print_flood.py")["status"] == "pass"
    assert len(batch[0].stdout) < 2_000_000


def test_the_report_states_the_isolation_achieved(batch):
    _, doc, _ = batch
    sandbox = _report(doc, "ref_columns.py")["sandbox"]
    assert {"network", "filesystem", "limits", "environment"} <= set(sandbox)
    assert sandbox["limits"]["RLIMIT_AS"] == 1024 * 1024 * 1024
    assert sandbox["limits"]["RLIMIT_CORE"] == 0
    network_call = _report(doc, "hostile/network_call.py")
    if sandbox["network"].startswith("isolated") or "TCP denied" in sandbox["filesystem"]:
        assert "without network access" in network_call["findings"][0]["fix"]


def test_the_batch_finishes_within_its_time_bound(batch):
    # Three submissions hang; two workers. A hang that escaped the timeout would blow far past this.
    _, _, elapsed = batch
    assert elapsed < 3 * (TIMEOUT + 3) + 60


def test_the_repository_is_left_as_it_was():
    leftovers = [p for p in (ROOT / "fixtures").rglob("*") if p.name in ("result.json", "local.txt")]
    assert leftovers == []


def test_the_working_copy_links_large_files_and_leaves_caches_out(tmp_path):
    from backpropdoctor.sandbox import COPY_FILE_BYTES, copy_submission

    home, work = tmp_path / "home", tmp_path / "work"
    (home / "data").mkdir(parents=True)
    (home / "__pycache__").mkdir()
    work.mkdir()
    (home / "model.py").write_text("x = 1\n")
    (home / "data" / "big.npy").write_bytes(b"\0" * (COPY_FILE_BYTES + 1))
    (home / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"\0")
    assert copy_submission(home, work) == []
    assert (work / "model.py").read_text() == "x = 1\n" and not (work / "model.py").is_symlink()
    assert (work / "data" / "big.npy").is_symlink()
    assert not (work / "__pycache__").exists()


def test_the_users_prints_are_in_the_json_report(batch):
    _, doc, _ = batch
    assert "epoch 0: still here" in _report(doc, "hostile/print_flood.py")["output"]
    assert "home is" in _report(doc, "hostile/env_secret.py")["output"]
