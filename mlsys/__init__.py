"""mlsys: the analytical physics of machine-learning systems, one node at a time.

Pure Python on pint alone (no numpy), with no file or network I/O, so it runs in the browser
under Pyodide. The public API (guide section 6.1)::

    from mlsys import Engine, Models, Systems, ureg
    profile = Engine.solve(model=Models.ResNet50, system=Systems.Mobile, batch_size=32,
                           precision="int8", efficiency=0.5)

Layers, each importing only those below it: 1 units, derivation, registry, formulas, hardware,
models, comparison (and constants); 2 ledger; 3 engine, northstar; 4 personas; 5 applications,
simulations.
"""

from mlsys.applications import Application, Applications
from mlsys.cluster import Cluster
from mlsys.collectives import Collectives
from mlsys.comparison import Comparison, compare_prediction
from mlsys.derivation import Derivation, Math, Variable
from mlsys.engine import Engine, PerformanceProfile, Sweep
from mlsys.fabrics import Fabrics
from mlsys.fleet_ledger import FleetLedger
from mlsys.fleet_simulations import (
    ClusterQueue,
    DataPipeline,
    FederatedRound,
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
    "LedgerError",
    "Math",
    "ModelSpec",
    "Models",
    "Parallelism",
    "PerformanceProfile",
    "Persona",
    "Personas",
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
