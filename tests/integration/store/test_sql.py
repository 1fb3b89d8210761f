"""Dialect helpers: insert-or-ignore, unique violations, row locks."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from levante.store.db import Database
from levante.store.models import Environment, Timer
from levante.store.sql import insert_ignoring_duplicates, is_unique_violation, lock_rows
from levante.store.types import utc_now


def test_insert_ignoring_duplicates_counts_the_rows_that_went_in(db: Database) -> None:
    def row(key: str) -> dict[str, object]:
        return {"kind": "retry", "due_at": utc_now(), "unique_key": key, "created_at": utc_now()}

    with db.transaction() as session:
        table = Timer.__table__
        assert insert_ignoring_duplicates(session, table, [row("a"), row("b")], ["unique_key"]) == 2
        assert insert_ignoring_duplicates(session, table, [row("b"), row("c")], ["unique_key"]) == 1
        assert insert_ignoring_duplicates(session, table, [], ["unique_key"]) == 0


def test_unique_violations_are_recognised(db: Database) -> None:
    with pytest.raises(IntegrityError) as caught, db.transaction() as session:
        session.add(Environment(name="x"))
        session.flush()
        session.add(Environment(name="x"))
        session.flush()
    assert is_unique_violation(caught.value)


def test_lock_rows_returns_the_ids_found_in_order(db: Database) -> None:
    with db.transaction() as session:
        session.add_all([Environment(id="b", name="b"), Environment(id="a", name="a")])
        session.flush()
        assert lock_rows(session, Environment, ["b", "zz", "a", "b"]) == ["a", "b"]
        assert lock_rows(session, Environment, []) == []
