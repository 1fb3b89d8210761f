"""What every request handler works with: the database, actions, engine gateway, settings.

``create_app`` stores one :class:`ApiContext` on the application; handlers get
it with ``Depends(api_context)``. A request that changes anything does all of
it in one ``ctx.db.transaction()`` block, so a failure leaves nothing half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from levante.actions import ActionRegistry, default_registry
from levante.api.errors import EngineNotWired
from levante.api.gateway import EngineGateway
from levante.api.listing import MAX_LIMIT
from levante.store import Database


@dataclass
class ApiContext:
    """The server-wide objects the API handlers use.

    ``engine`` is ``None`` until the server wiring connects the engine; the
    endpoints that need it then answer 501 (:meth:`require_engine`).
    """

    db: Database
    actions: ActionRegistry = field(default_factory=lambda: default_registry(load_plugins=False))
    engine: EngineGateway | None = None
    max_limit: int = MAX_LIMIT

    def require_engine(self, operation: str) -> EngineGateway:
        """The engine gateway, or ``EngineNotWired`` (501) naming ``operation``."""
        if self.engine is None:
            raise EngineNotWired(operation)
        return self.engine


def api_context(request: Request) -> ApiContext:
    """FastAPI dependency: the application's :class:`ApiContext`."""
    ctx: ApiContext = request.app.state.levante
    return ctx


def base_url(request: Request) -> str:
    """The URL the client used to reach the server, without a trailing slash."""
    return str(request.base_url).rstrip("/")


#: Handler parameter type: the application's :class:`ApiContext`.
Ctx = Annotated[ApiContext, Depends(api_context)]
