"""The lab's record files (failing hosts, commands, state) read back what was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from levante.lab.commands import CommandLog, commands_per_host, read_commands
from levante.lab.failures import (
    FailureBook,
    FailureBookError,
    HostFailure,
    read_failures,
    set_failure,
)
from levante.lab.state import HostEntry, LabState


def test_a_failure_is_set_and_cleared_per_address(tmp_path: Path) -> None:
    path = tmp_path / "failing-hosts.json"
    set_failure(path, "127.0.10.2", HostFailure(5, "nope"))
    set_failure(path, "127.0.10.3", HostFailure())
    set_failure(path, "127.0.10.3", None)
    assert read_failures(path) == {"127.0.10.2": HostFailure(5, "nope")}


def test_the_running_lab_sees_a_change_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "failing-hosts.json"
    book = FailureBook(path)
    assert book.failure_of("127.0.10.2") is None
    set_failure(path, "127.0.10.2", HostFailure(9, "changed"))
    assert book.failure_of("127.0.10.2") == HostFailure(9, "changed")
    path.unlink()
    assert book.failure_of("127.0.10.2") is None


def test_a_damaged_failure_file_says_how_to_recover(tmp_path: Path) -> None:
    path = tmp_path / "failing-hosts.json"
    path.write_text("{not json")
    with pytest.raises(FailureBookError, match="remove the file"):
        read_failures(path)


def test_commands_with_tabs_newlines_and_backslashes_read_back_unchanged(tmp_path: Path) -> None:
    log = CommandLog(tmp_path / "commands.log")
    tricky = "printf 'a\\tb\\n'\tand\nmore \\ here"
    log.record("127.0.10.1", "vm1", "ubuntu", 0, tricky)
    log.record("127.0.10.2", "vm2", "ubuntu", 100, "apt-get update")
    log.record("127.0.10.1", "vm1", "ubuntu", 0, "reboot")
    log.close()
    records = read_commands(tmp_path / "commands.log")
    assert [r.command for r in records] == [tricky, "apt-get update", "reboot"]
    assert records[1].exit_status == 100
    assert commands_per_host(records) == {"127.0.10.1": 2, "127.0.10.2": 1}


def test_a_missing_command_log_has_no_records(tmp_path: Path) -> None:
    assert read_commands(tmp_path / "none.log") == []


def test_the_state_reads_back_and_finds_hosts_by_name_or_address() -> None:
    state = LabState(
        pid=42, started_at="2024-01-01T00:00:00+00:00", directory="/lab", username="ubuntu",
        ssh_port=2222, gateway=HostEntry("gateway", "127.0.9.1", 2222),
        hosts=[HostEntry("vm1", "127.0.10.1", 2222), HostEntry("vm2", "127.0.10.2", 2222)],
        smtp_server="127.0.0.1:2525", auth_url="http://127.0.0.1:5000/v3",
        environment={"LEVANTE_SSH_PORT": "2222"},
    )
    again = LabState.from_json(state.to_json())
    assert again == state
    assert again.address_of("vm2") == "127.0.10.2"
    assert again.address_of("127.0.10.1") == "127.0.10.1"
    assert again.address_of("vm9") is None
