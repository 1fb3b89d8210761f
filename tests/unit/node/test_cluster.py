"""Node roles (``--role``) and the reconnect backoff."""

from __future__ import annotations

import pytest

from levante.node.cluster import ALL_ROLES, Role, RoleError, parse_roles
from levante.node.wakeup import backoff_delays


def test_roles_are_a_comma_separated_list() -> None:
    assert parse_roles("api, Executor") == {Role.API, Role.EXECUTOR}


def test_all_means_every_role() -> None:
    assert parse_roles("all") == ALL_ROLES
    assert parse_roles(["scheduler", "all"]) == ALL_ROLES


def test_an_unknown_role_is_refused_with_the_choices() -> None:
    with pytest.raises(RoleError, match=r"unknown role 'web'.*api, engine, executor, scheduler"):
        parse_roles("api,web")


def test_no_role_at_all_is_refused() -> None:
    with pytest.raises(RoleError, match="no role given"):
        parse_roles(" , ")


def test_backoff_doubles_up_to_the_longest_pause() -> None:
    delay = backoff_delays(0.5, 3.0)
    assert [delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
