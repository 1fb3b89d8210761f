"""Every error is answered in Mistral's shape, with the status Mistral uses."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.api.conftest import TEXT, workflow_text

WSME_KEYS = {"faultstring", "faultcode", "debuginfo"}


def test_json_endpoints_answer_wsme_faults(client: TestClient) -> None:
    answer = client.get("/v2/workflows/nope")
    assert answer.status_code == 404
    assert set(answer.json()) == WSME_KEYS and answer.json()["faultcode"] == "Client"


def test_text_endpoints_answer_faultstring_only(client: TestClient) -> None:
    answer = client.post("/v2/workflows", content="version: '2.0'\nwf: [", headers=TEXT)
    assert answer.status_code == 400
    assert set(answer.json()) == {"faultstring"}
    assert "invalid YAML" in answer.json()["faultstring"]


def test_request_validation_is_400_not_422(client: TestClient) -> None:
    answer = client.post("/v2/environments", json={"name": "e", "colour": "red"})
    assert answer.status_code == 400
    assert "colour" in answer.json()["faultstring"]
    assert client.post("/v2/environments", content=b"{not json").status_code == 400
    assert client.post("/v2/cron_triggers", json={"remaining_executions": "x"}).status_code == 400


def test_json_only_clients_get_406_on_yaml_endpoints(client: TestClient) -> None:
    headers = {"content-type": "text/plain", "accept": "application/json"}
    answer = client.post("/v2/workflows", content=workflow_text("wf_406"), headers=headers)
    assert answer.status_code == 406
    assert client.get("/v2/workflows/wf_406").status_code == 404  # nothing was written


def test_unknown_routes_and_methods(client: TestClient) -> None:
    assert client.get("/v2/nothing_here").status_code == 404
    assert set(client.get("/v2/nothing_here").json()) == WSME_KEYS
    assert client.patch("/v2/workflows").status_code == 405


def test_engine_endpoints_answer_501_until_wired(client: TestClient) -> None:
    client.post("/v2/workflows", content=workflow_text("wf_501"), headers=TEXT)
    answer = client.post("/v2/executions", json={"workflow_name": "wf_501"})
    assert answer.status_code == 501
    assert "needs the workflow engine" in answer.json()["faultstring"]
    assert client.post("/v2/executions", json={"workflow_name": "nope"}).status_code == 404
    assert client.post("/v2/action_executions", json={"name": "std.echo"}).status_code == 501
    assert client.post("/v2/action_executions", json={"name": "std.nope"}).status_code == 400


def test_a_failed_multi_workflow_create_writes_nothing(client: TestClient) -> None:
    client.post("/v2/workflows", content=workflow_text("second"), headers=TEXT)
    both = workflow_text("first") + "\n" + workflow_text("second").split("\n", 1)[1]
    answer = client.post("/v2/workflows", content=both, headers=TEXT)
    assert answer.status_code == 409
    assert client.get("/v2/workflows/first").status_code == 404


def test_version_documents_health_and_openapi(client: TestClient) -> None:
    root = client.get("/").json()
    assert root["versions"][0]["id"] == "v2.0"
    assert root["versions"][0]["links"][0]["href"] == "http://testserver/v2"
    assert client.get("/v2").json() == {"uri": "http://testserver/v2"}
    assert client.get("/health").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v2/workflows", "/v2/cron_triggers", "/v2/executions"} <= set(paths)


def test_yaml_with_control_characters_is_a_400(client: TestClient) -> None:
    answer = client.post("/v2/workflows", content="\x07", headers=TEXT)
    assert answer.status_code == 400
    assert "control characters" in answer.json()["faultstring"]
    checked = client.post("/v2/workbooks/validate", content="a: \x14", headers=TEXT)
    assert checked.status_code == 200 and checked.json()["valid"] is False


def test_echoed_lone_surrogates_are_sent_escaped() -> None:
    from levante.api.wire import json_response

    answer = json_response({"error": "bad key x\udaf4"})
    assert answer.body == b'{"error":"bad key x\\udaf4"}'
    assert json_response({"name": "caf\u00e9"}).body == '{"name":"café"}'.encode()


def test_renaming_an_action_onto_a_taken_name_is_409_and_changes_nothing(
    client: TestClient,
) -> None:
    def action(name: str) -> str:
        return f"version: '2.0'\n{name}:\n  base: std.echo\n  base-input:\n    output: x\n"

    created = client.post("/v2/actions", content=action("first"), headers=TEXT)
    assert created.status_code == 201, created.text
    assert client.post("/v2/actions", content=action("second"), headers=TEXT).status_code == 201
    first_id = created.json()["actions"][0]["id"]
    clash = client.put(f"/v2/actions/{first_id}", content=action("second"), headers=TEXT)
    assert clash.status_code == 409, clash.text
    assert "'second' already exists" in clash.json()["faultstring"]
    assert client.get(f"/v2/actions/{first_id}").json()["name"] == "first"
