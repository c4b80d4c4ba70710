"""Content-addressed files in an S3-compatible bucket (`--files-s3 s3://bucket/prefix`).

Keys are `<prefix>/<area>/ab/<sha256>`, the sha256 of the bytes, never a name from user
input. An upload is hashed first (a file in place; a stream through an unlinked temp
file), skipped when an object of that size is already under its key (re-uploading is
idempotent), else sent in one PUT with its `ChecksumSHA256`, which S3 verifies before
storing; where the store does not answer with that checksum, the ETag of a single-part
PUT (the MD5 of the bytes) is compared instead, and where that is not the MD5 either
(encryption, another store's ETags) the object is read back and hashed. A PUT is atomic:
readers on every host see the whole object or none, so no temp objects are ever written.
Downloads are ranged GETs streamed in chunks, never a whole file in memory.

Credentials come only from boto3's standard chain (AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the shared config files, an instance or container
role), never from the command line; the endpoint (for MinIO, Ceph, R2...) from
`--s3-endpoint-url` or AWS_ENDPOINT_URL_S3, the region from `--s3-region` or AWS_REGION.
Every call has connect/read timeouts and bounded retries (`CLIENT_CONFIG`), and every
botocore failure becomes a `FileStoreError` that says what to check.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)

from repdesk.domain.errors import ValidationError
from repdesk.hub.file_store import Area, FileStoreError, StoredFile, check_sha256

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
MAX_ATTEMPTS = 3
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_NO_BUCKET = {"NoSuchBucket"}
_ELSEWHERE = {
    "301",
    "PermanentRedirect",
    "AuthorizationHeaderMalformed",
    "IllegalLocationConstraintException",
}
_REFUSED = {
    "403",
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "InvalidClientTokenId",
}


@dataclass(frozen=True, slots=True)
class S3Settings:
    url: str
    """`s3://bucket` or `s3://bucket/prefix`."""
    endpoint_url: str | None = None
    """None: AWS itself, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL when set."""
    region: str | None = None
    """None: AWS_REGION / AWS_DEFAULT_REGION / the profile's region."""
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    max_attempts: int = MAX_ATTEMPTS


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, prefix without slashes at either end) of `s3://bucket/prefix`."""
    parts = urlsplit(url.strip())
    bucket = parts.netloc
    if parts.scheme != "s3" or not bucket or parts.query or parts.fragment:
        raise ValidationError(
            f"{url!r} is not an S3 location: write it as s3://bucket or s3://bucket/prefix."
        )
    return bucket, parts.path.strip("/")


def check_endpoint(url: str | None) -> None:
    """Refuse an endpoint carrying credentials (they would show in every message)."""
    if url is None:
        return
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"{url!r} is not an S3 endpoint: write it as https://host[:port].")
    if parts.username or parts.password:
        raise ValidationError(
            "The S3 endpoint URL must not hold credentials: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the hub's environment instead."
        )


def _client(settings: S3Settings) -> Any:
    """A client with the settings' timeouts and retries; credentials are resolved now,
    from boto3's chain (a store is made once per hub process; boto3 clients are
    thread-safe)."""
    config = Config(
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        retries={"max_attempts": settings.max_attempts, "mode": "standard"},
        # Checksums only where S3 requires one, plus the ChecksumSHA256 sent with each
        # PUT: the newer default (a CRC on every request) breaks some S3-compatible stores.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session(region_name=settings.region)
    return session.client("s3", endpoint_url=settings.endpoint_url, config=config)


def _error_code(exc: ClientError) -> str:
    """S3's error code of a failed call ("" when it sent none)."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def _hash_into(source: BinaryIO, spool: BinaryIO | None) -> tuple[bytes, str, int]:
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    while chunk := source.read(CHUNK):
        sha.update(chunk)
        md5.update(chunk)
        size += len(chunk)
        if spool is not None:
            spool.write(chunk)
    return sha.digest(), md5.hexdigest(), size


