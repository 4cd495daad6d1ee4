"""The crash barrier around plugin code: what a check may do to a run, and what it may not.

Behind the barrier, anything a check raises stops that check on that file and nothing else:
an exception, ``SystemExit`` from a helper that calls ``sys.exit``, even a ``KeyboardInterrupt``
the check raised itself (only the user's Ctrl-C, seen by a signal handler, ends the run). A
check that runs past its time budget on one file is stopped the same way, and ``print()``
output of plugin code goes to stderr, never into the report on stdout.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from types import FrameType


class CheckTimeoutError(Exception):
    """Raised inside a check that ran past its time budget on the file being checked."""


class _State:
    """Whether the user pressed Ctrl-C while the barrier was up."""

    interrupted = False


#: What _install returns off the main thread, where Python allows no signal handler.
_NOT_INSTALLED = object()


def _install(signum: int, handler: object) -> object:
    """Install a signal handler; the one it replaces (SIG_DFL for one set outside Python), or
    _NOT_INSTALLED off the main thread."""
    try:
        previous = signal.signal(signum, handler)  # type: ignore[arg-type]
    except ValueError:
        return _NOT_INSTALLED
    return signal.SIG_DFL if previous is None else previous


def is_contained(error: BaseException) -> bool:
    """Whether ``error``, raised by a check, is that check's failure (to report and go on)
    rather than the user's Ctrl-C (to end the run)."""
    if isinstance(error, KeyboardInterrupt):
        return not _State.interrupted
    return isinstance(error, Exception | SystemExit)


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _State.interrupted = True
    raise KeyboardInterrupt


@contextlib.contextmanager
def user_interrupts() -> Iterator[None]:
    """Tell the user's Ctrl-C (a SIGINT) from a KeyboardInterrupt raised by a check."""
    previous = _install(signal.SIGINT, _on_sigint)
    if previous is _NOT_INSTALLED:
        yield
        return
    _State.interrupted = False
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)  # type: ignore[arg-type]


def user_interrupted() -> bool:
    """Whether the user pressed Ctrl-C since the barrier went up (the KeyboardInterrupt it
    raised may have been swallowed by code that ignores exceptions, such as fork's hooks)."""
    return _State.interrupted


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C back while the block runs (it is delivered when the block ends)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise CheckTimeoutError in whatever check runs when ``seconds`` have passed, and
    again every ``seconds`` after (so each check left gets a budget of its own). No budget
    when ``seconds`` is 0, or off the main thread (signals reach the main thread only)."""

    def expired(signum: int, frame: FrameType | None) -> None:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        raise CheckTimeoutError(f"ran past its time budget of {seconds:g} s on this file")

    previous = _install(signal.SIGALRM, expired) if seconds > 0 else _NOT_INSTALLED
    if previous is _NOT_INSTALLED:
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)  # type: ignore[arg-type]


@contextlib.contextmanager
def plugin_output_to_stderr() -> Iterator[None]:
    """Send what plugin code prints to stderr, keeping stdout for the report."""
    with contextlib.redirect_stdout(sys.stderr):
        yield
