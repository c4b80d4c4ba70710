"""Tiny desktop bundles for update tests.

Each stands in for the PyInstaller build the packaging step makes (`./dev bundle`): the
same layout (a `.tar.gz` with top folder `repdesk/`, the manifest `repdesk/BUILD-INFO.json`
and the executable `repdesk/repdesk`), but the executable is a two-line shell script that
prints `repdesk <version>`, so a test can run the unpacked build and see which one it is.
"""

from __future__ import annotations

import io
import json
import random
import tarfile
from pathlib import Path

PLATFORM = "linux-x86_64"


def _add(archive: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    archive.addfile(info, io.BytesIO(data))


def make_bundle(
    folder: Path,
    version: str,
    platform: str = PLATFORM,
    *,
    padding: int = 0,
    extra: tuple[tarfile.TarInfo, ...] = (),
) -> Path:
    """`folder/repdesk-<version>-<platform>.tar.gz`; `padding` adds that many incompressible
    bytes (a larger file, for interrupted downloads); `extra` adds raw members (unsafe
    ones, for refusal tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"repdesk-{version}-{platform}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        directory = tarfile.TarInfo("repdesk")
        directory.type = tarfile.DIRTYPE
        directory.mode = 0o755
        archive.addfile(directory)
        manifest = json.dumps({"version": version, "platform": platform}).encode()
        _add(archive, "repdesk/BUILD-INFO.json", manifest)
        script = f'#!/bin/sh\necho "repdesk {version}"\n'.encode()
        _add(archive, "repdesk/repdesk", script, 0o755)
        if padding:
            # A deterministic but incompressible filler (so the .tar.gz really is large).
            filler = random.Random(version).randbytes(padding)
            _add(archive, "repdesk/_internal/filler.bin", filler)
        for member in extra:
            archive.addfile(member, io.BytesIO(b"x" * member.size) if member.isfile() else None)
    return path


def link_member(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


def file_member(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 1
    return info


__all__ = ["PLATFORM", "file_member", "link_member", "make_bundle"]
