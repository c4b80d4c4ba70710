"""Adding collateral: content-addressed storage, media type from content, PDF health checks.

The media type comes from the file's magic bytes (the `filetype` library), never from its
name; PDFs are opened with pypdfium2 and an encrypted, truncated or unreadable one is still
accepted (marketing may not have another copy) but flagged in `problem`, which reps see.

Every change (add, retire, tag, untag) bumps the item's version, logs it for reps' pulls
and writes its audit entry in the same transaction, in the name of `actor` ("cli" for
the command line).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin import audit
from repdesk.hub.admin.hub import Hub
from repdesk.hub.db.models import Campaign, Collateral
from repdesk.hub.sync.changes import touch_global

log = logging.getLogger(__name__)

PDF = "application/pdf"
_SNIFF_BYTES = 8192


@dataclass(frozen=True, slots=True)
class CollateralInfo:
    id: str
    title: str
    sha256: str
    size: int
    media_type: str
    campaign: str
    tags: tuple[str, ...]
    problem: str
    original_name: str
    retired: bool = False


def detect_media_type(head: bytes) -> str:
    """From magic bytes; text without a signature is text/plain, the rest octet-stream."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if head.lstrip().startswith(b"%PDF-"):
        return PDF  # a few producers put whitespace before the header; readers accept it
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain" if b"\x00" not in head else "application/octet-stream"


def pdf_problem(path: Path) -> str:
    """Why reps cannot use this PDF ("" when it opens and its pages read)."""
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            return "This PDF is password-protected: reps cannot open it in repdesk."
        return "This PDF is damaged or incomplete and cannot be opened."
    try:
        if len(pdf) == 0:
            return "This PDF has no pages."
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                page.get_textpage().get_text_range()
            finally:
                page.close()
    except pdfium.PdfiumError:
        return "Some pages of this PDF cannot be read."
    finally:
        pdf.close()
    with path.open("rb") as stream:
        stream.seek(max(0, path.stat().st_size - 2048))
        if b"%%EOF" not in stream.read():
            return "This PDF looks cut off (no end marker): ask for a fresh copy."
    return ""


def _campaign(session: Session, name_or_id: str) -> Campaign:
    campaign = session.scalar(
        select(Campaign).where(
            or_(Campaign.id == name_or_id, func.lower(Campaign.name) == name_or_id.lower())
        )
    )
    if campaign is None:
        names = ", ".join(sorted(session.scalars(select(Campaign.name)))) or "none yet"
        raise ValidationError(f"There is no campaign {name_or_id!r} (campaigns: {names}).")
    return campaign


def add_collateral(
    hub: Hub,
    path: Path,
    title: str,
    *,
    campaign: str | None = None,
    tags: tuple[str, ...] = (),
    original_name: str | None = None,
    actor: str = audit.CLI_ACTOR,
) -> CollateralInfo:
    """Store the file at `path` in the library. `original_name` is the name marketing
    knows the file by (an upload's name: text only, never a path), default `path.name`."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError("The collateral needs a title.")
    name = (original_name if original_name is not None else path.name).strip()
    shown = name or "The file"
    try:
        if not path.is_file():
            raise ValidationError(f"{path} is not a file.")
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError as exc:
        raise ValidationError(f"Cannot read {shown}: {exc.strerror or exc}") from exc
    if not head:
        raise ValidationError(f"{shown} is empty.")
    media_type = detect_media_type(head)
    problem = ""
    if media_type == PDF:
        problem = pdf_problem(path)
    elif PurePath(name).suffix.lower() == ".pdf":
        problem = f"Named like a PDF but the content is {media_type}: reps may not open it."
    clean_tags = clean_tag_list(tags)
    # Stored before the transaction: an upload (to an S3 bucket, a large file) must not
    # hold the writers' lock. Bytes stored for a refused add stay, named by their hash,
    # and are reused if added again.
    sha256, size = hub.files.put_file(path)
    with hub.db.write() as session:
        campaign_row = _campaign(session, campaign) if campaign else None
        existing = session.scalar(
            select(Collateral).where(Collateral.sha256 == sha256, Collateral.retired.is_(False))
        )
        if existing is not None:
            raise ValidationError(
                f"This file is already in the library as {existing.title!r} (id {existing.id})."
            )
        row = Collateral(
            sha256=sha256,
            size=size,
            media_type=media_type,
            title=title[:500],
            original_name=name[:500],
            campaign_id=campaign_row.id if campaign_row else None,
            tags=list(clean_tags),
            problem=problem,
            version=1,
        )
        session.add(row)
        session.flush()
        touch_global(session, "collateral", row.id, row.version)
        audit.record(
            session,
            actor,
            "collateral.add",
            row.title,
            {
                "id": row.id,
                "sha256": sha256,
                "media_type": media_type,
                "tags": list(clean_tags),
                "problem": problem,
            },
        )
        info = _info(row, campaign_row.name if campaign_row else "")
    if problem:
        log.warning("collateral %s added with a problem: %s", name, problem)
    return info


def clean_tag_list(tags: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Tags as stored: stripped, lower-case, each once, in the order given."""
    return tuple(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))


