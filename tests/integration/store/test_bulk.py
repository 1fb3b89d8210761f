"""Bulk INSERT / UPDATE through the driver store exactly what SQLAlchemy's own statements store.

On PostgreSQL the inserts go through COPY: text with tabs, newlines,
backslashes and ``\\N`` must come back as it went in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from levante.store import Database
from levante.store.bulk import insert_rows, update_rows
from levante.store.models import WorkflowExecution

WF = WorkflowExecution.__table__
WHEN = dt.datetime(2026, 12, 8, 2, 0, 0, 123456, tzinfo=dt.UTC)
COLUMNS = ("id", "name", "state", "input", "tags", "state_info", "created_at", "project_id",
           "scope", "workflow_namespace", "accepted", "active_tasks", "updated_at")


def _row(execution_id: str, **values: Any) -> dict[str, Any]:
    return {"id": execution_id, "name": "wf", "state": "RUNNING",
            "input": {"hosts": ["a", "b"], "n": 1, "text": "é\t\\N\n\\", "none": None},
            "tags": ["x"], "state_info": "tab\there, \\N, new\nline, back\\slash, ünï",
            "created_at": WHEN, **values}


def _stored(db: Database, execution_id: str) -> dict[str, Any]:
    with db.read() as session:
        row = session.execute(select(*(WF.c[c] for c in COLUMNS)).where(
            WF.c.id == execution_id)).one()
    return dict(zip(COLUMNS, row, strict=True))


def test_an_insert_stores_what_sqlalchemy_stores(db: Database) -> None:
    with db.transaction() as session:
        session.execute(WF.insert(), [_row("core")])
        insert_rows(session, WF, [_row("bulk-1"), _row("bulk-2", input=None, tags=None)])
    core, bulk = _stored(db, "core"), _stored(db, "bulk-1")
    assert {**bulk, "id": "core"} == core
    # Python-side defaults the rows left out, values through the columns' types:
    assert bulk["project_id"] == "<default-project>" and bulk["scope"] == "private"
    assert bulk["accepted"] is False and bulk["active_tasks"] == 0
    assert bulk["created_at"] == WHEN and bulk["created_at"].tzinfo is not None
    assert _stored(db, "bulk-2")["input"] is None  # none_as_null, as the column says


def test_an_update_sets_the_columns_and_updated_at(db: Database) -> None:
    with db.transaction() as session:
        insert_rows(session, WF, [_row("a"), _row("b"), _row("c")])
    later = WHEN + dt.timedelta(minutes=1)
    with db.transaction() as session:
        update_rows(session, WF, [{"id": "a", "state": "SUCCESS", "input": {"done": True}},
                                  {"id": "b", "state": "ERROR", "input": {}}])
        update_rows(session, WF, [{"id": "c", "state": "PAUSED", "updated_at": later}])
    a, b, c = (_stored(db, i) for i in "abc")
    assert (a["state"], a["input"], b["state"], b["input"]) == (
        "SUCCESS", {"done": True}, "ERROR", {})
    assert a["updated_at"] is not None  # the column's onupdate default, as an ORM update
    assert (c["state"], c["updated_at"]) == ("PAUSED", later)


def test_a_row_that_breaks_a_constraint_fails_the_statement(db: Database) -> None:
    with db.transaction() as session:
        insert_rows(session, WF, [_row("same")])
    with pytest.raises(IntegrityError), db.transaction() as session:
        insert_rows(session, WF, [_row("other"), _row("same")])
    with db.read() as session:
        assert session.scalar(select(WF.c.id).where(WF.c.id == "other")) is None


def test_an_unknown_column_is_refused_not_dropped(db: Database) -> None:
    refused = "no column nope in table workflow_executions"
    with pytest.raises(KeyError, match=refused), db.transaction() as session:
        insert_rows(session, WF, [{**_row("x"), "nope": 1}])
    with pytest.raises(KeyError, match="no column nope"), db.transaction() as session:
        update_rows(session, WF, [{"id": "x", "nope": 1}])


def test_many_rows_in_one_statement(db: Database) -> None:
    ids = [f"many-{i:04d}" for i in range(2500)]
    with db.transaction() as session:
        insert_rows(session, WF, [_row(i, input={"i": n}) for n, i in enumerate(ids)])
    with db.transaction() as session:
        update_rows(session, WF, [{"id": i, "state": f"S{n}", "accepted": n % 2 == 0}
                                  for n, i in enumerate(ids)])
    with db.read() as session:
        rows = session.execute(select(WF.c.input, WF.c.state, WF.c.accepted).where(
            WF.c.id.in_(ids)).order_by(WF.c.id)).all()
    assert [tuple(r) for r in rows] == [({"i": n}, f"S{n}", n % 2 == 0) for n in range(2500)]


def test_an_update_may_set_nulls_of_any_type(db: Database) -> None:
    later = WHEN + dt.timedelta(hours=1)
    with db.transaction() as session:
        insert_rows(session, WF, [_row("a", output={"x": 1}, finished_at=later,
                                       state_info="why", workflow_id="w-1")])
    with db.transaction() as session:  # a VALUES list of NULLs only: each typed by its cast
        update_rows(session, WF, [{"id": "a", "output": None, "finished_at": None,
                                   "state_info": None, "workflow_id": None}])
    with db.read() as session:
        row = session.execute(select(WF.c.output, WF.c.finished_at, WF.c.state_info,
                                     WF.c.workflow_id).where(WF.c.id == "a")).one()
    assert tuple(row) == (None, None, None, None)
