"""A workflow's life: start, end, and the operations pause / resume / cancel / fail / rerun."""

from __future__ import annotations

from typing import Any

from levante.engine import commands as cmd
from levante.engine import events as ev
from levante.engine import flow, graph
from levante.engine.context import (
    Branch,
    expression_context,
    merge_branches,
    outbound,
    strip_internal,
    validate_input,
)
from levante.engine.decision import Decision
from levante.engine.errors import EvaluationFailed, OperationError, WorkflowStartError
from levante.engine.records import TaskExecution, WorkflowExecution, iteration_context
from levante.engine.states import (
    FINAL_TASK_STATES,
    TaskEvent,
    TaskState,
    WorkflowEvent,
    WorkflowState,
    next_task_state,
    next_workflow_state,
    workflow_final,
)
from levante.engine.view import EngineView, root_env
from levante.lang.spec import WorkflowType

ACTIVE_TASK_STATES = (TaskState.RUNNING, TaskState.RUNNING_DELAYED, TaskState.WAITING,
                      TaskState.IDLE, TaskState.PAUSED)


def start(d: Decision, event: ev.StartWorkflow) -> None:
    """Create the execution (input validated, vars evaluated) and run its start tasks."""
    spec = event.spec
    given, params = dict(event.input), dict(event.params)
    if event.task_execution_id is not None:
        # Mistral: input a sub-workflow does not declare is passed as its params
        declared = {p.name for p in spec.input}
        params.update({k: given.pop(k) for k in list(given) if k not in declared})
    wf_input = validate_input(spec, given)
    if spec.type == WorkflowType.REVERSE:
        target = params.get("task_name")
        if not target or target not in spec.tasks:
            raise WorkflowStartError(
                f"Reverse workflow '{spec.name}' needs params.task_name naming one of its "
                f"tasks ({', '.join(spec.tasks)}); got {target!r}"
            )
    is_child = event.task_execution_id is not None
    name = event.workflow_name or spec.name
    wf = WorkflowExecution(
        id=event.execution_id, name=name, workflow_name=name, workflow_id=event.workflow_id,
        state=WorkflowState.IDLE.value, description=event.description, input=wf_input,
        params=params, task_execution_id=event.task_execution_id,
        root_execution_id=event.root_execution_id if is_child else None,
        workflow_namespace=event.namespace,
        runtime_context=iteration_context(event.index, event.item),
        tags=tuple(spec.tags),
    )
    d._specs[wf.id] = spec  # the snapshot this execution runs
    d.create_workflow(wf)
    try:
        if not is_child:
            env = dict(params.get("env") or {})
            if env and params.get("evaluate_env", True):
                env = d.evaluate(env, {"__env": env}, _EnvView(env), "env")
            params = {**params, "env": env}
        wf = d.update_workflow(wf.id, params=params)
        base = {"__execution": {"id": wf.id}}
        variables = d.evaluate_in(
            dict(spec.vars), lambda: expression_context(wf, root_env(d, wf), {}),
            lambda: EngineView(d, wf.id), "vars")
    except EvaluationFailed as exc:
        d.update_workflow(wf.id, state=WorkflowState.ERROR.value, state_info=str(exc),
                          output={"result": str(exc)})
        _notify_parent(d, d.workflow(wf.id))
        return
    d.update_workflow(wf.id, context={**base, **variables},
                      state=next_workflow_state(wf.state, WorkflowEvent.START).value)
    if spec.type == WorkflowType.REVERSE:
        for name in graph.requirements_closure(spec, params["task_name"]):
            if not spec.task(name).requires:
                flow.start_reverse_task(d, wf.id, name)
    else:
        for name in spec.start_tasks():
            flow.arrive(d, wf.id, name, Branch(), None, None)
    check_and_complete(d, wf.id)


class _EnvView(EngineView):
    """While the env itself is evaluated, ``env()`` is the env as given."""

    def __init__(self, env: dict[str, Any]) -> None:
        self._env = env

    def env(self) -> dict[str, Any]:
        """The env as given."""
        return self._env


