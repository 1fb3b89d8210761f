"""A real HTTP server on a free loopback port, for ``std.http`` tests.

Endpoints (any method):

* ``/echo`` — answers 200 with JSON describing the request: method, path,
  query pairs, headers (as sent), body text, cookies;
* ``/status/<code>`` — answers ``<code>`` with a JSON body ``{"code": <code>}``;
* ``/redirect/<code>?to=<path>`` — answers ``<code>`` with ``Location: <path>``
  and sets cookie ``hop=1``;
* ``/text`` — a non-JSON ``text/plain; charset=utf-8`` body;
* ``/latin`` — ``café`` in Latin-1, ``text/plain`` without a charset;
* ``/json-as-text`` — a JSON document served as ``text/plain``;
* ``/auth`` — 200 only with Basic ``admin:pa:ss``, else 401;
* ``/cookie`` — sets two cookies;
* ``/slow?seconds=<s>`` — answers after sleeping;
* ``/big?bytes=<n>`` — ``n`` bytes, streamed without a Content-Length;
* ``/callback-headers`` — echoes only the ``Mistral-*`` headers.

Standard library only; the server runs on daemon threads and is closed when
the ``with`` block of :func:`running_http_peer` ends.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

BASIC_USER = "admin"
BASIC_PASSWORD = "pa:ss"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._route()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _route(self) -> None:
        url = urlsplit(self.path)
        query = parse_qsl(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = url.path.strip("/").split("/")
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.records.append((self.command, self.path, dict(self.headers.items())))  # type: ignore[attr-defined]
        if parts[0] == "echo":
            cookies = SimpleCookie(self.headers.get("Cookie") or "")
            self._json(
                200,
                {
                    "method": self.command,
                    "path": url.path,
                    "query": query,
                    "headers": dict(self.headers.items()),
                    "body": body.decode("utf-8", errors="replace"),
                    "cookies": {k: v.value for k, v in cookies.items()},
                },
            )
        elif parts[0] == "status":
            self._json(int(parts[1]), {"code": int(parts[1])})
        elif parts[0] == "redirect":
            self._send(int(parts[1]), b"", "text/plain",
                       [("Location", dict(query)["to"]), ("Set-Cookie", "hop=1; Path=/")])
        elif parts[0] == "latin":
            self._send(200, "caf\u00e9".encode("latin-1"), "text/plain")
        elif parts[0] == "json-as-text":
            self._send(200, b'{"vms": 20}', "text/plain")
        elif parts[0] == "text":
            self._send(200, "Number of updated VMs: 20 ✓".encode(), "text/plain; charset=utf-8")
        elif parts[0] == "auth":
            expected = base64.b64encode(f"{BASIC_USER}:{BASIC_PASSWORD}".encode()).decode()
            if self.headers.get("Authorization") == f"Basic {expected}":
                self._json(200, {"user": BASIC_USER})
            else:
                self._send(401, b"who are you?", "text/plain",
                           [("WWW-Authenticate", 'Basic realm="test"')])
        elif parts[0] == "cookie":
            self._send(200, b"{}", "application/json",
                       [("Set-Cookie", "session=abc; Path=/"), ("Set-Cookie", "theme=dark")])
        elif parts[0] == "slow":
            time.sleep(float(dict(query).get("seconds", "1")))
            self._json(200, {"slept": True})
        elif parts[0] == "big":
            self._stream(int(dict(query)["bytes"]))
        elif parts[0] == "callback-headers":
            mistral = {k: v for k, v in self.headers.items() if k.lower().startswith("mistral-")}
            self._json(200, mistral)
        else:
            self._json(404, {"error": f"no route {url.path}"})

    def _json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _send(
        self, status: int, body: bytes, content_type: str,
        extra: list[tuple[str, str]] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra or []:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _stream(self, size: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"x" * 65536
        left = size
        try:
            while left > 0:
                piece = chunk[: min(left, len(chunk))]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                left -= len(piece)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what the size-limit test wants


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    records: list[tuple[str, str, dict[str, str]]]
    lock: threading.Lock

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (timeout tests) is expected; anything else is printed."""
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class HttpPeer:
    """A running server, its base URL (``http://127.0.0.1:<port>``) and what it received."""

    base_url: str
    _server: _Server

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        """``(method, path, headers)`` of every request received so far."""
        with self._server.lock:
            return list(self._server.records)

    def url(self, path: str) -> str:
        """The absolute URL of ``path``."""
        return f"{self.base_url}{path}"


@contextmanager
def running_http_peer(tls: ssl.SSLContext | None = None) -> Iterator[HttpPeer]:
    """Serve the endpoints above on a free loopback port for the ``with`` block.

    With ``tls`` (a server context), the server speaks https.
    """
    server = _Server(("127.0.0.1", 0), _Handler)
    server.records = []
    server.lock = threading.Lock()
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, name="http-peer", daemon=True)
    thread.start()
    try:
        yield HttpPeer(f"{scheme}://127.0.0.1:{server.server_address[1]}", server)
    finally:
        server.shutdown()
        server.server_close()
