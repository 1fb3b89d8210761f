"""The SQL of one sequential step: each row written once, nothing re-read or rewritten."""

from __future__ import annotations

from levante.engine.runtime import ActionReport, EngineRuntime
from levante.store import Database
from tests.integration.engine.test_runtime import claim, counting, write_verb, written_table

CHAIN = """
version: '2.0'
wf:
  tasks:
    a: {action: std.noop, on-success: [b]}
    b: {action: std.noop, on-success: [c]}
    c: {action: std.noop, on-success: [d]}
    d: {action: std.noop}
"""


def test_a_task_finishing_and_the_next_starting_writes_each_row_once(db: Database) -> None:
    rt = EngineRuntime(db)
    rt.start_workflow("wf", definition_text=CHAIN)
    rt.actions_finished([ActionReport(claim(db)[0], "SUCCESS")])  # warm caches
    (aid,) = claim(db)
    with counting(db) as seen:
        rt.actions_finished([ActionReport(aid, "SUCCESS")])
    writes = [(write_verb(s), written_table(s)) for s in seen if written_table(s)]
    assert sorted(writes) == sorted([
        ("DELETE", "work_queue"),  # the finished action's entry
        ("INSERT", "action_executions"),  # the next task's action
        ("INSERT", "task_executions"),  # the next task, already RUNNING
        ("INSERT", "work_queue"),  # its entry (outbox)
        ("UPDATE", "action_executions"),  # the result accepted
        ("UPDATE", "task_executions"),  # the finished task
    ])  # the workflow row is untouched: its active-task count is back where it was
    reads = [s for s in seen if s.split()[0].upper() == "SELECT"]
    assert len(reads) <= 4  # the action (and its owner), the workflow, the task
