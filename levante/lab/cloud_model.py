"""The resources a stand-in OpenStack cloud serves, and how Nova renders them.

Plain dataclasses describe a tenant (servers with fixed and floating IPs,
flavors, keypairs, hypervisors, images, networks); the ``*_body`` functions
turn them into the JSON documents Nova, Glance and Neutron return at a recent
microversion, so what a client library parses is what a real cloud sends.
Only the standard library is used, so the lab (``levante lab``) can reuse it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

CREATED = "2024-01-15T10:00:00Z"
UPDATED = "2024-01-15T10:05:00Z"
PROJECT_ID = "6f70656e737461636b20697320636f6f"
USER_ID = "9a0e3b6c5f4d4c2e8b7a1d2c3e4f5a6b"


def _uuid() -> str:
    return str(uuid.uuid4())


def _mac(ip: str) -> str:
    digest = hashlib.sha1(ip.encode()).hexdigest()
    return "fa:16:3e:" + ":".join(digest[i : i + 2] for i in range(0, 6, 2))


@dataclass
class StandInFlavor:
    """A flavor (``m1.small``: 1 vCPU, 2048 MB, 20 GB)."""

    name: str
    vcpus: int = 1
    ram: int = 2048
    disk: int = 20
    id: str = field(default_factory=_uuid)


@dataclass
class StandInImage:
    """A Glance image."""

    name: str
    id: str = field(default_factory=_uuid)
    status: str = "active"


@dataclass
class StandInServer:
    """A VM: its fixed IP on ``network`` and optionally a floating IP."""

    name: str
    fixed_ip: str
    floating_ip: str | None = None
    id: str = field(default_factory=_uuid)
    status: str = "ACTIVE"
    network: str = "private"
    flavor: str = "m1.small"
    image: str = "ubuntu-22.04"
    key_name: str | None = "default"
    host: str = "compute-1"
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class StandInKeypair:
    """An SSH keypair registered with Nova."""

    name: str
    public_key: str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIStandInKey levante@standin"
    type: str = "ssh"

    @property
    def fingerprint(self) -> str:
        """An MD5-style fingerprint derived from the public key."""
        digest = hashlib.md5(self.public_key.encode()).hexdigest()
        return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


@dataclass
class StandInHypervisor:
    """A compute host."""

    hostname: str
    host_ip: str = "192.168.1.10"
    id: str = field(default_factory=_uuid)
    state: str = "up"
    status: str = "enabled"


@dataclass
class StandInNetwork:
    """A Neutron network."""

    name: str
    id: str = field(default_factory=_uuid)


def _links(base: str, kind: str, ident: str) -> list[dict[str, str]]:
    return [
        {"rel": "self", "href": f"{base}/v2.1/{kind}/{ident}"},
        {"rel": "bookmark", "href": f"{base}/{kind}/{ident}"},
    ]


def addresses_of(server: StandInServer) -> dict[str, list[dict[str, Any]]]:
    """Nova's ``addresses`` map: the fixed IP first, then the floating one."""
    entries: list[dict[str, Any]] = [
        {
            "version": 4,
            "addr": server.fixed_ip,
            "OS-EXT-IPS:type": "fixed",
            "OS-EXT-IPS-MAC:mac_addr": _mac(server.fixed_ip),
        }
    ]
    if server.floating_ip:
        entries.append(
            {
                "version": 4,
                "addr": server.floating_ip,
                "OS-EXT-IPS:type": "floating",
                "OS-EXT-IPS-MAC:mac_addr": _mac(server.fixed_ip),
            }
        )
    return {server.network: entries}


def server_summary(base: str, server: StandInServer) -> dict[str, Any]:
    """A server as ``GET /servers`` (not detailed) lists it."""
    return {"id": server.id, "name": server.name, "links": _links(base, "servers", server.id)}


