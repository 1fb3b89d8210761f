"""A task's life: start (pause-before, wait-before, timeout), iterations, and the end.

The end runs in this order: wait-after, fail-on, publish (or publish-on-error),
keep-result, retry; then the transitions (see :mod:`levante.engine.flow`).
fail-on is decided before publishing, so a task it fails publishes with
``publish-on-error`` like any failed task.
"""

from __future__ import annotations

from typing import Any

from levante.engine import adhoc
from levante.engine import commands as cmd
from levante.engine.decision import Decision
from levante.engine.errors import EvaluationFailed
from levante.engine.evaluation import (
    action_input,
    evaluate_for_task,
    policy_flag,
    policy_number,
    task_context,
    with_items_values,
)
from levante.engine.events import TimerKind
from levante.engine.naming import workbook_of
from levante.engine.records import (
    ActionExecution,
    ItemResult,
    TaskExecution,
    iteration_context,
)
from levante.engine.states import (
    ActionState,
    TaskEvent,
    TaskState,
    WorkflowState,
    next_task_state,
    task_final,
)
from levante.lang.spec import TaskSpec

PAUSE_BEFORE_DONE = "pause_before_done"
WAIT_BEFORE_DONE = "wait_before_done"
WAIT_AFTER_DONE = "wait_after_done"
RETRY_NO = "retry_no"


def move(d: Decision, task: TaskExecution, event: TaskEvent, info: str | None = None,
         **changes: Any) -> TaskExecution:
    """Move a task along its state table, setting state_info and any other columns."""
    state = next_task_state(task.state, event)
    return d.update_task(task.id, state=state.value, state_info=info, **changes)


def with_runtime(task: TaskExecution, **values: Any) -> dict[str, Any]:
    """The task's runtime_context with some keys set (a new dict)."""
    return {**task.runtime_context, **values}


def timeout_key(task: TaskExecution) -> str:
    """Unique key of the timeout timer of the task's current attempt."""
    return f"timeout:{task.id}:{task.attempt}"


def start_task(d: Decision, task: TaskExecution) -> None:
    """Start an IDLE (or just-joined WAITING) task, applying the before-start policies."""
    wf = d.workflow(task.workflow_execution_id)
    if wf.state != WorkflowState.RUNNING:
        return  # started on resume
    spec = d.task_spec(wf.id, task.name)
    try:
        if not task.runtime_context.get(PAUSE_BEFORE_DONE) and policy_flag(
            d, task, spec.policies.pause_before, "pause-before"
        ):
            move(d, task, TaskEvent.HOLD, "Set by 'pause-before' policy",
                 runtime_context=with_runtime(task, **{PAUSE_BEFORE_DONE: True}))
            from levante.engine import workflows

            workflows.pause(d, wf.id, None)
            return
        delay = 0 if task.runtime_context.get(WAIT_BEFORE_DONE) else policy_number(
            d, task, spec.policies.wait_before, "wait-before")
        if delay > 0:
            task = move(d, task, TaskEvent.DELAY,
                        f"Delayed by 'wait-before' policy [delay={_num(delay)}]")
            d.emit(cmd.SetTimer(TimerKind.WAIT_BEFORE, delay, wf.id, task.id,
                                f"wait_before:{task.id}:{task.attempt}"))
            return
    except EvaluationFailed as exc:
        finish_task(d, task, TaskState.ERROR, str(exc))
        return
    run_task(d, task)


