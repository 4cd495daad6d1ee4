"""LAB012 palette: colours come from labs.core.style, never written in a lab."""

from __future__ import annotations

import ast
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import STYLE_MODULE, literal

#: ``#RRGGBB`` or ``#RRGGBBAA`` anywhere in a string.
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6})\b")
#: ``#RGB`` / ``#RGBA``, only when it is the whole string (``"issue #123"`` is not a colour).
SHORT_HEX = re.compile(r"^#[0-9a-fA-F]{3,4}$")
FUNCTIONAL = re.compile(r"\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\([^)]*\)?", re.IGNORECASE)
#: ``color: red`` inside CSS text.
CSS_NAMED = re.compile(
    r"(?:colou?r|background(?:-color)?|fill|stroke|border(?:-color)?)\s*:\s*([a-zA-Z]+)"
)
#: Keywords and keys whose string value is a colour.
COLOUR_KEYS = re.compile(r"(?:^|_)(?:colou?rs?|fill|stroke|background|bg|fg|foreground)$")
#: CSS colour names a lab might reach for (a colour name alone is only flagged where a colour
#: is expected, so that "gold" or "orange" in prose stays prose).
NAMED_COLOURS: frozenset[str] = frozenset(
    {
        "black", "white", "red", "green", "blue", "yellow", "orange", "purple", "pink",
        "brown", "gray", "grey", "cyan", "magenta", "navy", "teal", "maroon", "olive", "lime",
        "aqua", "fuchsia", "silver", "gold", "crimson", "coral", "salmon", "tomato", "indigo",
        "violet", "turquoise", "steelblue", "royalblue", "skyblue", "darkblue", "darkred",
        "darkgreen", "darkorange", "lightblue", "lightgreen", "lightgray", "lightgrey",
        "darkgray", "darkgrey", "firebrick", "forestgreen", "seagreen", "slategray",
        "slategrey", "tan", "beige", "khaki", "orchid", "plum",
    }
)  # fmt: skip


#: Colours that carry no hue: page white, ink black and "no colour"; the palette need not
#: own them (a white card background or a black shadow is not a palette violation).
NEUTRAL_NAMES: frozenset[str] = frozenset({"white", "black", "transparent"})
_NEUTRAL_RGB = re.compile(r"rgba?\((0|255),\1,\1(?:,[\d.]+%?)?\)")


def is_neutral(colour: str) -> bool:
    """Whether ``colour`` is white, black or transparent, in any spelling (a name, ``#FFF``,
    ``#000000``, ``rgba(0, 0, 0, 0.35)``)."""
    lowered = colour.lower().replace(" ", "")
    if lowered in NEUTRAL_NAMES:
        return True
    if lowered.startswith("#"):
        digits = lowered[1:]
        if len(digits) in (3, 4):
            digits = "".join(char * 2 for char in digits)
        return digits[:6] in ("ffffff", "000000")
    return _NEUTRAL_RGB.fullmatch(lowered) is not None


@lru_cache(maxsize=1)
def palette_names() -> dict[str, str]:
    """``#RRGGBB`` (upper case) -> name of the constant in labs.core.style, read from its source
    (without importing it, which would import altair)."""
    try:
        spec = importlib.util.find_spec(STYLE_MODULE)
    except (ImportError, ValueError):
        return {}
    if spec is None or spec.origin is None:
        return {}
    try:
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    found = {}
    for statement in tree.body:
        target = statement.targets[0] if isinstance(statement, ast.Assign) else None
        if isinstance(statement, ast.AnnAssign):
            target = statement.target
        value = getattr(statement, "value", None)
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and HEX_COLOUR.fullmatch(value.value)
        ):
            found.setdefault(value.value.upper(), target.id)
    return found


