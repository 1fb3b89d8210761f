"""The cloud-cron cookbook's workflows, end to end, as an operator runs them.

``levante run examples/cloud-cron/update_kernel_with_email.yaml --input @input.json``
in a child process whose environment points at real things on loopback:

* the Keystone + Nova stand-in (``OS_*``), whose tenant lists 20 servers whose
  fixed IPs are the addresses of
* 20 real sshd "hosts", which record the cookbook's ``sudo apt-get ...``
  command instead of running it, reached through
* a real sshd gateway (``std.ssh_proxied``), and
* a real SMTP server offering STARTTLS, where ``from_email`` logs in with the
  ``smtp_password`` the input gives.

The second workflow's text is the cookbook's, only its ``-- Thanks`` line
indented into the email body (as printed, the file is not valid YAML); the
first workflow (no email) is run too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cloud_cron import (
    COOKBOOK_COMMAND,
    FROM_EMAIL,
    HOSTS,
    TO_EMAIL,
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
from tests.support.sshd import SshFleet, sshd_missing_outside_ci

__all__ = ["cloud", "fleet", "gateway"]  # fixtures, used by name

pytestmark = pytest.mark.skipif(sshd_missing_outside_ci(), reason="openssh-server not installed")

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "cloud-cron"
WITH_EMAIL = EXAMPLES / "update_kernel_with_email.yaml"
WITHOUT_EMAIL = EXAMPLES / "update_kernel.yaml"
#: A generous bound, far above a normal run; a hung run fails instead of blocking CI.
RUN_TIMEOUT = 120


@dataclass(frozen=True)
class CookbookRun:
    """What ``levante run`` said and how long it took."""

    exit_status: int
    report: dict[str, Any]
    stderr: str
    seconds: float

    def task(self, name: str) -> dict[str, Any]:
        """The report's row for task ``name``."""
        (row,) = [t for t in self.report["tasks"] if t["name"] == name]
        return row

    def items(self, task: str) -> list[dict[str, Any]]:
        """The with-items iterations of ``task``."""
        return [i for i in self.report["items"] if i["task"] == task]


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[RunningSmtp]:
    """The cookbook's SMTP server, one per test (each test reads its own mailbox)."""
    with cookbook_smtp(tmp_path / "cert") as server:
        yield server


def run_cookbook(
    tmp_path: Path, workflow: Path, cloud: StandInCloud, fleet: SshFleet, gateway: SshFleet,
    **more_input: Any,
) -> CookbookRun:
    """``python -m levante run`` a cookbook workflow with an input.json as the cookbook's."""
    home = tmp_path / "levante-home"
    home.mkdir()
    (tmp_path / "input.json").write_text(json.dumps(cookbook_input(fleet, gateway, **more_input)))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "levante", "run", str(workflow),
         "--input", "@input.json", "-q", "-f", "json"],
        cwd=tmp_path, env=levante_environment(cloud, fleet, home),
        capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False,
    )
    seconds = time.monotonic() - started
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"levante run exited {done.returncode} without a JSON report:\n"
                    f"stdout: {done.stdout}\nstderr: {done.stderr}")
    return CookbookRun(done.returncode, report, done.stderr, seconds)


def hosts_reached(fleet: SshFleet, since: int) -> Counter[str]:
    """How many times each host received the cookbook's command since record ``since``."""
    records = fleet.commands()[since:]
    assert {r.command for r in records} <= {COOKBOOK_COMMAND}, records
    return Counter(r.host for r in records)


def test_every_host_is_upgraded_once_and_one_email_reports_the_count(
    tmp_path: Path, cloud: StandInCloud, fleet: SshFleet, gateway: SshFleet,
    smtp: RunningSmtp,
) -> None:
    fleet.clear_failures()
    before = len(fleet.commands())

    run = run_cookbook(
        tmp_path, WITH_EMAIL, cloud, fleet, gateway, email_info=email_info(smtp)
    )
    print(f"20-host cookbook run: {run.seconds:.1f} s wall")

    assert run.exit_status == 0, run
    assert run.report["state"] == "SUCCESS"
    assert run.report["output"]["hosts"] == fleet.addresses
    assert hosts_reached(fleet, before) == Counter({host: 1 for host in fleet.addresses})
    upgrade = run.task("upgrade")
    assert (upgrade["state"], upgrade["items_succeeded"]) == ("SUCCESS", HOSTS)
    assert run.task("send_success_email")["state"] == "SUCCESS"

    (mail,) = smtp.messages
    assert mail.rcpt_tos == (TO_EMAIL,)
    assert mail.mail_from == FROM_EMAIL
    assert (mail.tls, mail.auth_user) == (True, FROM_EMAIL)
    assert mail.message["Subject"] == "Linux kernel on tenant VMs successfully updated"
    body = mail.message.get_content()
    assert "Number of updated VMs: 20" in body
    assert "-- Thanks" in body


def test_a_failing_host_fails_the_upgrade_with_its_reason_and_no_email_is_sent(
    tmp_path: Path, cloud: StandInCloud, fleet: SshFleet, gateway: SshFleet,
    smtp: RunningSmtp,
) -> None:
    bad = fleet.addresses[7]
    fleet.clear_failures()
    fleet.fail_host(bad, status=100, stderr="E: Could not get lock /var/lib/dpkg/lock-frontend")
    before = len(fleet.commands())
    try:
        run = run_cookbook(
            tmp_path, WITH_EMAIL, cloud, fleet, gateway, email_info=email_info(smtp)
        )
    finally:
        fleet.clear_failures()

    # The cookbook has no on-error: the upgrade's failure ends the workflow in ERROR.
    assert run.exit_status == 1, run
    assert run.report["state"] == "ERROR"
    upgrade = run.task("upgrade")
    assert upgrade["state"] == "ERROR"
    assert (upgrade["items_succeeded"], upgrade["items_failed"]) == (HOSTS - 1, 1)
    (failed,) = [i for i in run.items("upgrade") if i["state"] == "ERROR"]
    assert failed["input"]["host"] == bad
    assert "exited with status 100" in failed["error"]
    assert "Could not get lock /var/lib/dpkg/lock-frontend" in failed["error"]
    # The execution's own reason names the task, the iteration and the host's answer.
    reason = run.report["state_info"]
    assert "upgrade" in reason and "idx=7" in reason and "exited with status 100" in reason
    # Every host, the failing one included, was tried exactly once.
    assert hosts_reached(fleet, before) == Counter({host: 1 for host in fleet.addresses})

    assert "send_success_email" not in {t["name"] for t in run.report["tasks"]}
    assert smtp.messages == []


def test_the_first_workflow_upgrades_every_host_once_and_sends_nothing(
    tmp_path: Path, cloud: StandInCloud, fleet: SshFleet, gateway: SshFleet
) -> None:
    fleet.clear_failures()
    before = len(fleet.commands())

    run = run_cookbook(tmp_path, WITHOUT_EMAIL, cloud, fleet, gateway)

    assert run.exit_status == 0, run
    assert run.report["state"] == "SUCCESS"
    assert [t["name"] for t in run.report["tasks"]] == ["get_hosts", "upgrade"]
    assert hosts_reached(fleet, before) == Counter({host: 1 for host in fleet.addresses})
