"""Which OpenStack cloud an action acts on, and as whom.

Resolution, first match wins:

1. the action's ``action_cloud`` input (Levante's addition, usually set once
   per execution through its env: ``env: {__actions: {nova.servers_list:
   {action_cloud: ...}}}`` or ``action_cloud: <% env().openstack %>``): a
   cloud name from clouds.yaml, or a cloud entry in clouds.yaml's shape
   (``{auth: {auth_url, username, password, project_name, ...},
   region_name, interface, verify}``; ``cloud: NAME`` inside it starts from
   that named cloud);
2. the Keystone token of the request behind the execution, when its security
   context carries one (``auth_token`` and ``auth_uri``; what upstream
   Mistral uses);
3. ``OS_CLOUD`` of the server process: that cloud of its clouds.yaml;
4. the server process's ``OS_*`` variables (``OS_AUTH_URL``, ``OS_USERNAME``,
   ...), read with keystoneauth1's own option names;
5. a clouds.yaml with exactly one cloud.

Steps 3 to 5 do not depend on who started the execution, so executions
started by a cron trigger (no request, no token) authenticate with the
server's own configuration, where upstream Mistral fails.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from keystoneauth1 import loading

from levante.actions.context import SecurityContext
from levante.actions.errors import ActionError
from levante.actions.openstack.clouds_yaml import find_clouds_file, load_cloud

#: Plugins whose v3 requests need a domain: default it as the openstack CLI does.
_DOMAIN_DEFAULTED = frozenset({"password", "token"})
_DOMAIN_KEYS = frozenset(
    {"domain_id", "domain_name", "user_domain_id", "user_domain_name", "project_domain_id",
     "project_domain_name", "default_domain_id", "default_domain_name"}
)


class OpenStackConfigError(ActionError):
    """No usable OpenStack credentials, or credentials in the wrong shape."""


@dataclass(frozen=True, slots=True)
class CloudCredentials:
    """Everything needed to open a Keystone session: hashable, so clients are cached by it.

    ``source`` says where the values came from, for error messages.
    """

    auth_type: str
    auth: tuple[tuple[str, Any], ...]
    region_name: str | None = None
    interface: str = "public"
    verify: bool | str = True
    cert: str | None = None
    compute_api_version: str | None = None
    source: str = field(default="", compare=False)

    @property
    def auth_options(self) -> dict[str, Any]:
        """The keystoneauth plugin options as a dict."""
        return dict(self.auth)

    @property
    def auth_url(self) -> str:
        """Keystone's URL (empty when missing)."""
        return str(self.auth_options.get("auth_url") or "")

    def describe(self) -> str:
        """Who authenticates where, without secrets (for messages)."""
        opts = self.auth_options
        who = opts.get("username") or opts.get("user_id") or opts.get(
            "application_credential_id") or "token"
        project = opts.get("project_name") or opts.get("project_id")
        scope = f" in project '{project}'" if project else ""
        return f"'{who}'{scope} at {self.auth_url or '(no auth_url)'}"


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _auth_from_environ(auth_type: str, environ: Mapping[str, str]) -> dict[str, Any]:
    try:
        options = loading.get_plugin_loader(auth_type).get_options()
    except loading.exceptions.NoMatchingPlugin as exc:
        raise OpenStackConfigError(
            f"OS_AUTH_TYPE '{auth_type}' is not an authentication plugin keystoneauth1 knows"
        ) from exc
    auth: dict[str, Any] = {}
    for opt in options:
        for var in opt.argparse_envvars:
            if environ.get(var):
                auth[opt.dest] = environ[var]
                break
    return auth


def from_environ(environ: Mapping[str, str]) -> CloudCredentials | None:
    """Credentials from ``OS_*`` variables, or None when ``OS_AUTH_URL`` is unset."""
    if not environ.get("OS_AUTH_URL"):
        return None
    auth_type = environ.get("OS_AUTH_TYPE") or (
        "v3applicationcredential" if environ.get("OS_APPLICATION_CREDENTIAL_ID")
        else "token" if environ.get("OS_TOKEN") and not environ.get("OS_PASSWORD")
        else "password"
    )
    verify: bool | str = not _truthy(environ.get("OS_INSECURE", "false"))
    if verify and environ.get("OS_CACERT"):
        verify = environ["OS_CACERT"]
    return build(
        auth_type,
        _auth_from_environ(auth_type, environ),
        region_name=environ.get("OS_REGION_NAME") or None,
        interface=environ.get("OS_INTERFACE") or environ.get("OS_ENDPOINT_TYPE") or "public",
        verify=verify,
        cert=environ.get("OS_CERT") or None,
        compute_api_version=environ.get("OS_COMPUTE_API_VERSION") or None,
        source="the server's OS_* environment variables",
    )


