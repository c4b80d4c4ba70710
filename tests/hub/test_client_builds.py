"""Client builds on the hub: `repdesk-hub client add/list/retire`, and the reps' API that
offers the newest build for a platform and serves its bundle (resumable, like collateral;
the served hub's tests run with its files in a directory and in an S3 bucket)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from tests.support.bundles import file_member, link_member, make_bundle
from tests.support.world import World

from repdesk.domain.errors import ValidationError
from repdesk.hub import admin
from repdesk.hub.cli.main import EXIT_ERROR, EXIT_OK, main
from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub


@pytest.fixture
def hub_config(hub_config_each_store: HubConfig) -> HubConfig:
    return hub_config_each_store


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_client_add_list_retire_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    home = str(tmp_path / "hub")
    assert run(capsys, "--home", home, "init")[0] == EXIT_OK
    v1 = make_bundle(tmp_path / "b", "1.0.0")
    v2 = make_bundle(tmp_path / "b", "1.1.0")
    code, out, _ = run(
        capsys, "--home", home, "client", "add", str(v1), "--platform", "linux-x86_64"
    )
    assert code == EXIT_OK and "Published repdesk 1.0.0 for linux-x86_64" in out
    assert (
        run(capsys, "--home", home, "client", "add", str(v2), "--platform", "linux-x86_64")[0] == 0
    )
    code, out, _ = run(capsys, "--home", home, "client", "list")
    lines = out.strip().splitlines()
    assert [line.split()[2] for line in lines] == ["1.1.0", "1.0.0"]
    sha = hashlib.sha256(v2.read_bytes()).hexdigest()
    stored = HubConfig.resolve(home).builds_dir / sha[:2] / sha
    assert stored.read_bytes() == v2.read_bytes()

    code, _, err = run(
        capsys, "--home", home, "client", "add", str(v2), "--platform", "linux-x86_64"
    )
    assert code == EXIT_ERROR and "already published" in err
    code, out, _ = run(capsys, "--home", home, "client", "retire", "1.1.0")
    assert code == EXIT_OK and "Retired repdesk 1.1.0" in out
    code, out, _ = run(capsys, "--home", home, "client", "list")
    assert [line.split()[2] for line in out.strip().splitlines()] == ["1.0.0"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: make_bundle(d, "2.0.0", "windows-x86_64"), "is a build for windows-x86_64"),
        (lambda d: make_bundle(d, "2.0.0", extra=(file_member("evil.txt"),)), "outside its"),
        (lambda d: make_bundle(d, "2.0.0", extra=(file_member("repdesk/../x"),)), "unsafe"),
        (
            lambda d: make_bundle(d, "2.0.0", extra=(link_member("repdesk/l", "/etc/passwd"),)),
            "unsafe",
        ),
        (lambda d: _write(d / "x.tar.gz", b"not a tarball"), "not a readable .tar.gz"),
    ],
    ids=["wrong-platform", "outside-top", "dotdot", "link-out", "garbage"],
)
def test_a_bad_bundle_is_refused_in_words(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    config = HubConfig.resolve(tmp_path / "hub")
    admin.init_hub(config)
    bundle = make(tmp_path / "b")
    with admin.open_hub(config) as embedded_hub:
        with pytest.raises(ValidationError, match=message):
            admin.add_build(embedded_hub, bundle, "linux-x86_64")
        assert admin.list_builds(embedded_hub) == []


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _publish(embedded_hub: EmbeddedHub, bundle: Path) -> str:
    with admin.open_hub(embedded_hub.config) as opened:
        return admin.add_build(opened, bundle, "linux-x86_64").sha256


def test_latest_offers_the_newest_build_only_when_newer(
    embedded_hub: EmbeddedHub,
    world: World,
    client_for: Callable[[str], httpx.Client],
    tmp_path: Path,
) -> None:
    ada = client_for(world.ada.email)
    query = {"platform": "linux-x86_64", "version": "1.0.0"}
    assert ada.get("/v1/client/latest", params=query).json() == {"build": None}
    _publish(embedded_hub, make_bundle(tmp_path, "1.0.0"))
    sha2 = _publish(embedded_hub, make_bundle(tmp_path, "1.10.0"))
    _publish(embedded_hub, make_bundle(tmp_path, "1.9.0"))  # published later, but older
    body = ada.get("/v1/client/latest", params=query).json()["build"]
    assert body["version"] == "1.10.0" and body["sha256"] == sha2
    assert body["size"] == (tmp_path / "repdesk-1.10.0-linux-x86_64.tar.gz").stat().st_size
    newest = {"platform": "linux-x86_64", "version": "1.10.0"}
    assert ada.get("/v1/client/latest", params=newest).json() == {"build": None}
    other = {"platform": "windows-x86_64", "version": "0.1.0"}
    assert ada.get("/v1/client/latest", params=other).json() == {"build": None}
    anonymous = httpx.get(f"{embedded_hub.base_url}/v1/client/latest", params=query)
    assert anonymous.status_code == 401


def test_the_bundle_downloads_whole_and_by_range(
    embedded_hub: EmbeddedHub,
    world: World,
    client_for: Callable[[str], httpx.Client],
    tmp_path: Path,
) -> None:
    bundle = make_bundle(tmp_path, "1.1.0", padding=5000)
    sha = _publish(embedded_hub, bundle)
    ada = client_for(world.ada.email)
    whole = ada.get(f"/v1/client/builds/{sha}")
    assert whole.status_code == 200 and whole.content == bundle.read_bytes()
    assert whole.headers["etag"] == f'"{sha}"'
    part = ada.get(f"/v1/client/builds/{sha}", headers={"Range": "bytes=100-"})
    assert part.status_code == 206 and part.content == bundle.read_bytes()[100:]
    with admin.open_hub(embedded_hub.config) as opened:
        admin.retire_build(opened, sha[:12])
    assert ada.get(f"/v1/client/builds/{sha}").status_code == 404
    assert ada.get("/v1/client/builds/not-a-sha").status_code == 404


@pytest.mark.sqlite_only
def test_openapi_describes_the_client_routes(anon: httpx.Client) -> None:
    spec = anon.get("/openapi.json").json()
    assert "/v1/client/latest" in spec["paths"]
    assert "/v1/client/builds/{sha256}" in spec["paths"]
    assert "LatestBuildResponse" in spec["components"]["schemas"]
