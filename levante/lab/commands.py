"""``commands.log``: one line per command a lab host ran, for the operator and the tests.

Each line is tab-separated: time (UTC), address, host name, user, exit
status, the command as received. ``tail -f commands.log`` shows a run as it
happens; :func:`read_commands` parses the file back.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

_ESCAPED = re.compile(r"\\(.)")
_UNESCAPE = {"n": "\n", "t": "\t", "\\": "\\"}


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """One command a lab host answered."""

    at: str
    address: str
    host: str
    user: str
    exit_status: int
    command: str


class CommandLog:
    """Appends records to ``commands.log`` (line-buffered, so readers see each at once)."""

    def __init__(self, path: Path) -> None:
        """Append to ``path``."""
        self.path = path
        self._out: TextIO = path.open("a", buffering=1)

    def record(self, address: str, host: str, user: str, exit_status: int, command: str) -> None:
        """Write one line; tabs and newlines inside the command are escaped."""
        at = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        shown = command.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        self._out.write(f"{at}\t{address}\t{host}\t{user}\t{exit_status}\t{shown}\n")

    def close(self) -> None:
        """Close the file."""
        self._out.close()


def read_commands(path: Path) -> list[CommandRecord]:
    """Every record in ``path`` (empty when it does not exist)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    records = []
    for line in text.splitlines():
        fields = line.split("\t", 5)
        if len(fields) != 6:
            continue  # a line being written while we read
        at, address, host, user, status, shown = fields
        command = _ESCAPED.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(1)), shown)
        records.append(CommandRecord(at, address, host, user, int(status), command))
    return records


def commands_per_host(records: list[CommandRecord]) -> Counter[str]:
    """How many commands each address ran."""
    return Counter(record.address for record in records)
