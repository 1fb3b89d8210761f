"""``levante lab up`` / ``status`` / ``down``: a background process that leaves nothing behind."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from levante.cli import lab as lab_cli
from levante.lab.paths import LabPaths
from levante.lab.state import read_state
from tests.integration.lab.processes import process_gone


@dataclass(frozen=True)
class Said:
    """What a ``levante lab`` command returned and printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def lab(capsys: pytest.CaptureFixture[str]) -> Any:
    """``levante lab ARGS --dir ROOT`` in this process (the lab itself is a child process)."""

    def run(*args: str, root: Path) -> Said:
        status = lab_cli.main([*args, "--dir", str(root)])
        out = capsys.readouterr()
        return Said(status, out.out, out.err)

    return run


def refuses_connections(address: str, port: int) -> bool:
    """True when nothing listens on ``address:port``."""
    try:
        with socket.create_connection((address, port), timeout=2):
            return False
    except OSError:
        return True


def test_up_runs_in_the_background_and_down_stops_it_leaving_no_process(
    lab: Any, tmp_path: Path
) -> None:
    paths = LabPaths(tmp_path / "lab")
    up = lab("up", "--hosts", "2", root=paths.root)
    assert up.returncode == 0, up.stderr
    state = read_state(paths.state_file)
    assert state is not None
    assert f"Levante lab up (pid {state.pid})" in up.stdout
    assert not process_gone(state.pid)
    assert not refuses_connections(state.gateway.address, state.gateway.port)

    again = lab("up", root=paths.root)
    assert again.returncode == 1
    assert f"already running from {paths.root} (pid {state.pid})" in again.stderr

    down = lab("down", root=paths.root)

    assert down.returncode == 0, down.stderr
    assert f"Lab (pid {state.pid}) stopped" in down.stdout
    assert process_gone(state.pid)
    assert refuses_connections(state.gateway.address, state.gateway.port)
    assert not paths.pid_file.exists() and not paths.state_file.exists()
    assert lab("status", root=paths.root).returncode == 3
    assert "No lab is running" in lab("down", root=paths.root).stdout


def test_fail_host_needs_a_host_of_the_running_lab(lab: Any, tmp_path: Path) -> None:
    refused = lab("fail-host", "vm1", root=tmp_path / "lab")
    assert refused.returncode == 1
    assert "vm1: no such host in a running lab" in refused.stderr


@pytest.mark.parametrize("hosts", ["0", "-3"])
def test_up_refuses_a_lab_without_hosts(lab: Any, tmp_path: Path, hosts: str) -> None:
    refused = lab("up", "--hosts", hosts, root=tmp_path / "lab")
    assert refused.returncode == 1
    assert "--hosts must be at least 1" in refused.stderr
