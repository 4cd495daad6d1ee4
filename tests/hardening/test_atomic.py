"""labgen.atomic: the old content or the new, never half a file; modes follow the umask; no
temporary file outlives its writer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labgen.atomic import write_atomic

from .conftest import gone_pid


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


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_file_follows_the_umask(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "new.py", b"x = 1\n")
        write_atomic(tmp_path / "exclusive.py", b"x = 1\n", overwrite=False)
    finally:
        os.umask(previous)
    assert (tmp_path / "new.py").stat().st_mode & 0o777 == 0o666 & ~umask
    assert (tmp_path / "exclusive.py").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "lab.py"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_the_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path: Path) -> None:
    # What SIGKILL during a write leaves: a temporary file named after a process now gone.
    child = gone_pid()
    stale = tmp_path / f".lab_05_nn_compute.py.{child}.k3j2h1g0.tmp"
    stale.write_bytes(b"half a lab")
    mine = tmp_path / f".lab_06.py.{os.getpid()}.abcdefgh.tmp"
    mine.write_bytes(b"a write in progress")
    write_atomic(tmp_path / "lab_07.py", b"x = 1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [mine.name, "lab_07.py"]
