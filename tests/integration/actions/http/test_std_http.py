"""``std.http`` and ``std.mistral_http`` against a real HTTP server on loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from levante.actions import ActionContext, ActionError, Result, default_registry
from levante.actions.descriptor import RunMode
from levante.actions.std.http_transport import (
    HttpSettings,
    UrlNotAllowed,
    close_http_connections,
    connection_pools,
)
from tests.integration.actions.http.peer import (
    BASIC_PASSWORD,
    BASIC_USER,
    HttpPeer,
    running_http_peer,
)
from tests.support.smtp import self_signed_cert

REGISTRY = default_registry(load_plugins=False)


@pytest.fixture(scope="module")
def peer() -> Iterator[HttpPeer]:
    with running_http_peer() as running:
        yield running


@pytest.fixture(autouse=True)
async def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """The peer is on loopback, which the default egress policy refuses."""
    monkeypatch.setenv("LEVANTE_HTTP_DENIED_CIDRS", "")
    yield
    await close_http_connections()


async def http(name: str = "std.http", context: ActionContext | None = None, **input: Any) -> Any:
    action = REGISTRY.get(name).instantiate(input)
    return await action.run(context or ActionContext.for_action_execution("ae-1"))


def test_http_actions_are_async_with_mistrals_signature() -> None:
    for name in ("std.http", "std.mistral_http"):
        descriptor = REGISTRY.get(name)
        assert descriptor.run_mode is RunMode.ASYNC
        assert descriptor.params_spec == (
            "url, method=\"GET\", params=null, body=null, json=null, headers=null, "
            "cookies=null, auth=null, timeout=null, allow_redirects=null, proxies=null, "
            "verify=null"
        )
    assert REGISTRY.get("std.http").sync is True
    assert REGISTRY.get("std.mistral_http").sync is False


async def test_get_returns_mistrals_result_shape_with_parsed_json(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/echo"))
    assert set(result) == {
        "content", "status", "headers", "url", "history", "encoding", "reason", "cookies",
        "elapsed",
    }
    assert result["status"] == 200
    assert result["reason"] == "OK"
    assert result["url"] == peer.url("/echo")
    assert result["encoding"] == "utf-8"
    assert result["history"] == []
    assert result["content"]["method"] == "GET"
    # The server's spelling of header names is kept.
    assert result["headers"]["Content-Type"] == "application/json"
    assert isinstance(result["elapsed"], float)
    json.dumps(result)  # storable as the action's output


@pytest.mark.parametrize("method", ["post", "PUT", "patch", "DELETE", "OPTIONS"])
async def test_methods_are_sent_upper_case(peer: HttpPeer, method: str) -> None:
    result = await http(url=peer.url("/echo"), method=method)
    assert result["content"]["method"] == method.upper()


async def test_params_are_encoded_as_requests_does(peer: HttpPeer) -> None:
    result = await http(
        url=peer.url("/echo?fixed=1"),
        params={"name": "vm 1", "skip": None, "ids": [1, 2], "flag": True},
    )
    assert result["content"]["query"] == [
        ["fixed", "1"], ["name", "vm 1"], ["ids", "1"], ["ids", "2"], ["flag", "True"],
    ]


async def test_params_may_be_a_query_string(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/echo?fixed=1"), params="a=1&b=two")
    assert result["content"]["query"] == [["fixed", "1"], ["a", "1"], ["b", "two"]]


async def test_json_is_sent_as_json(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/echo"), method="POST", json={"hosts": ["a", "b"]})
    echoed = result["content"]
    assert json.loads(echoed["body"]) == {"hosts": ["a", "b"]}
    assert echoed["headers"]["Content-Type"] == "application/json"


async def test_body_text_is_sent_as_is_and_a_mapping_as_json_text(peer: HttpPeer) -> None:
    text = await http(url=peer.url("/echo"), method="POST", body="plain words ✓")
    assert text["content"]["body"] == "plain words ✓"
    mapping = await http(url=peer.url("/echo"), method="POST", body={"a": 1})
    assert json.loads(mapping["content"]["body"]) == {"a": 1}
    assert "Content-Type" not in mapping["content"]["headers"]


async def test_body_and_json_together_are_refused_as_in_mistral() -> None:
    with pytest.raises(ActionError, match="Only one of the parameters 'json' and 'body'"):
        await http(url="http://127.0.0.1/", body="x", json={"y": 1})


async def test_headers_numbers_become_text_and_nulls_are_left_out(peer: HttpPeer) -> None:
    result = await http(
        url=peer.url("/echo"), headers={"X-Count": 20, "X-Ratio": 0.5, "X-None": None}
    )
    headers = result["content"]["headers"]
    assert headers["X-Count"] == "20"
    assert headers["X-Ratio"] == "0.5"
    assert "X-None" not in headers


async def test_cookies_are_sent_and_set_cookies_are_returned(peer: HttpPeer) -> None:
    sent = await http(url=peer.url("/echo"), cookies={"session": "s1", "lang": "en"})
    assert sent["content"]["cookies"] == {"session": "s1", "lang": "en"}
    received = await http(url=peer.url("/cookie"))
    assert received["cookies"] == {"session": "abc", "theme": "dark"}
    assert received["headers"]["Set-Cookie"] == "session=abc; Path=/, theme=dark"


async def test_cookies_of_one_request_never_leak_into_the_next(peer: HttpPeer) -> None:
    await http(url=peer.url("/cookie"))
    result = await http(url=peer.url("/echo"))
    assert result["content"]["cookies"] == {}


@pytest.mark.parametrize(
    "auth", [f"{BASIC_USER}:{BASIC_PASSWORD}", [BASIC_USER, BASIC_PASSWORD]]
)
async def test_basic_auth(peer: HttpPeer, auth: Any) -> None:
    result = await http(url=peer.url("/auth"), auth=auth)
    assert result == {**result, "status": 200, "content": {"user": BASIC_USER}}


async def test_wrong_auth_fails_with_the_response_as_error_data(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/auth"), auth="admin:nope")
    assert isinstance(result, Result) and result.is_error()
    assert result.error["status"] == 401
    assert result.error["content"] == "who are you?"
    assert result.error["reason"] == "Unauthorized"


async def test_redirects_are_not_followed_by_default_as_in_mistral(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/redirect/302?to=/echo"))
    assert result["status"] == 302
    assert result["headers"]["Location"] == "/echo"
    assert result["cookies"] == {"hop": "1"}


async def test_allow_redirects_follows_and_records_history(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/redirect/302?to=/echo"), allow_redirects=True)
    assert result["status"] == 200
    assert result["url"] == peer.url("/echo")
    assert result["history"] == [{"status": 302, "url": peer.url("/redirect/302?to=/echo")}]
    # A cookie set by a redirect is sent on to its target, as requests does.
    assert result["content"]["cookies"] == {"hop": "1"}


@pytest.mark.parametrize("status", [307, 308, 400, 404, 500, 503])
async def test_status_outside_200_to_306_fails_with_the_result_as_error(
    peer: HttpPeer, status: int
) -> None:
    result = await http(url=peer.url(f"/status/{status}"))
    assert isinstance(result, Result) and result.is_error()
    assert result.error["status"] == status
    assert result.error["content"] == {"code": status}


@pytest.mark.parametrize("status", [201, 204, 301, 306])
async def test_status_from_200_to_306_succeeds(peer: HttpPeer, status: int) -> None:
    result = await http(url=peer.url(f"/status/{status}"))
    assert result["status"] == status


async def test_non_json_content_is_text(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/text"))
    assert result["content"] == "Number of updated VMs: 20 ✓"
    assert result["encoding"] == "utf-8"


async def test_json_is_parsed_whatever_the_content_type(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/json-as-text"))
    assert result["content"] == {"vms": 20}
    assert result["encoding"] == "ISO-8859-1"  # as requests reports text/* without charset


async def test_text_without_charset_that_is_not_utf8_is_read_as_latin1(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/latin"))
    assert result["content"] == "caf\u00e9"


async def test_head_has_empty_content(peer: HttpPeer) -> None:
    result = await http(url=peer.url("/echo"), method="HEAD")
    assert result["status"] == 200
    assert result["content"] == ""


async def test_proxies_send_the_request_through_the_proxy(peer: HttpPeer) -> None:
    # The peer answers absolute-form requests too, so it can play the proxy.
    result = await http(url="http://fleet.invalid/echo", proxies={"http": peer.base_url})
    assert result["content"]["path"] == "/echo"
    assert result["content"]["headers"]["Host"] == "fleet.invalid"


async def test_timeout_fails_the_request(peer: HttpPeer) -> None:
    with pytest.raises(ActionError, match=r"^Failed to send HTTP request: ReadTimeout"):
        await http(url=peer.url("/slow?seconds=2"), timeout=0.2)


async def test_connection_refused_fails_with_mistrals_message() -> None:
    with pytest.raises(ActionError, match=r"^Failed to send HTTP request: ConnectError"):
        await http(url="http://127.0.0.1:9/")


async def test_responses_over_the_size_limit_fail(
    peer: HttpPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEVANTE_HTTP_MAX_RESPONSE_BYTES", "100000")
    with pytest.raises(ActionError, match="HTTP response is too large"):
        await http(url=peer.url("/big?bytes=300000"))
    small = await http(url=peer.url("/big?bytes=1000"))
    assert small["content"] == "x" * 1000


async def test_loopback_is_refused_by_the_default_egress_policy(
    peer: HttpPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEVANTE_HTTP_DENIED_CIDRS")
    with pytest.raises(UrlNotAllowed, match="resolves to a blocked address"):
        await http(url=peer.url("/echo"))


async def test_egress_policy_applies_to_redirect_targets(
    peer: HttpPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEVANTE_HTTP_ALLOWED_HOSTS", "127.0.0.1")
    with pytest.raises(UrlNotAllowed, match="'localhost' is not in the allowed hosts"):
        await http(
            url=peer.url("/redirect/302?to=" + peer.url("/echo").replace("127.0.0.1", "localhost")),
            allow_redirects=True,
        )


async def test_only_http_and_https_urls_are_allowed() -> None:
    with pytest.raises(UrlNotAllowed, match="scheme 'file'"):
        await http(url="file:///etc/passwd")


async def test_requests_share_pooled_connections(peer: HttpPeer) -> None:
    for _ in range(3):
        await http(url=peer.url("/echo"))
    pools = connection_pools()
    assert len(pools._transports) == 1  # one pool for plain http, verify default
    await http(url=peer.url("/echo"), verify=False)
    assert len(pools._transports) == 2


async def test_std_provider_closes_the_pools_at_shutdown(peer: HttpPeer) -> None:
    from levante.actions.std import StdActionProvider

    await http(url=peer.url("/echo"))
    before = connection_pools()
    await StdActionProvider().aclose()
    assert before._transports == {}
    assert connection_pools() is not before
    assert (await http(url=peer.url("/echo")))["status"] == 200


async def test_mistral_http_sends_the_execution_headers(peer: HttpPeer) -> None:
    context = ActionContext.for_action_execution(
        "ae-9", workflow_execution_id="wf-1", task_execution_id="t-1", workflow_name="nightly"
    )
    action = REGISTRY.get("std.mistral_http").instantiate(
        {"url": peer.url("/callback-headers"), "headers": {"X-Own": "kept"}}
    )
    result = await action.run(context)
    assert result["content"] == {
        "Mistral-Workflow-Name": "nightly",
        "Mistral-Workflow-Execution-Id": "wf-1",
        "Mistral-Task-Id": "t-1",
        "Mistral-Action-Execution-Id": "ae-9",
        "Mistral-Callback-URL": "/v2/action_executions/ae-9",
    }
    assert action.is_sync() is False


@pytest.fixture(scope="module")
def tls_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HttpPeer, str]]:
    cert = self_signed_cert(tmp_path_factory.mktemp("https"))
    with running_http_peer(tls=cert.server_context()) as running:
        yield running, str(cert.cert_path)


async def test_https_certificates_are_verified_by_default(
    tls_peer: tuple[HttpPeer, str],
) -> None:
    peer, _ = tls_peer
    with pytest.raises(ActionError, match="CERTIFICATE_VERIFY_FAILED"):
        await http(url=peer.url("/echo"))


@pytest.mark.parametrize("verify", [False, "false", "CA"])
async def test_verify_false_or_a_ca_bundle_reaches_a_self_signed_server(
    tls_peer: tuple[HttpPeer, str], verify: Any
) -> None:
    peer, ca_path = tls_peer
    result = await http(url=peer.url("/echo"), verify=ca_path if verify == "CA" else verify)
    assert result["status"] == 200


async def test_missing_ca_bundle_is_named(tls_peer: tuple[HttpPeer, str]) -> None:
    peer, _ = tls_peer
    with pytest.raises(ActionError, match=r"CA bundle that does not exist: /nowhere\.pem"):
        await http(url=peer.url("/echo"), verify="/nowhere.pem")


def test_settings_from_environment() -> None:
    settings = HttpSettings.from_environment(
        {
            "LEVANTE_HTTP_DENIED_CIDRS": "10.0.0.0/8, none",
            "LEVANTE_HTTP_ALLOWED_HOSTS": "api.example.org,hooks.example.org",
            "LEVANTE_HTTP_DEFAULT_TIMEOUT": "5",
        }
    )
    assert [str(n) for n in settings.denied_networks] == ["10.0.0.0/8"]
    assert settings.allowed_hosts == {"api.example.org", "hooks.example.org"}
    assert settings.default_timeout == 5.0
    assert [str(n) for n in HttpSettings.from_environment({}).denied_networks] == [
        "127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10",
    ]
