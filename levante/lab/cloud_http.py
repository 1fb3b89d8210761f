"""The HTTP side of the stand-in cloud: Keystone v3, Nova, Glance and Neutron routes.

Requests other than version discovery need a token the stand-in issued
(``X-Auth-Token``), as a real cloud does. Compute responses carry the
microversion headers novaclient checks, echoing the version it asked for.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from levante.lab import cloud_model as model

if TYPE_CHECKING:
    from levante.lab.cloud import StandInCloud

Reply = tuple[int, Any, dict[str, str]]

_UNAUTHORIZED = {
    "error": {
        "code": 401,
        "title": "Unauthorized",
        "message": "The request you have made requires authentication.",
    }
}


def _not_found(what: str, ident: str) -> Reply:
    message = f"{what} {ident} could not be found."
    return 404, {"itemNotFound": {"code": 404, "message": message}}, {}


def _find(items: Iterable[Any], ident: str, *attrs: str) -> Any:
    for item in items:
        if any(getattr(item, a) == ident for a in attrs):
            return item
    return None


class StandInHandler(BaseHTTPRequestHandler):
    """Routes one request to the stand-in cloud bound as ``cloud``."""

    cloud: ClassVar[StandInCloud]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``cloud.requests`` instead of stderr."""

    def do_GET(self) -> None:
        """Serve a GET."""
        self._serve("GET")

    def do_POST(self) -> None:
        """Serve a POST."""
        self._serve("POST")

    def do_DELETE(self) -> None:
        """Serve a DELETE."""
        self._serve("DELETE")

    def do_PUT(self) -> None:
        """Serve a PUT."""
        self._serve("PUT")

    # -- plumbing ----------------------------------------------------------

    def _serve(self, method: str) -> None:
        from levante.lab.cloud import RecordedRequest

        parts = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.body = json.loads(raw) if raw else None
        path = parts.path.rstrip("/") or "/"
        if self.cloud.record_requests:
            self.cloud.requests.append(
                RecordedRequest(method, self.path, dict(self.headers.items()), self.body)
            )
        status, payload, headers = self._route(method, path)
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Openstack-Request-Id", f"req-{uuid.uuid4()}")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str, path: str) -> Reply:
        if path in ("/", "/v3") and method == "GET":
            return self._identity_versions(path)
        if path == "/v3/auth/tokens" and method == "POST":
            return self._issue_token()
        for prefix, handler in (
            ("/compute", self._compute),
            ("/image", self._image),
            ("/network", self._network),
        ):
            if path == prefix or path.startswith(prefix + "/"):
                rest = path[len(prefix) :] or "/"
                if rest in ("/", "/v2.1") and prefix == "/compute" and method == "GET":
                    return self._compute_versions(rest)
                if not self.cloud.token_valid(self.headers.get("X-Auth-Token")):
                    return 401, _UNAUTHORIZED, {}
                return handler(method, rest)
        return 404, {"error": {"code": 404, "message": f"No route for {method} {path}"}}, {}

    # -- Keystone ------------------------------------------------------------

    def _identity_version(self) -> dict[str, Any]:
        return {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{self.cloud.auth_url}/"}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
            ],
        }

    def _identity_versions(self, path: str) -> Reply:
        if path == "/v3":
            return 200, {"version": self._identity_version()}, {}
        return 300, {"versions": {"values": [self._identity_version()]}}, {}

    def _issue_token(self) -> Reply:
        auth = (self.body or {}).get("auth", {})
        identity = auth.get("identity", {})
        methods = identity.get("methods", [])
        if "password" in methods:
            user = identity.get("password", {}).get("user", {})
            cloud = self.cloud
            name_ok = user.get("name") == cloud.username or user.get("id") == cloud.user_id
            if not (name_ok and user.get("password") == self.cloud.password):
                return 401, _UNAUTHORIZED, {}
        elif "token" in methods:
            if not self.cloud.token_valid(identity.get("token", {}).get("id")):
                return 401, _UNAUTHORIZED, {}
        else:
            return 401, _UNAUTHORIZED, {}
        project = auth.get("scope", {}).get("project", {})
        if project and project.get("name", self.cloud.project_name) != self.cloud.project_name:
            return 401, _UNAUTHORIZED, {}
        token = self.cloud.new_token()
        domain = {"id": "default", "name": "Default"}
        body = {
            "token": {
                "methods": methods,
                "user": {"id": self.cloud.user_id, "name": self.cloud.username, "domain": domain},
                "project": {"id": self.cloud.project_id, "name": self.cloud.project_name,
                            "domain": domain},
                "roles": [{"id": "r-admin", "name": "admin"}, {"id": "r-member", "name": "member"}],
                "issued_at": "2024-01-15T10:00:00.000000Z",
                "expires_at": "2999-01-01T00:00:00.000000Z",
                "audit_ids": [uuid.uuid4().hex[:22]],
                "is_domain": False,
                "catalog": self.cloud.catalog(),
            }
        }
        return 201, body, {"X-Subject-Token": token}

    # -- Nova ----------------------------------------------------------------

    def _compute_version(self) -> dict[str, Any]:
        return {
            "id": "v2.1",
            "status": "CURRENT",
            "version": self.cloud.max_microversion,
            "min_version": "2.1",
            "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{self.cloud.compute_url}/"}],
        }

    def _compute_versions(self, rest: str) -> Reply:
        if rest == "/v2.1":
            return 200, {"version": self._compute_version()}, {}
        return 200, {"versions": [self._compute_version()]}, {}

    def _microversion_headers(self) -> dict[str, str]:
        asked = self.headers.get("X-OpenStack-Nova-API-Version") or "2.1"
        return {
            "X-OpenStack-Nova-API-Version": asked,
            "OpenStack-API-Version": f"compute {asked}",
            "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version",
        }

    def _compute(self, method: str, rest: str) -> Reply:
        if not rest.startswith("/v2.1/"):
            return 404, {"itemNotFound": {"code": 404, "message": "Unknown version"}}, {}
        route = rest[len("/v2.1") :]
        status, payload, headers = self._compute_route(method, route)
        return status, payload, {**headers, **self._microversion_headers()}

    def _compute_route(self, method: str, route: str) -> Reply:
        routes: list[tuple[str, str, Callable[..., Reply]]] = [
            ("GET", r"/servers(/detail)?", self._list_servers),
            ("POST", r"/servers", self._create_server),
            ("GET", r"/servers/([^/]+)", self._get_server),
            ("DELETE", r"/servers/([^/]+)", self._delete_server),
            ("POST", r"/servers/([^/]+)/action", self._server_action),
            ("GET", r"/servers/([^/]+)/ips", self._server_ips),
            ("GET", r"/flavors(/detail)?", self._list_flavors),
            ("GET", r"/flavors/([^/]+)", self._get_flavor),
            ("GET", r"/os-keypairs", self._list_keypairs),
            ("POST", r"/os-keypairs", self._create_keypair),
            ("GET", r"/os-keypairs/([^/]+)", self._get_keypair),
            ("DELETE", r"/os-keypairs/([^/]+)", self._delete_keypair),
            ("GET", r"/os-hypervisors(/detail)?", self._list_hypervisors),
            ("GET", r"/os-hypervisors/([^/]+)", self._get_hypervisor),
        ]
        for verb, pattern, handler in routes:
            match = re.fullmatch(pattern, route)
            if verb == method and match:
                return handler(*match.groups())
        return 404, {"itemNotFound": {"code": 404, "message": f"No route {method} {route}"}}, {}

    def _base(self) -> str:
        return self.cloud.base_url + "/compute"

    def _server_doc(self, server: model.StandInServer) -> dict[str, Any]:
        flavor = _find(self.cloud.flavors, server.flavor, "name", "id")
        image = _find(self.cloud.images, server.image, "name", "id")
        return model.server_body(self._base(), server, flavor, image)

    def _list_servers(self, detail: str | None) -> Reply:
        servers = list(self.cloud.servers)
        if "name" in self.query:
            servers = [s for s in servers if re.search(self.query["name"], s.name)]
        if "status" in self.query:
            servers = [s for s in servers if s.status == self.query["status"].upper()]
        if "marker" in self.query:
            ids = [s.id for s in servers]
            if self.query["marker"] not in ids:
                return 400, {"badRequest": {"code": 400, "message": "marker not found"}}, {}
            servers = servers[ids.index(self.query["marker"]) + 1 :]
        limit = min(int(self.query.get("limit", self.cloud.max_page)), self.cloud.max_page)
        page = servers[:limit]
        if detail:
            return 200, {"servers": [self._server_doc(s) for s in page]}, {}
        return 200, {"servers": [model.server_summary(self._base(), s) for s in page]}, {}

    def _get_server(self, ident: str) -> Reply:
        server = _find(self.cloud.servers, ident, "id")
        if server is None:
            return _not_found("Instance", ident)
        return 200, {"server": self._server_doc(server)}, {}

    def _server_ips(self, ident: str) -> Reply:
        server = _find(self.cloud.servers, ident, "id")
        if server is None:
            return _not_found("Instance", ident)
        return 200, {"addresses": model.addresses_of(server)}, {}

    def _create_server(self) -> Reply:
        spec = (self.body or {}).get("server", {})
        number = len(self.cloud.servers) + 100
        flavor = _find(self.cloud.flavors, str(spec.get("flavorRef", "")), "id", "name")
        image = _find(self.cloud.images, str(spec.get("imageRef", "")), "id", "name")
        server = model.StandInServer(
            spec.get("name", f"server-{number}"), f"10.0.1.{number % 250}",
            status="BUILD", flavor=flavor.name if flavor else "m1.small",
            image=image.name if image else "", key_name=spec.get("key_name"),
            metadata=spec.get("metadata") or {},
        )
        self.cloud.servers.append(server)
        body = {"id": server.id, "links": model.server_summary(self._base(), server)["links"],
                "OS-DCF:diskConfig": "MANUAL", "security_groups": [{"name": "default"}],
                "adminPass": "StandInPass1"}
        return 202, {"server": body}, {}

    def _delete_server(self, ident: str) -> Reply:
        server = _find(self.cloud.servers, ident, "id")
        if server is None:
            return _not_found("Instance", ident)
        self.cloud.servers.remove(server)
        return 204, None, {}

    def _server_action(self, ident: str) -> Reply:
        server = _find(self.cloud.servers, ident, "id")
        if server is None:
            return _not_found("Instance", ident)
        body = self.body or {}
        self.cloud.server_actions.append((server.id, body))
        if "os-stop" in body:
            server.status = "SHUTOFF"
        elif "os-start" in body or "reboot" in body:
            server.status = "ACTIVE"
        if "os-getConsoleOutput" in body:
            return 200, {"output": f"{server.name} login: "}, {}
        return 202, None, {}

    def _list_flavors(self, detail: str | None) -> Reply:
        docs = [model.flavor_body(self._base(), f, bool(detail)) for f in self.cloud.flavors]
        return 200, {"flavors": docs}, {}

    def _get_flavor(self, ident: str) -> Reply:
        flavor = _find(self.cloud.flavors, ident, "id")
        if flavor is None:
            return _not_found("Flavor", ident)
        return 200, {"flavor": model.flavor_body(self._base(), flavor)}, {}

    def _list_keypairs(self) -> Reply:
        docs = [{"keypair": model.keypair_body(k)} for k in self.cloud.keypairs]
        return 200, {"keypairs": docs}, {}

    def _get_keypair(self, name: str) -> Reply:
        keypair = _find(self.cloud.keypairs, name, "name")
        if keypair is None:
            return _not_found("Keypair", name)
        return 200, {"keypair": model.keypair_body(keypair, detailed=True)}, {}

    def _create_keypair(self) -> Reply:
        spec = (self.body or {}).get("keypair", {})
        keypair = model.StandInKeypair(spec.get("name", "unnamed"))
        if spec.get("public_key"):
            keypair.public_key = spec["public_key"]
        self.cloud.keypairs.append(keypair)
        return 200, {"keypair": model.keypair_body(keypair, detailed=True)}, {}

    def _delete_keypair(self, name: str) -> Reply:
        keypair = _find(self.cloud.keypairs, name, "name")
        if keypair is None:
            return _not_found("Keypair", name)
        self.cloud.keypairs.remove(keypair)
        return 202, None, {}

    def _list_hypervisors(self, detail: str | None) -> Reply:
        hypervisors = self.cloud.hypervisors
        pattern = self.query.get("hypervisor_hostname_pattern")
        if pattern:
            hypervisors = [h for h in hypervisors if pattern in h.hostname]
            if not hypervisors:
                return _not_found("Hypervisor matching", pattern)
        docs = [model.hypervisor_body(h, bool(detail)) for h in hypervisors]
        return 200, {"hypervisors": docs}, {}

    def _get_hypervisor(self, ident: str) -> Reply:
        hypervisor = _find(self.cloud.hypervisors, ident, "id")
        if hypervisor is None:
            return _not_found("Hypervisor", ident)
        return 200, {"hypervisor": model.hypervisor_body(hypervisor)}, {}

    # -- Glance and Neutron (what novaclient's proxies use) -------------------

    def _image(self, method: str, rest: str) -> Reply:
        base = self.cloud.base_url + "/image"
        if method == "GET" and rest == "/v2/images":
            images = self.cloud.images
            if "name" in self.query:
                images = [i for i in images if i.name == self.query["name"]]
            return 200, {"images": [model.image_body(base, i) for i in images]}, {}
        match = re.fullmatch(r"/v2/images/([^/]+)", rest)
        if method == "GET" and match:
            image = _find(self.cloud.images, match.group(1), "id")
            if image is None:
                return _not_found("Image", match.group(1))
            return 200, model.image_body(base, image), {}
        return 404, {"message": f"No route {method} {rest}"}, {}

    def _network(self, method: str, rest: str) -> Reply:
        if method == "GET" and rest == "/v2.0/networks":
            networks = self.cloud.networks
            if "name" in self.query:
                networks = [n for n in networks if n.name == self.query["name"]]
            return 200, {"networks": [model.network_body(n) for n in networks]}, {}
        return 404, {"NeutronError": {"message": f"No route {method} {rest}"}}, {}
