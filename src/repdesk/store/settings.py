"""The typed settings registry: every setting declared once, stored as JSON, never a secret.

In the style of Electrum's `ConfigVar` and Picard's `options.py`: a setting is a module-level
`Setting` object carrying its key, default, type and human title, and code reads it with
`settings.get(SYNC_INTERVAL_MINUTES)` instead of a bare string key.

Secrets (passwords, hub tokens) NEVER go here: they live in the OS keyring (see
`repdesk.sync.credentials`). `declare()` refuses keys that look like a secret, and a test
checks every declared setting.

Only values the rep changed are written, so a new default in a later version takes effect.
Keys this version does not know (written by a newer repdesk) are kept and written back.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from repdesk.domain.errors import DiskFullError, StoreError, ValidationError
from repdesk.store.atomic import write_atomically

__all__ = [
    "AUTO_SYNC",
    "COLLATERAL_CACHE_MB",
    "CREDENTIALS_IN_URL",
    "HUB_CA_FILE",
    "HUB_URL",
    "LAST_EXPORT_DIR",
    "LAST_SEEN_VERSION",
    "LAST_SELECTED_LEAD_ID",
    "LAST_SIGN_IN_EMAIL",
    "LEAD_TABLE_HEADER_STATE",
    "LOG_LEVEL",
    "REGISTRY",
    "SETTINGS_FILE_NAME",
    "SPLITTER_STATE",
    "SYNC_INTERVAL_MINUTES",
    "WINDOW_GEOMETRY",
    "Setting",
    "ca_file_problem",
    "Settings",
    "declare",
    "looks_secret",
]

log = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "settings.json"
"""Lives in `AppPaths.config`: `Settings.load(paths.config / SETTINGS_FILE_NAME)`."""

T = TypeVar("T", str, int, float, bool)

_SECRET_WORDS = re.compile(
    r"passw|passphrase|pwd|secret|token|api[_-]?key|credential|private[_-]?key|cookie|bearer",
    re.IGNORECASE,
)


def looks_secret(text: str) -> bool:
    """True for names like "hub_token" or "Password": such things belong in the keyring."""
    return bool(_SECRET_WORDS.search(text))


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """One declared setting. Compare and look up by identity or by `key`."""

    key: str
    default: T
    type: type[T]
    title: str
    """What the settings dialog shows, e.g. "Sync every (minutes)"."""
    description: str = ""
    minimum: int | float | None = None
    maximum: int | float | None = None
    choices: tuple[T, ...] = ()
    check: Callable[[T], str] | None = None
    """Extra validation: returns "" when fine, else a message a rep understands."""

    def validate(self, value: object) -> T:
        """`value` as this setting's type, or raise ValidationError saying what is wrong."""
        expected = self.type
        ok = isinstance(value, expected) and not (expected is not bool and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ValidationError(f"{self.title} must be {_TYPE_WORDS[expected]}.")
        typed = cast(T, value)
        if isinstance(typed, int | float):  # ranges only make sense for numbers
            if self.minimum is not None and typed < self.minimum:
                raise ValidationError(f"{self.title} must be at least {self.minimum}.")
            if self.maximum is not None and typed > self.maximum:
                raise ValidationError(f"{self.title} must be at most {self.maximum}.")
        if self.choices and typed not in self.choices:
            allowed = ", ".join(str(c) for c in self.choices)
            raise ValidationError(f"{self.title} must be one of: {allowed}.")
        if self.check is not None and (problem := self.check(typed)):
            raise ValidationError(problem)
        return typed


_TYPE_WORDS: dict[type[Any], str] = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "on or off",
}

REGISTRY: dict[str, Setting[Any]] = {}
"""Every declared setting by key, in declaration order (the settings dialog's order)."""


