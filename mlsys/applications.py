"""Layer 5: applications, the workloads simulations evaluate.

An application is a model on a system with a service-level target (``slo``, the latency one
request must meet) and a request rate (``rate``: requests, frames or audio windows per second;
the duty cycle follows from it and the engine's latency). Rates and targets are scenario
choices that make each track's story concrete, not measurements; each says where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlsys.hardware import Systems, SystemSpec
from mlsys.models import Models, ModelSpec
from mlsys.registry import Registry
from mlsys.units import Quantity


@dataclass(frozen=True)
class Application:
    """A workload: ``model`` on ``system`` at ``precision``, ``batch_size`` samples per request.

    ``slo`` is the latency target of one request (time), ``rate`` the requests per second
    (1/s). A decoder LLM request is one prompt of ``prompt_tokens`` followed by
    ``output_tokens`` generated tokens; its samples are the generated tokens.
    """

    name: str
    title: str
    description: str
    model: ModelSpec
    system: SystemSpec
    precision: str
    slo: Quantity
    rate: Quantity
    rationale: str
    batch_size: int = 1
    prompt_tokens: int | None = None
    output_tokens: int | None = None

    def __post_init__(self) -> None:
        shape = self.model.transformer
        generates = shape is not None and shape.decoder
        if generates != (self.prompt_tokens is not None and self.output_tokens is not None):
            raise ValueError(
                f"{self.name}: prompt_tokens and output_tokens are required exactly for decoder "
                "models"
            )
        if self.precision not in self.system.peak_flops:
            raise ValueError(f"{self.name}: {self.system.name} cannot run {self.precision}")
        if self.rate.to("1/s").magnitude <= 0 or self.slo.to("s").magnitude <= 0:
            raise ValueError(f"{self.name}: rate and slo must be positive")

    @property
    def period(self) -> Quantity:
        """Time between requests at ``rate`` (ms)."""
        return (1 / self.rate).to("ms")

    def __repr__(self) -> str:
        return f"<Application {self.name}: {self.model.name} on {self.system.name}>"


_APPLICATIONS = {
    "Doorbell": Application(
        name="Doorbell",
        title="Smart doorbell keyword spotting",
        description="An always-listening doorbell that wakes on a spoken command.",
        model=Models.DSCNN,
        system=Systems.Tiny,
        precision="int8",
        slo=Quantity(100.0, "ms"),
        rate=Quantity(1.0, "1/s"),
        rationale=(
            "MLPerf Tiny keyword spotting classifies 1 s of audio; one window per second; a "
            "reply within 100 ms feels immediate (scenario choice)"
        ),
    ),
    "Hearable": Application(
        name="Hearable",
        title="Hearable speech enhancement",
        description="Earbuds that isolate speech, one 10 ms audio frame at a time.",
        model=Models.TinyLSTM,
        system=Systems.Tiny,
        precision="int8",
        slo=Quantity(10.0, "ms"),
        rate=Quantity(100.0, "1/s"),
        rationale="10 ms frames back to back (guide 3.1: <10 ms, Tiny Pioneer's mission)",
    ),
    "AutoDrive": Application(
        name="AutoDrive",
        title="Autonomous-vehicle perception loop",
        description="Camera perception inside the vehicle's safety loop.",
        model=Models.ResNet50,
        system=Systems.JetsonAGXOrin,
        precision="int8",
        slo=Quantity(10.0, "ms"),
        rate=Quantity(30.0, "1/s"),
        rationale="a 30 FPS camera; the 10 ms loop of guide 3.1 (Edge Guardian's mission)",
    ),
    "ARFilter": Application(
        name="ARFilter",
        title="AR filter on smart glasses",
        description="Face mesh and segmentation on every camera frame of AR glasses.",
        model=Models.ARFilterNet,
        system=Systems.Glasses,
        precision="int8",
        slo=Quantity(1000.0 / 60.0, "ms"),
        rate=Quantity(60.0, "1/s"),
        rationale="60 FPS, so each frame must finish within 1/60 s (guide 3.1, Mobile Nomad)",
    ),
    "LLMChat": Application(
        name="LLMChat",
        title="LLM chat serving",
        description="A chat assistant answering one conversation at a time on one H100.",
        model=Models.Llama3_70B,
        system=Systems.H100,
        precision="int8",
        slo=Quantity(10.0, "s"),
        rate=Quantity(0.1, "1/s"),
        prompt_tokens=512,
        output_tokens=256,
        rationale=(
            "a 512-token prompt and a 256-token answer, one request every 10 s on average, "
            "answered within 10 s (scenario choice; int8 because fp16 does not fit one H100)"
        ),
    ),
}

Applications: Registry[Application] = Registry("application", _APPLICATIONS)

#: The application that tells each track's story (its north star as a workload).
TRACK_APPLICATIONS: dict[str, str] = {
    "cloud_titan": "LLMChat",
    "edge_guardian": "AutoDrive",
    "mobile_nomad": "ARFilter",
    "tiny_pioneer": "Hearable",
}


def application_of(track: str) -> Application:
    """The application of a track key (``cloud_titan`` ...); KeyError naming the tracks."""
    try:
        return Applications.get(TRACK_APPLICATIONS[track])
    except KeyError:
        raise KeyError(
            f"unknown track {track!r}; tracks: {', '.join(TRACK_APPLICATIONS)}"
        ) from None


__all__ = ["TRACK_APPLICATIONS", "Application", "Applications", "application_of"]
