"""Building small workflow documents for the language tests."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from levante.lang import LangError, ValidationError, parse_workbook, parse_workflows
from levante.lang.spec import WorkflowSpec

#: Three independent tasks, as in Mistral's own language tests.
BASE_TASKS: dict[str, Any] = {
    "get": {"action": "std.http", "input": {"url": "https://www.openstack.org"}},
    "echo": {"action": "std.echo", "input": {"output": "This is a test."}},
    "email": {
        "action": "std.email",
        "input": {
            "from_addr": "mistral@example.com",
            "to_addrs": ["admin@example.com"],
            "subject": "Test",
            "body": "This is a test.",
            "smtp_server": "localhost",
        },
    },
}


def merge(left: dict, right: dict) -> dict:
    """Deep-merge ``right`` into a copy of ``left``."""
    result = copy.deepcopy(left)
    for key, value in right.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def workflow_yaml(
    workflow: dict[str, Any] | None = None, *, base_tasks: bool = True, name: str = "test"
) -> str:
    """A workflows document with one workflow ``name`` (the base tasks merged in)."""
    body: dict[str, Any] = {"tasks": copy.deepcopy(BASE_TASKS)} if base_tasks else {}
    body = merge(body, workflow or {})
    return yaml.safe_dump({"version": "2.0", name: body}, sort_keys=False)


def parse_workflow(workflow: dict[str, Any] | None = None, **kwargs: Any) -> WorkflowSpec:
    """Parse a one-workflow document built by ``workflow_yaml`` and return the workflow."""
    name = kwargs.get("name", "test")
    return parse_workflows(workflow_yaml(workflow, **kwargs)).workflows[name]


def errors_of(text: str, *, workbook: bool = False) -> tuple[LangError, ...]:
    """The errors the document raises (fails the test when it is valid)."""
    try:
        (parse_workbook if workbook else parse_workflows)(text, "test.yaml")
    except ValidationError as exc:
        return exc.errors
    raise AssertionError(f"expected a validation error for:\n{text}")


def workflow_errors(workflow: dict[str, Any], **kwargs: Any) -> tuple[LangError, ...]:
    """The errors of a one-workflow document built by ``workflow_yaml``."""
    return errors_of(workflow_yaml(workflow, **kwargs))


def is_valid_workflow(workflow: dict[str, Any], **kwargs: Any) -> bool:
    """Whether a one-workflow document built by ``workflow_yaml`` validates."""
    try:
        parse_workflows(workflow_yaml(workflow, **kwargs))
    except ValidationError:
        return False
    return True
