"""Run the checks over files: discovery, cache, parallel analysis, fixes, the whole-tree pass.

Checks are only imported when some file must actually be analysed, so a run whose files are all
cached never loads LibCST or mlsys. Files are analysed in worker processes (forked, so they
inherit the loaded checks; see ``labgen.checking.workers``) when there are enough of them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from labgen import __version__
from labgen.checking.barrier import (
    CheckTimeoutError,
    is_contained,
    plugin_output_to_stderr,
    time_budget,
    user_interrupts,
)
from labgen.checking.cache import ResultCache, atomic_write, fingerprint
from labgen.checking.diagnostics import INTERNAL_ERROR, SYNTAX_ERROR, UNUSED_NOQA, Diagnostic
from labgen.checking.selection import glob_matches
from labgen.checking.settings import CheckSettings
from labgen.checking.workers import analyse_all, default_jobs
from labgen.errors import UsageError
from labgen.plugins import Plugins

if TYPE_CHECKING:
    from labgen.checking.analysis import FileResult
    from labgen.checking.check import Check
    from labgen.checking.context import Environment
    from labgen.checking.selection import RuleSelection

#: Folders never entered when a folder is checked (hidden folders are skipped too).
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "__pycache__",
    "__marimo__",
    "node_modules",
    "build",
    "dist",
    "venv",
    "*.egg-info",
)
#: Python frames a file's analysis may use. LibCST's visitors recurse a dozen frames per level
#: of the syntax tree, so code nested as deep as analysis.MAX_NESTING allows needs far more
#: than Python's default 1,000.
ANALYSIS_RECURSION_LIMIT = 15_000
#: Rounds of fix-then-recheck before giving up on a file whose fixes keep producing fixes.
MAX_FIX_ROUNDS = 10


@dataclass(frozen=True)
class SourceFile:
    """A file to check: where it is, its path relative to the project root, its shown name."""

    path: Path
    relpath: str
    display: str


@dataclass
class RunResult:
    """What a run found; ``analysed`` + ``cached`` files were looked at."""

    diagnostics: list[Diagnostic]
    files: int
    analysed: int = 0
    cached: int = 0
    fixed: int = 0
    diffs: list[str] = field(default_factory=list)
    #: Shown name -> text, for the files that have diagnostics (source context in reports).
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def internal_errors(self) -> int:
        """Diagnostics saying a check or plugin failed (exit code 2)."""
        return sum(1 for d in self.diagnostics if d.code == INTERNAL_ERROR[0])


@dataclass
class RunOptions:
    """How to run: which paths, with which settings, plugins, cache and fix behaviour."""

    paths: Sequence[Path]
    settings: CheckSettings
    plugins: Plugins
    root: Path
    cwd: Path
    use_cache: bool = True
    fix: bool = False
    diff: bool = False
    jobs: int | None = None
    #: The project's labs and specs folders, when the whole labs folder is checked (the
    #: whole-tree rules then run); None otherwise.
    labs_dir: Path | None = None
    chapters_dir: Path | None = None


class RuleSet:
    """The loaded checks and the resolved selection of a run."""

    def __init__(self, plugins: Plugins, settings: CheckSettings, root: Path | None = None) -> None:
        from labgen.checking.context import Environment
        from labgen.checking.selection import RuleSelection

        self.checks: tuple[type[Check], ...] = plugins.checks
        rules = {check.code: check.name for check in self.checks}
        self.selection: RuleSelection = RuleSelection(rules, settings)
        self.environment: Environment = Environment(
            instruments=plugins.instruments,
            rules=rules,
            plugins=plugins.check_plugins,
            root=root,
        )
        #: Seconds a check may spend on one file (0: no limit).
        self.time_budget = settings.timeout
        #: Diagnostics of checks that failed before any file (in ``prepare``): they do not run.
        self.failures: list[Diagnostic] = []
        working = []
        for check in self.checks:
            if check.code in self.selection.enabled:
                failure = self.contained(check, "prepare", check.prepare)
                if failure is not None:
                    self.failures.append(failure)
                    continue
            working.append(check)
        self.checks = tuple(working)

    def contained(
        self, check: type[Check], step: str, work: Callable[[], object]
    ) -> Diagnostic | None:
        """Run one step of ``check`` outside any file behind the crash barrier; the
        diagnostic naming it and its plugin when it fails."""
        try:
            with time_budget(self.time_budget):
                work()
        except BaseException as error:
            if not is_contained(error):
                raise
            plugin = self.environment.plugins.get(check.code, "?")
            what = (
                str(error)
                if isinstance(error, CheckTimeoutError)
                else f"crashed: {type(error).__name__}: {error}"
            )
            return _plugin_failure(
                plugin,
                f"{step}() of check {check.code} ({check.name}, plugin {plugin!r}) {what}; "
                f"turn it off with `-p no:{plugin}` or `--ignore {check.code}`",
            )
        return None

    def checks_for(self, relpath: str) -> tuple[frozenset[str], list[type[Check]]]:
        """The enabled codes for one file and the check classes to run on it."""
        enabled = self.selection.for_file(relpath)
        return enabled, [c for c in self.checks if c.code in enabled]

    def analyse(self, file: SourceFile, source: str) -> FileResult:
        """Check one file's text (never raises: failures become internal-error diagnostics)."""
        from labgen.checking.analysis import FileResult, analyse_source, internal_error

        enabled, checks = self.checks_for(file.relpath)
        try:
            with _recursion_limit(ANALYSIS_RECURSION_LIMIT), time_budget(self.time_budget):
                return analyse_source(
                    source,
                    relpath=file.relpath,
                    display=file.display,
                    checks=checks,
                    environment=self.environment,
                    report_unused_noqa=UNUSED_NOQA[0] in enabled,
                )
        except CheckTimeoutError as error:  # the budget ran out between two checks' calls
            message = f"checking this file {error} (check.timeout)"
            return FileResult([internal_error(file.display, 1, 1, message)], cacheable=False)
        except Exception as error:  # a bug in labgen itself: report it, keep going
            message = f"labgen failed on this file: {type(error).__name__}: {error}"
            return FileResult([internal_error(file.display, 1, 1, message)], cacheable=False)


