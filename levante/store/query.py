"""Generic list query behind every REST collection: Mistral's paging, sorting, fields, filters.

Filters are written as Mistral's REST API takes them: ``state=eq:RUNNING``,
``name=has:deploy``, ``state=in:ERROR,CANCELLED``, ``created_at=gt:2026-11-28
17:11:17``; a value without a known ``op:`` prefix means equality. Paging is
keyset paging from a ``marker`` (the id of the last row seen). Anything that
cannot be run raises ``InvalidQueryError`` with a message for the user; a
marker that names no row raises ``NotFoundError``.

This is the one implementation of Mistral's list query: the REST API
(``levante.api.listing``) only reads the query string, caps the page size,
builds ``next`` links and maps these errors to HTTP answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    cast,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from levante.store.definitions import visible_to
from levante.store.errors import InvalidQueryError, NotFoundError
from levante.store.models import Base
from levante.store.sql import dialect_name
from levante.store.types import UTCDateTime, parse_timestamp

M = TypeVar("M", bound=Base)

#: Filter operators, as in ``?state=neq:ERROR``.
OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "has")


@dataclass(frozen=True)
class Filter:
    """One condition on a column: ``op`` is one of OPERATORS; ``in``/``nin`` take a list."""

    op: str
    value: Any


@dataclass(frozen=True)
class ListQuery:
    """What a REST list request asks for."""

    marker: str | None = None
    """Id of the last row of the previous page."""
    limit: int | None = None
    sort_keys: Sequence[str] = ("created_at",)
    sort_dirs: Sequence[str] = ("asc",)
    fields: Sequence[str] = ()
    filters: Mapping[str, str | Filter | Any] = field(default_factory=dict)
    """Column -> ``"op:value"`` text, a ``Filter``, or a plain value (equality)."""
    project_id: str | None = None
    """Only this project's rows and public ones (``None``: all rows)."""


def parse_filter(text: str) -> Filter:
    """Read a REST filter value: ``"neq:ERROR"``, ``"in:a,b"``; no known prefix means ``eq``."""
    op, sep, rest = text.partition(":")
    if not sep or op not in OPERATORS:
        return Filter("eq", text)
    if op in ("in", "nin"):
        return Filter(op, rest.split(","))
    return Filter(op, rest)


