"""The offline site's wheels carry bytecode compiled by Pyodide's own interpreter, and that
interpreter runs it (labgen.wasm_cache.with_bytecode). Real Pyodide under Node; never skips."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from labgen.wasm_cache import browser_wheels, pyodide_runtime, with_bytecode

RUNNER = Path(__file__).with_name("run_in_pyodide.mjs")


def _one_wheel(prefix: str) -> Path:
    (wheel,) = [w for w in browser_wheels() if w.name.startswith(prefix)]
    return wheel


def test_every_module_gets_its_bytecode_listed_in_record_and_nothing_else_changes() -> None:
    wheel = _one_wheel("pint-")
    (compiled,) = with_bytecode([wheel])
    assert compiled.name == wheel.name
    assert with_bytecode([wheel]) == [compiled]  # cached: compiled once
    with zipfile.ZipFile(wheel) as before, zipfile.ZipFile(compiled) as after:
        record_name = next(n for n in before.namelist() if n.endswith(".dist-info/RECORD"))
        for name in before.namelist():
            if name != record_name:
                assert after.read(name) == before.read(name), name
        sources = [n for n in before.namelist() if n.endswith(".py") and ".dist-info/" not in n]
        record = {
            line.split(",")[0]: line.split(",")[1]
            for line in after.read(record_name).decode().splitlines()
        }
        assert len(sources) > 50
        for source in sources:
            folder, _, file = source.rpartition("/")
            pyc = f"{folder}/__pycache__/{file[:-3]}.cpython-314.pyc"
            data = after.read(pyc)
            assert int.from_bytes(data[4:8], "little") == 0b01  # hash-based, unchecked
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert record[pyc] == f"sha256={digest.decode()}"
        assert set(record) == set(after.namelist())


def test_pyodide_imports_the_bytecode_without_recompiling_the_source(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the Pyodide run needs Node 20 or later")
    runtime = pyodide_runtime()
    (compiled,) = with_bytecode([_one_wheel("typing_extensions-")])
    info = json.loads((runtime / "pyodide-lock.json").read_text(encoding="utf-8"))["info"]
    (tmp_path / "lock.json").write_text(json.dumps({"info": info, "packages": {}}))
    (tmp_path / "files.json").write_text(json.dumps({"/tmp/compiled.whl": str(compiled)}))
    # The installed source is broken after unpacking: only the wheel's bytecode can import.
    (tmp_path / "run.py").write_text(
        "import sys, zipfile\n"
        "zipfile.ZipFile('/tmp/compiled.whl').extractall('/tmp/site')\n"
        "with open('/tmp/site/typing_extensions.py', 'a') as f:\n"
        "    f.write('\\nraise RuntimeError(\"the source ran\")\\n')\n"
        "sys.path.insert(0, '/tmp/site')\n"
        "import typing_extensions\n"
        "assert typing_extensions.__cached__.endswith('.cpython-314.pyc')\n"
        "0\n"
    )
    arguments = [runtime, tmp_path / "lock.json", tmp_path, tmp_path / "files.json"]
    done = subprocess.run(
        [node, RUNNER, *arguments, tmp_path / "run.py"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
