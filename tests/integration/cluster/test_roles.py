"""Split roles: an API node without executor, executor-only nodes without a port, routing by
``target`` to ``--executor-name``, and the cluster's status over REST and the CLI.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.api.server import LevanteServer
from tests.integration.cluster.nodes import ClusterNode, query, start_all

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

WORKFLOW = """version: '2.0'
routed:
  tasks:
    anywhere:
      action: std.echo output=here
      on-success: special
    special:
      action: std.echo output=there
      target: special
"""


def _api(node: ClusterNode) -> LevanteServer:
    return LevanteServer(node.db_url, node.log_path, port=node.port)


def _wait_for(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_targeted_actions_run_only_on_the_executor_of_that_name(
    cluster_url: str, tmp_path: Path
) -> None:
    front = ClusterNode(cluster_url, tmp_path / "api.log", roles="api,engine,scheduler")
    plain = ClusterNode(cluster_url, tmp_path / "plain.log", roles="executor")
    special = ClusterNode(cluster_url, tmp_path / "special.log", roles="executor",
                          extra=("--executor-name", "special"))
    start_all([front, plain])
    try:
        api = _api(front)
        status, _ = api.request("GET", "/v2/cluster")
        assert status == 200
        api.mistral("workflow-create", str(_write(tmp_path, WORKFLOW)))
        status, execution = api.request("POST", "/v2/executions", {"workflow_name": "routed"})
        assert status == 201, execution

        def targeted_waiting() -> bool:
            rows = query(cluster_url, "SELECT a.target, q.claimed_by FROM action_executions a "
                         "JOIN work_queue q ON q.action_execution_id = a.id")
            return rows == [("special", None)]

        # The untargeted task ran on the plain executor; the targeted one waits for "special".
        _wait_for(targeted_waiting, 20, "the targeted action to be queued")
        time.sleep(1.5)
        assert targeted_waiting(), "an executor of another name claimed the targeted action"
        special.start()

        def finished() -> bool:
            return api.request("GET", f"/v2/executions/{execution['id']}")[1]["state"] == "SUCCESS"

        _wait_for(finished, 20, "the execution to succeed once 'special' runs")
        assert query(cluster_url, "SELECT target, state FROM action_executions ORDER BY target") \
            == [("special", "SUCCESS"), (None, "SUCCESS")]

        status, cluster = api.request("GET", "/v2/cluster")
        assert status == 200
        nodes = {n["pid"]: n for n in cluster["nodes"]}
        assert nodes[front.process.pid]["roles"] == ["api", "engine", "scheduler"]  # type: ignore[union-attr]
        assert nodes[plain.process.pid]["roles"] == ["executor"]  # type: ignore[union-attr]
        assert nodes[special.process.pid]["executor_name"] == "special"  # type: ignore[union-attr]
        assert all(n["alive"] for n in nodes.values())
        assert cluster["queued_actions"] == 0

        printed = subprocess.run(
            [sys.executable, "-m", "levante", "cluster-status", "--url", front.url],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout
        assert "special" in printed and "3 node(s)" in printed
    finally:
        for node in (special, plain, front):
            if node.process is not None:
                node.stop()
    # A clean stop unregisters: nothing is left for others to take over.
    assert query(cluster_url, "SELECT count(*) FROM nodes") == [(0,)]


def test_an_unknown_role_is_refused(cluster_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "levante", "server", "--db", cluster_url, "--role", "api,web"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "unknown role 'web'" in done.stderr


def _write(folder: Path, text: str) -> Path:
    path = folder / "routed.yaml"
    path.write_text(text)
    return path
