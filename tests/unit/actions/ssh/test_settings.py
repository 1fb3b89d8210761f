"""SSH settings from ``LEVANTE_SSH_*`` variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from levante.actions.ssh import HostKeyPolicy, SshSettings, SshSettingsError


def test_defaults_fit_a_stock_sshd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEVANTE_HOME", "/srv/levante")
    settings = SshSettings.from_env({})
    assert settings.host_key_policy is HostKeyPolicy.ACCEPT_NEW
    assert settings.known_hosts_path == Path("/srv/levante/ssh_known_hosts")
    assert settings.max_pending_handshakes < 10  # MaxStartups 10:30:100
    assert settings.max_channels_per_connection == 10  # MaxSessions 10
    assert settings.default_port == 22


def test_every_variable_is_read() -> None:
    settings = SshSettings.from_env({
        "LEVANTE_SSH_HOST_KEY_POLICY": "strict",
        "LEVANTE_SSH_KNOWN_HOSTS": "/etc/levante/known_hosts",
        "LEVANTE_SSH_PORT": "2222",
        "LEVANTE_SSH_CONNECT_TIMEOUT": "5",
        "LEVANTE_SSH_COMMAND_TIMEOUT": "600",
        "LEVANTE_SSH_MAX_PENDING_HANDSHAKES": "4",
        "LEVANTE_SSH_MAX_CHANNELS": "5",
        "LEVANTE_SSH_MAX_GATEWAY_CONNECTIONS": "8",
        "LEVANTE_SSH_GATEWAY_IDLE": "2.5",
    })
    assert settings == SshSettings(
        host_key_policy=HostKeyPolicy.STRICT,
        known_hosts_file=Path("/etc/levante/known_hosts"),
        default_port=2222,
        connect_timeout=5.0,
        command_timeout=600.0,
        max_pending_handshakes=4,
        max_channels_per_connection=5,
        max_gateway_connections=8,
        gateway_idle_seconds=2.5,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HOST_KEY_POLICY", "yes", "accept-new, strict"),
        ("PORT", "ssh", "expected a int"),
        ("MAX_CHANNELS", "0", "must be >= 1"),
        ("COMMAND_TIMEOUT", "-1", "must be >= 0"),
    ],
)
def test_bad_values_are_refused_with_the_variable_name(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(SshSettingsError, match=f"LEVANTE_SSH_{name}") as refused:
        SshSettings.from_env({f"LEVANTE_SSH_{name}": value})
    assert message in str(refused.value)
