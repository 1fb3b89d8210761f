"""Fixtures: one ``levante server`` subprocess (SQLite) for the session, and the
``levante`` CLI run in this process against it.

Tests share the server, so each test uses names of its own.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from levante.cli.main import main
from tests.integration.api.server import LevanteServer

EXAMPLES = Path(__file__).parent / "examples"
FINAL_STATES = ("SUCCESS", "ERROR", "CANCELLED")


@dataclass(frozen=True)
class Outcome:
    """What one ``levante`` command printed, and its exit status."""

    status: int
    out: str
    err: str

    def json(self) -> Any:
        """The standard output parsed as JSON (after ``-f json``)."""
        return json.loads(self.out)


@dataclass(frozen=True)
class LevanteCli:
    """Runs ``levante COMMAND --url SERVER ARGS...`` in this process."""

    url: str

    def __call__(self, command: str, *args: str, ok: bool | None = True) -> Outcome:
        """Run one command; ``ok`` True/False asserts success/failure, None asserts nothing."""
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                status = main([command, "--url", self.url, *args])
            except SystemExit as stop:
                status = int(stop.code or 0)
        done = Outcome(status, out.getvalue(), err.getvalue())
        if ok is True and status != 0:
            raise AssertionError(f"levante {command} {' '.join(args)} exited {status}:\n"
                                 f"{done.out}\n{done.err}")
        if ok is False and status == 0:
            raise AssertionError(f"levante {command} {' '.join(args)} succeeded:\n{done.out}")
        return done

    def json(self, command: str, *args: str) -> Any:
        """Run a show or list command with ``-f json`` and parse what it printed."""
        return self(command, *args, "-f", "json").json()

    def wait_for(self, execution_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """Poll ``execution-get`` until the execution has ended; its last view."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.json("execution-get", execution_id)
            if shown["State"] in FINAL_STATES or time.monotonic() > deadline:
                return dict(shown)
            time.sleep(0.1)


@pytest.fixture(scope="session")
def levante_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LevanteServer]:
    """A ``levante server`` with its own SQLite database, stopped with SIGTERM at the end."""
    folder = tmp_path_factory.mktemp("levante-cli-server")
    running = LevanteServer(f"sqlite:///{folder / 'levante.db'}", folder / "server.log").start()
    yield running
    status = running.stop()
    assert status == 0, f"server did not stop cleanly ({status}):\n{running.log()}"


@pytest.fixture(scope="session")
def levante(levante_server: LevanteServer) -> LevanteCli:
    """The ``levante`` CLI pointed at the session's server."""
    return LevanteCli(levante_server.url)


@pytest.fixture(scope="session")
def examples() -> Path:
    """Folder of the files the tests upload."""
    return EXAMPLES
