"""Errors the REST API answers with, in Mistral's error shape.

Every error body is JSON. Most endpoints answer like Mistral's WSME-exposed
controllers: ``{"faultstring": ..., "faultcode": "Client"|"Server",
"debuginfo": null}``. The endpoints that take YAML or code as ``text/plain``
(and the few others Mistral wraps the same way) answer with only
``{"faultstring": ...}``; they mark the request with :func:`plain_faults`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from levante.store.errors import (
    ConflictError,
    DuplicateError,
    InvalidQueryError,
    NotFoundError,
    StoreError,
)

LOG = logging.getLogger(__name__)

#: Content type of every JSON answer, as Mistral sends it for its text endpoints.
JSON_UTF8 = "application/json;charset=utf-8"


class ApiError(Exception):
    """An error with the HTTP status it is answered with and a message for the user."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class BadRequest(ApiError):
    """The request is malformed or names something invalid (400)."""

    status_code = 400


class NotFound(ApiError):
    """The resource asked for does not exist (404)."""

    status_code = 404


class Conflict(ApiError):
    """The request clashes with an existing resource (409)."""

    status_code = 409


class NotAcceptable(ApiError):
    """The client asked for a representation the endpoint cannot give (406)."""

    status_code = 406


class EngineNotWired(ApiError):
    """The endpoint needs the engine, which this server was started without (501)."""

    status_code = 501

    def __init__(self, operation: str) -> None:
        super().__init__(
            f"{operation} needs the workflow engine, which is not connected to this "
            "API server yet; only definitions, triggers and read-only execution "
            "endpoints are available"
        )


def plain_faults(request: Request) -> None:
    """FastAPI dependency: answer errors of this request with ``{"faultstring"}`` only."""
    request.state.fault_style = "plain"


def fault_response(request: Request, status_code: int, message: str) -> JSONResponse:
    """The error body Mistral would send for ``request``."""
    # A message may quote the request; lone surrogates there cannot be sent as UTF-8.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    body: dict[str, Any] = {"faultstring": message}
    if getattr(request.state, "fault_style", "wsme") != "plain":
        body["faultcode"] = "Server" if status_code >= 500 else "Client"
        body["debuginfo"] = None
    return JSONResponse(body, status_code=status_code, media_type=JSON_UTF8)


def store_error_status(error: StoreError) -> int:
    """The HTTP status of an error raised by the store."""
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, DuplicateError | ConflictError):
        return 409
    if isinstance(error, InvalidQueryError):
        return 400
    return 500


def describe_validation_error(error: RequestValidationError) -> str:
    """One readable line per problem FastAPI found in the request."""
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
        message = problem.get("msg", "invalid value")
        lines.append(f"{where}: {message}" if where else message)
    return "Invalid input: " + "; ".join(lines)


async def _api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return fault_response(request, error.status_code, error.message)


async def _store_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StoreError)
    status = store_error_status(error)
    if status >= 500:
        LOG.exception("store error", exc_info=error)
    return fault_response(request, status, str(error))


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return fault_response(request, 400, describe_validation_error(error))


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    status = error.status_code
    message = str(error.detail)
    if status == 404 and message == "Not Found":
        message = f"The resource could not be found: {request.method} {request.url.path}"
    elif status == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}"
    response = fault_response(request, status, message)
    for key, value in (error.headers or {}).items():
        response.headers[key] = value
    return response


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    LOG.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return fault_response(
        request, 500, f"Internal server error ({type(error).__name__}); see the server log"
    )


#: Exception class -> handler, installed by ``levante.api.app.create_app``.
EXCEPTION_HANDLERS = {
    ApiError: _api_error,
    StoreError: _store_error,
    RequestValidationError: _validation_error,
    StarletteHTTPException: _http_error,
    Exception: _unexpected_error,
}
