"""Fixtures: one ``levante server`` subprocess on SQLite and one on PostgreSQL per session.

Tests share them, so each test uses names of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer

EXAMPLES = Path(__file__).parent / "examples"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LevanteServer]:
    """A server with its own SQLite database for the whole session, stopped with SIGTERM."""
    folder = tmp_path_factory.mktemp("levante-server")
    running = LevanteServer(f"sqlite:///{folder / 'levante.db'}", folder / "server.log").start()
    yield running
    status = running.stop()
    assert status == 0, f"server did not stop cleanly ({status}):\n{running.log()}"


@pytest.fixture(scope="session")
def pg_server(
    new_pg_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LevanteServer]:
    """A server on a PostgreSQL database of its own (its node must not touch other tests' rows)."""
    folder = tmp_path_factory.mktemp("levante-pg-server")
    running = LevanteServer(new_pg_url(), folder / "server.log").start()
    yield running
    status = running.stop()
    assert status == 0, f"server did not stop cleanly ({status}):\n{running.log()}"


@pytest.fixture(scope="session")
def examples() -> Path:
    """Folder of the workflow, workbook and action files the CLI tests upload."""
    return EXAMPLES
