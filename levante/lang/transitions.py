"""``on-success`` / ``on-error`` / ``on-complete`` / ``on-skip`` and ``publish``.

An on-clause is written as a task name, a list of names and ``{name: condition}``
entries, or the advanced mapping with ``next`` and ``publish``. A name may carry
parameters (``fail msg="<% $.why %>"`` or ``fail(msg=...)``); the engine
commands are ``fail``, ``succeed``, ``pause`` and ``noop``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from levante.lang import kinds
from levante.lang.checker import Checker, Field, is_expression
from levante.lang.inline import parse_command
from levante.lang.spec import OnClause, PublishSpec, Transition

ON_CLAUSES = ("on-success", "on-error", "on-complete", "on-skip")
PUBLISH_SCOPES = ("branch", "global", "atomic")
_NEXT_FORMS = (
    "a task name, a list of task names and {task: <% condition %>} entries, "
    "or a mapping with 'next' and 'publish'"
)


@dataclass(frozen=True)
class TargetRef:
    """A transition target as written, for checking that the task exists."""

    target: str
    field: Field
    is_key: bool = False
    """True when the target was written as the key of a ``{task: condition}`` entry."""


def parse_publish(ck: Checker, field: Field) -> PublishSpec:
    """Simple ``publish:`` (``{name: value}``): everything goes to the branch."""
    value = kinds.data_mapping(ck, field, "a non-empty mapping of variable names to values")
    return PublishSpec(branch=value or {})


def parse_advanced_publish(ck: Checker, field: Field) -> PublishSpec | None:
    """``publish:`` inside an on-clause: ``branch`` / ``global`` / ``atomic`` mappings."""
    value = field.value
    if not isinstance(value, dict) or not value:
        ck.expected(field, "a mapping with 'branch', 'global' and/or 'atomic'")
        return None
    ck.unknown_keys(field, PUBLISH_SCOPES, "publish (inside an on-clause, publish variables "
                    "under 'branch', 'global' or 'atomic')")
    scopes: dict[str, dict] = {}
    for scope in PUBLISH_SCOPES:
        if scope in value:
            scopes[scope] = kinds.data_mapping(ck, field.child(scope)) or {}
    return PublishSpec(
        branch=scopes.get("branch", {}),
        global_=scopes.get("global", {}),
        atomic=scopes.get("atomic", {}),
    )


def parse_on_clause(ck: Checker, field: Field, refs: list[TargetRef]) -> OnClause | None:
    """One on-clause; every target is appended to ``refs`` for the existence check."""
    value = field.value
    if isinstance(value, dict) and ("next" in value or "publish" in value):
        ck.unknown_keys(field, ("next", "publish"), "an on-clause")
        publish = None
        if "publish" in value:
            publish = parse_advanced_publish(ck, field.child("publish"))
        transitions: tuple[Transition, ...] = ()
        if "next" in value:
            transitions = _parse_next(ck, field.child("next"), refs)
        return OnClause(transitions, publish)
    transitions = _parse_next(ck, field, refs)
    return OnClause(transitions)


def _parse_next(ck: Checker, field: Field, refs: list[TargetRef]) -> tuple[Transition, ...]:
    value = field.value
    if isinstance(value, str | dict):
        transition = _parse_entry(ck, field, refs)
        return (transition,) if transition else ()
    if not isinstance(value, list) or not value:
        ck.expected(field, _NEXT_FORMS)
        return ()
    result: list[Transition] = []
    seen: set[str] = set()
    for item in field.elements():
        if not isinstance(item.value, str | dict):
            ck.expected(item, "a task name or a {task: <% condition %>} mapping")
            continue
        identity = json.dumps(item.value, sort_keys=True, default=str)
        if identity in seen:
            ck.error(item, "this transition is listed twice")
            continue
        seen.add(identity)
        transition = _parse_entry(ck, item, refs)
        if transition is not None:
            result.append(transition)
    return tuple(result)


def _parse_entry(ck: Checker, field: Field, refs: list[TargetRef]) -> Transition | None:
    value = field.value
    condition = None
    text_field = field
    is_key = isinstance(value, dict)
    if is_key:
        if len(value) != 1:
            ck.expected(field, "a mapping with exactly one {task: <% condition %>} entry",
                        "each conditional transition needs its own list item")
            return None
        (text, condition_value), = value.items()
        text_field = Field(text, value, text, field.path, field.anchor)
        condition_field = field.child(text)
        if not is_expression(condition_value):
            ck.expected(condition_field, kinds.EXPRESSION,
                        f"the condition of the transition to {text!r}")
            return None
        ck.check_expressions(condition_field)
        condition = condition_value
    else:
        text = value
    if not isinstance(text, str) or not text.strip():
        ck.error(text_field, expected="a task name or an engine command (fail, succeed, pause, "
                 "noop)", found=repr(text), at_key=is_key)
        return None
    command = parse_command(text)
    for problem in command.problems:
        ck.error(text_field, f"in {text!r}: {problem.message}", at_key=is_key)
    if not command.name or command.name.startswith(("<%", "{{")):
        ck.error(text_field, "a transition target must be a task name, not an expression",
                 found=repr(text), at_key=is_key)
        return None
    params_field = text_field.derived(command.params, "params")
    ck.check_expressions(params_field)
    refs.append(TargetRef(command.name, text_field, is_key))
    location = ck.location_of(text_field, key=is_key)
    return Transition(command.name, condition, command.params, location)
