"""Output formats of ``labgen check``: full, concise, json, sarif, github; and statistics.

This module is also labgen's built-in plugin for the ``labgen_output_formats`` hook. A formatter
takes a :class:`Report` and returns the whole text to print. No LibCST here: a fully cached run
prints without loading the parser.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence

from labgen import __version__
from labgen.checking.diagnostics import Diagnostic
from labgen.checking.report import Report
from labgen.hookspecs import Formatter, hookimpl

#: Where the tool's documentation lives (SARIF ``informationUri``).
HOMEPAGE = "https://github.com/harvard-edge/cs249r_book"


# -- full and concise ---------------------------------------------------------------------------


def format_full(report: Report) -> str:
    """Each diagnostic with the code around it, underlined, then a summary line."""
    blocks = [_full_block(d, report.sources.get(d.filename)) for d in report.diagnostics]
    return "".join(blocks) + _summary(report) + "\n"


def _full_block(diagnostic: Diagnostic, source: str | None) -> str:
    mark = " [*]" if diagnostic.fixable else ""
    lines = [
        f"{diagnostic.code}{mark} [{diagnostic.name}] {diagnostic.message}",
        f"  --> {diagnostic.filename}:{diagnostic.line}:{diagnostic.column}",
    ]
    if source is not None:
        lines.extend(_context(diagnostic, source.splitlines()))
    if diagnostic.fix is not None:
        lines.append(f"   = fix: {diagnostic.fix.message}")
    return "\n".join(lines) + "\n\n"


def _context(diagnostic: Diagnostic, text: Sequence[str]) -> list[str]:
    """The reported line with one line around it, numbered, the reported span underlined."""
    if not 1 <= diagnostic.line <= len(text):
        return []
    first, last = max(1, diagnostic.line - 1), min(len(text), diagnostic.line + 1)
    width = len(str(last))
    gutter = " " * width
    out = [f"{gutter} |"]
    for number in range(first, last + 1):
        line = text[number - 1].expandtabs(4).rstrip()
        out.append(f"{number:>{width}} | {line}" if line else f"{number:>{width}} |")
        if number == diagnostic.line:
            start = diagnostic.column - 1
            if diagnostic.end_line == diagnostic.line and diagnostic.end_column > diagnostic.column:
                end = diagnostic.end_column - 1
            else:
                end = max(len(line), start + 1)
            out.append(f"{gutter} | {' ' * start}{'^' * max(1, end - start)}")
    out.append(f"{gutter} |")
    return out


def format_concise(report: Report) -> str:
    """One line per diagnostic: ``path:line:col: CODE [*] message``, then a summary line."""
    lines = [
        f"{d.filename}:{d.line}:{d.column}: {d.code}{' [*]' if d.fixable else ''} {d.message}"
        for d in report.diagnostics
    ]
    return "".join(line + "\n" for line in lines) + _summary(report) + "\n"


def _summary(report: Report) -> str:
    files = f"{report.files} file{'s' if report.files != 1 else ''}"
    fixed = f" ({report.fixed} fixed)" if report.fixed else ""
    if not report.diagnostics:
        return f"All checks passed: {files}, no problems{fixed}."
    # A failing plugin is reported under a pseudo-file ("<plugin NAME>"), not one checked.
    in_checked = [d for d in report.diagnostics if not d.filename.startswith("<")]
    plugins = len(report.diagnostics) - len(in_checked)
    count = len(in_checked)
    fixable = sum(1 for d in report.diagnostics if d.fixable)
    in_files = len({d.filename for d in in_checked})
    text = f"Found {count} problem{'s' if count != 1 else ''} in {in_files} of {files}{fixed}"
    if plugins:
        text += f", and {plugins} plugin failure{'s' if plugins != 1 else ''}"
    text += "."
    if fixable:
        text += f" {fixable} can be fixed with `labgen check --fix`."
    return text


# -- machine-readable ---------------------------------------------------------------------------


def format_json(report: Report) -> str:
    """A JSON list of diagnostic objects (code, name, message, filename, line, column, ...)."""
    return (
        json.dumps([d.to_json() for d in report.diagnostics], indent=2, ensure_ascii=False) + "\n"
    )


def format_github(report: Report) -> str:
    """GitHub Actions workflow commands: one ``::error ...::`` line per diagnostic."""
    lines = []
    for d in report.diagnostics:
        properties = ",".join(
            f"{key}={_github_property(str(value))}"
            for key, value in (
                ("title", f"labgen {d.code} ({d.name})"),
                ("file", d.filename),
                ("line", d.line),
                ("col", d.column),
                ("endLine", d.end_line or d.line),
                ("endColumn", d.end_column or d.column),
            )
        )
        lines.append(f"::error {properties}::{_github_data(f'{d.code} {d.message}')}")
    return "".join(line + "\n" for line in lines)


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def format_sarif(report: Report) -> str:
    """A SARIF 2.1.0 log with one run, the rules that exist, and one result per diagnostic."""
    docs = sorted(report.rule_docs(), key=lambda r: r.code)
    index = {doc.code: position for position, doc in enumerate(docs)}
    rules = [
        {
            "id": doc.code,
            "name": doc.name,
            "shortDescription": {"text": doc.summary},
            "fullDescription": {"text": doc.documentation},
            "help": {"text": doc.documentation, "markdown": doc.documentation},
            "defaultConfiguration": {"level": "error"},
            "properties": {"fixable": doc.fixable},
        }
        for doc in docs
    ]
    results = []
    for d in report.diagnostics:
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": "error",
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.filename},
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.column,
                            "endLine": d.end_line or d.line,
                            "endColumn": d.end_column or d.column,
                        },
                    }
                }
            ],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.fix is not None:
            result["fixes"] = [
                {
                    "description": {"text": d.fix.message},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": d.filename},
                            "replacements": [
                                {
                                    "deletedRegion": {
                                        "startLine": e.line,
                                        "startColumn": e.column,
                                        "endLine": e.end_line,
                                        "endColumn": e.end_column,
                                    },
                                    "insertedContent": {"text": e.content},
                                }
                                for e in d.fix.edits
                            ],
                        }
                    ],
                }
            ]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "labgen",
                        "version": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# -- statistics ---------------------------------------------------------------------------------


def statistics(diagnostics: Sequence[Diagnostic]) -> list[dict[str, object]]:
    """Count of diagnostics per rule, most frequent first: code, name, count, fixable."""
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fixable)
    return [
        {"code": code, "name": name, "count": count, "fixable": fixable[code]}
        for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def format_statistics(diagnostics: Sequence[Diagnostic], as_json: bool = False) -> str:
    """The statistics as an aligned table (or as JSON)."""
    rows = statistics(diagnostics)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return "No problems.\n"
    width = max(len(str(row["count"])) for row in rows)
    code_width = max(len(str(row["code"])) for row in rows)
    return "".join(
        f"{row['count']:>{width}}  {row['code']:<{code_width}}  "
        f"{'[*]' if row['fixable'] else '   '}  {row['name']}\n"
        for row in rows
    )


#: The built-in formats, by name.
BUILTIN_FORMATS: dict[str, Formatter] = {
    "full": format_full,
    "concise": format_concise,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
}


@hookimpl
def labgen_output_formats() -> Mapping[str, Formatter]:
    """labgen's own output formats."""
    return BUILTIN_FORMATS
