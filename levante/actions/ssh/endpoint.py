"""Where to connect: ``host``, ``host:port``, ``[v6-address]:port``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A host name or address and a TCP port."""

    host: str
    port: int

    def __str__(self) -> str:
        if self.port == 22:
            return self.host
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class EndpointError(ValueError):
    """A host parameter that is not ``host``, ``host:port`` or ``[address]:port``."""


def parse_endpoint(text: str, default_port: int) -> Endpoint:
    """Read ``text`` as a host with an optional port (``default_port`` when none).

    A bare IPv6 address (``::1``) has no port; write ``[::1]:2222`` for one.
    """
    if not isinstance(text, str) or not text.strip():
        raise EndpointError(f"expected a host name or address, got {text!r}")
    text = text.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise EndpointError(f"{text!r}: expected [address] or [address]:port")
        return Endpoint(host, _port(text, rest[1:]) if rest else default_port)
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return Endpoint(host, _port(text, port))
    return Endpoint(text, default_port)


def _port(text: str, port: str) -> int:
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise EndpointError(f"{text!r}: port must be a number from 1 to 65535")
    return int(port)
