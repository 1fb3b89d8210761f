"""Actions and action providers installed as Python packages (entry points).

A package declares action classes the way it would for Mistral:

.. code-block:: toml

    [project.entry-points."mistral.actions"]     # or "levante.actions"
    "acme.restart" = "acme_actions:RestartAction"

and whole providers (a factory returning an ``ActionProvider``) under
``levante.action_providers``. A broken entry point does not hide the others:
looking up its action raises :class:`ActionLoadError` saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from importlib import metadata

from levante.actions.descriptor import ActionDescriptor, describe_action_class
from levante.actions.errors import ActionLoadError
from levante.actions.registry import ActionProvider

LOG = logging.getLogger(__name__)

#: Levante's own group for action classes; it wins over Mistral's.
LEVANTE_ACTIONS_GROUP = "levante.actions"
#: The group upstream Mistral reads, so Mistral plugin packages work as they are.
MISTRAL_ACTIONS_GROUP = "mistral.actions"
#: Factories of whole providers (OpenStack, SSH, ...).
PROVIDERS_GROUP = "levante.action_providers"


class EntryPointActionProvider:
    """Action classes declared by installed packages, loaded on first use."""

    def __init__(
        self,
        groups: Sequence[str] = (LEVANTE_ACTIONS_GROUP, MISTRAL_ACTIONS_GROUP),
        name: str = "entry-points",
    ) -> None:
        """Read ``groups`` in order; an earlier group wins a name clash."""
        self._groups = tuple(groups)
        self._name = name
        self._descriptors: dict[str, ActionDescriptor] | None = None
        self._failures: dict[str, ActionLoadError] = {}

    @property
    def name(self) -> str:
        """The provider's name."""
        return self._name

    @property
    def load_errors(self) -> dict[str, ActionLoadError]:
        """Entry points that failed to load, by action name."""
        self._ensure_loaded()
        return dict(self._failures)

    def find(self, name: str, namespace: str = "") -> ActionDescriptor | None:
        """The action ``name``; raises ActionLoadError if its package is broken."""
        descriptors = self._ensure_loaded()
        found = descriptors.get(name)
        if found is None and name in self._failures:
            raise self._failures[name]
        return found

    def find_all(self, namespace: str = "") -> Iterable[ActionDescriptor]:
        """Every action that loaded."""
        return self._ensure_loaded().values()

    def reload(self) -> None:
        """Forget what was loaded; the next lookup reads entry points again."""
        self._descriptors = None
        self._failures = {}

    def _ensure_loaded(self) -> dict[str, ActionDescriptor]:
        if self._descriptors is None:
            self._descriptors = self._load()
        return self._descriptors

    def _load(self) -> dict[str, ActionDescriptor]:
        loaded: dict[str, ActionDescriptor] = {}
        for group in self._groups:
            for entry in metadata.entry_points(group=group):
                if entry.name in loaded or entry.name in self._failures:
                    continue
                source = f"entry point '{entry.name} = {entry.value}' (group {group})"
                try:
                    cls = entry.load()
                    loaded[entry.name] = describe_action_class(
                        entry.name, cls, provider=f"{self._name}:{group}"
                    )
                except (ImportError, AttributeError, TypeError, ValueError) as exc:
                    LOG.warning("Cannot load action from %s: %s", source, exc)
                    self._failures[entry.name] = ActionLoadError(entry.name, source, exc)
        return loaded


def load_provider_plugins(group: str = PROVIDERS_GROUP) -> list[ActionProvider]:
    """Instantiate every provider factory declared in ``group``.

    A factory that fails to import or returns something that is not a
    provider is logged and skipped, so one broken package cannot stop the
    server from starting.
    """
    providers: list[ActionProvider] = []
    for entry in metadata.entry_points(group=group):
        try:
            provider = entry.load()()
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            LOG.warning("Cannot load action provider '%s' (%s): %s", entry.name, entry.value, exc)
            continue
        if not isinstance(provider, ActionProvider):
            LOG.warning(
                "Entry point '%s' (%s) did not return an action provider", entry.name, entry.value
            )
            continue
        providers.append(provider)
    return providers
