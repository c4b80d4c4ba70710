"""Handing a lead over to the rep's own tools: the phone (`tel:`) and the mail client
(`mailto:`), through `QDesktopServices.openUrl` (the system dialer or softphone, the
default mail app). Qt says False when nothing on this computer takes the link; the caller
then says so, and a number is copied so the rep can dial it by hand.

The links are built from the lead's values, never from markup: a phone number keeps only
"+" and digits; an address and a subject are percent-encoded by `QUrl`.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QUrl, QUrlQuery
from PySide6.QtGui import QDesktopServices, QGuiApplication

MIN_DIGITS = 3
"""Fewer digits than this is not a number anyone can dial."""


def dial_string(phone: str) -> str:
    """ "+1 (555) 940-9779" -> "+15559409779"; "" when there is nothing to dial.

    An extension ("x12", "ext. 12") is cut off: dialers differ in how they take one.
    """
    main = re.split(r"(?i)\s*(?:ext\.?|x|#)\s*\d+\s*$", phone.strip())[0]
    digits = re.sub(r"\D", "", main)
    if len(digits) < MIN_DIGITS:
        return ""
    return ("+" if main.lstrip().startswith("+") else "") + digits


def tel_url(phone: str) -> QUrl | None:
    number = dial_string(phone)
    return QUrl(f"tel:{number}") if number else None


def mailto_url(address: str, subject: str, body: str = "") -> QUrl | None:
    """`mailto:address?subject=...` (None without a usable address)."""
    address = address.strip()
    if not address or any(c in address for c in "\r\n?&") or "@" not in address:
        return None
    url = QUrl()
    url.setScheme("mailto")
    url.setPath(address)
    query = QUrlQuery()
    query.addQueryItem("subject", subject.replace("\r", " ").replace("\n", " "))
    if body:
        query.addQueryItem("body", body)
    url.setQuery(query)
    return url


def open_link(url: QUrl) -> bool:
    """True when the system took the link (a handler for its scheme exists)."""
    return bool(QDesktopServices.openUrl(url))


def copy_text(text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.setText(text)


__all__ = ["copy_text", "dial_string", "mailto_url", "open_link", "tel_url"]
