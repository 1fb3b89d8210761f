"""Fault tests of a 3-node cluster on PostgreSQL (issue 7).

Three ``levante server`` nodes share one database and run a 500-iteration
with-items workflow (a recording plug-in action; one task safe-rerun, one
not) and a per-second cron trigger, while

* a node is SIGKILLed every few seconds and restarted, or
* every connection to the database is killed with ``pg_terminate_backend``.

Every execution must end; an action without safe-rerun runs at most once
(or is failed as lost), one with it at least once; no cron fire time is
doubled or lost. Each run prints its figures.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cluster.nodes import ClusterNode, query, start_all, terminate_backends
from tests.integration.node.plugin import install_plugin, read_runs

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ITEMS = 500
WORKFLOW = """version: '2.0'
fleet:
  input:
    - hosts
  tasks:
    upgrade:
      with-items: host in <% $.hosts %>
      concurrency: 12
      action: test.record tag=<% $.host %> seconds=0.15
      safe-rerun: true
      on-success: verify
    verify:
      with-items: host in <% $.hosts %>
      concurrency: 12
      action: test.record tag=verify-<% $.host %> seconds=0.02
tick:
  tasks:
    t:
      action: std.noop
"""
FINAL = {"SUCCESS", "ERROR", "CANCELLED"}
LOST = "executor running this action was lost"


@dataclass
class Cluster:
    """Three nodes and how to reach whichever of them is up."""

    url: str
    folder: Path
    plugin: Path
    record: Path
    nodes: list[ClusterNode]

    def node(self, index: int, generation: int = 0) -> ClusterNode:
        """A new (not yet started) node in slot ``index``."""
        return ClusterNode(self.url, self.folder / f"node{index}-{generation}.log",
                           plugin=self.plugin, record=self.record)

    def request(self, method: str, path: str, body: Any = None, *, text: bool = False) -> Any:
        """One API call to any live node, retried while nodes restart or reconnect."""
        deadline = time.monotonic() + 60
        while True:
            for node in list(self.nodes):
                if not node.alive():
                    continue
                try:
                    return _call(node.url, method, path, body, text=text)
                except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                    if isinstance(error, urllib.error.HTTPError) and error.code < 500:
                        raise
            if time.monotonic() > deadline:
                raise AssertionError(f"no node answered {method} {path}")
            time.sleep(0.2)


def _call(base: str, method: str, path: str, body: Any, *, text: bool) -> Any:
    data = None if body is None else (body.encode() if text else json.dumps(body).encode())
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "text/plain" if text else "application/json")
    with urllib.request.urlopen(request, timeout=20) as answer:
        raw = answer.read()
        return json.loads(raw) if raw else None


Disturbance = Callable[[Cluster, threading.Event], str]


def _run_cluster(url: str, folder: Path, disturb: Disturbance) -> str:
    """Run the workflow and the trigger while ``disturb`` runs; check; the execution's state."""
    plugin = install_plugin(folder / "plugin")
    record = folder / "runs.txt"
    cluster = Cluster(url, folder, plugin, record, [])
    cluster.nodes = [cluster.node(i) for i in range(3)]
    start_all(cluster.nodes)
    finished = threading.Event()
    try:
        cluster.request("POST", "/v2/workflows", WORKFLOW, text=True)
        cluster.request("POST", "/v2/cron_triggers",
                        {"name": "every_second", "workflow_name": "tick", "pattern": "* * * * * *"})
        hosts = [f"host-{i:03d}" for i in range(ITEMS)]
        execution = cluster.request("POST", "/v2/executions", {
            "workflow_name": "fleet", "input": json.dumps({"hosts": hosts})})
        started = time.monotonic()
        outcome: dict[str, str] = {}
        worker = threading.Thread(target=lambda: outcome.update(what=disturb(cluster, finished)))
        worker.start()
        state = _wait_final(cluster, execution["id"], timeout=150)
        finished.set()
        worker.join()
        seconds = time.monotonic() - started
        cluster.request("PUT", "/v2/cron_triggers/every_second", {"paused": True})
        time.sleep(1.5)  # a fire time claimed before the pause commits
    finally:
        finished.set()
        for node in cluster.nodes:
            if node.process is not None:
                node.stop()
    _check(url, record, execution["id"], state, seconds, outcome.get("what", ""))
    return state