def check_and_complete(d: Decision, wf_id: str) -> None:
    """End the workflow when no task is active: CANCELLED, ERROR or SUCCESS."""
    wf = d.workflow(wf_id)
    if wf.state != WorkflowState.RUNNING or wf.active_tasks > 0:
        return
    if wf.runtime_context.get(flow.BACKLOG):
        return
    cancelled = d.tasks_of(wf_id, states=[TaskState.CANCELLED])
    if cancelled:
        stop(d, wf_id, WorkflowState.CANCELLED,
             "Cancelled tasks: " + ", ".join(sorted(t.name for t in cancelled)))
        return
    failed = [t for t in d.tasks_of(wf_id, states=[TaskState.ERROR])
              if not t.error_handled or d.spec(wf_id).type == WorkflowType.REVERSE]
    if failed:
        lines = [f"Failure caused by error in tasks: {', '.join(t.name for t in failed)}", ""]
        for t in failed:
            lines.append(f"  {t.name} [task_ex_id={t.id}] -> {t.state_info}")
            for r in d.results_of(t.id):
                if r.state == TaskState.ERROR:
                    lines.append(f"    [{r.source_id}, idx={r.item_index}]: {r.result}")
        stop(d, wf_id, WorkflowState.ERROR, "\n".join(lines))
        return
    stop(d, wf_id, WorkflowState.SUCCESS, None)


def final_context(d: Decision, wf_id: str) -> dict[str, Any]:
    """What the workflow's tasks published along the branches that ended it."""
    wf = d.workflow(wf_id)
    if d.spec(wf_id).type == WorkflowType.REVERSE:
        target = d.latest_task(wf_id, wf.params["task_name"])
        return outbound(target).values if target is not None else {}
    return merge_branches([outbound(t) for t in d.end_tasks(wf_id)]).values


def stop(d: Decision, wf_id: str, state: WorkflowState, msg: str | None) -> None:
    """End the workflow in ``state``, evaluate its output and tell its parent."""
    wf = d.workflow(wf_id)
    if workflow_final(wf.state):
        return  # a finished execution cannot change state
    event = {WorkflowState.SUCCESS: WorkflowEvent.SUCCEED, WorkflowState.ERROR: WorkflowEvent.FAIL,
             WorkflowState.CANCELLED: WorkflowEvent.CANCEL}[state]
    new_state = next_workflow_state(wf.state, event)
    spec = d.spec(wf_id)
    output: dict[str, Any]
    if state == WorkflowState.CANCELLED:
        output = {"result": msg}
    else:
        ctx = strip_internal(final_context(d, wf_id))
        full = expression_context(wf, root_env(d, wf), ctx)
        view = EngineView(d, wf_id)
        if state == WorkflowState.SUCCESS:
            try:
                output = (d.evaluate(dict(spec.output), full, view, "output")
                          if spec.output else None) or ctx
            except EvaluationFailed as exc:
                state, new_state, msg = WorkflowState.ERROR, WorkflowState.ERROR, str(exc)
                output = {"result": msg}
        if state == WorkflowState.ERROR:
            try:
                extra = (d.evaluate(dict(spec.output_on_error), full, view, "output-on-error")
                         if spec.output_on_error else None) or ctx
            except EvaluationFailed as exc:
                extra, msg = {}, f"{exc} (while failing: {msg})"
            output = {"result": msg, **extra}
    wf = d.update_workflow(wf_id, state=new_state.value, state_info=msg, output=output)
    _notify_parent(d, wf)


def _notify_parent(d: Decision, wf: WorkflowExecution) -> None:
    if wf.task_execution_id is None:
        return
    d.emit(cmd.NotifyParent(ev.SubworkflowFinished(
        task_execution_id=wf.task_execution_id, item_index=int(wf.runtime_context.get("index", 0)),
        state=wf.state, output=wf.output, state_info=wf.state_info, child_execution_id=wf.id,
    )))


def pause(d: Decision, wf_id: str, msg: str | None, *, requested: bool = False) -> None:
    """Pause: running actions finish, but nothing new starts; children and parent pause too.

    A ``requested`` pause of a finished execution is refused with
    :class:`OperationError`, as in Mistral (the API answers 400). Resume, cancel
    and fail of a finished execution are no-ops there (200, nothing changes), and
    here too: a finished execution never changes state.
    """
    wf = d.workflow(wf_id)
    if requested and workflow_final(wf.state):
        raise OperationError(
            f"Can't change workflow execution state from {wf.state} to PAUSED: the "
            f"execution has finished [workflow={wf.name}, execution_id={wf.id}]")
    if wf.state != WorkflowState.RUNNING:
        return
    d.update_workflow(wf_id, state=WorkflowState.PAUSED.value, state_info=msg)
    _propagate(d, wf, lambda child: ev.PauseWorkflow(child, requested=False))


