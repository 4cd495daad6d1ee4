"""LAB003 unknown-api: every mlsys name and Engine.solve keyword must exist in mlsys."""

from __future__ import annotations

import difflib
import inspect

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.diagnostics import Fix
from labgen.checking.examples import Invalid, Valid
from labgen.checks import _kit, _mlsys
from labgen.checks._lab import ENGINE_CALLS, argument, dotted, literal

#: Engine.solve arguments whose literal values are checked against what mlsys allows.
_CHECKED_LITERALS = ("precision", "efficiency", "batch_size")


class UnknownApi(Check):
    """A lab uses an mlsys or lab-kit name, keyword or value that does not exist.

    ## What it does
    Resolves every name a lab takes from `mlsys` (`Engine.solve`, `Models.ResNet50`,
    `Systems.H100.ram`, `from mlsys import ...`) by importing mlsys and following attributes,
    through aliases and across cells. It checks the keywords of every call into mlsys against
    the function's signature, the fields read from an `Engine.solve`/`Engine.sweep` result
    against `PerformanceProfile`, registry look-ups by name (`Models.get("...")`), and the
    literal `precision`, `efficiency` and `batch_size` passed to the engine against what
    mlsys accepts (`mlsys.PRECISIONS`, the precisions the chosen system runs, and the engine's
    own validation). Names imported from the lab kit (`from labs.core.components import
    FailureBanner`) or read from a kit module (`style.ACCENT` after `from labs.core import
    style`) must be defined there (read from the kit's source). Messages suggest the
    closest existing name.

    ## Why is this bad
    A hallucinated method (`Engine.simulate`), model (`Models.GPT4`), keyword (`batch=`) or
    precision (`"bf16"` on a system without it) only fails when a student reaches that cell,
    as a traceback in the middle of a lesson.

    ## Example
    ```python
    @app.cell
    def _(Engine, Models, Systems):
        kat1_profile = Engine.simulate(model=Models.Resnet50, system=Systems.H100, batch=8)
        return (kat1_profile,)
    ```

    ## Use instead
    ```python
    @app.cell
    def _(Engine, Models, Systems):
        kat1_profile = Engine.solve(model=Models.ResNet50, system=Systems.H100, batch_size=8)
        return (kat1_profile,)
    ```
    The only fix offered is the safe one: a precision spelt in the wrong case (`"FP16"`).
    """

    code = "LAB003"
    name = "unknown-api"
    fixable = True

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import mlsys as m

                return (m,)


            @app.cell
            def _(m):
                kat1_profile = m.Engine.solve(
                    model=m.Models.ResNet50, system=m.Systems.H100, batch_size=8,
                    precision="fp16", efficiency=0.5,
                )
                kat1_fits = kat1_profile.feasible
                kat1_ram = m.Systems.get("H100").ram
                return (kat1_fits, kat1_profile, kat1_ram)
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from labs.core import MathPeek, style
                from labs.core.components import PredictionInput
                from labs.core.style import BLUE_LINE

                return (BLUE_LINE, MathPeek, PredictionInput, style)


            @app.cell
            def _(mo, style):
                mo.md(f"<span style='color: {style.RED_LINE.lower()}'>Out of memory</span>")
                return
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
                from labs.core.components import FailureBanner, MathPeek
                from labs.core.widgets import Slider

                return (FailureBanner, MathPeek, Slider)
            """,
            count=2,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import marimo as mo
                from labs.core import style

                return mo, style


            @app.cell
            def _(mo, style):
                mo.Html(f"<div style='border-left: 4px solid {style.ACCENT}'>Part A</div>")
                return
            """,
            count=1,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from mlsys import Engine, Models, Systems

                return (Engine, Models, Systems)


            @app.cell
            def _(Engine, Models, Systems):
                kat1_profile = Engine.simulate(model=Models.Resnet50, system=Systems.H100)
                return (kat1_profile,)
            """,
            count=2,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import mlsys as m

                return (m,)


            @app.cell
            def _(m):
                kat1_profile = m.Engine.solve(
                    model=m.Models.ResNet50, system=m.Systems.T4, batch=8, precision="fp8",
                    efficiency=1.5,
                )
                kat1_tax = kat1_profile.dispatch_tax
                return (kat1_profile, kat1_tax)
            """,
            count=4,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from mlsys import Enginee
                from mlsys import Engine, Models, Systems

                return (Engine, Enginee, Models, Systems)


            @app.cell
            def _(Engine, Models, Systems):
                kat1_model = Models.get("ResNet-50")
                kat1_profile = Engine.solve(model=kat1_model, system=Systems.H100, precision="FP16")
                return (kat1_profile,)
            """,
            count=3,
            fixed="""
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from mlsys import Enginee
                from mlsys import Engine, Models, Systems

                return (Engine, Enginee, Models, Systems)


            @app.cell
            def _(Engine, Models, Systems):
                kat1_model = Models.get("ResNet-50")
                kat1_profile = Engine.solve(model=kat1_model, system=Systems.H100, precision="fp16")
                return (kat1_profile,)
            """,
        ),
    )

    @classmethod
    def prepare(cls) -> None:
        """Import mlsys once, before files are checked in worker processes."""
        _mlsys.mlsys()

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        # Dotted names imported from mlsys somewhere in the file: a wrong one is reported at
        # its import, not again at every use.
        self._imported = {target for cell in context.cells for target in cell.imports.values()}

    # -- imports --------------------------------------------------------------------------

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = dotted(node.module)
        if _kit.is_kit(module):
            self._kit_import(node, module)
            return
        if not _is_mlsys(module):
            return
        base = _mlsys.lookup(module)
        if base is None or not base.found:
            self._unknown(node.module, module, base)
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted(alias.name)
            found = _mlsys.lookup(f"{module}.{name}")
            if found is not None and not found.found:
                self._unknown(alias.name, f"{module}.{name}", found)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = dotted(alias.name)
            if _is_mlsys(module):
                found = _mlsys.lookup(module)
                if found is not None and not found.found:
                    self._unknown(alias.name, module, found)

    def _kit_import(self, node: cst.ImportFrom, module: str) -> None:
        """``from labs.core.components import FailureBanner``: the kit must define the name."""
        known = _kit.defined_names(module)
        if known is None:
            if _kit.defined_names(module.rsplit(".", 1)[0]) is not None:
                self.report(node.module, f"`{module}` is not a module of the lab kit")
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                self.report(
                    alias.name, f"`{name}` is not defined in the lab kit's `{module}`{hint}"
                )

    # -- names and attributes -------------------------------------------------------------

    def _kit_attribute(self, node: cst.Attribute, qualified: str) -> bool:
        """``style.ACCENT`` (``style`` being ``labs.core.style``): report a name the kit module
        does not define; whether it was reported."""
        found = _kit.split_module(qualified)
        known = _kit.defined_names(found[0]) if found else None
        if found is None or known is None or found[1] in known:
            return False
        module, name = found
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        self.report(node, f"`{name}` is not defined in the lab kit's `{module}`{hint}")
        return True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        parent = self.parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return  # only whole chains: `Systems.H100.ram`, not `Systems.H100` again
        if isinstance(parent, cst.ImportFrom | cst.ImportAlias | cst.Import):
            return
        for qualified in sorted(self.context.raw_qualified_names(node)):
            if _kit.is_kit(qualified) and self._kit_attribute(node, qualified):
                return
            if _is_mlsys(qualified):
                found = _mlsys.lookup(qualified)
                if found is not None and not found.found:
                    if f"{found.known}.{found.missing}" not in self._imported:
                        self._unknown(node, qualified, found)
                    return
        self._result_field(node)

    def _result_field(self, node: cst.Attribute) -> None:
        """``profile.latency_dispatch`` where ``profile`` came from Engine.solve/sweep."""
        chain = []
        base: cst.BaseExpression = node
        while isinstance(base, cst.Attribute):
            chain.append(base)
            base = base.value
        if not isinstance(base, cst.Name):
            return
        first = chain[-1]  # `profile.<field>`
        for value in self.context.names.bound_values(base):
            if not isinstance(value, cst.Call):
                continue
            callee = next(
                (n for n in self.context.raw_qualified_names(value.func) if _is_mlsys(n)), None
            )
            if callee is None:
                continue
            target = _mlsys.lookup(callee)
            if target is None or not target.found:
                continue
            returned = _mlsys.return_types(target.value)
            if returned and not any(hasattr(kind, first.attr.value) for kind in returned):
                hint = _mlsys.did_you_mean(returned[0], first.attr.value)
                kinds = " or ".join(kind.__name__ for kind in returned)
                self.report(
                    first,
                    f"`{dotted(first)}`: {kinds} (returned by "
                    f"`{dotted(value.func)}`) has no field `{first.attr.value}`{hint}",
                )
            return

    def _unknown(self, node: cst.CSTNode, qualified: str, found: _mlsys.Lookup | None) -> None:
        if found is None or not found.missing:
            self.report(node, f"`{qualified}` does not exist in the installed mlsys")
            return
        self.report(
            node,
            f"`{found.missing}` does not exist in `{found.known}`{found.hint} (looked up in the "
            "installed mlsys)",
        )

    # -- calls ------------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        qualified = next(
            (n for n in sorted(self.context.raw_qualified_names(node.func)) if _is_mlsys(n)), None
        )
        if qualified is None:
            return
        found = _mlsys.lookup(qualified)
        if found is None or not found.found:
            return
        if callable(found.value):
            self._keywords(node, found.value)
        canonical = self.qualified_names(node.func)
        if not canonical.isdisjoint(ENGINE_CALLS):
            self._engine_literals(node)
        if qualified.endswith(".get"):
            self._registry_get(node, qualified)

    def _keywords(self, node: cst.Call, function: object) -> None:
        signature = _mlsys.signature(function)
        if signature is None or any(arg.star for arg in node.args):
            return
        parameters = signature.parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        unknown = False
        for arg in node.args:
            if arg.keyword is None or takes_any or arg.keyword.value in parameters:
                continue
            unknown = True
            close = difflib.get_close_matches(arg.keyword.value, list(parameters), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            self.report(
                arg.keyword,
                f"`{dotted(node.func)}()` has no parameter `{arg.keyword.value}`{hint}",
            )
        if unknown:
            return
        positional = [None] * sum(1 for a in node.args if a.keyword is None)
        named = {a.keyword.value: None for a in node.args if a.keyword is not None}
        try:
            signature.bind(*positional, **named)
        except TypeError as error:
            self.report(node, f"`{dotted(node.func)}()`: {error}")

    def _engine_literals(self, node: cst.Call) -> None:
        mlsys = _mlsys.mlsys()
        system = self._registry_entry(argument(node, 1, "system"))
        model = self._registry_entry(argument(node, 0, "model"))
        precision_arg = argument(node, 3, "precision")
        precision = literal(precision_arg.value) if precision_arg else None
        if precision_arg is not None and isinstance(precision, str):
            allowed = tuple(mlsys.PRECISIONS)
            if precision not in allowed:
                self._bad_precision(precision_arg.value, precision, allowed, "mlsys.PRECISIONS")
                return
            runs = tuple(getattr(system, "precisions", ()) or ())
            if system is not None and runs and precision not in runs:
                self.report(
                    precision_arg.value,
                    f"{getattr(system, 'name', 'this system')} cannot run precision "
                    f"{precision!r}; it runs {', '.join(runs)}",
                )
        for name in ("efficiency", "batch_size"):
            position = {"batch_size": 2, "efficiency": 4}[name]
            arg = argument(node, position, name)
            value = literal(arg.value) if arg else None
            if arg is None or isinstance(value, str) or value is None:
                continue
            if not isinstance(value, int | float):
                continue
            problem = self._dry_run(model, system, name, value)
            if problem:
                self.report(arg.value, f"`{name}={value!r}` is refused by mlsys: {problem}")

    def _bad_precision(
        self, node: cst.BaseExpression, precision: str, allowed: tuple[str, ...], source: str
    ) -> None:
        fix: Fix | None = None
        same = [p for p in allowed if p.lower() == precision.lower()]
        if same and isinstance(node, cst.SimpleString):
            quote = node.prefix + node.quote
            fix = self.replacement(
                node, f"{quote}{same[0]}{node.quote}", f"write the precision as {same[0]!r}"
            )
        close = same or difflib.get_close_matches(precision, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.report(
            node,
            f"precision {precision!r} is not one mlsys knows ({source}: "
            f"{', '.join(allowed)}){hint}",
            fix=fix,
        )

    def _dry_run(self, model: object, system: object, name: str, value: object) -> str | None:
        """mlsys's own verdict on one literal, asked with a model and system that work."""
        mlsys = _mlsys.mlsys()
        model = model if model is not None else mlsys.Models.get(mlsys.Models.names()[0])
        system = system if system is not None else mlsys.Systems.get(mlsys.Systems.names()[0])
        try:
            mlsys.Engine.solve(model=model, system=system, **{name: value})
        except ValueError as error:
            text = str(error)
            return text if text.startswith(name) else None
        except Exception:
            return None
        return None

    def _registry_entry(self, arg: cst.Arg | None) -> object | None:
        """The registry entry a literal ``Models.X``/``Systems.X`` argument names."""
        if arg is None:
            return None
        for qualified in self.context.raw_qualified_names(arg.value):
            if _is_mlsys(qualified):
                found = _mlsys.lookup(qualified)
                if found is not None and found.found:
                    return found.value
        return None

    def _registry_get(self, node: cst.Call, qualified: str) -> None:
        registry = _mlsys.lookup(qualified.rsplit(".", 1)[0])
        arg = argument(node, 0, "name")
        key = literal(arg.value) if arg else None
        if registry is None or not registry.found or not isinstance(key, str):
            return
        known = _mlsys.entry_names(registry.value)
        if known is not None and key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.report(
                arg.value,  # type: ignore[union-attr]
                f"no entry {key!r} in `{qualified.rsplit('.', 1)[0]}`{hint}",
            )


def _is_mlsys(qualified: str) -> bool:
    return qualified == "mlsys" or qualified.startswith("mlsys.")
