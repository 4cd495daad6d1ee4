"""``labgen validate``: check chapter specs and report every problem at its line and column."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labgen.book import UnknownChapterError, resolve
from labgen.commands.spec_report import (
    fail_on_problems,
    print_problems,
    warn_unreadable_neighbours,
)
from labgen.config import set_option
from labgen.errors import UsageError
from labgen.instruments import Instrument
from labgen.parallel import map_forked, shared
from labgen.plugins import PluginChoice, plugin_options
from labgen.spec.cache import SpecResultCache, run_fingerprint
from labgen.spec.diagnostics import SpecProblem
from labgen.spec.index import SpecIndex
from labgen.spec.reading import SpecReadError, read_spec_bytes
from labgen.spec.registries import build_registries, plugin_instruments
from labgen.spec.workspace import Workspace, open_workspace, shown_path


def _targets(paths: tuple[str, ...], workspace: Workspace | None) -> list[Path]:
    """Spec files named by ``paths`` (files, folders searched for *.yaml, chapter addresses),
    or every spec of the project when none is given."""
    if not paths:
        if workspace is None:
            raise UsageError("no labgen project here; name the spec files to validate")
        return workspace.spec_files()
    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.yaml") if p.is_file())
        elif path.exists():
            found.append(path)
        elif workspace is not None and not text.endswith((".yaml", ".yml")):
            try:
                chapter = resolve(text)
            except UnknownChapterError as error:
                raise UsageError(f"{text}: no such file, and {error}") from None
            found.append(workspace.spec_path(chapter))
        else:
            raise UsageError(f"{text}: no such file or folder")
    return found


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
@click.option("--no-cache", is_flag=True, help="Prove every spec afresh; read and write no cache.")
@plugin_options
@set_option
def validate(
    paths: tuple[str, ...],
    as_json: bool,
    no_cache: bool,
    plugin_choice: PluginChoice,
    overrides: tuple[str, ...],
) -> None:
    """Validate chapter specs (files, folders or chapter addresses such as ch05).

    With no argument, every spec of the project found from the current directory is checked;
    named files and folders are judged in the project they are in, wherever the command runs.
    Exit code 0 when all are valid, 1 when any has a problem, 2 for usage errors and plugins
    that fail (specs are judged with every plugin's instruments).

    The problems of a spec whose bytes, path, labgen/labs/mlsys source, instruments and the
    project's ledger writes are unchanged come from .labgen_cache/ (--no-cache skips it).
    """
    try:
        workspace: Workspace | None = open_workspace(overrides, start=_project_start(paths))
    except UsageError:
        if not paths or overrides:
            raise
        workspace = None
    targets = _targets(paths, workspace)
    index = workspace.index() if workspace is not None else SpecIndex()
    config = workspace.config if workspace is not None else None
    root = workspace.root if workspace is not None else None
    # The same instruments as ``registries_for``: the registries themselves (which import the
    # engine) are built only when some spec is not in the cache.
    instruments = plugin_instruments(
        getattr(config, "plugins", ()), root, choice=plugin_choice, config=config
    )
    cache = None
    if workspace is not None and not no_cache:
        cache = SpecResultCache(workspace.root, run_fingerprint(instruments, index))
    problems = _problems(targets, instruments, index, cache)
    if as_json:
        click.echo(json.dumps([p.to_json() for p in problems], indent=2))
    else:
        print_problems(problems)
        if not problems:
            noun = "spec" if len(targets) == 1 else "specs"
            click.echo(f"All {len(targets)} {noun} valid.")
    warn_unreadable_neighbours(index, targets, shown_path)
    fail_on_problems(problems, len(targets))


def _problems(
    targets: list[Path],
    instruments: tuple[Instrument, ...],
    index: SpecIndex,
    cache: SpecResultCache | None,
) -> list[SpecProblem]:
    """Every located problem of ``targets``, in order: from the cache where it holds the
    spec's bytes under the same key, else proved (in forked workers) and then cached."""
    found: dict[int, list[SpecProblem]] = {}
    pending: list[tuple[int, Path, str, bytes, str]] = []
    for number, path in enumerate(targets):
        shown = shown_path(path)
        try:
            data = read_spec_bytes(path)
        except SpecReadError as error:
            found[number] = [SpecProblem(shown, error.line, error.column, str(error))]
            continue
        key = cache.key(str(path), data) if cache is not None else ""
        cached = cache.problems(str(path), key, shown) if cache is not None else None
        if cached is not None:
            found[number] = cached
        else:
            pending.append((number, path, shown, data, key))
    if pending:
        # Imported here, before the workers fork: the spec model, the proofs and the engine.
        import labgen.spec.validate  # noqa: F401

        registries = build_registries(instruments)
        # Longest first (a spec's size stands for its proofs' cost), so the two workers do not
        # end with one long spec running alone; results are put back in the specs' order.
        pending.sort(key=lambda job: -len(job[3]))
        jobs = [(path, shown, data) for _, path, shown, data, _ in pending]
        results = map_forked(_problems_of, jobs, registries=registries, index=index)
        for (number, path, _, _, key), result in zip(pending, results, strict=True):
            found[number] = result
            if cache is not None:
                cache.store(str(path), key, result)
    return [problem for number in range(len(targets)) for problem in found[number]]


def _problems_of(job: tuple[Path, str, bytes]) -> list[SpecProblem]:
    """The located problems of one spec's bytes (run in a worker: see ``labgen.parallel``)."""
    from labgen.spec.validate import check_spec_bytes

    path, shown, data = job
    return check_spec_bytes(
        data, path=path, shown=shown, registries=shared("registries"), index=shared("index")
    ).problems


def _project_start(paths: tuple[str, ...]) -> Path | None:
    """Where to look for the project: from the first file or folder named (a spec belongs to
    the project it is in, wherever the command runs), else from the working folder."""
    for text in paths:
        path = Path(text)
        if path.exists() or path.is_symlink():
            return path.absolute() if path.is_dir() else path.absolute().parent
    return None
