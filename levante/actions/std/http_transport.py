"""What ``std.http`` needs below the action: settings, egress policy, pooled connections.

Settings are read from the server's environment on every request, so a
change takes effect without a restart of the code that reads it:

=================================  ===========================================
``LEVANTE_HTTP_DENIED_CIDRS``      Comma-separated networks ``std.http`` may
                                   not reach (SSRF guard). Default, as in
                                   Mistral: ``127.0.0.0/8,::1/128,
                                   169.254.0.0/16,fe80::/10`` (loopback and
                                   link-local, which covers the cloud metadata
                                   service). Set to ``none`` (or empty) to
                                   allow every address.
``LEVANTE_HTTP_ALLOWED_HOSTS``     Comma-separated host names; when set, only
                                   these hosts may be reached.
``LEVANTE_HTTP_DEFAULT_TIMEOUT``   Seconds allowed when the action gives no
                                   ``timeout`` (default 60; 0 means none).
``LEVANTE_HTTP_MAX_RESPONSE_BYTES`` Largest response body kept as a result
                                   (default 5 MiB; 0 means no limit).
``LEVANTE_HTTP_MAX_CONNECTIONS``   Open connections per event loop and TLS
                                   setting (default 500).
=================================  ===========================================

Connections are pooled per event loop (one transport per ``verify`` value
and proxy), so a with-items of hundreds of requests to one service reuses
keep-alive connections. Call :func:`close_http_connections` on that loop
when the executor stops.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import ssl
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from levante.actions.errors import ActionError

DENIED_CIDRS_ENV = "LEVANTE_HTTP_DENIED_CIDRS"
ALLOWED_HOSTS_ENV = "LEVANTE_HTTP_ALLOWED_HOSTS"
DEFAULT_TIMEOUT_ENV = "LEVANTE_HTTP_DEFAULT_TIMEOUT"
MAX_RESPONSE_BYTES_ENV = "LEVANTE_HTTP_MAX_RESPONSE_BYTES"
MAX_CONNECTIONS_ENV = "LEVANTE_HTTP_MAX_CONNECTIONS"

#: Mistral's default deny-list: loopback and link-local (incl. 169.254.169.254).
DEFAULT_DENIED_CIDRS: tuple[str, ...] = ("127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UrlNotAllowed(ActionError):
    """The URL's scheme or host is refused by the server's egress policy."""


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """The server-wide settings of ``std.http`` (see the module docstring)."""

    denied_networks: tuple[Network, ...] = tuple(
        ipaddress.ip_network(c) for c in DEFAULT_DENIED_CIDRS
    )
    allowed_hosts: frozenset[str] = frozenset()
    default_timeout: float = 60.0
    max_response_bytes: int = 5 * 1024 * 1024
    max_connections: int = 500

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> HttpSettings:
        """Read the ``LEVANTE_HTTP_*`` variables; unset ones keep their default."""
        env = os.environ if environ is None else environ
        defaults = cls()
        denied = defaults.denied_networks
        if DENIED_CIDRS_ENV in env:
            denied = tuple(_parse_network(c) for c in _split_list(env[DENIED_CIDRS_ENV]))
        return cls(
            denied_networks=denied,
            allowed_hosts=frozenset(_split_list(env.get(ALLOWED_HOSTS_ENV, ""))),
            default_timeout=_number(env, DEFAULT_TIMEOUT_ENV, defaults.default_timeout),
            max_response_bytes=int(
                _number(env, MAX_RESPONSE_BYTES_ENV, defaults.max_response_bytes)
            ),
            max_connections=int(_number(env, MAX_CONNECTIONS_ENV, defaults.max_connections)),
        )


def _split_list(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    return [item for item in items if item and item.lower() != "none"]


def _parse_network(text: str) -> Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise ValueError(f"{DENIED_CIDRS_ENV}: '{text}' is not a network ({exc})") from exc


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not '{raw}'") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, not '{raw}'")
    return value


async def check_egress(url: str | httpx.URL, settings: HttpSettings) -> None:
    """Refuse ``url`` when the egress policy forbids it (raises :class:`UrlNotAllowed`).

    The host is resolved and every address checked, as Mistral does. A name
    that does not resolve passes: the request fails to connect anyway.
    """
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https"):
        raise UrlNotAllowed(
            f"URL scheme '{parts.scheme}' is not allowed (only http and https are)."
        )
    host = parts.hostname
    if not host:
        raise UrlNotAllowed(f"URL '{url}' does not contain a host.")
    if settings.allowed_hosts and host not in settings.allowed_hosts:
        raise UrlNotAllowed(
            f"Host '{host}' is not in the allowed hosts ({ALLOWED_HOSTS_ENV} of the server)."
        )
    if not settings.denied_networks:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port)
    except OSError:
        return
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        for network in settings.denied_networks:
            if address.version == network.version and address in network:
                raise UrlNotAllowed(
                    f"URL host '{host}' resolves to a blocked address ({address}). The "
                    f"server's {DENIED_CIDRS_ENV} lists the networks std.http may not reach."
                )


VerifyKey = bool | str


def verify_key(value: Any) -> VerifyKey:
    """Normalise a ``verify`` input: True/False, or a CA bundle path.

    None means verify (as with requests); the strings "true"/"false" are
    read as booleans.
    """
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        return value
    raise ActionError(f"'verify' must be a boolean or a CA bundle path, not {value!r}")


def _ssl_context(verify: VerifyKey) -> ssl.SSLContext:
    if verify is True or verify is False:
        return httpx.create_ssl_context(verify=verify)
    if not os.path.exists(verify):
        raise ActionError(f"'verify' names a CA bundle that does not exist: {verify}")
    return ssl.create_default_context(cafile=verify)


class ConnectionPools:
    """The transports (connection pools) of one event loop, by TLS setting and proxy."""

    def __init__(self) -> None:
        """Start with no transport; they are made on first use."""
        self._transports: dict[tuple[VerifyKey, str | None], httpx.AsyncHTTPTransport] = {}

    def transport(
        self, verify: VerifyKey, proxy: str | None, settings: HttpSettings
    ) -> httpx.AsyncHTTPTransport:
        """The pooled transport for this ``verify`` value and proxy URL."""
        key = (verify, proxy)
        found = self._transports.get(key)
        if found is None:
            limits = httpx.Limits(
                max_connections=settings.max_connections or None,
                max_keepalive_connections=min(100, settings.max_connections or 100),
            )
            found = httpx.AsyncHTTPTransport(
                verify=_ssl_context(verify), limits=limits, proxy=proxy, trust_env=False
            )
            self._transports[key] = found
        return found

    async def aclose(self) -> None:
        """Close every pooled connection."""
        transports = list(self._transports.values())
        self._transports.clear()
        for transport in transports:
            await transport.aclose()


_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ConnectionPools] = (
    weakref.WeakKeyDictionary()
)


def connection_pools() -> ConnectionPools:
    """The pools of the running event loop (made on first use)."""
    loop = asyncio.get_running_loop()
    pools = _POOLS.get(loop)
    if pools is None:
        pools = _POOLS[loop] = ConnectionPools()
    return pools


async def close_http_connections() -> None:
    """Close the pooled ``std.http`` connections of the running loop (at shutdown)."""
    pools = _POOLS.pop(asyncio.get_running_loop(), None)
    if pools is not None:
        await pools.aclose()
