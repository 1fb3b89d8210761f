"""OpenStack actions (``nova.*``), generated from the official client libraries.

Names, inputs and results follow mistral-extra: ``nova.servers_list`` calls
``novaclient``'s ``servers.list`` and returns each server as Nova's API
returns it. Credentials come from the server process's ``OS_*`` variables or
``clouds.yaml`` (``OS_CLOUD``), or per action from the ``action_cloud``
input; see :mod:`levante.actions.openstack.credentials`.

Public API: :class:`OpenStackActionProvider` (and :func:`provider`, its
factory), :class:`OpenStackAction`, :class:`OpenStackActionError`,
:class:`CloudCredentials`, :func:`resolve_credentials`, :data:`CLIENTS`.
"""

from levante.actions.openstack.action import CLIENTS, OpenStackAction, OpenStackActionError
from levante.actions.openstack.credentials import CloudCredentials, OpenStackConfigError
from levante.actions.openstack.credentials import resolve as resolve_credentials
from levante.actions.openstack.provider import OpenStackActionProvider, provider

__all__ = [
    "CLIENTS",
    "CloudCredentials",
    "OpenStackAction",
    "OpenStackActionError",
    "OpenStackActionProvider",
    "OpenStackConfigError",
    "provider",
    "resolve_credentials",
]
