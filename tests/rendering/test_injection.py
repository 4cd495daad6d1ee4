"""Hostile spec text produces a lab that shows the text and runs none of it."""

import ast
from pathlib import Path

import pytest
import yaml

from labgen.rendering.execute import run_lab
from labgen.spec import load_spec

CANARY = "labgen_injection_canary"

HOSTILE = [
    "'; import os; os.system('touch " + CANARY + "') #",
    '"""; __import__("os").system("touch ' + CANARY + '"); """',
    "'''",
    "\\' \\\" \\\\ backslashes \\n not a newline",
    "line one\nline two\r\nline three\u2028line four",
    "{{ 7 * 7 }} {% for x in range(3) %}{{ x }}{% endfor %} {# comment #}",
    "{} {0} {name!r} %s %(x)s f'{__import__(\"os\")}'",
    '__import__("os").system("touch ' + CANARY + '")',
    "</script><script>alert(1)</script><img src=x onerror=alert(1)>",
    "# comment\n@app.cell\ndef _():\n    __import__('os').system('touch " + CANARY + "')",
]


def _hostile_spec(source: Path, text: str) -> dict:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["chapter"]["title"] = text[:120]
    data["struggle"]["summary"] = text
    data["invariants"][0]["statement"] = text
    for track in data["tracks"].values():
        track["scenario"] = text
        # The chapter's bar stays stated (a validation rule), ahead of the hostile text.
        track["nemesis"] = f"{track['nemesis']} {text}"
        track["stakeholder_prompt"] = text
    for kat in data["kats"]:
        kat["title"] = text[:120]
        kat["prediction"]["prompt"] = text
        kat["reflection"]["prompt"] = text
        for control in kat["controls"]:
            control["label"] = text[:60]
    return data


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_shown_not_run(book, labgen, text):
    spec_path = book / "chapters" / "vol1" / "ch05_nn_compute.yaml"
    data = _hostile_spec(spec_path, text)
    spec_path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    code, _, err = labgen("build", "ch05")
    assert code == 0, err
    lab_path = book / "generated_labs" / "vol1" / "lab_05_nn_compute.py"
    source = lab_path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    # The text survives only inside string constants: no call, import or name comes from it.
    constants = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert any(text[:60] in constant for constant in constants)
    called = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert not any("__import__" in name or "system" in name for name in called)
    assert not any(
        isinstance(node, ast.Import) and node.names[0].name == "os" for node in ast.walk(tree)
    )
    # Running the lab end to end (as a student would) executes none of it.
    spec = load_spec(spec_path)
    _, defs = run_lab(lab_path, spec, "edge_guardian")
    assert "kat3_profile" in defs
    assert not (book / CANARY).exists()
    assert not Path(CANARY).exists()
