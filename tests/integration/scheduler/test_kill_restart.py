"""Three ``levante server`` processes share one database and a per-second trigger;
they are killed with SIGKILL and restarted at random moments. Every fire time
must start exactly one execution: none twice, none lost.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from levante.store import Database
from levante.store.models import WorkflowExecution
from levante.store.models.triggers import CronTriggerRun
from tests.integration.api.server import LevanteServer

WORKFLOW = "version: '2.0'\ntick:\n  tasks:\n    t:\n      action: std.noop\n"
#: How many times a random server is killed (and restarted) while the trigger fires.
KILLS = 6


def _text_post(server: LevanteServer, path: str, text: str) -> None:
    import urllib.request

    request = urllib.request.Request(f"{server.url}{path}", data=text.encode(), method="POST")
    request.add_header("Content-Type", "text/plain")
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201


def _start_all(servers: list[LevanteServer]) -> None:
    """Start servers in parallel (each start waits for its /health)."""
    threads = [threading.Thread(target=server.start) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _restart(server: LevanteServer) -> None:
    """Start ``server``; being SIGKILLed while it starts is part of the chaos, not an error."""
    try:
        server.start()
    except RuntimeError:
        if server.process is None or server.process.returncode != -signal.SIGKILL:
            raise


def _chaos(url: str, folder: Path, name: str) -> None:
    rng = random.Random()
    servers = [LevanteServer(url, folder / f"server{i}.log") for i in range(3)]
    _start_all(servers)
    restarts: list[threading.Thread] = []
    try:
        _text_post(servers[0], "/v2/workflows", WORKFLOW)
        status, _ = servers[0].request("POST", "/v2/cron_triggers", {
            "name": name, "workflow_name": "tick", "pattern": "* * * * * *"})
        assert status == 201
        for kills in range(1, KILLS + 1):
            time.sleep(rng.uniform(0.5, 2.0))
            victim = rng.randrange(3)
            process = servers[victim].process
            if process is None or process.poll() is not None:
                continue  # still (re)starting
            process.send_signal(signal.SIGKILL)
            process.wait()
            servers[victim] = LevanteServer(url, folder / f"server{victim}-{kills}.log")
            restarts.append(threading.Thread(target=_restart, args=(servers[victim],)))
            restarts[-1].start()
        for thread in restarts:
            thread.join()
        status, _ = servers[0].request("PUT", f"/v2/cron_triggers/{name}", {"paused": True})
        assert status == 200
        time.sleep(1.5)  # let a batch that started before the pause commit
    finally:
        for thread in restarts:
            thread.join()
        for server in servers:
            if server.process is not None:
                server.stop()


def _check_exactly_once(url: str, name: str) -> None:
    db = Database(url)
    try:
        with db.read() as session:
            runs = session.scalars(select(CronTriggerRun).where(
                CronTriggerRun.trigger_name == name).order_by(CronTriggerRun.scheduled_at)).all()
            trigger_id = runs[0].trigger_id
            executions = [e for e in session.scalars(select(WorkflowExecution)).all()
                          if e.description and trigger_id in e.description]
    finally:
        db.dispose()
    times = [r.scheduled_at for r in runs]
    assert len(times) >= KILLS
    # Zero missed: every second from the first fire time to the last is in the history.
    expected = [times[0] + dt.timedelta(seconds=i) for i in range(len(times))]
    assert times == expected
    # Each was handled by the policy (within the misfire grace, all start) ...
    assert {r.outcome for r in runs} == {"started"}
    # ... and zero duplicated: exactly one execution per fire time, the one recorded.
    assert sorted(e.id for e in executions) == sorted(r.execution_id for r in runs)
    assert all(json.loads(e.description)["triggered_by"]["id"] == trigger_id
               for e in executions)


@pytest.mark.slow
def test_sigkilled_servers_on_sqlite_fire_every_second_exactly_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'levante.db'}"
    _chaos(url, tmp_path, "every_second")
    _check_exactly_once(url, "every_second")


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkilled_servers_on_postgresql_fire_every_second_exactly_once(
    new_pg_url: Callable[[], str], tmp_path: Path
) -> None:
    url = new_pg_url()
    name = f"every_second_{random.randrange(10**6)}"
    _chaos(url, tmp_path, name)
    _check_exactly_once(url, name)
