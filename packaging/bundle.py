"""Build the standalone desktop app: `./dev bundle` (see packaging/README.md).

Runs PyInstaller on packaging/repdesk.spec, then writes the build's manifest and packs
the folder:

    dist/repdesk/                                   the relocatable app (runs dist/repdesk/repdesk)
    dist/repdesk/BUILD-INFO.json                    {"version": ..., "platform": "linux-x86_64"}
    dist/repdesk/share/                             (Linux) desktop entry, icons, AppStream file
                                                    in the XDG layout: copy into ~/.local/share
    dist/repdesk-<version>-<platform>.tar.gz        the same folder, top folder `repdesk/`

The hub's client updates (`repdesk-hub client add`) take that archive as it is.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tarfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "repdesk.spec"
NAME = "repdesk"
MANIFEST = "BUILD-INFO.json"

_SYSTEMS = {"linux": "linux", "win32": "windows", "darwin": "macos"}
_ARM = {"linux": "aarch64", "macos": "arm64", "windows": "arm64"}


def platform_tag() -> str:
    """linux-x86_64, linux-aarch64, windows-x86_64, macos-arm64: the names the hub files
    client builds under (`repdesk.protocol.bundle.PLATFORMS`)."""
    system = _SYSTEMS.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    if machine in ("amd64", "x86_64"):
        machine = "x86_64"
    elif machine in ("arm64", "aarch64"):
        machine = _ARM.get(system, machine)
    return f"{system}-{machine}"


def build(dist: Path, work: Path) -> Path:
    import PyInstaller.__main__

    PyInstaller.__main__.run(
        [
            "--noconfirm",
            "--log-level=WARN",
            f"--distpath={dist}",
            f"--workpath={work}",
            str(SPEC),
        ]
    )
    return dist / NAME


def add_desktop_files(folder: Path) -> Path:
    """share/ in the XDG layout, so `cp -r share/. ~/.local/share/` installs the menu entry."""
    share = folder / "share"
    icons = ROOT / "src" / "repdesk" / "resources" / "icons"
    apps = share / "applications"
    apps.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "packaging" / "repdesk.desktop", apps)
    metainfo = share / "metainfo"
    metainfo.mkdir(exist_ok=True)
    shutil.copy2(ROOT / "packaging" / "org.repdesk.repdesk.metainfo.xml", metainfo)
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copy2(icons / "repdesk.svg", scalable)
    for png in icons.glob("repdesk-*.png"):
        size = png.stem.split("-")[1]
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, target / "repdesk.png")
    return share


def write_manifest(folder: Path, release: str, tag: str) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps({"version": release, "platform": tag}, indent=2) + "\n")
    return path


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def pack(folder: Path, archive: Path) -> Path:
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(folder, arcname=NAME, filter=_normalise)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bundle", description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build" / "pyinstaller", help="scratch folder"
    )
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz")
    args = parser.parse_args(argv)

    release, tag = version(NAME), platform_tag()
    started = time.monotonic()
    folder = build(args.dist.resolve(), args.work.resolve())
    write_manifest(folder, release, tag)
    if sys.platform == "linux":
        add_desktop_files(folder)
    built = time.monotonic() - started
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"Built {folder} ({size / 1e6:.0f} MB) in {built:.0f} s")
    if not args.no_archive:
        archive = pack(folder, args.dist.resolve() / f"{NAME}-{release}-{tag}.tar.gz")
        packed = time.monotonic() - started - built
        print(f"Packed {archive} ({archive.stat().st_size / 1e6:.0f} MB) in {packed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