def declare(
    key: str,
    default: T,
    title: str,
    *,
    description: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[T, ...] = (),
    check: Callable[[T], str] | None = None,
) -> Setting[T]:
    """Declare a setting once, at import time; the type is the default's type."""
    if key in REGISTRY:
        raise ValueError(f"setting {key!r} declared twice")
    if looks_secret(key) or looks_secret(title):
        raise ValueError(f"setting {key!r} looks like a secret: keep it in the OS keyring")
    setting = Setting(
        key=key,
        default=default,
        type=type(default),
        title=title,
        description=description,
        minimum=minimum,
        maximum=maximum,
        choices=choices,
        check=check,
    )
    setting.validate(default)  # a bad default is a programming error: fail at import
    REGISTRY[key] = setting
    return setting


CREDENTIALS_IN_URL = (
    "The hub address must not contain a user name or password (the part before @): "
    "enter only the address, e.g. https://hub.example.com, and your email and password "
    "in the sign-in form."
)


def _check_hub_url(url: str) -> str:
    if url and not re.fullmatch(r"https?://[^\s/?#]+(/\S*)?", url):
        return "The hub address must start with https:// (or http:// for a local test hub)."
    if "@" in url.split("://", 1)[-1].split("/", 1)[0]:
        return CREDENTIALS_IN_URL
    return ""


def _check_ca_path(path: str) -> str:
    if path and not Path(path).is_absolute():
        return "Give the full path of the certificate authority file."
    return ""


def ca_file_problem(path: str) -> str:
    """ "" when `path` is a readable PEM file of CA certificates, else what is wrong.

    Checked where the rep chooses the file and at each connection, not when the settings
    are read, so a file that is away for a moment (a network drive) is not forgotten."""
    if not path:
        return ""
    file = Path(path)
    if _check_ca_path(path):
        return _check_ca_path(path)
    if not file.is_file():
        return f"There is no certificate authority file at {path}."
    try:
        ssl.create_default_context(cafile=str(file))
    except (OSError, ValueError, ssl.SSLError):
        return (
            f"{path} is not a certificate authority file repdesk can read: it should be the "
            "PEM file (-----BEGIN CERTIFICATE-----) your IT department gave you."
        )
    return ""


# --- the settings ------------------------------------------------------------------------

HUB_URL = declare(
    "hub_url",
    "",
    "Hub address",
    description="Marketing's repdesk hub, e.g. https://hub.example.com.",
    check=_check_hub_url,
)
HUB_CA_FILE = declare(
    "hub_ca_file",
    "",
    "Hub certificate authority file",
    description="Only if your company runs its own certificate authority and this computer "
    "does not already trust it: the PEM file IT gave you. It is trusted in addition to the "
    "computer's own certificate store, for your hub.",
    check=_check_ca_path,
)
LAST_SIGN_IN_EMAIL = declare(
    "last_sign_in_email", "", "Sign-in email", description="Pre-filled on the sign-in dialog."
)
AUTO_SYNC = declare("auto_sync", True, "Sync automatically")
SYNC_INTERVAL_MINUTES = declare(
    "sync_interval_minutes", 5, "Sync every (minutes)", minimum=1, maximum=24 * 60
)
COLLATERAL_CACHE_MB = declare(
    "collateral_cache_mb",
    500,
    "Collateral storage limit (MB)",
    description="Least recently used files are removed above this size.",
    minimum=50,
    maximum=100_000,
)
THEME = declare(
    "theme",
    "system",
    "Appearance",
    description="Light or dark; System follows the computer's own setting.",
    choices=("system", "light", "dark"),
)
LOG_LEVEL = declare(
    "log_level", "INFO", "Log detail", choices=("DEBUG", "INFO", "WARNING", "ERROR")
)
WINDOW_GEOMETRY = declare(
    "window_geometry", "", "Main window position and size", description="Qt saveGeometry, base64."
)
SPLITTER_STATE = declare(
    "splitter_state", "", "Lead list / detail split", description="Qt saveState, base64."
)
LEAD_TABLE_HEADER_STATE = declare(
    "lead_table_header_state", "", "Lead list columns", description="Qt saveState, base64."
)
LAST_SELECTED_LEAD_ID = declare("last_selected_lead_id", "", "Last opened lead")
LAST_EXPORT_DIR = declare("last_export_dir", "", "Last export folder")
KEYRING_NOTICE_SHOWN = declare(
    "keyring_notice_shown",
    False,
    "Told that there is no system keyring",
    description="The sign-in note about it is shown once per installation; Settings keeps it.",
)
LAST_SEEN_VERSION = declare(
    "last_seen_version", "", "Last version started", description="For 'what's new' notes."
)


