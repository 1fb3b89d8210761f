"""``std.http`` and ``std.mistral_http``: HTTP requests with Mistral's input and result.

Mistral's behaviour kept (its ``requests``-based action as reference):

* result ``{content, status, headers, url, history, encoding, reason,
  cookies, elapsed}``; ``content`` is the parsed JSON when the body is JSON
  (whatever its content type), else the text;
* a status outside 200..306 fails the action with that whole result as the
  error data (so a 302 not followed succeeds, a 307 or 404 fails);
* redirects are not followed unless ``allow_redirects`` is true (Mistral's
  default ``None`` means "do not follow");
* ``auth`` as ``"user:password"`` (or a two-item list) is HTTP Basic auth;
  ``body`` given as a mapping is sent as JSON text; numeric header values are
  sent as text; headers and query parameters whose value is null are left
  out; ``verify`` applies to https only; the server's egress policy and
  default timeout (see :mod:`levante.actions.std.http_transport`) apply.

Differences: the requests run on the executor's event loop (httpx) with
pooled connections instead of a thread each; ``history`` lists each redirect
as ``{status, url}`` (Mistral serialised its response objects as empty
lists); a body without a declared charset is read as UTF-8 when it is valid
UTF-8 (Mistral read ``text/*`` as Latin-1); the egress policy is checked on
every redirect too; the response size limit also applies to bodies without a
Content-Length.
"""

from __future__ import annotations

import json as jsonlib
import logging
import time
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from levante.actions.base import AsyncAction
from levante.actions.errors import ActionError
from levante.actions.result import Result
from levante.actions.std.http_transport import (
    HttpSettings,
    VerifyKey,
    check_egress,
    connection_pools,
    verify_key,
)

if TYPE_CHECKING:
    from levante.actions.context import ActionContext

LOG = logging.getLogger(__name__)

#: Statuses that count as success, as in Mistral (``range(200, 307)``).
SUCCESS_STATUSES = range(200, 307)


class HttpAction(AsyncAction):
    """Sends one HTTP request and returns the response (std.http).

    ``url`` is required; ``method`` defaults to GET. ``params`` go in the query
    string, ``body`` (text, or a mapping sent as JSON text) or ``json`` (sent
    as JSON with its content type) in the body. ``headers`` and ``cookies``
    are mappings; ``auth`` is "user:password"; ``timeout`` in seconds;
    ``allow_redirects`` follows redirects; ``proxies`` maps a scheme to a
    proxy URL; ``verify`` checks https certificates (true by default, or a CA
    bundle path). Fails when the status is outside 200..306.
    """

    def __init__(
        self,
        url: str,
        method: str = "GET",
        params: Any = None,
        body: Any = None,
        json: Any = None,
        headers: Any = None,
        cookies: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: Any = None,
        proxies: Any = None,
        verify: Any = None,
    ) -> None:
        """Check and keep the request's parts (fails as Mistral does on body + json)."""
        if body and json:
            raise ActionError("Only one of the parameters 'json' and 'body' can be passed")
        self.url = url
        self.method = str(method or "GET").upper()
        self.params = params
        self.body = body
        self.json = json
        self.headers = dict(headers) if isinstance(headers, Mapping) else headers
        self.cookies = cookies
        self.auth = auth
        self.timeout = timeout
        self.allow_redirects = allow_redirects
        self.proxies = proxies
        self.verify = verify

    async def run(self, context: ActionContext) -> Any:
        """Send the request; the response dict, or ``Result(error=...)`` when it failed."""
        settings = HttpSettings.from_environment()
        await check_egress(self.url, settings)
        try:
            response, content, elapsed = await self._send(settings)
        except ActionError:
            raise
        except (httpx.HTTPError, httpx.InvalidURL, OSError, TypeError, ValueError) as exc:
            LOG.info("std.http %s %s failed: %s", self.method, self.url, exc)
            raise ActionError(f"Failed to send HTTP request: {_describe(exc)}") from exc
        result = response_result(response, content, elapsed)
        if response.status_code not in SUCCESS_STATUSES:
            return Result(error=result)
        return result

    def test(self, context: ActionContext) -> None:
        """Dry run: nothing is sent."""
        return None

    async def _send(self, settings: HttpSettings) -> tuple[httpx.Response, bytes, float]:
        verify: VerifyKey = verify_key(self.verify)
        pools = connection_pools()
        client = httpx.AsyncClient(
            transport=pools.transport(verify, None, settings),
            mounts={
                pattern: pools.transport(verify, proxy, settings)
                for pattern, proxy in _proxy_mounts(self.url, self.proxies).items()
            },
            cookies=_cookies(self.cookies),
            auth=_basic_auth(self.auth),
            timeout=_timeout(self.timeout, settings),
            follow_redirects=bool(self.allow_redirects),
            trust_env=False,
            event_hooks={"request": [lambda request: _check_redirect(request, settings)]},
        )
        # The client is not closed: closing it would close the shared pool.
        use_json = self.json is not None and not self.body
        request = client.build_request(
            self.method,
            _with_query(self.url, self.params),
            content=None if use_json else _content(self.body),
            json=self.json if use_json else None,
            headers=_headers(self.headers),
        )
        started = time.monotonic()
        response = await client.send(request, stream=True)
        try:
            content = await _read_limited(response, settings.max_response_bytes)
        finally:
            await response.aclose()
        return response, content, time.monotonic() - started


