"""LAB011 units: quantities come from mlsys.ureg, and numbers shown keep their unit."""

from __future__ import annotations

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import dotted

#: pint calls that create a unit registry of their own.
REGISTRY_MAKERS: frozenset[str] = frozenset(
    {
        "pint.UnitRegistry",
        "pint.LazyRegistry",
        "pint.ApplicationRegistry",
        "pint.registry.UnitRegistry",
        "pint.set_application_registry",
    }
)
#: Attributes that strip a pint quantity of its unit.
MAGNITUDE = frozenset({"magnitude", "m"})
#: Methods whose result has a unit the lab chose explicitly.
EXPLICIT_UNIT = frozenset({"to", "ito", "m_as"})


class Units(Check):
    """A lab makes its own unit registry, or shows a bare number whose unit nobody chose.

    ## What it does
    Reports `import pint` and any `pint.*` use (labs use `mlsys.ureg`, the one registry), calls
    that create a second registry (`pint.UnitRegistry()` ...), and `.magnitude` / `.m` read from
    a quantity that was not first converted to an explicit unit with `.to(...)`.

    ## Why is this bad
    Quantities from two registries cannot be compared or added (pint raises), and a registry
    made in a lab lacks mlsys's `FLOP`, `sample` and `token` units. A bare `.magnitude` shows
    whatever unit mlsys happens to compute in (seconds, or bytes), so "0.0042" appears where
    the student expects "4.2 ms", and silently changes meaning if mlsys changes its base unit.

    ## Example
    ```python
    @app.cell
    def _(kat1_profile, mo):
        import pint

        lab_ureg = pint.UnitRegistry()
        mo.md(f"{kat1_profile.latency.magnitude:.2f}")
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(kat1_profile, mo):
        mo.md(f"{kat1_profile.latency.to('ms').magnitude:.2f} ms")
        return
    ```
    """

    code = "LAB011"
    name = "units"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile, mo):
                from mlsys import ureg

                kat1_budget = kat1_profile.latency.to(ureg.ms).magnitude
                mo.md(f"{kat1_profile.latency.m_as('ms'):.2f} ms, {kat1_profile.energy:~P}")
                return (kat1_budget,)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import pint

                lab_ureg = pint.UnitRegistry()
                return (lab_ureg,)
            """,
            count=2,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(kat1_profile, mo):
                mo.md(f"{kat1_profile.latency.magnitude:.2f} and {kat1_profile.energy.m}")
                return
            """,
            count=2,
        ),
    )

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if dotted(alias.name).split(".")[0] == "pint":
                self.report(alias, "labs do not import pint: use the one registry, `mlsys.ureg`")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted(node.module) if node.module is not None and not node.relative else ""
        if module.split(".")[0] == "pint":
            self.report(node, "labs do not import pint: use the one registry, `mlsys.ureg`")

    def visit_Call(self, node: cst.Call) -> None:
        if not self.qualified_names(node.func).isdisjoint(REGISTRY_MAKERS):
            self.report(
                node,
                f"`{dotted(node.func)}(...)` makes a second unit registry: quantities from it "
                "cannot meet mlsys's; use `mlsys.ureg`",
            )

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value not in MAGNITUDE:
            return
        receiver = node.value
        if (
            isinstance(receiver, cst.Call)
            and isinstance(receiver.func, cst.Attribute)
            and receiver.func.attr.value in EXPLICIT_UNIT
            and receiver.args
        ):
            return
        if node.attr.value == "m" and not isinstance(receiver, cst.Attribute | cst.Call):
            return  # `x.m` on a plain name is too ambiguous to call a pint magnitude
        self.report(
            node,
            f"`{dotted(node)}` drops the unit without choosing one: name the unit with "
            f"`{dotted(receiver)}.m_as(<unit>)` or `.to(<unit>)` first",
        )
