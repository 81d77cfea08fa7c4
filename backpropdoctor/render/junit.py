"""JUnit XML for CI test reports: one testsuite per submission, one testcase per check, passes included.

Written to the Jenkins xUnit plugin's junit-10.xsd, the schema pytest's own
tests validate its xunit2 output against (tests/data/junit-10.xsd).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..report import Report
from .checks import Check, checks

# Characters XML 1.0 cannot carry at all, even escaped: a user's program may print them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str | None) -> str:
    """Text safe for an XML document: characters XML 1.0 forbids are dropped (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", text or "")


def _seconds(value: float | None) -> str:
    """Seconds with 3 decimals and no sign or exponent: the only form the schema's time pattern accepts."""
    return f"{max(value or 0.0, 0.0):.3f}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _testcase(suite: ET.Element, classname: str, check: Check, time: str) -> None:
    case = ET.SubElement(suite, "testcase", classname=xml_text(classname), name=xml_text(check.name), time=time)
    body = xml_text(check.message)
    kind = check.rule or check.group
    if check.status == "failed":
        ET.SubElement(case, "failure", message=xml_text(_first_line(check.message)), type=kind).text = body
    elif check.status == "error":
        ET.SubElement(case, "error", message=xml_text(_first_line(check.message)), type=kind).text = body
    elif check.status == "skipped":
        ET.SubElement(case, "skipped", message=body, type="skipped")
    elif body:
        ET.SubElement(case, "system-out").text = body


def _suite(parent: ET.Element, report: Report, fail_on: str) -> dict[str, int]:
    name = report.submission or report.file
    found = checks(report, fail_on)
    counts = {s: sum(1 for c in found if c.status == s) for s in ("failed", "error", "skipped")}
    suite = ET.SubElement(parent, "testsuite", name=xml_text(name), tests=str(len(found)),
                          failures=str(counts["failed"]), errors=str(counts["error"]),
                          skipped=str(counts["skipped"]), time=_seconds(report.elapsed), file=xml_text(report.file))
    for check in found:
        # The time went into checking the whole file; a file that could not load spent it on its one check.
        _testcase(suite, name, check, _seconds(report.elapsed) if check.group == "load" else _seconds(0))
    if report.output:
        ET.SubElement(suite, "system-out").text = xml_text(report.output)
    return {"tests": len(found), "failures": counts["failed"], "errors": counts["error"]}


def render(reports: list[Report], fail_on: str = "error") -> str:
    """`<testsuites>` for a batch of reports; a single file is a batch of one."""
    root = ET.Element("testsuites", name="backpropdoctor")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for report in reports:
        for key, n in _suite(root, report, fail_on).items():
            totals[key] += n
    root.attrib.update({key: str(n) for key, n in totals.items()})
    root.set("time", _seconds(sum(r.elapsed or 0.0 for r in reports)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
