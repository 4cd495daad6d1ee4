"""Layered configuration: pyproject < LABGEN_* environment < --set, validated, with sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from labgen.book import chapter
from labgen.config import Config, known_keys, load_config
from labgen.errors import UsageError
from labgen.project import Project


def _project(tmp_path: Path, toml: str) -> Project:
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    import tomllib

    table = tomllib.loads(toml).get("tool", {}).get("labgen", {})
    return Project(tmp_path, table)


PYPROJECT = """\
[project]
name = "book"

[tool.labgen]
plugins = ["book_plugins.extra"]

[tool.labgen.build]
labs-dir = "labs_out"

[tool.labgen.check]
select = ["LAB"]
extend-select = ["LAB002"]
"""


def test_defaults_without_a_project() -> None:
    config = load_config(None, environ={})
    assert config == Config()
    assert config.build.chapters_dir == "chapters"
    assert config.check.select == ["ALL"]
    assert all(source == "default" for _, source in config.effective().values())


def test_each_layer_overrides_the_one_below(tmp_path: Path) -> None:
    project = _project(tmp_path, PYPROJECT)
    config = load_config(
        project,
        overrides=["check.select=LAB1,LAB2", "build.format=false"],
        environ={"LABGEN_CHECK_SELECT": "LAB9", "LABGEN_BUILD__LABS_DIR": "env_labs", "HOME": "/x"},
    )
    assert config.check.select == ["LAB1", "LAB2"]
    assert config.source_of("check.select") == "--set check.select=LAB1,LAB2"
    assert config.build.labs_dir == "env_labs"
    assert config.source_of("build.labs_dir") == "environment LABGEN_BUILD__LABS_DIR"
    assert config.check.extend_select == ["LAB002"]
    assert config.source_of("check.extend_select") == "pyproject.toml [tool.labgen.check]"
    assert config.plugins == ["book_plugins.extra"]
    assert config.source_of("plugins") == "pyproject.toml [tool.labgen]"
    assert config.build.format is False
    assert config.source_of("build.chapters_dir") == "default"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LAB1", ["LAB1"]),
        ("LAB1, LAB2", ["LAB1", "LAB2"]),
        ('["LAB3"]', ["LAB3"]),
        ("['LAB4']", ["LAB4"]),
    ],
)
def test_list_values_from_text(text: str, expected: list[str]) -> None:
    assert load_config(None, [f"check.ignore={text}"], environ={}).check.ignore == expected


def test_tables_and_booleans_from_text() -> None:
    config = load_config(
        None,
        ['check.per-file-ignores={"generated_labs/vol2/**" = ["LAB013"]}', "check.cache=no"],
        environ={},
    )
    assert config.check.per_file_ignores == {"generated_labs/vol2/**": ["LAB013"]}
    assert config.check.cache is False


def test_every_problem_is_reported_with_its_place(tmp_path: Path) -> None:
    project = _project(
        tmp_path, '[tool.labgen]\nplugin = ["x"]\n\n[tool.labgen.build]\nlabs-dir = "/abs"\n'
    )
    with pytest.raises(UsageError) as raised:
        load_config(
            project,
            ["check.selct=LAB1", "novalue", "check.select=lab one"],
            environ={"LABGEN_BUILD_FORMAT": "maybe"},
        )
    pyproject = tmp_path / "pyproject.toml"
    assert raised.value.code == 2
    assert str(raised.value).splitlines() == [
        f"{pyproject}:2: unknown setting 'plugin'; did you mean 'plugins'?",
        "--set check.selct=LAB1: unknown setting 'check.selct'; did you mean 'check.select'?",
        "--set novalue: expected key=value, e.g. check.select=LAB1",
        f"{pyproject}:5: build.labs_dir: '/abs' must be a folder inside the project (relative, no '..')",
        "environment variable LABGEN_BUILD_FORMAT: build.format: Input should be a valid boolean, unable to interpret input",
        "--set check.select=lab one: check.select: 'lab one' is not a rule selector (use ALL, a code or prefix such as LAB005 or LAB0, or a rule name such as math-peek)",
    ]


def test_a_section_is_not_a_value() -> None:
    with pytest.raises(UsageError, match="'build' is a section; set one of its keys"):
        load_config(None, ["build=1"], environ={})


def test_unknown_environment_variables_are_errors() -> None:
    with pytest.raises(
        UsageError, match="environment variable LABGEN_BULID_FORMAT: unknown setting"
    ):
        load_config(None, environ={"LABGEN_BULID_FORMAT": "1"})


def test_plugins_must_be_module_names() -> None:
    with pytest.raises(UsageError, match="'my-plugin' is not an importable module name"):
        load_config(None, ["plugins=my-plugin"], environ={})


def test_paths_follow_the_build_folders(tmp_path: Path) -> None:
    config = load_config(
        None, ["build.chapters_dir=book/specs", "build.labs_dir=site/labs"], environ={}
    )
    ch = chapter(2, 5)
    assert config.spec_path(tmp_path, ch) == tmp_path / "book/specs/vol2/ch05_dist_train.yaml"
    assert config.lab_path(tmp_path, ch) == tmp_path / "site/labs/vol2/lab_05_dist_train.py"


def test_known_keys_cover_every_section() -> None:
    keys = known_keys()
    assert {
        "build.labs_dir",
        "build.chapters_dir",
        "build.format",
        "check.select",
        "plugins",
    } <= set(keys)
    assert set(Config().effective()) == set(keys)
