"""Where OpenStack actions get credentials: OS_*, clouds.yaml, the action_cloud input."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from levante.actions import ActionContext, SecurityContext
from levante.actions.openstack import (
    OpenStackActionError,
    OpenStackActionProvider,
    resolve_credentials,
)
from tests.support.openstack_cloud import StandInCloud

PROVIDER = OpenStackActionProvider()


def run(action: str, **inputs: Any) -> Any:
    """Instantiate and run an action in this thread (as the executor's pool does)."""
    descriptor = PROVIDER.find(action)
    assert descriptor is not None
    return descriptor.instantiate(inputs).run(ActionContext())


def names(servers: list[dict[str, Any]]) -> list[str]:
    """The servers' names."""
    return [s["name"] for s in servers]


def write_clouds(path: Path, clouds: dict[str, Any]) -> Path:
    """Write a clouds.yaml (or secure.yaml) with ``clouds``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"clouds": clouds}))
    return path


def test_os_cloud_selects_a_cloud_of_the_users_clouds_yaml(
    cloud: StandInCloud, no_os_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_clouds(no_os_env / "xdg" / "openstack" / "clouds.yaml",
                 {"other": {"auth": {"auth_url": "http://127.0.0.1:9/v3"}},
                  "standin": cloud.cloud_entry()})
    monkeypatch.setenv("OS_CLOUD", "standin")
    assert names(run("nova.servers_list")) == ["vm1", "vm2", "vm3"]


def test_clouds_yaml_named_by_os_client_config_file(
    cloud: StandInCloud, no_os_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = cloud.write_clouds_yaml(no_os_env / "elsewhere.yaml", "lab")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    monkeypatch.setenv("OS_CLOUD", "lab")
    assert names(run("nova.servers_list")) == ["vm1", "vm2", "vm3"]


def test_a_clouds_yaml_with_one_cloud_needs_no_os_cloud(
    cloud: StandInCloud, no_os_env: Path
) -> None:
    cloud.write_clouds_yaml(no_os_env / "clouds.yaml")
    assert names(run("nova.servers_list")) == ["vm1", "vm2", "vm3"]


def test_secure_yaml_supplies_the_password(cloud: StandInCloud, no_os_env: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    entry = cloud.cloud_entry()
    del entry["auth"]["password"]
    write_clouds(no_os_env / "clouds.yaml", {"standin": entry})
    write_clouds(no_os_env / "secure.yaml", {"standin": {"auth": {"password": cloud.password}}})
    monkeypatch.setenv("OS_CLOUD", "standin")
    assert names(run("nova.servers_list")) == ["vm1", "vm2", "vm3"]


def test_unknown_cloud_name_lists_the_defined_ones(
    cloud: StandInCloud, no_os_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.write_clouds_yaml(no_os_env / "clouds.yaml", "standin")
    monkeypatch.setenv("OS_CLOUD", "prod")
    with pytest.raises(OpenStackActionError, match=r"Cloud 'prod' is not defined in .*'standin'"):
        run("nova.servers_list")


def test_action_cloud_input_overrides_the_servers_credentials(
    os_env: StandInCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OS_PASSWORD", "rotated-away")
    with pytest.raises(OpenStackActionError):
        run("nova.servers_list")
    servers = run("nova.servers_list", action_cloud=os_env.cloud_entry())
    assert names(servers) == ["vm1", "vm2", "vm3"]


def test_action_cloud_may_name_a_cloud_and_amend_it(
    cloud: StandInCloud, no_os_env: Path
) -> None:
    entry = cloud.cloud_entry()
    entry["auth"]["password"] = "stale"
    write_clouds(no_os_env / "clouds.yaml", {"a": {"auth": {"auth_url": "x"}}, "b": entry})
    assert names(run("nova.servers_list", action_cloud={"cloud": "b", "auth": {
        "password": cloud.password}})) == ["vm1", "vm2", "vm3"]
    fixed = dict(entry, auth=dict(entry["auth"], password=cloud.password))
    write_clouds(no_os_env / "clouds.yaml", {"a": {"auth": {"auth_url": "x"}}, "b": fixed})
    assert names(run("nova.servers_list", action_cloud="b")) == ["vm1", "vm2", "vm3"]


def test_bad_password_is_a_clear_action_error(
    os_env: StandInCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OS_PASSWORD", "wrong")
    with pytest.raises(OpenStackActionError) as caught:
        run("nova.servers_list")
    message = str(caught.value)
    assert message.startswith("nova.servers_list: OpenStack authentication failed for 'admin'")
    assert f"in project 'demo' at {os_env.auth_url}" in message
    assert "HTTP 401" in message and "OS_* environment variables" in message
    assert "wrong" not in message  # never echo the secret


def test_no_credentials_at_all_says_how_to_configure_them(no_os_env: Path) -> None:
    with pytest.raises(OpenStackActionError, match="No OpenStack credentials: start the Levante"):
        run("nova.servers_list")


def test_unreachable_keystone_says_so(no_os_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OS_AUTH_URL", f"http://127.0.0.1:{port}/v3")
    monkeypatch.setenv("OS_USERNAME", "admin")
    monkeypatch.setenv("OS_PASSWORD", "secret")
    monkeypatch.setenv("OS_PROJECT_NAME", "demo")
    with pytest.raises(OpenStackActionError, match="cannot reach OpenStack"):
        run("nova.servers_list")


def test_a_region_without_compute_endpoint_is_named(os_env: StandInCloud) -> None:
    with pytest.raises(OpenStackActionError, match=r"no 'compute' endpoint .*Nowhere"):
        run("nova.servers_list", action_region="Nowhere")


def test_the_callers_keystone_token_is_used_when_the_execution_carries_one(
    cloud: StandInCloud, no_os_env: Path
) -> None:
    context = ActionContext(security=SecurityContext(
        auth_token=cloud.new_token(), auth_uri=cloud.auth_url, project_id=cloud.project_id))
    descriptor = PROVIDER.find("nova.servers_list")
    assert descriptor is not None
    assert names(descriptor.instantiate({}).run(context)) == ["vm1", "vm2", "vm3"]
    body = cloud.requests_to("/v3/auth/tokens")[-1].body
    assert body["auth"]["identity"]["methods"] == ["token"]


def test_os_variables_are_read_with_keystoneauths_option_names() -> None:
    found = resolve_credentials(environ={
        "OS_AUTH_URL": "https://keystone.example:5000/v3", "OS_USERNAME": "ops",
        "OS_PASSWORD": "pw", "OS_PROJECT_NAME": "fleet", "OS_USER_DOMAIN_NAME": "Corp",
        "OS_PROJECT_DOMAIN_ID": "corp", "OS_REGION_NAME": "RegionTwo",
        "OS_INTERFACE": "internal", "OS_CACERT": "/etc/ssl/cloud.pem",
    })
    assert found.auth_type == "password"
    assert found.auth_options == {
        "auth_url": "https://keystone.example:5000/v3", "username": "ops", "password": "pw",
        "project_name": "fleet", "user_domain_name": "Corp", "project_domain_id": "corp",
    }
    assert (found.region_name, found.interface, found.verify) == (
        "RegionTwo", "internal", "/etc/ssl/cloud.pem")


def test_domains_default_as_the_openstack_cli_does_and_insecure_turns_off_checks() -> None:
    found = resolve_credentials(environ={
        "OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_PASSWORD": "p",
        "OS_PROJECT_NAME": "x", "OS_INSECURE": "true"})
    assert found.auth_options["default_domain_id"] == "default"
    assert found.verify is False


def test_the_auth_type_follows_from_the_options_given() -> None:
    app = resolve_credentials({"auth": {"auth_url": "http://k/v3",
                                        "application_credential_id": "a",
                                        "application_credential_secret": "s"}}, environ={})
    token = resolve_credentials({"auth": {"auth_url": "http://k/v3", "token": "t"}}, environ={})
    assert (app.auth_type, token.auth_type) == ("v3applicationcredential", "token")
    assert "s" not in app.describe() and "'a'" in app.describe()
