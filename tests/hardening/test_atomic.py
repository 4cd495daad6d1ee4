"""Atomic writes: the old content or the new, never a half-written file, no temp files left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labgen.spec.files import write_atomic


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.txt"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]


def test_refuses_to_overwrite_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        write_atomic(target, b"theirs", overwrite=False)
    assert target.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.txt"
    target.write_bytes(b"old")

    def broken_replace(source: str, destination: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
