"""labgen check's cache keys on the code that decides findings, the engine's included: LAB018
solves every generated lab's answers with mlsys, so an engine edit must re-check every lab."""

from __future__ import annotations

import os

from labgen.checking import cache as check_cache


def test_an_edited_engine_file_changes_the_check_fingerprint(tmp_path, monkeypatch) -> None:
    package = tmp_path / "site" / "engine_probe"
    package.mkdir(parents=True)
    module = package / "__init__.py"
    module.write_text("PEAK = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(
        check_cache, "SOURCE_PACKAGES", (*check_cache.SOURCE_PACKAGES, "engine_probe")
    )
    before = check_cache.fingerprint("1.0", [], {})
    assert check_cache.fingerprint("1.0", [], {}) == before  # deterministic
    # Same size and modification time: only the bytes tell the edit apart.
    stat = module.stat()
    module.write_text("PEAK = 2\n")
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert check_cache.fingerprint("1.0", [], {}) != before


def test_the_engine_is_one_of_the_packages_the_fingerprint_reads() -> None:
    assert {"labgen", "labs", "mlsys"} <= set(check_cache.SOURCE_PACKAGES)