def succeed(d: Decision, wf_id: str, msg: str | None) -> None:
    """End a running execution in SUCCESS by request (Mistral's ``stop_workflow``).

    Only RUNNING may become SUCCESS; an execution already in SUCCESS stays as it
    is, any other state is refused with :class:`OperationError` (400).
    """
    wf = d.workflow(wf_id)
    if wf.state == WorkflowState.SUCCESS:
        return
    if wf.state != WorkflowState.RUNNING:
        raise OperationError(
            f"Can't change workflow execution state from {wf.state} to SUCCESS "
            f"[workflow={wf.name}, execution_id={wf.id}]")
    stop(d, wf_id, WorkflowState.SUCCESS, msg)


def _propagate(d: Decision, wf: WorkflowExecution, make: Any) -> None:
    for task in d.tasks_of(wf.id, states=ACTIVE_TASK_STATES):
        if task.type == "WORKFLOW":
            for child in d.reader.running_children(task.id):
                d.emit(cmd.Propagate(make(child)))
    if wf.task_execution_id is not None:
        parent = d.task(wf.task_execution_id)
        d.emit(cmd.Propagate(make(parent.workflow_execution_id)))


def resume(d: Decision, event: ev.ResumeWorkflow) -> None:
    """Resume: held tasks start, parked transitions run, ended tasks move on."""
    from levante.engine.tasks import run_task, start_task

    wf = d.workflow(event.execution_id)
    if wf.state != WorkflowState.PAUSED:
        return
    changes: dict[str, Any] = {"state": WorkflowState.RUNNING.value, "state_info": None}
    if event.env is not None:
        changes["params"] = {**wf.params, "env": {**(wf.params.get("env") or {}), **event.env}}
    wf = d.update_workflow(wf.id, **changes)
    _propagate(d, wf, lambda child: ev.ResumeWorkflow(child))
    backlog = wf.runtime_context.get(flow.BACKLOG, [])
    if backlog:
        wf = d.update_workflow(wf.id, runtime_context={
            k: v for k, v in wf.runtime_context.items() if k != flow.BACKLOG})
    for task in d.tasks_of(wf.id, states=[TaskState.IDLE, TaskState.RUNNING_DELAYED]):
        if d.workflow(wf.id).state != WorkflowState.RUNNING:
            break
        if task.state == TaskState.IDLE:
            start_task(d, task)
        elif task.runtime_context.get("delay_over"):
            run_task(d, d.update_task(task.id, runtime_context={
                k: v for k, v in task.runtime_context.items() if k != "delay_over"}))
    for task in d.tasks_of(wf.id, states=FINAL_TASK_STATES, processed=False):
        if d.workflow(wf.id).state == WorkflowState.RUNNING:
            flow.after_task(d, task)
    for entry in backlog:
        if d.workflow(wf.id).state == WorkflowState.RUNNING:
            source = d.task(entry["source"])
            flow.arrive(d, wf.id, entry["task"], outbound(source), source, entry["event"])
    check_and_complete(d, wf.id)


def cancel(d: Decision, wf_id: str, msg: str | None) -> None:
    """Cancel: the workflow, its unfinished tasks and actions, and its sub-workflows."""
    wf = d.workflow(wf_id)
    if workflow_final(wf.state):
        return
    for task in d.tasks_of(wf_id, states=ACTIVE_TASK_STATES):
        if task.type == "WORKFLOW":
            for child in d.reader.running_children(task.id):
                d.emit(cmd.Propagate(ev.CancelWorkflow(child, msg)))
        else:
            d.emit(cmd.CancelActions(task.id))
        d.update_task(task.id, state=TaskState.CANCELLED.value, state_info=msg,
                      processed=True)
    d.update_workflow(wf_id, active_tasks=0)
    stop(d, wf_id, WorkflowState.CANCELLED, msg)


