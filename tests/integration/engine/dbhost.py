"""A rehearsal host over :class:`~levante.engine.runtime.EngineRuntime` and a real database.

The executor is played by the rehearsal runner: it takes queue entries in
order, and timers fire on a fake clock that jumps to the next due time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml
from sqlalchemy import func, select, update

from levante.engine import commands as cmd
from levante.engine import events as ev
from levante.engine.records import ActionExecution, ItemResult, TaskExecution, WorkflowExecution
from levante.engine.runtime import ActionReport, EngineRuntime
from levante.engine.runtime_rows import ACTION, QUEUE, TASK, WF, SessionReader
from levante.engine.runtime_specs import checksum
from levante.lang import parse_workbook, spec_dict
from levante.store import Database
from levante.store.models import ActionDefinition, WorkflowDefinition

EPOCH = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


class DbRehearsalHost:
    """Runs a rehearsal through the database runtime."""

    def __init__(self, db: Database, case: dict[str, Any]) -> None:
        self.db = db
        self.text = case.get("workflow")
        self.workbook = case.get("workbook")
        self.now = EPOCH
        self.log: list[tuple[ev.Event, list[cmd.Command]]] = []
        self.runtime = EngineRuntime(db, clock=lambda: self.now,
                                     observer=lambda e, c: self.log.append((e, c)))

    @contextmanager
    def _reader(self) -> Iterator[SessionReader]:
        with self.db.read() as session:
            yield SessionReader(session, lambda i: self.runtime.specs.spec_of(session, i),
                                self.now, lock=False)

    def start(self, name: str, input: dict[str, Any] | None,
              params: dict[str, Any] | None) -> str:
        if self.workbook:
            self._store_workbook(self.workbook)
        row = self.runtime.start_workflow(name, input, params=params,
                                          definition_text=self.text)
        return str(row["id"])

    def _store_workbook(self, text: str) -> None:
        """Store each workflow and action of a workbook as ``<workbook>.<name>`` (as the API)."""
        data = yaml.safe_load(text)
        book = parse_workbook(text)
        with self.db.transaction() as session:
            for short, action in book.actions.items():
                full = f"{book.name}.{short}"
                session.add(ActionDefinition(
                    name=full, namespace="", spec={**spec_dict(action), "name": full},
                    workbook_name=book.name))
            for short, body in data["workflows"].items():
                item = yaml.safe_dump({"version": "2.0", short: body})
                session.add(WorkflowDefinition(
                    name=f"{data['name']}.{short}", namespace="", definition=item,
                    checksum=checksum(item), workbook_name=data["name"]))

    def next_action(self, lifo: bool) -> ActionExecution | None:
        with self.db.transaction() as session:
            order = QUEUE.c.id.desc() if lifo else QUEUE.c.id
            row = session.execute(select(QUEUE.c.id, QUEUE.c.action_execution_id)
                                  .where(QUEUE.c.claimed_by.is_(None))
                                  .order_by(order).limit(1)).first()
            if row is None:
                return None
            session.execute(update(QUEUE).where(QUEUE.c.id == row[0])
                            .values(claimed_by="rehearsal"))
        return self.action(row[1])

    def send(self, event: ev.Event) -> None:
        rt = self.runtime
        match event:
            case ev.ActionFinished():
                rt.actions_finished([ActionReport(event.action_execution_id, event.state,
                                                  event.result)])
            case ev.PauseWorkflow():
                rt.pause(event.execution_id, event.msg)
            case ev.ResumeWorkflow():
                rt.resume(event.execution_id, event.env)
            case ev.CancelWorkflow():
                rt.cancel(event.execution_id, event.msg)
            case ev.FailWorkflow():
                rt.fail(event.execution_id, event.msg)
            case ev.RerunTask():
                rt.rerun_task(event.task_execution_id, event.reset, event.env)
            case ev.SkipTask():
                rt.skip_task(event.task_execution_id, event.env)
            case _:
                raise AssertionError(f"no runtime call for {event!r}")

    def fire_next_timer(self) -> bool:
        due = self.runtime.next_timer_due()
        if due is None:
            return False
        self.now = max(self.now, due)
        return self.runtime.fire_due_timers(limit=1) == 1

    def workflow(self, execution_id: str) -> WorkflowExecution:
        with self._reader() as r:
            return r.workflow(execution_id)

    def task(self, task_id: str) -> TaskExecution:
        with self._reader() as r:
            return r.task(task_id)

    def action(self, action_id: str) -> ActionExecution:
        with self._reader() as r:
            return r.action(action_id)

    def tasks_of(self, execution_id: str) -> list[TaskExecution]:
        with self._reader() as r:
            return r.tasks_of(execution_id)

    def latest_task(self, execution_id: str, name: str) -> TaskExecution | None:
        with self._reader() as r:
            return r.latest_task(execution_id, name)

    def results_of(self, task_id: str) -> list[ItemResult]:
        with self._reader() as r:
            return r.results_of(task_id)

    def executions_of(self, workflow_name: str) -> list[str]:
        with self.db.read() as session:
            return list(session.scalars(select(WF.c.id).where(
                WF.c.workflow_name == workflow_name, WF.c.spec.is_not(None))
                .order_by(WF.c.created_at, WF.c.id)))

    def action_counts(self) -> Counter[str]:
        with self.db.read() as session:
            rows = session.execute(select(TASK.c.name, func.count()).select_from(
                ACTION.join(TASK, TASK.c.id == ACTION.c.task_execution_id)).group_by(TASK.c.name))
            return Counter({name: int(n) for name, n in rows})

    def states_seen(self) -> set[tuple[str, str]]:
        names = {c.task.id: c.task.name for _, cmds in self.log for c in cmds
                 if isinstance(c, cmd.CreateTask)}
        return {(names[c.task_execution_id], c.changes["state"])
                for _, cmds in self.log for c in cmds
                if isinstance(c, cmd.UpdateTask) and "state" in c.changes}
