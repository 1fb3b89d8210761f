"""Ad-hoc actions: a ``base`` action with preset ``base-input``, ``input`` and ``output``."""

from __future__ import annotations

from levante.lang import kinds
from levante.lang.checker import Checker, Field
from levante.lang.inline import parse_command
from levante.lang.spec import ActionSpec

ACTION_KEYS = ("base", "base-input", "input", "output", "description", "tags")
_INJECTED = ("name", "version")


def parse_action(ck: Checker, field: Field, name: str, namespace: str = "") -> ActionSpec | None:
    """Parse and check one ad-hoc action (``field`` is its mapping)."""
    body = field.value
    if not isinstance(body, dict) or not body:
        ck.expected(field, "an ad-hoc action: a mapping with 'base' (and optionally "
                    "base-input, input, output)")
        return None
    ck.unknown_keys(field, ACTION_KEYS, "an ad-hoc action", _INJECTED)
    base_name = None
    params: dict = {}
    if "base" not in body:
        ck.error(field, "an ad-hoc action needs 'base' (the action it wraps)", at_key=True)
    else:
        base_field = field.child("base")
        text = kinds.string(ck, base_field, "the name of the base action, possibly followed by "
                            "parameters (name key=value ...)")
        if text is not None:
            command = parse_command(text)
            for problem in command.problems:
                ck.error(base_field, f"in the inline parameters: {problem.message}",
                         offset=problem.offset)
            base_name, params = command.name, command.params
            for part, offset in command.texts():
                ck.check_expression_text(base_field, part, offset)
    base_input: dict = {}
    if "base-input" in body:
        base_input = kinds.data_mapping(ck, field.child("base-input")) or {}
    inputs = kinds.input_params(ck, field.child("input")) if "input" in body else ()
    output = body.get("output")
    if "output" in body:
        ck.check_expressions(field.child("output"))
    description = kinds.string(ck, field.child("description")) if "description" in body else None
    tags = kinds.unique_strings(ck, field.child("tags")) if "tags" in body else ()
    if base_name is None:
        return None
    return ActionSpec(
        name=name,
        base=base_name,
        # Inline parameters first: a key under 'base-input' takes precedence.
        base_input={**params, **base_input},
        input=inputs,
        output=output,
        description=description,
        tags=tags,
        location=ck.location_of(field, key=True),
        namespace=namespace,
        raw=body,
    )
