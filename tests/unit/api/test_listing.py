"""List endpoints: Mistral's paging, sorting, fields and filters over the store."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from tests.unit.api.conftest import TEXT, workflow_text


def _create(client: TestClient, *names: str, tags: str = "") -> None:
    for name in names:
        answer = client.post("/v2/workflows", content=workflow_text(name, tags=tags), headers=TEXT)
        assert answer.status_code == 201, answer.text


def test_a_full_page_links_to_the_next_one_until_the_end(client: TestClient) -> None:
    _create(client, "wf_a", "wf_b", "wf_c", "wf_d", "wf_e")
    seen: list[str] = []
    url = "/v2/workflows?limit=2&sort_keys=name&fields=name"
    pages = 0
    while url:
        body = client.get(url).json()
        seen += [w["name"] for w in body["workflows"]]
        pages += 1
        url = body.get("next", "")
        if url:
            query = parse_qs(urlsplit(url).query)
            assert query["sort_keys"] == ["name,id"] and query["sort_dirs"] == ["asc,asc"]
            assert query["fields"] == ["id,name"] and query["limit"] == ["2"]
            url = url.replace("http://testserver", "")
    assert seen == ["wf_a", "wf_b", "wf_c", "wf_d", "wf_e"]
    assert pages == 3


def test_sorting_descending_and_by_several_keys(client: TestClient) -> None:
    _create(client, "b_wf", "a_wf", "c_wf")
    body = client.get("/v2/workflows?sort_keys=name&sort_dirs=desc").json()
    assert [w["name"] for w in body["workflows"]] == ["c_wf", "b_wf", "a_wf"]
    body = client.get("/v2/workflows?sort_keys=scope,name&sort_dirs=asc,desc").json()
    assert [w["name"] for w in body["workflows"]] == ["c_wf", "b_wf", "a_wf"]


def test_fields_cut_the_resources_and_keep_the_id(client: TestClient) -> None:
    _create(client, "only_wf")
    body = client.get("/v2/workflows?fields=name,scope").json()
    assert set(body["workflows"][0]) == {"id", "name", "scope", "interface"}


def test_filters(client: TestClient) -> None:
    _create(client, "tagged_wf", tags="[nightly, ops]")
    _create(client, "plain_wf", "other_wf")

    def names(query: str) -> list[str]:
        answer = client.get(f"/v2/workflows?sort_keys=name&{query}")
        assert answer.status_code == 200, answer.text
        return [w["name"] for w in answer.json()["workflows"]]

    assert names("name=plain_wf") == ["plain_wf"]
    assert names("name=eq:plain_wf") == ["plain_wf"]
    assert names("name=neq:plain_wf") == ["other_wf", "tagged_wf"]
    assert names("name=in:plain_wf,tagged_wf") == ["plain_wf", "tagged_wf"]
    assert names("name=nin:plain_wf,tagged_wf") == ["other_wf"]
    assert names("name=gt:p") == ["plain_wf", "tagged_wf"]
    assert names("name=has:her") == ["other_wf"]
    assert names("tags=nightly") == ["tagged_wf"]
    assert names("created_at=gte:2000-01-01 00:00:00") == ["other_wf", "plain_wf", "tagged_wf"]
    assert names("created_at=lt:2000-01-01") == []


def test_bad_list_requests_are_400_with_a_reason(client: TestClient) -> None:
    cases = {
        "limit=0": "Limit must be positive",
        "limit=ten": "Limit must be an integer",
        "sort_keys=nope": "Unknown sort key",
        "sort_dirs=up": "Unknown sort direction",
        "sort_keys=name&sort_dirs=asc,desc": "Length of sort_keys",
        "fields=nope": "Some fields do not exist",
        "colour=red": "Unknown query parameter 'colour'",
        "created_at=gt:yesterday": "not a timestamp",
        "marker=00000000-0000-0000-0000-000000000000": "Marker",
    }
    for query, reason in cases.items():
        answer = client.get(f"/v2/workflows?{query}")
        assert answer.status_code == 400, query
        assert reason in answer.json()["faultstring"], (query, answer.json())


def test_a_big_limit_is_capped(client: TestClient) -> None:
    _create(client, "capped_wf")
    body = client.get("/v2/workflows?limit=100000").json()
    assert "next" not in body and len(body["workflows"]) == 1


def test_actions_list_merges_system_and_adhoc_actions(client: TestClient) -> None:
    adhoc = "version: '2.0'\nmy_echo:\n  base: std.echo\n  base-input:\n    output: hi\n"
    assert client.post("/v2/actions", content=adhoc, headers=TEXT).status_code == 201
    body = client.get("/v2/actions?limit=2&sort_keys=name&name=in:my_echo,std.async_noop,"
                      "std.echo,std.fail").json()
    assert [a["name"] for a in body["actions"]] == ["my_echo", "std.async_noop"]
    assert "marker=std.async_noop" in body["next"]
    rest = client.get("/v2/actions?limit=2&sort_keys=name&marker=std.async_noop"
                      "&name=in:my_echo,std.async_noop,std.echo,std.fail").json()
    assert [a["name"] for a in rest["actions"]] == ["std.echo", "std.fail"]
