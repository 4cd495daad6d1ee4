"""A lab tree, for rules that judge labs together: the project's whole ``generated_labs/``, or
the ``vol1/``/``vol2/`` folders of the files a run checks (where two files may claim one
chapter)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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
    #: The lab files this run checks (rules report only on these); None: all of ``lab_files``.
    checked: frozenset[str] | None = None

    def is_checked(self, relpath: str) -> bool:
        """Whether the run checks ``relpath`` (so a rule may report on it)."""
        return self.checked is None or relpath in self.checked

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

    @classmethod
    def around(cls, root: Path, cwd: Path, relpaths: list[str]) -> TreeContext:
        """The ``vol1/``/``vol2/`` folders holding the checked files ``relpaths`` (relative to
        ``root``), listed from disk; no specs (chapters without labs are not judged)."""
        folders = {
            PurePosixPath(relpath).parent
            for relpath in relpaths
            if PurePosixPath(relpath).parent.name in ("vol1", "vol2")
        }
        labs = set()
        for folder in folders:
            for path in (root / folder).glob("*.py"):
                labs.add((folder / path.name).as_posix())
        checked = frozenset(r for r in relpaths if PurePosixPath(r).parent in folders)
        return cls(
            root=root,
            labs_dir=root,
            chapters_dir=root / "chapters",
            lab_files=tuple(sorted(labs)),
            spec_files=(),
            cwd=cwd,
            checked=checked,
        )
