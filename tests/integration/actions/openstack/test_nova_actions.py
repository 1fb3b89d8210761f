"""nova.* actions, run by the executor against the stand-in cloud with the real novaclient."""

from __future__ import annotations

from typing import Any

import pytest

from levante.actions import ActionRegistry, RunMode
from levante.actions.openstack import OpenStackActionProvider
from levante.executor import ActionRequest, OutcomeState
from levante.executor.executor import Executor
from levante.executor.source import InMemoryWorkSource
from tests.support.openstack_cloud import StandInCloud, servers_at

REGISTRY = ActionRegistry([OpenStackActionProvider()])


async def run(action: str, **inputs: Any) -> Any:
    """Run one action through the executor (thread pool included) and return its outcome."""
    async with Executor(InMemoryWorkSource(), registry=REGISTRY) as executor:
        return await executor.run_direct(ActionRequest(f"ae-{action}", action, inputs))


async def result_of(action: str, **inputs: Any) -> Any:
    """The result of a successful run (the test fails with the reason otherwise)."""
    outcome = await run(action, **inputs)
    assert outcome.state is OutcomeState.SUCCESS, outcome.state_info
    return outcome.result


async def test_servers_list_returns_servers_as_nova_returns_them(os_env: StandInCloud) -> None:
    servers = await result_of("nova.servers_list")
    assert [s["name"] for s in servers] == ["vm1", "vm2", "vm3"]
    vm1 = servers[0]
    assert vm1["addresses"] == {
        "private": [
            {"version": 4, "addr": "10.0.0.1", "OS-EXT-IPS:type": "fixed",
             "OS-EXT-IPS-MAC:mac_addr": vm1["addresses"]["private"][0]["OS-EXT-IPS-MAC:mac_addr"]},
            {"version": 4, "addr": "172.24.4.1", "OS-EXT-IPS:type": "floating",
             "OS-EXT-IPS-MAC:mac_addr": vm1["addresses"]["private"][1]["OS-EXT-IPS-MAC:mac_addr"]},
        ]
    }
    assert vm1["status"] == "ACTIVE" and vm1["flavor"]["original_name"] == "m1.small"
    # Only the body Nova sent: no client-side attributes such as the manager.
    assert "manager" not in vm1 and "_info" not in vm1


async def test_actions_negotiate_the_newest_microversion(os_env: StandInCloud) -> None:
    await result_of("nova.servers_list")
    listed = os_env.requests_to("/compute/v2.1/servers/detail")
    assert listed[-1].headers["X-OpenStack-Nova-API-Version"] == os_env.max_microversion
    assert listed[-1].headers["OpenStack-API-Version"] == f"compute {os_env.max_microversion}"


async def test_servers_list_passes_search_options_and_limit(os_env: StandInCloud) -> None:
    servers = await result_of("nova.servers_list", search_opts={"name": "vm2"})
    assert [s["name"] for s in servers] == ["vm2"]
    assert len(await result_of("nova.servers_list", limit=2)) == 2


async def test_servers_get_returns_one_server(os_env: StandInCloud) -> None:
    vm2 = os_env.server_named("vm2")
    server = await result_of("nova.servers_get", server=vm2.id)
    assert (server["id"], server["name"]) == (vm2.id, "vm2")
    assert server["addresses"]["private"][0]["addr"] == "10.0.0.2"


async def test_unknown_server_fails_with_novas_message(os_env: StandInCloud) -> None:
    outcome = await run("nova.servers_get", server="no-such-id")
    assert outcome.state is OutcomeState.ERROR
    assert "nova.servers_get failed" in outcome.state_info
    assert "no-such-id could not be found" in outcome.state_info
    assert "HTTP 404" in outcome.state_info


async def test_missing_input_is_refused_with_the_signature(os_env: StandInCloud) -> None:
    outcome = await run("nova.servers_get")
    assert outcome.state is OutcomeState.ERROR
    assert "missing required input: server" in outcome.state_info
    assert 'server, action_region="", action_cloud=null' in outcome.state_info


async def test_flavors_list_and_get(os_env: StandInCloud) -> None:
    flavors = await result_of("nova.flavors_list")
    assert [(f["name"], f["vcpus"], f["ram"]) for f in flavors] == [
        ("m1.tiny", 1, 512), ("m1.small", 1, 2048), ("m1.large", 4, 8192)
    ]
    large = await result_of("nova.flavors_get", flavor=flavors[2]["id"])
    assert large["disk"] == 80


