"""Rules across chapters: narrative persistence through the design ledger."""

from __future__ import annotations

from collections.abc import Iterator

from labgen.book import Chapter
from labgen.spec.diagnostics import Finding
from labgen.spec.index import SpecIndex
from labgen.spec.model import Ledger
from labgen.spec.registries import closest


def check_ledger_reads(chapter: Chapter, ledger: Ledger, index: SpecIndex) -> Iterator[Finding]:
    """Every key a spec reads is written by an earlier chapter's spec, and a read that feeds an
    Engine.solve parameter feeds the parameter the decision was made with."""
    earlier = index.written_before(chapter)
    for position, read in enumerate(ledger.reads):
        writer = earlier.get(read.key)
        if writer is None:
            match = closest(read.key, earlier)
            hint = (
                f"; did you mean {match!r} (written by {earlier[match].chapter.key})?"
                if match
                else ""
            )
            unread = index.unreadable_before(chapter)
            if unread and not match:
                names = ", ".join(path.name for path in unread)
                hint = f" (unless {names} writes it: that spec cannot be read)"
            yield Finding(
                ("ledger", "reads", position, "key"),
                f"ledger key {read.key!r} is not written by any earlier chapter's spec{hint}",
            )
            continue
        if read.feeds is not None and writer.param is not None and writer.param != read.feeds:
            yield Finding(
                ("ledger", "reads", position, "feeds"),
                f"{read.key!r} is recorded from {writer.param} ({writer.chapter.key} "
                f"{writer.source}); it cannot feed {read.feeds}",
            )
