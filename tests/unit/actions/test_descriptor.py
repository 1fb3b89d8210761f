"""Descriptors: signatures derived from __init__, validated instantiation."""

from __future__ import annotations

from typing import Any

import pytest

from levante.actions import (
    REQUIRED,
    Action,
    AsyncAction,
    InvalidActionInput,
    MissingActionInput,
    Parameter,
    RunMode,
    UnexpectedActionInput,
    describe_action_class,
)


class Deploy(Action):
    """Deploys a build.

    Longer text.
    """

    def __init__(self, host: str, build: int, force: bool = False, tags: Any = None) -> None:
        self.host, self.build, self.force, self.tags = host, build, force, tags

    def run(self, context: Any) -> str:
        return f"{self.host}:{self.build}"


class Flexible(Action):
    def __init__(self, name: str, **options: Any) -> None:
        self.name, self.options = name, options


class Picky(Action):
    def __init__(self, port: int) -> None:
        if not 0 < port < 65536:
            raise ValueError(f"port {port} out of range")


class Declared(Action):
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    __init__.__arguments__ = "image, flavor, name=null"  # type: ignore[attr-defined]


class Sleeper(AsyncAction):
    async def run(self, context: Any) -> None:
        return None


class Quick(Action):
    blocking = False

    def run(self, context: Any) -> int:
        return 1


class Callback(Action):
    def is_sync(self) -> bool:
        return False


def test_parameters_come_from_init_in_order_with_defaults() -> None:
    d = describe_action_class("acme.deploy", Deploy)
    assert d.parameters == (
        Parameter("host"),
        Parameter("build"),
        Parameter("force", False),
        Parameter("tags", None),
    )
    assert [p.required for p in d.parameters] == [True, True, False, False]
    assert d.parameters[0].default is REQUIRED


def test_signature_text_uses_json_for_defaults() -> None:
    assert describe_action_class("x", Deploy).params_spec == "host, build, force=false, tags=null"


def test_signature_text_shows_var_keyword() -> None:
    assert describe_action_class("x", Flexible).params_spec == "name, **options"


def test_a_declared_signature_text_wins() -> None:
    assert describe_action_class("x", Declared).params_spec == "image, flavor, name=null"


def test_a_class_without_init_takes_nothing() -> None:
    d = describe_action_class("x", Quick)
    assert d.parameters == ()
    assert d.params_spec == ""


def test_description_is_the_class_docstring() -> None:
    assert describe_action_class("x", Deploy).description == "Deploys a build.\n\nLonger text."


def test_instantiate_passes_input_as_keyword_arguments() -> None:
    action = describe_action_class("acme.deploy", Deploy).instantiate({"host": "h", "build": 3})
    assert (action.host, action.build, action.force) == ("h", 3, False)


def test_missing_inputs_are_all_named_in_signature_order() -> None:
    d = describe_action_class("acme.deploy", Deploy)
    with pytest.raises(MissingActionInput) as info:
        d.instantiate({"force": True})
    assert info.value.missing == ["host", "build"]
    assert str(info.value) == (
        "Action 'acme.deploy' is missing required inputs: host, build. "
        "Its input is: host, build, force=false, tags=null."
    )


def test_unexpected_inputs_are_named() -> None:
    d = describe_action_class("acme.deploy", Deploy)
    with pytest.raises(UnexpectedActionInput) as info:
        d.instantiate({"host": "h", "build": 1, "colour": "red"})
    assert info.value.unexpected == ["colour"]
    assert "'acme.deploy' got unexpected input: colour" in str(info.value)


def test_var_keyword_accepts_any_extra_input() -> None:
    action = describe_action_class("x", Flexible).instantiate({"name": "n", "a": 1})
    assert action.options == {"a": 1}


def test_an_error_in_the_constructor_names_the_action() -> None:
    with pytest.raises(InvalidActionInput, match=r"Action 'net.port' rejected its input: "
                       r"ValueError: port 70000 out of range"):
        describe_action_class("net.port", Picky).instantiate({"port": 70000})


def test_class_attributes_make_a_dynamic_subclass() -> None:
    d = describe_action_class("nova.servers_list", Quick, class_attributes={"client_method": "ls"})
    action = d.instantiate({})
    assert action.client_method == "ls"
    assert isinstance(action, Quick)
    assert not hasattr(Quick, "client_method")


@pytest.mark.parametrize(
    ("cls", "mode"),
    [(Sleeper, RunMode.ASYNC), (Quick, RunMode.INLINE), (Deploy, RunMode.THREAD)],
)
def test_run_mode_follows_the_class(cls: type, mode: RunMode) -> None:
    assert describe_action_class("x", cls).run_mode is mode


def test_sync_is_read_from_is_sync_without_instantiating() -> None:
    assert describe_action_class("x", Callback).sync is False
    assert describe_action_class("x", Deploy).sync is True
