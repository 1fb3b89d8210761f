"""Helpers for writing many rows with one statement (``executemany``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from levante.store.models import Base


def complete_rows(table: Table, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Give every row the same keys, filling Python-side column defaults (ids, timestamps).

    ``executemany`` compiles one statement for all rows, so every row must name
    the same columns; a column a row leaves out gets its default (or NULL).
    Unknown keys raise ``KeyError`` naming the column and table.
    """
    rows = [dict(row) for row in rows]
    keys: set[str] = set()
    for row in rows:
        keys.update(row)
    unknown = keys - set(table.c.keys())
    if unknown:
        raise KeyError(f"no column {sorted(unknown)} in table {table.name}")
    keys.update(column.key for column in table.c if column.default is not None)
    makers = {key: _default_maker(table, key) for key in keys}
    for row in rows:
        if len(row) != len(keys):
            for key, make in makers.items():
                if key not in row:
                    row[key] = make()
    return rows


def _default_maker(table: Table, key: str) -> Callable[[], Any]:
    """A function giving the Python-side default of one column (None when it has none)."""
    default = table.c[key].default
    arg = getattr(default, "arg", None)
    if getattr(default, "is_callable", False):
        return lambda: arg(None)  # type: ignore[misc]
    return lambda: arg


def sync_loaded(session: Session, model: type[Base], ident: Any, values: Mapping[str, Any]) -> None:
    """Show ``values`` on the object of ``model`` with id ``ident`` if the session has it loaded.

    Bulk (Core) statements bypass the ORM; without this a loaded object would
    keep the old values. The values are set as if loaded (nothing to flush) and
    the object stays usable after the transaction, unlike an expired one.
    """
    if not len(session.identity_map):
        return
    loaded = session.identity_map.get(identity_key(model, ident))
    if loaded is not None:
        for key, value in values.items():
            set_committed_value(loaded, key, value)


def chunked(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items (keeps IN lists below parameter limits)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
