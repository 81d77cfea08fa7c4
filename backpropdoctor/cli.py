"""The command line: `check`, `rules`, `explain`.

Exit codes: 0 pass or warn, 1 fail (and warn with `--fail-on warning`), 2
when a model could not be checked or the command line itself is wrong.
"""

from __future__ import annotations

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
    file: Path = typer.Argument(..., help="Python file defining your network (see README: the model file protocol)."),
    format: Format = typer.Option(Format.terminal, "--format", "-f", help="terminal or json."),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Seconds before the check is stopped."),
    seed: int = typer.Option(0, "--seed", help="Seed for the sampled coordinates and random directions."),
    fix: bool = typer.Option(True, "--fix/--no-fix",
                             help="Verify proposed fixes by checking repaired copies of FILE (slower on buggy files)."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on",
                                   help="error: exit 1 on errors only; warning: warnings fail the exit code too."),
    adapter: str = typer.Option(None, "--adapter",
                                help="Read FILE with this adapter instead of the detected one (see README: styles)."),
) -> None:
    """Check the gradients of FILE and name any bug found."""
    from .api import check_file

    if not file.exists():
        _usage_error(f"{file}: no such file")
    if file.is_dir():
        _usage_error(f"{file} is a directory; give the model's .py file")
    if adapter is not None:
        from .adapter_names import ADAPTER_NAMES

        if adapter not in ADAPTER_NAMES:
            _usage_error(f"no adapter named {adapter!r}; choose one of {', '.join(ADAPTER_NAMES)}")
    report = check_file(file, timeout=timeout, seed=seed, fix=fix, adapter=adapter)
    if format is Format.json:
        from .render.json import render

        sys.stdout.write(render(report) + "\n")
    else:
        from rich.console import Console

        from .render.terminal import render

        render(report, Console(highlight=False))
    raise typer.Exit(report.exit_code_for(fail_on.value))


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


def _usage_error(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {message}")
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    app()


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
