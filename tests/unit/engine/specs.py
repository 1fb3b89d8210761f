"""Build spec objects from workflow YAML for engine tests (until ``levante.lang`` parses).

Covers the subset of Workflow Language v2 the rehearsals use. Task-defaults
are merged here, so the test spec's ``task()`` needs nothing from ``lang``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import yaml

from levante.lang.spec import (
    InputParam,
    JoinKind,
    OnClause,
    Policies,
    PublishSpec,
    RetryPolicy,
    TaskSpec,
    Transition,
    WithItems,
    WorkflowSpec,
    WorkflowType,
)


@dataclass(frozen=True)
class TestWorkflowSpec(WorkflowSpec):
    """A WorkflowSpec whose tasks already have task-defaults applied."""

    __test__ = False

    def task(self, name: str) -> TaskSpec:
        return self.tasks[name]

    def start_tasks(self) -> tuple[str, ...]:
        targets = {
            t.target
            for task in self.tasks.values()
            for c in (task.on_success, task.on_error, task.on_complete)
            if c is not None
            for t in c.next
        }
        return tuple(n for n in self.tasks if n not in targets)


def parse(text: str) -> dict[str, WorkflowSpec]:
    """Workflows of a ``version: '2.0'`` document, by name."""
    doc = yaml.safe_load(text)
    return {name: _workflow(name, body) for name, body in doc.items() if name != "version"}


def _workflow(name: str, body: dict[str, Any]) -> WorkflowSpec:
    defaults = body.get("task-defaults", {}) or {}
    tasks = {n: _task(n, t or {}, defaults) for n, t in (body.get("tasks") or {}).items()}
    return TestWorkflowSpec(
        name=name, type=WorkflowType(body.get("type", "direct")), tasks=tasks,
        input=tuple(_input(i) for i in body.get("input", []) or []),
        output=body.get("output"), output_on_error=body.get("output-on-error"),
        vars=body.get("vars", {}) or {},
    )


def _input(item: Any) -> InputParam:
    if isinstance(item, dict):
        (k, v), = item.items()
        return InputParam(k, True, v)
    return InputParam(item)


def _publish(value: Any) -> PublishSpec:
    return PublishSpec(branch=dict(value or {}))


def _clause(value: Any) -> OnClause | None:
    if value is None:
        return None
    if isinstance(value, dict) and ("next" in value or "publish" in value):
        pub = value.get("publish")
        publish = None
        if pub is not None:
            if "branch" in pub or "global" in pub:
                publish = PublishSpec(branch=pub.get("branch", {}), global_=pub.get("global", {}))
            else:
                publish = _publish(pub)
        return OnClause(next=_transitions(value.get("next")), publish=publish)
    return OnClause(next=_transitions(value))


def _transitions(value: Any) -> tuple[Transition, ...]:
    if value is None:
        return ()
    if isinstance(value, str | dict):
        value = [value]
    result = []
    for item in value:
        if isinstance(item, dict):
            (target, cond), = item.items()
        else:
            target, cond = item, None
        name, _, rest = str(target).partition(" ")
        params: dict[str, Any] = {}
        if rest:
            key, _, val = rest.partition("=")
            params[key.strip()] = yaml.safe_load(val.strip())
        result.append(Transition(name, cond, params))
    return tuple(result)


def _policies(body: dict[str, Any]) -> Policies:
    retry = body.get("retry")
    return Policies(
        retry=RetryPolicy(retry.get("count"), retry.get("delay", 0), retry.get("break-on"),
                          retry.get("continue-on")) if retry else None,
        wait_before=body.get("wait-before"), wait_after=body.get("wait-after"),
        timeout=body.get("timeout"), pause_before=body.get("pause-before"),
        concurrency=body.get("concurrency"), fail_on=body.get("fail-on"),
    )


def _task(name: str, body: dict[str, Any], defaults: dict[str, Any]) -> TaskSpec:
    merged_policies = {**defaults, **body}
    with_items = body.get("with-items")
    wi = None
    if with_items:
        pairs = [with_items] if isinstance(with_items, str) else with_items
        parts = [p.split(" in ", 1) for p in pairs]
        wi = WithItems(tuple(v.strip() for v, _ in parts), tuple(
            yaml.safe_load(s.strip()) if s.strip().startswith("[") else s.strip()
            for _, s in parts))
    join = body.get("join")
    spec = TaskSpec(
        name=name, action=body.get("action"), workflow=body.get("workflow"),
        input=body.get("input", {}) or {},
        publish=_publish(body.get("publish")),
        publish_on_error=_publish(body.get("publish-on-error")),
        with_items=wi, keep_result=body.get("keep-result", True),
        target=body.get("target"), safe_rerun=body.get("safe-rerun", False),
        policies=_policies(merged_policies),
        join=None if join is None else (join if isinstance(join, int) else JoinKind(join)),
        on_success=_clause(body.get("on-success", defaults.get("on-success"))),
        on_error=_clause(body.get("on-error", defaults.get("on-error"))),
        on_complete=_clause(body.get("on-complete", defaults.get("on-complete"))),
        requires=tuple([body["requires"]] if isinstance(body.get("requires"), str)
                       else body.get("requires", ())),
    )
    if isinstance(spec.publish, PublishSpec) and "global" in (body.get("publish") or {}):
        pub = body["publish"]
        spec = replace(spec, publish=PublishSpec(branch=pub.get("branch", {}),
                                                 global_=pub.get("global", {})))
    return spec
