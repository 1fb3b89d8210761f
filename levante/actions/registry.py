"""Where actions come from: providers, and the registry that asks them in order.

An :class:`ActionProvider` is the one seam every source of actions plugs into:
the ``std`` actions, Python packages declaring entry points, and later
OpenStack, SSH, e-mail, HTTP and ad-hoc actions. The registry asks its
providers in order; the first that knows a name wins.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from levante.actions.descriptor import ActionDescriptor, describe_action_class
from levante.actions.errors import ActionNotFound


@runtime_checkable
class ActionProvider(Protocol):
    """A source of actions (the plug-in seam for new kinds of actions)."""

    @property
    def name(self) -> str:
        """A short name for messages and ``action-list`` (e.g. ``"std"``)."""
        ...

    def find(self, name: str, namespace: str = "") -> ActionDescriptor | None:
        """The action called ``name``, or None when this provider lacks it.

        May raise :class:`~levante.actions.errors.ActionLoadError` when the
        provider knows the name but cannot load its code.
        """
        ...

    def find_all(self, namespace: str = "") -> Iterable[ActionDescriptor]:
        """Every action this provider offers."""
        ...


class ClassActionProvider:
    """Serves a fixed set of Python action classes, described once."""

    def __init__(self, name: str, classes: Mapping[str, type]) -> None:
        """Describe each ``action name -> class`` pair of ``classes``."""
        self._name = name
        self._descriptors: dict[str, ActionDescriptor] = {
            action_name: describe_action_class(action_name, cls, provider=name)
            for action_name, cls in classes.items()
        }

    @property
    def name(self) -> str:
        """The provider's name."""
        return self._name

    def find(self, name: str, namespace: str = "") -> ActionDescriptor | None:
        """The action called ``name`` (namespaces do not apply to Python actions)."""
        return self._descriptors.get(name)

    def find_all(self, namespace: str = "") -> Iterable[ActionDescriptor]:
        """All actions of this provider."""
        return self._descriptors.values()


class ActionRegistry:
    """Looks actions up across providers, first provider first."""

    def __init__(self, providers: Sequence[ActionProvider] = ()) -> None:
        """Start with ``providers`` in lookup order."""
        self._providers: list[ActionProvider] = list(providers)

    @property
    def providers(self) -> tuple[ActionProvider, ...]:
        """The providers in lookup order."""
        return tuple(self._providers)

    def add_provider(self, provider: ActionProvider, *, first: bool = False) -> None:
        """Add a provider, last (default) or ``first`` so it shadows the others."""
        if first:
            self._providers.insert(0, provider)
        else:
            self._providers.append(provider)

    def find(self, name: str, namespace: str = "") -> ActionDescriptor | None:
        """The descriptor of ``name``, or None."""
        for provider in self._providers:
            found = provider.find(name, namespace)
            if found is not None:
                return found
        return None

    def get(self, name: str, namespace: str = "") -> ActionDescriptor:
        """The descriptor of ``name``; raises :class:`ActionNotFound` with suggestions."""
        found = self.find(name, namespace)
        if found is None:
            known = [d.name for d in self.list(namespace)]
            close = tuple(difflib.get_close_matches(name, known, n=3))
            raise ActionNotFound(name, namespace, close)
        return found

    async def aclose(self) -> None:
        """Let providers release what they hold (pooled connections) at shutdown.

        Calls ``aclose()`` on every provider that has one; providers need not.
        """
        for provider in self._providers:
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()

    def list(self, namespace: str = "") -> list[ActionDescriptor]:
        """Every reachable action, sorted by name (shadowed duplicates left out)."""
        seen: dict[str, ActionDescriptor] = {}
        for provider in self._providers:
            for descriptor in provider.find_all(namespace):
                seen.setdefault(descriptor.name, descriptor)
        return sorted(seen.values(), key=lambda d: d.name)


def default_registry(*, load_plugins: bool = True) -> ActionRegistry:
    """The registry a Levante server uses.

    Order: the ``std`` actions, SSH ones included (so an installed package cannot silently
    replace them, and upstream Mistral's own ``std.*`` entry points, if
    Mistral happens to be installed, are ignored), the OpenStack actions
    (``nova.*``, generated on first use), then providers declared
    in the ``levante.action_providers`` entry-point group, then action
    classes from the ``levante.actions`` and ``mistral.actions`` groups.
    """
    from levante.actions.entry_points import (
        EntryPointActionProvider,
        load_provider_plugins,
    )
    from levante.actions.openstack import OpenStackActionProvider
    from levante.actions.ssh.provider import SshActionProvider
    from levante.actions.std import StdActionProvider

    registry = ActionRegistry(
        [StdActionProvider(), SshActionProvider(), OpenStackActionProvider()]
    )
    if load_plugins:
        for provider in load_provider_plugins():
            registry.add_provider(provider)
        registry.add_provider(EntryPointActionProvider())
    return registry
