"""The one unit registry of mlsys, and the units every module shares.

Counting conventions (one place for all of mlsys):
- ``FLOP`` counts floating-point or integer operations, 2 per multiply-accumulate (MAC), whatever
  the number format: torchvision's "4.09 GFLOPS" for ResNet-50 are MACs, i.e. 8.2 GFLOP here.
- ``byte`` is 8 bits; prefixes are decimal (GB = 1e9 byte) and GiB is binary.
- ``sample`` is one inference input (an image, a sequence); ``token`` is one generated token, and
  one decode step of a batch of b sequences produces b tokens, so ``token`` equals ``sample``.
"""

from __future__ import annotations

import pint

ureg = pint.UnitRegistry()
ureg.define("FLOP = [computation] = flop")
ureg.define("sample = [sample] = samples")
ureg.define("token = sample = tokens")
ureg.define("USD = [currency] = dollar")
ureg.define("gCO2 = [carbon_mass] = gCO2e")
pint.set_application_registry(ureg)

Quantity = ureg.Quantity

# Pre-parsed units: the engine computes in floats of these base units and wraps at the boundary.
SECOND = ureg.Unit("second")
MILLISECOND = ureg.Unit("millisecond")
BYTE = ureg.Unit("byte")
FLOP_UNIT = ureg.Unit("FLOP")
FLOP_PER_SECOND = ureg.Unit("FLOP / second")
BYTE_PER_SECOND = ureg.Unit("byte / second")
FLOP_PER_BYTE = ureg.Unit("FLOP / byte")
SAMPLE_PER_SECOND = ureg.Unit("sample / second")
TOKEN_PER_SECOND = ureg.Unit("token / second")
JOULE = ureg.Unit("joule")
WATT = ureg.Unit("watt")
HERTZ = ureg.Unit("hertz")
DIMENSIONLESS = ureg.Unit("dimensionless")
SAMPLE = ureg.Unit("sample")
TOKEN = ureg.Unit("token")
