"""Generating action definitions from an OpenStack client library.

Every public method of every manager of the client becomes an action named
``<namespace>.<manager>_<method>`` (``nova.servers_list`` calls
``client.servers.list``), as mistral-extra names them. The input signature is
the method's own (for novaclient methods that change with the microversion,
the newest variant's, since actions negotiate the newest microversion),
plus ``action_region`` (as mistral-extra) and ``action_cloud`` (Levante).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

#: Manager methods that are plumbing, not API calls (mistral-extra skips the same).
NOT_ACTIONS = frozenset(
    {
        "add_hook", "alternate_service_type", "completion_cache", "run_hooks",
        "write_to_completion_cache", "model", "build_key_only_query", "build_url",
        "head", "put", "unvalidated_model",
    }
)

#: Inputs every generated action takes besides the method's own.
ACTION_REGION = "action_region"
ACTION_CLOUD = "action_cloud"


@dataclass(frozen=True, slots=True)
class ActionDefinition:
    """One action to generate: its name, the client method it calls, its input."""

    name: str
    method_path: str
    signature: inspect.Signature
    description: str


def public_methods(obj: Any) -> list[str]:
    """Names of ``obj``'s public bound methods that are API calls."""
    names = []
    for attr in dir(obj):
        if attr.startswith("_") or attr in NOT_ACTIONS:
            continue
        try:
            value = getattr(obj, attr)
        except AttributeError:
            continue
        if inspect.ismethod(value):
            names.append(attr)
    return names


def managers_of(client: Any, manager_type: type) -> list[str]:
    """Attribute names of ``client`` holding a ``manager_type`` instance."""
    return [
        attr
        for attr in dir(client)
        if not attr.startswith("_") and isinstance(getattr(client, attr, None), manager_type)
    ]


def _newest_variant(method: Any, newest: Callable[[Any], Any] | None) -> Any:
    if newest is None:
        return method
    return newest(method) or method


def method_signature(method: Any) -> inspect.Signature:
    """The method's parameters without ``self``, positional ones made keyword-capable."""
    parameters = []
    for p in inspect.signature(method).parameters.values():
        if p.name == "self":
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            continue  # cannot be given by name in an action input
        if p.kind is inspect.Parameter.POSITIONAL_ONLY:
            p = p.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD)
        parameters.append(p)
    return inspect.Signature(parameters)


def with_action_inputs(signature: inspect.Signature) -> inspect.Signature:
    """Add ``action_region=""`` and ``action_cloud=None`` before any ``**kwargs``."""
    params = list(signature.parameters.values())
    var_kw = [p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD]
    regular = [p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
    kind = inspect.Parameter.KEYWORD_ONLY if any(
        p.kind is inspect.Parameter.KEYWORD_ONLY for p in regular
    ) else inspect.Parameter.POSITIONAL_OR_KEYWORD
    names = {p.name for p in regular}
    extra = [
        inspect.Parameter(name, kind, default=default)
        for name, default in ((ACTION_REGION, ""), (ACTION_CLOUD, None))
        if name not in names
    ]
    return signature.replace(parameters=regular + extra + var_kw)


def definitions(
    namespace: str,
    client: Any,
    managers: Iterable[str],
    newest: Callable[[Any], Any] | None = None,
) -> list[ActionDefinition]:
    """An :class:`ActionDefinition` per public method of each manager of ``client``.

    ``newest`` maps a versioned method to its newest implementation (None
    when the library has no such notion).
    """
    found: list[ActionDefinition] = []
    for manager_name in sorted(managers):
        manager = getattr(client, manager_name)
        for method_name in public_methods(manager):
            method = _newest_variant(getattr(manager, method_name), newest)
            try:
                signature = with_action_inputs(method_signature(method))
            except (TypeError, ValueError):
                continue  # a builtin without an introspectable signature
            found.append(
                ActionDefinition(
                    name=f"{namespace}.{manager_name}_{method_name}",
                    method_path=f"{manager_name}.{method_name}",
                    signature=signature,
                    description=inspect.getdoc(method) or "",
                )
            )
    return found
