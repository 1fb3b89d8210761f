"""``std.email``: send one message over SMTP, with Mistral's input and result (null).

Mistral's behaviour kept: ``smtp_server`` is ``host[:port]`` (port 25 by
default); recipients are ``to_addrs`` + ``cc_addrs`` + ``bcc_addrs`` (bcc
never appears in the headers); the message is plain text, or
``multipart/alternative`` with an HTML part when ``html_body`` is given;
subject and body default to ``<No subject>`` / ``<No body>``; with
``smtp_password`` the action logs in as ``from_addr`` after STARTTLS, and
refuses to send the password over a connection that is not encrypted.
Failures read "Failed to send an email message: ...".

Beyond Mistral: STARTTLS is used whenever the server offers it (not only
with a password); port 465, or ``smtps://host[:port]``, means implicit TLS;
an address list may also be given as one comma-separated string; the
message carries ``Date`` and ``Message-ID``; a connection timeout applies.

Server settings (environment of the executor):

================================  ============================================
``LEVANTE_SMTP_VERIFY_TLS``       ``true`` to verify the SMTP server's
                                  certificate and host name. Default
                                  ``false``, as in Mistral (which never
                                  verifies).
``LEVANTE_SMTP_CA_FILE``          CA bundle used when verifying (default: the
                                  system's trusted CAs).
``LEVANTE_SMTP_TIMEOUT``          Seconds for connecting and each SMTP
                                  exchange (default 60).
``LEVANTE_SMTP_IMPLICIT_TLS_PORTS`` Comma-separated ports that speak TLS from
                                  the first byte (default ``465``).
================================  ============================================

Sending is blocking (``smtplib``), so the executor runs it in its thread pool.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

from levante.actions.base import Action
from levante.actions.errors import ActionError, InvalidActionInput

if TYPE_CHECKING:
    from levante.actions.context import ActionContext

LOG = logging.getLogger(__name__)

VERIFY_TLS_ENV = "LEVANTE_SMTP_VERIFY_TLS"
CA_FILE_ENV = "LEVANTE_SMTP_CA_FILE"
TIMEOUT_ENV = "LEVANTE_SMTP_TIMEOUT"
IMPLICIT_TLS_PORTS_ENV = "LEVANTE_SMTP_IMPLICIT_TLS_PORTS"

DEFAULT_PORT = 25


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """The server-wide settings of ``std.email`` (see the module docstring)."""

    verify_tls: bool = False
    ca_file: str | None = None
    timeout: float = 60.0
    implicit_tls_ports: frozenset[int] = frozenset({465})

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> EmailSettings:
        """Read the ``LEVANTE_SMTP_*`` variables; unset ones keep their default."""
        env = os.environ if environ is None else environ
        defaults = cls()
        verify = env.get(VERIFY_TLS_ENV, "").strip().lower()
        if verify not in ("", "true", "false", "1", "0", "yes", "no"):
            raise ValueError(f"{VERIFY_TLS_ENV} must be true or false, not '{verify}'")
        ports = env.get(IMPLICIT_TLS_PORTS_ENV)
        try:
            timeout = float(env.get(TIMEOUT_ENV) or defaults.timeout)
            implicit = (
                defaults.implicit_tls_ports
                if ports is None
                else frozenset(int(p) for p in ports.split(",") if p.strip())
            )
        except ValueError:
            raise ValueError(
                f"{TIMEOUT_ENV} must be a number and {IMPLICIT_TLS_PORTS_ENV} a "
                f"comma-separated list of ports"
            ) from None
        return cls(
            verify_tls=verify in ("true", "1", "yes"),
            ca_file=env.get(CA_FILE_ENV) or None,
            timeout=timeout,
            implicit_tls_ports=implicit,
        )

    def tls_context(self) -> ssl.SSLContext:
        """The TLS context for STARTTLS and implicit TLS."""
        if self.verify_tls:
            return ssl.create_default_context(cafile=self.ca_file)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where to send: host, port, and whether TLS starts with the connection."""

    host: str
    port: int
    implicit_tls: bool

    @classmethod
    def parse(cls, text: str, settings: EmailSettings) -> SmtpServer:
        """Read ``host[:port]``, ``[ipv6]:port``, ``smtp://...`` or ``smtps://...``."""
        rest = text.strip()
        scheme = ""
        if "://" in rest:
            scheme, _, rest = rest.partition("://")
            scheme = scheme.lower()
            if scheme not in ("smtp", "smtps"):
                raise ValueError(f"unknown scheme '{scheme}' (use smtp:// or smtps://)")
            rest = rest.rstrip("/")
        host, port_text = rest, ""
        if rest.startswith("["):
            host, _, after = rest[1:].partition("]")
            port_text = after.removeprefix(":")
        elif rest.count(":") == 1:
            host, _, port_text = rest.partition(":")
        if not host:
            raise ValueError("no host name")
        if port_text and not port_text.isdigit():
            raise ValueError(f"'{port_text}' is not a port number")
        port = int(port_text) if port_text else (465 if scheme == "smtps" else DEFAULT_PORT)
        implicit = scheme == "smtps" or (scheme == "" and port in settings.implicit_tls_ports)
        return cls(host, port, implicit)


