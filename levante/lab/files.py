"""The files a lab writes for its users: inputs, ``clouds.yaml``, ``env.sh``, ``known_hosts``.

``input.json`` is the input of the cloud-cron cookbook's
``update_kernel_with_email.yaml`` (``input-plain.json`` the first
``update_kernel.yaml``'s, which declares no ``email_info``), pointing at the
lab's gateway, key and SMTP sink. ``env.sh`` exports the ``OS_*`` variables
of the stand-in cloud and the ``LEVANTE_SSH_*`` settings that reach the lab's
hosts; ``known_hosts`` lists every lab server's key, so the strict host-key
policy can be used.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from levante.lab.keys import LabKeys
from levante.lab.paths import LabPaths
from levante.lab.smtp import LAB_SMTP_PASSWORD
from levante.lab.state import HostEntry

TO_EMAIL = "ops@example.org"
FROM_EMAIL = "levante@example.org"
CLOUD_NAME = "levante-lab"


def known_hosts_pattern(address: str, port: int) -> str:
    """How OpenSSH names ``address`` on ``port`` in a known_hosts file."""
    return address if port == 22 else f"[{address}]:{port}"


def write_known_hosts(path: Path, servers: list[HostEntry], keys: LabKeys) -> None:
    """One line per lab server (gateway and hosts)."""
    key = keys.host_public_line()
    path.write_text(
        "".join(f"{known_hosts_pattern(s.address, s.port)} {key}\n" for s in servers)
    )


def cookbook_input(
    keys: LabKeys, username: str, gateway: HostEntry, smtp_server: str | None
) -> dict[str, Any]:
    """The cookbook's input for the lab (with ``email_info`` when ``smtp_server`` is given)."""
    given: dict[str, Any] = {
        "username": username,
        "private_key_filename": str(keys.user_key_path),
        "gateway_host": gateway.address,
    }
    if smtp_server is not None:
        given["email_info"] = {
            "to_email": TO_EMAIL,
            "from_email": FROM_EMAIL,
            "smtp_server": smtp_server,
            "smtp_password": LAB_SMTP_PASSWORD,
        }
    return given


def lab_environment(
    os_environ: dict[str, str], ssh_port: int, known_hosts: Path
) -> dict[str, str]:
    """The variables that point OpenStack actions and SSH actions at the lab."""
    env = dict(os_environ)
    env.update(
        LEVANTE_SSH_PORT=str(ssh_port),
        LEVANTE_SSH_KNOWN_HOSTS=str(known_hosts),
        # The lab wrote every key it serves, so nothing needs to be accepted blindly.
        LEVANTE_SSH_HOST_KEY_POLICY="strict",
    )
    return env


def write_env_sh(path: Path, environment: dict[str, str]) -> None:
    """``export`` lines for ``environment``; ``OS_CLOUD`` unset so ``OS_*`` are used."""
    lines = [
        "# Levante lab: source this file (. env.sh) in the shell that runs levante.",
        "unset OS_CLOUD",
        *(f"export {name}={shlex.quote(value)}" for name, value in environment.items()),
    ]
    path.write_text("\n".join(lines) + "\n")


def write_user_files(
    paths: LabPaths,
    keys: LabKeys,
    username: str,
    gateway: HostEntry,
    hosts: list[HostEntry],
    smtp_server: str,
    environment: dict[str, str],
    clouds_yaml: dict[str, Any],
) -> None:
    """Write every file a user of the lab needs."""
    write_known_hosts(paths.known_hosts, [gateway, *hosts], keys)
    paths.input_json.write_text(
        json.dumps(cookbook_input(keys, username, gateway, smtp_server), indent=4) + "\n"
    )
    paths.plain_input_json.write_text(
        json.dumps(cookbook_input(keys, username, gateway, None), indent=4) + "\n"
    )
    paths.clouds_yaml.write_text(json.dumps({"clouds": {CLOUD_NAME: clouds_yaml}}, indent=2))
    write_env_sh(paths.env_sh, environment)
