"""Side-by-side timing of `backpropdoctor check` against its baselines.

Run:  python benchmarks/bench_check.py        (needs the `bench` extra: scipy)

Everything is measured in this one run, on this machine, so the ratios are
comparable even when absolute times drift (shared or noisy machines):

  T_check        wall time of `python -m backpropdoctor check BIG --format json`
                 as a subprocess (interpreter start included), median of 5
  T_call         one loss + grads call of BIG in-process, median of many
  T_scipy_small  scipy.optimize.check_grad on the small model, one real run
  T_scipy_big    check_grad on BIG, extrapolated: (n_params + 1) loss calls + 1 grads call
  flipped sign   a temp copy of BIG with the output error negated must fail with rule flipped-sign
  start-up       `python -c "import numpy"`, `... import backpropdoctor.cli`, `backpropdoctor --version`

BLAS is pinned to one thread here, as the checker's child process pins it,
so in-process calls and the child run the same way.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported; the checker's child does the same

import importlib.util  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
BIG = HERE / "models" / "mlp_784_256_128_10.py"
SMALL = HERE / "models" / "mlp_small.py"

N_CHECK = 5            # timed check runs on the big model (after one warm-up)
N_CHECK_SMALL = 3
N_STARTUP = 5
N_CALLS = 100          # in-process loss + grads calls
N_LOSS_CALLS = 300     # in-process loss-only calls (for the scipy extrapolation)

TARGET_SECONDS = 2.0
TARGET_SPEEDUP = 100.0

# The flipped-sign copy: negate dL/dlogits (the output error), nothing else.
FLIP_FROM = "    delta /= n "
FLIP_TO = "    delta /= -n"


def run(args: list[str]) -> tuple[float, int, str, str]:
    """Wall time, exit code, stdout, stderr of `python ARGS` (process start included)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True)
    return time.perf_counter() - start, proc.returncode, proc.stdout, proc.stderr


def check(path: Path) -> tuple[float, int, dict]:
    wall, code, out, err = run(["-m", "backpropdoctor", "check", str(path), "--format", "json"])
    try:
        report = json.loads(out)
    except ValueError:
        raise SystemExit(f"check {path} printed no JSON (exit {code}):\n{out}\n{err}") from None
    return wall, code, report


def timed_checks(path: Path, n: int) -> tuple[list[float], list[float], dict, int]:
    check(path)  # warm-up: bytecode caches and the page cache, not counted
    walls, childs, report, code = [], [], {}, 0
    for _ in range(n):
        wall, code, report = check(path)
        walls.append(wall)
        childs.append(float(report.get("elapsed_seconds") or float("nan")))
    return walls, childs, report, code


