"""The project's specs seen together: which chapters have one and what each writes to the ledger.

Cross-chapter rules need to know what earlier chapters record in the design ledger. The index
reads that from every spec file, tolerating specs that are otherwise invalid (their own
validation reports them), so that one broken chapter does not make every later one fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from labgen.book import Chapter, UnknownChapterError, from_spec_path
from labgen.book import chapter as book_chapter
from labgen.spec.reading import SpecReadError, read_spec_bytes, spec_entry_exists
from labgen.spec.yamlread import read_yaml


@dataclass(frozen=True)
class LedgerWriteRef:
    """One ledger key a chapter's spec writes, from which Engine.solve parameter (if known)."""

    chapter: Chapter
    key: str
    param: str | None
    source: str
    file: Path


@dataclass
class SpecIndex:
    """Spec files by chapter and every ledger write they declare."""

    files: dict[Chapter, Path] = field(default_factory=dict)
    writes: list[LedgerWriteRef] = field(default_factory=list)
    #: Spec files that could not be read: line and column (0 when unknown) and why. Their
    #: ledger writes are unknown to the chapters after them.
    unreadable: dict[Path, tuple[int, int, str]] = field(default_factory=dict)

    def written_before(self, chapter: Chapter) -> dict[str, LedgerWriteRef]:
        """Ledger keys written by chapters before ``chapter`` (Volume 1 before Volume 2), each
        mapped to its latest writer."""
        latest: dict[str, LedgerWriteRef] = {}
        for write in sorted(self.writes, key=lambda w: w.chapter):
            if write.chapter < chapter:
                latest[write.key] = write
        return latest

    def unreadable_before(self, chapter: Chapter) -> list[Path]:
        """Specs of chapters before ``chapter`` that could not be read: what they write to the
        ledger is unknown."""
        found = []
        for path in sorted(self.unreadable):
            owner = from_spec_path(path.as_posix())
            if owner is not None and owner < chapter:
                found.append(path)
        return found


def spec_files(chapters_dir: Path) -> list[Path]:
    """Every spec file of a project: ``<chapters_dir>/vol*/*.yaml``, in a stable order. A link
    that loops or dangles is listed too (reading it says what is wrong, rather than the
    chapter silently having no spec)."""
    if not chapters_dir.is_dir():
        return []
    return sorted(
        p for p in chapters_dir.glob("vol*/*.yaml") if spec_entry_exists(p) and not p.is_dir()
    )


def _chapter_of(path: Path, data: dict[str, Any]) -> Chapter | None:
    found = from_spec_path(path.as_posix())
    if found is not None:
        return found
    info = data.get("chapter")
    if isinstance(info, dict):
        try:
            return book_chapter(info.get("volume"), info.get("number"))  # type: ignore[arg-type]
        except (UnknownChapterError, TypeError):
            return None
    return None


def _writes(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    ledger = data.get("ledger")
    writes = ledger.get("writes") if isinstance(ledger, dict) else None
    for entry in writes if isinstance(writes, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            source = entry.get("from")
            yield entry["key"], source if isinstance(source, str) else ""


def _quick_read(data: bytes) -> Any:
    """The YAML document in ``data`` (None when it does not parse). The index needs no node
    positions and no strictness (each spec's own validation reports its problems), so it
    uses libyaml's fast loader where PyYAML has it: the index reads every spec on each run."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(data, Loader=loader)
    except Exception:  # a bad tagged value raises ValueError, KeyError, ...: all unreadable
        return None


def _why_unreadable(data: bytes) -> tuple[int, int, str]:
    """The first located problem of a spec the fast loader could not read."""
    _, problems = read_yaml(data)
    if not problems:
        return 0, 0, "its YAML cannot be read"
    return problems[0].line, problems[0].column, problems[0].message


def index_specs(paths: Iterable[Path]) -> SpecIndex:
    """Read the chapter and ledger writes of each spec file in ``paths`` (files naming no
    chapter are skipped; unreadable ones are listed in ``unreadable``)."""
    index = SpecIndex()
    for path in paths:
        try:
            content = read_spec_bytes(path)
        except SpecReadError as error:
            index.unreadable[path] = (error.line, error.column, str(error))
            continue
        data = _quick_read(content)
        if data is None and content.strip():
            index.unreadable[path] = _why_unreadable(content)
        if not isinstance(data, dict):
            continue
        chapter = _chapter_of(path, data)
        if chapter is None:
            continue
        index.files.setdefault(chapter, path)
        for key, source in _writes(data):
            param = source.partition(".")[2] or None
            index.writes.append(LedgerWriteRef(chapter, key, param, source, path))
    return index
