"""The cloud-cron story end to end, as an operator lives it with a server and the ``mistral`` CLI.

Create the cookbook's workflow (the printed text is refused where it breaks),
run it on 20 real SSH hosts through a real gateway, read which hosts did what,
see one host fail (a webhook hears of it: Mistral's ``notify`` param) and
rerun only that host once it is fixed, then schedule
the run for every Monday at 02:00 as the cookbook does.

Tests run in file order and share one server, fleet and mailbox; each starts
its own execution.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.server import LevanteServer
from tests.integration.notify.receiver import Receiver
from tests.support.cloud_cron import COOKBOOK_COMMAND, HOSTS, TO_EMAIL
from tests.support.smtp import RunningSmtp
from tests.support.sshd import SshFleet, sshd_missing_outside_ci

pytestmark = pytest.mark.skipif(sshd_missing_outside_ci(), reason="openssh-server not installed")

ROOT = Path(__file__).resolve().parents[3]
WORKFLOW = ROOT / "examples" / "cloud-cron" / "update_kernel_with_email.yaml"
AS_PRINTED = ROOT / "tests" / "unit" / "lang" / "data" / "cookbook" / (
    "update_kernel_with_email_as_printed.yaml"
)
#: Far above a normal run; a hung run fails instead of blocking CI.
RUN_TIMEOUT = 90.0
FINISHED = ("SUCCESS", "ERROR", "CANCELLED")


def wait_finished(server: LevanteServer, execution_id: str) -> dict[str, Any]:
    """Poll ``mistral execution-get`` until the execution has finished; its last answer."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        shown = server.mistral_json("execution-get", execution_id)
        if shown["State"] in FINISHED:
            return shown
        if time.monotonic() > deadline:
            pytest.fail(f"execution {execution_id} still {shown['State']}:\n{server.log()}")
        time.sleep(0.2)


