"""LAB999 internal-error: a check, a plugin or labgen itself failed."""

from __future__ import annotations

from labgen.checking.check import Check
from labgen.checking.diagnostics import INTERNAL_ERROR
from labgen.checking.examples import Valid


class InternalError(Check):
    """A check crashed, a plugin failed to load, or a file could not be read.

    ## What it does
    Reports a failure of the checker rather than of the lab: a check that raised an exception on
    this file (naming the check and the module it comes from), a plugin whose import or hook
    failed, or a file that cannot be read. Every other check still reports; the run exits with
    code 2. No comment can silence it, and results of a run with a crash are never cached.

    ## Why is this bad
    A crashed check has not judged the file, so "no problems" would be a false pass. CI must not
    go green on a lab that was never fully checked.

    ## Example
    ```text
    lab_02_ml_systems.py:1:1: LAB999 check DEMO001 (no-todo, from my_plugin) crashed: KeyError: 'x'
    ```

    ## Use instead
    Fix or update the failing plugin (`labgen check -v` names it), or report the bug to labgen
    with the file that triggers it.
    """

    code, name = INTERNAL_ERROR

    # Nothing a lab can contain makes a correct check crash: the test suite provokes this rule
    # with a deliberately failing plugin check instead of an INVALID example.
    VALID = (Valid("print('a file every check can handle')\n"),)
