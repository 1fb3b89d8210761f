"""Keystone sessions and service clients, cached per credentials and region.

One keystoneauth session per :class:`CloudCredentials` (it holds the token and
renews it), one client per (credentials, service, region). A with-items of
500 ``nova.servers_get`` therefore authenticates once and discovers Nova's
microversion once. Clients are shared between the executor's threads, as
keystoneauth sessions and novaclient clients allow.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from keystoneauth1 import loading, session

from levante.actions.openstack.credentials import CloudCredentials, OpenStackConfigError

#: How many distinct credentials/region pairs keep a client (least recently used go).
MAX_CACHED_CLIENTS = 64

ClientFactory = Callable[[session.Session, CloudCredentials, str | None], Any]


def open_session(credentials: CloudCredentials) -> session.Session:
    """A keystoneauth session for ``credentials`` (no request is made yet)."""
    try:
        loader = loading.get_plugin_loader(credentials.auth_type)
        auth = loader.load_from_options(**credentials.auth_options)
    except loading.exceptions.NoMatchingPlugin as exc:
        raise OpenStackConfigError(
            f"Unknown auth_type '{credentials.auth_type}' in {credentials.source}"
        ) from exc
    except loading.exceptions.MissingRequiredOptions as exc:
        names = ", ".join(o.dest for o in exc.options)
        raise OpenStackConfigError(
            f"{credentials.source} lacks {names} for auth_type '{credentials.auth_type}'"
        ) from exc
    except TypeError as exc:
        raise OpenStackConfigError(
            f"{credentials.source} has an option auth_type '{credentials.auth_type}' "
            f"does not take: {exc}"
        ) from exc
    return session.Session(
        auth=auth, verify=credentials.verify, cert=credentials.cert, app_name="levante"
    )


class ClientCache:
    """Service clients by (service, credentials, region), built on first use."""

    def __init__(self, max_clients: int = MAX_CACHED_CLIENTS) -> None:
        """Keep at most ``max_clients`` clients."""
        self._max = max_clients
        self._lock = threading.Lock()
        self._sessions: dict[CloudCredentials, session.Session] = {}
        self._clients: OrderedDict[tuple[str, CloudCredentials, str | None], Any] = OrderedDict()
        # One lock per key so that concurrent first uses build the client once.
        self._building: dict[tuple[str, CloudCredentials, str | None], threading.Lock] = {}

    def session(self, credentials: CloudCredentials) -> session.Session:
        """The shared session of ``credentials``."""
        with self._lock:
            found = self._sessions.get(credentials)
            if found is None:
                found = self._sessions[credentials] = open_session(credentials)
            return found

    def client(
        self,
        service: str,
        credentials: CloudCredentials,
        region: str | None,
        factory: ClientFactory,
    ) -> Any:
        """The cached client, or ``factory(session, credentials, region)``'s new one.

        A factory that raises (bad password, unreachable Keystone) caches
        nothing, so the next run tries again.
        """
        key = (service, credentials, region)
        with self._lock:
            if key in self._clients:
                self._clients.move_to_end(key)
                return self._clients[key]
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:
            with self._lock:
                if key in self._clients:
                    return self._clients[key]
            built = factory(self.session(credentials), credentials, region)
            with self._lock:
                self._clients[key] = built
                self._building.pop(key, None)
                while len(self._clients) > self._max:
                    (_, old_credentials, _), _ = self._clients.popitem(last=False)
                    if not any(k[1] == old_credentials for k in self._clients):
                        self._sessions.pop(old_credentials, None)
            return built

    def clear(self) -> None:
        """Forget every client and session (e.g. after credentials were rotated)."""
        with self._lock:
            self._clients.clear()
            self._sessions.clear()
