"""The stand-in cloud's HTTP handler, now part of the lab: see :mod:`levante.lab.cloud_http`."""

from __future__ import annotations

from levante.lab.cloud_http import StandInHandler

__all__ = ["StandInHandler"]
