"""``levante lab up``, then the cloud-cron cookbook run against it with ``levante run``.

The lab runs as the operator starts it (``levante lab up`` in a child
process, which detaches the lab); the cookbook runs with the lab's
``input.json`` and the variables of its ``env.sh``, exactly as the lab's
closing message tells the operator to.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from levante.cli import lab as lab_cli
from levante.lab.commands import read_commands
from levante.lab.paths import LabPaths
from levante.lab.state import LabState, read_state
from tests.integration.lab.processes import process_gone

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "cloud-cron"
COOKBOOK_COMMAND = (
    "sudo apt-get update && sudo apt-get install linux-image-generic-lts-$(lsb_release -sc) -y"
    " && sudo reboot"
)
HOSTS = 5
RUN_TIMEOUT = 120


def levante(*args: str, cwd: Path, env: dict[str, str] | None = None,
            timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """``python -m levante ARGS`` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "levante", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def clean_environment(home: Path) -> dict[str, str]:
    """This process's environment without OpenStack or Levante settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "LEVANTE_"))}
    env.update(LEVANTE_HOME=str(home), XDG_CONFIG_HOME=str(home / "xdg"))
    return env


@dataclass(frozen=True)
class RunningLab:
    """A lab started by ``levante lab up``."""

    paths: LabPaths
    state: LabState
    workdir: Path

    def hosts_reached(self, since: int) -> Counter[str]:
        """Commands per host address since record ``since`` (only the cookbook's command)."""
        records = read_commands(self.paths.commands_log)[since:]
        assert {r.command for r in records} <= {COOKBOOK_COMMAND}, records
        return Counter(r.address for r in records)

    def mails(self) -> list[email.message.EmailMessage]:
        """The messages the SMTP sink kept, oldest first."""
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.paths.mail_dir.glob("*.eml"))
        ]

    def lab(self, *args: str) -> int:
        """``levante lab ARGS --dir <this lab>``, in this process; its exit status."""
        return lab_cli.main([*args, "--dir", str(self.paths.root)])

    def run_cookbook(self, workflow: str, input_file: Path) -> tuple[int, dict[str, Any]]:
        """``levante run`` a cookbook workflow with the lab's env and input; status and report."""
        env = clean_environment(self.workdir / "home")
        env.update(self.state.environment)
        done = levante("run", str(EXAMPLES / workflow), "--input", f"@{input_file}",
                       "-q", "-f", "json", cwd=self.workdir, env=env)
        try:
            return done.returncode, json.loads(done.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"levante run exited {done.returncode} without a JSON report:\n"
                        f"stdout: {done.stdout}\nstderr: {done.stderr}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLab]:
    """``levante lab up --hosts 5``; ``levante lab down`` afterwards."""
    workdir = tmp_path_factory.mktemp("lab")
    paths = LabPaths(workdir / "lab")
    up = levante("lab", "up", "--hosts", str(HOSTS), "--dir", str(paths.root), cwd=workdir,
                 env=clean_environment(workdir / "home"), timeout=90)
    assert up.returncode == 0, up.stderr
    state = read_state(paths.state_file)
    assert state is not None
    running = RunningLab(paths, state, workdir)
    try:
        yield running
    finally:
        running.lab("down")
    assert process_gone(state.pid)


def test_lab_up_says_what_it_started_and_writes_the_cookbook_input(lab: RunningLab) -> None:
    assert [h.name for h in lab.state.hosts] == [f"vm{i}" for i in range(1, HOSTS + 1)]
    given = json.loads(lab.paths.input_json.read_text())
    assert given["gateway_host"] == lab.state.gateway.address
    assert Path(given["private_key_filename"]) == lab.paths.user_key
    assert given["email_info"]["smtp_server"] == lab.state.smtp_server
    assert "email_info" not in json.loads(lab.paths.plain_input_json.read_text())
    env_sh = lab.paths.env_sh.read_text()
    assert f"export LEVANTE_SSH_PORT={lab.state.ssh_port}" in env_sh
    assert f"export OS_AUTH_URL={lab.state.auth_url}" in env_sh
    assert "levante-lab" in json.loads(lab.paths.clouds_yaml.read_text())["clouds"]


def test_lab_status_shows_the_hosts_and_what_they_ran(
    lab: RunningLab, capsys: pytest.CaptureFixture[str]
) -> None:
    assert lab.lab("status") == 0
    shown = capsys.readouterr().out
    assert f"SSH hosts      {HOSTS}: vm1 127." in shown
    assert "Failing hosts  none" in shown
    assert "Mail received" in shown


def test_the_cookbook_upgrades_every_lab_host_once_and_mails_the_count(lab: RunningLab) -> None:
    before = len(read_commands(lab.paths.commands_log))
    mails_before = len(lab.mails())

    status, report = lab.run_cookbook("update_kernel_with_email.yaml", lab.paths.input_json)

    assert (status, report["state"]) == (0, "SUCCESS"), report
    addresses = [h.address for h in lab.state.hosts]
    assert report["output"]["hosts"] == addresses
    assert lab.hosts_reached(before) == Counter({address: 1 for address in addresses})
    (mail,) = lab.mails()[mails_before:]
    assert mail["Subject"] == "Linux kernel on tenant VMs successfully updated"
    assert mail["To"] == "ops@example.org"
    assert f"Number of updated VMs: {HOSTS}" in mail.get_content()


def test_a_host_made_to_fail_fails_the_upgrade_and_is_named(lab: RunningLab) -> None:
    assert lab.lab("fail-host", "vm3") == 0
    vm3 = lab.state.address_of("vm3")
    before = len(read_commands(lab.paths.commands_log))
    mails_before = len(lab.mails())
    try:
        status, report = lab.run_cookbook("update_kernel_with_email.yaml", lab.paths.input_json)
    finally:
        assert lab.lab("fix-host", "vm3") == 0

    assert (status, report["state"]) == (1, "ERROR")
    (bad,) = [i for i in report["items"] if i["state"] == "ERROR"]
    assert bad["input"]["host"] == vm3
    assert "exited with status 100" in bad["error"]
    assert "Could not get lock /var/lib/dpkg/lock-frontend" in bad["error"]
    assert lab.hosts_reached(before) == Counter({h.address: 1 for h in lab.state.hosts})
    assert lab.mails()[mails_before:] == []


def test_the_first_cookbook_workflow_runs_with_the_plain_input(lab: RunningLab) -> None:
    before = len(read_commands(lab.paths.commands_log))

    status, report = lab.run_cookbook("update_kernel.yaml", lab.paths.plain_input_json)

    assert (status, report["state"]) == (0, "SUCCESS"), report
    assert lab.hosts_reached(before) == Counter({h.address: 1 for h in lab.state.hosts})
