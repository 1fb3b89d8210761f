"""Host parameters: ``host``, ``host:port``, ``[address]:port``."""

from __future__ import annotations

import pytest

from levante.actions.ssh.endpoint import Endpoint, EndpointError, parse_endpoint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.5", Endpoint("10.0.0.5", 22)),
        ("web1.example.org", Endpoint("web1.example.org", 22)),
        ("10.0.0.5:2222", Endpoint("10.0.0.5", 2222)),
        ("[fd00::5]:2222", Endpoint("fd00::5", 2222)),
        ("[fd00::5]", Endpoint("fd00::5", 22)),
        ("fd00::5", Endpoint("fd00::5", 22)),
        ("  10.0.0.5 ", Endpoint("10.0.0.5", 22)),
    ],
)
def test_parses_host_and_optional_port(text: str, expected: Endpoint) -> None:
    assert parse_endpoint(text, 22) == expected


def test_default_port_applies_when_none_is_given() -> None:
    assert parse_endpoint("10.0.0.5", 2200) == Endpoint("10.0.0.5", 2200)


@pytest.mark.parametrize("text", ["", "h:", "h:0", "h:70000", "h:ssh", "[::1", "[::1]x"])
def test_refuses_what_is_not_a_host(text: str) -> None:
    with pytest.raises(EndpointError):
        parse_endpoint(text, 22)


def test_shows_as_openssh_would_name_it() -> None:
    assert str(Endpoint("h", 22)) == "h"
    assert str(Endpoint("h", 2222)) == "h:2222"
    assert str(Endpoint("fd00::5", 2222)) == "[fd00::5]:2222"
