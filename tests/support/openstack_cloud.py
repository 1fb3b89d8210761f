"""The Keystone + Nova stand-in, now part of the lab: see :mod:`levante.lab.cloud`.

Kept so tests import it from here as before; ``python -m
tests.support.openstack_cloud --servers 20`` still serves a tenant.
"""

from __future__ import annotations

from levante.lab.cloud import (
    MAX_MICROVERSION,
    RecordedRequest,
    StandInCloud,
    default_servers,
    main,
    servers_at,
)
from levante.lab.cloud_model import (
    PROJECT_ID,
    USER_ID,
    StandInFlavor,
    StandInHypervisor,
    StandInImage,
    StandInKeypair,
    StandInNetwork,
    StandInServer,
)

__all__ = [
    "MAX_MICROVERSION",
    "PROJECT_ID",
    "USER_ID",
    "RecordedRequest",
    "StandInCloud",
    "StandInFlavor",
    "StandInHypervisor",
    "StandInImage",
    "StandInKeypair",
    "StandInNetwork",
    "StandInServer",
    "default_servers",
    "main",
    "servers_at",
]

if __name__ == "__main__":
    raise SystemExit(main())