@contextlib.contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    """Let Python recurse ``limit`` frames deep for a while (never lowering the limit)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, previous))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


class Runner:
    """One ``labgen check`` run."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        settings = options.settings.model_dump(
            mode="json", exclude={"output_format", "cache", "timeout"}
        )
        self.fingerprint = fingerprint(__version__, options.plugins.fingerprint(), settings)
        self.cache = ResultCache(options.root, self.fingerprint) if options.use_cache else None

    @cached_property
    def rules(self) -> RuleSet:
        """Checks are loaded on first need (never when every file comes from the cache)."""
        return RuleSet(self.options.plugins, self.options.settings, self.options.root)

    def run(self) -> RunResult:
        """Check every file and return what was found. Plugin code runs behind the crash
        barrier: what it prints goes to stderr, and only the user's Ctrl-C ends the run."""
        with user_interrupts(), plugin_output_to_stderr():
            return self._run()

    def _run(self) -> RunResult:
        files = discover(self.options)
        found: dict[SourceFile, list[Diagnostic]] = {}
        contents: dict[SourceFile, bytes] = {}
        keys: dict[SourceFile, str] = {}
        pending: list[tuple[SourceFile, str]] = []
        for file in files:
            try:
                content = _read_source(file.path)
            except OSError as error:
                found[file] = [_unreadable(file, error)]
                continue
            contents[file] = content
            if self.cache is not None:
                keys[file] = self.cache.key(file.relpath, content)
                cached = self.cache.get(file.relpath, keys[file], file.display)
                if cached is not None:
                    found[file] = cached
                    continue
            source = _decode(content)
            if isinstance(source, Diagnostic):
                found[file] = [source.with_filename(file.display)]
                continue
            pending.append((file, source))
        result = RunResult([], files=len(files))
        if pending:
            workers = self.options.jobs or default_jobs()
            for (file, _), outcome in zip(
                pending, analyse_all(self.rules.analyse, pending, workers), strict=True
            ):
                found[file] = outcome.diagnostics
                # With a failed plugin, results lack its checks: never keep them.
                if (
                    self.cache is not None
                    and outcome.cacheable
                    and not self.options.plugins.failures
                    and not self.rules.failures
                ):
                    self.cache.put(file.relpath, keys[file], outcome.diagnostics)
        result.analysed = len(pending)
        result.cached = self.cache.hits if self.cache is not None else 0
        if self.options.fix or self.options.diff:
            self._fix(found, contents, keys, result)
        diagnostics = [d for file in files for d in found.get(file, ())]
        diagnostics += self._tree([file.relpath for file in files])
        diagnostics += [
            _plugin_failure(failure.plugin, failure.message)
            for failure in self.options.plugins.failures
        ]
        if "rules" in self.__dict__:  # checks were loaded: some may have failed to prepare
            diagnostics += self.rules.failures
        result.diagnostics = sorted(diagnostics)
        shown = {d.filename for d in result.diagnostics}
        for file, content in contents.items():
            if file.display in shown:
                text = _decode(content)
                if isinstance(text, str):
                    result.sources[file.display] = text
        return result

    def _fix(
        self,
        found: dict[SourceFile, list[Diagnostic]],
        contents: dict[SourceFile, bytes],
        keys: dict[SourceFile, str],
        result: RunResult,
    ) -> None:
        from labgen.checking.fixes import apply_fixes, unified_diff

        for file, diagnostics in list(found.items()):
            if not any(d.fixable for d in diagnostics) or file not in contents:
                continue
            original = _decode(contents[file])
            if not isinstance(original, str):
                continue
            text, remaining, cacheable = original, diagnostics, True
            for _ in range(MAX_FIX_ROUNDS):
                if not any(d.fixable for d in remaining):
                    break
                text_after, applied = apply_fixes(text, remaining)
                if applied == 0 or text_after == text:
                    break
                result.fixed += applied
                text = text_after
                outcome = self.rules.analyse(file, text)
                remaining, cacheable = outcome.diagnostics, outcome.cacheable
            if text == original:
                continue
            if self.options.diff:
                result.diffs.append(unified_diff(file.display, original, text))
                continue
            encoded = _encode(text, contents[file])
            atomic_write(file.path, encoded.decode("utf-8"))
            contents[file] = encoded
            found[file] = remaining
            if self.cache is not None and cacheable:
                keys[file] = self.cache.key(file.relpath, encoded)
                self.cache.put(file.relpath, keys[file], remaining)

    def _tree(self, checked: list[str]) -> list[Diagnostic]:
        """Diagnostics of rules that judge labs together (cached on the listing): the whole
        labs folder when it is checked, else the lab folders of the ``checked`` files."""
        from labgen.checking.tree import TreeContext

        if self.options.labs_dir is not None:
            tree = TreeContext.scan(
                self.options.root,
                self.options.cwd,
                self.options.labs_dir,
                self.options.chapters_dir,
            )
        else:
            tree = TreeContext.around(self.options.root, self.options.cwd, checked)
            if not tree.lab_files:
                return []
        parts = [*tree.lab_files, "--", *tree.spec_files, "--", *sorted(tree.checked or ())]
        listing = "\n".join(parts).encode()
        key = self.cache.key("<tree>", listing) if self.cache is not None else ""
        if self.cache is not None:
            cached = self.cache.get("<tree>", key, display=None)
            if cached is not None:
                return cached
        found: list[Diagnostic] = []
        failures = []
        for check in self.rules.checks:
            if check.code in self.rules.selection.enabled:
                results: list[Diagnostic] = []
                failure = self.rules.contained(
                    check, "check_tree", lambda c=check, out=results: out.extend(c.check_tree(tree))
                )
                if failure is None and all(isinstance(d, Diagnostic) for d in results):
                    found.extend(results)
                elif failure is None:
                    failures.append(
                        _plugin_failure(
                            self.rules.environment.plugins.get(check.code, "?"),
                            f"check_tree() of check {check.code} ({check.name}) returned "
                            "something that is not a Diagnostic",
                        )
                    )
                else:
                    failures.append(failure)
        if failures:
            return found + failures  # never cached: the next run tries again
        if self.cache is not None:
            self.cache.put("<tree>", key, found)
        return found


