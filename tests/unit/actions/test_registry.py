"""The registry asks providers in order; unknown names fail clearly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from levante.actions import (
    Action,
    ActionDescriptor,
    ActionNotFound,
    ActionProvider,
    ActionRegistry,
    ClassActionProvider,
    default_registry,
)
from levante.actions.std import StdActionProvider


class Shadow(Action):
    """Not the real noop."""

    def run(self, context: Any) -> str:
        return "shadow"


def test_unknown_action_is_refused_with_close_names() -> None:
    registry = ActionRegistry([StdActionProvider()])
    with pytest.raises(ActionNotFound) as info:
        registry.get("std.eco")
    assert "Action 'std.eco' not found" in str(info.value)
    assert "std.echo" in info.value.suggestions


def test_find_returns_none_for_unknown_names() -> None:
    assert ActionRegistry([StdActionProvider()]).find("nope") is None


def test_the_first_provider_that_knows_a_name_wins() -> None:
    extra = ClassActionProvider("extra", {"std.noop": Shadow, "acme.x": Shadow})
    registry = ActionRegistry([StdActionProvider(), extra])
    assert registry.get("std.noop").provider == "std"
    assert registry.get("acme.x").provider == "extra"
    registry.add_provider(ClassActionProvider("override", {"std.noop": Shadow}), first=True)
    assert registry.get("std.noop").provider == "override"


def test_list_is_sorted_and_leaves_out_shadowed_actions() -> None:
    extra = ClassActionProvider("extra", {"std.noop": Shadow, "acme.x": Shadow})
    names = [(d.name, d.provider) for d in ActionRegistry([StdActionProvider(), extra]).list()]
    assert names == sorted(names)
    assert ("std.noop", "std") in names
    assert ("std.noop", "extra") not in names
    assert ("acme.x", "extra") in names


def test_a_hand_written_provider_plugs_in() -> None:
    class Computed:
        """Makes up actions on the fly, as an OpenStack provider would."""

        name = "computed"

        def find(self, name: str, namespace: str = "") -> ActionDescriptor | None:
            if not name.startswith("calc."):
                return None
            from levante.actions import describe_action_class

            return describe_action_class(name, Shadow, provider=self.name)

        def find_all(self, namespace: str = "") -> Iterable[ActionDescriptor]:
            return []

    provider = Computed()
    assert isinstance(provider, ActionProvider)
    registry = ActionRegistry([StdActionProvider(), provider])
    assert registry.get("calc.anything").provider == "computed"


def test_default_registry_serves_the_std_actions() -> None:
    names = {d.name for d in default_registry(load_plugins=False).list()}
    assert {
        "std.noop",
        "std.async_noop",
        "std.echo",
        "std.fail",
        "std.sleep",
        "std.test_dict",
    } <= names
