"""Actions written against mistral-lib run unchanged.

mistral-lib is not installed here, so the classes below have mistral-lib's
shape without inheriting from it: an Action-like base with ``run(self,
context)`` and ``is_sync()``, and a Result class of its own.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from levante.actions import (
    ActionContext,
    Result,
    RunMode,
    SecurityContext,
    as_result,
    describe_action_class,
)


class ThirdPartyResult:
    """Shaped like mistral_lib.actions.Result."""

    def __init__(self, data: Any = None, error: Any = None, cancel: bool = False) -> None:
        self.data, self.error, self.cancel = data, error, cancel


class MistralLibAction:
    """Shaped like mistral_lib.actions.Action (no ``blocking`` attribute)."""

    def __init__(self) -> None:
        pass

    def run(self, context: Any) -> Any:
        raise NotImplementedError

    def is_sync(self) -> bool:
        return True


class WhoAmI(MistralLibAction):
    """Reports where it runs."""

    def __init__(self, greeting: str = "hi") -> None:
        super().__init__()
        self.greeting = greeting

    def run(self, context: Any) -> Any:
        return ThirdPartyResult(
            data={
                "greeting": self.greeting,
                "wf": context.execution.workflow_execution_id,
                "task": context.execution.task_execution_id,
                "action": context.execution.action_execution_id,
                "name": context.execution.workflow_name,
                "callback": context.execution.callback_url,
                "project": context.security.project_id,
                "token": context.security.auth_token,
            }
        )


class Rejecting(MistralLibAction):
    def run(self, context: Any) -> Any:
        return ThirdPartyResult(error={"code": 409})


class Webhook(MistralLibAction):
    def is_sync(self) -> bool:
        return False


def context() -> ActionContext:
    return ActionContext.for_action_execution(
        "act-1",
        workflow_execution_id="wf-1",
        task_execution_id="task-1",
        workflow_name="nightly",
        security=SecurityContext(project_id="p-1", auth_token="tok"),
    )


def test_a_mistral_lib_action_gets_the_context_it_expects() -> None:
    action = describe_action_class("acme.whoami", WhoAmI).instantiate({"greeting": "hello"})
    result = as_result(action.run(context()))
    assert result.is_success()
    assert result.data == {
        "greeting": "hello",
        "wf": "wf-1",
        "task": "task-1",
        "action": "act-1",
        "name": "nightly",
        "callback": "/v2/action_executions/act-1",
        "project": "p-1",
        "token": "tok",
    }


def test_mistral_lib_actions_run_in_the_thread_pool() -> None:
    assert describe_action_class("acme.whoami", WhoAmI).run_mode is RunMode.THREAD


def test_a_foreign_result_with_error_is_an_error() -> None:
    result = as_result(Rejecting().run(context()))
    assert result == Result(error={"code": 409})
    assert result.is_error()
    assert result.to_dict() == {"result": {"code": 409}}


def test_a_foreign_cancel_result_is_a_cancellation() -> None:
    result = as_result(ThirdPartyResult(data=1, error="x", cancel=True))
    assert result.is_cancel()
    assert not result.is_error()
    assert not result.is_success()


@pytest.mark.parametrize("value", [None, 0, "s", [1], {"a": 1}, 2.5, True])
def test_plain_values_are_successful_data(value: Any) -> None:
    assert as_result(value) == Result(data=value)


def test_an_asynchronous_mistral_lib_action_is_described_as_such() -> None:
    assert describe_action_class("acme.webhook", Webhook).sync is False


def test_deprecated_context_shortcuts_still_answer_with_a_warning() -> None:
    ctx = context()
    with pytest.warns(DeprecationWarning, match=r"context.security.auth_token"):
        assert ctx.auth_token == "tok"
    with pytest.warns(DeprecationWarning, match=r"task_execution_id"):
        assert ctx.execution.task_id == "task-1"


def test_unknown_context_attributes_raise_attribute_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="no_such_thing"):
            _ = context().no_such_thing


def test_context_round_trips_through_plain_data() -> None:
    ctx = context()
    assert ActionContext.from_dict(ctx.to_dict()) == ctx


def test_context_from_data_accepts_the_old_task_id_and_ignores_unknown_keys() -> None:
    ctx = ActionContext.from_dict(
        {"execution": {"task_id": "t-9", "extra": 1}, "security": {"user_name": "u"}}
    )
    assert ctx.execution.task_execution_id == "t-9"
    assert ctx.security.user_name == "u"
