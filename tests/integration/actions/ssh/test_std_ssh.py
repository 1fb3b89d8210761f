"""std.ssh against a real OpenSSH server: output, failures, credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from levante.actions import ActionContext, InvalidActionInput, default_registry
from levante.actions.ssh import (
    SshAuthError,
    SshCommandFailed,
    SshCommandTimeout,
    SshConnectError,
    SshKeyError,
    SshSettings,
    close_connections,
    configure,
)
from tests.support.sshd import SshFleet, generate_keys

REGISTRY = default_registry(load_plugins=False)
CONTEXT = ActionContext()


async def ssh(**params: object) -> object:
    action = REGISTRY.get("std.ssh").instantiate(params)
    return await action.run(CONTEXT)


def login(fleet: SshFleet) -> dict[str, object]:
    return {"username": fleet.username, "private_key_filename": str(fleet.private_key_path)}


async def test_returns_the_command_output(fleet: SshFleet, ssh_settings: SshSettings) -> None:
    host = fleet.addresses[0]
    assert await ssh(cmd="echo hello; echo noise >&2", host=host, **login(fleet)) == "hello\n"
    assert fleet.commands()[-1].host == host
    assert fleet.commands()[-1].command == "echo hello; echo noise >&2"


async def test_non_zero_exit_fails_with_status_and_stderr(
    fleet: SshFleet, ssh_settings: SshSettings
) -> None:
    with pytest.raises(SshCommandFailed) as failed:
        await ssh(cmd="echo out; echo 'disk full' >&2; exit 3", host=fleet.addresses[1],
                  **login(fleet))
    assert failed.value.exit_status == 3
    assert "exited with status 3" in str(failed.value)
    assert "disk full" in str(failed.value)
    assert fleet.addresses[1] in str(failed.value)


async def test_return_result_on_error_gives_stdout_stderr_and_exit_code(
    fleet: SshFleet, ssh_settings: SshSettings
) -> None:
    result = await ssh(cmd="echo out; echo err >&2; exit 2", host=fleet.addresses[0],
                       return_result_on_error=True, **login(fleet))
    assert result == {"stdout": "out\n", "stderr": "err\n", "exit_code": 2}


async def test_a_list_of_hosts_gives_a_list_in_host_order(
    fleet: SshFleet, ssh_settings: SshSettings
) -> None:
    hosts = fleet.addresses[2:5]
    result = await ssh(cmd="echo $SSH_CONNECTION | cut -d' ' -f3", host=hosts, **login(fleet))
    assert result == [f"{h}\n" for h in hosts]
    # Mistral's quirk: a list of one host gives a bare result.
    assert await ssh(cmd="echo one", host=[hosts[0]], **login(fleet)) == "one\n"


async def test_host_may_name_its_port(fleet: SshFleet, ssh_settings: SshSettings) -> None:
    configure(SshSettings(known_hosts_file=ssh_settings.known_hosts_file, default_port=1))
    await close_connections()
    host = f"{fleet.addresses[0]}:{fleet.port}"
    assert await ssh(cmd="echo ported", host=host, **login(fleet)) == "ported\n"


async def test_private_key_text_and_encrypted_key_with_password(
    fleet: SshFleet, ssh_settings: SshSettings, tmp_path: Path
) -> None:
    text = fleet.private_key_path.read_text()
    result = await ssh(cmd="echo text", host=fleet.addresses[0], username=fleet.username,
                       private_key=text)
    assert result == "text\n"
    # The same user key, encrypted: 'password' is its passphrase (as in Mistral).
    encrypted = tmp_path / "id_encrypted"
    encrypted.write_bytes(fleet.private_key_path.read_bytes())
    encrypted.chmod(0o600)
    import subprocess

    subprocess.run(["ssh-keygen", "-q", "-p", "-N", "s3cret", "-f", str(encrypted)], check=True)
    result = await ssh(cmd="echo locked", host=fleet.addresses[0], username=fleet.username,
                       private_key_filename=str(encrypted), password="s3cret")
    assert result == "locked\n"
    with pytest.raises(SshKeyError, match="wrong password"):
        await ssh(cmd="true", host=fleet.addresses[0], username=fleet.username,
                  private_key_filename=str(encrypted), password="nope")


async def test_a_key_the_server_does_not_accept_is_refused_clearly(
    fleet: SshFleet, ssh_settings: SshSettings, tmp_path: Path
) -> None:
    stranger = generate_keys(tmp_path / "stranger")
    before = len(fleet.commands())
    with pytest.raises(SshAuthError, match="refused to log in user"):
        await ssh(cmd="true", host=fleet.addresses[0], username=fleet.username,
                  private_key_filename=str(stranger.private_key_path))
    assert len(fleet.commands()) == before


async def test_a_host_that_is_down_fails_with_the_reason(
    fleet: SshFleet, ssh_settings: SshSettings
) -> None:
    with pytest.raises(SshConnectError, match=r"127\.0\.3\.1.*connection refused"):
        await ssh(cmd="true", host="127.0.3.1", **login(fleet))


async def test_command_timeout_stops_the_command(
    fleet: SshFleet, ssh_settings: SshSettings
) -> None:
    configure(SshSettings(known_hosts_file=ssh_settings.known_hosts_file,
                          default_port=fleet.port, command_timeout=0.5))
    await close_connections()
    with pytest.raises(SshCommandTimeout, match=r"did not finish within 0\.5 s"):
        await ssh(cmd="sleep 5", host=fleet.addresses[0], **login(fleet))


def test_bad_input_is_refused_before_connecting() -> None:
    with pytest.raises(InvalidActionInput, match="'host'"):
        REGISTRY.get("std.ssh").instantiate({"cmd": "true", "host": [], "username": "u"})
    with pytest.raises(InvalidActionInput, match="'cmd'"):
        REGISTRY.get("std.ssh").instantiate({"cmd": "", "host": "h", "username": "u"})


async def test_key_filename_with_dotdot_is_refused(ssh_settings: SshSettings) -> None:
    with pytest.raises(SshKeyError, match=r"must not contain '\.\.'"):
        await ssh(cmd="true", host="127.0.1.1", username="root",
                  private_key_filename="../etc/key")


def test_dry_run_hides_secrets() -> None:
    action = REGISTRY.get("std.ssh").instantiate(
        {"cmd": "uptime", "host": "h", "username": "u", "password": "pw", "private_key": "K"}
    )
    text = action.test(CONTEXT)
    assert "uptime" in text and "pw" not in text and '"K"' not in text
