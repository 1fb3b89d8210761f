"""Many rows in one statement, straight through the driver (the hot paths' INSERTs and UPDATEs).

``session.execute(table.insert(), rows)`` is convenient but, per row, builds
a parameter dict through the compiled statement and calls each column's
type processors by name: for a burst of a thousand cron starts that is most
of the time their rows take to write. Here a statement is compiled once per
(dialect, table, columns), the columns' bind processors are looked up once,
and each row becomes a tuple handed to the driver on the session's
connection, inside the session's transaction: SQLite's ``executemany``, and
for PostgreSQL's inserts ``COPY ... FROM STDIN`` (its updates: ``executemany``).
Values are stored exactly as SQLAlchemy would store them (the same
processors, the same Python-side column defaults).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import Boolean, Table, bindparam, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    """A compiled statement and how to turn a row into its parameters."""

    sql: str
    names: tuple[str, ...]
    """Parameter names in statement order."""
    take: Callable[[Mapping[str, Any]], Any]
    """The values a row gives, in statement order (an ``itemgetter``; always a tuple)."""
    fills: tuple[tuple[int, Callable[[], Any]], ...]
    """Positions of the columns the rows leave out, with their Python-side defaults."""
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    """Positions of the values a type processes (JSON, timestamps, booleans)."""
    positional: bool

    def values(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Each row's values as the database takes them, in statement order."""
        take, fills, processors = self.take, self.fills, self.processors
        sets = []
        for row in rows:
            values = list(take(row))
            for position, make in fills:
                values.insert(position, make())
            for position, process in processors:
                values[position] = process(values[position])
            sets.append(tuple(values))
        return sets

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The driver's parameter sets for ``rows`` (tuples or, by name, dicts)."""
        sets = self.values(rows)
        if self.positional:
            return sets
        names = self.names
        return [dict(zip(names, values, strict=True)) for values in sets]


def _getter(keys: Sequence[str]) -> Callable[[Mapping[str, Any]], Any]:
    """``itemgetter(*keys)``, giving a tuple even for one key."""
    if len(keys) == 1:
        key = keys[0]
        return lambda row: (row[key],)
    return itemgetter(*keys)


_PLANS: dict[tuple[str, str, str, tuple[str, ...]], _Plan] = {}


def _processor(table: Table, column: str, dialect: Dialect) -> Processor:
    impl = table.c[column].type.dialect_impl(dialect)
    if dialect.name == "sqlite" and type(impl) is Boolean:
        return _sqlite_boolean
    processor: Processor = impl.bind_processor(dialect)
    return processor


_BOOLEANS = {None: None, True: 1, False: 0}


def _sqlite_boolean(value: Any) -> int | None:
    """SQLAlchemy's SQLite Boolean processor as a lookup: 1, 0 or None, and its errors."""
    try:
        return _BOOLEANS[value]  # an unhashable value: TypeError, as SQLAlchemy's
    except KeyError:
        if isinstance(value, int):
            raise ValueError(f"Value {value!r} is not None, True, or False") from None
        raise TypeError(f"Not a boolean value: {value!r}") from None


def _python_default(table: Table, column: str, *, on_update: bool) -> Callable[[], Any]:
    """The Python-side default (or ``onupdate``) of a column the rows leave out."""
    default = table.c[column].onupdate if on_update else table.c[column].default
    if default is None or not (default.is_scalar or default.is_callable):  # type: ignore[attr-defined]
        raise KeyError(f"column {column} of table {table.name} has no value and no default")
    arg = default.arg  # type: ignore[attr-defined]
    if default.is_callable:  # type: ignore[attr-defined]
        return lambda: arg(None)
    return lambda: arg


def _plan(kind: str, dialect: Dialect, table: Table, keys: tuple[str, ...],
          build: Callable[[], Any]) -> _Plan:
    """The cached plan of an ``insert`` or ``update`` of ``keys`` (built on first use)."""
    cache_key = (kind, dialect.name, table.name, keys)
    plan = _PLANS.get(cache_key)
    if plan is not None:
        return plan
    unknown = sorted(set(keys) - set(table.c.keys()))
    if unknown:
        raise KeyError(f"no column {', '.join(unknown)} in table {table.name}")
    on_update = kind == "update"
    compiled = build().compile(dialect=dialect, column_keys=None if on_update else list(keys))
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup if positional else compiled.bind_names.values())
    sources = tuple(_column(n) if on_update else n for n in names)
    fills = tuple((position, _python_default(table, source, on_update=on_update))
                  for position, source in enumerate(sources) if source not in keys)
    processors = tuple((position, process) for position, process in (
        (position, _processor(table, source, dialect)) for position, source in
        enumerate(sources)) if process is not None)
    plan = _Plan(compiled.string, names, _getter([s for s in sources if s in keys]),
                 fills, processors, positional)
    if len(_PLANS) < 512:
        _PLANS[cache_key] = plan
    return plan


def _column(name: str) -> str:
    """The column an UPDATE parameter sets or matches (``v_state``: state, ``_id``: id)."""
    if name == "_id":
        return "id"
    return name[2:] if name.startswith("v_") else name


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``INSERT`` ``rows`` (every one with the same keys) at once: SQLite's
    ``executemany``, PostgreSQL's ``COPY``.

    Columns the rows leave out get their Python-side default (ids,
    timestamps, constants), as with ``session.execute(table.insert(), rows)``.
    """
    if not rows:
        return
    connection = session.connection()
    keys = tuple(rows[0])
    plan = _plan("insert", connection.dialect, table, keys,
                 lambda: table.insert().inline())  # no RETURNING of generated keys
    if connection.dialect.name == "postgresql":
        _copy(connection, table, plan, rows)  # COPY takes the values in plan order
        return
    connection.exec_driver_sql(plan.sql, plan.parameters(rows))


def _copy(connection: Connection, table: Table, plan: _Plan,
          rows: Sequence[Mapping[str, Any]]) -> None:
    """PostgreSQL: ``COPY table (...) FROM STDIN``, the cheapest way in for client and server.

    An ``executemany`` of INSERTs costs the server a statement per row and
    psycopg a round of binding per row. The listeners of
    ``before_cursor_execute`` see the COPY statement; an error is raised as
    SQLAlchemy raises it (``IntegrityError`` for a duplicate key).
    """
    quote = connection.dialect.identifier_preparer.quote
    sql = (f"COPY {quote(table.name)} ({', '.join(quote(n) for n in plan.names)}) "
           "FROM STDIN")
    values = plan.values(rows)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for listen in connection.dispatch.before_cursor_execute:
            listen(connection, cursor, sql, values, None, True)
        with cursor.copy(sql) as copy:
            for row in values:
                copy.write_row(row)
        for listen in connection.dispatch.after_cursor_execute:
            listen(connection, cursor, sql, values, None, True)
    except psycopg.Error as error:
        raise DBAPIError.instance(sql, None, error, psycopg.Error,
                                  dialect=connection.dialect) from error
    finally:
        cursor.close()


def update_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``UPDATE table SET col = ... WHERE id = ...`` for each row (one ``executemany``).

    Each row holds ``id`` and the new values of the same columns; a column
    with an ``onupdate`` default (``updated_at``) that the rows leave out gets it.
    """
    if not rows:
        return
    connection = session.connection()
    keys = tuple(k for k in rows[0] if k != "id")

    def build() -> Any:
        return update(table).where(table.c.id == bindparam("_id")).values(
            {k: bindparam("v_" + k) for k in keys})

    plan = _plan("update", connection.dialect, table, (*keys, "id"), build)
    connection.exec_driver_sql(plan.sql, plan.parameters(rows))
