"""TLS to the hub (issue 10, defect 6): certificates are checked against the operating
system's trust store plus the hub's own CA file from the settings; verification cannot be
turned off; a hub address carrying a user name or password is refused everywhere and
never written to the settings or the log.

Real parts: a real hub served over https on loopback with a throwaway CA made in the
test (trustme), real settings files, the app's own engine wiring (`app.services`).
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from repdesk.app.services import load_settings, sync_engine
from repdesk.cli.main import main as cli
from repdesk.domain.errors import TlsError, ValidationError
from repdesk.hub.config import HubConfig
from repdesk.store import Store
from repdesk.store.api import SessionInfo
from repdesk.store.paths import AppPaths
from repdesk.store.settings import (
    CREDENTIALS_IN_URL,
    HUB_CA_FILE,
    HUB_URL,
    SETTINGS_FILE_NAME,
    Settings,
)
from repdesk.sync.http import UNVERIFIED, HubClient
from tests.support import hub_rows as seed
from tests.support.tls import TlsFiles, tls_hub

EMAIL = "ada@example.com"
PASSWORD = "correct horse battery staple"
SECRET = "s3cret-Pa55"
CREDENTIAL_URLS = [
    f"https://ada:{SECRET}@hub.example.com",
    f"https://ada%40example.com:{SECRET}@127.0.0.1:8443/",
    f"http://:{SECRET}@127.0.0.1:8000",
]


@pytest.fixture
def company_ca(tmp_path: Path) -> TlsFiles:
    return TlsFiles.make(tmp_path / "tls", "company-ca")


@pytest.fixture
def https_hub_url(tmp_path: Path, company_ca: TlsFiles) -> object:
    with tls_hub(HubConfig.resolve(tmp_path / "hub"), company_ca) as hub:
        seed.add_rep(hub.state.db, EMAIL, PASSWORD, "Ada Lovelace")
        yield hub.base_url


def _app(tmp_path: Path) -> tuple[AppPaths, Settings, Store]:
    paths = AppPaths.resolve(tmp_path / "rep").ensure()
    return paths, load_settings(paths), Store.open(paths.data)


def test_a_hub_signed_by_the_ca_file_in_the_settings_is_accepted(
    tmp_path: Path, https_hub_url: str, company_ca: TlsFiles
) -> None:
    paths, settings, store = _app(tmp_path)
    try:
        settings.set(HUB_CA_FILE, str(company_ca.ca_pem))
        engine = sync_engine(store, paths, settings)
        result = engine.login(https_hub_url, EMAIL, PASSWORD)
        assert result.session.hub_url == https_hub_url
        report = engine.sync()
        assert report is not None
    finally:
        store.close()


def test_an_unknown_ca_is_refused_in_words(
    tmp_path: Path, https_hub_url: str, company_ca: TlsFiles
) -> None:
    paths, settings, store = _app(tmp_path)
    try:
        engine = sync_engine(store, paths, settings)
        with pytest.raises(TlsError) as refused:
            engine.login(https_hub_url, EMAIL, PASSWORD)
        assert str(refused.value) == UNVERIFIED.format(url=https_hub_url)
        assert "certificate authority file" in str(refused.value)
        # Another company's CA file does not vouch for this hub either.
        other = TlsFiles.make(tmp_path / "other", "another-ca")
        settings.set(HUB_CA_FILE, str(other.ca_pem))
        with pytest.raises(TlsError):
            engine.login(https_hub_url, EMAIL, PASSWORD)
        assert store.sync_state().session is None
    finally:
        store.close()


def test_a_ca_file_that_is_not_one_is_refused_in_words(tmp_path: Path) -> None:
    not_pem = tmp_path / "notes.pem"
    not_pem.write_text("hello\n")
    with pytest.raises(ValidationError, match="not a certificate authority file"):
        HubClient("https://hub.example.com", ca_file=not_pem)
    with pytest.raises(ValidationError, match="no certificate authority file"):
        HubClient("https://hub.example.com", ca_file=tmp_path / "missing.pem")
    settings = Settings(tmp_path / SETTINGS_FILE_NAME)
    with pytest.raises(ValidationError, match="full path"):
        settings.set(HUB_CA_FILE, "company.pem")


_META = (
    "import sys\n"
    "from repdesk.domain.errors import TlsError\n"
    "from repdesk.sync.http import HubClient\n"
    "try:\n"
    "    HubClient(sys.argv[1]).meta()\n"
    "except TlsError as exc:\n"
    "    print(exc)\n"
    "    sys.exit(3)\n"
    "print('trusted')\n"
)


def _meta_in_a_fresh_process(url: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _META, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_operating_systems_trust_store_is_used(
    tmp_path: Path, https_hub_url: str, company_ca: TlsFiles
) -> None:
    """The company CA is made trusted the way the OS store is read on Linux: OpenSSL's
    default locations, here `SSL_CERT_DIR` (a hashed certificate folder, as
    update-ca-certificates makes). `SSL_CERT_FILE` names a bundle WITHOUT it, so a client
    that reads one bundle (certifi's, or only `SSL_CERT_FILE` as httpx does) refuses the
    hub; only a client consulting the OS store as OpenSSL does accepts it. Run in a fresh
    process because OpenSSL reads these at start."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to hash the certificate folder")
    store_dir = tmp_path / "os-store"
    store_dir.mkdir()
    shutil.copy(company_ca.ca_pem, store_dir / "company-ca.pem")
    subprocess.run([openssl, "rehash", str(store_dir)], check=True, capture_output=True)
    unrelated = TlsFiles.make(tmp_path / "unrelated", "unrelated-ca")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSL_CERT")}
    env["SSL_CERT_FILE"] = str(unrelated.ca_pem)

    trusted = _meta_in_a_fresh_process(https_hub_url, {**env, "SSL_CERT_DIR": str(store_dir)})
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert trusted.stdout.strip() == "trusted"

    empty = tmp_path / "empty-store"
    empty.mkdir()
    refused = _meta_in_a_fresh_process(https_hub_url, {**env, "SSL_CERT_DIR": str(empty)})
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "could not verify the security certificate" in refused.stdout