class MistralHttpAction(HttpAction):
    """std.http that adds Mistral's execution headers and completes later (std.mistral_http).

    The called service reads ``Mistral-Callback-URL`` (and the execution ids)
    and sets the action's result through the API
    (``PUT /v2/action_executions/<id>``). A status outside 200..306 fails the
    action at once.
    """

    async def run(self, context: ActionContext) -> Any:
        """Send the request with the execution headers added."""
        execution = context.execution
        headers = dict(self.headers) if isinstance(self.headers, Mapping) else {}
        headers.update(
            {
                "Mistral-Workflow-Name": execution.workflow_name,
                "Mistral-Workflow-Execution-Id": execution.workflow_execution_id,
                "Mistral-Task-Id": execution.task_execution_id,
                "Mistral-Action-Execution-Id": execution.action_execution_id,
                "Mistral-Callback-URL": execution.callback_url,
            }
        )
        self.headers = headers
        return await super().run(context)

    def is_sync(self) -> bool:
        """Always asynchronous: the result comes through the API."""
        return False


async def _check_redirect(request: httpx.Request, settings: HttpSettings) -> None:
    await check_egress(request.url, settings)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _with_query(url: str, params: Any) -> httpx.URL:
    """``url`` with ``params`` added to its query, as requests adds them."""
    base = httpx.URL(url)
    if params is None or params == "":
        return base
    if isinstance(params, (str, bytes)):
        extra = _text(params).lstrip("?&")
        query = base.query.decode("ascii")
        return base.copy_with(query=(f"{query}&{extra}" if query else extra).encode())
    return base.copy_merge_params(_query(params))


def _query(params: Any) -> list[tuple[str, str]]:
    """Query parameters encoded as requests encodes them (None left out, str() values)."""
    if not isinstance(params, (Mapping, list, tuple)):
        raise ActionError(f"'params' must be a mapping or a query string, not {params!r}")
    pairs = params.items() if isinstance(params, Mapping) else params
    encoded: list[tuple[str, str]] = []
    for key, values in pairs:
        if values is None:
            continue
        items = values if isinstance(values, (list, tuple)) else [values]
        for value in items:
            if value is not None:
                encoded.append((str(key), _text(value)))
    return encoded


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _content(body: Any) -> str | bytes | None:
    if body is None or isinstance(body, (str, bytes)):
        return body
    # Mistral turns a mapping into JSON text (without a content type); other
    # values that are not text are sent the same way instead of failing.
    return jsonlib.dumps(body)


def _headers(headers: Any) -> dict[str, str] | None:
    if headers is None:
        return None
    if not isinstance(headers, Mapping):
        raise ActionError(f"'headers' must be a mapping of names to values, not {headers!r}")
    return {
        str(name): str(value) if isinstance(value, (int, float)) else value
        for name, value in headers.items()
        if value is not None
    }


