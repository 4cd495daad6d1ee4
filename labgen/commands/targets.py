"""Which chapters a command works on: the addresses it was given, or every chapter with a spec."""

from __future__ import annotations

from labgen.book import Chapter, UnknownChapterError, chapters, resolve
from labgen.commands.spec_report import (
    fail_on_problems,
    print_problems,
    warn_unreadable_neighbours,
)
from labgen.errors import LabgenError, UsageError
from labgen.plugins import PluginChoice
from labgen.rendering.pipeline import BuildResult, plan, render_all
from labgen.rendering.render import RenderError
from labgen.spec.reading import spec_entry_exists
from labgen.spec.registries import registries_for
from labgen.spec.workspace import Workspace


def chosen_chapters(
    workspace: Workspace, addresses: tuple[str, ...], every: bool, verb: str
) -> list[Chapter]:
    """The chapters named by ``addresses`` (ch05, v2ch05, a slug), or with ``every`` each
    chapter that has a spec; each must have a spec. ``verb`` names the command's work in
    messages ("build", "export")."""
    if bool(addresses) == every:
        raise UsageError(f"name the chapters to {verb} (e.g. ch05) or pass --all, not both")
    if every:
        found = [c for c in chapters() if spec_entry_exists(workspace.spec_path(c))]
        if not found:
            raise UsageError(f"no chapter specs under {workspace.relative(workspace.chapters_dir)}")
        return found
    targets: list[Chapter] = []
    for address in addresses:
        try:
            chapter = resolve(address)
        except UnknownChapterError as error:
            raise UsageError(str(error)) from None
        if not spec_entry_exists(workspace.spec_path(chapter)):
            where = workspace.relative(workspace.spec_path(chapter))
            raise UsageError(
                f"{address}: no spec at {where} (create one with `labgen new {address}`)"
            )
        if chapter not in targets:
            targets.append(chapter)
    return targets


def render_chosen(
    workspace: Workspace,
    addresses: tuple[str, ...],
    every: bool,
    plugin_choice: PluginChoice,
    verb: str,
    consequence: str,
) -> BuildResult:
    """Validate and render the chosen chapters' labs in memory (nothing is written). Spec
    problems are printed on stderr and end the command (exit 1, the message ending with
    ``consequence``); a template or plugin that fails ends it with exit 2."""
    targets = chosen_chapters(workspace, addresses, every, verb)
    # Plugins load once the chapters are known; one that fails stops the command (exit 2).
    registries = registries_for(workspace.config, workspace.root, plugin_choice)
    try:
        result = render_all(workspace, plan(workspace, targets), registries)
    except RenderError as error:
        raise LabgenError(str(error), code=2) from None
    print_problems(result.problems)
    warn_unreadable_neighbours(
        result.index, [workspace.spec_path(c) for c in targets], workspace.relative
    )
    fail_on_problems(result.problems, len(targets), consequence)
    return result
