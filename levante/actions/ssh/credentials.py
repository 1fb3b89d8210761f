"""Who to log in as: username, private key (file or text), password.

Mistral's rules: ``private_key_filename`` is a path, absolute or relative to
``~/.ssh/``, and may not contain ``..``; ``private_key`` is the key's text;
``password`` decrypts an encrypted key and is also offered as the login
password. With neither key given, the user's default keys and agent are
tried, as OpenSSH (and paramiko, which Mistral used) do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from levante.actions.ssh.errors import SshKeyError

#: Where a relative ``private_key_filename`` is looked up.
KEY_DIRECTORY = Path("~/.ssh")


@dataclass(frozen=True, slots=True)
class Credentials:
    """How to authenticate: what asyncssh needs, and an identity to pool by."""

    username: str
    keys: tuple[asyncssh.SSHKey, ...] = ()
    password: str | None = None
    identity: str = field(default="", compare=False)

    def connect_options(self) -> dict[str, Any]:
        """Keyword arguments for ``asyncssh.connect``."""
        options: dict[str, Any] = {"username": self.username}
        if self.keys:
            options["client_keys"] = list(self.keys)
        if self.password:
            options["password"] = self.password
        return options

    def pool_key(self) -> tuple[str, str]:
        """Two logins with equal pool keys may share a connection."""
        return (self.username, self.identity)


def load_credentials(
    action: str,
    username: str,
    *,
    password: str | None = None,
    private_key_filename: str | None = None,
    private_key: str | None = None,
) -> Credentials:
    """Read the key (if any) and build the credentials; raises :class:`SshKeyError`."""
    if not username:
        raise SshKeyError(f"{action}: 'username' is empty")
    passphrase = password or None
    keys: tuple[asyncssh.SSHKey, ...] = ()
    if private_key:
        keys = (_import_key(action, private_key, passphrase, "private_key"),)
    elif private_key_filename:
        path = key_path(action, private_key_filename)
        try:
            text = path.read_text()
        except OSError as exc:
            raise SshKeyError(
                f"{action}: cannot read private_key_filename {path}: {exc.strerror}"
            ) from exc
        keys = (_import_key(action, text, passphrase, str(path)),)
    digest = hashlib.sha256()
    for key in keys:
        digest.update(key.public_data)
    digest.update((password or "").encode())
    return Credentials(username, keys, password or None, digest.hexdigest())


def key_path(action: str, filename: str) -> Path:
    """Where ``private_key_filename`` points; refuses ``..`` as Mistral does."""
    if "../" in filename or "..\\" in filename:
        raise SshKeyError(f"{action}: private_key_filename must not contain '..': {filename}")
    path = Path(filename)
    return path if path.is_absolute() else KEY_DIRECTORY.expanduser() / path


def _import_key(action: str, text: str, passphrase: str | None, source: str) -> asyncssh.SSHKey:
    try:
        return asyncssh.import_private_key(text, passphrase)
    except asyncssh.KeyEncryptionError as exc:
        hint = (
            "wrong password" if passphrase else "it is encrypted: give its passphrase as 'password'"
        )
        raise SshKeyError(f"{action}: cannot decrypt the private key ({source}): {hint}") from exc
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise SshKeyError(
            f"{action}: the private key ({source}) is not a key asyncssh can read: {exc}"
        ) from exc