def discover(options: RunOptions) -> list[SourceFile]:
    """The Python files under ``options.paths`` (folders searched recursively), sorted.

    Files named explicitly are always checked; inside folders, hidden folders, the default
    excludes and the ``exclude`` globs (relative to the project root) are skipped.
    """
    chosen: dict[Path, SourceFile] = {}
    excludes = [*DEFAULT_EXCLUDES, *options.settings.exclude]
    for given in options.paths:
        path = given if given.is_absolute() else options.cwd / given
        if not path.exists():
            raise UsageError(f"{given}: no such file or folder")
        if not path.is_dir():  # named explicitly: checked, or said why it cannot be read
            chosen.setdefault(path.resolve(), _source_file(path, options))
            continue
        for folder, subfolders, names in os.walk(path):
            base = Path(folder)
            subfolders[:] = sorted(
                name
                for name in subfolders
                if not name.startswith(".") and not _excluded(base / name, options.root, excludes)
            )
            for name in sorted(names):
                candidate = base / name
                if (
                    name.endswith(".py")
                    and candidate.is_file()  # a FIFO or a dangling link is nobody's lab
                    and not _excluded(candidate, options.root, excludes)
                ):
                    chosen.setdefault(candidate.resolve(), _source_file(candidate, options))
    return sorted(chosen.values(), key=lambda f: f.relpath)