def run_task(d: Decision, task: TaskExecution, only_items: tuple[int, ...] | None = None) -> None:
    """Put the task in RUNNING, set its timeout and schedule its iterations."""
    spec = d.task_spec(task.workflow_execution_id, task.name)
    event = TaskEvent.DELAY_OVER if task.state == TaskState.RUNNING_DELAYED else TaskEvent.START
    task = move(d, task, event)
    try:
        timeout = policy_number(d, task, spec.policies.timeout, "timeout")
        if timeout > 0:
            d.emit(cmd.SetTimer(TimerKind.TIMEOUT, timeout, task.workflow_execution_id, task.id,
                                timeout_key(task), {"attempt": task.attempt, "timeout": timeout}))
        schedule_iterations(d, task, spec, only_items)
    except EvaluationFailed as exc:
        finish_task(d, d.task(task.id), TaskState.ERROR, str(exc))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def schedule_iterations(
    d: Decision, task: TaskExecution, spec: TaskSpec, only_items: tuple[int, ...] | None
) -> None:
    """Create the action executions (or child workflows) of the task's current attempt.

    All iterations are created in one batch; those beyond ``concurrency`` are IDLE.
    ``only_items`` limits a rerun to the failed iterations.
    """
    items: list[dict[str, Any] | None]
    if spec.with_items is not None:
        items = list(with_items_values(d, task, spec.with_items))
    else:
        items = [None]
    indexes = (list(range(len(items))) if only_items is None
               else [i for i in only_items if i < len(items)])
    cap = int(policy_number(d, task, spec.policies.concurrency, "concurrency"))
    counters: dict[str, Any] = {}
    if only_items is None:
        counters.update(items_count=len(items), items_started=0, items_succeeded=0,
                        items_failed=0, items_cancelled=0)
        if spec.with_items is not None:
            # Mistral's marker of a with-items task: readers (the REST API) tell by it
            # that the task's result is a list, even of one item.
            counters["runtime_context"] = with_runtime(
                task, with_items={"count": len(items), "capacity": cap or len(items)})
    if not indexes:
        if counters:
            task = d.update_task(task.id, **counters)
        finish_task(d, task, TaskState.SUCCESS, None)  # an empty list: SUCCESS with []
        return
    running = indexes if not cap else indexes[:cap]
    started = set(running)
    counters["items_started"] = counters.get("items_started", task.items_started) + len(running)
    task = d.update_task(task.id, **counters)  # one command for the counters and the marker
    safe_rerun = policy_flag(d, task, spec.safe_rerun, "safe-rerun")
    timeout = policy_number(d, task, spec.policies.timeout, "timeout") or None
    wf = d.workflow(task.workflow_execution_id)
    if spec.workflow is not None:
        name = evaluate_for_task(d, task, spec.workflow, "workflow")
        workbook = workbook_of(wf.workflow_name, d.spec(wf.id).name)
        # every input first: one that cannot be evaluated fails the task before any child starts
        inputs = {i: action_input(d, task, spec, items[i], None) for i in indexes}
        for i, child_input in inputs.items():
            d.emit(cmd.StartSubworkflow(
                execution_id=d.new_id(), task_execution_id=task.id,
                workflow_execution_id=wf.id, workflow_name=str(name), input=child_input,
                root_execution_id=wf.root_execution_id or wf.id, item_index=i,
                namespace=wf.workflow_namespace, idle=i not in started, workbook=workbook,
                item=items[i],
            ))
    else:
        raw_name = spec.action or "std.noop"
        name = str(evaluate_for_task(d, task, raw_name, "action"))
        actions = []
        workbook = workbook_of(wf.workflow_name, d.spec(wf.id).name)
        for i in indexes:
            item = items[i]
            action_in = action_input(d, task, spec, item, name)
            target = (evaluate_for_task(d, task, spec.target, "target", item)
                      if spec.target else None)
            runtime = iteration_context(i, item)
            expansion = _expand_adhoc(d, task, name, action_in, workbook, item)
            if expansion is not None:
                runtime[adhoc.CONTEXT_KEY] = expansion.to_context()
            actions.append(ActionExecution(
                id=d.new_id(), name=name, task_execution_id=task.id,
                workflow_execution_id=wf.id,
                state=(ActionState.RUNNING if i in started else ActionState.IDLE).value,
                item_index=i, attempt=task.attempt, input=action_in,
                safe_rerun=safe_rerun, target=target, timeout=timeout,
                runtime_context=runtime,
            ))
        d.schedule_actions(task.id, actions)


def _expand_adhoc(d: Decision, task: TaskExecution, name: str, given: dict[str, Any],
                  workbook: str | None, item: dict[str, Any] | None) -> adhoc.Expansion | None:
    """The base action an ad-hoc action runs (None for any other action).

    Its base-input sees the action's input first, then the task's context.
    """
    namespace = d.workflow(task.workflow_execution_id).workflow_namespace
    try:
        return adhoc.expand(d.adhoc_action, name, given, namespace, workbook=workbook,
                            outer=lambda: task_context(d, task, item))
    except adhoc.AdhocActionError as exc:
        raise EvaluationFailed(f"action '{name}'", str(exc)) from exc


