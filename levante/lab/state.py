"""``state.json``: what a running lab serves where, for ``lab status``, the CLI and tests."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class HostEntry:
    """A lab SSH server as clients reach it."""

    name: str
    address: str
    port: int


@dataclass(frozen=True, slots=True)
class LabState:
    """A running lab."""

    pid: int
    started_at: str
    directory: str
    username: str
    ssh_port: int
    gateway: HostEntry
    hosts: list[HostEntry]
    smtp_server: str
    auth_url: str
    #: True when every server listens on 127.0.0.1 on its own port (hosts via the gateway only).
    port_per_host: bool = False
    #: The variables of ``env.sh``.
    environment: dict[str, str] = field(default_factory=dict)

    def address_of(self, name_or_address: str) -> str | None:
        """The address of host ``vmN`` or of an address; None when no lab host has it."""
        for host in self.hosts:
            if name_or_address in (host.name, host.address):
                return host.address
        return None

    def to_json(self) -> str:
        """The state as JSON text."""
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> LabState:
        """Read what :meth:`to_json` wrote."""
        data: dict[str, Any] = json.loads(text)
        data["gateway"] = HostEntry(**data["gateway"])
        data["hosts"] = [HostEntry(**host) for host in data["hosts"]]
        return cls(**data)


def write_state(path: Path, state: LabState) -> None:
    """Write ``state`` atomically (a reader never sees half of it)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(state.to_json())
    os.replace(temporary, path)


def read_state(path: Path) -> LabState | None:
    """The state at ``path``, or None when there is none (or it is unreadable)."""
    try:
        return LabState.from_json(path.read_text())
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return None
