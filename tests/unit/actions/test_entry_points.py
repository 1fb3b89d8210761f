"""Actions from installed packages: Mistral's and Levante's entry-point groups.

Each test installs a tiny distribution (a ``.dist-info`` folder and a module)
in a temporary directory put on ``sys.path``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from levante.actions import ActionLoadError, ActionRegistry, default_registry
from levante.actions.entry_points import EntryPointActionProvider, load_provider_plugins
from levante.actions.std import StdActionProvider

_counter = 0


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Return a function installing a fake distribution with entry points and code."""

    def _install(entry_points: str, module_code: str) -> str:
        global _counter
        _counter += 1
        module = f"levante_fake_plugin_{_counter}"
        dist = tmp_path / f"{module}-1.0.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
        (dist / "entry_points.txt").write_text(
            textwrap.dedent(entry_points).replace("MODULE", module)
        )
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(module_code))
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delitem(sys.modules, module, raising=False)
        return module

    return _install


PLUGIN_CODE = """
    class Restart:
        \"\"\"Restarts a service.\"\"\"

        def __init__(self, service, grace=10):
            self.service = service
            self.grace = grace

        def run(self, context):
            return "restarted " + self.service

        def is_sync(self):
            return True


    class LevanteRestart(Restart):
        \"\"\"Levante's own restart.\"\"\"
"""


def test_actions_declared_for_mistral_are_found(install) -> None:
    install(
        """
        [mistral.actions]
        acme.restart = MODULE:Restart
        """,
        PLUGIN_CODE,
    )
    descriptor = EntryPointActionProvider().find("acme.restart")
    assert descriptor is not None
    assert descriptor.params_spec == "service, grace=10"
    assert descriptor.description == "Restarts a service."
    assert descriptor.instantiate({"service": "ntp"}).run(None) == "restarted ntp"


def test_levante_group_wins_over_mistral_group(install) -> None:
    install(
        """
        [mistral.actions]
        acme.restart = MODULE:Restart

        [levante.actions]
        acme.restart = MODULE:LevanteRestart
        """,
        PLUGIN_CODE,
    )
    descriptor = EntryPointActionProvider().find("acme.restart")
    assert descriptor is not None
    assert descriptor.description == "Levante's own restart."
    assert descriptor.provider == "entry-points:levante.actions"


def test_std_actions_cannot_be_replaced_by_a_plugin(install) -> None:
    install(
        """
        [mistral.actions]
        std.echo = MODULE:Restart
        """,
        PLUGIN_CODE,
    )
    registry = default_registry()
    assert registry.get("std.echo").provider == "std"


def test_a_broken_entry_point_fails_its_own_lookup_only(install) -> None:
    install(
        """
        [mistral.actions]
        acme.restart = MODULE:Restart
        acme.broken = MODULE:DoesNotExist
        acme.missing = levante_no_such_module_xyz:Thing
        """,
        PLUGIN_CODE,
    )
    provider = EntryPointActionProvider()
    registry = ActionRegistry([StdActionProvider(), provider])
    assert registry.get("acme.restart").name == "acme.restart"
    with pytest.raises(ActionLoadError, match=r"Action 'acme.broken' is declared by entry point"):
        registry.get("acme.broken")
    with pytest.raises(ActionLoadError, match=r"ModuleNotFoundError"):
        registry.get("acme.missing")
    assert set(provider.load_errors) == {"acme.broken", "acme.missing"}
    assert "acme.broken" not in {d.name for d in registry.list()}


def test_provider_factories_are_loaded_from_their_group(install) -> None:
    install(
        """
        [levante.action_providers]
        fleet = MODULE:make_provider
        junk = MODULE:make_junk
        """,
        """
        from levante.actions import ClassActionProvider, Action

        class Ping(Action):
            def run(self, context):
                return "pong"

        def make_provider():
            return ClassActionProvider("fleet", {"fleet.ping": Ping})

        def make_junk():
            return 42
        """,
    )
    providers = load_provider_plugins()
    assert [p.name for p in providers] == ["fleet"]
    assert default_registry().get("fleet.ping").provider == "fleet"


def test_reload_reads_entry_points_again(install) -> None:
    provider = EntryPointActionProvider()
    assert provider.find("acme.restart") is None
    install(
        """
        [mistral.actions]
        acme.restart = MODULE:Restart
        """,
        PLUGIN_CODE,
    )
    assert provider.find("acme.restart") is None
    provider.reload()
    assert provider.find("acme.restart") is not None
