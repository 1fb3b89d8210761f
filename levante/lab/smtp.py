"""The lab's SMTP sink (aiosmtpd): keeps every message as a file and logs a line for it.

It offers STARTTLS (with the lab's self-signed certificate, which Levante's
``std.email`` does not verify by default, as Mistral) and, after it, AUTH
that accepts any user with the lab's password, so the cookbook's
``email_info`` (with its ``smtp_password``) works unchanged. Nothing is
relayed anywhere.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

# aiosmtpd warns about its own use of this attribute when AUTH succeeds.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")

#: The password the sink accepts (any user name).
LAB_SMTP_PASSWORD = "lab"


class MailSink:
    """The aiosmtpd handler: one ``NNNN.eml`` file per message in ``mail_dir``."""

    def __init__(self, mail_dir: Path, log: Callable[[str], None]) -> None:
        """Store into ``mail_dir`` (created), report through ``log``."""
        self.mail_dir = mail_dir
        self.log = log
        mail_dir.mkdir(parents=True, exist_ok=True)
        self.count = len(list(mail_dir.glob("*.eml")))

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Store the message and log who sent what to whom."""
        data = envelope.original_content or b""
        self.count += 1
        path = self.mail_dir / f"{self.count:04d}.eml"
        path.write_bytes(data)
        message = email.message_from_bytes(data, policy=email.policy.default)
        self.log(
            f"mail {path.name}: from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}"
            f" subject {message.get('Subject', '')!r} -> {path}"
        )
        return "250 Message accepted for delivery"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    if isinstance(auth_data, LoginPassword) and auth_data.password == LAB_SMTP_PASSWORD.encode():
        return AuthResult(success=True, auth_data=auth_data.login.decode(errors="replace"))
    return AuthResult(success=False, handled=False)


async def start_smtp(
    sink: MailSink, host: str, port: int, cert_path: Path, key_path: Path
) -> asyncio.Server:
    """Listen on ``host:port`` (0: a free port) in the running event loop."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(
            sink,
            hostname="smtp.levante-lab",
            tls_context=context,
            authenticator=_authenticate,
            auth_require_tls=True,
            loop=loop,
        ),
        host,
        port,
        reuse_address=True,
    )
