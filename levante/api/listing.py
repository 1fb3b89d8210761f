"""The HTTP side of Mistral's list queries: query string, page size, ``next`` links, errors.

A list endpoint describes itself with a :class:`ListSpec`; :func:`parse_list_query`
turns the query string into a checked :class:`ListQuery` (every mistake is a
400 that says what is wrong), :func:`run_list` runs it through the store's
list query (:mod:`levante.store.query`: filters, keyset paging, sorting), and
:func:`next_link` builds the ``next`` URL Mistral adds to a full page.

Filters take Mistral's form ``field=value`` or ``field=op:value`` with ``op``
one of ``eq neq gt gte lt lte in nin has`` (``in``/``nin`` take a comma list).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from levante.api.errors import BadRequest
from levante.store import query as store_query
from levante.store.errors import NotFoundError

#: Query parameters every list endpoint understands besides its filters.
PAGING_PARAMS = ("marker", "limit", "sort_keys", "sort_dirs", "fields", "all_projects")
#: Filter operators, as Mistral spells them.
OPERATORS = store_query.OPERATORS
#: The page size used when none is asked for, and the largest one allowed.
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Filter:
    """One filter: ``field op value`` (``value`` is a list for ``in`` / ``nin``)."""

    field: str
    op: str
    value: Any
    raw: str


@dataclass(frozen=True)
class ListSpec:
    """How one collection is listed.

    ``collection`` is the key of the list in the answer and the URL path under
    ``/v2``; ``fields`` are the resource's field names (what ``fields=`` may
    ask for); ``filters`` the fields that may be filtered on (all must be
    columns of ``model``); ``always`` fields are added to every ``fields=``
    selection (Mistral adds ``interface`` to workflows).
    """

    collection: str
    model: type[Any]
    fields: tuple[str, ...]
    filters: tuple[str, ...]
    default_sort_key: str = "created_at"
    default_sort_dir: str = "asc"
    always: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListQuery:
    """A checked list request."""

    marker: str | None
    limit: int
    sort_keys: tuple[str, ...]
    sort_dirs: tuple[str, ...]
    fields: tuple[str, ...]
    filters: tuple[Filter, ...] = field(default_factory=tuple)

    def select_fields(
        self, resource: Mapping[str, Any], always: Sequence[str] = ()
    ) -> dict[str, Any]:
        """The resource cut down to the fields asked for (all of it when none were)."""
        if not self.fields:
            return dict(resource)
        wanted = list(self.fields) + [name for name in always if name not in self.fields]
        return {name: resource.get(name) for name in wanted}


def split_list(value: str | None) -> list[str]:
    """A comma-separated query value as a list, lower-cased, without blanks or duplicates."""
    if not value:
        return []
    seen: list[str] = []
    for item in value.split(","):
        item = item.strip().lower()
        if item and item not in seen:
            seen.append(item)
    return seen


def parse_fields(raw: str | None, known: Sequence[str]) -> list[str]:
    """The ``fields=`` selection (``id`` always first); unknown names are a 400."""
    fields = split_list(raw)
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise BadRequest(
            f"Some fields do not exist  [{', '.join(unknown)}], "
            f"please choose from [{', '.join(known)}]"
        )
    if fields and "id" not in fields:
        fields.insert(0, "id")
    return fields


def pick_fields(resource: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The resource cut down to ``fields`` (all of it when empty)."""
    if not fields:
        return dict(resource)
    return {name: resource.get(name) for name in fields}


def parse_filter(name: str, raw: str) -> Filter:
    """``op:value`` or a plain value (``eq``) for the field ``name``."""
    parsed = store_query.parse_filter(raw)
    return Filter(name, parsed.op, parsed.value, raw)


