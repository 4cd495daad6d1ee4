"""Layer 3: failures of a fleet over time (``mlsys.Reliability``).

``Reliability.solve(system=fleet, duration=30 * ureg.day, checkpoint=2 * ureg.TB)`` adds up the
failure rates of every component the job depends on (series reliability: ``MTBF = 1/sum(n_i /
MTTF_i)``; the book's assumption sheet is the default), then asks what failures cost:

- a coupled job (``coupled=True``, synchronous training): any failure stops every device. Work
  since the last checkpoint is lost, so checkpoints every Young-Daly interval ``sqrt(2 T_write
  MTBF)``; goodput is what remains after checkpoint writes, lost half-intervals and recoveries
  (detect + reschedule + restart + reload the checkpoint + warm up).
- a device fleet (``coupled=False``, independent units serving on their own): a failure takes
  out one unit until it is repaired; goodput is the fleet's availability, and no checkpoint
  interval couples the units.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any

from mlsys import fleet_formulas as ff
from mlsys import formulas as f
from mlsys.cluster import Cluster
from mlsys.derivation import Derivation, Math, Variable
from mlsys.fleet_constants import (
    CHECKPOINT_WRITE_BPS,
    COMPONENT_MTTF_HOURS,
    DEFAULT_COMPONENTS,
    RECOVERY_SECONDS,
    SDC_PER_GPU_HOUR,
)
from mlsys.hardware import SystemSpec
from mlsys.memo import memoized
from mlsys.units import DIMENSIONLESS, Quantity, ureg

_HOUR = ureg.Unit("hour")
_SECOND = ureg.Unit("second")
_MINUTE = ureg.Unit("minute")
_PER_HOUR = ureg.Unit("1/hour")


@dataclass(frozen=True)
class ReliabilityResult:
    """Failures of one system over ``duration``: ``mtbf`` (h), ``failure_rate`` (1/h),
    ``interruptions`` (expected failures), ``survival`` (probability of none), ``sdc_events``
    (expected silent corruptions), ``checkpoint_write`` (s), ``checkpoint_interval`` (min, None
    without a checkpoint size or for a device fleet), ``recovery_time`` (s), ``goodput``
    (useful fraction of wall time), ``coupled`` and ``math``."""

    mtbf: Quantity
    failure_rate: Quantity
    interruptions: float
    survival: float
    sdc_events: float
    checkpoint_write: Quantity | None
    checkpoint_interval: Quantity | None
    recovery_time: Quantity
    goodput: float | None
    coupled: bool
    math: Math


class Reliability:
    """Failure physics of a cluster or node (see the module docstring)."""

    @staticmethod
    @memoized  # pure; a sweep asks again for each checkpoint interval of one cluster
    def solve(
        system: Cluster | SystemSpec,
        duration: Any,
        checkpoint: Any = None,
        *,
        write_bandwidth: Any = None,
        components: dict[str, tuple[str, float]] | None = None,
        coupled: bool = True,
    ) -> ReliabilityResult:
        """Solve failures over ``duration`` (a time quantity). ``checkpoint`` is the size of one
        checkpoint (bytes) written at ``write_bandwidth`` (default: the book's 100 GB/s);
        ``components`` maps a name of ``COMPONENT_MTTF_HOURS`` to ("device" or "node", count
        per device or node). Raises ValueError naming the parameter."""
        cluster = _as_cluster(system)
        hours = _positive(duration, "duration", "hour")
        if not isinstance(coupled, bool):
            raise ValueError(f"coupled: expected True or False, got {coupled!r}")
        parts = DEFAULT_COMPONENTS if components is None else components
        rate = ff.series_failure_rate(_counts(parts, cluster))
        mtbf_h = 1.0 / rate
        recover_s = sum(v.value for v in RECOVERY_SECONDS.values())
        write_s = interval_s = None
        goodput: float | None
        if checkpoint is not None:
            size = _positive(checkpoint, "checkpoint", "byte")
            bandwidth = (
                CHECKPOINT_WRITE_BPS.value
                if write_bandwidth is None
                else _positive(write_bandwidth, "write_bandwidth", "byte/second")
            )
            write_s = size / bandwidth
            # Restarting reads the checkpoint back at the same bandwidth.
            recover_s += write_s
        elif write_bandwidth is not None:
            raise ValueError("write_bandwidth: only meaningful with a checkpoint size")
        if coupled:
            if write_s is not None:
                interval_s = ff.young_daly_interval(write_s, mtbf_h * 3600.0)
                goodput = ff.checkpoint_goodput(interval_s, write_s, recover_s, mtbf_h * 3600.0)
            else:
                goodput = None
        else:
            # Each unit fails at its own rate and is back after the recovery time.
            unit_mtbf_s = mtbf_h * 3600.0 * cluster.count
            goodput = f.availability(unit_mtbf_s, recover_s)
        interruptions = rate * hours
        survival = ff.survival_probability(rate, hours)
        sdc = SDC_PER_GPU_HOUR.value * cluster.count * hours
        return ReliabilityResult(
            mtbf=Quantity(mtbf_h, _HOUR),
            failure_rate=Quantity(rate, _PER_HOUR),
            interruptions=interruptions,
            survival=survival,
            sdc_events=sdc,
            checkpoint_write=None if write_s is None else Quantity(write_s, _SECOND),
            checkpoint_interval=None
            if interval_s is None
            else Quantity(interval_s / 60.0, _MINUTE),
            recovery_time=Quantity(recover_s, _SECOND),
            goodput=goodput,
            coupled=coupled,
            math=_math(cluster, parts, rate, hours, write_s, interval_s, recover_s, goodput),
        )


def _as_cluster(system: Any) -> Cluster:
    if isinstance(system, Cluster):
        return system
    if isinstance(system, SystemSpec):
        return Cluster(node=system, count=1)
    raise ValueError(
        f"system: expected a mlsys.Cluster or a SystemSpec, got {type(system).__name__}"
    )


def _positive(value: Any, name: str, unit: str) -> float:
    """``value`` in ``unit`` as a positive float (a quantity, or a number already in ``unit``)."""
    if isinstance(value, Quantity):
        try:
            number = float(value.to(unit).magnitude)
        except Exception:
            raise ValueError(f"{name}: expected a quantity in {unit}, got {value.units}") from None
    elif isinstance(value, Real) and not isinstance(value, bool):
        number = float(value)
    else:
        raise ValueError(f"{name}: expected a quantity in {unit}, got {value!r}")
    if not 0.0 < number < float("inf"):
        raise ValueError(f"{name}: must be positive and finite, got {value!r}")
    return number


def _counts(parts: Any, cluster: Cluster) -> list[tuple[float, float]]:
    """(units in the system, MTTF in hours) for each component."""
    if not hasattr(parts, "items") or not parts:
        raise ValueError("components: expected a non-empty dict name -> (device|node, count)")
    scope = {"device": cluster.count, "node": cluster.nodes}
    counts = []
    for name, spec in parts.items():
        if name not in COMPONENT_MTTF_HOURS:
            raise ValueError(
                f"components: unknown component {name!r}; known: {', '.join(COMPONENT_MTTF_HOURS)}"
            )
        if not isinstance(spec, tuple) or len(spec) != 2 or spec[0] not in scope:
            raise ValueError(
                f"components: {name!r} must map to ('device' or 'node', count), got {spec!r}"
            )
        per, count = spec
        if isinstance(count, bool) or not isinstance(count, Real) or count < 0:
            raise ValueError(f"components: count of {name!r} must be >= 0, got {count!r}")
        counts.append((scope[per] * float(count), COMPONENT_MTTF_HOURS[name].value))
    return counts


def _math(
    cluster: Cluster,
    parts: Any,
    rate: float,
    hours: float,
    write_s: float | None,
    interval_s: float | None,
    recover_s: float,
    goodput: float | None,
) -> Math:
    mtbf = Quantity(1.0 / rate, _HOUR)
    per_part = tuple(
        Variable(
            f"n_{{{name}}}/MTTF_{{{name}}}",
            f"{name} failures per hour ({per})",
            Quantity(
                (cluster.count if per == "device" else cluster.nodes)
                * count
                / COMPONENT_MTTF_HOURS[name].value,
                _PER_HOUR,
            ),
        )
        for name, (per, count) in parts.items()
    )
    derivations = {
        "mtbf": Derivation("mtbf", ff.LATEX["series_mtbf"], per_part, mtbf),
        "interruptions": Derivation(
            "interruptions",
            r"E[n] = \lambda t",
            (
                Variable(r"\lambda", "failure rate", Quantity(rate, _PER_HOUR)),
                Variable("t", "duration", Quantity(hours, _HOUR)),
            ),
            Quantity(rate * hours, DIMENSIONLESS),
        ),
    }
    if write_s is not None and interval_s is not None:
        t_write = Variable("T_{write}", "checkpoint write time", Quantity(write_s, _SECOND))
        mtbf_var = Variable("MTBF", "mean time between failures", mtbf)
        derivations["checkpoint_interval"] = Derivation(
            "checkpoint_interval",
            ff.LATEX["young_daly"],
            (t_write, mtbf_var),
            Quantity(interval_s / 60.0, _MINUTE),
        )
        derivations["goodput"] = Derivation(
            "goodput",
            ff.LATEX["goodput"],
            (
                t_write,
                Variable(r"\tau", "checkpoint interval", Quantity(interval_s / 60.0, _MINUTE)),
                Variable("T_{recover}", "recovery time", Quantity(recover_s, _SECOND)),
                mtbf_var,
            ),
            Quantity(goodput, DIMENSIONLESS),
        )
    return Math(derivations)


__all__ = ["Reliability", "ReliabilityResult"]
