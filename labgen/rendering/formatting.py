"""Format generated labs with ruff, with fixed settings so output is the same on every machine."""

from __future__ import annotations

import subprocess

from ruff.__main__ import find_ruff_bin

#: ruff settings for generated labs, independent of the book project's own configuration.
RUFF_ARGS: tuple[str, ...] = ("--isolated", "--line-length", "100", "--target-version", "py311")


class FormattingError(RuntimeError):
    """ruff could not format the generated source (a labgen bug: the template made bad code)."""


def format_source(source: str, filename: str = "lab.py") -> str:
    """``source`` formatted by ruff (``ruff format -``), deterministic byte for byte."""
    done = subprocess.run(
        [find_ruff_bin(), "format", *RUFF_ARGS, "--stdin-filename", filename, "-"],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise FormattingError(
            f"ruff could not format {filename}: {detail[-1] if detail else 'no output'}"
        )
    return done.stdout.decode("utf-8")
