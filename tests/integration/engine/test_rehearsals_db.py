"""Every rehearsal gives the same outcome on the database runtime (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from levante.store import Database
from tests.integration.engine.dbhost import DbRehearsalHost
from tests.unit.engine.rehearsal import run
from tests.unit.engine.test_rehearsals import CASES


@pytest.mark.parametrize("case", CASES)
def test_rehearsal_on_sqlite(case: dict[str, Any], sqlite_db: Database) -> None:
    run(case, DbRehearsalHost(sqlite_db, case))


@pytest.mark.parametrize("case", CASES)
def test_rehearsal_on_postgresql(case: dict[str, Any], pg_db: Database) -> None:
    run(case, DbRehearsalHost(pg_db, case))
