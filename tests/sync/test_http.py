"""HubClient maps every HTTP status and transport failure to one domain error, once."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from repdesk.domain.errors import (
    AuthError,
    ClientTooOldError,
    CollateralError,
    DiskFullError,
    NetworkError,
    TlsError,
    UntrustedServerError,
)
from repdesk.domain.outbox import MutationKind
from repdesk.hub.config import HubConfig
from repdesk.protocol.schema import Mutation, PushRequest
from repdesk.sync.http import (
    ACCOUNT_DISABLED,
    BAD_LOGIN,
    GARBAGE,
    SESSION_ENDED,
    CursorExpired,
    HubBusyError,
    HubClient,
    HubRefusedError,
    normalize_hub_url,
    parse_retry_after,
)
from tests.support.tls import TlsFiles, tls_hub
from tests.sync.scripted import Reply, ScriptedServer, Seen, ranged_file, scripted_server

LOGIN_OK = json.dumps(
    {"token": "tok-1", "rep": {"id": "r1", "name": "Ada Rep", "email": "ada@example.com"}}
).encode()
PULL_OK = json.dumps({"changes": [], "cursor": "c1", "has_more": False}).encode()


def _err(code: str, message: str = "m") -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with scripted_server() as srv:
        yield srv


def test_login_then_authenticated_pull(server: ScriptedServer) -> None:
    server.script("POST", "/v1/auth/login", Reply(200, LOGIN_OK))
    server.script("GET", "/v1/sync/pull", Reply(200, PULL_OK))
    with HubClient(server.url) as client:
        resp = client.login("ada@example.com", "pw")
        page = client.pull(None, 100)
    assert resp.rep.name == "Ada Rep"
    assert page.cursor == "c1"
    assert "authorization" not in server.requests("POST", "/v1/auth/login")[0].headers
    assert server.requests("GET", "/v1/sync/pull")[0].headers["authorization"] == "Bearer tok-1"


def test_wrong_password_and_ended_session_are_auth_errors(server: ScriptedServer) -> None:
    server.script("POST", "/v1/auth/login", Reply(401, _err("bad_credentials")))
    server.script("GET", "/v1/sync/pull", Reply(401, _err("token_revoked")))
    with HubClient(server.url, token="old") as client:
        with pytest.raises(AuthError) as login_err:
            client.login("ada@example.com", "nope")
        with pytest.raises(AuthError) as pull_err:
            client.pull("c", 10)
    assert str(login_err.value) == BAD_LOGIN
    assert str(pull_err.value) == SESSION_ENDED


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><script>alert(1)</script>Oops</body></html>",
        b'{"changes": "not a list", "cursor": 1}',
        b'{"changes": [{"entity": "lead", "id": "1", "op": "upsert", "version": "one"}], '
        b'"cursor": "c", "has_more": false}',
        b"\x00\x01\x02 binary junk \x1b[31m",
        b"",
    ],
)
def test_garbage_answer_is_untrusted_with_plain_text(server: ScriptedServer, body: bytes) -> None:
    server.script("GET", "/v1/sync/pull", Reply(200, body, {"Content-Type": "text/html"}))
    with HubClient(server.url, token="t") as client, pytest.raises(UntrustedServerError) as err:
        client.pull(None, 10)
    assert str(err.value) == GARBAGE
    assert all(ch.isprintable() or ch in "\n\t" for ch in err.value.server_text)
    assert len(err.value.server_text) <= 500


def test_status_mapping(server: ScriptedServer) -> None:
    future = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    server.script(
        "GET",
        "/v1/sync/pull",
        Reply(410, _err("cursor_expired")),
        Reply(429, _err("slow_down"), {"Retry-After": "7"}),
        Reply(503, b"upstream down", {"Retry-After": future}),
        Reply(400, _err("bad_cursor", "Cursor \x07is <b>bad</b>")),
        Reply(426, _err("client_too_old")),
        Reply(302, b"", {"Location": "https://elsewhere.example"}),
    )
    with HubClient(server.url, token="t") as client:
        with pytest.raises(CursorExpired):
            client.pull("old", 10)
        with pytest.raises(HubBusyError) as busy:
            client.pull("c", 10)
        assert busy.value.status == 429
        assert busy.value.retry_after == 7
        assert "7 seconds" in str(busy.value)
        with pytest.raises(HubBusyError) as down:
            client.pull("c", 10)
        assert down.value.status == 503
        assert down.value.retry_after is not None
        assert 100 < down.value.retry_after <= 120
        with pytest.raises(HubRefusedError) as refused:
            client.pull("c", 10)
        assert not isinstance(refused.value, NetworkError)
        assert refused.value.code == "bad_cursor"
        assert refused.value.server_text == "Cursor  is <b>bad</b>"  # kept as text, never parsed
        with pytest.raises(ClientTooOldError):
            client.pull("c", 10)
        with pytest.raises(UntrustedServerError):
            client.pull("c", 10)


def test_push_results_for_unknown_mutations_are_untrusted(server: ScriptedServer) -> None:
    body = json.dumps({"results": [{"id": "someone-else", "status": "applied"}]}).encode()
    server.script("POST", "/v1/sync/push", Reply(200, body))
    mutation = Mutation(
        id="m1",
        seq=1,
        kind=MutationKind.CALL_NOTE_CREATE,
        entity_id="n1",
        lead_id="l1",
        recorded_at=datetime.now(UTC),
        payload={"body": "hi"},
    )
    with HubClient(server.url, token="t") as client, pytest.raises(UntrustedServerError):
        client.push(PushRequest(client_id="c", mutations=[mutation]))


def test_refused_connection_is_network_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with HubClient(f"http://127.0.0.1:{port}") as client, pytest.raises(NetworkError) as err:
        client.meta()
    assert not isinstance(err.value, TlsError)
    assert "could not reach the hub" in str(err.value)


def test_silent_hub_times_out_as_network_error(server: ScriptedServer) -> None:
    release = threading.Event()

    def hang(seen: Seen) -> Reply:
        release.wait(10)
        return Reply(200, PULL_OK)

    server.script("GET", "/v1/sync/meta", hang)
    try:
        with HubClient(server.url, timeout=0.3) as client, pytest.raises(NetworkError) as err:
            client.meta()
        assert "did not answer in time" in str(err.value)
    finally:
        release.set()


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    """A real hub over https on loopback, its certificate from a CA nobody here trusts."""
    with tls_hub(HubConfig.resolve(tmp_path / "hub"), TlsFiles.make(tmp_path / "tls")) as hub:
        yield hub.base_url


def test_untrusted_certificate_is_tls_error(tls_server: str) -> None:
    with HubClient(tls_server) as client, pytest.raises(TlsError) as err:
        client.meta()
    assert "certificate" in str(err.value)


def test_hub_urls() -> None:
    assert normalize_hub_url(" https://hub.example.com/ ") == "https://hub.example.com"
    assert normalize_hub_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    with pytest.raises(ValueError, match="https://"):
        normalize_hub_url("http://hub.example.com")
    with pytest.raises(ValueError):
        normalize_hub_url("ftp://hub.example.com")
    with pytest.raises(ValueError):
        normalize_hub_url("hub.example.com")


@given(st.integers(min_value=0, max_value=10**6))
def test_retry_after_seconds(seconds: int) -> None:
    assert parse_retry_after(str(seconds)) == seconds


@given(st.integers(min_value=-3600, max_value=86_400))
def test_retry_after_http_date(offset: int) -> None:
    now = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=offset), usegmt=True)
    assert parse_retry_after(header, now=now) == max(0, offset)


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5e3"])
def test_retry_after_nonsense_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value) is None


# --- downloads ----------------------------------------------------------------------------

DATA = bytes(range(256)) * 400  # 100 KiB
SHA = "0" * 64
PATH = f"/v1/collateral/{SHA}"


def test_download_whole_file(server: ScriptedServer, tmp_path: Path) -> None:
    server.script("GET", PATH, ranged_file(DATA, '"v1"'))
    partial = tmp_path / "x.partial"
    with HubClient(server.url, token="t") as client:
        result = client.download(SHA, partial, expected_size=len(DATA))
    assert partial.read_bytes() == DATA
    assert (result.size, result.resumed_from, result.validator) == (len(DATA), 0, '"v1"')


def test_truncated_download_keeps_partial_and_resumes_with_range(
    server: ScriptedServer, tmp_path: Path
) -> None:
    server.script(
        "GET", PATH, Reply(200, DATA, {"ETag": '"v1"'}, cut_after=30_000), ranged_file(DATA, '"v1"')
    )
    partial = tmp_path / "x.partial"
    with HubClient(server.url, token="t") as client:
        with pytest.raises(NetworkError):
            client.download(SHA, partial, expected_size=len(DATA))
        kept = partial.stat().st_size
        assert 0 < kept <= 30_000
        result = client.download(SHA, partial, expected_size=len(DATA), validator='"v1"')
    second = server.requests("GET", PATH)[1]
    assert second.headers["range"] == f"bytes={kept}-"
    assert second.headers["if-range"] == '"v1"'
    assert result.resumed_from == kept
    assert partial.read_bytes() == DATA


def test_changed_validator_restarts_from_zero(server: ScriptedServer, tmp_path: Path) -> None:
    server.script("GET", PATH, ranged_file(DATA, '"v2"'))
    partial = tmp_path / "x.partial"
    partial.write_bytes(b"stale bytes from another version")
    with HubClient(server.url, token="t") as client:
        result = client.download(SHA, partial, expected_size=len(DATA), validator='"v1"')
    assert result.resumed_from == 0
    assert partial.read_bytes() == DATA


def test_oversized_download_is_discarded(server: ScriptedServer, tmp_path: Path) -> None:
    server.script("GET", PATH, Reply(200, DATA))
    partial = tmp_path / "x.partial"
    with HubClient(server.url, token="t") as client, pytest.raises(CollateralError):
        client.download(SHA, partial, expected_size=1000)
    assert not partial.exists()


def test_missing_file_is_collateral_error(server: ScriptedServer, tmp_path: Path) -> None:
    server.script("GET", PATH, Reply(404, _err("not_found")))
    with HubClient(server.url, token="t") as client, pytest.raises(CollateralError):
        client.download(SHA, tmp_path / "x.partial", expected_size=10)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux /dev/full")
def test_full_disk_is_disk_full_error(server: ScriptedServer, tmp_path: Path) -> None:
    """The partial file is a symlink to /dev/full, whose writes fail with a real ENOSPC."""
    server.script("GET", PATH, Reply(200, DATA))
    partial = tmp_path / "x.partial"
    partial.symlink_to("/dev/full")
    with HubClient(server.url, token="t") as client, pytest.raises(DiskFullError) as err:
        client.download(SHA, partial, expected_size=len(DATA))
    assert "disk is full" in str(err.value)
    assert not partial.exists() and not partial.is_symlink()
    assert Path("/dev/full").exists()


def test_empty_credentials_are_refused_before_any_request(server: ScriptedServer) -> None:
    from repdesk.domain.errors import ValidationError

    with HubClient(server.url) as client, pytest.raises(ValidationError, match="email"):
        client.login("", "")
    assert server.seen == []


def test_a_push_status_from_a_newer_hub_leaves_the_mutation_queued(
    server: ScriptedServer,
) -> None:
    """An unknown status is left out of the results: the engine keeps such a mutation
    pending (it was not answered) and sends it again, instead of failing the whole push."""
    body = json.dumps(
        {"results": [{"id": "m1", "status": "deferred"}, {"id": "m2", "status": "applied"}]}
    ).encode()
    server.script("POST", "/v1/sync/push", Reply(200, body))
    mutations = [
        Mutation(
            id=f"m{n}",
            seq=n,
            kind=MutationKind.CALL_NOTE_CREATE,
            entity_id=f"n{n}",
            lead_id="l1",
            recorded_at=datetime.now(UTC),
            payload={"body": "hi"},
        )
        for n in (1, 2)
    ]
    with HubClient(server.url, token="t") as client:
        resp = client.push(PushRequest(client_id="c", mutations=mutations))
    assert [(r.id, r.status.value) for r in resp.results] == [("m2", "applied")]


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("invalid_credentials", "Wrong email or password.", BAD_LOGIN),
        ("", "", BAD_LOGIN),
        ("account_disabled", "Disabled.\x1b[31m <b>ask ops</b>",
         f"{ACCOUNT_DISABLED} The hub said: Disabled. [31m <b>ask ops</b>"),
    ],
)  # fmt: skip
def test_sign_in_refusals_are_told_by_their_code(
    server: ScriptedServer, code: str, message: str, expected: str
) -> None:
    body = _err(code, message) if code else b"nope"
    server.script("POST", "/v1/auth/login", Reply(401, body))
    with HubClient(server.url) as client, pytest.raises(AuthError) as err:
        client.login("ada@example.com", "pw")
    assert str(err.value) == expected