def levante(server: LevanteServer, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``levante ARGS --url SERVER`` (the client commands of Levante's own CLI)."""
    return subprocess.run(
        [sys.executable, "-m", "levante", *args, "--url", server.url],
        capture_output=True, text=True, timeout=60, check=False,
    )


def report(server: LevanteServer, execution_id: str) -> dict[str, Any]:
    """``levante execution-report ID -f json``."""
    done = levante(server, "execution-report", execution_id, "-f", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def task_of(answer: dict[str, Any], name: str) -> dict[str, Any]:
    """The report's entry for task ``name``."""
    (task,) = [t for t in answer["tasks"] if t["name"] == name]
    return task


def hosts_reached(fleet: SshFleet, since: int) -> Counter[str]:
    """How many times each host received the cookbook's command since record ``since``."""
    records = fleet.commands()[since:]
    assert {r.command for r in records} <= {COOKBOOK_COMMAND}, records
    return Counter(r.host for r in records)


def next_monday_0200(now: dt.datetime) -> dt.datetime:
    """The first Monday 02:00 UTC strictly after ``now``."""
    candidate = now.replace(hour=2, minute=0, second=0, microsecond=0)
    candidate += dt.timedelta(days=(0 - candidate.weekday()) % 7)
    if candidate <= now:
        candidate += dt.timedelta(days=7)
    return candidate


def test_the_cookbook_as_printed_is_refused_at_its_thanks_line(server: LevanteServer) -> None:
    refused = server.mistral("workflow-create", str(AS_PRINTED), ok=False)
    message = refused.stderr + refused.stdout
    # Line 39, column 9 of the printed file is its unindented ``-- Thanks``.
    assert AS_PRINTED.read_text().splitlines()[38] == "        -- Thanks"
    assert ":39:9:" in message and "indent it" in message, message


def test_twenty_hosts_are_upgraded_once_and_one_email_counts_them(
    server: LevanteServer, fleet: SshFleet, smtp: RunningSmtp, input_json: Path
) -> None:
    created = server.mistral_json("workflow-create", str(WORKFLOW))
    assert [w["Name"] for w in created] == ["upgrade_kernel"]
    fleet.clear_failures()
    before, mails = len(fleet.commands()), len(smtp.messages)

    started = time.monotonic()
    execution = server.mistral_json("execution-create", "upgrade_kernel", str(input_json))
    finished = wait_finished(server, execution["ID"])
    print(f"20-host cookbook run through levante server: {time.monotonic() - started:.1f} s wall")

    assert finished["State"] == "SUCCESS", finished
    assert hosts_reached(fleet, before) == Counter({host: 1 for host in fleet.addresses})
    answer = report(server, execution["ID"])
    upgrade = task_of(answer, "upgrade")
    assert (upgrade["state"], upgrade["summary"]) == ("SUCCESS", f"{HOSTS} succeeded")
    assert sorted(i["value"] for i in upgrade["items"]) == sorted(fleet.addresses)
    (mail,) = smtp.messages[mails:]
    assert mail.rcpt_tos == (TO_EMAIL,)
    assert "Number of updated VMs: 20" in mail.message.get_content()


def test_a_failing_host_is_named_then_rerunning_only_it_succeeds(
    server: LevanteServer, fleet: SshFleet, smtp: RunningSmtp, input_json: Path
) -> None:
    bad = fleet.addresses[7]
    fleet.clear_failures()
    fleet.fail_host(bad, status=100, stderr="E: Could not get lock /var/lib/dpkg/lock-frontend")
    before, mails = len(fleet.commands()), len(smtp.messages)

    webhook = Receiver().start()
    try:
        notify = {"notify": [{"type": "webhook", "url": webhook.url,
                              "event_types": ["TASK_FAILED", "WORKFLOW_FAILED"]}]}
        execution = server.mistral_json(
            "execution-create", "upgrade_kernel", str(input_json), json.dumps(notify)
        )
        assert wait_finished(server, execution["ID"])["State"] == "ERROR"
        # The operator hears of the failure though the workflow never reaches its email task.
        received = webhook.wait_for(2)
    finally:
        webhook.stop()
    # One execution's events reach a webhook in the order they happened.
    assert [r.body["event"] for r in received] == ["TASK_FAILED", "WORKFLOW_FAILED"]
    events = {r.body["event"]: r.body for r in received}
    assert events["TASK_FAILED"]["name"] == "upgrade"
    assert events["TASK_FAILED"]["workflow_execution_id"] == execution["ID"]
    assert events["WORKFLOW_FAILED"]["id"] == execution["ID"]

    answer = report(server, execution["ID"])
    upgrade = task_of(answer, "upgrade")
    assert (upgrade["state"], upgrade["summary"]) == ("ERROR", f"{HOSTS - 1} succeeded, 1 failed")
    failed = upgrade["items"][0]  # failed items come first
    assert (failed["value"], failed["state"]) == (bad, "ERROR"), failed
    assert "exited with status 100" in failed["error"]
    assert "Could not get lock" in failed["error"]
    text = levante(server, "execution-report", execution["ID"], "--errors-only")
    assert bad in text.stdout and "Could not get lock" in text.stdout, text.stdout
    assert hosts_reached(fleet, before) == Counter({host: 1 for host in fleet.addresses})
    assert smtp.messages[mails:] == []

    # The host is fixed; rerun only the failed iteration (``--resume``: reset=false).
    fleet.clear_failures()
    before = len(fleet.commands())
    server.mistral("task-rerun", "--resume", upgrade["id"])
    assert wait_finished(server, execution["ID"])["State"] == "SUCCESS"

    assert hosts_reached(fleet, before) == Counter({bad: 1})
    upgrade = task_of(report(server, execution["ID"]), "upgrade")
    assert (upgrade["state"], upgrade["summary"]) == ("SUCCESS", f"{HOSTS} succeeded")
    (mail,) = smtp.messages[mails:]
    assert "Number of updated VMs: 20" in mail.message.get_content()
    history = levante(server, "item-history", "upgrade_kernel", "upgrade", "--never-succeeded",
                      "-f", "json")
    assert json.loads(history.stdout)["items"] == [], history.stdout


def test_the_weekly_trigger_runs_upgrade_kernel_next_monday_at_two(
    server: LevanteServer, fleet: SshFleet, input_json: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    server.mistral_json(
        "cron-trigger-create", "update_kernel_weekly", "upgrade_kernel", str(input_json),
        "--pattern", "0 2 * * mon",
    )
    listed = {t["Name"]: t for t in server.mistral_json("cron-trigger-list")}
    trigger = listed["update_kernel_weekly"]
    assert (trigger["Workflow"], trigger["Pattern"]) == ("upgrade_kernel", "0 2 * * mon")
    expected = next_monday_0200(now)
    assert trigger["Next execution time"].startswith(expected.strftime("%Y-%m-%d %H:%M:%S")), (
        trigger, expected
    )
    status, stored = server.request("GET", "/v2/cron_triggers/update_kernel_weekly")
    assert status == 200
    assert json.loads(stored["workflow_input"]) == json.loads(input_json.read_text())

    # A fire has no user request behind it: nova.servers_list authenticates with the
    # server's own OpenStack configuration, and every host is upgraded.
    before = len(fleet.commands())
    fired = levante(server, "cron-trigger-fire", "update_kernel_weekly", "-f", "json")
    assert fired.returncode == 0, fired.stderr
    assert wait_finished(server, json.loads(fired.stdout)["ID"])["State"] == "SUCCESS"
    assert hosts_reached(fleet, before) == Counter({host: 1 for host in fleet.addresses})
