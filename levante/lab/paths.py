"""Where the lab keeps its files: ``$LEVANTE_HOME/lab/`` (default ``./.levante/lab``).

=======================  ==================================================
file                     what it holds
=======================  ==================================================
``lab.pid``              the PID of the running lab process
``state.json``           what is running where (written once it is ready)
``lab.log``              the lab's own log: start, stop, each mail received
``commands.log``         one line per command a host ran
``failing-hosts.json``   hosts told to fail (``levante lab fail-host``)
``mail/``                each received message as an ``.eml`` file
``id_ed25519``           the user key the hosts and the gateway accept
``host_key``             the hosts' and the gateway's SSH host key
``known_hosts``          every lab host's key, for ``LEVANTE_SSH_KNOWN_HOSTS``
``smtp-cert.pem``        the SMTP sink's self-signed certificate (and key)
``input.json``           input for ``update_kernel_with_email.yaml``
``input-plain.json``     input for ``update_kernel.yaml`` (no ``email_info``)
``clouds.yaml``          the stand-in cloud as cloud ``levante-lab``
``env.sh``               ``OS_*`` and ``LEVANTE_SSH_*`` exports
=======================  ==================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_lab_dir() -> Path:
    """``$LEVANTE_HOME/lab``, or ``./.levante/lab`` when LEVANTE_HOME is unset (absolute)."""
    home = Path(os.environ.get("LEVANTE_HOME") or ".levante")
    return (home / "lab").absolute()


@dataclass(frozen=True, slots=True)
class LabPaths:
    """The files of one lab directory."""

    root: Path

    @property
    def pid_file(self) -> Path:
        """The running lab's PID."""
        return self.root / "lab.pid"

    @property
    def state_file(self) -> Path:
        """What runs where, written when the lab is ready."""
        return self.root / "state.json"

    @property
    def log_file(self) -> Path:
        """The lab's own log."""
        return self.root / "lab.log"

    @property
    def commands_log(self) -> Path:
        """One line per command run on a lab host."""
        return self.root / "commands.log"

    @property
    def failures_file(self) -> Path:
        """Hosts told to fail."""
        return self.root / "failing-hosts.json"

    @property
    def mail_dir(self) -> Path:
        """Received messages, one ``.eml`` file each."""
        return self.root / "mail"

    @property
    def user_key(self) -> Path:
        """The private key the lab's SSH servers accept (``.pub`` next to it)."""
        return self.root / "id_ed25519"

    @property
    def host_key(self) -> Path:
        """The lab's SSH host key."""
        return self.root / "host_key"

    @property
    def known_hosts(self) -> Path:
        """Every lab SSH server's key, in OpenSSH's format."""
        return self.root / "known_hosts"

    @property
    def smtp_cert(self) -> Path:
        """The SMTP sink's certificate (PEM)."""
        return self.root / "smtp-cert.pem"

    @property
    def smtp_key(self) -> Path:
        """The SMTP sink's private key (PEM)."""
        return self.root / "smtp-key.pem"

    @property
    def input_json(self) -> Path:
        """Input for ``update_kernel_with_email.yaml``."""
        return self.root / "input.json"

    @property
    def plain_input_json(self) -> Path:
        """Input for ``update_kernel.yaml`` (which declares no ``email_info``)."""
        return self.root / "input-plain.json"

    @property
    def clouds_yaml(self) -> Path:
        """The stand-in cloud as cloud ``levante-lab``."""
        return self.root / "clouds.yaml"

    @property
    def env_sh(self) -> Path:
        """``export`` lines for ``OS_*`` and ``LEVANTE_SSH_*``."""
        return self.root / "env.sh"

    def runtime_files(self) -> tuple[Path, ...]:
        """Files that describe a running lab and go away with it."""
        return (self.pid_file, self.state_file)