class EmailAction(Action):
    """Sends an email message over SMTP and returns null (std.email).

    ``to_addrs``, ``cc_addrs`` and ``bcc_addrs`` are lists of addresses;
    ``smtp_server`` is "host[:port]"; with ``smtp_password`` the action logs
    in as ``from_addr``. ``html_body`` adds an HTML alternative to ``body``.
    """

    def __init__(
        self,
        from_addr: str,
        to_addrs: Any,
        smtp_server: str,
        reply_to: Any = None,
        cc_addrs: Any = None,
        bcc_addrs: Any = None,
        smtp_password: str | None = None,
        subject: str | None = None,
        body: str | None = None,
        html_body: str | None = None,
    ) -> None:
        """Check and keep the message and where to send it."""
        self.from_addr = from_addr
        self.to_addrs = _addresses("to_addrs", to_addrs)
        self.cc_addrs = _addresses("cc_addrs", cc_addrs)
        self.bcc_addrs = _addresses("bcc_addrs", bcc_addrs)
        self.reply_to = _addresses("reply_to", reply_to)
        self.smtp_server = smtp_server
        self.smtp_password = smtp_password
        self.subject = subject or "<No subject>"
        self.body = body or "<No body>"
        self.html_body = html_body
        if not self.to_addrs and not self.cc_addrs and not self.bcc_addrs:
            raise InvalidActionInput("std.email", "to_addrs", "no recipient was given")

    def run(self, context: ActionContext) -> None:
        """Send the message; raise :class:`ActionError` when it was not accepted."""
        settings = EmailSettings.from_environment()
        try:
            server = SmtpServer.parse(str(self.smtp_server), settings)
        except ValueError as exc:
            raise ActionError(
                f"Failed to send an email message: smtp_server '{self.smtp_server}' is not "
                f"host[:port]: {exc}"
            ) from None
        LOG.info(
            "Sending email message [from=%s, to=%s, cc=%s, bcc=%s, subject=%s, smtp=%s:%s]",
            self.from_addr, self.to_addrs, self.cc_addrs, self.bcc_addrs, self.subject,
            server.host, server.port,
        )
        message = self.message()
        recipients = list(dict.fromkeys(self.cc_addrs + self.bcc_addrs + self.to_addrs))
        try:
            with _connect(server, settings) as smtp:
                self._secure_and_login(smtp, server, settings)
                smtp.sendmail(self.from_addr, recipients, message.as_string())
        except (smtplib.SMTPException, OSError) as exc:
            raise ActionError(f"Failed to send an email message: {_describe(exc)}") from exc

    def test(self, context: ActionContext) -> None:
        """Dry run: nothing is sent."""
        return None

    def message(self) -> MIMEText | MIMEMultipart:
        """The message as it will be sent (without the bcc recipients)."""
        message: MIMEText | MIMEMultipart
        if not self.html_body:
            message = MIMEText(self.body, "plain", "utf-8")
        else:
            message = MIMEMultipart("alternative")
            message.attach(MIMEText(self.body, "plain", "utf-8"))
            message.attach(MIMEText(self.html_body, "html", "utf-8"))
        message["Subject"] = Header(self.subject, "utf-8")
        message["From"] = self.from_addr
        message["To"] = ", ".join(self.to_addrs)
        if self.cc_addrs:
            message["Cc"] = ", ".join(self.cc_addrs)
        if self.reply_to:
            message["Reply-To"] = ", ".join(self.reply_to)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=_domain_of(self.from_addr))
        return message

    def _secure_and_login(
        self, smtp: smtplib.SMTP, server: SmtpServer, settings: EmailSettings
    ) -> None:
        smtp.ehlo()
        if not server.implicit_tls and smtp.has_extn("starttls"):
            smtp.starttls(context=settings.tls_context())
            smtp.ehlo()
        if self.smtp_password is None:
            return
        if not server.implicit_tls and not isinstance(smtp.sock, ssl.SSLSocket):
            raise ActionError(
                f"Failed to send an email message: {server.host}:{server.port} does not offer "
                "STARTTLS, and the password is never sent unencrypted. Use a server with "
                "STARTTLS, or implicit TLS (port 465 or smtps://host:port)."
            )
        smtp.login(self.from_addr, self.smtp_password)


def _connect(server: SmtpServer, settings: EmailSettings) -> smtplib.SMTP:
    if server.implicit_tls:
        return smtplib.SMTP_SSL(
            server.host, server.port, timeout=settings.timeout, context=settings.tls_context()
        )
    return smtplib.SMTP(server.host, server.port, timeout=settings.timeout)


def _addresses(name: str, value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise InvalidActionInput("std.email", name, f"expected a list of addresses, got {value!r}")


def _domain_of(address: str) -> str | None:
    _, at, domain = str(address).rpartition("@")
    return domain.strip(" >") or None if at else None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"every recipient was refused: {exc.recipients}"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
