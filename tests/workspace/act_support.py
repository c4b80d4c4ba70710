"""Helpers for the tests of the workspace's Act pages: the hub behind the served app,
its audit log, and posting forms and files the way the pages do."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import httpx
from sqlalchemy import select

from repdesk.hub.admin import Hub, audit, seed_defaults
from repdesk.hub.db.models import ChangeLog
from repdesk.hub.embedded import EmbeddedHub

from .conftest import Browser, admin_hub


def reference_data(embedded_hub: EmbeddedHub) -> Hub:
    """The hub with the default rubric and taxonomy, as `repdesk-hub init` leaves it."""
    h = admin_hub(embedded_hub)
    with h.db.write() as session:
        seed_defaults(session)
    return h


def audit_log(h: Hub) -> list[audit.AuditRecord]:
    """Every audit entry, newest first."""
    with h.db.read() as session:
        return audit.audit_entries(session)


def actions(h: Hub, actor: str | None = None) -> list[tuple[str, str, str]]:
    """(actor, action, target) of every audit entry (or `actor`'s), oldest first."""
    return [
        (e.actor, e.action, e.target)
        for e in reversed(audit_log(h))
        if actor is None or e.actor == actor
    ]


def logged(h: Hub, entity: str, entity_id: str) -> list[tuple[str, str, int]]:
    """(audience, op, version) of the change-log rows reps pull for one row."""
    with h.db.read() as session:
        rows = session.scalars(
            select(ChangeLog).where(ChangeLog.entity == entity, ChangeLog.entity_id == entity_id)
        ).all()
        return sorted((r.audience, r.op, r.version) for r in rows)


def change_log_size(h: Hub) -> int:
    with h.db.read() as session:
        return len(session.scalars(select(ChangeLog.seq)).all())


def upload(
    client: Browser,
    path: str,
    name: str,
    content: bytes,
    data: dict[str, str] | None = None,
    *,
    media_type: str = "application/octet-stream",
) -> httpx.Response:
    """POST a multipart form with one file (field `file`) and the page's CSRF token."""
    fields: dict[str, Any] = {"csrf_token": client.csrf, **(data or {})}
    return client.post(path, data=fields, files={"file": (name, content, media_type)})


def flash_after(client: Browser, answer: httpx.Response) -> str:
    """The page a 303 leads to (its flash message is shown once)."""
    assert answer.status_code == 303, (answer.status_code, answer.text[:500])
    return client.get(answer.headers["location"]).text


class _FormReader(HTMLParser):
    """The fields a browser would submit from the form with id `form_id` (text and
    hidden inputs, ticked checkboxes, selected options; also inputs outside the form
    that name it with `form=`)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.select: str | None = None
        self.first_option: str | None = None
        self.fields: dict[str, str] = {}

    def _belongs(self, attrs: dict[str, str | None]) -> bool:
        return self.inside or attrs.get("form") == self.form_id

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
            return
        if not self._belongs(attrs):
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "checkbox":
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value") or "on"
            elif kind not in ("submit", "file"):
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self.select, self.first_option = name, None
        elif tag == "option" and self.select is not None:
            value = attrs.get("value") or ""
            if self.first_option is None:
                self.first_option = value
                self.fields.setdefault(self.select, value)
            if "selected" in attrs:
                self.fields[self.select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


def form_fields(page: str, form_id: str) -> dict[str, str]:
    reader = _FormReader(form_id)
    reader.feed(page)
    assert reader.fields, f"no form {form_id!r} on the page"
    return reader.fields
