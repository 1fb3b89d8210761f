"""How ``task-defaults`` combine with a task, and which tasks a direct workflow starts with.

These follow Mistral:

- A policy of the defaults applies when the task's own is not active: unset,
  ``0`` or ``false`` (a task cannot switch a default ``wait-before: 5`` off with
  ``wait-before: 0``). ``retry`` applies when the task has none.
- An on-clause of the defaults applies when the task has no transitions of
  that kind (a task clause with only ``publish`` still takes the defaults'
  ``next``), and never makes a task transition to itself.
- ``safe-rerun``: the task's, else the defaults', else false.
- ``requires`` (reverse): the task's plus the defaults', without the task itself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from levante.lang.spec import OnClause, Policies, TaskDefaults, TaskSpec

if TYPE_CHECKING:
    from levante.lang.spec import WorkflowSpec

_CLAUSE_FIELDS = ("on_success", "on_error", "on_complete", "on_skip")
_POLICY_FIELDS = (
    "wait_before",
    "wait_after",
    "timeout",
    "pause_before",
    "concurrency",
    "fail_on",
)


def _active(value: Any) -> bool:
    """Whether a policy value takes effect: an expression, or a true / positive literal."""
    return value is not None and (isinstance(value, str) or bool(value))


def merge_policies(task: Policies, defaults: Policies) -> Policies:
    """The task's policies with the defaults filling in the inactive ones."""
    changes: dict[str, Any] = {}
    for name in _POLICY_FIELDS:
        own = getattr(task, name)
        fallback = getattr(defaults, name)
        if not _active(own) and fallback is not None:
            changes[name] = fallback
    if task.retry is None and defaults.retry is not None:
        changes["retry"] = defaults.retry
    return replace(task, **changes) if changes else task


def effective_clause(task: TaskSpec, defaults: TaskDefaults, name: str) -> OnClause | None:
    """The on-clause ``name`` ("on_success", ...) the engine follows for ``task``."""
    own: OnClause | None = getattr(task, name)
    if own is not None and own.next:
        return own
    fallback: OnClause | None = getattr(defaults, name)
    if fallback is None or not fallback.next:
        return own
    inherited = tuple(t for t in fallback.next if t.target != task.name)
    if not inherited:
        return own
    return OnClause(next=inherited, publish=own.publish if own is not None else None)


def apply_task_defaults(task: TaskSpec, defaults: TaskDefaults) -> TaskSpec:
    """``task`` as the engine runs it: task-defaults merged in (see the module docstring)."""
    changes: dict[str, Any] = {}
    policies = merge_policies(task.policies, defaults.policies)
    if policies is not task.policies:
        changes["policies"] = policies
    for name in _CLAUSE_FIELDS:
        clause = effective_clause(task, defaults, name)
        if clause is not getattr(task, name):
            changes[name] = clause
    if task.safe_rerun is None:
        changes["safe_rerun"] = defaults.safe_rerun if defaults.safe_rerun is not None else False
    if defaults.requires:
        requires = list(task.requires)
        for required in defaults.requires:
            if required not in requires:
                requires.append(required)
        requires = [r for r in requires if r != task.name]
        if tuple(requires) != task.requires:
            changes["requires"] = tuple(requires)
    return replace(task, **changes) if changes else task


def outbound_targets(task: TaskSpec, defaults: TaskDefaults) -> set[str]:
    """Every name ``task`` may transition to (tasks and engine commands), defaults included."""
    names: set[str] = set()
    for name in _CLAUSE_FIELDS:
        clause = effective_clause(task, defaults, name)
        if clause is not None:
            names.update(t.target for t in clause.next)
    return names


def inbound_counts(workflow: WorkflowSpec) -> dict[str, int]:
    """For each task of a direct workflow, how many tasks may transition to it."""
    counts = dict.fromkeys(workflow.tasks, 0)
    for task in workflow.tasks.values():
        for target in outbound_targets(task, workflow.task_defaults):
            if target in counts:
                counts[target] += 1
    return counts


def direct_start_tasks(workflow: WorkflowSpec) -> tuple[str, ...]:
    """Tasks of a direct workflow that no transition leads to, in written order."""
    counts = inbound_counts(workflow)
    return tuple(name for name, count in counts.items() if count == 0)
