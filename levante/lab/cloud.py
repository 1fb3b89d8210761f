"""A Keystone v3 + Nova (+ a little Glance and Neutron) stand-in over real HTTP.

Start it on a loopback port, point ``OS_*`` (or a ``clouds.yaml``) at it, and
the real ``python-novaclient`` / ``keystoneauth1`` talk to it as to a cloud:
password authentication, a service catalog, version discovery, microversion
headers, servers with fixed and floating IPs, flavors, keypairs, hypervisors.

.. code-block:: python

    with StandInCloud(servers=[StandInServer("vm1", "10.0.0.1", "172.24.4.1")]) as cloud:
        env = cloud.os_environ()          # OS_AUTH_URL, OS_USERNAME, ...
        cloud.write_clouds_yaml(path)     # a clouds.yaml with cloud "standin"

For SSH tests, list the hosts the SSH servers listen on:
``StandInCloud(servers=servers_at(["127.0.0.2", "127.0.0.3"]))``; the cookbook's
YAQL then publishes exactly those addresses.

Run it alone (for the lab or a manual try): ``python -m levante.lab.cloud
--servers 20`` prints the ``OS_*`` variables and serves until interrupted.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from levante.lab.cloud_http import StandInHandler
from levante.lab.cloud_model import (
    PROJECT_ID,
    USER_ID,
    StandInFlavor,
    StandInHypervisor,
    StandInImage,
    StandInKeypair,
    StandInNetwork,
    StandInServer,
)

#: The newest compute microversion the stand-in announces (as Nova 2024.2).
MAX_MICROVERSION = "2.96"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the stand-in received."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: Any = None


def default_servers(count: int = 3) -> list[StandInServer]:
    """``count`` servers vm1..vmN with fixed 10.0.0.N and floating 172.24.4.N."""
    return [
        StandInServer(f"vm{i}", f"10.0.0.{i}", f"172.24.4.{i}") for i in range(1, count + 1)
    ]


def servers_at(fixed_ips: Iterable[str], prefix: str = "vm") -> list[StandInServer]:
    """A server per fixed IP (e.g. the loopback addresses of SSH test hosts), named vm1.."""
    return [
        StandInServer(f"{prefix}{i}", ip, f"172.24.4.{i % 250 + 1}")
        for i, ip in enumerate(fixed_ips, start=1)
    ]


@dataclass
class StandInCloud:
    """A tenant served over HTTP on ``host`` (a loopback address).

    Credentials accepted: ``username``/``password`` in ``project_name``, all in
    domain ``Default``. Everything is mutable while it runs (add a server,
    change a status); ``requests`` records what clients sent, ``server_actions``
    the ``POST /servers/{id}/action`` bodies.
    """

    servers: list[StandInServer] = field(default_factory=default_servers)
    flavors: list[StandInFlavor] = field(
        default_factory=lambda: [
            StandInFlavor("m1.tiny", 1, 512, 1),
            StandInFlavor("m1.small", 1, 2048, 20),
            StandInFlavor("m1.large", 4, 8192, 80),
        ]
    )
    images: list[StandInImage] = field(default_factory=lambda: [StandInImage("ubuntu-22.04")])
    keypairs: list[StandInKeypair] = field(default_factory=lambda: [StandInKeypair("default")])
    hypervisors: list[StandInHypervisor] = field(
        default_factory=lambda: [StandInHypervisor("compute-1"), StandInHypervisor("compute-2")]
    )
    networks: list[StandInNetwork] = field(default_factory=lambda: [StandInNetwork("private")])
    username: str = "admin"
    password: str = "secret"
    project_name: str = "demo"
    region: str = "RegionOne"
    host: str = "127.0.0.1"
    port: int = 0
    #: Nova's ``max_limit``: the largest page ``GET /servers`` returns.
    max_page: int = 1000
    requests: list[RecordedRequest] = field(default_factory=list)
    #: False: keep no request (a long-running lab would otherwise grow without bound).
    record_requests: bool = True
    server_actions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _httpd: ThreadingHTTPServer | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    project_id: str = PROJECT_ID
    user_id: str = USER_ID
    max_microversion: str = MAX_MICROVERSION

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> StandInCloud:
        """Listen (on ``port``, or a free one when 0) and serve in a thread."""
        if self._httpd is not None:
            return self
        handler = type("BoundStandInHandler", (StandInHandler,), {"cloud": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            args=(0.05,),
            name=f"standin-cloud:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> StandInCloud:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- addresses and credentials -----------------------------------------

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running stand-in."""
        return f"http://{self.host}:{self.port}"

    @property
    def auth_url(self) -> str:
        """Keystone's versioned URL (``.../v3``); the unversioned root works too."""
        return f"{self.base_url}/v3"

    @property
    def compute_url(self) -> str:
        """The compute endpoint in the catalog (no project id, as since Nova 2.18)."""
        return f"{self.base_url}/compute/v2.1"

    def catalog(self) -> list[dict[str, Any]]:
        """The service catalog a token carries."""
        services = [
            ("identity", "keystone", self.auth_url),
            ("compute", "nova", self.compute_url),
            ("image", "glance", f"{self.base_url}/image"),
            ("network", "neutron", f"{self.base_url}/network"),
        ]
        return [
            {
                "type": kind,
                "name": name,
                "id": f"{kind}-service",
                "endpoints": [
                    {
                        "id": f"{kind}-{interface}",
                        "interface": interface,
                        "region": self.region,
                        "region_id": self.region,
                        "url": url,
                    }
                    for interface in ("public", "internal", "admin")
                ],
            }
            for kind, name, url in services
        ]

    def auth_options(self) -> dict[str, str]:
        """The ``auth`` section of a clouds.yaml entry for this tenant."""
        return {
            "auth_url": self.auth_url,
            "username": self.username,
            "password": self.password,
            "project_name": self.project_name,
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        }

    def os_environ(self) -> dict[str, str]:
        """The ``OS_*`` variables that authenticate against this tenant."""
        env = {f"OS_{k.upper()}": v for k, v in self.auth_options().items()}
        env.update(OS_REGION_NAME=self.region, OS_IDENTITY_API_VERSION="3")
        return env

    def cloud_entry(self) -> dict[str, Any]:
        """This tenant as one cloud of a clouds.yaml."""
        return {"auth": self.auth_options(), "region_name": self.region, "interface": "public"}

    def write_clouds_yaml(self, path: Path, cloud_name: str = "standin") -> Path:
        """Write a clouds.yaml (JSON is valid YAML) naming this tenant ``cloud_name``."""
        path.write_text(json.dumps({"clouds": {cloud_name: self.cloud_entry()}}, indent=2))
        return path

    # -- lookups the handler uses ------------------------------------------

    def new_token(self) -> str:
        """Issue and remember a token."""
        token = "gAAAAA" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        return token

    def token_valid(self, token: str | None) -> bool:
        """True for a token this stand-in issued."""
        with self.lock:
            return token is not None and token in self.tokens

    def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
        """The recorded requests whose path starts with ``path_prefix``."""
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    def server_named(self, name: str) -> StandInServer:
        """The server called ``name`` (KeyError if none)."""
        for server in self.servers:
            if server.name == name:
                return server
        raise KeyError(name)


def main(argv: list[str] | None = None) -> int:
    """Serve a stand-in tenant until interrupted, printing its ``OS_*`` variables."""
    parser = argparse.ArgumentParser(description="Keystone + Nova stand-in on loopback")
    parser.add_argument("--servers", type=int, default=3, help="number of VMs vm1..vmN")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--clouds-yaml", type=Path, help="also write a clouds.yaml here")
    args = parser.parse_args(argv)
    cloud = StandInCloud(servers=default_servers(args.servers), host=args.host, port=args.port)
    cloud.start()
    for key, value in cloud.os_environ().items():
        print(f"export {key}={value}", flush=True)
    if args.clouds_yaml:
        cloud.write_clouds_yaml(args.clouds_yaml)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
