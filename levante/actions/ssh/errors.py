"""Why an SSH action failed, each with a message that says what to do."""

from __future__ import annotations

from pathlib import Path

from levante.actions.errors import ActionError

#: How much of a failed command's stderr goes into the error message.
STDERR_TAIL = 2000


class SshError(ActionError):
    """An SSH action could not do its work."""


class SshConnectError(SshError):
    """The server could not be reached or the SSH handshake failed."""

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"Cannot connect to {where}: {reason}")


class SshAuthError(SshError):
    """The server refused every credential offered."""

    def __init__(self, where: str, username: str) -> None:
        self.where = where
        self.username = username
        super().__init__(
            f"{where} refused to log in user '{username}': check the username, "
            "the private key (or password) and that the key is in the user's authorized_keys"
        )


class SshKeyError(SshError):
    """The private key given cannot be read or decrypted."""


class HostKeyUnknown(SshError):
    """Strict host-key policy, and the host is not in the known_hosts file."""

    def __init__(self, host_pattern: str, known_hosts: Path) -> None:
        self.host_pattern = host_pattern
        self.known_hosts = known_hosts
        super().__init__(
            f"Host key of {host_pattern} is unknown and the host-key policy is strict: "
            f"add the host's key to {known_hosts} (for example with ssh-keyscan) "
            "or set LEVANTE_SSH_HOST_KEY_POLICY=accept-new"
        )


class HostKeyChanged(SshError):
    """The host presented a key other than the one recorded for it."""

    def __init__(self, host_pattern: str, known_hosts: Path) -> None:
        self.host_pattern = host_pattern
        self.known_hosts = known_hosts
        super().__init__(
            f"Host key of {host_pattern} has CHANGED since it was recorded in {known_hosts}; "
            "refusing to connect (it may be an impostor). If the host was reinstalled, "
            f"remove its line: ssh-keygen -R '{host_pattern}' -f {known_hosts}"
        )


class SshCommandFailed(SshError):
    """The command ran and exited with a non-zero status."""

    def __init__(self, cmd: str, where: str, exit_status: int, stderr: str) -> None:
        self.cmd = cmd
        self.where = where
        self.exit_status = exit_status
        self.stderr = stderr
        tail = stderr.strip()
        if len(tail) > STDERR_TAIL:
            tail = "..." + tail[-STDERR_TAIL:]
        super().__init__(
            f"Command '{cmd}' on {where} exited with status {exit_status}"
            + (f"; stderr: {tail}" if tail else " (no stderr)")
        )


class SshCommandTimeout(SshError):
    """The command did not finish within the command timeout."""

    def __init__(self, cmd: str, where: str, seconds: float) -> None:
        self.cmd = cmd
        self.where = where
        self.seconds = seconds
        super().__init__(
            f"Command '{cmd}' on {where} did not finish within {seconds:g} s "
            "(LEVANTE_SSH_COMMAND_TIMEOUT); it was stopped"
        )
