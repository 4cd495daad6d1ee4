"""docs/writing-checks.md is true: its files, written into an empty folder, make a package whose
test passes, whose check labgen finds through the entry point, and whose check is under 30 lines."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import REPO, labgen_in, pip_install, python_in

DOC = REPO / "docs" / "writing-checks.md"
#: "`name`:" or "`name` (N lines):", a blank line, then a fenced block: one file of the walkthrough.
FILE_BLOCK = re.compile(r"`([\w./-]+)`(?: \((\d+) lines\))?:\n\n```\w+\n(.*?)```", re.DOTALL)


def doc_files() -> dict[str, tuple[str, str | None]]:
    """File name -> (text, the line count the page claims for it)."""
    return {
        name: (body, claimed or None)
        for name, claimed, body in FILE_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    }


def test_the_page_has_the_three_files_and_the_check_is_under_30_lines() -> None:
    files = doc_files()
    assert sorted(files) == ["no_print.py", "pyproject.toml", "test_no_print.py"]
    check, claimed = files["no_print.py"]
    assert len(check.splitlines()) < 30
    assert claimed == str(len(check.splitlines()))


def test_from_an_empty_folder_to_a_passing_test_and_a_loaded_plugin(tmp_path: Path) -> None:
    folder = tmp_path / "labgen-no-print"
    folder.mkdir()
    for name, (text, _) in doc_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    # Lint-clean as the reader's own project sees it (in there, labgen is third-party).
    for command in (["check", "--select", "E,F,W,I,B,UP"], ["format", "--check"]):
        linted = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--isolated", "."], cwd=folder, check=False
        )
        assert linted.returncode == 0, command

    site = tmp_path / "site"
    pip_install(folder, site)
    shutil.copy(folder / "test_no_print.py", tmp_path / "test_no_print.py")
    tested = python_in(
        tmp_path,
        """
        import sys
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:xdist", "test_no_print.py"]))
        """,
        sites=(site,),
    )
    assert tested.code == 0, tested.out + tested.err
    assert "1 passed" in tested.out

    listed = labgen_in(tmp_path, "plugins", sites=(site,))
    assert "no_print (labgen-no-print 0.1.0; entry point, no_print)\n" in listed.out
    rules = labgen_in(tmp_path, "test-rules", "NOP001", sites=(site,))
    assert (rules.code, rules.out) == (
        0,
        "ok     NOP001 no-print (2 valid, 2 invalid)\n1 rule: 1 passed, 0 failed\n",
    )