def parse_list_query(
    query: Mapping[str, str],
    spec: ListSpec,
    *,
    max_limit: int = MAX_LIMIT,
    extra_params: Sequence[str] = (),
) -> ListQuery:
    """Check a list request's query string against ``spec``; ``BadRequest`` says what is wrong.

    ``extra_params`` are parameters the endpoint handles itself (ignored here).
    """
    limit = _parse_limit(query.get("limit"), max_limit)
    sort_keys = split_list(query.get("sort_keys")) or [spec.default_sort_key]
    sort_dirs = split_list(query.get("sort_dirs")) or [spec.default_sort_dir]
    if len(sort_keys) < len(sort_dirs):
        raise BadRequest("Length of sort_keys must be equal or greater than sort_dirs.")
    sort_dirs += ["asc"] * (len(sort_keys) - len(sort_dirs))
    for direction in sort_dirs:
        if direction not in ("asc", "desc"):
            raise BadRequest("Unknown sort direction, must be 'desc' or 'asc'.")
    columns = spec.model.__table__.c
    for key in sort_keys:
        if key not in columns or key not in spec.fields:
            raise BadRequest(
                f"Unknown sort key {key!r}; sort by one of: {', '.join(_sortable(spec))}"
            )
    if "id" not in sort_keys:
        sort_keys.append("id")
        sort_dirs.append("asc")
    fields = parse_fields(query.get("fields"), spec.fields)
    filters: list[Filter] = []
    for name, raw in query.items():
        if name in PAGING_PARAMS or name in extra_params:
            continue
        if name not in spec.filters:
            raise BadRequest(
                f"Unknown query parameter {name!r}; {spec.collection} can be filtered by: "
                f"{', '.join(spec.filters)}"
            )
        filters.append(_typed_filter(spec.model, parse_filter(name, raw)))
    # The store checks these again when it runs the query; checking them here
    # answers a bad request before anything is read.
    return ListQuery(
        marker=query.get("marker") or None,
        limit=limit,
        sort_keys=tuple(sort_keys),
        sort_dirs=tuple(sort_dirs),
        fields=tuple(fields),
        filters=tuple(filters),
    )


def run_list(
    session: Session,
    spec: ListSpec,
    query: ListQuery,
    *,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[Any]:
    """Rows of one page: filtered, sorted (``id`` breaks ties) and after the marker.

    A marker that names no row is a 400, as in Mistral.
    """
    request = store_query.ListQuery(
        marker=query.marker,
        limit=query.limit,
        sort_keys=query.sort_keys,
        sort_dirs=query.sort_dirs,
        filters={item.field: store_query.Filter(item.op, item.value) for item in query.filters},
    )
    try:
        return store_query.list_rows(session, spec.model, request, where)
    except NotFoundError:
        raise BadRequest(f"Marker {query.marker!r} names no {spec.collection} entry") from None


def next_link(
    base_url: str,
    spec: ListSpec,
    query: ListQuery,
    page: Sequence[Any],
    *,
    path: str | None = None,
) -> str | None:
    """Mistral's ``next`` URL when the page is full, else ``None``."""
    if not page or len(page) != query.limit:
        return None
    args = [f"sort_keys={','.join(query.sort_keys)}", f"sort_dirs={','.join(query.sort_dirs)}"]
    for item in query.filters:
        args.append(f"{item.field}={urllib.parse.quote(item.raw, safe=':,')}")
    args.append(f"limit={query.limit}")
    args.append(f"marker={page[-1].id}")
    if query.fields:
        args.append(f"fields={','.join(query.fields)}")
    return f"{base_url.rstrip('/')}/v2/{path or spec.collection}?{'&'.join(args)}"


def page_body(
    spec: ListSpec,
    query: ListQuery,
    resources: Sequence[Mapping[str, Any]],
    next_url: str | None,
) -> dict[str, Any]:
    """The JSON body of a list answer: the collection, cut to ``fields``, and ``next``."""
    body: dict[str, Any] = {
        spec.collection: [query.select_fields(item, spec.always) for item in resources]
    }
    if next_url:
        body["next"] = next_url
    return body


def openapi_parameters(spec: ListSpec, extra: Sequence[str] = ()) -> dict[str, Any]:
    """``openapi_extra`` for a list endpoint: its paging parameters and filters as strings."""
    names = [*PAGING_PARAMS, *extra, *spec.filters]
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return {
        "parameters": [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in seen
        ]
    }


def _parse_limit(raw: str | None, max_limit: int) -> int:
    if raw is None or raw == "":
        return max_limit
    try:
        limit = int(raw)
    except ValueError:
        raise BadRequest(f"Limit must be an integer, got {raw!r}") from None
    if limit <= 0:
        raise BadRequest("Limit must be positive.")
    return min(limit, max_limit)


def _sortable(spec: ListSpec) -> list[str]:
    columns = spec.model.__table__.c
    return [name for name in spec.fields if name in columns]


def _typed_filter(model: type[Any], item: Filter) -> Filter:
    """The filter with its value(s) converted to the column's type (a 400 when they do not fit)."""
    checked = store_query.checked_filter(model, item.field, store_query.Filter(item.op, item.value))
    return Filter(item.field, checked.op, checked.value, item.raw)
