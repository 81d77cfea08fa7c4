"""The terminal report: a parameter table, then each finding with its fix."""

from __future__ import annotations

import math

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..report import Finding, Report

STATUS_STYLE = {"pass": "bold green", "warn": "bold yellow", "fail": "bold red", "error": "bold red"}
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
STATUS_WORD = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "error": "ERROR"}


def _num(x: float, digits: int = 3) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


LAYER_CHECK_SEPARATOR = ": "  # layer_verdicts names a layer check's row "LAYER: dTENSOR"


def _is_layer_check(p) -> bool:
    return p.layer is None and LAYER_CHECK_SEPARATOR in p.name


def _verdict(p) -> Text:
    verdict = Text("ok", style="green") if p.status == "pass" else Text("WRONG", style="bold red")
    if p.kinks:
        verdict.append(f" ({p.kinks} kink{'s' if p.kinks > 1 else ''} skipped)", style="dim")
    return verdict


def _checked(p) -> str:
    return f"{p.checked}/{p.size}" if p.checked < p.size else "all"


def _param_tables(report: Report) -> list[Table]:
    """The whole network's parameters, then (for layer objects and function pairs) each layer's backward alone."""
    tables = []
    network = [p for p in report.parameters if not _is_layer_check(p)]
    alone = [p for p in report.parameters if _is_layer_check(p)]
    if network:
        table = Table(title="Gradient check", title_justify="left", header_style="bold")
        for col, kw in (("param", {"no_wrap": True}), ("layer", {"justify": "right"}), ("shape", {"no_wrap": True}),
                        ("rel err", {"justify": "right"}), ("cosine", {"justify": "right"}),
                        ("norm ratio", {"justify": "right"}), ("checked", {"justify": "right"}), ("verdict", {})):
            table.add_column(col, **kw)
        for p in network:
            table.add_row(p.name, str(p.layer or "-"), "x".join(map(str, p.shape)) or "scalar", _num(p.rel_error, 2),
                          _num(p.cosine, 4), _num(p.norm_ratio, 4), _checked(p), _verdict(p))
        tables.append(table)
    if alone:
        table = Table(title="Layer by layer (each backward alone, with a random upstream gradient)",
                      title_justify="left", header_style="bold")
        for col, kw in (("layer", {"overflow": "fold"}), ("gradient", {"overflow": "fold"}),
                        ("shape", {"no_wrap": True}), ("rel err", {"justify": "right", "no_wrap": True}),
                        ("cosine", {"justify": "right", "no_wrap": True}),
                        ("checked", {"justify": "right", "no_wrap": True}), ("verdict", {"no_wrap": True})):
            table.add_column(col, **kw)
        for p in alone:
            layer, _, gradient = p.name.rpartition(LAYER_CHECK_SEPARATOR)
            table.add_row(layer, gradient, "x".join(map(str, p.shape)) or "scalar", _num(p.rel_error, 2),
                          _num(p.cosine, 4), _checked(p), _verdict(p))
        tables.append(table)
    return tables


SPARKS = "▁▂▃▄▅▆▇█"
TREND_STYLE = {"steady": "green", "unsteady": "yellow", "diverges": "red", "error": "red"}
SOURCE_WORDS = {"update": "your update()", "train_step": "your train_step()",
                "gradient descent": "gradient descent on your gradient"}


def sparkline(values: list) -> str:
    """One block character per value, scaled between the run's smallest and largest; x where not finite."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return "x" * len(values)
    lo, hi = min(finite), max(finite)
    span = hi - lo
    out = []
    for v in values:
        if v is None or not math.isfinite(v):
            out.append("x")
        else:
            out.append(SPARKS[0 if span <= 0 else int((v - lo) / span * (len(SPARKS) - 1) + 0.5)])
    return "".join(out)


def _training(training: dict) -> Text:
    """The training probe's loss curves, one line per step size."""
    source = SOURCE_WORDS.get(training.get("source") or "", "the training step")
    text = Text.assemble(("Training probe", "bold"), f" ({training.get('steps')} steps of {source}, per step size):")
    if training.get("stateful_update"):
        text.append("\n  (update() keeps state: each run continues from the state the last one left)", style="dim")
    width = max(len(f"{r['lr']:g}") for r in training["runs"])
    for r in training["runs"]:
        losses = r["losses"]
        last = losses[-1]
        trend = r["trend"]
        text.append(f"\n  lr {r['lr']:<{width}g}  ")
        text.append(sparkline(losses).ljust(len(losses)), style=TREND_STYLE.get(trend, ""))
        text.append(f"  {trend:<9}", style=TREND_STYLE.get(trend, ""))
        text.append(f"{_num(losses[0])} -> {'NaN/inf' if last is None else _num(last)}")
        if r["lr"] == training.get("largest_steady_lr"):
            text.append("  <- largest steady step size", style="dim")
    return text


