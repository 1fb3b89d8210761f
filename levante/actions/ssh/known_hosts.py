"""Levante's own known_hosts file and the host-key policy applied to it.

The file is in OpenSSH's format (``host key-type base64``; ``[host]:port``
when the port is not 22), so ``ssh-keygen -R`` and ``ssh-keyscan >>`` work
on it. It is read again whenever it changes on disk, and lines are
appended, so several Levante processes may share it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from levante.actions.ssh.errors import HostKeyChanged, HostKeyUnknown
from levante.actions.ssh.settings import HostKeyPolicy

LOG = logging.getLogger(__name__)


def host_pattern(host: str, port: int) -> str:
    """How OpenSSH names ``host`` on ``port`` in a known_hosts file."""
    return host if port == 22 else f"[{host}]:{port}"


@dataclass(frozen=True, slots=True)
class HostKeyCheck:
    """What a connection must do about the host key.

    ``trusted`` is what to give asyncssh as ``known_hosts``: the recorded keys
    (asyncssh then refuses any other and offers only their algorithms), or
    None when the key is unknown and will be recorded after the handshake.
    """

    pattern: str
    trusted: tuple[list[asyncssh.SSHKey], list[asyncssh.SSHKey], list[asyncssh.SSHKey]] | None

    @property
    def record_after_connect(self) -> bool:
        """True when the key seen in the handshake is to be recorded."""
        return self.trusted is None


class KnownHosts:
    """The known_hosts file of one process, with the policy to apply."""

    def __init__(self, path: Path, policy: HostKeyPolicy) -> None:
        """Use the file at ``path`` (created on first record) under ``policy``."""
        self.path = path
        self.policy = policy
        self._parsed: asyncssh.SSHKnownHosts | None = None
        self._stamp: tuple[float, int] | None = None
        # Keys this process appended since the file was last parsed, so that
        # recording 500 hosts does not parse the growing file 500 times.
        self._recorded: dict[tuple[str, int], list[asyncssh.SSHKey]] = {}
        self._lock = asyncio.Lock()

    def check_for(self, host: str, port: int) -> HostKeyCheck:
        """The check a connection to ``host:port`` must make; raises when strict and unknown."""
        pattern = host_pattern(host, port)
        keys = self._keys_for(host, port)
        if keys:
            return HostKeyCheck(pattern, (keys, [], []))
        if self.policy is HostKeyPolicy.STRICT:
            raise HostKeyUnknown(pattern, self.path)
        return HostKeyCheck(pattern, None)

    def changed(self, check: HostKeyCheck) -> HostKeyChanged:
        """The error for a host whose key differs from the recorded one."""
        return HostKeyChanged(check.pattern, self.path)

    async def record(self, check: HostKeyCheck, host: str, port: int, key: asyncssh.SSHKey) -> None:
        """Record ``key`` for a host first seen now; refuse if another was recorded meanwhile."""
        async with self._lock:
            known = self._keys_for(host, port)
            if known:
                if any(k.public_data == key.public_data for k in known):
                    return
                raise self.changed(check)
            line = f"{check.pattern} {key.export_public_key('openssh').decode().strip()}\n"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            unchanged = self._stamp is not None and self._stamp == _stamp_of(self.path)
            with self.path.open("a") as out:
                out.write(line)
            if unchanged:
                self._stamp = _stamp_of(self.path)
                self._recorded[(host, port)] = [key]
            else:
                self._stamp = None
            LOG.info("Recorded the host key of %s in %s", check.pattern, self.path)

    def _keys_for(self, host: str, port: int) -> list[asyncssh.SSHKey]:
        parsed = self._load()
        if parsed is None:
            return []
        recorded = self._recorded.get((host, port))
        if recorded:
            return recorded
        trusted = parsed.match(host, "", port if port != 22 else None)[0]
        return list(trusted)

    def _load(self) -> asyncssh.SSHKnownHosts | None:
        stamp = _stamp_of(self.path)
        if stamp is None:
            self._parsed, self._stamp = None, None
            self._recorded.clear()
            return None
        if stamp != self._stamp:
            self._parsed = asyncssh.import_known_hosts(self.path.read_text())
            self._stamp = stamp
            self._recorded.clear()
        return self._parsed


def _stamp_of(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size)
