"""Rules follow aliases and cells: every rule still fires when a lab renames what it imports.

``alias_imports`` rewrites a lab the way a hand-editing author might: ``import mlsys as m`` (and
``m.Engine.solve`` everywhere), ``from labs.core.components import LatencyWaterfall as
k_LatencyWaterfall``, ``import marimo as mx``; names move between cells as marimo globals.
"""

from __future__ import annotations

from collections import Counter

import libcst as cst
import pytest

from labgen.checking.check import Check
from labgen.checking.examples import as_example
from labgen.checking.testing import check_source
from labgen.checks import builtin_checks

from .broken_variants import broken_variants
from .conftest import CLEAN_LABS

MODULE_ALIAS = "m"
KIT_MODULES = ("labs.core.components", "labs.core.state")


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""


class _Aliaser(cst.CSTTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.via_module: dict[str, str] = {}  # local name -> attribute of `m`
        self.renamed: dict[str, str] = {}  # local name -> new local name
        self.skip: set[cst.CSTNode] = set()

    # -- collect what to rename -------------------------------------------------------
    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = _dotted(node.module) if node.module else ""
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            local = alias.asname.name.value if alias.asname else _dotted(alias.name)
            if module == "mlsys":
                self.via_module[local] = _dotted(alias.name)
            elif module in KIT_MODULES and alias.asname is None:
                self.renamed[local] = f"k_{local}"
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            if _dotted(alias.name) == "marimo" and alias.asname is not None:
                self.renamed[alias.asname.name.value] = "mx"
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(node.attr)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(node.keyword)

    def visit_Param(self, node: cst.Param) -> None:
        self.skip.add(node.name)

    def visit_Return(self, node: cst.Return) -> None:
        elements = node.value.elements if isinstance(node.value, cst.Tuple) else [node.value]
        for element in elements:
            value = getattr(element, "value", element)
            if isinstance(value, cst.Name):
                self.skip.add(value)

    # -- rewrite --------------------------------------------------------------------------
    def _local(self, name: str) -> str:
        if name in self.via_module:
            return MODULE_ALIAS
        return self.renamed.get(name, name)

    def leave_ImportFrom(
        self, original: cst.ImportFrom, updated: cst.ImportFrom
    ) -> cst.BaseSmallStatement:
        module = _dotted(original.module) if original.module else ""
        if module == "mlsys" and not isinstance(original.names, cst.ImportStar):
            return cst.Import(
                names=[
                    cst.ImportAlias(cst.Name("mlsys"), asname=cst.AsName(cst.Name(MODULE_ALIAS)))
                ]
            )
        if module in KIT_MODULES and not isinstance(updated.names, cst.ImportStar):
            names = [
                a
                if a.asname
                else a.with_changes(asname=cst.AsName(cst.Name(f"k_{_dotted(a.name)}")))
                for a in updated.names
            ]
            return updated.with_changes(names=names, lpar=cst.LeftParen(), rpar=cst.RightParen())
        return updated

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
        names = [
            a.with_changes(asname=cst.AsName(cst.Name("mx")))
            if _dotted(a.name) == "marimo" and a.asname is not None
            else a
            for a in updated.names
        ]
        return updated.with_changes(names=names)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if original in self.skip:
            return updated
        if original.value in self.via_module:
            return cst.Attribute(cst.Name(MODULE_ALIAS), cst.Name(self.via_module[original.value]))
        if original.value in self.renamed:
            return cst.Name(self.renamed[original.value])
        return updated

    def leave_Parameters(self, original: cst.Parameters, updated: cst.Parameters) -> cst.Parameters:
        seen, params = set(), []
        for param in updated.params:
            name = self._local(param.name.value)
            if name not in seen:
                seen.add(name)
                params.append(param.with_changes(name=cst.Name(name)))
        if params:
            params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(params=params)

    def leave_Return(self, original: cst.Return, updated: cst.Return) -> cst.Return:
        if not isinstance(updated.value, cst.Tuple):
            if isinstance(updated.value, cst.Name):
                return updated.with_changes(value=cst.Name(self._local(updated.value.value)))
            return updated
        seen, elements = set(), []
        for element in updated.value.elements:
            value = element.value
            if isinstance(value, cst.Name):
                name = self._local(value.value)
                if name in seen:
                    continue
                seen.add(name)
                element = element.with_changes(value=cst.Name(name))
            elements.append(element)
        return updated.with_changes(value=updated.value.with_changes(elements=elements))


def alias_imports(source: str) -> str:
    """``source`` with its mlsys, kit and marimo imports aliased (see the module docstring)."""
    module = cst.parse_module(source)
    aliaser = _Aliaser()
    return module.visit(aliaser).code


def test_aliasing_does_what_it_says() -> None:
    source = (CLEAN_LABS / "vol1" / "lab_02_ml_systems.py").read_text(encoding="utf-8")
    aliased = alias_imports(source)
    assert "import mlsys as m" in aliased
    assert "from mlsys" not in aliased
    assert "m.Engine.solve(" in aliased
    assert "def _(" in aliased
    assert "LatencyWaterfall as k_LatencyWaterfall" in aliased
    assert "k_LatencyWaterfall(kat1_profile)" in aliased
    assert "import marimo as mx" in aliased
    assert "mx.ui.slider(" in aliased
    cst.parse_module(aliased)


RULES = builtin_checks()


def _parses(source: str) -> bool:
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError:
        return False
    return True


INVALID = [
    pytest.param(rule, index, id=f"{rule.code}-{index}")
    for rule in RULES
    for index, item in enumerate(rule.INVALID)
    if "import" in as_example(item).source
    and _parses(as_example(item).source)
    and as_example(item).beside is None  # a whole-tree example judges file names, not imports
]


@pytest.mark.parametrize(("rule", "index"), INVALID)
def test_each_invalid_example_still_fires_through_aliases(rule: type[Check], index: int) -> None:
    example = as_example(rule.INVALID[index])
    aliased = alias_imports(example.source)
    found = [d for d in check_source(aliased, RULES, path=example.path) if d.code == rule.code]
    assert found, f"{rule.code} no longer fires once imports are aliased:\n{aliased}"


def test_every_rule_that_reads_imports_is_exercised_through_aliases() -> None:
    exercised = {rule.code for rule, _ in (p.values for p in INVALID)}
    import_free = {"LAB000", "LAB004", "LAB009", "LAB100", "LAB999"}
    assert exercised >= {r.code for r in RULES} - import_free


def test_the_clean_labs_stay_clean_through_aliases() -> None:
    for lab in sorted(CLEAN_LABS.rglob("lab_*.py")):
        aliased = alias_imports(lab.read_text(encoding="utf-8"))
        relpath = lab.relative_to(CLEAN_LABS.parent).as_posix()
        assert check_source(aliased, RULES, path=relpath) == []


BROKEN = broken_variants()


@pytest.mark.parametrize("variant", sorted(v for v in BROKEN if v != "truncated"))
def test_broken_labs_report_the_same_rules_through_aliases(variant: str) -> None:
    entry = BROKEN[variant]
    aliased = alias_imports(entry.text)
    found = Counter(
        d.code for d in check_source(aliased, RULES, path=f"generated_labs/{entry.relpath}")
    )
    assert set(found) == set(entry.expect), found