def rerun(d: Decision, event: ev.RerunTask) -> None:
    """Run a failed task again (all iterations, or with reset=False only the failed ones)."""
    from levante.engine.tasks import RETRY_NO, run_task

    task, wf = _failed_task(d, event.task_execution_id, "rerun")
    _reopen(d, wf, event.env)
    spec = d.task_spec(wf.id, task.name)
    failed: tuple[int, ...] | None = None
    if not event.reset and spec.with_items is not None:
        failed = _iterations_to_rerun(d, task)
    d.invalidate_results(task.id, failed)
    runtime = {k: v for k, v in task.runtime_context.items()
               if k not in (RETRY_NO, "wait_after_done")}
    changes: dict[str, Any] = dict(
        processed=False, error_handled=False, next_tasks=(), has_next_tasks=False,
        runtime_context=runtime, attempt=task.attempt + 1, state_info=None, published={},
    )
    if failed is not None:
        changes.update(items_failed=0, items_cancelled=0,
                       items_started=task.items_count - len(failed))
    task = d.update_task(task.id, state=next_task_state(task.state, TaskEvent.RERUN).value,
                         **changes)
    wf = d.workflow(wf.id)
    d.update_workflow(wf.id, active_tasks=wf.active_tasks + 1)
    run_task(d, task, failed)


def _iterations_to_rerun(d: Decision, task: TaskExecution) -> tuple[int, ...] | None:
    """The with-items iterations a rerun without reset runs again; None means all of them.

    Those that did not succeed: failed, cancelled, and those that never ran
    because the task failed before creating them (an input that could not be
    evaluated). When no iteration ever ran (the with-items list itself could not
    be evaluated), the whole task runs again, as in Mistral.
    """
    results = d.results_of(task.id)
    if not results:
        return None
    succeeded = {r.item_index for r in results if r.state == TaskState.SUCCESS}
    return tuple(i for i in range(task.items_count) if i not in succeeded)


def _failed_task(d: Decision, task_id: str, verb: str) -> tuple[TaskExecution, WorkflowExecution]:
    """The task to rerun or skip, and its workflow; refuses states that do not allow it."""
    task = d.task(task_id)
    wf = d.workflow(task.workflow_execution_id)
    if wf.state not in (WorkflowState.ERROR, WorkflowState.PAUSED, WorkflowState.RUNNING):
        raise OperationError(f"Workflow execution {wf.id} is {wf.state}; only a failed "
                             f"(or paused) execution can {verb} a task")
    if task.state != TaskState.ERROR:
        raise OperationError(
            f"Task '{task.name}' is {task.state}; only a failed task can {verb}")
    return task, wf


def skip(d: Decision, event: ev.SkipTask) -> None:
    """Skip a failed task: SKIPPED, publish-on-skip, then on-skip (or on-success).

    As in Mistral, no retry applies and ``on-complete`` is not followed; the
    workflow (and, for a sub-workflow, its parents) runs again.
    """
    from levante.engine.tasks import finish_skipped

    task, wf = _failed_task(d, event.task_execution_id, "skip")
    _reopen(d, wf, event.env)
    task = d.update_task(
        task.id, state=next_task_state(task.state, TaskEvent.SKIP).value,
        state_info="Task was skipped.", processed=False, error_handled=False,
        next_tasks=(), has_next_tasks=False)
    wf = d.workflow(wf.id)
    d.update_workflow(wf.id, active_tasks=wf.active_tasks + 1)
    finish_skipped(d, task)


def _reopen(d: Decision, wf: WorkflowExecution, env: dict[str, Any] | None) -> None:
    changes: dict[str, Any] = {"state": WorkflowState.RUNNING.value, "state_info": None}
    if env is not None:
        changes["params"] = {**wf.params, "env": {**(wf.params.get("env") or {}), **env}}
    d.update_workflow(wf.id, **changes)
    if wf.task_execution_id is not None and wf.state == WorkflowState.ERROR:
        d.emit(cmd.Propagate(ev.ChildRerun(wf.task_execution_id,
                                           int(wf.runtime_context.get("index", 0)))))


def child_rerun(d: Decision, event: ev.ChildRerun) -> None:
    """A failed child was rerun: its parent task and workflow run again, waiting for it."""
    task = d.task(event.task_execution_id)
    wf = d.workflow(task.workflow_execution_id)
    if task.state != TaskState.ERROR:
        return
    _reopen(d, wf, None)
    d.update_task(task.id, state=TaskState.RUNNING.value, state_info=None, processed=False,
                  error_handled=False, next_tasks=(), has_next_tasks=False,
                  items_failed=max(0, task.items_failed - 1))
    wf = d.workflow(wf.id)
    d.update_workflow(wf.id, active_tasks=wf.active_tasks + 1)
