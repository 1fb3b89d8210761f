"""Fixtures of the cloud-cron story end to end: a real fleet, cloud, SMTP and ``levante server``.

* 20 real sshd hosts (127.0.1.1 ... 127.0.1.20) that record the cookbook's
  command instead of running it, and a real sshd gateway (127.0.0.2);
* the Keystone + Nova stand-in listing them as the tenant's servers;
* an SMTP server offering STARTTLS where ``from_email`` logs in;
* one ``levante server`` with a SQLite database of its own, whose environment
  holds the OpenStack credentials (``OS_*``) and the SSH settings: scheduled
  executions have no user request behind them, so credentials must come from
  the server's configuration.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer
from tests.support.openstack_cloud import StandInCloud, servers_at
from tests.support.smtp import RunningSmtp, running_smtp, self_signed_cert
from tests.support.sshd import SshFleet, loopback_addresses, running_fleet, running_gateway

HOSTS = 20
FROM_EMAIL = "levante@example.org"
TO_EMAIL = "ops@example.org"
SMTP_PASSWORD = "s3cret"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshFleet]:
    """20 hosts that record commands instead of running them."""
    with running_fleet(
        tmp_path_factory.mktemp("fleet"), loopback_addresses(HOSTS), run_commands=False
    ) as running:
        yield running


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, fleet: SshFleet) -> Iterator[SshFleet]:
    """The gateway host, same port and user key as the fleet."""
    with running_gateway(
        tmp_path_factory.mktemp("gateway"), fleet.keys, port=fleet.port
    ) as running:
        yield running


@pytest.fixture(scope="module")
def cloud(fleet: SshFleet) -> Iterator[StandInCloud]:
    """A tenant whose servers' fixed IPs are the fleet's addresses."""
    with StandInCloud(servers=servers_at(fleet.addresses)) as running:
        yield running


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSmtp]:
    """An SMTP server offering STARTTLS, accepting ``FROM_EMAIL`` / ``SMTP_PASSWORD``."""
    cert = self_signed_cert(tmp_path_factory.mktemp("smtp-cert"))
    with running_smtp(mode="starttls", cert=cert, users={FROM_EMAIL: SMTP_PASSWORD}) as server:
        yield server


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """This process's environment without ``OS_*``/``LEVANTE_*`` and with ``values``, for a while.

    Child processes started inside (the server) inherit it; it is restored after.
    """
    saved = dict(os.environ)
    try:
        for key in [k for k in os.environ if k.startswith(("OS_", "LEVANTE_"))]:
            del os.environ[key]
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
    settings = {
        **cloud.os_environ(),
        "LEVANTE_HOME": str(home),
        "LEVANTE_SSH_PORT": str(fleet.port),
        "LEVANTE_SSH_KNOWN_HOSTS": str(home / "known_hosts"),
        # No clouds.yaml of the machine's may be read instead of OS_*.
        "XDG_CONFIG_HOME": str(home / "xdg"),
    }
    running = LevanteServer(f"sqlite:///{home / 'levante.db'}", home / "server.log")
    with environment(settings):
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
    path.write_text(json.dumps({
        "private_key_filename": str(fleet.private_key_path),
        "gateway_host": gateway.addresses[0],
        "username": fleet.username,
        "email_info": {
            "to_email": TO_EMAIL,
            "from_email": FROM_EMAIL,
            "smtp_server": smtp.address,
            "smtp_password": SMTP_PASSWORD,
        },
    }))
    return path
