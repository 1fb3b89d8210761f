"""Cron triggers through a running ``levante server`` and the real ``mistral`` CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from sqlalchemy import update

from levante.cli.main import main
from levante.store import Database
from levante.store.models import CronTrigger
from tests.integration.api.server import LevanteServer

ROOT = Path(__file__).resolve().parents[3]
TICK = "version: '2.0'\ntick:\n  tasks:\n    t:\n      action: std.noop\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LevanteServer]:
    """A server on its own SQLite database, with ``tick`` and the cookbook's workflow."""
    folder = tmp_path_factory.mktemp("levante-cron")
    running = LevanteServer(f"sqlite:///{folder / 'levante.db'}", folder / "server.log").start()
    (folder / "tick.yaml").write_text(TICK)
    running.mistral("workflow-create", str(folder / "tick.yaml"))
    running.mistral("workflow-create", str(ROOT / "examples" / "update_kernel.yaml"))
    yield running
    running.stop()


def test_the_cookbook_command_is_refused_with_what_to_do_instead(server: LevanteServer) -> None:
    refused = server.mistral("cron-trigger-create", "update_kernel_weekly", "update_kernel",
                             "--pattern", "0 2 * * mon", ok=False)
    assert "Workflow not found" in refused.stderr
    assert "did you mean 'upgrade_kernel'" in refused.stderr
    assert "it needs input private_key_filename, gateway_host" in refused.stderr


def test_levante_options_through_rest_beside_the_cli(server: LevanteServer) -> None:
    server.mistral("cron-trigger-create", "paris_nightly", "tick", "--pattern", "30 2 * * *")
    status, updated = server.request("PUT", "/v2/cron_triggers/paris_nightly", {
        "time_zone": "Europe/Paris", "overlap_policy": "forbid", "jitter_seconds": 60})
    assert status == 200, updated
    assert (updated["time_zone"], updated["overlap_policy"]) == ("Europe/Paris", "forbid")
    status, preview = server.request("GET", "/v2/cron_triggers/paris_nightly/preview?count=3")
    assert status == 200 and len(preview["next_execution_times"]) == 3
    assert all("T02:30:00+0" in t["local_time"] for t in preview["next_execution_times"])
    # The mistral CLI still shows it (it ignores the extra fields).
    shown = server.mistral_json("cron-trigger-get", "paris_nightly")
    assert shown["Pattern"] == "30 2 * * *"
    bad = server.request("PUT", "/v2/cron_triggers/paris_nightly", {"overlap_policy": "maybe"})
    assert bad[0] == 400 and "allow, forbid, replace" in bad[1]["faultstring"]
    server.mistral("cron-trigger-delete", "paris_nightly")


def test_history_shows_the_fire_times_passed_while_paused(server: LevanteServer) -> None:
    server.mistral("cron-trigger-create", "dozing", "tick", "--pattern", "*/5 * * * *")
    status, paused = server.request("PUT", "/v2/cron_triggers/dozing", {"paused": True})
    assert status == 200 and paused["paused"] is True
    # Stand in for an hour of pause: move its pending fire time an hour back.
    hour_ago = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    pending = hour_ago - dt.timedelta(minutes=hour_ago.minute % 5)
    database = Database(server.db_url)
    try:
        with database.transaction() as session:
            session.execute(update(CronTrigger).where(CronTrigger.name == "dozing")
                            .values(next_execution_time=pending, due_at=pending))
    finally:
        database.dispose()
    status, _ = server.request("PUT", "/v2/cron_triggers/dozing", {"paused": False})
    assert status == 200
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["cron-trigger-history", "--url", server.url, "dozing", "-f", "json"]) == 0
    history = json.loads(out.getvalue())
    assert len(history) in (12, 13)  # every 5 minutes for an hour, both ends included
    assert {row["Outcome"] for row in history} == {"paused"}
    assert history[-1]["Fire time"] == pending.strftime("%Y-%m-%d %H:%M:%S")
    server.mistral("cron-trigger-delete", "dozing")


@pytest.mark.slow
def test_an_every_minute_trigger_fires_through_the_server(server: LevanteServer) -> None:
    created = server.mistral_json("cron-trigger-create", "minutely", "tick",
                                  "--pattern", "* * * * *")
    assert created["Pattern"] == "* * * * *"
    trigger_id = server.request("GET", "/v2/cron_triggers/minutely")[1]["id"]
    deadline = time.monotonic() + 75
    started: list[dict[str, str]] = []
    while time.monotonic() < deadline and not started:
        time.sleep(2)
        started = [e for e in server.mistral_json("execution-list")
                   if trigger_id in (e.get("Description") or "")]
    assert started, f"no execution started by the trigger:\n{server.log()}"
    description = json.loads(started[0]["Description"])
    assert description["triggered_by"] == {"type": "cron_trigger", "id": trigger_id}
    status, history = server.request("GET", "/v2/cron_triggers/minutely/history")
    assert status == 200
    assert history["history"][-1]["outcome"] == "started"
    assert history["history"][-1]["execution_id"] == started[0]["ID"]
    server.mistral("cron-trigger-delete", "minutely")
