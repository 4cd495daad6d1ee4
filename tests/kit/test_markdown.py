"""Spec text reaches the page as Markdown with raw HTML escaped: no script, no event attribute,
no javascript: link, whatever the spec says."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labs.core.components import SafeMarkdown
from labs.core.markdown import render_safe_html, safe_label, sanitize_html

INJECTIONS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="steal()">click</a>',
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<style>body { display: none }</style>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me]( java\tscript:alert(1))",
    "[click me](&#106;avascript:alert(1))",
    "![x](javascript:alert(1))",
    "<div onmouseover=alert(1)>hover</div>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)


def parsed(fragment: str) -> _Tags:
    parser = _Tags()
    parser.feed(fragment)
    return parser


def assert_safe(fragment: str) -> None:
    found = parsed(fragment)
    assert not {"script", "style", "iframe", "svg", "img", "object", "embed"} & set(found.tags)
    assert not [name for name, _ in found.attributes if name.startswith("on")]
    for name, value in found.attributes:
        if name == "href":
            assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.IGNORECASE)


@pytest.mark.parametrize("attack", INJECTIONS)
def test_injection_corpus_renders_as_harmless_text(attack, page_html):
    rendered = page_html(SafeMarkdown(f"Before {attack} after"))
    assert_safe(rendered)
    assert "Before" in rendered
    assert "after" in rendered


def test_script_is_shown_as_text_not_run(visible_text):
    assert "<script>alert(1)</script>" in visible_text(SafeMarkdown("<script>alert(1)</script>"))


def test_onerror_never_reaches_an_attribute(page_html):
    rendered = page_html(SafeMarkdown('<img src=x onerror="alert(1)">'))
    assert "onerror" in rendered  # visible as text...
    assert all(name != "onerror" for name, _ in parsed(rendered).attributes)  # never markup
    assert "<img" not in rendered


def test_markdown_still_works(page_html):
    rendered = page_html(
        SafeMarkdown(
            "**Bold**, *em*, `code`, [the book](https://mlsysbook.ai), $x^2$\n\n"
            "| a | b |\n|---|--:|\n| 1 | 2 |"
        )
    )
    found = parsed(rendered)
    assert {"strong", "em", "code", "a", "marimo-tex", "table", "td"} <= set(found.tags)
    assert ("href", "https://mlsysbook.ai") in found.attributes


def test_sanitizer_drops_what_markdown_never_produces():
    dirty = '<p onclick="x()">ok<script>bad()</script><a href="javascript:x">l</a></p>'
    assert sanitize_html(dirty) == "<p>ok<a>l</a></p>"


def test_safe_label_is_one_block_marimo_leaves_alone():
    label = safe_label("**Predict:** <script>x</script>")
    assert label.startswith('<div class="lg-label">')
    assert label.endswith("</div>")
    assert_safe(label)


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(
            [
                *INJECTIONS,
                "text",
                "**b**",
                "<",
                ">",
                "&",
                '"',
                "'",
                "[",
                "](",
                ")",
                "\n",
                " on",
                "=",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_any_mix_of_markdown_and_attacks_stays_safe(text):
    assert_safe(render_safe_html(text))
