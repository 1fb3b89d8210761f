"""A fresh PostgreSQL database per cluster test (its connections may be killed on purpose)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from levante.store import Database
from tests.conftest import PG_ADMIN_URL, _unreachable

pytestmark = pytest.mark.postgres


@pytest.fixture
def cluster_url() -> Iterator[str]:
    """URL of a new, migrated database, dropped after the test."""
    name = f"levante_cluster_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        _unreachable(f"cannot connect to {PG_ADMIN_URL}: {error}".strip())
        raise
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    database = Database(url)
    try:
        database.migrate()
    finally:
        database.dispose()
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
