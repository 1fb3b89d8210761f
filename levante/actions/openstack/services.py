"""The OpenStack services Levante generates actions for, and how to reach each.

A :class:`ServiceSpec` says how to build a throw-away client for reading
signatures, which of its attributes are managers, and how to connect a real
client through a Keystone session. Adding a service (glance, neutron, ...) is
one more spec here; nova is the one the cloud-cron story needs.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from keystoneauth1 import session as ks_session

from levante.actions.openstack.credentials import CloudCredentials
from levante.actions.openstack.generator import ActionDefinition, definitions, managers_of


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """How to generate and run one OpenStack service's actions."""

    namespace: str
    service_type: str
    #: Python module that must be importable for the service to be offered.
    module: str
    #: Reads the client library and returns the actions to generate.
    describe: Callable[[], list[ActionDefinition]]
    #: Builds a real client: (session, credentials, region) -> client.
    connect: Callable[[ks_session.Session, CloudCredentials, str | None], Any]
    #: The library's exception types for a failed call (their text is the message).
    errors: Callable[[], tuple[type[Exception], ...]]

    def available(self) -> bool:
        """True when the client library is installed."""
        return importlib.util.find_spec(self.module) is not None


# -- nova ------------------------------------------------------------------


def _nova_describe() -> list[ActionDefinition]:
    from novaclient import api_versions, base
    from novaclient import client as nova_client

    def newest(method: Any) -> Any:
        name = getattr(method, "__id__", None)
        if name is None:
            return None
        variants = api_versions.get_substitutions(name)
        return variants[-1].func if variants else None

    # Like mistral-extra: a client that is never connected, for introspection only.
    client = nova_client.Client(2)
    return definitions("nova", client, managers_of(client, base.HookableMixin), newest)


def _nova_connect(
    session: ks_session.Session, credentials: CloudCredentials, region: str | None
) -> Any:
    import novaclient
    from novaclient import api_versions
    from novaclient import client as nova_client

    options = {
        "session": session,
        "region_name": region or credentials.region_name,
        "endpoint_type": credentials.interface,
    }
    if credentials.compute_api_version:
        version = api_versions.APIVersion(credentials.compute_api_version)
    else:
        # As mistral-extra: the newest microversion both sides support.
        probe = nova_client.Client(novaclient.API_MIN_VERSION, **options)
        version = api_versions.discover_version(probe, api_versions.APIVersion("2.latest"))
    return nova_client.Client(version, **options)


def _nova_errors() -> tuple[type[Exception], ...]:
    from novaclient import exceptions as nova_exc

    return (nova_exc.ClientException, nova_exc.UnsupportedVersion, nova_exc.CommandError)


NOVA = ServiceSpec(
    namespace="nova",
    service_type="compute",
    module="novaclient",
    describe=_nova_describe,
    connect=_nova_connect,
    errors=_nova_errors,
)

#: Every service Levante knows; those whose library is missing are skipped.
SERVICES: tuple[ServiceSpec, ...] = (NOVA,)
