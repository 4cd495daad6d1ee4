"""Spec text on the page: Markdown in, safe HTML out.

Two layers, so one mistake is not enough to let script through:

1. The Markdown renderer has raw HTML switched off: ``<script>`` or ``<img onerror=...>`` typed in a
   spec is escaped and shown as text, never parsed as markup.
2. Whatever Markdown produces is rebuilt through an allowlist: known tags only, no event
   attributes, links only to http(s), mailto or in-page addresses. ``<script>``/``<style>`` lose
   their content as well as their tags.
"""

from __future__ import annotations

import html
import re
import threading
from functools import cache, lru_cache
from html.parser import HTMLParser
from inspect import cleandoc

import marimo as mo
import markdown

# Tags Markdown (with the extensions below) produces, plus marimo's LaTeX element.
_ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "div",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "marimo-tex",
        "ol",
        "p",
        "pre",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
        "ins",
        "mark",
    }
)
_VOID_TAGS = frozenset({"br", "hr"})
# Tags whose content is dropped with them: it is code or styling, never text for a student.
_DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "svg"})
_ALLOWED_ATTRIBUTES = frozenset({"href", "title", "class", "start", "align", "style"})
_SAFE_SCHEMES = ("http", "https", "mailto")
# The only inline style Markdown emits: table column alignment.
_ALIGNMENT_STYLE = re.compile(r"text-align:\s*(left|right|center);?")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Control characters and whitespace browsers ignore inside a URL scheme ("java\tscript:").
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def _safe_url(value: str) -> bool:
    compact = _URL_NOISE.sub("", html.unescape(value))
    match = _SCHEME.match(compact)
    return match is None or match.group(1).lower() in _SAFE_SCHEMES


class _Allowlist(HTMLParser):
    """Re-emits HTML keeping only allowed tags and attributes; text is re-escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_WITH_CONTENT:
            self._dropping += 1
            return
        if self._dropping or tag not in _ALLOWED_TAGS:
            return
        kept = []
        for name, value in attrs:
            if name not in _ALLOWED_ATTRIBUTES or value is None:
                continue
            if name == "href" and not _safe_url(value):
                continue
            if name == "style" and not _ALIGNMENT_STYLE.fullmatch(value.strip()):
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_WITH_CONTENT:
            self._dropping = max(0, self._dropping - 1)
            return
        if self._dropping or tag not in _ALLOWED_TAGS or tag in _VOID_TAGS:
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.out.append(html.escape(data, quote=False))

    def handle_entityref(self, name: str) -> None:
        if not self._dropping:
            self.out.append(html.escape(html.unescape(f"&{name};"), quote=False))

    def handle_charref(self, name: str) -> None:
        if not self._dropping:
            self.out.append(html.escape(html.unescape(f"&#{name};"), quote=False))


def sanitize_html(fragment: str) -> str:
    """``fragment`` rebuilt from allowed tags and attributes only (see the module docstring)."""
    parser = _Allowlist()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


@cache
def _renderer() -> tuple[markdown.Markdown, threading.Lock]:
    renderer = markdown.Markdown(
        extensions=["tables", "sane_lists", "fenced_code", "pymdownx.arithmatex", "pymdownx.tilde"],
        extension_configs={
            # The same LaTeX markup marimo's own Markdown produces, so its frontend typesets it.
            "pymdownx.arithmatex": {
                "preview": False,
                "generic": True,
                "tex_inline_wrap": ["||(", "||)"],
                "tex_block_wrap": ["||[", "||]"],
                "block_tag": "marimo-tex",
                "inline_tag": "marimo-tex",
            }
        },
    )
    # Raw HTML off: these two handlers are what pass HTML blocks and inline tags through.
    renderer.preprocessors.deregister("html_block")
    renderer.inlinePatterns.deregister("html")
    return renderer, threading.Lock()


def render_safe_html(text: str) -> str:
    """Spec Markdown ``text`` as a safe HTML fragment (raw HTML escaped, then allowlisted)."""
    return _render_safe_html(str(text))


@lru_cache(maxsize=2048)
def _render_safe_html(text: str) -> str:
    # A pure function of the text, and a lab renders the same prompts, formulas and symbols on
    # every control move (about 0.5 ms each through Markdown and the allowlist).
    renderer, lock = _renderer()
    with lock:
        renderer.reset()
        rendered = renderer.convert(cleandoc(text))
    return sanitize_html(rendered)


def render_safe_inline(text: str) -> str:
    """Like ``render_safe_html`` for one line of text: without the wrapping paragraph, so it can
    sit inside a sentence."""
    rendered = render_safe_html(text)
    inner = rendered.removeprefix("<p>").removesuffix("</p>")
    return inner if "<p>" not in inner else rendered


def safe_label(text: str) -> str:
    """Spec text made safe to use as a marimo UI element's ``label``.

    marimo renders labels as Markdown with raw HTML allowed, so the label is handed over already
    rendered and sanitised, inside one block element that Markdown leaves alone.
    """
    return f'<div class="lg-label">{render_safe_html(text)}</div>'


def SafeMarkdown(text: str) -> mo.Html:
    """Spec ``text`` rendered as Markdown for the page, with raw HTML escaped (no ``<script>``, no
    event attributes, no ``javascript:`` links reach the page). LaTeX in ``$...$`` is typeset."""
    body = (
        render_safe_html(text).replace("<p>", '<span class="paragraph">').replace("</p>", "</span>")
    )
    return mo.Html(f'<span class="markdown prose dark:prose-invert contents">{body}</span>')
