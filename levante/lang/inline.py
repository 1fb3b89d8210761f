"""The one-line syntaxes inside strings: ``std.http url='x' method="GET"``, ``x in <% $.xs %>``.

Inline parameters follow ``name key=value key=value``. A value is a quoted
string (``"..."`` or ``'...'``, taken as is), an expression (``<% %>``,
``{{ }}``), a JSON-like list or mapping (``[1, "a"]``), ``true`` / ``false`` /
``null``, a number, or a bare word. Mixed text such as
``http://h/<% $.id %>/x`` stays a string. ``name(key=value)`` works as well.

Compared with Mistral's regular expressions this reads a few things Mistral
silently dropped or truncated (``method=GET``, ``timeout=1.5``, ``n=-1``), and
reports text it cannot read instead of ignoring it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_KEY = re.compile(r"[-\w]+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_WITH_ITEMS_VAR = re.compile(r"\s*([\w-]+)\s+in\s+", re.DOTALL)
_CLOSERS = {"<%": "%>", "{{": "}}", "{%": "%}"}
_SAFE_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class InlineProblem:
    """Text that could not be read, at ``offset`` in the parsed string."""

    offset: int
    message: str


@dataclass(frozen=True)
class InlineCommand:
    """A name followed by inline parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    problems: tuple[InlineProblem, ...] = ()
    offsets: dict[str, int] = field(default_factory=dict)
    """Where each parameter's value starts in the parsed text."""

    def texts(self) -> list[tuple[str, int]]:
        """``(text, offset)`` of the name and of each string parameter, for syntax checks."""
        found = [(self.name, 0)]
        for key, value in self.params.items():
            if isinstance(value, str):
                found.append((value, self.offsets.get(key, 0)))
        return found


def parse_command(text: str) -> InlineCommand:
    """Split ``"std.http url='x' timeout=10"`` into the name and its parameters."""
    stripped = text.strip()
    if not any(c.isspace() for c in stripped):
        return InlineCommand(stripped)
    lead = len(text) - len(text.lstrip())
    end = _name_end(text, lead)
    name = text[lead:end]
    rest_start = end
    rest_end = len(text.rstrip())
    if text.startswith("(", end) and text[rest_end - 1] == ")":
        rest_start, rest_end = end + 1, rest_end - 1
    offsets: dict[str, int] = {}
    params, problems = _parse_params(text, rest_start, rest_end, offsets)
    return InlineCommand(name, params, tuple(problems), offsets)


def parse_params(text: str) -> tuple[dict[str, Any], tuple[InlineProblem, ...]]:
    """Read ``key=value key=value`` (the one-line ``retry`` form)."""
    params, problems = _parse_params(text, 0, len(text), {})
    return params, tuple(problems)


def _name_end(text: str, start: int) -> int:
    for opener, closer in _CLOSERS.items():
        if text.startswith(opener, start):
            close = text.find(closer, start + 2)
            return len(text) if close < 0 else close + 2
    index = start
    while index < len(text) and not text[index].isspace() and text[index] not in '=("':
        index += 1
    return index


def _parse_params(text: str, start: int, end: int,
                  offsets: dict[str, int]) -> tuple[dict[str, Any], list[InlineProblem]]:
    params: dict[str, Any] = {}
    problems: list[InlineProblem] = []
    index = start
    while index < end:
        if text[index].isspace():
            index += 1
            continue
        key_match = _KEY.match(text, index, end)
        if key_match is None or not text.startswith("=", key_match.end()):
            token_end = _value_end(text, index, end, problems)
            problems.append(
                InlineProblem(
                    index,
                    f"cannot read {text[index:token_end]!r}: expected parameters as "
                    "name=value (quote values that contain spaces)",
                )
            )
            index = token_end
            continue
        value_start = key_match.end() + 1
        value_end = _value_end(text, value_start, end, problems)
        raw = text[value_start:value_end]
        value = _convert(raw)
        params[key_match.group()] = value
        # A quoted value loses its opening quote.
        quoted = isinstance(value, str) and len(raw) == len(value) + 2
        offsets[key_match.group()] = value_start + (1 if quoted else 0)
        index = value_end
    return params, problems


def _value_end(text: str, index: int, end: int, problems: list[InlineProblem]) -> int:
    """The end of a value: a run of quoted, bracketed, expression and plain parts."""
    while index < end and not text[index].isspace():
        char = text[index]
        two = text[index:index + 2]
        if two in _CLOSERS:
            close = text.find(_CLOSERS[two], index + 2, end)
            if close < 0:
                problems.append(InlineProblem(index, f"{two} is never closed by {_CLOSERS[two]}"))
                return end
            index = close + 2
        elif char in "\"'":
            close = text.find(char, index + 1, end)
            if close < 0:
                problems.append(InlineProblem(index, f"the quote {char} is never closed"))
                return end
            index = close + 1
        elif char in "[{":
            close = _bracket_end(text, index, end)
            if close < 0:
                problems.append(InlineProblem(index, f"the bracket {char} is never closed"))
                return end
            index = close
        else:
            index += 1
    return index


def _bracket_end(text: str, index: int, end: int) -> int:
    """Index just after the bracket opened at ``index`` closes (quotes respected), or -1."""
    depth = 0
    while index < end:
        char = text[index]
        if char in "\"'":
            close = text.find(char, index + 1, end)
            if close < 0:
                return -1
            index = close + 1
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


def _convert(raw: str) -> Any:
    if len(raw) >= 2 and raw[0] in "\"'" and raw[-1] == raw[0] and raw.count(raw[0]) == 2:
        return raw[1:-1]
    if raw in _LITERALS:
        return _LITERALS[raw]
    if _NUMBER.fullmatch(raw):
        return json.loads(raw)
    if raw[:1] in "[{" and not raw.startswith(("{{", "{%")) and _bracket_end(
        raw, 0, len(raw)
    ) == len(raw):
        return _structured(raw)
    return raw


def _structured(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        pass
    try:
        value = yaml.load(raw, Loader=_SAFE_LOADER)
    except yaml.YAMLError:
        return raw
    return value if isinstance(value, list | dict) else raw


@dataclass(frozen=True)
class WithItemsClause:
    """One ``var in source`` of ``with-items``; ``source`` is an expression or a list."""

    variable: str
    source: Any
    source_offset: int


def parse_with_items(text: str) -> WithItemsClause | str:
    """Read ``x in <% $.xs %>`` / ``x in [1, 2]``; a string result is the error message."""
    match = _WITH_ITEMS_VAR.match(text)
    expected = "expected 'name in <% expression %>', 'name in {{ expression }}' or 'name in [a, b]'"
    if match is None:
        return expected
    start = match.end()
    rest = text[start:].rstrip()
    if not rest:
        return expected
    if rest.startswith("["):
        close = _bracket_end(rest, 0, len(rest))
        if close != len(rest):
            return "the list after 'in' is not closed or is followed by other text; " + expected
        try:
            source: Any = json.loads(rest)
        except ValueError as exc:
            return f"the list after 'in' is not valid JSON ({exc})"
        return WithItemsClause(match.group(1), source, start)
    for opener, closer in (("<%", "%>"), ("{{", "}}")):
        if rest.startswith(opener):
            close = rest.find(closer, 2)
            if close < 0:
                return f"{opener} is never closed by {closer}"
            if close + 2 != len(rest):
                return (
                    f"unexpected text {rest[close + 2:].strip()!r} after the expression; "
                    "use one list item per variable to iterate over several lists"
                )
            return WithItemsClause(match.group(1), rest, start)
    return expected
