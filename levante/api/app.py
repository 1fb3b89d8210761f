"""The ASGI application: Mistral's REST API v2 on FastAPI.

``create_app(ApiContext(db=Database(url)))`` gives an app that serves every
resource module in ``RESOURCE_MODULES``, answers errors in Mistral's shape
(see ``levante.api.errors``), and serves its OpenAPI description at
``/openapi.json``.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from levante import __version__
from levante.api.context import ApiContext
from levante.api.errors import EXCEPTION_HANDLERS

#: Modules with a ``router`` each, in the order their routes are matched.
RESOURCE_MODULES: tuple[str, ...] = (
    "levante.api.root",
    "levante.api.metrics",
    "levante.api.cluster",
    "levante.api.workbooks",
    "levante.api.workflows",
    "levante.api.members",
    "levante.api.actions",
    "levante.api.environments",
    "levante.api.cron_triggers",
    "levante.api.event_triggers",
    "levante.api.code_sources",
    "levante.api.dynamic_actions",
    "levante.api.executions",
    "levante.api.reports",
    "levante.api.items",
    "levante.api.tasks",
    "levante.api.action_executions",
)


def create_app(ctx: ApiContext) -> FastAPI:
    """The REST API application for the objects in ``ctx``."""
    app = FastAPI(
        title="Levante",
        version=__version__,
        description=(
            "Mistral-compatible REST API v2: workflows, executions, tasks, actions, "
            "triggers and environments. python-mistralclient works against it unchanged."
        ),
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.levante = ctx
    for exception_class, handler in EXCEPTION_HANDLERS.items():
        app.add_exception_handler(exception_class, handler)
    for name in RESOURCE_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app
