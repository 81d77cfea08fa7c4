"""The CI gate at class size: 50 submissions (correct, buggy, hostile) in one command.

Run:  python benchmarks/bench_batch.py [--quick]

Builds a classroom of 50 submission directories from the shipped fixtures
(each copied in as model.py), then, in this one run, side by side:

  T_jobs2        `backpropdoctor check CLASSROOM --jobs 2 --format json` (fix verification on, as in CI)
  T_jobs1        the same with --jobs 1 (skipped with --quick)
  T_nofix        --jobs 2 --no-fix
  T_single_sum   the sum of each submission's own elapsed time in the jobs-2 run

and checks that every submission got the right result: correct ones no
error, buggy ones their named rule, hostile ones their specific finding.
A wrong result makes the benchmark exit 1.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
TIMEOUT = 10

CORRECT = [
    "ref_columns.py", "ref_float32.py", "ref_model_object.py", "ref_per_sample_loop.py", "ref_relu_kinks.py",
    "ref_relu_mse.py", "ref_sigmoid_softmax.py", "ref_tanh_bce.py", "ref_tiny_init.py", "ref_train_step.py",
    "seed001_fixed.py", "seed002_fixed.py", "seed003_fixed.py", "seed004_fixed.py",
    "diagnosis/correct_leaky_derivative_on_output_L_leaky.py", "diagnosis/correct_relu_derivative_on_activation_R_relu.py",
    "diagnosis/correct_sigmoid_mse_output_form_R_sigmoid.py", "diagnosis/correct_sigmoid_output_form_L_sigmoid.py",
    "diagnosis/correct_softmax_mse_full_jacobian_C_sigmoid.py", "diagnosis/correct_tanh_one_minus_a_squared_C_tanh.py",
]
BUGGY = {
    "seed001_flipped_sign.py": "flipped-sign",
    "seed002_softmax_jacobian.py": "softmax-jacobian",
    "seed004_wrong_tensor.py": "activation-derivative-wrong-tensor",
    "rules/flipped_sign_rows.py": "flipped-sign",
    "rules/scaled_batch_columns.py": "scaled-gradient",
    "rules/missing_bias_gradient.py": "missing-gradient",
    "rules/transposed_nonsquare.py": "transposed-gradient",
    "rules/l2_missing.py": "regularization-gradient",
    "rules/update_adds.py": "update-ascends",
    "rules/grads_mutates_params.py": "params-mutated",
    "rules/model_object_scaled.py": "scaled-gradient",
    "rules/wrong_derivative_formula.py": "gradient-mismatch",
    "diagnosis/softmax_jacobian_full_R_sigmoid.py": "softmax-jacobian",
    "diagnosis/missing_activation_derivative_hidden_R_relu.py": "missing-activation-derivative",
    "diagnosis/bias_gradient_last_sample_L_tanh.py": "bias-gradient",
    "diagnosis/wrong_reduction_summed_output_R_relu.py": "wrong-reduction",
    "hostile/forged_report.py": "flipped-sign",
    "rules/transposed_square.py": "transposed-gradient",
}
HOSTILE = {
    "hostile/sleeping_loop.py": "timeout",
    "hostile/memory_bomb.py": "import-error",
    "hostile/os_exit_import.py": "crashed",
    "hostile/recursion.py": "user-exception",
    "hostile/write_outside.py": "import-error",
    "hostile/network_call.py": "import-error",
    "broken/endless_loop_in_grads.py": "timeout",
    "broken/segfault.py": "crashed",
    "broken/python2_print.py": "syntax-error",
    "broken/sys_exit_at_import.py": "import-error",
    "broken/nan_loss.py": "non-finite",
}
NOISY_BUT_CORRECT = ["hostile/print_flood.py"]


def build(root: Path) -> dict[str, tuple[str, str | None]]:
    """Submission directories student01..student50; name -> (kind, expected rule)."""
    plan = [(f, "correct", None) for f in CORRECT + NOISY_BUT_CORRECT] + \
        [(f, "buggy", r) for f, r in BUGGY.items()] + [(f, "hostile", r) for f, r in HOSTILE.items()]
    assert len(plan) == 50, len(plan)
    expected = {}
    for i, (fixture, kind, rule) in enumerate(plan, 1):
        name = f"student{i:02d}"
        (root / name).mkdir()
        shutil.copy(FIXTURES / fixture, root / name / "model.py")
        for helper in (FIXTURES / fixture).parent.glob("_*.py"):  # sibling modules a submission imports
            shutil.copy(helper, root / name / helper.name)
        expected[name] = (kind, rule, fixture)
    return expected


def run(classroom: Path, *args: str) -> tuple[float, dict]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "backpropdoctor", "check", str(classroom), "--format", "json",
                           "--timeout", str(TIMEOUT), *args], capture_output=True, text=True, cwd=classroom)
    elapsed = time.monotonic() - started
    try:
        return elapsed, json.loads(proc.stdout)
    except ValueError:
        sys.exit(f"not JSON (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")


def wrong_results(doc: dict, expected: dict) -> list[str]:
    wrong = []
    for report in doc["reports"]:
        kind, rule, fixture = expected[report["submission"]]
        errors = [f["rule"] for f in report["findings"] if f["severity"] == "error"]
        ok = (not errors if kind == "correct" else
              rule in errors if kind == "buggy" else
              report["status"] == "error" and errors[:1] == [rule])
        if not ok:
            wrong.append(f"{report['submission']} ({fixture}): expected {rule or 'no error'}, got "
                         f"{report['status']} {errors}")
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the --jobs 1 run")
    quick = parser.parse_args().quick
    print(f"python {platform.python_version()}, {platform.machine()}, cores available: "
          f"{len(__import__('os').sched_getaffinity(0))}")
    with tempfile.TemporaryDirectory(prefix="bpd-classroom-") as tmp:
        classroom = Path(tmp)
        expected = build(classroom)
        counts = {k: sum(v[0] == k for v in expected.values()) for k in ("correct", "buggy", "hostile")}
        print(f"classroom: 50 submissions ({counts['correct']} correct, {counts['buggy']} buggy, "
              f"{counts['hostile']} hostile or broken), timeout {TIMEOUT} s each")
        t2, doc2 = run(classroom, "--jobs", "2")
        t_nofix, doc_nofix = run(classroom, "--jobs", "2", "--no-fix")
        t1, doc1 = (None, None) if quick else run(classroom, "--jobs", "1")
        wrong = wrong_results(doc2, expected) + wrong_results(doc_nofix, expected) + \
            (wrong_results(doc1, expected) if doc1 else [])
        own = sum(r["elapsed_seconds"] or 0 for r in doc2["reports"])
        statuses = {s: sum(r["status"] == s for r in doc2["reports"]) for s in ("pass", "warn", "fail", "error")}
        print(f"results (jobs 2): {statuses}; right results: {150 - len(wrong) if doc1 else 100 - len(wrong)}"
              f"/{150 if doc1 else 100} (all runs)")
        print(f"T_jobs2       {t2:7.1f} s   ({t2 / 50:.2f} s per submission)")
        print(f"T_nofix       {t_nofix:7.1f} s   (jobs 2, fix verification off)")
        if t1 is not None:
            print(f"T_jobs1       {t1:7.1f} s   -> --jobs 2 is {t1 / t2:.2f}x faster")
        print(f"T_single_sum  {own:7.1f} s   (sum of per-submission times in the jobs-2 run; "
              f"parallel efficiency {own / (2 * t2):.0%})")
        slowest = sorted(doc2["reports"], key=lambda r: -(r["elapsed_seconds"] or 0))[:5]
        print("slowest:", ", ".join(f"{r['submission']} {r['elapsed_seconds']:.1f} s "
                                    f"({expected[r['submission']][2]})" for r in slowest))
        for line in wrong:
            print("WRONG:", line)
        sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
