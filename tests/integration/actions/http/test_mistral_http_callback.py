"""``std.mistral_http`` end to end: a real server, a real peer that calls back through the API."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.actions.http.peer import HttpPeer, running_http_peer
from tests.integration.api.server import LevanteServer

WORKFLOW = """
version: '2.0'
hook_wf:
  input:
    - base
  tasks:
    hook:
      action: std.mistral_http url=<% $.base %>/echo method=POST
      publish:
        answer: <% task().result %>
"""


@pytest.fixture
def levante_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LevanteServer]:
    # The peer is on loopback, which the server's egress policy refuses by default.
    monkeypatch.setenv("LEVANTE_HTTP_DENIED_CIDRS", "none")
    running = LevanteServer(f"sqlite:///{tmp_path / 'levante.db'}", tmp_path / "server.log")
    running.start()
    yield running
    assert running.stop() == 0, running.log()


@pytest.fixture
def peer() -> Iterator[HttpPeer]:
    with running_http_peer() as running:
        yield running


def wait_for(predicate, what: str, seconds: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_action_stays_running_until_the_peer_reports_through_the_callback_url(
    levante_server: LevanteServer, peer: HttpPeer
) -> None:
    server = levante_server
    upload = urllib.request.Request(
        f"{server.url}/v2/workflows", data=WORKFLOW.encode(), method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(upload, timeout=30) as answer:
        assert answer.status == 201
    status, execution = server.request(
        "POST", "/v2/executions",
        {"workflow_name": "hook_wf", "input": json.dumps({"base": peer.base_url})},
    )
    assert status == 201, execution
    execution_id = execution["id"]

    def hook_call() -> dict[str, str] | None:
        calls = [h for (_, path, h) in peer.requests if path == "/echo"]
        return calls[0] if calls else None

    headers = wait_for(hook_call, "the hook request")
    action_id = headers["Mistral-Action-Execution-Id"]
    assert headers["Mistral-Workflow-Name"] == "hook_wf"
    assert headers["Mistral-Workflow-Execution-Id"] == execution_id
    assert headers["Mistral-Task-Id"]
    assert headers["Mistral-Callback-URL"] == f"/v2/action_executions/{action_id}"

    # The task waits for the callback: the action is RUNNING, not done.
    time.sleep(0.3)
    _, action = server.request("GET", f"/v2/action_executions/{action_id}")
    assert action["state"] == "RUNNING"

    status, _ = server.request(
        "PUT", headers["Mistral-Callback-URL"], {"state": "SUCCESS", "output": '{"done": 20}'}
    )
    assert status == 200

    def finished() -> dict | None:
        _, answer = server.request("GET", f"/v2/executions/{execution_id}")
        return answer if answer["state"] in ("SUCCESS", "ERROR") else None

    done = wait_for(finished, "the execution to finish")
    assert done["state"] == "SUCCESS", done
    assert '"answer": {"done": 20}' in done["output"]

