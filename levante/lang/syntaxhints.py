"""Turning YAML syntax errors into ``LangError`` values a person can act on.

The most common YAML mistake in workflow files is a line that belongs to a
block scalar (``body: |``) but is indented less than the block's text: YAML
ends the block just before it and then fails on the stray line with a message
about a missing ``:``. When that is what happened, the error points at the
stray line, says where the block scalar started and ended, and suggests
indenting the line.
"""

from __future__ import annotations

import re

import yaml

from levante.lang.errors import LangError
from levante.lang.spec import Location

#: A line whose value is a block scalar: ``key: |``, ``key: >-``, ``- |2`` ...
_BLOCK_HEADER = re.compile(r"(?:^|:|^\s*-)\s+[|>][1-9+-]{0,2}\s*(?:#.*)?$")


def yaml_error_to_lang_error(exc: yaml.YAMLError, text: str, file: str | None) -> LangError:
    """Describe a PyYAML / libyaml error as a ``LangError`` at the right line."""
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return LangError(f"invalid YAML: {exc}", None)
    problem = exc.problem or "syntax error"
    message = f"invalid YAML: {problem}"
    if exc.context:
        context_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
        message += f" ({exc.context}" + (f" at line {context_line})" if context_line else ")")
    mark = exc.problem_mark
    location = Location(file, mark.line + 1, mark.column + 1)
    lines = text.splitlines()
    nbsp = _non_breaking_space(lines, mark.line)
    if nbsp is not None:
        return LangError(
            f"{message}; line {nbsp[0] + 1} has a non-breaking space (U+00A0) where YAML "
            "needs an ordinary space",
            Location(file, nbsp[0] + 1, nbsp[1] + 1),
            hint="this often comes from copying text from a web page; replace it with a space",
        )
    candidates = [mark.line]
    if exc.context_mark is not None:
        candidates.insert(0, exc.context_mark.line)
    for line_index in candidates:
        hint = _outdented_after_block(lines, line_index)
        if hint is not None:
            column = _indent(lines[line_index]) + 1
            return LangError(
                f"invalid YAML: {hint[0]}",
                Location(file, line_index + 1, column),
                hint=hint[1],
            )
    return LangError(message, location)


def _non_breaking_space(lines: list[str], last: int) -> tuple[int, int] | None:
    """The first U+00A0 next to indentation or a ':' / '-' separator, up to line ``last``."""
    for index, line in enumerate(lines[: last + 1]):
        column = line.find("\u00a0")
        while column >= 0:
            before = line[:column]
            if not before.strip() or before.rstrip().endswith((":", "-")) or before.endswith(
                (":", "-")
            ):
                return index, column
            column = line.find("\u00a0", column + 1)
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _outdented_after_block(lines: list[str], index: int) -> tuple[str, str] | None:
    """If line ``index`` sits right after a block scalar, less indented than its text."""
    if index >= len(lines) or not lines[index].strip():
        return None
    stray_indent = _indent(lines[index])
    # Walk up over blank lines and the block's text to its header.
    content_indent: int | None = None
    last_content = None
    cursor = index - 1
    while cursor >= 0:
        line = lines[cursor]
        if not line.strip():
            cursor -= 1
            continue
        if _BLOCK_HEADER.search(line.rstrip()) and content_indent is not None:
            break
        indent = _indent(line)
        if indent <= stray_indent:
            return None
        content_indent = indent if content_indent is None else min(content_indent, indent)
        if last_content is None:
            last_content = cursor
        cursor -= 1
    else:
        return None
    if content_indent is None or last_content is None or cursor < 0:
        return None
    header = lines[cursor].strip()
    message = (
        f"the block scalar `{header}` that started at line {cursor + 1} ended at line "
        f"{last_content + 1}, before line {index + 1}, because line {index + 1} is "
        "indented less than the block's text, and YAML cannot read that line on its own"
    )
    hint = (
        f"if line {index + 1} belongs to the text, indent it to column "
        f"{content_indent + 1} like the lines above it"
    )
    return message, hint
