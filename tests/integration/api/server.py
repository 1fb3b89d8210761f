"""A real ``levante server`` subprocess, and the real ``mistral`` CLI pointed at it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The ``mistral`` command of python-mistralclient installed next to this Python.
MISTRAL = str(Path(sys.executable).with_name("mistral"))
STARTUP_SECONDS = 30.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def client_env(url: str) -> dict[str, str]:
    """The environment for the ``mistral`` CLI: no OpenStack auth, our server's URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "MISTRAL"))}
    env["OS_MISTRAL_URL"] = f"{url}/v2"
    return env


@dataclass
class LevanteServer:
    """A running ``levante server`` on a free loopback port."""

    db_url: str
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    #: ``--role`` value; None runs every role (the default of ``levante server``).
    roles: str | None = None

    @property
    def url(self) -> str:
        """Base URL of the server (without ``/v2``)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LevanteServer:
        """Start the server and wait until ``/health`` answers."""
        command = [sys.executable, "-m", "levante", "server", "--port", str(self.port)]
        command += ["--db", self.db_url, "--log-level", "warning"]
        if self.roles:
            command += ["--role", self.roles]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"levante server exited at start:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"levante server did not answer /health in time:\n{self.log()}")

    def stop(self) -> int:
        """SIGTERM the server and wait for it; its exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def mistral(self, *args: str, ok: bool | None = True) -> subprocess.CompletedProcess[str]:
        """Run the real ``mistral`` CLI; ``ok``: must exit 0; False: must fail; None: either."""
        done = subprocess.run(
            [MISTRAL, *args],
            capture_output=True,
            text=True,
            env=client_env(self.url),
            timeout=60,
        )
        if ok and done.returncode != 0:
            raise AssertionError(
                f"mistral {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        if ok is False and done.returncode == 0:
            raise AssertionError(f"mistral {' '.join(args)} succeeded:\n{done.stdout}")
        return done

    def mistral_json(self, *args: str) -> Any:
        """Run a ``mistral`` show or list command with ``-f json`` and parse its output."""
        return json.loads(self.mistral(*args, "-f", "json").stdout)

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """A plain HTTP request to the server (JSON body); status and decoded answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None
