"""The action provider serving the generated OpenStack actions (``nova.*``, ...).

Actions are generated on first lookup, not at import, so a server that never
uses OpenStack does not pay for reading the client libraries. A service whose
client library is not installed is simply not offered.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from levante.actions.descriptor import ActionDescriptor, describe_action_class
from levante.actions.openstack.action import OpenStackAction
from levante.actions.openstack.generator import ActionDefinition
from levante.actions.openstack.services import SERVICES, ServiceSpec

LOG = logging.getLogger(__name__)


def action_class(service: ServiceSpec, definition: ActionDefinition) -> type[OpenStackAction]:
    """A subclass of :class:`OpenStackAction` calling ``definition``'s method.

    Its ``__init__`` carries the method's signature, so the descriptor
    validates input (missing and unexpected names) and ``action-list`` shows it.
    """

    def __init__(self: OpenStackAction, **kwargs: Any) -> None:
        OpenStackAction.__init__(self, **kwargs)

    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    __init__.__signature__ = definition.signature.replace(  # type: ignore[attr-defined]
        parameters=[self_param, *definition.signature.parameters.values()]
    )
    class_name = "".join(p.capitalize() for p in definition.name.replace(".", "_").split("_"))
    return type(
        class_name,
        (OpenStackAction,),
        {
            "__init__": __init__,
            "__doc__": definition.description or f"Calls {definition.method_path}.",
            "__module__": __name__,
            "service": service,
            "action_name": definition.name,
            "method_path": definition.method_path,
        },
    )


class OpenStackActionProvider:
    """Serves ``nova.*`` (and any other service of :data:`SERVICES` that is installed)."""

    def __init__(self, services: Sequence[ServiceSpec] = SERVICES) -> None:
        """Offer the actions of ``services``."""
        self._services = tuple(services)
        self._descriptors: dict[str, ActionDescriptor] | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The provider's name."""
        return "openstack"

    def find(self, name: str, namespace: str = "") -> ActionDescriptor | None:
        """The action ``name`` (e.g. ``nova.servers_list``), or None."""
        if "." not in name or name.split(".", 1)[0] not in self.namespaces:
            return None  # std.* and friends never load the client libraries
        return self._ensure_loaded().get(name)

    def find_all(self, namespace: str = "") -> Iterable[ActionDescriptor]:
        """Every generated action."""
        return self._ensure_loaded().values()

    @property
    def namespaces(self) -> frozenset[str]:
        """The action name prefixes this provider serves (``nova``, ...)."""
        return frozenset(s.namespace for s in self._services)

    def _ensure_loaded(self) -> dict[str, ActionDescriptor]:
        with self._lock:
            if self._descriptors is None:
                self._descriptors = self._generate()
            return self._descriptors

    def _generate(self) -> dict[str, ActionDescriptor]:
        descriptors: dict[str, ActionDescriptor] = {}
        for service in self._services:
            if not service.available():
                LOG.info("OpenStack %s actions not offered: %s is not installed",
                         service.namespace, service.module)
                continue
            for definition in service.describe():
                cls = action_class(service, definition)
                descriptors[definition.name] = describe_action_class(
                    definition.name, cls, provider=self.name
                )
        return descriptors


def provider() -> OpenStackActionProvider:
    """Entry-point factory: the provider with every known service."""
    return OpenStackActionProvider()
