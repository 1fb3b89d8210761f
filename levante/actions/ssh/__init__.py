"""SSH actions (``std.ssh``, ``std.ssh_proxied``) on asyncssh.

Public API:

* :class:`SshAction`, :class:`SshProxiedAction` — the actions;
* :class:`SshSettings`, :class:`HostKeyPolicy`, :func:`configure` — how they
  connect (``LEVANTE_SSH_*`` environment variables, see
  :mod:`levante.actions.ssh.settings`);
* :func:`close_connections` — close pooled gateway connections (at shutdown);
* :func:`ssh_runtime` — the running loop's runtime, with its ``stats``;
* the errors in :mod:`levante.actions.ssh.errors`.
"""

from levante.actions.ssh.actions import SshAction, SshProxiedAction
from levante.actions.ssh.connect import SshStats
from levante.actions.ssh.errors import (
    HostKeyChanged,
    HostKeyUnknown,
    SshAuthError,
    SshCommandFailed,
    SshCommandTimeout,
    SshConnectError,
    SshError,
    SshKeyError,
)
from levante.actions.ssh.runtime import SshRuntime, close_connections, ssh_runtime
from levante.actions.ssh.settings import (
    HostKeyPolicy,
    SshSettings,
    SshSettingsError,
    configure,
    current_settings,
)

__all__ = [
    "HostKeyChanged",
    "HostKeyPolicy",
    "HostKeyUnknown",
    "SshAction",
    "SshAuthError",
    "SshCommandFailed",
    "SshCommandTimeout",
    "SshConnectError",
    "SshError",
    "SshKeyError",
    "SshProxiedAction",
    "SshRuntime",
    "SshSettings",
    "SshSettingsError",
    "SshStats",
    "close_connections",
    "configure",
    "current_settings",
    "ssh_runtime",
]
