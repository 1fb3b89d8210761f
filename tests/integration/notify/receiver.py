"""A webhook receiver on loopback that records what it is sent (and can refuse it)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One POST the receiver got."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    #: What the receiver answered.
    status: int = 200


@dataclass
class Receiver:
    """A threaded HTTP server on 127.0.0.1; ``status`` is what it answers.

    ``answer``, when set, chooses the status for each body instead (and may
    act on it, e.g. advance a test's clock).
    """

    port: int = 0
    status: int = 200
    answer: Callable[[dict[str, Any]], int] | None = None
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The hook's URL."""
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        """Listen (on ``port``, or a free one the first time)."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(size) or b"null")
                status = owner.status if owner.answer is None else owner.answer(body)
                owner.received.append(
                    Received(self.path, dict(self.headers.items()), body, status))
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"not now")

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening (the port is then refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def events(self) -> list[str]:
        """The ``event`` of every payload received, in order."""
        return [r.body["event"] for r in self.received]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Block until ``count`` POSTs arrived (AssertionError after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} webhooks, got {self.events()}")
            time.sleep(0.05)
        return list(self.received)
