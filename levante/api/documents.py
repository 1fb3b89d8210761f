"""YAML documents posted to the API: parsing, per-item definition text, checksums.

Parse errors become 400s carrying every problem with its line and column
(``levante.lang`` reports them all at once).
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import yaml

from levante.api.errors import BadRequest
from levante.lang import ValidationError
from levante.lang.spec import Location

T = TypeVar("T")

#: Header put in front of one workflow or action cut out of a multi-item file.
VERSION_HEADER = "---\nversion: '2.0'\n\n"
#: Query values of ``scope``.
SCOPES = ("private", "public")


def parse_or_400(parse: Callable[..., T], text: str, namespace: str = "") -> T:
    """Run a ``levante.lang`` parser; its ``ValidationError`` becomes a 400 with every problem."""
    if not text.strip():
        raise BadRequest("The definition is empty: send the YAML text as the request body")
    try:
        return parse(text, namespace=namespace)
    except ValidationError as error:
        raise BadRequest(str(error)) from None
    except yaml.YAMLError as error:
        raise BadRequest(f"Invalid YAML: {error}") from None


def validation_result(parse: Callable[..., Any], text: str) -> dict[str, Any]:
    """Mistral's ``.../validate`` answer: ``{"valid": true}`` or ``{"valid": false, "error"}``."""
    if not text.strip():
        return {"valid": False, "error": "The definition is empty"}
    try:
        parse(text)
    except ValidationError as error:
        return {"valid": False, "error": str(error)}
    except yaml.YAMLError as error:
        # Characters YAML does not allow (control characters) stop its reader.
        return {"valid": False, "error": f"Invalid YAML: {error}"}
    return {"valid": True}


def checked_scope(scope: str | None) -> str:
    """``private`` (default) or ``public``; anything else is a 400."""
    scope = scope or "private"
    if scope not in SCOPES:
        raise BadRequest(f"Scope must be one of the following: private, public; actual: {scope}")
    return scope


def checksum(text: str) -> str:
    """The MD5 hex digest Mistral shows as a workflow's ``checksum``."""
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def item_definitions(
    text: str, items: Mapping[str, Any], *, whole_if_single: bool = True
) -> dict[str, str]:
    """The definition text to store for each item (workflow or action) of a document.

    A document with one item is stored whole (unless ``whole_if_single`` is
    false, as for the workflows of a workbook); otherwise each item gets its
    own lines (from its name to the next item, dedented) under a version
    header, so that ``workflow-get-definition`` shows just that workflow.
    """
    if len(items) <= 1 and whole_if_single:
        return {name: text for name in items}
    lines = text.splitlines(keepends=True)
    out: dict[str, str] = {}
    for name, item in items.items():
        start = _line(item.location)
        if not 0 < start <= len(lines):
            return {name: text for name in items}
        body = textwrap.dedent("".join(_item_lines(lines, start - 1))).rstrip("\n")
        out[name] = VERSION_HEADER + body + "\n"
    return out


def _item_lines(lines: list[str], first: int) -> list[str]:
    """The lines of the mapping entry starting at ``lines[first]``: up to the next sibling."""
    indent = _indent(lines[first])
    end = first + 1
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#") and _indent(lines[end]) <= indent:
            break
        end += 1
    return lines[first:end]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _line(location: Location | None) -> int:
    return location.line if location is not None else 0
