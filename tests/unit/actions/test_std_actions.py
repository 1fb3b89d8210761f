"""The std actions: Mistral's parameters, defaults and results."""

from __future__ import annotations

import asyncio

import pytest

from levante.actions import (
    ActionError,
    InvalidActionInput,
    MissingActionInput,
    Result,
    RunMode,
    UnexpectedActionInput,
)
from levante.actions.std import basic
from tests.unit.actions.helpers import REGISTRY, run_std


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record asyncio sleeps done by std actions instead of sleeping."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(basic, "sleep", fake_sleep)
    return recorded


@pytest.mark.parametrize(
    ("name", "signature"),
    [
        ("std.noop", ""),
        ("std.async_noop", ""),
        ("std.echo", "output, delay=0"),
        ("std.fail", "error_data=null"),
        ("std.sleep", "seconds=1"),
        ("std.test_dict", 'size=0, key_prefix="", val=""'),
    ],
)
def test_signatures_are_shown_as_mistral_shows_them(name: str, signature: str) -> None:
    assert REGISTRY.get(name).params_spec == signature


def test_every_std_action_has_a_description() -> None:
    for descriptor in REGISTRY.list():
        assert descriptor.description, descriptor.name


async def test_noop_returns_null() -> None:
    assert await run_std("std.noop") is None


async def test_noop_takes_no_input() -> None:
    with pytest.raises(UnexpectedActionInput, match=r"'std.noop' got unexpected input: x"):
        await run_std("std.noop", x=1)


def test_async_noop_is_asynchronous_and_noop_is_not() -> None:
    assert REGISTRY.get("std.async_noop").sync is False
    assert REGISTRY.get("std.async_noop").instantiate({}).is_sync() is False
    assert REGISTRY.get("std.noop").instantiate({}).is_sync() is True


@pytest.mark.parametrize("output", ["text", 7, None, {"a": [1, 2]}, [1, "x"]])
async def test_echo_returns_its_output_unchanged(output: object) -> None:
    assert await run_std("std.echo", output=output) == output


async def test_echo_requires_output() -> None:
    with pytest.raises(MissingActionInput, match=r"'std.echo' is missing required input: output"):
        await run_std("std.echo")


async def test_echo_waits_its_delay_on_the_event_loop(sleeps: list[float]) -> None:
    assert await run_std("std.echo", output="x", delay=0.25) == "x"
    assert sleeps == [0.25]


@pytest.mark.parametrize(("delay", "waited"), [(-3, []), ("abc", []), ("0.5", [0.5]), (0, [])])
async def test_echo_treats_bad_delays_as_no_delay(
    sleeps: list[float], delay: object, waited: list[float]
) -> None:
    await run_std("std.echo", output=1, delay=delay)
    assert sleeps == waited


async def test_echo_refuses_a_delay_that_is_not_a_number() -> None:
    with pytest.raises(InvalidActionInput, match=r"'std.echo' rejected parameter 'delay'"):
        await run_std("std.echo", output=1, delay=[1])


async def test_fail_without_data_raises_the_expected_exception() -> None:
    with pytest.raises(ActionError, match=r"^Fail action expected exception\.$"):
        await run_std("std.fail")


async def test_fail_with_error_data_returns_it_as_error_result() -> None:
    result = await run_std("std.fail", error_data={"x": 1, "y": 2})
    assert result == Result(error={"x": 1, "y": 2})
    assert result.is_error()


async def test_sleep_sleeps_whole_seconds_default_one(sleeps: list[float]) -> None:
    assert await run_std("std.sleep") is None
    await run_std("std.sleep", seconds=2.9)
    await run_std("std.sleep", seconds="3")
    assert sleeps == [1, 2, 3]


@pytest.mark.parametrize("seconds", [-1, 0, "soon"])
async def test_sleep_treats_negative_or_non_numeric_as_zero(
    sleeps: list[float], seconds: object
) -> None:
    await run_std("std.sleep", seconds=seconds)
    assert sleeps == []


async def test_sleep_refuses_null_seconds() -> None:
    with pytest.raises(InvalidActionInput, match=r"parameter 'seconds'"):
        await run_std("std.sleep", seconds=None)


async def test_test_dict_builds_prefixed_keys_from_zero() -> None:
    assert await run_std("std.test_dict", size=3, key_prefix="k", val="v") == {
        "k0": "v",
        "k1": "v",
        "k2": "v",
    }


async def test_test_dict_defaults_to_an_empty_dict() -> None:
    assert await run_std("std.test_dict") == {}


async def test_test_dict_keys_are_bare_numbers_without_prefix() -> None:
    assert await run_std("std.test_dict", size=2) == {"0": "", "1": ""}


async def test_test_dict_refuses_a_size_that_is_not_a_number() -> None:
    with pytest.raises(InvalidActionInput, match=r"'std.test_dict' rejected parameter 'size'"):
        await run_std("std.test_dict", size="many")


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("std.noop", RunMode.INLINE),
        ("std.async_noop", RunMode.INLINE),
        ("std.fail", RunMode.INLINE),
        ("std.test_dict", RunMode.INLINE),
        ("std.echo", RunMode.ASYNC),
        ("std.sleep", RunMode.ASYNC),
    ],
)
def test_no_std_action_needs_a_thread(name: str, mode: RunMode) -> None:
    assert REGISTRY.get(name).run_mode is mode


def test_dry_runs_return_mistrals_test_results() -> None:
    ctx = None
    assert REGISTRY.get("std.echo").instantiate({"output": 1}).test(ctx) == "Echo"
    assert REGISTRY.get("std.test_dict").instantiate({"size": 5}).test(ctx) == {}
    assert REGISTRY.get("std.fail").instantiate({"error_data": "e"}).test(ctx) == Result(
        error="e"
    )


async def test_a_sleeping_std_action_does_not_block_the_loop() -> None:
    action = REGISTRY.get("std.sleep").instantiate({"seconds": 60})
    task = asyncio.ensure_future(action.run(None))
    await asyncio.sleep(0)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
