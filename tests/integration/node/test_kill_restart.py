"""Durability: ``levante run`` killed with SIGKILL at many points, then run again.

Running again with the same ``--db`` and ``--execution-id`` resumes the
execution. Across all kills, an action without ``safe-rerun`` runs at most
once; one with it runs again only if it was in flight; every execution ends.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.integration.node.plugin import install_plugin, read_runs

pytestmark = pytest.mark.slow

WORKFLOW = """
version: '2.0'
durable:
  input:
    - hosts
  tasks:
    prepare:
      action: test.record tag=prepare
      on-success: fan_out
    fan_out:
      with-items: host in <% $.hosts %>
      concurrency: 4
      action: test.record tag=<% $.host %> seconds=0.05
      on-success: pause_a_bit
    pause_a_bit:
      action: test.record tag=wait
      wait-before: 1
      on-success: idempotent
    idempotent:
      action: test.record tag=safe seconds=0.3
      safe-rerun: true
      retry:
        count: 2
        delay: 1
      on-success: finish
    finish:
      action: test.record tag=finish
"""

TERMINAL = {"SUCCESS", "ERROR", "CANCELLED"}


def _run(tmp: Path, db: Path, execution_id: str, plugin: Path, record: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugin), env.get("PYTHONPATH")]))
    env["LEVANTE_TEST_RECORD"] = str(record)
    hosts = [f"host-{i}" for i in range(24)]
    return subprocess.Popen(
        [
            sys.executable, "-m", "levante", "run", str(tmp / "durable.yaml"),
            "--db", str(db), "--execution-id", execution_id, "--quiet",
            "--input", json.dumps({"hosts": hosts}),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _execution_state(db: Path, execution_id: str) -> str | None:
    if not db.exists():
        return None
    with sqlite3.connect(db) as conn:
        try:
            row = conn.execute(
                "SELECT state FROM workflow_executions WHERE id = ?", (execution_id,)
            ).fetchone()
        except sqlite3.OperationalError:
            return None
    return row[0] if row else None


def _actions(db: Path, execution_id: str) -> list[tuple[str, str, str, str | None, bool]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.id, t.name, a.state, a.state_info, a.safe_rerun FROM action_executions a "
            "JOIN task_executions t ON t.id = a.task_execution_id "
            "WHERE t.workflow_execution_id = ?",
            (execution_id,),
        ).fetchall()


@pytest.mark.parametrize("seed", range(6))
def test_killed_run_resumes_and_runs_each_action_at_most_once(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    (tmp_path / "durable.yaml").write_text(WORKFLOW)
    plugin = install_plugin(tmp_path / "plugin")
    record = tmp_path / "runs.txt"
    db = tmp_path / "levante.db"
    execution_id = str(uuid.UUID(int=rng.getrandbits(128)))

    kills = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        proc = _run(tmp_path, db, execution_id, plugin, record)
        if kills < 4:
            # Kill at a random point: before, during or after the actions.
            try:
                proc.wait(timeout=rng.uniform(0.3, 2.5))
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                kills += 1
                continue
        else:
            proc.wait(timeout=90)
        _stdout, stderr = proc.communicate()
        assert proc.returncode in (0, 1), stderr
        break
    state = _execution_state(db, execution_id)
    assert state in TERMINAL, f"execution did not end: {state}"

    runs = read_runs(record)
    ran: dict[str, int] = {}
    for action_id, _tag in runs:
        ran[action_id] = ran.get(action_id, 0) + 1
    actions = _actions(db, execution_id)
    by_id = {row[0]: row for row in actions}
    for action_id, count in ran.items():
        assert action_id in by_id, "a recorded run belongs to no action execution"
        _, task, action_state, state_info, safe_rerun = by_id[action_id]
        if not safe_rerun:
            assert count == 1, f"{task} action {action_id} ran {count} times without safe-rerun"
    for action_id, task, action_state, state_info, _safe in actions:
        if action_state == "SUCCESS":
            assert ran.get(action_id, 0) >= 1, f"{task} action {action_id} succeeded unrun"
        if action_state == "ERROR":
            assert state_info, f"{task} action {action_id} failed without saying why"
    lost = sum(1 for row in actions if row[2] == "ERROR")
    print(f"seed={seed} kills={kills} state={state} runs={len(runs)} "
          f"actions={len(actions)} failed_as_lost={lost}")
    if state == "SUCCESS":
        assert sum(1 for _, tag in runs if tag.startswith("host-")) >= 24
