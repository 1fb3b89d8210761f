"""Hosts told to fail: ``failing-hosts.json``, read by the running lab at each command.

``levante lab fail-host ADDR`` (or ``lab up --fail-host ADDR``) writes an
entry; ``levante lab fix-host ADDR`` removes it. The lab rereads the file
whenever it changes, so a running lab picks a change up at the next command.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

#: What a failing host answers by default: apt's answer when another apt holds the lock.
DEFAULT_STATUS = 100
DEFAULT_STDERR = (
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 "
    "(unattended-upgr)\n"
    "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), "
    "is another process using it?"
)


@dataclass(frozen=True, slots=True)
class HostFailure:
    """How a failing host answers every command."""

    exit_status: int = DEFAULT_STATUS
    stderr: str = DEFAULT_STDERR


class FailureBookError(ValueError):
    """``failing-hosts.json`` is not what the lab writes."""


def read_failures(path: Path) -> dict[str, HostFailure]:
    """The failing hosts by address (empty when the file is missing)."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        raise FailureBookError(f"{path}: {exc}; remove the file to clear all failures") from exc
    if not isinstance(data, dict):
        raise FailureBookError(f"{path}: expected an object of address -> failure")
    return {
        address: HostFailure(int(entry["exit_status"]), str(entry["stderr"]))
        for address, entry in data.items()
    }


def write_failures(path: Path, failures: dict[str, HostFailure]) -> None:
    """Replace the file atomically (the lab may be reading it)."""
    temporary = path.with_name(path.name + ".tmp")
    body = {address: asdict(failure) for address, failure in sorted(failures.items())}
    temporary.write_text(json.dumps(body, indent=2) + "\n")
    os.replace(temporary, path)


def set_failure(path: Path, address: str, failure: HostFailure | None) -> None:
    """Make ``address`` fail with ``failure``, or (None) succeed again."""
    failures = read_failures(path)
    if failure is None:
        failures.pop(address, None)
    else:
        failures[address] = failure
    write_failures(path, failures)


class FailureBook:
    """The running lab's view of the file, reread only when it changed on disk."""

    def __init__(self, path: Path) -> None:
        """Watch ``path``."""
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._failures: dict[str, HostFailure] = {}

    def failure_of(self, address: str) -> HostFailure | None:
        """How ``address`` must fail now, or None."""
        try:
            stat = self.path.stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._failures = read_failures(self.path) if stamp is not None else {}
            self._stamp = stamp
        return self._failures.get(address)
