"""Records: frozen values with the dataclass's constructor, evolved by copy."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from levante.engine.records import ActionExecution, TaskExecution, WorkflowExecution, evolve


def test_a_record_takes_the_dataclass_arguments_and_defaults() -> None:
    by_position = TaskExecution("t-1", "deploy", "wf-1", "IDLE")
    by_name = TaskExecution(id="t-1", name="deploy", workflow_execution_id="wf-1", state="IDLE")
    assert by_position == by_name
    assert (by_name.type, by_name.items_count, by_name.tags, by_name.in_context) == (
        "ACTION", 0, (), {})
    assert by_position.in_context is not by_name.in_context  # a new dict each, as with fields
    with pytest.raises(TypeError, match="missing 3 required positional arguments"):
        TaskExecution(id="t-1")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        WorkflowExecution(id="w", name="n", workflow_name="n", state="IDLE",
                          colour="red")  # type: ignore[call-arg]


def test_a_record_cannot_be_changed_in_place() -> None:
    action = ActionExecution(id="a", name="std.noop", task_execution_id="t",
                             workflow_execution_id="w", state="RUNNING")
    with pytest.raises(dataclasses.FrozenInstanceError):
        action.state = "SUCCESS"  # type: ignore[misc]


def test_evolve_is_replace_and_leaves_the_original_alone() -> None:
    task = TaskExecution(id="t", name="n", workflow_execution_id="w", state="IDLE",
                         tags=("x",))
    running = evolve(task, {"state": "RUNNING", "items_started": 2})
    assert running == dataclasses.replace(task, state="RUNNING", items_started=2)
    assert (task.state, task.items_started) == ("IDLE", 0)
    assert running.items_done == 0 and running.tags == ("x",)
    with pytest.raises(TypeError, match=r"TaskExecution has no field\(s\) \['colour'\]"):
        evolve(task, {"colour": "red"})


def test_records_pickle_and_print_as_dataclasses() -> None:
    wf = WorkflowExecution(id="w", name="n", workflow_name="n", state="RUNNING")
    assert pickle.loads(pickle.dumps(wf)) == wf
    assert repr(wf).startswith("WorkflowExecution(id='w', name='n', workflow_name='n'")
    assert [f.name for f in dataclasses.fields(wf)][:4] == ["id", "name", "workflow_name", "state"]
