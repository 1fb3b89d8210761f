"""``levante server`` processes of one cluster on the test PostgreSQL, and reading its database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tests.integration.api.server import free_port

STARTUP_SECONDS = 40.0


@dataclass
class ClusterNode:
    """One ``levante server`` process; ``roles`` without ``api`` opens no port."""

    db_url: str
    log_path: Path
    roles: str = "all"
    extra: Sequence[str] = ()
    plugin: Path | None = None
    record: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the REST API (only with the api role)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def serves_api(self) -> bool:
        """Whether this node answers HTTP."""
        return self.roles == "all" or "api" in self.roles.split(",")

    def start(self) -> ClusterNode:
        """Start and wait until the node is registered (and ``/health`` answers, with api)."""
        command = [sys.executable, "-m", "levante", "server", "--db", self.db_url,
                   "--port", str(self.port), "--role", self.roles, "--log-level", "warning",
                   *self.extra]
        env = dict(os.environ)
        if self.plugin is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.plugin),
                                                              env.get("PYTHONPATH")]))
        if self.record is not None:
            env["LEVANTE_TEST_RECORD"] = str(self.record)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            env=env)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"levante server exited at start:\n{self.log()}")
            if self._ready():
                return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"levante server did not become ready in time:\n{self.log()}")

    def _ready(self) -> bool:
        assert self.process is not None
        if not registered(self.db_url, self.process.pid):
            return False
        if not self.serves_api:
            return True
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, ConnectionError):
            return False

    def alive(self) -> bool:
        """Whether the process runs."""
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> int:
        """SIGTERM the process and wait; its exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        return int(self.process.returncode)

    def log(self) -> str:
        """What the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_all(nodes: Sequence[ClusterNode]) -> None:
    """Start nodes in parallel."""
    errors: list[BaseException] = []

    def start(node: ClusterNode) -> None:
        try:
            node.start()
        except BaseException as error:  # reported below, in the caller's thread
            errors.append(error)

    threads = [threading.Thread(target=start, args=(node,)) for node in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def libpq(url: str) -> str:
    """A URL psycopg takes."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def query(url: str, statement: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    """Rows of one statement on the cluster's database."""
    with psycopg.connect(libpq(url), connect_timeout=5) as connection:
        return list(connection.execute(statement, params).fetchall())  # type: ignore[arg-type]


def registered(url: str, pid: int) -> bool:
    """Whether a node with this process id has its row in ``nodes``."""
    try:
        return bool(query(url, "SELECT 1 FROM nodes WHERE pid = %s", (pid,)))
    except psycopg.Error:
        return False  # not migrated yet


def terminate_backends(url: str) -> int:
    """pg_terminate_backend every other connection to the cluster's database; how many."""
    rows = query(
        url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    return sum(1 for (done,) in rows if done)
