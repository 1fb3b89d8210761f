"""The SSH gateway beside a test module's fleet, as a pytest fixture.

A module (or its conftest) that defines a ``fleet`` fixture imports
:func:`gateway` (and names it in its ``__all__``): pytest then resolves the
gateway's ``fleet`` to that module's own fleet, whatever its size or mode.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sshd import SshFleet, running_gateway


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, fleet: SshFleet) -> Iterator[SshFleet]:
    """The gateway host (127.0.0.2), same port and user key as the module's ``fleet``."""
    with running_gateway(
        tmp_path_factory.mktemp("gateway"), fleet.keys, port=fleet.port
    ) as running:
        yield running
