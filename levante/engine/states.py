"""States of workflows, tasks and actions, and the tables of allowed moves.

Each table reads ``state -> {event -> new state}``. The engine never assigns a
state directly: it asks :func:`next_task_state` (or the workflow / action
counterpart) and a move that is not in the table is a bug, raised as
:class:`IllegalTransition`. State values are Mistral's strings, so rows can be
returned by the REST API as they are.
"""

from __future__ import annotations

from enum import StrEnum

# The state names are the store's (one definition of Mistral's words); this
# module adds the events and the tables of allowed moves.
from levante.store.states import ActionState, TaskState, WorkflowState


class WorkflowEvent(StrEnum):
    """What can happen to a workflow execution."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    SUCCEED = "succeed"
    FAIL = "fail"
    CANCEL = "cancel"
    RERUN = "rerun"


class TaskEvent(StrEnum):
    """What can happen to a task execution."""

    START = "start"
    HOLD = "hold"
    DELAY = "delay"
    DELAY_OVER = "delay_over"
    PAUSE = "pause"
    RESUME = "resume"
    SUCCEED = "succeed"
    FAIL = "fail"
    CANCEL = "cancel"
    RERUN = "rerun"
    SKIP = "skip"


class ActionEvent(StrEnum):
    """What can happen to an action execution."""

    PROMOTE = "promote"
    SUCCEED = "succeed"
    FAIL = "fail"
    CANCEL = "cancel"
    PAUSE = "pause"
    RESUME = "resume"


W, T, A = WorkflowState, TaskState, ActionState
WE, TE, AE = WorkflowEvent, TaskEvent, ActionEvent

WORKFLOW_TRANSITIONS: dict[WorkflowState, dict[WorkflowEvent, WorkflowState]] = {
    W.IDLE: {WE.START: W.RUNNING, WE.CANCEL: W.CANCELLED,
             # a sub-workflow that could not start (bad input) fails from IDLE
             WE.FAIL: W.ERROR},
    W.RUNNING: {WE.PAUSE: W.PAUSED, WE.SUCCEED: W.SUCCESS, WE.FAIL: W.ERROR,
                WE.CANCEL: W.CANCELLED,
                # resuming a running workflow is harmless (a parent resumes its children)
                WE.RESUME: W.RUNNING},
    W.PAUSED: {WE.RESUME: W.RUNNING, WE.PAUSE: W.PAUSED,
               # engine commands and the API may end a paused workflow directly
               WE.FAIL: W.ERROR, WE.CANCEL: W.CANCELLED, WE.SUCCEED: W.SUCCESS},
    # A final state never changes, except through an explicit rerun of a failed task.
    W.SUCCESS: {},
    W.ERROR: {WE.RERUN: W.RUNNING},
    W.CANCELLED: {},
}

TASK_TRANSITIONS: dict[TaskState, dict[TaskEvent, TaskState]] = {
    T.IDLE: {TE.START: T.RUNNING, TE.HOLD: T.IDLE, TE.DELAY: T.RUNNING_DELAYED,
             TE.CANCEL: T.CANCELLED,
             # input or with-items evaluation failed before anything ran
             TE.FAIL: T.ERROR},
    # A join's WAITING ends when enough routes arrived (it starts like a new task:
    # pause-before may hold it, wait-before may delay it), or in ERROR when they cannot.
    T.WAITING: {TE.START: T.RUNNING, TE.HOLD: T.IDLE, TE.DELAY: T.RUNNING_DELAYED,
                TE.FAIL: T.ERROR, TE.CANCEL: T.CANCELLED},
    T.RUNNING: {TE.DELAY: T.RUNNING_DELAYED, TE.SUCCEED: T.SUCCESS, TE.FAIL: T.ERROR,
                TE.CANCEL: T.CANCELLED, TE.PAUSE: T.PAUSED, TE.START: T.RUNNING},
    T.RUNNING_DELAYED: {TE.DELAY_OVER: T.RUNNING, TE.FAIL: T.ERROR,
                        TE.CANCEL: T.CANCELLED,
                        # wait-after over: the task ends in the state it finished with
                        TE.SUCCEED: T.SUCCESS, TE.DELAY: T.RUNNING_DELAYED},
    T.PAUSED: {TE.RESUME: T.RUNNING, TE.FAIL: T.ERROR, TE.CANCEL: T.CANCELLED},
    T.SUCCESS: {},
    # A failed task may be rerun or skipped (API: a task update to RUNNING or SKIPPED).
    T.ERROR: {TE.RERUN: T.RUNNING, TE.SKIP: T.SKIPPED},
    T.CANCELLED: {TE.RERUN: T.RUNNING},
    T.SKIPPED: {},
}

ACTION_TRANSITIONS: dict[ActionState, dict[ActionEvent, ActionState]] = {
    A.IDLE: {AE.PROMOTE: A.RUNNING, AE.CANCEL: A.CANCELLED},
    A.RUNNING: {AE.SUCCEED: A.SUCCESS, AE.FAIL: A.ERROR, AE.CANCEL: A.CANCELLED,
                AE.PAUSE: A.PAUSED},
    A.PAUSED: {AE.RESUME: A.RUNNING, AE.CANCEL: A.CANCELLED},
    A.SUCCESS: {},
    A.ERROR: {},
    A.CANCELLED: {},
}

FINAL_TASK_STATES = frozenset({T.SUCCESS, T.ERROR, T.CANCELLED, T.SKIPPED})
FINAL_WORKFLOW_STATES = frozenset({W.SUCCESS, W.ERROR, W.CANCELLED})
FINAL_ACTION_STATES = frozenset({A.SUCCESS, A.ERROR, A.CANCELLED})


class IllegalTransition(RuntimeError):
    """The engine tried a move its state table does not allow (a bug, not user error)."""

    def __init__(self, kind: str, state: str, event: str) -> None:
        super().__init__(f"{kind} in state {state} cannot take event '{event}'")
        self.kind = kind
        self.state = state
        self.event = event


def next_workflow_state(state: str, event: WorkflowEvent) -> WorkflowState:
    """The state a workflow in ``state`` moves to on ``event``."""
    moves = WORKFLOW_TRANSITIONS[WorkflowState(state)]
    if event not in moves:
        raise IllegalTransition("workflow", state, event)
    return moves[event]


def next_task_state(state: str, event: TaskEvent) -> TaskState:
    """The state a task in ``state`` moves to on ``event``."""
    moves = TASK_TRANSITIONS[TaskState(state)]
    if event not in moves:
        raise IllegalTransition("task", state, event)
    return moves[event]


def next_action_state(state: str, event: ActionEvent) -> ActionState:
    """The state an action execution in ``state`` moves to on ``event``."""
    moves = ACTION_TRANSITIONS[ActionState(state)]
    if event not in moves:
        raise IllegalTransition("action", state, event)
    return moves[event]


def task_final(state: str) -> bool:
    """True for SUCCESS, ERROR, CANCELLED and SKIPPED."""
    return state in FINAL_TASK_STATES


def workflow_final(state: str) -> bool:
    """True for SUCCESS, ERROR and CANCELLED."""
    return state in FINAL_WORKFLOW_STATES
