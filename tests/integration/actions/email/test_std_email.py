"""``std.email`` against a real SMTP server: plain, STARTTLS, implicit TLS, AUTH."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from levante.actions import ActionContext, ActionError, InvalidActionInput, default_registry
from levante.actions.descriptor import RunMode
from levante.actions.std.email import EmailSettings, SmtpServer
from tests.support.smtp import (
    RunningSmtp,
    SelfSignedCert,
    free_port,
    running_smtp,
    self_signed_cert,
    smtp_server,
)

__all__ = ["smtp_server"]  # the fixture, used by name below

REGISTRY = default_registry(load_plugins=False)


def send(**input: Any) -> Any:
    """Run std.email as the executor does (blocking, in the calling thread)."""
    action = REGISTRY.get("std.email").instantiate(input)
    return action.run(ActionContext.for_action_execution("ae-1"))


def mail(server: RunningSmtp, **extra: Any) -> dict[str, Any]:
    return {
        "from_addr": "levante@example.org",
        "to_addrs": ["ops@example.org"],
        "smtp_server": server.address,
        "subject": "Nightly update",
        "body": "Number of updated VMs: 20",
        **extra,
    }


@pytest.fixture
def cert(tmp_path: Path) -> SelfSignedCert:
    return self_signed_cert(tmp_path / "tls")


def test_std_email_is_a_blocking_action_with_mistrals_signature() -> None:
    descriptor = REGISTRY.get("std.email")
    assert descriptor.run_mode is RunMode.THREAD
    assert descriptor.params_spec == (
        "from_addr, to_addrs, smtp_server, reply_to=null, cc_addrs=null, bcc_addrs=null, "
        "smtp_password=null, subject=null, body=null, html_body=null"
    )


def test_plain_message_reaches_every_recipient_and_bcc_stays_hidden(
    smtp_server: RunningSmtp,
) -> None:
    result = send(
        **mail(
            smtp_server,
            to_addrs=["a@example.org", "b@example.org"],
            cc_addrs=["c@example.org"],
            bcc_addrs=["secret@example.org"],
            reply_to=["noc@example.org"],
        )
    )
    assert result is None
    [received] = smtp_server.messages
    assert received.mail_from == "levante@example.org"
    assert sorted(received.rcpt_tos) == [
        "a@example.org", "b@example.org", "c@example.org", "secret@example.org",
    ]
    message = received.message
    assert message["From"] == "levante@example.org"
    assert message["To"] == "a@example.org, b@example.org"
    assert message["Cc"] == "c@example.org"
    assert message["Reply-To"] == "noc@example.org"
    assert message["Subject"] == "Nightly update"
    assert message["Date"] and message["Message-ID"]
    assert "secret@example.org" not in message.as_string()
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Number of updated VMs: 20"
    assert received.tls is False


def test_html_body_is_sent_as_an_alternative_to_the_text(smtp_server: RunningSmtp) -> None:
    send(**mail(smtp_server, html_body="<p>Number of updated VMs: <b>20</b></p>"))
    [received] = smtp_server.messages
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert parts["text/plain"].strip() == "Number of updated VMs: 20"
    assert parts["text/html"].strip() == "<p>Number of updated VMs: <b>20</b></p>"


def test_missing_subject_and_body_get_mistrals_placeholders_and_utf8_survives(
    smtp_server: RunningSmtp,
) -> None:
    send(**mail(smtp_server, subject=None, body=None))
    send(**mail(smtp_server, subject="Mise à jour ✓", body="Hôtes: 20 ✓"))
    first, second = smtp_server.messages
    assert first.message["Subject"] == "<No subject>"
    assert first.message.get_content().strip() == "<No body>"
    assert second.message["Subject"] == "Mise à jour ✓"
    assert second.message.get_content().strip() == "Hôtes: 20 ✓"


def test_addresses_may_be_one_comma_separated_string(smtp_server: RunningSmtp) -> None:
    send(**mail(smtp_server, to_addrs="a@example.org, b@example.org"))
    [received] = smtp_server.messages
    assert sorted(received.rcpt_tos) == ["a@example.org", "b@example.org"]


def test_starttls_is_used_when_offered_even_without_a_password(cert: SelfSignedCert) -> None:
    with running_smtp(mode="starttls", cert=cert, require_starttls=True) as server:
        send(**mail(server))
        [received] = server.messages
    assert received.tls is True
    assert received.auth_user is None


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_password_logs_in_as_from_addr_after_starttls(
    cert: SelfSignedCert, mechanism: str
) -> None:
    users = {"levante@example.org": "s3cret"}
    with running_smtp(
        mode="starttls", cert=cert, users=users, auth_mechanisms=[mechanism]
    ) as server:
        send(**mail(server, smtp_password="s3cret"))
        [received] = server.messages
    assert received.tls is True
    assert received.auth_user == "levante@example.org"


def test_wrong_password_fails_with_the_servers_answer(cert: SelfSignedCert) -> None:
    users = {"levante@example.org": "s3cret"}
    with running_smtp(mode="starttls", cert=cert, users=users) as server:
        with pytest.raises(ActionError, match=r"^Failed to send an email message: 535"):
            send(**mail(server, smtp_password="wrong"))
        assert server.messages == []
        # smtplib tries each offered mechanism (PLAIN, then LOGIN) before giving up.
        assert set(server.failed_logins) == {"levante@example.org"}


def test_password_is_never_sent_to_a_server_without_tls() -> None:
    with running_smtp(users={"levante@example.org": "s3cret"}) as server:
        with pytest.raises(ActionError, match="does not offer STARTTLS"):
            send(**mail(server, smtp_password="s3cret"))
        assert server.messages == []


def test_implicit_tls_with_smtps_url_and_login(cert: SelfSignedCert) -> None:
    with running_smtp(mode="tls", cert=cert, users={"levante@example.org": "pw"}) as server:
        send(**mail(server, smtp_server=f"smtps://{server.address}", smtp_password="pw"))
        [received] = server.messages
    assert received.tls is True
    assert received.auth_user == "levante@example.org"


def test_implicit_tls_ports_setting_makes_host_port_speak_tls(
    cert: SelfSignedCert, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_smtp(mode="tls", cert=cert) as server:
        monkeypatch.setenv("LEVANTE_SMTP_IMPLICIT_TLS_PORTS", f"465,{server.port}")
        send(**mail(server))
        [received] = server.messages
    assert received.tls is True


def test_certificate_verification_is_off_by_default_and_can_be_turned_on(
    cert: SelfSignedCert, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_smtp(mode="starttls", cert=cert, require_starttls=True) as server:
        monkeypatch.setenv("LEVANTE_SMTP_VERIFY_TLS", "true")
        with pytest.raises(ActionError, match="CERTIFICATE_VERIFY_FAILED"):
            send(**mail(server))
        monkeypatch.setenv("LEVANTE_SMTP_CA_FILE", str(cert.cert_path))
        send(**mail(server))
        assert len(server.messages) == 1


def test_unreachable_server_fails_with_a_clear_message() -> None:
    with pytest.raises(ActionError, match=r"^Failed to send an email message: .*refused"):
        send(
            from_addr="levante@example.org",
            to_addrs=["ops@example.org"],
            smtp_server=f"127.0.0.1:{free_port()}",
        )


def test_no_recipient_is_refused_before_connecting() -> None:
    with pytest.raises(InvalidActionInput, match="to_addrs"):
        send(from_addr="levante@example.org", to_addrs=[], smtp_server="127.0.0.1:1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail.example.org", SmtpServer("mail.example.org", 25, False)),
        ("mail.example.org:587", SmtpServer("mail.example.org", 587, False)),
        ("mail.example.org:465", SmtpServer("mail.example.org", 465, True)),
        ("smtps://mail.example.org", SmtpServer("mail.example.org", 465, True)),
        ("smtp://mail.example.org:2525", SmtpServer("mail.example.org", 2525, False)),
        ("[::1]:2525", SmtpServer("::1", 2525, False)),
    ],
)
def test_smtp_server_forms(text: str, expected: SmtpServer) -> None:
    assert SmtpServer.parse(text, EmailSettings()) == expected


def test_bad_smtp_server_is_named_in_the_error() -> None:
    with pytest.raises(ActionError, match="smtp_server 'mail:abc' is not host"):
        send(from_addr="a@example.org", to_addrs=["b@example.org"], smtp_server="mail:abc")


def test_settings_from_environment() -> None:
    settings = EmailSettings.from_environment(
        {
            "LEVANTE_SMTP_VERIFY_TLS": "TRUE",
            "LEVANTE_SMTP_CA_FILE": "/etc/ca.pem",
            "LEVANTE_SMTP_TIMEOUT": "5",
            "LEVANTE_SMTP_IMPLICIT_TLS_PORTS": "465, 2465",
        }
    )
    assert settings == EmailSettings(True, "/etc/ca.pem", 5.0, frozenset({465, 2465}))
    assert EmailSettings.from_environment({}) == EmailSettings()
    with pytest.raises(ValueError, match="LEVANTE_SMTP_VERIFY_TLS"):
        EmailSettings.from_environment({"LEVANTE_SMTP_VERIFY_TLS": "maybe"})
    with pytest.raises(ValueError, match="LEVANTE_SMTP_TIMEOUT"):
        EmailSettings.from_environment({"LEVANTE_SMTP_TIMEOUT": "soon"})
