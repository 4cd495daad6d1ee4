"""What every chart instrument shares: the card it sits in, the palette as an altair scale, and
the caption legend that states each plotted value in words (screen readers and browser tests
read it; the chart itself is a canvas)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import altair as alt
import marimo as mo

from labs.core import style

#: Height of a chart in the kit's cards (pixels).
CHART_HEIGHT = 240


def palette_scale(roles: Sequence[str], labels: Sequence[str]) -> alt.Scale:
    """An altair colour scale mapping each label to the colour of its role in ``style.ROLE``."""
    return alt.Scale(domain=list(labels), range=[style.ROLE[role] for role in roles])


#: The Vega-Lite MIME type of the installed altair ("application/vnd.vegalite.v6+json").
VEGA_LITE_MIME = f"application/vnd.vegalite.{alt.SCHEMA_VERSION.split('.')[0]}+json"


class VegaLite:
    """An altair chart as the page receives it: its Vega-Lite JSON under ``VEGA_LITE_MIME``.

    marimo's own altair formatter validates the schema and builds an HTML bundle it then throws
    away, on every redraw (about half the cost of a chart, more under Pyodide); the kit's
    charts are validated once, by its tests (``chart.to_dict()``), and rendered without it.
    """

    def __init__(self, chart: Any) -> None:
        self.chart = chart

    def to_dict(self) -> dict[str, Any]:
        """The Vega-Lite spec (validated against altair's schema)."""
        return self.chart.to_dict()

    def _mime_(self) -> tuple[str, str]:
        return VEGA_LITE_MIME, self.chart.to_json(validate=False)


def log_channel(field: str, title: str, axis: dict[str, Any]) -> dict[str, Any]:
    """A Vega-Lite position channel of quantitative ``field`` on a log scale, with its axis
    ``title`` and ``axis`` properties: what ``alt.X(field + ":Q", scale=alt.Scale(type="log"))``
    writes, for charts written as plain Vega-Lite (``labs.core.vega``)."""
    return {
        "field": field,
        "type": "quantitative",
        "title": title,
        "scale": {"type": "log"},
        "axis": dict(axis),
    }


def finish(chart: Any, *, description: str) -> VegaLite:
    """Give ``chart`` the kit's config and an accessible ``description`` (its alt text)."""
    configured = chart.properties(description=description).configure(**style.chart_config())
    # No vega-embed action menu: its icon-only <summary> has no text a screen reader can name
    # (axe: summary-name), and exporting a chart is not a step of any lab.
    return VegaLite(configured.properties(usermeta={"embedOptions": {"actions": False}}))


def legend(items: Iterable[tuple[str, str, str]]) -> str:
    """Caption HTML: one ``(role, label, value text)`` per item, each with its colour swatch."""
    parts = [
        f"<span {style.attrs('lg-legend-item')}>{style.swatch(role)}{html.escape(label)}: "
        f"<span {style.attrs('lg-value')}>{html.escape(value)}</span></span>"
        for role, label, value in items
    ]
    return f"<div {style.attrs('lg-caption')}>{''.join(parts)}</div>"


def note(text: str) -> str:
    """A caption line of plain text (escaped)."""
    return f"<div {style.attrs('lg-caption')}>{html.escape(text)}</div>"


def data_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, summary: str = "The numbers"
) -> str:
    """A table of the plotted numbers, folded under a ``summary`` line: the chart's text
    alternative (a screen reader, or a student who wants the exact values, opens it)."""
    head = "".join(f"<th scope='col' {style.attrs('lg-th')}>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td {style.attrs('lg-td-number' if i else 'lg-td')}>{html.escape(str(cell))}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f"<details data-chart-table {style.attrs('lg-caption')}><summary>{html.escape(summary)}"
        f"</summary><div {style.attrs('lg-scroll')}><table {style.attrs('lg-table')}>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def empty_state(text: str) -> str:
    """What a chart card shows instead of an empty plot: why there is nothing to draw."""
    return (
        f"<div data-empty-chart role='note' {style.attrs('lg-formula')}>{html.escape(text)}</div>"
    )


def card(title: str, chart: Any, *captions: str, kind: str) -> mo.Html:
    """An instrument card: title, chart and caption lines (HTML built by ``legend``/``note``).

    ``kind`` names the instrument (``waterfall``, ``pareto``...) in a ``data-instrument``
    attribute, so a page (or a browser test) can find it.
    """
    heading = f"<div {style.attrs('lg-card-title')}>{html.escape(title)}</div>"
    # ``chart`` None: an empty state said in the captions instead of an empty plot.
    parts = [mo.Html(heading), *([chart] if chart is not None else []), mo.Html("".join(captions))]
    body = mo.vstack(parts, gap=0.25)
    return mo.Html(
        f'<div data-instrument="{html.escape(kind)}" {style.attrs("lg-card")}>{body.text}</div>'
    )