def _finding_panel(f: Finding) -> Panel:
    style = SEVERITY_STYLE.get(f.severity, "white")
    parts: list = [Text(f.message)]
    if f.file and f.line:
        where = f"{f.file} cell {f.cell}, line {f.line}" if f.cell else f"{f.file}:{f.line}"
        parts.append(Text(f"at {where}", style="dim"))
    if f.source:
        code = Text()
        for n, text in f.source:
            mark = ">" if n == f.line else " "
            code.append(f"{mark} {n:4d} | {text}\n", style="bold" if n == f.line else "dim")
        parts.append(code)
    if f.fix:
        parts.append(Text.assemble(("fix: ", "bold green"), f.fix))
    if f.patch and f.verified:
        parts.append(Text.assemble(("verified fix: ", "bold green"), f.evidence.get("verified_edit", ""),
                                   (" (re-checked on a copy of your file: the problem is gone)", "dim")))
        diff = Text()
        lines = f.patch.splitlines()[2:]
        for n, line in enumerate(lines):
            style = "red" if line.startswith("-") else "green" if line.startswith("+") else "dim"
            diff.append(line + ("\n" if n + 1 < len(lines) else ""), style=style)
        parts.append(diff)
    title = Text.assemble((f"{f.rule}", f"bold {style}"), (f"  {f.severity}", style))
    return Panel(Group(*parts), title=title, title_align="left", border_style=style,
                 subtitle=f"backpropdoctor explain {f.rule}", subtitle_align="right")


def render(report: Report, console: Console) -> None:
    header = Text.assemble(("backpropdoctor ", "bold"), (report.file, "bold cyan"))
    if report.adapter:
        header.append(f"  ({report.adapter} adapter", style="dim")
        if report.precision:
            header.append(f", {report.precision}", style="dim")
        header.append(")", style="dim")
    console.print(header)
    for table in _param_tables(report):
        console.print(table)
    for note in report.notes:
        console.print(Text.assemble(("note: ", "bold cyan"), note))
    if report.training and report.training.get("runs"):
        console.print(_training(report.training))
    for f in report.findings:
        console.print(_finding_panel(f))
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning")}
    summary = Text.assemble((STATUS_WORD.get(report.status, report.status.upper()), STATUS_STYLE.get(report.status, "bold")))
    if report.status == "pass":
        summary.append(f"  every gradient matches finite differences ({len(report.parameters)} parameters)")
    elif report.status == "error":
        summary.append("  the model could not be checked")
    else:
        summary.append(f"  {counts['error']} error(s), {counts['warning']} warning(s)")
    if report.elapsed is not None:
        summary.append(f"  in {report.elapsed:.2f} s", style="dim")
    console.print(summary)
    if report.sandbox:
        console.print(Text(sandbox_line(report.sandbox), style="dim"))


def sandbox_line(sandbox: dict) -> str:
    """One line on how the user's code was confined, saying plainly what was not."""
    network = str(sandbox.get("network", "unknown"))
    files = str(sandbox.get("filesystem", "unknown"))
    limits = sandbox.get("limits") or {}
    parts = [f"network {network.split(' (')[0]}", "files " + ("confined" if files.startswith("confined") else
                                                               files.split(" (")[0])]
    if limits.get("RLIMIT_AS"):
        parts.append(f"memory {limits['RLIMIT_AS'] // (1 << 20)} MB")
    if limits.get("RLIMIT_CPU"):
        parts.append(f"CPU {limits['RLIMIT_CPU']} s")
    copy = "temporary copy" if str(sandbox.get("working directory", "")).startswith("a temporary copy") else "no copy"
    return "sandbox: " + ", ".join(parts) + f", scrubbed environment, {copy}"


def render_summary(reports: list[Report], console: Console) -> None:
    """The batch at a glance: one row per submission."""
    table = Table(title=f"Summary: {len(reports)} submission(s)", title_justify="left", header_style="bold",
                  expand=True)
    table.add_column("submission", max_width=40, overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("rules", ratio=1, overflow="fold")
    table.add_column("time", no_wrap=True, justify="right")
    for r in reports:
        rules = ", ".join(dict.fromkeys(f"{f.rule}" + (f":{f.line}" if f.line else "") for f in r.findings
                                        if f.severity in ("error", "warning")))
        table.add_row(r.submission or r.file, Text(STATUS_WORD.get(r.status, r.status), STATUS_STYLE.get(r.status, "")),
                      rules or "-", f"{r.elapsed:.1f} s" if r.elapsed is not None else "-")
    console.print(table)
    counts = {s: sum(r.status == s for r in reports) for s in ("pass", "warn", "fail", "error")}
    console.print(", ".join(f"{n} {STATUS_WORD[s].lower()}" for s, n in counts.items() if n) or "nothing checked")


def to_text(report: Report, width: int = 100) -> str:
    """The terminal report as plain text (no colour, no escape codes): for logs and assertion messages."""
    import io

    out = io.StringIO()
    render(report, Console(file=out, width=width, color_system=None, force_terminal=False, highlight=False,
                           emoji=False))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
