"""One task of a workflow: what it runs, with which input, over which items, and what next."""

from __future__ import annotations

from typing import Any

from levante.lang import kinds
from levante.lang.checker import Checker, Field
from levante.lang.inline import WithItemsClause, parse_command, parse_with_items
from levante.lang.policies import POLICY_KEYS, parse_policies
from levante.lang.spec import (
    RESERVED_TASK_NAMES,
    JoinKind,
    OnClause,
    PublishSpec,
    TaskSpec,
    WithItems,
    WorkflowType,
)
from levante.lang.transitions import ON_CLAUSES, TargetRef, parse_on_clause, parse_publish

MAX_TASK_NAME = 255
#: Join tasks get a longer internal key, so their names must be shorter (as in Mistral).
MAX_JOIN_TASK_NAME = MAX_TASK_NAME - 47

COMMON_TASK_KEYS = (
    "description",
    "tags",
    "action",
    "workflow",
    "input",
    "with-items",
    "publish",
    "publish-on-error",
    "publish-on-skip",
    "target",
    "keep-result",
    "safe-rerun",
    *POLICY_KEYS,
)
DIRECT_TASK_KEYS = (*COMMON_TASK_KEYS, "join", *ON_CLAUSES)
REVERSE_TASK_KEYS = (*COMMON_TASK_KEYS, "requires")
#: Keys Mistral fills in itself; accepted and ignored when written.
INJECTED_KEYS = ("name", "version", "type")


def parse_task(ck: Checker, field: Field, name: str, wf_type: WorkflowType,
               refs: list[TargetRef]) -> TaskSpec | None:
    """Parse and check one task; transition targets are appended to ``refs``."""
    body = field.value
    if not isinstance(body, dict) or not body:
        ck.expected(field, "a non-empty mapping of task properties (action, input, ...)")
        return None
    _check_name(ck, field, name, body)
    _check_keys(ck, field, body, wf_type)

    tags = kinds.unique_strings(ck, field.child("tags")) if "tags" in body else ()
    description = kinds.string(ck, field.child("description")) if "description" in body else None
    action, workflow, task_input = _parse_runnable(ck, field, body)
    with_items = _parse_with_items(ck, field.child("with-items")) if "with-items" in body else None
    publishes = {
        key: parse_publish(ck, field.child(key)) if key in body else PublishSpec()
        for key in ("publish", "publish-on-error", "publish-on-skip")
    }
    target = None
    if "target" in body:
        target = kinds.string(ck, field.child("target"))
        ck.check_expressions(field.child("target"))
    keep_result = (
        kinds.flag_or_expression(ck, field.child("keep-result")) if "keep-result" in body
        else True
    )
    safe_rerun = (
        kinds.flag_or_expression(ck, field.child("safe-rerun")) if "safe-rerun" in body
        else None
    )
    policies = parse_policies(ck, field)

    clauses: dict[str, OnClause | None] = dict.fromkeys(ON_CLAUSES)
    join: JoinKind | int | None = None
    requires: tuple[str, ...] = ()
    if wf_type is WorkflowType.DIRECT:
        for key in ON_CLAUSES:
            if key in body:
                clauses[key] = parse_on_clause(ck, field.child(key), refs)
        if "join" in body:
            join = _parse_join(ck, field.child("join"), name)
    elif "requires" in body:
        requires = kinds.unique_strings(ck, field.child("requires"), single_ok=True)

    return TaskSpec(
        name=name,
        action=action,
        workflow=workflow,
        input=task_input,
        description=description,
        publish=publishes["publish"],
        publish_on_error=publishes["publish-on-error"],
        publish_on_skip=publishes["publish-on-skip"],
        with_items=with_items,
        keep_result=keep_result,
        target=target,
        safe_rerun=safe_rerun,
        policies=policies,
        join=join,
        on_success=clauses["on-success"],
        on_error=clauses["on-error"],
        on_complete=clauses["on-complete"],
        on_skip=clauses["on-skip"],
        requires=requires,
        tags=tags,
        location=ck.location_of(field, key=True),
        raw=body,
    )


def _check_name(ck: Checker, field: Field, name: str, body: dict[str, Any]) -> None:
    if name in RESERVED_TASK_NAMES:
        ck.error(field, f"{name!r} cannot be a task name: it is an engine command "
                 f"({', '.join(sorted(RESERVED_TASK_NAMES))} are reserved)", at_key=True)
    if len(name) > MAX_TASK_NAME:
        ck.error(field, f"a task name may have at most {MAX_TASK_NAME} characters "
                 f"(this one has {len(name)})", at_key=True)
    elif "join" in body and len(name) > MAX_JOIN_TASK_NAME:
        ck.error(field, f"the name of a task with 'join' may have at most {MAX_JOIN_TASK_NAME} "
                 f"characters (this one has {len(name)})", at_key=True)


