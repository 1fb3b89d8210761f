"""Questions about a workflow's shape, answered from its spec (no execution state)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from levante.lang.spec import ENGINE_COMMANDS, OnClause, TaskSpec, WorkflowSpec

_CACHE: dict[tuple[int, str], tuple[WorkflowSpec, Any]] = {}
_CACHE_LIMIT = 512


def _cached(spec: WorkflowSpec, what: str, compute: Callable[[WorkflowSpec], Any]) -> Any:
    """Memoise a shape question per spec object (specs are immutable, not hashable)."""
    key = (id(spec), what)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is spec:
        return hit[1]
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    value = compute(spec)
    _CACHE[key] = (spec, value)
    return value


def clauses(task: TaskSpec) -> tuple[OnClause, ...]:
    """The task's on-clauses that are set."""
    return tuple(
        c for c in (task.on_success, task.on_error, task.on_complete, task.on_skip)
        if c is not None
    )


def outbound_names(spec: WorkflowSpec, name: str) -> frozenset[str]:
    """Names of the tasks ``name`` may transition to (engine commands excluded)."""
    return _cached(spec, "out", _outbound)[name]


def inbound_names(spec: WorkflowSpec, name: str) -> tuple[str, ...]:
    """Names of the tasks that may transition to ``name``, in the order written."""
    return _cached(spec, "in", _inbound).get(name, ())


def _outbound(spec: WorkflowSpec) -> dict[str, frozenset[str]]:
    result: dict[str, frozenset[str]] = {}
    for name in spec.tasks:
        task = spec.task(name)
        result[name] = frozenset(
            t.target for c in clauses(task) for t in c.next
            if t.target not in ENGINE_COMMANDS and t.target in spec.tasks
        )
    return result


def _inbound(spec: WorkflowSpec) -> dict[str, tuple[str, ...]]:
    result: dict[str, list[str]] = {}
    for name, targets in _cached(spec, "out", _outbound).items():
        for target in sorted(targets, key=list(spec.tasks).index):
            result.setdefault(target, []).append(name)
    ordered = {k: sorted(v, key=list(spec.tasks).index) for k, v in result.items()}
    return {k: tuple(v) for k, v in ordered.items()}


def joins(spec: WorkflowSpec) -> frozenset[str]:
    """Names of the tasks that have ``join``."""
    return _cached(spec, "joins", _joins)


def _joins(spec: WorkflowSpec) -> frozenset[str]:
    return frozenset(n for n in spec.tasks if spec.task(n).join is not None)


def affected_joins(spec: WorkflowSpec, name: str) -> list[str]:
    """Joins downstream of ``name`` (not past another join) whose routes it may decide."""
    all_joins = joins(spec)
    if not all_joins:
        return []
    seen: set[str] = set()
    found: list[str] = []
    todo = list(outbound_names(spec, name))
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in all_joins:
            found.append(current)
            continue
        todo.extend(outbound_names(spec, current))
    return found


def requirements_closure(spec: WorkflowSpec, target: str) -> list[str]:
    """Reverse workflows: ``target`` and every task it requires, directly or not."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for req in spec.task(name).requires:
            visit(req)
        order.append(name)

    visit(target)
    return order
