"""The one HTTP client of the ``levante`` CLI: Levante's (Mistral's) REST API v2 over httpx.

Every request goes through :class:`ApiClient`; an error answer becomes
:class:`ServerError` carrying the server's ``faultstring``, and a server that
cannot be reached becomes :class:`NoServer`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx

#: Where ``levante server`` listens by default (Mistral's port).
DEFAULT_URL = "http://127.0.0.1:8989"
#: Environment variable naming the server when ``--url`` is not given.
URL_VARIABLE = "LEVANTE_URL"
#: Seconds to wait for one answer (running an action synchronously may take a while).
TIMEOUT_SECONDS = 120.0

Query = Mapping[str, str | int | None]


class ClientError(Exception):
    """Anything that stops a CLI command from talking to the server, with a message."""


class NoServer(ClientError):
    """Nothing answers at the server URL."""

    def __init__(self, url: str, reason: str) -> None:
        """Say where no server was found and how to start one."""
        super().__init__(
            f"no Levante server at {url} (start one with `levante server`, or point at "
            f"another with --url or {URL_VARIABLE}; {reason})"
        )
        self.url = url


class ServerError(ClientError):
    """The server refused the request; ``message`` is its ``faultstring``."""

    def __init__(self, status: int, message: str) -> None:
        """Keep the HTTP status and the server's own explanation."""
        super().__init__(message)
        self.status = status
        self.message = message


def server_url(explicit: str | None = None) -> str:
    """The API base URL (ending in ``/v2``) from ``--url``, ``LEVANTE_URL`` or the default.

    The URL may be given with or without its ``/v2`` suffix.
    """
    url = (explicit or os.environ.get(URL_VARIABLE) or DEFAULT_URL).strip().rstrip("/")
    if "://" not in url:
        url = f"http://{url}"
    if not url.endswith("/v2"):
        url += "/v2"
    return url


def _fault(response: httpx.Response) -> str:
    """The server's explanation of an error answer."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("faultstring", "detail", "message"):
            if body.get(key):
                return str(body[key])
    text = response.text.strip()
    return text or f"HTTP {response.status_code} {response.reason_phrase}"


class ApiClient:
    """A synchronous client of one Levante server's REST API v2."""

    def __init__(self, url: str | None = None, *, timeout: float = TIMEOUT_SECONDS) -> None:
        """Talk to ``url`` (see :func:`server_url`)."""
        self.url = server_url(url)
        self._http = httpx.Client(base_url=self.url, timeout=timeout)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> ApiClient:
        """Use as a context manager."""
        return self

    def __exit__(self, *_: object) -> None:
        """Close on leaving."""
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Query | None = None,
        json: Any = None,
        text: str | None = None,
    ) -> Any:
        """Send one request; the decoded JSON answer (``None`` for an empty one)."""
        params = {k: v for k, v in (query or {}).items() if v is not None and v != ""}
        headers = {"Accept": "application/json, */*"}
        content: bytes | None = None
        if text is not None:
            headers["Content-Type"] = "text/plain"
            content = text.encode("utf-8")
        try:
            response = self._http.request(
                method, path.lstrip("/"), params=params, json=json, content=content,
                headers=headers,
            )
        except httpx.ConnectError as error:
            raise NoServer(self.url.removesuffix("/v2"), _reason(error)) from None
        except httpx.TimeoutException:
            raise ClientError(
                f"the server at {self.url} did not answer {method} {path} within "
                f"{self._http.timeout.read:.0f} seconds"
            ) from None
        except httpx.HTTPError as error:
            raise ClientError(f"{method} {self.url}/{path.lstrip('/')} failed: {error}") from None
        if response.status_code >= 400:
            raise ServerError(response.status_code, _fault(response))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    def get(self, path: str, query: Query | None = None) -> Any:
        """``GET path``."""
        return self.request("GET", path, query=query)

    def post(self, path: str, *, json: Any = None, text: str | None = None,
             query: Query | None = None) -> Any:
        """``POST path`` with a JSON or a text body."""
        return self.request("POST", path, query=query, json=json, text=text)

    def put(self, path: str, *, json: Any = None, text: str | None = None,
            query: Query | None = None) -> Any:
        """``PUT path`` with a JSON or a text body."""
        return self.request("PUT", path, query=query, json=json, text=text)

    def delete(self, path: str, query: Query | None = None) -> None:
        """``DELETE path``."""
        self.request("DELETE", path, query=query)

    def list(self, path: str, collection: str, query: Query | None = None) -> list[dict[str, Any]]:
        """One page of a collection (``limit`` in ``query`` sets its size)."""
        body = self.get(path, query)
        if not isinstance(body, dict):
            raise ClientError(f"unexpected answer to GET {path}: {body!r}")
        return list(body.get(collection) or [])

    def list_all(
        self, path: str, collection: str, query: Query | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a collection, following the ``marker`` of each full page."""
        params = dict(query or {})
        params.setdefault("limit", 1000)
        items: list[dict[str, Any]] = []
        while True:
            page = self.list(path, collection, params)
            items.extend(page)
            if len(page) < int(params["limit"] or 0) or not page or not page[-1].get("id"):
                return items
            params["marker"] = page[-1]["id"]


def _reason(error: httpx.ConnectError) -> str:
    text = str(error).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service" in text or "nodename" in text:
        return "unknown host"
    return str(error) or "cannot connect"