def server_body(
    base: str, server: StandInServer, flavor: StandInFlavor | None, image: StandInImage | None
) -> dict[str, Any]:
    """A server as ``GET /servers/detail`` and ``GET /servers/{id}`` return it."""
    active = server.status == "ACTIVE"
    flavor_doc: dict[str, Any] = {
        "vcpus": flavor.vcpus if flavor else 1,
        "ram": flavor.ram if flavor else 2048,
        "disk": flavor.disk if flavor else 20,
        "ephemeral": 0,
        "swap": 0,
        "original_name": server.flavor,
        "extra_specs": {},
    }
    image_doc: dict[str, Any] = (
        {"id": image.id, "links": [{"rel": "bookmark", "href": f"{base}/images/{image.id}"}]}
        if image
        else ""
    )
    return {
        "id": server.id,
        "name": server.name,
        "status": server.status,
        "tenant_id": PROJECT_ID,
        "user_id": USER_ID,
        "metadata": dict(server.metadata),
        "hostId": hashlib.sha224((PROJECT_ID + server.host).encode()).hexdigest(),
        "image": image_doc,
        "flavor": flavor_doc,
        "created": CREATED,
        "updated": UPDATED,
        "addresses": addresses_of(server),
        "accessIPv4": "",
        "accessIPv6": "",
        "links": _links(base, "servers", server.id),
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 0,
        "OS-EXT-AZ:availability_zone": "nova",
        "config_drive": "",
        "key_name": server.key_name,
        "OS-SRV-USG:launched_at": "2024-01-15T10:01:00.000000",
        "OS-SRV-USG:terminated_at": None,
        "OS-EXT-SRV-ATTR:host": server.host,
        "OS-EXT-SRV-ATTR:hypervisor_hostname": server.host,
        "OS-EXT-SRV-ATTR:instance_name": f"instance-{server.id[:8]}",
        "security_groups": [{"name": "default"}],
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": "active" if active else "stopped",
        "OS-EXT-STS:power_state": 1 if active else 4,
        "os-extended-volumes:volumes_attached": [],
        "locked": False,
        "locked_reason": None,
        "description": None,
        "tags": [],
        "trusted_image_certificates": None,
        "server_groups": [],
    }


def flavor_body(base: str, flavor: StandInFlavor, detailed: bool = True) -> dict[str, Any]:
    """A flavor as ``GET /flavors/detail`` returns it (or its summary)."""
    summary = {
        "id": flavor.id,
        "name": flavor.name,
        "description": None,
        "links": _links(base, "flavors", flavor.id),
    }
    if not detailed:
        return summary
    return {
        **summary,
        "ram": flavor.ram,
        "disk": flavor.disk,
        "vcpus": flavor.vcpus,
        "swap": 0,
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "OS-FLV-DISABLED:disabled": False,
        "os-flavor-access:is_public": True,
        "rxtx_factor": 1.0,
        "extra_specs": {},
    }


def keypair_body(keypair: StandInKeypair, detailed: bool = False) -> dict[str, Any]:
    """A keypair as listed (``detailed`` adds what ``GET /os-keypairs/{name}`` shows)."""
    body: dict[str, Any] = {
        "name": keypair.name,
        "public_key": keypair.public_key,
        "fingerprint": keypair.fingerprint,
        "type": keypair.type,
    }
    if detailed:
        body.update(
            user_id=USER_ID, created_at=CREATED, deleted=False, deleted_at=None,
            updated_at=None, id=abs(hash(keypair.name)) % 10_000,
        )
    return body


def hypervisor_body(hypervisor: StandInHypervisor, detailed: bool = True) -> dict[str, Any]:
    """A hypervisor as ``GET /os-hypervisors/detail`` returns it at 2.88 and later."""
    summary = {
        "id": hypervisor.id,
        "hypervisor_hostname": hypervisor.hostname,
        "state": hypervisor.state,
        "status": hypervisor.status,
    }
    if not detailed:
        return summary
    return {
        **summary,
        "host_ip": hypervisor.host_ip,
        "hypervisor_type": "QEMU",
        "hypervisor_version": 8002000,
        "service": {"host": hypervisor.hostname, "id": _uuid(), "disabled_reason": None},
        "uptime": " 10:00:00 up 42 days,  1:00,  0 users,  load average: 0.10, 0.12, 0.09",
    }


def image_body(base: str, image: StandInImage) -> dict[str, Any]:
    """An image as Glance v2 returns it."""
    return {
        "id": image.id,
        "name": image.name,
        "status": image.status,
        "visibility": "public",
        "container_format": "bare",
        "disk_format": "qcow2",
        "min_disk": 0,
        "min_ram": 0,
        "size": 2_147_483_648,
        "protected": False,
        "owner": PROJECT_ID,
        "tags": [],
        "created_at": CREATED,
        "updated_at": UPDATED,
        "self": f"/v2/images/{image.id}",
        "file": f"/v2/images/{image.id}/file",
        "schema": "/v2/schemas/image",
    }


def network_body(network: StandInNetwork) -> dict[str, Any]:
    """A network as Neutron returns it."""
    return {
        "id": network.id,
        "name": network.name,
        "status": "ACTIVE",
        "admin_state_up": True,
        "shared": False,
        "tenant_id": PROJECT_ID,
        "project_id": PROJECT_ID,
        "subnets": [],
        "router:external": False,
    }
