"""LAB014 ledger-update: every lab records its decisions under its own chapter."""

from __future__ import annotations

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import (
    LAB_HEADER,
    NOT_LITERAL,
    RECORD_DESIGN,
    append_argument,
    argument,
    literal,
)


class LedgerUpdate(Check):
    """A lab does not write to the design ledger, or writes under another chapter.

    ## What it does
    In every lab (a file with a chapter, by its path, or a `LabHeader`), requires a call to
    `labs.core.state.record_design(...)` whose `chapter_id` is a literal equal to the lab's
    chapter number and whose `volume` (default 1) is the lab's volume. The expected chapter
    comes from the file name, else from the `LabHeader`. `labgen check --fix` corrects a wrong
    literal and adds `volume=2` to Volume 2 labs.

    ## Why is this bad
    The design ledger carries a student's decisions from lab to lab (guide sections 2 and 3.2):
    the data format chosen in chapter 4 drives the latency of chapter 13. A lab that never
    records breaks that thread; one that records under another chapter overwrites or hides
    that chapter's decisions.

    ## Example
    ```python
    # generated_labs/vol1/lab_02_ml_systems.py
    @app.cell
    def _(record_design, track_selector):
        lab_ledger = record_design(chapter_id=3, track=track_selector.value, design={})
        return (lab_ledger,)
    ```

    ## Use instead
    ```python
    # generated_labs/vol1/lab_02_ml_systems.py
    @app.cell
    def _(record_design, track_selector):
        lab_ledger = record_design(chapter_id=2, track=track_selector.value, design={})
        return (lab_ledger,)
    ```
    """

    code = "LAB014"
    name = "ledger-update"
    fixable = True

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core.state import record_design

                return (record_design,)


            @app.cell
            def _(kat1_batch_size, record_design, track_selector):
                lab_ledger = record_design(
                    chapter_id=2, track=track_selector.value, design={"batch_size": kat1_batch_size.value}
                )
                return (lab_ledger,)
            """
        ),
        Valid("print('not a lab')\n", path="scratch/notes.py"),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core import state

                return (state,)


            @app.cell
            def _(state, track_selector):
                lab_ledger = state.record_design(chapter_id=3, track=track_selector.value, design={})
                return (lab_ledger,)
            """,
            count=1,
            fixed="""
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core import state

                return (state,)


            @app.cell
            def _(state, track_selector):
                lab_ledger = state.record_design(chapter_id=2, track=track_selector.value, design={})
                return (lab_ledger,)
            """,
        ),
        Invalid("import marimo\n\napp = marimo.App()\n", count=1),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(track_selector):
                from labs.core.state import record_design

                lab_ledger = record_design(chapter_id=5, track=track_selector.value, design={})
                return (lab_ledger,)
            """,
            path="generated_labs/vol2/lab_05_dist_train.py",
            count=1,
            fixed="""
            import marimo

            app = marimo.App()


            @app.cell
            def _(track_selector):
                from labs.core.state import record_design

                lab_ledger = record_design(chapter_id=5, track=track_selector.value, design={}, volume=2)
                return (lab_ledger,)
            """,
        ),
    )

    def leave_Module(self, original_node: cst.Module) -> None:
        expected = self._expected()
        if expected is None:
            return  # not a lab: nothing to record
        volume, number = expected
        calls = self.context.calls_to(RECORD_DESIGN)
        if not calls:
            self.report(
                None,
                "this lab never calls `record_design(...)`: its decisions and reflections never "
                "reach the design ledger",
            )
            return
        for call in calls:
            self._check_call(call, volume, number)

    def _expected(self) -> tuple[int, int] | None:
        if self.chapter is not None:
            return self.chapter.volume, self.chapter.number
        for header in self.context.calls_to(LAB_HEADER):
            volume = literal(a.value) if (a := argument(header, 0, "volume")) else None
            number = literal(a.value) if (a := argument(header, 1, "number")) else None
            if isinstance(volume, int) and isinstance(number, int):
                return volume, number
        return None

    def _check_call(self, call: cst.Call, volume: int, number: int) -> None:
        chapter_arg = argument(call, 0, "chapter_id")
        if chapter_arg is None:
            self.report(call, f"`record_design` is called without `chapter_id={number}`")
            return
        declared = literal(chapter_arg.value)
        if declared is NOT_LITERAL:
            self.report(chapter_arg.value, f"`chapter_id` must be the literal {number}")
        elif declared != number:
            fix = self.replacement(
                chapter_arg.value, str(number), f"record under chapter_id={number}"
            )
            self.report(
                chapter_arg.value,
                f"`record_design(chapter_id={declared!r})` records under another chapter: this "
                f"is the lab of chapter {number}",
                fix=fix,
            )
        volume_arg = argument(call, None, "volume")
        declared_volume = literal(volume_arg.value) if volume_arg else 1
        if volume_arg is not None and declared_volume is NOT_LITERAL:
            self.report(volume_arg.value, f"`volume` must be the literal {volume}")
        elif declared_volume != volume:
            if volume_arg is not None:
                fix = self.replacement(
                    volume_arg.value, str(volume), f"record under volume={volume}"
                )
                where: cst.CSTNode = volume_arg.value
            else:
                added = cst.Arg(
                    keyword=cst.Name("volume"),
                    value=cst.Integer(str(volume)),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""),
                        whitespace_after=cst.SimpleWhitespace(""),
                    ),
                )
                fix = self.replacement(
                    call,
                    call.with_changes(args=append_argument(call.args, added)),
                    f"add volume={volume}",
                )
                where = call
            self.report(
                where,
                f"`record_design` records under Volume {declared_volume}, but this is a lab of "
                f"Volume {volume}",
                fix=fix,
            )
