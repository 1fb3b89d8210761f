"""Ad-hoc actions: expanding one into the action that really runs, and shaping its result.

An ad-hoc action names a ``base`` action (possibly another ad-hoc action: a
chain), computes the base's input from ``base-input`` expressions over its own
declared ``input`` (with defaults), and may reshape the base's result with an
``output`` expression (``$`` is the result). :func:`expand` follows the chain
down to a non-ad-hoc action and returns what to run plus the output transforms
(innermost first); :func:`apply_output` applies them to a result. The engine
(workflow tasks) and ``run-action`` both use these, so there is one
implementation.

A short name written inside a workbook (a task's action, an ad-hoc action's
base) is looked for first as ``<workbook>.<name>``, as for sub-workflows.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from levante.engine.errors import EngineError
from levante.engine.naming import subworkflow_candidates

#: How deep ad-hoc actions may be built on other ad-hoc actions.
MAX_ADHOC_DEPTH = 10

#: The key of an action execution's runtime_context that holds the expansion.
CONTEXT_KEY = "adhoc"


class AdhocActionError(EngineError):
    """An ad-hoc action cannot be expanded (bad input, a base-input error, a cycle)."""


class AdhocOutputError(EngineError):
    """An ad-hoc action's ``output`` expression failed on the base action's result."""


@dataclass(frozen=True, slots=True)
class AdhocAction:
    """One ad-hoc action definition, as stored (``name`` is its stored name: ``wb.act``)."""

    name: str
    base: str
    base_input: Mapping[str, Any]
    input: tuple[tuple[str, bool, Any], ...]
    """Declared inputs: (name, has a default, the default)."""
    output: Any = None
    workbook: str | None = None
    """The workbook that defines it (its short names resolve inside it first)."""

    @classmethod
    def from_spec(cls, name: str, spec: Mapping[str, Any],
                  workbook: str | None = None) -> AdhocAction:
        """From a stored ``spec`` mapping (``base``, ``base-input``, ``input``, ``output``)."""
        declared: list[tuple[str, bool, Any]] = []
        raw = spec.get("input") or []
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, Mapping):
                declared.extend((str(k), True, v) for k, v in item.items())
            else:
                declared.append((str(item), False, None))
        base_input = spec.get("base-input") or {}
        return cls(name=name, base=str(spec.get("base") or ""),
                   base_input=dict(base_input) if isinstance(base_input, Mapping) else {},
                   input=tuple(declared), output=spec.get("output"), workbook=workbook)


@dataclass(frozen=True, slots=True)
class Expansion:
    """What to run for an ad-hoc action, and how to shape its result."""

    base: str
    base_input: dict[str, Any]
    output: tuple[Any, ...]
    """The output transforms, innermost ad-hoc action first (None entries dropped)."""

    def to_context(self) -> dict[str, Any]:
        """The value stored under ``runtime_context["adhoc"]`` of the action execution."""
        return {"base": self.base, "base_input": self.base_input, "output": list(self.output)}


#: find(name, namespace) -> the ad-hoc action stored under that exact name, or None.
Finder = Callable[[str, str], AdhocAction | None]


def lookup(find: Finder, name: str, namespace: str,
           workbook: str | None) -> AdhocAction | None:
    """Ad-hoc action ``name`` as written inside ``workbook`` (if any), or None.

    Names under ``std.`` are system actions (an ad-hoc action may not take a
    system action's name), so they are not looked up.
    """
    if name.startswith("std."):
        return None
    for candidate in subworkflow_candidates(name, workbook):
        found = find(candidate, namespace)
        if found is not None:
            return found
    return None


def expand(find: Finder, name: str, given: Mapping[str, Any], namespace: str = "", *,
           workbook: str | None = None,
           outer: Callable[[], Mapping[str, Any]] | None = None) -> Expansion | None:
    """Follow ad-hoc action ``name`` down to the action that runs; None if not ad-hoc.

    ``base-input`` expressions see the action's input (with defaults) and,
    behind it, what ``outer()`` gives (a task's workflow context), as in Mistral.

    Raises :class:`AdhocActionError` for missing or unexpected input, a
    ``base-input`` expression that fails, or a chain deeper than
    :data:`MAX_ADHOC_DEPTH` (a cycle).
    """
    transforms: list[Any] = []
    current, current_input, inside = name, dict(given), workbook
    for depth in range(MAX_ADHOC_DEPTH + 1):
        adhoc = lookup(find, current, namespace, inside)
        if adhoc is None:
            break
        if depth == MAX_ADHOC_DEPTH:
            raise AdhocActionError(
                f"Ad-hoc action {name} is built on more than {MAX_ADHOC_DEPTH} levels of "
                "other ad-hoc actions; check the 'base' of each for a cycle.")
        current_input = _base_input(adhoc, current_input, outer)
        transforms.append(adhoc.output)
        current, inside = adhoc.base, adhoc.workbook
    if not transforms:
        return None
    return Expansion(current, current_input,
                     tuple(t for t in reversed(transforms) if t is not None))


def _base_input(adhoc: AdhocAction, given: dict[str, Any],
                outer: Callable[[], Mapping[str, Any]] | None) -> dict[str, Any]:
    if not adhoc.base:
        raise AdhocActionError(f"Ad-hoc action {adhoc.name} has no 'base' action")
    names = [n for n, _, _ in adhoc.input]
    takes = ", ".join(names) or "no input"
    missing = [n for n, has_default, _ in adhoc.input if not has_default and n not in given]
    unexpected = sorted(set(given) - set(names))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected {', '.join(unexpected)}")
        raise AdhocActionError(
            f"Invalid input for action {adhoc.name}: {'; '.join(parts)} (it takes: {takes})")
    own = {n: given.get(n, default) for n, _, default in adhoc.input}
    context: Mapping[str, Any] = ChainMap(own, dict(outer())) if outer is not None else own
    from levante.expr import ExpressionError, evaluate

    try:
        value = evaluate(dict(adhoc.base_input), context)
    except ExpressionError as exc:
        raise AdhocActionError(
            f"Cannot compute the base input of action {adhoc.name}: {exc}") from exc
    return dict(value)


def apply_output(transforms: Any, result: Any) -> Any:
    """``result`` reshaped by each output transform in turn (``$`` is the result so far).

    Raises :class:`AdhocOutputError` when an expression fails.
    """
    from levante.expr import ExpressionError, evaluate

    for transform in transforms or ():
        if transform is None:
            continue
        try:
            result = evaluate(transform, result)
        except ExpressionError as exc:
            raise AdhocOutputError(f"Cannot compute the ad-hoc action's output: {exc}") from exc
    return result


def output_of(runtime_context: Mapping[str, Any]) -> list[Any]:
    """The output transforms an action execution's runtime_context carries (maybe none)."""
    adhoc = runtime_context.get(CONTEXT_KEY)
    if not isinstance(adhoc, Mapping):
        return []
    return list(adhoc.get("output") or [])
