"""The hub's HTTP client: the ONE place httpx exceptions and HTTP statuses become domain errors."""

from __future__ import annotations

import email.utils
import logging
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pydantic

from repdesk import __version__
from repdesk.domain.errors import (
    AccountDisabledError,
    AuthError,
    ClientTooOldError,
    CollateralError,
    NetworkError,
    RepdeskError,
    TlsError,
    UntrustedServerError,
)
from repdesk.domain.errors import ValidationError as InputError
from repdesk.protocol.schema import (
    ErrorResponse,
    LatestBuildResponse,
    Lenient,
    LoginRequest,
    LoginResponse,
    MetaResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    PushResult,
    PushStatus,
)
from repdesk.store.settings import CREDENTIALS_IN_URL
from repdesk.sync.partial import (
    DownloadResult,
    content_range_start,
    validator_of,
    write_stream,
)
from repdesk.sync.tls import client_context

log = logging.getLogger(__name__)

_M = TypeVar("_M", bound=pydantic.BaseModel)

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)
MAX_JSON_BYTES = 64 * 1024 * 1024
"""A pull page of 5000 changes is a few MB; anything far larger is not a real answer."""
MAX_SERVER_TEXT = 500
CHUNK = 64 * 1024
USER_AGENT = f"repdesk/{__version__}"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

SESSION_ENDED = "Your session with the hub has ended. Sign in again; your unsent work is kept."
BAD_LOGIN = "The hub did not accept that email and password. Check them and try again."
ACCOUNT_DISABLED = (
    "Your account on this hub is disabled, so repdesk cannot sign you in. Ask marketing "
    "operations to enable it; your unsent work is kept."
)
UNVERIFIED = (
    "repdesk could not verify the security certificate of {url}, so it did not connect. "
    "Check the hub address. If your company runs its own certificate authority, ask IT to "
    "make this computer trust it, or choose its file under Settings, Hub certificate "
    "authority file."
)
GARBAGE = (
    "The hub sent an answer repdesk cannot read, so nothing was changed. "
    "Try again later; if it keeps happening, tell whoever runs your hub."
)


class _AnyStatus(Lenient):
    """A push result as sent, its status still a plain string (see `HubClient.push`)."""

    id: str
    status: str
    server_version: int | None = None
    detail: dict[str, Any] = pydantic.Field(default_factory=dict)


class _AnyStatusResponse(Lenient):
    results: list[_AnyStatus]


class CursorExpired(RepdeskError):  # noqa: N818 - a signal, not a failure the rep sees
    """The hub can no longer serve changes since our cursor: the engine does a full resync."""


class HubBusyError(NetworkError):
    """A 429 or 5xx: transient by protocol, so retried; `retry_after` is the hub's minimum."""

    def __init__(self, message: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class HubRefusedError(RepdeskError):
    """A 4xx the engine has no specific meaning for: never retried; server text is plain text."""

    def __init__(self, message: str, status: int, code: str = "", server_text: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.server_text = server_text


def normalize_hub_url(url: str) -> str:
    """The hub's base URL without a trailing slash; plain http only on this machine (loopback).

    Refuses an address with a user name or password in it (`https://ann:pw@hub...`): it
    would be kept in the settings and the log in plain text. The messages never repeat
    the address, for the same reason.
    """
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise ValueError(CREDENTIALS_IN_URL)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("That is not a hub address: it should look like https://hub.example.com")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(
            "The hub address must start with https:// so your password and leads travel encrypted."
        )
    return url


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, delta)


def plain_text(text: str, limit: int = MAX_SERVER_TEXT) -> str:
    """Server text, shortened and stripped of control characters; shown as plain text only."""
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return cleaned[:limit]


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ssl.SSLError):
            return True
        cur = cur.__cause__ or cur.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


