"""Where each key and value of a loaded YAML document was written.

Loaded documents are plain dicts and lists. Scalars have no identity, so their
positions are kept by their parent container: ``SourceMap`` maps each container
(by identity; the map keeps it alive) to its own position and to the positions
of its keys and values.
"""

from __future__ import annotations

from typing import Any

from levante.lang.spec import Location

#: 0-based line, 0-based column, scalar style (None plain / container, '"', "'", '|', '>').
Mark = tuple[int, int, str | None]


class _Entry:
    __slots__ = ("container", "keys", "mark", "values")

    def __init__(self, container: Any, mark: Mark, keys: dict | None, values: dict | list) -> None:
        self.container = container
        self.mark = mark
        self.keys = keys
        self.values = values


class SourceMap:
    """Positions of the containers, keys and values of one document."""

    def __init__(self, file: str | None, text: str) -> None:
        self.file = file
        self.text = text
        self._entries: dict[int, _Entry] = {}
        self._lines: list[str] | None = None

    def record(self, container: Any, mark: Mark, keys: dict | None, values: dict | list) -> None:
        """Remember where ``container`` and its children were written (used by the loader)."""
        self._entries[id(container)] = _Entry(container, mark, keys, values)

    def container_mark(self, container: Any) -> Mark | None:
        """Where a mapping or list starts."""
        entry = self._entries.get(id(container))
        return entry.mark if entry is not None else None

    def key_mark(self, mapping: Any, key: Any) -> Mark | None:
        """Where ``key`` of ``mapping`` was written."""
        entry = self._entries.get(id(mapping))
        if entry is None or entry.keys is None:
            return None
        return entry.keys.get(key)

    def value_mark(self, container: Any, key: Any) -> Mark | None:
        """Where the value under ``key`` (or list index) of ``container`` was written."""
        entry = self._entries.get(id(container))
        if entry is None:
            return None
        values = entry.values
        if isinstance(values, list):
            if isinstance(key, int) and 0 <= key < len(values):
                return values[key]
            return None
        return values.get(key)

    def location(self, mark: Mark | None, offset: int = 0) -> Location | None:
        """A 1-based ``Location`` for ``mark``; ``offset`` is a character offset in the value."""
        if mark is None:
            return None
        line, column, style = mark
        if offset <= 0:
            return Location(self.file, line + 1, column + 1)
        return self._offset_location(line, column, style, offset)

    def _offset_location(self, line: int, column: int, style: str | None,
                         offset: int) -> Location:
        if style in ("|", ">"):
            return self._block_offset_location(line, offset)
        # Plain and quoted scalars: exact on the first line (escapes aside).
        lines = self._text_lines()
        text_line = lines[line] if line < len(lines) else ""
        start = column + (1 if style in ('"', "'") else 0)
        if start + offset <= len(text_line):
            return Location(self.file, line + 1, start + offset + 1)
        return Location(self.file, line + 1, column + 1)

    def _block_offset_location(self, header_line: int, offset: int) -> Location:
        lines = self._text_lines()
        index = header_line + 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index >= len(lines):
            return Location(self.file, header_line + 1, 1)
        indent = len(lines[index]) - len(lines[index].lstrip(" "))
        remaining = offset
        while index < len(lines):
            content = lines[index][indent:]
            if remaining <= len(content):
                return Location(self.file, index + 1, indent + remaining + 1)
            remaining -= len(content) + 1
            index += 1
        return Location(self.file, header_line + 1, 1)

    def _text_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines
