"""The action class every generated OpenStack action derives from.

``run`` resolves credentials (see :mod:`~levante.actions.openstack.credentials`),
takes a cached client, calls the client method with the action's input and
returns the plain result. It blocks, so the executor runs it in its thread
pool. Failures become :class:`OpenStackActionError` with a message that says
what to fix: which credentials were refused where, which endpoint is missing,
or the service's own error (``No server with ... (HTTP 404)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from keystoneauth1 import exceptions as ks_exc

from levante.actions.base import Action
from levante.actions.errors import ActionError
from levante.actions.openstack import credentials as creds
from levante.actions.openstack.clients import ClientCache
from levante.actions.openstack.generator import ACTION_CLOUD, ACTION_REGION
from levante.actions.openstack.results import to_plain

if TYPE_CHECKING:
    from levante.actions.context import ActionContext
    from levante.actions.openstack.services import ServiceSpec

#: Clients shared by every OpenStack action of this process.
CLIENTS = ClientCache()


class OpenStackActionError(ActionError):
    """An OpenStack call failed: authentication, catalog, or the service's own error."""


class OpenStackAction(Action):
    """Calls one method of an OpenStack client library (generated subclasses say which)."""

    blocking: ClassVar[bool] = True
    #: Set on each generated subclass.
    service: ClassVar[ServiceSpec]
    action_name: ClassVar[str] = ""
    method_path: ClassVar[str] = ""

    def __init__(self, **kwargs: Any) -> None:
        """Keep the method's input; ``action_region``/``action_cloud`` are ours."""
        self.action_region: str | None = kwargs.pop(ACTION_REGION, None) or None
        self.action_cloud: Any = kwargs.pop(ACTION_CLOUD, None)
        self.inputs: dict[str, Any] = kwargs

    def credentials(self, context: ActionContext | None = None) -> creds.CloudCredentials:
        """The credentials this run uses."""
        security = context.security if context is not None else None
        return creds.resolve(self.action_cloud, security=security)

    def client(self, credentials: creds.CloudCredentials) -> Any:
        """The cached client of this action's service for ``credentials``."""
        return CLIENTS.client(
            self.service.namespace, credentials, self.action_region, self.service.connect
        )

    def method(self, client: Any) -> Any:
        """The bound client method this action calls."""
        target = client
        for part in self.method_path.split("."):
            target = getattr(target, part)
        return target

    def run(self, context: ActionContext) -> Any:
        """Call the client method and return its result as plain data."""
        try:
            return self._call(self.credentials(context))
        except OpenStackActionError:
            raise
        except ActionError as exc:  # configuration: no credentials, bad clouds.yaml, ...
            raise OpenStackActionError(f"{self.action_name}: {exc}") from exc

    def _call(self, credentials: creds.CloudCredentials) -> Any:
        try:
            return to_plain(self.method(self.client(credentials))(**self.inputs))
        except ks_exc.Unauthorized as exc:
            raise OpenStackActionError(
                f"{self.action_name}: OpenStack authentication failed for "
                f"{credentials.describe()}: {_reason(exc)}. Check the credentials in "
                f"{credentials.source}."
            ) from exc
        except (ks_exc.EndpointNotFound, ks_exc.EmptyCatalog) as exc:
            region = self.action_region or credentials.region_name or "any region"
            raise OpenStackActionError(
                f"{self.action_name}: the service catalog of {credentials.auth_url} has no "
                f"'{self.service.service_type}' endpoint (interface '{credentials.interface}', "
                f"{region}): {exc}"
            ) from exc
        except ks_exc.ConnectionError as exc:
            raise OpenStackActionError(
                f"{self.action_name}: cannot reach OpenStack ({credentials.source}): {exc}"
            ) from exc
        except ks_exc.ClientException as exc:
            raise OpenStackActionError(f"{self.action_name} failed: {_reason(exc)}") from exc
        except self.service.errors() as exc:
            raise OpenStackActionError(f"{self.action_name} failed: {exc}") from exc

    def test(self, context: ActionContext) -> Any:
        """A dry run: echo the input, as mistral-extra does."""
        return {name: "test" for name in self.inputs}


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    status = getattr(exc, "http_status", None)
    return f"{message} (HTTP {status})" if status and str(status) not in message else message

