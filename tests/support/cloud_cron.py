"""The cloud-cron cookbook's world on loopback, for the tests that run the cookbook for real.

* ``fleet``: 20 real sshd hosts (127.0.1.1 ... 127.0.1.20) that record the
  cookbook's command instead of running it;
* ``gateway``: a real sshd gateway (127.0.0.2), same port and user key
  (:mod:`tests.support.ssh_gateway`'s);
* ``cloud``: the Keystone + Nova stand-in whose tenant lists the fleet's
  addresses as its servers' fixed IPs;
* :func:`cookbook_smtp`: an SMTP server offering STARTTLS where
  ``FROM_EMAIL`` logs in with ``SMTP_PASSWORD``.

The three fixtures are module-scoped; import them into a conftest or a test
module (and name them in its ``__all__``) to use them there.
:func:`levante_environment` points a Levante process at the cloud and the
fleet; :func:`cookbook_input` is the cookbook's ``input.json``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.openstack_cloud import StandInCloud, servers_at
from tests.support.smtp import RunningSmtp, running_smtp, self_signed_cert
from tests.support.ssh_gateway import gateway as gateway  # a fixture, re-exported
from tests.support.sshd import SshFleet, loopback_addresses, running_fleet

HOSTS = 20
FROM_EMAIL = "levante@example.org"
TO_EMAIL = "ops@example.org"
SMTP_PASSWORD = "s3cret"
#: The command as the cookbook writes it; each host must receive exactly this.
COOKBOOK_COMMAND = (
    "sudo apt-get update && sudo apt-get install linux-image-generic-lts-$(lsb_release -sc) -y"
    " && sudo reboot"
)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshFleet]:
    """20 hosts (127.0.1.1 ... 127.0.1.20) that record commands instead of running them."""
    with running_fleet(
        tmp_path_factory.mktemp("fleet"), loopback_addresses(HOSTS), run_commands=False
    ) as running:
        yield running


@pytest.fixture(scope="module")
def cloud(fleet: SshFleet) -> Iterator[StandInCloud]:
    """A tenant whose servers' fixed IPs are the fleet's addresses."""
    with StandInCloud(servers=servers_at(fleet.addresses)) as running:
        yield running


@contextmanager
def cookbook_smtp(cert_folder: Path) -> Iterator[RunningSmtp]:
    """An SMTP server offering STARTTLS, accepting ``FROM_EMAIL`` / ``SMTP_PASSWORD``."""
    cert = self_signed_cert(cert_folder)
    with running_smtp(mode="starttls", cert=cert, users={FROM_EMAIL: SMTP_PASSWORD}) as server:
        yield server


def levante_environment(cloud: StandInCloud, fleet: SshFleet, home: Path) -> dict[str, str]:
    """This process's environment with OpenStack, SSH and Levante pointed at the test's.

    Its own ``OS_*`` and ``LEVANTE_*`` are left out: a Levante process started
    with it reaches only the stand-in cloud and the fleet, keeps its state
    under ``home``, and reads no clouds.yaml of the machine's.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "LEVANTE_"))}
    env.update(cloud.os_environ())
    env.update(
        LEVANTE_HOME=str(home),
        LEVANTE_SSH_PORT=str(fleet.port),
        LEVANTE_SSH_KNOWN_HOSTS=str(home / "known_hosts"),
        # No clouds.yaml of the machine's may be read instead of OS_*.
        XDG_CONFIG_HOME=str(home / "xdg"),
    )
    return env


def email_info(smtp: RunningSmtp) -> dict[str, str]:
    """The second workflow's ``email_info`` input for ``smtp``."""
    return {
        "to_email": TO_EMAIL,
        "from_email": FROM_EMAIL,
        "smtp_server": smtp.address,
        "smtp_password": SMTP_PASSWORD,
    }


def cookbook_input(fleet: SshFleet, gateway: SshFleet, **more: Any) -> dict[str, Any]:
    """The cookbook's ``input.json`` for the fleet and the gateway, with ``more`` inputs."""
    return {
        "private_key_filename": str(fleet.private_key_path),
        "gateway_host": gateway.addresses[0],
        "username": fleet.username,
        **more,
    }
