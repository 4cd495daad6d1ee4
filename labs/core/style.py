"""The look of every lab: the palette, the altair theme and the lab CSS.

This is the only module in the project that writes a colour. Charts name colours by *role*
(``ROLE["overhead"]``), never by value, so a palette change lands in every lab at once. The three
line colours are the book's (guide section 5); the neutrals are the few greys the kit needs for
text, rules and card backgrounds.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import altair as alt

#: The book's three line colours (guide section 5).
BLUE_LINE = "#006395"
RED_LINE = "#CB202D"
GREEN_LINE = "#008F45"

#: Neutrals: body text, secondary text, rules and borders, card background, page.
INK = "#1F2933"
MUTED = "#66717F"
RULE = "#D3D9E0"
PAPER = "#F4F6F8"
WHITE = "#FFFFFF"

#: What each colour means in the kit: charts and cards look colours up here by role.
ROLE: MappingProxyType[str, str] = MappingProxyType(
    {
        "compute": BLUE_LINE,
        "memory": GREEN_LINE,
        "overhead": RED_LINE,
        "total": INK,
        "frontier": BLUE_LINE,
        "dominated": MUTED,
        "infeasible": RED_LINE,
        "design": INK,
        "distribution": BLUE_LINE,
        "p50": GREEN_LINE,
        "p99": RED_LINE,
        "slo": INK,
        "roof": BLUE_LINE,
        "ridge": MUTED,
        "point": RED_LINE,
        "good": GREEN_LINE,
        "bad": RED_LINE,
        "text": INK,
        "muted": MUTED,
    }
)

FONT = "Inter, 'Helvetica Neue', Arial, sans-serif"

#: Name under which the kit's altair theme is registered.
THEME_NAME = "labgen"

# --- The lab CSS ------------------------------------------------------------------------------
# One rule per kit class. Components put the declarations inline (``css("lg-card")``) so they look
# right wherever marimo renders them, including inside UI-element labels where a page-level
# stylesheet does not reach; ``LAB_CSS`` is the same rules as a stylesheet.
RULES: MappingProxyType[str, str] = MappingProxyType(
    {
        # Text outside a card inherits the page's colour (dark in marimo's light theme, light in
        # its dark theme) and is muted by opacity, so both themes stay readable.
        "lg-header": f"border-left: 6px solid {BLUE_LINE}; padding: 0.4rem 0 0.4rem 1rem;"
        " margin-bottom: 0.5rem; color: inherit;",
        "lg-eyebrow": "color: inherit; opacity: 0.8; font-size: 0.8rem; letter-spacing: 0.06em;"
        " text-transform: uppercase;",
        "lg-title": "color: inherit; font-size: 1.5rem; font-weight: 700; line-height: 1.25;"
        " margin: 0.15rem 0;",
        "lg-reading": "color: inherit; opacity: 0.85; font-size: 0.95rem;",
        # Cards carry their own ink and paper, so they read the same in marimo's dark theme;
        # long words and tables wrap or scroll inside the card instead of pushing it wider.
        "lg-card": f"border: 1px solid {RULE}; border-radius: 8px; background: {WHITE};"
        f" color: {INK}; padding: 0.75rem 1rem; max-width: 100%; box-sizing: border-box;"
        " overflow-wrap: anywhere; min-width: 0;",
        "lg-scroll": "max-width: 100%; overflow-x: auto;",
        "lg-metrics": "display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));"
        " gap: 0.75rem;",
        "lg-card-title": "color: inherit; font-weight: 600; margin-bottom: 0.25rem;",
        "lg-caption": "color: inherit; opacity: 0.85; font-size: 0.85rem; line-height: 1.5;",
        "lg-swatch": "display: inline-block; width: 0.7rem; height: 0.7rem; border-radius: 2px;"
        " margin-right: 0.3rem; vertical-align: baseline;",
        # Kept together on a wide screen; wrapped inside the card on a phone (a long label).
        "lg-legend-item": "display: inline-block; margin-right: 1rem; max-width: 100%;",
        "lg-value": "color: inherit; font-variant-numeric: tabular-nums; font-weight: 600;",
        "lg-table": "border-collapse: collapse; width: 100%; font-size: 0.9rem;",
        "lg-th": "text-align: left; color: inherit; opacity: 0.85; font-weight: 600;"
        f" border-bottom: 1px solid {RULE}; padding: 0.25rem 0.5rem;",
        "lg-td": f"color: inherit; border-bottom: 1px solid {RULE}; padding: 0.25rem 0.5rem;",
        "lg-td-number": f"color: inherit; border-bottom: 1px solid {RULE}; padding: 0.25rem 0.5rem;"
        " text-align: right; font-variant-numeric: tabular-nums;",
        "lg-formula": f"background: {PAPER}; color: {INK}; border-radius: 6px; padding: 0.5rem 0.75rem;"
        " margin: 0.25rem 0 0.5rem 0;",
        # The locked look of a KAT (guide section 4): an invitation, not an error (no red: red
        # means a wrong verdict); the task behind it is blurred and cannot be clicked until the
        # prediction is given.
        "lg-lock": f"border: 1px dashed {BLUE_LINE}; border-radius: 8px; background: {PAPER};"
        f" color: {INK}; padding: 0.75rem 1rem;",
        "lg-lock-message": f"color: {BLUE_LINE}; font-weight: 600; margin-bottom: 0.5rem;",
        # A refused number (out of range) is the student's to fix, so it is said in red.
        "lg-lock-refusal": f"color: {RED_LINE}; font-weight: 600; margin-bottom: 0.5rem;",
        "lg-locked": "filter: blur(4px); opacity: 0.55; pointer-events: none; user-select: none;",
        "lg-skeleton-bar": f"height: 0.9rem; border-radius: 4px; background: {RULE};"
        " margin: 0.45rem 0;",
        # Right and wrong differ in word and line pattern as well as hue (colour-blind readers).
        "lg-verdict-good": f"border-left: 6px solid {GREEN_LINE}; padding: 0.5rem 0.75rem;"
        f" background: {PAPER}; color: {INK}; border-radius: 4px;",
        "lg-verdict-bad": f"border-left: 6px dashed {RED_LINE}; padding: 0.5rem 0.75rem;"
        f" background: {PAPER}; color: {INK}; border-radius: 4px;",
        "lg-verdict-word-good": f"color: {GREEN_LINE}; font-weight: 700; text-transform: uppercase;"
        " letter-spacing: 0.05em; font-size: 0.8rem; display: block;",
        "lg-verdict-word-bad": f"color: {RED_LINE}; font-weight: 700; text-transform: uppercase;"
        " letter-spacing: 0.05em; font-size: 0.8rem; display: block;",
        # A KAT's task card: which task, where the student is in predict-act-observe-reflect.
        "lg-kat": f"border-top: 4px solid {BLUE_LINE}; border-radius: 8px; background: {PAPER};"
        f" color: {INK}; padding: 0.5rem 1rem; margin-top: 0.25rem;",
        "lg-kat-title": f"color: {INK}; font-size: 1.3rem; font-weight: 700; line-height: 1.3;"
        " margin: 0.2rem 0 0.1rem 0;",
        "lg-kat-row": "display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.75rem;",
        "lg-steps": "display: flex; flex-wrap: wrap; gap: 0.35rem; list-style: none; margin: 0;"
        " padding: 0;",
        "lg-step": f"border: 1px solid {RULE}; border-radius: 999px; padding: 0.05rem 0.6rem;"
        f" font-size: 0.8rem; color: {MUTED}; background: {WHITE};",
        "lg-step-current": f"border: 1px solid {BLUE_LINE}; border-radius: 999px;"
        f" padding: 0.05rem 0.6rem; font-size: 0.8rem; color: {WHITE}; background: {BLUE_LINE};"
        " font-weight: 600;",
        "lg-step-label": f"color: inherit; border-left: 3px solid {BLUE_LINE}; padding-left: 0.5rem;"
        " font-size: 0.8rem; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase;",
        "lg-stakeholder": f"border-left: 4px solid {BLUE_LINE}; padding: 0.25rem 0.75rem;"
        " color: inherit;",
        "lg-error": f"color: {RED_LINE}; font-weight: 600;",
        "lg-alert": f"border-left: 6px dashed {RED_LINE}; border-radius: 4px; background: {PAPER};"
        f" color: {INK}; padding: 0.5rem 0.75rem;",
        "lg-ok": f"color: {GREEN_LINE}; font-weight: 600;",
        # A number prediction: its prompt, then the box sized to a number with its unit beside
        # it ("[ 12.5 ] ms"), on a phone as on a desktop.
        "lg-number-field": "display: flex; flex-direction: column; gap: 0.5rem; color: inherit;"
        " max-width: 100%;",
        "lg-prompt": "color: inherit; font-size: 0.875rem; font-weight: 500; line-height: 1.5;",
        "lg-number-row": "display: flex; align-items: center; gap: 0.5rem; max-width: 100%;",
        "lg-number-box": "flex: 0 1 12rem; min-width: 6rem;",
        "lg-unit": "color: inherit; font-weight: 600; font-size: 0.95rem; white-space: nowrap;"
        " padding-bottom: 0.25rem;",
    }
)

#: Hidden from sight, still read by screen readers (an element's accessible name).
VISUALLY_HIDDEN = (
    "position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;"
    " clip: rect(0 0 0 0); white-space: nowrap; border: 0;"
)


def hidden_part_style(scope: str, host: str, part: str) -> str:
    """A ``<style>`` element hiding from sight (not from screen readers) the ``part`` of every
    ``host`` custom element inside elements matching ``scope``: the one way to style inside a
    marimo element's shadow root, where neither inline styles nor the page's classes reach."""
    return f"<style>{scope} {host}::part({part}) {{ {VISUALLY_HIDDEN} }}</style>"


def css(name: str) -> str:
    """The inline ``style`` declarations of the kit class ``name`` (KeyError when unknown)."""
    return RULES[name]


def attrs(name: str) -> str:
    """``class`` and ``style`` attributes for an element of kit class ``name``, ready for HTML."""
    return f'class="{name}" style="{RULES[name]}"'


#: The lab CSS as one stylesheet (for ``marimo.App(css_file=...)`` or an exported page).
LAB_CSS = "\n".join(f".{name} {{ {declarations} }}" for name, declarations in RULES.items())


def swatch(role: str) -> str:
    """A small square of the colour of ``role`` (a key of ``ROLE``), as HTML."""
    return f'<span class="lg-swatch" style="{RULES["lg-swatch"]} background: {ROLE[role]};"></span>'


# --- The altair theme ---------------------------------------------------------------------------


def altair_theme() -> dict[str, Any]:
    """The kit's altair theme: book palette for categories, neutral axes, the kit's font."""
    return {
        "config": {
            "background": WHITE,
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 260},
            "range": {"category": [BLUE_LINE, GREEN_LINE, RED_LINE, INK, MUTED]},
            "axis": {
                "labelColor": INK,
                "titleColor": INK,
                "domainColor": RULE,
                "gridColor": PAPER,
                "tickColor": RULE,
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": 600,
            },
            "legend": {"labelColor": INK, "titleColor": INK},
            "title": {"color": INK, "fontSize": 14, "anchor": "start"},
            "text": {"color": INK, "fontSize": 12},
            "mark": {"color": BLUE_LINE},
            "bar": {"color": BLUE_LINE},
            "line": {"color": BLUE_LINE},
            "point": {"color": BLUE_LINE, "filled": True},
            "rule": {"color": INK},
        }
    }


def register_theme() -> None:
    """Register the kit's theme with altair and enable it (idempotent).

    Charts of the kit also carry the same config explicitly (``chart_config``), so they look
    the same whichever theme happens to be enabled in the notebook.
    """
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(altair_theme)
    alt.theme.enable(THEME_NAME)


def chart_config() -> dict[str, Any]:
    """The theme's ``config`` block, for charts that embed it explicitly."""
    return altair_theme()["config"]
