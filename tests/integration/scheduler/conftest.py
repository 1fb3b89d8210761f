"""An in-process API plus a cron scheduler on a fake clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from levante.api.app import create_app
from levante.api.context import ApiContext
from levante.engine.runtime import EngineRuntime
from levante.scheduler import CronScheduler, SchedulerConfig
from levante.store import Database

TEXT = {"content-type": "text/plain", "accept": "*/*"}
#: A workflow with one required input; no executor runs in these tests, so its
#: executions stay RUNNING (which is what the overlap tests need).
NIGHTLY = """version: '2.0'
nightly:
  input:
    - name
  tasks:
    greet:
      action: std.echo output=<% $.name %>
"""


class FakeClock:
    """A clock the test moves by hand (starts at the real time, whole seconds)."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> None:
        """Jump to ``moment``."""
        self.now = moment


@dataclass
class Cron:
    """The API client, the scheduler and its clock over one database."""

    db: Database
    api: TestClient
    clock: FakeClock
    scheduler: CronScheduler

    def create(self, name: str, **fields: Any) -> dict[str, Any]:
        """Create a trigger of ``nightly`` (pattern every minute unless given)."""
        body = {"name": name, "workflow_name": "nightly", "pattern": "* * * * *",
                "workflow_input": {"name": name}, **fields}
        answer = self.api.post("/v2/cron_triggers", json=body)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def get(self, name: str) -> dict[str, Any]:
        """The trigger's resource."""
        answer = self.api.get(f"/v2/cron_triggers/{name}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def history(self, name: str) -> list[dict[str, Any]]:
        """The trigger's history, oldest first."""
        answer = self.api.get(f"/v2/cron_triggers/{name}/history?limit=1000")
        assert answer.status_code == 200, answer.text
        return list(reversed(answer.json()["history"]))


def next_time(resource: dict[str, Any]) -> dt.datetime:
    """A resource's next_execution_time as an aware datetime."""
    return dt.datetime.fromisoformat(resource["next_execution_time"]).replace(tzinfo=dt.UTC)


@pytest.fixture
def cron(db: Database) -> Iterator[Cron]:
    """Workflow ``nightly`` defined; scheduler with a 10 s misfire grace on a fake clock."""
    api = TestClient(create_app(ApiContext(db=db)), raise_server_exceptions=False)
    answer = api.post("/v2/workflows", content=NIGHTLY, headers=TEXT)
    assert answer.status_code == 201, answer.text
    clock = FakeClock()
    runtime = EngineRuntime(db, clock=clock)
    config = SchedulerConfig(misfire_grace=dt.timedelta(seconds=10))
    yield Cron(db, api, clock, CronScheduler(db, runtime, clock=clock, config=config))
