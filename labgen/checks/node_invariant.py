"""LAB013 node-invariant: Volume 1 labs stay on one node."""

from __future__ import annotations

import re

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks import _mlsys
from labgen.checks._lab import argument, dotted, literal

#: Parts of an mlsys name that belong to fleet-scale (multi-node) physics.
FLEET_NAME = re.compile(
    r"^(?:fleet|cluster|datacenter|data_?center|distributed|multi_?node|all_?reduce|collective|"
    r"(?:data|tensor|pipeline|expert)_?parallel(?:ism)?|load_?balanc\w*|replica|replicas|shard\w*)$",
    re.IGNORECASE,
)
#: Keywords that size a computation in nodes or devices.
FLEET_KEYWORDS = frozenset(
    {
        "nodes", "num_nodes", "n_nodes", "node_count", "world_size", "replicas",
        "num_replicas", "data_parallel", "tensor_parallel", "pipeline_parallel", "num_gpus",
        "gpus", "num_devices", "devices", "cluster", "fleet",
    }
)  # fmt: skip


class NodeInvariant(Check):
    """A Volume 1 lab reaches for a multi-node system or fleet-scale physics.

    ## What it does
    In labs of Volume 1 (by their folder), resolves every `Systems.X` (and `Systems.get("X")`)
    in the installed mlsys and reports systems whose `single_node` is False; reports mlsys
    names that belong to fleet-scale physics (clusters, fleets, collectives, data/tensor/
    pipeline parallelism, load balancing, replicas); and keywords that size a computation in
    nodes or devices (`num_nodes=`, `world_size=`, `replicas=` ...) passed to mlsys.

    ## Why is this bad
    The Node Invariant (guide section 3.2): Volume 1 is the physics of one node, one
    accelerator, one phone, one microcontroller. Multi-node orchestration and fleet economics
    are Volume 2's subject; bringing them in early breaks the book's progression.

    ## Example
    ```python
    # generated_labs/vol1/lab_08_model_train.py
    @app.cell
    def _(Engine, Models, Systems):
        kat1_profile = Engine.solve(model=Models.Llama3_70B, system=Systems.H100, num_nodes=8)
        return (kat1_profile,)
    ```

    ## Use instead
    ```python
    # generated_labs/vol1/lab_08_model_train.py
    @app.cell
    def _(Engine, Models, Systems):
        kat1_profile = Engine.solve(model=Models.Llama3_8B, system=Systems.H100)
        return (kat1_profile,)
    ```
    """

    code = "LAB013"
    name = "node-invariant"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from mlsys import Engine, Models, Systems

                kat1_profile = Engine.solve(model=Models.ResNet50, system=Systems.Cloud)
                return (kat1_profile,)
            """
        ),
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                from mlsys import Engine, Models, Systems

                kat1_profile = Engine.solve(model=Models.ResNet50, system=Systems.H100, num_nodes=8)
                return (kat1_profile,)
            """,
            path="generated_labs/vol2/lab_05_dist_train.py",
        ),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import mlsys as m

                kat1_profile = m.Engine.solve(model=m.Models.ResNet50, system=m.Systems.H100, num_nodes=8)
                kat1_cluster = m.DataParallel
                return (kat1_cluster, kat1_profile)
            """,
            count=2,
        ),
    )

    @classmethod
    def prepare(cls) -> None:
        """Import mlsys once, before files are checked in worker processes."""
        _mlsys.mlsys()

    def _applies(self) -> bool:
        return self.chapter is not None and self.chapter.volume == 1

    def visit_Attribute(self, node: cst.Attribute) -> None:
        parent = self.parent(node)
        if not self._applies() or (isinstance(parent, cst.Attribute) and parent.value is node):
            return
        for qualified in self.context.raw_qualified_names(node):
            if not (qualified == "mlsys" or qualified.startswith("mlsys.")):
                continue
            fleet = next((p for p in qualified.split(".")[1:] if FLEET_NAME.match(p)), None)
            if fleet:
                self.report(
                    node,
                    f"`{dotted(node)}` is fleet-scale ({fleet}); Volume 1 labs stay on one node",
                )
                return
            self._system(node, qualified)

    def _system(self, node: cst.CSTNode, qualified: str) -> None:
        found = _mlsys.lookup(qualified)
        if found is None or not found.found:
            return
        if getattr(found.value, "single_node", True) is False:
            self.report(
                node,
                f"`{dotted(node) if isinstance(node, cst.Attribute) else qualified}` is a "
                "multi-node system (single_node is False); Volume 1 labs stay on one node",
            )

    def visit_Call(self, node: cst.Call) -> None:
        if not self._applies():
            return
        names = [n for n in self.context.raw_qualified_names(node.func) if n.startswith("mlsys.")]
        if not names:
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in FLEET_KEYWORDS:
                self.report(
                    arg,
                    f"`{arg.keyword.value}=` sizes the computation in nodes or devices; "
                    "Volume 1 labs stay on one node",
                )
        if names[0].endswith(".get"):
            key = argument(node, 0, "name")
            value = literal(key.value) if key else None
            if isinstance(value, str):
                self._system(node, f"{names[0].rsplit('.', 1)[0]}.{value}")
