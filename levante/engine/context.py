"""Data flow: input, vars, branch contexts, publish, and the workflow's output.

A *branch context* is what a task started with (``in_context``) plus what it
published; it travels along transitions. Every published key carries a
version (how many times it was published along this branch) so that, where
branches merge, a stale value from one branch never overwrites a newer value
from another. Versions live in ``runtime_context["versions"]`` so that
``in_context`` stays the plain data the API shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from levante.engine.errors import WorkflowInputError
from levante.engine.records import TaskExecution, WorkflowExecution
from levante.lang.spec import WorkflowSpec

VERSIONS = "versions"


@dataclass(frozen=True)
class Branch:
    """A branch context: values and the publish version of each top-level key."""

    values: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)


def validate_input(spec: WorkflowSpec, given: Mapping[str, Any]) -> dict[str, Any]:
    """The workflow input with defaults applied; refuses missing or unexpected names."""
    declared = {p.name: p for p in spec.input}
    missing = [p.name for p in spec.input if not p.has_default and p.name not in given]
    unexpected = sorted(k for k in given if k not in declared)
    if missing or unexpected:
        raise WorkflowInputError(spec.name, missing, unexpected)
    result = {p.name: p.default for p in spec.input if p.has_default}
    result.update(given)
    return result


def outbound(task: TaskExecution) -> Branch:
    """The branch context a task passes on: what it started with plus what it published."""
    versions = dict(task.runtime_context.get(VERSIONS, {}))
    for key in task.published:
        versions[key] = versions.get(key, 0) + 1
    return Branch({**task.in_context, **task.published}, versions)


def merge_branches(branches: list[Branch]) -> Branch:
    """Merge branch contexts: for each key the newest version wins; ties keep the first."""
    if not branches:
        return Branch()
    values = dict(branches[0].values)
    versions = dict(branches[0].versions)
    for other in branches[1:]:
        for key, value in other.values.items():
            mine = versions.get(key, 0)
            theirs = other.versions.get(key, 0)
            if key not in values or theirs > mine:
                values[key] = value
            elif theirs == mine and isinstance(values[key], dict) and isinstance(value, dict):
                values[key] = _deep_merge(values[key], value)
            versions[key] = max(mine, theirs)
    return Branch(values, versions)


def _deep_merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    merged = dict(left)
    for key, value in right.items():
        if key in merged and isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = _deep_merge(merged[key], value)
        elif key not in merged:
            merged[key] = value
    return merged


def expression_context(
    wf: WorkflowExecution,
    env: Mapping[str, Any],
    branch: Mapping[str, Any],
    task: TaskExecution | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The data ``$`` sees, lowest priority first: input, vars, globals, branch, extra.

    ``__execution``, ``__env`` and ``__task_execution`` are there as in Mistral.
    """
    ctx: dict[str, Any] = {}
    ctx.update(wf.input)
    ctx.update(wf.context)
    ctx.update(wf.published_global)
    ctx.update(branch)
    if extra:
        ctx.update(extra)
    ctx["__env"] = dict(env)
    ctx["__execution"] = {"id": wf.id}
    if task is not None:
        ctx["__task_execution"] = {"id": task.id, "name": task.name}
    return ctx


def strip_internal(values: Mapping[str, Any]) -> dict[str, Any]:
    """A context without the engine's ``__`` keys (for outputs)."""
    return {k: v for k, v in values.items() if not k.startswith("__")}
