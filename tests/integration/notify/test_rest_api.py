"""The notify param through the real REST API and the real ``mistral`` CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer
from tests.integration.notify.receiver import Receiver

FAILING = """
version: '2.0'
notify_failing:
  tasks:
    boom:
      action: std.fail
"""


@pytest.fixture
def levante(tmp_path: Path) -> Iterator[LevanteServer]:
    running = LevanteServer(f"sqlite:///{tmp_path / 'levante.db'}", tmp_path / "server.log")
    running.start()
    yield running
    assert running.stop() == 0, running.log()


def test_mistral_execution_create_with_notify_reaches_a_loopback_webhook(
        levante: LevanteServer, tmp_path: Path) -> None:
    hook = Receiver().start()
    try:
        path = tmp_path / "wf.yaml"
        path.write_text(FAILING)
        levante.mistral("workflow-create", str(path))
        params = {"notify": [{"type": "webhook", "url": hook.url,
                              "headers": {"X-Levante-Test": "yes"},
                              "event_types": ["WORKFLOW_LAUNCHED", "TASK_FAILED",
                                              "WORKFLOW_FAILED"]}]}
        created = levante.mistral_json("execution-create", "notify_failing", "{}",
                                       json.dumps(params))
        hook.wait_for(3, timeout=30)
        assert hook.events() == ["WORKFLOW_LAUNCHED", "TASK_FAILED", "WORKFLOW_FAILED"]
        assert all(r.headers["X-Levante-Test"] == "yes" for r in hook.received)
        assert hook.received[-1].body["id"] == created["ID"]
        assert hook.received[-1].body["workflow_name"] == "notify_failing"
    finally:
        hook.stop()