def on_iteration_finished(
    d: Decision, task: TaskExecution, item_index: int, state: str, result: Any,
    source_id: str, state_info: str | None = None,
) -> None:
    """Count one finished iteration; start the next IDLE one; end the task when all are in."""
    if task.state != TaskState.RUNNING:
        return  # a late result (the task timed out, was cancelled, or ended by fail-on)
    field = {ActionState.SUCCESS: "items_succeeded", ActionState.ERROR: "items_failed",
             ActionState.CANCELLED: "items_cancelled"}[ActionState(state)]
    changes: dict[str, Any] = {field: getattr(task, field) + 1}
    d.accept_result(task.id, ItemResult(item_index, state, result, source_id))
    wf = d.workflow(task.workflow_execution_id)
    if task.items_started < task.items_count and wf.state == WorkflowState.RUNNING:
        changes["items_started"] = task.items_started + 1
        d.emit(cmd.PromoteIdle(task.id, 1))
    if state == ActionState.ERROR and task.items_count == 1:
        changes["state_info"] = state_info
    task = d.update_task(task.id, **changes)
    if not task.all_items_done:
        return
    spec = d.task_spec(task.workflow_execution_id, task.name)
    with_items = spec.with_items is not None
    if task.items_cancelled:
        final, info = TaskState.CANCELLED, (
            "One or more actions was cancelled." if with_items else state_info)
    elif task.items_failed:
        final, info = TaskState.ERROR, (
            "One or more actions had failed." if with_items else task.state_info)
    else:
        final, info = TaskState.SUCCESS, None
    finish_task(d, task, final, info)


def finish_task(d: Decision, task: TaskExecution, state: TaskState, info: str | None) -> None:
    """The task's iterations are over with ``state``: apply end policies, publish, move on."""
    from levante.engine import flow

    wf = d.workflow(task.workflow_execution_id)
    spec = d.task_spec(wf.id, task.name)
    if spec.policies.timeout is not None:
        d.emit(cmd.CancelTimer(timeout_key(task)))
    if state == TaskState.CANCELLED:
        task = _end(d, task, TaskEvent.CANCEL, info)
        flow.after_task(d, task)
        return
    try:
        if not task.runtime_context.get(WAIT_AFTER_DONE):
            delay = policy_number(d, task, spec.policies.wait_after, "wait-after")
            if delay > 0:
                move(d, task, TaskEvent.DELAY,
                     f"Delayed by 'wait-after' policy [delay={_num(delay)}]",
                     runtime_context=with_runtime(task, **{WAIT_AFTER_DONE: True}))
                d.emit(cmd.SetTimer(TimerKind.WAIT_AFTER, delay, wf.id, task.id,
                                    f"wait_after:{task.id}:{task.attempt}",
                                    {"state": state.value, "state_info": info}))
                return
        result = _result(d, task, spec) if _reads_result(spec) else None
        if state == TaskState.SUCCESS and policy_flag(
            d, task, spec.policies.fail_on, "fail-on", result, True
        ):
            state, info = TaskState.ERROR, "Failed by 'fail-on' policy"
    except EvaluationFailed as exc:
        state, info = TaskState.ERROR, str(exc)
        result = None
    task = _end(d, task, TaskEvent.SUCCEED if state == TaskState.SUCCESS else TaskEvent.FAIL,
                info)
    try:
        flow.publish(d, task, spec, result)
    except EvaluationFailed as exc:
        # Mistral: a publish error fails the task and the workflow; on-error is not followed.
        task = d.update_task(task.id, state=TaskState.ERROR.value, state_info=str(exc))
        flow.force_fail(d, task, str(exc))
        return
    _drop_result(d, task, spec)
    if _retry(d, d.task(task.id), spec, result):
        return
    flow.after_task(d, d.task(task.id))


def finish_skipped(d: Decision, task: TaskExecution) -> None:
    """A task just skipped: publish what it publishes on skip, then follow its transitions."""
    from levante.engine import flow

    spec = d.task_spec(task.workflow_execution_id, task.name)
    try:
        flow.publish(d, task, spec, _result(d, task, spec))
    except EvaluationFailed as exc:
        task = d.update_task(task.id, state=TaskState.ERROR.value, state_info=str(exc))
        flow.force_fail(d, task, str(exc))
        return
    _drop_result(d, task, spec)
    flow.after_task(d, d.task(task.id))


def _drop_result(d: Decision, task: TaskExecution, spec: TaskSpec) -> None:
    """``keep-result: false``: forget the actions' results once published.

    As in Mistral, only action results are dropped: a sub-workflow task's
    result is its children's output, which their executions keep.
    """
    if spec.keep_result is False and spec.workflow is None:
        d.emit(cmd.ClearResults(task.id))


def _end(d: Decision, task: TaskExecution, event: TaskEvent, info: str | None) -> TaskExecution:
    if task.state == TaskState.RUNNING_DELAYED and event == TaskEvent.FAIL:
        return d.update_task(task.id, state=TaskState.ERROR.value, state_info=info)
    return move(d, task, event, info)


