"""An in-process API on a fresh SQLite database, driven with FastAPI's test client."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from levante.api.app import create_app
from levante.api.context import ApiContext
from levante.store import Database

TEXT = {"content-type": "text/plain", "accept": "*/*"}


@pytest.fixture
def client(sqlite_db: Database) -> TestClient:
    """A client of the API with no engine wired."""
    return TestClient(create_app(ApiContext(db=sqlite_db)), raise_server_exceptions=False)


def workflow_text(name: str, *, tags: str = "") -> str:
    """A one-task workflow document (with ``tags`` as written, when given)."""
    tag_line = f"  tags: {tags}\n" if tags else ""
    return f"version: '2.0'\n{name}:\n{tag_line}  tasks:\n    t:\n      action: std.noop\n"
