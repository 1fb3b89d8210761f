"""/metrics reads finished action executions with an index seek, not a table scan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from levante.api.metrics import ActionDurations, finished_since
from levante.store import Database
from levante.store.models import ActionExecution

T0 = dt.datetime(2026, 11, 28, 17, 0, 0, tzinfo=dt.UTC)


def test_the_finished_actions_query_uses_the_partial_index(sqlite_db: Database) -> None:
    statement = select(ActionExecution.id).where(finished_since(T0))
    with sqlite_db.read() as session:
        compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "ix_action_executions_finished" in details, details
    assert "SCAN" not in details, details


def test_each_finished_action_is_counted_once(sqlite_db: Database) -> None:
    durations = ActionDurations(since=T0)
    with sqlite_db.transaction() as session:
        for n, state in enumerate(["SUCCESS", "ERROR", "RUNNING"]):
            session.add(ActionExecution(
                id=f"a{n}", name="std.noop", state=state, created_at=T0,
                updated_at=T0 + dt.timedelta(seconds=n + 1),
            ))
    with sqlite_db.read() as session:
        durations.refresh(session)
        durations.refresh(session)
    assert durations.by_state["SUCCESS"].count == 1
    assert durations.by_state["SUCCESS"].total == 1.0
    assert durations.by_state["ERROR"].count == 1