@pytest.mark.parametrize("url", CREDENTIAL_URLS)
def test_a_hub_address_with_a_password_is_refused_and_never_kept(
    tmp_path: Path, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    paths, settings, store = _app(tmp_path)
    try:
        engine = sync_engine(store, paths, settings)
        with pytest.raises(ValidationError) as refused:
            engine.login(url, EMAIL, PASSWORD)
        assert str(refused.value) == CREDENTIALS_IN_URL
        with pytest.raises(ValidationError) as refused:
            settings.set(HUB_URL, url.rstrip("/"))
        assert str(refused.value) == CREDENTIALS_IN_URL
        assert store.sync_state().session is None
    finally:
        store.close()
    assert not settings.is_set(HUB_URL)
    assert SECRET not in caplog.text
    _assert_nowhere(tmp_path / "rep", SECRET)


def test_a_session_kept_with_such_an_address_asks_for_a_clean_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A session an older repdesk stored with a password in its address: sync refuses in
    words (a ValidationError the app shows), never connects with it nor logs it."""
    caplog.set_level(logging.DEBUG)
    paths, settings, store = _app(tmp_path)
    try:
        store.set_session(SessionInfo(CREDENTIAL_URLS[0], "r1", "Ada", EMAIL))
        engine = sync_engine(store, paths, settings)
        engine.credentials.save(CREDENTIAL_URLS[0], EMAIL, "token-1")
        with pytest.raises(ValidationError) as refused:
            engine.sync()
        assert str(refused.value) == CREDENTIALS_IN_URL
    finally:
        store.close()
    assert SECRET not in caplog.text


def test_a_password_in_a_stored_hub_address_is_dropped_from_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An older repdesk kept such an address: it is refused on reading and the file is
    rewritten at once, keeping the other settings."""
    caplog.set_level(logging.DEBUG)
    path = tmp_path / SETTINGS_FILE_NAME
    path.write_text(
        f'{{"hub_url": "{CREDENTIAL_URLS[0]}", "sync_interval_minutes": 7}}', encoding="utf-8"
    )
    settings = Settings.load(path)
    assert not settings.is_set(HUB_URL)
    assert SECRET not in path.read_text(encoding="utf-8")
    assert '"sync_interval_minutes": 7' in path.read_text(encoding="utf-8")
    assert SECRET not in caplog.text


def test_the_cli_refuses_a_hub_address_with_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    data = tmp_path / "rep"
    code = cli(["login", "--hub", CREDENTIAL_URLS[0], "--email", EMAIL, "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 1
    assert CREDENTIALS_IN_URL in err
    assert SECRET not in err
    _assert_nowhere(data, SECRET)


def test_the_cli_keeps_the_ca_file_it_is_given(
    tmp_path: Path,
    https_hub_url: str,
    company_ca: TlsFiles,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    data = tmp_path / "rep"
    args = ["login", "--hub", https_hub_url, "--email", EMAIL, "--data-dir", str(data)]
    assert cli([*args, "--ca-file", str(company_ca.ca_pem)]) == 0, capsys.readouterr().err
    settings = load_settings(AppPaths.resolve(data))
    assert settings.get(HUB_CA_FILE) == str(company_ca.ca_pem)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert cli([*args, "--ca-file", str(tmp_path / "nope.pem")]) == 1
    assert "no certificate authority file" in capsys.readouterr().err


def _assert_nowhere(folder: Path, text: str) -> None:
    for file in folder.rglob("*"):
        if file.is_file():
            assert text.encode() not in file.read_bytes(), file


def test_the_tls_context_is_built_once_per_ca_file_version(
    tmp_path: Path, company_ca: TlsFiles
) -> None:
    """Loading the trust store and the CA file is done once, not per sync; a CA file that
    changes on disk gives a new context, and a broken one is refused every time."""
    from repdesk.sync.tls import client_context

    ca = tmp_path / "hub-ca.pem"
    shutil.copy(company_ca.ca_pem, ca)
    first = client_context(ca)
    assert client_context(ca) is first
    assert client_context(None) is client_context(None) is not first

    other = TlsFiles.make(tmp_path / "other", "other-ca")
    ca.write_bytes(other.ca_pem.read_bytes() + b"\n")  # another size: another version
    os.utime(ca, ns=(1, 1))
    assert client_context(ca) is not first

    ca.write_text("not a certificate")
    for _ in range(2):
        with pytest.raises(ValidationError):
            client_context(ca)
