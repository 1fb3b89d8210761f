"""The version documents (``/`` and ``/v2``) and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from levante.api.context import Ctx, base_url
from levante.api.wire import json_response

router = APIRouter(tags=["root"])


@router.get("/")
def versions(request: Request) -> JSONResponse:
    """The API versions this server offers (Mistral's answer: v2.0, CURRENT)."""
    href = f"{base_url(request)}/v2"
    return json_response(
        {
            "versions": [
                {
                    "id": "v2.0",
                    "status": "CURRENT",
                    "links": [{"href": href, "target": "v2", "rel": "self"}],
                }
            ]
        }
    )


@router.get("/v2")
@router.get("/v2/", include_in_schema=False)
def v2_root(request: Request) -> JSONResponse:
    """The root of API v2: its URI."""
    return json_response({"uri": f"{base_url(request)}/v2"})


@router.get("/health")
def health(ctx: Ctx) -> JSONResponse:
    """``{"status": "ok"}`` when the database answers; 503 with the reason when it does not."""
    try:
        with ctx.db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database means "unhealthy"
        return json_response(
            {"status": "error", "database": f"{type(error).__name__}: {error}"}, status_code=503
        )
    return json_response(
        {"status": "ok", "database": "ok", "engine": "connected" if ctx.engine else "not wired"}
    )
