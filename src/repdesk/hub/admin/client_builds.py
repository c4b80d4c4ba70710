"""Desktop app builds reps' apps update from: add (from a bundle), list, retire.

The bundle is stored content-addressed in the hub's file store (like collateral);
its version and platform come from the bundle's own manifest (`repdesk/BUILD-INFO.json`),
and the platform marketing names must agree with it. Every change writes its audit entry
in the same transaction, in the name of `actor` ("cli" for the command line).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.domain.versions import parse_version
from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.db.models import ClientBuild
from repdesk.hub.file_store import CLIENT_BUILDS, FileStore, open_file_store
from repdesk.protocol.bundle import check_platform, read_bundle

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ClientBuildInfo:
    id: str
    platform: str
    version: str
    sha256: str
    size: int
    created_at: datetime
    retired: bool = False


def _info(row: ClientBuild) -> ClientBuildInfo:
    return ClientBuildInfo(
        row.id, row.platform, row.version, row.sha256, row.size, row.created_at, row.retired
    )


def build_files(hub: Hub) -> FileStore:
    return open_file_store(hub.config, CLIENT_BUILDS)


def add_build(
    hub: Hub, path: Path, platform: str, *, actor: str = audit.CLI_ACTOR
) -> ClientBuildInfo:
    """Publish the bundle at `path` for `platform`; apps on it offer it at their next sync."""
    wanted = check_platform(platform)
    if not path.is_file():
        raise ValidationError(f"{path} is not a file.")
    manifest = read_bundle(path, shown=path.name)
    if manifest.platform != wanted:
        raise ValidationError(
            f"{path.name} is a build for {manifest.platform}, not {wanted}: "
            "check you picked the right file."
        )
    sha256, size = build_files(hub).put_file(path)
    with hub.db.write() as session:
        for row in _live(session, wanted):
            if row.sha256 == sha256:
                raise ValidationError(
                    f"This bundle is already published as {row.version} for {row.platform}."
                )
            if row.version == manifest.version:
                raise ValidationError(
                    f"Version {row.version} for {row.platform} is already published "
                    f"(sha256 {row.sha256[:12]}...); retire it first to replace it."
                )
        row = ClientBuild(
            platform=wanted, version=manifest.version, sha256=sha256, size=size, retired=False
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "client.add",
            f"{wanted} {manifest.version}",
            {"id": row.id, "sha256": sha256, "size": size},
        )
        info = _info(row)
    log.info("client build %s for %s published (%s)", info.version, info.platform, sha256)
    return info


def _live(session: Session, platform: str) -> list[ClientBuild]:
    query = select(ClientBuild).where(
        ClientBuild.platform == platform, ClientBuild.retired.is_(False)
    )
    return list(session.scalars(query))


def _order(row: ClientBuild) -> tuple[tuple[int, int, int], datetime]:
    return parse_version(row.version) or (0, 0, 0), row.created_at


def list_builds(hub: Hub, *, include_retired: bool = False) -> list[ClientBuildInfo]:
    """Builds by platform, newest version first."""
    with hub.db.read() as session:
        query = select(ClientBuild)
        if not include_retired:
            query = query.where(ClientBuild.retired.is_(False))
        rows = sorted(session.scalars(query), key=_order, reverse=True)
        rows.sort(key=lambda r: r.platform)
        return [_info(r) for r in rows]


def newest_build(session: Session, platform: str) -> ClientBuild | None:
    """The live build with the highest version for `platform` (None when there is none)."""
    rows = _live(session, platform)
    return max(rows, key=_order) if rows else None


def retire_build(hub: Hub, key: str, *, actor: str = audit.CLI_ACTOR) -> ClientBuildInfo:
    """Stop offering a build. `key` is its id, its version, or the start of its sha256
    (at least 8 characters); it must name exactly one live build."""
    wanted = key.strip().lower()
    if not wanted:
        raise ValidationError("Say which build to retire (its version or sha256).")
    with hub.db.write() as session:
        live = list(session.scalars(select(ClientBuild).where(ClientBuild.retired.is_(False))))
        rows = [
            r
            for r in live
            if r.id == key.strip()
            or r.version == wanted
            or (len(wanted) >= 8 and r.sha256.startswith(wanted))
        ]
        if not rows:
            raise ValidationError(
                f"No published build matches {key.strip()!r} (use a version or the sha256 "
                "shown by `client list`)."
            )
        if len(rows) > 1:
            found = ", ".join(f"{r.version} ({r.platform}, {r.sha256[:12]})" for r in rows)
            raise ValidationError(
                f"{key.strip()!r} matches several builds: {found}; use the sha256."
            )
        row = rows[0]
        row.retired = True
        audit.record(
            session,
            actor,
            "client.retire",
            f"{row.platform} {row.version}",
            {"id": row.id, "sha256": row.sha256},
        )
        info = _info(row)
    log.info("client build %s for %s retired by %s", info.version, info.platform, actor)
    return info


__all__ = [
    "ClientBuildInfo",
    "add_build",
    "build_files",
    "list_builds",
    "newest_build",
    "retire_build",
]