# --- the store ---------------------------------------------------------------------------


class Settings:
    """The rep's settings file. Thread-safe; every `set` is saved atomically right away."""

    def __init__(self, path: Path, values: dict[str, Any] | None = None) -> None:
        self._path = path
        self._values: dict[str, Any] = dict(values or {})
        self._lock = threading.RLock()

    @property
    def path(self) -> Path:
        return self._path

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read `path`; a missing, unreadable or corrupt file gives defaults and never raises.

        A corrupt file is kept beside as `<name>.corrupt` so a hand edit is not lost silently.
        """
        try:
            raw_text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("Cannot read settings %s (%s); using defaults", path, exc)
            return cls(path)
        try:
            raw = json.loads(raw_text)
        except ValueError as exc:
            raw = exc
        if not isinstance(raw, dict):
            why = raw if isinstance(raw, ValueError) else "not a JSON object"
            log.warning("Settings file %s is unusable (%s); using defaults", path, why)
            _keep_aside(path)
            return cls(path)
        values: dict[str, Any] = {}
        dropped = False
        for key, value in raw.items():
            setting = REGISTRY.get(key)
            if setting is None:
                values[key] = value  # a newer repdesk's setting: keep it for that version
                continue
            try:
                values[key] = setting.validate(value)
            except ValidationError as exc:
                # The message, never the value: a refused hub address may hold a password.
                log.warning("Ignoring setting %s from %s: %s", key, path, exc)
                dropped = True
        settings = cls(path, values)
        if dropped:
            # Rewritten at once, so a refused value (a password in a hub address written by
            # an older repdesk) does not stay on disk until the next change.
            try:
                settings.save()
            except StoreError as exc:
                log.warning("Could not rewrite the settings without refused values: %s", exc)
        return settings

    def get(self, setting: Setting[T]) -> T:
        with self._lock:
            if setting.key in self._values:
                return cast(T, self._values[setting.key])
        return setting.default

    def is_set(self, setting: Setting[Any]) -> bool:
        with self._lock:
            return setting.key in self._values

    def set(self, setting: Setting[T], value: T, *, save: bool = True) -> None:
        """Validate, store and save `value`.

        Raises ValidationError (bad value) or StoreError/DiskFullError (file not writable);
        after a failed save the new value still holds for this run.
        """
        typed = setting.validate(value)
        with self._lock:
            self._values[setting.key] = typed
            if save:
                self.save()

    def reset(self, setting: Setting[Any], *, save: bool = True) -> None:
        """Back to the default (and to later versions' defaults)."""
        with self._lock:
            self._values.pop(setting.key, None)
            if save:
                self.save()

    def save(self) -> None:
        """Write atomically: temp file in the same folder, fsync, rename over the old file."""
        with self._lock:
            data = json.dumps(self._values, indent=2, sort_keys=True, ensure_ascii=False)
            try:
                _atomic_write(self._path, data + "\n")
            except OSError as exc:
                log.error("Could not save settings to %s: %s", self._path, exc)
                if exc.errno == errno.ENOSPC:
                    raise DiskFullError(
                        "The disk is full: your settings could not be saved."
                    ) from exc
                raise StoreError(f"Your settings could not be saved ({exc.strerror}).") from exc


def _keep_aside(path: Path) -> None:
    try:
        os.replace(path, path.with_name(path.name + ".corrupt"))
    except OSError as exc:
        log.warning("Could not move the unusable settings file aside: %s", exc)


def _atomic_write(path: Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"))
