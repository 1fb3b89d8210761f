"""A synchronous run-action on an API-only node: an executor node runs it through the queue.

``mistral run-action`` without ``--save-result`` answers with the action's
output and ``id: null``, as upstream does, although the node that answers
has no executor; nothing is left in the database afterwards. Without a live
executor (of the name a ``target`` asks for) the answer is a 503 that says
what to start.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api.server import LevanteServer
from tests.integration.cluster.nodes import ClusterNode, query

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

#: The keys of upstream's answer to a synchronous run-action (as captured from Mistral).
UPSTREAM_KEYS = {
    "accepted", "created_at", "description", "id", "input", "name", "output", "project_id",
    "state", "state_info", "tags", "task_execution_id", "updated_at", "workflow_name",
    "workflow_namespace",
}
ADHOC = """version: '2.0'
shout_it:
  base: std.echo
  base-input:
    output: <% $.word %>!
  input:
    - word
"""


def _api(node: ClusterNode) -> LevanteServer:
    return LevanteServer(node.db_url, node.log_path, port=node.port)


def _left_over(url: str) -> list[tuple[object, ...]]:
    return query(url, "SELECT (SELECT count(*) FROM action_executions), "
                      "(SELECT count(*) FROM work_queue)")


def _run(api: LevanteServer, name: str, given: Any, **params: Any) -> tuple[int, Any]:
    body: dict[str, Any] = {"name": name, "input": json.dumps(given)}
    if params:
        body["params"] = params
    return api.request("POST", "/v2/action_executions", body)


def _wait_claimed(url: str) -> None:
    """Return once an executor claimed the one queue entry (at most 20 s)."""
    deadline = time.monotonic() + 20
    claimed = "SELECT count(*) FROM work_queue WHERE claimed_by IS NOT NULL"
    while query(url, claimed) != [(1,)]:
        assert time.monotonic() < deadline, "the run was never claimed"
        time.sleep(0.05)


def test_api_only_node_answers_a_synchronous_run_action_through_an_executor_node(
    cluster_url: str, tmp_path: Path
) -> None:
    front = ClusterNode(cluster_url, tmp_path / "api.log", roles="api")
    worker = ClusterNode(cluster_url, tmp_path / "worker.log", roles="engine,executor",
                         extra=("--executor-name", "special"))
    front.start()
    try:
        api = _api(front)
        # No executor yet: a clear refusal, at once, and nothing written.
        refused = api.mistral("run-action", "std.echo", '{"output": "x"}', ok=False)
        assert "no executor is alive" in refused.stderr, refused.stderr
        status, body = _run(api, "std.echo", {"output": "x"})
        assert status == 503 and "levante server --role executor" in body["faultstring"]
        assert _left_over(cluster_url) == [(0, 0)]

        worker.start()
        ran = api.mistral("run-action", "std.echo", '{"output": "x"}')
        assert json.loads(ran.stdout) == {"result": "x"}

        # While it runs, the short-lived row that carries it is not listed.
        answers: list[tuple[int, Any]] = []
        sleeper = threading.Thread(
            target=lambda: answers.append(_run(api, "std.sleep", {"seconds": 2}))
        )
        sleeper.start()
        _wait_claimed(cluster_url)
        status, listed = api.request("GET", "/v2/action_executions")
        assert (status, listed["action_executions"]) == (200, [])
        sleeper.join(30)
        assert [(s, b["state"], b["id"]) for s, b in answers] == [(201, "SUCCESS", None)]

        # The raw answer has upstream's shape: the output, id null, no timestamps.
        status, body = _run(api, "std.echo", {"output": "hi"})
        assert status == 201, body
        assert set(body) == UPSTREAM_KEYS
        assert (body["id"], body["state"], body["created_at"]) == (None, "SUCCESS", None)
        assert json.loads(body["output"]) == {"result": "hi"}
        assert json.loads(body["input"]) == {"output": "hi"}
        assert _left_over(cluster_url) == [(0, 0)]

        # A failure and the action's timeout come back as the action's result.
        failed = api.mistral("run-action", "std.fail", "{}")
        assert "Fail action expected exception" in json.loads(failed.stdout)["result"]
        status, body = _run(api, "std.sleep", {"seconds": 5}, timeout=0.5)
        assert (status, body["id"], body["state"]) == (201, None, "ERROR")
        assert "timed out" in body["state_info"]

        # An ad-hoc action runs its base on the executor; its output shapes the result.
        adhoc = tmp_path / "shout.yaml"
        adhoc.write_text(ADHOC)
        api.mistral("action-create", str(adhoc))
        shouted = api.mistral("run-action", "shout_it", '{"word": "hey"}')
        assert json.loads(shouted.stdout) == {"result": "hey!"}
        assert _left_over(cluster_url) == [(0, 0)]

        # target routes to the executor of that name; a name nobody has is refused.
        routed = api.mistral("run-action", "std.echo", '{"output": "t"}', "-t", "special")
        assert json.loads(routed.stdout) == {"result": "t"}
        status, body = _run(api, "std.echo", {"output": "t"}, target="elsewhere")
        assert status == 503
        assert "no executor named 'elsewhere' is alive" in body["faultstring"]
        assert "--executor-name elsewhere" in body["faultstring"]

        # run_sync with save_result keeps the finished record, as upstream does.
        kept = api.mistral("run-action", "std.echo", '{"output": 1}', "--save-result",
                           "--run-sync")
        assert json.loads(kept.stdout) == {"result": 1}
        rows = query(cluster_url, "SELECT id, state, output FROM action_executions")
        assert [(state, output) for _, state, output in rows] == [("SUCCESS", {"result": 1})]
        assert query(cluster_url, "SELECT count(*) FROM work_queue") == [(0,)]
        listed = api.mistral_json("action-execution-list")
        assert [a["ID"] for a in listed] == [rows[0][0]]
    finally:
        for node in (worker, front):
            if node.process is not None:
                node.stop()
