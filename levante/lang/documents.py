"""The three kinds of documents: workflows files, workbooks and ad-hoc actions files.

Each ``parse_*`` function reads YAML text, checks everything, and returns the
spec objects or raises ``ValidationError`` listing every problem found.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from levante.lang import kinds
from levante.lang.actions import parse_action
from levante.lang.checker import Checker, Field, describe
from levante.lang.errors import LangError, ValidationError
from levante.lang.spec import (
    ActionsDocument,
    ActionSpec,
    WorkbookSpec,
    WorkflowsDocument,
    WorkflowSpec,
)
from levante.lang.workflows import parse_workflow
from levante.lang.yamlload import DEFAULT_LIMITS, YamlLimits, load_yaml

WORKBOOK_KEYS = ("version", "name", "description", "tags", "workflows", "actions")
#: Names of workflows and actions inside a workbook (as Mistral's schema wants them).
_WORKBOOK_ITEM_NAME = re.compile(r"^[\w-]+$")
_VERSIONS = ("2.0", "2", "v2.0", "v2")


def parse_workflows(text: str, file: str | None = None, *, namespace: str = "",
                    limits: YamlLimits = DEFAULT_LIMITS) -> WorkflowsDocument:
    """A workflows file: ``version: '2.0'`` and one or more workflows by name."""
    ck, root = _load(text, file, limits)
    workflows = _parse_items(ck, root, "workflow", lambda f, n: parse_workflow(ck, f, n, namespace))
    _raise_if_errors(ck)
    return WorkflowsDocument(workflows=workflows)


def parse_actions(text: str, file: str | None = None, *, namespace: str = "",
                  limits: YamlLimits = DEFAULT_LIMITS) -> ActionsDocument:
    """An ad-hoc actions file: ``version: '2.0'`` and one or more actions by name."""
    ck, root = _load(text, file, limits)
    actions = _parse_items(ck, root, "ad-hoc action",
                           lambda f, n: parse_action(ck, f, n, namespace))
    _raise_if_errors(ck)
    return ActionsDocument(actions=actions)


def parse_workbook(text: str, file: str | None = None, *, namespace: str = "",
                   limits: YamlLimits = DEFAULT_LIMITS) -> WorkbookSpec:
    """A workbook: ``name``, ``workflows`` and ``actions`` (plus description, tags)."""
    ck, root = _load(text, file, limits)
    spec = _parse_workbook(ck, root, namespace)
    _raise_if_errors(ck)
    assert spec is not None
    return spec


def parse_any(text: str, file: str | None = None, *, namespace: str = "",
              limits: YamlLimits = DEFAULT_LIMITS,
              ) -> WorkflowsDocument | WorkbookSpec | ActionsDocument:
    """Detect the kind of document and parse it.

    A workbook has ``name`` and ``workflows`` or ``actions``; an actions file
    has only mappings with ``base``; anything else is read as a workflows file.
    """
    ck, root = _load(text, file, limits)
    kind = document_kind(root.value)
    if kind == "workbook":
        result: Any = _parse_workbook(ck, root, namespace)
    elif kind == "actions":
        result = ActionsDocument(_parse_items(ck, root, "ad-hoc action",
                                              lambda f, n: parse_action(ck, f, n, namespace)))
    else:
        result = WorkflowsDocument(_parse_items(ck, root, "workflow",
                                                lambda f, n: parse_workflow(ck, f, n, namespace)))
    _raise_if_errors(ck)
    return result


def document_kind(root: Any) -> str:
    """``"workbook"``, ``"actions"`` or ``"workflows"`` for a loaded document."""
    if not isinstance(root, dict):
        return "workflows"
    if "name" in root and ("workflows" in root or "actions" in root):
        return "workbook"
    items = [v for k, v in root.items() if k != "version"]
    if items and all(isinstance(v, dict) and "base" in v and "tasks" not in v for v in items):
        return "actions"
    return "workflows"


def _load(text: str, file: str | None, limits: YamlLimits) -> tuple[Checker, Field]:
    loaded = load_yaml(text, file, limits)
    ck = Checker(loaded.source)
    root = ck.root(loaded.root)
    if not isinstance(loaded.root, dict) or not loaded.root:
        found = "an empty document" if loaded.root in (None, "", {}) else describe(loaded.root)
        raise ValidationError([LangError(
            "", ck.source.location((0, 0, None)), "",
            found, "a mapping with 'version' and workflows, actions or a workbook")])
    return ck, root


def _check_version(ck: Checker, root: Field, required: bool = True) -> None:
    value = root.value
    if "version" not in value:
        if required:
            ck.error(root, "'version' is required", hint="add version: '2.0' at the top")
        return
    version = value["version"]
    if isinstance(version, bool) or str(version) not in _VERSIONS:
        ck.expected(root.child("version"), "'2.0' (the only supported version)",
                    "unsupported version")


def _parse_items(ck: Checker, root: Field, what: str,
                 parse: Callable[[Field, str], Any]) -> dict[str, Any]:
    _check_version(ck, root)
    items: dict[str, Any] = {}
    found_any = False
    for name, field in root.items():
        if name == "version":
            continue
        found_any = True
        if not isinstance(name, str) or not name:
            ck.error(field, f"{what} names must be non-empty strings", found=describe(name),
                     at_key=True)
            continue
        spec = parse(field, name)
        if spec is not None:
            items[name] = spec
    if not found_any:
        ck.error(root, f"the document has no {what}", hint=f"add at least one {what} by name "
                 "next to 'version'")
    return items


def _parse_workbook(ck: Checker, root: Field, namespace: str) -> WorkbookSpec | None:
    body = root.value
    _check_version(ck, root)
    ck.unknown_keys(root, WORKBOOK_KEYS, "a workbook")
    name = None
    if "name" not in body:
        ck.error(root, "a workbook needs 'name'")
    else:
        name = kinds.string(ck, root.child("name"))
    description = kinds.string(ck, root.child("description")) if "description" in body else None
    tags = kinds.unique_strings(ck, root.child("tags")) if "tags" in body else ()
    workflows: dict[str, WorkflowSpec] = {}
    actions: dict[str, ActionSpec] = {}
    if "workflows" in body:
        workflows = _workbook_section(ck, root.child("workflows"), "workflow",
                                      lambda f, n: parse_workflow(ck, f, n, namespace))
    if "actions" in body:
        actions = _workbook_section(ck, root.child("actions"), "ad-hoc action",
                                    lambda f, n: parse_action(ck, f, n, namespace))
    return WorkbookSpec(
        name=name or "",
        workflows=workflows,
        actions=actions,
        description=description,
        tags=tags,
        location=ck.location_of(root),
        namespace=namespace,
        raw=body,
    )


def _workbook_section(ck: Checker, field: Field, what: str,
                      parse: Callable[[Field, str], Any]) -> dict[str, Any]:
    if not isinstance(field.value, dict) or not field.value:
        ck.expected(field, f"a non-empty mapping of {what} names to definitions")
        return {}
    result: dict[str, Any] = {}
    for name, child in field.items():
        if name == "version":
            version = child.value
            if isinstance(version, bool) or str(version) not in _VERSIONS:
                ck.expected(child, "'2.0'", "unsupported version")
            continue
        if not isinstance(name, str) or not _WORKBOOK_ITEM_NAME.match(name):
            ck.error(child, f"invalid {what} name", found=describe(name),
                     expected="letters, digits, '_' and '-'", at_key=True)
            continue
        spec = parse(child, name)
        if spec is not None:
            result[name] = spec
    return result


def _raise_if_errors(ck: Checker) -> None:
    if ck.errors:
        raise ValidationError(ck.errors)