async def test_keypairs_list_get_create_delete(os_env: StandInCloud) -> None:
    listed = await result_of("nova.keypairs_list")
    # Nova lists each keypair wrapped in {"keypair": ...}; the result keeps that shape.
    assert [k["keypair"]["name"] for k in listed] == ["default"]
    got = await result_of("nova.keypairs_get", keypair="default")
    assert got["name"] == "default" and got["fingerprint"].count(":") == 15
    made = await result_of(
        "nova.keypairs_create", name="ops", public_key="ssh-ed25519 AAAAops ops@example"
    )
    assert made["public_key"] == "ssh-ed25519 AAAAops ops@example"
    await result_of("nova.keypairs_delete", key="ops")
    assert [k.name for k in os_env.keypairs] == ["default"]


async def test_hypervisors_list_get_and_search(os_env: StandInCloud) -> None:
    hypervisors = await result_of("nova.hypervisors_list")
    assert [h["hypervisor_hostname"] for h in hypervisors] == ["compute-1", "compute-2"]
    assert hypervisors[0]["state"] == "up" and hypervisors[0]["hypervisor_type"] == "QEMU"
    one = await result_of("nova.hypervisors_get", hypervisor=hypervisors[1]["id"])
    assert one["hypervisor_hostname"] == "compute-2"
    found = await result_of("nova.hypervisors_search", hypervisor_match="compute-2")
    assert [h["hypervisor_hostname"] for h in found] == ["compute-2"]


async def test_images_go_through_novas_glance_proxy(os_env: StandInCloud) -> None:
    images = await result_of("nova.glance_list")
    assert [i["name"] for i in images] == ["ubuntu-22.04"]
    found = await result_of("nova.glance_find_image", name_or_id="ubuntu-22.04")
    assert found["id"] == os_env.images[0].id
    assert os_env.requests_to("/image/v2/images")


async def test_server_state_changes_reach_nova(os_env: StandInCloud) -> None:
    vm1 = os_env.server_named("vm1")
    await result_of("nova.servers_stop", server=vm1.id)
    assert vm1.status == "SHUTOFF"
    await result_of("nova.servers_reboot", server=vm1.id, reboot_type="HARD")
    assert os_env.server_actions[-1] == (vm1.id, {"reboot": {"type": "HARD"}})
    await result_of("nova.servers_delete", server=os_env.server_named("vm3").id)
    assert [s.name for s in os_env.servers] == ["vm1", "vm2"]


async def test_many_calls_share_one_token_and_one_version_discovery(
    os_env: StandInCloud,
) -> None:
    for _ in range(5):
        await result_of("nova.servers_list")
    assert len(os_env.requests_to("/v3/auth/tokens")) == 1
    assert len([r for r in os_env.requests if r.path.rstrip("/") == "/compute/v2.1"]) == 1


def test_actions_are_blocking_and_run_in_the_thread_pool() -> None:
    assert REGISTRY.get("nova.servers_list").run_mode is RunMode.THREAD


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("nova.servers_list",
         "detailed=true, search_opts=null, marker=null, limit=null, sort_keys=null, "
         'sort_dirs=null, action_region="", action_cloud=null'),
        ("nova.servers_get", 'server, action_region="", action_cloud=null'),
        ("nova.servers_find", 'action_region="", action_cloud=null, **kwargs'),
    ],
)
def test_input_signatures_come_from_the_client_methods(name: str, params: str) -> None:
    descriptor = REGISTRY.get(name)
    assert descriptor.params_spec == params
    assert descriptor.description.startswith(("Get", "Find"))


async def test_the_stand_in_lists_the_addresses_it_is_given(
    no_os_env: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    with StandInCloud(servers=servers_at(["127.0.0.2", "127.0.0.3"])) as cloud:
        for key, value in cloud.os_environ().items():
            monkeypatch.setenv(key, value)
        servers = await result_of("nova.servers_list")
    fixed = [a["addr"] for s in servers for a in s["addresses"]["private"]
             if a["OS-EXT-IPS:type"] == "fixed"]
    assert fixed == ["127.0.0.2", "127.0.0.3"]
