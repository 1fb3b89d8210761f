"""The value an action returns: plain data, or data / error / cancel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_PLAIN_TYPES: frozenset[type] = frozenset({type(None), str, int, float, bool, dict, list})


@dataclass(frozen=True, slots=True)
class Result:
    """An action's result with the same meaning as mistral-lib's ``Result``.

    ``data`` is the result of a successful run. ``error`` set (and ``cancel``
    false) means the action failed but still has something to say, which the
    workflow sees as the task result in ``on-error`` conditions. ``cancel``
    true means the action was cancelled.
    """

    data: Any = None
    error: Any = None
    cancel: bool = False

    def is_cancel(self) -> bool:
        """True when the action was cancelled."""
        return bool(self.cancel)

    def is_error(self) -> bool:
        """True when the action failed (an error and not a cancellation)."""
        return self.error is not None and not self.cancel

    def is_success(self) -> bool:
        """True when the action neither failed nor was cancelled."""
        return not self.is_error() and not self.is_cancel()

    def to_dict(self) -> dict[str, Any]:
        """The action execution's ``output`` as Mistral stores it."""
        return {"result": self.data if self.is_success() else self.error}


def as_result(value: Any) -> Result:
    """Normalise whatever ``run()`` returned into a :class:`Result`.

    A plain value is successful data. Any object with ``data``, ``error`` and
    ``cancel`` attributes (ours, or mistral-lib's own ``Result`` from a
    third-party action) is read field by field, so mistral-lib need not be
    installed.
    """
    if type(value) in _PLAIN_TYPES:
        return Result(data=value)
    if isinstance(value, Result):
        return value
    if _looks_like_result(value):
        return Result(data=value.data, error=value.error, cancel=bool(value.cancel))
    return Result(data=value)


def _looks_like_result(value: Any) -> bool:
    return all(hasattr(value, field) for field in ("data", "error", "cancel"))
