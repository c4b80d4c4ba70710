"""User-visible text: the one translation function, plain-text labels and friendly dates."""

from __future__ import annotations

import html
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from repdesk.domain.ids import ensure_utc, utcnow


def tr(context: str, text: str, n: int = -1, disambiguation: str | None = None) -> str:
    """Translate `text` (every string a rep reads goes through here).

    With `n >= 0`, "%n" in `text` is replaced by `n` and plural forms apply once a
    translation is installed, e.g. ``tr("when", "%n days ago", n=3)``.
    """
    return QCoreApplication.translate(context, text, disambiguation, n)


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    """A QLabel that shows `text` literally: `<b>` stays the three characters `<b>`.

    Use it (or `set_plain`) for anything that came from the hub, the store or the rep.
    """
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    return label


def set_plain(label: QLabel, text: str) -> None:
    """Set `text` on an existing label, forcing plain-text interpretation first."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)


def plain_tooltip(text: str | None) -> str:
    """Tooltip markup that shows `text` literally.

    Qt guesses whether tooltip text is HTML (Qt::mightBeRichText), so a label like
    "<b>x</b><img src=y>" would render bold with an image; escaped inside an explicit
    rich-text wrapper it shows exactly those characters. "" stays "" (no tooltip).
    """
    if not text:
        return ""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


#: Characters of a long text shown in its tooltip (the whole text is read in a pane).
TOOLTIP_CHARS = 400


def preview_tooltip(text: str | None, hint: str = "") -> str:
    """`plain_tooltip` for text that may be long: the first `TOOLTIP_CHARS` characters, then
    an ellipsis and `hint` (where the whole text can be read). Never fills the screen."""
    if not text:
        return ""
    if len(text) <= TOOLTIP_CHARS:
        return plain_tooltip(text)
    cut = text[:TOOLTIP_CHARS].rstrip() + "\u2026"
    return plain_tooltip(cut + ("\n\n" + hint if hint else ""))


def one_line(text: str, limit: int = 80) -> str:
    """Collapse whitespace and cut to `limit` characters with an ellipsis (for list cells)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def format_when(when: datetime | None, now: datetime | None = None) -> str:
    """A rep-friendly local time: "Today 14:05", "Yesterday 09:30", "3 days ago", "12 Mar 2025".

    Future times read "Tomorrow 10:00" or "In 3 days". `when` may be naive (taken as UTC).
    """
    if when is None:
        return tr("when", "Never")
    local = ensure_utc(when).astimezone()
    ref = ensure_utc(now or utcnow()).astimezone()
    clock = local.strftime("%H:%M")
    days = (local.date() - ref.date()).days
    if days == 0:
        return tr("when", "Today %1").replace("%1", clock)
    if days == -1:
        return tr("when", "Yesterday %1").replace("%1", clock)
    if days == 1:
        return tr("when", "Tomorrow %1").replace("%1", clock)
    if -7 < days < 0:
        return tr("when", "%n days ago", n=-days)
    if 0 < days < 7:
        return tr("when", "In %n days", n=days)
    if local.year == ref.year:
        return local.strftime("%d %b")
    return local.strftime("%d %b %Y")


def format_duration(seconds: float) -> str:
    """A call timer reading: "04:07", or "1:02:09" past an hour."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def format_age(delta: timedelta) -> str:
    """How long ago, coarsely: "just now", "5 min ago", "2 h ago", "3 days ago"."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return tr("when", "just now")
    if seconds < 3600:
        return tr("when", "%n min ago", n=seconds // 60)
    if seconds < 86400:
        return tr("when", "%n h ago", n=seconds // 3600)
    return tr("when", "%n days ago", n=seconds // 86400)


def human_size(size: int) -> str:
    """A file or folder size as a rep reads it: "812 bytes", "24 KB", "3.1 MB"."""
    if size < 1024:
        return tr("text", "{n} bytes").format(n=size)
    if size < 1024 * 1024:
        return tr("text", "{n} KB").format(n=round(size / 1024))
    return tr("text", "{n:.1f} MB").format(n=size / (1024 * 1024))
