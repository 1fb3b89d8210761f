"""The state tables: the arrows the engine may take, and the ones it may not."""

from __future__ import annotations

import pytest

from levante.engine.states import (
    ACTION_TRANSITIONS,
    TASK_TRANSITIONS,
    WORKFLOW_TRANSITIONS,
    ActionEvent,
    ActionState,
    IllegalTransition,
    TaskEvent,
    TaskState,
    WorkflowEvent,
    WorkflowState,
    next_action_state,
    next_task_state,
    next_workflow_state,
)


def test_every_state_has_a_row() -> None:
    assert set(WORKFLOW_TRANSITIONS) == set(WorkflowState)
    assert set(TASK_TRANSITIONS) == set(TaskState)
    assert set(ACTION_TRANSITIONS) == set(ActionState)


@pytest.mark.parametrize("state", [WorkflowState.SUCCESS, WorkflowState.CANCELLED])
def test_a_finished_workflow_never_changes(state: WorkflowState) -> None:
    for event in WorkflowEvent:
        with pytest.raises(IllegalTransition):
            next_workflow_state(state, event)


def test_only_a_failed_workflow_can_be_rerun() -> None:
    assert next_workflow_state(WorkflowState.ERROR, WorkflowEvent.RERUN) == WorkflowState.RUNNING
    with pytest.raises(IllegalTransition):
        next_workflow_state(WorkflowState.ERROR, WorkflowEvent.RESUME)


def test_pause_and_resume() -> None:
    assert next_workflow_state(WorkflowState.RUNNING, WorkflowEvent.PAUSE) == WorkflowState.PAUSED
    assert next_workflow_state(WorkflowState.PAUSED, WorkflowEvent.RESUME) == WorkflowState.RUNNING


def test_a_succeeded_task_is_final() -> None:
    for event in TaskEvent:
        with pytest.raises(IllegalTransition):
            next_task_state(TaskState.SUCCESS, event)


def test_a_delayed_task_resumes_running_and_shows_delayed() -> None:
    assert TaskState.RUNNING_DELAYED.value == "DELAYED"
    assert next_task_state(TaskState.RUNNING, TaskEvent.DELAY) == TaskState.RUNNING_DELAYED
    assert next_task_state(TaskState.RUNNING_DELAYED, TaskEvent.DELAY_OVER) == TaskState.RUNNING


def test_pause_before_holds_a_task_idle() -> None:
    assert next_task_state(TaskState.IDLE, TaskEvent.HOLD) == TaskState.IDLE
    assert next_task_state(TaskState.WAITING, TaskEvent.HOLD) == TaskState.IDLE


def test_a_waiting_join_cannot_succeed_without_running() -> None:
    with pytest.raises(IllegalTransition):
        next_task_state(TaskState.WAITING, TaskEvent.SUCCEED)


def test_an_idle_action_is_promoted_or_cancelled() -> None:
    assert next_action_state(ActionState.IDLE, ActionEvent.PROMOTE) == ActionState.RUNNING
    assert next_action_state(ActionState.IDLE, ActionEvent.CANCEL) == ActionState.CANCELLED
    with pytest.raises(IllegalTransition):
        next_action_state(ActionState.IDLE, ActionEvent.SUCCEED)
    with pytest.raises(IllegalTransition):
        next_action_state(ActionState.SUCCESS, ActionEvent.FAIL)