def _info(row: Collateral, campaign: str) -> CollateralInfo:
    return CollateralInfo(
        row.id,
        row.title,
        row.sha256,
        row.size,
        row.media_type,
        campaign,
        tuple(row.tags),
        row.problem,
        row.original_name,
        row.retired,
    )


def list_collateral(hub: Hub, *, include_retired: bool = False) -> list[CollateralInfo]:
    """The library by title (retired items after the live ones, with `include_retired`)."""
    with hub.db.read() as session:
        names = dict(session.execute(select(Campaign.id, Campaign.name)).tuples().all())
        query = select(Collateral).order_by(Collateral.retired, Collateral.title, Collateral.id)
        if not include_retired:
            query = query.where(Collateral.retired.is_(False))
        rows = session.scalars(query).all()
        return [_info(r, names.get(r.campaign_id or "", "")) for r in rows]


def campaign_names(hub: Hub) -> list[str]:
    """Every campaign's name, sorted (for choosing one)."""
    with hub.db.read() as session:
        return sorted(session.scalars(select(Campaign.name)), key=str.casefold)


def _live(session: Session, collateral_id: str) -> Collateral:
    row = session.get(Collateral, collateral_id.strip())
    if row is None or row.retired:
        raise ValidationError("That collateral is not in the library (any more).")
    return row


def _set_tags(
    hub: Hub, collateral_id: str, change: str, tag: str, actor: str
) -> tuple[CollateralInfo, bool]:
    cleaned = clean_tag_list([tag])
    if not cleaned:
        raise ValidationError("Say which tag to add or remove.")
    with hub.db.write() as session:
        row = _live(session, collateral_id)
        tags = list(row.tags)
        if change == "tag":
            new = [*tags, cleaned[0]] if cleaned[0] not in tags else tags
        else:
            new = [t for t in tags if t != cleaned[0]]
        changed = new != tags
        if changed:
            row.tags = new
            row.version += 1
            touch_global(session, "collateral", row.id, row.version)
            audit.record(
                session,
                actor,
                f"collateral.{change}",
                row.title,
                {"id": row.id, "tag": cleaned[0], "tags": new},
            )
        campaign = session.get(Campaign, row.campaign_id) if row.campaign_id else None
        info = _info(row, campaign.name if campaign else "")
    return info, changed


def tag_collateral(
    hub: Hub, collateral_id: str, tag: str, *, actor: str = audit.CLI_ACTOR
) -> tuple[CollateralInfo, bool]:
    """Add `tag` to a live item (reps get the new version at their next sync); the bool
    is False when it already had the tag (nothing written)."""
    return _set_tags(hub, collateral_id, "tag", tag, actor)


def untag_collateral(
    hub: Hub, collateral_id: str, tag: str, *, actor: str = audit.CLI_ACTOR
) -> tuple[CollateralInfo, bool]:
    """Remove `tag` from a live item; False when it did not have it (nothing written)."""
    return _set_tags(hub, collateral_id, "untag", tag, actor)


def retire_collateral(hub: Hub, sha_or_id: str, *, actor: str = audit.CLI_ACTOR) -> CollateralInfo:
    """Withdraw an item: reps' apps drop it on their next sync (logged writes keep it).

    `sha_or_id` is the collateral id or the start of its sha256 (at least 8 characters,
    as `collateral list` shows 12).
    """
    key = sha_or_id.strip().lower()
    if not key:
        raise ValidationError("Say which collateral to retire (its sha256 or id).")
    with hub.db.write() as session:
        alive = select(Collateral).where(Collateral.retired.is_(False))
        rows = list(session.scalars(alive.where(Collateral.id == sha_or_id.strip())))
        if not rows and len(key) >= 8:
            rows = list(session.scalars(alive.where(Collateral.sha256.startswith(key))))
        if not rows:
            raise ValidationError(
                f"No collateral in the library matches {sha_or_id.strip()!r} "
                "(use the sha256 shown by `collateral list`, at least 8 characters)."
            )
        if len(rows) > 1:
            titles = ", ".join(repr(r.title) for r in rows[:5])
            raise ValidationError(
                f"{sha_or_id.strip()!r} matches several items ({titles}); give more characters."
            )
        row = rows[0]
        row.retired = True
        row.version += 1
        touch_global(session, "collateral", row.id, row.version, op="remove")
        audit.record(
            session, actor, "collateral.retire", row.title, {"id": row.id, "sha256": row.sha256}
        )
        campaign = session.get(Campaign, row.campaign_id) if row.campaign_id else None
        info = _info(row, campaign.name if campaign else "")
    log.info("collateral %s (%s) retired by %s", info.id, info.title, actor)
    return info
