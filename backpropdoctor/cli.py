"""The command line: `check`, `rules`, `explain`.

Exit codes: 0 pass or warn, 1 fail (and warn with `--fail-on warning`), 2
when a model could not be checked or the command line itself is wrong.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path

import typer

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Checks hand-written backpropagation against finite differences and names the bug.")

EXIT_USAGE = 2


class Format(str, Enum):
    terminal = "terminal"
    json = "json"
    junit = "junit"
    github = "github"
    gradescope = "gradescope"
    sarif = "sarif"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"


def _version(value: bool) -> None:
    if value:
        print(f"backpropdoctor {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """backpropdoctor: find the bug in your backward pass."""


@app.command()
def check(
    inputs: list[str] = typer.Argument(None, metavar="FILE_OR_DIR...",
                                       help="Model files (.py or .ipynb), submission directories or globs "
                                            "(see README: the model file protocol)."),
    format: Format = typer.Option(Format.terminal, "--format", "-f",
                                  help="terminal, json, junit, github (annotations), gradescope (results.json) "
                                       "or sarif."),
    output_file: Path = typer.Option(None, "--output-file", "-o", help="Write the report here instead of stdout."),
    jobs: int = typer.Option(None, "--jobs", "-j", min=1, help="Submissions checked in parallel (default: cores)."),
    config_file: Path = typer.Option(None, "--config", help="A TOML file with [tool.backpropdoctor] settings "
                                                            "(default: the nearest pyproject.toml that has them)."),
    model_file: str = typer.Option(None, "--model-file", help="The model file's name in submission directories."),
    timeout: float = typer.Option(None, "--timeout", min=0.1, help="Seconds before a check is stopped [60]."),
    seed: int = typer.Option(None, "--seed", help="Seed for the sampled coordinates and random directions [0]."),
    fix: bool = typer.Option(None, "--fix/--no-fix",
                             help="Verify proposed fixes by checking repaired copies (slower on buggy files)."),
    fail_on: FailOn = typer.Option(None, "--fail-on",
                                   help="error: exit 1 on errors only; warning: warnings fail the exit code too."),
    exec_command: str = typer.Option(None, "--exec", metavar="COMMAND",
                                     help="Check a program in any language speaking the line protocol of "
                                          "docs/exec-protocol.md on stdin/stdout, instead of FILE."),
    adapter: str = typer.Option(None, "--adapter",
                                help="Read each file with this adapter instead of the detected one (see README: "
                                     "styles)."),
) -> None:
    """Check the gradients of each model (or of the program --exec starts) and name any bug found."""
    from .batch import InputError, collect, exit_code, run
    from .config import ConfigError, default_jobs, load

    def fail(message: str) -> None:
        if format is Format.gradescope and output_file is not None:  # the student must still see a result
            _gradescope_failure(output_file, message)
        _usage_error(message)

    inputs = inputs or []
    if bool(inputs) == (exec_command is not None):
        fail("give model files or submission directories, or --exec COMMAND for a program in another language "
             "(not both)")
    if exec_command is not None and not exec_command.strip():
        fail("--exec needs a command, e.g. --exec \"./target/release/net --serve\"")

    if adapter is not None:
        from .adapter_names import ADAPTER_NAMES

        if adapter not in ADAPTER_NAMES:
            fail(f"no adapter named {adapter!r}; choose one of {', '.join(ADAPTER_NAMES)}")
    try:
        config = load(config_file)
        submissions = collect(inputs, model_file or config.model_file) if inputs else []
    except (ConfigError, InputError) as exc:
        fail(str(exc))
    for name, value in (("timeout", timeout), ("seed", seed), ("fix", fix), ("adapter", adapter),
                        ("fail_on", fail_on.value if fail_on else None)):
        if value is not None:
            setattr(config, name, value)
    if exec_command is not None:
        from .api import check_command

        reports = [check_command(exec_command, timeout=config.timeout, seed=config.seed, config=config)]
        _write(reports, format, output_file, True, config)
        raise typer.Exit(exit_code(reports, config.fail_on))
    single = len(inputs) == 1 and Path(inputs[0]).is_file()
    if format is Format.gradescope and len(submissions) != 1:
        fail(f"gradescope writes one results.json for one submission; found {len(submissions)}")
    progress = _progress(format, output_file, single, len(submissions))
    try:
        reports = run(submissions, config, jobs or config.jobs or default_jobs(), progress.done if progress else None)
    except Exception as exc:  # noqa: BLE001 - only so Gradescope still gets its file; then the traceback
        if format is Format.gradescope and output_file is not None:
            _gradescope_failure(output_file, f"backpropdoctor itself failed ({type(exc).__name__}: {exc})")
        raise
    _write(reports, format, output_file, single, config)
    raise typer.Exit(exit_code(reports, config.fail_on))


def _gradescope_failure(output_file: Path, message: str) -> None:
    import json

    output_file.parent.mkdir(parents=True, exist_ok=True)
    output_file.write_text(json.dumps({"score": 0.0, "output": f"backpropdoctor could not check this submission: "
                                                               f"{message}", "tests": []}, indent=2) + "\n")


class _Progress:
    """Terminal batches: each report as soon as it and all before it are done, in input order."""

    def __init__(self, console, total: int, full: bool):
        self.console, self.total, self.full = console, total, full
        self.reports: dict[int, object] = {}
        self.printed = 0

    def done(self, index: int, report) -> None:
        from .render.terminal import render

        self.reports[index] = report
        while self.printed in self.reports:
            current = self.reports[self.printed]
            if self.full:
                render(current, self.console)
            else:
                self.console.print(f"[{self.printed + 1}/{self.total}] {current.submission}: {current.status}")
            self.printed += 1


def _progress(format: Format, output_file: Path | None, single: bool, total: int) -> _Progress | None:
    from rich.console import Console

    if single:
        return None
    if format is Format.terminal and output_file is None:
        return _Progress(Console(highlight=False), total, full=True)
    err = Console(stderr=True, highlight=False)
    return _Progress(err, total, full=False) if err.is_terminal else None


def _write(reports: list, format: Format, output_file: Path | None, single: bool, config) -> None:
    """Format the reports; stdout unless -o (where the terminal report is written without colour)."""
    if output_file is not None:
        output_file.parent.mkdir(parents=True, exist_ok=True)
    if format is Format.terminal:
        from rich.console import Console

        from .render.terminal import render, render_summary

        if output_file is None and not single:
            render_summary(reports, Console(highlight=False))
            return
        with (open(output_file, "w", encoding="utf-8") if output_file else _stdout()) as fh:
            console = Console(file=fh, highlight=False, no_color=True if output_file else None,
                              width=100 if output_file else None)
            for report in reports:
                render(report, console)
            if not single:
                render_summary(reports, console)
        return
    if format is Format.json:
        from .render import json as json_format

        text = json_format.render(reports[0]) if single else json_format.render_many(reports)
    elif format is Format.junit:
        from .render.junit import render as junit

        text = junit(reports, fail_on=config.fail_on)
    elif format is Format.github:
        from .render.github import annotations, summary

        text = annotations(reports, fail_on=config.fail_on)
        step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if step_summary:
            with open(step_summary, "a", encoding="utf-8") as fh:
                fh.write(summary(reports, fail_on=config.fail_on) + "\n")
    elif format is Format.gradescope:
        from .render.gradescope import render as gradescope

        text = gradescope(reports[0], points=config.points, fail_on=config.fail_on)
    else:
        from .render.sarif import render as sarif

        text = sarif(reports, fail_on=config.fail_on)
    if output_file is not None:
        output_file.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


def _stdout():
    from contextlib import nullcontext

    return nullcontext(sys.stdout)


@app.command("rules")
def list_rules() -> None:
    """List every rule in the catalogue, by category."""
    from rich.console import Console
    from rich.table import Table

    from .rules import CATEGORIES, catalogue, is_reserved

    console = Console(highlight=False)
    rules = list(catalogue().values())
    for category, title in CATEGORIES.items():
        table = Table(title=title, title_justify="left", title_style="bold", header_style="bold", expand=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("summary", ratio=1)
        for rule in (r for r in rules if r.category == category):
            summary = rule.summary + (" [dim](reserved: not detected yet)[/]" if is_reserved(rule) else "")
            table.add_row(rule.name, rule.severity, summary)
        console.print(table)
    console.print("Details: backpropdoctor explain RULE")


@app.command()
def explain(rule: str = typer.Argument(..., help="A rule name, as listed by `backpropdoctor rules`.")) -> None:
    """Explain one rule: what it means, why it breaks training, how it looks, the fix."""
    from difflib import get_close_matches

    from rich.console import Console
    from rich.markdown import Markdown

    from .rules import catalogue

    rules = catalogue()
    found = rules.get(rule)
    if found is None:
        close = get_close_matches(rule, list(rules), n=3)
        _usage_error(f"no rule named {rule!r}" + (f"; did you mean {', '.join(close)}?" if close else
                                                   "; `backpropdoctor rules` lists them"))
    console = Console(highlight=False)
    title, _, body = found.doc.partition("\n")
    console.print(Markdown(f"# {found.name}\n\n*{found.severity}, {found.category}* - {title.strip()}\n{body}"))


@app.command()
def init(
    file: Path = typer.Argument(..., help="Your network's .py file, in a style no adapter recognises."),
    force: bool = typer.Option(False, "--force",
                               help="Overwrite an existing shim (or write one for a recognised file)."),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Seconds allowed for loading FILE."),
) -> None:
    """Write FILE_bpd.py next to FILE: a protocol shim with what could be guessed filled in, TODOs for the rest."""
    from .shim import init_file

    if not file.is_file():
        _usage_error(f"{file}: no such file")
    outcome = init_file(file, force=force, timeout=timeout)
    (print if outcome.exit_code == 0 else _usage_error)(outcome.message)
    raise typer.Exit(outcome.exit_code)


def _usage_error(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    app()

