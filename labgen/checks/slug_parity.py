"""LAB009 slug-parity: lab file names, the master slug list and the declared chapter agree."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath

import libcst as cst

from labgen import book
from labgen.checking.check import Check
from labgen.checking.context import chapter_named_by
from labgen.checking.diagnostics import Diagnostic
from labgen.checking.examples import Invalid, Valid
from labgen.checking.tree import TreeContext
from labgen.checks._lab import LAB_HEADER, NOT_LITERAL, argument, literal, source_literal

_LAB_NAME = re.compile(r"^lab_(?P<number>\d{2})_(?P<slug>[a-z0-9_]+)$")
#: LabHeader's arguments that declare the chapter, with their positions.
_DECLARED = (("volume", 0), ("number", 1), ("slug", 2))


class SlugParity(Check):
    """A lab's file name, folder, the book's slug list and the chapter it declares disagree.

    ## What it does
    * A lab (a file under `vol1/` or `vol2/`, named `lab_*`, or calling `LabHeader`) must be
      named `lab_XX_slug.py` inside `vol1/` or `vol2/`, with `XX` and `slug` a chapter of that
      volume in the master list (`labgen.book`).
    * The chapter its `LabHeader(volume=, number=, slug=)` declares must be literal and match
      the file name. `labgen check --fix` rewrites a mismatching declaration from the file name.
    * A file whose slug is wrong (`vol2/lab_06_fault_tolerance.py`) is the lab of the chapter
      its number names (every chapter-aware rule judges it as that chapter), and is reported
      with the files beside it: renaming is advised only onto a name no file has; when another
      file of the folder claims the same chapter, both are named as stale duplicates.
    * When the project's whole `generated_labs/` is checked, every chapter that has a spec in
      `chapters/` but no lab is reported on its spec.

    ## Why is this bad
    The guide demands 1:1 path parity with the book (section 3.2): the build, the chapter
    gating and the ledger all find a lab by its path. A misnamed lab is never rebuilt, is gated
    as the wrong chapter, and a lab that says it is chapter 3 in the file of chapter 2 records
    the student's decisions under the wrong chapter.

    ## Example
    ```python
    # generated_labs/vol1/lab_2_mlsystems.py
    @app.cell
    def _(LabHeader):
        LabHeader(volume=1, number=3, slug="ml_workflow", title="...", reading="...")
        return
    ```

    ## Use instead
    ```python
    # generated_labs/vol1/lab_02_ml_systems.py
    @app.cell
    def _(LabHeader):
        LabHeader(volume=1, number=2, slug="ml_systems", title="...", reading="...")
        return
    ```
    """

    code = "LAB009"
    name = "slug-parity"
    fixable = True

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.components import LabHeader

                return (LabHeader,)


            @app.cell
            def _(LabHeader):
                LabHeader(volume=1, number=2, slug="ml_systems", title="ML Systems", reading="Ch. 2")
                return
            """
        ),
        Valid("print('not a lab: no chapter is expected of it')\n", path="scratch/notes.py"),
        # Checked beside the other labs of its folder: one file per chapter.
        Valid(
            "import marimo\n",
            path="generated_labs/vol2/lab_06_collect_comms.py",
            beside=("generated_labs/vol2/lab_05_dist_train.py",),
        ),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.components import LabHeader as Header

                return (Header,)


            @app.cell
            def _(Header):
                Header(volume=1, number=3, slug="ml_workflow", title="ML Systems", reading="Ch. 2")
                return
            """,
            count=2,
            fixed="""
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.components import LabHeader as Header

                return (Header,)


            @app.cell
            def _(Header):
                Header(volume=1, number=2, slug="ml_systems", title="ML Systems", reading="Ch. 2")
                return
            """,
        ),
        Invalid("import marimo\n", path="generated_labs/vol1/lab_2_ml_systems.py", count=1),
        Invalid("import marimo\n", path="generated_labs/vol1/lab_17_extra.py", count=1),
        Invalid("import marimo\n", path="generated_labs/lab_02_ml_systems.py", count=1),
        # Number 06 is collect_comms; the file of that name exists: a stale duplicate.
        Invalid(
            "import marimo\n",
            path="generated_labs/vol2/lab_06_fault_tolerance.py",
            beside=("generated_labs/vol2/lab_06_collect_comms.py",),
            count=1,
        ),
        # Alone in its folder, the file of chapter 09 is advised its right name.
        Invalid(
            "import marimo\n",
            path="generated_labs/vol2/lab_09_inference.py",
            beside=(),
            count=1,
        ),
    )

    def leave_Module(self, original_node: cst.Module) -> None:
        headers = self.context.calls_to(LAB_HEADER)
        path = PurePosixPath(self.context.relpath)
        looks_like_lab = (
            bool(headers) or path.name.startswith("lab_") or path.parent.name in ("vol1", "vol2")
        )
        # A wrong slug with a valid number is judged with the file's siblings (check_tree):
        # whether to rename depends on what else is in the folder.
        if self.chapter is None and looks_like_lab:
            self.report(None, _path_problem(path))
        for header in headers:
            self._check_header(header)

    def _check_header(self, header: cst.Call) -> None:
        declared: dict[str, object] = {}
        for keyword, position in _DECLARED:
            arg = argument(header, position, keyword)
            if arg is None:
                self.report(header, f"`LabHeader` does not declare its chapter's `{keyword}`")
                return
            value = literal(arg.value)
            if value is NOT_LITERAL:
                self.report(arg.value, f"`LabHeader({keyword}=...)` must be a literal")
                return
            declared[keyword] = (arg, value)
        chapter = self.chapter
        if chapter is None:
            volume, number, slug = (declared[k][1] for k, _ in _DECLARED)  # type: ignore[index]
            try:
                known = book.chapter(int(volume), int(number))  # type: ignore[arg-type]
            except (book.UnknownChapterError, TypeError, ValueError) as error:
                self.report(header, f"`LabHeader` declares no chapter of the book: {error}")
                return
            if known.slug != slug:
                self.report(
                    header,
                    f"`LabHeader` declares Volume {volume} chapter {number} with slug {slug!r}, "
                    f"but that chapter's slug is {known.slug!r}",
                )
            return
        expected = {"volume": chapter.volume, "number": chapter.number, "slug": chapter.slug}
        for keyword, _ in _DECLARED:
            arg, value = declared[keyword]  # type: ignore[misc]
            if value != expected[keyword]:
                fix = self.replacement(
                    arg.value,
                    source_literal(expected[keyword]),
                    f"declare {keyword}={expected[keyword]!r}, as the file name says",
                )
                self.report(
                    arg.value,
                    f"`LabHeader` declares {keyword}={value!r} but the file is the lab of "
                    f"{chapter} ({chapter.lab_path.name})",
                    fix=fix,
                )

    @classmethod
    def check_tree(cls, tree: TreeContext) -> Iterable[Diagnostic]:
        """Chapters that have a spec but no lab (reported on the spec); files whose slug is
        wrong, and files that claim a chapter another file of the folder claims too."""
        yield from _misnamed(tree, cls.diagnostic)
        labs = set(tree.lab_files)
        for spec in tree.spec_files:
            chapter = book.from_spec_path(spec)
            if chapter is None:
                continue
            lab = tree.lab_relpath(chapter)
            if lab not in labs:
                yield cls.diagnostic(
                    tree.display(spec),
                    1,
                    1,
                    f"chapter {chapter} has a spec but no lab: expected {lab} "
                    f"(run `labgen build {chapter.key}`)",
                )


def _path_problem(path: PurePosixPath) -> str:
    """Why ``path`` is not the path of a lab, in one sentence."""
    folder = path.parent.name
    if folder not in ("vol1", "vol2"):
        return (
            f"a lab lives in a `vol1/` or `vol2/` folder, not in `{folder or '.'}/`: "
            "expected generated_labs/vol<N>/lab_XX_slug.py"
        )
    volume = int(folder[-1])
    match = _LAB_NAME.match(path.stem)
    if not match:
        return f"`{path.name}` is not named lab_XX_slug.py (e.g. lab_02_ml_systems.py)"
    number = int(match["number"])
    slugs = book.SLUGS_BY_VOLUME[volume]
    return f"Volume {volume} has chapters 01 to {len(slugs):02d}, not {number:02d}"


def _misnamed(
    tree: TreeContext, diagnostic: Callable[[str, int, int, str], Diagnostic]
) -> Iterator[Diagnostic]:
    """A diagnostic for each checked lab whose name is not its chapter's: a stale duplicate
    when another file of its folder claims the same chapter, else a file to rename."""
    claims: dict[tuple[str, book.Chapter], list[PurePosixPath]] = {}
    for relpath in tree.lab_files:
        chapter = chapter_named_by(relpath)
        if chapter is not None:
            path = PurePosixPath(relpath)
            claims.setdefault((str(path.parent), chapter), []).append(path)
    for (_folder, chapter), paths in sorted(claims.items()):
        right = f"{chapter.lab_name}.py"
        for path in paths:
            if path.name == right or not tree.is_checked(path.as_posix()):
                continue
            slug = path.stem.split("_", 2)[2]
            others = [p.name for p in paths if p != path]
            stated = f"`{path.name}` is the lab of {chapter} by its number, not `{slug}`"
            if right in others:
                message = f"{stated}: a stale duplicate of {right}, which exists; remove one"
            elif others:
                message = (
                    f"{stated}, and {', '.join(others)} claims it too: stale duplicates; keep one "
                    f"and name it {right}"
                )
            elif _named_elsewhere(tree, path, slug, chapter.volume):
                message = (
                    f"{stated}: a stale copy of {_named_elsewhere(tree, path, slug, chapter.volume)}"
                    ", the lab its slug names, which exists; remove it"
                )
            else:
                message = f"{stated}: rename the file to {right}"
            yield diagnostic(tree.display(path.as_posix()), 1, 1, message)


def _named_elsewhere(tree: TreeContext, path: PurePosixPath, slug: str, volume: int) -> str | None:
    """The existing lab file of the chapter ``slug`` names, in ``path``'s folder (or None)."""
    slugs = book.SLUGS_BY_VOLUME[volume]
    if slug not in slugs:
        return None
    named = book.chapter(volume, slugs.index(slug) + 1)
    candidate = path.parent / f"{named.lab_name}.py"
    return candidate.name if candidate.as_posix() in tree.lab_files else None