def _excluded(path: Path, root: Path, globs: Sequence[str]) -> bool:
    relpath = _relative(path, root)
    return any(glob_matches(glob, relpath) for glob in globs)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _source_file(path: Path, options: RunOptions) -> SourceFile:
    return SourceFile(path, _relative(path, options.root), _shown(path, options.cwd))


def _shown(path: Path, cwd: Path) -> str:
    absolute = path if path.is_absolute() else cwd / path
    try:
        return absolute.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return absolute.resolve().as_posix()


_BOM = "\ufeff"


def _decode(content: bytes) -> str | Diagnostic:
    """The text of a file, or a syntax-error diagnostic when it is not UTF-8."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        return Diagnostic(
            filename="",
            line=line,
            column=1,
            code=SYNTAX_ERROR[0],
            message=f"file is not valid UTF-8 (byte {error.start})",
            name=SYNTAX_ERROR[1],
            end_line=line,
            end_column=1,
        )
    return text[1:] if text.startswith(_BOM) else text


def _read_source(path: Path) -> bytes:
    """The bytes of a file to check; OSError when it is not a regular file (opened without
    blocking, so a FIFO cannot hang the run)."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return stream.read()


def _encode(text: str, original: bytes) -> bytes:
    bom = _BOM.encode() if original.startswith(_BOM.encode()) else b""
    return bom + text.encode("utf-8")


def _unreadable(file: SourceFile, error: OSError) -> Diagnostic:
    return Diagnostic(
        filename=file.display,
        line=1,
        column=1,
        code=INTERNAL_ERROR[0],
        message=f"cannot read the file: {error.strerror or error}",
        name=INTERNAL_ERROR[1],
        end_line=1,
        end_column=1,
    )


def _plugin_failure(plugin: str, message: str) -> Diagnostic:
    """A LAB999 diagnostic for a plugin that failed outside any file."""
    return Diagnostic(
        filename=f"<plugin {plugin}>",
        line=1,
        column=1,
        code=INTERNAL_ERROR[0],
        message=message,
        name=INTERNAL_ERROR[1],
        end_line=1,
        end_column=1,
    )


def run_check(options: RunOptions) -> RunResult:
    """Run ``labgen check`` as configured by ``options``."""
    return Runner(options).run()
