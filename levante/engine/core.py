"""The engine's one entry point: an event in, commands out.

``decide`` reads what it needs through the host's :class:`ExecutionReader` and
returns the commands the host must apply, in order, in the same transaction.
It performs no I/O of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from levante.engine import adhoc, flow, workflows
from levante.engine import commands as cmd
from levante.engine import events as ev
from levante.engine.decision import Decision, Evaluator
from levante.engine.notify import notifications_for
from levante.engine.reader import ExecutionReader
from levante.engine.states import (
    ActionEvent,
    ActionState,
    TaskState,
    WorkflowState,
    next_action_state,
    workflow_final,
)
from levante.engine.tasks import continue_after_timer, on_iteration_finished, timeout_key


def decide(
    event: ev.Event,
    reader: ExecutionReader,
    *,
    new_id: Callable[[], str] | None = None,
    evaluator: Evaluator | None = None,
) -> list[cmd.Command]:
    """Apply one event to the execution state ``reader`` shows; return the commands.

    Raises :class:`~levante.engine.errors.WorkflowInputError` or
    :class:`~levante.engine.errors.WorkflowStartError` for a start that must be
    refused, and :class:`~levante.engine.errors.OperationError` for an operation
    the execution's state does not allow. Events about finished executions or
    already-accepted results yield no commands.
    """
    d = Decision(reader, new_id=new_id, evaluator=evaluator)
    match event:
        case ev.StartWorkflow():
            workflows.start(d, event)
        case ev.ActionFinished():
            _action_finished(d, event)
        case ev.SubworkflowFinished():
            _subworkflow_finished(d, event)
        case ev.TimerFired():
            task = d.task(event.task_execution_id)
            if not workflow_final(d.workflow(task.workflow_execution_id).state):
                continue_after_timer(d, task, event.kind, dict(event.payload))
        case ev.PauseWorkflow():
            workflows.pause(d, event.execution_id, event.msg, requested=event.requested)
        case ev.ResumeWorkflow():
            workflows.resume(d, event)
        case ev.CancelWorkflow():
            workflows.cancel(d, event.execution_id, event.msg)
        case ev.FailWorkflow():
            wf = d.workflow(event.execution_id)
            # Mistral leaves a paused execution as it is when asked to fail it
            if not workflow_final(wf.state) and wf.state != WorkflowState.PAUSED:
                workflows.stop(d, wf.id, WorkflowState.ERROR,
                               event.msg or "Failed by request (fail workflow operation)")
        case ev.SucceedWorkflow():
            workflows.succeed(d, event.execution_id, event.msg)
        case ev.RerunTask():
            workflows.rerun(d, event)
        case ev.SkipTask():
            workflows.skip(d, event)
        case ev.ChildRerun():
            workflows.child_rerun(d, event)
        case _:
            raise TypeError(f"not an engine event: {event!r}")
    return notifications_for(d.commands, reader)


def _action_finished(d: Decision, event: ev.ActionFinished) -> None:
    action = d.action(event.action_execution_id)
    if action.state != ActionState.RUNNING:
        return  # a result is accepted at most once
    state = ActionState(event.state)
    new_state = next_action_state(action.state, {
        ActionState.SUCCESS: ActionEvent.SUCCEED, ActionState.ERROR: ActionEvent.FAIL,
        ActionState.CANCELLED: ActionEvent.CANCEL}[state])
    task = d.task(action.task_execution_id)
    current = action.attempt == task.attempt
    result = event.result
    if new_state == ActionState.SUCCESS and adhoc.output_of(action.runtime_context):
        try:
            result = adhoc.apply_output(adhoc.output_of(action.runtime_context), result)
        except adhoc.AdhocOutputError as exc:
            new_state, result = ActionState.ERROR, str(exc)
    info = None
    if new_state == ActionState.ERROR:
        info = str(result) if result not in (None, "") else None
    d.update_action(action.id, state=new_state.value, output={"result": result},
                    accepted=current, state_info=info)
    if current:
        on_iteration_finished(d, task, action.item_index, new_state.value, result,
                              action.id, info)


def _subworkflow_finished(d: Decision, event: ev.SubworkflowFinished) -> None:
    task = d.task(event.task_execution_id)
    if task.state != TaskState.RUNNING:
        return  # a late child (the task was cancelled or timed out)
    if event.child_execution_id is None:
        # Mistral: a sub-workflow that cannot start (unknown name, missing input)
        # force-fails its task and the workflow; on-error is not followed.
        msg = event.state_info or "Sub-workflow did not start"
        d.emit(cmd.CancelTimer(timeout_key(task)))
        flow.force_fail(d, d.update_task(task.id, state=TaskState.ERROR.value, state_info=msg),
                        msg)
        return
    d.emit(cmd.AcceptChild(task.id, event.child_execution_id, event.item_index, event.state,
                           event.output))
    info = event.state_info
    if event.state == WorkflowState.ERROR and not info:
        info = f"Failed subworkflow [execution_id={event.child_execution_id}]"
    on_iteration_finished(d, task, event.item_index, event.state, event.output,
                          event.child_execution_id or "", info)
