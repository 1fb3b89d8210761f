"""What Mistral's REST API derives from a spec: the ``input`` string and the ``spec`` dict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from levante.lang.spec import ActionSpec, InputParam, WorkflowSpec

SPEC_VERSION = "2.0"


def input_signature(params: Iterable[InputParam]) -> str:
    """Mistral's ``input`` field: ``'a, b="1", c="None"'``.

    Exactly as Mistral renders it: names without defaults as is, defaults as
    ``name="<Python str() of the default>"``, joined by ", ".
    """
    parts = []
    for param in params:
        if param.has_default:
            parts.append(f'{param.name}="{param.default}"')
        else:
            parts.append(param.name)
    return ", ".join(parts)


def workflow_interface(spec: WorkflowSpec) -> dict[str, Any]:
    """Mistral's ``interface`` field: the input list as written and the output names."""
    raw_input = spec.raw.get("input", [])
    return {"input": list(raw_input), "output": list(spec.output or {})}


def spec_dict(spec: WorkflowSpec | ActionSpec) -> dict[str, Any]:
    """The ``spec`` dict Mistral stores and returns for a workflow or ad-hoc action.

    The mapping as written plus what Mistral injects: ``name`` and ``version``,
    and for each task of a workflow its ``name``, ``version`` and ``type``.
    """
    result = dict(spec.raw)
    result["name"] = spec.name
    result["version"] = SPEC_VERSION
    if isinstance(spec, WorkflowSpec):
        tasks = result.get("tasks")
        if isinstance(tasks, dict):
            result["tasks"] = {
                name: {**body, "name": name, "version": SPEC_VERSION, "type": spec.type.value}
                for name, body in tasks.items()
            }
    return result
