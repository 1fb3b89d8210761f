"""The stand-in cloud's resources, now part of the lab: see :mod:`levante.lab.cloud_model`."""

from __future__ import annotations

from levante.lab.cloud_model import (
    CREATED,
    PROJECT_ID,
    UPDATED,
    USER_ID,
    StandInFlavor,
    StandInHypervisor,
    StandInImage,
    StandInKeypair,
    StandInNetwork,
    StandInServer,
    addresses_of,
    flavor_body,
    hypervisor_body,
    image_body,
    keypair_body,
    network_body,
    server_body,
    server_summary,
)

__all__ = [
    "CREATED",
    "PROJECT_ID",
    "UPDATED",
    "USER_ID",
    "StandInFlavor",
    "StandInHypervisor",
    "StandInImage",
    "StandInKeypair",
    "StandInNetwork",
    "StandInServer",
    "addresses_of",
    "flavor_body",
    "hypervisor_body",
    "image_body",
    "keypair_body",
    "network_body",
    "server_body",
    "server_summary",
]
