"""Many submissions at once: find them, check them in parallel worker processes, keep their order.

A submission is a model file, or a directory holding one (`model-file` in
the configuration names it; by default `model.py`, else the directory's
only .py or .ipynb file). A directory without a model file but with
subdirectories that have one is a folder of submissions. Each check runs
in its own sandboxed child anyway; the workers only judge, in parallel.
"""

from __future__ import annotations

import glob
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .config import Config
from .report import Report

DEFAULT_MODEL_FILE = "model.py"
MODEL_SUFFIXES = (".py", ".ipynb")


class InputError(ValueError):
    """A command-line input that names nothing to check."""


@dataclass(frozen=True)
class Submission:
    name: str
    file: Path | None  # None when the directory has no model file (`problem` says why)
    problem: str | None = None


def collect(inputs: list[str], model_file: str | None = None) -> list[Submission]:
    """Expand files, directories and globs into submissions, in the order given, without repeats."""
    found: list[Submission] = []
    for raw in inputs:
        paths = [Path(raw)] if Path(raw).exists() or not glob.has_magic(raw) else \
            [Path(p) for p in sorted(glob.glob(raw))]
        if not paths:
            raise InputError(f"{raw}: matches no file or directory")
        for path in paths:
            if not path.exists():
                raise InputError(f"{path}: no such file or directory")
            found.extend(_submissions(path, model_file))
    seen: set[str] = set()
    unique = []
    for s in found:
        key = str(s.file.resolve()) if s.file else s.name
        if key not in seen:
            seen.add(key)
            unique.append(s)
    return unique


def _submissions(path: Path, model_file: str | None) -> Iterator[Submission]:
    if path.is_file():
        yield Submission(str(path), path)
        return
    own = _model_file(path, model_file)
    if isinstance(own, Path):
        yield Submission(path.name or str(path), own)
        return
    children = [d for d in sorted(path.iterdir()) if d.is_dir() and not d.name.startswith((".", "_"))]
    inner = [(d, _model_file(d, model_file)) for d in children]
    if any(isinstance(m, Path) for _, m in inner):
        for d, m in inner:
            yield Submission(d.name, m) if isinstance(m, Path) else Submission(d.name, None, m)
        return
    yield Submission(path.name or str(path), None, own)


def _model_file(directory: Path, model_file: str | None) -> Path | str:
    """The directory's model file, or why there is none."""
    name = model_file or DEFAULT_MODEL_FILE
    if (directory / name).is_file():
        return directory / name
    if model_file:
        return f"no {model_file} in {directory} (the configured model-file)"
    candidates = sorted(p for p in directory.iterdir() if p.suffix in MODEL_SUFFIXES and p.is_file()
                        and not p.name.startswith(("test_", "_", ".")))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return f"no .py or .ipynb file in {directory}"
    listed = ", ".join(p.name for p in candidates[:6])
    return (f"{directory} holds several files ({listed}); name the model file with model-file in "
            f"[tool.backpropdoctor] or --model-file")


def check_submission(submission: Submission, config: Config) -> Report:
    """One submission's report (also run inside worker processes)."""
    if submission.file is None:
        from .diagnose import from_error

        report = from_error(submission.name, {"kind": "protocol-mismatch", "message": submission.problem,
                                              "hint": "Each submission directory needs one model file."})
    else:
        from .api import check_file

        report = check_file(submission.file, timeout=config.timeout, seed=config.seed, fix=config.fix, config=config)
    report.submission = submission.name
    return report


def run(submissions: list[Submission], config: Config, jobs: int,
        on_done: Callable[[int, Report], None] | None = None) -> list[Report]:
    """Check every submission with `jobs` workers; `on_done(index, report)` as each finishes."""
    reports: list[Report | None] = [None] * len(submissions)

    def finish(index: int, report: Report) -> None:
        reports[index] = report
        if on_done:
            on_done(index, report)

    if jobs <= 1 or len(submissions) <= 1:
        for i, s in enumerate(submissions):
            finish(i, check_submission(s, config))
        return reports  # type: ignore[return-value]
    context = multiprocessing.get_context("spawn")  # no forking of a parent that holds threads and pipes
    with ProcessPoolExecutor(max_workers=min(jobs, len(submissions)), mp_context=context) as pool:
        futures: dict[Future, int] = {pool.submit(check_submission, s, config): i for i, s in enumerate(submissions)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                report = future.result()
            except BrokenProcessPool:
                report = _worker_lost(submissions[i], "a worker process died")
            except Exception as exc:  # noqa: BLE001 - our own fault, reported per submission
                report = _worker_lost(submissions[i], f"{type(exc).__name__}: {exc}")
            finish(i, report)
    return reports  # type: ignore[return-value]


def _worker_lost(submission: Submission, why: str) -> Report:
    from .diagnose import from_error

    report = from_error(str(submission.file or submission.name), {
        "kind": "internal-error", "message": f"backpropdoctor failed on this submission ({why}); please report it"})
    report.submission = submission.name
    return report


def exit_code(reports: list[Report], fail_on: str) -> int:
    return max((r.exit_code_for(fail_on) for r in reports), default=0)
