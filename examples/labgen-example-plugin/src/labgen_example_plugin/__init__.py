"""An example labgen plugin: the EXA001 check and the energy_bar instrument."""

from __future__ import annotations

__version__ = "0.1.0"
