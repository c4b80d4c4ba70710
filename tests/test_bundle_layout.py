"""The layout `./dev bundle` promises the hub's client updates (issue 11.1, 11.4):
`repdesk-<version>-<platform>.tar.gz` whose one top folder is `repdesk/`, holding
`BUILD-INFO.json` = {"version", "platform"}. Checked on a small stand-in folder here (the
real PyInstaller build is CI's `./dev bundle` + packaging/smoke-test.sh)."""

from __future__ import annotations

import importlib.util
import json
import platform
import tarfile
from pathlib import Path
from types import ModuleType

import repdesk
from repdesk.protocol.bundle import PLATFORMS, read_bundle

BUNDLE_PY = Path(__file__).resolve().parent.parent / "packaging" / "bundle.py"


def _bundle_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("repdesk_bundle_script", BUNDLE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_archive_has_one_top_folder_and_the_manifest(tmp_path: Path) -> None:
    bundle = _bundle_module()
    folder = tmp_path / "dist" / "repdesk"
    (folder / "_internal").mkdir(parents=True)
    (folder / "repdesk").write_text("#!/bin/sh\n")
    (folder / "_internal" / "lib.so").write_bytes(b"\0" * 10)
    tag = bundle.platform_tag()
    bundle.write_manifest(folder, repdesk.__version__, tag)
    share = bundle.add_desktop_files(folder)
    assert (share / "applications" / "repdesk.desktop").is_file()
    assert (share / "icons" / "hicolor" / "256x256" / "apps" / "repdesk.png").is_file()
    archive = bundle.pack(folder, tmp_path / f"repdesk-{repdesk.__version__}-{tag}.tar.gz")

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        assert {name.split("/")[0] for name in names} == {"repdesk"}
        assert "repdesk/repdesk" in names
        manifest = tar.extractfile("repdesk/BUILD-INFO.json")
        assert manifest is not None
        assert json.load(manifest) == {"version": repdesk.__version__, "platform": tag}
        assert all(member.uid == 0 and member.uname == "" for member in tar.getmembers())
    assert tag in PLATFORMS
    # The hub's `client add` and the app's updater read it as the same build.
    assert read_bundle(archive).version == repdesk.__version__
    if platform.system() == "Linux" and platform.machine() == "x86_64":
        assert tag == "linux-x86_64"