def load_model(path: Path):
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))  # a model file may import its neighbour, as under `check`
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_time(fn, n: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def n_params(model) -> int:
    return sum(int(p.size) for p in model.params.values())


def in_process_measure(path: Path) -> tuple[float, int]:
    """What the child does after start-up: load + measure, in this process (median of 3), and its loss-call count."""
    from backpropdoctor.adapters import load
    from backpropdoctor.measure import measure

    times, calls = [], 0
    for _ in range(4):
        model = load(str(path))
        counter = {"loss": 0}
        user_loss = model.loss

        def counted_loss():
            counter["loss"] += 1
            return user_loss()

        model.loss = counted_loss
        start = time.perf_counter()
        measure(model)
        times.append(time.perf_counter() - start)
        calls = counter["loss"]
    return statistics.median(times[1:]), calls


def scipy_check_grad(model) -> tuple[float, float, float]:
    """One real check_grad run: (seconds, |g_fd - g|, |g|)."""
    from scipy.optimize import check_grad

    names = list(model.params)
    shapes = [model.params[k].shape for k in names]
    sizes = [int(np.prod(s)) for s in shapes]
    offsets = np.cumsum([0] + sizes)
    x0 = np.concatenate([model.params[k].ravel() for k in names])

    def unflatten(x):
        return {k: x[a:b].reshape(s) for k, a, b, s in zip(names, offsets[:-1], offsets[1:], shapes)}

    def func(x):
        return model.loss(unflatten(x), model.X, model.y)

    def grad(x):
        g = model.grads(unflatten(x), model.X, model.y)
        return np.concatenate([np.asarray(g[k]).ravel() for k in names])

    start = time.perf_counter()
    err = check_grad(func, grad, x0)
    seconds = time.perf_counter() - start
    return seconds, float(err), float(np.linalg.norm(grad(x0)))


def fmt_s(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def spread(values: list[float]) -> str:
    return f"min {fmt_s(min(values))}, max {fmt_s(max(values))}"


def main() -> int:
    t_total = time.perf_counter()
    rows: list[tuple[str, str, str]] = []
    failures: list[str] = []

    def row(name: str, value: str, note: str = "") -> None:
        rows.append((name, value, note))

    import backpropdoctor

    print(f"backpropdoctor {backpropdoctor.__version__} | Python {platform.python_version()} | "
          f"numpy {np.__version__} | {platform.machine()} | cpus {os.cpu_count()} | BLAS threads pinned to 1")
    print(f"interpreter: {sys.executable}")
    print("running (about 1 minute) ...", flush=True)

    # -- start-up share ---------------------------------------------------------------------------
    startup = {
        "python -c pass": ["-c", "pass"],
        "python -c 'import numpy'": ["-c", "import numpy"],
        "python -c 'import backpropdoctor.cli'": ["-c", "import backpropdoctor.cli"],
        "backpropdoctor --version": ["-m", "backpropdoctor", "--version"],
    }
    startup_times = {}
    for label, args in startup.items():
        run(args)
        startup_times[label] = statistics.median(run(args)[0] for _ in range(N_STARTUP))

    # -- the big model: check, in-process calls ---------------------------------------------------
    walls, childs, report, code = timed_checks(BIG, N_CHECK)
    t_check = statistics.median(walls)
    t_child = statistics.median(childs)
    if report.get("status") != "pass" or code != 0:
        failures.append(f"check on the big model reported {report.get('status')!r} (exit {code}), expected pass")

    big = load_model(BIG)
    nb = n_params(big)
    t_call = median_time(lambda: (big.loss(big.params, big.X, big.y), big.grads(big.params, big.X, big.y)), N_CALLS)
    t_loss_big = median_time(lambda: big.loss(big.params, big.X, big.y), N_LOSS_CALLS)
    t_grads_big = median_time(lambda: big.grads(big.params, big.X, big.y), N_CALLS)
    t_scipy_big = (nb + 1) * t_loss_big + t_grads_big
    t_measure, n_loss_calls = in_process_measure(BIG)

    # -- the small model: a real scipy run next to a real check -----------------------------------
    small = load_model(SMALL)
    ns = n_params(small)
    swalls, _, sreport, scode = timed_checks(SMALL, N_CHECK_SMALL)
    t_check_small = statistics.median(swalls)
    if sreport.get("status") != "pass" or scode != 0:
        failures.append(f"check on the small model reported {sreport.get('status')!r} (exit {scode}), expected pass")
    t_loss_small = median_time(lambda: small.loss(small.params, small.X, small.y), N_LOSS_CALLS)
    t_grads_small = median_time(lambda: small.grads(small.params, small.X, small.y), N_CALLS)
    predicted_small = (ns + 1) * t_loss_small + t_grads_small
    try:
        t_scipy_small, fd_err, g_norm = scipy_check_grad(small)
    except ImportError:
        t_scipy_small, fd_err, g_norm = float("nan"), float("nan"), float("nan")
        print("scipy is not installed (pip install -e '.[bench]'): the real scipy run is skipped")

    # -- catches the bug: flipped sign in the output error ----------------------------------------
    source = BIG.read_text()
    if source.count(FLIP_FROM) != 1:
        raise SystemExit(f"cannot plant the flipped sign: {FLIP_FROM!r} is not in {BIG.name} exactly once")
    with tempfile.TemporaryDirectory(prefix="bench-flipped-") as tmp:
        flipped = Path(tmp) / "mlp_flipped_sign.py"
        flipped.write_text(source.replace(FLIP_FROM, FLIP_TO))
        check(flipped)  # warm-up
        t_flip, flip_code, flip_report = check(flipped)
    flip_rules = [f["rule"] for f in flip_report.get("findings", [])]
    caught = flip_code == 1 and "flipped-sign" in flip_rules
    if not caught:
        failures.append(f"flipped-sign copy: exit {flip_code}, rules {flip_rules}; expected exit 1 with flipped-sign")

    # -- report -----------------------------------------------------------------------------------
    py_pass = startup_times["python -c pass"]
    row("T_check big (CLI, wall)", fmt_s(t_check), f"median of {N_CHECK}; {spread(walls)}; status {report.get('status')}")
    row("  child elapsed (in report)", fmt_s(t_child), "sandbox start + load + measure, as timed by the parent")
    row("  parent share", fmt_s(t_check - t_child), "interpreter + CLI imports + judging + JSON")
    row("  in-process measure()", fmt_s(t_measure),
        f"the child's work after start-up; {n_loss_calls} loss calls = {fmt_s(n_loss_calls * t_loss_big)}")
    row("T_call big (loss + grads)", fmt_s(t_call), f"in-process, median of {N_CALLS}")
    row("  loss / grads alone", f"{fmt_s(t_loss_big)} / {fmt_s(t_grads_big)}", "")
    row("T_check / T_call", f"{t_check / t_call:.0f}x", "whole check costs this many loss+grads calls")
    row("T_check small (CLI, wall)", fmt_s(t_check_small), f"median of {N_CHECK_SMALL}; {ns:,} params")
    row("T_scipy_small (measured)", fmt_s(t_scipy_small),
        f"1 run of check_grad; |fd - g| = {fd_err:.1e} vs |g| = {g_norm:.1e}")
    row("  T_scipy_small / T_check small", f"{t_scipy_small / t_check_small:.0f}x", "measured side by side")
    row("  extrapolation check", f"{t_scipy_small / predicted_small:.2f}",
        f"measured / predicted ({fmt_s(predicted_small)}) on the small model")
    row("T_scipy_big (EXTRAPOLATED)", fmt_s(t_scipy_big), f"({nb:,} + 1) x {fmt_s(t_loss_big)} loss + 1 grads")
    row("  T_scipy_big / T_check", f"{t_scipy_big / t_check:.0f}x", "extrapolated, not run")
    calibration = t_scipy_small / predicted_small if t_scipy_small == t_scipy_small else 1.0
    row("T_scipy_big calibrated", fmt_s(t_scipy_big * calibration),
        f"x {calibration:.2f} (scipy's own per-call overhead, from the small model); "
        f"{t_scipy_big * calibration / t_check:.0f}x T_check")
    row("flipped-sign copy caught", "yes" if caught else "NO", f"exit {flip_code}, rules {flip_rules}; {fmt_s(t_flip)}")
    for label, seconds in startup_times.items():
        note = "" if label == "python -c pass" else f"{fmt_s(seconds - py_pass)} over bare python"
        row(f"start-up: {label}", fmt_s(seconds), note + (f"; median of {N_STARTUP}" if note else f"median of {N_STARTUP}"))

    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print()
    print(f"{'measurement':<{w0}}  {'value':>{w1}}  notes")
    print(f"{'-' * w0}  {'-' * w1}  {'-' * 40}")
    for name, value, note in rows:
        print(f"{name:<{w0}}  {value:>{w1}}  {note}")

    print()
    print("targets (from the issue):")
    fast = t_check < TARGET_SECONDS
    cpus = os.cpu_count() or 0
    print(f"  whole check < {TARGET_SECONDS:g} s incl. process start: {fmt_s(t_check)} -> "
          f"{'MET' if fast else 'NOT MET'}"
          + ("" if cpus == 2 else f" (measured on {cpus} cpus; the target is for a 2-core machine)"))
    speed = t_scipy_big / t_check
    print(f"  >= {TARGET_SPEEDUP:g}x faster than scipy check_grad on the same model: {speed:.0f}x (extrapolated, "
          f"loss calls only: a lower bound) -> {'MET' if speed >= TARGET_SPEEDUP else 'NOT MET'}; "
          f"calibrated {speed * calibration:.0f}x")
    print(f"     measured on the small model: {t_scipy_small / t_check_small:.0f}x "
          f"({ns:,} params; the gap grows with the parameter count)")
    print(f"  flipped sign caught (exit 1, flipped-sign): {'yes' if caught else 'NO'}")
    print(f"\nbenchmark wall time: {fmt_s(time.perf_counter() - t_total)}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
