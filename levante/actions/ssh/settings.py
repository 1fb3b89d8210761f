"""SSH settings: host-key policy, limits and timeouts, read from the environment.

Every setting has an environment variable, read once when the first SSH
action of a process (event loop) runs; :func:`configure` replaces them from
code (tests, embedding). The defaults fit a stock OpenSSH server:

=====================================  ===========  ===================================
variable                               default      meaning
=====================================  ===========  ===================================
``LEVANTE_SSH_HOST_KEY_POLICY``        accept-new   ``accept-new`` or ``strict``
``LEVANTE_SSH_KNOWN_HOSTS``            (home)       known_hosts file Levante reads and
                                                    writes; ``$LEVANTE_HOME/ssh_known_hosts``
``LEVANTE_SSH_PORT``                   22           port used when a host gives none
``LEVANTE_SSH_CONNECT_TIMEOUT``        30           seconds to connect and log in
``LEVANTE_SSH_COMMAND_TIMEOUT``        0            seconds a command may run; 0: no limit
``LEVANTE_SSH_MAX_PENDING_HANDSHAKES`` 8            handshakes in flight per server (stock
                                                    ``MaxStartups 10:30:100`` drops beyond 10)
``LEVANTE_SSH_MAX_CHANNELS``           10           tunnels per pooled gateway connection
                                                    (stock ``MaxSessions 10``)
``LEVANTE_SSH_MAX_GATEWAY_CONNECTIONS`` 64          pooled connections per gateway
``LEVANTE_SSH_GATEWAY_IDLE``           30           seconds an unused pooled connection stays
=====================================  ===========  ===================================
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from levante.home import levante_home

ENV_PREFIX = "LEVANTE_SSH_"
KNOWN_HOSTS_FILE = "ssh_known_hosts"


class HostKeyPolicy(enum.Enum):
    """What to do with a server's host key."""

    #: An unknown host's key is accepted and recorded in the known_hosts file;
    #: a key that differs from the recorded one is refused. Existing Mistral
    #: workflows (whose SSH accepted any key) keep working on first contact.
    ACCEPT_NEW = "accept-new"
    #: Only hosts already in the known_hosts file are reached; unknown hosts
    #: and changed keys are refused.
    STRICT = "strict"


class SshSettingsError(ValueError):
    """An ``LEVANTE_SSH_*`` variable has a value that cannot be used."""


@dataclass(frozen=True, slots=True)
class SshSettings:
    """How SSH actions connect. See the module docstring for the variables."""

    host_key_policy: HostKeyPolicy = HostKeyPolicy.ACCEPT_NEW
    known_hosts_file: Path | None = None
    default_port: int = 22
    connect_timeout: float = 30.0
    command_timeout: float = 0.0
    max_pending_handshakes: int = 8
    max_channels_per_connection: int = 10
    max_gateway_connections: int = 64
    gateway_idle_seconds: float = 30.0

    @property
    def known_hosts_path(self) -> Path:
        """The known_hosts file to use (under the Levante home unless set)."""
        return self.known_hosts_file or levante_home() / KNOWN_HOSTS_FILE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SshSettings:
        """Settings from ``LEVANTE_SSH_*`` variables (defaults where unset)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name, "").strip()
            return value or None

        policy_text = get("HOST_KEY_POLICY")
        try:
            policy = HostKeyPolicy(policy_text) if policy_text else HostKeyPolicy.ACCEPT_NEW
        except ValueError:
            choices = ", ".join(p.value for p in HostKeyPolicy)
            raise SshSettingsError(
                f"{ENV_PREFIX}HOST_KEY_POLICY={policy_text!r}: expected one of {choices}"
            ) from None
        known = get("KNOWN_HOSTS")
        defaults = cls()
        return cls(
            host_key_policy=policy,
            known_hosts_file=Path(known) if known else None,
            default_port=_number(get, "PORT", defaults.default_port, int, 1),
            connect_timeout=_number(get, "CONNECT_TIMEOUT", defaults.connect_timeout, float, 0),
            command_timeout=_number(get, "COMMAND_TIMEOUT", defaults.command_timeout, float, 0),
            max_pending_handshakes=_number(
                get, "MAX_PENDING_HANDSHAKES", defaults.max_pending_handshakes, int, 1
            ),
            max_channels_per_connection=_number(
                get, "MAX_CHANNELS", defaults.max_channels_per_connection, int, 1
            ),
            max_gateway_connections=_number(
                get, "MAX_GATEWAY_CONNECTIONS", defaults.max_gateway_connections, int, 1
            ),
            gateway_idle_seconds=_number(
                get, "GATEWAY_IDLE", defaults.gateway_idle_seconds, float, 0
            ),
        )


def _number(get: object, name: str, default: float, kind: type, minimum: float) -> float:
    text = get(name)  # type: ignore[operator]
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise SshSettingsError(
            f"{ENV_PREFIX}{name}={text!r}: expected a {kind.__name__} >= {minimum}"
        ) from None
    if value < minimum:
        raise SshSettingsError(f"{ENV_PREFIX}{name}={text!r}: must be >= {minimum}")
    return value


_configured: SshSettings | None = None


def configure(settings: SshSettings | None) -> None:
    """Use ``settings`` from now on (None: go back to the environment).

    Takes effect for SSH runtimes created afterwards; call
    :func:`levante.actions.ssh.close_connections` first to apply it to a
    running event loop.
    """
    global _configured
    _configured = settings


def current_settings() -> SshSettings:
    """The configured settings, or those of the environment."""
    return _configured if _configured is not None else SshSettings.from_env()
