"""The lab's keys: the user key the hosts accept, their host key, the SMTP certificate.

Each is created on first use and kept in the lab directory, so a client that
recorded a lab host's key (or an operator who copied the user key) keeps
working across ``lab down`` / ``lab up``.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

import asyncssh
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

KEY_TYPE = "ssh-ed25519"


@dataclass(frozen=True)
class LabKeys:
    """The keys a lab runs with."""

    user_key: asyncssh.SSHKey
    user_key_path: Path
    host_key: asyncssh.SSHKey
    cert_path: Path
    cert_key_path: Path

    def user_public_line(self) -> str:
        """The user key as an ``authorized_keys`` line."""
        return self.user_key.export_public_key("openssh").decode().strip()

    def host_public_line(self) -> str:
        """The host key as ``type base64`` (a known_hosts line without the host)."""
        return self.host_key.export_public_key("openssh").decode().strip()


def ssh_key(path: Path, comment: str) -> asyncssh.SSHKey:
    """The private key at ``path``, generated (with ``path.pub``) if missing."""
    if path.exists():
        return asyncssh.read_private_key(path)
    key = asyncssh.generate_private_key(KEY_TYPE, comment=comment)
    _write_private(path, key.export_private_key("openssh"))
    path.with_name(path.name + ".pub").write_bytes(key.export_public_key("openssh"))
    return key


def self_signed_cert(cert_path: Path, key_path: Path) -> None:
    """A certificate for ``localhost`` and ``127.0.0.1`` at ``cert_path``, if missing."""
    if cert_path.exists() and key_path.exists():
        return
    write_self_signed_cert(cert_path, key_path)


def write_self_signed_cert(cert_path: Path, key_path: Path, *, common_name: str = "levante-lab",
                           days: int = 3650) -> None:
    """Write a new certificate for ``localhost`` and ``127.0.0.1`` and its key (PEM files).

    It is its own CA, so a client can trust it by giving it as its CA file.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def lab_keys(user_key_path: Path, host_key_path: Path, cert_path: Path,
             cert_key_path: Path) -> LabKeys:
    """Every key the lab needs, created where missing."""
    user_key_path.parent.mkdir(parents=True, exist_ok=True)
    self_signed_cert(cert_path, cert_key_path)
    return LabKeys(
        user_key=ssh_key(user_key_path, "levante-lab-user"),
        user_key_path=user_key_path,
        host_key=ssh_key(host_key_path, "levante-lab-host"),
        cert_path=cert_path,
        cert_key_path=cert_key_path,
    )


def _write_private(path: Path, data: bytes) -> None:
    # Created 0600 from the start: ssh clients refuse a private key others can read.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
