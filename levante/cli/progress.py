"""What ``levante run`` and ``execution-create --wait`` show: live progress, final report.

Plain values and text only: :mod:`levante.cli.snapshots` reads a
:class:`Snapshot` from the database (``levante run``), and
:mod:`levante.cli.client.follow` builds one from the REST API.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass(frozen=True)
class TaskLine:
    """One task execution as the report shows it."""

    id: str
    name: str
    state: str
    state_info: str | None
    items_count: int
    items_succeeded: int
    items_failed: int
    seconds: float | None
    with_items: bool


@dataclass(frozen=True)
class ItemLine:
    """One with-items iteration (its latest attempt)."""

    task: str
    index: int
    state: str
    input: Any
    error: str | None


@dataclass(frozen=True)
class Snapshot:
    """An execution and its tasks at one moment."""

    id: str
    name: str
    state: str
    state_info: str | None
    output: Any
    tasks: list[TaskLine]
    items: list[ItemLine] = field(default_factory=list)


class ProgressView:
    """A one-line live summary on a terminal; a line every few seconds elsewhere."""

    def __init__(self, stream: TextIO, *, enabled: bool = True) -> None:
        """Write to ``stream`` unless disabled."""
        self._stream = stream
        self._enabled = enabled
        self._tty = stream.isatty()
        self._last_line = ""
        self._last_print = 0.0

    def show(self, snapshot: Snapshot) -> None:
        """Show the state of ``snapshot`` if it changed."""
        if not self._enabled:
            return
        line = summary_line(snapshot)
        if line == self._last_line:
            return
        now = time.monotonic()
        if self._tty:
            self._stream.write("\r\x1b[2K" + line)
            self._stream.flush()
        elif now - self._last_print >= 2.0 or snapshot.state != "RUNNING":
            self._stream.write(line + "\n")
            self._last_print = now
        self._last_line = line

    def close(self) -> None:
        """End the live line."""
        if self._enabled and self._tty and self._last_line:
            self._stream.write("\n")


def summary_line(snapshot: Snapshot) -> str:
    """``RUNNING  tasks 3 done, 1 running, 0 failed  items 512/1000 done, 2 failed``."""
    done = sum(t.state == "SUCCESS" for t in snapshot.tasks)
    failed = sum(t.state == "ERROR" for t in snapshot.tasks)
    running = len(snapshot.tasks) - done - failed
    line = (
        f"{snapshot.state:<9} {snapshot.name}: "
        f"tasks {done} done, {running} running, {failed} failed"
    )
    count = sum(t.items_count for t in snapshot.tasks)
    if count > len(snapshot.tasks):
        ok = sum(t.items_succeeded for t in snapshot.tasks)
        bad = sum(t.items_failed for t in snapshot.tasks)
        line += f"  items {ok + bad}/{count} done, {bad} failed"
    return line


def final_report(snapshot: Snapshot, output_format: str = "table") -> str:
    """The report printed when the execution has ended."""
    if output_format == "json":
        return json.dumps(
            {
                "id": snapshot.id,
                "workflow": snapshot.name,
                "state": snapshot.state,
                "state_info": snapshot.state_info,
                "output": snapshot.output,
                "tasks": [t.__dict__ for t in snapshot.tasks],
                "items": [i.__dict__ for i in snapshot.items],
            },
            indent=2,
            default=str,
        )
    parts = [
        f"Execution {snapshot.id} ({snapshot.name}): {snapshot.state}",
    ]
    if snapshot.state_info:
        parts.append(f"State info: {snapshot.state_info}")
    parts.append("Output:")
    parts.append(_indent(json.dumps(snapshot.output, indent=2, default=str, sort_keys=True)))
    parts.append("")
    parts.append(
        table(
            ("task", "state", "seconds", "items", "state info"),
            [
                (
                    t.name,
                    t.state,
                    "" if t.seconds is None else f"{t.seconds:.2f}",
                    f"{t.items_succeeded}/{t.items_count} ok, {t.items_failed} failed"
                    if t.with_items
                    else "",
                    _short(t.state_info),
                )
                for t in snapshot.tasks
            ],
        )
    )
    if snapshot.items:
        parts.append("")
        parts.append(
            table(
                ("task", "item", "state", "input", "error"),
                [
                    (i.task, str(i.index), i.state, _short(json.dumps(i.input, default=str)),
                     _short(i.error))
                    for i in snapshot.items
                ],
            )
        )
    return "\n".join(parts)


def table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain text table with a header rule."""
    cells = [tuple(str(c) for c in headers), *[tuple(str(c or "") for c in r) for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _short(text: str | None, limit: int = 80) -> str:
    if not text:
        return ""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