def _wait_final(cluster: Cluster, execution_id: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    state = "RUNNING"
    while time.monotonic() < deadline:
        state = cluster.request("GET", f"/v2/executions/{execution_id}")["state"]
        if state in FINAL:
            return str(state)
        time.sleep(0.5)
    raise AssertionError(f"execution {execution_id} still {state} after {timeout}s")


def _check(url: str, record: Path, execution_id: str, state: str, seconds: float,
           disturbed: str) -> None:
    runs = Counter(action_id for action_id, _tag in read_runs(record))
    actions = query(url, "SELECT a.id, t.name, a.state, coalesce(a.state_info, ''), a.safe_rerun "
                    "FROM action_executions a JOIN task_executions t "
                    "ON t.id = a.task_execution_id WHERE t.workflow_execution_id = %s",
                    (execution_id,))
    by_id = {row[0]: row for row in actions}
    assert set(runs) <= set(by_id), "a recorded run belongs to no action execution"
    duplicates = [a for a, n in runs.items() if n > 1 and not by_id[a][4]]
    assert duplicates == [], f"non-safe-rerun actions ran twice: {duplicates[:5]}"
    reruns = sum(n - 1 for a, n in runs.items() if by_id[a][4])
    lost = [row for row in actions if row[2] == "ERROR"]
    for _id, task, _state, info, safe in lost:
        assert not safe and LOST in info, f"{task} failed for another reason: {info}"
    for action_id, task, action_state, _info, safe in actions:
        if action_state == "SUCCESS":
            assert runs[action_id] >= 1, f"{task} action {action_id} succeeded without running"
        if safe:
            assert action_state == "SUCCESS", f"safe-rerun {task} action ended {action_state}"
    upgrades = [row for row in actions if row[1] == "upgrade"]
    assert len(upgrades) == ITEMS
    if state == "SUCCESS":
        assert len(actions) == 2 * ITEMS and not lost
    else:
        assert state == "ERROR" and lost, f"ended {state} without a lost action"
    fires, doubled, missing = _cron_figures(url)
    print(f"\n[{disturbed}] execution {state} in {seconds:.1f}s: actions={len(actions)} "
          f"runs={sum(runs.values())} takeovers: reruns(safe)={reruns} failed-as-lost={len(lost)} "
          f"duplicates={len(duplicates)}; cron fires={fires} doubled={doubled} "
          f"missing={missing}")
    assert doubled == 0 and missing == 0


def _cron_figures(url: str) -> tuple[int, int, int]:
    """(fire times, fire times with more than one execution, seconds missing in between)."""
    runs = query(url, "SELECT scheduled_at, execution_id FROM cron_trigger_runs "
                 "ORDER BY scheduled_at")
    times = [row[0] for row in runs]
    assert len(times) >= 5, "the per-second trigger hardly fired"
    expected = [times[0] + dt.timedelta(seconds=i) for i in range(len(times))]
    missing = len(set(expected) - set(times))
    executions = Counter(str(row[0]) for row in query(
        url, "SELECT r.scheduled_at FROM cron_trigger_runs r JOIN workflow_executions e "
        "ON e.id = r.execution_id"))
    doubled = sum(1 for n in executions.values() if n > 1) + (len(times) - len(set(times)))
    started = query(url, "SELECT count(*) FROM workflow_executions WHERE workflow_name = 'tick'")
    assert started == [(len(times),)], "an execution of the trigger has no fire time, or twice"
    return len(times), doubled, missing


def _kill_and_restart(cluster: Cluster, finished: threading.Event) -> str:
    """SIGKILL a live node every 2-4 s; restart it in the background meanwhile."""
    rng = random.Random()
    kills = 0
    restarts: list[threading.Thread] = []
    while not finished.wait(rng.uniform(2.0, 4.0)):
        alive = [i for i, node in enumerate(cluster.nodes) if node.alive()]
        if len(alive) < 2:
            continue  # keep one node up to answer the API
        victim = rng.choice(alive)
        cluster.nodes[victim].kill()
        kills += 1
        cluster.nodes[victim] = cluster.node(victim, kills)
        restarts.append(threading.Thread(target=_restart, args=(cluster.nodes[victim],)))
        restarts[-1].start()
    for thread in restarts:
        thread.join()
    return f"SIGKILL x{kills}"


def _restart(node: ClusterNode) -> None:
    """Start ``node``; being killed again while starting is part of the chaos."""
    try:
        node.start()
    except RuntimeError:
        if node.process is None or node.process.returncode != -9:
            raise


def _terminate_connections(cluster: Cluster, finished: threading.Event) -> str:
    rounds = killed = 0
    while not finished.wait(1.5) and rounds < 8:
        killed += terminate_backends(cluster.url)
        rounds += 1
    return f"pg_terminate_backend x{rounds} ({killed} connections)"


def test_sigkilled_nodes_lose_and_repeat_nothing(cluster_url: str, tmp_path: Path) -> None:
    _run_cluster(cluster_url, tmp_path, _kill_and_restart)


def test_killed_database_connections_are_survived(cluster_url: str, tmp_path: Path) -> None:
    # No process died, so no action was lost: the run must succeed.
    assert _run_cluster(cluster_url, tmp_path, _terminate_connections) == "SUCCESS"
