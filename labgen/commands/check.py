"""``labgen check``: prove labs obey the lab guide (see ``labgen rule --all``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from labgen.config import set_option
from labgen.errors import LabgenError, UsageError
from labgen.plugins import PluginChoice, plugin_options

if TYPE_CHECKING:
    from labgen.checking.report import Report
    from labgen.checking.settings import CheckSettings
    from labgen.plugins import Plugins

_FORMAT_HELP = "full (source context), concise, json, sarif, github, or a plugin's format."


def _split(values: tuple[str, ...]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _per_file(values: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for value in values:
        glob, colon, codes = value.rpartition(":")
        if not colon or not glob.strip():
            raise UsageError(
                f"--per-file-ignores {value!r}: expected GLOB:CODES, e.g. 'generated_labs/vol2/**:LAB013'"
            )
        found.setdefault(glob.strip(), []).extend(_split((codes,)))
    return found


@click.command(name="check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--output-format", metavar="FORMAT", help=_FORMAT_HELP)
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help="Rules to run (codes, prefixes such as LAB0, names, or ALL), replacing the configured "
    "selection. Comma-separated or repeated.",
)
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules not to run.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to run as well.")
@click.option(
    "--per-file-ignores",
    multiple=True,
    metavar="GLOB:RULES",
    help="Rules not to run on files matching GLOB (relative to the project root).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--statistics", is_flag=True, help="Count problems per rule instead of listing them.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes and report what is left.")
@click.option("--diff", is_flag=True, help="Show the fixes as a diff; change no file.")
@click.option("--no-cache", is_flag=True, help="Check every file afresh; read and write no cache.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: one per CPU)."
)
@plugin_options
@click.option(
    "-v", "--verbose", is_flag=True, help="Say on stderr how many files came from the cache."
)
@set_option
def check(
    paths: tuple[Path, ...],
    output_format: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    per_file_ignores: tuple[str, ...],
    exit_zero: bool,
    statistics: bool,
    fix: bool,
    diff: bool,
    no_cache: bool,
    jobs: int | None,
    plugin_choice: PluginChoice,
    verbose: bool,
    overrides: tuple[str, ...],
) -> None:
    """Check labs (default: the project's generated_labs/) against the lab guide's rules.

    Exit codes: 0 no problems, 1 problems found, 2 usage error or a check/plugin failure.
    Suppress a finding with `# noqa: LAB005` on its line, on a cell's `@app.cell` line for the
    whole cell, or `# labgen: noqa: LAB005` on a line of its own for the whole file.
    """
    from labgen.config import load_config
    from labgen.plugins import plugins_for
    from labgen.project import ProjectNotFoundError, find_project

    cwd = Path.cwd()
    try:
        project = find_project(cwd)
    except ProjectNotFoundError:
        project = None
    config = load_config(project, overrides)
    settings = config.check
    updates: dict[str, object] = {}
    if select:
        updates["select"] = _split(select)
    if ignore:
        updates["ignore"] = [*settings.ignore, *_split(ignore)]
    if extend_select:
        updates["extend_select"] = [*settings.extend_select, *_split(extend_select)]
    if per_file_ignores:
        merged = {k: list(v) for k, v in settings.per_file_ignores.items()}
        for glob, codes in _per_file(per_file_ignores).items():
            merged.setdefault(glob, []).extend(codes)
        updates["per_file_ignores"] = merged
    if output_format:
        updates["output_format"] = output_format
    if no_cache:
        updates["cache"] = False
    settings = _updated(settings, updates)

    build = getattr(config, "build", None)
    labs_dir = chapters_dir = None
    if project is not None:
        labs_dir = project.root / getattr(build, "labs_dir", "generated_labs")
        chapters_dir = project.root / getattr(build, "chapters_dir", "chapters")
    if not paths:
        if project is None or labs_dir is None:
            raise UsageError(
                "no labgen project here (pyproject.toml with [tool.labgen], or a chapters/ "
                "folder): name the files or folders to check"
            )
        if not labs_dir.is_dir():
            raise UsageError(
                f"{_shown(labs_dir, cwd)}: no labs yet (build them with `labgen build --all`) "
                "or name the files to check"
            )
        paths = (labs_dir,)

    plugins = plugins_for(project, config, plugin_choice)
    plugins.configure(config)
    formats = plugins.output_formats
    for warning in plugins.warnings:
        click.echo(f"warning: {warning}", err=True)
    if settings.output_format not in formats:
        raise UsageError(
            f"unknown output format {settings.output_format!r} (known: {', '.join(sorted(formats))})"
        )

    from labgen.checking.report import Report, RuleDoc
    from labgen.checking.reporters import format_statistics
    from labgen.checking.runner import RunOptions, run_check

    root = project.root if project else cwd
    # The whole-tree rules run when the project's whole labs folder is checked.
    whole_tree = labs_dir is not None and any(
        (p if p.is_absolute() else cwd / p).resolve() == labs_dir.resolve() for p in paths
    )
    result = run_check(
        RunOptions(
            paths=list(paths),
            settings=settings,
            plugins=plugins,
            root=root,
            cwd=cwd,
            # Outside a project there is no root to keep a cache in: the working folder
            # is nobody's to litter.
            use_cache=settings.cache and project is not None,
            fix=fix,
            diff=diff,
            jobs=jobs,
            labs_dir=labs_dir if whole_tree else None,
            chapters_dir=chapters_dir if whole_tree else None,
        )
    )
    if verbose:
        click.echo(
            f"labgen check: {result.files} files, {result.analysed} analysed, "
            f"{result.cached} from the cache; plugins: "
            + ", ".join(f"{i.name} {i.version}" for i in plugins.infos),
            err=True,
        )

    if diff:
        click.echo("".join(result.diffs), nl=False)
        click.echo(
            f"Would fix {result.fixed} problem{'s' if result.fixed != 1 else ''} "
            f"in {len(result.diffs)} file{'s' if len(result.diffs) != 1 else ''}.",
            err=True,
        )
        _exit(2 if result.internal_errors else 1 if result.diffs and not exit_zero else 0)

    def rule_docs() -> list[RuleDoc]:
        return [
            RuleDoc(c.code, c.name, c.summary(), c.documentation(), c.fixable)
            for c in plugins.checks
        ]

    if statistics:
        click.echo(
            format_statistics(result.diagnostics, as_json=settings.output_format == "json"),
            nl=False,
        )
    else:
        report = Report(
            diagnostics=result.diagnostics,
            files=result.files,
            fixed=result.fixed,
            sources=result.sources,
            rule_docs=rule_docs,
        )
        click.echo(_formatted(report, settings.output_format, plugins), nl=False)
    if result.internal_errors:
        _exit(2)
    _exit(0 if exit_zero or not result.diagnostics else 1)


def _formatted(report: Report, name: str, plugins: Plugins) -> str:
    """The report in output format ``name``; a formatter that fails (or returns no text) is
    its plugin's failure, reported on one line (exit 2), never a traceback."""
    from labgen.checking.barrier import is_contained, plugin_output_to_stderr

    owner = plugins.format_plugins.get(name, "?")
    try:
        with plugin_output_to_stderr():
            text = plugins.output_formats[name](report)
    except BaseException as error:
        if not is_contained(error):
            raise
        raise LabgenError(
            f"output format {name!r} of plugin {owner!r} failed: {type(error).__name__}: "
            f"{error} (choose another with --output-format)",
            code=2,
        ) from None
    if not isinstance(text, str):
        raise LabgenError(
            f"output format {name!r} of plugin {owner!r} returned {type(text).__name__}, "
            "not text (choose another with --output-format)",
            code=2,
        )
    return text


def _exit(code: int) -> None:
    """End the command with ``code``. SystemExit, because ``labgen.cli.main`` runs click with
    ``standalone_mode=False`` and drops the code ``ctx.exit`` returns."""
    if code:
        raise SystemExit(code)


def _updated(settings: CheckSettings, updates: dict[str, object]) -> CheckSettings:
    """``settings`` with command-line ``updates``, validated like the configuration."""
    if not updates:
        return settings
    from labgen.checking.settings import parse_check_settings

    return parse_check_settings({**settings.model_dump(), **updates}, source="command line")


def _shown(path: Path, cwd: Path) -> str:
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
