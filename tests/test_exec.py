"""check --exec: networks in other languages, driven over the line protocol of docs/exec-protocol.md."""

import shlex
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import ROOT, check_json, cli

CLIENT = ROOT / "examples" / "exec" / "python_client.py"
RUST = ROOT / "examples" / "exec" / "rust"
PYTHON = shlex.quote(sys.executable)


def check_exec(command: str, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    return check_json(f"--exec={command}", *extra)


def only_finding(report: dict) -> dict:
    assert len(report["findings"]) == 1, [f["rule"] for f in report["findings"]]
    return report["findings"][0]


def test_python_client_passes_through_the_exec_adapter():
    command = f"{PYTHON} examples/exec/python_client.py"  # relative: the program runs where backpropdoctor was started
    proc, report = check_exec(command)
    assert proc.returncode == 0, proc.stdout
    assert report["status"] == "pass" and report["adapter"] == "exec"
    assert report["file"] == command
    assert [p["name"] for p in report["parameters"]] == ["W1", "b1", "W2", "b2"]
    assert all(p["status"] == "pass" for p in report["parameters"])
    assert any("exec protocol" in n for n in report["notes"])
    assert any("hidden tanh, head softmax-ce" in n for n in report["notes"])  # the batch made identification possible
    assert int(report["mapping"]["round_trips"]) > 10


def test_flipped_sign_in_the_python_client_is_named_without_a_line():
    proc, report = check_exec(f"{PYTHON} {CLIENT} --flip-sign")
    assert proc.returncode == 1
    f = next(f for f in report["findings"] if f["rule"] == "flipped-sign")
    assert f["layers"] == [1, 2] and f["parameters"] == ["W1", "b1", "W2", "b2"]
    assert f["line"] is None and f["patch"] is None and not f["verified"]
    assert [f["rule"] for f in report["findings"] if f["severity"] == "error"] == ["flipped-sign"]


def test_terminal_report_says_it_ran_through_the_exec_protocol():
    proc = cli("check", "--exec", f"{PYTHON} {CLIENT}")
    assert proc.returncode == 0
    assert "exec adapter" in proc.stdout and "Checked through the exec protocol" in proc.stdout


def test_pushed_values_round_trip_exactly(monkeypatch):
    """Perturbed elements reach the program bit for bit: its loss equals the same numpy loss computed here."""
    from backpropdoctor.adapters.exec_protocol import load

    model = load(f"{PYTHON} {CLIENT}", cwd=str(ROOT), deadline=time.monotonic() + 30)
    try:
        monkeypatch.syspath_prepend(str(CLIENT.parent))
        import python_client as here

        model.params["W1"][1, 2] += 1e-7 / 3  # one element: sent as set1
        model.params["W2"] *= 1 + 1 / 3  # every element: sent as one set
        remote = model.loss()
        for name, value in model.params.items():
            here.params[name][...] = value
        assert remote == here.loss()
        assert all(np.array_equal(model.gradients()[n], here.grads()[n]) for n in here.params)
    finally:
        model.close()


SAY = """\
import sys
def say(*lines):
    sys.stdout.write("".join(l + "\\n" for l in lines)); sys.stdout.flush()
"""
PROLOGUE = SAY + 'say("backpropdoctor 1", "param w 2 3", "end")\n'

BROKEN = {
    # name: (program after the prologue, rule, words the message must contain)
    "debug print before the hello": (None, "exec-protocol",
                                     ["first line should be `backpropdoctor 1`", "'Loading weights...'"]),
    "wrong count": ("say('1 2 3 4 5')\nsys.stdin.read()", "exec-protocol",
                    ["`params` for w has 5 numbers", "shape 2x3, so 6 were expected"]),
    "not numbers": ("say('1 2 3 4 five 6')\nsys.stdin.read()", "exec-protocol", ["not a line of numbers", "five"]),
    "exits mid-session": (("say('1 2 3 4 5 6')\nsys.stdin.readline()\nprint('out of memory', file=sys.stderr)\n"
                           "sys.exit(3)"), "crashed", ["exited with status 3 while answering `loss`"]),
    "error reply": ("say('1 2 3 4 5 6')\nsys.stdin.readline()\nsay('error no batch loaded')\nsys.stdin.read()",
                    "user-exception", ["answered `loss` with: error no batch loaded"]),
    "nan loss": ("say('1 2 3 4 5 6')\nfor line in sys.stdin:\n    say('ok' if line.startswith('set') else 'nan')",
                 "non-finite", ["returned nan"]),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_program_that_breaks_the_protocol_gets_a_specific_finding(name, tmp_path):
    body, rule, words = BROKEN[name]
    program = tmp_path / "net.py"
    program.write_text(PROLOGUE + body + "\n" if body is not None else
                       SAY + 'say("Loading weights...", "backpropdoctor 1", "param w 2 3", "end")\nsys.stdin.read()\n')
    proc, report = check_exec(f"{PYTHON} {program}")
    assert proc.returncode == 2, proc.stdout
    f = only_finding(report)
    assert f["rule"] == rule, f
    for word in words:
        assert word in f["message"], (word, f["message"])
    if name == "exits mid-session":
        assert "out of memory" in f["evidence"]["detail"]  # the program's stderr says why it died


def test_command_not_found():
    proc, report = check_exec("./no-such-network --serve")
    assert proc.returncode == 2
    f = only_finding(report)
    assert f["rule"] == "exec-protocol" and "command not found: ./no-such-network" in f["message"]


def test_a_hung_program_times_out_naming_the_command(tmp_path):
    program = tmp_path / "net.py"
    program.write_text(PROLOGUE + "say('1 2 3 4 5 6')\nsys.stdin.readline()\nimport time\ntime.sleep(600)\n")
    started = time.monotonic()
    proc, report = check_exec(f"{PYTHON} {program}", "--timeout", "3")
    assert time.monotonic() - started < 8
    assert proc.returncode == 2
    f = only_finding(report)
    assert f["rule"] == "timeout" and "did not answer `loss`" in f["message"]


def test_file_and_exec_are_exclusive():
    assert cli("check", str(CLIENT), "--exec", f"{PYTHON} {CLIENT}").returncode == 2
    neither = cli("check")
    assert neither.returncode == 2 and "--exec COMMAND" in neither.stderr


@pytest.fixture(scope="session")
def tinynet(tmp_path_factory) -> str:
    """The Rust example, built once per test session into a temporary target directory."""
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("cargo is not on PATH, so the Rust exec example (examples/exec/rust) cannot be built")
    target = tmp_path_factory.mktemp("cargo-target")
    build = subprocess.run([cargo, "build", "--offline", "--release", "--locked", "--quiet", "--target-dir",
                            str(target)], cwd=RUST, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    return str(target / "release" / "tinynet")


def test_rust_example_training_reproduces_the_symptom(tinynet):
    """Like seed 000: the loss climbs and the network ends up predicting one class for every sample."""
    epochs = subprocess.run([tinynet], capture_output=True, text=True, timeout=30).stdout.splitlines()
    first, last = epochs[0].split(), epochs[-1].split()
    assert float(last[3]) > 10 * float(first[3])
    assert len(set(epochs[-1].split("predicted")[1].strip(" []").split(", "))) == 1
    fixed = subprocess.run([tinynet, "--fixed"], capture_output=True, text=True, timeout=30).stdout.splitlines()
    assert float(fixed[-1].split()[3]) < 0.5 * float(first[3]) and "accuracy 8/8" in fixed[-1]


def test_rust_example_is_diagnosed_as_flipped_sign(tinynet):
    started = time.monotonic()
    proc, report = check_exec(f"{shlex.quote(tinynet)} --serve")
    assert time.monotonic() - started < 20
    assert proc.returncode == 1
    f = next(f for f in report["findings"] if f["rule"] == "flipped-sign")
    assert f["layers"] == [1, 2]
    assert all(p["status"] == "fail" and p["cosine"] < -0.999 for p in report["parameters"])
    assert any("hidden sigmoid, head softmax-ce" in n for n in report["notes"])


def test_corrected_rust_example_passes(tinynet):
    proc, report = check_exec(f"{shlex.quote(tinynet)} --serve --fixed")
    assert proc.returncode == 0, proc.stdout
    assert report["status"] == "pass" and len(report["parameters"]) == 4