class S3Files:
    """A `FileStore` in an S3-compatible bucket, shared by every hub host that names it."""

    def __init__(self, settings: S3Settings, area: Area) -> None:
        self.settings = settings
        self.bucket, prefix = parse_s3_url(settings.url)
        check_endpoint(settings.endpoint_url)
        self.prefix = f"{prefix}/{area}/" if prefix else f"{area}/"
        self._s3 = _client(settings)

    def endpoint(self) -> str:
        return str(self.settings.endpoint_url or self._s3.meta.endpoint_url)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.endpoint()}"

    def key_for(self, sha256: str) -> str:
        check_sha256(sha256)
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    @contextmanager
    def _calling(self, action: str) -> Iterator[None]:
        """botocore's failures as one FileStoreError sentence each."""
        where = self.describe()
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = _error_code(exc)
            if code in _NO_BUCKET:
                raise FileStoreError(
                    f"Cannot {action}: the bucket {self.bucket!r} does not exist at "
                    f"{self.endpoint()}. Create it, or correct --files-s3 / --s3-endpoint-url."
                ) from exc
            if code in _REFUSED:
                raise FileStoreError(
                    f"Cannot {action}: the S3 store at {where} refused the hub's "
                    f"credentials ({code}). Check AWS_ACCESS_KEY_ID / "
                    "AWS_SECRET_ACCESS_KEY or AWS_PROFILE in the hub's environment, and "
                    "that they may read and write this bucket."
                ) from exc
            if code in _ELSEWHERE:
                raise FileStoreError(
                    f"Cannot {action}: the bucket {self.bucket!r} is in another region than "
                    f"the hub asks {where} ({code}). Set --s3-region to the bucket's region."
                ) from exc
            message = error.get("Message") or code
            raise FileStoreError(
                f"Cannot {action}: the S3 store at {where} said: {message}"
            ) from exc
        except (NoCredentialsError, PartialCredentialsError) as exc:
            raise FileStoreError(
                f"Cannot {action}: the hub has no S3 credentials. Set AWS_ACCESS_KEY_ID "
                "and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in its environment; they are "
                "never taken from the command line."
            ) from exc
        except (ConnectionError, HTTPClientError) as exc:
            # botocore's own words name the object's URL: the log has them, the person the
            # store and what to check (a marketer sees this sentence on the library page).
            log.warning("the S3 store at %s cannot be reached: %s", where, exc)
            raise FileStoreError(
                f"Cannot {action}: the S3 store at {where} cannot be reached. "
                "Check --s3-endpoint-url and the network."
            ) from exc
        except BotoCoreError as exc:
            raise FileStoreError(f"Cannot {action}: the S3 store at {where} failed: {exc}") from exc

    def check(self) -> None:
        with self._calling("use the file store"):
            try:
                self._s3.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                # HEAD has no body: a missing bucket is a bare 404.
                if _error_code(exc) in _NOT_FOUND:
                    exc.response["Error"]["Code"] = "NoSuchBucket"
                raise

    def stat(self, sha256: str) -> StoredFile | None:
        key = self.key_for(sha256)
        with self._calling("look up a stored file"):
            try:
                head = self._s3.head_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if _error_code(exc) in _NOT_FOUND:
                    return None
                raise
        return StoredFile(int(head["ContentLength"]), head["LastModified"].timestamp())

    def exists(self, sha256: str) -> bool:
        try:
            return self.stat(sha256) is not None
        except ValueError:
            return False

    def read(self, sha256: str, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        key = self.key_for(sha256)
        if length == 0:
            return iter(())
        extra = {}
        if start or length is not None:
            end = "" if length is None else str(start + length - 1)
            extra["Range"] = f"bytes={start}-{end}"
        with self._calling("read a stored file"):
            try:
                body = self._s3.get_object(Bucket=self.bucket, Key=key, **extra)["Body"]
            except ClientError as exc:
                if _error_code(exc) in _NOT_FOUND:
                    raise FileNotFoundError(key) from exc
                raise
        return self._chunks(body)

    def _chunks(self, body: Any) -> Iterator[bytes]:
        try:
            with self._calling("read a stored file"):
                yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def put_file(self, path: Path) -> tuple[str, int]:
        with path.open("rb") as stream:
            digest, md5, size = _hash_into(stream, None)
            stream.seek(0)
            return self._put(stream, digest, md5, size)

    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        with tempfile.TemporaryFile(prefix="repdesk-s3-") as spool:  # unlinked at once
            digest, md5, size = _hash_into(stream, spool)
            spool.seek(0)
            return self._put(spool, digest, md5, size)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        digest = hashlib.sha256(data).digest()
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        return self._put(io.BytesIO(data), digest, md5, len(data))

    def _put(self, body: BinaryIO, digest: bytes, md5: str, size: int) -> tuple[str, int]:
        sha = digest.hex()
        found = self.stat(sha)
        if found is not None and found.size == size:
            return sha, size  # the same bytes are already there
        checksum = base64.b64encode(digest).decode("ascii")
        with self._calling("store a file"):
            answer = self._s3.put_object(
                Bucket=self.bucket,
                Key=self.key_for(sha),
                Body=body,
                ContentLength=size,
                ContentType="application/octet-stream",
                ChecksumSHA256=checksum,
            )
        returned = answer.get("ChecksumSHA256")
        etag = str(answer.get("ETag", "")).strip('"')
        # Without the checksum echoed, the ETag; one that is not the MD5 (encryption,
        # another store's ETags): the object read back and hashed.
        verified = returned == checksum if returned else etag == md5 or self._read_back(sha) == sha
        if not verified:  # never leave wrong bytes under the hash: they would be reused
            with self._calling("remove a damaged upload"):
                self._s3.delete_object(Bucket=self.bucket, Key=self.key_for(sha))
            raise FileStoreError(
                f"The S3 store at {self.describe()} stored different bytes than the hub "
                f"sent for {sha}; try the upload again."
            )
        log.info("stored %s (%d bytes) in %s", sha, size, self.describe())
        return sha, size

    def _read_back(self, sha256: str) -> str:
        digest = hashlib.sha256()
        for chunk in self.read(sha256):
            digest.update(chunk)
        return digest.hexdigest()

    def remove_stale_incoming(self) -> int:
        """Nothing to remove: a PUT is atomic and temp files are unlinked when made."""
        return 0


__all__ = ["S3Files", "S3Settings", "parse_s3_url"]
