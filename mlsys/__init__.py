"""mlsys: the analytical physics of machine-learning systems, from one node to the fleet.

Pure Python on pint alone (no numpy), with no file or network I/O, so it runs in the browser
under Pyodide. The public API (guide section 6.1)::

    from mlsys import Engine, Models, Systems, ureg
    profile = Engine.solve(model=Models.ResNet50, system=Systems.Mobile, batch_size=32,
                           precision="int8", efficiency=0.5)

The fleet (Volume 2) goes through the same solve::

    fleet = Cluster(node=Systems.H100, count=1024, per_node=8)
    plan = Parallelism(tp=8, pp=4, dp=32, microbatches=8, zero=1)
    step = Engine.solve(model=Models.Llama3_70B, system=fleet, batch_size=1024,
                        phase="train", seq_len=4096, parallelism=plan)
    Collectives.all_reduce(size=1 * ureg.GB, system=fleet)
    Reliability.solve(system=fleet, duration=30 * ureg.day, checkpoint=2 * ureg.TB)

Layers, each importing only those below it: 1 units, derivation, registry, formulas, hardware,
models, comparison (and constants), fabrics, cluster, parallelism, fleet_constants,
fleet_formulas; 2 ledger, fleet_ledger; 3 engine, northstar, collectives, fleet_step,
reliability; 4 personas; 5 applications, simulations, fleet_simulations, fleet_report.
"""

from mlsys.applications import Application, Applications
from mlsys.cluster import Cluster
from mlsys.collectives import Collectives
from mlsys.comparison import Comparison, compare_prediction
from mlsys.derivation import Derivation, Math, Variable
from mlsys.engine import Engine, PerformanceProfile, Sweep
from mlsys.fabrics import Fabrics
from mlsys.fleet_ledger import FleetLedger
from mlsys.fleet_report import FleetReport, FleetScenario
from mlsys.fleet_simulations import (
    ClusterQueue,
    DataPipeline,
    FederatedRound,
    Operations,
    PlanSearch,
    ServingFleet,
    Sustainability,
    TrainingRun,
    TrustCosts,
)
from mlsys.fleet_step import FleetProfile
from mlsys.hardware import BYTES_PER_VALUE, PRECISIONS, Runtime, Systems, SystemSpec
from mlsys.ledger import DesignLedger, LedgerError, Reflection, SystemLedger
from mlsys.models import PHASES, Models, ModelSpec, TransformerShape
from mlsys.parallelism import Parallelism
from mlsys.personas import Persona, Personas
from mlsys.reliability import Reliability
from mlsys.simulations import (
    BaseSimulation,
    ReliabilitySimulation,
    ResourceSimulation,
    ServingSimulation,
)
from mlsys.units import Quantity, ureg

# The type names the guide uses for these (section 6.1).
SystemArchetype = SystemSpec

__version__ = "0.1.0"

__all__ = [
    "BYTES_PER_VALUE",
    "PHASES",
    "PRECISIONS",
    "Application",
    "Applications",
    "BaseSimulation",
    "Cluster",
    "ClusterQueue",
    "Collectives",
    "Comparison",
    "DataPipeline",
    "Derivation",
    "DesignLedger",
    "Engine",
    "Fabrics",
    "FederatedRound",
    "FleetLedger",
    "FleetProfile",
    "FleetReport",
    "FleetScenario",
    "LedgerError",
    "Math",
    "ModelSpec",
    "Models",
    "Operations",
    "Parallelism",
    "PerformanceProfile",
    "Persona",
    "Personas",
    "PlanSearch",
    "Quantity",
    "Reflection",
    "Reliability",
    "ReliabilitySimulation",
    "ResourceSimulation",
    "Runtime",
    "ServingFleet",
    "ServingSimulation",
    "Sustainability",
    "Sweep",
    "SystemArchetype",
    "SystemLedger",
    "SystemSpec",
    "Systems",
    "TrainingRun",
    "TransformerShape",
    "TrustCosts",
    "Variable",
    "compare_prediction",
    "ureg",
]
