"""``std.email`` inside a workflow run by ``levante run``, received by a real SMTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from levante.cli.main import main
from tests.support.smtp import free_port, running_smtp, self_signed_cert

# The cloud-cron cookbook's notification task, with the report built by a task.
WORKFLOW = """
version: '2.0'
report_updates:
  input:
    - smtp_server
    - smtp_password
    - to_addrs
  tasks:
    count:
      with-items: host in <% range(0, 20) %>
      action: std.echo output=<% $.host %>
      publish:
        updated: <% task().result.len() %>
      on-success: [send_success_email]
    send_success_email:
      action: std.email
      input:
        subject: Kernel update
        body: |
          Number of updated VMs: <% $.updated %>

          -- Thanks
        from_addr: levante@example.org
        to_addrs: <% $.to_addrs %>
        bcc_addrs: [audit@example.org]
        smtp_server: <% $.smtp_server %>
        smtp_password: <% $.smtp_password %>
"""


def test_workflow_sends_one_email_over_starttls_with_login(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cert = self_signed_cert(tmp_path / "tls")
    path = tmp_path / "wf.yaml"
    path.write_text(WORKFLOW)
    users = {"levante@example.org": "s3cret"}
    with running_smtp(mode="starttls", cert=cert, users=users, require_starttls=True) as smtp:
        payload = {
            "smtp_server": smtp.address,
            "smtp_password": "s3cret",
            "to_addrs": ["ops@example.org"],
        }
        status = main(["run", str(path), "--input", json.dumps(payload), "-q", "-f", "json"])
        report = json.loads(capsys.readouterr().out)
        messages = smtp.messages
    assert status == 0, report
    tasks = {t["name"]: t for t in report["tasks"]}
    assert tasks["send_success_email"]["state"] == "SUCCESS"
    [received] = messages
    assert received.tls and received.auth_user == "levante@example.org"
    assert sorted(received.rcpt_tos) == ["audit@example.org", "ops@example.org"]
    assert received.message["Subject"] == "Kernel update"
    body = received.message.get_content()
    assert "Number of updated VMs: 20" in body
    assert "-- Thanks" in body


def test_unreachable_smtp_server_fails_the_task_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(WORKFLOW)
    payload = {
        "smtp_server": f"127.0.0.1:{free_port()}",
        "smtp_password": None,
        "to_addrs": ["ops@example.org"],
    }
    status = main(["run", str(path), "--input", json.dumps(payload), "-q", "-f", "json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["state"] == "ERROR"
    assert "Failed to send an email message" in json.dumps(report)
