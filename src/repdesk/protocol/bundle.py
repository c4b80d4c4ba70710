"""The desktop bundle's layout, checked the same way by the hub (on `client add`) and the
app (before unpacking an update).

A bundle is a `.tar.gz` whose top folder is `repdesk/`, holding the executable
`repdesk/repdesk` and the manifest `repdesk/BUILD-INFO.json`
(`{"version": "X.Y.Z", "platform": "linux-x86_64"}`), as `./dev bundle` makes it. Every
member must pass `tarfile`'s `data` filter (no absolute paths, no `..`, no links leading
out, no devices) and lie under `repdesk/`.
"""

from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from repdesk.domain.errors import ValidationError
from repdesk.domain.versions import parse_version

TOP = "repdesk"
EXECUTABLE = f"{TOP}/repdesk"
MANIFEST = f"{TOP}/BUILD-INFO.json"
MAX_MANIFEST_BYTES = 64 * 1024
PLATFORMS = ("linux-x86_64", "linux-aarch64", "windows-x86_64", "macos-x86_64", "macos-arm64")


@dataclass(frozen=True, slots=True)
class BuildInfo:
    version: str
    platform: str


def check_platform(platform: str) -> str:
    name = platform.strip().lower()
    if name not in PLATFORMS:
        raise ValidationError(
            f"{platform!r} is not a platform repdesk knows (one of: {', '.join(PLATFORMS)})."
        )
    return name


def read_bundle(path: Path, *, shown: str = "The bundle") -> BuildInfo:
    """The manifest of the bundle at `path`, after checking every member is safe to unpack.

    Raises ValidationError, in words a person can act on, for anything else.
    """
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = archive.getmembers()
            for member in members:
                check_member(member, shown)
            names = {m.name.rstrip("/"): m for m in members}
            executable = names.get(EXECUTABLE)
            if executable is None or not executable.isfile():
                raise ValidationError(f"{shown} has no program {EXECUTABLE}.")
            manifest = names.get(MANIFEST)
            if manifest is None or not manifest.isfile():
                raise ValidationError(f"{shown} has no {MANIFEST} (is it a repdesk bundle?).")
            if manifest.size > MAX_MANIFEST_BYTES:
                raise ValidationError(f"{shown}'s {MANIFEST} is far too large.")
            stream = archive.extractfile(manifest)
            raw = stream.read() if stream is not None else b""
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ValidationError(f"{shown} is not a readable .tar.gz bundle ({exc}).") from exc
    return parse_manifest(raw, shown)


def check_member(member: tarfile.TarInfo, shown: str) -> None:
    """Refuse a member outside `repdesk/` or one the `data` filter would refuse."""
    parts = PurePosixPath(member.name).parts
    if not parts or parts[0] != TOP:
        raise ValidationError(f"{shown} holds {member.name!r}, outside its {TOP}/ folder.")
    if ".." in parts:
        raise ValidationError(f"{shown} holds an unsafe entry: {member.name!r} climbs out.")
    try:
        tarfile.data_filter(member, "/nonexistent-dest")
    except tarfile.FilterError as exc:
        raise ValidationError(f"{shown} holds an unsafe entry: {exc}.") from exc


def parse_manifest(raw: bytes, shown: str = "The bundle") -> BuildInfo:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(f"{shown}'s {MANIFEST} is not readable JSON.") from exc
    if not isinstance(data, dict):
        raise ValidationError(f"{shown}'s {MANIFEST} is not a JSON object.")
    version, platform = data.get("version"), data.get("platform")
    if not isinstance(version, str) or parse_version(version) is None:
        raise ValidationError(f"{shown}'s {MANIFEST} has no version like 1.2.3.")
    if not isinstance(platform, str):
        raise ValidationError(f"{shown}'s {MANIFEST} names no platform.")
    return BuildInfo(version.strip(), check_platform(platform))


__all__ = [
    "EXECUTABLE",
    "MANIFEST",
    "PLATFORMS",
    "TOP",
    "BuildInfo",
    "check_member",
    "check_platform",
    "parse_manifest",
    "read_bundle",
]
