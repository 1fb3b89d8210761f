"""What every resource collection's endpoints share: a listed page, one resource, a unique insert.

A resource module states only what is its own (its :class:`ListSpec`, how a
row is shown, how one is found); these helpers do the rest the same way for
all of them, so a list, a get or a duplicate answers alike everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from levante.api.context import ApiContext, base_url
from levante.api.errors import Conflict
from levante.api.listing import (
    ListSpec,
    next_link,
    page_body,
    parse_fields,
    parse_list_query,
    pick_fields,
    run_list,
)
from levante.api.wire import json_response
from levante.store.sql import is_unique_violation

#: Shows one row as its REST resource.
Render = Callable[[Any], dict[str, Any]]


def list_page(
    request: Request,
    ctx: ApiContext,
    spec: ListSpec,
    render: Render,
    *,
    where: Sequence[ColumnElement[bool]] = (),
) -> JSONResponse:
    """``GET /v2/<collection>``: one page of rows as resources, with Mistral's ``next`` link."""
    query = parse_list_query(dict(request.query_params), spec, max_limit=ctx.max_limit)
    with ctx.db.read() as session:
        rows = run_list(session, spec, query, where=where)
        resources = [render(row) for row in rows]
    return json_response(
        page_body(spec, query, resources, next_link(base_url(request), spec, query, rows))
    )


def one_resource(
    ctx: ApiContext,
    fields: str,
    known: Sequence[str],
    load: Callable[[Session], Any],
    render: Render,
) -> JSONResponse:
    """``GET /v2/<collection>/{id}``: the row ``load`` finds, cut to ``fields`` (of ``known``)."""
    wanted = parse_fields(fields, known)
    with ctx.db.read() as session:
        return json_response(pick_fields(render(load(session)), wanted))


def add_unique(session: Session, row: Any, duplicate: str) -> None:
    """Insert ``row``; a unique-key clash is a 409 saying ``duplicate``, the session intact."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise Conflict(duplicate) from None