@contextmanager
def _mapped_transport_errors(base_url: str) -> Iterator[None]:
    """httpx's exceptions, as domain errors a rep understands."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise NetworkError(
            "The hub did not answer in time. Your work is kept; sync will try again."
        ) from exc
    except httpx.ConnectError as exc:
        if _is_tls_failure(exc):
            raise TlsError(UNVERIFIED.format(url=base_url)) from exc
        raise NetworkError(
            f"repdesk could not reach the hub at {base_url}. Check your connection; "
            "your work is kept and will be sent later."
        ) from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        if _is_tls_failure(exc):
            raise TlsError(
                f"The secure connection to {base_url} failed. Ask whoever runs your hub."
            ) from exc
        raise NetworkError(
            "The connection to the hub broke off. Your work is kept; sync will try again."
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise UntrustedServerError(GARBAGE, server_text="too many redirects") from exc


class HubClient:
    """Typed calls to one hub; every answer is validated before anyone uses it."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        ca_file: str | Path | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # TLS is verified against the OS trust store, plus the hub's own CA file when the
        # rep chose one; verification cannot be switched off (there is no such argument).
        try:
            self.base_url = normalize_hub_url(base_url)
        except ValueError as exc:  # e.g. a session kept by an older repdesk: sign in again
            raise InputError(str(exc)) from None
        self._token = token
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            verify=client_context(ca_file),
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def token(self) -> str | None:
        return self._token

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls ----------------------------------------------------------------------------

    def login(self, email: str, password: str) -> LoginResponse:
        try:
            body = LoginRequest(email=email, password=password).model_dump(mode="json")
        except pydantic.ValidationError as exc:
            raise InputError("Enter the email address and password marketing gave you.") from exc
        resp = self._json("POST", "/v1/auth/login", LoginResponse, json=body, auth=False)
        self._token = resp.token
        return resp

    def logout(self) -> None:
        self._request("POST", "/v1/auth/logout")
        self._token = None

    def latest_build(self, platform: str, version: str) -> LatestBuildResponse:
        """The hub's newest desktop build for `platform` if newer than `version`."""
        params = {"platform": platform, "version": version}
        return self._json("GET", "/v1/client/latest", LatestBuildResponse, params=params)

    def meta(self) -> MetaResponse:
        return self._json("GET", "/v1/sync/meta", MetaResponse, auth=False)

    def pull(self, cursor: str | None, limit: int) -> PullResponse:
        return self.pull_as(cursor, limit, PullResponse)

    def pull_body(self, cursor: str | None, limit: int) -> bytes:
        """A pull page's raw body, for the engine's own typed decoding (`sync/pages.py`)."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._request("GET", "/v1/sync/pull", params=params)

    def pull_as(self, cursor: str | None, limit: int, model: type[_M]) -> _M:
        """A pull page parsed as `model` (the engine decodes `pull_body` itself: sync/pages.py)."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._json("GET", "/v1/sync/pull", model, params=params)

    def push(self, request: PushRequest) -> PushResponse:
        """The hub's results; one with a status this client does not know (a newer hub's)
        is left out, so its mutation stays queued and is sent again next sync."""
        raw = self._json(
            "POST", "/v1/sync/push", _AnyStatusResponse, json=request.model_dump(mode="json")
        )
        sent = {m.id for m in request.mutations}
        if any(r.id not in sent for r in raw.results):
            raise UntrustedServerError(GARBAGE, server_text="push results name unknown mutations")
        known = {s.value for s in PushStatus}
        unknown = [r.id for r in raw.results if r.status not in known]
        if unknown:
            log.warning("push: %d result(s) with a status this client does not know; kept queued",
                        len(unknown))  # fmt: skip
        return PushResponse(
            results=[
                PushResult(
                    id=r.id,
                    status=PushStatus(r.status),
                    server_version=r.server_version,
                    detail=r.detail,
                )
                for r in raw.results
                if r.status in known
            ]
        )

    def download(
        self,
        sha256: str,
        dest_partial_path: Path,
        *,
        expected_size: int,
        validator: str | None = None,
        on_bytes: Callable[[int], None] | None = None,
        on_validator: Callable[[str], None] | None = None,
    ) -> DownloadResult:
        """Fetch a collateral file into `dest_partial_path` (see `download_file`)."""
        return self.download_file(
            f"/v1/collateral/{sha256}",
            dest_partial_path,
            expected_size=expected_size,
            validator=validator,
            on_bytes=on_bytes,
            on_validator=on_validator,
        )

    def download_file(
        self,
        url_path: str,
        dest_partial_path: Path,
        *,
        expected_size: int,
        validator: str | None = None,
        on_bytes: Callable[[int], None] | None = None,
        on_validator: Callable[[str], None] | None = None,
    ) -> DownloadResult:
        """Fetch a content-addressed file (collateral, a client build) into
        `dest_partial_path`, resuming what is already there.

        Sends `Range` (and `If-Range` with the validator of the first attempt) when a partial
        file exists; a 200 answer restarts from zero. The file is fsynced before returning.
        `on_validator` gets the answer's ETag/Last-Modified as soon as the headers arrive, so
        the caller can keep it for the next If-Range. The caller verifies the hash and
        renames the file into place.
        """
        offset = dest_partial_path.stat().st_size if dest_partial_path.exists() else 0
        if offset > expected_size:
            dest_partial_path.unlink()
            offset = 0
        headers: dict[str, str] = {"Accept": "*/*"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if validator:
                headers["If-Range"] = validator
        request = self._build("GET", url_path, headers=headers)
        with _mapped_transport_errors(self.base_url):
            response = self._client.send(request, stream=True)
            try:
                if response.status_code == 416 and offset:
                    # Our partial is at or past the end: start over cleanly.
                    dest_partial_path.unlink(missing_ok=True)
                    return self.download_file(
                        url_path,
                        dest_partial_path,
                        expected_size=expected_size,
                        on_bytes=on_bytes,
                        on_validator=on_validator,
                    )
                if response.status_code not in (200, 206):
                    response.read()
                    self._raise_for_status(response, auth=True)
                    raise UntrustedServerError(GARBAGE, server_text=f"HTTP {response.status_code}")
                start = 0
                if response.status_code == 206:
                    start = content_range_start(response.headers.get("Content-Range"))
                    if start != offset:
                        raise UntrustedServerError(
                            GARBAGE,
                            server_text=plain_text(response.headers.get("Content-Range", "")),
                        )
                new_validator = validator_of(response.headers)
                if new_validator and on_validator is not None:
                    on_validator(new_validator)  # before the body: a broken transfer resumes
                # iter_bytes() without a size yields bytes as they arrive, so a broken
                # transfer still leaves everything received in the partial file.
                size = write_stream(
                    response.iter_bytes(), dest_partial_path, start, expected_size, on_bytes
                )
            finally:
                response.close()
        return DownloadResult(size=size, resumed_from=start, validator=new_validator)

    # -- plumbing -------------------------------------------------------------------------

    def _build(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Request:
        all_headers = dict(headers or {})
        if auth:
            if not self._token:
                raise AuthError(SESSION_ENDED)
            all_headers["Authorization"] = f"Bearer {self._token}"
        return self._client.build_request(method, path, headers=all_headers, **kwargs)

    def _request(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> bytes:
        request = self._build(method, path, auth=auth, **kwargs)
        with _mapped_transport_errors(self.base_url):
            response = self._client.send(request, stream=True)
            try:
                body = _read_capped(response)
            finally:
                response.close()
        self._raise_for_status(response, auth=auth, body=body)
        return body

    def _json(
        self, method: str, path: str, model: type[_M], *, auth: bool = True, **kwargs: Any
    ) -> _M:
        body = self._request(method, path, auth=auth, **kwargs)
        try:
            return model.model_validate_json(body)
        except pydantic.ValidationError as exc:
            log.warning("hub answered %s %s with an unusable body: %s", method, path, exc)
            text = plain_text(body.decode("utf-8", "replace"))
            raise UntrustedServerError(GARBAGE, server_text=text) from exc

    def _raise_for_status(
        self, response: httpx.Response, *, auth: bool, body: bytes | None = None
    ) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if body is None:
            body = response.content
        code, message = _error_of(body)
        text = plain_text(message or body.decode("utf-8", "replace"))
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        path = response.request.url.path
        log.info("hub answered %s %s: %s %s", response.request.method, path, status, code)
        if status == 401:
            if code == "account_disabled":
                raise AccountDisabledError(_unauthorized(code, text, signing_in=not auth))
            raise AuthError(_unauthorized(code, text, signing_in=not auth))
        if status == 410 and code == "cursor_expired":
            raise CursorExpired("The hub asked for a full resync.")
        if status == 426 or code in {"client_too_old", "upgrade_required"}:
            raise ClientTooOldError(
                "This version of repdesk is too old for your hub. Install the latest version; "
                "your unsent work is kept."
            )
        if status == 429:
            wait = f" in {int(retry_after)} seconds" if retry_after else " in a little while"
            raise HubBusyError(f"The hub is busy. Try again{wait}.", status, retry_after)
        if status >= 500:
            raise HubBusyError(
                f"The hub had a temporary problem (HTTP {status}). Your work is kept; "
                "sync will try again.",
                status,
                retry_after,
            )
        if status == 404 and path.startswith("/v1/collateral/"):
            raise CollateralError("The hub no longer has this file.")
        if 300 <= status < 400:
            raise UntrustedServerError(GARBAGE, server_text=f"redirect ({status})")
        raise HubRefusedError(
            f"The hub refused the request (HTTP {status}). It said: {text}", status, code, text
        )


def _unauthorized(code: str, text: str, *, signing_in: bool) -> str:
    """A 401 said by its error code: a wrong password and a disabled account are not the
    same advice. The hub's own words are added as plain text where they tell more."""
    if code == "account_disabled":
        return f"{ACCOUNT_DISABLED} The hub said: {text}" if text else ACCOUNT_DISABLED
    return BAD_LOGIN if signing_in else SESSION_ENDED


def _error_of(body: bytes) -> tuple[str, str]:
    try:
        err = ErrorResponse.model_validate_json(body)
    except pydantic.ValidationError:
        return "", ""
    return err.error.code, err.error.message


def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes(CHUNK):
        total += len(chunk)
        if total > MAX_JSON_BYTES:
            raise UntrustedServerError(GARBAGE, server_text="answer too large")
        chunks.append(chunk)
    return b"".join(chunks)


__all__ = [
    "ACCOUNT_DISABLED",
    "BAD_LOGIN",
    "GARBAGE",
    "SESSION_ENDED",
    "UNVERIFIED",
    "CursorExpired",
    "DownloadResult",
    "HubBusyError",
    "HubClient",
    "HubRefusedError",
    "normalize_hub_url",
    "parse_retry_after",
    "plain_text",
]