def _implied_auth_type(auth: Mapping[str, Any]) -> str:
    if "application_credential_id" in auth or "application_credential_name" in auth:
        return "v3applicationcredential"
    return "token" if "token" in auth and "password" not in auth else "password"


def from_cloud_entry(entry: Mapping[str, Any], source: str) -> CloudCredentials:
    """Credentials from one clouds.yaml cloud entry (or the same shape from an input)."""
    auth = entry.get("auth")
    if not isinstance(auth, Mapping):
        raise OpenStackConfigError(f"{source} has no 'auth' map (auth_url, username, ...)")
    verify: bool | str = bool(entry.get("verify", True)) and not _truthy(
        entry.get("insecure", False))
    if verify and entry.get("cacert"):
        verify = str(entry["cacert"])
    return build(
        str(entry.get("auth_type") or _implied_auth_type(auth)),
        dict(auth),
        region_name=entry.get("region_name") or None,
        interface=str(entry.get("interface") or entry.get("endpoint_type") or "public"),
        verify=verify,
        cert=entry.get("cert") or None,
        compute_api_version=entry.get("compute_api_version") or None,
        source=source,
    )


def build(
    auth_type: str, auth: dict[str, Any], *, source: str, **settings: Any
) -> CloudCredentials:
    """Normalise and freeze credentials (domain defaults as the openstack CLI applies them)."""
    if auth_type in _DOMAIN_DEFAULTED and not _DOMAIN_KEYS & auth.keys():
        auth["default_domain_id"] = "default"
    elif auth_type == "v3password":
        if "username" in auth and not {"user_domain_id", "user_domain_name"} & auth.keys():
            auth["user_domain_id"] = "default"
        if "project_name" in auth and not {
            "project_domain_id", "project_domain_name"} & auth.keys():
            auth["project_domain_id"] = "default"
    if not auth.get("auth_url"):
        raise OpenStackConfigError(f"{source} does not give auth_url (Keystone's URL)")
    frozen = tuple(sorted((k, v) for k, v in auth.items() if v not in (None, "")))
    return CloudCredentials(auth_type, frozen, source=source, **settings)


def _from_named_cloud(name: str | None, environ: Mapping[str, str], how: str) -> CloudCredentials:
    cloud = load_cloud(name, environ)
    return from_cloud_entry(cloud.entry, f"cloud '{cloud.name}' of {cloud.path} ({how})")


def from_override(value: Any, environ: Mapping[str, str]) -> CloudCredentials:
    """Credentials from an ``action_cloud`` input: a cloud name or a cloud entry."""
    if isinstance(value, str):
        return _from_named_cloud(value, environ, "chosen by the action_cloud input")
    if not isinstance(value, Mapping):
        raise OpenStackConfigError(
            "action_cloud must be a clouds.yaml cloud name or a map like "
            "{auth: {auth_url, username, password, project_name}, region_name}, got "
            f"{type(value).__name__}"
        )
    entry: dict[str, Any] = {}
    if value.get("cloud"):
        entry = dict(load_cloud(str(value["cloud"]), environ).entry)
    overlay = {k: v for k, v in value.items() if k != "cloud"}
    if "auth" in overlay and isinstance(entry.get("auth"), Mapping):
        overlay["auth"] = {**entry["auth"], **overlay["auth"]}
    entry.update(overlay)
    return from_cloud_entry(entry, "the action_cloud input")


def from_security(security: SecurityContext | None) -> CloudCredentials | None:
    """The caller's Keystone token, when the execution carries one (as upstream uses it)."""
    if security is None or not (security.auth_token and security.auth_uri):
        return None
    auth = {"auth_url": security.auth_uri, "token": security.auth_token}
    if security.project_id:
        auth["project_id"] = security.project_id
    verify: bool | str = not security.insecure
    if verify and security.auth_cacert:
        verify = security.auth_cacert
    return build("token", auth, region_name=security.region_name or None, verify=verify,
                 source="the Keystone token of the request that started the execution")


def resolve(
    override: Any = None,
    environ: Mapping[str, str] | None = None,
    security: SecurityContext | None = None,
) -> CloudCredentials:
    """The credentials an OpenStack action uses (see the module docstring for the order)."""
    environ = os.environ if environ is None else environ
    if override:
        return from_override(override, environ)
    from_caller = from_security(security)
    if from_caller is not None:
        return from_caller
    if environ.get("OS_CLOUD"):
        return _from_named_cloud(environ["OS_CLOUD"], environ, "chosen by OS_CLOUD")
    found = from_environ(environ)
    if found is not None:
        return found
    if find_clouds_file(environ) is not None:
        return _from_named_cloud(None, environ, "its only cloud")
    raise OpenStackConfigError(
        "No OpenStack credentials: start the Levante server with OS_CLOUD (a cloud of "
        "clouds.yaml) or OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME set, or "
        "give the action an action_cloud input."
    )
