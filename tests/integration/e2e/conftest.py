"""Fixtures of the cloud-cron story end to end: a real fleet, cloud, SMTP and ``levante server``.

The fleet, gateway and cloud are :mod:`tests.support.cloud_cron`'s; here
come one SMTP server for the module and one ``levante server`` with a SQLite
database of its own, whose environment holds the OpenStack credentials
(``OS_*``) and the SSH settings: scheduled executions have no user request
behind them, so credentials must come from the server's configuration.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer
from tests.support.cloud_cron import (
    cloud,
    cookbook_input,
    cookbook_smtp,
    email_info,
    fleet,
    gateway,
    levante_environment,
)
from tests.support.openstack_cloud import StandInCloud
from tests.support.smtp import RunningSmtp
from tests.support.sshd import SshFleet

__all__ = ["cloud", "fleet", "gateway"]  # fixtures, used by name


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSmtp]:
    """The cookbook's SMTP server, one for the module (the story's tests share its mailbox)."""
    with cookbook_smtp(tmp_path_factory.mktemp("smtp-cert")) as server:
        yield server


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """This process's environment replaced by ``values`` for a while.

    Child processes started inside (the server) inherit it; it is restored after.
    """
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(values)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, cloud: StandInCloud, fleet: SshFleet
) -> Iterator[LevanteServer]:
    """``levante server`` on SQLite, configured with the cloud's credentials and the fleet's SSH."""
    home = tmp_path_factory.mktemp("levante-home")
    running = LevanteServer(f"sqlite:///{home / 'levante.db'}", home / "server.log")
    with environment(levante_environment(cloud, fleet, home)):
        running.start()
    yield running
    status = running.stop()
    assert status == 0, f"server did not stop cleanly ({status}):\n{running.log()}"


@pytest.fixture(scope="module")
def input_json(
    tmp_path_factory: pytest.TempPathFactory, fleet: SshFleet, gateway: SshFleet,
    smtp: RunningSmtp,
) -> Path:
    """The cookbook's ``input.json``, filled in for the fleet, the gateway and the SMTP server."""
    path = tmp_path_factory.mktemp("input") / "input.json"
    path.write_text(json.dumps(cookbook_input(fleet, gateway, email_info=email_info(smtp))))
    return path
