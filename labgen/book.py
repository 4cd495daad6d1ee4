"""The book's structure: the one master list of chapters, and how to address them.

Everything that needs a slug, a lab path or a spec path reads it from here (guide section 3.2).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

#: Guide section 3.2, Volume 1 (Foundations): 16 chapters, in book order.
VOLUME_1_SLUGS: tuple[str, ...] = (
    "ml_intro",
    "ml_systems",
    "ml_workflow",
    "data_engr",
    "nn_compute",
    "nn_arch",
    "ml_frameworks",
    "model_train",
    "data_selection",
    "model_compress",
    "hw_accel",
    "perf_bench",
    "model_serving",
    "ml_ops",
    "responsible_engr",
    "ml_conclusion",
)

#: Guide section 3.2, Volume 2 (Scale): 17 chapters, in book order.
VOLUME_2_SLUGS: tuple[str, ...] = (
    "ml_intro",
    "compute_infra",
    "network_fabrics",
    "data_storage",
    "dist_train",
    "collect_comms",
    "fault_tolerance",
    "fleet_orch",
    "perf_engr",
    "dist_inference",
    "edge_intel",
    "ops_scale",
    "sec_privacy",
    "robust_ai",
    "sustainable_ai",
    "responsible_ai",
    "ml_conclusion",
)

SLUGS_BY_VOLUME: dict[int, tuple[str, ...]] = {1: VOLUME_1_SLUGS, 2: VOLUME_2_SLUGS}


@dataclass(frozen=True, order=True)
class Chapter:
    """One chapter of the book: its volume, its number (1-based) and its slug."""

    volume: int
    number: int
    slug: str

    @property
    def key(self) -> str:
        """Short stable address, e.g. ``v1ch05``."""
        return f"v{self.volume}ch{self.number:02d}"

    @property
    def lab_name(self) -> str:
        """Lab module name, e.g. ``lab_05_nn_compute``."""
        return f"lab_{self.number:02d}_{self.slug}"

    @property
    def lab_path(self) -> PurePosixPath:
        """Lab path relative to the project root, e.g. ``generated_labs/vol1/lab_05_nn_compute.py``."""
        return PurePosixPath("generated_labs", f"vol{self.volume}", f"{self.lab_name}.py")

    @property
    def spec_path(self) -> PurePosixPath:
        """Spec path relative to the project root, e.g. ``chapters/vol1/ch05_nn_compute.yaml``."""
        return PurePosixPath(
            "chapters", f"vol{self.volume}", f"ch{self.number:02d}_{self.slug}.yaml"
        )

    def __str__(self) -> str:
        return f"{self.key} ({self.slug})"


CHAPTERS: tuple[Chapter, ...] = tuple(
    Chapter(volume, number, slug)
    for volume, slugs in sorted(SLUGS_BY_VOLUME.items())
    for number, slug in enumerate(slugs, start=1)
)


class UnknownChapterError(ValueError):
    """Raised when a chapter address names no chapter of the book."""


def chapter(volume: int, number: int) -> Chapter:
    """Return the chapter at ``volume`` and ``number`` (1-based), or raise UnknownChapterError."""
    slugs = SLUGS_BY_VOLUME.get(volume)
    if slugs is None:
        raise UnknownChapterError(f"volume {volume} does not exist (volumes: 1, 2)")
    if not 1 <= number <= len(slugs):
        raise UnknownChapterError(f"Volume {volume} has chapters 1 to {len(slugs)}, not {number}")
    return Chapter(volume, number, slugs[number - 1])


def chapters(volume: int | None = None) -> tuple[Chapter, ...]:
    """All chapters, or those of one volume, in book order."""
    return tuple(c for c in CHAPTERS if volume is None or c.volume == volume)


_ADDRESS = re.compile(r"^(?:v(?P<vol>[12]))?ch(?P<num>\d{1,2})$", re.IGNORECASE)
_SLUG_ADDRESS = re.compile(r"^(?:v(?P<vol>[12]):)?(?P<slug>[a-z0-9_]+)$", re.IGNORECASE)
_LAB_FILE = re.compile(r"^lab_(?P<num>\d{2})_(?P<slug>[a-z0-9_]+)$")
_SPEC_FILE = re.compile(r"^ch(?P<num>\d{2})_(?P<slug>[a-z0-9_]+)$")


def resolve(address: str) -> Chapter:
    """Resolve a chapter address to its chapter.

    Accepted forms: ``ch05`` and ``v1ch05`` (Volume 1 chapter 5), ``v2ch05`` (Volume 2), a slug
    (``nn_compute``, Volume 1 first) or a volume-qualified slug (``v2:dist_train``).
    """
    text = address.strip()
    match = _ADDRESS.match(text)
    if match:
        return chapter(int(match["vol"] or 1), int(match["num"]))
    match = _SLUG_ADDRESS.match(text)
    if match:
        slug = match["slug"].lower()
        volumes = [int(match["vol"])] if match["vol"] else [1, 2]
        for volume in volumes:
            if slug in SLUGS_BY_VOLUME[volume]:
                return chapter(volume, SLUGS_BY_VOLUME[volume].index(slug) + 1)
        known = sorted({s for v in volumes for s in SLUGS_BY_VOLUME[v]})
        hint = difflib.get_close_matches(slug, known, n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        raise UnknownChapterError(f"no chapter with slug '{slug}'{suggestion}")
    raise UnknownChapterError(
        f"cannot read chapter address '{address}' (use ch05, v2ch05, nn_compute or v2:dist_train)"
    )


def from_lab_path(path: str | PurePosixPath) -> Chapter | None:
    """The chapter a lab file belongs to, judged by its folder (``vol1``/``vol2``) and name.

    Returns None when the path does not follow ``vol<N>/lab_XX_slug.py`` or names no chapter.
    """
    pure = PurePosixPath(str(path).replace("\\", "/"))
    match = _LAB_FILE.match(pure.stem)
    volume = _volume_of_folder(pure.parent.name)
    if not match or volume is None:
        return None
    try:
        found = chapter(volume, int(match["num"]))
    except UnknownChapterError:
        return None
    return found if found.slug == match["slug"] else None


def from_spec_path(path: str | PurePosixPath) -> Chapter | None:
    """The chapter a spec file belongs to (``vol<N>/chXX_slug.yaml``), or None."""
    pure = PurePosixPath(str(path).replace("\\", "/"))
    match = _SPEC_FILE.match(pure.stem)
    volume = _volume_of_folder(pure.parent.name)
    if not match or volume is None:
        return None
    try:
        found = chapter(volume, int(match["num"]))
    except UnknownChapterError:
        return None
    return found if found.slug == match["slug"] else None


def _volume_of_folder(name: str) -> int | None:
    match = re.fullmatch(r"vol([12])", name)
    return int(match[1]) if match else None
