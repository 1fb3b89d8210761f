"""The provider serving ``std.ssh`` and ``std.ssh_proxied`` (part of ``std``)."""

from __future__ import annotations

from levante.actions.registry import ClassActionProvider
from levante.actions.ssh.actions import SshAction, SshProxiedAction
from levante.actions.ssh.runtime import close_connections

#: The SSH actions by name.
SSH_ACTIONS: dict[str, type] = {
    "std.ssh": SshAction,
    "std.ssh_proxied": SshProxiedAction,
}


class SshActionProvider(ClassActionProvider):
    """Serves the SSH ``std`` actions and closes their pooled connections."""

    def __init__(self) -> None:
        """Describe :data:`SSH_ACTIONS` under the provider name ``std``."""
        super().__init__("std", SSH_ACTIONS)

    async def aclose(self) -> None:
        """Close the running loop's pooled gateway connections."""
        await close_connections()
