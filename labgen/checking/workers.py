"""Analysing many files at once: forked worker processes, and Ctrl-C that ends them all.

Workers are forked (they inherit the loaded checks; nothing is pickled but the index of a file
and its result) when there are enough files to pay for the processes. The user's Ctrl-C ends
the run and every worker, even one stuck in a plugin's check that never returns.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from labgen.checking.barrier import ctrl_c_held, user_interrupted

#: Below this many files to analyse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 4

Result = TypeVar("Result")

# Set in the parent right before forking workers; the workers read it (nothing is pickled but
# the index of a file and its result).
_WORK: tuple[Callable[..., Any], Sequence[tuple[Any, str]]] | None = None


def _analyse_index(index: int) -> Any:
    assert _WORK is not None
    analyse, jobs = _WORK
    return analyse(*jobs[index])


def analyse_all(
    analyse: Callable[[Any, str], Result], jobs: Sequence[tuple[Any, str]], workers: int
) -> list[Result]:
    """``analyse(file, source)`` for every job, in order: in up to ``workers`` forked
    processes when there are enough jobs, else (or when a worker dies) in this process."""
    global _WORK
    parallel = (
        workers > 1
        and len(jobs) >= PARALLEL_MIN_FILES
        and "fork" in multiprocessing.get_all_start_methods()
    )
    # Objects alive now (the checks, LibCST, mlsys) live until the end: keep the collector
    # from scanning them again and again, and, in forked workers, from touching (and so
    # copying) every page of them. Without this, a worker runs several times slower.
    gc.freeze()
    if parallel:
        _WORK = (analyse, jobs)
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                max_workers=min(workers, len(jobs)),
                mp_context=context,
                initializer=_ignore_ctrl_c,
            ) as pool:
                try:
                    # Workers start inside submit(): Ctrl-C then would land in fork's own
                    # clean-up, where Python ignores the exception it raises.
                    with ctrl_c_held():
                        futures = [pool.submit(_analyse_index, i) for i in range(len(jobs))]
                    return _results(futures)
                except BaseException:
                    _stop_workers(pool)  # Ctrl-C must leave no worker running
                    raise
        except (BrokenProcessPool, OSError):
            pass  # a worker died (or none could start): fall back to this process
        finally:
            _WORK = None
            gc.unfreeze()
    try:
        return [analyse(file, source) for file, source in jobs]
    finally:
        gc.unfreeze()


def _ignore_ctrl_c() -> None:
    """In a worker: leave Ctrl-C to the parent, which ends the workers itself (a worker that
    saw it would print multiprocessing's traceback, or carry on with the next file)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _results(futures: list[Future[Result]]) -> list[Result]:
    """The futures' results in order, once all are done. Waits in short steps and looks at
    the Ctrl-C flag between them: a KeyboardInterrupt that Python swallowed (raised inside
    one of its own clean-up hooks) must still end the run."""
    while True:
        _, pending = wait(futures, timeout=0.2)
        if user_interrupted():
            raise KeyboardInterrupt
        if not pending:
            return [future.result() for future in futures]


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now, whatever they are doing; the pool then sees them
    gone and fails what they had left (no future is cancelled under its feet)."""
    # The executor keeps its processes private; without this a worker stuck in a check
    # outlives the run.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()


def default_jobs() -> int:
    """How many worker processes to use: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
