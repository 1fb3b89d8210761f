"""Turning what a client library returns into plain JSON data.

A resource becomes its ``to_dict()``: the body the service returned (for a
Nova server, ``addresses`` with ``OS-EXT-IPS:type`` and all), not the Python
object's attributes. Lists and generators become lists; novaclient's
``(response, body)`` pairs become the body; anything else unknown becomes
its string form rather than failing the action after the call succeeded.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Mapping
from typing import Any

_SCALARS = frozenset({str, int, float, bool, type(None)})


def _is_response(value: Any) -> bool:
    return hasattr(value, "status_code") and hasattr(value, "headers")


def to_plain(value: Any, _depth: int = 0) -> Any:
    """``value`` as JSON-compatible data (see the module docstring)."""
    if _depth > 50:
        return str(value)
    if type(value) in _SCALARS:
        return value
    for scalar in (bool, str, int, float):
        if isinstance(value, scalar):
            # Subclasses (novaclient's StrWithMeta) lose their extras.
            return scalar(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, Mapping):
        return to_plain(to_dict(), _depth + 1)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, tuple) and len(value) == 2 and _is_response(value[0]):
        return to_plain(value[1], _depth + 1)
    if _is_response(value):
        return {"status_code": value.status_code}
    if isinstance(value, list | tuple | set | frozenset) or inspect.isgenerator(value):
        return [to_plain(v, _depth + 1) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)
