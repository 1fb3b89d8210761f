"""What happens after a task ends: publish, transitions, joins, reverse dependencies.

Transitions act in list order: an engine command (``fail``, ``succeed``,
``pause``) stops the transitions listed after it (``pause`` keeps them for
resume). A task without ``join`` runs once per arrival with that branch's
context; a join exists once per workflow execution and fires once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from levante.engine import graph
from levante.engine.context import VERSIONS, Branch, merge_branches, outbound
from levante.engine.decision import Decision
from levante.engine.errors import EvaluationFailed
from levante.engine.evaluation import task_context, task_view
from levante.engine.records import TaskExecution
from levante.engine.states import TaskState, WorkflowState, task_final
from levante.lang.spec import JoinKind, OnClause, PublishSpec, TaskSpec, WorkflowType

BACKLOG = "backlog"


def publish(d: Decision, task: TaskExecution, spec: TaskSpec, result: Any) -> None:
    """Publish on SUCCESS, publish-on-error on ERROR, publish-on-skip on SKIPPED.

    The on-clause of that outcome and ``on-complete`` publish too. ``atomic``
    publishes nothing: Mistral 23 validates it and never applies it.
    """
    state = task.state
    own, clause = {
        TaskState.SUCCESS: (spec.publish, spec.on_success),
        TaskState.ERROR: (spec.publish_on_error, spec.on_error),
        TaskState.SKIPPED: (spec.publish_on_skip, spec.on_skip),
    }.get(TaskState(state), (None, None))
    if own is None:
        return
    # Mistral's precedence for a key published twice: the on-clause of the
    # outcome < the task's own publish < on-complete; nested maps are merged.
    specs: list[PublishSpec] = [*_clause_publish(clause), own, *_clause_publish(spec.on_complete)]
    branch: dict[str, Any] = {}
    global_: dict[str, Any] = {}
    for p in specs:
        branch = _merged(branch, p.branch)
        global_ = _merged(global_, p.global_)
    if not branch and not global_:
        return
    ctx = task_context(d, task)
    view = task_view(d, task, result, True)
    published = d.evaluate(branch, ctx, view, "publish") if branch else {}
    if global_:
        values = d.evaluate(global_, ctx, view, "publish global")
        wf = d.workflow(task.workflow_execution_id)
        d.update_workflow(wf.id, published_global={**wf.published_global, **values})
    d.update_task(task.id, published=published)


def _merged(left: Mapping[str, Any], right: Mapping[str, Any]) -> dict[str, Any]:
    """``right`` over ``left``; where both hold a map, the maps are merged the same way."""
    out = dict(left)
    for key, value in right.items():
        if isinstance(out.get(key), Mapping) and isinstance(value, Mapping):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def _clause_publish(clause: OnClause | None) -> list[PublishSpec]:
    return [clause.publish] if clause is not None and clause.publish is not None else []


def force_fail(d: Decision, task: TaskExecution, msg: str) -> None:
    """A fault in the workflow text (publish, a condition): fail the task and the workflow."""
    from levante.engine import workflows

    task = d.update_task(task.id, processed=True, error_handled=False)
    _processed(d, task)
    workflows.stop(d, task.workflow_execution_id, WorkflowState.ERROR,
                   f"Failed to run task '{task.name}': {msg}")


def _processed(d: Decision, task: TaskExecution) -> None:
    wf = d.workflow(task.workflow_execution_id)
    d.update_workflow(wf.id, active_tasks=max(0, wf.active_tasks - 1))


def after_task(d: Decision, task: TaskExecution) -> None:
    """A task reached a final state: follow its transitions (unless paused), then check the end."""
    from levante.engine import workflows

    wf = d.workflow(task.workflow_execution_id)
    if wf.state == WorkflowState.PAUSED:
        return  # its transitions run on resume
    if wf.state != WorkflowState.RUNNING:
        if not task.processed:
            _processed(d, d.update_task(task.id, processed=True))
        return
    spec = d.spec(wf.id)
    if spec.type == WorkflowType.REVERSE:
        task = d.update_task(task.id, processed=True)
        _processed(d, task)
        if task.state == TaskState.SUCCESS:
            _reverse_next(d, task)
        workflows.check_and_complete(d, wf.id)
        return
    try:
        chosen = _choose(d, task)
    except EvaluationFailed as exc:
        task = d.update_task(task.id, state=TaskState.ERROR.value, state_info=str(exc))
        force_fail(d, task, str(exc))
        return
    next_tasks = tuple((name, event) for name, _, event in chosen if name in spec.tasks)
    task = d.update_task(
        task.id, processed=True, next_tasks=next_tasks, has_next_tasks=bool(next_tasks),
        error_handled=task.state == TaskState.ERROR and any(e == "on-error" for _, _, e in chosen),
    )
    _processed(d, task)
    dispatch(d, wf.id, task, [(n, p, e) for n, p, e in chosen])
    for join_name in graph.affected_joins(spec, task.name):
        join = d.latest_task(wf.id, join_name)
        if join is not None and join.state == TaskState.WAITING:
            evaluate_join(d, join)
    workflows.check_and_complete(d, wf.id)


def _choose(d: Decision, task: TaskExecution) -> list[tuple[str, dict[str, Any], str]]:
    spec = d.task_spec(task.workflow_execution_id, task.name)
    chosen: list[tuple[str, dict[str, Any], str]] = []

    @functools.cache  # built once, and only for a transition with an expression
    def ctx() -> dict[str, Any]:
        return task_context(d, task, branch=outbound(task).values)

    @functools.cache
    def view() -> Any:
        return task_view(d, task)

    def take(clause: OnClause | None, event: str) -> None:
        for tr in clause.next if clause else ():
            if tr.condition is not None and not d.evaluate_in(
                tr.condition, ctx, view, f"{event} condition of '{tr.target}'"
            ):
                continue
            params = d.evaluate_in(dict(tr.params), ctx, view, f"{event} '{tr.target}'")
            chosen.append((tr.target, params, event))

    if task.state == TaskState.ERROR:
        take(spec.on_error, "on-error")
    if task.state == TaskState.SUCCESS:
        take(spec.on_success, "on-success")
    if task.state == TaskState.SKIPPED:
        take(spec.on_skip, "on-skip")
        if not chosen:  # Mistral: a skipped task with no on-skip route goes on-success
            take(spec.on_success, "on-success")
    if task.state in (TaskState.SUCCESS, TaskState.ERROR):
        take(spec.on_complete, "on-complete")
    return chosen


def dispatch(d: Decision, wf_id: str, source: TaskExecution,
             chosen: list[tuple[str, dict[str, Any], str]]) -> None:
    """Act on chosen transitions in order; engine commands stop (or park) the rest."""
    from levante.engine import workflows

    branch = outbound(source)
    for i, (name, params, event) in enumerate(chosen):
        wf = d.workflow(wf_id)
        if wf.state == WorkflowState.PAUSED:
            rest = [{"task": n, "source": source.id, "event": e} for n, _, e in chosen[i:]
                    if n not in ("fail", "succeed", "pause", "noop")]
            backlog = list(wf.runtime_context.get(BACKLOG, [])) + rest
            d.update_workflow(wf_id, runtime_context={**wf.runtime_context, BACKLOG: backlog})
            return
        if wf.state != WorkflowState.RUNNING:
            return
        msg = params.get("msg")
        if name == "fail":
            workflows.stop(d, wf_id, WorkflowState.ERROR,
                           msg if msg is not None else
                           f"Workflow failed by 'fail' command of task '{source.name}'")
            return
        if name == "succeed":
            workflows.stop(d, wf_id, WorkflowState.SUCCESS, msg)
            return
        if name == "pause":
            workflows.pause(d, wf_id, msg)
            continue
        if name == "noop":
            continue
        arrive(d, wf_id, name, branch, source, event)


def arrive(d: Decision, wf_id: str, name: str, branch: Branch, source: TaskExecution | None,
           event: str | None) -> None:
    """A transition reaches task ``name``: run a new execution, or arrive at its join."""
    from levante.engine.tasks import start_task

    spec = d.task_spec(wf_id, name)
    wf = d.workflow(wf_id)
    triggered = [{"task_id": source.id, "event": event}] if source is not None else []
    if spec.join is not None:
        key = f"join-task-{wf_id}-{name}"
        join = d.latest_task(wf_id, name)
        if join is not None and join.unique_key == key:
            if join.state == TaskState.WAITING:
                join = d.update_task(join.id, join_arrivals=(
                    *join.join_arrivals, *triggered))
                evaluate_join(d, join)
            return  # a join fires once
        join = d.create_task(TaskExecution(
            id=d.new_id(), name=name, workflow_execution_id=wf_id,
            state=TaskState.WAITING.value, state_info="Task is waiting.",
            type="WORKFLOW" if spec.workflow else "ACTION", unique_key=key,
            join_arrivals=tuple(triggered), workflow_name=wf.workflow_name,
            workflow_id=wf.workflow_id,
            tags=tuple(spec.tags),
        ))
        evaluate_join(d, join)
        return
    task = d.create_task(TaskExecution(
        id=d.new_id(), name=name, workflow_execution_id=wf_id, state=TaskState.IDLE.value,
        type="WORKFLOW" if spec.workflow else "ACTION", in_context=dict(branch.values),
        runtime_context={VERSIONS: dict(branch.versions), "triggered_by": triggered},
        workflow_name=wf.workflow_name, workflow_id=wf.workflow_id, tags=tuple(spec.tags),
    ))
    start_task(d, task)


def evaluate_join(d: Decision, join: TaskExecution) -> None:
    """Decide a WAITING join: fire it, keep waiting, or fail it when routes cannot arrive."""
    from levante.engine.tasks import finish_task, start_task

    wf_id = join.workflow_execution_id
    spec = d.spec(wf_id)
    kind = d.task_spec(wf_id, join.name).join
    inbound = graph.inbound_names(spec, join.name)
    arrived: list[TaskExecution] = []
    failed: list[str] = []
    for name in inbound:
        t = d.latest_task(wf_id, name)
        if t is None:
            if not _possible(d, wf_id, name, set()):
                failed.append(name)
        elif task_final(t.state) and t.processed:
            if any(n == join.name for n, _ in t.next_tasks):
                arrived.append(t)
            else:
                failed.append(name)
    need = len(inbound) if kind == JoinKind.ALL else (1 if kind == JoinKind.ONE else int(kind))
    if len(arrived) >= need:
        ctx = merge_branches([outbound(t) for t in arrived])
        join = d.update_task(join.id, in_context=dict(ctx.values), state_info=None,
                             runtime_context={**join.runtime_context,
                                              VERSIONS: dict(ctx.versions)})
        start_task(d, join)
        return
    if len(failed) > len(inbound) - need:
        finish_task(d, join, TaskState.ERROR, f"Failed by tasks: {failed}")
        return
    done = {t.name for t in arrived}.union(failed)
    blocked = [n for n in inbound if n not in done]
    if join.state_info != f"Blocked by tasks: {blocked}":
        d.update_task(join.id, state_info=f"Blocked by tasks: {blocked}")


def _possible(d: Decision, wf_id: str, name: str, seen: set[str]) -> bool:
    """Can task ``name`` (not run yet) still run? Some route to it must still be open."""
    if name in seen:
        return False
    seen.add(name)
    spec = d.spec(wf_id)
    inbound = graph.inbound_names(spec, name)
    if not inbound:
        return True
    for src in inbound:
        t = d.latest_task(wf_id, src)
        if t is None:
            if _possible(d, wf_id, src, seen):
                return True
        elif not (task_final(t.state) and t.processed) or any(n == name for n, _ in t.next_tasks):
            return True
    return False


def _reverse_next(d: Decision, done: TaskExecution) -> None:
    wf = d.workflow(done.workflow_execution_id)
    spec = d.spec(wf.id)
    closure = graph.requirements_closure(spec, wf.params["task_name"])
    for name in closure:
        if done.name in spec.task(name).requires:
            start_reverse_task(d, wf.id, name)


def start_reverse_task(d: Decision, wf_id: str, name: str) -> None:
    """Run reverse task ``name`` if it has not run and all it requires succeeded."""
    if d.latest_task(wf_id, name) is not None:
        return
    reqs = [d.latest_task(wf_id, r) for r in d.task_spec(wf_id, name).requires]
    if any(t is None or t.state != TaskState.SUCCESS for t in reqs):
        return
    branch = merge_branches([outbound(t) for t in reqs if t is not None])
    arrive(d, wf_id, name, branch, None, None)
