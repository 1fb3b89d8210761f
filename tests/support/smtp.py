"""A real SMTP server (aiosmtpd) for tests, recording every message it receives.

.. code-block:: python

    with running_smtp() as smtp:                       # plain, 127.0.0.1:<free port>
        send(..., smtp_server=smtp.address)
        [mail] = smtp.messages
        mail.rcpt_tos, mail.message["Subject"], mail.tls, mail.auth_user

    cert = self_signed_cert(tmp_path)                  # for 127.0.0.1 and localhost
    with running_smtp(mode="starttls", cert=cert, users={"ops@example.org": "s3cret"}):
        ...                                            # STARTTLS offered, AUTH after TLS

``mode`` is ``"plain"`` (no TLS), ``"starttls"`` (STARTTLS offered, or
required with ``require_starttls=True``) or ``"tls"`` (implicit TLS from the
first byte). ``users`` turns on AUTH (LOGIN and PLAIN, or only those named in
``auth_mechanisms``); a wrong password is refused with 535. The server runs
on its own thread and event loop (aiosmtpd's ``Controller``) and is stopped
when the ``with`` block ends. The pytest fixture :func:`smtp_server` gives a
plain server per test.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from levante.lab.keys import write_self_signed_cert

MODES = ("plain", "starttls", "tls")


@dataclass(frozen=True, slots=True)
class SelfSignedCert:
    """A certificate for 127.0.0.1 / localhost and its key, as PEM files."""

    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        """A server-side TLS context presenting this certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


def self_signed_cert(directory: Path, common_name: str = "localhost") -> SelfSignedCert:
    """Generate a fresh self-signed certificate (valid for a day) under ``directory``."""
    cert = SelfSignedCert(directory / "smtp-cert.pem", directory / "smtp-key.pem")
    write_self_signed_cert(cert.cert_path, cert.key_path, common_name=common_name, days=1)
    return cert


@dataclass(frozen=True, slots=True)
class ReceivedMail:
    """One message as the server accepted it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    #: True when the session was encrypted (STARTTLS or implicit TLS).
    tls: bool
    #: The user that logged in, or None.
    auth_user: str | None


@dataclass
class _Recorder:
    users: Mapping[str, str]
    messages: list[ReceivedMail] = field(default_factory=list)
    failed_logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        transport = server.transport
        tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        auth = session.auth_data
        user = auth.login.decode() if isinstance(auth, LoginPassword) else None
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=parsed,  # type: ignore[arg-type]
            tls=tls,
            auth_user=user,
        )
        with self.lock:
            self.messages.append(mail)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode()
        if self.users.get(login) == data.password.decode():
            return AuthResult(success=True, auth_data=data)
        with self.lock:
            self.failed_logins.append(login)
        return AuthResult(success=False, handled=False)


@dataclass
class RunningSmtp:
    """A started server: where it listens and what it received."""

    host: str
    port: int
    mode: str
    recorder: _Recorder

    @property
    def address(self) -> str:
        """``host:port``, as ``std.email`` takes it in ``smtp_server``."""
        return f"{self.host}:{self.port}"

    @property
    def messages(self) -> list[ReceivedMail]:
        """The messages received so far, oldest first."""
        with self.recorder.lock:
            return list(self.recorder.messages)

    @property
    def failed_logins(self) -> list[str]:
        """The user names of refused logins."""
        with self.recorder.lock:
            return list(self.recorder.failed_logins)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_smtp(
    *,
    mode: str = "plain",
    cert: SelfSignedCert | None = None,
    users: Mapping[str, str] | None = None,
    require_starttls: bool = False,
    auth_mechanisms: Sequence[str] | None = None,
    host: str = "127.0.0.1",
) -> Iterator[RunningSmtp]:
    """Run an SMTP server on a free loopback port for the ``with`` block."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if mode != "plain" and cert is None:
        raise ValueError(f"mode {mode!r} needs a certificate (self_signed_cert(tmp_path))")
    recorder = _Recorder(users=dict(users or {}))
    smtp_kwargs: dict[str, Any] = {}
    if mode == "starttls":
        assert cert is not None
        smtp_kwargs["tls_context"] = cert.server_context()
        smtp_kwargs["require_starttls"] = require_starttls
    if users is not None:
        smtp_kwargs["authenticator"] = recorder.authenticate
        # aiosmtpd only counts STARTTLS as TLS; an implicit-TLS session is
        # encrypted from the start, so it may offer AUTH at once.
        smtp_kwargs["auth_require_tls"] = mode == "starttls"
        if auth_mechanisms is not None:
            offered = {"LOGIN", "PLAIN"}
            smtp_kwargs["auth_exclude_mechanism"] = sorted(offered - set(auth_mechanisms))
    controller = Controller(
        recorder,
        hostname=host,
        port=free_port(host),
        ssl_context=cert.server_context() if mode == "tls" and cert else None,
        server_hostname="levante-test-smtp",
        **smtp_kwargs,
    )
    controller.start()
    try:
        yield RunningSmtp(host=host, port=controller.port, mode=mode, recorder=recorder)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[RunningSmtp]:
    """A plain SMTP server on a free loopback port for one test."""
    with running_smtp() as server:
        yield server