def _cookies(cookies: Any) -> dict[str, str] | None:
    if cookies is None:
        return None
    if not isinstance(cookies, Mapping):
        raise ActionError(f"'cookies' must be a mapping of names to values, not {cookies!r}")
    return {str(k): str(v) for k, v in cookies.items() if v is not None}


def _basic_auth(auth: Any) -> httpx.BasicAuth | None:
    if not auth:
        return None
    if isinstance(auth, str):
        user, colon, password = auth.partition(":")
        if not colon:
            raise ActionError("'auth' must be 'user:password' (HTTP Basic authentication)")
        return httpx.BasicAuth(user, password)
    if isinstance(auth, (list, tuple)) and len(auth) == 2:
        return httpx.BasicAuth(str(auth[0]), str(auth[1]))
    raise ActionError("'auth' must be 'user:password' or a [user, password] pair")


def _timeout(timeout: Any, settings: HttpSettings) -> httpx.Timeout:
    if timeout is None:
        return httpx.Timeout(settings.default_timeout or None)
    if isinstance(timeout, (list, tuple)) and len(timeout) == 2:
        connect, read = (None if t is None else float(t) for t in timeout)
        return httpx.Timeout(read, connect=connect)
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        raise ActionError(f"'timeout' must be a number of seconds, not {timeout!r}") from None
    return httpx.Timeout(seconds)


def _proxy_mounts(url: str, proxies: Any) -> dict[str, str]:
    """httpx mount patterns for requests-style proxies (or the environment's)."""
    if proxies is None:
        host = httpx.URL(url).host
        found = urllib.request.getproxies_environment()
        if not found or (host and urllib.request.proxy_bypass_environment(host, found)):
            return {}
        proxies = {k: v for k, v in found.items() if k in ("http", "https", "all")}
    if not isinstance(proxies, Mapping):
        raise ActionError(f"'proxies' must map schemes to proxy URLs, not {proxies!r}")
    return {
        (key if "://" in key else f"{key}://"): str(proxy)
        for key, proxy in proxies.items()
        if proxy
    }


async def _read_limited(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if limit and declared and declared.isdigit() and int(declared) > limit:
        raise ActionError(
            f"HTTP response is too large (Content-Length={declared}, limit={limit} bytes)."
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if limit and size > limit:
            raise ActionError(f"HTTP response is too large (more than {limit} bytes).")
        chunks.append(chunk)
    return b"".join(chunks)


def response_result(response: httpx.Response, content: bytes, elapsed: float) -> dict[str, Any]:
    """The action's result for a response whose body is ``content``."""
    encoding = _declared_encoding(response.headers.get("content-type"))
    return {
        "content": _content_value(content, encoding),
        "status": response.status_code,
        "headers": _raw_headers(response),
        "url": str(response.url),
        "history": [{"status": r.status_code, "url": str(r.url)} for r in response.history],
        "encoding": encoding,
        "reason": response.reason_phrase,
        "cookies": {cookie.name: cookie.value for cookie in response.cookies.jar},
        "elapsed": round(elapsed, 6),
    }


def _raw_headers(response: httpx.Response) -> dict[str, str]:
    # Keep the server's spelling of names (workflows read result.headers['Content-Type'])
    # and join repeated headers with ", " as requests does.
    merged: dict[str, str] = {}
    spelling: dict[str, str] = {}
    for raw_name, raw_value in response.headers.raw:
        name = raw_name.decode("latin-1")
        value = raw_value.decode("latin-1")
        key = spelling.setdefault(name.lower(), name)
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def _declared_encoding(content_type: str | None) -> str | None:
    """The encoding as requests reports it: the charset, else Latin-1 for text/*."""
    if not content_type:
        return None
    kind, *params = (part.strip() for part in content_type.split(";"))
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("'\"")
    if "text" in kind.lower():
        return "ISO-8859-1"
    if "application/json" in kind.lower():
        return "utf-8"
    return None


def _content_value(content: bytes, encoding: str | None) -> Any:
    text = _decode(content, encoding)
    try:
        return jsonlib.loads(text)
    except ValueError:
        return text


def _decode(content: bytes, encoding: str | None) -> str:
    if encoding and encoding.upper() not in ("ISO-8859-1", "LATIN-1"):
        try:
            return content.decode(encoding, errors="replace")
        except LookupError:
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")
