"""``std.ssh`` and ``std.ssh_proxied``: Mistral's SSH actions on asyncssh.

Parameters and results are Mistral's. The result is the command's stdout
(for a list of hosts, a list in host order; hosts are reached one after the
other and the first failure stops the action, as in Mistral). A non-zero
exit status fails the action with the status and the command's stderr in
the error, unless ``return_result_on_error`` (``std.ssh`` only) asks for
``{"stdout", "stderr", "exit_code"}`` instead.

Both are asyncio-native: hundreds run at once in one process. How they
connect (host-key policy, timeouts, handshake caps, gateway pooling) is set
by :mod:`levante.actions.ssh.settings`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from levante.actions.base import AsyncAction
from levante.actions.errors import InvalidActionInput
from levante.actions.ssh.connect import CommandResult, run_command
from levante.actions.ssh.credentials import Credentials, load_credentials
from levante.actions.ssh.endpoint import Endpoint, EndpointError, parse_endpoint
from levante.actions.ssh.errors import SshCommandFailed
from levante.actions.ssh.runtime import SshRuntime, ssh_runtime

if TYPE_CHECKING:
    from levante.actions.context import ActionContext

_HIDDEN = "******"


class SshAction(AsyncAction):
    """Runs ``cmd`` over SSH on ``host`` (a host, ``host:port``, or a list of them).

    Logs in as ``username`` with ``private_key`` (key text),
    ``private_key_filename`` (absolute, or relative to ``~/.ssh/``) or
    ``password`` (which also decrypts an encrypted key). Returns the
    command's output; a list of outputs for a list of hosts. A non-zero exit
    status fails the action with the status and stderr, unless
    ``return_result_on_error`` is true: then each result is
    ``{"stdout": ..., "stderr": ..., "exit_code": ...}``.
    """

    action_name = "std.ssh"

    def __init__(
        self,
        cmd: str,
        host: str | list[str],
        username: str,
        password: str = "",
        private_key_filename: str | None = None,
        private_key: str | None = None,
        return_result_on_error: bool = False,
    ) -> None:
        """Keep the command, host(s) and credentials (nothing is read yet)."""
        self.cmd = _command(self.action_name, cmd)
        self.hosts = _hosts(self.action_name, host)
        self.host = host
        self.username = username
        self.password = password
        self.private_key_filename = private_key_filename
        self.private_key = private_key
        self.return_result_on_error = bool(return_result_on_error)

    async def run(self, context: ActionContext) -> Any:
        """Run the command on each host in turn and return the output(s)."""
        runtime = ssh_runtime()
        credentials = load_credentials(
            self.action_name,
            self.username,
            password=self.password,
            private_key_filename=self.private_key_filename,
            private_key=self.private_key,
        )
        results: list[Any] = []
        for text in self.hosts:
            endpoint = self._endpoint(text, runtime)
            outcome = await self._execute(runtime, endpoint, credentials)
            results.append(self._result(outcome, self._where(endpoint)))
        # Mistral returns a bare result for one host, even when given as a list.
        return results if len(results) > 1 else results[0]

    async def _execute(
        self, runtime: SshRuntime, endpoint: Endpoint, credentials: Credentials
    ) -> CommandResult:
        conn = await runtime.connector.open(endpoint, credentials, throttle_key=endpoint)
        async with conn:
            return await run_command(
                conn, self.cmd, str(endpoint), runtime.settings.command_timeout
            )

    def _where(self, endpoint: Endpoint) -> str:
        return str(endpoint)

    def _result(self, outcome: CommandResult, where: str) -> Any:
        if self.return_result_on_error:
            return {
                "stdout": outcome.stdout,
                "stderr": outcome.stderr,
                "exit_code": outcome.exit_status,
            }
        if outcome.exit_status != 0:
            stderr = outcome.stderr
            if outcome.signal:
                stderr = f"{stderr}\n(killed by signal {outcome.signal})".strip()
            raise SshCommandFailed(self.cmd, where, outcome.exit_status, stderr)
        return outcome.stdout

    def _endpoint(self, text: str, runtime: SshRuntime) -> Endpoint:
        try:
            return parse_endpoint(text, runtime.settings.default_port)
        except EndpointError as exc:
            raise InvalidActionInput(self.action_name, "host", str(exc)) from exc

    def test(self, context: ActionContext) -> str:
        """Dry run: the parameters as JSON, secrets hidden."""
        return json.dumps(self._shown_params())

    def _shown_params(self) -> dict[str, Any]:
        return {
            "cmd": self.cmd,
            "host": self.host,
            "username": self.username,
            "password": _HIDDEN if self.password else self.password,
            "private_key_filename": self.private_key_filename,
            "private_key": _HIDDEN if self.private_key else self.private_key,
        }


class SshProxiedAction(SshAction):
    """Runs ``cmd`` over SSH on ``host`` reached through ``gateway_host``.

    The gateway is logged in to as ``gateway_username`` (default: ``username``)
    with the same key; hosts are reached through tunnels over a few pooled
    gateway connections, never one gateway login per host. ``proxy_command``,
    if given, is how to reach the gateway itself. Result and failures as
    ``std.ssh``.
    """

    action_name = "std.ssh_proxied"

    def __init__(
        self,
        cmd: str,
        host: str | list[str],
        username: str,
        private_key_filename: str | None,
        gateway_host: str,
        gateway_username: str | None = None,
        password: str | None = None,
        proxy_command: str | None = None,
        private_key: str | None = None,
    ) -> None:
        """Keep the command, host(s), gateway and credentials."""
        super().__init__(cmd, host, username, password or "", private_key_filename, private_key)
        if not isinstance(gateway_host, str) or not gateway_host.strip():
            raise InvalidActionInput(
                self.action_name, "gateway_host", f"expected a host name, got {gateway_host!r}"
            )
        self.gateway_host = gateway_host
        self.gateway_username = gateway_username
        self.proxy_command = proxy_command

    async def _execute(
        self, runtime: SshRuntime, endpoint: Endpoint, credentials: Credentials
    ) -> CommandResult:
        gateway = self._gateway_endpoint(runtime)
        gateway_credentials = credentials
        if self.gateway_username and self.gateway_username != credentials.username:
            gateway_credentials = Credentials(
                self.gateway_username, credentials.keys, credentials.password,
                credentials.identity,
            )
        pool = runtime.gateway_pool(gateway, gateway_credentials, self.proxy_command)
        where = self._where(endpoint)
        async with pool.channel() as tunnel:
            conn = await runtime.connector.open(
                endpoint, credentials, throttle_key=("via", gateway), tunnel=tunnel, where=where
            )
            async with conn:
                return await run_command(conn, self.cmd, where, runtime.settings.command_timeout)

    def _gateway_endpoint(self, runtime: SshRuntime) -> Endpoint:
        try:
            return parse_endpoint(self.gateway_host, runtime.settings.default_port)
        except EndpointError as exc:
            raise InvalidActionInput(self.action_name, "gateway_host", str(exc)) from exc

    def _where(self, endpoint: Endpoint) -> str:
        return f"{endpoint} (via gateway {self.gateway_host})"

    def _shown_params(self) -> dict[str, Any]:
        shown = super()._shown_params()
        shown.update(
            gateway_host=self.gateway_host,
            gateway_username=self.gateway_username,
            proxy_command=self.proxy_command,
        )
        return shown


def _command(action: str, cmd: Any) -> str:
    if not isinstance(cmd, str) or not cmd:
        raise InvalidActionInput(action, "cmd", f"expected a non-empty command, got {cmd!r}")
    return cmd


def _hosts(action: str, host: Any) -> list[str]:
    hosts = host if isinstance(host, list) else [host]
    if not hosts:
        raise InvalidActionInput(action, "host", "the list of hosts is empty")
    for item in hosts:
        if not isinstance(item, str) or not item.strip():
            raise InvalidActionInput(action, "host", f"expected a host name, got {item!r}")
    return hosts