def _reads_result(spec: TaskSpec) -> bool:
    """Whether ending the task evaluates anything that may read its result.

    Transition conditions read it lazily through ``task()``; here only
    fail-on, retry and publishing need it up front.
    """
    if spec.policies.fail_on is not None or spec.policies.retry is not None:
        return True
    clauses = (spec.on_success, spec.on_error, spec.on_complete, spec.on_skip)
    return any(not p.is_empty() for p in (spec.publish, spec.publish_on_error,
                                          spec.publish_on_skip)) or any(
        c is not None and c.publish is not None and not c.publish.is_empty() for c in clauses)


def _result(d: Decision, task: TaskExecution, spec: TaskSpec) -> Any:
    from levante.engine.view import task_result

    return task_result(d, task, spec.with_items is not None)


def _retry(d: Decision, task: TaskExecution, spec: TaskSpec, result: Any) -> bool:
    """Apply the retry policy to an ended task; True when another attempt is scheduled."""
    policy = spec.policies.retry
    if policy is None or task.state not in (TaskState.SUCCESS, TaskState.ERROR):
        return False
    from levante.engine.context import outbound

    branch = outbound(task).values
    try:
        count = policy_number(d, task, policy.count, "retry.count")
        if count <= 0:
            return False
        delay = policy_number(d, task, policy.delay, "retry.delay")
        from levante.engine.evaluation import task_context, task_view

        ctx = task_context(d, task, branch=branch)
        view = task_view(d, task, result, True)
        cont = (bool(d.evaluate(policy.continue_on, ctx, view, "retry.continue-on"))
                if policy.continue_on else None)
        brk = (bool(d.evaluate(policy.break_on, ctx, view, "retry.break-on"))
               if policy.break_on else False)
    except EvaluationFailed as exc:
        d.update_task(task.id, state=TaskState.ERROR.value, state_info=str(exc))
        return False
    retry_no = int(task.runtime_context.get(RETRY_NO, 0))
    if retry_no >= count:
        return False
    if task.state == TaskState.SUCCESS and (policy.continue_on is None or not cont):
        return False
    if task.state == TaskState.ERROR and brk:
        return False
    if task.state == TaskState.ERROR and policy.continue_on and not cont:
        return False
    d.invalidate_results(task.id, None)
    runtime = {k: v for k, v in task.runtime_context.items() if k != WAIT_AFTER_DONE}
    runtime[RETRY_NO] = retry_no + 1
    # Final -> DELAYED is not an arrow of the table: a retry reopens the task in place.
    task = d.update_task(
        task.id, state=TaskState.RUNNING_DELAYED.value,
        state_info=f"Delayed by 'retry' policy [delay={_num(delay)}]",
        attempt=task.attempt + 1, runtime_context=runtime, published={},
    )
    if delay > 0:
        d.emit(cmd.SetTimer(TimerKind.RETRY, delay, task.workflow_execution_id, task.id,
                            f"retry:{task.id}:{task.attempt}"))
    else:
        run_task(d, task)
    return True


def continue_after_timer(d: Decision, task: TaskExecution, kind: TimerKind,
                         payload: dict[str, Any]) -> None:
    """A task's timer fired: start it, run its next attempt, finish it, or time it out."""
    wf = d.workflow(task.workflow_execution_id)
    if kind == TimerKind.TIMEOUT:
        if task_final(task.state) or payload.get("attempt") != task.attempt:
            return
        if task.state not in (TaskState.RUNNING, TaskState.RUNNING_DELAYED):
            return
        d.emit(cmd.CancelActions(task.id))
        finish_task(d, task, TaskState.ERROR,
                    f"Task timed out [timeout(s)={_num(payload.get('timeout', 0))}].")
        return
    if task.state != TaskState.RUNNING_DELAYED:
        return
    if kind == TimerKind.WAIT_AFTER:
        finish_task(d, task, TaskState(payload["state"]), payload.get("state_info"))
        return
    if kind == TimerKind.WAIT_BEFORE:
        task = d.update_task(
            task.id, runtime_context=with_runtime(task, **{WAIT_BEFORE_DONE: True}))
    if wf.state != WorkflowState.RUNNING:
        # an expiring wait does not resume a paused workflow; resume starts the task
        d.update_task(task.id, runtime_context=with_runtime(task, delay_over=True))
        return
    run_task(d, task)
