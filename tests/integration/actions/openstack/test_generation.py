"""Generating nova.* from novaclient, and turning its results into plain data."""

from __future__ import annotations

from types import SimpleNamespace

from novaclient import base

from levante.actions import default_registry
from levante.actions.openstack import OpenStackActionProvider
from levante.actions.openstack.results import to_plain

PROVIDER = OpenStackActionProvider()

# A sample of mistral-extra's nova action names (its mapping.json), per manager.
MISTRAL_EXTRA_NAMES = [
    "servers_list", "servers_get", "servers_find", "servers_findall", "servers_create",
    "servers_delete", "servers_reboot", "servers_start", "servers_stop", "servers_ips",
    "servers_get_console_output", "servers_set_meta", "servers_live_migrate",
    "servers_convert_into_with_meta",
    "flavors_list", "flavors_get", "flavors_find", "flavors_create", "flavors_delete",
    "glance_list", "glance_find_image",
    "keypairs_list", "keypairs_get", "keypairs_create", "keypairs_delete", "keypairs_find",
    "hypervisors_list", "hypervisors_get", "hypervisors_search", "hypervisors_statistics",
    "hypervisors_uptime", "hypervisor_stats_statistics",
    "aggregates_list", "availability_zones_list", "quotas_get", "limits_get",
    "server_groups_list", "services_list", "usage_list", "neutron_find_network",
]


def test_every_manager_method_becomes_an_action_named_as_mistral_extra_does() -> None:
    generated = {d.name for d in PROVIDER.find_all()}
    assert {f"nova.{n}" for n in MISTRAL_EXTRA_NAMES} <= generated
    assert len(generated) >= 162  # mistral-extra's count for nova; novaclient grew since
    assert not any(n.split(".", 1)[1].startswith(("_", "add_hook", "run_hooks"))
                   for n in generated)


def test_the_default_registry_serves_them_beside_std() -> None:
    registry = default_registry(load_plugins=False)
    assert registry.get("nova.servers_list").provider == "openstack"
    assert registry.get("std.echo").provider == "std"


def test_microversioned_methods_show_their_newest_signature() -> None:
    # interface_attach gained ``tag`` in 2.49; actions negotiate the newest microversion.
    spec = PROVIDER.find("nova.servers_interface_attach")
    assert spec is not None
    assert spec.params_spec.startswith("server, port_id, net_id, fixed_ip, tag=null")


def test_other_namespaces_never_load_the_client_library() -> None:
    fresh = OpenStackActionProvider()
    assert fresh.find("std.echo") is None and fresh.find("glance.images_list") is None
    assert fresh._descriptors is None


def test_resources_become_the_body_the_service_returned() -> None:
    manager = SimpleNamespace(client=None, api=None)
    server = base.Resource(manager, {"id": "s1", "addresses": {"net": [{"addr": "10.0.0.1"}]}},
                           loaded=True)
    listed = base.ListWithMeta([server], "req-1")
    assert to_plain(listed) == [{"id": "s1", "addresses": {"net": [{"addr": "10.0.0.1"}]}}]


def test_wrapped_scalars_pairs_and_generators_become_plain() -> None:
    response = SimpleNamespace(status_code=202, headers={})
    assert type(to_plain(base.StrWithMeta("console", None))) is str
    assert to_plain(base.TupleWithMeta((response, {"output": "x"}), None)) == {"output": "x"}
    assert to_plain(response) == {"status_code": 202}
    assert to_plain(x for x in (1, True, None)) == [1, True, None]
    assert to_plain(object()).startswith("<object object")
