"""Reading ``clouds.yaml`` (and ``secure.yaml``) where OpenStack tools look for it.

Search order, as openstacksdk and the ``openstack`` CLI use it: the file named
by ``OS_CLIENT_CONFIG_FILE``, then ``./clouds.yaml``, then
``$XDG_CONFIG_HOME/openstack/clouds.yaml`` (``~/.config/openstack``), then
``/etc/openstack/clouds.yaml`` (``.yml`` is accepted too). The first file found
is used; a ``secure.yaml`` found the same way (``OS_CLIENT_SECURE_FILE``) is
merged over it, so passwords may live apart.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from levante.actions.errors import ActionError


class CloudsYamlError(ActionError):
    """A clouds.yaml cannot be read or lacks the cloud asked for."""


@dataclass(frozen=True, slots=True)
class NamedCloud:
    """One cloud entry of a clouds.yaml and where it came from."""

    name: str
    entry: Mapping[str, Any]
    path: Path


def search_paths(environ: Mapping[str, str], basename: str, env_var: str) -> list[Path]:
    """Where ``basename`` (``clouds`` or ``secure``) is looked for, in order."""
    paths: list[Path] = []
    if environ.get(env_var):
        paths.append(Path(environ[env_var]).expanduser())
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    for folder in (Path.cwd(), Path(config_home) / "openstack", Path("/etc/openstack")):
        paths.extend(folder / f"{basename}{ext}" for ext in (".yaml", ".yml"))
    return paths


def _first_existing(paths: list[Path]) -> Path | None:
    return next((p for p in paths if p.is_file()), None)


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CloudsYamlError(f"Cannot read OpenStack cloud configuration {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("clouds", {}), dict):
        raise CloudsYamlError(f"{path} must be a map with a 'clouds' map of named clouds")
    return data


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def find_clouds_file(environ: Mapping[str, str]) -> Path | None:
    """The clouds.yaml that would be used, or None when there is none."""
    return _first_existing(search_paths(environ, "clouds", "OS_CLIENT_CONFIG_FILE"))


def load_cloud(name: str | None, environ: Mapping[str, str] | None = None) -> NamedCloud:
    """The cloud ``name`` from the first clouds.yaml found (merged with secure.yaml).

    With ``name`` None, the file's only cloud is used; several clouds and no
    name is an error that lists them.
    """
    environ = os.environ if environ is None else environ
    path = find_clouds_file(environ)
    if path is None:
        looked = ", ".join(str(p) for p in search_paths(environ, "clouds", "OS_CLIENT_CONFIG_FILE"))
        raise CloudsYamlError(
            f"OpenStack cloud '{name}' was asked for but no clouds.yaml exists (looked in "
            f"{looked}). Create one, or set OS_CLIENT_CONFIG_FILE to its path."
        )
    clouds: dict[str, Any] = _load(path).get("clouds", {})
    secure_path = _first_existing(search_paths(environ, "secure", "OS_CLIENT_SECURE_FILE"))
    if secure_path is not None:
        clouds = _merge(clouds, _load(secure_path).get("clouds", {}))
    if name is None:
        if len(clouds) != 1:
            raise CloudsYamlError(
                f"{path} defines clouds {sorted(clouds)}; choose one with OS_CLOUD "
                "(or the action_cloud input)."
            )
        name = next(iter(clouds))
    entry = clouds.get(name)
    if not isinstance(entry, Mapping):
        raise CloudsYamlError(
            f"Cloud '{name}' is not defined in {path}; it defines {sorted(clouds) or 'none'}."
        )
    return NamedCloud(name, entry, path)
