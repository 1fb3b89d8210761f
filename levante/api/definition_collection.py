"""What the collections of named definitions share: workbooks, workflows, actions, code.

A definition is something a user registers under a name, in a namespace
(environments have none): YAML or Python text, or a JSON object (a dynamic
action, an environment). Its collection creates rows all or none, updates
and deletes only in exactly the namespace asked for (a 404 otherwise), and
gets by name in that namespace, then the default one, or by id.
:class:`DefinitionCollection` does those steps the same way for every kind;
a resource module keeps only what is its own (parsing its document, which
values a row takes, extra checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from levante.api.context import ApiContext
from levante.api.crud import Render, list_page, one_resource
from levante.api.errors import Conflict, plain_faults
from levante.api.listing import ListSpec
from levante.api.wire import (
    TEXT_BODY_OPENAPI,
    accepts_text,
    no_content,
    without_null_updated_at,
)
from levante.store.definitions import create_definition, get_definition
from levante.store.sql import is_unique_violation

#: Route options of an endpoint whose request body is the definition's text
#: (YAML or Python): Mistral answers its errors with a plain ``faultstring``
#: and refuses clients that accept JSON only.
TEXT_BODY: dict[str, Any] = {
    "dependencies": [Depends(plain_faults), Depends(accepts_text)],
    "openapi_extra": TEXT_BODY_OPENAPI,
}

#: Changes one stored definition in place (inside the update's transaction).
Change = Callable[[Session, Any], None]
#: New rows, or what builds them inside the create's transaction (when they
#: take values from other rows, read in the same transaction).
NewRows = Sequence[Any] | Callable[[Session], Sequence[Any]]


@dataclass(frozen=True)
class DefinitionCollection:
    """The endpoints' common steps for the definitions ``listing`` lists.

    ``render`` shows a row as a GET shows it; ``render_written`` as the answer
    to a create or update shows it, when that differs (a workflow's
    ``interface`` is an object there, JSON text elsewhere).
    """

    listing: ListSpec
    render: Render
    render_written: Render | None = None

    def page(self, request: Request, ctx: ApiContext) -> JSONResponse:
        """``GET /v2/<collection>``: one page of definitions."""
        return list_page(request, ctx, self.listing, self.render)

    def get(self, ctx: ApiContext, identifier: str, namespace: str, fields: str) -> JSONResponse:
        """``GET /v2/<collection>/{identifier}``: by name (``namespace``, then default) or id."""
        return one_resource(
            ctx,
            fields,
            self.listing.fields,
            lambda session: get_definition(session, self.listing.model, identifier, namespace),
            self.render,
        )

    def create(
        self,
        ctx: ApiContext,
        rows: NewRows,
        *,
        then: Callable[[Session], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Insert ``rows`` (or those ``rows(session)`` builds), then run ``then``: all or none.

        A name already taken is a 409. Answers the rows' resources as a create
        shows them: without ``updated_at`` while it is unset.
        """
        with ctx.db.transaction() as session:
            if callable(rows):
                rows = rows(session)
            for row in rows:
                create_definition(session, row)
            if then is not None:
                then(session)
            session.flush()
            return [without_null_updated_at(self._written(row)) for row in rows]

    def update(
        self, ctx: ApiContext, namespace: str, changes: Iterable[tuple[str, Change]]
    ) -> list[dict[str, Any]]:
        """Apply each ``(identifier, change)`` to its definition in one transaction.

        Each definition must be in exactly ``namespace`` (no fallback to the
        default one; a 404 otherwise). Answers their resources, in order.
        """
        with ctx.db.transaction() as session:
            resources = []
            for identifier, change in changes:
                row = get_definition(
                    session, self.listing.model, identifier, namespace, fallback=False
                )
                change(session, row)
                name = getattr(row, "name", identifier)  # read before a failed flush expires it
                try:
                    session.flush()
                except IntegrityError as error:
                    # A rename (by id) onto a name another definition holds.
                    if not is_unique_violation(error):
                        raise
                    raise Conflict(f"Duplicate entry for {self.listing.model.__tablename__}: "
                                   f"{name!r} already exists in namespace {namespace!r}") from None
                resources.append(self._written(row))
            return resources

    def delete(
        self, ctx: ApiContext, identifier: str, namespace: str, *, first: Change | None = None
    ) -> Response:
        """``DELETE /v2/<collection>/{identifier}``: in exactly ``namespace``; 204 or 404.

        ``first`` runs before the row goes, in the same transaction: it may
        refuse (raise) or remove what depends on the definition.
        """
        with ctx.db.transaction() as session:
            row = get_definition(session, self.listing.model, identifier, namespace, fallback=False)
            if first is not None:
                first(session, row)
            session.delete(row)
            session.flush()
        return no_content()

    def _written(self, row: Any) -> dict[str, Any]:
        return (self.render_written or self.render)(row)
