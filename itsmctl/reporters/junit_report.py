"""JUnit XML: one test case per file, one failure per finding (for CI test dashboards)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from itsmctl.findings import Severity
from itsmctl.reporters import ReportOptions
from itsmctl.validate import ValidationResult
from itsmctl.visible import visible


def render(result: ValidationResult, options: ReportOptions) -> str:
    failing = [f for f in result.findings if f.severity >= result.fail_at]
    by_file = {file: list(group) for file, group in groupby(failing, key=lambda f: f.file)}
    files = sorted(set(result.file_labels) | set(by_file))
    suites = ET.Element("testsuites", name="itsmctl validate", tests=str(len(files)),
                        failures=str(len(by_file)))
    suite = ET.SubElement(suites, "testsuite", name="itsmctl validate", tests=str(len(files)),
                          failures=str(len(by_file)), errors="0", skipped="0")
    for file in files:
        case = ET.SubElement(suite, "testcase", classname="itsmctl", name=file)
        for finding in by_file.get(file, []):
            failure = ET.SubElement(case, "failure", type=finding.rule,
                                    message=f"{finding.line or 0}:{finding.column or 0} "
                                            f"{finding.message}")
            failure.text = (f"{finding.file}:{finding.line or 0}:{finding.column or 0}: "
                            f"{finding.severity.label} [{finding.rule}] {finding.message}"
                            + (f"\nhint: {finding.hint}" if finding.hint else ""))
    warnings = [f for f in result.findings if f.severity < result.fail_at]
    if warnings:
        out = ET.SubElement(suite, "system-out")
        out.text = "\n".join(f"{f.file}:{f.line or 0}: {f.severity.label} [{f.rule}] {f.message}"
                             for f in warnings if f.severity >= Severity.INFO)
    ET.indent(suites)
    # XML 1.0 cannot hold most control characters even as references: show them escaped
    xml = visible(ET.tostring(suites, "unicode"), lines=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n"