def list_rows(
    session: Session,
    model: type[M],
    query: ListQuery,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[M]:
    """One page of ``model`` rows matching ``query`` and ``where`` (``query.fields`` is ignored)."""
    statement = select(model)
    for condition in where:
        statement = statement.where(condition)
    return list(session.scalars(_build(session, model, query, statement)))


def list_fields(session: Session, model: type[M], query: ListQuery) -> list[dict[str, Any]]:
    """One page of rows as dicts of ``query.fields`` only (``id`` always included, first)."""
    names = ["id", *[name for name in query.fields if name != "id"]]
    columns = [_column(model, name, "field") for name in names]
    statement = _build(session, model, query, select(*columns))
    return [dict(zip(names, row, strict=True)) for row in session.execute(statement)]


def _build(
    session: Session, model: type[M], query: ListQuery, statement: Select[Any]
) -> Select[Any]:
    if query.limit is not None and query.limit <= 0:
        raise InvalidQueryError("Limit must be positive.")
    keys, dirs = _sorting(model, query)
    for name, wanted in query.filters.items():
        statement = statement.where(_condition(session, model, name, wanted))
    if query.project_id is not None and "project_id" in model.__table__.c:
        statement = statement.where(visible_to(model, query.project_id))
    if query.marker is not None:
        statement = statement.where(_after_marker(session, model, query.marker, keys, dirs))
    order = []
    for key, direction in zip(keys, dirs, strict=True):
        column = _column(model, key, "sort key")
        order.append(
            column.asc().nulls_first() if direction == "asc" else column.desc().nulls_last()
        )
    statement = statement.order_by(*order)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    return statement


def _sorting(model: type[Base], query: ListQuery) -> tuple[list[str], list[str]]:
    keys = list(query.sort_keys) or ["created_at"]
    dirs = list(query.sort_dirs)
    if len(dirs) > len(keys):
        raise InvalidQueryError("Length of sort_keys must be equal or greater than sort_dirs.")
    dirs += ["asc"] * (len(keys) - len(dirs))
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise InvalidQueryError("Unknown sort direction, must be 'desc' or 'asc'.")
    for key in keys:
        if isinstance(_column(model, key, "sort key").type, JSON):
            raise InvalidQueryError(f"Cannot sort by '{key}': it is not a plain value.")
    if "id" not in keys:  # a total order, so pages neither repeat nor skip rows
        keys.append("id")
        dirs.append("asc")
    return keys, dirs


def _column(model: type[Base], name: str, what: str) -> Column[Any]:
    columns = model.__table__.c
    if name not in columns:
        choices = ", ".join(sorted(columns.keys()))
        raise InvalidQueryError(f"Unknown {what} '{name}'; choose from: {choices}.")
    return columns[name]  # type: ignore[no-any-return]


def checked_filter(model: type[Base], name: str, wanted: Any) -> Filter:
    """The filter on column ``name``, its value(s) converted to the column's type.

    ``wanted`` is ``"op:value"`` text, a :class:`Filter` or a plain value
    (equality). ``InvalidQueryError`` says what does not fit: an unknown field
    or operation, a value of the wrong type, an operation JSON cannot do.
    """
    column = _column(model, name, "filter field")
    spec = parse_filter(wanted) if isinstance(wanted, str) else wanted
    if not isinstance(spec, Filter):
        spec = Filter("eq", spec)
    if spec.op not in OPERATORS:
        raise InvalidQueryError(f"Unknown filter operation '{spec.op}' for '{name}'.")
    if isinstance(column.type, JSON) and spec.op not in ("eq", "neq", "has"):
        raise InvalidQueryError(
            f"Field '{name}' can only be filtered with 'has:' or with a JSON value "
            f"(eq, neq), not with '{spec.op}'."
        )
    if isinstance(spec.value, list | tuple):
        return Filter(spec.op, [_typed(column, name, v) for v in spec.value])
    return Filter(spec.op, _typed(column, name, spec.value))


def _condition(session: Session, model: type[Base], name: str, wanted: Any) -> ColumnElement[bool]:
    column = _column(model, name, "filter field")
    spec = checked_filter(model, name, wanted)
    if name == "tags":
        return _has_tags(session, column, spec)
    if isinstance(column.type, JSON):
        return _json_condition(session, model, name, spec)
    if spec.op == "has":
        return column.contains(str(spec.value), autoescape=True)
    if spec.op in ("in", "nin"):
        values = spec.value if isinstance(spec.value, list) else [spec.value]
        if spec.op == "in":
            return column.in_(values)
        return or_(not_(column.in_(values)), column.is_(None))
    value = spec.value
    if value is None:
        if spec.op == "eq":
            return column.is_(None)
        if spec.op == "neq":
            return column.is_not(None)
        raise InvalidQueryError(f"Cannot compare '{name}' with null using '{spec.op}'.")
    return {
        "eq": lambda: column == value,
        "neq": lambda: or_(column != value, column.is_(None)),
        "gt": lambda: column > value,
        "gte": lambda: column >= value,
        "lt": lambda: column < value,
        "lte": lambda: column <= value,
    }[spec.op]()


def _json_condition(
    session: Session, model: type[Base], name: str, spec: Filter
) -> ColumnElement[bool]:
    """``has``: the JSON text contains the value; ``eq``/``neq``: (in)equality of the JSON."""
    column = model.__table__.c[name]
    if spec.op == "has":
        return cast(column, Text).contains(str(spec.value), autoescape=True)
    try:
        wanted = json.loads(spec.value) if isinstance(spec.value, str) else spec.value
    except ValueError:
        raise InvalidQueryError(
            f"Field '{name}' can only be filtered with 'has:' or with a JSON value; "
            f"{spec.value!r} is not JSON."
        ) from None
    if dialect_name(session) == "postgresql":
        condition: ColumnElement[bool] = column == wanted
    else:
        table = model.__table__.name
        condition = text(f"json({table}.{name}) = json(:wanted_{name})").bindparams(
            **{f"wanted_{name}": json.dumps(wanted)}
        )  # type: ignore[assignment]
    return ~condition if spec.op == "neq" else condition


def _typed(column: Column[Any], name: str, value: Any) -> Any:
    """The filter value converted to the column's type; InvalidQueryError when it cannot be."""
    if value is None or not isinstance(value, str) or isinstance(column.type, JSON):
        return value
    kind = column.type
    if value == "" and isinstance(kind, UTCDateTime | Boolean | Integer):
        return None
    try:
        if isinstance(kind, UTCDateTime):
            return parse_timestamp(value)
        if isinstance(kind, Boolean):
            lowered = value.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"expected true or false, got {value!r}")
            return lowered in ("true", "1", "yes")
        if isinstance(kind, Integer):
            return int(value)
    except ValueError as error:
        raise InvalidQueryError(
            f"Invalid value {value!r} for '{name}' ({kind.__class__.__name__.lower()}): {error}"
        ) from None
    return value


def _has_tags(session: Session, column: Column[Any], spec: Filter) -> ColumnElement[bool]:
    """Rows whose tag list holds every tag asked for (``tags=a,b`` means a and b)."""
    if spec.op not in ("eq", "neq", "has", "in"):
        raise InvalidQueryError("Tags can only be filtered by equality: tags=a,b.")
    raw = spec.value
    tags = [raw] if isinstance(raw, str) else list(raw)
    tags = [part for tag in tags for part in str(tag).split(",") if part]
    if not tags:
        return literal(True)
    if dialect_name(session) == "postgresql":
        condition: ColumnElement[bool] = type_coerce(column, JSONB).contains(tags)
    else:
        conditions = []
        for tag in tags:
            each = func.json_each(column).table_valued("value")
            conditions.append(
                select(literal(1)).select_from(each).where(each.c.value == tag).exists()
            )
        condition = and_(*conditions)
    return ~condition if spec.op == "neq" else condition


def _after_marker(
    session: Session, model: type[Base], marker: str, keys: list[str], dirs: list[str]
) -> ColumnElement[bool]:
    """Rows that come after the marker row in the (keys, dirs) order (NULLs first when asc)."""
    table = model.__table__
    row = session.execute(select(*(table.c[k] for k in keys)).where(table.c.id == marker)).first()
    if row is None:
        raise NotFoundError(model.__name__, id=marker)
    alternatives = []
    for index, key in enumerate(keys):
        equal_before = [_equal(table.c[k], row[i]) for i, k in enumerate(keys[:index])]
        beyond = _beyond(table.c[key], row[index], dirs[index])
        alternatives.append(and_(*equal_before, beyond))
    return or_(*alternatives)


def _equal(column: Column[Any], value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _beyond(column: Column[Any], value: Any, direction: str) -> ColumnElement[bool]:
    if direction == "asc":  # NULLS FIRST
        return column.is_not(None) if value is None else column > value
    # desc, NULLS LAST
    return false() if value is None else or_(column < value, column.is_(None))
