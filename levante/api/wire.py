"""How values travel on Mistral's wire: JSON-encoded strings, timestamps, text bodies.

Mistral sends some fields (``input``, ``output``, ``params``, ``variables``,
``workflow_input`` ...) as JSON *strings* inside the JSON body, and accepts
them either as such strings or as objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response

from levante.api.errors import JSON_UTF8, BadRequest, NotAcceptable
from levante.store.types import format_timestamp


def json_text(value: Any) -> str | None:
    """A value as Mistral's JSON-string field (``None`` stays ``None``)."""
    if value is None:
        return None
    return json.dumps(value)


def json_object(value: Any, field: str, *, allow_none: bool = True) -> dict[str, Any] | None:
    """A JSON-typed field from a request: an object, a JSON string of one, or empty.

    As in Mistral, an empty value means ``{}``; anything but an object is a 400
    naming ``field``.
    """
    if value is None:
        return None if allow_none else {}
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            value = json.loads(value)
        except ValueError as error:
            raise BadRequest(f"{field} is not valid JSON: {error}") from None
    if not value:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(
            f"{field} must be a JSON object (a dictionary), got {type(value).__name__}"
        )
    return value


def timestamps(row: Any, names: Iterable[str] = ("created_at", "updated_at")) -> dict[str, Any]:
    """The row's timestamps formatted as Mistral does (``"2026-11-28 17:11:17"``)."""
    return {name: format_timestamp(getattr(row, name, None)) for name in names}


class SafeJSONResponse(JSONResponse):
    """JSON that can always be sent: strings with lone surrogates (possible in
    anything a client sent, echoed back) are written as ``\\uXXXX`` escapes."""

    def render(self, content: Any) -> bytes:
        """UTF-8 JSON, or ASCII-escaped JSON when the text cannot be encoded."""
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


def json_response(body: Any, status_code: int = 200) -> JSONResponse:
    """A JSON answer with the content type Mistral sends."""
    return SafeJSONResponse(body, status_code=status_code, media_type=JSON_UTF8)


def no_content() -> Response:
    """A 204 answer (deletes)."""
    return Response(status_code=204)


def without_null_updated_at(resource: Mapping[str, Any]) -> dict[str, Any]:
    """Mistral leaves ``updated_at`` out of the answer to a create while it is unset."""
    out = dict(resource)
    if out.get("updated_at") is None:
        out.pop("updated_at", None)
    return out


def accepts_text(request: Request) -> None:
    """FastAPI dependency of endpoints that take and give text: 406 if JSON only is accepted.

    Mistral's YAML endpoints are exposed as ``text/plain`` and refuse clients
    that insist on ``application/json``; ``python-mistralclient`` sends ``*/*``.
    """
    accept = request.headers.get("accept", "")
    if not accept:
        return
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if any(kind in ("*/*", "text/*", "text/plain", "") for kind in kinds):
        return
    raise NotAcceptable(
        f"Not Acceptable: this endpoint takes the definition as text/plain and cannot answer "
        f"with only {accept!r}; send 'Accept: */*' (as python-mistralclient does)"
    )


async def text_body(request: Request) -> str:
    """FastAPI dependency: the request body as UTF-8 text (400 when it is not)."""
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The request body is not UTF-8 text: {error}") from None


#: Handler parameter type: the request body as text.
TextBody = Annotated[str, Depends(text_body)]

#: OpenAPI description of a text/plain request body (YAML definitions, code).
TEXT_BODY_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}
