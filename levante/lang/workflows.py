"""A workflow: its attributes, its tasks, task-defaults, and the checks across tasks.

Across tasks a direct workflow must have start tasks (tasks no transition
leads to), transitions must name tasks or engine commands, and a ``join``
needs enough inbound tasks. In a reverse workflow ``requires`` must name
tasks of the same workflow.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from levante.lang import kinds
from levante.lang.checker import Checker, Field, describe
from levante.lang.defaults import inbound_counts
from levante.lang.policies import POLICY_KEYS, parse_policies
from levante.lang.spec import (
    ENGINE_COMMANDS,
    JoinKind,
    OnClause,
    TaskDefaults,
    TaskSpec,
    WorkflowSpec,
    WorkflowType,
)
from levante.lang.tasks import parse_task
from levante.lang.transitions import ON_CLAUSES, TargetRef, parse_on_clause

WORKFLOW_KEYS = (
    "type",
    "description",
    "tags",
    "input",
    "output",
    "output-on-error",
    "vars",
    "task-defaults",
    "tasks",
)
TASK_DEFAULTS_KEYS = (*POLICY_KEYS, *ON_CLAUSES, "safe-rerun", "requires")
_INJECTED = ("name", "version")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                   r"[0-9a-fA-F]{12}$")


def parse_workflow(ck: Checker, field: Field, name: str,
                   namespace: str = "") -> WorkflowSpec | None:
    """Parse and check one workflow (``field`` is its mapping)."""
    body = field.value
    if not isinstance(body, dict) or not body:
        ck.expected(field, "a workflow: a mapping with 'tasks' (and optionally type, input, "
                    "output, ...)")
        return None
    if _UUID.match(name):
        ck.error(field, f"a workflow name cannot look like a UUID ({name!r}): UUIDs identify "
                 "workflows in the API", at_key=True)
    ck.unknown_keys(field, WORKFLOW_KEYS, "a workflow", _INJECTED)

    wf_type = WorkflowType.DIRECT
    if "type" in body:
        type_value = body["type"]
        if type_value in ("direct", "reverse"):
            wf_type = WorkflowType(type_value)
        else:
            ck.expected(field.child("type"), "'direct' or 'reverse'")
    description = kinds.string(ck, field.child("description")) if "description" in body else None
    tags = kinds.unique_strings(ck, field.child("tags")) if "tags" in body else ()
    inputs = kinds.input_params(ck, field.child("input")) if "input" in body else ()
    sections: dict[str, Any] = {}
    for key in ("output", "output-on-error", "vars"):
        if key in body:
            sections[key] = kinds.data_mapping(ck, field.child(key))

    defaults_refs: list[TargetRef] = []
    task_defaults = TaskDefaults()
    if "task-defaults" in body:
        task_defaults = _parse_task_defaults(ck, field.child("task-defaults"), wf_type,
                                             defaults_refs)

    tasks: dict[str, TaskSpec] = {}
    task_refs: dict[str, list[TargetRef]] = {}
    if "tasks" not in body:
        ck.error(field, "a workflow needs 'tasks'", at_key=True)
    else:
        tasks_field = field.child("tasks")
        if not isinstance(tasks_field.value, dict) or not tasks_field.value:
            ck.expected(tasks_field, "a non-empty mapping of task names to tasks")
        else:
            for task_name, task_field in tasks_field.items():
                if not isinstance(task_name, str) or not task_name:
                    ck.error(task_field, "task names must be non-empty strings",
                             found=describe(task_name), at_key=True)
                    continue
                refs: list[TargetRef] = []
                task = parse_task(ck, task_field, task_name, wf_type, refs)
                if task is not None:
                    tasks[task_name] = task
                    task_refs[task_name] = refs

    spec = WorkflowSpec(
        name=name,
        type=wf_type,
        tasks=tasks,
        input=inputs,
        output=sections.get("output"),
        output_on_error=sections.get("output-on-error"),
        vars=sections.get("vars") or {},
        task_defaults=task_defaults,
        description=description,
        tags=tags,
        location=ck.location_of(field, key=True),
        namespace=namespace,
        raw=body,
    )
    if tasks and len(tasks) == len(body.get("tasks") or {}):
        if wf_type is WorkflowType.DIRECT:
            _check_direct(ck, field, spec, task_refs, defaults_refs)
        else:
            _check_reverse(ck, field, spec)
    return spec


def _parse_task_defaults(ck: Checker, field: Field, wf_type: WorkflowType,
                         refs: list[TargetRef]) -> TaskDefaults:
    body = kinds.mapping(ck, field, "a non-empty mapping of task properties")
    if body is None:
        return TaskDefaults()
    ck.unknown_keys(field, TASK_DEFAULTS_KEYS, "task-defaults")
    clauses: dict[str, OnClause | None] = dict.fromkeys(ON_CLAUSES)
    for key in ON_CLAUSES:
        if key in body:
            clauses[key] = parse_on_clause(ck, field.child(key), refs)
    requires: tuple[str, ...] = ()
    if "requires" in body:
        requires = kinds.unique_strings(ck, field.child("requires"), single_ok=True)
    safe_rerun = None
    if "safe-rerun" in body:
        safe_rerun = kinds.flag_or_expression(ck, field.child("safe-rerun"))
    return TaskDefaults(
        policies=parse_policies(ck, field),
        safe_rerun=safe_rerun,
        on_success=clauses["on-success"],
        on_error=clauses["on-error"],
        on_complete=clauses["on-complete"],
        on_skip=clauses["on-skip"],
        requires=requires,
    )


def _check_direct(ck: Checker, field: Field, spec: WorkflowSpec,
                  task_refs: dict[str, list[TargetRef]], defaults_refs: list[TargetRef]) -> None:
    for refs in (*task_refs.values(), defaults_refs):
        for ref in refs:
            if ref.target not in spec.tasks and ref.target not in ENGINE_COMMANDS:
                _unknown_task(ck, ref.field, ref.target, spec, commands=True, at_key=ref.is_key)
    inbound = inbound_counts(spec)
    if all(count > 0 for count in inbound.values()):
        ck.error(field, "a direct workflow needs at least one start task (a task that no "
                 "transition leads to); here every task is the target of a transition",
                 at_key=True)
    tasks_field = field.child("tasks")
    for name, task in spec.tasks.items():
        if task.join is None:
            continue
        count = inbound[name]
        join_field = tasks_field.child(name).child("join")
        if task.join is JoinKind.ALL:
            if count == 0:
                ck.error(join_field, f"task {name!r} has 'join: all' but no task transitions "
                         "to it")
            continue
        needed = 1 if task.join is JoinKind.ONE else task.join
        if count < needed:
            ck.error(join_field, f"task {name!r} waits for {needed} inbound tasks but only "
                     f"{count} task(s) transition to it")


def _check_reverse(ck: Checker, field: Field, spec: WorkflowSpec) -> None:
    tasks_field = field.child("tasks")
    for name, task in spec.tasks.items():
        if not task.requires:
            continue
        requires_field = tasks_field.child(name).child("requires")
        for required in task.requires:
            if required not in spec.tasks:
                _unknown_task(ck, requires_field, required, spec, commands=False, at_key=False)
    defaults_requires = spec.task_defaults.requires
    if defaults_requires:
        requires_field = field.child("task-defaults").child("requires")
        for required in defaults_requires:
            if required not in spec.tasks:
                _unknown_task(ck, requires_field, required, spec, commands=False, at_key=False)


def _unknown_task(ck: Checker, field: Field, target: str, spec: WorkflowSpec,
                  commands: bool, at_key: bool) -> None:
    close = difflib.get_close_matches(target, list(spec.tasks), n=1, cutoff=0.7)
    hint = f"did you mean {close[0]!r}?" if close else None
    what = "a task of this workflow or an engine command (fail, succeed, pause, noop)" if (
        commands) else "a task of this workflow"
    ck.error(field, f"no task named {target!r}", expected=what, hint=hint, at_key=at_key)
