"""A whole lab tree (``generated_labs/`` of a project), for rules that judge it as a whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labgen.book import Chapter


@dataclass(frozen=True)
class TreeContext:
    """The project's labs folder and spec folder, as found on disk.

    Paths in ``lab_files`` and ``spec_files`` are relative to ``root`` with POSIX separators.
    """

    root: Path
    labs_dir: Path
    chapters_dir: Path
    lab_files: tuple[str, ...]
    spec_files: tuple[str, ...]
    #: How to show a path relative to ``root`` to the user (relative to the working folder).
    cwd: Path

    def display(self, relpath: str) -> str:
        """``relpath`` as shown to the user."""
        full = self.root / relpath
        try:
            return full.relative_to(self.cwd).as_posix()
        except ValueError:
            return full.as_posix()

    def lab_relpath(self, chapter: Chapter) -> str:
        """Where ``chapter``'s lab belongs, relative to the root."""
        path = self.labs_dir / f"vol{chapter.volume}" / f"{chapter.lab_name}.py"
        return path.relative_to(self.root).as_posix()

    @classmethod
    def scan(
        cls, root: Path, cwd: Path, labs_dir: Path | None = None, chapters_dir: Path | None = None
    ) -> TreeContext:
        """List the labs under ``labs_dir`` (default ``root/generated_labs``) and the specs
        under ``chapters_dir`` (default ``root/chapters``)."""
        labs_dir = labs_dir or root / "generated_labs"
        chapters_dir = chapters_dir or root / "chapters"

        def listing(folder: Path, pattern: str) -> tuple[str, ...]:
            if not folder.is_dir():
                return ()
            return tuple(sorted(p.relative_to(root).as_posix() for p in folder.rglob(pattern)))

        return cls(
            root=root,
            labs_dir=labs_dir,
            chapters_dir=chapters_dir,
            lab_files=listing(labs_dir, "*.py"),
            spec_files=listing(chapters_dir, "*.yaml"),
            cwd=cwd,
        )
