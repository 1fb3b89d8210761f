"""Lazy YAQL input conversion.

Mistral runs yaql with ``convertInputData``: before every evaluation the
whole data context is copied into immutable types (dicts -> ``FrozenDict``,
lists -> tuples, sets -> frozensets). That is O(size of the context) per
expression, which a with-items task pays once per iteration.

``LazyFrozenDict`` gives yaql the same immutable view but converts a value
only when the expression reads it (and remembers it for the rest of that
evaluation), so ``<% $.item %>`` over a large context costs what ``$.item``
costs. Any ``Mapping`` is accepted (a ``ChainMap`` of item variables over a
task context works without being merged first).
"""

from __future__ import annotations

import collections.abc  # yaql 3.2 uses collections.abc without importing it
from collections.abc import Iterator, Mapping
from typing import Any

from yaql.language import utils as yaql_utils

_MISSING = object()


class LazyFrozenDict(yaql_utils.FrozenDict):
    """A read-only, hashable view of a Mapping that converts values on access."""

    def __init__(self, source: Mapping[Any, Any]) -> None:
        # FrozenDict.__init__ would copy; keep the source and convert lazily.
        self._source = source
        self._converted: dict[Any, Any] = {}
        self._hash = None

    @property
    def _d(self) -> dict[Any, Any]:  # type: ignore[override]
        # yaql and Mistral reach into FrozenDict._d to unwrap; give them a dict.
        return {key: self[key] for key in self._source}

    def __getitem__(self, key: Any) -> Any:
        value = self._converted.get(key, _MISSING)
        if value is _MISSING:
            value = to_yaql(self._source[key])
            self._converted[key] = value
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        """Value of ``key`` converted for yaql, or ``default``."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return key in self._source

    def __iter__(self) -> Iterator[Any]:
        return iter(self._source)

    def __len__(self) -> int:
        return len(self._source)

    def __repr__(self) -> str:
        return repr(self._d)


def to_yaql(value: Any) -> Any:
    """Convert one value the way yaql's ``convert_input_data`` does, lazily for maps."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if isinstance(value, yaql_utils.FrozenDict):
            return value
        return LazyFrozenDict(value)
    if isinstance(value, collections.abc.Sequence):
        if isinstance(value, tuple) and all(_is_scalar(v) for v in value):
            return value
        return tuple(to_yaql(v) for v in value)
    if isinstance(value, collections.abc.MutableSet):
        return frozenset(to_yaql(v) for v in value)
    if isinstance(value, collections.abc.Iterable) and not isinstance(value, (bytes, bytearray)):
        return map(to_yaql, value)
    return value


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))
