"""Executions name the definition text they run; the text is stored once per checksum."""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, select, update

from levante.engine.runtime import ActionReport, EngineRuntime
from levante.engine.runtime_rows import WF
from levante.engine.runtime_specs import checksum
from levante.store import Database
from levante.store.migrate import alembic_config
from levante.store.snapshots import SNAPSHOTS, definition_of
from tests.integration.engine.test_runtime import claim

TEXT = """
version: '2.0'
wf:
  input: [who]
  tasks:
    greet:
      action: std.echo output=<% $.who %>
      on-success: again
    again:
      action: std.noop
"""


def _specs(db: Database) -> list[dict[str, object]]:
    with db.read() as session:
        return [dict(spec) for spec in session.scalars(select(WF.c.spec).order_by(WF.c.id))]


def _finish_all(db: Database, runtime: EngineRuntime) -> None:
    while ids := claim(db):
        runtime.actions_finished([ActionReport(aid, "SUCCESS", "ok") for aid in ids])


def test_many_executions_of_one_text_store_it_once(db: Database) -> None:
    runtime = EngineRuntime(db)
    for who in ("a", "b", "c"):
        runtime.start_workflow("wf", {"who": who}, definition_text=TEXT)
    runtime.in_transaction(lambda session, start: [start("wf", {"who": n}) for n in "xyz"])
    specs = _specs(db)
    assert len(specs) == 6
    assert all(spec == {"workflow": "wf", "namespace": "", "checksum": checksum(TEXT)}
               for spec in specs)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(SNAPSHOTS)) == 1
        assert definition_of(session, specs[0]) == TEXT


def test_a_process_that_never_saw_the_text_runs_the_executions(db: Database) -> None:
    EngineRuntime(db).start_workflow("wf", {"who": "a"}, definition_text=TEXT)
    later = EngineRuntime(db)  # another process: nothing cached
    _finish_all(db, later)
    with db.read() as session:
        assert session.scalar(select(WF.c.state)) == "SUCCESS"


def test_rows_that_carry_their_text_inline_still_run(db: Database) -> None:
    # As executions started before snapshots existed were written.
    EngineRuntime(db).start_workflow("wf", {"who": "a"}, definition_text=TEXT)
    with db.transaction() as session:
        session.execute(update(WF).values(spec={
            "workflow": "wf", "namespace": "", "checksum": "0" * 64, "definition": TEXT}))
        session.execute(SNAPSHOTS.delete())
    _finish_all(db, EngineRuntime(db))
    with db.read() as session:
        assert session.scalar(select(WF.c.state)) == "SUCCESS"


def test_a_downgrade_puts_the_text_back_into_the_rows(sqlite_db: Database) -> None:
    EngineRuntime(sqlite_db).start_workflow("wf", {"who": "a"}, definition_text=TEXT)
    config = alembic_config()
    with sqlite_db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    [spec] = _specs(sqlite_db)
    assert spec["definition"] == TEXT
    sqlite_db.migrate()
    _finish_all(sqlite_db, EngineRuntime(sqlite_db))  # inline text, read as before
    with sqlite_db.read() as session:
        assert session.scalar(select(WF.c.state)) == "SUCCESS"