def _check_keys(ck: Checker, field: Field, body: dict[str, Any], wf_type: WorkflowType) -> None:
    direct = wf_type is WorkflowType.DIRECT
    allowed = DIRECT_TASK_KEYS if direct else REVERSE_TASK_KEYS
    misplaced = ("requires",) if direct else ("join", *ON_CLAUSES)
    for key, child in field.items():
        if key in misplaced:
            other = "reverse" if direct else "direct"
            ck.error(child, f"{key!r} is for {other} workflows; this workflow is "
                     f"{wf_type.value}", hint=None if direct else
                     "add 'type: direct' to the workflow to use transitions", at_key=True)
    ck.unknown_keys(field, allowed, "a task", (*INJECTED_KEYS, *misplaced))


def _parse_runnable(ck: Checker, field: Field,
                    body: dict[str, Any]) -> tuple[str | None, str | None, dict | str]:
    """``action`` or ``workflow`` (with inline parameters) and the merged ``input``."""
    if "action" in body and "workflow" in body:
        ck.error(field.child("workflow"), "a task has either 'action' or 'workflow', not both",
                 at_key=True)
    kind = "action" if "action" in body else "workflow" if "workflow" in body else None
    name: str | None = None
    params: dict[str, Any] = {}
    if kind is not None:
        text_field = field.child(kind)
        text = kinds.string(ck, text_field, f"the name of the {kind}, possibly followed by "
                            "parameters (name key=value ...)")
        if text is not None:
            command = parse_command(text)
            for problem in command.problems:
                ck.error(text_field, f"in the inline parameters: {problem.message}",
                         offset=problem.offset)
            name, params = command.name, command.params
            # Each parameter is evaluated on its own, so each is checked on its own.
            for part, offset in command.texts():
                ck.check_expression_text(text_field, part, offset)
            _check_structured_params(ck, text_field, params)
    task_input: dict | str = {}
    if "input" in body:
        input_field = field.child("input")
        value = input_field.value
        if isinstance(value, str) and value:
            ck.check_expressions(input_field)
            if params:
                ck.error(input_field, "'input' as one expression cannot be combined with "
                         f"inline parameters on '{kind}'",
                         hint="move the inline parameters into the expression or write "
                         "'input' as a mapping")
            task_input = value
        elif isinstance(value, dict) and value:
            kinds.data_mapping(ck, input_field)
            # Inline parameters first: a key under 'input' takes precedence.
            task_input = {**params, **value}
        else:
            ck.expected(input_field, "a non-empty mapping of parameters or an expression")
            task_input = params
    else:
        task_input = params
    action = name if kind == "action" else None
    workflow = name if kind == "workflow" else None
    if kind is None:
        action = "std.noop"
    return action, workflow, task_input


def _parse_with_items(ck: Checker, field: Field) -> WithItems | None:
    value = field.value
    if isinstance(value, str):
        entries = [field]
    elif isinstance(value, list) and value:
        entries = list(field.elements())
    else:
        ck.expected(field, "'name in <% expression %>' or a list of such entries")
        return None
    variables: list[str] = []
    sources: list[Any] = []
    for entry in entries:
        if not isinstance(entry.value, str) or not entry.value.strip():
            ck.expected(entry, "'name in <% expression %>' or 'name in [a, b]'")
            continue
        parsed = parse_with_items(entry.value)
        if not isinstance(parsed, WithItemsClause):
            ck.error(entry, f"cannot read with-items {entry.value!r}: {parsed}")
            continue
        if parsed.variable in variables:
            ck.error(entry, f"with-items variable {parsed.variable!r} is used twice")
            continue
        ck.check_expressions(entry)
        variables.append(parsed.variable)
        sources.append(parsed.source)
    if len(variables) != len(entries):
        return None
    return WithItems(tuple(variables), tuple(sources))


def _parse_join(ck: Checker, field: Field, name: str) -> JoinKind | int | None:
    value = field.value
    if value in ("all", "one"):
        return JoinKind(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    ck.expected(field, "'all', 'one' or a non-negative integer")
    return None


def _check_structured_params(ck: Checker, field: Field, params: dict[str, Any]) -> None:
    """Expressions inside list / mapping parameter values (``k=["<% $.a %>"]``)."""
    for value in params.values():
        if isinstance(value, dict | list):
            ck.check_expressions(Field(value, None, None, field.path, field))
