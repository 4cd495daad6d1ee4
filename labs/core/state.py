"""The design ledger inside a lab (guide sections 3.2 and 7), built on ``mlsys.ledger``.

A lab uses it in three cells, because marimo reads a UI element's value only outside the cell
that made it::

    ledger_panel = LedgerPanel(chapter_id=5)          # upload / Expert Preset / System Reset
    ledger_panel

    prior_ledger = ledger_panel.resolve(track_selector.value)   # what the lab starts from
    prior_ledger                                                # says where it came from

    lab_ledger = record_design(chapter_id=5, track=track_selector.value,
                               design={"precision": "int8"},
                               reflections={"KAT 1": kat1_reflection.value},
                               ledger=prior_ledger.ledger)
    LedgerPanel.summary(lab_ledger)                   # the table and the JSON download

Nothing touches a file path: the ledger arrives through the browser's upload and leaves through
a download button.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.presets import expert_preset
from labs.core.tracks import persona_of
from mlsys import Cluster, ModelSpec, SystemSpec
from mlsys.ledger import DesignLedger, LedgerError, Reflection

#: The three ways a lab can start (the radio's options).
MY_LEDGER = "My ledger from the last lab (upload below)"
EXPERT_PRESET = "Expert Preset (starting mid-book)"
SYSTEM_RESET = "System Reset (an empty ledger)"
START_OPTIONS = (MY_LEDGER, EXPERT_PRESET, SYSTEM_RESET)

#: A design ledger is a few kilobytes; anything far larger is not one.
MAX_UPLOAD_BYTES = 1_000_000


def _plain(value: Any) -> Any:
    """UI elements become their value, registry specs their name (a cluster, its node's: the
    decision is which accelerator, the plan records its size); other values pass unchanged."""
    if isinstance(value, mo.Html) and hasattr(value, "value"):
        value = value.value
    if isinstance(value, Cluster):
        value = value.node
    if isinstance(value, ModelSpec | SystemSpec):
        return value.name
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _reflections(reflections: Any) -> list[Reflection]:
    if reflections is None:
        return []
    if isinstance(reflections, Mapping):
        items: Iterable[Any] = [{"task": task, "text": text} for task, text in reflections.items()]
    else:
        items = reflections
    result = []
    for item in items:
        if isinstance(item, Reflection):
            entry = item
        elif isinstance(item, tuple) and len(item) == 2:
            entry = Reflection(str(item[0]), _plain(item[1]))
        elif isinstance(item, Mapping):
            entry = Reflection(item.get("task"), _plain(item.get("text")))
        else:
            raise LedgerError(f"reflections: expected {{task: text}} entries, got {item!r}")
        if not isinstance(entry.text, str) or not isinstance(entry.task, str):
            raise LedgerError(f"reflections: task and text must be strings, got {item!r}")
        if entry.text.strip():  # a box the student left empty is not a reflection
            result.append(entry)
    return result


def record_design(
    *,
    chapter_id: int,
    track: str,
    design: Mapping[str, Any],
    reflections: Any = (),
    ledger: DesignLedger | None = None,
    volume: int = 1,
    predictions: Iterable[Any] = (),
) -> DesignLedger:
    """``ledger`` (default: an empty one) with this chapter's decisions and reflections recorded;
    the ledger passed in is unchanged.

    ``design`` maps decision names to JSON values; UI elements are replaced by their value and
    registry entries (``Models.ResNet50``) by their name. Physical values go in as numbers under a
    key naming the unit (``"slo_ms": 10``). ``reflections`` is a mapping of task to text, or a list
    of ``{"task", "text"}`` entries; empty texts are skipped. Raises ``LedgerError`` naming the
    offending value. ``predictions`` are the tasks' ``PredictionRecord``s (None entries, for
    free-text predictions, are skipped).
    """
    base = ledger if ledger is not None else DesignLedger()
    return base.record(
        chapter_id,
        track,
        _plain(dict(design)),
        _reflections(reflections),
        volume=volume,
        predictions=[p for p in predictions if p is not None],
    )


@dataclass(frozen=True)
class LoadedLedger:
    """The ledger a lab starts from: ``ledger``, its ``source`` ("upload", "preset" or "reset"),
    the ``message`` shown to the student, and ``error`` (the reason an upload was refused)."""

    ledger: DesignLedger
    source: str
    message: str
    error: str | None = None
    #: The technical reason for a refused upload (for a teacher; the student reads ``error``).
    detail: str | None = None

    def _repr_html_(self) -> str:
        parts = []
        if self.error is not None:
            parts.append(
                f'<div role="alert" data-ledger-error {style.attrs("lg-alert")}>'
                f"<strong>Your ledger could not be loaded.</strong> {html.escape(self.error)}</div>"
            )
        parts.append(f"<div {style.attrs('lg-caption')}>{html.escape(self.message)}</div>")
        return f'<div data-ledger-source="{self.source}">{"".join(parts)}</div>'


#: What to do about a refused upload, in the student's words.
_WHAT_TO_DO = (
    "Upload the file you downloaded at the end of the last lab (its name starts with "
    "design_ledger_), or choose Expert Preset above to start from the book's decisions."
)


def student_error(name: str, error: Exception | str) -> str:
    """Why an uploaded ledger was refused, in the student's words, with what to do (the
    technical reason stays in ``LoadedLedger.detail``)."""
    reason = str(error)
    if "bytes; a design ledger is far smaller" in reason:
        why = f"{name} is far too large to be a design ledger."
    elif "UTF-8" in reason or "not valid JSON" in reason or "is empty" in reason:
        why = f"{name} is not a design ledger: it is not the JSON text a lab downloads."
    elif "edited by hand" in reason or "recorded twice" in reason or "already recorded" in reason:
        why = f"{name} has been changed since a lab saved it, so its decisions cannot be trusted."
    elif "newer mlsys" in reason:
        why = f"{name} was saved by a newer version of the labs than this one."
    else:
        why = f"{name} is not a design ledger these labs can read."
    return f"{why} {_WHAT_TO_DO}"


def load_ledger(contents: bytes | str, name: str = "the uploaded file") -> DesignLedger:
    """A ledger from uploaded bytes; ``LedgerError`` saying what is wrong (too large, not UTF-8,
    not JSON, not a design ledger, edited by hand...)."""
    if len(contents) > MAX_UPLOAD_BYTES:
        raise LedgerError(
            f"{name} is {len(contents):,} bytes; a design ledger is far smaller "
            f"(limit {MAX_UPLOAD_BYTES:,})"
        )
    return DesignLedger.from_json(contents)


class LedgerPanel(mo.ui.batch):
    """The ledger controls of a lab: where to start from (the student's ledger from the last lab,
    the Expert Preset, or a System Reset) and the upload area for the last lab's JSON.

    Read it in another cell with ``resolve(track)``; show the result with ``summary(ledger)``.
    """

    def __init__(self, chapter_id: int, *, volume: int = 1) -> None:
        if isinstance(chapter_id, bool) or not isinstance(chapter_id, int) or chapter_id < 1:
            raise ValueError(f"chapter_id: expected a chapter number >= 1, got {chapter_id!r}")
        self.chapter_id = chapter_id
        self.volume = volume
        start = mo.ui.radio(
            options=list(START_OPTIONS), value=MY_LEDGER, label="Start this lab from"
        )
        # A button, not a drop area: the panel stays short, so the first task is on screen.
        upload = mo.ui.file(
            filetypes=[".json"],
            kind="button",
            max_size=MAX_UPLOAD_BYTES,
            label="Upload the design ledger you downloaded at the end of the last lab (JSON)",
        )
        template = mo.Html(
            f'<div data-ledger-panel="v{volume}ch{chapter_id:02d}" {style.attrs("lg-card")}>'
            f"<div {style.attrs('lg-card-title')}>Design ledger</div>{{start}}{{upload}}</div>"
        )
        super().__init__(template, {"start": start, "upload": upload})

    def _clone(self) -> LedgerPanel:
        return LedgerPanel(self.chapter_id, volume=self.volume)

    def uploaded_track(self) -> str | None:
        """The track key the uploaded ledger follows, so the lab can restore the student's
        track; None with no upload, another start chosen, or a file that is not a ledger."""
        files = self.value["upload"]
        if self.value["start"] != MY_LEDGER or not files:
            return None
        try:
            return load_ledger(files[0].contents, files[0].name).track
        except LedgerError:
            return None  # resolve() says why, at the panel

    def resolve(self, track: str) -> LoadedLedger:
        """The ledger this lab starts from, for the student's ``track`` (a track key).

        - System Reset: an empty ledger.
        - Expert Preset: the preset decisions of every earlier chapter on ``track``.
        - My ledger: the uploaded JSON; until one is uploaded, or when the upload is refused,
          the Expert Preset, with a message saying so (never a silent reset).
        """
        persona_of(track)  # KeyError naming the tracks
        start = self.value["start"]
        files = self.value["upload"]
        preset = expert_preset(self.chapter_id, track, volume=self.volume)
        earlier = self.chapter_id - 1
        preset_note = {
            0: "an empty ledger (this is the first lab)",
            1: "the Expert Preset for chapter 1",
        }.get(earlier, f"the Expert Preset for chapters 1 to {earlier}")
        if self.volume == 2:
            volume_2 = {0: "", 1: " and Volume 2 chapter 1"}.get(
                earlier, f" and Volume 2 chapters 1 to {earlier}"
            )
            preset_note = f"the Expert Preset for all of Volume 1{volume_2}"
        if start == SYSTEM_RESET:
            return LoadedLedger(
                DesignLedger(), "reset", "System Reset: starting from an empty ledger."
            )
        if start == EXPERT_PRESET:
            return LoadedLedger(preset, "preset", f"Starting from {preset_note}.")
        if not files:
            return LoadedLedger(
                preset, "preset", f"No ledger uploaded yet: starting from {preset_note}."
            )
        upload = files[0]
        try:
            loaded = load_ledger(upload.contents, upload.name)
        except LedgerError as error:
            return LoadedLedger(
                preset,
                "preset",
                f"Starting from {preset_note} until a valid ledger is uploaded.",
                error=student_error(upload.name, error),
                detail=str(error),
            )
        recorded = loaded.chapters(volume=self.volume)
        chapters = ", ".join(str(c) for c in recorded) or "none"
        plural = "chapter" if len(recorded) == 1 else "chapters"
        message = f"Loaded {upload.name}: decisions from {plural} {chapters}."
        if loaded.track is not None and loaded.track != track:
            message += (
                f" Note: that ledger follows the {persona_of(loaded.track).name} track; this lab "
                f"is on {persona_of(track).name}."
            )
        return LoadedLedger(loaded, "upload", message)

    @staticmethod
    def summary(ledger: DesignLedger, *, filename: str | None = None) -> mo.Html:
        """The ledger as a table (chapter, track, decisions, reflections) with a button that
        downloads it as JSON for the next lab (``filename`` defaults to the latest chapter's)."""
        rows = []
        for record in ledger.records:
            decisions = ", ".join(f"{key} = {value}" for key, value in record.design.items())
            rows.append(
                "<tr>"
                f"<td {style.attrs('lg-td')}>V{record.volume} ch{record.chapter_id:02d}</td>"
                f"<td {style.attrs('lg-td')}>{html.escape(persona_of(record.track).name)}</td>"
                f"<td {style.attrs('lg-td')}>{html.escape(decisions) or '–'}</td>"
                f"<td {style.attrs('lg-td-number')}>{len(record.reflections)}</td>"
                "</tr>"
            )
        head = "".join(
            f"<th {style.attrs('lg-th')}>{name}</th>"
            for name in ("Chapter", "Track", "Decisions", "Reflections")
        )
        table = (
            f"<table {style.attrs('lg-table')}><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            if rows
            else f"<div {style.attrs('lg-caption')}>The ledger is empty.</div>"
        )
        if filename is None:
            latest = ledger.latest
            filename = (
                f"design_ledger_v{latest.volume}ch{latest.chapter_id:02d}.json"
                if latest
                else "design_ledger.json"
            )
        download = mo.download(
            data=ledger.to_json().encode("utf-8"),
            filename=filename,
            mimetype="application/json",
            label="Download your design ledger (JSON) for the next lab",
        )
        return mo.Html(
            f"<div data-ledger-summary {style.attrs('lg-card')}>"
            f"<div {style.attrs('lg-card-title')}>Your design ledger</div>"
            f"{table}{download.text}</div>"
        )