class Palette(Check):
    """A colour is written into a lab instead of taken from the palette in labs.core.style.

    ## What it does
    Reports colour literals in any string of a lab: `#RRGGBB` and `#RRGGBBAA` anywhere,
    `#RGB` as a whole string, `rgb(...)`/`hsl(...)` and friends, CSS such as `color: red`, and
    colour names given where a colour is expected (a `color=`/`fill=`/`stroke=` keyword or key).
    When a hex value is one of the palette's, the message names the constant to use. Every
    colour is reported at its own line and column, also deep inside a multi-line HTML string;
    a `# noqa: LAB012` on the line the string closes on silences the whole string. Neutral
    colours (white, black, transparent, in any spelling such as `#FFF` or
    `rgba(0, 0, 0, 0.35)`) are not palette colours and are not reported.
    `labs/core/style.py` itself is the one file allowed to write colours.

    ## Why is this bad
    The book's look rests on three line colours (guide section 5: BlueLine `#006395`, RedLine
    `#CB202D`, GreenLine `#008F45`). A colour written in one lab drifts from the others and
    survives a palette change; the kit's charts already take their colours from the palette.

    ## Example
    ```python
    @app.cell
    def _(mo):
        mo.md("<span style='color: #CB202D'>Over budget</span>")
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(MetricCards, kat1_profile):
        MetricCards(kat1_profile)  # the kit colours verdicts from labs.core.style
        return
    ```
    """

    code = "LAB012"
    name = "palette"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                mo.md("See issue #123 and the orange track: gold standard.")
                return


            @app.cell
            def _(mo):
                mo.Html(
                    '''
                <div style="background: white; color: black; border: 1px solid transparent;
                            box-shadow: 0 8px 32px rgba(0, 0, 0, 0.35); outline-color: #FFF;">
                </div>
                '''
                )
                return
            """
        ),
        Valid('BLUE_LINE = "#006395"\n', path="labs/core/style.py"),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                mo.md("<span style='color: #CB202D'>Over budget</span>")
                mo.md("<b style='color: red'>Late</b>")
                return


            @app.cell
            def _(alt, kat1_rows):
                alt.Chart(kat1_rows).mark_bar(color="steelblue", stroke="rgb(10, 20, 30)")
                return
            """,
            count=4,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                mo.Html(
                    '''
                <div style="background: white; padding: 36px;
                            color: #475569; border-top: 3px solid #CB202D;">
                </div>
                '''
                )
                return
            """,
            count=2,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # The palette module is where colours are written.
        self._active = not context.relpath.endswith("labs/core/style.py")

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        text = literal(node)
        if self._active and isinstance(text, str):
            self._check(node, text, self._colour_expected(node))

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        if self._active:
            self._check(node, node.value, False)

    def _colour_expected(self, node: cst.CSTNode) -> bool:
        parent = self.parent(node)
        if isinstance(parent, cst.Arg) and parent.keyword is not None:
            return bool(COLOUR_KEYS.search(parent.keyword.value.lower()))
        if isinstance(parent, cst.DictElement) and parent.value is node:
            key = literal(parent.key)
            return isinstance(key, str) and bool(COLOUR_KEYS.search(key.lower()))
        return False

    def _check(self, node: cst.CSTNode, text: str, colour_expected: bool) -> None:
        """Report each colour written in ``node`` at its own line and column."""
        if colour_expected or SHORT_HEX.match(text.strip()):
            colour = text.strip()
            if colour.lower() in NAMED_COLOURS or SHORT_HEX.match(colour):
                if not is_neutral(colour):
                    self._report(node, None, colour)
                return
        source = self.context.module.code_for_node(node)
        for pattern, group in ((HEX_COLOUR, 0), (FUNCTIONAL, 0), (CSS_NAMED, 1)):
            for match in pattern.finditer(source):
                colour = match.group(group)
                if group and colour.lower() not in NAMED_COLOURS:
                    continue
                if not is_neutral(colour):
                    self._report(node, match.span(group), colour)

    def _report(self, node: cst.CSTNode, span: tuple[int, int] | None, colour: str) -> None:
        known = palette_names().get(colour.upper())
        hint = f" (`style.{known}`)" if known else ""
        message = (
            f"colour literal {colour!r} in a lab: take colours from the palette in "
            f"labs.core.style{hint}"
        )
        if span is None:
            self.report(node, message)
        else:
            self.report_in_text(node, *span, message)
