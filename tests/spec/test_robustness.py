"""No spec text, however mangled, makes the validator raise; every problem has a place."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labgen.spec import check_spec_bytes

VALID = (Path(__file__).parent / "data" / "valid_ch05.yaml").read_text(encoding="utf-8")
LINES = VALID.splitlines()
_values = st.sampled_from(
    [
        "",
        "~",
        "0",
        "-1",
        "1e309",
        "yes",
        "[]",
        "{}",
        "[1, [2]]",
        "'TODO'",
        "fp8",
        "H100",
        "&a x",
        "*a",
        "|",
        ">-",
        "!!str 3",
    ]
)


@st.composite
def mangled(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "revalue", "indent", "dedent"]))
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "revalue" and ":" in line:
            lines[index] = line.split(":", 1)[0] + ": " + draw(_values)
        elif action == "indent":
            lines[index] = "  " + line
        elif action == "dedent":
            lines[index] = line[2:] if line.startswith("  ") else line
        if not lines:
            break
    return "\n".join(lines) + "\n"


@given(mangled())
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mangled_specs_are_reported_not_raised(text: str) -> None:
    result = check_spec_bytes(text.encode(), path=Path("chapters/vol1/ch05_nn_compute.yaml"))
    for problem in result.problems:
        assert problem.line >= 1
        assert problem.message
    assert (result.spec is None) == bool(result.problems)
